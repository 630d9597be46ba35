"""Deal–Grove oxidation (Deal & Grove, J. Appl. Phys. 36, 3770, 1965) and the electrical
read-out (Masetti, Severi & Solmi, IEEE Trans. Electron Devices 30, 764, 1983)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from waferlab.constants import E_CHARGE
from waferlab.thermal.dopants import charge_neutral_n, ni_si
from waferlab.thermal.electrical import (MASETTI, junction_depths, mobility,
                                         sheet_resistance)
from waferlab.thermal.oxidation import DEAL_GROVE, grow_oxide, oxide_thickness


@pytest.mark.parametrize("ambient,T,t", [("dry", 1273.15, 3600.0), ("wet", 1373.15, 1800.0),
                                         ("dry", 1173.15, 7200.0)])
def test_deal_grove_numeric_matches_analytic(ambient, T, t):
    for x0 in (0.0, 20e-9):
        num = grow_oxide(t, lambda s: T, ambient=ambient, initial=x0)
        ana = oxide_thickness(t, T, ambient=ambient, initial=x0)
        assert num == pytest.approx(ana, rel=1e-7)
        # and the analytic form satisfies x² + A x = B (t + τ)
        k = DEAL_GROVE[ambient]
        B = k.B(T)
        A = B / k.B_over_A(T, "100")
        assert ana ** 2 + A * ana == pytest.approx(B * t + x0 ** 2 + A * x0, rel=1e-10)


def test_deal_grove_limits_and_value():
    k = DEAL_GROVE["wet"]
    T = 1373.15
    short = 1e-3
    assert oxide_thickness(short, T, ambient="wet") == pytest.approx(
        k.B_over_A(T, "100") * short, rel=1e-3)
    long = 1e9
    assert oxide_thickness(long, T, ambient="wet") == pytest.approx(
        math.sqrt(k.B(T) * long), rel=1e-2)
    # Plummer et al. (2000) Table 6-2 constants: B(1000 °C, dry) = 772 e^(-1.23/kT) um²/h
    kT = 1.380649e-23 * 1273.15 / 1.602176634e-19
    assert DEAL_GROVE["dry"].B(1273.15) * 3600e12 == pytest.approx(772 * math.exp(-1.23 / kT))


def test_ramped_oxidation_between_bounds():
    x = grow_oxide(600.0, lambda s: 1173.15 + 200.0 * s / 600.0, ambient="dry")
    assert oxide_thickness(600.0, 1173.15) < x < oxide_thickness(600.0, 1373.15)


def test_ni_at_1000C():
    assert ni_si(1273.15) * 1e-6 == pytest.approx(7.1e18, rel=0.02)   # Plummer Table 7-?


def test_charge_neutrality():
    ni = 1e24
    N = np.array([-1e26, -1e24, 0.0, 1e24, 1e26])
    n = charge_neutral_n(N, ni)
    p = ni * ni / n
    assert np.allclose(n - p, N, rtol=1e-10, atol=1e12)
    assert n[2] == pytest.approx(ni)


def test_masetti_limits():
    low = MASETTI["electron_P"](np.array([1e18]))[0] * 1e4       # 1e12 cm^-3
    assert low == pytest.approx(1414.0, rel=2e-3)
    hole_low = MASETTI["hole_B"](np.array([1e18]))[0] * 1e4
    assert hole_low == pytest.approx(470.5 - 0.0, rel=2e-3)
    high = MASETTI["electron_As"](np.array([1e28]))[0] * 1e4     # 1e22 cm^-3: mu_min2 - mu1 + ...
    assert 5 < high < 60


def test_sheet_resistance_of_uniform_layer_is_exact():
    z = np.linspace(0, 1e-6, 1001)
    ND = np.where(z < 0.3e-6, 1e25, 0.0)
    NA = np.full(z.size, 1e21)
    xj = junction_depths(z, ND + 1e-30, NA)[0]
    assert xj == pytest.approx(0.3e-6, abs=1e-9)
    # profile with a smooth exponential tail: exact junction by log interpolation
    ND2 = 1e25 * np.exp(-z / 50e-9)
    xj2 = junction_depths(z, ND2, NA)[0]
    assert xj2 == pytest.approx(50e-9 * math.log(1e4), rel=1e-9)
    Rs = sheet_resistance(z, ND2 * 0 + np.where(z <= 0.3e-6, 1e25, 0.0) + 1e-30, np.full(z.size, 1e-30))
    mu = mobility(np.array([1e25]), "electron")[0]
    assert Rs == pytest.approx(1.0 / (E_CHARGE * mu * 1e25 * 0.3e-6), rel=5e-3)
