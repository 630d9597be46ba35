"""Fluorocarbon plasma etching at the feature scale: model ``fluorocarbon``.

SiO2, Si3N4 and Si etched through a CFx polymer film (La Magna & Garozzo, J.
Electrochem. Soc. 150 (10), 2003; the kinetics and their equations are in
``waferlab.atomic.fluorocarbon``).  Each time step the flux engine traces

    ion       cosⁿθ source; every hit scores the three yields Y_sp, Y_ie (of the hit
              material) and Y_p (of the polymer) at the ray's own energy and angle; the
              ion is re-emitted in ViennaPS's coned lobe about the specular direction
              and loses energy by its law (``VIENNAPS_ION_ENERGY_LOSS``) until it falls
              below the lowest E_th,ie (as the peer's ``FluorocarbonIon``)
    etchant   cosine source, diffuse re-emission, sticking β_e,m (1 − θ_e − θ_p)₊
    polymer   the same (the peer also uses β_e for the polymer neutral's sticking)

and the per-element coverages θ_pe, θ_p, θ_e and speeds follow, from the traced fields
averaged over a patch of radius r = ``field_smoothing_h``·h first (recipe default:
r = max(h/2, 1 nm), ``FIELD_SMOOTHING_MIN``):

    F̃_e = Σ_j a_j exp(−|c_e − c_j|²/2r²) F_j / Σ_j a_j exp(−|c_e − c_j|²/2r²),  |c_e − c_j| ≤ 2r

(``small_elements.smooth_fields``; the incident fluxes and Y_p over all neighbours, Y_sp
and Y_ie over those of the same material).  The balances are nonlinear and the walls sit
near the θ_p = 1 jump of the speed law, so evaluating them on the raw per-element Monte
Carlo means biases the profile (Jensen's inequality; docs/fluorocarbon-bosch.md, "Noise
at the knife edge").  Where θ_p ≥ 1 the
surface grows polymer: the step keeps a ``polymer`` layer on top of the wafer (added
with zero thickness when the wafer has none, as a deposit step adds its film), so a
surface the polymer wins is covered by a film of it and an etch front stops.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Mapping

import numpy as np
from pydantic import Field

from ..atomic.fluorocarbon import (DEFAULT_MATERIALS, POLYMER_DEFAULT, FluorocarbonKinetics,
                                   FluorocarbonMaterial, flat_yields, fluorocarbon_rates)
from ..atomic.ion_enhanced import IonBeam
from ..constants import EV
from ..errors import RecipeError
from ..materials import material_info
from ..recipe_io import SpecModel
from ..units import Concentration, Energy, Flux, Length, Temperature
from .flux.engine import SpeciesFlux
from .flux.ions import VIENNAPS_ION_ENERGY_LOSS
from .flux.models import step_label
from .flux.sources import VIENNAPS_ION_CONE, Species
from .flux.transport import Evaluation, RayTracing, SurfaceRates, TracedTransport
from .registry import register_model
from .small_elements import pool_small_elements, smooth_fields

__all__ = ["FluorocarbonEtch", "FluorocarbonSpec", "FluorocarbonMaterialSpec"]

_KINDS = ("etched", "mask", "polymer", "inert")
# the smallest smoothing radius of the default (m): at h = 1 nm, r = h/2 left the floor of
# the 30 s contact flat where the exact reference closes to a V, r = 1 nm did not
# (docs/fluorocarbon-bosch.md, "Noise at the knife edge")
FIELD_SMOOTHING_MIN = 1e-9
_BOUND = 1.5


@dataclass(frozen=True, kw_only=True)
class FluorocarbonEtch:
    """The physics (a ``transport.SurfaceModel``, coverage-coupled); see the module
    docstring.  ``materials``: the wafer's material names; ``polymer``: the polymer's
    name; ``etched``/``masks``: names with their parameters in ``kinetics.materials``;
    other materials are inert (only polymer deposition moves them);
    ``field_smoothing_h``: the radius (in grid spacings) of the fields' smoothing before
    the balances (0: none; None: max(0.5, ``FIELD_SMOOTHING_MIN``/h), the recipe's
    default)."""

    kinetics: FluorocarbonKinetics
    beam: IonBeam
    materials: tuple[str, ...]
    polymer: str
    etched: tuple[str, ...]
    masks: tuple[str, ...]
    ion_reflection: bool = True
    field_smoothing_h: float | None = 0.0
    name: str = "fluorocarbon"
    evaluation: ClassVar[Evaluation] = Evaluation.ELEMENTS
    # the level-set scheme of a step that names none (``advect.default_scheme``): first
    # order, as the peer's.  In the contact's closing slot (2-4 spacings wide) WENO5 keeps
    # a flat floor that takes the whole beam at the open-field rate where the exact fan
    # reference closes to a self-shadowing wedge: +9.7 % depth at h 2 nm against +2.0 %
    # with eo (docs/fluorocarbon-bosch.md, "The closing slot: the scheme, not the ions")
    preferred_scheme: ClassVar[str] = "eo"
    _kind: np.ndarray = field(init=False, repr=False, compare=False)
    _species: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        kind = []
        for m in self.materials:
            kind.append(2 if m == self.polymer else 1 if m in self.masks
                        else 0 if m in self.etched else 3)
        object.__setattr__(self, "_kind", np.array(kind + [3]))
        object.__setattr__(self, "_species", tuple(self._first_species()))

    def _params(self, m: str) -> FluorocarbonMaterial | None:
        if m == self.polymer:
            return self.kinetics.polymer
        return self.kinetics.materials.get(m)

    def _index(self, mats) -> np.ndarray:
        mats = np.asarray(mats, int)
        return np.where((mats >= 0) & (mats < len(self.materials)), mats, len(self.materials))

    # ------------------------------------------------------------------ kinetics
    def element_speeds(self, fields: Mapping[str, np.ndarray], mats) -> tuple[np.ndarray, dict]:
        """V (m/s) and coverages θ_e, θ_p per element from the relative fluxes/yields."""
        idx = self._index(mats)
        n = len(idx)
        v = np.zeros(n)
        cov = {"theta_etchant": np.zeros(n), "theta_polymer": np.zeros(n)}
        for i in np.unique(idx):
            sel = idx == i
            name = self.materials[i] if i < len(self.materials) else ""
            kind = _KINDS[self._kind[i]]
            mat = self._params(name)
            vi, te, tp, _ = fluorocarbon_rates(
                self.kinetics, mat, kind,
                etchant=fields["etchant"][sel], polymer=fields["polymer"][sel],
                Y_sp=fields["Y:sp"][sel], Y_ie=fields["Y:ie"][sel], Y_p=fields["Y:p"][sel])
            v[sel] = vi
            cov["theta_etchant"][sel] = te
            cov["theta_polymer"][sel] = tp
        return v, cov

    def flat_fields(self, material: str) -> dict[str, np.ndarray]:
        """Fields on an open horizontal surface of ``material`` (normal incidence)."""
        mat = self._params(material) or self.kinetics.polymer
        ysp, yie, yp = flat_yields(self.kinetics, mat, self.beam.energies_eV, self.beam.pdf)
        one = np.ones(1)
        return {"etchant": one, "polymer": one, "Y:sp": one * ysp, "Y:ie": one * yie,
                "Y:p": one * yp}

    def flat_speed(self, material: str) -> float:
        """V_n on an open horizontal surface of ``material`` (m/s)."""
        v, _ = self.element_speeds(self.flat_fields(material),
                                   np.array([self.materials.index(material)]))
        return float(v[0])

    # ------------------------------------------------------------------ SurfaceModel
    def yield_channels(self) -> dict[str, dict]:
        out: dict[str, dict[str, Any]] = {"sp": {}, "ie": {}, "p": {}}
        P = self.kinetics.polymer
        for m in self.materials:
            mat = self._params(m)
            if mat is None:
                continue
            out["sp"][m] = mat.sputter_yield()
            out["ie"][m] = mat.ie_yield()
            out["p"][m] = P.ie_yield()
        return out

    def _min_threshold(self) -> float:
        return min([self.kinetics.polymer.Eth_ie] +
                   [p.Eth_ie for m in self.materials if (p := self._params(m))])

    def _neutral_sticking(self, free: np.ndarray | float, mats=None):
        b = np.array([(p.beta_e if (p := self._params(m)) else 0.0)
                      for m in self.materials] + [0.0])
        if mats is None:
            return {m: float(b[i] * free) for i, m in enumerate(self.materials)}
        return b[self._index(mats)] * free

    def species(self) -> tuple[Species, ...]:
        """The species of the first trace (built once: their tables are reused)."""
        return self._species

    def _first_species(self) -> list[Species]:
        k = self.kinetics
        out = []
        if k.ion_flux > 0:
            refl: dict[str, Any] = (dict(specular=1.0, specular_cone=VIENNAPS_ION_CONE,
                                         reflected_energy=VIENNAPS_ION_ENERGY_LOSS,
                                         energy_cutoff_eV=self._min_threshold())
                                    if self.ion_reflection else {})
            out.append(Species(name="ion", sticking=0.0 if self.ion_reflection else 1.0,
                               source_exponent=self.beam.exponent,
                               yield_channels=self.yield_channels(),
                               iedf=(self.beam.energies_eV, self.beam.pdf), **refl))
        # first trace: the coverages of an open flat surface of the etched material
        ref = self.etched[0] if self.etched else self.polymer
        _, cov = self.element_speeds(self.flat_fields(ref), np.array([self.materials.index(ref)]))
        free = max(0.0, 1.0 - float(cov["theta_etchant"][0]) - float(cov["theta_polymer"][0]))
        for name, flux in (("etchant", k.etchant_flux), ("polymer", k.polymer_flux)):
            if flux > 0:
                out.append(Species(name=name, default_sticking=0.0,
                                   sticking=self._neutral_sticking(free)))
        return out

    def max_rate(self) -> float:
        k = self.kinetics
        best = k.polymer_flux * k.polymer.beta_p / k.polymer.density
        emax = float(np.max(self.beam.energies_eV))
        for m in self.materials:
            mat = self._params(m)
            if mat is None:
                continue
            ysp = mat.A_sp * max(np.sqrt(emax) - np.sqrt(mat.Eth_sp), 0.0) * (1 + mat.B_sp)
            yie = mat.A_ie * max(np.sqrt(emax) - np.sqrt(mat.Eth_ie), 0.0)
            r = (k.thermal_rate(mat) + k.ion_flux * (ysp + yie)) / mat.density
            best = max(best, r)
        return _BOUND * best * (2.0 if self.ion_reflection else 1.0)

    def fields(self, fluxes: Mapping[str, SpeciesFlux], surface) -> dict[str, np.ndarray]:
        m = len(surface.elements)
        rel = {n: (fluxes[n].incident if n in fluxes else np.zeros(m))
               for n in ("etchant", "polymer")}
        yl = fluxes["ion"].yields if "ion" in fluxes else {}
        rel.update({f"Y:{c}": yl.get(c, np.zeros(m)) for c in ("sp", "ie", "p")})
        # the incident fluxes and Y_p (the polymer's yield wherever the ion hits) are
        # smoothed across materials, Y_sp and Y_ie (the hit material's) within each
        return smooth_fields(pool_small_elements(rel, surface), surface,
                             self._smoothing_h(surface), per_material=("Y:sp", "Y:ie"))

    def _smoothing_h(self, surface) -> float:
        """The smoothing radius in grid spacings: ``field_smoothing_h``, or when None
        max(0.5, FIELD_SMOOTHING_MIN / h)."""
        if self.field_smoothing_h is not None:
            return self.field_smoothing_h
        h = getattr(surface, "spacing", None)
        return max(0.5, FIELD_SMOOTHING_MIN / h) if h else 0.0

    def rates(self, fields, normals, materials) -> SurfaceRates:
        v, cov = self.element_speeds(fields, materials)
        return SurfaceRates(v, cov)

    @property
    def coupled(self) -> tuple[str, ...]:
        k = self.kinetics
        return tuple(n for n, f in (("etchant", k.etchant_flux), ("polymer", k.polymer_flux))
                     if f > 0)

    def coupled_species(self, coverages, materials) -> tuple[Species, ...]:
        mats = np.asarray(materials)
        free = np.clip(1.0 - np.broadcast_to(coverages["theta_etchant"], mats.shape)
                       - np.broadcast_to(coverages["theta_polymer"], mats.shape), 0.0, 1.0)
        st = self._neutral_sticking(free, mats)
        return tuple(Species(name=n, sticking=st) for n in self.coupled)

    def held_layers(self, n_layers: int) -> np.ndarray:
        """Inert materials are not etched (polymer may still grow on them)."""
        return np.array([self._kind[i] == 3 if i < len(self.materials) else False
                         for i in range(n_layers)], bool)


# --------------------------------------------------------------------------- recipe spec
class FluorocarbonMaterialSpec(SpecModel):
    """Per-material parameters (any subset; the rest from the defaults)."""

    density: Concentration | None = Field(default=None, gt=0)
    beta_p: float | None = Field(default=None, ge=0, le=1)
    beta_e: float | None = Field(default=None, ge=0, le=1)
    Eth_sp: Energy | None = Field(default=None, ge=0)
    Eth_ie: Energy | None = Field(default=None, ge=0)
    A_sp: float | None = Field(default=None, ge=0)
    B_sp: float | None = Field(default=None, ge=0)
    A_ie: float | None = Field(default=None, ge=0)
    K: float | None = Field(default=None, ge=0)
    E_a: Energy | None = Field(default=None, ge=0)

    def apply(self, base: FluorocarbonMaterial) -> FluorocarbonMaterial:
        ch = {k: v for k, v in self.model_dump(exclude_none=True).items()}
        for k in ("Eth_sp", "Eth_ie"):
            if k in ch:
                ch[k] = ch[k] / EV
        if "E_a" in ch:
            ch["E_a_eV"] = ch.pop("E_a") / EV
        return dataclasses.replace(base, **ch)


@register_model("fluorocarbon")
class FluorocarbonSpec(SpecModel):
    """Fluorocarbon plasma etching of SiO2/Si3N4/Si through a polymer film (La Magna &
    Garozzo 2003; ViennaPS ``FluorocarbonEtching``), see docs/etch-models.md."""

    model: Literal["fluorocarbon"]
    ion_flux: Flux = Field(default=5.6e20, ge=0)
    etchant_flux: Flux = Field(default=5.0e21, ge=0)
    polymer_flux: Flux = Field(default=1.0e21, ge=0)
    delta_p: Flux = Field(default=1.0e19, gt=0)
    k_ie: float = Field(default=2.0, ge=0)
    k_ev: float = Field(default=2.0, ge=0)
    temperature: Temperature = Field(default=300.0, gt=0)
    ion_energy: Energy = Field(default=100.0 * EV, ge=0)
    ion_energy_sigma: Energy = Field(default=10.0 * EV, ge=0)
    ion_exponent: float = Field(default=500.0, ge=0)
    ion_reflection: bool = True
    polymer: str = "Polymer"
    etched: list[str] | None = None
    masks: list[str] | None = None      # default: Mask, when the wafer has it
    materials: dict[str, FluorocarbonMaterialSpec] = Field(default_factory=dict)
    rays_per_point: int = Field(default=1000, gt=0, le=1_000_000)
    smoothing: Length = 0.0
    field_smoothing_h: float | None = Field(default=None, ge=0, le=4)
    coverage_iterations: int = Field(default=1, ge=0, le=10)
    lagged_coverages: bool = True

    @property
    def film_material(self) -> str:
        """The film this etch keeps on top of the wafer (``process.steps``)."""
        return self.polymer

    def build(self, *, kind: str, materials: tuple[str, ...], target: str | None
              ) -> TracedTransport:
        if kind != "etch":
            raise RecipeError("this model etches; use it in an etch step", path="model")
        materials = tuple(materials)
        try:
            material_info(self.polymer, materials)
        except KeyError:
            raise RecipeError(f"polymer material {self.polymer!r} does not exist; the wafer "
                              f"has {', '.join(materials)} (declare new ones under "
                              "materials:)", path="polymer", value=self.polymer) from None
        if self.polymer not in materials:
            materials = materials + (self.polymer,)
        params = dict(DEFAULT_MATERIALS)
        polymer = POLYMER_DEFAULT
        for m, ms in self.materials.items():
            if m == self.polymer:
                polymer = ms.apply(polymer)
                continue
            if m not in materials:
                raise RecipeError(f"unknown material {m!r}; the wafer has "
                                  f"{', '.join(materials)}", path=f"materials.{m}", value=m)
            base = params.get(m, DEFAULT_MATERIALS["SiO2"])
            try:
                params[m] = ms.apply(base)
            except ValueError as exc:
                raise RecipeError(str(exc), path=f"materials.{m}") from None
        mask_names = self.masks if self.masks is not None else \
            [m for m in ("Mask",) if m in materials]
        for where, names in (("masks", mask_names), ("etched", self.etched or [])):
            for m in names:
                if m not in materials:
                    raise RecipeError(f"unknown material {m!r}; the wafer has "
                                      f"{', '.join(materials)}", path=where, value=m)
                if m == self.polymer:
                    raise RecipeError("the polymer is not a mask or an etched material",
                                      path=where, value=m)
        masks = tuple(mask_names)
        for m in masks:
            params.setdefault(m, DEFAULT_MATERIALS["Mask"])
        if self.etched is not None:
            etched = tuple(self.etched)
            for m in etched:
                if m not in params:
                    raise RecipeError(f"no fluorocarbon parameters for {m!r}; give them under "
                                      f"materials.{m}", path="etched", value=m)
        else:
            etched = tuple(m for m in materials
                           if m in params and m not in masks and m != self.polymer)
        kin = FluorocarbonKinetics(
            ion_flux=self.ion_flux, etchant_flux=self.etchant_flux,
            polymer_flux=self.polymer_flux, delta_p=self.delta_p, k_ie=self.k_ie,
            k_ev=self.k_ev, temperature=self.temperature,
            materials={m: params[m] for m in etched + masks}, polymer=polymer, masks=masks)
        beam = IonBeam.gaussian(self.ion_energy / EV, self.ion_energy_sigma / EV,
                                self.ion_exponent)
        model = FluorocarbonEtch(kinetics=kin, beam=beam, materials=materials,
                                 polymer=self.polymer, etched=etched, masks=masks,
                                 ion_reflection=self.ion_reflection,
                                 field_smoothing_h=self.field_smoothing_h)
        tracing = RayTracing(rays_per_point=self.rays_per_point, smoothing=self.smoothing,
                             coverage_iterations=self.coverage_iterations,
                             lagged_coverages=self.lagged_coverages)
        return TracedTransport(model=model, tracing=tracing, step=step_label(kind, None))
