"""Coverage kinetics of ion-enhanced plasma etching: the chemistry protocol.

A *chemistry* is the atomic-scale half of a coverage-coupled etch model: the neutral
species it needs traced, the ion-yield channels it needs scored, and the rate
expressions that turn local fluxes (m⁻²s⁻¹) into coverages and a removal flux,

    θ = Θ(Γ_n, (YΓ)_c),      R = R(θ, Γ_n, (YΓ)_c)   (atoms m⁻²s⁻¹),   ER = R / ρ,

with Γ_n the incident flux of neutral n and (YΓ)_c = Σ_ions Y_c(E, θ_hit) Γ_i the
yield-weighted ion flux of channel c.  The re-emitted neutrals' sticking on a surface
element follows the element's own coverages, S_n = S_n(material, θ).  The feature
scale (``waferlab.feature.coverage_etch.CoverageEtch``) owns everything else: tracing,
scoring, masks, interpolation.  A new chemistry is one file with its parameters and a
class that satisfies :class:`CoverageChemistry` (``atomic/cf4o2.py``, ``atomic/hbro2.py``).

:class:`BelenChemistry` is the one-etchant, one-passivant site balance of
``atomic.ion_enhanced`` (Belen et al., J. Vac. Sci. Technol. A 23, 99, 2005) in this
form; it reproduces ``IonEnhancedEtch`` (the ``sf6o2`` model) bit for bit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Protocol, runtime_checkable

import numpy as np

from .ion_enhanced import SurfaceKinetics, surface_rates
from .yields import IonYield

__all__ = ["CoverageChemistry", "BelenChemistry", "free_sites"]


@runtime_checkable
class CoverageChemistry(Protocol):
    """The rate expressions of a coverage-coupled etch chemistry (SI).

    neutrals       names of the traced neutral species (cosine source, diffuse
                   re-emission with sticking ``sticking``), e.g. ("etchant", "passivant")
    oxidant        the neutral whose flux ashes organic masks (None: none)
    density        ρ of the etched material (m⁻³)
    channels()     ion-yield channels {name: IonYield} scored on the etched material;
                   "sp" is its sputtering (a mask scores its own sputter yield there),
                   the others are scored on every material
    rates(neutral, ion)   (removal flux R (m⁻²s⁻¹), {coverage name: θ}) from absolute
                   neutral fluxes {name: Γ_n} and yield-weighted ion fluxes {channel: (YΓ)_c}
    sticking(neutral, material, theta)   S_n on ``material`` at coverages θ (in [0, 1])
    """

    @property
    def neutrals(self) -> tuple[str, ...]: ...

    @property
    def oxidant(self) -> str | None: ...

    @property
    def density(self) -> float: ...

    def channels(self) -> dict[str, IonYield]: ...

    def rates(self, neutral: Mapping[str, np.ndarray | float],
              ion: Mapping[str, np.ndarray | float]
              ) -> tuple[np.ndarray, dict[str, np.ndarray]]: ...

    def sticking(self, neutral: str, material: str, theta: Mapping[str, np.ndarray | float]
                 ) -> np.ndarray: ...


def free_sites(theta: Mapping[str, np.ndarray | float]) -> np.ndarray:
    """1 − θ_1 − θ_2 − …, clipped to [0, 1]."""
    free: np.ndarray | float = 1.0
    for v in theta.values():
        free = free - np.asarray(v, float)
    return np.clip(free, 0.0, 1.0)


@dataclass(frozen=True, kw_only=True)
class BelenChemistry:
    """One etchant, one passivant (``atomic.ion_enhanced``):

        σ dθ_E/dt = Γ_E(1 − θ_E − θ_P) − (k_c + n_ie (YΓ)_ie) θ_E
        σ dθ_P/dt = Γ_P(1 − θ_E − θ_P) − (k_P + (YΓ)_P) θ_P
        R = k_c θ_E / n_c + (YΓ)_sp + (YΓ)_ie θ_E

    (γ_E, γ_P of the kinetics multiply Γ in the balance), traced sticking
    S = β_m (1 − θ_E − θ_P) with β per material (unlisted: 0).  Belen et al., J. Vac. Sci.
    Technol. A 23, 99 (2005); the form of ViennaPS's ``SF6O2Etching``/``HBrO2Etching``."""

    kinetics: SurfaceKinetics
    etchant_sticking: Mapping[str, float] = field(default_factory=dict)
    passivant_sticking: Mapping[str, float] = field(default_factory=dict)
    neutrals: tuple[str, ...] = ("etchant", "passivant")
    oxidant: str | None = "passivant"

    @property
    def density(self) -> float:
        return self.kinetics.density

    def channels(self) -> dict[str, IonYield]:
        kin = self.kinetics
        ch = {"sp": kin.sputter, "ie": kin.ion_enhanced}
        if kin.passivant_removal is not None:
            ch["P"] = kin.passivant_removal
        return ch

    def rates(self, neutral, ion):
        r = surface_rates(self.kinetics, etchant_flux=neutral.get("etchant", 0.0),
                          passivant_flux=neutral.get("passivant", 0.0),
                          ion_sputter_flux=ion["sp"], ion_enhanced_flux=ion["ie"],
                          ion_passivant_flux=ion.get("P", 0.0))
        return r.removal_flux, {"theta_etchant": r.theta_etchant,
                                "theta_passivant": r.theta_passivant}

    def sticking(self, neutral, material, theta):
        beta = (self.etchant_sticking if neutral == "etchant" else self.passivant_sticking)
        return beta.get(material, 0.0) * free_sites(theta)
