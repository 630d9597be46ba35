"""CVD deposition side by side with ViennaPS ``TEOSDeposition`` (issue #16).

    python bench/bench_cvd.py [--cases T,H] [--no-reference]

T  2D trench, width 1 µm, depth 4 µm (AR 4), extent 3 µm, spacing 0.05 µm
H  3D hole, radius 0.5 µm, depth 2 µm (AR 2), extent 2 µm, spacing 0.05 µm

Both codes: one precursor, sticking 0.1, order 1, rate 1 µm/min, 0.1 min (a 0.1 µm film
on the field), 2 threads, OMP_WAIT_POLICY=passive, one run each (waferlab warmed up
first: numba's cache).  Rays per point: T 1000, H 300.  Profiles: film thickness on the
field, at the bottom centre and at mid-depth on the sidewall, against a converged
waferlab reference (spacing / 2 and 4× the rays per point).  The table goes to
bench/results/cvd.md, stamped with the commit.
"""
from __future__ import annotations

import harness
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("OMP_NUM_THREADS", "2")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_flux import line_hits  # noqa: E402

THREADS = 2
UM = 1e-6
OUT = Path(__file__).resolve().parent / "results" / "cvd.md"
STICKING, RATE_UM_MIN, ORDER, TIME_MIN = 0.1, 1.0, 1.0, 0.1
CASES = {
    "T": dict(dim=2, width=1.0, depth=4.0, ext=3.0, h=0.05, rays=1000),
    "H": dict(dim=3, radius=0.5, depth=2.0, ext=2.0, h=0.05, rays=300),
}


def thicknesses(points_um, elements, case) -> dict[str, float]:
    """Film thickness (µm) on the field, at the bottom centre, at mid-depth on the wall."""
    c = CASES[case]
    dim = points_um.shape[1]
    down = np.zeros(dim)
    down[-1] = -1.0
    top = np.zeros(dim)
    top[-1] = 50.0
    z = 50.0 - line_hits(points_um, elements, top, down)
    bottom = float(z[z >= -c["depth"] - 1e-6].min() + c["depth"])
    fx = np.zeros(dim)
    fx[0] = 0.45 * c["ext"]
    fx[-1] = 50.0
    zf = 50.0 - line_hits(points_um, elements, fx, down)
    field = float(zf.max())
    mid = np.zeros(dim)
    mid[-1] = -0.5 * c["depth"]
    side = np.zeros(dim)
    side[0] = -1.0
    wall = c["width"] / 2 if dim == 2 else c["radius"]
    t = line_hits(points_um, elements, mid, side)
    t = t[t <= wall + 1e-6]
    return {"field": field, "bottom": bottom, "side": float(wall - t.max())}


def wl_run(case: str, h: float, rays: int, seed: int = 1) -> dict:
    from waferlab.context import RunContext
    from waferlab.feature import builders
    from waferlab.feature.advect import advance
    from waferlab.feature.deposition_models import CVDSpec
    from waferlab.feature.extract import extract_surface
    from waferlab.feature.grid import Grid
    c = CASES[case]
    if c["dim"] == 2:
        g = Grid(dimension=2, spacing=h * UM, extent=(c["ext"] * UM,))
        geo = builders.cut_feature(builders.plane(g, "Si"), "trench", width=c["width"] * UM,
                                   depth=c["depth"] * UM)
    else:
        g = Grid(dimension=3, spacing=h * UM, extent=(c["ext"] * UM, c["ext"] * UM))
        geo = builders.cut_feature(builders.plane(g, "Si"), "hole", radius=c["radius"] * UM,
                                   depth=c["depth"] * UM)
    geo = geo.with_new_top("SiO2")
    spec = CVDSpec(model="cvd", rate=f"{RATE_UM_MIN} um/min", sticking=STICKING, order=ORDER,
                   rays_per_point=rays)
    model = spec.build(kind="deposit", materials=tuple(geo.materials), target="SiO2")
    t0 = time.perf_counter()
    geo, steps = advance(geo, model, TIME_MIN * 60.0, RunContext(seed=seed, threads=THREADS),
                         kind="deposit", cfl=0.5)
    wall = time.perf_counter() - t0
    s = extract_surface(geo)
    return dict(wall=wall, steps=steps, **thicknesses(s.points / UM, s.elements, case))


def vps_run(case: str) -> dict:
    import viennaps as ps
    ps.setNumThreads(THREADS)
    ps.Logger.setLogLevel(ps.LogLevel.ERROR)
    c = CASES[case]
    refl = ps.BoundaryType.REFLECTIVE_BOUNDARY
    if c["dim"] == 2:
        d = ps.d2
        dom = d.Domain(gridDelta=c["h"], xExtent=c["ext"], boundary=refl)
        d.MakeTrench(dom, trenchWidth=c["width"], trenchDepth=c["depth"]).apply()
    else:
        d = ps.d3
        dom = d.Domain(gridDelta=c["h"], xExtent=c["ext"], yExtent=c["ext"], boundary=refl)
        d.MakeHole(dom, holeRadius=c["radius"], holeDepth=c["depth"]).apply()
    dom.duplicateTopLevelSet(ps.Material.SiO2)
    model = d.TEOSDeposition(stickingProbabilityP1=STICKING, rateP1=RATE_UM_MIN, orderP1=ORDER)
    rt = ps.RayTracingParameters()
    rt.raysPerPoint = c["rays"]
    proc = d.Process(dom, model, TIME_MIN)
    proc.setParameters(rt)
    proc.setFluxEngineType(ps.FluxEngineType.CPU_DISK)
    t0 = time.perf_counter()
    proc.apply()
    wall = time.perf_counter() - t0
    mesh = dom.getSurfaceMesh(addInterfaces=False)
    pts = np.asarray(mesh.getNodes(), float)[:, :c["dim"]]
    el = np.asarray(mesh.getLines() if c["dim"] == 2 else mesh.getTriangles(), np.int64)
    return dict(wall=wall, **thicknesses(pts, el, case))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default="T,H")
    ap.add_argument("--no-reference", action="store_true")
    args = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=Path(__file__).parent).stdout.strip()
    rows = []
    for case in args.cases.split(","):
        c = CASES[case]
        wl_run(case, 4 * c["h"], 20)                       # warm up numba
        w = wl_run(case, c["h"], c["rays"])
        v = vps_run(case)
        ref = None if args.no_reference else wl_run(case, c["h"] / 2, 4 * c["rays"], seed=7)
        for name, r in (("waferlab", w), ("ViennaPS", v), ("reference", ref)):
            if r is None:
                continue
            dev = "" if ref is None or r is ref else " | ".join(
                f"{100 * (r[k] / ref[k] - 1):+.1f} %" for k in ("field", "bottom", "side"))
            rows.append(f"| {case} | {name} | {r['field']:.4f} | {r['bottom']:.4f} | "
                        f"{r['side']:.4f} | {dev or '— | — | —'} | {r['wall']:.2f} |")
            print(rows[-1], flush=True)
        rows.append(f"| {case} | **ratio waferlab / ViennaPS** | | | | | | | "
                    f"**{w['wall'] / v['wall']:.2f}** |")
    text = "\n".join([
        "# CVD deposition vs ViennaPS TEOSDeposition (issue #16)", "",
        f"Commit {commit}. `python bench/bench_cvd.py`. One precursor, sticking {STICKING}, "
        f"order {ORDER:g}, {RATE_UM_MIN:g} µm/min for {TIME_MIN:g} min; 2 threads each, one run; "
        "T: 2D trench 1 × 4 µm, H: 3D hole r 0.5 µm × 2 µm, spacing 0.05 µm; reference: "
        "waferlab at spacing 0.025 µm and 4× the rays per point.  Thickness in µm; deviations "
        "against the reference (field, bottom centre, mid-sidewall).  The machine has 2 cores "
        "shared with other jobs: wall times are noisy.", "",
        "| case | code | field | bottom | mid-side | Δ field | Δ bottom | Δ side | wall (s) |",
        "|---|---|---|---|---|---|---|---|---|", *rows, ""])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    harness.write_text(OUT, text)
    print(text)


if __name__ == "__main__":
    main()
