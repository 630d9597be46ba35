"""User-facing errors.  Every one names the field path, the value and what is allowed."""
from __future__ import annotations

from typing import Any, Iterable

__all__ = ["WaferlabError", "RecipeError", "SimulationError", "field_path", "from_validation_error",
           "short_repr"]


def short_repr(value: Any, limit: int = 80) -> str:
    """``repr(value)`` cut to about ``limit`` characters (an error never echoes a whole input)."""
    try:
        text = repr(value)
    except Exception:                      # pragma: no cover - a broken __repr__
        text = f"<{type(value).__name__}>"
    if len(text) <= limit:
        return text
    return f"{text[:limit - 20]}...({len(text)} characters)"


class WaferlabError(Exception):
    """Base of the errors waferlab reports to the user without a traceback (exit code 2)."""


class RecipeError(WaferlabError, ValueError):
    """A recipe (or CLI input) that cannot be run: ``steps[1].etch.rates.Si: ...``."""

    def __init__(self, message: str, *, path: str = "", value: Any = None):
        self.path = path
        self.value = value
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class SimulationError(WaferlabError, RuntimeError):
    """A run that had to stop: NaN, a CFL violation, a grid that left memory."""


def field_path(loc: Iterable[Any]) -> str:
    """Render a pydantic location tuple as ``steps[1].etch.rates.Si``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's internal tags (function-before[...], union member names)."""
    return tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))


def from_validation_error(exc, prefix: str = "") -> RecipeError:
    """Convert a pydantic ``ValidationError`` into one short :class:`RecipeError` paragraph."""
    lines = []
    errors = exc.errors(include_url=False)
    for err in errors:
        path = field_path(((prefix,) if prefix else ()) + _clean_loc(tuple(err["loc"])))
        msg = err["msg"]
        ctx_err = err.get("ctx", {}).get("error")
        if ctx_err is not None:
            msg = str(ctx_err)
        for tag in ("Value error, ", "Assertion failed, "):
            msg = msg.replace(tag, "")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; see docs/recipe.md for the allowed keys)"
        elif err["type"] == "missing":
            msg = "is required but missing"
        val = err.get("input")
        shown = "" if err["type"] in ("missing",) or isinstance(val, dict) \
            else f" (got {short_repr(val)})"
        msg = msg if len(msg) <= 300 else msg[:280] + "..."
        lines.append(f"{path}: {msg}{shown}" if path else f"{msg}{shown}")
    return RecipeError("\n".join(lines[:8]) + ("\n..." if len(lines) > 8 else ""),
                       value=errors[0].get("input")) if lines else RecipeError(str(exc))
