"""Surface extraction: marching squares (2D) / marching cubes (3D) on the top level set.

Lorensen & Cline, SIGGRAPH 1987 (scikit-image ``find_contours``/``marching_cubes``).
The lateral boundary is handled by adding one node column exactly on each boundary
(x = ±L/2): the mirror value (reflective) or the mean of the two wrapped neighbours
(periodic).  The surface then spans the full lateral extent; enclosed voids come out
as separate closed contours and are kept.
"""
from __future__ import annotations

import numpy as np
from skimage import measure

from .levelset import LevelSetStack
from .surface import Surface

__all__ = ["extract_surface", "contours_2d", "padded_top", "padded_stack_top", "planes_below_vacuum",
           "stack_planes_below_vacuum"]


def _pad_axis(a: np.ndarray, axis: int, periodic: bool) -> np.ndarray:
    first = np.take(a, [0], axis=axis)
    last = np.take(a, [-1], axis=axis)
    if periodic:
        first = last = 0.5 * (first + last)
    return np.concatenate([first, a, last], axis=axis)


def _coords(geometry: LevelSetStack) -> list[np.ndarray]:
    """Node coordinates per axis of the padded array (the boundary columns added)."""
    g = geometry.grid
    coords = []
    for ax in range(g.dimension - 1):
        L = g.extent[ax]
        coords.append(np.concatenate([[-0.5 * L], g.lateral_coords(ax), [0.5 * L]]))
    coords.append(geometry.z_coords)
    return coords


def _pad_3d(a: np.ndarray, first: np.ndarray, last: np.ndarray, col0: np.ndarray,
            col1: np.ndarray, periodic: bool) -> np.ndarray:
    """The boundary columns of ``a`` (interior filled) from the float64 end planes
    ``first``/``last`` (1, ny, nz) and end columns ``col0``/``col1`` (nx, 1, nz) of the
    field: the values of padding x, then y, with ``_pad_axis``'s arithmetic."""
    if periodic:
        first = last = 0.5 * (first + last)
    a[:1, 1:-1] = first
    a[-1:, 1:-1] = last
    # the y padding from the float64 end columns of the x-padded field
    c0 = np.concatenate([first[:, :1], col0, last[:, :1]], axis=0)
    c1 = np.concatenate([first[:, -1:], col1, last[:, -1:]], axis=0)
    if periodic:
        a[:, :1] = a[:, -1:] = 0.5 * (c0 + c1)
    else:
        a[:, :1] = c0
        a[:, -1:] = c1
    return a


def padded_top(field: np.ndarray, geometry: LevelSetStack,
               dtype: type = np.float64) -> tuple[np.ndarray, list[np.ndarray]]:
    """``field`` (a layer array) with boundary columns added, and the node coordinates per
    axis.  In 3D the padded array may be ``dtype`` float32 (what marching cubes reads):
    the padding values are formed in float64 from ``field`` and rounded once, so the
    result equals the float64 padding cast to float32, without that float64 copy (#18)."""
    g = geometry.grid
    coords = _coords(geometry)
    if g.dimension == 2:
        return _pad_axis(field, 0, g.periodic).astype(dtype, copy=False), coords
    # 3D: one padded array filled in place (no second full-size temporary)
    nx, ny, nz = field.shape
    a = np.empty((nx + 2, ny + 2, nz), dtype=dtype)
    a[1:-1, 1:-1] = field
    return _pad_3d(a, field[:1], field[-1:], field[:, :1], field[:, -1:], g.periodic), coords


SLAB = 32     # x-planes of the top set read at a time by the 3D extraction


VACUUM_FLOOR = 1e-30     # a node above it is > 0 in float32, and so is any periodic mean


def planes_below_vacuum(top: np.ndarray) -> int:
    """The number of bottom z planes of ``top`` (nx, ny, nz) marching cubes needs: up to
    the plane above the highest one with a node ≤ ``VACUUM_FLOOR``.  Above it every cell
    has its eight corners > 0 in float32 (the padding values are the nodes or means of
    two of them), so it is case 0 of Lewiner et al. (J. Graphics Tools 8(2), 2003) and
    emits nothing; the cells kept are visited in the same order with the same indices
    (z, the fastest axis, starts at 0 either way), so the vertices and triangles are
    those of the whole array, bit for bit, without the vacuum planes' float32 copy."""
    low = np.flatnonzero(top.min(axis=(0, 1)) <= VACUUM_FLOOR)
    return 0 if len(low) == 0 else min(top.shape[2], int(low[-1]) + 2)


def _to_coords(idx: np.ndarray, coords: list[np.ndarray]) -> np.ndarray:
    out = np.empty_like(idx, dtype=np.float64)
    for ax, c in enumerate(coords):
        out[:, ax] = np.interp(idx[:, ax], np.arange(len(c)), c)
    return out


def _top_values(geometry: LevelSetStack, pts: np.ndarray) -> np.ndarray:
    return geometry.values_at(pts, top_only=True)[0]


def stack_planes_below_vacuum(geometry: LevelSetStack) -> int:
    """``planes_below_vacuum`` of the top set of a 3D stack, read by slabs of x-planes
    (the minimum is exact in any order)."""
    nx, _, nz = geometry.shape
    low = np.full(nz, np.inf)
    for i0 in range(0, nx, SLAB):
        low = np.minimum(low, geometry.layer_planes(-1, i0, min(i0 + SLAB, nx)).min(axis=(0, 1)))
    ks = np.flatnonzero(low <= VACUUM_FLOOR)
    return 0 if len(ks) == 0 else min(nz, int(ks[-1]) + 2)


def padded_stack_top(geometry: LevelSetStack, nzc: int, dtype: type = np.float32
                     ) -> tuple[np.ndarray, list[np.ndarray]]:
    """``padded_top(geometry.top[:, :, :nzc], geometry, dtype)`` (3D) with the top set read
    by slabs of x-planes: the same arithmetic on the same float64 values, so the same
    array, without the top set as one dense array."""
    g = geometry.grid
    nx, ny, _ = geometry.shape
    a: np.ndarray = np.empty((nx + 2, ny + 2, nzc), dtype=dtype)
    col0 = np.empty((nx, 1, nzc))
    col1 = np.empty((nx, 1, nzc))
    for i0 in range(0, nx, SLAB):
        i1 = min(i0 + SLAB, nx)
        f = geometry.layer_planes(-1, i0, i1)[:, :, :nzc]
        a[1 + i0:1 + i1, 1:-1] = f
        col0[i0:i1] = f[:, :1]
        col1[i0:i1] = f[:, -1:]
        del f
    first = np.array(geometry.layer_planes(-1, 0, 1)[:, :, :nzc])
    last = np.array(geometry.layer_planes(-1, nx - 1, nx)[:, :, :nzc])
    return _pad_3d(a, first, last, col0, col1, g.periodic), _coords(geometry)


def contours_2d(field: np.ndarray, geometry: LevelSetStack) -> list[np.ndarray]:
    """Zero contours of a 2D field (nx, ny) as (m, 2) arrays of (x, y) in metres."""
    a, coords = padded_top(field, geometry)
    return [_to_coords(c, coords) for c in measure.find_contours(a, 0.0) if len(c) >= 2]


def extract_surface(geometry: LevelSetStack, held: int = 0) -> Surface:
    """The top surface as a :class:`Surface` (normals into vacuum, material per element).

    An element takes the lowest layer whose set contains its centroid within h/2; for
    the ``held`` bottom layers an etch step does not remove, only on or inside the set
    (tolerance 0, as the engine's query points: docs/levelset.md, "Etch stop")."""
    g = geometry.grid
    h = g.spacing
    if g.dimension == 2:
        pts_list, el_list, off = [], [], 0
        for c in contours_2d(geometry.top, geometry):
            n = len(c)
            pts_list.append(c)
            el_list.append(np.column_stack([np.arange(off, off + n - 1), np.arange(off + 1, off + n)]))
            off += n
        if not pts_list:
            return _empty(geometry)
        points = np.concatenate(pts_list)
        elements = np.concatenate(el_list).astype(np.int64)
        seg = points[elements[:, 1]] - points[elements[:, 0]]
        length = np.hypot(seg[:, 0], seg[:, 1])
        keep = length > 1e-9 * h
        elements, seg, length = elements[keep], seg[keep], length[keep]
        normals = np.column_stack([seg[:, 1], -seg[:, 0]]) / length[:, None]
    else:
        # float32: what marching cubes computes in (it would make that copy itself); only
        # the planes up to one above the highest one holding φ ≤ 0 (#18, below)
        nzc = stack_planes_below_vacuum(geometry)
        if nzc == 0:
            return _empty(geometry)
        a, coords = padded_stack_top(geometry, nzc, np.float32)
        if not (a.min() < 0 < a.max()):
            return _empty(geometry)
        verts, faces, _, _ = measure.marching_cubes(a, level=0.0, allow_degenerate=False)
        del a
        points = _to_coords(verts, coords)
        del verts
        elements = faces.astype(np.int64)
        del faces
        keep, normals = _face_normals(points, elements, h)
        elements = elements[keep]
        del keep
    # orient into the vacuum: φ must increase along the normal (majority vote, per element
    # where the test is clear-cut)
    centre = _centroids(points, elements)
    eps = 0.25 * h
    dphi = _top_values(geometry, centre + eps * normals) - _top_values(geometry, centre - eps * normals)
    sign = np.where(dphi < 0, -1.0, 1.0)
    normals = normals * sign[:, None]
    flip = sign < 0
    if g.dimension == 2:
        elements[flip] = elements[flip][:, ::-1]
    else:
        elements[flip] = elements[flip][:, [0, 2, 1]]
    if held > 0 and geometry.n_layers > 1:
        tols = np.full(geometry.n_layers, 0.5 * h)
        tols[:held] = 0.0
        mats = geometry.material_index_tols_at(centre, tols)
    else:
        mats = geometry.material_index_at(centre)
    mats = np.where(mats < 0, geometry.n_layers - 1, mats).astype(np.int32)
    used = _used_points(elements, len(points))
    remap = np.full(len(points), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    return Surface(points=points[used], elements=remap[elements], normals=normals,
                   materials=mats, material_names=geometry.materials,
                   lateral_bounds=g.lateral_bounds, boundary=g.boundary, spacing=g.spacing)


FACE_CHUNK = 1 << 16     # triangles per chunk of the per-face arithmetic (no (n, 3, 3) arrays)


def _face_normals(points: np.ndarray, elements: np.ndarray, h: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(kept, unit normals of the kept triangles): triangles of area² > 10⁻¹² h² kept,
    normal (b − a) × (c − a) / |…|; row by row, so by chunks of triangles the numbers
    are those of the whole-array expressions."""
    n = len(elements)
    keep = np.empty(n, dtype=bool)
    parts = []
    for i0 in range(0, n, FACE_CHUNK):
        p = points[elements[i0:i0 + FACE_CHUNK]]
        cr = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
        area2 = np.linalg.norm(cr, axis=1)
        k = area2 > 1e-12 * h * h
        keep[i0:i0 + FACE_CHUNK] = k
        parts.append(cr[k] / area2[k][:, None])
    return keep, (np.concatenate(parts) if parts else np.zeros((0, points.shape[1])))


def _centroids(points: np.ndarray, elements: np.ndarray) -> np.ndarray:
    """Mean of each element's vertices (by chunks of elements: the same numbers)."""
    if len(elements) == 0:
        return np.zeros((0, points.shape[1]))
    return np.concatenate([points[elements[i0:i0 + FACE_CHUNK]].mean(axis=1)
                           for i0 in range(0, len(elements), FACE_CHUNK)])


def _used_points(elements: np.ndarray, n_points: int) -> np.ndarray:
    """``np.unique(elements)`` (the sorted indices of the points some element uses) by a
    flag per point instead of a sort of every element index: the same array, in O(n)."""
    used = np.zeros(n_points, dtype=bool)
    used[elements.reshape(-1)] = True
    return np.flatnonzero(used)


def _empty(geometry: LevelSetStack) -> Surface:
    d = geometry.grid.dimension
    return Surface(points=np.zeros((0, d)), elements=np.zeros((0, d), dtype=np.int64),
                   normals=np.zeros((0, d)), materials=np.zeros(0, dtype=np.int32),
                   material_names=geometry.materials, lateral_bounds=geometry.grid.lateral_bounds,
                   boundary=geometry.grid.boundary, spacing=geometry.grid.spacing)
