"""The band rebuild limited to where the surface moved (issue #18, session 15; private to
``advect``).  The numbers equal ``_band.rebuild``'s bit for bit.

``_band.rebuild`` is local: its output at node n (candidate membership, the class of
each candidate, the chamfer distance) reads φ only within R1 = ceil(cap/h) + rings + 2
columns (Chebyshev) of n — the candidate rings, the 26 neighbours of the classification,
and the chamfer's paths, which are shorter than cap (a value below cap is the length of
a path of neighbour hops from a kept node; cap and above is clamped to cap), so they stay
within ceil(cap/h) nodes whatever the order of the Gauss–Seidel passes (fixed by the node
positions and the fixed x-slabs).  A beam etch changes φ_top between two rebuilds only in
the columns ``_step_kernels.clip_below_mark`` marks; the last rebuild changed it only
where ``mark_changed`` saw a difference.  Call the union of those columns *dirty*.  At a
node n farther than R1 columns from every dirty column, φ within R1 of n is the input
of the last rebuild, which left every value there unchanged; the same input gives the
same output, so this rebuild leaves n unchanged too.  So only the candidates of
D1 = dirty ⊕ R1 columns can change.

They are recomputed by running classification and chamfer on the candidates of
D2 = D1 ⊕ R2 columns, R2 = ceil(cap/h) + 2, and putting back the input values in
D2 \\ D1.  The run on D2 alone differs from the full one only through the nodes just
outside D2, which hold their final values instead of cap while the passes relax: that can
only lower a distance, along a path shorter than cap, so by less than R2 columns into
D2; D1 is not reached.  The window-growth limits (the z range of the kept nodes within
1.5 h of the surface) are held per column and recomputed in D2.

The candidates (``candidates_incremental``) are the last rebuild's outside the columns
within ``rings`` of a dirty one (membership reads |φ| < cap within ``rings`` nodes), and
recomputed by the same byte-mask passes in the columns of D1.

The first rebuild of a window (``RebuildMemo.valid`` False) is a full one and fills the
per-column records.  Tests: tests/feature/test_band_inc.py (the same bytes as the full
rebuild, step after step).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from . import _band as KB
from ._kernels import gather
from ._step_kernels import dilate_columns

__all__ = ["RebuildMemo", "candidates_incremental", "rebuild_incremental"]

CHUNKS = 64          # chunks of the nodes in the parallel put-back
# the candidates too are recomputed near the dirty columns only (``candidates_incremental``;
# the last rebuild's candidates are kept between rebuilds: 4 B per candidate)
INCREMENTAL_CANDIDATES = True


class RebuildMemo:
    """What an incremental rebuild needs from the last one, for a window of (nx, ny, nz)
    nodes: the dirty columns (uint8 (nx·ny,): the last rebuild's changes, then the
    steps' ``colmark``s or-ed in), the per-column z range of the kept nodes within
    1.5 h of the surface (k_lo = nz, k_hi = −1: none), and whether they are valid
    (False: the next rebuild is a full one)."""

    def __init__(self) -> None:
        self.valid = False
        self.shape: tuple[int, ...] = ()
        self.dirty = np.zeros(0, dtype=np.uint8)
        self.klo = np.zeros(0, dtype=np.int32)
        self.khi = np.zeros(0, dtype=np.int32)
        self.cand: np.ndarray | None = None     # the last rebuild's candidates

    def invalidate(self) -> None:
        self.valid = False
        self.dirty = np.zeros(0, dtype=np.uint8)
        self.cand = None

    def step_changed(self, colmark: np.ndarray | None) -> None:
        """Or a step's changed columns into the dirty ones (None: unknown → invalid)."""
        if not self.valid:
            return
        if colmark is None or colmark.shape != self.dirty.shape:
            self.invalidate()
            return
        np.bitwise_or(self.dirty, colmark, out=self.dirty)


@njit(cache=True)
def _select(cand, cols, nz):
    """The candidates (sorted) whose column n // nz is marked in ``cols``."""
    out = np.empty(cand.shape[0], dtype=cand.dtype)
    m = 0
    nxt = -1              # the first node of the next column: one division per column
    mk = False
    for c in range(cand.shape[0]):
        n = cand[c]
        if n >= nxt:
            col = n // nz
            nxt = (col + 1) * nz
            mk = cols[col] != 0
        if mk:
            out[m] = n
            m += 1
    return out[:m].copy()


@njit(cache=True)
def _col_kranges(cand, val, fixed, h, nz, klo, khi):
    """klo/khi[n // nz] = min/max k of the fixed candidates with |val| < 1.5 h
    (``_band.apply_meta``'s limits, per column)."""
    for c in range(cand.shape[0]):
        if fixed[c] and abs(val[c]) < 1.5 * h:
            n = cand[c]
            col = n // nz
            k = n - col * nz
            if k < klo[col]:
                klo[col] = k
            if k > khi[col]:
                khi[col] = k


@njit(cache=True, parallel=True)
def _reset_cols(cols, klo, khi, nz):
    for q in prange(cols.shape[0]):
        if cols[q]:
            klo[q] = nz
            khi[q] = -1


@njit(cache=True, parallel=True)
def _restore_mark(a, nodes, before, keep_cols, changed):
    """For the nodes whose column is not in ``keep_cols``: a.flat[n] = before (the input);
    for the others: changed[n // nz] = 1 where the value differs from the input."""
    nz = a.shape[2]
    flat = a.reshape(-1)
    nb = nodes.shape[0]
    for q in prange(CHUNKS):
        nxt = -1
        col = 0
        mk = False
        for b in range(q * nb // CHUNKS, (q + 1) * nb // CHUNKS):
            n = nodes[b]
            if n >= nxt:
                col = n // nz
                nxt = (col + 1) * nz
                mk = keep_cols[col] != 0
            if mk:
                if flat[n] != before[b]:
                    changed[col] = 1
            else:
                flat[n] = before[b]


@njit(cache=True)
def _limits(klo, khi, nz):
    lo = nz
    hi = -1
    for q in range(klo.shape[0]):
        if klo[q] < lo:
            lo = klo[q]
        if khi[q] > hi:
            hi = khi[q]
    if hi < 0:
        return -1, -1
    return lo, hi


def _classify_apply_cols(a, cand, h, keep, cap, ndim, px, py, klo, khi):
    """``_band.classify_apply`` (the same writes and targets) that also records the
    per-column limits in klo/khi."""
    nx, ny, nz = a.shape
    if nx < 16:
        val, fixed = KB.classify(a, cand, h, keep, cap, ndim, px, py)
        _col_kranges(cand, val, fixed, h, nz, klo, khi)
        return KB._apply(a, cand, val, fixed, h)[0]
    planes = np.searchsorted(cand, (np.arange(nx + 1) * (ny * nz)).astype(cand.dtype))
    step = max(4, -(-nx // KB.CLASSIFY_CHUNKS))

    def put(lo, hi, v, f):
        _col_kranges(cand[lo:hi], v, f, h, nz, klo, khi)
        return KB._apply(a, cand[lo:hi], v, f, h)[0]

    pieces = KB.delayed_chunks(nx, planes, step, 1, lambda a0, b, sa, sb: KB.classify(
        a, cand[sa:sb], h, keep, cap, ndim, px, py), put)
    return np.concatenate(pieces) if pieces else np.empty(0, dtype=cand.dtype)


def rebuild_incremental(a, mark, h, width, keep, cap, ndim, px, py, rings, memo: RebuildMemo,
                        colmark=None, iterations=KB.ITERATIONS):
    """``_band.rebuild`` (the same return values and the same φ) recomputing only the
    candidates near the dirty columns of ``memo`` (module docstring), or all of them when
    the memo is not valid for this window; the memo is then set for the next rebuild.
    ``colmark``: as ``_band.rebuild``'s (the columns whose values this rebuild changed
    are or-ed in)."""
    nx, ny, nz = a.shape
    ncol = nx * ny
    changed = np.zeros(ncol, dtype=np.uint8)
    if memo.valid and memo.shape == a.shape:
        ncap = int(math.ceil(cap / h - 1e-9))
        d2 = memo.dirty.reshape(nx, ny)
        cols1 = dilate_columns(d2, ncap + rings + 2, px, py).reshape(-1)
        if INCREMENTAL_CANDIDATES and memo.cand is not None:
            cand = candidates_incremental(a, mark, cap, ndim, px, py, rings, cols1, memo.cand)
        else:
            cand = KB.candidates(a, mark, h, cap, ndim, px, py, rings)
        cols2 = dilate_columns(cols1.reshape(nx, ny), ncap + 2, px, py).reshape(-1)
        sub = _select(cand, cols2, nz)
        _reset_cols(cols2, memo.klo, memo.khi, nz)
    else:
        cand = KB.candidates(a, mark, h, cap, ndim, px, py, rings)
        cols1 = cols2 = np.ones(ncol, dtype=np.uint8)
        sub = cand
        memo.klo = np.full(ncol, nz, dtype=np.int32)
        memo.khi = np.full(ncol, -1, dtype=np.int32)
    before = gather(a, sub)
    targets = _classify_apply_cols(a, sub, h, keep, cap, ndim, px, py, memo.klo, memo.khi)
    KB.chamfer(a, targets, h, cap, ndim, px, py, iterations,
               KB.half_mask(ny, nz, h, ndim, -1), KB.half_mask(ny, nz, h, ndim, 1))
    del targets
    _restore_mark(a, sub, before, cols1, changed)
    del before, sub
    if colmark is not None:
        np.bitwise_or(colmark, changed, out=colmark)
    k_lo, k_hi = _limits(memo.klo, memo.khi, nz)
    memo.valid = True
    memo.shape = a.shape
    memo.dirty = changed
    memo.cand = cand if INCREMENTAL_CANDIDATES else None
    return KB.new_band(a, cand, width), cand, int(k_lo), int(k_hi)


# ---- the candidates, recomputed in the columns near the dirty ones only ---------------


@njit(cache=True, parallel=True)
def _threshold_cols(a, cap, out, cols):
    """out = (|φ| < cap) in the marked columns (the others are not written)."""
    nx, ny, nz = a.shape
    for i in prange(nx):
        for j in range(ny):
            if cols[i * ny + j]:
                for k in range(nz):
                    out[i, j, k] = 1 if abs(a[i, j, k]) < cap else 0


@njit(cache=True, parallel=True)
def _dilate_cols(src, dst, axis, r, periodic, cols):
    """``_band._dilate`` (dst = max of src over ±r nodes along ``axis``) in the marked
    columns only; src must be valid wherever a marked column reads it."""
    nx, ny, nz = src.shape
    for i in prange(nx):
        for j in range(ny):
            if not cols[i * ny + j]:
                continue
            for k in range(nz):
                dst[i, j, k] = 0
            for o in range(-r, r + 1):
                if axis == 0:
                    q = KB._shift(i, o, nx, periodic)
                    if q < 0:
                        continue
                    for k in range(nz):
                        dst[i, j, k] |= src[q, j, k]
                elif axis == 1:
                    q = KB._shift(j, o, ny, periodic)
                    if q < 0:
                        continue
                    for k in range(nz):
                        dst[i, j, k] |= src[i, q, k]
                else:
                    lo = max(0, -o)
                    hi = min(nz, nz - o)
                    for k in range(lo, hi):
                        dst[i, j, k] |= src[i, j, k + o]


@njit(cache=True, parallel=True)
def _merge_cand(m, cols, old, like):
    """Sorted flat indices: the non-zero entries of the mask m in the marked columns and
    the entries of ``old`` (sorted) in the others."""
    nx, ny, nz = m.shape
    po = np.searchsorted(old, (np.arange(nx + 1) * (ny * nz)).astype(old.dtype))
    counts = np.zeros(nx, dtype=np.int64)
    for i in prange(nx):
        c = 0
        p = po[i]
        for j in range(ny):
            end = (i * ny + j + 1) * nz
            q = p
            while q < po[i + 1] and old[q] < end:
                q += 1
            if cols[i * ny + j]:
                for k in range(nz):
                    if m[i, j, k] != 0:
                        c += 1
            else:
                c += q - p
            p = q
        counts[i] = c
    offs = np.zeros(nx + 1, dtype=np.int64)
    for i in range(nx):
        offs[i + 1] = offs[i] + counts[i]
    out = np.empty(offs[nx], dtype=like.dtype)
    for i in prange(nx):
        w = offs[i]
        p = po[i]
        for j in range(ny):
            end = (i * ny + j + 1) * nz
            q = p
            while q < po[i + 1] and old[q] < end:
                q += 1
            if cols[i * ny + j]:
                for k in range(nz):
                    if m[i, j, k] != 0:
                        out[w] = (i * ny + j) * nz + k
                        w += 1
            else:
                for t in range(p, q):
                    out[w] = old[t]
                    w += 1
            p = q
    return out


def candidates_incremental(a, mark, cap, ndim, px, py, rings, cols1, old):
    """``_band.candidates`` (the same sorted indices) from the last rebuild's candidates
    ``old``: a node's membership reads |φ| < cap within ``rings`` nodes, so it can change
    only in columns within ``rings`` of a dirty one (inside ``cols1``); there the byte
    mask is built by the same separable passes, restricted to the columns each pass
    needs (cols1 dilated by 2·rings, rings, 0), and elsewhere ``old`` is kept."""
    nx, ny, _ = a.shape
    if ndim == 3:
        e1 = dilate_columns(cols1.reshape(nx, ny), rings, px, py)
        e2 = dilate_columns(e1, rings, px, py).reshape(-1)
        e1 = e1.reshape(-1)
    else:
        e1 = dilate_columns(cols1.reshape(nx, ny), rings, px, py).reshape(-1)
        e2 = e1
    other = np.zeros_like(mark)
    _threshold_cols(a, cap, mark, e2)
    _dilate_cols(mark, other, 2, rings, False, e2)
    if ndim == 3:
        _dilate_cols(other, mark, 1, rings, py, e1)
        _dilate_cols(mark, other, 0, rings, px, cols1)
        res = other
    else:
        _dilate_cols(other, mark, 0, rings, px, cols1)
        res = mark
    return _merge_cand(res, cols1, old, old)
