"""The ``waferlab`` command line.

Sub-commands are contributed by the packages: each module listed in ``_PLUGINS``
has ``add_cli(subparsers)`` that adds its parser and sets ``func(args) -> int``.

Exit codes (docs/cli.md): 0 success; 1 ``validate``/``study`` finished but some check
or sample failed; 2 an error the user can fix (bad input, a refused output folder, a
run that had to stop, a full disk), printed as ONE line ``waferlab CMD: error: ...``;
3 an internal error (a bug: one line, the traceback with ``--debug``); 130 interrupted
(Ctrl-C).  A traceback is shown only with ``--debug``.
"""
from __future__ import annotations

import argparse
import errno
import gc
import importlib
import sys
import traceback

from .errors import WaferlabError

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_FAILED", "EXIT_ERROR", "EXIT_INTERNAL",
           "EXIT_INTERRUPTED", "one_line", "resume_collector"]

EXIT_OK, EXIT_FAILED, EXIT_ERROR, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
MAX_MESSAGE = 1000

_PLUGINS = (
    "waferlab.cli_core",
    "waferlab.study.cli",
    "waferlab.litho.cli",
    "waferlab.reactor.cli",
    "waferlab.thermal.cli",
    "waferlab.validation.cli",
)

# the plug-in that adds each sub-command: ``waferlab COMMAND ...`` builds only that one's
# parser (importing every plug-in's costs ~0.02 s of CPU a run); tests/test_cli_commands.py
# checks the table against the plug-ins
_COMMANDS = {
    **dict.fromkeys(("run", "demo", "flux", "info"), "waferlab.cli_core"),
    "study": "waferlab.study.cli", "image": "waferlab.litho.cli",
    "reactor": "waferlab.reactor.cli", "thermal": "waferlab.thermal.cli",
    "validate": "waferlab.validation.cli",
}


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit code 2) instead of usage + error."""

    def error(self, message: str):
        self.exit(EXIT_ERROR, f"{self.prog}: error: {one_line(message)} (see {self.prog} -h)\n")


def one_line(text: str) -> str:
    """A message as one line of at most ``MAX_MESSAGE`` characters."""
    s = "; ".join(part.strip() for part in str(text).splitlines() if part.strip())
    return s if len(s) <= MAX_MESSAGE else s[:MAX_MESSAGE - 30] + f"... ({len(s)} characters)"


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command's parser, every sub-command in it; ``command`` (a name of
    ``_COMMANDS``): only the plug-in that adds that sub-command."""
    parser = _Parser(
        prog="waferlab",
        description="waferlab: recipe -> plasma -> fluxes -> profile.  See docs/recipe.md; "
                    "exit codes and the output-folder policy: docs/cli.md.")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in (_COMMANDS[command],) if command in _COMMANDS else _PLUGINS:
        importlib.import_module(name).add_cli(sub)
    for p in sub.choices.values():       # `waferlab run --debug ...` works as `waferlab --debug run`
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show Python tracebacks")
    return parser


def _os_message(exc: OSError) -> str:
    what = f" {exc.filename}" if getattr(exc, "filename", None) else ""
    if exc.errno == errno.ENOSPC:
        return (f"the disk is full while writing{what}; free space and run again (a run "
                "continues with --resume)")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write{what}: {exc.strerror} (choose another --out)"
    return f"{exc.strerror or type(exc).__name__}{':' + what if what else ''}"


def _is_command() -> bool:
    from . import _is_command as is_command

    return is_command()


def resume_collector() -> None:
    """The ``waferlab`` command only (``waferlab/__init__`` holds the cyclic garbage
    collector off while the command starts): the objects made so far — modules, classes,
    the recipe's models, numba's dispatchers — go to the permanent generation (no later
    collection walks them again) and collection resumes.  Called once the start-up is
    over: by :func:`main` before a sub-command, or by ``run``/``demo`` once the recipe is
    parsed (sub-commands that set ``holds_collector``).  Garbage is never a result, so
    nothing a run writes depends on it; a library import never gets here."""
    if _is_command() and not gc.isenabled():
        gc.freeze()
        gc.enable()


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    finally:
        if _is_command():
            # the run's garbage is collected (finalizers run as they would at exit), then
            # what is still alive goes to the permanent generation: the interpreter's exit
            # skips walking it again in its last collections (~0.3 s of CPU after a small
            # run; bench/results/startup_s14.md).  The start-up's objects are frozen
            # already, so this collection walks only what the command made since.
            gc.collect()
            gc.freeze()


def _main(argv: list[str] | None) -> int:
    args = None
    try:
        import signal
        try:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        except ValueError:                            # not the main thread
            pass
        words = sys.argv[1:] if argv is None else argv
        first = next((w for w in words if not w.startswith("-")), None)
        parser = build_parser(first if first in _COMMANDS else None)
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_ERROR
        if not getattr(args, "holds_collector", False):
            resume_collector()
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SystemExit as exc:                         # argparse: --help and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    except BaseException as exc:                      # noqa: BLE001 - the last line of defence
        command = getattr(args, "command", None)
        debug = bool(getattr(args, "debug", False))
        if debug:
            traceback.print_exc()
        if isinstance(exc, WaferlabError):
            msg, code = str(exc), EXIT_ERROR
        elif isinstance(exc, MemoryError):
            msg, code = ("out of memory; use a coarser grid, fewer nodes or a smaller clip"
                         , EXIT_ERROR)
        elif isinstance(exc, OSError):
            msg, code = _os_message(exc), EXIT_ERROR
        elif isinstance(exc, RecursionError):
            msg, code = "the input is nested too deeply", EXIT_ERROR
        elif isinstance(exc, Exception):
            msg = (f"internal error ({type(exc).__name__}: {exc}); rerun with --debug for "
                   "the traceback and please report it")
            code = EXIT_INTERNAL
        else:
            raise
        prog = f"waferlab {command}" if command else "waferlab"
        print(f"{prog}: error: {one_line(msg)}", file=sys.stderr)
        return code
