"""Uncertainty quantification: designs, Monte Carlo intervals, PCE, Sobol and Morris indices.

Reference values: the Ishigami function's exact Sobol indices (Ishigami & Homma 1990;
Sobol' & Levitan 1999) and the analytic trench-deposition toy model.  Runs are inline
(``serial=True``); the Dask path is tested in test_study_dask.py.
"""
from __future__ import annotations


import numpy as np
import pytest

from waferlab.study import run_study, study_from_dict
from waferlab.study.analytic import ishigami_sobol
from waferlab.study.design import make_design

from waferlab.study.cases import deposition_study, ishigami_study


def test_grid_includes_range_ends():
    data = deposition_study(method="grid", samples=16)
    data["study"]["parameters"]["steps[0].deposit.rate"]["levels"] = 3
    d = make_design(study_from_dict(data))
    assert d.meta["levels"] == [3, 4] and d.x.shape == (12, 2)
    assert sorted(set(d.x[:, 0])) == [5.0, 10.0, 15.0]
    assert np.allclose(sorted(set(d.x[:, 1])), 0.01 * 50.0 ** (np.arange(4) / 3), rtol=1e-12)


def test_lhs_is_stratified():
    """Latin hypercube: each of the n equal-probability strata of each knob holds one point."""
    study = study_from_dict(deposition_study(method="lhs", samples=50))
    x = make_design(study).x
    u_rate = (x[:, 0] - 5.0) / 10.0
    u_stick = np.log(x[:, 1] / 0.01) / np.log(50.0)
    for u in (u_rate, u_stick):
        assert sorted(np.floor(u * 50).astype(int)) == list(range(50))


def test_designs_are_reproducible_and_seeded():
    a = make_design(study_from_dict(deposition_study(method="montecarlo", samples=8)))
    b = make_design(study_from_dict(deposition_study(method="montecarlo", samples=8)))
    c = make_design(study_from_dict(deposition_study(method="montecarlo", samples=8, seed=8)))
    assert np.array_equal(a.x, b.x) and not np.allclose(a.x, c.x)


def test_sobol_indices_of_ishigami():
    """Saltelli sampling + SALib estimators, N = 4096 (20 480 runs): |S - S_exact| < 0.02."""
    res = run_study(study_from_dict(ishigami_study("sobol", 4096)), None, serial=True)
    ex, got = ishigami_sobol(), res.summary["sobol"]["y"]
    assert res.summary["samples"] == 4096 * 5
    assert np.max(np.abs(np.subtract(got["S1"], ex["S1"]))) < 0.02
    assert np.max(np.abs(np.subtract(got["ST"], ex["ST"]))) < 0.02


def test_pce_sobol_indices_and_moments_of_ishigami():
    """PCE order 10 on 11³ Gauss–Legendre nodes: indices within 0.02, mean 3.5, variance."""
    res = run_study(study_from_dict(ishigami_study("pce", 1, pce={"order": 10})), None,
                    serial=True)
    ex, got = ishigami_sobol(), res.summary["pce"]["y"]
    assert res.summary["samples"] == 11 ** 3
    assert np.max(np.abs(np.subtract(got["S1"], ex["S1"]))) < 0.02
    assert np.max(np.abs(np.subtract(got["ST"], ex["ST"]))) < 0.02
    assert got["mean"] == pytest.approx(3.5, abs=1e-6)
    assert got["std"] ** 2 == pytest.approx(ex["var"][0], rel=0.01)


def test_morris_finds_the_inert_knob():
    """Ishigami with b = 0: x3 has no effect, so its μ* is exactly 0; x1 and x2 are not."""
    data = ishigami_study("morris", 20)
    data["study"]["base"]["b"] = 0.0
    got = run_study(study_from_dict(data), None, serial=True).summary["morris"]["y"]
    assert got["mu_star"][2] == 0.0
    assert min(got["mu_star"][:2]) > 0.5


def test_pce_agrees_with_monte_carlo():
    """Mean and std of the bottom thickness (rate ~ normal, sticking ~ log-uniform) from a
    PCE (order 5, 36 Gauss nodes) lie within the Monte Carlo 95 % interval of 2000 runs,
    and within 3 standard errors (σ from the delta method in ``mc_stats``)."""
    params = {"steps[0].deposit.rate": {"distribution": "normal", "mean": "10 nm/min",
                                        "std": "1 nm/min"},
              "steps[0].deposit.sticking": {"distribution": "log-uniform", "range": [0.02, 0.2]}}
    mc = run_study(study_from_dict(deposition_study("montecarlo", 2000, parameters=params)),
                   None, serial=True).summary["statistics"]["film_bottom_m"]
    pce = run_study(study_from_dict(deposition_study("pce", 1, parameters=params,
                                                     pce={"order": 5})),
                    None, serial=True).summary["pce"]["film_bottom_m"]
    assert abs(pce["mean"] - mc["mean"]) < 3 * mc["se_mean"]
    assert abs(pce["std"] - mc["std"]) < 3 * mc["se_std"]
    assert mc["mean_ci95"][0] < pce["mean"] < mc["mean_ci95"][1]
    assert mc["std_ci95"][0] < pce["std"] < mc["std_ci95"][1]
    # the interval is informative: a 10 % error in the mean would be caught
    assert mc["mean_ci95"][1] - mc["mean_ci95"][0] < 0.05 * mc["mean"]


def test_monte_carlo_interval_of_a_known_law():
    """MC of the rate knob passed through as the top thickness t = r·T(1 + h/w): the exact
    mean and std of a normal law lie within 3 standard errors of the estimates."""
    params = {"steps[0].deposit.rate": {"distribution": "normal", "mean": "10 nm/min",
                                        "std": "2 nm/min"}}
    data = deposition_study("montecarlo", 1000, parameters=params)
    data["study"]["metrics"] = ["film_field_m"]
    st = run_study(study_from_dict(data), None, serial=True).summary["statistics"]["film_field_m"]
    scale = 3.0 * (1.0 + 5.0 / 40.0) * 1e-9          # T = 3 min, bias 1 + h/w
    assert abs(st["mean"] - 10.0 * scale) < 3 * st["se_mean"]
    assert abs(st["std"] - 2.0 * scale) < 3 * st["se_std"]
