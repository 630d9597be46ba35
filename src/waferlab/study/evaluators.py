"""Evaluators by name, and the pure task a study maps over its samples.

An evaluator is ``evaluate(recipe_data: dict, seed: int) -> dict[str, float]``: it runs
a whole recipe given as the raw YAML mapping and returns its metrics.  ``recipe`` (the
default) calls :func:`waferlab.runner.run_recipe_dict`; the ``analytic.*`` ones
(:mod:`waferlab.study.analytic`) are closed-form test problems for the machinery.

A task is ``run_sample(evaluator, base, assignments, seed, ...)``: a deep copy of the base
mapping with the sample's values written at their paths, evaluated with the sample's
own seed.  It has no other input, so Dask may run it anywhere, twice, or again after a
worker died, and get the same metrics.
"""
from __future__ import annotations

import math
import time
from functools import partial
from typing import Any, Callable

import numpy as np

from ..errors import RecipeError, WaferlabError
from ..registry import Registry
from .params import apply_assignments

__all__ = ["register_evaluator", "get_evaluator", "known_evaluators", "evaluate_recipe",
           "run_sample", "profile_distance", "Evaluator"]

Evaluator = Callable[..., dict]     # (assignments: dict, seed: int, **options) -> metrics
_EVALUATORS: Registry[Evaluator] = Registry("evaluator", ("waferlab.study.analytic",),
                                            group="waferlab.evaluators")


def register_evaluator(name: str) -> Callable[[Evaluator], Evaluator]:
    """Decorator: register ``fn(recipe_data, seed) -> metrics`` under ``name`` (once)."""
    return _EVALUATORS.decorator(name)


def known_evaluators() -> tuple[str, ...]:
    return _EVALUATORS.names()


def get_evaluator(name: str, *, threads: int = 1, profile: bool = False) -> Evaluator:
    """The evaluator called ``name`` (``recipe`` gets ``threads`` and ``profile``)."""
    fn = _EVALUATORS.get(name, path="study.evaluator", known_label="known")
    return partial(fn, threads=threads, profile=profile) if name == "recipe" else fn


@register_evaluator("recipe")
def evaluate_recipe(recipe_data: dict, seed: int, *, threads: int = 1,
                    profile: bool = False) -> dict[str, Any]:
    """Run the recipe mapping with :func:`waferlab.runner.run_recipe_dict` (imported lazily).

    With ``profile=True`` the run writes its outputs (no VTK, no picture) to a temporary
    folder and the first open top-surface polyline of ``profile.csv`` is returned as
    ``profile`` ((n, 2) array, m) for a target-profile fit.
    """
    from ..runner import run_recipe_dict

    if not profile:
        return run_recipe_dict(recipe_data, seed=int(seed), threads=threads)
    import tempfile
    from pathlib import Path

    data = dict(recipe_data, output=dict(recipe_data.get("output") or {}, vtk=False, plot=False))
    with tempfile.TemporaryDirectory(prefix="waferlab-study-") as tmp:
        out: dict[str, Any] = dict(run_recipe_dict(data, seed=int(seed), threads=threads,
                                                   out_dir=Path(tmp)))
        table = np.loadtxt(Path(tmp) / "profile.csv", delimiter=",", skiprows=1, ndmin=2)
    first = table[table[:, 0] == table[0, 0]] if len(table) else table
    out["profile"] = first[:, 1:3]
    return out


def _resample(poly: np.ndarray, n: int) -> np.ndarray:
    """``n`` points equally spaced in arc length along a polyline."""
    seg = np.hypot(*np.diff(poly, axis=0).T)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    t = np.linspace(0.0, s[-1], n)
    return np.column_stack([np.interp(t, s, poly[:, 0]), np.interp(t, s, poly[:, 1])])


def profile_distance(profile: np.ndarray, target: np.ndarray, *, n: int = 200) -> float:
    """Symmetric mean distance (m) between two polylines, each resampled to ``n`` points.

    d = ½ (mean_i min_j |a_i - b_j| + mean_j min_i |a_i - b_j|)  (a symmetric Chamfer distance).
    """
    a, b = _resample(np.asarray(profile, float), n), _resample(np.asarray(target, float), n)
    d = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
    return 0.5 * float(d.min(axis=1).mean() + d.min(axis=0).mean())


def run_sample(evaluator: str | Evaluator, base: dict, assignments: tuple[tuple[str, Any], ...],
               seed: int, *, metrics: tuple[str, ...], threads: int = 1,
               profile_target: np.ndarray | None = None,
               keep_profile: bool = False) -> dict[str, Any]:
    """One study sample: write the values into a copy of ``base``, evaluate, keep ``metrics``.

    Returns the metrics (floats), ``wall_time_s``, with ``keep_profile`` the sample's
    top-surface polyline as ``profile`` ((n, 2), m) when the evaluator gives one, and,
    when the run failed with a
    :class:`WaferlabError` (a recipe the model refuses), ``error`` with its message and
    NaN metrics.  A metric the run did not define (null, absent or not finite, e.g.
    ``cd_mid`` once a trench has closed) is NaN with its reason in ``missing``
    ({metric: reason}); the sample still counts as done.  A metric name that the run does
    not know at all is a RecipeError (a typo in ``study.metrics``).  Other exceptions propagate
    (Dask retries them).
    """
    t0 = time.perf_counter()
    want = profile_target is not None or keep_profile
    fn = get_evaluator(evaluator, threads=threads, profile=want) \
        if isinstance(evaluator, str) else evaluator
    data = apply_assignments(base, assignments)
    try:
        raw = fn(data, int(seed))
    except WaferlabError as exc:
        out: dict[str, Any] = {m: math.nan for m in metrics}
        out.update(error=str(exc), wall_time_s=time.perf_counter() - t0)
        return out
    out = {}
    missing: dict[str, str] = {}
    for m in metrics:
        if m == "profile_distance" and profile_target is not None:
            continue
        v = raw.get(m)
        if m not in raw:                        # a name no run defines: a typo
            have = ", ".join(sorted(k for k in raw if k != "profile"))
            raise RecipeError(f"the run gave no metric {m!r} (it has: {have[:1500]})",
                              path="study.metrics", value=m)
        try:
            out[m] = math.nan if v is None else float(v)
        except (TypeError, ValueError):
            missing[m] = f"{m} is not a number ({type(v).__name__})"
            out[m] = math.nan
            continue
        if not math.isfinite(out[m]):
            missing[m] = (f"{m} is undefined for this sample's result (e.g. cd_mid of a "
                          "trench that closed)")
    if missing:
        out["missing"] = missing
    if profile_target is not None:
        if "profile" not in raw:
            raise RecipeError("a target profile needs an evaluator that returns 'profile' "
                              "(an (n, 2) polyline in m)", path="study.optimize.profile")
        out["profile_distance"] = profile_distance(raw["profile"], profile_target)
    if keep_profile and "profile" in raw:
        out["profile"] = np.asarray(raw["profile"], dtype=float)
    out["wall_time_s"] = time.perf_counter() - t0
    return out
