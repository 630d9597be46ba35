"""Tiled runs (process/tiles.py): tiles of whole grid nodes, tile recipes whose nodes sit
exactly on the global nodes, and stitching that restores the global stack."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.errors import RecipeError
from waferlab.process.tiles import _pattern_center, plan_tiles, stitch, tile_recipe_data
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
    from waferlab.process.tiles import run_tiled
    from waferlab.context import RunContext

    data = {**_data(3), **change}
    with pytest.raises(RecipeError) as e:
        run_tiled(recipe_from_dict(data), RunContext(seed=1))
    assert path in f"{e.value.path} {e.value}"
