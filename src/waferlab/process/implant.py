"""The implant step: ions into the wafer's own geometry, along tilted, rotated paths.

    - implant: {dopant: B, dose: 5e14 cm^-2, energy: 30 keV, tilt: 7 deg, rotation: 0 deg}

Optional keys: ``profile`` (pearson4 | gaussian), ``depth`` (how far below the lowest
silicon surface the doping grid reaches when this step creates it; default 1 µm or 3×
the range, whichever is deeper).  The physics is :mod:`waferlab.thermal.beam`: the
range moments of Gibbons, Johnson & Mylroie (1975) along each ion path, masks,
resist and oxides screening by their Si-equivalent thickness (atom-density scaling),
topography shadowing, lateral straggle.  The dopant lands on the wafer's silicon nodes
(field ``doping``, :mod:`waferlab.process.doping`); the dose stopped elsewhere is
booked as ``dose_lost_m2``.  The step takes no process time.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from ..errors import RecipeError
from ..recipe_io import SpecModel, validate_section
from ..units import Angle, AreaDose, Energy, Length
from .registry import register_step

__all__ = ["ImplantSpec", "Implant"]


class ImplantSpec(SpecModel):
    """Recipe keys of an implant step (SI after parsing; angles in rad)."""

    dopant: str
    dose: AreaDose = Field(gt=0)
    energy: Energy = Field(gt=0)
    tilt: Angle = Field(default=0.0, ge=0, lt=1.5)
    rotation: Angle = 0.0
    profile: Literal["pearson4", "gaussian"] = "pearson4"
    depth: Length | None = Field(default=None, gt=0)

    @property
    def energy_keV(self) -> float:
        from ..constants import EV
        return self.energy / (1e3 * EV)


def substrate_background(spec) -> dict[str, float]:
    """The recipe's substrate doping (m⁻³ per dopant; {} when none is given)."""
    st = spec.structure
    return dict(st.substrate.doping or {}) if st is not None else {}


def ensure_doping(wafer, background: dict[str, float], depth: float):
    """The wafer's doping, or a new doping grid holding the substrate ``background``."""
    from .doping import doping_of, new_doping

    d = doping_of(wafer)
    return d if d is not None else new_doping(wafer.geometry, background, depth=depth)


@dataclass(frozen=True)
class Implant:
    spec: ImplantSpec
    background: tuple[tuple[str, float], ...] = ()
    kind: str = "implant"
    time: float = 0.0

    def materials_after(self, materials: tuple[str, ...]) -> tuple[str, ...]:
        return materials

    def describe(self) -> str:
        s = self.spec
        return (f"implant {s.dopant} {s.dose * 1e-4:.3g} cm^-2 at {s.energy_keV:.4g} keV, "
                f"tilt {s.tilt * 57.29577951308232:.3g} deg")

    def to_dict(self) -> dict[str, Any]:
        return {"implant": self.spec.model_dump(mode="json", exclude_none=True)}

    def apply(self, wafer, ctx, *, start=None, on_step=None):
        import numpy as np

        from ..thermal.beam import implant_on_grid
        from ..thermal.implant import implanted_species, range_moments
        from ..thermal.pairs import hobler_moroz_plus_n
        from ..thermal.run import ION_MASS_AMU
        from .doping import node_materials, silicon_fraction, with_doping

        s = self.spec
        m = range_moments(s.dopant, s.energy_keV)
        depth = s.depth if s.depth is not None else max(1e-6, 3 * (m.Rp + 4 * m.dRp))
        d = ensure_doping(wafer, dict(self.background), depth)
        g = wafer.geometry
        idx, rho, _ = node_materials(g, d.z0, d.shape[-1])
        mats = np.array(list(g.materials) + ["<vacuum>"])
        si = mats[idx] == "Si"
        c = implant_on_grid(rho, si, d.spacing, m, s.dose, tilt=s.tilt, rotation=s.rotation,
                            periodic=g.grid.periodic, shape=s.profile,
                            si_fraction=silicon_fraction(g, d.z0, d.shape[-1]))
        sp = implanted_species(s.dopant)
        conc = dict(d.conc)
        conc[sp] = conc.get(sp, np.zeros(d.shape)) + c
        area = float(np.prod(g.grid.extent))
        in_si = float(c.sum()) * d.spacing ** g.grid.dimension / area
        lost = dict(d.lost_m2)
        lost[sp] = lost.get(sp, 0.0) + s.dose - in_si
        d = d.replace(conc=conc, damage=d.damage + c,
                      damage_n=d.damage_n + hobler_moroz_plus_n(ION_MASS_AMU[s.dopant],
                                                                s.energy_keV) * c,
                      lost_m2=lost)
        return with_doping(wafer, d, note=self.describe())


@register_step("implant")
def _parse(body: dict, path: str, spec, materials: tuple[str, ...]) -> Implant:
    from ..thermal.implant import TABLE_DOPANTS, range_moments

    if isinstance(body.get("dopant"), str) and body["dopant"] not in TABLE_DOPANTS:
        raise RecipeError(f"implant dopant {body['dopant']!r} unknown; known: "
                          f"{', '.join(TABLE_DOPANTS)}", path=f"{path}.dopant",
                          value=body["dopant"])
    s = validate_section(ImplantSpec, body, path)
    try:
        range_moments(s.dopant, s.energy_keV)
    except ValueError as exc:
        raise RecipeError(str(exc), path=f"{path}.energy", value=body.get("energy")) from None
    if "Si" not in materials:
        raise RecipeError("an implant needs silicon on the wafer (no Si layer before this step)",
                          path=path)
    return Implant(spec=s, background=tuple(sorted(substrate_background(spec).items())))
