"""Wafer map of a plasma_etch step: per-radius reactor states and the feature scale at each.

The 0D reactor's radial profile is the lowest diffusion eigenmode of a cylinder,
Γ_i(r) ∝ J0(2.405 r/R) (Lieberman & Lichtenberg 2005, §5.2), normalised to the global
model's wafer average; the 2D model's profiles are interpolated.  Checks: the hand-off
(centre/edge flux ratio equals the profile's, the ring average equals the wafer
average), the outputs on a tiny recipe, determinism across worker counts, bad input.
"""
from __future__ import annotations

import copy
import csv

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import j0

from waferlab.context import RunContext
from waferlab.errors import RecipeError
from waferlab.process.wafer_map import (CHI01, METRICS, fluid_profile, global_profile,
                                        local_state)
from waferlab.reactor import solve
from waferlab.reactor.spec import ReactorSpec
from waferlab.recipe import recipe_from_dict
from waferlab.recipe_io import validate_section
from waferlab.runner import run_recipe

REACTOR = {"chamber": {"radius": "15 cm", "length": "30 cm", "wafer_radius": "10 cm"},
           "pressure": "10 mTorr", "gases": {"SF6": "100 sccm", "O2": "20 sccm"},
           "source": {"type": "icp", "power": "800 W"},
           "bias": {"frequency": "13.56 MHz", "voltage": "100 V"}}
RUN = {"name": "wm", "grid": {"dimension": 2, "spacing": "50 nm", "extent": ["1 um"]},
       "structure": {"substrate": {"material": "Si"},
                     "layers": [{"material": "Mask", "thickness": "200 nm"}],
                     "feature": {"type": "trench", "width": "400 nm", "depth": "200 nm"}},
       "output": {"vtk": False, "plot": False},
       "steps": [{"plasma_etch": {"model": "sf6o2", "reactor": REACTOR, "rays_per_point": 10,
                                  "time": "4 s", "scheme": "eo",
                                  "wafer_map": {"radii": ["0 mm", "95 mm"]}}}]}


@pytest.fixture(scope="module")
def state():
    return solve(validate_section(ReactorSpec, REACTOR))


def test_global_profile_hand_off(state):
    R, rw = 0.15, 0.10
    prof = global_profile(R, rw)
    c, e = local_state(state, prof, 0.0), local_state(state, prof, 0.095)
    # centre/edge ion flux ratio = J0(0)/J0(χ r/R) of the eigenmode (interpolated: 1e-4)
    assert c.ion_flux_m2s / e.ion_flux_m2s == pytest.approx(1 / j0(CHI01 * 0.095 / R), rel=1e-4)
    for ion in state.ion_species:
        assert c.fluxes_to_wafer_m2s[ion] / e.fluxes_to_wafer_m2s[ion] == pytest.approx(
            c.ion_flux_m2s / e.ion_flux_m2s, rel=1e-12)
    # neutrals uniform, IEDF unchanged
    assert c.fluxes_to_wafer_m2s["F"] == e.fluxes_to_wafer_m2s["F"] == state.fluxes_to_wafer_m2s["F"]
    assert c.ion_energy_mean_eV == state.ion_energy_mean_eV
    # the profile's ring average over the wafer is the global model's wafer average
    avg = quad(lambda r: np.interp(r, prof.r_m, prof.ion) * 2 * r, 0, rw, limit=200)[0] / rw ** 2
    assert avg == pytest.approx(1.0, rel=1e-4)


def test_fluid_profile_hand_off(state):
    """A 2D-model wafer profile (wafer.csv columns): ratios interpolated, averages kept."""
    r = (np.arange(20) + 0.5) * 0.005                       # cell centres to 10 cm
    ring = np.pi * ((r + 0.0025) ** 2 - (r - 0.0025) ** 2)
    G = 1e19 * (1 - 0.6 * (r / 0.1) ** 2)
    F = 2e22 * (1 + 0.2 * (r / 0.1))
    E = 110 + 5 * (r / 0.1)
    prof = fluid_profile({"r_m": r, "ion_flux_m2s": G, "ion_energy_mean_eV": E,
                          "F_flux_m2s": F}, ring)
    w = lambda a: (a * ring).sum() / ring.sum()   # noqa: E731
    c, e = local_state(state, prof, r[0]), local_state(state, prof, r[-1])
    assert c.ion_flux_m2s / e.ion_flux_m2s == pytest.approx(G[0] / G[-1], rel=1e-12)
    assert c.ion_flux_m2s == pytest.approx(state.ion_flux_m2s * G[0] / w(G), rel=1e-12)
    assert c.fluxes_to_wafer_m2s["F"] / e.fluxes_to_wafer_m2s["F"] == pytest.approx(F[0] / F[-1])
    assert c.fluxes_to_wafer_m2s["O"] == state.fluxes_to_wafer_m2s["O"]     # not resolved: uniform
    # the IEDF moves with the local mean energy
    assert e.ion_energy_mean_eV - c.ion_energy_mean_eV == pytest.approx(E[-1] - E[0], abs=1e-6)
    mid = local_state(state, prof, 0.5 * (r[3] + r[4]))
    assert mid.ion_flux_m2s == pytest.approx(state.ion_flux_m2s * 0.5 * (G[3] + G[4]) / w(G))


def _run(data, tmp_path, seed=3):
    m = run_recipe(recipe_from_dict(data), RunContext(seed=seed, threads=1, out_dir=tmp_path))
    with open(tmp_path / "wafer_map.csv") as fh:
        rows = list(csv.DictReader(fh))
    return m, rows


@pytest.mark.slow
def test_wafer_map_outputs(tmp_path, state):
    m, rows = _run(copy.deepcopy(RUN), tmp_path)
    assert (tmp_path / "wafer_map.png").stat().st_size > 10_000
    assert set(("radius_m",) + METRICS) <= set(rows[0])
    r = [float(x["radius_m"]) for x in rows]
    assert r == [0.0, 0.095]
    G = [float(x["ion_flux_m2s"]) for x in rows]
    assert G[0] / G[1] == pytest.approx(1 / j0(CHI01 * 0.095 / 0.15), rel=1e-4)
    d = [float(x["etch_depth_m"]) for x in rows]
    # the edge gets half the ions of the centre: it etches less (ion-enhanced regime)
    assert d[0] > d[1] > 0
    assert m["etch_depth_m"] > 0


@pytest.mark.slow
def test_wafer_map_is_deterministic_across_workers(tmp_path):
    data = copy.deepcopy(RUN)
    _, serial = _run(data, tmp_path / "w1")
    data["steps"][0]["plasma_etch"]["wafer_map"]["workers"] = 2
    _, dask = _run(data, tmp_path / "w2")
    assert serial == dask


@pytest.mark.parametrize("wm,path", [
    ({"radii": ["0 mm", "120 mm"]}, "steps[0].plasma_etch.wafer_map.radii[1]"),
    ({"radii": ["-5 mm"]}, "steps[0].plasma_etch.wafer_map.radii"),
    ({"count": 0}, "steps[0].plasma_etch.wafer_map.count"),
    ({}, "steps[0].plasma_etch.wafer_map"),
])
def test_bad_wafer_maps_name_the_field(wm, path):
    data = copy.deepcopy(RUN)
    data["steps"][0]["plasma_etch"]["wafer_map"] = wm
    with pytest.raises(RecipeError) as err:
        recipe_from_dict(data)
    assert path in str(err.value)


def test_wafer_map_only_on_plasma_etch():
    data = copy.deepcopy(RUN)
    data["steps"] = [{"etch": {"model": "isotropic", "rate": "1 nm/s", "time": "1 s",
                               "wafer_map": {"count": 3}}}]
    with pytest.raises(RecipeError) as err:
        recipe_from_dict(data)
    assert "steps[0].etch.wafer_map" in str(err.value) and "plasma_etch" in str(err.value)


def test_count_spreads_radii_to_the_edge():
    from waferlab.process.wafer_map import WaferMapSpec, map_radii
    assert np.allclose(map_radii(WaferMapSpec(count=3), 0.1), [0, 0.05, 0.1])
    assert np.allclose(map_radii(WaferMapSpec(count=1), 0.1), [0.0])


@pytest.mark.slow
def test_fluid2d_wafer_profile_hand_off():
    """The 2D model's own wafer profile: the per-radius states reproduce its flux ratios and
    their ring average is the wafer-average ReactorState the plasma_etch step uses."""
    from waferlab.process.wafer_map import reactor_profile
    from waferlab.reactor.fluid2d.output import _wafer_cells, reactor_state, wafer_profile
    from waferlab.reactor.fluid2d.model import solve_fluid2d

    spec = validate_section(ReactorSpec, {
        "model": "fluid2d", "chamber": {"radius": "15 cm", "length": "20 cm", "wafer_radius": "10 cm"},
        "pressure": "3 mTorr", "gases": {"Ar": "50 sccm"}, "source": {"power": "400 W"},
        "bias": {"frequency": "13.56 MHz", "voltage": "50 V"},
        "fluid2d": {"mesh": {"nr": 10, "nz": 14}, "gas_heating": False}})
    res = solve_fluid2d(spec)
    st, wp = reactor_state(res), wafer_profile(res)
    ring = res.setup.mesh.ring_area[_wafer_cells(res)]
    prof = reactor_profile(spec)                 # what the step uses (solves the model again)
    r = wp["r_m"]
    loc = [local_state(st, prof, float(x)) for x in r]
    G = np.array([s.ion_flux_m2s for s in loc])
    assert G / G[-1] == pytest.approx(wp["ion_flux_m2s"] / wp["ion_flux_m2s"][-1], rel=1e-9)
    assert (G * ring).sum() / ring.sum() == pytest.approx(st.ion_flux_m2s, rel=1e-9)
    Ar = np.array([s.fluxes_to_wafer_m2s["Ar"] for s in loc])
    assert Ar / Ar[0] == pytest.approx(wp["Ar_flux_m2s"] / wp["Ar_flux_m2s"][0], rel=1e-9)
    E = np.array([s.ion_energy_mean_eV for s in loc])
    assert E - E[0] == pytest.approx(wp["ion_energy_mean_eV"] - wp["ion_energy_mean_eV"][0], abs=1e-6)
