"""CPU of each final output of a run (issue #18, item 3), from the run's final checkpoint.

For each cell size of bench_scale.py's case (3D periodic cell with a masked hole, 0.02 µm,
0.5 min, defaults) the recipe is run once (``waferlab run``, or an existing run folder
given with ``--runs``); then, in a fresh process per checkout (this one and ``--baseline``
SRC, alternating), every output ``runner.write_outputs`` and ``_finish`` produce is
formed again from the final checkpoint and timed with ``time.process_time`` (CPU of all
threads): the metrics (``collect_metrics``: profile metrics on the y = 0 cut and the
material amounts), metrics.json, profile.csv, the surface extraction, final_surface.vtu,
the material volume (final.vti above 1 M cells), profile.png, the 3D picture's stack and
surface (a cell small enough to be drawn as it is reuses the extracted surface, as
``write_outputs`` does), profile_3d.png, report.html and the final checkpoint.  The first call of each
is what a run pays (it includes loading the output's numba kernels from the cache); the
second is the warm cost.  Set-up (building the initial wafer) is timed too, for scale.

Run: python bench/bench_outputs.py [--sizes 2.56 5.12 10.24] [--baseline /work/main/src]
     [--runs DIR ...] [--stem outputs_s16]  -> bench/results/STEM_data.json (+ a table
     printed in Markdown)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from bench_scale import ENV, commit, recipe  # noqa: E402

PROBE = r'''
import json, sys, tempfile, time
from pathlib import Path
from waferlab.api import load_recipe
from waferlab.io.checkpoint import load_checkpoint, save_checkpoint
from waferlab import runner as R
from waferlab.io.atomic import write_csv, write_json
from waferlab.feature.extract import extract_surface
from waferlab.io.vtk import write_materials, write_vtu_surface
from waferlab.io.raster import write_profile_png, write_surface_png
from waferlab.io.plots import picture_geometry
from waferlab.io.report import write_run_report

run = Path(sys.argv[1])
rec = load_recipe(run / "recipe.yaml")
wafer = load_checkpoint(run / "out" / "checkpoint.npz").wafer
geo = wafer.geometry
tmp = Path(tempfile.mkdtemp())
T = {}

def t(name, f):
    out = []
    for _ in range(2):
        c = time.process_time(); r = f(); out.append(time.process_time() - c)
    T[name] = out
    return r

init = t("set-up: initial wafer", lambda: R.initial_record(rec, R.initial_wafer(rec)))
full = R._unfolded(rec, geo)
m = t("metrics (collect_metrics)", lambda: R.collect_metrics(rec, init, wafer, full=full))
t("metrics.json", lambda: write_json(tmp / "metrics.json", m))
t("profile.csv", lambda: write_csv(tmp / "profile.csv", R.profile_columns(rec, wafer, full=full)))
s = t("surface extraction", lambda: extract_surface(geo))
t("final_surface.vtu", lambda: write_vtu_surface(tmp / "final_surface.vtu", s, geo.materials))
t("volume (final.vti/.vtu)", lambda: write_materials(tmp, geo, rec.spec.output.volume))
t("profile.png", lambda: write_profile_png(tmp / "profile.png", full, title=rec.name,
                                           initial=R._unfolded(rec, init.geometry)))
shown = t("3D picture: stack averaged", lambda: picture_geometry(full))
s2 = t("3D picture: its surface", lambda: s if shown is geo else extract_surface(shown))
t("profile_3d.png", lambda: write_surface_png(tmp / "profile_3d.png", s2, shown.materials,
                                              title=rec.name))
t("report.html", lambda: write_run_report(tmp, recipe=None, metrics=m, reactor=None,
                                          log=("x",), timings=()))
t("final checkpoint", lambda: save_checkpoint(tmp / "checkpoint.npz", wafer, next_step=1,
                                              step_time=0.0, recipe_hash="x",
                                              steps_taken=1, seed=1))
files = {p.name: p.stat().st_size for p in tmp.iterdir()}
print(json.dumps({"cpu_s": T, "files": files, "shape": list(geo.shape),
                  "triangles": int(len(s.elements))}))
'''


def run_case(L: float, work: Path) -> Path:
    d = work / f"run-{L:g}"
    d.mkdir(parents=True, exist_ok=True)
    (d / "recipe.yaml").write_text(yaml.safe_dump(recipe(L), sort_keys=False))
    subprocess.run([sys.executable, "-m", "waferlab", "run", "recipe.yaml", "--out", "out",
                    "--threads", "2", "--quiet", "--overwrite"], cwd=d, env=ENV, check=True)
    return d


def probe(run: Path, src: str | None) -> dict:
    env = ENV if src is None else dict(ENV, PYTHONPATH=src)
    out = subprocess.run([sys.executable, "-c", PROBE, str(run)], env=env, text=True,
                         capture_output=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=float, nargs="*", default=[2.56, 5.12, 10.24])
    ap.add_argument("--runs", nargs="*", default=None, help="existing run folders, one per size")
    ap.add_argument("--baseline", default=None, help="src of a baseline checkout")
    ap.add_argument("--stem", default="outputs_s16")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-outputs-"))
    runs = [Path(r) for r in a.runs] if a.runs else [run_case(L, work) for L in a.sizes]
    res: dict = {"commit": commit(), "load": [os.getloadavg()[0]], "rows": []}
    if a.baseline:
        res["baseline_commit"] = commit(Path(a.baseline))
    for L, run in zip(a.sizes, runs):
        row = {"L_um": L}
        if a.baseline:
            row["baseline"] = probe(run, a.baseline)
        row["this"] = probe(run, None)
        res["rows"].append(row)
        print(L, json.dumps(row)[:300], flush=True)
    res["load"].append(os.getloadavg()[0])
    (HERE / "results" / f"{a.stem}_data.json").write_text(json.dumps(res, indent=1))
    print(table(res))
    return 0


def table(res: dict) -> str:
    """A Markdown table: first-call CPU per output, baseline → this, per size."""
    rows = res["rows"]
    names = list(rows[0]["this"]["cpu_s"])
    head = "| output | " + " | ".join(f"{r['L_um']:g} µm" for r in rows) + " |"
    lines = [head, "|---|" + "---|" * len(rows)]

    def cell(r, n):
        b = r.get("baseline", {}).get("cpu_s", {}).get(n)
        t = r["this"]["cpu_s"][n]
        return (f"{b[0]:.2f} → {t[0]:.2f}" if b else f"{t[0]:.2f}")
    for n in names:
        lines.append(f"| {n} | " + " | ".join(cell(r, n) for r in rows) + " |")
    tot = []
    for r in rows:
        keys = [n for n in names if not n.startswith("set-up")]
        t = sum(r["this"]["cpu_s"][n][0] for n in keys)
        b = sum(r["baseline"]["cpu_s"][n][0] for n in keys) if "baseline" in r else None
        tot.append(f"**{b:.2f} → {t:.2f}**" if b is not None else f"**{t:.2f}**")
    lines.append("| **outputs, total (set-up excluded)** | " + " | ".join(tot) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
