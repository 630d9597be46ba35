"""The seam between particle transport and surface kinetics.

A surface model (:class:`SurfaceModel`) is physics only: the species it needs traced,
and the normal velocity and coverages that the local traced fluxes give,

    V_n = F(fields, n̂, material),   fields = incident/absorbed fluxes, per-hit yields…

One traced adapter, :class:`TracedTransport`, is everything else and the engine-facing
``VelocityModel``: it extracts the surface, calls the flux engine (``trace_fluxes``),
applies the NaN policy, re-traces the species whose sticking depends on the coverages
(per-element sticking arrays), carries the coverages from one time step to the next,
interpolates to the level-set query points and hands the time-step bound
(``max_rate``) to the engine.  Ray-tracing numerics live in :class:`RayTracing`.

Interpolation.  Elements carry the traced fields; a model evaluated at ``POINTS`` has
its fields pooled onto the vertices (area-weighted mean over each vertex's elements,
which pools the rays of ~6 triangles or 2 segments) and a query point takes the
inverse-square-distance weighted mean of its k nearest vertices, 1/(d² + ε²) with
ε = h/4 (scipy cKDTree; from ``_GRID_QUERY`` query points on the same neighbours and
arithmetic by a uniform-grid search, ``_knn_kernels``); the model is evaluated there.  A model evaluated at
``ELEMENTS`` gets its velocity per element, interpolated the same way from the
element centroids.

NaN policy.  Elements without rays (zero area) have non-finite fields by construction
and are left out of the interpolation.  A non-finite velocity from the model itself
(e.g. ``velocity: "rate * absorbed_ion / 0"``) stops the run with a
``SimulationError`` naming the step, the model and how many elements went non-finite.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence, cast, runtime_checkable

import numpy as np

from ...errors import SimulationError
from ..surface import Surface
from .engine import LAUNCHES, FluxResult, SpeciesFlux, trace_fluxes
from .reemission import REEMISSIONS
from .sources import Species

__all__ = ["RayTracing", "Evaluation", "SurfaceRates", "SurfaceModel", "CoverageCoupled",
           "Selective", "TracedTransport", "FluxState", "ElementRates", "surface_of"]


@dataclass(frozen=True, kw_only=True)
class RayTracing:
    """Ray-tracing numerics, apart from the physics.

    rays_per_point       rays per species per surface grid point (``trace_fluxes``)
    smoothing            Gaussian smoothing radius of the traced fluxes (m); 0: none
    neighbours           k of the k-nearest interpolation to query points
    coverage_iterations  extra traces of the coverage-coupled species, each with the
                         per-element sticking of the previous trace's coverages
    lagged_coverages     from the second time step on, the coverage-coupled species use
                         the previous time step's coverages (nearest previous element)
                         instead of ``coverage_iterations``
    launch               "stratified" (2D and 3D ray tracer: a stratified launch, less
                         noise per ray) or "uniform" (independent draws, the launch before
                         session 13; ``trace_fluxes``)
    reemission           "mc" (every species by the Monte Carlo walk) or "radiosity" (in
                         2D the neutrals with a cosine source and diffuse re-emission by
                         the radiosity solve with exact view factors, ``reemission``;
                         ``trace_fluxes``) or "hybrid" (opt-in: 2D as "radiosity", 3D
                         diffuse neutrals by the walk's first two hits and a clustered
                         radiosity balance for the rest, ``hybrid``)
    """

    rays_per_point: int = 1000
    smoothing: float = 0.0
    neighbours: int = 4
    coverage_iterations: int = 0
    lagged_coverages: bool = False
    launch: str = "stratified"
    reemission: str = "radiosity"

    def __post_init__(self):
        if self.launch not in LAUNCHES:
            raise ValueError(f"launch = {self.launch!r}; allowed: {LAUNCHES}")
        if self.reemission not in REEMISSIONS:
            raise ValueError(f"reemission = {self.reemission!r}; allowed: {REEMISSIONS}")
        if self.rays_per_point <= 0 or self.neighbours <= 0:
            raise ValueError("rays_per_point and neighbours must be positive")
        if self.smoothing < 0 or self.coverage_iterations < 0:
            raise ValueError("smoothing and coverage_iterations must be >= 0")


class Evaluation(enum.Enum):
    """Where a model's velocity law is evaluated (see the module docstring)."""

    POINTS = "points"
    ELEMENTS = "elements"


@dataclass(frozen=True)
class SurfaceRates:
    """What a surface model returns: V_n (m/s, > 0 grows) and coverages (0..1) per point."""

    velocity: np.ndarray
    coverages: Mapping[str, np.ndarray] = field(default_factory=dict)


@runtime_checkable
class SurfaceModel(Protocol):
    """A surface model: physics only (the adapter owns the transport).

    name          the registry name (in error messages)
    evaluation    ``Evaluation.POINTS`` or ``ELEMENTS``
    species()     the species traced first (sticking per material)
    fields(...)   the per-element local fields the velocity law reads, from the traced
                  fluxes {species: SpeciesFlux} (a species not traced: absent)
    rates(...)    V_n and coverages from the fields at points with unit normals (into the
                  vacuum) and material indices; pointwise (no neighbours)
    max_rate()    an upper bound of |V_n| (m/s): the time-step and Lax–Friedrichs bound
    """

    @property
    def name(self) -> str: ...

    @property
    def evaluation(self) -> Evaluation: ...

    def species(self) -> Sequence[Species]: ...

    def fields(self, fluxes: Mapping[str, SpeciesFlux], surface: Surface
               ) -> dict[str, np.ndarray]: ...

    def rates(self, fields: Mapping[str, np.ndarray], normals: np.ndarray,
              materials: np.ndarray) -> SurfaceRates: ...

    def max_rate(self) -> float: ...


@runtime_checkable
class CoverageCoupled(Protocol):
    """Capability: species whose sticking depends on the model's own coverages.

    coupled            names of those species (empty: none traced)
    coupled_species()  those species with per-element sticking from per-element coverages
    """

    @property
    def coupled(self) -> Sequence[str]: ...

    def coupled_species(self, coverages: Mapping[str, np.ndarray],
                        materials: np.ndarray) -> tuple[Species, ...]: ...


@runtime_checkable
class _OwnStop(Protocol):
    """A surface model with its own etch stop: ``held_layers(n_layers)``, a bool per
    layer (the fluorocarbon and ion-enhanced models)."""

    def held_layers(self, n_layers: int) -> np.ndarray: ...


@runtime_checkable
class Selective(Protocol):
    """Capability: only some materials move (the rest get V_n = 0 at query points)."""

    def moving(self, materials: np.ndarray) -> np.ndarray: ...


_PARALLEL_QUERY = 4096    # query points from which the k-nearest search uses the threads
_GRID_QUERY = 2048        # query points from which ``FluxState.at`` uses the grid search
_GRID_CELL = 6.0          # its cell edge in units of ε (= a quarter of the element size)
_GRID_CELLS_PER_POINT = 16  # at most this many cells per data point (and 2^23 in all)


def _threads() -> int:
    """numba's current thread count (set for the step by ``RunContext.apply_threads``)."""
    import numba
    return int(numba.get_num_threads())


def surface_of(geometry: Any, held: int = 0) -> Surface:
    """The Surface to trace: ``geometry`` itself, or extracted from a level-set stack
    (the ``held`` bottom layers classified at tolerance 0: ``extract_surface``)."""
    if isinstance(geometry, Surface):
        return geometry
    from ..extract import extract_surface
    return extract_surface(geometry, held) if held else extract_surface(geometry)


@dataclass(frozen=True, eq=False)
class FluxState:
    """Per-step state: the traced fluxes and a nearest-vertex (or -element) lookup."""

    result: FluxResult | None
    tree: Any
    index: np.ndarray            # vertex (or element) ids in the tree
    values: dict                 # name -> per-vertex array (only tree vertices)
    eps2: float
    carry: dict | None = None    # what a stateful model keeps for the next time step
    rates: "ElementRates | None" = None
    _grid: dict = field(default_factory=dict, repr=False, compare=False)

    def at(self, points: np.ndarray, k: int) -> dict[str, np.ndarray]:
        """Each per-element value at the query points (k-nearest, 1/(d² + ε²) weights).

        From ``_GRID_QUERY`` query points on, the uniform-grid search of ``_knn_kernels``
        (the tree's neighbours and arithmetic, bit for bit; built once per state), else
        the tree."""
        n = len(points)
        if self.tree is None or n == 0:
            return {name: np.zeros(n) for name in self.values}
        k = min(k, len(self.index))
        if n >= _GRID_QUERY and self.values and np.asarray(points).shape[1] in (2, 3):
            return self._grid_at(np.asarray(points, float), k)
        # the kernels' thread count (``RunContext.apply_threads``); each query point is
        # independent, so the result does not depend on it
        d, j = self.tree.query(np.asarray(points, float), k=k,
                               workers=_threads() if n >= _PARALLEL_QUERY else 1)
        if k == 1:
            d, j = d[:, None], j[:, None]
        w = 1.0 / (d * d + self.eps2)
        w /= w.sum(axis=1, keepdims=True)
        return {name: (v[j] * w).sum(axis=1) for name, v in self.values.items()}

    def _grid_at(self, points: np.ndarray, k: int) -> dict[str, np.ndarray]:
        """``at`` by the grid search (``_knn_kernels.knn_weighted``)."""
        from . import _knn_kernels as KN
        g = self._grid
        if not g:
            data = np.asarray(self.tree.data, float)
            pts = np.zeros((len(data), 3))
            pts[:, : data.shape[1]] = data
            lo = pts.min(axis=0)
            ext = pts.max(axis=0) - lo
            c = max(_GRID_CELL * float(np.sqrt(self.eps2)), float(ext.max()) / 4096.0)
            c = c if c > 0.0 else 1.0            # one point (or all in one place)
            ncell = np.maximum(1, np.ceil(ext / c).astype(np.int64) + 1)
            while int(np.prod(ncell)) > min(_GRID_CELLS_PER_POINT * len(pts) + 4096, 1 << 23):
                c *= 1.25
                ncell = np.maximum(1, np.ceil(ext / c).astype(np.int64) + 1)
            cstart, items = KN.build_grid(pts, lo, c, ncell)
            names = list(self.values)
            g.update(pts=pts, lo=lo, c=c, n=ncell, cstart=cstart, items=items, names=names,
                     values=np.ascontiguousarray(np.stack([np.asarray(self.values[nm], float)
                                                           for nm in names])))
        q = np.zeros((len(points), 3))
        q[:, : points.shape[1]] = points
        out = np.empty((len(g["names"]), len(points)))
        tied = np.empty(len(points), np.uint8)
        KN.knn_weighted(g["pts"], g["lo"], float(g["c"]), g["n"], g["cstart"], g["items"], q,
                        int(k), float(self.eps2), g["values"], out, tied)
        res = {name: out[f] for f, name in enumerate(g["names"])}
        ti = np.flatnonzero(tied)
        if ti.size:                      # equidistant neighbours: the tree's own choice
            d, j = self.tree.query(points[ti], k=k)
            if k == 1:
                d, j = d[:, None], j[:, None]
            w = 1.0 / (d * d + self.eps2)
            w /= w.sum(axis=1, keepdims=True)
            for name, v in self.values.items():
                res[name][ti] = (v[j] * w).sum(axis=1)
        return res


@dataclass(frozen=True, eq=False)
class ElementRates:
    """Per-element result of one trace: fields, the elements with finite fields (``ok``),
    V_n and coverages on all elements (NaN / 0 where not ok) and the first trace."""

    surface: Surface
    fields: dict
    ok: np.ndarray
    velocity: np.ndarray
    coverages: dict
    result: FluxResult | None


def _pooled(values: dict, surface: Surface, result) -> FluxState:
    """Lookup on the vertices: each vertex takes the area-weighted mean of its elements
    (Σ a_e f_e / Σ a_e over the star) over the elements with finite values."""
    if len(surface.elements) == 0:
        return FluxState(result=result, tree=None, index=np.zeros(0, int), values=values, eps2=1.0)
    from ..._lazy import ckdtree      # scipy's cKDTree (the command: without scipy.spatial's __init__)
    cKDTree = ckdtree()
    el = np.asarray(surface.elements)
    a = np.asarray(surface.areas, float)
    ok = np.all([np.isfinite(v) for v in values.values()], axis=0)
    aw = np.where(ok, a, 0.0)
    nv = len(surface.points)
    A = np.zeros(nv)
    for k in range(el.shape[1]):
        A += np.bincount(el[:, k], weights=aw, minlength=nv)
    vals = {}
    for name, v in values.items():
        W = np.zeros(nv)
        fv = np.where(ok, v, 0.0) * aw
        for k in range(el.shape[1]):
            W += np.bincount(el[:, k], weights=fv, minlength=nv)
        vals[name] = W
    idx = np.flatnonzero(A > 0)
    vals = {k: v[idx] / A[idx] for k, v in vals.items()}
    size = float(np.median(a)) ** (1.0 / (surface.dimension - 1))
    return FluxState(result=result, tree=cKDTree(surface.points[idx]), index=idx, values=vals,
                     eps2=(0.25 * size) ** 2)


def _at_centroids(v: np.ndarray, ok: np.ndarray, surface: Surface, result) -> FluxState:
    from ..._lazy import ckdtree      # scipy's cKDTree (the command: without scipy.spatial's __init__)
    cKDTree = ckdtree()
    idx = np.flatnonzero(ok)
    size = float(np.median(surface.areas)) ** (1.0 / (surface.dimension - 1))
    return FluxState(result=result, tree=cKDTree(surface.centroids[idx]), index=idx,
                     values={"v": v[idx]}, eps2=(0.25 * size) ** 2)


@dataclass(frozen=True, kw_only=True)
class TracedTransport:
    """The engine-facing ``VelocityModel`` of every flux-based surface model.

    model            the physics (:class:`SurfaceModel`)
    tracing          ray-tracing numerics (:class:`RayTracing`)
    step             what the error messages call the step, e.g. "deposit SiO2"
    normal_dependent the engine's Lax–Friedrichs switch (False: the speed is isotropic)
    """

    model: SurfaceModel
    tracing: RayTracing = RayTracing()
    step: str = ""
    normal_dependent: bool = False
    _is_cc: bool = field(init=False, repr=False, compare=False, default=False)
    _is_sel: bool = field(init=False, repr=False, compare=False, default=False)
    _is_own: bool = field(init=False, repr=False, compare=False, default=False)

    def __post_init__(self):
        if not isinstance(self.model, SurfaceModel):
            raise TypeError(f"{type(self.model).__name__} is not a SurfaceModel")
        # the model's capabilities, checked once: an isinstance against a runtime Protocol
        # costs ≈ 20 µs and the steps asked ≈ 18 times each (2D Bosch: 2546 checks)
        for name, proto in (("_is_cc", CoverageCoupled), ("_is_sel", Selective),
                            ("_is_own", _OwnStop)):
            object.__setattr__(self, name, isinstance(self.model, proto))

    @property
    def carries_state(self) -> bool:
        """True when coverages are carried from one time step to the next."""
        return self.tracing.lagged_coverages and self._coupled()

    def _coupled(self) -> bool:
        return self._is_cc and bool(cast(CoverageCoupled, self.model).coupled)

    def max_rate(self) -> float:
        return float(self.model.max_rate())

    def species(self) -> tuple[Species, ...]:
        """The species traced first (what ``waferlab flux`` probes)."""
        return tuple(self.model.species())

    @property
    def rays_per_point(self) -> int:
        return self.tracing.rays_per_point

    # ------------------------------------------------------------------ tracing
    def _trace(self, surface, species, ctx, stream) -> FluxResult | None:
        if not species:
            return None
        return trace_fluxes(surface, species, ctx, rays_per_point=self.tracing.rays_per_point,
                            smoothing=self.tracing.smoothing, stream=stream,
                            launch=self.tracing.launch, reemission=self.tracing.reemission)

    def _retrace(self, surface, species, ctx, stream, first) -> FluxResult | None:
        """A further trace of the same surface: the first trace's geometry (cell lists)
        reused when this adapter traces with the flux engine (``_trace`` not overridden)."""
        tracer = first.tracer if first is not None else None
        if not species or tracer is None or type(self)._trace is not TracedTransport._trace:
            return self._trace(surface, species, ctx, stream)
        return trace_fluxes(surface, species, ctx, rays_per_point=self.tracing.rays_per_point,
                            smoothing=self.tracing.smoothing, stream=stream, tracer=tracer,
                            launch=self.tracing.launch, reemission=self.tracing.reemission)

    def _rates(self, fields, ok, surface) -> SurfaceRates:
        sel = {k: v[ok] for k, v in fields.items()}
        with np.errstate(all="ignore"):
            return self.model.rates(sel, surface.normals[ok], np.asarray(surface.materials)[ok])

    def element_rates(self, surface: Surface, ctx, stream: tuple,
                      carry: Mapping | None = None) -> ElementRates:
        """Trace ``surface`` and evaluate the model on its elements.

        The model's species are traced on ``stream``; coverage-coupled species are then
        re-traced with per-element sticking: from the carried coverages (``carry``, on
        ``stream + ("lagged",)``), or ``coverage_iterations`` times from the coverages of
        the latest fluxes (``stream + ("cov<i>",)``)."""
        m = len(surface.elements)
        mats = np.asarray(surface.materials)
        lag = (self.carries_state and carry is not None and len(carry["centroids"]) > 0)
        cc = cast(CoverageCoupled, self.model) if self._is_cc else None
        skip = set(cc.coupled) if lag and cc is not None else set()
        res = self._trace(surface, [sp for sp in self.model.species() if sp.name not in skip],
                          ctx, stream)
        fluxes = dict(res.fluxes) if res is not None else {}
        if lag:
            # carries_state implies a CoverageCoupled model, and lag a carry
            assert cc is not None and carry is not None
            more = self._retrace(surface, cc.coupled_species(self._carried(surface, carry), mats),
                                 ctx, stream + ("lagged",), res)
            fluxes.update(more.fluxes if more is not None else {})
        elif cc is not None and cc.coupled:        # self._coupled()
            for it in range(self.tracing.coverage_iterations):
                f = self.model.fields(fluxes, surface)
                ok = np.all([np.isfinite(v) for v in f.values()], axis=0)
                z = {k: np.where(ok, v, 0.0) for k, v in f.items()}
                theta = self._rates(z, np.ones(m, bool), surface).coverages
                more = self._retrace(surface, cc.coupled_species(theta, mats), ctx,
                                     stream + (f"cov{it}",), res)
                if more is None:
                    break
                fluxes.update(more.fluxes)
        f = self.model.fields(fluxes, surface)
        ok = (np.all([np.isfinite(v) for v in f.values()], axis=0) if f
              else np.ones(m, bool))
        r = self._rates(f, ok, surface)
        v = np.full(m, np.nan)
        v[ok] = np.broadcast_to(np.asarray(r.velocity, float), (int(ok.sum()),))
        cov = {}
        for k, c in r.coverages.items():
            cov[k] = np.zeros(m)                   # elements without fluxes keep θ = 0
            cov[k][ok] = c
        return ElementRates(surface=surface, fields=f, ok=ok, velocity=v, coverages=cov,
                            result=res)

    @staticmethod
    def _carried(surface: Surface, carry: Mapping) -> dict[str, np.ndarray]:
        """The carried coverages at each element: those of the nearest previous element."""
        from ..._lazy import ckdtree      # scipy's cKDTree (the command: without scipy.spatial's __init__)
        cKDTree = ckdtree()
        _, j = cKDTree(np.asarray(carry["centroids"], float)).query(surface.centroids)
        return {k: np.asarray(v, float)[j] for k, v in carry.items() if k != "centroids"}

    def _police(self, v: np.ndarray, where: str, t: float | None = None) -> None:
        bad = int(np.count_nonzero(~np.isfinite(v)))
        if bad:
            step = f"step {self.step!r}: " if self.step else ""
            when = f" at t = {t:.6g} s" if t is not None else ""
            raise SimulationError(
                f"{step}model {self.model.name!r} gave a non-finite velocity on {bad} of "
                f"{v.size} {where}{when} (check its parameters or expression)")

    # ------------------------------------------------------------------ VelocityModel
    def held_layers(self, state: Any, n_layers: int) -> np.ndarray:
        """Layers this etch does not move (the engine's etch stop, docs/levelset.md):
        those a ``Selective`` model does not move, or the model's own
        ``held_layers(n_layers)``; none otherwise."""
        if self._is_sel:
            return ~np.asarray(cast(Selective, self.model).moving(np.arange(n_layers)), bool)
        if self._is_own:
            return np.asarray(cast(_OwnStop, self.model).held_layers(n_layers), bool)
        return np.zeros(n_layers, bool)

    def prepare(self, geometry: Any, ctx, t: float, carry: Mapping | None = None) -> FluxState:
        """Trace the current surface (time ``t`` keys the random stream).  The bottom
        layers the etch holds (``held_layers``) are told apart from the etched ones at
        tolerance 0, as the engine does: an element on the etched film within h/2 of
        the stop layer keeps the film's rate, so no residue is left."""
        held = 0
        if not isinstance(geometry, Surface) and geometry.n_layers > 1:
            from ..advect import held_block
            held = held_block(self, None, geometry.n_layers, "etch")
        surface = surface_of(geometry, held)
        if len(surface.elements) == 0:
            return FluxState(result=None, tree=None, index=np.zeros(0, int),
                             values={}, eps2=1.0)
        er = self.element_rates(surface, ctx, ("flux", f"t={t!r}"), carry)
        self._police(er.velocity[er.ok], "surface elements", t)
        if self.model.evaluation is Evaluation.POINTS:
            state = _pooled(er.fields, surface, er.result)
        else:
            state = _at_centroids(er.velocity, er.ok, surface, er.result)
        kept = None
        if self.carries_state:
            kept = {"centroids": surface.centroids, **er.coverages}
        return FluxState(result=state.result, tree=state.tree, index=state.index,
                         values=state.values, eps2=state.eps2, carry=kept, rates=er)

    def speed(self, state: FluxState, points, normals, materials) -> np.ndarray:
        """V_n at query points (nearest surface points of the level-set nodes)."""
        env = state.at(points, self.tracing.neighbours)
        n = len(points)
        if self.model.evaluation is Evaluation.POINTS:
            if state.tree is None:
                return np.zeros(n)
            with np.errstate(all="ignore"):
                v = np.broadcast_to(np.asarray(self.model.rates(
                    env, normals, np.asarray(materials)).velocity, float), (n,))
            self._police(v, "surface points")
        else:
            v = env.get("v", np.zeros(n))
        if self._is_sel:
            v = np.where(cast(Selective, self.model).moving(np.asarray(materials, int)), v, 0.0)
        return v
