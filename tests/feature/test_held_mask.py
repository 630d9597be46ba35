"""A held (rate-0) hard mask ABOVE an etched layer: the ceiling of an isotropic undercut.

2D, a 0.4 µm mask on Si with a 1 µm trench cut 0.2 µm into the Si, then an isotropic
etch of Si (rate 1, the mask rate 0) for 0.5 s: by construction the mask is untouched,
so over the undercut (0.55 µm < |x| < 0.9 µm, inside the exact 0.5 µm undercut) the
surface is the mask's underside, the Si/mask interface z = 0, exactly (the exact
offset profile, bench/bench_scheme_directional.py's ``exact_profile``).

The engine's layer rule (docs/levelset.md, "Etch stop") takes a surface point for the
lowest layer whose set contains it within h/2; only a held *bottom* block gets the
exact rule, so the mask's underside, on the Si's old interface, is taken for Si and
rises by ≈ h/2 (measured: +0.37…+0.74 h, mean +0.48 h at h 0.05 µm; +0.12…+0.84 h,
mean +0.49 h at 0.025 µm; bench/results/held_mask_s15.md).  The inward test of ``ion_beam.held_layer_at``
(the material at p − h/4·n̂) stalls the Si instead (a 0.56…1.0 h Si film left under
the mask), so neither rule is exact: the test is an expected failure (strict) until
a rule that is: it must bring both errors under 0.15 h (the engine's error on a flat
interface it holds exactly is < 0.01 h, test_etch_stop).
"""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.feature import builders as B
from waferlab.feature.advect import advance
from waferlab.feature.extract import extract_surface
from waferlab.feature.grid import Grid
from waferlab.feature.models_basic import DirectionalVelocity

H = 0.05


def _ceiling() -> np.ndarray:
    """Heights (in h) of the surface over the undercut after the etch."""
    g = Grid(dimension=2, spacing=H, extent=(3.0,))
    geo = B.cut_feature(B.layer_stack(g, "Si", [("Mask", 0.4)]), "trench", width=1.0,
                        depth=0.6)
    model = DirectionalVelocity(layer_speed=np.array([-1.0, 0.0]), direction=(0.0, -1.0),
                                isotropic_fraction=1.0)
    out, _ = advance(geo, model, 0.5, RunContext(), kind="etch", scheme="weno5")
    p = extract_surface(out).points
    x, z = np.abs(p[:, 0]), p[:, 1]
    sel = (x > 0.55) & (x < 0.9) & (z > -0.2) & (z < 0.2)
    assert sel.sum() >= 6                     # the undercut opened under the mask
    return z[sel] / H


@pytest.mark.xfail(strict=True, reason="held layer above an etched one keeps the h/2 "
                   "rule: the mask's underside rises ≈ h/2 (docs/levelset.md, Etch stop)")
def test_mask_underside_stays_on_the_interface():
    z = _ceiling()
    assert np.abs(z).max() <= 0.15, f"ceiling {z.min():+.2f} … {z.max():+.2f} h, exact 0"
