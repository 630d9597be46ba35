"""Expose: coat resist, image the mask, develop, and leave the resist as a wafer layer.

    - expose:
        optics: {wavelength: 193 nm, na: 0.75, source: {shape: circular, sigma: 0.5}}
        mask:   {type: grating, pitch: 400 nm, duty: 0.5, clear: spaces}
        resist: {thickness: 300 nm, mode: threshold, threshold: 0.3, dose: 30 mJ/cm^2}

The coat is planar: its top lies ``resist.thickness`` above the highest point of the
wafer.  The lithography chain (:mod:`waferlab.litho`) gives the developed resist height
h(x) (2D) or h(x, y) (3D) above that base; the new ``Resist`` layer is the union of the
wafer and the region below base + h, as a signed distance (fast marching).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..recipe_io import validate_section
from .registry import register_step

__all__ = ["Expose", "coat_developed_resist"]


def coat_developed_resist(geometry, heights: np.ndarray, base: float):
    """A new top ``Resist`` layer: wafer ∪ {z < base + heights(lateral)}.

    ``heights`` has the geometry's lateral shape (nx,) or (nx, ny); zero height leaves the
    wafer bare there (the resist cleared down to the base)."""
    from ..feature.reinit import reinitialise

    h = geometry.grid.spacing
    z = geometry.z_coords
    top = base + np.asarray(heights, dtype=float)
    need = float(np.max(top)) + 4 * h
    if need > z[-1] - 4 * h:
        geometry = geometry.with_window(geometry.z0, need + 8 * h)
        z = geometry.z_coords
    slab = z.reshape((1,) * top.ndim + (-1,)) - top[..., None]
    # columns with no resist get no slab: push them far outside
    slab = np.where((top > base + 1e-3 * h)[..., None], slab, np.inf)
    layer = np.minimum(geometry.top, slab)
    layer = reinitialise(layer, geometry.grid)
    phi = np.concatenate([geometry.phi, layer[None]], axis=0)
    phi = np.flip(np.maximum.accumulate(np.flip(phi, 0), axis=0), 0)
    return geometry.replace(phi=np.ascontiguousarray(phi), materials=geometry.materials + ("Resist",))


@dataclass(frozen=True)
class Expose:
    """Lithography step: the developed resist becomes the ``Resist`` material."""

    litho: Any                      # waferlab.litho.LithoSpec
    base_dir: Path | None = None
    kind: str = "expose"
    time: float = 0.0
    material: str = "Resist"

    def materials_after(self, materials: tuple[str, ...]) -> tuple[str, ...]:
        return materials + ("Resist",)

    def describe(self) -> str:
        return f"expose and develop resist ({self.litho.resist.mode})"

    def to_dict(self) -> dict[str, Any]:
        return {"expose": self.litho.model_dump(mode="json", exclude_none=True)}

    def heights(self, geometry, ctx) -> np.ndarray:
        from ..litho import resist_cross_section, resist_height_map

        g = geometry.grid
        x = g.lateral_coords(0)
        if g.dimension == 2:
            return resist_cross_section(self.litho, ctx, x, base_dir=self.base_dir)
        y = g.lateral_coords(1)
        return resist_height_map(self.litho, ctx, x, y, base_dir=self.base_dir).T

    def apply(self, wafer, ctx, *, start=None, on_step=None):
        from ..feature.metrics import column_heights

        g = wafer.geometry
        base = float(np.nanmax(column_heights(g)))
        new = coat_developed_resist(g, self.heights(g, ctx), base)
        return wafer.evolve(geometry=new, note=self.describe())


@register_step("expose")
def _parse(body: dict, path: str, spec, materials: tuple[str, ...]) -> Expose:
    from ..errors import RecipeError
    from ..litho import LithoSpec

    litho = validate_section(LithoSpec, body, path)
    if litho.resist is None:
        raise RecipeError("an expose step needs a resist section (thickness, mode, dose, ...)",
                          path=f"{path}.resist")
    return Expose(litho=litho)
