"""The tiled step's chamfer pass in parallel (private; issue #18, session 15).

``_band.chamfer`` runs its fixed x-slabs even slabs first, then odd ones, each phase in
parallel: a slab reads only planes of the idle slabs beside it.  The tiled step did the
same slabs one after another, each on a dense copy of the slab and one plane on each
side (``tiled_step.TiledWork._chamfer``).  ``chamfer_phase`` runs the slabs of one
parity in parallel, each on its own copy (read from the tiles, relaxed by
``_tile_kernels.chamfer_slab``, written back to its stored tiles): the same
per-slab sequence, so the same numbers as the dense kernel.  Only the targets change and
they lie in stored tiles (the rebuild stores every candidate's tile first), so the
write-back writes stored tiles only.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._tile_kernels import chamfer_slab

__all__ = ["chamfer_phase"]

_S = 3
_M = 7
_T = 8


@njit(cache=True)
def _read_into(tmap, const, pool, ny, nz, r0, n, nx, periodic, out, active):
    """out[p] = plane r0 + p (wrapped when periodic) of the flagged tiles."""
    for p in range(n):
        i = r0 + p
        if periodic:
            i %= nx
        ti = i >> _S
        ii = i & _M
        for j in range(ny):
            tj = j >> _S
            jj = j & _M
            for tk in range(tmap.shape[2]):
                if active[ti, tj, tk] == 0:
                    continue
                k0 = tk << _S
                k1 = min(k0 + _T, nz)
                s = tmap[ti, tj, tk]
                if s < 0:
                    c = const[ti, tj, tk]
                    for k in range(k0, k1):
                        out[p, j, k] = c
                else:
                    for k in range(k0, k1):
                        out[p, j, k] = pool[s, ii, jj, k - k0]


@njit(cache=True)
def _write_from(tmap, pool, ny, nz, i0, src, p0, n, active):
    """Planes i0 … i0 + n − 1 of the stored, flagged tiles = src[p0 …]."""
    for p in range(n):
        i = i0 + p
        ti = i >> _S
        ii = i & _M
        for j in range(ny):
            tj = j >> _S
            jj = j & _M
            for k in range(nz):
                s = tmap[ti, tj, k >> _S]
                if s >= 0 and active[ti, tj, k >> _S] != 0:
                    pool[s, ii, jj, k & _M] = src[p0 + p, j, k]


@njit(cache=True, parallel=True)
def chamfer_phase(tmap, const, pool, active, nx, ny, nz, ns, parity, bounds, targets, h,
                  cap, ndim, periodic, back, fwd):
    """The slabs s = parity, parity + 2, … < ns of ``_band.chamfer`` in parallel, each
    on its own dense copy (slab and one plane on each side, wrapped when periodic; on a
    reflective boundary the edge slab without ghost planes, as ``TiledWork._chamfer``)."""
    for q in prange((ns + 1 - parity) // 2):
        s = 2 * q + parity
        lo = bounds[s]
        hi = bounds[s + 1]
        if hi <= lo:
            continue
        a = s * nx // ns
        b = (s + 1) * nx // ns
        if periodic:
            r0, r1 = a - 1, b + 1
        else:
            r0, r1 = max(a - 1, 0), min(b + 1, nx)
        buf = np.empty((r1 - r0, ny, nz))
        _read_into(tmap, const, pool, ny, nz, r0, r1 - r0, nx, periodic, buf, active)
        chamfer_slab(buf, targets[lo:hi], r0, h, cap, ndim, periodic, back, fwd)
        _write_from(tmap, pool, ny, nz, a, buf, a - r0, b - a, active)
