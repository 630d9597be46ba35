"""Unit sticking, no re-emission: exact view-factor fluxes (docs/reference-data.md §2).

Lieberman & Lichtenberg, Principles of Plasma Discharges and Materials Processing, 2nd ed.
(2005), ch. 16: trench sidewall Γ/Γ0 = ½(1 − y/√(y² + w²)); bottom
Γ/Γ0 = ½[x/√(x² + d²) + (w − x)/√((w − x)² + d²)]; hole bottom at radius r (view factor
of the mouth disk) F = ½[1 − (d² + r² − R²)/√((d² + r² + R²)² − 4r²R²)], R²/(R² + d²) at
the centre.  Elements of size w/40; every element is compared with the exact formula
averaged over it: |z| = |Γ − Γ_exact|/σ must look Gaussian (max |z| < 4.5, mean z² ≈ 1).
The 2 % acceptance at large ray counts is the slow test.
"""
import numpy as np
import pytest

from waferlab.feature.flux import Species, trace_fluxes
from waferlab.feature.flux import shapes

G8 = np.polynomial.legendre.leggauss(8)


def seg_avg(fun, a, b):
    x = 0.5 * (a + b)[:, None] + 0.5 * (b - a)[:, None] * G8[0][None, :]
    return (fun(x) * G8[1]).sum(1) / 2


def wall_exact(y, w):
    return 0.5 * (1 - y / np.sqrt(y * y + w * w))


def bottom_exact(x, w, d):
    return 0.5 * (x / np.sqrt(x * x + d * d) + (w - x) / np.sqrt((w - x) ** 2 + d * d))


def hole_exact(r, R, d):
    return 0.5 * (1 - (d * d + r * r - R * R) / np.sqrt((d * d + r * r + R * R) ** 2 - 4 * r * r * R * R))


def trench_profiles(ctx, n_rays, w=1.0, d=2.0):
    s = shapes.trench(w, d, h=w / 40)
    f = trace_fluxes(s, [Species(name="n", sticking=1.0)], ctx, n_rays=n_rays)["n"]
    p = s.points[s.elements]
    c = s.centroids
    left = (s.materials == 1) & (c[:, 0] < 0.5 * w)
    right = (s.materials == 1) & (c[:, 0] > 0.5 * w)
    bot = s.materials == 2
    ya = -p[left][:, :, 1]
    yb = -p[right][:, :, 1]
    xa = p[bot][:, :, 0]
    out = []
    for m, ex in ((left, seg_avg(lambda y: wall_exact(y, w), ya.min(1), ya.max(1))),
                  (right, seg_avg(lambda y: wall_exact(y, w), yb.min(1), yb.max(1))),
                  (bot, seg_avg(lambda x: bottom_exact(x, w, d), xa.min(1), xa.max(1)))):
        out.append((f.incident[m], f.stderr[m], ex, f.absorbed[m]))
    return out


def hole_bottom(ctx, n_rays, R=1.0, d=2.0, keep=False):
    s = shapes.hole(R, d, h=2 * R / 40, n_sides=96)
    f = trace_fluxes(s, [Species(name="n", sticking=1.0)], ctx, n_rays=n_rays,
                     keep_chunks=keep)["n"]
    bot = s.materials == 2
    p = s.points[s.elements[bot]]
    # 6-point (degree 4) triangle rule of the exact formula over each element
    a1, b1 = 0.816847572980459, 0.091576213509771
    a2, b2 = 0.108103018168070, 0.445948490915965
    bary = np.array([[a1, b1, b1], [b1, a1, b1], [b1, b1, a1], [a2, b2, b2], [b2, a2, b2], [b2, b2, a2]])
    wts = np.array([0.109951743655322] * 3 + [0.223381589678011] * 3)
    q = np.einsum("qk,mkd->mqd", bary, p)
    ex = (hole_exact(np.hypot(q[..., 0], q[..., 1]), R, d) * wts).sum(1)
    r = np.hypot(*s.centroids[bot][:, :2].T)
    return s, f, bot, ex, r


def test_trench_profiles_unit_sticking(ctx):
    for inc, err, ex, ab in trench_profiles(ctx, 1_500_000):
        z = (inc - ex) / err
        assert np.abs(z).max() < 4.5, np.abs(z).max()
        assert 0.6 < np.mean(z * z) < 1.5, np.mean(z * z)
        np.testing.assert_allclose(ab, inc)          # s = 1: everything incident sticks


def test_hole_bottom_unit_sticking(ctx):
    """Per ring of floor elements (pooled, area-weighted) against the exact view factor."""
    s, f, bot, ex, r = hole_bottom(ctx, 1_500_000, keep=True)
    h = 2.0 / 40
    ring = np.floor(r / h).astype(int)
    ids = np.flatnonzero(bot)
    z = []
    for k in np.unique(ring):
        sel = ring == k
        wts = np.zeros(len(bot))
        wts[ids[sel]] = s.areas[ids[sel]]
        mean, sig = f.region_mean(wts)
        exact = (ex[sel] * s.areas[ids[sel]]).sum() / s.areas[ids[sel]].sum()
        z.append((mean - exact) / sig)
    z = np.array(z)
    assert np.abs(z).max() < 4.0, z
    assert 0.4 < np.mean(z * z) < 1.8, np.mean(z * z)
    exact_centre = hole_exact(0.0, 1.0, 2.0)
    assert exact_centre == pytest.approx(0.2)     # R²/(R² + d²)


@pytest.mark.slow
def test_viewfactors_within_two_percent(ctx):
    """Acceptance: each trench element within 2 % at w/40 (40 M rays)."""
    for inc, _err, ex, _ in trench_profiles(ctx, 40_000_000):
        assert np.max(np.abs(inc / ex - 1)) < 0.02
    s, f, bot, ex, r = hole_bottom(ctx, 200_000_000)
    centre = r < 0.1
    a = s.areas[bot][centre]
    val = (f.incident[bot][centre] * a).sum() / a.sum()
    assert abs(val / 0.2 - 1) < 0.02
