"""The model registry's ``where`` table (feature/registry.py): a recipe's lookup of a
built-in model imports only the module that registers it, not the ones listed before it
(a fixed cost of every run: bench/results/startup_s15.md).  The table is a hint; these
tests check it names, for every built-in model, the module whose import registers it,
and that a stale hint still finds the model."""
from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

from waferlab.registry import Registry

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _registered_by() -> dict[str, str]:
    """name → the module (of the registry's list) whose import registers it, found in a
    fresh interpreter by importing the modules one by one."""
    code = """
import importlib, json
from waferlab.feature import registry as R
reg, out = R._MODELS, {}
for mod in reg.modules:
    before = set(reg._items)
    importlib.import_module(mod)
    out.update(dict.fromkeys(set(reg._items) - before, mod))
print(json.dumps({"by": out, "where": reg.where}))
"""
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_where_table_names_each_models_module():
    got = _registered_by()
    assert got["where"] == got["by"]


def test_lookup_imports_only_the_models_module():
    """``cf4o2`` (the 7th module of the list): its module and the two it imports itself
    (etch_models, flux.models), not models_basic, deposition_models, fluorocarbon, bosch."""
    code = """
import json, sys
from waferlab.feature.registry import _MODELS
_MODELS.get("cf4o2", path="steps[0].etch.model")
print(json.dumps(sorted(m for m in _MODELS.modules if m in sys.modules)))
"""
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [
        "waferlab.feature.etch_chemistries", "waferlab.feature.etch_models",
        "waferlab.feature.flux.models"]


def test_stale_hint_still_finds_the_name(monkeypatch):
    """A ``where`` entry naming the wrong module: the lookup goes on in order."""
    a, b = importlib.util.module_from_spec(importlib.machinery.ModuleSpec("wl_test_a", None)), \
        importlib.util.module_from_spec(importlib.machinery.ModuleSpec("wl_test_b", None))
    reg: Registry[object] = Registry("thing", ("wl_test_a", "wl_test_b"),
                                     where={"x": "wl_test_a"})
    obj = object()
    monkeypatch.setitem(sys.modules, "wl_test_a", a)
    monkeypatch.setitem(sys.modules, "wl_test_b", b)
    real = importlib.import_module

    def fake(name, *args):
        if name == "wl_test_b":
            reg.add("x", obj)
        return real(name, *args)
    monkeypatch.setattr(importlib, "import_module", fake)
    assert reg.get("x", path="p") is obj
