"""Reorganisations of the flux engine that must not change a single bit: the one-pass
batch statistics and the traced geometry reused by the re-traces of one surface."""
import numpy as np

from waferlab.feature.flux import shapes
from waferlab.feature.flux.engine import FluxTracer, _batch, trace_fluxes
from waferlab.feature.flux.sources import Species


def _numpy_batch(tally, nrays, norm):
    """The batch means as NumPy expressions (the engine's formula before the kernel)."""
    N = nrays.sum()
    bad = ~np.isfinite(norm)
    fk = tally / nrays[:, None] * np.where(bad, 0.0, norm)[None, :]
    fk[:, bad] = np.nan
    wk = nrays / N
    mean = (wk[:, None] * fk).sum(axis=0)
    Kc = tally.shape[0]
    var = Kc / max(Kc - 1, 1) * ((wk[:, None] * (fk - mean[None, :])) ** 2).sum(axis=0)
    return mean, np.sqrt(var), fk


def test_batch_statistics_kernel_equals_numpy_bit_for_bit():
    rng = np.random.default_rng(3)
    for K, m in ((64, 500), (2, 7), (1, 5)):
        tally = rng.exponential(size=(K, m)) * rng.integers(0, 2, size=(K, m))
        nrays = rng.integers(100, 103, size=K).astype(np.int64)
        norm = rng.uniform(1.0, 50.0, size=m)
        norm[:: max(1, m // 4)] = np.nan                  # elements without area
        for a, b in zip(_numpy_batch(tally, nrays, norm), _batch(tally, nrays, norm)):
            np.testing.assert_array_equal(a, b)           # NaN where NaN, else equal bits
        # without the chunk estimates stored: the same mean and σ, bit for bit
        ref = _batch(tally, nrays, norm)
        lean = _batch(tally, nrays, norm, keep=False)
        assert lean[2].shape == (0, m)
        for a, b in zip(ref[:2], lean[:2]):
            assert a.tobytes() == b.tobytes()


def test_retrace_with_the_first_tracer_is_bit_identical(ctx):
    """A trace that reuses a FluxTracer built on the same surface gives the same bits as
    one that builds its own; trace_fluxes hands its tracer back for that."""
    s = shapes.trench(1.0, 2.0, h=0.1, field=0.5)
    sp = [Species(name="a", sticking=0.2), Species(name="b", sticking=0.7)]
    first = trace_fluxes(s, sp, ctx, rays_per_point=100)
    assert isinstance(first.tracer, FluxTracer) and first.tracer.surface is s
    again = trace_fluxes(s, sp, ctx, rays_per_point=100, tracer=first.tracer)
    fresh = trace_fluxes(s, sp, ctx, rays_per_point=100)
    for n in ("a", "b"):
        np.testing.assert_array_equal(again[n].incident, fresh[n].incident)
        np.testing.assert_array_equal(again[n].absorbed_stderr, fresh[n].absorbed_stderr)


def _hole_surface(boundary: str):
    from waferlab.feature.builders import cut_feature, layer_stack
    from waferlab.feature.extract import extract_surface
    from waferlab.feature.grid import Grid

    g = Grid(dimension=3, spacing=10e-9, extent=(120e-9, 100e-9), boundary=boundary)
    geom = layer_stack(g, "Si", [("Mask", 40e-9)])
    return extract_surface(cut_feature(geom, "hole", radius=30e-9, depth=80e-9))


def test_voxel_cell_lists_trace_the_same_bits_as_overlap_lists(ctx):
    """A marching-cubes surface is binned on the level set's voxels (one list entry per
    triangle, cells overhanging the domain by h/2, rays ended at the domain sides); the
    fluxes equal those of the overlap lists on the domain-aligned grid bit for bit, for
    diffuse neutrals and a tilted-lobe specular ion, mirror and periodic sides."""
    for boundary in ("reflective", "periodic"):
        s = _hole_surface(boundary)
        vox, lists = FluxTracer(s), FluxTracer(s, cell_factor=1.0)
        assert len(vox.citems) == int(vox.valid.sum()) < len(lists.citems)
        assert vox.glo[0] < s.lateral_bounds[0][0]                  # overhanging voxels
        sp = [Species(name="a", sticking=0.1), Species(name="b", sticking=0.9),
              Species(name="ion", sticking=0.2, source_exponent=20.0, specular=1.0,
                      specular_cone=1.2)]
        ra = trace_fluxes(s, sp, ctx, rays_per_point=30, tracer=vox)
        rb = trace_fluxes(s, sp, ctx, rays_per_point=30, tracer=lists)
        for n in ("a", "b", "ion"):
            np.testing.assert_array_equal(ra[n].incident, rb[n].incident)
            np.testing.assert_array_equal(ra[n].absorbed, rb[n].absorbed)
        assert ra["a"].lost_top == rb["a"].lost_top


def test_surfaces_off_the_voxels_keep_the_overlap_lists():
    """A surface that is not a level set's (a triangle across voxels) is binned by overlap."""
    s = _hole_surface("reflective")
    moved = type(s)(points=s.points + np.array([0.0, 0.0, 3.3e-9]), elements=s.elements,
                    normals=s.normals, materials=s.materials, material_names=s.material_names,
                    lateral_bounds=s.lateral_bounds, boundary=s.boundary, spacing=None)
    tr = FluxTracer(moved)
    assert tr.glo[0] == s.lateral_bounds[0][0] and len(tr.citems) > int(tr.valid.sum())
