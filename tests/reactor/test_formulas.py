"""Plasma formulas against the NRL Plasma Formulary (2019) numerical forms and the
limits of Lieberman & Lichtenberg (2005) ch. 12 (skin depths)."""
import math

import numpy as np
import pytest

from waferlab.reactor import formulas as fm


def test_plasma_frequency_nrl():
    # NRL: f_pe = 8.98e3 √(n_e/cm^-3) Hz
    for n in (1e14, 1e16, 1e18):
        assert fm.plasma_frequency(n) / (2 * math.pi) == pytest.approx(8.98e3 * math.sqrt(n * 1e-6), rel=1e-3)


def test_debye_length_nrl():
    # NRL: λ_D = 7.43e2 √(T_e/eV) (n_e/cm^-3)^-1/2 cm
    for n, T in ((1e16, 3.0), (1e18, 1.0), (1e14, 10.0)):
        assert fm.debye_length(n, T) == pytest.approx(7.43e2 * math.sqrt(T / (n * 1e-6)) * 1e-2, rel=1e-3)


def test_permittivity_vanishes_at_plasma_frequency():
    n = 1e17
    w = fm.plasma_frequency(n)
    assert abs(fm.plasma_permittivity(n, w, 0.0)) < 1e-12
    eps = fm.plasma_permittivity(n, 2 * math.pi * 13.56e6, 1e7)
    assert eps.real < 0 and eps.imag != 0


def test_skin_depth_limits():
    n, w = 1e17, 2 * math.pi * 13.56e6
    # collisionless limit (ν ≪ ω ≪ ω_pe): δ → c/ω_pe
    assert fm.skin_depth(n, w, 1e-3 * w) == pytest.approx(fm.collisionless_skin_depth(n), rel=1e-3)
    # collisional limit (ω ≪ ν ≪ ω_pe²/ω): δ → δ_p √(2ν/ω); corrections O(ω/ν) + O(ων/ω_pe²)
    n = 1e18
    for ratio in (30.0, 100.0, 300.0):
        nu = ratio * w
        tol = 0.5 / ratio + 2 * w * nu / fm.plasma_frequency(n) ** 2
        assert fm.skin_depth(n, w, nu) == pytest.approx(fm.collisional_skin_depth(n, w, nu), rel=tol)


def test_mean_free_path_and_knudsen():
    lam = fm.mean_free_path(3.2e19, 1e-18)
    assert lam == pytest.approx(1 / 32.0)
    assert fm.knudsen_number(lam, 0.3) == pytest.approx(lam / 0.3)
    assert np.all(fm.knudsen_number(fm.mean_free_path(np.array([1e19, 1e21]), 1e-19), 1e-6) > 1)
    # v̄ of argon at 300 K: 398.8 m/s
    assert fm.thermal_speed(300.0, 39.948 * 1.66053906660e-27) == pytest.approx(398.8, rel=1e-3)
