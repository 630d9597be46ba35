"""Profile noise of the 2D #17 cases over seeds: uniform launch against the stratified
launch at the same and at fewer rays (session 13, lane rays2d).

Each case is the model bench's own run (bench_ion_beam / bench_bosch /
bench_etch_chemistries, 2D) with seeds 1 … S; per configuration the mean and the
standard deviation over seeds of the depth and the CD the bench measures, and the mean
CPU of a run (in this process; load listed).  The launch is set for the run by
``RayTracing.launch`` (patched here, bench-only).

Run: python bench/bench_rays2d_profile.py [--cases ion_beam bosch hbro2] [--seeds 5]
     [--configs uniform:300 stratified:300 stratified:200] [--out PATH]
     (default bench/results/rays2d_profile_s13.md, stamped)
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import argparse  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

OUT = harness.RESULTS / "rays2d_profile_s13.md"


def _set_launch(launch: str) -> None:
    from waferlab.feature.flux import transport as T

    orig = T.RayTracing.__dict__.get("_orig_post_init") or T.RayTracing.__post_init__
    T.RayTracing._orig_post_init = orig          # type: ignore[attr-defined]

    def post(self):
        object.__setattr__(self, "launch", launch)
        orig(self)
    T.RayTracing.__post_init__ = post           # type: ignore[method-assign]


def run(case: str, rays: int, seed: int) -> tuple[float, float]:
    """(depth, CD) of one run in the bench's units."""
    if case.startswith("ion_beam"):
        import bench_ion_beam as ib
        h = float(case.split(":")[1]) if ":" in case else 0.1
        m = ib.run_waferlab(2, h, rays=rays, seed=seed)
        return m["depth"], m["cd"] if "cd" in m else m.get("width", float("nan"))
    if case == "bosch":
        import bench_bosch as bosch
        from waferlab.context import RunContext
        from waferlab.feature.extract import extract_surface
        from waferlab.recipe import recipe_from_dict
        from waferlab.runner import initial_wafer
        r = recipe_from_dict(bosch.recipe(10.0, rays=rays))
        w = initial_wafer(r)
        ctx = RunContext(seed=seed, threads=2)
        for st in r.leaf_steps:
            w = st.apply(w, ctx)
        return bosch._measure(extract_surface(w.geometry).centroids * 1e9, 10.0)
    import bench_etch_chemistries as chem
    m = chem.worker_waferlab(case, 2, 0.02, rays, seed=seed)
    return m["depth"], m["cd"] if "cd" in m else m.get("width", float("nan"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", nargs="+", default=["ion_beam", "bosch", "hbro2"])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--configs", nargs="+",
                    default=["uniform:300", "stratified:300", "stratified:200"])
    ap.add_argument("--out", default=str(OUT))
    a = ap.parse_args(argv)
    rows = []
    for case in a.cases:
        run(case, 30, 99)                         # warm-up: numba loads
        res: dict = {}
        for s in range(1, a.seeds + 1):           # configurations interleaved per seed
            for cfg in a.configs:
                launch, rays = cfg.split(":")
                _set_launch(launch)
                c0 = time.process_time()
                d, w = run(case, int(rays), s)
                res.setdefault(cfg, []).append((d, w, time.process_time() - c0))
        for cfg in a.configs:
            v = np.array(res[cfg])
            rows.append(f"| {case} | {cfg} | {v[:, 0].mean():.4f} | {v[:, 0].std(ddof=1):.4f} | "
                        f"{v[:, 1].mean():.4f} | {v[:, 1].std(ddof=1):.4f} | {v[:, 2].mean():.2f} | "
                        f"{os.getloadavg()[0]:.1f} |")
            print(rows[-1], flush=True)
    text = "\n".join([
        "# 2D #17 profiles over seeds: uniform against stratified launch (rays2d, session 13)",
        "",
        f"`python bench/bench_rays2d_profile.py --seeds {a.seeds}`: each case's bench run "
        "(2D; ion beam h 0.1 µm, Bosch h 10 nm, hbro2/cf4o2 h 0.02 µm) with seeds 1 … S per "
        "configuration (launch:rays per point), configurations interleaved; depth and CD "
        "in the bench's units (µm; Bosch nm), their mean and standard deviation over "
        "seeds; CPU of a run in this process (s).",
        "",
        "| case | launch:rays | depth mean | depth sd | CD mean | CD sd | CPU (s) | load |",
        "|---|---|---|---|---|---|---|---|",
        *rows])
    harness.write_text(harness.Path(a.out), text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
