"""`waferlab image`: every examples/litho-*.yaml runs; outputs and their conventions."""
import json
from pathlib import Path

import numpy as np
import pytest

from waferlab.cli import main

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("litho-*.yaml"))


def test_examples_exist():
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("recipe", EXAMPLES, ids=lambda p: p.stem)
def test_every_litho_example_runs(recipe, tmp_path):
    assert main(["image", str(recipe), "--out", str(tmp_path)]) == 0
    for name in ("aerial.npy", "aerial.png", "aerial_cut.csv", "metrics.json"):
        assert (tmp_path / name).is_file(), name
    assert not list(tmp_path.glob(".*tmp*"))                       # atomic writes cleaned up
    header = (tmp_path / "aerial_cut.csv").read_text().splitlines()[0]
    assert header == "x,intensity"
    cut = np.loadtxt(tmp_path / "aerial_cut.csv", delimiter=",", skiprows=1)
    image = np.load(tmp_path / "aerial.npy")
    assert image.ndim == 2 and np.all(image >= -1e-12)
    assert np.isclose(cut[:, 1].max(), image[image.shape[0] // 2].max()) or image.shape[0] > 1
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["clear_frame"] == 1.0
    assert not _bare_keys(metrics), _bare_keys(metrics)
    if "resist:" in recipe.read_text():
        assert (tmp_path / "resist_profile.csv").is_file()


# metrics.json keys: SI with the unit in the name, or dimensionless by definition
_DIMENSIONLESS = {"clear_frame", "i_cut_max", "i_cut_min", "i_max", "i_min", "contrast",
                  "edge_intensity", "nils", "threshold", "source_points", "shape", "epe_samples",
                  "epe_violations_15nm", "doses", "el", "cleared_fraction"}
_UNITS = ("_m", "_m2", "_per_m")


def _bare_keys(d, prefix=""):
    """Numeric keys of a metrics dict that neither carry a unit nor are dimensionless."""
    bad = []
    for k, v in d.items():
        if isinstance(v, dict):
            bad += _bare_keys(v, prefix + k + ".")
        elif isinstance(v, (int, float, list)) and not isinstance(v, bool):
            if k not in _DIMENSIONLESS and not k.endswith(_UNITS):
                bad.append(prefix + k)
    return bad


def test_bare_key_check_can_fail():
    assert _bare_keys({"cd": 2e-7, "r": {"min_height": 0.0}, "nils": 8.0, "cd_m": 2e-7}) == [
        "cd", "r.min_height"]


GRATING = """
name: g
optics: {wavelength: 193 nm, na: 0.75, source: {shape: circular, sigma: 0.0}}
mask: {type: grating, pitch: 400 nm, duty: 0.5, clear: spaces}
image: {pixel: 1 nm, method: abbe, threshold: 0.25}
steps: [ignored by waferlab image]
"""


def test_coherent_grating_through_the_command(tmp_path, capsys):
    rec = tmp_path / "g.yaml"
    rec.write_text(GRATING)
    assert main(["image", str(rec), "--out", str(tmp_path / "o")]) == 0
    assert "cd 200 nm" in capsys.readouterr().out              # console: engineering units
    cut = np.loadtxt(tmp_path / "o" / "aerial_cut.csv", delimiter=",", skiprows=1)
    x, i = cut[:, 0], cut[:, 1]
    assert abs(x[1] - x[0] - 1e-9) < 1e-18 and abs(x[np.argmax(i)]) < 1e-15   # metres, x = 0 space centre
    assert abs(i.max() - 1.29190) < 1e-4
    m = json.loads((tmp_path / "o" / "metrics.json").read_text())
    assert abs(m["nils"] - 8) < 1e-4 and abs(m["edge_intensity"] - 0.25) < 1e-4
    assert abs(m["cd_m"] - 200e-9) < 1e-13 and "cd" not in m    # edge at I = 0.25 exactly at p/4
    assert not _bare_keys(m), _bare_keys(m)


@pytest.mark.parametrize("bad, field", [
    ("na: 0.75", "na: 1.2"),
    ("sigma: 0.0", "sigma: 1.5"),
    ("pitch: 400 nm", "pitch: 400"),
    ("method: abbe", "method: fourier"),
])
def test_bad_recipes_exit_2_naming_the_field(tmp_path, capsys, bad, field):
    rec = tmp_path / "g.yaml"
    rec.write_text(GRATING.replace(bad, field))
    assert main(["image", str(rec), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "error" in err and field.split(":")[0] in err
