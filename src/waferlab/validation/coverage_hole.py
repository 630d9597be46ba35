"""Exact reference: the etch rate at the bottom of a cylindrical hole for a
coverage-coupled chemistry (``hbro2``, ``cf4o2``, ``sf6o2``-like), with the neutral
transport solved exactly.

A straight hole of radius R and depth D (a mask of thickness ``mask_depth`` on top of the
etched material, flat bottom) under the model's sources: cosine neutrals of flux Γ_n,
ions of flux Γ_i in a cosⁿ cone about the normal.  Every wall ring and bottom annulus e of
the radiosity discretisation (``feature.flux.radiosity.hole_transport``: exact view
factors, Siegel & Howell 2002, app. C, C-41) carries its own coverages θ_e and hence its
own sticking S_n(material_e, θ_e), so the neutral balance

    q_n,e = E_e + Σ_f F_ef (1 − S_n,f) q_n,f

and the site balance θ_e = Θ(Γ_n q_n,e, (YΓ)_c,e) of the chemistry are solved together
(fixed point, damped; converged to 1e-9 in θ).  Ions: the direct beam's first hits on the
exact cylinder (a Monte Carlo of ``n_ions`` ions over the mouth; relative flux per
element, each element scoring the beam's yield at its tilt as ``CoverageEtch`` does
with ``ion_scoring: beam``), the bottom's reflected-ion share from
``validation.cylinder_ions`` (``ion_bottom``).  The rate on the bottom is then the model's
own rate expression (``CoverageEtch.element_speeds``) with these fluxes: what a code with
an exact transport would give on this geometry, to compare with a tracer on a level-set
hole of the same size.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from waferlab.feature.flux.radiosity import hole_transport

__all__ = ["CoverageHole", "coverage_hole", "direct_ion_flux"]


@dataclass(frozen=True)
class CoverageHole:
    """Per element (wall rings top to bottom, then bottom annuli from the centre): depth
    or radius, area, relative neutral fluxes {n: q_n}, relative ion flux, coverages, speed
    V_n (m/s, ≤ 0 where the material etches); iterations of the fixed point."""

    z_wall: np.ndarray
    r_bottom: np.ndarray
    area: np.ndarray
    neutral: dict[str, np.ndarray]
    ion: np.ndarray
    theta: dict[str, np.ndarray]
    speed: np.ndarray
    iterations: int

    def bottom_mean(self, values: np.ndarray, r_max: float) -> float:
        """Area-weighted mean of per-element ``values`` over the bottom annuli r < r_max."""
        n = self.z_wall.size
        m = self.r_bottom < r_max
        a = self.area[n:][m]
        return float((np.asarray(values)[n:][m] * a).sum() / a.sum())


def direct_ion_flux(radius: float, depth: float, exponent: float, z_edges: np.ndarray,
                    rho_edges: np.ndarray, n_ions: int = 4_000_000, seed: int = 1
                    ) -> np.ndarray:
    """Relative flux (to an open flat surface) of a cosⁿ ion beam's first hits on the wall
    rings (depth edges ``z_edges``) and bottom annuli (radius edges ``rho_edges``) of a
    straight hole; a Monte Carlo over the mouth (its standard error ≈ 1/√(hits))."""
    rng = np.random.default_rng(seed)
    R, D = float(radius), float(depth)
    counts = np.zeros(z_edges.size - 1 + rho_edges.size - 1)
    done = 0
    while done < n_ions:
        k = min(1_000_000, n_ions - done)
        r0 = R * np.sqrt(rng.random(k))
        p0 = 2.0 * np.pi * rng.random(k)
        x, y = r0 * np.cos(p0), r0 * np.sin(p0)
        c = (1.0 - rng.random(k)) ** (1.0 / (exponent + 1.0))
        s = np.sqrt(np.maximum(0.0, 1.0 - c * c))
        ph = 2.0 * np.pi * rng.random(k)
        dx, dy = s * np.cos(ph), s * np.sin(ph)
        a = np.maximum(dx * dx + dy * dy, 1e-300)
        b = x * dx + y * dy
        t_wall = (-b + np.sqrt(np.maximum(b * b - a * (x * x + y * y - R * R), 0.0))) / a
        z_hit = t_wall * c
        wall = z_hit < D
        counts[:z_edges.size - 1] += np.histogram(z_hit[wall], bins=z_edges)[0]
        t_b = D / c[~wall]
        rb = np.hypot(x[~wall] + t_b * dx[~wall], y[~wall] + t_b * dy[~wall])
        counts[z_edges.size - 1:] += np.histogram(np.minimum(rb, R * (1 - 1e-12)),
                                                  bins=rho_edges)[0]
        done += k
    area = np.concatenate([2.0 * np.pi * R * np.diff(z_edges), np.pi * np.diff(rho_edges ** 2)])
    return counts * (np.pi * R * R / n_ions) / area


def coverage_hole(model, radius: float, depth: float, mask_depth: float, *,
                  etched: str = "Si", mask: str = "Mask", ion_bottom: float | None = None,
                  ion_bottom_r: float = 0.0, n_wall: int = 240, n_bottom: int = 30,
                  n_ions: int = 4_000_000, tol: float = 1e-9, max_iter: int = 400
                  ) -> CoverageHole:
    """Solve the coupled neutral transport and site balances in the hole (module
    docstring).  ``model``: a ``feature.coverage_etch.CoverageEtch`` whose ``materials``
    hold ``etched`` and ``mask``; ``ion_bottom`` replaces the direct beam's relative ion
    flux on the bottom annuli with r < ``ion_bottom_r`` (direct plus reflected ions there,
    e.g. from ``validation.cylinder_ions.bottom_yield``)."""
    R, D = float(radius), float(depth)
    probe = hole_transport(R, D, 1.0, n_wall=n_wall, n_bottom=n_bottom)
    z_edges = np.concatenate([[0.0], np.cumsum(probe.area_wall / (2.0 * np.pi * R))])
    rho_edges = np.sqrt(np.concatenate([[0.0], np.cumsum(probe.area_bottom / np.pi)]))
    N, M = n_wall, n_bottom
    area = np.concatenate([probe.area_wall, probe.area_bottom])
    names = np.array([mask if z < mask_depth else etched for z in probe.z_wall]
                     + [etched] * M)
    mats = np.array([model.materials.index(str(m)) for m in names])
    tilt = np.concatenate([np.full(N, 0.5 * np.pi), np.zeros(M)])
    ion = direct_ion_flux(R, D, model.beam.exponent, z_edges, rho_edges, n_ions)
    if ion_bottom is not None:
        ion[N:][probe.r_bottom < ion_bottom_r] = ion_bottom
    fields: dict[str, np.ndarray] = {"ion": ion}
    for n in model.chemistry.neutrals:
        fields[n] = np.zeros(N + M)
    theta = {k: np.full(N + M, v) for k, v in model.flat_coverages().items()}
    iterations = 0
    for _ in range(max_iter):
        iterations += 1
        for n in model.coupled:
            s = np.zeros(N + M)
            for m in set(names):
                sel = names == m
                s[sel] = model.chemistry.sticking(n, str(m), {k: v[sel] for k, v in theta.items()})
            res = hole_transport(R, D, s[:N], s[N:], n_wall=N, n_bottom=M)
            fields[n] = np.concatenate([res.wall, res.bottom])
        v, new = model.element_speeds(fields, tilt, mats, per_hit=False)
        delta = max(float(np.max(np.abs(new[k] - theta[k]))) for k in theta)
        theta = {k: 0.5 * (theta[k] + np.asarray(new[k], float)) for k in theta}
        if delta < tol:
            break
    return CoverageHole(z_wall=probe.z_wall, r_bottom=probe.r_bottom, area=area,
                        neutral={n: fields[n] for n in model.chemistry.neutrals},
                        ion=ion, theta={k: np.asarray(t) for k, t in theta.items()},
                        speed=np.asarray(v, float), iterations=iterations)
