"""Recipe sections of lithography: ``optics``, ``mask``, ``image``, ``resist``.

Every dimensioned value carries a unit ("193 nm", "30 mJ/cm^2", "0.8 1/um"); the
validators turn them into SI floats once.  Mask coordinates are wafer-scale (1x).

```yaml
optics: {wavelength: 193 nm, na: 0.75, source: {shape: circular, sigma: 0.5}, defocus: 0 nm}
mask:   {type: grating, pitch: 400 nm, duty: 0.5, clear: spaces}   # x = 0 at a space centre
image:  {pixel: 1 nm, method: abbe}                               # abbe | hopkins
resist: {thickness: 100 nm, mode: full, dose: 30 mJ/cm^2, ...}
```
"""
from __future__ import annotations

from functools import partial
from typing import Annotated, Literal, Union

from pydantic import BeforeValidator, Field, PlainSerializer, model_validator

from ..recipe_io import SpecModel
from ..units import Angle, Diffusivity, ExposureDose, Frequency, Length, Rate, Time, parse_quantity
from .modes import (Axis, GratingClear, GratingOrientation, ImagingMethod, LayoutTone, MaskKind,
                    QuadrupoleOrientation, ResistMode, ResistTone)

__all__ = [
    "InverseLength", "Sensitivity",
    "CircularSource", "AnnularSource", "DipoleSource", "QuadrupoleSource", "FreeformSource",
    "SourceSpec", "OpticsSpec",
    "GratingMask", "PolygonMask", "GdsMask", "MaskSpec",
    "ImageSpec", "DillSpec", "PebSpec", "DevelopSpec", "StochasticSpec", "ResistSpec",
    "LithoSpec", "LithoRecipe",
]


def _derived_unit(value, *, unit: str, example: str) -> float:
    """Convert a string with a unit to ``unit`` (SI), using the pint parser of waferlab.units."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"{value!r} is not a quantity; write e.g. \"{example}\"")
    if isinstance(value, (int, float)):
        raise ValueError(f"{value!r} has no unit; write e.g. \"{example}\"")
    q = parse_quantity(value)
    try:
        return float(q.to(unit).magnitude)
    except Exception:  # pint's DimensionalityError and friends
        raise ValueError(f"\"{value}\" is not compatible with {unit}; write e.g. \"{example}\"") from None


def _with_unit(x: float, *, unit: str) -> str:
    """JSON form of a derived-unit value: the SI float with its unit, so a dumped recipe
    (the run's recipe.yaml) loads again."""
    return f"{float(x)!r} {unit}"


InverseLength = Annotated[float, BeforeValidator(partial(_derived_unit, unit="1/m", example="0.8 1/um")),
                          PlainSerializer(partial(_with_unit, unit="1/m"), when_used="json")]
Sensitivity = Annotated[float, BeforeValidator(partial(_derived_unit, unit="m**2/J",
                                                       example="0.015 cm^2/mJ")),
                        PlainSerializer(partial(_with_unit, unit="m**2/J"), when_used="json")]

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


# ---------------------------------------------------------------- sources (in sigma units)
class CircularSource(SpecModel):
    """Conventional (top-hat) source of partial coherence ``sigma``; 0 is coherent."""

    shape: Literal["circular"]
    sigma: Fraction = 0.5


class AnnularSource(SpecModel):
    shape: Literal["annular"]
    sigma_in: Fraction
    sigma_out: Fraction

    @model_validator(mode="after")
    def _order(self):
        if not self.sigma_in < self.sigma_out:
            raise ValueError(f"sigma_in = {self.sigma_in} must be below sigma_out = {self.sigma_out}")
        return self


class DipoleSource(SpecModel):
    """Two annular-sector poles on the ``axis`` (x: poles at +-x, for lines along y)."""

    shape: Literal["dipole"]
    sigma_in: Fraction
    sigma_out: Fraction
    opening: Angle = 0.6108652381980153          # 35 deg
    axis: Axis = Axis.X


class QuadrupoleSource(SpecModel):
    """Four annular-sector poles: ``cross`` on the x and y axes, ``quasar`` on the diagonals."""

    shape: Literal["quadrupole"]
    sigma_in: Fraction
    sigma_out: Fraction
    opening: Angle = 0.5235987755982988          # 30 deg
    orientation: QuadrupoleOrientation = QuadrupoleOrientation.QUASAR


class FreeformSource(SpecModel):
    """Pixel map of source intensity on a square grid spanning sigma in [-1, 1]^2.

    ``map``: rows (y from -1 to 1) of non-negative numbers, or ``file``: a .npy array."""

    shape: Literal["freeform"]
    map: list[list[float]] | None = None
    file: str | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.map is None) == (self.file is None):
            raise ValueError("give exactly one of 'map' (rows of numbers) or 'file' (.npy)")
        return self


SourceSpec = Annotated[Union[CircularSource, AnnularSource, DipoleSource, QuadrupoleSource,
                             FreeformSource], Field(discriminator="shape")]


class OpticsSpec(SpecModel):
    """Projection optics: wavelength, NA, immersion index, source, defocus, Fringe Zernikes (waves)."""

    wavelength: Length = Field(gt=0.0)
    na: float = Field(gt=0.0)
    immersion: float = Field(default=1.0, ge=1.0)
    source: SourceSpec = Field(default_factory=lambda: CircularSource(shape="circular", sigma=0.0))
    defocus: Length = 0.0
    zernike: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self):
        if self.na >= self.immersion:
            raise ValueError(f"na = {self.na} needs an immersion index above it "
                             f"(immersion = {self.immersion}); water at 193 nm is 1.44")
        for key in self.zernike:
            if not (key[:1] in "Zz" and key[1:].isdigit() and int(key[1:]) >= 1):
                raise ValueError(f"zernike key {key!r}: write Fringe terms as Z1, Z4, Z9, ...")
        return self


# ---------------------------------------------------------------- masks
class _MaskCommon(SpecModel):
    kind: MaskKind = MaskKind.BINARY
    transmission: Fraction | None = None     # absorber intensity transmission (attpsm: 0.06)
    phase: Angle = 3.141592653589793         # absorber phase (attpsm)


class GratingMask(_MaskCommon):
    """Line/space grating: ``duty`` = line width / pitch; ``clear: spaces`` (lines are absorber)
    or ``clear: lines``.  x = 0 is at a space centre; ``orientation: vertical`` = lines along y."""

    type: Literal["grating"]
    pitch: Length = Field(gt=0.0)
    duty: float = Field(default=0.5, gt=0.0, lt=1.0)
    clear: GratingClear = GratingClear.SPACES
    orientation: GratingOrientation = GratingOrientation.VERTICAL


class _LayoutCommon(_MaskCommon):
    tone: LayoutTone = LayoutTone.CLEAR     # polygons are openings (clear) or absorber (dark)
    size: list[Length] = Field(min_length=1, max_length=2)   # clip size [x, y] (or one for both)
    center: list[Length] | None = Field(default=None, min_length=2, max_length=2)
    periodic: bool = True


class PolygonMask(_LayoutCommon):
    """Polygons given in the recipe: lists of [x, y] vertices in multiples of ``unit``."""

    type: Literal["polygons"]
    unit: Length = 1e-9
    polygons: list[list[list[float]]] = Field(min_length=1)


class GdsMask(_LayoutCommon):
    """A GDSII (.gds) or OASIS (.oas) layer read with gdstk; relative paths are looked up
    beside the recipe, then in waferlab/litho/data."""

    type: Literal["gds"]
    file: str
    cell: str | None = None
    layer: int = 1
    datatype: int = 0


MaskSpec = Annotated[Union[GratingMask, PolygonMask, GdsMask], Field(discriminator="type")]


class ImageSpec(SpecModel):
    """Numerics and outputs of the aerial image (dose is relative to the nominal dose)."""

    pixel: Length = 1e-9
    method: ImagingMethod = ImagingMethod.ABBE
    kernels: int = Field(default=24, ge=1)
    source_step: float = Field(default=0.05, gt=0.0, le=1.0)
    source_edges: bool = True
    threshold: float = Field(default=0.3, gt=0.0)
    dose: float = Field(default=1.0, gt=0.0)
    cut: Axis = Axis.X
    target_cd: Length | None = None
    focus: list[Length] | None = None
    doses: list[float] | None = None
    cd_tolerance: float = Field(default=0.1, gt=0.0, lt=1.0)
    pv_dose: float = Field(default=0.02, ge=0.0, lt=1.0)
    pv_defocus: Length = 25e-9


# ---------------------------------------------------------------- resist
class DillSpec(SpecModel):
    """Dill ABC parameters: A, B (1/length), C (area/energy)."""

    A: InverseLength = 0.0
    B: InverseLength = 0.0
    C: Sensitivity = 5e-3                  # 0.05 cm^2/mJ


class PebSpec(SpecModel):
    """Post-exposure bake: acid/quencher reaction-diffusion and deprotection ``dm/dt = -k_amp h m``."""

    time: Time = 60.0
    acid_diffusivity: Diffusivity = 0.0
    quencher: float = Field(default=0.0, ge=0.0)         # initial quencher / PAG
    quencher_diffusivity: Diffusivity = 0.0
    k_amp: Frequency = 0.05
    k_quench: Frequency = 1.0


class DevelopSpec(SpecModel):
    """Mack development rate R(m) and development time."""

    rmax: Rate = 100e-9
    rmin: Rate = 0.1e-9
    n: float = Field(default=5.0, gt=1.0)
    m_th: Fraction = 0.5
    time: Time = 60.0


class StochasticSpec(SpecModel):
    """Photon shot noise and acid-generation noise (counts per voxel)."""

    shot_noise: bool = True
    acid_noise: bool = True
    pag: float = Field(default=0.2, gt=0.0)       # PAG molecules per nm^3
    quantum_yield: float = Field(default=1.0, gt=0.0)
    length: Length = 256e-9                        # clip length along the lines


REFERENCE_DOSE = 300.0                         # J/m^2 = 30 mJ/cm^2, the default dose


class ResistSpec(SpecModel):
    """Resist stack: ``threshold`` mode or ``full`` (Dill -> PEB -> Mack -> development
    front); ``dose`` is the open-frame exposure dose E (J/m², given as mJ/cm²).

    Threshold mode clears where the local dose reaches the dose to clear E₀:
    E · dose_rel · I(x) ≥ E₀ (I the aerial image relative to a clear frame, dose_rel =
    ``image.dose``).  E₀ is ``dose_to_clear``, or ``threshold`` × 30 mJ/cm² (the
    clearing intensity at the default dose) when only ``threshold`` is given.
    """

    thickness: Length = Field(gt=0.0)
    mode: ResistMode = ResistMode.THRESHOLD
    tone: ResistTone = ResistTone.POSITIVE
    threshold: float = Field(default=0.3, gt=0.0)
    dose_to_clear: ExposureDose | None = Field(default=None, gt=0.0)
    dose: ExposureDose = Field(default=REFERENCE_DOSE, gt=0.0)   # 30 mJ/cm^2

    @property
    def clearing_intensity(self) -> float:
        """Relative intensity at which a threshold resist clears at this dose: E₀ / E."""
        e0 = self.dose_to_clear if self.dose_to_clear is not None else \
            self.threshold * REFERENCE_DOSE
        return e0 / self.dose
    dill: DillSpec = Field(default_factory=DillSpec)
    peb: PebSpec = Field(default_factory=PebSpec)
    develop: DevelopSpec = Field(default_factory=DevelopSpec)
    dz: Length = 2e-9
    image_planes: int = Field(default=1, ge=1)   # aerial images through the depth (full mode)
    index: float = Field(default=1.7, ge=1.0)    # resist refractive index (focus through depth)
    stochastic: StochasticSpec | None = None


class LithoSpec(SpecModel):
    """The lithography part of a recipe (what an ``expose`` step holds)."""

    optics: OpticsSpec
    mask: MaskSpec
    image: ImageSpec = Field(default_factory=ImageSpec)
    resist: ResistSpec | None = None


class LithoRecipe(LithoSpec):
    """A standalone ``waferlab image`` recipe."""

    name: str
    seed: int = 0
