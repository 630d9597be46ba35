"""Ion Monte Carlo through a (collisional) RF sheath (waferlab.reactor.iedf_mc).

References: Davis & Vanderslice, Phys. Rev. 131, 219 (1963) — the charge-exchange energy
distribution at the cathode of a DC sheath with a linear field and a constant mean free path
(eq. 2 of the module); Lieberman, IEEE Trans. Plasma Sci. 16, 638 (1988) and 17, 338 (1989) —
the sheaths' ion charge, checked through V̄/V_peak of sheath_rf; the collisionless bimodal IEDF
of waferlab.reactor.sheath (its low-frequency limit is exact: E = T_e/2 + V(t)).  Monte Carlo
tolerances are 3σ with σ computed from the binomial/sample variance."""
from __future__ import annotations

import math

import numpy as np
import pytest

from waferlab.reactor import iedf_mc as mc
from waferlab.reactor import sheath as sh
from waferlab.reactor.sheath_rf import charge_profile, rf_sheath_numbers

M = 39.948 * 1.66053906660e-27


def _dc(s_over_mfp, n=40000, seed=1, Vc=250.0, **kw):
    s = 5e-3
    return mc.sheath_ions(Vbar=Vc, s_m=s, mfp=s / s_over_mfp if s_over_mfp else math.inf, m_i=M, T_e_eV=0.05,
                          frequency=0.0, ions="uniform", drive="dc", T_ion_eV=0.0, T_gas_K=0.0, n_ions=n,
                          seed=seed, steps_per_transit=100, **kw)


@pytest.mark.parametrize("s_over_mfp", [2.0, 5.0])
def test_dc_sheath_matches_davis_and_vanderslice(s_over_mfp):
    """Uniform ion density (linear field, V_c = 250 V), ions born at rest, constant λ: the counts
    in 12 energy bins and the uncollided peak within 3σ = 3√(N p(1−p)) of Davis & Vanderslice's
    F(E) = 1 − exp[−(s/λ)(1 − √(1 − E/eV_c))]; the mean within 3 standard errors of its integral;
    the mean number of collisions within 3σ of s/λ (Poisson, straight paths)."""
    N, Vc = 40000, 250.0
    r = _dc(s_over_mfp, N, Vc=Vc)
    assert r.lost == 0 and r.energy_eV.size == N
    edges = np.append(np.linspace(0.0, Vc, 13)[:-1], [Vc - 0.02, 1e9])   # last bin: the uncollided (eV_c + T_e/2)
    c, _ = np.histogram(r.energy_eV, edges)
    p = np.diff(mc.davis_vanderslice_cdf(edges, Vc, s_over_mfp))
    z = (c - N * p) / np.sqrt(N * p * (1 - p))
    assert np.all(np.abs(z) < 3.0), z
    assert 1 - mc.davis_vanderslice_cdf(Vc * (1 - 1e-12), Vc, s_over_mfp) == pytest.approx(math.exp(-s_over_mfp),
                                                                                      rel=1e-4)
    E = np.linspace(0.0, Vc, 200001)
    F = mc.davis_vanderslice_cdf(E, Vc, s_over_mfp)
    mean = float(np.trapezoid(1.0 - F, E)) + math.exp(-s_over_mfp) * 0.025      # + T_e/2 of the uncollided
    assert abs(r.mean_energy_eV - mean) < 3 * r.mean_energy_sigma_eV
    assert abs(r.collisions.mean() - s_over_mfp) < 3 * math.sqrt(s_over_mfp / N) + 0.01 * s_over_mfp


def test_collisionless_dc_sheath_gives_every_ion_the_full_drop():
    """Energy conservation of the integrator: eV_c + T_e/2 to 1e-4 for every ion (linear field and
    the collisionless Child-like charge of Lieberman 1988)."""
    for ions in ("uniform", "collisionless"):
        r = mc.sheath_ions(Vbar=300.0, s_m=3e-3, mfp=math.inf, m_i=M, T_e_eV=2.0, frequency=0.0, ions=ions,
                           drive="dc", T_ion_eV=0.0, n_ions=2000, seed=4)
        assert r.lost == 0 and np.all(r.collisions == 0)
        assert r.energy_eV == pytest.approx(301.0, rel=1e-4)


@pytest.mark.parametrize("ions", ["collisionless", "collisional", "uniform"])
def test_charge_profile_is_the_sheath_solutions(ions):
    """The ion charge q(x)/q₀ of sheath_rf.charge_profile driven by its own current
    (q̂_f = 1 − cos ωt) gives V̄/V_peak of the sheath solution (54/125 for Lieberman 1988,
    0.4014 for 1989, 3/8 for uniform ions) to 1e-3, and the voltage drive gives
    V(t) ∝ 1 + r cos ωt to 1e-3."""
    q = charge_profile(ions)
    xs = np.linspace(0.0, 1.0, q.size)

    def V(f):
        return float(np.trapezoid(np.maximum(q - f, 0.0), xs))
    cur = mc.front_table(q, "current", n_phase=512)
    Vt = np.array([V(f) for f in cur])
    assert Vt.mean() / Vt[0] == pytest.approx(rf_sheath_numbers(ions, n_phase=8)["Vbar_over_Vpeak"], abs=1e-3)
    r = 0.9
    vol = mc.front_table(q, "voltage", r, n_phase=256)
    th = 2 * np.pi * np.arange(256) / 256
    Vv = np.array([V(f) for f in vol]) / V(0.0)
    assert Vv == pytest.approx((1 + r * np.cos(th)) / (1 + r), abs=1e-3)


def test_low_frequency_limit_is_the_bimodal_iedf():
    """τ_ion ≪ T_rf (100 kHz, 2 mm): every ion gets T_e/2 + V(t) with V = V̄ + V₁ cos ωt, the
    arcsine IEDF of sheath.iedf with ΔE = 2V₁ (iedf_splitting's low-frequency limit): the
    Kolmogorov–Smirnov distance of the MC to it below 1.63/√N (1 %) + the 1 eV grid."""
    Vbar, V1, Te, f = 200.0, 150.0, 3.0, 1e5
    N = 20000
    r = mc.sheath_ions(Vbar=Vbar, V1=V1, s_m=2e-3, mfp=math.inf, m_i=M, T_e_eV=Te, frequency=f,
                       ions="collisional", drive="voltage", T_ion_eV=0.0, n_ions=N, seed=5)
    assert float(sh.iedf_splitting(V1, Vbar, 2e-3 / 1.34, M, f)) == pytest.approx(2 * V1, rel=2e-3)
    d = sh.iedf(Vbar + Te / 2, 2 * V1, spread_eV=0.05, n=4001)
    F_mc = np.searchsorted(np.sort(r.energy_eV), d.x) / N
    assert np.max(np.abs(F_mc - d.cdf())) < 1.63 / math.sqrt(N) + 0.01
    assert r.energy_eV.min() == pytest.approx(Vbar - V1 + Te / 2, abs=1.0)
    assert r.energy_eV.max() == pytest.approx(Vbar + V1 + Te / 2, abs=1.0)


def test_high_frequency_splitting_falls_as_one_over_frequency():
    """ωτ_ion ≫ 1 (collisionless, the example's sheath at 13.56 and 27.12 MHz): the mean is
    T_e/2 + V̄ (within 3 standard errors + 0.3 %), the peak splitting (0.5–99.5 % of the energies)
    halves when the frequency doubles (±6 %), and it is 0.55–0.80 of sheath.iedf_splitting's
    (the moving-front sheath of the MC against the fixed-width Child sheath of that formula,
    docs/reactor.md)."""
    Vbar, V1, s, Te = 472.0, 468.0, 18.3e-3, 3.0
    out = []
    for f in (13.56e6, 27.12e6):
        r = mc.sheath_ions(Vbar=Vbar, V1=V1, s_m=s, mfp=math.inf, m_i=M, T_e_eV=Te, frequency=f,
                           ions="collisional", drive="voltage", n_ions=6000, seed=6, steps_per_period=60)
        assert abs(r.mean_energy_eV - (Vbar + Te / 2)) < 3 * r.mean_energy_sigma_eV + 0.003 * Vbar
        lo, hi = np.percentile(r.energy_eV, [0.5, 99.5])
        out.append((hi - lo, float(sh.iedf_splitting(V1, Vbar, s / 1.33872, M, f))))
    assert out[1][0] / out[0][0] == pytest.approx(0.5, rel=0.06)
    assert 0.55 < out[0][0] / out[0][1] < 0.80


def test_mean_energy_falls_with_collisionality_and_every_ion_arrives():
    """The example's RF sheath at s_m/λ = 0 … 8: no ion lost or created (the flux is conserved),
    the mean energy falls monotonically (each step by more than 3σ of the difference), the
    fraction of uncollided ions (within 10 % of T_e/2 + V̄) within 3σ of e^{−s/λ}-ish bounds."""
    Vbar, V1, s, Te = 472.0, 468.0, 18.3e-3, 3.0
    N = 3000
    means, sig = [], []
    for k, sl in enumerate((0.0, 0.5, 1.0, 2.0, 4.0, 8.0)):
        r = mc.sheath_ions(Vbar=Vbar, V1=V1, s_m=s, mfp=s / sl if sl else math.inf, m_i=M, T_e_eV=Te,
                           frequency=13.56e6, ions="collisional", drive="voltage", n_ions=N, seed=10 + k,
                           steps_per_period=50)
        assert r.lost == 0 and r.energy_eV.size == N and r.injected == N
        means.append(r.mean_energy_eV)
        sig.append(r.mean_energy_sigma_eV)
        shape = mc.iedf_shape(r.energy_eV, r.angle_rad, Vbar + Te / 2)
        # uncollided ions arrive above 0.9 E; collided ones mostly below: P(no collision) ≤ fraction
        assert shape["fraction_above_0.9E"] > math.exp(-sl) - 3 * math.sqrt(math.exp(-sl) / N)
    d = np.diff(means)
    assert np.all(-d > 3 * np.hypot(sig[1:], sig[:-1])), means


def test_same_seed_same_ions_and_collisions_broaden_the_angles():
    """Same seed → identical ions; another seed → different; the angular spread grows with s/λ
    (cold charge-exchange ions); the distributions are normalised."""
    kw = dict(Vbar=300.0, V1=290.0, s_m=8e-3, m_i=M, T_e_eV=3.0, frequency=13.56e6, n_ions=2000,
              steps_per_period=50)
    a = mc.sheath_ions(mfp=2e-3, seed=3, **kw)
    b = mc.sheath_ions(mfp=2e-3, seed=3, **kw)
    c = mc.sheath_ions(mfp=2e-3, seed=4, **kw)
    assert np.array_equal(a.energy_eV, b.energy_eV) and not np.array_equal(a.energy_eV, c.energy_eV)
    free = mc.sheath_ions(mfp=math.inf, seed=3, **kw)
    assert np.median(a.angle_rad) > 1.5 * np.median(free.angle_rad)
    E, A = mc.ion_distributions(a.energy_eV, a.angle_rad)
    assert np.trapezoid(E.pdf, E.x) == pytest.approx(1.0, rel=1e-12)
    assert np.trapezoid(A.pdf, A.x) == pytest.approx(1.0, rel=1e-12)
    assert E.mean() == pytest.approx(a.mean_energy_eV, rel=5e-3)
    with pytest.raises(ValueError, match="drive"):
        mc.front_table(charge_profile("uniform"), "bogus")
