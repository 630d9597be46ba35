"""The builders writing the initial wafer in column tiles (#18: "a 40.96 µm cell runs
within 4 GB"): ``layer_stack``/``cut_feature`` with ``tiled=True`` give a
``ColumnStack`` whose planes are the dense builders' bits, without a dense φ of the
cell; the tiled step started from it gives the dense-started step's bits."""
from __future__ import annotations

import math

import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.feature import builders as B
from waferlab.feature import column_stack as CS
from waferlab.feature.advect import advance
from waferlab.feature.column_stack import ColumnStack
from waferlab.feature.grid import Grid
from waferlab.feature.metrics import center_cut
from waferlab.feature.models_basic import DirectionalVelocity

UM = 1e-6


def raw(stack) -> bytes:
    """The stack's φ bytes in C order, read by its own ``chunks``."""
    return b"".join(bytes(m) for m in stack.chunks(1 << 16))


def _grid(n: int, boundary: str) -> Grid:
    return Grid(dimension=3, spacing=0.02 * UM, extent=(n * 0.02 * UM, n * 0.02 * UM),
                boundary=boundary)


def _build(tiled: bool, n: int, boundary: str, kind: str, depth_um: float, **kw):
    g = _grid(n, boundary)
    geo = B.layer_stack(g, "Si", [("SiO2", 0.04 * UM), ("Mask", 0.1 * UM)], tiled=tiled)
    return B.cut_feature(geo, kind, depth=depth_um * UM, **kw)


CASES = {
    # 17 lateral nodes: partial edge tiles; the cut through the mask only (the lower
    # layers below it: kept as they are)
    "hole-periodic17": (17, "periodic", "hole", 0.1, dict(radius=0.1 * UM)),
    # through both upper layers, tapered, a mirrored half trench
    "trench-half-taper": (15, "reflective", "trench", 0.2,
                          dict(width=0.2 * UM, taper=math.radians(5), symmetry="half")),
    "line": (16, "periodic", "line", 0.12, dict(width=0.1 * UM)),
    "hole-quarter": (24, "reflective", "hole", 0.3, dict(radius=0.2 * UM, symmetry="quarter")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_tiled_builders_give_the_dense_bytes(case):
    n, boundary, kind, depth, kw = CASES[case]
    dense = _build(False, n, boundary, kind, depth, **kw)
    tiled = _build(True, n, boundary, kind, depth, **kw)
    assert isinstance(tiled, ColumnStack) and not tiled.is_dense
    assert (tiled.z0, tiled.reference_top, tiled.materials, tiled.shape) == \
        (dense.z0, dense.reference_top, dense.materials, dense.shape)
    assert raw(tiled) == dense.phi.tobytes()
    # the parts a run reads without forming φ
    assert np.array_equal(tiled.cell_materials(), dense.cell_materials())
    assert center_cut(tiled).phi.tobytes() == center_cut(dense).phi.tobytes()
    assert tiled.y_planes(2, 5).tobytes() == dense.y_planes(2, 5).tobytes()
    assert not tiled.is_dense
    # a layered wafer is column tiles except where the cut's walls are
    c = tiled.tiled
    assert c is not None and 0 < c.stored_tiles < c.tmap.size
    # and φ, once read, is the dense stack's
    assert tiled.phi.tobytes() == dense.phi.tobytes() and tiled.is_dense


def test_flat_layers_are_columns_only():
    g = _grid(40, "periodic")
    s = B.layer_stack(g, "Si", [("Mask", 0.1 * UM)], tiled=True)
    assert s.tiled is not None and s.tiled.stored_tiles == 0
    assert raw(s) == B.layer_stack(g, "Si", [("Mask", 0.1 * UM)]).phi.tobytes()


def test_window_growth_and_a_second_cut_equal_the_dense_path():
    """A cut below the window (the window grows by slabs) and a second cut of a stack
    that is no longer flat (the dense path, the same numbers)."""
    args = (17, "periodic", "hole", 0.3)
    d = _build(False, *args, radius=0.1 * UM)
    t = _build(True, *args, radius=0.1 * UM)
    assert raw(t) == d.phi.tobytes() and d.nz > B.layer_stack(
        _grid(17, "periodic"), "Si", [("SiO2", 0.04 * UM), ("Mask", 0.1 * UM)]).nz
    w = t.with_window(t.z0 - 0.1 * UM, t.z_range[1] + 0.05 * UM)
    assert isinstance(w, ColumnStack) and not w.is_dense
    assert raw(w) == d.with_window(d.z0 - 0.1 * UM, d.z_range[1] + 0.05 * UM).phi.tobytes()
    d2 = B.cut_feature(d, "trench", width=0.06 * UM, depth=0.05 * UM)
    t2 = B.cut_feature(t, "trench", width=0.06 * UM, depth=0.05 * UM)
    assert t2.phi.tobytes() == d2.phi.tobytes()


def test_replace_keeps_the_tiles_unless_phi_changes():
    t = _build(True, 17, "periodic", "hole", 0.1, radius=0.1 * UM)
    r = t.replace(reference_top=1e-7)
    assert isinstance(r, ColumnStack) and r.tiled is t.tiled and r.reference_top == 1e-7
    d = t.replace(phi=np.zeros((3, 17, 17, t.nz)))
    assert type(d).__name__ == "LevelSetStack" and not t.is_dense


@pytest.mark.slow              # compiles the tiled step's kernels (134 s in a CI worker);
@pytest.mark.parametrize("order", ["weno5", "eo"])   # test_tiles covers tiled = dense
def test_tiled_step_from_the_column_stack_equals_the_dense_start(monkeypatch, order):
    """advance(storage='tiled') started from the tiled builders' stack gives the bits
    of the same step started from the dense builders' stack, and never forms the
    column stack's dense φ."""
    formed = []
    orig = CS.ColumnStack.phi.fget

    def phi(self):
        if self._dense is None:
            formed.append(1)
        return orig(self)

    monkeypatch.setattr(CS.ColumnStack, "phi", property(phi))
    outs = []
    for tiled in (False, True):
        geo = _build(tiled, 24, "periodic", "hole", 0.1, radius=0.12 * UM)
        model = DirectionalVelocity(layer_speed=np.array([1e-7 / 6, 1e-7 / 6, 0.0]))
        out, n = advance(geo, model, 0.6, RunContext(seed=1), kind="etch", scheme=order,
                         storage="tiled")
        outs.append((raw(out), n))
    assert not formed
    assert outs[0] == outs[1]


def test_checkpoint_of_a_column_stack_and_its_tiled_load(tmp_path):
    """The checkpoint of a column stack has the dense stack's file bytes; read back
    into column tiles (streamed, hashed in the same pass) it gives the same φ, and a
    changed byte is refused as by the dense reader."""
    from waferlab.io import checkpoint as C
    from waferlab.wafer import Wafer

    d = _build(False, 17, "periodic", "hole", 0.1, radius=0.1 * UM)
    t = _build(True, 17, "periodic", "hole", 0.1, radius=0.1 * UM)
    files = []
    for name, geo in (("dense", d), ("tiled", t)):
        f = tmp_path / f"{name}.npz"
        C.save_checkpoint(f, Wafer(geometry=geo, time=1.5), next_step=1, step_time=0.0,
                          recipe_hash="x", steps_taken=3, seed=7)
        files.append(f)
    assert files[0].read_bytes() == files[1].read_bytes() and not t.is_dense
    back = C.load_checkpoint(files[1], tiled=True)
    g = back.wafer.geometry
    assert isinstance(g, ColumnStack) and not g.is_dense
    assert raw(g) == d.phi.tobytes() and (g.z0, g.materials) == (d.z0, d.materials)
    assert (back.steps_taken, back.seed, back.wafer.time) == (3, 7, 1.5)
    assert C.load_checkpoint(files[1], tiled=False).wafer.geometry.phi.tobytes() == raw(g)
    # a flipped bit in the level sets: the stream's checksum refuses it
    import zipfile
    bad = tmp_path / "bad.npz"
    with zipfile.ZipFile(files[1]) as zi, zipfile.ZipFile(bad, "w") as zo:
        for item in zi.namelist():
            data = bytearray(zi.read(item))
            if item == "phi.npy":
                data[-100] ^= 1
            zo.writestr(item, bytes(data))
    for tiled in (True, False):
        with pytest.raises(C.CheckpointError, match="checksum"):
            C.load_checkpoint(bad, tiled=tiled)


def test_initial_wafer_builds_tiles_when_the_tiled_step_is_automatic(monkeypatch):
    """``runner.initial_wafer``: column tiles when the tiled step would be the automatic
    choice (AUTO_TILES, the size rule), dense otherwise (the default: AUTO_TILES off);
    the same bytes either way."""
    from waferlab.feature import tiled_run
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer

    rec = recipe_from_dict({
        "name": "t", "grid": {"dimension": 3, "spacing": "0.02 um",
                              "extent": ["0.32 um", "0.32 um"], "boundary": "periodic"},
        "structure": {"substrate": {"material": "Si"},
                      "layers": [{"material": "Mask", "thickness": "0.1 um"}],
                      "feature": {"type": "hole", "radius": "0.08 um", "depth": "0.1 um"}},
        "steps": [{"etch": {"model": "directional", "rates": {"Si": "1 um/min"},
                            "time": "1 s"}}]})
    dense = initial_wafer(rec).geometry
    assert type(dense).__name__ == "LevelSetStack"
    monkeypatch.setattr(tiled_run, "AUTO_TILES", True)
    monkeypatch.setattr(tiled_run, "TILED_MIN_NODES", 16 * 16 * 38 + 1)
    assert type(initial_wafer(rec).geometry).__name__ == "LevelSetStack"   # below the rule
    monkeypatch.setattr(tiled_run, "TILED_MIN_NODES", 16 * 16 * 38)
    tiled = initial_wafer(rec).geometry
    assert isinstance(tiled, ColumnStack) and not tiled.is_dense
    assert raw(tiled) == dense.phi.tobytes()
