"""The 3D hybrid estimator (``flux.hybrid``): the walk for the first hits, a clustered
radiosity balance for the rest.

- exactness of the cut walk: with no cut it is the walk (``_kernels.trace3d``) tally for
  tally, and a cut changes the tallies (so the check can fail);
- analytic references: Clausing's tube transmission (Clausing, Ann. Phys. 12, 961, 1932;
  Berman, J. Appl. Phys. 36, 3356, 1965) and Coburn & Winters's bottom flux K/[K + S(1 − K)]
  (Appl. Phys. Lett. 55, 2730, 1989), tolerances as the walk's tests (test_clausing.py,
  test_coburn_winters.py) plus the measured bias bound of the balance (module docstring
  of ``hybrid``: 1 % of the value);
- against the full walk on a level-set hole with sticking 0.1 (the B case's physics):
  region means over depth bands within 3σ (σ: the walk reference's batch means and the
  spread of independent hybrid traces) + 1 %.
"""
import numpy as np
import pytest

from waferlab.feature.flux import Species, shapes, trace_fluxes
from waferlab.feature.flux import hybrid as HY
from waferlab.feature.flux.engine import FluxTracer

# the hybrid is opt-in, and its cut-walk kernel costs ≈50 s of CPU to compile on a cold
# numba cache: kept out of the default suite (CI budget)
pytestmark = pytest.mark.slow

K_TUBE4 = 0.35657   # tube L/R = 4, Clausing
BIAS = 0.01         # bias bound of the balance (relative), bench/results/est3d_s16.md


def _hole(R=0.5e-6, depth=2e-6, h=0.1e-6):
    from waferlab.feature.builders import cut_feature, layer_stack
    from waferlab.feature.extract import extract_surface
    from waferlab.feature.grid import Grid

    g = Grid(dimension=3, spacing=h, extent=(2.5e-6, 2.5e-6), boundary="reflective")
    return extract_surface(cut_feature(layer_stack(g, "Si", [("Mask", 0.2e-6)]), "hole",
                                       radius=R, depth=depth))


def test_cut_walk_without_a_cut_is_the_walk(ctx):
    s = _hole(h=0.125e-6)
    tr = FluxTracer(s)
    group = (Species(name="a", sticking={"Si": 0.1, "Mask": 0.3}),
             Species(name="b", sticking={"Si": 0.6, "Mask": 0.05}))
    seeds = ctx.seeds(8, "cut")
    ref = tr._run(group, 20_000, seeds)
    got = HY.run_cut(tr, group, 20_000, seeds, n_hits=10 ** 9, smooth=None)
    for a, b in zip(ref[:5], got[:5]):
        np.testing.assert_array_equal(a, b)
    cut = HY.run_cut(tr, group, 20_000, seeds, n_hits=2, smooth=None)
    assert not np.array_equal(cut[0], ref[0])


def test_hybrid_tube_clausing(ctx):
    """Open tube L/R = 4, non-sticking walls: every ray bounces until it leaves, so the
    transmission is all balance.  Four independent traces: their spread is the σ (the
    batch-means σ of one trace leaves out the noise of the transition estimate P̂)."""
    s = shapes.tube(1.0, 4.0, n_sides=96, n_rings=32)
    sp = Species(name="n", sticking={"top": 1.0, "wall": 0.0, "bottom": 1.0})
    tr = FluxTracer(s)
    lat = np.asarray(s.lateral_bounds)
    fac = np.prod(lat[:, 1] - lat[:, 0]) / shapes.polygon_area(1.0, 96)
    W = np.array([trace_fluxes(s, [sp], ctx, n_rays=100_000, tracer=tr, stream=("t", i),
                               reemission="hybrid")["n"].transmitted * fac
                  for i in range(4)])
    sig = W.std(ddof=1) / 2.0
    assert abs(W.mean() - K_TUBE4) < 3 * sig + (0.005 + BIAS) * K_TUBE4, (W, sig)


@pytest.mark.parametrize("S", [1.0, 0.1])
def test_hybrid_coburn_winters_3d(ctx, S):
    surface = shapes.hole(1.0, 4.0, h=0.1)
    sp = Species(name="n", sticking={"top": 1.0, "wall": 0.0, "bottom": S})
    f = trace_fluxes(surface, [sp], ctx, n_rays=200_000, keep_chunks=True,
                     reemission="hybrid")["n"]
    mean, sig = f.region_mean(np.where(surface.materials == 2, surface.areas, 0.0))
    ref = K_TUBE4 / (K_TUBE4 + S * (1 - K_TUBE4))
    assert abs(mean - ref) < (0.02 + BIAS) * ref + 3 * sig, (mean, sig)


def _bands(surface, f, edges):
    c = surface.centroids
    inside = np.hypot(c[:, 0], c[:, 1]) < 0.55e-6     # the hole, not the field
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        w = np.where(inside & (c[:, 2] >= lo) & (c[:, 2] < hi), surface.areas, 0.0)
        out.append(f.region_mean(w))
    return np.array(out)


def test_hybrid_matches_the_full_walk_in_a_hole(ctx):
    s = _hole()
    tr = FluxTracer(s)
    sp = Species(name="n", sticking=0.1)
    zb, zt = s.centroids[:, 2].min(), s.centroids[:, 2].max()
    edges = zb + np.array([-0.01, 0.15, 0.6, 1.0, 1.4, 1.85]) * 1e-6
    assert edges[-1] < zt
    ref = _bands(s, trace_fluxes(s, [sp], ctx, n_rays=2_000_000, keep_chunks=True,
                                 tracer=tr, stream=("ref",))["n"], edges)
    hy = np.array([_bands(s, trace_fluxes(s, [sp], ctx, n_rays=200_000, keep_chunks=True,
                                          tracer=tr, reemission="hybrid",
                                          stream=("hy", i))["n"], edges)
                   for i in range(4)])
    mean = hy[:, :, 0].mean(axis=0)
    sig = np.hypot(ref[:, 1], hy[:, :, 0].std(axis=0, ddof=1) / 2.0)
    assert np.all(np.abs(mean - ref[:, 0]) < 3 * sig + BIAS * ref[:, 0]), (mean, ref, sig)
