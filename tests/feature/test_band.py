"""The sparse band rebuild (feature/_band.py): coverage, drift, exactness."""
from __future__ import annotations

import numpy as np

from waferlab.feature import _band as KB
from waferlab.feature.grid import Grid
from waferlab.feature.levelset import LevelSetStack


def _circle(h=0.05, R=0.6, scale=1.0):
    g = Grid(dimension=2, spacing=h, extent=(2.0,))
    z = -1.0 + h * np.arange(int(round(2.0 / h)) + 1)
    X, Z = np.meshgrid(g.lateral_coords(0), z, indexing="ij")
    return g, X, Z, scale * (np.hypot(X, Z) - R)


def _rebuild(phi, h, W, keep):
    a = phi[:, None, :]
    mark = np.zeros(a.shape, dtype=np.uint8)
    band, cand, k_lo, k_hi = KB.rebuild(a, mark, h, W * h, keep * h, (W + 1) * h, 2,
                                         False, False)
    return band, cand


def test_rebuild_restores_distance_and_covers_the_band():
    """A circle with |∇φ| = 1.5 becomes a distance: band nodes within the chamfer error
    of the exact distance (≤ 8 % of the distance for 26/8 neighbours with Euclidean
    weights, Borgefors 1986, plus one off-axis step from the interface node it starts
    from, (√2 − 1) h), interface moved < 0.02 h, and every node within W of the circle
    is in the band."""
    h, W, R = 0.05, 4.0, 0.6
    g, X, Z, phi = _circle(h, R, scale=1.5)
    phi = np.clip(phi, -(W + 1) * h, (W + 1) * h)
    band, _ = _rebuild(phi, h, W, keep=1.0)
    exact = np.hypot(X, Z) - R
    got = phi.reshape(-1)[band]
    ex = exact.reshape(-1)[band]
    assert np.all(np.abs(got - ex) <= 0.08 * np.abs(ex) + (np.sqrt(2.0) - 1.0) * h)
    near = np.abs(exact) < 0.5 * h
    assert np.abs(phi[near] - exact[near]).max() < 0.02 * h
    inside = np.flatnonzero((np.abs(exact) < (W - 0.5) * h).reshape(-1))
    assert np.isin(inside, band).all()


def test_hundred_rebuilds_keep_the_area():
    """Area drift under 100 pure rebuilds below 1 % (the issue's criterion); here it is
    below 0.1 %, and the zero set stays within 0.05 h."""
    h, W = 0.05, 4.0
    g, X, Z, phi = _circle(h, 0.6, scale=1.0)
    phi = np.clip(phi, -(W + 1) * h, (W + 1) * h)
    stack = lambda p: LevelSetStack(grid=g, z0=-1.0, phi=p[None].copy(), materials=("Si",))
    a0 = stack(phi).amounts()["Si"]
    start = phi.copy()
    for _ in range(100):
        _rebuild(phi, h, W, keep=1.0)
    assert abs(stack(phi).amounts()["Si"] / a0 - 1) < 1e-3
    near = np.abs(start) < 0.5 * h
    assert np.abs(phi[near] - start[near]).max() < 0.05 * h


def test_candidates_are_the_dilated_band():
    """Candidates = {|φ| < cap} dilated by two rings of 26-neighbours (box of 5)."""
    from scipy.ndimage import binary_dilation
    h = 0.05
    g, X, Z, phi = _circle(h, 0.6)
    cap = 3 * h
    phi = np.clip(phi, -cap, cap)
    a = phi[:, None, :]
    mark = np.zeros(a.shape, dtype=np.uint8)
    cand = KB.candidates(a, mark, h, cap, 2, False, False, 2)
    ref = binary_dilation(np.abs(phi) < cap, structure=np.ones((5, 5), bool))
    assert np.array_equal(cand, np.flatnonzero(ref.reshape(-1)))
    assert np.all(np.diff(cand) > 0)
