"""`waferlab run` writes the litho outputs of an expose step as `waferlab image` does."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from waferlab.cli import main

EXAMPLE = Path(__file__).parents[2] / "examples" / "expose-and-etch.yaml"


def _expose_only(tmp_path, **resist) -> Path:
    """The example's expose step alone (10 nm grid, 800 nm periodic), as a recipe file."""
    data = yaml.safe_load(EXAMPLE.read_text())
    data["steps"] = copy.deepcopy(data["steps"][:1])
    data["steps"][0]["expose"]["resist"].update(resist)
    path = tmp_path / f"expose{len(resist)}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _line_cd_predicted(clearing: float, pitch: float = 400e-9) -> float:
    """Threshold model on the exact band-limited cut: the line (x = p/2) keeps resist where
    I(x) < E₀/E; its edges are the roots of I = E₀/E on (0, p/2) and (p/2, p)."""
    from scipy.optimize import brentq

    from waferlab.litho.metrics import TrigCut
    from waferlab.litho.pipeline import compute_image, load_recipe

    spec, _ = load_recipe(EXAMPLE)
    image = compute_image(spec)
    cut = TrigCut(image.mask.x, image.intensity[0])
    f = lambda x: float(cut(np.array([x]))[0]) - clearing  # noqa: E731
    return brentq(f, 0.5 * pitch, pitch) - brentq(f, 0.0, 0.5 * pitch)


def test_run_writes_the_expose_image_like_waferlab_image(tmp_path, capsys):
    rec = _expose_only(tmp_path)
    assert main(["run", str(rec), "--out", str(tmp_path / "run")]) == 0
    assert main(["image", str(rec), "--out", str(tmp_path / "img")]) == 0
    out = capsys.readouterr().out
    run, img = tmp_path / "run", tmp_path / "img"
    for name in ("expose_0_aerial.png", "expose_0_aerial_cut.csv", "expose_0_resist_profile.csv"):
        assert (run / name).is_file(), name
    assert (run / "expose_0_aerial_cut.csv").read_text().splitlines()[0] == "x,intensity"
    a = np.loadtxt(run / "expose_0_aerial_cut.csv", delimiter=",", skiprows=1)
    b = np.loadtxt(img / "aerial_cut.csv", delimiter=",", skiprows=1)
    assert a.shape == b.shape and np.allclose(a, b, rtol=1e-8, atol=1e-15)   # the same cut
    m = json.loads((run / "metrics.json").read_text())
    mi = json.loads((img / "metrics.json").read_text())
    # clearing intensity 0.3 (threshold 0.3 at 30 mJ/cm²) = image.threshold: the same CD
    assert m["expose_cd_m"] == pytest.approx(mi["cd_m"], rel=1e-9)
    assert m["expose_nils"] == pytest.approx(mi["nils"], rel=1e-9)
    assert m["expose_cd_m"] == pytest.approx(_line_cd_predicted(0.3), abs=1e-12)
    # the resist on the wafer: the space it leaves is pitch - line CD within a grid spacing
    h = 10e-9
    assert 400e-9 - m["cd_mask_m"] == pytest.approx(m["expose_cd_m"], abs=h)
    prof = np.loadtxt(run / "expose_0_resist_profile.csv", delimiter=",", skiprows=1)
    assert prof.shape[0] == 80 and np.isclose(prof[:, 1].max(), 300e-9)
    assert "expose_cd" in out and " nm " in out                 # console in nm


def test_doubling_the_dose_narrows_the_reported_line_as_predicted(tmp_path):
    """resist.dose 30 → 60 mJ/cm² halves the clearing intensity 0.3 → 0.15: the line CD
    written by run follows the threshold model on the aerial cut (exact root)."""
    from waferlab.context import RunContext
    from waferlab.process.expose import FIELD, expose_metrics
    from waferlab.recipe import load_recipe
    from waferlab.runner import initial_wafer

    cds = {}
    for dose in (30, 60):
        r = load_recipe(_expose_only(tmp_path, dose=f"{dose} mJ/cm^2"))
        w = r.steps[0].apply(initial_wafer(r), RunContext(seed=1, threads=1))
        assert [k for k, _ in w.fields].count(FIELD) == 1
        cds[dose] = expose_metrics(w)["expose_cd_m"]
        assert cds[dose] == pytest.approx(_line_cd_predicted(9.0 / dose), abs=1e-12)
    assert cds[30] - cds[60] > 30e-9                             # a real change, not noise
