"""Fixed cost of a waferlab process, as a user pays it (issue #18 item 3).

Each command runs as its own process (``harness.process``: wall, CPU from ``os.wait4``,
peak RSS, load average), the commands interleaved and repeated; the median is reported:

    import      python -c "import waferlab" (and "import viennaps": the peer's start-up)
    help        waferlab --help (every sub-command's parser)
    run 2D      waferlab run of case A (2D trench deposition, 10.08 µm at 0.24 µm, 1000
                rays per point) cut to 0.1 min: two time steps, every default output
    run 3D      waferlab run of examples/hole-quarter.yaml cut to 0.05 min: two time steps
    run 2D, no pictures/VTK   the 2D run with ``output: {plot: false, vtk: false}``

For the runs, "in run" is the run's own wall time (``wall_time_s`` of metrics.json: from
the parsed recipe to the last step's end); the rest of the process (start-up, recipe
parsing, metrics, outputs) is "outside".  The numba cache is warm (one untimed launch
of each first).

Run: python bench/bench_startup.py [--repeat 3] [--out bench/results/startup.md]
     [--base OTHER_TREE/src]   (a second tree, interleaved: rows "(before)")
"""
from __future__ import annotations

import harness
import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

harness.configure(threads=2)

import yaml  # noqa: E402

OUT = harness.RESULTS / "startup.md"
EXAMPLES = harness.ROOT / "examples"


def _recipe(path: Path, time: str) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["steps"][0][next(iter(data["steps"][0]))]["time"] = time
    return data


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def commands(work: Path) -> dict[str, list[str]]:
    exe = [sys.executable, "-m", "waferlab"]
    out = {"import": [sys.executable, "-c", "import waferlab"],
           "import viennaps (the peer)": [sys.executable, "-c", "import viennaps"],
           "help": exe + ["--help"]}
    for name, path, t in (("run 2D", EXAMPLES / "trench-deposition.yaml", "0.1 min"),
                          ("run 2D, no pictures/VTK", EXAMPLES / "trench-deposition.yaml",
                           "0.1 min"),
                          ("run 3D", EXAMPLES / "hole-quarter.yaml", "0.05 min")):
        rec = work / (_slug(name) + ".yaml")
        data = _recipe(path, t)
        if "no pictures" in name:
            data["output"] = {"plot": False, "vtk": False}
        rec.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        out[name] = exe + ["run", str(rec), "--out", str(work / _slug(name)),
                           "--threads", "2", "--quiet", "--overwrite"]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--src", type=Path, default=harness.ROOT / "src",
                    help="the waferlab source tree to measure (e.g. an older commit's clone)")
    ap.add_argument("--base", type=Path, default=None,
                    help="a second source tree measured in the same launch, interleaved "
                         "(rows '(before)')")
    a = ap.parse_args(argv)
    envs = {"": dict(os.environ, PYTHONPATH=str(a.src))}
    if a.base is not None:
        envs[" (before)"] = dict(os.environ, PYTHONPATH=str(a.base.resolve()))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cmds = {}
        for tag, env in envs.items():
            sub = work / (_slug(tag) or "this")
            sub.mkdir()
            for name, cmd in commands(sub).items():
                if tag and name.startswith("import viennaps"):
                    continue                            # the peer's row once
                cmds[name + tag] = (cmd, env, sub)
        for cmd, env, _ in cmds.values():               # warm the numba cache
            r = harness.process(cmd, env=env)
            if r["rc"] != 0:
                print(r["stderr"], file=sys.stderr)
                return 1
        runs: dict[str, list[dict]] = {k: [] for k in cmds}
        for _ in range(a.repeat):
            for name, (cmd, env, sub) in cmds.items():
                r = harness.process(cmd, env=env)
                if name.startswith("run"):
                    base = name.replace(" (before)", "")
                    m = json.loads((sub / _slug(base) / "metrics.json").read_text())
                    r["in_run_s"] = float(m["wall_time_s"])
                runs[name].append(r)
                print(name, {k: v for k, v in r.items() if k != "stderr"}, flush=True)
    rows = []
    for name, rs in runs.items():
        med = {k: statistics.median(r[k] for r in rs) for k in ("wall_s", "cpu_s", "rss_mb", "load")}
        inrun = (f"{statistics.median(r['in_run_s'] for r in rs):.2f}" if "in_run_s" in rs[0]
                 else "–")
        outside = (f"{statistics.median(r['wall_s'] - r['in_run_s'] for r in rs):.2f}"
                   if "in_run_s" in rs[0] else "–")
        rows.append(f"| {name} | {med['wall_s']:.2f} | {med['cpu_s']:.2f} | {inrun} | {outside} "
                    f"| {med['rss_mb']:.0f} | {med['load']:.1f} |")
    text = ["# Fixed cost of a waferlab process (issue #18 item 3)", "",
            f"Source: {a.src}" + (f" (before: {a.base})" if a.base else "")
            + f".  Median of {a.repeat} interleaved launches per command, numba cache warm, "
            "2 threads. "
            "CPU: user + system of the whole process (all threads). \"in run\": the run's own "
            "wall time (metrics.json `wall_time_s`); \"outside\": process wall − in run "
            "(start-up, recipe parsing, metrics, outputs).", "",
            "| command | wall s | CPU s | in run s | outside s | peak RSS MB | load |",
            "|---|---|---|---|---|---|---|", *rows]
    harness.write_text(a.out, "\n".join(text))
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
