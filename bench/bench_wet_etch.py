"""Anisotropic wet etching of (100) Si through a mask slot: waferlab ``wet_anisotropic``
side by side with ViennaPS ``WetEtching``, and against the exact profile.

Same parameters in both codes: 30 % KOH at 70 °C rates R100/R110/R111/R311 = 0.797 /
1.455 / 0.005 / 1.436 µm/min (the peer's defaults, Sato et al., Sens. Actuators A
64, 87, 1998), wafer (100), x along <011> (the peer's 2D default frame; in 3D its
default (1 1 0)/√2, (−1 1 0)/√2 frame, the same crystal up to symmetry), a 0.4 µm mask
with a 4 µm slot (edges along <110>), 2 min, reflective boundaries, 2 threads (the mask
is 4 spacings thick at the coarsest grid: a thinner one loses its lower edge, see
docs/etch-models.md).
waferlab: its default scheme for this model (first-order local Lax–Friedrichs with the
crystal Hamiltonian of the current gradient, forward Euler, fused steps), cfl 0.5;
ViennaPS: Stencil Local Lax–Friedrichs 1st order (its wet-etching scheme), time-step
ratio 0.4999 (its default).  Each code runs once per case to warm up (numba cache
loading; reported separately), then ``REPEATS`` interleaved rounds; medians.

Exact profile (slowest-plane rule for a cavity; Wulff–Jaccodine): depth R100·t, the
sidewall the {111} plane through the mask edge at atan √2 = 54.7356°, moved by R111·t
along its normal (lateral undercut R111·t / sin 54.7356°).

Run: python bench/bench_wet_etch.py [2d|3d|all] [scheme]   (scheme: eo, weno5; default: the model's)
Writes bench/results/wet_etch.md (stamped with the commit).
"""
from __future__ import annotations

import harness
import math
import sys

harness.configure(threads=2)

import numpy as np  # noqa: E402

OUT = harness.RESULTS / "wet_etch.md"
REPEATS = 3
SCHEME: list[str | None] = [None]
RATES = {"100": 0.797, "110": 1.455, "111": 0.005, "311": 1.436}     # µm/min
WIDTH, MASK, EXTENT, TIME = 4.0, 0.4, 8.0, 2.0                      # µm, µm, µm, min
ANGLE = math.degrees(math.atan(math.sqrt(2.0)))


def exact() -> dict:
    depth = RATES["100"] * TIME
    shift = RATES["111"] * TIME / math.sin(math.radians(ANGLE))
    cd = WIDTH - 2 * (0.5 * depth) / math.sqrt(2.0) + 2 * shift
    return {"depth": depth, "cd": cd, "angle": ANGLE}


def measure(xz: np.ndarray, h: float) -> dict:
    """Depth below the Si top (z = 0) at the centre, width at half depth, sidewall angle
    (line fit of the right wall between 20 % and 80 % of the depth), µm and degrees."""
    x, z = xz[:, 0], xz[:, -1]
    depth = -float(z[np.abs(x) < 0.1 * WIDTH].min())
    out = {"depth": depth}
    half = -0.5 * depth
    for name, sel in (("cd", np.abs(z - half) < 0.6 * h),):
        xr, xl = x[sel & (x > 0)], x[sel & (x < 0)]
        out[name] = float(np.mean(xr) - np.mean(xl)) if xr.size and xl.size else float("nan")
    w = (x > 0) & (z < -0.2 * depth) & (z > -0.8 * depth)
    a, _ = np.polyfit(z[w], x[w], 1)
    out["angle"] = math.degrees(math.atan(1.0 / abs(a)))
    return out


def run_waferlab(case: tuple[int, float]) -> dict:
    from waferlab.context import RunContext
    from waferlab.feature.extract import extract_surface
    from waferlab.recipe import recipe_from_dict

    dim, h = case
    ext = [f"{EXTENT} um"]
    data = {"name": "wet", "seed": 1,
            "grid": {"dimension": 2, "spacing": f"{h} um", "extent": ext},
            "structure": {"substrate": {"material": "Si"},
                          "layers": [{"material": "Mask", "thickness": f"{MASK} um"}],
                          "feature": {"type": "trench", "width": f"{WIDTH} um",
                                      "depth": f"{MASK} um"}},
            "steps": [{"etch": {"model": "wet_anisotropic",
                                "rates": {k: f"{v} um/min" for k, v in RATES.items()},
                                "wafer_orientation": "100", "x_direction": "011",
                                "cfl": 0.5, "time": f"{TIME} min",
                                **({"scheme": SCHEME[0]} if SCHEME[0] else {})}}]}
    r = recipe_from_dict(data)
    ctx = RunContext(seed=1, threads=2)
    w = harness.extruded_wafer(r, dim, 2 * h * 1e-6)
    for st in r.steps:
        w = st.apply(w, ctx)
    s = extract_surface(w.geometry)
    return measure(s.centroids * 1e6, h)


def run_viennaps(case: tuple[int, float]) -> dict:
    import viennaps as ps

    dim, h = case
    ps.setDimension(dim)
    ps.setNumThreads(2)
    ps.Logger.setLogLevel(ps.LogLevel.ERROR)
    d = ps.Domain(gridDelta=h, xExtent=EXTENT, yExtent=2 * h if dim == 3 else EXTENT)
    ps.MakeTrench(domain=d, trenchWidth=WIDTH, trenchDepth=0.0, maskHeight=MASK).apply()
    if dim == 2:
        d100, d010 = [0.0, 1.0, 0.0], [1.0, 0.0, -1.0]
    else:
        d100, d010 = [0.707106781187, 0.707106781187, 0.0], [-0.707106781187, 0.707106781187, 0.0]
    model = ps.WetEtching(direction100=d100, direction010=d010, rate100=RATES["100"],
                          rate110=RATES["110"], rate111=RATES["111"], rate311=RATES["311"],
                          materialRates=[(ps.Material.Si, -1.0)])
    proc = ps.Process(d, model)
    proc.setProcessDuration(TIME)
    ap = ps.AdvectionParameters()
    ap.spatialScheme = ps.SpatialScheme.STENCIL_LOCAL_LAX_FRIEDRICHS_1ST_ORDER
    proc.setParameters(ap)
    proc.apply()
    nodes = np.asarray(d.getSurfaceMesh().getNodes())
    return measure(nodes[:, [0, dim - 1]], h)


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    SCHEME[0] = sys.argv[2] if len(sys.argv) > 2 else None
    cases = [(2, 0.05), (2, 0.025), (3, 0.1)]
    if which == "2d":
        cases = cases[:2]
    elif which == "3d":
        cases = cases[2:]
    ex = exact()
    names = ("waferlab", "ViennaPS 4.7")
    res = harness.interleaved(cases, dict(zip(names, (run_waferlab, run_viennaps))),
                              repeats=REPEATS)
    rows, notes = [], []
    for dim, h in cases:
        for name in names:
            r = res[((dim, h), name)]
            m = r.result
            rows.append(f"| {dim}D | {h:g} | {name} | {m['depth']:.4f} | {m['cd']:.4f} | "
                        f"{m['angle']:.2f} | {r.wall:.2f} | {r.cpu:.2f} | {r.load:.1f} | "
                        f"{r.first_wall:.1f} / {r.first_cpu:.1f} |")
        ra, rb = res[((dim, h), names[0])], res[((dim, h), names[1])]
        a, b = ra.result, rb.result
        notes.append(f"{dim}D h = {h:g} µm: waferlab vs exact: depth "
                     f"{100 * (a['depth'] / ex['depth'] - 1):+.2f} %, CD "
                     f"{(a['cd'] - ex['cd']) / h:+.2f} h, angle {a['angle'] - ex['angle']:+.2f}°; "
                     f"ViennaPS vs exact: depth {100 * (b['depth'] / ex['depth'] - 1):+.2f} %, "
                     f"CD {(b['cd'] - ex['cd']) / h:+.2f} h, angle {b['angle'] - ex['angle']:+.2f}°; "
                     f"waferlab vs ViennaPS: depth {100 * (a['depth'] / b['depth'] - 1):+.2f} %, "
                     f"CD {(a['cd'] - b['cd']) / h:+.2f} h; wall-time ratio "
                     f"{ra.wall / rb.wall:.2f} (CPU {ra.cpu / rb.cpu:.2f}).")
    scheme = SCHEME[0] or "the model's default (eo, fused first-order steps)"
    text = ["## Wet etching, (100) Si through a mask slot (waferlab vs ViennaPS vs exact)", "",
            "KOH rates R100/R110/R111/R311 = " + "/".join(f"{v}" for v in RATES.values())
            + f" µm/min, slot {WIDTH} µm in a {MASK} µm mask, {TIME:g} min, 2 threads, one "
            f"launch, waferlab scheme {scheme}. Exact: depth {ex['depth']:.4f} µm, CD at half "
            f"depth {ex['cd']:.4f} µm, sidewall {ex['angle']:.2f}°. The 3D case is the slot "
            f"extruded along y (two spacings, reflective). Wall and CPU (user + system of the "
            f"process, all threads): medians of {REPEATS} interleaved runs after one warm-up "
            "run per code and case (first: that run, with numba's cache loading); load: the "
            "1-min load average around the timed runs.", "",
            "| dim | h (µm) | code | depth (µm) | CD at half depth (µm) | sidewall (°) | "
            "wall (s) | CPU (s) | load | first wall / CPU (s) |",
            "|---|---|---|---|---|---|---|---|---|---|", *rows, "", *notes, ""]
    harness.write_text(OUT, "\n".join(text))
    print("\n".join(rows + notes))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
