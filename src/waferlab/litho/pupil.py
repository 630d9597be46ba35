"""Projection pupil: NA cut-off, immersion, defocus and Fringe Zernike aberrations.

P(f) = circ(lambda |f| / NA) exp(i 2 pi [W(rho, theta) + z (sqrt(n^2 - lambda^2 |f|^2) - n) / lambda])
with W in waves (Fringe Zernike terms) and the exact (non-paraxial) defocus phase of a
plane wave in a medium of index n (immersion fluid).  Scalar, no obliquity factor.
Fringe Zernikes: Wyant & Creath, Applied Optics and Optical Engineering XI (1992).
"""
from __future__ import annotations

from math import factorial

import numpy as np

__all__ = ["fringe_nm", "zernike_radial", "fringe_zernike", "pupil_function"]


def fringe_nm(j: int) -> tuple[int, int, str]:
    """(n, |m|, 'cos'|'sin') of Fringe Zernike term j >= 1 (Z4 = 2 rho^2 - 1, Z9 spherical)."""
    if j < 1:
        raise ValueError(f"Fringe Zernike index must be >= 1, got {j}")
    g = int(np.ceil(np.sqrt(j))) - 1
    if j == (g + 1) ** 2:
        return 2 * g, 0, "cos"
    i = j - g * g - 1
    m = g - i // 2
    return 2 * g - m, m, "cos" if i % 2 == 0 else "sin"


def zernike_radial(n: int, m: int, rho: np.ndarray) -> np.ndarray:
    """R_n^m(rho) = sum_k (-1)^k (n-k)! / [k! ((n+m)/2-k)! ((n-m)/2-k)!] rho^(n-2k)."""
    out = np.zeros_like(rho, dtype=float)
    for k in range((n - m) // 2 + 1):
        c = (-1) ** k * factorial(n - k) / (factorial(k) * factorial((n + m) // 2 - k)
                                            * factorial((n - m) // 2 - k))
        out += c * rho ** (n - 2 * k)
    return out


def fringe_zernike(j: int, rho: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Unnormalised Fringe Zernike polynomial Z_j(rho, theta)."""
    n, m, kind = fringe_nm(j)
    ang = np.cos(m * theta) if kind == "cos" else np.sin(m * theta)
    return zernike_radial(n, m, rho) * ang


def pupil_function(fx: np.ndarray, fy: np.ndarray, *, wavelength: float, na: float,
                   immersion: float = 1.0, defocus: float = 0.0,
                   zernike: dict[str, float] | None = None) -> np.ndarray:
    """Complex pupil at spatial frequencies (fx, fy) (1/m) in wafer coordinates."""
    f2 = fx * fx + fy * fy
    rho = np.sqrt(f2) * wavelength / na
    inside = rho <= 1.0 + 1e-12
    phase = np.zeros(np.broadcast(fx, fy).shape)
    if defocus != 0.0:
        kz = np.sqrt(np.maximum(immersion ** 2 - wavelength ** 2 * f2, 0.0))
        phase = phase + defocus * (kz - immersion) / wavelength
    if zernike:
        theta = np.arctan2(fy, fx)
        r = np.minimum(rho, 1.0)
        for key, coeff in zernike.items():
            phase = phase + coeff * fringe_zernike(int(key[1:]), r, theta)
    return np.where(inside, np.exp(2j * np.pi * phase), 0.0)
