"""RIE lag example (examples/rie_lag.py) and the multi-opening mask builder.

Reference: aspect-ratio-dependent etching, bottom neutral flux K/[K + S(1 − K)] with K
the slit Clausing transmission (Coburn & Winters, Appl. Phys. Lett. 55, 2730, 1989;
docs/reference-data.md §1–2).  The Monte Carlo σ of a trench depth is estimated from two seeds.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from waferlab.errors import RecipeError
from waferlab.feature.grid import Grid
from waferlab.feature.metrics import profile_polylines
from waferlab.process.multi_feature import (Opening, layout_openings, masked_openings,
                                            opening_depths)

EXAMPLE = Path(__file__).parents[2] / "examples" / "rie_lag.py"


def _example():
    name = "_waferlab_example_rie_lag"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, EXAMPLE)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


def test_masked_openings_geometry():
    """One top surface (no crease under the mask), exact edges, materials where expected."""
    h = 10e-9
    extent, ops = layout_openings([50e-9, 120e-9], gap=100e-9, spacing=h)
    assert extent == pytest.approx(3 * 100e-9 + 170e-9)
    assert layout_openings([55e-9], gap=100e-9, spacing=h)[0] == pytest.approx(260e-9)
    assert ops[1].centre - ops[0].centre == pytest.approx(0.5 * 50e-9 + 100e-9 + 0.5 * 120e-9)
    g = Grid(dimension=2, spacing=h, extent=(extent,))
    geo = masked_openings(g, ops, mask_thickness=60e-9)
    assert geo.materials == ("Si", "Mask") and geo.reference_top == pytest.approx(60e-9)
    lines = profile_polylines(geo)
    assert len(lines) == 1
    line = lines[0]
    for o in ops:       # walls at x = c ± w/2 within 0.1 h (fast-marching reinitialisation)
        wall = line[(line[:, 1] > 10e-9) & (line[:, 1] < 50e-9)]
        near = wall[np.abs(np.abs(wall[:, 0] - o.centre) - 0.5 * o.width) < h]
        assert len(near) >= 2
        assert np.max(np.abs(np.abs(near[:, 0] - o.centre) - 0.5 * o.width)) < 0.1 * h
    pts = np.array([[ops[0].centre, 30e-9], [ops[0].centre, -20e-9],
                    [ops[0].centre + 0.5 * 50e-9 + 50e-9, 30e-9], [ops[0].centre + 75e-9, -5e-9]])
    assert geo.material_index_at(pts, tol=0.0).tolist() == [-1, 0, 1, 0]
    assert opening_depths(geo, ops) == pytest.approx([0.0, 0.0], abs=1e-3 * h)
    with pytest.raises(RecipeError, match="overlaps"):
        masked_openings(g, [Opening(centre=0.0, width=100e-9), Opening(centre=50e-9, width=40e-9)],
                        mask_thickness=60e-9)


def test_coburn_winters_reference_curve():
    """K interpolation hits the Clausing slit table; K/[K + S(1 − K)] limits."""
    ex = _example()
    from waferlab.validation.feature import CLAUSING_SLIT

    ar = np.array(sorted(CLAUSING_SLIT))
    assert ex.clausing_slit(ar) == pytest.approx([CLAUSING_SLIT[a] for a in ar], rel=1e-12)
    assert ex.clausing_slit(0.0) == pytest.approx(1.0)
    assert np.all(np.diff(ex.clausing_slit(np.linspace(0, 20, 200))) < 0)
    assert ex.coburn_winters(5, 1.0) == pytest.approx(CLAUSING_SLIT[5])
    assert ex.coburn_winters(5, 0.0) == pytest.approx(1.0)


def test_rie_lag_narrow_trenches_etch_slower(tmp_path):
    """Acceptance (issue 5, item 5): trenches of several widths etched in one run; depth
    falls strictly with aspect ratio by more than 3σ (σ of a depth from two seeds), and
    the interval etch rates follow the Coburn–Winters reference within 10 %.

    Tolerance of the reference check, from what the formula leaves out: it is for inert
    walls and the bottom-averaged flux; here the Si sidewalls take up ~0.25 % of the
    etchant per hit (−5 % at AR 3, measured on a static slit with Si against Mask
    walls), the depth is read at the bottom centre (+1–2 %) and the interval rates
    carry ~1 % Monte Carlo noise.  Measured on this grid: −6 % to +2 %."""
    ex = _example()
    runs = [ex.run(**ex.SMALL, seed=s, threads=2) for s in (0, 1)]
    d = np.array([r.depth for r in runs])                  # (seed, trench)
    sigma = np.sqrt(np.sum((d[0] - d[1]) ** 2) / (2 * d.shape[1]))   # pooled, per run
    mean = d.mean(axis=0)
    ar = (ex.MASK + mean) / runs[0].widths
    order = np.argsort(ar)
    assert np.all(np.diff(ar[order]) > 0)
    # difference of two 2-run means has standard deviation σ
    gaps = -np.diff(mean[order])
    assert np.all(gaps > 3 * sigma), (mean[order], gaps, sigma)
    # RIE lag, not a rounding artefact: narrowest at least 10 % shallower than widest
    assert mean[order][-1] < 0.9 * mean[order][0], mean[order]

    ar_k, rate = runs[0].interval_rates()
    _, pred = runs[0].reference(ar_k)
    assert np.all((rate / pred > 0.90) & (rate / pred < 1.05)), rate / pred

    ex.write_outputs(runs[0], tmp_path)
    lines = (tmp_path / "rie_lag.csv").read_text().splitlines()
    assert lines[0] == "width_m,depth_m,aspect_ratio" and len(lines) == 1 + len(mean)
    assert (tmp_path / "rie_lag.png").stat().st_size > 10_000


def test_static_slit_bottom_flux_and_wall_loss():
    """Fixed slit, AR 5: with inert (Mask) walls the bottom etchant flux is the
    Coburn–Winters value with the model's S = γ(1 − θ_E) after its one coverage
    iteration, within 3σ (σ from three seeds) + 2 % (the flux engine's agreement with
    the slit formula at a given S, tests/feature/test_etch_models.py: 1.1 %); reactive
    Si walls (θ_E ≈ 0.995) take a further share, more than 3σ."""
    ex = _example()
    m = ex.etch_model(100).model
    ar, rays = 5.0, 1000
    inert = np.array([ex.static_slit(ar, walls="Mask", rays_per_point=rays, seed=s)[0]
                      for s in (0, 1, 2)])
    sigma = inert.std(ddof=1) / np.sqrt(len(inert))
    f_ref, _ = ex.coburn_winters_model(m, ar, iterations=1)
    assert abs(inert.mean() - f_ref) < 3 * sigma + 0.02 * f_ref, (inert, f_ref, sigma)
    si = ex.static_slit(ar, walls="Si", rays_per_point=rays, seed=3)[0]
    assert si < inert.mean() - 3 * np.sqrt(sigma ** 2 + inert.var(ddof=1)), (si, inert)
