"""Reactor scale: global (0D) plasma model, chemistry sets, sheath, IEDF/IADF.

``solve(spec) -> ReactorState`` is the entry point; see docs/reactor.md.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes

if TYPE_CHECKING:
    from .chemistry import Chemistry, load_chemistry
    from .sheath import Distribution
    from .spec import ReactorSpec, load_reactor_recipe
    from .state import ReactorState, simulate, solve

__all__ = ["ReactorSpec", "ReactorState", "solve", "simulate", "load_chemistry", "Chemistry",
           "Distribution", "load_reactor_recipe"]

# imported on first use (waferlab/_lazy.py: the start-up time of the command)
_WHERE = {"Chemistry": "chemistry", "load_chemistry": "chemistry", "Distribution": "sheath",
          "ReactorSpec": "spec", "load_reactor_recipe": "spec", "ReactorState": "state",
          "simulate": "state", "solve": "state"}

__getattr__, __dir__ = lazy_attributes(__name__, _WHERE, __all__)
