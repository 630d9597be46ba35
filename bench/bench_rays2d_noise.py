"""Per-element Monte Carlo noise of the 2D flux traces, uniform against stratified launch
(#17/#18, session 13, lane rays2d).

For each 2D case (the #17 model benches' recipes and shared case A) the model's run is
made once with its settings and the trace of one time step two thirds into the run is
captured (surface, species, transport).  That trace is then repeated R times with
seeds 0 … R−1 for each launch (``RayTracing.launch``: "uniform", the launch before
session 13; "stratified", the default now) and at a reduced ray count, and for every
traced field (incident / absorbed flux of each species, the per-hit yields) the standard
deviation over seeds σ_e of every element is taken.  Reported per field and region
(field top, sidewalls, floor — by the element normal and height): the mean σ_e relative
to the mean field, the variance ratio stratified/uniform (mean σ_e² over the region), and
the mean difference of the two launches' means in units of its standard error (unbiased:
|z| ≲ 3).  CPU time per trace of each launch is listed (same ray count: same cost).

Run: python bench/bench_rays2d_noise.py [--cases ion_beam bosch hbro2 cf4o2 A]
     [--reps 8] [--out PATH]   (default bench/results/rays2d_noise_s13.md, stamped)
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

OUT = harness.RESULTS / "rays2d_noise_s13.md"
LAUNCHES = ["uniform", "stratified"]


def _run_case(case: str) -> None:
    if case == "ion_beam":
        import bench_ion_beam as ib
        ib.run_waferlab(2, 0.1)
    elif case == "bosch":
        import bench_bosch as bosch
        bosch.run_waferlab(10.0)
    elif case in ("hbro2", "cf4o2"):
        import bench_etch_chemistries as chem
        chem.worker_waferlab(case, 2, 0.02, 300)
    elif case == "A":
        import bench_shared_cases as sc
        from waferlab.context import RunContext
        from waferlab.recipe import recipe_from_dict
        from waferlab.runner import initial_wafer
        r = recipe_from_dict(sc.recipe("A"))
        w = initial_wafer(r)
        for st in r.leaf_steps:
            w = st.apply(w, RunContext(seed=1, threads=2))
    else:
        raise SystemExit(f"unknown case {case!r}")


def capture(case: str) -> list:
    """Every ``_trace`` call of the case's run: (transport, surface, species, stream)."""
    from waferlab.feature import ion_beam
    from waferlab.feature.flux import transport as T

    calls: list = []
    originals = {}
    for cls in (T.TracedTransport, ion_beam.BeamTransport):
        orig = cls.__dict__["_trace"]
        originals[cls] = orig

        def spy(self, surface, species, ctx, stream, _orig=orig):
            if species:
                calls.append((self, surface, tuple(species), stream))
            return _orig(self, surface, species, ctx, stream)
        cls._trace = spy  # type: ignore[method-assign]
    try:
        _run_case(case)
    finally:
        for cls, orig in originals.items():
            cls._trace = orig  # type: ignore[method-assign]
    return calls


def _fields(res) -> dict:
    out = {}
    for name in res.species:
        f = res[name]
        out[f"{name}:incident"] = f.incident
        if not np.allclose(f.absorbed, f.incident, equal_nan=True):
            out[f"{name}:absorbed"] = f.absorbed
        for c, y in f.yields.items():
            out[f"{name}:Y:{c}"] = y
    return out


def regions(surface) -> dict:
    c = surface.centroids
    n = surface.normals
    y = c[:, -1]
    flat = np.abs(n[:, -1]) > 0.7
    top = flat & (y > y.max() - 1e-3 * (y.max() - y.min()) - 1e-12)
    return {"top": top, "floor": flat & ~top, "wall": ~flat}


def measure(call, reps: int, rays_scale: float = 1.0) -> dict:
    from waferlab.context import RunContext

    tr, surface, species, stream = call
    out: dict = {}
    for launch in LAUNCHES:
        rt = dataclasses.replace(tr.tracing, launch=launch,
                                 rays_per_point=max(1, int(round(tr.tracing.rays_per_point
                                                                * rays_scale))))
        t2 = dataclasses.replace(tr, tracing=rt)
        vals: dict = {}
        cpu = 0.0
        for seed in range(reps):
            c0 = time.process_time()
            res = t2._trace(surface, species, RunContext(seed=seed, threads=2), stream)
            cpu += time.process_time() - c0
            for k, v in _fields(res).items():
                vals.setdefault(k, []).append(v)
        out[launch] = ({k: np.array(v) for k, v in vals.items()}, cpu / reps,
                       rt.rays_per_point)
    return out


def table(case: str, call, m: dict, reps: int) -> list[str]:
    surface = call[1]
    reg = regions(surface)
    rows = []
    uni, cpu_u, rpp = m["uniform"]
    for launch in LAUNCHES[1:]:
        strat, cpu_s, _ = m[launch]
        for k in uni:
            a, b = uni[k], strat[k]
            for rname, sel in reg.items():
                ok = sel & np.all(np.isfinite(a), axis=0) & np.all(np.isfinite(b), axis=0)
                if ok.sum() < 2:
                    continue
                ma, mb = a[:, ok].mean(0), b[:, ok].mean(0)
                scale = float(np.mean(np.abs(ma)))
                if scale <= 1e-12:
                    continue
                va = a[:, ok].var(0, ddof=1)
                vb = b[:, ok].var(0, ddof=1)
                se = np.sqrt((va.mean() + vb.mean()) / reps / ok.sum())   # of the region mean
                z = (mb.mean() - ma.mean()) / se if se > 0 else 0.0
                ratio = vb.mean() / va.mean() if va.mean() > 0 else float("nan")
                pos = va > 0
                med = float(np.median(vb[pos] / va[pos])) if pos.any() else float("nan")
                rows.append(f"| {case} | {launch} | {k} | {rname} ({ok.sum()}) | {scale:.4g} | "
                            f"{np.sqrt(va.mean()) / scale:.4f} | {np.sqrt(vb.mean()) / scale:.4f} "
                            f"| **{ratio:.3f}** | {med:.3f} | {z:+.2f} |")
        rows.append(f"| {case} | {launch} | CPU per trace ({rpp} rays/point) | | | {cpu_u:.3f} s | "
                    f"{cpu_s:.3f} s | | | |")
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", nargs="+", default=["ion_beam", "bosch", "hbro2", "cf4o2", "A"])
    ap.add_argument("--reps", type=int, default=8)
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--launches", nargs="+", default=["stratified"])
    a = ap.parse_args(argv)
    LAUNCHES[1:] = a.launches
    import os
    lines = []
    for case in a.cases:
        calls = capture(case)
        # one call per species set, two thirds into the run
        seen: dict = {}
        for c in calls:
            key = tuple(sp.name for sp in c[2])
            seen.setdefault(key, []).append(c)
        for cs in seen.values():
            call = cs[(2 * len(cs)) // 3]
            m = measure(call, a.reps)
            lines += table(case, call, m, a.reps)
            print("\n".join(lines[-8:]), flush=True)
    head = [
        "# 2D flux noise per element: uniform against stratified launch (rays2d, session 13)",
        "",
        f"`python bench/bench_rays2d_noise.py --reps {a.reps}`; load average "
        f"{os.getloadavg()[0]:.1f} at the end.  One captured trace per case and species set "
        "(two thirds into the run), repeated with seeds 0 … R−1 per launch at the case's "
        "rays/point.  σ: the standard deviation over seeds of an element's value, "
        "root-mean-square over the region, relative to the region's mean value; ratio = "
        "mean σ² stratified / uniform (the ray count that gives the uniform launch's noise "
        "is that fraction of the rays; a region's mean σ² is led by its noisiest elements, "
        "e.g. a few wall elements deep in a closing trench, so the median of the "
        "per-element ratios is listed too); z = (mean stratified − mean uniform) / its "
        "standard error over the region (unbiased: |z| ≲ 3).",
        "",
        "| case | launch | field | region (elements) | mean value | σ/mean uniform | σ/mean stratified "
        "| variance ratio | median per-element ratio | z |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    harness.write_text(harness.Path(a.out), "\n".join(head + lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
