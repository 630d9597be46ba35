"""The etch rate at the bottom of a straight hole for ``hbro2`` / ``cf4o2``: waferlab and
ViennaPS against the exact reference (``waferlab.validation.coverage_hole``).

The 3D benchmark of these chemistries (bench_etch_chemistries.py: quarter hole r =
0.15 µm, mask 0.3 µm, 5 s) differs between the codes by more than its 2D trench does.
This isolates the transport on frozen geometries: the same hole, etched D_si into Si
below the mask with straight walls and a flat bottom (the peer's ``MakeHole(...,
holeDepth=D_si, maskHeight=0.3, QUARTER)``, waferlab's quarter hole of the same size),
each model's defaults (= the peer's).  Recorded: the speed of the bottom, r < 0.05 µm:

- exact: radiosity with per-element coverages and sticking, the direct beam's hits on
  the exact cylinder, the reflected ions' share from ``validation.cylinder_ions``
  (``hbro2``: the peer's ion sticking and lobe; ``cf4o2``'s ions never stick, so only
  their first bottom hits are in the reference there);
- waferlab: ``element_rates`` on the level-set hole with coverages iterated 8 times;
- ViennaPS: the bottom's displacement over one short ``Process`` (its coverages are
  initialised with up to 10 iterations), divided by the time.

Run: OMP_WAIT_POLICY=passive python bench/bench_coverage_hole.py [--models hbro2 cf4o2]
     [--depths 0.14 0.28] [--spacings 0.02 0.015] [--rays 1000] [--repeat 2]
Writes bench/results/coverage_hole.md.
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import argparse  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

OUT = harness.RESULTS / "coverage_hole.md"
R, MASK, R_BOT, DT = 0.15, 0.3, 0.05, 0.05        # µm, µm, µm (bottom disk), s (peer step)


def _spec_model(model: str, materials=("Si", "Mask"), **kw):
    from waferlab.feature.registry import get_model_spec
    from waferlab.recipe_io import validate_section
    spec = validate_section(get_model_spec(model), {"model": model, **kw})
    return spec.build(kind="etch", materials=materials, target=None)


def exact(model: str, d_si: float) -> tuple[float, dict]:
    """(bottom speed µm/s, {quantity: value}) of the reference."""
    from waferlab.validation.coverage_hole import coverage_hole
    from waferlab.validation.cylinder_ions import bottom_yield
    m = _spec_model(model).model
    depth = MASK + d_si
    gain, gain_sd = 1.0, 0.0
    if model == "hbro2":
        # reflected ions: their share of the bottom's ion-enhanced yield (same sticking,
        # lobe and energy law as the model), relative to the direct beam there
        gain, gain_sd = bottom_yield(R, depth, r_max=R_BOT, exponent=m.beam.exponent)
    ref = coverage_hole(m, R * 1e-6, depth * 1e-6, MASK * 1e-6,
                        ion_bottom=gain if model == "hbro2" else None, ion_bottom_r=R_BOT * 1e-6)
    v = ref.bottom_mean(ref.speed, R_BOT * 1e-6) * 1e6
    info = {n: ref.bottom_mean(q, R_BOT * 1e-6) for n, q in ref.neutral.items()}
    info.update(ion=ref.bottom_mean(ref.ion, R_BOT * 1e-6), ion_gain_sd=gain_sd,
                flat=m.flat_speed("Si") * 1e6, iterations=ref.iterations)
    return v, info


def depth_reference(model: str, duration: float, d_grid) -> tuple[float, list]:
    """The depth etched into Si after ``duration`` (s) by a hole that stays straight with a
    flat bottom: dD/dt = v(D), v the exact bottom speed (``exact``) at the depths
    ``d_grid`` (µm, from 0), monotone cubic interpolation between them, classical RK4 in
    200 steps.  A quasi-static reference for the whole 3D process of
    bench_etch_chemistries.py (its CD stays within 0.02 µm of the mask's): it holds the
    transport and the balances exact and leaves out only the profile's departure from
    the straight hole.  Returns (depth µm, [(D, v µm/s)])."""
    from scipy.interpolate import PchipInterpolator
    table = [(float(d), -exact(model, float(d))[0]) for d in d_grid]
    f = PchipInterpolator([d for d, _ in table], [v for _, v in table], extrapolate=True)
    D, n = 0.0, 200
    dt = duration / n
    for _ in range(n):
        k1 = float(f(D))
        k2 = float(f(D + 0.5 * dt * k1))
        k3 = float(f(D + 0.5 * dt * k2))
        k4 = float(f(D + dt * k3))
        D += dt * (k1 + 2 * k2 + 2 * k3 + k4) / 6.0
    return D, table


def _bottom(xyz: np.ndarray) -> np.ndarray:
    r = np.hypot(xyz[:, 0], xyz[:, 1])
    z = xyz[:, 2]
    return (r < R_BOT) & (z < z.min() + 0.01)


def waferlab(model: str, d_si: float, h: float, rays: int, seed: int) -> tuple[float, dict]:
    from waferlab.context import RunContext
    from waferlab.feature.builders import feature_center
    from waferlab.feature.flux.models import surface_of
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer

    side = float(np.ceil(0.5 / h - 1e-9) * h)
    data = {"name": "hole", "seed": seed,
            "grid": {"dimension": 3, "spacing": f"{h!r} um", "extent": [f"{side!r} um"] * 2,
                     "boundary": "reflective"},
            "structure": {"substrate": {"material": "Si"},
                          "layers": [{"material": "Mask", "thickness": f"{MASK} um"}],
                          "feature": {"type": "hole", "radius": f"{R} um",
                                      "depth": f"{MASK + d_si!r} um", "symmetry": "quarter"}},
            "steps": []}
    w = initial_wafer(recipe_from_dict(data))
    surf = surface_of(w.geometry)
    tr = _spec_model(model, tuple(w.geometry.materials), rays_per_point=rays,
                     coverage_iterations=8, lagged_coverages=False)
    er = tr.element_rates(surf, RunContext(seed=seed, threads=2), ("probe",))
    c = feature_center(w.geometry.grid, "quarter")
    xyz = surf.centroids * 1e6
    xyz[:, 0] -= c[0] * 1e6
    xyz[:, 1] -= c[1] * 1e6
    sel = _bottom(xyz) & np.isfinite(er.velocity)
    a = surf.areas[sel]

    def mean(v):
        return float((np.asarray(v)[sel] * a).sum() / a.sum())
    neutrals = tr.model.chemistry.neutrals
    return mean(er.velocity) * 1e6, {n: mean(er.fields[n]) for n in neutrals if n in er.fields}


def _peer_hole(ps, d_si: float, h: float):
    d = ps.Domain(gridDelta=h, xExtent=1.0, yExtent=1.0)
    ps.MakeHole(domain=d, holeRadius=R, holeDepth=d_si, maskHeight=MASK,
                holeShape=ps.HoleShape.QUARTER).apply()
    return d


def _peer_model(ps, model: str):
    return (ps.HBrO2Etching(ps.HBrO2Etching.defaultParameters()) if model == "hbro2"
            else ps.CF4O2Etching(ps.CF4O2Parameters()))


def viennaps(model: str, d_si: float, h: float, rays: int) -> tuple[float, dict]:
    """(bottom speed over one short process, {flux label: bottom/top} of
    ``Process.calculateFlux`` on a fresh hole: its neutrals after its coverage passes)."""
    import viennaps as ps
    harness.peer_setup(ps, 3, "um")
    d = _peer_hole(ps, d_si, h)
    n0 = np.asarray(d.getSurfaceMesh(addInterfaces=False).getNodes())
    z0 = float(n0[_bottom(n0), 2].mean())
    harness.peer_process(ps, d, _peer_model(ps, model), DT, rays)
    n1 = np.asarray(d.getSurfaceMesh(addInterfaces=False).getNodes())
    r1 = np.hypot(n1[:, 0], n1[:, 1])
    z1 = float(n1[(r1 < R_BOT) & (n1[:, 2] < z0 + 0.005), 2].mean())
    proc = ps.Process(_peer_hole(ps, d_si, h), _peer_model(ps, model))
    proc.setProcessDuration(DT)
    rp = ps.RayTracingParameters()
    rp.raysPerPoint = rays
    proc.setParameters(rp)
    mesh = proc.calculateFlux()
    cd = mesh.getCellData()
    xyz = np.asarray(mesh.getNodes())
    r, z = np.hypot(xyz[:, 0], xyz[:, 1]), xyz[:, 2]
    bot, top = _bottom(xyz), (z > z.max() - 0.02) & (r > 0.35)
    flux = {}
    for i in range(cd.getScalarDataSize()):
        lab = cd.getScalarDataLabel(i)
        if lab.endswith("Flux") and not lab.startswith("ion"):
            f = np.asarray(cd.getScalarData(i))
            flux[lab] = float(f[bot].mean() / f[top].mean())
    return (z1 - z0) / DT, flux


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", nargs="+", default=["hbro2", "cf4o2"])
    ap.add_argument("--depths", nargs="+", type=float, default=[0.14, 0.28])
    ap.add_argument("--spacings", nargs="+", type=float, default=[0.02, 0.015])
    ap.add_argument("--rays", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=2, help="waferlab runs (seeds 1…N)")
    ap.add_argument("--peer-repeat", type=int, default=1, help="ViennaPS launches")
    ap.add_argument("--out", default=OUT.name, help="file name under bench/results")
    ap.add_argument("--no-peer", action="store_true")
    a = ap.parse_args()
    load0 = os.getloadavg()[0]
    rows, notes = [], []
    for model in a.models:
        for d_si in a.depths:
            c0 = time.process_time()
            v_ref, info = exact(model, d_si)
            rows.append(f"| {model} | {d_si:g} | exact | | {-v_ref:.5f} | | "
                        f"{time.process_time() - c0:.1f} |")
            notes.append(f"- {model}, D_si {d_si:g} µm, exact: open flat surface "
                         f"{-info['flat']:.5f} µm/s; bottom (r < {R_BOT} µm) relative fluxes "
                         + ", ".join(f"{k} {info[k]:.4f}" for k in _spec_model(model)
                                     .model.chemistry.neutrals)
                         + f", ions {info['ion']:.4f}"
                         + (f" (direct + reflected, ± {info['ion_gain_sd']:.4f})"
                            if model == "hbro2" else " (direct beam)")
                         + f"; {info['iterations']} fixed-point iterations.")
            print(rows[-1], flush=True)
            for h in a.spacings:
                case = (model, d_si, h, a.rays)
                codes = [("waferlab", lambda s, c=case: waferlab(*c, s))]
                if not a.no_peer:
                    codes.append(("ViennaPS 4.7", lambda s, c=case: viennaps(*c)))
                for name, fn in codes:
                    vs, cpus, fl = [], [], []
                    for s in range(1, (a.repeat if name == "waferlab" else a.peer_repeat) + 1):
                        c0 = time.process_time()
                        v, f = fn(s)
                        vs.append(-v)
                        fl.append(f)
                        cpus.append(time.process_time() - c0)
                    notes.append(f"- {model}, D_si {d_si:g} µm, {name}, h {h:g} µm: bottom "
                                 "relative neutral fluxes " + ", ".join(
                                     f"{k} {np.mean([f[k] for f in fl]):.4f}" for k in fl[0]))
                    print(notes[-1], flush=True)
                    dev = [100 * (v / -v_ref - 1) for v in vs]
                    rows.append(f"| {model} | {d_si:g} | {name} | {h:g} | {np.mean(vs):.5f} | "
                                f"{np.mean(dev):+.2f} % ({min(dev):+.2f} … {max(dev):+.2f}) | "
                                f"{np.median(cpus):.1f} |")
                    print(rows[-1], flush=True)
    load1 = os.getloadavg()[0]
    text = ["## hbro2 / cf4o2: bottom etch rate of a straight hole, both codes against the "
            "exact reference", "",
            f"Quarter hole r = {R} µm through a {MASK} µm mask, D_si into Si (straight walls, "
            f"flat bottom), each model's defaults (the peer's); {a.rays} rays per point, "
            f"2 threads; waferlab seeds 1…{a.repeat}, ViennaPS {a.peer_repeat} launch(es) "
            "(it seeds itself): the mean, and the range in brackets.  Speed of the bottom "
            f"r < {R_BOT} µm (µm/s, positive = etching); waferlab: element rates with "
            f"coverages iterated 8 times; ViennaPS: the bottom's displacement over a {DT} s "
            "process.  Exact: `waferlab.validation.coverage_hole` (module docstring).  CPU: "
            f"process time of the run (s).  Load average {load0:.1f} at the start, "
            f"{load1:.1f} at the end.", "",
            "| model | D_si (µm) | code | h (µm) | bottom speed (µm/s) | vs exact | CPU (s) |",
            "|---|---|---|---|---|---|---|", *rows, "", *notes, ""]
    out = harness.RESULTS / a.out
    harness.write_text(out, "\n".join(text))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
