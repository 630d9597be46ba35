"""Ion-enhanced plasma etching at the feature scale: models ``sf6o2`` and ``ion_enhanced``.

Each time step the flux engine traces three species on the surface — ions (cosⁿθ
source, sticking 1, or with ``ion_reflection`` the ViennaPS law: sticking 1 up to 70°
incidence falling linearly to 0 at 90°, the rest reflected specularly), etchant and
passivant (cosine sources, diffuse re-emission) — and
the atomic-scale kinetics (``waferlab.atomic.ion_enhanced``) turn the local fluxes into
coverages and an etch speed per element:

    Γ_E = Γ_E,src · incident_E ,   Γ_P = Γ_P,src · incident_P
    (YΓ)_x = Γ_i,src · incident_i · <A_x(√E − √E_th,x)>_IEDF · <f_x>(α)

<f_x>(α) is the beam-averaged angular factor on a plane whose normal is tilted by α
from the vertical (``atomic.yields.beam_incidence_table``): the yield of the direct
beam.  Etched materials follow the site balance; mask materials erode by sputtering
and, if organic, by O-atom ashing (``atomic.mask_erosion``: ER = (YΓ)_sp/ρ + V_O Γ_O,
Γ_O the passivant flux arriving there); other materials do not move.  Neutral sticking in the ray
tracing is per material
β_m (1 − θ_E − θ_P) with the coverages of an open flat surface (the peer uses each
element's own coverage; see docs/etch-models.md for this and the other differences).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Mapping

import numpy as np
from pydantic import Field, model_validator

from ..atomic.ion_enhanced import IonBeam, SurfaceKinetics, surface_rates
from ..atomic.mask_erosion import ORGANIC, MaskErosion, default_mask_erosion
from ..atomic.sf6o2 import SF6O2Parameters
from ..atomic.yields import ANGULAR_FACTORS, IonYield, beam_incidence_table
from ..constants import EV
from ..errors import RecipeError
from ..materials import material_info
from ..recipe_io import SpecModel
from ..units import Concentration, Energy, Flux, Length, Volume
from .flux.engine import SpeciesFlux
from .modes import IonLobe, IonScoring
from .flux.ions import VIENNAPS_ION_ENERGY_LOSS
from .flux.models import step_label
from .flux.sources import VIENNAPS_ION_CONE, VIENNAPS_ION_STICKING, Species
from .flux.transport import Evaluation, RayTracing, SurfaceRates, TracedTransport
from .registry import register_model

__all__ = ["IonEnhancedEtch", "direct_beam_table", "MaskSputter", "SF6O2Spec", "IonEnhancedSpec", "YieldSpec",
           "incident_fields", "eroded_masks", "mask_sputters"]

ION_SCORING = tuple(IonScoring)
_BOUND = 1.5      # max_rate: 1.5 × the largest unshadowed speed (relative fluxes ≤ 1 + noise)


def incident_fields(fluxes: Mapping[str, SpeciesFlux], m: int, species: tuple[str, ...],
                    per_hit: bool, channels: Any) -> dict[str, np.ndarray]:
    """The local fields of an ion-enhanced model on ``m`` elements: the relative incident
    flux of each of ``species`` (0 for a species not traced) and, with per-hit scoring,
    the ion yields "Y:<channel>" (0 for every one of ``channels()`` if no ion was traced)."""
    rel = {n: (fluxes[n].incident if n in fluxes else np.zeros(m)) for n in species}
    if per_hit:
        yl = (fluxes["ion"].yields if "ion" in fluxes
              else {c: np.zeros(m) for c in channels()})
        rel.update({f"Y:{c}": y for c, y in yl.items()})
    return rel


def direct_beam_table(tables: dict, yields: Mapping[str, Any], beam: IonBeam, key: str,
                      flat: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(α, <Y>(α)) of the direct beam for yield channel ``key``, built on first use and
    kept in ``tables``; ``flat``: the normal-incidence row alone (the same numbers as row
    0 of the full table, all that per-hit scoring needs)."""
    tk = (key, flat)
    if tk not in tables:
        y = yields[key]
        if isinstance(y, IonYield):      # the table depends on the law, B and n alone
            alpha, f = _angular_table(y.angular, float(y.B), float(beam.exponent), flat)
        else:
            alpha, f = beam_incidence_table(y.angular_part, beam.exponent,
                                            **({"n_alpha": 1} if flat else {}))
        tables[tk] = (alpha, beam.energy_average(y) * f)
    return tables[tk]


@functools.lru_cache(maxsize=64)
def _angular_table(angular: str, B: float, exponent: float, flat: bool
                   ) -> tuple[np.ndarray, np.ndarray]:
    """``beam_incidence_table`` of the angular law ``angular`` (parameter B) for a
    cosⁿθ beam, read-only: the same numbers for every model and step that asks (a pure
    function of its arguments; ~25 ms each, several per sf6o2 model and run)."""
    alpha, f = beam_incidence_table(IonYield(A=0.0, threshold_eV=0.0, angular=angular,
                                             B=B).angular_part, exponent,
                                    **({"n_alpha": 1} if flat else {}))
    alpha.flags.writeable = False
    f.flags.writeable = False
    return alpha, f

@dataclass(frozen=True, kw_only=True)
class MaskSputter:
    """A mask material: ER = (YΓ)_sp / ρ + V_O Γ_P (``atomic.mask_erosion``).

    o_erosion  V_O, volume removed per incident passivant (O) atom (m³); 0: sputter only
    """

    yield_: IonYield
    density: float
    o_erosion: float = 0.0


@dataclass(frozen=True, kw_only=True)
class IonEnhancedEtch:
    """The physics of ion-enhanced etching (a ``transport.SurfaceModel``, coverage-coupled
    and selective); ``transport.TracedTransport`` traces it.

    kinetics          site balance and yields of the etched materials
    beam              ion energy distribution and source exponent
    ion_flux, etchant_flux, passivant_flux   source fluxes (m⁻²s⁻¹) on an open surface
    etched            materials etched by the kinetics
    masks             {material: MaskSputter} eroded by sputtering only
    etchant_sticking, passivant_sticking     β per material for the ray tracing
    materials         the wafer's material names (indices of ``speed``'s materials)
    (the neutral sticking of the first trace is β_m(1 − θ) with flat-surface coverages;
    ``RayTracing.coverage_iterations`` / ``lagged_coverages`` re-trace the neutrals with
    each element's own coverages, as the peer does)
    ion_reflection    False: ions stick on their first hit; True: ion sticking
                      ``VIENNAPS_ION_STICKING`` (1 up to 70°, linear to 0 at 90°), the
                      rest reflected (``ion_lobe``); how the hits are turned into yields:
                      ``ion_scoring`` (see docs/etch-models.md)
    ion_lobe          "specular": reflected ions leave exactly specularly; "cone": in
                      ViennaPS's coned lobe about the specular direction
                      (``Species.specular_cone`` = 80°)
    ion_scoring       "beam": (YΓ) = Γ_i · incident_i · the element's direct-beam yield;
                      "per_hit": every ion hit scores its own yield, at the ray's own
                      energy (sampled from the IEDF, lowered at each reflection by
                      ViennaPS's law ``VIENNAPS_ION_ENERGY_LOSS``; the ion stops below
                      min(E_th,ie, E_th,sp)) and incidence angle (``Species.yield_channels``)
    """

    kinetics: SurfaceKinetics
    beam: IonBeam
    ion_flux: float
    etchant_flux: float
    passivant_flux: float = 0.0
    etched: tuple[str, ...]
    masks: Mapping[str, MaskSputter] = field(default_factory=dict)
    etchant_sticking: Mapping[str, float] = field(default_factory=dict)
    passivant_sticking: Mapping[str, float] = field(default_factory=dict)
    materials: tuple[str, ...]
    ion_reflection: bool = False
    ion_lobe: str = IonLobe.SPECULAR
    ion_scoring: str = IonScoring.BEAM
    name: str = "ion_enhanced"
    evaluation: ClassVar[Evaluation] = Evaluation.ELEMENTS
    _yields: dict = field(init=False, repr=False, compare=False)
    _tables: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        kin = self.kinetics
        if self.ion_scoring not in ION_SCORING:
            raise ValueError(f"ion_scoring = {self.ion_scoring!r}; allowed: {', '.join(ION_SCORING)}")
        yields = {"sp": kin.sputter, "ie": kin.ion_enhanced}
        if kin.passivant_removal is not None:
            yields["P"] = kin.passivant_removal
        for m, ms in self.masks.items():
            yields[f"mask:{m}"] = ms.yield_
        object.__setattr__(self, "_yields", yields)
        object.__setattr__(self, "_tables", {})

    # ------------------------------------------------------------------ kinetics
    def _table(self, key: str, flat: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(α, <Y>(α)) of the direct beam for channel ``key`` (:func:`direct_beam_table`)."""
        return direct_beam_table(self._tables, self._yields, self.beam, key, flat)

    def yield_at(self, key: str, tilt: np.ndarray | float) -> np.ndarray | float:
        """<Y> of the direct beam on planes tilted by ``tilt`` (rad) from the vertical."""
        if np.ndim(tilt) == 0 and tilt == 0.0:       # an open flat surface
            return self._table(key, flat=True)[1][0]
        alpha, y = self._table(key)
        return np.interp(tilt, alpha, y)

    def yield_channels(self) -> dict[str, dict]:
        """Per-hit yield channels {channel: {material: IonYield}}: "sp" (sputtering of the
        etched materials and of the masks, each with its own yield), "ie", and "P" when
        the kinetics remove passivant.  "ie" and "P" are scored on every material, as the
        beam scoring and the peer do: they enter the coverages, which set the neutral
        sticking everywhere (a mask's speed uses "sp" only)."""
        kin = self.kinetics
        ch = {"sp": {m: kin.sputter for m in self.etched},
              "ie": {m: kin.ion_enhanced for m in self.materials}}
        ch["sp"].update({m: ms.yield_ for m, ms in self.masks.items()})
        if kin.passivant_removal is not None:
            ch["P"] = {m: kin.passivant_removal for m in self.materials}
        return ch

    def element_speeds(self, ion, etchant, passivant, tilt, mats,
                       ion_yields: Mapping[str, np.ndarray] | None = None
                       ) -> tuple[np.ndarray, dict]:
        """Speed (m/s, ≤ 0) and coverages from relative incident fluxes per element.

        ion_yields: the traced per-hit ⟨YΓ⟩/Γ_i,src per channel (``yield_channels``)
        instead of incident_i × the direct-beam yield."""
        Gi = self.ion_flux * ion
        if ion_yields is None:
            ysp = Gi * self.yield_at("sp", tilt)
            yie = Gi * self.yield_at("ie", tilt)
            yP = Gi * self.yield_at("P", tilt) if "P" in self._yields else 0.0
        else:
            ysp = self.ion_flux * ion_yields["sp"]
            yie = self.ion_flux * ion_yields["ie"]
            yP = self.ion_flux * ion_yields["P"] if "P" in ion_yields else 0.0
        rates = surface_rates(
            self.kinetics, etchant_flux=self.etchant_flux * etchant,
            passivant_flux=self.passivant_flux * passivant,
            ion_sputter_flux=ysp, ion_enhanced_flux=yie, ion_passivant_flux=yP)
        v = np.zeros(len(mats))
        names = np.array(self.materials + ("",))
        mname = names[np.where((mats >= 0) & (mats < len(self.materials)), mats, -1)]
        et = np.isin(mname, self.etched)
        v[et] = -np.broadcast_to(rates.etch_rate, v.shape)[et]
        for m, ms in self.masks.items():
            sel = mname == m
            ym = (Gi * self.yield_at(f"mask:{m}", tilt) if ion_yields is None
                  else np.broadcast_to(self.ion_flux * ion_yields["sp"], v.shape))
            v[sel] = -ym[sel] / ms.density
            if ms.o_erosion > 0:
                o = np.broadcast_to(self.passivant_flux * np.asarray(passivant, float), v.shape)
                v[sel] -= ms.o_erosion * o[sel]
        return v, {"theta_etchant": rates.theta_etchant, "theta_passivant": rates.theta_passivant}

    def flat_coverages(self) -> tuple[float, float]:
        r = surface_rates(self.kinetics, etchant_flux=self.etchant_flux,
                          passivant_flux=self.passivant_flux,
                          ion_sputter_flux=self.ion_flux * self.yield_at("sp", 0.0),
                          ion_enhanced_flux=self.ion_flux * self.yield_at("ie", 0.0),
                          ion_passivant_flux=(self.ion_flux * self.yield_at("P", 0.0)
                                              if "P" in self._yields else 0.0))
        return float(r.theta_etchant), float(r.theta_passivant)

    def flat_speed(self, material: str) -> float:
        """V_n on an open horizontal surface of ``material`` (m/s)."""
        i = self.materials.index(material)
        v, _ = self.element_speeds(np.ones(1), np.ones(1), np.ones(1), np.zeros(1), np.array([i]))
        return float(v[0])

    def species(self) -> list[Species]:
        """The traced species (those with a non-zero source flux)."""
        thE, thP = self.flat_coverages()
        free = max(0.0, 1.0 - thE - thP)
        out = []
        if self.ion_flux > 0:
            cone = VIENNAPS_ION_CONE if self.ion_lobe == IonLobe.CONE else None
            refl: dict[str, Any] = (dict(sticking_angle=VIENNAPS_ION_STICKING, specular=1.0, specular_cone=cone)
                    if self.ion_reflection else {})
            if self.ion_scoring == IonScoring.PER_HIT:
                kin = self.kinetics
                refl.update(yield_channels=self.yield_channels(),
                            iedf=(self.beam.energies_eV, self.beam.pdf),
                            reflected_energy=VIENNAPS_ION_ENERGY_LOSS,
                            energy_cutoff_eV=min(kin.ion_enhanced.threshold_eV,
                                                 kin.sputter.threshold_eV))
            out.append(Species(name="ion", sticking=1.0, source_exponent=self.beam.exponent,
                               **refl))
        if self.etchant_flux > 0:
            out.append(Species(name="etchant", default_sticking=0.0,
                               sticking={m: free * s for m, s in self.etchant_sticking.items()}))
        if self.passivant_flux > 0:
            out.append(Species(name="passivant", default_sticking=0.0,
                               sticking={m: free * s for m, s in self.passivant_sticking.items()}))
        return out

    # ------------------------------------------------------------------ SurfaceModel
    def max_rate(self) -> float:
        tilt = np.linspace(0.0, np.pi, 181)
        best = 0.0
        for i, m in enumerate(self.materials):
            if m in self.etched or m in self.masks:
                v, _ = self.element_speeds(np.ones_like(tilt), np.ones_like(tilt),
                                           np.ones_like(tilt), tilt, np.full(tilt.size, i))
                best = max(best, float(np.max(np.abs(v))))
        # reflected ions can focus: a tapered hole's bottom gets ~1.4 Γ_i (sf6o2_hole.md)
        return _BOUND * best * (2.0 if self.ion_reflection else 1.0)

    def fields(self, fluxes: Mapping[str, SpeciesFlux], surface) -> dict[str, np.ndarray]:
        """Relative incident fluxes "ion", "etchant", "passivant" per element (0 for a
        species not traced) and, with per-hit scoring, the yields "Y:<channel>"."""
        return incident_fields(fluxes, len(surface.elements), ("ion", "etchant", "passivant"),
                               self.ion_scoring == IonScoring.PER_HIT, self.yield_channels)

    def rates(self, fields, normals, materials) -> SurfaceRates:
        """``element_speeds`` with the tilt of each normal from the vertical."""
        tilt = np.arccos(np.clip(np.asarray(normals)[:, -1], -1.0, 1.0))
        yl = ({k[2:]: v for k, v in fields.items() if k.startswith("Y:")}
              if self.ion_scoring == IonScoring.PER_HIT else None)
        v, cov = self.element_speeds(fields["ion"], fields["etchant"], fields["passivant"],
                                     tilt, np.asarray(materials), yl)
        return SurfaceRates(v, cov)

    @property
    def coupled(self) -> tuple[str, ...]:
        """The neutrals traced (their sticking β_m (1 − θ_E − θ_P) follows the coverages)."""
        return tuple(n for n, f in (("etchant", self.etchant_flux),
                                    ("passivant", self.passivant_flux)) if f > 0)

    def coupled_species(self, coverages, materials) -> tuple[Species, ...]:
        """Neutrals with per-element sticking β_m · (1 − θ_E − θ_P)_e."""
        mats = np.asarray(materials)
        free = np.clip(1.0 - np.broadcast_to(coverages["theta_etchant"], mats.shape)
                       - np.broadcast_to(coverages["theta_passivant"], mats.shape), 0.0, 1.0)
        out = []
        for sp_name, beta in (("etchant", self.etchant_sticking),
                              ("passivant", self.passivant_sticking)):
            if sp_name not in self.coupled:
                continue
            b = np.array([beta.get(n, 0.0) for n in self.materials] + [0.0])
            be = b[np.where((mats >= 0) & (mats < len(self.materials)), mats, -1)] * free
            out.append(Species(name=sp_name, sticking=be))
        return tuple(out)

    def moving(self, materials) -> np.ndarray:
        """Etched and mask materials move; a query point keeps its own material's law."""
        names = np.array(self.materials + ("",))
        mats = np.asarray(materials, int)
        mname = names[np.where((mats >= 0) & (mats < len(self.materials)), mats, -1)]
        return np.isin(mname, tuple(self.etched) + tuple(self.masks))


# --------------------------------------------------------------------------- recipe specs
def _eV(x: float) -> float:
    return float(x) / EV


def _check_materials(where: str, names, materials: tuple[str, ...]) -> None:
    for m in names:
        if m not in materials:
            raise RecipeError(f"unknown material {m!r}; the wafer has {', '.join(materials)}",
                              path=where, value=m)


def _sticking_map(value, materials, where) -> dict[str, float]:
    if isinstance(value, dict):
        _check_materials(where, value, materials)
        return dict(value)
    return {m: float(value) for m in materials}


Sticking = float | dict[str, float]


class YieldSpec(SpecModel):
    """Y = A·max(√E − √E_th, 0)·f(θ): ``{A: 7, threshold: 15 eV, angular: belen_ie, B: 0}``."""

    A: float = Field(ge=0)
    threshold: Energy = Field(ge=0)
    angular: Literal[tuple(sorted(ANGULAR_FACTORS))] = "constant"   # type: ignore[valid-type]
    B: float = 0.0

    def ion_yield(self) -> IonYield:
        return IonYield(A=self.A, threshold_eV=_eV(self.threshold), angular=self.angular, B=self.B)


class MaskSpec(YieldSpec):
    """A mask material's sputter yield and atom density (default: the materials table)."""

    density: Concentration | None = Field(default=None, gt=0)


class IEDFSpec(SpecModel):
    """A tabulated ion energy distribution: energies (eV, increasing) and pdf values."""

    energies_eV: list[float] = Field(min_length=1)
    pdf: list[float] = Field(min_length=1)

    @model_validator(mode="after")
    def _shape(self):
        if len(self.energies_eV) != len(self.pdf):
            raise ValueError("iedf.energies_eV and iedf.pdf must have the same length")
        if any(p < 0 for p in self.pdf) or not any(p > 0 for p in self.pdf):
            raise ValueError("iedf.pdf must be >= 0 and not all zero")
        if any(b <= a for a, b in zip(self.energies_eV, self.energies_eV[1:])):
            raise ValueError("iedf.energies_eV must increase")
        return self


class _Common(SpecModel):
    ion_flux: Flux = Field(ge=0)
    etchant_flux: Flux = Field(ge=0)
    ion_energy: Energy = Field(default=100.0 * EV, ge=0)
    ion_energy_sigma: Energy = Field(default=10.0 * EV, ge=0)
    iedf: IEDFSpec | None = None
    ion_exponent: float = Field(default=1000.0, ge=0)
    etched: list[str] = Field(default_factory=lambda: ["Si"], min_length=1)
    rays_per_point: int = Field(default=1000, gt=0, le=1_000_000)
    smoothing: Length = 0.0
    coverage_iterations: int = Field(default=0, ge=0, le=10)
    ion_reflection: bool = False
    ion_lobe: IonLobe = IonLobe.SPECULAR
    ion_scoring: IonScoring = IonScoring.BEAM
    lagged_coverages: bool = False

    def tracing(self) -> RayTracing:
        return RayTracing(rays_per_point=self.rays_per_point, smoothing=self.smoothing,
                          coverage_iterations=self.coverage_iterations,
                          lagged_coverages=self.lagged_coverages)

    def _beam(self) -> IonBeam:
        if self.iedf is not None:
            return IonBeam(energies_eV=tuple(self.iedf.energies_eV), pdf=tuple(self.iedf.pdf),
                           exponent=self.ion_exponent)
        return IonBeam.gaussian(_eV(self.ion_energy), _eV(self.ion_energy_sigma), self.ion_exponent)


class _PeerClosure(_Common):
    """The peer's (ViennaPS) flux defaults and transport closure, shared by ``sf6o2``,
    ``sf6c4f8`` and the coverage chemistries: ions reflect in its coned lobe and score per
    hit; coverages are iterated once on the first time step, then carried."""

    ion_flux: Flux = Field(default=1.2e20, ge=0)
    etchant_flux: Flux = Field(default=1.8e22, ge=0)
    ion_exponent: float = Field(default=500.0, ge=0)
    ion_reflection: bool = True
    ion_scoring: IonScoring = IonScoring.PER_HIT
    ion_lobe: IonLobe = IonLobe.CONE
    lagged_coverages: bool = True
    coverage_iterations: int = Field(default=1, ge=0, le=10)


def eroded_masks(spec: Any, materials: tuple[str, ...]) -> list[str]:
    """The mask materials an etch erodes: ``spec.masks``, or by default the hard mask and
    the organic materials the wafer has; checks ``spec.O_erosion_yield`` against them."""
    if spec.masks is not None:
        _check_materials("masks", spec.masks, materials)
        names = list(spec.masks)
    else:
        names = [m for m in ("Mask",) + ORGANIC if m in materials and m not in spec.etched]
    _check_materials("O_erosion_yield", spec.O_erosion_yield, materials)
    for m, vo in spec.O_erosion_yield.items():
        if m not in names or not vo >= 0:
            raise RecipeError(f"O_erosion_yield applies to eroded mask materials "
                              f"({', '.join(names) or 'none'}) and must be >= 0",
                              path=f"O_erosion_yield.{m}", value=vo)
    return names


def mask_sputters(spec: Any, names: list[str], materials: tuple[str, ...], mask_yield: Any,
                  mask_density: float) -> dict[str, MaskSputter]:
    """Each eroded mask's law: "Mask" by the chemistry's mask yield and density, an organic
    material by its own (``atomic.mask_erosion``); ``spec.O_erosion_yield`` overrides V_O."""
    out = {}
    for m in names:
        law = (MaskErosion(sputter=mask_yield, density=mask_density) if m == "Mask"
               else default_mask_erosion(m, material_info(m, materials).atom_density))
        out[m] = MaskSputter(yield_=law.sputter, density=law.density,
                             o_erosion=spec.O_erosion_yield.get(m, law.o_erosion))
    return out


def _etch_only(kind: str) -> None:
    if kind != "etch":
        raise RecipeError("this model etches; use it in an etch step", path="model")


@register_model("sf6o2")
class SF6O2Spec(_PeerClosure):
    """SF6/O2 Si etching (Belen et al. 2005; ViennaPS defaults), see docs/etch-models.md.

    The transport closure defaults to the peer's (ViennaPS ``SF6O2Etching``): ions reflect
    in its coned lobe (``ion_lobe: cone``) and score per hit; neutral sticking uses each
    element's own coverages, iterated once on the first time step and then carried from
    step to step (``coverage_iterations: 1``, ``lagged_coverages: true``).  With these the
    3D hole benchmark converges in the grid to the depth ViennaPS approaches as its own
    spacing is refined (bench/results/sf6o2_convergence.md)."""

    model: Literal["sf6o2"]
    oxygen_flux: Flux = Field(default=1.0e21, ge=0)
    A_O: float = Field(default=3.0, ge=0)
    A_Si: float = Field(default=7.0, ge=0)
    etchant_sticking: Sticking = 0.7
    oxygen_sticking: Sticking = 1.0
    sticking_in_balance: bool = False
    masks: list[str] | None = None
    O_erosion_yield: dict[str, Volume] = Field(default_factory=dict)

    def parameters(self) -> SF6O2Parameters:
        return SF6O2Parameters(
            ion_flux=self.ion_flux, etchant_flux=self.etchant_flux, oxygen_flux=self.oxygen_flux,
            ion_energy_eV=_eV(self.ion_energy), ion_energy_sigma_eV=_eV(self.ion_energy_sigma),
            ion_exponent=self.ion_exponent, A_O=self.A_O, A_Si=self.A_Si,
            etchant_sticking=(self.etchant_sticking if isinstance(self.etchant_sticking, float)
                              else max(self.etchant_sticking.values(), default=0.7)),
            oxygen_sticking=(self.oxygen_sticking if isinstance(self.oxygen_sticking, float)
                             else max(self.oxygen_sticking.values(), default=1.0)),
            sticking_in_balance=self.sticking_in_balance)

    def build(self, *, kind: str, materials: tuple[str, ...], target: str | None
              ) -> TracedTransport:
        _etch_only(kind)
        materials = tuple(materials)
        _check_materials("etched", self.etched, materials)
        mask_names = eroded_masks(self, materials)
        try:
            p = self.parameters()
        except ValueError as exc:
            raise RecipeError(str(exc), path="model") from None
        masks = mask_sputters(self, mask_names, materials, p.mask_yield(), p.mask_density)
        model = IonEnhancedEtch(
            kinetics=p.kinetics(), beam=self._beam(), ion_flux=p.ion_flux,
            etchant_flux=p.etchant_flux, passivant_flux=p.oxygen_flux, etched=tuple(self.etched),
            masks=masks, materials=materials,
            etchant_sticking=_sticking_map(self.etchant_sticking, materials, "etchant_sticking"),
            passivant_sticking=_sticking_map(self.oxygen_sticking, materials, "oxygen_sticking"),
            ion_reflection=self.ion_reflection, ion_lobe=self.ion_lobe,
            ion_scoring=self.ion_scoring, name=self.model)
        return TracedTransport(model=model, tracing=self.tracing(), step=step_label(kind, None))


@register_model("ion_enhanced")
class IonEnhancedSpec(_Common):
    """Generic ion-enhanced etching (one etchant, one ion, optional passivant)."""

    model: Literal["ion_enhanced"]
    passivant_flux: Flux = Field(default=0.0, ge=0)
    density: Concentration | None = Field(default=None, gt=0)
    chemical_rate: Flux = Field(ge=0)
    chemical_stoichiometry: float = Field(default=4.0, gt=0)
    ie_stoichiometry: float = Field(default=2.0, gt=0)
    etchant_sticking: float = Field(default=1.0, ge=0, le=1)
    passivant_sticking: float = Field(default=1.0, ge=0, le=1)
    passivant_desorption: Flux = Field(default=0.0, ge=0)
    sputter: YieldSpec
    ion_enhanced: YieldSpec
    passivant_removal: YieldSpec | None = None
    masks: dict[str, MaskSpec] = Field(default_factory=dict)
    wall_etchant_sticking: dict[str, float] = Field(default_factory=dict)

    def build(self, *, kind: str, materials: tuple[str, ...], target: str | None
              ) -> TracedTransport:
        _etch_only(kind)
        materials = tuple(materials)
        _check_materials("etched", self.etched, materials)
        _check_materials("masks", self.masks, materials)
        _check_materials("wall_etchant_sticking", self.wall_etchant_sticking, materials)
        for m, s in self.wall_etchant_sticking.items():
            if not 0.0 <= s <= 1.0:
                raise RecipeError(f"sticking {s} is outside [0, 1]",
                                  path=f"wall_etchant_sticking.{m}", value=s)
        if self.passivant_flux > 0 and self.passivant_removal is None \
                and self.passivant_desorption == 0:
            raise RecipeError("a passivant flux with neither `passivant_removal` (ion yield) nor "
                              "`passivant_desorption` covers the surface completely and stops "
                              "all etching; give one of them", path="passivant_flux",
                              value=self.passivant_flux)
        density = self.density or material_info(self.etched[0], materials).atom_density
        try:
            kin = SurfaceKinetics(
                density=density, chemical_rate=self.chemical_rate,
                chemical_stoichiometry=self.chemical_stoichiometry,
                ie_stoichiometry=self.ie_stoichiometry, etchant_sticking=self.etchant_sticking,
                passivant_sticking=self.passivant_sticking,
                passivant_desorption=self.passivant_desorption,
                sputter=self.sputter.ion_yield(), ion_enhanced=self.ion_enhanced.ion_yield(),
                passivant_removal=(self.passivant_removal.ion_yield()
                                   if self.passivant_removal is not None else None))
        except ValueError as exc:
            raise RecipeError(str(exc), path="model") from None
        masks = {m: MaskSputter(yield_=ms.ion_yield(),
                                density=ms.density or material_info(m, materials).atom_density)
                 for m, ms in self.masks.items()}
        # ray-tracing sticking: γ on etched materials, wall values (default 0) elsewhere
        est = {m: (self.etchant_sticking if m in self.etched else 0.0) for m in materials}
        est.update(self.wall_etchant_sticking)
        pst = {m: self.passivant_sticking for m in materials}
        model = IonEnhancedEtch(
            kinetics=kin, beam=self._beam(), ion_flux=self.ion_flux,
            etchant_flux=self.etchant_flux, passivant_flux=self.passivant_flux,
            etched=tuple(self.etched), masks=masks, materials=materials,
            etchant_sticking=est, passivant_sticking=pst,
            ion_reflection=self.ion_reflection, ion_lobe=self.ion_lobe,
            ion_scoring=self.ion_scoring, name=self.model)
        return TracedTransport(model=model, tracing=self.tracing(), step=step_label(kind, None))
