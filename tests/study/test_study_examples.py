"""examples/study-deposition.yaml runs (with small settings) through the real runner."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from waferlab.study import load_study, run_study
from waferlab.study.cases import coarse_example as small
from waferlab.study.cases import profile_fit_study

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "study-deposition.yaml"


def test_example_loads_with_base_relative_to_the_file():
    study = load_study(EXAMPLE)
    assert study.base["name"] == "trench-deposition"
    assert [p.unit for p in study.parameters] == ["um/min", ""]
    assert study.spec.samples == 64 and study.metrics[:2] == ("film_bottom_m", "film_sidewall_right_m")


def test_example_runs_with_the_recipe_runner(tmp_path):
    """Two samples inline: rate and sticking reach the recipe (thickness on the field
    ≈ rate·time grows with the sampled rate)."""
    res = run_study(small(load_study(EXAMPLE), 2), tmp_path, serial=True)
    ds = res.dataset
    assert (ds["status"].values == 1).all(), ds.attrs["errors"]
    rate = ds["x"].values[:, 0] * 1e-6 / 60
    top = ds["film_field_m"].values
    assert np.allclose(top, rate * 300.0, rtol=0.15)
    assert (tmp_path / "summary.json").exists()


@pytest.mark.slow
def test_example_64_samples_on_a_local_cluster(tmp_path):
    """The acceptance sweep with the real runner: 64 samples on a 2-worker local cluster,
    coarse grid (0.48 µm) and 100 rays per point."""
    res = run_study(small(load_study(EXAMPLE), 64), tmp_path, workers=2)
    assert res.computed == 64 and (res.dataset["status"].values == 1).all()


def test_recipe_evaluator_returns_the_profile():
    """With profile=True the runner's top-surface polyline comes back (m): it spans the
    domain, and its highest point is the field surface at the top-thickness metric."""
    from waferlab.study.evaluators import evaluate_recipe

    study = small(load_study(EXAMPLE), 1)
    out = evaluate_recipe(study.base, 3, profile=True)
    prof = out["profile"]
    assert prof.ndim == 2 and prof.shape[1] == 2 and len(prof) > 10
    assert np.ptp(prof[:, 0]) == pytest.approx(10.08e-6, rel=0.05)
    assert prof[:, 1].max() == pytest.approx(out["film_field_m"], rel=0.1)


def fit_study(budget: int = 48, polish: int = 40):
    return profile_fit_study(EXAMPLE, budget, polish)


@pytest.mark.slow
def test_real_runner_recovers_hidden_knobs_from_a_profile(tmp_path):
    """TPE 48 + Nelder–Mead ≤ 40 on 2 workers: the rate within 2 %, the sticking within
    5 %.  On this coarse grid (0.48 µm, 100 rays per point) the profile distance from the
    target is not smooth in the sticking: measured at rate 1.1 µm/min it is 0 at 0.15
    (the target's own inputs) but 0.04–0.10 h anywhere in 0.145–0.17 (0.037 h at 0.152,
    0.097 h at 0.148, 0.061 h at 0.165) and 0.11–0.15 h at 0.12–0.135 and 0.18, so the
    data pin the sticking to about ±5 %, not better; the rate is pinned to 0.1 %."""
    study, truth = fit_study()
    res = run_study(study, tmp_path, workers=2)
    err = np.abs(np.array(res.summary["optimize"]["best_x"]) / truth - 1)
    assert err[0] < 0.02 and err[1] < 0.05, err
