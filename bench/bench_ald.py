"""ALD side by side with ViennaPS ``SingleParticleALD`` (issue #16).

    python bench/bench_ald.py [--cases S,U,HS] [--no-reference]

Geometry: 2D trench 0.5 µm wide, 2.5 µm deep (AR 5), extent 1.5 µm, spacing 0.025 µm;
20 cycles of 5 nm (0.1 µm on the field) in one coverage block, one precursor (no
co-reactant: taken as saturating), 300 rays per point in both codes, 2 threads each,
OMP_WAIT_POLICY=passive, each code 3 times interleaved (waferlab after a numba warm-up);
HS, the saturated 3D hole, below (``HOLE``).  All cases in one launch.

S  saturated: sticking 0.1, flat-surface exponent s·D/S = 30 (exact answer: 20 × 5 nm
   everywhere)
U  under-dosed: sticking 1, s·D/S = 6 (the front stops part-way down the wall); reference:
   waferlab at spacing / 2, 2× the rays per point and 5 % sub-doses.

Parameter mapping.  waferlab doses each element as dθ/dD = s F (1 − θ)/S with the impingement
dose D = p t / √(2π m k_B T) (``exposure``, ``mass``, ``temperature``) and site density S.
ViennaPS integrates dθ/dt = Φ s F (1 − θ)/s0 (``incomingFlux`` Φ, ``s0``) with explicit Euler
steps of ``coverageTimeStep`` over ``pulseTime``, F the traced flux normalised to an open flat
surface in both codes.  So s0 = 1 and Φ·pulseTime = D/S; Φ·coverageTimeStep sets the
coverage increment of one ViennaPS trace on a flat surface (s Φ dt = 0.5 in S, 0.25 in U;
waferlab chooses its sub-doses itself: coverage 0.2 first, then adaptive, one trace each,
its default; see ``waferlab.feature.ald``).  Cycle blocks: waferlab computes the coverage once per
block of ``film_per_update`` spacings of film (4 → all 20 cycles in one block); ViennaPS
once per ALP "cycle", so it runs 1 ALP cycle with growthPerCycle = 20 × 5 nm.  Thickness: film on
the field, at the bottom centre and along
the sidewall at 10 … 90 % of the depth (horizontal line from the trench axis).
"""
from __future__ import annotations

import argparse
import harness
import math
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("NUMBA_NUM_THREADS", "2")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_flux import line_hits  # noqa: E402

THREADS = 2
UM = 1e-6
OUT = Path(__file__).resolve().parent / "results" / "ald.md"
WIDTH, DEPTH, EXT, H = 0.5, 2.5, 1.5, 0.025          # µm
CYCLES, GPC_NM, BLOCKS = 20, 5.0, 1
RAYS, DOSE_STEP = 300, None                           # None: waferlab's default (adaptive)
REPEATS = 3                                           # interleaved launches per code (median)
MASS_AMU, T_K, SITES_CM2 = 144.0, 523.15, 4e14
# sticking s, flat-surface exponent s·D/S, ViennaPS flat coverage increment s·Φ·dt per trace
CASES = {"S": dict(s=0.1, E=30.0, vstep=0.5), "U": dict(s=1.0, E=6.0, vstep=0.25)}
FINE_VSTEP = 0.05                                     # ViennaPS step-convergence run (U)
DEPTHS = (0.1, 0.3, 0.5, 0.7, 0.9)                    # sidewall probes, fraction of depth
KEYS = ("field", "bottom") + tuple(f"w{int(100 * f)}" for f in DEPTHS)


def exposure_torr_s(case: str) -> float:
    """p·t (Torr·s) that gives s D / S = E of ``case`` (Hertz–Knudsen dose)."""
    from waferlab.constants import K_B
    m = MASS_AMU * 1.66053906660e-27
    D = CASES[case]["E"] * SITES_CM2 * 1e4 / CASES[case]["s"]
    return D * math.sqrt(2 * math.pi * m * K_B * T_K) / 133.322368


def profile(points_um: np.ndarray, elements: np.ndarray) -> dict[str, float]:
    """Film thickness (µm) on the field, at the bottom centre and on the wall at DEPTHS."""
    down = np.array([0.0, -1.0])
    z = 50.0 - line_hits(points_um, elements, [0.0, 50.0], down)
    out = {"bottom": float(z[z >= -DEPTH - 1e-6].min() + DEPTH)}
    zf = 50.0 - line_hits(points_um, elements, [0.45 * EXT, 50.0], down)
    out["field"] = float(zf.max())
    for f in DEPTHS:
        t = line_hits(points_um, elements, [0.0, -f * DEPTH], [-1.0, 0.0])
        t = t[t <= WIDTH / 2 + 1e-6]
        out[f"w{int(100 * f)}"] = float(WIDTH / 2 - t.max())
    return out


def radiosity_reference(case: str, n_wall: int = 250, n_bottom: int = 60,
                        n_dose: int = 600) -> dict:
    """Deterministic reference of case U: the coverage ODE dθ_i/dx = s q_i(θ) (1 − θ_i),
    x = D/S from 0 to E/s, on the initial trench cut into strips, q the exact diffuse
    transport balance q_i = E_i + Σ_j F_ij (1 − s (1 − θ_j)) q_j with Hottel's
    crossed-strings view factors (``waferlab.feature.flux.radiosity.strip_view_factor``),
    integrated with n_dose Heun steps of exact exponentials.  Both codes trace the
    coverage once on the initial surface (one block), so the film at a wall depth z is
    θ(z) × cycles × gpc, on the bottom centre θ_b(0) × cycles × gpc, on the field
    (1 − e^(−E)) × cycles × gpc."""
    from waferlab.feature.flux.radiosity import strip_view_factor
    c = CASES[case]
    W, Dp, N, M = WIDTH, DEPTH, n_wall, n_bottom
    z = Dp * 0.5 * (1.0 - np.cos(np.pi * np.linspace(0.0, 1.0, N + 1)))
    x = W * 0.5 * (1.0 - np.cos(np.pi * np.linspace(0.0, 1.0, M + 1)))
    left = np.stack([np.c_[np.zeros(N), -z[:-1]], np.c_[np.zeros(N), -z[1:]]], axis=1)
    right = np.stack([np.c_[np.full(N, W), -z[:-1]], np.c_[np.full(N, W), -z[1:]]], axis=1)
    bot = np.stack([np.c_[x[:-1], np.full(M, -Dp)], np.c_[x[1:], np.full(M, -Dp)]], axis=1)
    strips = np.concatenate([left, right, bot])
    a, b = strips[:, 0], strips[:, 1]
    F = strip_view_factor(a[:, None], b[:, None], a[None, :], b[None, :])
    side = np.r_[np.zeros(N), np.ones(N), np.full(M, 2)]
    F[side[:, None] == side[None, :]] = 0.0
    src = strip_view_factor(a, b, np.array([0.0, 0.0]), np.array([W, 0.0]))
    eye = np.eye(len(src))

    def q(theta):
        return np.linalg.solve(eye - F * (1.0 - c["s"] * (1.0 - theta))[None, :], src)

    theta = np.zeros(len(src))
    dx = c["E"] / c["s"] / n_dose
    for _ in range(n_dose):
        q0 = q(theta)
        pred = 1.0 - (1.0 - theta) * np.exp(-c["s"] * q0 * dx)
        theta = 1.0 - (1.0 - theta) * np.exp(-c["s"] * 0.5 * (q0 + q(pred)) * dx)
    film = CYCLES * GPC_NM * 1e-3
    zc = 0.5 * (z[:-1] + z[1:])
    xc = 0.5 * (x[:-1] + x[1:]) - 0.5 * W
    out = {"field": film * (1.0 - math.exp(-c["E"])),
           "bottom": film * float(np.interp(0.0, xc, theta[2 * N:]))}
    for f in DEPTHS:
        out[f"w{int(100 * f)}"] = film * float(np.interp(f * Dp, zc, theta[:N]))
    return out


def wl_run(case: str, h: float, rays: int, dose_step: float = DOSE_STEP, seed: int = 1) -> dict:
    from waferlab.context import RunContext
    from waferlab.feature.extract import extract_surface
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer
    ald = {"material": "Al2O3", "cycles": CYCLES, "growth_per_cycle": f"{GPC_NM} nm",
           "temperature": f"{T_K} K", "rays_per_point": rays, "dose_step": dose_step,
           "film_per_update": CYCLES * GPC_NM * 1e-3 / BLOCKS / h,
           "precursor": {"sticking": CASES[case]["s"], "exposure": f"{exposure_torr_s(case)} Torr*s",
                         "mass": f"{MASS_AMU} amu", "site_density": f"{SITES_CM2} cm^-2"}}
    r = recipe_from_dict({
        "name": "bench-ald", "seed": seed, "materials": ["Al2O3"],
        "grid": {"dimension": 2, "spacing": f"{h} um", "extent": [f"{EXT} um"]},
        "structure": {"substrate": {"material": "Si"},
                      "feature": {"type": "trench", "width": f"{WIDTH} um", "depth": f"{DEPTH} um"}},
        "output": {"vtk": False, "plot": False}, "steps": [{"ald": ald}]})
    step = r.steps[0]
    w0 = initial_wafer(r)
    t0, c0 = time.perf_counter(), time.process_time()
    w = step.apply(w0, RunContext(seed=seed, threads=THREADS))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    s = extract_surface(w.geometry)
    return dict(wall=wall, cpu=cpu, **profile(s.points / UM, s.elements))


def vps_run(case: str, vstep: float | None = None) -> dict:
    import viennaps as ps
    ps.setNumThreads(THREADS)
    ps.Logger.setLogLevel(ps.LogLevel.ERROR)
    d = ps.d2
    dom = d.Domain(gridDelta=H, xExtent=EXT, boundary=ps.BoundaryType.REFLECTIVE_BOUNDARY)
    d.MakeTrench(dom, trenchWidth=WIDTH, trenchDepth=DEPTH).apply()
    dom.duplicateTopLevelSet(ps.Material.Al2O3)
    p = ps.SingleParticleALDParams()
    c = CASES[case]
    p.stickingProbability = c["s"]
    p.growthPerCycle = CYCLES / BLOCKS * GPC_NM * 1e-3
    p.s0 = 1.0
    p.evaporationFlux = 0.0
    p.incomingFlux = 1.0
    model = d.SingleParticleALD(p)
    alp = ps.AtomicLayerProcessParameters()
    alp.numCycles = BLOCKS
    vstep = c["vstep"] if vstep is None else vstep
    dt = vstep / (c["s"] * p.incomingFlux)
    n = max(1, round(c["E"] / vstep))
    alp.coverageTimeStep = dt
    alp.pulseTime = n * dt                 # Φ·pulseTime = D/S
    rt = ps.RayTracingParameters()
    rt.raysPerPoint = RAYS
    proc = d.Process(dom, model)
    proc.setParameters(rt)
    proc.setParameters(alp)
    proc.setFluxEngineType(ps.FluxEngineType.CPU_DISK)
    t0, c0 = time.perf_counter(), time.process_time()
    proc.apply()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    mesh = dom.getSurfaceMesh(addInterfaces=False)
    pts = np.asarray(mesh.getNodes(), float)[:, :2]
    el = np.asarray(mesh.getLines(), np.int64)
    return dict(wall=wall, cpu=cpu, traces=n * BLOCKS, **profile(pts, el))


# 3D hole, saturated (HS): r 0.25 µm, 1 µm deep (AR 2), extent 1 µm, spacing 0.05 µm,
# 20 cycles × 2.5 nm (one spacing of film), 100 rays per point, sticking 0.1, s·D/S = 30
HOLE = dict(radius=0.25, depth=1.0, ext=1.0, h=0.05, rays=100, gpc_nm=2.5)
CASES["HS"] = dict(s=0.1, E=30.0, vstep=1.0)


def hole_profile(points_um, elements) -> dict[str, float]:
    """Film (µm) on the field, at the bottom centre and on the wall at DEPTHS (x–z plane)."""
    R, Dp, ext = HOLE["radius"], HOLE["depth"], HOLE["ext"]
    down = np.array([0.0, 0.0, -1.0])
    z = 50.0 - line_hits(points_um, elements, [0.0, 0.0, 50.0], down)
    out = {"bottom": float(z[z >= -Dp - 1e-6].min() + Dp)}
    zf = 50.0 - line_hits(points_um, elements, [0.45 * ext, 0.0, 50.0], down)
    out["field"] = float(zf.max())
    for f in DEPTHS:
        t = line_hits(points_um, elements, [0.0, 0.0, -f * Dp], [-1.0, 0.0, 0.0])
        t = t[t <= R + 1e-6]
        out[f"w{int(100 * f)}"] = float(R - t.max())
    return out


def _minus_initial(final: dict, initial: dict) -> dict:
    """Wall film as (initial wall position − final), both measured on the code's own
    faceted surface mesh: removes the facet offset of a round wall cut by a line."""
    out = dict(final)
    for f in DEPTHS:
        k = f"w{int(100 * f)}"
        out[k] = final[k] - initial[k]
    return out


def wl_hole(case: str, h: float, rays: int, seed: int = 1, dose_step: float = DOSE_STEP) -> dict:
    from waferlab.context import RunContext
    from waferlab.feature.extract import extract_surface
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer
    c, g = CASES[case], HOLE
    ald = {"material": "Al2O3", "cycles": CYCLES, "growth_per_cycle": f"{g['gpc_nm']} nm",
           "temperature": f"{T_K} K", "rays_per_point": rays, "dose_step": dose_step,
           "film_per_update": CYCLES * g["gpc_nm"] * 1e-3 / h,
           "precursor": {"sticking": c["s"], "exposure": f"{exposure_torr_s(case)} Torr*s",
                         "mass": f"{MASS_AMU} amu", "site_density": f"{SITES_CM2} cm^-2"}}
    r = recipe_from_dict({
        "name": "bench-ald-hole", "seed": seed, "materials": ["Al2O3"],
        "grid": {"dimension": 3, "spacing": f"{h} um", "extent": [f"{g['ext']} um"] * 2},
        "structure": {"substrate": {"material": "Si"},
                      "feature": {"type": "hole", "radius": f"{g['radius']} um",
                                  "depth": f"{g['depth']} um"}},
        "output": {"vtk": False, "plot": False}, "steps": [{"ald": ald}]})
    w0 = initial_wafer(r)
    t0, c0 = time.perf_counter(), time.process_time()
    w = r.steps[0].apply(w0, RunContext(seed=seed, threads=THREADS))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    s, s0 = extract_surface(w.geometry), extract_surface(w0.geometry)
    return dict(wall=wall, cpu=cpu, **_minus_initial(hole_profile(s.points / UM, s.elements),
                                            hole_profile(s0.points / UM, s0.elements)))


def vps_hole(case: str) -> dict:
    import viennaps as ps
    ps.setNumThreads(THREADS)
    ps.Logger.setLogLevel(ps.LogLevel.ERROR)
    c, g = CASES[case], HOLE
    d = ps.d3
    dom = d.Domain(gridDelta=g["h"], xExtent=g["ext"], yExtent=g["ext"],
                   boundary=ps.BoundaryType.REFLECTIVE_BOUNDARY)
    d.MakeHole(dom, holeRadius=g["radius"], holeDepth=g["depth"]).apply()
    dom.duplicateTopLevelSet(ps.Material.Al2O3)
    m0 = dom.getSurfaceMesh(addInterfaces=False)
    initial = hole_profile(np.asarray(m0.getNodes(), float)[:, :3],
                           np.asarray(m0.getTriangles(), np.int64))
    p = ps.SingleParticleALDParams()
    p.stickingProbability = c["s"]
    p.growthPerCycle = CYCLES * g["gpc_nm"] * 1e-3
    p.s0, p.evaporationFlux, p.incomingFlux = 1.0, 0.0, 1.0
    model = d.SingleParticleALD(p)
    alp = ps.AtomicLayerProcessParameters()
    alp.numCycles = 1
    dt = c["vstep"] / c["s"]
    n = max(1, round(c["E"] / c["vstep"]))
    alp.coverageTimeStep, alp.pulseTime = dt, n * dt
    rt = ps.RayTracingParameters()
    rt.raysPerPoint = g["rays"]
    proc = d.Process(dom, model)
    proc.setParameters(rt)
    proc.setParameters(alp)
    proc.setFluxEngineType(ps.FluxEngineType.CPU_DISK)
    t0, c0 = time.perf_counter(), time.process_time()
    proc.apply()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    mesh = dom.getSurfaceMesh(addInterfaces=False)
    pts = np.asarray(mesh.getNodes(), float)[:, :3]
    el = np.asarray(mesh.getTriangles(), np.int64)
    return dict(wall=wall, cpu=cpu, traces=n, **_minus_initial(hole_profile(pts, el), initial))


def _median(runs: list[dict]) -> dict:
    """Profile of the first run, median wall and CPU over the runs."""
    out = dict(runs[0])
    out["wall"] = float(np.median([r["wall"] for r in runs]))
    out["cpu"] = float(np.median([r["cpu"] for r in runs]))
    out["walls"] = [r["wall"] for r in runs]
    return out


def _row(case, name, r, ref):
    vals = " | ".join(f"{1e3 * r[k]:.1f}" for k in KEYS)
    dev = "—" if ref is None or r is ref else ", ".join(
        f"{100 * (r[k] / ref[k] - 1):+.1f}" for k in KEYS)
    wall = "—" if math.isnan(r.get("wall", float("nan"))) else f"{r['wall']:.2f}"
    cpu = f"{r['cpu']:.2f}" if "cpu" in r else "—"
    return f"| {case} | {name} | {vals} | {dev} | {wall} | {cpu} |"


def _ratio(case, name, w, v):
    return (f"| {case} | **ratio {name}** |{' |' * len(KEYS)} | **{w['wall'] / v['wall']:.2f}** "
            f"| **{w['cpu'] / v['cpu']:.2f}** |")


def run_trench_case(case: str, reference: bool) -> list[str]:
    exact = CYCLES * GPC_NM * 1e-3
    wl, vp = [], []
    for _ in range(REPEATS):                            # interleaved, same load
        wl.append(wl_run(case, H, RAYS))
        print("waferlab", wl[-1], flush=True)
        vp.append(vps_run(case))
        print("ViennaPS", vp[-1], flush=True)
    w, v = _median(wl), _median(vp)
    vf = vps_run(case, FINE_VSTEP) if case == "U" else None
    if case == "S":
        ref, refname = {k: exact for k in KEYS}, "exact (cycles × gpc)"
    else:
        t0 = time.perf_counter()
        ref = radiosity_reference(case)
        ref["wall"] = time.perf_counter() - t0
        refname = "exact radiosity + coverage ODE"
    wf = wfix = None
    if case == "U" and reference:
        wf = wl_run(case, H / 2, 2 * RAYS, dose_step=0.05, seed=7)
        wfix = wl_run(case, H, RAYS, dose_step=0.05)
    rows = []
    for name, r in (("waferlab (default, median of 3)", w), ("ViennaPS (median of 3)", v),
                    (f"ViennaPS s·Φ·dt = {FINE_VSTEP}", vf),
                    ("waferlab fixed dose_step 0.05", wfix),
                    ("waferlab h/2, 2× rays, dose_step 0.05", wf), (refname, ref)):
        if r is not None:
            rows.append(_row(case, name, r, ref))
            print(rows[-1], flush=True)
    rows.append(_ratio(case, "waferlab / ViennaPS", w, v))
    if vf is not None:
        rows.append(_ratio(case, f"waferlab / ViennaPS s·Φ·dt = {FINE_VSTEP}", w, vf))
    if wfix is not None:
        rows.append(_ratio(case, "waferlab fixed dose_step 0.05 / ViennaPS", wfix, v))
    rows.append(f"| {case} | wall times of the repeats (s) | waferlab "
                f"{', '.join(f'{x:.2f}' for x in w['walls'])}; ViennaPS "
                f"{', '.join(f'{x:.2f}' for x in v['walls'])} |{' |' * (len(KEYS) + 1)}")
    return rows


def run_hole_case() -> list[str]:
    g = HOLE
    exact = CYCLES * g["gpc_nm"] * 1e-3
    wl, vp = [], []
    for _ in range(REPEATS):
        wl.append(wl_hole("HS", g["h"], g["rays"]))
        print("waferlab", wl[-1], flush=True)
        vp.append(vps_hole("HS"))
        print("ViennaPS", vp[-1], flush=True)
    w, v = _median(wl), _median(vp)
    w1 = wl_hole("HS", g["h"], g["rays"], dose_step=1.0)
    wh = wl_hole("HS", g["h"] / 2, g["rays"])
    ref = {k: exact for k in KEYS}
    rows = [_row("HS", name, r, ref) for name, r in (
        ("waferlab (default, median of 3)", w), ("ViennaPS (median of 3)", v),
        ("waferlab fixed dose_step 1", w1), (f"waferlab h/2 = {g['h'] / 2:g} µm", wh))]
    rows.append(f"| HS | exact (cycles × gpc) |{f' {1e3 * exact:.1f} |' * len(KEYS)} — | — | — |")
    rows.append(_ratio("HS", "waferlab / ViennaPS", w, v))
    rows.append(_ratio("HS", "waferlab fixed dose_step 1 / ViennaPS", w1, v))
    rows.append(f"| HS | wall times of the repeats (s) | waferlab "
                f"{', '.join(f'{x:.2f}' for x in w['walls'])}; ViennaPS "
                f"{', '.join(f'{x:.2f}' for x in v['walls'])} |{' |' * (len(KEYS) + 1)}")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default="S,U,HS")
    ap.add_argument("--no-reference", action="store_true")
    args = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=Path(__file__).parent).stdout.strip()
    cases = args.cases.split(",")
    load0 = os.getloadavg()[0]
    wl_run("S", 4 * H, 20)                               # warm up numba
    if "HS" in cases:
        wl_hole("HS", 2 * HOLE["h"], 10)
    rows, hole_rows = [], []
    for case in cases:
        if case == "HS":
            hole_rows = run_hole_case()
        else:
            rows += run_trench_case(case, not args.no_reference)
    load = f"load average {load0:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    head = ["| case | code | " + " | ".join(KEYS) + " | Δ % | wall (s) | CPU (s) |",
            "|---|---|" + "---|" * len(KEYS) + "---|---|---|"]
    cmd = f"`python bench/bench_ald.py --cases {args.cases}` (one launch)"
    if rows:
        text = "\n".join([
            "# ALD vs ViennaPS SingleParticleALD (issue #16)", "",
            f"Commit {commit}. {cmd}.  2D trench {WIDTH} × {DEPTH} µm (AR {DEPTH / WIDTH:g}), "
            f"extent {EXT} µm, spacing {H} µm; {CYCLES} cycles × {GPC_NM:g} nm in {BLOCKS} "
            f"coverage block(s), {RAYS} rays per point, waferlab's default dose stepping "
            "(adaptive, tolerance 0.05); 2 threads each; each code run 3 times, interleaved "
            "(median wall and CPU of the step: waferlab `ALD.apply`, ViennaPS `Process.apply`; "
            "see the script's docstring for the parameter mapping).  S: sticking 0.1, "
            "s·D/S = 30 (saturated; ViennaPS s·Φ·dt = 0.5), U: sticking 1, s·D/S = 6 "
            "(under-dosed; s·Φ·dt = 0.25).  Film thickness in nm: field, bottom centre, "
            "sidewall at 10–90 % of the depth; deviations in % against the reference.  "
            f"Shared 2-core machine, {load}.", "", *head, *rows, ""])
        OUT.parent.mkdir(parents=True, exist_ok=True)
        harness.write_text(OUT, text)
        print(text)
    if hole_rows:
        g = HOLE
        text = "\n".join([
            "# ALD in a 3D hole vs ViennaPS SingleParticleALD (issue #16)", "",
            f"Commit {commit}. {cmd}.  3D hole r = {g['radius']} µm, {g['depth']} µm deep "
            f"(AR {g['depth'] / (2 * g['radius']):g}), extent {g['ext']} µm, spacing "
            f"{g['h']} µm; {CYCLES} cycles × {g['gpc_nm']} nm in one coverage block, "
            f"{g['rays']} rays per point, sticking 0.1, s·D/S = 30 (saturated; ViennaPS "
            "s·Φ·dt = 1), waferlab's default dose stepping (adaptive); 2 threads each; each "
            "code 3 times, interleaved (median wall and CPU of the step).  Film in nm (field, "
            "bottom centre, wall at 10–90 % of the depth in the x–z plane: initial minus final "
            "wall position, both on the code's own surface mesh), deviation in % from the "
            f"exact cycles × growth per cycle.  Shared 2-core machine, {load}.", "",
            *head, *hole_rows, ""])
        out = OUT.with_name("ald_hole.md")
        harness.write_text(out, text)
        print(text)


if __name__ == "__main__":
    main()
