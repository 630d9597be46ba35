"""Tensor-product box-method mesh for silicon: nodes in depth z (0 = surface) and,
in 2D, along x.  Control volumes are the boxes around the nodes (half boxes at the
ends), so a node profile's dose is the trapezoid rule and Dirichlet surface values
sit exactly on the surface nodes (box method, e.g. Selberherr 1984 ch. 6)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import numpy as np

__all__ = ["Mesh", "DiffusionMesh", "make_mesh", "Feature", "graded_nodes", "csc_pattern"]


def _box_widths(nodes: np.ndarray) -> np.ndarray:
    if nodes.size == 1:
        return np.ones(1)
    d = np.diff(nodes)
    w = np.zeros(nodes.size)
    w[:-1] += 0.5 * d
    w[1:] += 0.5 * d
    return w


def csc_pattern(a: np.ndarray, b: np.ndarray, n: int):
    """CSC structure of an edge operator on n nodes with edges a-b: (indices, indptr, pos,
    diag) where entry e of the stacked edge contributions [aa, ab, ba, bb] goes to
    data[pos[e]] and diag[k] is the data position of (k, k)."""
    rows = np.concatenate([a, a, b, b])
    cols = np.concatenate([a, b, a, b])
    key = cols.astype(np.int64) * n + rows
    uniq, pos = np.unique(key, return_inverse=True)
    indices = (uniq % n).astype(np.int32)
    indptr = np.zeros(n + 1, np.int64)
    np.add.at(indptr, (uniq // n) + 1, 1)
    indptr = np.cumsum(indptr).astype(np.int32)
    diag = np.searchsorted(uniq, np.arange(n, dtype=np.int64) * n + np.arange(n))
    return indices, indptr, pos, diag


class DiffusionMesh(Protocol):
    """What the solvers use of a mesh: nodes 0..n-1 with box volumes, edges a-b with their
    transmissibilities, the CSC pattern of an edge operator and the surface nodes.
    :class:`Mesh` (tensor grid) and :class:`~.gridmesh.GridMesh` (masked grid) provide it."""

    @property
    def n(self) -> int: ...
    @property
    def x(self) -> np.ndarray: ...
    @property
    def volumes(self) -> np.ndarray: ...
    @property
    def edge_a(self) -> np.ndarray: ...
    @property
    def edge_b(self) -> np.ndarray: ...
    @property
    def trans(self) -> np.ndarray: ...
    @property
    def pattern(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]: ...
    def surface_nodes(self) -> np.ndarray: ...


@dataclass(frozen=True, kw_only=True, eq=False)
class Mesh:
    """Nodes z (nz,) and x (nx,; one node at 0 in 1D).  Field arrays are (nz, nx),
    flattened C-order (node k = i*nx + j).  Derived: volumes (n,), edges a-b with
    transmissibility trans = face area / distance (per unit length in 1D/2D)."""

    z: np.ndarray
    x: np.ndarray
    volumes: np.ndarray = field(init=False)
    edge_a: np.ndarray = field(init=False)
    edge_b: np.ndarray = field(init=False)
    trans: np.ndarray = field(init=False)

    def __post_init__(self):
        z = np.asarray(self.z, float)
        x = np.asarray(self.x, float)
        if z.ndim != 1 or z.size < 3 or np.any(np.diff(z) <= 0):
            raise ValueError("mesh depth nodes must be increasing, at least 3")
        wz, wx = _box_widths(z), _box_widths(x)
        nz, nx = z.size, x.size
        idx = np.arange(nz * nx).reshape(nz, nx)
        a = [idx[:-1, :].ravel()]
        b = [idx[1:, :].ravel()]
        t = [(wx[None, :] / np.diff(z)[:, None]).ravel()]
        if nx > 1:
            a.append(idx[:, :-1].ravel())
            b.append(idx[:, 1:].ravel())
            t.append((wz[:, None] / np.diff(x)[None, :]).ravel())
        object.__setattr__(self, "z", z)
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "volumes", np.outer(wz, wx).ravel())
        object.__setattr__(self, "edge_a", np.concatenate(a))
        object.__setattr__(self, "edge_b", np.concatenate(b))
        object.__setattr__(self, "trans", np.concatenate(t))

    @property
    def shape(self) -> tuple[int, int]:
        return (self.z.size, self.x.size)

    @property
    def n(self) -> int:
        return self.z.size * self.x.size

    @property
    def width(self) -> float:
        return float(self.x[-1] - self.x[0]) if self.x.size > 1 else 1.0

    @cached_property
    def pattern(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """CSC structure of an edge operator (see :func:`csc_pattern`)."""
        return csc_pattern(self.edge_a, self.edge_b, self.n)

    def surface_nodes(self) -> np.ndarray:
        """Flat indices of the surface row (i = 0)."""
        return np.arange(self.x.size)

    def dose(self, c: np.ndarray) -> float:
        """∫ C dV per unit surface area (m⁻²): box sum divided by the width."""
        return float(np.dot(self.volumes, np.ravel(c)) / self.width)


def make_mesh(depth: float, nz: int, *, width: float | None = None, nx: int = 1) -> Mesh:
    """Uniform mesh: nz nodes over [0, depth]; nx nodes over [0, width] in 2D."""
    z = np.linspace(0.0, depth, nz)
    x = np.zeros(1) if width is None else np.linspace(0.0, width, nx)
    return Mesh(z=z, x=x)


@dataclass(frozen=True, kw_only=True)
class Feature:
    """A region [start, end] (m) to resolve with spacing ``h`` (m); away from it the
    allowed spacing grows linearly, h + (ratio - 1)·distance (geometric grading)."""

    start: float
    end: float
    h: float


def graded_nodes(length: float, features: list[Feature], *, ratio: float = 1.03,
                 h_max: float | None = None) -> np.ndarray:
    """Nodes on [0, length] with spacing h(s) = min(h_max, min_f [h_f + (ratio-1) d_f(s)]),
    d_f the distance from feature f.  Neighbouring boxes then differ by at most the factor
    ``ratio``, which keeps the box method second order (a smoothly graded mesh)."""
    if length <= 0:
        raise ValueError(f"mesh length {length:g} m must be > 0")
    if not 1.0 < ratio < 2.0:
        raise ValueError(f"mesh grading ratio {ratio:g} must be in (1, 2)")
    h_max = length / 10 if h_max is None else min(h_max, length / 10)
    g = ratio - 1.0

    def spacing(a: float, b: float) -> float:
        """Smallest allowed spacing over the interval [a, b]."""
        h = h_max
        for f in features:
            d = max(f.start - b, 0.0, a - f.end)
            h = min(h, max(f.h, 1e-15) + g * d)
        return h

    nodes = [0.0]
    s = 0.0
    while s < length:
        h = spacing(s, s)
        for _ in range(4):                  # h <= allowed spacing anywhere in [s, s + h]
            h = spacing(s, s + h)
        s += h
        nodes.append(s)
    z = np.array(nodes)
    if z.size > 2 and (z[-1] - length) < 0.5 * (z[-1] - z[-2]) and z.size > 3:
        z = z[:-1]                          # drop a nearly-double last box, then stretch
    z *= length / z[-1]
    return z
