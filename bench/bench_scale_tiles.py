"""The scale case (bench_scale.py) with the level-set storage forced dense or tiled, per
scheme, side by side with ViennaPS in one launch (issue #18, session 13, lane tilepost).

Each run is a whole process (``waferlab run`` through the CLI's ``main``, with
``feature.tiled_run.AUTO_TILES`` / ``TILED_MIN_NODES`` set first so the storage is the one
asked for) under ``/usr/bin/time -v``, niced, 2 threads; the recipe is bench_scale's with
the step's ``scheme`` set (weno5, eo).  Outputs of the dense and tiled runs of a cell and
scheme are compared file by file (metrics.json without its wall time).

Run: python bench/bench_scale_tiles.py [--sizes 2.56 5.12 10.24] [--schemes weno5 eo]
     [--storages dense tiled] [--tag NAME] [--no-viennaps] [--nocheck]
     [--watchdog-gb G]
     -> bench/results/scale_tiles_s14.json (the .md is written by hand from it)
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
import bench_scale as S  # noqa: E402

RESULTS = Path(__file__).parent / "results"

DRIVER = """
import sys
import waferlab.feature.tiled_run as tr
storage = sys.argv[1]
if storage != "auto":
    tr.AUTO_TILES = storage == "tiled"
    tr.TILED_MIN_NODES = 0
if sys.argv[2] == "nocheck":
    import waferlab.api as api
    _load = api.load_recipe
    api.load_recipe = lambda *a, **k: _load(*a, **dict(k, check_memory=False))
from waferlab.cli import main
sys.exit(main(["run", "recipe.yaml", "--out", "out", "--threads", "2", "--quiet", "--overwrite"]))
"""


def run(L: float, scheme: str, storage: str, work: Path, nocheck: bool,
        watchdog_gb: float | None = None) -> dict:
    d = work / f"wl-{L:g}-{scheme}-{storage}"
    d.mkdir(parents=True, exist_ok=True)
    r = S.recipe(L)
    r["steps"][0]["etch"]["scheme"] = scheme
    (d / "recipe.yaml").write_text(yaml.safe_dump(r, sort_keys=False))
    (d / "drive.py").write_text(DRIVER)
    res = S.timed(["nice", "-n", "5", sys.executable, "drive.py", storage,
                   "nocheck" if nocheck else "check"], d,
                  watchdog_mb=None if watchdog_gb is None else 1024 * watchdog_gb)
    m = json.loads((d / "out" / "metrics.json").read_text()) if res["rc"] == 0 else {}
    res["time_steps"] = m.get("time_steps")
    res["depth_um"] = m["etch_depth_m"] * 1e6 if m.get("etch_depth_m") else None
    res["out"] = str(d / "out")
    res["load"] = os.getloadavg()[0]
    return res


def same_outputs(a: Path, b: Path) -> dict:
    out = {}
    for f in sorted(p.name for p in a.iterdir()):
        if f in ("report.html", "log.txt"):
            continue
        if f == "metrics.json":
            ma, mb = (json.loads((x / f).read_text()) for x in (a, b))
            ma.pop("wall_time_s")
            mb.pop("wall_time_s")
            out[f] = ma == mb
        else:
            out[f] = (b / f).exists() and (a / f).read_bytes() == (b / f).read_bytes()
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=float, nargs="*", default=[2.56, 5.12, 10.24])
    ap.add_argument("--schemes", nargs="*", default=["weno5", "eo"])
    ap.add_argument("--storages", nargs="*", default=["dense", "tiled"])
    ap.add_argument("--tag", default="s14")
    ap.add_argument("--no-viennaps", action="store_true")
    ap.add_argument("--nocheck", action="store_true", help="recipe memory check off (40.96 µm)")
    ap.add_argument("--json", default="scale_tiles_s14.json", help="results file in bench/results")
    ap.add_argument("--watchdog-gb", type=float, default=None,
                    help="kill a run whose resident set passes this (large cells)")
    ap.add_argument("--no-warm", action="store_true", help="skip the 0.64 µm warm-up runs")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-tiles-"))
    if not a.no_warm:
        run(0.64, "weno5", "tiled", work, False)      # warm the numba cache
        run(0.64, "eo", "dense", work, False)
    js = RESULTS / a.json
    data = json.loads(js.read_text()) if js.exists() else {}
    rows = data.setdefault(a.tag, {"commit": S.commit(), "rows": []})["rows"]
    for L in a.sizes:
        for scheme in a.schemes:
            got = {}
            for st in a.storages:
                got[st] = run(L, scheme, st, work, a.nocheck, a.watchdog_gb)
                print(L, scheme, st, {k: got[st][k] for k in ("cpu_s", "rss_mb", "wall_s", "rc",
                                                              "load")}, flush=True)
            row = {"L_um": L, "scheme": scheme, **got}
            if len(got) == 2 and all(r["rc"] == 0 for r in got.values()):
                row["same"] = same_outputs(*(Path(r["out"]) for r in got.values()))
                print("  identical:", all(row["same"].values()), row["same"], flush=True)
            rows.append(row)
            js.write_text(json.dumps(data, indent=1))
        if not a.no_viennaps:
            v = S.run_viennaps(L, work)
            v["load"] = os.getloadavg()[0]
            print(L, "viennaps", v, flush=True)
            rows.append({"L_um": L, "viennaps": v})
            js.write_text(json.dumps(data, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
