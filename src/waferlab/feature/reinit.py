"""Reinitialisation: restore φ to a signed distance without moving its zero set.

Fast marching (Sethian, PNAS 93, 1591, 1996) via scikit-fmm, second order, on the
vertical slab that holds the surface, in a narrow band; periodic lateral axes when the
grid is periodic (reflective boundaries need nothing: the distance to the mirrored
surface is never shorter).  Values outside the band are clamped to ±band.
"""
from __future__ import annotations

import numpy as np
import skfmm

from .grid import Grid

__all__ = ["reinitialise"]


def reinitialise(phi: np.ndarray, grid: Grid, *, band: float | None = None) -> np.ndarray:
    """Signed distance with the same zero level set as ``phi`` (a new array).

    band: half-width (m) of the narrow band to compute (None: the whole array, no
    clamping).  Outside the band the result is sign(φ)·band.
    """
    h = grid.spacing
    periodic = (grid.periodic,) * (grid.dimension - 1) + (False,)
    if band is None:
        return _distance(phi, h, periodic, 0.0, phi)
    band = float(band)
    out = np.clip(phi, -band, band)
    near = np.abs(phi) < band + 2 * h
    ks = np.nonzero(near.any(axis=tuple(range(phi.ndim - 1))))[0]
    if ks.size == 0:
        return out
    pad = int(np.ceil(band / h)) + 2
    k0 = max(0, ks[0] - pad)
    k1 = min(phi.shape[-1], ks[-1] + pad + 1)
    sub = phi[..., k0:k1]
    out[..., k0:k1] = _distance(sub, h, periodic, band, out[..., k0:k1])
    return out


def _distance(sub, h, periodic, narrow, fill):
    if not (np.any(sub < 0) and np.any(sub > 0)):
        return np.array(fill, copy=True)
    d = skfmm.distance(sub, dx=h, periodic=periodic, narrow=narrow, order=2)
    if isinstance(d, np.ma.MaskedArray):
        return np.where(np.ma.getmaskarray(d), fill, d.filled(0.0))
    return np.asarray(d, dtype=np.float64)
