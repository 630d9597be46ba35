"""Transport-limited surface models: ``single_particle`` and ``multi_particle``.

single_particle (as ViennaPS ``SingleParticleProcess``): one species with sticking s,
cosⁿ source; V_n = ± rate_m · Γ_abs/(s_e Γ0), i.e. the rate scaled by the local absorbed
flux relative to what an open flat surface absorbs (deposition +, etch −, per exposed
material m for etch).

multi_particle: several species; V_n = ± f(rate_m, incident_<name>, absorbed_<name>)
with f a Python callable (API) or a safe expression (recipe, see ``expression.py``).
Fluxes are normalised to each species' flat-surface incident flux Γ0 (absorbed on a flat
surface = s).

Both are physics classes (``transport.SurfaceModel``) evaluated at the query points;
``transport.TracedTransport`` traces, pools and interpolates their fields.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, ClassVar, Literal, Mapping

import numpy as np
from pydantic import Field, field_validator

from ...errors import RecipeError
from ...recipe_io import SpecModel
from ...units import Length, Rate
from ..registry import register_model
from ..surface import Surface
from .engine import SpeciesFlux
from .expression import compile_expression
from .sources import Species
from .transport import (Evaluation, FluxState, RayTracing, SurfaceRates, TracedTransport,
                        surface_of)

__all__ = ["SingleParticle", "MultiParticle", "FluxState", "SingleParticleSpec",
           "MultiParticleSpec", "SpeciesSpec", "surface_of", "step_label", "rate_table"]

_FLAT_BOUND = 1.5   # max_rate = 1.5 × the flat-surface speed: relative flux ≤ 1 plus MC noise


def rate_table(rates: Mapping[str, float], names: tuple[str, ...],
               materials: np.ndarray) -> np.ndarray:
    """rates[material name] at each material index (0 for unlisted or out-of-range ones)."""
    table = np.array([rates.get(m, 0.0) for m in names] + [0.0])
    mats = np.asarray(materials, int)
    mats = np.where((mats >= 0) & (mats < len(names)), mats, len(names))
    return table[mats]


def step_label(kind: str, target: str | None) -> str:
    """How error messages name a step: "deposit SiO2", "etch"."""
    return f"{kind} {target}" if target else kind


@dataclass(frozen=True, kw_only=True)
class SingleParticle:
    """V_n = sign · rate_m · Γ_abs/(s Γ0) at each point.

    rates           {material: rate (m/s)} (etch: unlisted materials do not move), or
    rate            one rate for every material (deposition)
    sign            +1 deposit, −1 etch
    materials       the wafer's material names (indices of the query materials)
    """

    name: ClassVar[str] = "single_particle"
    evaluation: ClassVar[Evaluation] = Evaluation.POINTS
    particle: Species
    materials: tuple[str, ...]
    sign: float
    rate: float | None = None
    material_rates: Mapping[str, float] = field(default_factory=dict)

    def _rate_table(self) -> dict[str, float]:
        return ({m: self.rate for m in self.materials} if self.rate is not None
                else dict(self.material_rates))

    def max_rate(self) -> float:
        return _FLAT_BOUND * max([abs(v) for v in self._rate_table().values()] + [0.0])

    def species(self) -> tuple[Species, ...]:
        return (self.particle,)

    def held_layers(self, n_layers: int) -> np.ndarray:
        """An etch with ``rates``: the layers with no rate (V_n = 0 there) are held."""
        if self.sign >= 0 or self.rate is not None:
            return np.zeros(n_layers, bool)
        return rate_table(self.material_rates, self.materials, np.arange(n_layers)) == 0.0

    def fields(self, fluxes: Mapping[str, SpeciesFlux], surface: Surface) -> dict[str, np.ndarray]:
        """rel = Γ_abs/(s_e Γ0) per element (NaN where the element got no rays)."""
        s = self.particle.sticking_array(surface.material_names)[surface.materials]
        f = fluxes[self.particle.name]
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(s > 0, f.absorbed / s, 0.0)
        return {"rel": np.where(np.isfinite(f.absorbed), rel, np.nan)}

    def rates(self, fields, normals, materials) -> SurfaceRates:
        return SurfaceRates(self.sign * rate_table(self._rate_table(), self.materials, materials)
                            * fields["rel"])


@dataclass(frozen=True, kw_only=True)
class MultiParticle:
    """V_n = sign · f(env) with env = {rate, incident_<name>, absorbed_<name>} per point."""

    name: ClassVar[str] = "multi_particle"
    evaluation: ClassVar[Evaluation] = Evaluation.POINTS
    particles: tuple[Species, ...]
    velocity: Callable[[Mapping[str, np.ndarray]], np.ndarray]
    materials: tuple[str, ...]
    sign: float
    rate: float | None = None
    material_rates: Mapping[str, float] = field(default_factory=dict)

    def _rate_table(self) -> dict[str, float]:
        return ({m: self.rate for m in self.materials} if self.rate is not None
                else dict(self.material_rates))

    def _flat_env(self, rate: float) -> dict[str, np.ndarray]:
        env = {"rate": np.array([rate])}
        for sp in self.particles:
            st = sp.sticking_array(self.materials)
            env[f"incident_{sp.name}"] = np.array([1.0])
            env[f"absorbed_{sp.name}"] = np.array([float(st.max()) if st.size else 0.0])
        return env

    def max_rate(self) -> float:
        """1.5 × the largest flat-surface |V_n| (an estimate: f is the user's)."""
        vals = [abs(float(np.asarray(self.velocity(self._flat_env(r))).ravel()[0]))
                for r in self._rate_table().values()] or [0.0]
        return _FLAT_BOUND * max(vals)

    def species(self) -> tuple[Species, ...]:
        return tuple(self.particles)

    def fields(self, fluxes: Mapping[str, SpeciesFlux], surface: Surface) -> dict[str, np.ndarray]:
        vals = {}
        for sp in self.particles:
            vals[f"incident_{sp.name}"] = fluxes[sp.name].incident
            vals[f"absorbed_{sp.name}"] = fluxes[sp.name].absorbed
        return vals

    def rates(self, fields, normals, materials) -> SurfaceRates:
        env = dict(fields)
        env["rate"] = rate_table(self._rate_table(), self.materials, materials)
        v = np.broadcast_to(np.asarray(self.velocity(env), float), (len(materials),))
        return SurfaceRates(self.sign * v)


# --------------------------------------------------------------------------- recipe specs
Sticking = float | dict[str, float]


def _check_sticking(v, *, allow_zero: bool):
    vals = v.values() if isinstance(v, dict) else [v]
    for x in vals:
        if not ((0.0 <= x <= 1.0) if allow_zero else (0.0 < x <= 1.0)):
            raise ValueError(f"sticking {x} is outside {'[0, 1]' if allow_zero else '(0, 1]'}")
    return v


def _check_names(where: str, names, materials: tuple[str, ...]):
    for m in names:
        if m not in materials:
            raise RecipeError(f"unknown material {m!r}; the wafer has {', '.join(materials)}",
                              path=where, value=m)


def _rate_args(spec, kind: str, materials) -> dict:
    if kind == "deposit":
        if spec.rate is None or spec.rates is not None:
            raise RecipeError("a deposit takes one `rate` (e.g. \"1 um/min\"), not `rates`",
                              path="rate", value=spec.rates)
        return {"rate": spec.rate, "sign": 1.0}
    if (spec.rate is None) == (spec.rates is None):
        raise RecipeError("an etch takes `rates: {material: rate}` or one `rate` for all",
                          path="rates", value=spec.rates)
    if spec.rates is not None:
        _check_names("rates", spec.rates, materials)
        return {"material_rates": dict(spec.rates), "sign": -1.0}
    return {"rate": spec.rate, "sign": -1.0}


class SpeciesSpec(SpecModel):
    """One species of ``multi_particle``: name, sticking (0..1, or per material)."""

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    sticking: Sticking
    default_sticking: float | None = Field(default=None, ge=0, le=1)
    source_exponent: float = Field(default=1.0, ge=0)
    specular: float = Field(default=0.0, ge=0, le=1)

    @field_validator("sticking")
    @classmethod
    def _sticking_range(cls, v):
        return _check_sticking(v, allow_zero=True)

    def species(self, materials) -> Species:
        if isinstance(self.sticking, dict):
            _check_names(f"species.{self.name}.sticking", self.sticking, materials)
        return Species(name=self.name, sticking=self.sticking, default_sticking=self.default_sticking,
                       source_exponent=self.source_exponent, specular=self.specular)


@register_model("single_particle")
class SingleParticleSpec(SpecModel):
    """``{model: single_particle, rate: 1 um/min, sticking: 0.1, source_exponent: 1,
    rays_per_point: 1000}``; etch: ``rates: {Si: ...}`` instead of ``rate``."""

    model: Literal["single_particle"]
    rate: Rate | None = Field(default=None, gt=0)
    rates: dict[str, Rate] | None = None
    sticking: Sticking = 1.0
    source_exponent: float = Field(default=1.0, ge=0)
    rays_per_point: int = Field(default=1000, gt=0, le=1_000_000)
    smoothing: Length = 0.0
    species: str = Field(default="particle", pattern=r"^[A-Za-z][A-Za-z0-9_]*$")

    @field_validator("sticking")
    @classmethod
    def _sticking_range(cls, v):
        return _check_sticking(v, allow_zero=False)

    def build(self, *, kind: str, materials: tuple[str, ...], target: str | None
              ) -> TracedTransport:
        materials = tuple(materials)
        if isinstance(self.sticking, dict):
            _check_names("sticking", self.sticking, materials)
            missing = [m for m in materials if m not in self.sticking]
            if missing:
                raise RecipeError(f"no sticking for {', '.join(missing)}; give one number or "
                                  "every material", path="sticking", value=self.sticking)
        sp = Species(name=self.species, sticking=self.sticking,
                     source_exponent=self.source_exponent)
        model = SingleParticle(particle=sp, materials=materials, **_rate_args(self, kind, materials))
        return TracedTransport(model=model, step=step_label(kind, target), tracing=RayTracing(
            rays_per_point=self.rays_per_point, smoothing=self.smoothing))


@register_model("multi_particle")
class MultiParticleSpec(SpecModel):
    """``{model: multi_particle, rate: 1 um/min, species: [{name: ion, sticking: 1,
    source_exponent: 1000}, {name: neutral, sticking: 0.1}],
    velocity: "rate * (0.7*absorbed_ion + 0.3*absorbed_neutral)"}``."""

    model: Literal["multi_particle"]
    rate: Rate | None = Field(default=None, gt=0)
    rates: dict[str, Rate] | None = None
    species: list[SpeciesSpec] = Field(min_length=1)
    velocity: str
    rays_per_point: int = Field(default=1000, gt=0, le=1_000_000)
    smoothing: Length = 0.0

    def build(self, *, kind: str, materials: tuple[str, ...], target: str | None
              ) -> TracedTransport:
        materials = tuple(materials)
        names = [s.name for s in self.species]
        if len(set(names)) != len(names):
            raise RecipeError(f"species names must be unique; got {names}", path="species")
        try:
            species = tuple(s.species(materials) for s in self.species)
            for sp in species:
                sp.sticking_array(materials)
        except ValueError as exc:
            raise RecipeError(str(exc), path="species") from None
        allowed = ["rate"] + [f"{q}_{n}" for n in names for q in ("incident", "absorbed")]
        try:
            fn = compile_expression(self.velocity, allowed)
        except ValueError as exc:
            raise RecipeError(str(exc), path="velocity", value=self.velocity) from None
        model = MultiParticle(particles=species, velocity=fn, materials=materials,
                              **_rate_args(self, kind, materials))
        return TracedTransport(model=model, step=step_label(kind, target), tracing=RayTracing(
            rays_per_point=self.rays_per_point, smoothing=self.smoothing))
