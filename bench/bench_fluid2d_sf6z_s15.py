"""Session 15 (lane sf6z): the z error of the SF6/O2 fluid2d wafer ion flux on the 10 mTorr test
recipe (bench_fluid2d_sf6_s15.recipe('test'), n_r = 8) and on the wafer-map reactor.

``solve RECIPE NR NZ`` solves the recipe on NR × NZ (default grading, ``adapt: false``; NR = 0:
the shipped mesh) with the default ``ion_flux: auto`` and the mesh checks, and appends a row to
bench/results/fluid2d_sf6z_s15.json: the mesh, the result's flux, the steps, CPU
(time.process_time of the whole solve with the checks), the load, the wafer ion flux (centre,
extrapolated in r² to r = 0; the wafer average), the r and z checks' numbers and the warnings.
``WAFERLAB_NO_CHECK=1`` skips the checks (the series runs: CPU of the solve alone);
``WAFERLAB_KEEP_ADAPT=1`` keeps the shipped mesh settings (``adapt``) on NR × NZ;
``WAFERLAB_ONLY_Z=1`` skips the r check's solve (the z check's coarse solve is the series' point on
every other z face).

Run:  python bench/bench_fluid2d_sf6z_s15.py solve test 8 40
"""
from __future__ import annotations

import harness

harness.configure(threads=1)

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

RAW = harness.RESULTS / "fluid2d_sf6z_s15.json"
KEYS = ("r_error", "r_error_r_m", "r_error_centre", "r_error_coarse_mesh", "r_error_steps", "r_error_note",
        "z_error", "z_error_r_m", "z_error_centre", "z_error_coarse_mesh", "z_error_steps", "z_error_note",
        "z_error_coarse_flux")


def main(name: str, nr: int, nz: int) -> None:
    from bench_fluid2d_mesh import wafer_quantities
    from bench_fluid2d_sf6_s15 import recipe

    from waferlab.reactor.fluid2d import multi
    from waferlab.reactor.fluid2d.model import solve_fluid2d

    check = os.environ.get("WAFERLAB_NO_CHECK") != "1"
    if not check:
        multi._check_sheath_edge = lambda *a, **k: {}
    if os.environ.get("WAFERLAB_ONLY_Z") == "1":          # the z check only (its r solve skipped)
        from waferlab.reactor.fluid2d import rcheck

        rcheck.r_error = lambda *a, **k: {"r_error": 0.0, "r_error_r_m": 0.0, "r_error_centre": 0.0,
                                          "r_error_coarse_mesh": None, "r_error_steps": 0,
                                          "r_error_note": "skipped (WAFERLAB_ONLY_Z)"}
    spec = recipe(name, nr, nz) if nr else recipe(name)
    if nr and os.environ.get("WAFERLAB_KEEP_ADAPT") == "1":      # the shipped mesh settings, NR × NZ cells
        base = recipe(name)
        spec = base.model_copy(update={"fluid2d": base.fluid2d.model_copy(update={
            "mesh": base.fluid2d.mesh.model_copy(update={"nr": nr, "nz": nz})})})
    c0, t0 = time.process_time(), time.perf_counter()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        res = solve_fluid2d(spec)
    ps = dict(res.potential_steps or {})
    if os.environ.get("WAFERLAB_ONLY_Z") == "1":
        check = "z"
    row = {"name": name, "shipped": not nr, "mesh": list(res.setup.mesh.shape), "check": check,
           "ion_flux": res.ion_flux, "steps": res.iterations, "fallback_steps": len(res.ion_flux_fallback),
           "cpu_s": time.process_time() - c0, "wall_s": time.perf_counter() - t0, "load": os.getloadavg()[0],
           "commit": harness.commit(), "dz0_mm": float(res.setup.mesh.dz[0] * 1e3),
           "checks": {k: ps.get(k) for k in KEYS},
           "warnings": [str(x.message)[:500] for x in w], **wafer_quantities(res)}
    rows = json.loads(RAW.read_text()) if RAW.is_file() else []
    key = (name, row["mesh"], row["shipped"], check)
    keep = [x for x in rows if (x["name"], x["mesh"], x["shipped"], x["check"]) != key]
    RAW.write_text(json.dumps(keep + [row], indent=1))
    print(name, row["mesh"], row["ion_flux"], row["steps"], f"{row['cpu_s']:.0f} s CPU",
          f"centre {row['ion_centre']:.4g} avg {row['ion_avg']:.4g}", row["checks"], flush=True)


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[:1] != ["solve"]:
        sys.exit(__doc__)
    main(a[1], int(a[2]), int(a[3]))
