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
from .flux.transport import Evaluation, FluxState, RayTracing, SurfaceRates, TracedTransport
from .registry import register_model

__all__ = ["Beam", "BeamTransport", "IonBeamEtch", "IonBeamSpec", "beam_directions",
           "cos4_yield", "flat_rate"]

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
    direct: bool = True
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


SUBSTEP = 0.2           # a step's sub-steps move the surface at most this × h (0: off)
HELD_DEPTH = 0.25       # the layer test looks this far (in h) inside the surface


@dataclass(frozen=True, eq=False)
class _HeldState(FluxState):
    """The traced state and what ``BeamTransport.speed`` needs to tell held layers apart."""

    geometry: object = None
    held: np.ndarray | None = None          # per layer: True where the beam does not etch it


def held_layer_at(geometry, points: np.ndarray, normals: np.ndarray,
                  held: np.ndarray) -> np.ndarray:
    """True where a surface point (outward unit normal n̂) lies on a layer the step does
    not etch: the material just inside the surface, at p − τ n̂ (τ = ``HELD_DEPTH``·h),
    is the lowest layer whose set contains that point (φ_k ≤ 0), and that layer is held.

    The engine's own rule (the lowest layer with φ_k(p) ≤ h/2, docs/levelset.md) holds
    a layer *below* the front exactly, but takes a held layer *above* an etched one — a
    mask over the Si whose undercut it shadows — for the etched layer within h/2 of
    their interface: the mask's edge erodes by ≈ 1.6 h and its shadow moves (issue #17,
    the beam's opening +1.0 h against the peer).  Looking inside the surface classifies
    every point of the mask's face and underside as mask, whatever its distance to the
    interface; an exposed layer whose set lies up to τ inside the top set (the top's
    reinitialisation leaves such a film: the relative test φ_k − φ_top ≤ 0 stalled the
    etch at h 0.05 µm) is still taken as exposed."""
    pts = np.asarray(points, float)
    if pts.shape[0] == 0:
        return np.zeros(0, bool)
    tau = HELD_DEPTH * float(geometry.grid.spacing)
    vals = np.asarray(geometry.values_at(pts - tau * np.asarray(normals, float)))
    n = vals.shape[0]
    layer = np.full(pts.shape[0], -1)
    for k in range(n - 1, -1, -1):                 # the lowest layer containing the point
        layer = np.where(vals[k] <= 0.0, k, layer)
    return np.where(layer >= 0, np.asarray(held, bool)[np.maximum(layer, 0)], False)


@dataclass(frozen=True, kw_only=True)
class BeamTransport(TracedTransport):
    """``TracedTransport`` whose ions come from the tilted beam (``_ion_beam_kernels``);
    a layer it does not etch keeps speed 0 up to its edge (``held_layer_at``).

    ``substep`` > 0 (direct beam, 2D and 3D): each engine step, traced once, is advanced in
    sub-steps that move the surface at most ``substep``·h, every node's speed
    re-evaluated from its current normal and the beam directions its surface element
    sees (``_ion_beam_sub``; a ``velocity.CustomStage``; issue #17, beamfix_s16.md,
    beam3d_s17*.md: WENO5 stays, its band beats the one-stage ``eo`` band)."""

    substep: float = 0.0
    _sub: dict = field(default_factory=dict, compare=False, repr=False)

    def prepare(self, geometry, ctx, t: float, carry=None) -> FluxState:
        self._sub.clear()
        if hasattr(geometry, "origin3"):
            self._sub["origin"] = geometry.origin3()
            if self.substep > 0:
                object.__setattr__(self, "normal_dependent", True)    # the engine's CustomStage
        state = self._prepare(geometry, ctx, t, carry)
        v = state.values.get("v") if state.values else None
        self._sub["vmax"] = float(np.max(np.abs(v))) if v is not None and len(v) else 0.0
        return state

    def stage_bounds(self, d: int) -> tuple[float, np.ndarray]:
        """(max |V_n| over the traced elements, (V, 0, 0)): dt = cfl·h/max|V|, the rule of
        the engine's Engquist–Osher step (the sub-steps keep themselves stable)."""
        if self.substep <= 0:      # switched on by a caller: the engine's Lax–Friedrichs rule
            a = float(self.max_rate())
            return a, np.array([a, a if d == 3 else 0.0, a])
        v = self._sub.get("vmax", 0.0)
        return v, np.array([v, 0.0, 0.0])

    def hamiltonian_stage(self, state, materials, cutoff, alpha):
        """The engine's stage (``_ion_beam_sub.make_stage``)."""
        from ._ion_beam_sub import make_stage
        return make_stage(self, state, materials, cutoff, alpha)

    def _prepare(self, geometry, ctx, t: float, carry=None) -> FluxState:
        state = super().prepare(geometry, ctx, t, carry)
        model: IonBeamEtch = self.model             # type: ignore[assignment]
        n = getattr(geometry, "n_layers", 1)
        if n < 2 or model.redeposition > 0 or state.rates is None or state.tree is None:
            return state
        held = ~np.asarray(model.moving(np.arange(n)), bool)
        if held.all():
            return state
        # the bottom block the engine holds itself (its etch stop, tolerance 0 and the
        # clip: docs/levelset.md) is left to it; this test is for held layers above
        held[: int(np.argmin(held))] = False
        if not held.any():
            return state
        # the elements on a held layer (the test above) keep speed 0
        surf = state.rates.surface
        v = np.asarray(state.values["v"], float).copy()
        idx = state.index
        moving = v != 0.0
        if moving.any():
            on_held = held_layer_at(geometry, np.asarray(surf.centroids)[idx[moving]],
                                    np.asarray(surf.normals)[idx[moving]], held)
            vm = v[moving]
            vm[on_held] = 0.0
            v[moving] = vm
        return _HeldState(result=state.result, tree=state.tree, index=idx, values={"v": v},
                          eps2=state.eps2, carry=state.carry, rates=state.rates,
                          geometry=geometry, held=held)

    def speed(self, state: FluxState, points, normals, materials) -> np.ndarray:
        """V_n at the band's closest points; 0 at those on a held layer (``held_layer_at``)."""
        return self.held_zero(state, super().speed(state, points, normals, materials), points, normals)

    def held_zero(self, state: FluxState, v: np.ndarray, points, normals) -> np.ndarray:
        """``v`` with 0 at the points on a held layer (``held_layer_at``)."""
        if not isinstance(state, _HeldState) or state.geometry is None or state.held is None:
            return v
        moving = np.flatnonzero(v != 0.0)
        if moving.size:
            v = np.array(v, float)
            on_held = held_layer_at(state.geometry, np.asarray(points)[moving],
                                    np.asarray(normals)[moving], state.held)
            v[moving[on_held]] = 0.0
        return v

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
        if model.direct and model.redeposition <= 0 and self.tracing.launch != "uniform":
            keep: dict | None = {} if self.substep > 0 else None
            res = _trace_direct(model, tr, surface, self.tracing.rays_per_point,
                                ctx.seeds(64, *stream, "ion_beam", "reflected"), keep)
            if res is not None:
                if keep:
                    keep["result"] = res
                    self._sub["direct"] = keep
                return res
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


_K_INPLANE = 64          # 2D beam in the drawing plane: quantiles of the in-plane angle
_K_CONE = (4, 8)         # 3D cosⁿ spread: cos θ × φ quantiles
_K_ROT = 32              # a rotating wafer: azimuths
_S_2D = 2                # visibility samples per 2D element
_S_3D = 1                # … per side of a triangle (1: the centroid)
_S_SHARP = (32, 4)       # a collimated beam: per 2D element; per side of a triangle
_MAX_CASTS = 1.0         # direct only when its casts ≤ this × the Monte Carlo rays
_MAX_FLIP = 1e-6         # … and the beam's share beyond 90° − tilt, ≤ sin(tilt)ⁿ⁺¹, below this


def beam_directions(b: Beam, dim: int, shift=(0.5, 0.5, 0.5)) -> np.ndarray:
    """(K, 3) directions of equal weight that stand for the beam (the quadrature of the
    direct flux): midpoints of K equal-probability strata of the source's numbers — the
    in-plane angle of a 2D beam in the drawing plane, else the azimuth of a rotating
    wafer × the cosⁿ spread's cos θ and φ (``_ion_beam_kernels._beam_direction_u``),
    projected onto the (x, vertical) plane in 2D.  Vertical component at index 2.
    ``shift`` (in [0, 1)³): where in its stratum each number lies (the same for all
    strata: a Cranley–Patterson rotation; ½ the midpoints) for the in-plane angle or the
    spread's cos θ, the spread's φ and the rotating wafer's azimuth."""
    cps = math.cos(b.azimuth)
    if dim == 2 and not b.rotating and abs(abs(cps) - 1.0) < 1e-12:
        tilt = b.tilt if cps > 0.0 else -b.tilt
        if b.exponent < 0:
            al = np.array([tilt])
        else:
            tab = inplane_inverse_cdf(b.exponent)
            u = (np.arange(_K_INPLANE) + shift[0]) / _K_INPLANE
            al = tilt + np.interp(u * (tab.size - 1), np.arange(tab.size), tab)
        d = np.stack([np.sin(al), np.zeros_like(al), -np.cos(al)], axis=1)
        d = np.where(d[:, 2:3] >= 0.0, -d, d)         # pointing up: reversed, as traced
    else:
        kp = _K_ROT if b.rotating else 1
        psi = (2.0 * math.pi * (np.arange(kp) + shift[2]) / kp if b.rotating
               else np.array([b.azimuth]))
        sa, ca = math.sin(b.tilt), math.cos(b.tilt)
        ax = np.stack([sa * np.cos(psi), sa * np.sin(psi), np.full(kp, -ca)], axis=1)
        if b.exponent < 0:
            d = ax
        else:
            kt, kf = _K_CONE
            ct = (1.0 - (np.arange(kt) + shift[0]) / kt) ** (1.0 / (b.exponent + 1.0))
            st = np.sqrt(np.maximum(0.0, 1.0 - ct * ct))
            ph = 2.0 * math.pi * (np.arange(kf) + shift[1]) / kf
            out = []
            for a in ax:              # an orthonormal frame (e1, e2, a) about each axis
                e1 = np.cross(a, [0.0, 1.0, 0.0] if abs(a[1]) < 0.9 else [1.0, 0.0, 0.0])
                e1 /= np.linalg.norm(e1)
                e2 = np.cross(a, e1)
                c = (st[:, None, None] * (np.cos(ph)[None, :, None] * e1 + np.sin(ph)[None, :, None] * e2)
                     + ct[:, None, None] * a)
                out.append(c.reshape(-1, 3))
            d = np.concatenate(out)
        d = np.where(d[:, 2:3] >= 0.0, -d, d)
        if dim == 2:
            d[:, 1] = 0.0
            d /= np.linalg.norm(d, axis=1, keepdims=True)
    return np.ascontiguousarray(d)


def _sample_points(surface, dim: int, per_side: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Points on every element where the beam's visibility is sampled: (P, 3) (vertical
    at index 2), their elements (P,), points per element S — the centres of the
    ``per_side`` equal parts of a segment (2D), of the per_side² equal sub-triangles of a
    triangle (3D)."""
    v = np.asarray(surface.points, float)[np.asarray(surface.elements, np.int64)]
    m, L = v.shape[0], per_side
    if dim == 2:
        t = (np.arange(L) + 0.5) / L
        q = v[:, None, 0, :] + t[None, :, None] * (v[:, None, 1, :] - v[:, None, 0, :])
        pts = np.zeros((m, L, 3))
        pts[:, :, 0], pts[:, :, 2] = q[:, :, 0], q[:, :, 1]
    else:
        bary = [((i + 1 / 3) / L, (j + 1 / 3) / L) for i in range(L) for j in range(L - i)]
        bary += [((i + 2 / 3) / L, (j + 2 / 3) / L) for i in range(L) for j in range(L - i - 1)]
        b = np.array(bary)                                       # (L², 2)
        pts = (v[:, None, 0, :] + b[None, :, 0, None] * (v[:, None, 1, :] - v[:, None, 0, :])
               + b[None, :, 1, None] * (v[:, None, 2, :] - v[:, None, 0, :]))
    S = pts.shape[1]
    return np.ascontiguousarray(pts.reshape(-1, 3)), np.repeat(np.arange(m), S), S


def _trace_direct(model: IonBeamEtch, tr: FluxTracer, surface, rays_per_point: int,
                  seeds: np.ndarray, keep: dict | None = None) -> FluxResult | None:
    """The beam's first hits without Monte Carlo noise, its reflections by Monte Carlo.

    A ray of the beam launched uniformly over the lateral domain (area A_D) along d hits an
    unshadowed element e (area A_e, normal n) with probability A_e max(0, −n·d)/(|d_z| A_D),
    so the incident flux normalised as the traced one is Φ_e = ⟨max(0, −n·d)/|d_z| · v_e(d)⟩
    over the beam's directions (``beam_directions``), v_e(d) the fraction of the element's
    sample points that see the source along −d (``beam_visibility``); the yield tally is
    ⟨g⟩ Φ_e Y(cos θ) averaged the same way.  What the first hits reflect, (1 − S(θ)) of
    it, is traced from the sample points (``trace_reflected``), N·Ω rays for a reflected
    fraction Ω of the N the Monte Carlo beam would launch, and added.

    Returns None (the caller traces the beam by Monte Carlo) where the casts would
    outnumber the N rays, or where the cosⁿ spread has a share above ``_MAX_FLIP`` of
    directions that reach past the horizontal (sin(tilt)ⁿ⁺¹ bounds it): the traced beam
    reverses those, and their grazing hits, weighted by 1/|d_z|, need more directions than
    the quadrature has."""
    b = model.beam
    dim = tr.dim
    if b.exponent >= 0 and math.sin(b.tilt) ** (b.exponent + 1.0) > _MAX_FLIP:
        return None     # its tail reaches past the horizontal: reversed rays, traced
    # the strata's numbers shifted by one random vector per trace (unbiased over steps)
    shift = np.random.default_rng(int(seeds[-1])).random(3)
    dirs = beam_directions(b, dim, shift)
    # a sharp (collimated) shadow edge is sampled finer along the element
    per_side = (_S_2D if dim == 2 else _S_3D) if dirs.shape[0] > 1 else _S_SHARP[dim - 2]
    pts, owner, S = _sample_points(surface, dim, per_side)
    N = max(int(rays_per_point * surface.grid_points), 64)
    if pts.shape[0] * dirs.shape[0] > _MAX_CASTS * N:
        return None                           # cheaper by Monte Carlo: the caller traces it
    nrm = np.zeros((tr.n_elements, 3))
    nrm[:, 0], nrm[:, 2] = tr.normals[:, 0], tr.normals[:, dim - 1]
    if dim == 3:
        nrm[:, 1] = tr.normals[:, 1]
    pn = np.ascontiguousarray(nrm[owner])
    lat = tr.lateral
    blo, bhi = np.ascontiguousarray(lat[:, 0]), np.ascontiguousarray(lat[:, 1])
    periodic = surface.boundary == "periodic"
    vis = np.zeros((pts.shape[0], dirs.shape[0]), np.uint8)
    KB.beam_visibility(dim, tr.cdata, tr.glo, tr.gh, tr.gn, tr.cstart, tr.citems, tr.skip,
                       blo, bhi, periodic, tr.eps, pts, pn, dirs, vis)
    cin = np.clip(-(pn @ dirs.T), 0.0, 1.0)                     # (P, K) cos θ
    w = vis * cin / np.abs(dirs[:, 2])[None, :] / (dirs.shape[0] * S)
    m = tr.n_elements
    inc = np.bincount(owner, weights=w.sum(axis=1), minlength=m)
    ytal = b.mean_g() * np.bincount(owner, weights=(w * cos4_yield(cin, b.yield_a)).sum(axis=1),
                                    minlength=m)
    th = np.arccos(cin)
    stick = np.clip(1.0 - (th - model.theta_min) / (model.theta_max - model.theta_min), 0.0, 1.0)
    if keep is not None:     # per element: the visible share of each direction (sub-steps)
        keep["vis"] = vis.reshape(m, S, -1).mean(axis=1)
        keep["dirs"] = dirs
        keep["direct"] = ytal.copy()
    omega = (w * (1.0 - stick)) * (tr.areas[owner] / tr.domain_area)[:, None]
    Omega = float(omega.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        norm = np.where(tr.valid, tr.domain_area / tr.areas, np.nan)
    bad = ~tr.valid
    inc[bad] = np.nan
    ytal[bad] = np.nan
    zero = np.zeros(m)
    i_err, y_err, r_mean, r_err = zero.copy(), zero.copy(), zero.copy(), zero.copy()
    counts = np.zeros((seeds.size, 2), np.int64)
    n_sec = 0
    if Omega > 0.0:
        n_chunks = seeds.size
        n_sec = max(int(math.ceil(N * Omega)), n_chunks)
        nrays = np.full(n_chunks, n_sec // n_chunks, np.int64)
        nrays[: n_sec % n_chunks] += 1
        p_idx, k_idx = np.nonzero(omega > 0.0)
        cdf = np.cumsum(omega[p_idx, k_idx])
        cdf /= cdf[-1]
        ti, ty, tre = (np.zeros((n_chunks, m)) for _ in range(3))
        KB.trace_reflected(dim, tr.cdata, tr.normals, tr.glo, tr.gh, tr.gn, tr.cstart,
                           tr.citems, tr.skip, blo, bhi, periodic, tr.eps, cdf,
                           np.ascontiguousarray(pts[p_idx]), np.ascontiguousarray(owner[p_idx]),
                           np.ascontiguousarray(dirs[k_idx]), b.energy_table(),
                           math.sqrt(b.threshold_eV), cos4_yield(np.linspace(0.0, 1.0, _TABLE),
                                                                 b.yield_a),
                           np.array([model.theta_min, model.theta_max, model.cone, 0.0,
                                     model.redeposition_threshold]),
                           VIENNAPS_ION_ENERGY_LOSS.params(), seeds, nrays, 1_000_000,
                           ti, ty, tre, counts)
        i2, i_err, _ = _batch(ti, nrays, norm * Omega)
        y2, y_err, _ = _batch(ty, nrays, norm * Omega)
        inc = inc + i2
        ytal = ytal + y2
    flux = SpeciesFlux(incident=inc, absorbed=inc, stderr=i_err, absorbed_stderr=i_err,
                       transmitted=0.0, transmitted_stderr=0.0, n_rays=N,
                       lost_top=int(counts[:, 0].sum()), dropped=int(counts[:, 1].sum()),
                       yields={"sputter": ytal, "redep": r_mean},
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
    direct: bool = True

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
                            theta_min=float(self.theta_min), theta_max=float(self.theta_max),
                            direct=self.direct)
        return BeamTransport(model=model, step=step_label(kind, None), substep=SUBSTEP,
                             tracing=RayTracing(rays_per_point=self.rays_per_point))


register_model("ion_beam")(IonBeamSpec)
