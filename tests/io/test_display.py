"""Engineering units on the console: one conversion per key suffix (waferlab.io.display)."""
from __future__ import annotations

import pytest

from waferlab.io.display import engineering, metric_rows


@pytest.mark.parametrize("key, si, name, value, unit", [
    ("etch_depth_m", 4.8e-7, "etch_depth", 480.0, "nm"),
    ("film_field_m", 2.5e-5, "film_field", 25.0, "µm"),
    ("flat_etch_rate_m_s", 1e-8, "flat_etch_rate", 600.0, "nm/min"),
    ("ion_flux_m2s", 6.5e18, "ion_flux", 6.5e14, "cm⁻² s⁻¹"),
    ("n_e_avg_m3", 7.3e15, "n_e_avg", 7.3e9, "cm⁻³"),
    ("surface_concentration_m3", 1e26, "surface_concentration", 1e20, "cm⁻³"),
    ("dose_m2", 1e19, "dose", 1e15, "cm⁻²"),
    ("void_size_m2", 3.3e-14, "void_size", 0.033, "µm²"),
    ("void_size_m3", 1e-22, "void_size", 1e5, "nm³"),
    ("pressure_Pa", 1.33322, "pressure", 10.0, "mTorr"),
    ("sidewall_angle_deg", 88.6, "sidewall_angle", 88.6, "°"),
    ("T_e_eV", 4.7, "T_e", 4.7, "eV"),
    ("pinch_off_time_s", 86.0, "pinch_off_time", 86.0, "s"),
    ("step_coverage", 0.8, "step_coverage", 0.8, ""),
])
def test_engineering_units(key, si, name, value, unit):
    n, v, u = engineering(key, si)
    assert (n, u) == (name, unit)
    assert v == pytest.approx(value, rel=1e-4)


def test_rows_nested_and_missing():
    rows = metric_rows({"amounts_m2": {"Si": 2.5e-13}, "cd_mask_m": None, "void_present": 1,
                        "etched_layer": "Si"})
    assert rows == [("amounts Si", "0.250", "µm²"), ("cd_mask", "–", "nm"),
                    ("void_present", "1", ""), ("etched_layer", "Si", "")]
