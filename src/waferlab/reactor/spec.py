"""Recipe section ``reactor:`` (pydantic, frozen; SI floats after validation).

```yaml
reactor:
  chamber: {radius: 15 cm, length: 30 cm, wafer_radius: 10 cm}
  gas_temperature: 300 K
  pressure: 1 mTorr                 # gas pressure without plasma (sets the pumping speed)
  gases: {Ar: 50 sccm}
  source: {type: icp, power: 800 W} # power absorbed by the electrons
  bias: {frequency: 13.56 MHz, voltage: 100 V}    # amplitude; or power: 50 W
  chemistry: sf6o2                  # optional: built-in name or a file path
  loading: [{species: F, probability: 0.3, open_area_fraction: 0.4}]   # optional sinks
  model: global                     # or fluid2d (settings in fluid2d:, see .fluid2d.spec)
  eedf: maxwellian                  # or boltzmann (global model: two-term EEDF, see docs/reactor.md)
```
"""
from __future__ import annotations


from pydantic import field_validator, model_validator

from ..recipe_io import SpecModel
from ..units import Area, Dimensionless, Flow, Frequency, Length, Power, Pressure, Temperature, Voltage, Volume
from .fluid2d.spec import Fluid2DSpec
from .modes import EEDFModel, PressureControl, ReactorModel, SourceType

__all__ = ["Chamber", "Source", "Bias", "Loading", "ReactorSpec", "load_reactor_recipe"]


class Chamber(SpecModel):
    """Cylindrical chamber; the wafer sits on one end wall.

    ``neutral_volume`` (optional, global model): the whole vessel the neutrals fill when
    it is larger than the plasma cylinder (radius × length) — electron and ion reactions
    stay in the plasma, neutrals are spread over ``neutral_volume`` and lost on the walls
    of a cylinder of the same radius holding it, and the pumping acts on it."""

    radius: Length
    length: Length
    wafer_radius: Length | None = None
    wall_material: str = "anodized_aluminum"
    neutral_volume: Volume | None = None

    @model_validator(mode="after")
    def _check(self):
        if self.radius <= 0 or self.length <= 0:
            raise ValueError(f"radius and length must be > 0 (got {self.radius:g} m, {self.length:g} m)")
        if (self.neutral_volume is not None
                and self.neutral_volume < 3.141592653589793 * self.radius ** 2 * self.length * (1 - 1e-9)):
            raise ValueError(f"neutral_volume = {self.neutral_volume:g} m³ must be >= the plasma volume "
                             f"pi radius² length = {3.141592653589793 * self.radius ** 2 * self.length:g} m³")
        if self.wafer_radius is not None and not (0 < self.wafer_radius <= self.radius):
            raise ValueError(f"wafer_radius = {self.wafer_radius:g} m must be in (0, radius = {self.radius:g} m]")
        return self


class Source(SpecModel):
    """Power absorbed by the electrons (ICP coil or CCP electrode)."""

    type: SourceType = SourceType.ICP
    power: Power

    @field_validator("power")
    @classmethod
    def _positive(cls, v):
        if v <= 0:
            raise ValueError(f"power = {v:g} W must be > 0")
        return v


class Bias(SpecModel):
    """RF bias of the wafer electrode: amplitude ``voltage`` or ion ``power``."""

    frequency: Frequency
    voltage: Voltage | None = None
    power: Power | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.voltage is None) == (self.power is None):
            raise ValueError("give exactly one of bias.voltage (RF amplitude) or bias.power")
        if self.frequency <= 0:
            raise ValueError(f"frequency = {self.frequency:g} Hz must be > 0")
        if self.voltage is not None and self.voltage < 0:
            raise ValueError(f"voltage = {self.voltage:g} V must be >= 0 (it is the RF amplitude)")
        if self.power is not None and self.power < 0:
            raise ValueError(f"power = {self.power:g} W must be >= 0")
        return self


class Loading(SpecModel):
    """An extra etchant sink (loading): a surface of ``area`` or ``open_area_fraction`` of
    the wafer consuming ``species`` with reaction probability ``probability``."""

    species: str
    probability: Dimensionless
    area: Area | None = None
    open_area_fraction: Dimensionless | None = None
    products: dict[str, float] = {}

    @model_validator(mode="after")
    def _check(self):
        if not 0 < self.probability <= 1:
            raise ValueError(f"probability = {self.probability:g} is outside (0, 1]")
        if (self.area is None) == (self.open_area_fraction is None):
            raise ValueError("give exactly one of area or open_area_fraction")
        if self.open_area_fraction is not None and not 0 <= self.open_area_fraction <= 1:
            raise ValueError(f"open_area_fraction = {self.open_area_fraction:g} is outside [0, 1]")
        if self.area is not None and self.area < 0:
            raise ValueError(f"area = {self.area:g} m² must be >= 0")
        return self


class ReactorSpec(SpecModel):
    """The ``reactor:`` recipe section."""

    chamber: Chamber
    gas_temperature: Temperature = 300.0
    wafer_temperature: Temperature | None = None
    pressure: Pressure
    pressure_control: PressureControl = PressureControl.FIXED_PUMPING
    gases: dict[str, Flow]
    source: Source
    bias: Bias | None = None
    chemistry: str | None = None
    loading: list[Loading] = []
    model: ReactorModel = ReactorModel.GLOBAL
    eedf: EEDFModel = EEDFModel.MAXWELLIAN
    fluid2d: Fluid2DSpec | None = None

    @field_validator("pressure")
    @classmethod
    def _p(cls, v):
        if v <= 0:
            raise ValueError(f"pressure = {v:g} Pa must be > 0")
        return v

    @field_validator("gas_temperature")
    @classmethod
    def _t(cls, v):
        if v <= 0:
            raise ValueError(f"gas_temperature = {v:g} K must be > 0")
        return v

    @field_validator("gases")
    @classmethod
    def _g(cls, v):
        if not v:
            raise ValueError("at least one gas flow is needed, e.g. {Ar: 50 sccm}")
        for name, q in v.items():
            if q < 0:
                raise ValueError(f"flow of {name} = {q:g} mol/s must be >= 0")
        if sum(v.values()) <= 0:
            raise ValueError("the total gas flow must be > 0")
        return v

    @model_validator(mode="after")
    def _fluid2d_needs_model(self):
        if self.fluid2d is not None and self.model != "fluid2d":
            raise ValueError("fluid2d: settings are given but model is 'global'; add model: fluid2d")
        if (self.eedf == EEDFModel.BOLTZMANN and self.model != ReactorModel.GLOBAL
                and self.source.type != "ccp"):
            raise ValueError("eedf: boltzmann needs model: global, or model: fluid2d with source.type: ccp "
                             "(the 2D ICP is Maxwellian)")
        return self


def load_reactor_recipe(path) -> tuple[str, int, ReactorSpec]:
    """Read a standalone reactor recipe (``name``, optional ``seed``, ``reactor:``)."""
    from ..errors import RecipeError
    from ..recipe_io import load_yaml, validate_section

    data = load_yaml(path)
    if "reactor" not in data:
        raise RecipeError("a reactor recipe needs a 'reactor:' section (see docs/reactor.md)")
    spec = validate_section(ReactorSpec, data["reactor"], "reactor")
    return str(data.get("name", "reactor")), int(data.get("seed", 0) or 0), spec
