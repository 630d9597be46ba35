"""The contract between surface models and the level-set engine.

A model gives the normal speed V_n of the top surface (m/s; V_n > 0 grows material
into the vacuum, V_n < 0 removes it) in the level-set equation
∂φ/∂t + V_n |∇φ| = 0  (Osher & Sethian, J. Comput. Phys. 79, 12, 1988).
"""
from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = ["VelocityModel", "BeamModel", "CustomStage", "FusedSteps", "HoldsLayers", "Stateful"]


@runtime_checkable
class VelocityModel(Protocol):
    """A surface model as the engine sees it.

    normal_dependent  True when V_n depends on the local normal (directional etch):
                      the engine then uses a Lax–Friedrichs flux with dissipation
                      ``max_rate`` per axis; False: Engquist–Osher upwinding.
    max_rate          an upper bound of |V_n| and of |∂V_n/∂n| (m/s) for the CFL
                      limit and the Lax–Friedrichs dissipation.
    prepare(...)      called once per time step with the current geometry (ray
                      tracing happens here); returns an opaque per-step state.
    speed(...)        V_n at query points: closest surface points of the narrow-band
                      nodes, their unit normals (into vacuum) and material indices.
    """

    normal_dependent: bool

    def max_rate(self) -> float: ...

    def prepare(self, geometry: Any, ctx: Any, t: float) -> Any: ...

    def speed(self, state: Any, points: np.ndarray, normals: np.ndarray,
              materials: np.ndarray) -> np.ndarray: ...


# ---- optional capabilities: the engine asks ``isinstance(model, Capability)`` -----------

@runtime_checkable
class BeamModel(Protocol):
    """V_n = s·max(0, c·n̂)-type beam speeds evaluated exactly (mode BEAM):
    ``beam_hamiltonian(state, materials) -> (s per node, c = −d̂, isotropic part f)``."""

    def beam_hamiltonian(self, state: Any, materials: np.ndarray) -> tuple[Any, Any, Any]: ...


@runtime_checkable
class CustomStage(Protocol):
    """A normal-dependent model with its own Runge–Kutta stage kernel, H evaluated from
    the current gradient at every stage (wet anisotropic etching):
    ``hamiltonian_stage(state, materials, cutoff, alpha) -> stage(src, base, out, band,
    dt, wa, wb, h, order, ndim, periodic)``; ``stage_bounds(d) -> (max |V_n|, α (3,))``
    bounds the speed and |∂H/∂p_i| per axis for the time step dt = cfl·h/Σ_i α_i."""

    normal_dependent: bool

    def hamiltonian_stage(self, state: Any, materials: np.ndarray, cutoff: np.ndarray,
                          alpha: np.ndarray) -> Any: ...

    def stage_bounds(self, d: int) -> tuple[float, np.ndarray]: ...


@runtime_checkable
class FusedSteps(Protocol):
    """A ``CustomStage`` model whose first-order steps run fused in one kernel call up to
    the next band rebuild: ``euler_steps(state, top, low, band, cutoff, tols, held,
    origin, h, dt, t, t_end, tiny, max_steps, move_cap, ndim, periodic) -> (steps, t,
    moved, finite)``; the engine then calls ``on_step`` once for those steps.
    ``fused_band()`` gives the band defaults (``advect.BandSettings`` fields) it needs."""

    normal_dependent: bool

    def fused_band(self) -> dict[str, float]: ...

    def euler_steps(self, state: Any, top: np.ndarray, low: np.ndarray, band: np.ndarray,
                    cutoff: np.ndarray, tols: np.ndarray, held: int, origin: Any, h: float,
                    dt: float, t: float, t_end: float, tiny: float, max_steps: int,
                    move_cap: float, ndim: int, periodic: bool) -> tuple[int, float, float, bool]: ...


@runtime_checkable
class HoldsLayers(Protocol):
    """An etch that leaves some bottom layers in place (the etch stop):
    ``held_layers(state, n_layers)`` — a bool per layer."""

    def held_layers(self, state: Any, n_layers: int) -> np.ndarray: ...


@runtime_checkable
class Stateful(Protocol):
    """A model whose per-step state carries data to the next step (coverages, ALD
    dose): ``prepare(..., carry=...)`` and ``state.carry``; ``carries_state`` is True."""

    carries_state: bool
