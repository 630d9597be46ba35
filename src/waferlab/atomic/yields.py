"""Ion yields: energy law, angular factors, averages over energy and source angle.

Energy law (Steinbrüchel, Appl. Phys. Lett. 55, 1960, 1989)

    Y(E, θ) = A · max(√E − √E_th, 0) · f(θ)          (E, E_th in eV)

Angular factors f (θ: angle of incidence from the surface normal):

    "constant"    f = 1
    "cosine"      f = cos θ
    "sputter"     f = max((1 + B sin²θ) cos θ, 0)       physical sputtering (Belen et al.,
                  J. Vac. Sci. Technol. A 23, 99, 2005; as in ViennaPS)
    "belen_ie"    f = 1 for θ ≤ 60°, max(3 − 6θ/π, 0) above   ion-enhanced etching (same)

Energy distributions (IEDFs) are arrays (E_eV, pdf); averages use the trapezoidal rule.
``gaussian_iedf`` gives the normal law truncated at E ≥ 0, which is what rejection
sampling of a normal law (ViennaPS ``initNormalDistEnergy``) draws.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["steinbruchel_yield", "ANGULAR_FACTORS", "angular_factor", "IonYield",
           "gaussian_iedf", "iedf_average", "cos_power_average", "beam_incidence_table"]


def steinbruchel_yield(energy_eV, A: float, threshold_eV: float):
    """Y = A·max(√E − √E_th, 0)  (Steinbrüchel, APL 55, 1960, 1989); E in eV."""
    e = np.maximum(np.asarray(energy_eV, dtype=float), 0.0)
    return A * np.maximum(np.sqrt(e) - np.sqrt(threshold_eV), 0.0)


def _constant(c, B):
    return np.ones_like(c)


def _cosine(c, B):
    return np.clip(c, 0.0, 1.0)


def _sputter(c, B):
    c = np.clip(c, 0.0, 1.0)
    return np.maximum((1.0 + B * (1.0 - c * c)) * c, 0.0)


def _belen_ie(c, B):
    c = np.clip(c, 0.0, 1.0)
    theta = np.arccos(c)
    return np.where(c >= 0.5, 1.0, np.maximum(3.0 - 6.0 * theta / np.pi, 0.0))


# name -> f(cos θ, B); read-only registry of angular laws
ANGULAR_FACTORS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "constant": _constant,
    "cosine": _cosine,
    "sputter": _sputter,
    "belen_ie": _belen_ie,
}


def angular_factor(name: str, cos_theta, B: float = 0.0) -> np.ndarray:
    """f(θ) of the named law at cos θ (clipped to [0, 1]); see the module docstring."""
    try:
        fn = ANGULAR_FACTORS[name]
    except KeyError:
        raise ValueError(f"angular law {name!r} is unknown; known: "
                         f"{', '.join(sorted(ANGULAR_FACTORS))}") from None
    return fn(np.asarray(cos_theta, dtype=float), B)


@dataclass(frozen=True, kw_only=True)
class IonYield:
    """Y(E, θ) = A·max(√E − √E_th, 0)·f(θ).

    A             yield coefficient (atoms per ion per √eV)
    threshold_eV  threshold energy E_th (eV)
    angular       name of the angular law (``ANGULAR_FACTORS``)
    B             parameter of the "sputter" law (ignored by the others)
    """

    A: float
    threshold_eV: float
    angular: str = "constant"
    B: float = 0.0

    def __post_init__(self):
        if not self.A >= 0.0:
            raise ValueError(f"IonYield.A = {self.A} must be >= 0")
        if not self.threshold_eV >= 0.0:
            raise ValueError(f"IonYield.threshold_eV = {self.threshold_eV} must be >= 0")
        if self.angular not in ANGULAR_FACTORS:
            raise ValueError(f"IonYield.angular = {self.angular!r} is unknown; known: "
                             f"{', '.join(sorted(ANGULAR_FACTORS))}")

    def energy_part(self, energy_eV):
        """A·max(√E − √E_th, 0)."""
        return steinbruchel_yield(energy_eV, self.A, self.threshold_eV)

    def angular_part(self, cos_theta):
        """f(θ) at cos θ."""
        return angular_factor(self.angular, cos_theta, self.B)

    def __call__(self, energy_eV, cos_theta=1.0):
        return self.energy_part(energy_eV) * self.angular_part(cos_theta)

    def mean_energy_part(self, energies_eV, pdf) -> float:
        """<A·max(√E − √E_th, 0)> over the IEDF (energies_eV, pdf)."""
        return iedf_average(self.energy_part, energies_eV, pdf)

    def mean_angular_part(self, exponent: float, n_nodes: int = 64) -> float:
        """<f(θ)> over a cosⁿθ source hitting a horizontal surface (3D directions)."""
        return cos_power_average(self.angular_part, exponent, n_nodes=n_nodes)


def gaussian_iedf(mean_eV: float, sigma_eV: float, n: int = 241,
                  width: float = 6.0) -> tuple[np.ndarray, np.ndarray]:
    """Normal IEDF N(mean, σ²) truncated to E ≥ 0 on ``n`` points of mean ± width·σ.

    σ = 0 gives a single point (a monoenergetic beam).  The pdf is normalised.
    """
    if not mean_eV >= 0.0 or not sigma_eV >= 0.0:
        raise ValueError(f"gaussian_iedf: mean {mean_eV} eV and sigma {sigma_eV} eV must be >= 0")
    if sigma_eV == 0.0:
        return np.array([float(mean_eV)]), np.array([1.0])
    lo = max(0.0, mean_eV - width * sigma_eV)
    e = np.linspace(lo, mean_eV + width * sigma_eV, int(n))
    p = np.exp(-0.5 * ((e - mean_eV) / sigma_eV) ** 2)
    return e, p / np.trapezoid(p, e)


def iedf_average(fn: Callable[[np.ndarray], np.ndarray], energies_eV, pdf) -> float:
    """∫ fn(E) p(E) dE / ∫ p(E) dE by the trapezoidal rule; one point: fn(E₀)."""
    e = np.asarray(energies_eV, dtype=float).ravel()
    p = np.asarray(pdf, dtype=float).ravel()
    if e.shape != p.shape or e.size == 0:
        raise ValueError(f"IEDF energies and pdf must have the same non-zero length; got "
                         f"{e.size} and {p.size}")
    if np.any(p < 0) or not np.any(p > 0):
        raise ValueError("IEDF pdf must be >= 0 and not all zero")
    if e.size == 1:
        return float(np.asarray(fn(e))[0])
    if np.any(np.diff(e) <= 0):
        raise ValueError("IEDF energies must increase")
    return float(np.trapezoid(fn(e) * p, e) / np.trapezoid(p, e))


def cos_power_average(fn: Callable[[np.ndarray], np.ndarray], exponent: float,
                      n_nodes: int = 64) -> float:
    """<fn(cos θ)> for directions with density ∝ cosⁿθ per solid angle (3D).

    u = cos θ has density (n+1)uⁿ on [0, 1]; with u = exp(−s/(n+1)), s is exponentially
    distributed, so the average is ∫₀^∞ e^{−s} fn(e^{−s/(n+1)}) ds (Gauss–Laguerre,
    ``n_nodes`` nodes; smooth fn converge to round-off for any n, kinks more slowly).
    """
    if not exponent >= 0.0:
        raise ValueError(f"source exponent {exponent} must be >= 0")
    s, w = np.polynomial.laguerre.laggauss(int(n_nodes))
    u = np.exp(-s / (exponent + 1.0))
    return float(np.sum(w * fn(u)))


def beam_incidence_table(fn: Callable[[np.ndarray], np.ndarray], exponent: float, *,
                         n_alpha: int = 181, n_s: int = 48,
                         n_phi: int = 96) -> tuple[np.ndarray, np.ndarray]:
    """Flux-weighted <fn(cos γ)> of a cosⁿθ beam (about the downward vertical) hitting an
    unshadowed plane whose normal is tilted by α from the vertical, for α in [0, π].

    cos γ = cos θ cos α + sin θ sin α cos φ.  The source density cosⁿθ dΩ counts rays
    crossing a horizontal plane; per unit area of the tilted plane they arrive at the
    rate max(cos γ, 0)/cos θ, which is the weight.  Returns (α, <fn>), <fn> = 0 where no
    direction reaches the plane; at α = 0 it equals ``cos_power_average(fn, n)``.
    """
    s, ws = np.polynomial.laguerre.laggauss(int(n_s))
    u = np.exp(-s / (exponent + 1.0))                 # cos θ of the beam directions
    st = np.sqrt(np.maximum(0.0, 1.0 - u * u))
    phi = (np.arange(n_phi) + 0.5) * (2.0 * np.pi / n_phi)
    alpha = np.linspace(0.0, np.pi, int(n_alpha))
    cg = (u[None, :, None] * np.cos(alpha)[:, None, None]
          + st[None, :, None] * np.sin(alpha)[:, None, None] * np.cos(phi)[None, None, :])
    w = (ws / u)[None, :, None] * np.maximum(cg, 0.0)
    den = w.sum(axis=(1, 2))
    num = (w * fn(np.clip(cg, 0.0, 1.0))).sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 1e-300, num / np.where(den > 1e-300, den, 1.0), 0.0)
    return alpha, out
