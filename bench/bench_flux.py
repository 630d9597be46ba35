"""Flux engine benchmark: speed and accuracy, side by side with ViennaPS (issue 3).

    python bench/bench_flux.py [--sections speed,accuracy,A,Aeo,refA,B] [--quick]

speed     flux-only timing on the initial case A (2D trench) and case B (3D hole)
          structures: waferlab ``trace_fluxes`` vs ViennaPS ``Process.calculateFlux``
          (``SingleParticleProcess``, CPU disk engine), rays per second.
accuracy  Clausing transmissions, unit-sticking view factors, Coburn–Winters (Clausing,
          §1–2) at large ray counts.
A, B      full deposition runs of both codes (SingleParticle, sticking 0.1, n = 1, rate
          1 µm/min; A: 5 min, 1000 rays/point; B: 2 min, 300 rays/point), bottom and
          mid-sidewall film thickness and wall time.
refA/refB converged reference (waferlab WENO5, spacing/2; 4× the rays per point in 2D,
          the same per point in 3D, i.e. 4× the rays in total).
Aeo/Beo   waferlab with first-order Engquist–Osher (ViennaPS's default scheme).

Both codes use 2 threads and OMP_WAIT_POLICY=passive.  Extents are 10.08 µm (42 cells of
0.24 µm: waferlab needs a whole number of cells) in both codes.  The table goes to
bench/results/flux.md.
"""
from __future__ import annotations

import harness
import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("OMP_NUM_THREADS", "2")

import numpy as np  # noqa: E402

THREADS = 2
UM = 1e-6
EXT = 10.08          # µm
H = 0.24             # µm
OUT = Path(__file__).resolve().parent / "results" / "flux.md"

CASES = {
    "A": dict(dim=2, width=4.0, depth=8.0, time_min=5.0, rays=1000),
    "B": dict(dim=3, radius=2.0, depth=8.0, time_min=2.0, rays=300),
}


# --------------------------------------------------------------------------- geometry probes
def line_hits(points: np.ndarray, elements: np.ndarray, origin, direction) -> np.ndarray:
    """Parameters t ≥ 0 where the line origin + t·direction crosses the mesh (segments or
    triangles); the line is in the mesh's units."""
    o = np.asarray(origin, float)
    d = np.asarray(direction, float)
    p = points[elements]
    if points.shape[1] == 2:
        e = p[:, 1] - p[:, 0]
        den = d[0] * e[:, 1] - d[1] * e[:, 0]
        ok = np.abs(den) > 1e-300
        q = p[:, 0] - o
        t = np.where(ok, (q[:, 0] * e[:, 1] - q[:, 1] * e[:, 0]) / np.where(ok, den, 1), -1)
        u = np.where(ok, (q[:, 0] * d[1] - q[:, 1] * d[0]) / np.where(ok, den, 1), -1)
        keep = ok & (u >= 0) & (u <= 1) & (t >= 0)
        return np.sort(t[keep])
    e1, e2 = p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]
    pv = np.cross(d, e2)
    det = (e1 * pv).sum(1)
    ok = np.abs(det) > 1e-300
    inv = 1 / np.where(ok, det, 1)
    tv = o - p[:, 0]
    u = (tv * pv).sum(1) * inv
    qv = np.cross(tv, e1)
    v = (qv @ d) * inv
    t = (qv * e2).sum(1) * inv
    keep = ok & (u >= 0) & (v >= 0) & (u + v <= 1) & (t >= 0)
    return np.sort(t[keep])


def thicknesses(points_um: np.ndarray, elements: np.ndarray, case: str) -> tuple[float, float]:
    """(bottom, mid-sidewall) film thickness (µm) from the final top surface.

    bottom: lowest crossing of the vertical centre line above the original floor (−depth);
    sidewall: first crossing going from the centre towards the wall at half depth (the
    film surface; in a closed void it is the void's surface)."""
    c = CASES[case]
    dim = points_um.shape[1]
    down = np.zeros(dim)
    down[-1] = -1.0
    top = np.zeros(dim)
    top[-1] = 50.0
    t = line_hits(points_um, elements, top, down)
    z = 50.0 - t
    above = z[z >= -c["depth"] - 1e-6]
    bottom = float(above.min() + c["depth"]) if above.size else float("nan")
    mid = np.zeros(dim)
    mid[-1] = -0.5 * c["depth"]
    side = np.zeros(dim)
    side[0] = -1.0
    wall = c.get("width", 0.0) / 2 if dim == 2 else c["radius"]
    t = line_hits(points_um, elements, mid, side)
    t = t[t <= wall + 1e-6]
    sidewall = float(wall - t.max()) if t.size else float("nan")
    return bottom, sidewall


# --------------------------------------------------------------------------- waferlab
def wl_geometry(case: str, h: float = H):
    from waferlab.feature import builders
    from waferlab.feature.grid import Grid
    c = CASES[case]
    if c["dim"] == 2:
        g = Grid(dimension=2, spacing=h * UM, extent=(EXT * UM,))
        return builders.cut_feature(builders.plane(g, "Si"), "trench", width=c["width"] * UM,
                                    depth=c["depth"] * UM)
    g = Grid(dimension=3, spacing=h * UM, extent=(EXT * UM, EXT * UM))
    return builders.cut_feature(builders.plane(g, "Si"), "hole", radius=c["radius"] * UM,
                                depth=c["depth"] * UM)


def wl_flux(case: str, reps: int = 2):
    from waferlab.context import RunContext
    from waferlab.feature.extract import extract_surface
    from waferlab.feature.flux import Species, trace_fluxes
    s = extract_surface(wl_geometry(case))
    ctx = RunContext(seed=1, threads=THREADS)
    sp = Species(name="particle", sticking=0.1, source_exponent=1.0)
    trace_fluxes(s, [sp], ctx, n_rays=5000)          # compile / load the cache
    best = np.inf
    for k in range(reps):
        t0 = time.perf_counter()
        r = trace_fluxes(s, [sp], ctx.with_(seed=k), rays_per_point=CASES[case]["rays"])
        best = min(best, time.perf_counter() - t0)
    return best, r.n_rays, s.grid_points


class _Timed:
    """Wraps a velocity model to add up the time spent in prepare (ray tracing)."""

    def __init__(self, model):
        self.m = model
        self.normal_dependent = model.normal_dependent
        self.flux_time = 0.0

    def max_rate(self):
        return self.m.max_rate()

    def prepare(self, geometry, ctx, t):
        t0 = time.perf_counter()
        s = self.m.prepare(geometry, ctx, t)
        self.flux_time += time.perf_counter() - t0
        return s

    def speed(self, *a):
        return self.m.speed(*a)


def wl_run(case: str, h: float = H, rays: int | None = None, scheme: str = "weno5"):
    from waferlab.context import RunContext
    from waferlab.feature.advect import advance
    from waferlab.feature.extract import extract_surface
    from waferlab.feature.flux.models import SingleParticleSpec
    c = CASES[case]
    geo = wl_geometry(case, h).with_new_top("SiO2")
    spec = SingleParticleSpec(model="single_particle", rate="1 um/min", sticking=0.1,
                              source_exponent=1, rays_per_point=rays or c["rays"])
    model = _Timed(spec.build(kind="deposit", materials=tuple(geo.materials), target="SiO2"))
    ctx = RunContext(seed=42, threads=THREADS)
    t0 = time.perf_counter()
    geo, steps = advance(geo, model, c["time_min"] * 60.0, ctx, kind="deposit", scheme=scheme,
                         cfl=0.5)
    wall = time.perf_counter() - t0
    s = extract_surface(geo)
    b, sw = thicknesses(s.points / UM, s.elements, case)
    return dict(wall=wall, flux=model.flux_time, steps=steps, bottom=b, side=sw, geometry=geo)


# --------------------------------------------------------------------------- ViennaPS
def _vps():
    import viennaps as ps
    ps.setNumThreads(THREADS)
    ps.Logger.setLogLevel(ps.LogLevel.ERROR)
    return ps


def vps_domain(case: str, h: float = H):
    ps = _vps()
    c = CASES[case]
    refl = ps.BoundaryType.REFLECTIVE_BOUNDARY
    if c["dim"] == 2:
        d = ps.d2
        dom = d.Domain(gridDelta=h, xExtent=EXT, boundary=refl)
        d.MakeTrench(dom, trenchWidth=c["width"], trenchDepth=c["depth"]).apply()
    else:
        d = ps.d3
        dom = d.Domain(gridDelta=h, xExtent=EXT, yExtent=EXT, boundary=refl)
        d.MakeHole(dom, holeRadius=c["radius"], holeDepth=c["depth"]).apply()
    dom.duplicateTopLevelSet(ps.Material.SiO2)
    return ps, d, dom


def vps_process(case: str, h: float = H, rays: int | None = None):
    ps, d, dom = vps_domain(case, h)
    c = CASES[case]
    model = d.SingleParticleProcess(rate=1.0, stickingProbability=0.1, sourceExponent=1.0)
    rt = ps.RayTracingParameters()
    rt.raysPerPoint = rays or c["rays"]
    proc = d.Process(dom, model, c["time_min"])
    proc.setParameters(rt)
    proc.setFluxEngineType(ps.FluxEngineType.CPU_DISK)
    return dom, proc


def vps_flux(case: str, reps: int = 2):
    best, npts = np.inf, 0
    for _ in range(reps):
        dom, proc = vps_process(case)
        t0 = time.perf_counter()
        mesh = proc.calculateFlux()
        best = min(best, time.perf_counter() - t0)
        npts = len(mesh.getNodes())
    return best, npts * CASES[case]["rays"], npts


def vps_run(case: str, h: float = H, rays: int | None = None):
    dom, proc = vps_process(case, h, rays)
    t0 = time.perf_counter()
    proc.apply()
    wall = time.perf_counter() - t0
    mesh = dom.getSurfaceMesh(addInterfaces=False)
    pts = np.asarray(mesh.getNodes(), float)
    dim = CASES[case]["dim"]
    el = np.asarray(mesh.getLines() if dim == 2 else mesh.getTriangles(), np.int64)
    b, sw = thicknesses(pts[:, :dim], el, case)
    return dict(wall=wall, bottom=b, side=sw)


# --------------------------------------------------------------------------- accuracy
def accuracy(quick: bool) -> list[str]:
    from waferlab.context import RunContext
    from waferlab.feature.flux import Species, shapes, trace_fluxes
    ctx = RunContext(seed=7, threads=THREADS)
    f = 0.1 if quick else 1.0
    rows = ["| test | case | waferlab | reference | deviation | 3σ (relative) | rays |",
            "|---|---|---|---|---|---|---|"]
    for LH, ref in ((1, 0.68438), (5, 0.35641), (20, 0.15389)):
        n = int(2e6 * f)
        r = trace_fluxes(shapes.slit(1.0, LH, n_wall=max(10, 2 * LH)), [Species(name="n", sticking=0.0)],
                         ctx, n_rays=n)["n"]
        rows.append(f"| Clausing slit | L/H={LH} | {r.transmitted:.5f} | {ref} | "
                    f"{(r.transmitted / ref - 1) * 100:+.2f} % | {300 * r.transmitted_stderr / ref:.2f} % | {n:.1e} |")
    for LR, ref in ((1, 0.67198), (4, 0.35657), (20, 0.10932)):
        n = int((1e6 if LR < 20 else 4e5) * f)
        s = shapes.tube(1.0, LR, n_sides=96)
        sp = Species(name="n", sticking={"top": 1.0, "wall": 0.0, "bottom": 1.0})
        r = trace_fluxes(s, [sp], ctx, n_rays=n)["n"]
        lat = np.asarray(s.lateral_bounds)
        fac = np.prod(lat[:, 1] - lat[:, 0]) / shapes.polygon_area(1.0, 96)
        W, sig = r.transmitted * fac, r.transmitted_stderr * fac
        rows.append(f"| Clausing tube (96-gon) | L/R={LR} | {W:.5f} | {ref} | {(W / ref - 1) * 100:+.2f} % | "
                    f"{300 * sig / ref:.2f} % | {n:.1e} |")
    # unit sticking view factors, trench w = 1, d = 2, elements w/40
    from waferlab.validation import feature as vf
    n = int(4e7 * f)
    for name, (inc, err, ex, _) in zip(("trench left wall", "trench right wall", "trench bottom"),
                                       vf.viewfactor_trench_profiles(ctx, n)):
        rows.append(f"| unit sticking {name} | 40 el./w, max over elements | "
                    f"max dev {np.max(np.abs(inc / ex - 1)) * 100:.2f} % | exact | "
                    f"rms {np.sqrt(np.mean((inc / ex - 1) ** 2)) * 100:.2f} % | "
                    f"max 3σ {np.max(3 * err / ex) * 100:.2f} % | {n:.1e} |")
    n = int(1e8 * f)
    s, r, bot, ex, rr = vf.viewfactor_hole_bottom(ctx, n, keep=True)
    for rad in (0.05, 0.1):
        c = rr < rad + 1e-9
        w = np.zeros(len(bot))
        w[np.flatnonzero(bot)[c]] = s.areas[bot][c]
        m, sg = r.region_mean(w)
        exact = (ex[c] * s.areas[bot][c]).sum() / s.areas[bot][c].sum()
        rows.append(f"| unit sticking hole bottom centre (R/d = 1/2) | r < {rad} R | {m:.4f} | "
                    f"{exact:.4f} (0.2 at r=0) | {(m / exact - 1) * 100:+.2f} % | {300 * sg / exact:.2f} % | {n:.1e} |")
    for dim, K in ((2, 0.35641), (3, 0.35657)):
        for S in (1.0, 0.1):
            s = shapes.trench(1.0, 5.0, h=1 / 40) if dim == 2 else shapes.hole(1.0, 4.0, h=0.1)
            n = int((2e6 if dim == 2 else 1e6) * f)
            sp = Species(name="n", sticking={"top": 1.0, "wall": 0.0, "bottom": S})
            r = trace_fluxes(s, [sp], ctx, n_rays=n, keep_chunks=True)["n"]
            m, sg = r.region_mean(np.where(s.materials == 2, s.areas, 0.0))
            ref = K / (K + S * (1 - K))
            rows.append(f"| Coburn–Winters {'trench d/w=5' if dim == 2 else 'hole d/R=4'} | S={S} | {m:.4f} | "
                        f"{ref:.4f} | {(m / ref - 1) * 100:+.2f} % | {300 * sg / ref:.2f} % | {n:.1e} |")
    return rows


# --------------------------------------------------------------------------- main
STORE = OUT.with_suffix(".json")


def _load_store() -> dict:
    import json
    return json.loads(STORE.read_text()) if STORE.exists() else {}


def _save_store(store: dict) -> None:
    import json
    STORE.parent.mkdir(parents=True, exist_ok=True)
    STORE.write_text(json.dumps(store, indent=1, default=float))


def render(store: dict) -> str:
    lines = ["# Flux engine (issue 3)", "",
             "Machine: 2 cores shared with other jobs (load average 5–12 during these runs, so "
             "wall times are noisy; both codes were timed in the same script launch, one after the "
             "other); 2 threads for both codes, OMP_WAIT_POLICY=passive. Spacing 0.24 µm, extent "
             "10.08 µm (42 cells; waferlab needs a whole number of cells) in both codes.", ""]
    if "speed" in store:
        lines += ["## Flux only (initial structure, sticking 0.1, cosine source)", "",
                  "Rays per point × surface points (waferlab: vertices of the extracted surface; "
                  "ViennaPS: its disk points).", "",
                  "| case | code | surface points | rays | time (s) | rays/s |", "|---|---|---|---|---|---|"]
        lines += store["speed"] + [""]
    if "accuracy" in store:
        lines += ["## Accuracy (Clausing 1932, unit-sticking view factors, Coburn & Winters 1989)", "",
                  "σ: per-ray statistics (transmission) or batch means over 64 ray chunks (fluxes).", ""]
        lines += store["accuracy"] + [""]
    runs = store.get("runs", {})
    if runs:
        lines += ["## Deposition runs (SingleParticle, s = 0.1, n = 1, 1 µm/min)", "",
                  "waferlab: WENO5 + TVD-RK3 (the recipe default; the EO row uses first-order "
                  "Engquist–Osher like ViennaPS's default), CFL 0.5 (ViennaPS timeStepRatio 0.4999); "
                  "ViennaPS: its defaults. Thickness: bottom = film on the floor at the "
                  "centre; mid-sidewall = film at half the original depth. Deviations against "
                  "the converged reference where one was computed. Wall times: fastest of the "
                  "alternating repeats (all repeats in flux.json).", "",
                  "| case | code | wall (s) | of which flux (s) | steps | bottom (µm) | mid-sidewall (µm) | "
                  "Δbottom vs ref | Δsidewall vs ref | wall-time ratio wl/ViennaPS |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for case in sorted({k.split(":")[0] for k in runs}):
            ref = runs.get(f"{case}:ref")
            wl = runs.get(f"{case}:waferlab")
            vp = runs.get(f"{case}:ViennaPS")
            for code in ("waferlab", "waferlab-EO", "ViennaPS", "ref"):
                r = runs.get(f"{case}:{code}")
                if r is None:
                    continue
                if code != "ref" and ref:
                    db = f"{(r['bottom'] / ref['bottom'] - 1) * 100:+.1f} %"
                    ds = f"{(r['side'] / ref['side'] - 1) * 100:+.1f} %"
                else:
                    db = ds = ""
                ratio = f"{wl['wall'] / vp['wall']:.2f}" if code == "waferlab" and wl and vp else ""
                name = r.get("what", code)
                fl = f"{r['flux']:.1f}" if "flux" in r else ""
                lines.append(f"| {case} | {name} | {r['wall']:.1f} | {fl} | {r.get('steps', '')} | "
                             f"{r['bottom']:.3f} | {r['side']:.3f} | {db} | {ds} | {ratio} |")
        lines += ["", "Notes: both codes take dt = 0.5·h/max|V| (ViennaPS timeStepRatio 0.4999; "
                  "waferlab cfl 0.5 since the sparse-band engine, 29 Nov 2026 — before, waferlab "
                  "took 29 steps for B with dt = cfl·h/max(|V|·Σ|n_i|)) and trace "
                  "rays_per_point × the surface's level-set points (waferlab counts them as "
                  "area/h^(d−1), ViennaPS's disks: 3477 vs 3405 on B's initial hole).  Per flux "
                  "evaluation the tracers are on par in 3D and waferlab is about 2× faster in 2D "
                  "(flux-only table).", ""]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sections", default="speed,accuracy,A,Aeo,refA,B",
                    help="any of speed, accuracy, A, B, Aeo, Beo, refA, refB (results accumulate in "
                         "bench/results/flux.json; flux.md is rebuilt from it)")
    ap.add_argument("--quick", action="store_true", help="fewer rays in the accuracy section")
    ap.add_argument("--repeat", type=int, default=3, help="runs of A/B per code (fastest kept)")
    args = ap.parse_args(argv)
    sections = args.sections.split(",")
    store = _load_store()
    have_vps = True
    try:
        _vps()
    except Exception as exc:  # noqa: BLE001 - report the missing peer, keep going
        have_vps = False
        print(f"ViennaPS not available ({exc}); peer rows left out")

    def save():
        _save_store(store)
        harness.write_text(OUT, render(store))

    if "speed" in sections:
        rows = []
        for case in ("A", "B"):
            t, n, p = wl_flux(case)
            rows.append(f"| {case} ({CASES[case]['dim']}D) | waferlab | {p} | {n} | {t:.3f} | {n / t:.3g} |")
            if have_vps:
                t2, n2, p2 = vps_flux(case)
                rows.append(f"| {case} ({CASES[case]['dim']}D) | ViennaPS 4.7 CPU_DISK | {p2} | {n2} | "
                            f"{t2:.3f} | {n2 / t2:.3g} |")
            print("\n".join(rows[-2:]), flush=True)
        store["speed"] = rows
        save()
    if "accuracy" in sections:
        store["accuracy"] = accuracy(args.quick)
        print("\n".join(store["accuracy"]), flush=True)
        save()
    runs = store.setdefault("runs", {})
    for case in ("B", "A"):
        if case in sections:
            # alternate the two codes and keep each one's fastest run: on a shared machine
            # the minimum is the best estimate of the unloaded cost
            for rep in range(args.repeat):
                r = wl_run(case)
                r.pop("geometry")
                old = runs.get(f"{case}:waferlab") if rep else None
                r["walls"] = (old or {}).get("walls", []) + [r["wall"]]
                if old and old["wall"] < r["wall"]:
                    r.update({k: old[k] for k in ("wall", "flux")})
                runs[f"{case}:waferlab"] = r
                print(case, "waferlab", r, flush=True)
                save()
                if have_vps:
                    v = vps_run(case)
                    old = runs.get(f"{case}:ViennaPS") if rep else None
                    v["walls"] = (old or {}).get("walls", []) + [v["wall"]]
                    v["wall"] = min(v["walls"])
                    runs[f"{case}:ViennaPS"] = v
                    print(case, "ViennaPS", v, flush=True)
                    save()
        if f"{case}eo" in sections:
            r = wl_run(case, scheme="eo")
            r.pop("geometry")
            r["what"] = "waferlab, first-order EO"
            runs[f"{case}:waferlab-EO"] = r
            print(case, "waferlab-EO", r, flush=True)
            save()
        if f"ref{case}" in sections:
            rr = 4 * CASES[case]["rays"] if CASES[case]["dim"] == 2 else CASES[case]["rays"]
            r = wl_run(case, h=H / 2, rays=rr)
            r.pop("geometry")
            r["what"] = f"reference: waferlab WENO5, spacing {H / 2:g} µm, {rr} rays/point"
            runs[f"{case}:ref"] = r
            print(case, "ref", r, flush=True)
            save()
    save()
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
