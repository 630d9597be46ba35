"""2D masked-trench SF6/O2 etch, waferlab ``sf6o2`` side by side with ViennaPS.

Same parameters in both codes: grid 0.02 µm, extent 1 µm (reflective), trench 0.3 µm
wide through a 0.3 µm mask into Si, Γ_i 10, Γ_F 4500, Γ_O 800 (10¹⁵ cm⁻²s⁻¹), 100 ± 10 eV,
ion exponent 1000, A_O 2, A_Si 7, 300 rays per point, 10 s, 2 threads.  Recorded: the
depth etched into Si at the trench centre, the width at half that depth, the mask top
height and the wall times.  Writes bench/results/sf6o2_trench.md.

waferlab reflects ions as the peer (``ion_reflection: true``, the sf6o2 default: sticking
1 up to 70° incidence, linear to 0 at 90°, the rest specular); a row with
``ion_reflection: false`` (ions stick on the first hit, the behaviour before) is kept for
comparison.  Known model differences (docs/etch-models.md): reflected ions keep their
energy and direction is exactly specular (the peer: energy loss, coned-cosine lobe), and
neutral sticking uses flat-surface coverages (``coverage_iterations: 0``).

Run: OMP_WAIT_POLICY=passive python bench/bench_sf6o2_trench.py
"""
from __future__ import annotations

import harness
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("NUMBA_NUM_THREADS", "2")

import numpy as np  # noqa: E402

OUT = Path(__file__).parent / "results" / "sf6o2_trench.md"
H, EXTENT, WIDTH, MASK, TIME = 0.02, 1.0, 0.3, 0.3, 10.0   # µm, µm, µm, µm, s
FLUX = dict(ion=10.0, etchant=4500.0, oxygen=800.0)


def _measure(xy: np.ndarray) -> tuple[float, float, float]:
    """(depth into Si below y = 0 at the centre, width at half depth, mask top) in µm."""
    x, y = xy[:, 0], xy[:, 1]
    centre = np.abs(x) < 0.25 * WIDTH
    depth = -float(y[centre].min())
    half = -0.5 * depth
    near = np.abs(y - half) < 0.75 * H
    width = float(np.ptp(x[near])) if near.sum() >= 2 else float("nan")
    outside = np.abs(x) > WIDTH
    return depth, width, float(y[outside].max())


def run_waferlab(rpp: int, cov_it: int = 0, refl: bool = True) -> tuple[tuple[float, float, float], float]:
    from waferlab.context import RunContext
    from waferlab.feature.extract import extract_surface
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer

    data = {"name": "trench", "seed": 1,
            "grid": {"dimension": 2, "spacing": f"{H} um", "extent": [f"{EXTENT} um"]},
            "structure": {"substrate": {"material": "Si"},
                          "layers": [{"material": "Mask", "thickness": f"{MASK} um"}],
                          "feature": {"type": "trench", "width": f"{WIDTH} um", "depth": f"{MASK} um"}},
            "steps": [{"etch": {"model": "sf6o2", "ion_flux": f"{FLUX['ion']}e15 cm^-2 s^-1",
                                "etchant_flux": f"{FLUX['etchant']}e15 cm^-2 s^-1",
                                "oxygen_flux": f"{FLUX['oxygen']}e15 cm^-2 s^-1",
                                "ion_energy": "100 eV", "ion_energy_sigma": "10 eV",
                                "ion_exponent": 1000, "A_O": 2, "A_Si": 7,
                                "rays_per_point": rpp, "coverage_iterations": cov_it,
                                "ion_reflection": refl,
                                "time": f"{TIME} s"}}]}
    r = recipe_from_dict(data)
    w = initial_wafer(r)
    ctx = RunContext(seed=1, threads=2)
    t0 = time.perf_counter()
    for st in r.steps:
        w = st.apply(w, ctx)
    wall = time.perf_counter() - t0
    return _measure(extract_surface(w.geometry).centroids * 1e6), wall


def run_viennaps(rpp: int) -> tuple[tuple[float, float, float], float]:
    import viennaps as ps

    harness.peer_setup(ps, 2, "um")
    d = ps.Domain(gridDelta=H, xExtent=EXTENT, yExtent=EXTENT)
    ps.MakeTrench(domain=d, trenchWidth=WIDTH, trenchDepth=0.0, maskHeight=MASK).apply()
    mp = ps.SF6O2Etching.defaultParameters()
    mp.ionFlux, mp.etchantFlux, mp.passivationFlux = FLUX["ion"], FLUX["etchant"], FLUX["oxygen"]
    mp.Ions.meanEnergy, mp.Ions.sigmaEnergy, mp.Ions.exponent = 100.0, 10.0, 1000.0
    mp.Passivation.A_ie, mp.Substrate.A_ie = 2.0, 7.0
    proc = ps.Process(d, ps.SF6O2Etching(mp))
    proc.setProcessDuration(TIME)
    rp = ps.RayTracingParameters()
    rp.raysPerPoint = rpp
    proc.setParameters(rp)
    t0 = time.perf_counter()
    proc.apply()
    wall = time.perf_counter() - t0
    return _measure(np.asarray(d.getSurfaceMesh().getNodes())[:, :2]), wall


def main() -> None:
    rows = []
    runs = [("waferlab", lambda: run_waferlab(300)),
            ("waferlab, coverage_iterations 1", lambda: run_waferlab(300, 1)),
            ("waferlab, ion_reflection false", lambda: run_waferlab(300, 0, False))]
    try:
        import viennaps  # noqa: F401
        runs.append(("ViennaPS 4.7", lambda: run_viennaps(300)))
    except ImportError:
        pass
    res = {}
    for name, fn in runs:
        (depth, width, top), wall = fn()
        res[name] = (depth, width, wall)
        rows.append(f"| {name} | {depth:.4f} | {width:.4f} | {top:.4f} | {wall:.1f} |")
        print(rows[-1], flush=True)
    text = ["## sf6o2 2D masked trench (waferlab vs ViennaPS)", "",
            f"Grid {H} µm, extent {EXTENT} µm, trench {WIDTH} µm in a {MASK} µm mask, "
            "Γ_i/Γ_F/Γ_O = 10/4500/800 ×10¹⁵ cm⁻²s⁻¹, 100 ± 10 eV, n = 1000, A_O 2, A_Si 7, "
            f"300 rays/point, {TIME:g} s, 2 threads.", "",
            "| code | depth into Si (µm) | width at half depth (µm) | mask top (µm) | wall (s) |",
            "|---|---|---|---|---|", *rows, ""]
    if "ViennaPS 4.7" in res:
        p = res["ViennaPS 4.7"]
        for name in ("waferlab", "waferlab, coverage_iterations 1",
                     "waferlab, ion_reflection false"):
            o = res[name]
            text.append(f"{name}: depth {100 * (o[0] / p[0] - 1):+.1f} %, width "
                        f"{(o[1] - p[1]) / H:+.2f} grid spacings, wall-time ratio "
                        f"{o[2] / p[2]:.2f}.")
        text.append("")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    harness.write_text(OUT, "\n".join(text))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
