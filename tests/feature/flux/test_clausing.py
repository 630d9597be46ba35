"""Knudsen transmission of open channels against Clausing's table (docs/reference-data.md §1).

P. Clausing, Ann. Phys. (Leipzig) 12, 961 (1932); A. S. Berman, J. Appl. Phys. 36, 3356
(1965).  Tolerance: 3σ (σ from per-ray statistics) + 0.5 % of W (table rounding and,
in 3D, the faceting of the tube; see ``shapes``).  Direct transmission (black walls) is
exact: slit F = √(1 + (L/H)²) − L/H, tube F = [S − √(S² − 4)]/2, S = 2 + (L/R)².
"""
import numpy as np
import pytest

from waferlab.feature.flux import Species, trace_fluxes
from waferlab.feature.flux import shapes

SLIT = {1: 0.68438, 5: 0.35641, 20: 0.15389}
TUBE = {1: 0.67198, 4: 0.35657, 20: 0.10932}
N_SIDES = 96


def slit_W(ctx, LH, sticking, n_rays, specular=0.0):
    s = shapes.slit(1.0, float(LH), n_wall=max(10, 2 * LH))
    sp = Species(name="n", sticking=sticking, specular=specular)
    f = trace_fluxes(s, [sp], ctx, n_rays=n_rays)["n"]
    return f.transmitted, f.transmitted_stderr, f


def tube_W(ctx, LR, wall_sticking, n_rays, specular=0.0):
    s = shapes.tube(1.0, float(LR), n_sides=N_SIDES)
    sp = Species(name="n", sticking={"top": 1.0, "wall": wall_sticking, "bottom": 1.0},
                 specular=specular)
    f = trace_fluxes(s, [sp], ctx, n_rays=n_rays)["n"]
    lat = np.asarray(s.lateral_bounds)
    fac = np.prod(lat[:, 1] - lat[:, 0]) / shapes.polygon_area(1.0, N_SIDES)
    return f.transmitted * fac, f.transmitted_stderr * fac, f


@pytest.mark.parametrize("LH", sorted(SLIT))
def test_slit_clausing(ctx, LH):
    W, sig, f = slit_W(ctx, LH, 0.0, 200_000)
    assert f.dropped == 0
    assert abs(W - SLIT[LH]) < 3 * sig + 0.005 * SLIT[LH], (W, sig)


@pytest.mark.parametrize("LR", sorted(TUBE))
def test_tube_clausing(ctx, LR):
    W, sig, f = tube_W(ctx, LR, 0.0, 100_000 if LR < 20 else 60_000)
    assert f.dropped == 0
    assert abs(W - TUBE[LR]) < 3 * sig + 0.005 * TUBE[LR], (W, sig)


@pytest.mark.parametrize("LH", [0.5, 3.0])
def test_slit_direct_transmission_exact(ctx, LH):
    """Black walls: only direct flight transmits; checks the projected ½cos φ source law."""
    W, sig, _ = slit_W(ctx, LH, 1.0, 200_000)
    F = np.sqrt(1 + LH ** 2) - LH
    assert abs(W - F) < 3.5 * sig, (W, F, sig)


def test_uniform_in_plane_angles_would_fail():
    """The slit direct transmission under uniform in-plane angles differs by > 10 %:
    the test above can tell the two source laws apart."""
    LH = 3.0
    phi = np.linspace(-np.pi / 2, np.pi / 2, 200001)
    uniform = np.trapezoid(np.clip(1 - LH * np.abs(np.tan(phi)), 0, None), phi) / np.pi
    F = np.sqrt(1 + LH ** 2) - LH
    assert abs(uniform / F - 1) > 0.1


@pytest.mark.parametrize("LR", [1.0, 4.0])
def test_tube_direct_transmission_exact(ctx, LR):
    W, sig, _ = tube_W(ctx, LR, 1.0, 200_000)
    S = 2 + LR ** 2
    F = (S - np.sqrt(S * S - 4)) / 2
    assert abs(W - F) < 3.5 * sig + 0.003 * F, (W, F, sig)


def test_specular_channels_transmit_everything(ctx):
    """Specular walls keep the sign of the axial velocity: W = 1 exactly."""
    W, _, _ = slit_W(ctx, 5, 0.0, 20_000, specular=1.0)
    assert W == pytest.approx(1.0, abs=1e-12)
    W3, _, _ = tube_W(ctx, 4, 0.0, 20_000, specular=1.0)
    assert W3 == pytest.approx(1.0, rel=0.02)   # cap sticks; W ≈ 1 up to the mouth count noise


def test_stderr_follows_inverse_sqrt_and_matches_spread(ctx):
    """MC convergence: σ ∝ N^(-1/2) (fitted slope) and σ matches the spread over seeds."""
    Ns = [10_000, 40_000, 160_000]
    sig = [slit_W(ctx, 5, 0.0, n)[1] for n in Ns]
    slope = np.polyfit(np.log(Ns), np.log(sig), 1)[0]
    assert abs(slope + 0.5) < 0.05, slope
    runs = [slit_W(ctx.with_(seed=k), 5, 0.0, 20_000) for k in range(12)]
    spread = np.std([r[0] for r in runs], ddof=1)
    mean_sig = np.mean([r[1] for r in runs])
    assert 0.5 < spread / mean_sig < 1.6, (spread, mean_sig)


def test_angle_dependent_specular_table(ctx):
    """p(θ) tables: all ones is fully specular (W = 1), all zeros is diffuse (Clausing)."""
    th = (0.0, 0.5, 1.0, np.pi / 2)
    W1, _, _ = slit_W(ctx, 5, 0.0, 20_000, specular=(th, (1.0, 1.0, 1.0, 1.0)))
    assert W1 == pytest.approx(1.0, abs=1e-12)
    W0, sig, _ = slit_W(ctx, 5, 0.0, 100_000, specular=(th, (0.0, 0.0, 0.0, 0.0)))
    assert abs(W0 - SLIT[5]) < 3 * sig + 0.005 * SLIT[5]
    # grazing-only specular (θ > 60°) lies in between: more than diffuse, less than all
    Wg, sg, _ = slit_W(ctx, 5, 0.0, 100_000, specular=((0.0, 1.04, 1.05, np.pi / 2), (0, 0, 1, 1)))
    assert W0 + 3 * sig < Wg < 1.0
