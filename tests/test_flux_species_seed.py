"""`waferlab flux` of a reactor-coupled step: the reactor is solved with the seed that
`waferlab run` gives the step (flux.csv shows the run's fluxes), and its species need the solve."""
from __future__ import annotations

import pytest

import waferlab
from waferlab.api import _flux_species, load_recipe
from waferlab.cli_core import demo_recipe_path
from waferlab.process.plasma_etch import PlasmaEtch
from waferlab.runner import initial_wafer


class _Stop(Exception):
    pass


def _seed_of_couple(monkeypatch, call) -> int:
    """The seed the reactor-coupled step's ``couple`` receives during ``call()`` (stopped there)."""
    seen: list[int] = []

    def couple(self, geometry, log=lambda s: None, seed: int = 0):
        seen.append(int(seed))
        raise _Stop

    monkeypatch.setattr(PlasmaEtch, "couple", couple)
    with pytest.raises(_Stop):
        call()
    return seen[0]


@pytest.mark.parametrize("seed", [0, 11])
def test_flux_probe_solves_the_reactor_with_the_run_step_seed(monkeypatch, tmp_path, seed):
    path = demo_recipe_path()
    r = load_recipe(path)
    g = initial_wafer(r).geometry
    probed = _seed_of_couple(monkeypatch, lambda: _flux_species(r, g, seed))
    ran = _seed_of_couple(monkeypatch, lambda: waferlab.run(path, out=tmp_path / f"run{seed}", seed=seed))
    assert probed == ran


def test_flux_probe_seeds_differ_between_run_seeds(monkeypatch):
    r = load_recipe(demo_recipe_path())
    g = initial_wafer(r).geometry
    a = _seed_of_couple(monkeypatch, lambda: _flux_species(r, g, 1))
    b = _seed_of_couple(monkeypatch, lambda: _flux_species(r, g, 2))
    assert a != b


@pytest.mark.slow
def test_reactor_coupled_species_need_the_solve():
    """The model with placeholder fluxes (no solve) lacks the ion and the etchant, and its
    passivant's sticking is not the solved one: listing without the solve would change flux.csv."""
    r = load_recipe(demo_recipe_path())
    g = initial_wafer(r).geometry
    solved, _ = _flux_species(r, g, 0)
    step = next(s for s in r.leaf_steps if isinstance(s, PlasmaEtch))
    free = tuple(step.velocity_model(tuple(g.materials)).species())
    names = [s.name for s in solved]
    assert names == ["ion", "etchant", "passivant"]
    assert "ion" not in [s.name for s in free]
    ion = solved[0]
    assert ion.iedf is not None and ion.yield_channels            # from the reactor's sheath
    p_free = next(s for s in free if s.name == "passivant")
    p_solved = solved[2]
    assert p_free.sticking != p_solved.sticking
