"""Resist: Dill exposure, post-exposure bake, Mack development, development front.

Arrays are (nz, *lateral) on depth nodes z_i = i dz, i = 0..nz-1 (z = 0 at the top,
z = thickness at the substrate); lateral axes are periodic with the mask clip.

* Dill exposure (Dill et al., IEEE Trans. Electron Devices 22, 445, 1975):
  dI/dz = -I (A M + B),  dM/dt = -C I M.  Trapezoid rule in z, midpoint rule in dose.
* PEB (Fedynyshyn / Mack): acid h, quencher q, blocked sites m (all per PAG),
  dh/dt = D_h lap h - k_q h q,  dq/dt = D_q lap q - k_q h q,  dm/dt = -k_amp h m.
  Strang splitting: the reaction is integrated exactly (h - q is conserved:
  h(t) = c h0 / [h0 (1 - e^{-k c t}) + c e^{-k c t}], c = h0 - q0), diffusion exactly in
  the Neumann-cosine (depth) x Fourier (lateral) basis.
* Mack rate (Mack, J. Electrochem. Soc. 134, 148, 1987):
  R(m) = R_max (a + 1)(1 - m)^n / [a + (1 - m)^n] + R_min, a = (n+1)/(n-1) (1 - m_th)^n.
* Development front: arrival time T with |grad T| R = 1 from the top surface (Sethian's
  fast marching, scikit-fmm); resist is gone where T <= t_dev.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.fft as sfft

from .modes import ResistTone

__all__ = ["Dill", "Peb", "MackRate", "dill_exposure", "dill_closed_form", "post_exposure_bake",
           "development_time", "developed_height", "threshold_height"]


@dataclass(frozen=True, kw_only=True)
class Dill:
    A: float          # bleachable absorption (1/m)
    B: float          # non-bleachable absorption (1/m)
    C: float          # exposure rate constant (m^2/J)


@dataclass(frozen=True, kw_only=True)
class Peb:
    time: float                      # s
    acid_diffusivity: float = 0.0    # m^2/s
    quencher: float = 0.0            # initial quencher / PAG
    quencher_diffusivity: float = 0.0
    k_amp: float = 0.05              # 1/s
    k_quench: float = 1.0            # 1/s


@dataclass(frozen=True, kw_only=True)
class MackRate:
    rmax: float                      # m/s
    rmin: float                      # m/s
    n: float
    m_th: float

    def __call__(self, m):
        """Development rate (m/s) at blocked fraction m."""
        a = (self.n + 1.0) / (self.n - 1.0) * (1.0 - self.m_th) ** self.n
        u = (1.0 - np.clip(m, 0.0, 1.0)) ** self.n
        return self.rmax * (a + 1.0) * u / (a + u) + self.rmin


def dill_closed_form(z, dose, *, A: float, C: float):
    """M(z) for B = 0: 1 / [1 + (e^{C E} - 1) e^{-A z}] (E = I0 t, the top-surface dose)."""
    return 1.0 / (1.0 + np.expm1(C * dose) * np.exp(-A * np.asarray(z)))


def _depth_intensity(m, dill: Dill, dz: float, i0):
    """Relative intensity I/I0 on the depth nodes (trapezoid rule of the absorption)."""
    alpha = dill.A * m + dill.B
    tau = np.zeros_like(alpha)
    tau[1:] = np.cumsum(0.5 * (alpha[1:] + alpha[:-1]) * dz, axis=0)
    return i0 * np.exp(-tau)


def dill_exposure(i0, *, dose: float, dill: Dill, thickness: float, dz: float,
                  steps: int = 20, depth_resolved: bool = False):
    """Inhibitor fraction M (nz, *lateral) after exposing with top intensity i0 (relative,
    lateral array) and open-frame dose ``dose`` (J/m^2); ``steps`` midpoint dose steps.
    With ``depth_resolved`` i0 is (nz, *lateral): the unattenuated image on each depth
    node (focus through the resist), then attenuated by the Dill absorption."""
    i0 = np.asarray(i0, float)
    nz = int(round(thickness / dz)) + 1
    dz = thickness / (nz - 1)
    if depth_resolved and i0.shape[0] != nz:
        raise ValueError(f"depth-resolved i0 has {i0.shape[0]} planes; the grid has {nz} nodes")
    m = np.ones(((nz,) + i0.shape[1:]) if depth_resolved else ((nz,) + i0.shape))
    de = dose / steps
    for _ in range(steps):
        i_half = _depth_intensity(m * np.exp(-0.5 * dill.C * _depth_intensity(m, dill, dz, i0) * de),
                                  dill, dz, i0)
        m = m * np.exp(-dill.C * i_half * de)
    return m, np.linspace(0.0, thickness, nz)


def _diffuse(field, diffusivity: float, t: float, spacing: tuple[float, ...]):
    """Exact diffusion for time t: Neumann (DCT-I) in depth, periodic (FFT) laterally."""
    if diffusivity == 0.0 or t == 0.0:
        return field
    nz = field.shape[0]
    dz = spacing[0]
    f = sfft.dct(field, type=1, axis=0) if nz > 1 else field
    lat = tuple(range(1, field.ndim))
    g = sfft.rfftn(f, axes=lat)
    k2 = np.zeros(g.shape)
    if nz > 1:
        kz = np.pi * np.arange(nz) / (dz * (nz - 1))
        k2 += (kz ** 2).reshape((nz,) + (1,) * (field.ndim - 1))
    for ax, h in zip(lat, spacing[1:]):
        n = field.shape[ax]
        k = 2 * np.pi * (np.fft.rfftfreq(n, h) if ax == lat[-1] else np.fft.fftfreq(n, h))
        shape = [1] * field.ndim
        shape[ax] = len(k)
        k2 = k2 + (k ** 2).reshape(shape)
    g = g * np.exp(-diffusivity * k2 * t)
    f = sfft.irfftn(g, s=[field.shape[a] for a in lat], axes=lat)
    return sfft.idct(f, type=1, axis=0) if nz > 1 else f


def _react(h, q, kq: float, t: float):
    """Exact acid-quencher neutralisation over t (h - q conserved)."""
    if kq == 0.0 or t == 0.0:
        return h, q
    c = h - q
    x = kq * c * t
    small = np.abs(x) < 1e-8
    g = np.where(small, 1.0 - 0.5 * x, -np.expm1(-x) / np.where(small, 1.0, x))   # (1-e^-x)/x
    h_new = h / (h * kq * t * g + np.exp(-x))
    h_new = np.maximum(h_new, 0.0)
    return h_new, np.maximum(h_new - c, 0.0)


def post_exposure_bake(m_exposed, *, peb: Peb, spacing: tuple[float, ...], steps: int = 20):
    """Blocked fraction m after the bake; acid h0 = 1 - M (M = unexposed PAG fraction).

    Returns (m, h) on the same grid.  ``spacing`` = (dz, *lateral pixel sizes)."""
    h = 1.0 - np.asarray(m_exposed, float)
    q = np.full_like(h, peb.quencher)
    m = np.ones_like(h)
    dt = peb.time / steps
    for _ in range(steps):
        for half in (0, 1):
            h0 = h
            h, q = _react(h, q, peb.k_quench, 0.5 * dt)
            m = m * np.exp(-peb.k_amp * 0.5 * dt * 0.5 * (h0 + h))
            if half == 0:
                h = _diffuse(h, peb.acid_diffusivity, dt, spacing)
                q = _diffuse(q, peb.quencher_diffusivity, dt, spacing)
    return m, h


def development_time(rate, *, spacing: tuple[float, ...], periodic: bool = True):
    """Arrival time T (s) of the development front started at the top surface (z = 0),
    solving |grad T| R = 1 by fast marching (Sethian, PNAS 93, 1591, 1996; scikit-fmm)."""
    import skfmm

    rate = np.asarray(rate, float)
    nz = rate.shape[0]
    dz = spacing[0]
    z = (np.arange(-1, nz) * dz).reshape((nz + 1,) + (1,) * (rate.ndim - 1))
    phi = np.broadcast_to(z, (nz + 1,) + rate.shape[1:]).copy()
    speed = np.concatenate([rate[:1], rate], axis=0)
    per = (False,) + (bool(periodic),) * (rate.ndim - 1)
    t = skfmm.travel_time(phi, speed, dx=list(spacing), order=2, periodic=per)
    return np.asarray(t)[1:]


def developed_height(arrival, *, t_dev: float, thickness: float):
    """Resist height (m) per lateral position: the top of the undeveloped resist, found
    from the first depth node with T > t_dev (linear interpolation of T between nodes)."""
    arrival = np.asarray(arrival, float)
    nz = arrival.shape[0]
    dz = thickness / (nz - 1)
    gone = arrival <= t_dev
    first = np.argmin(gone, axis=0)               # first node still present
    all_gone = gone.all(axis=0)
    idx = np.maximum(first, 1)
    t1 = np.take_along_axis(arrival, idx[None], 0)[0]
    t0 = np.take_along_axis(arrival, (idx - 1)[None], 0)[0]
    frac = np.clip((t_dev - t0) / np.where(t1 > t0, t1 - t0, 1.0), 0.0, 1.0)
    depth = np.where(first == 0, 0.0, (idx - 1 + frac) * dz)
    return np.where(all_gone, 0.0, thickness - depth)


def threshold_height(exposure, *, threshold: float, thickness: float,
                     tone: str = ResistTone.POSITIVE):
    """Threshold resist: a positive resist clears where the relative exposure reaches
    ``threshold`` (negative: stays there)."""
    cleared = np.asarray(exposure) >= threshold
    if tone == ResistTone.NEGATIVE:
        cleared = ~cleared
    return np.where(cleared, 0.0, thickness)
