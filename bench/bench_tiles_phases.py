"""Where the tiled step's extra CPU goes: the step alone (``advect.advance`` in one process,
no start-up or outputs), dense against tiled on bench_scale.py's cell, CPU per phase
(issue #18, session 15, lane tiles).

The engine's functions of both paths are wrapped by a CPU counter (``time.process_time``:
user + system of every thread) and a system-time counter (``getrusage``); nested
phases are *not* subtracted (``rebuild`` contains ``rb_classify`` and ``rb_chamfer``;
``--fine`` adds the kernels inside them, prefixed ``f_``).  The storages run one after
the other in one process, alternating (``--order tiled,dense,tiled,dense``); the first
run of each pays its numba cache loads, so compare the later ones.  Both steps give the
same bits (tests/feature/test_tiles.py).

Run: python bench/bench_tiles_phases.py [--size 5.12] [--order tiled,dense,tiled,dense]
     [--fine]
"""
from __future__ import annotations

import harness
import argparse
import importlib
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

harness.configure(threads=2)

PHASES = [
    ("waferlab.feature.tiled_step", "TiledWork.__init__", "setup"),
    ("waferlab.feature.tiled_step", "TiledWork.rebuild", "rebuild"),
    ("waferlab.feature.tiled_step", "TiledWork._classify_apply", "rb_classify"),
    ("waferlab.feature.tiled_step", "TiledWork._chamfer", "rb_chamfer"),
    ("waferlab.feature.tiled_step", "TiledWork.materials_at", "materials"),
    ("waferlab.feature.tiled_step", "TiledWork.speed_bounds", "bound"),
    ("waferlab.feature.tiled_run", "beam_speeds", "speeds"),
    ("waferlab.feature.tiled_step", "TiledWork.stage", "stage"),
    ("waferlab.feature.tiled_step", "TiledWork.gather", "traffic"),
    ("waferlab.feature.tiled_step", "TiledWork.hold", "clip"),
    ("waferlab.feature.tiled_step", "TiledWork.clip_below", "clip"),
    ("waferlab.feature.tiled_step", "TiledWork.finish", "finish"),
    ("waferlab.feature.tiled_step", "TiledWork.planes_of", "slab reads"),
    ("waferlab.feature.advect", "_Work.__init__", "setup"),
    ("waferlab.feature.advect", "_Work.rebuild", "rebuild"),
    ("waferlab.feature._band", "classify_apply", "rb_classify"),
    ("waferlab.feature._band", "chamfer", "rb_chamfer"),
    ("waferlab.feature._reuse", "beam_materials", "materials"),
    ("waferlab.feature.advect", "_beam_speeds", "speeds"),
    ("waferlab.feature.advect", "stage_chunked", "stage"),
    ("waferlab.feature._step_kernels", "clip_below_mark", "clip"),
    ("waferlab.feature._kernels", "hold_top", "clip"),
    ("waferlab.feature.advect", "_Work.finish", "finish"),
]
FINE = [
    ("waferlab.feature._tile_kernels", "threshold", "f_threshold"),
    ("waferlab.feature._band", "_dilate", "f_dilate"),
    ("waferlab.feature._band", "scan_mask", "f_scan"),
    ("waferlab.feature.tiles", "TiledVolume.ensure", "f_ensure"),
    ("waferlab.feature.tiles", "TiledVolume.compact", "f_compact"),
    ("waferlab.feature.tiles", "TiledVolume.scatter", "f_scatter"),
    ("waferlab.feature.tiles", "TiledVolume.write_planes", "f_write_planes"),
    ("waferlab.feature._band", "classify", "f_classify"),
    ("waferlab.feature._tile_kernels", "chamfer_tiles", "f_chamfer"),
    ("waferlab.feature._tile_kernels", "band_mask", "f_band_mask"),
    ("waferlab.feature._tile_kernels", "positions", "f_positions"),
    ("waferlab.feature._tile_kernels", "band_cutoff", "f_cutoff"),
    ("waferlab.feature._kernels", "band_cutoff", "f_cutoff"),
    ("waferlab.feature._tile_kernels", "materials_slab", "f_materials"),
    ("waferlab.feature._tile_kernels", "materials_slab_update", "f_materials"),
    ("waferlab.feature._tile_kernels", "materials_slab_carry", "f_materials"),
    ("waferlab.feature._tile_kernels", "stage_slab", "f_stage"),
    ("waferlab.feature._tile_kernels", "put_at", "f_put"),
    ("waferlab.feature._tile_kernels", "put_at_finite", "f_put"),
    ("waferlab.feature.layer_tiles", "LayerTiles.raise_at", "f_raise"),
    ("waferlab.feature.layer_tiles", "LayerTiles.hold_into", "f_hold"),
    ("waferlab.feature._step_kernels", "dilate_columns", "f_dilate_columns"),
    ("waferlab.feature._band", "candidates", "f_candidates"),
    ("waferlab.feature._band", "new_band", "f_new_band"),
    ("waferlab.feature._band", "mark_changed", "f_mark_changed"),
    ("waferlab.feature.tiled_rebuild", "sub_candidates", "f_sub_candidates"),
    ("waferlab.feature.tiled_rebuild", "restore_mark", "f_restore"),
]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=float, default=5.12)
    ap.add_argument("--order", default="tiled,dense,tiled,dense")
    ap.add_argument("--fine", action="store_true")
    a = ap.parse_args(argv)
    import yaml

    import bench_scale as BS
    from waferlab.api import load_recipe
    from waferlab.context import RunContext
    from waferlab.feature import advect
    from waferlab.runner import initial_wafer

    acc: dict[str, float] = {}
    busy: set[str] = set()

    def wrap(modname: str, qual: str, label: str) -> None:
        obj = importlib.import_module(modname)
        *outer, name = qual.split(".")
        for part in outer:
            obj = getattr(obj, part)
        if not hasattr(obj, name):
            return
        f = getattr(obj, name)

        def counted(*x, **k):
            if label in busy:
                return f(*x, **k)
            busy.add(label)
            t = time.process_time()
            s = resource.getrusage(resource.RUSAGE_SELF).ru_stime
            try:
                return f(*x, **k)
            finally:
                acc[label] = acc.get(label, 0.0) + time.process_time() - t
                acc["sys " + label] = (acc.get("sys " + label, 0.0)
                                       + resource.getrusage(resource.RUSAGE_SELF).ru_stime - s)
                busy.discard(label)
        setattr(obj, name, counted)

    for w in PHASES + (FINE if a.fine else []):
        wrap(*w)
    p = Path(tempfile.mkdtemp()) / "r.yaml"
    p.write_text(yaml.safe_dump(BS.recipe(a.size), sort_keys=False))
    rec = load_recipe(p)
    step = rec.steps[0]
    ctx = RunContext(seed=1, threads=2)
    for st in a.order.split(","):
        geo = initial_wafer(rec).geometry
        model = step.velocity_model(tuple(geo.materials))
        acc.clear()
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.process_time()
        out, n = advect.advance(geo, model, step.time, ctx, kind="etch", storage=st)
        tot = time.process_time() - t0
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        print(f"{st}: step CPU {tot:.2f} s (user {r1.ru_utime - r0.ru_utime:.2f}, system "
              f"{r1.ru_stime - r0.ru_stime:.2f}), {n} time steps, load {os.getloadavg()[0]:.1f}")
        for k in sorted(k for k in acc if not k.startswith("sys ")):
            print(f"    {k:18s} {acc[k]:7.2f} s   (system {acc.get('sys ' + k, 0.0):.2f})")
        sys.stdout.flush()
        del out, geo
    return 0


if __name__ == "__main__":
    sys.exit(main())
