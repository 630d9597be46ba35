"""The extracted surface: what the flux engine traces against.

2D: the cross-section (x, y), y up; elements are segments.  3D: (x, y, z), z up;
elements are triangles.  Normals point out of the material into the vacuum.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

__all__ = ["Surface"]


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


@dataclass(frozen=True, eq=False)
class Surface:
    """A closed-or-open polyline (2D) or triangle mesh (3D) with per-element data.

    points          (n, d) float64  vertex coordinates (m)
    elements        (m, d) int64    vertex indices: 2 per segment, 3 per triangle
    normals         (m, d) float64  unit normals of the elements, pointing into vacuum
    materials       (m,)   int32    index into ``material_names`` of each element
    material_names  names of the wafer's materials, bottom layer first
    lateral_bounds  ((xmin, xmax),) in 2D, ((xmin, xmax), (ymin, ymax)) in 3D (m)
    boundary        "reflective" | "periodic" (the lateral boundary condition)
    spacing         grid spacing h of the level set it was extracted from (m), or None
    """

    points: np.ndarray
    elements: np.ndarray
    normals: np.ndarray
    materials: np.ndarray
    material_names: tuple[str, ...]
    lateral_bounds: tuple[tuple[float, float], ...]
    boundary: str
    spacing: float | None = None

    @property
    def dimension(self) -> int:
        return int(self.points.shape[1])

    # centroids and areas are computed once per surface (a surface is immutable: its
    # arrays are never changed in place) and handed out read-only

    @functools.cached_property
    def centroids(self) -> np.ndarray:
        """(m, d) element centres."""
        return _frozen(self.points[self.elements].mean(axis=1))

    @functools.cached_property
    def areas(self) -> np.ndarray:
        """(m,) segment lengths (2D, m) or triangle areas (3D, m²)."""
        p = self.points[self.elements]
        if self.dimension == 2:
            return _frozen(np.linalg.norm(p[:, 1] - p[:, 0], axis=1))
        return _frozen(0.5 * np.linalg.norm(np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]),
                                            axis=1))

    @property
    def grid_points(self) -> int:
        """Surface points as a level-set code counts them: the grid nodes within h/2 of
        the surface, on average area / h^(d−1) (ViennaPS traces ``raysPerPoint`` per such
        node); the vertex count when the surface has no grid."""
        if self.spacing is None:
            return int(len(self.points))
        return max(1, int(round(float(self.areas.sum()) / self.spacing ** (self.dimension - 1))))

    @property
    def top(self) -> float:
        """Highest vertical coordinate of the surface (m)."""
        return float(self.points[:, -1].max())
