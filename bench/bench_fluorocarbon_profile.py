"""Fluorocarbon 2D trench, the evolving profile frozen: each code's per-element rates on
the same etched profile against the exact reference (``validation.coverage_profile``),
issue #17 (the CD gap).

The contact of bench_fluorocarbon.py (60 nm trench, 50 nm mask over SiO2, Γ_i/Γ_e/Γ_p
56/150/5 ×10¹⁵ cm⁻²s⁻¹, 100 ± 10 eV, n = 100, k_ie = 0) is etched for ``T`` s by one
code (``--source``: ViennaPS or waferlab, at spacing h, 300 rays/point); its top surface
is frozen as a polyline (clipped 0.5 nm under the mask top, the mouth), and on it

- exact, published / peer's balances: ``coverage_profile`` (quadrature view factors,
  2e6 ions);
- waferlab: ``element_rates`` on a level set built from the polyline (exact polygon
  distance, ``builders._polygon_sdf``), 1000 rays/point, coverages iterated 8 times;
- ViennaPS: ``Process.calculateFlux`` on its own domain (only with ``--source
  viennaps``), 1000 rays/point, its tallies times the A it leaves out and its balances
  (``coverage_trench.viennaps_rules``), as bench_fluorocarbon_frozen.py.

Recorded per band of the profile (arc length from the mask's bottom corner, where the
SiO2 starts): the speed V (nm/s) and θ_p; each code against the exact value of its own
balances.  Each code runs in its own process.

Run: python bench/bench_fluorocarbon_profile.py [--source viennaps|waferlab] [--h 2]
     [--time 5]; writes bench/results/fluorocarbon_profile_<source>_<h>_<T>.md.
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

MASK, CLIP, RAYS = 50.0, 0.5, 1000
BANDS = ((-6.0, -2.0), (-2.0, 0.0), (0.0, 2.0), (2.0, 4.0), (4.0, 8.0), (8.0, 16.0),
         (16.0, 32.0), (32.0, 64.0), (64.0, 96.0), (96.0, 128.0), (128.0, 160.0),
         (160.0, 192.0), (192.0, 256.0))


def _spec(**kw):
    from bench_fluorocarbon_frozen import _spec as spec
    return spec(**kw)


def order_polyline(nodes: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """The nodes of a 2D surface mesh walked from its leftmost end (one open chain)."""
    nxt: dict[int, list[int]] = {}
    for a, b in lines:
        nxt.setdefault(int(a), []).append(int(b))
        nxt.setdefault(int(b), []).append(int(a))
    ends = [k for k, v in nxt.items() if len(v) == 1]
    start = min(ends, key=lambda k: nodes[k, 0])
    out, prev, cur = [start], -1, start
    while True:
        nb = [k for k in nxt[cur] if k != prev]
        if not nb:
            break
        prev, cur = cur, nb[0]
        out.append(cur)
        if len(out) > len(nodes):
            raise ValueError("the surface mesh is not one open chain")
    return nodes[out]


def clip_profile(xy: np.ndarray, y_cut: float) -> np.ndarray:
    """The part of the chain below y_cut between its first descent and last ascent
    through it, with the crossing points; oriented left to right (vacuum on the left of
    the walk: the trench interior above a floor walked left to right)."""
    below = xy[:, 1] < y_cut
    i0 = int(np.argmax(below))
    i1 = len(xy) - 1 - int(np.argmax(below[::-1]))

    def cross(a, b):
        f = (y_cut - a[1]) / (b[1] - a[1])
        return a + f * (b - a)
    pts = np.vstack([cross(xy[i0 - 1], xy[i0]), xy[i0:i1 + 1], cross(xy[i1], xy[i1 + 1])])
    if pts[0, 0] > pts[-1, 0]:
        pts = pts[::-1]
    keep = np.r_[True, np.hypot(*np.diff(pts, axis=0).T) > 1e-6]
    return pts[keep]


def run_viennaps(h: float, T: float, out: str) -> None:
    """The peer's etch to T, its frozen top surface and its own rates on it."""
    import viennaps as ps

    from bench_fluorocarbon import peer_parameters
    from waferlab.validation.coverage_trench import viennaps_rules
    harness.peer_setup(ps, 2, "nm")
    d = ps.Domain(gridDelta=h, xExtent=120.0, yExtent=120.0)
    ps.MakeTrench(domain=d, trenchWidth=60.0, trenchDepth=0.0, maskHeight=MASK,
                  material=ps.Material.SiO2).apply()
    d.duplicateTopLevelSet(ps.Material.Polymer)
    p = peer_parameters(ps, 56.0, 150.0, 5.0)
    p.k_ie = 0.0
    model = ps.FluorocarbonEtching(p)
    cov = ps.CoverageParameters()
    cov.maxIterations, cov.tolerance = 10, 1e-4
    c0 = time.process_time()
    if T > 0:
        harness.peer_process(ps, d, model, T, 300, cov)
    cpu_run = time.process_time() - c0
    m = d.getSurfaceMesh(addInterfaces=False)
    nodes = np.asarray(m.getNodes())[:, :2]
    poly = clip_profile(order_polyline(nodes, np.asarray(m.getLines())), MASK - CLIP)
    proc = ps.Process(d, model)
    proc.setProcessDuration(1.0)
    rp = ps.RayTracingParameters()
    rp.raysPerPoint = RAYS
    proc.setParameters(rp)
    proc.setParameters(cov)
    mesh = proc.calculateFlux()
    cd = mesh.getCellData()
    raw = {cd.getScalarDataLabel(i): np.asarray(cd.getScalarData(i))
           for i in range(cd.getScalarDataSize())}
    xy = np.asarray(mesh.getNodes())[:, :2]
    wm = _spec().build(kind="etch", materials=("SiO2", "Mask"), target=None).model
    mats = np.where(raw["MaterialIds"] == int(ps.Material.Mask), wm.materials.index("Mask"),
                    wm.materials.index("SiO2"))
    f = {"etchant": raw["etchantFlux"], "polymer": raw["polyFlux"],
         "Y:p": raw["ionpeFlux"] * 0.0361 * 2, "Y:ie": raw["ionEnhancedFlux"] * 0.0361,
         "Y:sp": raw["ionSputterFlux"] * 0.0139}
    v0, c0_ = wm.element_speeds(f, mats)
    v, c = viennaps_rules(wm, f, mats, v0, c0_)
    json.dump(dict(poly=poly.tolist(), x=xy[:, 0].tolist(), y=xy[:, 1].tolist(),
                   mat=mats.tolist(), v=(v * 1e9).tolist(),
                   theta_polymer=c["theta_polymer"].tolist(), cpu_run=cpu_run,
                   cpu=time.process_time() - c0), open(out, "w"))


def _wafer(h: float):
    from bench_fluorocarbon import recipe
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer
    r = recipe_from_dict(recipe(2, h, 0.0, 1.0, 300))
    return r, initial_wafer(r)


def run_waferlab(h: float, T: float, out: str, seed: int = 1,
                 field_smoothing_h: float | None = None) -> None:
    """waferlab's etch to T and its frozen top surface (the mask bottom at y = 0, nm);
    ``seed`` the run's seed, ``field_smoothing_h`` the model's key (None: its default)."""
    from waferlab.context import RunContext
    from waferlab.feature.extract import contours_2d
    from bench_fluorocarbon import recipe
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer
    c0 = time.process_time()
    rd = recipe(2, h, 0.0, T, 300)
    rd["seed"] = seed
    if field_smoothing_h is not None:
        rd["steps"][0]["etch"]["field_smoothing_h"] = field_smoothing_h
    r = recipe_from_dict(rd)
    w = initial_wafer(r)
    for st in r.steps:
        w = st.apply(w, RunContext(seed=seed, threads=2))
    g = w.geometry
    c = max(contours_2d(g.top, g), key=len) * 1e9
    poly = clip_profile(c, MASK - CLIP)
    json.dump(dict(poly=poly.tolist(), cpu_run=time.process_time() - c0), open(out, "w"))


def waferlab_on(poly_file: str, h: float, out: str) -> None:
    """waferlab's per-element rates on a level set built from the frozen polyline."""
    from waferlab.context import RunContext
    from waferlab.feature.builders import _polygon_sdf
    from waferlab.feature.flux.models import surface_of
    c0 = time.process_time()
    poly = np.asarray(json.load(open(poly_file))["poly"])
    _, w = _wafer(h)
    g = w.geometry
    g = g.with_window(min(g.z_range[0], (poly[:, 1].min() - 40.0) * 1e-9), g.z_range[1])
    x = g.grid.lateral_coords(0) * 1e9
    z = g.z_coords * 1e9
    X, Z = np.meshgrid(x, z, indexing="ij")
    # the vacuum: the trench polygon (polyline closed high above the mouth)
    top = 1e3
    vac = np.vstack([[poly[0, 0], top], poly, [poly[-1, 0], top]])
    phi_top = -_polygon_sdf(X, Z, vac)              # solid: outside the vacuum polygon
    top_mask = np.maximum(phi_top, Z - MASK)        # no solid above the mask top
    phi_sio2 = np.maximum(top_mask, Z - 0.0)        # SiO2: the solid under the mask
    phi = np.stack([phi_sio2, top_mask]) * 1e-9
    g = g.replace(phi=phi)
    surf = surface_of(g)
    tr = _spec(rays_per_point=RAYS, coverage_iterations=8, lagged_coverages=False).build(
        kind="etch", materials=tuple(g.materials), target=None)
    er = tr.element_rates(surf, RunContext(seed=1, threads=2), ("probe",))
    xy = surf.centroids * 1e9
    json.dump(dict(x=xy[:, 0].tolist(), y=xy[:, 1].tolist(),
                   v=(er.velocity * 1e9).tolist(),
                   theta_polymer=er.coverages["theta_polymer"].tolist(),
                   mat=[int(m) for m in surf.materials], cpu=time.process_time() - c0),
              open(out, "w"))


def arc_from_corner(poly: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Signed arc length (nm) along the left half of the profile from the mask's bottom
    corner (the point of the profile at y = 0 on the left wall; > 0 into the SiO2) of the
    profile point nearest to each of xy (mirrored to the left half)."""
    q = xy.copy()
    q[:, 0] = -np.abs(q[:, 0])
    left = poly[poly[:, 0] <= 0.0]
    seg = np.hypot(*np.diff(left, axis=0).T)
    s = np.r_[0.0, np.cumsum(seg)]
    i = int(np.argmax(left[:, 1] < 0.0))
    a, b = left[i - 1], left[i]
    s0 = s[i - 1] + seg[i - 1] * (a[1] - 0.0) / (a[1] - b[1])
    out = np.empty(len(q))
    for k, p in enumerate(q):
        d = left[1:] - left[:-1]
        t = np.clip(((p - left[:-1]) * d).sum(1) / np.maximum((d * d).sum(1), 1e-30), 0, 1)
        proj = left[:-1] + t[:, None] * d
        j = int(np.argmin(np.hypot(*(proj - p).T)))
        out[k] = s[j] + t[j] * seg[j] - s0
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", choices=("viennaps", "waferlab"), default="viennaps")
    ap.add_argument("--h", type=float, default=2.0)
    ap.add_argument("--time", type=float, default=5.0)
    ap.add_argument("--ions", type=int, default=2_000_000)
    ap.add_argument("--dump", help="write every per-element array to this JSON file")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        kind, *args = a.child
        {"viennaps": lambda h, T, o: run_viennaps(float(h), float(T), o),
         "waferlab": lambda h, T, o, seed=1, fs=None: run_waferlab(
             float(h), float(T), o, int(seed), None if fs is None else float(fs)),
         "on": lambda f, h, o: waferlab_on(f, float(h), o)}[kind](*args)
        return
    from waferlab.validation.coverage_profile import (coverage_profile, profile_ions,
                                                      profile_view_factors)
    load0 = os.getloadavg()[0]
    tmp = tempfile.mkdtemp()
    src = os.path.join(tmp, "src.json")
    me = [sys.executable, __file__, "--child"]
    subprocess.run(me + [a.source, str(a.h), str(a.time), src], check=True)
    subprocess.run(me + ["on", src, str(a.h), os.path.join(tmp, "wl.json")], check=True)
    S = json.load(open(src))
    W = json.load(open(os.path.join(tmp, "wl.json")))
    poly = np.asarray(S["poly"])
    model = _spec().build(kind="etch", materials=("SiO2", "Mask"), target=None).model
    # exact on the polyline refined to ≤ h/4 per element
    fine = [poly[0]]
    for p, q in zip(poly[:-1], poly[1:]):
        k = max(1, int(np.ceil(np.hypot(*(q - p)) / max(0.25 * a.h, 0.5))))
        fine += [p + (q - p) * (i + 1) / k for i in range(k)]
    P = np.asarray(fine) * 1e-9
    cen = 0.5 * (P[:-1] + P[1:])
    mats = np.where(cen[:, 1] > 0.0, model.materials.index("Mask"), model.materials.index("SiO2"))
    c0 = time.process_time()
    F = profile_view_factors(P)
    ions = profile_ions(model, P, mats, n_ions=a.ions)
    ex = {r: coverage_profile(model, P, mats, rules=r, ions=ions, view_factors=F)
          for r in ("model", "viennaps")}
    cpu_exact = time.process_time() - c0
    s_ex = arc_from_corner(poly, cen * 1e9)
    codes = {"waferlab": W}
    if a.source == "viennaps":
        codes["ViennaPS 4.7"] = S
    s_code = {k: arc_from_corner(poly, np.column_stack([d["x"], d["y"]])) for k, d in codes.items()}

    def band(s, vals, w, lo, hi, sel=None):
        m = (s >= lo) & (s < hi) if sel is None else (s >= lo) & (s < hi) & sel
        return float(np.sum(vals[m] * w[m]) / np.sum(w[m])) if m.any() else float("nan")
    rows = []
    ln = ex["model"].length
    for lo, hi in BANDS:
        r = [f"| {lo:g} … {hi:g} |"]
        for rules in ("model", "viennaps"):
            e = ex[rules]
            r.append(f" {band(s_ex, e.speed * 1e9, ln, lo, hi):.3f} / "
                     f"{band(s_ex, e.theta['theta_polymer'], ln, lo, hi):.3f} |")
        for k, d in codes.items():
            # points on the mouth's flat top are not on the profile
            on = np.asarray(d["y"]) < MASK - CLIP
            one = np.ones(len(d["v"]))
            r.append(f" {band(s_code[k], np.asarray(d['v']), one, lo, hi, on):.3f} / "
                     f"{band(s_code[k], np.asarray(d['theta_polymer']), one, lo, hi, on):.3f} |")
        rows.append("".join(r))
    if a.dump:
        json.dump(dict(source=S, waferlab=W, poly=poly.tolist(), exact={
            r: dict(x=(e.centroid[:, 0] * 1e9).tolist(), y=(e.centroid[:, 1] * 1e9).tolist(),
                    v=(e.speed * 1e9).tolist(), theta_polymer=e.theta["theta_polymer"].tolist(),
                    length=(e.length * 1e9).tolist(), s=s_ex.tolist(),
                    **{k: np.asarray(f).tolist() for k, f in e.fields.items()})
            for r, e in ex.items()}), open(a.dump, "w"))
    load1 = os.getloadavg()[0]
    depth = -float(poly[:, 1].min())
    hw = {y: float(-np.interp(-y, -poly[poly[:, 0] < 0, 1], poly[poly[:, 0] < 0, 0]))
          for y in (-5.0, -10.0, -20.0)}
    head = ("| arc from the mask corner (nm) | exact, published: V / θ_p | exact, peer's: V / θ_p"
            " | waferlab (published) | " + ("ViennaPS 4.7 (its balances) |"
                                            if a.source == "viennaps" else ""))
    text = [f"# fluorocarbon 2D: rates on the {a.source} profile at t = {a.time:g} s "
            "against the exact reference (issue #17)", "",
            f"`python bench/bench_fluorocarbon_profile.py --source {a.source} --h {a.h:g} "
            f"--time {a.time:g}`.  The trench of bench_fluorocarbon.py (k_ie = 0) etched by "
            f"{a.source} at h = {a.h:g} nm (300 rays/point) for {a.time:g} s: depth below the "
            f"mask {depth:.1f} nm, half-width {', '.join(f'{v:.2f}' for v in hw.values())} nm "
            f"at {', '.join(f'{-k:g}' for k in hw)} nm below the mask.  Its top surface frozen "
            f"({len(poly)} points; exact on {len(P) - 1} elements ≤ max(h/4, 0.5 nm), "
            f"{a.ions:.0e} ions, both walls band-averaged by arc length from the mask's bottom "
            "corner, < 0 on the mask wall).  Speed V (nm/s, < 0 etches) / θ_p; waferlab "
            "element_rates on the polygon's level set at the same h (1000 rays/point, 8 "
            "coverage passes)" + ("; ViennaPS calculateFlux on its own domain (1000 rays/"
                                  "point) with its balances" if a.source == "viennaps" else "")
            + ".", "", head, "|---|---|---|---|" + ("---|" if a.source == "viennaps" else ""),
            *rows, "",
            f"CPU: source run {S['cpu_run']:.1f} s, exact {cpu_exact:.1f} s, waferlab rates "
            f"{W['cpu']:.1f} s; load average {load0:.1f} → {load1:.1f}."]
    out = harness.RESULTS / f"fluorocarbon_profile_{a.source}_{a.h:g}_{a.time:g}.md"
    harness.write_text(out, "\n".join(text))
    print("\n".join(text[-len(rows) - 4:]))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
