"""Fluorocarbon kinetics (La Magna & Garozzo, J. Electrochem. Soc. 150 (10), 2003) on an
open flat surface: hand-evaluated balances, the etch-stop energy in closed form, and the
SiO2/Si3N4/Si selectivity the model gives."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq

from waferlab.atomic.fluorocarbon import (CM2S, DEFAULT_MATERIALS, FluorocarbonKinetics,
                                          flat_yields, fluorocarbon_rates)

SIO2 = DEFAULT_MATERIALS["SiO2"]


def _flat(kin, name, E_eV):
    mat = DEFAULT_MATERIALS[name]
    ysp, yie, yp = flat_yields(kin, mat, [E_eV], [1.0])
    v, te, tp, tpe = fluorocarbon_rates(kin, mat, "etched", etchant=1.0, polymer=1.0,
                                        Y_sp=ysp, Y_ie=yie, Y_p=yp)
    return float(v), float(te), float(tp), float(tpe)


def test_flat_rate_matches_the_balances_evaluated_by_hand():
    # Γ_i 56, Γ_e 150, Γ_p 5 (1e15 cm^-2 s^-1), 100 eV ions, SiO2 (ρ 2.2e22 cm^-3)
    kin = FluorocarbonKinetics(ion_flux=56 * CM2S, etchant_flux=150 * CM2S,
                               polymer_flux=5 * CM2S)
    v, te, tp, tpe = _flat(kin, "SiO2", 100.0)
    Yie, Ysp, Yp = 0.0361 * (10 - 2), 0.0139 * (10 - math.sqrt(18)), 0.0722 * (10 - 2)
    th_pe = 150 * 0.6 / (150 * 0.6 + 56 * Yp)
    th_p = 5 * 0.26 / (56 * Yp * th_pe + 1)
    Fev = 0.002789491704544977 * 150 * math.exp(-0.168 / (8.617333262e-5 * 300))
    th_e = 150 * 0.9 * (1 - th_p) / (2 * 56 * Yie + 2 * Fev + 150 * 0.9)
    rate_nm_s = (Fev * th_e + 56 * Yie * th_e + 56 * Ysp * (1 - th_e)) / 2.2
    assert tpe == pytest.approx(th_pe, rel=1e-9)
    assert tp == pytest.approx(th_p, rel=1e-9)
    assert te == pytest.approx(th_e, rel=1e-6)
    assert -v * 1e9 == pytest.approx(rate_nm_s, rel=1e-6)      # 6.10 nm/s


def test_etch_stop_energy_in_closed_form():
    """θ_p = 1 where Γ_p β_p − δ_p = Γ_i Y_p θ_pe: x = Γ_i Y_p = aG/(G − a), a = Γ_p β_p − δ_p,
    G = Γ_e β_e,p; E* = (Y_p/A_ie,p + √E_th)².  Paper defaults: E* = 76.48 eV."""
    kin = FluorocarbonKinetics()
    a = kin.polymer_flux * SIO2.beta_p - kin.delta_p
    G = kin.etchant_flux * kin.polymer.beta_e
    Yp = a * G / (G - a) / kin.ion_flux
    E_star = (Yp / kin.polymer.A_ie + math.sqrt(kin.polymer.Eth_ie)) ** 2
    assert E_star == pytest.approx(76.48, abs=0.01)
    root = brentq(lambda E: _flat(kin, "SiO2", E)[2] - 1.0, 20.0, 200.0, xtol=1e-9)
    assert root == pytest.approx(E_star, abs=1e-6)
    # below E*: the polymer wins and the surface grows; above: SiO2 etches
    v_lo, _, tp_lo, _ = _flat(kin, "SiO2", E_star - 1.0)
    v_hi, _, tp_hi, _ = _flat(kin, "SiO2", E_star + 1.0)
    assert tp_lo > 1 and v_lo > 0
    assert tp_hi < 1 and v_hi < 0
    # deposition rate below E*: (Γ_p β_p,p − Γ_i Y_p θ_pe)/ρ_p, → 0 at E*
    ysp, yie, yp = flat_yields(kin, SIO2, [40.0], [1.0])
    tpe = G / (G + kin.ion_flux * yp)
    dep = (kin.polymer_flux * 0.26 - kin.ion_flux * yp * tpe) / kin.polymer.density
    assert _flat(kin, "SiO2", 40.0)[0] == pytest.approx(dep, rel=1e-12)


def test_selectivity_sio2_over_si_and_nitride():
    """The paper's kinetics are the same for the three materials except their atom
    density, so where they etch (θ_p < 1) SiO2/Si = 5.5/2.2 = 2.5 and SiO2/Si3N4 =
    2.3/2.2; where the polymer wins all three stop (selectivity undefined, both grow)."""
    kin = FluorocarbonKinetics()
    for E in (100.0, 150.0, 300.0):
        v = {m: _flat(kin, m, E)[0] for m in ("SiO2", "Si", "Si3N4")}
        assert v["SiO2"] < 0
        assert v["SiO2"] / v["Si"] == pytest.approx(2.5, rel=1e-12)
        assert v["SiO2"] / v["Si3N4"] == pytest.approx(2.3 / 2.2, rel=1e-12)
    v = {m: _flat(kin, m, 50.0)[0] for m in ("SiO2", "Si", "Si3N4")}
    assert all(x > 0 for x in v.values())


def test_more_polymer_flux_lowers_the_rate_then_stops_it():
    rates = [_flat(FluorocarbonKinetics(polymer_flux=f * CM2S), "SiO2", 100.0)[0]
             for f in (0.0, 50.0, 100.0, 200.0)]
    assert rates[0] < rates[1] < rates[2] < 0 < rates[3]
    assert np.all(np.isfinite(rates))
