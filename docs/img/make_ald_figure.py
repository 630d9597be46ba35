"""Regenerate docs/img/ald-hole.png: ALD in a 3D hole of aspect ratio 10 (quarter domain,
unfolded), saturated and under-dosed side by side (python docs/img/make_ald_figure.py)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from waferlab.context import RunContext  # noqa: E402
from waferlab.io.plots import cross_section  # noqa: E402
from waferlab.recipe import recipe_from_dict  # noqa: E402
from waferlab.runner import _unfolded, initial_wafer  # noqa: E402

HERE = Path(__file__).parent


def recipe(exposure: str, sticking: float):
    return recipe_from_dict({
        "name": "ald-hole", "seed": 1, "materials": ["Al2O3"],
        "grid": {"dimension": 3, "spacing": "0.04 um", "extent": ["0.36 um", "0.36 um"]},
        "structure": {"substrate": {"material": "Si"},
                      "feature": {"type": "hole", "radius": "0.2 um", "depth": "4 um",
                                  "symmetry": "quarter"}},
        "steps": [{"ald": {"material": "Al2O3", "cycles": 40, "growth_per_cycle": "2 nm",
                           "temperature": "250 degC", "rays_per_point": 40,
                           "film_per_update": 4, "dose_step": 0.1,
                           "precursor": {"sticking": sticking, "exposure": exposure,
                                         "mass": "144 amu", "site_density": "4e14 cm^-2"}}}]})


def main() -> None:
    cases = [("saturated: 0.1 Torr·s, s = 0.01", recipe("0.1 Torr*s", 0.01)),
             ("under-dosed: 2e-4 Torr·s, s = 0.5", recipe("2e-4 Torr*s", 0.5))]
    fig, axes = plt.subplots(1, 2, figsize=(7.0, 6.4), dpi=120, sharey=True)
    for ax, (title, r) in zip(axes, cases):
        w = r.steps[0].apply(initial_wafer(r), RunContext(seed=3, threads=2))
        g = _unfolded(r, w.geometry)
        x, z, phi = cross_section(g)
        X, Z = np.meshgrid(x * 1e6, z * 1e6, indexing="ij")
        ax.contourf(X, Z, phi[-1], levels=[-np.inf, 0.0], colors=["#d62728"])
        ax.contourf(X, Z, phi[0], levels=[-np.inf, 0.0], colors=["#b0b0b0"])
        ax.contour(X, Z, phi[-1], levels=[0.0], colors="k", linewidths=0.6)
        ax.set_xlim(-0.36, 0.36)
        ax.set_ylim(-4.2, 0.3)
        ax.set_aspect(0.25)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("x (µm)")
    axes[0].set_ylabel("z (µm)  (x stretched 4:1)")
    fig.suptitle("ALD Al2O3 (red) in a hole of aspect ratio 10: 40 cycles x 2 nm", fontsize=10)
    fig.tight_layout()
    fig.savefig(HERE / "ald-hole.png")
    print("wrote", HERE / "ald-hole.png")


if __name__ == "__main__":
    main()
