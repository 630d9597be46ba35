"""Reference Monte Carlo of reflected ions in an exact cylindrical hole (used by the tests and
bench/bench_hole_transport.py).

The ion of ViennaPS's SF6O2 model in a straight hole of radius R and depth D with a flat
bottom, traced against the exact cylinder (ray–quadric intersection, no surface mesh):
a cosⁿ source through the mouth, energies from N(E0, σ²) truncated at 0, sticking
``VIENNAPS_ION_STICKING`` (1 up to 70°, linear to 0 at 90°) as a weight factor, the
reflected ion's energy from ``reflected_energy`` (ViennaPS's law) and its direction from
``_cone`` (the coned lobe, or exactly specular).  The bottom scores the per-hit
ion-enhanced yield A(√E − √E_th) f(θ) with ViennaPS's f (``atomic.yields`` "belen_ie": 1 below
60°, 3 − 6θ/π above), relative to an open flat surface under the same beam.  It shares
the lobe, the energy law, the sticking and yield laws with the flux engine, but not the
geometry: it measures what a tracer's surface
representation does to grazing reflections.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from waferlab.atomic.yields import angular_factor
from waferlab.feature.flux._ion_kernels import _normal, reflected_energy, table_at
from waferlab.feature.flux._kernels import _cone
from waferlab.feature.flux._rng import _seed_state, _uniform
from waferlab.feature.flux.ions import COS_TABLE_SIZE, VIENNAPS_ION_ENERGY_LOSS
from waferlab.feature.flux.sources import VIENNAPS_ION_STICKING

__all__ = ["bottom_yield"]


@njit(cache=True)
def _y(e, c, sq_th, f_tab):
    """A(√E − √E_th) f(θ) / A, f tabulated on a uniform cos θ grid."""
    return max(math.sqrt(max(e, 0.0)) - sq_th, 0.0) * table_at(f_tab, c)


@njit(cache=True)
def _trace(seed, n, R, D, r_max, exponent, e0, sig, sq_th, f_tab, st_theta, st_g, law,
           cone_min):
    s = np.empty(4, np.uint64)
    _seed_state(seed, s)
    tally = 0.0      # Σ w·Y on bottom points with r < r_max
    flat = 0.0       # Σ Y of the source (open flat surface)
    tally2 = 0.0
    for _ in range(n):
        e = -1.0
        while e < 0.0:
            e = e0 + sig * _normal(s)
        c = (1.0 - _uniform(s)) ** (1.0 / (exponent + 1.0))
        st = math.sqrt(max(0.0, 1.0 - c * c))
        ph = 2.0 * math.pi * _uniform(s)
        dx, dy, dz = st * math.cos(ph), st * math.sin(ph), -c
        flat += _y(e, c, sq_th, f_tab)
        rr = R * math.sqrt(_uniform(s))
        p2 = 2.0 * math.pi * _uniform(s)
        x, y, z = rr * math.cos(p2), rr * math.sin(p2), 0.0
        w = 1.0
        score = 0.0
        for _b in range(10000):
            if dz >= 0.0:
                break                        # going up: leaves the hole (straight walls)
            # wall: |(x, y) + t (dx, dy)| = R, t > 0
            a = dx * dx + dy * dy
            t_wall = 1e300
            if a > 0.0:
                b = x * dx + y * dy
                cc = x * x + y * y - R * R
                disc = b * b - a * cc
                t_wall = (-b + math.sqrt(max(disc, 0.0))) / a
            t_bot = (-D - z) / dz
            if t_bot <= t_wall:
                xb, yb = x + t_bot * dx, y + t_bot * dy
                if xb * xb + yb * yb < r_max * r_max:
                    score = w * _y(e, -dz, sq_th, f_tab)
                break
            x, y, z = x + t_wall * dx, y + t_wall * dy, z + t_wall * dz
            rn = math.sqrt(x * x + y * y)
            n0, n1 = -x / rn, -y / rn                 # inward normal
            x, y = R * x / rn * (1.0 - 1e-12), R * y / rn * (1.0 - 1e-12)
            cin = -(dx * n0 + dy * n1)
            w *= 1.0 - np.interp(math.acos(min(1.0, max(0.0, cin))), st_theta, st_g)
            if w < 1e-6:
                break
            e = reflected_energy(s, e, cin, law)
            if math.sqrt(e) <= sq_th:
                break
            pdot = dx * n0 + dy * n1
            sx, sy, sz = dx - 2.0 * pdot * n0, dy - 2.0 * pdot * n1, dz
            dx, dy, dz = _cone(s, sx, sy, sz, n0, n1, 0.0, cin, cone_min)
            nn = math.sqrt(dx * dx + dy * dy + dz * dz)
            dx, dy, dz = dx / nn, dy / nn, dz / nn
        tally += score
        tally2 += score * score
    return tally, tally2, flat


def bottom_yield(R: float, D: float, *, r_max: float, n: int = 2_000_000, seed: int = 1,
                 exponent: float = 1000.0, energy_eV: float = 100.0, sigma_eV: float = 10.0,
                 threshold_eV: float = 15.0,
                 cone_deg: float | None = 80.0) -> tuple[float, float]:
    """(mean ion-enhanced yield flux on the bottom disk r < r_max relative to an open flat
    surface, its standard error).  ``cone_deg``: ViennaPS's ``minAngle`` (the lobe's
    half-angle is 90° − min(θ_in, it)); None: exactly specular.  Ions below the threshold
    stop (ViennaPS stops them below E_th,ie)."""
    law = VIENNAPS_ION_ENERGY_LOSS.params()
    cone = -1.0 if cone_deg is None else math.radians(cone_deg)
    f_tab = angular_factor("belen_ie", np.linspace(0.0, 1.0, COS_TABLE_SIZE))
    st_theta, st_g = (np.asarray(v, float) for v in VIENNAPS_ION_STICKING)
    tally, tally2, flat = _trace(seed, n, R, D, r_max, exponent, energy_eV, sigma_eV,
                                 math.sqrt(threshold_eV), f_tab, st_theta, st_g, law, cone)
    frac = (r_max / R) ** 2          # rays start uniformly over the mouth; scores per bottom area
    mean = tally / n / frac
    var = (tally2 / n - (tally / n) ** 2) / n
    return mean / (flat / n), math.sqrt(var) / frac / (flat / n)
