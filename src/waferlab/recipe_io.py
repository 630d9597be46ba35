"""Reading recipe files: safe YAML and section validation with clear errors."""
from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import RecipeError, from_validation_error

__all__ = ["load_yaml", "validate_section", "SpecModel"]

M = TypeVar("M", bound=BaseModel)


class SpecModel(BaseModel):
    """Base of every recipe section: frozen, unknown keys refused."""

    model_config = {"extra": "forbid", "frozen": True}


def load_yaml(source: str | Path) -> dict[str, Any]:
    """Load a recipe file (or YAML text) with ``yaml.safe_load``; the top level must be a mapping."""
    path = Path(source) if not isinstance(source, str) or "\n" not in source else None
    if path is not None:
        if not path.is_file():
            raise RecipeError(f"recipe file {str(path)!r} does not exist")
        text = path.read_text(encoding="utf-8")
    else:
        text = str(source)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RecipeError(f"not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise RecipeError(f"a recipe is a mapping of keys (name, grid, structure, steps, ...); "
                          f"got {type(data).__name__}")
    return data


def validate_section(model: type[M], data: Any, prefix: str = "") -> M:
    """Validate ``data`` against a pydantic model; errors become a :class:`RecipeError`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, prefix) from None
