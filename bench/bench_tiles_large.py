"""Peak memory and CPU of the large scale cells by phase, in one process (issue #18: "a
40.96 µm cell runs within 4 GB"; session 16, lane tiles).

bench_scale.py's cell (3D periodic L × L, hole of radius L/4 through 0.3 µm of mask,
directional etch 1 µm/min straight down, h = 0.02 µm), built by the runner's
``initial_wafer`` (the recipe's memory check off), then ``advect.advance`` with the
storage asked for (default: the automatic choice, ``tiled_run.use_tiles``) for
``--time`` seconds of the etch (a few time steps: the whole 0.5 min at 40.96 µm takes
hours of CPU on this machine).  The resident set is sampled every 20 ms by a thread
(``/proc/self/statm``); per phase: CPU (``time.process_time``: user + system of every
thread), the resident set at its end and the highest sample during it.

Session 17 (lane tilebuild): ``--build tiled`` (default) builds the wafer with the
column-tiled builders (``initial_wafer(recipe, tiled=True)``: no dense φ of the cell),
the step gets the only reference to it (as the runner hands its wafer over), and
``--outputs`` adds the run's end: the metrics (``collect_metrics``), the final
checkpoint and every final output (``write_outputs``) into a temporary folder.

Run: python bench/bench_tiles_large.py [--size 40.96] [--time 1.0] [--storage auto]
         [--build tiled|dense] [--outputs]
"""
from __future__ import annotations

import harness
import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

harness.configure(threads=2)

PAGE = os.sysconf("SC_PAGE_SIZE")


class Sampler(threading.Thread):
    """The highest resident set (MB) since the last ``reset``."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0.0
        self.stop = False

    @staticmethod
    def rss() -> float:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * PAGE / 2**20

    def run(self) -> None:
        while not self.stop:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.02)

    def reset(self) -> None:
        self.peak = self.rss()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=float, default=40.96)
    ap.add_argument("--time", type=float, default=1.0, help="etch seconds to run")
    ap.add_argument("--storage", default="auto", choices=["auto", "dense", "tiled"])
    ap.add_argument("--build", default="tiled", choices=["dense", "tiled"])
    ap.add_argument("--outputs", action="store_true", help="metrics, checkpoint, outputs")
    ap.add_argument("--no-vtk", action="store_true",
                    help="output.vtk: false (no final_surface.vtu and volume file)")
    ap.add_argument("--no-plot", action="store_true", help="output.plot: false (no pictures)")
    a = ap.parse_args(argv)
    from dataclasses import replace

    import numpy as np
    import yaml

    import bench_scale as BS
    from waferlab.api import load_recipe
    from waferlab.context import RunContext
    from waferlab.feature import advect
    from waferlab.io.checkpoint import save_checkpoint
    from waferlab.runner import collect_metrics, initial_record, initial_wafer

    s = Sampler()
    s.start()
    rows = []

    def phase(name, f):
        s.reset()
        t0 = time.process_time()
        out = f()
        rows.append((name, time.process_time() - t0, s.rss(), max(s.peak, s.rss())))
        print(f"{name:24s} CPU {rows[-1][1]:8.2f} s   RSS after {rows[-1][2]:8.0f} MB   "
              f"peak {rows[-1][3]:8.0f} MB   load {os.getloadavg()[0]:.1f}", flush=True)
        return out

    tmp = Path(tempfile.mkdtemp())
    p = tmp / "r.yaml"
    r = BS.recipe(a.size)
    r.setdefault("output", {}).update({"vtk": not a.no_vtk, "plot": not a.no_plot})
    p.write_text(yaml.safe_dump(r, sort_keys=False))
    rec = phase("load recipe", lambda: load_recipe(p, check_memory=False))
    step = rec.steps[0]
    ctx = RunContext(seed=1, threads=2)
    box = [phase(f"initial wafer (build, {a.build})",
                 lambda: initial_wafer(rec, tiled=a.build == "tiled"))]
    initial = phase("initial record (y = 0 cut)", lambda: initial_record(rec, box[0]))
    geo = box[0].geometry
    shell = replace(box.pop(), geometry=None)
    held = geo.nbytes if hasattr(geo, "nbytes") else geo.phi.nbytes
    print(f"  window {(geo.n_layers,) + tuple(geo.shape)} ({type(geo).__name__}, "
          f"dense formed: {getattr(geo, 'is_dense', True)}, "
          f"{held / 2**20:.0f} MB held; dense would be "
          f"{geo.n_layers * 8 * int(np.prod(geo.shape)) / 2**20:.0f} MB)", flush=True)
    model = step.velocity_model(tuple(geo.materials))
    st = None if a.storage == "auto" else a.storage
    handed = [geo]          # the step gets the only reference (the runner's hand-over)
    del geo
    out, n = phase(f"step {a.time:g} s ({a.storage})",
                   lambda: advect.advance(handed.pop(), model, a.time, ctx, kind="etch",
                                          storage=st))
    print(f"  {n} time steps; result {type(out).__name__}", flush=True)
    if a.outputs:
        final = replace(shell, geometry=out, time=a.time)
        del out
        metrics = phase("metrics (collect_metrics)",
                        lambda: collect_metrics(rec, initial, final))
        phase("final checkpoint", lambda: save_checkpoint(
            tmp / "checkpoint.npz", final, next_step=1, step_time=0.0, recipe_hash="bench",
            steps_taken=n, seed=1))
        # write_outputs' parts one phase each (its order; runner.write_outputs is these)
        from waferlab.feature.extract import extract_surface
        from waferlab.io.plots import picture_geometry
        from waferlab.io.raster import write_profile_png, write_surface_png
        from waferlab.io.vtk import write_materials, write_vtu_surface
        from waferlab.io.atomic import write_csv, write_json
        from waferlab.runner import profile_columns
        g = final.geometry
        phase("metrics.json, profile.csv", lambda: (
            write_json(tmp / "metrics.json", metrics),
            write_csv(tmp / "profile.csv", profile_columns(rec, final, full=g))))
        if not a.no_vtk:
            surf = phase("surface extraction", lambda: extract_surface(g))
            phase("final_surface.vtu", lambda: write_vtu_surface(
                tmp / "final_surface.vtu", surf, g.materials))
            del surf
            phase("final.vti (volume auto)", lambda: write_materials(
                tmp, g, rec.spec.output.volume))
        if not a.no_plot:
            phase("profile.png", lambda: write_profile_png(
                tmp / "profile.png", g, title=rec.name, initial=initial.geometry))
            shown = phase("picture geometry", lambda: picture_geometry(g))
            ps = phase("picture surface", lambda: extract_surface(shown))
            phase("profile_3d.png", lambda: write_surface_png(
                tmp / "profile_3d.png", ps, shown.materials, title=rec.name))
        for f in sorted(tmp.iterdir()):
            print(f"  {f.name}: {f.stat().st_size / 2**20:.1f} MB", flush=True)
        print("  metrics:", {k: v for k, v in metrics.items() if not isinstance(v, dict)}, flush=True)
    s.stop = True
    print("| phase | CPU s | RSS after MB | peak MB |")
    print("|---|---|---|---|")
    for name, cpu, rss, peak in rows:
        print(f"| {name} | {cpu:.1f} | {rss:.0f} | {peak:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
