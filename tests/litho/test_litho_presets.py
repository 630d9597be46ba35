"""Presets validate and carry the ICCAD-2013 / EUV numbers (docs/reference-data.md §4)."""
import pytest

from waferlab.errors import RecipeError
from waferlab.litho.presets import preset
from waferlab.litho.spec import LithoSpec
from waferlab.recipe_io import validate_section

MASK = {"type": "grating", "pitch": "128 nm", "duty": 0.5}


def test_iccad2013_preset():
    s = validate_section(LithoSpec, {**preset("iccad2013"), "mask": MASK})
    assert s.optics.wavelength == pytest.approx(193e-9) and s.optics.na == 1.35
    assert s.image.threshold == 0.225 and s.image.pv_dose == 0.02 and s.image.kernels == 24
    assert s.image.pixel == pytest.approx(1e-9) and s.resist.threshold == 0.225


def test_euv_preset_and_unknown():
    s = validate_section(LithoSpec, {**preset("euv"), "mask": MASK})
    assert s.optics.wavelength == pytest.approx(13.5e-9) and s.resist.stochastic is not None
    with pytest.raises(RecipeError, match="known: euv, iccad2013"):
        preset("krf")
