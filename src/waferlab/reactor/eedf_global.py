"""Global model with a Boltzmann EEDF (``reactor.eedf: boltzmann``).

The electron-impact rates of the chemistry are Maxwellian fits k_r(T_e).  With a
non-Maxwellian EEDF each becomes

    k_r^B(ε̄) = k_r(T_e) · c_r(T_e),   c_r = γ∫u σ_r F0_B du / γ∫u σ_r F0_M du,   ε̄ = 3/2 T_e

with σ_r the cross section fitted to k_r (:mod:`.cross_sections`), F0_B the two-term
Boltzmann EEDF of mean energy ε̄ (:mod:`.boltzmann`: the gas composition of the current
state, e–e collisions at its ionisation degree n_e/N, heating by the source's RF field
of angular frequency ω = 2π·13.56 MHz) and F0_M the Maxwellian of the same mean energy.
T_e of the global model is then 2/3 of the mean energy.  The factors are tabulated on
T_e·(0.85, 1, 1.15) around the current state (interpolated in ln T_e) and the global
model re-solved; the loop stops when T_e and n_e change by < 1e-3 between passes (the
factors then belong to the composition they were computed for to that tolerance; the
model keeps the factors the state was solved with, so its balances hold exactly).  The energy of the
electrons consumed by attachment keeps the Maxwellian expression.

The optical temperature (:func:`.boltzmann.optical_temperature`, EEDF slope over
11-14 eV) is what trace-rare-gas emission measures (Malyshev et al., J. Appl. Phys. 84,
137, 1998).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..constants import PI
from ..errors import SimulationError
from .boltzmann import EEDF, Grid, eedf_at_mean_energy, maxwellian, optical_temperature
from .cross_sections import electron_processes
from .global_model import GlobalModel, SteadyState

__all__ = ["BoltzmannResult", "solve_with_eedf", "rate_factor_table", "RF_FREQUENCY_HZ",
           "FACTOR_POINTS"]

RF_FREQUENCY_HZ = 13.56e6
FACTOR_POINTS = np.array([0.85, 1.0, 1.15])
GRID = Grid(n=400, u_max=50.0)


@dataclass(frozen=True)
class BoltzmannResult:
    """The steady state with the Boltzmann EEDF: ``eedf`` at the state's mean energy,
    ``T_optical_eV`` its 11-14 eV slope temperature, ``passes`` of the outer loop."""

    steady: SteadyState
    eedf: EEDF
    T_optical_eV: float
    passes: int


def _fractions(model: GlobalModel, st: SteadyState, procs) -> tuple[list[float], float]:
    n_g = float(st.n[model.neu].sum())
    idx = model.index
    xs = []
    for p in procs:
        i = idx.get(p.target)
        xs.append(0.0 if i is None or model.z[i] != 0 else float(st.n[i]) / n_g)
    return xs, n_g


def rate_factor_table(model: GlobalModel, st: SteadyState, grid: Grid = GRID):
    """(T_e points, factors (n_rx, n_T), EEDFs) around the state's T_e."""
    eprocs = electron_processes(model.chem, grid)
    procs = [p.process for p in eprocs]
    xs, n_g = _fractions(model, st, eprocs)
    omega_N = 2 * PI * RF_FREQUENCY_HZ / n_g
    T = st.T_e * FACTOR_POINTS
    fac = np.ones((model.n_rx, T.size))
    eedfs = []
    F, EN = None, 1e-20
    for j, Tj in enumerate(T):
        e = eedf_at_mean_energy(grid, procs, xs, 1.5 * Tj, T_gas_K=model.T_gas,
                                omega_over_N=omega_N, ion_degree=st.n_e / n_g, n_e=st.n_e,
                                F_init=F, EN_guess=EN)
        F, EN = e.F0, e.EN
        eedfs.append(e)
        FM = maxwellian(grid, Tj)
        for ep in eprocs:
            if ep.rx < 0:
                continue
            kM = float((grid.u * ep.process.sigma * FM).sum())
            kB = float((grid.u * ep.process.sigma * e.F0).sum())
            fac[ep.rx, j] = kB / kM if kM > 1e-300 and kB > 0 else 1.0
    return T, np.maximum(fac, 1e-30), eedfs


def _interpolator(T: np.ndarray, fac: np.ndarray):
    lnT, lnf = np.log(T), np.log(fac)

    def factor(Te):
        x = np.clip(np.log(np.atleast_1d(Te)), lnT[0], lnT[-1])
        j = np.clip(np.searchsorted(lnT, x) - 1, 0, lnT.size - 2)
        w = (x - lnT[j]) / (lnT[j + 1] - lnT[j])
        return np.exp(lnf[:, j] * (1 - w) + lnf[:, j + 1] * w)
    return factor


def solve_with_eedf(model: GlobalModel, st: SteadyState | None = None, *, rtol: float = 1e-3,
                    max_passes: int = 30, grid: Grid = GRID) -> BoltzmannResult:
    """Steady state of ``model`` with the Boltzmann EEDF (module docstring)."""
    if st is None:
        model.rate_factor = None
        st = model.steady_state()
    T, fac, eedfs = rate_factor_table(model, st, grid)
    for it in range(1, max_passes + 1):
        model.rate_factor = _interpolator(T, fac)
        try:
            new = model.steady_state(model.state_vector(st), t_end=0.0)
        except SimulationError:
            new = model.steady_state(model.state_vector(st))
        dT, dn = abs(new.T_e / st.T_e - 1), abs(new.n_e / st.n_e - 1)
        st = new
        T, fac, eedfs = rate_factor_table(model, st, grid)
        if dT < rtol and dn < rtol:           # the model keeps the factors it was solved with
            e = eedfs[int(np.argmin(np.abs(FACTOR_POINTS - 1.0)))]
            return BoltzmannResult(steady=st, eedf=e, T_optical_eV=optical_temperature(grid, e.F0),
                                   passes=it)
        if not math.isfinite(st.T_e):
            break
    raise SimulationError(f"the Boltzmann-EEDF global model did not converge in {max_passes} passes "
                          f"(last T_e change {dT:.2e}, n_e change {dn:.2e})")
