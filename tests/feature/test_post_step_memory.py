"""The passes after the step hold no full-window scratch (issue #18): the material
amounts are summed by chunks in NumPy's own pairwise order, and the surface extraction
pads φ straight into the float32 array marching cubes reads.  Both give the numbers of
the whole-array code to the last bit (the references below are that code, written out)."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from skimage import measure

from waferlab.feature import extract, levelset
from waferlab.feature.extract import extract_surface, padded_top
from waferlab.feature.grid import Grid
from waferlab.feature.levelset import LevelSetStack, pairwise_sum


def _amounts_whole(geo: LevelSetStack, floor=None) -> dict[str, float]:
    """The amounts as the whole-array expression (the code before #18's chunking)."""
    h = geo.grid.spacing
    eps = 1.5 * h
    lo = geo.z0 - 0.5 * h if floor is None else float(floor)
    wz = np.clip((geo.z_coords + 0.5 * h - lo) / h, 0.0, 1.0)
    out: dict[str, float] = {}
    prev = 0.0
    for k, name in enumerate(geo.materials):
        s = np.clip(-geo.phi[k] / eps, -1.0, 1.0)
        tot = float((0.5 * (1.0 + s + np.sin(np.pi * s) / np.pi) * wz).sum() * h ** 3)
        out[name] = out.get(name, 0.0) + max(tot - prev, 0.0)
        prev = max(tot, prev)
    return out


def _padded_whole(field: np.ndarray, periodic: bool) -> np.ndarray:
    """Padding x then y on float64 arrays (``_pad_axis`` twice: the code before)."""
    a = extract._pad_axis(field, 0, periodic)
    return extract._pad_axis(a, 1, periodic)


def _geo(boundary: str, nz: int = 29, seed: int = 3) -> LevelSetStack:
    g = Grid(dimension=3, spacing=0.02e-6, extent=(1.3e-6, 1.1e-6), boundary=boundary)
    rng = np.random.default_rng(seed)
    z = -0.2e-6 + 0.02e-6 * np.arange(nz)
    x = g.lateral_coords(0)[:, None, None]
    y = g.lateral_coords(1)[None, :, None]
    top = z - 0.1e-6 * np.cos(2 * np.pi * x / 1.3e-6) * np.cos(2 * np.pi * y / 1.1e-6) \
        + 1e-9 * rng.standard_normal((len(g.lateral_coords(0)), len(g.lateral_coords(1)), nz))
    phi = np.stack([top + 0.05e-6, top])
    return LevelSetStack(grid=g, z0=-0.2e-6, phi=phi, materials=("Si", "Mask"))


@pytest.mark.parametrize("n", [0, 1, 7, 128, 129, 1000, 4097, 100_003])
@pytest.mark.parametrize("chunk", [128, 1000, 1 << 18])
def test_pairwise_sum_equals_numpy_sum_bit_for_bit(n, chunk):
    a = np.random.default_rng(n).standard_normal(n) * 1e3 + 7.0
    assert pairwise_sum(lambda i, j: a[i:j], n, chunk) == float(a.sum())


@pytest.mark.parametrize("boundary", ["periodic", "reflective"])
@pytest.mark.parametrize("chunk", [128, 4096, 1 << 18])
def test_amounts_by_chunks_equal_the_whole_array_sum(boundary, chunk, monkeypatch):
    monkeypatch.setattr(levelset, "PAIRWISE_CHUNK", chunk)
    geo = _geo(boundary)
    for floor in (None, -0.15e-6, 0.0):
        assert geo.amounts(floor=floor) == _amounts_whole(geo, floor)
    assert geo.amounts()["Si"] > 0


def test_amounts_hold_no_full_window_scratch(monkeypatch):
    monkeypatch.setattr(levelset, "PAIRWISE_CHUNK", 1 << 14)    # a few 128 kB chunks
    geo = _geo("periodic", nz=200)
    layer = geo.phi[0].nbytes
    geo.amounts()                                         # warm-up (imports, caches)
    tracemalloc.start()
    geo.amounts()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 0.25 * layer, (peak, layer)


@pytest.mark.parametrize("boundary", ["periodic", "reflective"])
def test_float32_padding_equals_the_float64_padding_rounded(boundary):
    geo = _geo(boundary)
    ref = _padded_whole(geo.top, boundary == "periodic")
    a64, _ = padded_top(geo.top, geo)
    a32, _ = padded_top(geo.top, geo, np.float32)
    assert a32.dtype == np.float32
    assert np.array_equal(a64, ref)
    assert np.array_equal(a32, ref.astype(np.float32))


def _surface_whole(geo: LevelSetStack):
    """``extract_surface`` (3D, no held layers) with whole-array expressions on the
    float64 padding: the code before #18's chunking, written out."""
    from waferlab.feature import _kernels as K

    h = geo.grid.spacing
    a = _padded_whole(geo.top, geo.grid.periodic)
    verts, faces, _, _ = measure.marching_cubes(a, level=0.0, allow_degenerate=False)
    points = extract._to_coords(verts, padded_top(geo.top, geo)[1])
    elements = faces.astype(np.int64)
    p = points[elements]
    cr = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    area2 = np.linalg.norm(cr, axis=1)
    keep = area2 > 1e-12 * h * h
    elements, cr, area2 = elements[keep], cr[keep], area2[keep]
    normals = cr / area2[:, None]
    centre = points[elements].mean(axis=1)
    eps = 0.25 * h
    top = np.ascontiguousarray(geo.phi[-1:])
    g = geo.grid

    def val(q):
        return K.interp_layers(top, geo.fractional_index(q), 3, g.periodic, g.periodic)[0]
    sign = np.where(val(centre + eps * normals) - val(centre - eps * normals) < 0, -1.0, 1.0)
    normals = normals * sign[:, None]
    flip = sign < 0
    elements[flip] = elements[flip][:, [0, 2, 1]]
    mats = geo.material_index_at(centre)
    used = np.unique(elements)
    remap = np.full(len(points), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    return points[used], remap[elements], normals, mats


@pytest.mark.parametrize("boundary", ["periodic", "reflective"])
@pytest.mark.parametrize("chunk", [1000, 1 << 16])
def test_extracted_surface_equals_the_whole_array_extraction(boundary, chunk, monkeypatch):
    monkeypatch.setattr(extract, "FACE_CHUNK", chunk)
    geo = _geo(boundary)
    surf = extract_surface(geo)
    pts, els, nrm, mats = _surface_whole(geo)
    assert len(els) > 3 * chunk or chunk > len(els)
    assert np.array_equal(surf.points, pts)
    assert np.array_equal(surf.elements, els)
    assert np.array_equal(surf.normals, nrm)
    assert np.array_equal(surf.materials, np.where(mats < 0, 1, mats))


@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("order", [1, 5])
@pytest.mark.parametrize("mode", ["EO", "LF", "BEAM"])
def test_stage_by_chunks_of_planes_equals_the_whole_band_stage(periodic, order, mode):
    """``advect.stage_chunked`` writes each chunk of x-planes back once no later chunk
    reads it: the level set equals the whole-band stage's bit for bit (the three TVD-RK3
    stages in a row), on a periodic and a mirrored x axis."""
    from waferlab.feature import _kernels as K
    from waferlab.feature.advect import plane_starts, stage_chunked

    rng = np.random.default_rng(order + 2 * periodic)
    nx, ny, nz = 53, 9, 31
    h = 0.02
    z = h * np.arange(nz)
    phi = (z - 0.3 + 0.05 * np.sin(np.arange(nx) / 3.0)[:, None, None]
           + 0.01 * rng.standard_normal((nx, ny, nz)))
    flat = np.flatnonzero(np.abs(phi) < 6 * h).astype(np.int32)
    band = np.sort(flat)
    V = rng.uniform(-1.0, 1.0, band.size)
    alpha = np.array([0.0, 0.0, 1.0, 0.0]) if mode == "BEAM" else np.array([1.0, 1.0, 1.0, 0.0])
    args = (h, order, int(getattr(K, mode)), alpha, 3, periodic, periodic)
    planes = plane_starts(band, phi.shape)
    assert planes is not None and len(planes) == nx + 1
    ref, got = phi.copy(), phi.copy()
    u0r, u0g = K.gather(ref, band), K.gather(got, band)
    for wa, wb in ((0.0, 1.0), (0.75, 0.25), (1.0 / 3.0, 2.0 / 3.0)):
        stage_chunked(ref, u0r, band, V, None, 0.1 * h, wa, wb, args)
        stage_chunked(got, u0g, band, V, planes, 0.1 * h, wa, wb, args)
    assert np.array_equal(ref, got)
    assert not np.array_equal(ref, phi)


@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("ndim", [2, 3])
def test_classification_by_chunks_of_planes_equals_the_whole_pass(periodic, ndim):
    """``_band.classify_apply`` classifies the rebuild's candidates a chunk of x-planes
    at a time: the written level set, the chamfer targets (in order) and the vertical
    extent equal the whole-array ``classify`` + ``_apply`` bit for bit."""
    from waferlab.feature import _band as KB

    rng = np.random.default_rng(ndim + 2 * periodic)
    nx, ny, nz = 45, (7 if ndim == 3 else 1), 33
    h = 0.02
    z = h * np.arange(nz)
    phi = (z - 0.3 + 0.06 * np.sin(np.arange(nx) / 2.5)[:, None, None]
           + 0.004 * rng.standard_normal((nx, ny, nz)))
    cap, keep = 11 * h, 8 * h
    phi = np.clip(phi, -cap, cap)
    cand = np.flatnonzero(np.abs(phi) < 9 * h).astype(np.int32)
    ref, got = phi.copy(), phi.copy()
    val, fixed = KB.classify(ref, cand, h, keep, cap, ndim, periodic, periodic)
    t_ref, lo_ref, hi_ref = KB._apply(ref, cand, val, fixed, h)
    t_got, lo_got, hi_got = KB.classify_apply(got, cand, h, keep, cap, ndim, periodic, periodic)
    assert np.array_equal(ref, got)
    assert t_got.dtype == t_ref.dtype and np.array_equal(t_ref, t_got)
    assert (lo_ref, hi_ref) == (lo_got, hi_got) and hi_ref > 0
    assert 0 < len(t_ref) < len(cand)


@pytest.mark.parametrize("kind, symmetry", [("hole", "full"), ("trench", "half")])
def test_cut_feature_overwriting_its_input_gives_the_same_stack(kind, symmetry, monkeypatch):
    """``cut_feature(..., overwrite=True)`` writes into the stack it was handed: the same
    numbers as the new-array cut, with one volume traced instead of two."""
    from waferlab.feature import builders
    from waferlab.feature.builders import cut_feature, layer_stack

    monkeypatch.setattr(builders, "SLAB_NODES", 1 << 11)   # slabs far below a volume
    g = Grid(dimension=3, spacing=0.02e-6, extent=(0.64e-6, 0.48e-6),
             boundary="periodic" if symmetry == "full" else "reflective")
    kw = dict(radius=0.12e-6) if kind == "hole" else dict(width=0.2e-6)
    ref = cut_feature(layer_stack(g, "Si", [("SiO2", 0.1e-6), ("Mask", 0.2e-6)]), kind,
                      depth=0.25e-6, symmetry=symmetry, **kw)
    base = layer_stack(g, "Si", [("SiO2", 0.1e-6), ("Mask", 0.2e-6)])
    volume = base.phi.nbytes
    tracemalloc.start()
    got = cut_feature(base, kind, depth=0.25e-6, symmetry=symmetry, overwrite=True, **kw)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert got.phi is base.phi                      # written in place
    assert np.array_equal(got.phi, ref.phi) and got.z0 == ref.z0
    assert peak < 0.6 * volume, (peak, volume)      # the new-array cut traces a volume
    tracemalloc.start()
    cut_feature(layer_stack(g, "Si", [("SiO2", 0.1e-6), ("Mask", 0.2e-6)]), kind,
                depth=0.25e-6, symmetry=symmetry, **kw)
    _, peak_new = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak_new > volume


@pytest.mark.parametrize("boundary", ["periodic", "reflective"])
def test_extraction_without_the_vacuum_planes_equals_the_whole_array(boundary):
    """Marching cubes on the planes up to one above the highest φ ≤ 0 gives the whole
    array's vertices and triangles bit for bit (the reference pads and reads every
    plane), here with 50 vacuum planes left out; also when the top plane holds values
    that round to 0 in float32 (kept: they are not > 0 for marching cubes)."""
    geo = _geo(boundary, nz=80)
    nzc = extract.planes_below_vacuum(geo.top)
    assert 10 < nzc < 30
    assert geo.top[:, :, nzc - 1:].min() > 0 and geo.top[:, :, nzc - 2].min() <= 0
    surf = extract_surface(geo)
    pts, els, nrm, mats = _surface_whole(geo)
    assert len(els) > 1000
    assert np.array_equal(surf.points, pts)
    assert np.array_equal(surf.elements, els)
    assert np.array_equal(surf.normals, nrm)
    assert np.array_equal(surf.materials, np.where(mats < 0, 1, mats))
    # a node of 1e-40 (0 in float32) near the top: every plane is kept, same surface
    geo.phi[-1][3, 4, 70] = 1e-40
    assert extract.planes_below_vacuum(geo.top) == 72
    surf = extract_surface(geo)
    pts, els, nrm, _ = _surface_whole(geo)
    assert np.array_equal(surf.points, pts) and np.array_equal(surf.elements, els)
    assert np.array_equal(surf.normals, nrm)


def test_no_surface_gives_the_empty_surface_with_or_without_the_crop():
    geo = _geo("periodic")
    geo.phi[...] = np.abs(geo.phi) + 1e-9                # all vacuum: nothing kept
    assert extract.planes_below_vacuum(geo.top) == 0
    assert len(extract_surface(geo).elements) == 0
    geo.phi[...] = -geo.phi                              # all solid: all planes, no sign change
    assert extract.planes_below_vacuum(geo.top) == geo.top.shape[2]
    assert len(extract_surface(geo).elements) == 0
