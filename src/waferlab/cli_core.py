"""Core sub-commands: ``run``, ``demo``, ``flux``, ``info``."""
from __future__ import annotations

import argparse
import platform
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from pathlib import Path

__all__ = ["add_cli", "demo_recipe_path", "seed_arg", "threads_arg", "add_overwrite",
           "prepare_run_output"]

MAX_SEED = 2**63 - 1


def seed_arg(text: str) -> int:
    """argparse type of ``--seed``: an integer in [0, 2**63 - 1]."""
    try:
        v = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seed {text!r:.40}: must be an integer in "
                                         f"[0, {MAX_SEED}]") from None
    if not 0 <= v <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"--seed {v}: must be in [0, {MAX_SEED}] "
                                         "(seeds are non-negative)")
    return v


def threads_arg(text: str) -> int:
    """argparse type of ``--threads``: a positive integer."""
    try:
        v = int(text, 10)
    except ValueError:
        v = 0
    if v < 1 or v > 4096:
        raise argparse.ArgumentTypeError(f"--threads {text!r:.40}: must be an integer in "
                                         "[1, 4096]")
    return v


def add_overwrite(p: argparse.ArgumentParser) -> None:
    p.add_argument("--overwrite", action="store_true",
                   help="replace the waferlab outputs of another run in --out "
                        "(default: refuse; see docs/cli.md)")


def prepare_run_output(args, recipe, out: Path, command: str):
    """Check ``out`` for a run of ``recipe`` with the effective seed (nothing written)."""
    from .io.outdir import prepare_output
    from .runner import recipe_hash

    seed = recipe.spec.seed if args.seed is None else args.seed
    return prepare_output(out, command=command, identity=recipe_hash(recipe, seed),
                          label=f"recipe {recipe.name!r}, seed {seed}",
                          overwrite=getattr(args, "overwrite", False),
                          resume=getattr(args, "resume", False))


def _default_out(recipe_name: str) -> Path:
    from .io.outdir import safe_folder_name

    out = Path(safe_folder_name(recipe_name))
    print(f"waferlab: no --out given; writing to {out.resolve()}")
    return out

_DEPS = ("numpy", "scipy", "numba", "pint", "pydantic", "scikit-fmm", "scikit-image",
         "meshio", "matplotlib", "rich", "xarray", "gdstk", "dask", "distributed")


def demo_recipe_path() -> Path:
    """The built-in demo recipe shipped inside the package."""
    return Path(str(files("waferlab") / "data" / "demo.yaml"))


def _print_metrics(metrics: dict, out: Path | None) -> None:
    """The metrics in engineering units (files keep SI; definitions in docs/metrics.md)."""
    from rich.console import Console

    from .io.display import metrics_table

    console = Console()
    console.print(metrics_table(metrics))
    if out is not None:
        console.print(f"outputs written to [bold]{out.resolve()}[/bold] (SI units, "
                      "unit in each key; definitions: docs/metrics.md)")


def _context(args, recipe, out: Path | None):
    from .context import RunContext

    seed = recipe.spec.seed if args.seed is None else args.seed
    return RunContext(seed=seed, threads=args.threads, out_dir=out,
                      progress=not getattr(args, "quiet", False))


def _run(args: argparse.Namespace) -> int:
    from .recipe import load_recipe
    from .runner import run_recipe

    recipe = load_recipe(args.recipe)
    out = Path(args.out) if args.out else _default_out(recipe.name)
    ctx = _context(args, recipe, out)
    if "thermal" in recipe.sections and not recipe.steps:
        from .io.atomic import staged
        from .io.outdir import identity_hash, prepare_output
        from .thermal import run_thermal
        from .thermal.cli import check_thermal_memory
        spec = recipe.sections["thermal"]
        check_thermal_memory(spec)
        folder = prepare_output(out, command="thermal", label=f"recipe {recipe.name!r}",
                                identity=identity_hash(["thermal", spec.model_dump(mode="json"),
                                                        ctx.seed]),
                                overwrite=args.overwrite)
        folder.claim()
        with staged(out) as stage:
            metrics = run_thermal(spec, ctx, stage)
    else:
        if recipe.spec.grid is None or recipe.spec.structure is None:
            from .errors import RecipeError
            raise RecipeError("a run needs grid: and structure: (or a thermal: section)")
        prepare_run_output(args, recipe, out, "run").claim()
        metrics = run_recipe(recipe, ctx, resume=args.resume)
    _print_metrics(metrics, out)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .recipe import load_recipe
    from .runner import run_recipe

    recipe = load_recipe(demo_recipe_path())
    if getattr(args, "wafer_map", False):
        from .process.wafer_map import demo_wafer_map_recipe
        recipe = demo_wafer_map_recipe(recipe)
    out = Path(args.out or ("waferlab-demo-wafer-map" if getattr(args, "wafer_map", False)
                            else "waferlab-demo"))
    prepare_run_output(args, recipe, out, "demo").claim()
    print(f"waferlab demo: running the built-in recipe {recipe.name!r} -> {out.resolve()}")
    metrics = run_recipe(recipe, _context(args, recipe, out), resume=args.resume)
    _print_reactor(out / "reactor.json")
    _print_metrics(metrics, out)
    return 0


def _print_reactor(path: Path) -> None:
    """The reactor table: densities and fluxes to the wafer of the main species."""
    import json

    from rich.console import Console
    from rich.table import Table

    if not path.exists():
        return
    r = json.loads(path.read_text())
    table = Table(title=f"reactor ({r['chemistry']}): T_e = {r['T_e_eV']:.3g} eV, "
                        f"n_e = {r['n_e_avg_m3'] * 1e-6:.3g} cm⁻³, <E_ion> = "
                        f"{r['ion_energy_mean_eV']:.4g} eV")
    table.add_column("species")
    table.add_column("density (cm⁻³)", justify="right")
    table.add_column("flux to wafer (cm⁻² s⁻¹)", justify="right")
    fl = r["fluxes_to_wafer_m2s"]
    for name in sorted(fl, key=lambda k: -fl[k])[:12]:
        table.add_row(name, f"{r['densities_m3'].get(name, float('nan')) * 1e-6:.3e}",
                      f"{fl[name] * 1e-4:.3e}")
    Console().print(table)


def _flux(args: argparse.Namespace) -> int:
    """Trace the fluxes of every flux-model step's species on the initial structure."""
    from .errors import RecipeError
    from .feature.extract import extract_surface
    from .feature.flux import trace_fluxes
    from .feature.flux.probe import flux_table, plot_flux
    from .io.atomic import atomic_path, staged, write_csv
    from .recipe import load_recipe
    from .runner import initial_wafer

    recipe = load_recipe(args.recipe)
    out = Path(args.out)
    ctx = _context(args, recipe, out)
    if recipe.spec.grid is None or recipe.spec.structure is None:
        raise RecipeError("flux needs a recipe with grid: and structure:")
    folder = prepare_run_output(args, recipe, out, "flux")
    geometry = initial_wafer(recipe).geometry
    species, rays = [], 0
    for step in {id(s): s for s in recipe.leaf_steps}.values():
        if not hasattr(step, "velocity_model"):     # e.g. ald: traces its own reactants
            continue
        mats = tuple(geometry.materials) + ((step.material,) if step.kind == "deposit" else ())
        if hasattr(step, "couple"):          # plasma_etch: fluxes come from the reactor
            model = step.couple(geometry)[1].build(kind="etch", materials=mats, target=None)
        else:
            model = step.velocity_model(mats)
        sp = getattr(model, "species", None)
        if callable(sp):                     # ion-enhanced models list their traced species
            sp = tuple(sp())
        if not sp:
            continue
        for s in (sp if isinstance(sp, (tuple, list)) else (sp,)):
            if s.name not in {x.name for x in species}:
                species.append(s)
        rays = max(rays, int(getattr(model, "rays_per_point", 1000)))
    if not species:
        raise RecipeError("no step of this recipe uses a flux model (single_particle, "
                          "multi_particle, sf6o2, ...): nothing to trace", path="steps")
    surface = extract_surface(geometry)
    result = trace_fluxes(surface, species, ctx, rays_per_point=rays, stream=("flux-probe",))
    folder.claim()
    with staged(out) as stage:
        write_csv(stage / "flux.csv", flux_table(surface, result))
        for k, s in enumerate(species):
            name = "flux.png" if k == 0 else f"flux_{s.name}.png"
            with atomic_path(stage / name) as tmp:
                plot_flux(tmp, surface, result, s.name, quantity="incident")
    print(f"traced {len(species)} species on {len(surface.elements)} surface elements "
          f"({rays} rays per point); wrote {(out / 'flux.csv').resolve()}")
    return 0


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

    print(f"  threads        {RunContext.available_threads()} cores, "
          f"numba {numba.config.NUMBA_NUM_THREADS} threads")
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=seed_arg, default=None,
                   help="override the recipe's seed (recorded in recipe.yaml and metrics.json)")
    p.add_argument("--threads", type=threads_arg, default=None,
                   help="numba threads (default: all cores)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_overwrite(p)


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run a recipe and write profile, VTK and metrics")
    p.add_argument("recipe", help="recipe YAML file")
    p.add_argument("--out", help="output folder (default: ./<recipe name>-out, the name "
                                 "reduced to letters, digits, '.', '-' and '_')")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    _common(p)
    p.set_defaults(func=_run)

    p = sub.add_parser("demo", help="run the built-in demo recipe into ./waferlab-demo")
    p.add_argument("--out", help="output folder (default: ./waferlab-demo, with --wafer-map "
                                 "./waferlab-demo-wafer-map)")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    p.add_argument("--wafer-map", action="store_true",
                   help="also etch at the wafer centre, mid-radius and edge (wafer_map.csv/.png)")
    _common(p)
    p.set_defaults(func=_demo)

    p = sub.add_parser("flux", help="Monte Carlo fluxes on the recipe's initial structure")
    p.add_argument("recipe", help="recipe YAML file (species come from its flux-model steps)")
    p.add_argument("--out", default="waferlab-flux", help="output folder")
    _common(p)
    p.set_defaults(func=_flux)

    p = sub.add_parser("info", help="version, dependencies and threads")
    p.set_defaults(func=_info)
