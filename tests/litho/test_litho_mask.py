"""Masks: exact-area rasterisation, periodic clips, gratings, GDS/OASIS layers."""
import numpy as np
import pytest

from waferlab.errors import RecipeError
from waferlab.litho.imaging import Optics, abbe_image
from waferlab.litho.mask import DATA_DIR, coverage_map, grating_mask, layout_mask, read_layout
from waferlab.litho.source import sample_source
from waferlab.litho.spec import CircularSource


def _overlap(a0, a1, b0, b1):
    return np.clip(np.minimum(a1, b1) - np.maximum(a0, b0), 0, None)


def test_rectangle_coverage_is_exact_per_pixel():
    x0, x1, y0, y1 = 3.3e-9, 17.85e-9, -4.2e-9, 9.1e-9
    poly = [np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])]
    cov = coverage_map(poly, shape=(20, 30), pixel=(1e-9, 1e-9), origin=(-5e-9, -8e-9))
    xc = -5e-9 + 1e-9 * np.arange(30)
    yc = -8e-9 + 1e-9 * np.arange(20)
    ref = np.outer(_overlap(yc - 0.5e-9, yc + 0.5e-9, y0, y1), _overlap(xc - 0.5e-9, xc + 0.5e-9, x0, x1)) / 1e-18
    assert np.max(np.abs(cov - ref)) < 1e-9


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_star_polygon_area_is_exact(seed):
    rng = np.random.default_rng(seed)
    th = np.sort(rng.uniform(0, 2 * np.pi, 17))
    r = rng.uniform(5, 20, 17)
    p = np.column_stack([r * np.cos(th), r * np.sin(th)]) * 1e-9
    area = 0.5 * abs(np.sum(p[:, 0] * np.roll(p[:, 1], -1) - np.roll(p[:, 0], -1) * p[:, 1]))
    cov = coverage_map([p], shape=(64, 64), pixel=(0.7e-9, 0.7e-9), origin=(-22e-9, -22e-9))
    assert abs(cov.sum() * 0.49e-18 - area) < 1e-12 * area / 1e-18 * 1e-18 + 1e-9 * area
    assert cov.min() >= 0 and cov.max() <= 1


def test_periodic_clip_wraps_and_conserves_area():
    p = [np.array([[20, -5], [40, -5], [40, 5], [20, 5]]) * 1e-9]        # crosses x = 32 nm border
    cov = coverage_map(p, shape=(16, 16), pixel=(4e-9, 4e-9), origin=(-30e-9, -30e-9), periodic=True)
    assert abs(cov.sum() * 16e-18 - 200e-18) < 1e-27
    cut = coverage_map(p, shape=(16, 16), pixel=(4e-9, 4e-9), origin=(-30e-9, -30e-9), periodic=False)
    assert cut.sum() < cov.sum()


def test_rasterised_grating_image_converges_to_exact_at_second_order():
    """A dark line drawn as a polygon on pixels vs the grating's exact spectrum: the pixel
    average multiplies harmonic k by sinc(k dx / p) (plus aliases), an O(dx^2) error."""
    from waferlab.litho.metrics import TrigCut

    o = Optics(wavelength=193e-9, na=0.75)
    s = sample_source(CircularSource(shape="circular", sigma=0.0))
    exact = grating_mask(pitch=1000e-9, duty=399.4e-3, pixel=1e-9)
    cut = TrigCut(exact.x, abbe_image(exact, o, s)[0])
    errs, pixels = [], [8e-9, 4e-9, 2e-9]
    for dx in pixels:
        h = 0.5 * dx / 1e-9                                   # one pixel row, no self-overlap
        drawn = layout_mask([np.array([[300.3, -h], [699.7, -h], [699.7, h], [300.3, h]]) * 1e-9],
                            size=(1000e-9, dx), center=(0.0, 0.0), pixel=dx, tone="dark")
        idr = abbe_image(drawn, o, s)[0]
        errs.append(np.max(np.abs(idr - cut(drawn.x))))
    order = np.polyfit(np.log(pixels), np.log(errs), 1)[0]
    assert 1.7 < order < 2.3, (errs, order)


def test_grating_geometry_and_exact_coverage():
    m = grating_mask(pitch=100e-9, duty=0.3, pixel=1e-9, clear="spaces")
    assert m.x[np.argmax(m.clear[0])] == pytest.approx(0.0, abs=1e-15) or m.clear[0, 50] == 1
    assert abs(m.clear.sum() * 1e-9 - 70e-9) < 1e-15                # clear width (1 - duty) p
    lines = grating_mask(pitch=100e-9, duty=0.3, pixel=1e-9, clear="lines")
    assert abs(lines.clear.sum() * 1e-9 - 30e-9) < 1e-15
    assert lines.clear[0, np.argmin(np.abs(lines.x))] == 0.0      # x = 0 is a (dark) space centre
    assert abs(np.real(m.exact[0, 0]) - 0.7) < 1e-15


def test_gds_and_oasis_round_trip(tmp_path):
    import gdstk

    lib = gdstk.Library(unit=1e-6, precision=1e-9)
    c = lib.new_cell("TOP")
    c.add(gdstk.rectangle((-0.1, -0.05), (0.1, 0.05), layer=3, datatype=2))
    c.add(gdstk.rectangle((0.2, 0.2), (0.3, 0.3), layer=4))
    lib.write_gds(str(tmp_path / "t.gds"))
    lib.write_oas(str(tmp_path / "t.oas"))
    for name in ("t.gds", "t.oas"):
        polys = read_layout(name, layer=3, datatype=2, base_dir=tmp_path)
        assert len(polys) == 1
        assert np.allclose(np.sort(polys[0][:, 0]), [-1e-7, -1e-7, 1e-7, 1e-7], atol=1e-15)
    with pytest.raises(RecipeError, match="no polygons"):
        read_layout("t.gds", layer=9, base_dir=tmp_path)
    with pytest.raises(RecipeError, match="not found"):
        read_layout("missing.gds", base_dir=tmp_path)


def test_shipped_m1_clip():
    polys = read_layout("m1_clip.gds", layer=1)
    assert (DATA_DIR / "m1_clip.gds").is_file() and len(polys) == 7
    total = sum(0.5 * abs(np.sum(p[:, 0] * np.roll(p[:, 1], -1) - np.roll(p[:, 0], -1) * p[:, 1]))
                for p in polys)
    m = layout_mask(polys, size=(2048e-9, 2048e-9), center=(0, 0), pixel=4e-9)
    assert abs(m.clear.sum() * 16e-18 - total) < 1e-6 * total
