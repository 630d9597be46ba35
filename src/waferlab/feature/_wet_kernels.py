"""Numba kernels of the crystal-orientation Hamiltonian (private; model ``wet_anisotropic``).

One Runge–Kutta stage (or forward-Euler step) of ∂φ/∂t + H(∇φ) = 0 on the band with
the local Lax–Friedrichs flux (Osher & Shu, SIAM J. Numer. Anal. 28, 907, 1991;
Osher & Fedkiw 2003, eq. 5.8–5.10)

    Ĥ = w·[ (v + c·R(p̄)) |p̄| − Σ_i α_i (D⁺_iφ − D⁻_iφ)/2 ],    p̄ = (D⁺φ + D⁻φ)/2,

R the crystal rate of the direction p̄ (``wet_etch.crystal_rate``, evaluated from the
current gradient), v the isotropic speed, c ∈ {0, −1} the crystal weight of the node and
w the band taper (Peng et al., J. Comput. Phys. 155, 410, 1999; the dissipation is
tapered with the speed, so the frozen band edge does not diffuse into the band).
α_i = |v| + |c|·max |∂H/∂p_i| over the corners of the box [D⁻φ, D⁺φ] (local
Lax–Friedrichs, ``_hgrad``), at most the global bound ``alpha[i]``; ``local = False``
takes α = ``alpha`` (the global Lax–Friedrichs flux).  A plane moves exactly
(D⁺ = D⁻); a non-etching node (v = c = 0) does not move at all.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ._kernels import _derivatives
from ._query_kernels import material_at

__all__: list[str] = []


@njit(cache=True, inline="always")
def _crystal(px, py, pz, prm):
    """(a, b, c, ia, ib, ic): sorted |crystal components| of the lab vector p and their
    indices; prm[0:9] the frame rows (crystal components of lab x, y, z)."""
    q0 = px * prm[0] + py * prm[3] + pz * prm[6]
    q1 = px * prm[1] + py * prm[4] + pz * prm[7]
    q2 = px * prm[2] + py * prm[5] + pz * prm[8]
    a, b, c = abs(q0), abs(q1), abs(q2)
    ia, ib, ic = 0, 1, 2
    if a < b:
        a, b = b, a
        ia, ib = ib, ia
    if b < c:
        b, c = c, b
        ib, ic = ic, ib
    if a < b:
        a, b = b, a
        ia, ib = ib, ia
    return a, b, c, ia, ib, ic, q0, q1, q2


@njit(cache=True, inline="always")
def _weights(a, b, c, prm):
    """(L_a, L_b, L_c): R = (L_a a + L_b b + L_c c)/a on the triangle that holds (a, b, c)
    (prm[9:13] = R100, R110, R111, R311; module docstring of ``wet_etch``)."""
    if -a + b + 2.0 * c < 0.0:
        return prm[9], prm[10] - prm[9], 3.0 * prm[12] - 2.0 * prm[9] - prm[10]
    return (1.5 * prm[12] - 0.5 * prm[11], 0.5 * prm[11] + prm[10] - 1.5 * prm[12],
            prm[11] - prm[10])


@njit(cache=True, inline="always")
def crystal_rate_at(px, py, pz, prm):
    """R of the lab direction p (any length)."""
    a, b, c, _ia, _ib, _ic, _q0, _q1, _q2 = _crystal(px, py, pz, prm)
    if a <= 0.0:
        return 0.0
    la, lb, lc = _weights(a, b, c, prm)
    return (la * a + lb * b + lc * c) / a


@njit(cache=True, inline="always")
def _hgrad(px, py, pz, prm):
    """|∂H/∂p_i| (lab axes) of H(p) = R(p/|p|)|p|:
    ∇H = R p/|p| + (|p|/a)(L_a ∇a + L_b ∇b + L_c ∇c) − (|p| L/a²) ∇a,
    ∇s = sign(q_s)·(column s of the frame) for the sorted components s = a, b, c."""
    a, b, c, ia, ib, ic, q0, q1, q2 = _crystal(px, py, pz, prm)
    pn = math.sqrt(px * px + py * py + pz * pz)
    if a <= 0.0:
        return 0.0, 0.0, 0.0
    la, lb, lc = _weights(a, b, c, prm)
    L = la * a + lb * b + lc * c
    r = L / (a * pn)                   # R / |p|
    g0 = r * px
    g1 = r * py
    g2 = r * pz
    for s in range(3):
        if s == 0:
            col, coef = ia, pn * (la / a - L / (a * a))
        elif s == 1:
            col, coef = ib, pn * lb / a
        else:
            col, coef = ic, pn * lc / a
        q = q0 if col == 0 else (q1 if col == 1 else q2)
        if q < 0.0:
            coef = -coef
        g0 += coef * prm[col]
        g1 += coef * prm[3 + col]
        g2 += coef * prm[6 + col]
    return abs(g0), abs(g1), abs(g2)


@njit(cache=True, parallel=True)
def stage(src, base, out, band, speed, cweight, cut, dt, wa, wb, h, order, alpha, prm,
          ndim, px, py, local):
    """out[b] = wa·base[b] + wb·(src[n] − dt·w·Ĥ(src)[n]), n = band[b] (module docstring;
    base and out hold the band only, as ``_kernels.stage_band``)."""
    flat = src.reshape(-1)
    for b in prange(band.shape[0]):
        n = band[b]
        w = cut[b]
        v = speed[b]
        cw = cweight[b]
        out[b] = wa * base[b] + wb * flat[n]
        if w == 0.0 or (local and v == 0.0 and cw == 0.0):
            continue
        dm0, dp0, dm1, dp1, dm2, dp2 = _derivatives(src, flat, n, h, order, ndim, px, py)
        ham, _vn = _lf(dm0, dp0, dm1, dp1, dm2, dp2, v, cw, abs(v), alpha, prm, ndim, local)
        out[b] -= wb * dt * w * ham


@njit(cache=True)
def hgrad_max(dirs, prm):
    """max over the rows of ``dirs`` (m, 3) of |∂H/∂p_i| per lab axis (3,)."""
    out = np.zeros(3)
    for m in range(dirs.shape[0]):
        g0, g1, g2 = _hgrad(dirs[m, 0], dirs[m, 1], dirs[m, 2], prm)
        out[0] = max(out[0], g0)
        out[1] = max(out[1], g1)
        out[2] = max(out[2], g2)
    return out


@njit(cache=True, inline="always")
def _lf(dm0, dp0, dm1, dp1, dm2, dp2, v, cw, s, alpha, prm, ndim, local):
    """(Ĥ of the module docstring, untapered, from the one-sided differences; the normal
    speed V_n = v + c·R(p̄)); v the node's isotropic speed, cw its crystal weight,
    s = |v|."""
    p0 = 0.5 * (dm0 + dp0)
    p1 = 0.5 * (dm1 + dp1)
    p2 = 0.5 * (dm2 + dp2)
    if cw != 0.0:
        v += cw * crystal_rate_at(p0, p1, p2, prm)
    a0, a1, a2 = alpha[0], alpha[1], alpha[2]
    if local:
        a0 = 0.0
        a1 = 0.0
        a2 = 0.0
        if cw != 0.0 and (dm0 != dp0 or dm1 != dp1 or dm2 != dp2):
            for corner in range(8 if ndim == 3 else 4):
                g0, g1, g2 = _hgrad(dp0 if corner & 1 else dm0,
                                    (dp1 if corner & 4 else dm1) if ndim == 3 else 0.0,
                                    dp2 if corner & 2 else dm2, prm)
                a0 = max(a0, g0)
                a1 = max(a1, g1)
                a2 = max(a2, g2)
            a0 = min(a0 * abs(cw), alpha[0])
            a1 = min(a1 * abs(cw), alpha[1])
            a2 = min(a2 * abs(cw), alpha[2])
        a0 += s
        a1 += s
        a2 += s
    diss = 0.5 * (a0 * (dp0 - dm0) + a1 * (dp1 - dm1) + a2 * (dp2 - dm2))
    return v * math.sqrt(p0 * p0 + p1 * p1 + p2 * p2) - diss, v


def _euler_steps(top, low, lowf, band, cut, tols, lay_v, lay_c, held, origin, h, prm, alpha,
                 ndim, px, py, local, dt, t, t_end, tiny, max_steps, move_cap, new, spd):
    """Forward-Euler steps of the first-order scheme on a fixed band, fused (materials,
    Ĥ, the etch stop and the clipping of the lower layers in two passes per step; no
    Python between steps).  Stops at t_end, after ``max_steps`` steps or once the surface
    may have moved ``move_cap`` (Σ max|V_n|·dt): the engine's rebuild points.

    top (nx, ny, nz) the top φ, low (L−1, nx, ny, nz) the lower layers and lowf the same
    memory as (L−1, nx·ny·nz) (both updated in place), new and spd (nb,) scratch,
    tols the material tolerances, lay_v / lay_c the isotropic speed and crystal
    weight per layer, held the number of held bottom layers (φ_top = min(φ_top,
    φ_{held−1})).  Returns (steps, t, moved, finite)."""
    flat = top.reshape(-1)
    L = low.shape[0]
    nb = band.shape[0]
    steps = 0
    moved = 0.0
    bad = np.zeros(1, np.int64)
    while t_end - t > tiny and steps < max_steps and moved < move_cap:
        step = min(dt, t_end - t)
        for b in prange(nb):
            n = band[b]
            w = cut[b]
            new[b] = flat[n]
            spd[b] = 0.0
            if w == 0.0:
                continue
            lay = material_at(top, flat, n, h, origin, low, tols, ndim, px, py)
            if lay < 0:
                lay = L
            v = lay_v[lay]
            cw = lay_c[lay]
            if local and v == 0.0 and cw == 0.0:
                continue
            dm0, dp0, dm1, dp1, dm2, dp2 = _derivatives(top, flat, n, h, 1, ndim, px, py)
            ham, vn = _lf(dm0, dp0, dm1, dp1, dm2, dp2, v, cw, abs(v), alpha, prm, ndim,
                          local)
            new[b] = flat[n] - step * w * ham
            spd[b] = w * abs(vn)
        for b in prange(nb):
            n = band[b]
            val = new[b]
            if not np.isfinite(val):
                bad[0] = 1
            if held > 0 and lowf[held - 1, n] < val:
                val = lowf[held - 1, n]
            flat[n] = val
            for l in range(L):
                if lowf[l, n] < val:
                    lowf[l, n] = val
        vmax = 0.0
        for b in range(nb):
            vmax = max(vmax, spd[b])
        t += step
        steps += 1
        moved += vmax * step
        if bad[0]:
            break
    return steps, t, moved, bad[0] == 0


euler_steps = njit(cache=True)(_euler_steps)
euler_steps_parallel = njit(cache=True, parallel=True)(_euler_steps)
