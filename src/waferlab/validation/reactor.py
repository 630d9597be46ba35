"""Reactor-scale reference problems: the argon global model against Lieberman &
Lichtenberg's §3 formulas solved independently here with brentq.  The model runs in L&L's form
(``volume_average=False``: the centre density n₀ in the volume terms, the book's eq. 10.2.1, and
the two-term h-factors), which is what these formulas are; the shipped form is checked against
the exact kinetic discharge in tests/reactor/test_argon.py.

Reference: M. A. Lieberman & A. J. Lichtenberg, *Principles of Plasma Discharges and
Materials Processing*, 2nd ed., Wiley (2005), §3.5 and §10.2; rate fits of their Table 3.3
(Gudmundsson 2002), T_e in volts, K in m³/s.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from ..constants import AMU, EV, K_B, M_E, N_A, TORR
from .core import Check, ReferenceProblem, register

__all__ = ["argon_reference"]

M_AR = 39.948 * AMU
SCCM = 101325e-6 / (8.314462618 * 273.15) / 60 * N_A      # molecules/s per sccm
SOLVER_RTOL = 1e-4   # model solves the same equations (Newton/BDF); allowance for its tolerances


def _K_iz(T):
    return 2.34e-14 * T ** 0.59 * math.exp(-17.44 / T)


def _K_ex(T):
    return 2.48e-14 * T ** 0.33 * math.exp(-12.78 / T)


def _K_el(T):
    lt = math.log(T)
    return 2.336e-14 * T ** 1.609 * math.exp(0.0618 * lt ** 2 - 0.1171 * lt ** 3)


def _uB(T):
    return math.sqrt(EV * T / M_AR)


def argon_reference(R: float, l: float, p: float, P: float, T_g: float = 300.0) -> dict:
    """T_e (V), n_0 (m⁻³), end-wall ion flux (m⁻²s⁻¹) and n_g d_eff (m⁻²) from L&L §3.5/§10.2:
    particle balance K_iz(T_e)/u_B(T_e) = 1/(n_g d_eff) by brentq, then the power balance
    P = e n_0 u_B A_eff E_T with E_T = E_c + 2T_e + V_s + T_e/2."""
    n_g = p / (K_B * T_g)
    lam = 1.0 / (n_g * 1e-18)
    hL, hR = 0.86 / math.sqrt(3 + l / (2 * lam)), 0.80 / math.sqrt(4 + R / lam)
    d_eff = 0.5 * R * l / (R * hL + l * hR)
    Te = brentq(lambda T: _K_iz(T) / _uB(T) - 1.0 / (n_g * d_eff), 0.5, 100.0,
                xtol=1e-14, rtol=1e-14)
    Ec = 15.76 + 12.14 * _K_ex(Te) / _K_iz(Te) + 3 * M_E / M_AR * Te * _K_el(Te) / _K_iz(Te)
    Vs = Te * math.log(math.sqrt(M_AR / (2 * math.pi * M_E)))
    ET = Ec + 2 * Te + Vs + Te / 2
    A_eff = 2 * math.pi * R ** 2 * hL + 2 * math.pi * R * l * hR
    n0 = P / (EV * _uB(Te) * A_eff * ET)
    return {"T_e": Te, "n_0": n0, "flux_end": hL * n0 * _uB(Te), "ngdeff": n_g * d_eff}


def _model_state(R, l, p, P):
    from ..reactor.chemistry import load_chemistry
    from ..reactor.global_model import GlobalModel

    m = GlobalModel(load_chemistry("argon"), radius=R, length=l, T_gas=300.0, pressure=p,
                    feeds={"Ar": 50 * SCCM}, power=P, volume_average=False)
    st = m.steady_state()
    hL, _ = m.h_factors(np.array([st.n[0]]), np.array([0.0]), np.array([st.T_e]))
    return st.T_e, st.n_e, float(hL[0, 0]) * st.n_e * _uB(st.T_e)


def _rel(label, measured, ref, unit, rtol=SOLVER_RTOL):
    return Check(quantity=label, measured=measured, reference=ref, tolerance=rtol * abs(ref),
                 unit=unit, basis=f"{rtol:g} relative (solver tolerance; same equations)")


def _run_book(ctx, quick):
    R, l, p, P = 0.15, 0.30, 1e-3 * TORR, 800.0
    ref = argon_reference(R, l, p, P)
    Te, ne, G = _model_state(R, l, p, P)
    return [_rel("T_e", Te, ref["T_e"], "V"), _rel("n_0", ne, ref["n_0"], "m^-3"),
            _rel("end-wall ion flux h_L n_0 u_B", G, ref["flux_end"], "m^-2 s^-1")]


def _run_particle_balance(ctx, quick):
    R, l = 0.15, 0.30
    out = []
    for p in np.geomspace(3e-3, 6.0, 3 if quick else 7):
        ref = argon_reference(R, l, float(p), 500.0)
        Te, _, _ = _model_state(R, l, float(p), 500.0)
        out.append(_rel(f"T_e at n_g d_eff = {ref['ngdeff']:.2e} m^-2 ({p:.3g} Pa)", Te,
                        ref["T_e"], "V", rtol=1e-3))
    return out


_LL = ("M. A. Lieberman & A. J. Lichtenberg, Principles of Plasma Discharges and Materials "
       "Processing, 2nd ed., Wiley (2005), §3.5, §10.2, Table 3.3")
register(ReferenceProblem(
    name="argon_book_example", scale="reactor", source=_LL,
    description="argon ICP R = 15 cm, l = 30 cm, 1 mTorr, 800 W: T_e, n_0 and end-wall ion "
                "flux vs the book's formulas solved with brentq",
    run=_run_book))
register(ReferenceProblem(
    name="argon_particle_balance", scale="reactor", source=_LL,
    description="T_e from the particle balance K_iz/u_B = 1/(n_g d_eff) over n_g d_eff "
                "1e17 … 1e21 m^-2 (500 W)",
    run=_run_particle_balance))
