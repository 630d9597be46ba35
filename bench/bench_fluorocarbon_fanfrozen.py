"""Fluorocarbon 2D trench, 30 s: waferlab's rates against the exact rates on the fan
reference's own final profile, frozen, by height above its tip (issue #17, the 2D depth).

The profile: a JSON {"poly": [[x, y] nm ...]} written by bench_fluorocarbon_fans.py's
child (``validation.front_fans.evolve_fans``).  Exact: ``coverage_profile`` on it,
re-sampled at 1 nm, 2e6 ions, published balances; waferlab: ``element_rates`` on a level
set built from the polyline at each h (bench_fluorocarbon_profile.waferlab_on: 1000
rays/point, coverages iterated 8 times).  Printed per band of height above the deepest
point: V (nm/s; exact length-weighted, waferlab the plain mean of its elements).

Run: python bench/bench_fluorocarbon_fanfrozen.py PROFILE.json [h ...]   (default h: 2 1)
The exact rates and each waferlab run are cached beside PROFILE.json.
"""
from __future__ import annotations

import harness

harness.configure(threads=1)

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

BANDS = ((0, 5), (5, 10), (10, 20), (20, 40), (40, 70), (70, 110))     # nm above the tip


def main() -> None:
    from bench_fluorocarbon_frozen import _spec
    from bench_fluorocarbon_profile import waferlab_on
    from waferlab.validation.coverage_profile import coverage_profile, resample
    src = sys.argv[1]
    hs = [float(x) for x in sys.argv[2:]] or [2.0, 1.0]
    P = np.asarray(json.load(open(src))["poly"])
    model = _spec().build(kind="etch", materials=("SiO2", "Mask"), target=None).model
    mi, si = model.materials.index("Mask"), model.materials.index("SiO2")
    Q = resample(P * 1e-9, 1e-9) / 1e-9
    cen = 0.5 * (Q[:-1] + Q[1:])
    cache = src + ".exact.npz"
    c0 = time.process_time()
    if os.path.exists(cache):
        z = np.load(cache)
        speed, length = z["speed"], z["length"]
    else:
        r = coverage_profile(model, Q * 1e-9, np.where(cen[:, 1] > 0.0, mi, si),
                             n_ions=2_000_000)
        speed, length = r.speed, r.length
        np.savez(cache, speed=speed, length=length, normal=r.normal)
    cpu_exact = time.process_time() - c0
    ymin = Q[:, 1].min()

    def bands(y, v, w):
        out = []
        for lo, hi in BANDS:
            m = (y - ymin >= lo) & (y - ymin < hi)
            out.append(float(np.sum(v[m] * w[m]) / np.sum(w[m])))
        return out
    ex = bands(cen[:, 1], speed * 1e9, length * 1e9)
    res = {}
    for h in hs:
        out = src + f".wl_on_{h:g}.json"
        if not os.path.exists(out):
            waferlab_on(src, h, out)
        d = json.load(open(out))
        y, v = np.asarray(d["y"]), np.asarray(d["v"])
        res[h] = bands(y, v, np.ones_like(v))
    print(f"exact CPU {cpu_exact:.0f} s (0 if cached); load {os.getloadavg()[0]:.1f}")
    print("| nm above the tip | exact V (nm/s) | "
          + " | ".join(f"waferlab h {h:g} nm (vs exact)" for h in hs) + " |")
    print("|---|---|" + "---|" * len(hs))
    for i, (lo, hi) in enumerate(BANDS):
        print(f"| {lo}–{hi} | {ex[i]:.3f} | "
              + " | ".join(f"{res[h][i]:.3f} ({100 * (res[h][i] / ex[i] - 1):+.0f} %)"
                           for h in hs) + " |")


if __name__ == "__main__":
    main()
