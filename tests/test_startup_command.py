"""Start-up of the ``waferlab`` command.  It holds the cyclic garbage collector off while
it starts and freezes what is alive when it ends (bench/results/startup_s14.md: ~0.3-0.4 s
of CPU of a small run); a library import of waferlab leaves the collector alone;
``--help`` imports no third-party package.

Each check runs in a fresh interpreter (this test process's collector is pytest's), with
``sys.argv[0]`` set to what the command's process has.  No timing here.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")

RECIPE = """\
name: gc-check
grid: {dimension: 2, spacing: 0.5 um, extent: [6 um]}
structure:
  substrate: {material: Si}
  feature: {type: trench, width: 2 um, depth: 2 um}
steps:
  - deposit: {model: isotropic, material: SiO2, rate: 1 um/min, time: 0.1 min}
"""


def _run(code: str, argv0: str, cwd: Path | None = None) -> dict:
    """``code`` in a fresh interpreter whose ``sys.argv[0]`` is ``argv0``; the last line of
    its stdout is a JSON object."""
    script = f"import sys; sys.argv[0] = {argv0!r}\n" + code
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, timeout=300, cwd=cwd)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


# record the collector's state when the recipe is parsed and when the run starts (both
# replaced: a RecipeError ends the command with exit status 2)
_PROBE = """
import gc, json, types
import waferlab
seen = {"import": gc.isenabled()}
import waferlab.api as api
from waferlab.errors import RecipeError
def load_recipe(*a, **k):        # the parse itself is not needed here (numba's imports)
    seen["parse"] = gc.isenabled()
    return types.SimpleNamespace(name="gc-check")
early, box = [[]], []
def run(*a, **k):
    seen["run"] = gc.isenabled()
    seen["frozen_at_run"] = gc.get_freeze_count()
    seen["early_tracked"] = any(o is early for o in gc.get_objects())
    box.append([[]])                # an object the run makes, alive at the end
    seen["late_tracked"] = any(o is box[0] for o in gc.get_objects())
    raise RecipeError("stop here", path="steps")
api.load_recipe, api.run = load_recipe, run
from waferlab.cli import main
seen["rc"] = main(ARGS)
seen["end"] = gc.isenabled()
seen["late_tracked_at_end"] = any(o is box[0] for o in gc.get_objects())   # not if frozen
print(json.dumps(seen))
"""


def test_command_holds_collector_until_the_run(tmp_path):
    """``waferlab run``: collector off during the imports and the recipe's parsing, on
    (with the start-up's objects frozen) when the run starts; frozen again at the end."""
    (tmp_path / "r.yaml").write_text(RECIPE, encoding="utf-8")
    seen = _run(_PROBE.replace("ARGS", repr(["run", "r.yaml", "--out", "o", "--quiet"])),
                "waferlab", cwd=tmp_path)
    assert seen["rc"] == 2                                  # the probe's RecipeError
    assert seen["import"] is False and seen["parse"] is False
    assert seen["run"] is True and seen["frozen_at_run"] > 10_000
    assert seen["early_tracked"] is False      # made during the start-up: frozen with it
    assert seen["late_tracked"] is True        # made by the run: collected as usual ...
    assert seen["end"] is True and seen["late_tracked_at_end"] is False   # ... frozen at the end


def test_other_commands_resume_collector_before_their_work(tmp_path):
    """A sub-command without ``holds_collector`` (``info``) runs with the collector on."""
    code = """
import gc, json
import waferlab
import waferlab.cli_core as core
seen = {}
def info(args):
    seen["info"] = gc.isenabled()
    return 0
core._info = info
from waferlab.cli import main
seen["rc"] = main(["info"])
print(json.dumps(seen))
"""
    seen = _run(code, "waferlab", cwd=tmp_path)
    assert seen == {"info": True, "rc": 0}


def test_library_leaves_collector_alone(tmp_path):
    """Imported as a library (and ``cli.main`` called from Python, as the tests do): the
    collector stays on and nothing is frozen."""
    (tmp_path / "r.yaml").write_text(RECIPE, encoding="utf-8")
    seen = _run(_PROBE.replace("ARGS", repr(["run", "r.yaml", "--out", "o", "--quiet"])),
                "/usr/bin/some-script", cwd=tmp_path)
    assert seen["rc"] == 2
    assert seen["import"] is True and seen["parse"] is True and seen["run"] is True
    assert seen["frozen_at_run"] == 0
    assert seen["early_tracked"] is True and seen["late_tracked_at_end"] is True


def test_help_imports_no_third_party_package(tmp_path):
    """``waferlab --help`` builds every sub-command's parser from the standard library
    only (the sub-commands import their packages when they run)."""
    code = """
import json, sys
from waferlab.cli import main
try:
    main(["--help"])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", "import sys; sys.argv[0] = 'waferlab'\n" + code],
                         env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    mods = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert "waferlab.cli_core" in mods and "waferlab.reactor.cli" in mods   # can fail
    heavy = ("numpy", "scipy", "numba", "pydantic", "matplotlib", "PIL", "rich", "yaml",
             "pint", "xarray", "meshio", "skimage")
    assert sorted(m for m in mods if m.split(".")[0] in heavy) == []
