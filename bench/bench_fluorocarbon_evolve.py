"""Fluorocarbon 2D trench: the profile evolution against an exact front-tracking
reference (issue #17, the CD gap).

The contact of bench_fluorocarbon.py (60 nm trench, 50 nm mask over SiO2, Γ_i/Γ_e/Γ_p
56/150/5 ×10¹⁵ cm⁻²s⁻¹, 100 ± 10 eV, n = 100, k_ie = 0), etched for ``T`` s by

- the reference (``validation.coverage_profile.evolve_profile``): the profile as a string
  of nodes ``spacing`` apart, moved with the exact per-element rates of the profile of
  the moment (quadrature view factors, a ``n_ions`` ion Monte Carlo, the site balances
  to their fixed point), each node at most spacing/2 per step; once with the published
  balances (waferlab's) and once with ViennaPS 4.7's (``coverage_trench.viennaps_rules``);
- waferlab and ViennaPS at the grid spacings given (300 rays/point, their profiles
  from bench_fluorocarbon_profile.py's children, each in its own process).

Recorded: depth below the mask, the half-width of the profile at depths below the mask's
bottom edge and the width at half depth (as bench_fluorocarbon.py measures the CD).
Each code is held to the reference of its own balances.

Run: python bench/bench_fluorocarbon_evolve.py [--time 5] [--h 2 1] [--spacing 1]
     [--from DIR]   (DIR: reuse the JSON files a previous run left there)
Writes bench/results/fluorocarbon_evolve_<T>.md.
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

DEPTHS = (5.0, 10.0, 15.0, 20.0, 25.0, 30.0)          # nm below the mask's bottom edge
DEPTHS_LONG = (20.0, 50.0, 80.0, 110.0, 140.0, 170.0)   # for T > 10 s
PROFILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_fluorocarbon_profile.py")


def reference(rules: str, T: float, spacing: float, n_ions: int, out: str) -> None:
    """The front-tracking reference to T; writes {"poly": nm, "cpu": s, "steps": n}."""
    from bench_fluorocarbon_frozen import _spec
    from waferlab.validation.coverage_profile import evolve_profile
    nm = 1e-9
    model = _spec().build(kind="etch", materials=("SiO2", "Mask"), target=None).model
    mi, si = model.materials.index("Mask"), model.materials.index("SiO2")

    def mat(xy):
        return np.where(np.asarray(xy)[:, 1] > 0.0, mi, si)
    steps = []
    c0 = time.process_time()
    P = evolve_profile(model, np.array([[-30, 49.5], [-30, 0], [30, 0], [30, 49.5]]) * nm, T,
                       material_of=mat, held=[mi], spacing=spacing * nm,
                       max_step=0.5 * spacing * nm, rules=rules, n_ions=n_ions,
                       callback=lambda t, P, r: steps.append(t))
    json.dump({"poly": (P / nm).tolist(), "cpu": time.process_time() - c0,
               "steps": len(steps)}, open(out, "w"))


def half_widths(poly: np.ndarray, depths=DEPTHS) -> tuple[float, list[float], float]:
    """(depth below the mask, half-widths at ``depths`` below the mask's bottom edge, width
    at half depth): the mean of both halves' first crossing of each level."""
    P = np.asarray(poly)
    depth = -float(P[:, 1].min())

    def at(y: float) -> float:
        out = []
        for side in (P[P[:, 0] <= 0], P[P[:, 0] >= 0][::-1] * [-1, 1]):
            c = np.nonzero((side[:-1, 1] >= y) & (side[1:, 1] < y))[0]
            if len(c) == 0:
                return float("nan")
            a, b = side[c[0]], side[c[0] + 1]
            out.append(-(a[0] + (y - a[1]) / (b[1] - a[1]) * (b[0] - a[0])))
        return 0.5 * sum(out)
    return depth, [at(-d) for d in depths], 2.0 * at(-0.5 * depth)


def summary(groups: dict[str, list[str]], cds: dict, rules, spacing: float) -> list[str]:
    """Per waferlab setting: CD mean ± sample σ over the seeds, its difference from the
    published-balance reference, and the depth."""
    ref = next((v for k, v in cds.items() if k.startswith("exact (published")), None)
    out = ["| waferlab setting | seeds | depth mean (nm) | CD mean ± σ (nm) | CD − exact (nm) "
           "| standard error of the mean (nm) | width at the exact ½ depth, mean ± σ (nm) "
           "| − exact (nm) |", "|---|---|---|---|---|---|---|---|"]
    for g, labels in groups.items():
        d = np.array([cds[k][0] for k in labels])
        c = np.array([cds[k][1] for k in labels])
        sd = float(c.std(ddof=1)) if len(c) > 1 else float("nan")
        diff = f"{c.mean() - ref[1]:+.2f}" if ref else "—"
        if ref:
            wr = np.array([2.0 * half_widths(cds[k][2], (0.5 * ref[0],))[1][0] for k in labels])
            r2 = 2.0 * half_widths(ref[2], (0.5 * ref[0],))[1][0]
            sw = float(wr.std(ddof=1)) if len(wr) > 1 else float("nan")
            at = f"{wr.mean():.2f} ± {sw:.2f} | {wr.mean() - r2:+.2f}"
        else:
            at = "— | —"
        out.append(f"| {g} | {len(c)} | {d.mean():.2f} | {c.mean():.2f} ± {sd:.2f} | {diff} | "
                   f"{sd / np.sqrt(len(c)):.2f} | {at} |")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--time", type=float, default=5.0)
    ap.add_argument("--h", type=float, nargs="+", default=[2.0, 1.0])
    ap.add_argument("--spacing", type=float, default=1.0, help="the reference's node spacing (nm)")
    ap.add_argument("--ions", type=int, default=200_000, help="ions per reference step")
    ap.add_argument("--only-waferlab", type=float, nargs="*", default=[],
                    help="spacings run by waferlab alone (the peer's is too slow there)")
    ap.add_argument("--rules", nargs="+", default=["model", "viennaps"],
                    choices=("model", "viennaps"), help="the references' balance rules")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1],
                    help="waferlab runs per spacing, seeds 1 … N (their CD mean and σ); "
                         "one N for every spacing or one per --h value")
    ap.add_argument("--old-seeds", type=int, nargs="+",
                    help="as --seeds, for the --old runs (default: --seeds)")
    ap.add_argument("--old", action="store_true",
                    help="also run waferlab with field_smoothing_h 0 (the setting before "
                         "session 12)")
    ap.add_argument("--from", dest="reuse", help="directory of a previous run's JSON files")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        rules, T, sp, ni, out = a.child
        reference(rules, float(T), float(sp), int(ni), out)
        return
    load0 = os.getloadavg()[0]
    tmp = a.reuse or tempfile.mkdtemp()
    T = a.time
    jobs = {}
    for rules in a.rules:
        jobs[f"exact ({'published' if rules == 'model' else 'ViennaPS 4.7'} balances), "
             f"spacing {a.spacing:g} nm"] = (
            f"ref_{rules}_{a.spacing:g}_{T:g}.json",
            [sys.executable, __file__, "--child", rules, str(T), str(a.spacing), str(a.ions)])
    variants = ([("field_smoothing_h 0 (before session 12)", "0")] if a.old else []) + \
        [("default", "")]
    groups: dict[str, list[str]] = {}
    if len(a.seeds) not in (1, len(a.h)):
        ap.error("--seeds takes one value or one per --h value")
    n_seeds = dict(zip(a.h, a.seeds * len(a.h) if len(a.seeds) == 1 else a.seeds))
    olds = a.old_seeds or a.seeds
    if len(olds) not in (1, len(a.h)):
        ap.error("--old-seeds takes one value or one per --h value")
    n_old = dict(zip(a.h, olds * len(a.h) if len(olds) == 1 else olds))
    for h in a.h:
        for what, fs in variants:
            for seed in range(1, (n_old if fs else n_seeds)[h] + 1):
                label = f"waferlab, h {h:g} nm, {what}, seed {seed}"
                groups.setdefault(f"waferlab, h {h:g} nm, {what}", []).append(label)
                # the child's arguments: h T out [seed [field_smoothing_h]]
                jobs[label] = (f"waferlab_{h:g}_{T:g}_s{seed}_fs{fs or 'default'}.json",
                               [sys.executable, PROFILE, "--child", "waferlab", str(h), str(T)],
                               [str(seed)] + ([fs] if fs else []))
        if h not in a.only_waferlab:
            jobs[f"ViennaPS 4.7, h {h:g} nm"] = (
                f"viennaps_{h:g}_{T:g}.json",
                [sys.executable, PROFILE, "--child", "viennaps", str(h), str(T)])
    res = {}
    for label, (name, cmd, *tail) in jobs.items():
        path = os.path.join(tmp, name)
        if not os.path.exists(path):
            subprocess.run(cmd + [path] + (tail[0] if tail else []), check=True)
        res[label] = json.load(open(path))
    load1 = os.getloadavg()[0]
    depths = DEPTHS if T <= 10 else DEPTHS_LONG
    rows = []
    cds = {}
    for label, d in res.items():
        depth, hw, cd = half_widths(np.asarray(d["poly"]), depths)
        cds[label] = (depth, cd, np.asarray(d["poly"]))
        cpu = d.get("cpu", d.get("cpu_run", float("nan")))
        rows.append(f"| {label} | {depth:.2f} | " + " | ".join(f"{v:.2f}" for v in hw)
                    + f" | {cd:.2f} | {cpu:.0f} |")
    text = [f"# fluorocarbon 2D: profile evolution against the exact front-tracking reference, "
            f"t = {T:g} s (issue #17)", "",
            f"`python bench/bench_fluorocarbon_evolve.py --time {T:g} --h "
            f"{' '.join(f'{h:g}' for h in a.h)} --spacing {a.spacing:g} --ions {a.ions}"
            + (f" --only-waferlab {' '.join(f'{h:g}' for h in a.only_waferlab)}"
               if a.only_waferlab else "")
            + (f" --rules {' '.join(a.rules)}" if len(a.rules) < 2 else "")
            + (f" --seeds {' '.join(map(str, a.seeds))}" if max(a.seeds) > 1 else "")
            + (" --old" if a.old else "")
            + (f" --old-seeds {' '.join(map(str, a.old_seeds))}" if a.old_seeds else "") + "`"
            + (" (its files reused from an earlier run of the same commands)" if a.reuse else "")
            + ".  The trench of bench_fluorocarbon.py (k_ie = 0) etched for "
            f"{T:g} s.  Reference: `validation.coverage_profile.evolve_profile` (string of "
            f"nodes {a.spacing:g} nm apart, exact rates each step, {a.ions} ions per step, "
            "≤ spacing/2 per step).  The codes at 300 rays/point (waferlab with its default "
            "field_smoothing_h unless the row says otherwise).  Depth below the mask, "
            "half-width (nm) at the depths below the mask's bottom edge, width at half "
            "depth (the bench's CD), CPU s of the run.", "",
            "| source | depth | " + " | ".join(f"½w at {d:g}" for d in depths)
            + " | width at ½ depth | CPU (s) |",
            "|---|---|" + "---|" * len(depths) + "---|---|", *rows, "",
            *summary(groups, cds, a.rules, a.spacing), "",
            f"Load average {load0:.1f} → {load1:.1f} (2 shared cores)."]
    out = harness.RESULTS / f"fluorocarbon_evolve_{T:g}.md"
    harness.write_text(out, "\n".join(text))
    print("\n".join(text))


if __name__ == "__main__":
    main()
