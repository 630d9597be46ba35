"""Fluorocarbon 2D trench, frozen: both codes' per-element fields and rates on the first
step against the exact reference (``waferlab.validation.coverage_trench``), issue #17.

The trench of bench_fluorocarbon.py (60 nm wide, 50 nm mask, SiO2; its fluxes, 100 ±
10 eV, n = 100, k_ie = 0), frozen with straight walls D_si below the mask (0 and 40 nm:
the peer's ``MakeTrench(trenchDepth=D_si)``, waferlab's trench 50 + D_si deep).  Recorded
per band of elements (mask wall, SiO2 wall, bottom centre and corner): the relative
polymer-neutral flux q_p, the polymer yield flux Y_p, θ_p and the speed V.

- exact, "model": the published balances (waferlab's); exact, "viennaps": ViennaPS 4.7's
  (``coverage_trench.viennaps_rules``);
- waferlab: ``element_rates`` (1000 rays per point, coverages iterated 8 times);
- ViennaPS: ``Process.calculateFlux`` (1000 rays per point, its coverage initialisation
  of up to 10 passes); its ion tallies times the yield factors A it leaves out, and its
  rate from them with its balances.

Each code and spacing runs in its own process (a two-code launch at 2 nm ended in a stack
overflow in libc).  Run: python bench/bench_fluorocarbon_frozen.py [spacings, default 4 2]
Writes bench/results/fluorocarbon_frozen.md.  ``--dim 3``: the hole of
``bench_fluorocarbon.py --dim 3`` (r 30 nm) against ``validation.fluorocarbon_hole``
(spacings default 5 2.5, 400 rays per point); writes fluorocarbon_frozen3d.md.
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

W, MASK, EXT, RAYS = 60.0, 50.0, 120.0, 1000
R3 = 30.0                # the 3D hole of bench_fluorocarbon.py (nm)
FLUX = {"ion_flux": "56e15 cm^-2 s^-1", "etchant_flux": "150e15 cm^-2 s^-1",
        "polymer_flux": "5e15 cm^-2 s^-1", "ion_exponent": 100, "k_ie": 0}
QS = ("polymer", "Y:p", "theta_polymer", "v")


def _spec(**kw):
    from waferlab.feature.registry import get_model_spec
    from waferlab.recipe_io import validate_section
    return validate_section(get_model_spec("fluorocarbon"), {"model": "fluorocarbon", **FLUX, **kw})


def waferlab(h: float, dsi: float, dim: int = 2, rays: int = RAYS) -> dict:
    from waferlab.context import RunContext
    from waferlab.feature.flux.models import surface_of
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer
    feat = ({"type": "trench", "width": f"{W} nm"} if dim == 2 else
            {"type": "hole", "radius": f"{R3} nm"})
    data = {"name": "t", "seed": 1, "grid": {"dimension": dim, "spacing": f"{h} nm",
                                            "extent": [f"{EXT} nm"] * (dim - 1)},
            "structure": {"substrate": {"material": "SiO2", "thickness": "200 nm"},
                          "layers": [{"material": "Mask", "thickness": f"{MASK} nm"}],
                          "feature": {**feat, "depth": f"{MASK + dsi} nm"}}, "steps": []}
    w = initial_wafer(recipe_from_dict(data))
    surf = surface_of(w.geometry)
    tr = _spec(rays_per_point=rays, coverage_iterations=8, lagged_coverages=False).build(
        kind="etch", materials=tuple(w.geometry.materials), target=None)
    er = tr.element_rates(surf, RunContext(seed=1, threads=2), ("probe",))
    xy = surf.centroids * 1e9
    xy[:, -1] -= xy[:, -1].max()
    for i in range(dim - 1):
        xy[:, i] -= 0.5 * (xy[:, i].min() + xy[:, i].max())
    fx = {k: np.asarray(er.fields[k]) for k in ("polymer", "Y:p")}
    return dict(x=xy[:, 0].tolist(), y=xy[:, -1].tolist(), v=(er.velocity * 1e9).tolist(),
                theta_polymer=er.coverages["theta_polymer"].tolist(),
                r=np.hypot(xy[:, 0], xy[:, 1] if dim == 3 else 0.0).tolist(),
                area=(np.asarray(surf.areas) * 1e18).tolist(),
                **{k: v.tolist() for k, v in fx.items()})


def viennaps(h: float, dsi: float, dim: int = 2, rays: int = RAYS) -> dict:
    import viennaps as ps

    from waferlab.validation.coverage_trench import viennaps_rules
    harness.peer_setup(ps, dim, "nm")
    d = ps.Domain(gridDelta=h, xExtent=EXT, yExtent=EXT)
    if dim == 2:
        ps.MakeTrench(domain=d, trenchWidth=W, trenchDepth=dsi, maskHeight=MASK,
                      material=ps.Material.SiO2).apply()
    else:
        ps.MakeHole(domain=d, holeRadius=R3, holeDepth=dsi, maskHeight=MASK,
                    material=ps.Material.SiO2).apply()
    d.duplicateTopLevelSet(ps.Material.Polymer)
    from bench_fluorocarbon import peer_parameters
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
    raw = {cd.getScalarDataLabel(i): np.asarray(cd.getScalarData(i)) for i in
           range(cd.getScalarDataSize())}
    xyz = np.asarray(mesh.getNodes())[:, :dim]
    xy = np.stack([xyz[:, 0], xyz[:, -1]], axis=1)
    xy[:, 1] -= xy[:, 1].max()
    model = _spec().build(kind="etch", materials=("SiO2", "Mask"), target=None).model
    mask = raw["MaterialIds"] == int(ps.Material.Mask)
    mats = np.where(mask, model.materials.index("Mask"), model.materials.index("SiO2"))
    f = {"etchant": raw["etchantFlux"], "polymer": raw["polyFlux"],
         "Y:p": raw["ionpeFlux"] * 0.0361 * 2, "Y:ie": raw["ionEnhancedFlux"] * 0.0361,
         "Y:sp": raw["ionSputterFlux"] * 0.0139}
    v0, c0 = model.element_speeds(f, mats)
    v, c = viennaps_rules(model, f, mats, v0, c0)
    return dict(x=xy[:, 0].tolist(), y=xy[:, 1].tolist(), v=(v * 1e9).tolist(),
                theta_polymer=c["theta_polymer"].tolist(),
                r=np.hypot(xyz[:, 0], xyz[:, 1] if dim == 3 else 0.0).tolist(),
                **{k: f[k].tolist() for k in ("polymer", "Y:p")})


def bands(dsi: float, dim: int = 2) -> list[tuple[str, str, float, float]]:
    D = MASK + dsi
    if dim == 3:
        out = [("mask wall 5–45 nm", "w", 5.0, 45.0)]
        if dsi > 0:
            out.append((f"SiO2 wall 55–{D - 10:g} nm", "w", 55.0, D - 10))
        return out + [("bottom r < 10 nm", "b", 0.0, 10.0), ("bottom r 10–20 nm", "b", 10.0, 20.0),
                      ("bottom r 20–26 nm", "b", 20.0, 26.0),
                      ("bottom corner r 26–30 nm", "b", 26.0, 30.0)]
    out = [("mask wall 2–48 nm", "w", 2.0, 48.0)]
    if dsi > 0:
        out.append((f"SiO2 wall 52–{D - 10:g} nm", "w", 52.0, D - 10))
    return out + [("bottom |x| < 20 nm", "b", 0.0, 20.0), ("bottom 20–26 nm", "b", 20.0, 26.0),
                  ("bottom corner 26–29 nm", "b", 26.0, 29.0)]


def band_of_points(d: dict, dsi: float, kind: str, a: float, b: float, dim: int = 2) -> dict:
    """Band means of a code's points: waferlab's elements weighted by their areas in 3D
    (marching-cubes triangles differ in size; the peer's disks are equal)."""
    x, y = np.asarray(d["x"]), np.asarray(d["y"])
    if dim == 3:
        r = np.asarray(d["r"])
        sel = (((r > R3 - 2.0) & (-y > a) & (-y < b)) if kind == "w" else
               ((np.abs(y + MASK + dsi) < 0.5) & (r >= a) & (r < (b + 0.5 if b >= R3 else b))))
        w = np.asarray(d["area"]) if "area" in d else np.ones(x.size)
        return {k: float(np.sum(np.asarray(d[k])[sel] * w[sel]) / np.sum(w[sel]))
                if sel.any() else float("nan") for k in QS}
    sel = (((np.abs(x) > 29.0) & (-y > a) & (-y < b)) if kind == "w" else
           ((np.abs(y + MASK + dsi) < 0.5) & (np.abs(x) >= a) & (np.abs(x) < b)))
    return {k: float(np.mean(np.asarray(d[k])[sel])) if sel.any() else float("nan") for k in QS}


def band_of_exact(r, kind: str, a: float, b: float) -> dict:
    vals = {"polymer": r.fields["polymer"], "Y:p": r.fields["Y:p"],
            "theta_polymer": r.theta["theta_polymer"], "v": r.speed * 1e9}
    f = r.wall_mean if kind == "w" else r.bottom_mean
    return {k: f(v, a * 1e-9, b * 1e-9) for k, v in vals.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("spacings", nargs="*", type=float)
    ap.add_argument("--depths", nargs="+", type=float, default=[0.0, 40.0])
    ap.add_argument("--dim", type=int, choices=(2, 3), default=2)
    ap.add_argument("--rays", type=int, nargs="+",
                    help="rays per point, one per spacing (default 1000 in 2D, 400 in 3D)")
    ap.add_argument("--child", nargs=6, help=argparse.SUPPRESS)  # code h dsi dim rays out
    a = ap.parse_args()
    if a.child:
        code, h, dsi, dim, rays, out = a.child
        c0 = time.process_time()
        d = (waferlab if code == "waferlab" else viennaps)(float(h), float(dsi), int(dim),
                                                           int(rays))
        d["cpu"] = time.process_time() - c0
        json.dump(d, open(out, "w"))
        return
    dim = a.dim
    hs = a.spacings or ([4.0, 2.0] if dim == 2 else [5.0, 2.5])
    rays = a.rays or [RAYS if dim == 2 else 400] * len(hs)
    rays = (list(rays) * len(hs))[:len(hs)]
    load0 = os.getloadavg()[0]
    model = _spec().build(kind="etch", materials=("SiO2", "Mask"), target=None).model
    if dim == 2:
        from waferlab.validation.coverage_trench import coverage_trench

        def exact(dsi, r):
            return coverage_trench(model, W * 1e-9, (MASK + dsi) * 1e-9, MASK * 1e-9, rules=r)
    else:
        from waferlab.validation.fluorocarbon_hole import fluorocarbon_hole

        def exact(dsi, r):
            return fluorocarbon_hole(model, R3 * 1e-9, (MASK + dsi) * 1e-9, MASK * 1e-9,
                                     rules=r)
    rows = []
    tmp = tempfile.mkdtemp()
    for dsi in a.depths:
        c0 = time.process_time()
        ex = {r: exact(dsi, r) for r in ("model", "viennaps")}
        cpu_exact = time.process_time() - c0
        runs = {}
        for h, nr in zip(hs, rays):
            for code in ("waferlab", "ViennaPS 4.7"):
                out = os.path.join(tmp, f"{code[0]}_{h:g}_{dsi:g}.json")
                subprocess.run([sys.executable, __file__, "--child",
                                "waferlab" if code == "waferlab" else "viennaps", str(h),
                                str(dsi), str(dim), str(nr), out], check=True)
                runs[(code, h, nr)] = json.load(open(out))
        for label, kind, lo, hi in bands(dsi, dim):
            def row(name, vals, dsi=dsi, label=label):
                return (f"| {dsi:g} | {label} | {name} | " + " | ".join(
                    f"{vals[k]:.4g}" for k in QS) + " |")
            for r in ("model", "viennaps"):
                rows.append(row(f"exact, {r} balances", band_of_exact(ex[r], kind, lo, hi)))
            for (code, h, nr), d in runs.items():
                rows.append(row(f"{code}, h {h:g} nm, {nr} rays",
                                band_of_points(d, dsi, kind, lo, hi, dim)))
        rows.append(f"| {dsi:g} | (CPU: exact {cpu_exact:.0f} s; " + ", ".join(
            f"{c} h {h:g} {d['cpu']:.1f} s" for (c, h, _), d in runs.items())
            + ") | | | | | |")
        print("\n".join(rows[-24:]), flush=True)
    load1 = os.getloadavg()[0]
    what = ("The trench of bench_fluorocarbon.py (60 nm, 50 nm mask over SiO2" if dim == 2 else
            "The hole of bench_fluorocarbon.py --dim 3 (r 30 nm, 50 nm mask over SiO2")
    ref = "`validation.coverage_trench`" if dim == 2 else "`validation.fluorocarbon_hole`"
    text = [f"# fluorocarbon {dim}D {'trench' if dim == 2 else 'hole'}, frozen: per-element "
            "fields against the exact reference (issue #17)", "",
            f"`python bench/bench_fluorocarbon_frozen.py{' --dim 3' if dim == 3 else ''} "
            f"{' '.join(f'{h:g}' for h in hs)}"
            + (f" --rays {' '.join(str(n) for n in rays)}" if a.rays else "") + "`. "
            f"{what}, Γ_i/Γ_e/Γ_p = 56/150/5 ×10¹⁵ cm⁻²s⁻¹, 100 ± 10 eV, n = 100, k_ie = 0) "
            "frozen with straight walls D_si below the mask; band means of the relative "
            "polymer-neutral flux q_p, the polymer yield flux Y_p (per source ion), θ_p and "
            "the speed V (nm/s, < 0 etches).  "
            f"Exact: {ref} with the published balances (waferlab's) or "
            "ViennaPS 4.7's (ion terms without the yield factors A, θ_p = 1 without ions, "
            "F balance on masks); waferlab: `element_rates` (8 coverage passes"
            + ("; 3D band means weighted by element area" if dim == 3 else "") + "); "
            "ViennaPS: `calculateFlux` (its tallies times the A it leaves out and its "
            "balances).  Each code in its own process.", "",
            "| D_si (nm) | band | source | q_p | Y_p | θ_p | V (nm/s) |",
            "|---|---|---|---|---|---|---|", *rows, "",
            f"Load average {load0:.1f} → {load1:.1f}."]
    out = harness.RESULTS / ("fluorocarbon_frozen.md" if dim == 2 else "fluorocarbon_frozen3d.md")
    harness.write_text(out, "\n".join(text))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
