"""Issue #14 acceptance, the analytic limits: error at the finest mesh and observed order (uniform and graded).

Runs the validation problems of waferlab.validation.reactor_fluid2d (the same ones the tests in
tests/reactor/fluid2d/test_operators.py assert) and prints one markdown row per problem:
the max error relative to the peak at each mesh, the observed order (log-log fit), the tolerance
of issue #14, and the CPU time (time.process_time).  Used by bench/results/acceptance14_s15.md.

Run:  python bench/bench_acceptance14.py            (the analytic limits)
      python bench/bench_acceptance14.py argon      (argon ICP steady state on the default mesh:
                                                     mesh, steps, residual history, CPU)
"""
from __future__ import annotations

import os
import sys
import time

from waferlab.validation import reactor_fluid2d as v

CASES = [
    ("EM skin-depth field (uniform)", lambda: v.em_errors((10, 20, 40, 80)), 0.01),
    ("EM skin-depth field (graded z)", lambda: v.em_errors((16, 32, 64), graded=True), 0.01),
    ("diffusion eigenmode J0·cos (uniform)", lambda: v.eigenmode_errors((8, 16, 32)), 0.02),
    ("diffusion eigenmode J0·cos (graded z)", lambda: v.eigenmode_errors((8, 16), graded=True), 0.02),
    ("Poiseuille u(r) (uniform)", lambda: v.poiseuille_errors(), 0.01),
    ("Poiseuille u(r) (graded rz)", lambda: v.poiseuille_errors(graded="rz"), 0.01),
    ("heat, two plates (uniform)", lambda: v.heat_errors("plates"), 0.005),
    ("heat, two plates (graded z)", lambda: v.heat_errors("plates", graded=True), 0.005),
    ("heat, cylinder (uniform)", lambda: v.heat_errors("cylinder"), 0.005),
    ("heat, cylinder (graded rz)", lambda: v.heat_errors("cylinder", graded="rz"), 0.005),
]


def main() -> None:
    print("| problem | h (mm) | max error / peak | observed order | tolerance | met | CPU s |")
    print("|---|---|---|---|---|---|---|")
    for name, fn, tol in CASES:
        c0 = time.process_time()
        rows = fn()
        cpu = time.process_time() - c0
        h = [r[0] for r in rows]
        e = [r[1] for r in rows]
        p = v.observed_order(h, e)
        print(f"| {name} | {', '.join(f'{x * 1e3:.3g}' for x in h)} | {', '.join(f'{x:.2e}' for x in e)} | "
              f"{p:.2f} | {tol:g} | {'yes' if e[-1] < tol else 'NO'} | {cpu:.1f} |", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f}")


def argon() -> None:
    """The L&L argon ICP (R 15 cm, L 30 cm, 1 mTorr, 800 W) with the default fluid2d settings."""
    from waferlab.reactor.fluid2d.model import solve_fluid2d
    from waferlab.reactor.spec import ReactorSpec
    from waferlab.recipe_io import validate_section

    d = {"model": "fluid2d", "chamber": {"radius": "15 cm", "length": "30 cm", "wafer_radius": "10 cm"},
         "pressure": "1 mTorr", "gases": {"Ar": "50 sccm"}, "source": {"power": "800 W"}}
    spec = validate_section(ReactorSpec, d, "reactor")
    t0, c0 = time.perf_counter(), time.process_time()
    a = solve_fluid2d(spec)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    m = a.setup.mesh
    print(f"argon L&L 1 mTorr 800 W, default mesh {m.nr} x {m.nz}: {a.iterations} steps, "
          f"{cpu:.2f} s CPU, {wall:.1f} s wall, load {os.getloadavg()[0]:.1f}; absorbed/P - 1 = "
          f"{a.absorbed_power / 800 - 1:.1e}; residual history " + ", ".join(f"{h:.1e}" for h in a.residual_history))


if __name__ == "__main__":
    argon() if sys.argv[1:] == ["argon"] else main()
