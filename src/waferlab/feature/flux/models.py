"""Transport-limited surface models: ``single_particle`` and ``multi_particle``.

single_particle (as ViennaPS ``SingleParticleProcess``): one species with sticking s,
cosⁿ source; V_n = ± rate_m · Γ_abs/(s_e Γ0), i.e. the rate scaled by the local absorbed
flux relative to what an open flat surface absorbs (deposition +, etch −, per exposed
material m for etch).

multi_particle: several species; V_n = ± f(rate_m, incident_<name>, absorbed_<name>)
with f a Python callable (API) or a safe expression (recipe, see ``expression.py``).
Fluxes are normalised to each species' flat-surface incident flux Γ0 (absorbed on a flat
surface = s).

Fluxes live on surface elements; they are pooled onto the vertices (area-weighted mean
over each vertex's elements) and a query point takes the inverse-square-distance weighted
mean of its k nearest vertices (scipy cKDTree).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Mapping

import numpy as np
from pydantic import Field, field_validator

from ...errors import RecipeError
from ...recipe_io import SpecModel
from ...units import Length, Rate
from ..registry import register_model
from ..surface import Surface
from .engine import FluxResult, trace_fluxes
from .expression import compile_expression
from .sources import Species

__all__ = ["SingleParticle", "MultiParticle", "FluxState", "SingleParticleSpec",
           "MultiParticleSpec", "SpeciesSpec", "surface_of"]

_FLAT_BOUND = 1.5   # max_rate = 1.5 × the flat-surface speed: relative flux ≤ 1 plus MC noise


def surface_of(geometry: Any) -> Surface:
    """The Surface to trace: ``geometry`` itself, or extracted from a level-set stack."""
    if isinstance(geometry, Surface):
        return geometry
    from ..extract import extract_surface
    return extract_surface(geometry)


@dataclass(frozen=True, eq=False)
class FluxState:
    """Per-step state: the traced fluxes and a nearest-element lookup."""

    result: FluxResult | None
    tree: Any
    index: np.ndarray            # vertex ids in the tree
    values: dict                 # name -> per-vertex array (only tree vertices)
    eps2: float
    carry: dict | None = None    # what a stateful model keeps for the next time step

    def at(self, points: np.ndarray, k: int) -> dict[str, np.ndarray]:
        """Each per-element value at the query points (k-nearest, 1/(d² + ε²) weights)."""
        n = len(points)
        if self.tree is None or n == 0:
            return {name: np.zeros(n) for name in self.values}
        k = min(k, len(self.index))
        d, j = self.tree.query(np.asarray(points, float), k=k)
        if k == 1:
            d, j = d[:, None], j[:, None]
        w = 1.0 / (d * d + self.eps2)
        w /= w.sum(axis=1, keepdims=True)
        return {name: (v[j] * w).sum(axis=1) for name, v in self.values.items()}


def _state(result: FluxResult | None, values: dict, surface: Surface) -> FluxState:
    """Lookup state on the surface vertices: each vertex takes the area-weighted mean of its
    elements (Σ a_e f_e / Σ a_e over the star), which pools the rays of ~6 triangles (3D)
    or 2 segments (2D) and tames sliver elements with few hits."""
    if result is None or len(surface.elements) == 0:
        return FluxState(result=result, tree=None, index=np.zeros(0, int), values=values, eps2=1.0)
    from scipy.spatial import cKDTree
    el = np.asarray(surface.elements)
    a = np.asarray(surface.areas, float)
    ok = np.all([np.isfinite(v) for v in values.values()], axis=0)
    aw = np.where(ok, a, 0.0)
    nv = len(surface.points)
    A = np.zeros(nv)
    for k in range(el.shape[1]):
        A += np.bincount(el[:, k], weights=aw, minlength=nv)
    vals = {}
    for name, v in values.items():
        W = np.zeros(nv)
        fv = np.where(ok, v, 0.0) * aw
        for k in range(el.shape[1]):
            W += np.bincount(el[:, k], weights=fv, minlength=nv)
        vals[name] = W
    idx = np.flatnonzero(A > 0)
    vals = {k: v[idx] / A[idx] for k, v in vals.items()}
    size = float(np.median(a)) ** (1.0 / (surface.dimension - 1))
    return FluxState(result=result, tree=cKDTree(surface.points[idx]), index=idx, values=vals,
                     eps2=(0.25 * size) ** 2)


def _rates(rates: Mapping[str, float], names: tuple[str, ...], materials: np.ndarray) -> np.ndarray:
    table = np.array([rates.get(m, 0.0) for m in names] + [0.0])
    mats = np.asarray(materials, int)
    mats = np.where((mats >= 0) & (mats < len(names)), mats, len(names))
    return table[mats]


@dataclass(frozen=True, kw_only=True)
class SingleParticle:
    """V_n = sign · rate_m · Γ_abs/(s Γ0) at each point.

    rates           {material: rate (m/s)} (etch: unlisted materials do not move), or
    rate            one rate for every material (deposition)
    sign            +1 deposit, −1 etch
    materials       the wafer's material names (indices of ``speed``'s ``materials``)
    """

    species: Species
    materials: tuple[str, ...]
    sign: float
    rate: float | None = None
    rates: Mapping[str, float] = field(default_factory=dict)
    rays_per_point: int = 1000
    smoothing: float = 0.0
    neighbours: int = 4
    normal_dependent: bool = False

    def _rate_table(self) -> dict[str, float]:
        return {m: self.rate for m in self.materials} if self.rate is not None else dict(self.rates)

    def max_rate(self) -> float:
        return _FLAT_BOUND * max([abs(v) for v in self._rate_table().values()] + [0.0])

    def prepare(self, geometry: Any, ctx, t: float) -> FluxState:
        surface = surface_of(geometry)
        if len(surface.elements) == 0:
            return _state(None, {"rel": np.zeros(0)}, surface)
        res = trace_fluxes(surface, [self.species], ctx, rays_per_point=self.rays_per_point,
                           smoothing=self.smoothing, stream=("flux", f"t={t!r}"))
        s = self.species.sticking_array(surface.material_names)[surface.materials]
        f = res[self.species.name]
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(s > 0, f.absorbed / s, 0.0)
        rel = np.where(np.isfinite(f.absorbed), rel, np.nan)
        return _state(res, {"rel": rel}, surface)

    def speed(self, state: FluxState, points, normals, materials) -> np.ndarray:
        rel = state.at(points, self.neighbours)["rel"]
        return self.sign * _rates(self._rate_table(), self.materials, materials) * rel


@dataclass(frozen=True, kw_only=True)
class MultiParticle:
    """V_n = sign · f(env) with env = {rate, incident_<name>, absorbed_<name>} per point."""

    species: tuple[Species, ...]
    velocity: Callable[[Mapping[str, np.ndarray]], np.ndarray]
    materials: tuple[str, ...]
    sign: float
    rate: float | None = None
    rates: Mapping[str, float] = field(default_factory=dict)
    rays_per_point: int = 1000
    smoothing: float = 0.0
    neighbours: int = 4
    normal_dependent: bool = False

    def _rate_table(self) -> dict[str, float]:
        return {m: self.rate for m in self.materials} if self.rate is not None else dict(self.rates)

    def _flat_env(self, rate: float) -> dict[str, np.ndarray]:
        env = {"rate": np.array([rate])}
        for sp in self.species:
            st = sp.sticking_array(self.materials)
            env[f"incident_{sp.name}"] = np.array([1.0])
            env[f"absorbed_{sp.name}"] = np.array([float(st.max()) if st.size else 0.0])
        return env

    def max_rate(self) -> float:
        """1.5 × the largest flat-surface |V_n| (an estimate: f is the user's)."""
        vals = [abs(float(np.asarray(self.velocity(self._flat_env(r))).ravel()[0]))
                for r in self._rate_table().values()] or [0.0]
        return _FLAT_BOUND * max(vals)

    def prepare(self, geometry: Any, ctx, t: float) -> FluxState:
        surface = surface_of(geometry)
        names = [f"{q}_{sp.name}" for sp in self.species for q in ("incident", "absorbed")]
        if len(surface.elements) == 0:
            return _state(None, {n: np.zeros(0) for n in names}, surface)
        res = trace_fluxes(surface, self.species, ctx, rays_per_point=self.rays_per_point,
                           smoothing=self.smoothing, stream=("flux", f"t={t!r}"))
        vals = {}
        for sp in self.species:
            vals[f"incident_{sp.name}"] = res[sp.name].incident
            vals[f"absorbed_{sp.name}"] = res[sp.name].absorbed
        return _state(res, vals, surface)

    def speed(self, state: FluxState, points, normals, materials) -> np.ndarray:
        env = state.at(points, self.neighbours)
        env["rate"] = _rates(self._rate_table(), self.materials, materials)
        v = np.broadcast_to(np.asarray(self.velocity(env), float), (len(points),))
        return self.sign * np.nan_to_num(v, nan=0.0, posinf=0.0, neginf=0.0)


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
        return {"rates": dict(spec.rates), "sign": -1.0}
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

    def build(self, *, kind: str, materials: tuple[str, ...], target: str | None) -> SingleParticle:
        materials = tuple(materials)
        if isinstance(self.sticking, dict):
            _check_names("sticking", self.sticking, materials)
            missing = [m for m in materials if m not in self.sticking]
            if missing:
                raise RecipeError(f"no sticking for {', '.join(missing)}; give one number or "
                                  "every material", path="sticking", value=self.sticking)
        sp = Species(name=self.species, sticking=self.sticking,
                     source_exponent=self.source_exponent)
        return SingleParticle(species=sp, materials=materials, rays_per_point=self.rays_per_point,
                              smoothing=self.smoothing, **_rate_args(self, kind, materials))


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

    def build(self, *, kind: str, materials: tuple[str, ...], target: str | None) -> MultiParticle:
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
        return MultiParticle(species=species, velocity=fn, materials=materials,
                             rays_per_point=self.rays_per_point, smoothing=self.smoothing,
                             **_rate_args(self, kind, materials))
