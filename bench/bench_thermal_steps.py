"""Thermal steps on the wafer (issue #19 items 1-2): anneal speed on the wafer grid.

Cases (B 5e14 cm^-2 15 keV through a 400 nm opening in a 400 nm hard mask, into the
bottom of a 200 nm silicon trench, substrate P 1e16 cm^-3; 1000 °C 10 min):
  2D  256 lateral nodes × 256 doping rows (h = 4.7 nm): fermi and intrinsic
  3D  the 2D case extruded along y (48 × 20 × ~60 nodes at 25 nm): fermi
Wall and CPU times (time.process_time) of the anneal step alone, the load average, and
x_j / R_s at the probe column.  Run: python bench/bench_thermal_steps.py
-> bench/results/thermal_steps.md
"""
from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "2")
os.environ.setdefault("OMP_NUM_THREADS", "2")

import platform  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _recipe(dim: int, h_nm: float, model: str, width_nm: float):
    from waferlab.recipe import recipe_from_dict

    ext = [f"{width_nm} nm"] + ([f"{20 * h_nm} nm"] if dim == 3 else [])   # the recipe check asks y > opening
    return recipe_from_dict({
        "name": "bench", "grid": {"dimension": dim, "spacing": f"{h_nm} nm", "extent": ext},
        "structure": {"substrate": {"material": "Si", "doping": {"P": "1e16 cm^-3"}},
                      "layers": [{"material": "Mask", "thickness": "400 nm"}],
                      "feature": {"type": "trench", "width": "400 nm", "depth": "600 nm"}},
        "steps": [{"implant": {"dopant": "B", "dose": "5e14 cm^-2", "energy": "15 keV",
                               "depth": f"{256 * h_nm - 700} nm" if dim == 2 else "1 um"}},
                  {"anneal": {"temperature": "1000 degC", "time": "10 min", "model": model}}],
        "output": {"vtk": False}})


def case(dim: int, h_nm: float, model: str, width_nm: float) -> dict:
    from waferlab.context import RunContext
    from waferlab.process.doping import doping_metrics, doping_of
    from waferlab.runner import initial_wafer

    r = _recipe(dim, h_nm, model, width_nm)
    w = initial_wafer(r)
    w = r.leaf_steps[0].apply(w, RunContext(seed=0))
    t0, c0 = time.perf_counter(), time.process_time()
    w = r.leaf_steps[1].apply(w, RunContext(seed=0))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    d = doping_of(w)
    m = doping_metrics(w)
    return {"shape": d.shape, "wall": wall, "cpu": cpu, "steps": d.time_steps,
            "xj": m["junction_depth_m"], "rs": m["sheet_resistance_ohm_sq"]}


def main() -> None:
    rows = []
    for dim, h, model, width in ((2, 4.6875, "fermi", 1200), (2, 4.6875, "intrinsic", 1200),
                                 (3, 25.0, "fermi", 1200)):
        r = case(dim, h, model, width)
        load = os.getloadavg()[0]
        rows.append(f"| {dim}D {model}, {' × '.join(map(str, r['shape']))} nodes | "
                    f"{r['wall']:.1f} / {r['cpu']:.1f} (load {load:.1f}) | {r['steps']} | "
                    f"{r['xj'] * 1e9:.1f} nm / {r['rs']:.1f} Ω/sq | "
                    f"{'< 60' if dim == 2 else '—'} |")
        print(rows[-1], flush=True)
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = "unknown"
    text = "\n".join([
        "## thermal steps on the wafer (issue 19)", "", f"commit {commit}.", "",
        f"`python bench/bench_thermal_steps.py` on {platform.node()}, {os.cpu_count()} CPUs, "
        "NUMBA/OMP threads 2 (machine shared: wall times are upper bounds; CPU = "
        "time.process_time of the anneal step). "
        + time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()) + ".", "",
        "B 5e14 cm⁻² 15 keV into the bottom of a 200 nm trench through a 400 nm mask "
        "opening, P 1e16 cm⁻³, 1000 °C 10 min; grid lateral × doping rows.", "",
        "| case | anneal wall / CPU (s) | time steps | x_j / R_s at the probe | target (s) |",
        "|---|---|---|---|---|", *rows, ""])
    out = ROOT / "bench" / "results" / "thermal_steps.md"
    out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
