"""The lower layers in tiles (#18, ``feature.layer_tiles``): lossless to the last bit,
a tile of 64 equal z-columns costs one column, the etch's clip stores only the tiles it
changes, and the block lower bounds never exceed the dense ``block_min``'s."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.feature import _kernels as Q
from waferlab.feature import builders as B
from waferlab.feature.grid import Grid
from waferlab.feature.layer_tiles import LayerTiles

UM = 1e-6


def bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.int64)


def _layers(n_xy: int, nz: int, seed: int = 0) -> np.ndarray:
    """Two layers φ = z − T_k (laterally uniform: z-columns equal) with a bump of random
    values in one corner and a −0.0 / 0.0 pair (equal as floats, not as bits)."""
    rng = np.random.default_rng(seed)
    z = 0.02 * np.arange(nz) - 0.3
    a = np.empty((2, n_xy, n_xy, nz))
    a[0] = z
    a[1] = z - 0.1
    part = a[0, :5, 2:9, 3:12]
    part[...] = rng.normal(size=part.shape)
    a[1, -1, -1, :] = 0.0
    a[1, -2, -1, :] = -0.0
    return a


@pytest.mark.parametrize("n_xy,nz", [(17, 21), (16, 24), (3, 5)])
def test_round_trip_is_lossless_on_partial_tiles(n_xy, nz):
    a = _layers(n_xy, nz)
    lt = LayerTiles.from_dense(a)
    assert np.array_equal(bits(lt.to_dense()), bits(a))
    for l in range(2):
        gi = np.array([n_xy - 1, 0, 2])
        assert np.array_equal(bits(lt.read_planes(l, gi)), bits(a[l, gi]))
        assert np.array_equal(bits(lt.read_y(l, 1, n_xy)), bits(a[l, :, 1:]))
        idx = np.arange(0, a[l].size, 7)
        assert np.array_equal(bits(lt.gather(l, idx)), bits(a[l].reshape(-1)[idx]))


def test_equal_columns_cost_one_column():
    """Laterally uniform layers store no tile; the bump and the signed zeros do."""
    a = _layers(64, 48)
    lt = LayerTiles.from_dense(a)
    dense = a.nbytes
    assert lt.stored_tiles > 0                       # the bump's and the −0.0 tiles
    # layer 0: the bump spans x tile 0, y tiles 0–1, z tiles 0–1; layer 1: x/y tile 7 all z
    assert lt.stored_tiles == 4 + 6
    assert lt.nbytes < dense / 20
    flat = LayerTiles.from_dense(np.broadcast_to(0.02 * np.arange(48), (1, 64, 64, 48)))
    assert flat.stored_tiles == 0 and flat.nbytes < dense / 64


def test_raise_to_stores_only_changed_tiles_and_matches_clip():
    """``raise_to`` = the dense clip φ = max(φ, v) where φ < v, bit for bit; a value that
    does not raise the node (equal, or lower) leaves a column tile a column."""
    a = _layers(24, 32)
    lt = LayerTiles.from_dense(a)
    n0 = lt.stored_tiles
    rng = np.random.default_rng(1)
    idx = np.sort(rng.choice(a[0].size, 500, replace=False)).astype(np.int32)
    v = a[0].reshape(-1)[idx] - 1.0                 # never above: nothing changes
    lt.raise_to(0, idx, v)
    assert lt.stored_tiles == n0
    node = (20 * 24 + 20) * 32 + 30                   # in a laterally uniform tile
    v = a[0].reshape(-1)[[node]] + 0.5
    lt.raise_to(0, np.array([node]), v)
    assert lt.stored_tiles == n0 + 1
    ref = a.copy()
    ref[0].reshape(-1)[node] = v[0]
    assert np.array_equal(bits(lt.to_dense()), bits(ref))


@pytest.mark.parametrize("periodic", [True, False])
def test_block_bounds_never_exceed_the_dense_ones(periodic):
    """The tiled block lower bounds: of the same shape as ``block_min``'s and nowhere
    larger (so the band's material search skips no layer the dense one would not)."""
    g = Grid(dimension=3, spacing=0.02 * UM, extent=(0.34 * UM, 0.34 * UM),
             boundary="periodic" if periodic else "reflective")
    geo = B.layer_stack(g, "Si", [("SiO2", 0.04 * UM), ("Mask", 0.1 * UM)])
    geo = B.cut_feature(geo, "hole", radius=0.08 * UM, depth=0.14 * UM)
    low = np.ascontiguousarray(geo.phi[:-1])
    ref = Q.block_min(low, 3, periodic, periodic)
    got = LayerTiles.from_dense(low).block_min(periodic)
    assert got.shape == ref.shape
    assert np.all(got <= ref)
