"""Fluorocarbon 2D trench (issue #17, the CD at 1–2 nm): where and when waferlab's wall
departs from the exact fan reference, and which setting moves it (session 17).

The contact of bench_fluorocarbon.py (k_ie = 0) etched for ``T`` s by waferlab at h with
its defaults and with one setting changed (``--variant NAME:JSON``, keys of the etch step:
``cfl``, ``scheme``, ``coverage_iterations``/``lagged_coverages``, ``rays_per_point`` as
``rays``, ``field_smoothing_h``); each run its own process.  Printed: the depth and, at
depths below the mask's bottom edge, the mean of the two half-widths (the first crossing
of the level from the mouth, as ``bench_fluorocarbon_evolve.half_widths``) of the
reference (``fans_model_<s>_<T>_200000_0.25.json``, from bench_fluorocarbon_fans.py's
child) and each run's difference from it (nm per side).

Run: python bench/bench_fluorocarbon_cdtrack.py --ref REF.json [--time 12] [--h 2]
     [--variant 'cfl25:{"cfl": 0.25}' ...] [--levels 5 10 20 ...] [--dir DIR]
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def half_width(P: np.ndarray, depths) -> np.ndarray:
    """Mean of the two half-widths (nm) of polyline P at each depth below y = 0."""
    out = []
    for y in depths:
        r = []
        for side in (P[P[:, 0] <= 0], P[P[:, 0] >= 0][::-1] * [-1, 1]):
            c = np.nonzero((side[:-1, 1] >= -y) & (side[1:, 1] < -y))[0]
            if len(c) == 0:
                r.append(np.nan)
                continue
            a, b = side[c[0]], side[c[0] + 1]
            r.append(-(a[0] + (-y - a[1]) / (b[1] - a[1]) * (b[0] - a[0])))
        out.append(float(np.mean(r)))
    return np.array(out)


def child(h: float, T: float, extra: dict, out: str) -> None:
    from bench_fluorocarbon import MASK, recipe
    from bench_fluorocarbon_profile import clip_profile
    from waferlab.context import RunContext
    from waferlab.feature.extract import contours_2d
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer
    extra = dict(extra)
    rays = extra.pop("rays", 300)
    c0 = time.process_time()
    rd = recipe(2, h, 0.0, T, rays)
    rd["steps"][0]["etch"].update(extra)
    r = recipe_from_dict(rd)
    w = initial_wafer(r)
    for st in r.steps:
        w = st.apply(w, RunContext(seed=1, threads=2))
    g = w.geometry
    poly = clip_profile(max(contours_2d(g.top, g), key=len) * 1e9, MASK - 0.5)
    json.dump(dict(poly=poly.tolist(), cpu=time.process_time() - c0), open(out, "w"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref", help="the reference's JSON at the same T")
    ap.add_argument("--also", nargs="*", default=[],
                    help="LABEL:JSON more polylines (e.g. the reference at another spacing)")
    ap.add_argument("--time", type=float, default=12.0)
    ap.add_argument("--h", type=float, nargs="+", default=[2.0])
    ap.add_argument("--variant", nargs="*", default=[], help="NAME:JSON of etch keys")
    ap.add_argument("--variant-h", type=float, nargs="+", default=None,
                    help="the spacings of the variants (default: --h)")
    ap.add_argument("--levels", type=float, nargs="+",
                    default=[5, 10, 20, 30, 40, 50, 60, 70, 80])
    ap.add_argument("--dir", default=None, help="where the runs' JSON go (reused)")
    ap.add_argument("--out", help="also write the table to bench/results/OUT")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(float(a.child[0]), float(a.child[1]), json.loads(a.child[2]), a.child[3])
        return
    d = a.dir or os.path.dirname(os.path.abspath(a.ref))
    R = np.asarray(json.load(open(a.ref))["poly"])
    r = half_width(R, a.levels)
    lines: list[str] = []

    def print(s: str = "", flush: bool = False) -> None:      # noqa: A001
        lines.append(s)
        sys.stdout.write(s + "\n")
    print("| run | depth (nm) | " + " | ".join(f"{x:g}" for x in a.levels) + " | CPU (s) |")
    print("|---|---|" + "---|" * len(a.levels) + "---|")
    print(f"| reference | {-R[:, 1].min():.2f} | " + " | ".join(f"{x:.2f}" for x in r) + " | |")
    for v in a.also:
        label, path = v.split(":", 1)
        P = np.asarray(json.load(open(path))["poly"])
        print(f"| {label} | {-P[:, 1].min():.2f} | "
              + " | ".join(f"{x:+.2f}" for x in half_width(P, a.levels) - r) + " | |")
    runs = [(f"h {h:g}, defaults", h, {}) for h in a.h]
    for v in a.variant:
        name, js = v.split(":", 1)
        runs += [(f"h {h:g}, {name}", h, json.loads(js)) for h in a.variant_h or a.h]
    for label, h, extra in runs:
        key = "_".join(f"{k}{v}" for k, v in sorted(extra.items())) or "default"
        path = os.path.join(d, f"cdtrack_{h:g}_{a.time:g}_{key}.json")
        if not os.path.exists(path):
            subprocess.run([sys.executable, __file__, "--child", str(h), str(a.time),
                            json.dumps(extra), path], check=True)
        run = json.load(open(path))
        P = np.asarray(run["poly"])
        print(f"| {label} | {-P[:, 1].min():.2f} | "
              + " | ".join(f"{x:+.2f}" for x in half_width(P, a.levels) - r)
              + f" | {run['cpu']:.1f} |", flush=True)
    print(f"\nload {os.getloadavg()[0]:.1f}")
    if a.out:
        head = [f"# fluorocarbon 2D: waferlab's half-widths against the fan reference at "
                f"t = {a.time:g} s (issue #17, the CD)", "",
                "`python bench/bench_fluorocarbon_cdtrack.py " + " ".join(sys.argv[1:]) + "`. "
                "Reference: its depth and the mean half-width (nm) at each depth below the "
                "mask's bottom edge; runs: their depth and half-width − the reference's "
                "(nm per side; < 0 narrower).  CPU of each run (process time after the imports).", ""]
        harness.write_text(harness.RESULTS / a.out, "\n".join(head + lines))


if __name__ == "__main__":
    main()
