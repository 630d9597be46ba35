"""The exact kinetic plane discharge (validation.presheath) and the two wall-loss models of
issue #14 checked against it: the global model's h-factor and fluid2d's drift + Bohm wall."""
from __future__ import annotations

import math

import numpy as np
import pytest

from waferlab.constants import K_B, TORR
from waferlab.reactor import ReactorSpec
from waferlab.reactor.state import build_model
from waferlab.recipe_io import validate_section
from waferlab.validation.presheath import fluid2d_plane_h, plane_presheath, plane_presheath_at

M_AR = 39.948 * 1.66053907e-27
SIGMA = 1.0e-18          # the argon chemistry's σ_i (reactor/data/argon.yaml)


def test_tonks_langmuir_harrison_thompson():
    """Collisionless limit: Harrison & Thompson (Proc. Phys. Soc. 74, 145, 1959) give the plasma
    edge at η_s = 0.854 and the edge flux 0.3444 n₀ √(2T_e/M).  Tolerance: their 3–4 printed
    digits (±5e-4 on η_s, ±5e-5 on the flux) plus our discretisation error, measured as the
    change dt 2e-3 → 1e-3 (2e-5 on η_s, 3e-5 on the flux)."""
    sol = plane_presheath(math.inf, dt=2e-3)
    assert abs(sol.eta_edge - 0.854) < 6e-4
    assert abs(sol.flux / math.sqrt(2) - 0.3444) < 1e-4
    assert sol.h_avg == sol.s_edge and abs(sol.n_edge - math.exp(-0.854)) < 6e-4
    coarse = plane_presheath(math.inf, dt=8e-3)      # converges: the coarse grid is further off
    assert abs(coarse.flux / math.sqrt(2) - 0.3444) > abs(sol.flux / math.sqrt(2) - 0.3444)


def _argon(shape_L: str, p_mTorr: float):
    spec = validate_section(ReactorSpec, {
        "model": "global", "chamber": {"radius": "20 cm", "length": shape_L, "wafer_radius": "15 cm"},
        "pressure": f"{p_mTorr} mTorr", "gases": {"Ar": "50 sccm"}, "gas_temperature": "300 K",
        "source": {"power": "500 W"}}, "reactor")
    return build_model(spec, volume_average=False)      # L&L's centre-based h_L (the fit checked here)


@pytest.mark.parametrize("p_mTorr", [0.1, 1.0, 3.0, 10.0, 30.0, 90.0])
def test_global_h_l_against_exact(p_mTorr):
    """The global model's axial h-factor (its own ``h_factors``, L&L 2005 eq. 10.2.1) against the
    exact centre h = Γ_wall/(n₀u_B) of the kinetic plane discharge at the same l/λ (0.3 … 290).
    Measured deviation ≤ 1.8 % (worst at l/λ ≈ 3); tolerance 2.5 % — the fit's accuracy, not
    ours (discretisation 1e-4): a 0.86 → 0.84 change already fails at l/λ ≈ 3."""
    gm = _argon("10 cm", p_mTorr)
    n_g = p_mTorr * 1e-3 * TORR / (K_B * 300.0)
    hL, _ = gm.h_factors(np.array([n_g]), np.array([0.0]), np.array([3.0]))
    lol = gm.L * n_g * float(gm.sigma[gm.pos[0]])
    exact = plane_presheath_at(lol, dt=4e-3)
    assert abs(float(hL[0, 0]) / exact.h_centre - 1) < 0.025, (lol, float(hL[0, 0]), exact.h_centre)


def test_fluid2d_drift_collisional_limit():
    """At l/λ = 290 the kinetic model's ions reach the variable-mobility drift u² = 2eEλ/(πM)
    (mean speed over exponentially distributed free paths from rest), fluid2d's high-field law:
    with cold ions its wall loss must agree with the exact one.  Measured h_avg −1.9 % at
    nz 32 (the neglected inertia, O(√(λ/l))); tolerance 4 %."""
    lol = 290.0
    h_c, h_avg, _ = fluid2d_plane_h(0.1, lol / (0.1 * SIGMA), m_i=M_AR, sigma_i=SIGMA, nz=32)
    exact = plane_presheath_at(lol, dt=4e-3)
    assert abs(h_avg / exact.h_avg - 1) < 0.04
    assert abs(h_c / exact.h_centre - 1) < 0.04


@pytest.mark.parametrize("lol", [0.3, 3.22, 32.2, 290.0])
def test_fluid2d_wall_loss_with_inertia_against_exact(lol):
    """fluid2d's ICP ion transport (``ion_inertia``: the drift law with the momentum equation's
    inertia and ionisation drag, :func:`ion_drift_inertial`) with cold ions against the exact
    kinetic plane discharge from nearly collisionless (l/λ 0.3) to collisional (290): h_avg
    measured −0.7 … −3.5 % at nz 32 (−0.6 … −2.5 % at nz 128: the fluid closure's π/2 drag and the
    fluid Bohm point, not the mesh); tolerance 5 %.  The drift law alone reads +69 % at 0.3 and
    +40 % at 3.2 (h → 1 as λ → ∞)."""
    n_g = lol / (0.1 * SIGMA)
    h_c, h_avg, _ = fluid2d_plane_h(0.1, n_g, m_i=M_AR, sigma_i=SIGMA, nz=32, ion_inertia=True)
    exact = plane_presheath_at(lol, dt=4e-3)
    assert abs(h_avg / exact.h_avg - 1) < 0.05, (h_avg, exact.h_avg)
    assert abs(h_c / exact.h_centre - 1) < 0.05, (h_c, exact.h_centre)


def test_icp_build_uses_inertia():
    """The ICP argon model is built with the inertial drift (the CCP keeps the drift law)."""
    from waferlab.reactor.fluid2d.model import build

    spec = validate_section(ReactorSpec, {
        "model": "fluid2d", "chamber": {"radius": "15 cm", "length": "30 cm", "wafer_radius": "10 cm"},
        "pressure": "1 mTorr", "gases": {"Ar": "50 sccm"}, "gas_temperature": "300 K",
        "source": {"power": "200 W"}}, "reactor")
    coef = build(spec)[0].coef
    assert coef is not None and coef.ion_inertia


def test_cylinder_reference_converges():
    """The cylindrical branch (same marching, weights s'/s): collisionless η_s = 1.155–1.156 and
    h_avg = 0.5458 at dt 2e-3 (η_s = 1.155 is the value usually quoted for Self's 1963 cylinder,
    not checked against the paper here); halving dt moves h_c and h_avg by < 1e-4."""
    a = plane_presheath(math.inf, dt=4e-3, geometry="cylinder")
    b = plane_presheath(math.inf, dt=2e-3, geometry="cylinder")
    assert abs(b.eta_edge - 1.1555) < 1.5e-3
    assert abs(a.h_centre - b.h_centre) < 2e-4 and abs(a.h_avg - b.h_avg) < 2e-4
    assert 0.69 < b.n_avg < 0.71


@pytest.mark.parametrize("R_over_lambda", [0.3, 4.8, 48.0])
def test_global_h_R_against_exact(R_over_lambda):
    """L&L's radial h_R = 0.80 (4 + R/λ)^-½ against the exact centre h of the kinetic cylinder:
    measured +4.6 % (R/λ 0.3), +3.2 % (4.8), +1.8 % (48); tolerance 6 %."""
    exact = plane_presheath_at(R_over_lambda, dt=4e-3, geometry="cylinder")
    h_R = 0.80 / math.sqrt(4 + R_over_lambda)
    assert abs(h_R / exact.h_centre - 1) < 0.06


@pytest.mark.parametrize("R_over_lambda", [0.3, 14.5])
def test_fluid2d_radial_wall_loss_with_inertia(R_over_lambda):
    """fluid2d's inertial drift in a long cylinder (radial faces only) against the exact kinetic
    cylinder: h_avg measured −7.9 % (R/λ 0.3) and −3.6 % (14.5) — the closure substitutes the
    plane continuity, the cylinder's u²/r is left out; the drift law alone reads +74 % and +12 %.
    Tolerance 10 %."""
    R = 0.15
    _, h_avg, _ = fluid2d_plane_h(R, R_over_lambda / (R * SIGMA), m_i=M_AR, sigma_i=SIGMA, nz=32,
                                  ion_inertia=True, geometry="cylinder")
    exact = plane_presheath_at(R_over_lambda, dt=4e-3, geometry="cylinder")
    assert abs(h_avg / exact.h_avg - 1) < 0.10
