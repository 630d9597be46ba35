"""The fused and parallel passes of the dense time step (``_step_kernels``, issue #18,
session 14) give exactly the numbers of the passes they replace, and the chunked stages
with the gather and the finite check folded in equal the whole-band stages."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.feature import _kernels as K
from waferlab.feature import _step_kernels as KS
from waferlab.feature.advect import plane_starts, stage_chunked


def _field(n=24, h=0.1):
    x = (np.arange(n) - n / 2 + 0.3) * h
    X, Y, Z = np.meshgrid(x, x, x, indexing="ij")
    return np.sqrt(X ** 2 + Y ** 2 + Z ** 2) - 0.8, h     # a sphere's signed distance


@pytest.mark.parametrize("order", [1, 5])
@pytest.mark.parametrize("mode", [K.EO, K.BEAM])
def test_first_stage_gathers_and_equals_stage_band(order, mode):
    a, h = _field()
    band = np.nonzero(np.abs(a.ravel()) < 4 * h)[0].astype(np.int32)
    rng = np.random.default_rng(3)
    V = rng.uniform(-1.0, 1.0, band.size)
    V[::3] = 0.0
    alpha = np.array([0.0, 0.0, -1.0, 0.1]) if mode == K.BEAM else np.zeros(4)
    args = (0.01, 0.0, 1.0, h, order, mode, alpha, 3, True, False)
    ref_out = np.empty(band.size)
    K.stage_band(a, K.gather(a, band), ref_out, band, V, *args)
    base = np.full(band.size, np.nan)
    out = np.empty(band.size)
    KS.stage_band_first(a, base, out, band, V, *args)
    np.testing.assert_array_equal(base, K.gather(a, band))
    np.testing.assert_array_equal(out, ref_out)


def _rk3(a, band, V, h, planes, fused):
    """Three TVD-RK3 stages on a copy of ``a``: the old sequence (gather, stage_chunked,
    all_finite) or the fused one (first/last flags)."""
    u = a.copy()
    alpha = np.array([0.0, 0.0, 1.0, 0.0])
    args = (h, 5, K.BEAM, alpha, 3, True, True)
    weights = ((0.0, 1.0), (0.75, 0.25), (1.0 / 3.0, 2.0 / 3.0))
    if not fused:
        u0 = K.gather(u, band)
        for wa, wb in weights:
            stage_chunked(u, u0, band, V, planes, 0.02, wa, wb, args)
        return u, K.all_finite(u, band)
    u0 = np.empty(band.size)
    for q, (wa, wb) in enumerate(weights):
        bad = stage_chunked(u, u0, band, V, planes, 0.02, wa, wb, args, first=q == 0,
                            last=q == 2)
    return u, bad == 0


@pytest.mark.parametrize("chunked", [True, False])
def test_fused_rk3_equals_gather_stages_finite_check(chunked):
    a, h = _field(32)
    band = np.nonzero(np.abs(a.ravel()) < 6 * h)[0].astype(np.int32)
    V = np.random.default_rng(5).uniform(-1.0, 0.0, band.size)
    planes = plane_starts(band, a.shape) if chunked else None
    assert (planes is not None) == chunked
    ref, ok_ref = _rk3(a, band, V, h, planes, False)
    got, ok = _rk3(a, band, V, h, planes, True)
    assert ok and ok_ref
    np.testing.assert_array_equal(got.view(np.int64), ref.view(np.int64))   # same bits
    a2 = a.copy()
    a2.ravel()[band[band.size // 2]] = np.nan          # a NaN reaches the last write-back
    assert not _rk3(a2, band, V, h, planes, True)[1]
    assert not _rk3(a2, band, V, h, planes, False)[1]


def test_clip_take_fill_and_parallel_bound_equal_the_serial_passes():
    a, h = _field(20)
    band = np.nonzero(np.abs(a.ravel()) < 3 * h)[0].astype(np.int32)
    rng = np.random.default_rng(7)
    lower = np.stack([a + rng.uniform(-0.1, 0.1, a.shape), a + 0.05])
    ref = lower.copy()
    K.clip_below(ref, a, band)
    got = lower.copy()
    KS.clip_below_flat(got.reshape(2, -1), a.reshape(-1), band)
    np.testing.assert_array_equal(got, ref)
    assert not np.array_equal(got, lower)              # the clip did something

    s = np.array([-1.5e-8, 0.0, 2.0e-9])
    mats = rng.integers(-3, 3, 1000).astype(np.int32)
    np.testing.assert_array_equal(KS.take_rates(s, mats), s[mats])
    filled = mats.copy()
    KS.fill_negative(filled, 2)
    ref_m = mats.copy()
    ref_m[ref_m < 0] = 2
    np.testing.assert_array_equal(filled, ref_m)

    for f in (0.0, 0.3):
        V = rng.uniform(-1, 1, band.size)
        V[::4] = 0.0
        cut = rng.uniform(0, 1, band.size)
        alpha = np.array([0.3, 0.4, -0.866, f])
        V1, V2 = V.copy(), V.copy()
        assert K.speed_bounds_beam(V1, cut, a, band, h, alpha, 3, True, False) == \
            KS.speed_bounds_beam_par(V2, cut, a, band, h, alpha, 3, True, False)
        np.testing.assert_array_equal(V1, V2)
        V1[5] = np.inf
        V2[5] = np.inf
        empty = np.empty(0)
        assert K.speed_bounds_beam(V1, empty, a, band, h, alpha, 3, True, False) == \
            KS.speed_bounds_beam_par(V2, empty, a, band, h, alpha, 3, True, False)


@pytest.mark.parametrize("ndim", [2, 3])
def test_classify_inner_fast_path_equals_the_wrapped_reads(ndim):
    """A periodic field rolled along x and y: nodes on the array's edge (wrapped reads)
    become inner ones (flat reads) and back; each candidate's class and value must not
    change."""
    from waferlab.feature import _band as KB

    a, h = _field(20)
    a = a + 0.37 * h * np.sin(np.arange(20) * 2 * np.pi / 20)[:, None, None]  # kinks + waves
    if ndim == 2:
        a = np.ascontiguousarray(a[:, 7:8, :])
    shift = (6, 0 if ndim == 2 else 9)
    b = np.ascontiguousarray(np.roll(a, shift, axis=(0, 1)))
    cand = np.nonzero(np.abs(a.ravel()) < 6 * h)[0].astype(np.int64)
    nx, ny, nz = a.shape
    i, j, k = np.unravel_index(cand, a.shape)
    cand_b = np.ravel_multi_index(((i + shift[0]) % nx, (j + shift[1]) % ny, k), a.shape)
    order = np.argsort(cand_b)
    va, fa = KB.classify(a, cand, h, 2 * h, 7 * h, ndim, True, True)
    vb, fb = KB.classify(b, cand_b[order], h, 2 * h, 7 * h, ndim, True, True)
    inv = np.empty_like(order)
    inv[order] = np.arange(order.size)
    np.testing.assert_array_equal(vb[inv], va)
    np.testing.assert_array_equal(fb[inv], fa)
    assert fa.any() and not fa.all()
