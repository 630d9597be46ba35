"""Reference problems as objects: a :class:`ReferenceProblem` runs the package's own
models on a case with a known answer (analytic solution, published table, or the cited
model solved independently) and returns :class:`Check` rows, measured vs reference.

Problems live in a registry (``register``/``problems``); the problem modules of every
scale are imported on first use (``_PROBLEM_MODULES``).  ``waferlab validate`` and
``tests/validation`` run them.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

from ..context import RunContext
from ..registry import Registry

__all__ = ["Check", "ReferenceProblem", "ProblemResult", "SCALES", "register", "problems",
           "get_problem", "run_problem", "mc_tolerance"]

SCALES = ("reactor", "feature", "atomic", "litho", "thermal", "mechanics")

_PROBLEM_MODULES = (
    "waferlab.validation.feature",
    "waferlab.validation.deposition",
    "waferlab.validation.ald",
    "waferlab.validation.reactor",
    "waferlab.validation.reactor_fluid2d",
    "waferlab.validation.plasma",
    "waferlab.validation.plasma_eedf",
    "waferlab.validation.atomic",
    "waferlab.validation.fluorocarbon",
    "waferlab.validation.litho",
    "waferlab.validation.thermal",
)

_REGISTRY: Registry[ReferenceProblem] = Registry("reference problem", _PROBLEM_MODULES,
                                                group="waferlab.validation")


@dataclass(frozen=True, kw_only=True)
class Check:
    """One compared quantity: passes when |measured − reference| <= tolerance (same unit).

    basis   how the tolerance was obtained (e.g. "3σ, σ = 0.0012 computed + 0.5 % geometry")
    """

    quantity: str
    measured: float
    reference: float
    tolerance: float
    unit: str = ""
    basis: str = ""

    def __post_init__(self):
        if not (self.tolerance >= 0):
            raise ValueError(f"Check {self.quantity!r}: tolerance = {self.tolerance!r} must be >= 0")

    @property
    def error(self) -> float:
        return float(self.measured) - float(self.reference)

    @property
    def passed(self) -> bool:
        """|measured − reference| <= tolerance; a NaN anywhere fails."""
        m, r, t = float(self.measured), float(self.reference), float(self.tolerance)
        return math.isfinite(m) and math.isfinite(r) and abs(m - r) <= t

    def as_dict(self) -> dict:
        return {"quantity": self.quantity, "measured": float(self.measured),
                "reference": float(self.reference), "tolerance": float(self.tolerance),
                "unit": self.unit, "basis": self.basis, "passed": self.passed}


@dataclass(frozen=True, kw_only=True)
class ReferenceProblem:
    """A reference problem of one scale.

    name         registry key (``waferlab validate --only NAME``)
    scale        one of ``SCALES``
    source       citation: author, journal, year
    description  what is run and what it is compared with
    run          ``run(ctx, quick) -> list[Check]``; ``quick`` selects small settings
    """

    name: str
    scale: str
    source: str
    description: str
    run: Callable[[RunContext, bool], list[Check]] = field(repr=False, compare=False)

    def __post_init__(self):
        if self.scale not in SCALES:
            raise ValueError(f"ReferenceProblem {self.name!r}: scale = {self.scale!r}; "
                             f"allowed: {', '.join(SCALES)}")


@dataclass(frozen=True, kw_only=True)
class ProblemResult:
    """The checks of one problem run and its wall time (s)."""

    problem: ReferenceProblem
    checks: tuple[Check, ...]
    seconds: float

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    def as_dict(self) -> dict:
        p = self.problem
        return {"name": p.name, "scale": p.scale, "source": p.source,
                "description": p.description, "passed": self.passed,
                "seconds": round(self.seconds, 3), "checks": [c.as_dict() for c in self.checks]}


def register(problem: ReferenceProblem) -> ReferenceProblem:
    """Add ``problem`` to the registry (a name may be registered once)."""
    return _REGISTRY.add(problem.name, problem)


def problems(scale: str | None = None) -> tuple[ReferenceProblem, ...]:
    """All registered problems (of one scale if given), in registration order."""
    if scale is not None and scale not in SCALES:
        raise ValueError(f"scale = {scale!r}; allowed: {', '.join(SCALES)}")
    return tuple(p for p in _REGISTRY.values() if scale is None or p.scale == scale)


def get_problem(name: str) -> ReferenceProblem:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no reference problem {name!r}; known: {', '.join(_REGISTRY.names())}") from None


def run_problem(problem: ReferenceProblem, ctx: RunContext, *, quick: bool = True) -> ProblemResult:
    """Run one problem with a context derived from ``ctx`` (its own random stream)."""
    t0 = time.perf_counter()
    checks = tuple(problem.run(ctx.with_(seed=int(ctx.seed_sequence("validation", problem.name)
                                                   .generate_state(1)[0])), quick))
    return ProblemResult(problem=problem, checks=checks, seconds=time.perf_counter() - t0)


def mc_tolerance(sigma: float, reference: float, *, systematic: float = 0.0) -> tuple[float, str]:
    """3σ (σ computed by the estimator) plus a relative systematic allowance (fraction of
    |reference|) for a stated deterministic error (mesh faceting, table rounding)."""
    tol = 3.0 * float(sigma) + systematic * abs(float(reference))
    basis = f"3σ (σ = {sigma:.2g} computed)"
    if systematic:
        basis += f" + {100 * systematic:g} % systematic"
    return tol, basis
