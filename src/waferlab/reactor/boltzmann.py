"""Two-term steady Boltzmann solver for the electron energy distribution (EEDF).

Formulation of G. J. M. Hagelaar & L. C. Pitchford, Plasma Sources Sci. Technol. 14,
722 (2005) (the BOLSIG+ paper), without growth terms.  With u the energy (eV) and F0(u)
the isotropic part normalised as ∫ u^½ F0 du = 1 (eV^-3/2), the steady equation is

    d/du [W F0 - D dF0/du] = Σ_k C_k(u)                                  (HP eq. 21)

    W = -γ u² σ_ε - 3 a (n_e/N) A1
    D = (γ/3) (E/N)² u σ_m/(σ_m² + (ω/N)²/(γ² u)) + γ (k T_g/e) u² σ_ε
        + 2 a (n_e/N) (A2 + u^{3/2} A3)                                  (HP eqs. 22-23, 33)

γ = (2e/m_e)^½, σ_m = Σ x_k σ_m,k (elastic momentum transfer; the inelastic cross
sections are added, as in the "effective" form), σ_ε = Σ x_k (2m_e/M_k) σ_m,k; a field
of angular frequency ω uses the effective collision cross-section of HP eq. 30 (E is
then the rms field); e–e collisions through a = e²γ ln Λ/(24π ε0²), A1 = ∫_0^u v^½ F0,
A2 = ∫_0^u v^{3/2} F0, A3 = ∫_u^∞ F0 (HP eqs. 34-36; ln Λ of HP eq. 37).  Inelastic
process k (threshold u_k, target fraction x_k):

    C_k(u) = -γ x_k [u σ_k(u) F0(u) - (u + u_k) σ_k(u + u_k) F0(u + u_k)]   (HP eq. 24)

ionisation is treated as an excitation (no secondary electron, no growth) and
attachment is left out of the operator (its rate is still computed from F0); both are
the "no growth" simplification discussed by HP §2.5.

Discretisation: finite volumes on a uniform grid, Scharfetter–Gummel (exponential)
fluxes for the W/D terms (HP §3.2), the inelastic in-scattering placed at u - u_k and
split linearly between the two neighbouring cell centres (particle number exact, energy
loss exact at the centres); the e–e coefficients by Picard iteration.  The field E/N
that gives a requested mean energy is found by bisection in ln(E/N).

Rate coefficient of process k: k_k = γ ∫ u σ_k F0 du (m³/s).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from ..constants import EPS0, EV, M_E, PI

__all__ = ["Process", "EEDF", "Grid", "solve_eedf", "eedf_at_mean_energy", "maxwellian",
           "druyvesteyn", "rate_coefficient", "optical_temperature", "GAMMA", "inelastic_matrix"]

GAMMA = math.sqrt(2 * EV / M_E)          # m s^-1 V^-1/2


@dataclass(frozen=True)
class Grid:
    """Uniform energy grid: ``n`` cells of width ``du`` (eV) from 0."""

    n: int = 600
    u_max: float = 60.0

    @property
    def du(self) -> float:
        return self.u_max / self.n

    @property
    def u(self) -> np.ndarray:
        return (np.arange(self.n) + 0.5) * self.du

    @property
    def faces(self) -> np.ndarray:
        return np.arange(self.n + 1) * self.du


@dataclass(frozen=True)
class Process:
    """One collision process on a target: ``kind`` 'elastic' (momentum transfer, with the
    target mass ratio ``mass_ratio`` = m_e/M), 'inelastic' (threshold ``threshold_eV``
    ≥ 0; excitation or ionisation) or 'rate' (only its rate is computed: attachment,
    superelastic, recombination); ``sigma`` (m²) on the grid's cell centres."""

    name: str
    kind: str
    sigma: np.ndarray
    threshold_eV: float = 0.0
    mass_ratio: float = 0.0


@dataclass(frozen=True)
class EEDF:
    """A solved EEDF: ``F0`` (eV^-3/2) on ``grid``, mean energy (eV), E/N (V m²)."""

    grid: Grid
    F0: np.ndarray
    mean_energy_eV: float
    EN: float
    iterations: int

    def rate(self, sigma: np.ndarray) -> float:
        return rate_coefficient(self.grid, self.F0, sigma)


def maxwellian(grid: Grid, T_eV: float) -> np.ndarray:
    """F0 = 2/√π T^-3/2 exp(-u/T), normalised on the grid."""
    f = np.exp(-grid.u / T_eV)
    return f / (np.sqrt(grid.u) * f).sum() / grid.du


def druyvesteyn(grid: Grid, u0: float) -> np.ndarray:
    """F0 ∝ exp(-(u/u0)²), normalised on the grid."""
    f = np.exp(-(grid.u / u0) ** 2)
    return f / (np.sqrt(grid.u) * f).sum() / grid.du


def rate_coefficient(grid: Grid, F0: np.ndarray, sigma: np.ndarray) -> float:
    """k = γ ∫ u σ F0 du (m³/s)."""
    return float(GAMMA * (grid.u * sigma * F0).sum() * grid.du)


def optical_temperature(grid: Grid, F0: np.ndarray, lo: float = 11.0, hi: float = 14.0) -> float:
    """Slope temperature of the EEDF tail, -1/(d ln F0/du) fitted over [lo, hi] eV: what
    trace-rare-gas emission measures (line thresholds 11-14 eV)."""
    sel = (grid.u >= lo) & (grid.u <= hi)
    slope = np.polyfit(grid.u[sel], np.log(np.maximum(F0[sel], 1e-300)), 1)[0]
    return float(-1.0 / slope)


def _bernoulli(z):
    z = np.asarray(z, float)
    out = np.ones_like(z)
    big = np.abs(z) > 1e-8
    zb = z[big]
    out[big] = zb / np.expm1(zb)
    return out


def _inelastic_matrix(grid: Grid, procs, fractions) -> sp.csr_matrix:
    """Σ_k of the inelastic operator as a matrix M (cell-integrated: M F = Δu C)."""
    u, du = grid.u, grid.du
    outs = [(GAMMA * x * u * p.sigma * du, p.threshold_eV)            # rate out of each cell (per F_i)
            for p, x in zip(procs, fractions) if x > 0 and p.kind == "inelastic"]
    return inelastic_matrix(grid, outs)


def inelastic_matrix(grid: Grid, outs) -> sp.csr_matrix:
    """The inelastic operator (cell-integrated) from ``outs``: pairs (rate out of each cell
    per F_i (n,), threshold eV); the in-scattering lands at u − threshold, split linearly
    between the two neighbouring cell centres (:func:`_inelastic_matrix`; the non-local
    operator of :mod:`.fluid2d.ccp_nonlocal` passes space-integrated out-rates)."""
    n, du, u = grid.n, grid.du, grid.u
    rows, cols, vals = [], [], []
    for out, threshold in outs:
        src = np.flatnonzero(out > 0)
        if src.size == 0:
            continue
        rows.append(src)
        cols.append(src)
        vals.append(-out[src])
        land = (u[src] - threshold) / du - 0.5    # fractional cell index of the landing
        land = np.maximum(land, 0.0)
        j = np.minimum(np.floor(land).astype(np.intp), n - 1)
        w1 = np.clip(land - j, 0.0, 1.0)
        j1 = np.minimum(j + 1, n - 1)
        rows += [j, j1]
        cols += [src, src]
        vals += [out[src] * (1 - w1), out[src] * w1]
    if not rows:
        return sp.csr_matrix((n, n))
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(n, n))


def _coulomb_log(mean_energy_eV: float, n_e: float) -> float:
    Te = 2.0 / 3.0 * mean_energy_eV
    lam_D = math.sqrt(EPS0 * Te / (EV * n_e))
    return math.log(max(12 * PI * n_e * lam_D ** 3, 10.0))


def _ee_coefficients(grid: Grid, F0: np.ndarray, ion_degree: float, n_e: float):
    """(W_ee, D_ee) at the cell faces (HP eqs. 34-36)."""
    u, du, f = grid.u, grid.du, grid.faces
    mean = float((u ** 1.5 * F0).sum() * du)
    a = EV ** 2 * GAMMA * _coulomb_log(mean, n_e) / (24 * PI * EPS0 ** 2)
    A1 = np.concatenate([[0.0], np.cumsum(np.sqrt(u) * F0 * du)])
    A2 = np.concatenate([[0.0], np.cumsum(u ** 1.5 * F0 * du)])
    A3 = np.concatenate([np.cumsum((F0 * du)[::-1])[::-1], [0.0]])
    W = -3 * a * ion_degree * A1
    D = 2 * a * ion_degree * (A2 + f ** 1.5 * A3)
    return W, D


class _Operator:
    """The parts of the discretised operator that do not depend on F0 or E/N."""

    def __init__(self, grid: Grid, procs, fractions, T_gas_K: float, omega_over_N: float):
        from ..constants import K_B
        n = grid.n
        self.grid = grid
        uc = np.maximum(grid.faces, 1e-12)
        sig_m = np.zeros(n + 1)
        sig_e = np.zeros(n + 1)
        for p, x in zip(procs, fractions):
            if x <= 0 or p.kind == "rate":
                continue
            s_face = np.interp(grid.faces, grid.u, p.sigma)
            sig_m += x * s_face
            if p.kind == "elastic":
                sig_e += x * 2 * p.mass_ratio * s_face
        sig_m = np.maximum(sig_m, 1e-30)
        self.W0 = -GAMMA * uc ** 2 * sig_e
        self.D_unit = GAMMA / 3 * uc * sig_m / (sig_m ** 2 + omega_over_N ** 2 / (GAMMA ** 2 * uc))
        self.D0 = GAMMA * (K_B * T_gas_K / EV) * uc ** 2 * sig_e
        self.Minel = _inelastic_matrix(grid, procs, fractions)
        keep = np.ones(n)
        keep[-1] = 0.0
        self.R = sp.diags(keep)
        self.norm = sp.csr_matrix((np.sqrt(grid.u) * grid.du, (np.full(n, n - 1), np.arange(n))),
                                  shape=(n, n))
        self.b = np.zeros(n)
        self.b[-1] = 1.0

    def solve(self, EN: float, We=None, De=None) -> np.ndarray:
        g = self.grid
        n, du = g.n, g.du
        W = self.W0 if We is None else self.W0 + We
        D = self.D0 + EN ** 2 * self.D_unit + (0.0 if De is None else De)
        Wi, Di = W[1:-1], np.maximum(D[1:-1], 1e-300)
        z = Wi * du / Di
        lo = Di / du * _bernoulli(-z)        # face flux G_j = lo F_{j-1} - hi F_j
        hi = Di / du * _bernoulli(z)
        diag = np.zeros(n)
        diag[:-1] += lo
        diag[1:] += hi
        A = sp.diags([diag, -hi, -lo], [0, 1, -1], shape=(n, n), format="csr") - self.Minel
        A = (self.R @ A + self.norm).tocsc()
        return np.maximum(spsolve(A, self.b), 0.0)

    def mean(self, F: np.ndarray) -> float:
        return float((self.grid.u ** 1.5 * F).sum() * self.grid.du)


def solve_eedf(grid: Grid, procs, fractions, EN: float, *, T_gas_K: float = 300.0,
               omega_over_N: float = 0.0, ion_degree: float = 0.0, n_e: float = 1e16,
               tol: float = 1e-7, max_iter: int = 500) -> EEDF:
    """EEDF at reduced field ``EN`` (V m²; rms for ω > 0) for the processes ``procs`` with
    target mole fractions ``fractions``; ``ion_degree`` = n_e/N switches e–e collisions on
    (n_e in m^-3 enters only ln Λ).  e–e by Picard iteration (slow where e–e dominates:
    prefer :func:`eedf_at_mean_energy`)."""
    op = _Operator(grid, procs, fractions, T_gas_K, omega_over_N)
    F = op.solve(EN)
    it = 1
    while ion_degree > 0 and it < max_iter:
        it += 1
        Fn = op.solve(EN, *_ee_coefficients(grid, F, ion_degree, n_e))
        done = _change(F, Fn) < tol
        F = Fn
        if done:
            break
    return EEDF(grid=grid, F0=F, mean_energy_eV=op.mean(F), EN=EN, iterations=it)


def _change(F, Fn) -> float:
    sel = Fn > 1e-10 * Fn.max()
    return float(np.max(np.abs(np.log(np.maximum(F[sel], 1e-300) / Fn[sel]))))


def eedf_at_mean_energy(grid: Grid, procs, fractions, mean_energy_eV: float, *,
                        T_gas_K: float = 300.0, omega_over_N: float = 0.0,
                        ion_degree: float = 0.0, n_e: float = 1e16, rtol: float = 1e-8,
                        tol: float = 1e-6, max_iter: int = 200,
                        F_init: np.ndarray | None = None, EN_guess: float = 1e-20) -> EEDF:
    """EEDF whose mean energy is ``mean_energy_eV``.  Each Picard step of the e–e
    coefficients solves for the E/N that gives the mean energy (Brent's method in ln E/N
    on the linear problem; the mean energy rises monotonically with the field), which
    pins the e–e coefficients' main dependence and makes the iteration converge in a few
    steps."""
    from scipy.optimize import brentq
    op = _Operator(grid, procs, fractions, T_gas_K, omega_over_N)
    F = maxwellian(grid, 2.0 / 3.0 * mean_energy_eV) if F_init is None else F_init
    EN = EN_guess
    x = (math.log(EN) - 1.0, math.log(EN) + 1.0)
    it = 0
    while it < max_iter:
        it += 1
        ee = _ee_coefficients(grid, F, ion_degree, n_e) if ion_degree > 0 else (None, None)

        def resid(lx, ee=ee):
            return math.log(op.mean(op.solve(math.exp(lx), *ee)) / mean_energy_eV)
        lo, hi = x
        flo, fhi = resid(lo), resid(hi)
        while flo > 0:
            lo, hi, fhi = lo - 2.0, lo, flo
            flo = resid(lo)
        while fhi < 0:
            lo, hi, flo = hi, hi + 2.0, fhi
            fhi = resid(hi)
        lx = brentq(resid, lo, hi, xtol=1e-12, rtol=rtol)
        EN = math.exp(lx)
        x = (lx - 0.3, lx + 0.3)
        Fn = op.solve(EN, *ee)
        done = ion_degree <= 0 or _change(F, Fn) < tol
        F = Fn
        if done:
            break
    return EEDF(grid=grid, F0=F, mean_energy_eV=op.mean(F), EN=EN, iterations=it)
