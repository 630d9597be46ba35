"""Fluorocarbon 2D trench, 30 s: is the closing slot's excess speed the ion tracing or the
level set?  (issue #17, the 2D depth; session 16)

The fan reference's final profile (a JSON {"poly": [[x, y] nm ...]} written by
bench_fluorocarbon_fans.py's child, ``validation.front_fans.evolve_fans``) frozen, and its
exact fields (``coverage_profile``, re-sampled at 1 nm, 2e6 ions; cached beside the JSON by
bench_fluorocarbon_fanfrozen.py).  waferlab's ``element_rates`` (1000 rays/point, coverages
iterated 8 times, ``field_smoothing_h`` 0) on

  (a) the exact polyline itself, as a ``Surface`` (the same 1 nm elements, the mask top
      added outside the mouth), and
  (b) the surface extracted from a level set built from it at each h.

Printed per band of height above the exact tip, length-weighted: waferlab / exact − 1 (%)
of V, the etchant flux, the three ion yield fluxes and θ_p; then (b)'s elements in the
last 25 nm (x, y, normal, length, Y_ie, V).  If (a) is exact and (b) is not, the ion
tracer and the yields are right and the error is the level set's shape of the slot.

Run: python bench/bench_fluorocarbon_slot.py PROFILE.json [h ...]   (default h: 2 1)
"""
from __future__ import annotations

import harness

harness.configure(threads=1)

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

BANDS = ((0, 2.5), (2.5, 5), (5, 10), (10, 20), (20, 40), (40, 70), (70, 110))  # nm above the tip
NAMES = ("speed", "etchant", "Y:ie", "Y:sp", "Y:p", "theta_polymer")
RAYS = 1000


def _tracer(g):
    import bench_fluorocarbon_profile as bp
    return bp._spec(rays_per_point=RAYS, coverage_iterations=8, lagged_coverages=False,
                    field_smoothing_h=0.0).build(kind="etch", materials=tuple(g.materials),
                                                 target=None)


def _rates(surf, g) -> dict:
    from waferlab.context import RunContext
    c0 = time.process_time()
    er = _tracer(g).element_rates(surf, RunContext(seed=1, threads=1), ("probe",))
    c = surf.centroids * 1e9
    return dict(x=c[:, 0], y=c[:, 1], nx=surf.normals[:, 0], ny=surf.normals[:, 1],
                speed=er.velocity * 1e9, length=np.asarray(surf.areas) * 1e9,
                theta_polymer=np.asarray(er.coverages["theta_polymer"]),
                cpu=time.process_time() - c0,
                **{k: np.asarray(er.fields[k]) for k in ("etchant", "Y:ie", "Y:sp", "Y:p")})


def on_polyline(Q: np.ndarray, h: float) -> dict:
    """(a): waferlab's tracer on the polyline ``Q`` (nm) as a Surface."""
    import bench_fluorocarbon_profile as bp
    from waferlab.feature.flux.models import surface_of
    from waferlab.feature.surface import Surface
    _, w = bp._wafer(h)
    g = w.geometry
    ref = surface_of(g)
    half = 0.5 * (ref.lateral_bounds[0][1] - ref.lateral_bounds[0][0]) * 1e9
    pts = np.vstack([[[-half, bp.MASK], [Q[0, 0], bp.MASK]], Q,
                     [[Q[-1, 0], bp.MASK], [half, bp.MASK]]]) * 1e-9
    el = np.stack([np.arange(len(pts) - 1), np.arange(1, len(pts))], 1)
    t = pts[el[:, 1]] - pts[el[:, 0]]
    t /= np.linalg.norm(t, axis=1)[:, None]
    cen = 0.5 * (pts[el[:, 0]] + pts[el[:, 1]])
    mats = tuple(g.materials)
    m = np.where(cen[:, 1] > 0.0, mats.index("Mask"), mats.index("SiO2")).astype(np.int32)
    surf = Surface(points=pts, elements=el, normals=np.stack([-t[:, 1], t[:, 0]], 1),
                   materials=m, material_names=ref.material_names,
                   lateral_bounds=ref.lateral_bounds, boundary=ref.boundary,
                   spacing=h * 1e-9)
    return _rates(surf, g)


def on_level_set(P: np.ndarray, h: float) -> dict:
    """(b): waferlab's tracer on the surface of a level set built from ``P`` (nm) at h."""
    import bench_fluorocarbon_profile as bp
    from waferlab.feature.builders import _polygon_sdf
    from waferlab.feature.flux.models import surface_of
    _, w = bp._wafer(h)
    g = w.geometry
    g = g.with_window(min(g.z_range[0], (P[:, 1].min() - 40.0) * 1e-9), g.z_range[1])
    X, Z = np.meshgrid(g.grid.lateral_coords(0) * 1e9, g.z_coords * 1e9, indexing="ij")
    vac = np.vstack([[P[0, 0], 1e3], P, [P[-1, 0], 1e3]])
    top_mask = np.maximum(-_polygon_sdf(X, Z, vac), Z - bp.MASK)
    g = g.replace(phi=np.stack([np.maximum(top_mask, Z), top_mask]) * 1e-9)
    return _rates(surface_of(g), g)


def main() -> None:
    from waferlab.validation.coverage_profile import resample
    src = sys.argv[1]
    hs = [float(x) for x in sys.argv[2:]] or [2.0, 1.0]
    P = np.asarray(json.load(open(src))["poly"])
    Q = resample(P * 1e-9, 1e-9) / 1e-9
    cen = 0.5 * (Q[:-1] + Q[1:])
    cache = src + ".exactfields.npz"
    if not os.path.exists(cache):
        raise SystemExit(f"{cache}: run bench_fluorocarbon_fanfrozen.py on {src} first")
    z = dict(np.load(cache))
    ymin = Q[:, 1].min()

    def bands(y, v, w):
        return [float(np.sum(v[m] * w[m]) / np.sum(w[m]))
                for m in [(y - ymin >= lo) & (y - ymin < hi) for lo, hi in BANDS]]
    ex = {k: bands(cen[:, 1], z[k] * (1e9 if k == "speed" else 1.0), z["length"] * 1e9)
          for k in NAMES}
    print("exact, per band (" + ", ".join(f"{lo}–{hi}" for lo, hi in BANDS) + " nm): " +
          "; ".join(f"{k} " + " / ".join(f"{x:.4g}" for x in v) for k, v in ex.items()))
    runs = [("(a) the exact polyline, 1 nm elements", on_polyline(Q, 2.0))]
    runs += [(f"(b) level set at h {h:g} nm", on_level_set(P, h)) for h in hs]
    for label, d in runs:
        print(f"\n{label} ({d['cpu']:.1f} s CPU): waferlab / exact − 1 (%)\n")
        print("| nm above the tip | " + " | ".join(NAMES) + " |")
        print("|---" * (len(NAMES) + 1) + "|")
        wl = {k: bands(d["y"], d[k], d["length"]) for k in NAMES}
        for i, (lo, hi) in enumerate(BANDS):
            print(f"| {lo}–{hi} | " + " | ".join(
                f"{100 * (wl[k][i] / ex[k][i] - 1):+.1f}" for k in NAMES) + " |")
        if label.startswith("(b)"):
            sel = (d["y"] < ymin + 25) & (np.abs(d["x"]) < 15)
            print("\nelements in the last 25 nm: x, y − y_tip, n_x, n_y, length (nm), Y_ie, V (nm/s)")
            for i in np.flatnonzero(sel)[np.argsort(d["x"][sel] + 1e3 * (d["x"][sel] > 0.5))]:
                print(f"  {d['x'][i]:7.2f} {d['y'][i] - ymin:6.2f} {d['nx'][i]:+.3f} {d['ny'][i]:+.3f} "
                      f"{d['length'][i]:5.2f} {d['Y:ie'][i]:.4f} {d['speed'][i]:+.3f}")
    print(f"\nload {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
