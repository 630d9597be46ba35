"""Diffusion models (registry): ``intrinsic``, ``fermi``, ``ted``.

* intrinsic: D = D0 exp(-Ea/kT) per dopant (Plummer, Deal & Griffin 2000, ch. 7).
* fermi: Fair's charged-species model; D(n) = D_int Σ w_k (n/ni)^k / Σ w_k with n from
  charge neutrality, and the built-in field: flux -D(∇C + C ∇ψ), ψ = ±ln(n/ni)
  (+ donors, - acceptors), which for one dopant gives the field factor
  h = 1 + C/√(C² + 4ni²) (R. B. Fair, in *Impurity Doping Processes in Silicon*,
  North-Holland 1981).
* ted: the "+1" transient-enhanced-diffusion model (M. D. Giles, J. Electrochem. Soc.
  138, 1160, 1991): each implanted ion leaves one excess interstitial.  The excess
  interstitial density ΔC_I (field ``I``, m⁻³) diffuses with D_I and recombines at the
  surface (ΔC_I = 0 there); a dopant diffuses with D_int (1 + f_I ΔC_I/C_I*), C_I* =
  (D_I C_I*)/D_I.  Free interstitials only (no {311} clustering), so the integrated
  enhancement ∫ΔC_I dt/C_I* ∝ exp(+(4.84 - 1.77) eV/kT) grows steeply at low
  temperature: use it at furnace temperatures (>= ~750 °C), not for ramps from 600 °C.  Defaults:
  D_I C_I* = 914 exp(-4.84 eV/kT) × 5e22 cm⁻¹ s⁻¹ and D_I = 51 exp(-1.77 eV/kT) cm²/s
  (Bracht, Stolwijk & Mehrer, Phys. Rev. B 52, 16542, 1995, as used by
  Plummer et al. 2000 ch. 7); literature values scatter by several times — override.
"""
from __future__ import annotations


from dataclasses import dataclass, field
from typing import Mapping, Protocol

import numpy as np

from .dopants import DOPANTS, Arrhenius, Dopant, charge_neutral_n, ni_si

__all__ = ["DiffusionModel", "Intrinsic", "Fermi", "TED", "MODELS", "make_model",
           "INTERSTITIAL", "DEFAULT_DI", "DEFAULT_DICI"]

INTERSTITIAL = "I"
DEFAULT_DI = Arrhenius(D0=51.0e-4, Ea=1.77 * 1.602176634e-19)
DEFAULT_DICI = Arrhenius(D0=914.0 * 5e22 * 1e2, Ea=4.84 * 1.602176634e-19)  # 1/(m s)


class DiffusionModel(Protocol):
    nonlinear: bool

    def field_order(self, names: list[str]) -> list[str]: ...

    def state_dependent(self, name: str) -> bool: ...

    def surface_values(self) -> dict[str, float]: ...

    def coefficients(self, name: str, T: float, state: Mapping[str, np.ndarray]
                     ) -> tuple[np.ndarray | float, np.ndarray | None]: ...


@dataclass(frozen=True, kw_only=True)
class Intrinsic:
    """Arrhenius diffusivity per dopant; ``override`` replaces the built-in table."""

    override: Mapping[str, Arrhenius] = field(default_factory=dict)
    table: Mapping[str, Dopant] = field(default_factory=lambda: DOPANTS)
    nonlinear = False

    def dopant(self, name: str) -> Dopant:
        try:
            return self.table[name]
        except KeyError:
            raise ValueError(f"unknown dopant {name!r}; known: {', '.join(self.table)}") from None

    def d_int(self, name: str, T: float) -> float:
        a = self.override.get(name) or self.dopant(name).intrinsic
        return a(T)

    def field_order(self, names):
        return list(names)

    def state_dependent(self, name):
        return False

    def surface_values(self) -> dict[str, float]:
        """Fields held at a fixed value on the silicon surface (Dirichlet)."""
        return {}

    def coefficients(self, name, T, state):
        return self.d_int(name, T), None


@dataclass(frozen=True, kw_only=True)
class Fermi(Intrinsic):
    """Fair's concentration-dependent model (see module docstring)."""

    nonlinear = True

    def state_dependent(self, name):
        return True

    def coefficients(self, name, T, state):
        ni = ni_si(T)
        net = sum(self.dopant(k).charge * np.maximum(v, 0.0) for k, v in state.items()
                  if k != INTERSTITIAL)
        n = charge_neutral_n(net, ni)
        r = n / ni
        d = self.dopant(name)
        shape = sum(w * r ** k for k, w in d.fermi_weights(T))
        return self.d_int(name, T) * shape, d.charge * np.log(r)


@dataclass(frozen=True, kw_only=True)
class TED(Intrinsic):
    """+1 model: field ``I`` holds the excess interstitial density ΔC_I (m⁻³)."""

    DI: Arrhenius = DEFAULT_DI
    DICI: Arrhenius = DEFAULT_DICI

    def field_order(self, names):
        return [INTERSTITIAL] + [k for k in names if k != INTERSTITIAL]

    def state_dependent(self, name):
        return name != INTERSTITIAL

    def surface_values(self):
        return {INTERSTITIAL: 0.0}     # the surface is a perfect sink

    def ci_star(self, T: float) -> float:
        """Equilibrium interstitial density C_I* = (D_I C_I*)/D_I (m⁻³)."""
        return self.DICI(T) / self.DI(T)

    def coefficients(self, name, T, state):
        if name == INTERSTITIAL:
            return self.DI(T), None
        S = np.maximum(state.get(INTERSTITIAL, 0.0), 0.0) / self.ci_star(T)
        return self.d_int(name, T) * (1.0 + self.dopant(name).f_I * S), None


MODELS = {"intrinsic": Intrinsic, "fermi": Fermi, "ted": TED}


def make_model(name: str, override: Mapping[str, Arrhenius] | None = None, *,
               calibration: str = "plummer") -> DiffusionModel:
    """Build the model called ``name`` with the dopant table ``calibration`` (``plummer``
    or ``tsuprem4``, see dopants.py); ValueError lists the known ones."""
    from .dopants import CALIBRATIONS

    if name not in MODELS:
        raise ValueError(f"unknown diffusion model {name!r}; known: {', '.join(MODELS)}")
    if calibration not in CALIBRATIONS:
        raise ValueError(f"unknown calibration {calibration!r}; known: {', '.join(CALIBRATIONS)}")
    return MODELS[name](override=dict(override or {}), table=CALIBRATIONS[calibration])



