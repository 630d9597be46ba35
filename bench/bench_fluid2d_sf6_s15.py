"""Session 15: the pressure-form ion flux on the 10 mTorr SF6/O2 recipes, and the check of its own
error.

Recipes (:func:`recipe`): ``test`` — the 10 mTorr test recipe of tests/reactor/fluid2d (SF6/O2
50/10 sccm, 500 W, R 15 cm × 20 cm, 10 cm wafer, no gas heating; 8 × 10); ``wafer_map`` — the reactor
of examples/fluid2d/wafer-map-sf6o2-fluid2d.yaml (100/20 sccm, 800 W, R 15 cm × 30 cm; 12 × 16);
``example`` — examples/fluid2d/reactor-sf6o2-fluid2d.yaml (the Kokkoris chamber with gas heating,
0.921 Pa; 16 × 20).  ``run RECIPE`` solves the recipe as shipped (the default ``ion_flux: auto``);
``run RECIPE NR NZ`` the same recipe on NR × NZ with ``adapt: false`` and the default grading (the
mesh series whose limit the shipped meshes' wafer ion flux is compared with).  Per run: the face
flux of the result, the pseudo-time steps (SG + pressure), the sheath-edge check's numbers (the
pressure form's r error estimate, :mod:`waferlab.reactor.fluid2d.rcheck`, and its solve), CPU
(time.process_time, the whole solve with the check), the load, the wafer ion flux (centre:
extrapolated in r² to r = 0; average over the wafer) and the warnings.

Run:  python bench/bench_fluid2d_sf6_s15.py run RECIPE [NR NZ]   (appends to fluid2d_sf6_s15.json)
"""
from __future__ import annotations

import harness

harness.configure(threads=1)

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

RAW = harness.RESULTS / "fluid2d_sf6_s15.json"


def recipe(name: str, nr: int | None = None, nz: int | None = None):
    import yaml

    from waferlab.reactor.spec import ReactorSpec
    from waferlab.recipe_io import validate_section

    ex = harness.ROOT / "examples" / "fluid2d"
    if name == "example":
        d = yaml.safe_load((ex / "reactor-sf6o2-fluid2d.yaml").read_text())["reactor"]
    elif name == "wafer_map":
        d = yaml.safe_load((ex / "wafer-map-sf6o2-fluid2d.yaml").read_text())["steps"][0]["plasma_etch"]["reactor"]
    else:
        d = {"model": "fluid2d", "chamber": {"radius": "15 cm", "length": "20 cm", "wafer_radius": "10 cm"},
             "pressure": "10 mTorr", "gases": {"SF6": "50 sccm", "O2": "10 sccm"}, "source": {"power": "500 W"},
             "chemistry": "sf6o2", "fluid2d": {"mesh": {"nr": 8, "nz": 10}, "gas_heating": False}}
    if nr is not None:
        d["fluid2d"] = {**d["fluid2d"], "mesh": {**d["fluid2d"].get("mesh", {}), "nr": nr, "nz": nz, "adapt": False},
                        "max_iterations": 400}
    return validate_section(ReactorSpec, d, "reactor")


def main(name: str, nr: int | None, nz: int | None) -> None:
    from bench_fluid2d_mesh import wafer_quantities

    from waferlab.reactor.fluid2d.model import solve_fluid2d

    c0, t0 = time.process_time(), time.perf_counter()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        res = solve_fluid2d(recipe(name, nr, nz))
    ps = dict(res.potential_steps)
    row = {"name": name, "series": nr is not None, "mesh": list(res.setup.mesh.shape), "ion_flux": res.ion_flux,
           "steps": res.iterations, "fallback_steps": len(res.ion_flux_fallback),
           "cpu_s": time.process_time() - c0, "wall_s": time.perf_counter() - t0, "load": os.getloadavg()[0],
           "commit": harness.commit(), "history": [float(h) for h in res.residual_history],
           "check": {k: ps.get(k) for k in ("r_error", "r_error_r_m", "r_error_centre", "r_error_coarse_mesh",
                                            "r_error_steps", "r_error_note", "wafer_face_excess")},
           "warnings": [str(x.message)[:400] for x in w], **wafer_quantities(res)}
    rows = json.loads(RAW.read_text()) if RAW.is_file() else []
    keep = [x for x in rows if (x["name"], x["mesh"], x["series"]) != (name, row["mesh"], row["series"])]
    RAW.write_text(json.dumps(keep + [row], indent=1))
    print(name, row["mesh"], row["ion_flux"], row["steps"], f"{row['cpu_s']:.0f} s CPU",
          f"centre {row['ion_centre']:.4g} avg {row['ion_avg']:.4g}", "r_error", ps.get("r_error"), flush=True)


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[:1] != ["run"]:
        sys.exit(__doc__)
    main(a[1], int(a[2]) if len(a) > 2 else None, int(a[3]) if len(a) > 3 else None)
