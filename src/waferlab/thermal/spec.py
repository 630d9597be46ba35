"""The ``thermal:`` recipe section (see docs/thermal.md).

```yaml
thermal:
  substrate: {material: Si, background: {P: 1e16 cm^-3}, orientation: "100"}
  depth: 2 um
  nodes: 401                       # optional: uniform depth nodes (default: graded, automatic)
  lateral:                         # optional: a 2D cross-section
    width: 1 um
    nodes: 129
    mask: [{from: 0 um, to: 0.3 um}, {from: 0.7 um, to: 1 um, thickness: 20 nm, material: SiO2}]
  steps:
    - predeposit: {dopant: B, surface_concentration: 1e20 cm^-3, temperature: 1000 degC, time: 30 min}
    - anneal: {temperature: 1100 degC, time: 60 min, model: intrinsic}
    - implant: {dopant: As, dose: 1e15 cm^-2, energy: 50 keV}
    - anneal: {profile: [[0 s, 600 degC], [9 s, 1050 degC], [19 s, 600 degC]], model: ted}
    - oxidize: {ambient: wet, temperature: 1000 degC, time: 20 min}
```
Each step is a one-key mapping; the key names the step kind.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Field, field_validator, model_validator

from ..constants import EV
from ..materials import BUILTIN
from ..recipe_io import SpecModel
from ..units import Angle, AreaDose, Concentration, Diffusivity, Energy, Length, Pressure, Temperature, Time
from .dopants import DOPANTS
from .implant import TABLE_DOPANTS, range_moments
from .models import MODELS

__all__ = ["DiffusivitySpec", "SubstrateSpec", "MaskWindow", "LateralSpec", "NumericsSpec",
           "PredepositStep", "ImplantStep", "AnnealStep", "OxidizeStep", "ThermalSpec",
           "STEP_KINDS"]


def _check_dopant(name: str) -> str:
    if name not in DOPANTS:
        raise ValueError(f"unknown dopant {name!r}; known: {', '.join(DOPANTS)}")
    return name


class DiffusivitySpec(SpecModel):
    """Arrhenius override: D = D0 exp(-Ea/kT)."""

    D0: Diffusivity = Field(gt=0)
    Ea: Energy = Field(ge=0)


class SubstrateSpec(SpecModel):
    material: Literal["Si"] = "Si"
    background: dict[str, Concentration] = {}
    orientation: Literal["100", "111"] = "100"
    oxide: Length = Field(default=0.0, ge=0)      # initial (screen) oxide on the surface

    @field_validator("background")
    @classmethod
    def _bg(cls, v):
        for k, c in v.items():
            _check_dopant(k)
            if c < 0:
                raise ValueError(f"background {k} = {c:g} m^-3 must be >= 0")
        return v


class MaskWindow(SpecModel):
    """A masked interval along x; opaque unless a thickness is given (then the implant
    is shifted by its Si-equivalent thickness, scaled by atom density)."""

    from_: Length = Field(alias="from")
    to: Length
    thickness: Length | None = Field(default=None, gt=0)
    material: str = "Mask"

    @model_validator(mode="after")
    def _order(self):
        if self.to <= self.from_:
            raise ValueError(f"mask window 'to' ({self.to:g} m) must exceed 'from' ({self.from_:g} m)")
        if self.material not in BUILTIN:
            raise ValueError(f"mask material {self.material!r} unknown; known: {', '.join(BUILTIN)}")
        return self


class LateralSpec(SpecModel):
    width: Length = Field(gt=0)
    nodes: int | None = Field(default=None, ge=3, le=4097)   # None: graded at the mask edges
    mask: list[MaskWindow] = []


class NumericsSpec(SpecModel):
    """Time tolerance and step cap; the automatic depth mesh (nodes per √(Dt) or ΔRp,
    growth factor) and its a-posteriori check (relative depth tolerance, halvings)."""

    rtol: float = Field(default=1e-3, gt=0, lt=1)
    max_steps: int = Field(default=20000, ge=10)
    nodes_per_length: float = Field(default=16.0, ge=2, le=200)
    grading: float = Field(default=1.05, gt=1, le=1.5)
    mesh_check: bool | None = None      # None: in 1D yes, in 2D no (it doubles the cost)
    mesh_tol: float = Field(default=3e-3, gt=0, lt=0.5)
    max_refine: int = Field(default=3, ge=0, le=6)


class _Diffusing(SpecModel):
    model: Literal[tuple(MODELS) + ("five_stream",)] = "intrinsic"  # type: ignore[valid-type]
    calibration: Literal["plummer", "tsuprem4"] | None = None   # default: tsuprem4 for five_stream
    diffusivity: dict[str, DiffusivitySpec] = {}

    @field_validator("diffusivity")
    @classmethod
    def _dk(cls, v):
        for k in v:
            _check_dopant(k)
        return v


class PredepositStep(_Diffusing):
    """Constant-surface-concentration source (solid solubility) at temperature for time."""

    kind: Literal["predeposit"] = "predeposit"
    dopant: str
    surface_concentration: Concentration = Field(gt=0)
    temperature: Temperature = Field(gt=0)
    time: Time = Field(gt=0)

    _d = field_validator("dopant")(classmethod(lambda cls, v: _check_dopant(v)))

    @property
    def profile(self) -> None:
        """No ramp: a predeposition is held at ``temperature``."""
        return None


class ImplantStep(SpecModel):
    kind: Literal["implant"] = "implant"
    dopant: str
    dose: AreaDose = Field(gt=0)
    energy: Energy = Field(gt=0)
    profile: Literal["pearson4", "gaussian"] = "pearson4"
    tilt: Angle = Field(default=0.0, ge=0, lt=1.5)   # rad after parsing; < 86 degrees

    @model_validator(mode="after")
    def _table(self):
        if self.dopant not in TABLE_DOPANTS:
            raise ValueError(f"implant dopant {self.dopant!r} unknown; known: {', '.join(TABLE_DOPANTS)}")
        range_moments(self.dopant, self.energy_keV)  # raises with the valid range
        return self

    @property
    def energy_keV(self) -> float:
        return self.energy / (1e3 * EV)


class AnnealStep(_Diffusing):
    """Hold ``temperature`` for ``time``, or follow ``profile`` [[t, T], ...]
    (piecewise linear, t from 0)."""

    kind: Literal["anneal"] = "anneal"
    temperature: Temperature | None = Field(default=None, gt=0)
    time: Time | None = Field(default=None, gt=0)
    profile: list[tuple[Time, Temperature]] | None = None

    @model_validator(mode="after")
    def _either(self):
        hold = self.temperature is not None and self.time is not None
        if self.profile is None and not hold:
            raise ValueError("give temperature and time, or a profile [[t, T], ...]")
        if self.profile is not None:
            if hold:
                raise ValueError("give either temperature/time or a profile, not both")
            ts = [p[0] for p in self.profile]
            if len(ts) < 2 or ts[0] != 0 or any(b <= a for a, b in zip(ts, ts[1:])):
                raise ValueError("profile times must start at 0 s and increase (at least 2 points)")
        return self


class OxidizeStep(_Diffusing):
    kind: Literal["oxidize"] = "oxidize"
    ambient: Literal["dry", "wet"] = "dry"
    temperature: Temperature = Field(gt=0)
    time: Time = Field(gt=0)
    pressure: Pressure = Field(default=101325.0, gt=0)

    @property
    def profile(self) -> None:
        """No ramp: an oxidation is held at ``temperature`` (the temperature programme of
        ``process.registry.HeatTreatment``)."""
        return None


STEP_KINDS = {"predeposit": PredepositStep, "implant": ImplantStep, "anneal": AnnealStep,
              "oxidize": OxidizeStep}

Step = Annotated[Union[PredepositStep, ImplantStep, AnnealStep, OxidizeStep],
                 Field(discriminator="kind")]


class ThermalSpec(SpecModel):
    substrate: SubstrateSpec = SubstrateSpec()
    depth: Length = Field(gt=0)
    nodes: int | None = Field(default=None, ge=11, le=200001)   # None: graded (automatic)
    lateral: LateralSpec | None = None
    numerics: NumericsSpec = NumericsSpec()
    steps: list[Step] = Field(min_length=1)

    @field_validator("steps", mode="before")
    @classmethod
    def _tag(cls, v: Any):
        if not isinstance(v, list):
            return v
        out = []
        for i, item in enumerate(v):
            if not (isinstance(item, dict) and len(item) == 1):
                raise ValueError(f"step {i} must be a one-key mapping like "
                                 f"{{anneal: {{...}}}}; kinds: {', '.join(STEP_KINDS)}")
            (kind, body), = item.items()
            if kind not in STEP_KINDS:
                raise ValueError(f"step {i}: unknown kind {kind!r}; known: {', '.join(STEP_KINDS)}")
            if not isinstance(body, dict):
                raise ValueError(f"step {i} ({kind}) needs a mapping of parameters")
            out.append({**body, "kind": kind})
        return out
