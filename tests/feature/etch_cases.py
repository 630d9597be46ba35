"""Shared set-up of the feature-scale etch tests (imported as ``etch_cases``: pytest puts
tests/feature/ on ``sys.path`` for the test modules in it).

PEER_HOLE      the peer's hole-benchmark fluxes and yields as an ``sf6o2`` recipe step
spec(data)     the model spec of a step mapping, validated as ``steps[0].etch``
polyline(...)  a 2D Surface from straight pieces, left to right, vacuum above
trench(...)    a Si trench of width w and depth d in a Mask field of lateral size L
"""
from __future__ import annotations

import numpy as np

from waferlab.feature.registry import get_model_spec
from waferlab.feature.surface import Surface
from waferlab.recipe_io import validate_section

__all__ = ["PEER_HOLE", "spec", "polyline", "trench"]

PEER_HOLE = {"model": "sf6o2", "ion_flux": "10e15 cm^-2 s^-1",
             "etchant_flux": "4500e15 cm^-2 s^-1", "oxygen_flux": "800e15 cm^-2 s^-1",
             "ion_energy": "100 eV", "ion_energy_sigma": "10 eV", "ion_exponent": 1000,
             "A_O": 2, "A_Si": 7, "rays_per_point": 300}


def spec(data):
    return validate_section(get_model_spec(data["model"]), data, "steps[0].etch")


def polyline(parts, names, L):
    """Surface from [(p0, p1, material, n_segments)], left to right, vacuum above."""
    pts, mats = [np.asarray(parts[0][0], float)], []
    for p0, p1, mat, n in parts:
        t = np.linspace(0, 1, n + 1)[1:, None]
        pts.extend(np.asarray(p0) + t * (np.subtract(p1, p0)))
        mats += [mat] * n
    pts = np.array(pts)
    el = np.c_[np.arange(len(mats)), np.arange(1, len(mats) + 1)]
    tang = pts[el[:, 1]] - pts[el[:, 0]]
    nrm = np.c_[-tang[:, 1], tang[:, 0]] / np.linalg.norm(tang, axis=1)[:, None]
    return Surface(points=pts, elements=el, normals=nrm, materials=np.array(mats, np.int32),
                   material_names=names, lateral_bounds=((-L / 2, L / 2),), boundary="reflective")


def trench(w, d, L, n_per_w):
    """Si floor (material 0) between Mask walls and field (material 1); elements ≈ w/n_per_w."""
    h = w / n_per_w
    nn = lambda a: max(1, int(round(a / h)))
    return polyline([((-L / 2, 0), (-w / 2, 0), 1, nn((L - w) / 2)),
                     ((-w / 2, 0), (-w / 2, -d), 1, nn(d)),
                     ((-w / 2, -d), (w / 2, -d), 0, nn(w)),
                     ((w / 2, -d), (w / 2, 0), 1, nn(d)),
                     ((w / 2, 0), (L / 2, 0), 1, nn((L - w) / 2))], ("Si", "Mask"), L)
