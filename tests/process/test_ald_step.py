"""The ``ald`` step: recipe validation, conformal saturated growth, thin bottoms when
under-dosed, exact resume inside the step."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.errors import RecipeError
from waferlab.feature import metrics as fm
from waferlab.recipe import recipe_from_dict
from waferlab.runner import initial_wafer, run_recipe

ALD = {"material": "Al2O3", "cycles": 20, "growth_per_cycle": "2 nm", "temperature": "250 degC",
       "rays_per_point": 40, "dose_step": 0.2,
       "precursor": {"sticking": 0.01, "exposure": "0.1 Torr*s", "mass": "144 amu",
                     "site_density": "4e14 cm^-2"}}


def _data(ald=ALD, *, width="0.2 um", depth="1 um", h="0.02 um", extent="0.6 um", **kw):
    return dict({"name": "ald", "seed": 1, "materials": ["Al2O3"],
                 "grid": {"dimension": 2, "spacing": h, "extent": [extent]},
                 "structure": {"substrate": {"material": "Si"},
                               "feature": {"type": "trench", "width": width, "depth": depth}},
                 "output": {"vtk": False, "plot": False},
                 "steps": [{"ald": ald}]}, **kw)


def _with(change):
    a = copy.deepcopy(ALD)
    change(a)
    return a


@pytest.mark.parametrize("change, path, words", [
    (lambda a: a["precursor"].update(sticking=0), "steps[0].ald.precursor.sticking", "greater than 0"),
    (lambda a: a["precursor"].update(sticking=1.5), "steps[0].ald.precursor.sticking", "less than or equal to 1"),
    (lambda a: a["precursor"].update(exposure="-0.1 Torr*s"), "steps[0].ald.precursor.exposure", "greater than 0"),
    (lambda a: a["precursor"].update(exposure="0.1 Torr"), "steps[0].ald.precursor.exposure", "is a pressure"),
    (lambda a: a.update(cycles=0), "steps[0].ald.cycles", "greater than or equal to 1"),
    (lambda a: a.update(growth_per_cycle="-1 nm"), "steps[0].ald.growth_per_cycle", "greater than 0"),
    (lambda a: a.update(coreactant={"sticking": 2, "exposure": "1 Torr*s", "mass": "18 amu",
                                    "site_density": "4e14 cm^-2"}),
     "steps[0].ald.coreactant.sticking", "less than or equal to 1"),
    (lambda a: a.update(purge={"time": "-1 s"}), "steps[0].ald.purge.time", "greater than or equal to 0"),
    (lambda a: a["precursor"].pop("mass"), "steps[0].ald.precursor.mass", "required"),
    (lambda a: a.update(material="Unobtainium"), "steps[0].ald.material", "unknown material"),
    (lambda a: a.update(sticking=0.5), "steps[0].ald.sticking", "unknown key"),
    (lambda a: a.update(dose_tolerance=0), "steps[0].ald.dose_tolerance", "greater than 0"),
    (lambda a: a.update(dose_step=0), "steps[0].ald.dose_step", "greater than 0"),
])
def test_malformed_ald_settings_name_the_field(change, path, words):
    with pytest.raises(RecipeError) as exc:
        recipe_from_dict(_data(_with(change)))
    assert str(exc.value).startswith(f"{path}: ") and words in str(exc.value), str(exc.value)


def test_resolved_recipe_round_trips_and_times_add_up():
    a = _with(lambda a: a.update(purge={"time": "2 s"},
                                 coreactant={"sticking": 0.1, "exposure": "0.05 Torr*s",
                                             "mass": "18 amu", "site_density": "4e14 cm^-2",
                                             "pulse": "0.2 s"}))
    r = recipe_from_dict(_data(a))
    step = r.steps[0]
    assert step.cycle_time == pytest.approx(0.1 + 2 + 0.2 + 2)
    assert step.time == pytest.approx(20 * 4.3)
    again = recipe_from_dict(r.resolved()).steps[0]
    assert again.to_dict() == step.to_dict()
    p, c = again.reactants()
    assert c.sticking == 0.1
    assert c.dose / p.dose == pytest.approx(0.5 * np.sqrt(144 / 18), rel=1e-9)   # p t / √m


def _thickness(geometry, x, material="Al2O3"):
    """Vertical thickness of the film at lateral x, resolved to h/200."""
    h = geometry.grid.spacing
    return fm.thickness_along(geometry, np.array([x, geometry.z_range[1]]), np.array([0.0, -1.0]),
                              material, step=h / 200)


def test_saturated_cycles_coat_a_trench_conformally():
    """Saturating doses (s D / S ≈ 320 on the field) coat an aspect-ratio-5 trench with
    cycles × growth per cycle everywhere (bottom/top ≥ 0.98, top within 1 %)."""
    r = recipe_from_dict(_data())
    w = r.steps[0].apply(initial_wafer(r), RunContext(seed=3, threads=1))
    top, bottom = _thickness(w.geometry, -0.25e-6), _thickness(w.geometry, 0.0)
    assert top == pytest.approx(20 * 2e-9, rel=0.01)
    assert bottom / top >= 0.98
    assert w.geometry.materials == ("Si", "Al2O3")


def test_under_dosed_cycles_leave_the_bottom_thin():
    """A reactive precursor (s = 0.5) dosed for about the open field only covers the top
    of a deep trench: full growth on the field, little at the bottom."""
    a = _with(lambda a: a["precursor"].update(sticking=0.5, exposure="4e-5 Torr*s"))
    r = recipe_from_dict(_data(a, depth="2 um"))
    w = r.steps[0].apply(initial_wafer(r), RunContext(seed=3, threads=1))
    top, bottom = _thickness(w.geometry, -0.25e-6), _thickness(w.geometry, 0.0)
    assert top == pytest.approx(20 * 2e-9, rel=0.02)
    assert bottom < 0.5 * top


def test_resume_inside_an_ald_step_is_exact(tmp_path, monkeypatch):
    """Killed at the first checkpoint inside the step (a block boundary), the resumed run
    ends with the uninterrupted run's metrics."""
    import waferlab.runner as runner_mod

    a = _with(lambda a: a.update(cycles=30, film_per_update=0.5))
    r = recipe_from_dict(_data(a, output={"checkpoint_interval": "1e-9 s", "vtk": False,
                                          "plot": False}))
    ref = run_recipe(r, RunContext(seed=2, threads=1, out_dir=tmp_path / "ref"))
    real = runner_mod.save_checkpoint
    seen = []

    class Killed(Exception):
        pass

    def killing(path, wafer, *, next_step, step_time, **kw):
        real(path, wafer, next_step=next_step, step_time=step_time, **kw)
        if next_step == 0 and step_time > 0:
            seen.append(step_time)
            raise Killed

    monkeypatch.setattr(runner_mod, "save_checkpoint", killing)
    ctx = RunContext(seed=2, threads=1, out_dir=tmp_path / "cut")
    with pytest.raises(Killed):
        run_recipe(r, ctx)
    monkeypatch.setattr(runner_mod, "save_checkpoint", real)
    got = run_recipe(r, ctx, resume=True)
    assert 0 < seen[0] < r.steps[0].time
    for k in ref:
        if k != "wall_time_s":
            assert got[k] == ref[k], k


SATURATED = _with(lambda a: a.update(cycles=40, film_per_update=4, dose_step=None))  # default


def _unfolded_thickness(r, geometry, field):
    from waferlab.runner import _unfolded

    g = _unfolded(r, geometry)
    h = g.grid.spacing
    d = np.zeros(g.grid.dimension)
    d[-1] = -1.0

    def at(*xy):
        return fm.thickness_along(g, np.array([*xy, g.z_range[1]]), d, "Al2O3", step=h / 200)
    return at(*field), at(*([0.0] * (g.grid.dimension - 1)))


@pytest.mark.slow
def test_saturated_cycles_coat_an_aspect_ratio_20_trench():
    """Issue #16 acceptance: bottom/top >= 0.98, top = cycles x growth within 1 %."""
    r = recipe_from_dict(_data(SATURATED, width="0.4 um", depth="8 um", h="0.04 um",
                               extent="1.2 um"))
    w = r.steps[0].apply(initial_wafer(r), RunContext(seed=3, threads=2))
    top, bottom = _unfolded_thickness(r, w.geometry, (-0.55e-6,))
    assert top == pytest.approx(40 * 2e-9, rel=0.01)
    assert bottom / top >= 0.98


@pytest.mark.slow
def test_saturated_cycles_coat_an_aspect_ratio_10_hole():
    """Issue #16 acceptance in 3D (quarter domain of a hole r = 0.2 µm, 4 µm deep)."""
    data = _data(SATURATED)
    data["grid"] = {"dimension": 3, "spacing": "0.04 um", "extent": ["0.36 um", "0.36 um"]}
    data["structure"]["feature"] = {"type": "hole", "radius": "0.2 um", "depth": "4 um",
                                    "symmetry": "quarter"}
    r = recipe_from_dict(data)
    w = r.steps[0].apply(initial_wafer(r), RunContext(seed=3, threads=2))
    top, bottom = _unfolded_thickness(r, w.geometry, (-0.34e-6, -0.34e-6))
    assert top == pytest.approx(40 * 2e-9, rel=0.01)
    assert bottom / top >= 0.98
