"""Accuracy of cheaper WENO5 numerics for a directional beam against the exact (Hopf–Lax)
profile (issue #18, session 14): a larger time step (``cfl``), rarer band rebuilds
(``reinit_distance``), a thinner band (``half_width``/``keep``), each against the
default, on bench_scheme_directional.py's cases (its exact profiles and regions).

Criterion (set before measuring): a variant may become the default only if, in every
case and region, its largest distance to the exact profile is no worse than the
default's + 0.02 h, and it keeps test_scheme_default's tolerances.

Run: python bench/bench_numerics_accuracy.py [--variants base cfl0.8 ...] [--quick]
     -> bench/results/numerics_accuracy.md (+ .json)
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import bench_scheme_directional as SD
from waferlab.feature import advect
from waferlab.feature.advect import BandSettings

HERE = Path(__file__).parent

VARIANTS: dict[str, dict] = {
    # the WENO5 band of every model before session 14 (a beam's default is now w7)
    "base": {"band": BandSettings(half_width=10.0, taper=2.0, keep=8.0, reinit_distance=1.0)},
    "cfl0.5": {"cfl": 0.5},
    "cfl0.6": {"cfl": 0.6},
    "cfl0.8": {"cfl": 0.8},
    "reinit2": {"band": BandSettings(reinit_distance=2.0)},
    "reinit3": {"band": BandSettings(reinit_distance=3.0)},
    "w8": {"band": BandSettings(half_width=8.0, keep=6.0)},
    "w7": {"band": BandSettings(half_width=7.0, keep=5.0)},        # advect.BEAM_WENO5_BAND
    "w6": {"band": BandSettings(half_width=6.0, keep=4.0)},
    "w7cfl0.5": {"cfl": 0.5, "band": BandSettings(half_width=7.0, keep=5.0)},
    "w7reinit1.5": {"band": BandSettings(half_width=7.0, keep=5.0, reinit_distance=1.5)},
    # session 14b (lane maskhold): the zero-speed nodes held bit for bit in the RK stages
    # (advect.HOLD_ZERO_SPEED, the default since) against the same W = 7 band without it
    "w7nohold": {"band": BandSettings(half_width=7.0, keep=5.0), "hold": False},
    "w7hold": {"band": BandSettings(half_width=7.0, keep=5.0), "hold": True},
    # session 17 (lane densecpu): a larger step with rebuilds every 3 steps still, and
    # rarer rebuilds at the default step, on the default W = 7 band
    "w7cfl0.5r1.4": {"cfl": 0.5, "band": BandSettings(half_width=7.0, keep=5.0,
                                                      reinit_distance=1.4)},
    "w7r1.5": {"band": BandSettings(half_width=7.0, keep=5.0, reinit_distance=1.5)},
    "w7cfl0.5r1.9": {"cfl": 0.5, "band": BandSettings(half_width=7.0, keep=5.0,
                                                      reinit_distance=1.9)},
    "w7r1.9": {"band": BandSettings(half_width=7.0, keep=5.0, reinit_distance=1.9)},
    "w7cfl0.45r1.3": {"cfl": 0.45, "band": BandSettings(half_width=7.0, keep=5.0,
                                                        reinit_distance=1.3)},
}

GEO2 = dict(a=0.5, cut_below=0.2, mask_t=0.4, R=1.0, T=0.5, L=3.0)
GEO3 = dict(a=0.32, cut_below=0.0, mask_t=0.3, R=1.0, T=0.5, L=1.28)


def cases(quick: bool):
    """(dim, h, case, geometry) of the comparison."""
    out = []
    for case in SD.CASES:
        for h in ((0.05, 0.025) if quick else (0.05, 0.025, 0.0125)):
            out.append((2, h, case, GEO2))
    for case in (SD.CASES[0], SD.CASES[3]):
        for h in ((0.04,) if quick else (0.04, 0.02)):
            out.append((3, h, case, GEO3))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--variants", nargs="*", default=["base", "cfl0.8"])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=str(HERE / "results" / "numerics_accuracy.json"))
    a = ap.parse_args()
    rows = json.loads(Path(a.out).read_text()) if Path(a.out).exists() else []
    done = {(r["variant"], r["dim"], r["h"], r["f"], r["theta_deg"]) for r in rows}
    for dim, h, case, geo in cases(a.quick):
        for v in a.variants:
            if (v, dim, h, case["f"], case["theta_deg"]) in done:
                continue
            kw = dict(VARIANTS[v])
            advect.HOLD_ZERO_SPEED = kw.pop("hold", True)
            r = SD.run_case(dim, h, "weno5", **case, **geo, **kw)
            r["variant"] = v
            rows.append(r)
            print(f"{v:8s} {dim}D f={case['f']} th={case['theta_deg']} h={h} steps={r['steps']} "
                  f"cpu={r['cpu_s']:.1f} " + " ".join(
                      f"{k}={x['max_h']:.3f}" for k, x in r["regions"].items()), flush=True)
            Path(a.out).write_text(json.dumps(rows, indent=1))
    Path(a.out).with_suffix(".md").write_text(render(rows))
    return 0


def render(rows: list[dict]) -> str:
    keys = SD.KEYS
    variants = list(dict.fromkeys(r["variant"] for r in rows))
    by = {(r["variant"], r["dim"], r["h"], r["f"], r["theta_deg"]): r for r in rows}
    out = ["# Cheaper WENO5 numerics against the exact profile (issue #18, session 14)", "",
           __doc__.split("Run:")[0].strip().replace("\n", " "), "",
           f"Commit: {SD.commit()}.  Cells: largest distance to the exact profile in h per "
           "region, " + " / ".join(variants) + "; steps and CPU s of each run in the .json.", "",
           "| case | h | " + " | ".join(keys) + " | steps |",
           "|---|---|" + "---|" * len(keys) + "---|"]
    seen = []
    for r in rows:
        k = (r["dim"], r["h"], r["f"], r["theta_deg"])
        if k in seen:
            continue
        seen.append(k)
        cells = []
        for key in keys:
            vals = []
            for v in variants:
                x = by.get((v,) + k)
                reg = x["regions"].get(key) if x else None
                vals.append(f"{reg['max_h']:.2f}" if reg else "—")
            cells.append(" / ".join(vals))
        steps = " / ".join(str(by[(v,) + k]["steps"]) if (v,) + k in by else "—"
                           for v in variants)
        beam = "vertical" if r["theta_deg"] == 0 else f"tilted {r['theta_deg']:g}°"
        out.append(f"| {r['dim']}D {beam}, f = {r['f']:g} | {r['h']:g} | " + " | ".join(cells)
                   + f" | {steps} |")
    out += ["", "Against `base` (the W = 10 band), over the regions both measured (a change "
            "> 0.005 h counts):", "",
            "| variant | regions | better | worse | Σ largest error base → variant (h) | "
            "worst change (h) | where |", "|---|---|---|---|---|---|---|"]
    for v in variants:
        if v == "base":
            continue
        diffs = []
        for (vv, *k), r in by.items():
            b = by.get(("base", *k))
            if vv != v or b is None:
                continue
            for key, x in r["regions"].items():
                y = b["regions"].get(key)
                if key != "all" and y is not None:
                    diffs.append((x["max_h"] - y["max_h"], y["max_h"], x["max_h"], key, k))
        if not diffs:
            continue
        w = max(diffs)
        d, hh, f, th = w[4]
        out.append(f"| {v} | {len(diffs)} | {sum(x[0] < -0.005 for x in diffs)} | "
                   f"{sum(x[0] > 0.005 for x in diffs)} | {sum(x[1] for x in diffs):.2f} → "
                   f"{sum(x[2] for x in diffs):.2f} | {w[0]:+.3f} ({w[1]:.2f} → {w[2]:.2f}) | "
                   f"{d}D f = {f:g} θ = {th:g}° h = {hh:g}, {w[3]} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
