"""Process steps registered by kind, so a recipe step ``- deposit: {...}`` finds its parser.

A parser takes (the step's mapping, the field path prefix, the recipe spec, the wafer's
material names before the step) and returns a step object with ``kind``, ``time``,
``materials_after(materials)``, ``apply(wafer, ctx, ...)`` and ``to_dict()``.
"""
from __future__ import annotations

from typing import Any, Callable, Protocol, Sequence, runtime_checkable

from ..errors import RecipeError
from ..registry import Registry

__all__ = ["register_step", "parse_step", "parse_step_at", "known_steps", "initial_materials",
           "Step", "Compound", "ModelDriven", "ReactorCoupled", "HasNumerics", "HeatTreatment",
           "vertical_travel", "rate_bounds"]


@runtime_checkable
class Step(Protocol):
    """What a parser returns and the runner runs (``kind``, ``time`` in s)."""

    @property
    def kind(self) -> str: ...

    @property
    def time(self) -> float: ...

    def materials_after(self, materials: tuple[str, ...]) -> tuple[str, ...]: ...

    def describe(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...

    def apply(self, wafer: Any, ctx: Any, *, start: tuple | None = None,
              on_step: Callable[..., None] | None = None) -> Any: ...


# ---- optional capabilities: callers ask ``isinstance(step, Capability)`` -----------------

@runtime_checkable
class Compound(Protocol):
    """A step made of steps (``cycle``): ``leaves()`` is the unrolled sequence of plain steps."""

    def leaves(self) -> tuple[Any, ...]: ...


@runtime_checkable
class ModelDriven(Step, Protocol):
    """A step that moves the surface with a surface model (deposit, etch, plasma_etch):
    ``velocity_model(materials)`` is the engine-facing model for a wafer with those
    layers (for plasma_etch with placeholder fluxes); ``material`` the deposited one
    (None for an etch)."""

    @property
    def material(self) -> str | None: ...

    def velocity_model(self, materials: tuple[str, ...]) -> Any: ...


@runtime_checkable
class ReactorCoupled(Protocol):
    """A step whose fluxes come from a reactor solve (plasma_etch):
    ``couple(geometry, log, seed) -> (coupling, model spec with the solved fluxes)``; ``seed``: the
    base seed of the reactor's random streams (the step's RunContext seed)."""

    def couple(self, geometry: Any, log: Callable[[str], None] = ..., seed: int = ...) -> tuple[Any, Any]: ...


class _Numerics(Protocol):
    @property
    def scheme(self) -> str: ...

    @property
    def cfl(self) -> float: ...


@runtime_checkable
class HasNumerics(Protocol):
    """A step with level-set numerics: ``numerics.scheme`` and ``numerics.cfl``."""

    @property
    def numerics(self) -> _Numerics: ...


class _Programme(Protocol):
    @property
    def temperature(self) -> float | None: ...

    @property
    def profile(self) -> Sequence[tuple[float, float]] | None: ...


@runtime_checkable
class HeatTreatment(Protocol):
    """A step with a temperature programme (anneal, oxidize): ``spec.temperature`` (K)
    held for the step, or a ramp ``spec.profile`` [(t s, T K), ...]."""

    @property
    def kind(self) -> str: ...

    @property
    def spec(self) -> _Programme: ...

_STEP_MODULES: tuple[str, ...] = (
    "waferlab.process.steps",
    "waferlab.process.plasma_etch",
    "waferlab.process.expose",
    "waferlab.process.cycle",
    "waferlab.process.ald",
    "waferlab.process.implant",
    "waferlab.process.anneal",
    "waferlab.process.oxidize",
)
_PARSERS: Registry[Callable[..., Any]] = Registry("step kind", _STEP_MODULES, group="waferlab.steps")


def register_step(kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator registering ``parse(data, path, spec, materials) -> step`` for ``kind`` (once)."""
    return _PARSERS.decorator(kind)


def known_steps() -> tuple[str, ...]:
    """Step kinds a recipe can use (built-in and plug-in), sorted."""
    return _PARSERS.names()


def initial_materials(spec) -> tuple[str, ...]:
    """Material names of the initial structure, bottom first."""
    st = spec.structure
    if st is None:
        return ()
    names = [st.substrate.material] + [layer.material for layer in st.layers]
    if st.pattern is not None:
        names.append(st.pattern.material)
    out: list[str] = []
    for n in names:  # consecutive duplicates merge into one layer set
        if not out or out[-1] != n:
            out.append(n)
    return tuple(out)


def rate_bounds(steps: Sequence[Any], materials: tuple[str, ...]) -> list[float]:
    """The largest speed (m/s) of each step's velocity model (``steps`` as run, cycles
    unrolled, from a wafer whose layers are ``materials``): the model's ``max_rate()``;
    0 for reactor-coupled steps, steps without a model and models without a finite,
    positive bound (those are left to the run's own checks).  A repeated step on the same
    layers is built once."""
    import math

    out, seen = [], {}
    for step in steps:
        after = step.materials_after(materials)
        v = 0.0
        if isinstance(step, ModelDriven) and not isinstance(step, ReactorCoupled):
            key = (id(step), tuple(materials))
            if key not in seen:
                try:
                    model = step.velocity_model(after if step.kind == "deposit" else materials)
                    b = float(model.max_rate())
                except Exception:     # noqa: BLE001 - no bound: the run's own checks apply
                    b = 0.0
                seen[key] = b if math.isfinite(b) and b > 0 else 0.0
            v = seen[key]
        out.append(v)
        materials = after
    return out


def vertical_travel(steps: Sequence[Any], materials: tuple[str, ...]) -> float:
    """How far (m) the steps may move the surface: Σ max rate × time over the steps
    (:func:`rate_bounds`; steps without a bound add nothing)."""
    return sum(v * step.time for step, v in zip(steps, rate_bounds(steps, materials)))


def parse_step(raw: Any, index: int, spec, materials: tuple[str, ...] | None = None):
    """Parse ``steps[index]`` of a recipe into a step object (RecipeError on problems)."""
    return parse_step_at(raw, f"steps[{index}]", spec, materials)


def parse_step_at(raw: Any, path: str, spec, materials: tuple[str, ...] | None = None):
    """Parse one step mapping found at field path ``path`` (e.g. inside a cycle).  A
    known kind imports the step modules up to its own (a deposit or etch: only
    ``process.steps``), not every step module (a fixed cost of every run)."""
    if not isinstance(raw, dict) or len(raw) != 1:
        raise RecipeError(f"a step is a mapping with exactly one key, the step kind "
                          f"({', '.join(known_steps())}), e.g. '- deposit: {{...}}'",
                          path=path, value=raw)
    (kind, body), = raw.items()
    parser = _PARSERS.get(kind, path=path, known_label="known")
    if not isinstance(body, dict):
        raise RecipeError(f"the {kind} step needs a mapping of parameters", path=f"{path}.{kind}",
                          value=body)
    if "wafer_map" in body and kind != "plasma_etch":
        raise RecipeError("wafer_map needs the reactor's fluxes: it is a key of plasma_etch "
                          f"steps only, not of {kind}", path=f"{path}.{kind}.wafer_map")
    return parser(body, f"{path}.{kind}", spec,
                  initial_materials(spec) if materials is None else materials)
