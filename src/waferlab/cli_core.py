"""Core sub-commands: ``run``, ``demo``, ``flux``, ``info``."""
from __future__ import annotations

import argparse
from pathlib import Path

from .cli import resume_collector

__all__ = ["add_cli", "demo_recipe_path", "seed_arg", "threads_arg", "add_overwrite",
           "prepare_run_output", "kernels_cached", "resume_command", "add_common", "default_out"]

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


def default_out(recipe_name: str) -> Path:
    from .io.outdir import safe_folder_name

    out = Path(safe_folder_name(recipe_name or "waferlab"))
    print(f"waferlab: no --out given; writing to {out.resolve()}")
    return out

def kernels_cached() -> bool:
    """Whether numba's on-disk cache holds the feature kernels (the first run compiles
    them: 10-30 s, cached afterwards)."""
    import importlib.util
    import os

    spec = importlib.util.find_spec("waferlab.feature._kernels")
    if spec is None or not spec.origin:
        return True
    places = [Path(spec.origin).parent / "__pycache__"]
    if os.environ.get("NUMBA_CACHE_DIR"):
        places.append(Path(os.environ["NUMBA_CACHE_DIR"]))
    places.append(Path.home() / ".cache" / "numba")
    for place in places:
        try:
            if place.is_dir() and any(place.rglob("_kernels*.nbi")):
                return True
        except OSError:
            continue
    return False


def _announce_compilation(args) -> None:
    """Tell the user, once, that the first run compiles the kernels."""
    import sys

    if not getattr(args, "quiet", False) and not kernels_cached():
        print("waferlab: first run on this installation: compiling the numba kernels "
              "(10-30 s, cached for later runs)", file=sys.stderr)


def resume_command(args, out: Path, command: str) -> str:
    """The command line that continues an interrupted ``run``/``demo`` in ``out``."""
    import shlex

    parts = ["waferlab", command]
    if command == "run":
        parts.append(str(args.recipe))
    parts += ["--out", str(out), "--resume"]
    if getattr(args, "seed", None) is not None:
        parts += ["--seed", str(args.seed)]
    if getattr(args, "wafer_map", False):
        parts.append("--wafer-map")
    return " ".join(shlex.quote(p) for p in parts)


class _resume_hint:
    """On Ctrl-C: print the command that continues the run (or that nothing was saved)."""

    def __init__(self, args, out: Path, command: str):
        self.args, self.out, self.command = args, out, command

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        import sys

        if kind is KeyboardInterrupt:
            if (self.out / "checkpoint.npz").is_file():
                print(f"interrupted; continue with: "
                      f"{resume_command(self.args, self.out, self.command)}", file=sys.stderr)
            else:
                print("interrupted before the first checkpoint; nothing to resume (run the "
                      "command again)", file=sys.stderr)
        return False


_DEPS = ("numpy", "scipy", "numba", "pint", "pydantic", "scikit-fmm", "scikit-image",
         "meshio", "matplotlib", "rich", "xarray", "gdstk", "dask", "distributed")


def demo_recipe_path() -> Path:
    """The built-in demo recipe shipped inside the package."""
    from importlib.resources import files

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
    from .api import load_recipe, run

    recipe = load_recipe(args.recipe)
    resume_collector()
    out = Path(args.out) if args.out else default_out(recipe.name)
    _announce_compilation(args)
    with _resume_hint(args, out, "run"):
        result = run(recipe, out, seed=args.seed, threads=args.threads, resume=args.resume,
                     overwrite=args.overwrite, progress=not args.quiet)
    _print_metrics(result.metrics, out)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .api import load_recipe, run

    recipe = load_recipe(demo_recipe_path())
    resume_collector()
    if getattr(args, "wafer_map", False):
        from .process.wafer_map import demo_wafer_map_recipe
        recipe = demo_wafer_map_recipe(recipe)
    out = Path(args.out or ("waferlab-demo-wafer-map" if getattr(args, "wafer_map", False)
                            else "waferlab-demo"))
    prepare_run_output(args, recipe, out, "demo")      # refused folders fail before the banner
    print(f"waferlab demo: running the built-in recipe {recipe.name!r} -> {out.resolve()}")
    _announce_compilation(args)
    with _resume_hint(args, out, "demo"):
        result = run(recipe, out, seed=args.seed, threads=args.threads, resume=args.resume,
                     overwrite=args.overwrite, progress=not args.quiet, command="demo")
    _print_reactor(out / "reactor.json")
    _print_metrics(result.metrics, out)
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
    from .api import probe_fluxes

    out = Path(args.out)
    probe = probe_fluxes(args.recipe, out, seed=args.seed, threads=args.threads,
                         overwrite=args.overwrite)
    files = ["flux.csv"] + ["flux.png" if k == 0 else f"flux_{n}.png"
                            for k, n in enumerate(probe.names)] + ["report.html"]
    print(f"traced {len(probe.species)} species on {len(probe.surface.elements)} surface "
          f"elements ({probe.rays} rays per point); wrote {', '.join(files)} to {out.resolve()}")
    return 0


def _info(args: argparse.Namespace) -> int:
    import platform
    from importlib.metadata import PackageNotFoundError, version

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

    # numba.config sets NUMBA_NUM_THREADS at import (from the environment): not in its types
    n_numba = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
    print(f"  threads        {RunContext.available_threads()} cores, "
          f"numba {n_numba} threads")
    return 0


def add_common(p: argparse.ArgumentParser, *, seed: bool = True, threads: bool = True,
               quiet: bool = True, overwrite: bool = True,
               seed_help: str = "override the recipe's seed (recorded in the outputs)") -> None:
    """The flags every command shares where they apply (the table in docs/cli.md)."""
    if seed:
        p.add_argument("--seed", type=seed_arg, default=None, help=seed_help)
    if threads:
        p.add_argument("--threads", type=threads_arg, default=None,
                       help="numba threads (default: all cores)")
    if quiet:
        p.add_argument("--quiet", action="store_true",
                       help="no progress bar and no notices (results and errors still print)")
    if overwrite:
        add_overwrite(p)


def _common(p: argparse.ArgumentParser) -> None:
    add_common(p, seed_help="override the recipe's seed (recorded in recipe.yaml and metrics.json)")


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run a recipe and write profile, VTK and metrics")
    p.add_argument("recipe", help="recipe YAML file")
    p.add_argument("--out", help="output folder (default: ./<recipe name>-out, the name "
                                 "reduced to letters, digits, '.', '-' and '_')")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    _common(p)
    p.set_defaults(func=_run, holds_collector=True)

    p = sub.add_parser("demo", help="run the built-in demo recipe into ./waferlab-demo")
    p.add_argument("--out", help="output folder (default: ./waferlab-demo, with --wafer-map "
                                 "./waferlab-demo-wafer-map)")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    p.add_argument("--wafer-map", action="store_true",
                   help="also etch at the wafer centre, mid-radius and edge (wafer_map.csv/.png)")
    _common(p)
    p.set_defaults(func=_demo, holds_collector=True)

    p = sub.add_parser("flux", help="Monte Carlo fluxes on the recipe's initial structure")
    p.add_argument("recipe", help="recipe YAML file (species come from its flux-model steps)")
    p.add_argument("--out", default="waferlab-flux", help="output folder (default: ./waferlab-flux)")
    _common(p)
    p.set_defaults(func=_flux)

    p = sub.add_parser("info", help="version, dependencies and threads")
    p.set_defaults(func=_info)
