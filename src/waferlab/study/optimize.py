"""Recipe optimisation on top of :class:`~waferlab.study.executor.Runner`.

* ``optimize``: fit the knobs to target metrics and/or a target profile polyline.
  Objective J = Σ_m w_m ((y_m - t_m)/|t_m|)² + w_p (d_profile / L_profile)², d the
  symmetric polyline distance and L the target's length scale (bounding-box diagonal).
  Search: Optuna TPE (Bergstra et al., NeurIPS 2011) or CMA-ES (needs the ``cmaes``
  package), asked in batches of ``batch`` trials that run in parallel; batches are
  told in sample order, so the search is the same on any number of workers.
  Multi-fidelity screening: the search runs with the ``fidelity.coarse`` overrides
  (coarser grid, fewer rays), the ``confirm`` best distinct candidates are re-run on
  the base settings and the best of those wins.  ``polish`` > 0 then runs a bounded
  Nelder–Mead (scipy) from the winner on the base settings, one task at a time.
  Gradients: TODO — where a model is differentiable (reactor ODEs, litho image) a
  gradient-based polish would replace Nelder–Mead.
* ``pareto``: NSGA-II (Deb et al., IEEE TEC 6, 182 (2002)) from pymoo, one population
  per batch of tasks; returns the non-dominated set.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import RecipeError
from .executor import Runner
from .params import Distribution
from .spec import Sampler, Sense, Study

__all__ = ["run_optimize", "run_pareto", "target_values", "objective"]

_PENALTY = 1e30


def _si(value: Any, where: str) -> float:
    from ..units import parse_quantity

    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(parse_quantity(str(value)).to_base_units().magnitude)
    except Exception:
        raise RecipeError(f"{value!r} is not a number or quantity", path=where, value=value) from None


def target_values(study: Study) -> dict[str, float]:
    """Target metrics as SI floats ("1 um" -> 1e-6)."""
    cfg = study.spec.optimize
    assert cfg is not None
    return {m: _si(v, f"study.optimize.targets.{m}") for m, v in cfg.targets.items()}


def target_profile(study: Study) -> np.ndarray | None:
    prof = study.spec.optimize.profile if study.spec.optimize else None
    if prof is None:
        return None
    pts = np.array([[_si(v, "study.optimize.profile") for v in row] for row in prof])
    if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) < 2:
        raise RecipeError("profile is a list of at least two [x, y] points", path="study.optimize.profile")
    return pts


def objective(result: dict, targets: dict[str, float], weights: dict[str, float],
              profile_scale: float | None) -> float:
    """J of one result (see module doc); a failed run scores +inf."""
    if "error" in result:
        return math.inf
    j = 0.0
    for m, t in targets.items():
        scale = abs(t) if t != 0 else 1.0
        j += weights.get(m, 1.0) * ((result[m] - t) / scale) ** 2
    if profile_scale is not None:
        j += weights.get("profile", 1.0) * (result["profile_distance"] / profile_scale) ** 2
    return j if math.isfinite(j) else math.inf


def _sampler(study: Study, seed: int):
    import optuna

    cfg = study.spec.optimize
    assert cfg is not None
    if cfg.sampler == Sampler.CMAES:
        try:
            import cmaes  # noqa: F401
        except ImportError:
            raise RecipeError("sampler: cmaes needs the 'cmaes' package (pip install cmaes); "
                              "or use sampler: tpe", path="study.optimize.sampler") from None
        return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
    return optuna.samplers.TPESampler(seed=seed, multivariate=True,
                                      n_startup_trials=max(2 * cfg.batch, min(16, cfg.budget // 4)))


def run_optimize(study: Study, runner: Runner, *, seed: int) -> dict[str, Any]:
    """Search, confirm (multi-fidelity) and polish; returns the best knobs and history."""
    import optuna
    from optuna.distributions import BaseDistribution, FloatDistribution, IntDistribution

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    cfg = study.spec.optimize
    assert cfg is not None
    targets, weights = target_values(study), dict(cfg.weights)
    prof = target_profile(study)
    pscale = float(np.hypot(*np.ptp(prof, axis=0))) if prof is not None else None
    params = study.parameters
    dists: dict[str, BaseDistribution] = {
        f"p{j}": IntDistribution(int(round(p.bounds[0])), int(round(p.bounds[1])),
                                 log=p.distribution == Distribution.LOG_UNIFORM) if p.integer
        else FloatDistribution(p.bounds[0], p.bounds[1], log=p.distribution == Distribution.LOG_UNIFORM)
        for j, p in enumerate(params)}
    search = optuna.create_study(direction="minimize", sampler=_sampler(study, seed))
    screening = 0 if cfg.fidelity is not None else 1
    history: list[tuple[int, int, float]] = []       # (sample, fidelity, J)
    candidates: list[tuple[float, np.ndarray]] = []
    done = 0
    while done < cfg.budget:
        trials = [search.ask(dists) for _ in range(min(cfg.batch, cfg.budget - done))]
        xs = np.array([[t.params[f"p{j}"] for j in range(len(params))] for t in trials])
        first = runner.next_index
        results = runner.evaluate(xs, fidelity=screening)
        for k, (t, x, r) in enumerate(zip(trials, xs, results)):
            j = objective(r, targets, weights, pscale)
            search.tell(t, j if math.isfinite(j) else _PENALTY)
            history.append((first + k, screening, j))
            candidates.append((j, x))
        done += len(trials)
    candidates.sort(key=lambda c: c[0])
    if cfg.fidelity is not None:
        distinct: list[np.ndarray] = []
        for _, x in candidates:
            if not any(np.array_equal(x, y) for y in distinct):
                distinct.append(x)
            if len(distinct) == cfg.fidelity.confirm:
                break
        first = runner.next_index
        results = runner.evaluate(np.array(distinct), fidelity=1)
        confirmed = [(objective(r, targets, weights, pscale), x) for r, x in zip(results, distinct)]
        history += [(first + k, 1, c[0]) for k, c in enumerate(confirmed)]
        candidates = sorted(confirmed, key=lambda c: c[0])
    best_j, best_x = candidates[0]
    if cfg.polish:
        best_j, best_x = _polish(study, runner, best_x, best_j, targets, weights, pscale, history)
    return {"best": {p.path: p.recipe_value(v) for p, v in zip(params, best_x)},
            "best_x": [float(v) for v in best_x], "best_objective": float(best_j),
            "evaluations": len(history), "history": history, "targets": targets}


def _polish(study, runner, x0, j0, targets, weights, pscale, history):
    """Bounded Nelder–Mead in normalised coordinates, ``polish`` evaluations at most."""
    from scipy.optimize import minimize

    lo, hi = np.array([p.bounds for p in study.parameters]).T
    best = [j0, np.asarray(x0, float)]

    def f(z: np.ndarray) -> float:
        x = lo + np.clip(z, 0, 1) * (hi - lo)
        i = runner.next_index
        j = objective(runner.evaluate(x[None, :], fidelity=1)[0], targets, weights, pscale)
        history.append((i, 1, j))
        if j < best[0]:
            best[0], best[1] = j, x
        return j if math.isfinite(j) else _PENALTY

    z0 = (np.asarray(x0, float) - lo) / (hi - lo)
    d = len(z0)
    simplex = np.vstack([z0] + [z0 + np.where(np.arange(d) == k, 0.05 if z0[k] < 0.95 else -0.05, 0.0)
                                for k in range(d)])
    minimize(f, z0, method="Nelder-Mead", bounds=[(0, 1)] * d,
             options={"maxfev": study.spec.optimize.polish, "initial_simplex": simplex,
                      "xatol": 1e-6, "fatol": 1e-14})
    return best[0], best[1]


def run_pareto(study: Study, runner: Runner, *, seed: int) -> dict[str, Any]:
    """NSGA-II (pymoo) with each generation's population evaluated as one batch of tasks."""
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.evaluator import Evaluator
    from pymoo.core.problem import Problem
    from pymoo.problems.static import StaticProblem

    cfg = study.spec.pareto
    assert cfg is not None
    objs = list(cfg.objectives.items())
    lo, hi = np.array([p.bounds for p in study.parameters]).T
    problem = Problem(n_var=len(lo), n_obj=len(objs), xl=lo, xu=hi)
    algo = NSGA2(pop_size=cfg.population)
    algo.setup(problem, termination=("n_gen", cfg.generations), seed=seed, verbose=False)
    while algo.has_next():
        pop = algo.ask()
        results = runner.evaluate(pop.get("X"))
        F = np.array([[(-1.0 if sense == Sense.MAX else 1.0) * r[m] for m, sense in objs]
                      for r in results])
        F[~np.isfinite(F)] = _PENALTY
        Evaluator().eval(StaticProblem(problem, F=F), pop)
        algo.tell(infills=pop)
    res = algo.result()
    X, F = np.atleast_2d(res.X), np.atleast_2d(res.F)
    sign = np.array([-1.0 if s == Sense.MAX else 1.0 for _, s in objs])
    order = np.argsort(F[:, 0])
    return {"objectives": dict(objs), "front_x": X[order].tolist(),
            "front": (F[order] * sign).tolist(), "evaluations": runner.next_index}
