"""Neutral gas: temperature from the steady heat equation, and the axial Stokes flow.

Heat: ∇·(k(T)∇T) + Q = 0 with k = k₀ (T/T₀)^a.  The Kirchhoff transform
Φ(T) = ∫_{T₀}^T k dT' = k₀T₀/(a+1)·[(T/T₀)^{a+1} − 1] makes it linear, ∇²Φ = −Q
(Carslaw & Jaeger, *Conduction of Heat in Solids*, 2nd ed., 1959, §1.7), solved with the
finite-volume operator of :mod:`.mesh`; T follows from Φ exactly.  Argon: k₀ = 0.0177 W/m/K
at 300 K and a = 0.73, a power law through the dilute-gas conductivity of Lemmon &
Jacobsen (Int. J. Thermophys. 25, 21, 2004) between 300 and 1000 K.  Other feeds of Ar, SF6
and O2 take the mixture conductivity of :func:`feed_conductivity` (Wassiljewa's rule with
the Mason–Saxena coefficients); a feed with any other gas keeps argon's.  The walls are held at
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

__all__ = ["Conductivity", "PowerSumConductivity", "GasConductivity", "ARGON_CONDUCTIVITY", "PURE_GASES",
           "feed_conductivity", "wassiljewa", "gas_temperature", "axial_stokes_velocity"]


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


@dataclass(frozen=True, kw_only=True)
class PowerSumConductivity:
    """k(T) = c0 + c1 (T/T0)^a (W/m/K; c1, a > 0, so k rises with T): the form that follows the
    dilute-gas conductivity of a polyatomic gas, whose internal modes make k(T) steeper than
    a single power law at low T.  Φ(T) = ∫_{T0}^T k dT' = c0 (T − T0) + c1 T0/(a+1)·[(T/T0)^{a+1} − 1]."""

    c0: float
    c1: float
    a: float
    T0: float = 300.0

    def __call__(self, T):
        return self.c0 + self.c1 * (np.asarray(T) / self.T0) ** self.a

    def kirchhoff(self, T):
        t = np.asarray(T) / self.T0
        return self.T0 * (self.c0 * (t - 1.0) + self.c1 / (self.a + 1) * (t ** (self.a + 1) - 1.0))

    def inverse(self, phi):
        """T(Φ) by Newton (Φ is increasing and convex-or-concave smooth; 30 steps from the
        constant-k guess reach 1e-12 for T within 200–5000 K)."""
        phi = np.asarray(phi, float)
        T = np.maximum(self.T0 + phi / self(self.T0), 0.3 * self.T0)
        for _ in range(60):
            step = (self.kirchhoff(T) - phi) / np.maximum(self(T), 1e-6)
            T = np.maximum(T - step, 0.3 * self.T0)
            if np.all(np.abs(step) <= 1e-12 * T):
                break
        return T


GasConductivity = Conductivity | PowerSumConductivity

# Pure gases: molar mass (kg/mol), viscosity at 300 K (Pa s) and the dilute-gas conductivity
# k(T) (W/m/K), fitted as c0 + c1 (T/300 K)^a to the reference correlations at 300–1000 K
# every 25 K: SF6, Assael et al., J. Phys. Chem. Ref. Data 41, 023104 (2012) (within 1.1 %;
# viscosity Quiñones-Cisneros et al., J. Phys. Chem. Ref. Data 41, 023102, 2012); O2 and Ar,
# Lemmon & Jacobsen, Int. J. Thermophys. 25, 21 (2004) (within 0.03 % and 0.1 %).  SF6's k
# rises 4.2× from 300 to 1000 K (13.1 → 55.2 mW/m/K) against argon's 2.4×.
PURE_GASES: dict[str, tuple[float, float, PowerSumConductivity]] = {
    "SF6": (0.146055, 1.529e-5, PowerSumConductivity(c0=-0.02979004, c1=0.04273931, a=0.57457591)),
    "O2": (0.031999, 2.063e-5, PowerSumConductivity(c0=-0.00677017, c1=0.03321184, a=0.71215492)),
    "Ar": (0.039948, 2.272e-5, PowerSumConductivity(c0=-0.0098442, c1=0.02763106, a=0.54777834)),
}


def wassiljewa(x, k, M, eta):
    """Conductivity of a dilute mixture (W/m/K), mole fractions ``x``, pure-gas conductivities
    ``k``, molar masses ``M`` and viscosities ``eta`` (sequences, one per gas; ``k`` may hold
    arrays over T): k_mix = Σ_i x_i k_i/Σ_j x_j Φ_ij with the Mason–Saxena coefficients
    Φ_ij = [1 + (η_i/η_j)^½ (M_j/M_i)^¼]²/[8(1 + M_i/M_j)]^½ (Wassiljewa 1904; Mason &
    Saxena, Phys. Fluids 1, 361, 1958; Poling, Prausnitz & O'Connell, *The Properties of
    Gases and Liquids*, 5th ed., 2001, Eq. 10-6.1 with 9-5.14, within ≈ 3 % of measured
    nonpolar mixtures)."""
    n = len(x)
    out = 0.0
    for i in range(n):
        den = 0.0
        for j in range(n):
            phi = (1 + (eta[i] / eta[j]) ** 0.5 * (M[j] / M[i]) ** 0.25) ** 2 / (8 * (1 + M[i] / M[j])) ** 0.5
            den = den + x[j] * phi
        out = out + x[i] * np.asarray(k[i]) / den
    return out


def feed_conductivity(gases: dict[str, float]) -> GasConductivity:
    """Gas conductivity of the model for a feed {gas: flow}: argon's power law for pure argon
    or a feed with a gas outside :data:`PURE_GASES` (as before); otherwise Wassiljewa's rule
    on the feed's mole fractions, fitted as c0 + c1 (T/300 K)^a over 300–1500 K (within
    0.5 % of the rule).  The feed composition stands for the gas: in SF6/O2 the dissociation
    products (F, SF_x, O) change k by their own amount, not modelled."""
    if set(gases) == {"Ar"} or not set(gases) <= set(PURE_GASES):
        return ARGON_CONDUCTIVITY
    names = sorted(gases)
    q = sum(gases.values())
    x = [gases[g] / q for g in names]
    if len(names) == 1:
        return PURE_GASES[names[0]][2]
    from scipy.optimize import curve_fit

    T = np.linspace(300.0, 1500.0, 49)
    k = wassiljewa(x, [PURE_GASES[g][2](T) for g in names], [PURE_GASES[g][0] for g in names],
                   [PURE_GASES[g][1] for g in names])
    (c0, c1, a), _ = curve_fit(lambda t, c0, c1, a: c0 + c1 * t ** a, T / 300.0, k, p0=(0.0, float(k[0]), 0.7),
                               sigma=k, maxfev=5000)
    return PowerSumConductivity(c0=float(c0), c1=float(c1), a=float(a))


def gas_temperature(mesh: Mesh, Q: np.ndarray, walls: dict[str, float | None],
                    conductivity: GasConductivity = ARGON_CONDUCTIVITY) -> np.ndarray:
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
