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

from waferlab.validation.feature import hole_exact
from waferlab.validation.feature import viewfactor_hole_bottom as hole_bottom
from waferlab.validation.feature import viewfactor_trench_profiles as trench_profiles


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
