"""docs/img/scale.png: whole-process CPU time, wall time and peak memory against the lateral
cell size, waferlab (before/after issue #18) and ViennaPS, from bench/results/scale.json.

Run: python docs/img/make_scale_figure.py
"""
from __future__ import annotations

import json
from pathlib import Path

from waferlab.io.plots import subplots

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    data = json.loads((ROOT / "bench" / "results" / "scale.json").read_text())
    fig, axes = subplots(1, 3, figsize=(13, 4), layout="constrained")
    styles = {"before": ("tab:red", "s--"), "after": ("tab:blue", "o-"),
              "after, waferlab only": ("tab:cyan", "v-"), "session 7": ("tab:green", "D-")}
    peer_done = False
    for tag, d in data.items():
        color, mark = styles.get(tag, ("tab:green", "^-"))
        rows = [r for r in d["rows"] if r["waferlab"]["rc"] == 0]
        L = [r["L_um"] for r in rows]
        for ax, key, scale in zip(axes, ("cpu_s", "wall_s", "rss_mb"), (1, 1, 1 / 1024)):
            ax.plot(L, [r["waferlab"][key] * scale for r in rows], mark, color=color,
                    label=f"waferlab ({tag}, {d['commit']})")
    for tag, d in reversed(list(data.items())):     # the peer of the newest launch
        vrows = [r for r in d["rows"] if r.get("viennaps") and r["viennaps"]["rc"] == 0]
        if vrows and not peer_done:
            Lv = [r["L_um"] for r in vrows]
            for ax, key, scale in zip(axes, ("cpu_s", "wall_s", "rss_mb"), (1, 1, 1 / 1024)):
                ax.plot(Lv, [r["viennaps"][key] * scale for r in vrows], "k^:",
                        label=f"ViennaPS {d.get('viennaps')} ({tag} launch)")
            peer_done = True
    for ax, title, unit in zip(axes, ("CPU time (user + system)", "wall time (shared machine)",
                                      "peak memory (RSS)"), ("s", "s", "GB")):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("lateral cell size (µm)")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
    axes[2].axhline(0.5, color="gray", lw=0.8)
    axes[2].text(2.6, 0.52, "500 MB target", color="gray", fontsize=8)
    axes[0].legend(fontsize=8)
    fig.suptitle("3D masked hole, directional etch 0.5 µm, h = 0.02 µm, defaults, 2 threads")
    fig.savefig(ROOT / "docs" / "img" / "scale.png", dpi=110)


if __name__ == "__main__":
    main()
