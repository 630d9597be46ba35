"""The coupled steady state of the 2D ICP model: coil field, plasma transport, gas heat.

Each pseudo-transient step (i) solves the coil field E_θ for the current n_e, T_e and scales
the power density ½Re(σ)|E_θ|² to the absorbed power P of the recipe, (ii) every few steps
solves the gas temperature with the heating of the electrons and ions and sets
n_g = p/(k_B T_g), (iii) takes one Newton step of pseudo-transient continuation,

    (M/Δt − J) δx = F(x),   Δt_{k+1} = Δt_k · clamp(‖F_{k−1}‖/‖F_k‖, ½, 4)

(switched evolution relaxation; Mulder & van Leer 1985, Kelley & Keyes 1998), M = diag(1,
3/2) for (ln n, T_e).  The start is the global model's T_e and the J0·sin density mode at
its centre density.  Converged when the scaled residual max-norm (F divided by n V and by
the global model's ionisation frequency ν_ref; by ν_ref T_e for the energy) is below the
tolerance; otherwise a :class:`SimulationError` lists the residual history.
"""
from __future__ import annotations

import hashlib
import json
import math
import time
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.special import j0

from ...constants import EV, K_B, PI
from ...errors import RecipeError, SimulationError
from ...io.atomic import atomic_path
from ..global_model import GlobalModel, SteadyState
from ..sheath import plasma_potential
from ..spec import ReactorSpec
from ..state import build_model, resolve_chemistry
from .em import conductivity, skin_depth, solve_field
from .mesh import FieldAverages, Mesh, graded_faces, max_growth, stretched_faces
from .neutral import ARGON_CONDUCTIVITY, gas_temperature
from .spec import Fluid2DSpec
from .transport import PlasmaCoefficients, TransportResidual, gas_density

if TYPE_CHECKING:
    from .multi import MultiResult

__all__ = ["Fluid2DSetup", "Fluid2DResult", "build", "plasma_coefficients", "solve_fluid2d", "spec_hash",
           "is_electropositive", "global_collision_frequency", "plasma_faces",
           "MAX_GROWTH", "residual_history_text"]


@dataclass(frozen=True, kw_only=True)
class Fluid2DSetup:
    """Meshes, coil and coefficients of one recipe (immutable)."""

    spec: ReactorSpec
    settings: Fluid2DSpec
    global_model: GlobalModel
    coef: PlasmaCoefficients | None     # None: the multi-species model of .species
    mesh: Mesh                   # plasma region z ∈ [0, L] (wafer at z = 0, window at z = L)
    em_mesh: Mesh                # plasma + window + air up to the lid (or the outer shield)
    eps_r: np.ndarray            # relative permittivity on the EM mesh
    coil: tuple[tuple[float, float], ...]
    omega: float
    skin_depth_m: float
    neutral: str


@dataclass(frozen=True, kw_only=True)
class Fluid2DResult(FieldAverages):
    """Steady fields (shape (nr, nz) on ``setup.mesh``; SI, T_e in eV) and diagnostics."""

    setup: Fluid2DSetup
    n_e: np.ndarray
    T_e: np.ndarray
    power: np.ndarray
    T_gas: np.ndarray
    n_gas: np.ndarray
    phi: np.ndarray
    wafer_r: np.ndarray
    ion_flux_wafer: np.ndarray
    T_e_wafer: np.ndarray
    wall_flux: dict
    residual_history: tuple[float, ...]
    iterations: int
    seconds: float
    global_state: SteadyState | None = field(repr=False, default=None)


def plasma_coefficients(gm: GlobalModel) -> PlasmaCoefficients:
    """Per-electron rates from the chemistry file's T_e fits (via the compiled global model):
    ν_iz = Σ s_e k n_g, energy loss Σ k n_g (E_r + 3m_e/M T_e elastic), ν_m = Σ_elastic k n_g.
    Needs one positive ion, no negative ion and one neutral gas."""
    if gm.pos.size != 1 or gm.neg.size or gm.neu.size != 1:
        names = ", ".join(gm.names)
        raise RecipeError(f"reactor.model = 'fluid2d' handles an electropositive plasma of one gas "
                          f"and one positive ion (argon); chemistry {gm.chem.name!r} has {names}",
                          path="reactor.model", value="fluid2d")
    e_rx = np.array(["e" in r.reactants for r in gm.chem.reactions])
    s_e = gm.s_e * e_rx
    loss, el = gm.rx_loss * e_rx, gm.rx_elastic * e_rx
    elastic = np.array([r.elastic for r in gm.chem.reactions]) & e_rx

    def rates(Te, ng):
        shape = np.shape(Te)
        ngf = np.broadcast_to(ng, shape).ravel()
        k = gm.rate_coefficients(np.ravel(Te), ngf) * ngf[None, :]
        Tf = np.ravel(Te)
        return ((s_e @ k).reshape(shape), (loss @ k + (el @ k) * Tf).reshape(shape),
                np.maximum(elastic @ k, 1.0).reshape(shape))

    i = int(gm.pos[0])
    return PlasmaCoefficients(m_i=float(gm.mass[i]), sigma_i=float(gm.sigma[i]),
                              T_i_eV=float(gm.T_ion_eV), rates=rates)


def is_electropositive(gm: GlobalModel) -> bool:
    """One positive ion, no negative ion, one neutral: the argon-type model of :mod:`.transport`."""
    return gm.pos.size == 1 and not gm.neg.size and gm.neu.size == 1 and not gm.Ns


def global_collision_frequency(gm: GlobalModel, st) -> float:
    """Electron momentum-transfer frequency ν_m (s⁻¹) of the global state: Σ k_el n_target
    over the chemistry's elastic electron reactions."""
    ng = float(st.n[gm.neu].sum())
    k = gm.rate_coefficients(np.array([st.T_e]), np.array([ng]))[:, 0]
    nu = 0.0
    for r_i, r in enumerate(gm.chem.reactions):
        if r.elastic and "e" in r.reactants:
            target = [x for x in r.reactants if x not in ("e", "M")][0]
            nu += k[r_i] * st.n[gm.index[target]]
    return max(float(nu), 1.0)


def _main_neutral(spec, gm, st) -> str:
    """The neutral to show on the maps: the most abundant atomic radical, else the densest
    neutral of the global state."""
    neu = [int(i) for i in gm.neu]
    atoms = [i for i in neu if sum(gm.composition[i].values()) == 1 and gm.names[i] not in spec.gases]
    pick = atoms or neu
    return gm.names[max(pick, key=lambda i: st.n[i])]


# Largest ratio of neighbouring cells a graded mesh may have: the two-point flux stays second
# order on smooth stretchings, but its error constant grows with the ratio (Ferziger & Perić,
# *Computational Methods for Fluid Dynamics*, 3rd ed., 2002, §3.3.3); 1.6 admits the coarsest
# mesh of the convergence study (12 × 16, end cells a quarter of the uniform cell: 1.50).
MAX_GROWTH = 1.6


def _window_graded(m, cyl: bool, R: float, L: float, h_window: float) -> tuple[np.ndarray, np.ndarray]:
    """Geometric grading towards the window only, uniform elsewhere (``graded: false``)."""
    n_win, l_win = (m.nr, R) if cyl else (m.nz, L)
    faces = graded_faces(l_win, n_win, h_window, at="max")
    if (np.diff(faces)[-1] > 1.5 * h_window) or faces[1] - faces[0] > l_win / 2:
        key = "nr" if cyl else "nz"
        raise RecipeError(f"{key} = {n_win} cells cannot grade from {h_window * 1e3:.3g} mm at the window "
                          f"over {l_win:g} m", path=f"reactor.fluid2d.mesh.{key}", value=n_win)
    other = np.linspace(0.0, L if cyl else R, (m.nz if cyl else m.nr) + 1)
    return (faces, other) if cyl else (other, faces)


def plasma_faces(s: Fluid2DSpec, R: float, L: float, h_window: float) -> tuple[np.ndarray, np.ndarray]:
    """(r_faces, z_faces) of the plasma mesh.  ``mesh.graded`` (default): z graded towards the
    wafer (first cell ``wafer_cell``, default ``WAFER_FRACTION`` L/nz) and towards the window
    (``h_window``) by Vinokur's stretching, r uniform unless ``wall_cell`` grades it towards
    the side wall (uniform r keeps the coil field second order: on an r-stretched mesh its
    observed order is 1.7); a cylindrical coil grades r towards its dielectric tube instead
    and z towards the wafer and the lid (``wall_cell``, default ``WALL_FRACTION`` L/nz).
    ``graded: false``: the geometric grading towards the
    window of earlier versions, uniform elsewhere.  RecipeError naming the field when a cell is
    not finer than the uniform one or neighbouring cells differ by more than MAX_GROWTH."""
    from .spec import WAFER_FRACTION, WALL_FRACTION

    m, cyl = s.mesh, s.coil.type == "cylindrical"
    if not m.graded:
        return _window_graded(m, cyl, R, L, h_window)
    h_uz, h_ur = L / m.nz, R / m.nr
    h_u_wall = h_uz if cyl else h_ur
    for key, h, h_u, what in (("wafer_cell", m.wafer_cell, h_uz, "L/nz"),
                              ("wall_cell", m.wall_cell, h_u_wall, "L/nz" if cyl else "R/nr")):
        if h is not None and h > h_u * (1 + 1e-9):
            raise RecipeError(f"{key} = {h * 1e3:.4g} mm is not finer than the uniform cell {what} = "
                              f"{h_u * 1e3:.4g} mm; give a smaller cell or more cells",
                              path=f"reactor.fluid2d.mesh.{key}", value=h)
    # defaults: the fractions of the convergence study, relaxed on coarse meshes until
    # neighbouring cells stay within MAX_GROWTH (given cells are never changed)
    for relax in (1.0, 1.2, 1.6, 2.0, 2.8, 4.0):
        h_waf = m.wafer_cell if m.wafer_cell is not None else min(WAFER_FRACTION * relax, 1.0) * h_uz
        h_wall = m.wall_cell if m.wall_cell is not None else min(WALL_FRACTION * relax, 1.0) * h_u_wall
        if cyl:
            r_faces = stretched_faces(R, m.nr, None, h_window)
            z_faces = stretched_faces(L, m.nz, h_waf, h_wall)
        else:
            r_faces = stretched_faces(R, m.nr, None, h_wall) if m.wall_cell is not None else \
                np.linspace(0.0, R, m.nr + 1)
            z_faces = stretched_faces(L, m.nz, h_waf, h_window)
        growth = {"nr": max_growth(r_faces), "nz": max_growth(z_faces)}
        if max(growth.values()) <= MAX_GROWTH:
            break
    if max(growth.values()) > MAX_GROWTH and m.wafer_cell is None and m.wall_cell is None:
        return _window_graded(m, cyl, R, L, h_window)      # too few cells to grade: as before
    for key, n in (("nr", m.nr), ("nz", m.nz)):
        if growth[key] > MAX_GROWTH:
            raise RecipeError(f"{key} = {n} cells grade to the finest cells (wafer {h_waf * 1e3:.3g} mm, window "
                              f"{h_window * 1e3:.3g} mm, wall {h_wall * 1e3:.3g} mm) with neighbouring cells up to "
                              f"{growth[key]:.2f} x apart (allowed {MAX_GROWTH}); give more cells or coarser end cells",
                              path=f"reactor.fluid2d.mesh.{key}", value=n)
    return r_faces, z_faces


def build(spec: ReactorSpec, *, global_state: SteadyState | None = None,
          multi: bool = False) -> tuple[Fluid2DSetup, SteadyState]:
    """Check the recipe against the chamber and build the meshes (RecipeError naming the field)."""
    s = spec.fluid2d or Fluid2DSpec()
    R, L = spec.chamber.radius, spec.chamber.length
    if spec.source.type != "icp":
        raise RecipeError("this is the ICP solver; source.type = 'ccp' is solved by "
                          "waferlab.reactor.fluid2d.ccp.solve_ccp", path="reactor.source.type", value=spec.source.type)
    if s.ccp is not None:
        raise RecipeError("fluid2d.ccp settings need source.type: ccp", path="reactor.fluid2d.ccp")
    if spec.loading:
        raise RecipeError("extra sinks (loading) are not in model fluid2d; remove them or use model: global",
                          path="reactor.loading")
    if spec.chamber.neutral_volume is not None:
        raise RecipeError("model fluid2d meshes the chamber cylinder itself (gas flow from the inlet to the "
                          "pump); remove chamber.neutral_volume or use model: global",
                          path="reactor.chamber.neutral_volume")
    if spec.chamber.wafer_radius is not None and spec.chamber.wafer_radius > R:
        raise RecipeError(f"wafer_radius = {spec.chamber.wafer_radius:g} m is larger than the chamber "
                          f"radius {R:g} m", path="reactor.chamber.wafer_radius")
    cyl = s.coil.type == "cylindrical"
    if cyl:
        if s.coil.radii is not None:
            raise RecipeError("a cylindrical coil is placed by heights, not radii", path="reactor.fluid2d.coil.radii")
        places = tuple(s.coil.heights) if s.coil.heights is not None else tuple(L * f for f in (0.3, 0.5, 0.7))
        bound, what = L, "heights"
    else:
        if s.coil.heights is not None:
            raise RecipeError("a planar coil is placed by radii, not heights", path="reactor.fluid2d.coil.heights")
        places = tuple(s.coil.radii) if s.coil.radii is not None else tuple(R * f for f in (0.25, 0.5, 0.75))
        bound, what = R, "radii"
    for k, x in enumerate(places):
        if not 0 < x < bound:
            raise RecipeError(f"coil turn at {'z' if cyl else 'r'} = {x:g} m is outside the chamber (0, {bound:g} m)",
                              path=f"reactor.fluid2d.coil.{what}[{k}]", value=x)
    chem = resolve_chemistry(spec)
    gm = build_model(spec, chem)
    ion_surface = sorted({r.gas for r in chem.surface_reactions if r.gas in {x.name for x in chem.species
                                                                               if x.charge > 0}})
    if ion_surface:
        raise RecipeError(f"reactor.model = 'fluid2d' has no ion-surface reactions (chemistry {chem.name!r}: "
                          f"{', '.join(ion_surface)} react with the wall sites); use model: global or a "
                          f"chemistry whose ions return as neutrals (e.g. sf6o2)", path="reactor.chemistry",
                          value=chem.name)
    coef = plasma_coefficients(gm) if is_electropositive(gm) and not multi else None
    if coef is not None:        # ICP: ion inertia in the drift (validation.presheath; the CCP keeps the drift law)
        # and the gas temperature in the drag's thermal speed: the ions' field-driven motion is
        # the drift term π|u|/2 itself, so the global model's T_i (Lee & Lieberman 1995, which
        # includes that heating) would count it twice (bench/results/gcons_s17.md)
        coef = replace(coef, ion_inertia=True, T_i_eV=K_B * spec.gas_temperature / EV)
    if global_state is None:
        global_state = gm.steady_state()
    omega = 2 * PI * s.coil.frequency
    if coef is not None:
        _, _, nu_m_arr = coef.rates(np.array([global_state.T_e]), np.array([gm.n_g0]))
        nu_m = float(nu_m_arr[0])
    else:
        nu_m = global_collision_frequency(gm, global_state)
    n_ref = gm.centre_density(global_state)          # the start's peak density
    delta = skin_depth(n_ref, nu_m, omega)
    n_side = s.mesh.nr if cyl else s.mesh.nz
    from .spec import WAFER_FRACTION

    # default window cell: a quarter of the skin depth, and on the graded mesh at most the
    # wafer end's fraction of the uniform cell (one mapping for every nz, see plasma_faces)
    h_u = (R if cyl else L) / n_side * (WAFER_FRACTION if s.mesh.graded else 1.0)
    h_w = s.mesh.window_cell if s.mesh.window_cell is not None else min(delta / 4, h_u)
    if h_w > delta / 1.5:
        raise RecipeError(f"the finest cell at the window, {h_w * 1e3:.3g} mm, cannot resolve the "
                          f"skin depth {delta * 1e3:.3g} mm (global-model centre n_e = {n_ref:.3g} m^-3); "
                          f"give window_cell <= {delta / 3 * 1e3:.3g} mm",
                          path="reactor.fluid2d.mesh.window_cell", value=h_w)
    if h_w > delta / 3:
        warnings.warn(f"reactor.fluid2d.mesh: window cell {h_w * 1e3:.3g} mm resolves the skin depth "
                      f"{delta * 1e3:.3g} mm with fewer than 3 cells", RuntimeWarning, stacklevel=2)
    r_faces, z_faces = plasma_faces(s, R, L, h_w)
    faces = r_faces if cyl else z_faces
    # EM region beyond the window (4 cells): air to the coil and as far again to the metal
    t_w, h_c = s.window.thickness, s.coil.height
    n_w = 4
    n_a = max(4, int(math.ceil(2 * h_c / (t_w / n_w))))
    outer = np.concatenate([np.linspace(0, t_w, n_w + 1)[1:], t_w + np.linspace(0, 2 * h_c, n_a + 1)[1:]])
    if cyl:                                        # dielectric tube on the side wall, metal lid on top
        mesh = Mesh(r_faces, z_faces)
        em_mesh = Mesh(np.concatenate([faces, R + outer]), mesh.z_faces)
        eps = np.ones(em_mesh.shape)
        eps[mesh.nr: mesh.nr + n_w, :] = s.window.permittivity
        coil = tuple((R + t_w + h_c, float(zk)) for zk in places)
    else:                                          # dielectric window on top
        mesh = Mesh(r_faces, z_faces)
        em_mesh = Mesh(mesh.r_faces, np.concatenate([faces, L + outer]))
        eps = np.ones(em_mesh.shape)
        eps[:, mesh.nz: mesh.nz + n_w] = s.window.permittivity
        coil = tuple((float(rk), L + t_w + h_c) for rk in places)
    neutral = gm.names[int(gm.neu[0])] if coef is not None else _main_neutral(spec, gm, global_state)
    setup = Fluid2DSetup(spec=spec, settings=s, global_model=gm, coef=coef, mesh=mesh, em_mesh=em_mesh,
                         eps_r=eps, coil=coil, omega=omega, skin_depth_m=delta, neutral=neutral)
    return setup, global_state


def _power(setup: Fluid2DSetup, n, Te, n_g):
    """Power density (W/m³) on the plasma mesh, scaled to the absorbed power."""
    m, em = setup.mesh, setup.em_mesh
    assert setup.coef is not None                 # the single-ion model only
    _, _, nu_m = setup.coef.rates(Te, n_g)
    sig = np.zeros(em.shape, complex)
    sig[: m.nr, : m.nz] = conductivity(n, nu_m, setup.omega)
    f = solve_field(em, sig, setup.omega, eps_r=setup.eps_r, coil=setup.coil)
    p = f.power_density()[: m.nr, : m.nz]
    return p * setup.spec.source.power / (p * m.volume).sum()


def _walls(spec: ReactorSpec) -> dict:
    Tw = spec.gas_temperature
    Twaf = spec.wafer_temperature if spec.wafer_temperature is not None else Tw
    return {"r_max": Tw, "z_min": Twaf, "z_max": Tw}


def spec_hash(spec: ReactorSpec) -> str:
    """Hash of what fixes the solution (the iteration limit and tolerance are left out, so a
    checkpoint of a stopped run resumes with more iterations)."""
    data = spec.model_dump(mode="json")
    f2 = dict(data.get("fluid2d") or {})
    f2.pop("max_iterations", None)
    f2.pop("tolerance", None)
    data["fluid2d"] = f2
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def _not_converged(checkpoint, key: str, x, dt, history: list, tolerance: float, *, z_faces=None,
                   stage: int | None = None) -> None:
    """Save the last finite state (for --resume) and raise the SimulationError that shows
    the residual history."""
    if checkpoint is not None and np.all(np.isfinite(x)):
        _save_checkpoint(Path(checkpoint), key, x, dt, history, z_faces=z_faces, stage=stage)
    shown = residual_history_text(history)
    raise SimulationError(f"fluid2d did not reach a steady state in {len(history)} pseudo-time steps "
                          f"(tolerance {tolerance:g}); scaled residual history: {shown}")


def residual_history_text(history: list) -> str:
    """The residual history for an error message: every value when there are at most 11,
    else the first 3 and the last 8 (no value shown twice)."""
    if len(history) <= 11:
        return ", ".join(f"{h:.2e}" for h in history)
    return ", ".join(f"{h:.2e}" for h in history[:3]) + " ... " + \
        ", ".join(f"{h:.2e}" for h in history[-8:])


def _save_checkpoint(path: Path, key: str, x, dt, history, *, z_faces=None, stage: int | None = None) -> None:
    """The iterate for --resume (with ``mesh.adapt`` also its z faces and its stage: 0 the
    coarse solve, 1 the adapted mesh)."""
    arrays = {"x": x, "dt": np.array(dt), "history": np.array(history), "key": np.array(key)}
    if z_faces is not None:
        arrays["z_faces"] = np.asarray(z_faces)
    if stage is not None:
        arrays["stage"] = np.array(stage)
    with atomic_path(path, suffix=".npz") as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)


def _load_checkpoint(path: Path, key: str, size: int | None):
    """(x, dt, history); RecipeError when the recipe (or, with ``size``, the number of
    unknowns) differs."""
    return _load_checkpoint_faces(path, key, size)[:3]


def _load_checkpoint_faces(path: Path, key: str, size: int | None):
    """(x, dt, history, z faces or None, stage or None) (:func:`_load_checkpoint`,
    :func:`_save_checkpoint`)."""
    with np.load(path, allow_pickle=False) as d:
        if str(d["key"]) != key or (size is not None and d["x"].size != size):
            raise RecipeError(f"the checkpoint {str(path)!r} was written by another reactor recipe or mesh; "
                              f"remove it or run without --resume", path="--resume")
        zf = d["z_faces"].copy() if "z_faces" in d else None
        stage = int(d["stage"]) if "stage" in d else None
        return d["x"].copy(), float(d["dt"]), [float(h) for h in d["history"]], zf, stage


def solve_fluid2d(spec: ReactorSpec, *, global_state: SteadyState | None = None,
                  max_iterations: int | None = None, checkpoint: Path | None = None, resume: bool = False,
                  multi: bool = False) -> Fluid2DResult | MultiResult:
    """Steady state of the 2D model (see the module docstring).  With ``checkpoint`` the
    iterate is saved there every 5 steps and when the run stops; ``resume`` continues from
    it (same recipe and mesh; the iteration limit and tolerance may differ).  Chemistries with
    several species (negative ions, several neutrals, wall coverages) go to :mod:`.multi`;
    ``multi`` sends an argon recipe there too (a consistency check of the two models)."""
    t0 = time.perf_counter()
    setup, gst = build(spec, global_state=global_state, multi=multi)
    if setup.coef is None:                              # electronegative / several species
        from .multi import solve_multi

        return solve_multi(setup, gst, t0=t0, max_iterations=max_iterations, checkpoint=checkpoint,
                           resume=resume)
    s, m, gm = setup.settings, setup.mesh, setup.global_model
    max_it = max_iterations or s.max_iterations
    nr, nz = m.shape
    N = m.size
    assert setup.coef is not None                 # build() sets it unless the model is multi
    tr = TransportResidual(m, setup.coef)
    T_g = np.full(m.shape, spec.gas_temperature)
    n_g = gas_density(spec.pressure, T_g)
    R, L = spec.chamber.radius, spec.chamber.length
    shape0 = np.maximum(j0(2.405 * m.r / R)[:, None] * np.sin(PI * m.z / L)[None, :], 0.05)
    x = np.concatenate([np.log(gm.centre_density(gst) * shape0).ravel(), np.full(N, gst.T_e)])
    nu_ref, _, _ = setup.coef.rates(np.array([gst.T_e]), np.array([gm.n_g0]))
    scale = np.concatenate([np.full(N, 1.0 / nu_ref[0]), np.full(N, 1.0 / (nu_ref[0] * gst.T_e))])
    M = sp.diags(np.concatenate([np.ones(N), np.full(N, 1.5)]))
    dt, prev, history = 10.0 / nu_ref[0], None, []
    key = spec_hash(spec) if checkpoint is not None else ""
    if resume and checkpoint is not None and Path(checkpoint).is_file():
        x, dt, history = _load_checkpoint(Path(checkpoint), key, x.size)
        prev = history[-1] if history else None
    for it in range(1, max_it + 1):
        if checkpoint is not None and it % 5 == 0:
            _save_checkpoint(Path(checkpoint), key, x, dt, history)
        lnn, Te = x[:N].reshape(nr, nz), x[N:].reshape(nr, nz)
        if s.gas_heating:
            tr.set_state(n_g, np.zeros(m.shape))
            Q = tr.gas_heating(lnn, Te, gm.mass[gm.neu[0]])
            T_g = gas_temperature(m, Q, _walls(spec), ARGON_CONDUCTIVITY)
            n_g = gas_density(spec.pressure, T_g)
        tr.set_state(n_g, _power(setup, np.exp(lnn), Te, n_g))
        f = tr.scaled(x)
        norm = float(np.max(np.abs(f * scale)))
        history.append(norm)
        if not np.isfinite(norm):
            break
        if norm < s.tolerance and len(history) > 1:
            break
        if prev is not None:
            dt *= min(max(prev / norm, 0.5), 4.0)
        prev = norm
        J = tr.jacobian(x, f)
        try:
            dx = spla.spsolve((M / dt - J).tocsc(), f)
        except RuntimeError:
            break
        dx[:N] = np.clip(dx[:N], -1.0, 1.0)
        dx[N:] = np.clip(dx[N:], -0.3 * x[N:], 0.3 * x[N:])
        x = x + dx
    else:
        it = max_it + 1
    if not (history and np.isfinite(history[-1]) and history[-1] < s.tolerance):
        _not_converged(checkpoint, key, x, dt, history, s.tolerance)
    lnn, Te = x[:N].reshape(nr, nz), x[N:].reshape(nr, nz)
    _, _, det = tr.evaluate(lnn, Te, details=True)
    layer = np.s_[-1, :] if s.coil.type == "cylindrical" else np.s_[:, -1]
    k = int(np.argmax(lnn[layer]))                     # skin depth where the window layer is densest
    delta = skin_depth(float(np.exp(lnn[layer][k])), float(det["nu_m"][layer][k]), setup.omega)
    h_w = float(m.dr[-1] if s.coil.type == "cylindrical" else m.dz[-1])
    if h_w > delta / 3:
        warnings.warn(f"reactor.fluid2d.mesh: the window cell {h_w * 1e3:.3g} mm resolves the skin depth "
                      f"of the solution, {delta * 1e3:.3g} mm, with fewer than 3 cells; give window_cell <= "
                      f"{delta / 4 * 1e3:.3g} mm", RuntimeWarning, stacklevel=2)
    n = np.exp(lnn)
    G, n_s = det["wall"]["z_min"]
    V_p = plasma_potential(Te[:, 0], setup.coef.m_i)
    phi = (Te * (lnn - np.log(n_s)[:, None]) + V_p[:, None])        # Boltzmann relation
    assert tr.power is not None                   # set_state() in the iteration
    return Fluid2DResult(setup=setup, n_e=n, T_e=Te, power=tr.power, T_gas=T_g, n_gas=n_g, phi=phi,
                         wafer_r=m.r, ion_flux_wafer=G, T_e_wafer=Te[:, 0],
                         wall_flux={k: v[0] for k, v in det["wall"].items()},
                         residual_history=tuple(history), iterations=len(history),
                         seconds=time.perf_counter() - t0, global_state=gst)

