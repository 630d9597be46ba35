"""An etch that stops on a material it does not etch ends exactly on the interface.

The spacer flow (a conformal 50 nm SiO2 film on a 200 nm Si line, etched back
vertically with 20 % over-etch; Si not etched) and a plain 50 nm SiO2 film on Si: by
construction the Si is untouched, so on the field and on the line top the final
surface is the initial Si surface (the builders' signed distances are exact there),
no SiO2 is left (0, not "below resolution"), and the spacers on the walls keep their
50 nm.  Before the held-block rule (advect.py) the front stopped up to h/2 above the
interface: 6.5 nm (plain) and 7.1 nm (spacer) of "SiO2" at h = 20 nm, 2 nm at 10 nm.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.feature import metrics as M
from waferlab.feature.advect import advance, held_block
from waferlab.feature.builders import layer_stack
from waferlab.feature.grid import Grid
from waferlab.feature.models_basic import DirectionalVelocity, IsotropicVelocity
from waferlab.recipe import recipe_from_dict
from waferlab.runner import collect_metrics, initial_wafer

NM = 1e-9
H = 20.0                                       # nm


def _spacer_recipe(dim: int, line: bool, etch_model: str = "directional") -> dict:
    ext = ["600 nm"] if dim == 2 else ["600 nm", "300 nm"]
    structure = {"substrate": {"material": "Si"}}
    if line:
        structure["feature"] = {"type": "line", "width": "200 nm", "depth": "200 nm"}
    etch = {"model": etch_model, "rates": {"SiO2": "50 nm/min"}, "time": "1.2 min"}
    if etch_model == "directional":
        etch["direction"] = [0, -1] if dim == 2 else [0, 0, -1]
    return {"name": "spacer", "seed": 1,
            "grid": {"dimension": dim, "spacing": f"{H} nm", "extent": ext},
            "structure": structure,
            "steps": [{"deposit": {"model": "isotropic", "material": "SiO2",
                                   "rate": "50 nm/min", "time": "1 min"}},
                      {"etch": etch}]}


def _run(data: dict):
    recipe = recipe_from_dict(data)
    ctx = RunContext(seed=1, threads=1)
    w0 = initial_wafer(recipe)
    w = w0
    for step in recipe.leaf_steps:
        w = step.apply(w, ctx, start=None, on_step=None)
    return w0.geometry, w.geometry, collect_metrics(recipe, w0, w)


@pytest.mark.parametrize("dim", [2, 3])
def test_spacer_etch_with_over_etch_leaves_no_film_on_the_field(dim):
    g0, g, m = _run(_spacer_recipe(dim, line=True))
    h = H * NM
    x = g.grid.lateral_coords(0)
    x = x if dim == 2 else x[:, None] * np.ones(g.grid.lateral_shape[1])
    # field (beyond the spacer foot) and line top (away from its edges)
    flat = (np.abs(x) >= 100 * NM + 50 * NM + 2 * h) | (np.abs(x) <= 100 * NM - 2 * h)
    si0 = M.column_heights(g0, 0)[flat]
    assert np.abs(M.column_heights(g, -1)[flat] - si0).max() <= 0.1 * h
    assert np.abs(M.column_heights(g, 0)[flat] - si0).max() <= 0.1 * h
    assert m["film_field_m"] == 0.0 and m["film_bottom_m"] == 0.0
    assert m["below_resolution"] == []
    # the spacers stay: 50 nm on the wall, and on both walls their foot (within the
    # 40 nm next to the wall) rises at least 150 of the line's 200 nm above the field
    assert m["film_sidewall_left_m"] / NM == pytest.approx(50.0, abs=0.5 * H)
    foot = (np.abs(x) > 100 * NM) & (np.abs(x) < 140 * NM)
    spacer = (M.column_heights(g, -1) - M.column_heights(g, 0))[foot]
    assert spacer.size >= 4 and spacer.min() > 150 * NM
    assert m["etch_depth_m"] / NM == pytest.approx(200.0, abs=0.1 * H)


@pytest.mark.parametrize("model", ["directional", "isotropic"])
def test_film_etched_through_is_gone(model):
    """50 nm SiO2 on Si, 20 % over-etch: the top is the Si surface (z = 0) within
    0.1 h everywhere and the SiO2 left is nothing (its area < 0.01 h per width)."""
    g0, g, m = _run(_spacer_recipe(2, line=False, etch_model=model))
    h = H * NM
    assert np.abs(M.column_heights(g, -1)).max() <= 0.1 * h
    assert np.abs(M.column_heights(g, 0)).max() <= 0.1 * h
    assert m["film_field_m"] == 0.0 and m["below_resolution"] == []
    assert m["amounts_m2"]["SiO2"] < 0.01 * h * g.grid.extent[0]


def _film(h=H * NM):
    grid = Grid(dimension=2, spacing=h, extent=(200 * NM,))
    return layer_stack(grid, "Si", [("SiO2", 50 * NM)])


@dataclasses.dataclass(frozen=True)
class _NoHold:
    """The same model without ``held_layers`` (the engine before the rule)."""

    inner: object

    def __getattr__(self, name):
        if name == "held_layers":
            raise AttributeError(name)
        return getattr(self.inner, name)


def test_results_are_bit_identical_until_the_interface_is_reached():
    rate = 50 * NM / 60
    model = DirectionalVelocity(layer_speed=np.array([0.0, -rate]))
    ctx = RunContext(seed=1, threads=1)
    a, _ = advance(_film(), model, 36.0, ctx, kind="etch")      # 30 of 50 nm
    b, _ = advance(_film(), _NoHold(model), 36.0, ctx, kind="etch")
    assert np.array_equal(a.phi, b.phi)
    # ... and past it the old engine leaves a residue the rule removes
    a, _ = advance(_film(), model, 72.0, ctx, kind="etch")
    b, _ = advance(_film(), _NoHold(model), 72.0, ctx, kind="etch")
    assert np.abs(M.column_heights(a, -1)).max() <= 0.1 * H * NM
    assert M.column_heights(b, -1).max() > 0.1 * H * NM


def test_held_block_counts_unetched_layers_from_the_bottom():
    iso = IsotropicVelocity(layer_speed=np.array([0.0, 0.0, -1.0, 0.0]))
    assert held_block(iso, iso.layer_speed, 4, "etch") == 2
    assert held_block(iso, iso.layer_speed, 4, "deposit") == 0
    etched_bottom = IsotropicVelocity(layer_speed=np.array([-1.0, 0.0, -1.0]))
    assert held_block(etched_bottom, etched_bottom.layer_speed, 3, "etch") == 0
    all_held = IsotropicVelocity(layer_speed=np.zeros(3))
    assert held_block(all_held, all_held.layer_speed, 3, "etch") == 2
    assert held_block(object(), None, 3, "etch") == 0


# --------------------------------------------------------------------------- flux models
def _flux_film_recipe(substrate: str, film: str, etch: dict) -> dict:
    """50 nm of ``film`` (isotropic deposit) on ``substrate``, then ``etch``."""
    return {"name": "stop", "seed": 1,
            "grid": {"dimension": 2, "spacing": f"{H} nm", "extent": ["200 nm"]},
            "structure": {"substrate": {"material": substrate}},
            "steps": [{"deposit": {"model": "isotropic", "material": film,
                                   "rate": "50 nm/min", "time": "1 min"}},
                      {"etch": etch}]}


_SP_ETCH = {"model": "single_particle", "rates": {"SiO2": "50 nm/min"}, "sticking": 1.0,
            "rays_per_point": 50}


def _sf6o2_etch(over: float) -> dict:
    """sf6o2 (defaults, few rays) for ``over`` × the time to clear 50 nm of flat Si."""
    from waferlab.feature.etch_models import SF6O2Spec
    tt = SF6O2Spec(model="sf6o2").build(kind="etch", materials=("SiO2", "Si"), target=None)
    t = over * 50 * NM / abs(tt.model.flat_speed("Si"))
    return {"model": "sf6o2", "rays_per_point": 20, "time": f"{t!r} s"}


@pytest.mark.parametrize("case", ["single_particle", "sf6o2"])
def test_flux_etch_of_a_film_stops_on_the_layer_it_does_not_etch(case):
    """single_particle with ``rates: {SiO2}`` through 50 nm SiO2 on Si, and sf6o2
    (etches Si only) through 50 nm Si on SiO2, both with 20 % over-etch at h = 20 nm:
    the top ends on the stop layer's surface (z = 0) within 0.1 h, the stop layer is
    untouched and no film is left.  Before the rule reached the flux models the front
    stopped above the interface: 2.2–9.5 nm of SiO2 (single_particle), 3.6–9.9 nm of
    Si (sf6o2)."""
    if case == "single_particle":
        data, film = _flux_film_recipe("Si", "SiO2", {**_SP_ETCH, "time": "1.2 min"}), "SiO2"
    else:
        data, film = _flux_film_recipe("SiO2", "Si", _sf6o2_etch(1.2)), "Si"
    g0, g, m = _run(data)
    h = H * NM
    assert np.abs(M.column_heights(g, -1)).max() <= 0.1 * h
    assert np.abs(M.column_heights(g, 0)).max() <= 0.1 * h
    assert m["film_field_m"] == 0.0 and m["below_resolution"] == []
    assert m["amounts_m2"][film] < 0.01 * h * g.grid.extent[0]


@pytest.mark.parametrize("case", ["single_particle", "sf6o2"])
def test_flux_etch_is_bit_identical_until_the_interface_is_reached(case, monkeypatch):
    """Half-way through the film (no held interface reached) the flux models give the
    same φ with and without the held block (``TracedTransport.held_layers`` → none)."""
    from waferlab.feature.flux.transport import TracedTransport
    if case == "single_particle":
        data = _flux_film_recipe("Si", "SiO2", {**_SP_ETCH, "time": "0.5 min"})
    else:
        data = _flux_film_recipe("SiO2", "Si", _sf6o2_etch(0.5))
    _, a, _ = _run(data)
    monkeypatch.setattr(TracedTransport, "held_layers",
                        lambda self, state, n: np.zeros(n, bool))
    _, b, _ = _run(data)
    assert np.array_equal(a.phi, b.phi)
    # the film is still there (the comparison is not vacuous): 20-30 nm of 50 nm left
    assert 0.4 * 50 * NM < M.column_heights(a, -1).min() < 0.6 * 50 * NM


def test_flux_models_hold_the_layers_they_do_not_etch():
    from waferlab.feature.etch_models import SF6O2Spec
    from waferlab.feature.flux.models import SingleParticleSpec
    mats = ("Si", "SiO2", "Mask")
    sf = SF6O2Spec(model="sf6o2").build(kind="etch", materials=mats, target=None)
    assert sf.held_layers(None, 3).tolist() == [False, True, False]   # Mask erodes
    assert held_block(sf, None, 3, "etch") == 0                       # Si substrate etched
    sp = SingleParticleSpec(model="single_particle", rates={"SiO2": "1 nm/s"}).build(
        kind="etch", materials=mats, target=None)
    assert sp.held_layers(None, 3).tolist() == [True, False, True]
    assert held_block(sp, None, 3, "etch") == 1
    dep = SingleParticleSpec(model="single_particle", rate="1 nm/s").build(
        kind="deposit", materials=mats, target="SiO2")
    assert not dep.held_layers(None, 3).any()
