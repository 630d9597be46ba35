"""The 3D picture of a large cell is drawn from an averaged-down geometry (#18)."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.feature.builders import cut_feature, layer_stack
from waferlab.feature.extract import extract_surface
from waferlab.feature.grid import Grid
from waferlab.io.plots import picture_geometry

H = 20e-9


def _hole(n: int):
    g = Grid(dimension=3, spacing=H, extent=(n * H, n * H), boundary="periodic")
    geo = layer_stack(g, "Si", [("Mask", 200e-9)])
    return cut_feature(geo, kind="hole", width=None, radius=n * H / 4, depth=200e-9,
                       taper=0.0, symmetry="full")


def test_a_small_cell_is_drawn_as_it_is():
    geo = _hole(32)
    assert picture_geometry(geo, max_nodes=32 * 32) is geo


@pytest.mark.parametrize("n, cap, s", [(64, 32 * 32, 2), (60, 16 * 16, 4), (64, 20 * 20, 4)])
def test_a_large_cell_is_averaged_down(n, cap, s):
    """s: the smallest stride that brings n² under the cap and divides n (60 / 4 = 15;
    64 needs 3.2 → 4).  The hole's radius on the coarse grid (the mask's top set along
    the x axis through the centre) is the fine one's within the coarse spacing s·h,
    and the picture has about s² times fewer triangles."""
    geo = _hole(n)
    pic = picture_geometry(geo, max_nodes=cap)
    assert pic.grid.spacing == pytest.approx(s * H)
    assert pic.grid.lateral_shape == (n // s, n // s)
    assert pic.grid.extent == geo.grid.extent and pic.z0 == geo.z0
    assert pic.materials == geo.materials
    z = geo.z0 + H * np.arange(0, geo.phi.shape[-1], s)
    np.testing.assert_array_equal(pic.phi[:, 0, 0, :], geo.phi[:, :s, :s, ::s].mean(axis=(1, 2)))
    assert pic.phi.shape[-1] == len(z)
    def radius(g):                                    # the open row inside the mask
        x = g.grid.lateral_coords(0)
        j = int(np.argmin(abs(g.grid.lateral_coords(1))))
        row = g.phi[-1, :, j, int(np.argmin(abs(g.z_coords - 100e-9)))]
        return 0.5 * (x[row > 0].max() - x[row > 0].min())

    assert abs(radius(pic) - radius(geo)) <= s * H
    n_fine, n_coarse = len(extract_surface(geo).elements), len(extract_surface(pic).elements)
    assert n_coarse < 2.0 * n_fine / s**2


def test_a_shallow_cell_keeps_four_vertical_nodes():
    """A wide, shallow cell (the 40.96 µm case: 2048² × 48 nodes) once fell back to the
    full geometry because the stride that meets the cap leaves < 4 vertical nodes; the
    stride is now lowered to the next common divisor of the lateral counts instead."""
    geo = _hole(64)
    nz = geo.phi.shape[-1]
    cap = 4 * 4                                   # asks for s = 16
    pic = picture_geometry(geo, max_nodes=cap)
    s = round(pic.grid.spacing / H)
    want = max(d for d in range(2, 16) if 64 % d == 0 and (nz - 1) // d + 1 >= 4)
    assert (nz - 1) // 16 + 1 < 4                 # the cap's stride would leave < 4
    assert pic is not geo and s == want
    assert pic.phi.shape[-1] == len(range(0, nz, s))
