"""The band rebuild limited to where the surface moved (issue #18, session 15;
``advect.INCREMENTAL_REBUILD``, ``feature/_band_inc.py``) is meant to be exact: the
etched level sets with and without it must agree byte for byte, on cases where the beam
is tilted and partly isotropic (the surface moves sideways under the mask edge, so a too
small reach would show), in 2D and 3D, over several rebuilds and a window growth.  The
comparison can fail: with the reaches set to zero the results differ.
"""
import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.feature import _band_inc, advect
from waferlab.feature.advect import advance
from etch_cases import tilted_beam_case

CTX = RunContext()


def _run(dim, inc, monkeypatch, T=0.4, wide=True):
    monkeypatch.setattr(advect, "INCREMENTAL_REBUILD", inc)
    geo, model = tilted_beam_case(dim, wide)
    out, steps = advance(geo, model, T, CTX, kind="etch")
    return np.asarray(out.phi), out.z0, steps


@pytest.mark.parametrize("dim", [2, 3])
def test_incremental_rebuild_is_exact(dim, monkeypatch):
    calls = []
    real = _band_inc.rebuild_incremental

    def spy(*args, **kw):
        memo = args[10]
        calls.append(memo.valid and memo.shape == args[0].shape)
        return real(*args, **kw)

    monkeypatch.setattr(_band_inc, "rebuild_incremental", spy)
    a, z0a, na = _run(dim, True, monkeypatch)
    b, z0b, nb = _run(dim, False, monkeypatch)
    assert sum(calls) >= 3                 # several rebuilds were incremental
    assert (na, z0a) == (nb, z0b) and na > 3
    assert a.shape == b.shape and a.tobytes() == b.tobytes()


def test_incremental_rebuild_can_fail(monkeypatch):
    """Too small a reach (the chamfer's edge effect reaches the kept columns) changes the
    bytes: the comparison above can fail."""
    real = _band_inc.dilate_columns
    monkeypatch.setattr(_band_inc, "dilate_columns", lambda m, r, px, py: real(m, 0, px, py))
    a, _, _ = _run(2, True, monkeypatch)
    b, _, _ = _run(2, False, monkeypatch)
    assert a.shape != b.shape or a.tobytes() != b.tobytes()


@pytest.mark.parametrize("dim", [2, 3])
def test_moving_only_stages_are_exact(dim, monkeypatch):
    """``advect.MOVING_ONLY`` (the stages visit the moving nodes only, ``_stage.
    moving_stages``): the same bytes as the whole-band stages; the case has zero-speed
    nodes (the mask) next to moving ones."""
    from waferlab.feature import _stage
    seen = []
    real = _stage.moving_stages

    def spy(u, band, V, *a):
        seen.append((int(np.count_nonzero(V)), len(V)))
        return real(u, band, V, *a)

    monkeypatch.setattr(advect, "moving_stages", spy)
    monkeypatch.setattr(advect, "MOVING_ONLY", True)
    a, z0a, na = _run(dim, True, monkeypatch, T=0.3, wide=False)
    monkeypatch.setattr(advect, "MOVING_ONLY", False)
    b, z0b, nb = _run(dim, True, monkeypatch, T=0.3, wide=False)
    assert seen and all(0 < m < n for m, n in seen)
    assert (na, z0a) == (nb, z0b)
    assert a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("dim", [2, 3])
def test_incremental_candidates_equal_full(dim):
    """``_band_inc.candidates_incremental``: the last candidates kept away from the
    changed columns, recomputed near them: the same sorted indices as ``_band.candidates``
    on the new φ (and different from the old candidates, so the test can fail)."""
    from waferlab.feature import _band as KB
    rng = np.random.default_rng(5)
    shape = (20, 1, 30) if dim == 2 else (14, 12, 24)
    h, cap, rings = 1.0, 4.0, 2
    z = np.arange(shape[2]) - 11.5
    phi0 = np.broadcast_to(z, shape).copy() + rng.normal(0.0, 0.3, shape)
    phi0 = np.clip(phi0, -cap, cap)
    old = KB.candidates(phi0, np.zeros(shape, np.uint8), h, cap, dim, True, True, rings)
    dirty = np.zeros(shape[:2], np.uint8)
    dirty[3, 0] = 1
    dirty[9, shape[1] - 1] = 1
    phi1 = phi0.copy()
    phi1[dirty.astype(bool)] -= 5.0                  # the surface moved down there
    phi1 = np.clip(phi1, -cap, cap)
    full = KB.candidates(phi1, np.zeros(shape, np.uint8), h, cap, dim, True, True, rings)
    cols1 = _band_inc.dilate_columns(dirty, rings + 1, True, True).reshape(-1)
    inc = _band_inc.candidates_incremental(phi1, np.zeros(shape, np.uint8), cap, dim, True,
                                           True, rings, cols1, old)
    assert not np.array_equal(full, old)
    assert inc.dtype == full.dtype and np.array_equal(inc, full)
