"""Session 14: the default ``ion_flux: auto`` (the pressure form after the SG steady state, with
the fall-back to SG when it stalls) on every SF6/O2 recipe that is shipped or tested: the two
examples (examples/fluid2d/*sf6o2*.yaml, their reactor) and the 10 mTorr test recipe of
tests/reactor/fluid2d (8 × 10).  Per recipe: the face flux of the result, steps, CPU
(time.process_time), the load, the centre/average wafer ion flux and the warnings.

Run:  python bench/bench_fluid2d_sf6_recipes.py NAME   (NAME: example | wafer_map | test_8x10;
      appends to bench/results/fluid2d_sf6_recipes_s14.json)
"""
from __future__ import annotations

import harness

harness.configure(threads=1)

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

RAW = harness.RESULTS / "fluid2d_sf6_recipes_s14.json"


def recipe(name: str):
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
    return validate_section(ReactorSpec, d, "reactor")


def main(name: str) -> None:
    from bench_fluid2d_mesh import wafer_quantities

    from waferlab.reactor.fluid2d.model import solve_fluid2d

    c0, t0 = time.process_time(), time.perf_counter()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        res = solve_fluid2d(recipe(name))
    row = {"name": name, "mesh": list(res.setup.mesh.shape), "ion_flux": res.ion_flux, "steps": res.iterations,
           "fallback_steps": len(res.ion_flux_fallback), "cpu_s": time.process_time() - c0,
           "wall_s": time.perf_counter() - t0, "load": os.getloadavg()[0], "commit": harness.commit(),
           "history": [float(h) for h in res.residual_history], "warnings": [str(x.message)[:300] for x in w],
           **wafer_quantities(res)}
    rows = json.loads(RAW.read_text()) if RAW.is_file() else []
    RAW.write_text(json.dumps([x for x in rows if x["name"] != name] + [row], indent=1))
    print(name, row["ion_flux"], row["steps"], f"{row['cpu_s']:.0f} s CPU", f"{row['ion_centre']:.4g}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
