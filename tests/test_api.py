"""The Python API (docs/python-api.md): same results as the command line, nothing written
without ``out``, no process-wide side effects, and the page's examples run."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import waferlab
from small_recipes import small_trench
from waferlab.cli import main

ROOT = Path(__file__).resolve().parents[1]

SMALL = small_trench("api-small", seed=3)


def _listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_top_level_api_is_explicit_and_typed():
    for name in ("load_recipe", "run", "Result", "solve_reactor", "ReactorResult", "image",
                 "LithoResult", "run_study", "StudyResult", "RecipeError"):
        assert name in waferlab.__all__, name
        assert getattr(waferlab, name) is not None
    assert (Path(waferlab.__file__).parent / "py.typed").is_file()
    assert waferlab.litho.image is waferlab.image
    with pytest.raises(AttributeError):
        waferlab.no_such_name          # noqa: B018


def test_run_writes_nothing_without_out_and_matches_the_cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = _listing(tmp_path)
    r = waferlab.run(dict(SMALL), threads=1)
    assert _listing(tmp_path) == before                     # nothing written
    assert r.out_dir is None and r.kind == "process"
    # the command line on the same recipe gives the same numbers (not the wall time)
    (tmp_path / "r.yaml").write_text(json.dumps(SMALL))
    assert main(["run", str(tmp_path / "r.yaml"), "--out", str(tmp_path / "cli"), "--quiet",
                 "--threads", "1"]) == 0
    cli = json.loads((tmp_path / "cli" / "metrics.json").read_text())
    api = json.loads(json.dumps(r.metrics))
    for m in (cli, api):
        m.pop("wall_time_s")
    assert api == cli
    # profile arrays = profile.csv, and the xarray view holds the same points
    csv = np.loadtxt(tmp_path / "cli" / "profile.csv", delimiter=",", skiprows=1)
    np.testing.assert_allclose(r.profile["x"], csv[:, 1], rtol=1e-8, atol=1e-15)
    np.testing.assert_allclose(r.profile["y"], csv[:, 2], rtol=1e-8, atol=1e-15)
    ds = r.to_xarray()
    assert ds.sizes["point"] == len(csv) and ds.attrs["seed"] == 3
    assert r.wafer.materials == ("Si", "Mask", "SiO2") and r.wafer.time == pytest.approx(60.0)
    assert len(r.timings) == 2 and all(t >= 0 for _, t in r.timings)
    assert "<table>" in r._repr_html_() and "etch_depth" in r._repr_html_()


def test_plot_returns_a_figure_and_changes_no_matplotlib_state():
    import matplotlib
    from matplotlib.figure import Figure

    backend = matplotlib.get_backend()
    r = waferlab.run(dict(SMALL, steps=SMALL["steps"][:1]), threads=1)
    fig = r.plot()
    assert isinstance(fig, Figure) and fig.axes[0].get_title() == "api-small"
    assert matplotlib.get_backend() == backend


def test_to_pyvista_says_what_to_install_when_missing():
    r = waferlab.run(dict(SMALL, steps=SMALL["steps"][:1]), threads=1)
    try:
        import pyvista  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install pyvista"):
            r.to_pyvista()
    else:                                                   # pragma: no cover - optional
        mesh = r.to_pyvista()
        assert mesh.n_cells > 0 and "material" in mesh.cell_data


def test_threads_are_restored_and_bad_arguments_name_the_field():
    import numba

    before = numba.get_num_threads()
    waferlab.run(dict(SMALL, steps=SMALL["steps"][:1]), threads=1)
    assert numba.get_num_threads() == before
    with pytest.raises(waferlab.RecipeError, match=r"^seed: -1 must be an integer"):
        waferlab.run(SMALL, seed=-1)
    with pytest.raises(waferlab.RecipeError, match=r"^threads: 0 must be"):
        waferlab.run(SMALL, threads=0)
    with pytest.raises(waferlab.RecipeError, match="resume"):
        waferlab.run(SMALL, resume=True)
    with pytest.raises(waferlab.RecipeError, match=r"grid\.spacing"):
        waferlab.load_recipe(dict(SMALL, grid={"dimension": 2, "spacing": "-1 nm",
                                               "extent": ["2 um"]}))


def test_run_with_out_follows_the_folder_policy(tmp_path):
    out = tmp_path / "o"
    r = waferlab.run(SMALL, out=out, threads=1)
    assert r.out_dir == out and (out / "report.html").is_file()
    with pytest.raises(waferlab.RecipeError, match="another run"):
        waferlab.run(SMALL, out=out, seed=4, threads=1)
    waferlab.run(SMALL, out=out, seed=4, threads=1, overwrite=True)
    assert json.loads((out / "metrics.json").read_text())["seed"] == 4


def test_every_mesh_file_reads_back_with_meshio_and_names_the_materials(tmp_path):
    meshio = pytest.importorskip("meshio")
    waferlab.run(SMALL, out=tmp_path, threads=1)
    files = sorted(tmp_path.glob("*.vt*"))
    assert [f.name for f in files] == ["final.vtu", "final_surface.vtu"]
    for f in files:
        mesh = meshio.read(f)
        mats = np.concatenate(mesh.cell_data["material"])
        assert {k: v.tolist() for k, v in mesh.field_data.items()} == \
            {"Si": [0], "Mask": [1], "SiO2": [2]}
        assert set(np.unique(mats)) <= {0, 1, 2} and len(mats) > 0
    surf = meshio.read(tmp_path / "final_surface.vtu")
    assert surf.cells[0].type == "line"


def test_thermal_recipe_runs_through_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    recipe = {"name": "t", "thermal": {
        "substrate": {"material": "Si", "background": {"P": "1e16 cm^-3"}},
        "depth": "1 um", "nodes": 101,
        "steps": [{"implant": {"dopant": "B", "dose": "1e14 cm^-2", "energy": "20 keV"}}]}}
    r = waferlab.run(recipe)
    assert r.kind == "thermal" and r.wafer is None and _listing(tmp_path) == set()
    assert set(r.profile) >= {"depth_m", "B_m-3", "P_m-3", "net_m-3"}
    # the implanted dose is in the profile (trapezoid rule on the mesh, 1 %)
    dose = np.trapezoid(r.profile["B_m-3"], r.profile["depth_m"])
    assert dose == pytest.approx(1e18, rel=0.01)
    assert r.plot().axes and r.to_xarray().sizes["depth_m"] == len(r.profile["depth_m"])


def test_reactor_and_litho_write_nothing_without_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = waferlab.solve_reactor(ROOT / "examples" / "reactor-argon.yaml")
    assert res.out_dir is None and res.state.T_e_eV > 0 and res.metrics["name"] == "reactor-argon"
    assert abs(np.trapezoid(res.state.iedf.pdf, res.state.iedf.x) - 1) < 1e-3
    assert res.plot().axes
    img = waferlab.image(ROOT / "examples" / "litho-grating.yaml")
    assert img.out_dir is None and img.files == () and img.intensity.ndim == 2
    assert set(img.figures()) == {"aerial.png", "bossung.png", "resist.png"}
    assert _listing(tmp_path) == set()
    # with out: the files the command writes, listed
    img2 = waferlab.image(ROOT / "examples" / "litho-grating.yaml", out=tmp_path / "img")
    assert set(img2.files) <= _listing(tmp_path / "img")
    assert {"aerial.npy", "metrics.json", "bossung.png"} <= set(img2.files)
    assert img2.metrics == img.metrics


def test_import_has_no_process_wide_side_effects():
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS",
                                                             "MKL_NUM_THREADS")}
    code = ("import os, signal, waferlab; "
            "print(os.environ.get('OPENBLAS_NUM_THREADS'), "
            "signal.getsignal(signal.SIGINT) is signal.default_int_handler)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["None", "True"]


def test_blas_threads_restores_the_environment(monkeypatch):
    from waferlab.context import blas_threads

    monkeypatch.setenv("MKL_NUM_THREADS", "7")
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    with blas_threads(1):
        assert os.environ["OPENBLAS_NUM_THREADS"] == "1" and os.environ["MKL_NUM_THREADS"] == "1"
    assert os.environ["MKL_NUM_THREADS"] == "7" and "OPENBLAS_NUM_THREADS" not in os.environ


def test_the_python_api_page_runs(tmp_path, monkeypatch, capsys):
    """Every ```python block of docs/python-api.md, in order, as one script."""
    text = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 8
    monkeypatch.chdir(tmp_path)
    scope: dict = {"__name__": "docs"}
    exec(compile("\n".join(blocks), str(ROOT / "docs" / "python-api.md"), "exec"), scope)
    printed = capsys.readouterr().out
    assert "seed: -1 must be an integer" in printed
    assert (tmp_path / "runs" / "api-trench" / "report.html").is_file()


def test_apply_threads_as_a_context_manager_restores_numba():
    import numba

    from waferlab.context import RunContext

    before = numba.get_num_threads()
    with RunContext(threads=1).apply_threads():
        assert numba.get_num_threads() == 1
    assert numba.get_num_threads() == before
    with RunContext().apply_threads():                  # None: leaves the count alone
        assert numba.get_num_threads() == before


def test_a_3d_run_has_a_3d_picture_beside_its_vtk_files(tmp_path):
    from matplotlib.figure import Figure

    recipe = {"name": "box3d", "seed": 1,
              "grid": {"dimension": 3, "spacing": "40 nm", "extent": ["400 nm", "400 nm"]},
              "structure": {"substrate": {"material": "Si"},
                            "layers": [{"material": "Mask", "thickness": "80 nm"}],
                            "feature": {"type": "hole", "radius": "100 nm", "depth": "80 nm"}},
              "steps": [{"etch": {"model": "directional", "rates": {"Si": "200 nm/min"},
                                  "direction": [0, 0, -1], "time": "0.5 min"}}]}
    r = waferlab.run(recipe, out=tmp_path, threads=1)
    fig = r.plot_3d()
    assert isinstance(fig, Figure) and fig.axes[0].name == "3d"
    assert (tmp_path / "profile_3d.png").stat().st_size > 10_000
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "3D surface of the final profile" in html
    with pytest.raises(waferlab.RecipeError, match="3D run"):
        waferlab.run(SMALL, threads=1).plot_3d()


@pytest.mark.slow
def test_the_api_modules_type_check():
    """mypy on the public API (the package ships py.typed)."""
    pytest.importorskip("mypy")
    src = ROOT / "src" / "waferlab"
    files = [src / f for f in ("api.py", "__init__.py", "context.py", "io/report.py",
                               "io/vtk.py", "io/plots.py")]
    proc = subprocess.run([sys.executable, "-m", "mypy", "--ignore-missing-imports",
                           "--follow-imports=silent", "--no-incremental", *map(str, files)],
                          capture_output=True, text=True, check=False, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_run_recipe_puts_numba_threads_back():
    import numba

    from waferlab.context import RunContext
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import run_recipe

    before = numba.get_num_threads()
    run_recipe(recipe_from_dict(dict(SMALL, steps=SMALL["steps"][:1])), RunContext(threads=1))
    assert numba.get_num_threads() == before
