"""Reliability (issue 22): no silent wrong result, no traceback, nothing lost.

Every case of the issue is a row here (the memory caps, the full disk, Ctrl-C and the
fuzzing are in test_reliability_limits.py).
"""
from __future__ import annotations

import copy
import json
import math
import os
import stat
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml

from waferlab.cli import main
from waferlab.errors import RecipeError
from waferlab.io.checkpoint import CheckpointError, load_checkpoint
from waferlab.io.outdir import STAMP, safe_folder_name
from waferlab.recipe import load_recipe, recipe_from_dict
from waferlab.recipe_io import MAX_NODES, load_yaml
from small_recipes import small_trench

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# two short steps on a coarse grid: a run takes about a second
SMALL = small_trench("rel-trench", seed=7, etch="0.3 min", deposit="0.2 min", quiet=True)


def _write(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def _run(argv, capsys) -> tuple[int, str]:
    rc = main([str(a) for a in argv])
    err = capsys.readouterr().err
    return rc, err


def _one_line_error(err: str) -> bool:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    return len(lines) == 1 and "error:" in lines[0] and "Traceback" not in err


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())
            if p.is_file()}


# ---------------------------------------------------------------- 1. the seed
def test_seed_override_is_recorded_and_part_of_the_checkpoint(tmp_path, capsys):
    r = _write(tmp_path / "r.yaml", SMALL)
    out = tmp_path / "out"
    rc, err = _run(["run", r, "--out", out, "--quiet", "--seed", 99], capsys)
    assert rc == 0, err
    resolved = yaml.safe_load((out / "recipe.yaml").read_text())
    assert resolved["seed"] == 99                       # was: the recipe's 7
    assert json.loads((out / "metrics.json").read_text())["seed"] == 99
    assert load_checkpoint(out / "checkpoint.npz").seed == 99
    # the archived recipe reproduces the run exactly
    again = tmp_path / "again"
    rc, err = _run(["run", out / "recipe.yaml", "--out", again, "--quiet"], capsys)
    assert rc == 0, err
    m1 = json.loads((out / "metrics.json").read_text())
    m2 = json.loads((again / "metrics.json").read_text())
    m1.pop("wall_time_s"), m2.pop("wall_time_s")
    assert m1 == m2


@pytest.mark.parametrize("first,second", [(["--seed", "99"], []), ([], ["--seed", "99"])])
def test_resume_with_another_seed_is_refused_before_writing(tmp_path, capsys, first, second):
    r = _write(tmp_path / "r.yaml", SMALL)
    out = tmp_path / "out"
    assert _run(["run", r, "--out", out, "--quiet", *first], capsys)[0] == 0
    (out / "metrics.json").unlink()                      # as if it had been killed
    before = _snapshot(out)
    rc, err = _run(["run", r, "--out", out, "--quiet", "--resume", *second], capsys)
    assert rc == 2 and _one_line_error(err)              # was: exit 0, a mixed result
    assert "seed" in err or "another run" in err
    assert _snapshot(out) == before                      # nothing replaced


# ---------------------------------------------------------------- 2. exact floats
def test_resolved_recipe_round_trips_floats_exactly(tmp_path):
    data = copy.deepcopy(SMALL)
    data["steps"][0]["etch"]["rates"]["Si"] = "0.1234567890123456789 um/min"
    data["grid"]["spacing"] = "0.05 um"
    rec = recipe_from_dict(data)
    text = yaml.safe_dump(rec.resolved(), sort_keys=False)
    again = recipe_from_dict(yaml.safe_load(text))
    assert again.resolved() == rec.resolved()            # was: 12 significant digits
    rate = rec.steps[0].model.rates["Si"]
    assert again.steps[0].model.rates["Si"] == rate


# ---------------------------------------------------------------- 4. litho pixel
@pytest.mark.parametrize("pixel,ok", [("50 nm", True), ("150 nm", False), ("250 nm", False)])
def test_litho_pixel_too_coarse_for_the_optics_is_refused(tmp_path, capsys, pixel, ok):
    text = (EXAMPLES / "litho-grating.yaml").read_text().replace("pixel: 1 nm", f"pixel: {pixel}")
    data = yaml.safe_load(text)
    data["image"].pop("focus"), data["image"].pop("doses")
    r = _write(tmp_path / "g.yaml", data)
    rc, err = _run(["image", r, "--out", tmp_path / "o"], capsys)
    if ok:
        assert rc == 0, err
    else:                                              # was: contrast 0 (250 nm) or < 0
        assert rc == 2 and _one_line_error(err) and "image.pixel" in err
        assert "lambda / (2 NA (1 + sigma))" in err and "8.45" in err
        assert not (tmp_path / "o").exists()


# ---------------------------------------------------------------- 5. checkpoints
def _damage(path: Path, how: str) -> None:
    raw = path.read_bytes()
    if how == "empty":
        path.write_bytes(b"")
    elif how == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif how == "random":
        path.write_bytes(np.random.default_rng(1).bytes(len(raw)))
    elif how == "flipped":
        b = bytearray(raw)
        b[len(b) // 2] ^= 0xFF
        path.write_bytes(bytes(b))
    elif how in ("next_step", "step_time", "seed", "no_checksum"):
        with np.load(path) as d:
            phi, meta, ck = d["phi"], json.loads(str(d["meta"])), str(d["checksum"])
        if how == "next_step":
            meta["next_step"] = 99
        elif how == "step_time":
            meta["step_time"] = "x"
        elif how == "seed":
            meta["seed"] = 12345
        with open(path, "wb") as fh:
            if how == "no_checksum":
                np.savez_compressed(fh, phi=phi, meta=np.array(json.dumps(meta)))
            else:
                np.savez_compressed(fh, phi=phi, meta=np.array(json.dumps(meta)),
                                    checksum=np.array(ck))
    elif how == "not_npz":
        path.write_text("name: not a checkpoint\n")


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """A finished run of SMALL (recipe file, output folder), made once for the module."""
    root = tmp_path_factory.mktemp("finished")
    r = _write(root / "r.yaml", SMALL)
    assert main(["run", str(r), "--out", str(root / "out"), "--quiet"]) == 0
    return r, root / "out"


@pytest.mark.parametrize("how", ["empty", "truncated", "random", "flipped", "next_step",
                                 "step_time", "seed", "no_checksum", "not_npz"])
def test_damaged_checkpoint_is_a_clear_error(tmp_path, capsys, how, finished_run):
    import shutil

    r, done = finished_run
    out = tmp_path / "out"
    shutil.copytree(done, out)
    (out / "metrics.json").unlink()
    _damage(out / "checkpoint.npz", how)
    with pytest.raises(CheckpointError):
        load_checkpoint(out / "checkpoint.npz")
    before = _snapshot(out)
    rc, err = _run(["run", r, "--out", out, "--quiet", "--resume"], capsys)
    assert rc == 2 and _one_line_error(err), err      # was: traceback, or exit 0 (next_step 99)
    assert "checkpoint" in err
    assert _snapshot(out) == before


def test_checkpoint_position_is_checked_against_the_recipe(tmp_path, capsys):
    """A self-consistent checkpoint (valid checksum) whose step lies past the recipe."""
    from waferlab.io.checkpoint import save_checkpoint
    from waferlab.runner import initial_wafer, recipe_hash

    r = _write(tmp_path / "r.yaml", SMALL)
    rec = load_recipe(r)
    out = tmp_path / "out"
    assert _run(["run", r, "--out", out, "--quiet"], capsys)[0] == 0
    (out / "metrics.json").unlink()
    save_checkpoint(out / "checkpoint.npz", initial_wafer(rec), next_step=99, step_time=0.0,
                    recipe_hash=recipe_hash(rec, 7), seed=7)
    rc, err = _run(["run", r, "--out", out, "--quiet", "--resume"], capsys)
    assert rc == 2 and "next_step = 99" in err


# ---------------------------------------------------------------- 6. study NaN metric
def test_study_sample_with_an_undefined_metric_is_nan_with_its_reason(tmp_path):
    """A deposition that leaves no void has no pinch-off time (null).  The study completes."""
    from waferlab.study.run import run_study
    from waferlab.study.spec import study_from_dict

    base = {"name": "deposition-2d",
            "grid": {"dimension": 2, "spacing": "5 nm", "extent": ["200 nm"]},
            "structure": {"substrate": {"material": "Si"},
                          "feature": {"type": "trench", "width": "40 nm", "depth": "120 nm"}},
            "steps": [{"deposit": {"model": "isotropic", "material": "SiO2",
                                   "rate": "10 nm/min", "time": "3 min"}}]}
    data = {"study": {"base": base, "evaluator": "recipe",
                      "parameters": {"steps[0].deposit.rate": {"range": ["10 nm/min",
                                                                           "15 nm/min"]}},
                      "metrics": ["pinch_off_time_s", "film_field_m"], "method": "grid", "samples": 2,
                      "seed": 3}}
    res = run_study(study_from_dict(data), tmp_path, serial=True, make_plots=False)
    s = res.summary
    assert s["failed"] == 0 and s["samples"] == 2      # was: the study aborted
    assert np.isnan(res.dataset["pinch_off_time_s"].values).all()
    assert np.isfinite(res.dataset["film_field_m"].values).all()
    assert set(s["missing_metrics"]) == {"0", "1"}
    assert "pinch_off_time_s" in s["missing_metrics"]["0"]
    notes = json.loads(res.dataset.attrs["notes"])
    assert "undefined" in notes["0"]["pinch_off_time_s"]


def test_run_sample_records_null_and_nan_metrics_and_refuses_a_typo():
    from waferlab.study.evaluators import run_sample

    def ev(data, seed):
        return {"a": None, "b": 2.0, "c": math.nan}

    out = run_sample(ev, {}, (), 1, metrics=("a", "b", "c"))
    assert math.isnan(out["a"]) and out["b"] == 2.0 and math.isnan(out["c"])
    assert set(out["missing"]) == {"a", "c"} and "error" not in out
    with pytest.raises(RecipeError, match="no metric 'typo'"):
        run_sample(ev, {}, (), 1, metrics=("typo",))


# ---------------------------------------------------------------- 8. alias bomb
def test_yaml_alias_bomb_is_refused_without_expanding(tmp_path, capsys):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    lines.append("name: *a8")
    bomb = _write(tmp_path / "bomb.yaml", "\n".join(lines) + "\n")
    assert bomb.stat().st_size < 1000                  # 10^9 leaves when expanded
    rc, err = _run(["run", bomb, "--out", tmp_path / "o"], capsys)
    assert rc == 2 and _one_line_error(err) and str(MAX_NODES) in err
    assert len(err) < 400                              # was: a 58 MB message
    assert not (tmp_path / "o").exists()


def test_errors_never_echo_a_whole_input(tmp_path, capsys):
    data = dict(SMALL, name=["x" * 100000])
    rc, err = _run(["run", _write(tmp_path / "r.yaml", data), "--out", tmp_path / "o"], capsys)
    assert rc == 2 and _one_line_error(err) and len(err) < 600


# ---------------------------------------------------------------- 10. absurd rates
def test_absurd_finite_rate_is_refused_naming_the_step(tmp_path, capsys):
    data = copy.deepcopy(SMALL)
    data["steps"][0]["etch"]["rates"]["Si"] = "1e100 m/s"
    rc, err = _run(["run", _write(tmp_path / "r.yaml", data), "--out", tmp_path / "o"], capsys)
    assert rc == 2 and _one_line_error(err)            # was: ran forever
    # refused at load: the travel (rate × time) the window would have to follow
    assert "move the surface" in err and "e+1" in err and "steps[0]" in err
    assert len(err) < 400                              # no 300-digit GiB figure
    assert not (tmp_path / "o" / "metrics.json").exists()


# ---------------------------------------------------------------- 11. folder names
@pytest.mark.parametrize("name,folder", [
    ("../x/evil", "x_evil-out"), ("/etc/passwd", "etc_passwd-out"), ("a" * 300, "a" * 64 + "-out"),
    ("..", "waferlab-out"), ("ok name", "ok_name-out"), ("trench-1.2", "trench-1.2-out")])
def test_default_folder_name_is_safe(name, folder):
    assert safe_folder_name(name) == folder


def test_default_folder_is_inside_the_working_folder_and_announced(tmp_path, capsys,
                                                                   monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    r = _write(tmp_path / "r.yaml", dict(SMALL, name="../../evil/" + "n" * 300))
    rc = main(["run", str(r), "--quiet"])
    out = capsys.readouterr().out
    assert rc == 0
    made = [p.name for p in work.iterdir()]
    assert made == ["evil_" + "n" * 59 + "-out"]       # was: outside, or a crash at 300 chars
    assert "writing to" in out and str(work / made[0]) in out
    assert not (tmp_path / "evil").exists()


# ---------------------------------------------------------------- 12. folder policy
def test_rerun_into_another_runs_folder_is_refused_then_overwritten(tmp_path, capsys):
    a = _write(tmp_path / "a.yaml", SMALL)
    b = _write(tmp_path / "b.yaml", dict(SMALL, name="other", seed=8))
    out = tmp_path / "out"
    assert _run(["run", a, "--out", out, "--quiet"], capsys)[0] == 0
    (out / "profile.png").write_bytes(b"old picture")   # from an earlier, plotted run
    (out / "notes.txt").write_text("mine")
    before = _snapshot(out)
    rc, err = _run(["run", b, "--out", out, "--quiet"], capsys)
    assert rc == 2 and _one_line_error(err) and "--overwrite" in err
    assert _snapshot(out) == before                    # a refused run writes nothing
    rc, err = _run(["run", b, "--out", out, "--quiet", "--overwrite"], capsys)
    assert rc == 0, err
    assert not (out / "profile.png").exists()          # no old picture beside new metrics
    assert (out / "notes.txt").read_text() == "mine"   # not ours: left alone
    assert yaml.safe_load((out / "recipe.yaml").read_text())["name"] == "other"
    assert json.loads((out / "metrics.json").read_text())["seed"] == 8
    assert json.loads((out / STAMP).read_text())["command"] == "run"


def test_same_run_again_is_allowed_and_interrupted_run_needs_resume(tmp_path, capsys):
    r = _write(tmp_path / "r.yaml", SMALL)
    out = tmp_path / "out"
    assert _run(["run", r, "--out", out, "--quiet"], capsys)[0] == 0
    assert _run(["run", r, "--out", out, "--quiet"], capsys)[0] == 0     # same run: fine
    (out / "metrics.json").unlink()                    # interrupted
    before = _snapshot(out)
    rc, err = _run(["run", r, "--out", out, "--quiet"], capsys)
    assert rc == 2 and "--resume" in err               # was: the checkpoint discarded
    assert _snapshot(out) == before
    assert _run(["run", r, "--out", out, "--quiet", "--resume"], capsys)[0] == 0


@pytest.mark.parametrize("first,second", [
    (["reactor", EXAMPLES / "reactor-argon.yaml"], ["thermal", EXAMPLES / "thermal-1d-quick.yaml"]),
    (["thermal", EXAMPLES / "thermal-1d-quick.yaml"], ["run", "SMALL"]),
])
def test_other_commands_refuse_a_folder_of_another_command(tmp_path, capsys, first, second):
    small = _write(tmp_path / "r.yaml", SMALL)
    out = tmp_path / "out"
    assert _run([*first, "--out", out], capsys)[0] == 0
    before = _snapshot(out)
    second = [small if a == "SMALL" else a for a in second]
    rc, err = _run([*second, "--out", out], capsys)
    assert rc == 2 and _one_line_error(err) and f"waferlab {first[0]}" in err
    assert _snapshot(out) == before


def test_unknown_files_are_refused_without_overwrite(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    rc, err = _run(["run", _write(tmp_path / "r.yaml", SMALL), "--out", out], capsys)
    assert rc == 2 and "no waferlab run stamp" in err
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]


# ---------------------------------------------------------------- 13. log, temps, modes
def test_resume_appends_to_the_log_and_stale_temps_are_removed(tmp_path, capsys):
    r = _write(tmp_path / "r.yaml", SMALL)
    out = tmp_path / "out"
    assert _run(["run", r, "--out", out, "--quiet", "--seed", "5"], capsys)[0] == 0
    first_log = (out / "log.txt").read_text()
    (out / "metrics.json").unlink()
    stale = out / ".checkpoint.abc123.npz"              # a writer killed mid-write
    stale.write_bytes(b"partial")
    assert _run(["run", r, "--out", out, "--quiet", "--seed", "5", "--resume"], capsys)[0] == 0
    log = (out / "log.txt").read_text()
    assert log.startswith(first_log) and "resumed from checkpoint" in log
    assert "seed 5" in log.split("resumed")[0]         # the interrupted run's seed kept
    assert not stale.exists()


def test_output_modes_follow_the_umask(tmp_path, capsys):
    old = os.umask(0o027)
    try:
        out = tmp_path / "out"
        assert _run(["run", _write(tmp_path / "r.yaml", SMALL), "--out", out, "--quiet"],
                    capsys)[0] == 0
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir() if p.is_file()}
    assert set(modes.values()) == {0o640}, modes       # was: 0600 whatever the umask


# ---------------------------------------------------------------- 14. bad recipe files
def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + bytes(range(256))


@pytest.mark.parametrize("content,needle", [
    (bytes(range(256)), "NUL bytes"),
    ("name: caf\xe9\n".encode("latin-1"), "not UTF-8"),
    (b"\x7fELF\x02\x01\x01" + bytes(64), "ELF"),
    (_png(), "PNG"),
    (b"name: a\nseed: 1\nname: b\n", "duplicate key 'name' at line 3"),
    (b"", "empty"),
    (b"# only a comment\n\n", "empty"),
    (b"- a\n- b\n", "a recipe is a mapping"),
    (b"name: [unclosed\n", "not valid YAML"),
])
@pytest.mark.parametrize("command", ["run", "thermal", "image", "reactor", "flux", "study"])
def test_bad_recipe_files_are_one_line_errors(tmp_path, capsys, content, needle, command):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    rc, err = _run([command, path, "--out", tmp_path / "o"], capsys)
    assert rc == 2 and _one_line_error(err), err
    assert needle in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("target,needle", [("dir", "is a folder"), ("/dev/null", "not a regular"),
                                           ("fifo", "not a regular"), ("missing", "does not exist")])
def test_recipe_that_is_not_a_file(tmp_path, capsys, target, needle):
    path = {"dir": tmp_path, "/dev/null": Path("/dev/null"), "fifo": tmp_path / "f",
            "missing": tmp_path / "nope.yaml"}[target]
    if target == "fifo":
        os.mkfifo(path)
    rc, err = _run(["run", path, "--out", tmp_path / "o"], capsys)
    assert rc == 2 and _one_line_error(err) and needle in err


def test_duplicate_keys_nested_and_load_yaml_text():
    with pytest.raises(RecipeError, match="duplicate key 'x' at line 3"):
        load_yaml("a:\n  x: 1\n  x: 2\n")


# ---------------------------------------------------------------- 15. bad --out
@pytest.mark.parametrize("command", [
    ["run", "SMALL"], ["demo"], ["flux", "SMALL"], ["image", EXAMPLES / "litho-grating.yaml"],
    ["thermal", EXAMPLES / "thermal-1d-quick.yaml"], ["reactor", EXAMPLES / "reactor-argon.yaml"],
    ["study", EXAMPLES / "study-deposition.yaml"], ["validate", "--only", "none"]])
@pytest.mark.parametrize("where", ["file", "readonly"])
def test_out_that_cannot_be_used_is_refused_first(tmp_path, capsys, request, command, where):
    small = _write(tmp_path / "r.yaml", SMALL)
    argv = [small if a == "SMALL" else a for a in command]
    if where == "file":
        out = tmp_path / "afile"
        out.write_text("x")
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        if os.geteuid() == 0:                           # root: a read-only file system
            import subprocess
            if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(ro)],
                              capture_output=True).returncode != 0:
                pytest.skip("root writes anywhere and no read-only tmpfs can be mounted")
            request.addfinalizer(lambda: subprocess.run(["umount", "-l", str(ro)],
                                                        capture_output=True))
        else:
            ro.chmod(0o555)
        out = ro / "out"
    rc, err = _run([*argv, "--out", out], capsys)
    assert rc == 2 and _one_line_error(err) and "--out" in err
    if where == "file":
        assert out.read_text() == "x"
    else:
        assert not out.exists()


def test_read_only_file_system_is_refused(tmp_path, capsys):
    rc, err = _run(["run", _write(tmp_path / "r.yaml", SMALL), "--out", "/proc/waferlab-out"],
                   capsys)
    assert rc == 2 and _one_line_error(err) and "--out" in err


# ---------------------------------------------------------------- 16. other inputs
@pytest.mark.parametrize("argv,needle", [
    (["run", "SMALL", "--seed", "-1"], "--seed -1"),
    (["run", "SMALL", "--seed", "x"], "--seed"),
    (["run", "SMALL", "--threads", "0"], "--threads"),
    (["study", EXAMPLES / "study-deposition.yaml", "--workers", "-3"], "--workers"),
    (["study", EXAMPLES / "study-deposition.yaml", "--scheduler", "tcp://127.0.0.1:1"],
     "cannot reach the Dask scheduler at tcp://127.0.0.1:1"),
    (["study", EXAMPLES / "study-deposition.yaml", "--scheduler", "not an address"],
     "tcp://HOST:PORT"),
    (["nosuchcommand"], "invalid choice"),
])
def test_bad_arguments_are_one_line_errors(tmp_path, capsys, argv, needle):
    small = _write(tmp_path / "r.yaml", SMALL)
    argv = [small if a == "SMALL" else a for a in argv]
    rc, err = _run([*argv, "--out", tmp_path / "o"] if argv[0] != "nosuchcommand" else argv,
                   capsys)
    assert rc == 2 and _one_line_error(err), err
    assert needle in err
    assert not (tmp_path / "o").exists()


def _reactor(tmp_path, **changes) -> Path:
    data = yaml.safe_load((EXAMPLES / "reactor-argon.yaml").read_text())
    data["reactor"].update(changes)
    return _write(tmp_path / "reactor.yaml", data)


@pytest.mark.parametrize("chem,needle", [("recipe", "is not a valid chemistry file"),
                                         ("binary", "ELF"), ("missing", "neither a built-in")])
def test_reactor_chemistry_that_is_not_a_chemistry(tmp_path, capsys, chem, needle):
    path = {"recipe": str(EXAMPLES / "trench-deposition.yaml"), "binary": "/bin/ls",
            "missing": str(tmp_path / "none.yaml")}[chem]
    rc, err = _run(["reactor", _reactor(tmp_path, chemistry=path), "--out", tmp_path / "o"],
                   capsys)
    assert rc == 2 and _one_line_error(err) and needle in err and "reactor.chemistry" in err
    assert not (tmp_path / "o").exists()               # was: an empty folder left behind


def test_reactor_rejected_recipe_leaves_no_folder(tmp_path, capsys):
    rc, err = _run(["reactor", _reactor(tmp_path, pressure="-1 Pa"), "--out", tmp_path / "o"],
                   capsys)
    assert rc == 2 and not (tmp_path / "o").exists()


def _gds(tmp_path: Path, kind: str) -> Path:
    import gdstk

    lib = gdstk.Library()
    lib.new_cell("TOP").add(gdstk.rectangle((-0.05, -0.05), (0.05, 0.05)))
    good = tmp_path / "good.gds"
    lib.write_gds(str(good))
    bad = tmp_path / "mask.gds"
    raw = good.read_bytes()
    bad.write_bytes({"truncated": raw[: len(raw) // 2], "random": bytes(range(200)),
                     "text": b"name: x\n", "empty": b""}[kind])
    return bad


@pytest.mark.parametrize("kind", ["truncated", "random", "text", "empty"])
def test_malformed_gds_mask(tmp_path, capsys, kind):
    mask = _gds(tmp_path, kind)
    data = {"name": "m", "optics": {"wavelength": "193 nm", "na": 0.75,
                                    "source": {"shape": "circular", "sigma": 0.5}},
            "mask": {"type": "gds", "file": str(mask), "size": ["200 nm"]},
            "image": {"pixel": "4 nm"}}
    rc, err = _run(["image", _write(tmp_path / "g.yaml", data), "--out", tmp_path / "o"], capsys)
    assert rc == 2 and _one_line_error(err) and "mask.file" in err
    assert "GDSTK" not in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_negative_wavelength(tmp_path, capsys):
    text = (EXAMPLES / "litho-grating.yaml").read_text().replace("193 nm", "-193 nm")
    rc, err = _run(["image", _write(tmp_path / "g.yaml", text), "--out", tmp_path / "o"], capsys)
    assert rc == 2 and _one_line_error(err) and "optics.wavelength" in err   # was: ZeroDivision


@pytest.mark.parametrize("base,needle", [("study", "is not a recipe"), ("binary", "ELF"),
                                         ("list", "a recipe is a mapping")])
def test_study_base_that_is_not_a_recipe(tmp_path, capsys, base, needle):
    other = {"study": str(EXAMPLES / "study-deposition.yaml"), "binary": "/bin/ls",
             "list": str(_write(tmp_path / "l.yaml", "- 1\n- 2\n"))}[base]
    data = yaml.safe_load((EXAMPLES / "study-deposition.yaml").read_text())
    data["study"]["base"] = other
    rc, err = _run(["study", _write(tmp_path / "s.yaml", data), "--out", tmp_path / "o"], capsys)
    assert rc == 2 and _one_line_error(err) and "study.base" in err and needle in err
    assert Path(other).name in err


def test_checkpoint_is_a_zip_of_three_arrays(tmp_path):
    """The format the damage table above relies on (phi, meta, checksum)."""
    from waferlab.io.checkpoint import save_checkpoint
    from waferlab.runner import initial_wafer

    rec = recipe_from_dict(SMALL)
    save_checkpoint(tmp_path / "c.npz", initial_wafer(rec), next_step=0, step_time=0.0,
                    recipe_hash="x", seed=1)
    with zipfile.ZipFile(tmp_path / "c.npz") as z:
        assert sorted(z.namelist()) == ["checksum.npy", "meta.npy", "phi.npy"]
    assert load_checkpoint(tmp_path / "c.npz").seed == 1
