"""Thermal benchmark: the issue-7 acceptance numbers, measured, and the 2D speed test.

    python bench/bench_thermal.py          # writes bench/results/thermal.md

Accuracy: erfc / Gaussian drive-in (Plummer, Deal & Griffin 2000, ch. 7), observed spatial order, Deal–Grove,
Stoney and thermal mismatch, arsenic box profile (Fermi model) against Fair's similarity
solution, +1 TED.  Speed: a masked B implant annealed on 256 × 256 nodes (2 threads).
"""
from __future__ import annotations

import harness
import math
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import numpy as np  # noqa: E402
from scipy.special import erfc, erfcinv  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

from waferlab.mechanics import stoney_curvature, stoney_stress, thermal_mismatch_stress  # noqa: E402
from waferlab.thermal import Arrhenius, anneal, implant_1d, implant_2d, make_mesh, make_model  # noqa: E402
from waferlab.thermal.diffusion import TimeStepping  # noqa: E402
from waferlab.thermal.electrical import junction_depths  # noqa: E402
from waferlab.thermal.models import INTERSTITIAL  # noqa: E402
from waferlab.thermal.oxidation import grow_oxide, oxide_thickness  # noqa: E402

D = 2.0e-17
MODEL = make_model("intrinsic", {"B": Arrhenius(D0=D, Ea=0.0)})
T = 1373.15


def erfc_case(nz, t=3600.0, Cs=1e26, rtol=1e-5):
    L = 2 * math.sqrt(D * t)
    mesh = make_mesh(8 * L, nz)
    surf = np.zeros(mesh.n, bool)
    surf[0] = True
    r = anneal(mesh, {"B": np.zeros(mesh.n)}, MODEL, duration=t, temperature=lambda s: T,
               fixed={"B": (surf, Cs)}, numerics=TimeStepping(rtol=rtol))
    c, ex = r.fields["B"], Cs * erfc(mesh.z / L)
    sel = ex > 1e-3 * Cs
    rel = float(np.max(np.abs(c[sel] / ex[sel] - 1)))
    xj = junction_depths(mesh.z, np.full(mesh.n, 1e-4 * Cs), c)[0]
    xj_ex = L * erfcinv(1e-4)
    dose = mesh.dose(c) / (2 * Cs * math.sqrt(D * t / math.pi)) - 1
    return mesh.z[1], rel, float(np.max(np.abs(c[sel] - ex[sel])) / Cs), xj / xj_ex - 1, dose


def gauss(z, Q, Dt):
    return Q / math.sqrt(math.pi * Dt) * np.exp(-z * z / (4 * Dt))


def drive_in_case(nz, t=7200.0):
    Q, Dt0 = 1e19, 1e-15
    Dt1 = Dt0 + D * t
    mesh = make_mesh(12 * math.sqrt(Dt1), nz)
    c0 = gauss(mesh.z, Q, Dt0)
    r = anneal(mesh, {"B": c0}, MODEL, duration=t, temperature=lambda s: T,
               numerics=TimeStepping(rtol=1e-6))
    c, ex = r.fields["B"], gauss(mesh.z, Q, Dt1)
    sel = ex > 1e-3 * ex[0]
    NB = 1e-3 * ex[0]
    xj_ex = 2 * math.sqrt(Dt1) * math.sqrt(math.log(ex[0] / NB))
    xj = junction_depths(mesh.z, np.full(mesh.n, NB), c)[0]
    return (mesh.z[1], float(np.max(np.abs(c[sel] / ex[sel] - 1))),
            float(np.max(np.abs(c - ex)) / ex[0]), xj / xj_ex - 1, mesh.dose(c) / mesh.dose(c0) - 1)


def order(hs, errs):
    return float(np.polyfit(np.log(hs), np.log(errs), 1)[0])


def fermi_case():
    from waferlab.validation.thermal_cases import arsenic_box_run as _box_run
    from waferlab.validation.thermal_cases import fair_similarity as _similarity
    from scipy.optimize import brentq
    mesh, c, Cs, xf = _box_run(nz=241)
    ef, sol = _similarity()
    out = {}
    for frac in (0.5, 0.1, 0.01):
        x = junction_depths(mesh.z, np.full(mesh.n, frac * Cs), c)[0]
        eta = (brentq(lambda e, frac=frac: sol(e)[0] - frac, 0.0, ef * (1 - 1e-9)) if frac > 0.01
               else ef * sol_root(sol, ef, frac))
        out[frac] = (x / xf, eta / ef)
    return out


def sol_root(sol, ef, frac):
    from scipy.optimize import brentq
    return brentq(lambda e: sol(e)[0] - frac, 0.0, ef * (1 - 1e-9)) / ef


def ted_case():
    Tk, t = 1073.15, 600.0
    mesh = make_mesh(1.5e-6, 301)
    c0 = implant_1d(mesh.z, "B", 1e18, 20.0)
    bg = np.full(mesh.n, 1e22)
    xj = {}
    for name in ("intrinsic", "ted"):
        model = make_model(name)
        fields = {"B": c0}
        if name == "ted":
            fields[INTERSTITIAL] = c0
        r = anneal(mesh, fields, model, duration=t, temperature=lambda s: Tk)
        xj[name] = junction_depths(mesh.z, bg, r.fields["B"])[0]
    xj0 = junction_depths(mesh.z, bg, c0)[0]
    return xj0, xj["intrinsic"], xj["ted"]


def bench_2d(n=256, repeats=2):
    mesh = make_mesh(1.0e-6, n, width=1.0e-6, nx=n)
    mask = (mesh.x < 0.35e-6) | (mesh.x > 0.65e-6)
    best = cpu = math.inf
    for _ in range(repeats):
        t0, p0 = time.perf_counter(), time.process_time()
        c = implant_2d(mesh.z, mesh.x, "B", 1e19, 30.0, mask=mask)
        r = anneal(mesh, {"B": c.ravel()}, make_model("intrinsic"), duration=1800.0,
                   temperature=lambda s: 1273.15, numerics=TimeStepping(rtol=1e-3))
        best = min(best, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - p0)
    drift = mesh.dose(r.fields["B"]) / mesh.dose(c) - 1
    return best, cpu, r.steps, r.factorizations, drift


def mesh_acceptance():
    """Default graded mesh: max |x_j/exact - 1| over B, P, As, Sb and sqrt(Dt) 5 nm..2 um
    (erfc predeposition and Gaussian-implant drive-in, waferlab.validation.thermal_cases)."""
    from waferlab.validation.thermal_cases import LENGTHS, drive_in_junction, predeposition_junction

    worst_p = worst_d = 0.0
    for d in ("B", "P", "As", "Sb"):
        for L in LENGTHS:
            _, xj, exact = predeposition_junction(d, L)
            worst_p = max(worst_p, abs(xj / exact - 1))
            _, xj, exact = drive_in_junction(d, L)
            worst_d = max(worst_d, abs(xj / exact - 1))
    return worst_p, worst_d


def tsuprem4_cases():
    """x_j (um) of the TSUPREM-4 TED case per model, and the five-stream anneal time."""
    from waferlab.thermal.run import metrics_of, simulate
    from waferlab.validation.thermal import tsuprem4_case_spec
    out = {}
    for model in ("five_stream", "fermi", "ted", "intrinsic"):
        spec = tsuprem4_case_spec(model)
        if model in ("ted", "intrinsic"):
            spec = spec.model_copy(update={"steps": [spec.steps[0], spec.steps[1].model_copy(
                update={"calibration": None})]})
        t0 = time.perf_counter()
        m, _ = metrics_of(simulate(spec))
        out[model] = (m["junction_depth_m"] * 1e6, time.perf_counter() - t0,
                      m["mesh_refinements"], m["depth_nodes"])
    spec = tsuprem4_case_spec("five_stream")
    spec = spec.model_copy(update={"numerics": spec.numerics.model_copy(update={"mesh_check": False})})
    t0 = time.perf_counter()
    simulate(spec)
    out["five_stream_nocheck_s"] = time.perf_counter() - t0
    return out


def solmi_kim():
    """Time-averaged TED diffusivity (∫(⟨D⟩-⟨D⟩*)dt over the time t90 in which 90 % of it
    accrues) of B 2e14 cm^-2 20 keV at 800/900/1000 °C vs Solmi et al. (1991)
    D = 2.2e-2 exp(-2.5 eV/kT) cm²/s; Kim et al. (1990): 1e13 cm^-2 at 1000 °C."""
    from waferlab.validation.thermal import (SOLMI_CASES, kim_enhancement_history,
                                             solmi_ted_diffusivity)
    rows = []
    for TC, dur in SOLMI_CASES:
        Dm, Ds, t90 = solmi_ted_diffusivity(TC, dur)
        rows.append((int(TC), Dm * 1e4, Ds * 1e4, t90))
    t, cum = kim_enhancement_history(duration=30.0)
    frac = float(np.interp(10.0, t, cum) / cum[-1])
    t90 = float(t[np.searchsorted(cum, 0.9 * cum[-1])])
    return rows, frac, t90


def bench_2d_five_stream(n=32):
    """A masked B implant (2e14 cm^-2, 20 keV) annealed 10 s at 1000 °C with the
    five-stream model in 2D (n × n nodes, SuperLU per Newton factorisation)."""
    from waferlab.thermal.pairs import hobler_moroz_plus_n
    from waferlab.thermal.ted import five_stream_anneal
    mesh = make_mesh(0.6e-6, n, width=0.6e-6, nx=n)
    mask = mesh.x < 0.3e-6
    c = implant_2d(mesh.z, mesh.x, "B", 2e18, 20.0, mask=mask)
    t0 = time.perf_counter()
    r = five_stream_anneal(mesh, {"B": c.ravel(), "P": np.full(mesh.n, 1.4e21)}, duration=10.0,
                           temperature=lambda s: 1273.15,
                           excess=hobler_moroz_plus_n(10.81, 20.0) * c.ravel())
    return time.perf_counter() - t0, r.steps, r.newton_iterations


def main() -> None:
    rows = []
    wp, wd = mesh_acceptance()
    rows.append(("default graded mesh: max |x_j/exact - 1|, erfc predeposition, B/P/As/Sb, "
                 "sqrt(Dt) = 5 nm, 50 nm, 500 nm, 2 um", f"{wp:.2e}", "< 5e-3"))
    rows.append(("default graded mesh: max |x_j/exact - 1|, Gaussian-implant drive-in, same grid",
                 f"{wd:.2e}", "< 5e-3"))
    ts = tsuprem4_cases()
    rows.append(("TSUPREM-4 TED case (B 2e15 20 keV, 25 nm oxide, ramp to 1000 °C): x_j five_stream (um)",
                 f"{ts['five_stream'][0]:.3f} ({ts['five_stream'][0] / 0.880 - 1:+.1%})", "0.880 ± 10 %"))
    rows.append(("  x_j fermi, calibration tsuprem4 (um)",
                 f"{ts['fermi'][0]:.3f} ({ts['fermi'][0] / 0.560 - 1:+.1%})", "FLOOXS 0.560 ± 25 %"))
    rows.append(("  x_j ted (+1) / intrinsic, calibration plummer (um)",
                 f"{ts['ted'][0]:.3f} / {ts['intrinsic'][0]:.3f}", "—"))
    rows.append(("1D five-stream anneal (the case above, 2 h ramp): wall time without / with the "
                 "mesh check (s)", f"{ts['five_stream_nocheck_s']:.2f} / {ts['five_stream'][1]:.2f} "
                 f"({ts['five_stream'][3]} nodes)", "< 5"))
    sk, frac, t90 = solmi_kim()
    for TC, Dm, Ds, t9 in sk:
        rows.append((f"TED ⟨D⟩ over t90, B 2e14 20 keV, {TC} °C (cm²/s; t90)",
                     f"{Dm:.2e} = {Dm / Ds:.2f} × Solmi (t90 {t9:.3g} s)",
                     f"Solmi {Ds:.2e}, factor 2"))
    rows.append(("Kim 1990: B 1e13 at 1000 °C, TED accrued by 10 s / t90",
                 f"{frac:.3f} / {t90:.2f} s", ">= 0.9 / < 10 s"))
    s2, st2, nit2 = bench_2d_five_stream()
    rows.append(("2D five-stream, masked implant, 10 s at 1000 °C, 32 × 32 nodes: wall (s) / steps / "
                 "Newton iterations", f"{s2:.1f} / {st2} / {nit2}", "—"))
    e = [erfc_case(nz) for nz in (81, 161, 321, 641)]
    _, rel, _, xj, dose = erfc_case(401)
    rows.append(("erfc predeposition, 401 nodes: max |C/C_exact - 1| where C > 1e-3 Cs", f"{rel:.2e}", "< 1e-2"))
    rows.append(("erfc: junction depth error (N_B = 1e-4 Cs)", f"{xj:+.2e}", "< 5e-3"))
    rows.append(("erfc: dose vs 2Cs sqrt(Dt/pi)", f"{dose:+.2e}", "—"))
    rows.append(("erfc: observed spatial order (81..641 nodes)",
                 f"{order([x[0] for x in e], [x[2] for x in e]):.2f}", "2"))
    g = [drive_in_case(nz) for nz in (61, 121, 241, 481)]
    _, rel, _, xj, dose = drive_in_case(401)
    rows.append(("Gaussian drive-in, 401 nodes: max |C/C_exact - 1| where C > 1e-3 C(0)", f"{rel:.2e}", "< 1e-2"))
    rows.append(("drive-in: junction depth error", f"{xj:+.2e}", "< 5e-3"))
    rows.append(("drive-in: dose drift", f"{dose:+.1e}", "< 1e-3"))
    rows.append(("drive-in: observed spatial order (61..481 nodes)",
                 f"{order([x[0] for x in g], [x[2] for x in g]):.2f}", "2"))
    dg = max(abs(grow_oxide(t, lambda s, Tk=Tk: Tk, ambient=a) / oxide_thickness(t, Tk, ambient=a) - 1)
             for a in ("dry", "wet") for Tk in (1173.15, 1273.15, 1373.15) for t in (600.0, 7200.0))
    rows.append(("Deal–Grove: ODE integration vs analytic, max rel. diff", f"{dg:.1e}", "exact"))
    k = stoney_curvature(2e8, film_thickness=1e-6, substrate_thickness=725e-6)
    st = abs(stoney_stress(k, film_thickness=1e-6, substrate_thickness=725e-6) / 2e8 - 1)
    tm = abs(thermal_mismatch_stress(300.0, T0=1273.15, film_modulus=70e9, film_poisson=0.17,
                                     alpha_film=0.5e-6, alpha_substrate=2.6e-6)
             / (70e9 / 0.83 * 2.1e-6 * (300.0 - 1273.15)) - 1)
    rows.append(("Stoney round trip / thermal mismatch vs formula", f"{st:.0e} / {tm:.0e}", "exact"))
    fr = fermi_case()
    for frac, (x, ref) in fr.items():
        rows.append((f"As fermi box profile: depth of C = {frac:g} Cs / (1.616 sqrt(D_s t))",
                     f"{x:.3f}", f"Fair similarity {ref:.3f}"))
    xj0, xji, xjt = ted_case()
    rows.append(("TED (+1), B 20 keV 1e14, 800 °C 10 min: x_j as-implanted / intrinsic / ted (nm)",
                 f"{xj0 * 1e9:.0f} / {xji * 1e9:.0f} / {xjt * 1e9:.0f}", "ted > intrinsic"))
    best, cpu, steps, nfac, drift = bench_2d()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows.append(("2D masked implant + 30 min anneal, 256 × 256 nodes: wall / CPU time (s)",
                 f"{best:.2f} / {cpu:.2f} (load avg {load:.1f})", "< 10"))
    rows.append(("2D: time steps / LU factorisations / dose drift", f"{steps} / {nfac} / {drift:+.0e}", "—"))
    import subprocess
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    lines = ["## thermal (issues 7, 19)", "", f"commit {commit}.", "",
             f"`python bench/bench_thermal.py` on {platform.node() or 'this machine'}, "
             f"{os.cpu_count()} CPUs, OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']} "
             f"(machine shared; wall times are upper bounds). {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
             "", "| quantity | measured | target |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    out = ROOT / "bench" / "results" / "thermal.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    harness.write_text(out, "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
