"""Named modes of the feature scale: the strings a recipe gives, as ``enum.StrEnum``.

A member is equal to its string (``Boundary.PERIODIC == "periodic"``), so recipes keep their
spelling, pydantic lists the allowed values in its errors ("Input should be 'eo' or
'weno5'"), and ``model_dump(mode="json")`` (the archived ``recipe.yaml``) writes plain
strings.  This module imports nothing heavy, so the recipe schema can use it.
"""
from __future__ import annotations

from enum import StrEnum

__all__ = ["Scheme", "Boundary", "FeatureShape", "Symmetry", "IonScoring", "IonLobe"]


class Scheme(StrEnum):
    """Spatial scheme of the level-set step (``numerics.scheme``): first-order
    Engquist–Osher or fifth-order WENO one-sided derivatives."""

    EO = "eo"
    WENO5 = "weno5"


class Boundary(StrEnum):
    """Lateral boundary condition of the grid (``grid.boundary``)."""

    REFLECTIVE = "reflective"
    PERIODIC = "periodic"


class FeatureShape(StrEnum):
    """The opening cut into the top layer (``structure.feature.type``)."""

    TRENCH = "trench"
    HOLE = "hole"
    LINE = "line"


class Symmetry(StrEnum):
    """Part of the feature simulated (``structure.feature.symmetry``): all of it, the
    half on one side of the low-x mirror, or the quarter in the low-x, low-y corner."""

    FULL = "full"
    HALF = "half"
    QUARTER = "quarter"


class IonScoring(StrEnum):
    """How traced ions become yields (``ion_scoring``): scored at every hit with the
    hit's energy and angle (``per_hit``), or the flux times the beam's mean yield at the
    local incidence (``beam``)."""

    PER_HIT = "per_hit"
    BEAM = "beam"


class IonLobe(StrEnum):
    """Reflected-ion direction (``ion_lobe``): mirror (``specular``) or a cone about it
    (``cone``, the peer code's lobe)."""

    SPECULAR = "specular"
    CONE = "cone"
