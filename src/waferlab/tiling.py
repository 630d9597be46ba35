"""Tiled runs: a large layout clip split into tiles with halos, run as Dask tasks, stitched.

    tiling:
      tiles: [4, 4]          # tiles along x (and y in 3D)
      halo: 300 nm           # geometry each tile sees beyond its own part, on each inner side
      workers: 2             # local Dask workers (1: inline); or scheduler: tcp://host:8786
      scheduler: null

The recipe's domain (grid nodes x_k = −L/2 + (k + ½)h) is cut into tiles of whole nodes.
A tile is the same recipe on a smaller grid: its own nodes plus ``halo`` (rounded up to
whole nodes) on each side that borders another tile, with reflective boundaries, and the
layout pattern shifted so that every tile node lies where the global node lies. Each tile
runs as one task with its own random stream (``seed`` × tile index), so the result does not
depend on how many workers run it; Dask re-runs a task whose worker dies, and finished
tiles are kept in ``<out>/tiles/`` so ``--resume`` only runs the missing ones.

Transport across tile edges is handled by the halo: a tile's own nodes see the geometry
within ``halo`` of them exactly, and what lies further away only through the mirror image
of the halo. For models without particle transport (isotropic, directional, wet etching)
a halo of a few grid spacings gives the single run's surface to a fraction of a spacing
(0.3 h in tests/test_tiling.py: each tile reinitialises its own level set); for
ray-traced models the halo must cover what sends flux to a tile's own surface — the
measured difference from the single run, next to the seed-to-seed Monte Carlo
difference, is in bench/results/tiling.md. The stitched wafer gets the whole run's
metrics and outputs.

Tiling needs a layout (``structure.pattern``) or a flat stack — a feature cut at the
domain centre is one feature, not a layout — and reflective boundaries.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field

from .errors import RecipeError
from .recipe_io import SpecModel
from .units import Length

__all__ = ["TilingSpec", "Tile", "plan_tiles", "tile_recipe_data", "run_tiled", "stitch"]


class TilingSpec(SpecModel):
    """``tiling``: split the domain into ``tiles`` run as Dask tasks with a ``halo``."""

    tiles: list[int] = Field(min_length=1, max_length=2)
    halo: Length = Field(default=0.0, ge=0)
    workers: int = Field(default=2, ge=1)
    scheduler: str | None = None
    retries: int = Field(default=2, ge=0)


@dataclass(frozen=True)
class Tile:
    """One tile: its index, its own nodes [own_lo, own_hi) and its grid's nodes [lo, hi)
    per lateral axis (global node indices)."""

    index: tuple[int, ...]
    own_lo: tuple[int, ...]
    own_hi: tuple[int, ...]
    lo: tuple[int, ...]
    hi: tuple[int, ...]


def plan_tiles(nodes: tuple[int, ...], tiles: tuple[int, ...], halo_nodes: int) -> list[Tile]:
    """Tiles of whole nodes (sizes differ by at most one) with ``halo_nodes`` on inner sides."""
    cuts = [np.linspace(0, n, t + 1).round().astype(int) for n, t in zip(nodes, tiles)]
    out = []
    for idx in np.ndindex(*tiles):
        own_lo = tuple(int(c[i]) for c, i in zip(cuts, idx))
        own_hi = tuple(int(c[i + 1]) for c, i in zip(cuts, idx))
        lo = tuple(max(0, a - halo_nodes) for a in own_lo)
        hi = tuple(min(n, b + halo_nodes) for b, n in zip(own_hi, nodes))
        out.append(Tile(index=tuple(int(i) for i in idx), own_lo=own_lo, own_hi=own_hi, lo=lo, hi=hi))
    return out


def _check(recipe) -> tuple[Any, TilingSpec]:
    spec = recipe.spec
    tiling = spec.tiling
    assert tiling is not None
    g, st = spec.grid, spec.structure
    if g is None or st is None:
        raise RecipeError("tiling needs grid: and structure:", path="tiling")
    if len(tiling.tiles) != g.dimension - 1:
        raise RecipeError(f"tiling.tiles needs {g.dimension - 1} number(s) on a {g.dimension}D grid, "
                          f"got {tiling.tiles}", path="tiling.tiles", value=tiling.tiles)
    if any(t < 1 for t in tiling.tiles):
        raise RecipeError("tiling.tiles are whole numbers >= 1", path="tiling.tiles", value=tiling.tiles)
    if st.feature is not None:
        raise RecipeError("tiling splits a layout (structure.pattern) or a flat stack; a feature "
                          "cut at the domain centre is one feature: run it without tiling",
                          path="tiling")
    if g.boundary != "reflective":
        raise RecipeError(f"tiling needs grid.boundary: reflective (got {g.boundary}): the tile "
                          "edges are mirrors", path="grid.boundary", value=g.boundary)
    nodes = tuple(int(round(L / g.spacing)) for L in g.extent)
    for n, t in zip(nodes, tiling.tiles):
        if n // t < 4:
            raise RecipeError(f"{t} tiles of {n} grid nodes leave under 4 nodes per tile",
                              path="tiling.tiles", value=tiling.tiles)
    return g, tiling


def tile_recipe_data(data: dict[str, Any], tile: Tile, spacing: float, nodes: tuple[int, ...],
                     pattern_center: tuple[float, float] | None) -> dict[str, Any]:
    """The recipe of one tile (from the resolved recipe mapping ``data``)."""
    d = copy.deepcopy(data)
    d.pop("tiling", None)
    n = [b - a for a, b in zip(tile.lo, tile.hi)]
    d["grid"]["extent"] = [f"{k * spacing!r} m" for k in n]
    # tile centre in global coordinates (cell-centred nodes: x_k = -L/2 + (k + 1/2) h)
    centre = [(-0.5 * N + 0.5 * (a + b)) * spacing for N, a, b in zip(nodes, tile.lo, tile.hi)]
    pat = d["structure"].get("pattern")
    if pat is not None and pattern_center is not None:
        c = list(pattern_center) + [0.0] * (2 - len(pattern_center))
        off = centre + [0.0] * (2 - len(centre))
        pat["center"] = [f"{c[0] + off[0]!r} m", f"{c[1] + off[1]!r} m"]
    d["name"] = f"{data.get('name', 'run')}-tile-{'-'.join(map(str, tile.index))}"
    return d


def _tile_task(data: dict, source: str | None, seed: int) -> dict[str, Any]:
    """Run one tile (in a Dask worker); its final stack as arrays."""
    from .context import RunContext
    from .recipe import recipe_from_dict
    from .runner import execute_recipe

    r = recipe_from_dict(data, source=Path(source) if source else None)
    out = execute_recipe(r, RunContext(seed=seed, threads=1, out_dir=None))
    g = out.wafer.geometry
    return {"phi": np.asarray(g.phi), "z0": float(g.z0), "materials": list(g.materials),
            "reference_top": float(g.reference_top)}


def stitch(grid, tiles: list[Tile], results: list[dict[str, Any]]):
    """The global stack from the tiles' own nodes (vertical windows aligned, extended
    linearly where a tile's window is shorter)."""
    from .feature.levelset import LevelSetStack

    h = grid.spacing
    mats = results[0]["materials"]
    for t, r in zip(tiles, results):
        if r["materials"] != mats:
            raise RecipeError(f"tile {t.index} ends with materials {r['materials']}, others with "
                              f"{mats}", path="tiling")
    z0 = min(r["z0"] for r in results)
    z_hi = max(r["z0"] + h * (r["phi"].shape[-1] - 1) for r in results)
    nz = int(round((z_hi - z0) / h)) + 1
    phi = np.empty((len(mats),) + grid.lateral_shape + (nz,))
    for t, r in zip(tiles, results):
        p = r["phi"]
        off = int(round((r["z0"] - z0) / h))
        k = np.arange(nz) - off                          # tile's vertical index of each global node
        below, above = k < 0, k >= p.shape[-1]
        col = p[..., np.clip(k, 0, p.shape[-1] - 1)]
        col[..., below] -= h * (-k[below])               # φ ≈ z − top continues linearly
        col[..., above] += h * (k[above] - (p.shape[-1] - 1))
        own = tuple(slice(a - lo, b - lo) for a, b, lo in zip(t.own_lo, t.own_hi, t.lo))
        dst = tuple(slice(a, b) for a, b in zip(t.own_lo, t.own_hi))
        phi[(slice(None),) + dst] = col[(slice(None),) + own]
    top = max(r["reference_top"] for r in results)
    return LevelSetStack(grid=grid, z0=z0, phi=phi, materials=tuple(mats), reference_top=top)


def run_tiled(recipe, ctx) -> tuple[Any, Any, list[Tile]]:
    """Run the tiles (inline, on a local cluster or at ``tiling.scheduler``) and stitch
    them; returns (initial wafer, final wafer, tiles)."""
    from .feature.grid import Grid
    from .runner import initial_wafer, resolved_with_seed
    from .wafer import Wafer

    g, tiling = _check(recipe)
    grid = Grid(dimension=g.dimension, spacing=g.spacing, extent=tuple(g.extent), boundary=g.boundary)
    nodes = grid.lateral_shape
    halo_nodes = int(math.ceil(tiling.halo / g.spacing - 1e-9))
    tiles = plan_tiles(nodes, tuple(tiling.tiles), halo_nodes)
    initial = initial_wafer(recipe)
    center = _pattern_center(recipe)
    data = resolved_with_seed(recipe, ctx.seed)
    source = str(recipe.source) if recipe.source else None
    calls = [(tile_recipe_data(data, t, g.spacing, nodes, center), source,
              int(ctx.seed_sequence("tile", *t.index).generate_state(1)[0] >> 1)) for t in tiles]
    store = Path(ctx.out_dir) / "tiles" if ctx.out_dir is not None else None
    results: dict[int, dict] = {}
    if store is not None:
        for i, t in enumerate(tiles):
            f = store / f"tile_{'_'.join(map(str, t.index))}_{calls[i][2]}.npz"
            if f.is_file():
                with np.load(f, allow_pickle=False) as z:
                    results[i] = {"phi": z["phi"], "z0": float(z["z0"]), "materials": list(z["materials"]),
                                  "reference_top": float(z["reference_top"])}
                ctx.log(f"tile {t.index}: kept from {f.name}")
    todo = [i for i in range(len(tiles)) if i not in results]

    def keep(i: int, res: dict) -> None:
        results[i] = res
        ctx.log(f"tile {tiles[i].index} done ({len(results)}/{len(tiles)})")
        if store is not None:
            from .io.atomic import atomic_path

            store.mkdir(parents=True, exist_ok=True)
            f = store / f"tile_{'_'.join(map(str, tiles[i].index))}_{calls[i][2]}.npz"
            with atomic_path(f) as tmp:
                with open(tmp, "wb") as fh:
                    np.savez(fh, phi=res["phi"], z0=res["z0"], materials=np.array(res["materials"]),
                             reference_top=res["reference_top"])

    if todo and tiling.workers <= 1 and tiling.scheduler is None:
        for i in todo:
            keep(i, _tile_task(*calls[i]))
    elif todo:
        from distributed import as_completed

        from .study.executor import dask_client

        with dask_client(tiling.scheduler, workers=min(tiling.workers, len(todo)), threads=1) as client:
            futs = {client.submit(_tile_task, *calls[i], key=f"waferlab-tile-{ctx.seed}-{i}",
                                  pure=False, retries=tiling.retries): i for i in todo}
            for fut in as_completed(futs):
                keep(futs[fut], fut.result())
    final = stitch(grid, tiles, [results[i] for i in range(len(tiles))])
    return initial, Wafer(geometry=final), tiles


def _pattern_center(recipe) -> tuple[float, float] | None:
    """The layout point at the global domain centre (the pattern's centre or its bbox centre)."""
    pat = recipe.spec.structure.pattern
    if pat is None:
        return None
    if pat.center is not None:
        return (float(pat.center[0]), float(pat.center[1]))
    from .process.layout import pattern_polygons

    polys = pattern_polygons(pat, base_dir=recipe.source.parent if recipe.source else None)
    allp = np.concatenate(polys)
    c = 0.5 * (allp.min(0) + allp.max(0))
    return (float(c[0]), float(c[1]))
