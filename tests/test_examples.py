"""Every process recipe in examples/ runs (small settings: at most 100 rays per point).

Reactor, litho, thermal and study examples are run by their packages' tests."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from waferlab.context import RunContext
from waferlab.recipe import recipe_from_dict
from waferlab.recipe_io import load_yaml
from waferlab.runner import run_recipe

EXAMPLES = sorted(p for p in (Path(__file__).parents[1] / "examples").glob("*.yaml")
                  if "steps" in load_yaml(p))


def _small(data):
    if isinstance(data, dict):
        return {k: (min(v, 100) if k == "rays_per_point" else _small(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [_small(v) for v in data]
    return data


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(path, tmp_path):
    recipe = recipe_from_dict(_small(load_yaml(path)), source=path)
    m = run_recipe(recipe, RunContext(seed=0, threads=1, out_dir=tmp_path))
    assert m["process_steps"] == len(recipe.leaf_steps)
    assert json.loads((tmp_path / "metrics.json").read_text())["simulated_time_s"] == \
        pytest.approx(sum(s.time for s in recipe.steps))
    assert (tmp_path / "profile.png").stat().st_size > 1000


def test_demo_recipe_is_valid():
    from waferlab.cli_core import demo_recipe_path

    data = load_yaml(demo_recipe_path())
    r = recipe_from_dict(data)
    assert [s.kind for s in r.steps] == ["etch"] and "reactor" in data["steps"][0]["plasma_etch"]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_resolved_recipe_loads_again(path):
    """The recipe.yaml a run archives (every value in SI with its unit) is a valid recipe
    that resolves to itself, so re-running it reproduces the run."""
    import yaml

    from waferlab.runner import resolved_with_seed

    recipe = recipe_from_dict(load_yaml(path), source=path)
    first = resolved_with_seed(recipe, 3)
    again = recipe_from_dict(yaml.safe_load(yaml.safe_dump(first, sort_keys=False)), source=path)
    assert resolved_with_seed(again, 3) == first
