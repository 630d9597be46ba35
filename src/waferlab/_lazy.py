"""Attributes of a package imported on first use (PEP 562), so that importing one module
of a package (a sub-command's parser, a recipe's spec) does not import all of them."""
from __future__ import annotations

import importlib
from typing import Any, Callable

__all__ = ["lazy_attributes"]


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
