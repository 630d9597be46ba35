"""Local oxidation (LOCOS): the oxide thickness across a nitride mask edge.

Deal–Grove (J. Appl. Phys. 36, 3770, 1965) in every column x of the cross-section, with
the oxidant also diffusing sideways through the oxide under the nitride.  Oxidant
concentration c = C/C* at the Si/SiO2 interface (C*: its solubility in the oxide),
oxide thickness e(x), a mask indicator m(x) (1 where an oxidant-blocking film — nitride
— lies on the oxide).  The oxidant flux into the oxide column from the gas (free columns
only) is D C*(1 − c)/e, along the oxide layer −D e ∂C/∂x, and consumed at the interface
at k C.  Quasi-steady (the oxidant relaxes in e²/D ≪ the growth time), in the thin-layer
approximation (flux depth-averaged over the layer), with the Deal–Grove identities
D/k = A/2 and B/A = k C*/N₁:

    ∂/∂x (e ∂c/∂x) + (1 − m) (1 − c)/e − (2/A) c = 0,      de/dt = (B/A) c.

Far from the edge in the open (∂c/∂x = 0): c = 1/(1 + 2e/A) and de/dt = B/(A + 2e), the
Deal–Grove law exactly.  Under the mask (m = 1) with a uniform pad oxide e_p the oxidant
decays as exp(−x/λ), λ = √(A e_p/2): the bird's beak is a lateral diffusion length of
the oxidant in the pad oxide, which widens as the beak thickens it.  This is the lateral
oxidant-diffusion picture of the bird's beak (Hsueh & Evans, J. Appl. Phys. 54, 6672,
1983, treat its stresses; the viscous/elastic resistance of the nitride to being lifted,
which shortens the beak for thick nitride, is not modelled: the nitride follows the
oxide).  Rate constants: :mod:`waferlab.thermal.oxidation`.

Growing Δe of oxide consumes 0.44 Δe of silicon and lifts what lies on the oxide (the
nitride) by 0.56 Δe.  The interface conductance between columns is the harmonic mean of
their oxide thicknesses (the thinner channel limits), so a nitride on bare silicon
(e = 0 under it) lets no oxidant in.  Discretisation: box method on the columns
(reflective ends), a tridiagonal solve per rate evaluation, e(t) by an explicit
Runge–Kutta pair (scipy ``solve_ivp``, rtol 1e-6).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .oxidation import DEAL_GROVE

__all__ = ["LocosResult", "locos_oxidation", "interface_oxidant", "beak_lengths",
           "NITRIDE_LIFT"]

NITRIDE_LIFT = 0.56          # oxide above the original silicon surface per unit grown
_E_MIN = 1e-12               # m: a free column's oxide floor (bare silicon: c → 1)


@dataclass(frozen=True, kw_only=True)
class LocosResult:
    """Oxide thickness before/after (m) per column, the mask, the grown thickness of the
    open field far from any edge (m), the bird's-beak length at each mask edge (m) and
    the nitride lift (m) per column (0.56 Δe under the mask, 0 elsewhere)."""

    x: np.ndarray
    e0: np.ndarray
    e: np.ndarray
    masked: np.ndarray
    field_growth: float
    beak: list[tuple[float, float]]          # (edge position, length), one per mask edge
    lift: np.ndarray

    @property
    def growth(self) -> np.ndarray:
        return self.e - self.e0


def interface_oxidant(e: np.ndarray, masked: np.ndarray, h: float, A: float) -> np.ndarray:
    """c = C/C* at the interface of every column (the quasi-steady equation above, box
    method on spacing h, zero flux at both ends)."""
    from scipy.linalg import solve_banded

    e = np.asarray(e, float)
    n = e.size
    ef = np.maximum(e, 0.0)
    s = ef[:-1] + ef[1:]
    g = np.where(s > 0, 2.0 * ef[:-1] * ef[1:] / np.where(s > 0, s, 1.0), 0.0) / (h * h)
    free = ~np.asarray(masked, bool)
    supply = np.where(free, 1.0 / np.maximum(ef, _E_MIN), 0.0)
    diag = supply + 2.0 / A
    diag[:-1] += g
    diag[1:] += g
    ab = np.zeros((3, n))
    ab[0, 1:] = -g
    ab[1] = diag
    ab[2, :-1] = -g
    return solve_banded((1, 1), ab, supply)


def beak_lengths(x: np.ndarray, growth: np.ndarray, masked: np.ndarray,
                 field_growth: float, fraction: float = 0.1) -> list[tuple[float, float]]:
    """Per mask edge (between a free and a masked column): (edge x, bird's-beak length),
    the distance from the edge into the mask to where the grown oxide has fallen to
    ``fraction`` of the open field's growth (linear interpolation between columns)."""
    out = []
    m = np.asarray(masked, bool)
    level = fraction * field_growth
    for i in np.nonzero(m[1:] != m[:-1])[0]:
        edge = 0.5 * (x[i] + x[i + 1])
        step = 1 if m[i + 1] else -1                 # into the mask
        j = i + 1 if m[i + 1] else i
        L = 0.0                                      # shorter than half a column
        while 0 <= j < x.size and m[j]:
            prev = j - step
            if growth[j] < level:
                if m[prev]:                          # between two masked columns
                    f = (growth[prev] - level) / (growth[prev] - growth[j])
                    L = abs(x[prev] + f * (x[j] - x[prev]) - edge)
                break
            L = abs(x[j] - edge)                     # the mask ends before it falls
            j += step
        out.append((float(edge), float(L)))
    return out


def locos_oxidation(x: np.ndarray, e0: np.ndarray, masked: np.ndarray, *, duration: float,
                    temperature: Callable[[float], float], ambient: str = "wet",
                    orientation: str = "100", pressure_atm: float = 1.0,
                    rtol: float = 1e-6, nodes_per_length: float = 4.0) -> LocosResult:
    """Oxide thickness e(x) after ``duration`` s of oxidation along T(t) from ``e0``
    (m, per column on the uniform positions ``x``) with a nitride over the columns where
    ``masked`` is true.  Each column is split into r equal sub-columns so that the
    thinnest masked pad's decay length √(A e/2) at the start spans ``nodes_per_length``
    of them (r ≤ 32); the thickness of a column is the mean over its sub-columns and the
    bird's beak is measured on the sub-columns."""
    if ambient not in DEAL_GROVE:
        raise ValueError(f"unknown ambient {ambient!r}; known: {', '.join(DEAL_GROVE)}")
    x = np.asarray(x, float)
    e0 = np.maximum(np.asarray(e0, float), 0.0)
    m = np.asarray(masked, bool)
    if x.size < 2 or e0.shape != x.shape or m.shape != x.shape:
        raise ValueError("x, e0 and masked must be equal-length 1D arrays (≥ 2 columns)")
    h = float(x[1] - x[0])
    k = DEAL_GROVE[ambient]
    T0 = temperature(0.0)
    A0 = k.B(T0, pressure_atm) / k.B_over_A(T0, orientation, pressure_atm)
    pads = e0[m & (e0 > 0)]
    r = 1
    if pads.size:
        lam = math.sqrt(A0 * float(pads.min()) / 2.0)
        r = int(min(32, max(1, math.ceil(nodes_per_length * h / lam))))
    xf = x if r == 1 else (x[:, None] - 0.5 * h + (np.arange(r)[None, :] + 0.5) * h / r).ravel()
    ef0, mf = np.repeat(e0, r), np.repeat(m, r)
    fine = _grow(xf, ef0, mf, duration, temperature, k, orientation, pressure_atm, rtol)
    e = fine.reshape(x.size, r).mean(axis=1)
    field = _field_growth(ef0, fine, mf)
    beak = beak_lengths(xf, fine - ef0, mf, field)
    growth = e - e0
    return LocosResult(x=x, e0=e0, e=e, masked=m, field_growth=field, beak=beak,
                       lift=np.where(m, NITRIDE_LIFT * growth, 0.0))


def _grow(x, e0, m, duration, temperature, k, orientation, pressure_atm, rtol) -> np.ndarray:
    """e(x) at ``duration`` (the ODE above on the columns x)."""
    from scipy.integrate import solve_ivp

    h = float(x[1] - x[0])

    def rates(T):
        B = k.B(T, pressure_atm)
        BA = k.B_over_A(T, orientation, pressure_atm)
        return B / BA, BA

    def rhs(t, e):
        A, BA = rates(temperature(t))
        return BA * interface_oxidant(e, m, h, A)

    if duration <= 0:
        return e0.copy()
    sol = solve_ivp(rhs, (0.0, duration), e0, method="RK45", rtol=rtol,
                    atol=1e-6 * max(float(e0.max()), 1e-9))
    return np.maximum(sol.y[:, -1], e0)


def _field_growth(e0: np.ndarray, e: np.ndarray, m: np.ndarray) -> float:
    """Growth of the open field: the largest growth over the free columns (the one
    farthest from the mask edges grows most)."""
    free = ~m
    return float(np.max((e - e0)[free])) if free.any() else 0.0
