"""Generic ion-enhanced etching: limits of the site balance and the ion–neutral synergy
of Coburn & Winters (J. Appl. Phys. 50, 3189, 1979; docs/reference-data.md §2)."""
import math

import numpy as np
import pytest

from waferlab.atomic.ion_enhanced import (IonBeam, SurfaceKinetics, coburn_winters_parameters,
                                          flat_surface_rates, sputter_rate, surface_rates)
from waferlab.atomic.yields import IonYield

NM_MIN = 1e9 * 60.0


def _rates():
    kin, beam, f = coburn_winters_parameters()
    both = flat_surface_rates(kin, beam, **f).etch_rate * NM_MIN
    gas = flat_surface_rates(kin, beam, ion_flux=0.0, etchant_flux=f["etchant_flux"]).etch_rate * NM_MIN
    ions = flat_surface_rates(kin, beam, ion_flux=f["ion_flux"], etchant_flux=0.0).etch_rate * NM_MIN
    return float(both), float(gas), float(ions)


def test_synergy_coburn_winters():
    """Acceptance: ions + etchant together etch ≥ 5 × the sum of the two alone."""
    both, gas, ions = _rates()
    assert both >= 5.0 * (gas + ions), (both, gas, ions)


def test_coburn_winters_rates_within_30_percent():
    """Measured: XeF₂ alone ≈ 0.5, 450 eV Ar⁺ alone ≈ 0.2–0.3, both ≈ 5.5–6 nm/min (±30 %)."""
    both, gas, ions = _rates()
    assert gas == pytest.approx(0.5, rel=0.3)
    assert 0.2 * 0.7 <= ions <= 0.3 * 1.3
    assert 5.5 * 0.7 <= both <= 6.0 * 1.3


def test_limits_of_the_balance():
    kin, beam, f = coburn_winters_parameters()
    # no ions: θ_E = γΓ/(γΓ + k), rate = kθ/4 / ρ
    r = flat_surface_rates(kin, beam, ion_flux=0.0, etchant_flux=f["etchant_flux"])
    g = kin.etchant_sticking * f["etchant_flux"]
    th = g / (g + kin.chemical_rate)
    assert float(r.theta_etchant) == pytest.approx(th, rel=1e-12)
    assert float(r.etch_rate) == pytest.approx(kin.chemical_rate * th / 4 / kin.density, rel=1e-12)
    # no etchant: pure sputtering Γ_i Y_sp / ρ
    r = flat_surface_rates(kin, beam, ion_flux=f["ion_flux"], etchant_flux=0.0)
    Y = kin.sputter.A * (math.sqrt(450) - math.sqrt(20)) * kin.sputter.mean_angular_part(1000.0)
    assert float(r.etch_rate) == pytest.approx(f["ion_flux"] * Y / kin.density, rel=1e-12)
    # ion-limited regime: etchant in huge excess -> θ_E -> 1 and rate linear in ion flux
    big = flat_surface_rates(kin, beam, ion_flux=np.array([1e16, 2e16]), etchant_flux=1e24)
    ie = big.ion_enhanced
    assert ie[1] / ie[0] == pytest.approx(2.0, rel=1e-3)


def test_passivant_blocks_etching():
    kin = SurfaceKinetics(density=5e28, chemical_rate=3e21, passivant_desorption=4e17,
                          sputter=IonYield(A=0.03, threshold_eV=20.0),
                          ion_enhanced=IonYield(A=7.0, threshold_eV=15.0),
                          passivant_removal=IonYield(A=3.0, threshold_eV=10.0))
    beam = IonBeam.gaussian(100.0, 10.0, 500.0)
    o = np.array([0.0, 1e20, 1e21, 1e22])
    r = flat_surface_rates(kin, beam, ion_flux=1.2e20, etchant_flux=1.8e22, passivant_flux=o)
    assert np.all(np.diff(r.etch_rate) < 0)
    assert np.all(np.diff(r.theta_passivant) > 0)
    assert np.all(r.theta_etchant + r.theta_passivant <= 1 + 1e-12)


def test_mask_sputter_and_errors():
    assert float(sputter_rate(1e20, 5e28)) == pytest.approx(2e-9)
    with pytest.raises(ValueError):
        sputter_rate(1e20, 0.0)
    kin, beam, f = coburn_winters_parameters()
    with pytest.raises(ValueError, match="etchant_flux"):
        surface_rates(kin, etchant_flux=-1.0, ion_sputter_flux=0.0, ion_enhanced_flux=0.0)
    with pytest.raises(ValueError, match="density"):
        SurfaceKinetics(density=0.0, chemical_rate=1.0, sputter=kin.sputter,
                        ion_enhanced=kin.ion_enhanced)
