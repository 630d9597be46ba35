"""Acceptance: the demo prints the silicon etch depth, the mask remaining and the CDs of
the silicon trench in nm, and they agree within h/2 with a measurement taken by hand on
its profile.csv (the top-surface polyline), written here without the metric code.

The demo structure puts the substrate (Si) top at z = 0 and the 300 nm mask above it
(builders.layer_stack); the trench is centred at x = 0.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from waferlab.cli import main
from waferlab.cli_core import demo_recipe_path

H = 20e-9                                   # the demo's grid spacing


def _crossings(x, y, level):
    """x where the polyline crosses y = level (linear between its vertices)."""
    out = []
    for i in range(len(x) - 1):
        a, b = y[i] - level, y[i + 1] - level
        if a == 0:
            out.append(x[i])
        elif a * b < 0:
            out.append(x[i] + (x[i + 1] - x[i]) * a / (a - b))
    return np.array(out)


def hand_measure(csv: Path) -> dict:
    """Si depth, mask left on the field, trench widths at 10/50/90 % of the Si depth."""
    t = np.loadtxt(csv, delimiter=",", skiprows=1)
    open_profile = t[t[:, 0] == 0]
    x, y = open_profile[:, 1], open_profile[:, 2]
    depth = 0.0 - y.min()                     # the Si top is z = 0
    field = y[np.argmax(np.abs(x))]           # the field: the column at the domain edge
    out = {"etch_depth_m": depth, "mask_remaining_m": field - 0.0}
    for name, f in (("top", 0.1), ("middle", 0.5), ("bottom", 0.9)):
        c = _crossings(x, y, -f * depth)
        out[f"cd_{name}_m"] = c[c > 0].min() - c[c < 0].max()
    return out


def _check(out: Path, printed: str) -> None:
    m = json.loads((out / "metrics.json").read_text())
    hand = hand_measure(out / "profile.csv")
    for key, v in hand.items():
        assert m[key] == pytest.approx(v, abs=0.5 * H), key
        name = key[:-2]
        row = next(line for line in printed.splitlines() if f" {name} " in line)
        assert f"{m[key] * 1e9:.1f}" in row and "nm" in row, row
    assert m["etched_layer"] == "Si" and m["mask_material"] == "Mask"


def test_short_demo_prints_what_profile_csv_shows(tmp_path, capsys):
    """The demo recipe cut to 10 s of etching (a 130 nm deep Si trench)."""
    data = yaml.safe_load(demo_recipe_path().read_text())
    data["steps"][0]["plasma_etch"].update(time="10 s", rays_per_point=100)
    recipe = tmp_path / "short.yaml"
    recipe.write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    assert main(["run", str(recipe), "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    _check(out, printed)
    assert json.loads((out / "metrics.json").read_text())["etch_depth_m"] > 4 * H


@pytest.mark.slow
def test_demo_prints_what_profile_csv_shows(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--quiet"]) == 0
    _check(out, capsys.readouterr().out)
