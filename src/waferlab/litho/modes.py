"""Named modes of the lithography recipe sections, as ``enum.StrEnum``.

A member is equal to its string (``ImagingMethod.ABBE == "abbe"``): recipes keep their
spelling, pydantic lists the allowed values in its errors, and
``model_dump(mode="json")`` writes plain strings.  (The ``shape`` of a source and the
``type`` of a mask stay ``Literal`` tags: they pick the member of a pydantic union.)
"""
from __future__ import annotations

from enum import StrEnum

__all__ = ["Axis", "QuadrupoleOrientation", "MaskKind", "GratingClear", "GratingOrientation",
           "LayoutTone", "ImagingMethod", "ResistMode", "ResistTone"]


class Axis(StrEnum):
    """A lateral axis: the poles of a dipole source, the cut of an image."""

    X = "x"
    Y = "y"


class QuadrupoleOrientation(StrEnum):
    """Quadrupole poles on the axes (``cross``) or on the diagonals (``quasar``)."""

    CROSS = "cross"
    QUASAR = "quasar"


class MaskKind(StrEnum):
    """Mask technology: binary chrome (absorber transmits 0) or attenuated phase shift."""

    BINARY = "binary"
    ATTPSM = "attpsm"


class GratingClear(StrEnum):
    """Which part of a grating transmits: the spaces between the lines, or the lines."""

    SPACES = "spaces"
    LINES = "lines"


class GratingOrientation(StrEnum):
    """Grating lines along y (``vertical``) or along x (``horizontal``)."""

    VERTICAL = "vertical"
    HORIZONTAL = "horizontal"


class LayoutTone(StrEnum):
    """What the layout polygons are: openings (``clear``) or absorber / film (``dark``)."""

    CLEAR = "clear"
    DARK = "dark"


class ImagingMethod(StrEnum):
    """Partially coherent imaging: Abbe's source integration or Hopkins' TCC kernels."""

    ABBE = "abbe"
    HOPKINS = "hopkins"


class ResistMode(StrEnum):
    """Resist model: a constant-threshold cut of the image, or the full Dill exposure,
    post-exposure bake and development chain."""

    THRESHOLD = "threshold"
    FULL = "full"


class ResistTone(StrEnum):
    """Positive resist dissolves where exposed; negative where not exposed."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
