"""The 2D CCP's default ion–neutral cross section (``fluid2d.ccp.ion_cross_section``).

``phelps`` — the energy-dependent Ar⁺/Ar charge-transfer and isotropic cross sections of
A. V. Phelps, J. Appl. Phys. 76, 747 (1994) (:func:`..iedf_mc.phelps_ar_ion_cross_sections`) in
the collisional sheath's ion Monte Carlo — is the default for the gases with Phelps's data
(argon): on the eduPIC benchmark (Donkó et al., Plasma Sources Sci. Technol. 30, 095017, 2021;
:mod:`waferlab.validation.ccp_edupic`) it gives the PIC's mean ion energy at the electrode to
1.12 against 0.52 with the chemistry's constant σ_i (docs/reactor.md).  Other gases keep
``constant`` (the chemistry's σ_i at every energy).  The sheath law's λ_i and the bulk's ion
mobility keep the chemistry's σ_i with either setting (session 12 measured Phelps's momentum
transfer in both and did not adopt it: docs/reactor.md, *Ion drift*).
"""
from __future__ import annotations

import numpy as np

__all__ = ["PHELPS_GASES", "resolve_ion_cross_section", "phelps_petrovic_ar", "PP_EXCITATION_EV",
           "PP_IONISATION_EV"]

PP_EXCITATION_EV = 11.5      # the lumped excitation's threshold (Phelps & Petrovic 1999)
PP_IONISATION_EV = 15.8

PHELPS_GASES = ("Ar",)       # gases with Phelps's ion cross sections (Ar⁺ in Ar)


def resolve_ion_cross_section(setting: str | None, gas: str) -> str:
    """``fluid2d.ccp.ion_cross_section`` of a recipe: the given one, else (default) ``phelps`` for a
    gas with Phelps's data and ``constant`` (the chemistry's σ_i) otherwise."""
    if setting is not None:
        return setting
    return "phelps" if gas in PHELPS_GASES else "constant"


def phelps_petrovic_ar(u_eV) -> dict[str, np.ndarray]:
    """The e⁻/Ar cross sections (m²) at electron energies ``u_eV`` of A. V. Phelps & Z. Lj. Petrović,
    Plasma Sources Sci. Technol. 8, R21 (1999), in the analytic form the eduPIC benchmark uses
    (Donkó et al. 2021; eduPIC's electrons scatter isotropically, so ``elastic`` is the momentum
    transfer): ``elastic`` (with the Ramsauer minimum near 0.23 eV), ``excitation`` (all levels
    lumped at 11.5 eV) and ``ionisation`` (15.8 eV), in units of 1e-20 m²:

        σ_el  = |6/(1 + u/0.1 + (u/0.6)²)^3.3 − 1.1u^1.4/(1 + (u/15)^1.2)/√(1 + (u/5.5)^2.5 + (u/60)^4.1)|
                + 0.05/(1 + u/10)² + 0.01u³/(1 + (u/12)^6)
        σ_exc = 0.034(u − 11.5)^1.1 (1 + (u/15)^2.8)/(1 + (u/23)^5.5) + 0.023(u − 11.5)/(1 + u/80)^1.9
        σ_iz  = 970(u − 15.8)/(70 + u)² + 0.06(u − 15.8)² e^(−u/9)
    """
    u = np.maximum(np.asarray(u_eV, float), 1e-6)
    el = (np.abs(6.0 / (1.0 + u / 0.1 + (u / 0.6) ** 2) ** 3.3
                 - 1.1 * u ** 1.4 / (1.0 + (u / 15.0) ** 1.2) / np.sqrt(1.0 + (u / 5.5) ** 2.5 + (u / 60.0) ** 4.1))
          + 0.05 / (1.0 + u / 10.0) ** 2 + 0.01 * u ** 3 / (1.0 + (u / 12.0) ** 6))
    x = np.maximum(u - PP_EXCITATION_EV, 0.0)
    exc = np.where(u > PP_EXCITATION_EV, 0.034 * x ** 1.1 * (1.0 + (u / 15.0) ** 2.8) / (1.0 + (u / 23.0) ** 5.5)
                   + 0.023 * x / (1.0 + u / 80.0) ** 1.9, 0.0)
    y = np.maximum(u - PP_IONISATION_EV, 0.0)
    iz = np.where(u > PP_IONISATION_EV, 970.0 * y / (70.0 + u) ** 2 + 0.06 * y ** 2 * np.exp(-u / 9.0), 0.0)
    return {"elastic": el * 1e-20, "excitation": exc * 1e-20, "ionisation": iz * 1e-20}
