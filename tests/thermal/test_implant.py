"""Implant profiles.  Range moments: Gibbons, Johnson & Mylroie, *Projected Range
Statistics*, 2nd ed. (1975).  The Pearson distribution (Hobler, Langer & Selberherr,
Solid-State Electron. 30, 445, 1987) must reproduce its four moments; the 2D mask edge
with a Gaussian lateral straggle must give C_open · ½ erfc(-(x - x_edge)/(√2 σ⊥))."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import erfc

from waferlab.thermal.implant import (Moments, gaussian_profile, implant_1d, implant_2d,
                                      pearson4_beta_limit, pearson4_profile, range_moments)
from waferlab.thermal.mesh import make_mesh


def _moments(z, f):
    w = f / f.sum()
    mu = float((z * w).sum())
    s = math.sqrt(float(((z - mu) ** 2 * w).sum()))
    g = float(((z - mu) ** 3 * w).sum()) / s ** 3
    b = float(((z - mu) ** 4 * w).sum()) / s ** 4
    return mu, s, g, b


@pytest.mark.parametrize("ion,energy", [("B", 30), ("B", 100), ("P", 30), ("P", 300),
                                        ("As", 50), ("As", 200), ("BF2", 50)])
def test_pearson_reproduces_table_moments(ion, energy):
    m = range_moments(ion, energy)
    z = np.linspace(m.Rp - 40 * m.dRp, m.Rp + 40 * m.dRp, 200001)
    mu, s, g, b = _moments(z, pearson4_profile(z, m))
    assert mu == pytest.approx(m.Rp, rel=1e-6)
    assert s == pytest.approx(m.dRp, rel=1e-6)
    assert g == pytest.approx(m.gamma, abs=1e-4)
    assert b == pytest.approx(m.beta, rel=1e-4)


def test_pearson_type_iv_branch():
    g = 0.5
    m = Moments(Rp=50e-9, dRp=20e-9, gamma=g, beta=pearson4_beta_limit(g) + 1.0, lateral=0.0)
    z = np.linspace(-2e-6, 2e-6, 400001)
    mu, s, gg, b = _moments(z, pearson4_profile(z, m))
    assert (mu, s, gg) == pytest.approx((50e-9, 20e-9, g), rel=1e-4)
    assert b == pytest.approx(m.beta, rel=2e-3)   # slow power-law tail truncated at ±2 µm


def test_table_values_and_bf2_equivalence():
    m = range_moments("B", 100)          # Gibbons (1975): Rp 0.2990 um, dRp 0.0714 um
    assert (m.Rp, m.dRp) == pytest.approx((0.2990e-6, 0.0714e-6), rel=1e-12)
    bf2 = range_moments("BF2", 100)
    b = range_moments("B", 100 * 10.81 / (10.81 + 2 * 18.998))
    assert bf2 == b
    with pytest.raises(ValueError, match="outside the range table"):
        range_moments("As", 5000)
    with pytest.raises(ValueError, match="known"):
        range_moments("Ge", 50)


@pytest.mark.parametrize("shape", ["gaussian", "pearson4"])
def test_1d_dose_and_gaussian_peak(shape):
    mesh = make_mesh(1e-6, 2001)
    c = implant_1d(mesh.z, "As", 1e19, 100.0, shape=shape)
    assert mesh.dose(c) == pytest.approx(1e19, rel=1e-5)
    if shape == "gaussian":
        m = range_moments("As", 100.0)
        retained = 1 - 0.5 * erfc(m.Rp / (math.sqrt(2) * m.dRp))   # whole dose kept in Si
        assert c.max() == pytest.approx(1e19 / (math.sqrt(2 * math.pi) * m.dRp * retained),
                                        rel=1e-4)
        assert np.allclose(gaussian_profile(m.Rp, m), 1.0)


def test_2d_mask_edge_is_erfc_of_lateral_straggle():
    mesh = make_mesh(0.3e-6, 151, width=2e-6, nx=801)
    x = mesh.x
    mask = x < 1.0e-6                      # opaque on the left half
    c = implant_2d(mesh.z, x, "P", 1e19, 50.0, mask=mask)
    m = range_moments("P", 50.0)
    i = int(np.argmax(c[:, -1]))
    c_open = c[i, -1]
    edge = 1.0e-6 - 0.5 * (x[1] - x[0])   # the box boundary between masked and open nodes
    expect = c_open * 0.5 * erfc(-(x - edge) / (math.sqrt(2) * m.lateral))
    assert np.max(np.abs(c[i] - expect)) < 2e-3 * c_open
    # dose: the open half receives it all (reflective ends conserve)
    assert mesh.dose(c) == pytest.approx(0.5e19, rel=3e-3)


def test_2d_finite_mask_thickness_shifts_profile():
    mesh = make_mesh(0.5e-6, 501, width=1e-6, nx=5)
    thick = np.array([0.0, 0.0, 30e-9, 30e-9, 30e-9])
    m = range_moments("B", 30.0)
    c = implant_2d(mesh.z, mesh.x, "B", 1e19, 30.0, mask=thick,
                   moments=Moments(Rp=m.Rp, dRp=m.dRp, gamma=m.gamma, beta=m.beta, lateral=0.0))
    peak_open = mesh.z[np.argmax(c[:, 0])]
    peak_masked = mesh.z[np.argmax(c[:, 4])]
    assert peak_open - peak_masked == pytest.approx(30e-9, abs=2e-9)
    with pytest.raises(ValueError, match="entries"):
        implant_2d(mesh.z, mesh.x, "B", 1e19, 30.0, mask=np.zeros(3, bool))
