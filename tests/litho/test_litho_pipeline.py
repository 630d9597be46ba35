"""Hand-off to process steps: resist_cross_section / resist_height_map."""
import numpy as np

from waferlab.context import RunContext
from waferlab.litho.pipeline import resist_cross_section, resist_height_map
from waferlab.litho.spec import LithoSpec
from waferlab.recipe_io import validate_section

BASE = {"optics": {"wavelength": "193 nm", "na": 0.75, "source": {"shape": "circular", "sigma": 0.0}},
        "mask": {"type": "grating", "pitch": "400 nm", "duty": 0.5, "clear": "spaces"},
        "image": {"pixel": "2 nm"}}


def test_threshold_cross_section_edges_are_exact():
    """Coherent 1:1 grating: I = 0.25 exactly at x = +-p/4, so a threshold of 0.25 prints
    200 nm lines centred at x = p/2 (+ k p)."""
    spec = validate_section(LithoSpec, {**BASE, "resist": {"thickness": "100 nm", "threshold": 0.25}})
    x = np.array([0.0, 99.9, 100.1, 200.0, 299.9, 300.1, 400.0, -100.1]) * 1e-9
    h = resist_cross_section(spec, RunContext(), x)
    assert np.allclose(h, np.array([0, 0, 1, 1, 1, 0, 0, 1]) * 100e-9, rtol=0, atol=1e-15)


def test_full_chain_cross_section_and_height_map():
    spec = validate_section(LithoSpec, {**BASE, "resist": {
        "thickness": "90 nm", "mode": "full", "dose": "12 mJ/cm^2", "dz": "3 nm",
        "dill": {"A": "0.05 1/um", "B": "0.2 1/um", "C": "0.05 cm^2/mJ"},
        "peb": {"time": "60 s", "acid_diffusivity": "8e-15 cm^2/s"}}})
    x = np.linspace(-200e-9, 200e-9, 81)
    h = resist_cross_section(spec, RunContext(), x)
    assert h[40] == 0.0                                 # space centre cleared
    assert 80e-9 < h[0] <= 90e-9                        # line centre kept (minus dark loss)
    assert np.allclose(h, h[::-1], atol=2e-9)           # symmetric about the space centre
    hm = resist_height_map(spec, RunContext(), x[::10], np.array([0.0, 5e-9]))
    assert hm.shape == (2, 9) and np.allclose(hm[0], hm[1])


def test_full_chain_3d_contact_hole_is_symmetric():
    spec = validate_section(LithoSpec, {
        "optics": {"wavelength": "193 nm", "na": 0.75, "source": {"shape": "circular", "sigma": 0.5}},
        "mask": {"type": "polygons", "unit": "1 nm", "size": ["384 nm"], "center": ["0 nm", "0 nm"],
                 "polygons": [[[-80, -80], [80, -80], [80, 80], [-80, 80]]]},
        "image": {"pixel": "8 nm", "source_step": 0.2},
        "resist": {"thickness": "60 nm", "mode": "full", "dose": "20 mJ/cm^2", "dz": "4 nm",
                   "dill": {"A": "0.05 1/um", "B": "0.2 1/um", "C": "0.05 cm^2/mJ"},
                   "peb": {"time": "60 s", "acid_diffusivity": "8e-15 cm^2/s"}}})
    c = np.arange(-184, 185, 8) * 1e-9
    hm = resist_height_map(spec, RunContext(), c, c)
    j = len(c) // 2
    assert hm[j, j] == 0.0 and hm[0, 0] > 50e-9             # hole open, field kept
    # fast marching visits nodes in heap order, so mirror images agree to a fraction of dz
    assert np.allclose(hm, hm.T, atol=1e-9) and np.allclose(hm, hm[::-1, ::-1], atol=1e-9)
