"""The feature-scale grid: uniform spacing, cell-centred lateral nodes, open vertical axis.

2D: a cross-section (x, y) with y up; arrays are (nx, ny).  3D: (x, y, z) with z up;
arrays are (nx, ny, nz).  The vertical axis is always the LAST array axis.

Lateral nodes are cell-centred on a domain centred on 0: x_i = -L/2 + (i + ½) h,
i = 0 … n-1 with n = L/h.  Vertical nodes are z0 + k h; the vertical window (z0 and
the number of nodes) belongs to the geometry, which grows it as the surface moves.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .modes import Boundary

__all__ = ["Grid", "BOUNDARIES"]

BOUNDARIES = tuple(Boundary)


@dataclass(frozen=True, kw_only=True)
class Grid:
    """Uniform grid of spacing ``spacing`` (m) over lateral ``extent`` (m), centred on 0.

    dimension  2 or 3
    spacing    h (m)
    extent     (Lx,) in 2D, (Lx, Ly) in 3D; each L/h must be an integer (within 1e-6)
    boundary   "reflective" (mirror) or "periodic" lateral boundaries
    """

    dimension: int
    spacing: float
    extent: tuple[float, ...]
    boundary: str = Boundary.REFLECTIVE

    def __post_init__(self) -> None:
        if self.dimension not in (2, 3):
            raise ValueError(f"grid.dimension = {self.dimension!r}: allowed 2 or 3")
        h = float(self.spacing)
        if not np.isfinite(h) or h <= 0:
            raise ValueError(f"grid.spacing = {self.spacing!r}: must be a positive length")
        ext = tuple(float(e) for e in self.extent)
        object.__setattr__(self, "spacing", h)
        object.__setattr__(self, "extent", ext)
        if len(ext) != self.dimension - 1:
            raise ValueError(f"grid.extent = {list(ext)}: a {self.dimension}D grid needs "
                             f"{self.dimension - 1} lateral extent(s)")
        for i, L in enumerate(ext):
            if not np.isfinite(L) or L <= 0:
                raise ValueError(f"grid.extent[{i}] = {L!r}: must be a positive length")
            r = L / h
            if abs(r - round(r)) > 1e-6 * max(1.0, r) or round(r) < 2:
                raise ValueError(f"grid.extent[{i}] = {L!r} m is not a whole number (>= 2) of "
                                 f"spacings h = {h!r} m (L/h = {r:.6g})")
        if self.boundary not in BOUNDARIES:
            raise ValueError(f"grid.boundary = {self.boundary!r}: allowed {', '.join(BOUNDARIES)}")

    @property
    def periodic(self) -> bool:
        return self.boundary == Boundary.PERIODIC

    @property
    def lateral_shape(self) -> tuple[int, ...]:
        """Number of nodes along each lateral axis."""
        return tuple(int(round(L / self.spacing)) for L in self.extent)

    @property
    def lateral_bounds(self) -> tuple[tuple[float, float], ...]:
        return tuple((-0.5 * L, 0.5 * L) for L in self.extent)

    def lateral_coords(self, axis: int) -> np.ndarray:
        """Cell-centred node coordinates along lateral axis ``axis`` (m)."""
        n = self.lateral_shape[axis]
        return -0.5 * self.extent[axis] + (np.arange(n) + 0.5) * self.spacing

    def lateral_nodes(self) -> int:
        return int(np.prod(self.lateral_shape))
