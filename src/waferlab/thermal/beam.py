"""Ion implantation into a material grid along straight, tilted and rotated ion paths.

Every node of a uniform grid (2D (nx, nz) or 3D (nx, ny, nz), vertical last) gets the
Si-equivalent length s of the straight path that reaches it from the source,

    s(p) = ∫ ρ(p + u t) dt,   ρ = n_material / n_Si   (0 in vacuum),

u the unit vector towards the source, u = (−sin θ cos φ, −sin θ sin φ, cos θ) for tilt θ
(from the wafer normal) and rotation φ (azimuth from +x, about the normal).  Stopping
is scaled by atom density, the first-order range scaling of multilayer implants
(e.g. Ryssel & Ruge, *Ion Implantation*, 1986, §5.3): a layer of thickness t and atom
density n stops like t·n/n_Si of silicon.  The ion then lands with the 1D path profile
f of the range moments (Pearson IV or Gaussian, normalised over s ≥ 0):

    C₀(p) = (Q / cos θ) · f(s(p)) · ρ(p),

Q the dose per unit wafer area (Q/cos θ ions per unit area across the beam; on a flat
wafer ∫C dz = Q).  Whatever lies above the silicon along the path — resist, a hard
mask, an oxide — screens the implant by its Si-equivalent thickness and blocks it when
thicker than the range; topography shadows it (a path that crosses a trench wall enters
the silicon there).  The lateral straggle ΔR⊥ spreads C₀ with a Gaussian along the
lateral axes (reflective or periodic like the grid); the silicon nodes keep their
share, the rest (in masks, in vacuum) is the blocked dose.
"""
from __future__ import annotations

import math

import numpy as np

from .implant import Moments, depth_profile

__all__ = ["path_si_equivalent", "implant_on_grid"]


def path_si_equivalent(rho: np.ndarray, spacing: float, *, tilt: float, rotation: float,
                       periodic: bool, s_max: float, nodes: np.ndarray | None = None,
                       step_fraction: float = 0.25) -> np.ndarray:
    """s (m) of every node (or of ``nodes``: flat indices) of the density-ratio grid
    ``rho`` (nx, nz) / (nx, ny, nz); values above ``s_max`` mean "beyond the range"."""
    from ._kernels import path_lengths

    r3 = np.ascontiguousarray(rho[:, None, :] if rho.ndim == 2 else rho, dtype=np.float64)
    u = np.array([-math.sin(tilt) * math.cos(rotation), -math.sin(tilt) * math.sin(rotation),
                  math.cos(tilt)])
    if rho.ndim == 2:
        u[1] = 0.0                    # a cross-section is invariant along y
    flat = np.arange(r3.size) if nodes is None else np.asarray(nodes)
    idx = np.stack(np.unravel_index(flat, r3.shape), axis=1).astype(np.int64)
    s = path_lengths(r3, idx, u, step_fraction, s_max / spacing, periodic)
    out = s * spacing
    return out if nodes is not None else out.reshape(rho.shape)


def implant_on_grid(rho: np.ndarray, silicon: np.ndarray, spacing: float, moments: Moments,
                    dose: float, *, tilt: float = 0.0, rotation: float = 0.0,
                    periodic: bool = False, shape: str = "pearson4",
                    si_fraction: np.ndarray | None = None) -> np.ndarray:
    """Implanted concentration (m⁻³) on the silicon nodes of the grid (0 elsewhere).

    rho      atom-density ratio to Si of each node (0 = vacuum), shape (nx, nz) or (nx, ny, nz)
    silicon  bool mask of the silicon nodes (same shape)
    si_fraction  share of each node's cell that is silicon: the silicon part of a cell
             whose node is not silicon (the sliver between a floor and the first silicon
             node) hands its dopant to the silicon node below it, so a flat wafer keeps
             its whole dose on any grid
    """
    m = moments
    s_max = m.Rp + 12.0 * m.dRp
    solid = rho > 1e-9
    s = np.full(rho.shape, np.inf)
    s[solid] = path_si_equivalent(rho, spacing, tilt=tilt, rotation=rotation, periodic=periodic,
                                  s_max=s_max, nodes=np.flatnonzero(solid))
    c0 = np.zeros(rho.shape)
    near = solid & (s <= s_max)
    c0[near] = dose / math.cos(tilt) * depth_profile(s[near], m, 1.0, shape=shape) * rho[near]
    if m.lateral > 0:
        from scipy.ndimage import gaussian_filter1d

        for ax in range(rho.ndim - 1):
            if rho.shape[ax] > 1:
                c0 = gaussian_filter1d(c0, sigma=m.lateral / spacing, axis=ax,
                                       mode="wrap" if periodic else "reflect", truncate=5.0)
    out = np.where(silicon, c0, 0.0)
    if si_fraction is not None:
        sliver = np.where(~silicon, c0 * np.clip(si_fraction, 0.0, 1.0), 0.0)
        below = np.zeros_like(sliver)
        below[..., :-1] = sliver[..., 1:]               # to the node one row down
        out += np.where(silicon, below, 0.0)
    return out
