"""The 3D ray cast of the flux engine (private): a cell-list DDA with empty-space skipping.

Rays walk the uniform grid of cells with the 3D-DDA of Amanatides & Woo (Eurographics
1987).  Most of a cast's steps cross empty cells (the open inside of a hole or trench),
so each empty cell also stores ``skip`` = r, the number of cell layers around it that are
empty too: every cell within Chebyshev distance r (the cube of (2r + 1)³ cells centred on
it) holds no element — the "proximity clouds" of Cohen & Sheffer (The Visual Computer
10, 1994).  A ray in such a cell jumps straight to where it leaves that cube (the part of
it ahead of the ray, kept inside the grid's inner cells) instead of stepping through each
empty cell; the DDA then restarts in the cell it enters.  Nothing is skipped that holds
an element, so a cast returns the same hit as the plain DDA (the hit parameter t comes
from the element's plane, not from the walk).

``skip_field`` builds r from the cell lists: the chessboard distance transform of the
non-empty cells, in three separable 1D passes (min over a window of
max(|i − i'|, f(i'))), capped at ``_CAP`` layers.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["skip_field", "cast3d"]

HIT, SIDE_LO, SIDE_HI, TOP, BOTTOM = 0, 1, 2, 3, 4
_BARY_TOL = 1e-9
_SLACK = 1.0 + 1e-9  # a hit this close to a cell exit belongs to the cell (walls on the domain edge)
_CAP = 64            # most empty layers stored per cell (int8)


# --------------------------------------------------------------------------- skip field
@njit(cache=True, error_model="numpy")
def _pass(f, stride, n, count, cap):
    """One 1D pass of the chessboard transform along the axis of ``stride`` and length n:
    g(i) = min over |i − i'| ≤ cap of max(|i − i'|, f(i')) for every line of the flat
    array f (``count`` cells)."""
    g = np.empty_like(f)
    for c in range(count):
        i = (c // stride) % n
        best = f[c]
        for d in range(1, cap + 1):
            if d >= best:
                break
            if i - d >= 0:
                v = max(d, f[c - d * stride])
                if v < best:
                    best = v
            if i + d < n:
                v = max(d, f[c + d * stride])
                if v < best:
                    best = v
        g[c] = best
    return g


@njit(cache=True, error_model="numpy")
def skip_field(cstart, n):
    """Empty layers r per cell (int8): −1 for a cell with elements, else the chessboard
    distance to the nearest cell with elements, minus one, capped at ``_CAP`` − 1."""
    count = n[0] * n[1] * n[2]
    f = np.empty(count, np.int64)
    for c in range(count):
        f[c] = 0 if cstart[c + 1] > cstart[c] else _CAP
    f = _pass(f, 1, n[0], count, _CAP)
    f = _pass(f, n[0], n[1], count, _CAP)
    f = _pass(f, n[0] * n[1], n[2], count, _CAP)
    out = np.empty(count, np.int8)
    for c in range(count):
        out[c] = min(f[c], _CAP) - 1
    return out


# --------------------------------------------------------------------------- DDA
@njit(cache=True, error_model="numpy", inline="always")
def _dda_at(o, d, i, lo, h):
    """DDA step and exit parameter along one axis for the ray o + t d in cell i."""
    if d > 0.0:
        return 1, (lo + (i + 1) * h - o) / d, h / d
    if d < 0.0:
        return -1, (lo + i * h - o) / d, -h / d
    return 0, np.inf, np.inf


@njit(cache=True, error_model="numpy", inline="always")
def _cell(p, lo, h, n):
    return min(max(int((p - lo) / h), 0), n - 1)


@njit(cache=True, error_model="numpy", inline="always")
def _edge(tm, i, s, n, o, d, b_lo, b_hi, clip):
    """The exit parameter of cell i along one lateral axis: its far face ``tm``, or, in a
    voxel grid that overhangs the domain (``clip``), the domain side inside an edge cell."""
    if clip:
        if s > 0 and i == n - 1:
            return (b_hi - o) / d
        if s < 0 and i == 0:
            return (b_lo - o) / d
    return tm


@njit(cache=True, error_model="numpy", inline="always")
def _far(i, s, r, lo_i, hi_i):
    """The last cell of the empty cube (half-width r) ahead along an axis of step s,
    kept inside [lo_i, hi_i]; i itself in an edge cell (outside [lo_i, hi_i]) that the
    ray leaves through the domain side."""
    if s > 0:
        return i if i > hi_i else min(i + r, hi_i)
    if s < 0:
        return i if i < lo_i else max(i - r, lo_i)
    return i


@njit(cache=True, error_model="numpy", inline="always")
def _face_lat(f, i, s, tm, o, d, lo, h, lo_i, hi_i):
    """t at the far face of the cube along a lateral axis: in an edge cell (outside
    [lo_i, hi_i]) that the ray leaves through the domain side, the cell's own exit ``tm``
    (``_edge``: the side itself, where the plain DDA ends the ray too); else ``_face``."""
    if (s > 0 and i > hi_i) or (s < 0 and i < lo_i):
        return tm
    return _face(f, s, o, d, lo, h)


@njit(cache=True, error_model="numpy", inline="always")
def _face(f, s, o, d, lo, h):
    """t at the far face (in direction s) of cell f; inf for s = 0."""
    if s == 0:
        return np.inf
    return (lo + (f + (1 if s > 0 else 0)) * h - o) / d


@njit(cache=True, error_model="numpy", inline="always")
def _land(p, lo, h, i, f, s):
    """The cell holding p along an axis the jump did not leave through, kept between the
    ray's cell i and the cube's far cell f."""
    j = int(math.floor((p - lo) / h))
    if s > 0:
        return min(max(j, i), f)
    if s < 0:
        return max(min(j, i), f)
    return i


@njit(cache=True, error_model="numpy", inline="always")
def cast3d(ox, oy, oz, dx, dy, dz, cd, glo, gh, gn, cstart, citems, blo, bhi, skip):
    """First hit of o + t d (t > 0): (element, t, HIT, axis) or (−1, t, exit code, axis).

    cd (items, 12): per cell-list entry v0, A, B, n with A = (e2 × g)/|g|²,
    B = (g × e1)/|g|², g = e1 × e2 (a point P in the plane has barycentrics
    u = (P − v0)·A, v = (P − v0)·B) and n the unit normal into vacuum; back faces are
    skipped.  A grid whose cells overhang the lateral domain (the level set's voxels,
    glo < blo: ``engine._voxel_grid``) ends the ray at the domain side inside its edge
    cells.  ``skip``: empty layers per cell (``skip_field``); jumps land inside the
    inner cells (lateral 1 … n − 2 with overhanging cells, else 0 … n − 1; vertical
    0 … n − 1).  A ray in an edge cell jumps too: along an axis where it leaves that
    cell through the domain side, its cube ends at that side (the cell's exit ``_edge``),
    and a jump through it ends the ray there, at the t the plain DDA returns; so the
    exits are those of the plain DDA."""
    nx, ny, nz = gn[0], gn[1], gn[2]
    clip = glo[0] < blo[0]
    lat_lo = 1 if clip else 0
    ix = _cell(ox, glo[0], gh[0], nx)
    iy = _cell(oy, glo[1], gh[1], ny)
    iz = _cell(oz, glo[2], gh[2], nz)
    sx, tmx, tdx = _dda_at(ox, dx, ix, glo[0], gh[0])
    sy, tmy, tdy = _dda_at(oy, dy, iy, glo[1], gh[1])
    sz, tmz, tdz = _dda_at(oz, dz, iz, glo[2], gh[2])
    tmx = _edge(tmx, ix, sx, nx, ox, dx, blo[0], bhi[0], clip)
    tmy = _edge(tmy, iy, sy, ny, oy, dy, blo[1], bhi[1], clip)
    best = np.inf
    be = -1
    c = (iz * ny + iy) * nx + ix        # cell index, stepped with the DDA
    cy = sy * nx
    cz = sz * nx * ny
    while True:
        k0 = cstart[c]
        k1 = cstart[c + 1]
        r = skip[c]
        if r > 0 and be < 0:
            fx = _far(ix, sx, r, lat_lo, nx - 1 - lat_lo)
            fy = _far(iy, sy, r, lat_lo, ny - 1 - lat_lo)
            fz = _far(iz, sz, r, 0, nz - 1)
            tx = _face_lat(fx, ix, sx, tmx, ox, dx, glo[0], gh[0], lat_lo, nx - 1 - lat_lo)
            ty = _face_lat(fy, iy, sy, tmy, oy, dy, glo[1], gh[1], lat_lo, ny - 1 - lat_lo)
            tz = _face(fz, sz, oz, dz, glo[2], gh[2])
            tj = min(tx, min(ty, tz))
            if tj > min(tmx, min(tmy, tmz)) and tj < np.inf:
                # land in the cell behind the cube's face the ray leaves through
                if tx <= ty and tx <= tz:
                    ix = fx + sx
                    iy = _land(oy + tj * dy, glo[1], gh[1], iy, fy, sy)
                    iz = _land(oz + tj * dz, glo[2], gh[2], iz, fz, sz)
                elif ty <= tz:
                    iy = fy + sy
                    ix = _land(ox + tj * dx, glo[0], gh[0], ix, fx, sx)
                    iz = _land(oz + tj * dz, glo[2], gh[2], iz, fz, sz)
                else:
                    iz = fz + sz
                    ix = _land(ox + tj * dx, glo[0], gh[0], ix, fx, sx)
                    iy = _land(oy + tj * dy, glo[1], gh[1], iy, fy, sy)
                    if iz < 0:
                        return -1, tj, BOTTOM, 2
                    if iz >= nz:
                        return -1, tj, TOP, 2
                if ix < 0:
                    return -1, tj, SIDE_LO, 0
                if ix >= nx:
                    return -1, tj, SIDE_HI, 0
                if iy < 0:
                    return -1, tj, SIDE_LO, 1
                if iy >= ny:
                    return -1, tj, SIDE_HI, 1
                tmx = _edge(_face(ix, sx, ox, dx, glo[0], gh[0]), ix, sx, nx, ox, dx,
                            blo[0], bhi[0], clip)
                tmy = _edge(_face(iy, sy, oy, dy, glo[1], gh[1]), iy, sy, ny, oy, dy,
                            blo[1], bhi[1], clip)
                tmz = _face(iz, sz, oz, dz, glo[2], gh[2])
                c = (iz * ny + iy) * nx + ix
                continue
        for k in range(k0, k1):
            dn = dx * cd[k, 9] + dy * cd[k, 10] + dz * cd[k, 11]
            if dn >= 0.0:
                continue
            qx = cd[k, 0] - ox
            qy = cd[k, 1] - oy
            qz = cd[k, 2] - oz
            num = qx * cd[k, 9] + qy * cd[k, 10] + qz * cd[k, 11]
            if num >= 0.0:
                continue                # t = num/dn <= 0 (dn < 0): no division
            t = num / dn
            if t <= 0.0 or t >= best:
                continue
            px = t * dx - qx
            py = t * dy - qy
            pz = t * dz - qz
            u = px * cd[k, 3] + py * cd[k, 4] + pz * cd[k, 5]
            if u < -_BARY_TOL or u > 1.0 + _BARY_TOL:
                continue
            v = px * cd[k, 6] + py * cd[k, 7] + pz * cd[k, 8]
            if v < -_BARY_TOL or u + v > 1.0 + _BARY_TOL:
                continue
            best = t
            be = citems[k]
        if tmx <= tmy and tmx <= tmz:
            if be >= 0 and best <= tmx * _SLACK:
                return be, best, HIT, 0
            ix += sx
            if ix < 0:
                return -1, tmx, SIDE_LO, 0
            if ix >= nx:
                return -1, tmx, SIDE_HI, 0
            c += sx
            tmx = _edge(tmx + tdx, ix, sx, nx, ox, dx, blo[0], bhi[0], clip)
        elif tmy <= tmz:
            if be >= 0 and best <= tmy * _SLACK:
                return be, best, HIT, 1
            iy += sy
            if iy < 0:
                return -1, tmy, SIDE_LO, 1
            if iy >= ny:
                return -1, tmy, SIDE_HI, 1
            c += cy
            tmy = _edge(tmy + tdy, iy, sy, ny, oy, dy, blo[1], bhi[1], clip)
        else:
            if be >= 0 and best <= tmz * _SLACK:
                return be, best, HIT, 2
            iz += sz
            if iz < 0:
                return -1, tmz, BOTTOM, 2
            if iz >= nz:
                return -1, tmz, TOP, 2
            c += cz
            tmz += tdz
