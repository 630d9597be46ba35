"""Named modes of the reactor recipe section, as ``enum.StrEnum``.

A member is equal to its string (``ReactorModel.FLUID2D == "fluid2d"``): recipes keep
their spelling, pydantic lists the allowed values in its errors, and
``model_dump(mode="json")`` writes plain strings.
"""
from __future__ import annotations

from enum import StrEnum

__all__ = ["SourceType", "PressureControl", "ReactorModel", "EEDFModel"]


class SourceType(StrEnum):
    """How the power reaches the electrons (``reactor.source.type``): an inductive coil
    or a capacitive electrode."""

    ICP = "icp"
    CCP = "ccp"


class PressureControl(StrEnum):
    """``reactor.pressure_control``: the pump speed is fixed and the pressure follows
    (``fixed_pumping``), or a throttle valve sets the pumping so that the pressure is the
    recipe's (``throttle``)."""

    FIXED_PUMPING = "fixed_pumping"
    THROTTLE = "throttle"


class EEDFModel(StrEnum):
    """``reactor.eedf``: Maxwellian electrons, or rates from the two-term Boltzmann EEDF."""

    MAXWELLIAN = "maxwellian"
    BOLTZMANN = "boltzmann"


class ReactorModel(StrEnum):
    """``reactor.model``: the volume-averaged global model or the 2D axisymmetric fluid model."""

    GLOBAL = "global"
    FLUID2D = "fluid2d"
