"""Why fluid2d held ≈1.7 × the global model's volume-averaged n_e (issue #14 item 2): both
models balanced term by term at the same recipe, and the exact reference that decides.

Part A — the exact reference (:mod:`waferlab.validation.presheath`, kinetic plane discharge,
Tonks–Langmuir with constant-λ charge exchange): particle conservation in the exact solution
is ν_iz · l/2 = h_avg u_B with h_avg = Γ_wall/(n̄ u_B) = h_c/a (a = n̄/n₀).  A global model
whose ionisation is ν_iz n V and whose wall loss is h n u_B A sustains itself at
ν_iz l/2 = h u_B: L&L's form (n = n₀, h = h_L ≈ h_c; eq. 10.2.1) therefore has ν_iz too low
by a; the shipped form (n = n̄, h = h_L/a_L) has the exact one.  Printed: the exact
ν_iz l/(2 u_B) against each form's, at the l/λ of the #14 chambers.

Part B — the 16 argon rows (R 15 × L 30 cm and R 20 × L 10 cm, 1–30 mTorr, 200/1000 W, 300 K
gas, no gas heating), term by term: for the global model in L&L's form (``volume_average=
False``, sessions ≤ 16) and in the shipped form, and for fluid2d with the global T_i in its
ICP drag (sessions 16) and with T_gas (shipped): the density variable, the density-weighted
ν_iz (same rate fits), the total ion wall loss Γ (= ∫ν_iz n dV at steady state), the energy
per lost pair E_T = P/(eΓ) and fluid2d's split of P (collisions, wall 2.5T_e + V_s, ion Joule).
n̄ = Γ/(⟨ν_iz⟩ V) = P/(e E_T ⟨ν_iz⟩ V): the density ratio of two models is the product of
their E_T ratio and ν_iz ratio, printed as such.

Part C — the acceptance table (shipped code): fluid2d ⟨n_e⟩ against the global ``n_e_avg_m3``
(the issue's words) and against its centre density, T_e within 10 %; also the wafer-average
ion flux.

Writes bench/results/gcons_s17.md (``--c-only``: part C alone, to gcons_s17_table.md).

Run:  nice -n 5 python bench/bench_reactor_consistency_gcons.py
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_v] = "2"

import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402

import numpy as np  # noqa: E402

from bench_reactor_fluid2d import HERE, POWERS, PRESSURES, SHAPES, commit, spec  # noqa: E402
from waferlab.constants import EV, K_B, TORR  # noqa: E402
from waferlab.reactor.fluid2d import model as fm  # noqa: E402
from waferlab.reactor.fluid2d.output import reactor_state  # noqa: E402
from waferlab.reactor.fluid2d.transport import TransportResidual  # noqa: E402
from waferlab.reactor.global_model import GlobalModel, ion_temperature_eV  # noqa: E402
from waferlab.reactor.kinetic_profile import plane_average  # noqa: E402
from waferlab.reactor.state import _state, build_model  # noqa: E402
from waferlab.validation.presheath import ll_h_l, plane_presheath_at  # noqa: E402

T_GAS = 300.0
SIGMA_I = 1e-18


def part_a(lines: list[str]) -> None:
    lines += ["### A. The exact reference: the ionisation frequency that sustains a plane discharge", "",
              "ν_iz l/(2u_B) of the exact kinetic plane (= h_avg) against a global model's (= its h): "
              "L&L's form h_L (n₀ in the volume terms) and the shipped h_L/a_L (n̄).", "",
              "| l/λ | exact n̄/n₀ | exact ν_iz l/(2u_B) | L&L form | error | shipped form | error |",
              "|---" * 7 + "|"]
    for x in (0.3, 3.22, 9.66, 32.2, 96.6, 290.0):
        ex = plane_presheath_at(x)
        old = float(ll_h_l(x))
        new = old / float(plane_average(x))
        lines.append(f"| {x:g} | {ex.n_avg:.4f} | {ex.h_avg:.4f} | {old:.4f} | {old / ex.h_avg - 1:+.1%} | "
                     f"{new:.4f} | {new / ex.h_avg - 1:+.1%} |")
        print(lines[-1], flush=True)
    lines.append("")


def _global(shape, p, P, volume_average):
    s = spec(shape, p, P, model="global")
    gm = build_model(s)
    if not volume_average:
        gm = GlobalModel(gm.chem, radius=gm.R, length=gm.L, T_gas=gm.T_gas, pressure=gm.pressure,
                         feeds={n: q for n, q in zip(gm.names, gm.feed) if q > 0}, power=gm.power,
                         volume_average=False)
    st = gm.steady_state()
    rs = _state(s, gm, st)
    tr = gm.terms(st.n[:, None], np.array([st.n_e]), np.array([st.T_e]), st.theta[:, None])
    G = float(tr["ion_loss"].sum()) * gm.V
    nu = float(fm.plasma_coefficients(gm).rates(np.array([st.T_e]), np.array([gm.n_g0]))[0][0])
    return dict(T=st.T_e, n=st.n_e, nu=nu, G=G, ET=P_of(P) / (EV * G), rs=rs)


def P_of(P: str) -> float:
    return float(P.split()[0])


def _fluid(shape, p, P, ti_global):
    s = spec(shape, p, P)
    orig = fm.build
    if ti_global:                     # session 16: the global model's T_i in the ICP drag
        def build(spec_, *a, **k):
            setup, gst = orig(spec_, *a, **k)
            Ti = ion_temperature_eV(spec_.pressure, spec_.gas_temperature)
            return replace(setup, coef=replace(setup.coef, T_i_eV=Ti)), gst
        fm.build = build
    try:
        res = fm.solve_fluid2d(s)
    finally:
        fm.build = orig
    m, setup = res.setup.mesh, res.setup
    tr = TransportResidual(m, setup.coef)
    tr.set_state(res.n_gas, res.power)
    _, _, d = tr.evaluate(np.log(res.n_e), res.T_e, details=True)
    n, V = res.n_e, m.volume
    N = float((n * V).sum())
    nu = float((d["nu_iz"] * n * V).sum()) / N
    G = sum(float((tr.walls[k][1] * d["wall"][k][0]).sum()) for k in d["wall"])
    coll = float((n * d["loss"] * V).sum()) * EV
    joule = float(d["heat_ion_eV_s"].sum()) * EV
    wall = 0.0
    c = setup.coef
    for side, (sl, A, _) in tr.walls.items():
        Tp = res.T_e[sl]
        Vs = Tp * 0.5 * np.log(c.m_i / (2 * np.pi * 9.1093837015e-31))
        wall += float((A * d["wall"][side][0] * (2.5 * Tp + Vs)).sum()) * EV
    Pw = P_of(P)
    return dict(T=res.T_e_density_weighted, n=res.n_e_avg, nu=nu, G=G, ET=Pw / (EV * G), coll=coll / Pw,
                wall=wall / Pw, joule=joule / Pw, flux=reactor_state(res).ion_flux_m2s, iz_over_wall=N * nu / G)


def part_b(lines: list[str]) -> list:
    lines += ["### B. Term by term (argon, same recipe; ratios fluid2d / global)", "",
              "Global L&L form = sessions ≤ 16 (density variable n₀); shipped = n̄.  fluid2d s16 = the "
              "global T_i in the ICP drag; shipped = T_gas.  ⟨n⟩ ratio = E_T(global)/E_T(2D) × "
              "ν_iz(global)/⟨ν_iz⟩(2D) (exact identity at steady state).", "",
              "| chamber | p | P | global T_e L&L / shipped | 2D T_e s16 / shipped "
              "| E_T (eV) L&L · shipped · 2D s16 · 2D "
              "| ν_iz 2D-s16/L&L | E_T L&L/2D-s16 | ⟨n⟩ 2D-s16 / n₀ (L&L) | ν_iz 2D/shipped | E_T shipped/2D "
              "| ⟨n⟩ 2D / n̄ (shipped) | 2D P split coll · wall · ion Joule | 2D ∫ν n dV / wall loss |",
              "|---" * 14 + "|"]
    rows = []
    for shape in SHAPES:
        for p in PRESSURES:
            for P in POWERS:
                go, gn = _global(shape, p, P, False), _global(shape, p, P, True)
                fo, fn = _fluid(shape, p, P, True), _fluid(shape, p, P, False)
                rows.append((shape, p, P, go, gn, fo, fn))
                lines.append(
                    f"| {shape} | {p} | {P} | {go['T']:.3f} / {gn['T']:.3f} | {fo['T']:.3f} / {fn['T']:.3f} | "
                    f"{go['ET']:.1f} · {gn['ET']:.1f} · {fo['ET']:.1f} · {fn['ET']:.1f} | "
                    f"{fo['nu'] / go['nu']:.3f} | {go['ET'] / fo['ET']:.3f} | {fo['n'] / go['n']:.3f} | "
                    f"{fn['nu'] / gn['nu']:.3f} | {gn['ET'] / fn['ET']:.3f} | {fn['n'] / gn['n']:.3f} | "
                    f"{fn['coll']:.3f} · {fn['wall']:.3f} · {fn['joule']:.3f} | {fn['iz_over_wall']:.2e} |")
                print(lines[-1], flush=True)
    lines.append("")
    return rows


def part_c(lines: list[str], rows: list) -> None:
    lines += ["### C. The acceptance table (shipped code): fluid2d against `model: global`", "",
              "| chamber | p | P | T_e 2D/global | ⟨n_e⟩ 2D / `n_e_avg_m3` (literal) | ⟨n_e⟩ 2D / global n₀ "
              "| before (s16): T_e · literal | wafer ion flux 2D/global (s16 → now) |", "|---" * 8 + "|"]
    ok = {"T": 0, "lit": 0, "n0": 0, "n": 0}
    for shape, p, P, go, gn, fo, fn in rows:
        rs, ro = gn["rs"], go["rs"]
        rT, lit, r0 = fn["T"] / rs.T_e_eV, fn["n"] / rs.n_e_avg_m3, fn["n"] / rs.n_e_center_m3
        ok["T"] += abs(rT - 1) <= 0.10
        ok["lit"] += abs(lit - 1) <= 0.30
        ok["n0"] += abs(r0 - 1) <= 0.30
        ok["n"] += 1
        lines.append(f"| {shape} | {p} | {P} | {rT:.3f} | {lit:.3f} | {r0:.3f} | "
                     f"{fo['T'] / ro.T_e_eV:.3f} · {fo['n'] / ro.n_e_avg_m3:.3f} | "
                     f"{fo['flux'] / ro.ion_flux_m2s:.3f} → {fn['flux'] / rs.ion_flux_m2s:.3f} |")
    n = ok["n"]
    lines += ["", f"**T_e within 10 %: {ok['T']}/{n}; ⟨n_e⟩ within 30 % of `n_e_avg_m3` (literal): "
              f"{ok['lit']}/{n}; of the global centre density: {ok['n0']}/{n}.**", ""]


def main() -> None:
    t0, c0 = time.perf_counter(), time.process_time()
    lines = [f"## gcons (session 17): fluid2d ⟨n_e⟩ vs the global model, term by term — commit {commit()}", ""]
    if "--c-only" not in sys.argv:
        part_a(lines)
    rows = part_b(lines)
    part_c(lines, rows)
    lines += [f"Total {time.process_time() - c0:.1f} s CPU, {time.perf_counter() - t0:.0f} s wall; load average "
              f"{os.getloadavg()[0]:.1f} (2 cores shared).  n_g = p/(k_B·300 K) in both models (gas heating "
              f"off in these rows); σ_i = {SIGMA_I:g} m²; T_gas {T_GAS:g} K = {K_B * T_GAS / EV:.4f} eV; "
              f"p in Pa = mTorr × {TORR * 1e-3:.4f}."]
    name = "gcons_s17_table.md" if "--c-only" in sys.argv else "gcons_s17.md"
    (HERE / "results" / name).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
