"""Grid convergence of the sf6o2 quarter hole in both codes (issue 5).

The hole benchmark's case (bench_sf6o2_hole.py: ViennaPS's hole example, 300 rays per
point) run at several spacings by both codes, one process call / one step each.  waferlab
runs its sf6o2 defaults (the peer's closure: coned ion lobe, per-hit yields, coverages
iterated once then carried).  Each (code, minutes, spacing) result is kept in
``results/sf6o2_convergence.json`` (so the long runs can be done in several launches) and
the table is rewritten from it.  Wall times are taken as they come (other jobs may share
the 2 cores); the timed side-by-side runs are bench_sf6o2_hole.py's.

Why: at 0.03 µm ViennaPS's transport in the deep hole is off by more than the 5 % the
comparison asks (bench/results/hole_transport.md: neutrals −8…−15 %, reflected-ion yield
−6.5 % against exact references), so the depth difference at one spacing says little;
the question is whether both codes approach the same answer.

Run: OMP_WAIT_POLICY=passive python bench/bench_sf6o2_convergence.py --minutes 0.2
     --spacings 0.03 0.02 0.015 0.01 [--codes waferlab ViennaPS] [--table-only]
"""
from __future__ import annotations

import harness
import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("NUMBA_NUM_THREADS", "2")
sys.path.insert(0, str(Path(__file__).parent))

import bench_sf6o2_hole as S  # noqa: E402

OUT = Path(__file__).parent / "results" / "sf6o2_convergence.md"
STORE = OUT.with_suffix(".json")


def _load() -> list[dict]:
    return json.loads(STORE.read_text()) if STORE.exists() else []


def _save(rows: list[dict]) -> None:
    tmp = STORE.with_suffix(".tmp")
    tmp.write_text(json.dumps(rows, indent=1))
    tmp.replace(STORE)


def run(code: str, minutes: float, h: float, rays: int = 300) -> dict:
    if code == "ViennaPS":
        (d, r), wall = S.run_viennaps(minutes, rays, h=h)
    else:
        (d, r), wall = S.run_waferlab(minutes, rays, True, h=h)
    return dict(code=code, minutes=minutes, h=h, depth=d, radius=r, wall=wall)


def table(rows: list[dict]) -> list[str]:
    out = ["## sf6o2 quarter hole: grid convergence of both codes", "",
           "The hole benchmark's case (300 rays per point) at several spacings, one process "
           "call each; waferlab with its sf6o2 defaults (the peer's closure).  Depth into Si "
           "at the axis / radius at half depth, µm; Δ = waferlab against ViennaPS at the same "
           "spacing.  Wall times as they came (other jobs shared the 2 cores for some rows; "
           "the timed side-by-side runs are in sf6o2_hole.md and sf6o2_hole_1min.md).", ""]
    for minutes in sorted({r["minutes"] for r in rows}):
        sel = [r for r in rows if r["minutes"] == minutes]
        out += [f"**{minutes:g} min**", "",
                "| spacing (µm) | waferlab depth / radius | ViennaPS depth / radius | Δ depth | "
                "Δ radius (spacings) | wall s (waferlab / ViennaPS) |",
                "|---|---|---|---|---|---|"]
        for h in sorted({r["h"] for r in sel}, reverse=True):
            by = {r["code"]: r for r in sel if r["h"] == h}
            w, p = by.get("waferlab"), by.get("ViennaPS")
            cell = (lambda r: f"{r['depth']:.4f} / {r['radius']:.4f}" if r else "–")
            ref, note = w, ""
            finest = min((r for r in sel if r["code"] == "waferlab"), key=lambda r: r["h"],
                         default=None)
            if w is None and finest is not None:      # waferlab is grid-converged: its finest
                ref, note = finest, f" (vs waferlab at {finest['h']:g})"
            dd = (f"{100 * (ref['depth'] / p['depth'] - 1):+.1f} %{note}" if ref and p else "")
            dr = (f"{(ref['radius'] - p['radius']) / h:+.2f}" if ref and p else "")
            walls = " / ".join(f"{r['wall']:.0f}" if r else "–" for r in (w, p))
            out.append(f"| {h:g} | {cell(w)} | {cell(p)} | {dd} | {dr} | {walls} |")
        out.append("")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=0.2)
    ap.add_argument("--spacings", type=float, nargs="+", default=[0.03, 0.02, 0.015])
    ap.add_argument("--codes", nargs="+", default=["waferlab", "ViennaPS"],
                    choices=["waferlab", "ViennaPS"])
    ap.add_argument("--table-only", action="store_true")
    a = ap.parse_args()
    rows = _load()
    if not a.table_only:
        for h in a.spacings:
            for code in a.codes:
                r = run(code, a.minutes, h)
                print(json.dumps(r), flush=True)
                rows = [x for x in _load() if not (x["code"] == code and x["minutes"] == a.minutes
                                                   and x["h"] == h)] + [r]
                _save(rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    harness.write_text(OUT, "\n".join(table(rows)))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
