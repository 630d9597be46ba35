"""Where the CPU of the 3D ray-traced runs goes (issues #17/#18, session 17 lane rays3d):
one case per child process, profiled with cProfile on the process clock
(``time.process_time``: user + system of every thread, so a numba-parallel kernel counts
both threads), 2 threads.  The report lists the functions with the largest own
(``tottime``) and cumulative CPU, and a phase split:

    ray kernels     ``flux._kernels.trace3d`` (casts and the re-emission walk, in numba)
    flux set-up     ``FluxTracer.__init__`` (element packing, voxel cell lists, skip field)
    smoothing       ``engine.smoothing_operator`` and the smoothed batch means
    band k-NN       ``FluxState.at`` (interpolation to the level-set nodes)
    extraction      ``transport.surface_of`` (marching cubes)
    whole step      ``TracedTransport.speed`` / ``prepare`` (everything of the flux step)

Cases: ``B`` (bench_shared_cases.py's 3D hole deposit), ``fc3`` (bench_fluorocarbon.py's
3D hole, h 5 nm, 100 rays/point, k_ie 0), ``hbro2_3d`` (bench_etch_chemistries.py's 3D
quarter hole; ``--h`` sets the spacing, default 0.01 µm), ``H0.2``.

Run: python bench/bench_rays3d_phases.py --cases B,fc3 [--h 0.01] [--out PATH]
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

OUT = harness.RESULTS / "rays3d_phases_s17.md"

PHASES = [("ray kernels (trace3d)", "_kernels.py", "trace3d"),
          ("flux set-up (FluxTracer)", "engine.py", "__init__"),
          ("smoothing operator", "engine.py", "smoothing_operator"),
          ("batch means", "engine.py", "_batch"),
          ("band k-NN (FluxState.at)", "transport.py", "at"),
          ("extraction (surface_of)", "transport.py", "surface_of"),
          ("flux engine total (trace_fluxes)", "engine.py", "trace_fluxes"),
          ("velocity total (TracedTransport.speed)", "transport.py", "speed"),
          ("level-set step (advect.advance)", "advect.py", "advance"),
          ("band rebuild", "_band.py", "rebuild")]


def run_case(case: str, h: float) -> object:
    """Run the case in this process; return its result."""
    from waferlab.context import RunContext
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer

    if case == "fc3":
        import bench_fluorocarbon as fc
        return fc.run_waferlab(3, 5.0, 0.0, fc.TIME3, fc.RAYS3)
    if case == "hbro2_3d":
        import bench_etch_chemistries as chem
        data = chem.recipe_dict("hbro2", 3, h, 300)
        seed = 1
    else:
        import bench_shared_cases as sc
        data = sc.recipe(case)
        seed = data["seed"]
    r = recipe_from_dict(data)
    w = initial_wafer(r)
    ctx = RunContext(seed=seed, threads=2)
    for st in r.steps:
        w = st.apply(w, ctx)
    return None


def warm(case: str) -> None:
    """Load (or compile) the numba kernels outside the profile: a small run of the kind."""
    if case == "fc3":
        import bench_fluorocarbon as fc
        fc.run_waferlab(3, 5.0, 0.0, 0.5, 20)
    elif case == "hbro2_3d":
        import bench_etch_chemistries as chem
        from waferlab.context import RunContext
        from waferlab.recipe import recipe_from_dict
        from waferlab.runner import initial_wafer
        r = recipe_from_dict(chem.recipe_dict("hbro2", 3, 0.05, 20))
        w = initial_wafer(r)
        for st in r.steps:
            w = st.apply(w, RunContext(seed=1, threads=2))


def child(case: str, h: float, out: Path) -> None:
    warm(case)
    c0 = time.process_time()
    prof = cProfile.Profile(time.process_time)
    prof.enable()
    run_case(case, h)
    prof.disable()
    total = time.process_time() - c0
    st = pstats.Stats(prof)
    rows = {}
    for (fname, _line, func), (_cc, _nc, _tt, ct, _callers) in st.stats.items():  # type: ignore[attr-defined]
        for label, f, fn in PHASES:
            if fname.endswith(f) and func == fn:
                rows[label] = rows.get(label, 0.0) + ct
    s = io.StringIO()
    pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(25)
    s2 = io.StringIO()
    pstats.Stats(prof, stream=s2).sort_stats("cumulative").print_stats(45)
    out.write_text(json.dumps({"total": total, "phases": rows, "tottime": s.getvalue(),
                               "cumulative": s2.getvalue()}))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default="B,fc3")
    ap.add_argument("--h", type=float, default=0.01)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        child(a.child[0], float(a.child[1]), Path(a.child[2]))
        return 0
    lines = ["# Where the CPU of the 3D ray-traced runs goes (rays3d, session 17)", "",
             "`python bench/bench_rays3d_phases.py` (cProfile on the process clock, 2 threads, "
             "one child per case; cumulative CPU of each phase, phases nest).", ""]
    for case in a.cases.split(","):
        res = Path(f"/tmp/rays3d_prof_{case}_{os.getpid()}.json")
        l0 = os.getloadavg()[0]
        subprocess.run([sys.executable, __file__, "--child", case, repr(a.h), str(res)],
                       check=True)
        d = json.loads(res.read_text())
        tot = d["total"]
        lines += [f"## {case} (load {l0:.1f} → {os.getloadavg()[0]:.1f}; run CPU {tot:.2f} s)",
                  "", "| phase | CPU s | share |", "|---|---|---|"]
        for label, _f, _fn in PHASES:
            v = d["phases"].get(label, 0.0)
            lines.append(f"| {label} | {v:.2f} | {100 * v / tot:.0f} % |")
        lines += ["", "```", d["tottime"][:6000], "```", "", "```", d["cumulative"][:9000],
                  "```", ""]
        print("\n".join(lines[-60:]), flush=True)
    a.out.write_text("\n".join(lines) + "\n" + harness.stamp() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
