"""Wafer: the state a recipe transforms (geometry + simulated time + history)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

__all__ = ["Wafer"]


@dataclass(frozen=True, eq=False)
class Wafer:
    """Immutable wafer state.

    geometry  the material level sets (:class:`waferlab.feature.levelset.LevelSetStack`)
    time      simulated process time so far (s)
    history   one short description per completed step
    fields    extra per-run data later scales attach (e.g. doping), by name
    """

    geometry: Any
    time: float = 0.0
    history: tuple[str, ...] = ()
    fields: tuple[tuple[str, Any], ...] = ()

    @property
    def materials(self) -> tuple[str, ...]:
        return tuple(self.geometry.materials)

    def evolve(self, *, geometry: Any = None, dt: float = 0.0, note: str | None = None,
               fields: tuple[tuple[str, Any], ...] = ()) -> "Wafer":
        """A new wafer with the geometry replaced, time advanced, a history note and
        extra named fields added."""
        return replace(self,
                       geometry=self.geometry if geometry is None else geometry,
                       time=self.time + dt,
                       history=self.history + ((note,) if note else ()),
                       fields=self.fields + tuple(fields))
