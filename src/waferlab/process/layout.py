"""Layout patterns on the initial wafer: a GDSII/OASIS layer, recipe polygons or a
gdsfactory Component becomes a patterned film (a hard mask) on top of the stack.

    structure:
      substrate: {material: Si}
      pattern:
        file: m1_clip.gds        # or polygons: [[[x, y], ...], ...] with unit: 1 nm
        cell: M1_CLIP            # the top cell by default
        layer: 1                 # GDS layer / datatype
        datatype: 0
        material: Mask
        thickness: 100 nm
        tone: dark               # dark: the polygons are the film; clear: they are openings in it

The layout point ``center`` (default: the centre of the polygons' bounding box) lands on
the centre of the domain (lateral coordinates run from −extent/2 to +extent/2). In 3D
the polygons are extruded over the film thickness (an exact signed distance of the
extruded polygon, ``feature.builders.from_polygons``); on a 2D grid the cross-section
follows the layout line y = ``cut_y`` (default: the centre), where each polygon leaves
the intervals of x it covers. Polygons reaching beyond the domain are clipped by it; a
periodic domain repeats the clip.
"""
from __future__ import annotations

from pathlib import Path
from enum import StrEnum

import numpy as np
from pydantic import Field, model_validator

from ..errors import RecipeError
from ..recipe_io import SpecModel
from ..units import Length

__all__ = ["PatternSpec", "PatternTone", "pattern_polygons", "apply_pattern",
           "polygons_from_gdsfactory", "line_intervals"]


class PatternTone(StrEnum):
    """What the layout polygons of ``structure.pattern`` are: the film (``dark``) or the
    openings in it (``clear``)."""

    DARK = "dark"
    CLEAR = "clear"


class PatternSpec(SpecModel):
    """``structure.pattern``: a layout layer turned into a film of ``thickness``."""

    file: str | None = None
    cell: str | None = None
    layer: int = Field(default=1, ge=0)
    datatype: int = Field(default=0, ge=0)
    polygons: list[list[list[float]]] | None = None
    unit: Length = Field(default=1e-9, gt=0)
    material: str = "Mask"
    thickness: Length = Field(gt=0)
    tone: PatternTone = PatternTone.DARK
    center: list[Length] | None = Field(default=None, min_length=2, max_length=2)
    cut_y: Length | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "PatternSpec":
        if (self.file is None) == (self.polygons is None):
            raise ValueError("give the layout as file: (GDSII/OASIS) or as polygons:, not both "
                             "and not neither")
        for i, poly in enumerate(self.polygons or ()):
            if len(poly) < 3 or any(len(v) != 2 for v in poly):
                raise ValueError(f"polygons[{i}] needs >= 3 [x, y] vertices")
        return self


def pattern_polygons(spec: PatternSpec, *, base_dir: Path | None = None) -> list[np.ndarray]:
    """The pattern's polygons in metres, in layout coordinates."""
    if spec.polygons is not None:
        return [np.asarray(p, float) * spec.unit for p in spec.polygons]
    from ..litho.mask import read_layout

    assert spec.file is not None
    try:
        return read_layout(spec.file, cell=spec.cell, layer=spec.layer, datatype=spec.datatype,
                           base_dir=base_dir)
    except RecipeError as exc:         # name the recipe field, not the litho one
        raise RecipeError(str(exc).replace("mask.", "structure.pattern."),
                          path="structure.pattern") from None


def polygons_from_gdsfactory(component, layer: tuple[int, int] = (1, 0)) -> list[list[list[float]]]:
    """Polygons (in nm, for ``pattern: {polygons: ..., unit: 1 nm}``) of one layer of a
    gdsfactory Component (``pip install gdsfactory``). The component is written to a
    temporary GDSII file with its own ``write_gds`` and read back with gdstk, so the
    exchange does not depend on gdsfactory's in-memory API."""
    import tempfile

    from ..litho.mask import read_layout

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "component.gds"
        component.write_gds(str(path))
        polys = read_layout(path, layer=int(layer[0]), datatype=int(layer[1]))
    return [(p * 1e9).tolist() for p in polys]


def line_intervals(polygons: list[np.ndarray], y: float) -> list[tuple[float, float]]:
    """The x-intervals where the horizontal line at ``y`` lies inside the union of the
    polygons (even–odd crossings per polygon, then merged)."""
    spans: list[tuple[float, float]] = []
    for p in polygons:
        a, b = p, np.roll(p, -1, axis=0)
        hit = (a[:, 1] > y) != (b[:, 1] > y)
        if not hit.any():
            continue
        xs = a[hit, 0] + (y - a[hit, 1]) * (b[hit, 0] - a[hit, 0]) / (b[hit, 1] - a[hit, 1])
        xs = np.sort(xs)
        spans += [(float(xs[i]), float(xs[i + 1])) for i in range(0, len(xs) - 1, 2)]
    spans.sort()
    merged: list[tuple[float, float]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def apply_pattern(geometry, spec: PatternSpec, *, base_dir: Path | None = None):
    """The stack with the pattern's film as a new top layer."""
    from ..feature.builders import from_polygons

    grid = geometry.grid
    polys = pattern_polygons(spec, base_dir=base_dir)
    allp = np.concatenate(polys)
    center = (np.array(spec.center, float) if spec.center is not None
              else 0.5 * (allp.min(0) + allp.max(0)))
    polys = [p - center for p in polys]                       # domain coordinates
    top = float(geometry.reference_top)
    z_range = (top, top + spec.thickness)
    half = 0.5 * np.asarray(grid.extent, float)
    if grid.dimension == 3:
        return from_polygons(grid, polys, spec.material, base=geometry, z_range=z_range,
                             invert=spec.tone == PatternTone.CLEAR)     # clear: the film minus the openings
    y = (spec.cut_y - center[1]) if spec.cut_y is not None else 0.0
    spans = line_intervals(polys, y)
    lo, hi = -half[0] - 2 * grid.spacing, half[0] + 2 * grid.spacing
    if spec.tone == PatternTone.CLEAR:
        edges = [lo] + [v for s in spans for v in s] + [hi]
        spans = [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2)]
    spans = [(max(a, lo), min(b, hi)) for a, b in spans if min(b, hi) > max(a, lo)]
    if not spans:
        raise RecipeError(f"the layout line y = {y + center[1]:.4g} m leaves no {spec.material} "
                          "in the domain (tone " + spec.tone + "); choose another cut_y or tone",
                          path="structure.pattern.cut_y")
    rects = [np.array([[a, z_range[0]], [b, z_range[0]], [b, z_range[1]], [a, z_range[1]]])
             for a, b in spans]
    return from_polygons(grid, rects, spec.material, base=geometry)
