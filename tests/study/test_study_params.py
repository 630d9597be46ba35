"""Parameter paths, unit round trips, distributions and study-file validation."""
from __future__ import annotations

import copy

import numpy as np
import pytest
from scipy import stats

from waferlab.errors import RecipeError
from waferlab.study import get_path, parse_path, set_path, study_from_dict
from waferlab.study.params import Parameter, apply_assignments
from waferlab.units import to_si

from waferlab.study.cases import DEPOSITION_BASE as BASE
from waferlab.study.cases import deposition_study


def test_parse_path():
    assert parse_path("steps[0].etch.reactor.source.power") == ("steps", 0, "etch", "reactor",
                                                                 "source", "power")
    assert parse_path("x[1][2]") == ("x", 1, 2)
    for bad in ("", "a..b", "[0].a", "a[x]", "a b", "a[0]b"):
        with pytest.raises(RecipeError):
            parse_path(bad)


def test_get_set_do_not_touch_the_base():
    base_recipe = copy.deepcopy(BASE)
    new = apply_assignments(base_recipe, (("steps[0].deposit.rate", "12.5 nm/min"),))
    assert base_recipe["steps"][0]["deposit"]["rate"] == "10 nm/min"
    assert get_path(new, "steps[0].deposit.rate") == "12.5 nm/min"
    set_path(new, "grid.spacing", "2 nm")
    assert new["grid"]["spacing"] == "2 nm"
    with pytest.raises(RecipeError, match=r"steps\[3\]"):
        get_path(base_recipe, "steps[3].deposit.rate")
    with pytest.raises(RecipeError, match="steps"):
        set_path(new, "steps[0].nothing.rate", 1.0)


def test_values_keep_their_unit():
    study = study_from_dict(deposition_study())
    rate = study.parameters[0]
    assert rate.unit == "nm/min" and (rate.lo, rate.hi) == (5.0, 15.0)
    text = rate.recipe_value(12.345678)
    assert text == "12.345678 nm/min"
    assert to_si(text, "rate") == pytest.approx(12.345678e-9 / 60, rel=1e-12)
    assert study.parameters[1].unit == "" and study.parameters[1].recipe_value(0.2) == 0.2


def test_mixed_units_are_converted():
    data = deposition_study()
    data["study"]["parameters"] = {"grid.spacing": {"distribution": "truncated", "mean": "5 nm",
                                                    "std": "0.001 um", "range": ["3 nm", "7 nm"]}}
    p = study_from_dict(data).parameters[0]
    assert (p.unit, p.mean, p.std, p.lo, p.hi) == ("nm", 5.0, pytest.approx(1.0), 3.0, 7.0)


@pytest.mark.parametrize("p, ref", [
    (Parameter(path="a", distribution="uniform", lo=2.0, hi=5.0), stats.uniform(2.0, 3.0)),
    (Parameter(path="a", distribution="normal", mean=1.0, std=0.2), stats.norm(1.0, 0.2)),
    (Parameter(path="a", distribution="log-uniform", lo=0.01, hi=1.0), stats.loguniform(0.01, 1.0)),
    (Parameter(path="a", distribution="truncated", mean=1.0, std=1.0, lo=0.5, hi=3.0),
     stats.truncnorm(-0.5, 2.0, loc=1.0, scale=1.0)),
])
def test_inverse_cdf_matches_scipy(p, ref):
    """ppf against scipy's distribution at fixed quantiles (exact up to round-off), and
    a Kolmogorov–Smirnov check of 4000 mapped uniform draws (p > 0.001)."""
    u = np.linspace(0.01, 0.99, 21)
    assert np.allclose(p.ppf(u), ref.ppf(u), rtol=1e-10, atol=1e-12)
    x = p.ppf(np.random.default_rng(3).random(4000))
    assert stats.kstest(x, ref.cdf).pvalue > 1e-3


def test_chaospy_law_matches():
    p = Parameter(path="a", distribution="log-uniform", lo=0.01, hi=1.0)
    d = p.chaospy()
    assert float(d.mom(1)) == pytest.approx(stats.loguniform(0.01, 1.0).mean(), rel=1e-9)


@pytest.mark.parametrize("param, match", [
    ({"distribution": "normal", "mean": "1 W"}, "needs std"),
    ({"range": ["5 W", "1 W"]}, "empty"),
    ({"range": ["1 W", "5 mTorr"]}, "compatible"),
    ({"range": [1, "5 W"]}, "bare number"),
    ({"mean": "1 W"}, "range"),
    ({"distribution": "log-uniform", "range": [-1, 2]}, "positive"),
    ({"range": ["1 W", "2 W"], "spread": 1}, "unknown key"),
])
def test_bad_parameters_name_the_field(param, match):
    data = deposition_study()
    data["study"]["parameters"] = {"steps[0].deposit.rate": param}
    with pytest.raises(RecipeError, match=match):
        study_from_dict(data)


def test_bad_study_errors():
    data = deposition_study()
    data["study"]["parameters"] = {"steps[0].nothing.power": {"range": [1, 2]}}
    with pytest.raises(RecipeError, match=r"no steps\[0\]\.nothing"):
        study_from_dict(data)
    data["study"]["parameters"] = {"steps[4].deposit.rate": {"range": [1, 2]}}
    with pytest.raises(RecipeError, match="steps"):
        study_from_dict(data)
    data = deposition_study(method="optimize")
    with pytest.raises(RecipeError, match="optimize"):
        study_from_dict(data)
    data = deposition_study(base="missing.yaml")
    with pytest.raises(RecipeError, match="does not exist"):
        study_from_dict(data)


def test_new_keys_and_integer_knobs():
    """A knob may add a key the base leaves at its default; integer knobs are rounded."""
    data = deposition_study(method="grid")
    data["study"]["parameters"] = {"steps[0].deposit.rays_per_point":
                                   {"range": [100, 1000], "integer": True, "levels": 4}}
    study = study_from_dict(data)
    from waferlab.study.design import make_design
    x = make_design(study).x[:, 0]
    assert x.tolist() == [100.0, 400.0, 700.0, 1000.0]
    assert study.parameters[0].recipe_value(399.6) == 400
