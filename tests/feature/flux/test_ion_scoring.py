"""Per-hit ion yield scoring (``Species.yield_channels``) and the reflected-energy law.

References: the yield law Y = A·max(√E − √E_th, 0)·f(θ) (Steinbrüchel, Appl. Phys. Lett.
55, 1960, 1989) with the Belen et al. (J. Vac. Sci. Technol. A 23, 99, 2005) angular
factors; the energy of a reflected ion: ViennaPS's plasma-etching ion rule (``updateEnergy``,
psIonModelUtil.hpp, ViennaPS 4), N(p(θ)E, (0.1E)²) truncated to [0, E].
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from waferlab.atomic.yields import IonYield, gaussian_iedf
from waferlab.feature.flux import AngularTable, Species, shapes, trace_fluxes
from waferlab.feature.flux import _ion_kernels as KI
from waferlab.feature.flux.ions import VIENNAPS_ION_ENERGY_LOSS, truncated_normal_mean
from waferlab.feature.flux.sources import VIENNAPS_ION_STICKING


def flat2d(n, boundary="periodic"):
    return shapes.plane2d(n, boundary)


def flat3d(n):
    return shapes.plane3d(n, "periodic")


IE = IonYield(A=7.0, threshold_eV=15.0, angular="belen_ie")
SP = IonYield(A=0.0337, threshold_eV=20.0, angular="sputter", B=9.3)
ROOT = IonYield(A=1.0, threshold_eV=0.0, angular="constant")       # scores √E


def _mean(f, surface, key):
    """Area-weighted mean over all elements and its batch-means σ."""
    return f.region_mean(surface.areas, key)


@pytest.mark.parametrize("dim", [2, 3])
def test_flat_normal_monoenergetic_beam_scores_the_yield(ctx, dim):
    """(a) Open flat surface, normal 100 eV beam: every ray hits once, so each channel
    reads A(√E − √E_th)f(1) × incident, element by element, and over the surface within
    3σ (σ from the batch means; ≈ 0 here, as every ray scores the same) plus the beam's
    own width: a cos^(10⁷) source has ⟨sin²θ⟩ = 2/(n + 2), which moves the sputter factor
    (1 + B sin²θ)cos θ by ≤ (B − ½)·2e-7 ≈ 2e-6 relative."""
    s = flat3d(8) if dim == 3 else flat2d(16)
    sp = Species(name="ion", sticking=1.0, source_exponent=1e7,
                 yield_channels={"ie": {"Si": IE}, "sp": {"Si": SP}}, iedf=((100.0,), (1.0,)))
    f = trace_fluxes(s, [sp], ctx, n_rays=20_000, keep_chunks=True)["ion"]
    for ch, y in (("ie", IE), ("sp", SP)):
        want = float(y(100.0, 1.0))
        assert np.allclose(f.yields[ch], want * f.incident, rtol=1e-5)
        m, sig = _mean(f, s, f"yield:{ch}")
        assert abs(m - want) <= 3 * sig + 2e-6 * want, (ch, m, want, sig)
    assert abs(_mean(f, s, "yield:ie")[0] - 7 * (10 - math.sqrt(15))) < 1e-6


def test_tilted_collimated_beam_scores_the_angular_factor(ctx):
    """A beam at 75° ± 0.05° from the normal of a flat plane: every hit scores f(75°)
    (belen_ie: 3 − 6·75/180 = 0.5; sputter: (1 + B sin²)cos), within 1e-3 relative (the
    ± 0.05° spread and the cos θ table: slope × 0.05° ≈ 6e-4 relative)."""
    s = flat3d(8)
    half = math.radians(0.05)
    th = math.radians(75.0)
    sp = Species(name="ion", sticking=1.0, angular=AngularTable(theta=(th - half, th + half),
                                                                pdf=(1.0, 1.0)),
                 yield_channels={"ie": {"Si": IE}, "sp": {"Si": SP}}, iedf=((100.0,), (1.0,)))
    f = trace_fluxes(s, [sp], ctx, n_rays=20_000)["ion"]
    a = s.areas
    inc = (f.incident * a).sum()
    for ch, y in (("ie", IE), ("sp", SP)):
        got = (f.yields[ch] * a).sum() / inc
        assert got == pytest.approx(float(y(100.0, math.cos(th))), rel=1e-3)
    assert (f.yields["ie"] * a).sum() / inc == pytest.approx(7 * (10 - math.sqrt(15)) * 0.5,
                                                             rel=1e-3)


def test_gaussian_iedf_average_of_sqrt_energy(ctx):
    """(b) 100 ± 10 eV normal IEDF sampled per ray: ⟨√E⟩ (channel A = 1, E_th = 0,
    constant f) within 3σ of the quadrature ∫√E N(E; 100, 10²) dE, σ from the batch
    means of 200 000 rays (≈ 1e-3)."""
    s = flat3d(4)
    e, p = gaussian_iedf(100.0, 10.0)
    sp = Species(name="ion", sticking=1.0, source_exponent=1000.0,
                 yield_channels={"root": {"Si": ROOT}}, iedf=(e, p))
    f = trace_fluxes(s, [sp], ctx, n_rays=200_000, keep_chunks=True)["ion"]
    m, sig = _mean(f, s, "yield:root")
    want = integrate.quad(lambda x: math.sqrt(x) * stats.norm.pdf(x, 100.0, 10.0),
                          0.0, 200.0, epsabs=1e-12)[0] / (stats.norm.cdf(10.0) - stats.norm.cdf(-10.0))
    assert 0 < sig < 0.01
    assert abs(m - want) <= 3 * sig, (m, want, sig)
    assert abs(m - 10.0) > 3 * sig          # the average is not √⟨E⟩ (Jensen): a real test


@pytest.mark.parametrize("deg", [75.0, 80.0, 85.0, 89.5])
def test_reflected_energy_law_distribution(deg):
    """(c) The sampled E'/E at incidence θ against the law: mean within 3σ of the truncated-
    normal mean p + σ(φ(a) − φ(b))/(Φ(b) − Φ(a)), and the whole distribution by a
    Kolmogorov–Smirnov test (D below the 0.1 % critical value 1.95/√n).  Peaks: p(80°) =
    0.310, p(85°) = 0.568 (docs/etch-models.md), p(89.5°) above the inflection."""
    law = VIENNAPS_ION_ENERGY_LOSS
    th = math.radians(deg)
    n = 50_000
    x = KI.sample_reflected(1234 + int(deg * 10), 100.0, math.cos(th), law.params(), n) / 100.0
    assert x.min() >= 0.0 and x.max() <= 1.0
    p = float(law.peak(th))
    mean = float(truncated_normal_mean(p, 0.1, 0.0, 1.0))
    assert abs(x.mean() - mean) <= 3 * x.std() / math.sqrt(n), (x.mean(), mean)
    a, b = (0.0 - p) / 0.1, (1.0 - p) / 0.1
    D = stats.kstest(x, stats.truncnorm(a, b, loc=p, scale=0.1).cdf).statistic
    assert D < 1.95 / math.sqrt(n), D
    if deg == 80.0:
        assert p == pytest.approx(0.899 * (80 / 89) ** 10, rel=2e-3)
        assert p == pytest.approx(0.310, abs=1e-3)
    if deg == 85.0:
        assert p == pytest.approx(0.568, abs=1e-3)
    if deg == 89.5:
        assert p == pytest.approx(1 - (1 - law.amplitude) * 0.5, rel=1e-3)


def test_per_hit_equals_beam_yield_on_a_flat_surface(ctx):
    """(d, flat) 3D open plane under the cos¹⁰⁰⁰ 100 ± 10 eV beam: per-hit ⟨YΓ⟩ of each
    channel = the beam scoring's ⟨A(√E − √E_th)⟩_IEDF · ⟨f⟩_beam (``IonBeam.flat_yield``)
    within 3σ (batch means)."""
    from waferlab.atomic.ion_enhanced import IonBeam

    beam = IonBeam.gaussian(100.0, 10.0, 1000.0)
    s = flat3d(6)
    sp = Species(name="ion", sticking=1.0, source_exponent=1000.0,
                 sticking_angle=VIENNAPS_ION_STICKING, specular=1.0,
                 reflected_energy=VIENNAPS_ION_ENERGY_LOSS,
                 yield_channels={"ie": {"Si": IE}, "sp": {"Si": SP}},
                 iedf=(beam.energies_eV, beam.pdf))
    f = trace_fluxes(s, [sp], ctx, n_rays=100_000, keep_chunks=True)["ion"]
    for ch, y in (("ie", IE), ("sp", SP)):
        m, sig = f.region_mean(s.areas, f"yield:{ch}")
        want = beam.flat_yield(y)
        assert abs(m - want) <= 3 * sig, (ch, m, want, sig)


def _tapered_trench(w=0.2, bottom=0.08, d=1.0, field=0.2, h=0.01):
    """2D trench, mouth w at y = 0, floor of width ``bottom`` at y = −d, flat field of width
    ``field`` each side; walls tilted by atan((w − bottom)/2d) ≈ 3.4° from the vertical,
    so a cos¹⁰⁰⁰ beam grazes them (incidence ≈ 87°: the ions mostly reflect)."""
    x0, x1 = 0.5 * (w - bottom), 0.5 * (w + bottom)
    nw, nb, nf = round(d / h), round(bottom / h), round(field / h)
    lw = np.array([d, x0]) / math.hypot(d, x0)
    return shapes._join([shapes._line((-field, 0), (0, 0), nf, (0, 1), 0),
                         shapes._line((0, 0), (x0, -d), nw, tuple(lw), 1),
                         shapes._line((x0, -d), (x1, -d), nb, (0, 1), 2),
                         shapes._line((x1, -d), (w, 0), nw, (-lw[0], lw[1]), 1),
                         shapes._line((w, 0), (w + field, 0), nf, (0, 1), 0)],
                        ((-field, w + field),), "reflective")


def _trench_species(loss):
    return Species(name="ion", sticking=1.0, source_exponent=1000.0,
                   sticking_angle=VIENNAPS_ION_STICKING, specular=1.0,
                   yield_channels={"ie": {m: IE for m in shapes.MATERIALS},
                                   "sp": {m: SP for m in shapes.MATERIALS}},
                   iedf=gaussian_iedf(100.0, 10.0), energy_cutoff_eV=15.0,
                   reflected_energy=VIENNAPS_ION_ENERGY_LOSS if loss else None)


def test_per_hit_agrees_with_beam_on_flat_and_differs_after_reflection(ctx):
    """(d) Per-hit against beam scoring in a 2D tapered trench.  On the open field (no
    ion comes back from the trench: specular reflection sends it down), the per-hit
    ion-enhanced ⟨YΓ⟩ equals incident × the direct-beam yield ⟨A(√E − √E_th)⟩_IEDF
    (f = 1 below 60°) within 3σ.  On the floor, ions reflected off the grazing walls arrive with less
    energy: with the energy-loss law the floor's ⟨Y⟩ per incident ion is lower by more than
    3σ than without it, and without it it equals the direct-beam yield (walls reflect
    specularly, so floor hits keep the beam's near-normal incidence)."""
    from waferlab.atomic.ion_enhanced import IonBeam

    beam = IonBeam.gaussian(100.0, 10.0, 1000.0)
    surf = _tapered_trench()
    c = surf.centroids
    field = c[:, 1] > -1e-9
    floor = c[:, 1] < -1.0 + 1e-6
    res = {}
    for loss in (False, True):
        res[loss] = trace_fluxes(surf, [_trench_species(loss)], ctx, n_rays=200_000,
                                 keep_chunks=True)["ion"]
    a = surf.areas
    f = res[True]
    want = beam.energy_average(IE)                       # belen_ie: f = 1 below 60°
    m, sig = f.region_mean(a * field, "yield:ie")
    inc, isig = f.region_mean(a * field, "incident")
    assert abs(m - want * inc) <= 3 * math.hypot(sig, want * isig), (m, want * inc)
    ratio = {}
    for loss, g in res.items():
        y, ys = g.region_mean(a * floor, "yield:ie")
        i, _ = g.region_mean(a * floor, "incident")
        ratio[loss] = (y / i, ys / i)
    direct = beam.energy_average(IE)                     # belen_ie: f = 1 below 60°
    assert ratio[False][0] == pytest.approx(direct, rel=3 * ratio[False][1] / direct + 1e-3)
    gap = ratio[False][0] - ratio[True][0]
    assert gap > 3 * math.hypot(ratio[False][1], ratio[True][1]), (ratio, gap)
    # both trace the same ion weight onto the floor (the energy law only stops ions < 15 eV)
    assert res[True].region_mean(a * floor, "incident")[0] <= \
        res[False].region_mean(a * floor, "incident")[0] + 1e-9
