"""Mask and resist erosion in the ``sf6o2`` model (``atomic.mask_erosion``).

Reference: the closed form on an open flat surface, ER = Γ_i⟨Y_sp⟩/ρ + V_O Γ_O, with
V_O = 3.0e-24 cm³ per O atom (polyimide erosion yield, Banks, de Groh & Miller,
NASA/TM-2004-213223, 2004) and the peer's mask sputter yield; the traced speed must equal
it within 3σ of the Monte Carlo mean, and a full etch step must recede by ER·t within
the level-set interface accuracy."""
import numpy as np
import pytest

from waferlab.atomic.mask_erosion import (KAPTON_O_EROSION_YIELD, MaskErosion,
                                          default_mask_erosion, flat_mask_erosion_rate)
from waferlab.context import RunContext
from waferlab.errors import RecipeError
from waferlab.feature.surface import Surface
from etch_cases import PEER_HOLE, spec as _spec
from waferlab.runner import run_recipe_dict

MATS = ("Si", "Mask", "Resist")


def _flat(n, L, material):
    """A flat 2D surface of ``n`` segments of ``material`` at y = 0, vacuum above."""
    x = np.linspace(-L / 2, L / 2, n + 1)
    pts = np.c_[x, np.zeros_like(x)]
    el = np.c_[np.arange(n), np.arange(1, n + 1)]
    return Surface(points=pts, elements=el, normals=np.tile([0.0, 1.0], (n, 1)),
                   materials=np.full(n, material, np.int32), material_names=MATS,
                   lateral_bounds=((-L / 2, L / 2),), boundary="reflective")


def _analytic(spec, material="Resist"):
    p = spec.parameters()
    law = default_mask_erosion(material, 1.0e28)
    return flat_mask_erosion_rate(law, spec._beam(), ion_flux=p.ion_flux, o_flux=p.oxygen_flux)


def test_resist_is_eroded_by_default_with_sputtering_and_ashing():
    spec = _spec(PEER_HOLE)
    m = spec.build(kind="etch", materials=MATS, target=None).model
    assert set(m.masks) == {"Mask", "Resist"}           # not listed by hand
    er = _analytic(spec)
    p = spec.parameters()
    ashing = KAPTON_O_EROSION_YIELD * p.oxygen_flux
    sputter = p.ion_flux * spec._beam().flat_yield(m.masks["Resist"].yield_) / 1.0e28
    assert er == pytest.approx(ashing + sputter, rel=1e-12)
    assert 0 < sputter < ashing                          # O ashing dominates in SF6/O2
    assert m.flat_speed("Resist") == pytest.approx(-er, rel=1e-9)
    # the hard mask keeps the peer's sputter-only law
    assert m.flat_speed("Mask") == pytest.approx(
        -p.ion_flux * spec._beam().flat_yield(p.mask_yield()) / p.mask_density, rel=1e-9)


def test_traced_flat_resist_speed_equals_the_closed_form():
    n, L = 200, 1e-6
    spec = _spec(PEER_HOLE)
    model = spec.build(kind="etch", materials=MATS, target=None)
    s = _flat(n, L, 2)
    st = model.prepare(s, RunContext(seed=3), 0.0)
    v = model.speed(st, s.centroids, s.normals, s.materials)
    ref = -_analytic(spec)
    # σ: the scatter over elements, plus the ions' sputter-yield error as the traced
    # batch-means σ of one element (conservative: the stratified launch correlates the
    # elements' ion errors, so v.std() alone understates it once the neutrals are exact)
    ion = st.result.fluxes["ion"]
    s_ion = spec.parameters().ion_flux * float(np.mean(ion.yields_stderr["sp"])) / 1.0e28
    sigma = np.hypot(v.std() / np.sqrt(n), s_ion)
    assert abs(v.mean() - ref) < 3 * sigma + 1e-6 * abs(ref), (v.mean(), ref, sigma)


def test_o_erosion_yield_and_masks_keys():
    spec = _spec({**PEER_HOLE, "O_erosion_yield": {"Resist": "0 cm^3"}})
    m = spec.build(kind="etch", materials=MATS, target=None).model
    p = spec.parameters()
    assert m.flat_speed("Resist") == pytest.approx(
        -p.ion_flux * spec._beam().flat_yield(m.masks["Resist"].yield_) / 1e28, rel=1e-9)
    m2 = _spec({**PEER_HOLE, "masks": ["Mask"]}).build(kind="etch", materials=MATS,
                                                         target=None).model
    assert m2.flat_speed("Resist") == 0.0                # listed masks only: resist inert
    with pytest.raises(RecipeError, match="O_erosion_yield"):
        _spec({**PEER_HOLE, "O_erosion_yield": {"Si": "1e-24 cm^3"}}).build(
            kind="etch", materials=MATS, target=None)
    with pytest.raises(ValueError):
        MaskErosion(sputter=m.masks["Resist"].yield_, density=1e28, o_erosion=-1.0)


def test_resist_layer_recedes_at_the_model_rate_in_an_etch_step(tmp_path):
    """Acceptance (issue 21): resist in an SF6/O2 plasma erodes at the rate the model's
    parameters give.  Flat 100 nm resist on Si, 2 s: the mean recession of the surface
    (profile.csv) = ER·t within 0.3 h (the level-set interface accuracy; the Monte Carlo
    noise of the mean is < 1 % at 50 rays/point).  ``etch_depth_m`` is the deepest point,
    biased by the noise: it is only checked to lie within 1 h."""
    h, t = 10e-9, 2.0
    recipe = {"name": "resist-flat", "seed": 1,
              "grid": {"dimension": 2, "spacing": "10 nm", "extent": ["100 nm"],
                       "boundary": "periodic"},
              "structure": {"substrate": {"material": "Si"},
                            "layers": [{"material": "Resist", "thickness": "100 nm"}]},
              "steps": [{"etch": {**PEER_HOLE, "rays_per_point": 50, "time": f"{t} s"}}]}
    m = run_recipe_dict(recipe, seed=1, out_dir=tmp_path)
    er = _analytic(_spec(PEER_HOLE))
    y = np.loadtxt(tmp_path / "profile.csv", delimiter=",", skiprows=1)[:, 2]
    # the surface as built: etch_depth_m is measured from it to the lowest column height,
    # which is the lowest vertex of the linear contour
    top0 = y.min() + m["etch_depth_m"]
    assert top0 == pytest.approx(100e-9, abs=0.1 * h)          # 100 nm resist on Si at 0
    assert top0 - y.mean() == pytest.approx(er * t, abs=0.3 * h), (top0 - y.mean(), er * t)
    assert m["etch_depth_m"] == pytest.approx(er * t, abs=h)
