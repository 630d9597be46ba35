"""The 3D cases of #17 with the hybrid neutral estimator (``flux.hybrid``), against
ViennaPS 4.7 and the walk (a second source tree, e.g. the commit before) in one launch.

Rows (each code its own child process, interleaved case by case, 2 threads each,
OMP_WAIT_POLICY=passive):
    fc3     fluorocarbon 3D h 5 nm, k_ie 0 (bench_fluorocarbon's TIME3, RAYS3): the
            etch step's CPU inside the child (as bench_speed17 times it)
    hbro2   hbro2 3D at h 0.01 µm, 300 rays/point: the whole ``waferlab run`` process
            (bench_etch_chemistries.launch, as bench_speed17 times it)

Run: python bench/bench_est3d.py --base OTHER_TREE/src [--cases fc3,hbro2]
     [--out bench/results/est3d_speed_s16.md]
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

HERE = Path(__file__).resolve().parent
OUT = harness.RESULTS / "est3d_speed_s16.md"


def child(case: str, code: str) -> dict:
    """One run of ``case`` by ``code`` in this process: result, wall, CPU."""
    if case == "fc3":
        import bench_fluorocarbon as fc

        fn = fc.run_waferlab if code == "waferlab" else fc.run_viennaps
        (depth, cd), wall, cpu = harness.timed(fn, 3, 5.0, 0.0, fc.TIME3, fc.RAYS3)
        return {"depth": depth, "cd": cd, "wall": wall, "cpu": cpu}
    import bench_etch_chemistries as chem

    r = chem.launch(code, "hbro2", 3, 0.01, 300)
    return {"depth": r["depth"], "cd": r.get("cd", float("nan")), "wall": r["wall"],
            "cpu": r["cpu"]}


def run(case: str, code: str, src: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src))
    l0 = os.getloadavg()[0]
    out = subprocess.run([sys.executable, __file__, "--child", case, "--code", code],
                         env=env, capture_output=True, text=True, cwd=HERE)
    if out.returncode:
        print(out.stderr[-3000:], file=sys.stderr)
        return {"error": out.returncode}
    r = json.loads(out.stdout.strip().splitlines()[-1])
    r["load"] = 0.5 * (l0 + os.getloadavg()[0])
    return r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default="fc3,hbro2")
    ap.add_argument("--base", type=Path, required=False)
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--child")
    ap.add_argument("--code")
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child, a.code)))
        return
    src = harness.ROOT / "src"
    trees = [("waferlab", "waferlab", src)]
    if a.base is not None:
        trees.append(("waferlab (before)", "waferlab", a.base.resolve()))
    trees.append(("ViennaPS", "viennaps", src))
    rows = []
    for case in a.cases.split(","):
        if case == "fc3":                            # numba warm-up of each tree
            for _name, _code, tree in trees[:-1]:
                env = dict(os.environ, PYTHONPATH=str(tree))
                subprocess.run([sys.executable, "-c", "import bench_fluorocarbon as fc; "
                                "fc.run_waferlab(3, 5.0, 0.0, 0.5, 20)"], env=env, cwd=HERE,
                               capture_output=True)
        res = {}
        for name, code, tree in trees:
            res[name] = run(case, code, tree)
            print(case, name, res[name], flush=True)
        peer = res["ViennaPS"]
        for name, _, _ in trees[:-1]:
            r = res[name]
            if "cpu" not in r or "cpu" not in peer:
                continue
            rows.append(f"| {case} | {name} | {r['cpu']:.1f} / {r['wall']:.1f} | "
                        f"{peer['cpu']:.1f} / {peer['wall']:.1f} | **{r['cpu'] / peer['cpu']:.2f}** | "
                        f"{r['wall'] / peer['wall']:.2f} | {r['load']:.1f} / {peer['load']:.1f} | "
                        f"{r['depth']:.4g} / {r['cd']:.4g} | {peer['depth']:.4g} / {peer['cd']:.4g} |")
            print(rows[-1], flush=True)
    text = ["# 3D cases with the hybrid neutral estimator vs ViennaPS 4.7 (one launch)", "",
            "`python bench/bench_est3d.py`: each code a child process, interleaved, 2 threads, "
            "OMP_WAIT_POLICY=passive; fc3: CPU of the etch step in the child; hbro2: the whole "
            "process.  Shared 2-core machine: compare ratios; load = 1-min load average.", "",
            "| case | code | waferlab CPU / wall s | ViennaPS CPU / wall s | CPU ratio | wall ratio "
            "| load wl / peer | depth / CD (wl) | depth / CD (peer) |",
            "|---|---|---|---|---|---|---|---|---|", *rows, "",
            f"Finished {time.strftime('%H:%M UTC', time.gmtime())}."]
    harness.write_text(Path(a.out), "\n".join(text) + "\n")


if __name__ == "__main__":
    main()
