"""Exact drift of ions in their parent gas (resonant charge exchange, constant cross-section) in a
uniform field, by Monte Carlo: the reference for the thermal part of fluid2d's ion drag, which
the cold-gas kinetic discharge of :mod:`.presheath` cannot judge (issue #14, session 17).

Model: ions of mass M in neutrals of the same mass at temperature T (Maxwellian), charge
exchange with a speed-independent cross-section σ (λ = 1/(n_g σ)): an ion with velocity v meets
neutrals at the rate n_g σ ⟨|v − V|⟩ and takes the velocity V of the neutral it met, drawn from
the Maxwellian weighted by |v − V| (Lieberman & Lichtenberg 2005, §3.4 and §5.3, whose drift laws
are the two limits: u = eλE/(M v̄) at low field, u = (2eλE/(πM))^½ at high field).  Units:
λ = 1, s = (kT/M)^½ = 1, field ε = eEλ/(kT); the mean relative speed at ion speed w is
s[√(2/π) e^{−w²/2} + (w + 1/w) erf(w/√2)] (→ √2·v̄ for w → 0).  Free flights are exponential
with the rate at the flight's start, cut at dt and re-drawn (first order in dt); the cold-gas
limit (T → 0) reproduces (2ε/π)^½ to +0.4 % (ε = 1) and +1.0 % (ε = 100) at the default dt.

:func:`drift_law` gives fluid2d's law (π/2)u² + v̄_i u = ε (v̄_i at the ion temperature T_i in the
drag) in the same units, to compare.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["mc_drift", "drift_law"]


@njit(cache=True)
def _mean_relative_speed(w: float) -> float:
    if w < 1e-6:
        return math.sqrt(8.0 / math.pi)
    return math.sqrt(2.0 / math.pi) * math.exp(-0.5 * w * w) + (w + 1.0 / w) * math.erf(w / math.sqrt(2.0))


@njit(cache=True)
def _run(eps, n_p, t_relax, t_avg, dt, seed, cold):
    np.random.seed(seed)
    acc = 0.0
    sT = 0.0 if cold else 1.0
    for _ in range(n_p):
        vx = sT * np.random.normal()
        vy = sT * np.random.normal()
        vz = sT * np.random.normal()
        t = 0.0
        while t < t_relax + t_avg:
            v = math.sqrt(vx * vx + vy * vy + vz * vz)
            nu = max(v, 1e-300) if cold else _mean_relative_speed(v)
            tau = -math.log(1.0 - np.random.random()) / nu
            h = min(tau, dt)
            if t >= t_relax:
                acc += (vx + 0.5 * eps * h) * h
            vx += eps * h
            t += h
            if tau <= dt:
                bound = math.sqrt(vx * vx + vy * vy + vz * vz) + 6.0 * sT + 1e-12
                while True:
                    Vx = sT * np.random.normal()
                    Vy = sT * np.random.normal()
                    Vz = sT * np.random.normal()
                    g = math.sqrt((vx - Vx) ** 2 + (vy - Vy) ** 2 + (vz - Vz) ** 2)
                    if np.random.random() * bound < g:
                        break
                vx, vy, vz = Vx, Vy, Vz
    return acc / (n_p * t_avg)


def mc_drift(eps: float, *, cold: bool = False, n_particles: int = 4000, batches: int = 4,
             seed: int = 0) -> tuple[float, float]:
    """Drift velocity (units (kT/M)^½) at field ε = eEλ/(kT) and its standard error (batches)."""
    dt = 0.05 / (1.6 + math.sqrt(eps))
    t_relax, t_avg = 20.0 / math.sqrt(1 + eps), 200.0 / math.sqrt(1 + eps)
    r = np.array([_run(float(eps), n_particles, t_relax, t_avg, dt, seed + b, cold) for b in range(batches)])
    return float(r.mean()), float(r.std(ddof=1) / math.sqrt(batches))


def drift_law(eps: float, Ti_over_Tgas: float = 1.0) -> float:
    """fluid2d's drift law (π/2)u² + v̄_i u = ε in the same units, v̄_i = √(8T_i/(πT_g))."""
    vb = math.sqrt(8.0 / math.pi * Ti_over_Tgas)
    return (-vb + math.sqrt(vb * vb + 2.0 * math.pi * eps)) / math.pi
