"""Numba kernels of the litho package (private)."""
from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["polygon_coverage"]


@njit(cache=True)
def _accumulate_edge(acc, x0, y0, x1, y1):
    """Add one directed edge's signed-area contributions to the accumulation buffer.

    Exact-area scan conversion: each row crossed by the edge receives, per pixel, the
    signed area between the edge and the pixel's right border; a prefix sum along the
    row then gives the winding-weighted coverage (the accumulation-buffer rasteriser).
    Coordinates are in pixels; pixel (j, i) covers [i, i+1] x [j, j+1].
    """
    if y0 == y1:
        return
    direction = 1.0
    if y0 > y1:
        direction = -1.0
        x0, y0, x1, y1 = x1, y1, x0, y0
    dxdy = (x1 - x0) / (y1 - y0)
    h = acc.shape[0]
    x = x0
    jstart = int(math.floor(y0))
    jend = min(h, int(math.ceil(y1)))
    for j in range(max(jstart, 0), jend):
        dy = min(j + 1.0, y1) - max(float(j), y0)
        xnext = x + dxdy * dy
        d = dy * direction
        xa = min(x, xnext)
        xb = max(x, xnext)
        xa_floor = math.floor(xa)
        ia = int(xa_floor)
        xb_ceil = math.ceil(xb)
        ib = int(xb_ceil)
        if ib <= ia + 1:
            # the edge stays inside one pixel column in this row
            xm = 0.5 * (x + xnext) - xa_floor
            acc[j, ia] += d - d * xm
            acc[j, ia + 1] += d * xm
        else:
            s = 1.0 / (xb - xa)
            xaf = xa - xa_floor
            a0 = 0.5 * s * (1.0 - xaf) * (1.0 - xaf)
            xbf = xb - xb_ceil + 1.0
            am = 0.5 * s * xbf * xbf
            acc[j, ia] += d * a0
            if ib == ia + 2:
                acc[j, ia + 1] += d * (1.0 - a0 - am)
            else:
                a1 = s * (1.5 - xaf)
                acc[j, ia + 1] += d * (a1 - a0)
                for i in range(ia + 2, ib - 1):
                    acc[j, i] += d * s
                a2 = a1 + (ib - ia - 3) * s
                acc[j, ib - 1] += d * (1.0 - a2 - am)
            acc[j, ib] += d * am
        x = xnext


@njit(cache=True)
def polygon_coverage(xs, ys, width, height):
    """Fraction of each pixel of a (height, width) canvas covered by the closed polygon
    (xs, ys) given in pixel units (non-zero winding, clipped to [0, 1]).  All vertices
    must lie inside [0, width - 1] x [0, height]."""
    acc = np.zeros((height, width + 2))
    n = xs.shape[0]
    for k in range(n):
        kn = (k + 1) % n
        _accumulate_edge(acc, xs[k], ys[k], xs[kn], ys[kn])
    out = np.empty((height, width))
    for j in range(height):
        s = 0.0
        for i in range(width):
            s += acc[j, i]
            out[j, i] = min(abs(s), 1.0)
    return out
