"""Per-hit ion physics of the flux engine's kernels (private): an energy per ray (module
``ions``) drawn from the IEDF's inverse-CDF table at launch, scored at every hit into
``ytal[k, c, e]`` per yield channel, and changed by the reflected-energy law at every
re-emission (``_kernels.trace2d/3d`` call these when a species has yield channels).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._rng import _seed_state, _uniform

__all__ = ["reflected_energy", "reflected_energy_th", "sample_reflected", "score_yields",
           "table_at"]


@njit(cache=True, error_model="numpy", inline="always")
def table_at(tab, x01):
    """Linear interpolation of a table on a uniform grid of [0, 1] at x01."""
    f = min(max(x01, 0.0), 1.0) * (tab.shape[0] - 1)
    i = min(int(f), tab.shape[0] - 2)
    return tab[i] + (f - i) * (tab[i + 1] - tab[i])


@njit(cache=True, error_model="numpy", inline="always")
def score_yields(ytal, k, e, mat, w, energy, cin, yA, ysth, yf):
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


@njit(cache=True, error_model="numpy", inline="always")
def _normal(s):
    """A standard normal deviate (Box–Muller)."""
    u1 = 1.0 - _uniform(s)
    u2 = _uniform(s)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@njit(cache=True, error_model="numpy")
def reflected_energy(s, energy, cin, law):
    """New energy after a re-emission at incidence cos θ = cin (law: θ_i, n_l, s, A; empty:
    unchanged): N(p(θ)E, (sE)²) truncated to [0, E] by rejection (module ``ions``)."""
    if law.shape[0] == 0:
        return energy
    return reflected_energy_th(s, energy, math.acos(min(1.0, max(0.0, cin))), law)


@njit(cache=True, error_model="numpy", inline="always")
def reflected_energy_th(s, energy, th, law):
    """``reflected_energy`` at the incidence angle θ = acos(clip(cin, 0, 1)) already
    computed by the caller (the kernels take one acos per hit)."""
    if law.shape[0] == 0:
        return energy
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


@njit(cache=True, error_model="numpy")
def sample_reflected(seed, energy, cin, law, n):
    """n draws of ``reflected_energy`` (for tests of the law)."""
    s = np.empty(4, np.uint64)
    _seed_state(seed, s)
    out = np.empty(n)
    for i in range(n):
        out[i] = reflected_energy(s, energy, cin, law)
    return out
