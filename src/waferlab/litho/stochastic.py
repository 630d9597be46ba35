"""Stochastic exposure: photon shot noise, acid-generation noise, LER/LWR and edge PSD.

Top-down (depth-averaged) model on the lateral pixel grid:
  absorbed photons  N ~ Poisson(eta * dose * I * a_px / E_ph),  E_ph = h c / lambda
  acids             H ~ Binomial(N_PAG, 1 - exp(-phi N / N_PAG))  (or its mean)
  bake              acid blurred by diffusion (exact Gaussian in Fourier space)
  edge              where the blurred acid crosses the level of the noise-free image at
                    the nominal edge (dose-to-size), per row along the lines
LER = 3 sigma of edge positions about each edge's mean, LWR = 3 sigma of line widths;
PSD(f) = |FFT(delta)|^2 dy / N (two-sided, sum PSD df = sigma^2).
Shot-noise-limited LER scales as 1/sqrt(dose) (Gallatin, Proc. SPIE 5754, 38, 2005).
At 13.5 nm, E_ph = 91.84 eV and 1 mJ/cm^2 is 0.680 photons/nm^2.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import C_LIGHT, H_PLANCK
from .resist import _diffuse

__all__ = ["photon_energy", "photons_per_area", "StochasticResist", "acid_image",
           "edge_positions", "ler", "lwr", "edge_psd", "stochastic_lines"]

def photon_energy(wavelength: float) -> float:
    """Photon energy h c / lambda (J)."""
    return H_PLANCK * C_LIGHT / wavelength


def photons_per_area(dose: float, wavelength: float) -> float:
    """Incident photons per m^2 for a dose (J/m^2)."""
    return dose / photon_energy(wavelength)


@dataclass(frozen=True, kw_only=True)
class StochasticResist:
    """Parameters of the stochastic top-down resist (SI; pag in 1/m^3)."""

    wavelength: float
    dose: float                    # open-frame dose (J/m^2)
    thickness: float               # m
    absorption: float              # 1/m (fraction absorbed 1 - exp(-alpha d))
    pag: float = 0.2e27            # PAG per m^3
    quantum_yield: float = 1.0     # acids per absorbed photon (EUV: secondary electrons)
    diffusion_length: float = 5e-9  # sqrt(2 D t) of the acid during the bake (m)
    shot_noise: bool = True
    acid_noise: bool = True


def acid_image(intensity: np.ndarray, *, p: StochasticResist, pixel: float,
               rng: np.random.Generator | None) -> np.ndarray:
    """Blurred acid fraction (ny, nx) for a relative intensity map; rng None: mean field."""
    eta = 1.0 - np.exp(-p.absorption * p.thickness) if p.absorption > 0 else 1.0
    mean_n = eta * p.dose * np.asarray(intensity, float) * pixel * pixel / photon_energy(p.wavelength)
    n = rng.poisson(mean_n).astype(float) if (p.shot_noise and rng is not None) else mean_n
    n_pag = p.pag * pixel * pixel * p.thickness
    prob = -np.expm1(-p.quantum_yield * n / n_pag)
    if p.acid_noise and rng is not None:
        h = rng.binomial(np.int64(max(round(n_pag), 1)), prob).astype(float) / max(round(n_pag), 1)
    else:
        h = prob
    d = p.diffusion_length ** 2 / 2.0          # D t
    return _diffuse(h[None], d, 1.0, (1.0, pixel, pixel))[0] if d > 0 else h


def edge_positions(field: np.ndarray, x: np.ndarray, *, level: float, nominal, window: float):
    """Edge x per row (n_edges, ny): the crossing of ``level`` nearest each nominal edge
    within +-window (linear interpolation); NaN where there is none."""
    out = np.full((len(nominal), field.shape[0]), np.nan)
    dx = x[1] - x[0]
    v = field - level
    sgn = np.sign(v)
    cross = sgn[:, :-1] != sgn[:, 1:]
    xc_base = x[:-1]
    for e, x_e in enumerate(nominal):
        cols = np.nonzero(np.abs(xc_base + 0.5 * dx - x_e) <= window)[0]
        a, b = v[:, cols], v[:, cols + 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            xs = np.where(cross[:, cols], xc_base[cols] + dx * a / (a - b), np.nan)
        dist = np.where(np.isnan(xs), np.inf, np.abs(xs - x_e))
        best = np.argmin(dist, axis=1)
        rows = np.arange(field.shape[0])
        out[e] = np.where(np.isfinite(dist[rows, best]), xs[rows, best], np.nan)
    return out


def ler(edges: np.ndarray) -> float:
    """Line-edge roughness 3 sigma (pooled over edges, each about its own mean)."""
    dev = edges - np.nanmean(edges, axis=1, keepdims=True)
    return float(3.0 * np.sqrt(np.nanmean(dev ** 2)))


def lwr(left: np.ndarray, right: np.ndarray) -> float:
    """Line-width roughness 3 sigma of the widths right - left."""
    w = right - left
    return float(3.0 * np.sqrt(np.nanmean((w - np.nanmean(w, axis=-1, keepdims=True)) ** 2)))


def edge_psd(edges: np.ndarray, dy: float):
    """Two-sided PSD of edge deviations averaged over edges: (f (1/m), PSD (m^3))."""
    e = np.atleast_2d(edges)
    e = e[~np.isnan(e).any(axis=1)]
    dev = e - e.mean(axis=1, keepdims=True)
    n = dev.shape[1]
    psd = (np.abs(np.fft.fft(dev, axis=1)) ** 2).mean(axis=0) * dy / n
    return np.fft.fftfreq(n, dy), psd


def stochastic_lines(cut: np.ndarray, x: np.ndarray, *, p: StochasticResist, length: float,
                     pitch: float, duty: float, rng: np.random.Generator, periods: int = 1):
    """Stochastic top-down image of a vertical line/space grating (one-period cut ``cut``
    with x = 0 at a space centre, re-gridded to start at x = 0, tiled ``periods`` times and ``length`` long in y).
    Returns dict(edges (2*periods, ny), ler, lwr, psd_f, psd, level, x, field)."""
    dx = x[1] - x[0]
    ny = max(int(round(length / dx)), 8)
    shift = int(np.argmin(np.abs(x)))               # start the tiled grid at x = 0
    xs = dx * np.arange(len(x) * periods)
    image = np.tile(np.roll(np.asarray(cut, float), -shift), periods)[None, :].repeat(ny, axis=0)
    mean_field = acid_image(image[:1], p=p, pixel=dx, rng=None)[0]
    half_space = 0.5 * (1.0 - duty) * pitch
    lefts = [k * pitch + half_space for k in range(periods)]          # line's left edges
    rights = [(k + 1) * pitch - half_space for k in range(periods)]
    level = float(np.interp(lefts[0], xs, mean_field))
    field = acid_image(image, p=p, pixel=dx, rng=rng)
    window = 0.25 * min(duty, 1 - duty) * pitch
    left = edge_positions(field, xs, level=level, nominal=lefts, window=window)
    right = edge_positions(field, xs, level=level, nominal=rights, window=window)
    edges = np.concatenate([left, right])
    f, psd = edge_psd(edges, dx)
    return {"edges": edges, "ler": ler(edges), "lwr": lwr(left, right), "psd_f": f, "psd": psd,
            "level": level, "x": xs, "field": field}

