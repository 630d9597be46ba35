"""Numba kernels of the sparse narrow band (private).

The level set is stored dense, but between two band rebuilds only the band nodes
(|φ| < W) change, so a rebuild recomputes values near the band only; the whole array is
touched by cheap byte-mask passes alone.  One rebuild (``rebuild``):

1. candidates C = {|φ| < W_cap} dilated by ``rings`` rings of 26-neighbours (three
   separable max passes over a byte mask, parallel): every node outside {|φ| < W_cap}
   holds ±W_cap (or more), so the rings bring in the nodes the surface came closer to
   (it moves less than ``rings`` spacings between rebuilds), and the distances up to
   W_cap keep tracking the surface.  C depends on φ alone, so a run restarted from a
   checkpoint rebuilds exactly as the uninterrupted run;
2. classification of C against the current φ (parallel): nodes next to the zero set
   (an axis neighbour of the other sign, or, for |φ| < h/2, any of the 26) get φ/|∇φ|
   (Russo & Smereka, J. Comput. Phys. 163, 51, 2000) or keep their value when |∇φ| is
   within 25 % of 1 (the 26-neighbour test catches nodes beside a convex edge that
   touches them only diagonally — a hole's rim — which the chamfer would otherwise put
   up to a cell too far from the surface); nodes with |φ| < ``keep`` and such a gradient keep
   theirs (so that repeated rebuilds do not spoil the smoothness a high-order scheme
   needs); all others are recomputed;
3. the recomputed nodes get the chamfer distance |φ_i| = min_j |φ_j| + |x_i − x_j|
   over same-sign 26 (8) neighbours with Euclidean weights, capped at W_cap, by
   forward and backward Gauss–Seidel passes in raster order with the two half masks
   (Borgefors, Comput. Vision Graph. Image Process. 34, 344, 1986), ``ITERATIONS``
   times, over fixed x-slabs (even slabs, then odd ones), so the result does not
   depend on the thread count;
4. the new band is {i ∈ C : |φ_i| < W}, away from the vertical window edges.

Every node outside C keeps its value: its sign cannot have changed.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._kernels import _wrap, gather, gradient_at

__all__: list[str] = []


@njit(cache=True, inline="always")
def _unravel(n, ny, nz):
    i = n // (ny * nz)
    r = n - i * ny * nz
    j = r // nz
    return i, j, r - j * nz


@njit(cache=True, inline="always")
def _shift(i, o, n, periodic):
    """Index i + o on an axis of n nodes: wrapped (periodic) or -1 outside."""
    i += o
    if periodic:
        return i % n
    return i if 0 <= i < n else -1


@njit(cache=True, parallel=True)
def _dilate(src, dst, axis, r, periodic):
    """dst = max of src over ±r nodes along ``axis`` (uint8 masks; a box dilation is
    three such passes; the vertical axis is never periodic).  Inner loops run along
    the contiguous axis, so they vectorise."""
    nx, ny, nz = src.shape
    for i in prange(nx):
        for j in range(ny):
            for k in range(nz):
                dst[i, j, k] = 0
        for o in range(-r, r + 1):
            if axis == 0:
                q = _shift(i, o, nx, periodic)
                if q < 0:
                    continue
                for j in range(ny):
                    for k in range(nz):
                        dst[i, j, k] |= src[q, j, k]
            elif axis == 1:
                for j in range(ny):
                    q = _shift(j, o, ny, periodic)
                    if q < 0:
                        continue
                    for k in range(nz):
                        dst[i, j, k] |= src[i, q, k]
            else:
                lo = max(0, -o)
                hi = min(nz, nz - o)
                for j in range(ny):
                    for k in range(lo, hi):
                        dst[i, j, k] |= src[i, j, k + o]


@njit(cache=True)
def _threshold(a, cap, out):
    nx, ny, nz = a.shape
    for i in range(nx):
        for j in range(ny):
            for k in range(nz):
                out[i, j, k] = 1 if abs(a[i, j, k]) < cap else 0


def candidates(a, mark, h, cap, ndim, px, py, rings=2):
    """Sorted flat indices of {|φ| < cap} dilated by ``rings`` rings of 26-neighbours
    (a (2 rings + 1)³ box: three separable passes over uint8 masks, parallel)."""
    other = np.empty_like(mark)
    _threshold(a, cap, mark)
    _dilate(mark, other, 2, rings, False)
    if ndim == 3:
        _dilate(other, mark, 1, rings, py)
        _dilate(mark, other, 0, rings, px)
    else:
        _dilate(other, mark, 0, rings, px)
        other, mark = mark, other
    return scan_mask(other, index_like(a.size))


def index_like(size: int) -> np.ndarray:
    """An empty array of the flat-index type of an array of ``size`` nodes: int32 while
    every index fits (half the memory of the band's index arrays), else int64."""
    return np.empty(0, dtype=np.int32 if size < 2**31 else np.int64)


@njit(cache=True, inline="always")
def _next_to_zero(a, i, j, k, ndim, px, py):
    """One of the 26 (8 in 2D) neighbours has the other sign."""
    nx, ny, nz = a.shape
    pos = a[i, j, k] > 0
    for di in range(-1, 2):
        ii = _wrap(i + di, nx, px)
        for dj in range(-1, 2):
            if ndim == 2 and dj != 0:
                continue
            jj = _wrap(j + dj, ny, py)
            for dk in range(-1, 2):
                kk = k + dk
                if kk < 0 or kk >= nz:
                    continue
                if (a[ii, jj, kk] > 0) != pos:
                    return True
    return False


@njit(cache=True, inline="always")
def _inner(i, j, k, nx, ny, nz, ndim):
    """Every 26-neighbour of (i, j, k) lies inside the array (no wrapping or clamping)."""
    return 0 < i < nx - 1 and 0 < k < nz - 1 and (ndim == 2 or 0 < j < ny - 1)


@njit(cache=True, inline="always")
def _next_to_zero_flat(flat, n, ny, nz, ndim):
    """``_next_to_zero`` of an inner node (``_inner``) through flat offsets: the same
    26 (8) neighbours, so the same answer."""
    pos = flat[n] > 0
    sx = ny * nz
    for di in range(-1, 2):
        for dj in range(-1, 2):
            if ndim == 2 and dj != 0:
                continue
            base = n + di * sx + dj * nz
            for dk in range(-1, 2):
                if (flat[base + dk] > 0) != pos:
                    return True
    return False


@njit(cache=True, inline="always")
def _gradient_flat(flat, n, ny, nz, h, ndim):
    """``_kernels.gradient_at`` of an inner node through flat offsets: the same values in
    the same order of operations, so the same (|∇φ|, near) bit for bit."""
    c = flat[n]
    near = False
    g2 = 0.0
    o2 = 0.0
    for ax in range(3):
        if ax == 1 and ndim == 2:
            continue
        st = ny * nz if ax == 0 else (nz if ax == 1 else 1)
        m = flat[n - st]
        p = flat[n + st]
        if (m > 0) != (c > 0) or (p > 0) != (c > 0):
            near = True
        d = 0.5 * (p - m) / h
        g2 += d * d
        o = max(abs(p - c), abs(c - m), 1e-12 * h) / h
        o2 += o * o
    g = np.sqrt(g2)
    if g < 0.5 * np.sqrt(o2):
        g = np.sqrt(o2)
    return g, near


@njit(cache=True, parallel=True)
def classify(a, cand, h, keep, cap, ndim, px, py):
    """New values and 'fixed' flags of the candidates (reads a, writes nothing in it).
    Inner nodes read their neighbours through flat offsets (``_next_to_zero_flat``,
    ``_gradient_flat``: the same numbers without the per-neighbour wrapping)."""
    nx, ny, nz = a.shape
    nc = cand.shape[0]
    val = np.empty(nc)
    fixed = np.zeros(nc, dtype=np.bool_)
    flat = a.reshape(-1)
    for c in prange(nc):
        n = cand[c]
        i, j, k = _unravel(n, ny, nz)
        v = flat[n]
        inner = _inner(i, j, k, nx, ny, nz, ndim)
        if abs(v) >= keep and abs(v) >= 0.5 * h:
            if inner:
                nz0 = _next_to_zero_flat(flat, n, ny, nz, ndim)
            else:
                nz0 = _next_to_zero(a, i, j, k, ndim, px, py)
            if not nz0:
                val[c] = cap if v > 0 else -cap      # neither kept nor next to the zero set
                continue
        if inner:
            g, near = _gradient_flat(flat, n, ny, nz, h, ndim)
        else:
            g, near = gradient_at(a, i, j, k, h, ndim, px, py)
        if not near and abs(v) < 0.5 * h:
            near = (_next_to_zero_flat(flat, n, ny, nz, ndim) if inner
                    else _next_to_zero(a, i, j, k, ndim, px, py))
        good = g > 0.8 and g < 1.25
        if near:
            val[c] = v if good else v / g
            fixed[c] = True
        elif good and abs(v) < keep:
            val[c] = v
            fixed[c] = True
        else:
            val[c] = cap if v > 0 else -cap
    return val, fixed


@njit(cache=True)
def _relax(a, n, h, cap, ndim, px, py, half):
    """Chamfer update of node n in place from the neighbours before it in raster order
    (half = -1) or after it (half = 1)."""
    nx, ny, nz = a.shape
    i, j, k = _unravel(n, ny, nz)
    c = a[i, j, k]
    pos = c > 0
    best = abs(c)
    w2 = h * np.sqrt(2.0)
    w3 = h * np.sqrt(3.0)
    for di in range(-1, 2):
        ii = _wrap(i + di, nx, px)
        for dj in range(-1, 2):
            if ndim == 2 and dj != 0:
                continue
            jj = _wrap(j + dj, ny, py)
            for dk in range(-1, 2):
                m = abs(di) + abs(dj) + abs(dk)
                if m == 0:
                    continue
                if (di if di != 0 else (dj if dj != 0 else dk)) != half:
                    continue
                kk = k + dk
                if kk < 0 or kk >= nz:
                    continue
                v = a[ii, jj, kk]
                if (v > 0) != pos:
                    continue
                cand = abs(v) + (h if m == 1 else (w2 if m == 2 else w3))
                if cand < best:
                    best = cand
    best = min(best, cap)
    a[i, j, k] = best if pos else -best


N_SLABS = 16      # fixed x-slab partition of the chamfer passes (independent of threads)
ITERATIONS = 2   # forward + backward chamfer passes per rebuild


@njit(cache=True)
def _apply(a, cand, val, fixed, h):
    """Write the classified values; returns (targets, k_lo, k_hi) (``apply_meta``)."""
    flat = a.reshape(-1)
    for c in range(cand.shape[0]):
        flat[cand[c]] = val[c]
    return apply_meta(cand, val, fixed, h, a.shape[2])


@njit(cache=True)
def apply_meta(cand, val, fixed, h, nz):
    """The candidates still to relax (not fixed) and the z range [k_lo, k_hi] of the
    fixed ones within 1.5 h of the surface ((-1, -1) if none), for ``_apply`` and the
    tiled step (which scatters the values into its tiles itself)."""
    nc = cand.shape[0]
    k_lo = nz
    k_hi = -1
    targets = np.empty(nc, dtype=cand.dtype)
    nt = 0
    for c in range(nc):
        if fixed[c]:
            if abs(val[c]) < 1.5 * h:
                k = cand[c] % nz
                k_lo = min(k_lo, k)
                k_hi = max(k_hi, k)
        else:
            targets[nt] = cand[c]
            nt += 1
    if k_hi < 0:
        k_lo = -1
    return targets[:nt].copy(), k_lo, k_hi


def half_mask(ny, nz, h, ndim, half):
    """Flat-index offsets and Euclidean weights of the neighbours before (half = -1) or
    after (half = 1) a node in raster order: 13 of the 26 in 3D, 4 of the 8 in 2D."""
    offs, wts = [], []
    for di in (-1, 0, 1):
        for dj in ((-1, 0, 1) if ndim == 3 else (0,)):
            for dk in (-1, 0, 1):
                m = abs(di) + abs(dj) + abs(dk)
                if m == 0 or (di if di != 0 else (dj if dj != 0 else dk)) != half:
                    continue
                offs.append((di * ny + dj) * nz + dk)
                wts.append(h * np.sqrt(m))
    return np.array(offs, dtype=np.int64), np.array(wts)


@njit(cache=True, inline="always")
def _relax_at(a, flat, n, h, cap, ndim, px, py, half, offs, wts):
    """_relax, reading interior nodes through flat offsets (no wrapping needed)."""
    nx, ny, nz = a.shape
    i, j, k = _unravel(n, ny, nz)
    if (0 < i < nx - 1 and 0 < k < nz - 1 and (ndim == 2 or 0 < j < ny - 1)):
        c = flat[n]
        pos = c > 0
        best = abs(c)
        for q in range(offs.shape[0]):
            v = flat[n + offs[q]]
            if (v > 0) == pos:
                d = abs(v) + wts[q]
                if d < best:
                    best = d
        best = min(best, cap)
        flat[n] = best if pos else -best
    else:
        _relax(a, n, h, cap, ndim, px, py, half)


@njit(cache=True, parallel=True)
def chamfer(a, targets, h, cap, ndim, px, py, iterations, back, fwd):
    """Chamfer distances on ``targets`` (sorted): forward then backward raster passes
    with the half masks (``back``/``fwd`` = ``half_mask`` of -1/+1), ``iterations``
    times.  Parallel over fixed x-slabs, even slabs then odd ones (a slab at least 2
    nodes wide reads only its neighbour slabs, which are idle in that phase), so the
    result does not depend on the thread count."""
    nx, ny, nz = a.shape
    flat = a.reshape(-1)
    ns = min(N_SLABS, max(nx // 2, 1))
    if ns > 1 and ns % 2 == 1:
        ns -= 1
    bounds = np.empty(ns + 1, dtype=np.int64)
    for s in range(ns + 1):
        bounds[s] = np.searchsorted(targets, (s * nx // ns) * ny * nz)
    bo, bw = back
    fo, fw = fwd
    for _it in range(iterations):
        for parity in range(2):
            for q in prange((ns + 1 - parity) // 2):
                s = 2 * q + parity
                lo = bounds[s]
                hi = bounds[s + 1]
                for t in range(lo, hi):
                    _relax_at(a, flat, targets[t], h, cap, ndim, px, py, -1, bo, bw)
                for t in range(hi - 1, lo - 1, -1):
                    _relax_at(a, flat, targets[t], h, cap, ndim, px, py, 1, fo, fw)


@njit(cache=True)
def new_band(a, cand, width):
    """Candidates with |φ| < width, away from the vertical window edges."""
    nz = a.shape[2]
    flat = a.reshape(-1)
    out = np.empty(cand.shape[0], dtype=cand.dtype)
    nb = 0
    for c in range(cand.shape[0]):
        n = cand[c]
        k = n % nz
        if abs(flat[n]) < width and k >= 3 and k < nz - 3:
            out[nb] = n
            nb += 1
    return out[:nb].copy()


CLASSIFY_CHUNKS = 16    # the candidates are classified in about this many chunks of x-planes


def delayed_chunks(nx, planes, step, reach, compute, put):
    """The chunk loop with delayed write-back of ``classify_apply`` (reach 1) and of the
    Runge–Kutta stages (``advect.stage_chunked``, reach 3): for each chunk [a, b) of
    x-planes, ``compute(a, b, sa, sb)`` gives a tuple of arrays over the band nodes sa:sb
    (``planes``: the first node of each plane), read from the array before any plane it
    reads is written; ``put(lo, hi, *arrays)`` writes nodes lo:hi.  The planes below
    b − reach are written at once, the last ``reach`` planes wait for the next chunk, the
    first ``reach`` planes for the end.  Returns the values of ``put`` in node order."""
    head = int(planes[min(reach, nx)])
    out = []
    first = pending = None
    for a in range(0, nx, step):
        b = min(a + step, nx)
        sa, sb = int(planes[a]), int(planes[b])
        vals = compute(a, b, sa, sb)
        if a == 0:
            first = tuple(v[:head].copy() for v in vals)
        if pending is not None:
            out.append(put(*pending))
        lo = max(sa, head)
        hi = max(lo, int(planes[max(b - reach, a)]))
        if hi > lo:
            out.append(put(lo, hi, *(v[lo - sa:hi - sa] for v in vals)))
        pending = (hi, sb, *(v[hi - sa:] for v in vals))
        del vals
    if pending is not None:
        out.append(put(*pending))
    del pending
    if first is not None and head > 0:
        out.insert(0, put(0, head, *first))
    return out


def classify_apply(a, cand, h, keep, cap, ndim, px, py):
    """``classify`` then ``_apply`` (targets, k_lo, k_hi), by chunks of x-planes: the
    per-candidate values and flags are held for a chunk at a time, not for all
    candidates (#18).

    A candidate's class reads φ at most one x-plane away (26 neighbours and the central
    gradient; wrapped or mirrored into the first and last plane), so the chunk [a, b) is
    classified before any of planes [a − 1, nx) or the first one is written; then the
    planes below b − 1 (but the first) are written, the last waits for the next chunk,
    the first for the end.  The targets keep the candidates' order and every value is the
    one the whole-array pass writes.
    """
    nx, ny, nz = a.shape
    if nx < 16:
        val, fixed = classify(a, cand, h, keep, cap, ndim, px, py)
        return _apply(a, cand, val, fixed, h)
    planes = np.searchsorted(cand, (np.arange(nx + 1) * (ny * nz)).astype(cand.dtype))
    step = max(4, -(-nx // CLASSIFY_CHUNKS))
    lims = [nz, -1]

    def put(lo, hi, v, f):
        t, k0, k1 = _apply(a, cand[lo:hi], v, f, h)
        if k1 >= 0:
            lims[0] = min(lims[0], k0)
            lims[1] = max(lims[1], k1)
        return t

    pieces = delayed_chunks(nx, planes, step, 1, lambda a0, b, sa, sb: classify(
        a, cand[sa:sb], h, keep, cap, ndim, px, py), put)
    targets = np.concatenate(pieces) if pieces else np.empty(0, dtype=cand.dtype)
    del pieces
    k_lo, k_hi = (lims[0], lims[1]) if lims[1] >= 0 else (-1, -1)
    return targets, k_lo, k_hi


def rebuild(a, mark, h, width, keep, cap, ndim, px, py, rings=2, iterations=ITERATIONS,
            colmark=None):
    """One band rebuild (module docstring); returns (new band, cand, k_lo, k_hi).
    ``colmark``: (nx·ny,) uint8 or None; marked 1 at the column n // nz of every node
    whose value the rebuild changed (``advect``'s material re-query).

    a: top level set (nx, ny, nz), changed in place on the candidates only; mark:
    uint8 zeros of the same shape (scratch, left zero).
    k_lo/k_hi: lowest/highest vertical index of a node next to the zero set (-1 if none).
    """
    cand = candidates(a, mark, h, cap, ndim, px, py, rings)
    before = gather(a, cand) if colmark is not None else None
    targets, k_lo, k_hi = classify_apply(a, cand, h, keep, cap, ndim, px, py)
    ny, nz = a.shape[1], a.shape[2]
    chamfer(a, targets, h, cap, ndim, px, py, iterations,
            half_mask(ny, nz, h, ndim, -1), half_mask(ny, nz, h, ndim, 1))
    del targets
    if before is not None:
        mark_changed(a, cand, before, colmark)
        del before
    return new_band(a, cand, width), cand, k_lo, k_hi


@njit(cache=True, parallel=True)
def scan_mask(m, like):
    """Sorted flat indices of the non-zero entries of a uint8 mask (parallel over x), of
    the integer type of ``like``."""
    nx, ny, nz = m.shape
    counts = np.zeros(nx, dtype=np.int64)
    for i in prange(nx):
        c = 0
        for j in range(ny):
            for k in range(nz):
                if m[i, j, k] != 0:
                    c += 1
        counts[i] = c
    offs = np.zeros(nx + 1, dtype=np.int64)
    for i in range(nx):
        offs[i + 1] = offs[i] + counts[i]
    out = np.empty(offs[nx], dtype=like.dtype)
    for i in prange(nx):
        p = offs[i]
        for j in range(ny):
            for k in range(nz):
                if m[i, j, k] != 0:
                    out[p] = (i * ny + j) * nz + k
                    p += 1
    return out


@njit(cache=True, parallel=True)
def mark_changed(a, nodes, before, colmark):
    """colmark[n // nz] = 1 for the nodes n whose value in a differs from ``before``."""
    nz = a.shape[2]
    flat = a.reshape(-1)
    for b in prange(nodes.shape[0]):
        n = nodes[b]
        if flat[n] != before[b]:
            colmark[n // nz] = 1


@njit(cache=True)
def copy_nodes(src, dst, nodes):
    """dst.flat[nodes] = src.flat[nodes]."""
    s = src.reshape(-1)
    d = dst.reshape(-1)
    for b in range(nodes.shape[0]):
        d[nodes[b]] = s[nodes[b]]
