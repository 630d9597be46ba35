"""The stratified 2D launch (``trace_fluxes(..., launch="stratified")``, the default):
unbiased (analytic fluxes and the uniform launch's mean within 3σ, σ from the batch
means), less noisy than the uniform launch per element (tests that fail on the uniform
launch), and the same numbers for a seed whatever the thread count."""
from __future__ import annotations

import math

import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.feature.flux import Species, shapes, trace_fluxes
from waferlab.feature.flux.sources import inplane_inverse_cdf
from waferlab.validation.feature import bottom_exact

ION = Species(name="i", sticking=1.0, source_exponent=500.0)
NEUTRAL = Species(name="n", sticking=1.0)


def _exact_bottom(s, w, d):
    """Element means of the exact Lambertian bottom flux (s = 1; 9-point Gauss)."""
    p = s.points[s.elements]
    floor = np.isclose(p[:, 0, 1], -d) & np.isclose(p[:, 1, 1], -d)
    g, gw = np.polynomial.legendre.leggauss(9)
    x0, x1 = p[floor, 0, 0], p[floor, 1, 0]
    xm, xh = 0.5 * (x0 + x1), 0.5 * (x1 - x0)
    vals = (gw[None, :] * bottom_exact(xm[:, None] + xh[:, None] * g[None, :], w, d)).sum(1) / 2
    return floor, vals


@pytest.mark.parametrize("sp", [NEUTRAL, ION], ids=["cosine", "cos500"])
def test_flat_surface_flux_is_exact_per_element(ctx, sp):
    """Γ/Γ0 = 1 on an open flat surface: the stratified launch gives every element its
    share of the rays (σ ≤ 1/10 of the uniform launch's: a variance 100× smaller), and
    each element is 1 within 3σ + 1e-9."""
    s = shapes.plane2d(100)
    out = {}
    for launch in ("uniform", "stratified"):
        out[launch] = trace_fluxes(s, [sp], ctx, n_rays=64_000, launch=launch)[sp.name]
    f = out["stratified"]
    assert np.all(np.abs(f.incident - 1.0) <= 3 * f.stderr + 1e-9)
    assert np.mean(f.stderr ** 2) < 0.01 * np.mean(out["uniform"].stderr ** 2)
    assert np.mean(out["uniform"].stderr) > 0.02          # the old launch: Poisson noise


def test_trench_floor_unbiased_against_exact_and_uniform(ctx):
    """Cosine source, s = 1, trench w × d = 1 × 2: the stratified floor flux equals the
    exact view factor per element (z = deviation/σ: mean z² ≤ 2, expected 1 — a bias of
    1σ per element would give 2 — and every |z| ≤ 4.5 among the 40 elements), and the
    region mean equals the uniform launch's within 3σ."""
    w, d = 1.0, 2.0
    s = shapes.trench(w, d, h=w / 40)
    floor, exact = _exact_bottom(s, w, d)
    res = {lc: trace_fluxes(s, [NEUTRAL], ctx, n_rays=200_000, launch=lc, keep_chunks=True)["n"]
           for lc in ("uniform", "stratified")}
    f = res["stratified"]
    z = (f.incident[floor] - exact) / f.stderr[floor]
    assert np.mean(z ** 2) <= 2.0 and np.max(np.abs(z)) <= 4.5
    a = s.areas * floor
    (mu, su), (ms, ss) = (res[lc].region_mean(a) for lc in ("uniform", "stratified"))
    assert abs(ms - mu) <= 3 * math.hypot(su, ss)


def test_ion_floor_variance_lower_and_mean_unchanged():
    """cos⁵⁰⁰ ions into a trench of aspect ratio 3: per-element variance of the floor
    flux (batch means, 64 chunks) below 0.75 of the uniform launch's (measured ≈ 0.4;
    the uniform launch's own ratio is 1 within ≈ 0.2), the floor mean within 3σ."""
    s = shapes.trench(1.0, 3.0, h=0.02, field=0.5)
    floor = s.centroids[:, 1] < -3.0 + 1e-9
    res = {}
    for lc in ("uniform", "stratified"):
        res[lc] = trace_fluxes(s, [ION], RunContext(seed=7, threads=2), n_rays=200_000,
                               launch=lc, keep_chunks=True)["i"]
    vu = np.mean(res["uniform"].stderr[floor] ** 2)
    vs = np.mean(res["stratified"].stderr[floor] ** 2)
    assert vs < 0.75 * vu
    a = s.areas * floor
    (mu, su), (ms, ss) = (res[lc].region_mean(a) for lc in ("uniform", "stratified"))
    assert abs(ms - mu) <= 3 * math.hypot(su, ss)


def test_same_numbers_for_a_seed_whatever_the_threads():
    s = shapes.trench(1.0, 2.0, h=0.05, field=0.3)
    sp = Species(name="i", sticking=0.3, source_exponent=100.0, specular=0.5)
    out = [trace_fluxes(s, [sp], RunContext(seed=3, threads=t), n_rays=20_000)["i"]
           for t in (1, 2)]
    assert np.array_equal(out[0].incident, out[1].incident)
    assert np.array_equal(out[0].absorbed, out[1].absorbed)


@pytest.mark.parametrize("n", [1.0, 10.0, 100.0, 1000.0])
def test_inplane_angle_density_is_cos_n(n):
    """The in-plane angle α of the projected cosⁿθ source has density ∝ cosⁿα, whose
    ⟨sin²α⟩ = 1/(n + 2) exactly; the table's and the 3D draw's projection (2·10⁶ draws,
    the old launch) agree with it within 3σ (+ 0.2 % table interpolation)."""
    rng = np.random.default_rng(11)
    N = 2_000_000
    tab = inplane_inverse_cdf(n)
    a = np.interp(rng.random(N), np.linspace(0, 1, tab.size), tab)
    ct = (1.0 - rng.random(N)) ** (1.0 / (n + 1.0))
    st = np.sqrt(1 - ct * ct) * np.cos(2 * np.pi * rng.random(N))
    proj = st * st / (st * st + ct * ct)                    # sin²α of the 3D draw
    exact = 1.0 / (n + 2.0)
    for v in (np.sin(a) ** 2, proj):
        assert abs(v.mean() - exact) <= 3 * v.std() / math.sqrt(N) + 2e-3 * exact


def test_bad_launch_is_refused(ctx):
    with pytest.raises(ValueError, match="launch"):
        trace_fluxes(shapes.plane2d(10), [NEUTRAL], ctx, n_rays=1000, launch="sobol")
