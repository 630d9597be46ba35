"""Positive-ion face flux of the multi-species model (``reactor.fluid2d.ion_flux``): the wafer
ion flux of SF6/O2 under z refinement with the pressure form (the default since session 12,
:mod:`waferlab.reactor.fluid2d.ionflux`) against the Scharfetter–Gummel flux used before.

Case ``sf6heat`` of bench_fluid2d_mesh.py (the Kokkoris et al. chamber, SF6/O2 100/20 sccm,
0.921 Pa, 2 kW, gas heating), a column of n_r = 4 cells (the r part of the error is ≈ 2 % at
n_r = 24, docs/reactor.md) and n_z = 16, 24, 36, 54, 80 with the default grading (wafer and
window cells 0.25 L/n_z); and the default mesh (24 × 32, every mesh key at its default).
Quantities as in bench_fluid2d_mesh.py (centre: r → 0 in r²; edge: r = R_wafer).  CPU is
time.process_time of the solve; the load average is recorded with every row.

Run:  python bench/bench_fluid2d_ionflux.py run FLUX NR NZ   (FLUX pressure | scharfetter_gummel;
      NR NZ = default: the default mesh; appends to bench/results/fluid2d_ionflux.json)
      python bench/bench_fluid2d_ionflux.py report           (writes bench/results/fluid2d_ionflux.md)
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

RAW = harness.RESULTS / "fluid2d_ionflux.json"


def run(flux: str, nr: str, nz: str) -> None:
    from bench_fluid2d_mesh import spec, wafer_quantities
    from bench_reactor_fluid2d_sf6 import sf6_spec

    from waferlab.reactor.fluid2d.model import solve_fluid2d

    s = sf6_spec(None) if nr == "default" else spec("sf6heat", int(nr), int(nz))
    s = s.model_copy(update={"fluid2d": s.fluid2d.model_copy(update={"ion_flux": flux})})
    t0, c0 = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = solve_fluid2d(s)
    row = {"flux": flux, "mesh": "default" if nr == "default" else "column",
           "nr": int(res.setup.mesh.shape[0]), "nz": int(res.setup.mesh.shape[1]),
           "cpu_s": time.process_time() - c0, "wall_s": time.perf_counter() - t0, "steps": res.iterations,
           "load": os.getloadavg()[0], "commit": harness.commit(), "dz_wafer_mm": float(res.setup.mesh.dz[0] * 1e3),
           "element_balance": res.element_balance, "wafer_face_excess": res.potential_steps.get("wafer_face_excess"),
           "history": [float(h) for h in res.residual_history], **wafer_quantities(res)}
    rows = json.loads(RAW.read_text()) if RAW.is_file() else []
    rows = [x for x in rows if not (x["flux"] == flux and x["mesh"] == row["mesh"] and x["nz"] == row["nz"]
                                    and x["nr"] == row["nr"])] + [row]
    RAW.write_text(json.dumps(rows, indent=1))
    print(flux, row["nr"], row["nz"], f"{row['cpu_s']:.0f} s CPU", row["steps"], "steps", flush=True)


def report() -> None:
    from bench_fluid2d_mesh import richardson

    rows = json.loads(RAW.read_text())
    out = [f"## fluid2d: positive-ion face flux, SF6/O2 wafer ion flux under z refinement — commit {harness.commit()}",
           "", "`python bench/bench_fluid2d_ionflux.py`; case sf6heat (Kokkoris et al. chamber, gas heating), "
           "default z grading (end cells 0.25 L/n_z).  Each row's commit and load average are its own; "
           "CPU = time.process_time of the solve on the 2 shared cores.", "",
           "| ion_flux | mesh | wafer cell (mm) | steps | CPU (s) | load | ion flux, centre (m⁻²s⁻¹) | edge/centre "
           "| F flux, centre | F edge/centre | first-face excess | commit |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for flux in ("scharfetter_gummel", "pressure"):
        for mesh in ("column", "default"):
            sel = sorted((x for x in rows if x["flux"] == flux and x["mesh"] == mesh), key=lambda x: x["nz"])
            for x in sel:
                exc = x.get("wafer_face_excess")
                out.append(f"| {flux} | {x['nr']} × {x['nz']} | {x['dz_wafer_mm']:.2f} | {x['steps']} | "
                           f"{x['cpu_s']:.0f} | {x['load']:.0f} | {x['ion_centre']:.4g} | "
                           f"{x['ion_edge'] / x['ion_centre']:.3f} | {x['F_centre']:.4g} | "
                           f"{x['F_edge'] / x['F_centre']:.3f} | {'—' if exc is None else f'{exc * 100:+.0f} %'} | "
                           f"{x['commit']} |")
    out += ["", "Observed order and Richardson value of the column series (three finest converged meshes):", ""]
    for flux in ("scharfetter_gummel", "pressure"):
        sel = sorted((x for x in rows if x["flux"] == flux and x["mesh"] == "column"), key=lambda x: x["nz"])
        if len(sel) >= 3:
            f = [x["ion_centre"] for x in sel[-3:]]
            n = [x["nz"] for x in sel[-3:]]
            p, fR = richardson(f, n)
            out.append(f"- {flux}: n_z {n}: centre ion flux {', '.join(f'{v:.4g}' for v in f)}; "
                       f"observed order {p:.2f}, Richardson {fR:.4g}" if np.isfinite(p) else
                       f"- {flux}: n_z {n}: centre ion flux {', '.join(f'{v:.4g}' for v in f)}; not monotone "
                       f"(no order fitted)")
    (harness.RESULTS / "fluid2d_ionflux.md").write_text("\n".join(out) + "\n")
    print("\n".join(out))


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(*sys.argv[2:5])
    else:
        report()
