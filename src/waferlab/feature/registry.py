"""Surface models registered by name, so a recipe can say ``model: isotropic``.

A model registers a *spec* class: a frozen pydantic model (``SpecModel``) holding the
model's recipe parameters with units, a ``model: Literal["name"]`` field, and

    build(self, *, kind, materials, target) -> VelocityModel

kind       "deposit" or "etch"
materials  the wafer's material names, bottom layer first (after a deposit step has
           added its new top layer, that layer is last)
target     the deposited material name (deposit) or None (etch)

Deposition speeds are positive and move only the new top layer; etch speeds are
negative, per exposed material (unlisted materials do not move).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Protocol, Sequence, TypeVar, runtime_checkable

from pydantic import BaseModel

from ..registry import Registry

if TYPE_CHECKING:
    from .flux.engine import Species

__all__ = ["register_model", "get_model_spec", "known_models", "KeepsFilm", "EtchTargets",
           "TracesFluxes"]


# ---- optional capabilities of a model spec: callers ask ``isinstance(spec, Capability)`` ----

@runtime_checkable
class KeepsFilm(Protocol):
    """An etch model that keeps a film on top of the wafer (the fluorocarbon polymer):
    ``film_material``, added with zero thickness before the step."""

    @property
    def film_material(self) -> str: ...


@runtime_checkable
class EtchTargets(Protocol):
    """An etch model that names the materials it etches (``etched``; the open-area
    fraction of ``plasma_etch`` loading counts them)."""

    @property
    def etched(self) -> Sequence[str] | None: ...


@runtime_checkable
class TracesFluxes(Protocol):
    """A built model that traces particle fluxes (every flux-based model,
    ``TracedTransport``): ``species()``, the species traced first (what ``waferlab flux``
    probes; empty: none from the engine's sources), and ``rays_per_point``."""

    def species(self) -> Sequence[Species]: ...

    @property
    def rays_per_point(self) -> int: ...


# Modules whose import registers models.  Read-only after import.
_MODEL_MODULES: tuple[str, ...] = (
    "waferlab.feature.models_basic",
    "waferlab.feature.flux.models",
    "waferlab.feature.etch_models",
    "waferlab.feature.deposition_models",
    "waferlab.feature.fluorocarbon",
    "waferlab.feature.bosch",
    "waferlab.feature.etch_chemistries",
    "waferlab.feature.wet_etch",
    "waferlab.feature.ion_beam",
)
# which of those registers each built-in model: a recipe's lookup imports only that one
# (tests/test_registry_where.py checks the table against the modules)
_MODEL_WHERE: dict[str, str] = {
    **dict.fromkeys(("directional", "isotropic"), "waferlab.feature.models_basic"),
    **dict.fromkeys(("multi_particle", "single_particle"), "waferlab.feature.flux.models"),
    **dict.fromkeys(("ion_enhanced", "sf6o2"), "waferlab.feature.etch_models"),
    **dict.fromkeys(("cvd", "pecvd"), "waferlab.feature.deposition_models"),
    "fluorocarbon": "waferlab.feature.fluorocarbon",
    "sf6c4f8": "waferlab.feature.bosch",
    **dict.fromkeys(("cf4o2", "hbro2"), "waferlab.feature.etch_chemistries"),
    "wet_anisotropic": "waferlab.feature.wet_etch",
    "ion_beam": "waferlab.feature.ion_beam",
}
_MODELS: Registry[type[BaseModel]] = Registry("model", _MODEL_MODULES, group="waferlab.models",
                                              where=_MODEL_WHERE)


T = TypeVar("T", bound=type[BaseModel])


def register_model(name: str) -> Callable[[T], T]:
    """Class decorator: register a model spec class under ``name`` (once)."""
    return _MODELS.decorator(name)


def known_models() -> tuple[str, ...]:
    """Names of all registered surface models (built-in and plug-in), sorted."""
    return _MODELS.names()


def get_model_spec(name: str, *, path: str = "model") -> type[BaseModel]:
    """The spec class registered as ``name``; a RecipeError listing the known ones otherwise."""
    return _MODELS.get(name, path=path, known_label="known models")
