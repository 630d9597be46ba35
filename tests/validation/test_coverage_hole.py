"""The exact hole reference for coverage-coupled etching (``validation.coverage_hole``):
per-element sticking in the radiosity balance conserves particles, the direct ion beam
lands entirely in the hole, and a shallow hole's bottom etches at the open flat rate."""
import numpy as np
import pytest

from waferlab.feature.flux.radiosity import disk_view_factor, hole_transport
from waferlab.feature.registry import get_model_spec
from waferlab.recipe_io import validate_section
from waferlab.validation.coverage_hole import coverage_hole, direct_ion_flux

R, D = 0.15e-6, 0.58e-6


def _escape_fraction(res, z_edges, rho_edges):
    """Per element: the view factor to the mouth (a ring at depth a…b: G(a) − G(b) over its
    area; an annulus: the disk factor to the mouth from its radii)."""
    disk = np.pi * R * R
    g = disk * disk_view_factor(R, R, z_edges)
    f_wall = (g[:-1] - g[1:]) / res.area_wall
    t = np.pi * rho_edges ** 2 * disk_view_factor(rho_edges, R, D)
    f_bot = np.diff(t) / res.area_bottom
    return np.concatenate([f_wall, f_bot])


def test_per_element_sticking_conserves_particles():
    """Flux in through the mouth = absorbed + re-emitted out of the mouth (exact balance),
    with sticking that varies along the wall and across the bottom; the scalar call is the
    uniform array's."""
    n_w, n_b = 120, 20
    probe = hole_transport(R, D, 0.3, n_wall=n_w, n_bottom=n_b)
    same = hole_transport(R, D, np.full(n_w, 0.3), np.full(n_b, 0.3), n_wall=n_w, n_bottom=n_b)
    assert np.allclose(probe.wall, same.wall, rtol=1e-12)
    sw = np.where(probe.z_wall < 0.3e-6, 0.02, 0.6)          # a mask over a sticky wall
    sb = np.linspace(0.1, 0.9, n_b)
    res = hole_transport(R, D, sw, sb, n_wall=n_w, n_bottom=n_b)
    z_edges = np.concatenate([[0.0], np.cumsum(res.area_wall / (2 * np.pi * R))])
    rho_edges = np.sqrt(np.concatenate([[0.0], np.cumsum(res.area_bottom / np.pi)]))
    area = np.concatenate([res.area_wall, res.area_bottom])
    q = np.concatenate([res.wall, res.bottom])
    s = np.concatenate([sw, sb])
    absorbed = (area * s * q).sum()
    escaped = (area * (1 - s) * q * _escape_fraction(res, z_edges, rho_edges)).sum()
    assert absorbed + escaped == pytest.approx(np.pi * R * R, rel=1e-6)
    assert res.bottom.mean() != pytest.approx(probe.bottom.mean(), rel=0.05)   # it matters
    with pytest.raises(ValueError, match="bottom_sticking"):
        hole_transport(R, D, sw)


def test_direct_ion_beam_lands_in_the_hole():
    """Every ion through the mouth hits a wall ring or a bottom annulus (Σ A·flux = πR²
    exactly), and a nearly collimated beam puts flux 1 on the whole bottom (to 4σ)."""
    z_edges = np.linspace(0.0, D, 41)
    rho_edges = R * np.sqrt(np.linspace(0.0, 1.0, 11))
    area = np.concatenate([2 * np.pi * R * np.diff(z_edges), np.pi * np.diff(rho_edges ** 2)])
    n = 400_000
    f = direct_ion_flux(R, D, 100.0, z_edges, rho_edges, n_ions=n)
    assert (area * f).sum() == pytest.approx(np.pi * R * R, rel=1e-12)
    assert f[:40].sum() > 0                                  # n = 100 reaches the walls
    g = direct_ion_flux(R, D, 1e7, z_edges, rho_edges, n_ions=n)
    sigma = np.sqrt(10 / n)                                  # per annulus, n/10 ions each
    assert np.all(np.abs(g[40:] - 1.0) < 4 * sigma)
    assert (area[:40] * g[:40]).sum() < 1e-3 * np.pi * R * R


def test_shallow_hole_bottom_etches_at_the_flat_rate():
    """Depth → 0: the bottom sees the open source, so its speed is the model's flat speed
    (hbro2 defaults; within 0.5 %, the remaining view of the wall); a deep hole's bottom
    differs (the reference can fail)."""
    spec = validate_section(get_model_spec("hbro2"), {"model": "hbro2"})
    m = spec.build(kind="etch", materials=("Si", "Mask"), target=None).model
    flat = m.flat_speed("Si")
    shallow = coverage_hole(m, R, 0.002e-6, 0.0, n_wall=20, n_bottom=10, n_ions=100_000)
    v = shallow.bottom_mean(shallow.speed, 0.05e-6)
    assert v == pytest.approx(flat, rel=5e-3)
    deep = coverage_hole(m, R, D, 0.3e-6, n_wall=40, n_bottom=10, n_ions=100_000)
    assert abs(deep.bottom_mean(deep.speed, 0.05e-6) / flat - 1) > 0.01
    # the fixed point: the site balance at the returned fluxes gives the returned θ
    fields = {"ion": deep.ion, **deep.neutral}
    n = deep.z_wall.size
    mats = np.array([m.materials.index("Mask" if z < 0.3e-6 else "Si") for z in deep.z_wall]
                    + [m.materials.index("Si")] * deep.r_bottom.size)
    tilt = np.r_[np.full(n, np.pi / 2), np.zeros(deep.r_bottom.size)]
    _, theta = m.element_speeds(fields, tilt, mats, per_hit=False)
    for k, t in deep.theta.items():
        assert np.allclose(theta[k], t, atol=1e-7)
