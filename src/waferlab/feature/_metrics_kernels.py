"""Numba kernels of the profile metrics (feature/metrics.py).

``open_to_top``: the vacuum nodes connected to the top plane of the window through
face neighbours (4 in 2D, 6 in 3D: the connectivity of ``scipy.ndimage.label``'s default
structure), by a depth-first flood fill from the top plane; a vacuum node outside it
lies in a closed void.  Replaces ``ndimage.label`` in the void test that runs after every
deposit time step: the same answer without importing scipy.ndimage (~0.14 s CPU a run).
"""
from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["open_to_top"]


@njit(cache=True)
def _flood(vac: np.ndarray, nx: int, ny: int, nz: int,
           stack: np.ndarray) -> np.ndarray:  # pragma: no cover - numba
    n = nx * ny * nz
    seen = np.zeros(n, np.bool_)
    top = 0
    for i in range(nx):
        for j in range(ny):
            p = (i * ny + j) * nz + nz - 1
            if vac[p]:
                seen[p] = True
                stack[top] = p
                top += 1
    sy, sx = nz, ny * nz
    while top > 0:
        top -= 1
        p = stack[top]
        k = p % nz
        j = (p // nz) % ny
        i = p // sx
        for d in range(6):
            if d == 0:
                if k == 0:
                    continue
                q = p - 1
            elif d == 1:
                if k == nz - 1:
                    continue
                q = p + 1
            elif d == 2:
                if j == 0:
                    continue
                q = p - sy
            elif d == 3:
                if j == ny - 1:
                    continue
                q = p + sy
            elif d == 4:
                if i == 0:
                    continue
                q = p - sx
            else:
                if i == nx - 1:
                    continue
                q = p + sx
            if vac[q] and not seen[q]:
                seen[q] = True
                stack[top] = q
                top += 1
    return seen


def open_to_top(vac: np.ndarray) -> np.ndarray:
    """Boolean mask (the shape of ``vac``, 2D (nx, nz) or 3D (nx, ny, nz)) of the ``True``
    nodes of ``vac`` connected through face neighbours to its last plane (z = top)."""
    v = np.ascontiguousarray(vac, dtype=np.bool_)
    nx, nz = v.shape[0], v.shape[-1]
    ny = v.shape[1] if v.ndim == 3 else 1
    # each vacuum node is pushed once: the stack holds at most their count (int32 flat
    # indices while they fit: a 3D window's stack was 8 bytes a node, now ≤ 4 a vacuum node)
    stack = np.empty(int(np.count_nonzero(v)), np.int32 if v.size < 2**31 else np.int64)
    return _flood(v.ravel(), nx, ny, nz, stack).reshape(v.shape)
