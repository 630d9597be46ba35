"""Intrinsic diffusion against the analytic solutions of docs/reference-data.md §5
(Plummer, Deal & Griffin, *Silicon VLSI Technology*, 2000, ch. 7):

* constant surface concentration: C = Cs erfc(x/2√(Dt)), Q = 2 Cs √(Dt/π),
  x_j = 2√(Dt) erfc⁻¹(N_B/Cs);
* fixed dose (drive-in, reflecting surface): C = Q/√(πDt) exp(-x²/4Dt).

Tolerances are the issue's acceptance numbers (1 % where C > 1e-3 Cs, x_j 0.5 %,
dose 0.1 %); the spatial order is fitted on three meshes.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import erfc, erfcinv

from waferlab.thermal import Arrhenius, anneal, make_mesh, make_model
from waferlab.thermal.diffusion import TimeStepping, bernoulli
from waferlab.thermal.electrical import junction_depths

D = 2.0e-17          # m²/s (B near 1100 °C)
T_HOLD = 1373.15
MODEL = make_model("intrinsic", {"B": Arrhenius(D0=D, Ea=0.0)})


def _erfc_run(nz: int, t: float = 3600.0, Cs: float = 1e26, rtol: float = 1e-5):
    L = 2 * math.sqrt(D * t)
    mesh = make_mesh(8 * L, nz)
    surf = np.zeros(mesh.n, bool)
    surf[mesh.surface_nodes()] = True
    res = anneal(mesh, {"B": np.zeros(mesh.n)}, MODEL, duration=t,
                 temperature=lambda s: T_HOLD, fixed={"B": (surf, Cs)},
                 numerics=TimeStepping(rtol=rtol))
    return mesh, res.fields["B"], Cs * erfc(mesh.z / L), L


def test_bernoulli_limits():
    x = np.array([-1e-9, 0.0, 1e-9, 2.0, -2.0])
    b = bernoulli(x)
    assert np.allclose(b[:3], 1.0, atol=1e-8)
    assert b[3] == pytest.approx(2 / (math.exp(2) - 1), rel=1e-14)
    assert b[4] - b[3] == pytest.approx(2.0, rel=1e-14)   # B(-x) - B(x) = x


def test_erfc_predeposition_accuracy_and_junction():
    mesh, c, exact, L = _erfc_run(401)
    sel = exact > 1e-3 * 1e26
    err = np.max(np.abs(c[sel] / exact[sel] - 1))
    assert err < 0.01, err
    NB = 1e22
    xj_exact = L * erfcinv(NB / 1e26)
    xj = junction_depths(mesh.z, np.full(mesh.n, NB), c)[0]
    assert abs(xj / xj_exact - 1) < 0.005, xj / xj_exact - 1
    Q = mesh.dose(c)
    assert Q == pytest.approx(2 * 1e26 * math.sqrt(D * 3600.0 / math.pi), rel=2e-3)


def test_erfc_second_order_in_space():
    errs, hs = [], []
    for nz in (81, 161, 321):
        mesh, c, exact, _ = _erfc_run(nz)
        sel = exact > 1e-3 * 1e26
        errs.append(np.max(np.abs(c[sel] - exact[sel])) / 1e26)
        hs.append(mesh.z[1])
    slope = np.polyfit(np.log(hs), np.log(errs), 1)[0]
    assert 1.8 < slope < 2.3, (slope, errs)


def _gauss(z, Q, Dt):
    return Q / math.sqrt(math.pi * Dt) * np.exp(-z * z / (4 * Dt))


@pytest.mark.parametrize("nz", [401])
def test_gaussian_drive_in_dose_and_profile(nz):
    Q, Dt0, t = 1e19, 1e-15, 7200.0
    Dt1 = Dt0 + D * t
    mesh = make_mesh(12 * math.sqrt(Dt1), nz)
    c0 = _gauss(mesh.z, Q, Dt0)
    res = anneal(mesh, {"B": c0}, MODEL, duration=t, temperature=lambda s: T_HOLD,
                 numerics=TimeStepping(rtol=1e-5))
    c = res.fields["B"]
    exact = _gauss(mesh.z, Q, Dt1)
    assert abs(mesh.dose(c) / mesh.dose(c0) - 1) < 1e-3         # conserved (to round-off)
    sel = exact > 1e-3 * exact[0]
    assert np.max(np.abs(c[sel] / exact[sel] - 1)) < 0.01
    NB = 1e-3 * exact[0]
    xj_exact = 2 * math.sqrt(Dt1) * math.sqrt(math.log(exact[0] / NB))
    xj = junction_depths(mesh.z, np.full(mesh.n, NB), c)[0]
    assert abs(xj / xj_exact - 1) < 0.005


def test_gaussian_second_order_in_space():
    Q, Dt0, t = 1e19, 2e-15, 3600.0
    Dt1 = Dt0 + D * t
    errs, hs = [], []
    for nz in (61, 121, 241):
        mesh = make_mesh(10 * math.sqrt(Dt1), nz)
        res = anneal(mesh, {"B": _gauss(mesh.z, Q, Dt0)}, MODEL, duration=t,
                     temperature=lambda s: T_HOLD, numerics=TimeStepping(rtol=1e-6))
        exact = _gauss(mesh.z, Q, Dt1)
        errs.append(np.max(np.abs(res.fields["B"] - exact)) / exact[0])
        hs.append(mesh.z[1])
    slope = np.polyfit(np.log(hs), np.log(errs), 1)[0]
    assert 1.8 < slope < 2.3, (slope, errs)


def test_temperature_ramp_equals_integrated_dt():
    """A linear ramp: the Gaussian broadens by ∫D(T(t))dt (exact for constant-in-space D)."""
    model = make_model("intrinsic")  # B: 1.0 cm²/s, 3.5 eV
    from waferlab.thermal.dopants import DOPANTS
    from scipy.integrate import quad

    T0, T1, t = 1173.15, 1373.15, 120.0
    Tf = lambda s: T0 + (T1 - T0) * s / t
    Dt_ramp = quad(lambda s: DOPANTS["B"].intrinsic(Tf(s)), 0, t, epsrel=1e-12)[0]
    Q, Dt0 = 1e19, 1e-15
    Dt1 = Dt0 + Dt_ramp
    mesh = make_mesh(12 * math.sqrt(Dt1), 301)
    res = anneal(mesh, {"B": _gauss(mesh.z, Q, Dt0)}, model, duration=t, temperature=Tf,
                 numerics=TimeStepping(rtol=1e-5))
    exact = _gauss(mesh.z, Q, Dt1)
    sel = exact > 1e-3 * exact[0]
    assert np.max(np.abs(res.fields["B"][sel] / exact[sel] - 1)) < 0.01


def test_2d_laterally_uniform_equals_1d():
    mesh1 = make_mesh(1e-6, 101)
    mesh2 = make_mesh(1e-6, 101, width=0.5e-6, nx=9)
    c0 = _gauss(mesh1.z, 1e19, 1e-15)
    r1 = anneal(mesh1, {"B": c0}, MODEL, duration=1800.0, temperature=lambda s: T_HOLD)
    r2 = anneal(mesh2, {"B": np.repeat(c0, 9)}, MODEL, duration=1800.0,
                temperature=lambda s: T_HOLD)
    c2 = r2.fields["B"].reshape(mesh2.shape)
    assert np.allclose(c2, r1.fields["B"][:, None], rtol=1e-9, atol=1e-12 * c0.max())


def test_2d_point_source_spreads_isotropically():
    """A narrow 2D Gaussian (far from walls) keeps its total dose and grows σ² = σ0² + 2Dt
    equally in x and z."""
    mesh = make_mesh(1.6e-6, 81, width=1.6e-6, nx=81)
    Z, X = np.meshgrid(mesh.z, mesh.x, indexing="ij")
    s0 = 0.08e-6
    c0 = np.exp(-((Z - 0.8e-6) ** 2 + (X - 0.8e-6) ** 2) / (2 * s0 * s0)) * 1e24
    t = 1800.0
    r = anneal(mesh, {"B": c0.ravel()}, MODEL, duration=t, temperature=lambda s: T_HOLD,
               numerics=TimeStepping(rtol=1e-5))
    c = r.fields["B"].reshape(mesh.shape)
    assert mesh.dose(c) == pytest.approx(mesh.dose(c0), rel=1e-12)
    w = c / c.sum()
    var_z = float((w * (Z - 0.8e-6) ** 2).sum())
    var_x = float((w * (X - 0.8e-6) ** 2).sum())
    expect = s0 * s0 + 2 * D * t
    assert var_z == pytest.approx(expect, rel=0.01)
    assert var_x == pytest.approx(expect, rel=0.01)
