"""Build docs/calibration.ipynb (run from the repository root: python docs/img/make_calibration_notebook.py).

The notebook is stored without outputs; tests/test_notebooks.py executes it."""
import nbformat as nbf
md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell
cells = [
md("""# Calibration: fitting model parameters to measurements

This notebook is the runnable companion of [calibration.md](calibration.md). It fits

1. the `sf6o2` ion-enhanced yield coefficient **A_Si** to a measured flat-wafer etch-rate
   series (a `grid` study over the knob, χ² per sample, parabola → Â and σ from Δχ² = 1);
2. a deposition **sticking coefficient** to a measured cross-section with the study
   machinery's `optimize` method and its `profile` target (symmetric polyline distance),
   then its uncertainty from the orthogonal-distance χ².

The "measurements" are synthetic (the model at known parameters plus seeded Gaussian
noise), so the recovered values can be checked against the truth: the last cell asserts
that each lies within its reported uncertainty (2σ, 95 %). `tests/test_notebooks.py`
executes this notebook in the test suite.

Weighted least squares and Δχ² = 1: Press et al., *Numerical Recipes*, 3rd ed., §15.6."""),
code("""import importlib.util
import time
from pathlib import Path

import numpy as np

import waferlab

t_start = time.perf_counter()
# the repository: the notebook runs from docs/ (Jupyter, or the test suite)
root = next(p for p in (Path.cwd(), *Path.cwd().parents)
            if (p / "examples" / "calibrate_sf6o2.py").is_file())
spec = importlib.util.spec_from_file_location("calibrate_sf6o2", root / "examples" / "calibrate_sf6o2.py")
cal = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cal)
print("waferlab from", Path(waferlab.__file__).parent)"""),
md("""## 1. The sf6o2 yield A_Si from an etch-rate series

Measured: Si etch rates ER_k ± σ_k at six ion energies (synthetic: the model at A_Si = 7
with 2 % noise, seed 2026). Replace `cal.synthetic_measurement()` by your table
(`ion_energy_eV`, `rate_m_s`, `sigma_m_s`)."""),
code("""meas = cal.synthetic_measurement(seed=2026)
for m in meas:
    print(f"E = {m['ion_energy_eV']:5.0f} eV   ER = {m['rate_m_s'] * 6e10:7.1f} ± {m['sigma_m_s'] * 6e10:5.1f} nm/min")"""),
md("""The study evaluator returns χ²(A) = Σ_k ((ER_model(E_k; A) − ER_k)/σ_k)²; a `grid` study
scans A_Si over 21 levels in [5.5, 8.5] and a parabola through the five points nearest
the minimum gives Â and σ_A = 1/√a (χ² ≈ a (A − Â)² + χ²_min)."""),
code("""rate_fit = cal.calibrate(None, seed=2026)
print(f"A_Si = {rate_fit['A_Si']:.3f} ± {rate_fit['sigma_A_Si']:.3f}  (true {cal.TRUE_A_SI}),"
      f"  chi2_min = {rate_fit['chi2_min']:.2f} for {rate_fit['n_points']} points, 1 parameter")"""),
md("""## 2. A sticking coefficient from a measured cross-section

The model is the study package's fast analytic trench deposition
(`analytic.deposition`: film thickness along the wall t(z) = t₀ cosh(φ(1 − z/d))/cosh φ,
Thiele modulus φ = (d/w)√(2s/(2 − s)); the same study works with the `recipe` evaluator,
which runs the full simulator, at a higher cost per sample). The "measured" cross-section
is the model's film surface at s = 0.137, resampled to 80 points with 1 nm Gaussian noise
on x and y (seed 7)."""),
code("""from waferlab.study import run_study, study_from_dict
from waferlab.study.analytic import deposition
from waferlab.study.evaluators import _resample
from waferlab.study.params import apply_assignments

TRUE_S, NOISE_M, N_POINTS = 0.137, 1e-9, 80
base = {"name": "trench-deposition",
        "grid": {"dimension": 2, "spacing": "5 nm", "extent": ["200 nm"]},
        "structure": {"substrate": {"material": "Si"},
                      "feature": {"type": "trench", "width": "60 nm", "depth": "120 nm"}},
        "steps": [{"deposit": {"model": "isotropic", "material": "SiO2", "rate": "10 nm/min",
                               "time": "1.5 min", "sticking": 0.3}}]}
KNOB = "steps[0].deposit.sticking"


def surface(s):
    return deposition(apply_assignments(base, ((KNOB, float(s)),)), 0)["profile"]


rng = np.random.default_rng(7)
measured = _resample(surface(TRUE_S), N_POINTS) + NOISE_M * rng.standard_normal((N_POINTS, 2))
print(f"{len(measured)} measured points, x from {measured[:, 0].min() * 1e9:.0f} to "
      f"{measured[:, 0].max() * 1e9:.0f} nm")"""),
md("""**Best fit with the study machinery.** `method: optimize` with `profile:` minimises the
symmetric polyline distance between each sample's profile and the measured one (Optuna
TPE in batches, then a Nelder–Mead polish)."""),
code("""study = study_from_dict({"study": {
    "base": base, "evaluator": "analytic.deposition", "method": "optimize", "seed": 3,
    "parameters": {KNOB: {"range": [0.02, 0.5]}}, "metrics": [],
    "optimize": {"profile": measured.tolist(), "budget": 24, "batch": 4, "polish": 30}}})
res = run_study(study, None, serial=True, make_plots=False)
s_opt = float(res.summary["optimize"]["best_x"][0])
print(f"optimize: s = {s_opt:.4f} after {res.summary['optimize']['evaluations']} evaluations")"""),
md("""**Uncertainty.** With independent noise σ on the measured points, the orthogonal distance
d_i(s) of point i to the model surface gives χ²(s) = Σ_i (d_i(s)/σ)² (orthogonal-distance
regression). Around the optimum a parabola through χ² gives ŝ and σ_s from Δχ² = 1;
χ²_min should be near N − 1 = 79. The cross-check: the optimiser's s lies inside ŝ ± σ_s.
Over 40 noise seeds (checked when this notebook was written) the pull (ŝ − s_true)/σ_s
has a standard deviation of 0.93 and χ²_min averages 74.5, so σ_s is calibrated; seed 7
happens to draw a low χ²_min (about 47)."""),
code("""def point_to_polyline(p, poly):
    a, b = poly[:-1], poly[1:]
    ab = b - a
    t = np.clip(np.einsum("ijk,jk->ij", p[:, None] - a[None], ab) / np.maximum(np.sum(ab * ab, 1), 1e-300), 0, 1)
    q = a[None] + t[..., None] * ab[None]
    return np.min(np.hypot(*(p[:, None] - q).transpose(2, 0, 1)), axis=1)


def chi2(s):
    return float(np.sum((point_to_polyline(measured, surface(s)) / NOISE_M) ** 2))


grid = s_opt + np.linspace(-0.03, 0.03, 13)
c = np.array([chi2(s) for s in grid])
k2, k1, k0 = np.polyfit(grid, c, 2)
s_hat, sigma_s = -k1 / (2 * k2), 1 / np.sqrt(k2)
for _ in range(2):                      # re-centre on the vertex, window ±3σ
    grid = s_hat + np.linspace(-3, 3, 13) * sigma_s
    c = np.array([chi2(s) for s in grid])
    k2, k1, k0 = np.polyfit(grid, c, 2)
    s_hat, sigma_s = -k1 / (2 * k2), 1 / np.sqrt(k2)
chi2_min = k0 - k1 ** 2 / (4 * k2)
profile_fit = {"sticking": s_hat, "sigma_sticking": sigma_s, "chi2_min": chi2_min,
               "n_points": N_POINTS, "optimize_sticking": s_opt, "true_sticking": TRUE_S}
print(f"sticking = {s_hat:.4f} ± {sigma_s:.4f}  (true {TRUE_S}),  chi2_min = {chi2_min:.1f} "
      f"for {N_POINTS} points;  optimize gave {s_opt:.4f}")"""),
code("""import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.8))
a1.plot(measured[:, 0] * 1e9, measured[:, 1] * 1e9, ".", ms=4, label="measured (synthetic)")
fit = surface(s_hat)
a1.plot(fit[:, 0] * 1e9, fit[:, 1] * 1e9, "-", label=f"fit s = {s_hat:.3f}")
a1.set_xlabel("x (nm)"); a1.set_ylabel("y (nm)"); a1.set_aspect("equal"); a1.legend(fontsize=8)
a2.plot(grid, c, "o", label="χ²(s)")
ss = np.linspace(grid[0], grid[-1], 200)
a2.plot(ss, np.polyval([k2, k1, k0], ss), "-", label="parabola")
a2.axvline(TRUE_S, color="k", ls="--", lw=0.8, label="true")
a2.set_xlabel("sticking s"); a2.set_ylabel("χ²"); a2.legend(fontsize=8)
fig.tight_layout()"""),
md("""## Check: recovered parameters within their reported uncertainty"""),
code("""results = {
    "A_Si": (rate_fit["A_Si"], rate_fit["sigma_A_Si"], cal.TRUE_A_SI),
    "sticking": (profile_fit["sticking"], profile_fit["sigma_sticking"], TRUE_S),
}
for name, (value, sigma, true) in results.items():
    print(f"{name}: {value:.4f} ± {sigma:.4f}, true {true}, |error| = {abs(value - true) / sigma:.2f} σ")
    assert 0 < sigma < 0.1 * true, name                        # an informative fit
    assert abs(value - true) < 2 * sigma, name                 # within the 95 % band
assert abs(s_opt - profile_fit["sticking"]) < profile_fit["sigma_sticking"]
assert profile_fit["chi2_min"] < 2 * N_POINTS and rate_fit["chi2_min"] < 20.5
print(f"notebook ran in {time.perf_counter() - t_start:.1f} s")"""),
]
nb = nbf.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}, "language_info": {"name": "python"}})
nbf.write(nb, "docs/calibration.ipynb")
