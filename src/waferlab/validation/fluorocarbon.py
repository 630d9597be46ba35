"""Fluorocarbon etching reference problems (La Magna & Garozzo, J. Electrochem. Soc. 150
(10), 2003; the parameters as ViennaPS's ``FluorocarbonEtching`` lists them).

* ``fluorocarbon_flat_rate``: the flat-surface SiO2 etch rate and coverages of the model
  (``atomic.fluorocarbon``) against the balances written out here in the paper's units
  (fluxes 10¹⁵ cm⁻²s⁻¹, densities 10²² cm⁻³, rates nm/s) for monoenergetic normal ions.
* ``fluorocarbon_etch_stop``: the ion energy at which the polymer wins (θ_p = 1) in closed
  form, E* = (x/(Γ_i A_ie,p) + √E_th,ie,p)², x = aG/(G − a), a = Γ_p β_p − δ_p,
  G = Γ_e β_e,p, against the root of the model's flat speed; and the selectivity SiO2/Si
  the model gives where both etch (the atom-density ratio 5.5/2.2).
"""
from __future__ import annotations

import math

from .core import Check, ReferenceProblem, register

__all__ = ["flat_rate_paper_units", "etch_stop_energy"]

# the paper's parameters (peer units); SiO2, polymer
_P = dict(Gi=56.0, Ge=500.0, Gp=100.0, delta=1.0, k_ie=2.0, k_ev=2.0, T=300.0, rho=2.2,
          beta_p=0.26, beta_e=0.9, Eth_sp=18.0, Eth_ie=4.0, A_sp=0.0139, A_ie=0.0361,
          K=0.002789491704544977, E_a=0.168, rho_p=2.0, beta_e_p=0.6, A_ie_p=0.0722)
_KB_EV = 8.617333262e-5


def flat_rate_paper_units(E: float, **over) -> tuple[float, float, float]:
    """(V nm/s, θ_e, θ_p) on flat SiO2 hit by ions of energy E (eV) at normal incidence."""
    p = dict(_P, **over)
    Yie = p["A_ie"] * max(math.sqrt(E) - math.sqrt(p["Eth_ie"]), 0.0)
    Ysp = p["A_sp"] * max(math.sqrt(E) - math.sqrt(p["Eth_sp"]), 0.0)
    Yp = p["A_ie_p"] * max(math.sqrt(E) - math.sqrt(p["Eth_ie"]), 0.0)
    th_pe = p["Ge"] * p["beta_e_p"] / (p["Ge"] * p["beta_e_p"] + p["Gi"] * Yp)
    th_p = p["Gp"] * p["beta_p"] / (p["Gi"] * Yp * th_pe + p["delta"])
    if th_p >= 1.0:
        return (p["Gp"] * p["beta_p"] - p["Gi"] * Yp * th_pe) / p["rho_p"], 0.0, th_p
    Fev = p["K"] * p["Ge"] * math.exp(-p["E_a"] / (_KB_EV * p["T"]))
    th_e = (p["Ge"] * p["beta_e"] * (1 - th_p)
            / (p["k_ie"] * p["Gi"] * Yie + p["k_ev"] * Fev + p["Ge"] * p["beta_e"]))
    v = -(Fev * th_e + p["Gi"] * Yie * th_e + p["Gi"] * Ysp * (1 - th_e)) / p["rho"]
    return v, th_e, th_p


def etch_stop_energy() -> float:
    """E* (eV) where θ_p = 1 on flat SiO2 (closed form, the paper's parameters)."""
    p = _P
    a = p["Gp"] * p["beta_p"] - p["delta"]
    G = p["Ge"] * p["beta_e_p"]
    x = a * G / (G - a)
    return (x / (p["Gi"] * p["A_ie_p"]) + math.sqrt(p["Eth_ie"])) ** 2


def _model_flat(E: float, material: str = "SiO2"):
    from ..atomic.fluorocarbon import (DEFAULT_MATERIALS, FluorocarbonKinetics, flat_yields,
                                       fluorocarbon_rates)
    kin = FluorocarbonKinetics()
    mat = DEFAULT_MATERIALS[material]
    ysp, yie, yp = flat_yields(kin, mat, [E], [1.0])
    v, te, tp, _ = fluorocarbon_rates(kin, mat, "etched", etchant=1.0, polymer=1.0,
                                      Y_sp=ysp, Y_ie=yie, Y_p=yp)
    return float(v) * 1e9, float(te), float(tp)


def _run_flat(ctx, quick):
    out = []
    for E in (40.0, 100.0, 300.0):
        v_ref, te_ref, tp_ref = flat_rate_paper_units(E)
        v, te, tp = _model_flat(E)
        out += [Check(quantity=f"V(SiO2, {E:g} eV)", measured=v, reference=v_ref,
                      tolerance=1e-9 * max(abs(v_ref), 1.0), unit="nm/s",
                      basis="round-off (same equations, SI vs paper units)"),
                Check(quantity=f"theta_p({E:g} eV)", measured=tp, reference=tp_ref,
                      tolerance=1e-9, basis="round-off")]
    return out


def _run_stop(ctx, quick):
    from scipy.optimize import brentq
    E_ref = etch_stop_energy()
    E = brentq(lambda e: _model_flat(e)[2] - 1.0, 10.0, 500.0, xtol=1e-10)
    sel = _model_flat(150.0, "SiO2")[0] / _model_flat(150.0, "Si")[0]
    return [Check(quantity="E* (theta_p = 1)", measured=E, reference=E_ref, tolerance=1e-6,
                  unit="eV", basis="root-finding tolerance"),
            Check(quantity="V(E* - 1 eV) > 0 (polymer grows)",
                  measured=float(_model_flat(E_ref - 1)[0] > 0), reference=1.0, tolerance=0.0),
            Check(quantity="SiO2/Si selectivity (150 eV)", measured=sel, reference=5.5 / 2.2,
                  tolerance=1e-9, basis="round-off: the kinetics differ only in the atom density")]


register(ReferenceProblem(
    name="fluorocarbon_flat_rate", scale="atomic",
    source="A. La Magna & G. Garozzo, J. Electrochem. Soc. 150 (10) (2003), parameters "
           "as in ViennaPS FluorocarbonEtching",
    description="flat SiO2 rate and polymer coverage at 40/100/300 eV vs the balances in the "
                "paper's units",
    run=_run_flat))

register(ReferenceProblem(
    name="fluorocarbon_etch_stop", scale="atomic",
    source="A. La Magna & G. Garozzo, J. Electrochem. Soc. 150 (10) (2003)",
    description="ion energy of the etch stop (theta_p = 1) in closed form vs the model; "
                "SiO2/Si selectivity 2.5",
    run=_run_stop))
