"""Image and pattern metrics: CD, contrast, ILS, NILS, EPE, dose-focus matrix, EL vs DOF, PV band.

Definitions (Mack, *Fundamental Principles of Optical Lithography*, Wiley 2007, ch. 8-9):
contrast = (I_max - I_min) / (I_max + I_min) with I_max, I_min at the space and line
centres of a grating; ILS = d ln I / dx at the feature edge; NILS = CD * ILS with the
nominal feature width; exposure latitude EL = (d_hi - d_lo) / d_mid of the largest dose
range keeping CD within +-tol over a focus range of width DOF.  Periodic cuts are
evaluated with their exact trigonometric interpolant (the image is band-limited).
"""
from __future__ import annotations

import numpy as np
from scipy.ndimage import map_coordinates
from scipy.optimize import brentq

from .modes import GratingClear, LayoutTone

__all__ = ["TrigCut", "contrast", "ils", "cd_from_cut", "grating_metrics", "edge_samples",
           "epe", "pv_band", "dose_focus_cd", "process_window", "dof_at_el"]


class TrigCut:
    """Exact trigonometric interpolant of a periodic, band-limited 1D sample set."""

    def __init__(self, x: np.ndarray, values: np.ndarray):
        self.x0 = float(x[0])
        self.n = len(x)
        self.period = float((x[1] - x[0]) * self.n)
        self.c = np.fft.fft(values) / self.n
        k = np.fft.fftfreq(self.n, 1.0 / self.n)
        if self.n % 2 == 0:                      # split the Nyquist term symmetrically
            k[self.n // 2] = 0.0
            self.nyq = self.c[self.n // 2].real
            self.c[self.n // 2] = 0.0
        else:
            self.nyq = 0.0
        self.k = k

    def __call__(self, x, derivative: int = 0):
        x = np.asarray(x, float)
        ph = 2j * np.pi * np.multiply.outer(x - self.x0, self.k) / self.period
        fac = (2j * np.pi * self.k / self.period) ** derivative
        out = (np.exp(ph) * (self.c * fac)).sum(-1).real
        if self.nyq and derivative == 0:
            out = out + self.nyq * np.cos(np.pi * self.n * (x - self.x0) / self.period)
        elif self.nyq:
            w = np.pi * self.n / self.period
            out = out + self.nyq * w ** derivative * np.cos(w * (x - self.x0) + derivative * np.pi / 2)
        return out


def contrast(i_max: float, i_min: float) -> float:
    return (i_max - i_min) / (i_max + i_min)


def ils(cut: TrigCut, at: float) -> float:
    """Image log-slope |d ln I / dx| (1/m) at ``at``."""
    return float(abs(cut(at, 1) / cut(at)))


def _crossing(f, a: float, b: float, level: float, samples: int = 64) -> float:
    """First x from a towards b where f(x) crosses ``level`` (NaN if none)."""
    xs = np.linspace(a, b, samples + 1)
    v = f(xs) - level
    s = np.nonzero(np.sign(v[:-1]) != np.sign(v[1:]))[0]
    if len(s) == 0:
        return float("nan")
    i = int(s[0])
    return float(brentq(lambda t: float(f(t)) - level, xs[i], xs[i + 1], xtol=1e-16, rtol=1e-13))


def cd_from_cut(cut: TrigCut, level: float, *, center: float, half_range: float) -> float:
    """Width of the region around ``center`` on one side of ``level`` (first crossings
    left and right within ``half_range``); NaN if the feature does not print."""
    right = _crossing(cut, center, center + half_range, level)
    left = _crossing(cut, center, center - half_range, level)
    return right - left


def grating_metrics(x: np.ndarray, intensity: np.ndarray, *, pitch: float, duty: float,
                    clear: str = GratingClear.SPACES, threshold: float | None = None,
                    dose: float = 1.0) -> dict:
    """Metrics of a one-period grating cut with x = 0 at the space centre.

    The feature is the line (width duty * pitch, centred at pitch / 2).  The printed CD is
    the width around the line centre where dose * I stays on the line's side of threshold.
    """
    cut = TrigCut(x, intensity)
    space_c, line_c = 0.0, 0.5 * pitch
    edge = 0.5 * (1.0 - duty) * pitch
    i_space, i_line = float(cut(space_c)), float(cut(line_c))
    i_max, i_min = max(i_space, i_line), min(i_space, i_line)
    out = {"i_max": i_max, "i_min": i_min, "contrast": contrast(i_max, i_min),
           "edge_intensity": float(cut(edge)), "ils_per_m": ils(cut, edge),
           "nils": ils(cut, edge) * duty * pitch}
    if threshold is not None:
        level = threshold / dose
        out["cd_m"] = cd_from_cut(cut, level, center=line_c, half_range=0.5 * pitch)
        out["threshold"] = threshold
    return out


# ---------------------------------------------------------------- edge placement error
def edge_samples(polygons, spacing: float = 40e-9):
    """Points every ``spacing`` along polygon edges (segment midpoints) and outward normals."""
    pts, nrm = [], []
    for p in polygons:
        p = np.asarray(p, float)
        area = 0.5 * np.sum(p[:, 0] * np.roll(p[:, 1], -1) - np.roll(p[:, 0], -1) * p[:, 1])
        sgn = 1.0 if area > 0 else -1.0
        for a, b in zip(p, np.roll(p, -1, axis=0)):
            d = b - a
            length = float(np.hypot(*d))
            if length == 0:
                continue
            n = max(int(round(length / spacing)), 1)
            t = (np.arange(n) + 0.5) / n
            pts.append(a + t[:, None] * d)
            nrm.append(np.repeat((sgn * np.array([d[1], -d[0]]) / length)[None], n, axis=0))
    if not pts:
        return np.zeros((0, 2)), np.zeros((0, 2))
    return np.concatenate(pts), np.concatenate(nrm)


def epe(intensity: np.ndarray, *, x: np.ndarray, y: np.ndarray, polygons, level: float,
        tone: str = LayoutTone.CLEAR, spacing: float = 40e-9, search: float = 60e-9) -> np.ndarray:
    """Edge placement error (m) at sample points of the target polygons: signed distance
    along the outward normal from the target edge to the printed contour I = level
    (positive: printed feature larger).  Clear polygons print where I >= level."""
    pts, nrm = edge_samples(polygons, spacing)
    dx, dy = x[1] - x[0], y[1] - y[0]
    t = np.linspace(-search, search, int(round(2 * search / (0.25 * dx))) + 1)
    px = pts[:, None, 0] + t[None, :] * nrm[:, None, 0]
    py = pts[:, None, 1] + t[None, :] * nrm[:, None, 1]
    vals = map_coordinates(intensity, [(py - y[0]) / dy, (px - x[0]) / dx], order=3, mode="grid-wrap")
    inside = vals >= level if tone == LayoutTone.CLEAR else vals < level
    out = np.full(len(pts), np.nan)
    for i in range(len(pts)):
        change = np.nonzero(inside[i, :-1] & ~inside[i, 1:])[0]
        if len(change) == 0:
            continue
        j = change[np.argmin(np.abs(t[change]))]
        v0, v1 = vals[i, j] - level, vals[i, j + 1] - level
        out[i] = t[j] + (t[j + 1] - t[j]) * v0 / (v0 - v1)
    return out


def pv_band(printed, pixel_area: float) -> float:
    """Process-variability band area: pixels printed in some but not all corners."""
    stack = np.asarray(printed, bool)
    return float((stack.any(0) & ~stack.all(0)).sum() * pixel_area)


# ---------------------------------------------------------------- process window
def dose_focus_cd(cuts: list[TrigCut], doses, *, threshold: float, center: float,
                  half_range: float) -> np.ndarray:
    """CD[i_focus, i_dose] of the feature at ``center`` for each focus cut and relative dose."""
    return np.array([[cd_from_cut(c, threshold / d, center=center, half_range=half_range)
                      for d in doses] for c in cuts])


def process_window(doses, focus, cd, *, target: float, tol: float = 0.1, fine: int = 4001):
    """Exposure latitude vs depth of focus.  Returns (dof, el): for every focus window
    [focus[i], focus[j]] the largest dose range with |CD - target| <= tol * target at all its
    focus values; EL = (d_hi - d_lo) / d_mid; dof sorted, el the best for each dof."""
    doses = np.asarray(doses, float)
    focus = np.asarray(focus, float)
    cd = np.asarray(cd, float)
    dd = np.linspace(doses.min(), doses.max(), fine)
    ok = np.array([np.abs(np.interp(dd, doses, np.nan_to_num(row, nan=np.inf)) - target)
                   <= tol * target for row in cd])
    best: dict[float, float] = {}
    for i in range(len(focus)):
        allowed = np.ones(fine, bool)
        for j in range(i, len(focus)):
            allowed &= ok[j]
            el = _longest_run_el(dd, allowed)
            dof = float(np.round(focus[j] - focus[i], 12))
            best[dof] = max(best.get(dof, 0.0), el)
    dofs = np.array(sorted(best))
    els = np.array([best[d] for d in dofs])
    els = np.maximum.accumulate(els[::-1])[::-1]        # a wider window never has more EL
    return dofs, els


def _longest_run_el(dd: np.ndarray, allowed: np.ndarray) -> float:
    if not allowed.any():
        return 0.0
    a = np.concatenate(([0], allowed.astype(int), [0]))
    starts = np.nonzero(np.diff(a) == 1)[0]
    ends = np.nonzero(np.diff(a) == -1)[0] - 1
    k = int(np.argmax(dd[ends] - dd[starts]))
    lo, hi = dd[starts[k]], dd[ends[k]]
    return float((hi - lo) / (0.5 * (hi + lo)))


def dof_at_el(dof: np.ndarray, el: np.ndarray, el_min: float = 0.05) -> float:
    """Largest DOF whose exposure latitude is at least ``el_min``."""
    okk = el >= el_min
    return float(dof[okk].max()) if okk.any() else 0.0
