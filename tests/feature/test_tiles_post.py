"""The post-step passes on a tiled stack (#18): a run of the tiled engine never forms the
dense level sets, and every pass read by parts (amounts, y = 0 cut, checkpoint bytes,
surface extraction, cell materials, the pictures' inputs, point queries) gives the
dense stack's numbers bit for bit."""
from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.feature import builders as B
from waferlab.feature import tiled_run
from waferlab.feature import tiled_stack as TS
from waferlab.feature.extract import extract_surface
from waferlab.feature.grid import Grid
from waferlab.feature.levelset import LevelSetStack
from waferlab.feature.metrics import center_cut
from waferlab.feature.tiled_stack import TiledStack
from waferlab.feature.tiles import TiledVolume
from waferlab.io import checkpoint as C
from waferlab.io.plots import cross_section, picture_geometry
from waferlab.recipe import recipe_from_dict
from waferlab.runner import execute_recipe

UM = 1e-6


def bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.int64)


def _pair(L_um: float, boundary: str, layers=(("Mask", 0.1),)) -> tuple[LevelSetStack, TiledStack]:
    """A dense hole stack and the same stack tiled (top set clamped to ±3h beyond its band,
    as the engine holds it, so most tiles are uniform)."""
    g = Grid(dimension=3, spacing=0.02 * UM, extent=(L_um * UM, L_um * UM), boundary=boundary)
    geo = B.layer_stack(g, "Si", [(n, t * UM) for n, t in layers])
    geo = B.cut_feature(geo, "hole", radius=L_um / 4 * UM, depth=layers[-1][1] * UM)
    phi = np.array(geo.phi)
    cap = 3 * g.spacing
    phi[-1] = np.clip(phi[-1], -cap, cap)
    phi[:-1] = np.maximum(phi[:-1], phi[-1])
    dense = geo.replace(phi=phi)
    tiled = TiledStack(grid=g, z0=geo.z0, materials=geo.materials,
                       reference_top=geo.reference_top, low=np.array(phi[:-1]),
                       tiles=TiledVolume.from_dense(phi[-1]))
    assert tiled._tiles is not None and tiled._tiles.stored_tiles < tiled._tiles.tmap.size
    return dense, tiled


@pytest.fixture(params=[(0.34, "periodic"), (0.30, "reflective")], ids=["periodic17", "reflective15"])
def pair(request):
    """Lateral node counts 17 and 15: partial edge tiles."""
    return _pair(*request.param, layers=(("SiO2", 0.04), ("Mask", 0.1)))


def test_parts_equal_the_dense_stack(pair):
    d, t = pair
    nx, ny, nz = d.shape
    assert t.shape == d.shape and t.nz == nz and t.n_layers == 3
    for i0, i1 in ((0, 3), (5, nx), (nx - 1, nx)):
        assert np.array_equal(bits(t.x_planes(i0, i1)), bits(d.x_planes(i0, i1)))
        assert np.array_equal(bits(t.layer_planes(-1, i0, i1)), bits(d.layer_planes(2, i0, i1)))
    assert np.array_equal(bits(t.y_planes(3, 9)), bits(d.y_planes(3, 9)))
    assert np.array_equal(bits(t.layer_rows(2, 7, 40)), bits(d.layer_rows(2, 7, 40)))
    assert b"".join(bytes(c) for c in t.chunks(5000)) == d.phi.tobytes()
    assert not t.is_dense                          # none of it formed the dense φ


def test_post_step_passes_equal_the_dense_ones(pair):
    d, t = pair
    assert d.amounts(floor=d.z0 + 0.1 * UM) == t.amounts(floor=d.z0 + 0.1 * UM)
    cd, ct = center_cut(d), center_cut(t)
    assert np.array_equal(bits(cd.phi), bits(ct.phi))
    xd, vd, pd = cross_section(d)
    xt, vt, pt = cross_section(t)
    assert np.array_equal(bits(pd), bits(pt))
    assert np.array_equal(d.cell_materials(), t.cell_materials())
    rng = np.random.default_rng(3)
    lo, hi = np.array(d.grid.lateral_bounds)[:, 0], np.array(d.grid.lateral_bounds)[:, 1]
    pts = np.column_stack([rng.uniform(lo[0] - 1e-8, hi[0] + 1e-8, 500),
                           rng.uniform(lo[1] - 1e-8, hi[1] + 1e-8, 500),
                           rng.uniform(d.z_range[0] - 1e-8, d.z_range[1] + 1e-8, 500)])
    assert np.array_equal(bits(d.values_at(pts)), bits(t.values_at(pts)))
    assert np.array_equal(bits(d.values_at(pts, top_only=True)), bits(t.values_at(pts, top_only=True)))
    assert np.array_equal(d.material_index_at(pts), t.material_index_at(pts))
    tols = np.array([0.0, 1e-8, 0.5e-8])
    assert np.array_equal(d.material_index_tols_at(pts, tols), t.material_index_tols_at(pts, tols))
    sd, st = extract_surface(d), extract_surface(t)
    for name in ("points", "elements", "normals", "materials"):
        a, b = getattr(sd, name), getattr(st, name)
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes(), name
    sd, st = extract_surface(d, held=1), extract_surface(t, held=1)
    assert sd.materials.tobytes() == st.materials.tobytes()
    assert not t.is_dense


@pytest.mark.parametrize("max_nodes", [16, 64])
def test_picture_geometry_by_slabs(max_nodes):
    """The averaged-down stack of profile_3d.png, by slabs of whole blocks (48 lateral
    nodes: blocks of 12 and 6, two and eight slabs)."""
    d, t = _pair(0.96, "periodic")
    pd_, pt_ = picture_geometry(d, max_nodes=max_nodes), picture_geometry(t, max_nodes=max_nodes)
    assert pd_.shape[0] < d.shape[0] and np.array_equal(bits(pd_.phi), bits(pt_.phi))
    assert not t.is_dense


def test_checkpoint_bytes_equal_and_replace_shares_the_tiles(pair):
    d, t = pair
    text = json.dumps({"x": 1})
    a, b = io.BytesIO(), io.BytesIO()
    C._write_npz(a, d, text)
    C._write_npz(b, t, text)
    za, zb = zipfile.ZipFile(a), zipfile.ZipFile(b)
    for name in ("phi.npy", "meta.npy", "checksum.npy"):
        assert za.read(name) == zb.read(name), name
    assert zb.read("checksum.npy") == zipfile.ZipFile(_savez(d.phi, text)).read("checksum.npy")
    r = t.replace(z0=t.z0 - 1e-8)
    assert isinstance(r, TiledStack) and r._tiles is t._tiles and not t.is_dense
    p = t.replace(phi=np.array(d.phi))
    assert type(p) is LevelSetStack
    assert np.array_equal(bits(t.phi), bits(d.phi)) and t.is_dense   # formed on request


def _savez(phi, text):
    f = io.BytesIO()
    np.savez_compressed(f, phi=phi, meta=np.array(text), checksum=np.array(C._checksum(phi, text)))
    return f


def _recipe(volume: str, scheme: str | None = None) -> dict:
    etch = {"model": "directional", "rates": {"Si": "1 um/min"}, "direction": [0, 0, -1],
            "isotropic_fraction": 0, "time": "0.2 min"}
    if scheme:
        etch["scheme"] = scheme
    return {"name": "tiles-post", "seed": 1, "output": {"volume": volume},
            "grid": {"dimension": 3, "spacing": "0.02 um", "extent": ["0.32 um", "0.32 um"],
                     "boundary": "periodic"},
            "structure": {"substrate": {"material": "Si"},
                          "layers": [{"material": "Mask", "thickness": "0.1 um"}],
                          "feature": {"type": "hole", "radius": "0.08 um", "depth": "0.1 um"}},
            "steps": [{"etch": etch}]}


@pytest.mark.slow
@pytest.mark.parametrize("volume,scheme", [("vti", None), ("vtu", "eo")])
def test_tiled_run_outputs_are_byte_identical_and_no_dense_stack(tmp_path, monkeypatch,
                                                                  volume, scheme):
    """The scale case in small through the runner, dense and tiled: every output file
    byte-identical (metrics but the wall time), and the tiled run never forms the dense
    φ of its stack (final.vti read by slabs; final.vtu, the small-cell format, does)."""
    formed = []
    orig = TS.TiledStack.phi.fget

    def phi(self):
        if self._dense is None:
            formed.append(1)
        return orig(self)

    monkeypatch.setattr(TS.TiledStack, "phi", property(phi))
    outs = {}
    for storage in ("dense", "tiled"):
        monkeypatch.setattr(tiled_run, "AUTO_TILES", storage == "tiled")
        monkeypatch.setattr(tiled_run, "TILED_MIN_NODES", 0)
        out = tmp_path / storage
        execute_recipe(recipe_from_dict(_recipe(volume, scheme)), RunContext(seed=1, out_dir=out))
        outs[storage] = out
    assert (len(formed) == 0) == (volume == "vti")
    names = sorted(p.name for p in outs["dense"].iterdir())
    assert names == sorted(p.name for p in outs["tiled"].iterdir())
    for name in names:
        a, b = (outs[s] / name for s in ("dense", "tiled"))
        if name == "metrics.json":
            ma, mb = json.loads(a.read_text()), json.loads(b.read_text())
            ma.pop("wall_time_s")
            mb.pop("wall_time_s")
            assert ma == mb
        elif name not in ("report.html", "log.txt"):
            assert a.read_bytes() == b.read_bytes(), name
