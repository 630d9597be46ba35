"""A beam's zero-speed nodes held and its materials re-queried only where they can change
(issue #18, session 14b; ``advect.HOLD_ZERO_SPEED``, ``advect.REUSE_MATERIALS``,
``feature/_reuse.py``).

The material re-query is meant to be exact: the etched level sets with and without it
must agree byte for byte, on cases where the beam is tilted and partly isotropic (the
surface moves sideways under the mask edge, so a too small reach of the re-query would
show).  The hold changes only the last bits of the zero-speed nodes (the Runge–Kutta
combination's rounding): it must keep every node of the mask top bit for bit through
steps, and move the etched profile by no more than rounding (its accuracy against the
exact Hopf–Lax profiles: bench/results/numerics_accuracy.md, w7hold vs w7nohold).
"""
import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.feature import _reuse, advect
from waferlab.feature.advect import advance
from etch_cases import tilted_beam_case

CTX = RunContext()


def _run(dim: int, hold: bool, reuse: bool, monkeypatch, T: float = 0.3):
    monkeypatch.setattr(advect, "HOLD_ZERO_SPEED", hold)
    monkeypatch.setattr(advect, "REUSE_MATERIALS", reuse)
    geo, model = tilted_beam_case(dim)
    out, steps = advance(geo, model, T, CTX, kind="etch")
    return np.asarray(out.phi), out.z0, steps


@pytest.mark.parametrize("dim", [2, 3])
def test_material_reuse_is_exact(dim, monkeypatch):
    a, z0a, na = _run(dim, True, True, monkeypatch)
    b, z0b, nb = _run(dim, True, False, monkeypatch)
    assert (na, z0a) == (nb, z0b) and na > 3
    assert a.shape == b.shape and a.tobytes() == b.tobytes()
    # the comparison can fail: materials never re-queried (a reach below 0) go stale
    monkeypatch.setattr(_reuse, "REACH_EXTRA", -10**6)
    c, _, _ = _run(dim, True, True, monkeypatch)
    assert c.shape != a.shape or c.tobytes() != a.tobytes()


def test_hold_keeps_zero_speed_nodes():
    """``stage_band_hold``: the zero-speed nodes keep φⁿ bit for bit in the third TVD-RK3
    stage, (1/3)φⁿ + (2/3)φ⁽²⁾ with φ⁽²⁾ = φⁿ there; the plain stage rounds some of them
    (so this can fail), and the moving nodes get the plain stage's numbers."""
    from waferlab.feature import _kernels as K
    from waferlab.feature import _step_kernels as KS
    rng = np.random.default_rng(3)
    shape = (12, 10, 16)
    h = 0.02
    src = rng.normal(0.0, 5 * h, shape)
    band = np.arange(src.size, dtype=np.int64)[rng.random(src.size) < 0.5]
    base = src.reshape(-1)[band].copy()            # φ⁽²⁾ = φⁿ at the zero-speed nodes
    speed = np.where(rng.random(band.size) < 0.7, 0.0, -1e-6)
    alpha = np.array([0.0, 0.0, -1.0, 0.2])
    args = (1e-3, 1.0 / 3.0, 2.0 / 3.0, h, 5, K.BEAM, alpha, 3, True, True)
    held, plain = np.empty(band.size), np.empty(band.size)
    KS.stage_band_hold(src, base, held, band, speed, *args)
    K.stage_band(src, base, plain, band, speed, *args)
    zero = speed == 0.0
    assert held[zero].tobytes() == base[zero].tobytes()
    assert held[~zero].tobytes() == plain[~zero].tobytes()
    assert np.count_nonzero(plain[zero] != base[zero]) > 0


def test_hold_moves_profile_by_rounding_only(monkeypatch):
    a, _, _ = _run(2, True, True, monkeypatch)
    b, _, _ = _run(2, False, False, monkeypatch)
    assert np.max(np.abs(a - b)) < 1e-9 * 0.05


@pytest.mark.parametrize("shape,px,py", [((23, 17), True, True), ((23, 17), False, False),
                                         ((19, 1), True, True), ((30, 25), True, False)])
def test_column_distance_thresholds_are_the_dilations(shape, px, py):
    """``column_distance`` (session 16: the per-node reach of the material re-query):
    its threshold at q is ``dilate_columns``' mask of radius q for every q <= r, r + 1
    beyond (wrapped on periodic axes); a shifted distance would fail it."""
    from waferlab.feature import _step_kernels as KS
    rng = np.random.default_rng(5)
    mark = (rng.random(shape) < 0.03).astype(np.uint8)
    mark[0, 0] = 1                       # a mark on the edge: the wrap is exercised
    r = 6
    dist = KS.column_distance(mark, r, px, py)
    assert dist.dtype == np.uint8 and dist.max() <= r + 1
    for q in range(r + 1):
        assert np.array_equal(dist <= q, KS.dilate_columns(mark, q, px, py) != 0)
    assert np.array_equal(KS.column_distance(mark, -1, px, py) <= -1, np.zeros(shape, bool))
