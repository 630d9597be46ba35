"""Energetic ions in the flux engine: energy per ray, per-hit yields, energy loss on reflection.

A species with ``yield_channels`` (``Species.yield_channels``) carries an energy E per
ray, drawn from its IEDF at launch (inverse CDF of the piecewise-linear pdf).  At every
hit the engine adds, per channel c and for the hit element's material m,

    w · A_{c,m} · max(√E − √E_th,{c,m}, 0) · f_{c,m}(cos θ_hit)

to the element's tally (Steinbrüchel, Appl. Phys. Lett. 55, 1960, 1989; f one of the
angular laws of ``waferlab.atomic.yields``, tabulated on a uniform cos θ grid of
``COS_TABLE_SIZE`` points), w the ray's weight arriving.  Normalised like the incident
flux, the result is the yield-weighted incident flux ⟨YΓ⟩/Γ0: an open flat surface under
a normal beam reads ⟨A(√E − √E_th)⟩_IEDF · f(1).

Energy loss on re-emission (``ReflectedEnergyLaw``): the law ViennaPS applies to its
plasma-etching ions (``updateEnergy`` in ViennaPS's ``psIonModelUtil.hpp``, v4; own
implementation of the published rule).  With θ the incidence angle from the normal,
θ_i the inflection angle and n_l the exponent,

    A = 1 / (1 + n_l (π/2 / θ_i − 1))
    p(θ) = A (θ/θ_i)^{n_l}                          θ < θ_i
         = 1 − (1 − A)(π/2 − θ)/(π/2 − θ_i)          θ ≥ θ_i

and the new energy is drawn from N(p E, (s E)²) truncated to [0, E] (s = 0.1).  A ray
whose energy falls to the cutoff or below stops there (its weight counts as absorbed).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ...atomic.yields import IonYield

__all__ = ["ReflectedEnergyLaw", "VIENNAPS_ION_ENERGY_LOSS", "ENERGY_TABLE_SIZE",
           "COS_TABLE_SIZE", "energy_inverse_cdf", "yield_tables", "truncated_normal_mean"]

ENERGY_TABLE_SIZE = 4097   # inverse CDF of the IEDF on a uniform ξ grid
COS_TABLE_SIZE = 2049      # angular factors on a uniform cos θ grid (cos θ = 0.5 is a node)


@dataclass(frozen=True, kw_only=True)
class ReflectedEnergyLaw:
    """Energy of a re-emitted ion (module docstring); angles in rad.

    inflect_angle  θ_i (ViennaPS: 1.55334303 rad = 89°)
    n_l            exponent below θ_i (ViennaPS: 10)
    spread         σ of the new energy as a fraction of the old one (ViennaPS: 0.1)
    """

    inflect_angle: float = 1.55334303
    n_l: float = 10.0
    spread: float = 0.1

    def __post_init__(self):
        if not 0.0 < self.inflect_angle < 0.5 * math.pi:
            raise ValueError(f"ReflectedEnergyLaw.inflect_angle = {self.inflect_angle} rad "
                             "must be in (0, π/2)")
        if not self.n_l >= 0.0 or not self.spread > 0.0:
            raise ValueError(f"ReflectedEnergyLaw: n_l = {self.n_l} must be >= 0 and spread "
                             f"= {self.spread} > 0")

    @property
    def amplitude(self) -> float:
        """A = 1/(1 + n_l(π/2/θ_i − 1)), p at θ_i."""
        return 1.0 / (1.0 + self.n_l * (0.5 * math.pi / self.inflect_angle - 1.0))

    def peak(self, theta) -> np.ndarray:
        """p(θ): the centre of the new-energy law as a fraction of the old energy."""
        th = np.asarray(theta, float)
        a, ti = self.amplitude, self.inflect_angle
        below = a * (np.clip(th, 0.0, None) / ti) ** self.n_l
        above = 1.0 - (1.0 - a) * (0.5 * np.pi - th) / (0.5 * np.pi - ti)
        return np.where(th < ti, below, above)

    def mean_fraction(self, theta) -> np.ndarray:
        """⟨E'/E⟩ at incidence θ: the mean of N(p, s²) truncated to [0, 1]."""
        return truncated_normal_mean(self.peak(theta), self.spread, 0.0, 1.0)

    def params(self) -> np.ndarray:
        """(θ_i, n_l, s, A) for the kernels."""
        return np.array([self.inflect_angle, self.n_l, self.spread, self.amplitude])


VIENNAPS_ION_ENERGY_LOSS = ReflectedEnergyLaw()


def truncated_normal_mean(mu, sigma: float, lo: float, hi: float) -> np.ndarray:
    """Mean of N(μ, σ²) truncated to [lo, hi]: μ + σ(φ(a) − φ(b))/(Φ(b) − Φ(a))."""
    from scipy.special import ndtr

    mu = np.asarray(mu, float)
    a, b = (lo - mu) / sigma, (hi - mu) / sigma
    phi = lambda x: np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)  # noqa: E731
    return mu + sigma * (phi(a) - phi(b)) / (ndtr(b) - ndtr(a))


def energy_inverse_cdf(energies_eV: Sequence[float] | np.ndarray, pdf: Sequence[float] | np.ndarray,
                       size: int = ENERGY_TABLE_SIZE) -> np.ndarray:
    """E (eV) at ``size`` equally spaced CDF values of the piecewise-linear pdf (one point:
    a monoenergetic beam, a constant table)."""
    e = np.asarray(energies_eV, float).ravel()
    p = np.asarray(pdf, float).ravel()
    if e.shape != p.shape or e.size == 0:
        raise ValueError(f"IEDF energies and pdf must have the same non-zero length; got "
                         f"{e.size} and {p.size}")
    if np.any(p < 0) or not np.any(p > 0) or np.any(e < 0):
        raise ValueError("IEDF: pdf must be >= 0 and not all zero, energies >= 0")
    if e.size == 1:
        return np.full(2, e[0])
    if np.any(np.diff(e) <= 0):
        raise ValueError("IEDF energies must increase")
    # exact CDF of a piecewise-linear pdf: quadratic within each interval
    fine = np.linspace(e[0], e[-1], 32 * size)
    pf = np.interp(fine, e, p)
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (pf[1:] + pf[:-1]) * np.diff(fine))])
    cdf /= cdf[-1]
    return np.interp(np.linspace(0.0, 1.0, size), cdf, fine)


def yield_tables(channels: Mapping[str, Mapping[str, IonYield]],
                 material_names: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kernel tables of the yield channels for the surface's materials.

    Returns A (c, m), √E_th (c, m) and f (c, m, ``COS_TABLE_SIZE``) on cos θ ∈ [0, 1];
    a material without a yield in a channel has A = 0 (scores nothing).
    """
    nc, nm = len(channels), len(material_names)
    A = np.zeros((nc, nm))
    sth = np.zeros((nc, nm))
    f = np.zeros((nc, nm, COS_TABLE_SIZE))
    cos = np.linspace(0.0, 1.0, COS_TABLE_SIZE)
    for c, per_mat in enumerate(channels.values()):
        for j, m in enumerate(material_names):
            y = per_mat.get(m)
            if y is None:
                continue
            A[c, j] = y.A
            sth[c, j] = math.sqrt(y.threshold_eV)
            f[c, j] = y.angular_part(cos)
    return A, sth, f
