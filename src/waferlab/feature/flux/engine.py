"""Monte Carlo flux engine: incident and absorbed flux per surface element.

Rays are launched from a plane just above ``surface.top`` with positions uniform over the
lateral domain (area A).  A flat open surface of the same extent receives N rays over A,
so the normalised flux of element e (area a_e) is

    Γ_e/Γ_0 = (A / N) Σ_hits w / a_e ,

incident (weight arriving) and absorbed (weight × sticking).  Rays leaving upwards are
lost; rays leaving below the lowest surface point (open-bottom test channels) are counted
as transmitted.

Launch (2D): stratified per chunk by default (``_kernels.trace2d``: positions by ray
index, in-plane directions from a scrambled net or Latin-hypercube strata); each ray is
still uniform, so the estimate is unbiased and the chunks stay independent.  Launch
(3D): stratified over the whole trace (``_strata``); ``launch="uniform"``: independent
draws in both (the launch before session 13).

Standard error: the N rays are split into K fixed chunks (independent streams); with
f_k the chunk estimates and N_k their sizes, σ² = K/(K−1) Σ_k (N_k/N)² (f_k − f)²
(batch means).  Smoothing, when asked, is a linear operator applied to each chunk's
estimate, so σ stays consistent.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numba
import numpy as np

from ..surface import Surface
from . import _batch_kernels as KS
from . import _kernels as K
from . import hybrid as HY
from . import reemission as RE
from ._cast3d import skip_field
from .sources import Species, inplane_inverse_cdf

__all__ = ["SpeciesFlux", "FluxResult", "FluxTracer", "trace_fluxes", "groupable", "LAUNCHES"]

_BOUNDARIES = ("reflective", "periodic")
LAUNCHES = ("stratified", "uniform")


@dataclass(frozen=True, kw_only=True)
class SpeciesFlux:
    """Per-element fluxes of one species, normalised to the flat-surface incident flux Γ0.

    incident          Γ_in/Γ0 (1 on an open flat surface)
    absorbed          Γ_stuck/Γ0 (= s on an open flat surface of sticking s)
    stderr            Monte Carlo standard error of ``incident``
    absorbed_stderr   Monte Carlo standard error of ``absorbed``
    transmitted       fraction of launched rays (weighted) leaving through the bottom
    transmitted_stderr its standard error (batch means over the chunks)
    yields            {channel: ⟨YΓ⟩/Γ0} for species with ``yield_channels`` (per-hit
                      yield-weighted incident flux, normalised like ``incident``), else {}
    yields_stderr     their standard errors
    """

    incident: np.ndarray
    absorbed: np.ndarray
    stderr: np.ndarray
    absorbed_stderr: np.ndarray
    transmitted: float
    transmitted_stderr: float
    n_rays: int
    lost_top: int
    dropped: int
    chunks: dict | None = None   # {"incident"|"absorbed"|"yield:<c>": (K, m) chunk estimates, "weights": (K,)}
    yields: dict = field(default_factory=dict)
    yields_stderr: dict = field(default_factory=dict)

    def region_mean(self, weights: np.ndarray, quantity: str = "incident") -> tuple[float, float]:
        """Weighted mean Σ w_e f_e / Σ w_e over elements (e.g. areas of a region) and its
        batch-means standard error; needs ``trace_fluxes(..., keep_chunks=True)``."""
        if self.chunks is None:
            raise ValueError("region_mean needs trace_fluxes(..., keep_chunks=True)")
        w = np.asarray(weights, float)
        fk = np.nan_to_num(self.chunks[quantity]) @ w / w.sum()
        wk = self.chunks["weights"]
        mean = float(wk @ fk)
        Kc = len(wk)
        var = Kc / max(Kc - 1, 1) * float(((wk * (fk - mean)) ** 2).sum())
        return mean, float(np.sqrt(var))


@dataclass(frozen=True, kw_only=True)
class FluxResult:
    """Fluxes of all species on one surface; ``result["name"]`` is a :class:`SpeciesFlux`."""

    surface: Surface
    species: tuple[str, ...]
    fluxes: dict
    n_rays: int
    tracer: "FluxTracer | None" = field(default=None, repr=False, compare=False)  # for re-traces

    def __getitem__(self, name: str) -> SpeciesFlux:
        try:
            return self.fluxes[name]
        except KeyError:
            raise KeyError(f"no species {name!r}; have {list(self.species)}") from None


def _element_sizes(surface: Surface) -> np.ndarray:
    return surface.areas


class FluxTracer:
    """Geometry prepared once (element arrays, cell lists) for tracing several species."""

    def __init__(self, surface: Surface, *, cell_factor: float | None = None,
                 max_cells: int = 4_000_000):
        if surface.boundary not in _BOUNDARIES:
            raise ValueError(f"surface.boundary = {surface.boundary!r}; allowed: {_BOUNDARIES}")
        d = surface.dimension
        if d not in (2, 3):
            raise ValueError(f"surface dimension {d} is neither 2 nor 3")
        self.surface = surface
        self.dim = d
        pts = np.ascontiguousarray(surface.points, float)
        el = np.asarray(surface.elements, np.int64)
        if el.ndim != 2 or el.shape[1] != d or el.shape[0] == 0:
            raise ValueError(f"surface.elements must be (m, {d}) with m > 0; got {el.shape}")
        nrm = np.ascontiguousarray(surface.normals, float)
        self.areas = _element_sizes(surface)
        self.valid = self.areas > 1e-12 * max(float(np.median(self.areas)), 1e-300)
        v = pts[el]                                   # (m, d, d)
        lat = np.asarray(surface.lateral_bounds, float).reshape(d - 1, 2)
        self.lateral = lat
        zlo = float(pts[:, -1].min())
        ztop = float(pts[:, -1].max())
        scale = max(float(np.max(lat[:, 1] - lat[:, 0])), ztop - zlo, 1e-300)
        self.eps = 1e-9 * scale
        self.z_launch = ztop + 1e-7 * scale
        self.ztop = ztop
        hi_z = ztop + 2e-7 * scale
        lo_z = zlo - 1e-7 * scale
        lo = np.concatenate([lat[:, 0], [lo_z]])
        hi = np.concatenate([lat[:, 1], [hi_z]])
        ext = hi - lo
        size = (float(np.median(self.areas[self.valid])) if d == 2
                else float(np.sqrt(2.0 * np.median(self.areas[self.valid]))))
        voxels = d == 3 and cell_factor is None
        if cell_factor is None:     # cell edge / element size; measured best on 2 cores
            cell_factor = 2.0 if d == 2 else 1.0
        h = max(size * cell_factor, 1e-12 * scale)
        n = np.maximum(1, np.ceil(ext / h)).astype(np.int64)
        while np.prod(n) > max_cells:
            h *= 1.25
            n = np.maximum(1, np.ceil(ext / h)).astype(np.int64)
        gh = ext / n
        idx = np.flatnonzero(self.valid)
        verts = np.zeros((idx.size, d, 3))
        verts[:, :, :d] = v[idx]
        vox = _voxel_grid(verts, surface.spacing, lat, lo_z, hi_z, max_cells) if voxels else None
        if vox is not None:          # the level set's voxels: one cell per element
            lo, gh, n, cstart, items = vox
        else:
            if d == 2:
                lo3, h3, n3 = np.r_[lo, 0.0], np.r_[gh, 1.0], np.r_[n, 1].astype(np.int64)
            else:
                lo3, h3, n3 = lo, gh, n
            cstart, items = K.bin_elements(verts, lo3, h3, n3)
        self.cstart = cstart
        # empty layers per cell for the 3D cast's empty-space skipping (2D: unused)
        self.skip = (skip_field(cstart, np.asarray(n, np.int64)) if d == 3
                     else np.zeros(1, np.int8))
        self.citems = idx[items].astype(np.int64)
        self.glo, self.gh, self.gn = lo, gh, n
        geom = _pack(v, nrm, self.valid)
        self.n_elements = len(el)
        self.cdata = np.ascontiguousarray(geom[self.citems])   # packed in cell order
        self.normals = nrm
        self.emat = np.ascontiguousarray(surface.materials, np.int64)
        self.domain_area = float(np.prod(lat[:, 1] - lat[:, 0]))
        self._F: np.ndarray | None = None
        self.cache: dict = {}        # the hybrid estimator's clusters and smoother

    def view_factors(self) -> np.ndarray:
        """The 2D surface's view factors (``reemission.view_factors``), computed once:
        re-traces of the same surface reuse them."""
        if self._F is None:
            self._F = RE.view_factors(self)
        return self._F

    def trace(self, species: Species, n_rays: int, seeds: np.ndarray, *,
              rr_threshold: float = 0.1, rr_weight: float = 0.3, max_events: int = 1_000_000):
        """Raw per-chunk tallies (inc, absb, trans, counts, nrays) of one species.

        A ray whose weight falls below ``rr_threshold`` survives with probability
        w / rr_weight and continues with weight ``rr_weight`` (Russian roulette, unbiased).
        """
        inc, absb, trans, counts, nrays, _ = self.trace_scored(
            species, n_rays, seeds, rr_threshold=rr_threshold, rr_weight=rr_weight,
            max_events=max_events)
        return inc, absb, trans, counts, nrays

    def trace_scored(self, species: Species, n_rays: int, seeds: np.ndarray, *,
                     rr_threshold: float = 0.1, rr_weight: float = 0.3,
                     max_events: int = 1_000_000):
        """:meth:`trace` plus the per-hit yield tallies (K, channels, m) of a species with
        ``yield_channels`` (None without)."""
        inc, absb, trans, counts, nrays, ytal = self._run(
            (species,), n_rays, seeds, rr_threshold, rr_weight, max_events)
        return inc[:, 0], absb[:, 0], trans[:, 0], counts, nrays, ytal

    def trace_group(self, group: Sequence[Species], n_rays: int, seeds: np.ndarray, *,
                    rr_threshold: float = 0.1, rr_weight: float = 0.3,
                    max_events: int = 1_000_000):
        """Species that differ only in their sticking (``groupable``) traced on the same
        rays, one weight per species: tallies inc, absb (K, S, m), trans (K, S, 2),
        counts (K, 3) and nrays (K,)."""
        keys = [groupable(sp) for sp in group]
        if not keys or keys[0] is None or any(k != keys[0] for k in keys):
            raise ValueError("a ray group needs species that differ only in their sticking")
        return self._run(tuple(group), n_rays, seeds, rr_threshold, rr_weight,
                         max_events)[:5]

    def _run(self, group, n_rays, seeds, rr_threshold=0.1, rr_weight=0.3,
             max_events=1_000_000, launch="stratified"):
        """One kernel launch for ``group`` (one species with ``yield_channels``, or species
        that share rays): inc, absb (K, S, m), trans (K, S, 2), counts, nrays and the
        yield tallies ytal (K, C, m) (None without yield channels).  ``launch``: see
        :func:`trace_fluxes` (passed to trace2d and trace3d alike)."""
        if launch not in LAUNCHES:
            raise ValueError(f"launch = {launch!r}; allowed: {LAUNCHES}")
        names = self.surface.material_names
        per_element = any(sp.per_element for sp in group)
        if per_element:         # every element its own sticking: index the kernels by element
            emat = np.arange(self.n_elements, dtype=np.int64)
            stick = np.stack([sp.element_sticking(names, self.emat) for sp in group])
        else:
            emat = self.emat
            stick = np.stack([sp.sticking_array(names) for sp in group])
        stick = np.ascontiguousarray(stick)
        head, tail, nrays = self._arguments(group[0], stick, n_rays, seeds, emat)
        nmat = stick.shape[1]
        scored = bool(group[0].yield_channels)
        if scored:
            e_tab, yA, ysth, yf, law, cut = group[0].energy_params(names)
            if per_element:     # per-material yield tables read at each element's material
                yA, ysth, yf = yA[:, self.emat], ysth[:, self.emat], yf[:, self.emat]
        else:
            e_tab, yA, ysth, yf, law, cut = (np.zeros(2), np.zeros((0, nmat)),
                                             np.zeros((0, nmat)), np.zeros((0, nmat, 2)),
                                             np.zeros(0), -np.inf)
        K_, S, m = len(seeds), len(group), self.n_elements
        inc, absb = np.zeros((K_, S, m)), np.zeros((K_, S, m))
        trans, counts = np.zeros((K_, S, 2)), np.zeros((K_, 3), np.int64)
        ytal = np.zeros((K_, yA.shape[0], m))
        strat = launch == "stratified"
        more: tuple = (strat,)
        if self.dim == 2:
            mode, expo, _ = group[0].source_params()
            a_tab = (inplane_inverse_cdf(expo) if strat and mode == 0 and expo != 1.0
                     else np.zeros(2))
            more = (strat, a_tab)
        with numba.parallel_chunksize(1):    # chunks handed out one at a time (busy cores)
            (K.trace2d if self.dim == 2 else K.trace3d)(
                *head, *tail[:4], np.ascontiguousarray(e_tab, float),
                np.ascontiguousarray(yA, float), np.ascontiguousarray(ysth, float),
                np.ascontiguousarray(yf, float), np.ascontiguousarray(law, float), float(cut),
                tail[4], nrays, float(rr_threshold), float(max(rr_weight, rr_threshold)),
                int(max_events), inc, absb, trans, counts, ytal, *more)
        return inc, absb, trans, counts, nrays, (ytal if scored else None)

    def _arguments(self, species: Species, stick: np.ndarray, n_rays: int, seeds,
                   emat: np.ndarray):
        """Kernel arguments (head: geometry and species; tail: eps, source, seeds) and
        the rays per chunk; ``emat`` indexes ``stick``'s columns per element (the
        material, or the element itself with per-element sticking)."""
        nchunk = seeds.shape[0]
        nrays = np.full(nchunk, n_rays // nchunk, np.int64)
        nrays[: n_rays % nchunk] += 1
        if self.emat.size and (self.emat.min() < 0
                               or self.emat.max() >= len(self.surface.material_names)):
            raise ValueError("surface.materials holds an index outside material_names")
        mode, expo, table = species.source_params()
        periodic = self.surface.boundary == "periodic"
        args = (self.cdata, self.normals, emat, stick, species.specular_table(),
                np.ascontiguousarray(species.sticking_angle_table(), float),
                -1.0 if species.specular_cone is None else float(species.specular_cone),
                self.glo, self.gh, self.gn, self.cstart, self.citems)
        head: tuple[Any, ...]
        if self.dim == 2:
            head = args + (float(self.lateral[0, 0]), float(self.lateral[0, 1]), periodic,
                           self.z_launch)
        else:
            head = args + (np.ascontiguousarray(self.lateral[:, 0]),
                           np.ascontiguousarray(self.lateral[:, 1]), periodic, self.z_launch,
                           self.ztop, self.skip)
        tail = (self.eps, mode, expo, table, np.asarray(seeds, np.uint64))
        return head, tail, nrays


def groupable(sp: Species):
    """What must be equal for species to share rays (None: traced alone — per-hit yields
    follow each ion's own energy)."""
    if sp.yield_channels:
        return None
    mode, expo, table = sp.source_params()
    return (mode, float(expo), np.asarray(table).tobytes(), sp.specular_table().tobytes(),
            np.asarray(sp.sticking_angle_table(), float).tobytes(), sp.specular_cone)


def _groups(species: Sequence[Species]) -> list[tuple[Species, ...]]:
    """Species in ray groups (``groupable``), in order of first appearance."""
    out: dict = {}
    for i, sp in enumerate(species):
        key = groupable(sp)
        out.setdefault(("alone", i) if key is None else key, []).append(sp)
    return [tuple(g) for g in out.values()]


def _voxel_grid(verts: np.ndarray, h: float | None, lat: np.ndarray, lo_z: float, hi_z: float,
                max_cells: int):
    """Cell lists on the voxels of the level set a 3D surface was extracted from, or None.

    Marching cubes puts every triangle inside one voxel (its vertices on the voxel's
    edges), so with cells = voxels each element is listed once, in the voxel of its
    centroid, instead of in every cell its box overlaps (≈ 3.6 on an unaligned grid):
    about half the triangle tests per cast.  The voxels are those of ``extract``: node
    columns at the cell centres of the lateral grid (−L/2 + (i + ½) h) plus the domain
    sides, so the cells overhang the domain by h/2 and the kernels end rays at the domain
    side inside the edge cells (``_cast3d._edge``); vertical nodes at z₀ + k h, z₀ the
    most common vertex height modulo h.  Used only when every element lies inside its
    cell (within 1e-7 h); otherwise (not a level-set surface) the overlap lists are."""
    if h is None or not h > 0 or len(verts) == 0:
        return None
    L = lat[:, 1] - lat[:, 0]
    nl = np.rint(L / h)
    if np.any(np.abs(nl * h - L) > 1e-7 * h) or np.any(nl < 1):
        return None
    frac = np.round(np.mod(verts[:, :, 2].ravel() / h, 1.0), 6) % 1.0
    vals, counts = np.unique(frac, return_counts=True)
    z0 = float(vals[np.argmax(counts)]) * h
    lo = np.array([lat[0, 0] - 0.5 * h, lat[1, 0] - 0.5 * h, z0 + np.floor((lo_z - z0) / h) * h])
    n = np.array([nl[0] + 1, nl[1] + 1, np.ceil((hi_z - lo[2]) / h)], np.int64)
    if np.prod(n) > max_cells:
        return None
    cell = np.clip(np.floor((verts.mean(axis=1) - lo) / h).astype(np.int64), 0, n - 1)
    near = lo + cell * h
    tol = 1e-7 * h
    if np.any(verts < near[:, None, :] - tol) or np.any(verts > near[:, None, :] + h + tol):
        return None
    key = (cell[:, 2] * n[1] + cell[:, 1]) * n[0] + cell[:, 0]
    items = np.argsort(key, kind="stable").astype(np.int64)
    cstart = np.zeros(int(np.prod(n)) + 1, np.int64)
    np.cumsum(np.bincount(key, minlength=int(np.prod(n))), out=cstart[1:])
    return lo, np.full(3, float(h)), n, cstart, items


def _pack(v: np.ndarray, nrm: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Per-element data of the kernels (see ``_kernels.trace2d/3d``); the plane normal is the
    geometric one, oriented like the given normal (into vacuum)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if v.shape[1] == 2:
            e = v[:, 1] - v[:, 0]
            g = np.stack([e[:, 1], -e[:, 0]], axis=1)
            inv = e / (e * e).sum(axis=1, keepdims=True)
            parts = [v[:, 0], inv]
        else:
            e1, e2 = v[:, 1] - v[:, 0], v[:, 2] - v[:, 0]
            g = np.cross(e1, e2)
            g2 = (g * g).sum(axis=1, keepdims=True)
            parts = [v[:, 0], np.cross(e2, g) / g2, np.cross(g, e1) / g2]
        g = g / np.linalg.norm(g, axis=1, keepdims=True)
    g = g * np.where((g * nrm).sum(axis=1) < 0, -1.0, 1.0)[:, None]
    out = np.concatenate(parts + [g], axis=1)
    out[~valid] = 0.0
    return out


def _batch(tally: np.ndarray, nrays: np.ndarray, norm: np.ndarray,
           smoother=None, keep: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and batch-means standard error of per-chunk tallies (K, m) (without smoothing
    in one kernel pass, ``_batch_kernels.batch_stats``: the same numbers) and the (K, m)
    chunk estimates (without smoothing and ``keep`` False: not stored, (0, m))."""
    bad = ~np.isfinite(norm)
    if smoother is None:
        return KS.batch_stats(np.ascontiguousarray(tally, float), np.asarray(nrays, np.int64),
                             np.ascontiguousarray(norm, float), bad, bool(keep))
    N = nrays.sum()
    fk = tally / nrays[:, None] * np.where(bad, 0.0, norm)[None, :]
    fk = np.asarray(smoother @ fk.T).T
    fk[:, bad] = np.nan
    wk = nrays / N
    mean = (wk[:, None] * fk).sum(axis=0)    # not wk @ fk: BLAS threads would spin and
    Kc = tally.shape[0]                      # slow the next numba-parallel trace
    var = Kc / max(Kc - 1, 1) * ((wk[:, None] * (fk - mean[None, :])) ** 2).sum(axis=0)
    return mean, np.sqrt(var), fk


def smoothing_operator(surface: Surface, radius: float, min_cos: float | None = None):
    """Area-weighted Gaussian average over elements within 2·radius (sparse, rows sum to 1);
    with ``min_cos``, only over pairs whose normals differ by less than acos(min_cos)."""
    from scipy.sparse import coo_matrix
    from ..._lazy import ckdtree      # scipy's cKDTree (the command: without scipy.spatial's __init__)
    cKDTree = ckdtree()

    c = surface.centroids
    a = surface.areas
    pairs = cKDTree(c).query_pairs(2.0 * radius, output_type="ndarray")
    if min_cos is not None:
        n = np.asarray(surface.normals, float)
        pairs = pairs[(n[pairs[:, 0]] * n[pairs[:, 1]]).sum(axis=1) > min_cos]
    i = np.concatenate([np.arange(len(c)), pairs[:, 0], pairs[:, 1]])
    j = np.concatenate([np.arange(len(c)), pairs[:, 1], pairs[:, 0]])
    w = np.exp(-0.5 * (np.linalg.norm(c[i] - c[j], axis=1) / radius) ** 2) * a[j]
    S = coo_matrix((w, (i, j)), shape=(len(c), len(c))).tocsr()
    rs = np.asarray(S.sum(axis=1)).ravel()
    rs[rs == 0] = 1.0
    from scipy.sparse import diags
    return diags(1.0 / rs) @ S


def trace_fluxes(surface: Surface, species: Sequence[Species], ctx, *,
                 rays_per_point: int | None = None, n_rays: int | None = None,
                 n_chunks: int = 64, smoothing: float = 0.0,
                 stream: tuple = ("flux",), cell_factor: float | None = None,
                 keep_chunks: bool = False, tracer: "FluxTracer | None" = None,
                 launch: str = "stratified", reemission: str = "mc") -> FluxResult:
    """Trace every species on ``surface`` and return normalised fluxes per element.

    rays_per_point  rays per species = rays_per_point × ``surface.grid_points`` (the
                    level-set nodes at the surface, area / h^(d−1), as ViennaPS counts them)
    n_rays          or the total number of rays per species (exactly one of the two)
    n_chunks        fixed chunks (independent seeds ``ctx.seeds(n_chunks, *stream, name)``;
                    species that differ only in their sticking share rays and seeds,
                    named "a+b": ``groupable``)
    smoothing       Gaussian smoothing radius (m) applied to the estimates; 0: none
    keep_chunks     keep the (n_chunks, m) chunk estimates (for ``region_mean``)
    tracer          a ``FluxTracer`` already built on ``surface`` (reused when the same
                    surface is traced again, e.g. the sub-doses of an ALD half-cycle)
    launch          2D: "stratified" (default; a Latin-hypercube launch per chunk,
                    ``_kernels.trace2d``: the same mean, less noise per ray) or "uniform"
                    (independent draws, the launch before session 13); 3D: "stratified"
                    (default; ``_strata``: positions over the whole trace, directions and
                    energies Latin hypercubes per chunk) or "uniform" (the old draws)
    reemission      "mc" (default: every species by the Monte Carlo walk), "radiosity":
                    in 2D the species that ``reemission.eligible`` accepts (cosine
                    source, diffuse re-emission, no yields) by the radiosity solve of
                    ``reemission`` with exact view factors (computed once per
                    ``tracer``; no rays from the source, stderr 0); the others, and
                    every species in 3D, as with "mc"; or "hybrid" (opt-in): 2D as
                    "radiosity", in 3D the species that ``hybrid.eligible`` accepts (no
                    yields, diffuse re-emission, no angle-dependent sticking; stratified
                    launch) by the walk for their first ``hybrid.N_HITS`` hits and a
                    clustered radiosity balance for the rest (``hybrid``)
    """
    if launch not in LAUNCHES:
        raise ValueError(f"launch = {launch!r}; allowed: {LAUNCHES}")
    if reemission not in RE.REEMISSIONS:
        raise ValueError(f"reemission = {reemission!r}; allowed: {RE.REEMISSIONS}")
    if (rays_per_point is None) == (n_rays is None):
        raise ValueError("give exactly one of rays_per_point and n_rays")
    species = tuple(species)
    names = [s.name for s in species]
    if len(set(names)) != len(names):
        raise ValueError(f"species names must be unique; got {names}")
    if not species:
        raise ValueError("no species to trace")
    ctx.apply_threads()
    if tracer is None or tracer.surface is not surface:
        tracer = FluxTracer(surface, cell_factor=cell_factor)
    if n_rays is not None:
        N = int(n_rays)
    else:
        assert rays_per_point is not None          # exactly one of the two (checked above)
        N = int(rays_per_point * surface.grid_points)
    if N < n_chunks:
        raise ValueError(f"{N} rays are fewer than the {n_chunks} chunks")
    with np.errstate(divide="ignore", invalid="ignore"):
        norm = np.where(tracer.valid, tracer.domain_area / tracer.areas, np.nan)
    smoother = smoothing_operator(surface, smoothing) if smoothing > 0 else None
    out = {}
    tallies = {}
    solved = [sp for sp in species if reemission in ("radiosity", "hybrid")
              and RE.eligible(sp, tracer.dim, tracer.n_elements)]
    if solved:
        out.update(RE.radiosity_fluxes(tracer, solved, tracer.view_factors(), n_chunks,
                                       smoother, keep_chunks))
    for group in _groups([sp for sp in species if sp.name not in out]):
        seeds = ctx.seeds(n_chunks, *stream, "+".join(sp.name for sp in group))
        ytal: np.ndarray | None
        if (reemission == "hybrid" and tracer.dim == 3 and launch == "stratified"
                and all(HY.eligible(sp) for sp in group)):
            inc, absb, trans, counts, nrays = HY.run_cut(tracer, group, N, seeds)
            ytal = None
        else:
            inc, absb, trans, counts, nrays, ytal = tracer._run(group, N, seeds,
                                                                launch=launch)
        for q, sp in enumerate(group):
            tallies[sp.name] = (inc[:, q], absb[:, q], trans[:, q], counts, nrays, ytal)
    for sp in species:
        if sp.name in out:
            continue
        inc, absb, trans, counts, nrays, ytal = tallies[sp.name]
        i_mean, i_err, i_k = _batch(inc, nrays, norm, smoother, keep_chunks)
        a_mean, a_err, a_k = _batch(absb, nrays, norm, smoother, keep_chunks)
        chunks = ({"incident": i_k, "absorbed": a_k, "weights": nrays / N}
                  if keep_chunks else None)
        ymean, yerr = {}, {}
        for c, cname in enumerate(sp.yield_channels if ytal is not None else ()):
            assert ytal is not None
            ymean[cname], yerr[cname], y_k = _batch(ytal[:, c, :], nrays, norm, smoother,
                                                          keep_chunks)
            if chunks is not None:                 # keep_chunks
                chunks[f"yield:{cname}"] = y_k
        T = trans[:, 0].sum() / N
        Tk = trans[:, 0] / np.maximum(nrays, 1)         # batch means: the chunks are
        wk = nrays / N                                  # independent, the rays in a
        Kc = len(nrays)                                 # stratified chunk are not
        T_err = np.sqrt(Kc / max(Kc - 1, 1) * float(((wk * (Tk - T)) ** 2).sum()))
        out[sp.name] = SpeciesFlux(
            incident=i_mean, absorbed=a_mean, stderr=i_err, absorbed_stderr=a_err,
            transmitted=float(T), transmitted_stderr=float(T_err),
            n_rays=N, lost_top=int(counts[:, 0].sum()), dropped=int(counts[:, 2].sum()),
            chunks=chunks, yields=ymean, yields_stderr=yerr)
    return FluxResult(surface=surface, species=tuple(names),
                      fluxes={name: out[name] for name in names}, n_rays=N,
                      tracer=tracer)
