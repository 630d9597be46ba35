"""Where the CPU of bench_scale.py's default runs goes, phase by phase (issue #18, session 14).

One ``waferlab run`` of bench_scale.py's recipe (the L × L periodic hole, directional
etch, every default) per cell size, in its own process, with the engine's functions
wrapped by a CPU counter (``time.process_time``: user + system of every thread, so a
numba-parallel kernel counts both threads).  Nested phases are subtracted from their
parents, so the rows add up to the process's CPU (``os.wait4`` of the child):

    start-up           interpreter, imports, recipe parsing (whole process less the rest)
    numba loads        the first call of each numba kernel (its cache loaded)
    set-up             initial wafer (builders), checks, the step's copy of its input
    rebuild: ...       ``_band.rebuild``: candidates (byte-mask dilation and scan),
                       classification + write-back (reinitialisation next to the zero
                       set), chamfer distances, the new band; "rest" = the band taper,
                       the clamp, the window growth (``grow_vertical``)
    materials          the material at each band node's closest point (velocity
                       extension of the beam: ``band_materials_bounded``, ``block_min``)
    speeds + bound     the model's per-node rates, the band taper, the time-step bound
                       (``_beam_speeds``: max |V_n| and Σ|∂H/∂p_i|)
    RK stages          ``stage_band``: WENO5 derivatives + the beam Hamiltonian + the
                       Runge–Kutta combination, over the band (3 per time step)
    stage traffic      gather of φⁿ, scatter of each stage, the chunk loop
    finite check       ``all_finite`` once per time step (session 14: folded into the
                       last stage's write-back, so in "stage traffic")
    clip / hold        the etch clip of the lower layer (``clip_below``), ``hold_top``
    per-step callback  the runner's ``on_step`` (progress, in-step checkpoints)
    step rest          the rest of ``advect.advance`` (its Python, ``finish``: contain)
    outputs            metrics, every default output file, the final checkpoint

Counts: time steps, stages, rebuilds, band nodes (mean per step), rebuild candidates.
The WENO5 share of a stage is measured apart on one captured band (``--split``: the same
stage with first-order differences, best of 5, one process).

Run: python bench/bench_scale_phases.py [--sizes 5.12 10.24] [--out NAME]
     -> bench/results/NAME.md (default scale_phases_s14.md)
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

HERE = Path(__file__).resolve().parent

# (module, attribute path, label)
WRAPPED = [
    ("waferlab.feature._band", "candidates", "rb_cand"),
    ("waferlab.feature._band", "classify_apply", "rb_classify"),
    ("waferlab.feature._band", "chamfer", "rb_chamfer"),
    ("waferlab.feature._band", "new_band", "rb_newband"),
    ("waferlab.feature.advect", "_Work.rebuild", "rebuild"),
    ("waferlab.feature.advect", "grow_vertical", "grow"),
    ("waferlab.feature._kernels", "band_materials_bounded", "materials"),
    ("waferlab.feature._kernels", "block_min", "materials"),
    ("waferlab.feature.advect", "_beam_speeds", "speeds"),
    ("waferlab.feature._kernels", "stage_band", "stage"),
    ("waferlab.feature._step_kernels", "stage_band_first", "stage"),
    ("waferlab.feature.advect", "stage_chunked", "stage_all"),
    ("waferlab.feature._kernels", "gather", "traffic"),
    ("waferlab.feature._kernels", "all_finite", "finite"),
    ("waferlab.feature._kernels", "clip_below", "clip"),
    ("waferlab.feature._step_kernels", "clip_below_flat", "clip"),
    ("waferlab.feature._kernels", "hold_top", "clip"),
    # session 14b (lane maskhold): the held stage, the marking clip, the partial re-query
    ("waferlab.feature._step_kernels", "stage_band_hold", "stage"),
    ("waferlab.feature._step_kernels", "clip_below_mark", "clip"),
    ("waferlab.feature._step_kernels", "materials_update", "materials"),
    ("waferlab.feature._step_kernels", "dilate_columns", "materials"),
    ("waferlab.feature._step_kernels", "column_distance", "materials"),
    ("waferlab.feature._step_kernels", "materials_carry", "materials"),
    ("waferlab.feature._band", "mark_changed", "rb_rest"),
    # session 15 (lane rebuild): the incremental rebuild's classification and put-back
    ("waferlab.feature._band_inc", "_classify_apply_cols", "rb_classify"),
    ("waferlab.feature._band_inc", "candidates_incremental", "rb_cand"),
    ("waferlab.feature.advect", "moving_stages", "stage_all"),
    ("waferlab.feature._step_kernels", "clip_below_raise", "clip"),
    ("waferlab.feature._kernels", "contain", "contain"),
    ("waferlab.feature.models_basic", "DirectionalVelocity.prepare", "prepare"),
    ("waferlab.feature.advect", "advance", "advance"),
    ("waferlab.runner", "collect_metrics", "outputs"),
    ("waferlab.runner", "write_outputs", "outputs"),
    ("waferlab.runner", "save_checkpoint", "checkpoint"),
    ("waferlab.api", "run", "run"),
]
ROWS = [("start-up (interpreter, imports, recipe)", "start-up"),
        ("numba kernel loads", "numba"),
        ("set-up (initial wafer, step input copy)", "set-up"),
        ("rebuild: candidates (mask dilation, scan)", "rb_cand"),
        ("rebuild: classify + reinit (φ/|∇φ|) + write", "rb_classify"),
        ("rebuild: chamfer distances", "rb_chamfer"),
        ("rebuild: new band", "rb_newband"),
        ("rebuild: rest (taper, clamp)", "rb_rest"),
        ("window growth (grow_vertical)", "grow"),
        ("materials at closest points (velocity extension)", "materials"),
        ("speeds + taper + time-step bound", "speeds"),
        ("RK stages: WENO5 + Hamiltonian + RK (stage_band)", "stage"),
        ("stage traffic (gather, scatter, chunk loop)", "traffic"),
        ("finite check", "finite"),
        ("etch clip of the lower layer / hold", "clip"),
        ("per-step callback (progress, checkpoints in the step)", "callback"),
        ("step rest (advance's Python, contain)", "steprest"),
        ("model prepare", "prepare"),
        ("outputs (metrics, files, final checkpoint)", "outputs")]


def child(recipe: Path, out: Path, result: Path) -> None:
    """Run ``waferlab run recipe`` in this process with the phases counted."""
    import importlib
    import time

    acc: dict[str, float] = {}
    cnt: dict[str, int] = {}
    busy: set[str] = set()
    band_sizes: list[int] = []

    def wrap(modname: str, qual: str, label: str) -> None:
        try:                         # a baseline checkout may lack a newer kernel
            obj = importlib.import_module(modname)
        except ImportError:
            return
        *outer, name = qual.split(".")
        for part in outer:
            obj = getattr(obj, part)
        if not hasattr(obj, name):
            return
        f = getattr(obj, name)

        def counted(*a, **k):
            if label in busy:                   # re-entered: counted by the outer call
                return f(*a, **k)
            if label == "materials" and name == "band_materials_bounded":
                band_sizes.append(len(a[1]))
            if label == "advance" and k.get("on_step") is not None:
                inner = k["on_step"]

                def cb(*x, **y):
                    t0 = time.process_time()
                    busy.add("callback")
                    try:
                        return inner(*x, **y)
                    finally:
                        busy.discard("callback")
                        acc["callback"] = acc.get("callback", 0.0) + time.process_time() - t0
                k["on_step"] = cb
            busy.add(label)
            cnt[label] = cnt.get(label, 0) + 1
            t = time.process_time()
            try:
                return f(*a, **k)
            finally:
                dt = time.process_time() - t
                acc[label] = acc.get(label, 0.0) + dt
                if label == "checkpoint" and "callback" in busy:
                    acc["checkpoint_in"] = acc.get("checkpoint_in", 0.0) + dt
                busy.discard(label)
        setattr(obj, name, counted)

    for m, q, lab in WRAPPED:
        wrap(m, q, lab)
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
        m = json.loads((out / "metrics.json").read_text()) if (out / "metrics.json").exists() \
            else {}
        result.write_text(json.dumps({"acc": acc, "cnt": cnt, "band": band_sizes,
                                      "steps": m.get("time_steps")}))


def phases(acc: dict[str, float]) -> dict[str, float]:
    """The table's rows from the nested counters (each phase less what it contains)."""
    g = lambda k: acc.get(k, 0.0)  # noqa: E731
    rb = ("rb_cand", "rb_classify", "rb_chamfer", "rb_newband")
    # grow_vertical runs inside _Work.rebuild
    p = {k: g(k) for k in rb + ("grow", "materials", "speeds", "stage", "finite", "clip",
                                 "prepare", "numba")}
    p["rb_rest"] = g("rebuild") - sum(g(k) for k in rb) - g("grow")
    p["traffic"] = g("stage_all") - g("stage") + g("traffic")
    p["callback"] = g("callback")          # in-step checkpoints included
    inner = (g("rebuild") + g("materials") + g("speeds") + g("stage_all") + g("traffic")
             + g("finite") + g("clip") + g("prepare") + g("callback"))
    p["steprest"] = g("advance") - inner
    final_ck = g("checkpoint") - g("checkpoint_in")      # the checkpoint after the step
    p["outputs"] = g("outputs") + final_ck
    p["set-up"] = g("run") - g("advance") - g("outputs") - final_ck
    p["start-up"] = g("total") - g("run")
    return p


def stage_split(L: float) -> dict:
    """CPU of one WENO5 stage against the same stage with first-order differences and a
    stage with every speed 0 (the memory pass alone), on the band of the run's first step
    (best of 5 each, one process, 2 threads)."""
    import time

    import numpy as np
    import yaml

    import bench_scale as BS
    from waferlab.api import load_recipe
    from waferlab.feature import _band as KB
    from waferlab.feature import _kernels as K
    from waferlab.feature.levelset import as3
    from waferlab.runner import initial_wafer

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "r.yaml"
        p.write_text(yaml.safe_dump(BS.recipe(L), sort_keys=False))
        rec = load_recipe(p)
        geo = initial_wafer(rec).geometry
    g = geo.grid
    h = g.spacing
    phi = np.array(geo.phi, dtype=np.float64)
    top = as3(phi[-1])
    w, keep, cap = 10 * h, 8 * h, 11 * h
    np.clip(top, -cap, cap, out=top)
    band, _c, _lo, _hi = KB.rebuild(top, np.zeros(top.shape, np.uint8), h, w, keep, cap, 3,
                                    True, True, 2)
    V = np.full(len(band), -1e-6 / 60 * 1e0)
    alpha = np.array([0.0, 0.0, 1.0, 0.0])
    u0 = K.gather(top, band)
    out = np.empty_like(u0)
    dt = 0.4 * h / 1.7e-8
    res = {"band_nodes": int(len(band))}
    for name, order, vv in (("weno5", 5, V), ("first order", 1, V),
                            ("zero speed", 5, np.zeros_like(V))):
        best = 1e9
        for _ in range(5):
            t = time.process_time()
            K.stage_band(top, u0, out, band, vv, dt, 0.0, 1.0, h, order, K.BEAM, alpha, 3,
                         True, True)
            best = min(best, time.process_time() - t)
        res[name] = best
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=float, nargs="*", default=[5.12, 10.24])
    ap.add_argument("--out", default="scale_phases_s14")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--split", type=float, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--note", default="")
    ap.add_argument("--src", default=None, help="src directory of another checkout (a baseline)")
    ap.add_argument("--json", default=None, help="also write the raw counters here")
    ap.add_argument("--combine", nargs=2, metavar=("BEFORE_JSON", "AFTER_JSON"), default=None,
                    help="write NAME.md from two --json files side by side")
    a = ap.parse_args(argv)
    if a.child:
        child(*map(Path, a.child))
        return 0
    if a.split is not None:
        print(json.dumps(stage_split(a.split)))
        return 0
    if a.combine:
        runs = [json.loads(Path(f).read_text()) for f in a.combine]
        res = {}
        for tag, run in zip(("before", "after"), runs):
            for L, x in run.items():
                res[f"{float(L):g} µm {tag}"] = (x["process"], x["phases"], x["raw"], x["split"],
                                                 float(L))
        keys = sorted(res, key=lambda k: (res[k][4], k.endswith("after")))
        harness.write_text(harness.RESULTS / f"{a.out}.md",
                           render({k: res[k][:4] for k in keys}, a.note,
                                  cells={k: res[k][4] for k in keys}))
        return 0
    import subprocess

    import yaml

    import bench_scale as BS

    env = dict(os.environ, PYTHONPATH=a.src or str(harness.ROOT / "src"))
    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm.yaml"
        warm.write_text(yaml.safe_dump(BS.recipe(0.64), sort_keys=False))
        harness.process([sys.executable, "-m", "waferlab", "run", str(warm), "--out",
                         str(Path(tmp) / "warm"), "--quiet", "--overwrite"], env=env)
        for L in a.sizes:
            d = Path(tmp) / f"L{L:g}"
            d.mkdir()
            (d / "r.yaml").write_text(yaml.safe_dump(BS.recipe(L), sort_keys=False))
            r = harness.process([sys.executable, __file__, "--child", str(d / "r.yaml"),
                                 str(d / "out"), str(d / "phases.json")], env=env)
            if r["rc"] != 0:
                print(r["stderr"], file=sys.stderr)
                return 1
            data = json.loads((d / "phases.json").read_text())
            p = phases(data["acc"])
            p["start-up"] = r["cpu_s"] - sum(v for k, v in p.items() if k != "start-up")
            sp = subprocess.run([sys.executable, __file__, "--split", str(L)], env=env,
                                capture_output=True, text=True)
            split = json.loads(sp.stdout.strip().splitlines()[-1]) if sp.returncode == 0 else {}
            res[L] = (r, p, data, split)
            print(L, f"{r['cpu_s']:.2f} s CPU", {k: round(v, 2) for k, v in p.items()},
                  data["cnt"], split, flush=True)
    if a.json:
        Path(a.json).write_text(json.dumps({str(L): {"process": {k: v for k, v in r.items()
                                                                 if k != "stderr"},
                                                     "phases": p, "raw": d, "split": s}
                                            for L, (r, p, d, s) in res.items()}, indent=1))
    harness.write_text(harness.RESULTS / f"{a.out}.md", render(res, a.note))
    return 0


def render(res: dict, note: str, cells: dict | None = None) -> str:
    """The table; ``res`` keyed by cell size (µm), or by a label with ``cells`` giving
    each label's size."""
    sizes = list(res)
    size = cells or {L: L for L in sizes}
    label = (lambda L: L) if cells else (lambda L: f"{L:g} µm")  # noqa: E731
    head = "| phase | " + " | ".join(f"{label(L)} CPU s (%)" for L in sizes) + " |"
    rows = []
    for name, key in ROWS:
        cells = [f"{res[L][1].get(key, 0.0):.2f} ({100 * res[L][1].get(key, 0.0) / res[L][0]['cpu_s']:.0f} %)"
                 for L in sizes]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    rows.append("| **whole process** (os.wait4) | " + " | ".join(
        f"**{res[L][0]['cpu_s']:.2f}** (wall {res[L][0]['wall_s']:.1f}, load "
        f"{res[L][0]['load']:.1f})" for L in sizes) + " |")
    cnt = ["", "| count | " + " | ".join(label(L) for L in sizes) + " |",
           "|---|" + "---|" * len(sizes)]

    def c(L, k):
        return res[L][2]["cnt"].get(k, 0)
    cnt.append("| time steps | " + " | ".join(str(res[L][2]["steps"]) for L in sizes) + " |")
    cnt.append("| RK stages (stage_band calls / chunks) | " + " | ".join(
        f"{c(L, 'stage_all')} / {c(L, 'stage')}" for L in sizes) + " |")
    cnt.append("| band rebuilds | " + " | ".join(str(c(L, "rebuild")) for L in sizes) + " |")
    cnt.append("| band nodes per step (mean) | " + " | ".join(
        f"{sum(res[L][2]['band']) / max(len(res[L][2]['band']), 1):,.0f}" for L in sizes) + " |")
    cnt.append("| band nodes per column | " + " | ".join(
        f"{sum(res[L][2]['band']) / max(len(res[L][2]['band']), 1) / (size[L] / 0.02) ** 2:.1f}"
        for L in sizes) + " |")
    sp = ["", "One stage on the first step's band (best of 5, CPU of 2 threads):", "",
          "| stage | " + " | ".join(label(L) for L in sizes) + " |",
          "|---|" + "---|" * len(sizes)]
    for k in ("band_nodes", "weno5", "first order", "zero speed"):
        sp.append(f"| {k} | " + " | ".join(
            (f"{res[L][3][k]:,}" if k == "band_nodes" else f"{1e3 * res[L][3][k]:.1f} ms")
            if k in res[L][3] else "n/a" for L in sizes) + " |")
    return "\n".join([
        "# Where the CPU of the scale case goes (issue #18, session 14)", "",
        "`waferlab run` of bench_scale.py's recipe (every default: WENO5 + TVD-RK3, cfl "
        "0.4, every output), one process per cell size, CPU (user + system, all threads) "
        "per phase from `time.process_time` around the engine's functions, nested phases "
        "subtracted (bench/bench_scale_phases.py's docstring defines each row); start-up "
        "= the whole process (os.wait4) less every counted phase.", "",
        head, "|---|" + "---|" * len(sizes), *rows, *cnt, *sp, "", note])


if __name__ == "__main__":
    sys.exit(main())
