"""Exact reference: the per-element rates of the ``fluorocarbon`` model in a frozen
cylindrical hole, with the neutral transport solved exactly (the 3D analogue of
``validation.coverage_trench``).

A straight hole of radius R and depth D (a mask wall down to ``mask_depth``, then a wall
of the etched material, a flat bottom of the etched material) under the model's sources:
cosine neutrals of fluxes Γ_e, Γ_p, ions of flux Γ_i from a cosⁿ source over the mouth.

Neutrals.  Every wall ring and bottom annulus e of the radiosity discretisation
(``feature.flux.radiosity.hole_transport``: exact view factors, Siegel & Howell 2002,
app. C, C-41) carries its own coverages θ_e, θ_p and hence its own sticking
s_e = β_e,m (1 − θ_e − θ_p)₊ (both neutrals, as in the model), so the balance

    q_e = E_e + Σ_f F_ef (1 − s_f) q_f

and the model's site balances (``atomic.fluorocarbon``) are solved together (damped
fixed point, to ``tol`` in θ).

Ions.  A Monte Carlo against the exact cylinder (no surface mesh; ``hole_ions``): each ion
starts at a uniform point of the mouth with a direction from the cosⁿ source and an
energy from the model's IEDF, scores at every hit the three yields of the model (Y_sp,
Y_ie of the hit material, Y_p of the polymer) at its energy and incidence angle, is
re-emitted in ViennaPS's coned lobe about the specular direction (``flux._kernels._cone``)
with the energy law ``VIENNAPS_ION_ENERGY_LOSS`` and stops at or below the lowest
E_th,ie or when it leaves through the mouth — the laws of the model's tracer species,
not its geometry.  Standard errors from 8 independent batches.

The rates are the model's own (``FluorocarbonEtch.element_speeds``) with these fields;
``rules="viennaps"`` uses ViennaPS 4.7's balances instead
(``validation.coverage_trench.viennaps_rules``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from waferlab.feature.flux._ion_kernels import reflected_energy, table_at
from waferlab.feature.flux._kernels import _cone
from waferlab.feature.flux._rng import _seed_state, _uniform
from waferlab.feature.flux.ions import VIENNAPS_ION_ENERGY_LOSS, energy_inverse_cdf
from waferlab.feature.flux.radiosity import hole_transport
from waferlab.feature.flux.sources import VIENNAPS_ION_CONE

from .coverage_trench import solve_balances

__all__ = ["FluorocarbonHole", "hole_ions", "fluorocarbon_hole"]


@njit(cache=True)
def _trace(seed, n, R, D, Dm, ta, exponent, e_tab, z_edges, r_edges, par, law, cutoff,
           cone_min, out):
    """Trace n ions; out[c, e] += Y_c at every hit (c: sp, ie, p; e: wall rings top to
    bottom, then bottom annuli from the centre).  par (3, 5): rows mask, etched, polymer;
    columns A_sp, B_sp, √E_th,sp, A_ie, √E_th,ie.  z is the depth below the mouth; the
    wall radius is R − z·ta (ta = tan of the taper, 0: a cylinder)."""
    s = np.empty(4, np.uint64)
    _seed_state(seed, s)
    N = z_edges.shape[0] - 1
    M = r_edges.shape[0] - 1
    for _ in range(n):
        e = table_at(e_tab, _uniform(s))
        c = (1.0 - _uniform(s)) ** (1.0 / (exponent + 1.0))
        st = math.sqrt(max(0.0, 1.0 - c * c))
        ph = 2.0 * math.pi * _uniform(s)
        dx, dy, dz = st * math.cos(ph), st * math.sin(ph), c
        r0 = R * math.sqrt(_uniform(s))
        p0 = 2.0 * math.pi * _uniform(s)
        x, y, z = r0 * math.cos(p0), r0 * math.sin(p0), 0.0
        for _b in range(100000):
            t, kind = 1e300, -1                     # 0 wall, 1 bottom, 2 mouth
            # wall: x² + y² = (c0 + cd t)², c0 = R − z ta, cd = −dz ta (the upper nappe)
            c0, cd = R - z * ta, -dz * ta
            a = dx * dx + dy * dy - cd * cd
            b = x * dx + y * dy - c0 * cd
            cc = x * x + y * y - c0 * c0
            disc = b * b - a * cc
            if disc >= 0.0 and a != 0.0:
                sq = math.sqrt(disc)
                for tw in ((-b - sq) / a, (-b + sq) / a):
                    if 1e-9 * R < tw < t and c0 + cd * tw > 0.0:
                        t, kind = tw, 0
            elif a == 0.0 and b != 0.0:
                tw = -0.5 * cc / b
                if tw > 1e-9 * R and c0 + cd * tw > 0.0:
                    t, kind = tw, 0
            if dz > 0.0:
                tb = (D - z) / dz
                if tb < t:
                    t, kind = tb, 1
            elif dz < 0.0:
                tt = -z / dz
                if tt <= t:
                    t, kind = tt, 2
            if kind == 2 or kind < 0:
                break
            x, y, z = x + t * dx, y + t * dy, z + t * dz
            if kind == 1:
                n0, n1, n2 = 0.0, 0.0, -1.0
                rr = min(math.sqrt(x * x + y * y), R * (1.0 - 1e-12))
                el = N + min(max(np.searchsorted(r_edges, rr) - 1, 0), M - 1)
                m = 1
                z = D
            else:
                rr = math.sqrt(x * x + y * y)
                nn = math.sqrt(1.0 + ta * ta)
                n0, n1, n2 = -x / rr / nn, -y / rr / nn, -ta / nn
                rz = R - z * ta
                x, y = x * rz / rr, y * rz / rr
                el = min(max(np.searchsorted(z_edges, z) - 1, 0), N - 1)
                m = 0 if z < Dm else 1
            cin = min(1.0, max(0.0, -(dx * n0 + dy * n1 + dz * n2)))
            se = math.sqrt(max(e, 0.0))
            s2 = 1.0 - cin * cin
            out[0, el] += par[m, 0] * max(se - par[m, 2], 0.0) * (1.0 + par[m, 1] * s2) * cin
            out[1, el] += par[m, 3] * max(se - par[m, 4], 0.0) * cin
            out[2, el] += par[2, 3] * max(se - par[2, 4], 0.0) * cin
            e = reflected_energy(s, e, cin, law)
            if e <= cutoff:
                break
            sx, sy, sz = dx + 2.0 * cin * n0, dy + 2.0 * cin * n1, dz + 2.0 * cin * n2
            nn = math.sqrt(sx * sx + sy * sy + sz * sz)
            dx, dy, dz = _cone(s, sx / nn, sy / nn, sz / nn, n0, n1, n2, cin, cone_min)
            nn = math.sqrt(dx * dx + dy * dy + dz * dz)
            dx, dy, dz = dx / nn, dy / nn, dz / nn
            x, y, z = x + 1e-12 * R * n0, y + 1e-12 * R * n1, z + 1e-12 * R * n2


def _edges(R: float, D: float, n_wall: int, n_bottom: int) -> tuple[np.ndarray, np.ndarray]:
    """The ring and annulus edges of ``hole_transport`` (depths from the mouth, radii of
    a bottom of radius R)."""
    z = D * 0.5 * (1.0 - np.cos(np.pi * np.linspace(0.0, 1.0, n_wall + 1)))
    return z, R * np.sqrt(np.linspace(0.0, 1.0, n_bottom + 1))


def _areas(R: float, ta: float, z: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Areas of the wall bands (frustum slices, radius R − z·ta) and the bottom annuli."""
    rz = R - z * ta
    wall = np.pi * (rz[:-1] + rz[1:]) * np.diff(z) * math.sqrt(1.0 + ta * ta)
    return np.concatenate([wall, np.pi * np.diff(r ** 2)])


def hole_ions(model, radius: float, depth: float, mask_depth: float, *, etched: str = "SiO2",
              mask: str = "Mask", n_wall: int = 120, n_bottom: int = 30,
              n_ions: int = 2_000_000, batches: int = 8, seed: int = 1, taper: float = 0.0
              ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """({c: ⟨Y_c Γ_i,local⟩/Γ_i}, {c: its standard error}) per element (wall rings top to
    bottom, then bottom annuli from the centre) for c in sp, ie, p: the ion fields of
    ``model`` (a ``feature.fluorocarbon.FluorocarbonEtch``) in the hole (module
    docstring).  ``taper`` (rad, ≥ 0): the wall narrows towards the bottom, radius
    R − z·tan(taper) at depth z (``radius`` is the mouth's; a frustum, the bottom's radius
    R − D·tan(taper) > 0)."""
    R, D, Dm = float(radius), float(depth), float(mask_depth)
    ta = math.tan(float(taper))
    if not (0.0 <= ta and R - D * ta > 0.0):
        raise ValueError(f"taper {taper!r} rad closes the hole above its depth or is < 0")
    z, r = _edges(R - D * ta, D, n_wall, n_bottom)
    kin = model.kinetics
    rows = [kin.materials[mask], kin.materials[etched], kin.polymer]
    par = np.array([[p.A_sp, p.B_sp, math.sqrt(p.Eth_sp), p.A_ie, math.sqrt(p.Eth_ie)]
                    for p in rows])
    e_tab = energy_inverse_cdf(model.beam.energies_eV, model.beam.pdf)
    law = VIENNAPS_ION_ENERGY_LOSS.params() if model.ion_reflection else np.zeros(0)
    cutoff = model._min_threshold() if model.ion_reflection else 1e300
    area = _areas(R, ta, z, r)
    runs = []
    per = max(1, n_ions // batches)
    for b in range(batches):
        out = np.zeros((3, n_wall + n_bottom))
        _trace(seed * 1000 + b, per, R, D, Dm, ta, float(model.beam.exponent), e_tab, z, r,
               par, law, cutoff, VIENNAPS_ION_CONE, out)
        runs.append(out * np.pi * R * R / (per * area[None, :]))
    arr = np.array(runs)
    mean, se = arr.mean(axis=0), arr.std(axis=0, ddof=1) / math.sqrt(batches)
    names = ("sp", "ie", "p")
    return ({c: mean[i] for i, c in enumerate(names)}, {c: se[i] for i, c in enumerate(names)})


@dataclass(frozen=True)
class FluorocarbonHole:
    """Per element (wall rings top to bottom, then bottom annuli from the centre): depth
    of the rings / mean radius of the annuli, area, material name, relative neutral
    fluxes {etchant, polymer}, ion fields {Y:sp, Y:ie, Y:p} and their standard errors,
    coverages, sticking, speed V_n (m/s, < 0 etches); fixed-point iterations."""

    z_wall: np.ndarray
    r_bottom: np.ndarray
    area: np.ndarray
    material: np.ndarray
    fields: dict[str, np.ndarray]
    ion_se: dict[str, np.ndarray]
    theta: dict[str, np.ndarray]
    sticking: np.ndarray
    speed: np.ndarray
    iterations: int

    def bottom_mean(self, values: np.ndarray, r0: float, r1: float) -> float:
        """Area-weighted mean of per-element ``values`` over the bottom annuli whose mean
        radius is in [r0, r1]."""
        n = self.z_wall.size
        m = (self.r_bottom >= r0) & (self.r_bottom <= r1)
        a = self.area[n:][m]
        return float((np.asarray(values)[n:][m] * a).sum() / a.sum())

    def wall_mean(self, values: np.ndarray, z0: float, z1: float) -> float:
        """Area-weighted mean of per-element ``values`` over the wall rings with
        z0 ≤ depth ≤ z1."""
        n = self.z_wall.size
        m = (self.z_wall >= z0) & (self.z_wall <= z1)
        a = self.area[:n][m]
        return float((np.asarray(values)[:n][m] * a).sum() / a.sum())


def fluorocarbon_hole(model, radius: float, depth: float, mask_depth: float, *,
                      etched: str = "SiO2", mask: str = "Mask", rules: str = "model",
                      n_wall: int = 120, n_bottom: int = 30, n_ions: int = 2_000_000,
                      seed: int = 1, tol: float = 1e-10, max_iter: int = 500
                      ) -> FluorocarbonHole:
    """Solve the coupled neutral transport and site balances in the hole (module
    docstring).  ``model``: a ``feature.fluorocarbon.FluorocarbonEtch`` whose
    ``materials`` hold ``etched`` and ``mask``; ``rules``: "model" (its own balances) or
    "viennaps" (``coverage_trench.viennaps_rules``)."""
    if rules not in ("model", "viennaps"):
        raise ValueError(f"rules must be 'model' or 'viennaps'; got {rules!r}")
    R, D = float(radius), float(depth)
    N, M = int(n_wall), int(n_bottom)
    z, r = _edges(R, D, N, M)
    zc = 0.5 * (z[:-1] + z[1:])
    names = np.array([mask if zz < mask_depth else etched for zz in zc] + [etched] * M)
    mats = np.array([model.materials.index(str(m)) for m in names])
    ions, ion_se = hole_ions(model, R, D, mask_depth, etched=etched, mask=mask, n_wall=N,
                             n_bottom=M, n_ions=n_ions, seed=seed)
    fields = {f"Y:{c}": v for c, v in ions.items()}
    theta, sticking, v, iterations = solve_balances(
        model, fields, mats, lambda s_wall, s_bottom: hole_transport(
            R, D, s_wall, s_bottom, n_wall=N, n_bottom=M), N, rules=rules, tol=tol,
        max_iter=max_iter)
    area = np.concatenate([2.0 * np.pi * R * np.diff(z), np.pi * np.diff(r ** 2)])
    return FluorocarbonHole(z_wall=zc, r_bottom=0.5 * (r[:-1] + r[1:]), area=area,
                            material=names, fields=fields, ion_se=ion_se, theta=theta,
                            sticking=sticking, speed=np.asarray(v, float),
                            iterations=iterations)
