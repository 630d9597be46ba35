"""Synthetic surfaces for validating the flux engine (independent of the level-set engine).

2D: slit (open channel), trench.  3D: polygonal tube (open channel) and round hole, each
with a top cap over the square lateral domain.  Material indices: 0 "top" (cap/field),
1 "wall", 2 "bottom".  Normals point into the vacuum.  ``plane2d``/``plane3d``: an open
flat Si surface on [−1, 1] (one material "Si").

Round shapes are regular n-gons whose apothem equals R (so 2·area/perimeter = R, the
circle's hydraulic radius); the relative faceting error of conductances and view factors
is O((π/n)²), 0.1 % for n = 96.
"""
from __future__ import annotations

import numpy as np

from ..surface import Surface

__all__ = ["slit", "trench", "tube", "hole", "plane2d", "plane3d", "polygon_area",
           "MATERIALS"]

MATERIALS = ("top", "wall", "bottom")


def _line(p0, p1, n, normal, mat):
    t = np.linspace(0.0, 1.0, n + 1)[:, None]
    pts = np.asarray(p0, float) * (1 - t) + np.asarray(p1, float) * t
    el = np.stack([np.arange(n), np.arange(1, n + 1)], axis=1)
    return pts, el, np.tile(np.asarray(normal, float), (n, 1)), np.full(n, mat, np.int32)


def _join(parts, lateral, boundary):
    pts, els, nrm, mats, off = [], [], [], [], 0
    for p, e, n, m in parts:
        pts.append(p)
        els.append(e + off)
        nrm.append(n)
        mats.append(m)
        off += len(p)
    pts = np.concatenate(pts)
    els = np.concatenate(els).astype(np.int64)
    # merge coincident vertices (pieces share their end points / rims)
    key = np.round(pts / (1e-9 * max(float(np.abs(pts).max()), 1e-300))).astype(np.int64)
    _, first, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
    return Surface(points=pts[first], elements=inv.ravel()[els],
                   normals=np.concatenate(nrm), materials=np.concatenate(mats).astype(np.int32),
                   material_names=MATERIALS, lateral_bounds=lateral, boundary=boundary)


def slit(H: float, L: float, *, n_wall: int = 50) -> Surface:
    """Two plates x = 0 and x = H, y ∈ [−L, 0], open at both ends (lateral domain [0, H])."""
    return _join([_line((0, 0), (0, -L), n_wall, (1, 0), 1),
                  _line((H, 0), (H, -L), n_wall, (-1, 0), 1)], ((0.0, H),), "reflective")


def trench(w: float, d: float, *, h: float, field: float = 0.0,
           boundary: str = "reflective") -> Surface:
    """Trench x ∈ [0, w], floor y = −d, elements of size ≈ h; ``field`` > 0 adds flat top
    surface of that width on each side (lateral domain [−field, w + field])."""
    nw = max(1, round(d / h))
    nb = max(1, round(w / h))
    parts = [_line((0, 0), (0, -d), nw, (1, 0), 1),
             _line((0, -d), (w, -d), nb, (0, 1), 2),
             _line((w, -d), (w, 0), nw, (-1, 0), 1)]
    if field > 0:
        nf = max(1, round(field / h))
        parts = [_line((-field, 0), (0, 0), nf, (0, 1), 0)] + parts + \
                [_line((w, 0), (w + field, 0), nf, (0, 1), 0)]
    return _join(parts, ((-field, w + field),), boundary)


def polygon_area(R: float, n_sides: int) -> float:
    """Area of the regular n-gon of apothem R: n R² tan(π/n)."""
    return n_sides * R * R * np.tan(np.pi / n_sides)


def _ring(R, n):
    rho = R / np.cos(np.pi / n)
    a = 2 * np.pi * np.arange(n) / n
    return np.stack([rho * np.cos(a), rho * np.sin(a)], axis=1)


def _cap(R, n, half):
    """Square [−half, half]² minus the n-gon (n % 8 == 0), at z = 0, normal +z."""
    v = _ring(R, n)
    q = v / np.abs(v).max(axis=1, keepdims=True) * half
    pts = np.concatenate([np.c_[v, np.zeros(n)], np.c_[q, np.zeros(n)]])
    i = np.arange(n)
    j = (i + 1) % n
    el = np.concatenate([np.stack([i, j, n + j], 1), np.stack([i, n + j, n + i], 1)])
    return pts, el, np.tile([0.0, 0.0, 1.0], (len(el), 1)), np.zeros(len(el), np.int32)


def _wall(R, n, z0, z1, nz):
    v = _ring(R, n)
    z = np.linspace(z0, z1, nz + 1)
    pts = np.concatenate([np.c_[v, np.full(n, zz)] for zz in z])
    i = np.arange(n)
    j = (i + 1) % n
    els = []
    for k in range(nz):
        a, b = k * n, (k + 1) * n
        els += [np.stack([a + i, a + j, b + j], 1), np.stack([a + i, b + j, b + i], 1)]
    el = np.concatenate(els)
    mid = 0.5 * (v + v[j])
    nrm = -mid / np.linalg.norm(mid, axis=1, keepdims=True)
    nrm = np.tile(np.c_[nrm, np.zeros(n)], (2 * nz, 1))
    return pts, el, nrm, np.ones(len(el), np.int32)


def _disk(R, n, z, nr):
    """n-gon of apothem R at height z, normal +z, in nr rings (fine near the centre)."""
    v = _ring(R, n)
    pts = [np.array([[0.0, 0.0, z]])]
    els = []
    i = np.arange(n)
    j = (i + 1) % n
    for k in range(1, nr + 1):
        pts.append(np.c_[v * k / nr, np.full(n, z)])
        b = 1 + (k - 1) * n
        if k == 1:
            els.append(np.stack([np.zeros(n, int), b + i, b + j], 1))
        else:
            a = b - n
            els += [np.stack([a + i, b + i, b + j], 1), np.stack([a + i, b + j, a + j], 1)]
    el = np.concatenate(els)
    return np.concatenate(pts), el, np.tile([0.0, 0.0, 1.0], (len(el), 1)), \
        np.full(len(el), 2, np.int32)


def tube(R: float, L: float, *, n_sides: int = 96, n_rings: int | None = None,
         margin: float = 1.2) -> Surface:
    """Open polygonal tube z ∈ [−L, 0] with a cap over [−m ρ, m ρ]² at z = 0."""
    if n_sides % 8:
        raise ValueError("n_sides must be a multiple of 8")
    half = margin * R / np.cos(np.pi / n_sides)
    nz = n_rings or max(1, int(np.ceil(L / (0.5 * R))))
    return _join([_cap(R, n_sides, half), _wall(R, n_sides, 0.0, -L, nz)],
                 ((-half, half), (-half, half)), "reflective")


def hole(R: float, d: float, *, h: float, n_sides: int = 96, margin: float = 1.2) -> Surface:
    """Round hole of radius R and depth d (walls ≈ h tall rings, floor rings ≈ h wide)."""
    if n_sides % 8:
        raise ValueError("n_sides must be a multiple of 8")
    half = margin * R / np.cos(np.pi / n_sides)
    return _join([_cap(R, n_sides, half),
                  _wall(R, n_sides, 0.0, -d, max(1, round(d / h))),
                  _disk(R, n_sides, -d, max(1, round(R / h)))],
                 ((-half, half), (-half, half)), "reflective")


def plane2d(n: int, boundary: str = "periodic") -> Surface:
    """The flat surface y = 0 over x ∈ [−1, 1] in n segments (material "Si")."""
    x = np.linspace(-1, 1, n + 1)
    return Surface(points=np.c_[x, np.zeros_like(x)],
                   elements=np.c_[np.arange(n), np.arange(1, n + 1)],
                   normals=np.tile([0.0, 1.0], (n, 1)), materials=np.zeros(n, np.int32),
                   material_names=("Si",), lateral_bounds=((-1.0, 1.0),), boundary=boundary)


def plane3d(n: int, boundary: str = "periodic") -> Surface:
    """The flat surface z = 0 over [−1, 1]² in 2n² triangles (material "Si")."""
    x = np.linspace(-1, 1, n + 1)
    X, Y = np.meshgrid(x, x, indexing="ij")
    pts = np.c_[X.ravel(), Y.ravel(), np.zeros(X.size)]
    idx = np.arange(X.size).reshape(n + 1, n + 1)
    a, b = idx[:-1, :-1].ravel(), idx[1:, :-1].ravel()
    c, d = idx[1:, 1:].ravel(), idx[:-1, 1:].ravel()
    el = np.concatenate([np.c_[a, b, c], np.c_[a, c, d]])
    return Surface(points=pts, elements=el, normals=np.tile([0.0, 0, 1], (len(el), 1)),
                   materials=np.zeros(len(el), np.int32), material_names=("Si",),
                   lateral_bounds=((-1.0, 1.0), (-1.0, 1.0)), boundary=boundary)
