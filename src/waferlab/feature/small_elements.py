"""Traced fields of small surface elements, pooled with their neighbours.

A traced field on element e is a Monte Carlo mean over the rays that hit it,
F_e = (Σ_hits w)·A_src / (N a_e), so its relative variance grows as 1/a_e: a sliver that
marching cubes cuts off a corner (a_e down to 1e-7 h²) holds a few hits or one, and its
speed can be tens of times the true one.  Such an outlier sets the time step (the
surface moves cfl·h per step at the fastest node) and roughens the front it sits on.

An element smaller than ``fraction``·h^(d−1) (a fraction of one grid point's share of
the rays) therefore takes the hit-pooled mean over its one-ring of the same material
(the elements sharing a vertex with it, itself included), which is the estimator of
the same field over that patch:

    F̂_e = Σ_{j∈ring(e)} a_j F_j / Σ_{j∈ring(e)} a_j    (a_e < fraction·h^(d−1))

Elements at or above the threshold keep their own value, bit for bit.  This is the
per-vertex pooling the ``POINTS`` evaluation already does (``transport._pooled``),
applied to the small elements of an ``ELEMENTS`` model; ViennaPS avoids the problem by
tracing on equal disks of radius ≈ 0.87 h (one per level-set point) and averaging each
disk's flux with its neighbours'.

``smooth_fields`` goes one step further for models whose rate law is nonlinear near a
threshold (``fluorocarbon``): every element's fields are replaced by an area-weighted
Gaussian mean over its neighbours within a radius of a fraction of h (its docstring).
"""
from __future__ import annotations

from typing import Collection, Mapping

import numpy as np

__all__ = ["pool_small_elements", "smooth_fields", "SMALL_FRACTION"]

SMALL_FRACTION = 0.1     # elements below 0.1 h^(d−1) expect < 10 % of a grid point's rays


def pool_small_elements(fields: Mapping[str, np.ndarray], surface, *,
                        fraction: float = SMALL_FRACTION) -> dict[str, np.ndarray]:
    """``fields`` with the elements smaller than ``fraction``·h^(d−1) replaced by the
    area-weighted mean over their same-material one-ring (module docstring).  Non-finite
    values (elements without rays) are left out of the means and stay where they were.
    A surface without a grid spacing is returned unchanged."""
    out = {k: np.array(v, float) for k, v in fields.items()}
    h = getattr(surface, "spacing", None)
    m = len(surface.elements)
    if not h or m == 0 or not out:
        return out
    a = np.asarray(surface.areas, float)
    small = np.flatnonzero(a < fraction * h ** (surface.dimension - 1))
    if small.size == 0:
        return out
    from scipy.sparse import csr_matrix

    el = np.asarray(surface.elements)
    mats = np.asarray(surface.materials)
    k = el.shape[1]
    # element–vertex incidence; ring(e) = the elements sharing a vertex with e
    inc = csr_matrix((np.ones(el.size), (np.repeat(np.arange(m), k), el.ravel())),
                     shape=(m, len(surface.points)))
    ring = (inc[small] @ inc.T).tocoo()
    same = mats[ring.col] == mats[small[ring.row]]
    rows, cols = ring.row[same], ring.col[same]
    R = csr_matrix((np.ones(rows.size), (rows, cols)), shape=(small.size, m))
    for v in out.values():
        fin = np.isfinite(v)
        w = np.where(fin, a, 0.0)
        num = R @ (w * np.where(fin, v, 0.0))
        den = R @ w
        upd = fin[small] & (den > 0)
        v[small[upd]] = num[upd] / den[upd]
    return out


def smooth_fields(fields: Mapping[str, np.ndarray], surface, radius_h: float, *,
                  per_material: Collection[str] = ()) -> dict[str, np.ndarray]:
    """``fields`` averaged over the neighbouring elements with an area-weighted Gaussian
    of radius r = ``radius_h``·h (cut at 2r):

        F̃_e = Σ_j a_j w_ej F_j / Σ_j a_j w_ej,   w_ej = exp(−|c_e − c_j|²/2r²),
              j: |c_e − c_j| ≤ 2r (+1e-9 relative)

    over all neighbours for a field that does not depend on the receiving material (an
    incident flux), over those of e's own material for the keys in ``per_material`` (a
    yield of the hit material).  It is the estimator of each field over a patch of the
    surface about e, so that a nonlinear law (the coverage balances) is evaluated on a
    mean with less Monte Carlo noise (``feature.fluorocarbon``).  Non-finite values are
    left out of the sums and stay where they were; radius 0 or a surface without a
    spacing returns the fields unchanged."""
    out = {k: np.array(v, float) for k, v in fields.items()}
    h = getattr(surface, "spacing", None)
    m = len(surface.elements)
    if not h or radius_h <= 0 or m == 0 or not out:
        return out
    from scipy.sparse import csr_matrix
    from scipy.spatial import cKDTree

    r = radius_h * h
    c = np.asarray(surface.centroids, float)
    a = np.asarray(surface.areas, float)
    mats = np.asarray(surface.materials)
    # cut at 2r (1 + 1e-9): elements of a grid-aligned surface at exactly 2r are in,
    # whatever the rounding of their distance
    pairs = cKDTree(c).query_pairs(2.0 * r * (1.0 + 1e-9), output_type="ndarray")
    same = mats[pairs[:, 0]] == mats[pairs[:, 1]]
    ops = {}
    for key, p in (("all", pairs), ("material", pairs[same])):
        i = np.concatenate([np.arange(m), p[:, 0], p[:, 1]])
        j = np.concatenate([np.arange(m), p[:, 1], p[:, 0]])
        w = np.exp(-0.5 * np.sum((c[i] - c[j]) ** 2, axis=1) / (r * r))
        ops[key] = csr_matrix((w, (i, j)), shape=(m, m))
    for k, v in out.items():
        S = ops["material" if k in per_material else "all"]
        fin = np.isfinite(v)
        aw = np.where(fin, a, 0.0)
        num = S @ (aw * np.where(fin, v, 0.0))
        den = S @ aw
        upd = fin & (den > 0)
        v[upd] = num[upd] / den[upd]
    return out
