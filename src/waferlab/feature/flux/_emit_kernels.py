"""Numba kernel of the radiosity estimator (private): exact 2D view factors by angular
sweeps (``reemission``)."""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ._kernels import HIT, SIDE_HI, SIDE_LO, TOP, _cast2d, side_exit

__all__ = ["sweep2d"]


@njit(cache=True, error_model="numpy", inline="always")
def _target2d(ox, oy, dx, dy, cd, glo, gh, gn, cstart, citems, xlo, xhi, periodic, m,
              max_events):
    """Column of the first element hit by o + t d (side crossings followed): the element,
    or m (top), m + 1 (bottom), m + 2 (dropped)."""
    for _ev in range(max_events):
        j, t, code = _cast2d(ox, oy, dx, dy, cd, glo, gh, gn, cstart, citems)
        if code == HIT:
            return j
        if code == SIDE_LO or code == SIDE_HI:
            ox, oy, _, dx, _ = side_exit(code, 0, t, ox, oy, 0.0, dx, dy, 0.0, (xlo,), (xhi,),
                                         periodic)
        else:
            return m if code == TOP else m + 1
    return m + 2


@njit(cache=True, error_model="numpy", parallel=True)
def sweep2d(cd, nrm, ends, pts, valid, glo, gh, gn, cstart, citems, xlo, xhi, periodic, eps,
            gx, gw, n_uniform, max_events, F):
    """View factors of every segment by exact angular sweeps (``reemission``).

    For each Gauss point x_q = a + g_q (b − a) (nodes ``gx`` in [0, 1], weights ``gw``
    summing to 1) of segment e, the in-plane directions are cut at the angles of every
    surface vertex ``pts`` and of its images across the two domain sides (mirror images
    for a reflective boundary, translates for a periodic one), and at ``n_uniform``
    equal steps of sin φ; between two consecutive cuts one element is seen (the surface
    is a union of non-crossing segments), found by one cast at the middle direction.
    The projected cosine law has sin φ uniform on [−1, 1], so that interval adds
    gw_q (u₁ − u₀)/2 to F[e, target] (columns: elements, then top, bottom, dropped)."""
    m = ends.shape[0]
    nv = pts.shape[0]
    width = xhi - xlo
    for e in prange(m):
        if not valid[e]:
            continue
        n0, n1 = nrm[e, 0], nrm[e, 1]
        t0, t1 = -n1, n0                       # sin φ > 0 towards t
        ax, ay = ends[e, 0, 0], ends[e, 0, 1]
        ex, ey = ends[e, 1, 0] - ax, ends[e, 1, 1] - ay
        us = np.empty(3 * nv + n_uniform + 2)
        for q in range(gx.shape[0]):
            px = ax + gx[q] * ex + eps * n0
            py = ay + gx[q] * ey + eps * n1
            k = 0
            for c in range(3):
                for v in range(nv):
                    vx, vy = pts[v, 0], pts[v, 1]
                    if c == 1:
                        vx = vx - width if periodic else 2.0 * xlo - vx
                    elif c == 2:
                        vx = vx + width if periodic else 2.0 * xhi - vx
                    rx, ry = vx - px, vy - py
                    rn = rx * n0 + ry * n1
                    if rn <= 0.0:
                        continue
                    us[k] = (rx * t0 + ry * t1) / math.sqrt(rx * rx + ry * ry)
                    k += 1
            for i in range(n_uniform + 1):
                us[k] = -1.0 + 2.0 * i / n_uniform
                k += 1
            u = np.sort(us[:k])
            w = 0.5 * gw[q]
            for i in range(k - 1):
                du = u[i + 1] - u[i]
                if du <= 0.0:
                    continue
                sphi = 0.5 * (u[i] + u[i + 1])
                cphi = math.sqrt(max(0.0, 1.0 - sphi * sphi))
                dx = cphi * n0 + sphi * t0
                dy = cphi * n1 + sphi * t1
                j = _target2d(px, py, dx, dy, cd, glo, gh, gn, cstart, citems, xlo, xhi,
                              periodic, m, max_events)
                F[e, j] += w * du
