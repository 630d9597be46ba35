"""The coupled argon ICP model: conservation, consistency with the global model, bad input,
non-convergence, and the files of `waferlab reactor` with model: fluid2d."""
from __future__ import annotations

import json

import numpy as np
import pytest

from waferlab.errors import RecipeError, SimulationError
from waferlab.recipe_io import validate_section
from waferlab.reactor.fluid2d.model import solve_fluid2d
from waferlab.reactor.spec import ReactorSpec


def make(**over):
    d = {"model": "fluid2d", "chamber": {"radius": "15 cm", "length": "20 cm", "wafer_radius": "10 cm"},
         "pressure": "3 mTorr", "gases": {"Ar": "50 sccm"}, "source": {"power": "400 W"},
         "fluid2d": {"mesh": {"nr": 10, "nz": 14}, "gas_heating": False}}
    for k, v in over.items():
        if v is None:
            d.pop(k)
        elif isinstance(v, dict) and isinstance(d.get(k), dict):
            d[k] = {**d[k], **v}
        else:
            d[k] = v
    return validate_section(ReactorSpec, d, "reactor")


@pytest.fixture(scope="module")
def argon():
    return solve_fluid2d(make())


def test_power_particle_and_energy_balance_close(argon):
    """∫p dV = P; Σ wall fluxes = ∫ν_iz n dV; P = collisions + walls (to the solver tolerance)."""
    r = argon
    P = 400.0
    assert r.absorbed_power == pytest.approx(P, rel=1e-9)
    from waferlab.reactor.fluid2d.output import particle_balance, reactor_state

    assert abs(particle_balance(r)) < 1e-5

    eb = reactor_state(r).energy_balance
    assert abs(eb["residual"]) < 1e-5 and eb["collisions_W"] > eb["walls_W"] > 0
    assert r.residual_history[-1] < r.setup.settings.tolerance < r.residual_history[0]


def test_density_weighted_T_e_agrees_with_the_global_model(argon):
    """Same chemistry file, same chamber: T_e within 10 % (issue #14)."""
    assert argon.T_e_density_weighted == pytest.approx(argon.global_state.T_e, rel=0.10)
    n = argon.n_e
    assert n.max() > 3 * n[:, 0].min()                    # a profile, not a uniform plasma
    assert 0.3 < argon.n_e_avg / (argon.global_state.n_e * 0.5) < 3.0


@pytest.mark.parametrize("over, path", [
    ({"fluid2d": {"coil": {"radii": ["5 cm", "20 cm"]}}}, "reactor.fluid2d.coil.radii[1]"),
    ({"fluid2d": {"mesh": {"nr": 10, "nz": 14, "window_cell": "4 cm"}}}, "reactor.fluid2d.mesh.window_cell"),
    ({"loading": [{"species": "Ar", "probability": 0.1, "area": "1 cm^2"}]}, "reactor.loading"),
    ({"fluid2d": {"coil": {"type": "cylindrical", "heights": ["5 cm", "25 cm"]}}}, "reactor.fluid2d.coil.heights[1]"),
    ({"fluid2d": {"coil": {"type": "cylindrical", "radii": ["5 cm"]}}}, "reactor.fluid2d.coil.radii"),
])
def test_bad_input_names_the_field(over, path):
    with pytest.raises(RecipeError) as exc:
        solve_fluid2d(make(**over))
    assert str(exc.value).startswith(path)


def test_cylindrical_coil_heats_at_the_side_wall():
    """Coil around a dielectric side wall: the power sits in a skin layer at r = R, between
    the lowest and highest turn, and still integrates to the recipe's power."""
    r = solve_fluid2d(make(fluid2d={"coil": {"type": "cylindrical", "heights": ["8 cm", "12 cm"]},
                                    "mesh": {"nr": 14, "nz": 12}, "gas_heating": False}))
    m = r.setup.mesh
    assert r.absorbed_power == pytest.approx(400.0, rel=1e-9)
    w = r.power * m.volume
    r_c = float((w.sum(axis=1) * m.r).sum() / w.sum())
    z_c = float((w.sum(axis=0) * m.z).sum() / w.sum())
    assert r_c > 0.85 * 0.15 and 0.08 < z_c < 0.12
    assert r.T_e_density_weighted == pytest.approx(r.global_state.T_e, rel=0.10)


def test_fluid2d_settings_without_the_model_are_refused():
    with pytest.raises(RecipeError, match=r"reactor: .*add model: fluid2d"):
        make(model="global")


def test_wafer_larger_than_the_chamber_is_refused():
    with pytest.raises(RecipeError, match=r"reactor\.chamber.*wafer_radius"):
        make(chamber={"radius": "15 cm", "length": "20 cm", "wafer_radius": "16 cm"})


def test_skin_depth_error_gives_the_numbers():
    with pytest.raises(RecipeError, match=r"cannot resolve the skin depth \d"):
        solve_fluid2d(make(fluid2d={"mesh": {"nr": 10, "nz": 14, "window_cell": "4 cm"}}))


def test_a_coarse_window_cell_warns_with_the_numbers():
    """δ ≈ 13 mm here: a 6 mm window cell is accepted (< 2δ/3) with a warning (> δ/3)."""
    with pytest.warns(RuntimeWarning,
                      match=r"window cell 6 mm resolves the skin depth (of the solution, )?\d+(\.\d+)? mm"):
        solve_fluid2d(make(fluid2d={"mesh": {"nr": 10, "nz": 14, "window_cell": "6 mm"}, "gas_heating": False,
                                    "max_iterations": 300}))


def test_non_convergence_reports_the_residual_history():
    with pytest.raises(SimulationError, match=r"residual history: \d\.\d\de[+-]\d\d") as err:
        solve_fluid2d(make(fluid2d={"mesh": {"nr": 10, "nz": 14}, "max_iterations": 3}))
    shown = str(err.value).split("residual history: ")[1].split(", ")
    assert "..." not in str(err.value) and len(shown) == 3       # 3 steps, each shown once


def test_a_long_residual_history_shows_its_first_three_and_last_eight_values():
    from waferlab.reactor.fluid2d.model import residual_history_text
    text = residual_history_text([float(k) for k in range(1, 21)])
    assert text.startswith("1.00e+00, 2.00e+00, 3.00e+00 ... 1.30e+01,") and text.endswith("2.00e+01")
    assert residual_history_text([1.0] * 11).count("1.00e+00") == 11


def test_a_stopped_run_resumes_from_its_checkpoint(argon, tmp_path):
    ck = tmp_path / "ck.npz"
    with pytest.raises(SimulationError):
        solve_fluid2d(make(fluid2d={"mesh": {"nr": 10, "nz": 14}, "gas_heating": False, "max_iterations": 6}),
                      checkpoint=ck)
    r = solve_fluid2d(make(), checkpoint=ck, resume=True)
    assert r.residual_history[:6] == pytest.approx(argon.residual_history[:6], rel=1e-6)
    assert len(r.residual_history) == pytest.approx(len(argon.residual_history), abs=1)
    assert r.T_e_density_weighted == pytest.approx(argon.T_e_density_weighted, rel=1e-6)
    with pytest.raises(RecipeError, match="another reactor recipe"):
        solve_fluid2d(make(pressure="5 mTorr"), checkpoint=ck, resume=True)


@pytest.mark.slow
def test_cli_writes_fields_wafer_csv_png_and_json(tmp_path):
    import xarray as xr

    from waferlab.reactor.cli import run_reactor

    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "name: t\nreactor:\n  model: fluid2d\n  chamber: {radius: 15 cm, length: 20 cm, wafer_radius: 10 cm}\n"
        "  pressure: 3 mTorr\n  gases: {Ar: 50 sccm}\n  source: {power: 400 W}\n"
        "  bias: {frequency: 13.56 MHz, voltage: 80 V}\n"
        "  fluid2d: {mesh: {nr: 10, nz: 14}}\n")
    out = run_reactor(recipe, tmp_path / "out", quiet=True)
    with xr.open_dataset(tmp_path / "out" / "fields.nc", engine="h5netcdf") as ds:
        assert set(ds.coords) == {"r_m", "z_m"}
        for v in ("n_e_m3", "T_e_eV", "phi_V", "power_W_m3", "gas_temperature_K", "Ar_m3", "Ar+_m3"):
            assert ds[v].shape == (10, 14), v
        assert float(ds["gas_temperature_K"].max()) > 300.0          # gas heating on by default
    head = (tmp_path / "out" / "wafer.csv").read_text().splitlines()
    assert head[0] == "r_m,ion_flux_m2s,ion_energy_mean_eV,Ar_flux_m2s"
    rows = np.array([[float(x) for x in line.split(",")] for line in head[1:]])
    assert rows[-1, 0] < 0.10 and np.all(rows[:, 1] > 0)
    assert np.all(rows[:, 2] > 80)                                 # T_e/2 + V̄(80 V) > 80 eV
    data = json.loads((tmp_path / "out" / "reactor.json").read_text())
    from waferlab.reactor import solve
    glob = solve(make(model="global", fluid2d=None)).to_json()
    assert set(glob) <= set(data)
    assert data["fluid2d"]["absorbed_power_W"] == pytest.approx(400.0, rel=1e-9)
    assert abs(data["fluid2d"]["particle_balance"]) < 1e-5
    edge = data["fluid2d"]["wafer_ion_flux_edge_to_centre"]
    assert edge == pytest.approx(rows[-1, 1] / rows[0, 1]) and 0 < edge < 1      # peaked on the axis
    assert data["fluid2d"]["wafer_ion_flux_nonuniformity"] == pytest.approx((1 - edge) / (1 + edge))
    assert (tmp_path / "out" / "reactor.png").stat().st_size > 20000
    assert (tmp_path / "out" / "fluid2d_checkpoint.npz").is_file()
    assert out["T_e_eV"] == data["T_e_eV"]


def test_plasma_etch_entry_point_uses_the_2d_model(argon):
    """reactor.solve(spec) with model: fluid2d returns the wafer averages of the 2D fields."""
    from waferlab.reactor import solve

    st = solve(make())
    assert st.T_e_eV == pytest.approx(argon.T_e_density_weighted, rel=1e-6)


# --- graded mesh: defaults, bad values
@pytest.mark.parametrize("mesh, path", [
    ({"nr": 10, "nz": 14, "wafer_cell": "0 mm"}, "reactor.fluid2d.mesh.wafer_cell"),
    ({"nr": 10, "nz": 14, "wafer_cell": "3 cm"}, "reactor.fluid2d.mesh.wafer_cell"),      # L/nz = 1.43 cm
    ({"nr": 10, "nz": 14, "wall_cell": "-1 mm"}, "reactor.fluid2d.mesh.wall_cell"),
    ({"nr": 10, "nz": 14, "wall_cell": "2 cm"}, "reactor.fluid2d.mesh.wall_cell"),        # R/nr = 1.5 cm
    ({"nr": 10, "nz": 14, "wafer_cell": "0.1 mm"}, "reactor.fluid2d.mesh.nz"),            # growth > 1.6
    ({"nr": 10, "nz": 14, "wall_cell": "0.1 mm"}, "reactor.fluid2d.mesh.nr"),
    ({"nr": 10, "nz": 14, "graded": False, "wafer_cell": "2 mm"}, "reactor.fluid2d.mesh"),
])
def test_bad_mesh_cells_name_the_field(mesh, path):
    with pytest.raises(RecipeError) as exc:
        solve_fluid2d(make(fluid2d={"mesh": mesh, "gas_heating": False}))
    assert str(exc.value).startswith(path)


def test_default_mesh_is_graded_towards_the_wafer_and_the_window():
    from waferlab.reactor.fluid2d.mesh import max_growth
    from waferlab.reactor.fluid2d.model import build

    setup, _ = build(make(fluid2d={"mesh": {"nr": 24, "nz": 32}, "gas_heating": False}))
    m = setup.mesh
    assert m.dz[0] == pytest.approx(0.25 * 0.2 / 32, rel=1e-5)                  # wafer_cell = L/(4 nz)
    assert m.dz[-1] <= 0.25 * 0.2 / 32 * (1 + 1e-5) and m.dz[-1] <= setup.skin_depth_m / 4 * (1 + 1e-5)
    assert np.allclose(np.diff(m.r_faces), 0.15 / 24) and max_growth(m.z_faces) < 1.6
    given, _ = build(make(fluid2d={"mesh": {"nr": 24, "nz": 32, "wafer_cell": "2 mm", "wall_cell": "3 mm"},
                                   "gas_heating": False}))
    assert given.mesh.dz[0] == pytest.approx(2e-3, rel=1e-5) and given.mesh.dr[-1] == pytest.approx(3e-3, rel=1e-5)
    old, _ = build(make(fluid2d={"mesh": {"nr": 24, "nz": 32, "graded": False}, "gas_heating": False}))
    assert old.mesh.dz[0] == old.mesh.dz.max() and old.mesh.dz[0] > 5 * m.dz[0]      # graded: false, as before
