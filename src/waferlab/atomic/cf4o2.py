"""CF4/O2 etching of silicon: fluorine etching with oxygen and carbon passivation.

The model of ViennaPS's ``CF4O2Etching`` (rate forms and default parameters read from
its ``psCF4O2Etching.hpp``/``psCF4O2Parameters.hpp``), an extension of the SF6/O2 site
balance of Belen et al. (J. Vac. Sci. Technol. A 23, 99, 2005) by a carbon (polymer)
coverage that oxygen removes; the ion-enhanced yield form is Steinbrüchel's
(Appl. Phys. Lett. 55, 1960, 1989) with Belen's angular factor.  Three species share
the sites — F (θ_F), O (θ_O), C (θ_C) — with incident fluxes Γ_F, Γ_O, Γ_C:

    σ dθ_F/dt = Γ_F (1 − Σθ) − (kσ + 2 (YΓ)_ie) θ_F
    σ dθ_O/dt = Γ_O (1 − Σθ) − (βσ + (YΓ)_O)   θ_O
    σ dθ_C/dt = Γ_C (1 − Σθ) − ((YΓ)_C + Γ_O)  θ_C

(oxygen ashes the carbon).  Their steady state is the competitive Langmuir solution
(``atomic.coverage.steady_coverages``).  The Si removal flux and etch rate:

    R_Si = kσ θ_F / 4 + (YΓ)_sp + (YΓ)_ie θ_F ,   ER = R_Si / ρ_Si
    ER_mask = (YΓ)_sp,mask / ρ_mask

Yields (E in eV, θ the incidence angle): Y_sp = A_sp (√E − √E_th,sp) (no angular
factor); Y_ie = A_ie (√E − √15) f(θ), Y_O = A_O (√E − √10) f(θ), Y_C = A_C (√E − √10) f(θ),
f = 1 for θ ≤ 60°, 3 − 6θ/π above (``belen_ie``).  Traced sticking of the re-emitted
neutrals, per material m (θ = Σθ):

    S_F = γ_F,m (1 − θ) + γ_F,ox,m θ_O
    S_O = γ_O,m (1 − θ) + γ_O,pass,m θ_C
    S_C = γ_C,m (1 − θ) + γ_C,ox,m θ_O

The balance uses the incident fluxes (the peer's ``fluxIncludeSticking = false``).  Ions
are re-emitted at every hit (no sticking) into the peer's coned lobe, losing energy by
its law, until their energy falls to E_th,ie.  The peer quotes fluxes in
10¹⁵ cm⁻²s⁻¹ and densities in 10²² cm⁻³; everything here is SI.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping

import numpy as np

from .coverage import steady_coverages
from .ion_enhanced import IonBeam
from .kinetics import free_sites
from .sf6o2 import VIENNAPS_DENSITY_UNIT, VIENNAPS_FLUX_UNIT
from .yields import IonYield

__all__ = ["CF4O2Parameters", "CF4O2Chemistry", "cf4o2_flat_rates"]

_GAMMAS = ("gamma_F", "gamma_F_oxidized", "gamma_O", "gamma_O_passivated", "gamma_C",
           "gamma_C_oxidized")


@dataclass(frozen=True, kw_only=True)
class CF4O2Parameters:
    """Parameters of the CF4/O2 model; defaults are ViennaPS 4.7's ``CF4O2Parameters`` in SI.

    ion_flux, etchant_flux, oxygen_flux, polymer_flux   source fluxes (m⁻²s⁻¹)
    ion_energy_eV, ion_energy_sigma_eV, ion_exponent     normal IEDF and cosⁿθ source
    gamma_*          sticking maps {material: γ}; materials not listed: ``gamma_default``
    k_sigma, beta_sigma   kσ, βσ (m⁻²s⁻¹);  si_density, mask_density  ρ (m⁻³)
    A_sp, E_th_sp_eV, A_ie, E_th_ie_eV            Si sputtering, ion-enhanced etching
    A_sp_mask, E_th_sp_mask_eV                    mask sputtering
    A_O, E_th_O_eV, A_C, E_th_C_eV                ion removal of O and C
    """

    ion_flux: float = 12.0 * VIENNAPS_FLUX_UNIT
    etchant_flux: float = 1.8e3 * VIENNAPS_FLUX_UNIT
    oxygen_flux: float = 1.0e2 * VIENNAPS_FLUX_UNIT
    polymer_flux: float = 1.0e2 * VIENNAPS_FLUX_UNIT
    ion_energy_eV: float = 100.0
    ion_energy_sigma_eV: float = 10.0
    ion_exponent: float = 500.0
    gamma_F: Mapping[str, float] = field(default_factory=lambda: {"Si": 0.7, "Mask": 0.7})
    gamma_F_oxidized: Mapping[str, float] = field(default_factory=lambda: {"Si": 0.3, "Mask": 0.3})
    gamma_O: Mapping[str, float] = field(default_factory=lambda: {"Si": 1.0, "Mask": 1.0})
    gamma_O_passivated: Mapping[str, float] = field(
        default_factory=lambda: {"Si": 0.3, "Mask": 0.3})
    gamma_C: Mapping[str, float] = field(default_factory=lambda: {"Si": 1.0, "Mask": 1.0})
    gamma_C_oxidized: Mapping[str, float] = field(default_factory=lambda: {"Si": 0.3, "Mask": 0.3})
    gamma_default: float = 1.0
    k_sigma: float = 3.0e2 * VIENNAPS_FLUX_UNIT
    beta_sigma: float = 4.0e-2 * VIENNAPS_FLUX_UNIT
    si_density: float = 5.02 * VIENNAPS_DENSITY_UNIT
    mask_density: float = 500.0 * VIENNAPS_DENSITY_UNIT
    A_sp: float = 0.0337
    E_th_sp_eV: float = 20.0
    A_ie: float = 7.0
    E_th_ie_eV: float = 15.0
    A_sp_mask: float = 0.0139
    E_th_sp_mask_eV: float = 20.0
    A_O: float = 3.0
    E_th_O_eV: float = 10.0
    A_C: float = 3.0
    E_th_C_eV: float = 10.0

    def __post_init__(self):
        for name in ("ion_flux", "etchant_flux", "oxygen_flux", "polymer_flux", "ion_energy_eV",
                     "ion_energy_sigma_eV", "ion_exponent", "k_sigma", "beta_sigma", "A_sp",
                     "E_th_sp_eV", "A_ie", "E_th_ie_eV", "A_sp_mask", "E_th_sp_mask_eV", "A_O",
                     "E_th_O_eV", "A_C", "E_th_C_eV"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v >= 0):
                raise ValueError(f"CF4O2Parameters.{name} = {v} must be finite and >= 0")
        for name in ("si_density", "mask_density"):
            if not getattr(self, name) > 0:
                raise ValueError(f"CF4O2Parameters.{name} = {getattr(self, name)} must be > 0")
        for name in _GAMMAS:
            for m, g in getattr(self, name).items():
                if not 0.0 <= g <= 1.0:
                    raise ValueError(f"CF4O2Parameters.{name}[{m!r}] = {g} is outside [0, 1]")
        if not 0.0 <= self.gamma_default <= 1.0:
            raise ValueError(f"CF4O2Parameters.gamma_default = {self.gamma_default} "
                             f"is outside [0, 1]")

    def with_(self, **changes) -> "CF4O2Parameters":
        return replace(self, **changes)

    def beam(self) -> IonBeam:
        return IonBeam.gaussian(self.ion_energy_eV, self.ion_energy_sigma_eV, self.ion_exponent)

    def mask_yield(self) -> IonYield:
        return IonYield(A=self.A_sp_mask, threshold_eV=self.E_th_sp_mask_eV, angular="constant")

    def chemistry(self) -> "CF4O2Chemistry":
        return CF4O2Chemistry(p=self)


@dataclass(frozen=True)
class CF4O2Chemistry:
    """The rate expressions of the module docstring (a ``kinetics.CoverageChemistry``)."""

    p: CF4O2Parameters
    neutrals: tuple[str, ...] = ("etchant", "oxygen", "polymer")
    oxidant: str | None = "oxygen"

    @property
    def density(self) -> float:
        return self.p.si_density

    def channels(self) -> dict[str, IonYield]:
        p = self.p
        return {"sp": IonYield(A=p.A_sp, threshold_eV=p.E_th_sp_eV, angular="constant"),
                "ie": IonYield(A=p.A_ie, threshold_eV=p.E_th_ie_eV, angular="belen_ie"),
                "O": IonYield(A=p.A_O, threshold_eV=p.E_th_O_eV, angular="belen_ie"),
                "C": IonYield(A=p.A_C, threshold_eV=p.E_th_C_eV, angular="belen_ie")}

    def coverages(self, neutral, ion) -> dict[str, np.ndarray]:
        p = self.p
        GF = np.asarray(neutral.get("etchant", 0.0), float)
        GO = np.asarray(neutral.get("oxygen", 0.0), float)
        GC = np.asarray(neutral.get("polymer", 0.0), float)
        yie, yO, yC = (np.asarray(ion.get(c, 0.0), float) for c in ("ie", "O", "C"))
        G = np.broadcast_arrays(GF, GO, GC, yie, yO, yC)
        th = steady_coverages(np.stack(G[:3]),
                              np.stack([p.k_sigma + 2.0 * G[3], p.beta_sigma + G[4], G[5] + G[1]]))
        return {"theta_F": th[0], "theta_O": th[1], "theta_C": th[2]}

    def rates(self, neutral, ion):
        p = self.p
        th = self.coverages(neutral, ion)
        R = (p.k_sigma * th["theta_F"] / 4.0 + np.asarray(ion["sp"], float)
             + np.asarray(ion["ie"], float) * th["theta_F"])
        return R, th

    def sticking(self, neutral, material, theta):
        p = self.p
        g = lambda name: getattr(p, name).get(material, p.gamma_default)  # noqa: E731
        free = free_sites(theta)
        if neutral == "etchant":
            s = g("gamma_F") * free + g("gamma_F_oxidized") * theta["theta_O"]
        elif neutral == "oxygen":
            s = g("gamma_O") * free + g("gamma_O_passivated") * theta["theta_C"]
        elif neutral == "polymer":
            s = g("gamma_C") * free + g("gamma_C_oxidized") * theta["theta_O"]
        else:
            raise KeyError(f"CF4O2 has no neutral {neutral!r}; it has {self.neutrals}")
        return np.clip(s, 0.0, 1.0)


def cf4o2_flat_rates(p: CF4O2Parameters) -> tuple[float, dict[str, float]]:
    """(Si etch rate (m/s), coverages) on an open horizontal surface: every flux arrives
    once, the yields averaged over the beam's energy and angle distributions."""
    chem, beam = p.chemistry(), p.beam()
    ion = {c: p.ion_flux * beam.flat_yield(y) for c, y in chem.channels().items()}
    R, th = chem.rates({"etchant": p.etchant_flux, "oxygen": p.oxygen_flux,
                        "polymer": p.polymer_flux}, ion)
    return float(R) / p.si_density, {k: float(v) for k, v in th.items()}
