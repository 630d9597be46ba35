"""Sheath formulas, RF self-bias, IEDF splitting and IADF.

References: Lieberman & Lichtenberg (2005) ch. 6 and §11.1 (Bohm criterion, floating
wall, Child law, capacitive self-bias); Benoit-Cattin & Bernard, J. Appl. Phys. 39,
5723 (1968) and Kawamura et al., Plasma Sources Sci. Technol. 8, R45 (1999) (IEDF
peak splitting).  Independent checks: Child current = Bohm current, the zero-current
condition by quadrature, and ion trajectories integrated through an oscillating
Child-law sheath.
"""
import math

import numpy as np
import pytest
from scipy.integrate import quad

from waferlab.constants import AMU, E_CHARGE, EPS0, EV, M_E
from waferlab.reactor import sheath as sh

M = 39.948 * AMU


def test_bohm_and_floating():
    Te = 3.0
    assert sh.bohm_velocity(Te, M) == pytest.approx(math.sqrt(EV * Te / M), rel=1e-12)
    # floating: Boltzmann electron flux (1/4) n_s e^{-V/Te} vbar_e equals Bohm flux n_s u_B
    V = sh.floating_sheath_voltage(Te, M)
    vbar_e = math.sqrt(8 * EV * Te / (math.pi * M_E))
    assert 0.25 * vbar_e * math.exp(-V / Te) == pytest.approx(math.sqrt(EV * Te / M), rel=1e-10)
    assert sh.floating_potential(Te, M) == pytest.approx(-(V + Te / 2), rel=1e-12)
    assert V / Te == pytest.approx(4.68, abs=0.01)          # argon: L&L quote V_s ≈ 4.7 T_e


def test_child_law_current_equals_bohm_current():
    """J = (4/9) ε0 √(2e/M) V^{3/2}/s² must equal e n_s u_B at the Child thickness."""
    for n_s, Te, V in [(1e16, 3.0, 100.0), (3e17, 4.5, 500.0), (1e15, 2.0, 30.0)]:
        s = sh.child_sheath_thickness(V, n_s, Te)
        J_child = 4.0 / 9.0 * EPS0 * math.sqrt(2 * E_CHARGE / M) * V ** 1.5 / s ** 2
        assert J_child == pytest.approx(E_CHARGE * n_s * sh.bohm_velocity(Te, M), rel=1e-10)


@pytest.mark.parametrize("Vrf", [0.5, 5.0, 50.0, 300.0])
def test_self_bias_zero_net_current(Vrf):
    """⟨exp(-(V̄ - V_rf sin φ)/T_e)⟩_φ = exp(-V_s,float/T_e) (quadrature over one period)."""
    Te = 3.0
    Vbar = sh.mean_sheath_voltage(Vrf, Te, M)
    Vf = sh.floating_sheath_voltage(Te, M)
    avg = quad(lambda p: math.exp(-(Vbar - Vf - Vrf * math.sin(p)) / Te), 0, 2 * math.pi,
               limit=200)[0] / (2 * math.pi)
    assert avg == pytest.approx(1.0, rel=1e-8)
    assert sh.dc_self_bias(Vrf, Te, M) == pytest.approx(sh.plasma_potential(Te, M) - Te / 2 - Vbar)


def _trajectory_energies(Vbar, Vrf, freq, s, m, n_phase=256, steps_per_period=400):
    """Energies (eV) of ions crossing a fixed Child-law sheath φ = -V(t)(x/s)^{4/3}."""
    omega = 2 * math.pi * freq
    phases = 2 * math.pi * (np.arange(n_phase) + 0.5) / n_phase
    tau = sh.ion_transit_time(s, Vbar, m)
    dt = min(1 / freq / steps_per_period, tau / 2000)
    x = np.zeros(n_phase)
    v = np.full(n_phase, math.sqrt(EV * 3.0 / m))
    t = 0.0
    out = np.full(n_phase, np.nan)
    done = np.zeros(n_phase, bool)

    def acc(x, t):
        V = Vbar + Vrf * np.sin(omega * t + phases)
        return E_CHARGE * V * (4 / 3) * np.maximum(x, 0) ** (1 / 3) / s ** (4 / 3) / m

    while not done.all():
        k1x, k1v = v, acc(x, t)
        k2x, k2v = v + 0.5 * dt * k1v, acc(x + 0.5 * dt * k1x, t + 0.5 * dt)
        k3x, k3v = v + 0.5 * dt * k2v, acc(x + 0.5 * dt * k2x, t + 0.5 * dt)
        k4x, k4v = v + dt * k3v, acc(x + dt * k3x, t + dt)
        x = x + dt / 6 * (k1x + 2 * k2x + 2 * k3x + k4x)
        v = v + dt / 6 * (k1v + 2 * k2v + 2 * k3v + k4v)
        t += dt
        new = (x >= s) & ~done
        out[new] = 0.5 * m * v[new] ** 2 / EV
        done |= new
        if t > 50 * tau:
            raise RuntimeError("ions did not cross the sheath")
    return out


def test_iedf_low_frequency_splitting_is_twice_the_rf_amplitude():
    Vbar, Vrf, s = 200.0, 150.0, 2e-3
    f = 1e4                                   # T_rf ≫ τ_ion
    dE = float(sh.iedf_splitting(Vrf, Vbar, s, M, f))
    assert dE == pytest.approx(2 * Vrf, rel=1e-3)
    E = _trajectory_energies(Vbar, Vrf, f, s, M)
    assert E.max() - E.min() == pytest.approx(2 * Vrf, rel=0.01)
    dist = sh.iedf(Vbar + 1.5, dE, spread_eV=0.5)
    x, p = dist.x, dist.pdf
    mid = Vbar + 1.5
    lo, hi = x[np.argmax(np.where(x < mid, p, 0))], x[np.argmax(np.where(x > mid, p, 0))]
    assert hi - lo == pytest.approx(2 * Vrf, abs=2.0)       # peaks sit at E_mean ± V_rf


def test_iedf_high_frequency_splitting_scales_with_period_over_transit_time():
    """ΔE_hf ∝ T_rf/τ_ion and agrees with integrated trajectories within 5 % (ωτ ≈ 125)."""
    Vbar, Vrf, s = 200.0, 100.0, 2e-3
    tau = sh.ion_transit_time(s, Vbar, M)
    f1 = 20 / tau                             # 20 RF periods per transit
    d1 = float(sh.iedf_splitting(Vrf, Vbar, s, M, f1))
    d2 = float(sh.iedf_splitting(Vrf, Vbar, s, M, 2 * f1))
    assert d2 / d1 == pytest.approx(0.5, rel=0.01)
    assert d1 == pytest.approx(4 / math.pi * Vrf * (1 / f1) / tau, rel=0.01)
    E = _trajectory_energies(Vbar, Vrf, f1, s, M, n_phase=128, steps_per_period=60)
    assert E.max() - E.min() == pytest.approx(d1, rel=0.05)


def test_iedf_splitting_intermediate_frequency():
    """Between the limits (ωτ = 3 and 10) the interpolation stays within 15 % of trajectories."""
    Vbar, Vrf, s = 200.0, 100.0, 2e-3
    tau = sh.ion_transit_time(s, Vbar, M)
    for wt in (3.0, 10.0):
        f = wt / (2 * math.pi * tau)
        E = _trajectory_energies(Vbar, Vrf, f, s, M, n_phase=128, steps_per_period=80)
        assert float(sh.iedf_splitting(Vrf, Vbar, s, M, f)) == pytest.approx(E.max() - E.min(), rel=0.15)


def test_iedf_mean_and_normalisation():
    for dE in (0.0, 10.0, 200.0):
        d = sh.iedf(120.0, dE, spread_eV=0.3)
        assert np.trapezoid(d.pdf, d.x) == pytest.approx(1.0, rel=1e-12)
        assert d.mean() == pytest.approx(120.0, rel=1e-3)


def test_iadf_collisionless_limit_and_collisional_broadening():
    """Collisionless: ⟨tan θ⟩ = √(π T_i/E)/2 exactly for f = 2a tanθ sec²θ e^{-a tan²θ}."""
    E, Ti = 100.0, 0.05
    d = sh.iadf(E, Ti, s=1e-3, mfp=1e6)
    mean_tan = np.trapezoid(np.tan(d.x[:-1]) * d.pdf[:-1], d.x[:-1])
    assert mean_tan == pytest.approx(0.5 * math.sqrt(math.pi * Ti / E), rel=0.01)
    means = [sh.iadf(E, Ti, s=1e-3, mfp=lam).mean() for lam in (1e6, 1e-2, 1e-3, 3e-4)]
    assert all(b > a for a, b in zip(means, means[1:]))


def test_distribution_sampling_matches_its_mean():
    rng = np.random.default_rng(7)
    d = sh.iedf(150.0, 80.0, spread_eV=1.0)
    x = d.sample(rng, 200_000)
    sigma = x.std() / math.sqrt(x.size)
    assert abs(x.mean() - d.mean()) < 3 * sigma + 0.05


def test_bias_power_inverts_to_amplitude():
    Te, flux, area = 4.0, 1e20, 0.03
    assert sh.rf_amplitude_from_power(5.0, flux, area, Te, M) == 0.0   # below the floating ion power
    for P in (20.0, 50.0, 500.0):
        V = sh.rf_amplitude_from_power(P, flux, area, Te, M)
        assert flux * area * EV * (Te / 2 + sh.mean_sheath_voltage(V, Te, M)) == pytest.approx(P, rel=1e-8)


def test_iadf_depth_quadrature_converges_at_second_order():
    """Midpoint rule over the last-collision depth: error ∝ n^-2 (fit of log e vs log n)."""
    kw = dict(s=2e-3, mfp=1e-3, T_gas_eV=0.026, n=241)
    ref = sh.iadf(100.0, 0.05, n_depth=5120, **kw).mean()
    ns = np.array([40, 80, 160, 320])
    err = np.array([abs(sh.iadf(100.0, 0.05, n_depth=int(k), **kw).mean() - ref) for k in ns])
    slope = np.polyfit(np.log(ns), np.log(err), 1)[0]
    assert -2.3 < slope < -1.7, (slope, err)


def test_cos_exponent_of_a_cosine_power_source():
    """A cosⁿθ source (per solid angle) has density cosⁿθ sinθ per dθ: recover n."""
    th = np.linspace(0, math.pi / 2, 20001)
    for n in (1.0, 10.0, 500.0):
        d = sh.Distribution(x=th, pdf=np.cos(th) ** n * np.sin(th) * (n + 1))
        assert sh.cos_exponent(d) == pytest.approx(n, rel=2e-3)
