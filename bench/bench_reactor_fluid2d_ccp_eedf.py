"""The 2D CCP with the two-term Boltzmann EEDF (``reactor.eedf: boltzmann``: the local
mean-energy approximation, waferlab.reactor.fluid2d.ccp_eedf) against the eduPIC reference case
(Donkó et al., Plasma Sources Sci. Technol. 30, 095017, 2021; waferlab.validation.ccp_edupic).

1. The mean-energy table at the eduPIC conditions (argon, 10 Pa, 350 K, 13.56 MHz, e–e at the
   homogeneous model's ionisation degree): E/N, the rate factors, T_B/T_e and the collisional
   energy loss per ionisation E_c against the Maxwellian's; its CPU.
2. Matched power (121.7 W/m²): Maxwellian (the default), Boltzmann rates with T_B = T_e, and the
   full ``eedf: boltzmann`` (Boltzmann rates + the generalised Bohm temperature), with the ion
   Monte Carlo's mean energy at the electrode (centre column, 4000 ions, seed 1).
3. Matched voltage (V_T = 250 V, secant on ln P) for the Maxwellian and the Boltzmann model.
4. The diagnosis: n ∝ Γ/u_B(T_B), the energy per lost pair, and the electron energy relaxation
   length against the bulk (local or non-local EEDF).
5. The example (examples/fluid2d/reactor-argon-ccp.yaml) with ``eedf: boltzmann``: what would change.

Writes bench/results/reactor_fluid2d_ccp_eedf_s13.md.  Run: python bench/bench_reactor_fluid2d_ccp_eedf.py
"""
from __future__ import annotations

import harness

harness.configure(2)

import math  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from waferlab.constants import EV, PI  # noqa: E402
from waferlab.errors import SimulationError  # noqa: E402
from waferlab.reactor import ReactorSpec  # noqa: E402
from waferlab.reactor.cross_sections import electron_processes  # noqa: E402
from waferlab.reactor.fluid2d.ccp import build_ccp, solve_ccp  # noqa: E402
from waferlab.reactor.fluid2d.ccp_eedf import TABLE_GRID  # noqa: E402
from waferlab.reactor.fluid2d.ccp_output import wafer_ions  # noqa: E402
from waferlab.recipe_io import load_yaml, validate_section  # noqa: E402
from waferlab.validation.ccp_edupic import CITATION, EDUPIC, compare, edupic_spec  # noqa: E402

N_IONS = 4000
KEYS = ("n_peak_m3", "ion_flux_m2s", "rf_voltage_V", "rf_current_A_m2", "plasma_potential_V", "T_e_eV",
        "power_ions_W_m2")
TOL = {"n_peak_m3": "factor 2", "ion_flux_m2s": "factor 2", "rf_voltage_V": "30 %", "rf_current_A_m2": "30 %",
       "plasma_potential_V": "30 %", "ion_energy_mean_eV": "30 %", "T_e_eV": "reported", "power_ions_W_m2": "reported"}


def ok(k: str, r: float) -> str:
    t = TOL[k]
    if t == "factor 2":
        return "met" if 0.5 < r < 2.0 else "**NOT met**"
    if t == "30 %":
        return "met" if abs(r - 1) <= 0.30 else "**NOT met**"
    return ""


def solve(eedf: str, bohm: bool = True, power: float = EDUPIC.power_W_m2):
    c = time.process_time()
    r = solve_ccp(edupic_spec(power_W_m2=power, eedf=eedf), bohm_from_eedf=bohm)
    return r, time.process_time() - c


def matched_voltage(eedf: str, first):
    lo, vlo = math.log(EDUPIC.power_W_m2), float(first.heating.V_T)
    hi = lo + math.log((250.0 / vlo) ** 2)
    c0 = time.process_time()
    r, _ = solve(eedf, power=math.exp(hi))
    vhi = float(r.heating.V_T)
    for _ in range(8):
        if abs(vhi - 250.0) < 0.25:
            break
        nxt = hi + (250.0 - vhi) * (hi - lo) / (vhi - vlo)
        lo, vlo, hi = hi, vhi, nxt
        r, _ = solve(eedf, power=math.exp(hi))
        vhi = float(r.heating.V_T)
    return r, math.exp(hi), time.process_time() - c0


def table_section(setup) -> list[str]:
    tb = setup.eedf_table
    gm = setup.global_model
    ids = list(tb.names)
    iz, ex = ids.index("iz"), ids.index("ex")
    ng = np.array([gm.n_g0])
    out = ["## 1. The mean-energy table at the eduPIC conditions", "",
           f"Two-term Boltzmann (Hagelaar & Pitchford 2005), argon cross sections fitted to the chemistry's "
           f"L&L Table 3.3 rates, N = {gm.n_g0:.3e} m⁻³, ω/N = {setup.omega / gm.n_g0:.3e} m³/s, e–e at "
           f"n/N = {tb.ion_degree:.2e} (the homogeneous Maxwellian model's n₀/N), "
           f"grid {TABLE_GRID.n} cells to {TABLE_GRID.u_max:g} eV.  "
           "E_c = collisional energy loss per ionisation (eV), loss/ν_iz.", "",
           "| ε̄ eV | T_e = ⅔ε̄ | E/N Td (rms) | k_iz Boltzmann m³/s | k_iz Maxwellian | c_iz | c_ex | T_B/T_e | "
           "E_c Boltzmann eV | E_c Maxwellian eV |", "|---|---|---|---|---|---|---|---|---|---|"]
    for j, e in enumerate(tb.mean_energy_eV):
        Te = np.array([e / 1.5])
        gm.rate_factor = None
        nu_M, loss_M, _ = setup.coef.rates(Te, ng)
        kM = gm.rate_coefficients(Te, ng)[iz, 0]
        gm.rate_factor = tb.rate_factor
        nu_B, loss_B, _ = setup.coef.rates(Te, ng)
        Ec_B = loss_B[0] / nu_B[0] if nu_B[0] > 0 else math.inf
        out.append(f"| {e:.2f} | {e / 1.5:.2f} | {tb.EN[j] * 1e21:.2f} | {tb.rate[iz, j]:.3e} | {kM:.3e} | "
                   f"{tb.factor[iz, j]:.3e} | {tb.factor[ex, j]:.3e} | {tb.T_bohm_ratio[j]:.3f} | "
                   f"{Ec_B:.4g} | {loss_M[0] / nu_M[0]:.4g} |")
    return out + [""]


def cmp_table(rows: list[tuple[str, dict]]) -> list[str]:
    head = "| quantity | tolerance | " + " | ".join(f"{lab} | ratio" for lab, _ in rows) + " |"
    out = [head, "|---|---|" + "---|---|" * len(rows)]
    keys = list(KEYS) + (["ion_energy_mean_eV"] if all("ion_energy_mean_eV" in c for _, c in rows) else [])
    for k in keys:
        cells = []
        for _, c in rows:
            a, b = c[k]
            cells.append(f"{a:.4g} | {a / b:.3f} {ok(k, a / b)}")
        out.append(f"| {k} (eduPIC {rows[0][1][k][1]:.4g}) | {TOL[k]} | " + " | ".join(cells) + " |")
    return out + [""]


def diagnosis(res, label: str) -> str:
    c = compare(res)
    area = PI * res.setup.electrode_radius ** 2
    Pe = (res.absorbed_power - res.heating.ion_power) / area
    flux2 = float(res.ion_flux_wafer[0] + res.ion_flux_top[0])
    k = int(np.argmax(res.n_e[0]))
    Te = float(res.T_e[0, k])
    Tw = float(res.T_e[0, 0])
    TB = float(res.setup.bohm(np.array([Tw]))[0]) if res.setup.bohm is not None else Tw
    ng = np.array([res.setup.global_model.n_g0])
    nu, loss, _ = res.setup.coef.rates(np.array([Te]), ng)
    g_n = c['ion_flux_m2s'][0] / c['n_peak_m3'][0]
    return (f"| {label} | {1.5 * Te:.2f} | {Te:.2f} | {Tw:.2f} / {TB:.2f} | {g_n:.0f} | {loss[0] / nu[0]:.1f} | "
            f"{Pe / (flux2 * EV):.1f} | {c['n_peak_m3'][0] / EDUPIC.n_peak_m3:.3f} |")


def relaxation_lengths(setup) -> list[str]:
    """λ_ε = √(λ_m λ_*/3) above the excitation threshold, λ_m √(M/(2m_e))/√3-order below it
    (Kolobov & Godyak, IEEE Trans. Plasma Sci. 23, 503, 1995), from the table's cross sections."""
    gm = setup.global_model
    N = gm.n_g0
    procs = electron_processes(gm.chem, TABLE_GRID)
    u = TABLE_GRID.u
    sig_m = sum(p.process.sigma for p in procs if p.process.kind == "elastic")
    sig_in = sum(p.process.sigma for p in procs if p.process.kind == "inelastic")
    mr = [p.process.mass_ratio for p in procs if p.process.kind == "elastic"][0]
    out = []
    for e in (5.0, 14.0, 20.0):
        j = int(np.searchsorted(u, e))
        lm = 1.0 / (N * sig_m[j])
        if sig_in[j] > 0:
            lam = math.sqrt(lm / (N * sig_in[j]) / 3.0)
            out.append(f"{e:g} eV: λ_m = {lm * 1e3:.2f} mm, λ_* = {1e3 / (N * sig_in[j]):.0f} mm, "
                       f"λ_ε = √(λ_m λ_*/3) = {lam * 1e3:.1f} mm")
        else:
            lam = lm / math.sqrt(3 * 2 * mr)
            out.append(f"{e:g} eV (elastic only): λ_m = {lm * 1e3:.2f} mm, λ_ε = λ_m/√(6 m_e/M) = {lam * 1e3:.0f} mm")
    return out


def save(out: list[str]) -> None:
    """Written after every section (a long bench on a shared machine keeps what it measured)."""
    harness.write_text(harness.RESULTS / "reactor_fluid2d_ccp_eedf_s13.md", "\n".join(out))


def main() -> None:
    out = ["# 2D CCP with the two-term Boltzmann EEDF (`eedf: boltzmann`, local mean-energy approximation) "
           "against eduPIC (session 13)", "",
           f"Reference: {CITATION}.  Load before: {os.getloadavg()[0]:.1f}.  CPU = time.process_time of this "
           "process (the machine is shared: wall times are not reported).", ""]
    c = time.process_time()
    setup = build_ccp(edupic_spec(eedf="boltzmann"))
    cpu_build = time.process_time() - c
    out += table_section(setup)
    out += [f"Building the table + the homogeneous models: {cpu_build:.1f} s CPU (cached afterwards within a process).",
            ""]

    save(out)
    mx, cpu_mx = solve("maxwellian")
    bn, cpu_bn = solve("boltzmann", bohm=False)
    bb, cpu_bb = solve("boltzmann")
    ions = {}
    for lab, r in (("mx", mx), ("bb", bb)):
        c = time.process_time()
        ions[lab] = (wafer_ions(r, seed=1, n_ions=N_IONS), time.process_time() - c)
    cm, cb = compare(mx, ions["mx"][0]), compare(bb, ions["bb"][0])
    cn = compare(bn)
    out += ["## 2. Matched power: 121.7 W/m² (radius 0.3 m, 16 × 16, Phelps ion cross sections)", "",
            f"CPU per CCP solve: Maxwellian {cpu_mx:.1f} s ({mx.iterations} steps), Boltzmann rates with T_B = T_e "
            f"{cpu_bn:.1f} s ({bn.iterations}), `eedf: boltzmann` {cpu_bb:.1f} s ({bb.iterations}; the table is "
            f"cached).  Ion Monte Carlo ({N_IONS} ions): {ions['mx'][1]:.1f} / {ions['bb'][1]:.1f} s CPU.", ""]
    out += cmp_table([("Maxwellian (default)", cm), ("`eedf: boltzmann`", cb)])
    out += ["Boltzmann rates alone (T_B = T_e, the presheath T_e/2; `bohm_from_eedf=False`, a diagnostic):", ""]
    out += cmp_table([("Boltzmann rates, T_B = T_e", cn)])
    out += [f"Mean ion energy ± standard error: Maxwellian {cm['ion_energy_mean_eV'][0]:.2f} ± "
            f"{ions['mx'][0].columns[0].mean_energy_sigma_eV:.2f} eV, Boltzmann {cb['ion_energy_mean_eV'][0]:.2f} ± "
            f"{ions['bb'][0].columns[0].mean_energy_sigma_eV:.2f} eV (eduPIC 33.46).", ""]

    save(out)
    vb, Pb, cpu_vb = matched_voltage("boltzmann", bb)
    out += ["## 3. Matched voltage: V_T = 250 V (secant on ln P)", "",
            f"Boltzmann at {Pb:.1f} W/m² ({cpu_vb:.1f} s CPU).  The Maxwellian's (bench/results/"
            "reactor_fluid2d_ccp_edupic.md, session 12): 94.4 W/m², n 0.441, ion flux 0.678, V_T 1.000, J₁ 1.037, "
            "V̄ + T_e/2 0.940.", ""]
    out += cmp_table([("`eedf: boltzmann`", compare(vb))])
    save(out)

    T_pic = 2.0 / 3.0 * EDUPIC.mean_electron_energy_eV
    out += ["## 4. Why", "",
            "| model | ε̄ at mid-gap eV | T_e = ⅔ε̄ | T_e / T_B at the electrode | Γ/n m/s | E_c at mid-gap eV | "
            "electron energy per lost pair eV | n / n_PIC |", "|---|---|---|---|---|---|---|---|",
            diagnosis(mx, "Maxwellian"), diagnosis(bn, "Boltzmann rates, T_B = T_e"),
            diagnosis(bb, "`eedf: boltzmann`"),
            f"| eduPIC | {EDUPIC.mean_electron_energy_eV:.2f} | {T_pic:.2f} | — | "
            f"{EDUPIC.ion_flux_m2s / EDUPIC.n_peak_m3:.0f} | — | "
            f"{EDUPIC.power_electrons_W_m2 / (2 * EDUPIC.ion_flux_m2s * EV):.1f} | 1 |", "",
            "Electron energy relaxation lengths at the eduPIC density (table cross sections; bulk length "
            f"{bb.setup.mesh.z_faces[-1] * 1e3:.1f} mm):", ""]
    out += [f"- {s}" for s in relaxation_lengths(bb.setup)] + [""]
    save(out)

    ex = load_yaml(harness.ROOT / "examples" / "fluid2d" / "reactor-argon-ccp.yaml")["reactor"]
    out += ["## 5. The example (reactor-argon-ccp.yaml, 10 mTorr, 30 W, 5 cm) with `eedf: boltzmann`", "",
            "| eedf | ⟨n_e⟩ m⁻³ | T_e at the centre eV | V_a V | self-bias V | wafer ion flux (r = 0) m⁻²s⁻¹ | "
            "wafer mean ion energy eV | CCP CPU s |", "|---|---|---|---|---|---|---|---|"]
    for eedf in ("maxwellian", "boltzmann"):
        c = time.process_time()
        try:
            r = solve_ccp(validate_section(ReactorSpec, {**ex, "eedf": eedf}, "reactor"))
        except SimulationError as exc:
            out.append(f"| {eedf} | fails: {exc} | | | | | | {time.process_time() - c:.1f} |")
            continue
        cpu = time.process_time() - c
        io = wafer_ions(r, seed=0)
        k = int(np.argmax(r.n_e[0]))
        h = r.heating
        out.append(f"| {eedf} | {r.n_e_avg:.3e} | {r.T_e[0, k]:.2f} | {float(h.V_a):.1f} | {float(h.self_bias):.1f} | "
                   f"{r.ion_flux_wafer[0]:.3e} | {io.shape['mean_eV']:.1f} | {cpu:.1f} |")
    out += ["", f"Load after: {os.getloadavg()[0]:.1f}."]
    save(out)
    print("\n".join(out))


if __name__ == "__main__":
    main()
