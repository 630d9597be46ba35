"""The shortcuts of the level-set kernels (issue #18) give the numbers of the full
computation exactly: WENO5 of a constant stencil, zero-speed nodes, band-held stages,
material queries at points."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.feature import _kernels as K


def test_weno_of_zero_differences_is_exactly_zero():
    # the flat-stencil shortcut returns (0, 0): what the WENO combination gives
    assert K._weno(0.0, 0.0, 0.0, 0.0, 0.0) == 0.0
    assert K._weno_pair(0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 50.0) == (0.0, 0.0)
    # one value off: the full computation (not the shortcut)
    dm, dp = K._weno_pair(0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.31, 50.0)
    assert dm == 0.0 and dp != 0.0


def _field(n=24, h=0.1):
    x = (np.arange(n) - n / 2 + 0.3) * h
    X, Y, Z = np.meshgrid(x, x, x, indexing="ij")
    return np.sqrt(X ** 2 + Y ** 2 + Z ** 2) - 0.8, h     # a sphere's signed distance


@pytest.mark.parametrize("order", [1, 5])
@pytest.mark.parametrize("mode", [K.EO, K.LF, K.BEAM])
def test_stage_band_equals_dense_stage_and_zero_speed_does_not_move(order, mode):
    a, h = _field()
    band = np.nonzero(np.abs(a.ravel()) < 4 * h)[0].astype(np.int64)
    rng = np.random.default_rng(3)
    V = rng.uniform(-1.0, 1.0, band.size)
    V[::3] = 0.0
    alpha = np.array([0.0, 0.0, -1.0, 0.1]) if mode == K.BEAM else np.array([1.0, 1.0, 1.0, 0.0])
    args = (0.01, 0.75, 0.25, h, order, mode, alpha, 3, True, True)
    dense = a.copy()
    K.stage(a, a, dense, band, V, *args)
    out = np.empty(band.size)
    K.stage_band(a, K.gather(a, band), out, band, V, *args)
    np.testing.assert_array_equal(out, dense.ravel()[band])
    still = out[::3] == a.ravel()[band][::3]
    if mode == K.LF:        # Lax–Friedrichs keeps its dissipation at zero speed
        assert not still.all()
    else:
        assert still.all()


def test_material_index_at_points_equals_fractional_index_query():
    a, h = _field(16)
    phi4 = np.stack([a + 0.2, a])
    origin = np.array([-0.7, -0.75, -0.8])
    rng = np.random.default_rng(1)
    pts = origin + rng.uniform(0, 15 * h, (500, 3))
    tols = np.array([0.0, 0.5 * h])
    ref = K.material_index_tols(phi4, (pts - origin) / h, tols, 3, False, True)
    got = K.material_index_pts(phi4, pts, origin, h, tols, 3, False, True)
    np.testing.assert_array_equal(got, ref)
    assert set(np.unique(got)) >= {0, 1}


@pytest.mark.parametrize("f", [0.2, 0.0, 1.0])
@pytest.mark.parametrize("ndim", [2, 3])
def test_beam_path_equals_points_and_normals_path(ndim, f):
    a, h = _field(16)
    if ndim == 2:
        a = np.ascontiguousarray(a[:, 8:9, :])
    lower = np.stack([a + 0.15, a + 0.05])
    band = np.nonzero(np.abs(a.ravel()) < 3 * h)[0].astype(np.int64)
    origin = np.array([-0.7, -0.75 if ndim == 3 else 0.0, -0.8])
    tols = np.array([0.0, 0.5 * h])
    pts, nrm = K.band_geometry(a, band, h, origin, ndim, True, False)
    ref = K.material_index_pts(lower, pts, origin, h, tols, ndim, True, False)
    got = K.band_materials(a, band, h, origin, lower, tols, ndim, True, False)
    np.testing.assert_array_equal(got, ref)
    assert (K.band_materials(a, band, h, origin, lower[:0], tols[:0], ndim, True, False)
            == -1).all()
    rng = np.random.default_rng(2)
    V = rng.uniform(-1, 1, band.size)
    V[::3] = 0.0            # zero-speed nodes (a mask) and bounds below vmax skip the normal
    cut = rng.uniform(0, 1, band.size)
    alpha = np.array([0.3, 0.0 if ndim == 2 else 0.4, -0.866, f])
    V1, V2 = V.copy(), V.copy()
    assert K.speed_bounds(V1, cut, nrm, K.BEAM, alpha, ndim) == \
        K.speed_bounds_beam(V2, cut, a, band, h, alpha, ndim, True, False)
    np.testing.assert_array_equal(V1, V2)


def _block_min_brute(phi4, ndim, px, py, s=8):
    L, nx, ny, nz = phi4.shape
    out = np.empty((L, -(-nx // s), -(-ny // s), -(-nz // s)))
    for idx in np.ndindex(out.shape):
        l, I, J, Kb = idx
        ii = np.arange(I * s, I * s + s + 1)
        jj = np.arange(J * s, J * s + s + 1) if ndim == 3 else np.array([0])
        kk = np.arange(Kb * s, min(Kb * s + s + 1, nz))
        ii = ii % nx if px else np.minimum(ii, nx - 1)
        jj = jj % ny if (py and ndim == 3) else np.minimum(jj, ny - 1)
        out[idx] = phi4[l][np.ix_(ii, jj, kk)].min()
    return out


@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("ndim", [2, 3])
def test_bounded_material_query_equals_the_full_query(ndim, periodic):
    # the block lower bounds skip only layers they prove absent: the same materials,
    # also after the lower layers were raised (an etch's clip) with the bounds kept
    a, h = _field(21)
    if ndim == 2:
        a = np.ascontiguousarray(a[:, 10:11, :])
    z = (np.arange(a.shape[-1]) - 10.7) * h
    lower = np.stack([np.broadcast_to(z + 0.35, a.shape), np.maximum(a + 0.05, z - 0.2)])
    lower = np.ascontiguousarray(lower)
    band = np.nonzero(np.abs(a.ravel()) < 6 * h)[0].astype(np.int32)
    origin = np.array([-1.0, -1.05 if ndim == 3 else 0.0, -1.1])
    bmin = K.block_min(lower, ndim, periodic, periodic)
    np.testing.assert_array_equal(bmin, _block_min_brute(lower, ndim, periodic, periodic))
    for tols in (np.array([0.0, 0.5 * h]), np.array([0.5 * h, 0.5 * h])):
        ref = K.band_materials(a, band, h, origin, lower, tols, ndim, periodic, periodic)
        got = K.band_materials_bounded(a, band, h, origin, lower, tols, bmin, ndim, periodic,
                                       periodic)
        np.testing.assert_array_equal(got, ref)
        assert len(set(np.unique(ref))) >= 2 and (ref == 0).any()
    raised = np.maximum(lower, a[None] + 0.1)            # what clip_below does on a band
    ref = K.band_materials(a, band, h, origin, raised, tols, ndim, periodic, periodic)
    got = K.band_materials_bounded(a, band, h, origin, raised, tols, bmin, ndim, periodic,
                                   periodic)
    np.testing.assert_array_equal(got, ref)
    # the bound does exclude layers: blocks far above the lower layers' surfaces
    assert (bmin[0] > 0.5 * h).mean() > 0.2


def test_bounded_material_query_at_a_bound_equal_to_the_tolerance():
    # corners exactly at the tolerance: the bound does not decide (the interpolant may
    # round to either side of tol), the full query does
    a, h = _field(12)
    lower = np.full((1,) + a.shape, 0.5 * h)
    band = np.nonzero(np.abs(a.ravel()) < 3 * h)[0].astype(np.int64)
    origin = np.zeros(3)
    tols = np.array([0.5 * h])
    bmin = K.block_min(lower, 3, True, True)
    got = K.band_materials_bounded(a, band, h, origin, lower, tols, bmin, 3, True, True)
    ref = K.band_materials(a, band, h, origin, lower, tols, 3, True, True)
    np.testing.assert_array_equal(got, ref)
    assert (ref == 0).any()
