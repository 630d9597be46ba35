"""Expose: the developed resist becomes a wafer layer that masks the next etch."""
from __future__ import annotations

from pathlib import Path

import numpy as np

import pytest

from waferlab.context import RunContext
from waferlab.feature.metrics import column_heights
from waferlab.recipe import load_recipe
from waferlab.runner import initial_wafer

EXAMPLE = Path(__file__).parents[2] / "examples" / "expose-and-etch.yaml"


def test_litho_then_etch_transfers_the_grating():
    """1:1 grating, pitch 400 nm, x = 0 at a space centre; threshold resist 300 nm thick;
    then 300 nm of directional Si etch through the openings (the resist does not etch)."""
    r = load_recipe(EXAMPLE)
    ctx = RunContext(seed=1, threads=1)
    w = initial_wafer(r)
    w = r.steps[0].apply(w, ctx)
    assert w.materials == ("Si", "Resist")
    g = w.geometry
    h = g.grid.spacing
    x = g.grid.lateral_coords(0)
    top = column_heights(g)
    lines = np.abs(np.abs(x) - 200e-9) < 40e-9          # under the lines (chrome)
    spaces = np.abs(x) < 40e-9                          # the space centre
    assert np.allclose(top[lines], 300e-9, atol=h)      # full resist thickness kept
    assert np.allclose(top[spaces], 0.0, atol=h)        # resist cleared to the silicon
    w = r.steps[1].apply(w, ctx)
    top = column_heights(w.geometry)
    assert np.allclose(top[spaces], -300e-9, atol=h)    # 300 nm/min for 1 min
    assert np.allclose(top[lines], 300e-9, atol=h)      # masked by the resist
    si = w.geometry.phi[0]
    si_top = column_heights(w.geometry.replace(phi=si[None], materials=("Si",)))
    assert np.allclose(si_top[lines], 0.0, atol=h)      # silicon under the lines untouched


def _space_cd_predicted(spec, clearing: float) -> float:
    """Threshold model on the aerial image: the space centred at x = 0 is where
    I(x) ≥ E₀/E; its edge is the root of I(x) = E₀/E on (0, p/2) (I falls from the space
    centre to the line centre on a 1:1 grating)."""
    from scipy.optimize import brentq

    from waferlab.litho.metrics import TrigCut
    from waferlab.litho.pipeline import compute_image

    image = compute_image(spec)
    row = image.intensity[image.intensity.shape[0] // 2]
    cut = TrigCut(image.mask.x, row)
    p = image.mask.period[0]
    return 2.0 * brentq(lambda x: float(cut(np.array([x]))[0]) - clearing, 0.0, 0.5 * p)


def test_resist_dose_changes_the_print_as_the_aerial_image_predicts():
    """resist.dose is the exposure dose: doubling it from 15 to 30 mJ/cm² (dose to clear
    9 mJ/cm²) lowers the clearing intensity from 0.6 to 0.3 and widens the printed space
    to the width the aerial image gives at that level (exact band-limited cut), both in
    the litho chain (1 nm sampling) and in the wafer after the expose step (cd_mask_m of
    the run metrics, within one grid spacing: the resist is coated column by column)."""
    import copy

    import yaml

    from waferlab.feature.metrics import run_metrics
    from waferlab.litho.pipeline import resist_cross_section
    from waferlab.recipe import recipe_from_dict

    data = yaml.safe_load(EXAMPLE.read_text())
    data["grid"]["spacing"] = "5 nm"
    data["steps"] = data["steps"][:1]
    cds, predicted = {}, {}
    for dose in (15, 30):
        d = copy.deepcopy(data)
        d["steps"][0]["expose"]["resist"].update(dose=f"{dose} mJ/cm^2",
                                                  dose_to_clear="9 mJ/cm^2")
        d["steps"][0]["expose"]["resist"].pop("threshold")
        r = recipe_from_dict(d)
        spec = r.steps[0].litho
        assert spec.resist.clearing_intensity == pytest.approx(9.0 / dose)
        predicted[dose] = _space_cd_predicted(spec, 9.0 / dose)
        x = np.arange(-200e-9, 200e-9, 1e-9)
        h_res = resist_cross_section(spec, None, x)
        chain = np.count_nonzero(h_res == 0.0) * 1e-9
        assert chain == pytest.approx(predicted[dose], abs=2e-9)
        w0 = initial_wafer(r)
        w = r.steps[0].apply(w0, RunContext(seed=1, threads=1))
        cds[dose] = run_metrics(w0.geometry, w.geometry)["cd_mask_m"]
        assert cds[dose] == pytest.approx(predicted[dose], abs=5e-9)
    print({k: (round(predicted[k] * 1e9, 1), round(cds[k] * 1e9, 1)) for k in cds})
    assert predicted[30] - predicted[15] > 40e-9          # the change is real, not noise
    assert cds[30] - cds[15] == pytest.approx(predicted[30] - predicted[15], abs=10e-9)


def test_legacy_threshold_is_the_clearing_intensity_at_30_mj_cm2():
    from waferlab.litho.spec import ResistSpec

    r = ResistSpec(thickness="100 nm", threshold=0.3, dose="60 mJ/cm^2")
    assert r.clearing_intensity == pytest.approx(0.15)
    assert ResistSpec(thickness="100 nm").clearing_intensity == pytest.approx(0.3)
