"""Shared set-up of the feature-scale etch tests (imported as ``etch_cases``: pytest puts
tests/feature/ on ``sys.path`` for the test modules in it).

PEER_HOLE      the peer's hole-benchmark fluxes and yields as an ``sf6o2`` recipe step
spec(data)     the model spec of a step mapping, validated as ``steps[0].etch``
polyline(...)  a 2D Surface from straight pieces, left to right, vacuum above
trench(...)    a Si trench of width w and depth d in a Mask field of lateral size L
tilted_beam_case(dim, wide)  a masked trench (2D) or hole (3D) and a 15° tilted, 20 %
               isotropic beam etching Si only (the exactness tests of the dense step)
"""
from __future__ import annotations

import numpy as np

from waferlab.feature.registry import get_model_spec
from waferlab.feature.surface import Surface
from waferlab.recipe_io import validate_section

__all__ = ["PEER_HOLE", "spec", "polyline", "trench", "tilted_beam_case"]

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


def tilted_beam_case(dim: int, wide: bool = False):
    """(geometry, model): a Si trench (2D, h 0.05 µm) or hole (3D, h 0.04 µm) under a Mask,
    etched by a beam tilted 15° with a 20 % isotropic part (Si −1, Mask 0), so the surface
    moves sideways under the mask edge; ``wide`` doubles the 2D cell and widens the 3D one
    (more columns away from the feature)."""
    from waferlab.feature import builders as B
    from waferlab.feature.grid import Grid
    from waferlab.feature.models_basic import DirectionalVelocity

    if dim == 2:
        g = Grid(dimension=2, spacing=0.05, extent=(6.0 if wide else 3.0,))
        geo = B.cut_feature(B.layer_stack(g, "Si", [("Mask", 0.4)]), "trench", width=1.0,
                            depth=0.6)
        direction = (np.sin(np.radians(15.0)), -np.cos(np.radians(15.0)))
    else:
        g = Grid(dimension=3, spacing=0.04, extent=(3.84, 3.84) if wide else (2.56, 2.56))
        geo = B.cut_feature(B.layer_stack(g, "Si", [("Mask", 0.3)]), "hole", radius=0.32,
                            depth=0.3)
        direction = (np.sin(np.radians(15.0)), 0.0, -np.cos(np.radians(15.0)))
    model = DirectionalVelocity(layer_speed=np.array([-1.0, 0.0]), direction=direction,
                                isotropic_fraction=0.2)
    return geo, model
