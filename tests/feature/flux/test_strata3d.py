"""The stratified 3D launch (``flux._strata``): unbiased against exact view factors, lower
per-element variance than independent launches (the Binomial σ of a plain launch,
computed), and the same numbers for any thread count."""
import numba
import numpy as np
from scipy import stats

from waferlab.feature.flux import Species, shapes, trace_fluxes
from waferlab.feature.flux._strata import _coprime_near, _mulmod, grid_shape
from waferlab.validation.feature import viewfactor_hole_bottom

SEEDS = 8


def _over_seeds(ctx, surf, sp, n_rays, launch="stratified"):
    return np.array([trace_fluxes(surf, [sp], ctx.with_(seed=ctx.seed + i), n_rays=n_rays,
                                  launch=launch)[sp.name].incident for i in range(SEEDS)])


def _plain_sigma(surf, n_rays, mean):
    """Relative σ of a plain launch's per-element estimate: hits ~ Binomial(N, p),
    p = mean·a/A (direct flux, unit sticking)."""
    A = 4.0                                          # plane3d: [−1, 1]²
    p = mean * surf.areas / A
    return np.sqrt((1.0 - p) / (n_rays * p))


def test_strata_helpers():
    for n, lx, ly in ((1, 1.0, 1.0), (10, 1.0, 1.0), (1000, 25.0, 1.0), (999_983, 1.0, 3.0)):
        nx, ny = grid_shape(n, lx, ly)
        assert 1 <= nx * ny <= n and nx * ny > n - ny
    for m in (1, 2, 12, 1_000_000, 999_983):
        p = _coprime_near(m, 0.618)
        assert np.gcd(p, m) == 1 or m == 1
        assert len({_mulmod(j, p, m) for j in range(min(m, 5000))}) == min(m, 5000)


def test_flat_beam_noise_below_plain_launch(ctx):
    """cos¹⁰⁰ beam on a flat surface, unit sticking: every element's flux is 1 exactly
    in the mean; a plain launch scatters it with the Binomial σ; the strata must stay
    below half of it (measured ≈ 0.25 at this size; the plain launch gives 1)."""
    surf = shapes.plane3d(16, "periodic")
    sp = Species(name="ion", sticking=1.0, source_exponent=100.0)
    n = 200_000
    f = _over_seeds(ctx, surf, sp, n)
    sd = f.std(0, ddof=1)
    ratio = sd / _plain_sigma(surf, n, 1.0)
    assert abs(f.mean() - 1.0) < 1e-12                 # every ray lands once
    assert np.median(ratio) < 0.5, np.median(ratio)


def test_flat_beam_uniform_launch_is_binomial(ctx):
    """launch="uniform" turns the 3D strata off (independent draws, the launch before
    session 13; bit for bit against commit 79ab262, checked when it was wired): on the flat
    surface of the test above each element's count is Binomial, so its sample σ over the
    S = 8 seeds is the Binomial σ times √(χ²_{S−1}/(S−1)); the median over the m = 512
    elements of that ratio must be the χ distribution's median (0.952) within 4 standard
    errors of a sample median, 1/(2 f(med) √m) ≈ 0.016 (f the density of √(χ²_7/7)),
    and the stratified launch's median must stay below half of it."""
    surf = shapes.plane3d(16, "periodic")
    sp = Species(name="ion", sticking=1.0, source_exponent=100.0)
    n = 200_000
    f = _over_seeds(ctx, surf, sp, n, launch="uniform")
    g = _over_seeds(ctx, surf, sp, n)
    assert not np.array_equal(f[0], g[0])               # the launches differ
    assert abs(f.mean() - 1.0) < 1e-12
    ratio = f.std(0, ddof=1) / _plain_sigma(surf, n, 1.0)
    dof = SEEDS - 1
    med = np.sqrt(stats.chi2.median(dof) / dof)
    dens = stats.chi2.pdf(med**2 * dof, dof) * 2 * med * dof     # density of √(χ²/dof) at med
    se = 1.0 / (2 * dens * np.sqrt(surf.areas.size))
    assert abs(np.median(ratio) - med) < 4 * se, (np.median(ratio), med, se)
    strat = g.std(0, ddof=1) / _plain_sigma(surf, n, 1.0)
    assert np.median(strat) < 0.5 * np.median(ratio), (np.median(strat), np.median(ratio))


def test_hole_floor_unbiased(ctx):
    """Cosine source into a hole of unit sticking (no re-emission): the floor's flux
    against the exact view factor (area-weighted over r < 0.6 R, within 3σ of the mean
    over seeds, σ from their spread; + 0.2 % for the 96-gon: the plain launch gave
    +0.6 % ± 0.23 % here) and its per-element noise not above the plain launch's
    Binomial σ (random pairing of positions and directions; measured 0.95 of it)."""
    n = 300_000
    res = [viewfactor_hole_bottom(ctx.with_(seed=ctx.seed + i), n) for i in range(SEEDS)]
    s, _, bot, ex, r = res[0]
    f = np.array([x[1].incident[bot] for x in res])
    sel = r < 0.6
    a = s.areas[bot][sel]
    reg = f[:, sel] @ a / a.sum()
    exact = float(ex[sel] @ a / a.sum())
    sig = reg.std(ddof=1) / np.sqrt(SEEDS)
    assert abs(reg.mean() - exact) < 3 * sig + 2e-3 * exact, (reg.mean(), exact, sig)
    A = (2 * 1.2 / np.cos(np.pi / 96)) ** 2          # shapes.hole's square domain
    p = ex * s.areas[bot] / A
    plain = np.sqrt(p * (1 - p) * n) / (n * s.areas[bot] / A)     # σ of Γ/Γ0
    ratio = f.std(0, ddof=1) / plain
    assert np.median(ratio) < 1.1, np.median(ratio)


def test_strata_same_for_any_thread_count(ctx):
    s = shapes.hole(1.0, 1.0, h=0.1, n_sides=32)
    sp = Species(name="n", sticking={"top": 1.0, "wall": 0.3, "bottom": 0.5})
    ion = Species(name="ion", sticking=0.2, source_exponent=50.0)
    old = numba.get_num_threads()
    try:
        res = []
        for th in (1, 2):
            numba.set_num_threads(th)
            res.append(trace_fluxes(s, [sp, ion], ctx.with_(threads=th), n_rays=40_000))
    finally:
        numba.set_num_threads(old)
    for name in ("n", "ion"):
        np.testing.assert_array_equal(res[0][name].incident, res[1][name].incident)
        np.testing.assert_array_equal(res[0][name].absorbed, res[1][name].absorbed)
    other = trace_fluxes(s, [sp], ctx.with_(seed=ctx.seed + 1), n_rays=40_000)["n"]
    assert not np.array_equal(other.incident, res[0]["n"].incident)
