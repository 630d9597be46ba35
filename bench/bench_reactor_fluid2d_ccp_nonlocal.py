"""The 2D CCP with non-local electrons (``fluid2d.ccp.electrons: nonlocal``, reactor/fluid2d/ccp_kinetic.py
and ccp_nonlocal.py) against the eduPIC reference case (Donkó et al., Plasma Sources Sci. Technol. 30,
095017, 2021; argon, 2.5 cm, 10 Pa, 350 K, 13.56 MHz, 250 V; waferlab.validation.ccp_edupic), at the
PIC's absorbed power (121.7 W/m²), with the local (Maxwellian, the default) electrons in the same
launch.  Rows: the eduPIC comparison, the Monte Carlo mean ion energy (centre column, 3000 ions), the
kinetics' diagnostics (mid-gap ⅔⟨ε⟩ against the PIC's 1.03 eV, T_B at the sheath edge, the well,
the electron energy per lost pair against the PIC's 54.0 eV, the energy balance), CPU times.

Writes bench/results/ccp_nonlocal_s15.md (the kinetic loop's residual history included).
Run: python bench/bench_reactor_fluid2d_ccp_nonlocal.py
"""
from __future__ import annotations

import harness

harness.configure(2)

import os  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from waferlab.constants import EV, PI  # noqa: E402
from waferlab.reactor.fluid2d.ccp import solve_ccp  # noqa: E402
from waferlab.errors import SimulationError  # noqa: E402
from waferlab.reactor.fluid2d.ccp_kinetic import escape_energy, solve_nonlocal  # noqa: E402
from waferlab.reactor.fluid2d.ccp_output import wafer_ions  # noqa: E402
from waferlab.validation.ccp_edupic import CITATION, EDUPIC, compare, edupic_spec  # noqa: E402

TOL = {"n_peak_m3": 2.0, "ion_flux_m2s": 2.0, "rf_voltage_V": 0.3, "rf_current_A_m2": 0.3,
       "plasma_potential_V": 0.3, "ion_energy_mean_eV": 0.3}


def ok(k: str, r: float) -> str:
    t = TOL.get(k)
    if t is None:
        return ""
    good = (1 / t < r < t) if t > 1 else abs(r - 1) <= t
    return "within" if good else "**outside**"


def main() -> None:
    out = ["# 2D CCP with non-local electrons against eduPIC (argon, 2.5 cm, 10 Pa, 13.56 MHz, 121.7 W/m²)", "",
           f"Reference: {CITATION}.  Load before: {os.getloadavg()[0]:.1f}.  CPU = time.process_time of this "
           "process; both runs in the same launch.", ""]
    rows, res = {}, {}
    hist: list[str] = []
    for label, ccp in (("local (Maxwellian, default)", {}), ("nonlocal", {"electrons": "nonlocal"})):
        c0 = time.process_time()
        steps: list[str] = []

        def log(i, ch, n, mv, steps=steps, c0=c0):
            steps.append(f"| {i} | {ch:.3g} | {n:.4g} ({n / EDUPIC.n_peak_m3:.3f}) | {mv:.3g} | "
                         f"{time.process_time() - c0:.0f} |")
        try:
            r = solve_ccp(edupic_spec(ccp=ccp)) if not ccp else solve_nonlocal(edupic_spec(ccp=ccp), progress=log)
        except SimulationError as exc:
            out += [f"**{label}: {exc}** ({time.process_time() - c0:.0f} s CPU)", "",
                    "| kinetic step | change | n_max m⁻³ (/ eduPIC) | bulk length change / gap | CPU s |",
                    "|---|---|---|---|---|", *steps, ""]
            continue
        c1 = time.process_time()
        if ccp:
            hist = steps
        col = wafer_ions(r, seed=1, n_ions=3000).columns[0]
        c2 = time.process_time()
        rows[label] = (compare(r, None), col, c1 - c0, c2 - c1)
        res[label] = r
    out += ["| quantity (tolerance) | eduPIC | " + " | ".join(rows) + " |", "|---|---|" + "---|" * len(rows)]
    keys = ["n_peak_m3", "ion_flux_m2s", "rf_voltage_V", "rf_current_A_m2", "plasma_potential_V", "power_W_m2",
            "power_ions_W_m2", "T_e_eV"]
    for k in keys:
        ref = rows[next(iter(rows))][0][k][1]
        cells = []
        for c, _, _, _ in rows.values():
            a = c[k][0]
            cells.append(f"{a:.4g} ({a / ref:.3f}) {ok(k, a / ref)}")
        out.append(f"| {k} | {ref:.4g} | " + " | ".join(cells) + " |")
    E = EDUPIC.ion_energy_mean_eV
    cells = [f"{col.mean_energy_eV:.2f} ± {col.mean_energy_sigma_eV:.2f} ({col.mean_energy_eV / E:.3f}) "
             f"{ok('ion_energy_mean_eV', col.mean_energy_eV / E)}" for _, col, _, _ in rows.values()]
    out.append(f"| mean ion energy eV, 3000 ions (30 %) | {E:.2f} | " + " | ".join(cells) + " |")
    out.append("| CCP solve CPU s | | " + " | ".join(f"{c:.1f}" for _, _, c, _ in rows.values()) + " |")
    out.append("| ion Monte Carlo CPU s | | " + " | ".join(f"{c:.1f}" for _, _, _, c in rows.values()) + " |")
    if "nonlocal" not in res:
        path = harness.write_text(harness.RESULTS / "ccp_nonlocal_s15.md", "\n".join(out))
        print(path.read_text())
        return
    r = res["nonlocal"]
    s = r.kinetics
    assert s is not None
    k = int(np.argmax(s.n))
    area = PI * r.setup.electrode_radius ** 2
    flux2 = float(r.ion_flux_wafer[0] + r.ion_flux_top[0])
    iz = float((s.rate[-1] * s.n * r.setup.mesh.dz).sum()) * float(r.n_gas[0].mean())
    esc = [escape_energy(s, 0), escape_energy(s, s.n.size - 1)]
    P_e = (r.absorbed_power - r.heating.ion_power) / area
    out += ["", "## Residual history of the kinetic loop (Anderson mixing, depth 5, β = 0.5; tolerance 1e-3)", "",
            "change: the largest change of the state in the step (relative for n_max, T_s(z), ν_eff(z), T_stoc, "
            "the escape energies; the bulk length in units of the gap); the first kinetic pass (from the "
            "Maxwellian local state) is not counted.", "",
            "| kinetic step | change | n_max m⁻³ (/ eduPIC) | bulk length change / gap | CPU s |",
            "|---|---|---|---|---|", *hist]
    out += ["", "## The kinetics (centre column, nonlocal)", "",
            f"- kinetic steps {r.kinetic_iterations}; RF current the kinetics need for the column's power: "
            f"{s.J1:.2f} A/m² (the sheath model's J₁ {r.heating.J1[0]:.2f}, which also heats what the electrons "
            f"take to the walls; PIC {EDUPIC.rf_current_A_m2}); the kinetic prices: ν_eff mid-gap "
            f"{_nu_mid(r):.3g} s⁻¹, T_stoc {_tst(r):.2f} eV; the well at the sheath edges U_s "
            f"{s.U_edge[0]:.2f} eV (edge cell {s.U[0]:.2f} eV).",
            f"- mid-gap ⅔⟨ε⟩ = {2 / 3 * s.mean_energy[k]:.2f} eV (PIC {2 / 3 * EDUPIC.mean_electron_energy_eV:.2f}); "
            f"screening temperature T_s mid-gap {s.T_bohm[k]:.2f} eV, sheath edges {s.T_bohm[0]:.2f} / "
            f"{s.T_bohm[-1]:.2f} eV (T_B); well depth U_edge {s.U[0]:.2f} eV; escape energy "
            f"{esc[0]:.2f} eV per electron.",
            "- mid-gap EEPF slope temperatures (eV): " + ", ".join(
                f"{a:g}–{b:g} eV: {_slope(s, k, a, b):.2f}" for a, b in ((0.2, 1.5), (2.0, 6.0), (6.0, 11.0),
                                                                         (12.0, 16.0))),
            f"- collisional energy per ionisation {s.power_lost / (iz * EV):.1f} eV; electron power per lost pair "
            f"{P_e / (flux2 * EV):.1f} eV (electron power {P_e:.1f} W/m², ions {r.heating.ion_power / area:.1f}); "
            f"eduPIC {EDUPIC.power_electrons_W_m2 / (2 * EDUPIC.ion_flux_m2s * EV):.1f} eV.",
            f"- energy balance of the kinetics: (in − collisions)/in = {s.conservation:.1e}; ohmic "
            f"{s.power_ohmic:.2f} + stochastic {s.power_stochastic:.2f} W/m².",
            ""]
    out += _example()
    out += ["", f"Load after: {os.getloadavg()[0]:.1f}."]
    path = harness.write_text(harness.RESULTS / "ccp_nonlocal_s15.md", "\n".join(out))
    print(path.read_text())


def _example() -> list[str]:
    """The shipped example (examples/fluid2d/reactor-argon-ccp.yaml: 10 mTorr, 30 W, 5 cm gap, 15 cm
    radius, RF return through the chamber) with local and non-local electrons: CPU and the main
    numbers (no reference: the cost of making nonlocal the default)."""
    from waferlab.recipe_io import load_yaml, validate_section
    from waferlab.reactor.spec import ReactorSpec

    d = load_yaml(harness.ROOT / "examples/fluid2d/reactor-argon-ccp.yaml")["reactor"]
    out = ["## The example (examples/fluid2d/reactor-argon-ccp.yaml: 10 mTorr, 30 W, 5 cm gap): the cost", "",
           "| electrons | CCP solve CPU s | kinetic steps (last change) | n_max m⁻³ | centre mid-gap T (T_e or T_s) "
           "eV | V_T V | J₁ A/m² | centre ion flux m⁻²s⁻¹ |", "|---|---|---|---|---|---|---|---|"]
    for el in ("local", "nonlocal"):
        d["fluid2d"]["ccp"]["electrons"] = el
        c0 = time.process_time()
        r = solve_ccp(validate_section(ReactorSpec, d, "reactor"))
        c = time.process_time() - c0
        k = int(np.argmax(r.n_e[0]))
        steps = f"{r.kinetic_iterations} ({r.residual_history[-1]:.1e})" if el == "nonlocal" else "—"
        out.append(f"| {el} | {c:.1f} | {steps} | {r.n_e.max():.4g} | {r.T_e[0, k]:.2f} | {r.heating.V_T:.1f} | "
                   f"{r.heating.J1[0]:.2f} | {r.ion_flux_wafer[0]:.4g} |")
    return out


def _prices(r):
    from waferlab.reactor.fluid2d.ccp_kinetic import kinetic_prices
    s = r.kinetics
    return kinetic_prices(s, r.setup.mesh.dz, np.array([r.n_s_wafer[0], r.n_s_wafer[0]]))


def _nu_mid(r) -> float:
    nu, _ = _prices(r)
    return float(nu[nu.size // 2])


def _tst(r) -> float:
    _, T = _prices(r)
    return float(T[0])


def _slope(s, j: int, a: float, b: float) -> float:
    f = s.local(j)
    i0, i1 = int(a / s.grid.du), int(b / s.grid.du)
    return float(-(b - a) / np.log(f[i1] / f[i0]))


if __name__ == "__main__":
    main()
