"""Angle-dependent sticking (``Species.sticking_angle``): exact absorbed/incident ratios on
flat surfaces hit at known angles, specular re-emission of the unstuck weight, determinism.

The law tested is ViennaPS's ion sticking (SF6O2 model, thetaRMin 70°, thetaRMax 90°):
g(θ) = 1 for θ ≤ 70°, (90° − θ)/20° above, so g(80°) = 0.5.
"""
import numba
import numpy as np
import pytest

from waferlab.feature.flux import AngularTable, Species, shapes, trace_fluxes
from waferlab.feature.flux.sources import VIENNAPS_ION_STICKING


def flat2d(n, boundary="periodic"):
    return shapes.plane2d(n, boundary)


def flat3d(n):
    return shapes.plane3d(n, "periodic")


HALF = np.deg2rad(0.05)          # half-width of the narrow source about θ0


def g_vps(theta):
    th = np.degrees(theta)
    return np.clip((90.0 - th) / 20.0, 0.0, 1.0)


def beam(theta0):
    """A narrow source: polar angle uniform in θ0 ± 0.05° (pdf per dθ constant)."""
    return AngularTable(theta=(theta0 - HALF, theta0 + HALF), pdf=(1.0, 1.0))


def ratio(f, surface):
    a = surface.areas
    return float((f.absorbed * a).sum() / (f.incident * a).sum())


@pytest.mark.parametrize("deg, expected", [(45.0, 1.0), (75.0, 0.75), (80.0, 0.5), (85.0, 0.25)])
def test_flat_3d_collimated_beam_absorbs_g_theta(ctx, deg, expected):
    """3D: a horizontal plane hit by a beam at polar angle θ0 from its normal.  Every ray
    hits once, so absorbed/incident = <g(θ)> over θ0 ± 0.05°, = g(θ0) exactly where g is
    linear (away from 70°).  Specular re-emission sends the rest up and out.  Monte Carlo
    error: g is uniform over ± 0.05°/20° about its mean, σ = (0.0025/√3)/√N; 4σ."""
    s = flat3d(8)
    sp = Species(name="ion", sticking=1.0, angular=beam(np.deg2rad(deg)),
                 sticking_angle=VIENNAPS_ION_STICKING, specular=1.0)
    N = 20_000
    f = trace_fluxes(s, [sp], ctx, n_rays=N)["ion"]
    # incident: every ray once, whatever the angle (a flat surface)
    assert abs(float((f.incident * s.areas).sum() / s.areas.sum()) - 1.0) < 1e-9
    sigma = (0.05 / 20.0 / np.sqrt(3.0) / np.sqrt(N)) if expected < 1 else 0.0
    assert abs(ratio(f, s) - expected) <= 4 * sigma + 1e-9
    # unstuck weight reflected up and out, none re-hits; g = 1: every ray absorbed
    assert f.lost_top == (f.n_rays if expected < 1 else 0)


def test_flat_3d_sticking_scales_material_sticking(ctx):
    """s = s_m · g(θ): with s_m = 0.4 at 80°, absorbed/incident = 0.2 (σ as above × 0.4)."""
    s = flat3d(4)
    sp = Species(name="n", sticking=0.4, angular=beam(np.deg2rad(80.0)),
                 sticking_angle=VIENNAPS_ION_STICKING)
    N = 5_000
    f = trace_fluxes(s, [sp], ctx, n_rays=N)["n"]
    sigma = 0.4 * 0.05 / 20.0 / np.sqrt(3.0) / np.sqrt(N)
    assert abs(ratio(f, s) - 0.2) <= 4 * sigma


def test_flat_2d_projected_source(ctx):
    """2D: the 3D direction (θ0, φ) projects to the in-plane angle ψ with
    tan ψ = tan θ0 |cos φ|, φ uniform, so absorbed/incident = <g(ψ)>, computed here by
    quadrature over φ and θ; the Monte Carlo error is that of a mean of g(ψ) over N rays
    (σ = std(g)/√N), the test tolerance 4σ."""
    th0 = np.deg2rad(85.0)
    s = flat2d(20)
    sp = Species(name="ion", sticking=1.0, angular=beam(th0),
                 sticking_angle=VIENNAPS_ION_STICKING, specular=1.0)
    N = 200_000
    f = trace_fluxes(s, [sp], ctx, n_rays=N)["ion"]
    phi = (np.arange(20_000) + 0.5) / 20_000 * 2 * np.pi
    th = th0 + HALF * np.linspace(-1, 1, 21)
    psi = np.arctan(np.tan(th)[:, None] * np.abs(np.cos(phi))[None, :])
    gv = g_vps(psi)
    exact, sigma = gv.mean(), gv.std() / np.sqrt(N)
    assert 0.3 < exact < 0.7                     # a mix of stuck and reflected
    assert abs(ratio(f, s) - exact) < 4 * sigma + 1e-6


def test_default_is_angle_independent(ctx):
    """No sticking_angle: s = s_m at any angle (regression of the old behaviour)."""
    s = flat3d(4)
    sp = Species(name="n", sticking=0.3, angular=beam(np.deg2rad(85.0)))
    f = trace_fluxes(s, [sp], ctx, n_rays=5_000)["n"]
    assert ratio(f, s) == pytest.approx(0.3, abs=1e-12)


def test_v_groove_reflection_reaches_bottom(ctx):
    """A 2D trench with vertical walls and a vertical collimated beam: the walls are hit at
    ≈ 90°, so with reflection nothing sticks there and the bottom receives the whole mouth
    flux (width ratio top/bottom = 1 here, so bottom incident ≈ the flat value), while
    without reflection the rays hitting the walls are lost.  With a narrow (n = 1000)
    beam, the wall hits are at ≥ 85°, g ≤ 0.25."""
    s = shapes.trench(1.0, 4.0, h=0.05)
    mats = np.asarray(s.materials)
    names = list(s.material_names)
    walls = mats == names.index("wall")
    bottom = mats == names.index("bottom")
    kw = dict(name="ion", sticking=1.0, source_exponent=1000.0)
    out = {}
    for refl in (False, True):
        sp = Species(**kw, **(dict(sticking_angle=VIENNAPS_ION_STICKING, specular=1.0)
                              if refl else {}))
        f = trace_fluxes(s, [sp], ctx, n_rays=100_000)["ion"]
        a = s.areas
        out[refl] = (float((f.absorbed[bottom] * a[bottom]).sum()),
                     float((f.absorbed[walls] * a[walls]).sum()))
    # absorbed power per unit depth: bottom + walls conserve the mouth flux (1 × width)
    assert out[True][0] > out[False][0]
    assert out[True][1] < out[False][1]
    assert sum(out[True]) == pytest.approx(sum(out[False]), rel=0.02)


def test_same_seed_same_fluxes_any_thread_count(ctx):
    s = shapes.trench(1.0, 3.0, h=0.05)
    sp = Species(name="ion", sticking={"top": 1.0, "wall": 0.8, "bottom": 1.0},
                 source_exponent=100.0, sticking_angle=VIENNAPS_ION_STICKING, specular=0.7)
    old = numba.get_num_threads()
    try:
        res = []
        for th in (1, 2):
            numba.set_num_threads(th)
            res.append(trace_fluxes(s, [sp], ctx.with_(threads=th), n_rays=50_000)["ion"])
    finally:
        numba.set_num_threads(old)
    np.testing.assert_array_equal(res[0].incident, res[1].incident)
    np.testing.assert_array_equal(res[0].absorbed, res[1].absorbed)


def test_errors():
    with pytest.raises(ValueError, match="sticking_angle"):
        Species(name="a", sticking=1.0, sticking_angle=((0.0, 1.0), (1.0, 1.5)))
    with pytest.raises(ValueError, match="sticking_angle"):
        Species(name="a", sticking=1.0, sticking_angle=0.5)
    with pytest.raises(ValueError, match="sticking_angle"):
        Species(name="a", sticking=1.0, sticking_angle=((1.0, 0.0), (1.0, 1.0)))
