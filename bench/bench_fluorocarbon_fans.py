"""Fluorocarbon 2D trench: the exact evolving reference with expansion fans at convex
corners and shocks at concave ones (``validation.front_fans.evolve_fans``), converged in
its node spacing, against the references used before (``evolve_profile`` with the mean
and intersection corner rules) and the codes' depths (issue #17, the 2D depth).

The contact of bench_fluorocarbon.py (60 nm trench in a 50 nm mask over SiO2, Γ_i/Γ_e/Γ_p
56/150/5 ×10¹⁵ cm⁻²s⁻¹, 100 ± 10 eV, n = 100, k_ie = 0) etched for ``T`` s from the
polyline of bench_fluorocarbon_evolve.py, with the published balances ("model") or
ViennaPS 4.7's ("viennaps").  Each reference runs in its own process; recorded: the
depth below the mask, the half-widths and the width at half depth (bench_fluorocarbon's
CD), the depth against time, the CPU.

Run: python bench/bench_fluorocarbon_fans.py [--time 30] [--spacing 4 2] [--rules model viennaps]
     [--ions 200000] [--from DIR] [--codes JSON]
(JSON: {label: {"depth": nm, "cd": nm}} of the codes' runs to tabulate against the
references, e.g. from bench_fluorocarbon.py's table.)  Writes
bench/results/fluorocarbon_fans_<T>.md.
"""
from __future__ import annotations

import harness

harness.configure(threads=1)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

START = [[-30, 49.5], [-30, 0], [30, 0], [30, 49.5]]       # nm, as bench_fluorocarbon_evolve


def reference(method: str, rules: str, T: float, spacing: float, n_ions: int, out: str,
              fan_length: float = 0.25) -> None:
    """The reference to T by ``method`` (fans | mean | intersect); writes {"poly": nm,
    "cpu": s, "steps": n, "track": [[t, depth nm], …]}."""
    from bench_fluorocarbon_frozen import _spec
    from waferlab.validation.coverage_profile import evolve_profile
    from waferlab.validation.front_fans import evolve_fans
    nm = 1e-9
    model = _spec().build(kind="etch", materials=("SiO2", "Mask"), target=None).model
    mi, si = model.materials.index("Mask"), model.materials.index("SiO2")

    def mat(xy):
        return np.where(np.asarray(xy)[:, 1] > 0.0, mi, si)
    track: list[list[float]] = []

    def cb(t, P, _r):
        track.append([t, -float(np.min(P[:, 1])) / nm])
        if len(track) % 20 == 0:
            print(f"{method} {rules} {spacing:g}: t {t:.2f} s depth {track[-1][1]:.2f} nm "
                  f"({len(P)} nodes, {time.process_time() - c0:.0f} s CPU)", flush=True)
    c0 = time.process_time()
    kw = dict(material_of=mat, held=[mi], spacing=spacing * nm, max_step=0.5 * spacing * nm,
              rules=rules, n_ions=n_ions, callback=cb)
    P0 = np.array(START, float) * nm
    if method == "fans":
        P = evolve_fans(model, P0, T, fan_length=fan_length, **kw)
    else:
        P = evolve_profile(model, P0, T, corners=method, **kw)
    json.dump({"poly": (P / nm).tolist(), "cpu": time.process_time() - c0,
               "steps": len(track), "track": track}, open(out, "w"))


def measure(poly: np.ndarray) -> tuple[float, float, float]:
    """(depth below the mask's bottom edge, width at half depth as bench_fluorocarbon.py, x of the
    deepest node)."""
    from bench_fluorocarbon_evolve import half_widths
    P = np.asarray(poly, float)
    d, _hw, cd = half_widths(P, ())
    return d, cd, float(P[int(np.argmin(P[:, 1])), 0])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--time", type=float, default=30.0)
    ap.add_argument("--spacing", type=float, nargs="+", default=[4.0, 2.0])
    ap.add_argument("--rules", nargs="+", default=["model", "viennaps"],
                    choices=("model", "viennaps"))
    ap.add_argument("--methods", nargs="+", default=["fans"],
                    choices=("fans", "mean", "intersect"))
    ap.add_argument("--ions", type=int, default=200_000, help="ions per step")
    ap.add_argument("--fan-length", type=float, default=0.25, help="× spacing")
    ap.add_argument("--from", dest="reuse", help="directory of a previous run's JSON files")
    ap.add_argument("--codes", help="JSON {label: {depth, cd}} to tabulate against")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        method, rules, T, sp, ni, fl, out = a.child
        reference(method, rules, float(T), float(sp), int(ni), out, float(fl))
        return
    load0 = os.getloadavg()[0]
    tmp = a.reuse or tempfile.mkdtemp()
    res = {}
    for rules in a.rules:
        for method in a.methods:
            for sp in a.spacing:
                name = f"{method}_{rules}_{sp:g}_{a.time:g}_{a.ions}_{a.fan_length:g}.json"
                path = os.path.join(tmp, name)
                if not os.path.exists(path):
                    subprocess.run([sys.executable, __file__, "--child", method, rules,
                                    str(a.time), str(sp), str(a.ions), str(a.fan_length),
                                    path], check=True)
                res[(rules, method, sp)] = json.load(open(path))
    load1 = os.getloadavg()[0]
    bal = {"model": "published", "viennaps": "ViennaPS 4.7"}
    rows = []
    for (rules, method, sp), d in res.items():
        depth, cd, x = measure(np.asarray(d["poly"]))
        rows.append(f"| {bal[rules]} | {method} | {sp:g} | {depth:.2f} | {cd:.2f} | {x:+.2f} | "
                    f"{d['steps']} | {d['cpu']:.0f} |")
    text = [f"# fluorocarbon 2D: the exact evolving reference with fans, t = {a.time:g} s "
            "(issue #17)", "",
            f"`python bench/bench_fluorocarbon_fans.py --time {a.time:g} --spacing "
            f"{' '.join(f'{s:g}' for s in a.spacing)} --rules {' '.join(a.rules)} --methods "
            f"{' '.join(a.methods)} --ions {a.ions} --fan-length {a.fan_length:g}`"
            + (" (files reused from an earlier run)" if a.reuse else "") + ".  "
            "fans: `validation.front_fans.evolve_fans` (fans at convex corners, shocks at "
            "concave ones, fan facets fan_length × spacing long); mean / intersect: "
            "`coverage_profile.evolve_profile(corners=...)`.  Every step: exact view factors "
            "and balances, the ions by Monte Carlo (the ions per step given), ≤ spacing/2 "
            "per step.  Depth below the mask's bottom edge (the SiO2 top, nm), width at half depth (nm, "
            "bench_fluorocarbon's CD), x of the deepest node, steps, CPU (s).", "",
            "| balances | corners | spacing (nm) | depth | width at ½ depth | tip x | steps "
            "| CPU (s) |", "|---|---|---|---|---|---|---|---|", *rows, ""]
    if a.codes:
        codes = json.load(open(a.codes))
        text += ["| code | balances | depth (nm) | − reference (%) | width at ½ depth (nm) "
                 "| − reference (nm) |", "|---|---|---|---|---|---|"]
        finest = {r: res[(r, "fans", min(a.spacing))] for r in a.rules
                  if (r, "fans", min(a.spacing)) in res}
        for label, c in codes.items():
            r = c.get("rules", "model")
            if r not in finest:
                continue
            dr, cr, _ = measure(np.asarray(finest[r]["poly"]))
            text.append(f"| {label} | {bal[r]} | {c['depth']:.2f} | "
                        f"{100 * (c['depth'] / dr - 1):+.2f} | {c['cd']:.2f} | "
                        f"{c['cd'] - cr:+.2f} |")
        text.append("")
    text.append(f"Load average {load0:.1f} → {load1:.1f} (2 shared cores).")
    out = harness.RESULTS / f"fluorocarbon_fans_{a.time:g}.md"
    harness.write_text(out, "\n".join(text))
    print("\n".join(text))


if __name__ == "__main__":
    main()
