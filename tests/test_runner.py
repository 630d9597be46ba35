"""`waferlab run`: outputs, reproducibility, and resume after SIGKILL."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from waferlab.cli import main
from waferlab.context import RunContext
from waferlab.recipe import load_recipe, recipe_from_dict
from waferlab.runner import run_recipe
from small_recipes import small_trench

SMALL = small_trench("small-trench", seed=3, isotropic_etch="0.5 min")


def _write(tmp_path: Path, data: dict, name: str = "r.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data))
    return p


def test_run_writes_every_output(tmp_path):
    recipe = _write(tmp_path, SMALL)
    out = tmp_path / "out"
    assert main(["run", str(recipe), "--out", str(out), "--quiet"]) == 0
    for f in ("recipe.yaml", "metrics.json", "profile.csv", "final_surface.vtu", "final.vtu", "report.html",
              "profile.png", "log.txt", "checkpoint.npz"):
        assert (out / f).is_file(), f
    # the resolved recipe is SI and loads again
    again = load_recipe(out / "recipe.yaml")
    assert again.spec.grid.spacing == pytest.approx(0.05e-6)
    header = (out / "profile.csv").read_text().splitlines()[0]
    assert header == "segment,x,y"
    m = json.loads((out / "metrics.json").read_text())
    assert m["process_steps"] == 3 and m["time_steps"] > 0
    # directional etch of 0.5 um then 0.1 um isotropic: Si bottom 0.6 um below the
    # mask/Si interface (the 0.05 um oxide liner on it does not count), 0.2 um mask left
    assert m["etched_layer"] == "Si" and m["mask_material"] == "Mask"
    assert m["etch_depth_m"] == pytest.approx(0.6e-6, abs=0.5 * 0.05e-6)
    assert m["mask_remaining_m"] == pytest.approx(0.2e-6, abs=0.5 * 0.05e-6)
    assert m["film_bottom_m"] == pytest.approx(0.05e-6, abs=0.5 * 0.05e-6)
    assert m["film_field_m"] == pytest.approx(0.05e-6, abs=0.5 * 0.05e-6)
    # no temporary files left behind (atomic writes)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_same_seed_same_result_3d(tmp_path):
    data = {"name": "hole", "seed": 1,
            "grid": {"dimension": 3, "spacing": "0.1 um", "extent": ["1.2 um", "1.2 um"]},
            "structure": {"substrate": {"material": "Si"},
                          "feature": {"type": "hole", "radius": "0.3 um", "depth": "0.6 um"}},
            "steps": [{"deposit": {"model": "single_particle", "material": "SiO2",
                                   "rate": "0.1 um/min", "sticking": 0.5, "rays_per_point": 30,
                                   "time": "0.5 min"}}]}
    r = recipe_from_dict(data)
    a = run_recipe(r, RunContext(seed=5, threads=1))
    b = run_recipe(r, RunContext(seed=5, threads=2))
    for k in a:
        if k != "wall_time_s":
            assert a[k] == b[k], k


def _metrics(out: Path) -> dict:
    m = json.loads((out / "metrics.json").read_text())
    m.pop("wall_time_s")
    return m


def test_sigkill_then_resume_gives_the_same_metrics(tmp_path, kill_then_resume):
    data = dict(SMALL, output={"checkpoint_interval": "0.2 s"})
    data["steps"] = SMALL["steps"] * 3
    recipe = _write(tmp_path, data)
    ref, cut = tmp_path / "ref", tmp_path / "cut"
    cmd = [sys.executable, "-m", "waferlab", "run", str(recipe), "--quiet", "--threads", "1"]
    kill_then_resume(cmd, ref, cut, "metrics.json", wait_s=120, timeout_s=300)
    assert _metrics(cut) == _metrics(ref)


class _Killed(Exception):
    pass


def _cut_and_resume(r, tmp_path, monkeypatch):
    """Run r uninterrupted; run it again, killed right after the first checkpoint taken
    inside step 1; resume.  Returns (reference metrics, resumed metrics, the killed
    checkpoint's (step_time, wafer fields))."""
    import waferlab.runner as runner_mod

    ref = run_recipe(r, RunContext(seed=2, threads=1, out_dir=tmp_path / "ref"))
    real = runner_mod.save_checkpoint
    seen = []

    def killing_save(path, wafer, *, next_step, step_time, **kw):
        real(path, wafer, next_step=next_step, step_time=step_time, **kw)
        if step_time > 0 and next_step == 0:
            seen.append((step_time, dict(wafer.fields)))
            raise _Killed

    monkeypatch.setattr(runner_mod, "save_checkpoint", killing_save)
    ctx = RunContext(seed=2, threads=1, out_dir=tmp_path / "cut")
    with pytest.raises(_Killed):
        run_recipe(r, ctx)
    monkeypatch.setattr(runner_mod, "save_checkpoint", real)
    got = run_recipe(r, ctx, resume=True)
    assert seen
    for k in ref:
        if k not in ("wall_time_s",):
            assert got[k] == ref[k], k
    return ref, got, seen[0]


def test_mid_step_checkpoint_resumes_exactly(tmp_path, monkeypatch):
    """Interrupt right after the first checkpoint taken inside a step; resume; compare."""
    r = recipe_from_dict(dict(SMALL, output={"checkpoint_interval": "1e-9 s"}))
    _, _, (t_cut, _) = _cut_and_resume(r, tmp_path, monkeypatch)
    assert 0 < t_cut < r.steps[0].time


def test_lagged_coverages_resume_exactly(tmp_path, monkeypatch):
    """A stateful model (sf6o2 with ``lagged_coverages``: each time step's neutral sticking
    uses the previous step's coverages) keeps that state in the mid-step checkpoint, so
    an interrupted run resumes to the same metrics as an uninterrupted one."""
    import waferlab.runner as runner_mod

    data = dict(SMALL, output={"checkpoint_interval": "1e-9 s"},
                steps=[{"etch": {"model": "sf6o2", "rays_per_point": 30,
                                 "lagged_coverages": True, "coverage_iterations": 1,
                                 "time": "0.03 min"}}])
    ref, _, (_, fields) = _cut_and_resume(recipe_from_dict(data), tmp_path, monkeypatch)
    assert ref["time_steps"] >= 3
    carried = fields.get(runner_mod.CARRY_FIELD)
    assert carried is not None and len(carried["theta_etchant"]) > 0


def test_long_run_writes_progress_lines_to_the_log(tmp_path, monkeypatch):
    """Every PROGRESS_INTERVAL of wall time a run adds a progress line to log.txt (step,
    simulated time, time steps, wall time, time left); interval 0: one per time step."""
    import waferlab.runner as runner_mod

    monkeypatch.setattr(runner_mod, "PROGRESS_INTERVAL", 0.0)
    data = small_trench("progress", seed=3, deposit=None, quiet=True)
    out = tmp_path / "out"
    m = run_recipe(recipe_from_dict(data), RunContext(seed=3, threads=1, out_dir=out))
    lines = [ln for ln in (out / "log.txt").read_text().splitlines() if " progress: " in ln]
    assert len(lines) == m["time_steps"]
    assert "step 1/1, t = " in lines[0] and "s left" in lines[0]
    assert "(100.0 %)" in lines[-1] and f"{m['time_steps']} time steps" in lines[-1]


def test_the_step_frees_its_input_volume(monkeypatch):
    """The runner hands the input wafer to the step (#18): once the engine has copied the
    input φ, nothing else holds it, so its memory is free during the step.  The probe
    records, at the engine's first band rebuild of each step, whether the input φ still
    lives.  In 2D the first step's input is the initial wafer, which the metrics keep;
    every later input (the previous step's output) must be gone."""
    import weakref

    from waferlab.feature import advect

    alive: list[bool] = []
    init, rebuild = advect._Work.__init__, advect._Work.rebuild

    def probe_init(self, geo, *a, **k):
        init(self, geo, *a, **k)
        self._probe = weakref.ref(geo.phi)

    def probe_rebuild(self, *a, **k):
        if hasattr(self, "_probe"):
            alive.append(self._probe() is not None)
            del self._probe
        return rebuild(self, *a, **k)

    monkeypatch.setattr(advect._Work, "__init__", probe_init)
    monkeypatch.setattr(advect._Work, "rebuild", probe_rebuild)
    r = recipe_from_dict(small_trench("hand-over", seed=3, isotropic_etch="0.2 min",
                                      deposit="0.2 min", quiet=True))
    run_recipe(r, RunContext(seed=3, threads=1))
    assert alive == [True, False, False]


def test_scallop_metrics_only_for_cyclic_etches():
    """A run with one etch step reports no scallop keys (docs/metrics.md); a ``cycle``
    of etches does, and the plain run's other metrics are those run_metrics gives with
    them."""
    from waferlab.feature.metrics import run_metrics
    from waferlab.runner import collect_metrics, execute_recipe, is_cyclic

    plain = recipe_from_dict(small_trench("plain", seed=3, deposit=None, quiet=True))
    assert not is_cyclic(plain)
    o = execute_recipe(plain, RunContext(seed=3, threads=1))
    assert not any(k.startswith("scallop") for k in o.metrics)
    both = run_metrics(o.initial.geometry, o.wafer.geometry, with_scallops=True)
    assert both["scallop_count"] == 0          # a straight directional wall
    m = collect_metrics(plain, o.initial, o.wafer)
    assert m == {k: v for k, v in both.items() if not k.startswith("scallop")} | {
        "amounts_m2": m["amounts_m2"]}
    data = small_trench("cyc", seed=3, deposit=None, quiet=True)
    data["steps"] = [{"cycle": {"repeat": 2, "steps": data["steps"]}}]
    cyc = recipe_from_dict(data)
    assert is_cyclic(cyc)
    assert collect_metrics(cyc, o.initial, o.wafer)["scallop_count"] == 0
