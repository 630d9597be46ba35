"""Process steps registered by kind, so a recipe step ``- deposit: {...}`` finds its parser.

A parser takes (the step's mapping, the field path prefix, the recipe spec, the wafer's
material names before the step) and returns a step object with ``kind``, ``time``,
``materials_after(materials)``, ``apply(wafer, ctx, ...)`` and ``to_dict()``.
"""
from __future__ import annotations

from typing import Any, Callable

from ..errors import RecipeError
from ..registry import Registry

__all__ = ["register_step", "parse_step", "parse_step_at", "known_steps", "initial_materials"]

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


def parse_step(raw: Any, index: int, spec, materials: tuple[str, ...] | None = None):
    """Parse ``steps[index]`` of a recipe into a step object (RecipeError on problems)."""
    return parse_step_at(raw, f"steps[{index}]", spec, materials)


def parse_step_at(raw: Any, path: str, spec, materials: tuple[str, ...] | None = None):
    """Parse one step mapping found at field path ``path`` (e.g. inside a cycle)."""
    kinds = known_steps()
    if not isinstance(raw, dict) or len(raw) != 1:
        raise RecipeError(f"a step is a mapping with exactly one key, the step kind "
                          f"({', '.join(kinds)}), e.g. '- deposit: {{...}}'", path=path, value=raw)
    (kind, body), = raw.items()
    if kind not in _PARSERS:
        raise RecipeError(f"unknown step kind {kind!r}; known: {', '.join(kinds)}",
                          path=path, value=kind)
    if not isinstance(body, dict):
        raise RecipeError(f"the {kind} step needs a mapping of parameters", path=f"{path}.{kind}",
                          value=body)
    if "wafer_map" in body and kind != "plasma_etch":
        raise RecipeError("wafer_map needs the reactor's fluxes: it is a key of plasma_etch "
                          f"steps only, not of {kind}", path=f"{path}.{kind}.wafer_map")
    return _PARSERS[kind](body, f"{path}.{kind}", spec,
                          initial_materials(spec) if materials is None else materials)
