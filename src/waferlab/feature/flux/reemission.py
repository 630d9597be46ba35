"""Neutral fluxes in 2D by a radiosity solve: diffuse re-emission without a random walk.

A neutral with a cosine (isotropic-flux) source, a sticking s_e per element (per material
or per element, any values in [0, 1]), no specular part and no angle-dependent sticking
obeys, element by element (incident flux Γ_e normalised to the open-field flux Γ0,
elements of length a_e, view factor F_ij from element i to element j),

    Γ_j = D_j + Σ_i F_ij a_i (1 − s_i) Γ_i / a_j,                                   (1)

the radiosity balance of diffuse emitters (Siegel & Howell, *Thermal Radiation Heat
Transfer*, 4th ed., 2002, ch. 5; reciprocity a_i F_ij = a_j F_ji turns "what i sends to
j" into the flux at j).  D_j, the flux straight from the source, is by the same
reciprocity the fraction of j's own cosine emission that leaves through the top: a cosine
source above the surface is a diffuse emitter of unit radiosity, so D_j = F_j→top.  The
flux engine's Monte Carlo walk (``_kernels.trace2d``) estimates the same Γ by following
each particle from hit to hit; inside a feature its noise is that of the random
re-emission directions, which the stratified launch (session 13) does not touch.

View factors (``_emit_kernels.sweep2d``): in 2D the diffuse emission of a point has
sin φ uniform on [−1, 1] (the in-plane projection of the cosine law, the kernel's
re-emission and Hottel's crossed strings alike), and between the directions of two
consecutive surface vertices (and their images across the domain sides) it sees one
element, found by one cast.  So F(point → j) is exact, and F_ij is its Gauss–Legendre
mean over ``GAUSS`` points of element i (2; 3 and 5 give the same region means
to 1e-5).  The result is deterministic: no noise, a
quadrature error (the point factor is smooth along i except where a shadow edge
crosses it), checked against Hottel's crossed strings in a rectangular trench
(``radiosity.trench_transport``: tests/feature/flux/test_reemission.py).  Cost: about
(3 × vertices) casts per Gauss point, i.e. O(m²) for m elements, once per surface
(``FluxTracer.view_factors``), shared by every such species and every coverage re-trace
of the surface, which then costs one dense solve of (1).

Assumption, as in any radiosity method: each element re-emits uniformly along itself
(the walk re-emits from the hit point); the difference is of the order of the flux's
variation over one element.

Transmission through an open bottom: T = Σ_e a_e (1 − s_e) Γ_e F_e→bottom / A + T_direct
with T_direct = 1 − Σ_e a_e D_e / A (what the source sends past every element; A: the
domain width).  Standard errors are 0 (nothing random); the per-chunk estimates that
``region_mean`` reads are the solution itself.

Not done in 3D: the exact point-to-triangle factors with visibility are a hemicube-like
problem whose O(m²) cost at 10⁴–10⁵ triangles exceeds the walk's; an emission-sampled F
(n stratified rays per element) was tried in 2D first and gave 4× the walk's noise at
equal CPU (the targets are single elements, smaller than a direction stratum, so each
F_ij is a Bernoulli count).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from . import _emit_kernels as KE
from .sources import Species

__all__ = ["REEMISSIONS", "GAUSS", "eligible", "view_factors", "radiosity_fluxes"]

REEMISSIONS = ("mc", "radiosity", "hybrid")   # hybrid: 2D as radiosity, 3D ``hybrid``
GAUSS = 2                 # Gauss–Legendre points per emitting element (3: the same to 1e-5)
N_UNIFORM = 64            # extra equal cuts of sin φ (guards the side images' corners)
DENSE_MAX = 600           # up to this many elements (1) is solved by LU, above by GMRES
MAX_ELEMENTS = 2000       # larger 2D surfaces: the walk (F and its transpose: 2 m² doubles)


def eligible(sp: Species, dim: int, n_elements: int) -> bool:
    """Whether ``sp`` can be solved by radiosity on a ``dim``-D surface of ``n_elements``
    elements: 2D, no per-hit yields, a cosine source (cosⁿ with n = 1), no specular
    re-emission, no angle-dependent sticking."""
    if dim != 2 or n_elements > MAX_ELEMENTS or sp.yield_channels:
        return False
    mode, expo, _ = sp.source_params()
    if mode != 0 or expo != 1.0:
        return False
    if np.any(np.asarray(sp.specular_table()) != 0.0):
        return False
    tab = np.asarray(sp.sticking_angle_table())
    return bool(tab.shape[0] == 1 and tab[0] == 1.0)


def view_factors(tracer, *, gauss: int = GAUSS, n_uniform: int = N_UNIFORM,
                 max_events: int = 10_000, brute: bool = False) -> np.ndarray:
    """F (m, m + 3) of ``tracer``'s 2D surface: columns 0 … m − 1 the elements, then the
    top, the bottom and what was dropped (after ``max_events`` side crossings); rows of
    valid elements sum to 1.  ``brute``: one cast per interval of every sweep and every
    image vertex a cut (the reference the hand-over rule and the pruning of
    ``sweep2d`` are tested against)."""
    if tracer.dim != 2:
        raise ValueError("view_factors: 2D surfaces only")
    m = tracer.n_elements
    pts = np.ascontiguousarray(tracer.surface.points, float)[:, :2]
    el = np.asarray(tracer.surface.elements, np.int64)
    ends = np.ascontiguousarray(pts[el])
    vel = _vertex_elements(el, len(pts))
    lo, hi = float(tracer.lateral[0, 0]), float(tracer.lateral[0, 1])
    size = float(np.linalg.norm(ends[:, 1] - ends[:, 0], axis=1).max()) * 1.01
    side_y = np.array([_lowest(pts, abs(pts[:, 0] - lo) <= size),
                       _lowest(pts, abs(pts[:, 0] - hi) <= size)])
    if brute:
        side_y[:] = -np.inf
    x, w = np.polynomial.legendre.leggauss(int(gauss))
    F = np.zeros((m, m + 3))
    KE.sweep2d(tracer.cdata, tracer.normals, ends, np.ascontiguousarray(pts),
               np.ascontiguousarray(el), vel, np.ascontiguousarray(tracer.valid), tracer.glo,
               tracer.gh, tracer.gn, tracer.cstart, tracer.citems,
               float(tracer.lateral[0, 0]), float(tracer.lateral[0, 1]),
               tracer.surface.boundary == "periodic", tracer.eps, 0.5 * (x + 1.0), 0.5 * w,
               int(n_uniform), int(max_events), bool(brute), side_y, F)
    return F


def _solve(FT: np.ndarray, a: np.ndarray, keep: np.ndarray, D: np.ndarray) -> np.ndarray:
    """Γ of (1): (I − A) Γ = D with A Γ = (Fᵀ (a (1 − s) Γ)) / a, by GMRES (Saad &
    Schultz, SIAM J. Sci. Stat. Comput. 7, 1986) to a relative residual of 1e-12 from
    Γ = D (the spectrum of A lies in the disk of radius max(1 − s) < 1 around 0: a few
    tens of products with the dense F); Gaussian elimination (``_emit_kernels.solve_balance``)
    up to ``DENSE_MAX`` elements and where GMRES stalls."""
    n = len(a)
    w = a * keep
    if n <= DENSE_MAX:                 # small: one LU is cheaper than GMRES's Python loop
        return KE.solve_balance(FT, a, w, np.ascontiguousarray(D, float))
    from scipy.sparse.linalg import LinearOperator, gmres


    def mv(x):
        x = np.ravel(x)
        return x - (FT @ (w * x)) / a

    op = LinearOperator((n, n), matvec=mv, dtype=float)
    x, info = gmres(op, D, x0=D.copy(), rtol=1e-12, atol=0.0, restart=60, maxiter=20)
    if info != 0:
        x = KE.solve_balance(FT, a, w, np.ascontiguousarray(D, float))
    return x


def _lowest(pts: np.ndarray, near: np.ndarray) -> float:
    """The lowest vertex height among ``near`` (−∞: none, no image is left out), less a
    margin of 1e-9 of the extent."""
    if not near.any():
        return -np.inf
    return float(pts[near, 1].min()) - 1e-9 * float(np.ptp(pts))


def _vertex_elements(el: np.ndarray, n_points: int) -> np.ndarray:
    """(n_points, 2): the elements at each vertex (−1: none; a vertex shared by more than
    two elements keeps the first two, and the sweep casts where that matters)."""
    vel = np.full((n_points, 2), -1, np.int64)
    v = el.ravel()
    e = np.repeat(np.arange(len(el)), 2)
    order = np.argsort(v, kind="stable")
    v, e = v[order], e[order]
    first = np.r_[True, v[1:] != v[:-1]]
    vel[v[first], 0] = e[first]
    second = np.r_[False, (v[1:] == v[:-1]) & first[:-1]]
    vel[v[second], 1] = e[second]
    return vel


def radiosity_fluxes(tracer, species: Sequence[Species], F: np.ndarray, n_chunks: int,
                     smoother=None, keep_chunks: bool = False) -> dict:
    """SpeciesFlux of every species in ``species`` (all ``eligible``) on ``tracer``'s
    surface from its view factors ``F`` (module docstring)."""
    from .engine import SpeciesFlux

    names = tracer.surface.material_names
    m = tracer.n_elements
    valid = tracer.valid
    idx = np.flatnonzero(valid)
    a = tracer.areas[idx]
    FT = np.ascontiguousarray(F[np.ix_(idx, idx)].T)
    D = F[idx, m]
    Fb = F[idx, m + 1]
    A_dom = tracer.domain_area
    T_direct = 1.0 - float((a * D).sum()) / A_dom
    out = {}
    for sp in species:
        s = np.asarray(sp.element_sticking(names, tracer.emat), float)
        keep = 1.0 - s[idx]
        g = np.full(m, np.nan)
        g[idx] = _solve(FT, a, keep, D) if len(idx) else 0.0
        T = T_direct + float((a * keep * g[idx] * Fb).sum()) / A_dom
        inc = g
        if smoother is not None:
            inc = np.asarray(smoother @ np.nan_to_num(g))
            inc[~valid] = np.nan
        absb = inc * s
        zero = np.where(valid, 0.0, np.nan)
        chunks = None
        if keep_chunks:
            chunks = {"incident": np.tile(inc, (n_chunks, 1)),
                      "absorbed": np.tile(absb, (n_chunks, 1)),
                      "weights": np.full(n_chunks, 1.0 / n_chunks)}
        out[sp.name] = SpeciesFlux(
            incident=inc, absorbed=absb, stderr=zero, absorbed_stderr=zero.copy(),
            transmitted=T, transmitted_stderr=0.0, n_rays=0, lost_top=0,
            dropped=0, chunks=chunks)
    return out
