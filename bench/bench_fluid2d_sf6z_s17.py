"""Session 17 (lane sf6z): the z convergence of the SF6/O2 wafer ion flux term by term, and the
default recipes with the mesh checks.

``zsolve NR NZ [sg|cf3|cf3z]``: the 10 mTorr test recipe of bench_fluid2d_sf6_s15 (R 15 × L 20 cm,
10 cm wafer, SF6/O2 50/10 sccm, 500 W, no gas heating) on NR × NZ (default Vinokur grading, no
mesh checks), with the charged species' Scharfetter–Gummel face fluxes plain (``sg``, the
session-16 scheme) or with the complete-flux source correction as a third stage from the pressure
form's steady state (``cf3``: every face; ``cf3z``: the z faces only; ``ptc.COMPLETE_FLUX``,
``species.centroid_offset``; from the global state, in
every stage, it diverged on 4 × 20: bench/results/sf6z_s17.md).  Prints the wafer-centre column's
wall ion flux, the steps and the CPU (time.process_time of the solve), and the centre column's
ln n_e, T_e and α at fixed heights
(for the error profile against a finer mesh); appends a row to bench/results/fluid2d_sf6z_s17.json.

``run CASE``: bench_fluid2d_sf6mesh_s16's ``run`` (``sf6``: the default SF6/O2 recipe with both
mesh checks; ``wafer_map``: the wafer-map example's reactor), its row appended to
bench/results/fluid2d_sf6mesh_s16.json with this commit.

Run:  python bench/bench_fluid2d_sf6z_s17.py zsolve 4 40 cf3
      python bench/bench_fluid2d_sf6z_s17.py run wafer_map
"""
from __future__ import annotations

import harness

harness.configure(threads=1)

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

RAW = harness.RESULTS / "fluid2d_sf6z_s17.json"
Z_AT = (0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.07, 0.09, 0.11, 0.13, 0.15, 0.17, 0.19)


def zsolve(nr: int, nz: int, scheme: str) -> None:
    from bench_fluid2d_sf6_s15 import recipe

    from waferlab.reactor.fluid2d import multi, ptc
    from waferlab.reactor.fluid2d.model import solve_fluid2d

    multi._check_sheath_edge = lambda *a, **k: {}
    ptc.COMPLETE_FLUX = {"cf3": True, "cf3z": "z"}.get(scheme, False)
    seen: dict = {}
    pt = ptc.pseudo_transient

    def pseudo_transient(*a, **k):
        out = pt(*a, **k)
        seen.update(cf=bool(out.get("complete_flux")), cf_fallback=[float(h) for h in out.get("fallback_cf", [])])
        return out

    multi._pseudo_transient = pseudo_transient
    c0 = time.process_time()
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        res = solve_fluid2d(recipe("test", nr, nz))
    cpu = time.process_time() - c0
    gm, m = res.setup.global_model, res.setup.mesh
    G = float(res.wall_flux[1][gm.pos][:, 0].sum())
    al = (-gm.z[gm.neg][:, None] * res.n[gm.neg][:, 0]).sum(0) / res.n_e[0]
    row = {"scheme": scheme, "mesh": [nr, nz], "wafer_cell_m": float(m.dz[0]), "steps": res.iterations,
           "ion_flux": res.ion_flux, "fallback_steps": len(res.ion_flux_fallback),
           "fallback": [float(h) for h in res.ion_flux_fallback][-5:], "complete_flux": seen.get("cf"),
           "cf_fallback_steps": len(seen.get("cf_fallback", [])), "cf_fallback": seen.get("cf_fallback", [])[-5:],
           "cpu_s": cpu, "load": os.getloadavg()[0], "commit": harness.commit(), "centre_wall_ion_flux": G,
           "z_m": list(Z_AT), "ln_ne": np.interp(Z_AT, m.z, np.log(res.n_e[0])).tolist(),
           "T_e": np.interp(Z_AT, m.z, res.T_e[0]).tolist(), "alpha": np.interp(Z_AT, m.z, al).tolist()}
    rows = json.loads(RAW.read_text()) if RAW.is_file() else []
    RAW.write_text(json.dumps(rows + [row], indent=1))
    print(f"test {nr} x {nz} {scheme}: {res.iterations} steps, {cpu:.0f} s CPU (load {row['load']:.1f}), "
          f"centre-column wall ion flux {G:.5g} m^-2 s^-1; ion_flux {res.ion_flux}, fallback "
          f"{row['fallback_steps']} steps {row['fallback']}; complete flux {row['complete_flux']} "
          f"(fallback {row['cf_fallback_steps']} steps {row['cf_fallback']})", flush=True)


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[:1] == ["zsolve"]:
        zsolve(int(a[1]), int(a[2]), a[3] if len(a) > 3 else "sg")
    elif a[:1] == ["run"]:
        from bench_fluid2d_sf6mesh_s16 import main
        main(a[1])
    else:
        sys.exit(__doc__)
