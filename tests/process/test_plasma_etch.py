"""PlasmaEtch: reactor -> fluxes -> surface model, and the loading feedback loop.

Loading (Mogab, J. Electrochem. Soc. 124, 1262, 1977): the etched area consumes
etchant, so a larger open area lowers the etchant flux.  The coupled model must be
self-consistent: re-solving the reactor with the converged sink probability returns
the flux the surface saw, and that flux gives back the same γ_eff.
"""
from __future__ import annotations

import copy

import pytest

from waferlab.errors import RecipeError
from waferlab.feature.etch_models import SF6O2Spec
from waferlab.process.plasma_etch import SpeciesMap, _flat, _model_with_fluxes, couple_reactor
from waferlab.reactor import solve
from waferlab.reactor.spec import Loading, ReactorSpec
from waferlab.recipe import recipe_from_dict
from waferlab.recipe_io import validate_section

REACTOR = {"chamber": {"radius": "15 cm", "length": "30 cm", "wafer_radius": "10 cm"},
           "pressure": "10 mTorr", "gases": {"SF6": "100 sccm", "O2": "20 sccm"},
           "source": {"type": "icp", "power": "800 W"},
           "bias": {"frequency": "13.56 MHz", "voltage": "100 V"}}
BASE = {"model": "sf6o2", "rays_per_point": 50}
MATS = ("Si", "Mask")


def _couple(reactor: dict, area: float | None, species: SpeciesMap | None = None):
    species = species if species is not None else SpeciesMap()
    spec = validate_section(ReactorSpec, reactor)
    return couple_reactor(spec, SF6O2Spec, BASE, species, MATS, area)


@pytest.fixture(scope="module")
def loaded():
    return {a: _couple(REACTOR, a)[0] for a in (0.3, 0.6)}


def test_more_open_area_lowers_the_etchant_flux(loaded):
    c3, c6 = loaded[0.3], loaded[0.6]
    assert c3.etchant_flux_unloaded > c3.etchant_flux > c6.etchant_flux
    # the drop grows with the open area (super-linearly here: as Γ_F falls the surface
    # consumes a larger fraction γ_eff of it, the chemical term kσθ_F being saturated)
    d3 = 1 - c3.etchant_flux / c3.etchant_flux_unloaded
    d6 = 1 - c6.etchant_flux / c6.etchant_flux_unloaded
    assert 0 < d3 < d6


def test_loading_solution_is_self_consistent(loaded):
    c = loaded[0.3]
    spec = validate_section(ReactorSpec, REACTOR)
    sink = Loading(species="F", probability=c.gamma_eff, open_area_fraction=0.3)
    state = solve(spec.model_copy(update={"loading": [sink]}))
    f = state.fluxes_to_wafer_m2s
    assert f["F"] == pytest.approx(c.etchant_flux, rel=1e-3)
    model_spec = _model_with_fluxes(SF6O2Spec, BASE, state,
                                    {"ion": state.ion_flux_m2s, "etchant": f["F"],
                                     "passivant": f["O"]}, "oxygen_flux")
    rate, gamma = _flat(model_spec.build(kind="etch", materials=MATS, target=None).model)
    assert gamma == pytest.approx(c.gamma_eff, rel=1e-3)
    assert rate == pytest.approx(c.flat_rate, rel=1e-3)


def test_loading_lowers_the_rate_of_an_etchant_limited_process():
    """Without O passivation and with few ions the rate follows the F flux down."""
    reactor = copy.deepcopy(REACTOR)
    reactor["gases"] = {"SF6": "100 sccm"}
    reactor["bias"] = {"frequency": "13.56 MHz", "voltage": "20 V"}
    c, _ = _couple(reactor, 0.6, SpeciesMap(etchant="F", passivant=None))
    assert c.etchant_flux < c.etchant_flux_unloaded
    assert c.flat_rate < c.flat_rate_unloaded


RUN = {"name": "pe", "grid": {"dimension": 2, "spacing": "25 nm", "extent": ["1 um"]},
       "structure": {"substrate": {"material": "Si"},
                     "layers": [{"material": "Mask", "thickness": "200 nm"}],
                     "feature": {"type": "trench", "width": "400 nm", "depth": "200 nm"}},
       "steps": [{"plasma_etch": {"model": "sf6o2", "reactor": REACTOR, "rays_per_point": 40,
                                  "time": "10 s"}}]}


def test_plasma_etch_step_etches_silicon_not_the_mask():
    from waferlab.context import RunContext
    from waferlab.runner import run_recipe

    m = run_recipe(recipe_from_dict(copy.deepcopy(RUN)), RunContext(seed=1, threads=1))
    assert m["ion_flux_m2s"] > 0 and m["etchant_flux_m2s"] > 0
    # the trench went into the silicon: deeper than the 200 nm mask, by roughly the
    # flat-surface rate times the time (ion-shadowing and transport lower it in a trench)
    etched = m["etch_depth_m"]
    assert m["etched_layer"] == "Si"
    assert m["mask_remaining_m"] == pytest.approx(200e-9, abs=0.5 * 25e-9)
    assert 0.3 * m["flat_etch_rate_m_s"] * 10 < etched < 1.5 * m["flat_etch_rate_m_s"] * 10
    assert m["amounts_m2"]["Mask"] == pytest.approx(2 * 300e-9 * 200e-9, rel=0.05)


@pytest.mark.parametrize("key,value,path", [
    ("ion_flux", "1e16 cm^-2 s^-1", "steps[0].plasma_etch.ion_flux"),
    ("reactor", {"pressure": "1 mTorr"}, "steps[0].plasma_etch.reactor"),
    ("model", "isotropic", "steps[0].plasma_etch.model"),
    ("time", "-1 s", "steps[0].plasma_etch.time"),
])
def test_bad_plasma_etch_steps_name_the_field(key, value, path):
    data = copy.deepcopy(RUN)
    data["steps"][0]["plasma_etch"][key] = value
    with pytest.raises(RecipeError) as err:
        recipe_from_dict(data)
    assert path in str(err.value)
