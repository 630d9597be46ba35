"""The thermal: recipe section, the `waferlab thermal` command and every
examples/thermal-*.yaml (run in full; they are small)."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from waferlab.cli import main
from waferlab.context import RunContext
from waferlab.errors import RecipeError
from waferlab.recipe_io import load_yaml, validate_section
from waferlab.thermal import ThermalSpec, run_thermal
from waferlab.thermal.cli import load_thermal_recipe

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("thermal-*.yaml"))

BASE = """
name: t
thermal:
  substrate: {material: Si, background: {P: 1e16 cm^-3}}
  depth: 1 um
  nodes: 201
  steps:
"""


def _spec(steps: str) -> ThermalSpec:
    return validate_section(ThermalSpec, load_yaml(BASE + steps)["thermal"], "thermal")


@pytest.mark.parametrize("steps,msg", [
    ("    - bake: {time: 1 s}", "unknown kind 'bake'"),
    ("    - anneal: {temperature: 1000 degC, time: 60}", "steps[0].anneal.time"),
    ("    - anneal: {temperature: 1000 degC, time: 1 s, model: foo}", "model"),
    ("    - anneal: {time: 1 s}", "give temperature and time"),
    ("    - implant: {dopant: As, dose: 1e15 cm^-2, energy: 2 MeV}", "outside the range table"),
    ("    - predeposit: {dopant: Ga, surface_concentration: 1e20 cm^-3, temperature: 1000 degC, time: 1 s}",
     "unknown dopant 'Ga'"),
    ("    - anneal: {temperature: 1000 degC, time: 1 s, diffusivity: {B: {D0: 1 cm^2/s}}}", "Ea"),
    ("    - implant: {dopant: B, dose: 1e15, energy: 20 keV}", "steps[0].implant.dose"),
    ("    - implant: {dopant: B, dose: 1e15 cm^-2, energy: 1 keV}", "outside the range table"),
    ("    - anneal: {profile: [[0 s, 800 degC], [20 s, 1000 degC], [10 s, 800 degC]]}",
     "profile times must start at 0 s and increase"),
    ("    - anneal: {temperature: 1000 degC, time: 1 s, model: five_stream, calibration: x}",
     "steps[0].anneal.calibration"),
    ("    - implant: {dopant: B, dose: 1e15 cm^-2, energy: 20 keV, tilt: 90 deg}",
     "steps[0].implant.tilt"),
])
def test_bad_steps_name_the_field(steps, msg):
    with pytest.raises(RecipeError) as exc:
        _spec(steps)
    assert msg in str(exc.value)
    assert str(exc.value).startswith("thermal.steps")


def test_diffusivity_override_changes_result():
    a = _spec("    - predeposit: {dopant: B, surface_concentration: 1e20 cm^-3, "
              "temperature: 1000 degC, time: 10 min}")
    b = _spec("    - predeposit: {dopant: B, surface_concentration: 1e20 cm^-3, "
              "temperature: 1000 degC, time: 10 min, diffusivity: {B: {D0: 4 cm^2/s, Ea: 3.5 eV}}}")
    ma = run_thermal(a, RunContext(), None)
    mb = run_thermal(b, RunContext(), None)
    # erfc dose ∝ sqrt(D): 4x D -> 2x dose
    assert mb["dose_m2"]["B"] / ma["dose_m2"]["B"] == pytest.approx(2.0, rel=2e-3)


def test_oxidation_consumes_silicon_and_books_dose():
    s = _spec("    - implant: {dopant: B, dose: 1e14 cm^-2, energy: 10 keV}\n"
              "    - oxidize: {ambient: wet, temperature: 1000 degC, time: 30 min}")
    m = run_thermal(s, RunContext(), None)
    from waferlab.thermal.oxidation import oxide_thickness
    assert m["oxide_thickness_m"] == pytest.approx(oxide_thickness(1800.0, 1273.15, ambient="wet"),
                                                   rel=1e-6)
    total = m["dose_m2"]["B"] + m["dose_in_oxide_m2"]["B"]
    assert total == pytest.approx(1e18, rel=2e-3)
    assert m["dose_in_oxide_m2"]["B"] > 0


@pytest.mark.parametrize("path", [pytest.param(p, marks=(pytest.mark.slow,) if "tsuprem4" in p.stem
                                                else ()) for p in EXAMPLES],
                         ids=[p.stem for p in EXAMPLES])
def test_every_thermal_example_runs(path, tmp_path):
    rc = main(["thermal", str(path), "--out", str(tmp_path)])
    assert rc == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    for key in ("junction_depth_m", "sheet_resistance_ohm_sq", "dose_m2"):
        assert key in metrics
    with open(tmp_path / "doping.csv") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == "depth_m" and rows[0][-1] == "net_m-3"
    depth = np.array([float(r[0]) for r in rows[1:]])
    assert depth[0] == 0.0 and np.all(np.diff(depth) > 0)
    assert (tmp_path / "doping.png").stat().st_size > 1000
    _, _, spec = load_thermal_recipe(path)
    # doses: background + implants (+ predeposits) are all positive and finite
    assert all(v > 0 and np.isfinite(v) for v in metrics["dose_m2"].values())
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())   # atomic writes


def test_cli_reports_recipe_errors(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE + "    - anneal: {temperature: 1000 degC, time: 5}\n")
    assert main(["thermal", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "thermal.steps[0].anneal.time" in capsys.readouterr().err


def test_grown_oxide_screens_a_later_implant():
    """After a wet oxidation, the implant loses the part of its profile that stops in the
    oxide (Si-equivalent thickness x_ox · 2.27/5.02)."""
    bare = _spec("    - implant: {dopant: B, dose: 1e14 cm^-2, energy: 10 keV, profile: gaussian}")
    ox = _spec("    - oxidize: {ambient: wet, temperature: 1000 degC, time: 5 min}\n"
               "    - implant: {dopant: B, dose: 1e14 cm^-2, energy: 10 keV, profile: gaussian}")
    mb = run_thermal(bare, RunContext(), None)
    mo = run_thermal(ox, RunContext(), None)
    from scipy.special import erfc
    from waferlab.thermal.implant import range_moments
    m = range_moments("B", 10.0)
    s = mo["oxide_thickness_m"] * 2.27 / 5.02
    frac = erfc((s - m.Rp) / (np.sqrt(2) * m.dRp)) / erfc(-m.Rp / (np.sqrt(2) * m.dRp))
    assert mo["dose_m2"]["B"] / mb["dose_m2"]["B"] == pytest.approx(frac, rel=2e-3)


def test_2d_predeposition_only_in_the_window():
    y = BASE.replace("  nodes: 201\n", "  nodes: 101\n  lateral: {width: 1 um, nodes: 41, "
                     "mask: [{from: 0 um, to: 0.6 um}]}\n")
    y += ("    - predeposit: {dopant: B, surface_concentration: 1e19 cm^-3, "
          "temperature: 1000 degC, time: 20 min}\n")
    spec = validate_section(ThermalSpec, load_yaml(y)["thermal"], "thermal")
    from waferlab.thermal.run import simulate
    st = simulate(spec)
    c = st.conc["B"]
    x = st.mesh.x
    assert np.all(c[0, x > 0.6e-6] == pytest.approx(1e25))        # open surface held at Cs
    assert np.all(c[0, x < 0.3e-6] < 1e-3 * 1e25)                  # masked surface: none
    # lateral diffusion under the mask edge: decreasing away from the window
    assert np.all(np.diff(c[0, (x > 0.3e-6) & (x < 0.62e-6)]) > 0)


def test_the_section_runs_through_the_process_runner_bit_for_bit():
    """One runner: ``waferlab thermal`` and ``waferlab.run`` run the section as a flat-wafer
    process flow in ``runner.execute_recipe`` (``run_section``); the step-by-step loop of
    the section's own physics (``simulate``: graded mesh, mesh check) gives the same fields
    bit for bit, in 1D (with the mesh check) and in 2D (a masked cross-section)."""
    from waferlab.process.thermal_flow import THERMAL_FIELD, run_section, thermal_process_recipe
    from waferlab.thermal.diffusion import TimeStepping
    from waferlab.thermal.run import apply_step, initial_state, mesh_plan, metrics_of, simulate

    lateral = ("  nodes: 81\n  lateral: {width: 0.6 um, nodes: 17, "
               "mask: [{from: 0 um, to: 0.3 um}]}\n")
    steps = ("    - implant: {dopant: B, dose: 1e14 cm^-2, energy: 20 keV}\n"
             "    - anneal: {temperature: 1000 degC, time: 10 s, model: fermi}\n"
             "    - oxidize: {ambient: dry, temperature: 900 degC, time: 1 min}\n")
    for extra in ("", lateral):
        data = load_yaml(BASE.replace("  nodes: 201\n", extra) + steps)
        spec = validate_section(ThermalSpec, data["thermal"], "thermal")
        st, plan = initial_state(spec), mesh_plan(spec)
        num = TimeStepping(rtol=spec.numerics.rtol, max_steps=spec.numerics.max_steps)
        for s in spec.steps:
            st = apply_step(st, s, spec, num, plan=plan)
        new = run_section(spec)
        assert all(np.array_equal(simulate(spec).conc[k], st.conc[k]) for k in st.conc)
        assert set(new.conc) == set(st.conc)
        assert all(np.array_equal(new.conc[k], st.conc[k]) for k in st.conc)
        assert np.array_equal(new.mesh.z, st.mesh.z) and new.oxide == st.oxide
        assert metrics_of(new)[0] == metrics_of(st)[0]
        recipe = thermal_process_recipe(spec)
        assert [s.kind for s in recipe.leaf_steps] == ["implant", "anneal", "oxidize"]
        assert run_section(spec, RunContext(seed=3)).conc.keys() == st.conc.keys()
        assert THERMAL_FIELD == "thermal_column"
