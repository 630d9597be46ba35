"""The non-local electron kinetics of the CCP bulk (waferlab.reactor.fluid2d.ccp_nonlocal)."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.reactor.boltzmann import Grid, maxwellian, rate_coefficient, solve_eedf
from waferlab.reactor.chemistry import load_chemistry
from waferlab.reactor.fluid2d.ccp_nonlocal import cell_weights, kinetic_processes, nonlocal_eedf
from waferlab.reactor.fluid2d.ccp_xs import phelps_petrovic_ar

N_GAS = 10.0 / (1.380649e-23 * 350.0)          # eduPIC: 10 Pa, 350 K
OMEGA = 2 * np.pi * 13.56e6
GRID = Grid(n=300, u_max=45.0)


def _procs():
    return [p.process for p in kinetic_processes(load_chemistry("argon"), GRID)]


def test_argon_uses_the_phelps_petrovic_cross_sections():
    """Argon's kinetics take the measured cross sections (Phelps & Petrović 1999): the Ramsauer
    minimum of the momentum transfer sits at 0.2–0.3 eV; thresholds 11.5 and 15.8 eV.  Their
    Maxwellian ionisation rate at 3–6 eV is within 35 % of the L&L (2005, Table 3.3) fit the
    fluid uses (two independent data sets: a check of the transcription, not of either)."""
    procs = _procs()
    kinds = [(p.kind, p.threshold_eV) for p in procs]
    assert kinds == [("elastic", 0.0), ("inelastic", 11.5), ("inelastic", 15.8)]
    u = np.linspace(0.05, 1.0, 400)
    el = phelps_petrovic_ar(u)["elastic"]
    assert 0.2 < u[np.argmin(el)] < 0.3
    g = Grid(n=2000, u_max=100.0)
    s_iz = phelps_petrovic_ar(g.u)["ionisation"]
    for T in (3.0, 4.0, 6.0):
        k_ll = 2.34e-14 * T ** 0.59 * np.exp(-17.44 / T)
        assert rate_coefficient(g, maxwellian(g, T), s_iz) == pytest.approx(k_ll, rel=0.35)


def test_flat_well_uniform_field_reduces_to_the_local_two_term_eedf():
    """No well (U = 0), a uniform density (so a uniform RF field) and no stochastic heating: the
    space-averaged equation is the local one times the column length, so F must be the local
    two-term EEDF (:func:`..boltzmann.solve_eedf`) at the same reduced field — to the solver's
    round-off (the two assemble the same discrete operator), not a tolerance on physics.  The
    relaxation-length side of the limit: the local EEDF is what the space average gives wherever
    heating and well are uniform over the accessible region."""
    procs = _procs()
    dz = np.full(6, 2e-3)
    n = np.full(6, 5e15)
    sol = nonlocal_eedf(procs, dz, n, 20.0, [1e15, 1e15], n_gas=N_GAS, T_gas_K=350.0, omega=OMEGA, grid=GRID,
                        U0=np.zeros(6), fixed_well=True, stochastic=False)
    assert np.allclose(sol.EN_rms, sol.EN_rms[0], rtol=1e-12)
    loc = solve_eedf(GRID, procs, [1.0] * 3, float(sol.EN_rms[0]), T_gas_K=350.0, omega_over_N=OMEGA / N_GAS)
    f = sol.local(0) / sol.n[0]
    f0 = loc.F0 / float((cell_weights(GRID, 0.0, 0.5) * loc.F0).sum())
    sel = f0 > 1e-8 * f0.max()
    assert np.max(np.abs(f[sel] / f0[sel] - 1)) < 1e-8
    assert sol.mean_energy[0] == pytest.approx(loc.mean_energy_eV, rel=2e-3)     # midpoint vs exact moment


@pytest.fixture(scope="module")
def column():
    """An eduPIC-like column: a cos-shaped density over 18 mm, 40 W/m², both sheaths heating."""
    z = (np.arange(16) + 0.5) / 16
    n = 7e15 * (0.25 + 0.75 * np.sin(np.pi * z))
    return nonlocal_eedf(_procs(), np.full(16, 18e-3 / 16), n, 40.0, [1.5e15, 1.5e15], n_gas=N_GAS,
                         T_gas_K=350.0, omega=OMEGA, grid=GRID)


def test_power_in_equals_collisional_losses(column):
    """The kinetic equation conserves energy: heating (ohmic + stochastic) = elastic + inelastic
    losses to 1e-3, and the heating is the requested 40 W/m²."""
    assert column.power_in == pytest.approx(40.0, rel=1e-6)
    assert abs(column.conservation) < 1e-3
    assert column.power_stochastic > 0 and column.power_ohmic > 0


def test_the_well_reproduces_the_density_shape(column):
    """n(z) = ∫√(ε − U(z)) F dε from the solved well gives back the column's density shape, the
    well is deepest at the walls and deeper still at the sheath edges (where the density is the
    given edge density, below the edge cell's), and mid-gap, where the cold trapped electrons live,
    the screening temperature is below the mean energy's ⅔ (a two-temperature EEPF) and below
    the screening temperature at the walls."""
    z = (np.arange(16) + 0.5) / 16
    shape = 0.25 + 0.75 * np.sin(np.pi * z)
    assert np.max(np.abs(column.n / column.n.max() - shape / shape.max())) < 1e-3
    assert column.U[0] == pytest.approx(column.U.max()) and column.U.min() < 0.05
    n_check = np.array([(cell_weights(column.grid, u, 0.5) * column.F).sum() for u in column.U])
    assert np.allclose(n_check, column.n, rtol=1e-12)
    assert column.T_bohm[7] < 2 / 3 * column.mean_energy[7] and column.T_bohm[7] < column.T_bohm[0]
    assert np.all(column.U_edge > column.U[0])
    n_edge = [(cell_weights(column.grid, u, 0.5) * column.F).sum() for u in column.U_edge]
    assert np.allclose(n_edge, 1.5e15, rtol=1e-3)


def test_nonlocal_electrons_refuse_the_local_boltzmann_tables():
    """``electrons: nonlocal`` computes its own EEDF: with ``eedf: boltzmann`` a RecipeError names the key."""
    from waferlab.errors import RecipeError
    from waferlab.reactor.fluid2d.ccp import solve_ccp
    from waferlab.validation.ccp_edupic import edupic_spec

    with pytest.raises(RecipeError, match="electrons"):
        solve_ccp(edupic_spec(eedf="boltzmann", ccp={"electrons": "nonlocal"}))


def test_kinetic_ohmic_price_is_the_collision_frequency_when_it_is_constant():
    """With a collision frequency independent of energy (σ_m ∝ u^-½) the kinetic conductivity is the
    Drude one for any EEDF, σ_p = e²n/(m(ν + iω)) (two-term theory), so the ohmic price of
    :func:`..ccp_kinetic.kinetic_prices` must give back ν: ½J₁²m ν_eff/(e²n) is what the kinetics
    absorb.  Tolerance 1.5 %: the heating's central differences against the midpoint density on
    a 0.1 eV grid (measured 0.78 %); a factor in the price (2, ω) fails it."""
    from waferlab.reactor.boltzmann import GAMMA, Process
    from waferlab.reactor.fluid2d.ccp_kinetic import kinetic_prices

    g = Grid(n=400, u_max=40.0)
    nu = 3e8
    el = Process("constant ν", "elastic", nu / (N_GAS * GAMMA * np.sqrt(g.u)), mass_ratio=1.36e-5)
    ex = Process("step", "inelastic", np.where(g.u > 11.5, 1e-20, 0.0), threshold_eV=11.5)
    dz = np.full(6, 2e-3)
    sol = nonlocal_eedf([el, ex], dz, np.full(6, 5e15), 20.0, [1e15, 1e15], n_gas=N_GAS, T_gas_K=350.0,
                        omega=OMEGA, grid=g, U0=np.zeros(6), fixed_well=True, stochastic=False)
    nu_eff, _ = kinetic_prices(sol, dz, [1e15, 1e15])
    assert np.allclose(nu_eff / nu, 1.0, atol=0.015)


@pytest.mark.parametrize("T", [1.0, 3.0])
def test_fermi_heating_of_a_maxwellian_edge_is_liebermans(T):
    """The kinetic stochastic term (the Fermi acceleration of the electrons that reach the sheath
    edge) heats a Maxwellian edge flux at exactly S_stoc = ½m_e v̄_e n_s u₀² (Lieberman 1988; L&L
    2005 §11.1), so its price, the temperature T_stoc of :func:`..ccp_kinetic.kinetic_prices`, is the
    Maxwellian's T to the grid's round-off (1e-3; the 40 eV grid truncates a 6 eV tail by 7 %)."""
    import types

    from waferlab.constants import EV, M_E
    from waferlab.reactor.boltzmann import GAMMA
    from waferlab.reactor.fluid2d.ccp_kinetic import kinetic_prices
    from waferlab.reactor.fluid2d.ccp_nonlocal import _Column

    g = Grid(n=400, u_max=40.0)
    dz, n_s, J = np.full(6, 2e-3), 1e15, 20.0
    col = _Column(g, _procs_on(g), dz, np.zeros(6), N_GAS, 350.0, OMEGA, [0.0, 0.0])
    F = maxwellian(g, T)
    F = F * n_s / float((cell_weights(g, 0.0, 0.5) * F).sum())
    b = J ** 2 * (M_E / EV) * GAMMA / 4.0 / (EV * n_s) ** 2 / N_GAS
    _, hb = col.heating(F, np.zeros(6), np.array([b, b]))
    sol = types.SimpleNamespace(J1=J, n=np.full(6, n_s), ohmic_cells=np.zeros(6), stochastic_edges=hb * N_GAS * EV)
    _, T_stoc = kinetic_prices(sol, dz, [n_s, n_s])
    assert np.allclose(T_stoc / T, 1.0, atol=1e-3)


def _procs_on(grid):
    return [p.process for p in kinetic_processes(load_chemistry("argon"), grid)]


@pytest.fixture(scope="module")
def edupic_nonlocal():
    from waferlab.reactor.fluid2d.ccp import solve_ccp
    from waferlab.validation.ccp_edupic import edupic_spec

    return solve_ccp(edupic_spec(ccp={"electrons": "nonlocal"}))


@pytest.mark.slow
def test_edupic_rows_with_nonlocal_electrons(edupic_nonlocal):
    """The eduPIC reference case (Donkó et al., PSST 30, 095017, 2021) at its absorbed power with
    ``electrons: nonlocal``: the kinetic loop reaches its 1e-3, and every row is inside the tolerance
    set before the comparison (waferlab.validation.ccp_edupic): n and Γ within a factor 2, V_T, J₁
    and V̄ + T_B/2 within 30 % (measured 0.558, 0.852, 1.163, 1.211, 1.086;
    bench/results/ccp_nonlocal_s15.md).  The local model's density misses its factor 2 (0.498, the
    strict xfail of test_ccp_edupic.py); here the mid-gap screening temperature is below the
    sheath edges' Bohm temperature (trapped electrons: a weaker ambipolar field at mid-gap)."""
    from waferlab.validation.ccp_edupic import EDUPIC, compare

    r = edupic_nonlocal
    assert r.residual_history[-1] < 1e-3 and r.kinetic_iterations >= 1
    c = compare(r)
    assert c["power_W_m2"][0] == pytest.approx(EDUPIC.power_W_m2, rel=1e-6)
    for k in ("n_peak_m3", "ion_flux_m2s"):
        a, b = c[k]
        assert 0.5 < a / b < 2.0, k
    for k in ("rf_voltage_V", "rf_current_A_m2", "plasma_potential_V"):
        a, b = c[k]
        assert a / b == pytest.approx(1.0, abs=0.30), k
    k = int(np.argmax(r.n_e[0]))
    assert r.T_e[0, k] < r.T_e[0, 0]
    assert abs(r.kinetics.conservation) < 1e-6


@pytest.mark.slow
def test_edupic_ion_energy_with_nonlocal_electrons(edupic_nonlocal):
    """The Monte Carlo's mean ion energy at the electrode (centre column, 3000 ions) within 30 % of
    the PIC's 33.46 eV, as for the local electrons."""
    from waferlab.reactor.fluid2d.ccp_output import wafer_ions
    from waferlab.validation.ccp_edupic import EDUPIC

    col = wafer_ions(edupic_nonlocal, seed=1, n_ions=3000).columns[0]
    assert col.lost == 0
    assert col.mean_energy_eV == pytest.approx(EDUPIC.ion_energy_mean_eV, rel=0.30)


@pytest.mark.slow
def test_nonlocal_checkpoint_resumes_to_the_same_state(edupic_nonlocal, tmp_path, monkeypatch):
    """A kinetic loop stopped after 2 steps (SimulationError) leaves its state in the checkpoint;
    ``resume`` continues from it to the uninterrupted run's steady state: n_max, V_T and J₁ within
    3e-3 (both stop when a step changes the state by less than 1e-3; Anderson's history restarts,
    so the two stopping points differ by a few tolerances at most)."""
    import waferlab.reactor.fluid2d.ccp_kinetic as K
    from waferlab.errors import SimulationError
    from waferlab.reactor.fluid2d.ccp import solve_ccp
    from waferlab.validation.ccp_edupic import edupic_spec

    spec = edupic_spec(ccp={"electrons": "nonlocal"})
    ck = tmp_path / "ck.npz"
    with monkeypatch.context() as m:
        m.setattr(K, "KINETIC_ITERATIONS", 2)
        with pytest.raises(SimulationError, match="did not reach"):
            solve_ccp(spec, checkpoint=ck)
    assert ck.is_file()
    r = solve_ccp(spec, checkpoint=ck, resume=True)
    a = edupic_nonlocal
    assert r.kinetic_iterations >= 1
    assert r.n_e[0].max() == pytest.approx(a.n_e[0].max(), rel=3e-3)
    assert r.heating.V_T == pytest.approx(a.heating.V_T, rel=3e-3)
    assert r.heating.J1[0] == pytest.approx(a.heating.J1[0], rel=3e-3)


def test_column_modes_reduce_to_the_chamber_mode():
    """One ionisation frequency per column (:func:`..ccp_kinetic.column_modes`): given the column
    weights of the chamber's sustaining mode (:meth:`TransportResidual.sustaining_mode`, itself
    checked against the analytic J₀(2.405r/R)·sin(πz/L) eigenmode in
    waferlab.validation.reactor_fluid2d), every column's frequency is that mode's ν and the shape is
    the same (Newton to 1e-10: 1e-7).  With flat weights no ion crosses between the inner columns:
    each is the 1D problem, whose frequency is the axial eigenvalue D_a(π/L)² (3 %: the 8-cell
    mesh's discretisation, −1.3 % measured; the validation module shows its O(h²) convergence), and
    the outermost column, which alone loses ions to the side wall, needs more."""
    from scipy.special import j0

    from waferlab.constants import AMU
    from waferlab.reactor.fluid2d.ccp_kinetic import column_modes
    from waferlab.reactor.fluid2d.mesh import Mesh
    from waferlab.reactor.fluid2d.transport import PlasmaCoefficients, TransportResidual

    def rates(T, n_g):
        z = np.zeros_like(T)
        return z, z, np.full_like(T, 1e7)

    coef = PlasmaCoefficients(m_i=39.948 * AMU, sigma_i=1e-12, T_i_eV=0.5, rates=rates)
    R, L = 0.1, 0.15
    m = Mesh.uniform(R, L, 8, 8)
    tr = TransportResidual(m, coef)
    tr.set_state(np.full(m.shape, 3e19), None)
    Te = np.full(m.shape, 3.0)
    guess = np.log(np.maximum(j0(2.3 * m.r / R)[:, None] * np.sin(np.pi * m.z / L)[None, :], 0.05))
    lnn, nu = tr.sustaining_mode(Te, guess)
    n = np.exp(lnn)
    lnc, nus = column_modes(tr, Te, guess, n.mean(axis=1) / n[0].mean())
    assert np.allclose(nus / nu, 1.0, atol=1e-7)
    assert np.allclose(lnc - lnc[0, 0], lnn - lnn[0, 0], atol=1e-7)
    _, flat = column_modes(tr, Te, guess, np.ones(8))
    vbar = np.sqrt(8 * 1.602176634e-19 * 0.5 / (np.pi * 39.948 * AMU))
    D = 1.602176634e-19 / (3e19 * 1e-12) / (39.948 * AMU) * 3.5 / vbar
    assert np.allclose(flat[:-1], flat[0], rtol=1e-9) and flat[0] < nu < flat[-1]
    assert flat[0] == pytest.approx(D * (np.pi / L) ** 2, rel=0.03)       # measured −1.3 % on 8 cells
