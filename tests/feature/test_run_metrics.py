"""Run metrics (docs/metrics.md) against geometry known by construction and by hand.

* An etched trench built with a known taper through a known mask: etch depth, mask
  remaining, CDs at the named heights and the sidewall angle are exact functions of
  the construction (signed distances: a small fraction of h).
* A gap fill that pinches off: an isotropic Si etch of e under a mask opening a, then
  a conformal (isotropic) film of t > a/2.  The etched cavity is the set within e of the
  opening; the film fills every point within t of that solid, so the void is
  {z < 0, dist(p, opening) < e − t, dist(p, mask) > t}; it closes when t = a/2.  The
  reference below rasterises that set on a 1 nm grid, independently of the level sets.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.feature import builders as B
from waferlab.feature import metrics as M
from waferlab.feature.grid import Grid
from waferlab.recipe import recipe_from_dict
from waferlab.runner import run_recipe

NM = 1e-9


def test_etched_trench_metrics_by_construction():
    h, w, mask, taper = 20 * NM, 400 * NM, 300 * NM, math.radians(2.0)
    grid = Grid(dimension=2, spacing=h, extent=(1.2e-6,))
    stack = B.layer_stack(grid, "Si", [("Mask", mask)])
    initial = B.cut_feature(stack, "trench", width=w, depth=mask)
    final = B.cut_feature(stack, "trench", width=w, depth=mask + 480 * NM, taper=taper)
    m = M.run_metrics(initial, final)
    assert m["etched_layer"] == "Si" and m["mask_material"] == "Mask"
    assert m["etch_depth_m"] == pytest.approx(480 * NM, abs=0.05 * h)
    assert m["mask_remaining_m"] == pytest.approx(mask, abs=0.05 * h)
    assert m["mask_erosion_m"] == pytest.approx(0.0, abs=0.05 * h)

    def width(z):                       # the builder's opening: w/2 − (z_top − z) tan(taper)
        return w - 2.0 * (mask - z) * math.tan(taper)

    for name, frac in (("top", 0.1), ("middle", 0.5), ("bottom", 0.9)):
        assert m[f"cd_{name}_m"] == pytest.approx(width(-frac * 480 * NM), abs=0.05 * h), name
    assert m["cd_mask_m"] == pytest.approx(width(0.5 * mask), abs=0.05 * h)
    assert m["sidewall_angle_deg"] == pytest.approx(88.0, abs=0.05)     # tapered: < 90
    assert m["mask_sidewall_angle_deg"] == pytest.approx(88.0, abs=0.05)
    assert not any(k.startswith(("film_", "void_")) for k in m)


def test_sidewall_angle_sign_convention():
    """90° vertical; narrower at the bottom (tapered) < 90°; wider (re-entrant) > 90°."""
    assert M._angle(400e-9, 400e-9, 1e-7) == pytest.approx(90.0)
    assert M._angle(400e-9, 380e-9, 1e-7) == pytest.approx(90 - math.degrees(math.atan(0.1)))
    assert M._angle(380e-9, 400e-9, 1e-7) == pytest.approx(90 + math.degrees(math.atan(0.1)))


A, E, T, MASK = 100.0, 400.0, 80.0, 100.0          # nm: opening, undercut etch, film, mask
GAP = {"name": "gapfill", "seed": 1,
       "grid": {"dimension": 2, "spacing": "10 nm", "extent": ["1.2 um"]},
       "structure": {"substrate": {"material": "Si"},
                     "layers": [{"material": "Mask", "thickness": f"{MASK} nm"}],
                     "feature": {"type": "trench", "width": f"{A} nm", "depth": f"{MASK} nm"}},
       "steps": [{"etch": {"model": "isotropic", "rates": {"Si": f"{E} nm/min"}, "time": "1 min"}},
                 {"deposit": {"model": "isotropic", "material": "SiO2", "rate": "100 nm/min",
                              "time": f"{T / 100.0} min"}}]}


def _void_by_hand(step: float = 1.0):
    """(area nm², height, width, top z) of {z<0, d(p, opening) < E−T, d(p, mask) > T}."""
    x = np.arange(-600.0, 600.0, step) + 0.5 * step
    z = np.arange(-500.0, 0.0, step) + 0.5 * step
    X, Z = np.meshgrid(x, z, indexing="ij")
    ax = np.abs(X)
    d_open = np.hypot(np.maximum(ax - A / 2, 0.0), Z)
    d_mask = np.where(ax >= A / 2, -Z, np.hypot(A / 2 - ax, Z))
    void = (d_open < E - T) & (d_mask > T)
    zs, xs = Z[void], X[void]
    return void.sum() * step ** 2, np.ptp(zs) + step, np.ptp(xs) + step, zs.max() + 0.5 * step


def test_gap_fill_that_pinches_off():
    m = run_recipe(recipe_from_dict(GAP), RunContext(seed=1, threads=1))
    h = 10.0
    area, height, width, top = _void_by_hand()
    assert m["void_present"] == 1
    assert m["void_size_m2"] / NM ** 2 == pytest.approx(area, rel=0.05)
    assert m["void_height_m"] / NM == pytest.approx(height, abs=h)
    assert m["void_width_m"] / NM == pytest.approx(width, abs=h)
    assert m["void_top_depth_m"] / NM == pytest.approx(MASK + T - top, abs=h)  # below the field
    # closed when the film reaches a/2 = 50 nm: 60 s of etch + 30 s of deposition; the
    # closure is seen on the nodes (within h/rate = 6 s)
    assert m["pinch_off_time_s"] == pytest.approx(60.0 + 30.0, abs=6.0)
    assert m["neck_width_m"] == 0.0
    # the film: conformal T on the field and on the cavity floor
    assert m["film_field_m"] / NM == pytest.approx(T, abs=0.5 * h)
    assert m["film_bottom_m"] / NM == pytest.approx(T, abs=0.5 * h)
    # the CDs describe the etched Si cavity (not the void): 2 (a/2 + √(e² − z²)); a
    # front error of h/2 moves the width by h/2 (1 + |dw/dz|) where the wall is shallow
    for name, frac in (("top", 0.1), ("middle", 0.5), ("bottom", 0.9)):
        zz = frac * E
        slope = 2 * zz / math.sqrt(E ** 2 - zz ** 2)
        assert m[f"cd_{name}_m"] / NM == pytest.approx(2 * (A / 2 + math.sqrt(E ** 2 - zz ** 2)),
                                                       abs=0.5 * h * (1 + slope)), name
    assert m["etch_depth_m"] / NM == pytest.approx(E, abs=0.5 * h)
    # nothing negative, nothing called a depth of the void
    for k, v in m.items():
        if isinstance(v, (int, float)):
            assert v >= 0, k
    assert m["opening_depth_m"] < T * NM                      # only the dimple above the seam


def test_open_trench_reports_no_void_and_a_neck():
    data = dict(GAP, steps=[{"deposit": {"model": "isotropic", "material": "SiO2",
                                         "rate": "100 nm/min", "time": "0.2 min"}}])
    m = run_recipe(recipe_from_dict(data), RunContext(seed=1, threads=1))
    assert m["void_present"] == 0 and m["pinch_off_time_s"] is None
    assert m["neck_width_m"] / NM == pytest.approx(A - 2 * 20.0, abs=5.0)
    assert m["step_coverage"] == pytest.approx(1.0, abs=0.1)
    # conformal: the film closes the opening at the neck by no more than on the wall
    assert m["overhang_m"] < 0.5 * 10 * NM
    assert m["film_sidewall_left_m"] / NM == pytest.approx(20.0, abs=5.0)


def test_void_in_3d_is_measured_on_the_volume():
    """A spherical void of radius R inside a film (3D): volume 4/3 π R³ (smoothed
    Heaviside, error O(h²)), height and width 2R on the y = 0 cut, top R below its centre."""
    from waferlab.feature.levelset import LevelSetStack

    h, R, zc, top = 10 * NM, 60 * NM, 100 * NM, 200 * NM
    grid = Grid(dimension=3, spacing=h, extent=(300 * NM, 300 * NM))
    si = B.layer_stack(grid, "Si", [])
    film = B.layer_stack(grid, "Si", [("SiO2", top)])
    x, y, z = np.meshgrid(*film.coords(), indexing="ij")
    sphere = R - np.sqrt(x ** 2 + y ** 2 + (z - zc) ** 2)
    phi = film.phi.copy()
    phi[1] = np.maximum(phi[1], sphere)
    final = LevelSetStack(grid=grid, z0=film.z0, phi=phi, materials=("Si", "SiO2"),
                          reference_top=film.reference_top)
    m = M.run_metrics(si, final)
    assert m["void_present"] == 1
    assert m["void_size_m3"] == pytest.approx(4.0 / 3.0 * math.pi * R ** 3, rel=0.05)
    assert m["void_height_m"] == pytest.approx(2 * R, abs=0.5 * h)
    assert m["void_width_m"] == pytest.approx(2 * R, abs=0.5 * h)
    assert m["film_field_m"] == pytest.approx(top, abs=0.05 * h)
    assert m["void_top_depth_m"] == pytest.approx(top - zc - R, abs=0.5 * h)


def test_film_thinner_than_half_a_cell_is_reported_below_resolution():
    """A 4 nm film on a 10 nm grid is not reported as 4 nm of film: 0 and named in
    ``below_resolution``; a 30 nm film is measured (to a small fraction of h)."""
    h = 10 * NM
    grid = Grid(dimension=2, spacing=h, extent=(200 * NM,))
    si = B.layer_stack(grid, "Si", [])
    thin = M.run_metrics(si, B.layer_stack(grid, "Si", [("SiO2", 4 * NM)]))
    assert thin["film_field_m"] == 0.0 and "film_field_SiO2_m" in thin["below_resolution"]
    assert thin["grid_spacing_m"] == h
    thick = M.run_metrics(si, B.layer_stack(grid, "Si", [("SiO2", 30 * NM)]))
    assert thick["film_field_m"] == pytest.approx(30 * NM, abs=0.05 * h)
    assert thick["below_resolution"] == []


def test_spacer_on_a_line_is_measured_in_the_space_beside_it():
    """A 200 nm line (structure.feature.type: line) with a 50 nm conformal film etched
    back 20 % over: the space beside the line is the feature (its centre on the mirror
    boundary), the spacer on the line's wall is the sidewall film (50 nm), and what the
    level sets leave on the field and the floor is below resolution, not film."""
    data = {"name": "spacer", "seed": 1,
            "grid": {"dimension": 2, "spacing": "20 nm", "extent": ["600 nm"]},
            "structure": {"substrate": {"material": "Si"},
                          "feature": {"type": "line", "width": "200 nm", "depth": "200 nm"}},
            "steps": [{"deposit": {"model": "isotropic", "material": "SiO2",
                                   "rate": "50 nm/min", "time": "1 min"}},
                      {"etch": {"model": "directional", "rates": {"SiO2": "50 nm/min"},
                                "direction": [0, -1], "time": "1.2 min"}}]}
    m = run_recipe(recipe_from_dict(data), RunContext(seed=1, threads=1))
    h = 20.0
    assert m["etch_depth_m"] / NM == pytest.approx(200.0, abs=0.5 * h)
    assert m["cd_middle_m"] / NM == pytest.approx(600.0 - 200.0, abs=0.5 * h)
    assert m["film_sidewall_left_m"] / NM == pytest.approx(50.0, abs=0.5 * h)
    assert m["film_field_m"] < 0.5 * h * NM and m["film_bottom_m"] < 0.5 * h * NM


def test_pinch_off_time_survives_a_resume(tmp_path, stop_then_resume):
    """Killed at a mid-step checkpoint taken after the void closed, the resumed run reports
    the pinch-off time of the uninterrupted one (it travels in the checkpoint)."""
    import waferlab.runner as runner_mod

    r = recipe_from_dict(dict(GAP, output={"checkpoint_interval": "1e-9 s"}))
    ref = run_recipe(r, RunContext(seed=1, threads=1, out_dir=tmp_path / "ref"))
    ctx = RunContext(seed=1, threads=1, out_dir=tmp_path / "cut")
    got = stop_then_resume(r, ctx, lambda next_step, step_time, wafer:
                           step_time > 0 and runner_mod.PINCH_FIELD in dict(wafer.fields))
    assert ref["pinch_off_time_s"] is not None
    assert got["pinch_off_time_s"] == ref["pinch_off_time_s"]


def test_prominent_peaks_equals_scipy_find_peaks():
    """The scallop peak finder is scipy.signal.find_peaks(x, prominence=p) written out (no
    scipy.signal import per run): equal indices on random walks, integer signals with
    plateaus (flat tops, edges) and rounded sines, at several prominences."""
    from scipy.signal import find_peaks

    rng = np.random.default_rng(0)
    for t in range(1500):
        n = int(rng.integers(1, 80))
        x = (rng.integers(0, 5, n).astype(float) if t % 3 == 0 else
             np.cumsum(rng.normal(size=n)) if t % 3 == 1 else
             np.round(np.sin(np.linspace(0, rng.uniform(1, 30), n)) * rng.uniform(1, 5), 1))
        p = float(rng.choice([0.0, 0.5, 1.0, 2.0]))
        np.testing.assert_array_equal(M.prominent_peaks(x, p), find_peaks(x, prominence=p)[0])
    assert M.prominent_peaks(np.array([0.0, 2.0, 2.0, 2.0, 0.5, 1.0, 0.0]), 1.0).tolist() == [2]


@pytest.mark.parametrize("shape, seed", [((40, 30), 0), ((37, 23), 1), ((12, 9, 15), 2), ((9, 14, 11), 3)])
def test_the_void_flood_fill_finds_the_components_scipy_label_finds(shape, seed):
    """``open_to_top`` (the numba flood fill behind void_mask/has_void) against
    scipy.ndimage.label's face-connected components: a vacuum node is closed off exactly
    when its component holds no node of the top plane.  Random vacuum at ~55 % density
    (near the percolation threshold: many closed components of all sizes)."""
    from scipy import ndimage

    from waferlab.feature._metrics_kernels import open_to_top

    vac = np.random.default_rng(seed).random(shape) < 0.55
    lab, n = ndimage.label(vac)
    open_labels = np.unique(lab[..., -1])
    expected = np.isin(lab, open_labels[open_labels > 0])
    got = open_to_top(vac)
    assert (vac & ~expected).any()                    # the case has closed components
    np.testing.assert_array_equal(got, expected)
