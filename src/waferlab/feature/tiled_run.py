"""The time loop of ``advect.advance`` with the top level set in tiles (#18): the same
sequence of operations as the dense loop for a beam model, each on the tiles of
``tiled_step.TiledWork`` (docs/levelset.md, "Block-sparse storage of the top set")."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import SimulationError
from . import _kernels as K
from .levelset import LevelSetStack
from .tiled_step import TiledWork

__all__ = ["run", "use_tiles", "AUTO_TILES", "TILED_MIN_NODES"]


def beam_speeds(model: Any, state: Any, mats: np.ndarray, w: TiledWork, d: int, t: float,
                own):
    """``advect._beam_speeds`` with the bound by slabs."""
    dims = [0, 2] if d == 2 else [0, 1, 2]
    alpha = np.zeros(4)
    s, c, f = model.beam_hamiltonian(state, mats)
    V = own(s)
    del s
    alpha[dims] = c
    alpha[3] = f
    n = len(w.band)
    if V.shape != (n,):
        raise SimulationError(f"model speed has shape {V.shape}, expected ({n},)")
    K.taper_at(V, w.taper_idx, w.taper_val)
    vmax, S = w.speed_bounds(V, alpha)
    if not (math.isfinite(vmax) and math.isfinite(S)):
        raise SimulationError(f"surface speed is NaN or infinite at t = {t:.6g} s")
    return K.BEAM, V, alpha, vmax, S


def use_tiles(geometry: LevelSetStack, model: Any, fused: bool, storage: str | None) -> bool:
    """Whether ``advect.advance`` runs the tiled engine: ``storage`` "tiled" or "dense",
    or None: automatic, the tiled step for 3D beam models (no custom stage, no fused
    steps) on windows of at least ``TILED_MIN_NODES`` nodes per layer when
    ``AUTO_TILES`` (off: see below).  Both give the same
    bits; the tiled step holds the top set in tiles and the lower layers in column
    tiles, so its peak grows with the surface, at extra CPU.  The size rule, measured
    on the scale cell (bench_scale.py, 0.02 µm, whole process, one launch at load
    14–16, session 17 with the incremental tiled rebuild; bench/results/tileinc_s17.md):
    5.12 µm (256² × 48 = 3.1 M nodes per layer) dense 12.8 s / 340 MB, tiled 19.7 s /
    282 MB (1.55 ×); 10.24 µm (12.6 M nodes) dense 39.7 s / 726 MB, tiled 63.2 s /
    490 MB (1.59 ×; session 16's full tiled rebuild: 1.92 ×).  The target for turning it
    on (≤ ≈ 1.05 × the dense CPU) holds at no measured size, so ``AUTO_TILES`` is off:
    the dense step is the default at every size."""
    from .velocity import BeamModel, CustomStage
    if storage not in (None, "dense", "tiled"):
        raise ValueError(f"storage = {storage!r}: allowed 'dense', 'tiled' (or None: automatic)")
    ok = (geometry.grid.dimension == 3 and isinstance(model, BeamModel) and not fused
          and not (isinstance(model, CustomStage) and bool(model.normal_dependent)))
    if storage == "tiled" and not ok:
        raise ValueError("storage = 'tiled' needs a 3D grid and a beam model")
    if storage is not None:
        return storage == "tiled"
    return AUTO_TILES and ok and int(np.prod(geometry.shape)) >= TILED_MIN_NODES


AUTO_TILES = False             # automatic choice of the tiled step (see ``use_tiles``)
TILED_MIN_NODES = 1 << 22      # ... from 2^22 nodes per layer


def run(geometry: LevelSetStack, model: Any, ctx: Any, *, t0: float, duration: float,
        kind: str, order: int, cfl: float, band: Any, clearance: int, on_step: Any,
        carry0: Any) -> tuple[LevelSetStack, int]:
    """The time loop of ``advect.advance`` for a beam model with the top set in tiles
    (the same sequence of operations, each on the tiles: see the module docstring)."""
    from .advect import (HOLD_ZERO_SPEED, MOVING_ONLY, REUSE_MATERIALS, STABILITY, _own,
                         held_block, stable_dt)
    from .velocity import Stateful
    g = geometry.grid
    h = g.spacing
    d = g.dimension
    w = TiledWork(geometry, *band.lengths(h))
    del geometry
    t, steps = float(t0), 0
    t_end = t + duration
    rebuild, moved, since = True, 0.0, 0
    tiny = 1e-12 * max(t_end, 1e-300)
    stateful = isinstance(model, Stateful) and bool(model.carries_state)
    carry = carry0
    L = w.n_layers
    # a beam's etch re-queries materials only where the last step changed the set
    # (``advect``'s rule for a beam model; the same numbers)
    reuse = REUSE_MATERIALS and kind == "etch" and L > 1
    while t_end - t > tiny:
        if rebuild:
            w.rebuild(clearance)
            rebuild, moved, since = False, 0.0, 0
        view = w.view()
        state = model.prepare(view, ctx, t, carry=carry) if stateful else model.prepare(view, ctx, t)
        origin = view.origin3()
        w.held = held_block(model, state, L, kind)
        tols = np.full(L - 1, 0.5 * h)
        tols[:w.held] = 0.0
        if w.bmin is None:
            w.bmin = w.low.block_min(g.periodic)
        mats = w.materials_at(h, origin, tols, w.bmin, L - 1, reuse)
        mode, V, alpha, vmax, S = beam_speeds(model, state, mats, w, d, t, _own)
        dt = min(stable_dt(vmax, h, cfl), stable_dt(S, h, STABILITY))
        if not math.isfinite(dt):
            t = t_end
            break
        dt = min(dt, t_end - t)
        weights = ((0.0, 1.0), (0.75, 0.25), (1.0 / 3.0, 2.0 / 3.0)) if order > 1 else ((0.0, 1.0),)
        del mats
        # a beam etch with nothing held: the stages visit the moving nodes only (exact;
        # ``advect``'s rule)
        moving = MOVING_ONLY and HOLD_ZERO_SPEED and mode == K.BEAM and reuse and w.held == 0
        movers = None
        bad = 0
        if moving:
            mb, pm, u0, bad = w.moving_stages(V, dt, weights, order, mode, alpha)
            movers = (pm, mb)
            del mb, pm
        else:
            u0 = w.gather()
            for q, (wa, wb) in enumerate(weights):
                bad = w.stage(u0, V, dt, wa, wb, order, mode, alpha, last=q == len(weights) - 1)
        if bad:
            raise SimulationError(f"NaN in the level set at t = {t:.6g} s (dt = {dt:.6g} s, "
                                  f"stable limit {stable_dt(S, h, 1.0):.6g} s)")
        if L > 1:
            if kind == "etch":
                w.hold()
                w.clip_below(u0 if reuse else None, movers)
                if reuse:                    # φ_top changed only in the marked columns
                    w.memo.step_changed(w.colmark)
            elif float(V.min()) < 0:
                w.floor_top()
        if not reuse:                        # φ_top changed where no column was marked
            w.memo.invalidate()
        t += dt
        steps += 1
        moved += vmax * dt
        since += 1
        if moved >= band.reinit_distance * h or since >= band.reinit_steps:
            rebuild = True
        if stateful:
            carry = state.carry
        if on_step is not None:
            sv = w.view()
            on_step(t, dt, sv, rebuild, **({"carry": carry} if stateful else {}))
            object.__setattr__(sv, "_dense", None)
            del sv
        del V, state, view, u0, movers
    return w.finish(clearance), steps
