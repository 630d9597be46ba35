"""Resist chain against closed forms.

Dill B = 0 (Dill et al., IEEE Trans. Electron Devices 22, 445, 1975; docs/reference-data.md §4):
M = 1 / [1 + (e^{C E} - 1) e^{-A z}]; Mack rate (Mack, J. Electrochem. Soc. 134, 148, 1987).
"""
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from waferlab.litho.resist import (Dill, MackRate, Peb, _diffuse, _react, developed_height,
                                   development_time, dill_closed_form, dill_exposure,
                                   post_exposure_bake, threshold_height)

A, C, DOSE = 0.8e6, 0.015e-4 / 1e-3, 100e-3 / 1e-4        # 0.8/um, 0.015 cm^2/mJ, 100 mJ/cm^2
CHECK = {0.0: 0.22313, 0.5e-6: 0.29995, 1.0e-6: 0.38995}


def test_dill_closed_form_check_values():
    for z, ref in CHECK.items():
        assert abs(dill_closed_form(z, DOSE, A=A, C=C) - ref) < 1e-4


def test_dill_solver_matches_closed_form_and_converges_second_order():
    errs, hs = [], [0.1e-6, 0.05e-6, 0.025e-6]
    for dz in hs:
        steps = int(round(2e-6 / dz))
        m, z = dill_exposure(np.ones(1), dose=DOSE, dill=Dill(A=A, B=0.0, C=C), thickness=1e-6,
                             dz=dz, steps=steps)
        exact = dill_closed_form(z, DOSE, A=A, C=C)
        errs.append(np.max(np.abs(m[:, 0] - exact)))
        for zc, ref in CHECK.items():
            assert abs(np.interp(zc, z, m[:, 0]) - ref) < 1e-4
    order = np.polyfit(np.log(hs), np.log(errs), 1)[0]
    assert 1.8 < order < 2.3, (errs, order)


def test_dill_b_only_is_beer_lambert_without_bleaching():
    m, z = dill_exposure(np.array([0.5, 1.0]), dose=DOSE, dill=Dill(A=0.0, B=2e6, C=C),
                         thickness=1e-6, dz=1e-8, steps=200)
    exact = np.exp(-C * DOSE * np.exp(-2e6 * z)[:, None] * np.array([0.5, 1.0]))
    assert np.max(np.abs(m - exact)) < 1e-5


def test_mack_rate_exact_values():
    r = MackRate(rmax=100e-9, rmin=0.1e-9, n=5.0, m_th=0.5)
    a = 6.0 / 4.0 * 0.5 ** 5                                    # 0.046875
    assert r(0.0) == pytest.approx(100.1e-9, rel=1e-15)
    assert r(1.0) == pytest.approx(0.1e-9, rel=1e-15)
    assert r(0.5) == pytest.approx(41.975e-9, rel=1e-14)        # 100 * 1.046875 * 0.03125/0.078125 + 0.1
    m = 0.3
    assert r(m) == pytest.approx(100e-9 * (a + 1) * 0.7 ** 5 / (a + 0.7 ** 5) + 0.1e-9, rel=1e-15)
    assert np.all(np.diff(r(np.linspace(0, 1, 50))) < 0)


def test_peb_diffusion_of_a_cosine_mode_is_exact():
    nx, dx, nz, T = 64, 2e-9, 21, 100e-9
    x = dx * np.arange(nx)
    z = np.linspace(0, T, nz)
    f = 0.5 + 0.2 * np.cos(2 * np.pi * x / (nx * dx))[None, :] * np.cos(np.pi * z / T)[:, None]
    D, t = 1e-17, 30.0
    g = _diffuse(f, D, t, (z[1], dx))
    k2 = (2 * np.pi / (nx * dx)) ** 2 + (np.pi / T) ** 2
    ref = 0.5 + (f - 0.5) * np.exp(-D * k2 * t)
    assert np.max(np.abs(g - ref)) < 1e-13
    assert abs(g.mean() - f.mean()) < 1e-14


def test_acid_quencher_reaction_matches_ode():
    k = 0.8
    for h0, q0 in [(0.6, 0.2), (0.2, 0.6), (0.4, 0.4)]:
        sol = solve_ivp(lambda t, y: [-k * y[0] * y[1]] * 2, (0, 5.0), [h0, q0], rtol=1e-12, atol=1e-14)
        h, q = _react(np.array([h0]), np.array([q0]), k, 5.0)
        assert abs(h[0] - sol.y[0, -1]) < 1e-9 and abs(q[0] - sol.y[1, -1]) < 1e-9


def test_deprotection_without_quencher_or_diffusion():
    m_exp = np.full((3, 4), 0.3)                 # h = 0.7
    m, h = post_exposure_bake(m_exp, peb=Peb(time=60.0, k_amp=0.05), spacing=(1e-9, 1e-9))
    assert np.max(np.abs(m - np.exp(-0.05 * 0.7 * 60))) < 1e-14


def test_peb_splitting_converges_second_order():
    nx, dx = 64, 2e-9
    x = dx * np.arange(nx)
    m_exp = (0.5 + 0.4 * np.cos(2 * np.pi * x / (nx * dx)))[None, :].repeat(5, 0)
    peb = Peb(time=60.0, acid_diffusivity=2e-19, quencher=0.2, quencher_diffusivity=1e-19,
              k_amp=0.05, k_quench=0.5)
    ref, _ = post_exposure_bake(m_exp, peb=peb, spacing=(5e-9, dx), steps=512)
    steps = [4, 8, 16]
    errs = [np.max(np.abs(post_exposure_bake(m_exp, peb=peb, spacing=(5e-9, dx), steps=s)[0] - ref))
            for s in steps]
    order = -np.polyfit(np.log(steps), np.log(errs), 1)[0]
    assert 1.8 < order < 2.3, (errs, order)


def test_development_constant_rate_front_depth():
    nz, T = 51, 100e-9
    rate = np.full((nz, 8), 1e-9)
    arrival = development_time(rate, spacing=(T / (nz - 1), 2e-9))
    z = np.linspace(0, T, nz)
    assert np.max(np.abs(arrival - (z / 1e-9)[:, None])) < 1e-9
    h = developed_height(arrival, t_dev=37.3, thickness=T)
    assert np.max(np.abs(h - (T - 37.3e-9))) < 1e-15
    assert np.all(developed_height(arrival, t_dev=500.0, thickness=T) == 0.0)


def test_development_depth_varying_rate_converges():
    """R(z) = R0 (1 + z / L): T(z) = L / R0 ln(1 + z / L)."""
    T, R0, L = 100e-9, 1e-9, 40e-9
    errs, hs = [], []
    for nz in (26, 51, 101):
        z = np.linspace(0, T, nz)
        rate = (R0 * (1 + z / L))[:, None].repeat(4, 1)
        arrival = development_time(rate, spacing=(z[1], 1e-9))
        exact = L / R0 * np.log1p(z / L)
        errs.append(np.max(np.abs(arrival[:, 0] - exact)))
        hs.append(z[1])
    order = np.polyfit(np.log(hs), np.log(errs), 1)[0]
    assert order > 1.6, (errs, order)                       # second-order fast marching
    assert errs[-1] < 0.01 * exact[-1]


def test_threshold_resist_tones():
    e = np.array([0.1, 0.3, 0.5])
    assert np.all(threshold_height(e, threshold=0.3, thickness=1.0) == [1.0, 0.0, 0.0])
    assert np.all(threshold_height(e, threshold=0.3, thickness=1.0, tone="negative") == [0.0, 1.0, 1.0])


def test_spec_units_and_errors():
    from waferlab.errors import RecipeError
    from waferlab.litho.spec import ResistSpec
    from waferlab.recipe_io import validate_section

    r = validate_section(ResistSpec, {"thickness": "1 um", "dill": {"A": "0.8 1/um", "C": "0.015 cm^2/mJ"},
                                      "dose": "100 mJ/cm^2"})
    assert r.dill.A == pytest.approx(A) and r.dill.C == pytest.approx(C) and r.dose == pytest.approx(DOSE)
    with pytest.raises(RecipeError, match=r"resist.dill.A"):
        validate_section(ResistSpec, {"thickness": "1 um", "dill": {"A": "0.8 nm"}}, "resist")
    with pytest.raises(RecipeError, match=r"resist.dill.C.*no unit"):
        validate_section(ResistSpec, {"thickness": "1 um", "dill": {"C": 0.015}}, "resist")


def test_depth_resolved_exposure_reduces_to_plain_and_uses_planes():
    i0 = np.array([0.3, 1.0])
    plain, z = dill_exposure(i0, dose=DOSE, dill=Dill(A=A, B=1e5, C=C), thickness=0.2e-6, dz=0.02e-6)
    same, _ = dill_exposure(np.broadcast_to(i0, (len(z), 2)), dose=DOSE, dill=Dill(A=A, B=1e5, C=C),
                            thickness=0.2e-6, dz=0.02e-6, depth_resolved=True)
    assert np.max(np.abs(plain - same)) < 1e-15
    ramp = np.linspace(1.0, 0.5, len(z))[:, None] * i0[None, :]   # image fading with depth
    deep, _ = dill_exposure(ramp, dose=DOSE, dill=Dill(A=A, B=1e5, C=C), thickness=0.2e-6,
                            dz=0.02e-6, depth_resolved=True)
    assert np.all(deep[1:] > plain[1:]) and np.allclose(deep[0], plain[0])


def test_image_planes_follow_focus_through_the_resist():
    from waferlab.litho.imaging import aerial_image
    from waferlab.litho.pipeline import _depth_images, compute_image
    from waferlab.litho.spec import LithoSpec
    from waferlab.recipe_io import validate_section

    spec = validate_section(LithoSpec, {
        "optics": {"wavelength": "193 nm", "na": 0.9, "source": {"shape": "circular", "sigma": 0.5}},
        "mask": {"type": "grating", "pitch": "200 nm"}, "image": {"pixel": "2 nm"},
        "resist": {"thickness": "300 nm", "mode": "full", "dz": "10 nm", "image_planes": 4, "index": 1.5}})
    img = compute_image(spec)
    stack = _depth_images(spec, img)
    bottom = aerial_image(img.mask, img.optics, img.source, focus=[300e-9 / 1.5])[0]
    assert np.max(np.abs(stack[0] - img.intensity)) < 1e-12
    assert np.max(np.abs(stack[-1] - bottom)) < 1e-12
    assert np.ptp(stack[-1]) < np.ptp(stack[0])                   # defocused at the bottom
