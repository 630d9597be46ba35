"""SF6/O2 etching of silicon (Belen et al., J. Vac. Sci. Technol. A 23, 99, 2005).

Equations as in Belen et al., J. Vac. Sci. Technol. A 23, 99 (2005) and as implemented in ViennaPS
(``psPlasmaEtching.hpp``,
``SF6O2Etching``), parameters "ViennaPS defaults" (not Belen's tables).  With
Γ_E, Γ_O the incident F and O fluxes and (YΓ)_x the yield-weighted ion fluxes:

    θ_F, θ_O  from  Γ_E (1 − θ_F − θ_O) = (kσ + 2 (YΓ)_ie) θ_F
                    Γ_O (1 − θ_F − θ_O) = (βσ + (YΓ)_O) θ_O
    ER_Si   = (kσ θ_F / 4 + (YΓ)_sp + (YΓ)_ie θ_F) / ρ_Si
    ER_mask = (YΓ)_sp,mask / ρ_mask

Yields (E in eV): Y_sp = A_sp(√E − √20)(1 + 9.3 sin²θ)cos θ, A_sp = 0.0337 (Si),
0.0139 (mask); Y_ie = A_Si(√E − √15) f_ie(θ); Y_O = A_O(√E − √10) f_ie(θ).

Peer conventions kept (``sticking_in_balance=False``): the adsorption terms use the
*incident* fluxes (the peer multiplies the ray-traced incident flux by the source flux
and applies β_E, β_O only to the re-emission of neutrals); with
``sticking_in_balance=True`` they become γ_F Γ_E and γ_O Γ_O as written by Belen.
The peer quotes fluxes in 10¹⁵ cm⁻²s⁻¹ (= 10¹⁹ m⁻²s⁻¹) and densities in 10²² cm⁻³
(= 10²⁸ m⁻³), so its rates come out in nm/s; here everything is SI.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .ion_enhanced import IonBeam, SurfaceKinetics, SurfaceRates, flat_surface_rates
from .yields import IonYield

__all__ = ["SF6O2Parameters", "VIENNAPS_FLUX_UNIT", "VIENNAPS_DENSITY_UNIT", "sf6o2_flat_rates",
           "sf6o2_flat_mask_rate"]

VIENNAPS_FLUX_UNIT = 1e19        # m⁻²s⁻¹ per "10¹⁵ cm⁻²s⁻¹"
VIENNAPS_DENSITY_UNIT = 1e28     # m⁻³ per "10²² cm⁻³"


@dataclass(frozen=True, kw_only=True)
class SF6O2Parameters:
    """Parameters of the SF6/O2 model; defaults are the ViennaPS defaults in SI.

    ion_flux, etchant_flux, oxygen_flux   source fluxes Γ_i, Γ_E, Γ_O (m⁻²s⁻¹)
    ion_energy_eV, ion_energy_sigma_eV    mean and σ of the normal IEDF (eV)
    ion_exponent                          n of the cosⁿθ ion source
    etchant_sticking, oxygen_sticking     β_E, β_O: neutral sticking (re-emission)
    sticking_in_balance                   use β in the site balance (Belen) or not (peer)
    k_sigma, beta_sigma                   kσ, βσ (m⁻²s⁻¹)
    si_density, mask_density              ρ (m⁻³)
    A_sp, E_th_sp_eV, B_sp                Si sputtering;  A_sp_mask (mask)
    A_Si, E_th_ie_eV                      Si ion-enhanced etching
    A_O, E_th_O_eV                        ion removal of O
    E_th_sp_mask_eV                       mask sputter threshold (None: E_th_sp_eV)
    """

    ion_flux: float = 12.0 * VIENNAPS_FLUX_UNIT
    etchant_flux: float = 1.8e3 * VIENNAPS_FLUX_UNIT
    oxygen_flux: float = 1.0e2 * VIENNAPS_FLUX_UNIT
    ion_energy_eV: float = 100.0
    ion_energy_sigma_eV: float = 10.0
    ion_exponent: float = 500.0
    etchant_sticking: float = 0.7
    oxygen_sticking: float = 1.0
    sticking_in_balance: bool = False
    k_sigma: float = 3.0e2 * VIENNAPS_FLUX_UNIT
    beta_sigma: float = 4.0e-2 * VIENNAPS_FLUX_UNIT
    si_density: float = 5.02 * VIENNAPS_DENSITY_UNIT
    mask_density: float = 500.0 * VIENNAPS_DENSITY_UNIT
    A_sp: float = 0.0337
    A_sp_mask: float = 0.0139
    E_th_sp_eV: float = 20.0
    B_sp: float = 9.3
    A_Si: float = 7.0
    E_th_ie_eV: float = 15.0
    A_O: float = 3.0
    E_th_O_eV: float = 10.0
    E_th_sp_mask_eV: float | None = None      # mask sputter threshold; None: E_th_sp_eV

    def __post_init__(self):
        for name in ("ion_flux", "etchant_flux", "oxygen_flux", "ion_energy_eV",
                     "ion_energy_sigma_eV", "ion_exponent", "k_sigma", "beta_sigma", "A_sp",
                     "A_sp_mask", "E_th_sp_eV", "B_sp", "A_Si", "E_th_ie_eV", "A_O", "E_th_O_eV"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v >= 0):
                raise ValueError(f"SF6O2Parameters.{name} = {v} must be finite and >= 0")
        for name in ("si_density", "mask_density"):
            if not getattr(self, name) > 0:
                raise ValueError(f"SF6O2Parameters.{name} = {getattr(self, name)} must be > 0")
        for name in ("etchant_sticking", "oxygen_sticking"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"SF6O2Parameters.{name} = {getattr(self, name)} is outside [0, 1]")

    def with_(self, **changes) -> "SF6O2Parameters":
        return replace(self, **changes)

    def kinetics(self) -> SurfaceKinetics:
        """The generic site-balance parameters for silicon."""
        g = self.sticking_in_balance
        return SurfaceKinetics(
            density=self.si_density, chemical_rate=self.k_sigma, chemical_stoichiometry=4.0,
            ie_stoichiometry=2.0,
            etchant_sticking=self.etchant_sticking if g else 1.0,
            passivant_sticking=self.oxygen_sticking if g else 1.0,
            passivant_desorption=self.beta_sigma,
            sputter=self.sputter_yield(),
            ion_enhanced=IonYield(A=self.A_Si, threshold_eV=self.E_th_ie_eV, angular="belen_ie"),
            passivant_removal=IonYield(A=self.A_O, threshold_eV=self.E_th_O_eV, angular="belen_ie"))

    def sputter_yield(self) -> IonYield:
        return IonYield(A=self.A_sp, threshold_eV=self.E_th_sp_eV, angular="sputter", B=self.B_sp)

    def mask_yield(self) -> IonYield:
        th = self.E_th_sp_eV if self.E_th_sp_mask_eV is None else self.E_th_sp_mask_eV
        return IonYield(A=self.A_sp_mask, threshold_eV=th, angular="sputter", B=self.B_sp)

    def beam(self) -> IonBeam:
        return IonBeam.gaussian(self.ion_energy_eV, self.ion_energy_sigma_eV, self.ion_exponent)


def sf6o2_flat_rates(p: SF6O2Parameters, *, ion_flux=None, etchant_flux=None,
                     oxygen_flux=None) -> SurfaceRates:
    """Coverages and Si etch rate (m/s) on an open flat surface; fluxes default to ``p``'s."""
    return flat_surface_rates(
        p.kinetics(), p.beam(),
        ion_flux=p.ion_flux if ion_flux is None else ion_flux,
        etchant_flux=p.etchant_flux if etchant_flux is None else etchant_flux,
        passivant_flux=p.oxygen_flux if oxygen_flux is None else oxygen_flux)


def sf6o2_flat_mask_rate(p: SF6O2Parameters, *, ion_flux=None) -> np.ndarray:
    """Mask erosion rate (m/s) on an open flat surface: Γ_i <Y_sp,mask> / ρ_mask."""
    g = p.ion_flux if ion_flux is None else ion_flux
    return np.asarray(g, dtype=float) * p.beam().flat_yield(p.mask_yield()) / p.mask_density
