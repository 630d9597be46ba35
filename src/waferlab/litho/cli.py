"""``waferlab image RECIPE --out DIR``: aerial image (and resist) of a litho recipe."""
from __future__ import annotations

import argparse
from pathlib import Path

from .modes import ResistMode

__all__ = ["add_cli", "image_memory_estimate_bytes", "check_image_memory"]


def image_memory_estimate_bytes(spec) -> int:
    """Peak memory of ``waferlab image``, estimated from the recipe before allocating.

    pixels = clip / pixel per axis (a grating: one period); per pixel ~128 B for the
    mask (complex transmission, coverage, clear map), its spectrum, the FFT work arrays
    and the intensity, plus 8 B per focus plane (dose-focus matrix, PV band); the full
    resist chain holds ~10 float arrays of (thickness/dz + 1) depth nodes per pixel.
    """
    px = float(spec.image.pixel)
    m = spec.mask
    if m.type == "grating":
        npx = max(round(m.pitch / px), 2)
    else:
        size = list(m.size) * (2 if len(m.size) == 1 else 1)
        npx = max(round(size[0] / px), 1) * max(round(size[1] / px), 1)
    planes = 2 + len(spec.image.focus or ())
    total = npx * (128 + 8 * planes)
    r = spec.resist
    if r is not None and r.mode == ResistMode.FULL:
        nz = r.thickness / r.dz + 1
        total += npx * nz * 8 * (10 + r.image_planes)
    return int(total)


def check_image_memory(spec) -> None:
    """Refuse an image whose estimate exceeds half the memory available."""
    from ..errors import RecipeError
    from ..recipe import available_memory_bytes

    need, have = image_memory_estimate_bytes(spec), available_memory_bytes()
    if need > 0.5 * have:
        raise RecipeError(f"{spec.image.pixel!r} m on this clip needs about "
                          f"{need / 2**30:.1f} GiB of memory (estimate), more than half of the "
                          f"{have / 2**30:.1f} GiB available; use a larger pixel or a smaller "
                          "clip", path="image.pixel", value=need)


def _image(args: argparse.Namespace) -> int:
    from ..cli_core import default_out
    from .pipeline import load_recipe_step
    from .report import image

    recipe, base, label = load_recipe_step(args.recipe)
    if label and not args.quiet:
        print(f"imaging {label} of the process recipe")
    out = Path(args.out) if args.out else default_out(recipe.name)
    result = image(recipe, out, seed=args.seed, threads=args.threads, overwrite=args.overwrite,
                   base_dir=base)
    from ..io.display import engineering

    metrics = result.metrics
    keys = ("i_max", "i_min", "contrast", "nils", "cd_m", "epe_max_abs_m", "pv_band_area_m2")
    shown = []                                   # metrics.json: SI, unit in the key
    for k in keys:
        if isinstance(metrics.get(k), float):
            name, v, unit = engineering(k, metrics[k])
            shown.append(f"{name} {v:.4g}{' ' + unit if unit else ''}")
    summary = ", ".join(shown)
    print(f"{recipe.name}: wrote {', '.join(result.files)} to {out}"
          + (f"  ({summary})" if summary else ""))
    return 0


def add_cli(sub: argparse._SubParsersAction) -> None:
    from ..cli_core import add_common

    p = sub.add_parser("image", help="aerial image (and resist profile) of a litho recipe")
    p.add_argument("recipe", help="recipe YAML with optics, mask, image (and resist) sections")
    p.add_argument("--out", default=None, help="output folder (default: ./<recipe name>-out, "
                                               "as run)")
    add_common(p, seed_help="override the recipe seed (stochastic resist)")
    p.set_defaults(func=_image)
