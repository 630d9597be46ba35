"""The ion beam trench's lit undercut wall against an exact solution (issue #17, session 16):
a collimated beam, where the model's level-set equation has a closed-form answer.

Why: with the bench's divergent beam (bench_ion_beam.py, n = 100) both codes put the lit
(undercut) right wall 0.04–0.07 µm beyond the independent reference of
bench_ion_beam_ref.py at 0.5 µm below the initial floor, not closing with h.  This bench
settles whose answer is right on the same trench with a collimated beam (35°, no
reflections), where the answer is exact.

The exact solution (``exact_xr``).  Absolute coordinates (µm): Si below z = 0 with the
trench |x| < 2.5 to z = −1, fixed masks |x| > 2.5, 0 ≤ z ≤ 1.  A collimated beam along
d = (sin β, −cos β) reaches a point below z = 0 iff the point lies in the strip
L = {−2.5 + tan β (1 − z) < x < 2.5 − tan β z}; inside L the normal speed is
F(n) = C G(n·d), G(c) = c Y(c) (c > 0, else 0), C = ⟨g⟩/g(E₀) / (Y(cos β) cos β) (the
flat wafer at the tilt etches at ⟨g⟩/g(E₀) µm/min, the ``ion_beam`` module docstring);
outside L nothing moves, and the strip's sides are facets along d (F = 0).  The initial
void inside L, L ∩ {z > −1} ∩ {x < 2.5}, is convex and F does not depend on x there, so
Hopf's formula (the solution for convex data, any continuous H; Bardi & Evans, Nonlinear
Anal. 8, 1373, 1984) gives the void at time t as the intersection of the moved
supporting half-planes:

    void(t) = ∩_n { x·n ≤ h₀(n) + t F(n) },  n over the unit normals with n·d ≥ 0,

h₀ the support function of the initial void (its vertices (−2.5 + 2 tan β, −1),
(2.5, −1), (2.5, 0) and the recession direction −d).  This is Frank's kinematic
construction of eroded profiles (Barber et al., J. Mater. Sci. 8, 1030, 1973).  The lit
wall at depth z: x_r = min over n (n_x > 0) of (h₀(n) + t F(n) − z n_z)/n_x.  Near the
shadow line x_s = 2.5 + tan β |z| the binding facets are those from the mask's lower
corner at a small angle ε to the beam: x_s − x_r ≈ z² sec³β / (4 t C a₁/Σa) (the
yield's G ≈ (a₁/Σa) c² at grazing; ``test_ion_beam_wall``).

What is measured: the lit wall's x at z = −1.5 (the bench's ``measure``: 0.5 µm below
the initial floor) after 2 min, by (1) the independent reference solver (local
Lax–Friedrichs, ENO2 + Heun, bench_ion_beam_ref.py) with the collimated beam at
0.04 / 0.02 / 0.01 µm and its three-grid extrapolation, (2) both codes with the
collimated beam and no reflections (sticking 1 up to 89.99°) at 0.1 / 0.05 µm (waferlab
also 0.025), (3) waferlab with the engine's Lax–Friedrichs step (``normal_dependent``,
the speed at each node from its own normal; α = ``max_rate``) instead of its default
Engquist–Osher step on a speed extended from the surface elements, (4) the bench's
divergent beam (n = 100, reflections on) with both of waferlab's steps against the
reference's limit (bench/results/ion_beam_ref_s15.md).

Run: OMP_WAIT_POLICY=passive python bench/bench_ion_beam_wall.py  → bench/results/beamwall_s16.md
"""
from __future__ import annotations

import harness

harness.configure(threads=2)

import contextlib  # noqa: E402
import dataclasses  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import bench_ion_beam as IBB  # noqa: E402

HALF, MASK_TOP, FLOOR = 2.5, 1.0, -1.0        # µm: trench half-width, mask top, Si floor
Z_MEASURE, T_END = -1.5, 2.0                  # µm (absolute), min
REF_DIVERGENT_XR = 3.5463                     # bench/results/ion_beam_ref_s15.md, h → 0


def beam_constant(tilt_deg: float = IBB.TILT) -> float:
    """C of F(n) = C G(n·d) (µm/min): ⟨g⟩/g(E₀) / (Y(cos β) cos β)."""
    from waferlab.feature.ion_beam import Beam

    b = Beam(energy_eV=IBB.E0, energy_sigma_eV=IBB.SIG, threshold_eV=IBB.ETH)
    c = math.cos(math.radians(tilt_deg))
    return b.mean_g() / b.g(IBB.E0) / (IBB.yield_cos4(c) * c)


def _normals(tilt_deg: float, m: int):
    """Unit normals n (into Si) from the floor's (0, −1) to the shadow facet's
    (cos β, sin β), and c = n·d."""
    beta = math.radians(tilt_deg)
    phi = np.linspace(-0.5 * math.pi, beta, m)
    n = np.stack([np.cos(phi), np.sin(phi)], axis=1)
    c = n @ np.array([math.sin(beta), -math.cos(beta)])
    return n, np.clip(c, 0.0, 1.0)


def exact_xr(z: float, t: float, tilt_deg: float = IBB.TILT, m: int = 400_001) -> float:
    """x of the lit (right) wall at depth z < 0 (µm) after t min under the collimated
    beam: Hopf's formula (module docstring), minimised over m normals."""
    beta = math.radians(tilt_deg)
    tb = math.tan(beta)
    n, c = _normals(tilt_deg, m)
    verts = np.array([[-HALF + (MASK_TOP - FLOOR) * tb, FLOOR], [HALF, FLOOR], [HALF, 0.0]])
    h0 = (n @ verts.T).max(axis=1)
    g = np.where(c > 0.0, c * IBB.yield_cos4(c), 0.0)
    ok = n[:, 0] > 1e-12
    x = (h0 + t * beam_constant(tilt_deg) * g - z * n[:, 1])[ok] / n[ok, 0]
    return float(x.min())


def shadow_x(z: float, tilt_deg: float = IBB.TILT) -> float:
    """The right mask's shadow line at depth z < 0: 2.5 + tan β |z|."""
    return HALF + math.tan(math.radians(tilt_deg)) * abs(z)


@contextlib.contextmanager
def lax_friedrichs(alpha: float | None = None):
    """waferlab's ion beam stepped by the engine's Lax–Friedrichs scheme (the speed at each
    node from its own normal, α = ``max_rate``) instead of its Engquist–Osher default:
    the built transport with ``normal_dependent=True`` (a bench-only switch).  ``alpha``:
    α = alpha · R ⟨g⟩/g(E₀) (a tight bound: the direct flux's speed is at most
    R ⟨g⟩/g(E₀) max_c c Y(c) = R ⟨g⟩/g(E₀) for this yield) instead of ``max_rate``'s
    2 R Y_max g_max/g(E₀)."""
    from waferlab.feature import ion_beam as IB

    build, max_rate = IB.IonBeamSpec.build, IB.IonBeamEtch.max_rate

    def lf_build(self, **kw):
        return dataclasses.replace(build(self, **kw), normal_dependent=True, substep=0.0)

    def tight(self):
        b = self.beam
        return alpha * float(self._rate_vec.max()) * b.mean_g() / b.g(b.energy_eV)

    IB.IonBeamSpec.build = lf_build         # type: ignore[method-assign]
    if alpha is not None:
        IB.IonBeamEtch.max_rate = tight     # type: ignore[method-assign]
    try:
        yield
    finally:
        IB.IonBeamSpec.build = build        # type: ignore[method-assign]
        IB.IonBeamEtch.max_rate = max_rate  # type: ignore[method-assign]


def trench_recipe(h: float, exponent: float | None, reflections: bool,
                  cfl: float = 0.5) -> dict:
    """The bench's trench (bench_ion_beam.run_waferlab) with a collimated beam
    (``exponent`` None) and/or reflections off (sticking 1 up to 89.99°)."""
    tilt = IBB.TILT
    rate = 1.0 / (math.cos(math.radians(tilt)) * IBB.yield_cos4(math.cos(math.radians(tilt))))
    et = {"model": "ion_beam", "rates": {"Si": f"{rate} um/min"}, "tilt": f"{tilt} deg",
          "energy": f"{IBB.E0} eV", "energy_sigma": f"{IBB.SIG} eV",
          "threshold": f"{IBB.ETH} eV", "yield_coefficients": list(IBB.A),
          "rays_per_point": IBB.RPP, "direct": True, "cfl": cfl, "time": f"{IBB.TIME} min"}
    if exponent is not None:
        et["exponent"] = exponent
    if not reflections:
        et["theta_min"], et["theta_max"] = "89.99 deg", "90 deg"
    return {"name": "ibe", "seed": 1,
            "grid": {"dimension": 2, "spacing": f"{h} um", "extent": [f"{IBB.EXTENT} um"],
                     "boundary": "reflective"},
            "structure": {"substrate": {"material": "Si"},
                          "layers": [{"material": "Mask", "thickness": f"{IBB.MASK} um"}],
                          "feature": {"type": "trench", "width": f"{IBB.WIDTH} um",
                                      "depth": f"{IBB.MASK + IBB.PRE} um"}},
            "steps": [{"etch": et}]}


def run_waferlab(h: float, exponent: float | None = None, reflections: bool = False,
                 lf: bool = False, alpha: float | None = None, cfl: float = 0.5,
                 dim: int = 2, scheme: str | None = None, substep: float | None = None) -> dict:
    """waferlab on the trench (3D: extruded along y over 4 spacings); the bench's
    ``measure`` (x_left, x_right at z = −1.5).  ``scheme``: the step's ``scheme`` key
    (None: the model's default); ``substep``: ``ion_beam.SUBSTEP`` for this run."""
    from waferlab.context import RunContext
    from waferlab.feature import ion_beam as IB
    from waferlab.feature.extract import extract_surface
    from waferlab.recipe import recipe_from_dict

    data = trench_recipe(h, exponent, reflections, cfl)
    if scheme is not None:
        data["steps"][0]["etch"]["scheme"] = scheme
    keep = IB.SUBSTEP
    if substep is not None:
        IB.SUBSTEP = substep
    try:
        r = recipe_from_dict(data)
        w = harness.extruded_wafer(r, dim, 4 * h * 1e-6)
        with lax_friedrichs(alpha) if lf else contextlib.nullcontext():
            for st in r.steps:
                w = st.apply(w, RunContext(seed=1, threads=2))
    finally:
        IB.SUBSTEP = keep
    xz = extract_surface(w.geometry).centroids[:, [0, -1]] * 1e6
    xz[:, -1] += IBB.PRE
    return IBB.measure(xz)


def run_viennaps(h: float, exponent: float = 1e6, reflections: bool = False,
                 scheme: str | None = None) -> dict:
    """ViennaPS IonBeamEtching on the trench (bench_ion_beam.run_viennaps) with a
    near-collimated cosⁿ beam (n = 10⁶) and reflections off (thetaRMin 89.99°)."""
    import viennaps as ps

    ps.setDimension(2)
    ps.setNumThreads(2)
    ps.Logger.setLogLevel(ps.LogLevel.ERROR)
    d = ps.Domain(gridDelta=h, xExtent=IBB.EXTENT, yExtent=IBB.EXTENT)
    ps.MakeTrench(domain=d, trenchWidth=IBB.WIDTH, trenchDepth=IBB.PRE,
                  maskHeight=IBB.MASK).apply()
    n0 = np.asarray(d.getSurfaceMesh().getNodes())
    floor = float(n0[np.abs(n0[:, 0]) < 0.25, 1].min())
    p = ps.IonBeamEtching.defaultParameters()
    p.tiltAngle, p.exponent = IBB.TILT, exponent
    p.meanEnergy, p.sigmaEnergy, p.thresholdEnergy = IBB.E0, IBB.SIG, IBB.ETH
    p.planeWaferRate = 1.0
    p.cos4Yield.a1, p.cos4Yield.a2, p.cos4Yield.a3, p.cos4Yield.a4 = IBB.A
    p.cos4Yield.isDefined = True
    if not reflections:
        p.thetaRMin, p.thetaRMax = 89.99, 90.0
    model = ps.IonBeamEtching(parameters=p, maskMaterials=[ps.Material.Mask])
    model.setPrimaryDirection([math.sin(math.radians(IBB.TILT)),
                               -math.cos(math.radians(IBB.TILT)), 0.0])
    extra = []
    if scheme is not None:                 # the peer's spatial scheme (default EO 1st order)
        ap = ps.AdvectionParameters()
        ap.spatialScheme = getattr(ps.SpatialScheme, scheme)
        extra.append(ap)
    harness.peer_process(ps, d, model, IBB.TIME, IBB.RPP, *extra)
    xz = np.asarray(d.getSurfaceMesh().getNodes())[:, [0, 1]]
    xz[:, -1] -= floor
    return IBB.measure(xz)


def reference_collimated(hs=(0.04, 0.02, 0.01)) -> list[tuple[float, dict, float]]:
    """bench_ion_beam_ref.solve with a collimated beam (one stratum, n = 10⁷)."""
    import bench_ion_beam_ref as R

    saved = R.N_EXP
    R.N_EXP = 1e7
    out = []
    try:
        for h in hs:
            c0 = time.process_time()
            r = R.solve(h, k=1)
            out.append((h, r, time.process_time() - c0))
            print(f"reference h {h}: xr {r['xr']:.4f}", flush=True)
    finally:
        R.N_EXP = saved
    return out


def tight_main() -> None:
    """``--tight``: waferlab's default step against the Lax–Friedrichs step with the tight
    α = 1.3 R ⟨g⟩/g(E₀), same launch, both walls: collimated (against the exact wall; the
    exact shadowed left wall is the left mask's shadow line, x = −0.7491) and the bench's
    divergent beam (against the reference's limits x_left −1.0345, x_right 3.5463)."""
    load0 = os.getloadavg()[0]
    xe, xle = exact_xr(Z_MEASURE, T_END), -HALF + math.tan(math.radians(IBB.TILT)) * (MASK_TOP - Z_MEASURE)
    run_waferlab(0.2)
    rows = []
    for h in (0.1, 0.05):
        for exp, refl, (rl, rr) in ((None, False, (xle, xe)), (IBB.EXPONENT, True, (-1.0345, REF_DIVERGENT_XR))):
            for name, kw in (("default (EO)", {}), ("Lax–Friedrichs, α 1.3", {"lf": True, "alpha": 1.3})):
                c0 = time.process_time()
                m = run_waferlab(h, exp, reflections=refl, **kw)
                cpu = time.process_time() - c0
                rows.append(f"| {'collimated' if exp is None else f'n = {exp:g}'} | {h:g} | {name} | "
                            f"{m['xl']:.4f} | {(m['xl'] - rl) / h:+.2f} | {m['xr']:.4f} | "
                            f"{(m['xr'] - rr) / h:+.2f} | {cpu:.2f} |")
                print(rows[-1], flush=True)
    load = os.getloadavg()[0]
    text = ["## Ion beam trench: waferlab's default step against a tight Lax–Friedrichs step", "",
            "`python bench/bench_ion_beam_wall.py --tight` (``tight_main``): x of both walls at "
            "z = −1.5 µm against the exact solution (collimated, no reflections) or the "
            "reference's limit (n = 100, reflections on), in h; CPU (s), 2 threads. Load "
            f"average {load0:.1f} at the start, {load:.1f} at the end.", "",
            "| beam | h (µm) | step | x_left | left (h) | x_right | right (h) | CPU (s) |",
            "|---|---|---|---|---|---|---|---|", *rows, ""]
    harness.write_text(harness.RESULTS / "beamwall_s16_tight.md", "\n".join(text))


def peer_schemes_main() -> None:
    """``--peer``: ViennaPS with its default Engquist–Osher step and with its
    Lax–Friedrichs step (``LAX_FRIEDRICHS_1ST_ORDER``, dissipationAlpha 1) on the
    collimated trench, against the exact wall."""
    load0 = os.getloadavg()[0]
    xe = exact_xr(Z_MEASURE, T_END)
    rows = []
    for h in (0.1, 0.05):
        for scheme in ("ENGQUIST_OSHER_1ST_ORDER", "LAX_FRIEDRICHS_1ST_ORDER"):
            c0 = time.process_time()
            m = run_viennaps(h, scheme=scheme)
            cpu = time.process_time() - c0
            rows.append(f"| {scheme} | {h:g} | {m['xl']:.4f} | {m['xr']:.4f} | "
                        f"{(m['xr'] - xe) / h:+.2f} | {cpu:.2f} |")
            print(rows[-1], flush=True)
    load = os.getloadavg()[0]
    text = ["## Ion beam trench, collimated: ViennaPS's two steps against the exact lit wall", "",
            "`python bench/bench_ion_beam_wall.py --peer`: x of the walls at z = −1.5 µm, the "
            f"lit wall against the exact {xe:.4f} µm in h; CPU (s), 2 threads. Load average "
            f"{load0:.1f} at the start, {load:.1f} at the end.", "",
            "| ViennaPS spatial scheme | h (µm) | x_left | x_right | right (h) | CPU (s) |",
            "|---|---|---|---|---|---|", *rows, ""]
    harness.write_text(harness.RESULTS / "beamwall_s16_peer.md", "\n".join(text))


REF_DIVERGENT_XL, REF_DIVERGENT_CD = -1.0345, 4.5833  # the same reference's limits


def s17_main() -> None:
    """``--s17`` (session 17, lane beam3d): 2D and 3D (extruded) with the sub-steps (the
    default, WENO5), the sub-steps under the one-stage ``eo`` scheme and without sub-steps:
    the collimated walls against the exact ones (lit: Hopf; shadowed: the left mask's
    shadow line) and the bench's divergent beam against the reference."""
    load0 = os.getloadavg()[0]
    xe = exact_xr(Z_MEASURE, T_END)
    xle = -HALF + math.tan(math.radians(IBB.TILT)) * (MASK_TOP - Z_MEASURE)
    run_waferlab(0.2)
    run_waferlab(0.2, dim=3)
    variants = (("default (sub-steps, weno5)", {}),
                ("sub-steps, eo (one stage)", {"scheme": "eo"}),
                ("no sub-steps (weno5)", {"substep": 0.0}))
    rows, drows = [], []
    for dim in (2, 3):
        for h in (0.1, 0.05):
            for name, kw in variants:
                c0 = time.process_time()
                m = run_waferlab(h, dim=dim, **kw)
                cpu = time.process_time() - c0
                rows.append(f"| {dim}D | {h:g} | {name} | {m['xl']:.4f} | {(m['xl'] - xle) / h:+.2f} | "
                            f"{m['xr']:.4f} | {(m['xr'] - xe) / h:+.2f} | {m['depth']:.4f} | {cpu:.2f} |")
                print(rows[-1], flush=True)
            for name, kw in variants[:2]:
                c0 = time.process_time()
                m = run_waferlab(h, IBB.EXPONENT, reflections=True, dim=dim, **kw)
                cpu = time.process_time() - c0
                drows.append(f"| {dim}D | {h:g} | {name} | {m['xl']:.4f} | "
                             f"{(m['xl'] - REF_DIVERGENT_XL) / h:+.2f} | {m['xr']:.4f} | "
                             f"{(m['xr'] - REF_DIVERGENT_XR) / h:+.2f} | {m['cd']:.4f} | "
                             f"{(m['cd'] - REF_DIVERGENT_CD) / h:+.2f} | {cpu:.2f} |")
                print(drows[-1], flush=True)
    load = os.getloadavg()[0]
    text = ["## Ion beam trench: sub-steps in 2D and 3D, WENO5 against the one-stage scheme (session 17, beam3d)", "",
            "`python bench/bench_ion_beam_wall.py --s17` (``s17_main``): x of both walls at "
            "z = −1.5 µm (0.5 µm below the initial floor) after 2 min; 3D: the trench "
            "extruded along y over 4 spacings (the walls of every y). CPU: process time (s), "
            f"2 threads. Load average {load0:.1f} at the start, {load:.1f} at the end (2 cores).", "",
            f"Collimated beam, no reflections, against the exact walls (lit: Hopf, {xe:.4f} µm; "
            f"shadowed: the left mask's shadow line, {xle:.4f} µm):", "",
            "| dim | h (µm) | step | x_left | left − exact (h) | x_right | right − exact (h) | "
            "depth (µm) | CPU (s) |", "|---|---|---|---|---|---|---|---|---|", *rows, "",
            f"The bench's divergent beam (n = {IBB.EXPONENT:g}, reflections on) against the "
            f"reference's limits (bench/results/ion_beam_ref_s15.md: x_left {REF_DIVERGENT_XL}, "
            f"x_right {REF_DIVERGENT_XR}, opening {REF_DIVERGENT_CD}; its first hits only, the "
            "reflected ions add a little):", "",
            "| dim | h (µm) | step | x_left | − ref (h) | x_right | − ref (h) | opening | − ref (h) | "
            "CPU (s) |", "|---|---|---|---|---|---|---|---|---|---|", *drows, ""]
    out = harness.RESULTS / "beam3d_s17_wall.md"
    harness.write_text(out, "\n".join(text))
    print("wrote", out)


def main() -> None:
    import bench_ion_beam_ref as R

    if "--s17" in sys.argv:
        s17_main()
        return

    if "--peer" in sys.argv:
        peer_schemes_main()
        return
    if "--tight" in sys.argv:
        tight_main()
        return

    load0 = os.getloadavg()[0]
    xe = exact_xr(Z_MEASURE, T_END)
    xs = shadow_x(Z_MEASURE)
    print(f"exact x_r {xe:.4f}, shadow line {xs:.4f}", flush=True)
    rows = [f"| exact (Hopf) | collimated | | {xe:.4f} | 0 | | |",
            f"| shadow line of the mask corner | collimated | | {xs:.4f} | "
            f"{xs - xe:+.4f} | | |"]
    refs = reference_collimated() if "--no-ref" not in sys.argv else []
    for h, r, cpu in refs:
        rows.append(f"| reference solver (LLF-ENO2-RK2) | collimated | {h:g} | {r['xr']:.4f} | "
                    f"{r['xr'] - xe:+.4f} | {(r['xr'] - xe) / h:+.2f} | {cpu:.1f} |")
    if len(refs) == 3:
        lim, p = R.extrapolate([r["xr"] for _, r, _ in refs])
        rows.append(f"| reference solver, h → 0 (observed order {p:.2f}) | collimated | | "
                    f"{lim:.4f} | {lim - xe:+.4f} | | |")
    run_waferlab(0.2)                                     # numba warm-up
    runs = [("waferlab (default: EO)", 0.1, {}), ("ViennaPS 4.7", 0.1, None),
            ("waferlab, Lax–Friedrichs", 0.1, {"lf": True}),
            ("waferlab (default: EO)", 0.05, {}), ("ViennaPS 4.7", 0.05, None),
            ("waferlab, Lax–Friedrichs", 0.05, {"lf": True}),
            ("waferlab (default: EO)", 0.025, {})]
    for name, h, kw in runs:
        c0 = time.process_time()
        m = run_viennaps(h) if kw is None else run_waferlab(h, **kw)
        cpu = time.process_time() - c0
        rows.append(f"| {name} | collimated, no reflections | {h:g} | {m['xr']:.4f} | "
                    f"{m['xr'] - xe:+.4f} | {(m['xr'] - xe) / h:+.2f} | {cpu:.1f} |")
        print(rows[-1], flush=True)
    drows = []
    for h in (0.1, 0.05):
        for name, lf in (("waferlab (default: EO)", False), ("waferlab, Lax–Friedrichs", True)):
            c0 = time.process_time()
            m = run_waferlab(h, IBB.EXPONENT, reflections=True, lf=lf)
            cpu = time.process_time() - c0
            drows.append(f"| {name} | {h:g} | {m['xl']:.4f} | {m['xr']:.4f} | "
                         f"{(m['xr'] - REF_DIVERGENT_XR) / h:+.2f} | {cpu:.1f} |")
            print(drows[-1], flush=True)
    load = os.getloadavg()[0]
    text = ["## Ion beam trench (35°): the lit undercut wall against an exact solution", "",
            "`python bench/bench_ion_beam_wall.py` (module docstring): the bench's 2D trench, "
            "x of the lit right wall at z = −1.5 µm (0.5 µm below the initial floor) after "
            "2 min; error against the exact value in µm and in h.  CPU: process time (s), "
            f"2 threads (the reference: one).  Load average {load0:.1f} at the start, "
            f"{load:.1f} at the end.", "",
            "| solution | beam | h (µm) | x_right | − exact (µm) | − exact (h) | CPU (s) |",
            "|---|---|---|---|---|---|---|", *rows, "",
            f"The bench's divergent beam (n = {IBB.EXPONENT:g}, reflections on) against the "
            f"reference's limit x_right = {REF_DIVERGENT_XR} (bench/results/ion_beam_ref_s15.md):",
            "", "| code | h (µm) | x_left | x_right | right − reference (h) | CPU (s) |",
            "|---|---|---|---|---|---|", *drows, ""]
    harness.write_text(harness.RESULTS / "beamwall_s16_runs.md", "\n".join(text))
    print("wrote", harness.RESULTS / "beamwall_s16_runs.md")


if __name__ == "__main__":
    main()
