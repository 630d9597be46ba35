"""SF6/O2 in the 2D reactor model: steady state, element balance, wafer non-uniformity, speed.

The chamber of Kokkoris et al. (J. Phys. D 42, 055209, 2009): R = 19 cm, L = 38 cm, 100 sccm
SF6 + 20 sccm O2, 0.921 Pa, 2 kW, wafer radius 7.5 cm, gas at 315 K, feed through a 3 cm
centre nozzle, pump ring around the wafer; the global model (same chemistry file) alongside.
The 2D model runs with its defaults: the default mesh (24 x 32, graded) and gas heating (T_g a
Newton field, walls at 315 K).  Then the argon L&L case on the default mesh (speed target
< 2 min).  Wall and CPU times (time.process_time) and the load average are reported.  Writes
bench/results/reactor_fluid2d_sf6.md, stamped with the commit.

Run:  python bench/bench_reactor_fluid2d_sf6.py [--quick]   (--quick: 16 x 20 instead)
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_v] = "2"

import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402


from bench_reactor_fluid2d import HERE, commit  # noqa: E402
from waferlab.reactor import solve  # noqa: E402
from waferlab.reactor.fluid2d.model import solve_fluid2d  # noqa: E402
from waferlab.reactor.fluid2d.output import reactor_state, wafer_profile  # noqa: E402
from waferlab.reactor.spec import ReactorSpec  # noqa: E402
from waferlab.recipe_io import validate_section  # noqa: E402


def sf6_spec(mesh, model="fluid2d"):
    d = {"model": model, "chamber": {"radius": "19 cm", "length": "38 cm", "wafer_radius": "7.5 cm"},
         "gas_temperature": "315 K", "pressure": "0.921 Pa", "gases": {"SF6": "100 sccm", "O2": "20 sccm"},
         "source": {"power": "2000 W"}, "bias": {"frequency": "13.56 MHz", "voltage": "150 V"}}
    if model == "fluid2d":
        d["fluid2d"] = {"flow": {"inlet_radius": "3 cm", "pump": "bottom"}}
        if mesh:
            d["fluid2d"]["mesh"] = mesh
    return validate_section(ReactorSpec, d, "reactor")


def nonunif(a) -> float:
    return float((a.max() - a.min()) / (a.max() + a.min()))


def main(quick: bool) -> None:
    lines = [f"## reactor: SF6/O2 in the 2D model (fluid2d) — commit {commit()}", "",
             "Kokkoris et al. (2009) chamber: R 19 cm, L 38 cm, SF6/O2 100/20 sccm, 0.921 Pa, 2 kW, wafer "
             "radius 7.5 cm, bias 150 V; walls and wafer at 315 K, gas heating on (T_g a Newton field); "
             "feed through a 3 cm centre nozzle in the window, "
             "pump ring around the wafer (Stokes flow with Maxwell slip).  Unknowns per cell: 20 species, "
             "n_e, T_e, 5 wall-site coverages, T_g.  Element balance: (fed − pumped)/fed.  Non-uniformity "
             "(max − min)/(max + min) over the wafer cells.", ""]
    g = solve(sf6_spec(None, model="global"))
    rows = ["| quantity | global model |"]
    results = []
    for mesh in ({"nr": 16, "nz": 20},) if quick else (None,):
        t0, c0 = time.perf_counter(), time.process_time()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = solve_fluid2d(sf6_spec(mesh))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        st = reactor_state(r)
        prof = wafer_profile(r)
        results.append((mesh, r, st, prof, wall, cpu, [str(x.message) for x in w]))
        print(mesh, r.iterations, wall, cpu, flush=True)
    label = lambda r: f"{r.setup.mesh.nr} × {r.setup.mesh.nz}"     # noqa: E731
    head = "| quantity | global model | " + " | ".join(f"2D {label(x[1])}" for x in results) + " |"
    rows = [head, "|---" * (2 + len(results)) + "|"]

    def row(label, gval, f):
        rows.append(f"| {label} | {gval} | " + " | ".join(f(x) for x in results) + " |")

    gm_alpha = sum(g.densities_m3[k] for k in ("SF6-", "F-", "O-")) / g.densities_m3["e"]
    row("unknowns", "—", lambda x: f"{x[1].x.size}")
    row("pseudo-time steps (adapted mesh; coarse stage mesh: steps)", "—",
        lambda x: f"{x[1].iterations}" + "".join(f"; {st['mesh'][0]} × {st['mesh'][1]}: {st['steps']}"
                                                  for st in x[1].stages))
    row("wafer cell / largest z cell (mm)", "—",
        lambda x: f"{x[1].setup.mesh.dz[0] * 1e3:.2f} / {x[1].setup.mesh.dz.max() * 1e3:.1f}")
    row("sheath-edge check: first-face excess; largest potential step (T_i)", "—",
        lambda x: f"{x[1].potential_steps['wafer_face_excess'] * 100:+.0f} %; {x[1].potential_steps['max']:.1f}")
    row("wall time (s)", "—", lambda x: f"{x[4]:.0f}")
    row("CPU time (s)", "—", lambda x: f"{x[5]:.0f}")
    row("element balance F / S / O", " / ".join(f"{g.element_balance[e]:.1e}" for e in ("F", "S", "O")),
        lambda x: " / ".join(f"{x[1].element_balance[e]:.1e}" for e in ("F", "S", "O")))
    row("energy balance residual", f"{g.energy_balance['residual']:.1e}",
        lambda x: f"{x[2].energy_balance['residual']:.1e}")
    row("∫p dV / P − 1", "—", lambda x: f"{x[1].absorbed_power / 2000 - 1:.1e}")
    row("T_e (eV; 2D density-weighted)", f"{g.T_e_eV:.3f}", lambda x: f"{x[1].T_e_density_weighted:.3f}")
    row("⟨n_e⟩ (m⁻³; global: n_0)", f"{g.n_e_center_m3:.3e}", lambda x: f"{x[1].n_e_avg:.3e}")
    row("n_e max (m⁻³)", "—", lambda x: f"{x[1].n_e.max():.3e}")
    row("α = ⟨n_−⟩/⟨n_e⟩", f"{gm_alpha:.2f}",
        lambda x: f"{sum(x[2].densities_m3[k] for k in ('SF6-', 'F-', 'O-')) / x[1].n_e_avg:.2f}")
    for sp in ("F", "SF6", "O", "F2"):
        row(f"⟨{sp}⟩ (m⁻³)", f"{g.densities_m3[sp]:.3e}", lambda x, sp=sp: f"{x[2].densities_m3[sp]:.3e}")
    row("pressure with plasma (Pa)", f"{g.pressure_Pa:.3f}", lambda x: f"{x[2].pressure_Pa:.3f}")
    row("gas temperature max / volume average (K)", "315 (fixed)",
        lambda x: f"{x[1].T_gas.max():.0f} / {x[1].setup.mesh.volume_average(x[1].T_gas):.0f}")
    row("gas heating: electrons + ions = to walls (W); residual", "—",
        lambda x: (f"{x[1].gas_heat['electrons_W']:.1f} + {x[1].gas_heat['ions_W']:.1f} = "
                   f"{x[1].gas_heat['walls_W']:.1f}; {x[1].gas_heat['residual']:.1e}") if x[1].gas_heat else "off")
    row("Reynolds / Knudsen of the flow", "—", lambda x: f"{x[1].reynolds:.1f} / {x[1].knudsen:.3f}")
    row("wafer ion flux centre / edge (m⁻²s⁻¹)", f"{g.ion_flux_m2s:.3e} (uniform)",
        lambda x: f"{x[3]['ion_flux_m2s'][0]:.3e} / {x[3]['ion_flux_m2s'][-1]:.3e}")
    row("wafer ion flux edge/centre; non-uniformity", "—",
        lambda x: f"{x[3]['ion_flux_m2s'][-1] / x[3]['ion_flux_m2s'][0]:.3f}; {nonunif(x[3]['ion_flux_m2s']):.3f}")
    row("wafer F flux centre / edge (m⁻²s⁻¹)", f"{g.fluxes_to_wafer_m2s['F']:.3e} (uniform)",
        lambda x: f"{x[3]['F_flux_m2s'][0]:.3e} / {x[3]['F_flux_m2s'][-1]:.3e}")
    row("wafer F flux edge/centre; non-uniformity", "—",
        lambda x: f"{x[3]['F_flux_m2s'][-1] / x[3]['F_flux_m2s'][0]:.3f}; {nonunif(x[3]['F_flux_m2s']):.3f}")
    row("F / ion flux ratio centre → edge", "—",
        lambda x: f"{x[3]['F_flux_m2s'][0] / x[3]['ion_flux_m2s'][0]:.1f} → "
                  f"{x[3]['F_flux_m2s'][-1] / x[3]['ion_flux_m2s'][-1]:.1f}")
    row("mean ion energy centre / edge (eV)", f"{g.ion_energy_mean_eV:.1f}",
        lambda x: f"{x[3]['ion_energy_mean_eV'][0]:.1f} / {x[3]['ion_energy_mean_eV'][-1]:.1f}")
    lines += rows + [""]
    for _mesh, r, *_rest in results:
        lines.append(f"Residual history {label(r)} (scaled max-norm): "
                     + ", ".join(f"{h:.1e}" for h in r.residual_history))
        lines.append("")
        for msg in _rest[-1]:
            lines.append(f"Warning ({label(r)}): {msg}")
        lines.append("")
    # argon speed on the default mesh
    d = {"model": "fluid2d", "chamber": {"radius": "15 cm", "length": "30 cm", "wafer_radius": "10 cm"},
         "pressure": "1 mTorr", "gases": {"Ar": "50 sccm"}, "source": {"power": "800 W"}}
    t0, c0 = time.perf_counter(), time.process_time()
    a = solve_fluid2d(validate_section(ReactorSpec, d, "reactor"))
    lines += [f"Argon (L&L case, R 15 cm, L 30 cm, 1 mTorr, 800 W, default mesh {a.setup.mesh.nr} × "
              f"{a.setup.mesh.nz}, gas heating): {a.iterations} steps, {time.perf_counter() - t0:.1f} s wall, "
              f"{time.process_time() - c0:.1f} s CPU; residual "
              + ", ".join(f"{h:.1e}" for h in a.residual_history), ""]
    lines.append(f"Load average at the end: {os.getloadavg()[0]:.1f} (2 cores shared by the session).")
    (HERE / "results" / "reactor_fluid2d_sf6.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main("--quick" in sys.argv)
