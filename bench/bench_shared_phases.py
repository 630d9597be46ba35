"""Where the CPU of the shared cases goes: the whole process of ``waferlab run`` split
into phases (issue #18 item 3).

Each case (bench_shared_cases.py's recipes A, B, H0.2, H1) runs in its own process, as
``waferlab run case.yaml --threads 2 --quiet`` does, with a few functions wrapped by a
CPU counter (``time.process_time``: user + system of all the process's threads, so a
numba-parallel kernel counts both threads).  Nested phases are subtracted from their
parents, so the rows add up to the process's CPU:

    start-up         interpreter, imports, recipe parsing up to the run
    numba loads      the first call of each numba kernel: its cache loaded (the first
                     one also builds numba's target context), wherever it falls
    set-up           initial wafer, checks, step set-up
    ray kernels      ``flux._kernels.trace2d/3d`` (lane tracer)
    flux engine      the rest of the flux step: cell lists, skip field, batch means,
                     model evaluation, pooling/centroid trees, carried coverages
    band k-NN        the interpolation of the fluxes/velocities to the band nodes
                     (``FluxState.at``: cKDTree query)
    extraction       the surface extracted for each trace (marching cubes)
    band rebuild     ``_band.rebuild`` (lane sparse)
    level set        the rest of ``advect.advance``: band geometry, materials, stages
    outputs          metrics and every default output

Besides the shared cases, the #17 whole-process 2D cases of bench_etch_chemistries.py
(``hbro2``, ``cf4o2``: the 2D masked trench, h 0.02 µm, 300 rays per point, 10 s; the
same recipe as its ``--worker``, run here through ``waferlab run`` with every default
output) can be split the same way.

Run: python bench/bench_shared_phases.py [--cases A,B,H0.2,hbro2,cf4o2] [--scale 1]
     [--repeat N] [--base OTHER_TREE/src] [--out bench/results/shared_phases.md]
(``--base``: a second source tree, e.g. main's, run alternating with this one in the same
launch: columns "(before)"; ``--repeat``: medians over N launches of each.)
"""
from __future__ import annotations

import harness
import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

harness.configure(threads=2)

OUT = harness.RESULTS / "shared_phases.md"
HERE = Path(__file__).resolve().parent

# (module, attribute path, label); inner phases first in the table
WRAPPED = [
    ("waferlab.feature.flux._kernels", "trace2d", "kernels"),
    ("waferlab.feature.flux._kernels", "trace3d", "kernels"),
    ("waferlab.feature.flux.transport", "FluxState.at", "knn"),
    ("waferlab.feature.flux.transport", "surface_of", "extract"),
    ("waferlab.feature.flux.transport", "TracedTransport.prepare", "prepare"),
    ("waferlab.feature.flux.transport", "TracedTransport.speed", "speed"),
    ("waferlab.feature._band", "rebuild", "rebuild"),
    ("waferlab.feature.advect", "advance", "advance"),
    ("waferlab.runner", "collect_metrics", "outputs"),
    ("waferlab.runner", "write_outputs", "outputs"),
    ("waferlab.api", "run", "run"),
]
ROWS = [("start-up", "start-up"), ("numba kernel loads", "numba"), ("set-up", "set-up"),
        ("ray kernels", "kernels"),
        ("flux engine (rest)", "engine"), ("band k-NN", "knn"), ("extraction", "extract"),
        ("band rebuild", "rebuild"), ("level set (rest)", "levelset"), ("outputs", "outputs")]


def child(recipe: Path, out: Path, result: Path) -> None:
    """Run ``waferlab run recipe`` in this process with the phases counted, as the
    ``waferlab`` command (``sys.argv[0]`` is the command's: waferlab/__init__'s command
    start-up, e.g. the garbage collector held off until the run, applies as it does to
    the user's command)."""
    import importlib
    import time

    sys.argv[0] = "waferlab"

    acc: dict[str, float] = {}
    busy: set[str] = set()

    def wrap(modname: str, qual: str, label: str) -> None:
        obj = importlib.import_module(modname)
        *outer, name = qual.split(".")
        for part in outer:
            obj = getattr(obj, part)
        f = getattr(obj, name)

        def counted(*a, **k):
            if label in busy:                   # re-entered: counted by the outer call
                return f(*a, **k)
            busy.add(label)
            t = time.process_time()
            try:
                return f(*a, **k)
            finally:
                acc[label] = acc.get(label, 0.0) + time.process_time() - t
                busy.discard(label)
        setattr(obj, name, counted)

    for m, q, lab in WRAPPED:
        wrap(m, q, lab)
    # numba's first call of each kernel (cache load; the first one also builds numba's
    # target context): its own row, taken out of every phase it falls in
    from numba.core.dispatcher import Dispatcher
    first = Dispatcher._compile_for_args

    def loading(self, *a, **k):
        t = time.process_time()
        try:
            return first(self, *a, **k)
        finally:
            dt = time.process_time() - t
            acc["numba"] = acc.get("numba", 0.0) + dt
            for lab in busy:
                acc[lab] = acc.get(lab, 0.0) - dt
    Dispatcher._compile_for_args = loading  # type: ignore[method-assign]
    from waferlab.cli import main as cli
    try:
        cli(["run", str(recipe), "--out", str(out), "--threads", "2", "--quiet",
             "--overwrite"])
    finally:
        acc["total"] = time.process_time()
        result.write_text(json.dumps(acc))


def phases(acc: dict[str, float]) -> dict[str, float]:
    """The table's rows from the nested counters (each phase less what it contains)."""
    g = lambda k: acc.get(k, 0.0)  # noqa: E731
    return {
        "numba": g("numba"), "kernels": g("kernels"), "knn": g("knn"), "extract": g("extract"),
        "engine": g("prepare") - g("kernels") - g("extract") + g("speed") - g("knn"),
        "rebuild": g("rebuild"),
        "levelset": g("advance") - g("prepare") - g("speed") - g("rebuild"),
        "outputs": g("outputs"),
        "set-up": g("run") - g("advance") - g("outputs"),
        "start-up": g("total") - g("run"),     # replaced by the parent (os.wait4)
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default="A,B,H0.2")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--base", type=Path, default=None,
                    help="a second source tree (e.g. main's src) run in the same launch, "
                         "alternating case by case: columns '(before)'")
    ap.add_argument("--repeat", type=int, default=1,
                    help="launches per case and tree (alternating); the median of each row")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        child(*map(Path, a.child))
        return 0
    import statistics

    import yaml
    from bench_shared_cases import _byte_compile

    trees = {"": harness.ROOT / "src"}
    if a.base is not None:
        trees[" (before)"] = a.base.resolve()
    _byte_compile([*trees.values(), HERE])
    runs: dict[str, list[tuple[dict, dict]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in a.cases.split(","):
            for k in range(a.repeat):
                for tag, src in trees.items():
                    d = Path(tmp) / f"{case}{tag.strip(' ()')}{k}"
                    d.mkdir()
                    (d / "case.yaml").write_text(yaml.safe_dump(case_recipe(case, a.scale),
                                                                sort_keys=False))
                    env = dict(os.environ, PYTHONPATH=str(src))
                    r = harness.process([sys.executable, __file__, "--child",
                                         str(d / "case.yaml"), str(d / "out"),
                                         str(d / "phases.json")], env=env)
                    if r["rc"] != 0:
                        print(r["stderr"], file=sys.stderr)
                        return 1
                    p = phases(json.loads((d / "phases.json").read_text()))
                    # start-up: the whole process (os.wait4) less every phase counted in it
                    p["start-up"] = r["cpu_s"] - sum(v for kk, v in p.items() if kk != "start-up")
                    runs.setdefault(case + tag, []).append((r, p))
                    print(case + tag, f"{r['cpu_s']:.2f} s CPU",
                          {kk: round(v, 2) for kk, v in p.items()}, flush=True)
    res = {}
    for name, rs in runs.items():                 # the median of each row over the repeats
        r = {kk: statistics.median(x[0][kk] for x in rs) for kk in ("cpu_s", "wall_s", "load")}
        p = {kk: statistics.median(x[1][kk] for x in rs) for kk in rs[0][1]}
        res[name] = (r, p)
    harness.write_text(a.out, render(res, a.scale, a.repeat))
    print(f"wrote {a.out}")
    return 0


def case_recipe(case: str, scale: float = 1.0) -> dict:
    """The recipe of a shared case (bench_shared_cases.recipe) or of a #17 2D chemistry
    case (``hbro2``/``cf4o2``: bench_etch_chemistries.py's 2D worker recipe, h 0.02 µm)."""
    if case in ("hbro2", "cf4o2"):
        import bench_etch_chemistries as chem

        h = 0.02
        return {"name": f"{case}-2D", "seed": 1,
                "grid": {"dimension": 2, "spacing": f"{h!r} um", "extent": [f"{chem.EXTENT} um"]},
                "structure": {"substrate": {"material": "Si"},
                              "layers": [{"material": "Mask", "thickness": f"{chem.MASK} um"}],
                              "feature": {"type": "trench", "width": f"{chem.WIDTH} um",
                                          "depth": f"{chem.MASK} um"}},
                "steps": [{"etch": {"model": case, "rays_per_point": 300, "cfl": 0.5,
                                    "time": f"{chem.TIME2 * scale} s"}}]}
    from bench_shared_cases import recipe

    return recipe(case, scale)


def render(res: dict, scale: float, repeat: int = 1) -> str:
    cases = list(res)
    head = "| phase | " + " | ".join(f"{c} CPU s (%)" for c in cases) + " |"
    rows = []
    for name, key in ROWS:
        cells = []
        for c in cases:
            r, p = res[c]
            cells.append(f"{p[key]:.2f} ({100 * p[key] / r['cpu_s']:.0f} %)")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    rows.append("| **whole process** (os.wait4) | " + " | ".join(
        f"**{res[c][0]['cpu_s']:.2f}** (wall {res[c][0]['wall_s']:.1f}, load "
        f"{res[c][0]['load']:.1f})" for c in cases) + " |")
    return "\n".join([
        "# Where the shared cases' CPU goes (issue #18 item 3)", "",
        "`waferlab run case.yaml --threads 2 --quiet` (every default output) on "
        "bench_shared_cases.py's recipes" + (f" (process times × {scale:g})" if scale != 1 else "")
        + ", one process per case" + (f" (median of {repeat} alternating launches per "
                                      "row)" if repeat > 1 else "")
        + ", CPU (user + system, all threads) per phase from "
        "`time.process_time` around the phase's functions, nested phases subtracted "
        "(bench/bench_shared_phases.py's docstring defines each row); the start-up row "
        "also holds the interpreter's own start (whole process less what was counted).  "
        "Lanes: ray kernels = tracer, band rebuild and level set = sparse, the rest = "
        "shared.", "", head, "|---|" + "---|" * len(cases), *rows])


if __name__ == "__main__":
    sys.exit(main())
