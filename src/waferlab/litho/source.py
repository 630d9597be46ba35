"""Illumination sources in pupil-normalised coordinates (sigma = sin(theta_ill) / NA).

A source is sampled on a square grid of step ``step`` (points at k * step, so the set
is symmetric); each point's weight is the area fraction of its cell inside the shape
(8 x 8 sub-samples) times the intensity; weights sum to 1.  A circular source with
sigma = 0 is one on-axis point (coherent illumination).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import RecipeError

__all__ = ["SourcePoints", "sample_source", "source_shapes"]


@dataclass(frozen=True, kw_only=True)
class SourcePoints:
    """Source points (sigma units) and their weights (sum 1)."""

    sx: np.ndarray
    sy: np.ndarray
    weight: np.ndarray

    def __len__(self) -> int:
        return len(self.weight)


def _ring(spec, r):
    return (r >= spec.sigma_in) & (r <= spec.sigma_out)


def _angle_ok(theta, centres, half_opening):
    d = np.abs((theta[..., None] - np.asarray(centres) + np.pi) % (2 * np.pi) - np.pi)
    return (d <= half_opening).any(axis=-1)


def _circular(spec, sx, sy):
    return (np.hypot(sx, sy) <= spec.sigma).astype(float)


def _annular(spec, sx, sy):
    return _ring(spec, np.hypot(sx, sy)).astype(float)


def _dipole(spec, sx, sy):
    centres = (0.0, np.pi) if spec.axis == "x" else (0.5 * np.pi, 1.5 * np.pi)
    ok = _ring(spec, np.hypot(sx, sy)) & _angle_ok(np.arctan2(sy, sx), centres, 0.5 * spec.opening)
    return ok.astype(float)


def _quadrupole(spec, sx, sy):
    base = 0.0 if spec.orientation == "cross" else 0.25 * np.pi
    centres = [base + k * 0.5 * np.pi for k in range(4)]
    ok = _ring(spec, np.hypot(sx, sy)) & _angle_ok(np.arctan2(sy, sx), centres, 0.5 * spec.opening)
    return ok.astype(float)


source_shapes: dict[str, Callable] = {
    "circular": _circular, "annular": _annular, "dipole": _dipole, "quadrupole": _quadrupole,
}


def _freeform(spec, base_dir: Path | None) -> SourcePoints:
    if spec.map is not None:
        arr = np.asarray(spec.map, float)
    else:
        path = Path(spec.file)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        if not path.is_file():
            raise RecipeError(f"optics.source.file = {spec.file!r}: not found")
        arr = np.load(path).astype(float)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or (arr < 0).any() or arr.sum() <= 0:
        raise RecipeError("optics.source.map: a square array of non-negative numbers, not all 0")
    n = arr.shape[0]
    c = -1.0 + (np.arange(n) + 0.5) * 2.0 / n
    sy, sx = np.meshgrid(c, c, indexing="ij")
    keep = (arr > 0) & (np.hypot(sx, sy) <= 1.0)
    if not keep.any():
        raise RecipeError("optics.source.map has no intensity inside the pupil (sigma <= 1)")
    w = arr[keep]
    return SourcePoints(sx=sx[keep], sy=sy[keep], weight=w / w.sum())


def sample_source(spec, *, step: float = 0.05, sub: int = 8,
                  base_dir: Path | None = None) -> SourcePoints:
    """Sample a source spec (``optics.source``) on a grid of ``step`` (sigma units)."""
    if spec.shape == "freeform":
        return _freeform(spec, base_dir)
    if spec.shape == "circular" and spec.sigma == 0.0:
        return SourcePoints(sx=np.zeros(1), sy=np.zeros(1), weight=np.ones(1))
    fn = source_shapes[spec.shape]
    kmax = int(np.ceil(1.0 / step)) + 1
    k = np.arange(-kmax, kmax + 1) * step
    gy, gx = np.meshgrid(k, k, indexing="ij")
    o = (np.arange(sub) + 0.5) / sub - 0.5
    w = np.zeros_like(gx)
    for oy in o:
        for ox in o:
            w += fn(spec, gx + ox * step, gy + oy * step)
    keep = (w > 0) & (np.hypot(gx, gy) <= 1.0 + 1e-12)
    if not keep.any():
        raise RecipeError(f"optics.source: no source point inside the pupil with step {step}; "
                          "use a smaller image.source_step")
    ww = w[keep]
    return SourcePoints(sx=gx[keep], sy=gy[keep], weight=ww / ww.sum())
