"""2D parallel-plate CCP (``source.type: ccp``, ``model: fluid2d``): speed, mesh refinement and
agreement with the homogeneous CCP model (Lieberman & Lichtenberg 2005, ch. 10-11).

Speed: the example recipe (examples/fluid2d/reactor-argon-ccp.yaml, 16 × 16) — mesh size,
iterations, the residual history and CPU time (time.process_time of this process) beside wall
time and the load average.  Mesh: 10 × 12 → 16 × 16 → 24 × 24 → 32 × 32 of the same case.
Agreement: argon at 10-100 mTorr, 5-30 W, 5 and 10 cm gaps, both power conventions, equal plates
(rf_return: electrode, the homogeneous model's geometry); ratios 2D / homogeneous of ⟨n_e⟩ (volume
average vs n₀), T_e (density-weighted), the powered sheath's V₁ and s_m at the centre, and the
absorbed power.  Self-bias: the capacitive divider alone against the area law V_a/V_b =
(A_b/A_a)^q (L&L 2005 §11.4; q = 4 Child law, 5/2 collisional) with equal edge densities, and
the 2D runs' self-bias with their effective q = ln(V_a/V_b)/ln(A_b/A_a).
Writes bench/results/reactor_fluid2d_ccp.md.

Ion energy and angle at the wafer through the collisional sheath (the ion Monte Carlo of
waferlab.reactor.iedf_mc, `iedf` section, bench/results/reactor_fluid2d_ccp_iedf.md): the example's
IEDF shape, IADF width and CPU; the example's sheath at s_m/λ_i = 0 … 8 (mean energy, uncollided
fraction, angles); the DC sheath against Davis & Vanderslice (Phys. Rev. 131, 219, 1963).

Run:  python bench/bench_reactor_fluid2d_ccp.py          (both)
      python bench/bench_reactor_fluid2d_ccp.py iedf     (the ion Monte Carlo only)
"""
from __future__ import annotations

import harness

harness.configure(2)

import os  # noqa: E402
import time  # noqa: E402

from waferlab.recipe_io import load_yaml, validate_section  # noqa: E402
from waferlab.reactor import ReactorSpec  # noqa: E402
import math  # noqa: E402

import numpy as np  # noqa: E402

from waferlab.errors import RecipeError, SimulationError  # noqa: E402
from waferlab.reactor.fluid2d.ccp import energy_channels, solve_ccp  # noqa: E402
from waferlab.reactor.fluid2d.ccp_sheath import Surface, capacitive_split  # noqa: E402
from waferlab.reactor import iedf_mc  # noqa: E402
from waferlab.reactor.fluid2d.ccp_output import reactor_state_ccp, wafer_ions  # noqa: E402

M_AR = 39.948 * 1.66053906660e-27
OMEGA = 2 * math.pi * 13.56e6

EXAMPLE = harness.ROOT / "examples" / "fluid2d" / "reactor-argon-ccp.yaml"
CASES = [("10 mTorr", "30 W", "5 cm", "discharge"), ("10 mTorr", "10 W", "5 cm", "discharge"),
         ("30 mTorr", "30 W", "10 cm", "discharge"), ("100 mTorr", "10 W", "10 cm", "discharge"),
         ("10 mTorr", "2 W", "5 cm", "electrons"), ("30 mTorr", "5 W", "10 cm", "electrons")]


def example(mesh=None, **over):
    d = load_yaml(EXAMPLE)["reactor"]
    if mesh is not None:
        d["fluid2d"]["mesh"] = {"nr": mesh[0], "nz": mesh[1]}
    d.update(over)
    return validate_section(ReactorSpec, d, "reactor")


def timed(spec):
    """(result, CPU s, wall s); (None, the error, 0) where the run fails."""
    c, w = time.process_time(), time.perf_counter()
    try:
        r = solve_ccp(spec)
    except (SimulationError, RecipeError) as exc:
        return None, f"failed: {str(exc)[:160]}", 0.0
    return r, time.process_time() - c, time.perf_counter() - w


def continuity(r) -> float:
    """(I_powered − I_grounded)/I_powered of the RF current."""
    m, h = r.setup.mesh, r.heating
    A_side = 2 * math.pi * m.r_faces[-1] * m.dz
    I_a = float((m.ring_area * h.J1)[r.setup.electrode].sum())
    I_b = float((m.ring_area * h.J1_top).sum() + (m.ring_area * h.J1)[~r.setup.electrode].sum()
                + (A_side * h.J1_side).sum())
    return (I_a - I_b) / I_a


def main() -> None:
    out = ["## reactor: 2D CCP (fluid2d, source.type: ccp)", ""]
    r, cpu, wall = timed(example())
    m = r.setup.mesh
    ch = energy_channels(r)
    out += ["### Speed: the example recipe (argon, 10 mTorr, 30 W, 5 cm gap, R = 15 cm, gas heating on)", "",
            f"- mesh {m.nr} × {m.nz} = {m.size} cells ({2 * m.size} unknowns), {r.iterations} pseudo-time steps, "
            f"**CPU {cpu:.1f} s**, wall {wall:.1f} s at load {os.getloadavg()[0]:.1f}",
            f"- absorbed power {r.absorbed_power:.9g} W (electrons {r.electron_power:.4g} W = ohmic "
            f"{float((r.heating.ohmic * m.volume).sum()):.3g} + stochastic "
            f"{float((r.heating.stochastic * m.volume).sum()):.3g}; ions' sheath energy {r.heating.ion_power:.4g} W); "
            f"particle balance {ch['particle_balance']:.1e}, electron energy balance {ch['residual']:.1e}",
            f"- V_T (between the plates) {r.heating.V_T:.1f} V = powered sheaths {r.heating.V_a:.1f} V "
            f"+ grounded {r.heating.V_b:.1f} V "
            f"(rf_return {r.setup.ccp.rf_return}); **DC self-bias {r.heating.self_bias:.1f} V**; powered sheath at "
            f"the centre s_m {r.heating.s_bottom[0] * 1e3:.2f} mm, J₁ {r.heating.J1[0]:.1f} A/m², T_e/2 + V̄ "
            f"{0.5 * r.T_e_wafer[0] + r.heating.Vbar_bottom[0]:.1f} eV; {r.setup.sheath_regime} sheaths "
            f"(λ_i {r.setup.lambda_i * 1e3:.2f} mm, λ_i/s_m {r.setup.lambda_i / r.heating.s_bottom[0]:.2f})",
            f"- RF current continuity (powered − grounded)/powered: {continuity(r):.1e}",
            "- scaled residual history: " + ", ".join(f"{h:.1e}" for h in r.residual_history), ""]
    out += ["### Mesh refinement (example, gas heating off)", "",
            "| mesh | steps | CPU s | ⟨n_e⟩ m⁻³ | T_e eV | Γ_i(0) m⁻²s⁻¹ | V₁(0) V | s_m(0) mm | T_e/2 + V̄ (0) eV |",
            "|---|---|---|---|---|---|---|---|---|"]
    for mesh in ((10, 12), (16, 16), (24, 24), (32, 32)):
        r, cpu, _ = timed(example(mesh, fluid2d={**load_yaml(EXAMPLE)["reactor"]["fluid2d"],
                                                 "mesh": {"nr": mesh[0], "nz": mesh[1]}, "gas_heating": False,
                                                 "max_iterations": 600}))
        if r is None:
            out.append(f"| {mesh[0]} × {mesh[1]} | {cpu} |")
            continue
        h = r.heating
        out.append(f"| {mesh[0]} × {mesh[1]} | {r.iterations} | {cpu:.1f} | {r.n_e_avg:.4g} | "
                   f"{r.T_e_density_weighted:.4g} | {r.ion_flux_wafer[0]:.4g} | {h.V1_bottom[0]:.1f} | "
                   f"{h.s_bottom[0] * 1e3:.3f} | {0.5 * r.T_e_wafer[0] + h.Vbar_bottom[0]:.1f} |")
    out += ["", "### Against the homogeneous CCP model (2D / homogeneous, `mean_voltage: series` in both; criteria "
            "⟨n_e⟩ ±30 %, T_e ±10 %)", "",
            "| pressure | power | gap | power counts | sheath law (λ_i/s_m) | ⟨n_e⟩ | T_e | V₁(0) | s_m(0) | "
            "P_abs / P | CPU s |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for p, P, gap, mode in CASES:
        spec = example((10, 12), pressure=p, source={"type": "ccp", "power": P},
                       chamber={"radius": "15 cm", "length": gap, "wafer_radius": "10 cm"},
                       fluid2d={"ccp": {"power_absorbed_by": mode, "rf_return": "electrode"},
                                "mesh": {"nr": 10, "nz": 12}, "gas_heating": False, "max_iterations": 600})
        r, cpu, _ = timed(spec)
        if r is None:
            out.append(f"| {p} | {P} | {gap} | {mode} | {cpu} |")
            continue
        ref = r.setup.reference
        out.append(f"| {p} | {P} | {gap} | {mode} | {r.setup.sheath_regime} "
                   f"({r.setup.lambda_i / ref.s_m_m:.2f}) | {r.n_e_avg / ref.n0_m3:.3f} | "
                   f"{r.T_e_density_weighted / ref.T_e_eV:.3f} | {r.heating.V1_bottom[0] / ref.V1_V:.3f} | "
                   f"{r.heating.s_bottom[0] / ref.s_m_m:.3f} | {r.absorbed_power / float(P.split()[0]):.9f} | "
                   f"{cpu:.1f} |")
    out += ["", "### Self-bias: the capacitive divider against the area law (equal edge densities "
            "1e15 m⁻³, T_e 1 eV, V_T 4e5 V)", "",
            "| A_b/A_a | q (collisionless) | q (collisional) | V_a/V_b collisionless | (A_b/A_a)^4 |",
            "|---|---|---|---|---|"]
    for k in (1.0, 1.5, 2.0, 3.0):
        qs = []
        for lam in (None, np.array([1e-4])):
            a = Surface(np.array([1.0]), np.array([1e15]), np.array([1.0]), lam)
            b = Surface(np.array([k]), np.array([1e15]), np.array([1.0]), lam)
            f = capacitive_split(4e5, a, b, M_AR, OMEGA)
            qs.append((math.log(f / (1 - f)) / math.log(k) if k > 1 else float("nan"), f / (1 - f)))
        out.append(f"| {k:g} | {qs[0][0]:.3f} | {qs[1][0]:.3f} | {qs[0][1]:.4g} | {k ** 4:.4g} |")
    out += ["", "### Self-bias in 2D (example conditions, 10 × 12, gas heating off)", "",
            "| power | R_e | rf_return | sheath law | A_b/A_a | V_a V | V_b V | self-bias V | effective q | "
            "T_e/2 + V̄ (0) eV | CPU s |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    # collisionless sheaths fill the 5 cm gap at 30 W (homogeneous model: 44 mm each): both laws at 5 W
    for P, R_e, ret, law in (("30 W", "15 cm", "electrode", "auto"), ("30 W", "15 cm", "chamber", "auto"),
                             ("5 W", "15 cm", "chamber", "collisional"), ("5 W", "15 cm", "chamber", "collisionless"),
                             ("30 W", "9 cm", "electrode", "auto"), ("30 W", "9 cm", "chamber", "auto")):
        spec = example((10, 12), chamber={"radius": "15 cm", "length": "5 cm", "wafer_radius": "7.5 cm"},
                       source={"type": "ccp", "power": P},
                       fluid2d={"ccp": {"electrode_radius": R_e, "rf_return": ret, "sheath": law},
                                "mesh": {"nr": 10, "nz": 12}, "gas_heating": False, "max_iterations": 600})
        r, cpu, _ = timed(spec)
        if r is None:
            out.append(f"| {P} | {R_e} | {ret} | {law} | {cpu} |")
            continue
        h, R, Re, L = r.heating, 0.15, r.setup.electrode_radius, r.setup.gap
        A_b = R ** 2 + ((R ** 2 - Re ** 2) + 2 * R * L if ret == "chamber" else 0.0)
        ratio = A_b / Re ** 2
        q = math.log(h.V_a / h.V_b) / math.log(ratio) if ratio > 1 + 1e-9 else float("nan")
        out.append(f"| {P} | {R_e} | {ret} | {r.setup.sheath_regime} | {ratio:.3f} | {h.V_a:.1f} | {h.V_b:.1f} | "
                   f"{h.self_bias:.1f} | {q:.2f} | {0.5 * r.T_e_wafer[0] + h.Vbar_bottom[0]:.1f} | {cpu:.1f} |")
    path = harness.write_text(harness.RESULTS / "reactor_fluid2d_ccp.md", "\n".join(out))
    print(path.read_text())


def iedf() -> None:
    """The ion Monte Carlo section (bench/results/reactor_fluid2d_ccp_iedf.md)."""
    out = ["## reactor: 2D CCP — ion energy and angle through the collisional sheath (ion Monte Carlo)", ""]
    r, cpu, wall = timed(example())
    c0, w0 = time.process_time(), time.perf_counter()
    ions = wafer_ions(r)
    mc_cpu, mc_wall = time.process_time() - c0, time.perf_counter() - w0
    assert ions is not None
    st, st0 = reactor_state_ccp(r, ions), reactor_state_ccp(r, None)
    sh_ = ions.shape
    E0 = float((ions.weights * ions.sheath_energy_eV).sum())
    lo0, hi0 = (float(np.interp(q, st0.iedf.cdf(), st0.iedf.x)) for q in (0.005, 0.995))
    out += ["### The example (examples/fluid2d/reactor-argon-ccp.yaml: 10 mTorr, 30 W, 5 cm, metal chamber)", "",
            f"- CCP solve: CPU {cpu:.1f} s (wall {wall:.1f} s); ion Monte Carlo {ions.n_ions} ions "
            f"({len(ions.columns)} wafer columns × {ions.columns[0].injected}), **CPU {mc_cpu:.2f} s** "
            f"(kernel {ions.cpu_s:.2f} s; wall {mc_wall:.2f} s) at load {os.getloadavg()[0]:.1f}; "
            f"lost ions {ions.lost}",
            f"- powered sheath at the centre: V̄ {r.heating.Vbar_bottom[0]:.1f} V, V₁ {r.heating.V1_bottom[0]:.1f} V, "
            f"s_m {r.heating.s_bottom[0] * 1e3:.2f} mm, λ_i {ions.columns[0].mfp * 1e3:.2f} mm: "
            f"**s_m/λ_i = {ions.collisionality[0]:.2f}** (wafer {ions.collisionality.min():.2f}–"
            f"{ions.collisionality.max():.2f})",
            "", "| wafer average | collisionless (before; still used where the sheaths are collisionless) | "
            "collisional sheath (Monte Carlo) |", "|---|---|---|",
            f"| mean ion energy eV | {st0.ion_energy_mean_eV:.1f} | **{st.ion_energy_mean_eV:.1f}** |",
            f"| median eV | {float(np.interp(0.5, st0.iedf.cdf(), st0.iedf.x)):.1f} | {sh_['median_eV']:.1f} |",
            f"| energy range (0.5–99.5 %) eV | {lo0:.0f}–{hi0:.0f} | "
            f"{float(np.percentile(np.concatenate([c.energy_eV for c in ions.columns]), 0.5)):.1f}–"
            f"{float(np.percentile(np.concatenate([c.energy_eV for c in ions.columns]), 99.5)):.0f} |",
            f"| fraction above 0.9 (T_e/2 + V̄) = {0.9 * E0:.0f} eV | 1 | {sh_['fraction_above_0.9E']:.4f} |",
            f"| fraction below 0.5 (T_e/2 + V̄) | 0 | {sh_['fraction_below_0.5E']:.3f} |",
            f"| collisions per ion | 0 | {sh_['collisions_mean']:.2f} |",
            f"| IADF median / 90 % / mean (deg) | "
            f"{math.degrees(float(np.interp(0.5, st0.iadf.cdf(), st0.iadf.x))):.2f} / "
            f"{math.degrees(float(np.interp(0.9, st0.iadf.cdf(), st0.iadf.x))):.2f} / "
            f"{math.degrees(st0.iadf.mean()):.2f} | {sh_['angle_median_deg']:.2f} / {sh_['angle_p90_deg']:.2f} / "
            f"{sh_['angle_mean_deg']:.2f} |",
            f"| cosⁿ exponent of the IADF | {st0.ion_cos_exponent:.0f} | {st.ion_cos_exponent:.0f} |",
            "", "wafer columns: r mm, s_m/λ_i, mean ion energy eV (T_e/2 + V̄ eV): " + "; ".join(
                f"{x * 1e3:.0f}, {c:.2f}, {e:.1f} ({e0:.1f})" for x, c, e, e0 in
                zip(r.wafer_r, ions.collisionality, ions.mean_energy_eV, ions.sheath_energy_eV)), ""]
    h = r.heating
    Vbar, V1, s, Te = float(h.Vbar_bottom[0]), float(h.V1_bottom[0]), float(h.s_bottom[0]), float(r.T_e_wafer[0])
    out += ["### The example's centre sheath at other mean free paths (20 000 ions each)", "",
            "| s_m/λ_i | mean eV | σ_mean eV | median eV | above 0.9 E₀ | e^{−s/λ} | below 0.5 E₀ | collisions | "
            "angle median / 90 % deg | lost | CPU s |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for sl in (0.0, 0.5, 1.0, 2.0, 4.0, ions.collisionality[0], 8.0):
        q = iedf_mc.sheath_ions(Vbar=Vbar, V1=V1, s_m=s, mfp=s / sl if sl else math.inf, m_i=M_AR, T_e_eV=Te,
                                frequency=13.56e6, ions="collisional", n_ions=20000, seed=1)
        d = iedf_mc.iedf_shape(q.energy_eV, q.angle_rad, Vbar + Te / 2)
        out.append(f"| {sl:.2f} | {q.mean_energy_eV:.1f} | {q.mean_energy_sigma_eV:.2f} | {d['median_eV']:.1f} | "
                   f"{d['fraction_above_0.9E']:.4f} | {math.exp(-sl):.4f} | {d['fraction_below_0.5E']:.3f} | "
                   f"{q.collisions.mean():.3f} | {d['angle_median_deg']:.2f} / {d['angle_p90_deg']:.2f} | "
                   f"{q.lost} | {q.cpu_s:.2f} |")
    out += ["", "### DC sheath against Davis & Vanderslice 1963 (linear field, V_c 250 V, ions born at rest; "
            "100 000 ions, 12 energy bins + the uncollided peak)", "",
            "| s/λ | max abs z (bins) | χ² (12 dof) | mean MC eV | mean eq. (2) eV | 3σ_mean eV | CPU s |",
            "|---|---|---|---|---|---|---|"]
    for sl in (1.0, 2.0, 5.0, 10.0):
        N, Vc = 100000, 250.0
        q = iedf_mc.sheath_ions(Vbar=Vc, s_m=5e-3, mfp=5e-3 / sl, m_i=M_AR, T_e_eV=0.05, frequency=0.0,
                                ions="uniform", drive="dc", T_ion_eV=0.0, T_gas_K=0.0, n_ions=N, seed=2)
        edges = np.append(np.linspace(0.0, Vc, 13)[:-1], [Vc - 0.02, 1e9])
        c, _ = np.histogram(q.energy_eV, edges)
        p = np.diff(iedf_mc.davis_vanderslice_cdf(edges, Vc, sl))
        z = (c - N * p) / np.sqrt(N * p * (1 - p))
        E = np.linspace(0.0, Vc, 200001)
        mean = float(np.trapezoid(1 - iedf_mc.davis_vanderslice_cdf(E, Vc, sl), E)) + math.exp(-sl) * 0.025
        out.append(f"| {sl:g} | {np.abs(z).max():.2f} | {float((z ** 2).sum()):.1f} | {q.mean_energy_eV:.2f} | "
                   f"{mean:.2f} | {3 * q.mean_energy_sigma_eV:.2f} | {q.cpu_s:.2f} |")
    out += series()
    path = harness.write_text(harness.RESULTS / "reactor_fluid2d_ccp_iedf.md", "\n".join(out))
    print(path.read_text())


def series() -> list[str]:
    """The default ``mean_voltage: series`` against ``sinusoidal`` (the dominant-powered-sheath
    limit): the example, and the homogeneous-model agreement of CASES with ``sinusoidal`` in both
    models (that of the default is the main section's table)."""
    out = ["", "### The sheaths' mean voltage: `mean_voltage: series` (default) and `sinusoidal`", "",
           "| example | κ_a / κ_b | V_a V | V_b V | self-bias V | V̄_a(0) V | T_e/2 + V̄ (0) eV | s_m(0) mm | "
           "⟨n_e⟩ m⁻³ | T_e eV | Γ_i(0) m⁻²s⁻¹ | MC mean eV | steps | CPU s |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for mv in ("series", "sinusoidal"):
        d = load_yaml(EXAMPLE)["reactor"]
        d["fluid2d"]["ccp"]["mean_voltage"] = mv
        r, cpu, _ = timed(validate_section(ReactorSpec, d, "reactor"))
        if r is None:
            out.append(f"| {mv} | {cpu} |")
            continue
        h = r.heating
        ions = wafer_ions(r)
        E = reactor_state_ccp(r, ions).ion_energy_mean_eV
        out.append(f"| {mv} | {h.kappa_a:.3f} / {h.kappa_b:.3f} | {h.V_a:.1f} | {h.V_b:.1f} | {h.self_bias:.1f} | "
                   f"{h.Vbar_bottom[0]:.1f} | {0.5 * r.T_e_wafer[0] + h.Vbar_bottom[0]:.1f} | "
                   f"{h.s_bottom[0] * 1e3:.2f} | {r.n_e_avg:.4g} | {r.T_e_density_weighted:.4g} | "
                   f"{r.ion_flux_wafer[0]:.4g} | {E:.1f} | {r.iterations} | {cpu:.1f} |")
    out += ["", "Against the homogeneous CCP model with `mean_voltage: sinusoidal` in both (2D / homogeneous; "
            "criteria ⟨n_e⟩ ±30 %, T_e ±10 %; κ_a = κ_b = 1; the default `series`: the main section's table, "
            "bench/results/reactor_fluid2d_ccp.md)", "",
            "| pressure | power | gap | power counts | ⟨n_e⟩ | T_e | V₁(0) | P_abs / P | steps | CPU s |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for p, P, gap, mode in CASES:
        spec = example((10, 12), pressure=p, source={"type": "ccp", "power": P},
                       chamber={"radius": "15 cm", "length": gap, "wafer_radius": "10 cm"},
                       fluid2d={"ccp": {"power_absorbed_by": mode, "rf_return": "electrode",
                                         "mean_voltage": "sinusoidal"},
                                "mesh": {"nr": 10, "nz": 12}, "gas_heating": False, "max_iterations": 600})
        r, cpu, _ = timed(spec)
        if r is None:
            out.append(f"| {p} | {P} | {gap} | {mode} | {cpu} |")
            continue
        ref = r.setup.reference
        out.append(f"| {p} | {P} | {gap} | {mode} | {r.n_e_avg / ref.n0_m3:.3f} | "
                   f"{r.T_e_density_weighted / ref.T_e_eV:.3f} | {r.heating.V1_bottom[0] / ref.V1_V:.3f} | "
                   f"{r.absorbed_power / float(P.split()[0]):.9f} | {r.iterations} | {cpu:.1f} |")
    return out


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["iedf"]:
        iedf()
    else:
        main()
        iedf()
