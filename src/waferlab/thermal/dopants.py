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

__all__ = ["Arrhenius", "Dopant", "DOPANTS", "DOPANTS_TSUPREM4", "CALIBRATIONS", "dopant",
           "ni_si", "charge_neutral_n"]


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
    via_I/via_V the charged components of the interstitial and vacancy paths
                (default: ``charged`` split by f_I); used by the five-stream model
    """

    name: str
    charge: int
    intrinsic: Arrhenius
    charged: tuple[tuple[int, Arrhenius], ...]
    f_I: float
    via_I: tuple[tuple[int, Arrhenius], ...] | None = None
    via_V: tuple[tuple[int, Arrhenius], ...] | None = None

    def path_weights(self, T: float) -> tuple[tuple[tuple[int, float], ...], ...]:
        """((k, w_k) of the I path, (k, w_k) of the V path), normalised so that all
        weights of both paths sum to 1: D_path(n) = D_int Σ_k w_k (n/ni)^k."""
        if self.via_I is None:
            w = self.fermi_weights(T)
            paths = (tuple((k, v * self.f_I) for k, v in w),
                     tuple((k, v * (1 - self.f_I)) for k, v in w))
            return paths
        wi = [(k, a(T)) for k, a in self.via_I]
        wv = [(k, a(T)) for k, a in (self.via_V or ())]
        s = sum(v for _, v in wi) + sum(v for _, v in wv)
        return tuple((k, v / s) for k, v in wi), tuple((k, v / s) for k, v in wv)

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


def _tsuprem4() -> Mapping[str, Dopant]:
    """TSUPREM-4's default dopant diffusivities (TSUPREM-4 User Guide, Appendix A; the same
    numbers are FLOOXS's silicon defaults), split into interstitial and vacancy paths:
    B DIX.0 0.743, DIP.0 0.617, DVX.0 0.186, DVP.0 0.154 cm²/s, all 3.56 eV (I fraction
    0.8); P through interstitials only (Fair's components); As DIX.0 0.0666 cm²/s 3.45 eV,
    DVM.0 12.8 cm²/s 4.05 eV.  Sb as in ``DOPANTS``."""
    B = Dopant(name="B", charge=-1, intrinsic=_arr(1.7, 3.56), f_I=0.8,
               charged=((0, _arr(0.929, 3.56)), (-1, _arr(0.771, 3.56))),
               via_I=((0, _arr(0.743, 3.56)), (-1, _arr(0.617, 3.56))),
               via_V=((0, _arr(0.186, 3.56)), (-1, _arr(0.154, 3.56))))
    P0 = DOPANTS["P"]
    P = Dopant(name="P", charge=1, intrinsic=P0.intrinsic, f_I=1.0, charged=P0.charged,
               via_I=P0.charged, via_V=())
    As = Dopant(name="As", charge=1, intrinsic=_arr(9.17, 3.99), f_I=0.4,
                charged=((0, _arr(0.0666, 3.45)), (1, _arr(12.8, 4.05))),
                via_I=((0, _arr(0.0666, 3.45)),), via_V=((1, _arr(12.8, 4.05)),))
    return MappingProxyType({"B": B, "P": P, "As": As, "Sb": DOPANTS["Sb"]})


DOPANTS_TSUPREM4 = _tsuprem4()
CALIBRATIONS: Mapping[str, Mapping[str, Dopant]] = MappingProxyType(
    {"plummer": DOPANTS, "tsuprem4": DOPANTS_TSUPREM4})


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
