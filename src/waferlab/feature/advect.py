"""Advance the top level set: ∂φ/∂t + V_n |∇φ| = 0 (Osher & Sethian, J. Comput. Phys. 79, 12, 1988).

Per time step: the model's ``prepare`` (ray tracing happens there), then for every
narrow-band node its closest surface point x − φ∇φ/|∇φ|, unit normal +∇φ/|∇φ| (into
the vacuum) and the material there; ``model.speed`` at those points is the velocity
extended off the surface (constant along normals).  Spatial schemes: first-order
Engquist–Osher upwinding ("eo"), or HJ-WENO5 ("weno5") with TVD-RK3 in time (Shu &
Osher, J. Comput. Phys. 77, 439, 1988); a Lax–Friedrichs flux with dissipation
α = ``model.max_rate()`` per axis when the speed depends on the normal (a model with
``hamiltonian_stage(state, materials, cutoff, alpha)`` supplies that Lax–Friedrichs
stage itself, evaluating H at every stage: ``wet_etch``; with ``FusedSteps`` its
first-order forward-Euler steps run in one kernel call per band rebuild, on the model's
band, ``fused_band``, and are the default scheme, ``default_scheme``).  Time step:
the surface moves at most cfl·h per step, dt = cfl·h / max|V| (the rule of ViennaPS,
its ``timeStepRatio``), and never beyond the monotone-scheme limit
dt·max Σ_i|∂H/∂p_i| ≤ 0.9 h; with Lax–Friedrichs dt = cfl·h / (d·α).

The band is sparse: dense storage, but only the nodes with |φ| < half_width·h are
advanced, and rebuilds (``_band.rebuild``, after the surface moved ``reinit_distance``
cells or ``reinit_steps`` steps) touch only the nodes within a few cells of the band:
interface nodes get φ/|∇φ| or keep their value (Russo & Smereka 2000), nodes with
|φ| < keep and a near-unit gradient keep theirs (this keeps the high-order accuracy),
the rest a chamfer distance; nothing per step scans the whole array.  Speeds are
tapered to 0 over the outer ``taper`` cells of the band (Peng et al., J. Comput. Phys.
155, 410, 1999).  Band widths per scheme: ``BAND_DEFAULTS``.

Etch: after every step the lower layers are clipped, φ_k = max(φ_k, φ_top), so
removing the top exposes what lies below.  Deposit: only the top layer moves.

Etch stop (the Boolean-stack rule of ViennaLS, Manstetten et al., Solid-State
Electron. 2017): the bottom layers 0..K−1 that the model does not etch (its
``held_layers(state, n_layers)``; K counts from the bottom up to the first etched
layer) are a solid the step cannot remove: after every step φ_top = min(φ_top,
φ_{K−1}) on the band (the top set is the union of itself and the held block), and a
surface point counts as a held material only once it lies on or inside it
(tolerance 0, not h/2).  So an etch ends exactly on the interface and a film etched
through leaves nothing behind; a step with no held block runs as before.
"""
from __future__ import annotations

import dataclasses
import math
import sys
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..errors import SimulationError
from . import _band as KB
from . import _kernels as K
from . import _band_inc as KBI
from . import _reuse
from . import _step_kernels as KS
from . import tiled_run
from ._stage import STAGE_CHUNKS, _REACH, moving_stages, plane_starts, stage_chunked  # noqa: F401
from .levelset import MARGIN_NODES, LevelSetStack, as3, grow_vertical, window_growth
from .modes import Scheme
from .velocity import BeamModel, CustomStage, FusedSteps, HoldsLayers, Stateful

__all__ = ["advance", "default_scheme", "held_block", "stable_dt", "BandSettings",
           "BAND_DEFAULTS", "BEAM_WENO5_BAND", "SCHEMES", "KINDS", "plane_starts", "stage_chunked"]

SCHEMES: dict[str, int] = {Scheme.EO: 1, Scheme.WENO5: 5}      # name -> spatial order of the one-sided derivatives
KINDS = ("deposit", "etch")
CFL_LIMIT = 1.0
STABILITY = 0.9      # dt·Σ_i|∂H/∂p_i|/h never exceeds this (monotone upwind / LF bound)
CUSTOM = int(K.Hamiltonian.CUSTOM)   # a normal-dependent model with ``hamiltonian_stage``: its own LF stage
# session 14b (#18): a beam's zero-speed nodes keep φⁿ bit for bit through the RK stages
# (``KS.stage_band_hold``; the accuracy against the exact profiles: bench/results/
# numerics_accuracy.md), and its etch re-queries the materials only in the columns the
# last step changed (``_reuse.beam_materials``: the same numbers); constants, switched
# off only by the benches/tests that compare
HOLD_ZERO_SPEED = True
REUSE_MATERIALS = True
# session 15 (#18): a beam etch's rebuilds recompute only the candidates near the columns
# the steps and the last rebuild changed (``_band_inc``: the same numbers)
INCREMENTAL_REBUILD = True
MOVING_ONLY = True       # ... and its stages visit the moving nodes only (``_stage``)
# session 17 (#18): ... and between two rebuilds the etch clip visits them only too
CLIP_MOVING_ONLY = True


@dataclass(frozen=True, kw_only=True)
class BandSettings:
    """Narrow-band numerics (in grid spacings / steps); None: the scheme's default
    (``BAND_DEFAULTS``: the thinnest band that keeps the scheme's accuracy).

    half_width       advance the nodes with |φ| < half_width·h
    taper            speeds fall smoothly to 0 over the outer ``taper`` spacings
    keep             a rebuild keeps distance values within this (the rest is recomputed)
    reinit_distance  rebuild + reinitialise after the surface moved this far
    reinit_steps     ... or after this many steps
    """

    half_width: float | None = None
    taper: float | None = None
    keep: float | None = None
    reinit_distance: float | None = None
    reinit_steps: int = 25

    def lengths(self, h: float) -> tuple[float, float, float, float, int]:
        """(width, beta, keep, cap, rings) of a filled-in band at spacing h: the band
        |φ| < width, the taper from beta, the kept distances, the clamp cap = width + h
        (the surface moves < reinit_distance + 1 spacings between rebuilds) and that many
        rings of new candidates around |φ| < cap, which keep the distances ahead of it."""
        # advance() passes the band with BAND_DEFAULTS filled in
        assert (self.half_width is not None and self.taper is not None and self.keep is not None
                and self.reinit_distance is not None)
        width = self.half_width * h
        return (width, max(width - self.taper * h, 0.0), self.keep * h, width + h,
                int(math.ceil(self.reinit_distance)) + 1)


# EO reads one neighbour, WENO5 three: its band must hold three smooth distance layers
# beyond the nodes the surface can reach before the next rebuild.
BAND_DEFAULTS: dict[str, dict[str, Any]] = {
    "eo": dict(half_width=4.0, taper=0.5, keep=1.0, reinit_distance=1.5),
    "weno5": dict(half_width=10.0, taper=2.0, keep=8.0, reinit_distance=1.0)}
# a beam model's WENO5 band (session 14, #18): 7 spacings, as accurate against the exact
# Hopf–Lax profiles of bench/bench_numerics_accuracy.py as 10 (the sum of the largest
# region errors 21.66 → 21.11 h over 98 regions; 14 better, 6 worse by more than 0.005 h,
# the worst a mask corner 0.46 → 0.50 h) on 30 % fewer band nodes
BEAM_WENO5_BAND: dict[str, Any] = dict(half_width=7.0, taper=2.0, keep=5.0, reinit_distance=1.0)


def stable_dt(rate_sum: float, spacing: float, cfl: float = 0.4) -> float:
    """Largest stable step dt = cfl·h / S, S = max over nodes of Σ_i |∂H/∂p_i| (m/s).

    Engquist–Osher: S = |V|·‖n‖₁; Lax–Friedrichs: S = d·α.  Raises SimulationError if
    cfl exceeds the limit 1 (naming both numbers); returns inf when nothing moves.
    """
    if not (cfl > 0):
        raise SimulationError(f"cfl = {cfl!r} must be positive")
    if cfl > CFL_LIMIT:
        raise SimulationError(f"CFL number {cfl:g} exceeds the stability limit {CFL_LIMIT:g}")
    if not math.isfinite(rate_sum):
        raise SimulationError(f"non-finite surface speed (max Σ|∂H/∂p| = {rate_sum!r} m/s)")
    if rate_sum <= 0:
        return math.inf
    return cfl * spacing / rate_sum


def _speeds(model: Any, state: Any, pts: np.ndarray, nrm: np.ndarray, mats: np.ndarray,
            cutoff: np.ndarray, d: int, t: float):
    """(stage mode, per-node speed, α/beam vector, max |V_n|, max Σ_i|∂H/∂p_i|).

    A model with ``beam_hamiltonian(state, materials) -> (s, c, f)`` (a beam, c = −d̂)
    is evaluated exactly (mode BEAM); other normal-dependent models by Lax–Friedrichs
    with α = max_rate on every axis; the rest by Engquist–Osher.  Speeds are tapered to
    0 at the band edge (Peng et al. 1999).
    """
    dims = [0, 2] if d == 2 else [0, 1, 2]
    n = len(cutoff)
    alpha = np.zeros(4)
    if isinstance(model, BeamModel):
        s, c, f = model.beam_hamiltonian(state, mats)
        V = np.array(s, dtype=np.float64)          # tapered in place below
        alpha[dims] = c
        alpha[3] = f
        mode = K.BEAM
    else:
        V = np.array(model.speed(state, pts, nrm if d == 3 else nrm[:, dims], mats),
                     dtype=np.float64)
        mode = K.LF if model.normal_dependent else K.EO
    if V.shape != (n,):
        raise SimulationError(f"model speed has shape {V.shape}, expected ({n},)")
    vmax, S = K.speed_bounds(V, cutoff, nrm, mode, alpha, d)
    if not (math.isfinite(vmax) and math.isfinite(S)):
        raise SimulationError(f"surface speed is NaN or infinite at t = {t:.6g} s")
    if mode == K.LF:
        amax = float(model.max_rate())
        if vmax > amax * (1 + 1e-9):
            raise SimulationError(f"speed |V| = {vmax:.6g} m/s exceeds model.max_rate() = "
                                  f"{amax:.6g} m/s (Lax–Friedrichs dissipation too small)")
        alpha[dims] = amax
        S = d * amax
    return mode, V, alpha, vmax, S


# sys.getrefcount counts every reference up to CPython 3.13; from 3.14 the interpreter
# skips some stack references ("What's New in Python 3.14"), so a low count no longer
# proves that nothing else holds the array, and ``_own`` copies there.
_REFCOUNT_EXACT = sys.implementation.name == "cpython" and sys.version_info < (3, 14)


def _own(s: Any) -> np.ndarray:
    """``np.array(s, dtype=float64)``, tapered in place by the caller; a fresh float64
    array that nothing else refers to (a model's ``s[materials]``) is taken as it is,
    not copied (one band-size array less at the speed-bound peak), where the reference
    count can prove it (``_REFCOUNT_EXACT``): a model's own array must never be tapered."""
    if (_REFCOUNT_EXACT and isinstance(s, np.ndarray) and s.dtype == np.float64 and s.ndim == 1
            and s.flags.c_contiguous and s.flags.writeable
            and sys.getrefcount(s) <= 3          # the caller's name and this argument
            and (s.flags.owndata or _numba_owned(s))):
        return s
    return np.array(s, dtype=np.float64)


def _numba_owned(s: np.ndarray) -> bool:
    """Whether ``s`` is a Numba kernel's result that nothing else shares: its base is
    Numba's memory record (which owns the buffer) held by ``s`` alone (session 17:
    ``take_rates``' s[materials] was copied every step, ≈ 1 s CPU at 10.24 µm)."""
    b: Any = s.base
    return (type(b).__name__ == "_MemInfo" and s.ctypes.data == b.data
            and getattr(b, "refcount", 2) == 1      # Numba's own count: this array alone
            and sys.getrefcount(b) <= 3)    # s.base, this name and the argument


def _beam_speeds(model: Any, state: Any, mats: np.ndarray, top3: np.ndarray, w: _Work,
                 d: int, t: float):
    """``_speeds`` of a beam model with the normals formed per node in the bound
    (``K.speed_bounds_beam``): the same numbers without (nb, 3) point/normal arrays."""
    g = w.grid
    dims = [0, 2] if d == 2 else [0, 1, 2]
    alpha = np.zeros(4)
    s, c, f = model.beam_hamiltonian(state, mats)
    V = _own(s)
    del s                                # the per-node rates are in V now
    alpha[dims] = c
    alpha[3] = f
    n = len(w.band)
    if V.shape != (n,):
        raise SimulationError(f"model speed has shape {V.shape}, expected ({n},)")
    if w.sparse_taper:       # the taper held at its nodes only: applied first, same products
        K.taper_at(V, w.taper_idx, w.taper_val)
    vmax, S = KS.speed_bounds_beam_par(V, w.cutoff, top3, w.band, g.spacing, alpha, d,
                                       g.periodic, g.periodic)
    if not (math.isfinite(vmax) and math.isfinite(S)):
        raise SimulationError(f"surface speed is NaN or infinite at t = {t:.6g} s")
    return K.BEAM, V, alpha, vmax, S



class _Work:
    """Mutable working state of one ``advance`` call (private): dense φ, the sparse
    band (sorted flat node indices of the top set with |φ| < W)."""

    def __init__(self, geo: LevelSetStack, band: BandSettings, scheme_order: int):
        self.grid = geo.grid
        self.materials = geo.materials
        self.reference_top = geo.reference_top
        self.z0 = geo.z0
        self.phi = np.array(geo.phi, dtype=np.float64, order="C", copy=True)
        self.width, self.beta, self.keep, self.cap, self.rings = band.lengths(geo.grid.spacing)
        self.band: np.ndarray                # the first rebuild() sets it
        self.clamped = False     # the top set is clamped to ±W_cap (``_reset``)
        # a beam model's taper is held sparse (``rebuild``); advance() sets the flag
        self.sparse_taper = False
        self.taper_idx = self.taper_val = np.empty(0)
        self.held = 0          # bottom layers the current etch step leaves in place
        # block lower bounds of the lower layers (``K.block_min``) for the material
        # query; valid while those layers only grow (the etch clip raises them), so
        # made once per window
        self.bmin: np.ndarray | None = None
        # band index where each x-plane starts (``plane_starts``), made per band
        self.planes: np.ndarray | None = None
        # a beam's materials of the last step and the columns (n // nz) where the
        # step changed φ_top or a lower layer (``_reuse.beam_materials``); None after a rebuild
        self.mats: np.ndarray | None = None
        self.colmark: np.ndarray | None = None
        self.mats_key: tuple = ()
        self.carry: tuple | None = None
        # the dirty columns and per-column limits of the last rebuild (``_band_inc``)
        self.memo = KBI.RebuildMemo()
        # φ_k >= φ_top holds on the band off the moving nodes (``CLIP_MOVING_ONLY``)
        self.clipped = False

    def view(self) -> LevelSetStack:
        v = self.phi.view()
        v.flags.writeable = False
        return LevelSetStack(grid=self.grid, z0=self.z0, phi=v, materials=self.materials,
                             reference_top=self.reference_top)

    def _reset(self) -> None:
        """Clamp the top set to ±W_cap (the invariant ``_band.rebuild`` relies on): at
        the start and after the window grew."""
        np.clip(self.phi[-1], -self.cap, self.cap, out=self.phi[-1])
        self.clamped = True

    def rebuild(self, clearance: int) -> None:
        """Reinitialise the top set on the band (``_band.rebuild``), grow the window if
        the surface nears its edges (closer than ``clearance`` nodes)."""
        g = self.grid
        h = g.spacing
        if not self.clamped:
            self._reset()
        # a beam's last materials travel with the old band and the columns changed since
        # (the last step's, and the rebuild's own: ``_reuse.beam_materials``)
        self.carry = (None if self.mats is None or self.colmark is None
                      else (self.band, self.mats, self.colmark))
        # the old band and its taper are not needed while the new ones are built
        self.band = self.cutoff = self.taper_idx = self.taper_val = np.empty(0, dtype=np.int64)
        self.planes = None
        self.mats = self.colmark = None
        self.clipped = False     # φ_top changes off the moving nodes: the next clip is whole
        while True:
            top3 = as3(self.phi[-1])
            # the candidates' byte mask lives for the rebuild only (calloc'd zero pages:
            # not resident between rebuilds, 1 B per node of the window)
            mark = np.zeros(top3.shape, dtype=np.uint8)
            colmark = None if self.carry is None else self.carry[2]
            if INCREMENTAL_REBUILD:
                band, _cand, k_lo, k_hi = KBI.rebuild_incremental(
                    top3, mark, h, self.width, self.keep, self.cap, g.dimension, g.periodic,
                    g.periodic, self.rings, self.memo, colmark=colmark)
            else:
                band, _cand, k_lo, k_hi = KB.rebuild(top3, mark, h, self.width, self.keep,
                                                    self.cap, g.dimension, g.periodic,
                                                    g.periodic, self.rings, colmark=colmark)
            del _cand, mark
            self.band = band
            if k_hi < 0:
                break
            growth = window_growth(clearance, k_lo, k_hi, self.phi.shape[-1])
            if growth is None:
                break
            below, above = growth
            # the window grows in place (no old and new window at once), then the
            # scratch mask of the old size goes before the new one is made
            box, self.phi = [self.phi], np.empty(0)
            del top3
            self.clamped = False
            self.bmin = self.carry = None
            self.memo.invalidate()
            self.phi = grow_vertical(box, below, above, h)
            self.z0 -= below * h
            self._reset()
        self.cutoff = K.band_cutoff(as3(self.phi[-1]), self.band, self.beta, self.width,
                                    (self.width - self.beta) ** 3)
        if self.sparse_taper:
            # a beam reads the taper once per step (V ·= cutoff): kept as the nodes where it
            # is not 1 (≈ the outer taper/half_width of the band) and their values; the
            # empty ``cutoff`` tells ``speed_bounds_beam`` that V is tapered already
            self.taper_idx = np.flatnonzero(self.cutoff != 1.0).astype(self.band.dtype)
            self.taper_val = self.cutoff[self.taper_idx]
            self.cutoff = np.empty(0)

    def hold(self) -> None:
        """φ_top = min(φ_top, φ_{K−1}) on the band (K = ``held``; no-op when 0)."""
        if self.held:
            K.hold_top(self.phi[-1], self.phi[self.held - 1], self.band)

    def finish(self, clearance: int) -> LevelSetStack:
        self.mats = None
        self.rebuild(clearance)
        self.hold()
        g = self.grid
        # restore the containment invariant φ_k >= φ_{k+1} everywhere
        K.contain(self.phi.reshape(self.phi.shape[0], -1))
        return LevelSetStack(grid=g, z0=self.z0, phi=self.phi, materials=self.materials,
                             reference_top=self.reference_top)


def held_block(model: Any, state: Any, n_layers: int, kind: str) -> int:
    """Number K of bottom layers an etch step leaves in place: the model's
    ``held_layers(state, n_layers)`` (a bool per layer) counted from the bottom up to
    the first etched layer, at most n_layers − 1; 0 for deposits and for models
    without ``held_layers``."""
    if kind != "etch" or n_layers < 2 or not isinstance(model, HoldsLayers):
        return 0
    held = np.asarray(model.held_layers(state, n_layers), dtype=bool).reshape(-1)
    k = 0
    while k < min(n_layers - 1, held.size) and held[k]:
        k += 1
    return k


def default_scheme(model: Any) -> str:
    """The scheme of a step that names none: "eo" for a model with fused first-order steps
    (``FusedSteps``, wet etching: exact on facets, 1 stage per step), else "weno5".
    Directional beams keep "weno5": "eo" is exact on flat bottoms but rounds the bottom
    corner by 0.9–2.0 h (WENO5 0.5 h), more in units of h on finer grids (docs/levelset.md,
    "Schemes"; tests/feature/test_scheme_default.py).  A traced model's surface model may
    name its own (``preferred_scheme``: ``fluorocarbon``'s "eo", docs/fluorocarbon-bosch.md)."""
    own = getattr(getattr(model, "model", None), "preferred_scheme", None)
    if own in ("eo", "weno5"):
        return own
    if isinstance(model, FusedSteps) and model.normal_dependent:
        return "eo"
    return "weno5"


def advance(geometry: LevelSetStack, model: Any, duration: float, ctx: Any, *, kind: str,
            scheme: str | None = None, cfl: float = 0.4,
            on_step: Callable[..., None] | None = None,
            band: BandSettings = BandSettings(), t0: float = 0.0,
            carry0: dict | None = None,
            storage: str | None = None) -> tuple[LevelSetStack, int]:
    """Move the top surface with ``model`` for ``duration`` s; returns (geometry, steps).

    ``t0`` is the step time already done (a resumed step): times passed to ``model.prepare``
    and ``on_step`` run from t0 to t0 + duration.  ``on_step(t, dt, geometry, resumable)``
    is called after every time step; ``resumable`` is True when the next step starts with
    a band rebuild, so that restarting ``advance`` from this geometry and ``t0 = t``
    reproduces the uninterrupted run exactly (checkpoints are taken there).

    A model with ``carries_state = True`` keeps data from one time step to the next
    (e.g. lagged surface coverages): ``prepare(geometry, ctx, t, carry=...)`` receives
    the previous step's ``state.carry`` (``carry0`` at the first step: None, or what a
    checkpoint saved), and ``on_step`` gets it as the keyword ``carry`` so a checkpoint
    can store it.

    ``storage``: "dense", "tiled" (the top set in 8³ tiles, ``tiled_run``: 3D beam
    models; bit-identical results) or None (``tiled_run.use_tiles``: dense for now).
    """
    if kind not in KINDS:
        raise ValueError(f"kind = {kind!r}: allowed {', '.join(KINDS)}")
    if scheme is None:
        scheme = default_scheme(model)
    if scheme not in SCHEMES:
        raise ValueError(f"scheme = {scheme!r}: allowed {', '.join(SCHEMES)}")
    if not (duration >= 0 and math.isfinite(duration)):
        raise ValueError(f"duration = {duration!r} s must be a finite non-negative time")
    stable_dt(0.0, geometry.grid.spacing, cfl)          # validates cfl
    from ..context import RunContext
    if isinstance(ctx, RunContext):
        ctx.apply_threads()
    g = geometry.grid
    h = g.spacing
    d = g.dimension
    dims = [0, 2] if d == 2 else [0, 1, 2]
    order = SCHEMES[scheme]
    fused = order == 1 and isinstance(model, FusedSteps) and bool(model.normal_dependent)
    beam = (isinstance(model, BeamModel)
            and not (isinstance(model, CustomStage) and bool(model.normal_dependent)))
    defaults = (model.fused_band() if fused else
                BEAM_WENO5_BAND if beam and scheme == Scheme.WENO5 else BAND_DEFAULTS[scheme])
    band = dataclasses.replace(band, **{k: v for k, v in defaults.items()
                                        if getattr(band, k) is None})
    assert (band.half_width is not None and band.taper is not None and band.keep is not None
            and band.reinit_distance is not None)      # filled from BAND_DEFAULTS
    if not 0 <= band.taper < band.half_width:
        raise ValueError(f"band.taper = {band.taper!r} must be in [0, half_width)")
    clearance = int(min(band.half_width, MARGIN_NODES) + min(math.ceil(band.reinit_distance), MARGIN_NODES)) + 4
    if tiled_run.use_tiles(geometry, model, fused, storage):
        handed = [geometry]      # the tiled engine gets the only reference (frees it)
        del geometry
        return tiled_run.run(handed.pop(), model, ctx, t0=t0, duration=duration, kind=kind,
                              order=order, cfl=cfl, band=band, clearance=clearance,
                              on_step=on_step, carry0=carry0)
    w = _Work(geometry, band, order)
    w.sparse_taper = (isinstance(model, BeamModel) and not fused
                      and not (isinstance(model, CustomStage) and bool(model.normal_dependent)))
    del geometry       # a caller that handed its geometry over frees it here (#18, runner)
    t, steps = float(t0), 0
    t_end = t + duration
    rebuild, moved, since = True, 0.0, 0
    tiny = 1e-12 * max(t_end, 1e-300)
    stateful = isinstance(model, Stateful) and bool(model.carries_state)
    carry = carry0
    while t_end - t > tiny:
        if rebuild:
            w.rebuild(clearance)
            rebuild, moved, since = False, 0.0, 0
        clip_moving, w.clipped = w.clipped, False      # set again by the moving clip only
        view = w.view()
        state = model.prepare(view, ctx, t, carry=carry) if stateful else model.prepare(view, ctx, t)
        top3 = as3(w.phi[-1])
        origin = view.origin3()
        w.held = held_block(model, state, w.phi.shape[0], kind)
        phi4 = w.phi[:-1, :, None, :] if d == 2 else w.phi[:-1]
        tols = np.full(w.phi.shape[0] - 1, 0.5 * h)
        tols[:w.held] = 0.0
        custom = isinstance(model, CustomStage) and bool(model.normal_dependent)
        # a beam's etch re-queries materials only where the last step changed the set
        reuse = (REUSE_MATERIALS and kind == "etch" and not custom and w.phi.shape[0] > 1
                 and w.phi.flags.c_contiguous and isinstance(model, BeamModel))
        if fused:
            # forward-Euler steps fused in one kernel call up to the next rebuild point
            # the surface moves cfl·h per step (ViennaPS' rule), kept monotone
            vbound, a3 = model.stage_bounds(d)
            S = float(np.sum(np.asarray(a3)[dims]))
            dt = min(stable_dt(vbound, h, cfl), stable_dt(S, h, STABILITY))
            n, t1, dm, ok = model.euler_steps(
                state, top3, phi4, w.band, w.cutoff, tols, w.held, origin, h,
                dt, t, t_end, tiny, band.reinit_steps - since,
                band.reinit_distance * h - moved, d, g.periodic)
            if not ok:
                raise SimulationError(f"NaN in the level set at t = {t1:.6g} s")
            dt, t = t1 - t, t1
            w.memo.invalidate()
            steps, since, moved = steps + n, since + n, moved + dm
            rebuild = moved >= band.reinit_distance * h or since >= band.reinit_steps
            if on_step is not None:
                on_step(t, dt, w.view(), rebuild)
            del state, view, top3, phi4        # no view of φ kept across a rebuild
            continue
        if isinstance(model, BeamModel) or custom:
            # a beam or a custom stage needs only the material at the closest points
            mats = _reuse.beam_materials(w, phi4, tols, origin, reuse)
            if custom:          # the stage evaluates H itself; bounds from the model
                vmax, a3 = model.stage_bounds(d)
                mode, V, alpha = CUSTOM, np.zeros(1), np.zeros(4)
                alpha[dims] = np.asarray(a3)[dims]
                S = float(alpha[:3].sum())
            else:
                mode, V, alpha, vmax, S = _beam_speeds(model, state, mats, top3, w, d, t)
        else:
            pts, nrm = K.band_geometry(top3, w.band, h, origin, d, g.periodic, g.periodic)
            if w.phi.shape[0] > 1:
                mats = K.material_index_pts(phi4, pts, origin, h, tols, d, g.periodic,
                                            g.periodic)
                mats[mats < 0] = w.phi.shape[0] - 1
            else:
                mats = np.zeros(len(w.band), dtype=np.int32)
            mode, V, alpha, vmax, S = _speeds(model, state, pts if d == 3 else pts[:, dims],
                                              nrm, mats, w.cutoff, d, t)
            del pts, nrm
        if mode == K.LF or mode == CUSTOM:   # Lax–Friedrichs: dt·Σ_i α_i = cfl·h
            dt = stable_dt(S, h, cfl)
        else:                 # the surface moves cfl·h per step (ViennaPS' rule), kept stable
            dt = min(stable_dt(vmax, h, cfl), stable_dt(S, h, STABILITY))
        if not math.isfinite(dt):
            t = t_end                        # nothing moves
            break
        dt = min(dt, t_end - t)
        # the stages write their band values into φ_top itself (a stage reads only its
        # source); φⁿ on the band is kept compact for the Runge–Kutta combinations
        u = top3
        args = (h, order, mode, alpha, d, g.periodic, g.periodic)
        weights = ((0.0, 1.0), (0.75, 0.25), (1.0 / 3.0, 2.0 / 3.0)) if order > 1 else ((0.0, 1.0),)
        if mode == CUSTOM:    # the model's own stage kernel (H evaluated at every stage)
            stage = model.hamiltonian_stage(state, mats, w.cutoff, alpha)
        # a beam etch with nothing held: the stages visit the moving nodes only (exact)
        moving = (MOVING_ONLY and HOLD_ZERO_SPEED and mode == K.BEAM and reuse and w.held == 0)
        mb = None
        del mats                          # the materials are in V (or the custom stage)
        if mode == CUSTOM:
            u0 = K.gather(u, w.band)
            new = np.empty_like(u0)
            for wa, wb in weights:
                stage(u, u0, new, w.band, dt, wa, wb, h, order, d, g.periodic)
                K.scatter(u, w.band, new)
            del new, stage
            finite = K.all_finite(top3, w.band)
        else:                 # by chunks of x-planes, each written back once no chunk reads it
            if moving:        # the zero-speed nodes keep φⁿ: not visited (``_stage``)
                mb, u0, bad = moving_stages(u, w.band, V, dt, weights, args)
            else:
                if w.planes is None:
                    w.planes = plane_starts(w.band, u.shape)
                # φⁿ on the band is gathered by the first stage, the finite check made by
                # the last stage's write-back (one pass less each)
                u0 = np.empty(len(w.band))
                nw = len(weights)
                for q, (wa, wb) in enumerate(weights):
                    bad = stage_chunked(u, u0, w.band, V, w.planes, dt, wa, wb, args,
                                        first=q == 0, last=q == nw - 1,
                                        hold=HOLD_ZERO_SPEED and mode == K.BEAM)
            finite = bad == 0
        if not finite:
            raise SimulationError(f"NaN in the level set at t = {t:.6g} s (dt = {dt:.6g} s, "
                                  f"stable limit {stable_dt(S, h, 1.0):.6g} s)")
        if w.phi.shape[0] > 1:
            if kind == "etch":
                w.hold()
                if reuse:        # the clip marks the columns the step changed
                    w.colmark = np.zeros(int(np.prod(w.phi.shape[1:-1])), dtype=np.uint8)
                    if moving:   # φ_top changed at most on the moving nodes: the same marks
                        # after a whole-band clip only the moving nodes can need one (s17)
                        KS.clip_below_raise(w.phi[:-1].reshape(w.phi.shape[0] - 1, -1),
                                            w.phi[-1].reshape(-1),
                                            mb if clip_moving else w.band, w.colmark,
                                            w.phi.shape[-1])
                        w.clipped = CLIP_MOVING_ONLY
                        KB.mark_changed(top3, mb, u0, w.colmark)
                    else:
                        KS.clip_below_mark(w.phi[:-1].reshape(w.phi.shape[0] - 1, -1),
                                           w.phi[-1].reshape(-1), w.band, u0, w.colmark,
                                           w.phi.shape[-1])
                    w.memo.step_changed(w.colmark)      # φ_top changed only there
                elif w.phi.flags.c_contiguous:     # flat views of the same memory
                    KS.clip_below_flat(w.phi[:-1].reshape(w.phi.shape[0] - 1, -1),
                                       w.phi[-1].reshape(-1), w.band)
                else:
                    K.clip_below(phi4, top3, w.band)
            elif float(V.min()) < 0:
                flat = w.phi[-1].reshape(-1)
                flat[w.band] = np.minimum(flat[w.band], w.phi[-2].reshape(-1)[w.band])
                del flat
        if not reuse:                 # φ_top changed where no column was marked
            w.memo.invalidate()
        t += dt
        steps += 1
        moved += vmax * dt                   # the surface moves |V|·dt per step
        since += 1
        if moved >= band.reinit_distance * h or since >= band.reinit_steps:
            rebuild = True
        if stateful:
            carry = state.carry
        if on_step is not None:
            on_step(t, dt, w.view(), rebuild, **({"carry": carry} if stateful else {}))
        # per-node arrays freed before the next rebuild, and every view of φ: a rebuild
        # that grows the window would otherwise keep the old array alive beside the new
        del V, state, view, top3, u, phi4, u0, mb
    return w.finish(clearance), steps
