"""The numerical solution of the current-driven high-voltage RF sheath (reactor/sheath_rf.py)
against the numbers Lieberman published for the collisionless sheath (IEEE Trans. Plasma Sci.
16, 638, 1988), the homogeneous sheath of Lieberman & Lichtenberg (2005) §11.1, and the
constants of the CCP's collisional sheath (Lieberman, IEEE Trans. Plasma Sci. 17, 338, 1989)."""
from __future__ import annotations

import math

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
