"""Core sub-commands: ``run``, ``demo``, ``info``."""
from __future__ import annotations

import argparse
import platform
from importlib.metadata import PackageNotFoundError, version

__all__ = ["add_cli"]

_DEPS = ("numpy", "scipy", "numba", "pint", "pydantic", "scikit-fmm", "scikit-image",
         "meshio", "matplotlib", "rich", "xarray", "gdstk", "dask", "distributed")


def _info(args: argparse.Namespace) -> int:
    from . import __version__
    from .context import RunContext

    print(f"waferlab {__version__}  (Python {platform.python_version()}, {platform.machine()})")
    for dep in _DEPS:
        try:
            v = version(dep)
        except PackageNotFoundError:
            v = "not installed"
        print(f"  {dep:14s} {v}")
    import numba

    print(f"  threads        {RunContext.available_threads()} cores, numba {numba.config.NUMBA_NUM_THREADS} threads")
    return 0


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="version, dependencies and threads")
    p.set_defaults(func=_info)
