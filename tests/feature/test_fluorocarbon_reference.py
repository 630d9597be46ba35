"""The front-tracking reference of the fluorocarbon benches
(``validation.coverage_profile.evolve_profile``) at a convex corner.

Exact answer: under a directional rate V_n = V_0 max(n_y, 0) every facet with n_y > 0
translates straight down by V_0 t and a vertical wall stays, so a V of half-angle 16.7°
(vertical walls above it) keeps its shape and its tip descends by exactly V_0 t.  The
length-weighted mean of the two elements' V_n n lags the tip (its vertical component is
V_0 n_y² there: 0.08 V_0), which the re-sampling only partly repairs; the intersection
of the two moved lines is the corner of the offset polygon.
"""
from __future__ import annotations

import types

import numpy as np
import pytest

import waferlab.validation.coverage_profile as cp

V0 = 7e-9                         # m/s
NM = 1e-9


def _directional(model, P, materials, **kw):
    A, B, nrm, L = cp._segments(P)
    n = len(A) - 1
    return types.SimpleNamespace(speed=-V0 * np.maximum(nrm[:n, 1], 0.0), normal=nrm[:n],
                                 length=L[:n])


def _tip_depth(monkeypatch, corners: str, spacing_nm: float) -> float:
    monkeypatch.setattr(cp, "coverage_profile", _directional)
    P0 = np.array([[-30, 0], [-30, -50], [0, -150], [30, -50], [30, 0]]) * NM
    P = cp.evolve_profile(None, P0, 10.0, material_of=lambda xy: np.zeros(len(xy), int),
                          held=[1], spacing=spacing_nm * NM, max_step=0.5 * spacing_nm * NM,
                          corners=corners)
    return -float(P[:, 1].min()) / NM


@pytest.mark.parametrize("spacing_nm", [4.0, 2.0])
def test_intersect_corner_moves_a_v_tip_exactly(monkeypatch, spacing_nm):
    # exact: 150 nm + V_0 · 10 s = 220 nm; the intersection is exact up to round-off
    assert _tip_depth(monkeypatch, "intersect", spacing_nm) == pytest.approx(220.0, abs=0.05)


def test_mean_rule_lags_a_v_tip(monkeypatch):
    # the old rule (still the default): 12.3 nm short at 2 nm spacing
    assert _tip_depth(monkeypatch, "mean", 2.0) < 215.0


def test_corners_keyword_is_checked():
    with pytest.raises(ValueError, match="corners"):
        cp.evolve_profile(None, np.zeros((3, 2)), 1.0, material_of=None, held=[],
                          spacing=1e-9, max_step=1e-9, corners="sharp")
