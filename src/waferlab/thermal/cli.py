"""``waferlab thermal RECIPE --out DIR``: run a standalone thermal recipe."""
from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_cli", "load_thermal_recipe"]


def load_thermal_recipe(path):
    """(name, seed, ThermalSpec) of a recipe with top-level name, optional seed, thermal."""
    from ..errors import RecipeError
    from ..recipe_io import load_yaml, validate_section
    from .spec import ThermalSpec

    data = load_yaml(path)
    if "thermal" not in data:
        raise RecipeError("the recipe has no 'thermal:' section")
    unknown = set(data) - {"name", "seed", "thermal", "description"}
    if unknown:
        raise RecipeError(f"unknown top-level key(s) {sorted(unknown)}; a thermal recipe has "
                          f"name, seed, description, thermal")
    name = str(data.get("name", Path(str(path)).stem))
    seed = data.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise RecipeError(f"seed: {seed!r} must be an integer")
    return name, seed, validate_section(ThermalSpec, data["thermal"], "thermal")


def _run(args: argparse.Namespace) -> int:
    from ..cli_core import _print_metrics
    from ..context import RunContext
    from .run import run_thermal

    name, seed, spec = load_thermal_recipe(args.recipe)
    out = Path(args.out) if args.out else Path(f"{name}-out")
    ctx = RunContext(seed=seed if args.seed is None else args.seed, threads=args.threads,
                     out_dir=out, log=print if args.verbose else (lambda line: None))
    metrics = run_thermal(spec, ctx, out)
    _print_metrics(metrics, out)
    return 0


def add_cli(sub) -> None:
    p = sub.add_parser("thermal", help="run a thermal recipe (implant, anneal, oxidize)")
    p.add_argument("recipe", help="YAML recipe with a thermal: section")
    p.add_argument("--out", default=None, help="output folder (default NAME-out)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("-v", "--verbose", action="store_true", help="log each step")
    p.set_defaults(func=_run)
