"""The time step with the top level set stored in tiles (#18: memory that grows with the
surface).

The top set φ_top is clamped to ±W_cap outside its narrow band (``advect``), so stored
in 8³ tiles (``tiles.TiledVolume``) only the tiles the band and the rebuild's
candidates touch hold values; every other tile is one number.  The band kernels read a
dense copy of a few x-planes at a time (a *slab*, with the ghost planes of the lateral
boundary) and write back into the tiles, in the order of the dense engine's chunked
passes (``advect.stage_chunked``, ``_band.classify_apply``, the chamfer's fixed
slabs), and every node's arithmetic is that of the dense kernels
(``_tile_kernels``): the level sets, and so every output, are bit-identical to the
dense engine's.  The lower layers are tiled too (``layer_tiles``: a tile whose 64
z-columns are equal is one column; the band's material lookup interpolates them at
its closest points, the etch's clip raises their band nodes).  Used for 3D beam models (``directional``: the default 3D
path of the scale benchmark, bench/bench_scale.py); the geometry handed to the model
and to ``on_step`` is a view whose dense φ is formed only if something reads it (a
checkpoint); the step returns a dense stack.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import _band as KB
from . import _band_inc as KBI
from . import _tile_kernels as T
from . import tiled_rebuild as TR
from .layer_tiles import LayerTiles
from .levelset import LevelSetStack, extend_vertical, window_growth
from .tiled_stack import TiledStack, contain_tiled
from .tiles import TILE, TiledVolume, ghost_planes, near_tiles

__all__ = ["TiledWork", "LazyStack", "SLAB_CHUNKS"]

SLAB_CHUNKS = 16      # a pass runs over the x-planes in about this many slabs
BOUND_PARTS = 8       # pieces of a slab's band run in parallel in the speed bound
MMAP_THRESHOLD = 32 << 20     # bytes: larger allocations mapped on their own (``_map_large``)


class LazyStack(TiledStack):
    """The tiled stack of the step in progress (``TiledWork.view``): it reads the work's
    lower layers and tiles as they are now (the passes by parts read them, so a
    checkpoint inside the step forms no dense φ); its dense φ, if something reads
    ``phi``, is a copy formed by the work."""

    _work: "TiledWork"
    _shape3: tuple[int, ...]

    def __init__(self, work: "TiledWork"):      # noqa: D107 - frozen: set directly
        for name, v in (("grid", work.grid), ("z0", float(work.z0)),
                        ("materials", tuple(work.materials)),
                        ("reference_top", work.reference_top), ("_work", work),
                        ("_dense", None), ("_low", work.low), ("_tiles", work.top),
                        ("_shape3", tuple(work.top.shape))):
            object.__setattr__(self, name, v)

    @property
    def phi(self) -> np.ndarray:
        d = self._dense
        if d is None:
            d = self._work.dense()
            d.flags.writeable = False
            object.__setattr__(self, "_dense", d)
        return d

    def replace(self, **changes) -> LevelSetStack:
        """A plain (dense) ``LevelSetStack`` with ``changes``."""
        kw: dict[str, Any] = dict(grid=self.grid, z0=self.z0, materials=self.materials,
                  reference_top=self.reference_top)
        kw.update(changes)
        if "phi" not in kw:
            kw["phi"] = self.phi
        return LevelSetStack(**kw)

    @property
    def shape(self) -> tuple[int, ...]:
        return self._shape3


def _trim() -> None:
    """Hand the C library's free heap pages back to the system (glibc ``malloc_trim``;
    a no-op elsewhere): the band arrays freed before the dense stack is formed would
    otherwise stay resident beside it."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _map_large() -> None:
    """Have the C library map every allocation of 4 MB or more on its own (glibc
    ``mallopt(M_MMAP_THRESHOLD)``; a no-op elsewhere), so a freed band-sized array goes
    back to the system at once.  By default glibc raises that threshold up to 32 MB after
    the first large free, and the rebuild's arrays below it (the candidates' masks and
    indices) then stay resident in the heap after use.  4 MB, not less: the stages'
    per-chunk arrays stay in the heap and are reused (at 256 kB their fresh pages cost
    ≈ 6 s of system time at 5.12 µm; bench/results/scale_tiles_s14.md).  Only where
    memory is mapped changes, never a value."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").mallopt(-3, MMAP_THRESHOLD)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


def _clamped(a: np.ndarray, cap: float):
    """Planes [i0, i1) of ``a`` clamped to ±cap (``advect._Work._reset``)."""
    return lambda i0, i1: np.clip(a[i0:i1], -cap, cap)


def _clamped_tiles(tv: TiledVolume, cap: float):
    """Planes [i0, i1) of ``tv`` clamped to ±cap."""
    return lambda i0, i1: np.clip(tv.read_planes(np.arange(i0, i1)), -cap, cap)


def _extended_low(low: LayerTiles, below: int, above: int, h: float):
    """Planes [i0, i1) of lower layer l with the rows of ``extend_vertical`` added (the
    dense engine's ``grow_vertical``: the same values)."""
    return lambda l, i0, i1: extend_vertical(low.read_planes(l, np.arange(i0, i1)), below,
                                             above, h)


def _extended(tv: TiledVolume, below: int, above: int, h: float, cap: float):
    """Planes [i0, i1) of ``tv`` with the vertical rows of ``extend_vertical`` added, then
    clamped to ±cap (the dense engine's ``grow_vertical`` and ``_reset``)."""
    return lambda i0, i1: np.clip(
        extend_vertical(tv.read_planes(np.arange(i0, i1)), below, above, h), -cap, cap)


class TiledWork:
    """``advect._Work`` with the top set in tiles (3D): the same attributes and passes."""

    def __init__(self, geo: LevelSetStack, width: float, beta: float, keep: float, cap: float,
                 rings: int):
        self.grid = geo.grid
        self.materials = geo.materials
        self.reference_top = geo.reference_top
        self.z0 = geo.z0
        self.width, self.beta, self.keep, self.cap, self.rings = width, beta, keep, cap, rings
        _map_large()
        # the lower layers tiled as they are; the top set clamped to ±W_cap
        # (``advect._Work._reset``) and tiled, a slab at a time (no dense copy)
        self.low: LayerTiles
        if isinstance(geo, TiledStack) and not geo.is_dense:
            # the tiled stack of a step before: its parts copied (the step changes them),
            # the top clamped to ±W_cap as ``_reset`` does (values already within it
            # keep their bits: a tile is rewritten only where a value changes)
            low, tv = geo._low, geo._tiles
            assert low is not None and tv is not None
            self.low = low.copy()
            nx, ny, nz = tv.shape
            self.top = TiledVolume((nx, ny, nz), fill=cap)
            self.top.fill_from(_clamped_tiles(tv, cap))
        else:
            # read by parts (a dense stack: views of φ; a column stack, the builders'
            # tiled wafer: its slabs, no dense φ formed)
            L = geo.n_layers
            nx, ny, nz = geo.shape
            self.low = LayerTiles.from_planes(L - 1, (nx, ny, nz), geo.layer_planes)
            self.top = TiledVolume((nx, ny, nz), fill=cap)
            self.top.fill_from(lambda i0, i1: np.clip(geo.layer_planes(L - 1, i0, i1), -cap, cap))
        self.band: np.ndarray = np.empty(0, dtype=np.int64)
        self.cutoff: np.ndarray = np.empty(0)
        self.taper_idx: np.ndarray = np.empty(0)
        self.taper_val: np.ndarray = np.empty(0)
        self.pos = np.empty(0, dtype=np.int64)
        self._buf = np.empty(0)
        self.act: np.ndarray | None = None
        self._act_key: tuple | None = None
        self.held = 0
        self.bmin: np.ndarray | None = None
        self.planes: np.ndarray | None = None
        # φⁿ on the band, one buffer per band (the stages' base; no fresh band-size array
        # per step), and a beam etch's materials re-queried only where the last step
        # changed the set (``_reuse``'s rule: ``materials_at``)
        self.u0 = np.empty(0)
        self.mats: np.ndarray | None = None
        self.colmark: np.ndarray | None = None
        self.mats_key: tuple = ()
        self.carry: tuple | None = None
        # the dirty columns, per-column limits and candidates of the last rebuild
        self.memo = KBI.RebuildMemo()

    # ---- views ---------------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        return len(self.materials)

    def view(self) -> LazyStack:
        """The geometry handed to the model and to ``on_step``."""
        return LazyStack(self)

    def dense(self) -> np.ndarray:
        """(L, nx, ny, nz) dense φ of every layer (a copy: only code that reads ``phi``
        of a step's view forms it; the passes by parts do not)."""
        out = np.empty((self.n_layers,) + self.top.shape)
        self.low.to_dense(out[:-1])
        self.top.to_dense(out[-1])
        return out

    # ---- slabs ---------------------------------------------------------------------
    def slab(self, a: int, b: int, reach: int,
             act: np.ndarray | None = None) -> tuple[np.ndarray, int]:
        """Dense planes [a − reach, b + reach) of the top set (ghost planes wrapped or
        mirrored) and the plane index of its first plane (``act``: copy only the tiles
        it flags instead of ``planes_of``'s)."""
        nx = self.top.shape[0]
        x0 = a - reach
        return self.planes_of(ghost_planes(x0, b + reach, nx, self.grid.periodic), act), x0

    def planes_of(self, gi: np.ndarray, act: np.ndarray | None = None) -> np.ndarray:
        """Dense copy of the top set's planes gi, in one buffer reused by every pass (a
        slab is used before the next is read; no allocator churn per slab).  Only the
        stored tiles and their 26 neighbour tiles are copied (``self.act``, remade when
        the stored set changes): every pass reads at most three nodes along an axis or
        one node diagonally from a band node or a rebuild candidate, which lie in stored
        tiles, so the nodes left out are never read; a slab written back
        (``_chamfer``) is written through the same flags."""
        tv = self.top
        _, ny, nz = tv.shape
        key = (id(tv), tv.version)
        if self._act_key != key:
            self.act = tv.active_near_stored(self.grid.periodic)
            self._act_key = key
        n = len(gi) * ny * nz
        if self._buf.size < n:
            self._buf = np.empty(n)
        return tv.read_planes(gi, self._buf[:n].reshape(len(gi), ny, nz),
                              self.act if act is None else act)

    def chunks(self, starts: np.ndarray):
        """(a, b, sa, sb): the x-plane chunks [a, b) and their band ranges [sa, sb)."""
        nx = self.top.shape[0]
        step = max(8, -(-nx // SLAB_CHUNKS))
        for a in range(0, nx, step):
            b = min(a + step, nx)
            yield a, b, int(starts[a]), int(starts[b])

    def plane_starts(self, idx: np.ndarray) -> np.ndarray:
        nx, ny, nz = self.top.shape
        return np.searchsorted(idx, (np.arange(nx + 1) * (ny * nz)).astype(idx.dtype))

    # ---- rebuild -------------------------------------------------------------------
    def rebuild(self, clearance: int) -> None:
        """``advect._Work.rebuild`` on the tiles: candidates, classification by slabs,
        chamfer by the fixed slabs, the new band; the window grows when the surface nears
        its edges."""
        g = self.grid
        h = g.spacing
        px, py = g.periodic, g.periodic
        # a beam's last materials travel with the old band and the columns changed since
        # (the last step's, and this rebuild's own: ``_reuse.beam_materials``)
        self.carry = (None if self.mats is None or self.colmark is None
                      else (self.band, self.mats, self.colmark))
        self.mats = self.colmark = None
        self.band = self.cutoff = self.taper_idx = self.taper_val = np.empty(0, dtype=np.int64)
        self.pos = np.empty(0, dtype=np.int64)
        self.u0 = np.empty(0)
        self.planes = None
        memo = self.memo
        while True:
            tv = self.top
            nx, ny, nz = tv.shape
            # the candidates, and those to recompute: near the columns changed since the
            # last rebuild (``tiled_rebuild``: ``_band_inc``'s rule), or all of them
            cand, sub, cols1 = TR.sub_candidates(memo, tv, self.cap, h, self.rings, px, py,
                                                 lambda tv=tv: self._candidates(tv))
            tv.ensure(sub)
            # the recomputed candidates' values before the rebuild, taken from the
            # classification's slabs: put back outside D1, and the changed columns marked
            before = np.empty(len(sub))
            targets = self._classify_apply(sub, before, memo.klo, memo.khi,
                                           cols1 is not None)
            self._chamfer(targets)
            del targets
            changed = np.zeros(nx * ny, dtype=np.uint8)
            TR.restore_mark(tv.tmap, tv.pool, ny, nz, sub, before,
                            cols1 if cols1 is not None else np.ones(nx * ny, np.uint8),
                            changed)
            del before, sub, cols1
            if self.carry is not None:
                np.bitwise_or(self.carry[2], changed, out=self.carry[2])
            k_lo, k_hi = TR.limits(memo.klo, memo.khi, nz)
            memo.valid = True
            memo.shape = tv.shape
            memo.dirty = changed
            keep = np.empty(len(cand), dtype=np.uint8)
            T.band_mask(tv.tmap, tv.const, tv.pool, ny, nz, cand, self.width, keep,
                        np.empty(0), np.empty(0, np.uint8))
            self.band = cand[keep.view(np.bool_)]
            del keep
            del cand
            tv.compact()
            if k_hi < 0:
                break
            growth = window_growth(clearance, k_lo, k_hi, nz)
            if growth is None:
                break
            below, above = growth
            self.band = np.empty(0, dtype=np.int64)
            cap = self.cap
            new = TiledVolume((nx, ny, nz + below + above), fill=cap)
            new.fill_from(_extended(tv, below, above, h, cap))
            self.top = new
            del tv, new
            low = self.low
            self.low = LayerTiles.from_planes(low.nl, (nx, ny, nz + below + above),
                                              _extended_low(low, below, above, h))
            del low
            self.z0 -= below * h
            self.bmin = self.carry = None
            memo.invalidate()
        tv = self.top
        tv.ensure(self.band)          # (the band's tiles are stored: |φ| < W there)
        # the band's pool positions, fixed until the next rebuild (no slot moves)
        self.pos = np.empty(len(self.band), dtype=np.int32 if tv.pool.size < 2**31 else np.int64)
        T.positions(tv.tmap, tv.shape[1], tv.shape[2], self.band, self.pos)
        self.cutoff = T.band_cutoff(tv.tmap, tv.const, tv.pool, tv.shape[1], tv.shape[2],
                                    self.band, self.beta, self.width,
                                    (self.width - self.beta) ** 3)
        # a beam's taper held at its nodes where it is not 1 (``advect._Work.rebuild``)
        self.taper_idx = np.flatnonzero(self.cutoff != 1.0).astype(self.band.dtype)
        self.taper_val = self.cutoff[self.taper_idx]
        self.cutoff = np.empty(0)
        _trim()                       # the candidates' arrays freed above
        self.u0 = np.empty(len(self.band))

    def _candidates(self, tv: TiledVolume) -> np.ndarray:
        """``_band.candidates`` from the tiles: {|φ| < cap} dilated by ``rings`` rings."""
        nx, ny, nz = tv.shape
        px = py = self.grid.periodic
        mark = np.zeros(tv.shape, dtype=np.uint8)
        T.threshold(tv.tmap, tv.const, tv.pool, nx, ny, nz, self.cap, mark)
        other = np.empty_like(mark)
        KB._dilate(mark, other, 2, self.rings, False)
        KB._dilate(other, mark, 1, self.rings, py)
        KB._dilate(mark, other, 0, self.rings, px)
        del mark
        return KB.scan_mask(other, KB.index_like(other.size))

    def _classify_apply(self, cand: np.ndarray, before: np.ndarray, klo: np.ndarray,
                        khi: np.ndarray, sparse: bool) -> np.ndarray:
        """``_band.classify_apply`` with the candidates classified on slabs (reach 1)
        and the values written into the tiles, in the same order; ``before`` (one per
        candidate) gets the candidates' values as the slabs read them; the per-column
        limits go into klo/khi (``_band_inc``).  ``sparse``: the slabs copy only the
        tiles within one tile of a candidate (a few columns of the window), and a chunk
        without candidates reads none; returns the targets of the chamfer."""
        g = self.grid
        h = g.spacing
        tv = self.top
        nx, ny, nz = tv.shape
        starts = self.plane_starts(cand)
        step = max(4, -(-nx // KB.CLASSIFY_CHUNKS))
        act = None
        if sparse:
            tm = np.zeros(tv.tmap.shape, dtype=np.uint8)
            T.mark_tiles(ny, nz, cand, tm)
            act = near_tiles(tm.view(np.bool_), g.periodic)
            del tm

        def put(lo, hi, v, f):
            t, _k0, _k1 = KB.apply_meta(cand[lo:hi], v, f, h, nz)
            TR.col_kranges(cand[lo:hi], v, f, h, nz, klo, khi)
            tv.scatter(cand[lo:hi], v)
            return t

        def chunk(a0, b, sa, sb):
            if sb == sa and sparse:
                return np.empty(0), np.empty(0, dtype=np.bool_)
            loc, x0 = self.slab(a0, b, 1, act)
            cl = cand[sa:sb].astype(np.int64) - x0 * (ny * nz)
            before[sa:sb] = loc.reshape(-1)[cl]
            return KB.classify(loc, cl, h, self.keep, self.cap, g.dimension, False,
                               g.periodic)

        pieces = KB.delayed_chunks(nx, starts, step, 1, chunk, put)
        return np.concatenate(pieces) if pieces else np.empty(0, dtype=cand.dtype)

    def _chamfer(self, targets: np.ndarray) -> None:
        """``_band.chamfer`` in place on the tiles (``_tile_kernels.chamfer_tiles``): its
        fixed x-slabs, even slabs then odd ones in parallel, each reading only planes of
        the idle slabs beside it, so the sequence is that of the dense kernel; the
        targets' tiles are stored (``ensure`` of the candidates), so nothing is
        allocated and no slab is copied (session 15's slab copies: +1.4 s at 5.12 µm;
        copies per thread: +25 MB at 10.24 µm)."""
        g = self.grid
        h = g.spacing
        tv = self.top
        nx, ny, nz = tv.shape
        ns = min(KB.N_SLABS, max(nx // 2, 1))
        if ns > 1 and ns % 2 == 1:
            ns -= 1
        bounds = np.searchsorted(targets, (np.arange(ns + 1) * nx // ns) * (ny * nz))
        back = KB.half_mask(TILE, TILE, h, 3, -1)
        fwd = KB.half_mask(TILE, TILE, h, 3, 1)
        T.chamfer_tiles(tv.tmap, tv.const, tv.pool, nx, ny, nz, targets,
                        bounds.astype(np.int64), h, self.cap, g.periodic, KB.ITERATIONS,
                        back, fwd)

    # ---- per step ------------------------------------------------------------------
    def materials_at(self, h: float, origin: np.ndarray, tols: np.ndarray,
                     bmin: np.ndarray, fill: int, reuse: bool) -> np.ndarray:
        """``_reuse.beam_materials`` by slabs (the lower layers tiled): the material at
        each band node's closest point (−1 → ``fill``); ``reuse``: the last step's values
        kept where no input of the query changed (outside the marked columns dilated by
        ceil(cap/h) + ``_reuse.REACH_EXTRA``), the first step of a band keeping the old
        band's values on the same terms.  The same numbers as a full query; a chunk of
        planes with no marked column reads no slab."""
        from ._reuse import REACH_EXTRA
        from ._step_kernels import dilate_columns
        g = self.grid
        low = self.low
        nx, ny, _ = self.top.shape
        if self.planes is None:
            self.planes = self.plane_starts(self.band)
        key = (self.held, tuple(origin.tolist()))
        carry, self.carry = self.carry, None
        mats = self.mats
        args = (h, origin, nx, low.tmap, low.cols, low.pool, tols, bmin, g.dimension,
                g.periodic, g.periodic, fill)
        r = int(np.ceil(self.cap / h)) + REACH_EXTRA
        if reuse and mats is not None and self.colmark is not None and self.mats_key == key:
            cols = dilate_columns(self.colmark.reshape(nx, ny), r, g.periodic, g.periodic)
            cx = cols.reshape(nx, ny).any(axis=1)
            cf = cols.reshape(-1)
            for a, b, sa, sb in self.chunks(self.planes):
                if sb > sa and cx[a:b].any():
                    loc, x0 = self.slab(a, b, 1)
                    T.materials_slab_update(loc, x0, self.band[sa:sb], *args, cf, mats[sa:sb])
        elif reuse and carry is not None and self.mats_key == key:
            old_band, old_mats, colmark = carry
            del carry
            cf = dilate_columns(colmark.reshape(nx, ny), r, g.periodic, g.periodic).reshape(-1)
            mats = np.empty(len(self.band), dtype=np.int32)
            for a, b, sa, sb in self.chunks(self.planes):
                if sb > sa:
                    loc, x0 = self.slab(a, b, 1)
                    T.materials_slab_carry(loc, x0, self.band[sa:sb], *args, cf, old_band,
                                           old_mats, mats[sa:sb])
            del old_band, old_mats
        else:
            mats = np.empty(len(self.band), dtype=np.int32)
            for a, b, sa, sb in self.chunks(self.planes):
                if sb > sa:
                    loc, x0 = self.slab(a, b, 1)
                    T.materials_slab(loc, x0, self.band[sa:sb], *args, mats[sa:sb])
        self.colmark = None
        self.mats, self.mats_key = (mats, key) if reuse else (None, ())
        return mats

    def speed_bounds(self, V: np.ndarray, alpha: np.ndarray) -> tuple[float, float]:
        """``K.speed_bounds_beam`` (V tapered) by slabs, in band order."""
        g = self.grid
        vmax = smax = 0.0
        if self.planes is None:
            self.planes = self.plane_starts(self.band)
        for a, b, sa, sb in self.chunks(self.planes):
            if sb > sa:
                loc, x0 = self.slab(a, b, 1)
                vm, sm = T.speed_bounds_slab_par(V[sa:sb], loc, x0, self.band[sa:sb],
                                                 g.spacing, alpha, g.dimension, g.periodic,
                                                 BOUND_PARTS)
                vmax, smax = max(vmax, vm), max(smax, sm)
        return vmax, smax

    def stage(self, u0: np.ndarray, V: np.ndarray, dt: float, wa: float, wb: float,
              order: int, mode: int, alpha: np.ndarray, last: bool = False) -> int:
        """``advect.stage_chunked`` on the tiles: the chunk [a, b) is computed from a slab
        of planes [a − 3, b + 3) read before any plane it reads is written; its results
        go back once no later chunk reads them (the last three planes of a chunk with
        the next chunk, the first three planes of the array at the end)."""
        if self.planes is None:
            self.planes = self.plane_starts(self.band)
        return self._stage_on(self.band, self.pos, self.planes, None, u0, V, dt, wa, wb,
                              order, mode, alpha, last)

    def _stage_on(self, band: np.ndarray, pos: np.ndarray, planes: np.ndarray,
                  act: np.ndarray | None, u0: np.ndarray, V: np.ndarray, dt: float,
                  wa: float, wb: float, order: int, mode: int, alpha: np.ndarray,
                  last: bool) -> int:
        """``stage`` over the nodes ``band`` (sorted; pool positions ``pos``, first node
        of each plane ``planes``), slabs copying the tiles ``act`` flags."""
        g = self.grid
        h = g.spacing
        tv = self.top
        nx = tv.shape[0]
        reach = 3
        pool = tv.pool.reshape(-1)

        def compute(a, b, sa, sb):
            cur = np.empty(sb - sa)
            if sb > sa:
                loc, x0 = self.slab(a, b, reach, act)
                T.stage_slab(loc, x0, nx, u0[sa:sb], cur, band[sa:sb], V[sa:sb], dt, wa, wb,
                             h, order, mode, alpha, g.dimension, g.periodic)
            return (cur,)

        step = max(8, -(-nx // SLAB_CHUNKS))                   # as ``chunks``
        if last:          # the write-back counts the non-finite values (``all_finite``)
            return sum(KB.delayed_chunks(nx, planes, step, reach, compute,
                                         lambda lo, hi, c: int(T.put_at_finite(pool, pos[lo:hi], c))))
        KB.delayed_chunks(nx, planes, step, reach, compute,
                          lambda lo, hi, c: T.put_at(pool, pos[lo:hi], c))
        return 0

    def moving_stages(self, V: np.ndarray, dt: float, weights: tuple, order: int,
                      mode: int, alpha: np.ndarray):
        """``_stage.moving_stages`` on the tiles: the Runge–Kutta stages of a beam over
        the band nodes that move (V ≠ 0) only — a zero-speed node keeps φⁿ bit for bit
        in every stage (``stage_slab``'s hold), so it need not be visited and its
        neighbours read φⁿ from the tiles as in the whole-band stages — with slabs that
        copy only the tiles holding a moving node and their 26 neighbours (a stage reads
        at most three nodes along an axis, less than a tile).  The same numbers on every
        node.  Returns (the moving nodes, their pool positions, φⁿ on them, the number
        of non-finite values written)."""
        mv = np.flatnonzero(V != 0.0)
        mb, pm, Vm = self.band[mv], self.pos[mv], V[mv]
        del mv
        tv = self.top
        u0 = T.take_at(tv.pool.reshape(-1), pm)
        mark = np.zeros(tv.tmap.shape, dtype=np.uint8)
        T.mark_tiles(tv.shape[1], tv.shape[2], mb, mark)
        act = near_tiles(mark.view(np.bool_), self.grid.periodic)
        planes = self.plane_starts(mb)
        bad = 0
        nw = len(weights)
        for q, (wa, wb) in enumerate(weights):
            bad = self._stage_on(mb, pm, planes, act, u0, Vm, dt, wa, wb, order, mode, alpha,
                                 q == nw - 1)
        return mb, pm, u0, bad

    def gather(self) -> np.ndarray:
        """φⁿ on the band, into the band's buffer ``u0``."""
        if self.u0.shape != self.pos.shape:
            self.u0 = np.empty(len(self.pos))
        T.take_into(self.top.pool.reshape(-1), self.pos, self.u0)
        return self.u0

    def all_finite(self) -> bool:
        return bool(T.finite_at(self.top.pool.reshape(-1), self.pos))

    def hold(self) -> None:
        """φ_top = min(φ_top, φ_{K−1}) on the band (``advect._Work.hold``)."""
        if self.held:
            self.low.hold_into(self.held - 1, self.band, self.top.pool.reshape(-1), self.pos)

    def clip_below(self, before: np.ndarray | None = None,
                   moved: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """φ_k = max(φ_k, φ_top) on the band for every lower layer (``_kernels.clip_below``);
        with ``before`` (φ_top on the band at the step's start) the columns where φ_top
        changed or a layer was raised are marked in ``colmark``
        (``_step_kernels.clip_below_mark``: the material query's inputs); ``moved``
        (pool positions, nodes): ``before`` is on those nodes only, the only ones whose
        φ_top a step can change (``moving_stages``)."""
        pool = self.top.pool.reshape(-1)
        nx, ny, nz = self.top.shape
        mark = np.zeros(nx * ny if before is not None else 0, dtype=np.uint8)
        for k in range(self.low.nl):
            self.low.raise_at(k, self.band, pool, self.pos, mark)
        if before is not None:
            pos, band = (self.pos, self.band) if moved is None else moved
            T.mark_top_changed(pool, pos, band, before, nz, mark)
            self.colmark = mark

    def floor_top(self) -> None:
        """φ_top = min(φ_top, φ_{L−2}) on the band (a deposit with negative speeds)."""
        pool = self.top.pool.reshape(-1)
        vals = np.minimum(T.take_at(pool, self.pos), self.low.gather(-1, self.band))
        T.put_at(pool, self.pos, vals)

    def finish(self, clearance: int) -> LevelSetStack:
        """The last rebuild, the hold, and the stack in tiles (the lower layers contained
        by slabs, ``_kernels.contain``): a ``TiledStack``, read by parts by the post-step
        passes (no dense φ)."""
        self.mats = None
        self.rebuild(clearance)
        self.memo.invalidate()        # (its candidates: not needed after the last rebuild)
        self.hold()
        self.bmin = None
        self.band = self.taper_idx = self.taper_val = self.pos = np.empty(0, dtype=np.int64)
        self.cutoff = np.empty(0)
        self.planes = None
        self._buf = self.u0 = np.empty(0)
        low, tv = self.low, self.top
        self.low, self.top = LayerTiles(0, (1, 1, 1)), TiledVolume((1, 1, 1))
        low = contain_tiled(low, tv)
        _trim()
        return TiledStack(grid=self.grid, z0=self.z0, materials=self.materials,
                          reference_top=self.reference_top, low=low, tiles=tv)
