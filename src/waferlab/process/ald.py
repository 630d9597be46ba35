"""The ``ald`` step: atomic layer deposition, cycle by cycle, self-limiting.

    - ald:
        material: Al2O3
        cycles: 200
        growth_per_cycle: 0.1 nm
        temperature: 250 degC
        precursor:  {sticking: 0.01, exposure: 0.1 Torr*s, mass: 144 amu,
                     site_density: 4e14 cm^-2, pulse: 0.1 s}
        coreactant: {sticking: 0.1, exposure: 0.1 Torr*s, mass: 18 amu,
                     site_density: 4e14 cm^-2}          # optional: saturating if absent
        purge: {time: 5 s}                               # optional

Each cycle: the precursor half-cycle covers the surface element by element as the
traced precursor flux accumulates (``waferlab.feature.ald``), the co-reactant converts
the covered sites, and the film grows by (converted fraction) × growth_per_cycle.  In a
fixed geometry every cycle is the same, so the coverage is traced once per block of
cycles in which the film grows at most ``film_per_update`` grid spacings, and the level
set advances the block with V_n = fraction × growth_per_cycle / cycle time.  A
checkpoint inside the step falls on a block boundary and resumes exactly.

Process time of a cycle: precursor pulse + purge + co-reactant pulse + purge.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from pydantic import Field

from ..errors import RecipeError
from ..recipe_io import SpecModel, validate_section
from ..units import AreaDose, GasExposure, Length, Mass, Temperature, Time
from .registry import register_step
from .steps import Numerics

__all__ = ["ALD", "ReactantSpec", "PurgeSpec"]


class ReactantSpec(SpecModel):
    """One half-cycle's reactant (recipe units)."""

    sticking: float = Field(gt=0, le=1)
    exposure: GasExposure = Field(gt=0)
    mass: Mass = Field(gt=0)
    site_density: AreaDose = Field(gt=0)
    pulse: Time = Field(default=0.1, gt=0)


class PurgeSpec(SpecModel):
    """The purge after each half-cycle (complete: it only adds process time)."""

    time: Time = Field(ge=0)


class _AldFields(Numerics):
    material: str
    cycles: int = Field(ge=1, le=10**7)
    growth_per_cycle: Length = Field(gt=0)
    temperature: Temperature = Field(gt=0)
    precursor: ReactantSpec
    coreactant: ReactantSpec | None = None
    purge: PurgeSpec | None = None
    rays_per_point: int = Field(default=100, ge=1)
    dose_step: float | None = Field(default=None, gt=0, le=1)
    dose_tolerance: float = Field(default=0.05, gt=0, lt=1)
    film_per_update: float = Field(default=1.0, gt=0)


@dataclass(frozen=True)
class ALD:
    """Atomic layer deposition of ``material`` (see the module docstring)."""

    fields: _AldFields
    kind: str = "ald"

    @property
    def material(self) -> str:
        return self.fields.material

    @property
    def cycle_time(self) -> float:
        f = self.fields
        purge = f.purge.time if f.purge is not None else 0.0
        return f.precursor.pulse + purge + (f.coreactant.pulse + purge if f.coreactant else 0.0)

    @property
    def time(self) -> float:
        return self.fields.cycles * self.cycle_time

    def materials_after(self, materials: tuple[str, ...]) -> tuple[str, ...]:
        if materials and materials[-1] == self.material:
            return materials
        return materials + (self.material,)

    def describe(self) -> str:
        f = self.fields
        return (f"ald {f.material} ({f.cycles} cycles x {f.growth_per_cycle:g} m, "
                f"{self.time:g} s)")

    def to_dict(self) -> dict[str, Any]:
        return {"ald": self.fields.model_dump(mode="json", exclude_none=True)}

    def reactants(self):
        """(precursor, co-reactant or None) as ``feature.ald.Reactant`` (SI doses)."""
        from ..feature.ald import Reactant, impingement_dose

        f = self.fields
        out = []
        for name, r in (("precursor", f.precursor), ("coreactant", f.coreactant)):
            out.append(None if r is None else Reactant(
                name=name, sticking=r.sticking, site_density=r.site_density,
                dose=impingement_dose(r.exposure, r.mass, f.temperature)))
        return tuple(out)

    def numerics(self):
        """(dose-stepping numerics, ray-tracing numerics) of the half-cycles."""
        from ..feature.ald import AldNumerics
        from ..feature.flux.transport import RayTracing

        return (AldNumerics(dose_step=self.fields.dose_step,
                            tolerance=self.fields.dose_tolerance),
                RayTracing(rays_per_point=self.fields.rays_per_point))

    def block_cycles(self, spacing: float) -> int:
        """Cycles per coverage update: the film grows at most film_per_update spacings."""
        f = self.fields
        return max(1, min(f.cycles, int(f.film_per_update * spacing / f.growth_per_cycle)))

    def growth_fraction(self, geometry, ctx, block: int):
        """(surface, per-element fraction of a full cycle's growth) on ``geometry``."""
        from ..feature.ald import cycle_growth_fraction
        from ..feature.extract import extract_surface

        surface = extract_surface(geometry)
        if len(surface.elements) == 0:
            return surface, np.zeros(0)
        precursor, coreactant = self.reactants()
        numerics, tracing = self.numerics()
        frac = cycle_growth_fraction(surface, precursor, coreactant, ctx, numerics=numerics,
                                     tracing=tracing, stream=("ald", block))
        return surface, frac

    def apply(self, wafer, ctx, *, start: tuple | None = None,
              on_step: Callable[..., None] | None = None):
        """Run the cycles; ``start`` = (geometry, time done) resumes at a block boundary."""
        from ..feature.advect import advance
        from ..feature.ald import AldGrowth
        from ..feature.flux.transport import TracedTransport

        f = self.fields
        if start is None:
            geometry, done = wafer.geometry.with_new_top(f.material), 0.0
        else:
            geometry, done = start[0], float(start[1])
        h = geometry.grid.spacing
        tc = self.cycle_time
        nb = self.block_cycles(h)
        first = int(round(done / (nb * tc)))
        n_blocks = -(-f.cycles // nb)
        for b in range(first, n_blocks):
            c0, c1 = b * nb, min((b + 1) * nb, f.cycles)
            surface, frac = self.growth_fraction(geometry, ctx, b)
            model = TracedTransport(model=AldGrowth(
                centroids=surface.centroids, fraction=frac, growth_per_cycle=f.growth_per_cycle,
                cycle_time=tc), step=self.describe())
            report = _BlockReport(on_step)
            geometry, _ = advance(geometry, model, (c1 - c0) * tc, ctx, kind="deposit",
                                  scheme=f.scheme, cfl=f.cfl, t0=c0 * tc,
                                  on_step=report if on_step is not None else None)
            report.flush(geometry, c1 * tc)
        return wafer.evolve(geometry=geometry.merged(), dt=self.time, note=self.describe())


class _BlockReport:
    """Forwards the engine's per-step reports, marking only a block's last one as
    resumable, with the block's final geometry (a resume restarts at that boundary)."""

    def __init__(self, on_step):
        self.on_step, self.pending = on_step, None

    def __call__(self, t, dt, geometry, resumable=False, **kw):
        if self.pending is not None:
            self.on_step(*self.pending, False)
        self.pending = (t, dt, geometry)

    def flush(self, geometry, t_end: float) -> None:
        if self.on_step is not None and self.pending is not None:
            self.on_step(t_end, self.pending[1], geometry, True)
        self.pending = None


@register_step("ald")
def _parse_ald(body: dict, path: str, spec, materials: tuple[str, ...]) -> ALD:
    fields = validate_section(_AldFields, body, path)
    if fields.material not in spec.known_materials:
        raise RecipeError(f"unknown material {fields.material!r}; known: "
                          f"{', '.join(spec.known_materials)} (declare new ones under materials:)",
                          path=f"{path}.material", value=fields.material)
    return ALD(fields=fields)
