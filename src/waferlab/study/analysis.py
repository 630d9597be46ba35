"""Statistics of a study's metrics: Monte Carlo moments with confidence intervals,
Sobol and Morris indices (SALib), and polynomial chaos (chaospy).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .design import Design, salib_problem
from .spec import Study

__all__ = ["mc_stats", "sobol_indices", "morris_indices", "pce_stats"]

Z95 = 1.959963984540054


def mc_stats(y: np.ndarray) -> dict[str, Any]:
    """Mean and standard deviation with 95 % confidence intervals (failed runs dropped).

    se(mean) = s/√n; se(s) = √(m₄ - s⁴) / (2 s √n)  (delta method on the sample variance,
    no normality assumed; m₄ the fourth central moment).
    """
    y = np.asarray(y, dtype=float)
    y = y[np.isfinite(y)]
    n = len(y)
    if n < 2:
        return {"n": n, "mean": float(y.mean()) if n else math.nan, "std": math.nan}
    mean, std = float(y.mean()), float(y.std(ddof=1))
    m4 = float(np.mean((y - mean) ** 4))
    se_mean = std / math.sqrt(n)
    se_std = math.sqrt(max(m4 - std ** 4, 0.0)) / (2.0 * std * math.sqrt(n)) if std > 0 else 0.0
    return {"n": n, "mean": mean, "std": std, "min": float(y.min()), "max": float(y.max()),
            "mean_ci95": [mean - Z95 * se_mean, mean + Z95 * se_mean],
            "std_ci95": [std - Z95 * se_std, std + Z95 * se_std],
            "se_mean": se_mean, "se_std": se_std}


def sobol_indices(study: Study, y: np.ndarray, *, seed: int) -> dict[str, Any]:
    """First-order and total Sobol indices with 95 % bootstrap intervals (SALib)."""
    from SALib.analyze import sobol

    r = sobol.analyze(salib_problem(study), np.asarray(y, float),
                      calc_second_order=study.spec.sobol.second_order, seed=seed)
    return {"S1": r["S1"].tolist(), "S1_conf": r["S1_conf"].tolist(),
            "ST": r["ST"].tolist(), "ST_conf": r["ST_conf"].tolist()}


def morris_indices(study: Study, design: Design, y: np.ndarray, *, seed: int) -> dict[str, Any]:
    """Morris elementary effects μ*, σ on the unit hypercube (SALib)."""
    from SALib.analyze import morris

    r = morris.analyze(salib_problem(study), design.meta["u"], np.asarray(y, float),
                       num_levels=4, seed=seed)
    return {"mu_star": np.asarray(r["mu_star"]).tolist(),
            "mu_star_conf": np.asarray(r["mu_star_conf"]).tolist(),
            "sigma": np.asarray(r["sigma"]).tolist()}


def pce_stats(study: Study, design: Design, y: np.ndarray) -> dict[str, Any]:
    """Mean, std and Sobol indices from a polynomial chaos expansion.

    y ≈ Σ_k c_k Φ_k(x) with Φ_k orthonormal in the joint input law (products of 1D
    polynomials from the three-term recurrence, ``chaospy.generate_expansion``); c_k by
    spectral projection on Gaussian nodes (c_k = Σ_j w_j y_j Φ_k(x_j)) or by least
    squares.  Then E = c_0, Var = Σ_{k>0} c_k², S_i = Σ_{k ∈ A_i} c_k² / Var with A_i the
    terms in x_i only, and S_Ti over the terms that contain x_i (Sudret, Reliab. Eng.
    Syst. Saf. 93, 964 (2008)).
    """
    import chaospy

    joint = chaospy.J(*(p.chaospy() for p in study.parameters))
    order, d = study.spec.pce.order, len(study.parameters)
    expansion = chaospy.generate_expansion(order, joint, normed=True)
    alpha = np.array([np.asarray(term.exponents).max(axis=0) for term in expansion]).reshape(-1, d)
    x, y = design.x.T, np.asarray(y, float)
    phi = np.asarray(expansion(*x), dtype=float).reshape(len(alpha), -1)
    if design.weights is not None:
        coef = phi @ (design.weights * y)
    else:
        ok = np.isfinite(y)
        coef = np.linalg.lstsq(phi[:, ok].T, y[ok], rcond=None)[0]
    const = ~alpha.any(axis=1)
    var = float(np.sum(coef[~const] ** 2))
    active = alpha > 0
    s1 = [float(np.sum(coef[active[:, i] & (active.sum(axis=1) == 1)] ** 2) / var) for i in range(d)]
    st = [float(np.sum(coef[active[:, i]] ** 2) / var) for i in range(d)]
    return {"order": order, "terms": len(alpha), "mean": float(coef[const].sum()),
            "std": math.sqrt(var), "S1": s1, "ST": st}
