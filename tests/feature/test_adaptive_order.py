"""Cheaper level-set stages on flat regions (issue #18 item 2) and the band taper kernel.

* A WENO5 stencil whose differences agree to ``LINEAR_TOL`` (a linear φ: a flat surface
  seen along its normal) returns the first-order difference; WENO5 of such a stencil
  differs from it by round-off only (bounded here), and any curved stencil still gets
  the full WENO5 combination.
* A beam without isotropic part computes the derivatives only along axes the beam has a
  component on; the skipped terms are exactly 0, so the stage gives the numbers of the
  full evaluation bit for bit.
* ``band_cutoff`` gives the NumPy taper expression of Peng et al. (1999) bit for bit.
"""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.feature import _kernels as K


def test_linear_stencil_returns_first_order_within_round_off_of_weno5():
    h = 0.02
    rng = np.random.default_rng(5)
    for slope in (1.0, -0.7, 0.3):
        x = (np.arange(7) - 3) * h
        v = 0.11 + slope * x
        v = v * (1 + rng.uniform(-1e-15, 1e-15, 7))          # round-off-level noise
        dm, dp = K._weno_pair(*v, 1.0 / h)
        d = np.diff(v) / h
        assert dm == (v[3] - v[2]) * (1.0 / h) and dp == (v[4] - v[3]) * (1.0 / h)
        wm = K._weno(d[0], d[1], d[2], d[3], d[4])
        wp = K._weno(d[5], d[4], d[3], d[2], d[1])
        bound = (20.0 / 6.0) * K.LINEAR_TOL * np.abs(d).max()
        assert abs(dm - wm) <= bound and abs(dp - wp) <= bound


@pytest.mark.parametrize("curv", [1e-9, 1e-3, 1.0])
def test_curved_stencil_keeps_full_weno5(curv):
    h = 0.02
    x = (np.arange(7) - 3) * h
    v = 0.11 + 0.9 * x + curv * x ** 2 / h          # a relative curvature far above round-off
    d = np.diff(v) * (1.0 / h)              # the kernel's arithmetic
    dm, dp = K._weno_pair(*v, 1.0 / h)
    assert dm == K._weno(d[0], d[1], d[2], d[3], d[4])
    assert dp == K._weno(d[5], d[4], d[3], d[2], d[1])


def _sphere(n=20, h=0.1):
    x = (np.arange(n) - n / 2 + 0.3) * h
    X, Y, Z = np.meshgrid(x, x, x, indexing="ij")
    return np.sqrt(X ** 2 + Y ** 2 + Z ** 2) - 0.7, h


@pytest.mark.parametrize("beam", [(0.0, 0.0, -1.0), (0.6, 0.0, -0.8)])
def test_beam_stage_skipping_zero_axes_equals_full_evaluation(beam):
    a, h = _sphere()
    flat = a.ravel()
    band = np.nonzero(np.abs(flat) < 4 * h)[0].astype(np.int64)
    rng = np.random.default_rng(7)
    V = rng.uniform(-1.0, 1.0, band.size)
    alpha = np.array([*beam, 0.0])
    dt, wa, wb = 0.01, 0.75, 0.25
    base = flat[band] + 0.001
    out = np.empty(band.size)
    K.stage_band(a, base, out, band, V, dt, wa, wb, h, 5, K.BEAM, alpha, 3, True, True)
    ref = np.empty(band.size)
    for b, n in enumerate(band):        # every axis evaluated, as before the shortcut
        d = K._derivatives(a, flat, n, h, 5, 3, True, True)
        v = V[b]
        gc = cp = diss = 0.0
        for ax in range(3):
            dm, dp = d[2 * ax], d[2 * ax + 1]
            c = 0.5 * (dm + dp)
            gc += c * c
            cp += alpha[ax] * c
            diss += 0.5 * abs(v) * ((1.0 - alpha[3]) * abs(alpha[ax]) + alpha[3]) * (dp - dm)
        ham = v * ((1.0 - alpha[3]) * max(0.0, cp) + alpha[3] * np.sqrt(gc)) - diss
        ref[b] = wa * base[b] + wb * (flat[n] - dt * ham)
    np.testing.assert_array_equal(out, ref)


def test_band_cutoff_equals_the_numpy_taper():
    a, h = _sphere(16)
    band = np.nonzero(np.abs(a.ravel()) < 4 * h)[0].astype(np.int64)
    beta, gamma = 2 * h, 4 * h
    x = np.abs(a.ravel()[band])
    c = (x - gamma) ** 2 * (2 * x + gamma - 3 * beta) / (gamma - beta) ** 3
    ref = np.where(x <= beta, 1.0, np.where(x >= gamma, 0.0, c))
    got = K.band_cutoff(a, band, beta, gamma, (gamma - beta) ** 3)
    np.testing.assert_array_equal(got, ref)
    assert 0 < np.count_nonzero((got > 0) & (got < 1)) < band.size
