"""Electrical read-out of a doping profile: junction depth, sheet resistance, dose.

Mobility at 300 K from Masetti, Severi & Solmi, IEEE Trans. Electron Devices ED-30,
764 (1983):

    mu(N) = mu_min1 exp(-Pc/N) + (mu_max - mu_min2)/(1 + (N/Cr)^alpha)
            - mu1/(1 + (Cs/N)^beta)

with N the total ionised impurity density; electron parameters for P- and As-doped
Si and hole parameters for B-doped Si from their Table I (cm²/V/s, cm⁻³).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import E_CHARGE

__all__ = ["Masetti", "MASETTI", "mobility", "junction_depths", "sheet_resistance",
           "dose_1d"]


@dataclass(frozen=True, kw_only=True)
class Masetti:
    """Masetti et al. (1983) parameters, in cm²/V/s and cm⁻³."""

    mu_min1: float
    mu_min2: float
    mu1: float
    mu_max: float
    Cr: float
    Cs: float
    alpha: float
    beta: float
    Pc: float

    def __call__(self, N_m3: np.ndarray) -> np.ndarray:
        """Mobility (m²/V/s) at total impurity density N (m⁻³)."""
        N = np.maximum(np.asarray(N_m3, dtype=float) * 1e-6, 1.0)  # cm⁻³
        mu = (self.mu_min1 * np.exp(-self.Pc / N)
              + (self.mu_max - self.mu_min2) / (1.0 + (N / self.Cr) ** self.alpha)
              - self.mu1 / (1.0 + (self.Cs / N) ** self.beta))
        return mu * 1e-4


MASETTI = {
    "electron_P": Masetti(mu_min1=68.5, mu_min2=68.5, mu1=56.1, mu_max=1414.0, Cr=9.20e16,
                          Cs=3.41e20, alpha=0.711, beta=1.98, Pc=0.0),
    "electron_As": Masetti(mu_min1=52.2, mu_min2=52.2, mu1=43.4, mu_max=1417.0, Cr=9.68e16,
                           Cs=3.43e20, alpha=0.680, beta=2.0, Pc=0.0),
    "hole_B": Masetti(mu_min1=44.9, mu_min2=0.0, mu1=29.0, mu_max=470.5, Cr=2.23e17,
                      Cs=6.10e20, alpha=0.719, beta=2.0, Pc=9.23e16),
}


def mobility(N_total: np.ndarray, carrier: str, *, n_As_fraction: np.ndarray | float = 0.0):
    """Majority-carrier mobility (m²/V/s): holes (B), or electrons blended between the
    P and As parameter sets by the arsenic fraction of the donors."""
    if carrier == "hole":
        return MASETTI["hole_B"](N_total)
    f = np.clip(n_As_fraction, 0.0, 1.0)
    return (1 - f) * MASETTI["electron_P"](N_total) + f * MASETTI["electron_As"](N_total)


def junction_depths(z: np.ndarray, donors: np.ndarray, acceptors: np.ndarray) -> list[float]:
    """Depths (m) where N_D - N_A changes sign, interpolated linearly in
    ln N_D - ln N_A (exact for locally exponential profiles)."""
    d = np.log(np.maximum(donors, 1e-30)) - np.log(np.maximum(acceptors, 1e-30))
    out = []
    for i in np.nonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0)[0]:
        f = d[i] / (d[i] - d[i + 1])
        out.append(float(z[i] + f * (z[i + 1] - z[i])))
    return out


def _trapz(y: np.ndarray, z: np.ndarray) -> float:
    return float(np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(z)))


def dose_1d(z: np.ndarray, c: np.ndarray) -> float:
    """∫ C dz (m⁻²) by the trapezoid rule (the box-method dose of a node profile)."""
    return _trapz(np.asarray(c, float), np.asarray(z, float))


def sheet_resistance(z: np.ndarray, donors: np.ndarray, acceptors: np.ndarray, *,
                     arsenic: np.ndarray | None = None) -> float:
    """Sheet resistance (Ω/sq) of the surface layer down to the first junction (or the
    whole depth when there is none): R_s = 1 / ∫ q mu(N_D + N_A) |N_D - N_A| dz."""
    z = np.asarray(z, float)
    net = donors - acceptors
    total = donors + acceptors
    xj = junction_depths(z, donors, acceptors)
    end = xj[0] if xj else z[-1]
    carrier = "electron" if net[0] > 0 else "hole"
    f_as = 0.0 if arsenic is None else np.where(donors > 0, arsenic / np.maximum(donors, 1e-30), 0)
    sigma = E_CHARGE * mobility(total, carrier, n_As_fraction=f_as) * np.abs(net)
    k = int(np.searchsorted(z, end))
    zz = np.append(z[:k], end)
    ss = np.append(sigma[:k], np.interp(end, z, sigma))
    g = _trapz(ss, zz)
    return float("inf") if g <= 0 else 1.0 / g
