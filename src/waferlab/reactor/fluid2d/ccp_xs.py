"""Ar⁺/Ar cross sections of the 2D CCP (``fluid2d.ccp.ion_cross_section``, default ``phelps`` for
argon): the default, and the mean free paths of the bulk ion drift.

Momentum.  Of Phelps's two Ar⁺ + Ar channels (J. Appl. Phys. 76, 747, 1994;
:func:`..iedf_mc.phelps_ar_ion_cross_sections`) charge transfer sends the ion backward in the
centre-of-mass frame (it leaves at the atom's velocity: loses all its momentum) and the isotropic
part loses, for equal masses, half of it on average.  A constant-λ model in which every collision
stops the ion (Lieberman's collisional sheath, IEEE Trans. Plasma Sci. 17, 338, 1989; the bulk's
variable mobility, L&L 2005 §5.3) therefore has the same momentum loss per path length when

    σ_eq(ε) = σ_cx(ε) + σ_iso(ε)/2 = Q_m(ε)/2,                                      (1)

Q_m = σ_iso + 2σ_cx the momentum-transfer cross section (4.1e-19 m² at 30 eV, 1.0e-18 at 0.04 eV;
the argon chemistry's constant σ_i is 1e-18 m² at every energy).

Energy.  A field E (V/m) at gas density n gives an ion between collisions the energy
eEλ, so the cross section is taken at the energy gained over one mean free path,

    ε = E λ(ε) = E / (n σ_eq(ε))        (ε in eV),                                   (2)

solved by fixed-point iteration (σ_eq ∝ ε^-0.1 above 0.1 eV: a contraction; ε ≥ 0.04 eV, the
thermal energy, where the field term is negligible anyway) and tabulated in ln(E/n).

Not used in the collisional sheath law, which keeps the chemistry's σ_i (measured, session 12:
σ_eq at the sheath's mean field V̄/s_m, ε ≈ 20 eV, gives λ_i 0.48 → 1.13 mm on the eduPIC case
and its V_T/V_PIC 1.21 → 1.38, outside the benchmark's 30 %; the example's sheaths then fill
the gap; docs/reactor.md).

Low field.  The bulk drift (:class:`.ccp.CCPTransport`) is eE/M = u (v̄/λ₀ + (π/2) u/λ_h): with
λ_h = 1/(n σ_eq(ε)) the high-field drift u = (2eEλ_h/πM)^½ of (1)–(2), and λ₀ = 1/(n σ₀) set by the
measured zero-field reduced mobility of Ar⁺ in Ar at 300 K, K₀ = 1.53 cm²/(V s) (H. W. Ellis,
R. Y. Pai, E. W. McDaniel et al., At. Data Nucl. Data Tables 17, 177, 1976):
u = eEλ₀/(M v̄) = K₀ (N₀/n) E, so σ₀ = e/(M v̄ K₀ N₀) (1.47e-18 m² at T_i = 0.026 eV).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ...constants import E_CHARGE, EV, PI
from ..iedf_mc import phelps_ar_ion_cross_sections

__all__ = ["PHELPS_GASES", "resolve_ion_cross_section", "K0_AR_M2_VS",
           "LOSCHMIDT_M3", "momentum_sigma", "field_energy_eV", "field_sigma", "low_field_sigma"]

K0_AR_M2_VS = 1.53e-4        # zero-field reduced mobility of Ar⁺ in Ar, 300 K (Ellis et al. 1976)
LOSCHMIDT_M3 = 2.6868e25     # N₀: gas density at 273.15 K, 101325 Pa (the reduced mobility's)
_E_MIN_EV = 0.04            # eV: below ~3kT/2 the ions are thermal (the field term is negligible there)
PHELPS_GASES = ("Ar",)       # gases with Phelps's ion cross sections (Ar⁺ in Ar)


def resolve_ion_cross_section(setting: str | None, gas: str) -> str:
    """``fluid2d.ccp.ion_cross_section`` of a recipe: the given one, else (default) ``phelps`` for a
    gas with Phelps's data (argon: the eduPIC benchmark's 1.12 of the PIC's mean ion energy against
    0.52 with the constant σ_i; docs/reactor.md) and ``constant`` (the chemistry's σ_i) otherwise."""
    if setting is not None:
        return setting
    return "phelps" if gas in PHELPS_GASES else "constant"


def momentum_sigma(E_eV):
    """σ_eq = σ_cx + σ_iso/2 = Q_m/2 (m²) of eq. (1) at the lab energy E (eV)."""
    s_iso, s_cx = phelps_ar_ion_cross_sections(np.maximum(np.asarray(E_eV, float), _E_MIN_EV))
    return s_cx + 0.5 * s_iso


def field_energy_eV(E_V_m, n_g, iterations: int = 6):
    """ε (eV) of eq. (2): the energy gained over one mean free path 1/(n σ_eq(ε)) in a field E."""
    x = np.maximum(np.asarray(E_V_m, float), 0.0) / np.asarray(n_g, float)      # E/n (V m²)
    eps = np.maximum((x / 5.75e-19) ** (1 / 0.9), _E_MIN_EV)                      # σ_eq ≈ 5.75e-19 ε^-0.1
    for _ in range(iterations):
        eps = np.maximum(x / momentum_sigma(eps), _E_MIN_EV)
    return eps


@lru_cache(maxsize=1)
def _sigma_table(n: int = 481) -> tuple[np.ndarray, np.ndarray]:
    """(ln E/n, ln σ_eq(ε(E/n))) on E/n = 1e-25 ... 1e-13 V m² (constant data: built once)."""
    x = np.geomspace(1e-25, 1e-13, n)
    return np.log(x), np.log(momentum_sigma(field_energy_eV(x, 1.0, iterations=12)))


def field_sigma(E_V_m, n_g):
    """σ_eq(ε) (m²) at the energy (2) of the field E at gas density n (interpolated in ln E/n;
    E/n outside the table takes its end values)."""
    lx, ls = _sigma_table()
    x = np.maximum(np.asarray(E_V_m, float), 1e-300) / np.asarray(n_g, float)
    return np.exp(np.interp(np.log(x), lx, ls))


def low_field_sigma(m_i: float, T_i_eV: float) -> float:
    """σ₀ = e/(M v̄ K₀ N₀) (m²): the bulk's zero-field mobility eλ₀/(M v̄) is the measured K₀N₀/n."""
    vbar = float(np.sqrt(8 * EV * T_i_eV / (PI * m_i)))
    return E_CHARGE / (m_i * vbar * K0_AR_M2_VS * LOSCHMIDT_M3)
