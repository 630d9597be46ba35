"""Lithography: mask layout -> aerial image -> resist profile -> etch mask.

Masks (gdstk layouts, polygons, gratings; binary and attenuated PSM), scalar partially
coherent imaging (Abbe, Hopkins TCC / SOCS), resist (Dill, PEB, Mack, fast-marching
development, threshold), stochastics (shot noise, LER/LWR, PSD) and metrics.
See docs/litho.md.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes

if TYPE_CHECKING:
    from .imaging import Optics, SocsKernels, abbe_image, aerial_image, hopkins_image, socs_kernels
    from .mask import Mask, grating_mask, layout_mask, read_layout
    from .pipeline import (ImageResult, ResistResult, compute_image, develop, load_recipe,
                           resist_cross_section, resist_height_map)
    from .report import LithoResult, image
    from .source import SourcePoints, sample_source
    from .spec import ImageSpec, LithoRecipe, LithoSpec, MaskSpec, OpticsSpec, ResistSpec

__all__ = ["Optics", "SocsKernels", "abbe_image", "aerial_image", "hopkins_image", "socs_kernels",
           "Mask", "grating_mask", "layout_mask", "read_layout", "ImageResult", "ResistResult",
           "compute_image", "develop", "load_recipe", "resist_cross_section", "resist_height_map",
           "SourcePoints", "sample_source", "ImageSpec", "LithoRecipe", "LithoSpec", "MaskSpec",
           "OpticsSpec", "ResistSpec", "image", "LithoResult"]

# imported on first use (waferlab/_lazy.py: the start-up time of the command)
_WHERE = {"Optics": "imaging", "SocsKernels": "imaging", "abbe_image": "imaging",
          "aerial_image": "imaging", "hopkins_image": "imaging", "socs_kernels": "imaging",
          "Mask": "mask", "grating_mask": "mask", "layout_mask": "mask", "read_layout": "mask",
          "ImageResult": "pipeline", "ResistResult": "pipeline", "compute_image": "pipeline",
          "develop": "pipeline", "load_recipe": "pipeline", "resist_cross_section": "pipeline",
          "resist_height_map": "pipeline", "LithoResult": "report", "image": "report",
          "SourcePoints": "source", "sample_source": "source", "ImageSpec": "spec",
          "LithoRecipe": "spec", "LithoSpec": "spec", "MaskSpec": "spec", "OpticsSpec": "spec",
          "ResistSpec": "spec"}

__getattr__, __dir__ = lazy_attributes(__name__, _WHERE, __all__)
