"""Block-sparse storage of a 3D float64 field (private to the engine): memory that grows
with the surface (#18).

The (nx, ny, nz) node array is cut into tiles of ``TILE``³ = 8³ nodes (the last tile
along an axis may be partly outside the array).  A tile is either *stored* (its 512
values in a slot of ``pool``, ``tmap`` = slot index) or *uniform* (``tmap`` = -1 and
every node holds the one value ``const``): a level set clamped to ±W outside its
narrow band stores only the tiles the band touches, the rest is one number per tile.

Lossless: a tile is made uniform only when all its nodes hold the same *bits* (the
comparison is on the int64 view, so 0.0 and -0.0 and NaN payloads are kept apart), so
``to_dense(from_dense(a))`` is ``a`` to the last bit.  Kernels that read neighbours
work on a dense copy of a few x-planes at a time (``read_planes``, with the wrapped or
mirrored ghost planes of the lateral boundary), and write results back by plane
(``write_planes``) or by node (``scatter``); a write that gives a uniform tile a
different value stores the tile first (``ensure``/``write_planes`` allocate slots), and
``compact`` returns tiles that became uniform.

The index arithmetic: node (i, j, k) lies in tile (i >> 3, j >> 3, k >> 3) at offset
(i & 7, j & 7, k & 7); the tile map costs 4 + 8 B per 512 nodes (1/341 of the dense
array).
"""
from __future__ import annotations

import mmap

import numpy as np
from numba import njit, prange

__all__ = ["TILE", "TiledVolume", "ghost_planes", "near_tiles", "reserve_pool", "release_tail"]

TILE = 8
_S = 3            # log2(TILE)
_M = TILE - 1


def ghost_planes(i0: int, i1: int, nx: int, periodic: bool) -> np.ndarray:
    """Array plane indices of the planes i0 … i1 − 1 (i may lie outside [0, nx)): wrapped
    (periodic) or mirrored about the domain edge (ghost −1 = node 0), the rule of the
    kernels' ``_wrap``."""
    i = np.arange(i0, i1, dtype=np.int64)
    if periodic:
        return i % nx
    i = np.where(i < 0, -1 - i, i)
    i = np.where(i >= nx, 2 * nx - 1 - i, i)
    return np.maximum(i, 0)


@njit(cache=True, inline="always")
def divmod_r(n, d, rd):
    """(n // d, n % d) of integers 0 <= n < 2^50, d >= 1, through the float reciprocal
    rd = 1/d and one correction step (exact: the float quotient is within 1 of the
    integer one; an integer division costs several times more in the band loops)."""
    q = np.int64(n * rd)
    r = n - q * d
    if r < 0:
        q -= 1
        r += d
    elif r >= d:
        q += 1
        r -= d
    return q, r


@njit(cache=True, inline="always")
def unravel_r(n, ny, nz, rny, rnz):
    """(i, j, k) of flat node n of an (nx, ny, nz) array (rny = 1/ny, rnz = 1/nz)."""
    c, k = divmod_r(np.int64(n), nz, rnz)
    i, j = divmod_r(c, ny, rny)
    return i, j, k


@njit(cache=True, parallel=True)
def _read_planes(tmap, const, pool, ny, nz, gi, out):
    """out[p] = plane gi[p] of the field (dense (n, ny, nz))."""
    for p in prange(gi.shape[0]):
        i = gi[p]
        ti = i >> _S
        ii = i & _M
        for j in range(ny):
            tj = j >> _S
            jj = j & _M
            for tk in range(tmap.shape[2]):
                k0 = tk << _S
                k1 = min(k0 + TILE, nz)
                s = tmap[ti, tj, tk]
                if s < 0:
                    c = const[ti, tj, tk]
                    for k in range(k0, k1):
                        out[p, j, k] = c
                else:
                    for k in range(k0, k1):
                        out[p, j, k] = pool[s, ii, jj, k - k0]


@njit(cache=True, parallel=True)
def _read_planes_active(tmap, const, pool, ny, nz, gi, out, active):
    """``_read_planes`` of the tiles flagged in ``active`` only (the others' nodes in
    ``out`` are left as they were: callers never read them)."""
    for p in prange(gi.shape[0]):
        i = gi[p]
        ti = i >> _S
        ii = i & _M
        for j in range(ny):
            tj = j >> _S
            jj = j & _M
            for tk in range(tmap.shape[2]):
                if active[ti, tj, tk] == 0:
                    continue
                k0 = tk << _S
                k1 = min(k0 + TILE, nz)
                s = tmap[ti, tj, tk]
                if s < 0:
                    c = const[ti, tj, tk]
                    for k in range(k0, k1):
                        out[p, j, k] = c
                else:
                    for k in range(k0, k1):
                        out[p, j, k] = pool[s, ii, jj, k - k0]


@njit(cache=True, parallel=True)
def _read_y(tmap, const, pool, nx, nz, j0, out):
    """out[:, q] = the y-row j0 + q of every x-plane (dense (nx, n, nz))."""
    for i in prange(nx):
        ti = i >> _S
        ii = i & _M
        for q in range(out.shape[1]):
            j = j0 + q
            tj = j >> _S
            jj = j & _M
            for tk in range(tmap.shape[2]):
                k0 = tk << _S
                k1 = min(k0 + TILE, nz)
                s = tmap[ti, tj, tk]
                if s < 0:
                    c = const[ti, tj, tk]
                    for k in range(k0, k1):
                        out[i, q, k] = c
                else:
                    for k in range(k0, k1):
                        out[i, q, k] = pool[s, ii, jj, k - k0]


@njit(cache=True, parallel=True)
def _mark_changed(tmap, cbits, nx, ny, nz, i0, src_bits, need, active):
    """need[ti, tj, tk] = 1 for the uniform tiles of planes i0 … i0 + n − 1 where
    ``src`` (int64 bits) differs from the tile's constant (parallel: the flags are only
    ever set to 1); tiles with ``active`` 0 are skipped."""
    for p in prange(src_bits.shape[0]):
        i = i0 + p
        ti = i >> _S
        for j in range(ny):
            tj = j >> _S
            for k in range(nz):
                tk = k >> _S
                if tmap[ti, tj, tk] < 0 and need[ti, tj, tk] == 0 \
                        and active[ti, tj, tk] != 0 \
                        and src_bits[p, j, k] != cbits[ti, tj, tk]:
                    need[ti, tj, tk] = 1


@njit(cache=True, parallel=True)
def _write_planes(tmap, pool, ny, nz, i0, src, active):
    """Stored tiles of planes i0 … get ``src``; uniform tiles are left (callers allocate
    the tiles whose values change first), and so are tiles with ``active`` 0."""
    for p in prange(src.shape[0]):
        i = i0 + p
        ti = i >> _S
        ii = i & _M
        for j in range(ny):
            tj = j >> _S
            jj = j & _M
            for k in range(nz):
                s = tmap[ti, tj, k >> _S]
                if s >= 0 and active[ti, tj, k >> _S] != 0:
                    pool[s, ii, jj, k & _M] = src[p, j, k]


@njit(cache=True, parallel=True)
def _gather(tmap, const, pool, ny, nz, idx):
    out = np.empty(idx.shape[0])
    rny, rnz = 1.0 / ny, 1.0 / nz
    for b in prange(idx.shape[0]):
        i, j, k = unravel_r(idx[b], ny, nz, rny, rnz)
        s = tmap[i >> _S, j >> _S, k >> _S]
        out[b] = const[i >> _S, j >> _S, k >> _S] if s < 0 else pool[s, i & _M, j & _M, k & _M]
    return out


@njit(cache=True, parallel=True)
def _scatter(tmap, pool, ny, nz, idx, vals):
    """pool at flat nodes idx = vals; returns the number of nodes in uniform tiles (not
    written: the caller ``ensure``s those tiles first)."""
    bad = 0
    rny, rnz = 1.0 / ny, 1.0 / nz
    for b in prange(idx.shape[0]):
        i, j, k = unravel_r(idx[b], ny, nz, rny, rnz)
        s = tmap[i >> _S, j >> _S, k >> _S]
        if s < 0:
            bad += 1
        else:
            pool[s, i & _M, j & _M, k & _M] = vals[b]
    return bad


@njit(cache=True, parallel=True)
def _mark_nodes(tmap, ny, nz, idx, need):
    """need = 1 for the uniform tiles holding a node of ``idx`` (flags only set to 1)."""
    rny, rnz = 1.0 / ny, 1.0 / nz
    for b in prange(idx.shape[0]):
        i, j, k = unravel_r(idx[b], ny, nz, rny, rnz)
        ti, tj, tk = i >> _S, j >> _S, k >> _S
        if tmap[ti, tj, tk] < 0 and need[ti, tj, tk] == 0:
            need[ti, tj, tk] = 1


@njit(cache=True, parallel=True)
def _uniform_slots(tmap, pool_bits, nx, ny, nz, out):
    """out[slot] = 1 where the stored tile's nodes inside the array all hold one bit
    pattern (checked over the valid part of edge tiles only)."""
    tx, ty, tz = tmap.shape
    for t in prange(tx * ty * tz):
        ti = t // (ty * tz)
        r = t - ti * ty * tz
        tj = r // tz
        tk = r - tj * tz
        s = tmap[ti, tj, tk]
        if s < 0:
            continue
        ni = min(TILE, nx - (ti << _S))
        nj = min(TILE, ny - (tj << _S))
        nk = min(TILE, nz - (tk << _S))
        v = pool_bits[s, 0, 0, 0]
        same = True
        for a in range(ni):
            for b in range(nj):
                for c in range(nk):
                    if pool_bits[s, a, b, c] != v:
                        same = False
                        break
                if not same:
                    break
            if not same:
                break
        out[s] = 1 if same else 0


@njit(cache=True)
def _pack(pool, keep):
    """pool[q] = pool[keep[q]] for q in order (keep ascending, so keep[q] >= q)."""
    for q in range(keep.shape[0]):
        s = keep[q]
        if s != q:
            for a in range(TILE):
                for b in range(TILE):
                    for c in range(TILE):
                        pool[q, a, b, c] = pool[s, a, b, c]


@njit(cache=True, parallel=True)
def _store(i0, ny, nz, tmap_l, pool, src):
    """pool[slot] = the tile's values for the stored tiles of planes i0 … (the part of an
    edge tile outside the array set to 0)."""
    n = src.shape[0]
    tx0 = i0 >> _S
    ntx = (n + _M) >> _S
    tyn, tzn = tmap_l.shape[1], tmap_l.shape[2]
    for q in prange(ntx * tyn * tzn):
        a = q // (tyn * tzn)
        r = q - a * tyn * tzn
        tj = r // tzn
        tk = r - tj * tzn
        s = tmap_l[tx0 + a, tj, tk]
        if s < 0:
            continue
        p0, j0, k0 = a << _S, tj << _S, tk << _S
        for ii in range(TILE):
            for jj in range(TILE):
                for kk in range(TILE):
                    p, j, k = p0 + ii, j0 + jj, k0 + kk
                    pool[s, ii, jj, kk] = src[p, j, k] if (p < n and j < ny and k < nz) else 0.0


@njit(cache=True, parallel=True)
def _classify_uniform(src_bits, i0, ny, nz, tmap, const, src):
    """For the tiles of planes i0 … i0 + n − 1 (i0 a multiple of 8) of a volume being
    filled: tmap = −1 and const = the value where the tile's nodes inside the array hold
    one bit pattern, else −2 (to be stored)."""
    n = src.shape[0]
    tx0 = i0 >> _S
    ntx = (n + _M) >> _S
    tyn, tzn = tmap.shape[1], tmap.shape[2]
    for q in prange(ntx * tyn * tzn):
        a = q // (tyn * tzn)
        r = q - a * tyn * tzn
        tj = r // tzn
        tk = r - tj * tzn
        p0, j0, k0 = a << _S, tj << _S, tk << _S
        v = src_bits[p0, j0, k0]
        same = True
        for ii in range(p0, min(p0 + TILE, n)):
            for jj in range(j0, min(j0 + TILE, ny)):
                for kk in range(k0, min(k0 + TILE, nz)):
                    if src_bits[ii, jj, kk] != v:
                        same = False
                        break
                if not same:
                    break
            if not same:
                break
        if same:
            tmap[tx0 + a, tj, tk] = -1
            const[tx0 + a, tj, tk] = src[p0, j0, k0]
        else:
            tmap[tx0 + a, tj, tk] = -2


def reserve_pool(n_tiles: int) -> np.ndarray:
    """A (n_tiles, 8, 8, 8) float64 pool reserved in an anonymous memory map: its pages
    become resident on first write only, and ``release_tail`` hands the pages of slots
    no longer used back to the system (a packed pool's high-water mark does not stay
    resident).  A tile is 4096 B, one page."""
    n = max(int(n_tiles), 1)
    flags = getattr(mmap, "MAP_PRIVATE", 0) | getattr(mmap, "MAP_ANONYMOUS", 0)
    mm = mmap.mmap(-1, n * TILE ** 3 * 8, flags=flags) if flags else mmap.mmap(-1, n * TILE ** 3 * 8)
    return np.frombuffer(mm, dtype=np.float64).reshape(n, TILE, TILE, TILE)


def release_tail(pool: np.ndarray, used: int) -> None:
    """Hand the pages of slots ``used`` … of a ``reserve_pool`` pool back to the system
    (they read 0 afterwards; a no-op for other arrays or without ``madvise``)."""
    mm = pool.base
    while mm is not None and not isinstance(mm, mmap.mmap):
        mm = getattr(mm, "base", None) if not isinstance(mm, memoryview) else mm.obj
    if not isinstance(mm, mmap.mmap) or not hasattr(mmap, "MADV_DONTNEED"):
        return
    start = -(-int(used) * TILE ** 3 * 8 // mmap.PAGESIZE) * mmap.PAGESIZE
    if start < len(mm):
        mm.madvise(mmap.MADV_DONTNEED, start, len(mm) - start)


class TiledVolume:
    """A (nx, ny, nz) float64 field in 8³ tiles (module docstring).

    shape  (nx, ny, nz);  tmap  int32 (tx, ty, tz), slot or -1;  const  float64 (tx, ty,
    tz), the value of a uniform tile;  pool  float64 (tiles, 8, 8, 8), reserved for
    every tile, the stored tiles in slots 0 … n_slots − 1 (only those pages resident).
    """

    def __init__(self, shape: tuple[int, int, int], fill: float = 0.0):
        self.shape = tuple(int(s) for s in shape)
        if len(self.shape) != 3 or min(self.shape) < 1:
            raise ValueError(f"shape {shape!r}: a tiled volume is (nx, ny, nz), each >= 1")
        tshape = tuple(-(-s // TILE) for s in self.shape)
        self.tmap = np.full(tshape, -1, dtype=np.int32)
        self.const = np.full(tshape, float(fill))
        # room for every tile, reserved, not touched: the pages of a large np.empty are
        # mapped by the C library on first write, so only the slots in use (kept packed
        # at the start by ``compact``) are resident, and the pool never moves
        self.pool = reserve_pool(self.tmap.size)
        self.n_slots = 0
        self.version = 0          # counts the changes of the set of stored tiles

    # ---- size ------------------------------------------------------------------
    @property
    def nbytes(self) -> int:
        """Bytes held: the slots in use, the tile map and the constants."""
        return int(self.n_slots * TILE ** 3 * 8 + self.tmap.nbytes + self.const.nbytes)

    @property
    def stored_tiles(self) -> int:
        return int(self.n_slots)

    # ---- slots -----------------------------------------------------------------
    def _alloc(self, need: np.ndarray) -> None:
        """Store the uniform tiles flagged in ``need`` (their constant in every node)."""
        tiles = np.flatnonzero(need.reshape(-1))
        if tiles.size == 0:
            return
        n0 = self.n_slots
        n1 = n0 + tiles.size
        tm = self.tmap.reshape(-1)
        tm[tiles] = np.arange(n0, n1, dtype=np.int32)
        self.pool[n0:n1] = self.const.reshape(-1)[tiles][:, None, None, None]
        self.n_slots = n1
        self.version += 1

    def ensure(self, idx: np.ndarray) -> None:
        """Store every tile holding one of the flat node indices ``idx``."""
        need = np.zeros(self.tmap.shape, dtype=np.uint8)
        _mark_nodes(self.tmap, self.shape[1], self.shape[2], idx, need)
        self._alloc(need)

    def compact(self) -> None:
        """Make the stored tiles whose nodes all hold one bit pattern uniform again and
        pack the pool (slot order kept)."""
        if self.n_slots == 0:
            return
        uni = np.zeros(self.n_slots, dtype=np.uint8)
        nx, ny, nz = self.shape
        _uniform_slots(self.tmap, self.pool[:self.n_slots].view(np.int64), nx, ny, nz, uni)
        if not uni.any():
            return
        tm = self.tmap.reshape(-1)
        stored = np.flatnonzero(tm >= 0)
        slots = tm[stored]
        gone = uni[slots].astype(bool)
        self.const.reshape(-1)[stored[gone]] = self.pool[slots[gone], 0, 0, 0]
        tm[stored[gone]] = -1
        keep = np.flatnonzero(uni == 0)
        remap = np.full(self.n_slots, -1, dtype=np.int32)
        remap[keep] = np.arange(keep.size, dtype=np.int32)
        live = stored[~gone]
        tm[live] = remap[tm[live]]
        _pack(self.pool, keep)                # in place, towards the start (order kept)
        self.n_slots = int(keep.size)
        release_tail(self.pool, self.n_slots)
        self.version += 1

    # ---- planes ----------------------------------------------------------------
    def read_planes(self, gi: np.ndarray, out: np.ndarray | None = None,
                    active: np.ndarray | None = None) -> np.ndarray:
        """Dense (len(gi), ny, nz) copy of the planes gi (array indices, any order);
        with ``active`` (uint8 per tile) only the flagged tiles are copied."""
        gi = np.ascontiguousarray(gi, dtype=np.int64)
        ny, nz = self.shape[1], self.shape[2]
        if out is None:
            out = np.empty((gi.size, ny, nz))
        if active is None:
            _read_planes(self.tmap, self.const, self.pool, ny, nz, gi, out)
        else:
            _read_planes_active(self.tmap, self.const, self.pool, ny, nz, gi, out, active)
        return out

    def active_near_stored(self, periodic: bool) -> np.ndarray:
        """uint8 per tile: 1 for the stored tiles and their 26 neighbours (wrapped
        laterally when ``periodic``): what a pass reading at most one tile away from a
        stored tile's nodes needs of a slab (``read_planes(..., active=)``)."""
        return near_tiles(self.tmap >= 0, periodic)

    def read_y(self, j0: int, j1: int) -> np.ndarray:
        """Dense (nx, j1 − j0, nz) copy of the y-rows j0 … j1 − 1 of every x-plane."""
        nx, ny, nz = self.shape
        if not 0 <= j0 <= j1 <= ny:
            raise ValueError(f"rows {j0}:{j1} outside 0:{ny}")
        out = np.empty((nx, j1 - j0, nz))
        _read_y(self.tmap, self.const, self.pool, nx, nz, int(j0), out)
        return out

    def copy(self) -> "TiledVolume":
        """An independent copy (the stored slots only)."""
        tv = TiledVolume.__new__(TiledVolume)
        tv.shape = self.shape
        tv.tmap = self.tmap.copy()
        tv.const = self.const.copy()
        tv.pool = reserve_pool(self.pool.shape[0])
        tv.pool[:self.n_slots] = self.pool[:self.n_slots]
        tv.n_slots = self.n_slots
        tv.version = 0
        return tv

    def write_planes(self, i0: int, src: np.ndarray, active: np.ndarray | None = None) -> None:
        """Planes i0 … i0 + len(src) − 1 = src (dense (n, ny, nz) float64, C order); a
        uniform tile is stored only where a value's bits differ from its constant; with
        ``active``, only the flagged tiles are written (``src`` holds nothing elsewhere)."""
        src = np.ascontiguousarray(src, dtype=np.float64)
        nx, ny, nz = self.shape
        if src.shape[1:] != (ny, nz) or not 0 <= i0 <= nx - src.shape[0]:
            raise ValueError(f"planes {i0} + {src.shape} do not fit {self.shape}")
        if active is None:
            active = np.ones(self.tmap.shape, dtype=np.uint8)
        need = np.zeros(self.tmap.shape, dtype=np.uint8)
        _mark_changed(self.tmap, self.const.view(np.int64), nx, ny, nz, int(i0),
                      src.view(np.int64), need, active)
        self._alloc(need)
        _write_planes(self.tmap, self.pool, ny, nz, int(i0), src, active)

    # ---- nodes -----------------------------------------------------------------
    def gather(self, idx: np.ndarray) -> np.ndarray:
        """Values at the flat node indices ``idx`` (C order of (nx, ny, nz))."""
        return _gather(self.tmap, self.const, self.pool, self.shape[1], self.shape[2], idx)

    def scatter(self, idx: np.ndarray, vals: np.ndarray) -> None:
        """Values at flat node indices ``idx`` = vals (their tiles stored first)."""
        bad = _scatter(self.tmap, self.pool, self.shape[1], self.shape[2], idx, vals)
        if bad:
            self.ensure(idx)
            _scatter(self.tmap, self.pool, self.shape[1], self.shape[2], idx, vals)

    # ---- dense conversion --------------------------------------------------------
    @classmethod
    def from_dense(cls, a: np.ndarray, planes: int = 4 * TILE) -> "TiledVolume":
        """The tiled copy of a dense (nx, ny, nz) array (by slabs of ``planes`` planes:
        no second dense array)."""
        a = np.asarray(a, dtype=np.float64)
        tv = cls(a.shape, fill=0.0)
        tv.fill_from(lambda i0, i1: a[i0:i1], planes)
        return tv

    def fill_from(self, planes_of, planes: int = 4 * TILE) -> None:
        """Write the whole field of a new volume (no tile stored yet) from
        ``planes_of(i0, i1)`` (dense planes [i0, i1)), a slab at a time: a tile whose
        nodes hold one bit pattern becomes uniform at once, only the others take a slot
        (the pool's high-water mark is the tiles kept)."""
        if self.n_slots:
            raise ValueError("fill_from fills a new volume")
        nx, ny, nz = self.shape
        planes = max(TILE, planes - planes % TILE)
        for i0 in range(0, nx, planes):
            src = np.ascontiguousarray(planes_of(i0, min(i0 + planes, nx)), dtype=np.float64)
            if src.shape != (min(i0 + planes, nx) - i0, ny, nz):
                raise ValueError(f"planes {i0} + {src.shape} do not fit {self.shape}")
            _classify_uniform(src.view(np.int64), i0, ny, nz, self.tmap, self.const, src)
            t0, t1 = i0 >> _S, (i0 + src.shape[0] + _M) >> _S
            part = self.tmap[t0:t1].reshape(-1)
            new = np.flatnonzero(part == -2)
            part[new] = np.arange(self.n_slots, self.n_slots + new.size, dtype=np.int32)
            self.n_slots += int(new.size)
            _store(i0, ny, nz, self.tmap, self.pool, src)
        self.version += 1

    def to_dense(self, out: np.ndarray | None = None) -> np.ndarray:
        """The dense (nx, ny, nz) array (into ``out`` when given)."""
        if out is None:
            out = np.empty(self.shape)
        return self.read_planes(np.arange(self.shape[0]), out)


def near_tiles(a: np.ndarray, periodic: bool) -> np.ndarray:
    """uint8 per tile: 1 for the tiles flagged in ``a`` (bool) and their 26 neighbours
    (wrapped laterally when ``periodic``)."""
    for ax in range(3):
        wrap = periodic and ax < 2
        lo = np.roll(a, 1, axis=ax)
        hi = np.roll(a, -1, axis=ax)
        if not wrap:
            idx: list = [slice(None)] * 3
            idx[ax] = 0
            lo[tuple(idx)] = False
            idx[ax] = -1
            hi[tuple(idx)] = False
        a = a | lo | hi
    return a.astype(np.uint8)
