"""The 2D CCP's Ar⁺/Ar cross sections (``fluid2d.ccp.ion_cross_section``; reactor/fluid2d/ccp_xs.py):
the default (Phelps for argon, the chemistry's constant σ_i otherwise) and the bulk ion drift's
two limits — the measured zero-field mobility of Ar⁺ in Ar (Ellis et al., At. Data Nucl. Data
Tables 17, 177, 1976: K₀ = 1.53 cm²/(V s)) and the constant-λ high-field drift with Phelps's
momentum-transfer cross section (J. Appl. Phys. 76, 747, 1994)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from waferlab.constants import E_CHARGE, PI
from waferlab.errors import RecipeError
from waferlab.reactor.fluid2d.ccp import build_ccp
from waferlab.reactor.fluid2d.ccp_xs import (K0_AR_M2_VS, LOSCHMIDT_M3, field_energy_eV, field_sigma,
                                             momentum_sigma, resolve_ion_cross_section)
from waferlab.reactor.fluid2d.transport import ion_drift

from .test_ccp import make

N_G = 2.4e21      # 10 Pa at 300 K


def test_momentum_cross_section_is_half_phelps_q_m():
    """σ_eq = σ_cx + σ_iso/2 = Q_m/2 with Phelps's Q_m = 1.15e-18 E^-0.1 (1 + 0.015/E)^0.6: by hand
    4.09e-19 m² at 30 eV and 3.65e-19 at 100 eV."""
    assert momentum_sigma(30.0) == pytest.approx(0.5 * 1.15e-18 * 30 ** -0.1 * (1 + 0.015 / 30) ** 0.6, rel=1e-9)
    assert momentum_sigma(30.0) == pytest.approx(4.09e-19, rel=2e-3)
    assert momentum_sigma(100.0) == pytest.approx(3.65e-19, rel=2e-3)


def test_field_energy_is_the_energy_gained_over_one_mean_free_path():
    """ε = E λ(ε), λ = 1/(n σ_eq(ε)): the fixed point and the tabulated σ agree to 1e-4."""
    E = np.array([3e2, 1e3, 1e4, 1e5])
    eps = field_energy_eV(E, N_G, iterations=20)
    assert eps == pytest.approx(E / (N_G * momentum_sigma(eps)), rel=1e-6)
    assert field_sigma(E, N_G) == pytest.approx(momentum_sigma(eps), rel=1e-4)


@pytest.fixture(scope="module")
def setup():
    return build_ccp(make())


def test_default_ion_cross_section_is_phelps_for_argon_only(setup):
    assert resolve_ion_cross_section(None, "Ar") == "phelps"
    assert resolve_ion_cross_section(None, "He") == "constant"       # no Phelps data: the chemistry's σ_i
    assert resolve_ion_cross_section("constant", "Ar") == "constant"
    assert setup.ion_cross_section == "phelps" and setup.phelps
    const = build_ccp(make({"ccp": {"ion_cross_section": "constant"}}))
    assert const.ion_cross_section == "constant" and not const.phelps
    assert const.transport().sigma_low is None     # the chemistry's single λ_i = 1/(n σ_i) in both terms
    with pytest.raises(RecipeError, match="ion_cross_section"):
        make({"ccp": {"ion_cross_section": "hard_sphere"}})


def test_bulk_drift_has_the_measured_mobility_and_the_phelps_high_field_limit(setup):
    """eE/M = u (e n/(M K₀N₀) + (π/2) u n σ_eq(ε)) at every field (1e-9); low field: u/E = K₀N₀/n
    (1e-3: the measured mobility, whatever T_i); high field (1e7 V/m): u = (2eEλ_h/πM)^½,
    λ_h = 1/(n σ_eq(ε)) (1 %: the low-field term's share)."""
    tr = setup.transport()
    M = setup.coef.m_i

    def u_of(E):
        return float(ion_drift(*tr._drift(np.array([E]), np.array([N_G])))[0])

    for E in (1e-3, 1e-2):
        assert u_of(E) / E == pytest.approx(K0_AR_M2_VS * LOSCHMIDT_M3 / N_G, rel=1e-3)
    for E in (1e3, 1e5, 1e7):
        u, s_h = u_of(E), float(field_sigma(E, N_G))
        drag = u * (E_CHARGE * N_G / (M * K0_AR_M2_VS * LOSCHMIDT_M3) + 0.5 * PI * u * N_G * s_h)
        assert drag == pytest.approx(E_CHARGE * E / M, rel=1e-9)
    E = 1e7
    lam_h = 1.0 / (N_G * float(momentum_sigma(field_energy_eV(E, N_G, iterations=20))))
    assert u_of(E) == pytest.approx(math.sqrt(2 * E_CHARGE * E * lam_h / (PI * M)), rel=0.01)
