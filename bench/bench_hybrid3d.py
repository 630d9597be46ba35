"""Accuracy and cost of the 3D hybrid neutral estimator (``flux.hybrid``) against the full
walk, on the neutral traces of the shared 3D cases.

A short run of each case is made with the hybrid on (``reemission="hybrid"``); the ``--call``-th neutral ray group
it traces (the surface, the species with their per-element sticking, the ray count N) is
kept, and on that trace:
- reference: the full walk (``FluxTracer._run``) with 16 N rays;
- the walk with N rays and the hybrid with N rays, ``--seeds`` independent seeds each:
  CPU of each, per-element relative error (rms over the elements inside the feature)
  against the reference, and the region means over 5 depth bands of the feature with
  the hybrid's bias (mean over seeds − reference) and its σ (the reference's batch-means
  σ and the spread of the seeds, combined): |bias| < 3σ is the check.

Run: python bench/bench_hybrid3d.py [--cases B,fc3,H0.2] [--out bench/results/hybrid3d_s16.md]
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

OUT = harness.RESULTS / "hybrid3d_s16.md"


def capture(case: str, call: int):
    """(tracer, group, N) of the ``call``-th hybrid ray group of a short run of ``case``."""
    from waferlab.context import RunContext
    from waferlab.feature.flux import hybrid as HY
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer

    got: list = []
    orig = HY.run_cut

    def keep(tracer, group, n_rays, seeds, **kw):
        got.append((tracer, tuple(group), n_rays))
        if len(got) >= call:
            raise StopIteration
        return orig(tracer, group, n_rays, seeds, **kw)

    from waferlab.feature.flux import transport as TR

    plain = TR.trace_fluxes

    def hybrid_on(*args, **kw):                 # the case as with reemission="hybrid"
        if kw.get("reemission") == "radiosity":
            kw["reemission"] = "hybrid"
        return plain(*args, **kw)

    HY.run_cut = keep
    TR.trace_fluxes = hybrid_on
    try:
        if case == "fc3":
            import bench_fluorocarbon as fc

            try:
                fc.run_waferlab(3, 5.0, 0.0, fc.TIME3, fc.RAYS3)
            except StopIteration:
                pass
        else:
            import bench_shared_cases as sc

            r = recipe_from_dict(sc.recipe(case))
            w = initial_wafer(r)
            try:
                for st in r.steps:
                    w = st.apply(w, RunContext(seed=42, threads=2))
            except StopIteration:
                pass
    finally:
        HY.run_cut = orig
        TR.trace_fluxes = plain
    return got[-1]


def _bands(tracer, nb=5):
    """Area weights (nb, m) of depth bands of the elements below the field top."""
    c = tracer.surface.centroids
    ok = tracer.valid & (c[:, 2] < tracer.ztop - 1e-3 * (tracer.ztop - c[:, 2].min()))
    z = c[:, 2]
    lo, hi = z[ok].min(), z[ok].max()
    edges = np.linspace(lo, hi + 1e-12 * abs(hi), nb + 1)
    W = np.zeros((nb, len(z)))
    for b in range(nb):
        sel = ok & (z >= edges[b]) & (z < edges[b + 1])
        W[b, sel] = tracer.areas[sel]
    return W, ok, edges


def study(case: str, call: int, seeds_n: int) -> list[str]:
    from waferlab.context import RunContext
    from waferlab.feature.flux import hybrid as HY
    from waferlab.feature.flux.engine import _batch

    tracer, group, N = capture(case, call)
    ctx = RunContext(seed=7, threads=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        norm = np.where(tracer.valid, tracer.domain_area / tracer.areas, np.nan)
    W, ok, edges = _bands(tracer)
    S = len(group)

    def stats(res):
        inc, nrays = res[0], res[4]
        out = []
        for q in range(S):
            m, e, fk = _batch(inc[:, q], nrays, norm)
            fk = np.nan_to_num(fk) if fk is not None else None
            out.append((m, e, inc[:, q] / nrays[:, None] * np.where(np.isfinite(norm), norm, 0)))
        return out

    t0 = time.process_time()
    ref = stats(tracer._run(group, 16 * N, ctx.seeds(64, "ref")))
    t_ref = time.process_time() - t0
    runs = {"walk": [], "hybrid": []}
    cpu = {"walk": [], "hybrid": []}
    for i in range(seeds_n):
        for name in runs:
            seeds = ctx.seeds(64, name, i)
            t0 = time.process_time()
            res = (tracer._run(group, N, seeds) if name == "walk"
                   else HY.run_cut(tracer, group, N, seeds))
            cpu[name].append(time.process_time() - t0)
            runs[name].append(stats(res))
    rows = []
    for q, sp in enumerate(group):
        m_ref, e_ref, fk_ref = ref[q]
        # band means of the reference and their batch-means σ
        Wn = W / W.sum(axis=1, keepdims=True)
        band_ref = Wn @ np.nan_to_num(m_ref)
        bk = np.nan_to_num(fk_ref) @ Wn.T                     # (K, nb) chunk means
        band_ref_sig = bk.std(axis=0, ddof=1) / np.sqrt(bk.shape[0])
        line = {}
        for name in runs:
            ms = np.array([np.nan_to_num(r[q][0]) for r in runs[name]])
            pos = ok & (np.nan_to_num(m_ref) > 0)
            rel = [np.sqrt(np.mean(((mm - m_ref)[pos] / m_ref[pos]) ** 2)) for mm in ms]
            bands = ms @ Wn.T                                   # (seeds, nb)
            bias = bands.mean(axis=0) - band_ref
            sig = np.hypot(band_ref_sig, bands.std(axis=0, ddof=1) / np.sqrt(len(ms)))
            line[name] = (np.mean(rel), bias / band_ref, sig / band_ref, np.mean(cpu[name]))
        for name, (rel, b, sg, c) in line.items():
            bands_txt = " ".join(f"{100 * x:+.2f}±{100 * s:.2f}" for x, s in zip(b, sg))
            worst = float(np.max(np.abs(b) / np.maximum(sg, 1e-300)))
            rows.append(f"| {case} | {sp.name} | {name} | {c:.2f} | {100 * rel:.2f} % | "
                        f"{bands_txt} | {worst:.2f} |")
            print(rows[-1], flush=True)
    print(f"{case}: N = {N}, elements {tracer.n_elements}, reference CPU {t_ref:.1f} s",
          flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default="B,fc3,H0.2")
    ap.add_argument("--call", type=int, default=3)
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--out", default=str(OUT))
    a = ap.parse_args()
    rows = []
    for case in a.cases.split(","):
        rows += study(case, a.call, a.seeds)
    text = ["# The 3D hybrid neutral estimator against the full walk", "",
            "`python bench/bench_hybrid3d.py` (module docstring): the "
            f"{a.call}rd neutral trace of each case; reference the walk at 16 N rays; "
            f"{a.seeds} seeds per estimator at N rays.  CPU: process time of one trace (2 "
            "threads).  Per-element error: rms over the feature's elements of (f − ref)/ref, "
            "mean over seeds.  Bands: 5 equal depth bands of the feature (bottom first), "
            "bias of the seed mean against the reference ± σ (reference batch means and "
            "seed spread); last column max |bias|/σ (3: the 3σ check).", "",
            "| case | species | estimator | CPU s | per-element error | band bias (%) ± σ "
            "| max |bias|/σ |", "|---|---|---|---|---|---|---|", *rows]
    harness.write_text(Path(a.out), "\n".join(text) + "\n")


if __name__ == "__main__":
    main()
