"""implant / anneal / oxidize as steps of a process recipe, on the wafer's own geometry."""
from __future__ import annotations

import math

import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.errors import RecipeError
from waferlab.process.doping import Doping, doping_of, node_materials, silicon_nodes
from waferlab.recipe import recipe_from_dict
from waferlab.runner import initial_wafer
from waferlab.thermal.implant import depth_profile, range_moments
from waferlab.thermal.beam import path_si_equivalent

UM = 1e-6


def _recipe(steps, *, dim=2, h="20 nm", extent=("1.2 um", "0.48 um"), layers=(), feature=None,
            doping=None):
    sub = {"material": "Si"}
    if doping:
        sub["doping"] = doping
    st = {"substrate": sub, "layers": list(layers)}
    if feature:
        st["feature"] = feature
    return recipe_from_dict({"name": "t", "grid": {"dimension": dim, "spacing": h,
                                                   "extent": list(extent[:dim - 1])},
                             "structure": st, "steps": steps, "output": {"vtk": False}})


def _run(recipe):
    w = initial_wafer(recipe)
    for s in recipe.leaf_steps:
        w = s.apply(w, RunContext(seed=0))
    return w


def _column(w, d: Doping, j: int, name: str):
    """(depth below the silicon surface, C) of lateral column j (2D)."""
    si = silicon_nodes(w.geometry, d)[j]
    z = d.z[si]
    return -z, d.conc[name][j][si]           # the flat surface is at height 0


@pytest.mark.parametrize("tilt_deg,rot_deg", [(0, 0), (7, 22), (45, 0)])
def test_flat_implant_is_the_1d_profile_along_the_path(tilt_deg, rot_deg):
    """Bare flat Si: the dose is retained and each column is Q/cos θ · f(z/cos θ), f the
    Pearson IV of the range moments (Gibbons et al. 1975): the ion path is z/cos θ long."""
    r = _recipe([{"implant": {"dopant": "B", "dose": "1e14 cm^-2", "energy": "30 keV",
                              "tilt": f"{tilt_deg} deg", "rotation": f"{rot_deg} deg"}}],
                h="5 nm", extent=("0.2 um",))
    w = _run(r)
    d = doping_of(w)
    depth, c = _column(w, d, 10, "B")
    t = math.radians(tilt_deg)
    m = range_moments("B", 30.0)
    want = 1e18 / math.cos(t) * depth_profile(depth / math.cos(t), m, 1.0)
    peak = want.max()
    # the path integral is exact for a planar interface (box sum of the fractional cells),
    # so only the h/4 ray step remains; the top silicon node also holds the sliver of
    # silicon above it (the cell of the node on the surface), so it is left out here
    assert np.max(np.abs(c[:-1] - want[:-1])) < 0.01 * peak
    assert c.sum() * 5e-9 == pytest.approx(1e18, rel=2e-3)


def test_flat_implant_3d_tilted_and_rotated():
    """The same check in 3D, the beam tilted 30 deg and rotated 45 deg out of the x axis."""
    r = _recipe([{"implant": {"dopant": "P", "dose": "1e14 cm^-2", "energy": "50 keV",
                              "tilt": "30 deg", "rotation": "45 deg"}}],
                dim=3, h="10 nm", extent=("0.1 um", "0.1 um"))
    w = _run(r)
    d = doping_of(w)
    si = silicon_nodes(w.geometry, d)[4, 6]
    depth, c = -d.z[si], d.conc["P"][4, 6][si]
    t = math.radians(30)
    want = 1e18 / math.cos(t) * depth_profile(depth / math.cos(t), range_moments("P", 50.0), 1.0)
    assert np.max(np.abs(c[:-1] - want[:-1])) < 0.01 * want.max()
    assert d.conc["P"].sum() * 1e-24 / 1e-14 == pytest.approx(1e18, rel=3e-3)


def test_path_length_through_a_screen_layer_is_si_equivalent():
    """A 50 nm SiO2 screen adds 50 nm · n_SiO2/n_Si to every path below it (planar
    interfaces at arbitrary heights within the cells); tilted: divided by cos θ."""
    r = _recipe([], h="10 nm", extent=("0.2 um",), layers=[{"material": "SiO2",
                                                             "thickness": "53 nm"}])
    w = initial_wafer(r)
    g = w.geometry
    _, rho, phi_si = node_materials(g, g.z0, g.nz)
    ratio = 2.27e28 / 5.02e28
    for tilt in (0.0, math.radians(30)):
        s = path_si_equivalent(rho, 10e-9, tilt=tilt, rotation=0.0, periodic=False, s_max=1.0)
        j = 5
        z = g.z_coords
        k = np.nonzero(z < -40e-9)[0][-1]
        want = (53e-9 * ratio + (-z[k])) / math.cos(tilt)
        assert s[j, k] == pytest.approx(want, abs=0.02 * 10e-9)


def test_opaque_mask_blocks_and_dose_is_booked():
    """A 600 nm mask over all but a 400 nm opening of a 1.2 um cell: the silicon under the
    mask gets nothing (beyond the lateral straggle), the opening gets the dose, and the
    blocked 2/3 is booked as lost."""
    r = _recipe([{"implant": {"dopant": "B", "dose": "1e14 cm^-2", "energy": "20 keV"}}],
                layers=[{"material": "Mask", "thickness": "600 nm"}],
                feature={"type": "trench", "width": "400 nm", "depth": "600 nm"})
    w = _run(r)
    d = doping_of(w)
    x = w.geometry.grid.lateral_coords(0)
    dose_col = d.conc["B"].sum(axis=1) * 20e-9
    lat = range_moments("B", 20.0).lateral
    assert np.all(dose_col[np.abs(x) > 200e-9 + 6 * lat] < 1e-6 * 1e18)
    assert np.all(dose_col[np.abs(x) < 200e-9 - 4 * lat] == pytest.approx(1e18, rel=0.01))
    total = d.conc["B"].sum() * (20e-9) ** 2 / 1.2e-6
    assert total == pytest.approx(1e18 / 3, rel=0.02)
    assert d.lost_m2["B"] == pytest.approx(1e18 - total, rel=1e-9)


def test_tilted_implant_is_shadowed_by_the_trench_wall():
    """A 400 nm wide, 400 nm deep Si trench, tilt 30 deg along +x: the bottom within
    d·tan θ = 231 nm of the wall the ions come over is in its shadow (no dose), the
    rest of the bottom gets the implant and the wall facing the beam is doped."""
    r = _recipe([{"implant": {"dopant": "As", "dose": "1e14 cm^-2", "energy": "20 keV",
                              "tilt": "30 deg", "rotation": "0 deg"}}],
                h="10 nm", feature={"type": "trench", "width": "400 nm", "depth": "400 nm"})
    w = _run(r)
    d = doping_of(w)
    x = w.geometry.grid.lateral_coords(0)
    z = d.z
    si = silicon_nodes(w.geometry, d)
    bottom = (z > -460e-9) & (z < -400e-9)
    dose_bottom = (d.conc["As"][:, bottom]).sum(axis=1) * 10e-9
    shadow = 400e-9 * math.tan(math.radians(30))
    lat = range_moments("As", 20.0).lateral
    in_trench = np.abs(x) < 200e-9
    # the beam travels towards +x: the wall at x = -200 nm casts the shadow
    shaded = in_trench & (x < -200e-9 + shadow - 4 * lat - 10e-9)
    lit = in_trench & (x > -200e-9 + shadow + 4 * lat + 10e-9) & (x < 200e-9 - 30e-9)
    assert shaded.sum() > 5 and lit.sum() > 5
    assert dose_bottom[shaded].max() < 1e-3 * dose_bottom[lit].min()
    # the right wall (x = +200 nm) faces the beam: its silicon holds dopant; the left does not
    mid = (z > -350e-9) & (z < -50e-9)
    right = (x > 200e-9) & (x < 260e-9)
    left = (x < -200e-9) & (x > -260e-9)
    assert d.conc["As"][np.ix_(right, mid)].sum() > 100 * d.conc["As"][np.ix_(left, mid)].sum()
    assert si[np.ix_(right, mid)].all()


def _junction_recipe(dim, steps_extra=()):
    return _recipe([{"implant": {"dopant": "B", "dose": "5e13 cm^-2", "energy": "15 keV"}},
                    {"anneal": {"temperature": "1000 degC", "time": "10 min",
                                "model": "intrinsic"}}, *steps_extra],
                   dim=dim, h="40 nm", layers=[{"material": "Mask", "thickness": "300 nm"}],
                   feature={"type": "trench", "width": "400 nm", "depth": "500 nm"},
                   doping={"P": "1e16 cm^-3"})


def test_masked_trench_junction_2d_equals_3d_and_spreads_under_the_mask():
    """Implant through the mask opening into the bottom of a trench, anneal: a junction
    under the opening, the p region reaching under the mask edge, and the 3D domain
    (trench extruded along y) gives the 2D cross-section (to 1e-6 of the peak: the 3D
    linear solver is iterative)."""
    w2 = _run(_junction_recipe(2))
    w3 = _run(_junction_recipe(3))
    d2, d3 = doping_of(w2), doping_of(w3)
    # 3D solves with Jacobi-GMRES (relative residual 1e-11), 2D with SuperLU
    np.testing.assert_allclose(d3.conc["B"], np.repeat(d2.conc["B"][:, None, :],
                                                       d3.shape[1], axis=1),
                               rtol=0, atol=1e-6 * d2.conc["B"].max())
    net = d2.conc["P"] - d2.conc["B"]
    si = silicon_nodes(w2.geometry, d2)
    x = w2.geometry.grid.lateral_coords(0)
    z = d2.z
    # under the opening (centre column): p at the trench bottom, n deeper
    j = np.argmin(np.abs(x))
    col = np.nonzero(si[j])[0]
    assert net[j, col[-1]] < 0 and net[j, col[0]] > 0
    # lateral spread: p-type silicon under the mask (|x| > 200 nm), beside the trench
    beside = (np.abs(x) > 200e-9)[:, None] & si & (z[None, :] < -200e-9)
    p_beside = beside & (net < 0)
    assert p_beside.any()
    reach = np.abs(x)[np.nonzero(p_beside)[0]].max() - 200e-9
    # the junction depth below the bottom, and the lateral reach past the wall:
    # comparable (2D diffusion from the bottom corner), neither more than the other by 2x
    from waferlab.process.doping import doping_metrics
    xj = doping_metrics(w2)["junction_depth_m"]
    assert 0.3 * xj < reach < 1.2 * xj


def test_recipe_errors_name_the_field():
    base = {"dopant": "B", "dose": "1e14 cm^-2", "energy": "30 keV"}
    with pytest.raises(RecipeError) as e:
        _recipe([{"implant": dict(base, dose=1e14)}])
    assert "steps[0].implant.dose" in str(e.value)
    with pytest.raises(RecipeError) as e:
        _recipe([{"implant": dict(base, energy="5 MeV")}])
    assert "steps[0].implant.energy" in str(e.value) and "range table" in str(e.value)
    with pytest.raises(RecipeError) as e:
        _recipe([{"anneal": {"profile": [["0 s", "600 degC"], ["10 s", "1000 degC"],
                                         ["5 s", "700 degC"]]}}])
    assert "steps[0].anneal.profile[2]" in str(e.value) and "back in time" in str(e.value)
    with pytest.raises(RecipeError) as e:
        _recipe([{"implant": dict(base, dopant="Ga")}])
    assert "steps[0].implant.dopant" in str(e.value)
    with pytest.raises(RecipeError) as e:
        recipe_from_dict({"name": "t", "grid": {"dimension": 2, "spacing": "20 nm",
                                                "extent": ["1 um"]},
                          "structure": {"substrate": {"material": "Si",
                                                      "doping": {"Q": "1e16 cm^-3"}}}})
    assert "structure.substrate.doping" in str(e.value)


def _surface_height(g, k, j):
    z = g.z_coords
    p = g.phi[k][j]
    i = np.nonzero(p < 0)[0][-1]
    return z[i] + (z[i + 1] - z[i]) * p[i] / (p[i] - p[i + 1])


def test_oxidation_consumes_silicon_by_deal_grove():
    """Flat Si, wet 1000 degC: the oxide is the analytic Deal–Grove thickness (Deal & Grove
    1965); the silicon surface moves down 0.44 x, the oxide top up 0.56 x.  Two 10 min
    steps equal one of 20 min (the second starts from the oxide the first grew).  Under a
    nitride mask the silicon stays."""
    from waferlab.thermal.oxidation import oxide_thickness

    ox = {"ambient": "wet", "temperature": "1000 degC"}
    one = _run(_recipe([{"oxidize": dict(ox, time="20 min")}], extent=("0.4 um",)))
    two = _run(_recipe([{"oxidize": dict(ox, time="10 min")}] * 2, extent=("0.4 um",)))
    x = oxide_thickness(1200.0, 1273.15, ambient="wet")
    for w in (one, two):
        g = w.geometry
        assert g.materials == ("Si", "SiO2")
        assert _surface_height(g, 0, 5) == pytest.approx(-0.44 * x, abs=0.01 * 20e-9)
        assert _surface_height(g, 1, 5) == pytest.approx(0.56 * x, abs=0.01 * 20e-9)
    masked = _run(_recipe([{"oxidize": dict(ox, time="20 min")}], extent=("1.2 um",),
                          layers=[{"material": "Si3N4", "thickness": "100 nm"}],
                          feature={"type": "trench", "width": "400 nm", "depth": "100 nm"}))
    g = masked.geometry
    assert g.materials == ("Si", "SiO2", "Si3N4")
    x_lat = g.grid.lateral_coords(0)
    assert _surface_height(g, 0, int(np.argmin(np.abs(x_lat)))) == pytest.approx(-0.44 * x,
                                                                                  abs=0.2e-9)
    assert _surface_height(g, 0, 2) == pytest.approx(0.0, abs=0.2e-9)


def test_doping_checkpoint_and_netcdf(tmp_path):
    """The doping survives a checkpoint bit for bit and doping.nc holds the coordinates,
    one field per dopant and the net doping."""
    import xarray as xr

    from waferlab.io.checkpoint import load_checkpoint, save_checkpoint
    from waferlab.process.doping import write_doping_outputs

    w = _run(_junction_recipe(2))
    save_checkpoint(tmp_path / "c.npz", w, next_step=2, step_time=0.0, recipe_hash="x")
    back = doping_of(load_checkpoint(tmp_path / "c.npz").wafer)
    d = doping_of(w)
    for k in d.conc:
        assert np.array_equal(back.conc[k], d.conc[k])
    write_doping_outputs(tmp_path, w)
    ds = xr.open_dataset(tmp_path / "doping.nc")
    assert set(ds.data_vars) == {"B", "P", "net"}
    assert ds["net"].dims == ("x", "z") and ds["z"].size == d.shape[-1]
    np.testing.assert_array_equal(ds["net"].values, d.conc["P"] - d.conc["B"])
    ds.close()
    assert (tmp_path / "doping.png").stat().st_size > 5000


RESUME = {
    "name": "implant-anneal-resume", "seed": 3,
    "grid": {"dimension": 2, "spacing": "40 nm", "extent": ["1.2 um"]},
    "structure": {"substrate": {"material": "Si", "doping": {"P": "1e16 cm^-3"}},
                  "layers": [{"material": "Mask", "thickness": "300 nm"}],
                  "feature": {"type": "trench", "width": "400 nm", "depth": "500 nm"}},
    "steps": [{"implant": {"dopant": "B", "dose": "5e13 cm^-2", "energy": "15 keV"}}]
    + [{"anneal": {"temperature": "1000 degC", "time": "3 min", "model": "fermi"}},
       {"implant": {"dopant": "As", "dose": "1e14 cm^-2", "energy": "20 keV", "tilt": "7 deg"}},
       {"oxidize": {"ambient": "dry", "temperature": "950 degC", "time": "5 min"}}] * 3,
    "output": {"checkpoint_interval": "0.2 s", "vtk": False, "plot": False},
}


@pytest.mark.slow
def test_sigkill_then_resume_gives_the_same_doping(tmp_path, kill_then_resume):
    """Killed after a checkpoint inside the thermal steps, resumed: the same doping.nc
    (bit for bit) and the same metrics as the uninterrupted run."""
    import json
    import sys

    import xarray as xr
    import yaml

    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(RESUME))
    ref, cut = tmp_path / "ref", tmp_path / "cut"
    cmd = [sys.executable, "-m", "waferlab", "run", str(path), "--quiet", "--threads", "1"]
    kill_then_resume(cmd, ref, cut, "doping.nc", wait_s=300, timeout_s=600)
    a, b = xr.open_dataset(ref / "doping.nc"), xr.open_dataset(cut / "doping.nc")
    for k in ("B", "As", "P", "net"):
        np.testing.assert_array_equal(a[k].values, b[k].values)
    a.close()
    b.close()
    ma = json.loads((ref / "metrics.json").read_text())
    mb = json.loads((cut / "metrics.json").read_text())
    for m in (ma, mb):
        m.pop("wall_time_s")
    assert ma == mb
    assert ma["junction_depth_m"] > 0 and ma["sheet_resistance_ohm_sq"] > 0


def test_resume_mid_recipe_in_process_gives_the_same_doping(tmp_path, monkeypatch, stop_then_resume):
    """The same check without a subprocess: a run stopped right after the checkpoint of
    its third step (an implant: zero process time) resumes to the same doping."""
    import waferlab.runner as runner_mod
    from waferlab.runner import run_recipe

    data = dict(RESUME, steps=RESUME["steps"][:4])
    r = recipe_from_dict(data)
    ref = run_recipe(r, RunContext(seed=3, threads=1, out_dir=tmp_path / "ref"))
    monkeypatch.setattr(runner_mod.time, "perf_counter", lambda c=[0.0]: c.__setitem__(0, c[0] + 1) or c[0])
    ctx = RunContext(seed=3, threads=1, out_dir=tmp_path / "cut")
    got = stop_then_resume(r, ctx, lambda next_step, step_time, wafer: next_step == 2)
    for k in ref:
        if k != "wall_time_s":
            assert got[k] == ref[k], k


def test_locos_birds_beak_on_the_wafer():
    """A 20 nm pad oxide under a 100 nm nitride with a 2 µm opening, wet 1000 degC 30 min
    (thermal/locos.py): the opening grows the Deal–Grove oxide (Deal & Grove 1965; its
    centre is 1 µm ≈ 5 oxidant decay lengths from the edges: within 1 %), the silicon
    under the nitride edge is consumed by 0.44 of the bird's beak, the nitride is lifted
    by 0.56 of it and stays put far under the mask; the metrics carry the beak."""
    from waferlab.process.oxidize import oxidation_metrics
    from waferlab.thermal.oxidation import oxide_thickness

    w = _run(_recipe([{"oxidize": {"ambient": "wet", "temperature": "1000 degC",
                                   "time": "30 min"}}], h="10 nm", extent=("4 um",),
                     layers=[{"material": "SiO2", "thickness": "20 nm"},
                             {"material": "Si3N4", "thickness": "100 nm"}],
                     feature={"type": "trench", "width": "2 um", "depth": "100 nm"}))
    g = w.geometry
    assert g.materials == ("Si", "SiO2", "Si3N4")
    x = g.grid.lateral_coords(0)
    mid = int(np.argmin(np.abs(x)))
    dx = oxide_thickness(1800.0, 1273.15, ambient="wet", initial=20e-9) - 20e-9
    assert _surface_height(g, 0, mid) == pytest.approx(-0.44 * dx, rel=0.01)
    assert _surface_height(g, 1, mid) == pytest.approx(20e-9 + 0.56 * dx, rel=0.01)
    # far under the mask: silicon, pad and nitride where they were
    assert _surface_height(g, 0, 0) == pytest.approx(0.0, abs=0.5e-9)
    assert _surface_height(g, 2, 0) == pytest.approx(120e-9, abs=0.5e-9)
    m = oxidation_metrics(w)
    L = m["birds_beak_length_m"]
    assert len(m["birds_beak_lengths_m"]) == 2 and 50e-9 < L < 1e-6
    # the geometry's beak: silicon consumed under the mask 0.44 Δe(x); the nitride lifted
    j_edge = int(np.argmin(np.abs(x - 1e-6 - 5e-9)))           # first column under it
    sink = -_surface_height(g, 0, j_edge)
    lift = _surface_height(g, 2, j_edge) - 120e-9
    assert lift == pytest.approx(m["nitride_lift_max_m"], rel=0.02)
    assert sink == pytest.approx(0.44 / 0.56 * lift, rel=0.05)
    assert 0.05 * dx < sink / 0.44 < dx                         # a beak, thinner than the field
    beyond = int(np.argmin(np.abs(x - 1e-6 - 2 * L)))          # twice the beak length in
    assert -_surface_height(g, 0, beyond) < 0.1 * 0.44 * dx


@pytest.mark.parametrize("bad,field", [({"ambient": "steam"}, "ambient"),
                                       ({"pressure": "-1 atm"}, "pressure"),
                                       ({"time": "10"}, "time")])
def test_locos_recipe_bad_input_names_the_field(bad, field):
    import yaml
    from pathlib import Path

    d = yaml.safe_load((Path(__file__).parents[2] / "examples" / "locos-birds-beak.yaml")
                       .read_text())
    d["steps"][0]["oxidize"].update(bad)
    with pytest.raises(RecipeError, match=rf"steps\[0\]\.oxidize\.{field}"):
        recipe_from_dict(d)
