"""Tiled runs (waferlab/tiling.py): tiles of whole grid nodes, tile recipes whose nodes sit
exactly on the global nodes, and stitching that restores the global stack."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.errors import RecipeError
from waferlab.tiling import _pattern_center, plan_tiles, stitch, tile_recipe_data
from waferlab.recipe import recipe_from_dict
from waferlab.runner import initial_wafer, resolved_with_seed

POLYS = [[[-245, -35], [245, -35], [245, 35], [-245, 35]],
         [[-35, -245], [35, -245], [35, 245], [-35, 245]]]          # a cross, nm (edges between nodes)


def _data(dim=3, tiles=(2, 2), halo="60 nm", **pattern):
    grid = ({"dimension": 3, "spacing": "20 nm", "extent": ["640 nm", "600 nm"], "boundary": "reflective"}
            if dim == 3 else {"dimension": 2, "spacing": "20 nm", "extent": ["640 nm"],
                              "boundary": "reflective"})
    return {"name": "tiles", "seed": 3, "grid": grid,
            "structure": {"substrate": {"material": "Si"},
                          "pattern": {"polygons": POLYS, "thickness": "50 nm", "tone": "clear",
                                      **pattern}},
            "tiling": {"tiles": list(tiles[: dim - 1]), "halo": halo, "workers": 1},
            "steps": [{"etch": {"model": "directional", "rates": {"Si": "100 nm/min"},
                                "direction": [0, 0, -1] if dim == 3 else [0, -1], "time": "0.5 min"}}]}


def _top_height(phi: np.ndarray) -> np.ndarray:
    """Height (in nodes) of the highest zero crossing of φ in each column."""
    inside = phi < 0
    k = phi.shape[-1] - 1 - np.argmax(inside[..., ::-1], axis=-1)    # highest inside node
    k = np.clip(k, 0, phi.shape[-1] - 2)
    lo = np.take_along_axis(phi, k[..., None], -1)[..., 0]
    hi = np.take_along_axis(phi, k[..., None] + 1, -1)[..., 0]
    return k + lo / (lo - hi)


def test_plan_covers_every_node_once_with_halos_inside():
    tiles = plan_tiles((32, 30), (3, 2), 3)
    count = np.zeros((32, 30), int)
    for t in tiles:
        count[t.own_lo[0]:t.own_hi[0], t.own_lo[1]:t.own_hi[1]] += 1
        for a, b, lo, hi, n in zip(t.own_lo, t.own_hi, t.lo, t.hi, (32, 30)):
            assert lo == max(0, a - 3) and hi == min(n, b + 3)
    assert (count == 1).all()
    sizes = sorted({t.own_hi[0] - t.own_lo[0] for t in tiles})
    assert sizes[-1] - sizes[0] <= 1


@pytest.mark.parametrize("dim", [2, 3])
def test_tile_nodes_sit_on_the_global_nodes(dim):
    """Each tile's initial stack equals the global initial stack on the tile's nodes
    (same grid positions, same pattern): the tiles are windows, not resamplings."""
    data = _data(dim)
    r = recipe_from_dict(data)
    glob = initial_wafer(r).geometry
    nodes = glob.grid.lateral_shape
    center = _pattern_center(r)
    resolved = resolved_with_seed(r, 3)
    for t in plan_tiles(nodes, tuple(data["tiling"]["tiles"]), 3):
        tr = recipe_from_dict(tile_recipe_data(resolved, t, 20e-9, nodes, center))
        tg = initial_wafer(tr).geometry
        assert tg.grid.lateral_shape == tuple(b - a for a, b in zip(t.lo, t.hi))
        off = int(round((tg.z0 - glob.z0) / 20e-9))
        assert abs(tg.z0 - glob.z0 - off * 20e-9) < 1e-15
        sl = (slice(None),) + tuple(slice(a, b) for a, b in zip(t.own_lo, t.own_hi))
        own = (slice(None),) + tuple(slice(a - lo, b - lo) for a, b, lo in zip(t.own_lo, t.own_hi, t.lo))
        g, tp = glob.phi[sl], tg.phi[own]
        nz = min(g.shape[-1] - max(off, 0), tp.shape[-1] - max(-off, 0))
        a = g[..., max(off, 0):max(off, 0) + nz]
        b = tp[..., max(-off, 0):max(-off, 0) + nz]
        # on the tile's own nodes the same geometry: every node on the same side of every
        # layer's surface, and the top surface at the same height in every column
        assert ((a < 0) == (b < 0)).all()
        assert np.allclose(_top_height(a[-1]), _top_height(b[-1]), atol=0.05)     # nodes


def test_stitch_restores_the_global_stack_from_windows():
    r = recipe_from_dict(_data(3))
    glob = initial_wafer(r).geometry
    tiles = plan_tiles(glob.grid.lateral_shape, (2, 2), 2)
    results = []
    for k, t in enumerate(tiles):
        sl = (slice(None),) + tuple(slice(a, b) for a, b in zip(t.lo, t.hi))
        p = glob.phi[sl]
        cut = k % 2                                          # shorter vertical windows on some tiles
        results.append({"phi": p[..., cut:p.shape[-1] - cut], "z0": glob.z0 + cut * 20e-9,
                        "materials": list(glob.materials), "reference_top": glob.reference_top})
    s = stitch(glob.grid, tiles, results)
    assert s.z0 == pytest.approx(glob.z0) and s.phi.shape == glob.phi.shape
    inner = s.phi[..., 1:-1]
    assert np.allclose(inner, glob.phi[..., 1:-1], atol=1e-15)


@pytest.mark.parametrize("change, path", [
    ({"tiling": {"tiles": [2], "workers": 1}}, "tiling.tiles"),
    ({"tiling": {"tiles": [40, 2], "workers": 1}}, "tiling.tiles"),
    ({"grid": {"dimension": 3, "spacing": "20 nm", "extent": ["640 nm", "600 nm"],
               "boundary": "periodic"}}, "grid.boundary"),
])
def test_bad_tiling_names_the_field(change, path):
    from waferlab.tiling import run_tiled
    from waferlab.context import RunContext

    data = {**_data(3), **change}
    with pytest.raises(RecipeError) as e:
        run_tiled(recipe_from_dict(data), RunContext(seed=1))
    assert path in f"{e.value.path} {e.value}"


def _run(data, tmp_path=None, seed=5):
    from waferlab.context import RunContext
    from waferlab.runner import execute_recipe

    return execute_recipe(recipe_from_dict(data), RunContext(seed=seed, threads=1, out_dir=tmp_path))


def test_tiled_directional_etch_equals_the_single_run(tmp_path):
    """No particle transport: with a halo of a few nodes the stitched tiles are the single
    run's surface. They are not bit-identical: each tile's initial level set is
    reinitialised on its own grid, and fast marching through the mirror edges leaves
    values up to h away from the surfaces different by < h (the zero sets are the same,
    test_tile_nodes_sit_on_the_global_nodes); after the etch the surfaces agree to 0.3 h
    (every node farther than h/2 from a surface on the same side)."""
    data = _data(3, tiles=(2, 2), halo="60 nm")
    tiled = _run(data, tmp_path)
    single = _run({k: v for k, v in data.items() if k != "tiling"})
    a, b = tiled.wafer.geometry, single.wafer.geometry
    assert a.materials == b.materials and a.phi.shape[:-1] == b.phi.shape[:-1]
    off = int(round((a.z0 - b.z0) / 20e-9))
    nz = min(a.phi.shape[-1], b.phi.shape[-1]) - abs(off)
    pa = a.phi[..., max(-off, 0):max(-off, 0) + nz]
    pb = b.phi[..., max(off, 0):max(off, 0) + nz]
    far = np.minimum(np.abs(pa), np.abs(pb)) > 0.5 * 20e-9
    assert ((pa < 0) == (pb < 0))[far].all()
    assert np.allclose(_top_height(pa[-1]), _top_height(pb[-1]), atol=0.3)
    assert tiled.metrics["tiles"] == 4
    assert tiled.metrics["etch_depth_m"] == pytest.approx(single.metrics["etch_depth_m"], abs=1e-9)
    for name in ("metrics.json", "final.vtu", "profile.png", "report.html"):
        assert (tmp_path / name).is_file(), name
    assert len(list((tmp_path / "tiles").glob("tile_*.npz"))) == 4


@pytest.mark.slow
def test_tiles_on_two_dask_workers_equal_the_inline_tiles(tmp_path):
    """The seeds belong to the tiles, not to the workers: 2 local Dask workers give the
    inline result bit for bit (a ray-traced deposition, so the seeds matter)."""
    data = _data(3, tiles=(2, 2), halo="100 nm")
    data["steps"] = [{"deposit": {"model": "single_particle", "material": "SiO2", "rate": "20 nm/min",
                                  "sticking": 0.3, "rays_per_point": 50, "time": "0.5 min"}}]
    inline = _run(data)
    data["tiling"]["workers"] = 2
    dask = _run(data)
    assert np.array_equal(inline.wafer.geometry.phi, dask.wafer.geometry.phi)


@pytest.mark.slow
def test_a_killed_worker_does_not_lose_the_tiled_run(tmp_path):
    """External scheduler + 2 workers without nannies; worker B is SIGKILLed after the
    first tile is done: its tiles are rescheduled on A and the stitched result equals the
    inline run bit for bit."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    from waferlab.context import RunContext
    from waferlab.runner import execute_recipe

    def start(args, log):
        return subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=log.open("w"),
                                stderr=subprocess.STDOUT, start_new_session=True)

    sfile = tmp_path / "scheduler.json"
    procs = [start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                    "--scheduler-file", str(sfile)], tmp_path / "s.log")]
    try:
        deadline = time.monotonic() + 60
        while not sfile.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        for name in ("wA", "wB"):
            procs.append(start(["worker", "--scheduler-file", str(sfile), "--nthreads", "1",
                                "--no-nanny", "--host", "127.0.0.1", "--no-dashboard",
                                "--name", name], tmp_path / f"{name}.log"))
        from distributed import Client
        with Client(scheduler_file=str(sfile), timeout="30s") as c:
            c.wait_for_workers(2, timeout=60)
        data = _data(3, tiles=(2, 2), halo="60 nm")
        inline = execute_recipe(recipe_from_dict(data), RunContext(seed=5, threads=1))
        data["tiling"].update(workers=2, scheduler=json.loads(sfile.read_text())["address"])
        killed = []

        def log(line):
            if "done (1/" in line and not killed:
                os.kill(procs[2].pid, signal.SIGKILL)
                killed.append(line)

        out = execute_recipe(recipe_from_dict(data), RunContext(seed=5, threads=1, log=log))
        assert killed and procs[2].wait(timeout=10) == -signal.SIGKILL
        assert np.array_equal(out.wafer.geometry.phi, inline.wafer.geometry.phi)
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.kill()
            p.wait(timeout=30)
