"""``waferlab validate [--quick|--full] [--only NAME ...] [--scale S ...] [--out DIR]``.

Runs the registered reference problems, prints a table (problem, quantity, measured,
reference, tolerance, pass/fail) and, with ``--out``, writes ``validation.json``
atomically.  Exit code 0 when every check passes, 1 otherwise.
"""
from __future__ import annotations

import argparse
from typing import Literal
from pathlib import Path

__all__ = ["add_cli", "run_validation", "print_results"]


def run_validation(names=None, *, scales=None, quick: bool = True, seed: int = 0,
                   threads: int | None = None, log=None) -> list:
    """Run the selected problems (all by default); returns a list of ProblemResult."""
    from ..context import RunContext
    from ..errors import RecipeError
    from .core import SCALES, get_problem, problems, run_problem

    if names:
        try:
            selected = [get_problem(n) for n in names]
        except KeyError as exc:
            raise RecipeError(str(exc.args[0])) from None
    else:
        selected = list(problems())
    if scales:
        bad = [s for s in scales if s not in SCALES]
        if bad:
            raise RecipeError(f"--scale {bad[0]!r}: allowed {', '.join(SCALES)}")
        selected = [p for p in selected if p.scale in scales]
    ctx = RunContext(seed=seed, threads=threads)
    results = []
    with ctx.apply_threads():                 # numba's count is put back afterwards
        for p in selected:
            r = run_problem(p, ctx, quick=quick)
            if log is not None:
                log(f"{p.name}: {'pass' if r.passed else 'FAIL'} ({r.seconds:.1f} s)")
            results.append(r)
    return results


def _fmt(v: float, digits: int = 6) -> str:
    return f"{v:.{digits}g}"


def print_results(results, console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    if console is None:
        console = Console()
        if not console.is_terminal:          # files and pipes: do not wrap at 80 columns
            console = Console(width=200)
    table = Table(title="waferlab validate", show_header=True, show_lines=False)
    just: Literal["left", "right", "center"]
    for col, just in (("problem", "left"), ("quantity", "left"), ("measured", "right"),
                      ("reference", "right"), ("tolerance", "right"), ("unit", "left"),
                      ("result", "center")):
        table.add_column(col, justify=just, no_wrap=col != "quantity")
    for r in results:
        for k, c in enumerate(r.checks):
            table.add_row(r.problem.name if k == 0 else "", c.quantity, _fmt(c.measured),
                          _fmt(c.reference), _fmt(c.tolerance, 3), c.unit,
                          "[green]pass[/green]" if c.passed else "[bold red]FAIL[/bold red]")
        if not r.checks:
            table.add_row(r.problem.name, "(no checks)", "", "", "", "", "[bold red]FAIL[/bold red]")
    console.print(table)
    n_fail = sum(not r.passed for r in results)
    n_checks = sum(len(r.checks) for r in results)
    console.print(f"{len(results)} problems, {n_checks} checks, "
                  f"{'all passed' if n_fail == 0 else f'{n_fail} problem(s) FAILED'}")


def _run(args: argparse.Namespace) -> int:
    from ..io.atomic import write_json

    quick = not args.full
    folder = None
    if args.out:                               # checked before any problem runs
        from ..io.outdir import identity_hash, prepare_output
        folder = prepare_output(args.out, command="validate", label="waferlab validate",
                                # one report: a new validate run replaces validation.json
                                identity=identity_hash(["validate"]),
                                overwrite=args.overwrite)
    results = run_validation(args.only, scales=args.scale, quick=quick, seed=args.seed,
                             threads=args.threads)
    if args.quiet:
        n_fail = sum(not r.passed for r in results)
        print(f"{len(results)} problems, {sum(len(r.checks) for r in results)} checks, "
              f"{'all passed' if n_fail == 0 else f'{n_fail} problem(s) FAILED'}")
    else:
        print_results(results)
    if folder is not None:
        folder.claim()
        write_json(Path(args.out) / "validation.json",
                   {"mode": "quick" if quick else "full", "seed": args.seed,
                    "passed": all(r.passed for r in results),
                    "problems": [r.as_dict() for r in results]})
    return 0 if results and all(r.passed for r in results) else 1


def _list(args: argparse.Namespace) -> int:
    from .core import problems

    for p in problems():
        print(f"{p.name:28s} {p.scale:9s} {p.source}")
    return 0


def add_cli(sub) -> None:
    p = sub.add_parser("validate", help="run the reference problems (analytic solutions, "
                                        "published tables) and compare")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="small settings (default)")
    mode.add_argument("--full", action="store_true", help="full settings (slow)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="run only these problems")
    p.add_argument("--scale", nargs="+", metavar="SCALE", help="run only problems of these scales")
    p.add_argument("--out", metavar="DIR", help="write DIR/validation.json")
    from ..cli_core import add_overwrite, seed_arg, threads_arg

    p.add_argument("--seed", type=seed_arg, default=0, help="base seed (default 0)")
    p.add_argument("--threads", type=threads_arg, default=None, help="numba threads")
    p.add_argument("--quiet", action="store_true", help="print only the summary line, not the table")
    add_overwrite(p)
    p.add_argument("--list", action="store_true", help="list the problems and exit")
    p.set_defaults(func=lambda a: _list(a) if a.list else _run(a))
