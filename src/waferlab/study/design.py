"""Sample designs by method name: points in the unit hypercube mapped through each
parameter's inverse CDF (or, for PCE quadrature, chaospy's Gaussian nodes).

grid        full factorial; ``levels`` per knob (default samples^(1/d)); range endpoints
            included for uniform/log-uniform, quantile midpoints for normal laws
lhs         Latin hypercube (McKay, Beckman & Conover, Technometrics 21, 239 (1979))
montecarlo  independent uniform points
sobol       Saltelli's scheme (SALib): N (D + 2) rows (Saltelli et al., CPC 181, 259 (2010))
morris      Morris trajectories (SALib): N (D + 1) rows (Morris, Technometrics 33, 161 (1991))
pce         Gaussian quadrature of total order p (chaospy), or ``samples`` Sobol points
            for point-collocation regression
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..context import RunContext
from .params import Distribution
from .spec import PceRule, Study

__all__ = ["Design", "make_design", "register_design", "salib_problem", "DESIGNS"]


@dataclass(frozen=True)
class Design:
    """The rows to run (parameter values) and what the analysis needs to know about them."""

    x: np.ndarray                          # (n, d) in each parameter's unit
    weights: np.ndarray | None = None      # quadrature weights (pce)
    meta: dict[str, Any] = field(default_factory=dict)


DESIGNS: dict[str, Callable[[Study, np.random.Generator, int], Design]] = {}


def register_design(name: str):
    def deco(fn):
        DESIGNS[name] = fn
        return fn
    return deco


def _map(study: Study, u: np.ndarray) -> np.ndarray:
    return np.column_stack([p.ppf(u[:, j]) for j, p in enumerate(study.parameters)])


def salib_problem(study: Study) -> dict:
    """SALib sees the unit hypercube; the inverse CDFs map it to the parameters."""
    d = len(study.parameters)
    return {"num_vars": d, "names": list(study.names), "bounds": [[0.0, 1.0]] * d}


@register_design("grid")
def _grid(study: Study, rng: np.random.Generator, seed: int) -> Design:
    d = len(study.parameters)
    default = max(2, int(round(study.spec.samples ** (1.0 / d))))
    axes = []
    for p in study.parameters:
        n = p.levels or default
        ranged = p.distribution in (Distribution.UNIFORM, Distribution.LOG_UNIFORM)
        axes.append(np.linspace(0.0, 1.0, n) if ranged else (np.arange(n) + 0.5) / n)
    u = np.array(list(itertools.product(*axes)), dtype=float)
    return Design(_map(study, u), meta={"levels": [len(a) for a in axes]})


@register_design("lhs")
def _lhs(study: Study, rng: np.random.Generator, seed: int) -> Design:
    from scipy.stats import qmc

    u = qmc.LatinHypercube(d=len(study.parameters), seed=rng).random(study.spec.samples)
    return Design(_map(study, u))


@register_design("montecarlo")
def _mc(study: Study, rng: np.random.Generator, seed: int) -> Design:
    return Design(_map(study, rng.random((study.spec.samples, len(study.parameters)))))


@register_design("sobol")
def _sobol(study: Study, rng: np.random.Generator, seed: int) -> Design:
    from SALib.sample import sobol

    u = sobol.sample(salib_problem(study), study.spec.samples,
                     calc_second_order=study.spec.sobol.second_order, seed=seed)
    return Design(_map(study, u), meta={"u": u})


@register_design("morris")
def _morris(study: Study, rng: np.random.Generator, seed: int) -> Design:
    from SALib.sample import morris

    u = morris.sample(salib_problem(study), study.spec.samples, num_levels=4, seed=seed)
    return Design(_map(study, u), meta={"u": u})


@register_design("pce")
def _pce(study: Study, rng: np.random.Generator, seed: int) -> Design:
    import chaospy

    joint = chaospy.J(*(p.chaospy() for p in study.parameters))
    cfg = study.spec.pce
    if cfg.rule == PceRule.QUADRATURE:
        nodes, weights = chaospy.generate_quadrature(cfg.order, joint, rule="gaussian")
        return Design(np.asarray(nodes).T.reshape(-1, len(study.parameters)), weights=np.asarray(weights))
    from scipy.stats import qmc

    u = qmc.Sobol(d=len(study.parameters), scramble=True, seed=rng).random(study.spec.samples)
    return Design(_map(study, u))


def make_design(study: Study) -> Design:
    """The design of a sampling method (not optimize/pareto), reproducible from the seed."""
    ctx = RunContext(seed=study.spec.seed)
    rng = ctx.rng("study", "design")
    seed = int(ctx.seeds(1, "study", "design")[0] % (2 ** 31))
    return DESIGNS[study.spec.method](study, rng, seed)
