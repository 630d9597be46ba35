"""Metrics: exact trigonometric cuts, CD, EPE on a known contour, PV band, process window."""
import numpy as np

from waferlab.litho.metrics import (TrigCut, cd_from_cut, dof_at_el, edge_samples, epe,
                                    process_window, pv_band)


def test_trig_cut_is_exact_for_band_limited_signals():
    for n in (64, 65):
        x = -1.0 + 2.0 * np.arange(n) / n
        f = lambda t: 1 + 0.3 * np.cos(np.pi * t) - 0.2 * np.sin(3 * np.pi * t + 0.4)
        cut = TrigCut(x, f(x))
        t = np.linspace(-3, 3, 37)
        assert np.max(np.abs(cut(t) - f(t))) < 1e-13
        df = -0.3 * np.pi * np.sin(np.pi * t) - 0.6 * np.pi * np.cos(3 * np.pi * t + 0.4)
        assert np.max(np.abs(cut(t, 1) - df)) < 1e-12


def test_cd_of_cosine_feature():
    x = np.arange(100) / 100.0
    cut = TrigCut(x, 0.5 - 0.4 * np.cos(2 * np.pi * (x - 0.5)))   # minimum at 0.5
    cd = cd_from_cut(cut, 0.3, center=0.5, half_range=0.5)
    assert abs(cd - 2 * np.arccos(0.5) / (2 * np.pi)) < 1e-12


def test_epe_against_circular_contour():
    """Printed contour: circle of radius R (I = level there); target: square of half-size a.
    At an edge point (a, y0) with normal +x the EPE is sqrt(R^2 - y0^2) - a."""
    n, dx = 200, 1e-9
    x = (np.arange(n) - n // 2) * dx
    X, Y = np.meshgrid(x, x)
    R, a = 60e-9, 50e-9
    intensity = 1.0 - (X ** 2 + Y ** 2) / (2 * R ** 2)               # = 0.5 on the circle
    square = [np.array([[-a, -a], [a, -a], [a, a], [-a, a]])]
    pts, nrm = edge_samples(square, spacing=20e-9)
    e = epe(intensity, x=x, y=x, polygons=square, level=0.5, spacing=20e-9, search=40e-9)
    along = np.abs(-pts[:, 0] * nrm[:, 1] + pts[:, 1] * nrm[:, 0])   # coordinate along the edge
    exact = np.sqrt(R ** 2 - along ** 2) - a
    assert len(e) == 20 and np.max(np.abs(e - exact)) < 0.05e-9


def test_pv_band_area():
    a = np.zeros((10, 10), bool)
    a[2:6, 2:6] = True
    b = np.zeros_like(a)
    b[2:8, 2:6] = True
    assert pv_band([a, b], 1e-18) == 8e-18


def test_process_window_analytic():
    """CD = CD0 + s (d - 1) + b f^2, spec |CD - CD0| <= tol CD0 (t = tol CD0).  For a focus
    window W: d_lo = 1 + (-t - b min_W f^2) / s, d_hi = 1 + (t - b max_W f^2) / s (clipped to
    the dose range); EL(F) = best (d_hi - d_lo) / d_mid over windows of width F."""
    cd0, s, b, tol = 100e-9, 200e-9, 4e6, 0.1
    doses = np.linspace(0.8, 1.2, 41)
    focus = np.linspace(-100e-9, 100e-9, 21)
    cd = cd0 + s * (doses[None, :] - 1) + b * focus[:, None] ** 2
    dof, el = process_window(doses, focus, cd, target=cd0, tol=tol, fine=40001)
    t = tol * cd0
    for F in (0.0, 40e-9, 100e-9):
        ref = 0.0
        for f1 in focus[focus + F <= focus[-1] + 1e-15]:
            f2 = f1 + F
            fmin2 = 0.0 if f1 <= 0 <= f2 else min(f1 * f1, f2 * f2)
            fmax2 = max(f1 * f1, f2 * f2)
            lo = max(1 + (-t - b * fmin2) / s, 0.8)
            hi = min(1 + (t - b * fmax2) / s, 1.2)
            if hi > lo:
                ref = max(ref, (hi - lo) / (0.5 * (hi + lo)))
        got = el[np.argmin(np.abs(dof - F))]
        assert abs(got - ref) < 2e-4, (F, got, ref)
    assert dof_at_el(dof, el, 0.05) > 0
    assert np.all(np.diff(el) <= 1e-15)
