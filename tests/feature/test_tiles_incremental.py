"""The tiled step's incremental rebuild (#18, session 17): it recomputes only the
candidates near the columns the steps changed (``tiled_rebuild``) and still gives the
dense step's bits."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.feature import builders as B
from waferlab.feature import tiled_rebuild as TR
from waferlab.feature.advect import advance
from waferlab.feature.grid import Grid
from waferlab.feature.models_basic import DirectionalVelocity

UM = 1e-6


def bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a).view(np.int64)


def _small_hole():
    """A narrow hole (radius 0.1 µm) in a 1.6 µm periodic cell at 0.02 µm: the
    rebuild's reach around the hole (≈ 22 columns each side) covers about half the
    cell, so an incremental rebuild leaves a quarter of the candidates alone."""
    g = Grid(dimension=3, spacing=0.02 * UM, extent=(1.6 * UM, 1.6 * UM), boundary="periodic")
    geo = B.layer_stack(g, "Si", [("Mask", 0.1 * UM)])
    return B.cut_feature(geo, "hole", radius=0.1 * UM, depth=0.1 * UM)


@pytest.mark.slow
def test_incremental_tiled_rebuild_is_used_and_exact(monkeypatch):
    """Every bit of every layer equal to the dense step (which rebuilds incrementally
    too) and to the tiled step with every rebuild a full one; at least one rebuild
    recomputed fewer than 80 % of its candidates (≈ 73 % here: the reach
    around the hole and its walls)."""
    geo = _small_hole()
    m = DirectionalVelocity(layer_speed=np.array([-1.0, 0.0]) * UM / 60)
    seen: list[tuple[int, int]] = []
    orig = TR.sub_candidates

    def counted(*a, **k):
        cand, sub, cols1 = orig(*a, **k)
        seen.append((len(cand), len(sub)))
        return cand, sub, cols1

    monkeypatch.setattr(TR, "sub_candidates", counted)
    a, na = advance(geo, m, 9.0, None, kind="etch", storage="dense")
    b, nb = advance(geo, m, 9.0, None, kind="etch", storage="tiled")
    assert len(seen) >= 3
    assert any(s < 0.8 * c for c, s in seen), seen
    monkeypatch.setattr(TR, "INCREMENTAL", False)
    seen.clear()
    c, nc = advance(geo, m, 9.0, None, kind="etch", storage="tiled")
    assert all(s == c for c, s in seen)
    assert na == nb == nc and a.z0 == b.z0 == c.z0
    assert a.phi.shape == b.phi.shape == c.phi.shape
    assert np.array_equal(bits(a.phi), bits(b.phi))
    assert np.array_equal(bits(c.phi), bits(b.phi))
