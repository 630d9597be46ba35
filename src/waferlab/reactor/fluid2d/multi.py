"""Steady state of the multi-species (electronegative) 2D model: SF6/O2, Cl2/Ar, ...

The unknowns and the residual are :mod:`.species`'s; the steady state is found by
pseudo-transient continuation (:mod:`.ptc`) with the Jacobian of the whole residual, the coil
power's dependence on the state included (:mod:`.newton`).  T_g inside Newton replaces the
earlier outer fixed point on T_g, which had to wait for a nearly steady plasma (the heating of
a transient iterate is not bounded by the absorbed power) and did not converge for SF6/O2.  The
gas flow (:mod:`.flow`) is solved once: the normal speeds at the inlet and at the pump port
carry the global model's pumping speed S = Q k_B T_g/p.  Converged when the scaled residual
max-norm (charged species and energy per ν_ref, the global model's ionisation frequency;
neutrals, coverages and T_g per the pumping rate S/V, so that the element balance closes to
about the tolerance) is below the tolerance; otherwise a :class:`SimulationError` lists the
residual history.
"""
from __future__ import annotations

import logging
import math
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import j0

from ...constants import EV, PI
from .adapt import ADAPT_WAFER_CELL, equidistributed_faces, potential_monitor, with_mesh
from .em import skin_depth
from .flow import FlowField, knudsen_regime, stokes_flow
from .mesh import FieldAverages
from .neutral import feed_conductivity
from .species import Ports, SpeciesSystem, potential_steps
from .ptc import DIVERGED, ion_flux_of, pseudo_transient as _pseudo_transient  # noqa: F401  (DIVERGED: re-exported)

if TYPE_CHECKING:
    from ..global_model import SteadyState
    from .model import Fluid2DSetup

_LOG = logging.getLogger(__name__)

__all__ = ["MultiResult", "solve_multi", "ports_of", "gas_flow", "species_system", "VISCOSITY_300K"]

# Dynamic viscosity at 300 K (Pa s), CRC Handbook of Chemistry and Physics (97th ed., 2016),
# "Viscosity of gases"; the mixture takes the feed's mole-fraction average (the velocity field
# does not depend on μ when the boundary speeds are given; μ sets the pressure drop).
VISCOSITY_300K = {"Ar": 2.27e-5, "O2": 2.07e-5, "N2": 1.79e-5, "SF6": 1.53e-5, "Cl2": 1.34e-5,
                  "He": 2.00e-5, "CF4": 1.74e-5, "C4F8": 1.2e-5, "H2": 0.90e-5}


@dataclass(frozen=True, kw_only=True)
class MultiResult(FieldAverages):
    """Steady fields of the multi-species model (shape (nr, nz); SI, T_e in eV)."""

    setup: Fluid2DSetup
    names: tuple[str, ...]
    n: np.ndarray                 # (N, nr, nz) heavy species
    n_e: np.ndarray
    T_e: np.ndarray
    theta: np.ndarray             # (Ns, nr, nz) wall coverages (wall cells)
    power: np.ndarray
    T_gas: np.ndarray
    n_gas: np.ndarray
    phi: np.ndarray
    flow: FlowField
    wall_flux: tuple              # per side (r_max, z_min, z_max): (N, m) m⁻²s⁻¹
    element_balance: dict
    buried: np.ndarray
    residual_history: tuple[float, ...]
    iterations: int
    seconds: float
    global_state: SteadyState | None = field(repr=False, default=None)
    reynolds: float = 0.0
    knudsen: float = 0.0
    x: np.ndarray = field(repr=False)
    gas_heat: dict = field(default_factory=dict)   # W: electrons_W, ions_W, walls_W, residual
    potential_steps: dict = field(default_factory=dict)  # eΔφ/T_i per cell (species.potential_steps)
    stages: tuple = ()            # the coarse solves before the adapted mesh (mesh, steps, z faces)
    ion_flux: str = "sg"          # the positive-ion face flux of the result: "sg" or "pressure"
    ion_flux_fallback: tuple = ()  # the pressure stage's residuals when it stalled (result: SG)

    def state_vector(self) -> np.ndarray:
        """The converged unknowns (ln n, ln n_e, T_e, ln θ; field-major)."""
        return self.x

    def density(self, name: str) -> np.ndarray:
        return self.n[self.names.index(name)]


def ports_of(setup) -> Ports:
    """Inlet and pump faces from ``fluid2d.flow`` (RecipeError naming the field)."""
    from ...errors import RecipeError

    spec, m, f = setup.spec, setup.mesh, setup.settings.flow
    R, L = spec.chamber.radius, spec.chamber.length
    Rw = spec.chamber.wafer_radius if spec.chamber.wafer_radius is not None else R
    r_in = f.inlet_radius if f.inlet_radius is not None else R / 5
    if r_in > R:
        raise RecipeError(f"inlet_radius = {r_in:g} m is larger than the chamber radius {R:g} m",
                          path="reactor.fluid2d.flow.inlet_radius", value=r_in)
    inlet = m.r_faces[:-1] < r_in - 1e-12
    if not inlet.any():
        inlet[0] = True
    pump = f.pump
    if pump == "auto":
        pump = "bottom" if R - Rw > 1e-3 * R else "side"
    bottom = np.zeros(m.nr, bool)
    side = np.zeros(m.nz, bool)
    if pump == "bottom":
        w = f.pump_width if f.pump_width is not None else R - Rw
        if w > R - Rw + 1e-12 or w <= 0:
            raise RecipeError(f"pump_width = {w:g} m: the bottom pump ring must lie between the wafer "
                              f"(r = {Rw:g} m) and the wall (r = {R:g} m)", path="reactor.fluid2d.flow.pump_width",
                              value=w)
        bottom = m.r_faces[1:] > R - w + 1e-12
        if not bottom.any():
            bottom[-1] = True
    else:
        w = f.pump_width if f.pump_width is not None else L / 5
        if w > L:
            raise RecipeError(f"pump_width = {w:g} m is longer than the chamber ({L:g} m)",
                              path="reactor.fluid2d.flow.pump_width", value=w)
        side = m.z_faces[:-1] < w - 1e-12
        if not side.any():
            side[0] = True
    gm = setup.global_model
    S = gm.k_pump * gm.V_n                        # pumping speed, m³/s
    A_in = float(m.ring_area[inlet].sum())
    A_out = float(m.ring_area[bottom].sum() + (2 * PI * R * m.dz[side]).sum())
    return Ports(inlet=inlet, pump_bottom=bottom, pump_side=side, u_in=S / A_in, u_out=S / A_out)


def species_system(setup, ports: Ports, fl: FlowField | None) -> SpeciesSystem:
    """The residual of ``setup`` (T_g a field when ``gas_heating``; walls at their
    temperatures; the feed's gas conductivity, :func:`.neutral.feed_conductivity`)."""
    from .model import _walls

    s = setup.settings
    sysm = SpeciesSystem(setup.mesh, setup.global_model, ports,
                         flow_fluxes=fl.volume_fluxes() if fl is not None and s.flow.convection else None,
                         heat=feed_conductivity(setup.spec.gases) if s.gas_heating else None,
                         T_walls=_walls(setup.spec))
    sysm.ion_flux = ion_flux_of(setup)
    return sysm


def _mixture(spec, table):
    q = sum(spec.gases.values())
    return sum(table.get(g, 2.0e-5) * v for g, v in spec.gases.items()) / q


def gas_flow(setup, ports: Ports) -> tuple[FlowField, float, float]:
    """Stokes flow from the inlet to the pump port; returns (flow, Reynolds, Knudsen)."""
    spec, m, gm = setup.spec, setup.mesh, setup.global_model
    mu = _mixture(spec, VISCOSITY_300K) * (spec.gas_temperature / 300.0) ** 0.7
    sig = float(np.mean([gm.sigma[gm.index[g]] for g in spec.gases if g in gm.index]))
    lam = 1.0 / (gm.n_g0 * sig)
    L_c = min(spec.chamber.radius, spec.chamber.length)
    kn = lam / L_c
    ell = lam if setup.settings.flow.slip else 0.0
    fl = stokes_flow(m, mu, u_z_top=np.where(ports.inlet, -ports.u_in, 0.0),
                     u_z_bottom=np.where(ports.pump_bottom, -ports.u_out, 0.0),
                     u_r_wall=np.where(ports.pump_side, ports.u_out, 0.0), slip_length=ell)
    m_mix = float(np.dot([spec.gases[g] for g in spec.gases], [gm.mass[gm.index[g]] for g in spec.gases])
                  / sum(spec.gases.values()))
    rho = gm.n_g0 * m_mix
    re = rho * float(fl.cell_speed().max()) * L_c / mu
    if kn > 0.1:
        warnings.warn(f"reactor.fluid2d.flow: Knudsen number λ/L = {kn:.2g} ({knudsen_regime(kn)} regime): "
                      f"the Stokes flow with first-order slip is an approximation there (Kn < 0.1)",
                      RuntimeWarning, stacklevel=3)
    return fl, re, kn


def _initial(setup, gst, sysm: SpeciesSystem) -> np.ndarray:
    gm, m = setup.global_model, setup.mesh
    R, L = setup.spec.chamber.radius, setup.spec.chamber.length
    shape = np.maximum(j0(2.405 * m.r / R)[:, None] * np.sin(PI * m.z / L)[None, :], 0.05)
    lnn = np.empty((gm.N,) + m.shape)
    for k in range(gm.N):
        f = shape if gm.z[k] > 0 else (shape ** 2 if gm.z[k] < 0 else 1.0)
        lnn[k] = np.log(max(gst.n[k], 1e-6) * f)
    ne = np.maximum(np.tensordot(gm.z, np.exp(lnn), axes=1), 1e-3 * gst.n_e * shape)
    # make the positive ions carry n_e + n_-: rescale them where the sum falls short
    neg = np.exp(lnn[gm.neg]).sum(axis=0) if gm.neg.size else 0.0
    pos = np.exp(lnn[gm.pos]).sum(axis=0)
    lnn[gm.pos] += np.log((ne + neg) / pos)[None]
    th = np.empty((gm.Ns,) + m.shape)
    for s in range(gm.Ns):
        th[s] = math.log(max(float(gst.theta[s]), 1e-12))
    parts = [lnn.ravel(), np.log(ne).ravel(), np.full(m.size, gst.T_e), th.ravel()]
    if sysm.heat is not None:
        parts.append(np.full(m.size, setup.spec.gas_temperature))
    return np.concatenate(parts)


def solve_multi(setup, gst, *, t0: float, max_iterations=None, checkpoint: Path | None = None,
                resume: bool = False):
    """Steady state (see the module docstring).  With ``mesh.adapt`` a first steady state on
    the coarse mesh of :func:`_coarse_setup` places the z faces
    (:mod:`.adapt`), and the steady state is then solved on the adapted mesh."""
    from .model import _load_checkpoint_faces, _not_converged, spec_hash

    s, spec = setup.settings, setup.spec
    max_it = max_iterations or s.max_iterations
    key = spec_hash(spec) if checkpoint is not None else ""
    x, dt, history, stages = None, None, [], []
    adapt = _adapts(setup)
    saved = _load_checkpoint_faces(Path(checkpoint), key, None) if resume and checkpoint is not None \
        and Path(checkpoint).is_file() else None
    if saved is not None and (saved[4] is not None) != adapt:
        _foreign_checkpoint(checkpoint)
    if adapt and (saved is None or saved[4] == 0):          # the coarse stage (fresh or resumed)
        coarse = _coarse_setup(setup)
        x0, dt0, h0 = (None, None, []) if saved is None else saved[:3]
        if saved is not None and (x0.size != _unknowns(coarse, gst) or not np.allclose(saved[3], coarse.mesh.z_faces)):
            _foreign_checkpoint(checkpoint)
        st = _pseudo_transient(coarse, gst, x0, dt0, h0, max_it, checkpoint, key, z_faces=coarse.mesh.z_faces,
                               stage=0)
        if not st["converged"]:
            _not_converged(checkpoint, key, st["x"], st["dt"], st["history"], s.tolerance,
                           z_faces=coarse.mesh.z_faces, stage=0)
        stages.append({"mesh": list(coarse.mesh.shape), "steps": len(st["history"]),
                       "z_faces_m": coarse.mesh.z_faces.tolist()})
        setup = _regraded(setup, _adapted_z(coarse, st))
        _LOG.debug("coarse stage %s: %d steps; adapted z cells (mm): %s", coarse.mesh.shape, len(st["history"]),
                   np.array2string(setup.mesh.dz * 1e3, precision=2))
        # the adapted mesh starts from the global state's profile, as a plain run: the coarse
        # state interpolated to it (0.5 mm wafer cell against 6 mm) was further from its steady
        # state than that (scaled residual 4e5 against 1.5e5; 8 × 32 SF6/O2 stalled at Δt 5e-6)
    elif saved is not None:                                   # the adapted (stage 1) or the only mesh
        if saved[3] is not None:
            setup = _regraded(setup, saved[3])
        x, dt, history = saved[0], saved[1], saved[2]
        if x.size != _unknowns(setup, gst):
            _foreign_checkpoint(checkpoint)
    stage = 1 if adapt else None
    zf = setup.mesh.z_faces if adapt else None
    st = _pseudo_transient(setup, gst, x, dt, history, max_it, checkpoint, key, z_faces=zf, stage=stage)
    if not st["converged"]:
        _not_converged(checkpoint, key, st["x"], st["dt"], st["history"], s.tolerance, z_faces=zf, stage=stage)
    x, sysm, fl = st["x"], st["sysm"], st["flow"]
    if st.get("fallback"):
        fb = st["fallback"]
        warnings.warn(f"reactor.fluid2d.ion_flux: the pressure form did not converge from the "
                      f"Scharfetter-Gummel steady state ({len(fb)} steps, residual {fb[0]:.2g} -> best "
                      f"{min(fb):.2g}, last {fb[-1]:.2g}); the result is the Scharfetter-Gummel steady state, "
                      f"whose wafer ion flux is over-estimated on coarse meshes (docs/reactor.md, 'Positive-ion "
                      f"face flux'); give ion_flux: scharfetter_gummel to skip the pressure stage",
                      RuntimeWarning, stacklevel=3)
    gm = setup.global_model
    history = st["history"]
    _, det = sysm.residual(x, details=True)
    n = det["n"]
    Te = det["Te"]
    T_g = np.array(sysm.T_g)
    gh = dict(det["gas_heat"])
    if gh:
        heat_in = gh["electrons_W"] + gh["ions_W"]
        gh["residual"] = (heat_in - gh["walls_W"]) / max(heat_in, 1e-300)
    lnne = np.log(det["n_e"])
    G_w = det["wall_flux"][1]
    m_pos = gm.mass[gm.pos]
    from ..sheath import plasma_potential

    w = G_w[gm.pos] / np.maximum(G_w[gm.pos].sum(axis=0), 1e-300)
    m_eff = (w * m_pos[:, None]).sum(axis=0)
    n_s = G_w[gm.pos].sum(axis=0) / np.sqrt(EV * Te[:, 0] / m_eff)
    V_p = plasma_potential(Te[:, 0], m_eff)
    phi = Te * (lnne - np.log(np.maximum(n_s, 1e-300))[:, None]) + V_p[:, None]
    _check_skin_depth(setup, det)
    steps = _check_sheath_edge(setup, det, sysm, x, gst=gst, max_it=max_it)
    assert sysm.power is not None                 # set_state() in the iteration
    res = MultiResult(setup=setup, names=gm.names, n=n, n_e=det["n_e"], T_e=Te, theta=det["theta"],
                      power=sysm.power, T_gas=T_g, n_gas=n[gm.neu].sum(axis=0), phi=phi, flow=fl,
                      wall_flux=tuple(det["wall_flux"]), element_balance={}, buried=det["buried"],
                      residual_history=tuple(history), iterations=len(history),
                      seconds=time.perf_counter() - t0, global_state=gst, reynolds=st["reynolds"],
                      knudsen=st["knudsen"], x=x, gas_heat=gh, potential_steps=steps,
                      stages=tuple(stages), ion_flux=sysm.ion_flux,
                      ion_flux_fallback=tuple(st.get("fallback") or ()))
    return _with_balance(res, sysm)


def _unknowns(setup, gst) -> int:
    return int(_pseudo_transient(setup, gst, None, None, [], 0, None, "", size_only=True))


def _foreign_checkpoint(checkpoint) -> None:
    from ...errors import RecipeError

    raise RecipeError(f"the checkpoint {str(checkpoint)!r} was written by another reactor recipe or mesh; "
                      f"remove it or run without --resume", path="--resume")


# Fewest z cells that ``adapt: auto`` regrades (the coarse stage takes half of them).
ADAPT_MIN_NZ = 16


def _adapts(setup) -> bool:
    """``mesh.adapt``: true, or "auto": an electronegative chemistry on a graded
    mesh of at least ADAPT_MIN_NZ cells in z whose nz cells can grade from the wafer cell and the
    top cell within ADAPT_GROWTH (otherwise a RuntimeWarning and the fixed grading; with
    ``adapt: true`` a RecipeError naming ``mesh.nz``)."""
    m = setup.settings.mesh
    if m.adapt is False or (m.adapt == "auto" and not (m.graded and m.nz >= ADAPT_MIN_NZ
                                                        and setup.global_model.neg.size > 0)):
        return False
    L = setup.spec.chamber.length
    h0 = m.wafer_cell if m.wafer_cell is not None else ADAPT_WAFER_CELL
    try:
        equidistributed_faces(np.array([0.0, L]), np.zeros(2), L, m.nz, h0, float(setup.mesh.dz[-1]),
                              samples=1001)
    except ValueError as e:
        if m.adapt is True:
            from ...errors import RecipeError
            raise RecipeError(f"mesh.adapt: {e}; give more cells (nz) or a coarser wafer_cell",
                              path="reactor.fluid2d.mesh.nz", value=m.nz) from None
        warnings.warn(f"reactor.fluid2d.mesh: adapt: auto is off: {e}; the fixed grading is used "
                      f"(give more cells in z for the adaptive grading)", RuntimeWarning, stacklevel=4)
        return False
    return True


def _coarse_setup(setup):
    """The first stage's mesh: half the cells in r and in z (at least 4 and 8), graded as
    the default mesh (:func:`.model.plasma_faces`) with the same window cell."""
    from .model import plasma_faces

    s, spec = setup.settings, setup.spec
    nr, nz = max(4, (s.mesh.nr + 1) // 2), max(8, (s.mesh.nz + 1) // 2)
    cs = s.model_copy(update={"mesh": s.mesh.model_copy(update={"nr": nr, "nz": nz, "wafer_cell": None})})
    cyl = s.coil.type == "cylindrical"
    h_w = float(setup.mesh.dr[-1] if cyl else setup.mesh.dz[-1])
    rf, zf = plasma_faces(cs, spec.chamber.radius, spec.chamber.length, h_w)
    return with_mesh(setup, rf, zf)


def _adapted_z(coarse, st) -> tuple[np.ndarray, np.ndarray, float]:
    """z faces of the final mesh from the coarse steady state (:mod:`.adapt`): the potential
    monitor over the wafer columns, the wafer cell ``mesh.wafer_cell`` (default
    ADAPT_WAFER_CELL), the top cell of the default mesh."""
    s, spec = coarse.settings, coarse.spec
    m = coarse.mesh
    _, det = st["sysm"].residual(st["x"], details=True)
    r_w = spec.chamber.wafer_radius if spec.chamber.wafer_radius is not None else spec.chamber.radius
    cols = m.r_faces[:-1] < r_w
    z, mon = potential_monitor(m, det["n_e"], det["Te"], st["sysm"].T_i, cols)
    _LOG.debug("monitor (z mm, |dphi/dz|/T_i per mm): %s", np.array2string(np.c_[z * 1e3, mon * 1e-3], precision=2))
    h0 = s.mesh.wafer_cell if s.mesh.wafer_cell is not None else ADAPT_WAFER_CELL
    return z, mon, h0


def _regraded(setup, z_info):
    """``setup`` on the adapted z faces (``z_info``: the faces, or (z, monitor, wafer cell))."""
    if isinstance(z_info, tuple):
        z, mon, h0 = z_info
        s = setup.settings
        h_top = float(setup.mesh.dz[-1])
        L = setup.spec.chamber.length
        try:
            faces = equidistributed_faces(z, mon, L, s.mesh.nz, h0, h_top)
        except ValueError as e:
            from ...errors import RecipeError
            raise RecipeError(f"mesh.adapt: {e}; give more cells (nz) or a coarser wafer_cell",
                              path="reactor.fluid2d.mesh.nz", value=s.mesh.nz) from None
    else:
        faces = np.asarray(z_info, float)
    return with_mesh(setup, setup.mesh.r_faces, faces)


def _with_balance(res: MultiResult, sysm: SpeciesSystem) -> MultiResult:
    """Element balance (fed − pumped − buried)/fed of every element fed."""
    gm = res.setup.global_model
    E = gm.elem_matrix
    fed = E @ gm.feed
    pumped = E @ ((sysm.pump_flow[None] * res.n * (gm.z == 0)[:, None, None]).sum(axis=(1, 2)))
    out = {}
    for k, el in enumerate(gm.elements):
        if fed[k] > 0:
            out[el] = float((fed[k] - pumped[k] - res.buried[k]) / fed[k])
    return MultiResult(**{**res.__dict__, "element_balance": out})


def _check_skin_depth(setup, det) -> None:
    cyl = setup.settings.coil.type == "cylindrical"
    layer = np.s_[-1, :] if cyl else np.s_[:, -1]
    ne = det["n_e"][layer]
    k = int(np.argmax(ne))
    delta = skin_depth(float(ne[k]), float(det["nu_m"][layer][k]), setup.omega)
    h_w = float(setup.mesh.dr[-1] if cyl else setup.mesh.dz[-1])
    if h_w > delta / 3:
        warnings.warn(f"reactor.fluid2d.mesh: the window cell {h_w * 1e3:.3g} mm resolves the skin depth "
                      f"of the solution, {delta * 1e3:.3g} mm, with fewer than 3 cells; give window_cell <= "
                      f"{delta / 4 * 1e3:.3g} mm", RuntimeWarning, stacklevel=3)


# Largest error of the wafer ion flux that the sheath-edge check accepts (the 5 % on the
# wafer fluxes): with SG the excess of its flux through the first interior face above the wafer
# over the exact edge-layer flux; with the pressure form Richardson's estimate of its r error.
WAFER_EXCESS = 0.05


def _check_sheath_edge(setup, det, sysm: SpeciesSystem, x, *, gst=None, max_it: int = 0) -> dict:
    """Potential steps per cell (:func:`.species.potential_steps`), the excess of the ion flux
    (the scheme in use, ``ion_flux``) through the first interior face above the wafer over the
    flux of the edge layer with Boltzmann negative ions
    (:meth:`.species.SpeciesSystem.first_face_excess`) and, with the pressure form, the estimate
    of its own error, in r (:func:`.rcheck.r_error`: a second solve on half the columns).  A
    RuntimeWarning with the numbers when the error of the scheme in use is above WAFER_EXCESS on
    a wafer column: with SG the first-face excess (the sheath edge's layer is not resolved by
    the wafer cells); with the pressure form, which is exact through that layer (its first-face
    "excess" is only what the negative ions' own SG flux adds, +31 % on the SF6/O2 example whose
    wafer ion flux is −1.4 % from the mesh limit), the r estimate."""
    spec, m = setup.spec, setup.mesh
    r_w = spec.chamber.wafer_radius if spec.chamber.wafer_radius is not None else spec.chamber.radius
    wafer = m.r_faces[:-1] < r_w
    ps = potential_steps(m, det["n_e"], det["Te"], sysm.T_i, wafer)
    exc = np.where(wafer, sysm.first_face_excess(x), -np.inf)
    k = int(np.argmax(exc))
    ps["wafer_face_excess"], ps["wafer_face_excess_r_m"] = float(exc[k]), float(m.r[k])
    ps["ion_flux"] = sysm.ion_flux
    if sysm.ion_flux == "pressure":
        from .rcheck import r_error

        G_w = det["wall_flux"][1][setup.global_model.pos].sum(axis=0)
        ps.update(r_error(setup, gst, x, G_w, max_it=max(max_it, 1)))
        _warn_mesh_error(ps, "r", 2, m.nr, stacklevel=4)
        _check_z(setup, gst, x, G_w, max(max_it, 1), ps)
        return ps
    if exc[k] > WAFER_EXCESS:
        alpha = sysm.alpha_of(det["n"][:, k, :2], det["n_e"][k, :2])
        warnings.warn(f"reactor.fluid2d.mesh: the sheath edge above the wafer is not resolved: at r = "
                      f"{m.r[k] * 1e3:.0f} mm the ion flux from the second cell into the wafer cell "
                      f"({m.dz[0] * 1e3:.3g} mm) is {exc[k] * 100:.0f} % above the flux of the edge layer with "
                      f"Boltzmann negative ions through the same two cells (ion_flux: {sysm.ion_flux}; "
                      f"potential step {ps['wafer']:.2g} T_i, T_i = {sysm.T_i:.3g} eV; "
                      f"n_-/n_e {alpha[0]:.2g} -> {alpha[1]:.2g}), so the wafer ion flux is over-estimated; "
                      f"give a finer wafer_cell and check the wafer fluxes on two meshes.  Largest step in the "
                      f"plasma: {ps['max']:.3g} T_i at r = {ps['max_r_m'] * 1e3:.0f} mm, z = "
                      f"{ps['max_z_m'] * 1e3:.0f} mm", RuntimeWarning, stacklevel=3)
    return ps


def _check_z(setup, gst, x, G_w, max_it: int, ps: dict) -> None:
    """The pressure form's z error estimate (:func:`.rcheck.z_error`: a second solve on every other
    z face) into ``ps``; a RuntimeWarning when it is above WAFER_EXCESS or could not be made."""
    from .rcheck import ORDER_Z, z_error

    ps.update(z_error(setup, gst, x, G_w, max_it=max_it))
    _warn_mesh_error(ps, "z", ORDER_Z, setup.mesh.nz, stacklevel=5)


def _warn_mesh_error(ps: dict, axis: str, order: float, n_fine: int, *, stacklevel: int) -> None:
    """The RuntimeWarning of the pressure form's ``axis`` ("r" or "z") error estimate in ``ps``
    (:mod:`.rcheck`): when it could not be made, or when it is above WAFER_EXCESS."""
    cells, key = ("columns", "mesh.nr") if axis == "r" else ("rows", "mesh.nz")
    e = ps[f"{axis}_error"]
    if e is None:
        warnings.warn(f"reactor.fluid2d.mesh: the {axis} error of the wafer ion flux (ion_flux: pressure) could "
                      f"not be estimated: {ps[f'{axis}_error_note']}; check the wafer fluxes on two meshes",
                      RuntimeWarning, stacklevel=stacklevel)
    elif e > WAFER_EXCESS:
        coarse = ps[f"{axis}_error_coarse_mesh"][0 if axis == "r" else 1]
        warnings.warn(f"reactor.fluid2d.mesh: the wafer ion flux (ion_flux: pressure) has an estimated {axis} "
                      f"discretisation error of {e * 100:.1f} % at r = {ps[f'{axis}_error_r_m'] * 1e3:.0f} mm "
                      f"(grid convergence index: 1.25 x Richardson's, order {order:g}, from a second solve on "
                      f"{coarse} {cells} instead of {n_fine}; centre {ps[f'{axis}_error_centre'] * 100:+.1f} %), "
                      f"above {WAFER_EXCESS * 100:.0f} %; give more {cells} ({key})", RuntimeWarning,
                      stacklevel=stacklevel)
