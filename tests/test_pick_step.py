"""``waferlab image`` / ``waferlab reactor`` on a process recipe: the expose /
plasma_etch step is picked and named; a recipe without one is a RecipeError.
Reference: the same command on the step's own sections gives identical results."""
from pathlib import Path

import pytest
import yaml

from waferlab.cli import main
from waferlab.errors import RecipeError
from waferlab.litho.pipeline import load_recipe_step
from waferlab.recipe_pick import pick_step
from waferlab.reactor.cli import reactor_recipe_data, run_reactor

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "src" / "waferlab" / "data" / "demo.yaml"
EXPOSE = ROOT / "examples" / "expose-and-etch.yaml"


def test_image_takes_the_expose_step(tmp_path, capsys):
    recipe, _, label = load_recipe_step(EXPOSE)
    assert label == "steps[0].expose"
    data = yaml.safe_load(EXPOSE.read_text())
    own = tmp_path / "litho.yaml"
    own.write_text(yaml.safe_dump({"name": data["name"], "seed": data["seed"],
                                   **data["steps"][0]["expose"]}))
    alone, _, label2 = load_recipe_step(own)
    assert label2 == "" and alone == recipe
    assert main(["image", str(EXPOSE), "--out", str(tmp_path / "img")]) == 0
    assert "imaging steps[0].expose" in capsys.readouterr().out
    assert (tmp_path / "img" / "aerial.npy").exists()


def test_reactor_solves_the_plasma_etch_step(tmp_path, capsys):
    data, label = reactor_recipe_data(yaml.safe_load(DEMO.read_text()))
    assert label == "steps[0].plasma_etch" and set(data) == {"name", "seed", "reactor"}
    own = tmp_path / "reactor.yaml"
    own.write_text(yaml.safe_dump(data))
    a = run_reactor(DEMO, tmp_path / "a")
    assert "solving the reactor of steps[0].plasma_etch" in capsys.readouterr().out
    b = run_reactor(own, tmp_path / "b", quiet=True)
    assert a["T_e_eV"] == b["T_e_eV"] and a["pressure_Pa"] == b["pressure_Pa"]


def test_a_process_recipe_without_the_step_is_a_recipe_error():
    expose = yaml.safe_load(EXPOSE.read_text())
    with pytest.raises(RecipeError, match="no `plasma_etch` step.*expose, etch"):
        reactor_recipe_data(expose)
    with pytest.raises(RecipeError, match="no `expose` step"):
        pick_step(yaml.safe_load(DEMO.read_text()), "expose", command="image")
    with pytest.raises(RecipeError, match=r"steps\[1\] is not a `expose` step"):
        pick_step(expose, "expose", command="image", index=1)
    two = {"steps": [expose["steps"][0], expose["steps"][0]]}
    assert pick_step(two, "expose", command="image")[1] == "steps[0].expose (first of 2)"


def test_a_bad_reactor_key_in_the_step_is_named_by_its_path(tmp_path):
    data = yaml.safe_load(DEMO.read_text())
    data["steps"][0]["plasma_etch"]["reactor"]["pressure_control"] = "valve"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    with pytest.raises(RecipeError, match=r"steps\[0\]\.plasma_etch\.reactor\.pressure_control"):
        run_reactor(bad, tmp_path / "out", quiet=True)
