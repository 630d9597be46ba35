"""The study driver: failed samples, outputs, CLI, error messages."""
from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
import yaml

from waferlab.cli import main
from waferlab.errors import RecipeError
from waferlab.study import run_study, study_from_dict
from waferlab.study.executor import sample_seed

from study_fixtures import deposition_study


def test_failed_samples_are_recorded_not_fatal(tmp_path):
    """Sticking drawn in [0.5, 1.5]: the runs with s > 1 are refused by the model; they
    are stored as failed with the message, the others complete."""
    data = deposition_study("lhs", 16)
    data["study"]["parameters"]["steps[0].deposit.sticking"] = {"range": [0.5, 1.5]}
    res = run_study(study_from_dict(data), tmp_path, serial=True)
    ds = xr.load_dataset(tmp_path / "study.nc", engine="h5netcdf")
    bad = ds["x"].values[:, 1] > 1.0
    assert bad.any() and (~bad).any()
    assert (ds["status"].values == np.where(bad, 2, 1)).all()
    assert np.isnan(ds["film_bottom_m"].values[bad]).all()
    errors = json.loads(ds.attrs["errors"])
    assert set(map(int, errors)) == set(np.flatnonzero(bad)) and "outside (0, 1]" in next(iter(errors.values()))
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["failed"] == int(bad.sum()) and summary["statistics"]["film_bottom_m"]["n"] == int((~bad).sum())


def test_seeds_are_derived_per_sample():
    s = [sample_seed(7, i) for i in range(100)]
    assert len(set(s)) == 100 and all(0 <= x < 2 ** 63 for x in s)
    assert sample_seed(7, 3) == s[3] and sample_seed(8, 3) != s[3]


def test_summary_and_outputs(tmp_path):
    res = run_study(study_from_dict(deposition_study("sobol", 16)), tmp_path, serial=True)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["samples"] == 16 * 4 and summary["computed"] == 64
    assert len(summary["sobol"]["film_bottom_m"]["S1"]) == 2
    assert {"distributions.png", "sensitivity.png"} <= set(summary["plots"])
    assert res.dataset["parameter_unit"].values.tolist() == ["nm/min", ""]


def test_unknown_metric_and_evaluator():
    data = deposition_study("lhs", 2)
    data["study"]["metrics"] = ["depth_typo"]
    with pytest.raises(RecipeError, match="no metric 'depth_typo'.*film_bottom_m"):
        run_study(study_from_dict(data), None, serial=True)
    data["study"]["metrics"] = ["thickness_bottom"]
    with pytest.raises(RecipeError, match="'thickness_bottom' was renamed: ask for 'film_bottom_m'"):
        study_from_dict(data)
    data = deposition_study("lhs", 2, evaluator="nope")
    with pytest.raises(RecipeError, match="unknown evaluator 'nope'; known: analytic"):
        run_study(study_from_dict(data), None, serial=True)


def test_cli_serial_with_progress(tmp_path, capsys):
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(deposition_study()["study"]["base"]))
    data = deposition_study("montecarlo", 8, base="base.yaml")
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(data))
    assert main(["study", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "o"), "--serial"]) == 0
    out = capsys.readouterr().out
    assert "montecarlo: 8 samples (8 computed, 0 reused, 0 failed)" in out
    assert main(["study", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "o")]) == 2


def test_common_seed():
    """common_seed: every sample runs with sample 0's seed (common random numbers)."""
    data = deposition_study("lhs", 6, common_seed=True)
    ds = run_study(study_from_dict(data), None, serial=True).dataset
    assert set(ds["seed"].values.tolist()) == {sample_seed(7, 0)}
    ds2 = run_study(study_from_dict(deposition_study("lhs", 6)), None, serial=True).dataset
    assert ds2["seed"].values.tolist() == [sample_seed(7, i) for i in range(6)]
