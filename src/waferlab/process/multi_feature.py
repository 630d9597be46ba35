"""Several features on one wafer: a hard mask with openings of different widths (2D).

Used for aspect-ratio-dependent etching (RIE lag) and pattern-density studies, where
openings of different widths must see the same plasma in the same run.  The mask is
the union of exact rectangles (``feature.builders.from_polygons``) on a flat substrate,
so every opening edge is exact before reinitialisation.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..errors import RecipeError
from ..feature.builders import from_polygons, plane
from ..feature.grid import Grid
from ..feature.levelset import LevelSetStack
from ..feature.metrics import column_heights

__all__ = ["Opening", "layout_openings", "masked_openings", "opening_depths"]


@dataclass(frozen=True, kw_only=True)
class Opening:
    """A mask opening (trench) of ``width`` (m) centred at ``centre`` (m)."""

    centre: float
    width: float


def layout_openings(widths: Sequence[float], *, gap: float, spacing: float
                    ) -> tuple[float, tuple[Opening, ...]]:
    """Openings left to right, ``gap`` (m) of mask between them and at both edges.

    Returns (lateral extent rounded up to whole grid spacings, openings), centred on 0.
    """
    w = [float(x) for x in widths]
    if not w or any(not (x > 0) for x in w):
        raise RecipeError(f"opening widths {widths!r} must be positive", path="widths",
                          value=list(widths))
    if not gap > 0:
        raise RecipeError(f"gap {gap!r} m must be positive", path="gap", value=gap)
    total = sum(w) + gap * (len(w) + 1)
    n = int(np.ceil(total / spacing - 1e-9))
    extent = n * spacing
    x = -0.5 * extent + gap + 0.5 * (extent - total)
    out = []
    for wi in w:
        out.append(Opening(centre=x + 0.5 * wi, width=wi))
        x += wi + gap
    return extent, tuple(out)


def masked_openings(grid: Grid, openings: Sequence[Opening], *, substrate: str = "Si",
                    mask: str = "Mask", mask_thickness: float) -> LevelSetStack:
    """Flat ``substrate`` (top at z = 0) under a ``mask`` of ``mask_thickness`` with openings.

    The mask is the union of the rectangles between openings (exact polygon distances,
    then fast-marching reinitialisation); ``reference_top`` is the mask top.
    """
    if grid.dimension != 2:
        raise RecipeError("masked_openings builds 2D cross-sections (dimension: 2)",
                          path="grid.dimension", value=grid.dimension)
    if not mask_thickness > 0:
        raise RecipeError(f"mask thickness {mask_thickness!r} m must be positive",
                          path="mask_thickness", value=mask_thickness)
    (lo, hi), = grid.lateral_bounds
    ops = sorted(openings, key=lambda o: o.centre)
    edges = [(o.centre - 0.5 * o.width, o.centre + 0.5 * o.width) for o in ops]
    for i, (a, b) in enumerate(edges):
        if a <= lo or b >= hi or (i and a <= edges[i - 1][1]):
            raise RecipeError(f"opening {i} [{a:.4g}, {b:.4g}] m overlaps another one or the "
                              f"domain edge [{lo:.4g}, {hi:.4g}] m", path=f"openings[{i}]",
                              value=(a, b))
    far = 4 * grid.spacing                    # mask blocks run past the domain edges
    t = float(mask_thickness)
    xs = [lo - far] + [v for e in edges for v in e] + [hi + far]
    # the blocks reach ``far`` into the substrate: a mask bottom lying exactly on the
    # substrate top would leave a zero-thickness crease (φ_top = 0) under the mask
    polys = [np.array([(xs[k], -far), (xs[k + 1], -far), (xs[k + 1], t), (xs[k], t)])
             for k in range(0, len(xs), 2)]
    return from_polygons(grid, polys, mask, base=plane(grid, substrate))


def opening_depths(geometry: LevelSetStack, openings: Sequence[Opening], *,
                   surface: float = 0.0, fraction: float = 0.5) -> np.ndarray:
    """Etch depth (m) below ``surface`` of each opening: the mean top-surface height of
    the columns within ``fraction`` × width of its centre (at least the nearest column)."""
    x = geometry.grid.lateral_coords(0)
    z = column_heights(geometry)
    out = []
    for o in openings:
        sel = np.abs(x - o.centre) <= 0.5 * fraction * o.width
        if not sel.any():
            sel = np.abs(x - o.centre) == np.abs(x - o.centre).min()
        out.append(surface - float(np.nanmean(z[sel])))
    return np.asarray(out)
