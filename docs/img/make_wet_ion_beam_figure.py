"""Regenerate docs/img/wet-ion-beam.png: (left) KOH etching of (100) Si through a 2 µm and
a 0.8 µm slot, profiles every 30 s with the exact {111} walls; (right) ion beam etching of
a masked trench at 40° tilt, fixed beam vs rotating wafer
(python docs/img/make_wet_ion_beam_figure.py)."""
from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from waferlab.context import RunContext
from waferlab.feature import builders as B
from waferlab.feature.advect import advance
from waferlab.feature.grid import Grid
from waferlab.feature.metrics import profile_polylines
from waferlab.feature.registry import get_model_spec
from waferlab.recipe_io import validate_section

HERE = Path(__file__).parent
KOH = {"100": "0.797 um/min", "110": "1.455 um/min", "111": "0.005 um/min",
       "311": "1.436 um/min"}


def _slot(width, extent, h, mask, depth):
    g = Grid(dimension=2, spacing=h, extent=(extent,), boundary="reflective")
    return B.cut_feature(B.layer_stack(g, "Si", [("Mask", mask)]), "trench", width=width,
                         depth=depth)


def main() -> None:
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
    wet = validate_section(get_model_spec("wet_anisotropic"),
                           {"model": "wet_anisotropic", "rates": KOH})
    for width, x0 in ((2.0e-6, -1.6), (0.8e-6, 1.9)):
        geo = _slot(width, 3.0e-6, 0.05e-6, 0.2e-6, 0.2e-6)
        m = wet.build(kind="etch", materials=geo.materials)
        for k in range(4):
            lines = profile_polylines(geo)
            for ln in lines:
                a1.plot(ln[:, 0] * 1e6 + x0, ln[:, -1] * 1e6, color=plt.cm.viridis(k / 4), lw=1,
                        label=f"{30 * k} s" if width > 1e-6 and ln is lines[0] else None)
            geo, _ = advance(geo, m, 30.0, RunContext(seed=1), kind="etch", cfl=0.5)
        for s in (-1, 1):      # exact {111} walls through the mask edges
            z = np.linspace(-1.6, 0.0, 2)
            a1.plot(x0 + s * (0.5 * width * 1e6 + z / math.sqrt(2.0)), z, "r--", lw=0.8)
    a1.set_title("wet_anisotropic: KOH, (100) Si, slots along <110>\n(red: {111} at 54.74°)")
    a1.set_aspect("equal")
    a1.set_xlabel("x (µm)")
    a1.set_ylabel("height (µm)")
    a1.legend(fontsize=8, loc="lower left")
    geo0 = _slot(1.0e-6, 2.0e-6, 0.025e-6, 0.1e-6, 0.3e-6)
    for rot, col, lab in ((False, "tab:red", "fixed beam, 40° (from the left)"),
                          (True, "tab:blue", "rotating wafer, 40°")):
        spec = validate_section(get_model_spec("ion_beam"), {
            "model": "ion_beam", "rates": {"Si": "0.4 um/min", "Mask": "0.1 um/min"},
            "tilt": "40 deg", "rotating": rot, "exponent": 200,
            "yield_coefficients": [1.075, -1.55, 0.65, 0.0], "rays_per_point": 300})
        fin, _ = advance(geo0, spec.build(kind="etch", materials=geo0.materials), 45.0,
                         RunContext(seed=1), kind="etch")
        for i, ln in enumerate(profile_polylines(fin)):
            a2.plot(ln[:, 0] * 1e6, ln[:, -1] * 1e6, color=col, lw=1.2,
                    label=lab if i == 0 else None)
    for ln in profile_polylines(geo0):
        a2.plot(ln[:, 0] * 1e6, ln[:, -1] * 1e6, "k:", lw=0.8)
    a2.set_title("ion_beam: masked Si trench, 45 s")
    a2.set_aspect("equal")
    a2.set_xlabel("x (µm)")
    a2.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    fig.savefig(HERE / "wet-ion-beam.png", dpi=110)


if __name__ == "__main__":
    main()
