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

import numpy as np  # noqa: E402

import bench_sf6o2_hole as BH  # noqa: E402

OUT = Path(__file__).parent / "results" / "sf6o2_evolution.md"
STEPS, DT_MIN = 5, 0.2


def waferlab(coverage_iterations: int, lobe: str = "specular") -> list[tuple[float, float]]:
    from waferlab.context import RunContext
    from waferlab.feature.builders import feature_center
    from waferlab.feature.extract import extract_surface
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer
    h, side = BH.H, BH.quarter_extent(BH.H)
    step = {"etch": {"model": "sf6o2", "ion_flux": "10e15 cm^-2 s^-1",
                     "etchant_flux": "4500e15 cm^-2 s^-1", "oxygen_flux": "800e15 cm^-2 s^-1",
                     "ion_energy": "100 eV", "ion_energy_sigma": "10 eV", "ion_exponent": 1000,
                     "A_O": 2, "A_Si": 7, "rays_per_point": 300, "cfl": 0.5,
                     "coverage_iterations": coverage_iterations, "ion_lobe": lobe,
                     "time": f"{DT_MIN} min"}}
    data = {"name": "hole", "seed": 1,
            "grid": {"dimension": 3, "spacing": f"{h!r} um", "extent": [f"{side!r} um"] * 2,
                     "boundary": "reflective"},
            "structure": {"substrate": {"material": "Si"},
                          "layers": [{"material": "Mask", "thickness": f"{BH.MASK} um"}],
                          "feature": {"type": "hole", "radius": f"{BH.R_TOP!r} um",
                                      "depth": f"{BH.MASK} um", "taper": f"{BH.TAPER_DEG} deg",
                                      "symmetry": "quarter"}},
            "steps": [step] * STEPS}
    r = recipe_from_dict(data)
    w = initial_wafer(r)
    c = [1e6 * v for v in feature_center(w.geometry.grid, "quarter")]
    out = []
    for i, st in enumerate(r.steps):
        w = st.apply(w, RunContext(seed=1 + i, threads=2))
        out.append(BH._measure(extract_surface(w.geometry).points * 1e6, h, c))
        print("waferlab", coverage_iterations, out[-1], flush=True)
    return out


def viennaps() -> list[tuple[float, float]]:
    import viennaps as ps
    ps.setDimension(3)
    ps.setNumThreads(2)
    ps.Length.setUnit("um")
    ps.Time.setUnit("min")
    ps.Logger.setLogLevel(ps.LogLevel.ERROR)
    d = ps.Domain(gridDelta=BH.H, xExtent=1.0, yExtent=1.0)
    ps.MakeHole(domain=d, holeRadius=BH.R_BOTTOM, holeDepth=0.0, maskHeight=BH.MASK,
                maskTaperAngle=BH.TAPER_DEG, holeShape=ps.HoleShape.QUARTER).apply()
    mp = ps.SF6O2Etching.defaultParameters()
    mp.ionFlux, mp.etchantFlux, mp.passivationFlux = 10.0, 4500.0, 800.0
    mp.Ions.meanEnergy, mp.Ions.sigmaEnergy, mp.Ions.exponent = 100.0, 10.0, 1000.0
    mp.Passivation.A_ie, mp.Substrate.A_ie = 2.0, 7.0
    out = []
    for _ in range(STEPS):
        proc = ps.Process(d, ps.SF6O2Etching(mp))
        proc.setProcessDuration(DT_MIN)
        rp = ps.RayTracingParameters()
        rp.raysPerPoint = 300
        proc.setParameters(rp)
        proc.apply()
        out.append(BH._measure(np.asarray(d.getSurfaceMesh().getNodes()), BH.H))
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
