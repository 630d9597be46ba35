"""Basic surface models (isotropic, directional) and profile metrics."""
import math

import numpy as np
import pytest

from waferlab.errors import RecipeError
from waferlab.feature import builders as B
from waferlab.feature import metrics as M
from waferlab.feature.grid import Grid
from waferlab.feature.registry import get_model_spec, known_models
from waferlab.recipe_io import validate_section


def test_registered_and_parsed_with_units():
    assert {"isotropic", "directional"} <= set(known_models())
    spec = validate_section(get_model_spec("isotropic"), {"model": "isotropic", "rate": "6 nm/min"})
    assert spec.rate == pytest.approx(1e-10)
    m = spec.build(kind="deposit", materials=("Si", "SiO2"), target="SiO2")
    assert not m.normal_dependent and m.max_rate() == pytest.approx(1e-10)
    spec = validate_section(get_model_spec("isotropic"),
                            {"model": "isotropic", "rates": {"Si": "60 nm/min"}})
    m = spec.build(kind="etch", materials=("Si", "Mask"), target=None)
    v = m.speed(m.prepare(_geo(), None, 0.0), np.zeros((2, 2)), np.zeros((2, 2)), np.array([0, 1]))
    assert np.allclose(v, [-1e-9, 0.0])


def _geo():
    g = Grid(dimension=2, spacing=0.1, extent=(1.0,))
    return B.layer_stack(g, "Si", [("Mask", 0.3)])


def test_recipe_errors_name_the_field():
    iso = get_model_spec("isotropic")
    spec = validate_section(iso, {"model": "isotropic", "rates": {"Foo": "1 nm/min"}})
    with pytest.raises(RecipeError) as e:
        spec.build(kind="etch", materials=("Si", "Mask"), target=None)
    assert e.value.path == "rates.Foo" and "Si, Mask" in str(e.value)
    with pytest.raises(RecipeError, match="rate"):
        validate_section(iso, {"model": "isotropic"}).build(kind="deposit", materials=("Si",),
                                                              target="SiO2")
    with pytest.raises(RecipeError, match="isotropic_fraction"):
        validate_section(get_model_spec("directional"),
                         {"model": "directional", "rate": "1 nm/min", "isotropic_fraction": 1.5})
    with pytest.raises(RecipeError, match="rate"):
        validate_section(iso, {"model": "isotropic", "rate": "10 nm"})


def test_directional_speed_formula():
    spec = validate_section(get_model_spec("directional"),
                            {"model": "directional", "rates": {"Si": "60 nm/min"},
                             "direction": [0, -1], "isotropic_fraction": 0.25})
    m = spec.build(kind="etch", materials=("Si", "Mask"), target=None)
    assert m.normal_dependent and m.max_rate() == pytest.approx(1e-9)
    n = np.array([[0.0, 1.0], [1.0, 0.0], [math.sqrt(0.5), math.sqrt(0.5)], [0.0, -1.0], [0, 1]])
    v = m.speed(m.prepare(_geo(), None, 0.0), np.zeros((5, 2)), n, np.array([0, 0, 0, 0, 1]))
    R, f = 1e-9, 0.25
    assert np.allclose(v, [-R, -R * f, -R * ((1 - f) * math.sqrt(0.5) + f), -R * f, 0.0])
    g3 = Grid(dimension=3, spacing=0.1, extent=(1.0, 1.0))
    with pytest.raises(RecipeError, match="direction"):
        m.prepare(B.plane(g3, "Si"), None, 0.0)


def test_metrics_on_tapered_trench():
    g = Grid(dimension=2, spacing=0.02, extent=(4.0,))
    taper = math.radians(8)
    geo = B.cut_feature(B.layer_stack(g, "Si", [("SiO2", 0.2), ("Mask", 0.3)]), "trench",
                        width=2.0, depth=1.5, taper=taper)
    assert M.depth(geo) == pytest.approx(1.5, abs=1e-9)
    for z in (0.3, -0.2, -0.8):
        assert M.cd_at(geo, z) == pytest.approx(2.0 - 2 * (0.5 - z) * math.tan(taper), abs=1e-6)
    assert M.sidewall_angle(geo) == pytest.approx(math.pi / 2 - taper, abs=1e-6)
    assert M.bottom_thickness(geo, "SiO2", x=1.8) == pytest.approx(0.2, abs=0.02 / 20 + 1e-12)
    assert M.bottom_thickness(geo, x=1.8) == pytest.approx(0.3, abs=0.02 / 20 + 1e-12)
    lines = M.profile_polylines(geo)
    assert len(lines) == 1 and lines[0][0, 0] == pytest.approx(-2.0) and lines[0][-1, 0] == pytest.approx(2.0)
    # a line standing: CD is the line width
    line = B.cut_feature(B.plane(g, "Si"), "line", width=0.8, depth=0.5)
    assert M.cd_at(line, -0.25) == pytest.approx(0.8, abs=1e-6)


def test_metrics_3d_hole_cut():
    g = Grid(dimension=3, spacing=0.05, extent=(2.0, 2.0))
    geo = B.cut_feature(B.plane(g, "Si"), "hole", radius=0.6, depth=0.5)
    assert M.cd_at(geo, -0.25) == pytest.approx(1.2, abs=0.1 * 0.05)
    assert M.depth(geo) == pytest.approx(0.5, abs=1e-9)
    (line,) = M.profile_polylines(geo)
    assert line[:, 1].min() == pytest.approx(-0.5, abs=1e-9)
