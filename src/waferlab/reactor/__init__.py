"""Reactor scale: global (0D) plasma model, chemistry sets, sheath, IEDF/IADF.

``solve(spec) -> ReactorState`` is the entry point; see docs/reactor.md.
"""
from .chemistry import Chemistry, load_chemistry
from .sheath import Distribution
from .spec import ReactorSpec, load_reactor_recipe
from .state import ReactorState, simulate, solve

__all__ = ["ReactorSpec", "ReactorState", "solve", "simulate", "load_chemistry", "Chemistry",
           "Distribution", "load_reactor_recipe"]
