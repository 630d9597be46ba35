"""The ``waferlab`` command line.

Sub-commands are contributed by the packages: each module listed in ``_PLUGINS``
has ``add_cli(subparsers)`` that adds its parser and sets ``func(args) -> int``.
A :class:`~waferlab.errors.WaferlabError` is printed as one paragraph with exit code
2; a traceback is shown only with ``--debug``.
"""
from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from .errors import WaferlabError

__all__ = ["main", "build_parser"]

_PLUGINS = (
    "waferlab.cli_core",
    "waferlab.study.cli",
    "waferlab.litho.cli",
    "waferlab.reactor.cli",
    "waferlab.thermal.cli",
    "waferlab.validation.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="waferlab",
        description="waferlab: recipe -> plasma -> fluxes -> profile.  See docs/recipe.md.")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _PLUGINS:
        importlib.import_module(name).add_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except WaferlabError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"waferlab {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
