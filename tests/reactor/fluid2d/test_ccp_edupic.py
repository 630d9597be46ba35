"""The 2D CCP against a published argon CCP benchmark: the eduPIC reference case (Donkó et al.,
Plasma Sources Sci. Technol. 30, 095017, 2021; waferlab.validation.ccp_edupic), run at the
PIC's absorbed power per area (121.7 W/m²) on equal 0.3 m electrodes.

Tolerances, set before the comparison (the module docstring of ccp_edupic argues them): plasma
density and ion flux within a factor 2, the RF voltage, RF current and plasma potential within
30 %, the Monte Carlo's mean ion energy at the electrode within 30 %.  Measured (commit of
bench/results/reactor_fluid2d_ccp_edupic.md), with the default ``ion_cross_section: phelps``
(session 12; Phelps's Ar⁺/Ar cross sections in the sheath's ion Monte Carlo): n 0.498, Γ 0.793,
V_T 1.212, J₁ 1.199, V_p 1.126, mean ion energy 1.116 (0.515 with ``constant``, the constant σ_i).
The density misses its factor 2 by 0.4 %: the Maxwellian T_e (2.59 eV) against the PIC's cold
bulk (⅔⟨ε⟩ = 1.03 eV) makes the Bohm loss 1.59 times faster — an expected failure (strict).
Session 13: the local two-term Boltzmann EEDF (``eedf: boltzmann``) moves the density the other way
(0.225): its depleted tail needs a hotter bulk to ionise; the PIC's ionising electrons are non-local
(bench/results/reactor_fluid2d_ccp_eedf_s13.md) — a second strict xfail.  Session 15: the non-local
electrons (``electrons: nonlocal``, opt-in) meet every row, the density at 0.558
(tests/reactor/fluid2d/test_ccp_nonlocal.py; bench/results/ccp_nonlocal_s15.md)."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.validation.ccp_edupic import EDUPIC, IFED_POWERED, compare, edupic_spec, ifed_stats


def test_reference_numbers_match_the_tabulated_distribution():
    """The stored IFED gives the stored mean (33.46 eV) and median (26.5 eV); sums to 1."""
    st = ifed_stats(np.arange(0.0, 121.0), IFED_POWERED)
    assert IFED_POWERED.sum() == pytest.approx(1.0, abs=1e-5)
    assert st["mean_eV"] == pytest.approx(EDUPIC.ion_energy_mean_eV, abs=0.01)
    assert st["median_eV"] == pytest.approx(EDUPIC.ion_energy_median_eV, abs=0.5)
    assert EDUPIC.power_electrons_W_m2 + EDUPIC.power_ions_W_m2 == pytest.approx(EDUPIC.power_W_m2, abs=0.05)


@pytest.fixture(scope="module")
def matched():
    from waferlab.reactor.fluid2d.ccp import solve_ccp

    res = solve_ccp(edupic_spec())            # the default cross section: Phelps's, argon
    assert res.setup.ion_cross_section == "phelps"
    return res


@pytest.mark.slow
def test_edupic_matched_power(matched):
    """Power matched; ion flux within a factor 2; V_T, J₁ and V̄ + T_e/2 within 30 %."""
    c = compare(matched)
    assert c["power_W_m2"][0] == pytest.approx(EDUPIC.power_W_m2, rel=1e-6)
    assert matched.setup.sheath_regime == "collisional"
    a, b = c["ion_flux_m2s"]
    assert 0.5 < a / b < 2.0
    for k in ("rf_voltage_V", "rf_current_A_m2", "plasma_potential_V"):
        a, b = c[k]
        assert a / b == pytest.approx(1.0, abs=0.30), k


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="Maxwellian EEDF: T_e 2.59 eV against the PIC's cold bulk (2/3<eps> = "
                   "1.03 eV) makes the Bohm loss 1.59x faster; measured n ratio 0.498")
def test_edupic_density_within_a_factor_two(matched):
    a, b = compare(matched)["n_peak_m3"]
    assert 0.5 < a / b < 2.0


@pytest.mark.slow
def test_edupic_ion_energy_with_phelps_cross_sections(matched):
    """Centre column, 3000 ions: mean within 30 % of the PIC's 33.46 eV; the fraction below
    10 eV within 0.1 of the PIC's 0.231; charge exchange keeps every energy below the
    collisionless T_e/2 + V̄ + the RF swing."""
    from waferlab.reactor.fluid2d.ccp_output import wafer_ions

    col = wafer_ions(matched, seed=1, n_ions=3000).columns[0]
    assert col.lost == 0
    assert col.mean_energy_eV == pytest.approx(EDUPIC.ion_energy_mean_eV, rel=0.30)
    e = np.arange(0.0, 601.0)
    h, _ = np.histogram(col.energy_eV, e)
    pic = ifed_stats(np.arange(0.0, 121.0), IFED_POWERED)
    assert ifed_stats(e, h)["below_10eV"] == pytest.approx(pic["below_10eV"], abs=0.10)


@pytest.fixture(scope="module")
def matched_boltzmann():
    from waferlab.reactor.fluid2d.ccp import solve_ccp

    return solve_ccp(edupic_spec(eedf="boltzmann"))


@pytest.mark.slow
def test_edupic_boltzmann_eedf_electrical_quantities(matched_boltzmann):
    """``eedf: boltzmann`` (the local mean-energy tables, waferlab.reactor.fluid2d.ccp_eedf) at the
    matched power: the ion flux within a factor 2, V_T, J₁ and V̄ + T_e/2 within 30 % (measured
    0.562, 0.874, 0.812, 0.896: bench/results/reactor_fluid2d_ccp_eedf_s13.md); the bulk is hotter
    than the Maxwellian's (⅔ε̄ 4.9 eV against 2.59: the local EEDF's depleted tail)."""
    c = compare(matched_boltzmann)
    a, b = c["ion_flux_m2s"]
    assert 0.5 < a / b < 2.0
    for k in ("rf_voltage_V", "rf_current_A_m2", "plasma_potential_V"):
        a, b = c[k]
        assert a / b == pytest.approx(1.0, abs=0.30), k
    assert c["T_e_eV"][0] > 3.0


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="local Boltzmann EEDF (LMEA): the depleted tail needs 2/3 eps = 4.9 eV for "
                   "the ionisation and T_B = 7.1 eV sets the Bohm loss; the PIC's ionising electrons are non-local; "
                   "measured n ratio 0.225")
def test_edupic_density_within_a_factor_two_with_the_boltzmann_eedf(matched_boltzmann):
    a, b = compare(matched_boltzmann)["n_peak_m3"]
    assert 0.5 < a / b < 2.0

