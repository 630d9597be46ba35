"""Point-in-polygon test without matplotlib (importing ``matplotlib.path`` costs
~0.25 s CPU at every start-up; the feature builders need one test per grid node).

The crossings-multiply test of E. Haines ("Point in Polygon Strategies", Graphics Gems IV,
ed. P. Heckbert, Academic Press, 1994, pp. 24-46): a ray from the point along +x; an edge
(x0, y0)-(x1, y1) whose end points lie on opposite sides of the ray (y >= ty tested, not
y > ty) is crossed when ``((y1 - ty) (x0 - x1) >= (x1 - tx) (y0 - y1)) == (y1 >= ty)``;
the point is inside when it crosses an odd number of edges (even-odd rule), the polygon
closed by its last edge back to the first vertex.  The same floating-point expressions,
in the same order, as ``matplotlib.path.Path.contains_points`` (radius 0, no transform),
so the answers are the same bit for bit, points on an edge included
(tests/test_startup_imports.py compares them).
"""
from __future__ import annotations

import numpy as np

__all__ = ["inside_polygon"]


def inside_polygon(points: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Boolean array: which of ``points`` (n, 2) lie inside the simple polygon ``poly``
    (m, 2); non-finite points are outside; a polygon of < 3 vertices contains nothing."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    poly = np.asarray(poly, dtype=np.float64)
    tx, ty = pts[:, 0], pts[:, 1]
    flag = np.zeros(len(pts), dtype=bool)
    if len(poly) < 3:
        return flag
    vx, vy = poly[:, 0], poly[:, 1]
    m = len(poly)
    y0_flag = vy[0] >= ty
    for k in range(m):
        x0, y0 = vx[k], vy[k]
        x1, y1 = vx[(k + 1) % m], vy[(k + 1) % m]
        y1_flag = vy[(k + 1) % m] >= ty
        straddle = y0_flag != y1_flag
        if straddle.any():
            cross = ((y1 - ty) * (x0 - x1) >= (x1 - tx) * (y0 - y1)) == y1_flag
            flag ^= straddle & cross
        y0_flag = y1_flag
    return flag & np.isfinite(tx) & np.isfinite(ty)
