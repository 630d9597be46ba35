"""Anisotropic wet etching (``wet_anisotropic``): the rate interpolation, its isotropic
limit, {111} sidewalls at atan √2 and the self-terminating V-groove, bad input."""
import math

import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.errors import RecipeError
from waferlab.feature import builders as B
from waferlab.feature.advect import advance
from waferlab.feature.extract import extract_surface
from waferlab.feature.grid import Grid
from waferlab.feature.metrics import column_heights
from waferlab.feature.registry import get_model_spec, known_models
from waferlab.feature.wet_etch import CrystalRates, crystal_frame, crystal_rate
from waferlab.recipe_io import validate_section

UM_MIN = 1e-6 / 60.0
KOH = {"100": "0.797 um/min", "110": "1.455 um/min", "111": "0.005 um/min",
       "311": "1.436 um/min"}         # 30 % KOH, 70 °C (Sato et al. 1998; ViennaPS defaults)
ANGLE_111 = math.degrees(math.atan(math.sqrt(2.0)))       # 54.7356°


def _spec(**kw):
    data = {"model": "wet_anisotropic", "rates": KOH, **kw}
    return validate_section(get_model_spec("wet_anisotropic"), data)


def test_rate_takes_the_four_rates_at_their_directions_and_is_continuous():
    r = CrystalRates(r100=1.0, r110=2.0, r111=0.01, r311=3.0)
    dirs = np.array([[1, 0, 0], [0, 1, 1], [1, -1, 1], [1, 3, -1]], float)
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    assert crystal_rate(dirs, r) == pytest.approx([1.0, 2.0, 0.01, 3.0], rel=1e-12)
    # continuous across the branch boundary −N0 + N1 + 2N2 = 0 and under the sort
    rng = np.random.default_rng(0)
    n = rng.normal(size=(20000, 3))
    n /= np.linalg.norm(n, axis=1, keepdims=True)
    dn = rng.normal(size=n.shape) * 1e-7
    m = (n + dn) / np.linalg.norm(n + dn, axis=1, keepdims=True)
    assert np.max(np.abs(crystal_rate(m, r) - crystal_rate(n, r))) < 1e-4
    # all rates equal: isotropic
    iso = CrystalRates(r100=0.5, r110=0.5, r111=0.5, r311=0.5)
    assert crystal_rate(n, iso) == pytest.approx(0.5, rel=1e-12)


def test_frame_puts_111_at_atan_sqrt2_in_the_cross_section():
    F = crystal_frame("100", "011")
    r = CrystalRates(r100=0.797, r110=1.455, r111=0.005, r311=1.436)
    t = np.radians(np.linspace(30.0, 80.0, 50001))
    lab = np.stack([np.sin(t), np.zeros_like(t), np.cos(t)], axis=1)
    assert math.degrees(t[np.argmin(crystal_rate(lab @ F, r))]) == pytest.approx(ANGLE_111,
                                                                                abs=2e-3)


def test_registered_and_recipe_errors_name_the_field():
    assert "wet_anisotropic" in known_models()
    mats = ("Si", "Mask")
    with pytest.raises(RecipeError) as e:
        _spec(rates={**KOH, "211": "1 um/min"}).build(kind="etch", materials=mats)
    assert e.value.path == "rates.211" and "100, 110, 111, 311" in str(e.value)
    with pytest.raises(RecipeError) as e:
        _spec(rates={k: v for k, v in KOH.items() if k != "311"}).build(kind="etch",
                                                                        materials=mats)
    assert e.value.path == "rates.311"
    with pytest.raises(RecipeError) as e:
        _spec(wafer_orientation="1a0").build(kind="etch", materials=mats)
    assert e.value.path == "wafer_orientation"
    with pytest.raises(RecipeError) as e:
        _spec(x_direction="110").build(kind="etch", materials=mats)
    assert e.value.path == "x_direction" and "perpendicular" in str(e.value)
    with pytest.raises(RecipeError) as e:
        _spec(material="GaAs").build(kind="etch", materials=mats)
    assert e.value.path == "material"
    with pytest.raises(RecipeError):
        _spec().build(kind="deposit", materials=mats, target="Si")


def _slot(width, extent, h=0.05e-6):
    """A mask 4h thick (thinner masks lose their edge: the lowest h/2 of the mask wall
    counts as Si, docs/levelset.md) with a slot of ``width`` on Si."""
    g = Grid(dimension=2, spacing=h, extent=(extent,), boundary="reflective")
    geo = B.layer_stack(g, "Si", [("Mask", 4 * h)])
    return B.cut_feature(geo, "trench", width=width, depth=4 * h)


def test_all_rates_equal_is_the_isotropic_model_exactly():
    geo = _slot(1.0e-6, 2.0e-6, h=0.1e-6)
    rate = "0.5 um/min"
    wet = _spec(rates={k: rate for k in KOH}).build(kind="etch", materials=geo.materials)
    iso = validate_section(get_model_spec("isotropic"),
                           {"model": "isotropic", "rates": {"Si": rate}}
                           ).build(kind="etch", materials=geo.materials, target=None)
    assert not wet.normal_dependent
    a, _ = advance(geo, wet, 30.0, RunContext(seed=1), kind="etch")
    b, _ = advance(geo, iso, 30.0, RunContext(seed=1), kind="etch")
    assert np.array_equal(a.phi, b.phi)


def _wall(geo, width):
    """(depth below the Si top, sidewall angle of the right wall from the horizontal,
    x of the wall at half depth) from the surface points, in µm and degrees."""
    c = extract_surface(geo).centroids * 1e6
    x, z = c[:, 0], c[:, 1]
    depth = -float(z[np.abs(x) < 0.1 * width * 1e6].min())
    w = (x > 0) & (z < -0.2 * depth) & (z > -0.8 * depth)
    a, b = np.polyfit(z[w], x[w], 1)
    return depth, math.degrees(math.atan(1.0 / abs(a))), a * (-0.5 * depth) + b


def test_111_sidewalls_through_a_mask_slot():
    """(100) Si, slot edges along <110>: depth R100·t, {111} walls at 54.74° through the
    mask edge (slowest-plane rule; exact: the plane moved by R111·t along its normal).
    Tolerances: 0.5° (the acceptance), depth within h/2, wall position within h."""
    h, width, t = 0.1e-6, 2.0e-6, 60.0
    geo = _slot(width, 3.0e-6, h)
    m = _spec().build(kind="etch", materials=geo.materials)
    out, _ = advance(geo, m, t, RunContext(seed=1), kind="etch", cfl=0.5)
    depth, angle, x_half = _wall(out, width)
    exact_depth = 0.797 * t / 60.0
    assert angle == pytest.approx(ANGLE_111, abs=0.5)
    assert depth == pytest.approx(exact_depth, abs=0.5 * h * 1e6)
    shift = 0.005 * t / 60.0 / math.sin(math.radians(ANGLE_111))
    x_exact = 0.5 * width * 1e6 - 0.5 * exact_depth / math.sqrt(2.0) + shift
    assert x_half == pytest.approx(x_exact, abs=h * 1e6)


def test_narrow_slot_gives_a_self_terminating_v_groove():
    """A 0.8 µm slot: the {111} walls meet at depth (w/2)·√2 = 0.566 µm after 0.71 min
    and the groove stops (it deepens only at R111 / cos 35.26°, 0.006 µm/min), while
    (100) would etch 0.797 µm/min.  Depth within h: the first-order scheme rounds the
    tip of the V over about a spacing (0.7 h shallow at 0.025 µm, 0.96 h at 0.05 µm)."""
    h, width = 0.025e-6, 0.8e-6
    geo = _slot(width, 2.0e-6, h)
    m = _spec().build(kind="etch", materials=geo.materials)
    ctx = RunContext(seed=1)
    a, _ = advance(geo, m, 60.0, ctx, kind="etch", cfl=0.5)
    b, _ = advance(a, m, 30.0, ctx, kind="etch", cfl=0.5)
    d1, _, _ = _wall(a, width)
    d2, angle, _ = _wall(b, width)
    v_groove = 0.5 * width * 1e6 * math.sqrt(2.0)
    assert d1 == pytest.approx(v_groove, abs=h * 1e6)
    assert d2 == pytest.approx(v_groove, abs=h * 1e6)
    assert (d2 - d1) / 0.5 < 0.05 * 0.797          # µm/min: terminated
    assert angle == pytest.approx(ANGLE_111, abs=1.0)


@pytest.mark.slow
def test_3d_slot_extruded_along_y_is_the_2d_profile():
    """The 3D kernel and crystal frame: a slot invariant along y (reflective, two spacings)
    etches as the 2D cross-section.  Not bit for bit: the 3D bound Σ_i ᾱ_i covers
    |∂H/∂p_i| over the sphere (12.5 against 6.5 µm/min on the circle), so the time steps
    differ; measured 0.024 h at most (0.10 h with the earlier WENO5 default), tolerance
    0.15 h."""
    h, width = 0.1e-6, 2.0e-6
    geo2 = _slot(width, 3.0e-6, h)
    g3 = Grid(dimension=3, spacing=h, extent=(3.0e-6, 2 * h), boundary="reflective")
    geo3 = B.cut_feature(B.layer_stack(g3, "Si", [("Mask", 4 * h)]), "trench", width=width,
                         depth=4 * h)
    out = []
    for geo in (geo2, geo3):
        m = _spec().build(kind="etch", materials=geo.materials)
        fin, _ = advance(geo, m, 20.0, RunContext(seed=1), kind="etch", cfl=0.5)
        out.append(column_heights(fin, 0))
    z2, z3 = out
    assert z3.shape == (z2.shape[0], 2)
    assert np.allclose(z3[:, 0], z3[:, 1], atol=1e-12, rtol=0)
    assert np.allclose(z2, z3[:, 0], atol=0.15 * h, rtol=0)
    assert z2.min() < -0.2e-6          # it did etch


@pytest.mark.parametrize("wafer, x, rate", [("100", "011", 0.797), ("110", "001", 1.455),
                                            ("111", "1-10", 0.005)])
@pytest.mark.parametrize("scheme, rtol", [(None, 3e-4), ("weno5", 1e-5)])
def test_flat_wafers_etch_at_their_plane_rate(wafer, x, rate, scheme, rtol):
    """A flat (hkl) wafer recedes at R_hkl (a plane moves exactly: no dissipation).  WENO5
    to 1e-5 relative or 1e-5 h (the rounding at the {111} cusp); the default fused
    first-order steps to 3e-4: the band's tapered edge, frozen while the plane moves,
    leaks in through the Lax–Friedrichs stencil (measured −0.9e-4 on (100), −0.5e-4 on
    (110) with the band's half width 6 h; −5e-4/−9e-4 with 5 h)."""
    h = 0.1e-6
    geo = B.plane(Grid(dimension=2, spacing=h, extent=(1.0e-6,), boundary="periodic"), "Si")
    m = _spec(wafer_orientation=wafer, x_direction=x).build(kind="etch", materials=("Si",))
    fin, _ = advance(geo, m, 30.0, RunContext(seed=1), kind="etch", cfl=0.5, scheme=scheme)
    z = column_heights(fin, 0)
    assert np.allclose(-z, rate * 1e-6 * 0.5, rtol=rtol, atol=1e-5 * h)


def test_hamiltonian_gradient_is_the_derivative_of_r_times_p():
    """``_hgrad`` (the local dissipation and the time-step bound) against central
    differences of H(p) = R(p/|p|)|p| away from the cusps (where H is differentiable)."""
    from waferlab.feature import _wet_kernels as KW
    from waferlab.feature.wet_etch import _params, hamiltonian_bound

    r = CrystalRates(r100=0.797, r110=1.455, r111=0.005, r311=1.436)
    F = crystal_frame("100", "011")
    prm = _params(r, F)
    rng = np.random.default_rng(3)
    p = rng.normal(size=(200, 3))
    eps = 1e-7
    for q in p:
        num = []
        for i in range(3):
            e = np.zeros(3)
            e[i] = eps
            hp, hm = (crystal_rate(((q + s * e) @ F)[None], r)[0] * np.linalg.norm(q + s * e)
                      for s in (1.0, -1.0))
            num.append(abs(hp - hm) / (2 * eps))
        assert KW.hgrad_max(q[None] / np.linalg.norm(q), prm) == pytest.approx(num, abs=1e-5)
    # the bound per axis covers every direction, +2 % for the sampling
    a = hamiltonian_bound(r, F, 3)
    n = p / np.linalg.norm(p, axis=1, keepdims=True)
    assert np.all(KW.hgrad_max(n, prm) <= a)


def test_default_scheme_is_the_fused_first_order_one_and_the_mask_stays():
    """A step that names no scheme runs wet etching with the fused first-order steps; the
    local dissipation vanishes on nodes that do not etch, so the mask stays exactly in
    place (columns three spacings from its edge: bit for bit)."""
    from waferlab.feature.advect import default_scheme

    geo = _slot(1.0e-6, 2.0e-6, h=0.1e-6)
    m = _spec().build(kind="etch", materials=geo.materials)
    assert default_scheme(m) == "eo"
    iso = validate_section(get_model_spec("isotropic"),
                           {"model": "isotropic", "rates": {"Si": "1 um/min"}}
                           ).build(kind="etch", materials=geo.materials, target=None)
    assert default_scheme(iso) == "weno5"
    out, _ = advance(geo, m, 30.0, RunContext(seed=1), kind="etch")
    z0, z1 = column_heights(geo), column_heights(out)       # the top: mask or Si
    x = (np.arange(z0.size) + 0.5) * 0.1 - 1.0          # column centres, µm
    under = np.abs(x) > 0.8                               # the mask, 3 spacings from its edge
    assert under.sum() >= 4 and np.array_equal(z0[under], z1[under])
    assert z1[np.abs(x) < 0.2].max() < z0[np.abs(x) < 0.2].max() - 0.3e-6     # Si etched
