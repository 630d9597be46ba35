"""The 2D CCP against a published argon CCP benchmark: the eduPIC reference case (Donkó et al.,
Plasma Sources Sci. Technol. 30, 095017, 2021; argon, 2.5 cm gap, 10 Pa, 350 K, 13.56 MHz,
250 V; the numbers in waferlab.validation.ccp_edupic, from the authors' raw data).

1. Matched power: the PIC's absorbed power per electrode area (121.7 W/m², electrons + ions) on
   equal electrodes of radius 0.3 m (rf_return: electrode; 1.0 m to show the radial loss does not
   matter): ours against the PIC's mid-gap density, RF voltage, ion flux, RF current, plasma
   potential, ion power, T_e (against the EEPF's 1–10 eV slope), and the ion Monte Carlo's
   energy distribution at the electrode (centre column, 4000 ions) with the default energy-dependent
   Phelps (1994) cross sections (``ion_cross_section: phelps``: sheath Monte Carlo and bulk ion
   drift) and with the constant σ_i = 1e-18 m² (``constant``, the default before session 12).
2. Matched voltage: the power per area at which V_T = 250 V (secant on ln P), the same table.
3. The diagnosis: n = Γ/(h u_B): the density ratio against (flux ratio) × √(T_PIC/T_e) with the
   PIC's mid-gap ⅔⟨ε⟩ = 1.03 eV; the electron energy spent per lost pair (electron power over the
   two electrodes' ion flux) in both.
4. The example (examples/fluid2d/reactor-argon-ccp.yaml): the Monte Carlo's mean ion energy with
   both cross sections.

Writes bench/results/reactor_fluid2d_ccp_edupic.md.  Run: python bench/bench_reactor_fluid2d_ccp_edupic.py
"""
from __future__ import annotations

import harness

harness.configure(2)

import math  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from waferlab.constants import EV, PI  # noqa: E402
from waferlab.reactor import ReactorSpec  # noqa: E402
from waferlab.reactor.fluid2d.ccp import solve_ccp  # noqa: E402
from waferlab.reactor.fluid2d.ccp_output import wafer_ions  # noqa: E402
from waferlab.recipe_io import load_yaml, validate_section  # noqa: E402
from waferlab.validation.ccp_edupic import CITATION, EDUPIC, IFED_POWERED, compare, edupic_spec, ifed_stats  # noqa: E402

N_IONS = 4000
E_EDGES = np.arange(0.0, 601.0, 1.0)


def solve(**kw):
    c = time.process_time()
    r = solve_ccp(edupic_spec(**kw))
    return r, time.process_time() - c


def table(res, label: str, cpu: float) -> list[str]:
    out = [f"**{label}** (CCP solve {cpu:.1f} s CPU, {res.iterations} steps; sheath law {res.setup.sheath_regime}, "
           f"λ_i = {res.setup.lambda_i * 1e3:.2f} mm, s_m = {res.heating.s_bottom[0] * 1e3:.2f} mm)", "",
           "| quantity | ours | eduPIC | ours / eduPIC |", "|---|---|---|---|"]
    for k, (a, b) in compare(res).items():
        out.append(f"| {k} | {a:.4g} | {b:.4g} | {a / b:.3f} |")
    return out + [""]


def ions_rows(res, label: str) -> tuple[list[str], float]:
    c = time.process_time()
    col = wafer_ions(res, seed=1, n_ions=N_IONS).columns[0]
    cpu = time.process_time() - c
    h, _ = np.histogram(col.energy_eV, E_EDGES)
    st = ifed_stats(E_EDGES, h)
    row = (f"| {label} | {st['mean_eV']:.2f} ± {col.mean_energy_sigma_eV:.2f} | {st['median_eV']:.1f} | "
           f"{st['below_10eV']:.3f} | {st['above_100eV']:.4f} | {col.collisions.mean():.2f} | {cpu:.2f} |")
    return [row], col.mean_energy_eV


def main() -> None:
    out = ["# 2D CCP against the eduPIC reference case (argon, 2.5 cm, 10 Pa, 250 V, 13.56 MHz)", "",
           f"Reference: {CITATION}.  Load before: {os.getloadavg()[0]:.1f}.  CPU = time.process_time of this "
           "process.", ""]
    # 1. matched power
    res, cpu = solve()
    out += ["## Matched power: 121.7 W/m² (the PIC's ⟨j·E⟩, electrons 39.6 + ions 82.1)", ""]
    out += table(res, "radius 0.3 m, 16 × 16 (default `ion_cross_section: phelps`)", cpu)
    big, cpu_b = solve(radius_m=1.0)
    out += table(big, "radius 1.0 m, 16 × 16 (radial loss: the centre column does not move)", cpu_b)
    fine, cpu_f = solve(mesh=(24, 24))
    out += table(fine, "radius 0.3 m, 24 × 24", cpu_f)
    const, cpu_c = solve(ccp={"ion_cross_section": "constant"})
    out += table(const, "radius 0.3 m, 16 × 16, `ion_cross_section: constant` (σ_i = 1e-18 m² in the bulk and "
                 "the Monte Carlo)", cpu_c)
    pic = ifed_stats(np.arange(0.0, 121.0), IFED_POWERED)
    out += ["Ion energy at the electrode (centre column, 4000 ions, seed 1; eduPIC: the powered electrode's "
            "flux–energy distribution; ± the standard error)", "",
            "| | mean eV | median eV | below 10 eV | above 100 eV | collisions per ion | MC CPU s |",
            "|---|---|---|---|---|---|---|",
            f"| eduPIC (Phelps 1994 isotropic + backward) | {pic['mean_eV']:.2f} | {pic['median_eV']:.1f} | "
            f"{pic['below_10eV']:.3f} | {pic['above_100eV']:.4f} | — | — |"]
    r_c, m_c = ions_rows(const, "ours, `constant` σ_i = 1e-18 m² (all charge exchange)")
    r_p, m_p = ions_rows(res, "ours, `phelps` (default)")
    out += r_c + r_p + ["", f"Mean ion energy ours / eduPIC: constant {m_c / EDUPIC.ion_energy_mean_eV:.3f}, "
                        f"phelps {m_p / EDUPIC.ion_energy_mean_eV:.3f}.", ""]
    # 2. matched voltage: secant on ln P for V_T = 250 V
    lo, vlo = math.log(EDUPIC.power_W_m2), float(res.heating.V_T)
    hi = lo + math.log((250.0 / vlo) ** 2)
    c0 = time.process_time()
    r_hi = solve_ccp(edupic_spec(power_W_m2=math.exp(hi)))
    vhi = float(r_hi.heating.V_T)
    for _ in range(8):
        if abs(vhi - 250.0) < 0.25:
            break
        nxt = hi + (250.0 - vhi) * (hi - lo) / (vhi - vlo)
        lo, vlo, hi = hi, vhi, nxt
        r_hi = solve_ccp(edupic_spec(power_W_m2=math.exp(hi)))
        vhi = float(r_hi.heating.V_T)
    out += [f"## Matched voltage: V_T = 250 V at {math.exp(hi):.1f} W/m² (secant on ln P)", ""]
    out += table(r_hi, f"radius 0.3 m, 16 × 16, {math.exp(hi):.1f} W/m²", time.process_time() - c0)
    # 3. diagnosis
    T_pic = 2.0 / 3.0 * EDUPIC.mean_electron_energy_eV
    cmp = compare(res)
    n_r = cmp["n_peak_m3"][0] / EDUPIC.n_peak_m3
    g_r = cmp["ion_flux_m2s"][0] / EDUPIC.ion_flux_m2s
    Te = cmp["T_e_eV"][0]
    area = PI * res.setup.electrode_radius ** 2
    Pe_ours = (res.absorbed_power - res.heating.ion_power) / area
    flux2 = float(res.ion_flux_wafer[0] + res.ion_flux_top[0])
    out += ["## Why the density is half the PIC's (matched power)", "",
            f"- n ∝ Γ/u_B(T_e): predicted ratio (flux ratio {g_r:.3f}) × √(T_PIC {T_pic:.2f} eV / T_e {Te:.3f} eV) "
            f"= {g_r * math.sqrt(T_pic / Te):.3f}; measured {n_r:.3f}.",
            f"- Γ/n at mid-gap: ours {cmp['ion_flux_m2s'][0] / cmp['n_peak_m3'][0]:.0f} m/s, eduPIC "
            f"{EDUPIC.ion_flux_m2s / EDUPIC.n_peak_m3:.0f} m/s (u_B at 1.03 eV: "
            f"{math.sqrt(T_pic * EV / res.setup.coef.m_i):.0f}, at {Te:.2f} eV: "
            f"{math.sqrt(Te * EV / res.setup.coef.m_i):.0f} m/s).",
            f"- electron energy per lost pair: ours {Pe_ours / (flux2 * EV):.1f} eV (electron power "
            f"{Pe_ours:.1f} W/m², ions {res.heating.ion_power / area:.1f}), eduPIC "
            f"{EDUPIC.power_electrons_W_m2 / (2 * EDUPIC.ion_flux_m2s * EV):.1f} eV (39.6 / 82.1 W/m²).", ""]
    # 4. the example's Monte Carlo with both cross sections
    ex = load_yaml(harness.ROOT / "examples" / "fluid2d" / "reactor-argon-ccp.yaml")["reactor"]
    out += ["## The example (reactor-argon-ccp.yaml, 10 mTorr, 30 W, 5 cm): wafer-average Monte Carlo mean "
            "ion energy", "", "| ion_cross_section | mean eV | collisions per ion | CCP solve CPU s | MC CPU s |",
            "|---|---|---|---|---|"]
    for xs in ("constant", "phelps"):
        d = {**ex, "fluid2d": {**ex["fluid2d"], "ccp": {**ex["fluid2d"]["ccp"], "ion_cross_section": xs}}}
        c = time.process_time()
        r = solve_ccp(validate_section(ReactorSpec, d, "reactor"))
        c1 = time.process_time()
        io = wafer_ions(r, seed=0)
        c2 = time.process_time()
        sh = io.shape
        out.append(f"| {xs} | {sh['mean_eV']:.1f} | {sh['collisions_mean']:.2f} | {c1 - c:.1f} | {c2 - c1:.2f} |")
    out += ["", f"Load after: {os.getloadavg()[0]:.1f}."]
    path = harness.write_text(harness.RESULTS / "reactor_fluid2d_ccp_edupic.md", "\n".join(out))
    print(path.read_text())


if __name__ == "__main__":
    main()
