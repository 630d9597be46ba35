"""Materials of a beam's band re-queried only where they can change (issue #18,
session 14b, lane maskhold; private to ``advect``).

The material of band node n is the layer at its closest point x − φ n̂ (``_query_kernels.
material_at_bounded``): a function of φ_top at n and its six neighbours (the central
gradient) and of the lower layers at the corners of the cell around the point, which lies
|φ_n| ≤ cap from n.  Between two band rebuilds a beam etch changes φ_top only where the
speed is not 0 (the zero-speed nodes are held bit for bit: ``advect.HOLD_ZERO_SPEED``)
and the lower layers only where the clip raises them to φ_top; ``_step_kernels.
clip_below_mark`` marks the columns (i, j) of those nodes, and a node whose column lies
farther than ceil(|φ_n|/h) + 4 columns from every marked one keeps its material (session
16: its own |φ_n|, not the bound cap — ``_step_kernels._stale``; a ring of the columns
around a moving floor within cap of it re-queried only the nodes far enough from the
surface to reach it).  So the numbers equal a full query.  Across a band rebuild the same holds with the columns whose
values the rebuild changed marked too (``_band.rebuild(colmark=...)``).  Tests:
tests/feature/test_advect_hold.py compares them byte for byte.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _kernels as K
from . import _step_kernels as KS
from .levelset import as3

__all__ = ["beam_materials", "REACH_EXTRA"]

REACH_EXTRA = 4      # columns beyond ceil(cap/h): the gradient (1), the cell (1), margin (2)


def beam_materials(w: Any, phi4: np.ndarray, tols: np.ndarray, origin: np.ndarray,
                   reuse: bool) -> np.ndarray:
    """The material at each band node's closest point (``K.band_materials_bounded``,
    −1 → the top layer).  ``reuse``: the last step's values are kept where no input
    of the query changed — φ_top within one node and the lower layers within
    ``|φ| + 1`` nodes, so where the column's distance to the columns the step marked
    (``colmark``; ``KS.column_distance``) exceeds ceil(|φ_n|/h) + 4 — and re-queried
    elsewhere (``KS.materials_update``): the same numbers.  From one step to the next of the same band; across a rebuild
    (``w.carry``: the old band, its materials, the columns changed by the last step and
    the rebuild) a node of the new band that was in the old one keeps its value on the
    same terms (``KS.materials_carry``).
    ``w``: ``advect._Work`` (its mats, colmark, mats_key and bmin are updated)."""
    g = w.grid
    d = g.dimension
    top3 = as3(w.phi[-1])
    fill = w.phi.shape[0] - 1
    if w.bmin is None:
        w.bmin = K.block_min(phi4, d, g.periodic, g.periodic)
    key = (w.held, tuple(origin.tolist()))
    mats = w.mats
    carry, w.carry = w.carry, None
    # the reach: ceil(cap/h) + REACH_EXTRA columns at most, ceil(|φ_n|/h) + REACH_EXTRA
    # for node n (``KS._stale``); -1: nothing re-queried
    r = min(max(int(math.ceil(w.cap / g.spacing)) + REACH_EXTRA, -1), 254)
    if reuse and mats is not None and w.colmark is not None and w.mats_key == key:
        nx, ny = top3.shape[:2]
        dist = KS.column_distance(w.colmark.reshape(nx, ny), r, g.periodic, g.periodic)
        KS.materials_update(top3, w.band, g.spacing, origin, phi4, tols, w.bmin, d,
                            g.periodic, g.periodic, mats, dist, r, REACH_EXTRA, fill)
    elif reuse and carry is not None and w.mats_key == key:     # the first step of a band
        old_band, old_mats, colmark = carry
        nx, ny = top3.shape[:2]
        dist = KS.column_distance(colmark.reshape(nx, ny), r, g.periodic, g.periodic)
        mats = KS.materials_carry(top3, w.band, g.spacing, origin, phi4, tols, w.bmin, d,
                                  g.periodic, g.periodic, old_band, old_mats, dist, r,
                                  REACH_EXTRA, fill)
        del carry, old_band, old_mats
    else:
        mats = K.band_materials_bounded(top3, w.band, g.spacing, origin, phi4, tols,
                                        w.bmin, d, g.periodic, g.periodic)
        KS.fill_negative(mats, fill)
    w.colmark = None
    # the model only reads them (``beam_hamiltonian``: s[materials])
    w.mats, w.mats_key = (mats, key) if reuse else (None, ())
    return mats

