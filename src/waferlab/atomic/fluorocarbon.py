"""Fluorocarbon-plasma surface kinetics: SiO2, Si3N4 and Si etched through a polymer film.

The model of La Magna & Garozzo, "Factors affecting profile evolution in plasma etching
of SiO2: modeling and experimental verification", J. Electrochem. Soc. 150 (10)
(2003), as ViennaPS implements it (``FluorocarbonEtching``).  A CFx polymer film covers
the surface; its steady thickness in units of the thickness that blocks the etchant,
θ_p, sets the etch.  With fluxes Γ (m⁻²s⁻¹) and ion yields per incident ion Y (each an
average over the ions' energies and angles of incidence):

    polymer etched by ions with F:   θ_pe = Γ_e β_e,p / (Γ_e β_e,p + Γ_i Y_p)
    polymer thickness:               θ_p  = Γ_p β_p,m / (Γ_i Y_p θ_pe + δ_p)
    etchant coverage (θ_p < 1):      θ_e  = Γ_e β_e,m (1 − θ_p) /
                                            (k_ie Γ_i Y_ie + k_ev F_ev + Γ_e β_e,m)
    thermal etching:                 F_ev = K Γ_e exp(−E_a / k_B T)

and the normal speed of the surface (m/s, > 0 grows):

    θ_p ≥ 1 (the polymer wins):  V = (Γ_p β_p,p − Γ_i Y_p θ_pe) / ρ_p ≥ 0    net deposition
    on the polymer (θ_p < 1):    V = min(Γ_p β_p,p − Γ_i Y_p θ_pe, 0) / ρ_p
    on a mask:                   V = − Γ_i Y_sp / ρ_mask
    on SiO2, Si3N4, Si:          V = − (F_ev θ_e + Γ_i Y_ie θ_e + Γ_i Y_sp (1 − θ_e)) / ρ_m

Yields (E, E_th in eV, θ the angle of incidence; Steinbrüchel's √E law):

    Y_sp = A_sp (√E − √E_th,sp)₊ (1 + B_sp sin²θ) cos θ     (of the hit material)
    Y_ie = A_ie (√E − √E_th,ie)₊ cos θ                       (of the hit material)
    Y_p  = A_ie,p (√E − √E_th,ie,p)₊ cos θ                   (of the polymer)

Low ion energy makes Y_p small, θ_p ≥ 1 and the surface grows polymer: the etch stops.
Defaults: SiO2, the Mask, the ion beam and the fluxes are the paper's (as ViennaPS
lists them: ρ 2.2e22 cm⁻³, β_p 0.26, β_e 0.9, E_th,sp 18 eV, E_th,ie 4 eV, A_sp 0.0139,
B_sp 9.3, A_ie 0.0361, K 0.00279, E_a 0.168 eV; Γ_i 5.6e16, Γ_e 5e17, Γ_p 1e17 cm⁻²s⁻¹;
δ_p 1e15 cm⁻²s⁻¹; k_ie = k_ev = 2; T 300 K); Si and Si3N4 take the SiO2 law with their
own atom densities (5.5 and 2.3 × 10²² cm⁻³, ViennaPS's stack example) and the polymer
ρ_p 2.0e22 cm⁻³, β_e,p 0.6 and A_ie,p 2 × 0.0361 (same).  Every value can be set per
material in the recipe.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from ..constants import EV, K_B
from .yields import IonYield

__all__ = ["FluorocarbonMaterial", "FluorocarbonKinetics", "DEFAULT_MATERIALS",
           "POLYMER_DEFAULT", "fluorocarbon_rates", "flat_yields"]

CM2S = 1e19       # 1e15 cm⁻²s⁻¹ in m⁻²s⁻¹
CM3 = 1e28        # 1e22 cm⁻³ in m⁻³


@dataclass(frozen=True, kw_only=True)
class FluorocarbonMaterial:
    """Per-material parameters (SI; energies in eV).

    density     atom density ρ (m⁻³)
    beta_p      polymer sticking β_p;  beta_e  etchant sticking β_e
    Eth_sp, A_sp, B_sp   sputter yield;  Eth_ie, A_ie   ion-enhanced yield
    K, E_a_eV   thermal (spontaneous) etching F_ev = K Γ_e exp(−E_a/k_B T)
    """

    density: float = 2.2 * CM3
    beta_p: float = 0.26
    beta_e: float = 0.9
    Eth_sp: float = 18.0
    Eth_ie: float = 4.0
    A_sp: float = 0.0139
    B_sp: float = 9.3
    A_ie: float = 0.0361
    K: float = 0.002789491704544977
    E_a_eV: float = 0.168

    def __post_init__(self):
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if not (np.isfinite(v) and v >= 0):
                raise ValueError(f"{f.name} = {v!r} must be a finite number >= 0")
        if self.density <= 0:
            raise ValueError(f"density = {self.density!r} must be > 0")
        if self.beta_p > 1 or self.beta_e > 1:
            raise ValueError("beta_p and beta_e must be in [0, 1]")

    def sputter_yield(self) -> IonYield:
        return IonYield(A=self.A_sp, threshold_eV=self.Eth_sp, angular="sputter", B=self.B_sp)

    def ie_yield(self) -> IonYield:
        return IonYield(A=self.A_ie, threshold_eV=self.Eth_ie, angular="cosine")


_SIO2 = FluorocarbonMaterial()
POLYMER_DEFAULT = dataclasses.replace(_SIO2, density=2.0 * CM3, beta_e=0.6, A_ie=0.0361 * 2)
DEFAULT_MATERIALS: Mapping[str, FluorocarbonMaterial] = {
    "SiO2": _SIO2,
    "Si3N4": dataclasses.replace(_SIO2, density=2.3 * CM3),
    "Si": dataclasses.replace(_SIO2, density=5.5 * CM3),
    "Mask": dataclasses.replace(_SIO2, density=500.0 * CM3, beta_e=0.1, beta_p=0.01,
                                Eth_sp=20.0),
}


@dataclass(frozen=True, kw_only=True)
class FluorocarbonKinetics:
    """The site balances and rates of the module docstring (fluxes in m⁻²s⁻¹).

    materials    {name: FluorocarbonMaterial} of the etched materials and masks
    polymer      the polymer's parameters;  masks  the names etched by sputtering only
    """

    ion_flux: float = 56.0 * CM2S
    etchant_flux: float = 500.0 * CM2S
    polymer_flux: float = 100.0 * CM2S
    delta_p: float = 1.0 * CM2S
    k_ie: float = 2.0
    k_ev: float = 2.0
    temperature: float = 300.0
    materials: Mapping[str, FluorocarbonMaterial] = field(
        default_factory=lambda: dict(DEFAULT_MATERIALS))
    polymer: FluorocarbonMaterial = POLYMER_DEFAULT
    masks: tuple[str, ...] = ("Mask",)

    def __post_init__(self):
        for k in ("ion_flux", "etchant_flux", "polymer_flux", "k_ie", "k_ev"):
            if not getattr(self, k) >= 0:
                raise ValueError(f"{k} = {getattr(self, k)!r} must be >= 0")
        if not self.delta_p > 0 or not self.temperature > 0:
            raise ValueError("delta_p and temperature must be > 0")

    def thermal_rate(self, m: FluorocarbonMaterial) -> float:
        """F_ev = K Γ_e exp(−E_a / k_B T) (m⁻²s⁻¹)."""
        return m.K * self.etchant_flux * float(np.exp(-m.E_a_eV * EV / (K_B * self.temperature)))


def fluorocarbon_rates(kin: FluorocarbonKinetics, mat: FluorocarbonMaterial | None, kind: str, *,
                       etchant, polymer, Y_sp, Y_ie, Y_p):
    """(V (m/s), θ_e, θ_p, θ_pe) from relative fluxes and yields per source ion.

    ``etchant``, ``polymer``: arriving flux / source flux;  ``Y_*``: ⟨Y Γ_i,local⟩ / Γ_i
    (yield × relative ion flux);  ``kind``: "etched", "mask", "polymer" or "inert"
    (inert: only polymer deposition moves it);  ``mat``: the hit material's parameters
    (None for inert)."""
    e = np.asarray(etchant, float) * kin.etchant_flux
    pf = np.asarray(polymer, float) * kin.polymer_flux
    GYp = np.asarray(Y_p, float) * kin.ion_flux
    GYie = np.asarray(Y_ie, float) * kin.ion_flux
    GYsp = np.asarray(Y_sp, float) * kin.ion_flux
    P = kin.polymer
    be_p = e * P.beta_e
    with np.errstate(divide="ignore", invalid="ignore"):
        th_pe = np.where(e > 0, be_p / (be_p + GYp), 0.0)
        bp = (mat.beta_p if mat is not None else P.beta_p)
        th_p = np.where(pf > 0, pf * bp / (GYp * th_pe + kin.delta_p), 0.0)
        net_p = pf * P.beta_p - GYp * th_pe
        if kind == "etched":
            assert mat is not None                     # only an inert material has None
            Fev = kin.thermal_rate(mat)
            be = e * mat.beta_e
            th_e = np.where((th_p < 1) & (e > 0),
                            be * (1 - np.minimum(th_p, 1)) / (kin.k_ie * GYie + kin.k_ev * Fev + be),
                            0.0)
            v = -(Fev * th_e + GYie * th_e + GYsp * (1 - th_e)) / mat.density
        elif kind == "mask":
            assert mat is not None                     # only an inert material has None
            th_e = np.zeros_like(th_p)
            v = -GYsp / mat.density
        elif kind == "polymer":
            th_e = np.zeros_like(th_p)
            v = np.minimum(net_p, 0.0) / P.density
        else:
            th_e = np.zeros_like(th_p)
            v = np.zeros_like(th_p)
    grows = th_p >= 1
    v = np.where(grows, np.maximum(net_p, 0.0) / P.density, v)
    return v, th_e, th_p, th_pe


def flat_yields(kin: FluorocarbonKinetics, mat: FluorocarbonMaterial, energies_eV, pdf
                ) -> tuple[float, float, float]:
    """(Y_sp, Y_ie, Y_p) of normally incident ions (f = 1) with the IEDF (energies_eV,
    pdf) on an open horizontal surface of ``mat``."""
    e, w = np.asarray(energies_eV, float), np.asarray(pdf, float)
    y_sp, y_ie, y_p = (y.mean_energy_part(e, w) for y in
                       (mat.sputter_yield(), mat.ie_yield(), kin.polymer.ie_yield()))
    return y_sp, y_ie, y_p
