"""Plasma formulas from the seed (SI inputs, T_e in eV where named so).

Sources: Lieberman & Lichtenberg, *Principles of Plasma Discharges and Materials
Processing*, 2nd ed. (2005), ch. 2-4 and 12; the seed's multiphysics-coupling note
(ε_r = 1 - ω_pe²/(ω(ω + jν_m)), Kn = λ/L).
"""
from __future__ import annotations

import numpy as np

from ..constants import C_LIGHT, E_CHARGE, EPS0, K_B, M_E, PI

__all__ = ["plasma_frequency", "plasma_permittivity", "skin_depth", "collisionless_skin_depth",
           "collisional_skin_depth", "debye_length", "mean_free_path", "knudsen_number",
           "thermal_speed"]


def plasma_frequency(n_e):
    """Electron plasma frequency ω_pe = √(n_e e²/(ε0 m_e)) in rad/s (L&L §4.2)."""
    return np.sqrt(np.asarray(n_e, float) * E_CHARGE ** 2 / (EPS0 * M_E))


def plasma_permittivity(n_e, omega, nu_m=0.0):
    """Relative permittivity ε_r = 1 - ω_pe²/(ω(ω + jν_m)) (seed §3.1; L&L §4.2)."""
    return 1.0 - plasma_frequency(n_e) ** 2 / (omega * (omega + 1j * np.asarray(nu_m, float)))


def skin_depth(n_e, omega, nu_m=0.0):
    """Field decay length δ = c/(ω |Im √ε_r|) of a wave of angular frequency ω (m)."""
    k_im = np.abs(np.sqrt(plasma_permittivity(n_e, omega, nu_m)).imag)
    return C_LIGHT / (omega * k_im)


def collisionless_skin_depth(n_e):
    """δ_p = c/ω_pe, the ν_m, ω ≪ ω_pe limit (L&L §12.1)."""
    return C_LIGHT / plasma_frequency(n_e)


def collisional_skin_depth(n_e, omega, nu_m):
    """δ_c = δ_p √(2ν_m/ω), the ν_m ≫ ω limit (L&L §12.1)."""
    return collisionless_skin_depth(n_e) * np.sqrt(2.0 * np.asarray(nu_m, float) / omega)


def debye_length(n_e, T_e_eV):
    """λ_De = √(ε0 T_e/(e n_e)) with T_e in volts (L&L §2.4)."""
    return np.sqrt(EPS0 * np.asarray(T_e_eV, float) / (E_CHARGE * np.asarray(n_e, float)))


def mean_free_path(n_g, sigma):
    """λ = 1/(n_g σ) for a particle crossing a background of density n_g (L&L §3.1)."""
    return 1.0 / (np.asarray(n_g, float) * np.asarray(sigma, float))


def knudsen_number(mfp, length):
    """Kn = λ/L (seed, multiscale-modeling §3)."""
    return np.asarray(mfp, float) / np.asarray(length, float)


def thermal_speed(T, mass):
    """Mean speed v̄ = √(8kT/(πm)) of a Maxwellian at temperature T (K)."""
    return np.sqrt(8.0 * K_B * np.asarray(T, float) / (PI * mass))


