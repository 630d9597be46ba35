"""Case U of bench_ald.py at half the spacing (12.5 nm), both codes, one launch:
waferlab's default (adaptive) dose stepping, seeds 1 and 2, and ViennaPS (s·Φ·dt 0.25),
interleaved; deviations against the exact radiosity reference of bench_ald.py.
Appends a section to bench/results/ald.md.  Run: python bench/ald_fine_u.py"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_ald as b  # noqa: E402

REF = dict(field=99.8, bottom=48.5, w10=91.6, w30=61.8, w50=32.2, w70=17.5, w90=13.8)  # nm


def main() -> None:
    h = b.H / 2
    b.wl_run("U", 4 * b.H, 20)                           # warm up numba
    rows = []
    w1 = b.wl_run("U", h, b.RAYS, seed=1)
    b.H = h                                             # ViennaPS's grid (module global)
    v = b.vps_run("U")
    w2 = b.wl_run("U", h, b.RAYS, seed=2)
    for name, r in (("waferlab (default), seed 1", w1), ("waferlab (default), seed 2", w2),
                    ("ViennaPS", v)):
        vals = " | ".join(f"{1e3 * r[k]:.1f}" for k in b.KEYS)
        dev = ", ".join(f"{100 * (1e3 * r[k] / REF[k] - 1):+.1f}" for k in b.KEYS)
        rows.append(f"| U, h = {h:g} µm | {name} | {vals} | {dev} | {r['wall']:.2f} | "
                    f"{r['cpu']:.2f} |")
        print(rows[-1], flush=True)
    rows.append(f"| U, h = {h:g} µm | **ratio waferlab seed 1 / ViennaPS** |"
                f"{' |' * len(b.KEYS)} | **{w1['wall'] / v['wall']:.2f}** | "
                f"**{w1['cpu'] / v['cpu']:.2f}** |")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=Path(__file__).parent).stdout.strip()
    text = ["", f"### Case U at spacing {h * 1e3:g} nm (commit {commit}, "
            "`python bench/ald_fine_u.py`, one launch; load average "
            f"{os.getloadavg()[0]:.1f})", "",
            "| case | code | " + " | ".join(b.KEYS) + " | Δ % vs exact | wall (s) | CPU (s) |",
            "|---|---|" + "---|" * len(b.KEYS) + "---|---|---|", *rows, ""]
    with open(b.OUT, "a") as f:
        f.write("\n".join(text))


if __name__ == "__main__":
    main()
