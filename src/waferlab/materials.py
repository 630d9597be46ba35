"""Material names and per-material parameter tables.

Built-in materials: Si, SiO2, Si3N4, Mask (a generic hard mask), Resist, Polymer,
plus Vacuum (the void/ambient id).  A recipe may declare further names under
``materials:``; they get default parameters and a colour.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

__all__ = ["MaterialInfo", "BUILTIN", "material_info", "is_valid_name", "COLOR_CYCLE"]


@dataclass(frozen=True, kw_only=True)
class MaterialInfo:
    """Per-material parameters: atomic density (1/m³), mass density (kg/m³), colour for plots."""

    name: str
    atom_density: float
    mass_density: float
    color: str


BUILTIN: Mapping[str, MaterialInfo] = MappingProxyType({
    m.name: m for m in (
        MaterialInfo(name="Si", atom_density=5.02e28, mass_density=2329.0, color="#8c8c8c"),
        MaterialInfo(name="SiO2", atom_density=2.27e28, mass_density=2200.0, color="#6fa8dc"),
        MaterialInfo(name="Si3N4", atom_density=1.48e28, mass_density=3170.0, color="#93c47d"),
        MaterialInfo(name="Mask", atom_density=2.27e28, mass_density=2200.0, color="#e69138"),
        MaterialInfo(name="Resist", atom_density=1.0e28, mass_density=1200.0, color="#c27ba0"),
        MaterialInfo(name="Polymer", atom_density=1.0e28, mass_density=1500.0, color="#b4a7d6"),
    )
})

COLOR_CYCLE = ("#f6b26b", "#76a5af", "#d5a6bd", "#a2c4c9", "#ffd966", "#b6d7a8")


def is_valid_name(name: str) -> bool:
    """A user material name: letters, digits and underscores, starting with a letter."""
    return bool(name) and name[0].isalpha() and all(c.isalnum() or c == "_" for c in name)


def material_info(name: str, declared: tuple[str, ...] = ()) -> MaterialInfo:
    """Parameters of a built-in or recipe-declared material (KeyError if neither)."""
    if name in BUILTIN:
        return BUILTIN[name]
    if name in declared:
        color = COLOR_CYCLE[declared.index(name) % len(COLOR_CYCLE)]
        return MaterialInfo(name=name, atom_density=5.0e28, mass_density=2500.0, color=color)
    raise KeyError(name)
