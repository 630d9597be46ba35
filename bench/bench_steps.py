"""Runner overhead per step: recipes of many short steps (issue: N short deposition steps
used to cost O(N²) — a new level-set layer per step and a compressed checkpoint of all
layers after every step).

Cases (2D trench 0.6 µm wide, 0.5 µm deep, in a 2 µm domain at 0.05 µm spacing; each
step an isotropic SiO2 deposition of 1 nm: one engine time step):
  A  500 steps, written as a flat list of steps, run with an output folder (checkpoints,
     log); wall time split into parse, physics (inside ``advect.advance``), the rest of
     each step's ``apply`` (new top layer, model build, layer merge), the runner's own
     work per step (seeds, log, progress, checkpoints) and the final outputs.
  B  10 000 steps, written as ``cycle: {repeat: 10000, steps: [...]}``, same split.
Overhead per step = (run wall − outputs − physics) / steps.  Target: < 20 ms per step.
Run: python bench/bench_steps.py [--steps-b 10000]  -> bench/results/steps.md
(``--baseline SRC`` runs case A, and B with fewer steps, against another source tree
for the before/after table.)
"""
from __future__ import annotations

import harness
import os

os.environ.setdefault("NUMBA_NUM_THREADS", "2")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).parent
STEP = {"deposit": {"model": "isotropic", "material": "SiO2", "rate": "0.1 um/min",
                    "time": "0.6 s"}}
BASE = {"name": "many-steps", "seed": 1,
        "grid": {"dimension": 2, "spacing": "0.05 um", "extent": ["2 um"]},
        "structure": {"substrate": {"material": "Si"},
                      "feature": {"type": "trench", "width": "0.6 um", "depth": "0.5 um"}},
        "output": {"vtk": False, "plot": False}}


def recipe_data(n: int, cycle: bool) -> dict:
    steps = [{"cycle": {"repeat": n, "steps": [STEP]}}] if cycle else [STEP] * n
    return dict(BASE, steps=steps)


def measure(n: int, cycle: bool) -> dict:
    """Run the recipe once in this process (numba compiled before) and split the time."""
    import waferlab.feature.advect as advect
    import waferlab.runner as runner
    from waferlab.context import RunContext
    from waferlab.recipe import recipe_from_dict

    recipe_from_dict(recipe_data(2, False))          # warm-up: imports, numba
    runner.run_recipe(recipe_from_dict(recipe_data(2, False)), RunContext(seed=1, threads=1))
    clock = {"advance": 0.0, "apply": 0.0, "outputs": 0.0, "checkpoints": 0, "ck_time": 0.0}
    real_adv, real_out, real_ck = advect.advance, runner.write_outputs, runner.save_checkpoint

    def timed_advance(*a, **k):
        t = time.perf_counter()
        try:
            return real_adv(*a, **k)
        finally:
            clock["advance"] += time.perf_counter() - t

    def timed_outputs(*a, **k):
        t = time.perf_counter()
        real_out(*a, **k)
        clock["outputs"] += time.perf_counter() - t

    def timed_ck(*a, **k):
        t = time.perf_counter()
        real_ck(*a, **k)
        clock["checkpoints"] += 1
        clock["ck_time"] += time.perf_counter() - t

    t = time.perf_counter()
    recipe = recipe_from_dict(recipe_data(n, cycle))
    parse = time.perf_counter() - t
    steps = recipe.leaf_steps if hasattr(recipe, "leaf_steps") else recipe.steps
    originals = {}                     # the class defining each leaf step's apply
    for s in {id(s): s for s in steps}.values():
        klass = next(k for k in type(s).__mro__ if "apply" in k.__dict__)
        originals[klass] = klass.__dict__["apply"]

    def wrap(fn):
        def timed_apply(self, *a, **k):
            t0 = time.perf_counter()
            try:
                return fn(self, *a, **k)
            finally:
                clock["apply"] += time.perf_counter() - t0
        return timed_apply

    advect.advance = timed_advance
    runner.write_outputs, runner.save_checkpoint = timed_outputs, timed_ck
    for klass, fn in originals.items():
        klass.apply = wrap(fn)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            m = runner.run_recipe(recipe, RunContext(seed=1, threads=1, out_dir=Path(tmp)))
            wall = time.perf_counter() - t
    finally:
        advect.advance = real_adv
        runner.write_outputs, runner.save_checkpoint = real_out, real_ck
        for klass, fn in originals.items():
            klass.apply = fn
    return {"n": n, "cycle": cycle, "parse_s": parse, "wall_s": wall,
            "physics_s": clock["advance"], "apply_other_s": clock["apply"] - clock["advance"],
            "runner_s": wall - clock["outputs"] - clock["apply"],
            "checkpoints": clock["checkpoints"], "checkpoint_s": clock["ck_time"],
            "outputs_s": clock["outputs"], "time_steps": m["time_steps"],
            "thickness_top": m.get("thickness_top")}


def run_in(src: str | None, n: int, cycle: bool, timeout: float) -> dict | None:
    """``measure`` in a fresh interpreter importing waferlab from ``src`` (None: this tree)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src
    code = (f"import json, sys; sys.path.insert(0, {str(HERE)!r}); import bench_steps as b; "
            f"print('RESULT', json.dumps(b.measure({n}, {cycle})))")
    try:
        p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(p.stderr[-3000:])


def commit() -> str:
    def git(*a):
        return subprocess.run(["git", *a], cwd=HERE, capture_output=True, text=True).stdout.strip()
    dirty = git("status", "--porcelain", "--", "../src")
    return git("rev-parse", "--short", "HEAD") + (" (+ local changes)" if dirty else "")


def row(label: str, r: dict | None, timeout: float) -> str:
    if r is None:
        return f"| {label} | did not finish in {timeout:.0f} s | | | | | | |"
    n = r["n"]
    over = (r["runner_s"] + r["apply_other_s"]) / n
    return (f"| {label} | {r['parse_s']:.2f} | {r['wall_s']:.1f} | {1e3 * r['physics_s'] / n:.2f} "
            f"| {1e3 * r['apply_other_s'] / n:.2f} | {1e3 * r['runner_s'] / n:.2f} "
            f"({r['checkpoints']} checkpoints, {r['checkpoint_s']:.2f} s) "
            f"| **{1e3 * over:.2f}** | {r['outputs_s']:.2f} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps-b", type=int, default=10_000)
    ap.add_argument("--baseline", help="src folder of the code before (for comparison)")
    ap.add_argument("--baseline-label", default="before")
    ap.add_argument("--baseline-steps", type=int, nargs="*", default=[500, 2000])
    ap.add_argument("--timeout", type=float, default=1800.0)
    args = ap.parse_args()
    rows = []
    a = run_in(None, 500, False, args.timeout)
    rows.append(row("A: 500 steps (list)", a, args.timeout))
    b = run_in(None, args.steps_b, True, args.timeout)
    rows.append(row(f"B: {args.steps_b} steps (cycle)", b, args.timeout))
    if args.baseline:
        for n in args.baseline_steps:
            rows.append(row(f"{args.baseline_label}: {n} steps (list)",
                            run_in(args.baseline, n, False, args.timeout), args.timeout))
    import numba
    text = [
        "# Runner overhead per step (many short steps)", "",
        f"Commit {commit()}; machine: {platform.machine()}, 1 numba thread, Python "
        f"{platform.python_version()}, numba {numba.__version__}.  2D trench (0.6 µm x 0.5 µm, "
        "2 µm domain, h = 0.05 µm), each step an isotropic SiO2 deposition of 1 nm "
        "(one engine time step), output folder with checkpoints and log; "
        "interval `output.checkpoint_interval` = 300 s (default), no VTK/plot.", "",
        "Columns: parse (s, recipe validation); run wall (s, excluding nothing); per step "
        "(ms): physics = inside `advect.advance`; step other = rest of the step's `apply` "
        "(new top layer, model build, layer merge); runner = everything else in the loop "
        "(seeds, log, progress, checkpoints); **overhead** = step other + runner; outputs "
        "(s, metrics.json/profile.csv at the end).", "",
        "| case | parse s | run wall s | physics ms/step | step other ms/step | runner ms/step | "
        "overhead ms/step | outputs s |",
        "|---|---|---|---|---|---|---|---|",
        *rows, "",
        "Target: overhead < 20 ms per step.  Before this change every deposit step added a "
        "level-set layer (engine work O(layers) per time step) and the runner wrote a "
        "compressed checkpoint of all layers and rewrote log.txt after every step, so the "
        "cost per step grew with the number of steps done (10 000 steps of a small 2D "
        "deposition did not finish in 15 min).", ""]
    if b is not None:
        text.insert(-1, f"Case B: {b['time_steps']} time steps, top film "
                        f"{1e9 * (b['thickness_top'] or float('nan')):.1f} nm "
                        f"(expected {args.steps_b * 1.0:.1f} nm = steps x 1 nm).")
        text.insert(-1, "")
    (HERE / "results").mkdir(exist_ok=True)
    harness.write_text((HERE / "results" / "steps.md"), "\n".join(text))
    print("\n".join(text))


if __name__ == "__main__":
    main()
