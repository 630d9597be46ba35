"""Mesh convergence of the wafer fluxes of ``reactor.model: fluid2d`` on the graded mesh.

One family of meshes per case (argon nr × nz = (12 × 16)·1.5^k; SF6/O2 12 × 16, 16 × 20,
22 × 28, 24 × 32 (the default size)), r uniform, z graded towards the
wafer and the window with both end cells a quarter of the uniform cell (``wafer_cell`` =
``window_cell`` = 0.25 L/nz, the default grading), so the meshes are one smooth Vinokur
mapping refined by 1.5.
Quantities: the positive-ion and F fluxes at the wafer centre (r = 0, extrapolated in r² from
the first two cells) and at the wafer edge (r = R_wafer, linear between the bottom cells), and
their wafer averages.  From the three finest meshes: observed order p and the
Richardson estimate (:func:`richardson`), each mesh's difference from it; CPU
(time.process_time) and wall times and the pseudo-time steps of every solve.

Cases: ``sf6`` — the Kokkoris et al. (J. Phys. D 42, 055209, 2009) chamber (R 19 cm × 38 cm,
SF6/O2 100/20 sccm, 0.921 Pa, 2 kW, wafer 7.5 cm, gas at 315 K; ``sf6heat``: with gas
heating); ``argon`` — R 15 cm × 30 cm, 1 mTorr, 800 W, gas heating.  Every family fixes
``adapt: false``; a case ending in ``_adapt`` takes nr × nz with ``adapt: true`` and every
other mesh key at its default (the adaptive grading; bench_fluid2d_adapt.py reports those).

Run:  python bench/bench_fluid2d_mesh.py run CASE NR NZ   (appends to bench/results/fluid2d_mesh.json)
      python bench/bench_fluid2d_mesh.py report           (writes bench/results/fluid2d_mesh.md)
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from waferlab.reactor.spec import ReactorSpec  # noqa: E402
from waferlab.recipe_io import validate_section  # noqa: E402

RAW = harness.RESULTS / "fluid2d_mesh.json"
FRACTION = 0.25


def spec(case: str, nr: int, nz: int) -> ReactorSpec:
    if case.startswith("sf6"):
        L = 0.38
        d = {"model": "fluid2d", "chamber": {"radius": "19 cm", "length": "38 cm", "wafer_radius": "7.5 cm"},
             "gas_temperature": "315 K", "pressure": "0.921 Pa", "gases": {"SF6": "100 sccm", "O2": "20 sccm"},
             "source": {"power": "2000 W"}, "bias": {"frequency": "13.56 MHz", "voltage": "150 V"}}
        extra = {"flow": {"inlet_radius": "3 cm", "pump": "bottom"}, "gas_heating": case.startswith("sf6heat")}
    else:
        L = 0.30
        d = {"model": "fluid2d", "chamber": {"radius": "15 cm", "length": "30 cm", "wafer_radius": "10 cm"},
             "pressure": "1 mTorr", "gases": {"Ar": "50 sccm"}, "source": {"power": "800 W"}}
        extra = {}
    mm = lambda x: f"{x * 1e3!r} mm"         # noqa: E731
    mesh = {"nr": nr, "nz": nz, "wafer_cell": mm(FRACTION * L / nz), "window_cell": mm(FRACTION * L / nz),
            "adapt": False}
    if "_wafer_cell_" in case:           # sensitivity: sf6[heat]_wafer_cell_<mm>mm
        mesh["wafer_cell"] = case.split("_wafer_cell_")[1].replace("mm", " mm")
    if case.endswith("_adapt"):          # the adaptive z grading with its defaults (mesh.adapt)
        mesh = {"nr": nr, "nz": nz, "adapt": True}
    d["fluid2d"] = {"mesh": mesh, **extra}
    return validate_section(ReactorSpec, d, "reactor")


def wafer_quantities(res) -> dict[str, float]:
    """Ion and F (argon: Ar) fluxes of wafer.csv at the wafer centre (r = 0, extrapolated in
    r² from the first two cells) and edge (r = R_wafer, linear through the last two cells),
    and their wafer averages (∫f 2πr dr/πR², f linear between the cell centres)."""
    from waferlab.reactor.fluid2d.output import wafer_profile

    prof = wafer_profile(res)
    Rw = res.setup.spec.chamber.wafer_radius
    r = prof["r_m"]
    name = "F" if "F_flux_m2s" in prof else "Ar"
    out = {}
    for key, f in (("ion", prof["ion_flux_m2s"]), (name, prof[f"{name}_flux_m2s"])):
        c = f[0] - (f[1] - f[0]) * r[0] ** 2 / (r[1] ** 2 - r[0] ** 2)
        e = f[-1] + (f[-1] - f[-2]) * (Rw - r[-1]) / (r[-1] - r[-2])
        out[f"{key}_centre"], out[f"{key}_edge"] = float(c), float(e)
        rr = np.linspace(0.0, Rw, 2001)
        ff = np.interp(rr, np.concatenate([[0.0], r, [Rw]]), np.concatenate([[c], f, [e]]))
        out[f"{key}_avg"] = float(np.trapezoid(ff * rr, rr) * 2 / Rw ** 2)
    return out


def run(case: str, nr: int, nz: int) -> None:
    from waferlab.reactor.fluid2d.model import solve_fluid2d

    t0, c0 = time.perf_counter(), time.process_time()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        res = solve_fluid2d(spec(case, nr, nz))
    row = {"case": case, "nr": nr, "nz": nz, "wall_s": time.perf_counter() - t0,
           "cpu_s": time.process_time() - c0, "steps": res.iterations, "unknowns": int(np.size(res.x))
           if hasattr(res, "x") else 2 * nr * nz, "load": os.getloadavg()[0],
           "T_g_max": float(res.T_gas.max()), "T_g_avg": float(res.setup.mesh.volume_average(res.T_gas)),
           "T_e": float(res.T_e_density_weighted), "n_e_avg": float(res.n_e_avg),
           "dz_wafer_mm": float(res.setup.mesh.dz[0] * 1e3), "warnings": [str(x.message) for x in w],
           "history": [float(h) for h in res.residual_history], "commit": harness.commit(),
           **wafer_quantities(res)}
    if hasattr(res, "element_balance"):
        row["element_balance"] = res.element_balance
        row["stages"] = [[*x["mesh"], x["steps"]] for x in res.stages]
        row["wafer_face_excess"] = res.potential_steps.get("wafer_face_excess")
        row["max_step_Ti"] = res.potential_steps.get("max")
    if getattr(res, "gas_heat", None):              # T_g a Newton field: the converged field
        m = res.setup.mesh
        row["gas_heat"] = res.gas_heat
        row["T_g_field"] = {"r_mm": (m.r * 1e3).round(2).tolist(), "z_mm": (m.z * 1e3).round(2).tolist(),
                            "T_K": res.T_gas.round(1).tolist()}
    rows = json.loads(RAW.read_text()) if RAW.is_file() else []
    rows = [x for x in rows if not (x["case"] == case and x["nr"] == nr and x["nz"] == nz)] + [row]
    RAW.write_text(json.dumps(rows, indent=1))
    print(case, nr, nz, f"{row['cpu_s']:.0f} s CPU", row["steps"], "steps", flush=True)


def richardson(f: list[float], n: list[int]) -> tuple[float, float]:
    """(observed order, Richardson extrapolate) from three values on meshes of n cells
    (coarse to fine, h ∝ 1/n): p solves (f₁ − f₂)/(f₂ − f₃) = (h₁ᵖ − h₂ᵖ)/(h₂ᵖ − h₃ᵖ)
    (Roache, *Verification and Validation in Computational Science and Engineering*, 1998,
    §5.4, for a non-constant refinement ratio); f = f₃ + (f₃ − f₂)/((h₂/h₃)ᵖ − 1)."""
    from scipy.optimize import brentq

    e12, e23 = f[0] - f[1], f[1] - f[2]
    h = [1.0 / k for k in n]
    if e12 == 0 or e23 == 0 or e12 / e23 <= 0:
        return float("nan"), float("nan")
    g = lambda p: (h[0] ** p - h[1] ** p) / (h[1] ** p - h[2] ** p) - e12 / e23    # noqa: E731
    try:
        p = brentq(g, 0.05, 8.0)
    except ValueError:
        return float("nan"), float("nan")
    return p, f[2] + (f[2] - f[1]) / ((h[1] / h[2]) ** p - 1)


SERIES = ("_z8", "_r16")


def power_fit(f: list[float], n: list[int]) -> tuple[float, float, float, float]:
    """(f*, C, p, GCI) of f = f* + C n^−p through the three finest values (:func:`richardson`);
    GCI = 1.25 |f₃ − f₂|/((n₃/n₂)^p − 1), Roache's grid convergence index of the finest value
    (the band that holds the limit with a safety factor of 1.25 for a three-mesh study)."""
    p, fR = richardson(f[-3:], n[-3:])
    C = (f[-1] - fR) * n[-1] ** p if np.isfinite(p) else float("nan")
    gci = 1.25 * abs(f[-1] - f[-2]) / ((n[-1] / n[-2]) ** p - 1) if np.isfinite(p) else float("nan")
    return fR, C, p, gci


def separable(rows: list[dict]) -> list[str]:
    """The error split into its z and r parts, f(n_r, n_z) = f* + a(n_r) + b(n_z): a z series
    at n_r = 8 (``<case>_z8``: 8 × 16 … 8 × 54) gives b = C_z n_z^−q and f*(n_r = 8); an r
    series at n_z = 16 (``<case>_r16``: 8 … 27 × 16) gives a = C_r n_r^−p; together
    f* = f_z*(8) + f_r*(16) − f(8, 16), and the error of any mesh a(n_r) + b(n_z).  A second z
    series at a fixed 0.5 mm wafer cell (``<case>_wafer_cell_0.5mm``, n_r = 8) separates the
    wafer layer's part of b from the bulk's."""
    out: list[str] = []
    for base in ("sf6", "sf6heat"):
        zs = sorted((x for x in rows if x["case"] == base + "_z8"), key=lambda x: x["nz"])
        rs = sorted((x for x in rows if x["case"] == base + "_r16"), key=lambda x: x["nr"])
        if len(zs) < 2:
            continue
        out += [f"### {base}: the z and r parts of the error (separable)", "",
                " ".join((separable.__doc__ or "").split()), "",
                "| series | mesh | steps | CPU s | load | wafer cell mm | ion_centre | ion_avg | F_centre | F_avg |",
                "|---" * 10 + "|"]
        ws = sorted((x for x in rows if x["case"] == base + "_wafer_cell_0.5mm" and x["nr"] == 8),
                    key=lambda x: x["nz"])
        for tag, ser in (("z (n_r 8)", zs), ("z, wafer cell 0.5 mm", ws), ("r (n_z 16)", rs)):
            for x in ser:
                out.append(f"| {tag} | {x['nr']} × {x['nz']} | {x['steps']} | {x['cpu_s']:.0f} | {x['load']:.1f} | "
                           f"{x['dz_wafer_mm']:.2f} | {x['ion_centre']:.4e} | {x['ion_avg']:.4e} | "
                           f"{x['F_centre']:.4e} | {x['F_avg']:.4e} |")
        out.append("")
        for key in ("ion_centre", "ion_avg", "F_centre", "F_avg"):
            fz, Cz, q, gz = power_fit([x[key] for x in zs], [x["nz"] for x in zs]) if len(zs) >= 3 else nan4()
            txt = f"- {key}: z part b = {Cz:.3e} n_z^−{q:.2f}, f*(n_r 8) = {fz:.4e} (GCI {gz:.2e})"
            if len(rs) >= 3 and np.isfinite(fz):
                fr, Cr, p, gr = power_fit([x[key] for x in rs], [x["nr"] for x in rs])
                f88 = next((x[key] for x in zs if x["nz"] == 16), float("nan"))
                fs = fz + fr - f88
                txt += (f"; r part a = {Cr:.3e} n_r^−{p:.2f}, f*(n_z 16) = {fr:.4e} (GCI {gr:.2e}); "
                        f"**f* = {fs:.4e} ± {gz + gr:.2e}**; "
                        "error of a mesh, a + b: " + ", ".join(
                            f"{nr} × {nz} {(Cr * nr ** -p + Cz * nz ** -q) / fs * 100:+.1f} %"
                            for nr, nz in ((12, 16), (16, 20), (22, 28), (24, 32), (32, 40), (48, 64))))
            if len(ws) >= 3:
                fw, Cw, qw, gw = power_fit([x[key] for x in ws], [x["nz"] for x in ws])
                txt += f"; with the 0.5 mm wafer cell: {Cw:.3e} n_z^−{qw:.2f}, f*(n_r 8) = {fw:.4e} (GCI {gw:.2e})"
            out.append(txt)
        out.append("")
    return out


def nan4() -> tuple[float, float, float, float]:
    return float("nan"), float("nan"), float("nan"), float("nan")


def report() -> None:
    rows = json.loads(RAW.read_text())
    lines = ["## fluid2d: mesh convergence of the wafer fluxes (graded mesh)", "",
             __doc__.split("\n\n")[1].replace("\n", " "), ""]
    for case in ("sf6", "sf6heat", "argon"):
        rs = sorted((x for x in rows if x["case"] == case), key=lambda x: x["nr"])
        if not rs:
            continue
        keys = [k for k in rs[0] if k.startswith(("ion_", "F_", "Ar_"))]
        lines += [f"### {case}", "", "| mesh | unknowns | steps | CPU s | wall s | load | wafer cell mm | T_e eV | "
                  "⟨n_e⟩ m⁻³ | T_g max/avg K | " + " | ".join(keys) + " |",
                  "|---" * (10 + len(keys)) + "|"]
        for x in rs:
            lines.append(f"| {x['nr']} × {x['nz']} | {x['unknowns']} | {x['steps']} | {x['cpu_s']:.0f} | "
                         f"{x['wall_s']:.0f} | {x['load']:.1f} | {x['dz_wafer_mm']:.2f} | {x['T_e']:.3f} | "
                         f"{x['n_e_avg']:.3e} | {x['T_g_max']:.0f}/{x['T_g_avg']:.0f} | "
                         + " | ".join(f"{x[k]:.4e}" for k in keys) + " |")
        pr, rich, errs = [], [], []
        for k in keys if len(rs) >= 2 else ():
            if len(rs) >= 3:
                p, fR = richardson([x[k] for x in rs[-3:]], [x["nz"] for x in rs[-3:]])
            else:                       # two meshes: the scheme's order 2 assumed
                p, q = 2.0, (rs[1]["nz"] / rs[0]["nz"]) ** 2
                fR = rs[1][k] + (rs[1][k] - rs[0][k]) / (q - 1)
            pr.append(f"{p:.2f}")
            rich.append(f"{fR:.4e}")
            errs.append(" / ".join(f"{(x[k] / fR - 1) * 100:+.1f}" for x in rs) if np.isfinite(fR) else "—")
        fine = rs[-1]
        dev = [] if len(rs) < 2 else [" / ".join(f"{(x[k] / fine[k] - 1) * 100:+.2f}" for x in rs[:-1]) for k in keys]
        lines += [""] if len(rs) < 2 else [
                  "| each mesh − finest (%) | | | | | | | | | | " + " | ".join(dev) + " |",
                  "| observed order (3 finest; nan: not monotone; two meshes: 2 assumed) | | | | | | | | | | "
                  + " | ".join(pr) + " |",
                  "| Richardson estimate | | | | | | | | | | " + " | ".join(rich) + " |",
                  "| each mesh − estimate (%) | | | | | | | | | | " + " | ".join(errs) + " |", ""]
        for x in rs:
            lines.append(f"Residual history {x['nr']} × {x['nz']}: " + ", ".join(f"{h:.1e}" for h in x["history"]))
            if x.get("gas_heat"):
                g = x["gas_heat"]
                lines.append(f"Gas heat balance {x['nr']} × {x['nz']}: electrons {g['electrons_W']:.2f} W + ions "
                             f"{g['ions_W']:.2f} W = conduction to the walls {g['walls_W']:.2f} W (residual "
                             f"{g['residual']:.1e})")
                lines.append("")
                f = x["T_g_field"]
                step = max(1, len(f["z_mm"]) // 10)
                lines += [f"Converged T_g (K) {x['nr']} × {x['nz']}, rows z (mm, wafer at 0), columns r (mm):", "",
                          "| z \\ r | " + " | ".join(f"{r:.0f}" for r in f["r_mm"][::2]) + " |",
                          "|---" * (1 + len(f["r_mm"][::2])) + "|"]
                for k in range(len(f["z_mm"]) - 1, -1, -step):
                    lines.append(f"| {f['z_mm'][k]:.0f} | " + " | ".join(f"{f['T_K'][i][k]:.0f}"
                                                                   for i in range(0, len(f["r_mm"]), 2)) + " |")
            if x.get("element_balance"):
                lines.append(f"Element balance {x['nr']} × {x['nz']}: "
                             + ", ".join(f"{k} {v:.1e}" for k, v in x["element_balance"].items()))
            lines.append("")
    lines += separable(rows)
    extra = [x for x in rows if x["case"] not in ("sf6", "sf6heat", "argon") and not x["case"].endswith(SERIES)
             and not (x["case"] == "sf6heat_wafer_cell_0.5mm" and x["nr"] == 8)]
    if extra:
        lines += ["### Sensitivity runs", ""]
        for x in extra:
            lines.append(f"- {x['case']} {x['nr']} × {x['nz']} (wafer cell {x['dz_wafer_mm']:.2f} mm): "
                         + ", ".join(f"{k} {x[k]:.4e}" for k in x if k.startswith(("ion_", "F_")))
                         + f"; {x['cpu_s']:.0f} s CPU, {x['steps']} steps")
    harness.write_text(harness.RESULTS / "fluid2d_mesh.md", "\n".join(lines))


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        report()
