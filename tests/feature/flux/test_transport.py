"""The transport ↔ surface-kinetics seam: per-element sticking in the flux engine, the
NaN policy of the traced adapter, ray-tracing settings."""
import numpy as np
import pytest

from waferlab.errors import SimulationError
from waferlab.feature.flux import shapes
from waferlab.feature.flux.engine import trace_fluxes
from waferlab.feature.flux.models import MultiParticleSpec
from waferlab.feature.flux.sources import Species
from waferlab.feature.flux.transport import (CoverageCoupled, RayTracing, Selective,
                                             SurfaceModel, TracedTransport)
from waferlab.recipe_io import validate_section


def test_per_element_sticking_equals_per_material_bit_for_bit(ctx):
    """Sticking given per element with the values of the per-material table traces the
    very same rays: identical fluxes."""
    s = shapes.trench(1.0, 2.0, h=0.1, field=0.5)
    names = s.material_names
    table = {n: v for n, v in zip(names, (0.3, 0.05, 0.9))}
    by_mat = Species(name="a", sticking=table)
    per_el = Species(name="a", sticking=np.array([table[names[m]] for m in s.materials]))
    assert per_el.per_element and not by_mat.per_element
    ra = trace_fluxes(s, [by_mat], ctx, rays_per_point=200)["a"]
    rb = trace_fluxes(s, [per_el], ctx, rays_per_point=200)["a"]
    np.testing.assert_array_equal(ra.incident, rb.incident)
    np.testing.assert_array_equal(ra.absorbed, rb.absorbed)


def test_per_element_sticking_absorbs_its_own_fraction(ctx):
    """On a flat open surface every element absorbs exactly s_e × its incident flux
    (first hits only: nothing re-emitted comes back to a plane)."""
    s = _flat(40)
    st = np.linspace(0.05, 1.0, len(s.elements))
    r = trace_fluxes(s, [Species(name="a", sticking=st)], ctx, rays_per_point=200)["a"]
    np.testing.assert_allclose(r.absorbed, st * r.incident, rtol=1e-12)
    with pytest.raises(ValueError, match="per-element"):
        Species(name="a", sticking=np.array([0.5, 1.5]))
    with pytest.raises(ValueError, match="elements"):
        trace_fluxes(s, [Species(name="a", sticking=np.ones(3))], ctx, rays_per_point=10)


def _flat(n, L=1.0):
    from waferlab.feature.surface import Surface
    x = np.linspace(-L / 2, L / 2, n + 1)
    pts = np.c_[x, np.zeros_like(x)]
    el = np.c_[np.arange(n), np.arange(1, n + 1)]
    return Surface(points=pts, elements=el, normals=np.tile([0.0, 1.0], (n, 1)),
                   materials=np.zeros(n, np.int32), material_names=("Si",),
                   lateral_bounds=((-L / 2, L / 2),), boundary="reflective")


def _multi(velocity):
    data = {"model": "multi_particle", "rate": "1 um/min", "velocity": velocity,
            "species": [{"name": "ion", "sticking": 1.0, "source_exponent": 100}],
            "rays_per_point": 50}
    return validate_section(MultiParticleSpec, data, "steps[0].deposit").build(
        kind="deposit", materials=("Si", "SiO2"), target="SiO2")


def test_non_finite_velocity_stops_with_the_step_model_and_count(ctx):
    """Issue #22 item 3: a velocity law that divides by zero is an error, not V = 0."""
    m = _multi("rate * absorbed_ion / 0")
    s = shapes.trench(1.0, 1.0, h=0.1, field=0.5)
    with pytest.raises(SimulationError, match=r"deposit SiO2.*'multi_particle'.* on \d+ of \d+ "
                                              r"surface elements"):
        m.prepare(s, ctx, 0.0)
    ok = _multi("rate * absorbed_ion")            # the same law without the /0 runs
    st = ok.prepare(s, ctx, 0.0)
    assert np.all(np.isfinite(ok.speed(st, s.centroids, s.normals, s.materials)))


def test_non_finite_velocity_stops_a_run():
    """Through ``waferlab run``'s runner: the run stops (it used to finish with 0 steps)."""
    from waferlab.context import RunContext
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import run_recipe
    data = {"name": "nan", "seed": 1,
            "grid": {"dimension": 2, "spacing": "0.1 um", "extent": ["1 um"]},
            "structure": {"substrate": {"material": "Si"},
                          "feature": {"type": "trench", "width": "0.4 um", "depth": "0.4 um"}},
            "steps": [{"deposit": {"model": "multi_particle", "material": "SiO2",
                                   "rate": "1 um/min", "time": "1 s", "rays_per_point": 20,
                                   "species": [{"name": "ion", "sticking": 1}],
                                   "velocity": "rate * absorbed_ion / 0"}}]}
    with pytest.raises(SimulationError, match="non-finite velocity"):
        run_recipe(recipe_from_dict(data), RunContext(seed=1))


def test_ported_models_satisfy_the_protocols():
    from waferlab.feature.registry import get_model_spec
    m = _multi("rate * absorbed_ion")
    assert isinstance(m, TracedTransport) and isinstance(m.model, SurfaceModel)
    assert not isinstance(m.model, CoverageCoupled) and not m.carries_state
    spec = validate_section(get_model_spec("sf6o2"), {"model": "sf6o2"}, "x")
    e = spec.build(kind="etch", materials=("Si", "Mask"), target=None)
    assert isinstance(e.model, CoverageCoupled) and isinstance(e.model, Selective)
    assert e.carries_state and e.tracing.coverage_iterations == 1
    with pytest.raises(TypeError, match="SurfaceModel"):
        TracedTransport(model=object())
    with pytest.raises(ValueError):
        RayTracing(rays_per_point=0)
