"""Ion beam etching (IBE, ion milling): model ``ion_beam``.

A broad ion beam at tilt α from the wafer normal and azimuth ψ (or a rotating wafer: ψ
uniform), collimated or divergent (cosⁿ about the beam axis), with a Gaussian energy
distribution, sputters every material with a plane-wafer rate.  The flux of a beam of
fixed current density through a horizontal plane is Γ_beam cos α.  Each ion that hits
the surface at incidence θ (from the local normal) with energy E removes

    w · g(E) · Y(θ),   g = max(√E − √E_th, 0),
    Y(θ) = (a₁ cos θ + a₂ cos²θ + a₃ cos³θ + a₄ cos⁴θ) / (a₁ + a₂ + a₃ + a₄)

(the yield form of ViennaPS ``IonBeamEtching``, from the SISPAD 2024 paper it cites,
doi:10.1109/SISPAD62626.2024.10733316, eq. 2; all a_i = 0 gives Y = 1).  With the traced
yield-weighted flux ⟨gY⟩ per element (normalised to the source flux through the
horizontal plane) the normal speed of material m is

    V_n = −R_m cos α ⟨gY⟩ / g(E₀) + R_dep ⟨r⟩ / g(E₀)

R_m the etch rate of a flat wafer of m under a normal beam (``rates``; a mask erodes
with its own rate), E₀ the mean energy.  A flat wafer under the tilted beam etches at
R_m cos α · Y(α): the curve the model is checked against.  Ions stick with probability
1 below θ_min, falling linearly to 0 at θ_max; the rest reflect into ViennaPS's coned
specular lobe and lose energy by its law (``flux.ions``).  Redeposition (R_dep > 0):
each reflected ion carries the material it sputtered at the reflection site
(r = w g Y there) to its next hit, where it deposits with rate R_dep (ViennaPS's
convention); the redeposited film takes the top layer's material.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar, Literal

import numba
import numpy as np
from pydantic import Field

from ..constants import EV
from ..errors import RecipeError
from ..recipe_io import SpecModel
from ..units import Angle, Energy, Rate
from . import _ion_beam_kernels as KB
from .flux.engine import FluxResult, FluxTracer, SpeciesFlux, _batch
from .flux.ions import VIENNAPS_ION_ENERGY_LOSS, energy_inverse_cdf
from .flux.models import step_label
from .flux.sources import Species, inplane_inverse_cdf
from .flux.transport import Evaluation, RayTracing, SurfaceRates, TracedTransport
from .registry import register_model

__all__ = [
    "Beam",
    "BeamTransport",
    "IonBeamEtch",
    "IonBeamSpec",
    "cos4_yield",
    "flat_rate",
]

_TABLE = 2049          # yield table on a uniform cos θ grid


def cos4_yield(cos_theta, a: tuple[float, float, float, float]) -> np.ndarray:
    """Y(θ) = Σ a_i cosⁱθ / Σ a_i (Y ≡ 1 when all a_i are 0)."""
    c = np.clip(np.asarray(cos_theta, float), 0.0, 1.0)
    s = float(sum(a))
    if s == 0.0:
        return np.ones_like(c)
    return (a[0] * c + a[1] * c ** 2 + a[2] * c ** 3 + a[3] * c ** 4) / s


@dataclass(frozen=True, kw_only=True)
class Beam:
    """The beam: tilt and azimuth (rad), rotating wafer, cosⁿ divergence (n < 0:
    collimated), energy (eV) and the yield's threshold and cos⁴ coefficients."""

    tilt: float = 0.0
    azimuth: float = 0.0
    rotating: bool = False
    exponent: float = -1.0
    energy_eV: float = 250.0
    energy_sigma_eV: float = 10.0
    threshold_eV: float = 20.0
    yield_a: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)

    def g(self, energy_eV: float) -> float:
        return max(math.sqrt(energy_eV) - math.sqrt(self.threshold_eV), 0.0)

    def energy_table(self) -> np.ndarray:
        """Inverse CDF of the Gaussian energy distribution truncated to E ≥ 0 (cached)."""
        return self._energy_table

    @cached_property
    def _energy_table(self) -> np.ndarray:
        if self.energy_sigma_eV <= 0:
            return np.full(2, self.energy_eV)
        e = np.linspace(max(0.0, self.energy_eV - 6 * self.energy_sigma_eV),
                        self.energy_eV + 6 * self.energy_sigma_eV, 481)
        return energy_inverse_cdf(e, np.exp(-0.5 * ((e - self.energy_eV) /
                                                    self.energy_sigma_eV) ** 2))

    def mean_g(self) -> float:
        """⟨g(E)⟩ over the energy distribution (what a flat wafer at normal beam reads)."""
        tab = self.energy_table()
        x = np.linspace(0.0, 1.0, 20001)
        e = np.interp(x, np.linspace(0.0, 1.0, tab.size), tab)
        return float(np.mean(np.maximum(np.sqrt(e) - math.sqrt(self.threshold_eV), 0.0)))


def flat_rate(rate: float, beam: Beam) -> float:
    """Etch rate (m/s) of a flat wafer with normal-beam rate ``rate`` under ``beam``:
    R cos α Y(α) (a collimated beam; ⟨g⟩/g(E₀) for the energy spread)."""
    c = math.cos(beam.tilt)
    return rate * c * float(cos4_yield(c, beam.yield_a)) * beam.mean_g() / beam.g(beam.energy_eV)


@dataclass(frozen=True, kw_only=True)
class IonBeamEtch:
    """The physics of ion beam etching (a ``transport.SurfaceModel``; module docstring).

    plane_rates    {material: R_m} plane-wafer rates under a normal beam (m/s)
    materials      the wafer's material names
    redeposition   R_dep (m/s per unit redeposited yield flux); 0: off
    theta_min, theta_max   the sticking ramp (rad); cone: the specular lobe's minAngle
    """

    beam: Beam
    plane_rates: Mapping[str, float]
    materials: tuple[str, ...]
    redeposition: float = 0.0
    redeposition_threshold: float = 0.1
    theta_min: float = math.radians(70.0)
    theta_max: float = math.radians(90.0)
    cone: float = math.radians(85.0)
    name: str = "ion_beam"
    evaluation: ClassVar[Evaluation] = Evaluation.ELEMENTS
    _rate_vec: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_rate_vec", np.array(
            [float(self.plane_rates.get(m, 0.0)) for m in self.materials] + [0.0]))

    def species(self) -> tuple[Species, ...]:
        """The ion (its source is the tilted beam of ``BeamTransport``, not the engine's)."""
        return (Species(name="ion", sticking=1.0,
                        source_exponent=max(self.beam.exponent, 0.0)),)

    def fields(self, fluxes: Mapping[str, SpeciesFlux], surface) -> dict[str, np.ndarray]:
        f = fluxes["ion"]
        return {"Y": f.yields["sputter"], "R": f.yields["redep"]}

    def rates(self, fields, normals, materials) -> SurfaceRates:
        g0 = self.beam.g(self.beam.energy_eV)
        m = np.asarray(materials, int)
        r = self._rate_vec[np.where((m >= 0) & (m < len(self.materials)), m, -1)]
        v = -r * math.cos(self.beam.tilt) * np.asarray(fields["Y"]) / g0
        if self.redeposition > 0:
            v = v + self.redeposition * np.asarray(fields["R"]) / g0
        return SurfaceRates(v)

    def max_rate(self) -> float:
        ymax = float(np.max(cos4_yield(np.linspace(0, 1, 1001), self.beam.yield_a)))
        gmax = self.beam.g(self.beam.energy_eV + 6 * self.beam.energy_sigma_eV)
        g0 = self.beam.g(self.beam.energy_eV)
        vmax = float(self._rate_vec.max()) + self.redeposition
        return 2.0 * vmax * ymax * gmax / g0

    def moving(self, materials) -> np.ndarray:
        """Materials with a rate move (all of them when redeposition is on)."""
        m = np.asarray(materials, int)
        if self.redeposition > 0:
            return np.ones(m.shape, bool)
        return self._rate_vec[np.where((m >= 0) & (m < len(self.materials)), m, -1)] > 0


@dataclass(frozen=True, kw_only=True)
class BeamTransport(TracedTransport):
    """``TracedTransport`` whose ions come from the tilted beam (``_ion_beam_kernels``)."""

    def species(self) -> tuple[Species, ...]:
        """Nothing for ``waferlab flux`` to probe: its sources are the engine's vertical
        ones, not this beam (the model's own ``species`` are traced by ``_trace``)."""
        return ()

    def _trace(self, surface, species, ctx, stream) -> FluxResult | None:
        if not species:
            return None
        model: IonBeamEtch = self.model             # type: ignore[assignment]
        b = model.beam
        ctx.apply_threads()
        tr = FluxTracer(surface)
        n_chunks = 64
        N = max(int(self.tracing.rays_per_point * surface.grid_points), n_chunks)
        seeds = ctx.seeds(n_chunks, *stream, "ion_beam")
        nrays = np.full(n_chunks, N // n_chunks, np.int64)
        nrays[: N % n_chunks] += 1
        m = tr.n_elements
        inc, ytal, red = (np.zeros((n_chunks, m)) for _ in range(3))
        counts = np.zeros((n_chunks, 2), np.int64)
        ytab = cos4_yield(np.linspace(0.0, 1.0, _TABLE), b.yield_a)
        lat = tr.lateral
        blo = np.ascontiguousarray(lat[:, 0])
        bhi = np.ascontiguousarray(lat[:, 1])
        with numba.parallel_chunksize(1):    # chunks handed out one at a time
            KB.trace_beam(tr.dim, tr.cdata, tr.normals, tr.glo, tr.gh, tr.gn, tr.cstart,
                          tr.citems, tr.skip, blo, bhi, surface.boundary == "periodic", tr.z_launch, tr.eps,
                          np.array([b.tilt, b.azimuth, 1.0 if b.rotating else 0.0, b.exponent]),
                          b.energy_table(), math.sqrt(b.threshold_eV), ytab,
                          np.array([model.theta_min, model.theta_max, model.cone,
                                    1.0 if model.redeposition > 0 else 0.0,
                                    model.redeposition_threshold]),
                          VIENNAPS_ION_ENERGY_LOSS.params(), seeds, nrays, 1_000_000,
                          inc, ytal, red, counts, self.tracing.launch != "uniform",
                          inplane_inverse_cdf(b.exponent) if b.exponent >= 0 else np.zeros(2))
        with np.errstate(divide="ignore", invalid="ignore"):
            norm = np.where(tr.valid, tr.domain_area / tr.areas, np.nan)
        i_mean, i_err, _ = _batch(inc, nrays, norm)
        y_mean, y_err, _ = _batch(ytal, nrays, norm)
        r_mean, r_err, _ = _batch(red, nrays, norm)
        flux = SpeciesFlux(incident=i_mean, absorbed=i_mean, stderr=i_err, absorbed_stderr=i_err,
                           transmitted=0.0, transmitted_stderr=0.0, n_rays=N,
                           lost_top=int(counts[:, 0].sum()), dropped=int(counts[:, 1].sum()),
                           yields={"sputter": y_mean, "redep": r_mean},
                           yields_stderr={"sputter": y_err, "redep": r_err})
        return FluxResult(surface=surface, species=("ion",), fluxes={"ion": flux}, n_rays=N)


class IonBeamSpec(SpecModel):
    """``{model: ion_beam, rates: {Si: 20 nm/min, Mask: 5 nm/min}, tilt: 30 deg,
    rotating: true, exponent: 100, energy: 250 eV}`` (module docstring)."""

    model: Literal["ion_beam"]
    rates: dict[str, Rate] = Field(min_length=1)
    tilt: Angle = 0.0
    azimuth: Angle = 0.0
    rotating: bool = False
    exponent: float | None = None
    energy: Energy = 250.0 * EV
    energy_sigma: Energy = 10.0 * EV
    threshold: Energy = 20.0 * EV
    yield_coefficients: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    theta_min: Angle = math.radians(70.0)
    theta_max: Angle = math.radians(90.0)
    redeposition: Rate = 0.0
    redeposition_threshold: float = Field(default=0.1, ge=0)
    rays_per_point: int = Field(default=1000, gt=0, le=1_000_000)

    def build(self, *, kind: str, materials: tuple[str, ...], target: str | None = None):
        if kind != "etch":
            raise RecipeError("ion_beam etches; use it in an etch step", path="model")
        materials = tuple(materials)
        for m, r in self.rates.items():
            if m not in materials:
                raise RecipeError(f"material {m!r} is not on the wafer; its materials are: "
                                  f"{', '.join(materials)}", path=f"rates.{m}", value=m)
            if not (r >= 0 and math.isfinite(r)):
                raise RecipeError(f"rate {r!r} m/s must be >= 0", path=f"rates.{m}", value=r)
        if not 0.0 <= self.tilt < 0.5 * math.pi:
            raise RecipeError(f"tilt {math.degrees(self.tilt):.4g}° must be in [0°, 90°)",
                              path="tilt", value=self.tilt)
        if self.exponent is not None and not self.exponent >= 0:
            raise RecipeError(f"exponent {self.exponent!r} must be >= 0 (or omitted: a "
                              "collimated beam)", path="exponent", value=self.exponent)
        if not 0.0 <= self.theta_min < self.theta_max <= 0.5 * math.pi:
            raise RecipeError("need 0 <= theta_min < theta_max <= 90 deg", path="theta_min",
                              value=self.theta_min)
        if self.redeposition < 0:
            raise RecipeError(f"redeposition {self.redeposition!r} m/s must be >= 0",
                              path="redeposition", value=self.redeposition)
        eV = 1.0 / EV
        if not self.energy * eV > self.threshold * eV >= 0:
            raise RecipeError(f"energy {self.energy * eV:g} eV must exceed the threshold "
                              f"{self.threshold * eV:g} eV", path="energy", value=self.energy)
        a0, a1, a2, a3 = self.yield_coefficients
        a = (float(a0), float(a1), float(a2), float(a3))
        yt = cos4_yield(np.linspace(0, 1, 201), a)
        if sum(a) != 0 and (np.any(yt < -1e-12) or not np.all(np.isfinite(yt))):
            raise RecipeError(f"yield_coefficients {list(a)} give a negative yield Y(θ)",
                              path="yield_coefficients", value=list(a))
        beam = Beam(tilt=float(self.tilt), azimuth=float(self.azimuth), rotating=self.rotating,
                    exponent=-1.0 if self.exponent is None else float(self.exponent),
                    energy_eV=self.energy * eV, energy_sigma_eV=self.energy_sigma * eV,
                    threshold_eV=self.threshold * eV, yield_a=a)
        model = IonBeamEtch(beam=beam, plane_rates=dict(self.rates), materials=materials,
                            redeposition=float(self.redeposition),
                            redeposition_threshold=float(self.redeposition_threshold),
                            theta_min=float(self.theta_min), theta_max=float(self.theta_max))
        return BeamTransport(model=model, step=step_label(kind, None),
                             tracing=RayTracing(rays_per_point=self.rays_per_point))


register_model("ion_beam")(IonBeamSpec)
