"""docs/calibration.md: examples/calibrate_sf6o2.py recovers A_Si from a synthetic etch-rate
series (model at A_Si = 7 + 2 % noise) with a grid study, within its reported uncertainty.

Reference: weighted least squares, σ_A from Δχ² = 1 (Press et al., Numerical Recipes,
3rd ed., §15.6), cross-checked against the linearised σ_A = (Σ (∂ER_k/∂A / σ_k)²)^(-1/2)."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "calibrate_sf6o2.py"


@pytest.fixture(scope="module")
def cal():
    spec = importlib.util.spec_from_file_location("calibrate_sf6o2", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_calibration_recovers_the_known_parameter(cal, tmp_path):
    r = cal.calibrate(tmp_path)
    assert (tmp_path / "samples.csv").exists()
    assert abs(r["A_Si"] - cal.TRUE_A_SI) < 2.0 * r["sigma_A_Si"], r        # 95 % band
    assert 0 < r["sigma_A_Si"] < 0.05 * cal.TRUE_A_SI                      # informative
    assert r["chi2_min"] < 20.5            # χ²(5 dof) below its 99.9 % quantile
    # σ_A of the parabola = the linearised (Jacobian) one
    meas = cal.synthetic_measurement()
    s = np.array([m["sigma_m_s"] for m in meas])
    base = {"model": "sf6o2", **cal.FLUXES}
    d = 1e-4
    J = (cal.model_rates({**base, "A_Si": r["A_Si"] + d}, cal.ENERGIES_EV)
         - cal.model_rates({**base, "A_Si": r["A_Si"] - d}, cal.ENERGIES_EV)) / (2 * d)
    assert r["sigma_A_Si"] == pytest.approx(1.0 / np.sqrt(np.sum((J / s) ** 2)), rel=0.05)
