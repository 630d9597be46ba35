"""Per-element flux noise of the 3D tracer, plain launch against the stratified launch
(``flux._strata``), over seeds on frozen geometry.

For each case the model's 3D bench run is executed once (this tree) with the transport's
``trace_fluxes`` recorded; the surface and species of its middle trace are frozen
(pickled).  Each frozen trace is then re-traced with S seeds by two source trees in child
processes, alternating: ``--base`` (default /work/main/src: the plain launch) and this
tree (the stratified launch), at the recorded rays per point and at fractions of it.
Reported per species and quantity (incident, absorbed, yields): the median over elements
of the relative σ over seeds (σ_e / |mean_e|, mean_e of the plain launch, elements whose
plain mean is above 5 % of the largest), the ray count at which the stratified launch has the old noise (σ ∝ N^−½
interpolated between the fractions run), and the bias check: the fraction of elements
whose two means differ by more than 3 combined standard errors (≈ 2 % expected with
8 seeds: the standard errors are estimated, Student t with 7 degrees of freedom).

Cases: hbro2 / cf4o2 3D (bench_etch_chemistries, h 0.03 µm, 300 rays), fluorocarbon 3D
(bench_fluorocarbon, h 5 nm, 100 rays), the sf6o2 hole (bench_sf6o2_hole, 0.2 min, 300
rays), and two synthetic ones: a flat surface under a cos¹⁰⁰ beam and a cosine source.

Run: python bench/bench_strata3d.py [--cases ...] [--seeds 8] [--base /work/main/src]
     [--out bench/results/strata3d_noise.md]
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import argparse  # noqa: E402
import os  # noqa: E402
import pickle  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
TMP = Path(os.environ.get("STRATA_TMP", "/tmp/strata3d"))
OUT = harness.RESULTS / "strata3d_noise.md"
FRACTIONS = (1.0, 0.5, 0.25)
REUSE = "--reuse" in sys.argv          # tabulate the children's saved results again


# ----------------------------------------------------------------------- frozen cases
def _record(run) -> list:
    """Run ``run()`` with the transport's trace_fluxes recorded: [(surface, species, rpp,
    smoothing)]."""
    from waferlab.feature.flux import transport as T

    calls = []
    orig = T.trace_fluxes

    def rec(surface, species, ctx, **kw):
        calls.append((surface, tuple(species), kw.get("rays_per_point"), kw.get("n_rays"),
                       kw.get("smoothing", 0.0)))
        return orig(surface, species, ctx, **kw)

    T.trace_fluxes = rec
    try:
        run()
    finally:
        T.trace_fluxes = orig
    return calls


def _synthetic(kind: str) -> list:
    from waferlab.feature.builders import layer_stack
    from waferlab.feature.extract import extract_surface
    from waferlab.feature.grid import Grid
    from waferlab.feature.flux.sources import Species

    g = Grid(dimension=3, spacing=0.02e-6, extent=(0.6e-6, 0.6e-6))
    surf = extract_surface(layer_stack(g, "Si", []))
    sp = (Species(name="ion", sticking=1.0, source_exponent=100.0) if kind == "beam" else
          Species(name="n", sticking=0.5))
    return [(surf, (sp,), 300, None, 0.0)]


def capture(case: str) -> list:
    """The recorded traces of ``case`` (see the module docstring)."""
    sys.path.insert(0, str(HERE))
    if case in ("flat_beam", "flat_cosine"):
        return _synthetic(case.split("_")[1])
    if case in ("hbro2", "cf4o2"):
        import bench_etch_chemistries as chem
        return _record(lambda: chem.worker_waferlab(case, 3, 0.03, 300))
    if case == "fluorocarbon":
        import bench_fluorocarbon as fc
        return _record(lambda: fc.run_waferlab(3, 5.0, 0.0, fc.TIME3, fc.RAYS3))
    if case == "ion_beam":
        import bench_ion_beam as ib
        from waferlab.feature.ion_beam import BeamTransport

        calls = []
        orig = BeamTransport._trace

        def rec(self, surface, species, ctx, stream):
            calls.append(("beam", self, surface, tuple(species), stream))
            return orig(self, surface, species, ctx, stream)

        BeamTransport._trace = rec
        try:
            ib.run_waferlab(3, 0.1)
        finally:
            BeamTransport._trace = orig
        return calls
    if case == "sf6o2_hole":
        import bench_sf6o2_hole as hole
        return _record(lambda: hole.run_waferlab(0.2, 300))
    raise ValueError(case)


# ----------------------------------------------------------------------- noise worker
def noise(frozen: Path, seeds: int, fraction: float, out: Path) -> None:
    """Child process: re-trace the frozen call with ``seeds`` seeds at ``fraction`` of its
    rays; save per-quantity (S, m) arrays and the CPU time."""
    from waferlab.context import RunContext
    from waferlab.feature.flux.engine import trace_fluxes

    call = pickle.loads(frozen.read_bytes())
    if call[0] == "beam":                    # the ion beam's own tracer (BeamTransport)
        from dataclasses import replace

        _, tp, surf, species, stream = call
        tp = replace(tp, tracing=replace(
            tp.tracing, rays_per_point=max(1, int(round(tp.tracing.rays_per_point * fraction)))))

        def trace(seed):
            return tp._trace(surf, species, RunContext(seed=seed, threads=2), stream)
    else:
        surf, species, rpp, n_rays, smooth = call
        kw = ({"rays_per_point": max(1, int(round(rpp * fraction)))} if rpp is not None else
              {"n_rays": int(n_rays * fraction)})

        def trace(seed):
            return trace_fluxes(surf, species, RunContext(seed=seed, threads=2),
                                smoothing=smooth, **kw)
    res: dict[str, list] = {}
    cpu = 0.0
    trace(999)                                                      # warm-up
    for s in range(seeds):
        c0 = time.process_time()
        r = trace(1000 + s)
        cpu += time.process_time() - c0
        for name in r.species:
            f = r[name]
            res.setdefault(f"{name}:incident", []).append(f.incident)
            if f.absorbed is not f.incident:
                res.setdefault(f"{name}:absorbed", []).append(f.absorbed)
            for c, v in f.yields.items():
                res.setdefault(f"{name}:yield:{c}", []).append(v)
    np.savez(out, cpu=cpu / seeds, **{k: np.array(v) for k, v in res.items()})


def _child(src: str, frozen: Path, seeds: int, fraction: float, out: Path) -> None:
    env = dict(os.environ, PYTHONPATH=src)
    subprocess.run([sys.executable, __file__, "--worker", str(frozen), "--seeds", str(seeds),
                    "--fraction", str(fraction), "--to", str(out)], env=env, check=True)


def _stats(a: np.ndarray, ref_mean=None):
    """(median relative σ over elements, mean per element, σ per element)."""
    mean = np.nanmean(a, 0)
    sd = np.nanstd(a, 0, ddof=1)
    ref = mean if ref_mean is None else ref_mean      # elements chosen by the plain launch
    ok = np.isfinite(mean) & np.isfinite(ref) & (np.abs(ref) > 0.05 * np.nanmax(np.abs(ref)))
    rel = sd[ok] / np.abs(ref[ok])                  # relative to the plain launch's mean
    return float(np.median(rel)) if ok.any() else float("nan"), mean, sd, ok


def _groups(calls: list) -> dict:
    """The middle recorded trace of each species group: {group name: call}."""
    by: dict[str, list] = {}
    for c in calls:
        sp = c[3] if c[0] == "beam" else c[1]
        by.setdefault("+".join(s.name for s in sp), []).append(c)
    return {k: v[len(v) // 2] for k, v in by.items()}


def compare(case: str, base: str, seeds: int) -> list[str]:
    TMP.mkdir(parents=True, exist_ok=True)
    rows = []
    if REUSE:                                  # the frozen calls of an earlier launch
        groups = {f.stem[len(case) + 2:-1]: pickle.loads(f.read_bytes())
                  for f in sorted(TMP.glob(f"{case} [[]*].pkl"))}
    else:
        groups = _groups(capture(case))
    for gname, call in groups.items():
        rows += _compare_call(f"{case} [{gname}]", call, base, seeds)
    return rows


def _compare_call(case: str, call, base: str, seeds: int) -> list[str]:
    rows = []
    frozen = TMP / f"{case}.pkl"
    if not REUSE:
        frozen.write_bytes(pickle.dumps(call))
    surf = call[2] if call[0] == "beam" else call[0]
    m = len(surf.areas)
    runs = {}
    for frac in FRACTIONS:
        for tag, src in (("plain", base), ("strata", str(SRC))):
            if tag == "plain" and frac != 1.0:
                continue
            out = TMP / f"{case}_{tag}_{frac}.npz"
            if not (REUSE and out.exists()):
                _child(src, frozen, seeds, frac, out)
            runs[tag, frac] = np.load(out)
    p = runs["plain", 1.0]
    load = os.getloadavg()[0]
    for key in p.files:
        if key == "cpu":
            continue
        s0, m0, sd0, ok = _stats(p[key])
        sig = {frac: _stats(runs["strata", frac][key], m0)[0] for frac in FRACTIONS}
        _, m1, sd1, _ = _stats(runs["strata", 1.0][key])
        z = np.abs(m1 - m0) / np.sqrt((sd0 ** 2 + sd1 ** 2) / seeds)
        bias = float(np.mean(z[ok] > 3.0)) if ok.any() else float("nan")
        a = surf.areas
        t0 = np.nansum(p[key][:, ok] * a[ok], 1)                 # compared area's total
        t1 = np.nansum(runs["strata", 1.0][key][:, ok] * a[ok], 1)
        se = np.sqrt((t0.var(ddof=1) + t1.var(ddof=1)) / seeds)
        exact = se <= 1e-9 * abs(t0.mean())       # every ray lands once (a flat surface)
        zagg = f"{(t1.mean() - t0.mean()) / se:+.1f}" if not exact else "exact"
        # fewest rays with the old noise: log σ linear in log N through the fractions run
        lf = np.log(np.array(FRACTIONS))
        ls = np.log(np.array([sig[f] for f in FRACTIONS]))
        slope, icpt = np.polyfit(lf, ls, 1)
        need = float(np.exp((np.log(s0) - icpt) / slope))
        rpp = (call[1].tracing.rays_per_point if call[0] == "beam" else
               call[2] if call[2] is not None else call[3])
        rows.append(f"| {case} | {key} | {m} | {int(ok.sum())} | {100 * s0:.2f} | "
                    + " | ".join(f"{100 * sig[f]:.2f}" for f in FRACTIONS)
                    + f" | {s0 / sig[1.0]:.2f} | {need * rpp:.0f} of {rpp} | {100 * bias:.1f} | {zagg} | "
                    f"{p['cpu']:.2f} / {runs['strata', 1.0]['cpu']:.2f} | {load:.1f} |")
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", nargs="+", default=["flat_beam", "flat_cosine", "hbro2",
                                                   "fluorocarbon", "sf6o2_hole"])
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--base", default="/work/main/src")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--worker")
    ap.add_argument("--fraction", type=float, default=1.0)
    ap.add_argument("--to")
    a = ap.parse_args()
    if a.worker:
        noise(Path(a.worker), a.seeds, a.fraction, Path(a.to))
        return
    rows = []
    for case in a.cases:
        rows += compare(case, a.base, a.seeds)
    text = ["# 3D flux noise: plain launch against the stratified launch (frozen geometry)", "",
            f"`python bench/bench_strata3d.py --seeds {a.seeds}`: each case's middle trace "
            "frozen, re-traced with the seeds in child processes by the plain launch "
            f"(`{a.base}`) and the stratified launch (this tree) at "
            + ", ".join(f"{f:g}" for f in FRACTIONS) + " × its rays.  σ: median over elements "
            "(mean above 5 % of the largest) of σ_e over seeds / |mean_e| of the plain launch, %.  'rays for the "
            "old σ': the stratified launch's ray count with the plain launch's σ "
            "(σ ∝ N^−½ between the fractions run).  'bias': elements whose means differ by "
            "more than 3 standard errors (≈ 2 % expected without bias: Student t, S − 1 "
            "degrees of freedom); 'total z': the difference of the compared elements' "
            "area-weighted totals over its standard error.  CPU: per trace, 2 threads.", "",
            "| case | quantity | elements | compared | σ plain % | "
            + " | ".join(f"σ strata {f:g}× %" for f in FRACTIONS)
            + " | σ ratio at equal rays | rays/point for the old σ | bias % | total z "
            "| CPU plain / strata (s) | load |",
            "|---|---|---|---|---|" + "---|" * len(FRACTIONS) + "---|---|---|---|---|---|", *rows, "",
            f"Finished {time.strftime('%H:%M UTC', time.gmtime())}."]
    harness.write_text(a.out, "\n".join(text))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
