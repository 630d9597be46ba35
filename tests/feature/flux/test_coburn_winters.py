"""Bottom-averaged flux with non-reactive (diffuse) walls and reaction probability S at
the bottom: Γ_b/Γ_0 = K/[K + S(1 − K)], K the Clausing transmission of the feature
(Coburn & Winters, Appl. Phys. Lett. 55, 2730, 1989; K from docs/reference-data.md §1).
Tolerance 2 % + 3σ (σ: batch means over the ray chunks)."""
import numpy as np
import pytest

from waferlab.feature.flux import Species, trace_fluxes
from waferlab.feature.flux import shapes

K_SLIT5 = 0.35641   # slit L/H = 5
K_TUBE4 = 0.35657   # tube L/R = 4


def cw(K, S):
    return K / (K + S * (1 - K))


def bottom_mean(ctx, surface, S, n_rays):
    sp = Species(name="n", sticking={"top": 1.0, "wall": 0.0, "bottom": S})
    f = trace_fluxes(surface, [sp], ctx, n_rays=n_rays, keep_chunks=True)["n"]
    return f.region_mean(np.where(surface.materials == 2, surface.areas, 0.0))


@pytest.mark.parametrize("S", [1.0, 0.1])
def test_coburn_winters_2d(ctx, S):
    mean, sig = bottom_mean(ctx, shapes.trench(1.0, 5.0, h=1 / 40), S, 300_000)
    assert abs(mean - cw(K_SLIT5, S)) < 0.02 * cw(K_SLIT5, S) + 3 * sig, (mean, sig)


@pytest.mark.parametrize("S", [1.0, 0.1])
def test_coburn_winters_3d(ctx, S):
    mean, sig = bottom_mean(ctx, shapes.hole(1.0, 4.0, h=0.1), S, 200_000)
    assert abs(mean - cw(K_TUBE4, S)) < 0.02 * cw(K_TUBE4, S) + 3 * sig, (mean, sig)
