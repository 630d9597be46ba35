"""Per-ray cost of the 3D flux tracer: the level set's voxel cell lists (default) against
the overlap cell lists on the domain-aligned grid (``FluxTracer(cell_factor=1.0)``, the
binning before), interleaved in one process, on level-set surfaces like those of the
#17 benches: the fluorocarbon contact hole (r 30 nm in a 50 nm mask, 110 nm deep,
h 5 nm, extent 120 nm) and the ion-beam trench (5 µm in a 1 µm mask, 2 µm deep,
h 0.1 µm, extent 10 × 0.4 µm).  Species: a diffuse neutral pair (sticking 0.05 / 0.3,
one ray group) and a directional ion (cos¹⁰⁰ source, sticking 0.2, coned specular
lobe).  Reports CPU µs per ray (process time, best of 3, 1 thread) and checks that both
binnings give the same tallies bit for bit.

Run: python bench/bench_tracer_rays.py   → bench/results/tracer_rays.md
"""
from __future__ import annotations

import harness

harness.configure(threads=1)

import os  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

OUT = harness.RESULTS / "tracer_rays.md"


def surfaces():
    from waferlab.feature.builders import cut_feature, layer_stack
    from waferlab.feature.extract import extract_surface
    from waferlab.feature.grid import Grid

    g = Grid(dimension=3, spacing=5e-9, extent=(120e-9, 120e-9))
    hole = cut_feature(layer_stack(g, "SiO2", [("Mask", 50e-9)]), "hole", radius=30e-9,
                       depth=160e-9)
    g = Grid(dimension=3, spacing=0.1e-6, extent=(10e-6, 0.4e-6))
    trench = cut_feature(layer_stack(g, "Si", [("Mask", 1e-6)]), "trench", width=5e-6,
                         depth=3e-6)
    return {"contact hole (fluorocarbon 3D)": extract_surface(hole),
            "ion-beam trench (3D)": extract_surface(trench)}


def main() -> None:
    from waferlab.feature.flux.engine import FluxTracer
    from waferlab.feature.flux.sources import Species

    groups = {"neutral pair": (Species(name="a", sticking=0.05), Species(name="b", sticking=0.3)),
              "ion": (Species(name="ion", sticking=0.2, source_exponent=100.0, specular=1.0,
                              specular_cone=1.4),)}
    seeds = np.arange(1, 65, dtype=np.uint64) * 7919
    rows = []
    for sname, s in surfaces().items():
        new, old = FluxTracer(s), FluxTracer(s, cell_factor=1.0)
        n_rays = 300 * s.grid_points
        for gname, grp in groups.items():
            best = {"old": 1e9, "new": 1e9}
            out = {}
            for tr in (old, new):
                tr._run(grp, 640, seeds)                          # compile / warm
            for _ in range(3):
                for key, tr in (("old", old), ("new", new)):
                    c0 = time.process_time()
                    out[key] = tr._run(grp, n_rays, seeds)
                    best[key] = min(best[key], time.process_time() - c0)
            same = all(np.array_equal(a, b) for a, b in zip(out["old"][:4], out["new"][:4]))
            rows.append(f"| {sname} | {gname} | {len(s.elements)} | {len(old.citems)} → "
                        f"{len(new.citems)} | {1e6 * best['old'] / n_rays:.3f} | "
                        f"{1e6 * best['new'] / n_rays:.3f} | "
                        f"{100 * (best['new'] / best['old'] - 1):+.0f} % | "
                        f"{'yes' if same else 'NO'} |")
            print(rows[-1], flush=True)
    text = ["# Per-ray cost of the 3D flux tracer (issue #17)", "",
            "`python bench/bench_tracer_rays.py`: overlap cell lists on the domain-aligned grid "
            "(before) against the level set's voxel cell lists (after), interleaved in one "
            "process, 1 thread, 300 rays per surface point, CPU µs per ray (best of 3); "
            f"load average {os.getloadavg()[0]:.1f} (shared 2-core machine).", "",
            "| surface | species | elements | list entries before → after | before (µs/ray) "
            "| after (µs/ray) | change | same tallies |", "|---|---|---|---|---|---|---|---|",
            *rows]
    harness.write_text(OUT, "\n".join(text))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
