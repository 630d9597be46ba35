"""Depth meshes that resolve the recipe's profiles, and their a-posteriori check.

A priori (:func:`depth_features`): every profile the recipe makes is a region to
resolve — an implant [0, Rp + 8ΔRp] with spacing ΔRp/k, a predeposition or anneal
[0, extent] with spacing W/k, W = √(W₀² + ∫D dt) its running width (√(Dt) for an
erfc/Gaussian), k = ``per_length`` — and the nodes grow geometrically (factor
``ratio``) away from these regions (:func:`graded_nodes`).  With k = 16 and ratio 1.05
the box method puts erfc and Gaussian junctions within 0.25 % of the exact ones down to
1e-6 of the peak (tests/thermal/test_mesh.py).

A posteriori (:func:`level_depth_error`): the solver repeats a diffusion step on the
mesh with every other depth node; for a second-order scheme the fine solution's error
is about |d_h − d_2h|/3 for the depths d at which each profile falls to 10⁻¹ … 10⁻⁶ of
its peak (Richardson).  Above ``mesh_tol`` the mesh is halved (:func:`refine_z`) and the
step repeated.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.integrate import quad

from .mesh import Feature, Mesh, graded_nodes

__all__ = ["MeshPlan", "depth_features", "plan_mesh", "refine_z", "coarsen_z",
           "transfer", "level_depths", "level_depth_error"]


@dataclass(frozen=True, kw_only=True)
class MeshPlan:
    """Numerics of the automatic depth mesh: nodes per resolved length (√(Dt), ΔRp),
    growth factor between neighbouring boxes, a-posteriori tolerance on junction-like
    depths (relative) and the number of halvings allowed."""

    per_length: float = 16.0
    ratio: float = 1.05
    mesh_tol: float = 3e-3
    max_refine: int = 3


def _dt_integral(D_of_T, program) -> float:
    duration, Tfun = program
    if duration <= 0:
        return 0.0
    return quad(lambda t: D_of_T(Tfun(t)), 0.0, duration, limit=200, epsrel=1e-6)[0]


def depth_features(steps, *, d_int, program, moments, per_length: float) -> list[Feature]:
    """Regions to resolve, walking the steps.  ``d_int(dopant, step, T)`` is a dopant's
    diffusivity (m²/s), ``program(step)`` a step's (duration, T(t)), ``moments(step)`` an
    implant step's (species, Rp, ΔRp) in m."""
    k = per_length
    width: dict[str, tuple[float, float]] = {}          # species -> (W, extent)
    feats: list[Feature] = []
    for step in steps:
        kind = step.kind
        if kind == "implant":
            sp, Rp, dRp = moments(step)
            ext = Rp + 8 * dRp
            feats.append(Feature(start=0.0, end=ext, h=dRp / k))
            W, E = width.get(sp, (dRp, ext))
            width[sp] = (min(W, dRp), max(E, ext))
            continue
        duration, _ = program(step)
        if kind == "predeposit":
            Dt = _dt_integral(lambda T, s=step: d_int(s.dopant, s, T), program(step))
            W0, E0 = width.get(step.dopant, (0.0, 0.0))
            W = math.sqrt(W0 * W0 + Dt)
            width[step.dopant] = (W, max(E0 + 8 * (W - W0), 8 * W))
        else:
            for sp, (W0, E0) in list(width.items()):
                Dt = _dt_integral(lambda T, sp=sp, s=step: d_int(sp, s, T), program(step))
                W = math.sqrt(W0 * W0 + Dt)
                width[sp] = (W, E0 + 8 * (W - W0))
        for _sp, (W, E) in width.items():
            if W > 0:
                feats.append(Feature(start=0.0, end=E, h=W / k))
    return feats


def plan_mesh(depth: float, x: np.ndarray, features: list[Feature], plan: MeshPlan) -> Mesh:
    """Graded depth nodes over [0, depth] for ``features`` (at least 21 nodes)."""
    feats = list(features) or [Feature(start=0.0, end=0.0, h=depth / 200)]
    z = graded_nodes(depth, feats, ratio=plan.ratio, h_max=depth / 20)
    return Mesh(z=z, x=x)


def refine_z(mesh: Mesh) -> Mesh:
    """Insert the midpoint of every depth interval (old nodes are the even ones)."""
    z = mesh.z
    zz = np.empty(2 * z.size - 1)
    zz[0::2] = z
    zz[1::2] = 0.5 * (z[1:] + z[:-1])
    return Mesh(z=zz, x=mesh.x)


def coarsen_z(mesh: Mesh) -> tuple[Mesh, np.ndarray]:
    """(mesh on every other depth node, always keeping the last; the kept indices)."""
    keep = np.arange(0, mesh.z.size, 2)
    if keep[-1] != mesh.z.size - 1:
        keep = np.append(keep, mesh.z.size - 1)
    return Mesh(z=mesh.z[keep], x=mesh.x), keep


def transfer(c: np.ndarray, old: Mesh, new: Mesh) -> np.ndarray:
    """Interpolate a (nz, nx) field in depth onto ``new`` (same x): log-linear between
    positive values (exact for exponential tails, keeps positivity), linear otherwise."""
    out = np.empty((new.z.size, c.shape[1]))
    for j in range(c.shape[1]):
        col = c[:, j]
        if np.all(col > 0):
            out[:, j] = np.exp(np.interp(new.z, old.z, np.log(col)))
        else:
            out[:, j] = np.interp(new.z, old.z, col)
    return out


_DECADES = np.arange(1.0, 6.01, 0.5)


def level_depths(z: np.ndarray, c: np.ndarray, decades: np.ndarray = _DECADES) -> np.ndarray:
    """Deepest depth at which each column of c (nz, nx) falls to 10^-d of its maximum,
    log-linear between nodes; NaN where the column never falls that low (or the level
    lies within a factor 10 of the column's minimum, e.g. a uniform background)."""
    nz, nx = c.shape
    out = np.full((decades.size, nx), np.nan)
    cmax, cmin = c.max(axis=0), c.min(axis=0)
    for j in range(nx):
        col = c[:, j]
        if cmax[j] <= 0:
            continue
        for i, d in enumerate(decades):
            lev = cmax[j] * 10.0 ** (-d)
            if lev <= 10 * max(cmin[j], 0.0):
                continue
            above = np.nonzero(col >= lev)[0]
            k = above[-1]
            if k >= nz - 1:
                continue
            a, b = col[k], max(col[k + 1], 1e-300)
            f = math.log(a / lev) / math.log(a / b) if a > b else 0.0
            out[i, j] = z[k] + f * (z[k + 1] - z[k])
    return out


def level_depth_error(z_f: np.ndarray, c_f: np.ndarray, z_c: np.ndarray,
                      c_c: np.ndarray) -> float:
    """Richardson estimate of the fine solution's relative depth error, max over levels
    and columns: |d_f − d_c| / (3 d_f)."""
    df, dc = level_depths(z_f, c_f), level_depths(z_c, c_c)
    ok = np.isfinite(df) & np.isfinite(dc) & (df > 0)
    if not np.any(ok):
        return 0.0
    return float(np.max(np.abs(df[ok] - dc[ok]) / (3 * df[ok])))
