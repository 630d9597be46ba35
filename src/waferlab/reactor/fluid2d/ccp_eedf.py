"""Mean-energy tables of the two-term Boltzmann EEDF for the 2D CCP (``reactor.eedf: boltzmann``
with ``source.type: ccp``, ``model: fluid2d``): the local mean-energy approximation (LMEA).

The fluid codes' standard way of carrying a non-Maxwellian EEDF (Hagelaar & Pitchford, Plasma
Sources Sci. Technol. 14, 722, 2005, §4; the BOLSIG+ tables of COMSOL's Plasma Module and of
Zapdos): the steady two-term Boltzmann equation (:mod:`..boltzmann`) is solved over a range of
reduced fields E/N, and every electron coefficient is tabulated against the EEDF's mean energy
ε̄; the fluid's electron energy equation then carries ε̄ = 3/2 T_e (T_e is ⅔ of the mean energy,
the fluid's unknown), and each coefficient is read from the table at the local ε̄:

    k_r(ε̄) = γ ∫ u σ_r F0(u; ε̄) du            rates (ionisation, excitation, momentum transfer)
    c_r(ε̄) = k_r(ε̄) / γ∫ u σ_r F_M(u; ⅔ε̄) du   the factor on the chemistry's Maxwellian fit k_r(T_e)

σ_r are the cross sections fitted to the chemistry's rates (:mod:`..cross_sections`; for argon
the L&L Table 3.3 fits), so the Maxwellian limit of the tables is the chemistry's own rate set
(within the fit error; tests).  The energy loss per electron Σ k_r N E_r and the collision
frequency ν_m = N k_el (diffusion, thermal conduction and ohmic heating) follow from the same
factors, through :attr:`..global_model.GlobalModel.rate_factor`.

The Bohm speed.  For a non-Maxwellian EEDF the Bohm criterion is Riemann's generalised one
(K.-U. Riemann, J. Phys. D 24, 493, 1991; Allen, Plasma Sources Sci. Technol. 18, 014004, 2009):
u_B² = e T_B/m_i with the "screening" temperature of the electrons at the sheath edge

    1/T_B = (1/n_e) dn_e/d(eφ) = ½ ∫ u^(-1/2) F0 du      (∫ u^½ F0 du = 1; T_B = T for a Maxwellian)

(the density of electrons climbing a potential step V is ∫ u^½ F0(u + V) du; differentiate at
V = 0 and integrate by parts).  The table carries T_B/T_e and the CCP's wall flux uses it.

Conditions of the Boltzmann solutions: the gas of the recipe at its density and temperature,
the RF field of the CCP's angular frequency ω (effective cross section σ_m + (ω/N)²/(γ²u σ_m),
HP eq. 30: the field heating of the fluid model is ohmic), e–e collisions at the ionisation
degree n₀/N of the homogeneous CCP model (one table per recipe, as the commercial codes use one).
Ionisation is treated as an excitation (no growth, HP §2.5).  The EEDF is local: it does not see
the stochastic heating at the sheath edges or the non-local kinetics of a low-pressure CCP
(docs/reactor.md, bench/results/reactor_fluid2d_ccp_eedf_s13.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..boltzmann import GAMMA, Grid, eedf_at_mean_energy, maxwellian
from ..cross_sections import electron_processes

__all__ = ["MeanEnergyTable", "mean_energy_table", "bohm_temperature", "TABLE_GRID", "TABLE_MEAN_ENERGY_EV"]

TABLE_GRID = Grid(n=400, u_max=60.0)
FACTOR_FLOOR = 1e-30      # c_r below this: no such collisions (the solver's round-off level is ~1e-16 of F0's peak)
# ε̄ = 0.75 ... 12 eV (T_e = 0.5 ... 8 eV, the range of the cross-section fit, T_FIT_EV)
TABLE_MEAN_ENERGY_EV = np.geomspace(0.75, 12.0, 17)


def bohm_temperature(grid: Grid, F0: np.ndarray) -> float:
    """T_B = 2 ∫u^½F0 du / ∫u^(-1/2)F0 du (eV), the generalised Bohm temperature (module
    docstring); F0 constant over each cell, whose u^(∓1/2) weights are integrated exactly
    (∫_cell u^(-1/2) du = 2(√u₊ − √u₋): a midpoint rule would be off by 8 % at du = 0.15 eV, T = 2.6 eV)."""
    s = np.sqrt(grid.faces)
    w_half = 2.0 * (s[1:] - s[:-1])
    w_norm = 2.0 / 3.0 * (s[1:] ** 3 - s[:-1] ** 3)
    return float(2.0 * (w_norm * F0).sum() / (w_half * F0).sum())


@dataclass(frozen=True)
class MeanEnergyTable:
    """Coefficients against the mean energy ``mean_energy_eV`` (m,): ``rate`` (n_rx, m) the
    Boltzmann rate coefficient of each reaction (m³/s; 0 for reactions without a cross section),
    ``factor`` (n_rx, m) the ratio to the Maxwellian rate of the same cross section at
    T_e = ⅔ε̄ (1 where no cross section), ``EN`` (m,) the reduced field (V m²; rms),
    ``T_bohm_ratio`` (m,) T_B/(⅔ε̄); ``names`` the reactions' ids, ``ion_degree`` the n_e/N of the
    e–e collisions."""

    mean_energy_eV: np.ndarray
    EN: np.ndarray
    rate: np.ndarray
    factor: np.ndarray
    T_bohm_ratio: np.ndarray
    names: tuple[str, ...] = field(default=())
    ion_degree: float = 0.0

    def _interp(self, y: np.ndarray, Te) -> np.ndarray:
        """ln y interpolated linearly in ln ε̄, ε̄ = 3/2 T_e clipped to the table."""
        x = np.log(self.mean_energy_eV)
        e = np.clip(np.log(1.5 * np.maximum(np.atleast_1d(np.asarray(Te, float)), 1e-6)), x[0], x[-1])
        j = np.clip(np.searchsorted(x, e) - 1, 0, x.size - 2)
        w = (e - x[j]) / (x[j + 1] - x[j])
        ly = np.log(np.maximum(y, 1e-300))
        return np.exp(ly[..., j] * (1 - w) + ly[..., j + 1] * w)

    def rate_factor(self, Te) -> np.ndarray:
        """c_r(ε̄ = 3/2 T_e), shape (n_rx, size of T_e): :attr:`GlobalModel.rate_factor`."""
        return self._interp(self.factor, np.ravel(Te))

    def bohm_temperature(self, Te) -> np.ndarray:
        """T_B (eV) at T_e = ⅔ε̄, the shape of ``Te``."""
        Te = np.asarray(Te, float)
        return Te * self._interp(self.T_bohm_ratio, Te.ravel()).reshape(Te.shape)


def mean_energy_table(chem, n_g: float, T_gas_K: float, omega: float, ion_degree: float, n_e: float, *,
                      grid: Grid = TABLE_GRID, mean_energy_eV: np.ndarray = TABLE_MEAN_ENERGY_EV,
                      maxwellian_eedf: bool = False) -> MeanEnergyTable:
    """The table of ``chem`` (a :class:`..chemistry.Chemistry` of one gas; every electron
    reaction's target at mole fraction 1) at gas density ``n_g`` (m⁻³), ``T_gas_K``, field angular
    frequency ``omega`` (rad/s; 0: DC), e–e collisions at ``ion_degree`` = n_e/N (``n_e`` enters
    ln Λ only).  ``maxwellian_eedf``: tabulate Maxwellians instead (the limit the tests check).
    Memoised on the arguments (a pure cache)."""
    key = (chem.name, tuple((r.id, r.form, tuple(r.params), r.loss_eV) for r in chem.reactions))
    args = (float(n_g), float(T_gas_K), float(omega), float(ion_degree), float(n_e), grid,
            tuple(float(e) for e in mean_energy_eV), bool(maxwellian_eedf))
    if (key, args) not in _CACHE:
        if len(_CACHE) >= 8:
            _CACHE.clear()
        _CACHE[(key, args)] = _table(chem, *args)
    return _CACHE[(key, args)]


_CACHE: dict[tuple, MeanEnergyTable] = {}      # pure memo: same chemistry and conditions -> same table


def _table(chem, n_g, T_gas_K, omega, ion_degree, n_e, grid, means, maxw) -> MeanEnergyTable:
    eps = np.array(means)
    eprocs = [p for p in electron_processes(chem, grid) if p.rx >= 0]
    procs = [p.process for p in eprocs]
    n_rx = len(chem.reactions)
    rate = np.zeros((n_rx, eps.size))
    fac = np.ones((n_rx, eps.size))
    EN = np.zeros(eps.size)
    TB = np.ones(eps.size)
    F, EN_guess = None, 1e-21
    w = GAMMA * grid.u * grid.du
    for j, e in enumerate(eps):
        FM = maxwellian(grid, e / 1.5)
        if maxw:
            F0 = FM
        else:
            sol = eedf_at_mean_energy(grid, procs, [1.0] * len(procs), float(e), T_gas_K=T_gas_K,
                                      omega_over_N=omega / n_g, ion_degree=ion_degree, n_e=n_e,
                                      F_init=F, EN_guess=EN_guess)
            F0, EN[j] = sol.F0, sol.EN
            F, EN_guess = sol.F0, sol.EN
        TB[j] = bohm_temperature(grid, F0) / (e / 1.5)
        for p in eprocs:
            kB = float((w * p.process.sigma * F0).sum())
            kM = float((w * p.process.sigma * FM).sum())
            rate[p.rx, j] = kB
            fac[p.rx, j] = kB / kM if kM > 1e-300 and kB > 0 else (1.0 if kM <= 1e-300 else 1e-300)
    for p in eprocs:        # threshold rates rise with ε̄: drop the solver's round-off (|F0| ~ 1e-16 F0_max)
        if p.process.kind == "inelastic" and not maxw:
            rate[p.rx] = np.minimum.accumulate(rate[p.rx][::-1])[::-1]
            kMs = np.array([float((w * p.process.sigma * maxwellian(grid, e / 1.5)).sum()) for e in eps])
            fac[p.rx] = np.where(kMs > 1e-300, rate[p.rx] / np.maximum(kMs, 1e-300), 1.0)
    return MeanEnergyTable(mean_energy_eV=eps, EN=EN, rate=rate, factor=np.maximum(fac, FACTOR_FLOOR), T_bohm_ratio=TB,
                           names=tuple(r.id for r in chem.reactions), ion_degree=ion_degree)
