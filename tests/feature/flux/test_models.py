"""single_particle / multi_particle: recipe specs, prepare on a Surface, speeds."""
import numpy as np
import pytest

from waferlab.errors import RecipeError
from waferlab.feature.flux import shapes
from waferlab.feature.flux.expression import compile_expression
from waferlab.feature.flux.models import MultiParticleSpec, SingleParticleSpec
from waferlab.feature.velocity import VelocityModel
from waferlab.recipe_io import validate_section

UM_MIN = 1e-6 / 60


def pooled(s, values):
    """Area-weighted mean of the element values around each vertex (independent loop)."""
    num = np.zeros(len(s.points))
    den = np.zeros(len(s.points))
    for e, verts in enumerate(s.elements):
        for v in verts:
            num[v] += s.areas[e] * values[e]
            den[v] += s.areas[e]
    return num / den


def single(**kw):
    data = {"model": "single_particle", "rate": "1 um/min", "sticking": 0.1,
            "source_exponent": 1, "rays_per_point": 2000} | kw
    return validate_section(SingleParticleSpec, data, "steps[0].deposit")


def test_single_particle_trench_deposit(ctx):
    """V = rate · Γ_abs/(s Γ0): 1 × rate on the open field, the traced relative flux inside,
    and the bottom value follows Coburn–Winters-like reduction (< 1)."""
    s = shapes.trench(1.0, 2.0, h=0.05, field=1.0)
    names = ("top", "wall", "bottom")
    m = single().build(kind="deposit", materials=names, target="bottom")
    assert isinstance(m, VelocityModel) and not m.normal_dependent
    state = m.prepare(s, ctx, 0.0)
    f = state.result["particle"]
    c = s.centroids
    v = m.speed(state, c, s.normals, s.materials)
    field = s.materials == 0
    far = field & (np.abs(c[:, 0] - 0.5) > 1.2)
    # the open field far from the mouth: relative absorbed flux 1 within noise
    assert abs(np.mean(v[far]) / UM_MIN - 1) < 4 * np.mean(f.stderr[far]) / np.sqrt(far.sum()) + 0.01
    # at the vertices with k = 1: rate × the vertex-pooled absorbed/s, exactly
    from dataclasses import replace
    m1 = replace(m, tracing=replace(m.tracing, neighbours=1))
    vv = m1.speed(state, s.points, np.zeros_like(s.points), np.zeros(len(s.points), int))
    np.testing.assert_allclose(vv, UM_MIN * pooled(s, f.absorbed / 0.1), rtol=1e-12)
    # k = 4 interpolation stays within the range of the vertex values
    assert v.max() <= vv.max() * (1 + 1e-12) and v.min() >= vv.min() * (1 - 1e-12)
    bot = s.materials == 2
    assert 0.2 < v[bot].mean() / UM_MIN < 0.9
    assert m.max_rate() == pytest.approx(1.5 * UM_MIN)


def test_single_particle_etch_rates_per_material(ctx):
    s = shapes.trench(1.0, 1.0, h=0.05, field=0.5)
    spec = single(rate=None, rates={"bottom": "2 um/min", "wall": "1 um/min"}, sticking=0.5)
    m = spec.build(kind="etch", materials=("top", "wall", "bottom"), target=None)
    state = m.prepare(s, ctx, 1.0)
    v = m.speed(state, s.centroids, s.normals, s.materials)
    assert np.all(v[s.materials == 0] == 0.0)              # unlisted: does not move
    assert np.all(v[s.materials != 0] < 0.0)
    f = state.result["particle"]
    from dataclasses import replace
    vv = replace(m, tracing=replace(m.tracing, neighbours=1)).speed(state, s.points, np.zeros_like(s.points),
                                        np.full(len(s.points), 2))
    np.testing.assert_allclose(vv, -2 * UM_MIN * pooled(s, f.absorbed / 0.5), rtol=1e-12)


def test_prepare_is_deterministic_and_time_keyed(ctx):
    """The Monte Carlo walk's stream is keyed by the time (the default radiosity solve of
    this 2D neutral has no randomness, so the walk is asked for)."""
    from dataclasses import replace
    s = shapes.trench(1.0, 1.0, h=0.1, field=0.5)
    m = single(rays_per_point=200).build(kind="deposit", materials=("top", "wall", "bottom"),
                                         target="top")
    m = replace(m, tracing=replace(m.tracing, reemission="mc"))
    a = m.prepare(s, ctx, 0.0).result["particle"].incident
    b = m.prepare(s, ctx, 0.0).result["particle"].incident
    c = m.prepare(s, ctx, 5.0).result["particle"].incident
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_single_particle_spec_errors():
    with pytest.raises(RecipeError, match="sticking"):
        single(sticking=1.5)
    with pytest.raises(RecipeError, match="rays_per_point"):
        single(rays_per_point=0)
    with pytest.raises(RecipeError, match="rate"):
        single(rate="1 nm")
    with pytest.raises(RecipeError, match="unknown material"):
        single(rate=None, rates={"Cu": "1 nm/min"}).build(kind="etch", materials=("Si",), target=None)
    with pytest.raises(RecipeError, match="rate"):
        single(rate=None).build(kind="deposit", materials=("Si", "SiO2"), target="SiO2")


def multi(**kw):
    data = {"model": "multi_particle", "rate": "1 um/min",
            "species": [{"name": "ion", "sticking": 1.0, "source_exponent": 1000},
                        {"name": "neutral", "sticking": 0.1}],
            "velocity": "rate * (0.7*absorbed_ion + 0.3*absorbed_neutral)",
            "rays_per_point": 500} | kw
    return validate_section(MultiParticleSpec, data, "steps[0].deposit")


def test_multi_particle_expression_matches_callable(ctx):
    s = shapes.trench(1.0, 2.0, h=0.05, field=0.5)
    mats = ("top", "wall", "bottom")
    m = multi().build(kind="deposit", materials=mats, target="top")
    st = m.prepare(s, ctx, 0.0)
    c = s.centroids
    v = m.speed(st, c, s.normals, s.materials)
    env = st.at(c, m.tracing.neighbours)
    expect = UM_MIN * (0.7 * env["absorbed_ion"] + 0.3 * env["absorbed_neutral"])
    np.testing.assert_allclose(v, expect, rtol=1e-12)
    # ions (n = 1000) hit the floor almost fully, the walls hardly at all
    ion = st.result["ion"]
    assert ion.incident[s.materials == 2].mean() > 0.9
    assert ion.incident[s.materials == 1].mean() < 0.05
    # the same through the Python API with a callable
    from dataclasses import replace
    m2 = replace(m, model=replace(m.model, velocity=lambda e: e["rate"] * (0.7 * e["absorbed_ion"]
                                                                     + 0.3 * e["absorbed_neutral"])))
    np.testing.assert_allclose(m2.speed(st, c, s.normals, s.materials), v)
    assert m.max_rate() == pytest.approx(1.5 * UM_MIN * (0.7 * 1.0 + 0.3 * 0.1))


def test_multi_particle_spec_errors():
    with pytest.raises(RecipeError, match="velocity"):
        multi(velocity="__import__('os').system('true')").build(
            kind="deposit", materials=("Si", "SiO2"), target="SiO2")
    with pytest.raises(RecipeError, match="unknown name"):
        multi(velocity="rate * absorbed_electron").build(
            kind="deposit", materials=("Si", "SiO2"), target="SiO2")
    with pytest.raises(RecipeError, match="unique"):
        multi(species=[{"name": "a", "sticking": 1}, {"name": "a", "sticking": 0.1}]).build(
            kind="deposit", materials=("Si", "SiO2"), target="SiO2")
    with pytest.raises(RecipeError, match="species"):
        multi(species=[{"name": "a b", "sticking": 1}])


@pytest.mark.parametrize("bad", ["x.__class__", "(lambda: 1)()", "a if a else b", "[a]",
                                 "a[0]", "open('f')", "sqrt(a, a)", "a; b", "min(a)",
                                 "a < b", "'s'", "x"])
def test_expression_rejects(bad):
    with pytest.raises(ValueError):
        compile_expression(bad, ["a", "b"])(dict(a=np.ones(2), b=np.ones(2)))


def test_expression_evaluates():
    f = compile_expression("max(a, 2*b, 0.5) - sqrt(b)**2 + exp(0) * -a / 2", ["a", "b"])
    a, b = np.array([1.0, 4.0]), np.array([0.1, 3.0])
    np.testing.assert_allclose(f(dict(a=a, b=b)), np.maximum(np.maximum(a, 2 * b), 0.5) - b - a / 2)
