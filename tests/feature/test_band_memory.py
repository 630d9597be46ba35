"""Memory of the band engine (issue #18): the vertical window grows in place and the
band's index arrays are int32 — the same numbers as before, bit for bit."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from waferlab.feature import _band as KB
from waferlab.feature.levelset import extend_vertical, grow_vertical


def _layers(shape=(2, 9, 7, 12), seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape) * 0.05


@pytest.mark.parametrize("below,above", [(3, 4), (0, 5), (6, 0), (0, 0)])
def test_grow_vertical_equals_extend_vertical_bit_for_bit(below, above):
    phi = _layers()
    ref = extend_vertical(phi, below, above, 0.02)
    got = grow_vertical([phi.copy()], below, above, 0.02)
    assert got.shape == ref.shape and got.flags.c_contiguous
    np.testing.assert_array_equal(got, ref)
    # the result owns its buffer, so the next growth is in place as well
    assert got.flags.owndata
    again = grow_vertical([got], 2, 1, 0.02)
    assert again.flags.owndata
    np.testing.assert_array_equal(again, extend_vertical(ref, 2, 1, 0.02))


def test_grow_vertical_with_a_live_view_copies_and_leaves_the_view_intact():
    phi = _layers()
    view = phi[1]                       # a view keeps the old buffer: no in-place resize
    before = view.copy()
    got = grow_vertical([phi], 2, 3, 0.02)
    assert got is not phi
    np.testing.assert_array_equal(got, extend_vertical(_layers(), 2, 3, 0.02))
    np.testing.assert_array_equal(view, before)


def test_grow_vertical_never_holds_the_old_and_the_new_window():
    """The traced peak of the growth is the new window (plus a few bytes), where copying
    would hold old + new: here 48 → 82 vertical nodes, 2 layers."""
    phi = np.full((2, 64, 64, 48), -0.3)
    phi[..., 20:] = 0.3
    new_bytes = phi.nbytes * 82 // 48
    box = [phi]
    del phi
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    got = grow_vertical(box, 4, 10, 0.02)
    box = [got]
    del got
    got = grow_vertical(box, 6, 14, 0.02)   # a second growth: again in place
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    assert got.shape == (2, 64, 64, 82)
    assert peak < new_bytes * 1.02 + 65536
    # the copy it replaced peaks at old + new
    tracemalloc.start()
    old = np.full((2, 64, 64, 48), 0.3)
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    extend_vertical(old, 10, 24, 0.02)
    assert tracemalloc.get_traced_memory()[1] - base > new_bytes
    tracemalloc.stop()


def test_band_indices_are_int32_and_equal_the_int64_scan():
    rng = np.random.default_rng(4)
    m = (rng.uniform(size=(11, 6, 13)) < 0.3).astype(np.uint8)
    ref = np.flatnonzero(m)
    i32 = KB.scan_mask(m, KB.index_like(m.size))
    i64 = KB.scan_mask(m, np.empty(0, dtype=np.int64))
    assert i32.dtype == np.int32 and i64.dtype == np.int64
    np.testing.assert_array_equal(i32, ref)
    np.testing.assert_array_equal(i64, ref)
    assert KB.index_like(2**31 - 1).dtype == np.int32
    assert KB.index_like(2**31).dtype == np.int64


def _hole_run(monkeypatch=None, dense_taper=False, copy_rates=False):
    """A short directional etch of a masked hole (3D, periodic) through ``advance``."""
    from waferlab import api
    from waferlab.feature import advect
    r = {"name": "taper", "seed": 1,
         "grid": {"dimension": 3, "spacing": "0.02 um", "extent": ["0.32 um", "0.32 um"],
                  "boundary": "periodic"},
         "structure": {"substrate": {"material": "Si"},
                       "layers": [{"material": "Mask", "thickness": "0.1 um"}],
                       "feature": {"type": "hole", "radius": "0.08 um", "depth": "0.1 um"}},
         "steps": [{"etch": {"model": "directional", "rates": {"Si": "1 um/min"},
                             "direction": [0, 0, -1], "isotropic_fraction": 0,
                             "time": "0.05 min"}}],
         "output": {"plot": False, "vtk": False}}
    if dense_taper:     # the taper as a dense per-node array, as before
        monkeypatch.setattr(advect._Work, "sparse_taper",
                            property(lambda self: False, lambda self, v: None), raising=False)
    if copy_rates:      # the model's rates copied, as before
        monkeypatch.setattr(advect, "_own", lambda s: np.array(s, dtype=np.float64))
    res = api.run(api.load_recipe(r))
    return res.wafer.geometry.phi, res.metrics


def test_sparse_taper_and_uncopied_rates_give_the_same_numbers(monkeypatch):
    # the beam's taper held at its nodes only, the model's rate array not copied, the
    # candidates' mask made per rebuild, the material query bounded by blocks: bit for bit
    phi, met = _hole_run()
    with monkeypatch.context() as m:
        ref_phi, ref_met = _hole_run(m, dense_taper=True, copy_rates=True)
    np.testing.assert_array_equal(phi, ref_phi)
    met.pop("wall_time_s")
    ref_met.pop("wall_time_s")
    assert met == ref_met
    assert met["etch_depth_m"] > 0.04e-6


def test_own_takes_a_fresh_array_and_copies_a_shared_one():
    from waferlab.feature.advect import _REFCOUNT_EXACT, _own
    rates = np.array([1.0, 0.0])
    fresh = rates[np.array([0, 1, 1])]
    if _REFCOUNT_EXACT:                  # elsewhere _own always copies
        assert _own(fresh) is fresh
    kept = rates
    got = _own(kept)                     # the caller keeps it elsewhere: copied
    assert got is not kept and np.array_equal(got, kept)
    assert _own([1.0, 2.0]).dtype == np.float64


def test_own_takes_a_numba_result_and_copies_a_shared_one():
    # session 17: a Numba kernel's fresh array (base: Numba's memory record) is not copied,
    # one whose buffer another array shares is
    from waferlab.feature._step_kernels import take_rates
    from waferlab.feature.advect import _REFCOUNT_EXACT, _own
    rates = np.array([1.0, 0.0])
    fresh = take_rates(rates, np.array([0, 1, 1], dtype=np.int32))
    if _REFCOUNT_EXACT:
        assert _own(fresh) is fresh
    shared = take_rates(rates, np.array([0, 1, 1], dtype=np.int32))
    view = shared[1:]
    got = _own(shared)
    assert got is not shared and np.array_equal(got, shared)
    held = take_rates(rates, np.array([0, 1, 1], dtype=np.int32))
    base = held.base
    assert _own(held) is not held
    del view, base


def test_clip_of_the_moving_nodes_gives_the_same_numbers(monkeypatch):
    # session 17: between two rebuilds the etch clip visits the moving nodes only
    from waferlab.feature import advect
    phi, met = _hole_run()
    with monkeypatch.context() as m:
        m.setattr(advect, "CLIP_MOVING_ONLY", False)
        ref_phi, ref_met = _hole_run(m)
    np.testing.assert_array_equal(phi, ref_phi)
    met.pop("wall_time_s")
    ref_met.pop("wall_time_s")
    assert met == ref_met
    assert met["time_steps"] > 3          # several steps between rebuilds
