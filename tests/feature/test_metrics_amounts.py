"""The outputs' band-only and reordered computations give the dense ones' numbers (#18).

- ``feature.amounts.material_amounts`` = ``LevelSetStack.amounts`` bit for bit (the sine
  of the smoothed Heaviside only within ε of an interface);
- ``_query_kernels.cell_materials`` (loops along z in blocks of x-cells) = the material
  rule of final.vtu/.vti in NumPy, on a cell wider than one block;
- ``extract._used_points`` = ``np.unique`` of the element indices.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from waferlab.feature import builders as B
from waferlab.feature._query_kernels import CELL_BLOCK
from waferlab.feature.amounts import material_amounts
from waferlab.feature.extract import _used_points
from waferlab.feature.grid import Grid

UM = 1e-6


def _geometry(dim: int, extent_um: float = 1.0, h_um: float = 0.05):
    g = Grid(dimension=dim, spacing=h_um * UM, extent=(extent_um * UM,) * (dim - 1),
             boundary="periodic")
    geo = B.layer_stack(g, "Si", [("SiO2", 0.1 * UM), ("Mask", 0.2 * UM)])
    return B.cut_feature(geo, "hole" if dim == 3 else "trench",
                         radius=0.3 * extent_um * UM if dim == 3 else None,
                         width=0.5 * extent_um * UM if dim == 2 else None, depth=0.45 * UM)


@pytest.mark.parametrize("dim", [2, 3])
@pytest.mark.parametrize("floor_shift", [None, 0.0, 0.37])
def test_band_amounts_equal_the_dense_sum_bit_for_bit(dim, floor_shift):
    geo = _geometry(dim)
    floor = None if floor_shift is None else geo.z_range[0] + floor_shift * UM
    dense = geo.amounts(floor=floor)
    band = material_amounts(geo, floor=floor)
    assert list(band) == list(dense)
    for name in dense:
        assert band[name] == dense[name], name          # exact, not approximately
    assert all(v > 0 for v in band.values())


def test_band_amounts_see_a_change_inside_the_band():
    """Can fail: moving one interface node within ε changes the amount."""
    geo = _geometry(2)
    phi = np.array(geo.phi)
    k = geo.n_layers - 1
    i, j = np.argwhere(np.abs(phi[k]) < 0.5 * geo.grid.spacing)[0]
    phi[k, i, j] -= 0.25 * geo.grid.spacing
    moved = geo.replace(phi=phi)
    assert material_amounts(moved) != material_amounts(geo)
    assert material_amounts(moved) == moved.amounts()


def _cell_materials_reference(geo) -> np.ndarray:
    """Lowest layer negative at the cell centre (corner mean), VTK order (x fastest)."""
    phi = np.asarray(geo.phi)
    shape = phi.shape[1:]
    centre = np.zeros((phi.shape[0],) + tuple(n - 1 for n in shape))
    for corner in itertools.product((0, 1), repeat=len(shape)):
        centre += phi[(slice(None),) + tuple(slice(c, n - 1 + c) for c, n in zip(corner, shape))]
    inside = centre / 2 ** len(shape) < 0
    return np.transpose(np.where(inside.any(axis=0), np.argmax(inside, axis=0), -1))


@pytest.mark.parametrize("dim", [2, 3])
def test_cell_materials_over_several_blocks(dim):
    geo = _geometry(dim, extent_um=2.0 if dim == 3 else 4.0, h_um=0.025)
    assert geo.shape[0] - 1 > CELL_BLOCK          # a full block and a partial one
    got = geo.cell_materials()
    ref = _cell_materials_reference(geo)
    np.testing.assert_array_equal(got.reshape(-1), ref.reshape(-1))
    assert set(np.unique(got)) == {-1, 0, 1, 2}


def test_used_points_is_unique():
    rng = np.random.default_rng(3)
    el = rng.integers(0, 500, size=(300, 3)).astype(np.int64)
    used = _used_points(el, 520)
    np.testing.assert_array_equal(used, np.unique(el))
    assert used.dtype == np.unique(el).dtype


def test_band_amounts_by_small_chunks_hold_no_full_window_scratch(monkeypatch):
    """With small pairwise chunks: still the dense sum bit for bit (the chunk boundaries
    fall inside rows), and the working set is a few chunks, not a layer."""
    import tracemalloc

    from waferlab.feature import levelset

    monkeypatch.setattr(levelset, "PAIRWISE_CHUNK", 1 << 12)
    geo = _geometry(3, extent_um=1.5)
    assert material_amounts(geo) == geo.amounts()
    layer = geo.phi[0].nbytes
    tracemalloc.start()
    material_amounts(geo)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 0.25 * layer, (peak, layer)
