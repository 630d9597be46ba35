"""Every notebook under docs/ runs (nbclient, kernel python3, a timeout per cell), and the
calibration notebook recovers its known parameters within the uncertainty it reports.

The notebooks check their own numbers with ``assert`` cells (a failing cell fails the
test): plasma-etch (reactor knobs -> fluxes -> profile), layout-to-etch (a gdstk clip ->
aerial image -> expose -> 3D etch), uq-study (Monte Carlo and polynomial chaos against
the variance computed by hand).

docs/calibration.ipynb prints one line per fitted parameter,
``NAME: VALUE ± SIGMA, true TRUE, ...``; the test parses them and checks
|VALUE − TRUE| < 2 SIGMA (95 % band of a Gaussian estimate, weighted least squares with
σ from Δχ² = 1: Press et al., Numerical Recipes, 3rd ed., §15.6)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

DOCS = Path(__file__).resolve().parents[1] / "docs"
NOTEBOOKS = sorted(DOCS.glob("*.ipynb"))
CELL_TIMEOUT_S = 180
_FIT = re.compile(r"^(\w+): ([-+0-9.eE]+) ± ([-+0-9.eE]+), true ([-+0-9.eE]+)", re.M)


def _run(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def _stdout(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []) if o.get("output_type") == "stream")


def test_there_are_notebooks():
    for name in ("calibration", "plasma-etch", "layout-to-etch", "uq-study"):
        assert DOCS / f"{name}.ipynb" in NOTEBOOKS, name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path):
    nb = _run(path)                    # a failing cell raises CellExecutionError
    if path.stem == "uq-study":
        out = _stdout(nb)
        assert "by hand" in out and "S1 main etch" in out
    if path.stem == "calibration":
        fits = {m[0]: tuple(map(float, m[1:])) for m in _FIT.findall(_stdout(nb))}
        assert set(fits) == {"A_Si", "sticking"}, fits
        for name, (value, sigma, true) in fits.items():
            assert 0 < sigma < 0.1 * abs(true), (name, value, sigma)
            assert abs(value - true) < 2 * sigma, (name, value, sigma, true)


def test_fit_line_parser_can_fail():
    text = "A_Si: 6.9700 ± 0.1354, true 7.0, |error| = 0.22 σ\nsticking: 0.2 ± 0.01, true 0.137\n"
    fits = {m[0]: tuple(map(float, m[1:])) for m in _FIT.findall(text)}
    value, sigma, true = fits["sticking"]
    assert not abs(value - true) < 2 * sigma
