"""Reference problems as objects (analytic solutions, published tables, peer equations),
used by ``tests/validation`` and ``waferlab validate``.  See docs/validation.md."""
from .core import (SCALES, Check, ProblemResult, ReferenceProblem, get_problem, mc_tolerance,
                   problems, register, run_problem)

__all__ = ["SCALES", "Check", "ProblemResult", "ReferenceProblem", "get_problem", "mc_tolerance",
           "problems", "register", "run_problem"]
