"""Speed of the #17 etch models against ViennaPS 4.7, all cases in one launch: each case
run by waferlab and by the peer in turn (interleaved), 2 threads each, wall and CPU
time of every run and the load average around it.  The cases and their settings are
those of the model benches (bench_ion_beam, bench_fluorocarbon, bench_bosch: in this
process, the etch step's wall and CPU; bench_etch_chemistries: whole processes), which
own the accuracy settings; this script only times them side by side (and lists each
code's depth / CD in the bench's units, to show the results did not move).  The per-ray
cost of the tracer is bench_tracer_rays.py's.

For the in-process cases the share of waferlab's CPU spent in the Monte Carlo tracer is
listed too: the process time inside the ray kernels (``flux._kernels.trace2d/trace3d``,
the ion-beam kernel ``trace_beam`` and, since session 14, the view-factor sweep of the
2D neutrals ``flux._emit_kernels.sweep2d``, both threads) and inside the whole flux engine
(``trace_fluxes``: binning, kernels, batch statistics, smoothing; the ion beam does not
call it: "—"), as fractions of the run's CPU.

Run: python bench/bench_speed17.py [--only ion_beam fluorocarbon bosch chem] [--dims 2 3]
     [--out PATH]      (default bench/results/speed_issue17_runs.md, stamped)
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import argparse  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402

import bench_bosch as bosch  # noqa: E402
import bench_etch_chemistries as chem  # noqa: E402
import bench_fluorocarbon as fc  # noqa: E402
import bench_ion_beam as ib  # noqa: E402

OUT = harness.RESULTS / "speed_issue17_runs.md"


SPENT = {"kernel": 0.0, "engine": 0.0}


def _counted(fn, key):
    """fn with its process time added to SPENT[key]."""
    def wrapped(*args, **kwargs):
        c0 = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            SPENT[key] += time.process_time() - c0
    return wrapped


def _count_tracer() -> None:
    """Time the ray kernels and the flux engine (module attributes, looked up per call)."""
    from waferlab.feature import _ion_beam_kernels as KB
    from waferlab.feature.flux import _emit_kernels as KE
    from waferlab.feature.flux import _kernels as K
    from waferlab.feature.flux import transport as T
    for mod, name in ((K, "trace2d"), (K, "trace3d"), (KB, "trace_beam"), (KE, "sweep2d")):
        setattr(mod, name, _counted(getattr(mod, name), "kernel"))
    T.trace_fluxes = _counted(T.trace_fluxes, "engine")


def _inproc(fn):
    def run(*args):
        for k in SPENT:
            SPENT[k] = 0.0
        out = harness.timed(fn, *args)
        return out + (dict(SPENT),)
    return run


def _proc(code, model):
    def run(dim, h):
        r = chem.launch(code, model, dim, h, 300)
        return r, r["wall"], r["cpu"], None
    return run


CASES = {
    "ion_beam": [("ion beam 2D h 0.1 µm", _inproc(ib.run_waferlab), _inproc(ib.run_viennaps), (2, 0.1)),
                 ("ion beam 2D h 0.05 µm", _inproc(ib.run_waferlab), _inproc(ib.run_viennaps), (2, 0.05)),
                 ("ion beam 3D h 0.1 µm", _inproc(ib.run_waferlab), _inproc(ib.run_viennaps), (3, 0.1))],
    "fluorocarbon": [("fluorocarbon 2D h 4 nm, k_ie 0", _inproc(fc.run_waferlab), _inproc(fc.run_viennaps),
                      (2, 4.0, 0.0, fc.TIME, 300)),
                     ("fluorocarbon 3D h 5 nm, k_ie 0", _inproc(fc.run_waferlab), _inproc(fc.run_viennaps),
                      (3, 5.0, 0.0, fc.TIME3, fc.RAYS3))],
    "bosch": [("Bosch 2D h 10 nm, 3 cycles", _inproc(bosch.run_waferlab), _inproc(bosch.run_viennaps), (10.0,))],
    "chem": [(f"{m} {d}D h {h:g} µm", _proc("waferlab", m), _proc("viennaps", m), (d, h))
             for m in ("hbro2", "cf4o2") for d, h in ((2, 0.02), (2, 0.01), (3, 0.03))],
}


def _fmt(r) -> str:
    """depth / CD of a bench's result (its own units)."""
    if isinstance(r, dict):
        return f"{r['depth']:.4g} / {r.get('cd', float('nan')):.4g}"
    while isinstance(r, tuple) and isinstance(r[0], tuple):
        r = r[0]
    return f"{r[0]:.4g} / {r[1]:.4g}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="+", choices=list(CASES), default=list(CASES))
    ap.add_argument("--dims", nargs="+", type=int, default=[2, 3])
    ap.add_argument("--out", default=str(OUT))
    a = ap.parse_args()
    _count_tracer()
    ib.run_waferlab(2, 0.2)                                  # numba warm-up (cache)
    fc.run_waferlab(3, 5.0, 0.0, 0.5, 20)
    chem.launch("waferlab", "hbro2", 2, 0.05, 20)
    rows = []
    for group in a.only:
        for name, wl, peer, args in CASES[group]:
            if int(name.split("D ")[0][-1]) not in a.dims:
                continue
            out = {}
            for code, fn in (("waferlab", wl), ("ViennaPS", peer)):
                l0 = os.getloadavg()[0]
                res, wall, cpu, spent = fn(*args)
                out[code] = (wall, cpu, 0.5 * (l0 + os.getloadavg()[0]), _fmt(res), spent)
            (wa, ca, la, ra, sa), (wp, cp, lp, rp, _) = out["waferlab"], out["ViennaPS"]
            share = "—"
            if sa and ca > 0:
                eng = f"{100 * sa['engine'] / ca:.0f} %" if sa["engine"] > 0 else "—"
                share = f"{100 * sa['kernel'] / ca:.0f} % / {eng}"
            rows.append(f"| {name} | {ca:.1f} / {wa:.1f} | {cp:.1f} / {wp:.1f} | "
                        f"**{ca / cp:.2f}** | **{wa / wp:.2f}** | {la:.1f} / {lp:.1f} | "
                        f"{share} | {ra} | {rp} |")
            print(rows[-1], flush=True)
    text = ["# #17 speed side by side (waferlab vs ViennaPS 4.7, one launch, interleaved)", "",
            "`python bench/bench_speed17.py`.  2 threads each; CPU = process time (all threads) "
            "of the run (ion beam, fluorocarbon, Bosch: the etch in this process; hbro2/cf4o2: "
            "the whole process, imports and numba cache loading included); load = 1-min load "
            "average around each run (shared 2-core machine).", "",
            "| case | waferlab CPU / wall (s) | ViennaPS CPU / wall (s) | CPU ratio | wall ratio "
            "| load (waferlab / peer run) | tracer share of waferlab CPU: kernels / flux engine "
            "| waferlab depth / CD | peer depth / CD |",
            "|---|---|---|---|---|---|---|---|---|", *rows, "",
            f"Finished {time.strftime('%H:%M UTC', time.gmtime())}."]
    harness.write_text(a.out, "\n".join(text))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
