"""Depth and radius of the sf6o2 quarter hole every 0.2 min up to 1 min, waferlab beside
ViennaPS (the peer's 1-minute case of issue 5, followed in time).

Same parameters as bench_sf6o2_hole.py (spacing 0.03 µm, quarter domain, 300 rays per
point, cfl 0.5).  By default waferlab runs three times: the sf6o2 defaults, with each
element's own coverages after one more neutral trace per step (``coverage_iterations:
1``), and the latter with reflected ions leaving in the peer's coned lobe (``ion_lobe:
cone``); ``--config`` chooses other configurations.  Each code runs five 0.2-min steps on
the same wafer and is measured after each.
Run: python bench/bench_sf6o2_evolution.py  -> bench/results/sf6o2_evolution.md
     [--config "ion_scoring=per_hit,ion_lobe=cone" ...]  only these waferlab
     configurations (comma-separated sf6o2 keys; "" the defaults), [--no-peer] without
     ViennaPS, [--merge] keeping the other columns already in the results file.
"""
from __future__ import annotations

import harness
import argparse
import os
import re
import sys
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("NUMBA_NUM_THREADS", "2")
sys.path.insert(0, str(Path(__file__).parent))

import bench_sf6o2_hole as BH  # noqa: E402

OUT = Path(__file__).parent / "results" / "sf6o2_evolution.md"
STEPS, DT_MIN = 5, 0.2


def waferlab(coverage_iterations: int = 0, lobe: str = "specular",
             **etch) -> list[tuple[float, float]]:
    data = BH.hole_recipe(DT_MIN, 300, steps=STEPS, coverage_iterations=coverage_iterations,
                          ion_lobe=lobe, **etch)
    out = []
    for m, _ in BH.waferlab_steps(data):
        out.append(m)
        print("waferlab", coverage_iterations, lobe, etch, m, flush=True)
    return out


def _config(text: str) -> dict:
    import yaml

    out = {}
    for item in filter(None, (t.strip() for t in text.split(","))):
        k, _, v = item.partition("=")
        out[k.strip()] = yaml.safe_load(v)
    return out


def _column(cfg: dict) -> str:
    return "waferlab" + "".join(f", {k} {v}" for k, v in cfg.items())


def _read_columns(path: Path) -> dict:
    """{column: [(depth, radius) per step]} of an earlier results table."""
    if not path.exists():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()
    head = next((ln for ln in lines if ln.startswith("| t (min)")), None)
    if head is None:
        return {}
    names = [c.strip() for c in head.strip("|").split("|")][1:]
    cols = {n: [] for n in names}
    for ln in lines:
        if re.match(r"^\| \d", ln):
            cells = [c.strip() for c in ln.strip("|").split("|")][1:]
            for n, c in zip(names, cells):
                d, r = (float(x) for x in c.split("/"))
                cols[n].append((d, r))
    return {n: v for n, v in cols.items() if len(v) == STEPS}


def viennaps() -> list[tuple[float, float]]:
    ps, d, mp = BH.viennaps_hole()
    out = []
    for _ in range(STEPS):
        out.append(BH.viennaps_step(ps, d, mp, DT_MIN, 300)[0])
        print("ViennaPS", out[-1], flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", action="append", type=_config,
                    help="a waferlab configuration: comma-separated sf6o2 keys (repeatable)")
    ap.add_argument("--no-peer", action="store_true", help="skip the ViennaPS run")
    ap.add_argument("--merge", action="store_true",
                    help="keep the other columns of the results file (ViennaPS included)")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args()
    configs = a.config or [{}, {"coverage_iterations": 1},
                           {"coverage_iterations": 1, "ion_lobe": "cone"}]
    cols = _read_columns(a.out) if a.merge else {}
    peer = cols.pop("ViennaPS", None)
    for cfg in configs:
        cols[_column(cfg)] = waferlab(**{("lobe" if k == "ion_lobe" else k): v
                                         for k, v in cfg.items()})
    if not a.no_peer:
        try:
            peer = viennaps()
        except ImportError:
            pass
    if peer is not None:
        cols["ViennaPS"] = peer
    names = list(cols)
    lines = ["## sf6o2 quarter hole: depth and radius against time (waferlab vs ViennaPS)", "",
             "Parameters of the sf6o2 3D hole bench; five 0.2-min steps on the same wafer "
             "(ViennaPS re-initialises its coverages at each of its five process calls). "
             "Depth into Si at the axis / mean radius at half depth, µm.", "",
             "| t (min) | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for i in range(STEPS):
        cells = [f"{cols[n][i][0]:.3f} / {cols[n][i][1]:.3f}" for n in names]
        lines.append(f"| {DT_MIN * (i + 1):.1f} | " + " | ".join(cells) + " |")
    if "ViennaPS" in cols:
        ref = cols["ViennaPS"][-1][0]
        lines += ["", "Depth at 1 min against ViennaPS: " + ", ".join(
            f"{n} {100 * (cols[n][-1][0] / ref - 1):+.1f} %" for n in names if n != "ViennaPS")
            + "."]
    harness.write_text(a.out, "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
