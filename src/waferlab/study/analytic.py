"""Closed-form evaluators that exercise the study machinery without a simulation.

``analytic.deposition``  a toy 2D trench deposition (NOT a validated model): the film
    grows r·T on the field; inside a trench of aspect ratio A = D/w with sticking s the
    flux decays like a reaction–diffusion profile with Thiele modulus
    φ = A √(2 s / (2 - s)):  Γ(z)/Γ₀ = cosh(φ (1 - z/D)) / cosh φ  (z down from the top),
    the Knudsen-regime approximation of conformal coverage (cf. Gordon et al.,
    Chem. Vap. Deposition 9, 73 (2003)).  Reads ``steps[0].deposit.{rate, time,
    sticking}``, ``structure.feature.{width, depth}``, ``grid.spacing`` (a first-order
    "discretisation error" +h/w, so coarse grids are biased — for multi-fidelity tests)
    and an optional top-level ``analytic: {cost: 0.1 s, noise: 0.01}`` (sleep per task;
    relative Gaussian noise drawn from the task's seed, like Monte Carlo ray noise).
``analytic.ishigami``  y = sin x₁ + a sin² x₂ + b x₃⁴ sin x₁ from ``x: [x1, x2, x3]``
    (Ishigami & Homma 1990), a = 7, b = 0.1 unless ``a``/``b`` are given.
``analytic.zdt1``  f₁ = x₁, f₂ = g (1 - √(f₁/g)), g = 1 + 9 Σ_{i≥2} x_i / (n - 1)
    (Zitzler, Deb & Thiele, Evol. Comput. 8, 173 (2000)); front f₂ = 1 - √f₁.
"""
from __future__ import annotations

import math
import time
from functools import lru_cache

import numpy as np

from ..errors import RecipeError
from ..units import to_si as _to_si
from .evaluators import register_evaluator

__all__ = ["deposition", "ishigami", "zdt1", "ishigami_sobol", "zdt1_front"]


@lru_cache(maxsize=4096)
def to_si(value, family: str) -> float:
    """Cached unit conversion (the toy model is called many thousand times)."""
    return _to_si(value, family)


@register_evaluator("analytic.deposition")
def deposition(recipe_data: dict, seed: int) -> dict:
    """Toy trench deposition (see module doc): film thicknesses (m) named as a run's
    (``film_field_m``, ``film_bottom_m``, ``film_sidewall_left_m``/``_right_m``; the
    two walls are equal here), coverages and a profile."""
    t_start = time.perf_counter()
    dep = recipe_data["steps"][0]["deposit"]
    rate, t_dep = to_si(dep["rate"], "rate"), to_si(dep["time"], "time")
    s = to_si(dep.get("sticking", 0.1), "dimensionless")
    if not 0.0 < s <= 1.0:
        raise RecipeError(f"sticking = {s:g} is outside (0, 1]", path="steps[0].deposit.sticking")
    feat = recipe_data["structure"]["feature"]
    w, depth = to_si(feat["width"], "length"), to_si(feat["depth"], "length")
    h = to_si(recipe_data.get("grid", {}).get("spacing", "0 nm"), "length")
    extra = recipe_data.get("analytic", {})
    cost = to_si(extra.get("cost", "0 s"), "time")
    noise = to_si(extra.get("noise", 0.0), "dimensionless")
    phi = (depth / w) * math.sqrt(2.0 * s / (2.0 - s))
    bias = 1.0 + h / w
    t0 = rate * t_dep * bias
    rng = np.random.default_rng(int(seed))
    jitter = 1.0 + noise * rng.standard_normal(3)
    top = t0 * jitter[0]
    bottom = t0 / math.cosh(phi) * jitter[1]
    side = t0 * math.cosh(phi / 2.0) / math.cosh(phi) * jitter[2]
    z = np.linspace(0.0, depth, 41)
    t_z = t0 * np.cosh(phi * (1.0 - z / depth)) / math.cosh(phi)
    wall = np.column_stack([-w / 2 + t_z, -z])
    floor = np.array([[-w / 2 + t_z[-1], -depth + bottom], [0.0, -depth + bottom]])
    rest = cost - (time.perf_counter() - t_start)
    if rest > 0:
        time.sleep(rest)
    return {"film_field_m": top, "film_bottom_m": bottom, "film_sidewall_left_m": side,
            "film_sidewall_right_m": side, "step_coverage": bottom / top,
            "sidewall_coverage": side / top,
            "profile": np.vstack([[[-w, t0]], [[-w / 2 + t0, t0]], wall, floor])}


@register_evaluator("analytic.ishigami")
def ishigami(recipe_data: dict, seed: int) -> dict:
    """Ishigami function of ``x: [x1, x2, x3]`` (see module doc)."""
    x1, x2, x3 = (float(v) for v in recipe_data["x"])
    a, b = float(recipe_data.get("a", 7.0)), float(recipe_data.get("b", 0.1))
    return {"y": math.sin(x1) + a * math.sin(x2) ** 2 + b * x3 ** 4 * math.sin(x1)}


def ishigami_sobol(a: float = 7.0, b: float = 0.1) -> dict[str, tuple[float, ...]]:
    """Exact first-order and total Sobol indices of Ishigami for x_i ~ U(-π, π).

    V = a²/8 + b π⁴/5 + b² π⁸/18 + 1/2; V₁ = (1 + b π⁴/5)²/2; V₂ = a²/8;
    V₁₃ = b² π⁸ (1/18 - 1/50)  (Sobol' & Levitan 1999).
    """
    pi4 = math.pi ** 4
    v1, v2 = 0.5 * (1 + b * pi4 / 5) ** 2, a * a / 8
    v13 = b * b * math.pi ** 8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return {"S1": (v1 / v, v2 / v, 0.0), "ST": ((v1 + v13) / v, v2 / v, v13 / v),
            "mean": (a / 2,), "var": (v,)}


@register_evaluator("analytic.zdt1")
def zdt1(recipe_data: dict, seed: int) -> dict:
    """ZDT1 objectives f1, f2 of ``x: [x1, ..., xn]`` in [0, 1]^n."""
    x = np.asarray(recipe_data["x"], dtype=float)
    g = 1.0 + 9.0 * x[1:].sum() / (len(x) - 1)
    f1 = float(x[0])
    return {"f1": f1, "f2": float(g * (1.0 - math.sqrt(f1 / g)))}


def zdt1_front(n: int = 1000) -> np.ndarray:
    """Points of the analytic ZDT1 Pareto front: f2 = 1 - √f1, f1 ∈ [0, 1]."""
    f1 = np.linspace(0.0, 1.0, n)
    return np.column_stack([f1, 1.0 - np.sqrt(f1)])
