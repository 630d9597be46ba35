"""Engine properties: determinism, flat-surface normalisation, source laws, boundaries,
Russian roulette, input errors."""
import numba
import numpy as np
import pytest
from scipy import integrate

from waferlab.feature.flux import AngularTable, Species, trace_fluxes
from waferlab.feature.flux import shapes
from waferlab.feature.surface import Surface


def flat2d(n=20, boundary="reflective"):
    return shapes.plane2d(n, boundary)


def flat3d(n=8):
    return shapes.plane3d(n, "periodic")


def test_same_seed_same_fluxes_any_thread_count(ctx):
    s = shapes.trench(1.0, 3.0, h=0.05)
    sp = Species(name="n", sticking={"top": 1.0, "wall": 0.3, "bottom": 0.5})
    old = numba.get_num_threads()
    try:
        res = []
        for th in (1, 2):
            numba.set_num_threads(th)
            res.append(trace_fluxes(s, [sp], ctx.with_(threads=th), n_rays=50_000)["n"])
    finally:
        numba.set_num_threads(old)
    np.testing.assert_array_equal(res[0].incident, res[1].incident)
    np.testing.assert_array_equal(res[0].absorbed, res[1].absorbed)
    other = trace_fluxes(s, [sp], ctx.with_(seed=ctx.seed + 1), n_rays=50_000)["n"]
    assert not np.array_equal(other.incident, res[0].incident)


@pytest.mark.parametrize("boundary", ["reflective", "periodic"])
def test_open_flat_surface_gets_unit_flux(ctx, boundary):
    sp = Species(name="n", sticking=0.25)
    f = trace_fluxes(flat2d(boundary=boundary), [sp], ctx, rays_per_point=2000)["n"]
    # every ray lands once on a flat surface: only the lateral position is random
    z = (f.incident - 1.0) / f.stderr
    assert np.abs(z).max() < 4.5
    np.testing.assert_allclose(f.absorbed, 0.25 * f.incident)
    assert f.lost_top == f.n_rays          # 75 % re-emitted upwards, weights carried away


def test_open_flat_surface_3d(ctx):
    f = trace_fluxes(flat3d(), [Species(name="n", sticking=1.0)], ctx, rays_per_point=2000)["n"]
    assert np.abs((f.incident - 1.0) / f.stderr).max() < 4.5


def projected_black_slit(LH, n):
    """Direct transmission of a black-walled slit for a cosⁿ source, by quadrature of the
    3D law: E[max(0, 1 − (L/H) tanθ |cos ψ|)], density (n+1) cosⁿθ sinθ / 2π."""
    def inner(th):
        ps = np.linspace(0, np.pi / 2, 2001)
        g = np.clip(1 - LH * np.tan(th) * np.cos(ps), 0, None)
        return np.trapezoid(g, ps) * 4 / (2 * np.pi) * (n + 1) * np.cos(th) ** n * np.sin(th)
    return integrate.quad(inner, 0, np.pi / 2, limit=200)[0]


@pytest.mark.parametrize("n", [1.0, 20.0, 500.0])
def test_cos_n_source_projected_in_2d(ctx, n):
    LH = 2.0 if n < 100 else 20.0
    s = shapes.slit(1.0, LH, n_wall=10)
    f = trace_fluxes(s, [Species(name="n", sticking=1.0, source_exponent=n)], ctx,
                     n_rays=200_000)["n"]
    ref = projected_black_slit(LH, n)
    assert abs(f.transmitted - ref) < 3.5 * f.transmitted_stderr, (f.transmitted, ref)


def test_angular_table_equals_cos_n(ctx):
    """A table of the cos²⁰ law (pdf per dθ = cos²⁰θ sinθ) reproduces source_exponent=20
    in a 3D tube with black walls."""
    th = np.linspace(0, np.pi / 2, 2001)
    tab = AngularTable(theta=tuple(th), pdf=tuple(np.cos(th) ** 20 * np.sin(th)))
    s = shapes.tube(1.0, 2.0, n_sides=32)
    st = {"top": 1.0, "wall": 1.0, "bottom": 1.0}
    a = trace_fluxes(s, [Species(name="a", sticking=st, source_exponent=20)], ctx, n_rays=100_000)["a"]
    b = trace_fluxes(s, [Species(name="b", sticking=st, angular=tab)], ctx, n_rays=100_000)["b"]
    sig = np.hypot(a.transmitted_stderr, b.transmitted_stderr)
    assert abs(a.transmitted - b.transmitted) < 3.5 * sig


def test_periodic_wrap_equals_centred(ctx):
    """A trench split across the periodic boundary sees the same fluxes as a centred one."""
    from waferlab.feature.flux.shapes import _join, _line
    w, d, F, h = 1.0, 2.0, 1.0, 0.05
    c = shapes.trench(w, d, h=h, field=F, boundary="periodic")
    L = w + 2 * F
    n = lambda a: max(1, round(a / h))
    split = _join([_line((0, -d), (w / 2, -d), n(w / 2), (0, 1), 2),
                   _line((w / 2, -d), (w / 2, 0), n(d), (-1, 0), 1),
                   _line((w / 2, 0), (w / 2 + F, 0), n(F), (0, 1), 0),
                   _line((L - w / 2 - F, 0), (L - w / 2, 0), n(F), (0, 1), 0),
                   _line((L - w / 2, 0), (L - w / 2, -d), n(d), (1, 0), 1),
                   _line((L - w / 2, -d), (L, -d), n(w / 2), (0, 1), 2)],
                  ((0.0, L),), "periodic")
    sp = Species(name="n", sticking={"top": 0.2, "wall": 0.2, "bottom": 0.2})
    ra = trace_fluxes(c, [sp], ctx, n_rays=200_000, keep_chunks=True)["n"]
    rb = trace_fluxes(split, [sp], ctx.with_(seed=7), n_rays=200_000, keep_chunks=True)["n"]
    ma, sa = ra.region_mean(np.where(c.materials == 2, c.areas, 0.0))
    mb, sb = rb.region_mean(np.where(split.materials == 2, split.areas, 0.0))
    assert abs(ma - mb) < 3.5 * np.hypot(sa, sb), (ma, mb)
    # reflective: each half trench mirrored at the domain edge is the full trench again
    refl = Surface(points=split.points, elements=split.elements, normals=split.normals,
                   materials=split.materials, material_names=split.material_names,
                   lateral_bounds=split.lateral_bounds, boundary="reflective")
    mr, sr = trace_fluxes(refl, [sp], ctx.with_(seed=8), n_rays=200_000, keep_chunks=True)["n"] \
        .region_mean(np.where(split.materials == 2, split.areas, 0.0))
    assert abs(mr - ma) < 3.5 * np.hypot(sa, sr), (mr, ma)


def test_russian_roulette_is_unbiased(ctx):
    from waferlab.feature.flux.engine import FluxTracer
    s = shapes.trench(1.0, 4.0, h=0.1)
    sp = Species(name="n", sticking=0.05)
    tr = FluxTracer(s)
    res = []
    for thr in (0.3, 1e-9):
        inc, absb, trans, counts, nr = tr.trace(sp, 100_000, ctx.seeds(64, "rr", str(thr)),
                                                rr_threshold=thr)
        b = s.materials == 2
        per_chunk = absb[:, b].sum(axis=1) / nr
        res.append((per_chunk.mean(), per_chunk.std(ddof=1) / np.sqrt(len(nr))))
    (m1, s1), (m2, s2) = res
    assert abs(m1 - m2) < 3.5 * np.hypot(s1, s2), res


def test_errors(ctx):
    s = shapes.trench(1.0, 1.0, h=0.1)
    with pytest.raises(ValueError, match="no sticking for material"):
        trace_fluxes(s, [Species(name="n", sticking={"wall": 0.1})], ctx, n_rays=1000)
    with pytest.raises(ValueError, match="exactly one"):
        trace_fluxes(s, [Species(name="n", sticking=0.1)], ctx)
    with pytest.raises(ValueError, match="outside"):
        Species(name="n", sticking=1.5)
    with pytest.raises(ValueError, match="unique"):
        trace_fluxes(s, [Species(name="n", sticking=0.1)] * 2, ctx, n_rays=1000)


def test_smoothing_is_unbiased_and_reduces_noise(ctx):
    """Gaussian smoothing of a flat surface: the mean stays 1, σ drops, and the batch σ
    still describes the actual scatter (|z| Gaussian-like)."""
    s = flat2d(n=200)
    sp = Species(name="n", sticking=1.0)
    raw = trace_fluxes(s, [sp], ctx, rays_per_point=200)["n"]
    sm = trace_fluxes(s, [sp], ctx, rays_per_point=200, smoothing=0.05)["n"]
    assert np.median(sm.stderr) < 0.6 * np.median(raw.stderr)
    z = (sm.incident - 1.0) / sm.stderr
    assert np.abs(z).max() < 4.5
    assert abs(sm.incident.mean() - 1.0) < 4 * sm.stderr.mean()
