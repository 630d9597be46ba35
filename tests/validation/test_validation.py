"""The reference problems of ``waferlab.validation`` (docs/contributing.md, rule 1): every scale has
problems, every problem passes at quick settings, and the machinery can fail.

Each problem cites its source (author, journal, year) in ``ReferenceProblem.source``;
the tolerances and their bases are in the problems' ``Check.basis`` (Monte Carlo: 3σ with
σ computed by the flux engine).  See docs/validation.md.
"""
import json
import math
import re

import pytest

from waferlab.cli import main
from waferlab.context import RunContext
from waferlab.validation import (SCALES, Check, ReferenceProblem, get_problem, problems,
                                 run_problem)
from waferlab.validation import core
from waferlab.validation.feature import CLAUSING_SLIT, clausing_checks
from waferlab.validation.reactor import argon_reference

CTX = RunContext(seed=20261129, threads=2)


def test_registry_lists_problems_for_every_scale():
    ps = problems()
    assert {p.scale for p in ps} == set(SCALES)
    assert len({p.name for p in ps}) == len(ps)
    for p in ps:
        assert re.search(r"\b(1[89]|20)\d\d\b", p.source), (p.name, p.source)   # a year
        assert p.description
    assert {"argon_book_example", "argon_particle_balance", "fluid2d_em_skin_depth",
            "fluid2d_diffusion_eigenmode", "fluid2d_poiseuille", "fluid2d_poiseuille_slip", "fluid2d_heat_plates",
            "fluid2d_heat_cylinder", "sf6_kokkoris_model", "sf6_kokkoris_measured",
            "cl2_malyshev", "cl2_malyshev_eedf", "cl2_malyshev_ll",
            "cl2_malyshev_guha"} == {p.name for p in problems("reactor")}
    with pytest.raises(ValueError, match="scale"):
        problems("galaxy")
    with pytest.raises(KeyError, match="clausing_slit"):
        get_problem("no_such_problem")


#: quick problems that still take ≈ 20 s (a two-term Boltzmann solve per state): run by
#: ``pytest -m slow`` and the benchmarks, outside the default run's 10-minute budget
SLOW_QUICK = {"cl2_malyshev_eedf"}


@pytest.mark.parametrize("name", [pytest.param(p.name, marks=pytest.mark.slow)
                                  if p.name in SLOW_QUICK else p.name for p in problems()])
def test_problem_passes_quick(name):
    r = run_problem(get_problem(name), CTX, quick=True)
    assert r.checks, name
    bad = [c for c in r.checks if not c.passed]
    assert not bad, [(c.quantity, c.measured, c.reference, c.tolerance) for c in bad]


def test_check_semantics():
    assert Check(quantity="q", measured=1.25, reference=1.0, tolerance=0.25).passed
    assert not Check(quantity="q", measured=1.2501, reference=1.0, tolerance=0.25).passed
    assert not Check(quantity="q", measured=math.nan, reference=1.0, tolerance=1e9).passed
    with pytest.raises(ValueError, match="tolerance"):
        Check(quantity="q", measured=1.0, reference=1.0, tolerance=-1.0)
    with pytest.raises(ValueError, match="scale"):
        ReferenceProblem(name="x", scale="cosmic", source="s", description="d", run=lambda c, q: [])


def test_wrong_clausing_reference_fails():
    """The flux engine against a 5 %-wrong table value, and against the transmission the
    uniform in-plane angle law would give: both fail at the same ray count."""
    wrong = {5: CLAUSING_SLIT[5] * 1.05}
    assert not clausing_checks(CTX, "slit", wrong, 200_000)[0].passed
    right = clausing_checks(CTX, "slit", {5: CLAUSING_SLIT[5]}, 200_000)[0]
    assert right.passed
    assert right.tolerance < 0.05 * CLAUSING_SLIT[5]      # the test above could tell


def test_wrong_argon_reference_fails():
    """The book's figure-read T_e ≈ 3.5 V is not what its own fits give (docs/reference-data.md §3):
    the model, held to the brentq solution's tolerance, does not match 3.5 V."""
    r = run_problem(get_problem("argon_book_example"), CTX)
    te = r.checks[0]
    assert te.passed and te.reference == pytest.approx(argon_reference(0.15, 0.30, 0.133322, 800.0)["T_e"],
                                                       rel=1e-3)
    assert not Check(quantity="T_e", measured=te.measured, reference=3.5,
                     tolerance=te.tolerance).passed


def _failing_problem():
    def run(ctx, quick):
        from waferlab.thermal.oxidation import oxide_thickness
        # deliberately wrong reference: twice the Deal–Grove thickness
        x = oxide_thickness(3600.0, 1273.15)
        return [Check(quantity="x_ox", measured=x, reference=2 * x, tolerance=1e-3 * x)]
    return ReferenceProblem(name="wrong_on_purpose", scale="thermal", source="none, 2026",
                            description="a deliberately wrong reference", run=run)


def test_cli_exit_codes_and_json(tmp_path, monkeypatch, capsys):
    out = tmp_path / "v"
    assert main(["validate", "--quick", "--only", "deal_grove", "stoney_stress", "--out",
                 str(out)]) == 0
    data = json.loads((out / "validation.json").read_text())
    assert data["passed"] is True and data["mode"] == "quick"
    assert [p["name"] for p in data["problems"]] == ["deal_grove", "stoney_stress"]
    assert all(c["passed"] for p in data["problems"] for c in p["checks"])
    text = capsys.readouterr().out
    assert "deal_grove" in text and "pass" in text

    core.problems()                          # built-ins first, then the extra problem
    monkeypatch.setitem(core._REGISTRY._items, "wrong_on_purpose", _failing_problem())
    assert main(["validate", "--only", "wrong_on_purpose", "deal_grove", "--out", str(out),
                 "--overwrite"]) == 1       # another run into the same folder
    data = json.loads((out / "validation.json").read_text())
    assert data["passed"] is False
    assert [p["passed"] for p in data["problems"]] == [False, True]
    assert "FAIL" in capsys.readouterr().out

    assert main(["validate", "--only", "nope"]) == 2            # RecipeError -> exit 2
    assert main(["validate", "--scale", "mechanics"]) == 0


@pytest.mark.slow
@pytest.mark.parametrize("name", [p.name for p in problems()])
def test_problem_passes_full(name):
    r = run_problem(get_problem(name), CTX, quick=False)
    bad = [c for c in r.checks if not c.passed]
    assert r.checks and not bad, [(c.quantity, c.measured, c.reference, c.tolerance) for c in bad]
