"""The house (issue 20): optional capabilities are typed protocols, recipe modes are
enums that keep the recipe strings (docs/architecture.md, "Capabilities are typed
protocols" and "Modes are enums")."""
from __future__ import annotations

import json

import pytest

from small_recipes import small_trench
from waferlab.errors import RecipeError
from waferlab.feature import _kernels as K
from waferlab.feature.modes import Boundary, FeatureShape, Symmetry
from waferlab.feature.registry import EtchTargets, KeepsFilm, TracesFluxes, get_model_spec
from waferlab.process.registry import (Compound, HasNumerics, HeatTreatment, ModelDriven,
                                       ReactorCoupled, Step)
from waferlab.recipe import recipe_from_dict
from waferlab.recipe_io import validate_section

CYCLE = {"cycle": {"repeat": 2, "steps": [
    {"etch": {"model": "isotropic", "rates": {"Si": "10 nm/min"}, "time": "1 s"}},
    {"deposit": {"model": "isotropic", "material": "SiO2", "rate": "10 nm/min", "time": "1 s"}}]}}
ANNEAL = {"anneal": {"temperature": "900 degC", "time": "10 s"}}
OXIDIZE = {"oxidize": {"temperature": "1000 degC", "time": "10 s", "ambient": "wet"}}


def _steps(extra):
    data = small_trench("caps", seed=1)
    data["steps"] = data["steps"] + extra
    return recipe_from_dict(data).steps


def test_steps_declare_their_capabilities():
    etch, deposit, cycle, anneal, oxidize = _steps([CYCLE, ANNEAL, OXIDIZE])
    for s in (etch, deposit, cycle, anneal, oxidize):
        assert isinstance(s, Step), s
    for s in (etch, deposit):
        assert isinstance(s, ModelDriven) and isinstance(s, HasNumerics)
        assert not isinstance(s, (ReactorCoupled, Compound, HeatTreatment))
    assert isinstance(cycle, Compound) and not isinstance(cycle, ModelDriven)
    assert [s.kind for s in cycle.leaves()] == ["etch", "deposit"] * 2
    for s in (anneal, oxidize):
        assert isinstance(s, HeatTreatment) and not isinstance(s, ModelDriven)
    assert anneal.spec.temperature == pytest.approx(1173.15)


def test_model_specs_and_built_models_declare_theirs():
    fc = validate_section(get_model_spec("fluorocarbon"), {"model": "fluorocarbon"})
    assert isinstance(fc, KeepsFilm) and fc.film_material == "Polymer"
    sf6 = validate_section(get_model_spec("sf6o2"), {"model": "sf6o2"})
    assert isinstance(sf6, EtchTargets) and not isinstance(sf6, KeepsFilm)
    built = sf6.build(kind="etch", materials=("Si", "Mask"), target=None)
    assert isinstance(built, TracesFluxes) and built.rays_per_point == 1000
    assert {s.name for s in built.species()} >= {"ion", "etchant"}
    iso = validate_section(get_model_spec("isotropic"),
                           {"model": "isotropic", "rates": {"Si": "1 nm/min"}})
    assert not isinstance(iso.build(kind="etch", materials=("Si",), target=None), TracesFluxes)


def test_modes_keep_the_recipe_strings():
    r = recipe_from_dict(dict(small_trench("modes", seed=1),
                              grid={"dimension": 2, "spacing": "0.05 um", "extent": ["2 um"],
                                    "boundary": "periodic"}))
    g, f = r.spec.grid, r.spec.structure.feature
    assert g.boundary is Boundary.PERIODIC and g.boundary == "periodic"
    assert f.type is FeatureShape.TRENCH and f.symmetry is Symmetry.FULL
    text = json.dumps(r.resolved())
    assert '"boundary": "periodic"' in text and '"type": "trench"' in text
    # the archived recipe holds plain strings (yaml.safe_dump refuses an Enum member)
    resolved = r.resolved()
    assert type(resolved["grid"]["boundary"]) is str
    assert type(resolved["structure"]["feature"]["symmetry"]) is str


def test_a_bad_mode_names_the_allowed_values():
    data = small_trench("bad", seed=1)
    data["structure"]["feature"]["symmetry"] = "third"
    with pytest.raises(RecipeError, match=r"feature\.symmetry.*'full', 'half' or 'quarter'"):
        recipe_from_dict(data)
    data = small_trench("bad", seed=1)
    data["grid"]["boundary"] = "open"
    with pytest.raises(RecipeError, match=r"grid\.boundary.*'reflective' or 'periodic'"):
        recipe_from_dict(data)


def test_kernel_modes_are_the_enum_values():
    assert (K.EO, K.LF, K.BEAM) == (K.Hamiltonian.EO, K.Hamiltonian.LF, K.Hamiltonian.BEAM)
    assert all(type(m) is int for m in (K.EO, K.LF, K.BEAM))    # numba sees plain ints
    assert int(K.Hamiltonian.CUSTOM) == 3
