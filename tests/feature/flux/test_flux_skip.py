"""Empty-space skipping of the 3D cast (``flux._cast3d``): the skip field is the
chessboard distance transform of the non-empty cells, and skipping changes no tally."""
import numpy as np
import pytest
from numba import njit

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
    # a quarter hole: its mirror planes cut through the open hole, so rays cross the
    # overhanging edge cells of the voxel grid (and jump from them) all the time
    g = Grid(dimension=3, spacing=10e-9, extent=(120e-9, 120e-9), boundary="reflective")
    out.append(extract_surface(cut_feature(layer_stack(g, "Si", [("Mask", 40e-9)]), "hole",
                                           radius=60e-9, depth=120e-9, symmetry="quarter")))
    return out


@pytest.mark.parametrize("cell_factor", [None, 1.0])
def test_skipping_changes_no_tally(cell_factor):
    """Traces with the skip field and with an all-zero one (the plain DDA) give the same
    tallies bit for bit: voxel and overlap cell lists, mirror and periodic sides (a
    quarter hole's mirror planes through the open hole: jumps from the edge cells),
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


@njit(cache=True)
def _cast_many(O, D, cd, glo, gh, gn, cstart, citems, blo, bhi, skip, out):
    for i in range(O.shape[0]):
        e, t, code, a = C.cast3d(O[i, 0], O[i, 1], O[i, 2], D[i, 0], D[i, 1], D[i, 2], cd,
                                 glo, gh, gn, cstart, citems, blo, bhi, skip)
        out[i, 0], out[i, 1], out[i, 2], out[i, 3] = e, t, code, a


@pytest.mark.slow          # its own compile of the inlined cast: ~8 s CPU on a cold cache
def test_edge_cells_jump_like_the_plain_dda():
    """Rays that start in the overhanging edge cells of a voxel grid (a quarter hole: its
    mirror planes cut through the open hole) return the same element, t, exit code and
    axis with skipping as with the plain DDA (t within 1e-12; a hit's t bit for bit) —
    through the domain side they head for, or inward through the empty hole; most start
    in a cell that lets them jump."""
    from waferlab.feature.builders import cut_feature, layer_stack
    from waferlab.feature.extract import extract_surface
    from waferlab.feature.grid import Grid

    h = 10e-9
    g = Grid(dimension=3, spacing=h, extent=(200e-9, 200e-9), boundary="reflective")
    s = extract_surface(cut_feature(layer_stack(g, "Si", [("Mask", 60e-9)]), "hole",
                                    radius=80e-9, depth=200e-9, symmetry="quarter"))
    tr = FluxTracer(s)
    assert tr.glo[0] < tr.lateral[0, 0]                   # cells overhang the domain
    rng = np.random.default_rng(3)
    n = 20000
    lo, hi = tr.lateral[:, 0], tr.lateral[:, 1]
    O = np.empty((n, 3))
    side = rng.integers(0, 4, n)                          # which edge slab: x lo/hi, y lo/hi
    for a in range(2):
        O[:, a] = lo[a] + rng.random(n) * (hi[a] - lo[a])
        slab = lo[a] + rng.random(n) * 0.5 * h
        O[:, a] = np.where(side == 2 * a, slab, O[:, a])
        O[:, a] = np.where(side == 2 * a + 1, hi[a] - (slab - lo[a]), O[:, a])
    z = s.points[:, 2]
    O[:, 2] = z.min() + rng.random(n) * (z.max() - z.min() + 3 * h)
    D = rng.normal(size=(n, 3))
    D /= np.linalg.norm(D, axis=1)[:, None]
    cell = np.floor((O - tr.glo) / tr.gh).astype(np.int64)
    cell = np.minimum(np.maximum(cell, 0), tr.gn - 1)
    r0 = tr.skip[(cell[:, 2] * tr.gn[1] + cell[:, 1]) * tr.gn[0] + cell[:, 0]]
    assert np.mean(r0 > 0) > 0.5
    geo = (tr.cdata, tr.glo, tr.gh, tr.gn, tr.cstart, tr.citems, lo.copy(), hi.copy())
    got, plain = np.empty((n, 4)), np.empty((n, 4))
    _cast_many(O, D, *geo, tr.skip, got)
    _cast_many(O, D, *geo, np.zeros_like(tr.skip), plain)
    np.testing.assert_array_equal(got[:, [0, 2, 3]], plain[:, [0, 2, 3]])
    # a hit's t is its plane's; an exit's t may differ in the last bits where the plain
    # DDA sums its steps (t_max += Δt) and a jump computes the face directly
    np.testing.assert_allclose(got[:, 1], plain[:, 1], rtol=1e-12, atol=0.0)
    codes = got[:, 2]
    np.testing.assert_array_equal(got[codes == C.HIT, 1], plain[codes == C.HIT, 1])
    assert (codes == C.HIT).mean() > 0.05 and (codes == C.SIDE_LO).any() \
        and (codes == C.SIDE_HI).any()


def test_top_exit_without_a_cast_changes_no_tally():
    """A ray above the highest vertex heading up leaves by the top without a cast
    (``_chunk3d``'s ``ztop``): the same tallies bit for bit as casting it (ztop = +inf
    turns the shortcut off), on mirror and periodic sides, diffuse neutrals and a coned
    specular ion; a ztop below the top would cut rays short (the check can fail)."""
    sp = [(Species(name="a", sticking=0.05), Species(name="b", sticking=0.5)),
          (Species(name="ion", sticking=0.2, source_exponent=50.0, specular=1.0,
                   specular_cone=1.3),)]
    seeds = np.arange(1, 17, dtype=np.uint64) * 104729
    for s in _surfaces()[:3]:
        short = FluxTracer(s)
        cast = FluxTracer(s)
        cast.ztop = np.inf
        wrong = FluxTracer(s)
        wrong.ztop = float(np.median(s.points[:, 2]))
        for grp in sp:
            a = short._run(grp, 4000, seeds)
            b = cast._run(grp, 4000, seeds)
            for x, y in zip(a[:5], b[:5]):
                np.testing.assert_array_equal(x, y)
            c = wrong._run(grp, 4000, seeds)
            assert not np.array_equal(a[0], c[0])
