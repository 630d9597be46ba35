"""Kernels of the 3D hybrid estimator (``hybrid``): the walk cut after ``n_hits`` hits,
with the emitter-cluster → element transitions of its casts recorded.

``trace3d_cut`` is ``_kernels.trace3d`` (same launch, same draws, same tallies of the first
``n_hits`` hits) except that (a) after the ``n_hits``-th hit the ray's weights (after
sticking and roulette) are added to ``rem[k, q, cluster]`` instead of being re-emitted,
and (b) every cast that starts at a diffuse re-emission (after hits 1 … n_hits − 1)
records (emitter cluster, destination): the element hit, or −1 (left by the top), −2
(left by the bottom).  ``count_transitions`` sums the records into a sparse count matrix.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ._cast3d import cast3d as _cast3d
from ._kernels import (BOTTOM, HIT, SIDE_HI, SIDE_LO, TOP, _about, _interact, _left,
                       _needs_th, side_exit)
from ._rng import _seed_state, _uniform, shuffled
from ._strata import cell_point, grid_shape, launch_plan, source_cos_at

__all__ = ["trace3d_cut"]


@njit(cache=True, error_model="numpy", parallel=True)
def trace3d_cut(cd, nrm, emat, stick, stick_tab, glo, gh, gn, cstart, citems,
                blo, bhi, periodic, z_launch, ztop, skip, eps, src_mode, src_exp, src_tab,
                seeds, nrays, rr_threshold, rr_weight, max_events, inc, absb, trans, counts,
                n_hits, first, clus, rem, tsrc, tdst, tn):
    """The walk of ``_kernels.trace3d`` for diffuse neutrals (no yields, no specular part),
    cut after ``n_hits`` hits (module docstring); tsrc/tdst (K, cap) int32 receive the
    transitions of chunk k, tn[k] their number (records past cap are dropped: the cap
    holds every record when n_hits − first + 1 ≤ 8)"""
    for k in prange(seeds.shape[0]):
        _chunk_cut(k, cd, nrm, emat, stick, stick_tab, glo, gh, gn, cstart, citems,
                   blo, bhi, periodic, z_launch, ztop, skip, eps, src_mode, src_exp, src_tab,
                   seeds, nrays, rr_threshold, rr_weight, max_events, inc, absb, trans,
                   counts, n_hits, first, clus, rem, tsrc, tdst, tn)


@njit(cache=True, error_model="numpy")
def _chunk_cut(k, cd, nrm, emat, stick, stick_tab, glo, gh, gn, cstart, citems,
               blo, bhi, periodic, z_launch, ztop, skip, eps, src_mode, src_exp, src_tab,
               seeds, nrays, rr_threshold, rr_weight, max_events, inc, absb, trans, counts,
               n_hits, first, clus, rem, tsrc, tdst, tn):
    s = np.empty(4, np.uint64)
    _seed_state(seeds[k], s)
    w = np.empty(stick.shape[0])
    spec0 = np.zeros(1)
    need_th = _needs_th(stick_tab, spec0, -1.0, False)
    ytal = np.zeros((1, 0, 1))
    yA = np.zeros((0, 1))
    yf = np.zeros((0, 1, 2))
    law = np.zeros(0)
    lx, ly = bhi[0] - blo[0], bhi[1] - blo[1]
    pl = launch_plan(nrays, k, lx, ly)
    nx, ny, M, P, c, j = pl[0], pl[1], pl[2], pl[3], pl[4], pl[5]
    n = nrays[k]
    mt, mp = grid_shape(n, 1.0, 1.0)
    dperm = shuffled(s, n)
    cap = tsrc.shape[1]
    m = 0
    for r in range(n):
        px, py = cell_point(s, c if j < M else -1, nx, ny)
        xt, xp = cell_point(s, dperm[r] if dperm[r] < mt * mp else -1, mt, mp)
        ct = source_cos_at(xt, src_mode, src_exp, src_tab)
        ox, oy, oz = blo[0] + px * lx, blo[1] + py * ly, z_launch
        st = math.sqrt(max(0.0, 1.0 - ct * ct))
        ph = 2.0 * math.pi * xp
        j += 1
        c = c + P - M if c + P >= M else c + P
        dx, dy, dz = st * math.cos(ph), st * math.sin(ph), -ct
        w[:] = 1.0
        done = False
        nh = 0
        src = -1                      # the emitting cluster of a recorded cast (-1: none)
        last = False                  # the cast after hit n_hits: recorded, not tallied
        for _ev in range(max_events):
            if dz > 0.0 and oz > ztop:
                if src >= 0 and m < cap:
                    tsrc[k, m] = src
                    tdst[k, m] = -1
                    m += 1
                if not last:
                    _left(TOP, w, k, trans, counts)
                done = True
                break
            e, t, code, a = _cast3d(ox, oy, oz, dx, dy, dz, cd, glo, gh, gn,
                                    cstart, citems, blo, bhi, skip)
            if code == HIT:
                if src >= 0:
                    if m < cap:
                        tsrc[k, m] = src
                        tdst[k, m] = e
                        m += 1
                if last:
                    done = True
                    break
                n0, n1, n2 = nrm[e, 0], nrm[e, 1], nrm[e, 2]
                hx, hy, hz = ox + t * dx, oy + t * dy, oz + t * dz
                cin = -(dx * n0 + dy * n1 + dz * n2)
                th = math.acos(min(1.0, max(0.0, cin))) if need_th else 0.0
                ended, _en = _interact(w, inc, absb, ytal, k, e, emat[e], cin, th, 0.0,
                                       False, stick, stick_tab, yA, yA, yf, law,
                                       -np.inf, rr_threshold, rr_weight, s)
                nh += 1
                if ended:
                    done = True
                    break
                if nh >= n_hits:
                    ce = clus[e]
                    for q in range(w.shape[0]):
                        rem[k, q, ce] += w[q]
                    last = True
                src = clus[e] if nh >= first else -1
                _uniform(s)          # the walk's specular draw (p = 0): the same stream
                xi = _uniform(s)
                sr = math.sqrt(xi)
                ph = 2.0 * math.pi * _uniform(s)
                dx, dy, dz = _about(n0, n1, n2, sr * math.cos(ph), sr * math.sin(ph),
                                    math.sqrt(1.0 - xi))
                ox = hx + eps * n0
                oy = hy + eps * n1
                oz = hz + eps * n2
            elif code == SIDE_LO or code == SIDE_HI:
                ox, oy, oz, dx, dy = side_exit(code, a, t, ox, oy, oz, dx, dy, dz, blo,
                                               bhi, periodic)
            else:                                    # TOP or BOTTOM
                if src >= 0 and m < cap:
                    tsrc[k, m] = src
                    tdst[k, m] = -1 if code == TOP else -2
                    m += 1
                if not last:
                    _left(code, w, k, trans, counts)
                done = True
                break
        if not done:
            counts[k, 2] += 1
    tn[k] = m
    _ = BOTTOM
