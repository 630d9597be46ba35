"""Optimisation: recover hidden recipe knobs (targets and profile), multi-fidelity
screening, resume, and the ZDT1 Pareto front (Zitzler, Deb & Thiele, Evol. Comput. 8,
173 (2000)) against its analytic front f2 = 1 - √f1.
"""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.errors import RecipeError
from waferlab.study import run_study, study_from_dict
from waferlab.study.analytic import zdt1_front

from waferlab.study.cases import deposition_study, hidden_run
from waferlab.study.cases import hidden_knob_error as _rel_err
from waferlab.study.cases import hidden_knob_study as _optimize_study


def test_recovers_hidden_knobs_from_target_metrics(tmp_path):
    """TPE, 48 runs in batches of 4, then ≤ 40 Nelder–Mead runs: knobs within 2 %."""
    res = run_study(study_from_dict(_optimize_study()), tmp_path, serial=True)
    opt = res.summary["optimize"]
    assert opt["evaluations"] <= 48 + 40
    assert _rel_err(res.summary).max() < 0.02
    assert (tmp_path / "convergence.png").exists()
    # the best row is in study.nc with the recipe value written in its unit
    assert opt["best"]["steps[0].deposit.rate"].endswith(" nm/min")


def test_recovers_hidden_knobs_from_a_target_profile():
    """The target is the hidden run's film-surface polyline (m); the objective is the
    symmetric polyline distance.  Knobs within 2 %."""
    data = deposition_study("optimize")
    prof = hidden_run(data)["profile"]
    data = _optimize_study(targets={}, profile=prof.tolist(), budget=48, polish=60)
    res = run_study(study_from_dict(data), None, serial=True)
    assert "profile_distance" in res.dataset
    assert _rel_err(res.summary).max() < 0.02


def test_multi_fidelity_screens_coarse_and_confirms_fine():
    """Search on a coarse grid (biased +h/w), confirm the best 3 and polish on the fine
    grid: the coarse optimum is biased, the confirmed-and-polished one is within 2 %."""
    data = _optimize_study(fidelity={"coarse": {"grid.spacing": "10 nm"}, "confirm": 3},
                           polish=40)
    res = run_study(study_from_dict(data), None, serial=True)
    fid = res.dataset["fidelity"].values
    assert (fid[:48] == 0).all() and (fid[48:] == 1).all() and len(fid) > 51
    assert _rel_err(res.summary).max() < 0.02
    # the screening alone would be wrong by about the coarse bias (h/w: 25 % vs 12.5 %)
    y = res.dataset
    j_coarse = np.argmin(np.abs(y["film_field_m"].values[:48] - y["film_field_m"].values[-1]))
    assert fid[j_coarse] == 0


def test_optimisation_resumes_without_recomputing(tmp_path):
    data = _optimize_study(polish=0, budget=24)
    study = study_from_dict(data)
    full = run_study(study, None, serial=True)

    class Stop(Exception):
        pass

    calls = iter(range(1, 10**9))

    def stop_after(i, _result):
        if next(calls) == 10:
            raise Stop

    with pytest.raises(Stop):
        run_study(study, tmp_path, serial=True, on_result=stop_after)
    again = run_study(study, tmp_path, serial=True)
    assert (again.reused, again.computed) == (10, 14)
    assert again.summary["optimize"]["best_x"] == full.summary["optimize"]["best_x"]
    other = study_from_dict(_optimize_study(polish=0, budget=25))
    with pytest.raises(RecipeError, match="different study"):
        run_study(other, tmp_path, serial=True)


def test_zdt1_pareto_front(tmp_path):
    """NSGA-II, 10 variables, population 40 × 100 generations (4000 runs).  Metrics
    against 1000 points of the analytic front: IGD < 0.02 (a 40-point front cannot do
    better than about 0.01) and GD < 0.005; no point lies below the front."""
    from pymoo.indicators.gd import GD
    from pymoo.indicators.igd import IGD

    n = 10
    data = {"study": {"base": {"x": [0.0] * n}, "evaluator": "analytic.zdt1",
                      "parameters": {f"x[{i}]": {"range": [0, 1]} for i in range(n)},
                      "method": "pareto", "seed": 3,
                      "pareto": {"objectives": {"f1": "min", "f2": "min"}, "population": 40,
                                 "generations": 100}}}
    res = run_study(study_from_dict(data), tmp_path, serial=True)
    F = np.array(res.summary["pareto"]["front"])
    pf = zdt1_front(1000)
    assert len(F) == 40 and res.summary["samples"] == 4000
    assert IGD(pf)(F) < 0.02 and GD(pf)(F) < 0.005
    assert (F[:, 1] >= 1.0 - np.sqrt(F[:, 0]) - 1e-12).all()
    assert (tmp_path / "pareto.png").exists()


def test_zdt1_pareto_front_30_variables():
    """The standard 30-variable ZDT1, population 100 × 200 generations (20 000 runs): IGD < 0.01."""
    from pymoo.indicators.igd import IGD

    n = 30
    data = {"study": {"base": {"x": [0.0] * n}, "evaluator": "analytic.zdt1",
                      "parameters": {f"x[{i}]": {"range": [0, 1]} for i in range(n)},
                      "method": "pareto", "seed": 3,
                      "pareto": {"objectives": {"f1": "min", "f2": "min"},
                                 "population": 100, "generations": 200}}}
    res = run_study(study_from_dict(data), None, serial=True)
    assert IGD(zdt1_front(1000))(np.array(res.summary["pareto"]["front"])) < 0.01


def test_maximised_objectives_are_reported_in_their_sign():
    """Maximise -f2 (same front): the reported values are the metric values."""
    data = {"study": {"base": {"x": [0.0] * 3}, "evaluator": "analytic.zdt1",
                      "parameters": {f"x[{i}]": {"range": [0, 1]} for i in range(3)},
                      "method": "pareto", "seed": 1,
                      "pareto": {"objectives": {"f1": "min", "f2": "max"}, "population": 8,
                                 "generations": 3}}}
    res = run_study(study_from_dict(data), None, serial=True)
    F = np.array(res.summary["pareto"]["front"])
    rows = res.dataset
    # every reported point is one of the evaluated (f1, f2) pairs
    pairs = np.column_stack([rows["f1"].values, rows["f2"].values])
    assert all(np.isclose(pairs, f).all(axis=1).any() for f in F)
    # maximising f2 pushes towards large f2: the best f2 on the front is the largest seen
    assert F[:, 1].max() == pytest.approx(pairs[:, 1].max())
