"""Profile accuracy and CPU of the 3D cases with the stratified launch at fewer rays:
depth and CD (mean and spread over seeds) of the plain launch at the bench's rays
(``--base`` tree, default /work/main/src) against the stratified launch (this tree) at
the same rays and at fewer, each run in its own child process (CPU of the run's process,
all threads), the trees and ray counts alternating seed by seed in one launch.

Cases: the sf6o2 hole at 0.2 min (bench_sf6o2_hole, 300 rays/point) and hbro2 3D
(bench_etch_chemistries, h 0.03 µm, 300 rays/point).

Run: python bench/bench_strata3d_profiles.py [--cases H0.2 hbro2] [--seeds 3]
     [--rays 300 100] [--out bench/results/strata3d_profiles.md]
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
OUT = harness.RESULTS / "strata3d_profiles.md"


def worker(case: str, rays: int, seed: int) -> dict:
    sys.path.insert(0, str(HERE))
    c0 = time.process_time()
    if case == "H0.2":
        import bench_sf6o2_hole as hole
        (depth, radius), _ = hole.run_waferlab(0.2, rays, seed=seed)
        out = {"depth": depth, "cd": 2 * radius}
    elif case in ("hbro2", "cf4o2"):
        import bench_etch_chemistries as chem
        r = chem.worker_waferlab(case, 3, 0.03, rays, seed=seed)
        out = {"depth": r["depth"], "cd": r["cd"]}
    else:
        raise ValueError(case)
    return {**out, "cpu": time.process_time() - c0}


def child(src: str, case: str, rays: int, seed: int) -> dict:
    env = dict(os.environ, PYTHONPATH=src)
    p = subprocess.run([sys.executable, __file__, "--worker", case, "--rays", str(rays),
                        "--seed", str(seed)], env=env, check=True, capture_output=True,
                       text=True)
    return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", nargs="+", default=["H0.2", "hbro2"])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--rays", nargs="+", type=int, default=[300, 100])
    ap.add_argument("--base", default="/work/main/src")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--worker")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.worker:
        print(json.dumps(worker(a.worker, a.rays[0], a.seed)))
        return
    rows = []
    for case in a.cases:
        variants = [("plain", a.base, a.rays[0])] + [("strata", str(SRC), r) for r in a.rays]
        res: dict = {v: [] for v in variants}
        loads = []
        for seed in range(1, a.seeds + 1):
            for v in variants:
                loads.append(os.getloadavg()[0])
                res[v].append(child(v[1], case, v[2], seed))
                print(case, v[0], v[2], seed, res[v][-1], flush=True)
        for (tag, _, rays), rs in res.items():
            d = np.array([r["depth"] for r in rs])
            c = np.array([r["cd"] for r in rs])
            cpu = np.array([r["cpu"] for r in rs])
            rows.append(f"| {case} | {tag} | {rays} | {d.mean():.4f} ± {d.std(ddof=1):.4f} | "
                        f"{c.mean():.4f} ± {c.std(ddof=1):.4f} | {cpu.mean():.1f} | "
                        f"{np.mean(loads):.1f} |")
            print(rows[-1], flush=True)
    text = ["# 3D profiles with the stratified launch at fewer rays", "",
            f"`python bench/bench_strata3d_profiles.py --seeds {a.seeds} --rays "
            + " ".join(map(str, a.rays)) + "`: each run a child process (seeds 1 … "
            f"{a.seeds}, variants alternating); plain = `{a.base}` (the launch before), "
            "strata = this tree.  Depth and CD in µm: mean ± standard deviation over the "
            "seeds; CPU: process time of the run (all threads), s.", "",
            "| case | launch | rays/point | depth µm | CD µm | CPU s | load |",
            "|---|---|---|---|---|---|---|", *rows, "",
            f"Finished {time.strftime('%H:%M UTC', time.gmtime())}."]
    harness.write_text(a.out, "\n".join(text))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
