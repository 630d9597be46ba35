"""Masks: layouts (GDSII/OASIS via gdstk, recipe polygons) and gratings on a pixel grid.

Thin-mask (Kirchhoff) transmission t(x, y): 1 in clear areas, the absorber amplitude
a = sqrt(T) e^{i phi} under absorber (binary: a = 0; attenuated PSM: T ~ 0.06,
phi = 180 deg).  Pixels are anti-aliased with the exact area fraction c of clear
area, t = c + (1 - c) a.  The clip is one period of a periodic mask (FFT imaging).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import RecipeError
from ._kernels import polygon_coverage
from .modes import GratingClear, GratingOrientation, LayoutTone, MaskKind

__all__ = ["Mask", "absorber_amplitude", "coverage_map", "grating_mask", "layout_mask",
           "read_layout", "mask_from_spec", "DATA_DIR"]

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True, kw_only=True)
class Mask:
    """Mask transmission samples t[j, i] at x = x0 + i dx, y = y0 + j dy (one period).

    ``exact`` holds the exact Fourier coefficients of the continuous mask in FFT order
    (normalised like fft2(t) / t.size) when known (gratings); an axis of length 1 is
    invariant (a 1D mask).  ``clear`` is the clear-area coverage (0..1) used for EPE.
    """

    transmission: np.ndarray
    pixel: tuple[float, float]
    origin: tuple[float, float]
    clear: np.ndarray
    exact: np.ndarray | None = None
    polygons: tuple[np.ndarray, ...] = ()

    @property
    def shape(self) -> tuple[int, int]:
        return self.transmission.shape

    @property
    def x(self) -> np.ndarray:
        return self.origin[0] + self.pixel[0] * np.arange(self.shape[1])

    @property
    def y(self) -> np.ndarray:
        return self.origin[1] + self.pixel[1] * np.arange(self.shape[0])

    @property
    def period(self) -> tuple[float, float]:
        return (self.pixel[0] * self.shape[1], self.pixel[1] * self.shape[0])

    def spectrum(self) -> np.ndarray:
        """Fourier coefficients c[ky, kx] (FFT order) with t = sum c e^{2 pi i k (x - x0) / L}."""
        if self.exact is not None:
            return self.exact
        import scipy.fft as sfft

        return sfft.fft2(self.transmission, workers=-1) / self.transmission.size


def absorber_amplitude(kind: str, transmission: float | None, phase: float) -> complex:
    """Amplitude a of the absorber: binary 0 (or sqrt(T) if T given), attpsm sqrt(T) e^{i phi}."""
    if kind == MaskKind.BINARY:
        return complex(np.sqrt(transmission)) if transmission else 0j
    t = 0.06 if transmission is None else transmission
    return complex(np.sqrt(t) * np.exp(1j * phase))


def coverage_map(polygons, *, shape: tuple[int, int], pixel: tuple[float, float],
                 origin: tuple[float, float], periodic: bool = True) -> np.ndarray:
    """Exact area fraction of each pixel covered by the union of ``polygons`` (m).

    Pixel (j, i) is centred at origin + (i dx, j dy).  Periodic clips wrap polygons that
    cross the border; otherwise what lies outside is cut off.  Overlaps are clipped to 1.
    """
    ny, nx = shape
    dx, dy = pixel
    out = np.zeros(shape)
    for poly in polygons:
        p = np.asarray(poly, dtype=float)
        if p.ndim != 2 or p.shape[1] != 2 or len(p) < 3:
            raise RecipeError(f"a polygon needs >= 3 [x, y] vertices; got shape {p.shape}")
        u = (p[:, 0] - origin[0]) / dx + 0.5          # pixel units, pixel i covers [i, i+1]
        v = (p[:, 1] - origin[1]) / dy + 0.5
        i0, j0 = int(np.floor(u.min())) - 1, int(np.floor(v.min())) - 1
        w = int(np.ceil(u.max())) - i0 + 2
        h = int(np.ceil(v.max())) - j0 + 1
        cov = polygon_coverage(u - i0, v - j0, w, h)
        ii = np.arange(i0, i0 + w)
        jj = np.arange(j0, j0 + h)
        if periodic:
            np.add.at(out, (jj[:, None] % ny, ii[None, :] % nx), cov)
        else:
            ki = (ii >= 0) & (ii < nx)
            kj = (jj >= 0) & (jj < ny)
            out[np.ix_(jj[kj], ii[ki])] += cov[np.ix_(kj, ki)]
    return np.minimum(out, 1.0)


def grating_mask(*, pitch: float, duty: float = 0.5, clear: str = GratingClear.SPACES,
                 pixel: float, orientation: str = GratingOrientation.VERTICAL, absorber: complex = 0j) -> Mask:
    """One period of a line/space grating; x = 0 at a space centre; exact spectrum attached.

    c_k = a delta_k0 + (1 - a) (w/p) sinc(k w/p) e^{2 pi i k (x0 - x_c)/p}, with w the clear
    width and x_c its centre (0 for clear spaces, p/2 for clear lines).
    """
    n = max(int(round(pitch / pixel)), 2)
    dx = pitch / n
    x0 = -(n // 2) * dx
    x = x0 + dx * np.arange(n)
    width = (1.0 - duty) * pitch if clear == GratingClear.SPACES else duty * pitch
    centre = 0.0 if clear == GratingClear.SPACES else 0.5 * pitch
    # exact clear coverage of each pixel (periodic distance to the clear centre)
    d = np.abs((x - centre + 0.5 * pitch) % pitch - 0.5 * pitch)
    cov = np.clip((0.5 * width - (d - 0.5 * dx)) / dx, 0.0, 1.0)
    k = np.fft.fftfreq(n, 1.0 / n)
    c = (1.0 - absorber) * (width / pitch) * np.sinc(k * width / pitch) \
        * np.exp(2j * np.pi * k * (x0 - centre) / pitch)
    c[0] += absorber
    t = cov + (1.0 - cov) * absorber
    if orientation == GratingOrientation.VERTICAL:
        return Mask(transmission=t[None, :].astype(complex), pixel=(dx, dx), origin=(x0, 0.0),
                    clear=cov[None, :], exact=c[None, :])
    return Mask(transmission=t[:, None].astype(complex), pixel=(dx, dx), origin=(0.0, x0),
                clear=cov[:, None], exact=c[:, None])


def layout_mask(polygons, *, size: tuple[float, float], center: tuple[float, float],
                pixel: float, tone: str = LayoutTone.CLEAR, absorber: complex = 0j,
                periodic: bool = True) -> Mask:
    """Rasterise polygons (m) into a clip of ``size`` centred at ``center``."""
    nx = max(int(round(size[0] / pixel)), 1)
    ny = max(int(round(size[1] / pixel)), 1)
    origin = (center[0] - 0.5 * nx * pixel + 0.5 * pixel, center[1] - 0.5 * ny * pixel + 0.5 * pixel)
    cov = coverage_map(polygons, shape=(ny, nx), pixel=(pixel, pixel), origin=origin,
                       periodic=periodic)
    clear = cov if tone == LayoutTone.CLEAR else 1.0 - cov
    t = clear + (1.0 - clear) * absorber
    return Mask(transmission=t.astype(complex), pixel=(pixel, pixel), origin=origin, clear=clear,
                polygons=tuple(np.asarray(p, float) for p in polygons))


def _resolve(file: str, base_dir: Path | None) -> Path:
    path = Path(file)
    candidates = [path] if path.is_absolute() else \
        ([base_dir / path] if base_dir else []) + [Path.cwd() / path, DATA_DIR / path]
    for c in candidates:
        if c.is_file():
            return c
    raise RecipeError(f"mask.file = {file!r}: not found (looked in "
                      f"{', '.join(str(c.parent) for c in candidates)})")


def _read_library(gdstk, path: Path, shown: str):
    """gdstk's reader behind a header check; a malformed or truncated file is a RecipeError
    (gdstk's own complaint on stderr is captured, not shown)."""
    import os
    import tempfile

    oasis = path.suffix.lower() in (".oas", ".oasis")
    with open(path, "rb") as fh:
        head = fh.read(16)
    if oasis and not head.startswith(b"%SEMI-OASIS"):
        raise RecipeError(f"mask.file = {shown!r} is not an OASIS file (no %SEMI-OASIS header)")
    if not oasis and not head.startswith(b"\x00\x06\x00\x02"):
        raise RecipeError(f"mask.file = {shown!r} is not a GDSII file (it does not start with a "
                          "HEADER record); give a .gds or .oas layout")
    saved = os.dup(2)
    with tempfile.TemporaryFile() as err:
        os.dup2(err.fileno(), 2)
        try:
            return gdstk.read_oas(str(path)) if oasis else gdstk.read_gds(str(path))
        except Exception as exc:
            err.seek(0)
            said = err.read(300).decode("utf-8", "replace").strip().replace("\n", " ")
            raise RecipeError(f"mask.file = {shown!r} cannot be read as "
                              f"{'OASIS' if oasis else 'GDSII'}: {said or type(exc).__name__} "
                              "(a truncated or damaged file?)") from None
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def read_layout(file: str | Path, *, cell: str | None = None, layer: int = 1, datatype: int = 0,
                base_dir: Path | None = None) -> list[np.ndarray]:
    """Polygons (m) of one layer/datatype of a GDSII or OASIS file, read with gdstk."""
    import gdstk

    path = _resolve(str(file), base_dir)
    lib = _read_library(gdstk, path, str(file))
    cells = {c.name: c for c in lib.cells}
    if cell is None:
        tops = lib.top_level()
        if not tops:
            raise RecipeError(f"mask.file = {str(file)!r} holds no cells")
        top = tops[0]
    elif cell in cells:
        top = cells[cell]
    else:
        raise RecipeError(f"mask.cell = {cell!r} is not in {str(file)!r}; cells: {sorted(cells)}")
    polys = top.get_polygons(layer=layer, datatype=datatype)
    if not polys:
        raise RecipeError(f"mask: no polygons on layer {layer}/{datatype} of cell {top.name!r}")
    return [np.asarray(p.points, float) * lib.unit for p in polys]


def mask_from_spec(spec, *, pixel: float, base_dir: Path | None = None) -> Mask:
    """Build a :class:`Mask` from a ``mask:`` recipe section (grating, polygons or gds)."""
    absorber = absorber_amplitude(spec.kind, spec.transmission, spec.phase)
    if spec.type == "grating":
        return grating_mask(pitch=spec.pitch, duty=spec.duty, clear=spec.clear, pixel=pixel,
                            orientation=spec.orientation, absorber=absorber)
    if spec.type == "polygons":
        polys = [np.asarray(p, float) * spec.unit for p in spec.polygons]
    else:
        polys = read_layout(spec.file, cell=spec.cell, layer=spec.layer, datatype=spec.datatype,
                            base_dir=base_dir)
    size = (spec.size[0], spec.size[-1])
    if spec.center is not None:
        center = (spec.center[0], spec.center[1])
    else:
        allp = np.concatenate(polys)
        center = tuple(0.5 * (allp.min(0) + allp.max(0)))
    return layout_mask(polys, size=size, center=center, pixel=pixel, tone=spec.tone,
                       absorber=absorber, periodic=spec.periodic)
