"""Film stress and wafer bow along a flow: Stoney with thermal mismatch, by hand."""
from __future__ import annotations

import pytest

from waferlab.context import RunContext
from waferlab.recipe import recipe_from_dict
from waferlab.runner import run_recipe
from waferlab.thermal.oxidation import grow_oxide


def _run(steps):
    r = recipe_from_dict({"name": "st", "grid": {"dimension": 2, "spacing": "20 nm",
                                                 "extent": ["0.4 um"]},
                          "structure": {"substrate": {"material": "Si"}}, "steps": steps,
                          "output": {"vtk": False}})
    return run_recipe(r, RunContext(seed=0))


def test_oxide_and_nitride_bow_by_stoney():
    """Wet oxide grown at 1000 degC (stress-free when the oxide stops flowing, 960 degC)
    then 100 nm of LPCVD nitride: σ_ox = M_ox (α_Si − α_ox)(300 K − 1233.15 K), σ_SiN =
    1.2 GPa, κ = 6 Σ σ t / (M_s h_s²) with M_s = 180.5 GPa, h_s = 775 µm (Stoney 1909);
    bow = κ D²/8 for D = 300 mm.  Thicknesses from Deal–Grove and the deposit."""
    m = _run([{"oxidize": {"ambient": "wet", "temperature": "1000 degC", "time": "20 min"}},
              {"deposit": {"model": "isotropic", "material": "Si3N4", "rate": "100 nm/min",
                           "time": "1 min"}}])
    M_ox = 72e9 / (1 - 0.17)
    s_ox = M_ox * (2.6e-6 - 0.5e-6) * (300.0 - 1233.15)
    assert m["film_stress_Pa"]["SiO2"] == pytest.approx(s_ox, rel=1e-12)
    assert m["film_stress_Pa"]["Si3N4"] == pytest.approx(1.2e9, rel=1e-12)
    t_ox = grow_oxide(1200.0, lambda t: 1273.15, ambient="wet")
    kappa = 6 * (s_ox * t_ox + 1.2e9 * 100e-9) / (180.5e9 * 775e-6 ** 2)
    # film amounts from the level sets: O(h²) Heaviside, 2 % of a 100 nm film at h = 20 nm
    assert m["wafer_curvature_per_m"] == pytest.approx(kappa, rel=0.02)
    assert m["wafer_bow_m"] == pytest.approx(m["wafer_curvature_per_m"] * 0.3 ** 2 / 8, rel=1e-12)


def test_a_hot_anneal_relaxes_the_oxide_a_cool_one_does_not():
    """An oxide grown at 900 degC is stress-free at 900 degC; a later 800 degC anneal
    leaves it, a 1100 degC anneal lets it flow (it freezes in at 960 degC on cooling)."""
    ox = {"oxidize": {"ambient": "dry", "temperature": "900 degC", "time": "30 min"}}
    M_ox = 72e9 / (1 - 0.17)
    cool = _run([ox, {"anneal": {"temperature": "800 degC", "time": "1 min"}}])
    hot = _run([ox, {"anneal": {"temperature": "1100 degC", "time": "1 min"}}])
    assert cool["film_stress_Pa"]["SiO2"] == pytest.approx(
        M_ox * 2.1e-6 * (300.0 - 1173.15), rel=1e-12)
    assert hot["film_stress_Pa"]["SiO2"] == pytest.approx(
        M_ox * 2.1e-6 * (300.0 - 1233.15), rel=1e-12)
