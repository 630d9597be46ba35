"""Langmuir–Hinshelwood site balances for k adsorbed species sharing one set of sites.

For species i with adsorption flux G_i (m⁻²s⁻¹: sticking on a bare site × incident
flux), loss L_i (m⁻²s⁻¹ per unit coverage: thermal reaction/desorption + ion-induced
removal) and site density σ (m⁻²):

    σ dθ_i/dt = G_i (1 − Σ_j θ_j) − L_i θ_i                                   (1)

Steady state (competitive Langmuir adsorption):

    θ_i = (G_i/L_i) / (1 + Σ_j G_j/L_j) = G_i P_i / (Π_j L_j + Σ_j G_j P_j),
    P_i = Π_{j≠i} L_j                                                          (2)

(the product form stays finite for L_i = 0; a species with G_i = 0 has θ_i = 0, the
clean-surface limit).

Transient: (1) is linear with constant coefficients over a step; ``transient_coverages``
integrates it exactly for k ≤ 2 (closed-form 2×2 matrix exponential) or by implicit
Euler (first order, unconditionally stable, coverages stay in [0, 1]) for any k.
All arrays broadcast over surface points: G, L have shape (k, m) or (k,).
"""
from __future__ import annotations

import numpy as np

__all__ = ["steady_coverages", "transient_coverages", "relaxation_time"]


def _prep(adsorption, loss) -> tuple[np.ndarray, np.ndarray]:
    G = np.asarray(adsorption, dtype=float)
    L = np.asarray(loss, dtype=float)
    if G.ndim == 0 or L.ndim == 0:
        raise ValueError("adsorption and loss need a leading species axis (k, ...)")
    G, L = np.broadcast_arrays(G, L)
    if np.any(G < 0) or np.any(L < 0):
        raise ValueError("adsorption fluxes and loss rates must be >= 0")
    return G, L


def steady_coverages(adsorption, loss) -> np.ndarray:
    """Steady coverages θ (k, ...) of eq. (2) for adsorption G and loss L (k, ...)."""
    G, L = _prep(adsorption, loss)
    # a species that does not adsorb has θ_i = 0 and drops out of (2): every other term
    # carries L_i as a factor, so L_i may be replaced by 1 (this also covers G_i = L_i = 0)
    L = np.where(G > 0, L, 1.0)
    k = G.shape[0]
    P = np.empty_like(L)
    for i in range(k):
        P[i] = np.prod(np.delete(L, i, axis=0), axis=0) if k > 1 else 1.0
    prodL = np.prod(L, axis=0)
    num = G * P
    den = prodL + num.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        theta = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    return theta


def relaxation_time(adsorption, loss, site_density: float) -> np.ndarray:
    """Slowest relaxation time (s) of eq. (1): σ / (smallest eigenvalue of diag(L) + G 1ᵀ)."""
    G, L = _prep(adsorption, loss)
    k = G.shape[0]
    if k == 1:
        lam = G[0] + L[0]
    elif k == 2:
        a, b, c, d = L[0] + G[0], G[0], G[1], L[1] + G[1]
        s = 0.5 * (a + d)
        q = np.sqrt(np.maximum(s * s - (a * d - b * c), 0.0))
        lam = s - q
    else:
        Gm = np.moveaxis(G, 0, -1)
        Lm = np.moveaxis(L, 0, -1)
        A = Gm[..., :, None] + Lm[..., :, None] * np.eye(k)
        lam = np.linalg.eigvals(A).real.min(axis=-1)
    with np.errstate(divide="ignore"):
        return np.where(lam > 0, site_density / np.where(lam > 0, lam, 1.0), np.inf)


def transient_coverages(theta0, adsorption, loss, site_density: float, dt: float, *,
                        method: str = "exact") -> np.ndarray:
    """Coverages after time ``dt`` (s) of eq. (1) from ``theta0`` (k, ...).

    method  "exact" (k ≤ 2: θ(t) = θ* + e^{Mt}(θ₀ − θ*), M = −(diag L + G 1ᵀ)/σ)
            or "implicit" (one backward-Euler step, solved by Sherman–Morrison)
    """
    G, L = _prep(adsorption, loss)
    th0 = np.broadcast_to(np.asarray(theta0, dtype=float), G.shape)
    if not site_density > 0:
        raise ValueError(f"site_density = {site_density} must be > 0 (sites per m²)")
    if not dt >= 0:
        raise ValueError(f"dt = {dt} must be >= 0")
    k = G.shape[0]
    if method == "implicit":
        # (D + u 1ᵀ) θ = θ0 + u,  D = 1 + dt L/σ,  u = dt G/σ
        u = dt * G / site_density
        D = 1.0 + dt * L / site_density
        b = th0 + u
        Db = b / D
        Du = u / D
        return Db - Du * (Db.sum(axis=0) / (1.0 + Du.sum(axis=0)))
    if method != "exact":
        raise ValueError(f"method {method!r} is unknown; use 'exact' or 'implicit'")
    star = steady_coverages(G, L)
    r = th0 - star
    if k == 1:
        return star + np.exp(-(G[0] + L[0]) * dt / site_density)[None] * r
    if k != 2:
        raise ValueError(f"method 'exact' handles 1 or 2 species, got {k}; use 'implicit'")
    # A = diag(L) + G 1ᵀ ;  e^{-A t'} with t' = dt/σ, via eigenvalues λ± = s ± q (real)
    t = dt / site_density
    a, b = L[0] + G[0], G[0]
    c, d = G[1], L[1] + G[1]
    s = 0.5 * (a + d)
    q = np.sqrt(np.maximum(s * s - (a * d - b * c), 0.0))
    e_m = np.exp(-(s - q) * t)          # slow mode
    e_p = np.exp(-(s + q) * t)          # fast mode
    ch = 0.5 * (e_m + e_p)              # e^{-st} cosh(qt)
    small = q * t < 1e-8
    with np.errstate(invalid="ignore", divide="ignore"):
        sh = np.where(small, np.exp(-s * t) * t, 0.5 * (e_m - e_p) / np.where(small, 1.0, q))
    # e^{-At} = e^{-st}[cosh(qt) I − sinh(qt)/q (A − sI)]
    m00 = ch - sh * (a - s)
    m01 = -sh * b
    m10 = -sh * c
    m11 = ch - sh * (d - s)
    return star + np.stack([m00 * r[0] + m01 * r[1], m10 * r[0] + m11 * r[1]])
