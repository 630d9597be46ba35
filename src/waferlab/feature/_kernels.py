"""Numba kernels of the level-set engine (private).

All kernels take 3D arrays (nx, ny, nz); a 2D problem passes (nx, 1, nz) with
``ndim = 2`` (the y axis is then skipped).  Lateral indices outside the array map to
mirror ghost nodes (reflective, cell-centred: -1 -> 0, n -> n-1) or wrap (periodic);
vertical indices are clamped (the engine keeps the band away from the window edges).

Schemes (Osher & Fedkiw, *Level Set Methods and Dynamic Implicit Surfaces*, 2003):
Engquist–Osher upwind Hamiltonian for F|∇φ| (ch. 6, eq. 6.3–6.4), Lax–Friedrichs
(ch. 5, eq. 5.8), HJ-WENO5 one-sided derivatives (Jiang & Peng, SIAM J. Sci. Comput.
21, 2126, 2000; book eq. 3.28–3.35).
"""
from __future__ import annotations

from enum import IntEnum

import numpy as np
from numba import njit, prange

__all__: list[str] = []


@njit(cache=True, inline="always")
def _wrap(i, n, periodic):
    if periodic:
        return i % n
    if i < 0:
        i = -1 - i
    if i >= n:
        i = 2 * n - 1 - i
    if i < 0:
        return 0
    return i


@njit(cache=True, inline="always")
def _at(a, i, j, k, axis, off, px, py):
    nx, ny, nz = a.shape
    if axis == 0:
        return a[_wrap(i + off, nx, px), j, k]
    if axis == 1:
        return a[i, _wrap(j + off, ny, py), k]
    kk = k + off
    if kk < 0:
        kk = 0
    elif kk >= nz:
        kk = nz - 1
    return a[i, j, kk]


_SIXTH = 1.0 / 6.0
# relative spread of the differences below which a WENO5 stencil counts as linear: the
# first-order difference it then returns differs from the WENO5 combination by at most
# (2 + 7 + 11)/6 · LINEAR_TOL relative — round-off, not truncation error
LINEAR_TOL = 1e-12
_C13 = 13.0 / 12.0


@njit(cache=True, inline="always")
def _weno(v1, v2, v3, v4, v5):
    """HJ-WENO5 combination of the five differences (Jiang & Peng 2000; Osher & Fedkiw
    2003, eq. 3.28–3.35), with the weights' common denominator cleared:
    α_k ∝ w_k / (ε + S_k)²  →  α_1 = w_1 t_2 t_3 etc. with t_k = (ε + S_k)²."""
    f1 = (2.0 * v1 - 7.0 * v2 + 11.0 * v3) * _SIXTH
    f2 = (-v2 + 5.0 * v3 + 2.0 * v4) * _SIXTH
    f3 = (2.0 * v3 + 5.0 * v4 - v5) * _SIXTH
    s1 = _C13 * (v1 - 2 * v2 + v3) ** 2 + 0.25 * (v1 - 4 * v2 + 3 * v3) ** 2
    s2 = _C13 * (v2 - 2 * v3 + v4) ** 2 + 0.25 * (v2 - v4) ** 2
    s3 = _C13 * (v3 - 2 * v4 + v5) ** 2 + 0.25 * (3 * v3 - 4 * v4 + v5) ** 2
    m = max(v1 * v1, v2 * v2, v3 * v3, v4 * v4, v5 * v5)
    eps = 1e-6 * m + 1e-30
    t1 = (s1 + eps) ** 2
    t2 = (s2 + eps) ** 2
    t3 = (s3 + eps) ** 2
    a1 = 0.1 * t2 * t3
    a2 = 0.6 * t1 * t3
    a3 = 0.3 * t1 * t2
    return (a1 * f1 + a2 * f2 + a3 * f3) / (a1 + a2 + a3)


@njit(cache=True)
def _one_sided(a, i, j, k, axis, h, order, px, py):
    """(D⁻φ, D⁺φ) along ``axis``: first-order differences or WENO5."""
    c = a[i, j, k]
    if order == 1:
        return ((c - _at(a, i, j, k, axis, -1, px, py)) / h,
                (_at(a, i, j, k, axis, 1, px, py) - c) / h)
    m3 = _at(a, i, j, k, axis, -3, px, py)
    m2 = _at(a, i, j, k, axis, -2, px, py)
    m1 = _at(a, i, j, k, axis, -1, px, py)
    p1 = _at(a, i, j, k, axis, 1, px, py)
    p2 = _at(a, i, j, k, axis, 2, px, py)
    p3 = _at(a, i, j, k, axis, 3, px, py)
    return _weno_pair(m3, m2, m1, c, p1, p2, p3, 1.0 / h)


@njit(cache=True, inline="always")
def _weno_pair(m3, m2, m1, c, p1, p2, p3, ih):
    """(D⁻φ, D⁺φ) by WENO5 from the seven values φ_{i−3} … φ_{i+3} (ih = 1/h).

    Seven equal values (a flat surface seen along the surface) give exactly (0, 0) —
    what the WENO combination of six zero differences returns — without computing it."""
    if m3 == c and m2 == c and m1 == c and p1 == c and p2 == c and p3 == c:
        return 0.0, 0.0
    d0 = (m2 - m3) * ih
    d1 = (m1 - m2) * ih
    d2 = (c - m1) * ih
    d3 = (p1 - c) * ih
    d4 = (p2 - p1) * ih
    d5 = (p3 - p2) * ih
    # adaptive order: where the four inner differences agree to LINEAR_TOL the stencil
    # is linear up to round-off and WENO5 returns the first-order difference itself
    lo = min(d1, d2, d3, d4)
    hi = max(d1, d2, d3, d4)
    tol = LINEAR_TOL * max(hi, -lo)
    if hi - lo <= tol:
        dm = d2 if abs(d0 - d2) <= tol else _weno(d0, d1, d2, d3, d4)
        dp = d3 if abs(d5 - d3) <= tol else _weno(d5, d4, d3, d2, d1)
        return dm, dp
    return _weno(d0, d1, d2, d3, d4), _weno(d5, d4, d3, d2, d1)


@njit(cache=True, inline="always")
def _one_sided_flat(flat, n, st, h, order):
    """``_one_sided`` of an interior node (no wrapping or clamping needed): the
    neighbours are flat[n ± q·st]."""
    c = flat[n]
    ih = 1.0 / h
    if order == 1:
        return (c - flat[n - st]) * ih, (flat[n + st] - c) * ih
    return _weno_pair(flat[n - 3 * st], flat[n - 2 * st], flat[n - st], c, flat[n + st],
                      flat[n + 2 * st], flat[n + 3 * st], ih)


class Hamiltonian(IntEnum):
    """Numerical Hamiltonians of ``stage`` (the kernels take ``int(mode)``): Engquist–
    Osher, Lax–Friedrichs, the exact beam form, and CUSTOM — a normal-dependent model
    with its own Lax–Friedrichs stage kernel (``hamiltonian_stage``, run by ``advect``)."""

    EO = 0
    LF = 1
    BEAM = 2
    CUSTOM = 3


# plain ints for the jitted code (numba freezes module globals as compile-time constants)
EO, LF, BEAM = int(Hamiltonian.EO), int(Hamiltonian.LF), int(Hamiltonian.BEAM)


@njit(cache=True, inline="always")
def _axis_pair(src, flat, n, i, j, k, inner, ax, h, order, px, py):
    """(D⁻φ, D⁺φ) along axis ``ax`` at band node n = (i, j, k) (``inner``: the whole
    stencil lies inside the array, read through flat offsets)."""
    nx, ny, nz = src.shape
    if inner:
        st = nz * ny if ax == 0 else (nz if ax == 1 else 1)
        return _one_sided_flat(flat, n, st, h, order)
    return _one_sided(src, i, j, k, ax, h, order, px, py)


@njit(cache=True, inline="always")
def _node_ijk(src, n, order, ndim):
    """(i, j, k, inner) of flat index n: inner when the stencil of ``order`` fits."""
    nx, ny, nz = src.shape
    i = n // (ny * nz)
    r = n - i * ny * nz
    j = r // nz
    k = r - j * nz
    g = 3 if order > 1 else 1            # stencil reach
    inner = (g <= i < nx - g and g <= k < nz - g and (ndim == 2 or g <= j < ny - g))
    return i, j, k, inner


@njit(cache=True, inline="always")
def _derivatives(src, flat, n, h, order, ndim, px, py):
    """(D⁻ₓφ, D⁺ₓφ, D⁻ᵧφ, D⁺ᵧφ, D⁻_zφ, D⁺_zφ) at band node n (flat index): one-sided
    differences of ``order`` (1 or WENO5); the y pair is (0, 0) in 2D."""
    i, j, k, inner = _node_ijk(src, n, order, ndim)
    dm0, dp0 = _axis_pair(src, flat, n, i, j, k, inner, 0, h, order, px, py)
    dm2, dp2 = _axis_pair(src, flat, n, i, j, k, inner, 2, h, order, px, py)
    dm1 = 0.0
    dp1 = 0.0
    if ndim == 3:
        dm1, dp1 = _axis_pair(src, flat, n, i, j, k, inner, 1, h, order, px, py)
    return dm0, dp0, dm1, dp1, dm2, dp2


@njit(cache=True, inline="always")
def _hamiltonian(src, flat, n, h, order, mode, v, alpha, ndim, px, py):
    """Numerical Hamiltonian Ĥ(D⁻φ, D⁺φ) at band node n (flat index) for ``stage``.

    Nothing moves where the speed is 0 (EO and BEAM: Ĥ = 0·(…) exactly, so the
    derivatives are not computed; LF keeps its dissipation and always computes them).
    A beam without isotropic part (f = 0) weighs axis i by c_i only, so the
    derivatives along axes with c_i = 0 (e.g. x and y under a vertical beam) are not
    computed: their terms are exactly 0 for finite φ.
    """
    if v == 0.0 and mode != LF:
        return 0.0
    i, j, k, inner = _node_ijk(src, n, order, ndim)
    return _hamiltonian_at(src, flat, n, i, j, k, inner, h, order, mode, v, alpha, ndim, px, py)


@njit(cache=True, inline="always")
def _hamiltonian_at(src, flat, n, i, j, k, inner, h, order, mode, v, alpha, ndim, px, py):
    """The sum over axes of ``_hamiltonian`` at node (i, j, k) of ``src`` (flat index n;
    ``inner``: its stencil lies inside); ``_tile_kernels.stage_slab`` passes a slab."""
    gp = 0.0
    gm = 0.0
    gc = 0.0
    cp = 0.0
    diss = 0.0
    for ax in range(3):
        if ax == 1 and ndim == 2:
            continue
        if mode == BEAM and alpha[3] == 0.0 and alpha[ax] == 0.0:
            continue
        dm, dp = _axis_pair(src, flat, n, i, j, k, inner, ax, h, order, px, py)
        if mode == EO:
            gp += max(dm, 0.0) ** 2 + min(dp, 0.0) ** 2
            gm += min(dm, 0.0) ** 2 + max(dp, 0.0) ** 2
        else:
            c = 0.5 * (dm + dp)
            gc += c * c
            if mode == LF:
                diss += 0.5 * alpha[ax] * (dp - dm)
            else:
                cp += alpha[ax] * c
                diss += 0.5 * abs(v) * ((1.0 - alpha[3]) * abs(alpha[ax]) + alpha[3]) * (dp - dm)
    if mode == EO:
        return v * np.sqrt(gp) if v > 0 else v * np.sqrt(gm)
    if mode == LF:
        return v * np.sqrt(gc) - diss
    return v * ((1.0 - alpha[3]) * max(0.0, cp) + alpha[3] * np.sqrt(gc)) - diss


@njit(cache=True, parallel=True)
def stage(src, base, out, band, speed, dt, wa, wb, h, order, mode, alpha, ndim, px, py):
    """out[n] = wa·base[n] + wb·(src[n] + dt·L(src)[n]) on band nodes n.

    L(φ) = −Ĥ(D⁻φ, D⁺φ), the numerical Hamiltonian of
      EO    V|∇φ| with V = speed[n]: Engquist–Osher upwinding;
      LF    V|∇φ|: Lax–Friedrichs, Ĥ = V|p̄| − Σ_i α_i (D⁺_iφ − D⁻_iφ)/2, p̄ the
            central gradient, α = ``alpha[0:3]`` per axis;
      BEAM  s[(1 − f)·max(0, c·p) + f|p|] with s = speed[n], beam c = ``alpha[0:3]``
            (−d̂, unit) and f = ``alpha[3]``: a directional beam evaluated exactly
            (not V frozen at the node's normal), local Lax–Friedrichs with
            α_i = |s|((1 − f)|c_i| + f) ≥ |∂H/∂p_i|, so an axis the beam is
            parallel to gets no dissipation and walls along the beam stay in place.
    """
    nb = band.shape[0]
    flat = src.reshape(-1)
    bf = base.reshape(-1)
    of = out.reshape(-1)
    for b in prange(nb):
        n = band[b]
        ham = _hamiltonian(src, flat, n, h, order, mode, speed[b], alpha, ndim, px, py)
        of[n] = wa * bf[n] + wb * (flat[n] - dt * ham)


@njit(cache=True, parallel=True)
def stage_band(src, base, out, band, speed, dt, wa, wb, h, order, mode, alpha, ndim, px, py):
    """``stage`` with the base and the result held on the band only:
    out[b] = wa·base[b] + wb·(src[n] + dt·L(src)[n]), n = band[b] (same arithmetic, so
    the same numbers; no dense scratch array)."""
    nb = band.shape[0]
    flat = src.reshape(-1)
    for b in prange(nb):
        n = band[b]
        ham = _hamiltonian(src, flat, n, h, order, mode, speed[b], alpha, ndim, px, py)
        out[b] = wa * base[b] + wb * (flat[n] - dt * ham)


@njit(cache=True, parallel=True)
def gather(a, band):
    """a.flat[band] (a compact copy of the band values)."""
    flat = a.reshape(-1)
    out = np.empty(band.shape[0])
    for b in prange(band.shape[0]):
        out[b] = flat[band[b]]
    return out


@njit(cache=True, parallel=True)
def scatter(a, band, vals):
    """a.flat[band] = vals."""
    flat = a.reshape(-1)
    for b in prange(band.shape[0]):
        flat[band[b]] = vals[b]


@njit(cache=True, inline="always")
def axis_cell(f, n, periodic):
    """The two nodes i0, i1 around fractional index f on an axis of n nodes and the weight
    t of i1: wrapped when periodic, else f clamped to the axis (``_interp``'s arithmetic)."""
    if periodic:
        i0 = int(np.floor(f))
        t = f - i0
        return i0 % n, (i0 + 1) % n, t
    f = min(max(f, 0.0), n - 1.0)
    i0 = min(int(f), n - 2) if n > 1 else 0
    return i0, min(i0 + 1, n - 1), f - i0


@njit(cache=True, inline="always")
def _interp(a, fx, fy, fz, ndim, px, py):
    """Multilinear interpolation of a at fractional node indices (fx, fy, fz)."""
    nx, ny, nz = a.shape
    x0, x1, tx = axis_cell(fx, nx, px)
    if ndim == 3:
        y0, y1, ty = axis_cell(fy, ny, py)
    else:
        y0 = 0
        y1 = 0
        ty = 0.0
    z0, z1, tz = axis_cell(fz, nz, False)
    c00 = a[x0, y0, z0] * (1 - tx) + a[x1, y0, z0] * tx
    c01 = a[x0, y0, z1] * (1 - tx) + a[x1, y0, z1] * tx
    c10 = a[x0, y1, z0] * (1 - tx) + a[x1, y1, z0] * tx
    c11 = a[x0, y1, z1] * (1 - tx) + a[x1, y1, z1] * tx
    c0 = c00 * (1 - ty) + c10 * ty
    c1 = c01 * (1 - ty) + c11 * ty
    return c0 * (1 - tz) + c1 * tz


@njit(cache=True, parallel=True)
def interp_layers(phi4, fidx, ndim, px, py):
    """(L, m) values of each layer of phi4 (L, nx, ny, nz) at fractional indices (m, 3)."""
    L = phi4.shape[0]
    m = fidx.shape[0]
    out = np.empty((L, m))
    for p in prange(m):
        for l in range(L):
            out[l, p] = _interp(phi4[l], fidx[p, 0], fidx[p, 1], fidx[p, 2], ndim, px, py)
    return out


@njit(cache=True, parallel=True)
def material_index(phi4, fidx, tol, ndim, px, py):
    """Lowest layer l with φ_l <= tol at each point (fractional indices), -1 if none."""
    L = phi4.shape[0]
    m = fidx.shape[0]
    out = np.full(m, -1, dtype=np.int32)
    for p in prange(m):
        for l in range(L):
            if _interp(phi4[l], fidx[p, 0], fidx[p, 1], fidx[p, 2], ndim, px, py) <= tol:
                out[p] = l
                break
    return out


@njit(cache=True, inline="always")
def _unit_gradient(a, flat, n, i, j, k, i2h, ndim, px, py):
    """(g0, g1, g2, |g|) of the central gradient at node (i, j, k), (0, 0, 1, 1) where it
    vanishes: shared by ``band_geometry`` and the material queries."""
    nx, ny, nz = a.shape
    g1 = 0.0
    if 0 < i < nx - 1 and 0 < k < nz - 1 and (ndim == 2 or 0 < j < ny - 1):
        g0 = (flat[n + ny * nz] - flat[n - ny * nz]) * i2h
        if ndim == 3:
            g1 = (flat[n + nz] - flat[n - nz]) * i2h
        g2 = (flat[n + 1] - flat[n - 1]) * i2h
    else:
        g0 = (_at(a, i, j, k, 0, 1, px, py) - _at(a, i, j, k, 0, -1, px, py)) * i2h
        if ndim == 3:
            g1 = (_at(a, i, j, k, 1, 1, px, py) - _at(a, i, j, k, 1, -1, px, py)) * i2h
        g2 = (_at(a, i, j, k, 2, 1, px, py) - _at(a, i, j, k, 2, -1, px, py)) * i2h
    gn = np.sqrt(g0 * g0 + g1 * g1 + g2 * g2)
    if gn < 1e-12:
        return 0.0, 0.0, 1.0, 1.0
    return g0, g1, g2, gn


@njit(cache=True, parallel=True)
def band_geometry(a, band, h, origin, ndim, px, py):
    """Unit normals (central ∇φ/|∇φ|, into vacuum) and closest points x − φ n (m).

    Returns (points (nb, 3), normals (nb, 3)); the y column is 0 in 2D.
    """
    nx, ny, nz = a.shape
    nb = band.shape[0]
    pts = np.zeros((nb, 3))
    nrm = np.zeros((nb, 3))
    flat = a.reshape(-1)
    i2h = 0.5 / h
    for b in prange(nb):
        n = band[b]
        i = n // (ny * nz)
        r = n - i * ny * nz
        j = r // nz
        k = r - j * nz
        g0, g1, g2, gn = _unit_gradient(a, flat, n, i, j, k, i2h, ndim, px, py)
        v = a[i, j, k]
        nrm[b, 0] = g0 / gn
        nrm[b, 1] = g1 / gn
        nrm[b, 2] = g2 / gn
        pts[b, 0] = origin[0] + i * h - v * g0 / gn
        pts[b, 1] = origin[1] + j * h - v * g1 / gn if ndim == 3 else 0.0
        pts[b, 2] = origin[2] + k * h - v * g2 / gn
    return pts, nrm


@njit(cache=True, parallel=True)
def material_index_tols(phi4, fidx, tols, ndim, px, py):
    """``material_index`` with a tolerance per layer (tols[l] for layer l)."""
    L = phi4.shape[0]
    m = fidx.shape[0]
    out = np.full(m, -1, dtype=np.int32)
    for p in prange(m):
        for l in range(L):
            if _interp(phi4[l], fidx[p, 0], fidx[p, 1], fidx[p, 2], ndim, px, py) <= tols[l]:
                out[p] = l
                break
    return out


@njit(cache=True, parallel=True)
def hold_top(top, held, band):
    """φ_top = min(φ_top, φ_held) on band nodes: the solid keeps the held region (a
    Boolean union; flat node indices, both arrays of one shape)."""
    t = top.reshape(-1)
    s = held.reshape(-1)
    for b in prange(band.shape[0]):
        n = band[b]
        if s[n] < t[n]:
            t[n] = s[n]


@njit(cache=True, parallel=True)
def clip_below(phi4, top, band):
    """φ_l = max(φ_l, φ_top) on band nodes for every lower layer (etching exposes)."""
    L = phi4.shape[0]
    nx, ny, nz = top.shape
    for b in prange(band.shape[0]):
        n = band[b]
        i = n // (ny * nz)
        r = n - i * ny * nz
        j = r // nz
        k = r - j * nz
        t = top[i, j, k]
        for l in range(L):
            if phi4[l, i, j, k] < t:
                phi4[l, i, j, k] = t


@njit(cache=True)
def gradient_at(a, i, j, k, h, ndim, px, py):
    """(|∇φ| estimate, next-to-the-zero-set flag) at node (i, j, k).

    |∇φ| from central differences, or from the one-sided maxima where those vanish
    (a kink; Russo & Smereka, J. Comput. Phys. 163, 51, 2000); the flag is set when an
    axis neighbour has the other sign.
    """
    nz = a.shape[2]
    c = a[i, j, k]
    near = False
    g2 = 0.0
    o2 = 0.0
    for ax in range(3):
        if ax == 1 and ndim == 2:
            continue
        if ax == 2 and (k == 0 or k == nz - 1):
            continue
        m = _at(a, i, j, k, ax, -1, px, py)
        p = _at(a, i, j, k, ax, 1, px, py)
        if (m > 0) != (c > 0) or (p > 0) != (c > 0):
            near = True
        d = 0.5 * (p - m) / h
        g2 += d * d
        o = max(abs(p - c), abs(c - m), 1e-12 * h) / h
        o2 += o * o
    g = np.sqrt(g2)
    if g < 0.5 * np.sqrt(o2):
        g = np.sqrt(o2)
    return g, near


@njit(cache=True, parallel=True)
def subcell_fix(old, new, h, keep, ndim, px, py):
    """new = old / |∇old| at nodes next to the zero set (a sign change to a neighbour).

    Nodes with |old| < ``keep`` where old is already a distance to 25 %
    (0.8 < |∇φ| < 1.25) keep their value, so that repeated reinitialisation leaves the
    interface exactly in place and does not spoil the smoothness a high-order scheme
    needs near it.
    """
    nx, ny, nz = old.shape
    for i in prange(nx):
        for j in range(ny):
            for k in range(nz):
                c = old[i, j, k]
                if abs(c) >= keep and abs(c) >= 2 * h:
                    continue
                g, near = gradient_at(old, i, j, k, h, ndim, px, py)
                good = g > 0.8 and g < 1.25
                if good and abs(c) < keep:
                    new[i, j, k] = c
                elif near:
                    new[i, j, k] = c if good else c / g


@njit(cache=True, inline="always")
def _tapered(V, cutoff, b):
    """V[b] *= cutoff[b] (the band-edge taper), returned: the speed-bound passes' first step."""
    v = V[b] * cutoff[b]
    V[b] = v
    return v


@njit(cache=True)
def speed_bounds(V, cutoff, nrm, mode, alpha, ndim):
    """Taper V in place (V *= cutoff) and return (max |V_n|, S = max Σ_i|∂H/∂p_i|) in
    one pass (what ``advect._speeds`` needs for the time step); max |V_n| is inf if a
    speed is not finite.

    EO: V_n = V, S = max |V|·‖n‖₁.  BEAM (H = s[(1 − f)·max(0, c·p) + f|p|]):
    V_n = s[(1 − f) max(0, c·n) + f], S = max|s|·((1 − f)‖c‖₁ + f·d).  LF: V_n = V; its
    S (d·α) is set by the caller.  Serial: one cheap pass over the band, and a parallel
    loop would cost seconds of compilation in every fresh environment."""
    f = alpha[3]
    c1 = abs(alpha[0]) + abs(alpha[1]) + abs(alpha[2])
    vmax = 0.0
    smax = 0.0
    for b in range(V.shape[0]):
        v = _tapered(V, cutoff, b)
        if not np.isfinite(v):
            vmax = np.inf
            continue
        if mode == BEAM:
            cn = nrm[b, 0] * alpha[0] + nrm[b, 1] * alpha[1] + nrm[b, 2] * alpha[2]
            vn = abs(v * ((1.0 - f) * max(0.0, cn) + f))
            sn = abs(v) * ((1.0 - f) * c1 + f * ndim)
        else:
            vn = abs(v)
            sn = abs(v) * (abs(nrm[b, 0]) + abs(nrm[b, 1]) + abs(nrm[b, 2]))
        vmax = max(vmax, vn)
        smax = max(smax, sn)
    return vmax, smax


@njit(cache=True, parallel=True)
def band_cutoff(a, band, beta, gamma, den):
    """Taper 1 for |φ| <= β, (|φ| − γ)²(2|φ| + γ − 3β)/den (den = (γ − β)³) between, 0
    from γ on, at the band nodes of ``a`` (Peng et al., J. Comput. Phys. 155, 410, 1999):
    one array, no temporaries; the arithmetic of the NumPy expression it replaced."""
    flat = a.reshape(-1)
    out = np.empty(band.shape[0])
    b3 = 3 * beta
    for b in prange(band.shape[0]):
        out[b] = taper_of(abs(flat[band[b]]), beta, gamma, b3, den)
    return out


@njit(cache=True, inline="always")
def taper_of(x, beta, gamma, b3, den):
    """``band_cutoff``'s taper at |φ| = x (b3 = 3β, den = (γ − β)³), tiled step too."""
    if x <= beta:
        return 1.0
    d = x - gamma
    return 0.0 if x >= gamma else d * d * (2 * x + gamma - b3) / den


@njit(cache=True)
def all_finite(a, band):
    """True when φ is finite on every band node."""
    flat = a.reshape(-1)
    for b in range(band.shape[0]):
        if not np.isfinite(flat[band[b]]):
            return False
    return True


@njit(cache=True)
def contain(phi):
    """φ_k = max(φ_k, φ_{k+1}, ...) for every layer k (phi: (L, N) flat), in place: each
    material's set contains those below it."""
    L, N = phi.shape
    for p in range(N):
        m = phi[L - 1, p]
        for l in range(L - 2, -1, -1):
            if phi[l, p] < m:
                phi[l, p] = m
            else:
                m = phi[l, p]


# the material and speed queries at band points live in _query_kernels (module size);
# re-exported so callers keep using ``_kernels.name``
from ._query_kernels import (band_materials, band_materials_bounded, block_min,  # noqa: E402, F401
                             cell_materials, material_index_pts, speed_bounds_beam,
                             taper_at)
