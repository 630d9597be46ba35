"""Non-local electron kinetics of the CCP bulk (``fluid2d.ccp.electrons: nonlocal``).

At low pressure the electrons' energy relaxation length exceeds the bulk (eduPIC's argon case at
10 Pa: 9.6 mm at 14 eV against an 11.1 mm bulk), so the EEDF is not set by the local field: it is
a function of the total energy ε = u + U(z) alone (u the kinetic energy, U(z) = e(φ_max − φ(z))
≥ 0 the electrons' potential energy in the time-averaged ambipolar well) — the non-local
approximation (I. B. Bernstein & T. Holstein, Phys. Rev. 94, 1475, 1954; L. D. Tsendin, Sov.
Phys. JETP 39, 805, 1974; U. Kortshagen, C. Busch & L. D. Tsendin, Plasma Sources Sci. Technol.
5, 1, 1996).  Integrating the two-term Boltzmann equation of :mod:`..boltzmann` (Hagelaar &
Pitchford 2005, eq. 21) over the region accessible at each ε gives, with F(ε) the absolute
distribution (n(z) = ∫_{U(z)} √(ε − U) F dε):

    d/dε [W̄ F − D̄ dF/dε] = C̄(ε),     X̄(ε) = Σ_z Δz X(u = ε − U(z), z)   (u > 0)

    W̄ = −Σ Δz γ u² σ_ε(u)                                            elastic recoil
    D̄ = Σ Δz [γ kT_g/e u² σ_ε + a(z) γ/3 u σ_m/(σ_m² + (ω/N)²/(γ²u))] ohmic (RF field, HP eq. 30)
        + b_s u_s²  at each sheath edge cell s                         stochastic
    C̄: each inelastic process's space-integrated out-rate Σ Δz γ u σ_k(u), landing at ε − ε_k

The stochastic term is the Fermi acceleration of electrons reflected by the oscillating sheath edge
(velocity amplitude u₀): each reflection changes the energy by 2m v_z u₀ sin ωt, ⟨Δu²⟩ = 2u m u₀²/e
on the flux (¼ v) of electrons of energy u, so the energy diffusion coefficient per area is
(m u₀²/e) γ u²/4, whose heating of a Maxwellian is exactly Lieberman's S_stoc = ½ m v̄ n_s u₀²
(:func:`.ccp_sheath.stochastic_heating`).  The reflection happens at the sheath edge, whose density
is the edge density n_s of the ion transport, below that of the edge cell: u is the kinetic energy
there, u = ε − U_s with n_F(U_s) = n_s (until session 15 the edge cell's centre, which counted the
flux of the denser cell: (n_cell/n_s) times the heating per J₁²; Lieberman & Godyak, IEEE Trans.
Plasma Sci. 26, 955, 1998: the Fermi heating is set by the electron flux onto the moving edge).
Only electrons with ε > U_s reach the sheath: the
cold electrons trapped in the well are heated by the weak bulk field alone — the bi-Maxwellian
EEDF of the low-pressure CCP (Godyak & Piejak 1990; Kaganovich & Tsendin 1992).

The heating is the fluid model's: the ohmic power of each cell of the column and the stochastic
power of each sheath (:func:`.ccp_sheath.column_heating`) fix the amplitudes a(z), b_s (power in =
power absorbed, by a Picard iteration on the shares and a Brent solve of the common scale).  The
well U(z) is the one of the kinetic F: n_F(U(z))/n_F(0) = n(z)/n_max, the fluid's density shape
(the Boltzmann relation of a non-Maxwellian F).  Electron losses to the walls are the fluid's
(the kinetic equation has no growth term, as in :mod:`..boltzmann`); the electrons escaping to
the electrodes carry the few eV of the well's edge, small against the 50–200 eV collisional cost
of an ion pair.  e–e collisions are left out (ionisation degree 4e-6 in the eduPIC case).

From F follow, in each cell, every reaction's rate coefficient k_r(z) = γ∫uσ_r F(u+U) du / n(z),
the mean energy, and the Bohm (screening) temperature at the sheath edges, Riemann's
1/T_B = ½∫u^(-½)f du / ∫u^(½)f du (:func:`.ccp_eedf.bohm_temperature`).  :func:`column_factors`
turns them into what the fluid solve reads: one factor per reaction on the chemistry's Maxwellian
rate (the column's n-weighted integral of k_r over that of k_r(T_e)) and T_B/T_e at the edges;
:func:`..ccp.solve_ccp` iterates fluid ↔ kinetics to a fixed point.
"""
from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy.linalg import solve_banded
from scipy.optimize import brentq

from ...constants import EV, K_B, M_E
from ..boltzmann import GAMMA, Grid, Process, _bernoulli, inelastic_matrix

__all__ = ["NLA_GRID", "NonlocalEEDF", "nonlocal_eedf", "cell_weights", "kinetic_processes"]

NLA_GRID = Grid(n=500, u_max=50.0)


def cell_weights(grid: Grid, U: float, power: float) -> np.ndarray:
    """∫ over each ε cell of (ε − U)₊^power dε, exact (power = ½, −½, 3/2)."""
    f = np.maximum(grid.faces - U, 0.0)
    p1 = power + 1.0
    return (f[1:] ** p1 - f[:-1] ** p1) / p1


@dataclass(frozen=True)
class NonlocalEEDF:
    """The non-local solution on ``grid``: ``F`` (m⁻³ eV^-3/2) against total energy; ``U`` (eV),
    ``n`` (m⁻³), ``mean_energy`` (eV), ``T_bohm`` (eV) per cell of the column; ``rate`` (n_proc, nz)
    each process's rate coefficient (m³/s, order of ``procs``); ``power_in`` (heating) and
    ``power_lost`` (elastic + inelastic) in W/m² of the column; ``J1`` the RF current amplitude (A/m²),
    ``EN_rms`` (nz,) the reduced rms RF field of each cell (V m²); ``ohmic_cells`` (nz,) the ohmic
    power absorbed in each cell and ``stochastic_edges`` (2,) that of each sheath (W/m²; their sum is
    ``power_in``); ``sigma`` (nz,) the cells' kinetic |σ_p| (S/m) used for the field; ``U_edge`` (2,) the well
    at the two sheath edges (eV; where n_F = n_sheath), where the stochastic heating acts."""

    grid: Grid
    F: np.ndarray
    U: np.ndarray
    n: np.ndarray
    mean_energy: np.ndarray
    T_bohm: np.ndarray
    rate: np.ndarray
    power_in: float
    power_lost: float
    power_ohmic: float
    power_stochastic: float
    iterations: int
    J1: float
    EN_rms: np.ndarray
    ohmic_cells: np.ndarray | None = None
    stochastic_edges: np.ndarray | None = None
    sigma: np.ndarray | None = None
    U_edge: np.ndarray | None = None

    @property
    def conservation(self) -> float:
        """(power in − collisional losses)/power in."""
        return (self.power_in - self.power_lost) / self.power_in

    def local(self, j: int) -> np.ndarray:
        """f(u) = F(u + U_j) on the grid's centres (the EEDF of cell j, absolute)."""
        g = self.grid
        return np.interp(g.u + self.U[j], g.u, self.F, right=0.0)


class _Column:
    """The ε-independent parts of the space-averaged operator for one well U."""

    def __init__(self, grid: Grid, procs, dz, U, n_gas: float, T_gas_K: float, omega: float, U_edges):
        self.grid, self.dz, self.U = grid, dz, U
        nz, fa, uc = dz.size, grid.faces, grid.u
        sig_m_of = sum(p.sigma for p in procs if p.kind in ("elastic", "inelastic"))
        sig_e_of = sum(2 * p.mass_ratio * p.sigma for p in procs if p.kind == "elastic")
        w_on = omega / n_gas
        self.sig_m = sig_m_of
        self.W = np.zeros(fa.size)
        self.D0 = np.zeros(fa.size)
        self.D_ohm = np.zeros((nz, fa.size))
        self.elastic_loss = np.zeros(fa.size)
        outs = {i: np.zeros(grid.n) for i, p in enumerate(procs) if p.kind == "inelastic"}
        for j in range(nz):
            u = fa - U[j]
            ok = u > 0
            uu = np.where(ok, u, 1.0)
            sm = np.maximum(np.interp(uu, uc, sig_m_of), 1e-30)
            se = np.interp(uu, uc, sig_e_of)
            self.W += np.where(ok, -dz[j] * GAMMA * uu ** 2 * se, 0.0)
            self.D0 += np.where(ok, dz[j] * GAMMA * (K_B * T_gas_K / EV) * uu ** 2 * se, 0.0)
            self.D_ohm[j] = np.where(ok, dz[j] * GAMMA / 3 * uu * sm / (sm ** 2 + w_on ** 2 / (GAMMA ** 2 * uu)), 0.0)
            u_c = uc - U[j]
            for i in outs:
                outs[i] += dz[j] * GAMMA * np.maximum(u_c, 0.0) * np.interp(u_c, uc, procs[i].sigma, left=0.0) * grid.du
        self.D_stoc = np.zeros((len(U_edges), fa.size))
        for s, Us in enumerate(U_edges):                # kinetic energy at the sheath edge
            u = np.maximum(fa - Us, 0.0)
            self.D_stoc[s] = u ** 2
        self.outs = outs
        self.thresholds = {i: procs[i].threshold_eV for i in outs}
        self.Minel = inelastic_matrix(grid, [(outs[i], self.thresholds[i]) for i in outs])
        self.count = sum(dz[j] * cell_weights(grid, U[j], 0.5) for j in range(nz))   # electrons per F_i

    def _banded(self):
        """The inelastic operator in the banded layout of :meth:`solve` (built once)."""
        n = self.grid.n
        M = self.Minel.tocoo()
        keep = (M.row <= n - 2) & (M.col >= 1)
        up = max(1, int(np.max(M.col[keep] - 1 - M.row[keep], initial=0)))
        ab = np.zeros((up + 3, n - 1))
        np.add.at(ab, (up + M.row[keep] - (M.col[keep] - 1), M.col[keep] - 1), -M.data[keep])
        col0 = np.asarray(self.Minel[:, [0]].todense()).ravel()[: n - 1]
        self._band = (up, ab, col0)
        return self._band

    def solve(self, a: np.ndarray, b: np.ndarray, total: float) -> np.ndarray:
        """F of the space-averaged equation at the amplitudes a, b with Σ count·F = total.  The
        conservative operator A has one redundant row (the last, which the normalisation replaces):
        rows 0 … n−2 are solved for F[1:] with F[0] = 1 pinned, as a banded system (lower bandwidth 2,
        upper the largest inelastic threshold), then F is scaled to ``total``."""
        g = self.grid
        n, du = g.n, g.du
        D = self.D0 + a @ self.D_ohm + b @ self.D_stoc
        Wi, Di = self.W[1:-1], np.maximum(D[1:-1], 1e-300)
        z = Wi * du / Di
        lo = Di / du * _bernoulli(-z)
        hi = Di / du * _bernoulli(z)
        diag = np.zeros(n)
        diag[:-1] += lo
        diag[1:] += hi
        up, abM, col0 = getattr(self, "_band", None) or self._banded()
        ab = abM.copy()
        # A[i, i] = diag (column j' = i − 1), A[i, i+1] = −hi[i] (j' = i), A[i+1, i] = −lo[i] (row i+1, j' = i − 1)
        ab[up + 1, : n - 2] += diag[1: n - 1]
        ab[up, :] -= hi
        ab[up + 2, : n - 3] -= lo[1: n - 2]
        rhs = col0.copy()                               # −A[:, 0] = M[:, 0] − T[:, 0]
        rhs[0] -= diag[0]
        rhs[1] += lo[0]
        F = np.concatenate([[1.0], solve_banded((2, up), ab, rhs)])
        F *= total / float(self.count @ F)
        return np.maximum(F, 0.0)

    def heating(self, F: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Power (in units of N e) absorbed per cell from the field and per sheath, central differences."""
        dF = np.concatenate([[0.0], -np.diff(F), [0.0]])            # −dF/dε × du at the faces
        return a * (self.D_ohm @ dF), b * (self.D_stoc @ dF)

    def losses(self, F: np.ndarray) -> float:
        """Elastic recoil + inelastic power (units of N e)."""
        Ff = np.concatenate([[F[0]], 0.5 * (F[1:] + F[:-1]), [0.0]])
        dF = np.concatenate([[0.0], -np.diff(F), [0.0]])
        el = float(-(self.W * Ff).sum() * self.grid.du - (self.D0 * dF).sum())
        inel = sum(float((self.outs[i] * F).sum()) * self.thresholds[i] for i in self.outs)
        return el + inel


@functools.lru_cache(maxsize=4)
def _well_table(n: int, u_max: float) -> tuple[np.ndarray, np.ndarray]:
    """The wells U_t (2001 up to u_max/2) and the matrix of :func:`cell_weights` (U_t, ½) on the grid."""
    g = Grid(n=n, u_max=u_max)
    Ut = np.linspace(0.0, 0.5 * u_max, 2001)
    f = np.maximum(g.faces[None, :] - Ut[:, None], 0.0) ** 1.5
    return Ut, (f[:, 1:] - f[:, :-1]) / 1.5


def _invert_well(grid: Grid, F: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """U(z) with n_F(U)/n_F(0) = shape (≤ 1): the Boltzmann relation of the distribution F."""
    Ut, Wt = _well_table(grid.n, grid.u_max)
    nU = Wt @ F
    r = nU / nU[0]
    r = np.minimum.accumulate(r)
    return np.interp(-np.clip(shape, r[-1], 1.0), -r, Ut)


def _conductivity(grid: Grid, col: _Column, F: np.ndarray, n_gas: float, omega: float) -> np.ndarray:
    """|σ_p| (S/m) of each cell from its EEDF f: σ_p = (e²n/m)⟨1/(ν + iω)⟩ with ν(u) = Nσ_m(u)γ√u
    and ⟨g⟩ = −⅔∫u^{3/2} g df/du du / ∫u^{1/2} f du (two-term theory; 1/(ν + iω) for constant ν)."""
    uf = np.maximum(grid.faces[1:-1], 1e-12)
    out = np.zeros(col.dz.size)
    for j in range(col.dz.size):
        f = np.interp(grid.u + col.U[j], grid.u, F, right=0.0)
        df = np.diff(f) / grid.du
        nu = n_gas * np.interp(uf, grid.u, col.sig_m) * GAMMA * np.sqrt(uf)
        g = -2.0 / 3.0 * (uf ** 1.5 * df / (nu + 1j * omega)).sum() * grid.du
        n = float((np.sqrt(grid.u) * f).sum() * grid.du)
        out[j] = EV ** 2 * n / M_E * abs(g / n)
    return out


def nonlocal_eedf(procs: list[Process], dz, n_shape, power: float, n_sheath, *, n_gas: float, T_gas_K: float,
                  omega: float, grid: Grid = NLA_GRID, U0=None, max_iterations: int = 200, tol: float = 1e-6,
                  fixed_well: bool = False, stochastic: bool = True, J_guess: float = 10.0,
                  sigma_guess=None, U_edge0=None) -> NonlocalEEDF:
    """The non-local EEDF of a column of cells ``dz`` (m) between two sheaths (module docstring):
    ``n_shape`` (nz,) the electron density (m⁻³; its shape sets the well, its integral the number
    of electrons), ``power`` (W/m²) what the electrons absorb, ``n_sheath`` (2,) the densities at
    the two sheath edges (m⁻³; the edge velocity amplitude u₀ = J₁/(e n_s)); gas density ``n_gas``,
    ``omega`` the RF angular frequency.  The RF current amplitude J₁ through the column is the one
    that makes the electrons absorb ``power``: ohmic in each cell with the field J₁/|σ_p| of the
    cell's kinetic conductivity, stochastic at each sheath edge (``stochastic``: False, ohmic alone).
    ``U0`` a starting (or, with ``fixed_well``, the) well in eV; ``J_guess`` (A/m²) and ``sigma_guess``
    ((nz,), S/m) a starting RF current and conductivity per electron (|σ_p|/n, S m³; a previous
    solution's: fewer iterations, the same fixed point), ``U_edge0`` (2,) a starting well at the sheath
    edges (eV; default: that of the edge cells; with ``fixed_well`` kept)."""
    dz, n_shape = np.asarray(dz, float), np.asarray(n_shape, float)
    n_sheath = np.asarray(n_sheath, float)
    nz = dz.size
    total = float((n_shape * dz).sum())
    U = np.zeros(nz) if U0 is None else np.asarray(U0, float)
    # the well at the sheath edges, where the density is n_sheath: the electrons are reflected there
    U_edge = U[[0, -1]].copy() if U_edge0 is None else np.asarray(U_edge0, float)
    col = _Column(grid, procs, dz, U, n_gas, T_gas_K, omega, U_edge)
    sig = EV ** 2 * n_shape / (M_E * np.hypot(n_gas * 1e-19 * 1e6, omega))        # a first guess of |σ_p|
    if sigma_guess is not None:
        sig = np.asarray(sigma_guess, float) * n_shape
    b_unit = (M_E / EV) * GAMMA / 4.0 / (EV * n_sheath) ** 2 / n_gas * (1.0 if stochastic else 0.0)
    lnJ, F, it, change = math.log(J_guess), None, 0, np.inf

    def coefficients(lj):
        J2 = math.exp(2 * lj)
        return 0.5 * J2 / (n_gas * sig) ** 2, J2 * b_unit

    for it in range(1, max_iterations + 1):            # noqa: B007 (the count is reported)
        def absorbed(lj, col=col):
            a, b = coefficients(lj)
            Fx = col.solve(a, b, total)
            ha, hb = col.heating(Fx, a, b)
            return math.log(max((ha.sum() + hb.sum()) * n_gas * EV, 1e-300) / power)
        lo, hi = lnJ - 0.1, lnJ + 0.1
        flo, fhi = absorbed(lo), absorbed(hi)
        while flo > 0:
            lo, hi, fhi = lo - 1.0, lo, flo
            flo = absorbed(lo)
        while fhi < 0:
            lo, hi, flo = hi, hi + 1.0, fhi
            fhi = absorbed(hi)
        lnJ = brentq(absorbed, lo, hi, xtol=1e-10)
        a, b = coefficients(lnJ)
        F = col.solve(a, b, total)
        sig_new = _conductivity(grid, col, F, n_gas, omega)
        change = float(np.max(np.abs(np.log(sig_new / sig))))
        sig = np.sqrt(sig * sig_new)
        if not fixed_well:
            U_new = _invert_well(grid, F, n_shape / n_shape.max())
            Ue_new = _invert_well(grid, F, np.minimum(n_sheath, n_shape[[0, -1]]) / n_shape.max())
            change = max(change, float(np.max(np.abs(U_new - U))), float(np.max(np.abs(Ue_new - U_edge))))
            U, U_edge = 0.5 * (U + U_new), 0.5 * (U_edge + Ue_new)
            col = _Column(grid, procs, dz, U, n_gas, T_gas_K, omega, U_edge)
        if change < tol:
            break
    a, b = coefficients(lnJ)
    F = col.solve(a, b, total)
    ha, hb = col.heating(F, a, b)
    out = _finish(grid, procs, col, F, dz, U, ha, hb, n_gas, it, math.exp(lnJ), np.sqrt(a), sig)
    return dataclasses.replace(out, U_edge=U_edge)


def _finish(grid, procs, col, F, dz, U, ha, hb, n_gas, it, J1, EN, sig) -> NonlocalEEDF:
    nz, uc = dz.size, grid.u
    n = np.array([(cell_weights(grid, U[j], 0.5) * F).sum() for j in range(nz)])
    m = np.array([(cell_weights(grid, U[j], 1.5) * F).sum() for j in range(nz)]) / n
    TB = np.array([2.0 * n[j] / (cell_weights(grid, U[j], -0.5) * F).sum() for j in range(nz)])
    rate = np.zeros((len(procs), nz))
    for j in range(nz):
        u_c = uc - U[j]
        for i, p in enumerate(procs):
            s = np.interp(u_c, uc, p.sigma, left=0.0)
            rate[i, j] = GAMMA * float((np.maximum(u_c, 0.0) * s * F).sum()) * grid.du / n[j]
    f = n_gas * EV
    return NonlocalEEDF(grid=grid, F=F, U=U, n=n, mean_energy=m, T_bohm=TB, rate=rate,
                        power_in=float(ha.sum() + hb.sum()) * f, power_lost=col.losses(F) * f,
                        power_ohmic=float(ha.sum()) * f, power_stochastic=float(hb.sum()) * f, iterations=it,
                        J1=J1, EN_rms=EN, ohmic_cells=ha * f, stochastic_edges=hb * f, sigma=sig)


def kinetic_processes(chem, grid: Grid = NLA_GRID) -> list:
    """The electron processes of the kinetics (:class:`..cross_sections.ElectronProcess`, each with
    its reaction index): for one-gas argon (elastic, one excitation, ionisation) the measured
    cross sections of Phelps & Petrović (1999, :func:`.ccp_xs.phelps_petrovic_ar`, those of the
    eduPIC benchmark); otherwise the ones fitted to the chemistry's Maxwellian rates
    (:func:`..cross_sections.electron_processes`)."""
    from ..cross_sections import ElectronProcess, electron_processes
    from .ccp_xs import PP_EXCITATION_EV, PP_IONISATION_EV, phelps_petrovic_ar

    fitted = [p for p in electron_processes(chem, grid) if p.rx >= 0]
    if {p.target for p in fitted} != {"Ar"}:
        return fitted
    el = [p for p in fitted if p.process.kind == "elastic"]
    inel = [p for p in fitted if p.process.kind == "inelastic"]
    iz = [p for p in inel if chem.reactions[p.rx].products.get("e", 0.0) > 0]
    ex = [p for p in inel if p not in iz]
    if len(el) != 1 or len(iz) != 1 or len(ex) != 1 or len(fitted) != 3:
        return fitted
    xs = phelps_petrovic_ar(grid.u)
    mk = (lambda p, proc: ElectronProcess(rx=p.rx, target="Ar", process=proc, fit_error=0.0))   # noqa: E731
    return [mk(el[0], Process("elastic (Phelps & Petrovic 1999)", "elastic", xs["elastic"],
                              mass_ratio=el[0].process.mass_ratio)),
            mk(ex[0], Process("excitation (Phelps & Petrovic 1999)", "inelastic", xs["excitation"],
                              threshold_eV=PP_EXCITATION_EV)),
            mk(iz[0], Process("ionisation (Phelps & Petrovic 1999)", "inelastic", xs["ionisation"],
                              threshold_eV=PP_IONISATION_EV))]
