"""Start-up guards (no timing): what a small run imports, the written-out constants, the
matplotlib-free point-in-polygon test.

Each import check runs in a fresh interpreter (``sys.modules`` of this test process is
whatever the suite imported before).  The costs they guard (CPU, this project's 2-core
machine; bench/results/startup_s12.md): ``matplotlib.path`` ~0.2 s, ``scipy.constants``
~0.06-0.16 s, the oxidize/anneal/thermal step modules ~0.03 s.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _modules(code: str, argv0: str | None = None) -> set[str]:
    """The module names loaded after running ``code`` in a fresh interpreter."""
    pre = f"import sys; sys.argv[0] = {argv0!r}\n" if argv0 else ""
    script = pre + code + "\nimport json, sys; print(json.dumps(sorted(sys.modules)))"
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, timeout=120, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _under(mods: set[str], *prefixes: str) -> list[str]:
    return sorted(m for m in mods if any(m == p or m.startswith(p + ".") for p in prefixes))


def test_runner_import_is_light():
    """``import waferlab.runner``: no plotting, no scipy/numba, no step module a
    deposition or etch does not use (oxidize, anneal, wafer maps, thermal models)."""
    mods = _modules("import waferlab.runner")
    assert "waferlab.runner" in mods                                 # the check can fail
    assert _under(mods, "matplotlib", "scipy", "numba", "PIL", "rich", "waferlab.thermal",
                  "waferlab.process.oxidize", "waferlab.process.anneal",
                  "waferlab.process.wafer_map", "waferlab.litho", "waferlab.reactor") == []


def test_structure_build_without_matplotlib():
    """Building a 2D trench (builders' exact polygon distance) imports no matplotlib;
    importing the constants imports no scipy.constants."""
    code = ("from waferlab.api import load_recipe\n"
            "from waferlab.runner import initial_wafer\n"
            "import waferlab.constants\n"
            "r = load_recipe({'name': 't', 'grid': {'dimension': 2, 'spacing': '0.5 um',"
            " 'extent': ['6 um']}, 'structure': {'substrate': {'material': 'Si'},"
            " 'layers': [{'material': 'Mask', 'thickness': '1 um'}],"
            " 'feature': {'type': 'trench', 'width': '2 um', 'depth': '2 um'}},"
            " 'steps': [{'deposit': {'model': 'isotropic', 'material': 'SiO2',"
            " 'rate': '1 um/min', 'time': '0.1 min'}}]})\n"
            "w = initial_wafer(r)\n"
            "assert (w.geometry.phi < 0).any() and (w.geometry.phi > 0).any()")
    mods = _modules(code)
    assert "waferlab.feature.builders" in mods and "waferlab._inside" in mods
    assert _under(mods, "matplotlib", "scipy.constants", "waferlab.process.oxidize") == []


def test_constants_equal_scipy():
    """The written-out CODATA values are the ones scipy.constants gives (bit for bit)."""
    from scipy import constants as c

    from waferlab import constants as w

    pairs = {"K_B": c.k, "E_CHARGE": c.e, "EV": c.e, "M_E": c.m_e, "AMU": c.atomic_mass,
             "EPS0": c.epsilon_0, "N_A": c.N_A, "H_PLANCK": c.h, "C_LIGHT": c.c,
             "R_GAS": c.R, "TORR": c.torr, "PI": c.pi}
    assert set(pairs) == set(w.__all__)
    for name, value in pairs.items():
        assert getattr(w, name) == value, name


def test_inside_polygon_equals_matplotlib():
    """``_inside.inside_polygon`` answers as ``matplotlib.path.Path.contains_points``
    (radius 0), points on edges and vertices included (grid-aligned polygons)."""
    from matplotlib.path import Path as MplPath

    from waferlab._inside import inside_polygon

    rng = np.random.default_rng(7)
    n_in = 0
    for trial in range(60):
        m = int(rng.integers(3, 12))
        if trial % 2:
            poly = rng.normal(size=(m, 2))
            pts = rng.normal(size=(2000, 2)) * 1.5
        else:                                  # on-edge / on-vertex points are common
            poly = rng.integers(-5, 6, (m, 2)).astype(float) * 0.25
            pts = rng.integers(-8, 9, (2000, 2)).astype(float) * 0.125
        ref = MplPath(poly).contains_points(pts)
        np.testing.assert_array_equal(inside_polygon(pts, poly), ref)
        n_in += int(ref.sum())
    assert n_in > 1000                                  # both answers occur
    assert not inside_polygon(np.array([[np.nan, 0.0]]), [[0, -1], [1, 1], [-1, 1]]).any()
    assert not inside_polygon(np.zeros((1, 2)), [[0, 0], [1, 1]]).any()
