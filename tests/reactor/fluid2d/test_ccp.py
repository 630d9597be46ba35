"""The 2D parallel-plate CCP (source.type: ccp, model: fluid2d): the sheath closure against
its closed form, the series split of the two sheaths, power and particle balances, the
homogeneous CCP model of Lieberman & Lichtenberg ch. 10-11, the ion energy at the wafer from
the sheath model, bad input, checkpoints, the files and the wafer map hand-off."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from waferlab.constants import E_CHARGE, EPS0, EV, M_E, PI
from waferlab.errors import RecipeError, SimulationError
from waferlab.reactor.fluid2d.ccp import build_ccp, energy_channels, solve_ccp
from waferlab.reactor.fluid2d.ccp_sheath import Surface, capacitive_split, column_heating, rf_sheath, sheath_voltage
from waferlab.reactor.sheath import mean_sheath_voltage
from waferlab.reactor.spec import ReactorSpec
from waferlab.recipe_io import validate_section

ROOT = Path(__file__).resolve().parents[3]
M_AR = 39.948 * 1.66053906660e-27
OMEGA = 2 * PI * 13.56e6


BASE = {"model": "fluid2d", "chamber": {"radius": "15 cm", "length": "5 cm", "wafer_radius": "10 cm"},
        "pressure": "10 mTorr", "gases": {"Ar": "50 sccm"}, "source": {"type": "ccp", "power": "30 W"}}
SMALL = {"mesh": {"nr": 10, "nz": 12}, "gas_heating": False}


def make(fluid2d: dict | None = None, **over):
    """The test CCP (10 × 12 cells, no gas heating); ``fluid2d`` keys are added to SMALL's,
    other keys replace BASE's (None: removed)."""
    d = {**BASE, "fluid2d": {**SMALL, **(fluid2d or {})}, **over}
    return validate_section(ReactorSpec, {k: v for k, v in d.items() if v is not None}, "reactor")


P_CCP = {"type": "ccp", "power": "5 W"}


@pytest.fixture(scope="module")
def ccp():
    """The default: metal chamber (top, side wall, ring grounded), sheath law chosen by λ_i/s_m;
    5 W (45 steps; at the example's 30 W the sheaths take 70 % of the gap: 143 steps)."""
    return solve_ccp(make(source=P_CCP))


@pytest.fixture(scope="module")
def ccp_sym():
    """Equal plates: the RF current returns through the top electrode alone (10 W: at 30 W the
    sheaths take 70 % of the 5 cm gap and the heating's fixed point needs 375 steps)."""
    return solve_ccp(make(source={"type": "ccp", "power": "10 W"}, fluid2d={"ccp": {"rf_return": "electrode"}}))


def test_sheath_closure_is_liebermans_child_law_rf_sheath():
    """J₁ = C₁ ε₀ω V₁/s_m with C₁ the current-driven sheath's fundamental capacitance computed
    here by sheath_rf (eq. 3: 1.226, not the 1988 abstract's 2.452 — docs/reactor.md),
    s_m = √(50/27)(√2/3)λ_De(2V̄/T_e)^¾ (Lieberman 1988), V̄ the sheath model's; written out here
    independently; the inversion returns V₁; J₁ ∝ V₁^¼ at V₁ ≫ T_e."""
    from waferlab.reactor.sheath_rf import fundamental_capacitance

    V1, n_s, Te = np.array([5.0, 80.0, 300.0, 3000.0]), 2e15, 3.0
    Vbar = mean_sheath_voltage(V1, Te, M_AR)
    lam = np.sqrt(EPS0 * Te / (E_CHARGE * n_s))
    s_m = math.sqrt(50 / 27) * math.sqrt(2) / 3 * lam * (2 * Vbar / Te) ** 0.75
    J, Vb, s = rf_sheath(V1, n_s, Te, M_AR, OMEGA)
    # the constant's 6 printed digits: 1e-5
    assert J == pytest.approx(fundamental_capacitance("collisionless") * EPS0 * OMEGA * V1 / s_m, rel=1e-5)
    assert Vb == pytest.approx(Vbar, rel=1e-12) and s == pytest.approx(s_m, rel=1e-12)
    assert sheath_voltage(J, n_s, Te, M_AR, OMEGA) == pytest.approx(V1, rel=1e-9)
    J2, _, _ = rf_sheath(2 * 3000.0, n_s, Te, M_AR, OMEGA)
    assert math.log(J2 / J[-1]) / math.log(2) == pytest.approx(0.25, abs=0.01)


def test_collisional_sheath_closure_is_liebermans_1989_law():
    """J₁ = C₁ ε₀ω V₁/s_m with e n_s u_B = K ε₀(2eλ_i/πM)^½ V̄^{3/2}/s_m^{5/2} (written out; C₁
    the collisional sheath's fundamental capacitance computed here by sheath_rf, 1.518);
    the inversion returns V₁; J₁ ∝ V₁^{2/5} at V₁ ≫ T_e (±0.01) and ∝ λ_i^{-1/5} (1e-9)."""
    from waferlab.reactor.sheath_rf import fundamental_capacitance

    C_COLLISIONAL = fundamental_capacitance("collisional")

    V1, n_s, Te, lam = np.array([5.0, 80.0, 300.0, 3000.0]), 2e15, 3.0, 1e-3
    Vbar = mean_sheath_voltage(V1, Te, M_AR)
    uB = math.sqrt(EV * Te / M_AR)
    s_m = (2.9744 * EPS0 * math.sqrt(2 * E_CHARGE * lam / (PI * M_AR)) * Vbar ** 1.5 / (E_CHARGE * n_s * uB)) ** 0.4
    J, Vb, s = rf_sheath(V1, n_s, Te, M_AR, OMEGA, lam)
    assert s == pytest.approx(s_m, rel=1e-12) and Vb == pytest.approx(Vbar, rel=1e-12)
    assert J == pytest.approx(C_COLLISIONAL * EPS0 * OMEGA * V1 / s_m, rel=1e-5)
    assert sheath_voltage(J, n_s, Te, M_AR, OMEGA, lam) == pytest.approx(V1, rel=1e-9)
    J2, _, _ = rf_sheath(2 * 3000.0, n_s, Te, M_AR, OMEGA, lam)
    assert math.log(J2 / J[-1]) / math.log(2) == pytest.approx(0.4, abs=0.01)
    J3, _, _ = rf_sheath(V1, n_s, Te, M_AR, OMEGA, 32 * lam)
    assert J3 / J == pytest.approx(np.full(4, 0.5), rel=1e-9)


def _surfaces(A_a, A_b, n_a=1e15, n_b=1e15, Te=1.0, lam=None):
    lam_a = None if lam is None else np.array([lam])
    return (Surface(np.array([A_a]), np.array([n_a]), np.array([Te]), lam_a),
            Surface(np.array([A_b]), np.array([n_b]), np.array([Te]), lam_a))


@pytest.mark.parametrize("lam, q", [(None, 4.0), (1e-4, 2.5)])
def test_capacitive_divider_follows_the_area_law(lam, q):
    """L&L 2005 §11.4: equal edge densities, V ≫ T_e: V_a/V_b = (A_b/A_a)^q with q = 4 (Child
    law) and 5/2 (collisional law); the exponent to ±0.02 (the T_e terms of V̄ at T_e/V ≈ 1e-5:
    ln(V̄/V₁) ≈ 2e-4 per sheath over ln 2 ≈ 0.7).  Equal areas: V_a = V_b (1e-12).  The RF
    current is continuous (1e-12)."""
    a, b = _surfaces(1.0, 1.0, lam=lam)
    assert capacitive_split(1e5, a, b, M_AR, OMEGA) == pytest.approx(0.5, rel=1e-12)
    for k in (1.5, 2.0):
        a, b = _surfaces(1.0, k, lam=lam)
        f = capacitive_split(4e5, a, b, M_AR, OMEGA)
        assert math.log(f / (1 - f)) / math.log(k) == pytest.approx(q, abs=0.02)
        assert a.current(f * 4e5, M_AR, OMEGA) == pytest.approx(b.current((1 - f) * 4e5, M_AR, OMEGA), rel=1e-12)
    # a denser edge at the grounded side (4×) balances the area: J ∝ n_s^{1/2} (Child) or n_s^{2/5}
    a, b = _surfaces(1.0, 4.0 ** (-0.5 if lam is None else -0.4), n_b=4e15, lam=lam)
    assert capacitive_split(4e5, a, b, M_AR, OMEGA) == pytest.approx(0.5, abs=2e-4)


def test_divider_heating_on_a_mesh_keeps_current_and_power():
    """column_heating on a 3 × 4 mesh, the powered electrode the inner two columns, the grounded
    top, side wall and bottom ring: the power is the requested one (1e-12), the currents balance
    (1e-9), the self-bias is negative and equals ⟨V̄_b⟩ − ⟨V̄_a⟩; with the top alone and equal
    plates the bias vanishes."""
    from waferlab.reactor.fluid2d.mesh import Mesh

    m = Mesh.uniform(0.15, 0.03, 3, 4)
    n, Te, nu = np.full(m.shape, 1e15), np.full(m.shape, 3.0), np.full(m.shape, 1e7)
    ns = np.full(3, 5e14)
    e = np.array([True, True, False])
    h = column_heating(m, n, Te, nu, ns, ns, np.full(4, 5e14), e, 5.0, M_AR, OMEGA)
    assert float((h.power * m.volume).sum()) + h.ion_power == pytest.approx(5.0, rel=1e-12)
    A_side = 2 * PI * 0.15 * m.dz
    I_a = float((m.ring_area[e] * h.J1[e]).sum())
    I_b = float((m.ring_area * h.J1_top).sum() + (m.ring_area[~e] * h.J1[~e]).sum() + (A_side * h.J1_side).sum())
    assert I_a == pytest.approx(I_b, rel=1e-9)
    assert h.V_a > 2 * h.V_b and h.self_bias < -0.5 * h.V_a
    A_g = np.concatenate([m.ring_area, m.ring_area[~e], A_side])
    V_g = np.concatenate([h.Vbar_top, h.Vbar_bottom[~e], h.Vbar_side])
    assert h.self_bias == pytest.approx((A_g * V_g).sum() / A_g.sum()
                                        - (m.ring_area[e] * h.Vbar_bottom[e]).sum() / m.ring_area[e].sum(), rel=1e-12)
    sym = column_heating(m, n, Te, nu, ns, ns, np.full(4, 5e14), np.ones(3, bool), 5.0, M_AR, OMEGA,
                         side_grounded=False)
    assert sym.V_a == pytest.approx(sym.V_b, rel=1e-9) and abs(sym.self_bias) < 1e-9 * sym.V_a
    assert np.all(sym.J1 == pytest.approx(sym.J1_top, rel=1e-9))


def test_homogeneous_model_closes_its_balances():
    """Particle balance (T_e), P = P_e + P_i, the heating at its J₁ and d = gap − 2s_m."""
    setup = build_ccp(make())
    h, c = setup.reference, setup.coef
    n_g = setup.global_model.n_g0
    nu_iz, loss, nu_m = (float(v[0]) for v in c.rates(np.array([h.T_e_eV]), np.array([n_g])))
    lam = 1 / (n_g * c.sigma_i)
    hl, hR = 0.86 / math.sqrt(3 + h.d_m / (2 * lam)), 0.80 / math.sqrt(4 + 0.15 / lam)
    A = PI * 0.15 ** 2
    uB = math.sqrt(EV * h.T_e_eV / c.m_i)
    A_eff = 2 * A * hl + 2 * PI * 0.15 * h.d_m * hR
    assert nu_iz * A * h.d_m == pytest.approx(uB * A_eff, rel=1e-9)
    P_e = EV * h.n0_m3 * uB * A_eff * (loss / nu_iz + 2.5 * h.T_e_eV)
    assert P_e + h.P_ion_W == pytest.approx(30.0, rel=1e-9)
    assert h.P_ohmic_W == pytest.approx(A * 0.5 * h.J1_A_m2 ** 2 * M_E * nu_m / (E_CHARGE ** 2 * h.n0_m3) * h.d_m,
                                        rel=1e-9)
    vbar = math.sqrt(8 * EV * h.T_e_eV / (PI * M_E))
    assert h.P_stochastic_W == pytest.approx(2 * A * 0.5 * M_E * vbar * h.J1_A_m2 ** 2 / (E_CHARGE ** 2 * hl * h.n0_m3),
                                             rel=1e-9)
    assert h.P_ion_W == pytest.approx(2 * EV * hl * h.n0_m3 * uB * A * h.Vbar_V, rel=1e-9)
    assert h.d_m + 2 * h.s_m_m == pytest.approx(0.05, rel=1e-9)


def test_power_particle_and_energy_balances_close(ccp):
    """Absorbed power = recipe's (acceptance 1 %; here 1e-9): electrons (ohmic + stochastic)
    plus the ions' sheath energy e V̄ Γ at every RF sheath (electrodes and side wall);
    ionisation = wall losses; electron power = collisions + 5T_e/2 per lost pair; the RF
    current leaving the powered electrode returns through the grounded sheaths (1e-9)."""
    r = ccp
    h, m = r.heating, r.setup.mesh
    assert r.absorbed_power == pytest.approx(5.0, rel=1e-9)
    assert float(((h.ohmic + h.stochastic) * m.volume).sum()) == pytest.approx(r.electron_power, rel=1e-12)
    G_top, G_side = r.ion_flux_top, r.wall_flux["r_max"]
    A_side = 2 * PI * m.r_faces[-1] * m.dz
    assert h.ion_power == pytest.approx(EV * float((m.ring_area * (r.ion_flux_wafer * h.Vbar_bottom
                                                                    + G_top * h.Vbar_top)).sum()
                                                   + (A_side * G_side * h.Vbar_side).sum()), rel=1e-6)
    I_powered = float((m.ring_area * h.J1).sum())
    assert I_powered == pytest.approx(float((m.ring_area * h.J1_top).sum() + (A_side * h.J1_side).sum()), rel=1e-9)
    ch = energy_channels(r)
    assert abs(ch["particle_balance"]) < 1e-6 and abs(ch["residual"]) < 1e-6
    assert r.residual_history[-1] < r.setup.settings.tolerance < r.residual_history[0]
    # the bulk spans the gap between the two sheath edges
    w = m.ring_area / m.ring_area.sum()
    assert m.z_faces[-1] + (w * h.s_bottom).sum() + (w * h.s_top).sum() == pytest.approx(0.05, rel=1e-6)


def test_2d_ccp_agrees_with_the_homogeneous_model(ccp_sym):
    """Volume-averaged n_e within 30 % and density-weighted T_e within 10 % of the homogeneous
    CCP model (the issue's global-model tolerances: its Godyak h-factors, L&L eqs. 10.2.1-2, are
    fits to fluid solutions good to ≈ 20-30 %), and the powered sheath (V₁, s_m) within 25 %
    (both scale as n_s^-½ ... n_s^-2 of the edge density that the h-factor sets).  Equal
    plates (the homogeneous model's), the sheath law of both chosen by λ_i/s_m; symmetric:
    no self-bias (1e-6 of V_T)."""
    ccp = ccp_sym
    ref = ccp.setup.reference
    assert ccp.setup.sheath_regime == "collisional" and ccp.setup.lambda_i < ref.s_m_m
    assert ccp.n_e_avg == pytest.approx(ref.n0_m3, rel=0.30)
    assert ccp.T_e_density_weighted == pytest.approx(ref.T_e_eV, rel=0.10)
    assert ccp.heating.V1_bottom[0] == pytest.approx(ref.V1_V, rel=0.25)
    assert ccp.heating.s_bottom[0] == pytest.approx(ref.s_m_m, rel=0.25)
    assert abs(ccp.heating.self_bias) < 1e-6 * ccp.heating.V_T


def test_ion_energy_at_the_wafer_is_the_sheath_models(ccp):
    """The collisionless ion energy T_e/2 + V̄(V₁(r), T_e(r)) of the sheath model (wafer.csv's
    sheath_energy_eV); the column's current is the sheath's J₁(V₁, n_s) (the collisional law:
    λ_i = 3.1 mm < s_m); the mean ion energy is then the ion Monte Carlo's through each column's
    collisional sheath (below 80 % of T_e/2 + V̄ at s_m/λ_i > 1.5), and the ReactorState's IEDF
    has its flux-weighted mean; without the Monte Carlo (ions=None, the collisionless path) the
    IEDF is the bimodal one with the ring average of T_e/2 + V̄ as before; the metal chamber's
    larger grounded area gives the wafer a negative self-bias, V_dc = ⟨V̄_grounded⟩ − ⟨V̄_powered⟩,
    between −V_a and 0."""
    import dataclasses

    from waferlab.reactor.fluid2d.ccp_iedf import ccp_ions
    from waferlab.reactor.fluid2d.ccp_output import reactor_state_ccp, wafer_ions, wafer_profile_ccp, wafer_rows

    r, h = ccp, ccp.heating
    ions = wafer_ions(r, n_ions=1000)
    wp = wafer_profile_ccp(r, ions)
    rows = wafer_rows(r)                                      # wafer.csv's rows (session 17)
    c = rows.columns                                          # the columns they read (traced)
    Te = r.T_e_wafer
    # the default mean_voltage: series — V̄ = mean_sheath_voltage(V₁) − (1 − κ_a)V₁, κ_a < 1
    assert r.setup.kappa is not None and 0.79 < h.kappa_a < 1.0
    E_sheath = 0.5 * Te + mean_sheath_voltage(h.V1_bottom, Te, M_AR) - (1.0 - h.kappa_a) * h.V1_bottom
    assert wp["sheath_energy_eV"] == pytest.approx(rows(E_sheath), rel=1e-4)
    assert r.setup.collisional and ions is not None and ions.lost == 0
    E_mc = np.full(Te.size, np.nan)
    E_mc[c] = ions.mean_energy_eV
    assert np.array_equal(wp["ion_energy_mean_eV"], rows(E_mc))
    assert h.s_bottom[c] * r.n_gas[c, 0] * r.setup.coef.sigma_i == pytest.approx(ions.collisionality, rel=1e-12)
    assert np.all(ions.collisionality > 1.5) and np.all(ions.mean_energy_eV < 0.8 * E_sheath[c])
    J, _, _ = rf_sheath(h.V1_bottom[c], r.n_s_wafer[c], Te[c], M_AR, OMEGA, r.setup.lambda_i, h.kappa_a)
    assert J == pytest.approx(h.J1[c], rel=1e-6)
    st = reactor_state_ccp(r, ions)
    ring = rows.weights
    G = wp["ion_flux_m2s"]
    w = rows.column_weights(G)
    assert ions.weights == pytest.approx(w / w.sum(), rel=1e-12)
    bin_eV = float(st.iedf.x[1] - st.iedf.x[0])               # the histogram's mean: within a bin
    assert st.ion_energy_mean_eV == pytest.approx(float((ions.weights * ions.mean_energy_eV).sum()), abs=bin_eV)
    assert st.V_rf > st.ion_energy_mean_eV
    st0 = reactor_state_ccp(r, None)                          # the collisionless path, unchanged
    assert st0.ion_energy_mean_eV == pytest.approx(float((rows(E_sheath) * ring).sum() / ring.sum()), rel=1e-3)
    # V̄ = κ_a V₁ + a few T_e (series): between κ_a V_rf and V_rf (sinusoidal: V̄ > V₁)
    assert h.kappa_a * st0.V_rf < st0.ion_energy_mean_eV < st0.V_rf and st0.V_rf > 100.0
    assert ccp_ions(dataclasses.replace(r, setup=dataclasses.replace(r.setup, collisional=False)),
                    np.ones(Te.size, bool)) is None
    assert st.V_dc == h.self_bias and -h.V_a < h.self_bias < -0.2 * h.V_a
    assert h.V_a > h.V_b
    assert st.ion_flux_m2s == pytest.approx(float((wp["ion_flux_m2s"] * ring).sum() / ring.sum()), rel=1e-12)


@pytest.mark.slow
def test_a_smaller_powered_electrode_is_self_biased():
    """R_e = 9 cm of R = 15 cm, the RF current returning through the top electrode alone: the
    powered sheath is the only one in the outer bottom cells' place (no current there), the top
    sheath carries the current everywhere, the current is continuous (1e-9), the power is the
    recipe's, and the area ratio (15/9)² = 2.8 makes the powered sheath the larger with a
    negative self-bias."""
    r = solve_ccp(make(chamber={"radius": "15 cm", "length": "5 cm", "wafer_radius": "7.5 cm"},
                       fluid2d={"ccp": {"electrode_radius": "9 cm", "rf_return": "electrode"}}))
    h, m = r.heating, r.setup.mesh
    outer = m.r > 0.09
    assert np.all(h.J1[outer] == 0) and np.all(h.J1[~outer] > 0) and np.all(h.J1_top > 0)
    assert float((m.ring_area * h.J1).sum()) == pytest.approx(float((m.ring_area * h.J1_top).sum()), rel=1e-9)
    assert r.absorbed_power == pytest.approx(30.0, rel=1e-9)
    assert h.V_a > 1.5 * h.V_b and h.self_bias < -0.3 * h.V_a


@pytest.mark.parametrize("over, path", [
    ({"fluid2d": {"ccp": {"gap": "6 cm"}}}, "reactor.fluid2d.ccp.gap"),
    ({"fluid2d": {"ccp": {"electrode_radius": "16 cm"}}}, "reactor.fluid2d.ccp.electrode_radius"),
    ({"fluid2d": {"ccp": {"electrode_radius": "8 cm"}}}, "reactor.chamber.wafer_radius"),
    ({"bias": {"frequency": "2 MHz", "voltage": "100 V"}}, "reactor.bias"),
    ({"source": {"type": "icp", "power": "30 W"}, "fluid2d": {"ccp": {"gap": "4 cm"}}}, "reactor.fluid2d.ccp"),
    ({"gases": {"SF6": "100 sccm"}, "chemistry": "sf6"}, "reactor.chemistry"),
    ({"fluid2d": {"ccp": {"gap": "1 cm"}}}, "reactor.fluid2d.ccp.gap"),
    ({"loading": [{"species": "Ar", "probability": 0.1, "area": "1 cm^2"}]}, "reactor.loading"),
])
def test_bad_ccp_input_names_the_field(over, path):
    from waferlab.reactor import solve

    with pytest.raises(RecipeError) as exc:
        solve(make(**over))
    assert str(exc.value).startswith(path)


def test_bad_ccp_values_are_refused_by_the_schema():
    with pytest.raises(RecipeError, match=r"reactor\.fluid2d\.ccp.*gap"):
        make(fluid2d={"ccp": {"gap": "-1 cm"}})
    for key in ("rf_return", "sheath"):
        with pytest.raises(RecipeError, match=rf"reactor\.fluid2d\.ccp\.{key}"):
            make(fluid2d={"ccp": {key: "bogus"}})


@pytest.mark.parametrize("pressure, power, sheath, regime", [
    ("1 mTorr", "30 W", "auto", "collisionless"), ("100 mTorr", "30 W", "auto", "collisional"),
    ("10 mTorr", "30 W", "auto", "collisional"), ("10 mTorr", "10 W", "collisionless", "collisionless"),
    ("1 mTorr", "30 W", "collisional", "collisional")])
def test_sheath_law_is_chosen_by_the_ion_mean_free_path(pressure, power, sheath, regime):
    """auto: collisional where λ_i = 1/(n_g σ_i) is shorter than the homogeneous model's s_m
    (1 mTorr: λ_i = 31 mm > s_m ≈ 25 mm; 100 mTorr: 0.31 mm < s_m) or, where collisionless
    sheaths would fill the gap (10 mTorr, 30 W, 10 cm: 60 mm each), shorter than 0.475 gap; the
    homogeneous model's sheath then obeys that law (written out, 1e-9); a forced law is kept."""
    from waferlab.reactor.fluid2d.ccp_sheath import collisional_sheath_width

    st = build_ccp(make(pressure=pressure, chamber={"radius": "15 cm", "length": "10 cm", "wafer_radius": "10 cm"},
                        source={"type": "ccp", "power": power}, fluid2d={"ccp": {"sheath": sheath}}))
    ref = st.reference
    assert st.sheath_regime == regime
    if sheath == "auto":
        assert (st.lambda_i < ref.s_m_m) == (regime == "collisional")
    lam = 1 / (st.global_model.n_g0 * st.coef.sigma_i)
    assert st.lambda_i == pytest.approx(lam, rel=1e-12)
    if regime == "collisional":
        s_m = collisional_sheath_width(ref.Vbar_V, ref.n_s_m3, ref.T_e_eV, M_AR, lam)
    else:
        s_m = math.sqrt(50 / 27) * math.sqrt(2) / 3 * math.sqrt(EPS0 * ref.T_e_eV / (E_CHARGE * ref.n_s_m3)) * (
            2 * ref.Vbar_V / ref.T_e_eV) ** 0.75
    assert ref.s_m_m == pytest.approx(float(s_m), rel=1e-9)


def test_non_convergence_reports_the_residual_history():
    with pytest.raises(SimulationError, match=r"residual history: \d\.\d\de[+-]\d\d"):
        solve_ccp(make(fluid2d={"max_iterations": 3}))


@pytest.mark.slow
def test_a_stopped_run_resumes_from_its_checkpoint(ccp, tmp_path):
    ck = tmp_path / "ck.npz"
    with pytest.raises(SimulationError):
        solve_ccp(make(source=P_CCP, fluid2d={"max_iterations": 6}), checkpoint=ck)
    r = solve_ccp(make(source=P_CCP), checkpoint=ck, resume=True)
    assert r.residual_history[:6] == pytest.approx(ccp.residual_history[:6], rel=1e-6)
    assert r.n_e_avg == pytest.approx(ccp.n_e_avg, rel=1e-6)
    with pytest.raises(RecipeError, match="another reactor recipe"):
        solve_ccp(make(source=P_CCP, pressure="12 mTorr"), checkpoint=ck, resume=True)


@pytest.mark.slow
def test_wafer_map_takes_the_ccp_profile(ccp):
    """plasma_etch's wafer map: the per-radius states reproduce the CCP's wafer ion flux ratios
    and mean ion energies, and their ring average is the wafer-average state."""
    from waferlab.process.wafer_map import local_state, reactor_profile
    from waferlab.reactor import solve
    from waferlab.reactor.fluid2d.ccp_output import wafer_profile_ccp

    spec = make(source=P_CCP)
    st, prof = solve(spec), reactor_profile(spec)
    wp = wafer_profile_ccp(ccp)
    loc = [local_state(st, prof, float(x)) for x in wp["r_m"]]
    G = np.array([s.ion_flux_m2s for s in loc])
    assert G / G[0] == pytest.approx(wp["ion_flux_m2s"] / wp["ion_flux_m2s"][0], rel=1e-9)
    ring = ccp.setup.mesh.ring_area[: G.size]
    assert (G * ring).sum() / ring.sum() == pytest.approx(st.ion_flux_m2s, rel=1e-9)
    E = np.array([s.ion_energy_mean_eV for s in loc])
    assert E - E[0] == pytest.approx(wp["ion_energy_mean_eV"] - wp["ion_energy_mean_eV"][0], abs=1e-3)


@pytest.mark.slow
def test_example_recipe_writes_fields_wafer_csv_png_and_json(tmp_path):
    """examples/fluid2d/reactor-argon-ccp.yaml through `waferlab reactor`."""
    import xarray as xr

    from waferlab.reactor.cli import run_reactor

    out = run_reactor(ROOT / "examples/fluid2d/reactor-argon-ccp.yaml", tmp_path / "out", quiet=True)
    with xr.open_dataset(tmp_path / "out" / "fields.nc", engine="h5netcdf") as ds:
        assert set(ds.coords) == {"r_m", "z_m"}
        for v in ("n_e_m3", "T_e_eV", "phi_V", "power_W_m3", "power_ohmic_W_m3", "power_stochastic_W_m3",
                  "gas_temperature_K", "Ar_m3", "Ar+_m3"):
            assert ds[v].shape == (16, 16), v
        assert 0 < float(ds["z_m"][0]) < float(ds["z_m"][-1]) < 0.05
    head = (tmp_path / "out" / "wafer.csv").read_text().splitlines()
    assert head[0].startswith("r_m,ion_flux_m2s,ion_energy_mean_eV,Ar_flux_m2s,sheath_rf_voltage_V")
    data = json.loads((tmp_path / "out" / "reactor.json").read_text())
    f2 = data["fluid2d"]
    assert f2["absorbed_power_W"] == pytest.approx(30.0, rel=1e-9)
    assert f2["sheath_regime"] == "collisional" and f2["ion_mean_free_path_over_sheath"] < 1
    assert f2["iedf_monte_carlo"]["ion_cross_section"] == "phelps" and f2["iedf_monte_carlo"]["seed"] == 0
    assert f2["self_bias_V"] == data["V_dc_V"] < -50 and f2["rf_return"] == "chamber"
    # V_T between the plates (new key, and the old one kept) = powered + grounded sheaths' amplitudes;
    # the global model's V_rf_V is the wafer sheath's
    assert f2["rf_voltage_between_plates_V"] == f2["rf_voltage_V"] == pytest.approx(
        f2["sheath_rf_voltage_powered_V"] + f2["sheath_rf_voltage_grounded_V"], rel=1e-12)
    assert data["V_rf_V"] < f2["rf_voltage_between_plates_V"]
    with xr.open_dataset(tmp_path / "out" / "fields.nc", engine="h5netcdf") as ds:
        assert ds.attrs["self_bias_V"] == f2["self_bias_V"] and ds["sheath_mean_voltage_side_V"].shape == (16,)
    assert f2["ohmic_W"] + f2["stochastic_W"] + f2["ion_sheath_power_W"] == pytest.approx(30.0, rel=1e-9)
    assert f2["T_e_density_weighted_eV"] == pytest.approx(f2["homogeneous_model"]["T_e_eV"], rel=0.10)
    assert f2["n_e_avg_m3"] == pytest.approx(f2["homogeneous_model"]["n0_m3"], rel=0.30)
    from waferlab.reactor import solve
    glob = solve(validate_section(ReactorSpec, {**BASE, "model": "global"}, "reactor")).to_json()
    assert set(glob) <= set(data)
    assert (tmp_path / "out" / "reactor.png").stat().st_size > 20000
    assert out["T_e_eV"] == data["T_e_eV"]


@pytest.mark.slow
@pytest.mark.parametrize("pressure, power, gap, mode", [
    ("10 mTorr", "10 W", "5 cm", "discharge"), ("30 mTorr", "30 W", "10 cm", "discharge"),
    ("10 mTorr", "2 W", "5 cm", "electrons"), ("100 mTorr", "10 W", "10 cm", "discharge")])
def test_homogeneous_model_agreement_over_conditions(pressure, power, gap, mode):
    """The same tolerances over pressure, power, gap and both power conventions."""
    r = solve_ccp(make(pressure=pressure, source={"type": "ccp", "power": power},
                       chamber={"radius": "15 cm", "length": gap, "wafer_radius": "10 cm"},
                       fluid2d={"ccp": {"power_absorbed_by": mode, "rf_return": "electrode"}}))
    ref = r.setup.reference
    P = float(power.split()[0])
    assert r.absorbed_power == pytest.approx(P, rel=1e-9)
    assert r.n_e_avg == pytest.approx(ref.n0_m3, rel=0.30)
    assert r.T_e_density_weighted == pytest.approx(ref.T_e_eV, rel=0.10)


@pytest.mark.slow
def test_wafer_map_example_sputters_with_the_ccp_ion_profile(tmp_path):
    """examples/fluid2d/wafer-map-argon-ccp.yaml (fewer rays, shorter, two radii) through the
    runner: each radius gets the CCP's ion flux ratio and mean ion energy, and the Ar⁺ sputter
    etch reaches every radius."""
    import csv

    from waferlab.context import RunContext
    from waferlab.process.wafer_map import reactor_profile
    from waferlab.recipe import recipe_from_dict
    from waferlab.recipe_io import load_yaml
    from waferlab.runner import run_recipe

    data = load_yaml(ROOT / "examples/fluid2d/wafer-map-argon-ccp.yaml")
    step = data["steps"][0]["plasma_etch"]
    step.update(rays_per_point=20, time="300 s", wafer_map={"radii": ["0 mm", "95 mm"]})
    data["output"] = {"vtk": False, "plot": False}
    run_recipe(recipe_from_dict(data), RunContext(seed=3, threads=1, out_dir=tmp_path))
    with open(tmp_path / "wafer_map.csv") as fh:
        rows = list(csv.DictReader(fh))
    G = [float(x["ion_flux_m2s"]) for x in rows]
    E = [float(x["ion_energy_mean_eV"]) for x in rows]
    # the step's ion Monte Carlo draws from its RunContext seed (the runner's step-0 seed of seed 3)
    step_seed = int(RunContext(seed=3).seed_sequence("step", 0).generate_state(1)[0] >> 1)
    prof = reactor_profile(validate_section(ReactorSpec, step["reactor"], "reactor"), seed=step_seed)
    (i0, dE0, _), (i1, dE1, _) = prof.at(0.0), prof.at(0.095)
    assert G[1] / G[0] == pytest.approx(i1 / i0, rel=1e-6)
    # collisional sheath (s_m/λ_i ≈ 5): the ion Monte Carlo's mean, far below T_e/2 + V̄ ≈ 445 eV
    assert E[1] - E[0] == pytest.approx(dE1 - dE0, abs=1e-6) and 60 < E[0] < 300
    # ≈ 260 eV mean with the default Phelps cross sections (constant σ_i: ≈ 140 eV; collisionless ≈ 447 eV)
    assert all(float(x["etch_depth_m"]) > 2e-9 for x in rows)


def test_series_mean_voltage_factor_of_the_sheaths():
    """mean_voltage: series (the default; ``sinusoidal`` selectable: no κ table) — V̄ =
    mean_sheath_voltage(V₁) − (1 − κ)V₁ (κ = 1: ``sinusoidal``, bit-identical); the table's
    κ(ratio) is sheath_pair's (1e-4 between its points), swaps the sheaths below ratio 1, and equal
    sheaths split 1 : 1 with κ_a = κ_b = κ(1) in the divider."""
    from waferlab.reactor.sheath_rf import SeriesKappa, pair_mean_ratio, sheath_pair

    assert build_ccp(make()).kappa is not None
    assert build_ccp(make(fluid2d={"ccp": {"mean_voltage": "sinusoidal"}})).kappa is None
    V1, ns, Te = np.array([300.0, 800.0]), np.array([1e15, 2e15]), np.array([3.0, 3.5])
    J0, Vb0, s0 = rf_sheath(V1, ns, Te, M_AR, OMEGA, 1e-3)
    J1, Vb1, s1 = rf_sheath(V1, ns, Te, M_AR, OMEGA, 1e-3, 1.0)
    assert np.array_equal(Vb0, Vb1) and np.array_equal(J0, J1)
    _, Vk, _ = rf_sheath(V1, ns, Te, M_AR, OMEGA, 1e-3, 0.8)
    assert Vk == pytest.approx(mean_sheath_voltage(V1, Te, M_AR) - 0.2 * V1, rel=1e-12)
    tab = SeriesKappa.of("collisional")
    assert tab(1.0)[0] == pytest.approx(sheath_pair(1.0, "collisional")["kappa_a"], rel=1e-6)
    ka, kb = pair_mean_ratio(1.7, "collisional")
    assert tab(1.7) == pytest.approx((ka, kb), rel=1e-4) and tab(1 / 1.7) == pytest.approx((kb, ka), rel=1e-4)
    a = Surface(np.array([1.0]), np.array([1e15]), np.array([3.0]), np.array([1e-3]))
    f = capacitive_split(600.0, a, a, M_AR, OMEGA)
    assert f == pytest.approx(0.5, abs=1e-12)


@pytest.mark.slow
def test_series_mean_voltage_in_2d():
    """The 2D CCP with mean_voltage: series (5 W, 10 × 12): equal plates have κ_a = κ_b = κ(1)
    (0.792, collisional) and no self-bias, and agree with the homogeneous model of the same
    closure within the criteria (⟨n_e⟩ ±30 %, T_e ±10 %); the metal chamber's powered sheath
    has κ_a > κ(1) > κ_b (0.841 / 0.752 measured), V̄ = mean_sheath_voltage(V₁) − (1 − κ_a)V₁ at
    the wafer, and the absorbed power is the recipe's (1e-9)."""
    from waferlab.reactor.sheath_rf import SeriesKappa

    k1 = SeriesKappa.of("collisional")(1.0)[0]
    sym = solve_ccp(make(source=P_CCP, fluid2d={"ccp": {"rf_return": "electrode", "mean_voltage": "series"}}))
    h = sym.heating
    assert sym.setup.collisional
    assert h.kappa_a == pytest.approx(k1, rel=1e-6) and h.kappa_b == pytest.approx(k1, rel=1e-6)
    assert abs(h.self_bias) < 1e-6 * h.V_T
    ref = sym.setup.reference
    assert sym.n_e_avg == pytest.approx(ref.n0_m3, rel=0.30)
    assert sym.T_e_density_weighted == pytest.approx(ref.T_e_eV, rel=0.10)
    r = solve_ccp(make(source=P_CCP, fluid2d={"ccp": {"mean_voltage": "series"}}))
    h = r.heating
    assert 0.70 < h.kappa_b < k1 < h.kappa_a < 1.0          # the smaller (grounded) sheath's V̄/V₁ falls
    assert h.Vbar_bottom[0] == pytest.approx(float(mean_sheath_voltage(h.V1_bottom[0], r.T_e_wafer[0], M_AR))
                                             - (1 - h.kappa_a) * h.V1_bottom[0], rel=1e-9)
    assert r.absorbed_power == pytest.approx(5.0, rel=1e-9)
