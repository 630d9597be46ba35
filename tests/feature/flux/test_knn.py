"""The grid k-nearest interpolation (``flux._knn_kernels``, used by ``FluxState.at`` from
``_GRID_QUERY`` query points on) returns the cKDTree path's values bit for bit."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab._lazy import ckdtree
from waferlab.feature.flux import transport as TR


def _tree_at(state: TR.FluxState, points: np.ndarray, k: int) -> dict:
    """The tree path of ``FluxState.at`` (the grid path switched off)."""
    old = TR._GRID_QUERY
    TR._GRID_QUERY = 1 << 62
    try:
        return state.at(points, k)
    finally:
        TR._GRID_QUERY = old


def _state(data: np.ndarray, values: dict, eps2: float) -> TR.FluxState:
    return TR.FluxState(result=None, tree=ckdtree()(data), index=np.arange(len(data)),
                        values=values, eps2=eps2)


def _surface_points(rng, n: int) -> np.ndarray:
    """Points on a hole-like surface: a field plane, a cylinder wall and a bottom disc."""
    a = rng.uniform(0, 2 * np.pi, n)
    z = rng.uniform(-3.0, 0.0, n)
    wall = np.stack([np.cos(a), np.sin(a), z], axis=1)
    field = np.stack([rng.uniform(-2, 2, n), rng.uniform(-2, 2, n), np.zeros(n)], axis=1)
    field = field[np.hypot(field[:, 0], field[:, 1]) > 1.0]
    r = np.sqrt(rng.uniform(0, 1, n))
    bottom = np.stack([r * np.cos(a), r * np.sin(a), np.full(n, -3.0)], axis=1)
    return np.concatenate([wall, field, bottom])


@pytest.mark.parametrize("k", [1, 4, 7])
def test_grid_matches_tree_3d(k):
    rng = np.random.default_rng(3)
    data = _surface_points(rng, 1500)
    vals = {"a": rng.uniform(0, 2, len(data)), "b": rng.normal(size=len(data))}
    st = _state(data, vals, (0.25 * 0.05) ** 2)
    # query points near the surface and some far away (outside the data's box)
    q = data[rng.integers(0, len(data), 5000)] + rng.normal(scale=0.03, size=(5000, 3))
    q = np.concatenate([q, rng.uniform(-6, 6, (200, 3))])
    got = st.at(q, k)
    ref = _tree_at(st, q, k)
    assert len(q) >= TR._GRID_QUERY
    for name in vals:
        assert got[name].tobytes() == ref[name].tobytes()


def test_grid_matches_tree_2d():
    rng = np.random.default_rng(5)
    x = np.sort(rng.uniform(-1, 1, 800))
    data = np.stack([x, np.where(np.abs(x) < 0.3, -1.0 + 0.1 * x, 0.0)], axis=1)
    vals = {"v": rng.uniform(size=len(data))}
    st = _state(data, vals, 1e-4)
    q = data[rng.integers(0, len(data), 3000)] + rng.normal(scale=0.02, size=(3000, 2))
    got, ref = st.at(q, 4), _tree_at(st, q, 4)
    assert got["v"].tobytes() == ref["v"].tobytes()


def test_grid_finds_the_nearest_on_a_lattice():
    """Points on a lattice: a query at a lattice node gets that node's value (weight of
    d = 0 dominates with a tiny ε), the first neighbour of the grid search is exact."""
    g = np.stack(np.meshgrid(np.arange(20.0), np.arange(20.0), np.arange(3.0),
                             indexing="ij"), axis=-1).reshape(-1, 3)
    vals = {"v": np.arange(len(g), dtype=float)}
    st = _state(g, vals, 1e-30)
    rng = np.random.default_rng(1)
    idx = rng.integers(0, len(g), 4000)
    got = st.at(g[idx], 1)
    assert np.array_equal(got["v"], vals["v"][idx])


def test_equidistant_neighbours_follow_the_tree():
    """Queries on the lattice's symmetry planes (several neighbours at exactly the same
    distance): the flagged points are taken from the tree, so the values are its own."""
    g = np.stack(np.meshgrid(np.arange(16.0), np.arange(16.0), np.arange(4.0),
                             indexing="ij"), axis=-1).reshape(-1, 3)
    rng = np.random.default_rng(2)
    vals = {"v": rng.uniform(size=len(g))}
    st = _state(g, vals, 0.01)
    q = np.round(rng.uniform(0, 15, (4000, 3)) * 2) / 2          # on half-lattice points
    q[:, 2] = np.clip(q[:, 2], 0, 3)
    got, ref = st.at(q, 4), _tree_at(st, q, 4)
    assert got["v"].tobytes() == ref["v"].tobytes()
