"""Calibrate a model parameter to a measured etch-rate series with the study machinery.

The ``sf6o2`` ion-enhanced yield coefficient A_Si is fitted to a flat-wafer Si etch rate
measured at several ion energies (here synthetic: the model at A_Si = 7 plus 2 % Gaussian
noise, seeded).  A ``grid`` study scans A_Si; each sample's evaluator returns

    χ²(A) = Σ_k ((ER_model(E_k; A) − ER_meas,k) / σ_k)²

(ER_model: the flat-surface closed form, ``atomic.sf6o2_flat_rates``).  A parabola through
the grid points nearest the minimum gives Â (its vertex) and the 1σ uncertainty from
Δχ² = 1: σ_A = 1/√a for χ² ≈ a (A − Â)² + χ²_min (weighted least squares; Press et al.,
Numerical Recipes, 3rd ed., §15.6).  Run: ``python examples/calibrate_sf6o2.py OUT``.
See docs/calibration.md.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

TRUE_A_SI = 7.0
ENERGIES_EV = (40.0, 60.0, 80.0, 100.0, 150.0, 200.0)
NOISE = 0.02                     # relative 1σ of the "measured" rates
FLUXES = {"ion_flux": "10e15 cm^-2 s^-1", "etchant_flux": "4500e15 cm^-2 s^-1",
          "oxygen_flux": "800e15 cm^-2 s^-1", "ion_energy_sigma": "10 eV"}


def model_rates(model: dict, energies_eV) -> np.ndarray:
    """Flat-surface Si etch rates (m/s) of the ``sf6o2`` model mapping at each energy."""
    from waferlab.atomic.sf6o2 import sf6o2_flat_rates
    from waferlab.feature.etch_models import SF6O2Spec
    from waferlab.recipe_io import validate_section

    p = validate_section(SF6O2Spec, model, "model").parameters()
    return np.array([float(sf6o2_flat_rates(p.with_(ion_energy_eV=float(e))).etch_rate)
                     for e in energies_eV])


def synthetic_measurement(seed: int = 2026) -> list[dict]:
    """The 'measured' series: the model at A_Si = 7 times (1 + 2 % noise)."""
    rng = np.random.default_rng(seed)
    true = model_rates({"model": "sf6o2", **FLUXES, "A_Si": TRUE_A_SI}, ENERGIES_EV)
    meas = true * (1.0 + NOISE * rng.standard_normal(true.size))
    return [{"ion_energy_eV": e, "rate_m_s": float(r), "sigma_m_s": float(NOISE * t)}
            for e, r, t in zip(ENERGIES_EV, meas, true)]


EVALUATOR = "example.sf6o2_rate_chi2"


def chi2_evaluator(recipe_data: dict, seed: int) -> dict:
    """Study evaluator: χ² of the sample's model against the measured series."""
    meas = recipe_data["measured"]
    r = model_rates(recipe_data["model"], [m["ion_energy_eV"] for m in meas])
    y = np.array([m["rate_m_s"] for m in meas])
    s = np.array([m["sigma_m_s"] for m in meas])
    return {"chi2": float(np.sum(((r - y) / s) ** 2))}


def _register() -> None:
    from waferlab.study.evaluators import known_evaluators, register_evaluator

    if EVALUATOR not in known_evaluators():
        register_evaluator(EVALUATOR)(chi2_evaluator)


def calibrate(out_dir=None, *, levels: int = 21, lo: float = 5.5, hi: float = 8.5,
              seed: int = 2026) -> dict:
    """Run the grid study over A_Si and fit the χ² parabola; returns Â, σ_A, χ²_min."""
    from waferlab.study import run_study, study_from_dict

    _register()       # serial run: the evaluator lives in this script (a Dask worker
                      # would need it importable, e.g. in a package of your own)
    base = {"model": {"model": "sf6o2", **FLUXES, "A_Si": TRUE_A_SI},
            "measured": synthetic_measurement(seed)}
    study = study_from_dict({"study": {
        "base": base, "parameters": {"model.A_Si": {"range": [lo, hi], "levels": levels}},
        "metrics": ["chi2"], "method": "grid", "seed": 1, "evaluator": EVALUATOR}})
    res = run_study(study, out_dir, serial=True, make_plots=False)
    a = np.asarray(res.dataset["x"].values)[:, 0]
    c = np.asarray(res.dataset["chi2"].values)
    i = int(np.clip(np.argmin(c), 2, len(c) - 3))
    k2, k1, k0 = np.polyfit(a[i - 2:i + 3], c[i - 2:i + 3], 2)
    a_hat = -k1 / (2 * k2)
    return {"A_Si": float(a_hat), "sigma_A_Si": float(1.0 / np.sqrt(k2)),
            "chi2_min": float(k0 - k1 ** 2 / (4 * k2)), "n_points": len(ENERGIES_EV),
            "true_A_Si": TRUE_A_SI}


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    r = calibrate(out)
    print(f"A_Si = {r['A_Si']:.3f} ± {r['sigma_A_Si']:.3f} (true {TRUE_A_SI}), "
          f"chi2_min = {r['chi2_min']:.2f} for {r['n_points']} points, 1 parameter")
