"""`waferlab flux`: species of every flux-model step traced on the initial structure."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from waferlab.cli import main
from waferlab.cli_core import demo_recipe_path

EXAMPLES = Path(__file__).parents[1] / "examples"


def _read(path: Path) -> dict[str, np.ndarray]:
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    return {k: np.array([r[k] for r in rows]) for k in rows[0]}


def test_flux_probe_open_field_receives_the_source_flux(tmp_path):
    """On the open field far from the trench a flat surface sees the full source flux
    (incident = 1 by the normalisation), within 4 standard errors."""
    assert main(["flux", str(EXAMPLES / "trench-deposition.yaml"), "--out", str(tmp_path),
                 "--quiet", "--threads", "1"]) == 0
    t = _read(tmp_path / "flux.csv")
    x, ny = t["x"].astype(float), t["ny"].astype(float)
    inc, err = t["incident_particle"].astype(float), t["stderr_particle"].astype(float)
    field = (ny > 0.99) & (np.abs(x) > 4e-6)
    assert field.sum() >= 4
    assert np.all(np.abs(inc[field] - 1.0) < 4 * err[field] + 1e-3)
    assert (tmp_path / "flux.png").stat().st_size > 1000


def test_flux_probe_of_a_plasma_etch_uses_the_reactor_fluxes(tmp_path):
    assert main(["flux", str(demo_recipe_path()), "--out", str(tmp_path), "--quiet"]) == 0
    header = (tmp_path / "flux.csv").read_text().splitlines()[0].split(",")
    for name in ("ion", "etchant", "passivant"):
        assert f"incident_{name}" in header and f"stderr_{name}" in header
