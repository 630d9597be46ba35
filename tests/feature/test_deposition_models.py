"""``cvd`` and ``pecvd`` deposition (feature/deposition_models.py).

References: the rate law itself on a flat surface (exact); step coverage of a thin film
against the exact radiosity of the same geometry with the same sticking on all surfaces
(cylinder: ``hole_transport``, Siegel & Howell view factors; 2D trench:
``trench_transport``, Hottel's crossed strings, itself checked against Clausing's slit
transmission and the s = 1 direct view).  Monte Carlo tolerances: 3σ with σ from the
engine's batch-means standard errors, plus the 2 % of the acceptance."""
import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.errors import RecipeError
from waferlab.feature.flux import shapes
from waferlab.feature.flux.radiosity import trench_transport
from waferlab.feature.registry import get_model_spec
from waferlab.recipe_io import validate_section
from waferlab.validation.deposition import hole_step_coverage, trench_step_coverage
from waferlab.validation.feature import CLAUSING_SLIT

UM_MIN = 1e-6 / 60
MATS = ("top", "wall", "bottom")


def spec(data, where="steps[0].deposit"):
    return validate_section(get_model_spec(data["model"]), data, where)


def build(data):
    return spec(data).build(kind="deposit", materials=MATS, target="bottom")


def _flat(n, L=1.0):
    from waferlab.feature.surface import Surface
    x = np.linspace(-L / 2, L / 2, n + 1)
    el = np.c_[np.arange(n), np.arange(1, n + 1)]
    return Surface(points=np.c_[x, np.zeros_like(x)], elements=el,
                   normals=np.tile([0.0, 1.0], (n, 1)), materials=np.zeros(n, np.int32),
                   material_names=MATS, lateral_bounds=((-L / 2, L / 2),), boundary="reflective")


# --------------------------------------------------------------------------- flat surface
@pytest.mark.parametrize("order", [0.0, 0.5, 1.0, 2.0])
def test_flat_rate_is_rate_times_flux_to_the_order(order):
    """V_n = R Γ^o element by element (exact), V_n scales as c^o with the flux (exact), and
    the open flat surface grows at R within 3σ."""
    m = build({"model": "cvd", "rate": "1 um/min", "sticking": 0.3, "order": order,
               "rays_per_point": 400})
    s = _flat(200)
    st = m.prepare(s, RunContext(seed=5), 0.0)
    g = st.rates.fields["incident_precursor"]
    np.testing.assert_allclose(st.rates.velocity, UM_MIN * g ** order, rtol=1e-12)
    for c in (0.25, 3.0):
        v = m.model.rates({"incident_precursor": c * g}, s.normals, s.materials).velocity
        np.testing.assert_allclose(v, c ** order * st.rates.velocity, rtol=1e-12)
    sig = UM_MIN * order * np.sqrt((st.result["precursor"].stderr ** 2).sum()) / len(g)
    assert abs(st.rates.velocity.mean() - UM_MIN) <= 3 * sig + 1e-12 * UM_MIN
    assert m.model.flat_rate() == pytest.approx(UM_MIN) and m.max_rate() >= 1.5 * UM_MIN


def test_two_precursors_add():
    m = build({"model": "cvd", "rays_per_point": 200, "precursors": [
        {"name": "p1", "rate": "1 um/min", "sticking": 0.1, "order": 1},
        {"name": "p2", "rate": "2 um/min", "sticking": 0.5, "order": 2}]})
    s = _flat(50)
    st = m.prepare(s, RunContext(seed=5), 0.0)
    f = st.rates.fields
    np.testing.assert_allclose(st.rates.velocity, UM_MIN * (f["incident_p1"]
                                                           + 2 * f["incident_p2"] ** 2), rtol=1e-12)
    assert m.model.coupled == ("p2",) and m.carries_state


def test_pecvd_is_the_sum_of_its_radical_and_ion_terms():
    """Same seeds trace the same rays: pecvd = its radical-only + its ion-only run, and each
    term is R Γ^o of its own traced flux."""
    base = {"model": "pecvd", "radical_rate": "1 um/min", "radical_sticking": 0.2,
            "ion_rate": "0.5 um/min", "ion_exponent": 200, "ion_order": 1.5, "rays_per_point": 300}
    s = shapes.trench(1.0, 2.0, h=0.1, field=0.5)
    run = lambda d: build(d).prepare(s, RunContext(seed=9), 0.0).rates  # noqa: E731
    both = run(base)
    rad = run({**base, "ion_rate": "0 um/min"})
    ion = run({**base, "radical_rate": "0 um/min"})
    ok = both.ok
    np.testing.assert_allclose(both.velocity[ok], rad.velocity[ok] + ion.velocity[ok],
                               rtol=1e-12, atol=1e-25)
    np.testing.assert_allclose(rad.velocity[ok], UM_MIN * both.fields["incident_radical"][ok],
                               rtol=1e-12)
    np.testing.assert_allclose(ion.velocity[ok],
                               0.5 * UM_MIN * both.fields["incident_ion"][ok] ** 1.5, rtol=1e-12)
    # the collimated ions hardly reach the walls, the radicals do
    wall = ok & (s.materials == 1)
    assert both.fields["incident_ion"][wall].mean() < 0.2 * both.fields["incident_radical"][wall].mean()


def test_bad_settings_are_recipe_errors_naming_the_field():
    with pytest.raises(RecipeError, match=r"deposit\.sticking.*outside \(0, 1\]"):
        spec({"model": "cvd", "rate": "1 nm/min", "sticking": 1.5})
    with pytest.raises(RecipeError, match=r"sticking.*outside"):
        spec({"model": "cvd", "rate": "1 nm/min", "sticking": 0})
    with pytest.raises(RecipeError, match=r"precursors\[1\]\.order"):
        spec({"model": "cvd", "precursors": [{"name": "a", "rate": "1 nm/min", "sticking": 0.1},
                                             {"name": "b", "rate": "1 nm/min", "sticking": 0.1,
                                              "order": -1}]})
    with pytest.raises(RecipeError, match="radical_sticking"):
        spec({"model": "pecvd", "radical_rate": "1 nm/min", "radical_sticking": 2,
              "ion_rate": "1 nm/min"})
    with pytest.raises(RecipeError, match="unique"):
        build({"model": "cvd", "precursors": [{"name": "a", "rate": "1 nm/min", "sticking": 0.1},
                                              {"name": "a", "rate": "1 nm/min", "sticking": 0.1}]})
    with pytest.raises(RecipeError, match="needs `sticking`"):
        build({"model": "cvd", "rate": "1 nm/min"})
    with pytest.raises(RecipeError, match="precursors"):
        build({"model": "cvd"})
    with pytest.raises(RecipeError, match="deposit step"):
        spec({"model": "cvd", "rate": "1 nm/min", "sticking": 0.1}).build(
            kind="etch", materials=MATS, target=None)


# --------------------------------------------------------------------------- radiosity references
@pytest.mark.parametrize("ar", [1, 5, 10])
def test_trench_radiosity_reproduces_clausing_and_the_direct_view(ar):
    """Walls s = 0, bottom s = 1: the bottom receives the slit transmission (Clausing,
    5-digit table); s = 1 everywhere: the centre of the bottom sees the mouth only,
    F = sin(atan(W/2D)); every row of view factors closes to round-off."""
    t = trench_transport(1.0, ar, 0.0, 1.0)
    assert t.bottom_mean() == pytest.approx(CLAUSING_SLIT[ar], abs=2e-5)
    assert t.closure < 1e-8
    d = trench_transport(1.0, ar, 1.0, n_bottom=401)
    c = np.argmin(np.abs(d.x_bottom))
    assert d.bottom[c] == pytest.approx(0.5 / np.hypot(0.5, ar), rel=1e-4)
    assert d.bottom_mean() == pytest.approx(np.hypot(1, ar) - ar, rel=1e-9)   # crossed strings


# --------------------------------------------------------------------------- step coverage
def _check(got, sig, ref):
    # the acceptance: within 2 %; and the Monte Carlo noise must be small enough to tell
    assert 3 * sig < 0.01 * ref, (got, sig, ref)
    assert abs(got - ref) <= 0.02 * ref, (got, ref, sig)


@pytest.mark.parametrize("ar, s", [(2, 0.1), (10, 1.0)])
def test_thin_film_step_coverage_in_trenches_is_the_radiosity_flux_ratio(ar, s):
    _check(*trench_step_coverage(ar, s))


# the 3D hole at quick settings: tests/validation (problem ``cvd_step_coverage``)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["trench", "hole"])
@pytest.mark.parametrize("ar", [1, 3, 10])
@pytest.mark.parametrize("s", [0.01, 0.1, 1.0])
def test_step_coverage_sweep(kind, ar, s):
    fn = trench_step_coverage if kind == "trench" else hole_step_coverage
    _check(*fn(ar, s))


@pytest.mark.slow
@pytest.mark.parametrize("ar, s", [(2, 0.1), (5, 1.0)])
def test_level_set_film_step_coverage_is_the_radiosity_flux_ratio(ar, s):
    """Through a deposit step and the level-set engine: a film of 2 % of the width on the
    field (0.8 h) grows at the bottom centre by the radiosity flux ratio within 2 % (column
    heights: sub-cell zero crossings)."""
    from waferlab.feature.metrics import column_heights
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer

    W, n_w, film = 0.5e-6, 40, 0.02
    h = W / n_w
    data = {"name": "ls", "seed": 1,
            "grid": {"dimension": 2, "spacing": f"{h!r} m", "extent": [f"{2 * W!r} m"]},
            "structure": {"substrate": {"material": "Si"},
                          "feature": {"type": "trench", "width": f"{W!r} m",
                                      "depth": f"{ar * W!r} m"}},
            "steps": [{"deposit": {"model": "cvd", "material": "SiO2", "rate": f"{film * W!r} m/s",
                                   "sticking": s, "rays_per_point": 3000, "time": "1 s"}}]}
    r = recipe_from_dict(data)
    w0 = initial_wafer(r)
    w1 = r.steps[0].apply(w0, RunContext(seed=1, threads=2))
    dz = column_heights(w1.geometry) - column_heights(w0.geometry)
    lo, hi = w0.geometry.grid.lateral_bounds[0]
    x = np.linspace(lo, hi, len(dz))
    centre, field = np.abs(x) < W / 8, np.abs(x) > 0.5 * W + 4 * h
    assert dz[field].mean() == pytest.approx(film * W, rel=0.01)
    t = trench_transport(1.0, ar, s)
    ref = np.interp(x[centre] / W, t.x_bottom, t.bottom).mean()
    assert dz[centre].mean() / dz[field].mean() == pytest.approx(ref, rel=0.02)
