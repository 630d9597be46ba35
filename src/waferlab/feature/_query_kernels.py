"""Numba kernels of the level-set engine, part 2 (private): material and speed queries at
the band's points — the material of each cell (for the volume output), of each band
point (nearest point on the top surface, per-layer tolerances), and the speed bounds of
a beam speed evaluated from the local unit normal.  Array conventions as in
``_kernels`` (3D arrays, ``ndim = 2`` for (nx, 1, nz), mirror or periodic lateral ghosts).
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._kernels import _interp, _tapered, _unit_gradient

__all__: list[str] = []

BLOCK_SHIFT = 3          # lower-bound blocks of 2**3 = 8 nodes per axis (``block_min``)
# relative rounding margin of the skip test: a trilinear interpolant of corners >= m > 0
# computes to >= m(1 − 9ε) (three levels of a·(1 − t) + b·t, ε = 2⁻⁵³)
_SKIP_MARGIN = 1e-12


@njit(cache=True, parallel=True)
def block_min(phi4, ndim, px, py):
    """Lower bounds of every layer over blocks of 8 nodes per axis: out[l, I, J, K] =
    min of φ_l over the nodes 8I … 8I + 8 (one node into the next block, wrapped on a
    periodic axis, clamped otherwise; likewise J, K), so that the 2ᵈ corners of an
    interpolation cell whose low corner lies in block (I, J, K) are all covered
    (``material_at_bounded``).  phi4: (L, nx, ny, nz)."""
    L, nx, ny, nz = phi4.shape
    s = BLOCK_SHIFT
    bx = (nx + (1 << s) - 1) >> s
    by = (ny + (1 << s) - 1) >> s
    bz = (nz + (1 << s) - 1) >> s
    out = np.empty((L, bx, by, bz))
    for q in prange(L * bx):
        l = q // bx
        I = q - l * bx
        for J in range(by):
            for Kb in range(bz):
                m = np.inf
                for ii in range((I << s), (I << s) + (1 << s) + 1):
                    if px:
                        i = ii % nx
                    else:
                        i = min(ii, nx - 1)
                    for jj in range((J << s), (J << s) + (1 << s) + 1):
                        if ndim == 2:
                            j = 0
                        elif py:
                            j = jj % ny
                        else:
                            j = min(jj, ny - 1)
                        for k in range((Kb << s), min((Kb << s) + (1 << s) + 1, nz)):
                            v = phi4[l, i, j, k]
                            if v < m:
                                m = v
                out[l, I, J, Kb] = m
    return out


@njit(cache=True, inline="always")
def _low_corner(f, n, periodic):
    """The low corner index of ``_interp`` along one axis (the same arithmetic)."""
    if periodic:
        return int(np.floor(f)) % n
    f = min(max(f, 0.0), n - 1.0)
    return min(int(f), n - 2) if n > 1 else 0


CELL_BLOCK = 64          # x-cells per task of ``cell_materials`` (one 64-byte line of output)


@njit(cache=True, parallel=True)
def cell_materials(phi4, ndim):
    """Material of each grid cell (between 2^d nodes): the lowest layer whose φ averaged
    over the cell's corners is negative, -1 for none.  Returned in VTK order (x fastest):
    (nz−1, ny−1, nx−1) in 3D, (nz−1, 1, nx−1) in 2D (phi4: (L, nx, ny, nz), ny = 1 in 2D).

    Each cell's corner sum is formed in the same order as ever, so the result is the same;
    the loops run along z (contiguous in φ) inside blocks of ``CELL_BLOCK`` x-cells of one
    y-row, so the corner columns are read in order instead of a stride of ny·nz between
    neighbouring cells (#18: 3× less CPU on the 10.24 µm cell)."""
    L, nx, ny, nz = phi4.shape
    cy = ny - 1 if ndim == 3 else 1
    dy = 1 if ndim == 3 else 0
    w = 1.0 / (8.0 if ndim == 3 else 4.0)
    out = np.full((nz - 1, cy, nx - 1), -1, dtype=np.int8)
    nb = (nx - 1 + CELL_BLOCK - 1) // CELL_BLOCK
    for q in prange(cy * nb):
        j = q // nb
        b = q - j * nb
        for i in range(b * CELL_BLOCK, min((b + 1) * CELL_BLOCK, nx - 1)):
            for k in range(nz - 1):
                for l in range(L):
                    s = phi4[l, i, j, k] + phi4[l, i + 1, j, k] + phi4[l, i, j, k + 1] \
                        + phi4[l, i + 1, j, k + 1]
                    if dy:
                        s += (phi4[l, i, j + 1, k] + phi4[l, i + 1, j + 1, k]
                              + phi4[l, i, j + 1, k + 1] + phi4[l, i + 1, j + 1, k + 1])
                    if s * w < 0.0:
                        out[k, j, i] = l
                        break
    return out


@njit(cache=True, parallel=True)
def material_index_pts(phi4, pts, origin, h, tols, ndim, px, py):
    """``material_index_tols`` at points (m, 3) in metres of the kernel layout: the
    fractional indices (p − origin)/h are formed per point (no (m, 3) temporary)."""
    L = phi4.shape[0]
    m = pts.shape[0]
    out = np.full(m, -1, dtype=np.int32)
    for p in prange(m):
        fx = (pts[p, 0] - origin[0]) / h
        fy = (pts[p, 1] - origin[1]) / h
        fz = (pts[p, 2] - origin[2]) / h
        for l in range(L):
            if _interp(phi4[l], fx, fy, fz, ndim, px, py) <= tols[l]:
                out[p] = l
                break
    return out


@njit(cache=True, inline="always")
def _closest_point(a, flat, n, h, origin, ndim, px, py):
    """The closest point x − φ∇φ/|∇φ| of band node n (flat index; central gradient as
    ``band_geometry``) in grid units (fractional node indices fx, fy, fz)."""
    nx, ny, nz = a.shape
    i = n // (ny * nz)
    r = n - i * ny * nz
    j = r // nz
    k = r - j * nz
    return closest_at(a, flat, n, i, i, j, k, h, origin, ndim, px, py)


@njit(cache=True, inline="always")
def closest_at(a, flat, n, il, i, j, k, h, origin, ndim, px, py):
    """``_closest_point`` of the node stored at (il, j, k) of ``a`` (flat index n) whose
    global x index is i (il = i for the whole array; the tiled step passes a slab)."""
    g0, g1, g2, gn = _unit_gradient(a, flat, n, il, j, k, 0.5 / h, ndim, px, py)
    v = a[il, j, k]
    p0 = origin[0] + i * h - v * g0 / gn
    p1 = origin[1] + j * h - v * g1 / gn if ndim == 3 else 0.0
    p2 = origin[2] + k * h - v * g2 / gn
    fx = (p0 - origin[0]) / h
    fy = (p1 - origin[1]) / h
    fz = (p2 - origin[2]) / h
    return fx, fy, fz


@njit(cache=True, inline="always")
def material_at(a, flat, n, h, origin, phi4, tols, ndim, px, py):
    """The lowest layer l with φ_l <= tols[l] at the closest point x − φ∇φ/|∇φ| of band
    node n (flat index; central gradient as ``band_geometry``), -1 if none."""
    fx, fy, fz = _closest_point(a, flat, n, h, origin, ndim, px, py)
    for l in range(phi4.shape[0]):
        if _interp(phi4[l], fx, fy, fz, ndim, px, py) <= tols[l]:
            return l
    return -1


@njit(cache=True, inline="always")
def material_at_bounded(a, flat, n, h, origin, phi4, tols, bmin, ndim, px, py):
    """``material_at`` that skips the interpolation of layer l where the block lower
    bound of ``block_min`` already proves φ_l > tols[l] at the point (every corner of
    its cell >= m with m(1 − 10⁻¹²) > tol and m > 0: the interpolant is a convex
    combination of the corners, computed to within 9 roundings).  The same result."""
    nx, ny, nz = a.shape
    fx, fy, fz = _closest_point(a, flat, n, h, origin, ndim, px, py)
    return layer_bounded(fx, fy, fz, nx, ny, nz, phi4, tols, bmin, ndim, px, py)


@njit(cache=True, inline="always")
def layer_bounded(fx, fy, fz, nx, ny, nz, phi4, tols, bmin, ndim, px, py):
    """The layer search of ``material_at_bounded`` at the point (fx, fy, fz) (grid units
    of an nx × ny × nz grid); shared with the tiled step's ``materials_slab``."""
    s = BLOCK_SHIFT
    ok = np.isfinite(fx) and np.isfinite(fy) and np.isfinite(fz)
    I = J = Kb = 0
    if ok:
        I = _low_corner(fx, nx, px) >> s
        J = (_low_corner(fy, ny, py) >> s) if ndim == 3 else 0
        fzc = min(max(fz, 0.0), nz - 1.0)
        Kb = min(int(fzc), nz - 2) >> s
        ok = (0 <= I < bmin.shape[1] and 0 <= J < bmin.shape[2] and 0 <= Kb < bmin.shape[3])
    for l in range(phi4.shape[0]):
        if ok:
            m = bmin[l, I, J, Kb]
            if m > 0.0 and m * (1.0 - _SKIP_MARGIN) > tols[l]:
                continue
        if _interp(phi4[l], fx, fy, fz, ndim, px, py) <= tols[l]:
            return l
    return -1


@njit(cache=True, parallel=True)
def band_materials_bounded(a, band, h, origin, phi4, tols, bmin, ndim, px, py):
    """``band_materials`` with the block lower bounds ``bmin`` of ``block_min(phi4)``
    (valid as long as the lower layers only grew since: the etch's clip raises them):
    the same numbers, without interpolating layers the bound excludes."""
    nb = band.shape[0]
    out = np.full(nb, -1, dtype=np.int32)
    flat = a.reshape(-1)
    for b in prange(nb):
        out[b] = material_at_bounded(a, flat, band[b], h, origin, phi4, tols, bmin, ndim,
                                     px, py)
    return out


@njit(cache=True, parallel=True)
def band_materials(a, band, h, origin, phi4, tols, ndim, px, py):
    """``material_index_pts`` at the closest points of ``band_geometry``, formed per node
    (no (nb, 3) points or normals are stored): the same numbers for a model that needs
    only the material (a beam).  phi4: the lower layers (may be empty: -1 everywhere)."""
    nb = band.shape[0]
    out = np.full(nb, -1, dtype=np.int32)
    flat = a.reshape(-1)
    for b in prange(nb):
        out[b] = material_at(a, flat, band[b], h, origin, phi4, tols, ndim, px, py)
    return out


@njit(cache=True, parallel=True)
def taper_at(V, idx, val):
    """V[idx] *= val (the band-edge taper held at the nodes where it is not 1; the
    product ``_tapered`` forms, so the same numbers)."""
    for q in prange(idx.shape[0]):
        V[idx[q]] = V[idx[q]] * val[q]


@njit(cache=True, inline="always")
def beam_bound_factors(alpha):
    """(f, ‖c‖₁, cb) of a beam alpha = (c, f): S = |V|((1 − f)‖c‖₁ + f·d) bounds Σ|∂H/∂p_i|,
    and |V|·cb ≥ |V|·|(1 − f)c·n + f| for a unit normal (|c·n| ≤ |c|; the margin covers
    rounding), so a node whose |V|·cb cannot raise the maximum skips its gradient."""
    f = alpha[3]
    c1 = abs(alpha[0]) + abs(alpha[1]) + abs(alpha[2])
    cb = (abs(1.0 - f) * np.sqrt(alpha[0] ** 2 + alpha[1] ** 2 + alpha[2] ** 2) + abs(f)) \
        * (1.0 + 1e-9)
    return f, c1, cb


@njit(cache=True)
def beam_bounds_range(V, cutoff, a, flat, band, lo, hi, i2h, alpha, ndim, px, py):
    """(max |V_n|, max Σ|∂H/∂p_i|) of :func:`speed_bounds_beam` over band nodes [lo, hi),
    skipping the normals that cannot raise the running maximum (a max does not depend on
    the order, so any split of the band gives the same two numbers)."""
    nx, ny, nz = a.shape
    f, c1, cb = beam_bound_factors(alpha)
    vmax = 0.0
    smax = 0.0
    tapered = cutoff.shape[0] == 0
    for b in range(lo, hi):
        v = V[b] if tapered else _tapered(V, cutoff, b)
        if not np.isfinite(v):
            vmax = np.inf
            continue
        sn = abs(v) * ((1.0 - f) * c1 + f * ndim)
        smax = max(smax, sn)
        if abs(v) * cb <= vmax:
            continue
        n = band[b]
        i = n // (ny * nz)
        r = n - i * ny * nz
        j = r // nz
        k = r - j * nz
        g0, g1, g2, gn = _unit_gradient(a, flat, n, i, j, k, i2h, ndim, px, py)
        cn = g0 / gn * alpha[0] + g1 / gn * alpha[1] + g2 / gn * alpha[2]
        vn = abs(v * ((1.0 - f) * max(0.0, cn) + f))
        vmax = max(vmax, vn)
    return vmax, smax


@njit(cache=True)
def speed_bounds_beam(V, cutoff, a, band, h, alpha, ndim, px, py):
    """``speed_bounds`` in BEAM mode with the normals recomputed per node (as
    ``band_geometry`` forms them) instead of read from an (nb, 3) array.  An empty
    ``cutoff``: V is tapered already (``taper_at``)."""
    return beam_bounds_range(V, cutoff, a, a.reshape(-1), band, 0, V.shape[0], 0.5 / h, alpha,
                             ndim, px, py)
