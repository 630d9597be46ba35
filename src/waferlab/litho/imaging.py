"""Scalar partially coherent imaging: Abbe source-point summation and Hopkins TCC / SOCS.

Thin mask with Fourier coefficients c_k (period L), pupil P, source points s with
weights w_s (sigma units, f_s = sigma_s NA / lambda):

  Abbe     I(x) = sum_s w_s | sum_k c_k P(k/L + f_s) e^{2 pi i k x / L} |^2
  Hopkins  I(x) = sum_{k,k'} c_k c*_k' TCC(k, k') e^{2 pi i (k - k') x / L},
           TCC(k, k') = sum_s w_s P(k/L + f_s) P*(k'/L + f_s)
  SOCS     TCC = sum_j lambda_j phi_j(k) phi_j*(k')  ->  I = sum_j lambda_j |(c phi_j)^(x)|^2

(Hopkins, Proc. R. Soc. A 217, 408, 1953; Cobb, PhD thesis, UC Berkeley, 1998.)  The
eigen-pairs come from the SVD of B[s, k] = sqrt(w_s) P(k/L + f_s), since TCC = B^T B*.

The intensity is band-limited to |f| <= 2 NA / lambda (Abbe) or 2 (1 + sigma) NA / lambda
(truncated SOCS), so each field is summed on a small grid that holds that band without
aliasing and the intensity spectrum is moved once onto the full pixel grid.  This is
exact (not an approximation) and makes both methods cost O(N log N) for the mask FFT
plus small FFTs per source point or kernel.  Intensity is normalised to a clear frame = 1.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.fft as sfft

from .mask import Mask
from .modes import ImagingMethod
from .pupil import pupil_function
from .source import SourcePoints

__all__ = ["Optics", "SocsKernels", "abbe_image", "socs_kernels", "hopkins_image",
           "tcc_matrix", "aerial_image", "pupil_orders"]


@dataclass(frozen=True, kw_only=True)
class Optics:
    """Projection optics (SI): wavelength (m), NA, immersion index, defocus (m), Zernikes (waves)."""

    wavelength: float
    na: float
    immersion: float = 1.0
    defocus: float = 0.0
    zernike: dict = field(default_factory=dict)

    @property
    def cutoff(self) -> float:
        """Coherent cut-off frequency NA / lambda (1/m)."""
        return self.na / self.wavelength

    def pupil(self, fx, fy, defocus: float | None = None) -> np.ndarray:
        z = self.defocus if defocus is None else defocus
        return pupil_function(fx, fy, wavelength=self.wavelength, na=self.na,
                              immersion=self.immersion, defocus=z, zernike=self.zernike)

    @classmethod
    def from_spec(cls, spec) -> "Optics":
        return cls(wavelength=spec.wavelength, na=spec.na, immersion=spec.immersion,
                   defocus=spec.defocus, zernike=dict(spec.zernike))


def _workers() -> int:
    from ..context import RunContext

    return max(1, min(2, RunContext.available_threads()))


def _axis(n: int, length: float, radius: float) -> int:
    """Largest mask harmonic needed on an axis (0 on an invariant axis of one sample)."""
    if n == 1:
        return 0
    return int(min(np.floor(radius * length + 1e-9), (n - 1) // 2))


def pupil_orders(mask: Mask, optics: Optics, source: SourcePoints) -> tuple[np.ndarray, np.ndarray]:
    """Offsets d_k = lambda k / (L NA) (sigma units, (K, 2)) and amplitudes |c_k| of every
    mask order that can reach the pupil from some source point
    (|k / L| <= NA (1 + sigma_max) / lambda)."""
    ny, nx = mask.shape
    lx, ly = mask.period
    fc = optics.cutoff
    smax = float(np.max(np.hypot(source.sx, source.sy)))
    kx, ky = _axis(nx, lx, fc * (1 + smax)), _axis(ny, ly, fc * (1 + smax))
    dx = np.arange(-kx, kx + 1) / lx / fc if nx > 1 else np.zeros(1)
    dy = np.arange(-ky, ky + 1) / ly / fc if ny > 1 else np.zeros(1)
    gx, gy = np.meshgrid(dx, dy)
    amp = np.abs(_sub_spectrum(mask, kx, ky))
    keep = np.hypot(gx, gy) <= 1.0 + smax + 1e-9
    return np.column_stack([gx[keep], gy[keep]]), amp[keep]


def _sub_spectrum(mask: Mask, kx: int, ky: int, pad: int = 0) -> np.ndarray:
    """Mask coefficients c[ky, kx] for |k| <= K, centred, zero-padded by ``pad`` on each side."""
    ny, nx = mask.shape
    if mask.exact is not None:
        spec = mask.exact
    elif np.isrealobj(mask.transmission) or not np.iscomplex(mask.transmission).any():
        half = sfft.rfft2(mask.transmission.real, workers=_workers()) / mask.transmission.size
        iy = np.arange(-ky, ky + 1) % ny
        ix = np.arange(-kx, kx + 1)
        pos = half[np.ix_(iy, np.abs(ix))]
        neg = np.conj(half[np.ix_((-np.arange(-ky, ky + 1)) % ny, np.abs(ix))])
        sub = np.where((ix < 0)[None, :], neg, pos)
        return np.pad(sub, ((pad * (ny > 1), pad * (ny > 1)), (pad * (nx > 1), pad * (nx > 1))))
    else:
        spec = sfft.fft2(mask.transmission, workers=_workers()) / mask.transmission.size
    sub = spec[np.ix_(np.arange(-ky, ky + 1) % ny, np.arange(-kx, kx + 1) % nx)]
    return np.pad(sub, ((pad * (ny > 1), pad * (ny > 1)), (pad * (nx > 1), pad * (nx > 1))))


def _fold_to_grid(i_coarse: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Move the spectrum of a band-limited intensity sampled on a small grid to ``shape``
    (exact point samples: harmonics beyond the output Nyquist alias as sampling demands)."""
    ncy, ncx = i_coarse.shape
    ny, nx = shape
    spec = sfft.fft2(i_coarse) / i_coarse.size
    qy = np.fft.fftfreq(ncy, 1.0 / ncy).astype(int) % ny
    qx = np.fft.fftfreq(ncx, 1.0 / ncx).astype(int) % nx
    full = np.zeros(shape, dtype=complex)
    np.add.at(full, (qy[:, None], qx[None, :]), spec)
    half = full[:, : nx // 2 + 1]
    return sfft.irfft2(half, s=shape, workers=_workers()) * (ny * nx)


def abbe_image(mask: Mask, optics: Optics, source: SourcePoints, *, defocus: float | None = None,
               batch: int = 64) -> np.ndarray:
    """Aerial image by Abbe summation over the source points (exact for the sampling)."""
    ny, nx = mask.shape
    lx, ly = mask.period
    fc = optics.cutoff
    smax = float(np.max(np.hypot(source.sx, source.sy)))
    kx, ky = _axis(nx, lx, fc * (1 + smax)), _axis(ny, ly, fc * (1 + smax))
    hx = 0 if nx == 1 else int(np.ceil(fc * lx)) + 1
    hy = 0 if ny == 1 else int(np.ceil(fc * ly)) + 1
    pad = 4
    msub = _sub_spectrum(mask, kx, ky, pad)
    ox, oy = kx + pad * (nx > 1), ky + pad * (ny > 1)           # index of k = 0 in msub
    ncx = 1 if nx == 1 else sfft.next_fast_len(4 * hx + 1)
    ncy = 1 if ny == 1 else sfft.next_fast_len(4 * hy + 1)
    jx, jy = np.arange(-hx, hx + 1), np.arange(-hy, hy + 1)
    fsx, fsy = source.sx * fc, source.sy * fc
    k0x = np.zeros(len(source), int) if nx == 1 else np.rint(-fsx * lx).astype(int)
    k0y = np.zeros(len(source), int) if ny == 1 else np.rint(-fsy * ly).astype(int)
    intensity = np.zeros((ncy, ncx))
    for b0 in range(0, len(source), batch):
        sl = slice(b0, b0 + batch)
        kkx = jx[None, :] + k0x[sl, None]                    # (b, Wx) mask harmonics
        kky = jy[None, :] + k0y[sl, None]
        kkx = np.clip(kkx, -kx - pad, kx + pad) if nx > 1 else kkx
        kky = np.clip(kky, -ky - pad, ky + pad) if ny > 1 else kky
        fx = (kkx / lx if nx > 1 else 0.0 * kkx) + fsx[sl, None]
        fy = (kky / ly if ny > 1 else 0.0 * kky) + fsy[sl, None]
        p = optics.pupil(fx[:, None, :], fy[:, :, None], defocus)
        c = msub[(kky + oy)[:, :, None], (kkx + ox)[:, None, :]] * p
        field_ = np.zeros((c.shape[0], ncy, ncx), dtype=complex)
        field_[:, (jy % ncy)[:, None], (jx % ncx)[None, :]] = c
        e = sfft.ifft2(field_, axes=(1, 2), workers=_workers()) * (ncy * ncx)
        intensity += np.tensordot(source.weight[sl], (e.real ** 2 + e.imag ** 2), axes=1)
    return _fold_to_grid(intensity, (ny, nx))


@dataclass(frozen=True, kw_only=True)
class SocsKernels:
    """SOCS eigenvalues and kernels phi_j[ky, kx] on harmonics |k| <= K of a period (lx, ly)."""

    eigenvalues: np.ndarray
    kernels: np.ndarray
    shape: tuple[int, int]
    period: tuple[float, float]

    @property
    def harmonics(self) -> tuple[int, int]:
        return (self.kernels.shape[2] // 2, self.kernels.shape[1] // 2)


def _b_matrix(optics, source, shape, period, defocus):
    ny, nx = shape
    lx, ly = period
    fc = optics.cutoff
    smax = float(np.max(np.hypot(source.sx, source.sy)))
    kx, ky = _axis(nx, lx, fc * (1 + smax)), _axis(ny, ly, fc * (1 + smax))
    fx = (np.arange(-kx, kx + 1) / lx) if nx > 1 else np.zeros(1)
    fy = (np.arange(-ky, ky + 1) / ly) if ny > 1 else np.zeros(1)
    p = optics.pupil(fx[None, None, :] + source.sx[:, None, None] * fc,
                     fy[None, :, None] + source.sy[:, None, None] * fc, defocus)
    b = np.sqrt(source.weight)[:, None, None] * p
    return b.reshape(len(source), -1), (2 * ky + 1, 2 * kx + 1)


def tcc_matrix(optics: Optics, source: SourcePoints, *, shape, period,
               defocus: float | None = None) -> np.ndarray:
    """The transmission cross coefficients TCC[k, k'] (flattened harmonics, for tests)."""
    b, _ = _b_matrix(optics, source, shape, period, defocus)
    return b.T @ b.conj()


def socs_kernels(optics: Optics, source: SourcePoints, *, shape: tuple[int, int],
                 period: tuple[float, float], count: int | None = None,
                 defocus: float | None = None) -> SocsKernels:
    """Eigen-decompose the TCC (via SVD of B) and keep the ``count`` strongest kernels."""
    b, kshape = _b_matrix(optics, source, shape, period, defocus)
    if b.shape[0] <= b.shape[1]:
        # Gram matrix over source points: B B^H = U S^2 U^H, phi_j = S_j^-1 (U^H B)_j
        lam, u = np.linalg.eigh(b @ b.conj().T)
        lam, u = lam[::-1], u[:, ::-1]
        pos = lam > max(lam[0], 0.0) * 1e-14
        vh = (u[:, pos].conj().T @ b) / np.sqrt(lam[pos])[:, None]
        lam = lam[pos]
    else:
        # more source points than harmonics: eigen-decompose the TCC itself
        lam, w = np.linalg.eigh(b.T @ b.conj())
        lam, vh = lam[::-1], w[:, ::-1].T
    keep = lam > lam[0] * 1e-14
    n = int(keep.sum()) if count is None else int(min(count, keep.sum()))
    return SocsKernels(eigenvalues=lam[:n], kernels=vh[:n].reshape((n,) + kshape),
                       shape=(int(shape[0]), int(shape[1])), period=(float(period[0]), float(period[1])))


def hopkins_image(mask: Mask, kernels: SocsKernels) -> np.ndarray:
    """Aerial image from precomputed SOCS kernels (one small FFT per kernel)."""
    ny, nx = mask.shape
    if tuple(kernels.shape) != (ny, nx) or not np.allclose(kernels.period, mask.period):
        raise ValueError(f"kernels were made for a {kernels.shape} clip of period {kernels.period}; "
                         f"the mask is {mask.shape} with period {mask.period}")
    kx, ky = kernels.harmonics
    msub = _sub_spectrum(mask, kx, ky)
    ncx = 1 if nx == 1 else sfft.next_fast_len(4 * kx + 1)
    ncy = 1 if ny == 1 else sfft.next_fast_len(4 * ky + 1)
    jx, jy = np.arange(-kx, kx + 1), np.arange(-ky, ky + 1)
    field_ = np.zeros((len(kernels.eigenvalues), ncy, ncx), dtype=complex)
    field_[:, (jy % ncy)[:, None], (jx % ncx)[None, :]] = kernels.kernels * msub[None]
    e = sfft.ifft2(field_, axes=(1, 2), workers=_workers()) * (ncy * ncx)
    intensity = np.tensordot(kernels.eigenvalues, e.real ** 2 + e.imag ** 2, axes=1)
    return _fold_to_grid(intensity, (ny, nx))


def aerial_image(mask: Mask, optics: Optics, source: SourcePoints, *, method: str = ImagingMethod.ABBE,
                 focus=None, kernels: int | None = 24) -> np.ndarray:
    """Aerial image (ny, nx); with ``focus`` a sequence of defocus values (m), a stack
    (n_focus, ny, nx).  Dose enters linearly (I * dose) and needs no recomputation."""
    zs = [optics.defocus] if focus is None else [float(z) for z in np.atleast_1d(focus)]
    try:
        run = _METHODS[method]
    except KeyError:
        raise ValueError(f"image.method = {method!r}; allowed: {', '.join(sorted(_METHODS))}") from None
    out = [run(mask, optics, source, z, kernels) for z in zs]
    return out[0] if focus is None else np.stack(out)


def _abbe(mask, optics, source, z, kernels):
    return abbe_image(mask, optics, source, defocus=z)


def _hopkins(mask, optics, source, z, kernels):
    k = socs_kernels(optics, source, shape=mask.shape, period=mask.period, count=kernels, defocus=z)
    return hopkins_image(mask, k)


_METHODS: dict[str, Any] = {ImagingMethod.ABBE: _abbe, ImagingMethod.HOPKINS: _hopkins}
