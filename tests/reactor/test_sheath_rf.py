"""The numerical solution of the current-driven high-voltage RF sheath (reactor/sheath_rf.py)
against the numbers Lieberman published for the collisionless sheath (IEEE Trans. Plasma Sci.
16, 638, 1988), the homogeneous sheath of Lieberman & Lichtenberg (2005) §11.1, and the
constants of the CCP's collisional sheath (Lieberman, IEEE Trans. Plasma Sci. 17, 338, 1989)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from waferlab.reactor.fluid2d import ccp_sheath
from waferlab.reactor.sheath_rf import rf_sheath_numbers


@pytest.fixture(scope="module")
def numbers():
    return {k: rf_sheath_numbers(k, n_phase=360) for k in ("collisionless", "collisional", "uniform")}


def test_collisionless_sheath_reproduces_liebermans_1988_numbers(numbers):
    """s_m = √(50/27) s_Child, V̄/V_peak = 54/125 (exact in the paper: the integrator's 1e-9);
    second and third harmonics 12.3 % and 4.2 % of the fundamental (the paper's printed digits:
    ±0.05 %)."""
    c = numbers["collisionless"]
    assert c["s_m_over_dc"] == pytest.approx(math.sqrt(50 / 27), rel=1e-9)
    assert c["Vbar_over_Vpeak"] == pytest.approx(54 / 125, rel=1e-9)
    assert c["V2_over_V1"] == pytest.approx(0.123, abs=5e-4)
    assert c["V3_over_V1"] == pytest.approx(0.042, abs=5e-4)
    assert c["K"] == pytest.approx(4 / 9 * 50 / 27, rel=1e-9)
    assert c["Vbar_check"] == pytest.approx(1.0, rel=1e-9)


def test_uniform_ion_sheath_is_the_homogeneous_model(numbers):
    """Uniform ion density (L&L §11.1): C = ε₀/s̄ with s̄ = s_m/2, V̄ = (3/4)V₁, no third harmonic
    beyond the quadrature's 1e-9."""
    u = numbers["uniform"]
    assert u["capacitance"] == pytest.approx(2.0, rel=1e-9)
    assert u["Vbar_over_V1"] == pytest.approx(0.75, rel=1e-9)
    assert u["V3_over_V1"] < 1e-9


def test_ccp_collisional_constants_are_the_solutions(numbers):
    """K, s_m over the collisional Child law's width, and the capacitance ratio used by the CCP
    (ccp_sheath) are the collisional solution's (1e-4, the constants' printed digits)."""
    c, cl = numbers["collisional"], numbers["collisionless"]
    assert ccp_sheath.K_COLLISIONAL == pytest.approx(c["K"], rel=1e-4)
    assert ccp_sheath.SM_OVER_DC_COLLISIONAL == pytest.approx(c["s_m_over_dc"], rel=1e-4)
    assert ccp_sheath.C_COLLISIONAL == pytest.approx(c["capacitance"], rel=1e-5)
    assert ccp_sheath.C_FUNDAMENTAL == pytest.approx(cl["capacitance"], rel=1e-5)
    # the collisional Child law's K ((2/3)(5/3)^{3/2}) scaled by the RF width ratio^{5/2}
    assert c["K"] == pytest.approx(2 / 3 * (5 / 3) ** 1.5 * c["s_m_over_dc"] ** 2.5, rel=1e-9)
    assert 0.7 < c["Vbar_over_V1"] < cl["Vbar_over_V1"] < 0.85


def test_fundamental_capacitance_two_ways(numbers):
    """C₁ = J₁/(ωV₁) with J₁ = ωq₀: the Fourier series of V(ωt) and the single integral of
    sheath_rf eq. (3), V₁ = (q₀/πε₀)∫(φ − sin φ cos φ)dx, agree (1e-9: the quadratures); the
    uniform-ion sheath gives L&L 2005 §11.1's C = ε₀/s̄ = 2ε₀/s_m."""
    for k in ("collisionless", "collisional", "uniform"):
        assert numbers[k]["capacitance_eq3"] == pytest.approx(numbers[k]["capacitance"], rel=1e-9)
    assert numbers["uniform"]["capacitance_eq3"] == pytest.approx(2.0, rel=1e-9)


def test_fundamental_capacitance_is_bounded_by_the_uniform_sheath(numbers):
    """Ion density falling towards the electrode (accelerating ions) ⇒ ε₀/s_m ≤ C₁ ≤ 2ε₀/s_m
    (sheath_rf eq. 3 with Chebyshev's inequality).  Both solutions obey it, the collisional one
    between the collisionless and the uniform ones.  The 1988 abstract's 2.452 ε₀/s_m is outside
    the bound: it cannot be J₁/(ωV₁) of this sheath — it equals 2J₁/(ωV₁), twice the solution (1e-3:
    its four printed digits)."""
    cl, co, u = (numbers[k]["capacitance"] for k in ("collisionless", "collisional", "uniform"))
    assert 1.0 <= cl < co < u <= 2.0 + 1e-12
    assert not 1.0 <= 2.452 <= 2.0
    assert 2 * cl == pytest.approx(2.452, abs=1e-3)


def test_unknown_ion_model_is_refused():
    with pytest.raises(ValueError, match="collisionless, collisional or uniform"):
        rf_sheath_numbers("ballistic")


def test_sheath_pair_of_uniform_sheaths_is_solved_by_hand():
    """Uniform ions: w(u) = u², so ρu² − (1 − u)² = V_dc + V_T cos ωt is a quadratic in u; equal
    sheaths give u = (1 + cos ωt)/2, V̄ = ¾V₁ (L&L 2005 §11.1's homogeneous sheath) and a
    sinusoidal current; at ρ = 3 the numbers equal those of the closed-form u(ωt) (1e-5)."""
    from waferlab.reactor.sheath_rf import sheath_pair

    d = sheath_pair(1.0, "uniform")
    assert d["kappa_a"] == pytest.approx(0.75, abs=1e-6) and d["kappa_b"] == pytest.approx(0.75, abs=1e-6)
    assert d["current_h2"] < 1e-12 and d["current_h3"] < 1e-12
    rho, n = 3.0, 1024
    th = 2 * np.pi * np.arange(n) / n
    g = -1 + (rho + 1) * 0.5 * (1 + np.cos(th))
    u = (-1 + np.sqrt(1 + (rho - 1) * (1 + g))) / (rho - 1)
    Va, Vb = rho * u ** 2, (1 - u) ** 2
    Fa, Fb = np.fft.rfft(Va) / n, np.fft.rfft(Vb) / n
    d = sheath_pair(rho, "uniform", n_phase=n)
    assert d["kappa_a"] == pytest.approx(Va.mean() / (2 * abs(Fa[1])), rel=1e-5)
    assert d["kappa_b"] == pytest.approx(Vb.mean() / (2 * abs(Fb[1])), rel=1e-5)
    assert d["V1_ratio"] == pytest.approx(abs(Fa[1]) / abs(Fb[1]), rel=1e-5)


@pytest.mark.parametrize("ions", ["collisionless", "collisional"])
def test_sheath_pair_between_the_current_driven_and_the_voltage_driven_sheath(ions, numbers):
    """Equal sheaths driven by a sinusoidal voltage carry a current whose third harmonic is, to
    first order, 3 V₃/V₁ of the current-driven sheath (the same relation read backwards; within
    5 %), and their V̄/V₁ is near the current-driven sheath's (0.852 / 0.792 against 0.828 /
    0.782); as the powered sheath takes more of the voltage (ρ → ∞) its voltage becomes the
    applied sinusoid (κ_a → 1, > 0.99 at ρ = 100) and κ_a rises monotonically; pair_mean_ratio
    inverts the fundamentals' ratio."""
    from waferlab.reactor.sheath_rf import _charge_voltage, pair_mean_ratio, sheath_pair

    num = numbers[ions]
    tab = _charge_voltage(ions)
    d = sheath_pair(1.0, ions, table=tab)
    assert d["current_h3"] == pytest.approx(3 * num["V3_over_V1"], rel=0.05)
    assert d["kappa_a"] == pytest.approx(num["Vbar_over_V1"], rel=0.04)
    ks = [sheath_pair(r, ions, n_phase=256, table=tab)["kappa_a"] for r in (1.0, 1.5, 3.0, 10.0, 100.0)]
    assert np.all(np.diff(ks) > 0) and ks[-1] > 0.99
    d2 = sheath_pair(2.0, ions, table=tab)
    ka, kb = pair_mean_ratio(d2["V1_ratio"], ions)
    assert ka == pytest.approx(d2["kappa_a"], rel=1e-6) and kb == pytest.approx(d2["kappa_b"], rel=1e-6) and kb < ka
