"""LOCOS (thermal/locos.py; process/oxidize.py): the bird's beak from the oxidant's
lateral diffusion through the pad oxide under a nitride edge, against the model's
analytic limits — Deal–Grove (Deal & Grove, J. Appl. Phys. 36, 3770, 1965) far from the
edge in the open, the pad oxide alone far under the mask, and the oxidant's decay length
√(A e_pad/2) under a uniform pad — and as a recipe step (nitride lifted, metrics)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from waferlab.thermal.locos import beak_lengths, interface_oxidant, locos_oxidation
from waferlab.thermal.oxidation import DEAL_GROVE, oxide_thickness

T = 1273.15
PAD = 20e-9


def _wet_A(T):
    k = DEAL_GROVE["wet"]
    return k.B(T) / k.B_over_A(T, "100")


def test_far_from_the_edge_deal_grove_far_under_the_mask_the_pad():
    h = 10e-9
    x = np.arange(-6e-6, 6e-6, h) + h / 2
    masked = x > 0                         # one edge at x = 0: open left, nitride right
    r = locos_oxidation(x, np.full(x.size, PAD), masked, duration=3600.0,
                        temperature=lambda t: T, ambient="wet")
    dg = oxide_thickness(3600.0, T, ambient="wet", initial=PAD)
    assert r.e[0] == pytest.approx(dg, rel=1e-5)                 # Deal–Grove exactly
    assert r.e[-1] == pytest.approx(PAD, rel=1e-6)               # pad oxide only
    assert np.all(np.diff(r.e) <= 1e-15)                         # thinning into the mask
    (edge, L), = r.beak
    assert edge == pytest.approx(0.0, abs=1e-12)
    assert 0.1e-6 < L < 1.0e-6                                   # a beak, sub-micron
    assert r.lift[masked].max() == pytest.approx(0.56 * r.growth[masked].max())
    assert np.all(r.lift[~masked] == 0)


def test_oxidant_decays_under_a_uniform_pad_with_length_sqrt_A_e_over_2():
    """Fixed thickness: ∂/∂x(e ∂c/∂x) = (2/A) c under the mask has c ∝ exp(−x/λ),
    λ = √(A e/2) (discrete: cosh(h/λ_h) = 1 + h²/(2λ²)); the open side is Deal–Grove."""
    A = _wet_A(T)
    h = 2e-9
    x = np.arange(-5e-6, 2e-6, h) + h / 2
    masked = x > 0
    e = np.where(masked, PAD, 0.3e-6)
    c = interface_oxidant(e, masked, h, A)
    lam = math.sqrt(A * PAD / 2)
    sel = (x > 2 * lam) & (x < 8 * lam)
    slope = np.polyfit(x[sel], np.log(c[sel]), 1)[0]
    assert -1 / slope == pytest.approx(lam, rel=2e-3)
    assert c[0] == pytest.approx(1 / (1 + 2 * 0.3e-6 / A), rel=1e-9)


def test_growth_scales_and_nitride_on_bare_silicon_lets_nothing_in():
    h = 10e-9
    x = np.arange(-2e-6, 2e-6, h) + h / 2
    masked = x > 0
    kw = dict(duration=1800.0, temperature=lambda t: T, ambient="wet")
    thin = locos_oxidation(x, np.full(x.size, 10e-9), masked, **kw)
    thick = locos_oxidation(x, np.full(x.size, 40e-9), masked, **kw)
    assert thick.beak[0][1] > thin.beak[0][1]        # a thicker pad, a longer beak
    bare = locos_oxidation(x, np.zeros(x.size), masked, **kw)
    assert np.all(bare.growth[masked] == 0) and bare.beak[0][1] == 0.0


def test_beak_length_reads_the_crossing():
    x = np.arange(10) * 1.0
    masked = x >= 4.5                                 # edge at 4.5 → into the mask (+x)
    growth = np.array([10, 10, 10, 10, 10, 8, 4, 2, 0.5, 0.2])
    (edge, L), = beak_lengths(x, growth, masked, 10.0)
    assert edge == 4.5 and L == pytest.approx(7.0 + 1.0 / 1.5 - 4.5)   # 1.0 between 2 and 0.5


def test_bad_ambient_is_rejected():
    x = np.arange(4) * 1e-8
    with pytest.raises(ValueError, match="ambient"):
        locos_oxidation(x, np.zeros(4), x > 1e-8, duration=1.0, temperature=lambda t: T,
                        ambient="steam")


def test_coarse_columns_are_subdivided_to_resolve_the_beak():
    """Dry 1000 °C 1 h on 40 nm columns (the oxidant's decay length under the 20 nm pad,
    √(A e/2), is 48 nm; 4 sub-columns per length: r = 4): the model splits each column and
    gets the 5 nm columns' bird's beak within 0.5 % and their column
    thicknesses within 1 % of the field growth — unsplit it is off by 3 % and 6 %."""
    kw = dict(duration=3600.0, temperature=lambda t: T, ambient="dry")

    def run(h, **extra):
        x = np.arange(-2e-6, 2e-6, h) + h / 2
        return locos_oxidation(x, np.full(x.size, PAD), x > 0, **kw, **extra)

    fine, coarse = run(5e-9), run(40e-9)
    one = run(40e-9, nodes_per_length=0.1)
    mean_fine = fine.e.reshape(-1, 8).mean(axis=1)               # the same 40 nm columns
    err = lambda r: (abs(r.beak[0][1] / fine.beak[0][1] - 1),
                     np.max(np.abs(r.e - mean_fine)) / fine.field_growth)
    (b_split, c_split), (b_one, c_one) = err(coarse), err(one)
    assert b_split < 5e-3 and c_split < 1e-2, (b_split, c_split)
    assert b_one > 3 * b_split and c_one > 3 * c_split, (b_one, c_one)
