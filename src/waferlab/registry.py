"""One registry for everything a recipe names: surface models, process steps, study
evaluators and validation problems.

A ``Registry`` maps names to objects.  Built-in entries register themselves when their
module is imported (the registry imports its ``modules`` on first use); third-party
packages add entries through the Python entry-point group of the registry, declared in
their ``pyproject.toml``::

    [project.entry-points."waferlab.models"]
    my_model = "my_package.models"            # a module: importing it registers its models

    [project.entry-points."waferlab.models"]
    my_model = "my_package.models:MySpec"     # an object: registered under the entry's name

Groups: ``waferlab.models``, ``waferlab.steps``, ``waferlab.evaluators`` and
``waferlab.validation`` (see docs/contributing.md).  A name may be registered once: a
second, different object under the same name is a ``ValueError`` naming both owners, so a
plug-in cannot silently replace a built-in model.  A plug-in that fails to import is
reported with its entry point and left out; the built-ins keep working.  A lookup by
name (``get``: a recipe's model) imports the module its ``where`` table names for it
first, then the built-in modules in order only until the name is found; listing or testing
names loads everything, plug-ins included.

The tables are filled at import time and read-only afterwards (no run state lives here).
"""
from __future__ import annotations

import importlib
import logging
import types
from importlib import metadata
from typing import Any, Callable, Generic, Iterator, TypeVar

__all__ = ["Registry", "ENTRY_POINT_GROUPS"]

V = TypeVar("V")
F = TypeVar("F")

ENTRY_POINT_GROUPS = ("waferlab.models", "waferlab.steps", "waferlab.evaluators",
                      "waferlab.validation")
_log = logging.getLogger(__name__)


def _owner(obj: Any) -> str:
    mod = getattr(obj, "__module__", None) or type(obj).__module__
    name = getattr(obj, "__qualname__", None) or getattr(obj, "name", None) or type(obj).__name__
    return f"{mod}.{name}"


class Registry(Generic[V]):
    """Names → objects of one kind (``what``: "model", "step kind", ...), filled by the
    import of ``modules`` and by the entry points of ``group``."""

    def __init__(self, what: str, modules: tuple[str, ...] = (), group: str | None = None,
                 where: dict[str, str] | None = None):
        if group is not None and group not in ENTRY_POINT_GROUPS:
            raise ValueError(f"entry-point group {group!r}; allowed: {', '.join(ENTRY_POINT_GROUPS)}")
        self.what = what
        self.modules = modules
        self.group = group
        # built-in name → the module (of ``modules``) that registers it: a lookup imports
        # that one first (a hint only: where it is stale, the lookup goes on in order)
        self.where = dict(where or {})
        self._items: dict[str, V] = {}
        self._loaded = False
        self._loading = False

    # -- filling -----------------------------------------------------------------------
    def add(self, name: str, obj: V) -> V:
        """Register ``obj`` as ``name``; the same object twice is harmless, another is not."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"a {self.what} name is a non-empty string, not {name!r}")
        old = self._items.get(name)
        if old is not None and old is not obj:
            raise ValueError(f"{self.what} {name!r} registered twice: by {_owner(old)} "
                             f"and by {_owner(obj)}")
        self._items[name] = obj
        return obj

    def decorator(self, name: str) -> Callable[[F], F]:
        """``@registry.decorator("name")`` registers the decorated class or function."""
        def deco(obj: F) -> F:
            self.add(name, obj)  # type: ignore[arg-type]
            return obj
        return deco

    def load(self) -> None:
        """Import the built-in modules and the plug-ins' entry points (once)."""
        if self._loaded or self._loading:
            return
        self._loading = True
        try:
            for mod in self.modules:
                importlib.import_module(mod)
            if self.group is not None:
                for ep in metadata.entry_points(group=self.group):
                    self._load_entry_point(ep)
            self._loaded = True
        finally:
            self._loading = False

    def _load_until(self, name: Any) -> None:
        """Import the built-in modules in order until one has registered ``name``; the full
        :meth:`load` (every module, then the plug-ins) when none has.  A recipe's lookup of
        a built-in model imports that model's module, not all of them (a fixed cost of
        every run); any other read loads everything."""
        if self._loaded or self._loading:
            return
        self._loading = True
        try:
            hint = self.where.get(name) if isinstance(name, str) else None
            for mod in ((hint,) if hint in self.modules else ()) + self.modules:
                if isinstance(name, str) and name in self._items:
                    return
                importlib.import_module(mod)
        finally:
            self._loading = False
        if not (isinstance(name, str) and name in self._items):
            self.load()

    def _load_entry_point(self, ep: metadata.EntryPoint) -> None:
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plug-in must not break the built-ins
            _log.warning("waferlab: plug-in %s = %s (group %s) failed to import: %s",
                         ep.name, ep.value, self.group, exc)
            return
        if not isinstance(obj, types.ModuleType):   # a module registers itself on import
            self.add(ep.name, obj)

    # -- reading -----------------------------------------------------------------------
    def names(self) -> tuple[str, ...]:
        """Registered names, sorted."""
        self.load()
        return tuple(sorted(self._items))

    def __contains__(self, name: object) -> bool:
        self.load()
        return name in self._items

    def __getitem__(self, name: str) -> V:
        self.load()
        return self._items[name]

    def values(self) -> Iterator[V]:
        """Registered objects in registration order."""
        self.load()
        return iter(tuple(self._items.values()))

    def get(self, name: Any, *, path: str, known_label: str | None = None) -> V:
        """The object registered as ``name``, or a RecipeError at field ``path`` listing the
        known names."""
        from .errors import RecipeError

        self._load_until(name)
        try:
            return self._items[name]
        except (KeyError, TypeError):
            label = known_label or f"known {self.what}s"
            raise RecipeError(f"unknown {self.what} {name!r}; {label}: {', '.join(sorted(self._items))}",
                              path=path, value=name) from None
