"""Reference problems as objects (analytic solutions, published tables, peer equations),
used by ``tests/validation`` and ``waferlab validate``.  See docs/validation.md.

The names below are imported from ``core`` on first use (``waferlab --help`` builds the
``validate`` parser without NumPy)."""
from .._lazy import lazy_attributes

__all__ = ["SCALES", "Check", "ProblemResult", "ReferenceProblem", "get_problem", "mc_tolerance",
           "problems", "register", "run_problem"]

__getattr__, __dir__ = lazy_attributes(__name__, {n: "core" for n in __all__}, __all__)
