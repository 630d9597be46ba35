"""waferlab — a multi-scale simulator of semiconductor fabrication processes."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version as _version

from .context import RunContext
from .errors import RecipeError, SimulationError, WaferlabError
from .units import to_si

try:
    __version__ = _version("waferlab")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+src"

__all__ = ["RunContext", "RecipeError", "SimulationError", "WaferlabError", "to_si", "__version__"]
