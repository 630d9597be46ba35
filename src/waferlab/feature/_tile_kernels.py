"""Numba kernels of the tiled engine (private): the band kernels of ``_kernels``,
``_query_kernels`` and ``_band`` run on a dense copy of a few x-planes of the top set
(``tiles.TiledVolume.read_planes``, ghost planes included) instead of the whole window.

A slab holds the array planes x0 … x0 + n − 1 (x0 may be negative or run past nx: those
planes hold the wrapped or mirrored planes the kernels' ``_wrap`` reads), band nodes
keep their global flat indices, and every stencil decision that depends on the
position (interior node read through flat offsets or a boundary node read through
``_wrap``; the node's coordinates) is taken from the *global* index, so each node gets
the numbers of the dense kernels bit for bit.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._kernels import LF, _wrap, _hamiltonian_at, _unit_gradient, axis_cell, taper_of
from ._query_kernels import _SKIP_MARGIN, BLOCK_SHIFT, _low_corner, beam_bound_factors, closest_at
from .layer_tiles import interp_low
from .tiles import unravel_r

__all__: list[str] = []

_S = 3
_M = 7


@njit(cache=True, parallel=True)
def stage_slab(loc, x0, nx, base, out, band, speed, dt, wa, wb, h, order, mode, alpha,
               ndim, py):
    """``_kernels.stage_band`` for the band nodes ``band`` (global flat indices, all in
    the slab's planes at least the stencil reach from its ends), reading the slab ``loc``
    (``_hamiltonian``'s arithmetic, interior test on the global index)."""
    _, ny, nz = loc.shape
    plane = ny * nz
    flat = loc.reshape(-1)
    g = 3 if order > 1 else 1
    for b in prange(band.shape[0]):
        n = band[b]
        nl = n - x0 * plane
        v = speed[b]
        if v == 0.0 and mode != LF:    # held bit for bit, as the dense step (stage_band_hold)
            out[b] = base[b]
            continue
        ham = 0.0
        if not (v == 0.0 and mode != LF):
            i = n // plane
            r = n - i * plane
            j = r // nz
            k = r - j * nz
            inner = (g <= i < nx - g and g <= k < nz - g and (ndim == 2 or g <= j < ny - g))
            il = i - x0
            ham = _hamiltonian_at(loc, flat, nl, il, j, k, inner, h, order, mode, v, alpha,
                                 ndim, False, py)
        out[b] = wa * base[b] + wb * (flat[nl] - dt * ham)


@njit(cache=True, inline="always")
def layer_bounded_low(fx, fy, fz, nx, ny, nz, ltm, lcols, lpool, tols, bmin, px, py):
    """``_query_kernels.layer_bounded`` (3D) with the lower layers tiled
    (``layer_tiles``): the same skip test and interpolation, node values read through
    the tile map."""
    s = BLOCK_SHIFT
    ok = np.isfinite(fx) and np.isfinite(fy) and np.isfinite(fz)
    I = J = Kb = 0
    if ok:
        I = _low_corner(fx, nx, px) >> s
        J = _low_corner(fy, ny, py) >> s
        fzc = min(max(fz, 0.0), nz - 1.0)
        Kb = min(int(fzc), nz - 2) >> s
        ok = (0 <= I < bmin.shape[1] and 0 <= J < bmin.shape[2] and 0 <= Kb < bmin.shape[3])
    for l in range(ltm.shape[0]):
        if ok:
            m = bmin[l, I, J, Kb]
            if m > 0.0 and m * (1.0 - _SKIP_MARGIN) > tols[l]:
                continue
        if interp_low(ltm, lcols, lpool, l, nx, ny, nz, fx, fy, fz, px, py) <= tols[l]:
            return l
    return -1


@njit(cache=True, inline="always")
def _material_node(loc, flat, x0, n, h, origin, nx, ltm, lcols, lpool, tols, bmin, ndim,
                   px, py, fill):
    """The material of band node n (global flat index) read from the slab: −1 → fill."""
    _, ny, nz = loc.shape
    plane = ny * nz
    i = n // plane
    r = n - i * plane
    j = r // nz
    k = r - j * nz
    fx, fy, fz = closest_at(loc, flat, n - x0 * plane, i - x0, i, j, k, h, origin, ndim,
                            False, py)
    m = layer_bounded_low(fx, fy, fz, nx, ny, nz, ltm, lcols, lpool, tols, bmin, px, py)
    return fill if m < 0 else m


@njit(cache=True, parallel=True)
def materials_slab(loc, x0, band, h, origin, nx, ltm, lcols, lpool, tols, bmin, ndim, px,
                   py, fill, out):
    """``_query_kernels.band_materials_bounded`` + ``_step_kernels.fill_negative`` for
    band nodes in the slab (the top set's central gradient from ``loc``, the lower
    layers tiled: ``layer_tiles``)."""
    flat = loc.reshape(-1)
    for b in prange(band.shape[0]):
        out[b] = _material_node(loc, flat, x0, band[b], h, origin, nx, ltm, lcols, lpool,
                                tols, bmin, ndim, px, py, fill)


@njit(cache=True, parallel=True)
def materials_slab_update(loc, x0, band, h, origin, nx, ltm, lcols, lpool, tols, bmin,
                          ndim, px, py, fill, cols, mats):
    """``_step_kernels.materials_update`` on the slab: mats[b] re-queried where the
    node's column (n // nz) is marked in ``cols`` (flat (nx·ny,)), kept elsewhere."""
    flat = loc.reshape(-1)
    nz = loc.shape[2]
    for b in prange(band.shape[0]):
        n = band[b]
        if cols[n // nz]:
            mats[b] = _material_node(loc, flat, x0, n, h, origin, nx, ltm, lcols, lpool,
                                     tols, bmin, ndim, px, py, fill)


@njit(cache=True, parallel=True)
def materials_slab_carry(loc, x0, band, h, origin, nx, ltm, lcols, lpool, tols, bmin,
                         ndim, px, py, fill, cols, old_band, old_mats, out):
    """``_step_kernels.materials_carry`` on the slab: a node of the old band (sorted)
    whose column is not marked in ``cols`` keeps its old value, the others are
    queried."""
    flat = loc.reshape(-1)
    nz = loc.shape[2]
    no = old_band.shape[0]
    for b in prange(band.shape[0]):
        n = band[b]
        if not cols[n // nz]:
            q = np.searchsorted(old_band, n)
            if q < no and old_band[q] == n:
                out[b] = old_mats[q]
                continue
        out[b] = _material_node(loc, flat, x0, n, h, origin, nx, ltm, lcols, lpool, tols,
                                bmin, ndim, px, py, fill)


@njit(cache=True, parallel=True)
def speed_bounds_slab_par(V, loc, x0, band, h, alpha, ndim, py, parts):
    """``speed_bounds_slab`` over ``parts`` pieces of the slab's band nodes in parallel,
    each with its own running maximum (a max does not depend on the order or on the
    normals skipped: the same two numbers, as ``_step_kernels.speed_bounds_beam_par``)."""
    nb = V.shape[0]
    vm = np.zeros(parts)
    sm = np.zeros(parts)
    for q in prange(parts):
        lo = q * nb // parts
        hi = (q + 1) * nb // parts
        vm[q], sm[q] = speed_bounds_slab(V[lo:hi], loc, x0, band[lo:hi], h, alpha, ndim, py,
                                         0.0, 0.0)
    return vm.max(), sm.max()


@njit(cache=True)
def speed_bounds_slab(V, loc, x0, band, h, alpha, ndim, py, vmax, smax):
    """``_query_kernels.speed_bounds_beam`` (V tapered already) over the band nodes of
    one slab, continuing the running (vmax, smax) of the slabs before: the same serial
    pass, so the same numbers."""
    _, ny, nz = loc.shape
    plane = ny * nz
    flat = loc.reshape(-1)
    i2h = 0.5 / h
    f, c1, cb = beam_bound_factors(alpha)
    for b in range(V.shape[0]):
        v = V[b]
        if not np.isfinite(v):
            vmax = np.inf
            continue
        sn = abs(v) * ((1.0 - f) * c1 + f * ndim)
        smax = max(smax, sn)
        if abs(v) * cb <= vmax:
            continue
        n = band[b]
        i = n // plane
        r = n - i * plane
        j = r // nz
        k = r - j * nz
        g0, g1, g2, gn = _unit_gradient(loc, flat, n - x0 * plane, i - x0, j, k, i2h, ndim,
                                        False, py)
        cn = g0 / gn * alpha[0] + g1 / gn * alpha[1] + g2 / gn * alpha[2]
        vn = abs(v * ((1.0 - f) * max(0.0, cn) + f))
        vmax = max(vmax, vn)
    return vmax, smax


@njit(cache=True, inline="always")
def _relax_tiles(tmap, const, pool, flatpool, n, nx, ny, nz, rny, rnz, h, cap, periodic,
                 half, toff, wts):
    """``_band._relax_at`` of node n read and written in the tiles (n's tile is stored):
    the same neighbours in the same order, so the same number.  A node inside its tile
    and away from the window's faces reads its 13 neighbours through offsets within the
    tile's slot (``toff``: ``_band.half_mask`` of an 8 x 8 x 8 block); any other through
    the tile map, wrapped or mirrored as ``_band._relax``."""
    i, j, k = unravel_r(n, ny, nz, rny, rnz)
    li, lj, lk = i & _M, j & _M, k & _M
    p = tmap[i >> _S, j >> _S, k >> _S] * (_M + 1) ** 3 + (li << (2 * _S)) + (lj << _S) + lk
    c = flatpool[p]
    pos = c > 0
    best = abs(c)
    if (0 < li < _M and 0 < lj < _M and 0 < lk < _M and 0 < i < nx - 1 and 0 < j < ny - 1
            and 0 < k < nz - 1):
        for q in range(toff.shape[0]):
            v = flatpool[p + toff[q]]
            if (v > 0) == pos:
                d = abs(v) + wts[q]
                if d < best:
                    best = d
    else:
        w2 = h * np.sqrt(2.0)
        w3 = h * np.sqrt(3.0)
        for di in range(-1, 2):
            ii = _wrap(i + di, nx, periodic)
            for dj in range(-1, 2):
                jj = _wrap(j + dj, ny, periodic)
                for dk in range(-1, 2):
                    m = abs(di) + abs(dj) + abs(dk)
                    if m == 0:
                        continue
                    if (di if di != 0 else (dj if dj != 0 else dk)) != half:
                        continue
                    kk = k + dk
                    if kk < 0 or kk >= nz:
                        continue
                    s = tmap[ii >> _S, jj >> _S, kk >> _S]
                    v = (const[ii >> _S, jj >> _S, kk >> _S] if s < 0
                         else pool[s, ii & _M, jj & _M, kk & _M])
                    if (v > 0) != pos:
                        continue
                    d = abs(v) + (h if m == 1 else (w2 if m == 2 else w3))
                    if d < best:
                        best = d
    best = min(best, cap)
    flatpool[p] = best if pos else -best


@njit(cache=True, parallel=True)
def chamfer_tiles(tmap, const, pool, nx, ny, nz, targets, bounds, h, cap, periodic,
                  iterations, back, fwd):
    """``_band.chamfer`` (3D) on the tiles in place: the fixed x-slabs ``bounds`` (target
    ranges), even slabs then odd ones in parallel, forward then backward raster passes,
    ``iterations`` times.  A slab at least 2 planes wide reads only planes of the idle
    slabs beside it, and every target's tile is stored, so each node gets the dense
    kernel's number and no slab copy is made (``back``/``fwd``: the tile offsets and
    weights of ``_band.half_mask(8, 8, h, 3, -1 / +1)``)."""
    flatpool = pool.reshape(-1)
    rny, rnz = 1.0 / ny, 1.0 / nz
    ns = bounds.shape[0] - 1
    bo, bw = back
    fo, fw = fwd
    for _it in range(iterations):
        for parity in range(2):
            for q in prange((ns + 1 - parity) // 2):
                s = 2 * q + parity
                lo = bounds[s]
                hi = bounds[s + 1]
                for t in range(lo, hi):
                    _relax_tiles(tmap, const, pool, flatpool, targets[t], nx, ny, nz, rny,
                                 rnz, h, cap, periodic, -1, bo, bw)
                for t in range(hi - 1, lo - 1, -1):
                    _relax_tiles(tmap, const, pool, flatpool, targets[t], nx, ny, nz, rny,
                                 rnz, h, cap, periodic, 1, fo, fw)


@njit(cache=True, inline="always")
def _get(tmap, const, pool, n, ny, nz):
    i, j, k = unravel_r(n, ny, nz, 1.0 / ny, 1.0 / nz)
    s = tmap[i >> _S, j >> _S, k >> _S]
    return const[i >> _S, j >> _S, k >> _S] if s < 0 else pool[s, i & _M, j & _M, k & _M]


@njit(cache=True, parallel=True)
def threshold(tmap, const, pool, nx, ny, nz, cap, mark):
    """mark = 1 where |φ| < cap (``_band._threshold``), from the tiles."""
    for i in prange(nx):
        ti = i >> _S
        for j in range(ny):
            tj = j >> _S
            for k in range(nz):
                s = tmap[ti, tj, k >> _S]
                v = const[ti, tj, k >> _S] if s < 0 else pool[s, i & _M, j & _M, k & _M]
                mark[i, j, k] = 1 if abs(v) < cap else 0


@njit(cache=True, parallel=True)
def band_mask(tmap, const, pool, ny, nz, cand, width, out, before, colmark):
    """out[c] = 1 for the candidates of ``_band.new_band`` (|φ| < width, away from the
    window's vertical edges), from the tiles; with ``before`` not empty (the candidates'
    values before the rebuild), colmark[n // nz] = 1 where a value changed
    (``_band.mark_changed``)."""
    mark = before.shape[0] > 0
    for c in prange(cand.shape[0]):
        n = cand[c]
        v = _get(tmap, const, pool, n, ny, nz)
        k = n % nz
        out[c] = 1 if (abs(v) < width and k >= 3 and k < nz - 3) else 0
        if mark and v != before[c]:
            colmark[n // nz] = 1


@njit(cache=True, parallel=True)
def band_cutoff(tmap, const, pool, ny, nz, band, beta, gamma, den):
    """``_kernels.band_cutoff`` from the tiles (the same arithmetic)."""
    out = np.empty(band.shape[0])
    b3 = 3 * beta
    for b in prange(band.shape[0]):
        out[b] = taper_of(abs(_get(tmap, const, pool, band[b], ny, nz)), beta, gamma, b3, den)
    return out


@njit(cache=True, parallel=True)
def positions(tmap, ny, nz, band, out):
    """Flat pool position (slot·512 + offset in the tile) of every band node, -1 where
    its tile is uniform: the band's values are read and written through it between two
    rebuilds (no slot moves then) without the index arithmetic per access (into
    ``out``, int32 or int64)."""
    rny, rnz = 1.0 / ny, 1.0 / nz
    for b in prange(band.shape[0]):
        i, j, k = unravel_r(band[b], ny, nz, rny, rnz)
        s = tmap[i >> _S, j >> _S, k >> _S]
        out[b] = -1 if s < 0 else (np.int64(s) << 9) + ((i & _M) << 6) + ((j & _M) << 3) + (k & _M)


@njit(cache=True, parallel=True)
def put_at(pool_flat, pos, vals):
    for b in prange(pos.shape[0]):
        pool_flat[pos[b]] = vals[b]


@njit(cache=True, parallel=True)
def put_at_finite(pool_flat, pos, vals):
    """``put_at`` that returns the number of non-finite values written (the finite check
    of the time step folded into the last stage's write-back, as the dense
    ``_step_kernels.scatter_finite``)."""
    bad = 0
    for b in prange(pos.shape[0]):
        v = vals[b]
        pool_flat[pos[b]] = v
        if not np.isfinite(v):
            bad += 1
    return bad


@njit(cache=True, parallel=True)
def take_into(pool_flat, pos, out):
    for b in prange(pos.shape[0]):
        out[b] = pool_flat[pos[b]]


@njit(cache=True, parallel=True)
def mark_top_changed(pool_flat, pos, band, before, nz, colmark):
    """colmark[n // nz] = 1 where the top set's band value differs from ``before``
    (``_step_kernels.clip_below_mark``'s test of φ_top)."""
    for b in prange(pos.shape[0]):
        if pool_flat[pos[b]] != before[b]:
            colmark[band[b] // nz] = 1


@njit(cache=True)
def mark_tiles(ny, nz, idx, out):
    """out[tile] = 1 for the tile of every flat node of ``idx``."""
    rny, rnz = 1.0 / ny, 1.0 / nz
    for b in range(idx.shape[0]):
        i, j, k = unravel_r(idx[b], ny, nz, rny, rnz)
        out[i >> _S, j >> _S, k >> _S] = 1


@njit(cache=True, parallel=True)
def take_at(pool_flat, pos):
    out = np.empty(pos.shape[0])
    for b in prange(pos.shape[0]):
        out[b] = pool_flat[pos[b]]
    return out


@njit(cache=True)
def finite_at(pool_flat, pos):
    for b in range(pos.shape[0]):
        if not np.isfinite(pool_flat[pos[b]]):
            return False
    return True


@njit(cache=True, parallel=True)
def hold_at(pool_flat, pos, held):
    """``_kernels.hold_top`` with the top's band values at pool positions ``pos`` and the
    held layer's values at the band nodes ``held``."""
    for b in prange(pos.shape[0]):
        p = pos[b]
        if held[b] < pool_flat[p]:
            pool_flat[p] = held[b]


# ---- queries of a tiled stack (the lower layers and the top set tiled) ---------------

@njit(cache=True, inline="always")
def _tv(tmap, const, pool, i, j, k):
    s = tmap[i >> _S, j >> _S, k >> _S]
    if s < 0:
        return const[i >> _S, j >> _S, k >> _S]
    return pool[s, i & _M, j & _M, k & _M]


@njit(cache=True, inline="always")
def _interp_tiled(tmap, const, pool, nx, ny, nz, fx, fy, fz, px, py):
    """``_kernels._interp`` (3D) of the tiled top set: the same indices, weights and
    products in the same order, the node values read through the tile map."""
    x0, x1, tx = axis_cell(fx, nx, px)
    y0, y1, ty = axis_cell(fy, ny, py)
    z0, z1, tz = axis_cell(fz, nz, False)
    c00 = _tv(tmap, const, pool, x0, y0, z0) * (1 - tx) + _tv(tmap, const, pool, x1, y0, z0) * tx
    c01 = _tv(tmap, const, pool, x0, y0, z1) * (1 - tx) + _tv(tmap, const, pool, x1, y0, z1) * tx
    c10 = _tv(tmap, const, pool, x0, y1, z0) * (1 - tx) + _tv(tmap, const, pool, x1, y1, z0) * tx
    c11 = _tv(tmap, const, pool, x0, y1, z1) * (1 - tx) + _tv(tmap, const, pool, x1, y1, z1) * tx
    c0 = c00 * (1 - ty) + c10 * ty
    c1 = c01 * (1 - ty) + c11 * ty
    return c0 * (1 - tz) + c1 * tz


@njit(cache=True, parallel=True)
def interp_stack(ltm, lcols, lpool, tmap, const, pool, nx, ny, nz, fidx, px, py, top_only):
    """``_kernels.interp_layers`` (3D) of a stack whose lower layers (``layer_tiles``)
    and top set (``tiles``) are tiled; ``top_only``: the top row only."""
    L = ltm.shape[0] + 1
    m = fidx.shape[0]
    first = L - 1 if top_only else 0
    out = np.empty((L - first, m))
    for p in prange(m):
        for l in range(first, L - 1):
            out[l - first, p] = interp_low(ltm, lcols, lpool, l, nx, ny, nz, fidx[p, 0],
                                           fidx[p, 1], fidx[p, 2], px, py)
        out[L - 1 - first, p] = _interp_tiled(tmap, const, pool, nx, ny, nz, fidx[p, 0],
                                              fidx[p, 1], fidx[p, 2], px, py)
    return out


@njit(cache=True, parallel=True)
def material_index_stack(ltm, lcols, lpool, tmap, const, pool, nx, ny, nz, fidx, tols, px,
                         py):
    """``_kernels.material_index_tols`` (3D) of a stack with every layer tiled."""
    L = ltm.shape[0] + 1
    m = fidx.shape[0]
    out = np.full(m, -1, dtype=np.int32)
    for p in prange(m):
        for l in range(L):
            if l < L - 1:
                v = interp_low(ltm, lcols, lpool, l, nx, ny, nz, fidx[p, 0], fidx[p, 1],
                               fidx[p, 2], px, py)
            else:
                v = _interp_tiled(tmap, const, pool, nx, ny, nz, fidx[p, 0], fidx[p, 1],
                                  fidx[p, 2], px, py)
            if v <= tols[l]:
                out[p] = l
                break
    return out
