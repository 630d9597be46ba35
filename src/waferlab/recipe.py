"""The recipe a user writes: schema (pydantic, frozen) and loading with clear errors.

A recipe is YAML.  Every dimensioned value carries a unit and is converted to SI once
(:mod:`waferlab.units`).  ``load_recipe`` returns a :class:`Recipe`: the validated
top-level spec plus the parsed process steps.  Any problem is a
:class:`~waferlab.errors.RecipeError` naming the field path, the value and what is
allowed.  See docs/recipe.md for every field.
"""
from __future__ import annotations

import functools
import importlib
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from .errors import RecipeError
from .feature.modes import Boundary, FeatureShape, Symmetry
from .io.vtk import OutputVolume
from .materials import BUILTIN, is_valid_name
from .recipe_io import SpecModel, load_yaml, validate_section
from .process.layout import PatternSpec
from .process.registry import Compound
from .tiling import TilingSpec
from .units import Angle, Concentration, Length, Time

__all__ = ["GridSpec", "LayerSpec", "SubstrateSpec", "FeatureSpec", "StructureSpec",
           "OutputSpec", "RecipeSpec", "Recipe", "load_recipe", "recipe_from_dict",
           "memory_estimate_bytes", "available_memory_bytes"]

#: Optional top-level sections validated by the package that owns them.
_SECTIONS: dict[str, str] = {
    "reactor": "waferlab.reactor.spec:ReactorSpec",
    "thermal": "waferlab.thermal.spec:ThermalSpec",
}
#: Top-level lithography keys, validated together as one LithoSpec.
_LITHO_KEYS = ("optics", "mask", "image", "resist")


class GridSpec(SpecModel):
    """The simulation grid: ``dimension`` 2 (x-y cross-section, y up) or 3 (z up)."""

    dimension: Literal[2, 3]
    spacing: Length = Field(gt=0)
    extent: list[Length]
    boundary: Boundary = Boundary.REFLECTIVE

    @model_validator(mode="after")
    def _check(self) -> "GridSpec":
        want = self.dimension - 1
        if len(self.extent) != want:
            raise ValueError(f"extent needs {want} lateral value(s) for dimension "
                             f"{self.dimension} ([Lx] in 2D, [Lx, Ly] in 3D); got {len(self.extent)}")
        for i, L in enumerate(self.extent):
            if L <= 0:
                raise ValueError(f"extent[{i}] = {L:g} m must be positive")
            n = L / self.spacing
            if abs(n - round(n)) > 1e-6 * max(1.0, n):
                raise ValueError(f"extent[{i}] = {L:g} m is not a whole number of spacings "
                                 f"({self.spacing:g} m): L/h = {n:.4f}")
            if round(n) < 4:
                raise ValueError(f"extent[{i}] = {L:g} m gives only {round(n)} cells; at least 4 needed")
        return self


class SubstrateSpec(SpecModel):
    """The substrate: top surface at height 0; semi-infinite unless ``thickness`` is given."""

    material: str = "Si"
    thickness: Length | None = Field(default=None, gt=0)
    doping: dict[str, Concentration] | None = None   # background dopants (m^-3), implant/anneal

    @field_validator("doping")
    @classmethod
    def _dopants(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        from .thermal.dopants import DOPANTS
        for k, c in (v or {}).items():
            if k not in DOPANTS:
                raise ValueError(f"unknown dopant {k!r}; known: {', '.join(DOPANTS)}")
            if c < 0:
                raise ValueError(f"doping {k} = {c:g} m^-3 must be >= 0")
        return v


class LayerSpec(SpecModel):
    """One film of the initial stack (listed bottom first)."""

    material: str
    thickness: Length = Field(gt=0)


class FeatureSpec(SpecModel):
    """An opening cut from the top: trench (2D/3D), line (standing line) or round hole (3D).

    symmetry: full (centred in the domain), half (centre plane on the low-x boundary) or
    quarter (3D hole: axis on the low-x, low-y corner); half/quarter need reflective
    boundaries and simulate a domain of the grid's extent that mirrors to twice that.
    """

    type: FeatureShape
    width: Length | None = Field(default=None, gt=0)
    radius: Length | None = Field(default=None, gt=0)
    depth: Length = Field(gt=0)
    taper: Angle = 0.0
    symmetry: Symmetry = Symmetry.FULL

    @model_validator(mode="after")
    def _check(self) -> "FeatureSpec":
        if self.type == FeatureShape.HOLE:
            if self.radius is None:
                raise ValueError("a hole needs radius (e.g. radius: 2 um), not width")
            if self.width is not None:
                raise ValueError("a hole takes radius, not width")
        else:
            if self.width is None:
                raise ValueError(f"a {self.type} needs width (e.g. width: 4 um)")
            if self.radius is not None:
                raise ValueError(f"a {self.type} takes width, not radius")
        if not (-math.radians(45) < self.taper < math.radians(45)):
            raise ValueError(f"taper = {math.degrees(self.taper):g} deg is outside (-45, 45) deg")
        return self


class StructureSpec(SpecModel):
    """The initial wafer: substrate, film stack and an optional feature or layout pattern
    (``pattern``: a GDS layer or polygons as a film on top, process/layout.py)."""

    substrate: SubstrateSpec = SubstrateSpec()
    layers: list[LayerSpec] = []
    feature: FeatureSpec | None = None
    pattern: PatternSpec | None = None

    @model_validator(mode="after")
    def _feature_or_pattern(self) -> "StructureSpec":
        if self.feature is not None and self.pattern is not None:
            raise ValueError("give a feature (a cut opening) or a pattern (a layout film on top), "
                             "not both")
        return self


class OutputSpec(SpecModel):
    """What a run writes and how often it checkpoints."""

    checkpoint_interval: Time = Field(default=300.0, gt=0)
    vtk: bool = True
    volume: OutputVolume = OutputVolume.AUTO
    plot: bool = True


class RecipeSpec(SpecModel):
    """The top level of a recipe file."""

    name: str = Field(min_length=1)
    description: str = ""
    seed: int = Field(default=0, ge=0)
    materials: list[str] = []
    grid: GridSpec | None = None
    structure: StructureSpec | None = None
    steps: list[dict[str, Any]] = []
    output: OutputSpec = OutputSpec()
    tiling: TilingSpec | None = None            # split a layout into tiles run on Dask
    # Sections owned by other packages; validated by them (see _SECTIONS).
    reactor: dict[str, Any] | None = None
    thermal: dict[str, Any] | None = None
    optics: dict[str, Any] | None = None
    mask: dict[str, Any] | None = None
    image: dict[str, Any] | None = None
    resist: dict[str, Any] | None = None

    @field_validator("materials")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        for i, name in enumerate(v):
            if not is_valid_name(name):
                raise ValueError(f"materials[{i}] = {name!r}: a material name is letters, digits "
                                 "and _, starting with a letter")
            if name in BUILTIN:
                raise ValueError(f"materials[{i}] = {name!r} is built in; declare only new names")
        return v

    @property
    def known_materials(self) -> tuple[str, ...]:
        return tuple(BUILTIN) + tuple(self.materials)


@dataclass(frozen=True)
class Recipe:
    """A validated recipe: the top-level spec, the parsed steps and the owned sections."""

    spec: RecipeSpec
    steps: tuple[Any, ...]
    sections: dict[str, Any]
    source: Path | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @functools.cached_property
    def leaf_steps(self) -> tuple[Any, ...]:
        """The steps as run, in order: every ``cycle`` unrolled into its repetitions."""
        out: list[Any] = []
        for s in self.steps:
            out.extend(s.leaves() if isinstance(s, Compound) else (s,))
        return tuple(out)

    def resolved(self) -> dict[str, Any]:
        """The recipe as a plain mapping with every value in SI units (loads again)."""
        data = self.spec.model_dump(mode="json", exclude_none=True)
        data["steps"] = [s.to_dict() for s in self.steps]
        for key, sec in self.sections.items():
            dumped = sec.model_dump(mode="json", exclude_none=True)
            if key == "litho":
                data.update(dumped)
            else:
                data[key] = dumped
        return data


def _address_space_left() -> float:
    """Room left under ``ulimit -v`` (RLIMIT_AS) for this process (inf if unlimited)."""
    try:
        import resource
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):
        return math.inf
    if soft == resource.RLIM_INFINITY or soft <= 0:
        return math.inf
    used = 0
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    used = int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return max(0.0, float(soft - used))


def _cgroup_left() -> float:
    """A cgroup v2 memory limit (inf where there is none)."""
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit == "max":
            return math.inf
        return float(int(limit))
    except (OSError, ValueError):
        return math.inf


def available_memory_bytes() -> int:
    """Memory this process may use (bytes): the machine's physical memory, or less when
    an address-space limit (``ulimit -v``, ``resource.setrlimit``) or a cgroup limit
    leaves less room."""
    try:
        phys = float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        phys = float(8 << 30)
    return int(min(phys, _address_space_left(), _cgroup_left()))


#: Resident memory of a run before its level sets: the interpreter and the libraries a
#: run imports (numpy, numba and its cached kernels, scipy, matplotlib, pydantic, pint),
#: measured ≈ 250 MB (bench/results/scale.md, the 0.64 µm cell).
BASE_BYTES = 260 * 2**20


def memory_estimate_bytes(spec: RecipeSpec, n_layers: int | None = None,
                          travel: float = 0.0) -> int:
    """Peak resident memory of a run (bytes): ``BASE_BYTES`` plus what the level-set
    engine holds for ``n_layers`` layers over the vertical span the run covers
    (:meth:`LevelSetStack.memory_estimate`, the engine's own count of its storage:
    dense layers and scratch arrays today, so this follows the engine when its storage
    changes).  The span is the structure, its feature and ``travel``, how far the steps
    may move the surface (:func:`process.registry.vertical_travel`; the window grows
    with it).  Measured peaks of the #18 scale cell (bench/results/scale.md): 2.56, 5.12
    and 10.24 µm lie 0–25 % under this estimate.

    ``n_layers``: the most level-set layers the run holds (default: one per initial layer
    and per top-level deposit step).
    """
    from .feature.grid import Grid
    from .feature.levelset import LevelSetStack

    g, st = spec.grid, spec.structure
    if g is None:
        return 0
    height = sum(layer.thickness for layer in (st.layers if st else []))
    height += st.pattern.thickness if st and st.pattern else 0.0
    depth = st.feature.depth if st and st.feature else 0.0
    base = 1 + len(st.layers if st else []) + (1 if st and st.pattern else 0)
    if n_layers is None:
        n_layers = base + sum(1 for s in spec.steps if isinstance(s, dict) and "deposit" in s)
    grid = Grid(dimension=g.dimension, spacing=g.spacing, extent=tuple(g.extent),
                boundary=g.boundary)
    return BASE_BYTES + LevelSetStack.memory_estimate(grid, height + depth + travel, n_layers)


def _check_material(name: Any, path: str, spec: RecipeSpec) -> None:
    if not isinstance(name, str) or name not in spec.known_materials:
        raise RecipeError(f"unknown material {name!r}; known: {', '.join(spec.known_materials)} "
                          f"(declare new ones under materials:)", path=path, value=name)


def _check_structure(spec: RecipeSpec) -> None:
    st = spec.structure
    if st is None:
        return
    _check_material(st.substrate.material, "structure.substrate.material", spec)
    for i, layer in enumerate(st.layers):
        _check_material(layer.material, f"structure.layers[{i}].material", spec)
    if st.pattern is not None:
        _check_material(st.pattern.material, "structure.pattern.material", spec)
    f, g = st.feature, spec.grid
    if f is None or g is None:
        return
    if f.type == FeatureShape.HOLE and g.dimension != 3:
        raise RecipeError("a round hole needs a 3D grid (grid.dimension: 3); use a trench in 2D",
                          path="structure.feature.type", value=f.type)
    from .feature.builders import check_symmetry     # lazy: the builders pull in numba
    check_symmetry(f.symmetry, dimension=g.dimension, boundary=g.boundary, kind=f.type)
    size = f.radius if f.type == FeatureShape.HOLE else f.width
    assert size is not None                          # the FeatureSpec validator requires it
    opening = 2 * size if f.type == FeatureShape.HOLE else size
    # room across each lateral axis: the full opening, or its half on a mirrored axis
    mirrored = {Symmetry.FULL: 0, Symmetry.HALF: 1, Symmetry.QUARTER: 2}[f.symmetry]
    # a trench or line is uniform along y (extruded): only x bounds its opening
    axes = g.extent if f.type == FeatureShape.HOLE else g.extent[:1]
    for ax, ext in enumerate(axes):
        need = opening / 2 if ax < mirrored else opening
        if need >= ext:
            raise RecipeError(f"the opening ({opening:g} m) does not fit in the domain "
                              f"(extent {ext:g} m{', mirrored' if ax < mirrored else ''})",
                              path="structure.feature", value=opening)
    if opening < 2 * g.spacing:
        raise RecipeError(f"the opening ({opening:g} m) is narrower than two grid spacings "
                          f"({2 * g.spacing:g} m); refine grid.spacing", path="structure.feature")
    total = sum(layer.thickness for layer in st.layers) + (st.substrate.thickness or math.inf)
    if f.depth > total:
        raise RecipeError(f"the feature depth {f.depth:g} m is deeper than the domain "
                          f"(layers + substrate = {total:g} m)", path="structure.feature.depth",
                          value=f.depth)


def _validate_sections(spec: RecipeSpec) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, target in _SECTIONS.items():
        raw = getattr(spec, key)
        if raw is None:
            continue
        mod, cls = target.split(":")
        out[key] = validate_section(getattr(importlib.import_module(mod), cls), raw, key)
    litho = {k: getattr(spec, k) for k in _LITHO_KEYS if getattr(spec, k) is not None}
    if litho:
        from .litho.spec import LithoSpec
        out["litho"] = validate_section(LithoSpec, litho)
    return out


def recipe_from_dict(data: dict[str, Any], *, source: Path | None = None,
                     check_memory: bool = True) -> Recipe:
    """Validate a raw recipe mapping (as loaded from YAML) into a :class:`Recipe`."""
    from .process.registry import initial_materials, parse_step

    spec = validate_section(RecipeSpec, data)
    if spec.steps and (spec.grid is None or spec.structure is None):
        missing = "grid" if spec.grid is None else "structure"
        raise RecipeError("is required when the recipe has steps", path=missing)
    _check_structure(spec)
    materials, steps = initial_materials(spec), []
    for i, raw in enumerate(spec.steps):
        steps.append(parse_step(raw, i, spec, materials))
        materials = steps[-1].materials_after(materials)
    if check_memory and spec.grid is not None:
        # layers never disappear (adjacent ones of one material merge): the most a run
        # holds is its final count plus the new top of a deposit step in progress
        from .process.registry import vertical_travel

        leaves = [leaf for s in steps for leaf in (s.leaves() if isinstance(s, Compound) else (s,))]
        n_layers = len(materials) + (1 if any(getattr(s, "kind", None) == "deposit"
                                              for s in leaves) else 0)
        mats, moves = initial_materials(spec), []
        for s in steps:             # each top-level step's travel, to name the one at fault
            s_leaves = s.leaves() if isinstance(s, Compound) else (s,)
            moves.append(vertical_travel(s_leaves, mats))
            mats = s.materials_after(mats)
        need = memory_estimate_bytes(spec, n_layers, sum(moves))
        have = available_memory_bytes()
        if need > 0.5 * have:
            worst = max(range(len(moves)), key=moves.__getitem__, default=None)
            if worst is not None and memory_estimate_bytes(spec, n_layers) <= 0.5 * have:
                raise RecipeError(f"may move the surface by up to {moves[worst]:.3g} m "
                                  "(its largest rate × time), and the level-set window "
                                  f"that follows it would need about {need / 2**30:.3g} GiB "
                                  f"of memory, more than half of the {have / 2**30:.1f} GiB "
                                  "available; check the rates and times",
                                  path=f"steps[{worst}]", value=moves[worst])
            raise RecipeError(f"this grid needs about {need / 2**30:.3g} GiB of memory "
                              f"(estimate), more than half of the {have / 2**30:.1f} GiB "
                              "available; use a coarser spacing or a smaller extent",
                              path="grid", value=need)
    return Recipe(spec=spec, steps=tuple(steps), sections=_validate_sections(spec), source=source)


def load_recipe(path: str | Path, *, check_memory: bool = True) -> Recipe:
    """Load and validate a recipe file; raises :class:`RecipeError` on any problem."""
    p = Path(path)
    return recipe_from_dict(load_yaml(p), source=p.resolve(), check_memory=check_memory)
