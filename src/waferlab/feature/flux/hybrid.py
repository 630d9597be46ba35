"""Neutral fluxes in 3D: the first hits by the walk, the rest by a clustered radiosity balance.

The Monte Carlo walk (``_kernels.trace3d``) follows a diffuse neutral from hit to hit.
In a deep feature with low sticking most of its casts, and most of the noise of the
per-element flux, come after the second hit (session 15: B hole, s = 0.1, per-element
relative error 6.4 % for the whole walk, 3.2 % for the first hit's tally alone).  The
hybrid estimator keeps the walk for the first ``N_HITS`` hits and replaces the rest by
the expected value of a Markov chain on surface patches ("clusters").

Write Γ = Γ_{≤H} + Γ_{>H}.  After its H-th hit a ray leaves element e with weight w
(after sticking), a diffuse emitter.  With P(c → j) the probability that a cosine
emission from cluster c lands first on element j (or leaves by the top / the bottom),
k_j = 1 − s_j and r_c the weight re-emitted after hit H in c, the weight leaving each
cluster over all later re-emissions, z_c, solves

    z = r + Qᵀ z,      Q_cd = Σ_{j ∈ d} P(c → j) k_j,                               (1)

and then

    Γ_{>H, j} = Σ_c z_c P(c → j) A / a_j,    transmitted_{>H} = Σ_c z_c P(c → bottom)   (2)

(A the domain area, a_j the element area, normalised like the walk's tallies): the
radiosity balance of diffuse emitters (Siegel & Howell, *Thermal Radiation Heat
Transfer*, 4th ed., 2002, ch. 5) written for emission totals per cluster; ``reemission``
solves the same balance in 2D with exact view factors.

P is estimated from casts: after hit H the walk casts the ray's diffuse re-emission once
more (recorded, not tallied), and every recorded cast from hits ``FIRST`` … H is one
sample of P(c → ·), P̂(c → j) = n_cj / n_c.  With FIRST = H the samples are drawn from
exactly the emission points that r holds.  (1) is solved densely on the clusters that
exchange anything (a flat field top sends every emission away and drops out), per
chunk (the chunks' r); Γ_{>H} is smoothed over ``SMOOTH`` cells along the surface
(``remainder_smoother``: Gaussian, elements facing within 60°), because few samples
land on one element while the many-bounce flux is smooth.

Cost per ray: H + 1 casts at most instead of the walk's 1/s-odd in a deep feature.

What is assumed (the bias, measured against the full walk: bench/bench_hybrid3d.py,
bench/results/hybrid3d_s16.md; tests/feature/flux/test_hybrid.py):
- every later emission of a cluster has the transition law of its sampled emissions
  (the within-cluster distribution of emitting points drifts with the hit order); the
  error is of second order in the cluster size, ``CLUSTER`` cells (clusters: cubes ×
  the dominant axis of the normal, so a corner's floor and wall are apart);
- a cluster with fewer than ``MIN_SAMPLES`` samples borrows the row of its coarse
  parent (``COARSE``³ cubes); weight left in a cluster without any sample is lost and
  reported (``info["lost"]``: 0 in the shared cases);
- the smoothing's error is second order in its radius where the flux is smooth;
- P̂ and r come from the same rays, so E[(I − Q̂ᵀ)⁻¹] ≠ (I − Qᵀ)⁻¹: a bias of order
  1/n_c (tens to thousands of samples per cluster).
The batch-means standard error counts the noise of the walk's part and of r, not that of
P̂ (one P̂ for all chunks): in an open tube with non-sticking walls (all balance) the
spread of independent traces is ≈5× the reported σ; on the B hole the per-element
error is ≈1.15× the reported σ.

Eligible species (``eligible``): 3D, no per-hit yields, no specular re-emission, no
angle-dependent sticking (the transition law must not depend on how the ray arrived);
any source distribution (the first hit is the walk's).  Used by ``trace_fluxes`` with
``reemission="hybrid"`` (opt-in, not the default: see bench/results/est3d_s16.md) and the
stratified launch.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from . import _hybrid_kernels as KH
from .sources import Species

__all__ = ["eligible", "N_HITS", "CLUSTER", "COARSE", "MIN_SAMPLES", "clusters", "run_cut"]

N_HITS = 2          # hits tallied by the walk
FIRST = 2           # transitions recorded from the emissions after hits FIRST … N_HITS
CLUSTER = 2.0       # cluster edge in level-set cells (or median element sizes)
COARSE = 2          # a coarse cluster: COARSE³ fine clusters
MIN_SAMPLES = 16    # fewer samples: the coarse parent's row
MAX_CLUSTERS = 1200  # more: larger cubes (the balance is solved densely)
SMOOTH = 1.5        # Gaussian radius of the remainder's smoothing, in cells (None/0: none)


def eligible(sp: Species) -> bool:
    """Whether ``sp`` can take the hybrid estimator in 3D: no per-hit yields, no specular
    part, no angle-dependent sticking."""
    if sp.yield_channels:
        return False
    if np.any(np.asarray(sp.specular_table()) != 0.0):
        return False
    tab = np.asarray(sp.sticking_angle_table())
    return bool(tab.shape[0] == 1 and tab[0] == 1.0)


def clusters(tracer, size: float | None = None) -> tuple[np.ndarray, np.ndarray, int, int]:
    """(fine, coarse, n_fine, n_coarse): per element its fine cluster (cubes of edge
    ``size``, default ``CLUSTER`` cells) and coarse cluster (``COARSE`` × that), −1 for
    invalid elements; clusters numbered 0 … n − 1 (empty cubes dropped)."""
    surf = tracer.surface
    valid = tracer.valid
    h = surf.spacing if surf.spacing else float(np.sqrt(2.0 * np.median(tracer.areas[valid])))
    edge = CLUSTER * h if size is None else float(size)
    c = surf.centroids
    lo = c[valid].min(axis=0) if valid.any() else np.zeros(3)
    nb = _normal_bin(np.asarray(surf.normals, float))
    while True:
        out = _label(c, lo, edge, nb, valid)
        if out[0][1] <= MAX_CLUSTERS:
            break
        edge *= 1.25
    return out[0][0], out[1][0], out[0][1], out[1][1]


def _label(c, lo, edge, nb, valid):
    """Fine and coarse labels (and counts) of cubes of ``edge`` × normal bins."""
    out = []
    for f in (1, COARSE):
        ijk = np.floor((c - lo) / (edge * f)).astype(np.int64)
        ijk -= ijk[valid].min(axis=0) if valid.any() else 0
        span = ijk[valid].max(axis=0) + 1 if valid.any() else np.ones(3, np.int64)
        key = ((ijk[:, 2] * span[1] + ijk[:, 1]) * span[0] + ijk[:, 0]) * 6 + nb
        key = np.where(valid, key, -1)
        u, inv = np.unique(key[valid], return_inverse=True)
        lab = np.full(len(c), -1, np.int64)
        lab[valid] = inv
        out.append((lab, len(u)))
    return out


def _normal_bin(n: np.ndarray) -> np.ndarray:
    """0 … 5: the dominant axis of each normal and its sign (a cluster holds elements
    that face the same way: a corner's floor and wall emit into different halves)."""
    ax = np.argmax(np.abs(n), axis=1)
    return 2 * ax + (n[np.arange(len(n)), ax] < 0)


def remainder_smoother(surface, radius: float, min_cos: float = 0.5):
    """Area-weighted Gaussian average (rows sum to 1) over elements within 2·radius whose
    normals differ by less than acos(min_cos): the many-bounce remainder is smooth along
    the surface, its per-element noise (few samples land on one element) is not."""
    from .engine import smoothing_operator

    return smoothing_operator(surface, radius, min_cos).tocsr()


def _rows(tsrc, tdst, C, m):
    """Count matrix n_cj (C, m + 2) of the transitions (columns m: top, m + 1: bottom)."""
    from scipy.sparse import coo_matrix

    col = np.where(tdst >= 0, tdst, m - 1 - tdst)           # −1 → m, −2 → m + 1
    return coo_matrix((np.ones(len(tsrc)), (tsrc, col)), shape=(C, m + 2)).tocsr()


def transition_matrix(tsrc, tdst, fine, coarse, nf, nc, m):
    """P̂ (nf, m + 2) row-stochastic (rows of clusters with no sample at either level: 0)
    and the per-cluster sample counts (fine, after borrowing)."""
    from scipy.sparse import csr_matrix, diags

    Nf = _rows(tsrc, tdst, nf, m)
    nfine = np.asarray(Nf.sum(axis=1)).ravel()
    # the fine → coarse map (any element of the fine cluster gives its parent)
    parent = np.zeros(nf, np.int64)
    ok = fine >= 0
    parent[fine[ok]] = coarse[ok]
    Nc = csr_matrix((np.ones(nf), (parent, np.arange(nf))), shape=(nc, nf)) @ Nf
    ncoarse = np.asarray(Nc.sum(axis=1)).ravel()
    few = nfine < MIN_SAMPLES
    Pf = diags(np.where(nfine > 0, 1.0 / np.maximum(nfine, 1), 0.0)) @ Nf
    Pc = diags(np.where(ncoarse > 0, 1.0 / np.maximum(ncoarse, 1), 0.0)) @ Nc
    sel_f = diags((~few).astype(float))
    borrow = csr_matrix((few.astype(float), (np.arange(nf), parent)), shape=(nf, nc))
    P = (sel_f @ Pf + borrow @ Pc).tocsr()
    n_used = np.where(few, ncoarse[parent], nfine)
    return P, n_used


def _solve(Q: np.ndarray, R: np.ndarray) -> np.ndarray:
    """Z of (I − Qᵀ) Z = R (Gaussian elimination; Q's rows sum to < 1 where anything
    sticks or leaves, and a cluster whose samples all return to the closed set with
    keep = 1 makes the system singular only without any sink: then least squares)."""
    A = np.eye(len(Q)) - Q.T
    try:
        return np.linalg.solve(A, R)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(A, R, rcond=None)[0]


def run_cut(tracer, group: Sequence[Species], n_rays: int, seeds: np.ndarray, *,
            n_hits: int = N_HITS, first: int = FIRST, rr_threshold: float = 0.1, rr_weight: float = 0.3,
            max_events: int = 1_000_000, cluster_size: float | None = None,
            smooth: float | None = SMOOTH, info: dict | None = None):
    """Tallies inc, absb (K, S, m), trans (K, S, 2), counts (K, 3), nrays (K,) of a ray
    group of eligible species, as ``FluxTracer._run`` returns them, by the walk cut after
    ``n_hits`` hits plus the balance (1)–(2) (module docstring).  ``info`` (a dict)
    receives diagnostics: clusters, samples, the lost weight."""
    from scipy.sparse import csr_matrix

    names = tracer.surface.material_names
    per_element = any(sp.per_element for sp in group)
    if per_element:
        emat = np.arange(tracer.n_elements, dtype=np.int64)
        stick = np.stack([sp.element_sticking(names, tracer.emat) for sp in group])
    else:
        emat = tracer.emat
        stick = np.stack([sp.sticking_array(names) for sp in group])
    stick = np.ascontiguousarray(stick, float)
    head, tail, nrays = tracer._arguments(group[0], stick, n_rays, seeds, emat)
    (cd, nrm, emat_, stick_, _spec, stick_tab, _cone, glo, gh, gn, cstart, citems,
     blo, bhi, periodic, z_launch, ztop, skip) = head
    eps, mode, expo, table, seeds_u = tail
    key = ("clusters", cluster_size)
    if key not in tracer.cache:
        tracer.cache[key] = clusters(tracer, cluster_size)
    fine, coarse, nf, nc = tracer.cache[key]
    K_, S, m = len(seeds), len(group), tracer.n_elements
    inc, absb = np.zeros((K_, S, m)), np.zeros((K_, S, m))
    trans, counts = np.zeros((K_, S, 2)), np.zeros((K_, 3), np.int64)
    rem = np.zeros((K_, S, max(nf, 1)))
    cap = int(nrays.max()) * min(max(n_hits - first + 1, 1), 8) + 1
    tsrc = np.zeros((K_, cap), np.int32)
    tdst = np.zeros((K_, cap), np.int32)
    tn = np.zeros(K_, np.int64)
    clus32 = np.ascontiguousarray(np.maximum(fine, 0), np.int64)
    import numba
    with numba.parallel_chunksize(1):
        KH.trace3d_cut(cd, nrm, emat_, stick_, stick_tab, glo, gh, gn, cstart, citems,
                       blo, bhi, periodic, z_launch, ztop, skip, eps, mode, expo, table,
                       seeds_u, nrays, float(rr_threshold),
                       float(max(rr_weight, rr_threshold)), int(max_events), inc, absb,
                       trans, counts, int(n_hits), int(first), clus32, rem, tsrc, tdst, tn)
    sel = np.arange(cap)[None, :] < tn[:, None]
    P, n_used = transition_matrix(tsrc[sel].astype(np.int64), tdst[sel].astype(np.int64),
                                  fine, coarse, nf, nc, m)
    Pel = P[:, :m]
    Pbot = np.asarray(P[:, m + 1].todense()).ravel()
    ok = fine >= 0
    agg = csr_matrix((np.ones(int(ok.sum())), (np.flatnonzero(ok), fine[ok])), shape=(m, nf))
    # elements per column of stick: the per-element sticking of each species
    s_el = stick[:, emat] if not per_element else stick
    dead = np.asarray(P.sum(axis=1)).ravel() <= 0.0
    h = tracer.surface.spacing or float(np.sqrt(2.0 * np.median(tracer.areas[tracer.valid])))
    key = ("smoother", smooth)
    if smooth and key not in tracer.cache:
        tracer.cache[key] = remainder_smoother(tracer.surface, smooth * h)
    Sm = tracer.cache[key] if smooth else None
    lost = 0.0
    for q in range(S):
        keep = np.where(ok, 1.0 - s_el[q], 0.0)
        Qs = (Pel.multiply(keep[None, :]) @ agg).tocsr()          # (nf, nf) sparse
        R = rem[:, q, :].T                                        # (nf, K)
        lost += float(R[dead].sum())
        # clusters that neither send to nor receive from another (e.g. a flat field top:
        # every emission leaves) have z = r; the balance is solved on the others only
        act = np.flatnonzero((np.diff(Qs.indptr) > 0)
                             | (np.bincount(Qs.indices, minlength=nf) > 0))
        Z = R.copy()
        if len(act):
            Qa = Qs[act][:, act].toarray()
            Z[act] = _solve(Qa, R[act])
        Y = Pel.T @ Z                                             # (m, K): flux × area / A
        if Sm is not None:                        # smooth the flux (per area), not the tally
            a_el = np.where(ok, tracer.areas, 1.0)
            Y = (Sm @ (Y / a_el[:, None])) * a_el[:, None]
        Y = np.asarray(Y)
        inc[:, q, :] += Y.T
        absb[:, q, :] += (Y * s_el[q][:, None]).T
        tb = Pbot @ Z
        trans[:, q, 0] += tb
        # second moment: not tracked for the balance part (its rays are not single rays)
    if info is not None:
        info.update(n_fine=nf, n_coarse=nc, samples=int(tn.sum()),
                    min_samples=int(n_used[n_used > 0].min()) if (n_used > 0).any() else 0,
                    lost=lost / max(n_rays, 1), remainder=float(rem.sum()) / max(n_rays, 1) / S)
    return inc, absb, trans, counts, nrays
