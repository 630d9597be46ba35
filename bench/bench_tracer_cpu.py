"""CPU per traced ray of the ray kernels, before / after, on kernel calls captured from the
#17 benches (issue #17/#18).

``--capture``: runs the waferlab side of the #17 cases (fluorocarbon 2D / 3D, ion beam
2D / 3D, Bosch 2D) and the shared case H1 (the 1-min sf6o2 quarter hole) with the
kernels ``flux._kernels.trace2d/trace3d`` and ``_ion_beam_kernels.trace_beam`` wrapped
so that a few of their calls (every ``--every``-th, at most ``--per-case`` per case) are
stored with all their arguments,
then stops each case; the calls go to ``--file`` (a pickle outside the repository).

Replay (default): the kernels of a base commit (``--base``, default ``main``; their source
read with ``git show`` into a package in /tmp, so numba caches them) and this checkout's,
each captured call run by both in turn, ``--reps`` times, 1 thread; CPU (process time)
per launched ray, best of the repetitions; and whether the two tallies are equal bit
for bit (same rays, same random streams: a change that is meant to be exact must say
"yes").

Run: python bench/bench_tracer_cpu.py --capture
     python bench/bench_tracer_cpu.py [--base REV] [--reps 5] [--out PATH]
"""
from __future__ import annotations

import harness

harness.configure(threads=1)

import argparse  # noqa: E402
import importlib  # noqa: E402
import inspect  # noqa: E402
import os  # noqa: E402
import pickle  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

OUT = harness.RESULTS / "tracer_cpu.md"
FILE = Path("/tmp/waferlab_tracer_capture.pkl")
_FILES = {"_kernels": "src/waferlab/feature/flux/_kernels.py",
          "_cast3d": "src/waferlab/feature/flux/_cast3d.py",
          "_ion_kernels": "src/waferlab/feature/flux/_ion_kernels.py",
          "_rng": "src/waferlab/feature/flux/_rng.py",
          "_strata": "src/waferlab/feature/flux/_strata.py",
          "_ion_beam_kernels": "src/waferlab/feature/_ion_beam_kernels.py"}
# the arguments that are tallies (zeroed before each run) and the rays per chunk (since
# session 13 trace2d and trace_beam end with (strat, a_tab), trace3d with strat: calls
# captured before then do not replay on these kernels, nor these calls on older ones)
_OUTS = {"trace2d": (-7, -2), "trace3d": (-6, -1), "trace_beam": (-6, -2)}
_NRAYS = {"trace2d": -11, "trace3d": -10, "trace_beam": -8}
# where the 3D kernels take (gn, cstart, skip): each side recomputes ``skip`` with its own
# ``_cast3d.skip_field`` (the engine builds it from the cell lists)
_SKIP = {"trace3d": (9, 10, 16), "trace_beam": (5, 6, 8)}


class _Stop(Exception):
    pass


def capture(every: int, per_case: int, path: Path) -> None:
    import bench_bosch as bosch
    import bench_fluorocarbon as fc
    import bench_ion_beam as ib
    import bench_sf6o2_hole as hole

    from waferlab.feature import _ion_beam_kernels as KB
    from waferlab.feature.flux import _kernels as K

    calls: list = []
    state = {"n": 0, "case": ""}

    def wrap(mod, name):
        fn = getattr(mod, name)

        def wrapped(*args):
            state["n"] += 1
            if state["n"] % every == 0:
                calls.append((state["case"], name, [a.copy() if isinstance(a, np.ndarray) else a
                                                    for a in args]))
                print(f"captured {state['case']} {name} call {state['n']}", flush=True)
                if sum(c[0] == state["case"] for c in calls) >= per_case:
                    raise _Stop
            return fn(*args)
        setattr(mod, name, wrapped)

    for mod, name in ((K, "trace2d"), (K, "trace3d"), (KB, "trace_beam")):
        wrap(mod, name)
    cases = [("fluorocarbon 2D h 4 nm", fc.run_waferlab, (2, 4.0, 0.0, fc.TIME, 300)),
             ("fluorocarbon 3D h 5 nm", fc.run_waferlab, (3, 5.0, 0.0, fc.TIME3, fc.RAYS3)),
             ("ion beam 2D h 0.05 µm", ib.run_waferlab, (2, 0.05)),
             ("ion beam 3D h 0.1 µm", ib.run_waferlab, (3, 0.1)),
             ("Bosch 2D h 10 nm", bosch.run_waferlab, (10.0,)),
             ("sf6o2 hole 3D (H1) h 30 nm", hole.run_waferlab, (1.0, 300))]
    for case, fn, args in cases:
        state.update(n=0, case=case)
        try:
            fn(*args)
        except _Stop:
            pass
    with open(path, "wb") as f:
        pickle.dump(calls, f)
    print(f"wrote {len(calls)} calls to {path}")


def base_package(rev: str):
    """The kernel modules of commit ``rev`` as the package ``_tbase_<hash>`` in /tmp."""
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=harness.ROOT,
                         capture_output=True, text=True, check=True).stdout.strip()
    name = f"_tbase_{sha}"
    root = Path("/tmp/waferlab_tracer_base")
    pkg = root / name
    pkg.mkdir(parents=True, exist_ok=True)
    for mod, path in _FILES.items():
        if not (pkg / f"{mod}.py").exists():
            src = subprocess.run(["git", "show", f"{sha}:{path}"], cwd=harness.ROOT,
                                 capture_output=True, text=True, check=True).stdout
            src = src.replace("from .flux._", "from ._")
            (pkg / f"{mod}.py").write_text(src)
    (pkg / "__init__.py").write_text("")
    sys.path.insert(0, str(root))
    return sha, {m: importlib.import_module(f"{name}.{m}")
                 for m in ("_kernels", "_ion_beam_kernels", "_cast3d")}


def _kernel(mods, name):
    return getattr(mods["_ion_beam_kernels" if name == "trace_beam" else "_kernels"], name)


def _params(fn) -> list:
    """The parameter names of a numba kernel."""
    return list(inspect.signature(getattr(fn, "py_func", fn)).parameters)


def _own_skip(mods, name, args, captured=None):
    """The call's arguments with the skip field of this side's ``skip_field``; for
    trace3d, the top height ``ztop`` (session 15) dropped where this side's kernel does
    not take it, or set to +inf (no shortcut: the cast of every ray, as before it) where
    the captured call lacks it (``captured``: the parameter names of the kernel that
    made the call)."""
    a = list(args)
    if name == "trace3d" and captured is not None:
        own = _params(_kernel(mods, name))
        if "ztop" in captured and "ztop" not in own:
            del a[captured.index("ztop")]
        elif "ztop" in own and "ztop" not in captured:
            a.insert(own.index("ztop"), np.inf)
    if name in _SKIP and (name == "trace3d" or a[0] == 3):
        gn, cs, sk = _SKIP[name]
        if name == "trace3d":
            pn = _params(_kernel(mods, name))
            gn, cs, sk = pn.index("gn"), pn.index("cstart"), pn.index("skip")
        a[sk] = mods["_cast3d"].skip_field(a[cs], np.asarray(a[gn], np.int64))
    return a


def _run(fn, name, args):
    a = list(args)
    lo, hi = _OUTS[name]
    for i in range(len(a) + lo, len(a) + hi if hi else len(a)):
        a[i] = np.zeros_like(a[i])
    c0 = time.process_time()
    fn(*a)
    return time.process_time() - c0, a[len(a) + lo: len(a) + hi if hi else len(a)]


def replay(rev: str, reps: int, path: Path, out: Path, only=None) -> None:
    from waferlab.feature import _ion_beam_kernels as KB
    from waferlab.feature.flux import _cast3d as KC
    from waferlab.feature.flux import _kernels as K

    sha, base = base_package(rev)
    new = {"_kernels": K, "_ion_beam_kernels": KB, "_cast3d": KC}
    with open(path, "rb") as f:
        calls = pickle.load(f)
    rows = []
    totals = {}
    for case, name, args in calls:
        if only and not any(case.startswith(o) for o in only):
            continue
        nr = int(np.sum(args[_NRAYS[name]]))
        fb, fn = _kernel(base, name), _kernel(new, name)
        pnew = _params(_kernel(new, name))          # which kernel's arguments were captured
        made = pnew if len(args) == len(pnew) else _params(_kernel(base, name))
        argv = {"base": _own_skip(base, name, args, made),
                "new": _own_skip(new, name, args, made)}
        best = {"base": 1e9, "new": 1e9}
        res = {}
        for key, f in (("base", fb), ("new", fn)):          # compile / warm
            _run(f, name, argv[key])
        for _ in range(reps):
            for key, f in (("base", fb), ("new", fn)):
                dt, res[key] = _run(f, name, argv[key])
                best[key] = min(best[key], dt)
        same = all(np.array_equal(x, y) for x, y in zip(res["base"], res["new"]))
        t = totals.setdefault((case, name), [0.0, 0.0, 0, True])
        t[0] += best["base"]
        t[1] += best["new"]
        t[2] += nr
        t[3] &= same
        print(f"{case} {name} {nr} rays: {1e6 * best['base'] / nr:.3f} → "
              f"{1e6 * best['new'] / nr:.3f} µs/ray, same {same}", flush=True)
    for (case, name), (tb, tn, nr, same) in totals.items():
        rows.append(f"| {case} | {name} | {nr} | {1e6 * tb / nr:.3f} | {1e6 * tn / nr:.3f} | "
                    f"{100 * (tn / tb - 1):+.1f} % | {'yes' if same else 'NO'} |")
    text = ["# CPU per traced ray, kernels before / after (issue #17/#18)", "",
            f"`python bench/bench_tracer_cpu.py --base {rev}` on kernel calls captured from the "
            "#17 benches (`--capture`: a few trace calls of each case with all their "
            "arguments); each call run by the base commit's kernels "
            f"({sha}) and this checkout's in turn, {reps} times, 1 thread; CPU µs per launched "
            "ray, best of the repetitions, summed over the case's captured calls; same = the "
            "tallies of every captured call equal bit for bit.  Load average "
            f"{os.getloadavg()[0]:.1f} at the end (shared 2-core machine).", "",
            "| case | kernel | rays | base (µs/ray) | new (µs/ray) | change | same tallies |",
            "|---|---|---|---|---|---|---|", *rows]
    harness.write_text(out, "\n".join(text))
    print(f"wrote {out}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--capture", action="store_true")
    ap.add_argument("--every", type=int, default=7)
    ap.add_argument("--per-case", type=int, default=3)
    ap.add_argument("--file", default=str(FILE))
    ap.add_argument("--base", default="main")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--only", nargs="+", help="case name prefixes to replay")
    a = ap.parse_args()
    if a.capture:
        capture(a.every, a.per_case, Path(a.file))
    else:
        replay(a.base, a.reps, Path(a.file), Path(a.out), a.only)


if __name__ == "__main__":
    main()
