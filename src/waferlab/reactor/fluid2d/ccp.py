"""The 2D (r, z) capacitively coupled parallel-plate reactor (``source.type: ccp`` with
``model: fluid2d``).

Geometry.  The powered electrode (radius R_e, holding the wafer) at z = 0, the grounded top
electrode at z = gap, the grounded side wall at r = R.  The RF sheaths (:mod:`.ccp_sheath`: the
project's sheath model for V̄, Lieberman's collisionless (1988) or collisional (1989) RF sheath
for the thickness s_m and the capacitance, the capacitive divider of the powered and grounded
areas for the self-bias) are boundary layers: the mesh covers the bulk
plasma between the sheath edges, z ∈ [s_m,bottom, gap − s_m,top] (the electrode-averaged
widths), and moves with them while the steady state is found.

Bulk.  The quasi-neutral transport of :mod:`.transport` (ions by drift–diffusion in the
ambipolar field of Boltzmann electrons, leaving at the Bohm speed; electron energy equation
with the chemistry's collisional losses) — with one change at the walls: an escaping pair
takes 2T_e + T_e/2 from the electrons (L&L 2005 §11.2); the ions' sheath energy e V̄ is given
by the RF source, not by the electrons.  Heating: ohmic ½|J|²m_eν_m/(e²n) of the RF current
between the powered and the grounded sheaths and stochastic S_stoc = ½m_e v̄_e J₁²/(e²n_s) in
the cells at each RF sheath's edge (electrodes; side wall with ``rf_return: chamber``), with the RF
amplitude set so that the discharge absorbs ``source.power`` (electrons + ions, or electrons
alone, ``fluid2d.ccp.power_absorbed_by``).

Electrons: Maxwellian (``reactor.eedf: maxwellian``, the default: the chemistry's T_e fits), or
the local mean-energy approximation with the two-term Boltzmann EEDF (``eedf: boltzmann``,
:mod:`.ccp_eedf`: every rate, the collision frequency and the Bohm temperature T_B read at the
local mean energy 3/2 T_e from tables of the Boltzmann solver; the ions leave at √(eT_B/m_i) and
take T_B/2 from the electrons in the presheath).

Steady state: pseudo-transient continuation with Newton steps (as :mod:`.model`), the power,
the sheaths and the bulk length updated before each step; converged when the scaled residual
is below the tolerance and the bulk length moved by less than 1e-7 of the gap.  The start is
the homogeneous CCP model (:func:`.ccp_sheath.homogeneous_ccp`), also the reference of the tests.
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.special import j0

from ...constants import EV, M_E, PI
from ...errors import RecipeError, SimulationError
from ..global_model import GlobalModel
from ..modes import EEDFModel
from ..sheath import plasma_potential
from ..sheath_rf import SeriesKappa
from ..spec import ReactorSpec
from ..state import build_model, resolve_chemistry
from .ccp_eedf import MeanEnergyTable, mean_energy_table
from .ccp_nonlocal import NonlocalEEDF
from .ccp_sheath import ColumnHeating, HomogeneousCCP, column_heating, h_factors, homogeneous_ccp
from .ccp_spec import CCPSettings
from .mesh import Mesh
from .model import (_load_checkpoint, _save_checkpoint, _walls, is_electropositive, plasma_coefficients,
                    residual_history_text, spec_hash)
from .neutral import ARGON_CONDUCTIVITY, gas_temperature
from .spec import Fluid2DSpec
from .ccp_xs import PHELPS_GASES, resolve_ion_cross_section
from .transport import PlasmaCoefficients, TransportResidual, gas_density

RELAX = 0.5            # under-relaxation of the heating and the bulk length between Newton steps

__all__ = ["CCPSetup", "CCPResult", "CCPTransport", "build_ccp", "solve_ccp", "bulk_mesh", "energy_channels"]


@dataclass(frozen=True, kw_only=True)
class CCPSetup:
    """What one CCP recipe fixes (``mesh``: the bulk mesh of the converged sheaths in a result)."""

    spec: ReactorSpec
    settings: Fluid2DSpec
    ccp: CCPSettings
    gap: float
    electrode_radius: float
    omega: float
    global_model: GlobalModel
    coef: PlasmaCoefficients
    reference: HomogeneousCCP
    mesh: Mesh
    neutral: str
    collisional: bool = False
    lambda_i: float = 0.0
    kappa: SeriesKappa | None = None
    ion_cross_section: str = "constant"
    eedf_table: MeanEnergyTable | None = None
    bohm_from_eedf: bool = True

    @property
    def bohm(self):
        """T_e ↦ the Bohm temperature T_B (eV) of the EEDF (``eedf: boltzmann``), None: T_B = T_e."""
        return self.eedf_table.bohm_temperature if self.eedf_table is not None and self.bohm_from_eedf else None

    @property
    def phelps(self) -> bool:
        """Phelps's energy-dependent Ar⁺/Ar cross sections in the ion Monte Carlo
        (``ion_cross_section: phelps``, the default for argon; :mod:`.ccp_xs`)."""
        return self.ion_cross_section == "phelps"

    @property
    def sheath_regime(self) -> str:
        """``collisional`` or ``collisionless`` (the RF sheath law in use)."""
        return "collisional" if self.collisional else "collisionless"

    @property
    def electrode(self) -> np.ndarray:
        """Columns above the powered electrode (bool, (nr,))."""
        return self.mesh.r < self.electrode_radius

    @property
    def electrons_only(self) -> bool:
        return self.ccp.power_absorbed_by == "electrons"

    def transport(self, mesh: Mesh | None = None) -> CCPTransport:
        """The bulk transport of this recipe on ``mesh`` (default: the setup's)."""
        return CCPTransport(self.mesh if mesh is None else mesh, self.coef, bohm=self.bohm)


@dataclass(frozen=True, kw_only=True)
class CCPResult:
    """Steady fields (shape (nr, nz) on ``setup.mesh``, the bulk between the sheath edges; SI,
    T_e in eV), the sheaths of each column and diagnostics."""

    setup: CCPSetup
    n_e: np.ndarray
    T_e: np.ndarray
    power: np.ndarray
    heating: ColumnHeating
    T_gas: np.ndarray
    n_gas: np.ndarray
    phi: np.ndarray
    wafer_r: np.ndarray
    ion_flux_wafer: np.ndarray
    ion_flux_top: np.ndarray
    n_s_wafer: np.ndarray
    T_e_wafer: np.ndarray
    wall_flux: dict
    residual_history: tuple[float, ...]
    iterations: int
    seconds: float
    global_state: object = field(repr=False, default=None)
    kinetics: NonlocalEEDF | None = field(repr=False, default=None)
    kinetic_iterations: int = 0

    @property
    def z_m(self) -> np.ndarray:
        """Cell-centre heights above the powered electrode (m)."""
        return self.z_offset + self.setup.mesh.z

    @property
    def z_offset(self) -> float:
        """Height of the bulk's lower edge (the powered sheath's electrode-averaged s_m)."""
        return _mean_width(self.setup, self.heating.s_bottom)

    @property
    def n_e_avg(self) -> float:
        """Volume-averaged n_e of the bulk (m⁻³)."""
        V = self.setup.mesh.volume
        return float((self.n_e * V).sum() / V.sum())

    @property
    def T_e_density_weighted(self) -> float:
        """n_e-weighted volume average of T_e (eV)."""
        w = self.setup.mesh.volume * self.n_e
        return float((self.T_e * w).sum() / w.sum())

    @property
    def electron_power(self) -> float:
        """Power absorbed by the electrons (W): ohmic + stochastic."""
        return float((self.power * self.setup.mesh.volume).sum())

    @property
    def absorbed_power(self) -> float:
        """Power absorbed by the discharge (W): electrons, plus the ions' sheath energy unless
        ``power_absorbed_by: electrons``."""
        return self.electron_power + (0.0 if self.setup.electrons_only else self.heating.ion_power)


class CCPTransport(TransportResidual):
    """:class:`TransportResidual` whose walls take 2T_e + T_B/2 per pair from the electrons
    (the floating-sheath drop V_s of the ICP walls is given back: in a CCP the RF source,
    not the electrons, gives the ions their sheath energy).  ``bohm``: T_e ↦ T_B, the Bohm
    temperature of a non-Maxwellian EEDF (:mod:`.ccp_eedf`; None: T_B = T_e): the ions reach
    the sheath edge at u_B = √(eT_B/m_i) after the presheath drop T_B/2."""

    def __init__(self, mesh: Mesh, coef: PlasmaCoefficients, bohm=None):
        super().__init__(mesh, coef)
        self.bohm = bohm

    def wall_edge(self, lnn_P, Te_P, d, ng, T_bohm=None):
        """:meth:`TransportResidual.wall_edge` with u_B = √(eT_B/m_i): the edge density n_s solves
        n_s u_B(T_B) = n_f u(y/d) (the presheath drift keeps T_e + T_i)."""
        if T_bohm is None and self.bohm is not None:
            T_bohm = self.bohm(Te_P)
        return super().wall_edge(lnn_P, Te_P, d, ng, T_bohm)

    def evaluate(self, lnn, Te, *, details: bool = False):
        Fn, FE, d = super().evaluate(lnn, Te, details=True)
        k = 0.5 * np.log(self.c.m_i / (2 * PI * M_E))
        for side, (sl, A, _) in self.walls.items():
            Tw = np.maximum(Te[sl], 0.05)
            FE[sl] += A * d["wall"][side][0] * Tw * k
            if self.bohm is not None:            # presheath T_B/2 instead of T_e/2
                FE[sl] -= A * d["wall"][side][0] * 0.5 * (self.bohm(Tw) - Tw)
        return (Fn, FE, d) if details else (Fn, FE)


def bulk_mesh(R: float, d: float, nr: int, nz: int) -> Mesh:
    """Uniform mesh of the bulk r ∈ [0, R], z ∈ [0, d] (z measured from the lower sheath edge)."""
    return Mesh.uniform(R, d, nr, nz)


def _mean_width(setup: CCPSetup, s: np.ndarray) -> float:
    e = setup.electrode
    w = setup.mesh.ring_area[e]
    return float((s[e] * w).sum() / w.sum())


def build_ccp(spec: ReactorSpec, *, bohm_from_eedf: bool = True) -> CCPSetup:
    """Check the recipe (RecipeError naming the field) and solve the homogeneous model; with
    ``eedf: boltzmann`` build the mean-energy tables (:mod:`.ccp_eedf`) at the homogeneous
    Maxwellian model's ionisation degree, then re-solve the homogeneous model with them.
    ``bohm_from_eedf`` (diagnostic): False keeps T_B = T_e with the Boltzmann rates."""
    s = spec.fluid2d or Fluid2DSpec()
    c = s.ccp or CCPSettings()
    R, L = spec.chamber.radius, spec.chamber.length
    if spec.source.type != "ccp":
        raise RecipeError("fluid2d.ccp settings describe a capacitive reactor; set source.type: ccp "
                          "or remove them", path="reactor.fluid2d.ccp")
    if spec.bias is not None:
        raise RecipeError("a single-frequency CCP has no separate bias: the powered electrode's sheath "
                          "voltage follows from source.power; remove bias", path="reactor.bias")
    if spec.loading:
        raise RecipeError("extra sinks (loading) are not in model fluid2d; remove them or use model: global",
                          path="reactor.loading")
    if spec.chamber.neutral_volume is not None:
        raise RecipeError("model fluid2d meshes the chamber itself; remove chamber.neutral_volume",
                          path="reactor.chamber.neutral_volume")
    gap = c.gap if c.gap is not None else L
    if gap > L * (1 + 1e-12):
        raise RecipeError(f"gap = {gap:g} m is larger than the chamber length {L:g} m",
                          path="reactor.fluid2d.ccp.gap", value=gap)
    R_e = c.electrode_radius if c.electrode_radius is not None else R
    if R_e > R * (1 + 1e-12):
        raise RecipeError(f"electrode_radius = {R_e:g} m is larger than the chamber radius {R:g} m",
                          path="reactor.fluid2d.ccp.electrode_radius", value=R_e)
    r_w = spec.chamber.wafer_radius
    if r_w is not None and r_w > R_e * (1 + 1e-12):
        raise RecipeError(f"wafer_radius = {r_w:g} m is larger than the powered electrode (electrode_radius "
                          f"{R_e:g} m)", path="reactor.chamber.wafer_radius", value=r_w)
    if R_e < R / s.mesh.nr:
        raise RecipeError(f"electrode_radius = {R_e:g} m is narrower than one radial cell ({R / s.mesh.nr:g} m)",
                          path="reactor.fluid2d.ccp.electrode_radius", value=R_e)
    chem = resolve_chemistry(spec)
    gm = build_model(spec, chem)
    if not is_electropositive(gm):
        raise RecipeError(f"the 2D CCP models an electropositive plasma of one gas and one positive ion "
                          f"(argon); chemistry {chem.name!r} has {', '.join(gm.names)}; use model: global",
                          path="reactor.chemistry", value=chem.name)
    gas = gm.names[int(gm.neu[0])]
    xs = resolve_ion_cross_section(c.ion_cross_section, gas)
    if xs == "phelps" and gas not in PHELPS_GASES:
        raise RecipeError(f"ion_cross_section 'phelps' is the Ar+ / Ar cross section (Phelps 1994); the gas is "
                          f"{gas!r}: use 'constant'",
                          path="reactor.fluid2d.ccp.ion_cross_section", value=c.ion_cross_section)
    coef = plasma_coefficients(gm)
    omega = 2 * PI * c.frequency

    series = c.mean_voltage == "series"
    tables = {k: SeriesKappa.of("collisional" if k else "collisionless") if series else None for k in (False, True)}

    lam_i = 1.0 / (gm.n_g0 * coef.sigma_i)

    def reference(collisional: bool) -> HomogeneousCCP:
        tab = tables[collisional]
        try:
            return homogeneous_ccp(coef.rates, coef.m_i, coef.sigma_i, gm.n_g0, R, gap, spec.source.power, omega,
                                   electrons_only=c.power_absorbed_by == "electrons", collisional=collisional,
                                   kappa=1.0 if tab is None else tab(1.0)[0])
        except ValueError as exc:
            raise RecipeError(f"{exc} (homogeneous CCP model at {spec.source.power:g} W, {spec.pressure:g} Pa, "
                              f"{'collisional' if collisional else 'collisionless'} sheaths): give a larger gap "
                              f"or less power", path="reactor.fluid2d.ccp.gap", value=gap) from None

    collisional = c.sheath == "collisional"
    ref: HomogeneousCCP | None = None
    try:
        ref = reference(collisional)
    except RecipeError:
        # auto: collisionless sheaths that would fill the gap are wider than 0.475 gap; where the
        # ions' mean free path is shorter than that, the law is the collisional one
        if c.sheath != "auto" or lam_i >= 0.475 * gap:
            raise
    if ref is None or (c.sheath == "auto" and lam_i < ref.s_m_m):   # the ions collide while crossing the sheath
        collisional = True
        ref = reference(True)
    table = None
    if spec.eedf == EEDFModel.BOLTZMANN:
        table = mean_energy_table(gm.chem, gm.n_g0, spec.gas_temperature, omega, ref.n0_m3 / gm.n_g0, ref.n0_m3)
        gm.rate_factor = table.rate_factor                 # coef.rates reads k through gm: Boltzmann rates
        ref = reference(collisional)
    mesh = bulk_mesh(R, ref.d_m, s.mesh.nr, s.mesh.nz)
    return CCPSetup(spec=spec, settings=s, ccp=c, gap=gap, electrode_radius=R_e, omega=omega, global_model=gm,
                    coef=coef, reference=ref, mesh=mesh, neutral=gas, collisional=collisional,
                    lambda_i=lam_i, kappa=tables[collisional], ion_cross_section=xs, eedf_table=table,
                    bohm_from_eedf=bohm_from_eedf)


def _heating(setup: CCPSetup, tr: CCPTransport, lnn, Te, n_g, V_guess: float, *, nu_m=None,
             T_stochastic=None) -> ColumnHeating:
    """:func:`.ccp_sheath.column_heating` of the present plasma; ``nu_m`` (the cells' effective
    momentum-transfer frequency of the ohmic heating) and ``T_stochastic`` replace the
    Maxwellian ones at T_e (non-local electrons, :mod:`.ccp_kinetic`)."""
    Te = np.maximum(Te, 0.05)
    ns = {}
    for side in ("z_min", "z_max", "r_max"):
        sl, _, dw = tr.walls[side]
        y, _ = tr.wall_edge(lnn[sl], Te[sl], dw, n_g[sl])
        ns[side] = np.exp(lnn[sl] - y)
    if nu_m is None:
        _, _, nu_m = setup.coef.rates(Te, n_g)
    chamber = setup.ccp.rf_return == "chamber"
    try:
        return column_heating(setup.mesh, np.exp(lnn), Te, nu_m, ns["z_min"], ns["z_max"], ns["r_max"],
                              setup.electrode, setup.spec.source.power, setup.coef.m_i, setup.omega,
                              lam=1.0 / (n_g * setup.coef.sigma_i) if setup.collisional else None,
                              side_grounded=chamber, ring_grounded=chamber,
                              electrons_only=setup.electrons_only, V_guess=V_guess, kappa=setup.kappa,
                              bohm=setup.bohm, T_stochastic=T_stochastic)
    except ValueError:
        hint = ("; with eedf: boltzmann the mean-energy table can be too steep for this "
                "pressure — try eedf: maxwellian (docs/reactor.md, 'Non-Maxwellian electrons')"
                if setup.eedf_table is not None else "")
        raise SimulationError(f"CCP: no RF amplitude absorbs the recipe's source.power = "
                              f"{setup.spec.source.power:g} W in the present plasma (T_e "
                              f"{float(Te.min()):.3g}–{float(Te.max()):.3g} eV, n_e "
                              f"{float(np.exp(lnn).min()):.3g}–{float(np.exp(lnn).max()):.3g} m⁻³)"
                              f"{hint}") from None


def solve_ccp(spec: ReactorSpec, *, max_iterations: int | None = None, checkpoint: Path | None = None,
              resume: bool = False, bohm_from_eedf: bool = True) -> CCPResult:
    """Steady state of the 2D CCP (module docstring).  ``checkpoint``/``resume`` as
    :func:`.model.solve_fluid2d` (the iterate, the bulk length and the RF amplitude are saved);
    ``bohm_from_eedf``: :func:`build_ccp`.  With ``fluid2d.ccp.electrons: nonlocal``
    the bulk's electrons are the non-local kinetics of :mod:`.ccp_kinetic` (its checkpoint holds the
    kinetic loop's state)."""
    c = (spec.fluid2d or Fluid2DSpec()).ccp or CCPSettings()
    if c.electrons == "local":
        return _solve_fluid(spec, max_iterations=max_iterations, checkpoint=checkpoint, resume=resume,
                            bohm_from_eedf=bohm_from_eedf)
    if spec.eedf == EEDFModel.BOLTZMANN:
        raise RecipeError("electrons: nonlocal computes its own EEDF (the non-local kinetics); remove "
                          "reactor.eedf: boltzmann or set fluid2d.ccp.electrons: local",
                          path="reactor.fluid2d.ccp.electrons", value="nonlocal")
    from .ccp_kinetic import solve_nonlocal            # imports this module
    return solve_nonlocal(spec, max_iterations, checkpoint=checkpoint, resume=resume)


def _solve_fluid(spec: ReactorSpec, *, max_iterations: int | None = None, checkpoint: Path | None = None,
                 resume: bool = False, bohm_from_eedf: bool = True) -> CCPResult:
    """One fluid solve (:func:`solve_ccp`) with fixed rates."""
    t0 = time.perf_counter()
    setup = build_ccp(spec, bohm_from_eedf=bohm_from_eedf)
    s, ref, gm, coef = setup.settings, setup.reference, setup.global_model, setup.coef
    R, gap = spec.chamber.radius, setup.gap
    nr, nz = s.mesh.nr, s.mesh.nz
    N = nr * nz
    max_it = max_iterations or s.max_iterations
    d, V_T = ref.d_m, 2 * ref.V1_V
    m = bulk_mesh(R, d, nr, nz)
    T_g = np.full(m.shape, spec.gas_temperature)
    n_g = gas_density(spec.pressure, T_g)
    hl, hR = h_factors(d, R, 1.0 / (gm.n_g0 * coef.sigma_i))
    shape0 = ((hR + (1 - hR) * j0(2.405 * m.r / R))[:, None] * (hl + (1 - hl) * np.sin(PI * m.z / d))[None, :])
    x = np.concatenate([np.log(ref.n0_m3 * shape0).ravel(), np.full(N, ref.T_e_eV)])
    nu_ref, _, _ = coef.rates(np.array([ref.T_e_eV]), np.array([gm.n_g0]))
    scale = np.concatenate([np.full(N, 1.0 / nu_ref[0]), np.full(N, 1.0 / (nu_ref[0] * ref.T_e_eV))])
    M = sp.diags(np.concatenate([np.ones(N), np.full(N, 1.5)]))
    dt, prev, history = 10.0 / nu_ref[0], None, []
    key = spec_hash(spec) if checkpoint is not None else ""
    if resume and checkpoint is not None and Path(checkpoint).is_file():
        xs, dt, history = _load_checkpoint(Path(checkpoint), key, x.size + 2)
        x, d, V_T = xs[:-2], float(xs[-2]), float(xs[-1])
        prev = history[-1] if history else None
    moved = np.inf
    heat, p_used = None, None
    cap = np.concatenate([np.ones(N), 0.3 * x[N:]])
    for it in range(1, max_it + 1):
        if checkpoint is not None and it % 5 == 0:
            _save_checkpoint(Path(checkpoint), key, np.concatenate([x, [d, V_T]]), dt, history)
        m = bulk_mesh(R, d, nr, nz)
        setup = dataclasses.replace(setup, mesh=m)
        tr = setup.transport(m)
        lnn, Te = x[:N].reshape(nr, nz), x[N:].reshape(nr, nz)
        if s.gas_heating:
            tr.set_state(n_g, np.zeros(m.shape))
            T_g = gas_temperature(m, tr.gas_heating(lnn, Te, gm.mass[gm.neu[0]]), _walls(spec), ARGON_CONDUCTIVITY)
            n_g = gas_density(spec.pressure, T_g)
        heat = _heating(setup, tr, lnn, Te, n_g, V_T)
        V_T = heat.V_T
        p_used = heat.power if p_used is None else p_used + RELAX * (heat.power - p_used)
        tr.set_state(n_g, p_used)
        f = tr.scaled(x)
        norm = float(np.max(np.abs(f * scale)))
        history.append(norm)
        d_new = gap - _mean_width(setup, heat.s_bottom) - _mean_width(setup, heat.s_top)
        moved = abs(d_new - d)
        if not np.isfinite(norm):
            break
        if norm < s.tolerance and moved < 1e-7 * gap and len(history) > 1:
            break
        dt = dt if prev is None else dt * float(np.clip(prev / norm, 0.5, 4.0))      # SER
        prev = norm
        try:
            step = spla.spsolve((M / dt - tr.jacobian(x, f)).tocsc(), f)
        except RuntimeError:
            break
        x = x + np.clip(step, -cap, cap)        # |δ ln n| ≤ 1, |δT_e| ≤ 0.3 T_e
        cap[N:] = 0.3 * x[N:]
        d_new = max(d_new, 0.1 * gap)
        d = d + float(np.clip(RELAX * (d_new - d), -0.05 * gap, 0.05 * gap))     # relaxed
    ok = bool(history and np.isfinite(history[-1]) and history[-1] < s.tolerance and moved < 1e-7 * gap)
    if not ok or heat is None:
        if checkpoint is not None and np.all(np.isfinite(x)):
            _save_checkpoint(Path(checkpoint), key, np.concatenate([x, [d, V_T]]), dt, history)
        shown = residual_history_text(history)
        raise SimulationError(f"fluid2d CCP did not reach a steady state in {len(history)} pseudo-time steps "
                              f"(tolerance {s.tolerance:g}, bulk length change {moved / gap:.1e} of the gap); "
                              f"scaled residual history: {shown}")
    return _result(setup, tr, x, heat, T_g, n_g, history, t0)


def _result(setup: CCPSetup, tr: CCPTransport, x, heat: ColumnHeating, T_g, n_g, history, t0) -> CCPResult:
    m = setup.mesh
    nr, nz = m.shape
    lnn, Te = x[: nr * nz].reshape(nr, nz), x[nr * nz:].reshape(nr, nz)
    _, _, det = tr.evaluate(lnn, Te, details=True)
    G_a, ns_a = det["wall"]["z_min"]
    _, ns_b = det["wall"]["z_max"]
    V_ref = np.where(heat.Vbar_top > 0, heat.Vbar_top, plasma_potential(Te[:, -1], setup.coef.m_i))
    phi = V_ref[:, None] + Te * (lnn - np.log(ns_b)[:, None])              # Boltzmann relation
    return CCPResult(setup=setup, n_e=np.exp(lnn), T_e=Te, power=heat.power, heating=heat, T_gas=T_g, n_gas=n_g,
                     phi=phi, wafer_r=m.r, ion_flux_wafer=G_a, ion_flux_top=det["wall"]["z_max"][0],
                     n_s_wafer=ns_a, T_e_wafer=Te[:, 0], wall_flux={k: v[0] for k, v in det["wall"].items()},
                     residual_history=tuple(history), iterations=len(history),
                     seconds=time.perf_counter() - t0, global_state=setup.reference)


def energy_channels(res: CCPResult) -> dict[str, float]:
    """Electron power balance (W): absorbed = collisions + walls (2T_e + T_B/2 per pair; T_B = T_e
    unless ``eedf: boltzmann``) + the work against the ambipolar field (the ions' Joule heating)."""
    tr = res.setup.transport()
    tr.set_state(res.n_gas, res.power)
    _, _, d = tr.evaluate(np.log(res.n_e), res.T_e, details=True)
    P_coll = float((res.n_e * d["loss"] * res.setup.mesh.volume).sum() * EV)
    TB = (lambda T: T) if tr.bohm is None else tr.bohm                 # noqa: E731
    P_wall = sum(float((A * d["wall"][sd][0] * (2 * res.T_e[sl] + 0.5 * TB(res.T_e[sl]))).sum()) * EV
                 for sd, (sl, A, _) in tr.walls.items())
    created = float((d["nu_iz"] * res.n_e * res.setup.mesh.volume).sum())
    lost = sum(float((A * d["wall"][sd][0]).sum()) for sd, (_, A, _) in tr.walls.items())
    P_field = float(d["heat_ion_eV_s"].sum()) * EV          # work against the ambipolar field
    return {"P_electrons_W": res.electron_power, "collisions_W": P_coll, "walls_W": P_wall,
            "ion_joule_W": P_field,
            "residual": (res.electron_power - P_coll - P_wall - P_field) / res.electron_power,
            "particle_balance": (created - lost) / created}
