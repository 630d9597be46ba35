"""The positive-ion face flux of the multi-species model (``ion_flux: pressure``,
:mod:`waferlab.reactor.fluid2d.ionflux`) against exact 1D constant-flux layers."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from waferlab.reactor.fluid2d.ionflux import charged_pressure_flux
from waferlab.reactor.fluid2d.species import bernoulli

TE, TI, MU = 4.0, 0.05, 10.0          # eV, eV, m²/V s (T_e/T_i = 80, as in SF6/O2)


def ion_ion_layer(G_pos, G_neg, n_pos0, n_neg0, d):
    """Exact 1D layer of one positive and one negative ion with Boltzmann electrons, constant
    fluxes and mobility: μ(T_i n_+' + n_+φ') = −Γ_+, μ(T_i n_−' − n_−φ') = −Γ_−,
    φ' = T_e n_e'/n_e with n_e = n_+ − n_−; φ' eliminated, integrated by Radau to rtol 1e-12.
    Returns the densities after the distance d."""
    def rhs(_x, y):
        npl, nm = y
        ne = npl - nm
        A = np.array([[TI + TE * npl / ne, -TE * npl / ne], [-TE * nm / ne, TI + TE * nm / ne]])
        return np.linalg.solve(A, [-G_pos / MU, -G_neg / MU])
    return solve_ivp(rhs, (0.0, d), [n_pos0, n_neg0], rtol=1e-12, atol=1e3, method="Radau").y[:, -1]


def two_point_fluxes(na, nb):
    """(SG fluxes, pressure-form fluxes) of [positive, negative] from the two nodal states."""
    z = np.array([1, -1])
    nea, neb = na[0] - na[1], nb[0] - nb[1]
    dphi = TE * np.log(neb / nea)
    Pe = -z * dphi / TI
    mu = np.array([MU, MU])
    return dphi, lambda d: (mu * TI / d * (bernoulli(-Pe) * na - bernoulli(Pe) * nb),
                            charged_pressure_flux(mu * TI / d * (bernoulli(-Pe) * na - bernoulli(Pe) * nb),
                                                  mu, z, na, nb, nea, neb, TE, TE, TI, d))


@pytest.mark.parametrize("d, step, sg_excess", [(1.0e-3, 0.47, 0.017), (2.0e-3, 1.32, 0.130),
                                                (2.5e-3, 2.21, 0.335), (3.0e-3, 4.33, 1.007)])
def test_pressure_flux_is_exact_through_an_ion_ion_edge_layer(d, step, sg_excess):
    """Boltzmann negative ions (Γ_− = 0), α 10 at the upstream node falling with the potential
    (the edge layer above a wall): the pressure form reproduces the exact Γ_+ to 1e-9 at every
    potential step, where the Scharfetter–Gummel flux of the positive ions is high by
    +1.7 / +13 / +34 / +101 % at 0.47 / 1.3 / 2.2 / 4.3 T_i (the flux the model used before)."""
    G = 4e19
    na = np.array([11e16, 10e16])
    nb = ion_ion_layer(G, 0.0, *na, d)
    dphi, fluxes = two_point_fluxes(na, nb)
    sg, pr = fluxes(d)
    assert abs(dphi) / TI == pytest.approx(step, abs=0.01)
    assert sg[0] / G - 1 == pytest.approx(sg_excess, abs=0.002)
    assert pr[0] / G == pytest.approx(1.0, abs=1e-9)
    assert abs(sg[1]) < 1e-9 * G                         # SG is exact for the Boltzmann negative ions


@pytest.mark.parametrize("frac", [0.03, -0.03])
def test_pressure_flux_error_is_the_negative_ions_sg_error(frac):
    """With a negative-ion flux (Γ_− = ±3 % of Γ_+, not Boltzmann) the only approximation left
    is the negative ions' own SG flux: the positive-ion error equals minus the negative ions'
    (equal mobilities), to 1e-9 of Γ_+, and stays below 2.5 % up to a 4.9 T_i step while SG of
    the positive ions is high by 14–125 %."""
    G = 4e19
    na = np.array([11e16, 10e16])
    for d in (2.0e-3, 3.0e-3):
        nb = ion_ion_layer(G, frac * G, *na, d)
        _, fluxes = two_point_fluxes(na, nb)
        sg, pr = fluxes(d)
        err_neg = (sg[1] - frac * G) / G
        assert pr[0] / G - 1 == pytest.approx(-err_neg, abs=1e-9)
        assert abs(pr[0] / G - 1) < 0.025 and sg[0] / G - 1 > 0.12


def test_pressure_flux_is_the_exact_ambipolar_flux_with_shares():
    """No negative ions, two positive ions with constant shares (0.7, 0.3), T_e varying between
    the nodes: Γ_k = s_k μ_k(T_i + …) — the constant-flux ambipolar layer −μ_k(T_i∇n_k + s_k∇(n_e
    T_e)) integrates exactly to the two-point form; checked against its definition with n_e
    T_e differenced, and against SG, which is high by ≈ Δln n/2 at a halving."""
    s = np.array([0.7, 0.3])
    na, nb = 1e16 * s, 0.5e16 * s
    mu = np.array([MU, 0.6 * MU])
    z = np.array([1, 1])
    Tea, Teb, d = 3.0, 3.2, 2e-3
    G = np.zeros(2)
    pr = charged_pressure_flux(G, mu, z, na, nb, 1e16, 0.5e16, Tea, Teb, TI, d)
    want = mu / d * (TI * (na - nb) + s * (1e16 * Tea - 0.5e16 * Teb))
    assert np.allclose(pr, want, rtol=1e-13)
    dphi = 0.5 * (Tea + Teb) * np.log(0.5) + (Teb - Tea)
    sg = mu * TI / d * (bernoulli(dphi / TI) * na - bernoulli(-dphi / TI) * nb)
    assert np.all(sg / pr - 1 > 0.1)
