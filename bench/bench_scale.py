"""Whole-process time and peak memory against the lateral cell size, side by side with ViennaPS.

Case (issue #18): a 3D periodic cell L × L with a hole of radius L/4 through a 0.3 µm mask
on Si, directional etch of Si at 1 µm/min straight down for 0.5 min (0.5 µm), grid
spacing 0.02 µm, every numerical setting at its default (waferlab: WENO5 + TVD-RK3,
cfl 0.4, all outputs: metrics.json, profile.csv, final.vtp, the material volume,
profile.png, checkpoint; ViennaPS 4.7: ``MakeHole`` + ``DirectionalProcess`` with its
default first-order scheme, the final surface written with ``saveSurfaceMesh``).

Whole process: each run is its own process (``waferlab run recipe.yaml`` on the CLI, and
a Python process for ViennaPS), measured with ``/usr/bin/time -v``: wall time, CPU time
(user + system) and peak resident memory.  Both with 2 threads (NUMBA_NUM_THREADS /
OMP_NUM_THREADS = 2, OMP_WAIT_POLICY = passive), interleaved in one launch (waferlab,
ViennaPS, waferlab, ...), best wall time of ``--repeat`` launches each; the load average
is recorded (the machine is shared).  The numba cache is warmed once before timing (as
after installation).

Variants (``--variants``, each run beside the default in the same launch): ``eo`` puts
``scheme: eo`` in the etch step (the peer's scheme); ``tiled`` runs the step with the top
set in tiles (``tiled_run.AUTO_TILES`` on from any size, through a ``python -c`` wrapper
of the CLI: no recipe key selects it).  A ``--watchdog-gb`` limit kills a run whose
resident set passes it (the 40.96 µm cell) and records the peak it reached.

Run: python bench/bench_scale.py [--sizes 2.56 5.12 10.24] [--only-waferlab 40.96]
     [--repeat 2] [--tag after] [--checkpoint-interval S --stem NAME]
     [--variants eo tiled] [--watchdog-gb 7 --no-memory-check]
     -> bench/results/scale.md (+ scale.json); with --stem only NAME.json
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
RESULTS = HERE / "results"
ENV = dict(os.environ, NUMBA_NUM_THREADS="2", OMP_NUM_THREADS="2", OMP_WAIT_POLICY="passive")

MASK_UM = 0.3
H_UM = 0.02
RATE_UM_MIN = 1.0
TIME_MIN = 0.5


def recipe(L: float, checkpoint_interval: float | None = None,
           scheme: str | None = None) -> dict:
    """The waferlab recipe of an L µm cell (defaults everywhere else); with
    ``checkpoint_interval`` (s of wall time) checkpoints fall inside the etch step;
    ``scheme`` names the etch step's scheme (None: the model's default)."""
    out = {} if checkpoint_interval is None else {
        "output": {"checkpoint_interval": f"{checkpoint_interval} s"}}
    numerics = {} if scheme is None else {"scheme": scheme}
    return out | {"name": f"scale-hole-{L:g}", "seed": 1,
            "grid": {"dimension": 3, "spacing": f"{H_UM} um", "extent": [f"{L} um", f"{L} um"],
                     "boundary": "periodic"},
            "structure": {"substrate": {"material": "Si"},
                          "layers": [{"material": "Mask", "thickness": f"{MASK_UM} um"}],
                          "feature": {"type": "hole", "radius": f"{L / 4} um",
                                      "depth": f"{MASK_UM} um"}},
            "steps": [{"etch": {"model": "directional", "rates": {"Si": f"{RATE_UM_MIN} um/min"},
                                "direction": [0, 0, -1], "isotropic_fraction": 0,
                                "time": f"{TIME_MIN} min"} | numerics}]}


VIENNAPS = """
import sys
import viennaps as vps
import viennaps.d3 as D
vps.Logger.setLogLevel(vps.LogLevel.ERROR)
L, out = float(sys.argv[1]), sys.argv[2]
d = D.Domain({h}, L, L, vps.BoundaryType.PERIODIC_BOUNDARY)
D.MakeHole(d, L / 4, 0.0, 0.0, {mask}, 0.0, vps.HoleShape.FULL, vps.Material.Si,
           vps.Material.Mask).apply()
model = D.DirectionalProcess([0.0, 0.0, -1.0], -{rate}, 0.0, vps.Material.Mask)
D.Process(d, model, {time}).apply()
d.saveSurfaceMesh(out + "/final.vtp")
""".format(h=H_UM, mask=MASK_UM, rate=RATE_UM_MIN, time=TIME_MIN)


TILED = ("import sys, waferlab.feature.tiled_run as T; T.AUTO_TILES = True; "
         "T.TILED_MIN_NODES = 0; from waferlab.cli import main; sys.exit(main(sys.argv[1:]))")


# the recipe's memory check bypassed (a cell larger than it allows, under the watchdog);
# the arguments are the CLI's: run RECIPE --out OUT ...
NOCHECK = ("import sys; from waferlab.api import load_recipe, run; "
           "run(load_recipe(sys.argv[2], check_memory=False), sys.argv[4], threads=2, "
           "overwrite=True)")


def _watch(proc: subprocess.Popen, limit_mb: float) -> tuple[bool, float]:
    """Poll the resident set of ``proc``'s children (the timed process under
    /usr/bin/time) every 0.2 s; kill the whole group past ``limit_mb``.  Returns (killed,
    largest resident set seen, MB)."""
    import time as _t
    seen = 0.0
    while proc.poll() is None:
        rss = 0.0
        try:
            kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
            for k in kids:
                for line in Path(f"/proc/{k}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        rss += float(line.split()[1]) / 1024
        except OSError:
            pass
        seen = max(seen, rss)
        if rss > limit_mb:
            os.killpg(proc.pid, 9)
            proc.wait()
            return True, seen
        _t.sleep(0.2)
    return False, seen


def timed(cmd: list[str], cwd: Path, env: dict | None = None,
          watchdog_mb: float | None = None) -> dict:
    """Run ``cmd`` under /usr/bin/time -v: wall s, cpu s, peak RSS MB, rc; with
    ``watchdog_mb`` the run is killed once its resident set passes that (``killed``)."""
    import time as _t
    t0 = _t.monotonic()
    p = subprocess.Popen(["/usr/bin/time", "-v"] + cmd, cwd=cwd, env=env or ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    killed, seen = _watch(p, watchdog_mb) if watchdog_mb else (False, 0.0)
    out, err = p.communicate()
    if killed:
        return {"wall_s": _t.monotonic() - t0, "cpu_s": float("nan"), "rss_mb": seen,
                "rc": -9, "killed": True, "stdout_tail": out[-2000:]}

    def grab(pat, conv=float):
        m = re.search(pat, err)
        return conv(m.group(1)) if m else float("nan")
    el = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", err)
    parts = [float(x) for x in el.group(1).split(":")] if el else [float("nan")]
    wall = 0.0
    for x in parts:
        wall = wall * 60 + x
    cpu = grab(r"User time \(seconds\): ([\d.]+)") + grab(r"System time \(seconds\): ([\d.]+)")
    rss = grab(r"Maximum resident set size \(kbytes\): (\d+)") / 1024
    if p.returncode != 0:
        print(err[-3000:], file=sys.stderr)
    return {"wall_s": wall, "cpu_s": cpu, "rss_mb": rss, "rc": p.returncode}


def run_waferlab(L: float, work: Path, src: str | None = None,
                 checkpoint_interval: float | None = None, variant: str = "default",
                 watchdog_mb: float | None = None, check_memory: bool = True) -> dict:
    """One waferlab run; ``src``: another checkout's src directory (a baseline) on
    PYTHONPATH instead of the present one; ``variant``: default, eo or tiled;
    ``check_memory`` False: through ``load_recipe(..., check_memory=False)`` (NOCHECK)."""
    import yaml
    d = work / (f"wl-{variant}-{L:g}" if src is None else f"base-{L:g}")
    d.mkdir(parents=True, exist_ok=True)
    scheme = "eo" if variant == "eo" else None
    (d / "recipe.yaml").write_text(yaml.safe_dump(recipe(L, checkpoint_interval, scheme),
                                                  sort_keys=False))
    env = None if src is None else dict(ENV, PYTHONPATH=src)
    head = (["-c", TILED] if variant == "tiled" else ["-m", "waferlab"] if check_memory
            else ["-c", NOCHECK])
    r = timed([sys.executable, *head, "run", "recipe.yaml", "--out", "out",
               "--threads", "2", "--quiet", "--overwrite"], d, env, watchdog_mb)
    m = json.loads((d / "out" / "metrics.json").read_text()) if r["rc"] == 0 else {}
    r["variant"] = variant
    r["time_steps"] = m.get("time_steps")
    r["depth_um"] = m["etch_depth_m"] * 1e6 if m.get("etch_depth_m") else None
    r["inner_s"] = m.get("wall_time_s")
    r["files_mb"] = sum(f.stat().st_size for f in (d / "out").iterdir()) / 2**20 \
        if (d / "out").is_dir() else None
    return r


def run_viennaps(L: float, work: Path) -> dict:
    d = work / f"vps-{L:g}"
    d.mkdir(parents=True, exist_ok=True)
    (d / "run.py").write_text(VIENNAPS)
    return timed([sys.executable, "run.py", str(L), str(d)], d)


def commit(where: Path = HERE) -> str:
    """The short commit of the checkout holding ``where`` (+dirty with local changes)."""
    try:
        c = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=where, text=True,
                           capture_output=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=where, text=True, capture_output=True).stdout.strip()
        return c + ("+dirty" if dirty else "")
    except OSError:
        return "?"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=float, nargs="*", default=[2.56, 5.12, 10.24])
    ap.add_argument("--only-waferlab", type=float, nargs="*", default=[],
                    help="sizes run with waferlab alone (e.g. 40.96)")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--tag", default="after", help="label of this run in scale.json")
    ap.add_argument("--no-viennaps", action="store_true")
    ap.add_argument("--baseline", default=None,
                    help="src directory of a baseline checkout, run in the same launch")
    ap.add_argument("--checkpoint-interval", type=float, default=None,
                    help="output.checkpoint_interval in s (wall): force checkpoints inside the step")
    ap.add_argument("--stem", default="scale", help="results file stem (bench/results/STEM.json)")
    ap.add_argument("--variants", nargs="*", default=[], choices=["eo", "tiled"],
                    help="waferlab variants run beside the default in the same launch")
    ap.add_argument("--watchdog-gb", type=float, default=None,
                    help="kill a waferlab run whose resident set passes this (GB)")
    ap.add_argument("--no-memory-check", action="store_true",
                    help="run the --only-waferlab sizes past the recipe's memory check")
    a = ap.parse_args()
    wd = None if a.watchdog_gb is None else a.watchdog_gb * 1024
    ck = a.checkpoint_interval
    try:
        import viennaps
        vver = getattr(viennaps, "__version__", "?")
    except ImportError:
        vver = None
    if a.no_viennaps:
        vver = None
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    run_waferlab(0.64, work)                       # warm the numba cache
    for v in a.variants:
        run_waferlab(0.64, work, variant=v)
    if a.baseline:
        run_waferlab(0.64, work, a.baseline)
    load0 = os.getloadavg()
    rows = []
    for L in a.sizes + a.only_waferlab:
        wl, vp, base = [], [], []
        var: dict[str, list] = {v: [] for v in a.variants}
        for _ in range(a.repeat):
            if a.baseline:
                base.append(run_waferlab(L, work, a.baseline, ck))
                print("baseline", L, base[-1], flush=True)
            wl.append(run_waferlab(L, work, checkpoint_interval=ck, watchdog_mb=wd,
                                   check_memory=not (a.no_memory_check
                                                     and L in a.only_waferlab)))
            print("waferlab", L, wl[-1], flush=True)
            for v in a.variants:
                var[v].append(run_waferlab(L, work, checkpoint_interval=ck, variant=v,
                                           watchdog_mb=wd))
                print("waferlab", v, L, var[v][-1], flush=True)
            if vver and L not in a.only_waferlab:
                vp.append(run_viennaps(L, work))
                print("viennaps", L, vp[-1], flush=True)
        best = min(wl, key=lambda r: r["wall_s"])
        bv = min(vp, key=lambda r: r["wall_s"]) if vp else None
        rows.append({"L_um": L, "waferlab": best, "viennaps": bv,
                     "waferlab_all": wl, "viennaps_all": vp})
        if base:
            rows[-1]["baseline"] = min(base, key=lambda r: r["wall_s"])
            rows[-1]["baseline_all"] = base
        for v, runs in var.items():
            rows[-1][f"waferlab_{v}"] = min(runs, key=lambda r: r["wall_s"])
            rows[-1][f"waferlab_{v}_all"] = runs
    load1 = os.getloadavg()
    stamp = commit()
    RESULTS.mkdir(exist_ok=True)
    js = RESULTS / f"{a.stem}.json"
    data = json.loads(js.read_text()) if js.exists() else {}
    data[a.tag] = {"commit": stamp, "load": [load0[0], load1[0]], "rows": rows,
                   "viennaps": vver}
    if a.baseline:
        data[a.tag]["baseline"] = a.baseline
        data[a.tag]["baseline_commit"] = commit(Path(a.baseline))
    js.write_text(json.dumps(data, indent=1))
    write_md(data, RESULTS / f"{a.stem}.md")
    return 0


def _cell(r):
    if r is None:
        return "n/a"
    if r.get("killed"):
        return (f"killed by the watchdog after {r['wall_s']:.0f} s wall at "
                f"{r['rss_mb'] / 1024:.2f} GB resident")
    if r["rc"] != 0:
        return f"failed (rc {r['rc']}, {r['wall_s']:.0f} s, {r['rss_mb'] / 1024:.2f} GB)"
    return f"{r['wall_s']:.1f} s / {r['cpu_s']:.1f} s / {r['rss_mb']:.0f} MB"


def write_md(data: dict, path: Path = RESULTS / "scale.md") -> None:
    lines = ["# Whole process against the lateral cell size (issue #18)", "",
             __doc__.split("Run:")[0].strip().replace("\n", " "), "",
             f"Machine: {platform.machine()}, 2 cores shared with other jobs; Python "
             f"{sys.version.split()[0]}.  Cells: wall / CPU (user + system) / peak RSS of the "
             "whole process; best wall of the launches (each launch's numbers in scale.json).  "
             "At a load average far above the 2 cores the wall times measure the queue more "
             "than the codes: compare the CPU times.", ""]
    for tag, d in data.items():
        load = (f"load average {d['load'][0]:.1f} → {d['load'][1]:.1f}" if d.get("load")
                else d.get("note", "load not recorded"))
        lines += [f"## {tag}: commit {d['commit']}, {load}, ViennaPS {d.get('viennaps')}", "",
                  "| lateral size | waferlab wall / CPU / peak | time steps | output files "
                  "| ViennaPS wall / CPU / peak | wall ratio | CPU ratio |",
                  "|---|---|---|---|---|---|---|"]
        for row in d["rows"]:
            w, v = row["waferlab"], row["viennaps"]
            ok = v is not None and v["rc"] == 0 and w["rc"] == 0
            lines.append(
                f"| {row['L_um']:g} µm | {_cell(w)} | {w.get('time_steps')} | "
                f"{w['files_mb']:.1f} MB | " if w.get("files_mb") is not None else
                f"| {row['L_um']:g} µm | {_cell(w)} | {w.get('time_steps')} | n/a | ")
            lines[-1] += (f"{_cell(v)} | " + (f"**{w['wall_s'] / v['wall_s']:.2f}** | "
                                              f"{w['cpu_s'] / v['cpu_s']:.2f} |" if ok
                                              else "n/a | n/a |"))
        if any("baseline" in row for row in d["rows"]):
            lines += ["", f"Baseline in the same launch ({d.get('baseline')}):", "",
                      "| lateral size | baseline wall / CPU / peak | this commit wall / CPU / "
                      "peak |", "|---|---|---|"]
            lines += [f"| {row['L_um']:g} µm | {_cell(row.get('baseline'))} | "
                      f"{_cell(row['waferlab'])} |" for row in d["rows"]]
        variants = sorted({k[9:] for row in d["rows"] for k in row
                           if k.startswith("waferlab_") and not k.endswith("_all")})
        if variants:
            lines += ["", "Variants in the same launch (CPU ratio against ViennaPS's CPU):", "",
                      "| lateral size | default | " + " | ".join(variants) + " |",
                      "|---|---|" + "---|" * len(variants)]
            for row in d["rows"]:
                v = row["viennaps"]
                cells = []
                for r in [row["waferlab"]] + [row.get(f"waferlab_{x}") for x in variants]:
                    ratio = (f" (CPU ratio {r['cpu_s'] / v['cpu_s']:.2f})"
                             if r and v and r["rc"] == 0 and v["rc"] == 0 else "")
                    cells.append(_cell(r) + ratio)
                lines.append(f"| {row['L_um']:g} µm | " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["Targets (issue #18): at 10.24 µm peak memory < 500 MB and wall ratio ≤ 1.0; "
              "a 40.96 µm cell within 4 GB.", ""]
    path.write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
