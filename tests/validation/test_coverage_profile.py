"""The exact 2D reference on a frozen profile of any shape (``validation.coverage_profile``):
its view factors are Hottel's crossed strings on a rectangle, its ions are the trench
reference's on the same rectangle, its rates there are the trench reference's, and its
front-tracking evolution moves an open flat floor at the model's flat speed."""
import numpy as np
import pytest

from waferlab.feature.flux.radiosity import strip_view_factor
from waferlab.validation.coverage_profile import (coverage_profile, evolve_profile,
                                                  profile_ions, profile_view_factors)
from waferlab.validation.coverage_trench import coverage_trench, trench_ions

from waferlab.feature.registry import get_model_spec
from waferlab.recipe_io import validate_section

NM = 1e-9
W, MASK = 60e-9, 50e-9
# the fluxes of bench/bench_fluorocarbon.py (10^15 cm^-2 s^-1: 56 / 150 / 5), k_ie = 0
FLUX = {"ion_flux": "56e15 cm^-2 s^-1", "etchant_flux": "150e15 cm^-2 s^-1",
        "polymer_flux": "5e15 cm^-2 s^-1", "k_ie": 0}


def _model(**kw):
    spec = validate_section(get_model_spec("fluorocarbon"), {"model": "fluorocarbon", **FLUX, **kw})
    return spec.build(kind="etch", materials=("SiO2", "Mask"), target=None).model


def _rectangle(depth: float, n_wall: int, n_bottom: int) -> np.ndarray:
    """The trench as a polyline from the left end of the mouth (y = 0) to the right."""
    zw = np.linspace(0.0, depth, n_wall + 1)
    xb = np.linspace(0.0, W, n_bottom + 1)
    left = np.c_[np.zeros(n_wall), -zw[:-1]]
    bottom = np.c_[xb[:-1], np.full(n_bottom, -depth)]
    right = np.c_[np.full(n_wall + 1, W), -zw[::-1]]
    return np.vstack([left, bottom, right])


def test_view_factors_are_the_crossed_strings_on_a_rectangle():
    """Quadrature view factors (with visibility) against Hottel's crossed strings, exact on
    a rectangle: every factor within 2e-3 of its row's total and each row sums to 1."""
    P = _rectangle(90 * NM, 9, 6)
    F = profile_view_factors(P, K=16, J=2048)
    a, b = P[:-1], P[1:]
    exact = strip_view_factor(a[:, None], b[:, None], a[None, :], b[None, :])
    t = b - a
    def cross(u, v):
        return u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    colinear = ((np.abs(cross(t[:, None], t[None, :])) < 1e-30)
                & (np.abs(cross(t[:, None], a[None, :] - a[:, None])) < 1e-30))
    exact[colinear] = 0.0
    mouth = strip_view_factor(a, b, P[-1], P[0])
    assert np.allclose(F[:, :-1], exact, atol=2e-3)
    assert np.allclose(F[:, -1], mouth, atol=2e-3)
    assert np.allclose(F.sum(axis=1), 1.0, atol=1e-12)


def test_ions_on_a_rectangle_are_the_trench_references():
    """The polyline ion Monte Carlo and ``trench_ions`` on the same rectangle (walls folded)
    agree within 4 combined standard errors per band."""
    m = _model()
    D = 90 * NM
    P = _rectangle(D, 9, 6)
    mats = np.where(0.5 * (P[:-1, 1] + P[1:, 1]) > -MASK, m.materials.index("Mask"),
                    m.materials.index("SiO2"))
    y, se = profile_ions(m, P, mats, n_ions=400_000)
    t, tse = trench_ions(m, W, D, MASK, n_wall=9, n_bottom=6, n_ions=400_000, seed=7)
    # trench_ions uses cosine-graded strips: compare band totals (length-weighted means)
    zt = D * 0.5 * (1.0 - np.cos(np.pi * np.linspace(0.0, 1.0, 10)))
    xt = W * 0.5 * (1.0 - np.cos(np.pi * np.linspace(0.0, 1.0, 7)))
    for c in ("sp", "ie", "p"):
        wall_p = 0.5 * (y[c][:9] + y[c][15:][::-1]).mean()
        wall_t = float((t[c][:9] * np.diff(zt)).sum() / D)
        bot_p = y[c][9:15].mean()
        bot_t = float((t[c][9:] * np.diff(xt)).sum() / W)
        err_w = 4 * np.hypot(se[c][:9].mean(), tse[c][:9].max())
        err_b = 4 * np.hypot(se[c][9:15].mean(), tse[c][9:].max())
        assert abs(wall_p - wall_t) < err_w, (c, wall_p, wall_t)
        assert abs(bot_p - bot_t) < err_b, (c, bot_p, bot_t)


@pytest.mark.slow
def test_rates_on_a_rectangle_are_the_trench_references():
    """The full fixed point on the rectangle reproduces ``coverage_trench``: SiO2 wall θ_p
    (2 %) and the bottom centre's speed (1 %) under both balance rules."""
    m = _model()
    D = 90 * NM
    P = _rectangle(D, 45, 30)
    cen = 0.5 * (P[:-1] + P[1:])
    mats = np.where(cen[:, 1] > -MASK, m.materials.index("Mask"), m.materials.index("SiO2"))
    x, y = cen[:, 0] - 0.5 * W, cen[:, 1]
    wall = (np.abs(np.abs(x) - 0.5 * W) < 1e-12) & (-y > 55 * NM) & (-y < 80 * NM)
    bottom = (y < -D + 1e-12) & (np.abs(x) < 20 * NM)
    for rules in ("model", "viennaps"):
        p = coverage_profile(m, P, mats, rules=rules, n_ions=300_000, K=8, J=1024)
        t = coverage_trench(m, W, D, MASK, rules=rules, n_wall=60, n_bottom=30,
                            n_ions=300_000)
        assert p.theta["theta_polymer"][wall].mean() == pytest.approx(
            t.wall_mean(t.theta["theta_polymer"], 55 * NM, 80 * NM), rel=0.02)
        assert p.speed[bottom].mean() == pytest.approx(t.bottom_mean(t.speed, 0.0, 20 * NM),
                                                       rel=0.01)
    with pytest.raises(ValueError, match="rules"):
        coverage_profile(m, P, mats, rules="other")


def test_evolving_open_floor_moves_at_the_flat_speed():
    """A floor 2 µm wide between 5 nm mask walls, collimated ions: after 0.6 s its centre
    has moved by the model's flat speed × time (2 %), the mask has not moved."""
    m = _model(ion_exponent=1e7)
    mi, si = m.materials.index("Mask"), m.materials.index("SiO2")
    P0 = np.array([[-1000, 5.0], [-1000, 0.0], [1000, 0.0], [1000, 5.0]]) * NM

    def mat(xy):
        return np.where(np.asarray(xy)[:, 1] > 0.0, mi, si)
    P = evolve_profile(m, P0, 0.6, material_of=mat, held=[mi], spacing=100 * NM,
                       max_step=2 * NM, n_ions=100_000, K=2, J=256)
    centre = np.abs(P[:, 0]) < 500 * NM
    assert -P[centre, 1].mean() == pytest.approx(-m.flat_speed("SiO2") * 0.6, rel=0.02)
    assert np.all(np.abs(np.abs(P[P[:, 1] > 1 * NM, 0]) - 1000 * NM) < 1e-15)
