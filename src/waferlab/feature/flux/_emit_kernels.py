"""Numba kernels of the radiosity estimator (private): exact 2D view factors by angular
sweeps and the dense solve of the balance (``reemission``)."""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ._kernels import HIT, SIDE_HI, SIDE_LO, TOP, _cast2d, side_exit

__all__ = ["solve_balance", "sweep2d"]


@njit(cache=True, error_model="numpy", inline="always")
def _target2d(ox, oy, dx, dy, cd, glo, gh, gn, cstart, citems, xlo, xhi, periodic, m,
              max_events):
    """(column, direct) of the first element hit by o + t d, side crossings followed:
    the element, or m (top), m + 1 (bottom), m + 2 (dropped); ``direct``: hit before
    any side crossing."""
    for ev in range(max_events):
        j, t, code = _cast2d(ox, oy, dx, dy, cd, glo, gh, gn, cstart, citems)
        if code == HIT:
            return j, ev == 0
        if code == SIDE_LO or code == SIDE_HI:
            ox, oy, _, dx, _ = side_exit(code, 0, t, ox, oy, 0.0, dx, dy, 0.0, (xlo,), (xhi,),
                                         periodic)
        else:
            return (m if code == TOP else m + 1), False
    return m + 2, False


@njit(cache=True, error_model="numpy", inline="always")
def _u_of(px, py, n0, n1, t0, t1, vx, vy):
    """sin φ of the direction from p to v (φ from the normal n towards t); ±1 for a point
    behind p's plane (on the side of t's sign)."""
    rx, ry = vx - px, vy - py
    rt = rx * t0 + ry * t1
    if rx * n0 + ry * n1 <= 0.0:
        return 1.0 if rt > 0.0 else -1.0
    return rt / math.sqrt(rx * rx + ry * ry)


@njit(cache=True, error_model="numpy", parallel=True)
def sweep2d(cd, nrm, ends, pts, el, vel, valid, glo, gh, gn, cstart, citems, xlo, xhi,
            periodic, eps, gx, gw, n_uniform, max_events, brute, side_y, F):
    """View factors of every segment by exact angular sweeps (``reemission``).

    For each Gauss point x_q = a + g_q (b − a) (nodes ``gx`` in [0, 1], weights ``gw``
    summing to 1) of segment e, the in-plane directions are cut at the angles of every
    surface vertex ``pts`` and of its images across the two domain sides (mirror images
    for a reflective boundary, translates for a periodic one), and at ``n_uniform``
    equal steps of sin φ; between two consecutive cuts one element is seen (the surface
    is a union of non-crossing segments).  The projected cosine law has sin φ uniform on
    [−1, 1], so that interval adds gw_q (u₁ − u₀)/2 to F[e, target] (columns: elements,
    then top, bottom, dropped).  An image vertex whose line of sight crosses its side
    below ``side_y`` (the lowest surface point at that side: inside the material) is
    not a cut.

    The target of an interval is found by one cast at its middle direction (``brute``:
    always), or, after an element j seen directly (no side crossing), without a cast:
    at a cut through a vertex behind j's line the target stays j, and at j's own
    endpoint v it becomes the other element at v (``vel``) when that one faces x_q and
    continues past the cut (the sweep of a polyline: a visible vertex hands over to
    its neighbour); only silhouette vertices, cuts in front of j and intervals reached
    across a side need a cast."""
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
        ds = np.empty(3 * nv + n_uniform + 2)
        vs = np.empty(3 * nv + n_uniform + 2, np.int64)
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
                    if c > 0 and rx != 0.0:
                        xs = xlo if c == 1 else xhi
                        if py + (xs - px) * ry / rx < side_y[c - 1]:
                            continue
                    r = math.sqrt(rx * rx + ry * ry)
                    us[k] = (rx * t0 + ry * t1) / r
                    ds[k] = r
                    vs[k] = v if c == 0 else -1
                    k += 1
            for i in range(n_uniform + 1):
                us[k] = -1.0 + 2.0 * i / n_uniform
                ds[k] = np.inf
                vs[k] = -2
                k += 1
            order = np.argsort(us[:k])
            w = 0.5 * gw[q]
            cur = -1
            direct = False
            for ii in range(k - 1):
                i0, i1 = order[ii], order[ii + 1]
                du = us[i1] - us[i0]
                if du <= 0.0:
                    continue
                known = False
                if not brute and direct and cur >= 0:
                    v = vs[i0]
                    # the cut's direction and the distance to cur's line along it
                    uc = us[i0]
                    cc = math.sqrt(max(0.0, 1.0 - uc * uc))
                    dx = cc * n0 + uc * t0
                    dy = cc * n1 + uc * t1
                    jx, jy = nrm[cur, 0], nrm[cur, 1]
                    dn = dx * jx + dy * jy
                    if v >= 0 and (el[cur, 0] == v or el[cur, 1] == v):
                        nb = vel[v, 0] if vel[v, 0] != cur else vel[v, 1]
                        if nb >= 0 and valid[nb]:
                            o = el[nb, 0] if el[nb, 0] != v else el[nb, 1]
                            facing = (nrm[nb, 0] * (px - pts[v, 0])
                                      + nrm[nb, 1] * (py - pts[v, 1])) > 0.0
                            if facing and _u_of(px, py, n0, n1, t0, t1, pts[o, 0],
                                                pts[o, 1]) > uc:
                                cur = nb
                                known = True
                    elif dn < 0.0:
                        tj = ((ends[cur, 0, 0] - px) * jx + (ends[cur, 0, 1] - py) * jy) / dn
                        if v == -2 or ds[i0] > tj * (1.0 + 1e-9):
                            known = True     # a uniform cut, or a vertex behind cur
                if not known:
                    sphi = 0.5 * (us[i0] + us[i1])
                    cphi = math.sqrt(max(0.0, 1.0 - sphi * sphi))
                    dx = cphi * n0 + sphi * t0
                    dy = cphi * n1 + sphi * t1
                    cur, direct = _target2d(px, py, dx, dy, cd, glo, gh, gn, cstart, citems,
                                            xlo, xhi, periodic, m, max_events)
                F[e, cur] += w * du


@njit(cache=True, error_model="numpy")
def solve_balance(FT, a, w, D):
    """Γ of (I − A) Γ = D with A_jk = FT[j, k] w_k / a_j (``reemission``'s balance (1)) by
    Gaussian elimination without pivoting, single-threaded (a LAPACK solve would wake
    BLAS threads that spin against the tracer's).  Stable without pivoting: with
    weights a, Σ_j a_j A_jk = w_k Σ_j F_kj < a_k, so (I − A) is strictly column
    diagonally dominant in the a-weighted norm, and elimination keeps that (Golub & Van
    Loan, Matrix Computations, 4th ed., 2013, §4.1.1)."""
    n = a.shape[0]
    M = np.empty((n, n))
    for j in range(n):
        for k in range(n):
            M[j, k] = -FT[j, k] * w[k] / a[j]
        M[j, j] += 1.0
    x = D.copy()
    for p in range(n):
        piv = M[p, p]
        for r in range(p + 1, n):
            f = M[r, p] / piv
            if f != 0.0:
                for c in range(p + 1, n):
                    M[r, c] -= f * M[p, c]
                x[r] -= f * x[p]
    for p in range(n - 1, -1, -1):
        s = x[p]
        for c in range(p + 1, n):
            s -= M[p, c] * x[c]
        x[p] = s / M[p, p]
    return x
