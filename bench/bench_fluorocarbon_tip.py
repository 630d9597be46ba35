"""Fluorocarbon 3D, frozen tapered hole: the ion yields at the tip of a narrowing hole,
both codes against the exact reference (``validation.fluorocarbon_hole.hole_ions``), #17.

The evolving hole of ``bench_fluorocarbon.py --dim 3`` turns into a cone within 15 s
(walls narrowing ≈ 17° from vertical towards a tip), and reflected ions focus into its
tip.  Here the hole is frozen as a frustum: radius 30 nm at the mouth (top of the 50 nm
mask), walls tapered by ``TAPER``° from vertical down to 150 nm below the mouth, a flat
bottom of radius 30 − 150 tan 8° = 8.9 nm; the bench's fluxes, 100 ± 10 eV, n = 100,
k_ie = 0.  Recorded per band (SiO2 wall by depth below the mouth, the bottom): the yield
fluxes per source ion Y_ie, Y_sp, Y_p of the ions (what sets the rate there: with k_ie = 0,
V ≈ −Γ_i (Y_ie (1 − θ_p) + Y_sp θ_p)/ρ).

- exact: ``hole_ions(..., taper=8°)``, 2e6 ions on the exact frustum, the model's yields,
  coned lobe and energy law;
- waferlab: ``element_rates`` (band means weighted by element area);
- ViennaPS 4.7: ``Process.calculateFlux`` on ``MakeHole(holeTaperAngle = maskTaperAngle =
  8°)``, its tallies times the yield factors A it leaves out.

Each code and spacing in its own process.  Run: python bench/bench_fluorocarbon_tip.py
[spacings in nm, default 5] [--rays N ...].  Writes bench/results/fluorocarbon_tip.md.
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

TAPER, DEPTH, R0, MASK, EXT = 8.0, 150.0, 30.0, 50.0, 120.0     # deg, nm, nm, nm, nm
CH = ("Y:ie", "Y:sp", "Y:p")


def _model():
    from bench_fluorocarbon_frozen import _spec
    return _spec().build(kind="etch", materials=("SiO2", "Mask"), target=None).model


def waferlab(h: float, rays: int) -> dict:
    from bench_fluorocarbon_frozen import _spec

    from waferlab.context import RunContext
    from waferlab.feature.flux.models import surface_of
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer
    data = {"name": "t", "seed": 1,
            "grid": {"dimension": 3, "spacing": f"{h} nm", "extent": [f"{EXT} nm"] * 2},
            "structure": {"substrate": {"material": "SiO2", "thickness": "250 nm"},
                          "layers": [{"material": "Mask", "thickness": f"{MASK} nm"}],
                          "feature": {"type": "hole", "radius": f"{R0} nm",
                                      "depth": f"{DEPTH} nm", "taper": f"{TAPER} deg"}},
            "steps": []}
    w = initial_wafer(recipe_from_dict(data))
    surf = surface_of(w.geometry)
    tr = _spec(rays_per_point=rays, coverage_iterations=8, lagged_coverages=False).build(
        kind="etch", materials=tuple(w.geometry.materials), target=None)
    er = tr.element_rates(surf, RunContext(seed=1, threads=2), ("probe",))
    xyz = surf.centroids * 1e9
    xyz[:, 2] -= xyz[:, 2].max()
    for i in (0, 1):
        xyz[:, i] -= 0.5 * (xyz[:, i].min() + xyz[:, i].max())
    return dict(r=np.hypot(xyz[:, 0], xyz[:, 1]).tolist(), z=(-xyz[:, 2]).tolist(),
                w=np.asarray(surf.areas).tolist(),
                **{c: np.asarray(er.fields[c]).tolist() for c in CH})


def viennaps(h: float, rays: int) -> dict:
    import viennaps as ps
    from bench_fluorocarbon import peer_parameters
    harness.peer_setup(ps, 3, "nm")
    d = ps.Domain(gridDelta=h, xExtent=EXT, yExtent=EXT)
    ps.MakeHole(domain=d, holeRadius=R0 - MASK * math.tan(math.radians(TAPER)),
                holeDepth=DEPTH - MASK, holeTaperAngle=TAPER, maskHeight=MASK,
                maskTaperAngle=TAPER, material=ps.Material.SiO2).apply()
    d.duplicateTopLevelSet(ps.Material.Polymer)
    p = peer_parameters(ps, 56.0, 150.0, 5.0)
    p.k_ie = 0.0
    proc = ps.Process(d, ps.FluorocarbonEtching(p))
    proc.setProcessDuration(1.0)
    rp = ps.RayTracingParameters()
    rp.raysPerPoint = rays
    cov = ps.CoverageParameters()
    cov.maxIterations, cov.tolerance = 10, 1e-4
    proc.setParameters(rp)
    proc.setParameters(cov)
    mesh = proc.calculateFlux()
    cd = mesh.getCellData()
    raw = {cd.getScalarDataLabel(i): np.asarray(cd.getScalarData(i))
           for i in range(cd.getScalarDataSize())}
    xyz = np.asarray(mesh.getNodes())[:, :3].copy()
    xyz[:, 2] -= xyz[:, 2].max()
    f = {"Y:p": raw["ionpeFlux"] * 0.0361 * 2, "Y:ie": raw["ionEnhancedFlux"] * 0.0361,
         "Y:sp": raw["ionSputterFlux"] * 0.0139}
    return dict(r=np.hypot(xyz[:, 0], xyz[:, 1]).tolist(), z=(-xyz[:, 2]).tolist(),
                w=np.ones(len(xyz)).tolist(), **{c: f[c].tolist() for c in CH})


def bands() -> list[tuple[str, str, float, float]]:
    rb = R0 - DEPTH * math.tan(math.radians(TAPER))
    return [("SiO2 wall 60–100 nm", "w", 60.0, 100.0), ("SiO2 wall 100–130 nm", "w", 100.0, 130.0),
            ("SiO2 wall 130–146 nm", "w", 130.0, 146.0), (f"bottom r < {rb:.1f} nm", "b", 0.0, rb)]


def band_of_code(d: dict, kind: str, a: float, b: float) -> dict:
    r, z, w = np.asarray(d["r"]), np.asarray(d["z"]), np.asarray(d["w"])
    ta = math.tan(math.radians(TAPER))
    sel = (((np.abs(r - (R0 - z * ta)) < 2.0) & (z >= a) & (z <= b)) if kind == "w" else
           ((z > DEPTH - 0.75) & (r < b + 0.5)))
    out = {}
    for c in CH:
        v = np.asarray(d[c], float)
        ok = sel & np.isfinite(v)
        out[c] = float((v[ok] * w[ok]).sum() / w[ok].sum()) if ok.any() else float("nan")
    return out


def band_of_exact(ex: dict, z: np.ndarray, r: np.ndarray, kind: str, a: float, b: float) -> dict:
    ta = math.tan(math.radians(TAPER))
    n = z.size - 1
    zc, rc = 0.5 * (z[:-1] + z[1:]), 0.5 * (r[:-1] + r[1:])
    rz = R0 - z * ta
    aw = np.pi * (rz[:-1] + rz[1:]) * np.diff(z)
    ab = np.pi * np.diff(r ** 2)
    m = (zc >= a) & (zc <= b) if kind == "w" else (rc >= a) & (rc <= b)
    area = aw if kind == "w" else ab
    return {c: float((np.asarray(ex[c[2:]])[:n][m] * area[m]).sum() / area[m].sum()
                     if kind == "w" else
                     (np.asarray(ex[c[2:]])[n:][m] * area[m]).sum() / area[m].sum()) for c in CH}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("spacings", nargs="*", type=float)
    ap.add_argument("--rays", type=int, nargs="+", help="rays per point per spacing (400)")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)     # code h rays out.json
    a = ap.parse_args()
    if a.child:
        code, h, rays, out = a.child
        c0 = time.process_time()
        d = (waferlab if code == "waferlab" else viennaps)(float(h), int(rays))
        d["cpu"] = time.process_time() - c0
        json.dump(d, open(out, "w"))
        return
    from waferlab.validation.fluorocarbon_hole import _edges, hole_ions
    hs = a.spacings or [5.0]
    rays = ((a.rays or [400]) * len(hs))[:len(hs)]
    load0 = os.getloadavg()[0]
    c0 = time.process_time()
    nw, nb = 150, 20
    ex, _ = hole_ions(_model(), R0 * 1e-9, DEPTH * 1e-9, MASK * 1e-9, n_wall=nw, n_bottom=nb,
                      taper=math.radians(TAPER))
    z, r = _edges((R0 - DEPTH * math.tan(math.radians(TAPER))) * 1e-9, DEPTH * 1e-9, nw, nb)
    z, r = z * 1e9, r * 1e9
    cpu_exact = time.process_time() - c0
    tmp = tempfile.mkdtemp()
    runs = {}
    for h, nr in zip(hs, rays):
        for code in ("waferlab", "ViennaPS 4.7"):
            out = os.path.join(tmp, f"{code[0]}_{h:g}.json")
            subprocess.run([sys.executable, __file__, "--child",
                            "waferlab" if code == "waferlab" else "viennaps", str(h), str(nr),
                            out], check=True)
            runs[(code, h, nr)] = json.load(open(out))
    rows = []
    for label, kind, lo, hi in bands():
        e = band_of_exact(ex, z, r, kind, lo, hi)
        rows.append(f"| {label} | exact | " + " | ".join(f"{e[c]:.4g}" for c in CH) + " |")
        for (code, h, nr), d in runs.items():
            g = band_of_code(d, kind, lo, hi)
            rows.append(f"| {label} | {code}, h {h:g} nm, {nr} rays | " + " | ".join(
                f"{g[c]:.4g} ({100 * (g[c] / e[c] - 1):+.1f} %)" for c in CH) + " |")
    load1 = os.getloadavg()[0]
    text = ["# fluorocarbon 3D, frozen tapered hole: ion yields at the tip against the exact "
            "reference (issue #17)", "",
            f"`python bench/bench_fluorocarbon_tip.py {' '.join(f'{h:g}' for h in hs)}"
            + (f" --rays {' '.join(str(n) for n in rays)}" if a.rays else "") + "`. "
            f"Frustum: radius {R0:g} nm at the mouth, walls {TAPER:g}° from vertical, "
            f"{DEPTH:g} nm deep ({MASK:g} nm mask over SiO2), flat bottom of radius "
            f"{R0 - DEPTH * math.tan(math.radians(TAPER)):.1f} nm; Γ_i 56 ×10¹⁵ cm⁻²s⁻¹, "
            "100 ± 10 eV, n = 100.  Band means of the ion yield fluxes per source ion "
            "(Y_ie, Y_sp, Y_p; in brackets against exact).  Exact: "
            "`validation.fluorocarbon_hole.hole_ions(taper=8°)`, 2e6 ions; waferlab: "
            "`element_rates` (area-weighted); ViennaPS: `calculateFlux` on "
            "`MakeHole(holeTaperAngle=maskTaperAngle=8°)`, its tallies times the A it leaves "
            "out.  Each code in its own process.", "",
            "| band | source | Y_ie | Y_sp | Y_p |", "|---|---|---|---|---|", *rows, "",
            f"CPU: exact {cpu_exact:.0f} s; " + ", ".join(
                f"{c} h {h:g} {d['cpu']:.1f} s" for (c, h, _), d in runs.items())
            + f".  Load average {load0:.1f} → {load1:.1f}."]
    out = harness.RESULTS / "fluorocarbon_tip.md"
    harness.write_text(out, "\n".join(text))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
