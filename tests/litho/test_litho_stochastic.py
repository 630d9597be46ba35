"""Stochastics: EUV photon counting, LER/LWR/PSD estimators, shot-noise LER scaling.

Photon energy at 13.5 nm is 91.84 eV; 1 mJ/cm^2 is 0.680 photons/nm^2 (docs/reference-data.md §4).
Shot-noise-limited LER scales as dose^-1/2 (Gallatin, Proc. SPIE 5754, 38, 2005).
"""
import numpy as np

from waferlab.constants import EV
from waferlab.context import RunContext
from waferlab.litho.imaging import Optics, abbe_image
from waferlab.litho.mask import grating_mask
from waferlab.litho.source import sample_source
from waferlab.litho.spec import CircularSource
from waferlab.litho.stochastic import (StochasticResist, acid_image, edge_positions, edge_psd, ler,
                                       lwr, photon_energy, photons_per_area, stochastic_lines)


def test_euv_photon_numbers():
    assert abs(photon_energy(13.5e-9) / EV - 91.84) < 0.01
    assert abs(photons_per_area(10.0, 13.5e-9) * 1e-18 - 0.680) < 1e-3     # 1 mJ/cm^2 = 10 J/m^2


def test_ler_estimator_on_synthetic_edges():
    rng = np.random.default_rng(4)
    sigma, n_edges, n = 1.5e-9, 40, 500
    edges = 20e-9 + sigma * rng.standard_normal((n_edges, n))
    est = ler(edges) / 3
    se = sigma / np.sqrt(2 * n_edges * (n - 1))                  # std error of a Gaussian sigma
    assert abs(est - sigma) < 3 * se
    left, right = edges[:20], edges[20:] + 30e-9
    assert abs(lwr(left, right) / 3 - np.sqrt(2) * sigma) < 3 * np.sqrt(2) * sigma / np.sqrt(2 * 20 * n)


def test_psd_parseval_and_white_level():
    rng = np.random.default_rng(5)
    dy, sigma = 1e-9, 2e-9
    edges = sigma * rng.standard_normal((200, 256))
    f, psd = edge_psd(edges, dy)
    df = f[1] - f[0]
    dev = edges - edges.mean(axis=1, keepdims=True)
    assert abs(psd.sum() * df - np.mean(dev ** 2)) < 1e-12 * sigma ** 2 + 1e-30
    white = sigma ** 2 * dy                                       # flat two-sided level
    assert abs(psd[1:].mean() - white) < 0.05 * white


def test_edge_positions_linear_profile():
    x = np.arange(100) * 1e-9
    field = np.tile(x / 99e-9, (3, 1))
    e = edge_positions(field, x, level=0.5, nominal=[50e-9], window=10e-9)
    assert np.allclose(e, 49.5e-9, atol=1e-18)


def test_mean_field_acid_has_no_noise_and_rng_reproducible():
    p = StochasticResist(wavelength=13.5e-9, dose=300.0, thickness=35e-9, absorption=5e6)
    img = np.full((16, 16), 0.5)
    assert np.ptp(acid_image(img, p=p, pixel=1e-9, rng=None)) < 1e-15
    a = acid_image(img, p=p, pixel=1e-9, rng=RunContext(seed=3).rng("x"))
    b = acid_image(img, p=p, pixel=1e-9, rng=RunContext(seed=3).rng("x"))
    assert np.array_equal(a, b) and np.ptp(a) > 0


def test_shot_noise_ler_halves_at_four_times_the_dose():
    """LER(4D) / LER(D) = 1/2 within 10 %, with the Monte Carlo sigma of the ratio from the
    spread over seeds (3 sigma below the 10 % margin, so the seed count suffices)."""
    o = Optics(wavelength=13.5e-9, na=0.33)
    m = grating_mask(pitch=64e-9, duty=0.5, pixel=1e-9)
    cut = abbe_image(m, o, sample_source(CircularSource(shape="circular", sigma=0.5), step=0.1))[0]
    ctx = RunContext(seed=11)
    means, ses = [], []
    n = 12
    for dose in (200.0, 800.0):                                  # 20 and 80 mJ/cm^2
        p = StochasticResist(wavelength=13.5e-9, dose=dose, thickness=35e-9, absorption=5e6,
                             pag=1e28, diffusion_length=5e-9)
        vals = [stochastic_lines(cut, m.x, p=p, length=2048e-9, pitch=64e-9, duty=0.5,
                                 rng=ctx.rng("ler", int(dose), k))["ler"] for k in range(n)]
        means.append(np.mean(vals))
        ses.append(np.std(vals, ddof=1) / np.sqrt(n))
    ratio = means[1] / means[0]
    sigma_ratio = ratio * np.hypot(ses[0] / means[0], ses[1] / means[1])
    assert 3 * sigma_ratio < 0.05, sigma_ratio
    assert abs(ratio - 0.5) < 0.05, (ratio, sigma_ratio)
