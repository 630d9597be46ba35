"""Recipe specs of the coverage-kinetics etch chemistries: ``hbro2`` and ``cf4o2``.

Each is a chemistry from ``waferlab.atomic`` (``hbro2.HBrO2Parameters`` on the Belen
site balance, ``cf4o2.CF4O2Chemistry``) on the generic feature-scale model
``coverage_etch.CoverageEtch``; see docs/etch-models.md for the equations and sources.
The transport closure defaults to the peer's, as for ``sf6o2``: ions re-emitted into
the coned lobe with per-hit yields, neutral sticking from each element's own
coverages (iterated once on the first time step, then carried from step to step).
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ..atomic.cf4o2 import CF4O2Parameters
from ..atomic.hbro2 import HBrO2Parameters
from ..atomic.kinetics import BelenChemistry
from ..constants import EV
from ..errors import RecipeError
from ..units import Energy, Flux, Volume
from .coverage_etch import NO_ION_STICKING, CoverageEtch
from .etch_models import (MaskSputter, Sticking, _check_materials, _etch_only, _eV, _PeerClosure,
                          _sticking_map, eroded_masks, mask_sputters)
from .flux.models import step_label
from .flux.sources import VIENNAPS_ION_STICKING
from .flux.transport import TracedTransport
from .registry import register_model

__all__ = ["HBrO2Spec", "CF4O2Spec"]


def _masks(spec, materials, mask_yield, mask_density) -> dict[str, MaskSputter]:
    """The eroded masks (``etch_models.eroded_masks``) and their laws."""
    return mask_sputters(spec, eroded_masks(spec, materials), materials, mask_yield, mask_density)


class _Chemistry(_PeerClosure):
    oxygen_flux: Flux = Field(default=1.0e21, ge=0)
    masks: list[str] | None = None
    O_erosion_yield: dict[str, Volume] = Field(default_factory=dict)

    def _transport(self, model, kind) -> TracedTransport:
        return TracedTransport(model=model, tracing=self.tracing(), step=step_label(kind, None))


@register_model("hbro2")
class HBrO2Spec(_Chemistry):
    """HBr/O2 Si etching (``atomic.hbro2``; ViennaPS ``HBrO2Etching`` defaults)."""

    model: Literal["hbro2"]
    A_Si: float = Field(default=5.0, ge=0)
    A_O: float = Field(default=3.0, ge=0)
    A_sp: float = Field(default=0.5, ge=0)
    sputter_threshold: Energy = Field(default=30.0 * EV, ge=0)
    etchant_sticking: Sticking = 0.1
    oxygen_sticking: Sticking = 1.0

    def parameters(self) -> HBrO2Parameters:
        return HBrO2Parameters(
            ion_flux=self.ion_flux, etchant_flux=self.etchant_flux, oxygen_flux=self.oxygen_flux,
            ion_energy_eV=_eV(self.ion_energy), ion_energy_sigma_eV=_eV(self.ion_energy_sigma),
            ion_exponent=self.ion_exponent, A_O=self.A_O, A_Si=self.A_Si, A_sp=self.A_sp,
            E_th_sp_eV=_eV(self.sputter_threshold))

    def build(self, *, kind: str, materials: tuple[str, ...], target: str | None
              ) -> TracedTransport:
        _etch_only(kind)
        materials = tuple(materials)
        _check_materials("etched", self.etched, materials)
        for key in ("etchant_sticking", "oxygen_sticking"):
            for m, s in _sticking_map(getattr(self, key), materials, key).items():
                if not 0.0 <= s <= 1.0:
                    where = f"{key}.{m}" if isinstance(getattr(self, key), dict) else key
                    raise RecipeError(f"sticking {s} is outside [0, 1]", path=where, value=s)
        p = self.parameters()
        chem = BelenChemistry(
            kinetics=p.kinetics(),
            etchant_sticking=_sticking_map(self.etchant_sticking, materials, "etchant_sticking"),
            passivant_sticking=_sticking_map(self.oxygen_sticking, materials, "oxygen_sticking"))
        model = CoverageEtch(
            chemistry=chem, beam=self._beam(), ion_flux=p.ion_flux,
            neutral_fluxes={"etchant": p.etchant_flux, "passivant": p.oxygen_flux},
            etched=tuple(self.etched), materials=materials,
            masks=_masks(self, materials, p.mask_yield(), p.mask_density),
            ion_sticking=VIENNAPS_ION_STICKING if self.ion_reflection else None,
            ion_lobe=self.ion_lobe, ion_scoring=self.ion_scoring, name=self.model)
        return self._transport(model, kind)


_GAMMA_KEYS = ("gamma_F", "gamma_F_oxidized", "gamma_O", "gamma_O_passivated", "gamma_C",
               "gamma_C_oxidized")


@register_model("cf4o2")
class CF4O2Spec(_Chemistry):
    """CF4/O2 Si etching with F, O and C coverages (``atomic.cf4o2``; ViennaPS
    ``CF4O2Etching`` defaults).  Ions are re-emitted at every hit (``ion_reflection``)
    until their energy falls to the ion-enhanced threshold, as the peer does."""

    model: Literal["cf4o2"]
    polymer_flux: Flux = Field(default=1.0e21, ge=0)
    A_ie: float = Field(default=7.0, ge=0)
    A_sp: float = Field(default=0.0337, ge=0)
    A_O: float = Field(default=3.0, ge=0)
    A_C: float = Field(default=3.0, ge=0)
    gamma_F: Sticking = 0.7
    gamma_F_oxidized: Sticking = 0.3
    gamma_O: Sticking = 1.0
    gamma_O_passivated: Sticking = 0.3
    gamma_C: Sticking = 1.0
    gamma_C_oxidized: Sticking = 0.3

    def parameters(self, materials: tuple[str, ...]) -> CF4O2Parameters:
        gam: dict[str, Any] = {}         # the gamma_* sticking maps of CF4O2Parameters
        for key in _GAMMA_KEYS:
            gam[key] = _sticking_map(getattr(self, key), materials, key)
            for m, s in gam[key].items():
                if not 0.0 <= s <= 1.0:
                    raise RecipeError(f"sticking {s} is outside [0, 1]", path=f"{key}.{m}"
                                      if isinstance(getattr(self, key), dict) else key, value=s)
        return CF4O2Parameters(
            ion_flux=self.ion_flux, etchant_flux=self.etchant_flux, oxygen_flux=self.oxygen_flux,
            polymer_flux=self.polymer_flux, ion_energy_eV=_eV(self.ion_energy),
            ion_energy_sigma_eV=_eV(self.ion_energy_sigma), ion_exponent=self.ion_exponent,
            A_ie=self.A_ie, A_sp=self.A_sp, A_O=self.A_O, A_C=self.A_C, **gam)

    def build(self, *, kind: str, materials: tuple[str, ...], target: str | None
              ) -> TracedTransport:
        _etch_only(kind)
        materials = tuple(materials)
        _check_materials("etched", self.etched, materials)
        p = self.parameters(materials)
        model = CoverageEtch(
            chemistry=p.chemistry(), beam=self._beam(), ion_flux=p.ion_flux,
            neutral_fluxes={"etchant": p.etchant_flux, "oxygen": p.oxygen_flux,
                            "polymer": p.polymer_flux},
            etched=tuple(self.etched), materials=materials,
            masks=_masks(self, materials, p.mask_yield(), p.mask_density),
            ion_sticking=NO_ION_STICKING if self.ion_reflection else None,
            ion_lobe=self.ion_lobe, ion_scoring=self.ion_scoring, name=self.model)
        return self._transport(model, kind)
