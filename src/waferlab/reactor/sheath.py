"""Sheath: Bohm flux, floating potential, RF self-bias, Child-law thickness, IEDF, IADF.

Voltages in volts, T_e in eV (= volts), masses in kg.  Sources: Lieberman &
Lichtenberg (2005) ch. 6, 11; Benoit-Cattin & Bernard, J. Appl. Phys. 39, 5723
(1968); Kawamura, Vahedi, Lieberman & Birdsall, Plasma Sources Sci. Technol. 8,
R45 (1999).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.special import i0e

from ..constants import E_CHARGE, EV, M_E, PI
from .formulas import debye_length

__all__ = ["cos_exponent", "bohm_velocity", "bohm_flux", "floating_sheath_voltage", "floating_potential",
           "plasma_potential", "mean_sheath_voltage", "dc_self_bias", "child_sheath_thickness",
           "ion_transit_time", "iedf_splitting", "Distribution", "iedf", "iadf",
           "rf_amplitude_from_power"]


def bohm_velocity(T_e_eV, m_i):
    """u_B = √(e T_e/M) (L&L §6.2)."""
    return np.sqrt(EV * np.asarray(T_e_eV, float) / m_i)


def bohm_flux(n_s, T_e_eV, m_i):
    """Ion flux Γ = n_s u_B at the sheath edge (m^-2 s^-1)."""
    return np.asarray(n_s, float) * bohm_velocity(T_e_eV, m_i)


def floating_sheath_voltage(T_e_eV, m_i):
    """Sheath drop of a floating wall V_s = T_e ln √(M/(2π m_e)) (L&L §6.2)."""
    return np.asarray(T_e_eV, float) * 0.5 * np.log(m_i / (2 * PI * M_E))


def floating_potential(T_e_eV, m_i):
    """Floating wall potential relative to the bulk plasma: -(T_e/2)(1 + ln(M/2πm))."""
    return -(0.5 * np.asarray(T_e_eV, float) + floating_sheath_voltage(T_e_eV, m_i))


def plasma_potential(T_e_eV, m_i):
    """Plasma potential above grounded walls: presheath T_e/2 plus the floating sheath."""
    return -floating_potential(T_e_eV, m_i)


def mean_sheath_voltage(V_rf, T_e_eV, m_i):
    """Time-averaged drop of a sheath driven by V_rf sin ωt through a blocking capacitor.

    Zero net current per period, Boltzmann electrons, constant Bohm ion current:
    V̄ = V_s,float + T_e ln I0(V_rf/T_e) (L&L §11.1); → V_rf for V_rf ≫ T_e.
    """
    x = np.asarray(V_rf, float) / T_e_eV
    return floating_sheath_voltage(T_e_eV, m_i) + T_e_eV * (np.log(i0e(x)) + x)


def dc_self_bias(V_rf, T_e_eV, m_i):
    """DC potential of the biased electrode relative to grounded walls (negative).

    V_dc = V_p - T_e/2 - V̄, so the ions gain e(V_p - V_dc) = e(T_e/2 + V̄); assumes the
    grounded area is much larger than the electrode (V_p does not oscillate).
    """
    return plasma_potential(T_e_eV, m_i) - 0.5 * T_e_eV - mean_sheath_voltage(V_rf, T_e_eV, m_i)


def child_sheath_thickness(V, n_s, T_e_eV):
    """Collisionless Child-law sheath s = (√2/3) λ_De (2V/T_e)^{3/4} (L&L §6.3)."""
    return np.sqrt(2.0) / 3.0 * debye_length(n_s, T_e_eV) * (2.0 * np.asarray(V, float) / T_e_eV) ** 0.75


def ion_transit_time(s, V, m_i):
    """Transit time through a Child-law sheath from rest: τ = 3 s √(M/(2eV))."""
    return 3.0 * s * np.sqrt(m_i / (2.0 * E_CHARGE * np.asarray(V, float)))


def iedf_splitting(V_rf, V_mean, s, m_i, frequency):
    """Peak splitting ΔE (eV) of the bimodal IEDF of a sheath of mean thickness s.

    Low frequency (τ_ion ≪ T_rf): ΔE → 2V_rf.  High frequency: first-order
    perturbation of the ion trajectory in the oscillating Child-law sheath (the method
    of Benoit-Cattin & Bernard 1968; cf. Kawamura et al. 1999 §3) gives
    ΔE_hf = (8/3) V_rf √(2eV̄/M)/(s ω) = 8 V_rf/(ω τ_ion) = (4/π) V_rf T_rf/τ_ion.
    Between the limits ΔE = ΔE_lf/√(1 + (ΔE_lf/ΔE_hf)²).  (Kawamura et al. quote the
    prefactor 3/π instead of 8/3 for their sheath model; the 8/3 here is the one the
    trajectories of this Child-law model follow, see tests/reactor/test_sheath.py.)
    """
    omega = 2 * PI * frequency
    lf = 2.0 * np.asarray(V_rf, float)
    hf = 8.0 / 3.0 * np.asarray(V_rf, float) / (s * omega) * np.sqrt(2 * E_CHARGE * V_mean / m_i)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(lf > 0, lf / np.sqrt(1.0 + (lf / np.maximum(hf, 1e-300)) ** 2), 0.0)


@dataclass(frozen=True, kw_only=True)
class Distribution:
    """A sampled distribution: ``x`` (grid) and ``pdf`` with ∫pdf dx = 1 (trapezoid)."""

    x: np.ndarray
    pdf: np.ndarray

    def mean(self) -> float:
        return float(np.trapezoid(self.x * self.pdf, self.x))

    def cdf(self) -> np.ndarray:
        c = np.concatenate([[0.0], np.cumsum(0.5 * (self.pdf[1:] + self.pdf[:-1]) * np.diff(self.x))])
        return c / c[-1]

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw by inverse-CDF interpolation."""
        return np.interp(rng.random(size), self.cdf(), self.x)


def _normalise(x, p) -> Distribution:
    p = np.maximum(p, 0.0)
    return Distribution(x=x, pdf=p / np.trapezoid(p, x))


def iedf(E_mean_eV: float, dE_eV: float, *, spread_eV: float = 0.05, n: int = 801,
         grid: np.ndarray | None = None) -> Distribution:
    """Ion energy distribution at the electrode (collisionless sheath).

    Energies E(φ) = E_mean + (ΔE/2) sin φ for uniform RF phase φ: the arcsine density
    1/(π√((ΔE/2)² - (E - E_mean)²)) with peaks at E_mean ± ΔE/2 (Kawamura et al. 1999
    §3), bin-integrated exactly from its CDF and broadened by a Gaussian of width
    ``spread_eV`` (ion thermal spread).  The mean is E_mean by symmetry.
    """
    A = 0.5 * dE_eV
    sig = max(spread_eV, 1e-6)
    lo, hi = max(E_mean_eV - A - 6 * sig, 0.0), E_mean_eV + A + 6 * sig
    x = np.linspace(lo, hi, n) if grid is None else np.asarray(grid, float)
    h = x[1] - x[0]
    edges = np.concatenate([x - h / 2, [x[-1] + h / 2]])
    if A > 0:
        u = np.clip((edges - E_mean_eV) / A, -1.0, 1.0)
        prob = np.diff(0.5 + np.arcsin(u) / PI)
    else:
        prob = np.diff((edges >= E_mean_eV).astype(float))
    m = int(6 * sig / h) + 1
    k = np.arange(-m, m + 1) * h
    kern = np.exp(-0.5 * (k / sig) ** 2)
    prob = np.convolve(prob, kern / kern.sum(), mode="full")[m: m + x.size]
    return _normalise(x, prob / h)


def _theta_pdf(theta, a):
    """Polar-angle density of ions with parallel energy E and transverse temperature T,
    a = E/T: f(θ) = 2a tanθ sec²θ exp(-a tan²θ) (∫0^{π/2} f dθ = 1)."""
    t = np.tan(theta)
    with np.errstate(over="ignore", invalid="ignore"):
        f = 2 * a * t / np.cos(theta) ** 2 * np.exp(-a * t ** 2)
    return np.nan_to_num(f)


def iadf(E_mean_eV: float, T_i_eV: float, *, s: float, mfp: float, T_gas_eV: float | None = None,
         n: int = 721, n_depth: int = 400) -> Distribution:
    """Ion angular distribution (density in polar angle θ, radians, 0..π/2).

    Collisionless part, weight exp(-s/λ): transverse ion temperature T_i, parallel
    energy E: f(θ) = 2a tanθ sec²θ e^{-a tan²θ}, a = E/T_i.  Ions whose last
    charge-exchange collision was at depth x (density e^{-(s-x)/λ}/λ) restart cold
    (T_gas, parallel energy ≈ T_gas) and gain E(1 - (x/s)^{4/3}) in the Child potential, broadening the
    distribution as the sheath gets collisional (s/λ ≳ 1).  The depth integral uses the
    midpoint rule in u = √(1 - x/s) on ``n_depth`` points (the substitution removes the
    (1 - x/s)^-½ behaviour of the angular spread near the electrode).
    """
    Tg = T_i_eV if T_gas_eV is None else T_gas_eV
    theta = np.linspace(0.0, 0.5 * PI, n)[:-1]
    theta = np.append(theta, 0.5 * PI - 1e-9)
    P0 = np.exp(-s / mfp)
    f = P0 * _theta_pdf(theta, E_mean_eV / T_i_eV)
    if P0 < 1.0 - 1e-12:
        u = (np.arange(n_depth) + 0.5) / n_depth        # 1 - x/s = u²: smooth near the wall
        xi = 1.0 - u ** 2
        w = np.exp(-(1 - xi) * s / mfp) * (s / mfp) * 2 * u / n_depth
        E = E_mean_eV * (1 - xi ** (4.0 / 3.0)) + Tg
        f = f + (w[:, None] * _theta_pdf(theta[None, :], (E / Tg)[:, None])).sum(axis=0)
    return _normalise(theta, f)


def rf_amplitude_from_power(power, ion_flux, area, T_e_eV, m_i):
    """RF amplitude V_rf whose ion power Γ A e (T_e/2 + V̄(V_rf)) equals ``power`` (L&L §11.2:
    the bias power goes to the ions)."""
    def f(v):
        return ion_flux * area * EV * (0.5 * T_e_eV + mean_sheath_voltage(v, T_e_eV, m_i)) - power
    if f(0.0) >= 0:
        return 0.0
    hi = 10.0
    while f(hi) < 0:
        hi *= 2.0
        if hi > 1e7:
            raise ValueError("bias power too large for the ion current")
    return brentq(f, 0.0, hi, xtol=1e-9)


def cos_exponent(angular: Distribution) -> float:
    """Exponent n of the cosⁿθ (per solid angle) source with the same ⟨sin²θ⟩ as ``angular``
    (a density per dθ): for cosⁿθ, ⟨sin²θ⟩ = 2/(n+3), so n = 2/⟨sin²θ⟩ - 3."""
    m = float(np.trapezoid(np.sin(angular.x) ** 2 * angular.pdf, angular.x))
    return max(2.0 / max(m, 1e-300) - 3.0, 0.0)
