"""Fluorocarbon 2D trench, 30 s (issue #17): the exact fan reference's own convergence in
its node spacing, waferlab's depth and CD against it, the CPU beside ViennaPS, and the
flat-surface selectivity / etch-stop numbers of the current code (session 17).

The contact of bench_fluorocarbon.py (60 nm trench in a 50 nm mask over SiO2,
Γ_i/Γ_e/Γ_p 56/150/5 ×10¹⁵ cm⁻²s⁻¹, 100 ± 10 eV, n = 100, k_ie = 0, 300 rays/point,
30 s).  Parts:

1. the references ``fans_model_<s>_30_200000_0.25.json`` (written by
   bench_fluorocarbon_fans.py's child, ``validation.front_fans.evolve_fans``) at node
   spacings s = 4 / 2 / 1 nm: depth below the mask and width at half depth; Richardson
   extrapolation with the observed order p = log2((f₄ − f₂)/(f₂ − f₁)), limit
   f₁ + (f₁ − f₂)/(2ᵖ − 1), when the three differences have one sign (else: not in the
   asymptotic range, said so).  A reference still running can be read from its log
   (``--partial LOG``: the child's "t … s depth … nm" lines against the finished tracks
   at the same t).
2. waferlab (its defaults: scheme eo, field_smoothing_h max(h/2, 1 nm)) and ViennaPS
   4.7 (its balances; the same launch, every run its own process, 2 threads each, the
   etch timed inside it): depth and CD as bench_fluorocarbon.py measures them (the
   extent of the surface points within 0.75 h of half depth), and waferlab's top-surface
   contour measured as the reference (the first crossing of each level from the mouth,
   ``bench_fluorocarbon_evolve.half_widths``): its width at its own half depth and at
   the reference's half depth (the shape, without the level shift that a depth error
   makes on a tapering wall).
3. the flat-surface table (``atomic.fluorocarbon``, the paper's defaults): the etch-stop
   energy E* (θ_p = 1) and the speeds of SiO2, Si and Si3N4 around it.

Run: python bench/bench_fluorocarbon_ref.py --refs DIR [--h 4 2 1] [--peer-h 4 2]
     [--partial LOG] [--out fcref_s17.md]
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402

SPACINGS = (4.0, 2.0, 1.0)
REF = "fans_model_{:g}_30_200000_0.25.json"
LEVELS = (25, 50, 75, 100, 125, 150, 175)         # nm below the mask, the width profile


def richardson(f: list[float]) -> tuple[float, float] | None:
    """(observed order p, limit) from values at spacings 4, 2, 1 (ratio 2), or None when
    the differences change sign (not in the asymptotic range)."""
    d1, d2 = f[0] - f[1], f[1] - f[2]
    if d1 == 0 or d2 == 0 or (d1 > 0) != (d2 > 0) or abs(d2) >= abs(d1):
        return None
    p = math.log2(d1 / d2)
    return p, f[2] + (f[2] - f[1]) / (2 ** p - 1)


def widths(P: np.ndarray, depth_ref: float | None = None) -> dict:
    """Depth, width at own half depth, at ``depth_ref``/2 and at LEVELS of polyline P (nm)."""
    from bench_fluorocarbon_evolve import half_widths
    d, hw, cd = half_widths(P, LEVELS)
    out = dict(depth=d, cd=cd, levels=[2 * x for x in hw])
    if depth_ref is not None:
        out["cd_at_ref"] = 2 * half_widths(P, (0.5 * depth_ref,))[1][0]
    return out


def child_waferlab(h: float, out: str) -> None:
    """waferlab's etch (defaults) at h, timed; writes the bench measure and the contour."""
    from bench_fluorocarbon import MASK, recipe
    from bench_fluorocarbon_profile import clip_profile
    from waferlab.context import RunContext
    from waferlab.feature.extract import contours_2d, extract_surface
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer

    def run():
        r = recipe_from_dict(recipe(2, h, 0.0, 30.0, 300))
        w = initial_wafer(r)
        ctx = RunContext(seed=1, threads=2)
        for st in r.steps:
            w = st.apply(w, ctx)
        return w
    w, wall, cpu = harness.timed(run)
    g = w.geometry
    d, cd = harness.trench_depth_width(extract_surface(g).centroids * 1e9, 60.0, h)
    poly = clip_profile(max(contours_2d(g.top, g), key=len) * 1e9, MASK - 0.5)
    json.dump(dict(depth=d, cd=cd, wall=wall, cpu=cpu, poly=poly.tolist()), open(out, "w"))


def child_peer(h: float, out: str) -> None:
    from bench_fluorocarbon import run_viennaps
    (d, cd, _), wall, cpu = harness.timed(run_viennaps, 2, h, 0.0, 30.0, 300)
    json.dump(dict(depth=d, cd=cd, wall=wall, cpu=cpu), open(out, "w"))


def spawn(code: str, h: float, path: str) -> dict:
    subprocess.run([sys.executable, __file__, "--child", code, str(h), path], check=True)
    return json.load(open(path))


def partial_track(log: str) -> list[tuple[float, float]]:
    pat = re.compile(r"t ([0-9.]+) s depth ([0-9.]+) nm")
    return [(float(m.group(1)), float(m.group(2))) for m in map(pat.search, open(log)) if m]


def flat_table() -> list[str]:
    """E* and the flat speeds (nm/s, < 0 etches) of SiO2 / Si / Si3N4 (paper defaults)."""
    from scipy.optimize import brentq

    from waferlab.atomic.fluorocarbon import (DEFAULT_MATERIALS, FluorocarbonKinetics,
                                              flat_yields, fluorocarbon_rates)
    kin = FluorocarbonKinetics()

    def v(m: str, E: float) -> tuple[float, float]:
        mat = DEFAULT_MATERIALS[m]
        ysp, yie, yp = flat_yields(kin, mat, [E], [1.0])
        s, _te, tp, _ = fluorocarbon_rates(kin, mat, "etched", etchant=1.0, polymer=1.0,
                                           Y_sp=ysp, Y_ie=yie, Y_p=yp)
        return float(s) * 1e9, float(tp)
    E_star = brentq(lambda e: v("SiO2", e)[1] - 1.0, 10.0, 500.0, xtol=1e-10)
    rows = ["| ion energy (eV) | θ_p | SiO2 (nm/s) | Si (nm/s) | Si3N4 (nm/s) | SiO2/Si | "
            "SiO2/Si3N4 |", "|---|---|---|---|---|---|---|"]
    for E in (40.0, 60.0, 70.0, E_star - 0.5, E_star + 0.5, 80.0, 100.0, 150.0, 300.0):
        s, tp = v("SiO2", E)
        si, n = v("Si", E)[0], v("Si3N4", E)[0]
        sel = (f"{s / si:.3f} | {s / n:.3f}" if s < 0 else "— (all grow polymer) | —")
        rows.append(f"| {E:.2f} | {tp:.3f} | {s:+.3f} | {si:+.3f} | {n:+.3f} | {sel} |")
    return [f"Etch stop (θ_p = 1 on flat SiO2, root of the model's θ_p): **E\\* = "
            f"{E_star:.2f} eV** (closed form `validation.fluorocarbon.etch_stop_energy`: "
            f"{_closed():.2f} eV).", "", *rows]


def _closed() -> float:
    from waferlab.validation.fluorocarbon import etch_stop_energy
    return etch_stop_energy()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--refs", help="directory of the reference JSON files")
    ap.add_argument("--h", type=float, nargs="*", default=[4.0, 2.0, 1.0])
    ap.add_argument("--peer-h", type=float, nargs="*", default=[4.0, 2.0])
    ap.add_argument("--partial", help="log of a reference still running (1 nm)")
    ap.add_argument("--runs", help="directory for the runs' JSON (reused when present)")
    ap.add_argument("--out", default="fcref_s17.md")
    ap.add_argument("--note", default="", help="a line on the launch of reused runs")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        (child_waferlab if a.child[0] == "waferlab" else child_peer)(float(a.child[1]),
                                                                     a.child[2])
        return
    if not a.refs:
        ap.error("--refs is required")
    load0 = os.getloadavg()[0]
    refs = {s: np.asarray(json.load(open(p))["poly"]) for s in SPACINGS
            if os.path.exists(p := os.path.join(a.refs, REF.format(s)))}
    tracks = {s: json.load(open(os.path.join(a.refs, REF.format(s))))["track"] for s in refs}
    cpus = {s: json.load(open(os.path.join(a.refs, REF.format(s))))["cpu"] for s in refs}
    rw = {s: widths(P) for s, P in refs.items()}
    text = ["# fluorocarbon 2D: the converged fan reference and waferlab against it "
            "(issue #17, session 17)", "",
            f"`python bench/bench_fluorocarbon_ref.py --refs DIR --h "
            f"{' '.join(f'{h:g}' for h in a.h)} --peer-h {' '.join(f'{h:g}' for h in a.peer_h)}"
            + (" --partial LOG" if a.partial else "") + "`.  The contact of "
            "bench_fluorocarbon.py, k_ie = 0, 30 s.", "",
            "## 1. The reference in its node spacing", "",
            "`validation.front_fans.evolve_fans`, published balances, 2e5 ions per step, "
            "fan facets 0.25 × spacing, ≤ spacing/2 per step.  Widths (nm) at depths below "
            "the mask's bottom edge.", "",
            "| spacing (nm) | depth | width at ½ depth | "
            + " | ".join(f"w@{lv}" for lv in LEVELS) + " | CPU (s) |",
            "|---|---|---|" + "---|" * len(LEVELS) + "---|"]
    for s in refs:
        r = rw[s]
        text.append(f"| {s:g} | {r['depth']:.2f} | {r['cd']:.2f} | "
                    + " | ".join(f"{x:.1f}" for x in r["levels"]) + f" | {cpus[s]:.0f} |")
    best = min(refs)
    lim = {}
    if len(refs) == 3:
        text.append("")
        for k, name in (("depth", "depth"), ("cd", "width at ½ depth")):
            rr = richardson([rw[s][k] for s in SPACINGS])
            if rr is None:
                text.append(f"- {name}: differences {rw[4.0][k] - rw[2.0][k]:+.2f} / "
                            f"{rw[2.0][k] - rw[1.0][k]:+.2f} nm (4→2, 2→1): not monotone "
                            "converging, no Richardson limit.")
            else:
                p, L = rr
                lim[k] = L
                text.append(f"- {name}: differences {rw[4.0][k] - rw[2.0][k]:+.2f} / "
                            f"{rw[2.0][k] - rw[1.0][k]:+.2f} nm, observed order p = {p:.2f}, "
                            f"Richardson limit **{L:.2f} nm** (1 nm − limit "
                            f"{rw[1.0][k] - L:+.2f} nm).")
    if a.partial:
        tr = partial_track(a.partial)
        text += ["", f"The 1 nm reference still running (its log, last t = {tr[-1][0]:.2f} s): "
                 "depth (nm) against t beside the finished tracks.", "",
                 "| t (s) | 1 nm | " + " | ".join(f"{s:g} nm" for s in refs) + " |",
                 "|---|---|" + "---|" * len(refs)]
        sel = tr[::max(1, len(tr) // 12)]
        for t, d in sel + ([tr[-1]] if sel[-1] != tr[-1] else []):
            others = [float(np.interp(t, *np.asarray(tracks[s]).T)) for s in refs]
            text.append(f"| {t:.2f} | {d:.2f} | " + " | ".join(f"{x:.2f}" for x in others)
                        + " |")
    ref_d, ref_cd = rw[best]["depth"], rw[best]["cd"]
    rd = lim.get("depth", ref_d)
    text += ["", f"## 2. waferlab against the reference ({best:g} nm: depth {ref_d:.2f}, "
             f"width {ref_cd:.2f} nm" + (f"; Richardson depth {lim['depth']:.2f} nm"
                                         if "depth" in lim else "") + ") and ViennaPS", "",
             "Each run its own process, one launch, waferlab then the peer per h; CPU = "
             "process time of the etch, 2 threads each.", "",
             "| h (nm) | code | depth | vs ref | CD (bench) | vs ref (h) | CD (contour) | "
             "vs ref (h) | width at ref's ½ depth | vs ref (h) | CPU (s) | wall (s) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    runs = a.runs or os.path.join(a.refs, "runs")
    os.makedirs(runs, exist_ok=True)
    res = {}
    for h in a.h:
        for code in ("waferlab", "ViennaPS") if h in a.peer_h else ("waferlab",):
            path = os.path.join(runs, f"{code}_{h:g}.json")
            res[(h, code)] = d = (json.load(open(path)) if os.path.exists(path)
                                  else spawn(code, h, path))
            if code == "waferlab":
                wl = widths(np.asarray(d["poly"]), ref_d)
                text.append(
                    f"| {h:g} | waferlab | {d['depth']:.2f} | {100 * (d['depth'] / ref_d - 1):+.2f} %"
                    + (f" ({100 * (d['depth'] / rd - 1):+.2f} % vs limit)" if "depth" in lim else "")
                    + f" | {d['cd']:.2f} | {(d['cd'] - ref_cd) / h:+.2f} | {wl['cd']:.2f} | "
                    f"{(wl['cd'] - ref_cd) / h:+.2f} | {wl['cd_at_ref']:.2f} | "
                    f"{(wl['cd_at_ref'] - ref_cd) / h:+.2f} | {d['cpu']:.1f} | {d['wall']:.1f} |")
                res[(h, "levels")] = wl["levels"]
            else:
                text.append(f"| {h:g} | ViennaPS 4.7 (its balances) | {d['depth']:.2f} | "
                            f"{100 * (d['depth'] / ref_d - 1):+.2f} % | {d['cd']:.2f} | — | — | "
                            f"— | — | — | {d['cpu']:.1f} | {d['wall']:.1f} |")
            print(text[-1], flush=True)
    text += ["", "CPU ratio waferlab / ViennaPS (same launch): " + ", ".join(
        f"h {h:g} nm **{res[(h, 'waferlab')]['cpu'] / res[(h, 'ViennaPS')]['cpu']:.2f}**"
        for h in a.h if (h, "ViennaPS") in res) + ".", *([a.note] if a.note else []), "",
        "waferlab's width profile (nm) against the reference's:", "",
        "| | " + " | ".join(f"w@{lv}" for lv in LEVELS) + " |", "|---|" + "---|" * len(LEVELS)]
    for s in refs:
        text.append(f"| reference {s:g} nm | " + " | ".join(f"{x:.1f}" for x in rw[s]["levels"])
                    + " |")
    for h in a.h:
        text.append(f"| waferlab h {h:g} nm | "
                    + " | ".join(f"{x:.1f}" for x in res[(h, "levels")]) + " |")
    text += ["", "## 3. Flat surface: selectivity and the etch stop (current code)", "",
             *flat_table(), "", f"Load average {load0:.1f} → {os.getloadavg()[0]:.1f} "
             "(2 shared cores)."]
    out = harness.write_text(harness.RESULTS / a.out, "\n".join(text))
    print("\n".join(text))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
