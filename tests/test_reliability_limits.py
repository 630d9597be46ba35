"""Reliability (issue 22) under limits: a memory cap, a full disk, Ctrl-C, fuzzed inputs."""
from __future__ import annotations

import copy
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from small_recipes import small_trench
from waferlab.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SRC = str(Path(__file__).resolve().parents[1] / "src")

SMALL = small_trench("rel-limits", seed=7, etch="0.3 min", deposit="0.2 min", quiet=True)


def _write(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def _one_line_error(err: str) -> bool:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    return len(lines) == 1 and "error:" in lines[0] and "Traceback" not in err


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))


# ---------------------------------------------------------------- 7. memory caps
_CAPPED = """
import resource, sys
from waferlab.cli import main, build_parser
build_parser()                                   # every import done before the cap
vm = 0
for line in open('/proc/self/status'):
    if line.startswith('VmSize:'):
        vm = int(line.split()[1]) * 1024
resource.setrlimit(resource.RLIMIT_AS, (vm + (2 << 30), resource.RLIM_INFINITY))
sys.exit(main(sys.argv[1:]))
"""


def _thermal_2d(tmp_path: Path, n: int) -> Path:
    data = yaml.safe_load((EXAMPLES / "thermal-2d-masked.yaml").read_text())
    data["thermal"]["nodes"] = n
    data["thermal"]["lateral"]["nodes"] = n
    return _write(tmp_path / "thermal.yaml", data)


def _image(tmp_path: Path, pixel: str) -> Path:
    data = {"name": "big-clip", "optics": {"wavelength": "193 nm", "na": 0.75,
                                           "source": {"shape": "circular", "sigma": 0.5}},
            "mask": {"type": "polygons", "size": ["2 um"],
                     "polygons": [[[-100, -100], [100, -100], [100, 100], [-100, 100]]]},
            "image": {"pixel": pixel}}
    return _write(tmp_path / "image.yaml", data)


def _grid(tmp_path: Path, spacing: str) -> Path:
    data = copy.deepcopy(SMALL)
    data["grid"] = {"dimension": 2, "spacing": spacing, "extent": ["100 um"]}
    return _write(tmp_path / "grid.yaml", data)


@pytest.mark.parametrize("command,make,arg", [
    pytest.param("thermal", _thermal_2d, 401,       # ~3.5 GB estimated; 2.25 GB measured
                 marks=pytest.mark.slow),
    ("image", _image, "0.5 nm"),                    # 16 M pixels, ~2.3 GB estimated
    pytest.param("run", _grid, "1 nm",              # 1e5 x 440 nodes x 3 layers, ~6 GB
                 marks=pytest.mark.slow),
])
def test_oversized_requests_are_refused_under_a_memory_cap(tmp_path, command, make, arg):
    """Under RLIMIT_AS = (imports + 2 GiB) each request is refused with its estimate,
    before allocating (without the cap these fit this machine and would run)."""
    path = make(tmp_path, arg)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-c", _CAPPED, command, str(path), "--out", str(out)],
                          capture_output=True, text=True, timeout=120, env=_env())
    assert proc.returncode == 2, proc.stderr
    assert _one_line_error(proc.stderr) and "GiB of memory (estimate)" in proc.stderr
    assert "GiB available" in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("command,make,arg", [("thermal", _thermal_2d, 4097),
                                              ("image", _image, "0.01 nm")])
def test_absurd_sizes_are_refused_without_a_cap(tmp_path, capsys, command, make, arg):
    if command == "thermal":                            # the 200001 x 4097 nodes
        data = yaml.safe_load(make(tmp_path, arg).read_text())
        data["thermal"]["nodes"] = 200001
        path = _write(tmp_path / "t.yaml", data)
    else:                                               # the 312 GiB image
        path = make(tmp_path, arg)
    assert main([command, str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert _one_line_error(err) and "GiB of memory (estimate)" in err


def test_thermal_estimate_is_above_the_measured_peak():
    """Measured peaks (this machine): 201² nodes 10.7 kB/node, 401² 14.1 kB/node
    (2 species, intrinsic anneal), 200001 1D nodes 4.0 kB/node (3 species)."""
    from waferlab.thermal.cli import load_thermal_recipe, thermal_memory_estimate_bytes

    _, _, spec2 = load_thermal_recipe(EXAMPLES / "thermal-2d-masked.yaml")
    _, _, spec1 = load_thermal_recipe(EXAMPLES / "thermal-1d-quick.yaml")
    for n, kb in ((201, 10.7), (401, 14.1)):
        s = spec2.model_copy(update={"nodes": n, "lateral": spec2.lateral.model_copy(
            update={"nodes": n})})
        assert thermal_memory_estimate_bytes(s) > kb * 1024 * n * n
    s = spec1.model_copy(update={"nodes": 200001})
    assert thermal_memory_estimate_bytes(s) > 4.0 * 1024 * 200001


# ---------------------------------------------------------------- 12/15. full disk
def _metrics(out: Path) -> dict:
    m = json.loads((out / "metrics.json").read_text())
    m.pop("wall_time_s")
    return m


def test_disk_full_while_writing_outputs_keeps_the_old_results(tmp_path, capsys, monkeypatch):
    """ENOSPC simulated in the CSV writer (in-process): the earlier results stay, no
    staging folder is left, and --resume finishes the run once there is room."""
    import waferlab.runner as runner_mod

    r = _write(tmp_path / "r.yaml", SMALL)
    out = tmp_path / "out"
    assert main(["run", str(r), "--out", str(out), "--quiet"]) == 0
    ref = _metrics(out)
    before = (out / "metrics.json").read_bytes()
    real = runner_mod.write_csv

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", str(a[0]))

    monkeypatch.setattr(runner_mod, "write_csv", full)
    b = _write(tmp_path / "b.yaml", dict(SMALL, seed=8))
    capsys.readouterr()
    assert main(["run", str(b), "--out", str(out), "--quiet", "--overwrite"]) == 2
    err = capsys.readouterr().err
    assert _one_line_error(err) and "disk is full" in err
    # the folder describes one run: the new (seed 8) one, interrupted before its results
    assert not (out / "metrics.json").exists() and not list(out.glob(".staging-*"))
    assert yaml.safe_load((out / "recipe.yaml").read_text())["seed"] == 8
    monkeypatch.setattr(runner_mod, "write_csv", real)
    assert main(["run", str(b), "--out", str(out), "--quiet", "--resume"]) == 0
    assert _metrics(out)["seed"] == 8 and _metrics(out) != ref
    # the same run repeated into its own folder on a full disk: the old results stay
    monkeypatch.setattr(runner_mod, "write_csv", full)
    before = (out / "metrics.json").read_bytes()
    assert main(["run", str(b), "--out", str(out), "--quiet"]) == 2
    assert (out / "metrics.json").read_bytes() == before


@pytest.fixture
def tiny_disk(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)],
                       capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (the ENOSPC case is simulated above)")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


@pytest.mark.slow
def test_real_full_disk_leaves_one_run_and_resume_finishes(tmp_path, tiny_disk):
    r = _write(tmp_path / "r.yaml", SMALL)
    ref = tmp_path / "ref"
    cmd = [sys.executable, "-m", "waferlab", "run", str(r), "--quiet", "--threads", "1"]
    assert subprocess.run(cmd + ["--out", str(ref)], env=_env(), capture_output=True,
                          timeout=300).returncode == 0
    filler = tiny_disk / "filler"
    vfs = os.statvfs(tiny_disk)                        # leave ~8 kB free
    filler.write_bytes(b"\0" * max(0, vfs.f_bavail * vfs.f_frsize - 8192))
    out = tiny_disk / "out"
    p = subprocess.run(cmd + ["--out", str(out)], env=_env(), capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 2 and _one_line_error(p.stderr), p.stderr
    assert "disk is full" in p.stderr or "No space" in p.stderr
    if out.exists():                                    # only this run's files, no results
        assert not (out / "metrics.json").exists()
        assert not list(out.glob(".staging-*")) and not list(out.glob(".checkpoint.*"))
    filler.unlink()
    p = subprocess.run(cmd + ["--out", str(out), "--resume"], env=_env(), capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert _metrics(out) == _metrics(ref)


# ---------------------------------------------------------------- 16. early Ctrl-C
@pytest.mark.parametrize("delay", [0.3, 0.8])   # before ~0.05 s: Python's own start-up
def test_ctrl_c_while_starting_is_not_a_traceback(tmp_path, delay):
    exe = Path(sys.executable).parent / "waferlab"
    if not exe.exists():
        pytest.skip("the waferlab console script is not installed")
    r = _write(tmp_path / "r.yaml", SMALL)
    proc = subprocess.Popen([str(exe), "run", str(r), "--out", str(tmp_path / "o"), "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(),
                            text=True)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err, err
    # 130: interrupted; -2: the signal came before Python set up its handler; 0: finished
    assert proc.returncode in (130, -signal.SIGINT, 0), err


# ---------------------------------------------------------------- fuzzing
COMMANDS = ("run", "flux", "image", "thermal", "reactor", "study", "validate", "demo", "info")
TOKENS = ("--out", "OUT", "--seed", "-1", "7", "x", "99999999999999999999", "--threads", "0",
          "--resume", "--overwrite", "--quiet", "--sweep", "power=1W:2W:3", "power=", "--only",
          "--scale", "feature", "--workers", "--scheduler", "tcp://127.0.0.1:1", "--serial",
          "RECIPE", "/dev/null", "", "-", "--", "\x00", "é", "--list", "--full", "-v", "--debug")
KEYS = ("name", "seed", "grid", "structure", "steps", "thermal", "reactor", "optics", "mask",
        "image", "resist", "study", "output", "materials", "dimension", "spacing", "extent",
        "etch", "deposit", "time", "rate", "nodes", "depth", "base", "chemistry", "pixel")
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                    st.sampled_from(["1 nm", "-5 um", "1e100 m/s", "2 min", "Si", "nan m",
                                     "1e-300 m", "300 K", "trench", "*"]))
YAML_VALUES = st.recursive(SCALARS, lambda ch: st.one_of(
    st.lists(ch, max_size=4), st.dictionaries(st.sampled_from(KEYS), ch, max_size=5)),
    max_leaves=20)


@pytest.fixture(scope="module")
def arena(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    out = root / "out"
    out.mkdir()
    (out / "notes.txt").write_text("precious")
    (out / "waferlab-run.json").write_text('{"command": "run", "identity": "other"}')
    (out / "metrics.json").write_text('{"depth": 1}')
    old = os.getcwd()
    os.chdir(root)                                      # a default --out lands here
    yield root
    os.chdir(old)


def _check(arena: Path, argv: list[str], capsys) -> None:
    out = arena / "out"
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    argv = [str(out) if a == "OUT" else str(arena / "recipe.yaml") if a == "RECIPE" else a
            for a in argv]
    if argv and argv[0] in ("demo", "validate") and "--list" not in argv:
        # these need no recipe: keep only arguments that make them fail before working
        argv = argv + ["--seed", "-1"]
    if "--overwrite" in argv:
        argv.remove("--overwrite")
    rc = main(argv)
    captured = capsys.readouterr()
    assert rc in (0, 1, 2, 130), (argv, rc, captured.err)
    assert "Traceback" not in captured.err
    if rc == 2 and argv and argv[0] in COMMANDS and "-h" not in argv:
        lines = [ln for ln in captured.err.splitlines() if ln.strip()]
        assert len(lines) == 1, (argv, captured.err)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before, argv


FUZZ = settings(max_examples=12, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@FUZZ
@given(command=st.sampled_from(COMMANDS[:6]), data=st.binary(max_size=300))
def test_fuzz_random_bytes_as_recipe(arena, capsys, command, data):
    (arena / "recipe.yaml").write_bytes(data)
    _check(arena, [command, "RECIPE", "--out", "OUT"], capsys)


@FUZZ
@given(command=st.sampled_from(COMMANDS[:6]), doc=YAML_VALUES)
def test_fuzz_random_yaml_as_recipe(arena, capsys, command, doc):
    (arena / "recipe.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))
    _check(arena, [command, "RECIPE", "--out", "OUT"], capsys)


@FUZZ
@given(command=st.sampled_from(COMMANDS), tokens=st.lists(st.sampled_from(TOKENS), max_size=6))
def test_fuzz_random_command_lines(arena, capsys, command, tokens):
    (arena / "recipe.yaml").write_text("name: x\n")
    if command == "info":
        tokens = [t for t in tokens if t.startswith("--debug")]
    _check(arena, [command, *tokens], capsys)
