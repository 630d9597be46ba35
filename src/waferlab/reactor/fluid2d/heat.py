"""The gas-temperature fixed point of the multi-species model.

The gas temperature T_g enters the plasma and neutral equations (densities at a given
partial pressure, mean free paths, thermal speeds) and the heat equation
∇·(k(T)∇T) + Q = 0 (:func:`.neutral.gas_temperature`) takes its heating Q from them (the
electrons' elastic losses and the ions' Joule heating in the ambipolar field).  The two are
coupled as an outer fixed point T ← G(T), G the heat solve with the heating of the nearly
steady plasma at T: only a near-steady plasma bounds Q by the absorbed power (the field
work of a transient iterate is not — the SF6/O2 case of Kokkoris et al. reached 20 kW of
"heating" from 2 kW absorbed in the earlier every-step Picard update, and ran away).

Anderson acceleration of the fixed point (Anderson, J. ACM 12, 547, 1965; the form of
Walker & Ni, SIAM J. Numer. Anal. 49, 1715, 2011): with the residuals g_k = G(T_k) − T_k of
the last m iterates,

    γ = argmin ‖g_k − ΔG γ‖₂,   T_{k+1} = T_k + β g_k − (ΔT + β ΔG) γ,

β the mixing (damping) factor, used once the damped step T + βg stays within ±``max_change``
of T (farther out the damped step is limited to that and the history restarts), so that a
poor first heating cannot push the plasma out of the Newton basin.  Converged when
max |g_k|/T_k < ``tolerance`` (1e-4: 0.1 K at 1000 K); T_g is then held and the plasma
converged at it to the solver's tolerance (so the element balance does not wait for T_g).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["GasTemperatureIteration", "HEAT_UPDATE_RESIDUAL"]

# Scaled plasma residual below which the heating is taken for a gas-temperature update.
HEAT_UPDATE_RESIDUAL = 1e-2


@dataclass
class GasTemperatureIteration:
    """Anderson-accelerated, damped and limited fixed-point iteration on T_g (K)."""

    tolerance: float = 1e-4
    mixing: float = 0.5
    max_change: float = 0.2
    depth: int = 3
    change: float = float("inf")
    updates: int = 0
    _T: list = field(default_factory=list, repr=False)
    _g: list = field(default_factory=list, repr=False)

    @property
    def converged(self) -> bool:
        return self.change < self.tolerance

    def update(self, T: np.ndarray, T_target: np.ndarray) -> np.ndarray:
        """The next T_g from the current one and the heat solve's G(T)."""
        T = np.asarray(T, float)
        g = np.asarray(T_target, float) - T
        self.change = float(np.max(np.abs(g) / T))
        self.updates += 1
        self._T.append(T.ravel().copy())
        self._g.append(g.ravel().copy())
        del self._T[: -self.depth - 1], self._g[: -self.depth - 1]
        b = self.mixing
        t = T.ravel()
        lo, hi = t * (1 - self.max_change), t * (1 + self.max_change)
        new = t + b * g.ravel()
        if np.any(new < lo) or np.any(new > hi):
            # far from the fixed point: the limited damped step, and the history starts afresh
            # (Anderson's secant model holds only for unlimited steps)
            del self._T[:-1], self._g[:-1]
            return np.clip(new, lo, hi).reshape(T.shape)
        if len(self._g) > 1:
            dG = np.diff(np.array(self._g), axis=0).T
            dT = np.diff(np.array(self._T), axis=0).T
            gamma = np.linalg.lstsq(dG, g.ravel(), rcond=None)[0]
            new = new - (dT + b * dG) @ gamma
        return np.clip(new, lo, hi).reshape(T.shape)
