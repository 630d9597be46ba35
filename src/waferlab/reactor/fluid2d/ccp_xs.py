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

__all__ = ["PHELPS_GASES", "resolve_ion_cross_section"]

PHELPS_GASES = ("Ar",)       # gases with Phelps's ion cross sections (Ar⁺ in Ar)


def resolve_ion_cross_section(setting: str | None, gas: str) -> str:
    """``fluid2d.ccp.ion_cross_section`` of a recipe: the given one, else (default) ``phelps`` for a
    gas with Phelps's data and ``constant`` (the chemistry's σ_i) otherwise."""
    if setting is not None:
        return setting
    return "phelps" if gas in PHELPS_GASES else "constant"
