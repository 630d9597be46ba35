"""Energy-dependent Ar⁺/Ar cross sections in the sheath ion Monte Carlo
(``iedf_mc.sheath_ions(cross_section="phelps_ar")``; ``fluid2d.ccp.ion_cross_section: phelps``).

References: A. V. Phelps, J. Appl. Phys. 76, 747 (1994) — the fits of the isotropic and the
backward (charge-transfer) parts of Ar⁺ + Ar scattering; the zero-field reduced mobility of Ar⁺
in Ar measured at 300 K, K₀ = 1.53 cm²/(V s) (H. W. Ellis, R. Y. Pai, E. W. McDaniel,
E. A. Mason, L. A. Viehland, At. Data Nucl. Data Tables 17, 177, 1976), which the momentum-
transfer cross section Q_m = σ_iso + 2σ_cx must reproduce through the first Chapman–Enskog
approximation (accurate to a few % for this interaction); Davis & Vanderslice, Phys. Rev. 131,
219 (1963) for the null-collision sampling."""
from __future__ import annotations

import math

import numpy as np
import pytest

from waferlab.constants import AMU, E_CHARGE, K_B
from waferlab.reactor import iedf_mc as mc

M = 39.948 * 1.66053906660e-27


def test_phelps_cross_sections_give_the_measured_ar_ion_mobility():
    """K₀ = (3e/16N₀)√(2π/μkT)/Q̄_m with Q̄_m the Maxwellian (x²e^{−x}) average of
    Q_m = σ_iso + 2σ_cx at 300 K: within 5 % of the measured 1.53 cm²/(V s)."""
    T = 300.0
    kT = K_B * T
    mu = 39.948 * AMU / 2
    x = np.linspace(1e-5, 40.0, 400001)
    w = x * x * np.exp(-x)
    E_lab = 2.0 * x * kT / E_CHARGE                           # target at rest: E_lab = 2 E_cm
    s_iso, s_cx = mc.phelps_ar_ion_cross_sections(E_lab)
    Q = float(np.trapezoid(w * (s_iso + 2 * s_cx), x) / np.trapezoid(w, x))
    N0 = 101325.0 / (K_B * 273.15)
    K0 = 3 * E_CHARGE / (16 * N0) * math.sqrt(2 * math.pi / (mu * kT)) / Q * 1e4
    assert K0 == pytest.approx(1.53, rel=0.05)
    # charge transfer dominates above a few eV (the "all collisions are charge exchange" limit)
    s_iso, s_cx = mc.phelps_ar_ion_cross_sections(np.array([10.0, 100.0]))
    assert np.all(s_cx > 2 * s_iso)


def test_null_collisions_reproduce_a_constant_cross_section(monkeypatch):
    """A flat table σ_cx = σ_max/2 (half the candidates null) in the DC sheath of uniform ions
    (V_c = 250 V, s/λ = 2 with λ = 1/(n σ_cx)): the mean energy and the collisions per ion within
    3σ of Davis & Vanderslice (1963) — the sampling of the energy-dependent path is unbiased."""
    n_tab = 600
    monkeypatch.setattr(mc, "_phelps_table", lambda m_i: (math.log(1e-2 * E_CHARGE / m_i), 0.02,
                                                          np.full(n_tab, 0.5), np.zeros(n_tab), 2e-18))
    s, Vc, N, s_over = 5e-3, 250.0, 20000, 2.0
    n_gas = s_over / (s * 1e-18)
    r = mc.sheath_ions(Vbar=Vc, s_m=s, mfp=s / s_over, m_i=M, T_e_eV=0.05, frequency=0.0, ions="uniform",
                       drive="dc", T_ion_eV=0.0, T_gas_K=0.0, n_ions=N, seed=3, steps_per_transit=100,
                       cross_section="phelps_ar", n_gas=n_gas)
    assert r.lost == 0
    E = np.linspace(0.0, Vc, 200001)
    mean = float(np.trapezoid(1.0 - mc.davis_vanderslice_cdf(E, Vc, s_over), E)) + math.exp(-s_over) * 0.025
    assert abs(r.mean_energy_eV - mean) < 3 * r.mean_energy_sigma_eV
    assert abs(r.collisions.mean() - s_over) < 3 * math.sqrt(s_over / N) + 0.01 * s_over


def test_phelps_cross_sections_raise_the_mean_energy_of_a_collisional_sheath():
    """The example CCP's centre sheath (V̄ 445 V, s_m 16.3 mm, 10 mTorr at 300 K): σ_cx(E) ≈
    3.5e-19 m² at the sheath's energies is a third of the constant 1e-18 m², so fewer collisions
    and a higher mean energy; every ion arrives."""
    n_g = 10 * 0.133322 / (K_B * 300.0)
    kw = dict(Vbar=445.0, V1=527.0, s_m=16.3e-3, mfp=1 / (n_g * 1e-18), m_i=M, T_e_eV=3.5, frequency=13.56e6,
              n_ions=1500, seed=5)
    c = mc.sheath_ions(**kw)
    p = mc.sheath_ions(**kw, cross_section="phelps_ar", n_gas=n_g)
    assert c.lost == 0 and p.lost == 0
    assert p.collisions.mean() < 0.6 * c.collisions.mean()
    assert p.mean_energy_eV - c.mean_energy_eV > 3 * math.hypot(p.mean_energy_sigma_eV, c.mean_energy_sigma_eV)


def test_bad_cross_section_arguments():
    kw = dict(Vbar=100.0, s_m=1e-3, mfp=1e-3, m_i=M, T_e_eV=1.0, frequency=0.0, drive="dc", n_ions=10)
    with pytest.raises(ValueError, match="cross_section"):
        mc.sheath_ions(**kw, cross_section="hard_sphere")
    with pytest.raises(ValueError, match="n_gas"):
        mc.sheath_ions(**kw, cross_section="phelps_ar")
