"""docs/img/scale.png: whole-process CPU time and peak memory against the lateral cell
size, waferlab and ViennaPS, from bench/results/scale*.json (bench/bench_scale.py).

Curves: waferlab before issue #18 (scale.json, tag ``before``), session 11
(``s11-sparse``), session 14 (scale_s14.json), and the newest launch (scale_s16.json:
main as the baseline, this code and the peer, all in that one launch).  Wall time is
left out: on the shared 2-core machine it measures the queue (docs/scale.md).  The third
panel is the CPU ratio to the peer measured in the same launch.  docs/scale.md reads it.

Run: python docs/img/make_scale_figure.py
"""
from __future__ import annotations

import json
from pathlib import Path

from waferlab.io.plots import subplots

ROOT = Path(__file__).resolve().parents[2]
RES = ROOT / "bench" / "results"


def series(stem: str, tag: str, code: str) -> tuple[list[float], list[dict], list[dict], str]:
    """(sizes, rows of ``code``, the peer's rows of the same launch, commit) of one tag."""
    data = json.loads((RES / f"{stem}.json").read_text())
    d = data[tag]
    rows = [r for r in d["rows"] if r.get(code) and r[code]["rc"] == 0]
    commit = d.get("baseline_commit", "main") if code == "baseline" else d["commit"]
    return ([r["L_um"] for r in rows], [r[code] for r in rows],
            [r.get("viennaps") for r in rows], commit)


def main() -> None:
    fig, axes = subplots(1, 3, figsize=(14, 4.3), layout="constrained")
    newest = ("scale_s16", "s16-outputs")
    curves = [("scale", "before", "waferlab", "tab:red", "s--", "waferlab before #18"),
              ("scale", "s11-sparse", "waferlab", "tab:orange", "P-", "waferlab session 11"),
              ("scale_s14", "s14-scalecpu", "waferlab", "tab:purple", "v-",
               "waferlab session 14"),
              (*newest, "baseline", "tab:gray", "o-", "waferlab main (session 15 merged)"),
              (*newest, "waferlab", "tab:blue", "D-", "waferlab session 16 (outputs)"),
              (*newest, "viennaps", "k", "^:", "ViennaPS 4.7 (same launch)")]
    for stem, tag, code, color, mark, label in curves:
        sizes, rows, peer, commit = series(stem, tag, code)
        if not rows:
            continue
        lab = f"{label} ({commit})" if code != "viennaps" else label
        axes[0].plot(sizes, [r["cpu_s"] for r in rows], mark, color=color, label=lab)
        axes[1].plot(sizes, [r["rss_mb"] / 1024 for r in rows], mark, color=color, label=lab)
        if code != "viennaps":
            ok = [(s, r["cpu_s"] / p["cpu_s"]) for s, r, p in zip(sizes, rows, peer)
                  if p and p["rc"] == 0]
            axes[2].plot([s for s, _ in ok], [q for _, q in ok], mark, color=color, label=lab)
    for ax, title, unit in zip(axes, ("CPU time of the whole process (user + system)",
                                      "peak memory (RSS)",
                                      "CPU ratio waferlab / ViennaPS (same launch)"),
                               ("s", "GB", "ratio")):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("lateral cell size (µm)")
        ax.set_ylabel(unit)
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
    axes[1].axhline(0.5, color="gray", lw=0.8)
    axes[1].text(2.6, 0.53, "500 MB target (10.24 µm)", color="gray", fontsize=8)
    axes[2].axhline(1.0, color="gray", lw=0.8)
    axes[2].text(2.6, 1.04, "target ≤ 1 (10.24 µm)", color="gray", fontsize=8)
    axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle("3D masked hole, directional etch 0.5 µm, h = 0.02 µm, defaults, 2 threads, "
                 "whole process (bench/bench_scale.py)")
    fig.savefig(ROOT / "docs" / "img" / "scale.png", dpi=110)


if __name__ == "__main__":
    main()
