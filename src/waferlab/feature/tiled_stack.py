"""A 3D level-set stack whose top set is stored in tiles (#18: the run's memory in
proportion to the surface, after the step as during it).

``TiledStack`` is what the tiled engine (``tiled_run``) returns and hands to ``on_step``:
the lower layers in tiles (``layer_tiles.LayerTiles``: a tile of 64 equal z-columns
kept as one column), the top set a ``tiles.TiledVolume``.  It is a
``LevelSetStack``: everything that reads ``phi`` gets the dense stack, formed once on the
first read (and kept); the post-step passes of a run read it by parts instead, through the
methods every ``LevelSetStack`` has (``layer_planes``, ``y_planes``, ``layer_rows``,
``chunks``, ``values_at``, ``material_index_at``, ``cell_materials``), so the metrics, the
amounts, the checkpoint, the surface extraction, final.vti and both pictures never form
it.  Each of those computes its numbers from the same float64 node values with the same
arithmetic as on the dense array, so the outputs are byte-identical to the dense
engine's (tests/feature/test_tiles_post.py).
"""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from . import _kernels as K
from . import _tile_kernels as T
from .layer_tiles import LayerTiles
from .levelset import LevelSetStack
from .tiles import TILE, TiledVolume

__all__ = ["TiledStack", "SLAB_PLANES", "contain_tiled", "slab_cell_materials"]

SLAB_PLANES = 4 * TILE      # x-planes read at a time by the passes over the whole stack


def slab_cell_materials(stack: LevelSetStack) -> np.ndarray:
    """``_kernels.cell_materials`` of a 3D stack by slabs of ``SLAB_PLANES`` x-planes read
    through ``stack.x_planes`` (each cell reads its own eight corners: the same numbers as
    the whole-array call, without the dense φ)."""
    nx, ny, nz = stack.shape
    out = np.empty((nz - 1, ny - 1, nx - 1), dtype=np.int8)
    for i0 in range(0, nx - 1, SLAB_PLANES):
        i1 = min(i0 + SLAB_PLANES, nx - 1)
        out[:, :, i0:i1] = K.cell_materials(stack.x_planes(i0, i1 + 1), 3)
    return out


class TiledStack(LevelSetStack):
    """A ``LevelSetStack`` (3D) of tiled lower layers ``low`` (a ``LayerTiles``; a dense
    (L − 1, nx, ny, nz) array is tiled here) and a tiled top set ``tiles`` (module
    docstring).  Frozen like its base; ``phi`` is formed on first access."""

    _low: LayerTiles | None
    _tiles: TiledVolume | None
    _dense: np.ndarray | None

    def __init__(self, *, grid: Any, z0: float, materials: tuple[str, ...],
                 reference_top: float = 0.0, low: LayerTiles | np.ndarray | None = None,
                 tiles: TiledVolume | None = None, phi: np.ndarray | None = None):
        # (``dataclasses.replace`` passes ``phi``: the stack then holds that dense φ)
        if phi is not None:
            LevelSetStack.__init__(self, grid=grid, z0=z0, phi=phi, materials=materials,
                                   reference_top=reference_top)
            object.__setattr__(self, "_dense", self.__dict__.pop("phi"))
            object.__setattr__(self, "_low", None)
            object.__setattr__(self, "_tiles", None)
            return
        if grid.dimension != 3 or low is None or tiles is None:
            raise ValueError("a tiled stack is 3D, with its lower layers and top tiles")
        if not isinstance(low, LayerTiles):
            low = LayerTiles.from_dense(low)
        if low.shape != tiles.shape or low.nl + 1 != len(materials):
            raise ValueError(f"lower layers {low.nl} × {low.shape} and top {tiles.shape} do "
                             f"not match {len(materials)} materials")
        for name, v in (("grid", grid), ("z0", float(z0)), ("materials", tuple(materials)),
                        ("reference_top", float(reference_top)), ("_low", low),
                        ("_tiles", tiles), ("_dense", None)):
            object.__setattr__(self, name, v)

    # ---- storage ---------------------------------------------------------------------
    def _parts(self) -> tuple[LayerTiles, TiledVolume] | None:
        """(lower layers, top tiles), or None when the stack is held dense."""
        if self._dense is not None or self._tiles is None or self._low is None:
            return None
        return self._low, self._tiles

    @property
    def phi(self) -> np.ndarray:
        d = self._dense
        if d is None:
            parts = self._parts()
            assert parts is not None
            low, tv = parts
            d = np.empty((low.nl + 1,) + tv.shape)
            low.to_dense(d[:-1])
            tv.to_dense(d[-1])
            d.flags.writeable = False
            object.__setattr__(self, "_dense", d)
        return d

    @property
    def is_dense(self) -> bool:
        """Whether the dense φ has been formed (or was given)."""
        return self._dense is not None

    @property
    def nbytes(self) -> int:
        """Bytes held by the level sets (the dense φ once formed)."""
        parts = self._parts()
        if parts is None:
            return int(self.phi.nbytes)
        return int(parts[0].nbytes + parts[1].nbytes)

    @property
    def n_layers(self) -> int:
        return len(self.materials)

    @property
    def shape(self) -> tuple[int, ...]:
        parts = self._parts()
        return tuple(self.phi.shape[1:]) if parts is None else tuple(parts[1].shape)

    @property
    def nz(self) -> int:
        return int(self.shape[-1])

    def replace(self, **changes) -> LevelSetStack:
        """The stack with ``changes``: a plain (dense) ``LevelSetStack`` when φ changes,
        else a tiled stack sharing this one's storage."""
        kw: dict[str, Any] = dict(grid=self.grid, z0=self.z0, materials=self.materials,
                                  reference_top=self.reference_top)
        parts = self._parts()
        if "phi" in changes or parts is None:
            kw.update(changes)
            if "phi" not in kw:
                kw["phi"] = self.phi
            return LevelSetStack(**kw)
        kw.update(changes)
        if len(kw["materials"]) != self.n_layers:
            return LevelSetStack(phi=self.phi, **kw)
        return TiledStack(low=parts[0], tiles=parts[1], **kw)

    # ---- reading by parts ----------------------------------------------------------
    def layer_planes(self, k: int, i0: int, i1: int) -> np.ndarray:
        parts = self._parts()
        if parts is None:
            return LevelSetStack.layer_planes(self, k, i0, i1)
        low, tv = parts
        k = k % self.n_layers
        if k < low.nl:
            return low.read_planes(k, np.arange(i0, i1))
        return tv.read_planes(np.arange(i0, i1))

    def x_planes(self, i0: int, i1: int) -> np.ndarray:
        parts = self._parts()
        if parts is None:
            return LevelSetStack.x_planes(self, i0, i1)
        low, tv = parts
        out = np.empty((low.nl + 1, i1 - i0) + tv.shape[1:])
        gi = np.arange(i0, i1)
        for k in range(low.nl):
            low.read_planes(k, gi, out[k])
        tv.read_planes(gi, out[-1])
        return out

    def y_planes(self, j0: int, j1: int) -> np.ndarray:
        parts = self._parts()
        if parts is None:
            return LevelSetStack.y_planes(self, j0, j1)
        low, tv = parts
        nx, _, nz = tv.shape
        out = np.empty((low.nl + 1, nx, j1 - j0, nz))
        for k in range(low.nl):
            out[k] = low.read_y(k, j0, j1)
        out[-1] = tv.read_y(j0, j1)
        return out

    def chunks(self, nbytes: int) -> Iterator[memoryview]:
        """The bytes of φ in C order (layer, x, y, z), ``nbytes`` at a time (the last
        piece shorter), read a slab of planes at a time."""
        parts = self._parts()
        if parts is None:
            yield from LevelSetStack.chunks(self, nbytes)
            return
        buf = bytearray()
        nx = self.shape[0]
        for k in range(self.n_layers):
            for i0 in range(0, nx, SLAB_PLANES):
                part = np.ascontiguousarray(self.layer_planes(k, i0, min(i0 + SLAB_PLANES, nx)))
                buf += memoryview(part.reshape(-1).view(np.uint8))  # type: ignore[arg-type]
                while len(buf) >= nbytes:
                    yield memoryview(bytes(buf[:nbytes]))
                    del buf[:nbytes]
        if buf:
            yield memoryview(bytes(buf))

    # ---- queries -------------------------------------------------------------------
    def values_at(self, points: np.ndarray, top_only: bool = False) -> np.ndarray:
        parts = self._parts()
        if parts is None:
            return LevelSetStack.values_at(self, points, top_only)
        low, tv = parts
        g = self.grid
        nx, ny, nz = tv.shape
        return T.interp_stack(low.tmap, low.cols, low.pool, tv.tmap, tv.const, tv.pool,
                              nx, ny, nz, self.fractional_index(points), g.periodic,
                              g.periodic, top_only)

    def material_index_tols_at(self, points: np.ndarray, tols: np.ndarray) -> np.ndarray:
        parts = self._parts()
        if parts is None:
            return LevelSetStack.material_index_tols_at(self, points, tols)
        low, tv = parts
        g = self.grid
        nx, ny, nz = tv.shape
        return T.material_index_stack(low.tmap, low.cols, low.pool, tv.tmap, tv.const,
                                      tv.pool, nx, ny, nz, self.fractional_index(points),
                                      np.asarray(tols, dtype=np.float64), g.periodic, g.periodic)

    def cell_materials(self) -> np.ndarray:
        """``_kernels.cell_materials`` by slabs of x-planes (each cell reads its own eight
        corners: the same numbers)."""
        parts = self._parts()
        if parts is None:
            return LevelSetStack.cell_materials(self)
        return slab_cell_materials(self)


def contain_tiled(low: LayerTiles, tv: TiledVolume) -> LayerTiles:
    """``_kernels.contain`` (φ_k = max(φ_k, φ_{k+1}, …)) of the lower layers against the
    tiled top set, by slabs of x-planes: the contained lower layers, tiled anew (the top
    set is not changed)."""
    L = low.nl + 1
    if L < 2:
        return low
    nx = tv.shape[0]
    out = LayerTiles(low.nl, low.shape)
    for i0 in range(0, nx, SLAB_PLANES):
        i1 = min(i0 + SLAB_PLANES, nx)
        gi = np.arange(i0, i1)
        slab = np.empty((L, i1 - i0) + tv.shape[1:])
        for k in range(L - 1):
            low.read_planes(k, gi, slab[k])
        tv.read_planes(gi, slab[-1])
        K.contain(slab.reshape(L, -1))
        for k in range(L - 1):
            out._put_slab(k, i0, slab[k])
    return out
