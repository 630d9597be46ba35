"""Small recipes shared by the tests (imported as ``small_recipes``: pytest puts tests/ on
``sys.path`` for the test modules in it).

``small_trench``: a 2D trench through 0.2 µm of mask on a 0.05 µm grid, etched
directionally (and optionally isotropically) and then coated with SiO2 — a whole run
takes about a second.
"""
from __future__ import annotations

from typing import Any

__all__ = ["small_trench"]


def small_trench(name: str, *, seed: int, etch: str = "0.5 min", deposit: str | None = "0.5 min",
                 isotropic_etch: str | None = None, quiet: bool = False) -> dict[str, Any]:
    """A fresh recipe mapping: ``etch`` and ``deposit`` are the step times (``deposit``
    None: no deposit), ``isotropic_etch`` the time of an isotropic Si etch between them
    (None: none), ``quiet`` turns the VTK files and pictures off."""
    steps: list[dict[str, Any]] = [
        {"etch": {"model": "directional", "rates": {"Si": "1 um/min"}, "direction": [0, -1],
                  "time": etch}}]
    if isotropic_etch is not None:
        steps.append({"etch": {"model": "isotropic", "rates": {"Si": "0.2 um/min"},
                               "time": isotropic_etch}})
    if deposit is not None:
        steps.append({"deposit": {"model": "isotropic", "material": "SiO2", "rate": "0.1 um/min",
                                  "time": deposit}})
    recipe: dict[str, Any] = {
        "name": name,
        "seed": seed,
        "grid": {"dimension": 2, "spacing": "0.05 um", "extent": ["2 um"]},
        "structure": {"substrate": {"material": "Si"},
                      "layers": [{"material": "Mask", "thickness": "0.2 um"}],
                      "feature": {"type": "trench", "width": "0.6 um", "depth": "0.2 um"}},
        "steps": steps,
    }
    if quiet:
        recipe["output"] = {"vtk": False, "plot": False}
    return recipe
