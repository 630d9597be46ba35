"""Inductive field of an ICP coil: frequency-domain azimuthal E_θ(r, z).

With time dependence exp(iωt), Maxwell's equations for a purely azimuthal field give
(Lieberman & Lichtenberg 2005, §12.1; Kolobov & Economou, Plasma Sources Sci. Technol.
6, R1, 1997)

    (∇² − 1/r²) E_θ + k² E_θ = iωμ₀ J_coil,     k² = k₀² ε_r − iωμ₀ σ,

with the collisional cold-plasma conductivity σ = n_e e²/(m_e (ν_m + iω)) (L&L eq. 4.2.20).
Writing ψ = r E_θ turns the operator into the self-adjoint flux form

    ∂_r[(1/r) ∂_r ψ] + (1/r) ∂_z² ψ + (k²/r) ψ = iωμ₀ J_coil,

discretised with two-point fluxes on the planar (r, z) cells; ψ = 0 on the metal walls
and on the axis, where ψ ≈ c r² gives the axis flux (1/r)∂_rψ = 2ψ/r².  A coil turn of
current I at (r_k, z_c) is a point source iωμ₀ I in the cell that holds it.  The power
density is p = ½ Re(σ) |E_θ|² (L&L eq. 12.1.x), scaled afterwards to the absorbed power.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ...constants import EV, M_E
from .mesh import Mesh, diffusion_operator

__all__ = ["EPS0", "MU0", "C_LIGHT", "conductivity", "solve_field", "skin_depth", "CoilField"]

EPS0 = 8.8541878128e-12
MU0 = 1.25663706212e-6
C_LIGHT = 299792458.0


def conductivity(n_e, nu_m, omega):
    """σ = n_e e² / (m_e (ν_m + iω))  (S/m), complex."""
    return np.asarray(n_e) * EV ** 2 / (M_E * (np.asarray(nu_m) + 1j * omega))


def skin_depth(n_e: float, nu_m: float, omega: float) -> float:
    """1/Re(κ), κ² = −k² = iωμ₀σ − k₀²: the decay length of E_θ in a uniform plasma (m)."""
    kappa = np.sqrt(1j * omega * MU0 * conductivity(n_e, nu_m, omega) - (omega / C_LIGHT) ** 2)
    return float(1.0 / abs(kappa.real))


@dataclass(frozen=True)
class CoilField:
    """E_θ (V/m, complex, per unit coil current) on the EM mesh, and σ there."""

    mesh: Mesh
    E: np.ndarray
    sigma: np.ndarray

    def power_density(self) -> np.ndarray:
        """½ Re(σ) |E_θ|² (W/m³ per A² of coil current)."""
        return 0.5 * self.sigma.real * np.abs(self.E) ** 2


def solve_field(mesh: Mesh, sigma: np.ndarray, omega: float, *, eps_r: np.ndarray | float = 1.0,
                coil: tuple[tuple[float, float], ...] = (), current: float = 1.0,
                boundary: dict | None = None) -> CoilField:
    """E_θ on ``mesh`` for conductivity ``sigma`` (nr, nz) and coil turns ``coil`` = ((r, z), ...)
    each carrying ``current`` (A).  ``boundary`` overrides the metal walls (E_θ = 0) with
    ``{side: ("dirichlet", E_face)}`` for validation problems."""
    nr, nz = mesh.shape
    rc = mesh.r
    k_r = np.empty((nr + 1, nz))
    k_r[1:] = 1.0 / mesh.r_faces[1:, None]
    k_r[0] = 2.0 / rc[0]                                   # ψ ≈ c r² at the axis
    k_z = np.broadcast_to((1.0 / rc)[:, None], (nr, nz + 1))
    bc = {"axis": ("dirichlet", 0.0), "r_max": ("dirichlet", 0.0), "z_min": ("dirichlet", 0.0),
          "z_max": ("dirichlet", 0.0)}
    for side, (kind, val) in (boundary or {}).items():
        r_face = mesh.r_faces[-1] if side == "r_max" else rc
        bc[side] = (kind, np.asarray(val) * r_face)        # E -> ψ = r E
    A, b = diffusion_operator(mesh, None, bc, axisym=False, k_face_r=k_r, k_face_z=k_z)
    k2 = (omega / C_LIGHT) ** 2 * eps_r - 1j * omega * MU0 * np.asarray(sigma)
    area = mesh.dr[:, None] * mesh.dz[None, :]
    A = A.astype(complex) + sp.diags((np.broadcast_to(k2, (nr, nz)) / rc[:, None] * area).ravel())
    rhs = -b.astype(complex)
    src = np.zeros((nr, nz), complex)
    for r_k, z_k in coil:
        i = int(np.clip(np.searchsorted(mesh.r_faces, r_k) - 1, 0, nr - 1))
        j = int(np.clip(np.searchsorted(mesh.z_faces, z_k) - 1, 0, nz - 1))
        src[i, j] += 1j * omega * MU0 * current
    rhs = rhs + src.ravel()
    psi = spla.spsolve(A.tocsc(), rhs).reshape(nr, nz)
    return CoilField(mesh=mesh, E=psi / rc[:, None], sigma=np.broadcast_to(sigma, (nr, nz)))
