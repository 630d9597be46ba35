"""Implant masking from a wafer's material stack (2D cross-sections).

For each column of a 2D level-set stack (layers bottom first, each set containing the
ones below, φ < 0 inside) the top of every layer is found by linear interpolation of
the highest sign change of φ along the vertical.  The material above the silicon
surface becomes a Si-equivalent mask thickness Σ_k (h_k − h_{k−1}) n_k / n_Si
(range scaling by atom density), which :func:`waferlab.thermal.implant.implant_2d`
accepts as ``mask``.  Only the exposed silicon (thickness 0) receives the full dose.
"""
from __future__ import annotations

import numpy as np

from ..materials import material_info

__all__ = ["layer_tops", "mask_from_stack"]


def layer_tops(phi: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Top height (m) of each layer in each column: phi (L, nx, nz) -> (L, nx);
    -inf where a column holds none of the layer."""
    phi = np.asarray(phi, float)
    L, nx, nz = phi.shape
    out = np.full((L, nx), -np.inf)
    for k in range(L):
        inside = phi[k] < 0
        for j in range(nx):
            idx = np.nonzero(inside[j])[0]
            if idx.size == 0:
                continue
            i = idx[-1]
            if i == nz - 1:
                out[k, j] = z[-1]
                continue
            a, b = phi[k, j, i], phi[k, j, i + 1]
            out[k, j] = z[i] + (z[i + 1] - z[i]) * a / (a - b)
    return out


def mask_from_stack(stack, *, substrate: str = "Si") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, si_equivalent_thickness, silicon_surface_height) along x for a 2D stack with
    ``phi`` (L, nx, nz), ``materials`` and ``coords()`` -> (x, z)."""
    phi = np.asarray(stack.phi, float)
    if phi.ndim != 3:
        raise ValueError("mask_from_stack needs a 2D cross-section (phi of shape (L, nx, nz))")
    mats = tuple(stack.materials)
    if substrate not in mats:
        raise ValueError(f"no {substrate!r} layer in the stack (materials: {', '.join(mats)})")
    x, z = stack.coords()
    tops = layer_tops(phi, z)
    s = max(i for i, m in enumerate(mats) if m == substrate)
    n_si = material_info(substrate, mats).atom_density
    thick = np.zeros(x.size)
    for k in range(s + 1, len(mats)):
        dh = np.maximum(tops[k] - np.maximum(tops[k - 1], tops[s]), 0.0)
        dh = np.where(np.isfinite(dh), dh, 0.0)
        thick += dh * material_info(mats[k], mats).atom_density / n_si
    return np.asarray(x, float), thick, tops[s]
