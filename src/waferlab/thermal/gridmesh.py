"""Box-method mesh on the silicon nodes of a uniform 2D or 3D grid (the wafer's own grid).

The nodes are those of a uniform grid of spacing h (2D: (nx, nz); 3D: (nx, ny, nz), the
vertical axis last) where ``active`` is True (silicon).  Each node owns the cube of side
h around it (cell-centred finite volumes), so the dose is Σ C h^d / area.  Edges join
active neighbours along every axis with transmissibility h^(d-1)/h (face area over
distance, per metre of the invariant direction in 2D); an edge to an inactive node (an
oxide, a mask, vacuum) does not exist, so the silicon surfaces carry zero dopant flux (a
reflecting boundary), as do the bottom and the reflective lateral sides.  Periodic
lateral boundaries add the wrap-around edges.  The same box-method operator
(:func:`waferlab.thermal.diffusion.assemble`, Scharfetter–Gummel fluxes) and solvers
run on it unchanged.

``surface_nodes()``: active nodes with an inactive neighbour (above, below or beside
them, inside the grid), where the point-defect models of the five-stream and +1 TED
schemes hold their equilibrium (surface recombination).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .mesh import csc_pattern

__all__ = ["GridMesh"]


@dataclass(frozen=True, kw_only=True, eq=False)
class GridMesh:
    """Silicon nodes of a uniform grid.

    active     bool array (nx, nz) or (nx, ny, nz): which grid nodes are in the mesh
    spacing    h (m)
    periodic   lateral wrap-around edges
    Derived: ``index`` (flat grid index of each mesh node), volumes, edge_a/edge_b/trans
    (mesh-node numbering), ``x`` (the lateral node count as coordinates, for solvers
    that specialise 1D meshes).
    """

    active: np.ndarray
    spacing: float
    periodic: bool = False
    index: np.ndarray = field(init=False)
    volumes: np.ndarray = field(init=False)
    edge_a: np.ndarray = field(init=False)
    edge_b: np.ndarray = field(init=False)
    trans: np.ndarray = field(init=False)
    x: np.ndarray = field(init=False)

    def __post_init__(self):
        act = np.asarray(self.active, bool)
        if act.ndim not in (2, 3):
            raise ValueError("GridMesh needs a 2D (nx, nz) or 3D (nx, ny, nz) node mask")
        if not act.any():
            raise ValueError("GridMesh: no active (silicon) node")
        h = float(self.spacing)
        d = act.ndim
        index = np.flatnonzero(act)
        number = np.full(act.size, -1, np.int64)
        number[index] = np.arange(index.size)
        number = number.reshape(act.shape)
        a, b = [], []
        for ax in range(d):
            wrap = self.periodic and ax < d - 1 and act.shape[ax] > 2
            lo = number
            hi = np.roll(number, -1, axis=ax)
            if not wrap:
                sl = [slice(None)] * d
                sl[ax] = slice(0, act.shape[ax] - 1)
                lo, hi = lo[tuple(sl)], hi[tuple(sl)]
            ok = (lo >= 0) & (hi >= 0)
            a.append(lo[ok])
            b.append(hi[ok])
        ea, eb = np.concatenate(a), np.concatenate(b)
        object.__setattr__(self, "active", act)
        object.__setattr__(self, "spacing", h)
        object.__setattr__(self, "index", index)
        object.__setattr__(self, "volumes", np.full(index.size, h ** d))
        object.__setattr__(self, "edge_a", ea)
        object.__setattr__(self, "edge_b", eb)
        object.__setattr__(self, "trans", np.full(ea.size, h ** (d - 2)))
        object.__setattr__(self, "x", np.arange(act.shape[0], dtype=float) * h)

    @property
    def n(self) -> int:
        return int(self.index.size)

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the full grid the mesh nodes live on."""
        return tuple(self.active.shape)

    @cached_property
    def pattern(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return csc_pattern(self.edge_a, self.edge_b, self.n)

    @cached_property
    def _surface(self) -> np.ndarray:
        act = self.active
        d = act.ndim
        exposed = np.zeros(act.shape, bool)
        for ax in range(d):
            for shift in (1, -1):
                nb = np.roll(act, shift, axis=ax)
                edge: list[int | slice] = [slice(None)] * d
                edge[ax] = 0 if shift == 1 else -1
                if not (self.periodic and ax < d - 1):
                    nb[tuple(edge)] = True          # outside the grid: not a surface
                if ax == d - 1 and shift == -1:
                    nb[tuple(edge)] = False         # above the grid's top row: open
                exposed |= ~nb
        return np.flatnonzero(exposed.ravel()[self.index])

    def surface_nodes(self) -> np.ndarray:
        """Mesh indices of silicon nodes next to a non-silicon node (the free surfaces)."""
        return self._surface

    def scatter(self, values: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """Mesh values (n,) -> a full grid array (zeros, or ``fill``, off the mesh)."""
        out = np.full(self.active.size, fill, float)
        out[self.index] = values
        return out.reshape(self.active.shape)

    def gather(self, grid_values: np.ndarray) -> np.ndarray:
        """A full grid array -> the mesh's values (n,)."""
        return np.asarray(grid_values, float).ravel()[self.index].copy()

    def dose(self, c: np.ndarray, area: float) -> float:
        """∫ C dV / area (m⁻²) of mesh values c over a lateral ``area`` (m in 2D, m² in 3D)."""
        return float(np.dot(self.volumes, c) / area)
