"""Which wall loss is wrong at low pressure: the global model's h-factor or fluid2d's (issue #14)?

Part A — the exact reference: the kinetic plane discharge of :mod:`waferlab.validation.presheath`
(Tonks–Langmuir with constant-λ charge exchange; collisionless limit = Harrison & Thompson 1959)
against (1) the global model's own axial h-factor (``GlobalModel.h_factors``, L&L 2005
0.86 (3 + l/2λ)^-½) and (2) fluid2d's transport residual (its ion drift and Bohm wall closure) on a
one-column mesh without the radial wall, at fixed T_e = 3 eV, argon σ_i = 1e-18 m², 300 K gas,
for the two chamber lengths of the #14 table (10 and 30 cm) at 1/3/10/30 mTorr, with fluid2d's
T_i (Lee & Lieberman 1995, as in ``model: fluid2d``) and with cold ions (the reference's).
h_c = Γ_wall/(n₀u_B) (centre-based, L&L's definition), h_avg = Γ_wall/(n̄u_B).

Part B — the 16-row consistency table of #14 re-measured (argon 50 sccm, 300 K gas, 200/1000 W,
chambers R 15 × L 30 cm and R 20 × L 10 cm, default 2D mesh), with the Part-A wall-loss error of
fluid2d at the row's p and L beside it.

Writes bench/results/hfactor_s16.md, stamped with the commit (``--cold-ions``: part B with fluid2d's
ions cold, the reference's assumption, to bench/results/hfactor_s16_cold_ions.md; ``--a-only``;
``--navg``: part B for fluid2d's T_i as shipped / T_gas / cold, against the global model's volume
average ``n_e_avg_m3`` and its n₀, to bench/results/navg_s16_table.md; ``--consistent-global``,
``--ti-1d``: the navg diagnostics, to navg_s16_consistent.md / navg_s16_ti1d.md).

Run:  nice -n 5 python bench/bench_reactor_consistency_hfactor.py
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_v] = "2"

import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from bench_reactor_fluid2d import HERE, POWERS, PRESSURES, SHAPES, commit, spec  # noqa: E402
from waferlab.constants import K_B, TORR  # noqa: E402
from waferlab.reactor import solve  # noqa: E402
from waferlab.reactor.fluid2d.model import solve_fluid2d  # noqa: E402
from waferlab.reactor.global_model import ion_temperature_eV  # noqa: E402
from waferlab.reactor.state import build_model  # noqa: E402
from waferlab.validation.presheath import fluid2d_plane_h, plane_presheath, plane_presheath_at  # noqa: E402

T_GAS = 300.0


def part_a(lines: list[str]) -> dict:
    c0 = time.process_time()
    lines += ["### A. Plane discharge: exact kinetic h against the global model and fluid2d", "",
              "T_e 3 eV, argon, σ_i 1e-18 m², 300 K gas; fluid2d one column, nz 64, radial wall removed. "
              "Percentages: model/exact − 1.", "",
              "| L | p | l/λ | exact h_c | exact h_avg | exact n̄/n₀ | global h_L | global/exact h_c | "
              "fluid2d T_i (eV) | drift law, its T_i: h_avg/exact | drift law, cold: h_avg/exact | "
              "inertia, cold: h_c/exact | inertia, cold: h_avg/exact | inertia, its T_i: h_avg/exact |",
              "|---" * 14 + "|"]
    sol = plane_presheath(math.inf)
    lines.append(f"| any | 0 (collisionless) | 0 | {sol.h_centre:.4f} | {sol.h_avg:.4f} | {sol.n_avg:.4f} | "
                 f"{0.86 / math.sqrt(3):.4f} | {0.86 / math.sqrt(3) / sol.h_centre - 1:+.1%} | — | — | h → 1 | — | — "
                 "| — |")
    err = {}
    for L_cm, name in ((10, "R 20 cm, L 10 cm (flat)"), (30, "R 15 cm, L 30 cm (L&L)")):
        for p in PRESSURES:
            p_mT = float(p.split()[0])
            gm = build_model(spec(name, p, "500 W", model="global"))
            n_g = p_mT * 1e-3 * TORR / (K_B * T_GAS)
            sig = float(gm.sigma[gm.pos[0]])
            m_i = float(gm.mass[gm.pos[0]])
            lol = gm.L * n_g * sig
            ex = plane_presheath_at(lol)
            hL = float(gm.h_factors(np.array([n_g]), np.array([0.0]), np.array([3.0]))[0][0, 0])
            Ti = ion_temperature_eV(p_mT * 1e-3 * TORR, T_GAS)
            kw = dict(m_i=m_i, sigma_i=sig)
            _, ha, _ = fluid2d_plane_h(gm.L, n_g, T_i_eV=Ti, **kw)
            _, ha0, _ = fluid2d_plane_h(gm.L, n_g, **kw)
            hci, hai, _ = fluid2d_plane_h(gm.L, n_g, ion_inertia=True, **kw)
            _, haw, _ = fluid2d_plane_h(gm.L, n_g, T_i_eV=Ti, ion_inertia=True, **kw)
            err[(name, p)] = (ha / ex.h_avg, haw / ex.h_avg)
            lines.append(f"| {L_cm} cm | {p} | {lol:.2f} | {ex.h_centre:.4f} | {ex.h_avg:.4f} | {ex.n_avg:.3f} | "
                         f"{hL:.4f} | {hL / ex.h_centre - 1:+.1%} | {Ti:.3f} | {ha / ex.h_avg - 1:+.1%} | "
                         f"{ha0 / ex.h_avg - 1:+.1%} | {hci / ex.h_centre - 1:+.1%} | {hai / ex.h_avg - 1:+.1%} | "
                         f"{haw / ex.h_avg - 1:+.1%} |")
            print(lines[-1], flush=True)
    kw = dict(m_i=float(gm.mass[gm.pos[0]]), sigma_i=1e-18)
    lines += ["", "Cold ions, plates 10 cm apart (plane) and a long cylinder of radius 15 cm (radial faces "
              "only; global: h_R = 0.80 (4 + R/λ)^-½), across the collisionless → collisional range:", "",
              "| geometry | l/λ or R/λ | exact h_c | exact h_avg | exact n̄/n₀ | global/exact h_c | "
              "drift law h_avg/exact | inertia h_avg/exact |", "|---" * 8 + "|"]
    for geom, X, vals in (("plane", 0.1, (0.3, 1.0, 3.22, 9.66, 32.2, 96.6, 290.0)),
                          ("cylinder", 0.15, (0.3, 1.0, 4.8, 14.5, 48.0, 145.0))):
        for v in vals:
            ex = plane_presheath_at(v, geometry=geom)
            hg = 0.86 / math.sqrt(3 + v / 2) if geom == "plane" else 0.80 / math.sqrt(4 + v)
            n_g = v / (X * 1e-18)
            _, ha0, _ = fluid2d_plane_h(X, n_g, geometry=geom, nz=64, **kw)
            _, ha1, _ = fluid2d_plane_h(X, n_g, geometry=geom, nz=64, ion_inertia=True, **kw)
            lines.append(f"| {geom} | {v:g} | {ex.h_centre:.4f} | {ex.h_avg:.4f} | {ex.n_avg:.3f} | "
                         f"{hg / ex.h_centre - 1:+.1%} | {ha0 / ex.h_avg - 1:+.1%} | {ha1 / ex.h_avg - 1:+.1%} |")
            print(lines[-1], flush=True)
    lines += ["", "Without ion inertia nothing but the wall's Bohm flux bounds fluid2d's drift: the profile "
              "goes flat and h_avg → 1 as λ → ∞.", "",
              f"Part A: {time.process_time() - c0:.1f} s CPU.", ""]
    return err


def part_b(lines: list[str], err: dict) -> None:
    c0, w0 = time.process_time(), time.perf_counter()
    lines += ["### B. The #14 consistency table (argon, 2D ⟨n_e⟩ and ⟨T_e⟩_n against `model: global`)", "",
              "⟨n_e⟩/n₀: the 2D volume average over the global model's n₀ (the s15 reading); n_max/n₀: the 2D "
              "peak density over n₀ (n₀ is the centre density of the h-factor model); the last column is "
              "fluid2d's plane wall-loss error at the row's p and L from part A (h_avg fluid2d/exact, its T_i; "
              "drift law → with inertia).  This run is the code as committed (ICP: ion inertia on).", "",
              "| chamber | p | P | T_e 2D/global | ⟨n_e⟩/n₀ | n_max/n₀ | ∫p dV/P − 1 | fluid2d h_avg/exact (A) |",
              "|---" * 8 + "|"]
    ok = {"T": 0, "n": 0, "P": 0, "all": 0}
    for shape in SHAPES:
        for p in PRESSURES:
            for P in POWERS:
                g = solve(spec(shape, p, P, model="global"))
                a = solve_fluid2d(spec(shape, p, P))
                rT = a.T_e_density_weighted / g.T_e_eV
                r0 = a.n_e_avg / g.n_e_center_m3
                rmax = float(np.max(a.n_e)) / g.n_e_center_m3
                dP = a.absorbed_power / float(P.split()[0]) - 1
                ok["T"] += abs(rT - 1) <= 0.10
                ok["n"] += abs(r0 - 1) <= 0.30
                ok["P"] += abs(dP) <= 0.01
                ok["all"] += 1
                lines.append(f"| {shape} | {p} | {P} | {rT:.3f} | {r0:.3f} | {rmax:.3f} | {dP:.1e} | "
                             f"{err[(shape, p)][0]:.3f} → {err[(shape, p)][1]:.3f} |")
                print(lines[-1], flush=True)
    n = ok["all"]
    lines += ["", f"T_e within 10 %: {ok['T']}/{n}; ⟨n_e⟩ within 30 % of the global n₀: {ok['n']}/{n}; absorbed "
              f"power within 1 %: {ok['P']}/{n}.", "",
              f"Part B: {time.process_time() - c0:.1f} s CPU, {time.perf_counter() - w0:.0f} s wall.", ""]


def cos_j0_average(g) -> float:
    """⟨n⟩/n₀ of the pre-session-16 global model (cos(kz)·J0(βr) with the h-factors as edge ratios)."""
    from scipy.optimize import brentq
    from scipy.special import j0, j1

    gm = build_model(spec(g[0], g[1], g[2], model="global"))
    st = g[3]
    n_g = st.pressure_Pa / (K_B * gm.T_gas)
    hL, hR = gm.h_factors(np.array([n_g]), np.array([0.0]), np.array([st.T_e_eV]))
    a = math.acos(min(float(hL[0, 0]), 1.0))
    y = brentq(lambda t: j0(t) - min(float(hR[0, 0]), 1.0), 1e-12, 2.404825557695773)
    return math.sin(a) / a * 2 * j1(y) / y


def navg(lines: list[str]) -> None:
    """Part B three times (fluid2d's ion temperature in the drag: as shipped = the global model's
    T_i; the gas temperature; cold = the exact reference's), each row against the global model's
    volume average ``n_e_avg_m3`` (the issue's literal words) and its centre density n₀."""
    from dataclasses import replace

    import waferlab.reactor.fluid2d.model as fm
    from waferlab.constants import EV

    orig = fm.plasma_coefficients
    variants = (("as shipped (T_i of the global model, Lee & Lieberman 1995)", orig),
                ("T_i = T_gas (300 K, 0.026 eV)", lambda gm: replace(orig(gm), T_i_eV=K_B * gm.T_gas / EV)),
                ("cold ions (1e-4 eV, the exact reference's)", lambda gm: replace(orig(gm), T_i_eV=1e-4)))
    glob = {}
    for shape in SHAPES:
        for p in PRESSURES:
            for P in POWERS:
                g = solve(spec(shape, p, P, model="global"))
                glob[(shape, p, P)] = (g, cos_j0_average((shape, p, P, g)))
    for title, fn in variants:
        fm.plasma_coefficients = fn
        c0 = time.process_time()
        lines += [f"### fluid2d ion temperature in the drag: {title}", "",
                  "| chamber | p | P | T_e 2D/global | ⟨n_e⟩ 2D/`n_e_avg` (literal) | global ⟨n⟩/n₀ (kinetic) | "
                  "⟨n_e⟩ 2D/n₀ | before: global ⟨n⟩/n₀ (cos·J0) | before: literal |", "|---" * 9 + "|"]
        ok = {"T": 0, "lit": 0, "n0": 0, "old": 0, "all": 0}
        for shape in SHAPES:
            for p in PRESSURES:
                for P in POWERS:
                    g, old = glob[(shape, p, P)]
                    a = solve_fluid2d(spec(shape, p, P))
                    rT = a.T_e_density_weighted / g.T_e_eV
                    lit = a.n_e_avg / g.n_e_avg_m3
                    r0 = a.n_e_avg / g.n_e_center_m3
                    rold = r0 / old
                    ok["T"] += abs(rT - 1) <= 0.10
                    ok["lit"] += abs(lit - 1) <= 0.30
                    ok["n0"] += abs(r0 - 1) <= 0.30
                    ok["old"] += abs(rold - 1) <= 0.30
                    ok["all"] += 1
                    lines.append(f"| {shape} | {p} | {P} | {rT:.3f} | {lit:.3f} | "
                                 f"{g.n_e_avg_m3 / g.n_e_center_m3:.3f} | {r0:.3f} | {old:.3f} | {rold:.2f} |")
                    print(lines[-1], flush=True)
        n = ok["all"]
        lines += ["", f"T_e within 10 %: {ok['T']}/{n}; ⟨n_e⟩ within 30 % of `n_e_avg_m3` (literal): "
                  f"{ok['lit']}/{n}; of n₀: {ok['n0']}/{n}; of the cos·J0 `n_e_avg_m3` (before): {ok['old']}/{n}.  "
                  f"{time.process_time() - c0:.1f} s CPU.", ""]
    fm.plasma_coefficients = orig


def consistent_global(lines: list[str]) -> None:
    """Diagnostic (``--consistent-global``): the global model with its volume terms at the volume
    average n̄ and its wall flux at the centre density n₀ = n̄/a (a = the kinetic ⟨n⟩/n₀ of
    ``reactor.state.profile_average``), i.e. L&L's h-factors divided by a.  L&L's own balance
    (2005, eq. 10.2.1) puts n₀ into the volume ionisation K_iz n_g n₀ V; with the exact profiles
    that term is K_iz n_g n̄ V.  Global model only (the 2D numbers are in navg_s16_table.md)."""
    from waferlab.reactor.global_model import GlobalModel
    from waferlab.reactor.state import profile_average

    orig = GlobalModel.h_factors

    def h_over_a(self, n_g, alpha, Te):
        hL, hR = orig(self, n_g, alpha, Te)
        lam_inv = np.atleast_1d(n_g)[None, :] * self.sigma[self.pos][:, None]
        a = np.vectorize(profile_average)(self.L * lam_inv, self.R * lam_inv)
        return hL / a, hR / a

    lines += ["### The global model with n̄ in its volume terms (h-factors / a; diagnostic)", "",
              "| chamber | p | P | T_e consistent/shipped | n̄ consistent / shipped n_e_avg_m3 | "
              "n̄ consistent / shipped n₀ |", "|---" * 6 + "|"]
    for shape in SHAPES:
        for p in PRESSURES:
            for P in POWERS:
                g = solve(spec(shape, p, P, model="global"))
                GlobalModel.h_factors = h_over_a  # type: ignore[method-assign]
                try:
                    c = solve(spec(shape, p, P, model="global"))
                finally:
                    GlobalModel.h_factors = orig  # type: ignore[method-assign]
                lines.append(f"| {shape} | {p} | {P} | {c.T_e_eV / g.T_e_eV:.3f} | "
                             f"{c.n_e_center_m3 / g.n_e_avg_m3:.3f} | {c.n_e_center_m3 / g.n_e_center_m3:.3f} |")
                print(lines[-1], flush=True)
    lines.append("")


def ti_1d(lines: list[str]) -> None:
    """Which ion temperature in fluid2d's drag (``--ti-1d``): its 1D plane wall flux (inertia on, as
    shipped for the ICP) with the global model's T_i, with T_gas and cold, against the exact
    kinetic reference (cold ions, cold gas), at the 8 (L, p) of the #14 table."""
    from waferlab.constants import EV

    lines += ["### fluid2d 1D plane h_avg (inertia) against the exact kinetic h_avg, three ion temperatures", "",
              "| L | p | l/λ | exact n̄/n₀ | T_i global (eV) | h_avg/exact − 1 | T_gas 0.026 eV | cold |",
              "|---" * 8 + "|"]
    m_i = 39.948 * 1.66053907e-27
    for L in (0.10, 0.30):
        for p in PRESSURES:
            p_mT = float(p.split()[0])
            n_g = p_mT * 1e-3 * TORR / (K_B * T_GAS)
            ex = plane_presheath_at(L * n_g * 1e-18)
            Ti = ion_temperature_eV(p_mT * 1e-3 * TORR, T_GAS)
            r = [fluid2d_plane_h(L, n_g, T_i_eV=t, m_i=m_i, sigma_i=1e-18, ion_inertia=True)[1] / ex.h_avg - 1
                 for t in (Ti, K_B * T_GAS / EV, 1e-4)]
            lines.append(f"| {L * 100:g} cm | {p} | {L * n_g * 1e-18:.1f} | {ex.n_avg:.3f} | {Ti:.3f} | "
                         f"{r[0]:+.1%} | {r[1]:+.1%} | {r[2]:+.1%} |")
            print(lines[-1], flush=True)
    lines.append("")


def cold_ions() -> None:
    """Diagnostic (``--cold-ions``): fluid2d's ions cold (T_i 1e-4 eV, the exact reference's
    assumption) instead of the global model's T_i; everything else as shipped."""
    from dataclasses import replace

    import waferlab.reactor.fluid2d.model as fm

    orig = fm.plasma_coefficients
    fm.plasma_coefficients = lambda gm: replace(orig(gm), T_i_eV=1e-4)


def main() -> None:
    if "--cold-ions" in sys.argv:
        cold_ions()
    t0, c0 = time.perf_counter(), time.process_time()
    if "--ti-1d" in sys.argv:
        lines = [f"## navg: fluid2d's ion temperature in the drag, 1D against the exact reference — commit "
                 f"{commit()}", ""]
        ti_1d(lines)
        lines += [f"Total {time.process_time() - c0:.1f} s CPU; load average {os.getloadavg()[0]:.1f}."]
        (HERE / "results" / "navg_s16_ti1d.md").write_text("\n".join(lines) + "\n")
        return
    if "--consistent-global" in sys.argv:
        lines = [f"## navg: the global model with the volume average in its volume terms — commit {commit()}", ""]
        consistent_global(lines)
        lines += [f"Total {time.process_time() - c0:.1f} s CPU; load average {os.getloadavg()[0]:.1f}."]
        (HERE / "results" / "navg_s16_consistent.md").write_text("\n".join(lines) + "\n")
        return
    if "--navg" in sys.argv:
        lines = [f"## navg: #14 argon consistency, fluid2d ⟨n_e⟩ against the global model's volume average "
                 f"(kinetic profile average) and centre density — commit {commit()}", ""]
        navg(lines)
        lines += [f"Total {time.process_time() - c0:.1f} s CPU, {time.perf_counter() - t0:.0f} s wall; load "
                  f"average {os.getloadavg()[0]:.1f} (2 cores shared)."]
        (HERE / "results" / "navg_s16_table.md").write_text("\n".join(lines) + "\n")
        return
    lines = [f"## hfactor: the global h-factor and fluid2d's wall loss against the exact kinetic plane "
             f"discharge — commit {commit()}", ""]
    err = part_a(lines)
    if "--a-only" not in sys.argv:
        part_b(lines, err)
    lines += [f"Total {time.process_time() - c0:.1f} s CPU, {time.perf_counter() - t0:.0f} s wall; load average "
              f"{os.getloadavg()[0]:.1f} (2 cores shared)."]
    name = "hfactor_s16_cold_ions.md" if "--cold-ions" in sys.argv else "hfactor_s16.md"
    (HERE / "results" / name).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
