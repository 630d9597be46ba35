"""A 3D level-set stack held in column tiles from the start (#18: "a 40.96 µm cell runs
within 4 GB" — the initial wafer without a dense φ of the whole cell).

``ColumnStack`` holds every layer, the top set included, in a ``layer_tiles.LayerTiles``:
an 8³ tile whose 64 z-columns are equal bit for bit is one column (64 B instead of
4 kB), the others are stored.  A layered wafer (φ_k = z − t_k) is column tiles
everywhere, and a cut feature stores only the tiles its walls cross, so the builders
(``builders.layer_stack`` / ``cut_feature`` with ``tiled=True``) write the initial wafer
a slab of x-planes at a time and never form the dense (L, nx, ny, nz) array.

Lossless: the planes it gives are the dense stack's bits (``LayerTiles`` compares
columns on the int64 view), so every reader gets the numbers of the dense stack:

- the tiled step (``tiled_step.TiledWork``) reads it by ``layer_planes`` (the lower
  layers re-tiled, the top set clamped to ±W_cap a slab at a time);
- the passes by parts (``layer_planes``, ``x_planes``, ``y_planes``, ``layer_rows``,
  ``chunks``, ``cell_materials``) read slabs: the metrics' y = 0 cut, the amounts and
  the checkpoint (``io.checkpoint`` writes ``chunks``: the dense file's bytes) form no
  dense φ;
- anything that reads ``phi`` (the dense step, ``values_at``, a pattern) gets the dense
  stack, formed once on the first read and kept (the same bits; the memory of the dense
  path).
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

import numpy as np

from .layer_tiles import LayerTiles
from .levelset import LevelSetStack, extend_vertical
from .tiled_stack import SLAB_PLANES, slab_cell_materials

__all__ = ["ColumnStack", "planes_chunks"]


def planes_chunks(planes_of: Callable[[int, int, int], np.ndarray], n_layers: int, nx: int,
                  nbytes: int) -> Iterator[memoryview]:
    """The bytes of a stack's φ in C order (layer, x, …), ``nbytes`` at a time (the last
    piece shorter), from ``planes_of(k, i0, i1)`` read ``SLAB_PLANES`` x-planes at a
    time."""
    buf = bytearray()
    for k in range(n_layers):
        for i0 in range(0, nx, SLAB_PLANES):
            part = np.ascontiguousarray(planes_of(k, i0, min(i0 + SLAB_PLANES, nx)),
                                        dtype=np.float64)
            buf += memoryview(part.reshape(-1).view(np.uint8))  # type: ignore[arg-type]
            while len(buf) >= nbytes:
                yield memoryview(bytes(buf[:nbytes]))
                del buf[:nbytes]
    if buf:
        yield memoryview(bytes(buf))


class ColumnStack(LevelSetStack):
    """A ``LevelSetStack`` (3D) whose L layers are the column tiles ``cols`` (a
    ``LayerTiles`` of L layers; module docstring).  Frozen like its base; ``phi`` is
    formed on the first access and kept."""

    _cols: LayerTiles | None
    _dense: np.ndarray | None

    def __init__(self, *, grid: Any, z0: float, materials: tuple[str, ...],
                 reference_top: float = 0.0, cols: LayerTiles | None = None,
                 phi: np.ndarray | None = None):
        # (``dataclasses.replace`` passes ``phi``: the stack then holds that dense φ)
        if phi is not None:
            base = LevelSetStack(grid=grid, z0=z0, phi=phi, materials=materials,
                                 reference_top=reference_top)
            for name, v in (("grid", grid), ("z0", base.z0), ("materials", base.materials),
                            ("reference_top", float(reference_top)), ("_cols", None),
                            ("_dense", base.phi)):
                object.__setattr__(self, name, v)
            return
        if grid.dimension != 3 or cols is None:
            raise ValueError("a column stack is 3D, with its layers in column tiles")
        if cols.nl != len(materials) or cols.nl < 1:
            raise ValueError(f"{cols.nl} tiled layers for {len(materials)} materials")
        if cols.shape[:2] != grid.lateral_shape or cols.shape[2] < 4:
            raise ValueError(f"layers of {cols.shape} do not fit the grid {grid.lateral_shape}")
        for name, v in (("grid", grid), ("z0", float(z0)), ("materials", tuple(materials)),
                        ("reference_top", float(reference_top)), ("_cols", cols),
                        ("_dense", None)):
            object.__setattr__(self, name, v)

    @classmethod
    def from_planes(cls, *, grid: Any, z0: float, materials: tuple[str, ...],
                    reference_top: float, nz: int,
                    planes_of: Callable[[int, int, int], np.ndarray],
                    planes: int = SLAB_PLANES) -> "ColumnStack":
        """The stack of ``planes_of(k, i0, i1)`` (dense x-planes [i0, i1) of layer k), read
        ``planes`` (rounded down to a multiple of 8, at least 8) at a time
        (``LayerTiles.from_planes``)."""
        shape = tuple(grid.lateral_shape) + (int(nz),)
        cols = LayerTiles.from_planes(len(materials), shape, planes_of, planes=planes)
        return cls(grid=grid, z0=z0, materials=materials, reference_top=reference_top,
                   cols=cols)

    # ---- storage ---------------------------------------------------------------------
    @property
    def phi(self) -> np.ndarray:
        d = self._dense
        if d is None:
            assert self._cols is not None
            d = self._cols.to_dense()
            d.flags.writeable = False
            object.__setattr__(self, "_dense", d)
        return d

    @property
    def tiled(self) -> LayerTiles | None:
        """The column tiles (None when the stack holds a dense φ it was given)."""
        return self._cols if self._dense is None else None

    @property
    def is_dense(self) -> bool:
        """Whether the dense φ has been formed (or was given)."""
        return self._dense is not None

    @property
    def nbytes(self) -> int:
        """Bytes held by the level sets (the dense φ once formed)."""
        c = self.tiled
        return int(self.phi.nbytes) if c is None else int(c.nbytes)

    @property
    def n_layers(self) -> int:
        return len(self.materials)

    @property
    def shape(self) -> tuple[int, ...]:
        c = self.tiled
        return tuple(self.phi.shape[1:]) if c is None else tuple(c.shape)

    @property
    def nz(self) -> int:
        return int(self.shape[-1])

    def replace(self, **changes) -> LevelSetStack:
        """The stack with ``changes``: a plain (dense) ``LevelSetStack`` when φ or the
        number of layers changes, else a column stack sharing this one's tiles."""
        kw: dict[str, Any] = dict(grid=self.grid, z0=self.z0, materials=self.materials,
                                  reference_top=self.reference_top)
        kw.update(changes)
        c = self.tiled
        if "phi" in changes or c is None or len(kw["materials"]) != self.n_layers \
                or kw["grid"].lateral_shape != self.grid.lateral_shape:
            if "phi" not in kw:
                kw["phi"] = self.phi
            return LevelSetStack(**kw)
        return ColumnStack(cols=c, **kw)

    def with_window(self, z_lo: float, z_hi: float) -> LevelSetStack:
        """``LevelSetStack.with_window`` by slabs (the rows of ``extend_vertical``: the
        same values), tiled anew."""
        c = self.tiled
        if c is None:
            return LevelSetStack.with_window(self, z_lo, z_hi)
        h = self.grid.spacing
        below = max(0, int(np.ceil((self.z0 - z_lo) / h - 1e-9)))
        above = max(0, int(np.ceil((z_hi - self.z_range[1]) / h - 1e-9)))
        if below == 0 and above == 0:
            return self
        return ColumnStack.from_planes(
            grid=self.grid, z0=self.z0 - below * h, materials=self.materials,
            reference_top=self.reference_top, nz=self.nz + below + above,
            planes_of=lambda k, i0, i1: extend_vertical(self.layer_planes(k, i0, i1),
                                                        below, above, h))

    # ---- reading by parts ----------------------------------------------------------
    def layer_planes(self, k: int, i0: int, i1: int) -> np.ndarray:
        c = self.tiled
        if c is None:
            return LevelSetStack.layer_planes(self, k, i0, i1)
        return c.read_planes(k % self.n_layers, np.arange(i0, i1))

    def x_planes(self, i0: int, i1: int) -> np.ndarray:
        c = self.tiled
        if c is None:
            return LevelSetStack.x_planes(self, i0, i1)
        out = np.empty((self.n_layers, i1 - i0) + c.shape[1:])
        gi = np.arange(i0, i1)
        for k in range(self.n_layers):
            c.read_planes(k, gi, out[k])
        return out

    def y_planes(self, j0: int, j1: int) -> np.ndarray:
        c = self.tiled
        if c is None:
            return LevelSetStack.y_planes(self, j0, j1)
        nx, _, nz = c.shape
        out = np.empty((self.n_layers, nx, j1 - j0, nz))
        for k in range(self.n_layers):
            out[k] = c.read_y(k, j0, j1)
        return out

    def chunks(self, nbytes: int) -> Iterator[memoryview]:
        """The bytes of φ in C order, ``nbytes`` at a time, read by slabs of planes."""
        if self.tiled is None:
            yield from LevelSetStack.chunks(self, nbytes)
            return
        yield from planes_chunks(self.layer_planes, self.n_layers, self.shape[0], nbytes)

    def cell_materials(self) -> np.ndarray:
        """``_kernels.cell_materials`` by slabs of x-planes (each cell reads its own eight
        corners: the same numbers)."""
        if self.tiled is None:
            return LevelSetStack.cell_materials(self)
        return slab_cell_materials(self)
