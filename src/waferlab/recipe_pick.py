"""Pick one step of a process recipe for a single-purpose command.

``waferlab image`` images the ``expose`` step of a ``waferlab run`` recipe and
``waferlab reactor`` solves the ``reactor:`` of its ``plasma_etch`` step: the first such
step is taken (``index`` picks another), and the caller names it to the user.
"""
from __future__ import annotations

from typing import Any

from .errors import RecipeError

__all__ = ["pick_step"]


def pick_step(data: dict[str, Any], kind: str, *, command: str,
              index: int | None = None) -> tuple[dict[str, Any], str]:
    """(body, label) of the ``kind`` step of the process recipe ``data``.

    ``index`` (0-based position in ``steps``) picks that step, which must be a ``kind``;
    without it the first ``kind`` step is taken.  The label is ``steps[i].kind`` plus
    "(first of n)" when there are several.  RecipeError when there is none."""
    steps = data.get("steps")
    if not isinstance(steps, list):
        raise RecipeError(f"`waferlab {command}` needs its own recipe sections or a process "
                          f"recipe (`steps:`) with a `{kind}` step", path="steps", value=steps)
    found = [i for i, st in enumerate(steps) if isinstance(st, dict) and kind in st]
    if index is not None:
        if index not in found:
            raise RecipeError(f"steps[{index}] is not a `{kind}` step; the `{kind}` steps are "
                              f"{', '.join(f'steps[{i}]' for i in found) or 'none'}",
                              path=f"steps[{index}]", value=index)
        found = [index]
    if not found:
        kinds = [next(iter(st)) for st in steps if isinstance(st, dict) and st]
        raise RecipeError(f"the recipe has no `{kind}` step for `waferlab {command}` "
                          f"(its steps: {', '.join(kinds) or 'none'})", path="steps",
                          value=kinds)
    i = found[0]
    body = steps[i][kind]
    if not isinstance(body, dict):
        raise RecipeError(f"steps[{i}].{kind} must be a mapping", path=f"steps[{i}].{kind}",
                          value=body)
    label = f"steps[{i}].{kind}"
    others = [j for j in (j for j, st in enumerate(steps)
                          if isinstance(st, dict) and kind in st) if j != i]
    if index is None and others:
        label += f" (first of {len(others) + 1})"
    return body, label
