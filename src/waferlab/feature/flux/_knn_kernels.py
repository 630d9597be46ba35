"""k-nearest interpolation of the traced fields to the level-set query points (private):
a uniform-grid search that returns what ``FluxState.at`` computed with scipy's cKDTree,
bit for bit.

The data points (surface vertices or element centroids) are binned into cubic cells of
edge ``c`` (counting sort).  A query point visits the cells in Chebyshev rings around its
own cell, keeps the k smallest squared distances (ties: the first found), and stops when
the k-th distance is no larger than the distance to the next ring's nearest face.  The
squared distance is summed in axis order from 0 (s = ((0 + Δx²) + Δy²) + Δz², as
cKDTree's ``sqeuclidean_distance_double`` does for 3 axes; a 2D point set has Δz = 0),
d = √s, and the weights and sums follow ``FluxState.at``'s NumPy expressions in the same
order: w_j = 1/(d_j·d_j + ε²) (nearest first), w_j ← w_j / Σ w, f = Σ_j f(j)·w_j.  With
no two data points at exactly the same distance from a query point the neighbours, their
order and so every output are those of the tree (checked in
tests/feature/flux/test_knn.py).  Where two of the k + 1 nearest lie at exactly the same
distance (a query on a symmetry plane of a lattice-aligned surface) the tree's choice
and order among them are its own: those points are flagged and the caller takes them
from the tree.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

__all__ = ["build_grid", "knn_weighted"]

_CHUNK = 512      # query points per parallel task


@njit(cache=True, error_model="numpy")
def build_grid(pts, lo, c, n):
    """Cell lists of ``pts`` (m, 3) on the grid lo + i c, n cells per axis: (cstart, items)
    with the points of cell (ix, iy, iz) = items[cstart[q]:cstart[q + 1]],
    q = (iz n_y + iy) n_x + ix, in increasing point order."""
    m = pts.shape[0]
    ncell = n[0] * n[1] * n[2]
    key = np.empty(m, np.int64)
    cstart = np.zeros(ncell + 1, np.int64)
    for p in range(m):
        ix = min(max(int((pts[p, 0] - lo[0]) / c), 0), n[0] - 1)
        iy = min(max(int((pts[p, 1] - lo[1]) / c), 0), n[1] - 1)
        iz = min(max(int((pts[p, 2] - lo[2]) / c), 0), n[2] - 1)
        q = (iz * n[1] + iy) * n[0] + ix
        key[p] = q
        cstart[q + 1] += 1
    for q in range(ncell):
        cstart[q + 1] += cstart[q]
    fill = cstart[:-1].copy()
    items = np.empty(m, np.int64)
    for p in range(m):
        items[fill[key[p]]] = p
        fill[key[p]] += 1
    return cstart, items


@njit(cache=True, error_model="numpy", inline="always")
def _consider(pts, p, qx, qy, qz, k, bs, bi, found):
    """Offer data point p to the sorted k-best lists (bs squared distances, bi ids)."""
    dx = qx - pts[p, 0]
    dy = qy - pts[p, 1]
    dz = qz - pts[p, 2]
    s = 0.0
    s += dx * dx
    s += dy * dy
    s += dz * dz
    if found == k and s >= bs[k - 1]:
        return found
    j = found if found < k else k - 1
    while j > 0 and bs[j - 1] > s:
        bs[j] = bs[j - 1]
        bi[j] = bi[j - 1]
        j -= 1
    bs[j] = s
    bi[j] = p
    return found + 1 if found < k else k


@njit(cache=True, error_model="numpy")
def _query_one(pts, lo, c, n, cstart, items, qx, qy, qz, k, bs, bi):
    """The k nearest data points of (qx, qy, qz) into bs/bi (sorted, nearest first)."""
    cx = min(max(int((qx - lo[0]) / c), 0), n[0] - 1)
    cy = min(max(int((qy - lo[1]) / c), 0), n[1] - 1)
    cz = min(max(int((qz - lo[2]) / c), 0), n[2] - 1)
    found = 0
    r = 0
    rmax = max(n[0], max(n[1], n[2]))
    while r <= rmax:
        x0, x1 = cx - r, cx + r
        y0, y1 = cy - r, cy + r
        z0, z1 = cz - r, cz + r
        for iz in range(max(z0, 0), min(z1, n[2] - 1) + 1):
            for iy in range(max(y0, 0), min(y1, n[1] - 1) + 1):
                edge = iz == z0 or iz == z1 or iy == y0 or iy == y1
                step = 1 if edge else 2 * r
                ix = x0
                while ix <= x1:
                    if ix >= 0 and ix < n[0]:
                        q = (iz * n[1] + iy) * n[0] + ix
                        for t in range(cstart[q], cstart[q + 1]):
                            found = _consider(pts, items[t], qx, qy, qz, k, bs, bi, found)
                    ix += step if step > 0 else 1
        # the distance from the query to the nearest face of the next ring
        g = np.inf
        covered = True
        if x0 > 0:
            g = min(g, qx - (lo[0] + x0 * c))
            covered = False
        if x1 < n[0] - 1:
            g = min(g, lo[0] + (x1 + 1) * c - qx)
            covered = False
        if y0 > 0:
            g = min(g, qy - (lo[1] + y0 * c))
            covered = False
        if y1 < n[1] - 1:
            g = min(g, lo[1] + (y1 + 1) * c - qy)
            covered = False
        if z0 > 0:
            g = min(g, qz - (lo[2] + z0 * c))
            covered = False
        if z1 < n[2] - 1:
            g = min(g, lo[2] + (z1 + 1) * c - qz)
            covered = False
        if covered:
            break
        if found == k and g > 0.0 and g * g > bs[k - 1] * (1.0 + 1e-12):
            break
        r += 1


@njit(cache=True, error_model="numpy", parallel=True)
def knn_weighted(pts, lo, c, n, cstart, items, queries, k, eps2, values, out, tied):
    """out[f, i] = Σ_j values[f, j_i]·w_ij over the k nearest data points j_i of query i,
    w_ij = 1/(d² + eps2) normalised to sum 1 (the module docstring's order).  tied[i] = 1
    where two of the k + 1 nearest are at exactly the same distance (the tree may choose
    or order them otherwise: the caller asks the tree for those points)."""
    m = queries.shape[0]
    nf = values.shape[0]
    kk = min(k + 1, pts.shape[0])
    nchunk = (m + _CHUNK - 1) // _CHUNK
    for ch in prange(nchunk):
        bs = np.empty(kk)
        bi = np.empty(kk, np.int64)
        w = np.empty(k)
        for i in range(ch * _CHUNK, min(m, (ch + 1) * _CHUNK)):
            _query_one(pts, lo, c, n, cstart, items, queries[i, 0], queries[i, 1],
                       queries[i, 2], kk, bs, bi)
            tied[i] = 0
            for j in range(kk - 1):
                if bs[j] == bs[j + 1]:
                    tied[i] = 1
            for j in range(k):
                d = math.sqrt(bs[j])
                w[j] = 1.0 / (d * d + eps2)
            tot = w[0]                  # NumPy's reduction: the first term, then the rest
            for j in range(1, k):
                tot += w[j]
            for j in range(k):
                w[j] = w[j] / tot
            for f in range(nf):
                acc = 0.0               # from +0: a sum of −0 products is +0, as NumPy's
                for j in range(k):
                    acc += values[f, bi[j]] * w[j]
                out[f, i] = acc
