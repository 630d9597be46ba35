"""wafer.csv's rows stop at the wafer radius (session 16): the columns whose centre is on the
wafer, then one row at r_w interpolated between the last column on the wafer and the first
beyond it; their weights are the areas on the wafer (Σ = π r_w²)."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.reactor.fluid2d.output import WaferRows


def test_rows_stop_at_the_wafer_radius_when_a_face_sits_on_it_to_rounding():
    # the wafer-map example's mesh: 12 columns on R = 15 cm, wafer 10 cm; linspace's face 8 is
    # 0.09999999999999999, so the old test r_{i-1/2} < r_w took the column 100-112.5 mm
    rf = np.linspace(0.0, 0.15, 13)
    assert rf[8] < 0.1                         # the rounding that let the outside column in
    rows = WaferRows(rf, 0.1)
    assert rows.r_m[-1] == 0.1 and rows.r_m.size == 9
    assert np.all(rows.r_m[:-1] < 0.1)
    assert rows.weights.sum() == pytest.approx(np.pi * 0.1 ** 2, rel=1e-12)
    assert rows.weights[-1] == pytest.approx(0.0, abs=1e-15)   # no part of the wafer left over
    # a field linear in r is reproduced exactly at the edge row; the outside column does not
    # enter the average except through the interpolated edge value (weight 0 here)
    rc = 0.5 * (rf[1:] + rf[:-1])
    f = 3.0 + 20.0 * rc
    assert rows(f)[-1] == pytest.approx(3.0 + 20.0 * 0.1, rel=1e-14)
    assert rows.average(rows(f)) == pytest.approx(
        (f[:8] * np.pi * (rf[1:9] ** 2 - rf[:8] ** 2)).sum() / (np.pi * 0.1 ** 2), rel=1e-12)


@pytest.mark.parametrize("r_w", [0.095, 0.105, 0.15])
def test_a_column_across_the_wafer_edge_is_split_and_the_average_is_the_wafer_average(r_w):
    rf = np.linspace(0.0, 0.15, 13)             # faces every 12.5 mm: 95 and 105 mm fall inside cells
    rows = WaferRows(rf, r_w)
    assert rows.r_m.max() == pytest.approx(r_w) if r_w < 0.15 else rows.r_m.max() < r_w
    assert np.all(rows.r_m <= r_w)
    assert rows.weights.sum() == pytest.approx(np.pi * r_w ** 2, rel=1e-12)
    # the weighted average of a smooth field against its exact wafer average ∫ f 2πr dr/πr_w²
    a = 4.0
    rc = 0.5 * (rf[1:] + rf[:-1])
    f = 1.0 + a * rc ** 2
    exact = 1.0 + a * r_w ** 2 / 2
    assert rows.average(rows(f)) == pytest.approx(exact, rel=2e-3)
    # a 2D per-column array (species × columns) keeps its leading axis
    assert rows(np.vstack([f, 2 * f])).shape == (2, rows.r_m.size)
