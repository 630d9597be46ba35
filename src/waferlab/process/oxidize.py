"""The oxidize step: thermal oxidation consuming the wafer's silicon in the level sets.

    - oxidize: {ambient: wet, temperature: 1000 degC, time: 20 min}

Optional keys: ``pressure`` (oxidant partial pressure, default 1 atm), ``orientation``
(100 | 111), ``model``/``calibration``/``diffusivity``/``rtol`` for the dopant
diffusion during the step (as in ``anneal``), and ``profile`` instead of
temperature/time.

Growth is uniform Deal–Grove (Deal & Grove, J. Appl. Phys. 36, 3770, 1965; rate
constants of :mod:`waferlab.thermal.oxidation`): one thickness increment Δx for every
silicon surface the oxidant reaches, starting from the oxide already on that silicon
(the median normal thickness over the exposed silicon surface).  Oxide of thickness Δx
consumes 0.44 Δx of silicon (molar volumes): the silicon interface moves in by 0.44 Δx
and the oxide's outer surface out by 0.56 Δx,

    φ_Si ← φ_Si + 0.44 Δx·a,   φ_(Si+SiO2) ← φ_(Si+SiO2) − 0.56 Δx·a,

both along their normals (exact offsets of signed distances where a = 1), with a = 1
where the surface is free (oxide or vacuum on its outer side) and 0 where another
solid (mask, nitride, resist) covers it, extended from the surface along its normal.
A ``SiO2`` layer is inserted above the silicon when there is none.

LOCOS (2D, planar silicon with an oxidant-blocking film — nitride, resist, mask — on
the oxide over part of it): the oxide thickness of every column comes from
:func:`waferlab.thermal.locos.locos_oxidation` (Deal–Grove per column with the oxidant
diffusing sideways through the pad oxide under the mask: the bird's beak), and each
column moves vertically: the silicon down by 0.44 Δe(x), the oxide top and whatever
lies on it (the nitride, lifted) up by 0.56 Δe(x).  The step records the open field's
oxide, the bird's-beak length at each mask edge and the largest nitride lift.  Dopants diffuse during the step on
the silicon of the start; the dopant in the consumed silicon is removed and booked in
``dose_lost_m2`` (segregation and oxidation-enhanced diffusion are not modelled).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import Field

from ..errors import RecipeError
from ..units import Pressure
from .anneal import AnnealSpec, check_program, diffuse_on_wafer, program, sync_silicon
from .registry import register_step

__all__ = ["OxidizeSpec", "Oxidize", "oxidize_geometry", "exposed_factor", "oxidation_metrics"]


class OxidizeSpec(AnnealSpec):
    ambient: Literal["dry", "wet"] = "dry"
    pressure: Pressure = Field(default=101325.0, gt=0)
    orientation: Literal["100", "111"] = "100"


def _blocking(geometry) -> np.ndarray:
    """Nodes of a solid other than Si and SiO2 (masks, nitride, resist)."""
    phi = geometry.phi
    inside = phi < 0
    idx = np.where(inside.any(axis=0), np.argmax(inside, axis=0), -1)
    out = np.zeros(idx.shape, bool)
    for k, m in enumerate(geometry.materials):
        if m not in ("Si", "SiO2"):
            out |= idx == k
    return out


def exposed_factor(phi: np.ndarray, blocking: np.ndarray) -> np.ndarray:
    """a ∈ {0, 1} on the nodes: whether the nearest node just outside the surface φ = 0
    (a node with φ ≥ 0 next to one with φ < 0) is free (oxide or vacuum: 1) or held by
    a blocking solid (0); every node takes the value of its nearest such surface node
    (a constant extension along the normal)."""
    from scipy.ndimage import binary_dilation, distance_transform_edt

    inside = phi < 0
    outer = ~inside & binary_dilation(inside)
    if not outer.any():
        return np.ones(phi.shape)
    _, ind = distance_transform_edt(~outer, return_indices=True)
    a_s = np.where(blocking, 0.0, 1.0)
    return a_s[tuple(ind)]


def oxidize_geometry(geometry, *, duration: float, Tfun, ambient: str, orientation: str,
                     pressure_atm: float):
    """(new geometry, initial oxide thickness, grown thickness Δx, LOCOS read-out or
    None) of a Deal–Grove oxidation of ``geometry``'s exposed silicon (uniform, or
    LOCOS where a mask edge asks for it)."""
    from ..feature.reinit import reinitialise
    from ..thermal.oxidation import SI_CONSUMED, grow_oxide

    mats = list(geometry.materials)
    if "Si" not in mats:
        raise ValueError("no silicon to oxidise")
    k = mats.index("Si")
    h = geometry.grid.spacing
    if k + 1 >= len(mats) or mats[k + 1] != "SiO2":
        geometry = geometry.replace(phi=np.insert(geometry.phi, k + 1, geometry.phi[k], axis=0),
                                    materials=tuple(mats[:k + 1] + ["SiO2"] + mats[k + 1:]))
    locos = _locos_columns(geometry, k)
    if locos is not None:
        return _oxidize_locos(geometry, k, locos, duration=duration, Tfun=Tfun,
                              ambient=ambient, orientation=orientation,
                              pressure_atm=pressure_atm)
    phi = geometry.phi
    a = exposed_factor(phi[k], _blocking(geometry))
    # oxide thickness normal to the silicon: φ_Si − φ_(Si+SiO2) at oxide nodes within h
    # of the silicon (exact between planar or concentric interfaces)
    near = (phi[k] >= 0) & (phi[k] < h) & (phi[k + 1] <= 0) & (a > 0.5)
    x0 = float(np.median(phi[k][near] - phi[k + 1][near])) if near.any() else 0.0
    x0 = 0.0 if x0 < 0.25 * h else x0          # below the grid's resolution: bare silicon
    x1 = grow_oxide(duration, Tfun, ambient=ambient, orientation=orientation, initial=x0,
                    pressure_atm=pressure_atm)
    dx = x1 - x0
    lo, hi = geometry.z_range
    geometry = geometry.with_window(lo - SI_CONSUMED * dx - 4 * h, hi + dx + 4 * h)
    phi = geometry.phi.copy()
    block = _blocking(geometry)
    a_si, a_ox = exposed_factor(phi[k], block), exposed_factor(phi[k + 1], block)
    phi[k] = reinitialise(phi[k] + SI_CONSUMED * dx * a_si, geometry.grid)
    phi[k + 1] = reinitialise(phi[k + 1] - (1.0 - SI_CONSUMED) * dx * a_ox, geometry.grid)
    if k:                                             # layers below the silicon
        phi[:k] = np.maximum(phi[:k], phi[k][None])
    phi = np.minimum.accumulate(phi, axis=0)          # each layer contains those below
    return geometry.replace(phi=np.ascontiguousarray(phi)), x0, dx, None


def _locos_columns(geometry, k: int):
    """(Si heights, oxide-top heights, masked columns) when the LOCOS model applies: a
    2D wafer whose silicon top is planar (within 2 h) with a blocking solid on the
    oxide over some columns but not all; else None."""
    from ..feature.metrics import column_heights

    if geometry.grid.dimension != 2 or k + 2 > len(geometry.materials) - 1:
        return None
    h = geometry.grid.spacing
    z = geometry.z_coords
    zs, zo, zt = (column_heights(geometry, j) for j in (k, k + 1, -1))
    if not (np.all(np.isfinite(zs)) and np.all(np.isfinite(zo)) and np.all(np.isfinite(zt))):
        return None
    if np.ptp(zs) > 2 * h:
        return None
    block = _blocking(geometry)
    iz = np.clip(np.searchsorted(z, zo + 0.75 * h), 0, z.size - 1)
    masked = (zt - zo > 0.5 * h) & block[np.arange(zo.size), iz]
    if not masked.any() or masked.all():
        return None
    return zs, zo, masked


def _shift_columns(phi: np.ndarray, z: np.ndarray, d: np.ndarray) -> np.ndarray:
    """φ of the same 2D shape with column j translated up by d[j] (down when < 0)."""
    out = np.empty_like(phi)
    for j in range(phi.shape[0]):
        out[j] = np.interp(z - d[j], z, phi[j])
    return out


def _oxidize_locos(geometry, k, cols, *, duration, Tfun, ambient, orientation, pressure_atm):
    from ..feature.reinit import reinitialise
    from ..thermal.locos import NITRIDE_LIFT, locos_oxidation
    from ..thermal.oxidation import SI_CONSUMED

    zs, zo, masked = cols
    h = geometry.grid.spacing
    x = geometry.grid.lateral_coords(0)
    e0 = np.maximum(zo - zs, 0.0)
    e0 = np.where(e0 < 0.25 * h, 0.0, e0)       # below the grid's resolution: bare silicon
    res = locos_oxidation(x, e0, masked, duration=duration, temperature=Tfun, ambient=ambient,
                          orientation=orientation, pressure_atm=pressure_atm)
    grown = res.growth
    lo, hi = geometry.z_range
    geometry = geometry.with_window(lo - SI_CONSUMED * grown.max() - 4 * h,
                                    hi + grown.max() + 4 * h)
    z = geometry.z_coords
    phi = geometry.phi.copy()
    for j in range(phi.shape[0]):
        d = -SI_CONSUMED * grown if j <= k else NITRIDE_LIFT * grown
        phi[j] = reinitialise(_shift_columns(phi[j], z, d), geometry.grid)
    phi = np.minimum.accumulate(phi, axis=0)
    free = ~masked
    x0 = float(np.median(e0[free]))
    info = {"field_oxide_m": float(np.max(res.e[free])),
            "beak_lengths_m": [L for _, L in res.beak],
            "mask_edges_m": [xe for xe, _ in res.beak],
            "nitride_lift_max_m": float(res.lift.max())}
    return geometry.replace(phi=np.ascontiguousarray(phi)), x0, res.field_growth, info


@dataclass(frozen=True)
class Oxidize:
    spec: OxidizeSpec
    kind: str = "oxidize"

    @property
    def time(self) -> float:
        return program(self.spec)[0]

    def materials_after(self, materials: tuple[str, ...]) -> tuple[str, ...]:
        m = list(materials)
        if "Si" in m:
            k = m.index("Si")
            if k + 1 >= len(m) or m[k + 1] != "SiO2":
                m.insert(k + 1, "SiO2")
        return tuple(m)

    def describe(self) -> str:
        dur, T = program(self.spec)
        return f"oxidize {self.spec.ambient} ({dur:g} s at {T(0.0) - 273.15:.4g} degC)"

    def to_dict(self) -> dict[str, Any]:
        return {"oxidize": self.spec.model_dump(mode="json", exclude_none=True)}

    def apply(self, wafer, ctx, *, start=None, on_step=None):
        from .doping import doping_of, with_doping

        s = self.spec
        dur, Tfun = program(s)
        d = doping_of(wafer)
        if d is not None:
            d = diffuse_on_wafer(d, wafer.geometry, s, dur, Tfun)
        try:
            geometry, x0, dx, locos = oxidize_geometry(wafer.geometry, duration=dur, Tfun=Tfun,
                                                ambient=s.ambient, orientation=s.orientation,
                                                pressure_atm=s.pressure / 101325.0)
        except ValueError as exc:
            raise RecipeError(str(exc)) from None
        note = f"{self.describe()}: oxide {x0 * 1e9:.4g} -> {(x0 + dx) * 1e9:.4g} nm"
        rec = ("oxidation", {"initial_m": x0, "grown_m": dx, "final_m": x0 + dx,
                             **(locos or {})})
        if locos:
            note += "; bird's beak " + ", ".join(f"{L * 1e9:.4g}" for L in
                                                  locos["beak_lengths_m"]) + " nm"
        if on_step is not None:
            on_step(dur, dur, geometry)
        if d is None:
            return wafer.evolve(geometry=geometry, dt=dur, note=note, fields=(rec,))
        d, _ = sync_silicon(d, geometry)
        w = with_doping(wafer.evolve(geometry=geometry), d, dt=dur, note=note)
        return w.evolve(fields=(rec,))


def oxidation_metrics(wafer) -> dict[str, Any]:
    """The last oxidize step's oxide (m) and, for LOCOS, the bird's-beak length per mask
    edge and the largest nitride lift (m); {} without an oxidize step."""
    recs = [v for k, v in wafer.fields if k == "oxidation"]
    if not recs:
        return {}
    r = recs[-1]
    out = {"oxide_grown_m": r["grown_m"], "oxide_final_m": r["final_m"]}
    if "beak_lengths_m" in r:
        out.update(birds_beak_lengths_m=list(r["beak_lengths_m"]),
                   birds_beak_length_m=float(np.mean(r["beak_lengths_m"])),
                   nitride_lift_max_m=r["nitride_lift_max_m"],
                   field_oxide_m=r["field_oxide_m"])
    return out


@register_step("oxidize")
def _parse(body: dict, path: str, spec, materials: tuple[str, ...]) -> Oxidize:
    if "Si" not in materials:
        raise RecipeError("oxidize needs silicon on the wafer", path=path)
    return Oxidize(spec=check_program(body, OxidizeSpec, path))
