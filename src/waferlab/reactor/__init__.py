"""Reactor scale: global (0D) plasma model, chemistry sets, sheath, IEDF/IADF.

``solve(spec) -> ReactorState`` is the entry point; see docs/reactor.md.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .chemistry import Chemistry, load_chemistry
    from .sheath import Distribution
    from .spec import ReactorSpec, load_reactor_recipe
    from .state import ReactorState, simulate, solve

__all__ = ["ReactorSpec", "ReactorState", "solve", "simulate", "load_chemistry", "Chemistry",
           "Distribution", "load_reactor_recipe"]

# imported on first use: importing one module of the package (a sub-command's parser, a
# recipe's spec) does not import all of them (the start-up time of the command)
_WHERE = {"Chemistry": "chemistry", "load_chemistry": "chemistry", "Distribution": "sheath",
          "ReactorSpec": "spec", "load_reactor_recipe": "spec", "ReactorState": "state",
          "simulate": "state", "solve": "state"}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
