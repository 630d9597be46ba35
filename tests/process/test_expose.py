"""Expose: the developed resist becomes a wafer layer that masks the next etch."""
from __future__ import annotations

from pathlib import Path

import numpy as np

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
