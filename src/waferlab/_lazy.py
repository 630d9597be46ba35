"""Lighter imports, for the start-up time of the ``waferlab`` command.

- :func:`lazy_attributes`: attributes of a package imported on first use (PEP 562), so
  that importing one module of a package (a sub-command's parser, a recipe's spec) does
  not import all of them.
- :func:`ckdtree`: scipy's ``cKDTree`` class without ``scipy.spatial``'s ``__init__``
  (which imports scipy.special, scipy.constants, scipy.spatial.transform and rewrites
  ~150 docstrings: ≈0.14 s CPU of every run; bench/results/startup_s15.md).
- :func:`light_numba_start`: the command only (waferlab/__init__): numba's target
  context, built at the first kernel call, checks for BLAS by importing
  ``scipy.linalg.cython_blas``, i.e. all of scipy.linalg (≈0.2 s CPU), and builds a
  ``cffi.FFI()`` for its cffi support (pycparser's tables, ≈0.05 s).  No waferlab kernel
  uses BLAS through numba nor cffi; the first is loaded alone (the same extension module,
  so a later ``import scipy.linalg`` finds it), the second left out of the command.

The same objects either way (the same extension module, the same class), so nothing
computed changes; where a package's layout is not the expected one, the ordinary import
is used.
"""
from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import sys
from types import ModuleType
from typing import Any, Callable

__all__ = ["lazy_attributes", "load_extension", "ckdtree", "light_numba_start"]


def lazy_attributes(package: str, where: dict[str, str], names: list[str]
                    ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: attribute ``name`` is imported from its
    submodule ``where[name]`` when first read; ``names`` (the package's ``__all__``) are
    listed by ``dir``."""
    def __getattr__(name: str) -> Any:
        if name in where:
            return getattr(importlib.import_module(f"{package}.{where[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(importlib.import_module(package).__dict__) | set(names))

    return __getattr__, __dir__


def _direct(name: str) -> ModuleType | None:
    """The extension module ``name`` (``package.sub._ext``), loaded from its file in its
    package's folder without running the parent package's ``__init__`` (only the top
    package is imported); None where the file is not where expected."""
    parent, _, leaf = name.rpartition(".")
    top = name.split(".", 1)[0]
    folder = os.path.join(os.path.dirname(importlib.import_module(top).__file__ or ""),
                          *parent.split(".")[1:])
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(folder, leaf + suffix)
        if os.path.isfile(path):
            loader = importlib.machinery.ExtensionFileLoader(name, path)
            spec = importlib.util.spec_from_file_location(name, path, loader=loader)
            if spec is None:
                return None
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            try:
                loader.exec_module(module)
            except BaseException:
                del sys.modules[name]
                raise
            return module
    return None


def load_extension(name: str) -> ModuleType:
    """The extension module ``name``: in the ``waferlab`` command (light_numba_start has
    run), loaded without its parent package's ``__init__`` unless the parent is imported
    already (when the parent is imported later, the module becomes its attribute, as the
    ordinary import would have made it); otherwise, and wherever the file is not where
    expected, the ordinary import."""
    if name in sys.modules:
        return sys.modules[name]
    parent, _, leaf = name.rpartition(".")
    finder = next((f for f in sys.meta_path if isinstance(f, _CommandImports)), None)
    if finder is None or parent in sys.modules or "." not in parent:
        return importlib.import_module(name)
    module = _direct(name)
    if module is None:
        return importlib.import_module(name)
    finder.children.setdefault(parent, []).append(leaf)
    return module


def ckdtree() -> type:
    """``scipy.spatial.cKDTree`` (the same class); in the command, imported without
    scipy.spatial's ``__init__`` unless scipy.spatial is imported already."""
    mod = sys.modules.get("scipy.spatial")
    if mod is not None:
        return mod.cKDTree
    try:
        return load_extension("scipy.spatial._ckdtree").cKDTree
    except (ImportError, AttributeError):                 # another scipy layout
        from scipy.spatial import cKDTree
        return cKDTree


class _Wrapped:
    """A loader that runs ``before``/``after`` around another loader's ``exec_module``."""

    def __init__(self, loader, before: Callable[[], Any], after: Callable[[ModuleType], None]):
        self.loader, self.before, self.after = loader, before, after

    def __getattr__(self, name: str) -> Any:          # get_source, is_package, resources ...
        return getattr(self.loader, name)

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        undo = self.before()
        try:
            self.loader.exec_module(module)
        finally:
            if undo is not None:
                undo()
        self.after(module)


class _CommandImports:
    """A finder (first on ``sys.meta_path``, the command only) that finds nothing itself:
    it acts when numba imports the two modules of its start-up named in
    :func:`light_numba_start`, and when a package whose extension module was loaded
    directly (:func:`load_extension`) is imported after all."""

    def __init__(self) -> None:
        self.children: dict[str, list[str]] = {}

    def _spec(self, name, path, target, before=lambda: None, after=lambda m: None):
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Wrapped(spec.loader, before, after)
                return spec
        return None

    def find_spec(self, name, path=None, target=None):
        if name == "numba.np.arraymath":            # its _check_blas(): scipy.linalg
            try:
                load_extension("scipy.linalg.cython_blas")
            except Exception:                       # noqa: BLE001 - the ordinary import then
                pass
        elif name == "numba.core.typing.cffi_utils" and "cffi" not in sys.modules:
            return self._spec(name, path, target, before=_hide_cffi)
        elif name in self.children:
            leaves = self.children.pop(name)

            def adopt(module: ModuleType) -> None:
                for leaf in leaves:
                    child = sys.modules.get(f"{name}.{leaf}")
                    if child is not None and not hasattr(module, leaf):
                        setattr(module, leaf, child)
            return self._spec(name, path, target, after=adopt)
        return None


def _hide_cffi() -> Callable[[], None]:
    """``cffi`` unimportable until the returned function runs (numba then leaves its cffi
    support off, as where cffi is not installed)."""
    sys.modules["cffi"] = None  # type: ignore[assignment]

    def undo() -> None:
        if "cffi" in sys.modules and sys.modules["cffi"] is None:
            del sys.modules["cffi"]
    return undo


def light_numba_start() -> None:
    """The ``waferlab`` command: numba's start-up without scipy.linalg's ``__init__`` and
    without cffi, and :func:`ckdtree` without scipy.spatial's (module docstring).
    Idempotent."""
    if not any(isinstance(f, _CommandImports) for f in sys.meta_path):
        sys.meta_path.insert(0, _CommandImports())
