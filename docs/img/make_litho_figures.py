"""Regenerate the litho figures of docs/litho.md from the examples (python docs/img/make_litho_figures.py)."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from waferlab.context import RunContext
from waferlab.litho.pipeline import load_recipe
from waferlab.litho.report import run_image

HERE = Path(__file__).parent
EXAMPLES = HERE.parents[1] / "examples"
FIGURES = {  # example -> [(output png, figure name in docs/img)]
    "litho-grating": [("aerial.png", "litho_grating_aerial.png"), ("bossung.png", "litho_bossung.png")],
    "litho-m1-clip": [("aerial.png", "litho_m1_clip.png")],
    "litho-resist": [("resist.png", "litho_resist_profile.png")],
}


def main() -> None:
    for name, figs in FIGURES.items():
        recipe, base = load_recipe(EXAMPLES / f"{name}.yaml")
        with tempfile.TemporaryDirectory() as tmp:
            run_image(recipe, RunContext(seed=recipe.seed), Path(tmp), base_dir=base)
            for src, dst in figs:
                shutil.copyfile(Path(tmp) / src, HERE / dst)
                print("wrote", HERE / dst)


if __name__ == "__main__":
    main()
