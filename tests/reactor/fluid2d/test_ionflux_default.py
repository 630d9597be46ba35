"""The default positive-ion face flux of the multi-species model (``ion_flux: auto``, session 14):
the pressure form (:mod:`waferlab.reactor.fluid2d.ionflux`) wherever the chemistry has negative
ions, reached by continuation from the Scharfetter–Gummel steady state, and a clean fall-back to
that SG steady state (a RuntimeWarning with the pressure stage's residuals) when it stalls."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from waferlab.reactor.fluid2d.ptc import PLATEAU, ion_flux_of
from waferlab.reactor.spec import ReactorSpec
from waferlab.recipe_io import validate_section


def _setup(key: str, negative_ions: int):
    return SimpleNamespace(settings=SimpleNamespace(ion_flux=key),
                           global_model=SimpleNamespace(neg=np.arange(negative_ions)))


@pytest.mark.parametrize("key, neg, want", [("auto", 2, "pressure"), ("auto", 0, "sg"),
                                            ("pressure", 0, "pressure"), ("scharfetter_gummel", 2, "sg")])
def test_auto_is_the_pressure_form_where_there_are_negative_ions(key, neg, want):
    assert ion_flux_of(_setup(key, neg)) == want


def test_the_default_key_is_auto_and_bad_keys_name_the_field():
    from waferlab.errors import RecipeError

    base = {"model": "fluid2d", "chamber": {"radius": "15 cm", "length": "20 cm"}, "pressure": "10 mTorr",
            "gases": {"SF6": "50 sccm"}, "source": {"power": "500 W"}}
    from waferlab.reactor.fluid2d.spec import Fluid2DSpec

    assert Fluid2DSpec().ion_flux == "auto"
    assert validate_section(ReactorSpec, {**base, "fluid2d": {"gas_heating": False}}, "reactor").fluid2d.ion_flux \
        == "auto"
    with pytest.raises(RecipeError, match="ion_flux"):
        validate_section(ReactorSpec, {**base, "fluid2d": {"ion_flux": "upwind"}}, "reactor")


def _ten_mtorr(ion_flux: str):
    """SF6/O2 50/10 sccm, 10 mTorr, 500 W on 8 × 10 without gas heating (the recipe of
    test_multi.make): until session 15 its pressure stage stalled (the SG step control cut Δt
    while the residual rose through the transient); it now converges."""
    return validate_section(ReactorSpec, {
        "model": "fluid2d", "chamber": {"radius": "15 cm", "length": "20 cm", "wafer_radius": "10 cm"},
        "pressure": "10 mTorr", "gases": {"SF6": "50 sccm", "O2": "10 sccm"}, "source": {"power": "500 W"},
        "chemistry": "sf6o2", "fluid2d": {"mesh": {"nr": 8, "nz": 10}, "gas_heating": False,
                                          "max_iterations": 300, "ion_flux": ion_flux}}, "reactor")


@pytest.mark.slow
def test_a_stalled_pressure_stage_falls_back_to_the_sg_steady_state_with_a_warning(monkeypatch):
    """A pressure stage that stalls (forced here: PLATEAU = 3 steps, so the stage's transient,
    which lasts ≈ 15 steps, reads as a stall) hands back the SG steady state: a RuntimeWarning
    that names the stage and its residuals, and the result is exactly the SG steady state (the
    same unknowns to the last bit as ``ion_flux: scharfetter_gummel``), marked as such — never a
    silent non-converged state and no 300-step run-on."""
    from waferlab.reactor.fluid2d import ptc
    from waferlab.reactor.fluid2d.model import solve_fluid2d

    monkeypatch.setattr(ptc, "PLATEAU", 3)
    with pytest.warns(RuntimeWarning, match="pressure form did not converge"):
        fb = solve_fluid2d(_ten_mtorr("auto"))
    sg = solve_fluid2d(_ten_mtorr("scharfetter_gummel"))
    assert fb.ion_flux == "sg" and sg.ion_flux == "sg"
    assert 3 < len(fb.ion_flux_fallback) < PLATEAU
    assert min(fb.ion_flux_fallback) > fb.setup.settings.tolerance
    assert np.array_equal(fb.x, sg.x) and fb.residual_history == sg.residual_history
    assert PLATEAU == 40


@pytest.mark.slow
def test_the_10_mtorr_recipe_reaches_the_pressure_form_and_its_r_check_warns_only_when_it_should():
    """The 10 mTorr 8 × 10 recipe (whose pressure stage stalled until session 15) converges in the
    pressure form, closes the element balance and gives no r warning (its z check warns): its r error estimate
    (:mod:`waferlab.reactor.fluid2d.rcheck`, from the solve on 4 columns) is 1.9 % (the true r error
    of its centre flux, against the limit of n_r = 4/8/16: +1.1 %).  On 4 × 10 (true error +5.7 %)
    the estimate, from 2 columns, is above 5 % and the run warns.  The old first-face check, which
    measured what the negative ions' SG flux adds, reads several hundred per cent on both.  The
    check's 4-column solve, started from the 8-column state, is the 4 × 10 mesh's own steady state
    (the same wafer flux as the plain 4 × 10 solve, to the tolerance)."""
    import warnings

    from waferlab.reactor.fluid2d.model import solve_fluid2d
    from waferlab.reactor.fluid2d.multi import WAFER_EXCESS
    from waferlab.reactor.fluid2d.rcheck import SAFETY

    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = solve_fluid2d(_ten_mtorr("auto"))
    # session 15 (sf6z): the z check warns, and only it — the uniform 20 mm rows read ≥ 8 % low
    # (8 × 20 / 8 × 40 give +8.9 / +11.9 %); its solve on every other z face (8 × 5) is below the fine one
    rw = [str(x.message) for x in w if issubclass(x.category, RuntimeWarning)]
    assert len(rw) == 1 and "estimated z discretisation error" in rw[0], rw
    assert r.ion_flux == "pressure" and r.ion_flux_fallback == ()
    assert all(abs(v) < 1e-6 for v in r.element_balance.values())
    ps = r.potential_steps
    assert ps["r_error_coarse_mesh"] == [4, 10] and 0.01 < ps["r_error"] < WAFER_EXCESS == 0.05
    assert ps["z_error_coarse_mesh"] == [8, 5] and ps["z_error"] > 2 * WAFER_EXCESS and ps["z_error_centre"] < 0
    assert ps["wafer_face_excess"] > 1.0                     # the old check would have warned
    gm = r.setup.global_model
    G_h = r.wall_flux[1][gm.pos].sum(axis=0)
    A = r.setup.mesh.ring_area
    G_h0 = (G_h[:2] * A[:2]).sum() / A[:2].sum()
    coarse_from_check = G_h0 * (1.0 + 3.0 * ps["r_error_centre"])
    spec4 = _ten_mtorr("auto")
    spec4 = spec4.model_copy(update={"fluid2d": spec4.fluid2d.model_copy(update={
        "mesh": spec4.fluid2d.mesh.model_copy(update={"nr": 4})})})
    with pytest.warns(RuntimeWarning, match=r"estimated r discretisation error of 5\.\d %") as w4:
        r4 = solve_fluid2d(spec4)
    assert not [x for x in w4 if "did not converge" in str(x.message) or "sheath edge" in str(x.message)]
    assert r4.ion_flux == "pressure" and r4.potential_steps["r_error"] > WAFER_EXCESS
    assert r4.potential_steps["r_error"] == pytest.approx(SAFETY * abs(r4.potential_steps["r_error_centre"]))
    assert r4.wall_flux[1][gm.pos].sum(axis=0)[0] == pytest.approx(coarse_from_check, rel=1e-3)
