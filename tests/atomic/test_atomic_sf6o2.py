"""SF6/O2 silicon etching against the peer's equations (ViennaPS ``psPlasmaEtching.hpp``,
after Belen et al., J. Vac. Sci. Technol. A 23, 99, 2005), rewritten here independently
in the peer's own units (fluxes 10¹⁵ cm⁻²s⁻¹, densities 10²² cm⁻³, rates nm/s) with its
branch structure, and yields averaged by adaptive quadrature instead of fixed rules."""
import math

import numpy as np
import pytest
from scipy import integrate

from waferlab.atomic.sf6o2 import SF6O2Parameters, sf6o2_flat_mask_rate, sf6o2_flat_rates

# ViennaPS defaults in its units
PEER = dict(kS=300.0, bS=0.04, rho=5.02, rho_mask=500.0, A_sp=0.0337, A_sp_mask=0.0139,
            Eth_sp=20.0, B_sp=9.3, A_ie=7.0, Eth_ie=15.0, A_P=3.0, Eth_P=10.0)


def _avg_over_truncated_normal(g, mean, sigma):
    lo = max(0.0, mean - 8 * sigma)
    w = lambda e: math.exp(-0.5 * ((e - mean) / sigma) ** 2)
    num = integrate.quad(lambda e: g(e) * w(e), lo, mean + 8 * sigma, points=[15.0, 20.0, 10.0],
                         limit=200, epsrel=1e-12)[0]
    return num / integrate.quad(w, lo, mean + 8 * sigma, epsrel=1e-12)[0]


def _avg_over_cos_n(f, n):
    # u = cos θ with density (n+1) u^n on [0, 1]; split near 1 where the mass is
    g = lambda u: (n + 1) * u ** n * f(u)
    a = max(0.0, 1.0 - 60.0 / (n + 1))
    return (integrate.quad(g, a, 1.0, epsabs=0, epsrel=1e-12, limit=200)[0]
            + integrate.quad(g, 0.0, a, epsabs=1e-14, limit=200)[0])


def peer_flat_rate(ion, etchant, oxygen, *, E=100.0, sigma=10.0, n=500.0, A_ie=7.0, A_P=3.0):
    """Flat-surface Si etch rate (nm/s) and mask rate from the peer's equations."""
    P = dict(PEER, A_ie=A_ie, A_P=A_P)
    sq = math.sqrt
    f_sp = lambda u: max((1 + P["B_sp"] * (1 - u * u)) * u, 0.0)
    f_ie = lambda u: 1.0 if u >= 0.5 else max(3 - 6 * math.acos(u) / math.pi, 0.0)
    e_sp = _avg_over_truncated_normal(lambda e: max(sq(e) - sq(P["Eth_sp"]), 0.0), E, sigma)
    e_ie = _avg_over_truncated_normal(lambda e: max(sq(e) - sq(P["Eth_ie"]), 0.0), E, sigma)
    e_P = _avg_over_truncated_normal(lambda e: max(sq(e) - sq(P["Eth_P"]), 0.0), E, sigma)
    a_sp, a_ie = _avg_over_cos_n(f_sp, n), _avg_over_cos_n(f_ie, n)
    Y_sp, Y_ie, Y_P = P["A_sp"] * e_sp * a_sp, A_ie * e_ie * a_ie, A_P * e_P * a_ie
    Gb_E, Gb_P, GY_ie, GY_p = etchant, oxygen, ion * Y_ie, ion * Y_P
    if Gb_P < 1e-6:
        eCov = 0.0 if Gb_E < 1e-6 else Gb_E / (Gb_E + P["kS"] + 2 * GY_ie)
    elif Gb_E < 1e-6:
        eCov = 0.0
    else:
        a = (P["kS"] + 2 * GY_ie) / Gb_E
        b = (P["bS"] + GY_p) / Gb_P
        eCov = 1 / (1 + (a * (1 + 1 / b)))
    rate = (P["kS"] * eCov / 4 + ion * Y_sp + eCov * ion * Y_ie) / P["rho"]
    mask = ion * P["A_sp_mask"] * e_sp * a_sp / P["rho_mask"]
    return rate, mask


GRID = [(i, e, o) for i in (0.0, 1.0, 12.0, 100.0) for e in (0.0, 100.0, 1800.0, 1e4)
        for o in (0.0, 10.0, 100.0, 1e3)]


def test_flat_rate_equals_peer_equations_on_grid():
    """Acceptance: |ER − ER_peer| ≤ 1 % over a grid of ion, etchant and O fluxes (the
    agreement is to quadrature accuracy; 1e-4 is asserted)."""
    p = SF6O2Parameters(ion_exponent=1000.0, A_O=2.0)
    unit = 1e19
    ion, et, ox = (np.array(c) for c in zip(*GRID))
    got = sf6o2_flat_rates(p, ion_flux=ion * unit, etchant_flux=et * unit,
                           oxygen_flux=ox * unit).etch_rate * 1e9      # nm/s
    ref = np.array([peer_flat_rate(i, e, o, n=1000.0, A_P=2.0)[0] for i, e, o in GRID])
    nz = ref > 0
    assert np.all(got[~nz] == 0.0)
    rel = np.abs(got[nz] / ref[nz] - 1)
    assert rel.max() < 1e-4, rel.max()


@pytest.mark.parametrize("E,sigma,n,A_ie", [(100.0, 10.0, 500.0, 7.0), (40.0, 15.0, 100.0, 5.0),
                                             (300.0, 0.0, 1000.0, 7.0)])
def test_other_beams_and_mask(E, sigma, n, A_ie):
    p = SF6O2Parameters(ion_energy_eV=E, ion_energy_sigma_eV=sigma, ion_exponent=n, A_Si=A_ie)
    ref, mref = peer_flat_rate(12.0, 1800.0, 100.0, E=E, sigma=max(sigma, 1e-9), n=n, A_ie=A_ie) \
        if sigma > 0 else _mono(E, n, A_ie)
    assert sf6o2_flat_rates(p).etch_rate * 1e9 == pytest.approx(ref, rel=1e-4)
    assert sf6o2_flat_mask_rate(p) * 1e9 == pytest.approx(mref, rel=1e-4)


def _mono(E, n, A_ie):
    # a monoenergetic beam: the σ → 0 limit of the same equations
    return peer_flat_rate(12.0, 1800.0, 100.0, E=E, sigma=1e-6, n=n, A_ie=A_ie)


def test_belen_sticking_in_balance_lowers_coverage():
    p = SF6O2Parameters()
    a = sf6o2_flat_rates(p)
    b = sf6o2_flat_rates(p.with_(sticking_in_balance=True))
    # γ_F = 0.7 on F, γ_O = 1 on O: less F adsorbs, so θ_F drops
    assert b.theta_etchant < a.theta_etchant
    assert b.etch_rate < a.etch_rate


def test_parameter_errors():
    with pytest.raises(ValueError, match="etchant_sticking"):
        SF6O2Parameters(etchant_sticking=1.5)
    with pytest.raises(ValueError, match="ion_flux"):
        SF6O2Parameters(ion_flux=-1.0)
