"""Numba kernels of the dense time step, part 3 (private): passes of ``advect.advance``
fused or made parallel (issue #18, session 14).  Each kernel computes exactly the
numbers of the kernel or NumPy expression it replaces (named in its docstring), so
the outputs are bit-identical:

- ``stage_band_first``: the first Runge–Kutta stage with the gather of φⁿ on the band
  folded in (one pass less per time step);
- ``scatter_finite``: the last stage's write-back with the finite check of
  ``_kernels.all_finite`` folded in;
- ``clip_below_flat``: ``_kernels.clip_below`` through flat indices (no per-node
  unravelling);
- ``take_rates``, ``fill_negative``: ``s[materials]`` of a beam model and
  ``a[a < 0] = v`` (NumPy, serial) in parallel;
- ``speed_bounds_beam_par``: ``_query_kernels.speed_bounds_beam`` over chunks of the
  band in parallel (the maximum does not depend on the order).

Array conventions as in ``_kernels``.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._kernels import LF, _hamiltonian
from ._query_kernels import beam_bounds_range, material_at_bounded

__all__: list[str] = []

BOUND_CHUNKS = 64       # chunks of the band in the parallel speed bound
CARRY_CHUNKS = 64       # chunks of the new band in ``materials_carry``


@njit(cache=True, parallel=True)
def stage_band_first(src, base, out, band, speed, dt, wa, wb, h, order, mode, alpha, ndim,
                     px, py):
    """``_kernels.stage_band`` that also writes base[b] = src.flat[band[b]] (the gather of
    φⁿ) and reads φⁿ from src itself: the same arithmetic wa·φⁿ + wb·(φⁿ − dt·Ĥ), so the
    same numbers, when src still holds φⁿ (the first stage)."""
    nb = band.shape[0]
    flat = src.reshape(-1)
    for b in prange(nb):
        n = band[b]
        x = flat[n]
        base[b] = x
        ham = _hamiltonian(src, flat, n, h, order, mode, speed[b], alpha, ndim, px, py)
        out[b] = wa * x + wb * (x - dt * ham)


@njit(cache=True, parallel=True)
def scatter_finite(a, band, vals):
    """a.flat[band] = vals; returns the number of non-finite values written (0: the
    ``all_finite`` check of those nodes passes)."""
    flat = a.reshape(-1)
    bad = 0
    for b in prange(band.shape[0]):
        v = vals[b]
        flat[band[b]] = v
        if not np.isfinite(v):
            bad += 1
    return bad


@njit(cache=True, parallel=True)
def clip_below_flat(lower, top, band):
    """φ_l = max(φ_l, φ_top) on band nodes for every lower layer (``clip_below``):
    ``lower`` (L, N) and ``top`` (N,) flat views of the same grid."""
    L = lower.shape[0]
    for b in prange(band.shape[0]):
        n = band[b]
        t = top[n]
        for l in range(L):
            if lower[l, n] < t:
                lower[l, n] = t


@njit(cache=True, parallel=True)
def take_rates(s, materials):
    """s[materials] (a rate per node; a negative index counts from the end, as NumPy's;
    indices must lie in [−len(s), len(s)))."""
    out = np.empty(materials.shape[0])
    ns = s.shape[0]
    for b in prange(materials.shape[0]):
        m = materials[b]
        out[b] = s[m + ns if m < 0 else m]
    return out


@njit(cache=True, parallel=True)
def speed_bounds_beam_par(V, cutoff, a, band, h, alpha, ndim, px, py):
    """``_query_kernels.speed_bounds_beam`` (taper V in place unless ``cutoff`` is empty;
    (max |V_n|, max Σ|∂H/∂p_i|)) with the band split into ``BOUND_CHUNKS`` chunks run in
    parallel, each skipping the normals that cannot raise its own maximum; a max does
    not depend on the order, so the same two numbers."""
    flat = a.reshape(-1)
    nb = V.shape[0]
    nch = BOUND_CHUNKS
    vm = np.zeros(nch)
    sm = np.zeros(nch)
    for q in prange(nch):
        vm[q], sm[q] = beam_bounds_range(V, cutoff, a, flat, band, q * nb // nch, (q + 1) * nb // nch,
                                         0.5 / h, alpha, ndim, px, py)
    return vm.max(), sm.max()


@njit(cache=True, parallel=True)
def fill_negative(a, v):
    """a[a < 0] = v, in place."""
    for b in prange(a.shape[0]):
        if a[b] < 0:
            a[b] = v


# ---- session 14b (#18, lane maskhold): zero-speed nodes held, materials re-queried
# only where their inputs changed


@njit(cache=True, parallel=True)
def stage_band_hold(src, base, out, band, speed, dt, wa, wb, h, order, mode, alpha, ndim,
                    px, py):
    """``_kernels.stage_band`` with the zero-speed nodes held: out[b] = base[b] where
    speed[b] = 0 (Ĥ = 0 there exactly for EO and BEAM, so the stage's update is
    wa·φⁿ + wb·φ⁽ᵏ⁾ = φⁿ up to the rounding of the combination, which the hold drops:
    such nodes keep φⁿ bit for bit).  LF (dissipation at V = 0) is never held."""
    nb = band.shape[0]
    flat = src.reshape(-1)
    for b in prange(nb):
        v = speed[b]
        if v == 0.0 and mode != LF:
            out[b] = base[b]
            continue
        n = band[b]
        ham = _hamiltonian(src, flat, n, h, order, mode, v, alpha, ndim, px, py)
        out[b] = wa * base[b] + wb * (flat[n] - dt * ham)


@njit(cache=True, parallel=True)
def clip_below_mark(lower, top, band, before, colmark, nz):
    """``clip_below_flat`` (φ_l = max(φ_l, φ_top) on band nodes, the same numbers) that
    also marks colmark[n // nz] = 1 for each node whose top value differs from
    ``before`` (φ_top at the start of the step, on the band) or whose lower layer it
    raised: the columns where a material query's inputs changed."""
    L = lower.shape[0]
    for b in prange(band.shape[0]):
        n = band[b]
        t = top[n]
        changed = t != before[b]
        for l in range(L):
            if lower[l, n] < t:
                lower[l, n] = t
                changed = True
        if changed:
            colmark[n // nz] = 1


@njit(cache=True)
def dilate_columns(mark, r, px, py):
    """The (nx, ny) byte mask ``mark`` dilated by r columns along x and y (a square of
    side 2r + 1; wrapped on periodic axes, clipped otherwise); returns a new mask."""
    nx, ny = mark.shape
    tmp = np.zeros_like(mark)
    for i in range(nx):
        for j in range(ny):
            if mark[i, j]:
                for di in range(-r, r + 1):
                    ii = i + di
                    if px:
                        ii %= nx
                    elif ii < 0 or ii >= nx:
                        continue
                    tmp[ii, j] = 1
    out = np.zeros_like(mark)
    for i in range(nx):
        for j in range(ny):
            if tmp[i, j]:
                if ny == 1:
                    out[i, j] = 1
                    continue
                for dj in range(-r, r + 1):
                    jj = j + dj
                    if py:
                        jj %= ny
                    elif jj < 0 or jj >= ny:
                        continue
                    out[i, jj] = 1
    return out


@njit(cache=True)
def column_distance(mark, r, px, py):
    """min(r + 1, the Chebyshev distance in columns from (i, j) to the nearest column
    marked in the (nx, ny) byte mask ``mark``) (wrapped on periodic axes, clipped
    otherwise), as uint8 (r <= 254): ``dilate_columns(mark, q) == (out <= q)`` for every
    q <= r.  Separable: the distance along x, then min over dj of max(|dj|, that)."""
    nx, ny = mark.shape
    far = r + 1
    tmp = np.full((nx, ny), far, dtype=np.uint8)
    for i in range(nx):
        for j in range(ny):
            if mark[i, j]:
                for di in range(-r, r + 1):
                    ii = i + di
                    if px:
                        ii %= nx
                    elif ii < 0 or ii >= nx:
                        continue
                    a = abs(di)
                    if a < tmp[ii, j]:
                        tmp[ii, j] = a
    if ny == 1:
        return tmp
    out = np.full((nx, ny), far, dtype=np.uint8)
    for i in range(nx):
        for j in range(ny):
            t = tmp[i, j]
            if t < far:
                for dj in range(-r, r + 1):
                    jj = j + dj
                    if py:
                        jj %= ny
                    elif jj < 0 or jj >= ny:
                        continue
                    v = max(abs(dj), t)
                    if v < out[i, jj]:
                        out[i, jj] = v
    return out


@njit(cache=True, inline="always")
def _stale(dc, r, x, h, extra):
    """Whether a band node (φ = x) whose column lies dc columns (``column_distance``)
    from the nearest changed column must be re-queried: dc <= ceil(|x|/h) + extra (its
    closest point lies |x| from it, the gradient reads 1 column, the cell 1 more), with
    a margin of one column on the rounding of |x|/h, and never beyond r (the radius
    ``dilate_columns`` used with |x| <= cap); a non-finite x always."""
    if dc > r:
        return False
    if dc <= extra + 1:
        return True
    ax = abs(x)
    return not (ax <= (dc - extra - 2) * h)


@njit(cache=True, parallel=True)
def materials_carry(a, band, h, origin, phi4, tols, bmin, ndim, px, py, old_band, old_mats,
                    dist, r, extra, fill):
    """``band_materials_bounded`` + ``fill_negative`` on a new band, with the value of
    the old band (sorted) kept for a node that was in it and is not stale
    (``_stale``: its column's distance ``dist`` (``column_distance``) to the columns
    changed since, against its own |φ|)."""
    nz = a.shape[2]
    flat = a.reshape(-1)
    cf = dist.reshape(-1)
    nb = band.shape[0]
    no = old_band.shape[0]
    out = np.empty(nb, dtype=np.int32)
    # both bands are sorted: each chunk finds its start in the old band once and walks
    # it alongside (session 15; the same match as a search per node)
    nch = CARRY_CHUNKS
    for c in prange(nch):
        lo = c * nb // nch
        hi = (c + 1) * nb // nch
        if lo >= hi:
            continue
        q = np.searchsorted(old_band, band[lo])
        nxt = -1          # the first node of the next column (one division per column)
        dc = 0
        for b in range(lo, hi):
            n = band[b]
            if n >= nxt:
                col = n // nz
                nxt = (col + 1) * nz
                dc = cf[col]
            while q < no and old_band[q] < n:
                q += 1
            if q < no and old_band[q] == n and not _stale(dc, r, flat[n], h, extra):
                out[b] = old_mats[q]
                continue
            m = material_at_bounded(a, flat, n, h, origin, phi4, tols, bmin, ndim, px, py)
            out[b] = fill if m < 0 else m
    return out


@njit(cache=True, parallel=True)
def materials_update(a, band, h, origin, phi4, tols, bmin, ndim, px, py, mats, dist, r, extra,
                     fill):
    """mats[b] = ``band_materials_bounded``'s value at node band[b] (−1 replaced by
    ``fill``, as ``fill_negative``) for the stale nodes (``_stale``: the column's
    distance ``dist`` to the changed columns against the node's own |φ|); the others
    keep their value (the same numbers where their inputs did not change)."""
    nz = a.shape[2]
    flat = a.reshape(-1)
    cf = dist.reshape(-1)
    nb = band.shape[0]
    nch = CARRY_CHUNKS
    for c in prange(nch):          # by chunks: one division per column, not per node
        nxt = -1
        dc = 0
        for b in range(c * nb // nch, (c + 1) * nb // nch):
            n = band[b]
            if n >= nxt:
                col = n // nz
                nxt = (col + 1) * nz
                dc = cf[col]
            if dc <= r and _stale(dc, r, flat[n], h, extra):
                m = material_at_bounded(a, flat, n, h, origin, phi4, tols, bmin, ndim, px, py)
                mats[b] = fill if m < 0 else m


@njit(cache=True, parallel=True)
def clip_below_raise(lower, top, band, colmark, nz):
    """``clip_below_flat`` (the same numbers) that marks colmark[n // nz] = 1 where it
    raised a lower layer (``clip_below_mark`` without the comparison with φⁿ, which
    ``advect`` makes on the moving nodes alone: ``_band.mark_changed``)."""
    L = lower.shape[0]
    for b in prange(band.shape[0]):
        n = band[b]
        t = top[n]
        for l in range(L):
            if lower[l, n] < t:
                lower[l, n] = t
                colmark[n // nz] = 1
