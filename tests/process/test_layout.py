"""structure.pattern: a layout layer (polygons or GDS) as a film on top of the stack.

Exact references: the film occupies the extruded polygon (dark) or its complement (clear)
— checked at grid nodes away from the edges by the sign of the film's level set; the
film's thickness is the recipe's within the reinitialisation's half-cell accuracy; the 2D
cross-section of polygons along a line is the even–odd interval set, computed by hand."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.errors import RecipeError
from waferlab.process.layout import line_intervals
from waferlab.recipe import recipe_from_dict
from waferlab.runner import initial_wafer

SQUARE = [[-100, -100], [100, -100], [100, 100], [-100, 100]]           # nm


def _recipe(dim, pattern, **extra):
    grid = ({"dimension": 3, "spacing": "10 nm", "extent": ["600 nm", "600 nm"]} if dim == 3
            else {"dimension": 2, "spacing": "10 nm", "extent": ["600 nm"]})
    data = {"name": "layout", "grid": grid,
            "structure": {"substrate": {"material": "Si"},
                          "layers": [{"material": "SiO2", "thickness": "50 nm"}],
                          "pattern": {"thickness": "40 nm", "material": "Mask", **pattern}},
            "steps": [{"etch": {"model": "isotropic", "rates": {"SiO2": "1 nm/min"}, "time": "1 s"}}],
            **extra}
    return recipe_from_dict(data)


def _film_mask(geo):
    """Nodes inside the top layer but not the one below (the film), at mid-film height."""
    k = int(round((50e-9 + 20e-9 - geo.z0) / geo.grid.spacing))
    return (geo.phi[-1][..., k] < 0) & (geo.phi[-2][..., k] > 0)


@pytest.mark.parametrize("tone", ["dark", "clear"])
def test_3d_film_is_the_extruded_polygon_or_its_complement(tone):
    geo = initial_wafer(_recipe(3, {"polygons": [SQUARE], "tone": tone})).geometry
    assert geo.materials == ("Si", "SiO2", "Mask")
    x = geo.grid.lateral_coords(0)
    y = geo.grid.lateral_coords(1)
    X, Y = np.meshgrid(x, y, indexing="ij")
    inside = (np.abs(X) < 100e-9 - 15e-9) & (np.abs(Y) < 100e-9 - 15e-9)
    outside = (np.abs(X) > 100e-9 + 15e-9) | (np.abs(Y) > 100e-9 + 15e-9)
    film = _film_mask(geo)
    want_in = tone == "dark"
    assert film[inside].all() == want_in and (~film[inside]).all() == (not want_in)
    assert film[outside].all() == (not want_in) and (~film[outside]).all() == want_in


def test_3d_film_thickness():
    geo = initial_wafer(_recipe(3, {"polygons": [SQUARE], "tone": "dark"})).geometry
    i = j = geo.grid.lateral_shape[0] // 2
    col = geo.phi[-1][i, j]
    z = geo.z0 + geo.grid.spacing * np.arange(len(col))
    top = np.interp(0.0, -col[::-1], z[::-1])             # the zero of φ along the column
    assert top == pytest.approx(90e-9, abs=0.5 * geo.grid.spacing)


def test_line_intervals_even_odd_and_merge():
    L = np.array([[0, 0], [3, 0], [3, 1], [1, 1], [1, 3], [0, 3]], float)        # an L
    sq = np.array([[2, 0.2], [5, 0.2], [5, 0.8], [2, 0.8]], float)               # overlaps it
    assert line_intervals([L], 0.5) == [(0.0, 3.0)]
    assert line_intervals([L], 2.0) == [(0.0, 1.0)]
    assert line_intervals([L, sq], 0.5) == [(0.0, 5.0)]
    assert line_intervals([L, sq], 5.0) == []


@pytest.mark.parametrize("tone, expect", [("dark", [(-100e-9, 100e-9)]),
                                          ("clear", [(-400e-9, -100e-9), (100e-9, 400e-9)])])
def test_2d_cut_through_the_layout(tone, expect):
    geo = initial_wafer(_recipe(2, {"polygons": [SQUARE], "tone": tone})).geometry
    x = geo.grid.lateral_coords(0)
    film = _film_mask(geo)
    want = np.zeros_like(film)
    for a, b in expect:
        want |= (x > a + 15e-9) & (x < b - 15e-9)
    edge = np.zeros_like(film)
    for a, b in expect:
        edge |= (np.abs(x - a) <= 15e-9) | (np.abs(x - b) <= 15e-9)
    assert (film[~edge] == want[~edge]).all()


def test_gds_layer_from_the_package_data():
    geo = initial_wafer(_recipe(3, {"file": "m1_clip.gds", "layer": 1, "tone": "dark"},
                                grid={"dimension": 3, "spacing": "20 nm",
                                      "extent": ["1.2 um", "1.0 um"]})).geometry
    film = _film_mask(geo)
    frac = film.mean()
    assert 0.1 < frac < 0.6         # 70 nm wires on a 140 nm pitch in the central ~1 um


@pytest.mark.parametrize("pattern, extra, path", [
    ({"polygons": [SQUARE], "file": "m1_clip.gds"}, {}, "structure.pattern"),
    ({}, {}, "structure.pattern"),
    ({"polygons": [[[0, 0], [1, 1]]]}, {}, "structure.pattern"),
    ({"polygons": [SQUARE], "material": "Unobtainium"}, {}, "structure.pattern.material"),
    ({"file": "no_such_layout.gds"}, {}, "structure.pattern"),
    ({"polygons": [SQUARE], "thickness": "-1 nm"}, {}, "structure.pattern.thickness"),
])
def test_bad_patterns_name_the_field(pattern, extra, path):
    with pytest.raises(RecipeError) as e:
        initial_wafer(_recipe(3, pattern, **extra))
    assert path in f"{e.value.path or ''} {e.value}", str(e.value)


def test_feature_and_pattern_together_is_refused():
    data = {"name": "x", "grid": {"dimension": 2, "spacing": "10 nm", "extent": ["600 nm"]},
            "structure": {"substrate": {"material": "Si"},
                          "feature": {"type": "trench", "width": "100 nm", "depth": "50 nm"},
                          "pattern": {"polygons": [SQUARE], "thickness": "40 nm"}},
            "steps": [{"etch": {"model": "isotropic", "rates": {"Si": "1 nm/min"}, "time": "1 s"}}]}
    with pytest.raises(RecipeError) as e:
        recipe_from_dict(data)
    assert "structure" in str(e.value) and "not both" in str(e.value)


def test_gdsfactory_component_through_its_gds(tmp_path):
    """A stand-in with gdsfactory's ``write_gds`` (the only method used): its layer comes
    back in nm, other layers are left out."""
    import gdstk

    class Component:
        def write_gds(self, path):
            lib = gdstk.Library(unit=1e-6, precision=1e-9)
            cell = lib.new_cell("TOP")
            cell.add(gdstk.rectangle((-0.1, -0.05), (0.1, 0.05), layer=1, datatype=0))
            cell.add(gdstk.rectangle((0.3, 0.3), (0.4, 0.4), layer=2, datatype=0))
            lib.write_gds(path)

    from waferlab.process.layout import polygons_from_gdsfactory

    polys = polygons_from_gdsfactory(Component(), layer=(1, 0))
    assert len(polys) == 1
    pts = np.array(polys[0])
    assert pts.min(0) == pytest.approx([-100, -50]) and pts.max(0) == pytest.approx([100, 50])
