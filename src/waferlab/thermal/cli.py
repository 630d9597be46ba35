"""``waferlab thermal RECIPE --out DIR``: run a standalone thermal recipe."""
from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_cli", "load_thermal_recipe", "thermal_memory_estimate_bytes",
           "check_thermal_memory"]


def thermal_memory_estimate_bytes(spec) -> int:
    """Peak memory of a thermal run, estimated before any array is allocated.

    Per node and diffusing species: the sparse LU factorisations the implicit solver
    keeps (fill-in ~ log2 n on a 2D box mesh with minimum-degree ordering); measured
    (this machine, scipy SuperLU): 10.7-15.9 kB per node for 2 species on 201²-801×401
    meshes, 4.0 kB per node for 3 species on 200001 nodes in 1D.  The estimate
    (1D: 2 kB, 2D: 600 B × log2 n, per node and species, plus 1 kB per node) is above
    every measurement.
    """
    import math

    from .spec import AnnealStep, ImplantStep, OxidizeStep, PredepositStep

    # an automatic (graded) mesh is planned by the solver at ~16 nodes per √(Dt) or ΔRp and
    # refined by its mesh check: a few hundred nodes per axis; 1025 deep and 257 wide bound it
    nz = int(spec.nodes) if spec.nodes is not None else 1025
    if spec.lateral is None:
        nx = 1
    else:
        nx = int(spec.lateral.nodes) if spec.lateral.nodes is not None else 257
    n = nz * nx
    species = set(spec.substrate.background)
    ted = False
    for st in spec.steps:
        if isinstance(st, (PredepositStep, ImplantStep)):
            species.add(str(st.dopant))
        ted = ted or (isinstance(st, (PredepositStep, AnnealStep, OxidizeStep)) and str(st.model).lower() == "ted")
    k = max(1, len(species)) + (1 if ted else 0)
    per = 2000.0 if nx == 1 else 600.0 * math.log2(max(n, 2))
    return int(n * (1024 + per * k))


def check_thermal_memory(spec) -> None:
    """Refuse a thermal mesh whose estimate exceeds half the memory available."""
    from ..errors import RecipeError
    from ..recipe import available_memory_bytes

    need, have = thermal_memory_estimate_bytes(spec), available_memory_bytes()
    if need > 0.5 * have:
        nx = spec.lateral.nodes if spec.lateral is not None else 1
        raise RecipeError(f"a mesh of {spec.nodes} x {nx} nodes needs about "
                          f"{need / 2**30:.1f} GiB of memory (estimate), more than half of the "
                          f"{have / 2**30:.1f} GiB available; use fewer nodes",
                          path="thermal.nodes", value=need)


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
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
        raise RecipeError(f"seed: {seed!r:.40} must be an integer in [0, 2**63)")
    return name, seed, validate_section(ThermalSpec, data["thermal"], "thermal")


def _run(args: argparse.Namespace) -> int:
    from ..api import run
    from ..cli_core import _print_metrics, default_out
    from ..recipe import recipe_from_dict
    from ..recipe_io import load_yaml

    name, seed, spec = load_thermal_recipe(args.recipe)   # the thermal recipe's own checks
    check_thermal_memory(spec)
    data = load_yaml(args.recipe)
    data["name"] = name                                  # the file's stem when unnamed
    recipe = recipe_from_dict(data, source=Path(args.recipe).resolve())
    out = Path(args.out) if args.out else default_out(name)
    result = run(recipe, out, seed=args.seed, threads=args.threads, overwrite=args.overwrite,
                 log=print if args.verbose and not args.quiet else None)
    _print_metrics(result.metrics, out)
    return 0


def add_cli(sub) -> None:
    p = sub.add_parser("thermal", help="run a thermal recipe (implant, anneal, oxidize)")
    p.add_argument("recipe", help="YAML recipe with a thermal: section")
    p.add_argument("--out", default=None, help="output folder (default: ./<recipe name>-out)")
    from ..cli_core import add_common

    add_common(p)
    p.add_argument("-v", "--verbose", action="store_true", help="log each step")
    p.set_defaults(func=_run)
