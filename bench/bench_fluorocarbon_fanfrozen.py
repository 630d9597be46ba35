"""Fluorocarbon 2D trench, 30 s: waferlab's rates and fields against the exact ones on the
fan reference's own final profile, frozen, by height above its tip (issue #17, the 2D
depth).

The profile: a JSON {"poly": [[x, y] nm ...]} written by bench_fluorocarbon_fans.py's
child (``validation.front_fans.evolve_fans``).  Exact: ``coverage_profile`` on it,
re-sampled at 1 nm, 2e6 ions, published balances; waferlab: ``element_rates`` on a level
set built from the polyline at each h (as bench_fluorocarbon_profile.waferlab_on: 1000
rays/point, coverages iterated 8 times).  Printed per band of height above the deepest
point, length-weighted in both: waferlab / exact − 1 (%) of V, the neutral fluxes, the
three ion yield fluxes and θ_p.

Run: python bench/bench_fluorocarbon_fanfrozen.py PROFILE.json [h ...]   (default h: 2 1)
The exact fields and each waferlab run are cached beside PROFILE.json.
"""
from __future__ import annotations

import harness

harness.configure(threads=1)

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402

BANDS = ((0, 5), (5, 10), (10, 20), (20, 40), (40, 70), (70, 110))     # nm above the tip
KEYS = ("etchant", "polymer", "Y:ie", "Y:sp", "Y:p")


def waferlab_fields(P: np.ndarray, h: float, out: str) -> dict:
    """waferlab's per-element speed (nm/s), length (nm), fields and θ_p on a level set
    built from the polyline ``P`` (nm), cached in ``out``."""
    if os.path.exists(out):
        return json.load(open(out))
    import bench_fluorocarbon_profile as bp
    from waferlab.context import RunContext
    from waferlab.feature.builders import _polygon_sdf
    from waferlab.feature.flux.models import surface_of
    _, w = bp._wafer(h)
    g = w.geometry
    g = g.with_window(min(g.z_range[0], (P[:, 1].min() - 40.0) * 1e-9), g.z_range[1])
    X, Z = np.meshgrid(g.grid.lateral_coords(0) * 1e9, g.z_coords * 1e9, indexing="ij")
    vac = np.vstack([[P[0, 0], 1e3], P, [P[-1, 0], 1e3]])
    top_mask = np.maximum(-_polygon_sdf(X, Z, vac), Z - bp.MASK)
    g = g.replace(phi=np.stack([np.maximum(top_mask, Z), top_mask]) * 1e-9)
    surf = surface_of(g)
    tr = bp._spec(rays_per_point=bp.RAYS, coverage_iterations=8, lagged_coverages=False).build(
        kind="etch", materials=tuple(g.materials), target=None)
    er = tr.element_rates(surf, RunContext(seed=1, threads=1), ("probe",))
    d = dict(y=(surf.centroids[:, 1] * 1e9).tolist(), v=(er.velocity * 1e9).tolist(),
             length=(np.asarray(surf.areas) * 1e9).tolist(),
             theta_polymer=np.asarray(er.coverages["theta_polymer"]).tolist(),
             **{k: np.asarray(er.fields[k]).tolist() for k in KEYS})
    json.dump(d, open(out, "w"))
    return d


def main() -> None:
    from bench_fluorocarbon_frozen import _spec
    from waferlab.validation.coverage_profile import coverage_profile, resample
    src = sys.argv[1]
    hs = [float(x) for x in sys.argv[2:]] or [2.0, 1.0]
    P = np.asarray(json.load(open(src))["poly"])
    model = _spec().build(kind="etch", materials=("SiO2", "Mask"), target=None).model
    mi, si = model.materials.index("Mask"), model.materials.index("SiO2")
    Q = resample(P * 1e-9, 1e-9) / 1e-9
    cen = 0.5 * (Q[:-1] + Q[1:])
    cache = src + ".exactfields.npz"
    if os.path.exists(cache):
        z = dict(np.load(cache))
    else:
        r = coverage_profile(model, Q * 1e-9, np.where(cen[:, 1] > 0.0, mi, si),
                             n_ions=2_000_000)
        z = dict(speed=r.speed, length=r.length, theta_polymer=r.theta["theta_polymer"],
                 **{k: np.asarray(v) for k, v in r.fields.items()})
        np.savez(cache, **z)
    ymin = Q[:, 1].min()

    def bands(y, v, w):
        return [float(np.sum(v[m] * w[m]) / np.sum(w[m]))
                for m in [(y - ymin >= lo) & (y - ymin < hi) for lo, hi in BANDS]]
    names = ("speed",) + KEYS + ("theta_polymer",)
    ex = {k: bands(cen[:, 1], z[k] * (1e9 if k == "speed" else 1.0), z["length"] * 1e9)
          for k in names}
    print("exact, per band: " + "; ".join(
        f"{k} " + " / ".join(f"{x:.4g}" for x in v) for k, v in ex.items()))
    for h in hs:
        d = waferlab_fields(P, h, src + f".wlfields_{h:g}.json")
        y, w = np.asarray(d["y"]), np.asarray(d["length"])
        print(f"\nh {h:g} nm: waferlab / exact − 1 (%), length-weighted band means\n")
        print("| nm above the tip | V | etchant | polymer | Y_ie | Y_sp | Y_p | θ_p |")
        print("|---|---|---|---|---|---|---|---|")
        wl = {k: bands(y, np.asarray(d["v" if k == "speed" else k]), w) for k in names}
        for i, (lo, hi) in enumerate(BANDS):
            print(f"| {lo}–{hi} | " + " | ".join(
                f"{100 * (wl[k][i] / ex[k][i] - 1):+.1f}" for k in names) + " |")
    print(f"\nload {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
