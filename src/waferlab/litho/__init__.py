"""Lithography: mask layout -> aerial image -> resist profile -> etch mask.

Masks (gdstk layouts, polygons, gratings; binary and attenuated PSM), scalar partially
coherent imaging (Abbe, Hopkins TCC / SOCS), resist (Dill, PEB, Mack, fast-marching
development, threshold), stochastics (shot noise, LER/LWR, PSD) and metrics.
See docs/litho.md.
"""
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
