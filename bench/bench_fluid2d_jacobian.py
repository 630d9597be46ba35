"""Convergence of the multi-species pseudo-transient solve with the Jacobian of the whole residual
(session 13, :mod:`waferlab.reactor.fluid2d.newton`) against the Jacobian with the power held
inside the step (sessions 9–12), for SF6/O2 with both positive-ion face fluxes.

Case ``sf6heat`` of bench_fluid2d_mesh.py (the Kokkoris et al. chamber, SF6/O2 100/20 sccm,
0.921 Pa, 2 kW, gas heating), columns of n_r = 4 cells with n_z = 16, 24, 36, 54, 80 and the
default grading, and the default mesh (24 × 32, every mesh key at its default).  CPU is
time.process_time of the solve on the shared 2-core machine; the load average is recorded with
every row; the residual history (scaled max-norm per step) is kept.

Run:  python bench/bench_fluid2d_jacobian.py run FLUX NR NZ [old|whole]   (FLUX pressure |
      scharfetter_gummel; NR NZ = default 0: the default mesh; ``old``: the power held in the
      step; appends to bench/results/fluid2d_jacobian_s13.json)
      python bench/bench_fluid2d_jacobian.py report      (writes bench/results/fluid2d_jacobian_s13.md)
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

RAW = harness.RESULTS / "fluid2d_jacobian_s13.json"


def run(flux: str, nr: str, nz: str, jac: str = "old") -> None:
    from bench_fluid2d_mesh import spec, wafer_quantities
    from bench_reactor_fluid2d_sf6 import sf6_spec

    from waferlab.errors import SimulationError
    from waferlab.reactor.fluid2d import ptc
    from waferlab.reactor.fluid2d.model import solve_fluid2d

    s = sf6_spec(None) if nr == "default" else spec("sf6heat", int(nr), int(nz))
    s = s.model_copy(update={"fluid2d": s.fluid2d.model_copy(update={"ion_flux": flux})})
    kw = ptc.pseudo_transient.__kwdefaults__
    assert kw is not None
    kw["consistent"] = jac == "whole"               # bench only: "whole" (newton.py), "old": lagged
    t0, c0 = time.perf_counter(), time.process_time()
    row: dict = {"flux": flux, "jacobian": jac, "mesh": "default" if nr == "default" else "column",
                 "commit": harness.commit()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = solve_fluid2d(s)
        row.update(nr=int(res.setup.mesh.shape[0]), nz=int(res.setup.mesh.shape[1]), converged=True,
                   steps=res.iterations, dz_wafer_mm=float(res.setup.mesh.dz[0] * 1e3),
                   element_balance=res.element_balance, history=[float(h) for h in res.residual_history],
                   **wafer_quantities(res))
    except SimulationError as e:
        row.update(nr=s.fluid2d.mesh.nr, nz=s.fluid2d.mesh.nz, converged=False, error=str(e)[:400])
    row.update(cpu_s=time.process_time() - c0, wall_s=time.perf_counter() - t0, load=os.getloadavg()[0])
    rows = json.loads(RAW.read_text()) if RAW.is_file() else []
    rows = [x for x in rows if not (x["flux"] == flux and x["mesh"] == row["mesh"] and x["nz"] == row["nz"]
                                    and x["nr"] == row["nr"] and x["jacobian"] == jac)] + [row]
    RAW.write_text(json.dumps(rows, indent=1))
    print(flux, jac, row["nr"], row["nz"], f"{row['cpu_s']:.0f} s CPU", row.get("steps"), "steps",
          "converged" if row["converged"] else "NOT converged", flush=True)


def _hist(h: list) -> str:
    return ", ".join(f"{v:.1e}" for v in h[:4]) + " … " + ", ".join(f"{v:.1e}" for v in h[-4:])


def _num(v, fmt: str) -> str:
    return "—" if v is None or v != v else format(v, fmt)


def report() -> None:
    rows = json.loads(RAW.read_text())
    out = [f"## fluid2d: Newton Jacobian of the whole residual (session 13) — commit {harness.commit()}", "",
           "`python bench/bench_fluid2d_jacobian.py`; SF6/O2 case sf6heat (Kokkoris et al. chamber, gas heating); "
           "columns n_r = 4 with the default z grading, and the default mesh.  jacobian: `lagged` = the power "
           "density held in the step (sessions 9–12, and the default), `whole` = with the power's dependence on "
           "the state (session 13, waferlab.reactor.fluid2d.newton).  ion_flux pressure without a variant is the "
           "default path: the SG steady state, then the pressure form from it (continuation; steps and CPU count "
           "both stages).  Rows with a variant are the session's diagnostic runs (scripts on the working tree, "
           "same solver code).  CPU = time.process_time on the shared 2-core machine, load = 1-min load average.",
           "", "| ion_flux | jacobian | variant | mesh | converged | steps | CPU (s) | load | "
           "ion flux, centre (m⁻²s⁻¹) | F flux, centre | element balance (max) | note | commit |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    key = lambda x: (x["mesh"] != "column", x["nz"], "variant" in x, x["flux"], x["jacobian"])   # noqa: E731
    for x in sorted(rows, key=key):
        jac = "lagged" if x["jacobian"] == "old" else x["jacobian"]
        eb = max(abs(v) for v in x["element_balance"].values()) if x.get("element_balance") else None
        out.append(f"| {x['flux']} | {jac} | {x.get('variant', '')} | {x['nr']} × {x['nz']} | "
                   f"{'yes' if x['converged'] else 'NO'} | {x.get('steps', '—')} | {x['cpu_s']:.0f} | "
                   f"{x['load']:.0f} | {_num(x.get('ion_centre'), '.4g')} | {_num(x.get('F_centre'), '.4g')} | "
                   f"{_num(eb, '.1e')} | {x.get('note', '')} | {x['commit']} |")
    out += ["", "Residual histories (scaled max-norm per step; first four … last four):", ""]
    for x in sorted(rows, key=key):
        h = x.get("history") or []
        jac = "lagged" if x["jacobian"] == "old" else x["jacobian"]
        out.append(f"- {x['flux']}, {jac}, {x.get('variant', 'default path')}, {x['nr']} × {x['nz']}: "
                   + (_hist(h) if h else x.get("error", "")))
    (harness.RESULTS / "fluid2d_jacobian_s13.md").write_text("\n".join(out) + "\n")
    print("\n".join(out))


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(*sys.argv[2:6])
    else:
        report()
