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
rebuild's dirty set).  The candidate list is made by the full pass (cheap: byte masks),
not kept between rebuilds (memory); the window-growth limits are kept per column and
recomputed in D2.  The first rebuild
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

__all__ = ["INCREMENTAL", "col_kranges", "limits", "restore_mark", "sub_candidates"]

# the tiled rebuild recomputes only the candidates near the dirty columns (False: every
# rebuild a full one, session 16's tiled step; the same numbers)
INCREMENTAL = True

_S = 3
_M = 7


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


def sub_candidates(memo, tv, cap: float, h: float, rings: int, px: bool, py: bool,
                   full_candidates):
    """(cand, sub, cols1): the candidates of this rebuild, those to recompute (the
    candidates of D2; all of them in a full rebuild) and the columns whose results are
    kept (D1; None: all).  The memo's per-column limits are reset where they are
    recomputed (all columns in a full rebuild)."""
    nx, ny, nz = tv.shape
    # the candidates themselves by the full pass (threshold and dilations of byte masks:
    # 0.1 s of the 5.12 µm run); keeping the last rebuild's list to update it instead
    # (``_band_inc.candidates_incremental``) held 4 B per candidate between rebuilds and
    # raised the 10.24 µm peak 486 → 554 MB (bench/results/tileinc_s17.md)
    cand = full_candidates()
    memo.cand = None
    if INCREMENTAL and memo.valid and memo.shape == tv.shape:
        ncap = int(math.ceil(cap / h - 1e-9))
        cols1 = dilate_columns(memo.dirty.reshape(nx, ny), ncap + rings + 2, px,
                               py).reshape(-1)
        cols2 = dilate_columns(cols1.reshape(nx, ny), ncap + 2, px, py).reshape(-1)
        sub = KBI._select(cand, cols2, nz)
        KBI._reset_cols(cols2, memo.klo, memo.khi, nz)
        return cand, sub, cols1
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

