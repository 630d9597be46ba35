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

from waferlab.study.cases import deposition_study


def test_failed_samples_are_recorded_not_fatal(tmp_path):
    """Sticking drawn in [0.5, 1.5]: the runs with s > 1 are refused by the model; they
    are stored as failed with the message, the others complete."""
    data = deposition_study("lhs", 16)
    data["study"]["parameters"]["steps[0].deposit.sticking"] = {"range": [0.5, 1.5]}
    run_study(study_from_dict(data), tmp_path, serial=True)
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


def _grid_study(tmp_path, levels: int = 4) -> dict:
    """A real (recipe evaluator) 4-level grid over the film deposition time."""
    import copy

    from waferlab.study.cases import DEPOSITION_BASE as BASE

    base = copy.deepcopy(BASE)
    base["grid"] = {"dimension": 2, "spacing": "10 nm", "extent": ["200 nm"]}
    return {"study": {"base": base, "method": "grid",
                      "parameters": {"steps[0].deposit.time": {"range": ["1 min", "2.5 min"],
                                                               "levels": levels}},
                      "metrics": ["film_field_m", "film_bottom_m", "void_present"],
                      "seed": 1}}


def test_grid_study_speaks_in_a_table(tmp_path, capsys):
    """4 levels of deposition time -> samples.csv (knobs -> metrics, the metric values of
    study.nc), a picture per sample, an overlay, the table on the console, and no
    confidence intervals (a grid is not a random sample)."""
    import csv

    import yaml

    from waferlab.cli import main

    (tmp_path / "s.yaml").write_text(yaml.safe_dump(_grid_study(tmp_path)))
    out = tmp_path / "o"
    assert main(["study", str(tmp_path / "s.yaml"), "--out", str(out), "--serial", "--quiet"]) == 0
    printed = capsys.readouterr().out
    rows = list(csv.DictReader((out / "samples.csv").open()))
    assert [float(r["steps[0].deposit.time (min)"]) for r in rows] == [1.0, 1.5, 2.0, 2.5]
    ds = xr.load_dataset(out / "study.nc", engine="h5netcdf")
    field = np.array([float(r["film_field_m"]) for r in rows])
    assert np.allclose(field, ds["film_field_m"].values, rtol=1e-8)
    # isotropic 10 nm/min: the field film is rate x time (within half a grid spacing)
    assert np.allclose(field, 10e-9 * np.array([1.0, 1.5, 2.0, 2.5]), atol=5e-9)
    assert all(r["status"] == "done" for r in rows)
    assert (out / "profiles.png").is_file()
    assert sorted(p.name for p in (out / "samples").iterdir()) == [f"{i:04d}.png" for i in range(4)]
    summary = json.loads((out / "summary.json").read_text())
    assert "statistics" not in summary
    assert "film_field (nm)" in printed and "95% CI" not in printed
    for f in field:
        assert f"{f * 1e9:.4g}" in printed


def test_all_failing_study_stops_before_launching(tmp_path):
    """Every sample's sticking is outside (0, 1]: the recipe error of the first sample is
    raised before any task runs (no study.nc)."""
    data = _grid_study(tmp_path)
    data["study"]["base"]["steps"][0]["deposit"].update(model="single_particle", sticking=0.5)
    data["study"]["parameters"] = {"steps[0].deposit.sticking": {"range": [1.5, 2.0], "levels": 2}}
    with pytest.raises(RecipeError, match=r"every sample is refused; the first "
                                          r"\(steps\[0\]\.deposit\.sticking = 1\.5\).*sticking"):
        run_study(study_from_dict(data), tmp_path / "o")
    assert not (tmp_path / "o" / "study.nc").exists()
