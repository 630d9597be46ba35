"""A held (rate-0) mask ABOVE an etched layer (issue #17/#18, session 15, lane layerrule):
how far the engine's h/2 layer rule erodes the mask over an undercut, against the exact
offset/Hopf–Lax profile of bench_scheme_directional.py (its regions), and the height of
the undercut's ceiling (exact: the Si/mask interface, z = 0).

2D, GEO2 of bench_numerics_accuracy.py (trench half-width 0.5 µm, cut 0.2 µm into Si,
0.4 µm mask, R = 1, T = 0.5), directional etch of Si with isotropic part f (f = 1: an
isotropic etch) and tilt θ, the mask's rate 0.  Rules: ``h/2`` (the engine), and, where
the engine has ``_reuse.HELD_ABOVE`` (bench/results/held_mask_s15_inward.patch, not
merged), ``inward`` (the material at p − h/4·n̂, as ion_beam.held_layer_at).

Run: python bench/bench_held_mask.py [--h 0.05 0.025] -> stdout (rows of held_mask_s15.md)
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

import bench_scheme_directional as SD
from waferlab.feature import _reuse
from waferlab.feature import builders as B
from waferlab.feature.advect import advance
from waferlab.feature.extract import extract_surface
from waferlab.feature.grid import Grid
from waferlab.feature.models_basic import DirectionalVelocity

GEO2 = dict(a=0.5, cut_below=0.2, mask_t=0.4, R=1.0, T=0.5, L=3.0)


def ceiling(h: float, f: float) -> np.ndarray:
    """Surface heights (in h) over the undercut, 0.55 < |x| < 0.9 µm (exact: 0)."""
    g = Grid(dimension=2, spacing=h, extent=(3.0,))
    geo = B.cut_feature(B.layer_stack(g, "Si", [("Mask", 0.4)]), "trench", width=1.0,
                        depth=0.6)
    m = DirectionalVelocity(layer_speed=np.array([-1.0, 0.0]), direction=(0.0, -1.0),
                            isotropic_fraction=f)
    out, _ = advance(geo, m, 0.5, SD.CTX, kind="etch", scheme="weno5")
    p = extract_surface(out).points
    x, z = np.abs(p[:, 0]), p[:, 1]
    return z[(x > 0.55) & (x < 0.9) & (z > -0.2) & (z < 0.2)] / h


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--h", nargs="*", type=float, default=[0.05, 0.025])
    a = ap.parse_args()
    rules = [True, False] if hasattr(_reuse, "HELD_ABOVE") else [False]
    for h in a.h:
        for f, th in ((0.0, 0.0), (0.0, 15.0), (0.2, 0.0), (0.2, 15.0), (1.0, 0.0)):
            for rule in rules[::-1]:
                if hasattr(_reuse, "HELD_ABOVE"):
                    _reuse.HELD_ABOVE = rule
                r = SD.run_case(2, h, "weno5", f=f, theta_deg=th, **GEO2)
                reg = " | ".join(f"{r['regions'][k]['max_h']:.2f}" if k in r["regions"] else "—"
                                 for k in ("mask_corner", "undercut", "wall", "bottom_corner"))
                c = ceiling(h, 1.0) if f == 1.0 else np.zeros(0)
                cs = f"{c.mean():+.2f} ({c.min():+.2f} … {c.max():+.2f})" if c.size else "—"
                print(f"| {h:g} | f = {f:g}, θ = {th:g}° | {'inward' if rule else 'h/2'} | {reg} | "
                      f"{cs} | {r['cpu_s']:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
