"""The radiosity estimator of 2D neutrals (``flux.reemission``) against exact answers.

References: Hottel's crossed strings in a rectangular trench (``radiosity.trench_transport``,
400 graded strips per wall: converged to < 0.01 %), the 2D Clausing slit transmissions
(docs/reference-data.md §1; Berman, J. Appl. Phys. 36, 3356, 1965, 5 digits) and the
direct (black-wall) slit transmission √(1 + (L/H)²) − L/H.  The estimator has no
randomness; its error is the piecewise-constant radiosity of elements of size h and the
2-point Gauss quadrature of each element's view factor, measured at ≤ 0.05 % on region
means of the h = 0.05 trench: the tolerances (0.2 %) leave 4× room and are 10× tighter
than the Monte Carlo walk's 3σ at 1000 rays per point (≈ 1 %, checked below).
"""
import numpy as np
import pytest

from waferlab.feature.flux import Species, shapes, trace_fluxes
from waferlab.feature.flux import reemission as RE
from waferlab.feature.flux.engine import FluxTracer
from waferlab.feature.flux.radiosity import trench_transport

SLIT = {1: 0.68438, 5: 0.35641, 20: 0.15389}


def _regions(s, D):
    depth = -s.centroids[:, 1]
    wall = s.materials == 1
    return (("bottom", s.materials == 2),
            ("mid-wall", wall & (np.abs(depth - D / 2) < 0.25)),
            ("low wall", wall & (depth > D - 0.5)))


def _exact(ref, D, name):
    return {"bottom": ref.bottom_mean(), "mid-wall": ref.wall_mean(D / 2 - 0.25, D / 2 + 0.25),
            "low wall": ref.wall_mean(D - 0.5, D)}[name]


@pytest.mark.parametrize("D,S,field,boundary", [(4.0, 0.05, 0.0, "reflective"),
                                                (8.0, 0.01, 0.0, "reflective"),
                                                (2.0, 0.5, 0.5, "reflective"),
                                                (4.0, 0.05, 1.0, "periodic")])
def test_trench_matches_crossed_strings(ctx, D, S, field, boundary):
    """Region means (area-weighted) of a W = 1 trench, h = 0.05, within 0.2 % of the
    exact radiosity solution, with stderr 0 and no rays launched; the closed trench
    transmits nothing (to the quadrature error of Σ a_e F_e→top = A, ≈ 1e-8)."""
    s = shapes.trench(1.0, D, h=0.05, field=field, boundary=boundary)
    sp = Species(name="n", sticking={"top": 1.0, "wall": S, "bottom": S})
    f = trace_fluxes(s, [sp], ctx, n_rays=6400, reemission="radiosity")["n"]
    ref = trench_transport(1.0, D, S)
    assert f.n_rays == 0 and np.all(f.stderr == 0.0)
    assert f.transmitted == pytest.approx(0.0, abs=1e-6)
    for name, reg in _regions(s, D):
        m = float((f.incident[reg] * s.areas[reg]).sum() / s.areas[reg].sum())
        assert m == pytest.approx(_exact(ref, D, name), rel=2e-3), name
    np.testing.assert_allclose(f.absorbed, f.incident * np.where(s.materials == 0, 1.0, S))


def test_walk_is_ten_times_noisier_at_1000_rays(ctx):
    """The same trench by the Monte Carlo walk at 1000 rays per point: agrees with the
    exact answer within 4σ, and its σ on each region is above 0.2 %, so the radiosity
    tolerance above is the tighter check (what makes the estimator worth its cost)."""
    D, S = 4.0, 0.05
    s = shapes.trench(1.0, D, h=0.05)
    sp = Species(name="n", sticking={"top": 1.0, "wall": S, "bottom": S})
    f = trace_fluxes(s, [sp], ctx, rays_per_point=1000, keep_chunks=True)["n"]
    ref = trench_transport(1.0, D, S)
    for name, reg in _regions(s, D):
        m, sg = f.region_mean(np.where(reg, s.areas, 0.0))
        ex = _exact(ref, D, name)
        assert abs(m - ex) < 4 * sg, (name, m, ex, sg)
        assert sg > 2e-3 * ex


@pytest.mark.parametrize("LH", sorted(SLIT))
def test_slit_clausing(ctx, LH):
    """Transmission of the open slit (walls s = 0) within 0.1 % of Clausing's value with
    elements of 1/10 of the slit width (measured 0.035–0.049 %, falling as h²: 0.009–0.012 %
    at 1/20, 0.002–0.003 % at 1/40)."""
    s = shapes.slit(1.0, float(LH), n_wall=10 * LH)
    f = trace_fluxes(s, [Species(name="n", sticking=0.0)], ctx, n_rays=6400,
                     reemission="radiosity")["n"]
    assert f.transmitted == pytest.approx(SLIT[LH], rel=1e-3)


@pytest.mark.parametrize("LH", [0.5, 3.0])
def test_slit_direct_transmission_exact(ctx, LH):
    """Black walls: only the direct flight transmits, √(1 + (L/H)²) − L/H to 1e-6 (the
    element factors are exact; this checks the reciprocity D_e = F_e→top)."""
    s = shapes.slit(1.0, float(LH), n_wall=20)
    f = trace_fluxes(s, [Species(name="n", sticking=1.0)], ctx, n_rays=6400,
                     reemission="radiosity")["n"]
    assert f.transmitted == pytest.approx(np.sqrt(1 + LH ** 2) - LH, abs=1e-6)


def test_handover_sweep_equals_one_cast_per_interval(ctx):
    """The sweep's hand-over rule (casts only at silhouettes) and its pruning of image
    vertices below the sides' surface give the view factors of one cast per interval
    with every image a cut, to round-off, on a rounded level-set trench with overhangs
    seen across a periodic side; rows sum to 1 and reciprocity a_i F_ij = a_j F_ji holds
    to the quadrature error."""
    from waferlab.feature.extract import extract_surface
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer

    r = recipe_from_dict({
        "name": "t", "seed": 1,
        "grid": {"dimension": 2, "spacing": "10 nm", "extent": ["400 nm"]},
        "structure": {"substrate": {"material": "Si"},
                      "layers": [{"material": "Mask", "thickness": "100 nm"}],
                      "feature": {"type": "trench", "width": "150 nm", "depth": "300 nm"}},
        "steps": [{"deposit": {"model": "isotropic", "material": "Polymer",
                               "rate": "20 nm/s", "time": "1 s"}}]})
    surf = extract_surface(initial_wafer(r).geometry)
    tr = FluxTracer(surf)
    F = RE.view_factors(tr)
    Fb = RE.view_factors(tr, brute=True)
    np.testing.assert_allclose(F, Fb, rtol=0, atol=1e-10)
    v = tr.valid
    np.testing.assert_allclose(F[v].sum(axis=1), 1.0, atol=1e-12)
    m = tr.n_elements
    AF = tr.areas[:, None] * F[:, :m]
    big = AF > 1e-3 * tr.areas.min()
    assert np.abs(AF - AF.T)[big].max() < 0.05 * AF[big].max()


def test_only_diffuse_cosine_neutrals_are_solved(ctx):
    """Ions (yields), specular or angle-dependent sticking and cosⁿ sources (n ≠ 1) stay
    with the walk (stderr > 0); a plain neutral is solved (stderr 0); 3D is the walk."""
    s = shapes.trench(1.0, 2.0, h=0.1, field=0.5)
    sps = [Species(name="n", sticking=0.1),
           Species(name="spec", sticking=0.1, specular=0.5),
           Species(name="beam", sticking=0.1, source_exponent=100.0),
           Species(name="ang", sticking=0.1, sticking_angle=((0.0, 1.5708), (1.0, 0.5)))]
    r = trace_fluxes(s, sps, ctx, n_rays=20_000, reemission="radiosity")
    assert np.all(r["n"].stderr[np.isfinite(r["n"].stderr)] == 0.0)
    for name in ("spec", "beam", "ang"):
        assert np.nanmax(r[name].stderr) > 0.0, name
    assert not RE.eligible(sps[0], 3, 100)


def test_coverage_sticking_matches_walk(ctx):
    """Per-element sticking (what coverage re-traces pass): the solve agrees with the
    walk at 4000 rays per point within 4σ on three regions."""
    D = 3.0
    s = shapes.trench(1.0, D, h=0.05, field=0.5)
    depth = -s.centroids[:, 1]
    st = np.clip(0.02 + 0.2 * depth / D, 0.0, 1.0)
    st[s.materials == 0] = 0.3
    sp = Species(name="n", sticking=st)
    exact = trace_fluxes(s, [sp], ctx, n_rays=6400, reemission="radiosity")["n"]
    mc = trace_fluxes(s, [sp], ctx, rays_per_point=4000, keep_chunks=True)["n"]
    for name, reg in _regions(s, D):
        w = np.where(reg, s.areas, 0.0)
        m, sg = mc.region_mean(w)
        ex = float((exact.incident * w).sum() / w.sum())
        assert abs(m - ex) < 4 * sg, (name, m, ex, sg)


def _slanted(boundary):
    """An off-centre trench with one vertical and one slanted wall (depth 2, floor 0.6
    wide, mouth 1.4 wide): not symmetric about any side, so a periodic and a reflective
    domain see different images."""
    from waferlab.feature.flux.shapes import _join, _line
    n = np.array([2.0, 0.8]) / np.hypot(2.0, 0.8)
    parts = [_line((-0.3, 0.0), (0.0, 0.0), 6, (0, 1), 0),
             _line((0.0, 0.0), (0.0, -2.0), 40, (1, 0), 1),
             _line((0.0, -2.0), (0.6, -2.0), 12, (0, 1), 2),
             _line((0.6, -2.0), (1.4, 0.0), 43, (-n[0], n[1]), 1),
             _line((1.4, 0.0), (2.0, 0.0), 12, (0, 1), 0)]
    return _join(parts, ((-0.3, 2.0),), boundary)


@pytest.mark.parametrize("boundary", ["periodic", "reflective"])
def test_asymmetric_trench_matches_walk(ctx, boundary):
    """Hand-over and pruning equal the brute sweep; the solve agrees with the walk at
    4000 rays per point within 4σ on the floor, the slanted wall and the field."""
    s = _slanted(boundary)
    tr = FluxTracer(s)
    np.testing.assert_allclose(RE.view_factors(tr), RE.view_factors(tr, brute=True),
                               rtol=0, atol=1e-10)
    sp = Species(name="n", sticking={"top": 0.5, "wall": 0.05, "bottom": 0.2})
    exact = trace_fluxes(s, [sp], ctx, n_rays=6400, reemission="radiosity", tracer=tr)["n"]
    mc = trace_fluxes(s, [sp], ctx, rays_per_point=4000, keep_chunks=True, tracer=tr)["n"]
    c = s.centroids
    for reg in (s.materials == 2, (s.materials == 1) & (c[:, 0] > 0.1), s.materials == 0):
        w = np.where(reg, s.areas, 0.0)
        m, sg = mc.region_mean(w)
        ex = float((exact.incident * w).sum() / w.sum())
        assert abs(m - ex) < 4 * sg, (m, ex, sg)
