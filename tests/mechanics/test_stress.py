"""Stoney's equation (Stoney, Proc. R. Soc. A 82, 172, 1909) both ways, thermal
mismatch σ = M_f (α_s - α_f) ΔT (docs/reference-data.md §5), and thin multilayer stacks
(Freund & Suresh, *Thin Film Materials*, 2003, §2.3).  All exact."""
from __future__ import annotations


import pytest

from waferlab.mechanics import (SI100_BIAXIAL_MODULUS, Film, bow, stack_curvature,
                                stoney_curvature, stoney_stress, stress_history,
                                thermal_mismatch_stress)


def test_stoney_value_and_inverse():
    hs, hf, R = 725e-6, 1e-6, 50.0
    sigma = stoney_stress(1 / R, film_thickness=hf, substrate_thickness=hs)
    assert sigma == pytest.approx(180.5e9 * hs ** 2 / (6 * hf * R), rel=1e-15)
    assert sigma == pytest.approx(3.162510e8, rel=1e-6)   # 316.25 MPa
    for s in (-1e9, -2e7, 0.0, 3e8):
        k = stoney_curvature(s, film_thickness=hf, substrate_thickness=hs)
        assert stoney_stress(k, film_thickness=hf, substrate_thickness=hs) == pytest.approx(s, abs=1e-6)
    with pytest.raises(ValueError):
        stoney_curvature(1e8, film_thickness=0.0, substrate_thickness=hs)


def test_thermal_mismatch_constant_alpha_exact():
    E, nu, af, as_ = 70e9, 0.17, 0.5e-6, 2.6e-6
    s = thermal_mismatch_stress(300.0, T0=1273.15, film_modulus=E, film_poisson=nu,
                                alpha_film=af, alpha_substrate=as_)
    assert s == pytest.approx(E / (1 - nu) * (as_ - af) * (300.0 - 1273.15), rel=1e-14)
    assert s < 0    # thermal oxide on Si is compressive at room temperature


def test_thermal_mismatch_temperature_dependent_alpha():
    a_s = lambda T: 2.6e-6 + 1e-9 * (T - 300.0)
    s = thermal_mismatch_stress(1000.0, T0=300.0, film_modulus=100e9, film_poisson=0.25,
                                alpha_film=1e-6, alpha_substrate=a_s)
    integral = 2.6e-6 * 700 + 1e-9 * 700 ** 2 / 2 - 1e-6 * 700
    assert s == pytest.approx(100e9 / 0.75 * integral, rel=1e-12)


def test_history_and_stack():
    oxide = Film(thickness=0.5e-6, modulus=70e9, poisson=0.17, alpha=0.5e-6, T_deposit=1273.15)
    nitride = Film(thickness=0.1e-6, intrinsic_stress=1.0e9, modulus=250e9, poisson=0.23,
                   alpha=3.3e-6, T_deposit=1073.15)
    hist = stress_history([1273.15, 800.0, 300.0], oxide)
    assert hist[0] == 0.0 and hist[2] < hist[1] < 0
    hs = 725e-6
    k = stack_curvature([oxide, nitride], 300.0, substrate_thickness=hs)
    k_sum = sum(stoney_curvature(f.stress(300.0, 2.6e-6), film_thickness=f.thickness,
                                 substrate_thickness=hs) for f in (oxide, nitride))
    assert k == pytest.approx(k_sum, rel=1e-15)
    assert bow(k, 0.3) == pytest.approx(k * 0.3 ** 2 / 8)
    assert SI100_BIAXIAL_MODULUS == 180.5e9
