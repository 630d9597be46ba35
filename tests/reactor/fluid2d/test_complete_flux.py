"""The complete-flux correction of the Scharfetter–Gummel face flux (session 17,
``species.centroid_offset``; ten Thije Boonkkamp & Anthonissen, J. Sci. Comput. 46, 47, 2011):
SG is exact for a constant flux; with a volume source S = dΓ/dx it returns the flux at the
centroid of its Slotboom weight, which at large Péclet numbers sits at the sparse end of the
face — a first-order error.  Γ_SG − S d(½ − W(p)) is the flux at the face midpoint to second
order, whatever the Péclet number."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.reactor.fluid2d.species import bernoulli, centroid_offset

TI = 0.07              # ion temperature (eV)
MU = 6.0               # mobility (m²/V s)


def _face(d, k, L=0.02):
    """Nodal densities of a species with the smooth flux Γ(x) = 1 + x/L + (x/L)² (arbitrary units)
    in the constant field whose Slotboom exponent ψ = z_kφ/T_i grows as k x (1/m), so that
    Γ = −μT_i e^{−ψ}(n e^{ψ})' (the drift–diffusion flux, :mod:`.species`): n e^{ψ} is
    −∫Γ e^{ψ}/(μT_i) dx, integrated exactly (Gauss–Legendre, 40 nodes) between the nodes
    x = 0.01 ∓ d/2.  Returns n_a, n_b, S_a, S_b (S = Γ'), Γ at the face midpoint and the
    residual's Péclet number Pe = −z_kΔφ/T_i = −k d."""
    xa, xb = 0.01 - d / 2, 0.01 + d / 2
    G = lambda x: 1 + x / L + (x / L) ** 2          # noqa: E731
    S = lambda x: 1 / L + 2 * x / L ** 2             # noqa: E731
    t, w = np.polynomial.legendre.leggauss(40)
    x = 0.5 * (xa + xb) + 0.5 * d * t
    gb = 5.0e3                                       # n e^{ψ} at b (any value: SG is linear in n)
    ga = gb + 0.5 * d * float((w * G(x) * np.exp(k * (x - xa))).sum()) / (MU * TI)
    na, nb = ga, gb * np.exp(-k * d)                 # ψ(x_a) = 0
    return na, nb, S(xa), S(xb), G(0.01), -k * d


@pytest.mark.parametrize("k", [-2000.0, -300.0, -40.0, 60.0, 2000.0, 0.0])
def test_complete_flux_is_second_order_and_sg_degrades_with_the_peclet_number(k):
    """CF: second order and within 1e-4 at the finest face, at any Péclet number.  SG's error is
    S d(½ − W): second order only once |Pe| ≪ 1; at the |Pe| 4–8 of the coarse faces it is
    ≈ S d/2, i.e. first order with the cell (the SF6/O2 negative ions cross ≈ 35 T_i per bulk cell
    on 20 rows)."""
    errs_sg, errs_cf, pes = [], [], []
    for d in (4e-3, 2e-3, 1e-3, 5e-4):
        na, nb, Sa, Sb, G_mid, Pe = _face(d, k)
        sg = MU * TI / d * (bernoulli(-Pe) * na - bernoulli(Pe) * nb)
        cf = sg - 0.5 * (Sa + Sb) * d * centroid_offset(-Pe)
        errs_sg.append(abs(sg / G_mid - 1))
        errs_cf.append(abs(cf / G_mid - 1))
        pes.append(abs(Pe))
    order = lambda e: np.log2(e[-2] / e[-1])  # noqa: E731
    assert order(errs_cf) > 1.7
    assert errs_cf[-1] < 1e-4
    for e_sg, e_cf, pe in zip(errs_sg, errs_cf, pes):
        if pe >= 4.0:
            assert e_sg > 10 * e_cf


def test_centroid_offset_is_the_weight_centroid():
    for p in (-40.0, -3.0, -1e-6, 0.0, 2e-5, 0.7, 12.0):
        t, w = np.polynomial.legendre.leggauss(200)
        x = 0.5 + 0.5 * t
        wt = w * np.exp(p * (x - 1.0) if p > 0 else p * x)
        c = float((x * wt).sum() / wt.sum()) - 0.5
        assert float(centroid_offset(p)) == pytest.approx(c, abs=1e-10)
