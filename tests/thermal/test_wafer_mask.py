"""Masking from a wafer stack: a 2D LevelSetStack of Si with a 100 nm SiO2 line on the
left half must give a Si-equivalent thickness 100 nm · 2.27/5.02 there and 0 in the
opening, with the silicon surface at its built height (exact for planar level sets)."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.feature.grid import Grid
from waferlab.feature.levelset import LevelSetStack
from waferlab.thermal.implant import implant_2d
from waferlab.thermal.mesh import make_mesh
from waferlab.thermal.wafer_mask import mask_from_stack


def _stack():
    g = Grid(dimension=2, spacing=5e-9, extent=(1e-6,))
    x = g.lateral_coords(0)
    z = -0.2e-6 + 5e-9 * np.arange(80)
    si = np.broadcast_to(z[None, :] - 0.0, (x.size, z.size))            # Si top at z = 0
    ox_top = np.where(x < 0, 100e-9, 0.0)                                # oxide line, left half
    phi = np.stack([si, np.minimum(si, z[None, :] - ox_top[:, None])])
    return LevelSetStack(grid=g, z0=z[0], phi=phi, materials=("Si", "SiO2"), reference_top=0.1e-6), x


def test_mask_thickness_from_stack():
    stack, x = _stack()
    xs, thick, si_top = mask_from_stack(stack)
    assert np.allclose(si_top, 0.0, atol=1e-15)
    assert np.allclose(thick[x < -5e-9], 100e-9 * 2.27 / 5.02, rtol=1e-9)
    assert np.all(thick[x > 5e-9] == 0.0)
    mesh = make_mesh(0.3e-6, 601, width=1e-6, nx=xs.size)
    c = implant_2d(mesh.z, mesh.x, "B", 1e19, 10.0, mask=thick, shape="gaussian")
    col_dose = np.trapezoid(c, mesh.z, axis=0)
    from scipy.special import erfc
    from waferlab.thermal.implant import range_moments
    m = range_moments("B", 10.0)
    s = 100e-9 * 2.27 / 5.02
    frac = erfc((s - m.Rp) / (np.sqrt(2) * m.dRp)) / erfc(-m.Rp / (np.sqrt(2) * m.dRp))
    far_left = x < -0.3e-6                      # beyond the lateral straggle of the edge
    assert col_dose[far_left] / col_dose[x > 0.3e-6].mean() == pytest.approx(frac, rel=2e-3)
    with pytest.raises(ValueError, match="no 'Ge' layer"):
        mask_from_stack(stack, substrate="Ge")
