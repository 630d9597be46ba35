"""The fan front-tracking reference (``validation.front_fans.evolve_fans``) against exact
solutions of analytic rate laws.

- Isotropic etch (V_n = −V_0): the vacuum grows by the Minkowski sum with a disc of radius
  V_0 t (Huygens), so a V's tip descends by exactly V_0 t and becomes an arc; the two-line
  intersection sends it down by V_0 t / sin β (β = 16.7° here: 3.5×), the mean rule lags.
- Directional etch (V_n = −V_0 max(n_y, 0)): every facet translates by V_0 t, so the V
  translates; the fan's orientations all pass through the translated tip (a degenerate
  fan), which must not spoil it.
- A material peak (a concave corner of the vacuum) under isotropic etch: a shock; the
  peak stays sharp and descends along its bisector by V_0 t / sin γ (γ its half-angle).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from waferlab.validation import coverage_profile as cp
from waferlab.validation import front_fans as ff

V0 = 7e-9                         # m/s
NM = 1e-9
V_SHAPE = np.array([[-30, 0], [-30, -50], [0, -150], [30, -50], [30, 0]]) * NM


def _iso(model, P, materials, seed):
    return np.full(len(P) - 1, -V0)


def _directional(model, P, materials, seed):
    _A, _B, nrm, _L = cp._segments(P)
    return -V0 * np.maximum(nrm[:len(P) - 1, 1], 0.0)


def _run(P0, law, T, spacing_nm, **kw):
    return ff.evolve_fans(None, P0, T, material_of=lambda xy: np.zeros(len(xy), int),
                          held=[1], spacing=spacing_nm * NM, max_step=0.5 * spacing_nm * NM,
                          rates=law, **kw)


@pytest.mark.parametrize("spacing_nm", [4.0, pytest.param(2.0, marks=pytest.mark.slow)])
def test_isotropic_v_tip_descends_by_v0_t(spacing_nm):
    P = _run(V_SHAPE, _iso, 10.0, spacing_nm)
    # exact 150 + 70 = 220 nm; chords of the arc (radius 70 nm) cut it by < spacing²/(8 r)
    assert -P[:, 1].min() / NM == pytest.approx(220.0, abs=0.3)
    # the tip is an arc of radius 70 nm about the old apex: half-width at 10 nm above it
    tip = -P[:, 1].min() / NM
    y = -(tip - 10.0) * NM
    left = P[(P[:, 0] < 0)]
    i = np.nonzero((left[:-1, 1] >= y) & (left[1:, 1] < y))[0][0]
    a, b = left[i], left[i + 1]
    x = a[0] + (y - a[1]) / (b[1] - a[1]) * (b[0] - a[0])
    assert -x / NM == pytest.approx(math.sqrt(70.0**2 - 60.0**2), abs=0.5)


def test_isotropic_v_without_fans_overshoots():
    # fans off (fan_step beyond any turn): the intersection rule's V_0 t / sin β
    # (5 s: exact 185 nm, the intersection 150 + 35 / sin 16.7° = 272 nm)
    P = _run(V_SHAPE, _iso, 5.0, 4.0, fan_step=math.pi)
    assert -P[:, 1].min() / NM > 250.0


@pytest.mark.parametrize("spacing_nm", [4.0, pytest.param(2.0, marks=pytest.mark.slow)])
def test_directional_v_translates(spacing_nm):
    P = _run(V_SHAPE, _directional, 10.0, spacing_nm)
    assert -P[:, 1].min() / NM == pytest.approx(220.0, abs=0.05)


def test_isotropic_peak_is_a_shock():
    P0 = np.array([[-30, 0], [-30, -100], [0, -60], [30, -100], [30, 0]]) * NM
    P = _run(P0, _iso, 12.0 / 7.0, 1.0)
    mid = P[np.abs(P[:, 0]) < 10 * NM]
    # the peak: sin γ = 0.6, 12 nm / 0.6 = 20 nm down, still a corner at x = 0
    assert mid[:, 1].max() / NM == pytest.approx(-80.0, abs=0.1)


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="fan_length"):
        _run(V_SHAPE, _iso, 1.0, 2.0, fan_length=0.0)
