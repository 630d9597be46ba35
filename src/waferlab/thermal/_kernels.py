"""Numba kernels of the thermal package (private).

``path_lengths``: for every requested node, the Si-equivalent length of the straight
path from the node back to where the ion entered the solid, ∫ ρ(p + u s) ds along the
unit vector u towards the source (ρ = atom density / that of Si, trilinear between
nodes, midpoint rule with step ds); the march stops above the grid or once the sum
passes ``s_max``.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["path_lengths"]


@njit(cache=True, inline="always")
def _wrap(f: float, n: int, periodic: bool) -> float:
    """Lateral fractional index folded into [0, n - 1] (periodic wrap or mirror)."""
    if periodic:
        f = f % n
        return f
    period = 2.0 * n
    g = (f + 0.5) % period
    if g >= n:
        g = period - g
    return min(max(g - 0.5, 0.0), n - 1.0)


@njit(cache=True, inline="always")
def _rho_at(rho, fx: float, fy: float, fz: float, periodic: bool) -> float:
    nx, ny, nz = rho.shape
    if fz > nz - 1:
        return 0.0
    if fz < 0.0:
        fz = 0.0
    fx = _wrap(fx, nx, periodic)
    fy = _wrap(fy, ny, periodic)
    i0 = int(np.floor(fx))
    j0 = int(np.floor(fy))
    k0 = int(np.floor(fz))
    tx, ty, tz = fx - i0, fy - j0, fz - k0
    i1 = (i0 + 1) % nx if periodic else min(i0 + 1, nx - 1)
    j1 = (j0 + 1) % ny if periodic else min(j0 + 1, ny - 1)
    k1 = min(k0 + 1, nz - 1)
    i0 = i0 % nx
    j0 = j0 % ny
    c00 = rho[i0, j0, k0] * (1 - tx) + rho[i1, j0, k0] * tx
    c10 = rho[i0, j1, k0] * (1 - tx) + rho[i1, j1, k0] * tx
    c01 = rho[i0, j0, k1] * (1 - tx) + rho[i1, j0, k1] * tx
    c11 = rho[i0, j1, k1] * (1 - tx) + rho[i1, j1, k1] * tx
    return ((c00 * (1 - ty) + c10 * ty) * (1 - tz) + (c01 * (1 - ty) + c11 * ty) * tz)


@njit(cache=True, parallel=True)
def path_lengths(rho, nodes, u, step: float, s_max: float, periodic: bool):
    """rho (nx, ny, nz) density ratio; nodes (m, 3) integer node indices; u (3,) unit
    vector towards the source in index units per unit path (index/m · m); step: ds in
    index units of path.  Returns (m,) Si-equivalent path lengths in index units
    (multiply by h for metres); s_max + step where the sum passed s_max."""
    m = nodes.shape[0]
    out = np.empty(m)
    nz = rho.shape[2]
    for p in prange(m):
        fx, fy, fz = float(nodes[p, 0]), float(nodes[p, 1]), float(nodes[p, 2])
        s = 0.0
        t = 0.5 * step
        while True:
            z = fz + u[2] * t
            if z > nz - 1 + 1e-9:
                break
            s += step * _rho_at(rho, fx + u[0] * t, fy + u[1] * t, z, periodic)
            if s > s_max:
                break
            t += step
        out[p] = s
    return out
