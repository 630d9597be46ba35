"""Atomic-scale reference problems.

* SF6/O2 flat-surface silicon etch rate against the peer's equations (ViennaPS
  ``SF6O2Etching``, after Belen et al., J. Vac. Sci. Technol. A 23, 99, 2005), written here
  from the published equations in the peer's units (fluxes 10¹⁵ cm⁻²s⁻¹, densities
  10²² cm⁻³, rates nm/s): the 2×2 steady site balance solved as a linear system, yields
  averaged over the normal IEDF and the cosⁿ IADF by adaptive quadrature.
* Ion–neutral synergy of Coburn & Winters (J. Appl. Phys. 50, 3189, 1979).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import integrate

from .core import Check, ReferenceProblem, register

__all__ = ["sf6o2_peer_rate"]

# ViennaPS defaults, peer units
_PEER = dict(k_sigma=300.0, beta_sigma=0.04, rho=5.02, A_sp=0.0337, Eth_sp=20.0, B_sp=9.3,
             A_ie=7.0, Eth_ie=15.0, A_O=3.0, Eth_O=10.0)
QUAD_RTOL = 1e-4     # both sides integrate the same yields; quadrature/rule accuracy


def _energy_avg(Eth, mean, sigma):
    """<(√E − √E_th)_+> over a normal IEDF (E ≥ 0)."""
    lo, hi = max(0.0, mean - 8 * sigma), mean + 8 * sigma
    w = lambda e: math.exp(-0.5 * ((e - mean) / sigma) ** 2)
    g = lambda e: max(math.sqrt(e) - math.sqrt(Eth), 0.0) * w(e)
    return (integrate.quad(g, lo, hi, points=[Eth] if lo < Eth < hi else None, limit=200,
                           epsrel=1e-12)[0] / integrate.quad(w, lo, hi, epsrel=1e-12)[0])


def _angle_avg(f, n):
    """<f(cos θ)> for a cosⁿθ ion source: density (n + 1) u^n in u = cos θ."""
    g = lambda u: (n + 1) * u ** n * f(u)
    a = max(0.0, 1.0 - 60.0 / (n + 1))
    return (integrate.quad(g, a, 1.0, epsrel=1e-12, limit=200, points=[0.5] if a < 0.5 else None)[0]
            + integrate.quad(g, 0.0, a, epsabs=1e-14, limit=200)[0])


def sf6o2_peer_rate(ion, etchant, oxygen, *, E=100.0, sigma=10.0, n=500.0, A_O=3.0):
    """(etch rate nm/s, θ_F) on an open flat surface; fluxes in 10¹⁵ cm⁻²s⁻¹.

    Γ_E(1 − θ_F − θ_O) = (kσ + 2Y_ieΓ_i) θ_F,  Γ_O(1 − θ_F − θ_O) = (βσ + Y_OΓ_i) θ_O,
    ER = (kσ θ_F/4 + Y_sp Γ_i + Y_ie Γ_i θ_F)/ρ_Si.
    """
    P = _PEER
    f_sp = lambda u: (1 + P["B_sp"] * (1 - u * u)) * u
    f_ie = lambda u: 1.0 if u >= 0.5 else max(3 - 6 * math.acos(u) / math.pi, 0.0)
    Y_sp = P["A_sp"] * _energy_avg(P["Eth_sp"], E, sigma) * _angle_avg(f_sp, n)
    Y_ie = P["A_ie"] * _energy_avg(P["Eth_ie"], E, sigma) * _angle_avg(f_ie, n)
    Y_O = A_O * _energy_avg(P["Eth_O"], E, sigma) * _angle_avg(f_ie, n)
    a_F = P["k_sigma"] + 2 * Y_ie * ion
    a_O = P["beta_sigma"] + Y_O * ion
    M = np.array([[etchant + a_F, etchant], [oxygen, oxygen + a_O]])
    if etchant == 0.0:
        thF = 0.0
    else:
        thF, _ = np.linalg.solve(M, np.array([etchant, oxygen]))
    return (P["k_sigma"] * thF / 4 + Y_sp * ion + Y_ie * ion * thF) / P["rho"], thF


def _run_sf6o2(ctx, quick):
    from ..atomic.sf6o2 import VIENNAPS_FLUX_UNIT, SF6O2Parameters, sf6o2_flat_rates

    cases = [(12.0, 1800.0, 100.0), (12.0, 1800.0, 1000.0), (100.0, 100.0, 10.0)]
    if not quick:
        cases = [(i, e, o) for i in (1.0, 12.0, 100.0) for e in (100.0, 1800.0, 1e4)
                 for o in (0.0, 10.0, 100.0, 1e3)]
    p = SF6O2Parameters()
    out = []
    for i, e, o in cases:
        r = sf6o2_flat_rates(p, ion_flux=i * VIENNAPS_FLUX_UNIT, etchant_flux=e * VIENNAPS_FLUX_UNIT,
                             oxygen_flux=o * VIENNAPS_FLUX_UNIT)
        ref, thF = sf6o2_peer_rate(i, e, o)
        lab = f"Γ_i,F,O = {i:g},{e:g},{o:g}e15 cm^-2 s^-1"
        out.append(Check(quantity=f"Si etch rate, {lab}", measured=float(r.etch_rate) * 1e9,
                         reference=ref, tolerance=QUAD_RTOL * abs(ref), unit="nm/s",
                         basis=f"{QUAD_RTOL:g} relative (quadrature)"))
        out.append(Check(quantity=f"θ_F, {lab}", measured=float(r.theta_etchant), reference=thF,
                         tolerance=QUAD_RTOL * abs(thF), basis=f"{QUAD_RTOL:g} relative (quadrature)"))
    return out


register(ReferenceProblem(
    name="sf6o2_flat_rate", scale="atomic",
    source="R. J. Belen et al., J. Vac. Sci. Technol. A 23, 99 (2005), as implemented in ViennaPS "
           "(SF6O2Etching, defaults)",
    description="flat-surface Si etch rate and F coverage vs the peer's site-balance equations "
                "(ViennaPS defaults: 100 ± 10 eV, cos^500)",
    run=_run_sf6o2))


def _run_synergy(ctx, quick):
    from ..atomic.ion_enhanced import coburn_winters_parameters, flat_surface_rates

    nm_min = 1e9 * 60.0
    kin, beam, f = coburn_winters_parameters()
    both = float(flat_surface_rates(kin, beam, **f).etch_rate) * nm_min
    gas = float(flat_surface_rates(kin, beam, ion_flux=0.0,
                                   etchant_flux=f["etchant_flux"]).etch_rate) * nm_min
    ions = float(flat_surface_rates(kin, beam, ion_flux=f["ion_flux"],
                                    etchant_flux=0.0).etch_rate) * nm_min
    meas = "measured ±30 %"
    return [
        Check(quantity="XeF2 alone", measured=gas, reference=0.5, tolerance=0.3 * 0.5,
              unit="nm/min", basis=meas),
        Check(quantity="450 eV Ar+ alone (0.2–0.3)", measured=ions, reference=0.25,
              tolerance=0.05 + 0.3 * 0.25, unit="nm/min", basis="range half-width + 30 %"),
        Check(quantity="XeF2 + Ar+ (5.5–6)", measured=both, reference=5.75,
              tolerance=0.25 + 0.3 * 5.75, unit="nm/min", basis="range half-width + 30 %"),
        Check(quantity="synergy both/(gas + ions)", measured=both / (gas + ions), reference=10.0,
              tolerance=5.0, basis="'≈ 10× the sum': accept 5–15"),
    ]


register(ReferenceProblem(
    name="coburn_winters_synergy", scale="atomic",
    source="J. W. Coburn & H. F. Winters, J. Appl. Phys. 50, 3189 (1979)",
    description="Si + XeF2 + 450 eV Ar+: gas alone, ions alone, both together (site balance)",
    run=_run_synergy))
