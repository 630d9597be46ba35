"""Model ``fluorocarbon`` at the feature scale: recipe validation, the traced flat-surface
speed against the kinetics, and the etch stop at low ion energy in a contact."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.errors import RecipeError
from waferlab.feature.extract import extract_surface
from waferlab.recipe import recipe_from_dict
from waferlab.runner import collect_metrics, initial_wafer

NM = 1e-9


def _recipe(etch: dict, *, feature: bool = True, extent="120 nm", h="5 nm", materials=None):
    st = {"substrate": {"material": "Si"},
          "layers": [{"material": "SiO2", "thickness": "150 nm"},
                     {"material": "Mask", "thickness": "30 nm"}]}
    if feature:
        st["feature"] = {"type": "trench", "width": "50 nm", "depth": "30 nm"}
    else:
        st["layers"] = st["layers"][:1]
    data = {"name": "fc", "seed": 2, "grid": {"dimension": 2, "spacing": h, "extent": [extent]},
            "structure": st, "steps": [{"etch": dict({"model": "fluorocarbon"}, **etch)}],
            "output": {"vtk": False, "plot": False}}
    if materials:
        data["materials"] = materials
    return recipe_from_dict(data)


@pytest.mark.parametrize("etch, path, words", [
    ({"polymer": "Polymr", "time": "1 s"}, "steps[0].etch.polymer", "does not exist"),
    ({"masks": ["Resist"], "time": "1 s"}, "steps[0].etch.masks", "unknown material"),
    ({"materials": {"SiO2": {"beta_e": 1.5}}, "time": "1 s"},
     "steps[0].etch.materials.SiO2.beta_e", "less than or equal to 1"),
    ({"etched": ["Polymer"], "time": "1 s"}, "steps[0].etch.etched", "polymer"),
    ({"materials": {"GaN": {"density": "4e22 cm^-3"}}, "time": "1 s"},
     "steps[0].etch.materials.GaN", "unknown material"),
])
def test_bad_input_is_a_recipe_error_naming_the_field(etch, path, words):
    with pytest.raises(RecipeError) as e:
        _recipe(etch)
    assert str(e.value).startswith(path + ":") and words in str(e.value)


def test_a_declared_polymer_material_is_accepted_and_added_on_top():
    step = _recipe({"polymer": "CFx", "time": "1 s"}, materials=["CFx"]).leaf_steps[0]
    assert step.materials_after(("Si", "SiO2", "Mask")) == ("Si", "SiO2", "Mask", "CFx")


def test_traced_flat_speed_equals_the_kinetics():
    """An open SiO2 plane, ions of exponent 5000 (near-normal), ion reflection off: every
    ray hits once, so the traced speed is the flat-surface speed of the kinetics up to the
    angular spread (<0.1 %) and the energy sampling (4097-point inverse CDF).
    6.09 nm/s = the hand evaluation of tests/atomic/test_fluorocarbon.py."""
    r = _recipe({"ion_exponent": 5000, "ion_reflection": False, "rays_per_point": 400,
                 "etchant_flux": "1.5e21 m^-2 s^-1", "polymer_flux": "5e19 m^-2 s^-1",
                 "time": "1 s"}, feature=False, extent="100 nm")
    w = initial_wafer(r)
    geo = w.geometry.with_new_top("Polymer")
    tt = r.leaf_steps[0].velocity_model(tuple(geo.materials))
    er = tt.element_rates(extract_surface(geo), RunContext(seed=3, threads=1), ("t",))
    flat = tt.model.flat_speed("SiO2")
    v = er.velocity[er.ok]
    assert flat == pytest.approx(-6.09e-9, rel=0.01)
    # Monte Carlo: the mean of n elements within 3σ/√n (+0.2 % for the tables)
    assert abs(np.mean(v) - flat) <= 3 * np.std(v) / np.sqrt(v.size) + 2e-3 * abs(flat)
    assert np.std(v) / abs(flat) < 0.1


@pytest.mark.slow
@pytest.mark.parametrize("energy, stops", [("40 eV", True), ("150 eV", False)])
def test_contact_etch_stops_at_low_ion_energy(energy, stops):
    """At 40 eV the polymer wins (θ_p ≥ 1 at the bottom: net deposition); at 150 eV the
    SiO2 etches.  Paper defaults (E* = 76.5 eV on a flat surface)."""
    r = _recipe({"ion_energy": energy, "rays_per_point": 100, "ion_exponent": 100,
                 "time": "10 s"})
    ctx = RunContext(seed=2, threads=1)
    w0 = w = initial_wafer(r)
    for s in r.leaf_steps:
        w = s.apply(w, ctx, start=None, on_step=None)
    m = collect_metrics(r, w0, w)
    if stops:
        assert m["etch_depth_m"] < 1e-3 * NM
        assert m["film_bottom_m"] > 5 * NM           # polymer grown on the contact floor
    else:
        assert m["etch_depth_m"] > 10 * NM           # 18.8 nm (flat: 46.7 nm)


# The contact of bench/bench_fluorocarbon.py (k_ie = 0) for 30 s: the exact evolving
# reference (``validation.coverage_profile.evolve_profile``, the published balances,
# nodes 2 nm apart, 1e5 ions per step; bench/results/fluorocarbon_evolve_30.md) has its
# width at half depth at 51.99 nm; the exact reference with fans
# (``validation.front_fans.evolve_fans``, 2 nm, 2e5 ions per step;
# bench/results/fluorocarbon_fans_30.md) its depth at 205.98 nm (width 53.68 nm).
# Computing them takes ≈ 300 s each, so their numbers are kept here.
EXACT_CD_30S_NM = 51.99
EXACT_DEPTH_30S_NM = 205.98


def _width_at_half_depth(geometry) -> tuple[float, float]:
    """(depth below the mask's bottom edge, width of the top surface at half that depth)
    in nm: the first crossing of the level from the mouth down on each side, as
    bench_fluorocarbon_evolve.py measures it."""
    from waferlab.feature.extract import contours_2d
    c = max(contours_2d(geometry.top, geometry), key=len) / NM
    c = c[c[:, 1] < 49.5]                       # below the mask's top (the mouth)
    depth = -float(c[:, 1].min())
    y = -0.5 * depth
    xs = []
    for side in (c[c[:, 0] <= 0], c[c[:, 0] >= 0] * [-1, 1]):
        side = side[np.argsort(-side[:, 1], kind="stable")]
        k = int(np.argmax(side[:, 1] < y))
        a, b = side[k - 1], side[k]
        xs.append(-(a[0] + (y - a[1]) / (b[1] - a[1]) * (b[0] - a[0])))
    return depth, xs[0] + xs[1]


@pytest.mark.slow
def test_contact_at_2nm_and_300_rays_lands_on_the_exact_evolving_references():
    """h 2 nm, 300 rays/point, the default ``field_smoothing_h`` (0.5 here) and scheme (eo,
    ``FluorocarbonEtch.preferred_scheme``): the depth within 3 % and the width at half
    depth within one grid spacing (2 nm) of the exact references (issue #17's criteria).
    The width's scatter over seeds is σ ≈ 1 nm (bench/results/fluorocarbon_evolve_30.md),
    so a single run is inside ±2 nm unless its mean is off by more than ≈ 1 nm.  With
    field_smoothing_h 0 (the fields' ray noise through the θ_p = 1 knife edge of the
    walls) this seed gave 54.61 nm (+2.6 nm) and seed 2 57.09 nm.  With ``scheme: weno5``
    (the default before session 16) the depth is 226.0 nm (+9.7 %): WENO5 keeps a flat
    floor in the closing slot (bench/results/fcslot_s16.md)."""
    r = recipe_from_dict({
        "name": "fc30", "seed": 1,
        "grid": {"dimension": 2, "spacing": "2 nm", "extent": ["120 nm"]},
        "structure": {"substrate": {"material": "SiO2", "thickness": "200 nm"},
                      "layers": [{"material": "Mask", "thickness": "50 nm"}],
                      "feature": {"type": "trench", "width": "60 nm", "depth": "50 nm"}},
        "steps": [{"etch": {"model": "fluorocarbon", "ion_flux": "56e15 cm^-2 s^-1",
                            "etchant_flux": "150e15 cm^-2 s^-1",
                            "polymer_flux": "5e15 cm^-2 s^-1", "ion_exponent": 100,
                            "rays_per_point": 300, "k_ie": 0.0, "cfl": 0.5,
                            "time": "30 s"}}],
        "output": {"vtk": False, "plot": False}})
    w = initial_wafer(r)
    ctx = RunContext(seed=1, threads=2)
    for s in r.steps:
        w = s.apply(w, ctx)
    depth, cd = _width_at_half_depth(w.geometry)
    assert abs(depth / EXACT_DEPTH_30S_NM - 1.0) <= 0.03     # eo 210.1 nm (+2.0 %)
    assert abs(cd - EXACT_CD_30S_NM) <= 2.0


def test_default_field_smoothing_is_half_a_spacing_and_at_least_1nm():
    """The recipe's default smoothing radius r = max(h/2, 1 nm) in grid spacings; an
    explicit value is kept, 0 switches it off."""
    from types import SimpleNamespace

    from waferlab.feature.fluorocarbon import FIELD_SMOOTHING_MIN
    mats = ("SiO2", "Mask")
    model = _recipe({"time": "1 s"}).leaf_steps[0].velocity_model(mats + ("Polymer",)).model
    assert model.field_smoothing_h is None and FIELD_SMOOTHING_MIN == 1e-9
    for h, want in ((4e-9, 0.5), (2e-9, 0.5), (1e-9, 1.0), (0.5e-9, 2.0)):
        assert model._smoothing_h(SimpleNamespace(spacing=h)) == pytest.approx(want)
    for v in (0.0, 1.5):
        m = _recipe({"time": "1 s", "field_smoothing_h": v}).leaf_steps[0].velocity_model(
            mats + ("Polymer",)).model
        assert m._smoothing_h(SimpleNamespace(spacing=1e-9)) == v


def test_default_scheme_is_first_order_for_fluorocarbon_only():
    """A fluorocarbon step that names no scheme advances with eo (``preferred_scheme``;
    WENO5 over-etches the closing slot, bench/results/fcslot_s16.md); a step that names one
    keeps it, and other models keep their defaults."""
    from waferlab.feature.advect import default_scheme
    mats = ("SiO2", "Mask", "Polymer")
    vm = _recipe({"time": "1 s"}).leaf_steps[0].velocity_model(mats)
    assert default_scheme(vm) == "eo"
    step = _recipe({"time": "1 s", "scheme": "weno5"}).leaf_steps[0]
    assert step.numerics.scheme == "weno5"
    other = recipe_from_dict({
        "name": "ie", "seed": 1, "grid": {"dimension": 2, "spacing": "5 nm", "extent": ["60 nm"]},
        "structure": {"substrate": {"material": "Si"}},
        "steps": [{"etch": {"model": "isotropic", "rates": {"Si": "1 nm/s"}, "time": "1 s"}}]})
    assert default_scheme(other.leaf_steps[0].velocity_model(("Si",))) == "weno5"
