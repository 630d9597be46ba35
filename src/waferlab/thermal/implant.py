"""Ion implantation: depth profiles from range moments, lateral straggle, masking.

Range moments (Rp, ΔRp, skewness γ, kurtosis β, lateral straggle ΔR⊥) for B, P, As,
Sb in Si come from Gibbons, Johnson & Mylroie, *Projected Range Statistics*, 2nd ed.
(1975), tabulated in ``data/implant_moments_si.csv`` (see its header); BF2 uses the
boron moments at the equivalent energy E·m_B/m_BF2.

Profiles (C in m⁻³ at depth z below the silicon surface):

* Gaussian: C = Q/(√(2π)ΔRp) exp(-(z-Rp)²/2ΔRp²).
* Pearson IV (Hobler, Langer & Selberherr, Solid-State Electron. 30, 445, 1987;
  Selberherr 1984 ch. 3): f'(y) = (y - b1) f / (b0 + b1 y + b2 y²), y = z - Rp, with
  A = 10β - 12γ² - 18, b0 = -ΔRp²(4β - 3γ²)/A, b1 = -γΔRp(β + 3)/A,
  b2 = -(2β - 3γ² - 6)/A; closed form
  f ∝ |b0 + b1 y + b2 y²|^(1/2b2) exp(-(b1/b2 + 2b1)/s · atan((2b2 y + b1)/s)),
  s = √(4 b0 b2 - b1²).  Type IV needs β > (48 + 39γ² + 6(γ²+4)^1.5)/(32 - γ²);
  below that limit (most LSS rows) the same ODE gives a type I/VI density, integrated
  in closed form by partial fractions, so the four moments are always honoured.

The whole dose is retained in silicon (backscattering neglected): the profile is
normalised over z ≥ 0.  A mask of Si-equivalent thickness s over a column shifts that
column's profile up by s (range scaling by stopping power ∝ atom density, a first-order
approximation); an opaque mask (s = ∞) blocks it.  In 2D the profile is convolved
along x with a Gaussian of the lateral straggle.
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import numpy as np

__all__ = ["Moments", "range_moments", "gaussian_profile", "pearson4_profile",
           "depth_profile", "implant_1d", "implant_2d", "implanted_species",
           "pearson4_beta_limit", "lateral_kernel", "TABLE_DOPANTS"]

M_B = 10.81
M_BF2 = 10.81 + 2 * 18.998
TABLE_DOPANTS = ("B", "BF2", "P", "As", "Sb")


@dataclass(frozen=True, kw_only=True)
class Moments:
    """Range moments in metres (Rp, dRp, lateral) and dimensionless gamma, beta."""

    Rp: float
    dRp: float
    gamma: float
    beta: float
    lateral: float


@lru_cache(maxsize=1)
def _table() -> dict[str, np.ndarray]:
    text = (files("waferlab.thermal") / "data" / "implant_moments_si.csv").read_text()
    rows = [r for r in csv.reader(line for line in text.splitlines()
                                   if line.strip() and not line.startswith("#"))]
    header, body = rows[0], rows[1:]
    out: dict[str, list] = {}
    for r in body:
        out.setdefault(r[0], []).append([float(v) for v in r[1:]])
    assert header[1:] == ["energy_keV", "rp_um", "drp_um", "gamma", "beta", "lateral_um"]
    return {k: np.array(sorted(v)) for k, v in out.items()}


def implanted_species(ion: str) -> str:
    """The dopant an ion leaves in silicon (BF2 -> B)."""
    return "B" if ion == "BF2" else ion


def range_moments(ion: str, energy_keV: float) -> Moments:
    """Moments for ``ion`` (B, BF2, P, As, Sb) at ``energy_keV``: log-log interpolation of
    Rp, ΔRp, ΔR⊥; linear-in-log E interpolation of γ, β."""
    if ion not in TABLE_DOPANTS:
        raise ValueError(f"no range table for ion {ion!r}; known: {', '.join(TABLE_DOPANTS)}")
    E = energy_keV * (M_B / M_BF2 if ion == "BF2" else 1.0)
    t = _table()[implanted_species(ion)]
    lo, hi = t[0, 0], t[-1, 0]
    scale = M_BF2 / M_B if ion == "BF2" else 1.0
    if not lo <= E <= hi:
        raise ValueError(f"energy {energy_keV:g} keV for {ion} is outside the range table "
                         f"({lo * scale:g} to {hi * scale:g} keV)")
    lE = np.log(t[:, 0])
    x = math.log(E)
    rp, drp, lat = (math.exp(np.interp(x, lE, np.log(t[:, c]))) for c in (1, 2, 5))
    return Moments(Rp=rp * 1e-6, dRp=drp * 1e-6, gamma=float(np.interp(x, lE, t[:, 3])),
                   beta=float(np.interp(x, lE, t[:, 4])), lateral=lat * 1e-6)


def pearson4_beta_limit(gamma: float) -> float:
    """Smallest kurtosis for which the Pearson system is of type IV."""
    g2 = gamma * gamma
    return (48 + 39 * g2 + 6 * (g2 + 4) ** 1.5) / (32 - g2)


def gaussian_profile(z: np.ndarray, m: Moments) -> np.ndarray:
    """Unnormalised Gaussian shape exp(-(z-Rp)²/2ΔRp²)."""
    return np.exp(-0.5 * ((np.asarray(z, float) - m.Rp) / m.dRp) ** 2)


def pearson4_profile(z: np.ndarray, m: Moments) -> np.ndarray:
    """Unnormalised Pearson shape with mean Rp, s.d. ΔRp, skewness γ, kurtosis β.

    Type IV (closed form above) when 4 b0 b2 > b1²; otherwise the same ODE integrated
    by partial fractions, f ∝ |y-r1|^(a1/b2) |y-r2|^(a2/b2) on the interval between the
    roots r1, r2 of b0 + b1 y + b2 y² that holds the mode (types I and VI), zero outside.
    """
    g, s = m.gamma, m.dRp
    beta = m.beta
    A = 10 * beta - 12 * g * g - 18
    if A <= 0:
        raise ValueError(f"kurtosis {beta:g} is too small for skewness {g:g} "
                         f"(need 10β - 12γ² - 18 > 0)")
    b0 = -s * s * (4 * beta - 3 * g * g) / A
    b1 = -g * s * (beta + 3) / A
    b2 = -(2 * beta - 3 * g * g - 6) / A
    y = np.asarray(z, float) - m.Rp
    disc = 4 * b0 * b2 - b1 * b1
    if abs(b2) < 1e-9:                      # Gaussian / type III limit
        if abs(b1) < 1e-12 * s:
            return np.exp(-0.5 * (y / s) ** 2)
        # type III: f' = (y - b1) f / (b0 + b1 y)
        r = -b0 / b1
        inside = (y - r) * np.sign(b1 - r) > 0
        lf = np.where(inside, (y - r) / b1 + (r - b1) / b1 * np.log(np.abs(y - r) + 1e-300), -np.inf)
        y0 = b1
        lf0 = (y0 - r) / b1 + (r - b1) / b1 * math.log(abs(y0 - r))
        return np.exp(lf - lf0)
    if disc > 0:                            # type IV
        root = math.sqrt(disc)

        def logf(yy):
            q = b0 + b1 * yy + b2 * yy * yy
            return (np.log(np.abs(q)) / (2 * b2)
                    - (b1 / b2 + 2 * b1) / root * np.arctan((2 * b2 * yy + b1) / root))
        return np.exp(logf(y) - logf(np.float64(b1)))
    r1, r2 = sorted(np.roots([b2, b1, b0]).real)
    a1 = (r1 - b1) / (r1 - r2)
    a2 = (r2 - b1) / (r2 - r1)
    y0 = b1
    below = [r for r in (r1, r2) if r < y0]
    above = [r for r in (r1, r2) if r > y0]
    lo = max(below) if below else -np.inf
    hi = min(above) if above else np.inf
    inside = (y > lo) & (y < hi)
    with np.errstate(divide="ignore"):
        lf = (a1 * np.log(np.abs(y - r1)) + a2 * np.log(np.abs(y - r2))) / b2
    lf0 = (a1 * math.log(abs(y0 - r1)) + a2 * math.log(abs(y0 - r2))) / b2
    return np.where(inside, np.exp(np.minimum(lf - lf0, 0.0)), 0.0)


_SHAPES = {"gaussian": gaussian_profile, "pearson4": pearson4_profile}


def _norm(m: Moments, shape: str) -> float:
    """∫_0^∞ f dz of the unnormalised shape, on a dense grid."""
    top = m.Rp + 40 * m.dRp
    zz = np.linspace(0.0, top, 20001)
    f = _SHAPES[shape](zz, m)
    return float(np.sum(0.5 * (f[1:] + f[:-1])) * (zz[1] - zz[0]))


def depth_profile(z: np.ndarray, m: Moments, dose: float, *, shape: str = "pearson4",
                  offset: float = 0.0) -> np.ndarray:
    """C(z) (m⁻³) for dose (m⁻²), retained-dose normalisation over z ≥ 0; ``offset``
    is the Si-equivalent thickness of material above the silicon surface."""
    if shape not in _SHAPES:
        raise ValueError(f"unknown implant profile {shape!r}; known: {', '.join(_SHAPES)}")
    if not math.isfinite(offset):
        return np.zeros_like(np.asarray(z, float))
    return dose * _SHAPES[shape](np.asarray(z, float) + offset, m) / _norm(m, shape)


def implant_1d(z: np.ndarray, ion: str, dose: float, energy_keV: float, *,
               shape: str = "pearson4", moments: Moments | None = None,
               screen: float = 0.0) -> np.ndarray:
    """1D implanted concentration (m⁻³) on nodes ``z`` (m, 0 = silicon surface);
    ``screen``: Si-equivalent thickness of a layer on top (e.g. a screen oxide)."""
    m = moments or range_moments(ion, energy_keV)
    return depth_profile(z, m, dose, shape=shape, offset=screen)


def implant_2d(z: np.ndarray, x: np.ndarray, ion: str, dose: float, energy_keV: float, *,
               mask: np.ndarray | None = None, shape: str = "pearson4",
               moments: Moments | None = None) -> np.ndarray:
    """2D implanted concentration C[z, x] (m⁻³).

    ``mask`` along x: booleans (True = masked, opaque) or Si-equivalent mask
    thicknesses in m (0 = exposed, inf = opaque).  Lateral straggle: Gaussian
    convolution along x (reflective ends) with σ = ΔR⊥.
    """
    from scipy.ndimage import gaussian_filter1d

    m = moments or range_moments(ion, energy_keV)
    z = np.asarray(z, float)
    x = np.asarray(x, float)
    if mask is None:
        thick = np.zeros(x.size)
    else:
        mask = np.asarray(mask)
        if mask.shape != x.shape:
            raise ValueError(f"mask has {mask.size} entries for {x.size} x nodes")
        thick = np.where(mask, np.inf, 0.0) if mask.dtype == bool else mask.astype(float)
    out = np.zeros((z.size, x.size))
    for off in np.unique(thick):
        cols = thick == off
        out[:, cols] = depth_profile(z, m, dose, shape=shape, offset=off)[:, None]
    if x.size > 1 and m.lateral > 0:
        dx = np.diff(x)
        if np.allclose(dx, dx[0], rtol=1e-9):
            out = gaussian_filter1d(out, sigma=m.lateral / dx[0], axis=1, mode="reflect",
                                    truncate=5.0)
        else:
            out = out @ lateral_kernel(x, m.lateral).T
    return out


def lateral_kernel(x: np.ndarray, sigma: float) -> np.ndarray:
    """W[i, j]: the share of column j's boxed dose that straggles into the box of node i,
    for a Gaussian of s.d. ``sigma`` and reflecting ends (images at both walls), on any
    increasing nodes x:  W_ij = Σ_images [Φ((b_i⁺ − y_j)/σ) − Φ((b_i⁻ − y_j)/σ)] w_j/w_i
    integrated over box j (box edges b, widths w; exact for a boxwise-constant profile)."""
    from scipy.special import ndtr

    x = np.asarray(x, float)
    edges = np.concatenate([[x[0]], 0.5 * (x[1:] + x[:-1]), [x[-1]]])
    w = np.diff(edges)
    L0, L1 = x[0], x[-1]
    W = np.zeros((x.size, x.size))

    def box_to_box(lo_src, hi_src):
        # ∫_{src box} ∫_{dst box} N(y' - y) dy' dy / w_src, via the antiderivative of Φ
        def G(u):
            return u * ndtr(u / sigma) + sigma * np.exp(-0.5 * (u / sigma) ** 2) / np.sqrt(2 * np.pi)
        a, b = edges[:-1][:, None], edges[1:][:, None]
        return (G(b - lo_src) - G(a - lo_src) - G(b - hi_src) + G(a - hi_src))

    lo, hi = edges[:-1][None, :], edges[1:][None, :]
    for sgn, shift in ((1, 0.0), (-1, 2 * L0), (-1, 2 * L1)):
        s_lo, s_hi = (lo, hi) if sgn > 0 else (shift - hi, shift - lo)
        W += box_to_box(s_lo, s_hi)
    return W / w[:, None]
