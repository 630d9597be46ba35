"""Profile metrics from a geometry: depth, film thickness, CD, sidewall angle, profiles.

All lengths in metres, angles in radians, plain floats.  2D measures the (x, y)
cross-section; 3D measures the cut at y = 0 (CD is then the diameter along x).
"""
from __future__ import annotations

import math

import numpy as np

from .extract import contours_2d
from .grid import Grid
from .levelset import LevelSetStack

__all__ = ["column_heights", "depth", "thickness_along", "bottom_thickness",
           "sidewall_thickness", "cd_at", "sidewall_angle", "profile_polylines", "center_cut"]


def column_heights(geometry: LevelSetStack) -> np.ndarray:
    """Height (m) of the highest top-surface crossing in every lateral column (NaN: none)."""
    t = geometry.top
    nz = t.shape[-1]
    solid = t <= 0
    has = solid.any(axis=-1)
    ks = nz - 1 - np.argmax(solid[..., ::-1], axis=-1)
    ks = np.minimum(ks, nz - 2)
    a = np.take_along_axis(t, ks[..., None], -1)[..., 0]
    b = np.take_along_axis(t, ks[..., None] + 1, -1)[..., 0]
    frac = np.where(b > a, -a / np.where(b > a, b - a, 1.0), 0.0)
    z = geometry.z0 + geometry.grid.spacing * (ks + np.clip(frac, 0.0, 1.0))
    return np.where(has, z, np.nan)


def depth(geometry: LevelSetStack, *, reference: float | None = None) -> float:
    """Deepest point of the top surface below ``reference`` (default: the top as built)."""
    ref = geometry.reference_top if reference is None else float(reference)
    return float(ref - np.nanmin(column_heights(geometry)))


def thickness_along(geometry: LevelSetStack, start, direction, material: str | None = None,
                    *, step: float | None = None) -> float:
    """Length (m) of the first run of ``material`` met walking from ``start`` along ``direction``.

    The walk starts in the vacuum; ``material=None`` takes the material hit first.
    Resolution ``step`` (default h/20).
    """
    h = geometry.grid.spacing
    ds = h / 20 if step is None else float(step)
    p0 = np.asarray(start, dtype=np.float64)
    d = np.asarray(direction, dtype=np.float64)
    d = d / np.linalg.norm(d)
    length = (geometry.nz * h + sum(geometry.grid.extent)) * 1.5
    s = np.arange(0.0, length, ds)
    pts = p0[None] + s[:, None] * d[None]
    lo, hi = geometry.z_range
    ok = (pts[:, -1] >= lo) & (pts[:, -1] <= hi)
    for ax, (a, b) in enumerate(geometry.grid.lateral_bounds):
        ok &= (pts[:, ax] >= a) & (pts[:, ax] <= b)
    pts = pts[ok]
    mats = geometry.material_index_at(pts, tol=0.0)
    solid = np.nonzero(mats >= 0)[0]
    if solid.size == 0:
        return 0.0
    i0 = solid[0]
    want = mats[i0] if material is None else _index(geometry, material, mats[i0:])
    if want is None:
        return 0.0
    run = np.nonzero(mats[i0:] == want)[0]
    if run.size == 0:
        return 0.0
    first = i0 + run[0]
    stop = np.nonzero(mats[first:] != want)[0]
    n = stop[0] if stop.size else len(mats) - first
    return float(n * ds)


def _index(geometry, material, mats):
    idx = [k for k, m in enumerate(geometry.materials) if m == material]
    if not idx:
        raise ValueError(f"material {material!r} is not on the wafer ({', '.join(geometry.materials)})")
    for m in mats:                     # the first layer of that name met along the walk
        if m in idx:
            return m
    return None


def _point(geometry, x, y, z):
    return (x, z) if geometry.grid.dimension == 2 else (x, y, z)


def bottom_thickness(geometry: LevelSetStack, material: str | None = None, *,
                     x: float = 0.0, y: float = 0.0) -> float:
    """Vertical thickness of ``material`` (default: the top material there) at (x, y)."""
    start = _point(geometry, x, y, geometry.z_range[1])
    down = _point(geometry, 0.0, 0.0, -1.0)
    return thickness_along(geometry, start, down, material)


def sidewall_thickness(geometry: LevelSetStack, height: float, material: str | None = None) -> float:
    """Horizontal thickness of ``material`` on the right-hand wall at ``height`` (from x = 0 → +x)."""
    return thickness_along(geometry, _point(geometry, 0.0, 0.0, height),
                           _point(geometry, 1.0, 0.0, 0.0), material)


def center_cut(geometry: LevelSetStack) -> LevelSetStack:
    """2D geometry of the y = 0 cut of a 3D geometry (2D: returned as is)."""
    g = geometry.grid
    if g.dimension == 2:
        return geometry
    fy = (0.0 - g.lateral_coords(1)[0]) / g.spacing
    j0 = int(math.floor(fy))
    w = fy - j0
    j1 = min(j0 + 1, g.lateral_shape[1] - 1)
    phi = (1 - w) * geometry.phi[:, :, j0, :] + w * geometry.phi[:, :, j1, :]
    g2 = Grid(dimension=2, spacing=g.spacing, extent=(g.extent[0],), boundary=g.boundary)
    return LevelSetStack(grid=g2, z0=geometry.z0, phi=phi, materials=geometry.materials,
                         reference_top=geometry.reference_top)


def cd_at(geometry: LevelSetStack, height: float) -> float:
    """Width (m) of the phase interval (opening or line) containing x = 0 at ``height``.

    3D: along x in the y = 0 cut (the diameter of a round hole).  NaN when the phase at
    x = 0 reaches both lateral boundaries.
    """
    cut = center_cut(geometry)
    g = cut.grid
    xs = np.concatenate([[-0.5 * g.extent[0]], g.lateral_coords(0), [0.5 * g.extent[0]]])
    xs = np.union1d(xs, [0.0])
    v = cut.values_at(np.column_stack([xs, np.full_like(xs, height)]))[-1]
    i0 = int(np.searchsorted(xs, 0.0))
    s0 = v[i0] > 0
    right = left = None
    for i in range(i0 + 1, len(xs)):
        if (v[i] > 0) != s0:
            right = xs[i - 1] + (xs[i] - xs[i - 1]) * v[i - 1] / (v[i - 1] - v[i])
            break
    for i in range(i0 - 1, -1, -1):
        if (v[i] > 0) != s0:
            left = xs[i + 1] + (xs[i] - xs[i + 1]) * v[i + 1] / (v[i + 1] - v[i])
            break
    if right is None and left is None:
        return float("nan")
    if right is None:                  # symmetric about x = 0 by construction
        right = -left
    if left is None:
        left = -right
    return float(right - left)


def sidewall_angle(geometry: LevelSetStack, *, z_top: float | None = None,
                   z_bottom: float | None = None) -> float:
    """Sidewall angle from the horizontal (rad; π/2 = vertical) between two heights.

    Defaults: 10 % and 90 % of the depth below the top as built.  A wall whose opening
    narrows downwards (positive taper) gives an angle below π/2; the taper from vertical
    is π/2 − angle.
    """
    ref = geometry.reference_top
    if z_top is None or z_bottom is None:
        dd = depth(geometry)
        z_top = ref - 0.1 * dd if z_top is None else z_top
        z_bottom = ref - 0.9 * dd if z_bottom is None else z_bottom
    c_top, c_bot = cd_at(geometry, z_top), cd_at(geometry, z_bottom)
    cut = center_cut(geometry)
    opening = cut.values_at(np.array([[0.0, 0.5 * (z_top + z_bottom)]]))[-1, 0] > 0
    dx = 0.5 * (c_top - c_bot) * (1.0 if opening else -1.0)
    return float(math.atan2(abs(z_top - z_bottom), dx))


def profile_polylines(geometry: LevelSetStack) -> list[np.ndarray]:
    """Top-surface polylines (m): 2D (x, y); 3D the y = 0 cut as (x, z).

    Open profiles run left to right, sorted by their leftmost point; closed contours
    (voids) follow in the same order.
    """
    cut = center_cut(geometry)
    lines = contours_2d(cut.top, cut)
    out = []
    for c in lines:
        closed = np.allclose(c[0], c[-1])
        if not closed and c[0, 0] > c[-1, 0]:
            c = c[::-1]
        out.append((closed, float(c[:, 0].min()), c))
    out.sort(key=lambda t: (t[0], t[1]))
    return [c for _, _, c in out]
