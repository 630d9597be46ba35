"""#17's whole-process 2D rows (hbro2 / cf4o2, h 0.02 µm, bench_etch_chemistries.py's
cases) before / after a start-up change, side by side with ViennaPS 4.7 in the same
launch: per repeat and case, waferlab's ``waferlab run`` command on a second source tree
(``--before SRC``), on this checkout, and the peer's whole process, one after the other
(bench_etch_chemistries.launch: 2 threads each, CPU = user + system of the child).
Unlike bench_etchspeed17.py it warms only the numba caches this case loads.

Run: python bench/bench_startup17.py --before OTHER/src [--repeat 2] [--models hbro2 cf4o2]
     [--out bench/results/startup17.md]
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import bench_etch_chemistries as chem  # noqa: E402

OUT = harness.RESULTS / "startup17.md"
H = 0.02


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True, help="src directory of the code before")
    ap.add_argument("--extra", action="append", default=[], metavar="LABEL=SRC",
                    help="a further tree, run after 'after' (e.g. a variant)")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--models", nargs="+", default=["hbro2", "cf4o2"])
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args()
    trees = {"before": str(Path(a.before).resolve()), "after": str(harness.ROOT / "src")}
    for item in a.extra:
        label, _, src = item.partition("=")
        trees[label] = str(Path(src).resolve())
    labels = [*trees, "ViennaPS"]
    for src in trees.values():                             # numba caches of both trees
        os.environ["PYTHONPATH"] = src
        chem.launch("waferlab", "hbro2", 2, 0.05, 20)
    runs: dict[tuple[str, str], list[dict]] = {}
    for _ in range(a.repeat):
        for m in a.models:
            for label in labels:
                code = "viennaps" if label == "ViennaPS" else "waferlab"
                os.environ["PYTHONPATH"] = trees["after" if label == "ViennaPS" else label]
                l0 = os.getloadavg()[0]
                r = chem.launch(code, m, 2, H, 300)
                r["load"] = 0.5 * (l0 + os.getloadavg()[0])
                runs.setdefault((m, label), []).append(r)
                print(m, label, f"CPU {r['cpu']:.2f} wall {r['wall']:.1f} load {r['load']:.1f}",
                      f"depth {r['depth']:.4f} cd {r['cd']:.4f}", flush=True)
    med = {k: {q: statistics.median(r[q] for r in v) for q in ("cpu", "wall", "load")}
           for k, v in runs.items()}
    rows = []
    for m in a.models:
        p = med[(m, "ViennaPS")]
        for label in labels[:-1]:
            r = med[(m, label)]
            cpus = " / ".join(f"{x['cpu']:.2f}" for x in runs[(m, label)])
            pc = " / ".join(f"{x['cpu']:.2f}" for x in runs[(m, "ViennaPS")])
            last = runs[(m, label)][-1]
            rows.append(f"| {m} 2D h {H:g} µm | {label} | {r['cpu']:.2f} ({cpus}) | "
                        f"{p['cpu']:.2f} ({pc}) | **{r['cpu'] / p['cpu']:.2f}** | "
                        f"{r['wall'] / p['wall']:.2f} | {last['depth']:.4f} / {last['cd']:.4f} | "
                        f"{r['load']:.0f} / {p['load']:.0f} |")
    extra = "".join(f"; {k}: {v}" for k, v in trees.items() if k not in ("before", "after"))
    text = ["# #17 2D rows, whole processes: start-up before / after, with ViennaPS 4.7", "",
            f"`python bench/bench_startup17.py --before {a.before} --repeat {a.repeat}`: per "
            "repeat and case, `waferlab run` (every default output) on the tree before, on "
            "this checkout, and the peer's whole process, one after the other, 2 threads each "
            "(bench_etch_chemistries.launch).  CPU = user + system of the whole child "
            f"process, median of {a.repeat} (each launch in brackets); load = 1-min load "
            "average around the runs (shared 2-core machine).", "",
            "| case | waferlab | waferlab CPU s | ViennaPS CPU s | CPU ratio | wall ratio | "
            "waferlab depth / CD (µm, last launch) | load (ours / peer) |",
            "|---|---|---|---|---|---|---|---|", *rows, "",
            f"Before: {a.before}{extra}.  Finished {time.strftime('%H:%M UTC', time.gmtime())}."]
    harness.write_text(a.out, "\n".join(text))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
