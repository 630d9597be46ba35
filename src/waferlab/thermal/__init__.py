"""thermal: ion implantation, dopant diffusion (intrinsic, Fermi, +1 TED), oxidation.

Entry point for recipes: :func:`run_thermal` on a :class:`ThermalSpec` (the
``thermal:`` section).  See docs/thermal.md.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes

if TYPE_CHECKING:
    from .diffusion import AnnealResult, TimeStepping, anneal
    from .dopants import DOPANTS, Arrhenius, ni_si
    from .electrical import junction_depths, sheet_resistance
    from .implant import Moments, implant_1d, implant_2d, range_moments
    from .mesh import Mesh, make_mesh
    from .models import MODELS, make_model
    from .oxidation import grow_oxide, oxide_thickness
    from .run import ThermalState, run_thermal, simulate
    from .spec import ThermalSpec
    from .wafer_mask import mask_from_stack

__all__ = ["AnnealResult", "TimeStepping", "anneal", "DOPANTS", "Arrhenius", "ni_si",
           "junction_depths", "sheet_resistance", "Moments", "implant_1d", "implant_2d",
           "range_moments", "Mesh", "make_mesh", "MODELS", "make_model", "grow_oxide",
           "oxide_thickness", "ThermalState", "run_thermal", "simulate", "ThermalSpec",
           "mask_from_stack"]

# imported on first use (waferlab/_lazy.py: the start-up time of the command)
_WHERE = {"AnnealResult": "diffusion", "TimeStepping": "diffusion", "anneal": "diffusion",
          "DOPANTS": "dopants", "Arrhenius": "dopants", "ni_si": "dopants", "junction_depths":
          "electrical", "sheet_resistance": "electrical", "Moments": "implant", "implant_1d":
          "implant", "implant_2d": "implant", "range_moments": "implant", "Mesh": "mesh",
          "make_mesh": "mesh", "MODELS": "models", "make_model": "models", "grow_oxide":
          "oxidation", "oxide_thickness": "oxidation", "ThermalState": "run", "run_thermal":
          "run", "simulate": "run", "ThermalSpec": "spec", "mask_from_stack": "wafer_mask"}

__getattr__, __dir__ = lazy_attributes(__name__, _WHERE, __all__)
