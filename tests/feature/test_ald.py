"""ALD half-cycles: exact flat-surface coverage, self-limitation, co-reactant on the
precursor's sites (Gordon's saturation front in a hole: ``waferlab.validation.ald``)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.feature.ald import (AldNumerics, Reactant, cycle_growth_fraction, half_cycle,
                                  impingement_dose)
from waferlab.feature.flux import shapes
from waferlab.feature.flux.transport import RayTracing
from waferlab.units import to_si

CTX = RunContext(seed=11, threads=1)
RAYS = RayTracing(rays_per_point=400)


def test_impingement_dose_is_hertz_knudsen():
    """0.1 Torr·s of a 144 amu gas at 523.15 K: p t / √(2π m k T) molecules per m²."""
    m = to_si("144 amu", "mass")
    want = 13.332236842105264 / math.sqrt(2 * math.pi * m * 1.380649e-23 * 523.15)
    assert impingement_dose(to_si("0.1 Torr*s", "gas_exposure"), m, 523.15) == \
        pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("x", [0.3, 1.5])
def test_flat_surface_coverage_is_exact(x):
    """On an open flat surface F = 1, so θ = 1 − exp(−s D / S) whatever the dose stepping;
    the mean over the elements is within 3σ (σ: the spread over elements / √m)."""
    surf = shapes.plane2d(64, "periodic")
    r = Reactant(name="P", sticking=0.2, dose=x / 0.2, site_density=1.0)
    hc = half_cycle(surf, r, CTX, tracing=RAYS)
    theta = hc.coverage
    want = 1 - math.exp(-x)
    sigma = theta.std(ddof=1) / math.sqrt(len(theta))
    assert abs(theta.mean() - want) <= 3 * sigma + 1e-12, (theta.mean(), want, sigma)
    assert hc.traces > 2 and sigma < 0.01 * want


def test_saturation_is_self_limiting():
    """Ten times the saturating dose leaves θ = 1 (within the tolerance) and stops tracing
    early; the coverage never exceeds the sites available."""
    surf = shapes.plane2d(32, "periodic")
    r = Reactant(name="P", sticking=0.5, dose=1e4, site_density=1.0)
    hc = half_cycle(surf, r, CTX, tracing=RAYS)
    assert np.all(hc.coverage >= 1 - AldNumerics().saturation_tolerance)
    assert np.all(hc.coverage <= 1.0)
    assert hc.doses[-1] < 0.1 * r.dose            # stopped once saturated


def test_coreactant_converts_only_precursor_sites():
    """A saturating co-reactant converts exactly the precursor's coverage (a_e = θ_A)."""
    surf = shapes.plane2d(32, "periodic")
    a = Reactant(name="A", sticking=0.3, dose=1.0 / 0.3, site_density=1.0)   # θ_A = 1 − 1/e
    b = Reactant(name="B", sticking=0.5, dose=1e3, site_density=2.0)
    theta_a = half_cycle(surf, a, CTX, tracing=RAYS, stream=("t", "A")).coverage
    frac = cycle_growth_fraction(surf, a, b, CTX, tracing=RAYS, stream=("t",))
    np.testing.assert_allclose(frac, theta_a, atol=2e-4)
    assert 0.5 < frac.mean() < 0.75


@pytest.mark.parametrize("bad", [dict(sticking=0.0), dict(sticking=1.2), dict(dose=-1.0),
                                 dict(site_density=0.0)])
def test_reactant_refuses_bad_values(bad):
    args = dict(name="P", sticking=0.5, dose=1.0, site_density=1.0) | bad
    with pytest.raises(ValueError):
        Reactant(**args)


def _front(surf, theta, d):
    """Depth (fraction of d) where the wall coverage (x < 0 wall) crosses 1/2."""
    c = surf.centroids
    wall = (np.abs(surf.normals[:, 0]) > 0.9) & (c[:, 1] < 0)
    z = -c[wall, 1]
    o = np.argsort(z)
    z, t = z[o], theta[wall][o]
    below = np.nonzero(t < 0.5)[0]
    if below.size == 0:
        return 1.0
    i = int(below[0])
    if i == 0:
        return float(z[0] / d)
    return float(np.interp(0.5, [t[i], t[i - 1]], [z[i], z[i - 1]]) / d)


def test_adaptive_dose_stepping_matches_fine_fixed_steps():
    """The default (adaptive, one trace per sub-dose) puts an under-dosed front in a
    trench of aspect ratio 8 where fine fixed Heun sub-doses (10 % of the dose done, two
    traces each) put it, within 3σ of two seeds of the fine run (+ one wall
    element), with at most a third of the traces."""
    w, d, h = 1.0, 8.0, 0.25
    surf = shapes.trench(w, d, h=h, field=1.0)
    r = Reactant(name="P", sticking=1.0, dose=12.0, site_density=1.0)
    tr = RayTracing(rays_per_point=100)
    fine = [half_cycle(surf, r, RunContext(seed=s, threads=1), tracing=tr,
                       numerics=AldNumerics(dose_step=0.1)) for s in (1, 2)]
    fronts = [_front(surf, hc.coverage, d) for hc in fine]
    ad = half_cycle(surf, r, RunContext(seed=4, threads=1), tracing=tr)
    got = _front(surf, ad.coverage, d)
    assert 0.15 < np.mean(fronts) < 0.9                  # a front inside the trench
    assert abs(got - np.mean(fronts)) <= 3 * np.std(fronts, ddof=1) + h / d, (got, fronts)
    assert ad.traces * 3 <= fine[0].traces, (ad.traces, fine[0].traces)
    assert np.all(np.diff(ad.doses) > 0) and ad.doses[-1] == pytest.approx(r.dose)


def test_adaptive_sub_doses_grow_once_saturated():
    """A saturating dose in a trench: the sub-doses grow (geometrically, at most ×3) once
    the surface saturates, and the half-cycle stops with every element covered."""
    surf = shapes.trench(1.0, 3.0, h=0.125, field=1.0)
    r = Reactant(name="P", sticking=0.1, dose=1e4, site_density=1.0)
    hc = half_cycle(surf, r, CTX, tracing=RayTracing(rays_per_point=100))
    assert np.all(hc.coverage >= 1 - AldNumerics().saturation_tolerance)
    steps = np.diff(np.r_[0.0, hc.doses])
    assert np.all(steps[1:] <= 3.0 * steps[:-1] * (1 + 1e-12))
    assert steps[-1] > 20 * steps[0] and hc.traces < 40
