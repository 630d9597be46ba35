"""Intel Embree (PyPI ``embreex``) against waferlab's numba cast on the same rays (#17/#18).

The rays are real: a tracer-like walk (diffuse neutral, cosine source, sticking 0.05,
cosine re-emission, Russian roulette like the engine, mirror/periodic sides as the
surface says) records the origin and direction of every cast it makes on the
marching-cubes surface of the level set (the fluorocarbon contact hole of
bench_tracer_rays, a scaled-up hole, the ion-beam trench).  Those casts are then
replayed in one batch by

- numba: ``flux._cast3d.cast3d`` in a ``prange`` loop, plain DDA (skip field zero) and
  with empty-space skipping (the engine's default);
- Embree: one ``EmbreeScene.run(origins, directions, output=1)`` (embreex: a loop of
  ``rtcIntersect1`` over the rays), the float64 → float32 conversion of the rays
  included (the Python round trip a batched tracer pays per bounce); with 2 threads
  the batch is split in two halves run from two Python threads.

Embree is single precision and its ``run`` has no tnear: origins are moved 1e-4 h along
the ray (the engine moves them 1e-9 of the domain along the normal, below float32
resolution).  The table gives CPU ns per cast (process time, best of 3), wall ns per
cast, and the agreement of the first hit (same element or both none), on all casts and
on the casts whose numba hit is farther than 1e-3 h (the rest: re-emissions from a
point within ~1e-5 h of a concave edge that hit the neighbouring triangle at once;
Embree's 1e-4 h offset steps over them).  The wheel size and the import time of a
fresh venv are noted by hand in the results file.

Run: python bench/bench_embree_rays.py [--threads 1 2] → bench/results/embree_rays.md
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import argparse  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

import numba  # noqa: E402
import numpy as np  # noqa: E402
from numba import njit, prange  # noqa: E402

from waferlab.feature.flux import _kernels as K  # noqa: E402
from waferlab.feature.flux._cast3d import cast3d  # noqa: E402
from waferlab.feature.flux._rng import _seed_state, _uniform  # noqa: E402

OUT = harness.RESULTS / "embree_rays.md"


@njit(cache=True)
def record(cd, nrm, glo, gh, gn, cstart, citems, blo, bhi, skip, z_launch, eps, stick,
           nrays, O, D, periodic):
    """Walk ``nrays`` diffuse rays like the engine's kernel; store each cast's o and d
    (up to len(O)); return the number of casts."""
    s = np.empty(4, np.uint64)
    _seed_state(np.uint64(12345), s)
    nc = 0
    for _r in range(nrays):
        ox = blo[0] + _uniform(s) * (bhi[0] - blo[0])
        oy = blo[1] + _uniform(s) * (bhi[1] - blo[1])
        oz = z_launch
        ct = math.sqrt(1.0 - _uniform(s))
        st = math.sqrt(1.0 - ct * ct)
        ph = 2.0 * math.pi * _uniform(s)
        dx, dy, dz = st * math.cos(ph), st * math.sin(ph), -ct
        w = 1.0
        for _ev in range(100000):
            if nc < O.shape[0]:
                O[nc, 0], O[nc, 1], O[nc, 2] = ox, oy, oz
                D[nc, 0], D[nc, 1], D[nc, 2] = dx, dy, dz
            nc += 1
            e, t, code, a = cast3d(ox, oy, oz, dx, dy, dz, cd, glo, gh, gn, cstart, citems,
                                   blo, bhi, skip)
            if code == K.HIT:
                n0, n1, n2 = nrm[e, 0], nrm[e, 1], nrm[e, 2]
                w *= 1.0 - stick
                if w < 0.1:
                    if _uniform(s) * 0.3 >= w:
                        break
                    w = 0.3
                xi = _uniform(s)
                sr = math.sqrt(xi)
                ph = 2.0 * math.pi * _uniform(s)
                hx, hy, hz = ox + t * dx, oy + t * dy, oz + t * dz
                dx, dy, dz = K._about(n0, n1, n2, sr * math.cos(ph), sr * math.sin(ph),
                                      math.sqrt(1.0 - xi))
                ox, oy, oz = hx + eps * n0, hy + eps * n1, hz + eps * n2
            elif code == K.SIDE_LO or code == K.SIDE_HI:
                ox, oy, oz, dx, dy = K.side_exit(code, a, t, ox, oy, oz, dx, dy, dz, blo, bhi,
                                                 periodic)
            else:
                break
    return nc


@njit(cache=True, parallel=True)
def cast_batch(O, D, cd, glo, gh, gn, cstart, citems, blo, bhi, skip, el, tt):
    for i in prange(O.shape[0]):
        e, t, code, a = cast3d(O[i, 0], O[i, 1], O[i, 2], D[i, 0], D[i, 1], D[i, 2], cd, glo,
                               gh, gn, cstart, citems, blo, bhi, skip)
        el[i] = e
        tt[i] = t


def surfaces():
    from waferlab.feature.builders import cut_feature, layer_stack
    from waferlab.feature.extract import extract_surface
    from waferlab.feature.grid import Grid

    out = {}                        # the surfaces of bench_tracer_rays, and a larger hole
    g = Grid(dimension=3, spacing=5e-9, extent=(120e-9, 120e-9))
    hole = cut_feature(layer_stack(g, "SiO2", [("Mask", 50e-9)]), "hole", radius=30e-9,
                       depth=160e-9)
    out["contact hole (fluorocarbon 3D)"] = extract_surface(hole)
    g = Grid(dimension=3, spacing=0.1e-6, extent=(10e-6, 0.4e-6))
    trench = cut_feature(layer_stack(g, "Si", [("Mask", 1e-6)]), "trench", width=5e-6,
                         depth=3e-6)
    out["ion-beam trench (3D)"] = extract_surface(trench)
    g = Grid(dimension=3, spacing=5e-9, extent=(240e-9, 240e-9))
    big = cut_feature(layer_stack(g, "SiO2", [("Mask", 60e-9)]), "hole", radius=70e-9,
                      depth=400e-9)
    out["scaled hole (r 70 nm, 400 nm deep, h 5 nm)"] = extract_surface(big)
    return out


def _embree_scene(s, tr, origin):
    from embreex import rtcore_scene
    from embreex.mesh_construction import TriangleMesh

    idx = np.flatnonzero(tr.valid)
    scene = rtcore_scene.EmbreeScene()
    TriangleMesh(scene, ((s.points - origin) / s.spacing).astype(np.float32),
                 np.asarray(s.elements)[idx].astype(np.int32))
    return scene, idx


def _embree_run(scene, O, D, origin, h, threads):
    """The batch in Embree: conversion to float32 scene units (origins moved 1e-4 h along
    the ray) and one ``run`` per thread; returns (primID, tfar in h)."""
    Of = ((O - origin) / h + 1e-4 * D).astype(np.float32)
    Df = D.astype(np.float32)
    if threads == 1:
        r = scene.run(Of, Df, output=1)
        return r["primID"], r["tfar"]
    cut = np.linspace(0, len(O), threads + 1).astype(int)
    with ThreadPoolExecutor(threads) as ex:
        rs = list(ex.map(lambda ab: scene.run(Of[ab[0]:ab[1]], Df[ab[0]:ab[1]], output=1),
                         zip(cut[:-1], cut[1:])))
    return (np.concatenate([r["primID"] for r in rs]), np.concatenate([r["tfar"] for r in rs]))


def main() -> None:
    from waferlab.feature.flux.engine import FluxTracer

    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    ap.add_argument("--rays", type=int, default=250_000)
    a = ap.parse_args()
    rows = []
    for name, s in surfaces().items():
        tr = FluxTracer(s)
        blo = np.ascontiguousarray(tr.lateral[:, 0])
        bhi = np.ascontiguousarray(tr.lateral[:, 1])
        h = float(s.spacing)
        O = np.empty((3_000_000, 3))
        D = np.empty((3_000_000, 3))
        nc = record(tr.cdata, tr.normals, tr.glo, tr.gh, tr.gn, tr.cstart, tr.citems, blo, bhi,
                    tr.skip, tr.z_launch, tr.eps, 0.05, a.rays, O, D, s.boundary == "periodic")
        n_rec = min(nc, len(O))
        O, D = O[:n_rec], D[:n_rec]
        origin = np.array([tr.lateral[0, 0], tr.lateral[1, 0], tr.glo[2]])
        t0 = time.process_time()
        scene, idx = _embree_scene(s, tr, origin)
        _embree_run(scene, O[:8], D[:8], origin, h, 1)                    # commit (BVH build)
        t_build = time.process_time() - t0
        el = np.empty(n_rec, np.int64)
        tt = np.empty(n_rec)
        zero = np.zeros_like(tr.skip)
        for threads in a.threads:
            numba.set_num_threads(threads)
            best: dict[str, list] = {}
            for _ in range(3):
                for key, skip in (("numba plain DDA", zero), ("numba skipping", tr.skip)):
                    c0, w0 = time.process_time(), time.perf_counter()
                    cast_batch(O, D, tr.cdata, tr.glo, tr.gh, tr.gn, tr.cstart, tr.citems,
                               blo, bhi, skip, el, tt)
                    c, w = time.process_time() - c0, time.perf_counter() - w0
                    best[key] = [min(best.get(key, [9e9])[0], c), min(best.get(key, [0, 9e9])[1], w)]
                c0, w0 = time.process_time(), time.perf_counter()
                prim, tfar = _embree_run(scene, O, D, origin, h, threads)
                c, w = time.process_time() - c0, time.perf_counter() - w0
                key = "Embree (embreex)"
                best[key] = [min(best.get(key, [9e9])[0], c), min(best.get(key, [0, 9e9])[1], w)]
            emb = np.where(prim >= 0, idx[np.maximum(prim, 0)], -1)
            same = emb == el
            far = (el < 0) | (tt > 1e-3 * h)
            load = os.getloadavg()[0]
            for key, (c, w) in best.items():
                agree = ("—" if key.startswith("numba") else
                         f"{100 * same.mean():.2f} % / {100 * same[far].mean():.3f} %")
                rows.append(f"| {name} | {len(idx)} | {n_rec / a.rays:.2f} | "
                            f"{100 * (~far).mean():.1f} % | {threads} | {key} | "
                            f"{1e9 * c / n_rec:.0f} | {1e9 * w / n_rec:.0f} | {agree} | "
                            f"{load:.1f} |")
                print(rows[-1], flush=True)
        print(f"   {name}: Embree scene build + commit {t_build:.3f} s CPU", flush=True)
    text = ["# Embree (embreex 4.4.0.post1) against the numba cast, same rays (#17/#18)", "",
            f"`python bench/bench_embree_rays.py --rays {a.rays}`: every cast of a diffuse "
            "walk (sticking 0.05) recorded on the level-set surface, then replayed in one "
            "batch by each caster; Embree includes the float32 conversion of the batch. "
            "CPU = process time (all threads), best of 3; wall likewise; agreement = same "
            "first hit (element or none) on all casts / on casts not ending within 1e-3 h "
            "of their origin.", "",
            "| surface | triangles | casts per ray | micro-hops (hit < 1e-3 h) | threads | "
            "caster | CPU ns/cast | wall ns/cast | same first hit | load |",
            "|---|---|---|---|---|---|---|---|---|---|", *rows]
    harness.write_text(OUT, "\n".join(text))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
