"""The exact 2D trench reference for the fluorocarbon model (``validation.coverage_trench``):
a shallow trench's bottom is the open flat surface, the returned state is the fixed point
of the transport and the site balances, ViennaPS's balances reproduce its measured flat
rate, and waferlab's tracer on the same frozen trench lands on the reference."""
import numpy as np
import pytest

from waferlab.feature.registry import get_model_spec
from waferlab.recipe_io import validate_section
from waferlab.validation.coverage_trench import coverage_trench, trench_ions, viennaps_rules

W, MASK = 60e-9, 50e-9
# the fluxes of bench/bench_fluorocarbon.py (10^15 cm^-2 s^-1: 56 / 150 / 5)
FLUX = {"ion_flux": "56e15 cm^-2 s^-1", "etchant_flux": "150e15 cm^-2 s^-1",
        "polymer_flux": "5e15 cm^-2 s^-1"}


def _spec(**kw):
    spec = validate_section(get_model_spec("fluorocarbon"),
                            {"model": "fluorocarbon", **FLUX, "k_ie": 0, **kw})
    return spec


def _model(**kw):
    return _spec(**kw).build(kind="etch", materials=("SiO2", "Mask"), target=None).model


def test_shallow_trench_bottom_is_the_open_flat_surface():
    """Depth → 0 with a collimated beam: the bottom's yields are the flat surface's (to 4
    standard errors of the ion Monte Carlo) and its speed the model's flat speed (0.5 %:
    the remaining view of the 0.5 nm walls)."""
    m = _model(ion_exponent=1e7)
    r = coverage_trench(m, W, 0.5e-9, 0.0, n_wall=10, n_bottom=20, n_ions=100_000)
    flat = m.flat_fields("SiO2")
    centre = np.abs(r.x_bottom) < 0.4 * W
    n = r.z_wall.size
    for c in ("sp", "ie", "p"):
        y, se = r.fields[f"Y:{c}"][n:][centre], r.ion_se[c][n:][centre]
        assert np.all(np.abs(y - flat[f"Y:{c}"][0]) < 4 * se + 1e-12)
    assert r.bottom_mean(r.speed, 0.0, 0.4 * W) == pytest.approx(m.flat_speed("SiO2"), rel=5e-3)


def test_returned_state_is_the_fixed_point_and_the_rules_matter():
    """At the returned fluxes the site balances give the returned θ (1e-8), the SiO2 wall
    under the mask etches far slower than the bottom (the reference can fail), and
    ViennaPS's balances (ion terms without A) leave much less polymer on that wall."""
    m = _model()
    kw = dict(n_wall=40, n_bottom=20, n_ions=100_000)
    r = coverage_trench(m, W, 90e-9, MASK, **kw)
    mats = np.array([m.materials.index(str(x)) for x in r.material])
    v, cov = m.element_speeds(r.fields, mats)
    for k in ("theta_etchant", "theta_polymer"):
        assert np.allclose(cov[k], r.theta[k], atol=1e-8)
    assert np.allclose(v, r.speed, rtol=1e-8, atol=1e-20)
    wall = r.wall_mean(r.speed, 55e-9, 80e-9)
    assert 0 > wall > 0.1 * r.bottom_mean(r.speed, 0.0, 20e-9)
    p = coverage_trench(m, W, 90e-9, MASK, rules="viennaps", **kw)
    assert (r.wall_mean(r.theta["theta_polymer"], 55e-9, 80e-9)
            > 3 * p.wall_mean(p.theta["theta_polymer"], 55e-9, 80e-9))
    with pytest.raises(ValueError, match="rules"):
        coverage_trench(m, W, 90e-9, MASK, rules="peer", **kw)


def test_viennaps_rules_give_the_peers_measured_flat_rate():
    """On an open flat SiO2 plane (k_ie = 0, the bench's fluxes) ViennaPS 4.7 etches at
    7.27 nm/s (bench/results/fluorocarbon.md, notes); its balances here give that within
    1 %, where the published balances give 7.04 nm/s (3 % less: their θ_p is 3× larger)."""
    m = _model()
    f = m.flat_fields("SiO2")
    mi = np.array([m.materials.index("SiO2")])
    v0, c0 = m.element_speeds(f, mi)
    v1, c1 = viennaps_rules(m, f, mi, v0, c0)
    assert -v1[0] * 1e9 == pytest.approx(7.27, rel=0.01)
    assert -v0[0] * 1e9 == pytest.approx(7.06, rel=0.005)
    assert c0["theta_polymer"][0] > 2.5 * c1["theta_polymer"][0]


def test_ion_fields_have_their_standard_errors():
    """Two seeds agree within 5 combined standard errors on every bottom strip."""
    m = _model()
    a, sa = trench_ions(m, W, 90e-9, MASK, n_wall=20, n_bottom=10, n_ions=80_000, seed=1)
    b, sb = trench_ions(m, W, 90e-9, MASK, n_wall=20, n_bottom=10, n_ions=80_000, seed=2)
    d = np.abs(a["ie"] - b["ie"])[20:]
    assert np.all(d < 5 * np.hypot(sa["ie"], sb["ie"])[20:] + 1e-12)
    assert not np.allclose(a["ie"], b["ie"])


@pytest.mark.slow
def test_waferlab_tracer_on_the_frozen_trench_lands_on_the_reference():
    """waferlab's element rates (h 4 nm, 1000 rays per point, coverages iterated 8 times)
    on the frozen trench etched 40 nm into SiO2 below a 50 nm mask, against the exact
    reference: bottom speed within 1.5 % (measured +0.2 %), SiO2-wall θ_p and speed within
    10 % (measured +3.8 % / −3.3 %; each wall band is ≈ 14 elements × 1000 rays, σ of the
    wall's ion yield ≈ 4 %)."""
    from waferlab.context import RunContext
    from waferlab.feature.flux.models import surface_of
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer

    data = {"name": "t", "seed": 1,
            "grid": {"dimension": 2, "spacing": "4 nm", "extent": ["120 nm"]},
            "structure": {"substrate": {"material": "SiO2", "thickness": "200 nm"},
                          "layers": [{"material": "Mask", "thickness": "50 nm"}],
                          "feature": {"type": "trench", "width": "60 nm", "depth": "90 nm"}},
            "steps": []}
    w = initial_wafer(recipe_from_dict(data))
    surf = surface_of(w.geometry)
    tr = _spec(rays_per_point=1000, coverage_iterations=8, lagged_coverages=False).build(
        kind="etch", materials=tuple(w.geometry.materials), target=None)
    er = tr.element_rates(surf, RunContext(seed=1, threads=2), ("probe",))
    xy = surf.centroids.copy()
    xy[:, 1] -= xy[:, 1].max()
    xy[:, 0] -= 0.5 * (xy[:, 0].min() + xy[:, 0].max())
    ref = coverage_trench(tr.model, W, 90e-9, MASK)
    bottom = (np.abs(xy[:, 1] + 90e-9) < 0.5e-9) & (np.abs(xy[:, 0]) < 20e-9)
    wall = (np.abs(xy[:, 0]) > 29e-9) & (xy[:, 1] < -52e-9) & (xy[:, 1] > -80e-9)
    assert er.velocity[bottom].mean() == pytest.approx(ref.bottom_mean(ref.speed, 0, 20e-9),
                                                       rel=0.015)
    assert er.coverages["theta_polymer"][wall].mean() == pytest.approx(
        ref.wall_mean(ref.theta["theta_polymer"], 52e-9, 80e-9), rel=0.10)
    assert er.velocity[wall].mean() == pytest.approx(ref.wall_mean(ref.speed, 52e-9, 80e-9),
                                                     rel=0.10)
