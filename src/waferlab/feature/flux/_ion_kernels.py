"""Numba kernels of the flux engine for species with per-hit yield scoring (private).

Same walk, sticking, Russian roulette and re-emission as ``_kernels.trace2d/3d`` (whose
helpers are used), plus an energy per ray (module ``ions``): drawn from the IEDF's
inverse-CDF table at launch, scored at every hit into ``ytal[k, c, e]`` per yield channel,
and changed by the reflected-energy law at every re-emission.  Randomness comes from the
chunk's own xoshiro256** stream, so results do not depend on the thread count.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ._kernels import (BOTTOM, HIT, SIDE_HI, SIDE_LO, TOP, _about, _cast2d, _cast3d, _cone,
                       _seed_state, _source_cos, _spec_prob, _uniform)

__all__ = ["trace2d_scored", "trace3d_scored"]


@njit(cache=True, inline="always")
def _table(tab, x01):
    """Linear interpolation of a table on a uniform grid of [0, 1] at x01."""
    f = min(max(x01, 0.0), 1.0) * (tab.shape[0] - 1)
    i = min(int(f), tab.shape[0] - 2)
    return tab[i] + (f - i) * (tab[i + 1] - tab[i])


@njit(cache=True)
def _score(ytal, k, e, mat, w, energy, cin, yA, ysth, yf):
    """ytal[k, c, e] += w·A(√E − √E_th)·f(cos θ) for every channel c of material mat."""
    se = math.sqrt(max(energy, 0.0))
    for c in range(yA.shape[0]):
        a = yA[c, mat]
        if a <= 0.0:
            continue
        d = se - ysth[c, mat]
        if d <= 0.0:
            continue
        fc = min(max(cin, 0.0), 1.0) * (yf.shape[2] - 1)
        i = min(int(fc), yf.shape[2] - 2)
        f = yf[c, mat, i] + (fc - i) * (yf[c, mat, i + 1] - yf[c, mat, i])
        ytal[k, c, e] += w * a * d * f


@njit(cache=True)
def _normal(s):
    """A standard normal deviate (Box–Muller)."""
    u1 = 1.0 - _uniform(s)
    u2 = _uniform(s)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@njit(cache=True)
def reflected_energy(s, energy, cin, law):
    """New energy after a re-emission at incidence cos θ = cin (law: θ_i, n_l, s, A; empty:
    unchanged): N(p(θ)E, (sE)²) truncated to [0, E] by rejection (module ``ions``)."""
    if law.shape[0] == 0:
        return energy
    th = math.acos(min(1.0, max(0.0, cin)))
    ti, nl, spread, amp = law[0], law[1], law[2], law[3]
    if th < ti:
        p = amp * (th / ti) ** nl
    else:
        p = 1.0 - (1.0 - amp) * (0.5 * math.pi - th) / (0.5 * math.pi - ti)
    for _ in range(1000):
        x = p + spread * _normal(s)
        if 0.0 <= x <= 1.0:
            return x * energy
    return min(max(p, 0.0), 1.0) * energy


@njit(cache=True)
def sample_reflected(seed, energy, cin, law, n):
    """n draws of ``reflected_energy`` (for tests of the law)."""
    s = np.empty(4, np.uint64)
    _seed_state(seed, s)
    out = np.empty(n)
    for i in range(n):
        out[i] = reflected_energy(s, energy, cin, law)
    return out


@njit(cache=True, parallel=True)
def trace2d_scored(cd, nrm, emat, stick, spec_tab, stick_tab, cone_min, glo, gh, gn, cstart,
                   citems, xlo, xhi, periodic, y_launch, eps, src_mode, src_exp, src_tab,
                   e_tab, yA, ysth, yf, law, cutoff,
                   seeds, nrays, rr_threshold, rr_weight, max_events, inc, absb, trans, counts,
                   ytal):
    """``_kernels.trace2d`` with energies and per-hit yields (cos θ of the in-plane
    direction, as for the sticking factor); ytal (K, channels, m)."""
    K = seeds.shape[0]
    width = xhi - xlo
    for k in prange(K):
        s = np.empty(4, np.uint64)
        _seed_state(seeds[k], s)
        for r in range(nrays[k]):
            ox = xlo + _uniform(s) * width
            oy = y_launch
            ct = _source_cos(s, src_mode, src_exp, src_tab)
            st = math.sqrt(max(0.0, 1.0 - ct * ct))
            ph = 2.0 * math.pi * _uniform(s)
            energy = _table(e_tab, _uniform(s))
            dx = st * math.cos(ph)
            dy = -ct
            nn = math.sqrt(dx * dx + dy * dy)
            if nn == 0.0:
                dx, dy = 0.0, -1.0
            else:
                dx /= nn
                dy /= nn
            w = 1.0
            done = False
            for ev in range(max_events):
                e, t, code = _cast2d(ox, oy, dx, dy, cd, glo, gh, gn, cstart, citems)
                if code == HIT:
                    n0 = nrm[e, 0]
                    n1 = nrm[e, 1]
                    hx = ox + t * dx
                    hy = oy + t * dy
                    inc[k, e] += w
                    cin = -(dx * n0 + dy * n1)
                    _score(ytal, k, e, emat[e], w, energy, cin, yA, ysth, yf)
                    sp = stick[emat[e]] * _spec_prob(stick_tab, cin)
                    absb[k, e] += w * sp
                    w *= 1.0 - sp
                    if w < rr_threshold:
                        if w <= 0.0 or _uniform(s) * rr_weight >= w:
                            done = True
                            break
                        w = rr_weight
                    energy = reflected_energy(s, energy, cin, law)
                    if energy <= cutoff:
                        absb[k, e] += w
                        done = True
                        break
                    if _uniform(s) < _spec_prob(spec_tab, cin):
                        dx += 2.0 * cin * n0
                        dy += 2.0 * cin * n1
                        if cone_min >= 0.0:
                            nn = math.sqrt(dx * dx + dy * dy)
                            dx, dy, dz2 = _cone(s, dx / nn, dy / nn, 0.0, n0, n1, 0.0,
                                                cin, cone_min)
                    else:
                        sphi = 2.0 * _uniform(s) - 1.0
                        cphi = math.sqrt(max(0.0, 1.0 - sphi * sphi))
                        dx = cphi * n0 - sphi * n1
                        dy = cphi * n1 + sphi * n0
                    nn = math.sqrt(dx * dx + dy * dy)
                    dx /= nn
                    dy /= nn
                    ox = hx + eps * n0
                    oy = hy + eps * n1
                elif code == SIDE_LO or code == SIDE_HI:
                    oy = oy + t * dy
                    if periodic:
                        ox = xhi if code == SIDE_LO else xlo
                    else:
                        ox = xlo if code == SIDE_LO else xhi
                        dx = -dx
                elif code == TOP:
                    counts[k, 0] += 1
                    done = True
                    break
                else:
                    trans[k, 0] += w
                    trans[k, 1] += w * w
                    counts[k, 1] += 1
                    done = True
                    break
            if not done:
                counts[k, 2] += 1


@njit(cache=True, parallel=True)
def trace3d_scored(cd, nrm, emat, stick, spec_tab, stick_tab, cone_min, glo, gh, gn, cstart,
                   citems, blo, bhi, periodic, z_launch, eps, src_mode, src_exp, src_tab,
                   e_tab, yA, ysth, yf, law, cutoff,
                   seeds, nrays, rr_threshold, rr_weight, max_events, inc, absb, trans, counts,
                   ytal):
    """``_kernels.trace3d`` with energies and per-hit yields; ytal (K, channels, m)."""
    K = seeds.shape[0]
    for k in prange(K):
        s = np.empty(4, np.uint64)
        _seed_state(seeds[k], s)
        for r in range(nrays[k]):
            ox = blo[0] + _uniform(s) * (bhi[0] - blo[0])
            oy = blo[1] + _uniform(s) * (bhi[1] - blo[1])
            oz = z_launch
            ct = _source_cos(s, src_mode, src_exp, src_tab)
            st = math.sqrt(max(0.0, 1.0 - ct * ct))
            ph = 2.0 * math.pi * _uniform(s)
            energy = _table(e_tab, _uniform(s))
            dx = st * math.cos(ph)
            dy = st * math.sin(ph)
            dz = -ct
            w = 1.0
            done = False
            for ev in range(max_events):
                e, t, code, a = _cast3d(ox, oy, oz, dx, dy, dz, cd, glo, gh, gn,
                                        cstart, citems)
                if code == HIT:
                    n0, n1, n2 = nrm[e, 0], nrm[e, 1], nrm[e, 2]
                    hx = ox + t * dx
                    hy = oy + t * dy
                    hz = oz + t * dz
                    inc[k, e] += w
                    cin = -(dx * n0 + dy * n1 + dz * n2)
                    _score(ytal, k, e, emat[e], w, energy, cin, yA, ysth, yf)
                    sp = stick[emat[e]] * _spec_prob(stick_tab, cin)
                    absb[k, e] += w * sp
                    w *= 1.0 - sp
                    if w < rr_threshold:
                        if w <= 0.0 or _uniform(s) * rr_weight >= w:
                            done = True
                            break
                        w = rr_weight
                    energy = reflected_energy(s, energy, cin, law)
                    if energy <= cutoff:
                        absb[k, e] += w
                        done = True
                        break
                    if _uniform(s) < _spec_prob(spec_tab, cin):
                        dx += 2.0 * cin * n0
                        dy += 2.0 * cin * n1
                        dz += 2.0 * cin * n2
                        nn = math.sqrt(dx * dx + dy * dy + dz * dz)
                        dx /= nn
                        dy /= nn
                        dz /= nn
                        dx, dy, dz = _cone(s, dx, dy, dz, n0, n1, n2, cin, cone_min)
                    else:
                        xi = _uniform(s)
                        sr = math.sqrt(xi)
                        ph = 2.0 * math.pi * _uniform(s)
                        dx, dy, dz = _about(n0, n1, n2, sr * math.cos(ph), sr * math.sin(ph),
                                            math.sqrt(1.0 - xi))
                    ox = hx + eps * n0
                    oy = hy + eps * n1
                    oz = hz + eps * n2
                elif code == SIDE_LO or code == SIDE_HI:
                    ox += t * dx
                    oy += t * dy
                    oz += t * dz
                    edge = blo[a] if code == SIDE_LO else bhi[a]
                    other = bhi[a] if code == SIDE_LO else blo[a]
                    if a == 0:
                        if periodic:
                            ox = other
                        else:
                            ox = edge
                            dx = -dx
                    else:
                        if periodic:
                            oy = other
                        else:
                            oy = edge
                            dy = -dy
                elif code == TOP:
                    counts[k, 0] += 1
                    done = True
                    break
                else:
                    trans[k, 0] += w
                    trans[k, 1] += w * w
                    counts[k, 1] += 1
                    done = True
                    break
            if not done:
                counts[k, 2] += 1
