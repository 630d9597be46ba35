"""docs/img/scale.png: whole-process CPU time, wall time and peak memory against the lateral
cell size, waferlab and ViennaPS, from bench/results/scale.json (bench/bench_scale.py).

Curves: waferlab before issue #18 (tag ``before``), at the end of session 8
(``session8-sparse``), session 9 (``s9-merged``), session 10 (``s10-sparse``) and now
(tags ``s11-sparse*``: one launch of every size with main as a baseline beside it, and
20.48 µm alone), and the peer measured in the same launch as the newest waferlab rows.  docs/scale.md reads it.

Run: python docs/img/make_scale_figure.py
"""
from __future__ import annotations

import json
from pathlib import Path

from waferlab.io.plots import subplots

ROOT = Path(__file__).resolve().parents[2]
KEYS = (("cpu_s", 1.0), ("wall_s", 1.0), ("rss_mb", 1 / 1024))


def series(data: dict, prefix: str, code: str) -> tuple[list[float], list[dict], str]:
    """(sizes, rows, commits) of ``code`` over the tags starting with ``prefix`` (the
    newest tag wins a size measured twice)."""
    rows: dict[float, dict] = {}
    commits = []
    for tag, d in data.items():
        if tag.startswith(prefix):
            for r in d["rows"]:
                if r.get(code) and r[code]["rc"] == 0:
                    rows[r["L_um"]] = r[code]
            commits.append(d["commit"])
    sizes = sorted(rows)
    return sizes, [rows[s] for s in sizes], ", ".join(dict.fromkeys(commits))


def main() -> None:
    data = json.loads((ROOT / "bench" / "results" / "scale.json").read_text())
    fig, axes = subplots(1, 3, figsize=(13, 4), layout="constrained")
    curves = [("before", "waferlab", "tab:red", "s--", "waferlab before #18"),
              ("session8-sparse", "waferlab", "tab:green", "D-", "waferlab session 8"),
              ("s9-merged", "waferlab", "tab:blue", "o-", "waferlab session 9"),
              ("s10-sparse", "waferlab", "tab:purple", "v-", "waferlab session 10"),
              ("s11-sparse", "waferlab", "tab:orange", "P-", "waferlab session 11"),
              ("s11-sparse", "viennaps", "k", "^:", "ViennaPS 4.7 (same launch)")]
    for prefix, code, color, mark, label in curves:
        sizes, rows, commits = series(data, prefix, code)
        if not rows:
            continue
        for ax, (key, scale) in zip(axes, KEYS):
            ax.plot(sizes, [r[key] * scale for r in rows], mark, color=color,
                    label=f"{label} ({commits})")
    for ax, title, unit in zip(axes, ("CPU time (user + system)", "wall time (shared machine)",
                                      "peak memory (RSS)"), ("s", "s", "GB")):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("lateral cell size (µm)")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
    axes[2].axhline(0.5, color="gray", lw=0.8)
    axes[2].text(2.6, 0.52, "500 MB target (10.24 µm)", color="gray", fontsize=8)
    axes[0].legend(fontsize=7)
    fig.suptitle("3D masked hole, directional etch 0.5 µm, h = 0.02 µm, defaults, 2 threads, "
                 "whole process")
    fig.savefig(ROOT / "docs" / "img" / "scale.png", dpi=110)


if __name__ == "__main__":
    main()
