"""The ``cycle`` step, merged deposit layers, and a runner whose work per step does not
grow with the number of steps done."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.errors import RecipeError
from waferlab.feature import builders as B
from waferlab.feature.grid import Grid
from waferlab.recipe import recipe_from_dict
from waferlab.runner import run_recipe

DEP = {"deposit": {"model": "isotropic", "material": "SiO2", "rate": "0.1 um/min",
                   "time": "3 s"}}
ETCH = {"etch": {"model": "directional", "rates": {"Si": "1 um/min", "SiO2": "0.5 um/min"},
                 "direction": [0, -1], "time": "2 s"}}
BASE = {"name": "cyc", "seed": 4,
        "grid": {"dimension": 2, "spacing": "0.05 um", "extent": ["1 um"]},
        "structure": {"substrate": {"material": "Si"},
                      "feature": {"type": "trench", "width": "0.4 um", "depth": "0.3 um"}},
        "output": {"vtk": False, "plot": False}}


def _recipe(steps, **kw):
    return recipe_from_dict(dict(BASE, steps=steps, **kw))


def test_cycle_unrolls_into_leaf_steps_and_round_trips():
    r = _recipe([DEP, {"cycle": {"repeat": 3, "steps": [ETCH, {"cycle": {"repeat": 2,
                                                                        "steps": [DEP]}}]}}])
    kinds = [s.kind for s in r.leaf_steps]
    assert kinds == ["deposit"] + ["etch", "deposit", "deposit"] * 3
    assert r.steps[1].time == pytest.approx(3 * (2 + 2 * 3))
    again = recipe_from_dict(r.resolved())
    assert [s.to_dict() for s in again.leaf_steps] == [s.to_dict() for s in r.leaf_steps]


def test_cycle_runs_exactly_like_the_unrolled_list():
    cyc = _recipe([{"cycle": {"repeat": 3, "steps": [DEP, ETCH]}}])
    flat = _recipe([DEP, ETCH] * 3)
    a = run_recipe(cyc, RunContext(seed=4, threads=1))
    b = run_recipe(flat, RunContext(seed=4, threads=1))
    for k in a:
        if k != "wall_time_s":
            assert a[k] == b[k], k
    assert a["process_steps"] == 6


@pytest.mark.parametrize("body, path, words", [
    ({"repeat": 2}, "steps[0].cycle.steps", "required but missing"),
    ({"repeat": 2, "steps": []}, "steps[0].cycle.steps", "at least 1"),
    ({"repeat": 0, "steps": [DEP]}, "steps[0].cycle.repeat", "greater than or equal to 1"),
    ({"repeat": 2.5, "steps": [DEP]}, "steps[0].cycle.repeat", "integer"),
    ({"repeat": 2, "steps": [DEP], "times": 3}, "steps[0].cycle.times", ""),
    ({"repeat": 2, "steps": [{"deposit": {"model": "isotropic", "material": "SiO2",
                                          "rate": "1 nm/min", "time": "-1 s"}}]},
     "steps[0].cycle.steps[0].deposit.time", "greater than 0"),
    ({"repeat": 2, "steps": [{"bake": {}}]}, "steps[0].cycle.steps[0]", "unknown step kind"),
    ({"repeat": 10**7, "steps": [DEP]}, "steps[0].cycle.repeat", "more than"),
])
def test_malformed_cycles_name_the_field(body, path, words):
    with pytest.raises(RecipeError) as exc:
        _recipe([{"cycle": body}])
    assert str(exc.value).startswith(f"{path}: ")
    assert words in str(exc.value)


def test_merged_layers_keep_the_material_map():
    g = Grid(dimension=2, spacing=0.1, extent=(4.0,))
    geo = B.cut_feature(B.plane(g, "Si"), "trench", width=2.0, depth=1.0)
    rng = np.random.default_rng(0)
    geo = geo.with_new_top("SiO2")
    phi = geo.phi.copy()
    phi[-1] -= 0.25                      # the oxide grows 0.25 everywhere
    geo = geo.replace(phi=phi).with_new_top("SiO2")
    phi = geo.phi.copy()
    phi[-1] -= 0.3
    geo = geo.replace(phi=phi)
    merged = geo.merged()
    assert merged.materials == ("Si", "SiO2") and geo.materials == ("Si", "SiO2", "SiO2")
    pts = np.column_stack([rng.uniform(-2, 2, 4000), rng.uniform(-1.5, 1.0, 4000)])
    names = np.array(geo.materials + ("vacuum",))
    mnames = np.array(merged.materials + ("vacuum",))
    a = names[geo.material_index_at(pts, tol=0.0)]
    b = mnames[merged.material_index_at(pts, tol=0.0)]
    assert np.array_equal(a, b)
    assert (a == "SiO2").sum() > 100          # the test sees oxide points


def test_deposits_of_one_material_share_one_layer():
    """N deposit steps of one material keep two layers (substrate + film): the engine's
    work per step does not grow with the steps done; the film is the sum of the steps."""
    r = _recipe([{"cycle": {"repeat": 12, "steps": [DEP]}}])
    from waferlab.runner import initial_wafer

    wafer = initial_wafer(r)
    for k, step in enumerate(r.leaf_steps):
        wafer = step.apply(wafer, RunContext(seed=k, threads=1))
        assert wafer.geometry.n_layers == 2, k
    m = run_recipe(r, RunContext(seed=1, threads=1))
    assert m["film_field_m"] == pytest.approx(12 * 5e-9, abs=0.25 * 0.05e-6)
    assert r.steps[0].materials_after(("Si",)) == ("Si", "SiO2")


def test_checkpoints_follow_the_wall_clock_not_the_steps(tmp_path, monkeypatch):
    """With the default interval a run of many short steps writes one checkpoint (at the
    end) and log.txt still holds every line."""
    import waferlab.runner as runner_mod

    calls = []
    real = runner_mod.save_checkpoint

    def counting(*a, **k):
        calls.append(k["next_step"])
        real(*a, **k)

    monkeypatch.setattr(runner_mod, "save_checkpoint", counting)
    r = _recipe([{"cycle": {"repeat": 20, "steps": [DEP]}}])
    run_recipe(r, RunContext(seed=1, threads=1, out_dir=tmp_path))
    assert calls == [20]
    log = (tmp_path / "log.txt").read_text().splitlines()
    assert sum(" step " in line and "deposit SiO2" in line for line in log) == 20
    assert "done in" in log[-1]


def test_resume_inside_a_cycle_is_exact(tmp_path, stop_then_resume):
    """Killed at the checkpoint after leaf step 3 of a cycle, the resumed run ends with the
    metrics of the uninterrupted one."""
    r = _recipe([{"cycle": {"repeat": 3, "steps": [DEP, ETCH]}}],
                output={"checkpoint_interval": "1e-9 s", "vtk": False, "plot": False})
    ref = run_recipe(r, RunContext(seed=2, threads=1, out_dir=tmp_path / "ref"))
    ctx = RunContext(seed=2, threads=1, out_dir=tmp_path / "cut")
    got = stop_then_resume(r, ctx, lambda next_step, step_time, wafer: next_step == 3 and step_time == 0)
    assert "resumed from checkpoint: step 4" in (tmp_path / "cut" / "log.txt").read_text()
    for k in ref:
        if k != "wall_time_s":
            assert got[k] == ref[k], k


def test_many_steps_do_not_inflate_the_memory_estimate():
    r = _recipe([{"cycle": {"repeat": 5000, "steps": [DEP]}}])
    assert len(r.leaf_steps) == 5000
    from waferlab.recipe import BASE_BYTES, memory_estimate_bytes

    assert memory_estimate_bytes(r.spec, 3) - BASE_BYTES < 1e8      # the level sets alone
