"""Ion beam etching of a masked Si trench at 35° tilt: waferlab ``ion_beam`` side by side
with ViennaPS ``IonBeamEtching`` (the geometry of the peer's ionBeamEtching example).

Same parameters in both codes: grid h, extent 10 µm (reflective), a 5 µm trench through a
1 µm mask and 1 µm into Si, beam tilt 35° (in the x–vertical plane), cosⁿ divergence
n = 100, 100 ± 10 eV, E_th 10 eV, yield Y(θ) = (1.075 c − 1.55 c² + 0.65 c³)/0.175
(c = cos θ; peak 1.33 near 60°), sticking 1 below 70° falling to 0 at 90°, coned
reflection (min angle 85°) with the peer's energy-loss law, mask not etched, no
redeposition, 2 min, 300 rays per point, 2 threads; time step: the surface moves at most
h/2 per step in both codes (waferlab ``cfl: 0.5``, the peer's default time-step ratio).
Rates: the peer's plane-wafer rate is the flat-wafer rate at the beam's tilt (1 µm/min);
waferlab's ``rates`` is the normal-beam rate, so Si: 1/(cos 35° · Y(35°)) µm/min gives
the same flat rate.
Also a flat wafer at 60° tilt in both codes (the rate normalisation).

Run: OMP_WAIT_POLICY=passive python bench/bench_ion_beam.py [--traced] [--out NAME.md]
Writes bench/results/ion_beam.md (or NAME.md; stamped with the commit).  waferlab runs
its default, the direct first-hit flux (``direct: true``); ``--traced`` adds the whole
beam by Monte Carlo (``direct: false``) as a third code in the same launch.

``--flat``: the flat-wafer rate at 60° against the exact value (``flat_exact``: the
model's yield averaged over the beam's cosⁿ cone, projected onto the plane in 2D as both
codes do, and over the energy spread), both codes over seeds and ray counts, after one
time step (``FLAT_SHORT`` min: the plane still flat) and after the full time (the
surface roughens under the oblique beam, and the reflective side walls shape its ends).
Writes bench/results/ion_beam_flat.md.

``--reference``: both codes' walls and opening at h 0.1 / 0.05 µm against the h → 0
limit of bench_ion_beam_ref.py (bench/results/ion_beam_ref_s15.md); writes
bench/results/ion_beam_s15_ref_cmp.md.
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import math  # noqa: E402
import os  # noqa: E402

import numpy as np  # noqa: E402

OUT = harness.RESULTS / "ion_beam.md"
EXTENT, WIDTH, MASK, PRE, TIME = 10.0, 5.0, 1.0, 1.0, 2.0     # µm, µm, µm, µm, min
TILT, EXPONENT, E0, SIG, ETH, RPP = 35.0, 100.0, 100.0, 10.0, 10.0, 300
A = (1.075, -1.55, 0.65, 0.0)


def yield_cos4(c: float) -> float:
    return (A[0] * c + A[1] * c ** 2 + A[2] * c ** 3 + A[3] * c ** 4) / sum(A)


FLAT_TILT, FLAT_SHORT, FLAT_SEEDS = 60.0, 0.04, 5


def flat_exact(tilt: float, minutes: float, n: int = 4_000_000, seed: int = 0
               ) -> tuple[float, float]:
    """(depth µm, its relative standard error) of a flat wafer after ``minutes`` under the
    bench's beam (plane-wafer rate 1 µm/min at ``tilt``): minutes · ⟨Y(θ)⟩/Y(tilt) ·
    ⟨g(E)⟩/g(E₀), θ over n directions of the cosⁿ cone about the beam axis, projected
    onto the (x, vertical) plane (2D), g = √E − √E_th over the Gaussian energies."""
    from waferlab.feature.ion_beam import Beam

    rng = np.random.default_rng(seed)
    a = math.radians(tilt)
    axis, e1 = np.array([math.sin(a), -math.cos(a)]), np.array([math.cos(a), math.sin(a)])
    ct = (1.0 - rng.random(n)) ** (1.0 / (EXPONENT + 1.0))
    st = np.sqrt(1.0 - ct * ct)
    d = (st * np.cos(2.0 * np.pi * rng.random(n)))[:, None] * e1 + ct[:, None] * axis
    d[d[:, 1] >= 0] *= -1.0                   # (the y component drops out of the projection)
    c = -d[:, 1] / np.linalg.norm(d, axis=1)
    y = yield_cos4(c) / yield_cos4(math.cos(a))
    b = Beam(energy_eV=E0, energy_sigma_eV=SIG, threshold_eV=ETH)
    return minutes * float(y.mean()) * b.mean_g() / b.g(E0), float(y.std() / y.mean()) / math.sqrt(n)


def measure(xz: np.ndarray) -> dict:
    """Depth below the Si top (z = 0) at the centre and the trench floor's lowest point,
    the Si opening at z = −0.5 µm (lit right wall − shadowed left wall), µm."""
    x, z = xz[:, 0], xz[:, -1]
    centre = np.abs(x) < 0.25
    out = {"depth": -float(np.mean(z[centre])), "lowest": -float(z[np.abs(x) < 2.0].min())}
    sel = np.abs(z + 0.5) < 0.06
    xr, xl = x[sel & (x > 0)], x[sel & (x < 0)]
    out["cd"] = float(xr.mean() - xl.mean()) if xr.size and xl.size else float("nan")
    out["xl"] = float(xl.mean()) if xl.size else float("nan")
    out["xr"] = float(xr.mean()) if xr.size else float("nan")
    return out


def run_waferlab(dim: int, h: float, flat: bool = False, tilt: float = TILT,
                 rotating: bool = False, minutes: float = TIME, rays: int = RPP,
                 seed: int = 1, direct: bool = True, scheme: str | None = None) -> dict:
    from waferlab.context import RunContext
    from waferlab.feature.extract import extract_surface
    from waferlab.recipe import recipe_from_dict

    rate = 1.0 / (math.cos(math.radians(tilt)) * yield_cos4(math.cos(math.radians(tilt))))
    ext = [f"{EXTENT} um"]
    struct = ({"substrate": {"material": "Si"}} if flat else
              {"substrate": {"material": "Si"},
               "layers": [{"material": "Mask", "thickness": f"{MASK} um"}],
               "feature": {"type": "trench", "width": f"{WIDTH} um",
                           "depth": f"{MASK + PRE} um"}})
    data = {"name": "ibe", "seed": 1,
            "grid": {"dimension": 2, "spacing": f"{h} um", "extent": ext,
                     "boundary": "reflective"},
            "structure": struct,
            "steps": [{"etch": {"model": "ion_beam", "rates": {"Si": f"{rate} um/min"},
                                "tilt": f"{tilt} deg", "rotating": rotating,
                                "exponent": EXPONENT, "energy": f"{E0} eV",
                                "energy_sigma": f"{SIG} eV", "threshold": f"{ETH} eV",
                                "yield_coefficients": list(A), "rays_per_point": rays,
                                "direct": direct, "cfl": 0.5, "time": f"{minutes} min"}}]}
    if scheme is not None:
        data["steps"][0]["etch"]["scheme"] = scheme
    r = recipe_from_dict(data)
    ctx = RunContext(seed=seed, threads=2)
    w = harness.extruded_wafer(r, dim, 4 * h * 1e-6)
    for st in r.steps:
        w = st.apply(w, ctx)
    xz = extract_surface(w.geometry).centroids * 1e6
    if flat:
        return {"depth": -float(np.mean(xz[:, -1]))}
    xz[:, -1] += PRE          # the initial Si floor (z = −PRE) as the origin
    return measure(xz)


def run_viennaps(dim: int, h: float, flat: bool = False, tilt: float = TILT,
                 minutes: float = TIME, rays: int = RPP) -> dict:
    import viennaps as ps

    ps.setDimension(dim)
    ps.setNumThreads(2)
    ps.Logger.setLogLevel(ps.LogLevel.ERROR)
    d = ps.Domain(gridDelta=h, xExtent=EXTENT, yExtent=4 * h if dim == 3 else EXTENT)
    if flat:
        ps.MakePlane(d, 0.0, ps.Material.Si).apply()
    else:
        ps.MakeTrench(domain=d, trenchWidth=WIDTH, trenchDepth=PRE, maskHeight=MASK).apply()
        n0 = np.asarray(d.getSurfaceMesh().getNodes())
        floor = float(n0[np.abs(n0[:, 0]) < 0.25, dim - 1].min())
    p = ps.IonBeamEtching.defaultParameters()
    p.tiltAngle, p.exponent = tilt, EXPONENT
    p.meanEnergy, p.sigmaEnergy, p.thresholdEnergy = E0, SIG, ETH
    p.planeWaferRate = 1.0
    p.cos4Yield.a1, p.cos4Yield.a2, p.cos4Yield.a3, p.cos4Yield.a4 = A
    p.cos4Yield.isDefined = True
    model = ps.IonBeamEtching(parameters=p, maskMaterials=[ps.Material.Mask])
    direction = [0.0, 0.0, 0.0]
    direction[0] = math.sin(math.radians(tilt))
    direction[dim - 1] = -math.cos(math.radians(tilt))
    model.setPrimaryDirection(direction)
    harness.peer_process(ps, d, model, minutes, rays)
    xz = np.asarray(d.getSurfaceMesh().getNodes())[:, [0, dim - 1]]
    if flat:
        return {"depth": -float(np.mean(xz[:, -1]))}
    xz[:, -1] -= floor        # the initial Si floor as the origin
    return measure(xz)


def run_waferlab_traced(*args) -> dict:
    """waferlab with ``direct: false`` (the whole beam by Monte Carlo, as before session 14)."""
    return run_waferlab(*args, direct=False)


def run_waferlab_eo(*args) -> dict:
    """waferlab with ``scheme: eo`` (the sub-steps in one Runge–Kutta stage, on the
    first-order band; the default WENO5's later stages copy the sub-stepped result)."""
    return run_waferlab(*args, scheme="eo")


def run_waferlab_nosub(*args) -> dict:
    """waferlab without the beam sub-steps (``ion_beam.SUBSTEP = 0``: before session 16 in
    2D, before session 17 in 3D)."""
    from waferlab.feature import ion_beam as IB
    keep = IB.SUBSTEP
    IB.SUBSTEP = 0.0
    try:
        return run_waferlab(*args)
    finally:
        IB.SUBSTEP = keep


CODES = (("waferlab", run_waferlab), ("ViennaPS 4.7", run_viennaps))
TRACED = ("waferlab, direct: false", run_waferlab_traced)
NOSUB = ("waferlab, no sub-steps", run_waferlab_nosub)
EO = ("waferlab, eo", run_waferlab_eo)
REF_XL, REF_XR, REF_CD = -1.0345, 3.5463, 4.5833    # bench/results/ion_beam_ref_s15.md, h → 0


def _row(case, name, m, wall, cpu) -> str:
    dim, h, flat = case[:3]
    if flat:    # the rate normalisation: a flat wafer at 60° (1 µm/min × ⟨g⟩/g(E0))
        return (f"| 2D flat, tilt 60° | {h:g} | {name} | {m['depth']:.4f} | – | – | "
                f"{wall:.1f} | {cpu:.1f} |")
    return (f"| {dim}D trench | {h:g} | {name} | {m['depth']:.4f} | {m['lowest']:.4f} | "
            f"{m['cd']:.4f} ({m['xl']:.4f} … {m['xr']:.4f}) | {wall:.1f} | {cpu:.1f} |")


def flat_main() -> None:
    """The flat-wafer rate at 60° over seeds and ray counts (module docstring)."""
    import time
    load0 = os.getloadavg()[0]
    run_waferlab(2, 0.2)                                  # numba warm-up
    rows = []
    for minutes in (FLAT_SHORT, TIME):
        ref, ref_se = flat_exact(FLAT_TILT, minutes)
        rows.append(f"| {minutes:g} | exact | | {ref:.5f} | ± {100 * ref_se:.3f} % | | |")
        for rays in (RPP, 10 * RPP):
            for name in ("waferlab", "ViennaPS 4.7"):
                vals, cpus = [], []
                for s in range(1, FLAT_SEEDS + 1):       # ViennaPS seeds itself per launch
                    c0 = time.process_time()
                    m = (run_waferlab(2, 0.1, True, FLAT_TILT, minutes=minutes, rays=rays, seed=s)
                         if name == "waferlab" else
                         run_viennaps(2, 0.1, True, FLAT_TILT, minutes=minutes, rays=rays))
                    cpus.append(time.process_time() - c0)
                    vals.append(m["depth"])
                v = 100 * (np.array(vals) / ref - 1)
                sem = v.std(ddof=1) / math.sqrt(v.size)
                rows.append(f"| {minutes:g} | {name} | {rays} | {np.mean(vals):.5f} | "
                            f"{v.mean():+.3f} ± {sem:.3f} % | {v.std(ddof=1):.3f} % | "
                            f"{np.median(cpus):.1f} |")
                print(rows[-1], flush=True)
    load = os.getloadavg()[0]
    text = ["## Ion beam: flat-wafer rate at 60° tilt against the exact yield average", "",
            f"`python bench/bench_ion_beam.py --flat`. Flat Si, extent {EXTENT} µm "
            f"(reflective), h 0.1 µm, tilt {FLAT_TILT:g}°, n = {EXPONENT:g}, {E0:g} ± {SIG:g} "
            f"eV, E_th {ETH:g} eV, the bench's cos⁴ yield, plane-wafer rate 1 µm/min at the "
            f"tilt; {FLAT_SEEDS} runs per row (waferlab seeds 1…{FLAT_SEEDS}, ViennaPS seeds "
            f"itself), 2 threads.  Exact: `flat_exact` (4·10⁶ directions; its standard "
            f"error in the row).  Deviation: mean over the runs ± the standard error of the "
            f"mean; sd: one run's spread.  {FLAT_SHORT:g} min is one time step (the plane "
            f"still flat); {TIME:g} min is the trench bench's time.  CPU: median per run "
            f"(s).  Load average {load0:.1f} at the start, {load:.1f} at the end.", "",
            "| time (min) | code | rays/point | depth (µm) | vs exact | sd of a run | CPU (s) |",
            "|---|---|---|---|---|---|---|", *rows, ""]
    out = harness.RESULTS / "ion_beam_flat.md"
    harness.write_text(out, "\n".join(text))
    print(f"wrote {out}")


def accuracy_main() -> None:
    """The direct first-hit flux against the traced beam at 300 and 3000 rays (the exact
    mean of the model at this grid) and against itself with a 4× finer quadrature
    (256 in-plane directions, 4 points per element): 2D trench, h 0.1 and 0.05 µm."""
    import time

    import waferlab.feature.ion_beam as IB

    load0 = os.getloadavg()[0]
    run_waferlab(2, 0.2)
    run_waferlab(2, 0.2, direct=False)
    rows = []
    for h in (0.1, 0.05):
        runs = [("direct (default: 64 directions, 2 points/element)", {}, None),
                ("direct, 256 directions, 4 points/element", {}, (256, 4)),
                *[(f"traced, 300 rays, seed {s}", {"direct": False, "seed": s}, None)
                  for s in (1, 2, 3)],
                ("traced, 3000 rays, seed 1", {"direct": False, "rays": 3000}, None)]
        for label, kw, quad in runs:
            saved = IB._K_INPLANE, IB._S_2D, IB._MAX_CASTS
            if quad is not None:
                IB._K_INPLANE, IB._S_2D, IB._MAX_CASTS = quad[0], quad[1], 1e9
            c0 = time.process_time()
            m = run_waferlab(2, h, **kw)
            cpu = time.process_time() - c0
            IB._K_INPLANE, IB._S_2D, IB._MAX_CASTS = saved
            rows.append(f"| {h:g} | {label} | {m['depth']:.4f} | {m['lowest']:.4f} | "
                        f"{m['cd']:.4f} | {cpu:.1f} |")
            print(rows[-1], flush=True)
    load = os.getloadavg()[0]
    text = ["## Ion beam trench (35°): the direct first-hit flux against the traced beam", "",
            "`python bench/bench_ion_beam.py --accuracy`: the bench's 2D trench (300 rays/point "
            "unless stated), waferlab only; traced = `direct: false` (the whole beam by Monte "
            "Carlo); the traced beam at 3000 rays stands for the model's exact mean at this grid. "
            f"CPU: process time (s), 2 threads. Load average {load0:.1f} at the start, "
            f"{load:.1f} at the end.", "",
            "| h (µm) | run | depth (µm) | lowest (µm) | opening (µm) | CPU (s) |",
            "|---|---|---|---|---|---|", *rows, ""]
    out = harness.RESULTS / "ion_beam_direct_s14.md"
    harness.write_text(out, "\n".join(text))
    print(f"wrote {out}")


def reference_main() -> None:
    """Both codes' walls and opening at h 0.1 and 0.05 µm against the independent
    reference of bench_ion_beam_ref.py (its h → 0 limit, read from
    bench/results/ion_beam_ref_s15.md): x of the shadowed left and the lit right wall at
    0.5 µm below the initial floor, in µm and in h.  Writes ion_beam_s15_ref_cmp.md."""
    import re
    import time

    ref_text = (harness.RESULTS / "ion_beam_ref_s15.md").read_text(encoding="utf-8")
    row = next(ln for ln in ref_text.splitlines() if ln.startswith("| → 0"))
    vals = [float(v) for v in re.findall(r"\| (-?[0-9.]+) \(p", row)]
    ref = dict(zip(("xl", "xr", "cd", "depth", "lowest"), vals))
    load0 = os.getloadavg()[0]
    run_waferlab(2, 0.2)
    rows = [f"| reference (h → 0) | | {ref['xl']:.4f} | {ref['xr']:.4f} | {ref['cd']:.4f} | "
            f"| | | {ref['depth']:.4f} | |"]
    for h in (0.1, 0.05):
        for name, fn in CODES:
            c0 = time.process_time()
            m = fn(2, h)
            cpu = time.process_time() - c0
            d = {k: (m[k] - ref[k]) / h for k in ("xl", "xr", "cd")}
            rows.append(f"| {name} | {h:g} | {m['xl']:.4f} | {m['xr']:.4f} | {m['cd']:.4f} | "
                        f"{d['xl']:+.2f} | {d['xr']:+.2f} | {d['cd']:+.2f} | {m['depth']:.4f} | "
                        f"{cpu:.1f} |")
            print(rows[-1], flush=True)
    load = os.getloadavg()[0]
    text = ["## Ion beam trench (35°): both codes against the independent reference", "",
            "`python bench/bench_ion_beam.py --reference`: the bench's 2D trench, x of the "
            "shadowed left wall and the lit (undercut) right wall 0.5 µm below the initial "
            "floor (the bench's `measure`), and their difference from the h → 0 limit of "
            "bench/results/ion_beam_ref_s15.md in units of h (the reference leaves out "
            "reflected ions: they move waferlab's right wall by +0.010 / +0.002 µm at h 0.1 "
            f"/ 0.05 µm).  CPU (s), 2 threads; load average {load0:.1f} at the start, "
            f"{load:.1f} at the end.", "",
            "| code | h (µm) | x_left | x_right | opening | left (h) | right (h) | opening (h) "
            "| depth | CPU (s) |", "|---|---|---|---|---|---|---|---|---|---|", *rows, ""]
    out = harness.RESULTS / "ion_beam_s15_ref_cmp.md"
    harness.write_text(out, "\n".join(text))
    print(f"wrote {out}")


def main() -> None:
    import sys
    if "--reference" in sys.argv[1:]:
        reference_main()
        return
    if "--flat" in sys.argv[1:]:
        flat_main()
        return
    if "--accuracy" in sys.argv[1:]:
        accuracy_main()
        return
    out = OUT
    if "--out" in sys.argv[1:]:
        out = harness.RESULTS / sys.argv[sys.argv.index("--out") + 1]
    codes = (*CODES, TRACED) if "--traced" in sys.argv[1:] else CODES
    if "--nosub" in sys.argv[1:]:        # the default without sub-steps, same launch
        codes = (*codes, NOSUB)
    if "--eo" in sys.argv[1:]:           # the sub-steps in one stage (eo), same launch
        codes = (*codes, EO)
    load0 = os.getloadavg()[0]
    run_waferlab(2, 0.2)                                  # numba warm-up
    run_waferlab(3, 0.2)
    if "--traced" in sys.argv[1:]:
        run_waferlab_traced(2, 0.2)
        run_waferlab_traced(3, 0.2)
    cases = [(2, 0.1, True, 60.0), (2, 0.1, False, TILT), (2, 0.05, False, TILT),
             (3, 0.1, False, TILT)]
    res = harness.side_by_side(cases, codes, _row)
    rows = [_row(c, name, *v) for (c, name), v in res.items()]
    notes = []
    for c in cases[1:]:
        (a, wa, ca), (b, wb, cb) = res[(c, "waferlab")], res[(c, "ViennaPS 4.7")]
        dim, h = c[:2]
        notes.append(f"{dim}D h = {h:g} µm: depth {100 * (a['depth'] / b['depth'] - 1):+.2f} %, "
                     f"lowest point {100 * (a['lowest'] / b['lowest'] - 1):+.2f} %, opening "
                     f"{(a['cd'] - b['cd']) / h:+.2f} h; wall-time ratio {wa / wb:.2f} "
                     f"(CPU {ca / cb:.2f}).")
        notes.append(f"  against the divergent-beam reference (h → 0; first hits only): "
                     f"x_left {(a['xl'] - REF_XL) / h:+.2f} h, x_right {(a['xr'] - REF_XR) / h:+.2f} h, "
                     f"opening {(a['cd'] - REF_CD) / h:+.2f} h ({a['cd'] - REF_CD:+.4f} µm); the peer "
                     f"{(b['cd'] - REF_CD) / h:+.2f} h.")
        for extra in (EO, NOSUB):
            if (c, extra[0]) in res:
                e, we, ce = res[(c, extra[0])]
                notes.append(f"  {extra[0]} (same launch): depth {100 * (e['depth'] / b['depth'] - 1):+.2f} %, "
                             f"opening {(e['cd'] - b['cd']) / h:+.2f} h vs the peer, "
                             f"{(e['cd'] - REF_CD) / h:+.2f} h vs the reference; CPU {ce:.2f} s, "
                             f"ratio {ce / cb:.2f}; the default's CPU / this one's {ca / ce:.2f}.")
        if (c, TRACED[0]) in res:
            t, wt, ct = res[(c, TRACED[0])]
            notes.append(f"  direct: false (traced beam) in the same launch: depth "
                         f"{100 * (t['depth'] / b['depth'] - 1):+.2f} %, opening "
                         f"{(t['cd'] - b['cd']) / h:+.2f} h; CPU {ct:.1f} s, ratio {ct / cb:.2f}; "
                         f"the default's CPU / the traced one's {ca / ct:.2f}.")
    load = os.getloadavg()[0]
    text = ["## Ion beam etching, masked Si trench at 35° tilt (waferlab vs ViennaPS)", "",
            f"Extent {EXTENT} µm, trench {WIDTH} µm through a {MASK} µm "
            f"mask and {PRE} µm into Si, tilt {TILT:g}°, n = {EXPONENT:g}, {E0:g} ± {SIG:g} eV, "
            f"E_th {ETH:g} eV, cos⁴ yield a = {list(A)}, {RPP} rays/point, {TIME:g} min, "
            f"flat-wafer rate at the tilt 1 µm/min, 2 threads, one launch, interleaved "
            f"(waferlab after a numba warm-up run); wall and CPU (process time, all "
            f"threads) of each run; load average {load0:.1f} at the start, {load:.1f} at the "
            f"end on 2 cores. Depth: below the initial floor at the centre; lowest: "
            "the floor's lowest point; opening: Si width at 0.5 µm below the initial floor. "
            "3D: the trench extruded along y (4 spacings). waferlab: its default, the beam's "
            "first hits without Monte Carlo noise (`direct: true`); `waferlab, direct: false`: "
            "the whole beam traced (before session 14).", "",
            "| case | h (µm) | code | depth (µm) | lowest (µm) | opening (µm) | wall (s) | "
            "CPU (s) |", "|---|---|---|---|---|---|---|---|", *rows, "", *notes, ""]
    text[2] = text[2] + (" Opening column: width (x_left … x_right). `waferlab, eo`: the "
                         "sub-steps under the one-stage scheme; `waferlab, no sub-steps`: "
                         "ion_beam.SUBSTEP = 0.")
    harness.write_text(out, "\n".join(text))
    print("\n".join(notes))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
