"""Reinitialisation: restore φ to a signed distance without moving its zero set.

Fast marching (Sethian, PNAS 93, 1591, 1996) via scikit-fmm, second order, on the
vertical slab that holds the surface, in a narrow band; periodic lateral axes when the
grid is periodic (reflective boundaries need nothing: the distance to the mirrored
surface is never shorter).  Values outside the band are clamped to ±band.  The nodes
next to the interface are then set to φ/|∇φ| (Russo & Smereka, J. Comput. Phys. 163,
51, 2000), so that repeated reinitialisation does not move the interface.
"""
from __future__ import annotations

import numpy as np
import skfmm

from . import _kernels as K
from .grid import Grid
from .levelset import as3

__all__ = ["reinitialise"]


def reinitialise(phi: np.ndarray, grid: Grid, *, band: float | None = None,
                 keep: float = 0.0) -> np.ndarray:
    """Signed distance with the same zero level set as ``phi`` (a new array).

    band: half-width (m) of the narrow band to compute (None: the whole array, no
    clamping).  Outside the band the result is sign(φ)·band.  keep: nodes with
    |φ| < keep (m) whose gradient is already within 25 % of unit keep their values.
    """
    h = grid.spacing
    periodic = (grid.periodic,) * (grid.dimension - 1) + (False,)
    if band is None:
        out = _distance(phi, h, periodic, 0.0, phi)
        _fix(phi, out, grid, keep)
        return out
    band = float(band)
    out = np.clip(phi, -band, band)
    near = np.abs(phi) < 1.5 * h          # the nodes next to the zero set
    ks = np.nonzero(near.any(axis=tuple(range(phi.ndim - 1))))[0]
    if ks.size == 0:
        return out
    pad = int(np.ceil(band / h)) + 2
    k0 = max(0, ks[0] - pad)
    k1 = min(phi.shape[-1], ks[-1] + pad + 1)
    sub = np.ascontiguousarray(phi[..., k0:k1])   # skfmm needs C order
    res = _distance(sub, h, periodic, band, out[..., k0:k1])
    _fix(sub, res, grid, keep)
    out[..., k0:k1] = res
    return out


def _fix(old: np.ndarray, new: np.ndarray, grid: Grid, keep: float) -> None:
    K.subcell_fix(as3(np.ascontiguousarray(old)), as3(new), grid.spacing, float(keep),
                  grid.dimension,
                  grid.periodic, grid.periodic)


def _distance(sub, h, periodic, narrow, fill):
    if not (np.any(sub < 0) and np.any(sub > 0)):
        return np.array(fill, copy=True)
    sub = np.ascontiguousarray(sub, dtype=np.float64)
    d = skfmm.distance(sub, dx=h, periodic=periodic, narrow=narrow, order=2)
    if isinstance(d, np.ma.MaskedArray):
        return np.where(np.ma.getmaskarray(d), fill, d.filled(0.0))
    return np.asarray(d, dtype=np.float64)
