"""Numba kernel of the crystal-orientation Hamiltonian (private; model ``wet_anisotropic``).

One Runge–Kutta stage of ∂φ/∂t + H(∇φ) = 0 on the band with the Lax–Friedrichs flux
(Osher & Shu, SIAM J. Numer. Anal. 28, 907, 1991; Osher & Fedkiw 2003, eq. 5.8)

    Ĥ = (v + c·R(p̄)) |p̄| − Σ_i α (D⁺_iφ − D⁻_iφ)/2,    p̄ = (D⁺φ + D⁻φ)/2,

R the crystal rate of the direction p̄ (``wet_etch.crystal_rate``, evaluated here at
every stage from the current gradient, not frozen at the step's start), v the
isotropic speed and c the (signed, tapered) crystal weight of the node.  One-sided
derivatives: first order or HJ-WENO5, as the engine's ``_kernels.stage``.
"""
from __future__ import annotations

import math

from numba import njit, prange

from ._kernels import _one_sided, _one_sided_flat

__all__: list[str] = []


@njit(cache=True, inline="always")
def crystal_rate_at(px, py, pz, prm):
    """R of the lab direction p (any length); prm[0:9] the frame rows (crystal
    components of lab x, y, z), prm[9:13] = R100, R110, R111, R311."""
    a = abs(px * prm[0] + py * prm[3] + pz * prm[6])
    b = abs(px * prm[1] + py * prm[4] + pz * prm[7])
    c = abs(px * prm[2] + py * prm[5] + pz * prm[8])
    if a < b:
        a, b = b, a
    if b < c:
        b, c = c, b
    if a < b:
        a, b = b, a
    if a <= 0.0:
        return 0.0
    if -a + b + 2.0 * c < 0.0:
        r = prm[9] * (a - b - 2.0 * c) + prm[10] * (b - c) + 3.0 * prm[12] * c
    else:
        r = prm[11] * (0.5 * (b - a) + c) + prm[10] * (b - c) + 1.5 * prm[12] * (a - b)
    return r / a


@njit(cache=True, parallel=True)
def stage(src, base, out, band, speed, cweight, dt, wa, wb, h, order, alpha, prm, ndim,
          px, py):
    """out[n] = wa·base[n] + wb·(src[n] − dt·Ĥ(src)[n]) on band nodes (module docstring)."""
    nx, ny, nz = src.shape
    nb = band.shape[0]
    flat = src.reshape(-1)
    g = 3 if order > 1 else 1
    for b in prange(nb):
        n = band[b]
        i = n // (ny * nz)
        r = n - i * ny * nz
        j = r // nz
        k = r - j * nz
        inner = (g <= i < nx - g and g <= k < nz - g and (ndim == 2 or g <= j < ny - g))
        p0 = 0.0
        p1 = 0.0
        p2 = 0.0
        diss = 0.0
        for ax in range(3):
            if ax == 1 and ndim == 2:
                continue
            if inner:
                dm, dp = _one_sided_flat(flat, n, nz * ny if ax == 0 else (nz if ax == 1 else 1),
                                         h, order)
            else:
                dm, dp = _one_sided(src, i, j, k, ax, h, order, px, py)
            c = 0.5 * (dm + dp)
            if ax == 0:
                p0 = c
            elif ax == 1:
                p1 = c
            else:
                p2 = c
            diss += 0.5 * alpha * (dp - dm)
        norm = math.sqrt(p0 * p0 + p1 * p1 + p2 * p2)
        v = speed[b]
        cw = cweight[b]
        if cw != 0.0:
            v += cw * crystal_rate_at(p0, p1, p2, prm)
        ham = v * norm - diss
        out[i, j, k] = wa * base[i, j, k] + wb * (src[i, j, k] - dt * ham)
