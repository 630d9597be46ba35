"""Langmuir–Hinshelwood site balances against direct ODE integration (SciPy)."""
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from waferlab.atomic.coverage import relaxation_time, steady_coverages, transient_coverages

SIGMA = 1e19


def _rhs(G, L):
    def f(t, th):
        free = 1.0 - th.sum()
        return (G * free - L * th) / SIGMA
    return f


def _ode(theta0, G, L, t):
    sol = solve_ivp(_rhs(G, L), (0.0, t), theta0, method="LSODA", rtol=1e-11, atol=1e-13)
    return sol.y[:, -1]


@pytest.mark.parametrize("k", [1, 2, 3])
def test_steady_state_is_ode_limit(k):
    rng = np.random.default_rng(k)
    G = rng.uniform(1e18, 1e21, k)
    L = rng.uniform(1e18, 1e21, k)
    th = steady_coverages(G[:, None], L[:, None])[:, 0]
    tau = float(relaxation_time(G[:, None], L[:, None], SIGMA)[0])
    ref = _ode(np.zeros(k), G, L, 60 * tau)
    np.testing.assert_allclose(th, ref, rtol=1e-7, atol=1e-12)
    # right-hand side vanishes
    assert np.max(np.abs(_rhs(G, L)(0, th))) * SIGMA < 1e-9 * G.max()


def test_steady_limits():
    # species that does not adsorb: zero coverage, the others unaffected
    th = steady_coverages([[1e20], [0.0]], [[3e20], [0.0]])
    np.testing.assert_allclose(th[:, 0], [0.25, 0.0])
    # nothing arrives: clean surface
    assert np.all(steady_coverages([[0.0], [0.0]], [[1.0], [0.0]]) == 0.0)
    # no loss: the surface fills
    np.testing.assert_allclose(steady_coverages([[1e20]], [[0.0]])[:, 0], [1.0])


@pytest.mark.parametrize("k", [1, 2])
def test_exact_transient_matches_ode(k):
    rng = np.random.default_rng(10 + k)
    G = rng.uniform(1e18, 1e21, k)
    L = rng.uniform(1e18, 1e21, k)
    th0 = rng.uniform(0, 1.0 / k, k)
    for t in (1e-4, 1e-2, 1.0):
        got = transient_coverages(th0[:, None], G[:, None], L[:, None], SIGMA, t)[:, 0]
        np.testing.assert_allclose(got, _ode(th0, G, L, t), rtol=1e-7, atol=1e-10)


def test_exact_transient_equal_eigenvalues():
    # q -> 0 limit of the 2x2 exponential stays finite and accurate
    G = np.array([1e20, 1e-10])
    L = np.array([1e20, 2e20])
    got = transient_coverages(np.array([[0.0], [0.3]]), G[:, None], L[:, None], SIGMA, 0.05)[:, 0]
    np.testing.assert_allclose(got, _ode(np.array([0.0, 0.3]), G, L, 0.05), rtol=1e-6, atol=1e-10)


def test_implicit_euler_first_order_and_bounded():
    G = np.array([5e19, 2e20, 1e19])
    L = np.array([3e20, 1e19, 4e19])
    th0 = np.array([0.1, 0.0, 0.5])
    T = 0.1
    ref = _ode(th0, G, L, T)
    steps = np.array([4, 8, 16, 32, 64])
    errs = []
    for n in steps:
        th = th0[:, None]
        for _ in range(n):
            th = transient_coverages(th, G[:, None], L[:, None], SIGMA, T / n, method="implicit")
            assert np.all(th >= 0) and th.sum() <= 1 + 1e-12
        errs.append(np.max(np.abs(th[:, 0] - ref)))
    slope = np.polyfit(np.log(T / steps), np.log(errs), 1)[0]
    assert 0.85 < slope < 1.2, (slope, errs)
    # one huge step lands on the steady state
    big = transient_coverages(th0[:, None], G[:, None], L[:, None], SIGMA, 1e10, method="implicit")
    np.testing.assert_allclose(big[:, 0], steady_coverages(G[:, None], L[:, None])[:, 0], rtol=1e-6)


def test_vectorised_over_points_and_errors():
    G = np.random.default_rng(0).uniform(0, 1e20, (2, 1000))
    L = np.random.default_rng(1).uniform(1e18, 1e20, (2, 1000))
    th = steady_coverages(G, L)
    assert th.shape == (2, 1000) and np.all(th >= 0) and np.all(th.sum(0) <= 1)
    with pytest.raises(ValueError):
        steady_coverages([-1.0], [1.0])
    with pytest.raises(ValueError, match="implicit"):
        transient_coverages(np.zeros((3, 1)), np.ones((3, 1)), np.ones((3, 1)), 1.0, 1.0)
