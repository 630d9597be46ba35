"""The tiled step's band rebuild limited to where the surface moved (#18, session 17;
private to ``tiled_step``): ``_band_inc``'s incremental rebuild on the tiles of
``tiles.TiledVolume``, so the tiled step recomputes exactly the candidates the dense
step recomputes and its numbers stay the dense step's bit for bit.

The argument is ``_band_inc``'s (its module docstring): the rebuild's output at a node
reads φ only within R1 = ceil(cap/h) + rings + 2 columns, so with the *dirty* columns
(those the last rebuild changed, or-ed with the steps' ``colmark``s) only the candidates
of D1 = dirty ⊕ R1 can change.  They are recomputed by classifying and relaxing the
candidates of D2 = D1 ⊕ (ceil(cap/h) + 2) and putting the input values back in D2 \\ D1
(``restore_mark``, which also marks the columns whose values changed: the next
rebuild's dirty set).  The candidate list is the last rebuild's outside the columns
within ``rings`` of D1 and recomputed inside by the same byte-mask passes
(``_band_inc``'s column-restricted dilations, the threshold read from the tiles here);
the window-growth limits are kept per column and recomputed in D2.  The first rebuild
of a window, or one after a step that marked no columns, is a full one.

Only the candidates of D2 are classified (their slabs copy only the tiles within one
tile of them) and relaxed (the chamfer in place on the tiles, the dense kernel's fixed
x-slabs); the rest of the band is not touched.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from . import _band_inc as KBI
from ._step_kernels import dilate_columns
from .tiles import unravel_r

__all__ = ["INCREMENTAL", "candidates_incremental", "col_kranges", "limits", "restore_mark",
           "sub_candidates", "threshold_cols"]

# the tiled rebuild recomputes only the candidates near the dirty columns (False: every
# rebuild a full one, session 16's tiled step; the same numbers)
INCREMENTAL = True

_S = 3
_M = 7


@njit(cache=True, parallel=True)
def threshold_cols(tmap, const, pool, nx, ny, nz, cap, mark, cols):
    """mark = 1 where |φ| < cap, 0 elsewhere, in the columns flagged in ``cols`` (the
    others are not written): ``_band_inc._threshold_cols`` read from the tiles."""
    for i in prange(nx):
        ti = i >> _S
        for j in range(ny):
            if not cols[i * ny + j]:
                continue
            tj = j >> _S
            for k in range(nz):
                s = tmap[ti, tj, k >> _S]
                v = const[ti, tj, k >> _S] if s < 0 else pool[s, i & _M, j & _M, k & _M]
                mark[i, j, k] = 1 if abs(v) < cap else 0


@njit(cache=True, parallel=True)
def restore_mark(tmap, pool, ny, nz, nodes, before, keep_cols, changed):
    """``_band_inc._restore_mark`` on the tiles (every node's tile stored): a node whose
    column is not flagged in ``keep_cols`` gets its input value ``before`` back; for the
    others changed[n // nz] = 1 where the value differs from the input."""
    rny, rnz = 1.0 / ny, 1.0 / nz
    for b in prange(nodes.shape[0]):
        n = nodes[b]
        i, j, k = unravel_r(n, ny, nz, rny, rnz)
        s = tmap[i >> _S, j >> _S, k >> _S]
        col = i * ny + j
        if keep_cols[col]:
            if pool[s, i & _M, j & _M, k & _M] != before[b]:
                changed[col] = 1
        else:
            pool[s, i & _M, j & _M, k & _M] = before[b]


def candidates_incremental(tv, cap: float, rings: int, px: bool, py: bool,
                           cols1: np.ndarray, old: np.ndarray) -> np.ndarray:
    """``_band_inc.candidates_incremental`` with the threshold read from the tiles: the
    same sorted indices as the full candidate pass (``old``: the last rebuild's)."""
    nx, ny, nz = tv.shape
    e1 = dilate_columns(cols1.reshape(nx, ny), rings, px, py)
    e2 = dilate_columns(e1, rings, px, py).reshape(-1)
    e1 = e1.reshape(-1)
    mark = np.zeros(tv.shape, dtype=np.uint8)
    other = np.zeros_like(mark)
    threshold_cols(tv.tmap, tv.const, tv.pool, nx, ny, nz, cap, mark, e2)
    KBI._dilate_cols(mark, other, 2, rings, False, e2)
    KBI._dilate_cols(other, mark, 1, rings, py, e1)
    KBI._dilate_cols(mark, other, 0, rings, px, cols1)
    del mark
    return KBI._merge_cand(other, cols1, old, old)


def sub_candidates(memo, tv, cap: float, h: float, rings: int, px: bool, py: bool,
                   full_candidates):
    """(cand, sub, cols1): the candidates of this rebuild, those to recompute (the
    candidates of D2; all of them in a full rebuild) and the columns whose results are
    kept (D1; None: all).  The memo's per-column limits are reset where they are
    recomputed (all columns in a full rebuild)."""
    nx, ny, nz = tv.shape
    if INCREMENTAL and memo.valid and memo.shape == tv.shape and memo.cand is not None:
        ncap = int(math.ceil(cap / h - 1e-9))
        cols1 = dilate_columns(memo.dirty.reshape(nx, ny), ncap + rings + 2, px,
                               py).reshape(-1)
        cand = candidates_incremental(tv, cap, rings, px, py, cols1, memo.cand)
        cols2 = dilate_columns(cols1.reshape(nx, ny), ncap + 2, px, py).reshape(-1)
        sub = KBI._select(cand, cols2, nz)
        KBI._reset_cols(cols2, memo.klo, memo.khi, nz)
        return cand, sub, cols1
    cand = full_candidates()
    memo.klo = np.full(nx * ny, nz, dtype=np.int32)
    memo.khi = np.full(nx * ny, -1, dtype=np.int32)
    return cand, cand, None


def col_kranges(cand, val, fixed, h, nz, klo, khi) -> None:
    """Per-column z range of the fixed candidates within 1.5 h of the surface
    (``_band_inc._col_kranges``)."""
    KBI._col_kranges(cand, val, fixed, h, nz, klo, khi)


def limits(klo, khi, nz) -> tuple[int, int]:
    k_lo, k_hi = KBI._limits(klo, khi, nz)
    return int(k_lo), int(k_hi)

