"""mechanics: film stress (Stoney), thermal mismatch along a thermal history, stacks."""
from __future__ import annotations

from .stress import (SI100_BIAXIAL_MODULUS, Film, bow, stack_curvature, stoney_curvature,
                     stoney_stress, stress_history, thermal_mismatch_stress)

__all__ = ["SI100_BIAXIAL_MODULUS", "Film", "bow", "stack_curvature", "stoney_curvature",
           "stoney_stress", "stress_history", "thermal_mismatch_stress"]
