"""Flux-limited deposition: models ``cvd`` (Langmuir–Hinshelwood, one or two precursors)
and ``pecvd`` (radicals plus ion-assisted growth).

Each precursor i is a traced species (cosⁿ source, sticking s_i, diffuse re-emission;
PECVD ions: collimated source, specular re-emission) and the film grows at

    V_n = Σ_i R_i · Γ_i^{o_i},        Γ_i = Γ_in,i / Γ_0,i

with Γ_i the local incident flux relative to an open flat surface (1 on the open
field), R_i the growth rate an open flat surface gets from precursor i alone and o_i its
reaction order (as ViennaPS ``TEOSDeposition`` and ``TEOSPECVD``; Langmuir–Hinshelwood
kinetics of TEOS: IslamRaja et al., J. Vac. Sci. Technol. B 11, 720, 1993).

The sticking sets the transition between the two limits of conformality: s → 0 is
surface-reaction limited (the precursor re-emits many times, the flux inside a feature
tends to the open-field flux and the film is conformal), s → 1 transport limited (only
the direct view of the mouth counts).  For order o ≠ 1 the consumed fraction of the
arriving precursor follows the growth law: the effective sticking of an element is
s·θ^{o−1} with θ = min(Γ, 1) its coverage (clipped to [0, 1]; θ = 0 gives 1 for o < 1
and 0 for o > 1), as the peer's single-precursor TEOS model does; waferlab applies it to
each precursor of order ≠ 1.  The coverages come from the previous trace (one coverage
iteration on a step's first time step, then carried from time step to time step:
``RayTracing.coverage_iterations`` / ``lagged_coverages``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, Mapping

import numpy as np
from pydantic import Field, field_validator

from ..errors import RecipeError
from ..recipe_io import SpecModel
from ..units import Length, Rate
from .flux.engine import SpeciesFlux
from .flux.models import step_label
from .flux.sources import Species
from .flux.transport import Evaluation, RayTracing, SurfaceRates, TracedTransport
from .registry import register_model

__all__ = ["Precursor", "CVDDeposition", "PrecursorSpec", "CVDSpec", "PECVDSpec"]

_BOUND = 1.5      # relative fluxes ≤ 1 plus Monte Carlo noise


@dataclass(frozen=True, kw_only=True)
class Precursor:
    """One depositing species.

    name             species name (fields ``incident_<name>``)
    rate             R (m/s): growth rate on an open flat surface from this species alone
    sticking         s in (0, 1]
    order            reaction order o >= 0
    source_exponent  n of the cosⁿ source (1: thermal neutrals; ions ~10²–10³)
    specular         probability of specular re-emission (0: diffuse)
    """

    name: str
    rate: float
    sticking: float
    order: float = 1.0
    source_exponent: float = 1.0
    specular: float = 0.0

    def __post_init__(self):
        if not 0.0 < self.sticking <= 1.0:
            raise ValueError(f"precursor {self.name!r}: sticking {self.sticking} is outside (0, 1]")
        if not self.order >= 0.0:
            raise ValueError(f"precursor {self.name!r}: order {self.order} must be >= 0")
        if not self.rate >= 0.0:
            raise ValueError(f"precursor {self.name!r}: rate {self.rate} must be >= 0")

    def species(self, sticking=None) -> Species:
        return Species(name=self.name, sticking=self.sticking if sticking is None else sticking,
                       source_exponent=self.source_exponent, specular=self.specular)


@dataclass(frozen=True, kw_only=True)
class CVDDeposition:
    """V_n = Σ_i R_i Γ_i^{o_i} (module docstring): a ``transport.SurfaceModel``,
    coverage-coupled through the precursors of order ≠ 1 (``coverage_sticking``)."""

    evaluation: ClassVar[Evaluation] = Evaluation.POINTS
    precursors: tuple[Precursor, ...]
    coverage_sticking: bool = True
    name: str = "cvd"

    def __post_init__(self):
        names = [p.name for p in self.precursors]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"precursor names must be unique and at least one; got {names}")

    def species(self) -> tuple[Species, ...]:
        return tuple(p.species() for p in self.precursors)

    def fields(self, fluxes: Mapping[str, SpeciesFlux], surface) -> dict[str, np.ndarray]:
        return {f"incident_{p.name}": fluxes[p.name].incident for p in self.precursors}

    def rates(self, fields, normals, materials) -> SurfaceRates:
        v = np.zeros(len(materials))
        cov = {}
        for p in self.precursors:
            g = np.maximum(np.asarray(fields[f"incident_{p.name}"], float), 0.0)
            v = v + p.rate * g ** p.order
            if p.name in self.coupled:
                cov[f"theta_{p.name}"] = np.minimum(g, 1.0)
        return SurfaceRates(v, cov)

    def max_rate(self) -> float:
        return sum(p.rate * _BOUND ** max(p.order, 1.0) for p in self.precursors)

    @property
    def coupled(self) -> tuple[str, ...]:
        """Precursors whose sticking follows their coverage (order ≠ 1)."""
        if not self.coverage_sticking:
            return ()
        return tuple(p.name for p in self.precursors if p.order != 1.0)

    def coupled_species(self, coverages, materials) -> tuple[Species, ...]:
        """Precursors of order ≠ 1 with per-element sticking s·θ^{o−1} (clipped to [0, 1])."""
        out = []
        n = len(materials)
        for p in self.precursors:
            if p.name not in self.coupled:
                continue
            th = np.broadcast_to(np.asarray(coverages[f"theta_{p.name}"], float), (n,))
            with np.errstate(divide="ignore", invalid="ignore"):
                s = np.where(th > 0, p.sticking * th ** (p.order - 1.0),
                             1.0 if p.order < 1.0 else 0.0)
            out.append(p.species(np.clip(s, 0.0, 1.0)))
        return tuple(out)

    def flat_rate(self) -> float:
        """V_n on an open flat surface (every Γ_i = 1): Σ_i R_i."""
        return float(sum(p.rate for p in self.precursors))


# --------------------------------------------------------------------------- recipe specs
def _deposit_only(kind: str) -> None:
    if kind != "deposit":
        raise RecipeError("this model deposits; use it in a deposit step", path="model")


class _Tracing(SpecModel):
    rays_per_point: int = Field(default=1000, gt=0, le=1_000_000)
    smoothing: Length = Field(default=0.0, ge=0)
    coverage_iterations: int = Field(default=1, ge=0, le=10)
    lagged_coverages: bool = True

    def tracing(self) -> RayTracing:
        return RayTracing(rays_per_point=self.rays_per_point, smoothing=self.smoothing,
                          coverage_iterations=self.coverage_iterations,
                          lagged_coverages=self.lagged_coverages)


class PrecursorSpec(SpecModel):
    """``{name: teos, rate: 20 nm/min, sticking: 0.1, order: 1}``."""

    name: str = Field(default="precursor", pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    rate: Rate = Field(gt=0)
    sticking: float
    order: float = 1.0
    source_exponent: float = Field(default=1.0, ge=0)

    @field_validator("sticking")
    @classmethod
    def _sticking(cls, v):
        if not 0.0 < v <= 1.0:
            raise ValueError(f"sticking {v} is outside (0, 1]")
        return v

    @field_validator("order")
    @classmethod
    def _order(cls, v):
        if not v >= 0.0:
            raise ValueError(f"reaction order {v} must be >= 0")
        return v

    def precursor(self) -> Precursor:
        return Precursor(name=self.name, rate=self.rate, sticking=self.sticking,
                         order=self.order, source_exponent=self.source_exponent)


@register_model("cvd")
class CVDSpec(_Tracing):
    """``{model: cvd, precursors: [{rate: 20 nm/min, sticking: 0.1, order: 1}]}`` (one or
    two precursors), or the one-precursor shorthand ``{model: cvd, rate: 20 nm/min,
    sticking: 0.1, order: 1}``."""

    model: Literal["cvd"]
    rate: Rate | None = Field(default=None, gt=0)
    sticking: float | None = None
    order: float | None = None
    precursors: list[PrecursorSpec] | None = Field(default=None, min_length=1, max_length=2)

    @field_validator("sticking")
    @classmethod
    def _sticking(cls, v):
        if v is not None and not 0.0 < v <= 1.0:
            raise ValueError(f"sticking {v} is outside (0, 1]")
        return v

    @field_validator("order")
    @classmethod
    def _order(cls, v):
        if v is not None and not v >= 0.0:
            raise ValueError(f"reaction order {v} must be >= 0")
        return v

    def physics(self) -> CVDDeposition:
        short = {k: getattr(self, k) for k in ("rate", "sticking", "order")
                 if getattr(self, k) is not None}
        if (self.precursors is None) == (not short):
            raise RecipeError("give either `precursors: [...]` or `rate` and `sticking` "
                              "(and `order`) for one precursor", path="precursors")
        if self.precursors is None:
            for k in ("rate", "sticking"):
                if k not in short:
                    raise RecipeError(f"one-precursor cvd needs `{k}`", path=k)
            # the loop above raised unless both are given
            assert self.rate is not None and self.sticking is not None
            pre: tuple[Precursor, ...] = (
                Precursor(name="precursor", rate=self.rate, sticking=self.sticking,
                          order=1.0 if self.order is None else self.order),)
        else:
            pre = tuple(p.precursor() for p in self.precursors)
            names = [p.name for p in pre]
            if len(set(names)) != len(names):
                raise RecipeError(f"precursor names must be unique; got {names}",
                                  path="precursors")
        return CVDDeposition(precursors=pre, name="cvd")

    def build(self, *, kind: str, materials: tuple[str, ...], target: str | None
              ) -> TracedTransport:
        _deposit_only(kind)
        return TracedTransport(model=self.physics(), tracing=self.tracing(),
                               step=step_label(kind, target))


@register_model("pecvd")
class PECVDSpec(_Tracing):
    """``{model: pecvd, radical_rate: 10 nm/min, radical_sticking: 0.1, ion_rate: 5 nm/min,
    ion_exponent: 100}``: V_n = R_r Γ_r^{o_r} + R_i Γ_i^{o_i} (ViennaPS ``TEOSPECVD``).
    Radicals: cosine source, diffuse; ions: cosⁿ source, specular re-emission of the
    part that does not stick."""

    model: Literal["pecvd"]
    radical_rate: Rate = Field(ge=0)
    radical_sticking: float
    radical_order: float = 1.0
    ion_rate: Rate = Field(ge=0)
    ion_sticking: float = 1.0
    ion_order: float = 1.0
    ion_exponent: float = Field(default=100.0, ge=0)

    @field_validator("radical_sticking", "ion_sticking")
    @classmethod
    def _sticking(cls, v):
        if not 0.0 < v <= 1.0:
            raise ValueError(f"sticking {v} is outside (0, 1]")
        return v

    @field_validator("radical_order", "ion_order")
    @classmethod
    def _order(cls, v):
        if not v >= 0.0:
            raise ValueError(f"reaction order {v} must be >= 0")
        return v

    def physics(self) -> CVDDeposition:
        if self.radical_rate == 0 and self.ion_rate == 0:
            raise RecipeError("radical_rate and ion_rate are both 0: nothing deposits",
                              path="radical_rate", value=0)
        pre = (Precursor(name="radical", rate=self.radical_rate, sticking=self.radical_sticking,
                         order=self.radical_order),
               Precursor(name="ion", rate=self.ion_rate, sticking=self.ion_sticking,
                         order=self.ion_order, source_exponent=self.ion_exponent,
                         specular=1.0))
        return CVDDeposition(precursors=pre, coverage_sticking=False, name="pecvd")

    def build(self, *, kind: str, materials: tuple[str, ...], target: str | None
              ) -> TracedTransport:
        _deposit_only(kind)
        return TracedTransport(model=self.physics(), tracing=self.tracing(),
                               step=step_label(kind, target))
