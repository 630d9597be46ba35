"""Recipe keys of ``reactor.fluid2d:`` (pydantic, frozen; SI floats after validation).

```yaml
reactor:
  model: fluid2d
  fluid2d:
    coil: {radii: [4 cm, 7 cm, 10 cm], height: 1 cm, frequency: 13.56 MHz}
    # or coil: {type: cylindrical, heights: [5 cm, 10 cm, 15 cm]}  (window = side-wall tube)
    window: {thickness: 2 cm, permittivity: 3.8}
    mesh: {nr: 24, nz: 32}            # graded in z; optional wafer_cell, window_cell, wall_cell, graded, adapt
    gas_heating: true
```
Checks that need the chamber (coil inside it, the skin depth resolved) are made when the
model is built (:func:`waferlab.reactor.fluid2d.model.build`).
"""
from __future__ import annotations

from typing import Literal

from pydantic import field_validator, model_validator

from ...recipe_io import SpecModel
from ...units import Dimensionless, Frequency, Length
from .ccp_spec import CCPSettings

__all__ = ["Coil", "Window", "MeshSettings", "FlowSettings", "Fluid2DSpec", "WAFER_FRACTION", "WALL_FRACTION"]

# Default finest cells of the graded mesh, as fractions of the uniform cell L/nz (at the wafer;
# at the lid of a cylindrical-coil chamber): the mesh-convergence study's family
# (bench/bench_fluid2d_mesh.py).
WAFER_FRACTION = 0.25
WALL_FRACTION = 0.25


class Coil(SpecModel):
    """Planar coil above the dielectric window (turn ``radii``) or cylindrical coil around a
    dielectric side wall (turn ``heights`` above the wafer); ``height``: distance of the turns
    from the outside of the window."""

    type: Literal["planar", "cylindrical"] = "planar"
    radii: list[Length] | None = None
    heights: list[Length] | None = None
    height: Length = 0.01
    frequency: Frequency = 13.56e6

    @model_validator(mode="after")
    def _check(self):
        for key in ("radii", "heights"):
            v = getattr(self, key)
            if v is not None and (not v or min(v) <= 0):
                raise ValueError(f"{key} = {v} must be a non-empty list of lengths > 0")
        if self.height <= 0 or self.frequency <= 0:
            raise ValueError(f"height = {self.height:g} m and frequency = {self.frequency:g} Hz must be > 0")
        return self


class Window(SpecModel):
    thickness: Length = 0.02
    permittivity: Dimensionless = 3.8

    @model_validator(mode="after")
    def _check(self):
        if self.thickness <= 0 or self.permittivity < 1:
            raise ValueError(f"thickness = {self.thickness:g} m must be > 0 and permittivity = "
                             f"{self.permittivity:g} >= 1")
        return self


class MeshSettings(SpecModel):
    """Cells in r and in z (plasma region); ``window_cell`` the finest z cell at the window
    (default: a quarter of the estimated skin depth); ``graded`` (default true): also graded
    towards the wafer (``wafer_cell``, default WAFER_FRACTION·L/nz); ``wall_cell`` grades r
    towards the side wall (default: r uniform; a cylindrical coil: the lid's z cell, default
    WALL_FRACTION·L/nz).  ``adapt`` (default false; "auto": on for an electronegative chemistry
    with nz >= 16): the z faces are placed by equidistributing the potential gradient of a
    first steady state on a coarse mesh, with ``wafer_cell`` (default 0.5 mm) at the wafer
    (:mod:`.adapt`; experimental: see docs/reactor.md)."""

    nr: int = 24
    nz: int = 32
    window_cell: Length | None = None
    graded: bool = True
    wafer_cell: Length | None = None
    wall_cell: Length | None = None
    adapt: bool | Literal["auto"] = False

    @field_validator("window_cell", "wafer_cell", "wall_cell")
    @classmethod
    def _cell(cls, v):
        if v is not None and not v > 0:
            raise ValueError(f"{v:g} m must be a length > 0")
        return v

    @model_validator(mode="after")
    def _graded(self):
        if not self.graded and (self.wafer_cell is not None or self.wall_cell is not None):
            raise ValueError("wafer_cell and wall_cell need graded: true")
        if self.adapt is True and not self.graded:
            raise ValueError("adapt: true needs graded: true")
        return self

    @field_validator("nr", "nz")
    @classmethod
    def _n(cls, v):
        if not 4 <= v <= 400:
            raise ValueError(f"{v} cells is outside [4, 400]")
        return v


class FlowSettings(SpecModel):
    """Gas inlet and pump port of the multi-species model (see :mod:`.flow`): the feed enters
    through the window for r < ``inlet_radius`` (default R/5, a centre nozzle); the pump port
    is the bottom ring outside the wafer (``pump: bottom``, width ``pump_width``, default
    R − wafer radius) or the lowest ``pump_width`` of the side wall (``pump: side``, default
    L/5); ``auto`` takes the ring when the wafer leaves one.  ``slip``: Maxwell slip on
    the walls; ``convection: false`` drops the flow (feed and pumping stay)."""

    inlet_radius: Length | None = None
    pump: Literal["auto", "bottom", "side"] = "auto"
    pump_width: Length | None = None
    slip: bool = True
    convection: bool = True

    @model_validator(mode="after")
    def _check(self):
        for key in ("inlet_radius", "pump_width"):
            v = getattr(self, key)
            if v is not None and v <= 0:
                raise ValueError(f"{key} = {v:g} m must be > 0")
        return self


class Fluid2DSpec(SpecModel):
    """Settings of ``model: fluid2d``."""

    coil: Coil = Coil()
    window: Window = Window()
    mesh: MeshSettings = MeshSettings()
    flow: FlowSettings = FlowSettings()
    ccp: CCPSettings | None = None        # source.type: ccp (see .ccp_spec)
    gas_heating: bool = True
    # positive-ion face flux of the multi-species model: "auto" (the default: "pressure" when the
    # chemistry has negative ions, else "scharfetter_gummel"), "pressure" (the charge-weighted
    # momentum balance of .ionflux, reached from the SG steady state; falls back to it with a
    # warning when it stalls) or "scharfetter_gummel" (+30 % on the SF6/O2 wafer ion flux of the
    # default mesh: bench/results/fluid2d_ionflux_s14.md, docs/reactor.md)
    ion_flux: Literal["auto", "pressure", "scharfetter_gummel"] = "auto"
    max_iterations: int = 300
    tolerance: float = 1e-7

    @field_validator("max_iterations")
    @classmethod
    def _it(cls, v):
        if v < 1:
            raise ValueError(f"max_iterations = {v} must be >= 1")
        return v

    @field_validator("tolerance")
    @classmethod
    def _tol(cls, v):
        if not 0 < v < 1:
            raise ValueError(f"tolerance = {v:g} is outside (0, 1)")
        return v
