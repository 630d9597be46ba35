"""Study benchmarks: Dask throughput and per-task overhead, real-runner sweeps, and the
accuracy of the UQ / optimisation layer.  Writes bench/results/study.md.

    python bench/bench_study.py            # everything (~5 min on 2 idle cores)
    python bench/bench_study.py --quick    # skip the real-runner sweeps
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "study"))

from study_fixtures import deposition_study  # noqa: E402
from waferlab.study import dask_client, load_study, run_study, study_from_dict  # noqa: E402


def analytic_sweep(samples: int, cost: float, method: str = "lhs"):
    return study_from_dict(deposition_study(method, samples, base_extra={
        "analytic": {"cost": f"{cost} s", "noise": 0.01}}))


def throughput(client, workers: int, samples: int, cost: float) -> dict:
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        res = run_study(analytic_sweep(samples, cost), d, client=client, make_plots=False)
        wall = time.perf_counter() - t0
    assert res.computed == samples and res.summary["workers"] == workers
    per_task = wall * workers / samples - cost
    return {"workers": workers, "samples": samples, "cost": cost, "wall": wall,
            "throughput": samples / wall, "overhead_s": per_task,
            "overhead_pct": 100 * per_task / cost if cost else math.nan}


def dask_scaling(lines: list[str]) -> None:
    rows = []
    for workers in (1, 2):
        with dask_client(workers=workers) as client:
            run_study(analytic_sweep(2 * workers, 0.0), None, client=client, make_plots=False)  # warm
            rows.append(throughput(client, workers, 4 * workers, 2.0))
            rows.append(throughput(client, workers, 100 * workers, 0.0))
    lines += ["### Dask layer: throughput and per-task overhead", "",
              "Local cluster (processes, 1 thread each), workers warmed up; analytic task "
              "with a fixed cost (sleep).  Overhead per task = wall·workers/samples − cost "
              "(includes submission, scheduling, result transfer, recording and the "
              "streamed study.nc writes).", "",
              "| workers | samples | task cost (s) | wall (s) | throughput (samples/s) | "
              "overhead per task | overhead / task cost |",
              "|---|---|---|---|---|---|---|"]
    for r in rows:
        pct = f"{r['overhead_pct']:.2f} %" if r["cost"] else "—"
        lines.append(f"| {r['workers']} | {r['samples']} | {r['cost']:g} | {r['wall']:.2f} | "
                     f"{r['throughput']:.2f} | {1e3 * r['overhead_s']:.1f} ms | {pct} |")
    s1 = next(r for r in rows if r["workers"] == 1 and r["cost"])
    s2 = next(r for r in rows if r["workers"] == 2 and r["cost"])
    lines += ["", f"Speed-up 1 → 2 workers on 2-second tasks: "
              f"{s2['throughput'] / s1['throughput']:.2f}× (ideal 2).", ""]


def _external(d: Path):
    sfile = d / "scheduler.json"
    procs = [subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1",
                               "--port", "0", "--no-dashboard", "--scheduler-file", str(sfile)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    deadline = time.monotonic() + 60
    while not sfile.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    for name in ("wA", "wB"):
        procs.append(subprocess.Popen([sys.executable, "-m", "dask", "worker", "--scheduler-file",
                                       str(sfile), "--nthreads", "1", "--no-nanny", "--host",
                                       "127.0.0.1", "--no-dashboard", "--name", name],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return sfile, procs


def _stop(procs) -> None:
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait(timeout=30)


def real_sweeps(lines: list[str]) -> None:
    from distributed import Client

    sys.path.insert(0, str(ROOT / "tests" / "study"))
    from test_examples import small  # the example with a coarse grid and 100 rays

    study = small(load_study(ROOT / "examples" / "study-deposition.yaml"), 64)
    rows = []
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        res = run_study(study, Path(d) / "local", workers=2)
        rows.append(("local cluster, 2 workers (incl. start-up)", res, time.perf_counter() - t0))
        _say(f"local cluster: {rows[0][2]:.1f} s")
        sfile, procs = _external(Path(d))
        try:
            with Client(scheduler_file=str(sfile), timeout="30s") as client:
                client.wait_for_workers(2, timeout=60)
                victim = procs[2]

                def kill(i, r, _n=[0]):
                    _n[0] += 1
                    if _n[0] == 20:
                        victim.kill()
                t0 = time.perf_counter()
                res2 = run_study(study, Path(d) / "ext", client=client, on_result=kill)
                rows.append(("`dask scheduler` + 2 `dask worker`, one killed after 20 results",
                             res2, time.perf_counter() - t0))
        finally:
            _stop(procs)
        same = all(np.array_equal(rows[0][1].dataset[m].values, rows[1][1].dataset[m].values)
                   for m in ("x", "seed", "thickness_bottom", "thickness_sidewall"))
    lines += ["### 64-sample sweep of the 2D trench deposition (real runner)", "",
              "examples/study-deposition.yaml with grid 0.48 µm and 100 rays per point "
              "(single_particle model, LHS over rate and sticking).", "",
              "| where | samples done | failed | wall (s) | throughput (samples/s) | mean task (s) |",
              "|---|---|---|---|---|---|"]
    for name, r, wall in rows:
        ds = r.dataset
        lines.append(f"| {name} | {int((ds['status'].values == 1).sum())} | "
                     f"{int((ds['status'].values == 2).sum())} | {wall:.1f} | {64 / wall:.2f} | "
                     f"{np.nanmean(ds['wall_time_s'].values):.2f} |")
    lines += ["", f"Identical study.nc values (x, seeds, thicknesses) in both runs: {same}.", ""]


def accuracy(lines: list[str]) -> None:
    sys.path.insert(0, str(ROOT / "tests" / "study"))
    from waferlab.study.analytic import ishigami_sobol, zdt1_front
    from test_uq import ishigami_study
    from test_optimize import HIDDEN, _optimize_study, _rel_err

    ex = ishigami_sobol()
    out = []
    for label, data, key in (("SALib Saltelli, N = 2048 (10 240 runs)", ishigami_study("sobol", 2048), "sobol"),
                             ("PCE order 10, 1331 Gauss nodes", ishigami_study("pce", 1, pce={"order": 10}), "pce")):
        got = run_study(study_from_dict(data), None, serial=True).summary[key]["y"]
        err = max(np.max(np.abs(np.subtract(got["S1"], ex["S1"]))),
                  np.max(np.abs(np.subtract(got["ST"], ex["ST"]))))
        out.append(f"| Ishigami Sobol indices, {label} | max |S − S_exact| = {err:.4f} | < 0.02 |")
    params = {"steps[0].deposit.rate": {"distribution": "normal", "mean": "10 nm/min", "std": "1 nm/min"},
              "steps[0].deposit.sticking": {"distribution": "log-uniform", "range": [0.02, 0.2]}}
    mc = run_study(study_from_dict(deposition_study("montecarlo", 4000, parameters=params)), None,
                   serial=True).summary["statistics"]["thickness_bottom"]
    pce = run_study(study_from_dict(deposition_study("pce", 1, parameters=params, pce={"order": 5})),
                    None, serial=True).summary["pce"]["thickness_bottom"]
    out.append(f"| PCE (order 5, 36 nodes) vs MC (4000) mean of bottom thickness | "
               f"PCE {pce['mean']:.5e} m, MC 95 % CI [{mc['mean_ci95'][0]:.5e}, {mc['mean_ci95'][1]:.5e}] | inside |")
    out.append(f"| PCE vs MC std of bottom thickness | PCE {pce['std']:.4e} m, MC 95 % CI "
               f"[{mc['std_ci95'][0]:.4e}, {mc['std_ci95'][1]:.4e}] | inside |")
    for label, opt in (("TPE 48 + Nelder–Mead ≤ 40", {}), ("TPE only, 100 runs", {"budget": 100, "polish": 0}),
                       ("multi-fidelity: TPE 48 coarse (h = 10 nm), confirm 3, NM ≤ 40 fine",
                        {"fidelity": {"coarse": {"grid.spacing": "10 nm"}, "confirm": 3}})):
        s = run_study(study_from_dict(_optimize_study(**opt)), None, serial=True).summary
        out.append(f"| Hidden knobs {tuple(HIDDEN.values())}, {label} | max rel. error "
                   f"{100 * _rel_err(s).max():.3f} % in {s['optimize']['evaluations']} runs | < 2 % |")
    from pymoo.indicators.gd import GD
    from pymoo.indicators.igd import IGD
    for n, pop, gen in ((10, 40, 100), (30, 100, 200)):
        data = {"study": {"base": {"x": [0.0] * n}, "evaluator": "analytic.zdt1",
                          "parameters": {f"x[{i}]": {"range": [0, 1]} for i in range(n)},
                          "method": "pareto", "seed": 3,
                          "pareto": {"objectives": {"f1": "min", "f2": "min"}, "population": pop,
                                     "generations": gen}}}
        F = np.array(run_study(study_from_dict(data), None, serial=True).summary["pareto"]["front"])
        pf = zdt1_front(1000)
        out.append(f"| ZDT1, {n} variables, NSGA-II {pop} × {gen} | IGD {IGD(pf)(F):.4f}, "
                   f"GD {GD(pf)(F):.4f} (vs 1000-point analytic front) | IGD < 0.02 |")
    lines += ["### Accuracy of the UQ and optimisation layer", "",
              "| case | measured | criterion |", "|---|---|---|", *out, ""]


def _say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # run the finally blocks
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the real-runner sweeps")
    args = ap.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    lines = ["## study (issue 8): Dask studies, UQ, optimisation", "",
             f"Machine: {os.cpu_count()} cores ({platform.machine()}), shared with other jobs "
             "while measured; times are wall-clock.", ""]
    (HERE / "results").mkdir(exist_ok=True)
    sections = [dask_scaling, accuracy] + ([] if args.quick else [real_sweeps])
    for section in sections:
        _say(f"{section.__name__} ...")
        section(lines)
        (HERE / "results" / "study.md").write_text("\n".join(lines) + "\n")
        _say("written")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
