"""Named recipe presets (sections without the mask): ``preset("iccad2013")``, ``preset("euv")``.

iccad2013  ICCAD-2013 mask-optimisation contest style (Banerjee, Li, Nassif, ICCAD 2013):
           193 nm water immersion, NA 1.35, 1 nm pixels on a 2048 nm clip, Hopkins/SOCS
           with 24 kernels, resist threshold 0.225, dose +-2 %, 25 nm defocus corner.
           The contest shipped its own kernels; the annular source here is our choice.
euv        13.5 nm, NA 0.33 with a stochastic resist (91.84 eV photons).
"""
from __future__ import annotations

import copy

from ..errors import RecipeError

__all__ = ["PRESETS", "preset"]

PRESETS: dict[str, dict] = {
    "iccad2013": {
        "optics": {"wavelength": "193 nm", "na": 1.35, "immersion": 1.44,
                   "source": {"shape": "annular", "sigma_in": 0.6, "sigma_out": 0.9}},
        "image": {"pixel": "1 nm", "method": "hopkins", "kernels": 24, "source_step": 0.05,
                  "threshold": 0.225, "pv_dose": 0.02, "pv_defocus": "25 nm"},
        "resist": {"thickness": "80 nm", "mode": "threshold", "threshold": 0.225},
    },
    "euv": {
        "optics": {"wavelength": "13.5 nm", "na": 0.33,
                   "source": {"shape": "annular", "sigma_in": 0.3, "sigma_out": 0.8}},
        "image": {"pixel": "1 nm", "method": "hopkins", "kernels": 12, "source_step": 0.1,
                  "threshold": 0.3},
        "resist": {"thickness": "35 nm", "mode": "threshold", "threshold": 0.3,
                   "dose": "30 mJ/cm^2", "dill": {"A": "0 1/um", "B": "5 1/um", "C": "0.05 cm^2/mJ"},
                   "peb": {"time": "60 s", "acid_diffusivity": "2e-15 cm^2/s"},
                   "stochastic": {"shot_noise": True, "acid_noise": True, "pag": 0.2,
                                  "quantum_yield": 2.0, "length": "256 nm"}},
    },
}


def preset(name: str) -> dict:
    """A deep copy of the named preset's recipe sections (add a ``mask`` and validate)."""
    try:
        return copy.deepcopy(PRESETS[name])
    except KeyError:
        raise RecipeError(f"litho preset {name!r} is not known; known: {', '.join(sorted(PRESETS))}") from None
