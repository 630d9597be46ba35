"""Converged reference for the 3D hole case H of ``bench_cvd.py``: exact radiosity.

    python bench/cvd_hole_radiosity.py

Case H: hole r = 0.5 µm, 2 µm deep (AR 2), sticking 0.1 on every surface, order 1, 0.1 µm
on the field.  With order 1 the local deposition rate is rate × (incident flux / flux on an
open flat surface), so the film ratio bottom/field and mid-side/field equal the incident
flux ratios of the exact diffuse-transport balance (``waferlab.feature.flux.radiosity.
hole_transport``, exact view factors) — exactly so for a thin film.  The film of case H is
not thin (0.1 µm on the field narrows the hole by ~0.09 µm), so a second reference
integrates the film quasi-statically: 40 increments of 2.5 nm on the field, each with the
radiosity of the hole as it is then (radius R − mid-side film, depth D + field film −
bottom film; the wall film is taken as uniform and the mouth corner as sharp).  Prints the
film ratios of both references and of the two codes (thicknesses from bench/results/cvd.md).
"""
from __future__ import annotations

import numpy as np

from waferlab.feature.flux.radiosity import hole_transport

R, D, S, FIELD = 0.5, 2.0, 0.1, 0.1          # µm, µm, sticking, µm on the field
# (field, bottom centre, mid-side) thickness in µm measured by bench_cvd.py case H
CODES = {"waferlab": (0.0995, 0.0399, 0.0451), "ViennaPS": (0.0989, 0.0379, 0.0444)}


def fluxes(radius: float, depth: float) -> tuple[float, float]:
    """(bottom centre, mid-depth wall) incident flux relative to an open flat surface."""
    ht = hole_transport(radius, depth, S, n_wall=400, n_bottom=40)
    mid = float(np.interp(0.5 * depth, ht.z_wall, ht.wall))
    return float(ht.bottom[0]), mid


def quasi_static(n: int = 40) -> tuple[float, float]:
    """(bottom, mid-side) film (µm) after FIELD µm on the field, geometry updated n times
    (midpoint rule: fluxes of the geometry half-way through each increment)."""
    tf = tb = tw = 0.0
    d = FIELD / n
    for _ in range(n):
        qb, qw = fluxes(R - tw, D + tf - tb)                    # predictor
        qb, qw = fluxes(R - tw - 0.5 * qw * d, D + tf + 0.5 * d - tb - 0.5 * qb * d)
        tf, tb, tw = tf + d, tb + qb * d, tw + qw * d
    return tb, tw


def main() -> None:
    qb, qw = fluxes(R, D)
    tb, tw = quasi_static()
    print("| code | bottom / field | mid-side / field | Δ bottom | Δ side |")
    print("|---|---|---|---|---|")
    print(f"| exact radiosity, thin film (initial hole) | {qb:.4f} | {qw:.4f} | | |")
    rb, rw = tb / FIELD, tw / FIELD
    print(f"| exact radiosity, quasi-static 0.1 µm film | {rb:.4f} | {rw:.4f} | — | — |")
    for name, (f, b, w) in CODES.items():
        print(f"| {name} | {b / f:.4f} | {w / f:.4f} | {100 * (b / f / rb - 1):+.1f} % | "
              f"{100 * (w / f / rw - 1):+.1f} % |")


if __name__ == "__main__":
    main()
