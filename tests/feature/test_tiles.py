"""Block-sparse storage of the level set (#18): lossless tiles, and the tiled time step
bit-identical to the dense engine."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.feature import builders as B
from waferlab.feature.advect import advance
from waferlab.feature.grid import Grid
from waferlab.feature.models_basic import DirectionalVelocity
from waferlab.feature.tiles import TILE, TiledVolume, ghost_planes
from waferlab.feature.tiled_run import use_tiles
from waferlab.feature.tiled_step import TiledWork

UM = 1e-6


def bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a).view(np.int64)


def test_round_trip_is_lossless_on_partial_tiles():
    rng = np.random.default_rng(3)
    a = np.clip(rng.normal(size=(21, 13, 19)) * 3, -1.0, 1.0)   # no axis a multiple of 8
    a[0, 0, 0] = -0.0                       # a -0.0 in a tile of +0.0s stays -0.0
    a[8:16, 0:8, 8:16] = 0.0
    a[9, 1, 9] = -0.0                       # bits differ: that tile is stored
    a[16:, 8:, 16:] = 1.0                   # a corner tile (5 × 5 × 3 nodes inside)
    tv = TiledVolume.from_dense(a)
    assert np.array_equal(bits(tv.to_dense()), bits(a))
    assert tv.tmap[2, 1, 2] == -1 and tv.const[2, 1, 2] == 1.0
    assert tv.tmap[1, 0, 1] >= 0
    assert tv.stored_tiles == tv.tmap.size - 1


def test_uniform_tiles_cost_one_number():
    # a flat surface z = 40.5 clamped to ±4: only the tiles the band crosses are stored
    nx, ny, nz = 64, 48, 80
    z = np.arange(nz) - 40.5
    a = np.broadcast_to(np.clip(z, -4.0, 4.0), (nx, ny, nz)).copy()
    tv = TiledVolume.from_dense(a)
    assert np.array_equal(bits(tv.to_dense()), bits(a))
    # z from 36.5 to 44.5 is not clamped: tiles k = 4 and 5 of 10 (nodes 32 … 47)
    assert tv.stored_tiles == (nx // TILE) * (ny // TILE) * 2
    assert tv.nbytes < a.nbytes / 4


def test_writes_store_and_compact_release_tiles():
    tv = TiledVolume((16, 16, 16), fill=2.0)
    assert tv.stored_tiles == 0
    src = np.full((3, 16, 16), 2.0)
    tv.write_planes(5, src)                  # the same bits: nothing stored
    assert tv.stored_tiles == 0
    src[1, 9, 3] = -1.0
    tv.write_planes(5, src)                  # one tile changes
    assert tv.stored_tiles == 1
    ref = np.full((16, 16, 16), 2.0)
    ref[6, 9, 3] = -1.0
    assert np.array_equal(tv.to_dense(), ref)
    idx = np.array([(6 * 16 + 9) * 16 + 3, 0, 16 ** 3 - 1])
    assert np.array_equal(tv.gather(idx), ref.reshape(-1)[idx])
    tv.scatter(idx, np.array([2.0, 5.0, 7.0]))   # two uniform tiles get stored
    ref.reshape(-1)[idx] = [2.0, 5.0, 7.0]
    assert tv.stored_tiles == 3
    assert np.array_equal(tv.to_dense(), ref)
    tv.scatter(idx[1:], np.array([2.0, 2.0]))
    tv.compact()                             # every tile uniform again but the first
    ref.reshape(-1)[idx[1:]] = 2.0
    assert tv.stored_tiles == 0 and np.array_equal(tv.to_dense(), ref)


@pytest.mark.parametrize("periodic", [True, False])
def test_ghost_planes_follow_the_kernels_wrap(periodic):
    from waferlab.feature._kernels import _wrap
    nx = 11
    got = ghost_planes(-4, nx + 4, nx, periodic)
    want = [_wrap(i, nx, periodic) for i in range(-4, nx + 4)]
    assert list(got) == want


def _hole(L_um: float, boundary: str, layers, depth_um: float) -> "B.LevelSetStack":
    g = Grid(dimension=3, spacing=0.02 * UM, extent=(L_um * UM, L_um * UM), boundary=boundary)
    geo = B.layer_stack(g, "Si", [(n, t * UM) for n, t in layers])
    return B.cut_feature(geo, "hole", radius=L_um / 4 * UM, depth=depth_um * UM)


def _same(geo, model, t, kind):
    a, na = advance(geo, model, t, None, kind=kind, storage="dense")
    b, nb = advance(geo, model, t, None, kind=kind, storage="tiled")
    assert na == nb and a.z0 == b.z0 and a.materials == b.materials
    assert a.phi.shape == b.phi.shape
    assert np.array_equal(bits(a.phi), bits(b.phi))
    return a


def test_tiled_step_equals_dense_periodic_hole_etch():
    """The scale benchmark's case (masked hole, vertical beam, periodic) on a 0.32 µm
    cell: every bit of every layer equal, the window grown as in the dense engine."""
    geo = _hole(0.32, "periodic", [("Mask", 0.1)], 0.1)
    m = DirectionalVelocity(layer_speed=np.array([-1.0, 0.0]) * UM / 60)
    a = _same(geo, m, 15.0, "etch")
    assert a.nz > geo.nz                       # the window grew


@pytest.mark.slow
def test_tiled_step_equals_dense_held_layer_and_isotropic_part():
    """Reflective boundaries, an etch stop (held bottom layer), an isotropic part (all
    three axes' derivatives), and a deposit."""
    geo = _hole(0.48, "reflective", [("SiO2", 0.06), ("Mask", 0.2)], 0.2)
    m = DirectionalVelocity(layer_speed=np.array([0.0, -1.0, 0.0]) * UM / 60,
                            isotropic_fraction=0.3)
    _same(geo, m, 9.0, "etch")
    geo = _hole(0.48, "periodic", [("Mask", 0.2)], 0.2)
    m = DirectionalVelocity(layer_speed=np.array([0.5, 0.5]) * UM / 60, isotropic_fraction=0.5)
    _same(geo, m, 6.0, "deposit")


def test_tiled_store_grows_with_the_surface():
    """The top set of the 0.64 µm hole after its first rebuild: the tiles hold a
    fraction of the dense window."""
    geo = _hole(0.64, "periodic", [("Mask", 0.3)], 0.3)
    h = geo.grid.spacing
    w = TiledWork(geo, 10 * h, 8 * h, 8 * h, 11 * h, 2)
    w.rebuild(clearance=16)
    dense = int(np.prod(w.top.shape)) * 8
    assert w.top.nbytes < 0.6 * dense
    assert len(w.band) > 0


def test_storage_choice():
    geo = _hole(0.32, "periodic", [("Mask", 0.1)], 0.1)
    m = DirectionalVelocity(layer_speed=np.array([-1.0, 0.0]) * UM / 60)
    assert not use_tiles(geo, m, False, None)          # a small window stays dense
    assert use_tiles(geo, m, False, "tiled")
    with pytest.raises(ValueError, match="storage"):
        use_tiles(geo, m, False, "sparse")


def test_automatic_storage_follows_the_size_rule(monkeypatch):
    """With ``AUTO_TILES`` on, the 10.24 µm scale cell's window (512² × 48 nodes per
    layer) runs tiled and the 5.12 µm one (256² × 48) dense; 2D and non-beam models
    stay dense at any size.  Off (the default: the tiled step costs more CPU),
    every size is dense."""
    from types import SimpleNamespace

    from waferlab.feature import tiled_run
    from waferlab.feature.models_basic import IsotropicVelocity
    assert not tiled_run.AUTO_TILES
    m0 = DirectionalVelocity(layer_speed=np.array([-1.0, 0.0]) * UM / 60)
    big = SimpleNamespace(grid=SimpleNamespace(dimension=3), shape=(512, 512, 48))
    assert not use_tiles(big, m0, False, None)
    monkeypatch.setattr(tiled_run, "AUTO_TILES", True)
    m = DirectionalVelocity(layer_speed=np.array([-1.0, 0.0]) * UM / 60)

    def geo(shape, dim=3):
        return SimpleNamespace(grid=SimpleNamespace(dimension=dim), shape=shape)

    assert use_tiles(geo((512, 512, 48)), m, False, None)
    assert not use_tiles(geo((256, 256, 48)), m, False, None)
    assert not use_tiles(geo((512, 512, 48)), m, True, None)        # fused steps
    assert not use_tiles(geo((4096, 4096), dim=2), m, False, None)
    iso = IsotropicVelocity(layer_speed=np.array([-1.0, 0.0]) * UM / 60)
    assert not use_tiles(geo((512, 512, 48)), iso, False, None)


def test_step_views_are_lazy_and_equal_the_dense_views():
    """What ``on_step`` sees (a checkpoint writes it): the layer count without forming φ,
    and, when read, the dense engine's φ of the same step to the last bit."""
    geo = _hole(0.32, "periodic", [("Mask", 0.1)], 0.1)
    m = DirectionalVelocity(layer_speed=np.array([-1.0, 0.0]) * UM / 60)
    seen: dict[str, list] = {"dense": [], "tiled": []}
    for st in seen:
        def on_step(t, dt, g, resumable, _st=st):
            if _st == "tiled":
                assert g._dense is None and g.n_layers == 2 and g.nz == g._work.top.shape[2]
            if resumable:
                seen[_st].append((t, g.z0, g.phi.copy()))
        advance(geo, m, 6.0, None, kind="etch", storage=st, on_step=on_step)
    assert len(seen["dense"]) == len(seen["tiled"]) > 0
    for (ta, za, a), (tb, zb, b) in zip(seen["dense"], seen["tiled"]):
        assert ta == tb and za == zb and np.array_equal(bits(a), bits(b))
