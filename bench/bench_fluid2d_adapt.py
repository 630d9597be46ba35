"""SF6/O2 wafer fluxes on the adaptive z grading (``mesh.adapt: true``, experimental, off by
default) against the converged value of the fixed-grading families (bench_fluid2d_mesh.py).

Case: the Kokkoris et al. (J. Phys. D 42, 055209, 2009) chamber with gas heating (``sf6heat`` of
bench_fluid2d_mesh.py), the mesh given by nr × nz and ``adapt: true`` (every other mesh key at its default:
coarse stage nr/2 × nz/2, 0.5 mm wafer cell, growth ≤ 1.5).  Per mesh: CPU (time.process_time)
and wall time, load, the coarse stage's steps, the adapted mesh's steps, the wafer cell and the
largest z cell, the centre / edge / average ion and F fluxes (wafer_quantities of
bench_fluid2d_mesh.py), the sheath-edge check (first-face excess, largest potential step in T_i),
the element balance, the wafer non-uniformities; against the converged centre ion flux
4.2e18 ± 0.5e18 and F flux 5.42e21 (session 10, docs/reactor.md).

Run:  python bench/bench_fluid2d_adapt.py run NR NZ   (appends to bench/results/fluid2d_adapt.json)
      python bench/bench_fluid2d_adapt.py report      (writes bench/results/fluid2d_adapt.md)
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

from bench_fluid2d_mesh import spec, wafer_quantities  # noqa: E402

RAW = harness.RESULTS / "fluid2d_adapt.json"
# Converged centre fluxes of session 10 (0.5 mm wafer-cell family, Richardson, r part added).
ION_CONVERGED, ION_BAND = 4.2e18, 0.5e18
F_CONVERGED = 5.42e21


def run(nr: int, nz: int) -> None:
    from waferlab.reactor.fluid2d.model import solve_fluid2d

    t0, c0 = time.perf_counter(), time.process_time()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = solve_fluid2d(spec("sf6heat_adapt", nr, nz))
    m = r.setup.mesh
    row = {"nr": nr, "nz": nz, "cpu": time.process_time() - c0, "wall": time.perf_counter() - t0,
           "load": os.getloadavg()[0], "steps": r.iterations, "stages": [(s["mesh"], s["steps"]) for s in r.stages],
           **wafer_quantities(r), "eb": r.element_balance, "ps": r.potential_steps,
           "dz_mm": (m.dz * 1e3).round(3).tolist(), "hist": [f"{h:.1e}" for h in r.residual_history],
           "warn": [str(x.message)[:200] for x in w], "commit": harness.commit()}
    rows = json.loads(RAW.read_text()) if RAW.is_file() else []
    rows = [x for x in rows if not (x["nr"] == nr and x["nz"] == nz)] + [row]
    RAW.write_text(json.dumps(rows, indent=1))
    print(nr, nz, f"{row['cpu']:.0f} s CPU", row["steps"], "steps", flush=True)


def report() -> None:
    allrows = sorted(json.loads(RAW.read_text()), key=lambda x: (x["nr"], x["nz"]))
    rows = [x for x in allrows if "failed" not in x]
    lines = ["## fluid2d: SF6/O2 wafer fluxes on the adaptive z grading (mesh.adapt)", "",
             " ".join(__doc__.split("\n\n")[1].split()), "",
             "| mesh | coarse stage: steps | steps | CPU s | wall s | load | wafer / largest z cell mm | ion_centre "
             "| − converged | F_centre | − converged | ion edge/centre | F edge/centre | first-face excess | "
             "largest step T_i | element balance (max) |", "|---" * 16 + "|"]
    for x in rows:
        st = "; ".join(f"{a[0]} × {a[1]}: {n}" for a, n in x["stages"])
        lines.append(
            f"| {x['nr']} × {x['nz']} | {st} | {x['steps']} | {x['cpu']:.0f} | {x['wall']:.0f} | {x['load']:.1f} | "
            f"{x['dz_mm'][0]:.2f} / {max(x['dz_mm']):.1f} | {x['ion_centre']:.3e} | "
            f"{(x['ion_centre'] / ION_CONVERGED - 1) * 100:+.0f} % | {x['F_centre']:.3e} | "
            f"{(x['F_centre'] / F_CONVERGED - 1) * 100:+.1f} % | {x['ion_edge'] / x['ion_centre']:.3f} | "
            f"{x['F_edge'] / x['F_centre']:.3f} | {x['ps']['wafer_face_excess'] * 100:+.0f} % | {x['ps']['max']:.1f} | "
            f"{max(abs(v) for v in x['eb'].values()):.1e} |")
    lines.append("")
    lines.append(f"Converged centre ion flux {ION_CONVERGED:.2e} ± {ION_BAND:.1e} m⁻²s⁻¹ "
                 f"(±{ION_BAND / ION_CONVERGED:.0%}); centre F flux {F_CONVERGED:.3e} m⁻²s⁻¹ (session 10).")
    lines.append("")
    for x in allrows:
        if "failed" in x:
            lines += [f"Not converged, {x['nr']} × {x['nz']} (commit {x['commit']}): {x['failed']}", ""]
    for x in rows:
        lines.append(f"Adapted z cells (mm) {x['nr']} × {x['nz']}: " + ", ".join(f"{d:.2f}" for d in x["dz_mm"]))
        lines.append("")
        lines.append(f"Residual history {x['nr']} × {x['nz']} (adapted mesh): " + ", ".join(x["hist"]))
        lines.append("")
    commits = sorted({x["commit"] for x in allrows})
    lines.append(f"Commits of the runs: {', '.join(commits)}.")
    harness.write_text(harness.RESULTS / "fluid2d_adapt.md", "\n".join(lines))


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(int(sys.argv[2]), int(sys.argv[3]))
    else:
        report()
