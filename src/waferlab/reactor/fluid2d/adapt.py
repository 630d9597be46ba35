"""Solution-adaptive z grading of the multi-species model (``mesh.adapt``).

In an electronegative plasma the potential is not smooth on the scale of the chamber: the
stratification front where n_−/n_e crosses 1 (Lichtenberg et al., J. Appl. Phys. 81, 2539,
1997) and the edge layer above the wafer carry most of the potential drop seen by the ions
over a few millimetres.  The positive ions' Scharfetter–Gummel fluxes are exact only for a
Boltzmann-like species; across an ion–ion layer their error grows with the potential step per
cell eΔφ/T_i (+5 % at 0.8 T_i, +34 % at 2.2 T_i, :func:`.species.potential_steps`), so a grading
fixed in advance (Vinokur's, refined by 1.5 per level) converges at order ≈ 1.2 and the default
24 × 32 mesh over-estimated the SF6/O2 wafer ion flux by +39 %.

The adaptive grading follows de Boor's equidistribution principle (de Boor, *Good approximation
by splines with variable knots II*, Lecture Notes in Math. 363, 1974; Huang & Russell,
*Adaptive Moving Mesh Methods*, Springer 2011, §2.2): after a steady solve on a coarse mesh the
z faces are placed so that every cell carries the same share of the monitor

    ρ(z) = α + m(z),   m(z) = max_{r < R_wafer} |∂φ/∂z| / T_i,   α = (1/L)∫ m dz,

(∂φ/∂z = T_e ∂ln n_e/∂z + ∂T_e/∂z, the Boltzmann electrons' potential; α, the monitor's mean,
Huang & Russell's choice, gives about half of the cells to the potential and half uniformly),
with the cell size h = 1/(c ρ) bounded by the end cells and the growth rate: h(z) ≤ h_0 + γz,
h(z) ≤ h_L + γ(L − z) and |dh/dz| ≤ γ = ln q (neighbouring cells at most q apart), c chosen so
that ∫dz/h = n_z (:func:`equidistributed_faces`).  The steady state is then solved on the
new mesh from the same start as a plain run (the coarse state interpolated to it was further
from its steady state: see docs/reactor.md).
"""
from __future__ import annotations

import dataclasses

import numpy as np
from scipy.optimize import brentq

from .mesh import Mesh

__all__ = ["equidistributed_faces", "potential_monitor", "with_mesh", "ADAPT_GROWTH",
           "ADAPT_WAFER_CELL"]

# Largest ratio of neighbouring cells of the adapted grading (below model.MAX_GROWTH = 1.6; from
# a 0.5 mm wafer cell it leaves about a third of the default 32 cells of a 38 cm chamber free
# for the monitor).
ADAPT_GROWTH = 1.5
# Wafer cell of the adapted grading (m): the edge layer above the wafer (the first-face excess
# of the SG flux is below 5 % there at 0.5 mm in the SF6/O2 benchmark; bench/bench_fluid2d_mesh.py).
ADAPT_WAFER_CELL = 0.5e-3


def _limit_growth(h: np.ndarray, s: np.ndarray, gamma: float) -> np.ndarray:
    """The largest function ≤ h with |dh/ds| ≤ gamma on the points s (two sweeps)."""
    h = h.copy()
    ds = np.diff(s)
    for k in range(1, h.size):
        h[k] = min(h[k], h[k - 1] + gamma * ds[k - 1])
    for k in range(h.size - 2, -1, -1):
        h[k] = min(h[k], h[k + 1] + gamma * ds[k])
    return h


def equidistributed_faces(z: np.ndarray, monitor: np.ndarray, length: float, n: int, h_first: float | None,
                          h_last: float | None, growth: float = ADAPT_GROWTH, samples: int = 4001) -> np.ndarray:
    """n + 1 faces on [0, length] that equidistribute ρ = α + m (m: ``monitor`` ≥ 0 at the points
    ``z``, linear between them; α its mean) under the end cells ``h_first``, ``h_last`` (None: no
    end cell) and the growth ratio ``growth`` (module docstring).  The cell size h(s) = min(1/(cρ), h_first e^{γ}…)
    is found on ``samples`` points; the faces are the levels k = 0..n of ∫_0^z ds/h(s), so a
    cell is h(s) to O(γ h) and carries 1/c of ∫ρ where the monitor sets the size."""
    s = np.linspace(0.0, length, samples)
    m = np.maximum(np.interp(s, z, monitor), 0.0)
    mean = float(np.trapezoid(m, s) / length)
    rho = (mean if mean > 0 else 1.0) + m
    gamma = float(np.log(growth))
    # h = h0 + γs integrates to one cell over [0, h0 (e^γ − 1)/γ]: start from h0 γ/(e^γ − 1)
    f = gamma / np.expm1(gamma)
    ends = np.full(samples, np.inf)
    if h_first is not None:
        ends = np.minimum(ends, f * h_first + gamma * s)
    if h_last is not None:
        ends = np.minimum(ends, f * h_last + gamma * (length - s))

    def h_of(c: float) -> np.ndarray:
        return _limit_growth(np.minimum(1.0 / (c * rho), ends), s, gamma)

    def cells(c: float) -> float:
        return float(np.trapezoid(1.0 / h_of(c), s))

    lo = 1e-12 / float(rho.max() * length)
    if cells(lo) > n:
        raise ValueError(f"{n} cells cannot grade from the end cells ({h_first} m, {h_last} m) at a growth "
                         f"of {growth}: {cells(lo):.1f} cells needed")
    hi = 1.0
    while cells(hi) < n:
        hi *= 4.0
    c = brentq(lambda c: cells(c) - n, lo, hi, xtol=1e-14, rtol=1e-12)
    w = 1.0 / h_of(c)
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (w[1:] + w[:-1]) * np.diff(s))])
    faces = np.interp(np.arange(n + 1) * cum[-1] / n, cum, s)
    faces[0], faces[-1] = 0.0, length
    return faces


def potential_monitor(mesh: Mesh, n_e: np.ndarray, T_e: np.ndarray, T_i: float, columns: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """(z of the interior faces, m = max over ``columns`` of |∂φ/∂z|/T_i there) with
    ∂φ/∂z = T̄_e Δln n_e/Δz + ΔT_e/Δz between neighbouring cell centres (the potential steps of
    :func:`.species.potential_steps` per unit length); the end points repeat the end values.  The
    first and last interior faces (more than 4 faces) take their neighbours' values: the
    presheath there steepens without bound as the wall cell shrinks, and the end cells and the
    growth limit grade it (:func:`equidistributed_faces`)."""
    dz = np.diff(mesh.z)
    lnne = np.log(n_e)
    grad = np.abs(0.5 * (T_e[:, 1:] + T_e[:, :-1]) * np.diff(lnne, axis=1) + np.diff(T_e, axis=1)) / dz / T_i
    m = grad[columns].max(axis=0)
    if m.size > 4:                  # the faces next to the walls: the presheath, graded by the end cells
        m[0], m[-1] = m[1], m[-2]
    zf = mesh.z_faces
    return (np.concatenate([[zf[0]], zf[1:-1], [zf[-1]]]), np.concatenate([[m[0]], m, [m[-1]]]))


def with_mesh(setup, r_faces: np.ndarray, z_faces: np.ndarray):
    """``setup`` on the plasma mesh (r_faces, z_faces) (same chamber extent); the EM mesh keeps its
    window and air layers beyond the plasma."""
    old, em = setup.mesh, setup.em_mesh
    mesh = Mesh(np.asarray(r_faces, float), np.asarray(z_faces, float))
    cyl = setup.settings.coil.type == "cylindrical"
    if cyl:
        outer = em.r_faces[old.nr + 1:]
        em_mesh = Mesh(np.concatenate([mesh.r_faces, outer]), mesh.z_faces)
        eps = np.ones(em_mesh.shape)
        eps[mesh.nr:, :] = setup.eps_r[old.nr:, :1]
    else:
        outer = em.z_faces[old.nz + 1:]
        em_mesh = Mesh(mesh.r_faces, np.concatenate([mesh.z_faces, outer]))
        eps = np.ones(em_mesh.shape)
        eps[:, mesh.nz:] = setup.eps_r[:1, old.nz:]
    return dataclasses.replace(setup, mesh=mesh, em_mesh=em_mesh, eps_r=eps)
