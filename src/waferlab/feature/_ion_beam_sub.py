"""The ion beam's sub-steps (2D and 3D) (private; ``ion_beam.BeamTransport.substep``): one traced
engine step advanced in forward-Euler Engquist–Osher sub-steps, each node's speed
re-evaluated from its current normal and the beam directions its surface elements see.

Why: at the convex corner where a lit wall meets the trench floor, the band nodes ahead of
the front otherwise keep the floor's speed for the whole step (h/2 at cfl 0.5) and the
wall runs out to the mask's shadow line instead of the exact (Hopf) wall (issue #17,
bench/results/beamwall_s16.md, beamfix_s16.md).
"""
from __future__ import annotations

import math

import numpy as np

from . import _ion_beam_kernels as KB
from . import _kernels as K

__all__ = ["make_stage", "near_speed", "nearest", "substep_band"]

_ANGLES = 2049          # the table of a fully lit node's speed over its normal's angle
_SPHERE = 4096          # 3D: normals sampled for the bound on that speed


def near_speed(tr, state, pts, nrm, mats) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``tr.speed`` at the points with its k-nearest query kept for the sub-steps: (V_n,
    the nearest elements' rows in the state's values, their weights) — the arithmetic of
    ``FluxState.at`` and ``BeamTransport.speed``, so V_n is the same bit for bit."""
    k = min(tr.tracing.neighbours, len(state.index))
    dq, j = nearest(state, np.asarray(pts, float), k)
    w = 1.0 / (dq * dq + state.eps2)
    w /= w.sum(axis=1, keepdims=True)
    v = (state.values["v"][j] * w).sum(axis=1)
    if tr._is_sel:
        v = np.where(tr.model.moving(np.asarray(mats, int)), v, 0.0)
    return tr.held_zero(state, v, pts, nrm), j, w


def nearest(state, pts: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(distances, rows) (n, k) of the k nearest points of the state's k-d tree to
    ``pts``, ascending: the tree's ``query`` answer, found on a uniform grid of cells two
    element sizes (8 √ε²) wide by ``_ion_beam_kernels.grid_knn`` (one binning and one
    parallel kernel per step: 0.30 → 0.12 s of CPU over the 87 steps at 2D h 0.05 µm,
    beam3d_s17_summary.md; the same rows as the tree's on the checked 2D runs, byte for
    byte).  In 3D the tree's query (exact ties between elements of an extruded surface
    come back in another order there, and the outputs moved by rounding)."""
    data = np.ascontiguousarray(state.tree.data, float)
    if data.shape[1] == 3:      # 3D: the tree, as ``FluxState.at`` queries it
        from .flux import transport as T
        dq, j = state.tree.query(pts, k=k, workers=T._threads() if len(pts) >= T._PARALLEL_QUERY else 1)
        return (dq[:, None], j[:, None]) if k == 1 else (dq, j)
    cell = max(8.0 * math.sqrt(state.eps2), 1e-300)
    lo, n, start, items = KB.grid_bins(data, cell)
    dq = np.empty((len(pts), k))
    j = np.empty((len(pts), k), np.int64)
    KB.grid_knn(data, lo, n, start, items, cell, np.ascontiguousarray(pts), k, dq, j)
    return dq, j


def substep_band(model, near: tuple[np.ndarray, np.ndarray], substep: float, state,
                 keep: dict, src, band, nrm, v0, cut, mats, dt: float, h: float, ndim: int,
                 periodic: bool) -> np.ndarray:
    """Advance the band of ``src`` (in place) over dt in sub-steps that move the surface at
    most ``substep``·h (``BeamTransport.substep``; ``_ion_beam_kernels.beam_substeps``);
    returns the band's new values (``src`` at ``band``).

    Per node: its nearest traced elements ``near`` = (rows, weights) (``near_speed``)
    give the visible share of each beam direction (``keep['vis']``, the direct trace's) and
    the reflected ions' yield (the trace's total minus its direct
    part, fixed over the step); coef = −R_m cos α ⟨g⟩/(g(E₀) K) on nodes whose step speed
    ``v0`` is not 0, tapered by ``cut``; the speed is then V = refl + coef Σ_k vis_k c_k
    Y(c_k)/|d_k,z| at the node's current normal (module docstring of ``ion_beam``)."""
    b = model.beam
    j, w = near
    e = np.asarray(state.index)[j]
    evis = np.ascontiguousarray(keep["vis"], float)
    ytot = np.asarray(keep["result"].fluxes["ion"].yields["sputter"], float)
    refl_e = np.nan_to_num(ytot - keep["direct"])
    dirs = np.ascontiguousarray(keep["dirs"], float)
    m = mats.astype(np.int64)
    r = model._rate_vec[np.where((m >= 0) & (m < len(model.materials)), m, -1)]
    on = (v0 != 0.0) * cut
    g0 = b.g(b.energy_eV)
    coef = -r * math.cos(b.tilt) * b.mean_g() / (g0 * dirs.shape[0]) * on
    refl = -r * math.cos(b.tilt) / g0 * (w * refl_e[e]).sum(axis=1) * on
    # the speed at the nodes' normals now sets the sub-step (it moves ≤ substep·h),
    # bounded by a fully lit node's (the table); the bound over all normals keeps
    # it stable (dt·|V|·√d ≤ 0.9 h)
    nb = len(band)
    ya = np.array(b.yield_a, float)
    if ndim == 2:
        table = KB.beam_speed_table(dirs, ya, _ANGLES)
        smax = float(table.max())
    else:           # 3D: the fully lit sum at the nodes' normals; its bound over the sphere
        table = np.zeros(2)
        smax = float(KB.beam_speed_at(_sphere(dirs), dirs, ya).max())
    if nb and ndim == 2:
        ang = np.arctan2(nrm[:, 0], nrm[:, -1])
        vn = float(np.max(np.abs(refl) + np.abs(coef) * np.interp(
            ang, np.linspace(-math.pi, math.pi, _ANGLES), table)))
    elif nb:
        n3 = np.asarray(nrm, float)
        n3 = n3 / np.maximum(np.linalg.norm(n3, axis=1, keepdims=True), 1e-300)
        vn = float(np.max(np.abs(refl) + np.abs(coef)
                          * KB.beam_speed_at(np.ascontiguousarray(n3), dirs, ya)))
    else:
        vn = 0.0
    vbound = float(np.max(np.abs(refl) + np.abs(coef) * smax)) if nb else 0.0
    nsub = max(1, int(math.ceil(dt * vn / (substep * h) - 1e-9)),
               int(math.ceil(dt * vbound * math.sqrt(ndim) / (0.9 * h) - 1e-9)))
    full = np.all(np.all(evis >= 1.0 - 1e-12, axis=1)[e], axis=1)
    work = np.empty(nb)
    KB.beam_substeps(src, band, evis, np.ascontiguousarray(e), np.ascontiguousarray(w),
                     full, table, dirs,
                     np.ascontiguousarray(coef), np.ascontiguousarray(refl),
                     ya, nsub, dt / nsub, h, ndim, periodic,
                     periodic, work)
    return work


def _sphere(dirs: np.ndarray, n: int = _SPHERE) -> np.ndarray:
    """Unit normals for the 3D bound on a fully lit node's sum: a Fibonacci lattice of n
    points on the sphere and −d_k for every beam direction (where c_k = 1)."""
    i = np.arange(n) + 0.5
    z = 1.0 - 2.0 * i / n
    r = np.sqrt(np.maximum(0.0, 1.0 - z * z))
    a = math.pi * (3.0 - math.sqrt(5.0)) * i
    pts = np.stack([r * np.cos(a), r * np.sin(a), z], axis=1)
    return np.ascontiguousarray(np.concatenate([pts, -np.asarray(dirs, float)]))


def make_stage(tr, state, materials, cutoff, alpha):
    """``BeamTransport.hamiltonian_stage``: the step's sub-steps (``substep_band``) on
    the stage's first call (the later Runge–Kutta calls keep the result: no copy where the
    engine passes the same ``out``), or, without the
    trace's direct data, the engine's Engquist–Osher stage on ``tr.speed`` (its
    Lax–Friedrichs stage where a caller set ``normal_dependent`` with ``substep`` 0)."""
    mats = np.asarray(materials)
    cut = np.asarray(cutoff, float)
    memo: dict = {}

    def run(src, base, out, band, dt, wa, wb, h, order, ndim, periodic):
        if "v0" not in memo:
            dims = [0, 2] if ndim == 2 else [0, 1, 2]
            pts, nrm = K.band_geometry(src, band, h, tr._sub["origin"], ndim,
                                       periodic, periodic)
            keep = tr._sub.get("direct")
            if keep is None or keep["result"] is not state.result or state.tree is None:
                memo["sub"] = False
                memo["v0"] = np.asarray(tr.speed(state, pts[:, dims], nrm[:, dims], mats),
                                        float) * cut
            else:
                memo["sub"] = True
                v, j, w = near_speed(tr, state, pts[:, dims], nrm[:, dims], mats)
                memo["v0"] = v0 = np.asarray(v, float) * cut
                out[:] = substep_band(tr.model, (j, w), tr.substep, state, keep, src, band,
                                      nrm[:, dims], v0, cut, mats, dt, h, ndim, periodic)
                memo["out"] = out
                return
        if memo["sub"]:
            # a later Runge–Kutta call: the band already holds the step's result; ``out``
            # holds it too where the engine hands the same array again (advect does)
            if memo.get("out") is not out:
                out[:] = K.gather(src, band)
        else:
            mode = K.EO if tr.substep > 0 else K.LF
            K.stage_band(src, base, out, band, memo["v0"], dt, wa, wb, h, order, mode,
                         alpha, ndim, periodic, periodic)
    return run
