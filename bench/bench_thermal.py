"""Thermal benchmark: the issue-7 acceptance numbers, measured, and the 2D speed test.

    python bench/bench_thermal.py          # writes bench/results/thermal.md

Accuracy: erfc / Gaussian drive-in (REFERENCE-DATA §5), observed spatial order, Deal–Grove,
Stoney and thermal mismatch, arsenic box profile (Fermi model) against Fair's similarity
solution, +1 TED.  Speed: a masked B implant annealed on 256 × 256 nodes (2 threads).
"""
from __future__ import annotations

import math
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import numpy as np  # noqa: E402
from scipy.special import erfc, erfcinv  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "thermal"))

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
    from test_thermal_models import _box_run, _similarity
    from scipy.optimize import brentq
    mesh, c, Cs, xf = _box_run(nz=241)
    ef, sol = _similarity()
    out = {}
    for frac in (0.5, 0.1, 0.01):
        x = junction_depths(mesh.z, np.full(mesh.n, frac * Cs), c)[0]
        eta = brentq(lambda e: sol(e)[0] - frac, 0.0, ef * (1 - 1e-9)) if frac > 0.01 else ef * sol_root(sol, ef, frac)
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


def main() -> None:
    rows = []
    e = [erfc_case(nz) for nz in (81, 161, 321, 641)]
    _, rel, _, xj, dose = erfc_case(401)
    rows.append(("erfc predeposition, 401 nodes: max |C/C_exact - 1| where C > 1e-3 Cs", f"{rel:.2e}", "< 1e-2"))
    rows.append(("erfc: junction depth error (N_B = 1e-4 Cs)", f"{xj:+.2e}", "< 5e-3"))
    rows.append(("erfc: dose vs 2Cs sqrt(Dt/pi)", f"{dose:+.2e}", "—"))
    rows.append(("erfc: observed spatial order (81..641 nodes)", f"{order([x[0] for x in e], [x[2] for x in e]):.2f}", "2"))
    g = [drive_in_case(nz) for nz in (61, 121, 241, 481)]
    _, rel, _, xj, dose = drive_in_case(401)
    rows.append(("Gaussian drive-in, 401 nodes: max |C/C_exact - 1| where C > 1e-3 C(0)", f"{rel:.2e}", "< 1e-2"))
    rows.append(("drive-in: junction depth error", f"{xj:+.2e}", "< 5e-3"))
    rows.append(("drive-in: dose drift", f"{dose:+.1e}", "< 1e-3"))
    rows.append(("drive-in: observed spatial order (61..481 nodes)", f"{order([x[0] for x in g], [x[2] for x in g]):.2f}", "2"))
    dg = max(abs(grow_oxide(t, lambda s: Tk, ambient=a) / oxide_thickness(t, Tk, ambient=a) - 1)
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
    lines = ["## thermal (issue 7)", "",
             f"`python bench/bench_thermal.py` on {platform.node() or 'this machine'}, "
             f"{os.cpu_count()} CPUs, OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']} "
             f"(machine shared; wall times are upper bounds). {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
             "", "| quantity | measured | target |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    out = ROOT / "bench" / "results" / "thermal.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
