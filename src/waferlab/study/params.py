"""Study parameters: a path into the raw recipe mapping and a distribution over its value.

A path addresses the YAML mapping as written (``steps[0].deposit.rate``).  Values keep
the unit the user wrote: a parameter given as ``{range: [5 nm/min, 15 nm/min]}`` is
sampled as a float in nm/min and written back as the string ``"12.3 nm/min"``, so the
recipe loader converts it once, like a hand-written value.

Every sampling method draws points ``u`` in the unit hypercube; :meth:`Parameter.ppf`
maps them through the inverse CDF of each distribution:

uniform      x = lo + u (hi - lo)
log-uniform  x = lo (hi/lo)^u
normal       x = mean + std Φ⁻¹(u)
truncated    normal restricted to [lo, hi]: x = mean + std Φ⁻¹(Φ(a) + u (Φ(b) - Φ(a)))
"""
from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

import numpy as np

from ..errors import RecipeError

__all__ = ["Parameter", "parse_path", "get_path", "set_path", "check_path", "apply_assignments",
           "split_quantity", "DISTRIBUTIONS", "Distribution"]


class Distribution(StrEnum):
    """The law of a study parameter (``study.parameters.<path>.distribution``)."""

    UNIFORM = "uniform"
    NORMAL = "normal"
    TRUNCATED = "truncated"
    LOG_UNIFORM = "log-uniform"


DISTRIBUTIONS = tuple(Distribution)
_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_\-]*)|\[(\d+)\]")


@lru_cache(maxsize=1024)
def parse_path(path: str) -> tuple[str | int, ...]:
    """``"steps[0].deposit.rate"`` -> ``("steps", 0, "deposit", "rate")``."""
    out: list[str | int] = []
    for i, part in enumerate(path.split(".")):
        pos, tokens = 0, []
        for m in _TOKEN.finditer(part):
            if m.start() != pos:
                break
            tokens.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
            pos = m.end()
        if pos != len(part) or not tokens or (i == 0 and isinstance(tokens[0], int)) \
                or any(isinstance(t, str) for t in tokens[1:]):
            raise RecipeError(f"{path!r} is not a parameter path; write keys joined by dots "
                              "with list indices in brackets, e.g. steps[0].deposit.rate",
                              path="study.parameters", value=path)
        out.extend(tokens)
    return tuple(out)


def _walk(data: Any, keys: tuple, path: str) -> Any:
    node = data
    for depth, key in enumerate(keys):
        here = path if depth == len(keys) - 1 else None
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            where = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys[:depth + 1])
            raise RecipeError(f"the base recipe has no {where.lstrip('.')}"
                              + (f" (needed by {path})" if here is None else ""),
                              path=f"study.parameters.{path}") from None
    return node


def get_path(data: dict, path: str) -> Any:
    """The value at ``path`` in the raw mapping (a RecipeError naming the path if absent)."""
    return _walk(data, parse_path(path), path)


def check_path(data: dict, path: str) -> None:
    """A RecipeError unless ``set_path(data, path, ...)`` would work (the key may be new)."""
    set_path(copy.deepcopy(data), path, None)


def set_path(data: dict, path: str, value: Any) -> None:
    """Set ``path`` in ``data`` in place; the parent must exist, the last key may be new."""
    keys = parse_path(path)
    parent = _walk(data, keys[:-1], path) if len(keys) > 1 else data
    last = keys[-1]
    if isinstance(last, int):
        if not isinstance(parent, list) or last >= len(parent):
            raise RecipeError(f"index [{last}] is outside the list", path=f"study.parameters.{path}")
    elif not isinstance(parent, dict):
        raise RecipeError(f"{path} does not address a mapping key", path="study.parameters")
    parent[last] = value                           # type: ignore[index]  # checked above


def apply_assignments(base: dict, assignments: tuple[tuple[str, Any], ...]) -> dict:
    """A deep copy of ``base`` with each (path, value) set; ``base`` is not changed."""
    data = copy.deepcopy(base)
    for path, value in assignments:
        set_path(data, path, value)
    return data


def split_quantity(value: Any, *, where: str) -> tuple[float, str]:
    """``"10 mTorr"`` -> (10.0, "mTorr"); a bare number -> (x, "")."""
    from ..units import UnitError, parse_quantity

    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise RecipeError(f"{value!r} is not a number or a quantity like '10 mTorr'", path=where,
                          value=value)
    if not isinstance(value, str):
        return float(value), ""
    try:
        q = parse_quantity(value)
    except UnitError as exc:
        raise RecipeError(str(exc), path=where, value=value) from None
    m = re.match(r"^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*(.*)$", value)
    unit = m.group(1).strip() if m else ""
    return float(q.magnitude), unit


def convert(value: Any, unit: str, *, where: str) -> float:
    """``value`` (number or quantity string) as a float in ``unit``."""
    from ..units import parse_quantity

    x, u = split_quantity(value, where=where)
    if u == unit:
        return x
    if not unit or not u:
        raise RecipeError(f"{value!r} mixes a bare number with a unit ({unit or u!r}); give "
                          "every value of a parameter with a unit", path=where, value=value)
    try:
        return float(parse_quantity(f"{x!r} {u}").to(parse_quantity(f"1 {unit}").units).magnitude)
    except Exception:
        raise RecipeError(f"{value!r} is not in units compatible with {unit!r}", path=where,
                          value=value) from None


@dataclass(frozen=True, kw_only=True)
class Parameter:
    """One knob: its path, distribution and the unit its float values are in."""

    path: str
    distribution: str           # one of DISTRIBUTIONS
    unit: str = ""              # the unit samples are expressed in ("" for bare numbers)
    lo: float = -math.inf       # range (uniform, log-uniform, truncated)
    hi: float = math.inf
    mean: float = math.nan      # normal, truncated
    std: float = math.nan
    levels: int | None = None   # grid points (method: grid)
    integer: bool = False       # round to whole numbers (rays_per_point, ...)

    @property
    def bounds(self) -> tuple[float, float]:
        """Search bounds for optimisation: the range, or mean ± 3 std."""
        lo = self.lo if math.isfinite(self.lo) else self.mean - 3 * self.std
        hi = self.hi if math.isfinite(self.hi) else self.mean + 3 * self.std
        return lo, hi

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF: points of the unit interval -> parameter values (see module doc);
        rounded to whole numbers for an ``integer`` parameter."""
        x = self._ppf(np.asarray(u, dtype=float))
        return np.round(x) if self.integer else x

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        if self.distribution == Distribution.UNIFORM:
            return self.lo + u * (self.hi - self.lo)
        if self.distribution == Distribution.LOG_UNIFORM:
            return self.lo * (self.hi / self.lo) ** u
        from scipy import stats

        u = np.clip(u, 1e-12, 1 - 1e-12)
        if self.distribution == Distribution.NORMAL:
            return self.mean + self.std * stats.norm.ppf(u)
        a, b = (self.lo - self.mean) / self.std, (self.hi - self.mean) / self.std
        return stats.truncnorm.ppf(u, a, b, loc=self.mean, scale=self.std)

    def chaospy(self):
        """The same distribution as a chaospy object (for polynomial chaos)."""
        import chaospy

        if self.distribution == Distribution.UNIFORM:
            return chaospy.Uniform(self.lo, self.hi)
        if self.distribution == Distribution.LOG_UNIFORM:
            return chaospy.LogUniform(math.log(self.lo), math.log(self.hi))
        if self.distribution == Distribution.NORMAL:
            return chaospy.Normal(self.mean, self.std)
        return chaospy.TruncNormal(self.lo, self.hi, self.mean, self.std)

    def recipe_value(self, x: float) -> Any:
        """The value written into the recipe: ``"12.3 nm/min"``, a bare float, or an int."""
        if self.integer:
            return f"{round(float(x))} {self.unit}" if self.unit else int(round(float(x)))
        return f"{float(x):.12g} {self.unit}" if self.unit else float(x)
