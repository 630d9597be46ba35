"""Session 14: the SF6/O2 wafer ion flux with both positive-ion face fluxes on one mesh family.

One ``ion_flux: pressure`` solve runs the Scharfetter–Gummel (SG) steady state first and the
pressure form from it (continuation, :mod:`waferlab.reactor.fluid2d.ptc`); this bench keeps the
SG stage's state and evaluates its wafer fluxes too, so every mesh gives both face fluxes from
one launch.  Case ``sf6heat`` of bench_fluid2d_mesh.py (Kokkoris et al. chamber, SF6/O2 100/20
sccm, 0.921 Pa, 2 kW, gas heating), z graded with the default family (wafer and window cells
0.25 L/n_z, so a mesh family refined by a constant mapping), r uniform, or with a
``wall_cell`` grading towards the side wall (case suffix ``_rgraded``: 0.5 R/n_r).

Run:  python bench/bench_fluid2d_ionflux_s14.py run CASE NR NZ    (appends to bench/results/fluid2d_ionflux_s14.json)
      python bench/bench_fluid2d_ionflux_s14.py report            (prints the table; the .md is written by hand)
"""
from __future__ import annotations

import harness

harness.configure(threads=1)

import fcntl  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

RAW = harness.RESULTS / "fluid2d_ionflux_s14.json"


def _spec(case: str, nr: int, nz: int):
    from bench_fluid2d_mesh import spec

    base = case.replace("_rgraded", "")
    s = spec(base, nr, nz)
    mesh = s.fluid2d.mesh
    if case.endswith("_rgraded"):
        mesh = mesh.model_copy(update={"wall_cell": 0.5 * s.chamber.radius / nr})
    return s.model_copy(update={"fluid2d": s.fluid2d.model_copy(update={"ion_flux": "pressure", "mesh": mesh})})


def run(case: str, nr: int, nz: int) -> None:
    from bench_fluid2d_mesh import wafer_quantities

    from waferlab.reactor.fluid2d import multi, ptc
    from waferlab.reactor.fluid2d.model import solve_fluid2d

    keep: dict = {}
    orig = ptc._stage

    def stage(*a, **k):
        st = orig(*a, **k)
        if k.get("ion_flux") == "sg":
            keep["sg"] = st
            keep["sg_cpu"] = time.process_time() - c0
        return st

    ptc._stage = stage
    s = _spec(case, nr, nz)
    t0, c0 = time.perf_counter(), time.process_time()
    row: dict = {"case": case, "nr": nr, "nz": nz, "commit": harness.commit()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = solve_fluid2d(s)
        row["pressure"] = {"converged": True, "steps": res.iterations, **wafer_quantities(res),
                           "history": [float(h) for h in res.residual_history],
                           "excess": res.potential_steps.get("wafer_face_excess"),
                           "max_step_Ti": res.potential_steps.get("max"),
                           "dz_mm": [float(v * 1e3) for v in res.setup.mesh.dz[:6]],
                           "balance": res.element_balance}
    except Exception as exc:  # noqa: BLE001  (a stalled pressure stage is a result)
        row["pressure"] = {"converged": False, "error": str(exc)[:400]}
    row["cpu_s"], row["wall_s"], row["load"] = time.process_time() - c0, time.perf_counter() - t0, os.getloadavg()[0]
    ptc._stage = orig
    if "sg" in keep and keep["sg"]["converged"]:
        sg = keep["sg"]
        real = multi._pseudo_transient
        multi._pseudo_transient = lambda *a, **k: sg          # the kept SG steady state as the result
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r2 = solve_fluid2d(s)
        finally:
            multi._pseudo_transient = real
        row["sg"] = {"converged": True, "steps": len(sg["history"]), "cpu_s": keep["sg_cpu"], **wafer_quantities(r2),
                     "excess": r2.potential_steps.get("wafer_face_excess")}
    else:
        row["sg"] = {"converged": False}
    with open(RAW.with_suffix(".lock"), "w") as lock:          # several queues append
        fcntl.flock(lock, fcntl.LOCK_EX)
        rows = json.loads(RAW.read_text()) if RAW.is_file() else []
        rows = [x for x in rows if not (x["case"] == case and x["nr"] == nr and x["nz"] == nz)] + [row]
        RAW.write_text(json.dumps(rows, indent=1))
    print(case, nr, nz, f"{row['cpu_s']:.0f} s CPU", {k: row[k].get("ion_centre") for k in ("sg", "pressure")},
          flush=True)


# Earlier rows of the same case and code path (the SG stage is the SG solve: bit-identical,
# session 13), taken into the series: (scheme, nr, nz) -> centre ion flux, source
EARLIER = {("sg", 4, 24): (6.564284180486192e18, "fluid2d_ionflux.json, abd8560"),
           ("pressure", 4, 24): (5.3371e18, "fluid2d_jacobian_s13.json, 22b0a9f"),
           ("sg", 4, 36): (5.892669922182266e18, "fluid2d_ionflux.json, abd8560"),
           ("sg", 4, 80): (5.013899608031166e18, "fluid2d_ionflux.json, abd8560"),
           ("pressure", 4, 36): (5.393205592058902e18, "fluid2d_jacobian_s13.json, b9a04a9"),
           ("pressure", 4, 80): (5.457666954945945e18, "fluid2d_jacobian_s13.json, b9a04a9"),
           ("sg", 24, 32): (5.792e18, "fluid2d_jacobian_s13.md (SG stage of the default-mesh run), b9a04a9"),
           ("pressure", 24, 32): (4.3696e18, "fluid2d_jacobian_s13.json, b9a04a9")}


def table(case: str = "sf6heat") -> dict:
    """(scheme, nr, nz) -> centre ion flux of every converged run of ``case`` (this bench's rows
    first, then EARLIER for meshes not run here)."""
    out = {k: v[0] for k, v in EARLIER.items()} if case == "sf6heat" else {}
    for x in json.loads(RAW.read_text()):
        if x["case"] != case:
            continue
        for sch, key in (("sg", "sg"), ("pressure", "pressure")):
            if x[key].get("converged") and "ion_centre" in x[key]:
                out[(sch, x["nr"], x["nz"])] = x[key]["ion_centre"]
    return out


def series(t: dict, scheme: str, *, nr: int | None = None, nz: int | None = None) -> tuple[list, list]:
    keys = sorted(k for k in t if k[0] == scheme and (nr is None or k[1] == nr) and (nz is None or k[2] == nz))
    n = [k[2] if nr is not None else k[1] for k in keys]
    return n, [t[k] for k in keys]


def report() -> None:
    from bench_fluid2d_mesh import power_fit

    rows = json.loads(RAW.read_text())
    print("| case | mesh | CPU s (both stages) | load | SG steps | SG centre | SG avg | pressure steps (both) | "
          "pressure centre | pressure avg |")
    for x in sorted(rows, key=lambda x: (x["case"], x["nr"], x["nz"])):
        sg, pr = x["sg"], x["pressure"]
        nan = float("nan")
        print(f"| {x['case']} | {x['nr']} × {x['nz']} | {x['cpu_s']:.0f} | {x['load']:.1f} | "
              f"{sg.get('steps', '—')} | {sg.get('ion_centre', nan):.4g} | {sg.get('ion_avg', nan):.4g} | "
              f"{pr.get('steps', '—')} | {pr.get('ion_centre', nan):.4g} | {pr.get('ion_avg', nan):.4g} |")
    t = table()
    for scheme in ("sg", "pressure"):
        for label, kw in (("r series, n_z = 32", {"nz": 32}), ("z series, n_r = 4", {"nr": 4}),
                          ("z series, n_r = 8", {"nr": 8})):
            n, f = series(t, scheme, **kw)
            line = f"- {scheme}, {label}: " + ", ".join(f"{a}: {b:.4g}" for a, b in zip(n, f))
            if len(n) >= 3:
                fR, C, p, gci = power_fit(f, n)
                line += f"; three finest: order {p:.2f}, Richardson {fR:.4g}, GCI {gci:.2g}"
            print(line)


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        report()
