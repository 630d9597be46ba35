"""HBr/O2 and CF4/O2 etching, waferlab ``hbro2``/``cf4o2`` side by side with ViennaPS
``HBrO2Etching``/``CF4O2Etching`` (2D trench and 3D quarter hole), whole processes.

Same parameters in both codes: each model's defaults (the peer's default parameters:
Γ_i/Γ_E/Γ_O(/Γ_C) = 12/1800/100(/100) ×10¹⁵ cm⁻²s⁻¹, 100 ± 10 eV, n = 500), 300 rays
per point, 2 threads each.  2D: trench 0.3 µm wide through a 0.3 µm mask into Si,
extent 1 µm (reflective), 10 s.  3D: the peer's quarter hole (``HoleShape.QUARTER``,
radius 0.15 µm, mask 0.3 µm, x/yExtent 1 µm → [0, 0.5 rounded up to whole spacings]²)
and waferlab's quarter hole on the same domain, 5 s.  Recorded: depth etched into Si
at the trench centre / hole axis, the width (2D) or radius (3D) at half that depth.

Each run is its own process, started one after the other, waferlab and the peer
interleaved; the wall and CPU times are those of the whole process (imports, geometry,
etch, measurement), taken by the driver (CPU: the children's user + system time).
waferlab's runs are the ``waferlab run case.yaml --threads 2 --quiet`` command, as a user
runs it (every default output written; depth / CD measured afterwards on the final
geometry of its checkpoint.npz; since session 15 — before, a library worker, so the
command's own start-up, e.g. the garbage collector held off while it imports, was not in
these rows); the peer's are this script's ``--worker`` (WAFERLAB_BENCH_WORKER=1: waferlab's
worker too, a library import without outputs).  A small waferlab run first warms numba's cache.  Writes
bench/results/etch_chemistries.md.

Run: OMP_WAIT_POLICY=passive python bench/bench_etch_chemistries.py [--models hbro2 cf4o2]
     [--dims 2 3] [--h2 0.02 0.01] [--h3 0.03] [--rays 300] [--out PATH]
The 3D refinement (bench/results/etch_chemistries_3d.md):
     python bench/bench_etch_chemistries.py --dims 3 --h3 0.02 0.015 \
         --out bench/results/etch_chemistries_3d.md
``--reference`` (3D) adds the quasi-static exact depth of a straight hole
(bench_coverage_hole.depth_reference) and each code's depth against it
(bench/results/etch_chemistries_s14.md):
     python bench/bench_etch_chemistries.py --models hbro2 --dims 3 --h3 0.02 0.01 \
         --reference --out bench/results/etch_chemistries_s14.md
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("NUMBA_NUM_THREADS", "2")

import numpy as np  # noqa: E402

import harness  # noqa: E402

OUT = Path(__file__).parent / "results" / "etch_chemistries.md"
IMG = Path(__file__).parents[1] / "docs" / "img" / "etch-chemistries.png"
WIDTH, MASK, EXTENT, TIME2 = 0.3, 0.3, 1.0, 10.0      # µm, µm, µm, s
RADIUS, TIME3 = 0.15, 5.0                              # µm, s
PEER = {"hbro2": "HBrO2Etching", "cf4o2": "CF4O2Etching"}


def quarter_extent(h: float) -> float:
    """The peer's quarter-domain side (µm): 0.5 µm rounded up to whole spacings."""
    return math.ceil(0.5 / h - 1e-9) * h


def measure2(xy: np.ndarray, h: float) -> dict:
    x, y = xy[:, 0], xy[:, 1]
    depth = -float(y[np.abs(x) < 0.25 * WIDTH].min())
    near = np.abs(y + 0.5 * depth) < 0.75 * h
    return {"depth": depth, "cd": float(np.ptp(x[near])) if near.sum() >= 2 else float("nan"),
            "mask_top": float(y[np.abs(x) > WIDTH].max())}


def measure3(xyz: np.ndarray, h: float) -> dict:
    r = np.hypot(xyz[:, 0], xyz[:, 1])
    z = xyz[:, 2]
    depth = -float(z[r < 0.5 * RADIUS].min())
    near = (np.abs(z + 0.5 * depth) <= 0.5 * h * (1 + 1e-9)) & (r < 0.45)
    rad = float(r[near].mean()) if near.any() else float("nan")
    return {"depth": depth, "cd": 2.0 * rad, "mask_top": float(z[r > 0.3].max())}


def recipe_dict(model: str, dim: int, h: float, rays: int, seed: int = 1) -> dict:
    """The case as a waferlab recipe (the worker's, and what ``waferlab run`` is given)."""
    if dim == 2:
        grid = {"dimension": 2, "spacing": f"{h!r} um", "extent": [f"{EXTENT} um"]}
        feat = {"type": "trench", "width": f"{WIDTH} um", "depth": f"{MASK} um"}
        t = TIME2
    else:
        side = quarter_extent(h)
        grid = {"dimension": 3, "spacing": f"{h!r} um", "extent": [f"{side!r} um"] * 2,
                "boundary": "reflective"}
        feat = {"type": "hole", "radius": f"{RADIUS} um", "depth": f"{MASK} um",
                "symmetry": "quarter"}
        t = TIME3
    data = {"name": "chem", "seed": seed, "grid": grid,
            "structure": {"substrate": {"material": "Si"},
                          "layers": [{"material": "Mask", "thickness": f"{MASK} um"}],
                          "feature": feat},
            "steps": [{"etch": {"model": model, "rays_per_point": rays, "cfl": 0.5,
                                "time": f"{t} s"}}]}
    return data


def worker_waferlab(model: str, dim: int, h: float, rays: int, seed: int = 1) -> dict:
    from waferlab.context import RunContext
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer

    r = recipe_from_dict(recipe_dict(model, dim, h, rays, seed))
    w = initial_wafer(r)
    for st in r.steps:
        w = st.apply(w, RunContext(seed=seed, threads=2))
    return measure_geometry(w.geometry, dim, h)


def measure_geometry(geometry, dim: int, h: float) -> dict:
    """depth / CD / mask top of waferlab's final geometry (the worker's, or the one the
    command's checkpoint.npz holds)."""
    from waferlab.feature.extract import extract_surface

    pts = extract_surface(geometry).points * 1e6
    if dim == 2:
        return {**measure2(pts, h), "pts": pts[:, :2].round(5).tolist()}
    from waferlab.feature.builders import feature_center
    c = np.array([1e6 * v for v in feature_center(geometry.grid, "quarter")])
    pts[:, :2] -= c
    return measure3(pts, h)


def worker_viennaps(model: str, dim: int, h: float, rays: int) -> dict:
    import viennaps as ps

    harness.peer_setup(ps, dim, "um")
    if dim == 2:
        d = ps.Domain(gridDelta=h, xExtent=EXTENT, yExtent=EXTENT)
        ps.MakeTrench(domain=d, trenchWidth=WIDTH, trenchDepth=0.0, maskHeight=MASK).apply()
        t = TIME2
    else:
        d = ps.Domain(gridDelta=h, xExtent=1.0, yExtent=1.0)
        ps.MakeHole(domain=d, holeRadius=RADIUS, holeDepth=0.0, maskHeight=MASK,
                    holeShape=ps.HoleShape.QUARTER).apply()
        t = TIME3
    if model == "hbro2":
        m = ps.HBrO2Etching(ps.HBrO2Etching.defaultParameters())
    else:
        m = ps.CF4O2Etching(ps.CF4O2Parameters())
    harness.peer_process(ps, d, m, t, rays)
    nodes = np.asarray(d.getSurfaceMesh().getNodes())
    if dim == 2:
        return {**measure2(nodes[:, :2], h), "pts": nodes[:, :2].round(5).tolist()}
    return measure3(nodes, h)


def _command() -> list[str]:
    """The ``waferlab`` command of this interpreter's environment (its console script,
    else ``python -m waferlab``, the same command)."""
    script = Path(sys.executable).parent / "waferlab"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "waferlab"]


def launch_command(model: str, dim: int, h: float, rays: int) -> dict:
    """The case as a user runs it, ``waferlab run case.yaml --threads 2 --quiet`` in a
    temporary folder (every default output written), the whole process; depth / CD
    measured afterwards, in this process, on the final geometry of the checkpoint.npz it
    wrote (the worker's measurement, measure_geometry)."""
    import tempfile

    import yaml
    from waferlab.io.checkpoint import load_checkpoint

    with tempfile.TemporaryDirectory() as tmp:
        case = Path(tmp) / "case.yaml"
        case.write_text(yaml.safe_dump(recipe_dict(model, dim, h, rays), sort_keys=False))
        cmd = [*_command(), "run", str(case), "--out", str(Path(tmp) / "out"),
               "--threads", "2", "--quiet"]
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        geometry = load_checkpoint(Path(tmp) / "out" / "checkpoint.npz").wafer.geometry
    res = measure_geometry(geometry, dim, h)
    res.update(wall=wall, cpu=(r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    return res


def launch(code: str, model: str, dim: int, h: float, rays: int) -> dict:
    """One whole process; its result with wall and CPU seconds.  waferlab: the
    ``waferlab run`` command (launch_command), as the user runs it; the peer (and
    waferlab with WAFERLAB_BENCH_WORKER=1): this script's ``--worker``."""
    if code == "waferlab" and not os.environ.get("WAFERLAB_BENCH_WORKER"):
        return launch_command(model, dim, h, rays)
    cmd = [sys.executable, __file__, "--worker", code, "--models", model, "--dims", str(dim),
           "--h2", repr(h), "--h3", repr(h), "--rays", str(rays)]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res.update(wall=wall, cpu=(r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    return res


def plot(profiles: dict, path: Path) -> None:
    """The 2D surfaces (points) of both codes, one panel per model."""
    from waferlab.io.plots import subplots

    models = sorted({m for m, _ in profiles})
    fig, axes = subplots(1, len(models), figsize=(4.2 * len(models), 4.2))
    axes = np.atleast_1d(axes)
    for ax, m in zip(axes, models):
        for code, style in (("viennaps", dict(s=9, c="tab:orange", label="ViennaPS 4.7")),
                            ("waferlab", dict(s=3, c="k", label="waferlab"))):
            if (m, code) in profiles:
                p = profiles[(m, code)]
                ax.scatter(p[:, 0], p[:, 1], **style)
        ax.set_title(f"{m}: 2D trench, {TIME2:g} s")
        ax.set_xlabel("x (µm)")
        ax.set_aspect("equal")
        ax.legend(loc="lower right", fontsize=8)
    axes[0].set_ylabel("y (µm)")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, cwd=Path(__file__).parent).stdout.strip()
    except OSError:
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", choices=("waferlab", "viennaps"))
    ap.add_argument("--launch", choices=("waferlab", "viennaps"),
                    help="one run as launch() makes it (waferlab: the command), its result "
                         "with the run's wall and CPU (for bench_etchspeed17)")
    ap.add_argument("--models", nargs="+", default=["hbro2", "cf4o2"])
    ap.add_argument("--dims", nargs="+", type=int, default=[2, 3])
    ap.add_argument("--h2", nargs="+", type=float, default=[0.02, 0.01])
    ap.add_argument("--h3", nargs="+", type=float, default=[0.03])
    ap.add_argument("--rays", type=int, default=300)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--reference", action="store_true",
                    help="3D: also the quasi-static exact depth of a straight hole "
                         "(bench_coverage_hole.depth_reference)")
    a = ap.parse_args()
    if a.launch:
        dim, model = a.dims[0], a.models[0]
        print(json.dumps(launch(a.launch, model, dim, a.h2[0] if dim == 2 else a.h3[0], a.rays)))
        return
    if a.worker:
        dim, model = a.dims[0], a.models[0]
        h = a.h2[0] if dim == 2 else a.h3[0]
        fn = worker_waferlab if a.worker == "waferlab" else worker_viennaps
        print(json.dumps(fn(model, dim, h, a.rays)))
        return
    launch("waferlab", "hbro2", 2, 0.05, 20)         # warm numba's cache
    rows, notes, profiles = [], [], {}
    load0 = os.getloadavg()
    for model in a.models:
        for dim in a.dims:
            hs = a.h2 if dim == 2 else a.h3
            res = {}
            for h in hs:
                for code in ("waferlab", "viennaps"):
                    r = launch(code, model, dim, h, a.rays)
                    res[(code, h)] = r
                    if dim == 2 and h == hs[0]:
                        profiles[(model, code)] = np.asarray(r["pts"])
                    rows.append(f"| {model} | {dim}D | {h:g} | {code} | {r['depth']:.4f} | "
                                f"{r['cd']:.4f} | {r['mask_top']:.4f} | {r['wall']:.1f} | "
                                f"{r['cpu']:.1f} |")
                    print(rows[-1], flush=True)
            href = min(hs)
            ref = res[("viennaps", href)]
            if a.reference and dim == 3:
                import bench_coverage_hole
                c0 = time.process_time()
                d_ref, table = bench_coverage_hole.depth_reference(
                    model, TIME3, [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35])
                rows.append(f"| {model} | 3D | | exact, straight hole | {d_ref:.4f} | | | | "
                            f"{time.process_time() - c0:.1f} |")
                notes.append(f"- {model} 3D: the exact bottom speed of a straight hole "
                             "(`validation.coverage_hole`, bench_coverage_hole.py) at D_si = "
                             + ", ".join(f"{d:g}" for d, _ in table) + " µm: "
                             + ", ".join(f"{v:.5f}" for _, v in table) + " µm/s; dD/dt = v(D) "
                             f"integrated over {TIME3:g} s gives {d_ref:.4f} µm.")
                for h in hs:
                    w, p = res[("waferlab", h)], res[("viennaps", h)]
                    notes.append(f"- {model} 3D, h = {h:g} µm, against that depth: waferlab "
                                 f"{100 * (w['depth'] / d_ref - 1):+.2f} %, ViennaPS "
                                 f"{100 * (p['depth'] / d_ref - 1):+.2f} %.")
            for h in hs:
                w, p = res[("waferlab", h)], res[("viennaps", h)]
                notes.append(
                    f"- {model} {dim}D, h = {h:g} µm: waferlab vs ViennaPS at the same h: depth "
                    f"{100 * (w['depth'] / p['depth'] - 1):+.2f} %, CD {(w['cd'] - p['cd']) / h:+.2f} "
                    f"spacings; vs ViennaPS at h = {href:g}: depth "
                    f"{100 * (w['depth'] / ref['depth'] - 1):+.2f} %, CD "
                    f"{(w['cd'] - ref['cd']) / h:+.2f} spacings; wall ratio "
                    f"{w['wall'] / p['wall']:.2f}, CPU ratio {w['cpu'] / p['cpu']:.2f}.")
            if len(hs) > 1:
                p1, p2 = res[("viennaps", hs[0])], res[("viennaps", hs[-1])]
                notes.append(f"- {model} {dim}D: ViennaPS h {hs[0]:g} → {hs[-1]:g} µm moves the "
                             f"depth {100 * (p2['depth'] / p1['depth'] - 1):+.2f} %, the CD "
                             f"{(p2['cd'] - p1['cd']) * 1e3:+.1f} nm.")
    load1 = os.getloadavg()
    if profiles:
        plot(profiles, IMG)
    text = [f"## hbro2 / cf4o2 vs ViennaPS HBrO2Etching / CF4O2Etching (commit {_commit()})", "",
            f"Each model's defaults (= the peer's defaults), {a.rays} rays/point, 2 threads each, one "
            "process per run (wall and CPU of the whole process). 2D: trench 0.3 µm in a 0.3 µm "
            "mask, extent 1 µm, 10 s. 3D: quarter hole r = 0.15 µm, mask 0.3 µm, 5 s. CD: width "
            "at half the depth (2D), twice the mean radius there (3D).", "",
            "| model | dim | h (µm) | code | depth into Si (µm) | CD (µm) | mask top (µm) | "
            "wall (s) | CPU (s) |", "|---|---|---|---|---|---|---|---|---|", *rows, "", *notes, "",
            f"Load average {load0[0]:.1f} at the start, {load1[0]:.1f} at the end "
            f"(shared 2-core machine).", ""]
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text("\n".join(text))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
