"""Exact reference: the per-element rates of the ``fluorocarbon`` model on a frozen 2D
trench, with the neutral transport solved exactly (the 2D analogue of ``coverage_hole``).

A straight trench of width W and depth D (walls of the mask down to ``mask_depth``, then
of the etched material; a flat bottom of the etched material), infinitely long, under the
model's sources as the 2D codes launch them (a 3D direction projected onto the cross-
section): cosine neutrals of fluxes Γ_e, Γ_p, ions of flux Γ_i from a cosⁿ source.

Neutrals.  Every wall and bottom strip e of the radiosity discretisation
(``feature.flux.radiosity.trench_transport``: Hottel's crossed strings, exact for a
rectangle; Siegel & Howell 2002, §4.3.2) carries its own coverages θ_e, θ_p and hence its
own sticking s_e = β_e,m (1 − θ_e − θ_p)₊ (both neutrals), so the balance

    q_e = E_e + Σ_f F_ef (1 − s_f) q_f

and the model's site balances (``atomic.fluorocarbon``) are solved together (damped fixed
point, to ``tol`` in θ).

Ions.  A Monte Carlo against the exact rectangle (no surface mesh; ``trench_ions``): each
ion carries an energy from the model's IEDF and scores, at every hit, the three yields of
the model (Y_sp, Y_ie of the hit material, Y_p of the polymer; ``atomic.fluorocarbon``)
at its energy and in-plane incidence angle; it never sticks, is re-emitted in ViennaPS's
coned lobe about the specular direction (``flux._kernels._cone``, projected) with the
energy law ``VIENNAPS_ION_ENERGY_LOSS``, and stops at or below the lowest E_th,ie, as
the model's tracer species does.  It shares these laws with the flux engine, not the
geometry.  Standard errors from 8 independent batches.

The rates are the model's own expression (``FluorocarbonEtch.element_speeds``) with these
fields.  ``rules="viennaps"`` uses instead the coverage balances that ViennaPS 4.7's
``FluorocarbonEtching`` solves (``viennaps_rules``), inferred from its outputs: its ion
tallies leave out the yield factors A (its ``ionEnhancedFlux`` and ``ionpeFlux`` are equal
on every material although A_ie,p = 2 A_ie, and on the flat mask ``ionSputterFlux`` /
``ionEnhancedFlux`` = 0.82 = ⟨(√E − √E_th,sp)(1 + B sin²θ)⟩/(√E − √E_th,ie)); its rates
put the A back, its balances do not, so their ion terms are 1/A_ie,p ≈ 14× (θ_pe, θ_p)
and 1/A_ie ≈ 28× (θ_e) the published ones.  With these balances the open flat SiO2 rate
under the fluxes of bench/bench_fluorocarbon.py is 7.25 nm/s at k_ie = 0 and 2.87 nm/s
at k_ie = 2, where the peer measures 7.27 and 3.02 (the published balances: 7.06 and
6.09).  Its source (4.6.1) also sets θ_p = 1 where the polymer yield's relative flux or
θ_pe is below 1e-6 (the published balance gives Γ_p β_p q_p/δ_p there), and solves the
F balance on a mask as well (waferlab: θ_e = 0 on a mask, whose rate does not use it), so
that a mask fills with F and stops absorbing neutrals (its sticking β_e (1 − θ_e − θ_p)
≈ 1e-5 instead of ≈ 0.1).  So the reference can hold each code to its own balances.
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
from waferlab.feature.flux.radiosity import trench_transport
from waferlab.feature.flux.sources import VIENNAPS_ION_CONE

__all__ = ["CoverageTrench", "trench_ions", "coverage_trench", "viennaps_rules", "solve_balances"]

_EPS_PEER = 1e-6          # ViennaPS's threshold on relative fluxes and θ_pe


@njit(cache=True, inline="always")
def _hit(s, out, el, row, pol, e, dx, dy, n0, n1, law, cutoff, cone_min):
    """An ion of energy ``e`` (eV) and direction (dx, dy) hits element ``el`` of unit normal
    (n0, n1): out[c, el] += Y_c for c in sp, ie, p (``row``: A_sp, B_sp, √E_th,sp, A_ie,
    √E_th,ie of the element's material; ``pol``: the polymer's), then the reflection.
    Returns (alive, e, dx, dy) of the reflected ion."""
    cin = min(1.0, max(0.0, -(dx * n0 + dy * n1)))
    se = math.sqrt(max(e, 0.0))
    s2 = 1.0 - cin * cin
    out[0, el] += row[0] * max(se - row[2], 0.0) * (1.0 + row[1] * s2) * cin
    out[1, el] += row[3] * max(se - row[4], 0.0) * cin
    out[2, el] += pol[3] * max(se - pol[4], 0.0) * cin
    e = reflected_energy(s, e, cin, law)
    if e <= cutoff:
        return False, e, dx, dy
    sx, sy = dx + 2.0 * cin * n0, dy + 2.0 * cin * n1
    nn = math.sqrt(sx * sx + sy * sy)
    ex, ey, _ez = _cone(s, sx / nn, sy / nn, 0.0, n0, n1, 0.0, cin, cone_min)
    nn = math.sqrt(ex * ex + ey * ey)
    if nn == 0.0:
        return False, e, dx, dy
    return True, e, ex / nn, ey / nn


@njit(cache=True)
def _trace(seed, n, W, D, Dm, exponent, e_tab, z_edges, x_edges, par, law, cutoff,
           cone_min, out):
    """Trace n ions; out[c, e] += Y_c at every hit (c: sp, ie, p; e: wall strips of both
    walls folded onto one, then bottom strips).  par (3, 5): rows mask, etched, polymer;
    columns A_sp, B_sp, √E_th,sp, A_ie, √E_th,ie."""
    s = np.empty(4, np.uint64)
    _seed_state(seed, s)
    N = z_edges.shape[0] - 1
    for _ in range(n):
        e = table_at(e_tab, _uniform(s))
        c = (1.0 - _uniform(s)) ** (1.0 / (exponent + 1.0))
        st = math.sqrt(max(0.0, 1.0 - c * c))
        dx = st * math.cos(2.0 * math.pi * _uniform(s))
        dy = -c
        nn = math.sqrt(dx * dx + dy * dy)
        dx, dy = dx / nn, dy / nn
        x, y = W * _uniform(s), 0.0
        for _b in range(100000):
            t, kind = 1e300, -1                     # kind 0 left, 1 right, 2 bottom, 3 top
            if dx < 0.0:
                t, kind = -x / dx, 0
            elif dx > 0.0:
                t, kind = (W - x) / dx, 1
            if dy < 0.0:
                tb = (-D - y) / dy
                if tb < t:
                    t, kind = tb, 2
            elif dy > 0.0:
                tt = -y / dy
                if tt <= t:
                    t, kind = tt, 3
            if kind == 3 or kind < 0:
                break
            x, y = x + t * dx, y + t * dy
            if kind == 2:
                n0, n1 = 0.0, 1.0
                j = min(max(np.searchsorted(x_edges, x) - 1, 0), x_edges.shape[0] - 2)
                el, m = N + j, 1
                y = -D
            else:
                n0, n1 = (1.0, 0.0) if kind == 0 else (-1.0, 0.0)
                z = -y
                el = min(max(np.searchsorted(z_edges, z) - 1, 0), N - 1)
                m = 0 if z < Dm else 1
                x = 0.0 if kind == 0 else W
            alive, e, dx, dy = _hit(s, out, el, par[m], par[2], e, dx, dy, n0, n1, law, cutoff,
                                    cone_min)
            if not alive:
                break
            x, y = x + 1e-12 * W * n0, y + 1e-12 * W * n1


def _edges(W: float, D: float, n_wall: int, n_bottom: int) -> tuple[np.ndarray, np.ndarray]:
    """The strip edges of ``trench_transport`` (depths of the wall strips from the mouth,
    bottom positions from the left wall)."""
    z = D * 0.5 * (1.0 - np.cos(np.pi * np.linspace(0.0, 1.0, n_wall + 1)))
    x = W * 0.5 * (1.0 - np.cos(np.pi * np.linspace(0.0, 1.0, n_bottom + 1)))
    return z, x


def trench_ions(model, width: float, depth: float, mask_depth: float, *, etched: str = "SiO2",
                mask: str = "Mask", n_wall: int = 200, n_bottom: int = 60,
                n_ions: int = 2_000_000, batches: int = 8, seed: int = 1
                ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """({c: ⟨Y_c Γ_i,local⟩/Γ_i}, {c: its standard error}) per element (wall strips of one
    wall, top to bottom, then bottom strips left to right) for c in sp, ie, p: the ion
    fields of ``model`` (a ``feature.fluorocarbon.FluorocarbonEtch``) on the trench
    (module docstring)."""
    W, D, Dm = float(width), float(depth), float(mask_depth)
    z, x = _edges(W, D, n_wall, n_bottom)
    kin = model.kinetics
    rows = [kin.materials[mask], kin.materials[etched], kin.polymer]
    par = np.array([[p.A_sp, p.B_sp, math.sqrt(p.Eth_sp), p.A_ie, math.sqrt(p.Eth_ie)]
                    for p in rows])
    e_tab = energy_inverse_cdf(model.beam.energies_eV, model.beam.pdf)
    law = VIENNAPS_ION_ENERGY_LOSS.params() if model.ion_reflection else np.zeros(0)
    cutoff = model._min_threshold() if model.ion_reflection else 1e300
    lengths = np.concatenate([2.0 * np.diff(z), np.diff(x)])     # walls: both, folded
    runs = []
    per = max(1, n_ions // batches)
    for b in range(batches):
        out = np.zeros((3, n_wall + n_bottom))
        _trace(seed * 1000 + b, per, W, D, Dm, float(model.beam.exponent), e_tab, z, x, par,
               law, cutoff, VIENNAPS_ION_CONE, out)
        runs.append(out * W / (per * lengths[None, :]))
    r = np.array(runs)
    mean, se = r.mean(axis=0), r.std(axis=0, ddof=1) / math.sqrt(batches)
    names = ("sp", "ie", "p")
    return ({c: mean[i] for i, c in enumerate(names)}, {c: se[i] for i, c in enumerate(names)})


def viennaps_rules(model, fields: dict[str, np.ndarray], mats: np.ndarray, v: np.ndarray,
                   cov: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(V, coverages) of ViennaPS 4.7's ``FluorocarbonEtching`` balances from the same
    fields (module docstring): the ion terms of θ_pe, θ_p and θ_e take the yields without
    their factors A (Ŷ_p = Y_p/A_ie,p, Ŷ_ie = Y_ie/A_ie,m), θ_p = 1 where Ŷ_p or θ_pe is
    below 1e-6, θ_e on masks too, and the rate is the model's with these coverages; ``v``, ``cov``: the
    model's own result (kept on inert materials)."""
    kin = model.kinetics
    P = kin.polymer
    e = np.asarray(fields["etchant"], float) * kin.etchant_flux
    pf = np.asarray(fields["polymer"], float)
    yp = np.asarray(fields["Y:p"], float)
    GYp_hat = yp / P.A_ie * kin.ion_flux
    th_pe = np.where(e > 0, e * P.beta_e / np.maximum(e * P.beta_e + GYp_hat, 1e-300), 0.0)
    v = np.asarray(v, float).copy()
    te = np.asarray(cov["theta_etchant"], float).copy()
    tp = np.asarray(cov["theta_polymer"], float).copy()
    for i, name in enumerate(model.materials):
        sel = mats == i
        mat = model.kinetics.polymer if name == model.polymer else kin.materials.get(name)
        if not sel.any() or mat is None:
            continue
        tp[sel] = np.where(pf[sel] < _EPS_PEER, 0.0, np.where(
            (th_pe[sel] < _EPS_PEER) | (yp[sel] / P.A_ie < _EPS_PEER), 1.0,
            pf[sel] * kin.polymer_flux * mat.beta_p / (GYp_hat[sel] * th_pe[sel] + kin.delta_p)))
        if name in model.etched or name in model.masks:
            be = e[sel] * mat.beta_e
            yie_hat = np.asarray(fields["Y:ie"], float)[sel] / max(mat.A_ie, 1e-300)
            Fev = kin.thermal_rate(mat)
            te[sel] = np.where((tp[sel] < 1.0) & (e[sel] > 0), be * (1.0 - np.minimum(tp[sel], 1.0))
                               / (kin.k_ie * yie_hat * kin.ion_flux + kin.k_ev * Fev + be), 0.0)
            if name in model.etched:
                GYie = np.asarray(fields["Y:ie"], float)[sel] * kin.ion_flux
                GYsp = np.asarray(fields["Y:sp"], float)[sel] * kin.ion_flux
                v[sel] = -(Fev * te[sel] + GYie * te[sel] + GYsp * (1 - te[sel])) / mat.density
        else:
            te[sel] = 0.0
    net = pf * kin.polymer_flux * P.beta_p - yp * kin.ion_flux * th_pe
    polymer = mats == model.materials.index(model.polymer)
    v = np.where(polymer & (tp < 1.0), np.minimum(net, 0.0) / P.density, v)
    v = np.where(tp >= 1.0, np.maximum(net, 0.0) / P.density, v)
    te = np.where(tp >= 1.0, 0.0, te)
    return v, {"theta_etchant": te, "theta_polymer": tp}


@dataclass(frozen=True)
class CoverageTrench:
    """Per element (wall strips of one wall top to bottom, then bottom strips left to
    right): depth of the wall strips / position of the bottom strips from the axis,
    length, material name, relative neutral fluxes {etchant, polymer}, ion fields
    {Y:sp, Y:ie, Y:p} and their standard errors, coverages, sticking, speed V_n (m/s,
    < 0 etches); fixed-point iterations."""

    z_wall: np.ndarray
    x_bottom: np.ndarray
    length: np.ndarray
    material: np.ndarray
    fields: dict[str, np.ndarray]
    ion_se: dict[str, np.ndarray]
    theta: dict[str, np.ndarray]
    sticking: np.ndarray
    speed: np.ndarray
    iterations: int

    def bottom_mean(self, values: np.ndarray, x0: float, x1: float) -> float:
        """Length-weighted mean of per-element ``values`` over the bottom strips with
        x0 ≤ |x| ≤ x1 (x from the trench axis)."""
        n = self.z_wall.size
        ax = np.abs(self.x_bottom)
        m = (ax >= x0) & (ax <= x1)
        a = self.length[n:][m]
        return float((np.asarray(values)[n:][m] * a).sum() / a.sum())

    def wall_mean(self, values: np.ndarray, z0: float, z1: float) -> float:
        """Length-weighted mean of per-element ``values`` over the wall strips with
        z0 ≤ depth ≤ z1."""
        n = self.z_wall.size
        m = (self.z_wall >= z0) & (self.z_wall <= z1)
        a = self.length[:n][m]
        return float((np.asarray(values)[:n][m] * a).sum() / a.sum())


def solve_balances(model, fields: dict[str, np.ndarray], mats: np.ndarray, transport,
                   n_wall: int, *, rules: str = "model", tol: float = 1e-10,
                   max_iter: int = 500) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, int]:
    """The fixed point of neutral transport and site balances on a frozen feature, shared
    by the trench and the hole references.  ``fields`` holds the ion yields ``Y:<c>`` per
    element (walls first, ``n_wall`` of them, then the bottom) and receives the neutral
    fluxes; ``transport(sticking_wall, sticking_bottom)`` returns the radiosity result
    (``.wall``, ``.bottom``).  Each sweep takes the sticking from the coverages, solves the
    transport, then the balances (``model.element_speeds``, or with ``viennaps_rules``),
    and under-relaxes the coverages by ½ until they move less than ``tol``.  Returns the
    coverages, the sticking, the speeds and the number of sweeps."""
    n = len(mats)
    theta = {"theta_etchant": np.zeros(n), "theta_polymer": np.zeros(n)}
    sticking = np.zeros(n)
    v = np.zeros(n)
    iterations = 0
    for _ in range(max_iter):
        iterations += 1
        sticking = np.asarray(model.coupled_species(theta, mats)[0].sticking, float)
        res = transport(sticking[:n_wall], sticking[n_wall:])
        q = np.concatenate([res.wall, res.bottom])
        fields["etchant"] = q
        fields["polymer"] = q                    # same sticking law: the same transport
        v, new = model.element_speeds(fields, mats)
        if rules == "viennaps":
            v, new = viennaps_rules(model, fields, mats, v, new)
        delta = max(float(np.max(np.abs(new[k] - theta[k]))) for k in theta)
        theta = {k: 0.5 * (theta[k] + np.asarray(new[k], float)) for k in theta}
        if delta < tol:
            break
    return theta, sticking, np.asarray(v, float), iterations


def coverage_trench(model, width: float, depth: float, mask_depth: float, *,
                    etched: str = "SiO2", mask: str = "Mask", rules: str = "model",
                    n_wall: int = 200, n_bottom: int = 60, n_ions: int = 2_000_000,
                    seed: int = 1, tol: float = 1e-10, max_iter: int = 500) -> CoverageTrench:
    """Solve the coupled neutral transport and site balances in the trench (module
    docstring).  ``model``: a ``feature.fluorocarbon.FluorocarbonEtch`` whose
    ``materials`` hold ``etched`` and ``mask``; ``rules``: "model" (its own balances) or
    "viennaps" (with ``viennaps_rules``)."""
    if rules not in ("model", "viennaps"):
        raise ValueError(f"rules must be 'model' or 'viennaps'; got {rules!r}")
    W, D = float(width), float(depth)
    N, M = int(n_wall), int(n_bottom)
    z, x = _edges(W, D, N, M)
    zc = 0.5 * (z[:-1] + z[1:])
    names = np.array([mask if zz < mask_depth else etched for zz in zc] + [etched] * M)
    mats = np.array([model.materials.index(str(m)) for m in names])
    ions, ion_se = trench_ions(model, W, D, mask_depth, etched=etched, mask=mask, n_wall=N,
                               n_bottom=M, n_ions=n_ions, seed=seed)
    fields = {f"Y:{c}": v for c, v in ions.items()}
    theta, sticking, v, iterations = solve_balances(
        model, fields, mats, lambda s_wall, s_bottom: trench_transport(
            W, D, s_wall, s_bottom, n_wall=N, n_bottom=M), N, rules=rules, tol=tol,
        max_iter=max_iter)
    return CoverageTrench(z_wall=zc, x_bottom=0.5 * (x[:-1] + x[1:]) - 0.5 * W,
                          length=np.concatenate([np.diff(z), np.diff(x)]), material=names,
                          fields=fields, ion_se=ion_se, theta=theta, sticking=sticking,
                          speed=np.asarray(v, float), iterations=iterations)
