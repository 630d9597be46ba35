"""The Deposit and Etch steps: a named surface model driving the level-set engine.

Recipe forms (see docs/recipe.md):
    - deposit: {model: isotropic, material: SiO2, rate: 10 nm/min, time: 3 min}
    - etch:    {model: directional, rates: {Si: 20 nm/min}, direction: [0, -1], time: 1 min}
Step-level keys are ``time``, ``material`` (deposit), ``scheme`` and ``cfl``; every other
key belongs to the model named by ``model`` (see waferlab.feature.registry).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable

from pydantic import Field

from ..errors import RecipeError
from ..recipe_io import SpecModel, validate_section
from ..units import Time
from ..feature.modes import Scheme
from ..feature.registry import KeepsFilm, get_model_spec
from .registry import register_step

__all__ = ["Deposit", "Etch", "Numerics"]



class Numerics(SpecModel):
    """Level-set numerics of a step: ``scheme`` (eo: first order; weno5: higher; None: the
    model's choice, ``advect.default_scheme``) and ``cfl``."""

    scheme: Scheme | None = None
    cfl: float = Field(default=0.4, gt=0, le=0.5)


class _DepositFields(Numerics):
    material: str
    time: Time = Field(gt=0)


class _EtchFields(Numerics):
    time: Time = Field(gt=0)


def _split(body: dict[str, Any], step_keys: set[str]) -> tuple[dict, dict]:
    own = {k: v for k, v in body.items() if k in step_keys}
    model = {k: v for k, v in body.items() if k not in step_keys}
    return own, model


def _model_spec(model_data: dict[str, Any], path: str):
    if "model" not in model_data:
        from ..feature.registry import known_models
        raise RecipeError(f"needs a model ({', '.join(known_models())})", path=f"{path}.model")
    spec_cls = get_model_spec(model_data["model"], path=f"{path}.model")
    return validate_section(spec_cls, model_data, path)


def _build(spec, path: str, **kw):
    """Build the velocity model, re-raising its RecipeErrors under the step's path."""
    try:
        return spec.build(**kw)
    except RecipeError as exc:
        sub = f"{path}.{exc.path}" if exc.path else path
        raise RecipeError(exc.message, path=sub, value=exc.value) from None


def _film(model) -> str | None:
    """The film an etch model keeps on top of the wafer (``film_material``, e.g. the
    fluorocarbon polymer): added with zero thickness before the step; None: none."""
    return model.film_material if isinstance(model, KeepsFilm) else None


@dataclass(frozen=True)
class _ModelStep:
    kind: str
    time: float
    model: Any            # the model's spec (pydantic)
    numerics: Numerics
    material: str | None = None

    def materials_after(self, materials: tuple[str, ...]) -> tuple[str, ...]:
        """Layers after the step: a deposit adds its material on top, merged into the
        top layer when that holds the same material (see ``LevelSetStack.merged``)."""
        top = self.material if self.kind == "deposit" else _film(self.model)
        if top is None or (materials and materials[-1] == top):
            return materials
        return materials + (top,)

    def velocity_model(self, materials: tuple[str, ...]):
        """The engine-facing model for a wafer whose layers are ``materials``."""
        return self.model.build(kind=self.kind, materials=materials, target=self.material)

    def describe(self) -> str:
        what = f" {self.material}" if self.material else ""
        return f"{self.kind}{what} ({self.model.model}, {self.time:g} s)"

    def to_dict(self) -> dict[str, Any]:
        body = self.model.model_dump(mode="json", exclude_none=True)
        if self.material:
            body["material"] = self.material
        body["time"] = f"{self.time!r} s"
        body.update(self.numerics.model_dump(mode="json"))
        return {self.kind: body}

    def apply(self, wafer, ctx, *, start: tuple | None = None,
              on_step: Callable[..., None] | None = None):
        """Run the step on ``wafer``; ``start`` = (geometry, time done[, carry]) resumes
        mid-step (carry: what a stateful model kept, see ``advect.advance``)."""
        from ..feature.advect import advance

        if start is None:
            top = self.material if self.kind == "deposit" else _film(self.model)
            geometry = wafer.geometry
            if top is not None and (self.kind == "deposit" or geometry.materials[-1] != top):
                geometry = geometry.with_new_top(top)
            done = 0.0
            carry = None
        else:
            geometry, done, carry = (*start, None)[:3]
        wafer = replace(wafer, geometry=None)   # the input's volume: only `geometry` holds it
        model = self.velocity_model(tuple(geometry.materials))
        remaining = self.time - done
        if remaining > 0:
            # advance gets the only reference this frame holds (a caller that handed its
            # wafer over lets the engine free the input once copied, #18)
            handed = [geometry]
            del geometry
            geometry, _ = advance(handed.pop(), model, remaining, ctx, kind=self.kind,
                                  scheme=self.numerics.scheme, cfl=self.numerics.cfl,
                                  t0=done, on_step=on_step, carry0=carry)
        if self.kind == "deposit" or _film(self.model) is not None:
            geometry = geometry.merged()
        return wafer.evolve(geometry=geometry, dt=self.time, note=self.describe())


class Deposit(_ModelStep):
    """Grow a new top layer of ``material`` for ``time`` with a named model."""


class Etch(_ModelStep):
    """Remove exposed material for ``time`` with a named model (unlisted materials stay)."""


@register_step("deposit")
def _parse_deposit(body: dict, path: str, spec, materials: tuple[str, ...]):
    own, model_data = _split(body, set(_DepositFields.model_fields))
    fields = validate_section(_DepositFields, own, path)
    if fields.material not in spec.known_materials:
        raise RecipeError(f"unknown material {fields.material!r}; known: "
                          f"{', '.join(spec.known_materials)} (declare new ones under materials:)",
                          path=f"{path}.material", value=fields.material)
    model = _model_spec(model_data, path)
    _build(model, path, kind="deposit", materials=materials + (fields.material,),
           target=fields.material)
    return Deposit(kind="deposit", time=fields.time, model=model, material=fields.material,
                   numerics=Numerics(scheme=fields.scheme, cfl=fields.cfl))


@register_step("etch")
def _parse_etch(body: dict, path: str, spec, materials: tuple[str, ...]):
    own, model_data = _split(body, set(_EtchFields.model_fields))
    fields = validate_section(_EtchFields, own, path)
    model = _model_spec(model_data, path)
    film = _film(model)
    if film is not None and film in spec.known_materials and materials[-1:] != (film,):
        materials = materials + (film,)
    _build(model, path, kind="etch", materials=materials, target=None)
    return Etch(kind="etch", time=fields.time, model=model,
                numerics=Numerics(scheme=fields.scheme, cfl=fields.cfl))
