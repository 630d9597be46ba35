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

__all__ = ["EPS0", "MU0", "C_LIGHT", "conductivity", "solve_field", "field_derivative", "skin_depth", "CoilField"]

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


def _operator(mesh: Mesh, sigma, omega: float, eps_r, coil, current: float, boundary: dict | None):
    """(A, rhs) of the ψ = r E_θ system A ψ = rhs (module docstring), A complex symmetric."""
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
    A = A.astype(complex) + sp.diags((np.broadcast_to(k2, (nr, nz)) / rc[:, None] * _area(mesh)).ravel())
    rhs = -b.astype(complex)
    src = np.zeros((nr, nz), complex)
    for r_k, z_k in coil:
        i = int(np.clip(np.searchsorted(mesh.r_faces, r_k) - 1, 0, nr - 1))
        j = int(np.clip(np.searchsorted(mesh.z_faces, z_k) - 1, 0, nz - 1))
        src[i, j] += 1j * omega * MU0 * current
    return A, rhs + src.ravel()


def _area(mesh: Mesh) -> np.ndarray:
    return mesh.dr[:, None] * mesh.dz[None, :]


def solve_field(mesh: Mesh, sigma: np.ndarray, omega: float, *, eps_r: np.ndarray | float = 1.0,
                coil: tuple[tuple[float, float], ...] = (), current: float = 1.0,
                boundary: dict | None = None) -> CoilField:
    """E_θ on ``mesh`` for conductivity ``sigma`` (nr, nz) and coil turns ``coil`` = ((r, z), ...)
    each carrying ``current`` (A).  ``boundary`` overrides the metal walls (E_θ = 0) with
    ``{side: ("dirichlet", E_face)}`` for validation problems."""
    A, rhs = _operator(mesh, sigma, omega, eps_r, coil, current, boundary)
    psi = spla.spsolve(A.tocsc(), rhs).reshape(mesh.shape)
    return CoilField(mesh=mesh, E=psi / mesh.r[:, None], sigma=np.broadcast_to(sigma, mesh.shape))


def field_derivative(mesh: Mesh, sigma: np.ndarray, omega: float, shape: tuple[int, int], *,
                     eps_r: np.ndarray | float = 1.0, coil: tuple[tuple[float, float], ...] = ()):
    """(E, dE): E_θ on the cells [:nr, :nz] of ``mesh`` (``shape`` = (nr, nz), the plasma) and
    its derivative dE[i, j] = ∂E_i/∂σ_j (complex σ_j, both flattened over the plasma cells).
    σ_j enters only the diagonal of A, ∂A_jj/∂σ_j = −iωμ₀ a_j/r_j (a_j the cell's area), so
    ∂ψ/∂σ_j = −A⁻¹ e_j (∂A_jj/∂σ_j) ψ_j: one LU of A and one solve per plasma cell."""
    A, rhs = _operator(mesh, sigma, omega, eps_r, coil, 1.0, None)
    lu = spla.splu(A.tocsc())
    psi = lu.solve(rhs)
    nr, nz = shape
    idx = np.arange(mesh.size).reshape(mesh.shape)[:nr, :nz].ravel()
    dA = (-1j * omega * MU0 * _area(mesh) / mesh.r[:, None]).ravel()[idx]
    unit = np.zeros((mesh.size, idx.size), complex)
    unit[idx, np.arange(idx.size)] = 1.0
    G = lu.solve(unit)[idx]                            # (A⁻¹)_ij over the plasma cells
    r_p = np.broadcast_to(mesh.r[:, None], mesh.shape).ravel()[idx]
    E = psi[idx] / r_p
    dE = -G * (dA * psi[idx])[None, :] / r_p[:, None]
    return E.reshape(shape), dE
