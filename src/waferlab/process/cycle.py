"""The ``cycle`` step: a list of steps repeated ``repeat`` times (Bosch etching,
alternating deposition, any periodic process).

    - cycle:
        repeat: 20
        steps:
          - deposit: {model: isotropic, material: Polymer, rate: 20 nm/min, time: 3 s}
          - etch: {model: directional, rates: {Si: 1 um/min}, direction: [0, -1], time: 5 s}

Cycles nest.  The runner runs the unrolled sequence (``Cycle.leaves``): every leaf step
gets its own random stream and checkpoints resume inside a cycle exactly.  The inner
steps are validated against the wafer's layers at the start of the first and of the
second repetition (a deposit adds a layer in the first one only when the material
changes, see ``LevelSetStack.merged``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from pydantic import Field

from ..errors import RecipeError
from ..recipe_io import SpecModel, validate_section
from .registry import parse_step_at, register_step

__all__ = ["Cycle", "MAX_LEAF_STEPS"]

#: Most steps a recipe may unroll to (a sanity bound on ``repeat``; each leaf step is
#: a small object and at least one time step of the engine).
MAX_LEAF_STEPS = 1_000_000


class _CycleFields(SpecModel):
    repeat: int = Field(ge=1)
    steps: list[Any] = Field(min_length=1)


@dataclass(frozen=True)
class Cycle:
    """``steps`` run in order, ``repeat`` times."""

    repeat: int
    steps: tuple[Any, ...]
    kind: str = "cycle"
    material: None = None

    @property
    def time(self) -> float:
        """Process time of the whole cycle (s)."""
        return self.repeat * sum(s.time for s in self.steps)

    def leaves(self) -> tuple[Any, ...]:
        """The unrolled sequence of plain steps (inner cycles unrolled too)."""
        once: list[Any] = []
        for s in self.steps:
            once.extend(s.leaves() if isinstance(s, Cycle) else (s,))
        return tuple(once) * self.repeat

    def _once(self, materials: tuple[str, ...]) -> tuple[str, ...]:
        for s in self.steps:
            materials = s.materials_after(materials)
        return materials

    def materials_after(self, materials: tuple[str, ...]) -> tuple[str, ...]:
        for _ in range(self.repeat):
            after = self._once(materials)
            if after == materials:          # a fixed point: further repetitions add nothing
                break
            materials = after
        return materials

    def describe(self) -> str:
        kinds = ", ".join(s.kind for s in self.steps)
        return f"cycle x{self.repeat} ({kinds}; {self.time:g} s)"

    def to_dict(self) -> dict[str, Any]:
        return {"cycle": {"repeat": self.repeat, "steps": [s.to_dict() for s in self.steps]}}

    def apply(self, wafer, ctx, *, start: tuple | None = None,
              on_step: Callable[..., None] | None = None):
        """Run every leaf step in turn (the runner unrolls cycles itself and resumes
        inside them; here ``start`` must be None)."""
        if start is not None:
            raise ValueError("a cycle resumes through its leaf steps (Recipe.leaf_steps)")
        for k, step in enumerate(self.leaves()):
            wafer = step.apply(wafer, ctx.with_(seed=int(ctx.seed_sequence("cycle", k)
                                                         .generate_state(1)[0] >> 1)),
                               on_step=on_step)
        return wafer


def _leaf_count(steps) -> int:
    return sum(s.repeat * _leaf_count(s.steps) if isinstance(s, Cycle) else 1 for s in steps)


@register_step("cycle")
def _parse_cycle(body: dict, path: str, spec, materials: tuple[str, ...]) -> Cycle:
    fields = validate_section(_CycleFields, body, path)
    first = _parse_inner(fields.steps, path, spec, materials)
    cycle = Cycle(repeat=fields.repeat, steps=first)
    n = _leaf_count((cycle,))
    if n > MAX_LEAF_STEPS:
        raise RecipeError(f"unrolls to {n} steps, more than {MAX_LEAF_STEPS}",
                          path=f"{path}.repeat", value=fields.repeat)
    after = cycle._once(materials)
    if fields.repeat > 1 and after != materials:
        _parse_inner(fields.steps, path, spec, after)     # validate the second repetition
    return cycle


def _parse_inner(raw_steps: list, path: str, spec, materials: tuple[str, ...]) -> tuple:
    out = []
    for j, raw in enumerate(raw_steps):
        out.append(parse_step_at(raw, f"{path}.steps[{j}]", spec, materials))
        materials = out[-1].materials_after(materials)
    return tuple(out)
