"""Pooling the traced fields of small elements (``feature.small_elements``) on the
marching-cubes surface of a 3D contact hole (≈ 11 % of its triangles are below 0.1 h²)."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.feature.extract import extract_surface
from waferlab.feature.flux import Species, trace_fluxes
from waferlab.feature.small_elements import SMALL_FRACTION, pool_small_elements, smooth_fields
from waferlab.recipe import recipe_from_dict
from waferlab.runner import initial_wafer


@pytest.fixture(scope="module")
def hole():
    r = recipe_from_dict({
        "name": "hole", "seed": 1,
        "grid": {"dimension": 3, "spacing": "5 nm", "extent": ["80 nm", "80 nm"]},
        "structure": {"substrate": {"material": "SiO2", "thickness": "60 nm"},
                      "layers": [{"material": "Mask", "thickness": "40 nm"}],
                      "feature": {"type": "hole", "radius": "22 nm", "depth": "60 nm"}},
        "steps": []})
    return extract_surface(initial_wafer(r).geometry)


def _rings(s):
    """The same-material one-ring of every element, by plain sets (independent of the
    module's CSR lookup)."""
    around: dict[int, set] = {}
    for e, tri in enumerate(s.elements):
        for p in tri:
            around.setdefault(int(p), set()).add(e)
    return [sorted({j for p in tri for j in around[int(p)] if s.materials[j] == s.materials[e]})
            for e, tri in enumerate(s.elements)]


def test_small_elements_take_their_ring_mean_and_the_rest_stay_bit_identical(hole):
    s = hole
    h = s.spacing
    a = s.areas
    small = a < SMALL_FRACTION * h * h
    assert 0.03 < small.mean() < 0.3 and len(set(s.materials[small])) == 2   # mask and SiO2
    rng = np.random.default_rng(0)
    f = {"x": rng.random(len(a)), "y": rng.random(len(a))}
    f["y"][np.flatnonzero(~small)[:5]] = np.nan          # elements without rays
    out = pool_small_elements(f, s)
    np.testing.assert_array_equal(out["x"][~small], f["x"][~small])
    np.testing.assert_array_equal(out["y"][~small], f["y"][~small])
    rings = _rings(s)
    for e in np.flatnonzero(small):
        for k in ("x", "y"):
            r = [j for j in rings[e] if np.isfinite(f[k][j])]
            want = sum(a[j] * f[k][j] for j in r) / sum(a[j] for j in r)
            assert out[k][e] == pytest.approx(want, rel=1e-12)
    assert not np.shares_memory(out["x"], f["x"])                 # the input is untouched


def test_pooled_small_elements_follow_poisson_statistics_of_their_ring(hole):
    """A neutral that sticks at its first hit: an element's incident tally is a Poisson
    count, so a ring pooled from n expected hits has relative σ = 1/√n.  The pooled
    small elements lie within 3σ of a 16× reference (ring means, its own error 1/16 of
    the variance), as a normal sample would (≤ 2 of ~200 beyond 3σ, mean z² ≈ 1);
    without the pooling the same elements miss by far more."""
    s = hole
    h = s.spacing
    a = s.areas
    sp = [Species(name="n", sticking=1.0)]
    ctx = RunContext(seed=5, threads=1)
    one = trace_fluxes(s, sp, ctx, rays_per_point=100)["n"]
    ref = trace_fluxes(s, sp, ctx.with_(seed=6), rays_per_point=1600)["n"]
    dom = float(np.prod([hi - lo for lo, hi in s.lateral_bounds]))
    small = np.flatnonzero((a < SMALL_FRACTION * h * h) & (a > 0))
    pooled = pool_small_elements({"n": one.incident}, s)["n"]
    rings = _rings(s)
    z, z_raw = [], []
    for e in small:
        r = rings[e]
        fr = sum(a[j] * ref.incident[j] for j in r) / sum(a[j] for j in r)
        hits = fr * sum(a[j] for j in r) * one.n_rays / dom
        if hits < 5:
            continue
        z.append((pooled[e] - fr) * np.sqrt(hits) / fr)
        z_raw.append((one.incident[e] - fr) * np.sqrt(hits) / fr)
    z, z_raw = np.array(z), np.array(z_raw)
    assert z.size > 100
    assert np.count_nonzero(np.abs(z) > 3) <= 2
    assert 0.6 < np.mean(z * z) < 1.6      # 3σ of mean z² over ≥ 100 correlated rings
    assert np.mean(z_raw * z_raw) > 5 * np.mean(z * z)


def test_smoothed_fields_are_the_gaussian_means_by_a_plain_loop(hole):
    """``smooth_fields``: each element the area-weighted Gaussian mean (radius r = 0.5 h,
    cut at 2r inclusive) over its neighbours, by a plain loop: all of them for a field
    like an incident flux, those of its own material for the ``per_material`` keys (a
    material-wise constant stays unchanged: no mixing across the mask/SiO2 edge); a
    constant is unchanged; elements without rays (NaN) stay NaN and are left out of
    their neighbours' means."""
    s = hole
    h = s.spacing
    a, c, mats = s.areas, s.centroids, s.materials
    rng = np.random.default_rng(1)
    f = {"x": rng.random(len(a)), "y": rng.random(len(a)),
         "m": mats.astype(float) * 3.0 + 1.0, "one": np.full(len(a), 2.5)}
    f["x"][:7] = np.nan
    out = smooth_fields(f, s, 0.5, per_material=("y", "m"))
    np.testing.assert_allclose(out["one"], 2.5, rtol=1e-12)
    np.testing.assert_allclose(out["m"], f["m"], rtol=1e-12)
    assert np.isnan(out["x"][:7]).all()
    r = 0.5 * h
    edge = 0
    for e in rng.choice(np.arange(7, len(a)), 60, replace=False):
        d = np.linalg.norm(c - c[e], axis=1)
        near = d <= 2 * r * (1 + 1e-9)
        for k, sel in (("x", near & np.isfinite(f["x"])), ("y", near & (mats == mats[e]))):
            w = a[sel] * np.exp(-0.5 * (d[sel] / r) ** 2)
            assert out[k][e] == pytest.approx(np.sum(w * f[k][sel]) / np.sum(w), rel=1e-10)
        edge += bool(np.any(near & (mats != mats[e])))
    assert edge > 0                                  # some sampled elements see both
    np.testing.assert_array_equal(smooth_fields(f, s, 0.0)["x"], f["x"])


def test_smoothing_at_half_a_spacing_cuts_the_noise_of_a_traced_flux(hole):
    """The noise of a traced flux (25 rays/point: the 3D stratified launch makes 100 about as
    quiet as the bias the smoothing brings) against a 64× reference, per element,
    before and after ``smooth_fields`` at r = 0.5 h: the smoothed estimate's mean square
    error is less than half the raw one's (it pools ≈ 3–6 elements), and its mean over
    the surface is the same within 1 % (the smoothing moves no flux between regions)."""
    s = hole
    sp = [Species(name="n", sticking=1.0)]
    ctx = RunContext(seed=5, threads=1)
    one = trace_fluxes(s, sp, ctx, rays_per_point=25)["n"].incident
    ref = trace_fluxes(s, sp, ctx.with_(seed=6), rays_per_point=1600)["n"].incident
    sm = smooth_fields({"n": one}, s, 0.5)["n"]
    ok = np.isfinite(one) & np.isfinite(ref) & (s.areas > SMALL_FRACTION * s.spacing ** 2)
    a = s.areas[ok]
    err_raw = np.sum(a * (one[ok] - ref[ok]) ** 2)
    err_sm = np.sum(a * (sm[ok] - ref[ok]) ** 2)
    assert err_sm < 0.5 * err_raw
    assert np.sum(a * sm[ok]) == pytest.approx(np.sum(a * one[ok]), rel=0.01)
