"""``waferlab image RECIPE --out DIR``: aerial image (and resist) of a litho recipe."""
from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_cli"]


def _image(args: argparse.Namespace) -> int:
    from ..context import RunContext
    from .pipeline import load_recipe
    from .report import run_image

    recipe, base = load_recipe(args.recipe)
    seed = recipe.seed if args.seed is None else args.seed
    ctx = RunContext(seed=seed, threads=args.threads, out_dir=Path(args.out))
    ctx.apply_threads()
    metrics = run_image(recipe, ctx, Path(args.out), base_dir=base)
    from ..io.display import engineering

    keys = {"i_max": "", "i_min": "", "contrast": "", "nils": "", "cd": "_m",
            "epe_max_abs": "_m", "pv_band_area": "_m2"}      # SI in metrics.json
    shown = []
    for k, suffix in keys.items():
        if isinstance(metrics.get(k), float):
            _, v, unit = engineering(k + suffix, metrics[k])
            shown.append(f"{k} {v:.4g}{' ' + unit if unit else ''}")
    shown = ", ".join(shown)
    print(f"{recipe.name}: wrote aerial.npy, aerial.png, aerial_cut.csv, metrics.json to {args.out}"
          + (f"  ({shown})" if shown else ""))
    return 0


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("image", help="aerial image (and resist profile) of a litho recipe")
    p.add_argument("recipe", help="recipe YAML with optics, mask, image (and resist) sections")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, default=None, help="override the recipe seed")
    p.add_argument("--threads", type=int, default=None, help="numba threads")
    p.set_defaults(func=_image)
