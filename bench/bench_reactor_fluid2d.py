"""2D fluid model (``reactor.model: fluid2d``) against the global model, and its speed.

Argon ICP, 1-30 mTorr, 200-1000 W, two chamber shapes; volume-averaged n_e and
density-weighted T_e of the 2D model against ``model: global`` (same chemistry file,
chamber, feed and power), with the 2D gas temperature held at the recipe's (the global
model's assumption) and with gas heating.  Speed: the L&L book case on the default mesh.
Writes bench/results/reactor_fluid2d.md, stamped with the commit.

Run:  python bench/bench_reactor_fluid2d.py
"""
from __future__ import annotations

import harness
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_v] = "2"

import subprocess  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from waferlab.recipe_io import validate_section  # noqa: E402
from waferlab.reactor import ReactorSpec, solve  # noqa: E402
from waferlab.reactor.fluid2d.model import solve_fluid2d  # noqa: E402

HERE = Path(__file__).parent
SHAPES = {"R 15 cm, L 30 cm (L&L)": {"radius": "15 cm", "length": "30 cm", "wafer_radius": "10 cm"},
          "R 20 cm, L 10 cm (flat)": {"radius": "20 cm", "length": "10 cm", "wafer_radius": "15 cm"}}
PRESSURES = ("1 mTorr", "3 mTorr", "10 mTorr", "30 mTorr")
POWERS = ("200 W", "1000 W")


def spec(shape, p, P, *, model="fluid2d", heating=False, mesh=None, T_gas="300 K"):
    d = {"model": model, "chamber": SHAPES[shape], "pressure": p, "gases": {"Ar": "50 sccm"},
         "gas_temperature": T_gas,
         "source": {"power": P}}
    if model == "fluid2d":
        d["fluid2d"] = {"gas_heating": heating, **({"mesh": mesh} if mesh else {})}
    return validate_section(ReactorSpec, d, "reactor")


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=HERE).stdout.strip()
    except OSError:
        return "unknown"


def main() -> None:
    lines = [f"## reactor: 2D fluid model (fluid2d) vs the global model — commit {commit()}", "",
             "Argon, 50 sccm, 300 K walls; same chemistry file (L&L Table 3.3 fits), chamber and power. "
             "⟨n_e⟩: volume average (global: n_0 × the cos·J0 profile average of its h-factors); "
             "T_e (2D): density-weighted volume average. 'fixed T_g': 2D gas at 300 K like the global "
             "model; 'heated': gas temperature from the heat equation (compared also with the global model run at "
             "the 2D density-weighted gas temperature ⟨T_g⟩_n). Default mesh 24 × 32 (z graded to "
             "the window). Criteria of issue #14: ⟨n_e⟩ within 30 %, T_e within 10 %, ∫p dV = P within 1 %.",
             "",
             "Ratios are 2D / global. 'vs n_0': the 2D ⟨n_e⟩ against the global model's n_0, the density "
             "its particle and power balances use for the whole volume (ionisation k_iz n_g n_0 V), see "
             "docs/reactor.md.",
             "",
             "| chamber | p | P | global T_e (eV) | global n_0 (m⁻³) | global ⟨n_e⟩ (m⁻³) | 2D T_e fixed T_g | "
             "ratio | 2D ⟨n_e⟩ fixed T_g | ratio | vs n_0 | 2D T_e heated | ratio | 2D ⟨n_e⟩ heated | ratio | "
             "vs n_0 | ⟨T_g⟩_n / max (K) | T_e heated / global at ⟨T_g⟩_n | ∫p dV / P − 1 | steps | t (s) |",
             "|---" * 21 + "|"]
    n_ok = [0, 0, 0, 0, 0, 0]
    for shape in SHAPES:
        for p in PRESSURES:
            for P in POWERS:
                g = solve(spec(shape, p, P, model="global"))
                a = solve_fluid2d(spec(shape, p, P))
                b = solve_fluid2d(spec(shape, p, P, heating=True))
                rT, rn = a.T_e_density_weighted / g.T_e_eV, a.n_e_avg / g.n_e_avg_m3
                hT, hn = b.T_e_density_weighted / g.T_e_eV, b.n_e_avg / g.n_e_avg_m3
                Tg = b.setup.mesh.volume_average(b.T_gas, b.n_e)
                gh = solve(spec(shape, p, P, model="global", T_gas=f"{Tg} K"))
                hTg = b.T_e_density_weighted / gh.T_e_eV
                r0, h0 = a.n_e_avg / g.n_e_center_m3, b.n_e_avg / g.n_e_center_m3
                n_ok[0] += abs(rT - 1) <= 0.10
                n_ok[1] += abs(rn - 1) <= 0.30
                n_ok[3] += abs(r0 - 1) <= 0.30
                n_ok[4] += abs(hT - 1) <= 0.10
                n_ok[5] += abs(hTg - 1) <= 0.10
                n_ok[2] += 1
                lines.append(f"| {shape} | {p} | {P} | {g.T_e_eV:.3f} | {g.n_e_center_m3:.3e} | {g.n_e_avg_m3:.3e} | "
                             f"{a.T_e_density_weighted:.3f} | {rT:.3f} | {a.n_e_avg:.3e} | {rn:.3f} | {r0:.3f} | "
                             f"{b.T_e_density_weighted:.3f} | {hT:.3f} | {b.n_e_avg:.3e} | {hn:.3f} | {h0:.3f} | "
                             f"{Tg:.0f} / {b.T_gas.max():.0f} | {hTg:.3f} | "
                             f"{b.absorbed_power / float(P.split()[0]) - 1:.1e} | "
                             f"{a.iterations}/{b.iterations} | {a.seconds:.1f}/{b.seconds:.1f} |")
                print(lines[-1], flush=True)
    lines += ["", f"Fixed T_g: T_e within 10 % in {n_ok[0]}/{n_ok[2]} cases; ⟨n_e⟩ within 30 % of the "
              f"global ⟨n_e⟩ in {n_ok[1]}/{n_ok[2]}, of the global n_0 in {n_ok[3]}/{n_ok[2]}. Heated gas: T_e "
              f"within 10 % in {n_ok[4]}/{n_ok[2]}, of the global model run at the 2D density-weighted gas "
              f"temperature ⟨T_g⟩_n in {n_ok[5]}/{n_ok[2]}.", ""]
    # speed and convergence on the default mesh, and a mesh refinement
    lines += ["### Speed: L&L case (R 15 cm, L 30 cm, 1 mTorr, 800 W, gas heating on), 2 threads", "",
              "| mesh (plasma nr × nz; EM nz) | unknowns | steps | t (s) | T_e (eV) | ⟨n_e⟩ (m⁻³) | "
              "residual history (scaled max-norm) |", "|---|---|---|---|---|---|---|"]
    for mesh in ({"nr": 24, "nz": 32}, {"nr": 48, "nz": 64}):
        s = spec("R 15 cm, L 30 cm (L&L)", "1 mTorr", "800 W", heating=True, mesh=mesh)
        t0 = time.perf_counter()
        r = solve_fluid2d(s)
        t = time.perf_counter() - t0
        hist = ", ".join(f"{h:.1e}" for h in r.residual_history)
        lines.append(f"| {mesh['nr']} × {mesh['nz']}; {r.setup.em_mesh.nz} | {2 * r.setup.mesh.size} | "
                     f"{r.iterations} | {t:.1f} | {r.T_e_density_weighted:.3f} | {r.n_e_avg:.3e} | {hist} |")
        print(lines[-1], flush=True)
    lines.append("")
    try:
        load = os.getloadavg()[0]
        lines.append(f"Machine load average during the run: {load:.1f} (2 cores shared).")
    except OSError:
        pass
    harness.write_text((HERE / "results" / "reactor_fluid2d.md"), "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
