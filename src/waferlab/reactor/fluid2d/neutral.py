"""Neutral gas: temperature from the steady heat equation, and the axial Stokes flow.

Heat: ∇·(k(T)∇T) + Q = 0 with k = k₀ (T/T₀)^a.  The Kirchhoff transform
Φ(T) = ∫_{T₀}^T k dT' = k₀T₀/(a+1)·[(T/T₀)^{a+1} − 1] makes it linear, ∇²Φ = −Q
(Carslaw & Jaeger, *Conduction of Heat in Solids*, 2nd ed., 1959, §1.7), solved with the
finite-volume operator of :mod:`.mesh`; T follows from Φ exactly.  Argon: k₀ = 0.0177 W/m/K
at 300 K and a = 0.73, a power law through the dilute-gas conductivity of Lemmon &
Jacobsen (Int. J. Thermophys. 25, 21, 2004) between 300 and 1000 K.  The walls are held at
their temperature (no temperature jump: at 1 mTorr the mean free path of argon, ~5 mm, is
a few per cent of the chamber, so the jump lowers T_g near the walls by that order).

Flow: the axial momentum equation of fully developed Stokes flow, (1/r)∂_r(r μ ∂_r u) = dp/dz,
u = 0 on the wall, with the same operator (Hagen–Poiseuille: u = G(R² − r²)/(4μ), G = −dp/dz).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse.linalg as spla

from .mesh import SIDES, Mesh, diffusion_operator

__all__ = ["Conductivity", "ARGON_CONDUCTIVITY", "gas_temperature", "axial_stokes_velocity"]


@dataclass(frozen=True, kw_only=True)
class Conductivity:
    """k(T) = k0 (T/T0)^a (W/m/K)."""

    k0: float
    T0: float = 300.0
    a: float = 0.0

    def __call__(self, T):
        return self.k0 * (np.asarray(T) / self.T0) ** self.a

    def kirchhoff(self, T):
        """Φ(T) = ∫_{T0}^T k dT' (W/m)."""
        return self.k0 * self.T0 / (self.a + 1) * ((np.asarray(T) / self.T0) ** (self.a + 1) - 1.0)

    def inverse(self, phi):
        """T(Φ)."""
        base = 1.0 + (self.a + 1) * np.asarray(phi) / (self.k0 * self.T0)
        return self.T0 * np.maximum(base, 1e-12) ** (1.0 / (self.a + 1))


ARGON_CONDUCTIVITY = Conductivity(k0=0.0177, T0=300.0, a=0.73)


def gas_temperature(mesh: Mesh, Q: np.ndarray, walls: dict[str, float | None],
                    conductivity: Conductivity = ARGON_CONDUCTIVITY) -> np.ndarray:
    """Steady T (K), shape (nr, nz), for heating Q (W/m³); ``walls[side]`` a temperature (K)
    or None for an insulated wall (sides r_max, z_min, z_max; the axis is symmetric)."""
    bc = {}
    for side in SIDES:
        T_w = walls.get(side)
        bc[side] = ("neumann", 0.0) if T_w is None else ("dirichlet", float(conductivity.kirchhoff(T_w)))
    A, b = diffusion_operator(mesh, np.ones(mesh.shape), bc)
    phi = spla.spsolve(A.tocsc(), -(np.asarray(Q) * mesh.volume).ravel() - b)
    return conductivity.inverse(phi).reshape(mesh.shape)


def axial_stokes_velocity(mesh: Mesh, mu: float, dpdz: float) -> np.ndarray:
    """Fully developed axial velocity u(r) (m/s), shape (nr, nz), in a tube of radius
    mesh.r_faces[-1]: ∇·(μ∇u) = dp/dz, u = 0 at r = R, no z variation."""
    bc = {"r_max": ("dirichlet", 0.0), "z_min": ("neumann", 0.0), "z_max": ("neumann", 0.0)}
    A, b = diffusion_operator(mesh, np.full(mesh.shape, mu), bc)
    u = spla.spsolve(A.tocsc(), (dpdz * mesh.volume).ravel() - b)
    return u.reshape(mesh.shape)
