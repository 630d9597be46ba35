"""Empty-space skipping of the 3D cast (``flux._cast3d``): the skip field is the
chessboard distance transform of the non-empty cells, and skipping changes no tally."""
import numpy as np
import pytest

from waferlab.feature.flux import _cast3d as C
from waferlab.feature.flux.engine import FluxTracer
from waferlab.feature.flux.sources import Species


def _brute_skip(occ: np.ndarray) -> np.ndarray:
    """Chessboard distance to the nearest occupied cell minus one (−1 on occupied cells),
    capped like the kernel's, by brute force over all occupied cells."""
    nz, ny, nx = occ.shape
    occupied = np.argwhere(occ)
    z, y, x = np.indices(occ.shape)
    d = np.full(occ.shape, C._CAP, np.int64)
    for k, j, i in occupied:
        d = np.minimum(d, np.maximum(np.maximum(abs(z - k), abs(y - j)), abs(x - i)))
    return (np.minimum(d, C._CAP) - 1).ravel()


def test_skip_field_is_the_chessboard_distance_transform():
    rng = np.random.default_rng(7)
    for shape, p in (((9, 7, 11), 0.03), ((4, 1, 5), 0.2), ((6, 6, 6), 0.0), ((20, 3, 30), 0.01)):
        occ = rng.random(shape) < p
        if p > 0 and not occ.any():
            occ[0, 0, 0] = True
        counts = rng.integers(1, 3, size=occ.size) * occ.ravel()
        cstart = np.zeros(occ.size + 1, np.int64)
        np.cumsum(counts, out=cstart[1:])
        n = np.array(shape[::-1], np.int64)              # (nx, ny, nz): x fastest
        got = C.skip_field(cstart, n)
        assert got.dtype == np.int8
        np.testing.assert_array_equal(got, _brute_skip(occ))


def _surfaces():
    from waferlab.feature.builders import cut_feature, layer_stack
    from waferlab.feature.extract import extract_surface
    from waferlab.feature.grid import Grid

    out = []
    for boundary in ("reflective", "periodic"):
        g = Grid(dimension=3, spacing=10e-9, extent=(160e-9, 120e-9), boundary=boundary)
        hole = cut_feature(layer_stack(g, "Si", [("Mask", 40e-9)]), "hole", radius=50e-9,
                           depth=120e-9)
        out.append(extract_surface(hole))
        g = Grid(dimension=3, spacing=0.1e-6, extent=(3e-6, 0.4e-6), boundary=boundary)
        trench = cut_feature(layer_stack(g, "Si", [("Mask", 0.5e-6)]), "trench",
                             width=1.6e-6, depth=1.2e-6)
        out.append(extract_surface(trench))
    return out


@pytest.mark.parametrize("cell_factor", [None, 1.0])
def test_skipping_changes_no_tally(cell_factor):
    """Traces with the skip field and with an all-zero one (the plain DDA) give the same
    tallies bit for bit: voxel and overlap cell lists, mirror and periodic sides,
    diffuse neutrals and a coned specular ion; the field does let rays jump."""
    sp = [(Species(name="a", sticking=0.05), Species(name="b", sticking=0.5)),
          (Species(name="ion", sticking=0.2, source_exponent=50.0, specular=1.0,
                   specular_cone=1.3),)]
    seeds = np.arange(1, 17, dtype=np.uint64) * 104729
    for s in _surfaces():
        skip = FluxTracer(s, cell_factor=cell_factor)
        plain = FluxTracer(s, cell_factor=cell_factor)
        plain.skip = np.zeros_like(plain.skip)
        assert skip.skip.max() >= 2
        for grp in sp:
            a = skip._run(grp, 4000, seeds)
            b = plain._run(grp, 4000, seeds)
            for x, y in zip(a[:5], b[:5]):
                np.testing.assert_array_equal(x, y)
