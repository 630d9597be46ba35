"""Profiles over seeds: the Monte Carlo walk against the radiosity solve of the 2D neutrals
(``flux.reemission``), at the bench ray counts and fewer, issue #17/#18.

Cases (each bench's own settings, waferlab only, in this process, 2 threads):

    bosch   bench_bosch.py, h 10 nm, 3 cycles (depth into Si, width at half depth, nm)
    hbro2   bench_etch_chemistries.py 2D, h 0.02 µm (depth, CD at half depth, µm)
    cf4o2   the same with cf4o2
    A       bench_shared_cases.py case A (bottom and mid-wall thickness, µm)

For each configuration "MODE:RAYS" (MODE mc: every species by the walk, the estimator
before session 14; radiosity: the 2D neutrals solved, ``RayTracing.reemission``) every
case runs with seeds 1 … S; reported: the mean and the sample standard deviation over
the seeds of each profile measure, and the mean CPU (process time) of a run.  The
configurations of one case alternate seed by seed (same load).

Run: python bench/bench_reemission_spread.py [--cases bosch hbro2 cf4o2 A]
     [--configs mc:300 radiosity:300 radiosity:100] [--seeds 4] [--out PATH]
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

OUT = harness.RESULTS / "reemission_spread_s14.md"
MODE = {"value": "radiosity"}


def _force_mode() -> None:
    """Every trace of the adapter with the configuration's estimator."""
    from waferlab.feature.flux import transport as T

    orig = T.trace_fluxes

    def traced(*args, **kwargs):
        kwargs["reemission"] = MODE["value"]
        return orig(*args, **kwargs)
    T.trace_fluxes = traced


def run_bosch(rays: int, seed: int) -> dict:
    import bench_bosch as bb
    from waferlab.context import RunContext
    from waferlab.feature.extract import extract_surface
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer

    r = recipe_from_dict(bb.recipe(10.0, rays=rays))
    w = initial_wafer(r)
    ctx = RunContext(seed=seed, threads=2)
    for st in r.leaf_steps:
        w = st.apply(w, ctx)
    depth, width = bb._measure(extract_surface(w.geometry).centroids * 1e9, 10.0)
    return {"depth nm": depth, "width nm": width}


def run_chem(model: str):
    def run(rays: int, seed: int) -> dict:
        import bench_etch_chemistries as chem
        out = chem.worker_waferlab(model, 2, 0.02, rays, seed)
        return {"depth µm": out["depth"], "CD µm": out["cd"]}
    return run


def run_A(rays: int, seed: int) -> dict:
    import bench_flux as flux
    import bench_shared_cases as sc
    from waferlab.context import RunContext
    from waferlab.feature.extract import extract_surface
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer

    data = sc.recipe("A")
    data["steps"][0]["deposit"]["rays_per_point"] = rays
    r = recipe_from_dict(data)
    w = initial_wafer(r)
    ctx = RunContext(seed=seed, threads=2)
    for st in r.leaf_steps:
        w = st.apply(w, ctx)
    s = extract_surface(w.geometry)
    b, m = flux.thicknesses(s.points[:, :2] * 1e6, np.asarray(s.elements), "A")
    return {"bottom µm": b, "mid-wall µm": m}


CASES = {"bosch": run_bosch, "hbro2": run_chem("hbro2"), "cf4o2": run_chem("cf4o2"),
         "A": run_A}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    ap.add_argument("--configs", nargs="+", default=["mc:300", "radiosity:300", "radiosity:100"])
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--out", default=str(OUT))
    a = ap.parse_args()
    _force_mode()
    configs = [(c.split(":")[0], int(c.split(":")[1])) for c in a.configs]
    rows = []
    for case in a.cases:
        res: dict = {c: [] for c in configs}
        cpu: dict = {c: [] for c in configs}
        loads = []
        CASES[case](configs[0][1], 99)           # warm the numba cache (not recorded)
        for seed in range(1, a.seeds + 1):
            for c in configs:
                MODE["value"] = c[0]
                loads.append(os.getloadavg()[0])
                c0 = time.process_time()
                res[c].append(CASES[case](c[1], seed))
                cpu[c].append(time.process_time() - c0)
                print(case, c, seed, res[c][-1], round(cpu[c][-1], 2), flush=True)
        for c in configs:
            keys = list(res[c][0])
            cells = []
            for k in keys:
                v = [r[k] for r in res[c]]
                cells.append(f"{k} {statistics.mean(v):.5g} ± {statistics.stdev(v):.2g}")
            rows.append(f"| {case} | {c[0]} | {c[1]} | " + " | ".join(cells)
                        + f" | {statistics.mean(cpu[c]):.2f} | {min(loads):.0f}–{max(loads):.0f} |")
    text = ("# Profiles over seeds: the walk vs the radiosity solve of 2D neutrals (session 14)\n\n"
            f"`python bench/bench_reemission_spread.py --seeds {a.seeds}`.  Mean ± sample "
            "standard deviation over the seeds (1 … S) of each profile measure; CPU = mean "
            "process time of one run (both threads, in this process, numba cache warm); "
            "load = 1-min load average range over the case's runs (shared 2-core machine).\n\n"
            "| case | estimator | rays/point | measure 1 | measure 2 | CPU (s) | load |\n"
            "|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n")
    harness.write_text(a.out if os.path.isabs(a.out) else harness.ROOT / a.out, text)
    print(text)


if __name__ == "__main__":
    main()
