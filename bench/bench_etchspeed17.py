"""Before/after of the etchspeed changes (issue #17), side by side with ViennaPS 4.7: each
case run by waferlab at the code before (``--before SRC``: a checkout's ``src``), by
waferlab at this checkout, and by the peer, in that order per case (interleaved), each a
child process, 2 threads each.  Fluorocarbon 3D and Bosch: the CPU and wall of the
etch in the child (as bench_speed17), with the engine's time-step count; hbro2/cf4o2:
whole processes (bench_etch_chemistries.launch: waferlab's is the ``waferlab run``
command, as a user runs it, since session 15; the peer's its worker).  The settings are
the model benches'.

Run: python bench/bench_etchspeed17.py --before /path/to/old/src [--after SRC]
     [--only ib3 fc3 fc2 bosch chem]
Writes bench/results/speed_issue17_etchspeed_runs.md (stamped).
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

HERE = Path(__file__).parent
OUT = harness.RESULTS / "speed_issue17_etchspeed_runs.md"


def _worker(case: str, code: str) -> dict:
    """One in-process run of ``case`` by ``code`` ("waferlab" or "viennaps")."""
    if code == "waferlab":
        from waferlab.feature import advect
        orig, steps = advect.stable_dt, []

        def counted(rate, h, cfl=0.4):
            dt = orig(rate, h, cfl)
            if cfl != advect.STABILITY:
                steps.append(dt)
            return dt
        advect.stable_dt = counted
    if case == "warm":                       # numba caches of this checkout
        import bench_bosch as bo
        import bench_fluorocarbon as fc
        import bench_ion_beam as ib
        ib.run_waferlab(2, 0.2)
        fc.run_waferlab(3, 5.0, 0.0, 0.5, 20)
        bo.run_waferlab(20.0)
        return {"depth": 0.0, "cd": 0.0}
    if case == "ib3":
        import bench_ion_beam as ib
        fn = ib.run_waferlab if code == "waferlab" else ib.run_viennaps
        res, wall, cpu = harness.timed(fn, 3, 0.1)
        out = {"depth": res["depth"], "cd": res.get("cd", float("nan"))}
    elif case in ("fc3", "fc2"):
        import bench_fluorocarbon as fc
        fn = fc.run_waferlab if code == "waferlab" else fc.run_viennaps
        args = (3, 5.0, 0.0, fc.TIME3, fc.RAYS3) if case == "fc3" else (2, 4.0, 0.0, fc.TIME, 300)
        res, wall, cpu = harness.timed(fn, *args)
        out = {"depth": res[0], "cd": res[1]}
    else:
        import bench_bosch as bo
        fn = bo.run_waferlab if code == "waferlab" else bo.run_viennaps
        res, wall, cpu = harness.timed(fn, 10.0)
        out = {"depth": res[0][0], "cd": res[0][1]}
    out.update(wall=wall, cpu=cpu, steps=len(steps) if code == "waferlab" else None)
    return out


def _child(args: list[str], src: str | None) -> dict:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    r0 = os.times()
    p = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                       cwd=HERE, check=True)
    r1 = os.times()
    res = json.loads(p.stdout.strip().splitlines()[-1])
    res.setdefault("wall", time.perf_counter() - t0)
    res.setdefault("cpu", (r1.children_user - r0.children_user)
                   + (r1.children_system - r0.children_system))
    res["load"] = 0.5 * (load + os.getloadavg()[0])
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", nargs=2)
    ap.add_argument("--before", help="src directory of the code before")
    ap.add_argument("--only", nargs="+", default=["chem", "bosch", "fc3"])
    ap.add_argument("--after", help="src directory of the code after (default: this checkout's)")
    ap.add_argument("--out", default=str(OUT))
    a = ap.parse_args()
    if a.worker:
        print(json.dumps(_worker(*a.worker)))
        return
    after = a.after or str(HERE.parent / "src")
    codes = [("before", a.before, "waferlab"), ("after", after, "waferlab"),
             ("ViennaPS", after, "viennaps")]
    cases = []
    if "chem" in a.only:
        cases += [(f"{m} 2D h 0.02 µm (whole process)",
                   lambda src, code, m=m: _child(
                       ["bench_etch_chemistries.py", "--launch", code, "--models", m, "--dims",
                        "2", "--h2", "0.02", "--rays", "300"], src)) for m in ("hbro2", "cf4o2")]
    for key, name in (("ib3", "ion beam 3D h 0.1 µm (etch)"),
                      ("bosch", "Bosch 2D h 10 nm, 3 cycles (etch)"),
                      ("fc2", "fluorocarbon 2D h 4 nm, k_ie 0 (etch)"),
                      ("fc3", "fluorocarbon 3D h 5 nm, k_ie 0 (etch)")):
        if key in a.only:
            cases.append((name, lambda src, code, key=key: _child(
                [Path(__file__).name, "--worker", key, code], src)))
    for src in {a.before, after}:                      # numba caches of both checkouts
        _child(["bench_etch_chemistries.py", "--worker", "waferlab", "--models", "hbro2",
                "--dims", "2", "--h2", "0.05", "--rays", "20"], src)
        _child([Path(__file__).name, "--worker", "warm", "waferlab"], src)
    rows = []
    for name, run in cases:
        res = {label: run(src, code) for label, src, code in codes}
        p = res["ViennaPS"]
        for label in ("before", "after"):
            r = res[label]
            steps = "" if r.get("steps") is None else str(r["steps"])
            rows.append(f"| {name} | {label} | {r['cpu']:.1f} / {r['wall']:.1f} | "
                        f"{p['cpu']:.1f} / {p['wall']:.1f} | **{r['cpu'] / p['cpu']:.2f}** | "
                        f"{r['wall'] / p['wall']:.2f} | {steps} | {r['depth']:.4g} / "
                        f"{r['cd']:.4g} | {p['depth']:.4g} / {p['cd']:.4g} | "
                        f"{r['load']:.0f} / {p['load']:.0f} |")
            print(rows[-1], flush=True)
    text = ["# #17 etchspeed: before / after side by side with ViennaPS 4.7", "",
            f"`python bench/bench_etchspeed17.py --before SRC --only {' '.join(a.only)}`: "
            "per case the code before, this checkout and the peer, one after the other, "
            "each a child process, 2 threads each.  CPU = process time of the etch (Bosch, "
            "fluorocarbon) or of the whole process (hbro2/cf4o2, imports and numba cache "
            "loading included); steps = the engine's time steps; depth / CD in the model "
            "bench's units (nm; µm for hbro2/cf4o2); load = 1-min load average around the "
            "run (shared 2-core machine).", "",
            "| case | code | waferlab CPU / wall (s) | ViennaPS CPU / wall (s) | CPU ratio | "
            "wall ratio | steps | waferlab depth / CD | peer depth / CD | load (ours / peer) |",
            "|---|---|---|---|---|---|---|---|---|---|", *rows, "",
            f"Before: {a.before}.  Finished {time.strftime('%H:%M UTC', time.gmtime())}."]
    harness.write_text(Path(a.out), "\n".join(text))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
