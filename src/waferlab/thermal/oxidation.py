"""Thermal oxidation of silicon: the Deal–Grove model.

x² + A x = B (t + τ), τ = (x_i² + A x_i)/B  (Deal & Grove, J. Appl. Phys. 36, 3770,
1965), i.e. dx/dt = B/(A + 2x).  Rate constants B = C1 exp(-E1/kT) (parabolic) and
B/A = C2 exp(-E2/kT) (linear) for (111) silicon at 1 atm, Plummer, Deal & Griffin
(2000) Table 6-2 (from Deal & Grove): dry O2 C1 = 772 µm²/h, E1 = 1.23 eV,
C2 = 6.23e6 µm/h, E2 = 2.0 eV; wet (H2O) C1 = 386 µm²/h, E1 = 0.78 eV, C2 = 1.63e8
µm/h, E2 = 2.05 eV.  (100) silicon: B/A divided by 1.68.  Both scale linearly with
the oxidant partial pressure (atm).  Growing x of oxide consumes 0.44 x of silicon
(density ratio 2.27e22/5.0e22).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from ..constants import EV, K_B

__all__ = ["DealGrove", "DEAL_GROVE", "oxide_thickness", "grow_oxide", "SI_CONSUMED"]

SI_CONSUMED = 0.44
_H = 3600.0


@dataclass(frozen=True, kw_only=True)
class DealGrove:
    """Arrhenius constants: C1 (m²/s), E1 (J) for B; C2 (m/s), E2 (J) for B/A."""

    C1: float
    E1: float
    C2: float
    E2: float

    def B(self, T: float, pressure_atm: float = 1.0) -> float:
        return pressure_atm * self.C1 * math.exp(-self.E1 / (K_B * T))

    def B_over_A(self, T: float, orientation: str = "100", pressure_atm: float = 1.0) -> float:
        f = {"111": 1.0, "100": 1 / 1.68}.get(orientation)
        if f is None:
            raise ValueError(f"orientation {orientation!r}: known 100, 111")
        return pressure_atm * f * self.C2 * math.exp(-self.E2 / (K_B * T))


DEAL_GROVE = {
    "dry": DealGrove(C1=772e-12 / _H, E1=1.23 * EV, C2=6.23e6 * 1e-6 / _H, E2=2.0 * EV),
    "wet": DealGrove(C1=386e-12 / _H, E1=0.78 * EV, C2=1.63e8 * 1e-6 / _H, E2=2.05 * EV),
}


def oxide_thickness(t: float, T: float, *, ambient: str = "dry", orientation: str = "100",
                    initial: float = 0.0, pressure_atm: float = 1.0) -> float:
    """Analytic Deal–Grove thickness (m) after t seconds at constant T (K)."""
    k = DEAL_GROVE[ambient]
    B = k.B(T, pressure_atm)
    A = B / k.B_over_A(T, orientation, pressure_atm)
    tau = (initial ** 2 + A * initial) / B
    return 0.5 * A * (math.sqrt(1.0 + 4.0 * B * (t + tau) / A ** 2) - 1.0)


def grow_oxide(duration: float, temperature: Callable[[float], float], *, ambient: str = "dry",
               orientation: str = "100", initial: float = 0.0, pressure_atm: float = 1.0,
               rtol: float = 1e-10) -> float:
    """Thickness (m) after integrating dx/dt = B/(A + 2x) along T(t) (ramps allowed)."""
    from scipy.integrate import solve_ivp

    if ambient not in DEAL_GROVE:
        raise ValueError(f"unknown ambient {ambient!r}; known: {', '.join(DEAL_GROVE)}")
    k = DEAL_GROVE[ambient]

    def rhs(t, x):
        T = temperature(t)
        B = k.B(T, pressure_atm)
        A = B / k.B_over_A(T, orientation, pressure_atm)
        return [B / (A + 2.0 * x[0])]

    if duration <= 0:
        return initial
    sol = solve_ivp(rhs, (0.0, duration), [initial], rtol=rtol, atol=1e-16, method="LSODA")
    return float(sol.y[0, -1])
