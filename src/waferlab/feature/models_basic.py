"""Isotropic and directional surface models (no particle transport).

isotropic    V_n = +r (deposit) or V_n = −R_m for exposed material m (etch)
directional  V_n = ±R_m [(1 − f)·max(0, −n·d̂) + f], d̂ the unit beam direction, f the
             isotropic fraction (Osher & Sethian, J. Comput. Phys. 79, 12, 1988; the
             directional model of ViennaPS ``DirectionalProcess``).
Deposition moves only the new top layer; etching moves the listed materials only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

import numpy as np
from pydantic import field_validator

from ..errors import RecipeError
from ..recipe_io import SpecModel
from ..units import Dimensionless, Rate
from .registry import register_model

__all__ = ["IsotropicSpec", "DirectionalSpec", "IsotropicVelocity", "DirectionalVelocity"]


def _rates_vector(kind: str, rate: float | None, rates: dict[str, float] | None,
                  materials: tuple[str, ...], target: str | None) -> np.ndarray:
    """Signed speed per layer index: deposit +rate on every layer, etch −rates[m]."""
    if kind == "deposit":
        if rate is None:
            raise RecipeError("a deposit step needs 'rate' (e.g. rate: 10 nm/min)", path="rate")
        if rates is not None:
            raise RecipeError("a deposit step takes one 'rate', not 'rates'", path="rates")
        return np.full(len(materials), float(rate))
    if kind != "etch":
        raise ValueError(f"kind = {kind!r}: allowed deposit, etch")
    if rates is None:
        raise RecipeError("an etch step needs 'rates' per material (e.g. rates: {Si: 10 nm/min})",
                          path="rates")
    if rate is not None:
        raise RecipeError("an etch step takes 'rates' per material, not one 'rate'", path="rate")
    for name in rates:
        if name not in materials:
            raise RecipeError(f"material {name!r} is not on the wafer; its materials are: "
                              f"{', '.join(materials)}", path=f"rates.{name}", value=name)
    return np.array([-float(rates.get(m, 0.0)) for m in materials])


def _check_rate_values(v):
    if v is None:
        return v
    vals = v.values() if isinstance(v, dict) else [v]
    for x in vals:
        if x < 0:
            raise ValueError(f"rate {x!r} m/s must be >= 0")
    return v


class IsotropicSpec(SpecModel):
    """``{model: isotropic, rate: 10 nm/min}`` (deposit) / ``rates: {Si: 10 nm/min}`` (etch)."""

    model: Literal["isotropic"]
    rate: Optional[Rate] = None
    rates: Optional[dict[str, Rate]] = None

    _nonneg = field_validator("rate", "rates")(classmethod(lambda cls, v: _check_rate_values(v)))

    def build(self, *, kind: str, materials: tuple[str, ...], target: str | None = None):
        return IsotropicVelocity(layer_speed=_rates_vector(kind, self.rate, self.rates,
                                                           tuple(materials), target))


class DirectionalSpec(SpecModel):
    """``{model: directional, rates: {Si: 20 nm/min}, direction: [0, -1], isotropic_fraction: 0}``."""

    model: Literal["directional"]
    rate: Optional[Rate] = None
    rates: Optional[dict[str, Rate]] = None
    direction: Optional[tuple[float, ...]] = None
    isotropic_fraction: Dimensionless = 0.0

    _nonneg = field_validator("rate", "rates")(classmethod(lambda cls, v: _check_rate_values(v)))

    @field_validator("isotropic_fraction")
    @classmethod
    def _frac(cls, v):
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"isotropic_fraction {v!r} must be in [0, 1]")
        return v

    @field_validator("direction")
    @classmethod
    def _dir(cls, v):
        if v is None:
            return v
        if len(v) not in (2, 3) or not all(np.isfinite(v)) or float(np.linalg.norm(v)) == 0:
            raise ValueError(f"direction {list(v)} must be a non-zero vector of 2 (2D) or 3 (3D) "
                             "components, e.g. [0, -1]")
        return v

    def build(self, *, kind: str, materials: tuple[str, ...], target: str | None = None):
        return DirectionalVelocity(layer_speed=_rates_vector(kind, self.rate, self.rates,
                                                             tuple(materials), target),
                                   direction=self.direction,
                                   isotropic_fraction=float(self.isotropic_fraction))


register_model("isotropic")(IsotropicSpec)
register_model("directional")(DirectionalSpec)


@dataclass(frozen=True, kw_only=True)
class IsotropicVelocity:
    """V_n = layer_speed[material] (m/s; > 0 deposits, < 0 etches)."""

    layer_speed: np.ndarray
    normal_dependent: bool = False

    def max_rate(self) -> float:
        return float(np.max(np.abs(self.layer_speed))) if self.layer_speed.size else 0.0

    def prepare(self, geometry, ctx, t):
        n = geometry.n_layers
        s = np.zeros(n)
        s[:min(n, len(self.layer_speed))] = self.layer_speed[:n]
        if n > len(self.layer_speed):          # layers added later: same speed as the top
            s[len(self.layer_speed):] = self.layer_speed[-1] if self.layer_speed.size else 0.0
        return s

    def held_layers(self, state, n_layers):
        """Layers this step does not move (speed 0): an etch stops on them."""
        return np.asarray(state)[:n_layers] == 0.0

    def speed(self, state, points, normals, materials):
        return state[materials]


@dataclass(frozen=True, kw_only=True)
class DirectionalVelocity:
    """V_n = s_m [(1 − f)·max(0, −n·d̂) + f]; s_m the signed rate of material m."""

    layer_speed: np.ndarray
    direction: tuple[float, ...] | None = None
    isotropic_fraction: float = 0.0
    normal_dependent: bool = True

    def max_rate(self) -> float:
        return float(np.max(np.abs(self.layer_speed))) if self.layer_speed.size else 0.0

    def prepare(self, geometry, ctx, t):
        d = geometry.grid.dimension
        if self.direction is None:
            dvec = np.zeros(d)
            dvec[-1] = -1.0
        else:
            if len(self.direction) != d:
                raise RecipeError(f"direction {list(self.direction)} has {len(self.direction)} "
                                  f"components; a {d}D grid needs {d}", path="direction",
                                  value=list(self.direction))
            dvec = np.asarray(self.direction, dtype=np.float64)
        return IsotropicVelocity.prepare(self, geometry, ctx, t), dvec / np.linalg.norm(dvec)

    def held_layers(self, state, n_layers):
        """Layers this step does not move (speed 0): an etch stops on them."""
        return np.asarray(state[0])[:n_layers] == 0.0

    def beam_hamiltonian(self, state, materials):
        """(s per node, c = −d̂, f): the engine evaluates H(p) = s[(1 − f)·max(0, c·p)
        + f|p|] itself, so that walls parallel to the beam stay exactly in place."""
        from ._step_kernels import take_rates      # numba only once a step runs

        s, dvec = state
        return take_rates(np.asarray(s, dtype=np.float64), materials), -dvec, \
            self.isotropic_fraction

    def speed(self, state, points, normals, materials):
        s, dvec = state
        f = self.isotropic_fraction
        cn = (normals * dvec).sum(axis=1)        # not normals @ dvec: BLAS threads would spin
        return s[materials] * ((1.0 - f) * np.maximum(0.0, -cn) + f)
