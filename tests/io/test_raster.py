"""The run folder's pictures drawn with Pillow (io/raster.py): materials in their colours
where the level sets put them, the surfaces drawn, ticks like matplotlib's, no matplotlib."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from waferlab.feature.builders import cut_feature, layer_stack
from waferlab.feature.extract import extract_surface
from waferlab.feature.grid import Grid
from waferlab.io import raster
from waferlab.materials import BUILTIN

H = 0.1e-6


def _trench():
    """Si with a 1 µm mask, a 2 µm wide trench 3 µm deep (1 µm of mask + 2 µm of Si)."""
    g = Grid(dimension=2, spacing=H, extent=(6e-6,), boundary="reflective")
    geo = layer_stack(g, "Si", [("Mask", 1e-6)])
    return cut_feature(geo, kind="trench", width=2e-6, radius=None, depth=3e-6, taper=0.0,
                       symmetry="full")


def _rgb(name: str) -> tuple[int, int, int]:
    c = BUILTIN[name].color.lstrip("#")
    return tuple(int(c[i:i + 2], 16) for i in (0, 2, 4))


def _pixel(img, geo, x_m: float, z_m: float) -> tuple[int, int, int]:
    """The picture's colour at (x, z) (m): the plot box is found from its frame."""
    a = np.asarray(img.convert("RGB")).astype(int)
    dark = (a.sum(axis=2) < 60)
    rows = np.nonzero(dark.sum(axis=1) > 0.6 * dark.shape[1] * 0.5)[0]
    cols = np.nonzero(dark.sum(axis=0) > 0.6 * dark.shape[0] * 0.5)[0]
    top, bottom, left, right = rows.min(), rows.max(), cols.min(), cols.max()
    (x0, x1), (z0, z1) = (geo.coords()[0][[0, -1]], geo.coords()[1][[0, -1]])
    i = int(round(left + (x_m - x0) / (x1 - x0) * (right - left)))
    j = int(round(top + (z1 - z_m) / (z1 - z0) * (bottom - top)))
    return tuple(a[j, i])


def test_the_cross_section_paints_each_material_where_its_level_set_is():
    geo = _trench()
    img = raster.profile_image(geo, title="trench", initial=geo)
    assert _pixel(img, geo, -2.5e-6, -1.5e-6) == _rgb("Si")      # beside the trench, in Si
    assert _pixel(img, geo, -2.5e-6, 0.5e-6) == _rgb("Mask")     # the mask on top
    assert _pixel(img, geo, 0.0, -1.0e-6) == (255, 255, 255)     # the etched trench: vacuum
    assert _pixel(img, geo, 0.0, -2.5e-6) == _rgb("Si")          # below its floor


def test_the_3d_picture_shows_every_material_in_its_shaded_colour():
    g = Grid(dimension=3, spacing=H, extent=(2e-6, 2e-6), boundary="periodic")
    geo = cut_feature(layer_stack(g, "Si", [("Mask", 0.5e-6)]), kind="hole", width=None,
                      radius=0.5e-6, depth=1e-6, taper=0.0, symmetry="full")
    img = np.asarray(raster.surface_image(extract_surface(geo), geo.materials, title="hole"))
    colours = {tuple(c) for c in img.reshape(-1, 3)}
    for name in ("Si", "Mask"):                  # some pixel of each, shaded (0.45..1 of it)
        base = np.array(_rgb(name), float)
        assert any(np.allclose(np.array(c) / base, np.array(c)[0] / base[0], atol=0.03)
                   and 0.44 <= c[0] / base[0] <= 1.0 for c in colours), name


@pytest.mark.parametrize("lo, hi, target, expected", [
    (-4.92, 4.92, 5, [-4, -2, 0, 2, 4]),          # matplotlib's ticks of the same axis
    (-12.0, 3.84, 9, [-12, -10, -8, -6, -4, -2, 0, 2]),
    (-0.51, 0.51, 4, [-0.5, 0.0, 0.5]),
    (-0.46, 1.68, 9, [-0.25, 0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5]),
])
def test_ticks_are_the_smallest_nice_step_that_fits(lo, hi, target, expected):
    ticks, _ = raster.nice_ticks(lo, hi, target)
    np.testing.assert_allclose(ticks, expected, atol=1e-12)


def test_drawing_the_pictures_does_not_import_matplotlib(tmp_path):
    """matplotlib's Figure (and mplot3d) cost ~0.5 s CPU to import; the pictures of a run
    need neither (matplotlib.path, the builders' point-in-polygon test, is lighter)."""
    code = ("import sys\n"
            "from waferlab.feature.builders import cut_feature, layer_stack\n"
            "from waferlab.feature.grid import Grid\n"
            "from waferlab.feature.extract import extract_surface\n"
            "from waferlab.io.raster import write_profile_png, write_surface_png\n"
            "g = Grid(dimension=3, spacing=0.1e-6, extent=(1e-6, 1e-6), boundary='periodic')\n"
            "geo = cut_feature(layer_stack(g, 'Si', [('Mask', 0.3e-6)]), kind='hole', "
            "width=None, radius=0.3e-6, depth=0.5e-6, taper=0.0, symmetry='full')\n"
            f"write_profile_png({str(tmp_path / 'p.png')!r}, geo, title='x')\n"
            f"write_surface_png({str(tmp_path / 's.png')!r}, extract_surface(geo), geo.materials)\n"
            "assert 'matplotlib.figure' not in sys.modules, 'matplotlib.figure'\n"
            "assert 'mpl_toolkits.mplot3d' not in sys.modules, 'mplot3d'\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "s.png").stat().st_size > 5_000
