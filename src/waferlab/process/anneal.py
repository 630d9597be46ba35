"""The anneal step: dopant diffusion in the wafer's silicon (2D cross-section or 3D).

    - anneal: {temperature: 1000 degC, time: 20 min, model: fermi}
    - anneal: {profile: [[0 s, 600 degC], [9 s, 1050 degC], [19 s, 600 degC]], model: ted}

Keys as in the ``thermal:`` section's anneal (docs/thermal.md): ``model`` (intrinsic,
fermi, ted, five_stream), ``calibration``, ``diffusivity`` overrides, and ``rtol``.
The equations and solvers are those of :mod:`waferlab.thermal` (box method with
Scharfetter–Gummel fluxes, TR-BDF2; five-stream: BDF2/Newton), run on the silicon
nodes of the wafer grid (:class:`waferlab.thermal.gridmesh.GridMesh`): only silicon
diffuses and every silicon surface — to vacuum, oxide, mask or resist — is a
zero-flux boundary for the dopants and the point-defect sink of the TED models.
Before the anneal, the doping grid is deepened when the diffusion length
√(∫D dt) (intrinsic D, ×3 for the concentration-dependent models) would reach its
bottom; dopant on nodes that are no longer silicon (etched, oxidised) is removed and
booked in ``dose_lost_m2``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator

from ..errors import RecipeError, SimulationError
from ..recipe_io import SpecModel, validate_section
from ..units import Temperature, Time
from .registry import register_step

__all__ = ["AnnealSpec", "Anneal", "diffuse_on_wafer", "sync_silicon"]

MODELS = ("intrinsic", "fermi", "ted", "five_stream")


class AnnealSpec(SpecModel):
    """Recipe keys of an anneal step (SI after parsing)."""

    temperature: Temperature | None = Field(default=None, gt=0)
    time: Time | None = Field(default=None, gt=0)
    profile: list[tuple[Time, Temperature]] | None = None
    model: Literal[MODELS] = "fermi"          # type: ignore[valid-type]
    calibration: Literal["plummer", "tsuprem4"] | None = None
    diffusivity: dict[str, Any] = {}
    rtol: float = Field(default=1e-3, gt=0, lt=1)

    @field_validator("diffusivity")
    @classmethod
    def _dk(cls, v):
        from ..thermal.spec import DiffusivitySpec, _check_dopant
        return {_check_dopant(k): DiffusivitySpec.model_validate(x) for k, x in v.items()}


def check_program(body: dict, spec_cls, path: str):
    """Validate a step with temperature/time or a ramp ``profile``; a profile that goes
    back in time (or does not start at 0 s) names the offending entry."""
    from ..units import to_si

    prof = body.get("profile")
    if isinstance(prof, list):
        last = None
        for i, pt in enumerate(prof):
            if not (isinstance(pt, (list, tuple)) and len(pt) == 2):
                raise RecipeError("a profile point is [time, temperature], e.g. [10 s, 900 degC]",
                                  path=f"{path}.profile[{i}]", value=pt)
            try:
                t = to_si(pt[0], "time")
            except Exception:
                break                        # the schema names the bad unit below
            if i == 0 and t != 0:
                raise RecipeError("a temperature profile starts at 0 s",
                                  path=f"{path}.profile[0]", value=pt[0])
            if last is not None and t <= last:
                raise RecipeError(f"the ramp goes back in time: {pt[0]} is not after the "
                                  f"previous point ({last:g} s); times must increase",
                                  path=f"{path}.profile[{i}]", value=pt[0])
            last = t
        if last is not None and len(prof) < 2:
            raise RecipeError("a temperature profile needs at least 2 points",
                              path=f"{path}.profile", value=prof)
    s = validate_section(spec_cls, body, path)
    hold = s.temperature is not None and s.time is not None
    if s.profile is None and not hold:
        missing = "temperature" if s.temperature is None else "time"
        raise RecipeError("give temperature and time, or a profile [[t, T], ...]",
                          path=f"{path}.{missing}")
    if s.profile is not None and (s.temperature is not None or s.time is not None):
        raise RecipeError("give either temperature/time or a profile, not both",
                          path=f"{path}.profile")
    return s


def program(s) -> tuple[float, Any]:
    """(duration s, T(t) K) of a hold or a piecewise-linear profile (the thermal layer's
    :func:`waferlab.thermal.run.temperature_program`)."""
    from ..thermal.run import temperature_program

    return temperature_program(s)


def sync_silicon(d, geometry):
    """Doping with the dopant on nodes that are no longer silicon removed (booked as lost)."""
    from .doping import silicon_nodes

    si = silicon_nodes(geometry, d)
    area = float(np.prod(geometry.grid.extent))
    cell = d.spacing ** geometry.grid.dimension
    lost = dict(d.lost_m2)
    conc = {}
    for k, c in d.conc.items():
        excess = np.maximum(c - d.background.get(k, 0.0), 0.0)
        gone = float(np.sum(np.where(si, 0.0, excess))) * cell / area
        if gone:
            lost[k] = lost.get(k, 0.0) + gone
        conc[k] = np.where(si, c, 0.0)
    return d.replace(conc=conc, damage=np.where(si, d.damage, 0.0),
                     damage_n=np.where(si, d.damage_n, 0.0), lost_m2=lost), si


def _deepen(d, geometry, duration: float, Tfun, model: str, calibration: str):
    """Add rows at the bottom of the doping grid (substrate background) when the
    diffusion length would reach it."""
    from ..thermal.models import Intrinsic, make_model

    if not d.conc:
        return d
    m = make_model("intrinsic", calibration=calibration)
    assert isinstance(m, Intrinsic)               # the "intrinsic" model has d_int
    ts = np.linspace(0.0, duration, 65)
    L = 0.0
    for k in d.conc:
        Dt = float(np.sum([m.d_int(k, Tfun(t)) for t in ts]) * duration / ts.size)
        L = max(L, math.sqrt(max(Dt, 0.0)))
    L *= 1.0 if model == "intrinsic" else 3.0
    z = d.z
    deepest = z[-1]
    for k, c in d.conc.items():
        ex = np.abs(c - d.background.get(k, 0.0) * (c > 0))
        rows = np.nonzero(ex.max(axis=tuple(range(c.ndim - 1))) > 1e-4 * max(ex.max(), 1e-300))[0]
        if rows.size:
            deepest = min(deepest, z[rows[0]])
    need = deepest - 6.0 * L - 4 * d.spacing
    add = int(math.ceil((z[0] - need) / d.spacing))
    if add <= 0:
        return d
    pad = [(0, 0)] * (d.damage.ndim - 1) + [(add, 0)]
    conc = {k: np.pad(c, pad, mode="edge") for k, c in d.conc.items()}
    return d.replace(z0=d.z0 - add * d.spacing, conc=conc, damage=np.pad(d.damage, pad),
                     damage_n=np.pad(d.damage_n, pad))


def diffuse_on_wafer(d, geometry, s, duration: float, Tfun):
    """Anneal the doping ``d`` on ``geometry``'s silicon for ``duration`` along T(t)."""
    from ..thermal.diffusion import TimeStepping, anneal
    from ..thermal.gridmesh import GridMesh
    from ..thermal.models import INTERSTITIAL, make_model
    from ..thermal.newton import NewtonStepping
    from ..thermal.ted import five_stream_anneal
    from ..thermal.dopants import Arrhenius

    five = s.model == "five_stream"
    cal = s.calibration or ("tsuprem4" if five else "plummer")
    d = _deepen(d, geometry, duration, Tfun, s.model, cal)
    d, si = sync_silicon(d, geometry)
    if not d.conc or duration <= 0:
        return d
    mesh = GridMesh(active=si, spacing=d.spacing, periodic=geometry.grid.periodic)
    fields = {k: mesh.gather(c) for k, c in d.conc.items()}
    override = {k: Arrhenius(D0=v.D0, Ea=v.Ea) for k, v in s.diffusivity.items()}
    ted = d.ted
    if five:
        res = five_stream_anneal(mesh, fields, duration=duration, temperature=Tfun,
                                 excess=mesh.gather(d.damage_n), calibration=cal,
                                 override=override,
                                 numerics=NewtonStepping(rtol=s.rtol))
        out, steps = res.conc, res.steps
        ted = {}
        for k in res.mean_D:
            t, cum = res.enhancement_integral(k)
            ted[k] = {"enhanced_Dt_m2": float(cum[-1])}
    else:
        model = make_model(s.model, override, calibration=cal)
        if s.model == "ted":
            fields[INTERSTITIAL] = mesh.gather(d.damage)
        ares = anneal(mesh, fields, model, duration=duration, temperature=Tfun,
                      numerics=TimeStepping(rtol=s.rtol))
        out, steps = ares.fields, ares.steps
    conc = {k: mesh.scatter(np.maximum(out[k], 0.0)) for k in d.conc}
    zero = np.zeros(d.shape)
    return d.replace(conc=conc, damage=zero, damage_n=zero.copy(),
                     time_steps=d.time_steps + int(steps), ted=ted)


@dataclass(frozen=True)
class Anneal:
    spec: AnnealSpec
    kind: str = "anneal"

    @property
    def time(self) -> float:
        return program(self.spec)[0]

    def materials_after(self, materials: tuple[str, ...]) -> tuple[str, ...]:
        return materials

    def describe(self) -> str:
        dur, T = program(self.spec)
        return (f"anneal {self.spec.model} ({dur:g} s, peak "
                f"{max(T(t) for t in np.linspace(0, dur, 33)) - 273.15:.4g} degC)")

    def to_dict(self) -> dict[str, Any]:
        return {"anneal": self.spec.model_dump(mode="json", exclude_none=True)}

    def apply(self, wafer, ctx, *, start=None, on_step=None):
        from .doping import doping_of, with_doping

        dur, Tfun = program(self.spec)
        d = doping_of(wafer)
        if d is None:
            return wafer.evolve(dt=dur, note=self.describe() + " (no dopant)")
        try:
            d = diffuse_on_wafer(d, wafer.geometry, self.spec, dur, Tfun)
        except SimulationError as exc:
            raise SimulationError(f"step {self.describe()}: {exc}") from None
        if on_step is not None:
            on_step(dur, dur, wafer.geometry)
        return with_doping(wafer, d, dt=dur, note=self.describe())


@register_step("anneal")
def _parse(body: dict, path: str, spec, materials: tuple[str, ...]) -> Anneal:
    return Anneal(spec=check_program(body, AnnealSpec, path))
