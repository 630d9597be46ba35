"""Session 16 (lane sf6mesh): CPU, mesh, steps and residual history of the default fluid2d recipes
with the mesh checks (r and z), and the wafer rows (stopping at the wafer radius).

``run CASE``: ``sf6`` — the default SF6/O2 recipe of bench_reactor_fluid2d_sf6 (Kokkoris chamber,
default 24 × 32 mesh, gas heating, SG + pressure form + r and z checks); ``argon`` — the L&L argon
case on the default mesh; ``wafer_map`` — the wafer-map example's reactor (examples/fluid2d/
wafer-map-sf6o2-fluid2d.yaml); ``example`` — reactor-sf6o2-fluid2d.yaml.  CPU = time.process_time
of the whole solve (checks included).  Appends a row to bench/results/fluid2d_sf6mesh_s16.json.

``zsolve NR NZ [G]``: the 10 mTorr test recipe (bench_fluid2d_sf6_s15.recipe('test')) on NR × NZ
(G = 1: the default Vinokur grading, wafer cell L/(4 NZ); G = 0: ``graded: false``, uniform rows
with a geometric grading at the window only), no mesh checks; prints the wafer-centre column's
wall ion flux and the **a-posteriori test of the wall closure**: the closure of .species
(Γ_k = f_s n_k/(1/u_B + d/D_a), :func:`edge_factors`) evaluated with the solution's state of the
cell whose centre is at height d as if that cell were the wall cell, divided by the solution's
own wall flux (1 at the wall cell by construction; a closure exact at any d would give ≈ 1
minus the net source below d).

Run:  python bench/bench_fluid2d_sf6mesh_s16.py run sf6
      python bench/bench_fluid2d_sf6mesh_s16.py zsolve 4 40 1
"""
from __future__ import annotations

import harness

harness.configure(threads=1)

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

RAW = harness.RESULTS / "fluid2d_sf6mesh_s16.json"
KEYS = ("r_error", "r_error_r_m", "r_error_centre", "r_error_coarse_mesh", "r_error_steps",
        "z_error", "z_error_r_m", "z_error_centre", "z_error_coarse_mesh", "z_error_steps", "z_error_note")


def spec_of(case: str):
    from bench_reactor_fluid2d_sf6 import sf6_spec

    from waferlab.reactor.spec import ReactorSpec
    from waferlab.recipe_io import validate_section

    if case == "sf6":
        return sf6_spec(None)
    if case == "argon":
        d = {"model": "fluid2d", "chamber": {"radius": "15 cm", "length": "30 cm", "wafer_radius": "10 cm"},
             "pressure": "1 mTorr", "gases": {"Ar": "50 sccm"}, "source": {"power": "800 W"}}
        return validate_section(ReactorSpec, d, "reactor")
    from bench_fluid2d_sf6_s15 import recipe

    return recipe(case)


def main(case: str) -> None:
    from bench_fluid2d_mesh import wafer_quantities

    from waferlab.reactor.fluid2d.model import solve_fluid2d
    from waferlab.reactor.fluid2d.output import wafer_profile

    spec = spec_of(case)
    c0, t0 = time.process_time(), time.perf_counter()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        res = solve_fluid2d(spec)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    ps = dict(getattr(res, "potential_steps", None) or {})
    prof = wafer_profile(res)
    row = {"case": case, "mesh": list(res.setup.mesh.shape), "unknowns": int(res.x.size) if hasattr(res, "x") else None,
           "ion_flux": getattr(res, "ion_flux", "argon"), "steps": res.iterations,
           "stages": [dict(s) if isinstance(s, dict) else str(s) for s in getattr(res, "stages", ())],
           "cpu_s": cpu, "wall_s": wall, "load": os.getloadavg()[0], "commit": harness.commit(),
           "history": [float(h) for h in res.residual_history],
           "checks": {k: ps.get(k) for k in KEYS}, "wafer_r_m": [float(x) for x in prof["r_m"]],
           "wafer_ion_flux": [float(x) for x in prof["ion_flux_m2s"]],
           "warnings": [str(x.message)[:500] for x in w], **wafer_quantities(res)}
    rows = json.loads(RAW.read_text()) if RAW.is_file() else []
    RAW.write_text(json.dumps(rows + [row], indent=1, default=str))
    print(case, row["mesh"], row["steps"], f"{cpu:.0f} s CPU {wall:.0f} s wall load {row['load']:.1f}",
          f"centre {row['ion_centre']:.4g} avg {row['ion_avg']:.4g}", row["checks"], row["warnings"], flush=True)


def closure_ratios(res, col: int = 0, rows: int = 8) -> list[tuple[float, float, float]]:
    """(height d m, α of that cell, closure flux at d / the solution's wall flux) of column ``col``."""
    import numpy as np

    from waferlab.constants import EV, PI
    from waferlab.reactor.fluid2d.species import edge_factors

    gm = res.setup.global_model
    pos, neg, neu, Ti = gm.pos, gm.neg, gm.neu, gm.T_ion_eV
    n, ne, Te, z = res.n, res.n_e, res.T_e, res.setup.mesh.z
    Gw = float(res.wall_flux[1][pos][:, col].sum())
    out = []
    for j in range(min(rows, z.size)):
        nP = n[:, col, j]
        lam = 1.0 / (nP[neu].sum() * gm.sigma[pos])
        mu0 = EV * lam / (gm.mass[pos] * np.sqrt(8 * EV * Ti / (PI * gm.mass[pos])))
        uB = np.sqrt(EV * Te[col, j] / gm.mass[pos])
        Da = mu0 * (Te[col, j] + Ti)
        al = float((-gm.z[neg] * nP[neg]).sum() / ne[col, j])
        fs = edge_factors(np.array(al), Te[col, j] / Ti, uB * z[j] / Da)
        out.append((float(z[j]), al, float((fs * nP[pos] / (1 / uB + z[j] / Da)).sum()) / Gw))
    return out


def zsolve(nr: int, nz: int, graded: bool) -> None:
    from bench_fluid2d_sf6_s15 import recipe

    from waferlab.reactor.fluid2d import multi
    from waferlab.reactor.fluid2d.model import solve_fluid2d

    multi._check_sheath_edge = lambda *a, **k: {}
    spec = recipe("test", nr, nz)
    if not graded:
        spec = spec.model_copy(update={"fluid2d": spec.fluid2d.model_copy(update={
            "mesh": spec.fluid2d.mesh.model_copy(update={"graded": False})})})
    c0 = time.process_time()
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        res = solve_fluid2d(spec)
    cpu = time.process_time() - c0
    gm = res.setup.global_model
    print(f"test {nr} x {nz} graded={graded}: {res.iterations} steps, {cpu:.0f} s CPU, wafer cell "
          f"{res.setup.mesh.dz[0] * 1e3:.2f} mm, centre-column wall ion flux "
          f"{float(res.wall_flux[1][gm.pos][:, 0].sum()):.4g} m^-2 s^-1")
    for d, al, q in closure_ratios(res):
        print(f"  d {d * 1e3:6.1f} mm  alpha {al:6.2f}  closure at d / wall flux {q:.3f}")


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[:1] == ["zsolve"]:
        zsolve(int(a[1]), int(a[2]), a[3:4] != ["0"])
    elif a[:1] == ["run"]:
        main(a[1])
    else:
        sys.exit(__doc__)
