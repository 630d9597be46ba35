"""A stack of signed-distance level sets, one per material, bottom layer first.

φ_k < 0 inside the region "layer k and everything below it"; so layer k+1 contains
layer k (φ_k >= φ_{k+1}) and φ_top = φ[-1] is the whole solid.  The material at a
point is the lowest layer whose region contains it.  Etching the top set exposes the
layers below (they are clipped, φ_k = max(φ_k, φ_top)); a deposition copies the top
set as a new layer and grows it (the multi-material scheme of ViennaLS, Manstetten
et al., Solid-State Electron. 2017; Osher & Sethian, J. Comput. Phys. 79, 12, 1988).

Storage is dense over the lateral grid and a vertical window z0 + k h, k < nz, that the
engine grows so the surface never reaches its edges; the computation itself runs on a
narrow band around the surface.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator

import numpy as np
from numba import njit

from . import _kernels as K
from .grid import Grid

__all__ = ["LevelSetStack", "MARGIN_NODES", "WORK_ARRAYS", "extend_vertical", "grow_vertical", "window_growth",
           "pairwise_sum"]

MARGIN_NODES = 16      # vertical nodes kept between the surface and the window edges
WORK_ARRAYS = 4        # dense scratch arrays the engine allocates besides the layers


def as3(a: np.ndarray) -> np.ndarray:
    """View a 2D (nx, ny) array as (nx, 1, ny); 3D arrays pass unchanged."""
    return a[:, None, :] if a.ndim == 2 else a


@dataclass(frozen=True, eq=False, kw_only=True)
class LevelSetStack:
    """Material layers as signed distances φ (m) on ``grid``, vertical origin ``z0`` (m).

    phi            (n_layers, *lateral_shape, nz) float64, negative inside
    materials      material name of each layer, bottom first
    reference_top  the top of the structure as built (m): depth is measured from it
    """

    grid: Grid
    z0: float
    phi: np.ndarray
    materials: tuple[str, ...]
    reference_top: float = 0.0

    def __post_init__(self) -> None:
        phi = np.asarray(self.phi, dtype=np.float64)
        g = self.grid
        if phi.ndim != g.dimension + 1 or phi.shape[1:-1] != g.lateral_shape:
            raise ValueError(f"phi has shape {phi.shape}; expected (n_layers, "
                             f"{', '.join(map(str, g.lateral_shape))}, nz)")
        if phi.shape[-1] < 4:
            raise ValueError(f"vertical window of {phi.shape[-1]} nodes is too small")
        if len(self.materials) != phi.shape[0] or phi.shape[0] < 1:
            raise ValueError(f"{len(self.materials)} material names for {phi.shape[0]} layers")
        object.__setattr__(self, "phi", phi)
        object.__setattr__(self, "materials", tuple(self.materials))
        object.__setattr__(self, "z0", float(self.z0))

    # ---- shape and coordinates -------------------------------------------------
    @property
    def top(self) -> np.ndarray:
        """φ of the whole solid (the top surface)."""
        return self.phi[-1]

    @property
    def n_layers(self) -> int:
        return int(self.phi.shape[0])

    @property
    def shape(self) -> tuple[int, ...]:
        """Node shape of one layer: (*lateral_shape, nz)."""
        return tuple(self.phi.shape[1:])

    @property
    def nz(self) -> int:
        return int(self.phi.shape[-1])

    @property
    def z_coords(self) -> np.ndarray:
        return self.z0 + self.grid.spacing * np.arange(self.nz)

    @property
    def z_range(self) -> tuple[float, float]:
        """(lowest, highest) vertical node coordinate of the window (m)."""
        return self.z0, self.z0 + self.grid.spacing * (self.nz - 1)

    def coords(self) -> tuple[np.ndarray, ...]:
        """1D node coordinates along each array axis: (x, y) in 2D, (x, y, z) in 3D (m)."""
        g = self.grid
        return tuple(g.lateral_coords(a) for a in range(g.dimension - 1)) + (self.z_coords,)

    def origin3(self) -> np.ndarray:
        """Coordinates of node (0, 0, 0) in the 3D kernel layout (y = 0 in 2D)."""
        g = self.grid
        h = g.spacing
        oy = -0.5 * g.extent[1] + 0.5 * h if g.dimension == 3 else 0.0
        return np.array([-0.5 * g.extent[0] + 0.5 * h, oy, self.z0])

    def fractional_index(self, points: np.ndarray) -> np.ndarray:
        """(m, 3) fractional node indices of points (m, d) in the 3D kernel layout."""
        pts = np.atleast_2d(np.asarray(points, dtype=np.float64))
        d = self.grid.dimension
        if pts.shape[1] != d:
            raise ValueError(f"points must have {d} coordinates, got shape {pts.shape}")
        o = self.origin3()
        h = self.grid.spacing
        f = np.zeros((pts.shape[0], 3))
        f[:, 0] = (pts[:, 0] - o[0]) / h
        if d == 3:
            f[:, 1] = (pts[:, 1] - o[1]) / h
        f[:, 2] = (pts[:, -1] - o[2]) / h
        return f

    def phi4(self) -> np.ndarray:
        """phi as (n_layers, nx, ny, nz) (a view; ny = 1 in 2D)."""
        return self.phi[:, :, None, :] if self.grid.dimension == 2 else self.phi

    # ---- derived stacks --------------------------------------------------------
    def replace(self, **changes) -> "LevelSetStack":
        return replace(self, **changes)

    def with_new_top(self, material: str) -> "LevelSetStack":
        """A copy with the top set duplicated as a new top layer of ``material``."""
        phi = np.concatenate([self.phi, self.phi[-1:]], axis=0)
        return self.replace(phi=phi, materials=self.materials + (material,))

    def merged(self) -> "LevelSetStack":
        """The same material map with adjacent layers of one material merged into one.

        Layer k+1 contains layer k, so dropping layer k when both hold the same material
        leaves every point's material unchanged (the points of layer k now belong to
        layer k+1).  Keeps the number of layers bounded by the number of material
        changes, so N deposition steps of one material cost O(N), not O(N²).
        """
        m = self.materials
        keep = [k for k in range(len(m)) if k == len(m) - 1 or m[k] != m[k + 1]]
        if len(keep) == len(m):
            return self
        return self.replace(phi=np.ascontiguousarray(self.phi[keep]),
                            materials=tuple(m[k] for k in keep))

    def with_window(self, z_lo: float, z_hi: float) -> "LevelSetStack":
        """A copy whose vertical window covers at least [z_lo, z_hi] (never shrinks).

        New rows are extrapolated linearly (|φ| + h per node, sign kept): right in sign,
        refined by the next reinitialisation.
        """
        h = self.grid.spacing
        below = max(0, int(np.ceil((self.z0 - z_lo) / h - 1e-9)))
        above = max(0, int(np.ceil((z_hi - self.z_range[1]) / h - 1e-9)))
        if below == 0 and above == 0:
            return self
        return self.replace(phi=extend_vertical(self.phi, below, above, h), z0=self.z0 - below * h)

    # ---- reading by parts (a tiled stack, ``tiled_stack``, answers these from its
    # tiles without forming φ: the post-step passes of a run read only through them) ----
    def layer_planes(self, k: int, i0: int, i1: int) -> np.ndarray:
        """x-planes [i0, i1) of layer k, (i1 − i0, *rest) (a view when dense)."""
        return self.phi[k, i0:i1]

    def x_planes(self, i0: int, i1: int) -> np.ndarray:
        """x-planes [i0, i1) of every layer, (L, i1 − i0, *rest)."""
        return self.phi[:, i0:i1]

    def y_planes(self, j0: int, j1: int) -> np.ndarray:
        """y-rows [j0, j1) of every layer, (L, nx, j1 − j0, nz) (3D)."""
        return self.phi[:, :, j0:j1, :]

    def layer_rows(self, k: int, r0: int, r1: int) -> np.ndarray:
        """Vertical rows [r0, r1) of layer k (row = one column of nz nodes, C order of the
        lateral indices), flat: ``phi[k].reshape(-1)[r0·nz:r1·nz]``."""
        nz = self.nz
        lat = int(np.prod(self.shape[1:-1]))          # rows per x-plane
        i0, i1 = r0 // lat, -(-r1 // lat)
        part = np.ascontiguousarray(self.layer_planes(k, i0, i1)).reshape(-1)
        return part[(r0 - i0 * lat) * nz:(r1 - i0 * lat) * nz]

    def chunks(self, nbytes: int) -> Iterator[memoryview]:
        """The bytes of φ in C order, ``nbytes`` at a time (the last piece shorter)."""
        flat = memoryview(np.ascontiguousarray(self.phi).reshape(-1).view(np.uint8))  # type: ignore[arg-type]
        for lo in range(0, len(flat), nbytes):
            yield flat[lo:lo + nbytes]

    def cell_materials(self) -> np.ndarray:
        """``_kernels.cell_materials`` of the stack (the material of each grid cell)."""
        return K.cell_materials(np.ascontiguousarray(self.phi4()), self.grid.dimension)

    # ---- queries ---------------------------------------------------------------
    def material_index_at(self, points: np.ndarray, tol: float | None = None) -> np.ndarray:
        """Index of the lowest layer with φ_k <= tol (default h/2) at each point; -1 = vacuum."""
        tol = 0.5 * self.grid.spacing if tol is None else float(tol)
        return self.material_index_tols_at(points, np.full(self.n_layers, tol))

    def material_index_tols_at(self, points: np.ndarray, tols: np.ndarray) -> np.ndarray:
        """``material_index_at`` with a tolerance per layer (tols[l] for layer l)."""
        g = self.grid
        return K.material_index_tols(np.ascontiguousarray(self.phi4()),
                                     self.fractional_index(points),
                                     np.asarray(tols, dtype=np.float64), g.dimension,
                                     g.periodic, g.periodic)

    def values_at(self, points: np.ndarray, top_only: bool = False) -> np.ndarray:
        """(n_layers, m) interpolated φ of every layer at points (m, d); ``top_only``:
        (1, m), the top set's."""
        g = self.grid
        phi4 = self.phi4()[-1:] if top_only else self.phi4()
        return K.interp_layers(np.ascontiguousarray(phi4), self.fractional_index(points),
                               g.dimension, g.periodic, g.periodic)

    def amounts(self, *, floor: float | None = None) -> dict[str, float]:
        """Area (2D, m²) or volume (3D, m³) of each material above ``floor`` (m).

        A smoothed Heaviside H_ε(−φ), ε = 1.5 h (Osher & Fedkiw 2003, eq. 1.22), summed
        over cells; exact to O(h²) for a signed-distance φ.  ``floor`` defaults to the
        bottom of the vertical window (so the substrate amount depends on the window).
        Materials occurring in several layers are summed.
        """
        h = self.grid.spacing
        eps = 1.5 * h
        z = self.z_coords
        lo = self.z0 - 0.5 * h if floor is None else float(floor)
        wz = np.clip((z + 0.5 * h - lo) / h, 0.0, 1.0)
        cell = h ** self.grid.dimension
        out: dict[str, float] = {}
        prev = 0.0
        nz = self.nz
        size = int(np.prod(self.shape))
        for k, name in enumerate(self.materials):

            def hw(i: int, j: int, k=k) -> np.ndarray:
                """H·w_z of the flat node range [i, j) of layer k (whole z rows computed,
                then cut: elementwise, so the same numbers as over the whole layer)."""
                r0, r1 = i // nz, -(-j // nz)
                s = np.clip(-self.layer_rows(k, r0, r1).reshape(-1, nz) / eps, -1.0, 1.0)
                v = 0.5 * (1.0 + s + np.sin(np.pi * s) / np.pi) * wz
                return v.reshape(-1)[i - r0 * nz:j - r0 * nz]

            # summed by chunks in numpy's own pairwise order: the same sum, bit for bit,
            # as ``Hw.sum()`` of the whole layer, without that full-window scratch (#18)
            tot = float(pairwise_sum(hw, size) * cell)
            out[name] = out.get(name, 0.0) + max(tot - prev, 0.0)
            prev = max(tot, prev)
        return out

    def surface_z_extent(self) -> tuple[float, float]:
        """(lowest, highest) height of the top surface from sign changes along the vertical."""
        t = self.top
        inside = t <= 0
        change = inside[..., :-1] != inside[..., 1:]
        ks = np.nonzero(change.any(axis=tuple(range(t.ndim - 1))))[0]
        if ks.size == 0:
            return (np.nan, np.nan)
        h = self.grid.spacing
        return self.z0 + ks[0] * h, self.z0 + (ks[-1] + 1) * h

    @staticmethod
    def memory_estimate(grid: Grid, z_range: float, n_layers: int) -> int:
        """Bytes needed for ``n_layers`` layers over a vertical span ``z_range`` (m).

        Dense float64 storage of the layers plus the engine's scratch arrays, with the
        vertical margins the engine keeps.
        """
        nz = int(np.ceil(max(z_range, 0.0) / grid.spacing)) + 2 * MARGIN_NODES + 1
        nodes = grid.lateral_nodes() * nz
        return int(nodes * 8 * (n_layers + WORK_ARRAYS))


PAIRWISE_CHUNK = 1 << 18     # values materialised at once by ``pairwise_sum`` (2 MB)


def pairwise_sum(values, n: int, chunk: int | None = None) -> float:
    """``np.add.reduce`` of an n-value float64 array given by ranges, in NumPy's order.

    NumPy sums a contiguous float64 array pairwise (``pairwise_sum`` in its loops: a range
    of more than 128 values is split at n2 = ⌊n/2⌋ rounded down to a multiple of 8, and
    each half summed the same way; 128 or fewer with eight partial sums).  Following that
    split down to ranges of at most ``chunk`` values and handing each to ``np.add.reduce``
    gives the whole array's sum bit for bit, while only ``values(i, j)`` (the values of
    the range [i, j), a 1D float64 array) is ever materialised.  ``chunk`` >= 128
    (default ``PAIRWISE_CHUNK``).
    """
    chunk = max(int(PAIRWISE_CHUNK if chunk is None else chunk), 128)

    def rec(i: int, m: int) -> float:
        if m <= chunk:
            return float(np.add.reduce(values(i, i + m))) if m else 0.0
        m2 = m // 2
        m2 -= m2 % 8
        return rec(i, m2) + rec(i + m2, m - m2)

    return rec(0, int(n))


def extend_vertical(phi: np.ndarray, below: int, above: int, h: float) -> np.ndarray:
    """phi with ``below``/``above`` extra vertical rows; |φ| grows by h per row, sign kept."""
    parts = []
    if below:
        edge = phi[..., :1]
        parts.append(edge + np.where(edge < 0, -1.0, 1.0) * (h * np.arange(below, 0, -1)))
    parts.append(phi)
    if above:
        edge = phi[..., -1:]
        parts.append(edge + np.where(edge < 0, -1.0, 1.0) * (h * np.arange(1, above + 1)))
    return np.concatenate(parts, axis=-1)


@njit(cache=True)
def _shift_rows(flat, rows, nz, below, above, h):
    """Spread ``rows`` rows of ``nz`` values at the start of ``flat`` to rows of
    nz + below + above (in place, last row first: every value moves to a higher index)
    and fill the new nodes as ``extend_vertical`` does (the same arithmetic)."""
    n2 = nz + below + above
    for r in range(rows - 1, -1, -1):
        src = r * nz
        dst = r * n2 + below
        e_lo = flat[src]
        e_hi = flat[src + nz - 1]
        for k in range(nz - 1, -1, -1):
            flat[dst + k] = flat[src + k]
        s_lo = -1.0 if e_lo < 0 else 1.0
        for m in range(below):
            flat[r * n2 + m] = e_lo + s_lo * (h * (below - m))
        s_hi = -1.0 if e_hi < 0 else 1.0
        for m in range(above):
            flat[dst + nz + m] = e_hi + s_hi * (h * (m + 1))


def window_growth(clearance: int, k_lo: int, k_hi: int, nz: int) -> tuple[int, int] | None:
    """Nodes to add (below, above) so that the band's lowest and highest vertical nodes
    k_lo, k_hi keep ``clearance`` nodes to the window's edges, each growth by at least
    max(MARGIN_NODES, nz/4) so that the window grows seldom; None when it need not grow."""
    lo = clearance - k_lo
    hi = k_hi - (nz - 1 - clearance)
    if lo <= 0 and hi <= 0:
        return None
    grow = max(MARGIN_NODES, nz // 4)
    return (grow + lo if lo > 0 else 0), (grow + hi if hi > 0 else 0)


def grow_vertical(box: list[np.ndarray], below: int, above: int, h: float) -> np.ndarray:
    """``extend_vertical`` without holding the old and the new window at once.

    The array's buffer is enlarged by ``ndarray.resize`` (``realloc``: a large buffer is
    remapped by the C library, not copied) and the rows are spread in place, so the peak
    is the new window alone; the values equal ``extend_vertical``'s bit for bit.  Falls
    back to ``extend_vertical`` when ``phi`` does not own its C-contiguous buffer or
    another object refers to it (a view of it is alive).  ``phi`` must not be used
    afterwards: use the returned array.  ``box`` is a one-element list holding φ, emptied
    here, so that the caller keeps no reference of its own (numpy's reference check
    would refuse the resize).
    """
    phi = box.pop()
    if below == 0 and above == 0:
        return phi
    shape = phi.shape
    nz = shape[-1]
    rows = int(np.prod(shape[:-1]))
    new_shape = shape[:-1] + (nz + below + above,)
    if not (phi.flags.owndata and phi.flags.c_contiguous and phi.dtype == np.float64):
        return np.ascontiguousarray(extend_vertical(phi, below, above, h))
    try:
        phi.resize(rows * (nz + below + above), refcheck=True)
    except ValueError:                      # referenced elsewhere: copy instead
        return np.ascontiguousarray(extend_vertical(phi, below, above, h))
    _shift_rows(phi, rows, nz, below, above, float(h))
    phi.shape = new_shape                   # in place: the array keeps owning its buffer
    return phi
