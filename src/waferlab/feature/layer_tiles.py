"""The lower layers of a 3D level-set stack in 8³ tiles (private to the tiled engine):
memory that grows with the surface for every layer, not only the top set (#18).

A lower layer φ_k (k < L − 1) is never clamped: far from its surface it keeps its
initial signed distance, which on a layered wafer depends on z only (φ = z − z_k), and
the engine changes it only at band nodes (the etch's clip φ_k = max(φ_k, φ_top), the
containment after the step).  So most of its 8³ tiles hold 64 equal z-columns.  A tile
is either

- a *column tile* (``tmap`` = −1): its 64 columns hold the same eight values *bit for
  bit* (compared on the int64 view), kept once in ``cols`` (64 B instead of 4 kB), or
- a *stored tile* (``tmap`` = slot ≥ 0): its 512 values in ``pool[slot]``.

Lossless: ``read_planes`` of a tiled layer gives the dense layer's bits, so every pass
that reads the lower layers (the band's material lookup, the hold and clip of the etch,
the containment, the post-step passes, the checkpoint) gets the dense engine's numbers.
A node write that changes a column tile's value stores the tile first (``set_max``).

The index arithmetic is that of ``tiles``: node (i, j, k) of layer l lies in tile
(l, i >> 3, j >> 3, k >> 3) at offset (i & 7, j & 7, k & 7).
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from numba import njit, prange

from ._kernels import axis_cell
from .tiles import TILE, _store, divmod_r, reserve_pool

__all__ = ["LayerTiles"]

_S = 3
_M = 7


@njit(cache=True, inline="always")
def _lv(tmap, cols, pool, l, i, j, k):
    """Node (i, j, k) of layer l."""
    ti, tj, tk = i >> _S, j >> _S, k >> _S
    s = tmap[l, ti, tj, tk]
    if s < 0:
        return cols[l, ti, tj, tk, k & _M]
    return pool[s, i & _M, j & _M, k & _M]


@njit(cache=True, inline="always")
def interp_low(tmap, cols, pool, l, nx, ny, nz, fx, fy, fz, px, py):
    """``_kernels._interp`` (3D) of tiled layer l: the same indices, weights and products
    in the same order, the node values read through the tile map."""
    x0, x1, tx = axis_cell(fx, nx, px)
    y0, y1, ty = axis_cell(fy, ny, py)
    z0, z1, tz = axis_cell(fz, nz, False)
    c00 = _lv(tmap, cols, pool, l, x0, y0, z0) * (1 - tx) + _lv(tmap, cols, pool, l, x1, y0, z0) * tx
    c01 = _lv(tmap, cols, pool, l, x0, y0, z1) * (1 - tx) + _lv(tmap, cols, pool, l, x1, y0, z1) * tx
    c10 = _lv(tmap, cols, pool, l, x0, y1, z0) * (1 - tx) + _lv(tmap, cols, pool, l, x1, y1, z0) * tx
    c11 = _lv(tmap, cols, pool, l, x0, y1, z1) * (1 - tx) + _lv(tmap, cols, pool, l, x1, y1, z1) * tx
    c0 = c00 * (1 - ty) + c10 * ty
    c1 = c01 * (1 - ty) + c11 * ty
    return c0 * (1 - tz) + c1 * tz


@njit(cache=True, parallel=True)
def _classify(src_bits, i0, nx, ny, nz, tmap_l, cols_l, src):
    """For the tiles of planes i0 … i0 + n − 1 (i0 a multiple of 8): tmap_l = −1 and the
    column in cols_l where the tile's 64 columns (its part inside the array) are equal
    bit for bit, else −2 (to be stored)."""
    n = src.shape[0]
    tx0 = i0 >> _S
    ntx = (n + _M) >> _S
    tyn, tzn = tmap_l.shape[1], tmap_l.shape[2]
    for q in prange(ntx * tyn * tzn):
        a = q // (tyn * tzn)
        r = q - a * tyn * tzn
        tj = r // tzn
        tk = r - tj * tzn
        ti = tx0 + a
        p0 = a << _S
        j0, k0 = tj << _S, tk << _S
        ni = min(TILE, n - p0)
        nj = min(TILE, ny - j0)
        nk = min(TILE, nz - k0)
        same = True
        for ii in range(ni):
            for jj in range(nj):
                for kk in range(nk):
                    if src_bits[p0 + ii, j0 + jj, k0 + kk] != src_bits[p0, j0, k0 + kk]:
                        same = False
                        break
                if not same:
                    break
            if not same:
                break
        if same:
            tmap_l[ti, tj, tk] = -1
            for kk in range(TILE):
                cols_l[ti, tj, tk, kk] = src[p0, j0, k0 + kk] if kk < nk else 0.0
        else:
            tmap_l[ti, tj, tk] = -2


@njit(cache=True, parallel=True)
def _read_planes(tmap, cols, pool, l, ny, nz, gi, out):
    """out[p] = plane gi[p] of layer l."""
    for p in prange(gi.shape[0]):
        i = gi[p]
        ti = i >> _S
        ii = i & _M
        for j in range(ny):
            tj = j >> _S
            jj = j & _M
            for tk in range(tmap.shape[3]):
                k0 = tk << _S
                k1 = min(k0 + TILE, nz)
                s = tmap[l, ti, tj, tk]
                if s < 0:
                    for k in range(k0, k1):
                        out[p, j, k] = cols[l, ti, tj, tk, k - k0]
                else:
                    for k in range(k0, k1):
                        out[p, j, k] = pool[s, ii, jj, k - k0]


@njit(cache=True, parallel=True)
def _read_y(tmap, cols, pool, l, nx, nz, j0, out):
    """out[:, q] = the y-row j0 + q of every x-plane of layer l."""
    for i in prange(nx):
        for q in range(out.shape[1]):
            for k in range(nz):
                out[i, q, k] = _lv(tmap, cols, pool, l, i, j0 + q, k)


@njit(cache=True, parallel=True)
def _gather(tmap, cols, pool, l, ny, nz, idx):
    out = np.empty(idx.shape[0])
    for b in prange(idx.shape[0]):
        n = idx[b]
        i = n // (ny * nz)
        r = n - i * ny * nz
        j = r // nz
        out[b] = _lv(tmap, cols, pool, l, i, j, r - j * nz)
    return out


@njit(cache=True, parallel=True)
def _mark_raised(tmap, cols, pool, l, ny, nz, idx, vals, need):
    """need = 1 for the column tiles of layer l holding a node of idx whose value is
    below vals (flags only set to 1)."""
    for b in prange(idx.shape[0]):
        n = idx[b]
        i = n // (ny * nz)
        r = n - i * ny * nz
        j = r // nz
        k = r - j * nz
        ti, tj, tk = i >> _S, j >> _S, k >> _S
        if tmap[l, ti, tj, tk] < 0 and need[ti, tj, tk] == 0 \
                and cols[l, ti, tj, tk, k & _M] < vals[b]:
            need[ti, tj, tk] = 1


@njit(cache=True, parallel=True)
def _raise(tmap, pool, l, ny, nz, idx, vals):
    """pool node = max(node, val) where node < val (``_kernels.clip_below``'s test;
    every such node's tile is stored)."""
    for b in prange(idx.shape[0]):
        n = idx[b]
        i = n // (ny * nz)
        r = n - i * ny * nz
        j = r // nz
        k = r - j * nz
        s = tmap[l, i >> _S, j >> _S, k >> _S]
        if s >= 0 and pool[s, i & _M, j & _M, k & _M] < vals[b]:
            pool[s, i & _M, j & _M, k & _M] = vals[b]


@njit(cache=True, parallel=True)
def _mark_raised_at(tmap, cols, l, ny, nz, idx, src, pos, need):
    """``_mark_raised`` with the values read at pool positions ``pos`` of ``src`` (the
    top set's band values: no gathered copy)."""
    rny, rnz = 1.0 / ny, 1.0 / nz
    for b in prange(idx.shape[0]):
        c, k = divmod_r(np.int64(idx[b]), nz, rnz)
        i, j = divmod_r(c, ny, rny)
        ti, tj, tk = i >> _S, j >> _S, k >> _S
        if tmap[l, ti, tj, tk] < 0 and need[ti, tj, tk] == 0 \
                and cols[l, ti, tj, tk, k & _M] < src[pos[b]]:
            need[ti, tj, tk] = 1


@njit(cache=True, parallel=True)
def _raise_at(tmap, pool, l, ny, nz, idx, src, pos, colmark):
    """``_raise`` with the values at pool positions ``pos`` of ``src``; colmark[n // nz] =
    1 for each node raised (when colmark is not empty)."""
    mark = colmark.shape[0] > 0
    rny, rnz = 1.0 / ny, 1.0 / nz
    for b in prange(idx.shape[0]):
        c, k = divmod_r(np.int64(idx[b]), nz, rnz)
        i, j = divmod_r(c, ny, rny)
        s = tmap[l, i >> _S, j >> _S, k >> _S]
        v = src[pos[b]]
        if s >= 0 and pool[s, i & _M, j & _M, k & _M] < v:
            pool[s, i & _M, j & _M, k & _M] = v
            if mark:
                colmark[c] = 1


@njit(cache=True, parallel=True)
def _raise_mark_at(tmap, cols, pool, l, ny, nz, idx, src, pos, need, colmark):
    """``_raise_at`` on the nodes in stored tiles and ``_mark_raised_at`` on the others,
    in one pass (a node is in one or the other)."""
    mark = colmark.shape[0] > 0
    rny, rnz = 1.0 / ny, 1.0 / nz
    for b in prange(idx.shape[0]):
        c, k = divmod_r(np.int64(idx[b]), nz, rnz)
        i, j = divmod_r(c, ny, rny)
        ti, tj, tk = i >> _S, j >> _S, k >> _S
        s = tmap[l, ti, tj, tk]
        v = src[pos[b]]
        if s >= 0:
            if pool[s, i & _M, j & _M, k & _M] < v:
                pool[s, i & _M, j & _M, k & _M] = v
                if mark:
                    colmark[c] = 1
        elif need[ti, tj, tk] == 0 and cols[l, ti, tj, tk, k & _M] < v:
            need[ti, tj, tk] = 1


@njit(cache=True, parallel=True)
def _hold_at(tmap, cols, pool, l, ny, nz, idx, dst, pos):
    """dst[pos[b]] = min(dst[pos[b]], layer l at node idx[b]) (``_kernels.hold_top``'s
    test: written only where the layer is below)."""
    rny, rnz = 1.0 / ny, 1.0 / nz
    for b in prange(idx.shape[0]):
        c, k = divmod_r(np.int64(idx[b]), nz, rnz)
        i, j = divmod_r(c, ny, rny)
        v = _lv(tmap, cols, pool, l, i, j, k)
        p = pos[b]
        if v < dst[p]:
            dst[p] = v


@njit(cache=True, parallel=True)
def _expand(tmap_l, cols_l, pool, tiles, slots):
    """Store the column tiles ``tiles`` (flat indices into tmap_l) in ``slots``."""
    tyn, tzn = tmap_l.shape[1], tmap_l.shape[2]
    for q in prange(tiles.shape[0]):
        t = tiles[q]
        ti = t // (tyn * tzn)
        r = t - ti * tyn * tzn
        tj = r // tzn
        tk = r - tj * tzn
        s = slots[q]
        for ii in range(TILE):
            for jj in range(TILE):
                for kk in range(TILE):
                    pool[s, ii, jj, kk] = cols_l[ti, tj, tk, kk]
        tmap_l[ti, tj, tk] = s


@njit(cache=True, parallel=True)
def _tile_min(tmap, cols, pool, nx, ny, nz, out):
    """out[l, ti, tj, tk] = min of layer l over the tile's nodes inside the array."""
    L, tx, ty, tz = tmap.shape
    for q in prange(L * tx):
        l = q // tx
        ti = q - l * tx
        ni = min(TILE, nx - (ti << _S))
        for tj in range(ty):
            nj = min(TILE, ny - (tj << _S))
            for tk in range(tz):
                nk = min(TILE, nz - (tk << _S))
                s = tmap[l, ti, tj, tk]
                m = np.inf
                if s < 0:
                    for kk in range(nk):
                        m = min(m, cols[l, ti, tj, tk, kk])
                else:
                    for a in range(ni):
                        for b in range(nj):
                            for c in range(nk):
                                m = min(m, pool[s, a, b, c])
                out[l, ti, tj, tk] = m


class LayerTiles:
    """(nl, nx, ny, nz) float64 lower layers in 8³ tiles (module docstring).

    tmap  int32 (nl, tx, ty, tz): slot, or −1 for a column tile;  cols  float64 (nl, tx,
    ty, tz, 8): a column tile's z-column;  pool  float64 (slots, 8, 8, 8), reserved for
    every tile and touched only by the slots in use (the pages of a large ``np.empty``
    are mapped on first write), so it never moves.
    """

    def __init__(self, nl: int, shape: tuple[int, ...]):
        self.shape = tuple(int(s) for s in shape)
        if int(nl) < 0 or len(self.shape) != 3 or min(self.shape) < 1:
            raise ValueError(f"{nl} layers of {shape!r}: a tiled layer is (nx, ny, nz), each >= 1")
        self.nl = int(nl)
        tshape = (self.nl,) + tuple(-(-s // TILE) for s in self.shape)
        self.tmap = np.full(tshape, -1, dtype=np.int32)
        self.cols = np.zeros(tshape + (TILE,))
        self.pool = reserve_pool(self.tmap.size)
        self.n_slots = 0

    # ---- building ------------------------------------------------------------------
    @classmethod
    def from_planes(cls, nl: int, shape: tuple[int, ...],
                    planes_of: Callable[[int, int, int], np.ndarray],
                    planes: int = 4 * TILE) -> "LayerTiles":
        """The tiled layers of ``planes_of(l, i0, i1)`` (dense planes [i0, i1) of layer
        l, (i1 − i0, ny, nz)), read a slab at a time: no dense layer is ever formed."""
        lt = cls(nl, shape)
        nx = lt.shape[0]
        planes = max(TILE, planes - planes % TILE)
        for l in range(lt.nl):
            for i0 in range(0, nx, planes):
                lt._put_slab(l, i0, planes_of(l, i0, min(i0 + planes, nx)))
        return lt

    @classmethod
    def from_dense(cls, a: np.ndarray) -> "LayerTiles":
        """The tiled copy of dense layers a (nl, nx, ny, nz)."""
        a = np.asarray(a, dtype=np.float64)
        return cls.from_planes(a.shape[0], a.shape[1:], lambda l, i0, i1: a[l, i0:i1])

    def _put_slab(self, l: int, i0: int, src: np.ndarray) -> None:
        """Write planes i0 … (i0 a multiple of 8, whole tiles along x) of a layer whose
        tiles there are not yet written."""
        src = np.ascontiguousarray(src, dtype=np.float64)
        nx, ny, nz = self.shape
        if src.shape[1:] != (ny, nz) or i0 % TILE or not 0 <= i0 <= nx - src.shape[0]:
            raise ValueError(f"planes {i0} + {src.shape} do not fit {self.shape}")
        tm = self.tmap[l]
        _classify(src.view(np.int64), i0, nx, ny, nz, tm, self.cols[l], src)
        t0, t1 = i0 >> _S, (i0 + src.shape[0] + _M) >> _S
        part = tm[t0:t1].reshape(-1)
        new = np.flatnonzero(part == -2)
        part[new] = np.arange(self.n_slots, self.n_slots + new.size, dtype=np.int32)
        self.n_slots += int(new.size)
        _store(i0, ny, nz, tm, self.pool, src)

    def copy(self) -> "LayerTiles":
        """An independent copy (the slots in use only)."""
        lt = LayerTiles(self.nl, self.shape)
        lt.tmap[...] = self.tmap
        lt.cols[...] = self.cols
        lt.pool[:self.n_slots] = self.pool[:self.n_slots]
        lt.n_slots = self.n_slots
        return lt

    # ---- size ------------------------------------------------------------------------
    @property
    def nbytes(self) -> int:
        """Bytes held: the slots in use, the tile map and the columns."""
        return int(self.n_slots * TILE ** 3 * 8 + self.tmap.nbytes + self.cols.nbytes)

    @property
    def stored_tiles(self) -> int:
        return int(self.n_slots)

    # ---- reading -------------------------------------------------------------------
    def read_planes(self, l: int, gi: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Dense (len(gi), ny, nz) copy of the planes gi of layer l."""
        gi = np.ascontiguousarray(gi, dtype=np.int64)
        ny, nz = self.shape[1], self.shape[2]
        if out is None:
            out = np.empty((gi.size, ny, nz))
        _read_planes(self.tmap, self.cols, self.pool, int(l) % max(self.nl, 1), ny, nz, gi, out)
        return out

    def read_y(self, l: int, j0: int, j1: int) -> np.ndarray:
        """Dense (nx, j1 − j0, nz) copy of the y-rows j0 … j1 − 1 of layer l."""
        nx, ny, nz = self.shape
        if not 0 <= j0 <= j1 <= ny:
            raise ValueError(f"rows {j0}:{j1} outside 0:{ny}")
        out = np.empty((nx, j1 - j0, nz))
        _read_y(self.tmap, self.cols, self.pool, int(l), nx, nz, int(j0), out)
        return out

    def to_dense(self, out: np.ndarray | None = None) -> np.ndarray:
        """The dense (nl, nx, ny, nz) layers (into ``out`` when given)."""
        if out is None:
            out = np.empty((self.nl,) + self.shape)
        gi = np.arange(self.shape[0])
        for l in range(self.nl):
            self.read_planes(l, gi, out[l])
        return out

    def gather(self, l: int, idx: np.ndarray) -> np.ndarray:
        """Values of layer l at the flat node indices ``idx`` (C order of (nx, ny, nz))."""
        return _gather(self.tmap, self.cols, self.pool, int(l) % self.nl, self.shape[1],
                       self.shape[2], idx)

    def block_min(self, periodic: bool) -> np.ndarray:
        """Lower bounds (nl, tx, ty, tz) of every layer over the blocks of
        ``_query_kernels.block_min`` (nodes 8I … 8I + 8 along each axis, wrapped when
        periodic laterally, clamped otherwise): the minimum over tiles I and I + 1 (the
        same blocks, a bound no larger, so ``layer_bounded`` skips no layer it would
        not skip and the materials are the same numbers)."""
        nx, ny, nz = self.shape
        tmin = np.empty(self.tmap.shape)
        _tile_min(self.tmap, self.cols, self.pool, nx, ny, nz, tmin)
        out = tmin.copy()
        for ax in (1, 2, 3):
            n = tmin.shape[ax]
            if n < 2:
                continue
            nxt = np.take(out, np.arange(1, n + 1) % n, axis=ax) if (periodic and ax < 3) \
                else np.take(out, np.minimum(np.arange(1, n + 1), n - 1), axis=ax)
            out = np.minimum(out, nxt)
        return out

    # ---- writing -------------------------------------------------------------------
    def raise_at(self, l: int, idx: np.ndarray, src: np.ndarray, pos: np.ndarray,
                 colmark: np.ndarray) -> None:
        """``raise_to`` with vals = src[pos] (the top set's pool and the band's positions in
        it); colmark[n // nz] = 1 where a node is raised (colmark empty: no marks)."""
        ny, nz = self.shape[1], self.shape[2]
        need = np.zeros(self.tmap.shape[1:], dtype=np.uint8)
        # one pass: nodes in stored tiles raised, column tiles to store flagged; a second
        # pass only if some were (the nodes raised already are not raised again, so
        # every node gets the value of ``raise_to``)
        _raise_mark_at(self.tmap, self.cols, self.pool, int(l), ny, nz, idx, src, pos,
                       need, colmark)
        tiles = np.flatnonzero(need.reshape(-1))
        if tiles.size:
            slots = np.arange(self.n_slots, self.n_slots + tiles.size, dtype=np.int32)
            _expand(self.tmap[l], self.cols[l], self.pool, tiles, slots)
            self.n_slots += int(tiles.size)
            _raise_at(self.tmap, self.pool, int(l), ny, nz, idx, src, pos, colmark)

    def hold_into(self, l: int, idx: np.ndarray, dst: np.ndarray, pos: np.ndarray) -> None:
        """dst[pos] = min(dst[pos], layer l at idx) (``_kernels.hold_top`` on the band)."""
        _hold_at(self.tmap, self.cols, self.pool, int(l) % self.nl, self.shape[1],
                 self.shape[2], idx, dst, pos)

    def raise_to(self, l: int, idx: np.ndarray, vals: np.ndarray) -> None:
        """Layer l at the nodes idx = max(node, vals) where node < vals (the column
        tiles that change stored first; the others keep their bits)."""
        ny, nz = self.shape[1], self.shape[2]
        need = np.zeros(self.tmap.shape[1:], dtype=np.uint8)
        _mark_raised(self.tmap, self.cols, self.pool, int(l), ny, nz, idx, vals, need)
        tiles = np.flatnonzero(need.reshape(-1))
        if tiles.size:
            slots = np.arange(self.n_slots, self.n_slots + tiles.size, dtype=np.int32)
            _expand(self.tmap[l], self.cols[l], self.pool, tiles, slots)
            self.n_slots += int(tiles.size)
        _raise(self.tmap, self.pool, int(l), ny, nz, idx, vals)
