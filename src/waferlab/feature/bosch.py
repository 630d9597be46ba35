"""The etch sub-step of the Bosch process: model ``sf6c4f8``.

Deep silicon etching alternates an SF6 etch sub-step with a C4F8 passivation sub-step
(Laermer & Schilp, US patent 5,501,893, 1996), written as a ``cycle``:

    - cycle:
        repeat: 10
        steps:
          - deposit: {model: isotropic, material: Polymer, rate: ..., time: ...}
          - etch:    {model: sf6c4f8, time: ...}

The etch is the SF6/O2 kinetics of ``sf6o2`` (Belen et al., J. Vac. Sci. Technol. A 23,
99, 2005; ``waferlab.atomic.ion_enhanced``) without oxygen, as the peer's
``SF6C4F8Etching`` (ViennaPS): Si is etched by F (chemical, k_σ θ_E / 4 — isotropic, it
undercuts the film sideways) and by F-assisted ions (directional); the C4F8 polymer
and the mask are removed only by ion sputtering,

    V_polymer = − Γ_i ⟨Y_sp,p⟩ / ρ_p,   Y_sp,p = A (√E − √E_th)₊ (1 + B sin²θ) cos θ,

so the near-normal ions clear the film at the bottom of the feature first while the
grazing ions leave it on the sidewalls, and each etch sub-step cuts one scallop into
the wall.  Defaults are the peer's: Γ_i 1.2e20, Γ_E 1.8e22 m⁻²s⁻¹, k_σ 3e21 m⁻²s⁻¹,
Si A_ie 7, E_th,ie 15 eV; polymer ρ 5e28 m⁻³, A 0.02, E_th 15 eV, B 8.5; mask
ρ 5e30 m⁻³, A 0.0139, E_th 20 eV; β_E Si 0.7, mask and polymer 0.02.
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..atomic.sf6o2 import SF6O2Parameters
from ..atomic.yields import IonYield
from ..constants import EV
from ..errors import RecipeError
from ..recipe_io import SpecModel
from ..units import Concentration, Energy, Flux
from .etch_models import IonEnhancedEtch, MaskSputter, _check_materials, _etch_only, _PeerClosure
from .flux.models import step_label
from .flux.transport import TracedTransport
from .registry import register_model

__all__ = ["SF6C4F8Spec", "SputteredFilmSpec"]


class SputteredFilmSpec(SpecModel):
    """A material removed by ion sputtering only: Y = A (√E − √E_th)₊ (1 + B sin²θ) cos θ."""

    A: float = Field(ge=0)
    threshold: Energy = Field(ge=0)
    B: float = Field(default=0.0, ge=0)
    density: Concentration = Field(gt=0)

    def sputter(self) -> MaskSputter:
        return MaskSputter(yield_=IonYield(A=self.A, threshold_eV=self.threshold / EV,
                                           angular="sputter", B=self.B), density=self.density)


def _polymer_default() -> SputteredFilmSpec:
    return SputteredFilmSpec(A=0.02, threshold="15 eV", B=8.5, density="5e22 cm^-3")


def _mask_default() -> SputteredFilmSpec:
    return SputteredFilmSpec(A=0.0139, threshold="20 eV", B=9.3, density="5e24 cm^-3")


@register_model("sf6c4f8")
class SF6C4F8Spec(_PeerClosure):
    """SF6 etching of Si with a C4F8 polymer film removed by ions (ViennaPS
    ``SF6C4F8Etching``); the etch sub-step of a Bosch ``cycle`` (docs/etch-models.md)."""

    model: Literal["sf6c4f8"]
    k_sigma: Flux = Field(default=3.0e21, ge=0)
    A_Si: float = Field(default=7.0, ge=0)
    etchant_sticking: dict[str, float] = Field(
        default_factory=lambda: {"Si": 0.7, "Mask": 0.02, "Polymer": 0.02})
    polymer: str = "Polymer"
    polymer_yield: SputteredFilmSpec = Field(default_factory=_polymer_default)
    masks: dict[str, SputteredFilmSpec] = Field(default_factory=lambda: {"Mask": _mask_default()})

    def build(self, *, kind: str, materials: tuple[str, ...], target: str | None
              ) -> TracedTransport:
        _etch_only(kind)
        materials = tuple(materials)
        _check_materials("etched", self.etched, materials)
        for m, s in self.etchant_sticking.items():
            if not 0.0 <= s <= 1.0:
                raise RecipeError(f"sticking {s} is outside [0, 1]",
                                  path=f"etchant_sticking.{m}", value=s)
        if self.polymer in self.etched or self.polymer in self.masks:
            raise RecipeError("the polymer is sputtered by its own yield (polymer_yield); do "
                              "not list it as etched or as a mask", path="polymer",
                              value=self.polymer)
        try:
            p = SF6O2Parameters(ion_flux=self.ion_flux, etchant_flux=self.etchant_flux,
                                oxygen_flux=0.0, ion_energy_eV=self.ion_energy / EV,
                                ion_energy_sigma_eV=self.ion_energy_sigma / EV,
                                ion_exponent=self.ion_exponent, k_sigma=self.k_sigma,
                                A_Si=self.A_Si)
        except ValueError as exc:
            raise RecipeError(str(exc), path="model") from None
        films = {m: s.sputter() for m, s in self.masks.items() if m in materials}
        if self.polymer in materials:
            films[self.polymer] = self.polymer_yield.sputter()
        model = IonEnhancedEtch(
            kinetics=p.kinetics(), beam=self._beam(), ion_flux=p.ion_flux,
            etchant_flux=p.etchant_flux, passivant_flux=0.0, etched=tuple(self.etched),
            masks=films, materials=materials,
            etchant_sticking={m: self.etchant_sticking.get(m, 0.0) for m in materials},
            passivant_sticking={},
            ion_reflection=self.ion_reflection, ion_lobe=self.ion_lobe,
            ion_scoring=self.ion_scoring, name=self.model)
        return TracedTransport(model=model, tracing=self.tracing(), step=step_label(kind, None))
