"""Case U of bench_ald.py at 12.5 nm with waferlab's defaults, seeds 1-8: the mean
deviation from the exact radiosity reference per probe (the bias) and the seed-to-seed
scatter (the Monte Carlo noise of 300 rays per point).  Prints the table appended to
bench/results/ald.md.  Run: python bench/ald_seeds_u.py"""
import sys

import numpy as np
sys.path.insert(0, __import__('os').path.dirname(__file__))
import bench_ald as b
REF = dict(field=99.8, bottom=48.5, w10=91.6, w30=61.8, w50=32.2, w70=17.5, w90=13.8)
h = b.H / 2
b.wl_run("U", 4 * b.H, 20)
devs = []
for seed in range(1, 9):
    r = b.wl_run("U", h, b.RAYS, seed=seed)
    devs.append([100 * (1e3 * r[k] / REF[k] - 1) for k in b.KEYS])
    print(seed, " ".join(f"{x:+.1f}" for x in devs[-1]), f"wall {r['wall']:.2f}", flush=True)
d = np.array(devs)
print("keys", b.KEYS)
print("mean", " ".join(f"{x:+.2f}" for x in d.mean(0)))
print("sem ", " ".join(f"{x:.2f}" for x in d.std(0, ddof=1) / np.sqrt(len(d))))
print("sd  ", " ".join(f"{x:.2f}" for x in d.std(0, ddof=1)))
