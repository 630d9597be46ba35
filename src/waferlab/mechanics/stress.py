"""Film stress and wafer bow: Stoney's equation, thermal mismatch, multilayer stacks.

* Stoney (G. G. Stoney, Proc. R. Soc. A 82, 172, 1909): σ_f = M_s h_s² κ / (6 h_f),
  κ = 1/R, M_s = E_s/(1 - ν_s) the substrate biaxial modulus (Si(100): 180.5 GPa,
  Brantley, J. Appl. Phys. 44, 534, 1973).
* Thermal mismatch of a film bonded stress-free at T0: σ(T) = M_f ∫_{T0}^{T}
  (α_s - α_f) dT' (= M_f (α_s - α_f) ΔT for constant α), M_f = E_f/(1 - ν_f).
* Multilayer thin-film stack: curvatures add, κ = 6 Σ σ_i h_i / (M_s h_s²)
  (L. B. Freund & S. Suresh, *Thin Film Materials*, CUP 2003, §2.3, valid for
  Σ h_i << h_s).
Sign: tensile stress > 0 gives κ > 0 (film side concave).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

__all__ = ["SI100_BIAXIAL_MODULUS", "Film", "stoney_stress", "stoney_curvature",
           "thermal_mismatch_stress", "stress_history", "stack_curvature", "bow"]

SI100_BIAXIAL_MODULUS = 180.5e9  # Pa, Brantley (1973)

Alpha = float | Callable[[float], float]


def stoney_stress(curvature: float, *, film_thickness: float, substrate_thickness: float,
                  substrate_modulus: float = SI100_BIAXIAL_MODULUS) -> float:
    """Film stress (Pa) from substrate curvature (1/m)."""
    if film_thickness <= 0 or substrate_thickness <= 0:
        raise ValueError("film and substrate thicknesses must be positive")
    return substrate_modulus * substrate_thickness ** 2 * curvature / (6.0 * film_thickness)


def stoney_curvature(stress: float, *, film_thickness: float, substrate_thickness: float,
                     substrate_modulus: float = SI100_BIAXIAL_MODULUS) -> float:
    """Substrate curvature (1/m) from film stress (Pa); the inverse of stoney_stress."""
    if film_thickness <= 0 or substrate_thickness <= 0:
        raise ValueError("film and substrate thicknesses must be positive")
    return 6.0 * stress * film_thickness / (substrate_modulus * substrate_thickness ** 2)


def _integral(alpha: Alpha, T0: float, T1: float) -> float:
    if callable(alpha):
        from scipy.integrate import quad

        return float(quad(alpha, T0, T1, epsabs=0.0, epsrel=1e-12)[0])
    return float(alpha) * (T1 - T0)


def thermal_mismatch_stress(T: float, *, T0: float, film_modulus: float, film_poisson: float,
                            alpha_film: Alpha, alpha_substrate: Alpha) -> float:
    """Biaxial thermal stress (Pa) at T of a film stress-free at T0; α constants (1/K)
    or callables α(T)."""
    Mf = film_modulus / (1.0 - film_poisson)
    return Mf * (_integral(alpha_substrate, T0, T) - _integral(alpha_film, T0, T))


@dataclass(frozen=True, kw_only=True)
class Film:
    """A film of a stack: thickness (m), intrinsic stress (Pa), elastic constants and
    expansion, and the temperature (K) at which it was deposited stress-free."""

    thickness: float
    intrinsic_stress: float = 0.0
    modulus: float = 70e9
    poisson: float = 0.17
    alpha: Alpha = 0.5e-6
    T_deposit: float = 300.0

    def stress(self, T: float, alpha_substrate: Alpha) -> float:
        return self.intrinsic_stress + thermal_mismatch_stress(
            T, T0=self.T_deposit, film_modulus=self.modulus, film_poisson=self.poisson,
            alpha_film=self.alpha, alpha_substrate=alpha_substrate)


def stress_history(temperatures: Sequence[float], film: Film, *,
                   alpha_substrate: Alpha = 2.6e-6) -> np.ndarray:
    """Film stress (Pa) at each temperature of a thermal history (elastic: path
    independent, so the history is evaluated point by point)."""
    return np.array([film.stress(float(T), alpha_substrate) for T in temperatures])


def stack_curvature(films: Sequence[Film], T: float, *, substrate_thickness: float,
                    substrate_modulus: float = SI100_BIAXIAL_MODULUS,
                    alpha_substrate: Alpha = 2.6e-6) -> float:
    """Curvature (1/m) of a substrate carrying a thin multilayer stack at T."""
    return sum(stoney_curvature(f.stress(T, alpha_substrate), film_thickness=f.thickness,
                                substrate_thickness=substrate_thickness,
                                substrate_modulus=substrate_modulus) for f in films)


def bow(curvature: float, diameter: float) -> float:
    """Centre-to-edge bow (m) of a wafer of given diameter: δ = κ D² / 8 (small κD)."""
    return curvature * diameter ** 2 / 8.0
