"""Fluorocarbon 2D trench after 30 s: how fast the V-shaped floor's tip descends, exact
against waferlab on the same frozen profile (issue #17, the 2D depth).

The front-tracking reference (``validation.coverage_profile.evolve_profile``, published
balances, node spacing 4 nm, 100000 ions per step) moves a node with the mean of its two
elements' V_n n; at a convex corner such as the tip of a closing V that lags the exact
motion (tests/feature/test_fluorocarbon_reference.py: 12 nm short after 70 nm on a
16.7° V at 2 nm spacing), because an expanding corner opens a fan whose horizontal
element descends at the rate of a surface facing the beam.  Here the reference's 30 s
profile is frozen and

- exact: a flat element ``eps`` wide is cut at the tip (the fan's horizontal element) and
  ``coverage_profile`` (quadrature view factors, 4e6 ions, the site balances to their
  fixed point) gives its speed, for each ``eps``;
- waferlab: ``element_rates`` on a level set built from the polyline (as
  bench_fluorocarbon_profile.py), 1000 rays/point, coverages iterated 8 times: the speeds
  of its deepest elements, at each h.

Run: python bench/bench_fluorocarbon_vtip.py [--poly JSON] [--eps 1 0.5] [--h 2 1]
(JSON: a reference profile {"poly": [[x, y] nm ...]} to reuse; without it the reference
is computed, ≈ 70 s CPU).  Writes bench/results/fluorocarbon_vtip.md.
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

T, SPACING, IONS = 30.0, 4.0, 100_000


def reference_profile(path: str) -> None:
    from bench_fluorocarbon_evolve import reference
    reference("model", T, SPACING, IONS, path)


def cut_tip(P: np.ndarray, eps: float) -> tuple[np.ndarray, int]:
    """The polyline with its deepest node replaced by a horizontal element ``eps`` wide
    (its ends on the two adjacent segments); (new polyline, index of that element)."""
    k = int(np.argmin(P[:, 1]))
    L, R, C = P[k - 1], P[k + 1], P[k]
    sl, sr = (L[0] - C[0]) / (L[1] - C[1]), (R[0] - C[0]) / (R[1] - C[1])
    d = eps / (sr - sl)
    Q = np.vstack([P[:k], [C + (L - C) * d / (L[1] - C[1])], [C + (R - C) * d / (R[1] - C[1])],
                   P[k + 1:]])
    return Q, k


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--poly", help="reuse this reference profile (JSON, nm)")
    ap.add_argument("--eps", type=float, nargs="+", default=[1.0, 0.5])
    ap.add_argument("--h", type=float, nargs="+", default=[2.0, 1.0])
    a = ap.parse_args()
    from bench_fluorocarbon_frozen import _spec
    from bench_fluorocarbon_profile import waferlab_on
    from waferlab.validation.coverage_profile import coverage_profile
    load0 = os.getloadavg()[0]
    tmp = tempfile.mkdtemp()
    poly_file = a.poly or os.path.join(tmp, "ref.json")
    if not a.poly:
        reference_profile(poly_file)
    P = np.asarray(json.load(open(poly_file))["poly"])
    model = _spec().build(kind="etch", materials=("SiO2", "Mask"), target=None).model
    mi, si = model.materials.index("Mask"), model.materials.index("SiO2")
    k = int(np.argmin(P[:, 1]))
    rows = []
    for eps in a.eps:
        Q, j = cut_tip(P, eps)
        cen = 0.5 * (Q[:-1] + Q[1:])
        c0 = time.process_time()
        r = coverage_profile(model, Q * 1e-9, np.where(cen[:, 1] > 0.0, mi, si),
                             n_ions=4_000_000)
        rows.append(f"| exact, flat tip element {eps:g} nm wide | {Q[j, 1]:.2f} | "
                    f"{r.speed[j] * 1e9:.3f} | {r.theta['theta_polymer'][j]:.3f} | "
                    f"{r.fields['Y:ie'][j]:.4f} ± {r.ion_se['ie'][j]:.4f} | "
                    f"{time.process_time() - c0:.0f} |")
        print(rows[-1], flush=True)
    for h in a.h:
        out = os.path.join(tmp, f"wl_{h:g}.json")
        waferlab_on(poly_file, h, out)
        d = json.load(open(out))
        y, v, tp = (np.asarray(d[c]) for c in ("y", "v", "theta_polymer"))
        deep = np.argsort(y)[:3]
        rows.append(f"| waferlab, h {h:g} nm, its 3 deepest elements | "
                    + ", ".join(f"{y[i]:.2f}" for i in deep) + " | "
                    + ", ".join(f"{v[i]:.3f}" for i in deep) + " | "
                    + ", ".join(f"{tp[i]:.3f}" for i in deep) + f" | | {d['cpu']:.0f} |")
        print(rows[-1], flush=True)
    load1 = os.getloadavg()[0]
    text = ["# fluorocarbon 2D, 30 s: the descent speed of the V's tip, exact against "
            "waferlab on the same frozen profile (issue #17)", "",
            "`python bench/bench_fluorocarbon_vtip.py"
            + (" --poly <the reference's JSON>" if a.poly else "") + "`.  The front-tracking "
            f"reference's profile after {T:g} s (published balances, node spacing "
            f"{SPACING:g} nm, {IONS} ions per step; depth {-P[:, 1].min():.2f} nm below the "
            f"mask; its tip node at x = {P[k, 0]:.2f} nm) frozen; speeds V in nm/s "
            "(negative: etching), module docstring.  The reference moves its tip node "
            "with the mean of its two elements' V_n n, "
            + ", ".join(f"{v:.2f}" for v in _tip_mean(P, model, mi, si)) + " nm/s "
            "(x, y) here.", "",
            "| source | y (nm) | V (nm/s) | θ_p | Y_ie (per source ion) | CPU (s) |",
            "|---|---|---|---|---|---|", *rows, "",
            f"Load average {load0:.1f} at the start, {load1:.1f} at the end."]
    out = harness.RESULTS / "fluorocarbon_vtip.md"
    harness.write_text(out, "\n".join(text))
    print(f"wrote {out}")


def _tip_mean(P, model, mi, si) -> tuple[float, float]:
    """The reference's own tip-node velocity (nm/s): the length-weighted mean of its two
    elements' V_n n on the uncut profile."""
    from waferlab.validation.coverage_profile import coverage_profile
    cen = 0.5 * (P[:-1] + P[1:])
    r = coverage_profile(model, P * 1e-9, np.where(cen[:, 1] > 0.0, mi, si), n_ions=1_000_000)
    k = int(np.argmin(P[:, 1]))
    el = [k - 1, k]
    w = r.length[el]
    v = (r.speed[el, None] * r.normal[el] * w[:, None]).sum(0) / w.sum()
    return float(v[0] * 1e9), float(v[1] * 1e9)


if __name__ == "__main__":
    main()
