"""Monte Carlo particle-transport flux engine (2D/3D) and transport-limited surface models."""
from .engine import FluxResult, SpeciesFlux, trace_fluxes
from . import shapes
from .sources import AngularTable, Species

__all__ = ["AngularTable", "FluxResult", "Species", "SpeciesFlux", "shapes", "trace_fluxes"]
