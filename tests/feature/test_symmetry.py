"""Half and quarter features on mirror boundaries (structure.feature.symmetry).

Reference: the full feature.  A reflective boundary mirrors the cell-centred nodes about
the domain edge, so a half (quarter) run of extent L reproduces the full run of extent
2L node for node; the level-set metrics must agree to a small fraction of a grid spacing
(a mirror plane misplaced by half a cell would shift every width by h), and the Monte
Carlo fluxes within 3σ (σ from batch means, computed), which checks the flux engine's
specular reflection at the lateral boundary.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.errors import RecipeError
from waferlab.feature import builders as B
from waferlab.feature import metrics as M
from waferlab.feature.extract import extract_surface
from waferlab.feature.flux import Species, trace_fluxes
from waferlab.feature.grid import Grid
from waferlab.recipe import recipe_from_dict
from waferlab.runner import run_recipe

LENGTHS = ("etch_depth_m", "cd_top_m", "cd_middle_m", "cd_bottom_m", "film_bottom_m",
           "film_sidewall_left_m", "film_sidewall_right_m", "film_field_m", "mask_remaining_m")


def _recipe(sym, extent, steps, *, dim, feature, h, boundary="reflective"):
    return {"name": f"sym-{sym}", "seed": 1,
            "grid": {"dimension": dim, "spacing": f"{h} um", "extent": [f"{extent} um"] * (dim - 1),
                     "boundary": boundary},
            "structure": {"substrate": {"material": "Si"},
                          "layers": [{"material": "Mask", "thickness": "0.2 um"}],
                          "feature": dict(feature, symmetry=sym)},
            "steps": steps}


def _compare(full, part, h):
    for key in LENGTHS:
        a, b = full.get(key), part.get(key)
        assert (a is None) == (b is None), key
        if a is not None:
            assert b == pytest.approx(a, abs=0.05 * h * 1e-6), key
    assert part["sidewall_angle_deg"] == pytest.approx(full["sidewall_angle_deg"], abs=0.1)
    key = next(k for k in full if k.startswith("amounts_m"))
    for mat, v in full[key].items():
        assert part[key][mat] == pytest.approx(v, rel=2e-3), mat


def test_cut_feature_mirrors_exactly():
    """The half/quarter cut unfolded is the full cut node for node; CDs are full widths."""
    h, taper = 0.05, math.radians(3)
    full = B.cut_feature(B.layer_stack(Grid(dimension=3, spacing=h, extent=(2.0, 2.0)), "Si",
                                       [("Mask", 0.3)]), "hole", radius=0.4, depth=0.6, taper=taper)
    quarter = B.cut_feature(B.layer_stack(Grid(dimension=3, spacing=h, extent=(1.0, 1.0)), "Si",
                                          [("Mask", 0.3)]), "hole", radius=0.4, depth=0.6,
                            taper=taper, symmetry="quarter")
    half = B.cut_feature(B.layer_stack(Grid(dimension=3, spacing=h, extent=(1.0, 2.0)), "Si",
                                       [("Mask", 0.3)]), "hole", radius=0.4, depth=0.6,
                         taper=taper, symmetry="half")
    for part, sym in ((quarter, "quarter"), (half, "half")):
        u = B.unfold(part, sym)
        assert u.grid.extent == (2.0, 2.0) and u.z0 == full.z0
        assert np.abs(u.phi - full.phi).max() < 1e-12
    # the opening's axis sits on the corner node's mirror plane x = y = -L/2
    assert B.feature_center(quarter.grid, "quarter") == (-0.5, -0.5)
    for z in (0.2, -0.1):         # the diameter 2(r - (z_top - z) tan θ), z_top = 0.3; the
        # cut at y = 0 interpolates φ linearly between the nodes at y = ±h/2 (as for full)
        assert M.cd_at(B.unfold(quarter, "quarter"), z) == pytest.approx(
            2 * (0.4 - (0.3 - z) * math.tan(taper)), abs=0.1 * h)
    g2 = Grid(dimension=2, spacing=h, extent=(1.0,))
    tr = B.cut_feature(B.plane(g2, "Si"), "trench", width=0.6, depth=0.5, symmetry="half")
    ref = B.cut_feature(B.plane(Grid(dimension=2, spacing=h, extent=(2.0,)), "Si"), "trench",
                        width=0.6, depth=0.5)
    assert np.abs(B.unfold(tr, "half").phi - ref.phi).max() < 1e-12
    line = B.cut_feature(B.plane(g2, "Si"), "line", width=0.4, depth=0.5, symmetry="half")
    ref = B.cut_feature(B.plane(Grid(dimension=2, spacing=h, extent=(2.0,)), "Si"), "line",
                        width=0.4, depth=0.5)
    assert np.abs(B.unfold(line, "half").phi - ref.phi).max() < 1e-12
    assert M.cd_at(B.unfold(line, "half"), -0.25) == pytest.approx(0.4, abs=1e-6)
    g3 = Grid(dimension=3, spacing=h, extent=(1.0, 0.5))
    tr3 = B.cut_feature(B.plane(g3, "Si"), "trench", width=0.6, depth=0.5, symmetry="half")
    ref = B.cut_feature(B.plane(Grid(dimension=3, spacing=h, extent=(2.0, 0.5)), "Si"),
                        "trench", width=0.6, depth=0.5)
    assert np.abs(B.unfold(tr3, "half").phi - ref.phi).max() < 1e-12
    # a half opening may be up to the whole extent wide from its centre plane
    B.cut_feature(B.plane(g2, "Si"), "trench", width=1.8, depth=0.5, symmetry="half")
    with pytest.raises(RecipeError, match="does not fit"):
        B.cut_feature(B.plane(g2, "Si"), "trench", width=2.1, depth=0.5, symmetry="half")


def test_quarter_hole_matches_full_hole():
    """3D: isotropic deposition into a quarter hole = into the full hole (metrics, amounts)."""
    h = 0.1
    hole = {"type": "hole", "radius": "0.4 um", "depth": "0.5 um", "taper": "2 deg"}
    steps = [{"deposit": {"model": "isotropic", "material": "SiO2", "rate": "0.1 um/min",
                          "time": "0.6 min"}}]
    full = run_recipe(recipe_from_dict(_recipe("full", 2.0, steps, dim=3, feature=hole, h=h)),
                      RunContext(seed=1, threads=1))
    part = run_recipe(recipe_from_dict(_recipe("quarter", 1.0, steps, dim=3, feature=hole, h=h)),
                      RunContext(seed=1, threads=1))
    assert full["film_sidewall_right_m"] > 0 and full["cd_middle_m"] > 0
    _compare(full, part, h)


def test_half_trench_matches_full_trench_2d(tmp_path):
    """2D: directional + isotropic etch and a liner in a half trench = the full trench,
    including profile.csv (unfolded, through the feature centre)."""
    h = 0.05
    trench = {"type": "trench", "width": "0.6 um", "depth": "0.3 um", "taper": "2 deg"}
    steps = [{"etch": {"model": "directional", "rates": {"Si": "0.5 um/min"},
                       "direction": [0, -1], "time": "0.6 min"}},
             {"etch": {"model": "isotropic", "rates": {"Si": "0.2 um/min"}, "time": "0.3 min"}},
             {"deposit": {"model": "isotropic", "material": "SiO2", "rate": "0.1 um/min",
                          "time": "0.3 min"}}]
    res = {}
    for sym, ext in (("full", 2.0), ("half", 1.0)):
        out = tmp_path / sym
        r = recipe_from_dict(_recipe(sym, ext, steps, dim=2, feature=trench, h=h))
        ctx = RunContext(seed=1, threads=1, out_dir=out)
        res[sym] = (run_recipe(r, ctx),
                    np.loadtxt(out / "profile.csv", delimiter=",", skiprows=1))
    _compare(res["full"][0], res["half"][0], h)
    # into the Si below the 0.2 um mask: 0.1 um cut + 0.3 um directional + 0.06 um
    # isotropic (the 0.03 um liner lies on it and does not count)
    assert res["half"][0]["etch_depth_m"] == pytest.approx(0.46e-6, abs=0.5 * h * 1e-6)
    assert res["half"][0]["mask_remaining_m"] == pytest.approx(0.2e-6, abs=0.5 * h * 1e-6)
    pf, ph = res["full"][1], res["half"][1]
    assert ph[:, 1].min() == pytest.approx(-1e-6) and ph[:, 1].max() == pytest.approx(1e-6)
    assert ph.shape == pf.shape and np.abs(ph - pf).max() < 1e-3 * h * 1e-6


def test_flux_mirror_boundary_quarter_vs_full():
    """single_particle flux (s = 0.1, diffuse re-emission) on a quarter hole equals the full
    hole's within 3σ in the bottom, mid-wall and field regions (same rays per area)."""
    h = 0.1
    res = {}
    for sym, L in (("full", 2.0), ("quarter", 1.0)):
        g = Grid(dimension=3, spacing=h, extent=(L, L))
        s = extract_surface(B.cut_feature(B.plane(g, "Si"), "hole", radius=0.5, depth=1.0,
                                          symmetry=sym))
        f = trace_fluxes(s, [Species(name="p", sticking=0.1)], RunContext(seed=3, threads=2),
                         n_rays=int(300_000 * L * L / 4), keep_chunks=True)["p"]
        c = B.feature_center(g, sym)
        ct = s.centroids
        r = np.hypot(ct[:, 0] - c[0], ct[:, 1] - c[1])
        z = ct[:, 2]
        regions = {"bottom": (z < -0.95) & (r < 0.4),
                   "wall": (np.abs(z + 0.5) < 0.25) & (r > 0.4) & (r < 0.6),
                   "field": z > -0.05}
        res[sym] = {k: f.region_mean(s.areas * m) for k, m in regions.items()}
    for k, (m_full, s_full) in res["full"].items():
        m_q, s_q = res["quarter"][k]
        assert 0 < s_q < 0.02 and 0 < s_full < 0.02
        assert abs(m_q - m_full) < 3 * math.hypot(s_q, s_full), (k, m_q, m_full, s_q, s_full)
    # the hole's walls shadow the bottom: a flux well below the field's (the test can see it)
    assert res["quarter"]["bottom"][0] < 0.85 * res["quarter"]["field"][0]


@pytest.mark.parametrize("dim,sym,kind,boundary,match", [
    (2, "quarter", "trench", "reflective", "3D"),
    (3, "quarter", "hole", "periodic", "reflective"),
    (2, "half", "trench", "periodic", "reflective"),
    (3, "quarter", "trench", "reflective", "half"),
])
def test_bad_combinations_name_the_field(dim, sym, kind, boundary, match):
    feat = ({"type": "hole", "radius": "0.3 um", "depth": "0.3 um"} if kind == "hole"
            else {"type": kind, "width": "0.6 um", "depth": "0.3 um"})
    with pytest.raises(RecipeError, match=match) as e:      # refused when the recipe loads
        recipe_from_dict(_recipe(sym, 2.0, [], dim=dim, feature=feat, h=0.1, boundary=boundary))
    assert e.value.path == "structure.feature.symmetry"
    with pytest.raises(RecipeError) as e:
        recipe_from_dict(_recipe("eighth", 2.0, [], dim=dim, feature=feat, h=0.1))
    assert "structure.feature.symmetry" in str(e.value)


def test_room_rule_counts_the_mirrored_half():
    """A quarter hole needs its radius (not its diameter) to fit in each extent."""
    feat = {"type": "hole", "radius": "0.4 um", "depth": "0.3 um"}
    recipe_from_dict(_recipe("quarter", 0.5, [], dim=3, feature=feat, h=0.05))   # 0.4 < 0.5
    with pytest.raises(RecipeError, match="mirrored") as e:
        recipe_from_dict(_recipe("quarter", 0.35, [], dim=3, feature=feat, h=0.05))
    assert e.value.path == "structure.feature"
    with pytest.raises(RecipeError, match="does not fit"):                       # full: 0.8 > 0.5
        recipe_from_dict(_recipe("full", 0.5, [], dim=3, feature=feat, h=0.05))


def test_trench_opening_is_bounded_by_x_only():
    """A 3D trench is extruded along y: a short y extent is allowed, a short x is not."""
    feat = {"type": "trench", "width": "0.6 um", "depth": "0.3 um"}
    data = _recipe("full", 1.0, [], dim=3, feature=feat, h=0.05)
    data["grid"]["extent"] = ["1.0 um", "0.2 um"]                 # y narrower than the trench
    recipe_from_dict(data)
    data["grid"]["extent"] = ["0.5 um", "1.0 um"]                 # x narrower than the trench
    with pytest.raises(RecipeError, match="does not fit") as e:
        recipe_from_dict(data)
    assert e.value.path == "structure.feature"
