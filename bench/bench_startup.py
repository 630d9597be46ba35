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

``--detail RECIPE``: where the fixed cost of ``waferlab run RECIPE`` goes, one
instrumented process per launch (as the command: ``sys.argv[0]`` is ``waferlab``), the
median over ``--repeat`` launches of each tree: CPU (``time.process_time``) of the
recipe's parsing, each numba kernel's first call (its cache load; the first one also
builds numba's target context), the outputs (profile.png apart), the metrics table, and
"exit" (the whole process from ``os.wait4`` less the CPU counted when ``main`` returned:
the interpreter's start and its exit); the imports by package (each module's own CPU,
wherever it was imported: these overlap the rows above); how many numba dispatchers the
imported modules define and how many the run loads.

     python bench/bench_startup.py --detail case.yaml [--base OTHER/src] [--repeat 3]
         [--out bench/results/startup_detail.md]
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


# (module, attribute path, row) wrapped in the detail child; inner rows subtract nothing
DETAIL = [("waferlab.api", "load_recipe", "recipe parsed"),
          ("waferlab.runner", "write_outputs", "outputs (all)"),
          ("waferlab.io.raster", "write_profile_png", "outputs: profile.png"),
          ("waferlab.io.report", "write_run_report", "outputs: report.html"),
          ("waferlab.cli_core", "_print_metrics", "metrics table (rich)"),
          ("waferlab.api", "run", "api.run (the run and its outputs)")]


def detail_child(recipe: Path, out: Path, result: Path) -> None:
    """Run ``waferlab run recipe`` in this process as the command, instrumented."""
    import importlib
    import importlib._bootstrap as boot
    import time

    sys.argv[0] = "waferlab"
    T = time.process_time
    acc: dict[str, float] = {}
    imports: dict[str, float] = {}
    stack: list[list] = []
    load_unlocked = boot._load_unlocked

    def timed_load(spec):                       # each module's own import CPU
        stack.append([spec.name, T(), 0.0])
        try:
            return load_unlocked(spec)
        finally:
            name, t0, inner = stack.pop()
            total = T() - t0
            top = name.split(".")[0]
            imports[top] = imports.get(top, 0.0) + total - inner
            if stack:
                stack[-1][2] += total
    boot._load_unlocked = timed_load

    import waferlab  # noqa: F401  (first: the command's start-up, before numba's import)
    from numba.core.dispatcher import Dispatcher
    first = Dispatcher._compile_for_args
    loads: list[tuple[str, float]] = []

    def loading(self, *a, **k):
        t = T()
        try:
            return first(self, *a, **k)
        finally:
            loads.append((f"{self.py_func.__module__}.{self.py_func.__name__}", T() - t))
    Dispatcher._compile_for_args = loading  # type: ignore[method-assign]

    def wrap(modname: str, qual: str, label: str) -> None:
        obj = importlib.import_module(modname)
        f = getattr(obj, qual)

        def counted(*a, **k):
            t = T()
            try:
                return f(*a, **k)
            finally:
                acc[label] = acc.get(label, 0.0) + T() - t
        setattr(obj, qual, counted)
    from waferlab.cli import main as cli            # the command's start-up (waferlab/__init__)
    for m, q, lab in DETAIL:
        wrap(m, q, lab)
    cli(["run", str(recipe), "--out", str(out), "--threads", "1", "--quiet", "--overwrite"])
    acc["in process"] = T()
    defined = len({id(v) for name, mod in list(sys.modules.items())
                   if name.startswith("waferlab") for v in vars(mod).values()
                   if isinstance(v, Dispatcher)})
    result.write_text(json.dumps({"rows": acc, "imports": imports, "loads": loads,
                                  "defined": defined}))


def detail(a) -> int:
    """The --detail table (see the module docstring)."""
    trees = {"after": a.src}
    if a.base is not None:
        trees["before"] = a.base.resolve()
    res: dict[str, list[dict]] = {k: [] for k in trees}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(a.repeat + 1):                  # the first launch warms, untimed
            for tag, src in trees.items():
                d = Path(tmp) / f"{tag}{k}"
                d.mkdir()
                env = dict(os.environ, PYTHONPATH=str(src))
                r = harness.process([sys.executable, __file__, "--detail-child",
                                     str(a.detail.resolve()), str(d / "out"),
                                     str(d / "r.json")], env=env)
                if r["rc"] != 0:
                    print(r["stderr"], file=sys.stderr)
                    return 1
                if k:
                    got = json.loads((d / "r.json").read_text())
                    got["whole"], got["load"] = r["cpu_s"], r["load"]
                    res[tag].append(got)
                    print(tag, round(r["cpu_s"], 2), {n: round(v, 3) for n, v in got["rows"].items()},
                          flush=True)
    med = statistics.median

    def rows(tag: str) -> dict[str, float]:
        rs = res[tag]
        out = {"whole process (os.wait4)": med(r["whole"] for r in rs)}
        out["exit and interpreter start (whole − counted in process)"] = med(
            r["whole"] - r["rows"]["in process"] for r in rs)
        for _, _, lab in DETAIL:
            out[lab] = med(r["rows"].get(lab, 0.0) for r in rs)
        out["numba: first kernel call (target context + its imports + cache load)"] = med(
            r["loads"][0][1] for r in rs)
        out["numba: the other kernels' cache loads"] = med(
            sum(t for _, t in r["loads"][1:]) for r in rs)
        return out
    table = {tag: rows(tag) for tag in trees}
    head = "| row | " + " | ".join(f"{t} CPU s" for t in trees) + " |"
    lines = [head, "|---|" + "---|" * len(trees)]
    for name in table["after"]:
        lines.append(f"| {name} | " + " | ".join(f"{table[t][name]:.3f}" for t in trees) + " |")
    tops = sorted({p for rs in res.values() for r in rs for p in r["imports"]},
                  key=lambda p: -med(r["imports"].get(p, 0.0) for r in res["after"]))
    imp = ["| package (own import CPU) | " + " | ".join(f"{t} CPU s" for t in trees) + " |",
           "|---|" + "---|" * len(trees)]
    for p in tops[:14]:
        imp.append(f"| {p} | " + " | ".join(
            f"{med(r['imports'].get(p, 0.0) for r in res[t]):.3f}" for t in trees) + " |")
    imp.append("| **all imports** | " + " | ".join(
        f"**{med(sum(r['imports'].values()) for r in res[t]):.3f}**" for t in trees) + " |")
    last = res["after"][-1]
    names = [n for n, _ in last["loads"]]
    kern = [f"Numba dispatchers defined by the imported waferlab modules: {last['defined']}; "
            f"first calls (cache loads) in the run: {len(names)}, of {len(set(names))} "
            "distinct kernels (a kernel called with a second type signature loads a second "
            "specialisation): " + ", ".join(
                f"{n.split('.')[-1]} {t * 1e3:.0f} ms" for n, t in last["loads"]) + "."]
    text = ["# Where the fixed cost of `waferlab run` goes (issue #17/#18)", "",
            f"`waferlab run {a.detail.name} --threads 1 --quiet` as the command, one "
            f"instrumented process per launch, median of {a.repeat} launches per tree "
            "(alternating, after one untimed launch each), numba cache warm; "
            + ", ".join(f"{t}: {p}" for t, p in trees.items())
            + ".  CPU = user + system.  Rows overlap where a function calls another "
            "(api.run holds the kernel loads and the outputs).  Load average "
            f"{med(r['load'] for rs in res.values() for r in rs):.1f}.", "",
            *lines, "", *imp, "", *kern]
    harness.write_text(a.out, "\n".join(text))
    print(f"wrote {a.out}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--detail", type=Path, default=None,
                    help="a recipe: the fixed cost of `waferlab run` on it, row by row")
    ap.add_argument("--detail-child", nargs=3, type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--src", type=Path, default=harness.ROOT / "src",
                    help="the waferlab source tree to measure (e.g. an older commit's clone)")
    ap.add_argument("--base", type=Path, default=None,
                    help="a second source tree measured in the same launch, interleaved "
                         "(rows '(before)')")
    a = ap.parse_args(argv)
    if a.detail_child:
        detail_child(*a.detail_child)
        return 0
    if a.detail is not None:
        if a.out == OUT:
            a.out = harness.RESULTS / "startup_detail.md"
        return detail(a)
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
