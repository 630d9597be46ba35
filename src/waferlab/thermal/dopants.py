"""Dopants in silicon: type, intrinsic Arrhenius diffusivity, charged-species split.

Intrinsic diffusivity D = D0 exp(-Ea/kT) (Plummer, Deal & Griffin, *Silicon VLSI
Technology*, 2000, ch. 7, Table 7-5 "intrinsic"): B 1.0 cm²/s, 3.5 eV; P 4.70, 3.68;
As 9.17, 3.99; Sb 4.58, 3.88.

Concentration dependence through charged point-defect pairs (Fair's model; R. B. Fair
in *Impurity Doping Processes in Silicon*, ed. F. F. Y. Wang, North-Holland 1981;
components as in Plummer et al. 2000, Table 7-5):

    D(n) = D0' + D-'(n/ni) + D='(n/ni)² + D+'(p/ni)

We keep the *shape* of this sum and scale it so that D(n = ni) equals the intrinsic
D above (or the recipe's override): D(n) = D_int · Σ_k w_k (n/ni)^k / Σ_k w_k with
w_k(T) the Arrhenius components listed in ``CHARGED``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np

from ..constants import EV, K_B

__all__ = ["Arrhenius", "Dopant", "DOPANTS", "dopant", "ni_si", "charge_neutral_n"]


@dataclass(frozen=True, kw_only=True)
class Arrhenius:
    """D = D0 exp(-Ea / k T); D0 in m²/s, Ea in J."""

    D0: float
    Ea: float

    def __call__(self, T: float) -> float:
        return self.D0 * math.exp(-self.Ea / (K_B * T))


def _arr(D0_cm2s: float, Ea_eV: float) -> Arrhenius:
    return Arrhenius(D0=D0_cm2s * 1e-4, Ea=Ea_eV * EV)


@dataclass(frozen=True, kw_only=True)
class Dopant:
    """A dopant species in silicon.

    charge      +1 donor, -1 acceptor
    intrinsic   intrinsic diffusivity (Arrhenius)
    charged     ((power k, Arrhenius w_k), ...): D ∝ Σ w_k (n/ni)^k (Fair)
    f_I         interstitial fraction of the diffusion mechanism (TED coupling)
    """

    name: str
    charge: int
    intrinsic: Arrhenius
    charged: tuple[tuple[int, Arrhenius], ...]
    f_I: float

    def fermi_weights(self, T: float) -> tuple[tuple[int, float], ...]:
        """Normalised weights w_k/Σw of the charged components at temperature T."""
        w = [(k, a(T)) for k, a in self.charged]
        s = sum(v for _, v in w)
        return tuple((k, v / s) for k, v in w)


# f_I: Plummer et al. (2000) Table 7-6: B ~ 1 (0.8-1.0), P ~ 1, As ~ 0.4, Sb ~ 0.02.
DOPANTS: Mapping[str, Dopant] = MappingProxyType({
    d.name: d for d in (
        Dopant(name="B", charge=-1, intrinsic=_arr(1.0, 3.5), f_I=1.0,
               charged=((0, _arr(0.037, 3.46)), (-1, _arr(0.72, 3.46)))),
        Dopant(name="P", charge=+1, intrinsic=_arr(4.70, 3.68), f_I=1.0,
               charged=((0, _arr(3.85, 3.66)), (1, _arr(4.44, 4.00)), (2, _arr(44.2, 4.37)))),
        Dopant(name="As", charge=+1, intrinsic=_arr(9.17, 3.99), f_I=0.4,
               charged=((0, _arr(0.066, 3.44)), (1, _arr(12.0, 4.05)))),
        Dopant(name="Sb", charge=+1, intrinsic=_arr(4.58, 3.88), f_I=0.02,
               charged=((0, _arr(0.214, 3.65)), (1, _arr(15.0, 4.08)))),
    )
})


def dopant(name: str) -> Dopant:
    """The dopant called ``name``; a ValueError lists the known ones."""
    try:
        return DOPANTS[name]
    except KeyError:
        raise ValueError(f"unknown dopant {name!r}; known: {', '.join(DOPANTS)}") from None


def ni_si(T: float) -> float:
    """Intrinsic carrier density of Si (m⁻³): ni = 3.87e16 T^1.5 exp(-0.605 eV/kT) cm⁻³
    (Morin & Maita, Phys. Rev. 96, 28, 1954; the form used by Plummer et al. 2000, ch. 7;
    ni(1000 °C) ≈ 7.1e18 cm⁻³)."""
    return 3.87e22 * T ** 1.5 * math.exp(-0.605 * EV / (K_B * T))


def charge_neutral_n(net_donor: np.ndarray, ni: float) -> np.ndarray:
    """Electron density from charge neutrality n - p = N_D - N_A, n p = ni² (all ionised):
    n = N/2 + sqrt((N/2)² + ni²), written to avoid cancellation for N << 0."""
    half = 0.5 * np.asarray(net_donor, dtype=float)
    root = np.sqrt(half * half + ni * ni)
    return np.where(half >= 0, half + root, ni * ni / np.maximum(root - half, 1e-300))
