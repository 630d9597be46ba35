"""3D fluorocarbon contact hole, waferlab ``fluorocarbon`` side by side with ViennaPS
``FluorocarbonEtching`` (issue #17): the parameters of bench_fluorocarbon.py (k_ie = 0,
see its notes) in a round hole of radius ``R`` through the mask, extent ``EXTENT`` square,
spacing ``H``, ``TIME`` s, 100 rays per point, 2 threads each, one launch.  Recorded:
depth below the mask at the axis, diameter at half depth (y = 0 cut), wall and CPU time.
Writes bench/results/fluorocarbon_3d.md.

Run: python bench/bench_fluorocarbon_3d.py
"""
from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("NUMBA_NUM_THREADS", "2")

import numpy as np  # noqa: E402

from bench_fluorocarbon import FLUX, MASK, OXIDE  # noqa: E402

OUT = Path(__file__).parent / "results" / "fluorocarbon_3d.md"
H, EXTENT, R, TIME, RAYS, K_IE = 5.0, 120.0, 30.0, 15.0, 100, 0.0


def _measure(xyz: np.ndarray) -> tuple[float, float]:
    r = np.hypot(xyz[:, 0], xyz[:, 1])
    depth = -float(xyz[r < 0.3 * R, 2].min())
    band = (np.abs(xyz[:, 2] + 0.5 * depth) < 0.75 * H)
    return depth, 2.0 * float(np.median(r[band])) if band.any() else float("nan")


def run_waferlab(time_s: float = TIME):
    from waferlab.context import RunContext
    from waferlab.feature.extract import extract_surface
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer

    f = {k: f"{v}e15 cm^-2 s^-1" for k, v in FLUX.items()}
    data = {"name": "fc3", "seed": 1,
            "grid": {"dimension": 3, "spacing": f"{H} nm", "extent": [f"{EXTENT} nm"] * 2},
            "structure": {"substrate": {"material": "SiO2", "thickness": f"{OXIDE} nm"},
                          "layers": [{"material": "Mask", "thickness": f"{MASK} nm"}],
                          "feature": {"type": "hole", "radius": f"{R} nm", "depth": f"{MASK} nm"}},
            "steps": [{"etch": {"model": "fluorocarbon", "ion_flux": f["ion"],
                                "etchant_flux": f["etchant"], "polymer_flux": f["poly"],
                                "ion_exponent": 100, "rays_per_point": RAYS, "k_ie": K_IE,
                                "cfl": 0.5, "time": f"{time_s} s"}}]}
    r = recipe_from_dict(data)
    w = initial_wafer(r)
    ctx = RunContext(seed=1, threads=2)
    t0, c0 = time.perf_counter(), time.process_time()
    for st in r.steps:
        w = st.apply(w, ctx)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return _measure(extract_surface(w.geometry).centroids * 1e9), wall, cpu


def run_viennaps():
    import viennaps as ps

    ps.setDimension(3)
    ps.setNumThreads(2)
    ps.Length.setUnit("nm")
    ps.Time.setUnit("s")
    ps.Logger.setLogLevel(ps.LogLevel.ERROR)
    d = ps.Domain(gridDelta=H, xExtent=EXTENT, yExtent=EXTENT)
    ps.MakeHole(domain=d, holeRadius=R, holeDepth=0.0, maskHeight=MASK,
                material=ps.Material.SiO2).apply()
    d.duplicateTopLevelSet(ps.Material.Polymer)
    p = ps.FluorocarbonParameters()
    for mat, rho, extra in ((ps.Material.SiO2, 2.2, {}), (ps.Material.Si, 5.5, {}),
                            (ps.Material.Polymer, 2.0, dict(beta_e=0.6, A_ie=0.0361 * 2)),
                            (ps.Material.Mask, 500.0, dict(beta_e=0.1, beta_p=0.01,
                                                           Eth_sp=20.0))):
        m = ps.FluorocarbonMaterialParameters()
        m.id, m.density = mat, rho
        for k, v in extra.items():
            setattr(m, k, v)
        p.addMaterial(m)
    p.ionFlux, p.etchantFlux, p.polyFlux = FLUX["ion"], FLUX["etchant"], FLUX["poly"]
    p.Ions.meanEnergy, p.Ions.sigmaEnergy, p.Ions.exponent = 100.0, 10.0, 100.0
    p.k_ie = K_IE
    proc = ps.Process(d, ps.FluorocarbonEtching(p), TIME)
    cov = ps.CoverageParameters()
    cov.maxIterations, cov.tolerance = 10, 1e-4
    proc.setParameters(cov)
    rp = ps.RayTracingParameters()
    rp.raysPerPoint = RAYS
    proc.setParameters(rp)
    t0, c0 = time.perf_counter(), time.process_time()
    proc.apply()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return _measure(np.asarray(d.getSurfaceMesh().getNodes())), wall, cpu


def main() -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=Path(__file__).parent).stdout.strip()
    run_waferlab(1.0)                                     # numba warm-up (3D kernels)
    rows, res = [], {}
    for name, fn in (("waferlab", run_waferlab), ("ViennaPS 4.7", run_viennaps)):
        (depth, diam), wall, cpu = fn()
        res[name] = (depth, diam, wall, cpu)
        rows.append(f"| {name} | {depth:.2f} | {diam:.2f} | {wall:.1f} | {cpu:.1f} |")
        print(rows[-1], flush=True)
    o, p = res["waferlab"], res["ViennaPS 4.7"]
    load = os.getloadavg()
    text = ["# fluorocarbon 3D contact hole vs ViennaPS FluorocarbonEtching (issue #17)", "",
            f"Commit {commit}, `python bench/bench_fluorocarbon_3d.py`.  Hole r = {R:g} nm in a "
            f"{MASK:g} nm mask over SiO2, extent {EXTENT:g} × {EXTENT:g} nm, h = {H:g} nm, "
            f"fluxes of bench_fluorocarbon.py, k_ie = {K_IE:g}, {RAYS} rays/point, {TIME:g} s, "
            "2 threads each, one launch (load average "
            f"{load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f} at the end; waferlab after a 1 s warm-up run).", "",
            "| code | depth (nm) | diameter at half depth (nm) | wall (s) | CPU (s) |",
            "|---|---|---|---|---|", *rows, "",
            f"Depth {100 * (o[0] / p[0] - 1):+.1f} %, diameter {(o[1] - p[1]) / H:+.2f} grid "
            f"spacings, wall-time ratio **{o[2] / p[2]:.2f}** (CPU {o[3] / max(p[3], 1e-9):.2f}).",
            ""]
    OUT.write_text("\n".join(text))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
