"""The Bosch process: ``sf6c4f8`` etch sub-steps in a ``cycle`` with a polymer deposit;
the scallop metrics (``feature.metrics.scallops``)."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.errors import RecipeError
from waferlab.feature.builders import plane
from waferlab.feature.grid import Grid
from waferlab.feature.metrics import center_cut, scallops
from waferlab.recipe import recipe_from_dict
from waferlab.runner import collect_metrics, initial_wafer

sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
from bench_bosch import recipe as bosch_recipe  # noqa: E402

NM = 1e-9


def _scalloped(n: int, period: float, amp: float, h: float = 5 * NM, w0: float = 300 * NM):
    """Si with a cavity of half-width w0/2 + amp·sin²(π(z_top − z)/period), n periods deep."""
    g = Grid(dimension=2, spacing=h, extent=(1.0e-6,), boundary="reflective")
    geo = plane(g, "Si", 0.0).with_window(-(n * period + 200 * NM), 100 * NM)
    x = g.lateral_coords(0)[:, None]
    z = geo.z_coords[None, :]
    z_top, z_bot = 0.0, -n * period
    hw = 0.5 * w0 + amp * np.sin(np.pi * (z_top - z) / period) ** 2
    cavity = np.minimum(hw - np.abs(x), z - z_bot)
    phi = np.maximum(z - z_top, cavity)
    return geo.replace(phi=phi[None].copy()), z_top, z_bot


@pytest.mark.parametrize("n, period_nm, amp_nm", [(4, 100.0, 20.0), (7, 60.0, 10.0), (1, 200.0, 30.0)])
def test_scallop_metrics_on_a_drawn_sidewall(n, period_nm, amp_nm):
    geo, z_top, z_bot = _scalloped(n, period_nm * NM, amp_nm * NM)
    s = scallops(center_cut(geo), 0, 0.0, z_top, z_bot)
    h = geo.grid.spacing
    assert s["scallop_count"] == n
    if n >= 2:
        assert s["scallop_period_m"] == pytest.approx(period_nm * NM, abs=0.25 * h)
        assert s["scallop_depth_m"] == pytest.approx(amp_nm * NM, abs=0.25 * h)
    else:
        assert s["scallop_period_m"] is None and s["scallop_depth_m"] is None


def test_a_straight_wall_has_no_scallops():
    geo, z_top, z_bot = _scalloped(3, 100 * NM, 0.0)
    assert scallops(center_cut(geo), 0, 0.0, z_top, z_bot)["scallop_count"] == 0


@pytest.mark.parametrize("change, path", [
    ({"polymer": "Mask"}, "polymer"),
    ({"etched": ["Nope"]}, "etched"),
    ({"etchant_sticking": {"Si": 2.0}}, "etchant_sticking.Si"),
])
def test_sf6c4f8_bad_input(change, path):
    data = bosch_recipe(20.0, cycles=1)
    etch = data["steps"][0]["cycle"]["steps"][1]["etch"]
    etch.pop("masks", None)
    etch.update(change)
    if path == "polymer":
        etch["masks"] = {"Mask": {"A": 0.01, "threshold": "20 eV", "density": "5e24 cm^-3"}}
    with pytest.raises(RecipeError) as e:
        recipe_from_dict(data)
    assert str(e.value).startswith(f"steps[0].cycle.steps[1].etch.{path}")


def test_a_cycle_without_steps_is_a_recipe_error():
    data = bosch_recipe(20.0)
    data["steps"][0]["cycle"]["steps"] = []
    with pytest.raises(RecipeError) as e:
        recipe_from_dict(data)
    assert str(e.value).startswith("steps[0].cycle.steps")


def _run(data):
    r = recipe_from_dict(data)
    ctx = RunContext(seed=1, threads=1)
    w0 = w = initial_wafer(r)
    for s in r.leaf_steps:
        w = s.apply(w, ctx, start=None, on_step=None)
    return collect_metrics(r, w0, w)


@pytest.mark.slow
@pytest.mark.parametrize("cycles", [2, 4])
def test_n_cycles_leave_n_scallops(cycles):
    m = _run(bosch_recipe(10.0, cycles=cycles, rays=100))
    assert m["etched_layer"] == "Si"
    assert m["scallop_count"] == cycles
    assert m["scallop_depth_m"] > 10 * NM
    # the polymer stays on the walls, not on the floor
    assert m["film_sidewall_left_Polymer_m"] > 10 * NM


@pytest.mark.slow
def test_doubling_the_etch_time_doubles_the_scallop_period():
    p1 = _run(bosch_recipe(10.0, t_etch=0.75, cycles=3, rays=100))["scallop_period_m"]
    p2 = _run(bosch_recipe(10.0, t_etch=1.5, cycles=3, rays=100))["scallop_period_m"]
    assert p2 / p1 == pytest.approx(2.0, rel=0.10)
