"""Pooling the traced fields of small elements (``feature.small_elements``) on the
marching-cubes surface of a 3D contact hole (≈ 11 % of its triangles are below 0.1 h²)."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.feature.extract import extract_surface
from waferlab.feature.flux import Species, trace_fluxes
from waferlab.feature.small_elements import SMALL_FRACTION, pool_small_elements
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
