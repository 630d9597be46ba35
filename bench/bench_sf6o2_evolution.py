"""Depth and radius of the sf6o2 quarter hole every 0.2 min up to 1 min, waferlab beside
ViennaPS (the peer's 1-minute case of issue 5, followed in time).

Same parameters as bench_sf6o2_hole.py (spacing 0.03 µm, quarter domain, 300 rays per
point, cfl 0.5).  waferlab runs three times: neutral sticking with the flat-surface
coverages (``coverage_iterations: 0``, the default), with each element's own coverages
after one more neutral trace per step (``coverage_iterations: 1``), and the latter with
reflected ions leaving in the peer's coned lobe (``ion_lobe: cone``).  Each code runs five 0.2-min
steps on the same wafer and is measured after each.
Run: python bench/bench_sf6o2_evolution.py  -> bench/results/sf6o2_evolution.md
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("NUMBA_NUM_THREADS", "2")
sys.path.insert(0, str(Path(__file__).parent))

import bench_sf6o2_hole as BH  # noqa: E402

OUT = Path(__file__).parent / "results" / "sf6o2_evolution.md"
STEPS, DT_MIN = 5, 0.2


def waferlab(coverage_iterations: int, lobe: str = "specular") -> list[tuple[float, float]]:
    data = BH.hole_recipe(DT_MIN, 300, steps=STEPS, coverage_iterations=coverage_iterations,
                          ion_lobe=lobe)
    out = []
    for m, _ in BH.waferlab_steps(data):
        out.append(m)
        print("waferlab", coverage_iterations, lobe, m, flush=True)
    return out


def viennaps() -> list[tuple[float, float]]:
    ps, d, mp = BH.viennaps_hole()
    out = []
    for _ in range(STEPS):
        out.append(BH.viennaps_step(ps, d, mp, DT_MIN, 300)[0])
        print("ViennaPS", out[-1], flush=True)
    return out


def main() -> None:
    cols = {"waferlab": waferlab(0), "waferlab, coverage_iterations 1": waferlab(1),
            "waferlab, coverage_iterations 1, ion_lobe cone": waferlab(1, "cone")}
    try:
        cols["ViennaPS"] = viennaps()
    except ImportError:
        pass
    names = list(cols)
    lines = ["## sf6o2 quarter hole: depth and radius against time (waferlab vs ViennaPS)", "",
             "Parameters of the sf6o2 3D hole bench; five 0.2-min steps on the same wafer "
             "(ViennaPS re-initialises its coverages at each of its five process calls). "
             "Depth into Si at the axis / mean radius at half depth, µm.", "",
             "| t (min) | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for i in range(STEPS):
        cells = [f"{cols[n][i][0]:.3f} / {cols[n][i][1]:.3f}" for n in names]
        lines.append(f"| {DT_MIN * (i + 1):.1f} | " + " | ".join(cells) + " |")
    if "ViennaPS" in cols:
        ref = cols["ViennaPS"][-1][0]
        lines += ["", "Depth at 1 min against ViennaPS: " + ", ".join(
            f"{n} {100 * (cols[n][-1][0] / ref - 1):+.1f} %" for n in names if n != "ViennaPS")
            + "."]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
