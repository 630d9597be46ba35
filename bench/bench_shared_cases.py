"""The shared cases against ViennaPS, whole process as a user pays it (issue #18 item 3).

Four cases, each code launched as its own process (``harness.process``: wall, CPU of
all its threads from ``os.wait4``, peak RSS, load average at the start), the two codes
alternating case by case in one launch of this script, 2 threads each:

    A       2D trench deposition (bench_flux.py case A): SingleParticle, sticking 0.1,
            n = 1, 1 µm/min, 5 min, 1000 rays per point, 0.24 µm spacing, 10.08 µm
    B       3D hole deposition (case B): radius 2 µm, depth 8 µm, 2 min, 300 rays/point
    H0.2    the sf6o2 quarter hole of bench_sf6o2_hole.py, 0.2 min
    H1      the same hole, 1 min

waferlab: ``waferlab run case.yaml --out DIR --threads 2 --quiet`` with its default
outputs (metrics, profile.csv, final_surface.vtu, final.vtu, profile.png, report.html,
checkpoint) and the model's default scheme; cfl 0.5 as the peer's time-step ratio (as
in bench_flux.py and bench_sf6o2_hole.py).  ViennaPS: a Python process that builds the
same domain, runs its ``Process`` and saves its surface mesh (``saveSurfaceMesh``).
Accuracy is read from each code's final surface afterwards (bench_flux.thicknesses,
bench_sf6o2_hole._measure), outside the timed processes.  The numba cache is warmed by
one short waferlab launch of each case first (``--no-warmup`` to skip).

Run: python bench/bench_shared_cases.py [--cases A,B,H0.2,H1] [--repeat 1]
     [--out bench/results/shared_cases.md] [--base OTHER_TREE/src]
(``--base``: a second waferlab source tree, e.g. the commit before, run in the same
launch, alternating: rows "(before)").  The sources are byte-compiled first (as pip
installs them), so no process pays for compiling waferlab's modules.
"""
from __future__ import annotations

import harness
import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

harness.configure(threads=2)

import numpy as np  # noqa: E402

OUT = harness.RESULTS / "shared_cases.md"
HERE = Path(__file__).resolve().parent
CASES = ("A", "B", "H0.2", "H1")


def recipe(case: str, scale: float = 1.0) -> dict:
    """waferlab's recipe of ``case`` (``scale`` multiplies the process time)."""
    import bench_sf6o2_hole as hole
    from bench_flux import CASES as FLUX, EXT, H

    if case.startswith("H"):
        return hole.hole_recipe(float(case[1:]) * scale, 300)
    c = FLUX[case]
    if c["dim"] == 2:
        grid = {"dimension": 2, "spacing": f"{H} um", "extent": [f"{EXT} um"]}
        feature = {"type": "trench", "width": f"{c['width']} um", "depth": f"{c['depth']} um"}
    else:
        grid = {"dimension": 3, "spacing": f"{H} um", "extent": [f"{EXT} um", f"{EXT} um"]}
        feature = {"type": "hole", "radius": f"{c['radius']} um", "depth": f"{c['depth']} um"}
    grid["boundary"] = "reflective"
    dep = {"model": "single_particle", "material": "SiO2", "rate": "1 um/min",
           "sticking": 0.1, "source_exponent": 1, "rays_per_point": c["rays"], "cfl": 0.5,
           "time": f"{c['time_min'] * scale!r} min"}
    return {"name": f"case-{case}", "seed": 42, "grid": grid,
            "structure": {"substrate": {"material": "Si"}, "feature": feature},
            "steps": [{"deposit": dep}]}


def peer(case: str, out: Path, scale: float = 1.0) -> None:
    """The ViennaPS process of ``case`` (run in a child: ``--peer CASE --dir OUT``):
    build, run, save the surface mesh (final.vtp, and surface.npz for the measure)."""
    if case.startswith("H"):
        import bench_sf6o2_hole as hole

        ps, d, mp = hole.viennaps_hole()
        proc = ps.Process(d, ps.SF6O2Etching(mp))
        proc.setProcessDuration(float(case[1:]) * scale)
        rp = ps.RayTracingParameters()
        rp.raysPerPoint = 300
        proc.setParameters(rp)
        proc.apply()
        mesh = d.getSurfaceMesh()
        d.saveSurfaceMesh(str(out / "final.vtp"))
        np.savez(out / "surface.npz", points=np.asarray(mesh.getNodes(), float))
        return
    import bench_flux as flux

    flux.CASES[case]["time_min"] *= scale
    dom, proc = flux.vps_process(case)
    proc.apply()
    mesh = dom.getSurfaceMesh(addInterfaces=False)
    dom.saveSurfaceMesh(str(out / "final.vtp"))
    dim = flux.CASES[case]["dim"]
    el = np.asarray(mesh.getLines() if dim == 2 else mesh.getTriangles(), np.int64)
    np.savez(out / "surface.npz", points=np.asarray(mesh.getNodes(), float), elements=el)


def measure(case: str, points_um: np.ndarray, elements: np.ndarray | None, center=(0.0, 0.0)):
    """(name, value) pairs of the case's accuracy measure from a final surface (µm)."""
    if case.startswith("H"):
        import bench_sf6o2_hole as hole

        depth, radius = hole._measure(points_um, hole.H, center)
        return {"depth µm": depth, "radius µm": radius}
    import bench_flux as flux

    assert elements is not None
    b, s = flux.thicknesses(points_um, elements, case)
    return {"bottom µm": b, "mid-wall µm": s}


def wl_surface(case: str, out: Path) -> dict:
    import meshio

    m = meshio.read(out / "final_surface.vtu")
    dim = 2 if case == "A" else 3
    pts = np.asarray(m.points, float)[:, :dim] * 1e6
    el = np.asarray(m.cells[0].data, np.int64)
    center = (0.0, 0.0)
    if case.startswith("H"):
        from bench_sf6o2_hole import quarter_extent

        side = quarter_extent(0.03)
        center = (-0.5 * side, -0.5 * side)
    return measure(case, pts, el, center)


def vps_surface(case: str, out: Path) -> dict:
    z = np.load(out / "surface.npz")
    dim = 2 if case == "A" else 3
    pts = np.asarray(z["points"], float)[:, :dim]
    return measure(case, pts, z["elements"] if "elements" in z else None)


def _byte_compile(folders: list[Path]) -> None:
    """Byte-compile the waferlab sources (and these bench scripts, which the peer's
    process imports) once before the launch, as an installed package is: where the
    environment sets PYTHONDONTWRITEBYTECODE, every process would otherwise compile
    waferlab's ~90 modules anew (~0.25 s of CPU a process, 5 % of case A)."""
    import compileall

    for folder in folders:
        compileall.compile_dir(str(folder), quiet=1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--no-warmup", action="store_true")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="process times × this in both codes (a smoke run: 0.05)")
    ap.add_argument("--base", type=Path, default=None,
                    help="also run waferlab from this source tree (e.g. a worktree of the "
                         "commit before), alternating with this tree and the peer: rows "
                         "'waferlab (before)'")
    ap.add_argument("--peer", help=argparse.SUPPRESS)
    ap.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.peer:
        peer(a.peer, a.dir, a.scale)
        return 0
    import yaml

    cases = a.cases.split(",")
    env = dict(os.environ, PYTHONPATH=str(harness.ROOT / "src"))
    trees = {"waferlab": env}
    if a.base is not None:
        trees["waferlab (before)"] = dict(os.environ, PYTHONPATH=str(a.base.resolve()))
    _byte_compile([Path(e["PYTHONPATH"]) for e in trees.values()] + [HERE])
    res: dict[tuple[str, str], list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)

        def wl_cmd(case: str, scale: float = 1.0, tag: str = "") -> tuple[list[str], Path]:
            d = work / f"wl{tag}-{case}-{scale:g}"
            d.mkdir(exist_ok=True)
            (d / "case.yaml").write_text(yaml.safe_dump(recipe(case, scale), sort_keys=False))
            return ([sys.executable, "-m", "waferlab", "run", str(d / "case.yaml"), "--out",
                     str(d / "out"), "--threads", "2", "--quiet", "--overwrite"], d / "out")

        if not a.no_warmup:
            for case in cases:
                for k, (code, tree_env) in enumerate(trees.items()):
                    cmd, _ = wl_cmd(case, 0.02, str(k))
                    r = harness.process(cmd, env=tree_env)
                    print("warm-up", code, case, f"{r['wall_s']:.1f} s", flush=True)
        for rep in range(a.repeat):
            for case in cases:
                for k, (code, tree_env) in enumerate(trees.items()):
                    cmd, out = wl_cmd(case, a.scale, str(k))
                    r = harness.process(cmd, env=tree_env)
                    if r["rc"] == 0:
                        r["in_run_s"] = json.loads((out / "metrics.json").read_text())["wall_time_s"]
                        r["acc"] = wl_surface(case, out)
                    res.setdefault((case, code), []).append(r)
                    print(case, code, {k: v for k, v in r.items() if k != "stderr"}, flush=True)
                pd = work / f"vps-{case}-{rep}"
                pd.mkdir()
                r = harness.process([sys.executable, str(HERE / "bench_shared_cases.py"),
                                     "--peer", case, "--dir", str(pd), "--scale",
                                     repr(a.scale)], env=env)
                if r["rc"] == 0:
                    r["acc"] = vps_surface(case, pd)
                res.setdefault((case, "ViennaPS"), []).append(r)
                print(case, "ViennaPS", {k: v for k, v in r.items() if k != "stderr"}, flush=True)
                for code in (*trees, "ViennaPS"):
                    if res[(case, code)][-1]["rc"] != 0:
                        print(res[(case, code)][-1]["stderr"], file=sys.stderr)
    harness.write_text(a.out, render(res, cases, a.repeat, list(trees)))
    print(f"wrote {a.out}")
    return 0


def render(res: dict, cases: list[str], repeat: int, codes=("waferlab",)) -> str:
    def med(case, code, key):
        return statistics.median(r[key] for r in res[(case, code)])

    rows = []
    for case in cases:
        for code in codes:
            wl, vp = res[(case, code)][-1], res[(case, "ViennaPS")][-1]
            name = case + (f" {code[9:]}" if code != "waferlab" else "")
            if wl["rc"] or vp["rc"]:
                rows.append(f"| {name} | failed (rc {wl['rc']} / {vp['rc']}) | | | | | | |")
                continue
            w = {k: med(case, code, k) for k in ("wall_s", "cpu_s", "rss_mb", "load", "in_run_s")}
            v = {k: med(case, "ViennaPS", k) for k in ("wall_s", "cpu_s", "rss_mb", "load")}
            acc = "; ".join(f"{k} {wl['acc'][k]:.4f} / {vp['acc'][k]:.4f}" for k in wl["acc"])
            rows.append(f"| {name} | {w['wall_s']:.1f} / {w['cpu_s']:.2f} ({w['in_run_s']:.1f}) | "
                        f"{v['wall_s']:.1f} / {v['cpu_s']:.2f} | **{w['wall_s'] / v['wall_s']:.2f}** | "
                        f"{w['cpu_s'] / v['cpu_s']:.2f} | {w['rss_mb']:.0f} / {v['rss_mb']:.0f} | "
                        f"{w['load']:.1f} / {v['load']:.1f} | {acc} |")
    return "\n".join([
        "# Shared cases against ViennaPS, whole process (issue #18)", "",
        "Each code launched as its own process, the two alternating case by case in one "
        f"launch ({repeat} launch(es) per code and case; median), 2 threads each, "
        "OMP_WAIT_POLICY=passive; wall and CPU (user + system, all threads) of the whole "
        "process: start-up, set-up, run and outputs (waferlab: every default output; "
        "ViennaPS: its surface mesh).  waferlab's own run time (metrics.json `wall_time_s`) "
        "in brackets.  Cases: bench_flux.py A/B, bench_sf6o2_hole.py (quarter hole, 300 "
        "rays/point); cfl 0.5 = the peer's time-step ratio, the model's default scheme.  "
        "The machine is a shared 2-core one: compare ratios (both codes queue alike); the "
        "load average is given per case.", "",
        "| case | waferlab wall / CPU s (in run) | ViennaPS wall / CPU s | wall ratio | CPU ratio "
        "| peak RSS MB wl / vps | load wl / vps | accuracy waferlab / ViennaPS |",
        "|---|---|---|---|---|---|---|---|", *rows])


if __name__ == "__main__":
    sys.exit(main())
