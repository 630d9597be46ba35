"""The one registry behind models, steps, evaluators and validation problems:
duplicate names are refused, plug-ins arrive through entry points, a broken plug-in is
reported and left out."""
from __future__ import annotations

import logging
import sys
import types
from importlib import metadata

import pytest

from waferlab.errors import RecipeError
from waferlab.feature.registry import get_model_spec, known_models
from waferlab.registry import Registry


def test_duplicate_name_with_another_object_is_refused():
    reg: Registry[object] = Registry("model")
    a, b = object(), object()
    reg.add("x", a)
    reg.add("x", a)                         # the same object again: harmless (re-import)
    with pytest.raises(ValueError, match="'x' registered twice"):
        reg.add("x", b)


def test_builtin_model_cannot_be_replaced():
    from waferlab.feature.registry import register_model

    known_models()                           # the built-ins are in (a plug-in loads after them)
    with pytest.raises(ValueError, match="registered twice"):
        @register_model("isotropic")
        class Impostor:                      # noqa: F841
            pass
    assert get_model_spec("isotropic").__name__ != "Impostor"


def test_unknown_name_is_a_recipe_error_listing_the_known():
    with pytest.raises(RecipeError) as e:
        get_model_spec("isotropc", path="steps[0].etch.model")
    assert e.value.path == "steps[0].etch.model"
    assert "isotropic" in str(e.value)


def _fake_entry_points(monkeypatch, group: str, entries: list[metadata.EntryPoint]):
    real = metadata.entry_points

    def fake(**kw):
        return entries if kw.get("group") == group else real(**kw)
    monkeypatch.setattr(metadata, "entry_points", fake)


def test_plugin_object_and_module_through_entry_points(monkeypatch):
    mod = types.ModuleType("waferlab_test_plugin")
    reg: Registry[object] = Registry("model", group="waferlab.models")

    class PluginSpec:
        pass

    def _import_registers():           # a module entry point registers on import
        reg.add("from_module", PluginSpec)

    mod.PluginSpec = PluginSpec
    monkeypatch.setitem(sys.modules, "waferlab_test_plugin", mod)
    _fake_entry_points(monkeypatch, "waferlab.models", [
        metadata.EntryPoint(name="plug", value="waferlab_test_plugin:PluginSpec", group="waferlab.models")])
    assert reg.names() == ("plug",)
    assert reg["plug"] is PluginSpec
    _import_registers()
    assert "from_module" in reg


def test_broken_plugin_is_reported_and_left_out(monkeypatch, caplog):
    reg: Registry[object] = Registry("model", modules=("waferlab.feature.models_basic",),
                                     group="waferlab.models")
    _fake_entry_points(monkeypatch, "waferlab.models", [
        metadata.EntryPoint(name="broken", value="waferlab_no_such_module_xyz:Spec", group="waferlab.models")])
    with caplog.at_level(logging.WARNING, logger="waferlab.registry"):
        names = reg.names()
    assert "broken" not in names
    assert "waferlab_no_such_module_xyz" in caplog.text


def test_real_registries_are_filled():
    from waferlab.process.registry import known_steps
    from waferlab.study.evaluators import known_evaluators
    from waferlab.validation.core import problems

    assert {"isotropic", "sf6o2", "cvd"} <= set(known_models())
    assert {"etch", "deposit", "plasma_etch", "cycle", "ald"} <= set(known_steps())
    assert "recipe" in known_evaluators()
    assert len({p.name for p in problems()}) == len(problems()) > 10


def test_unknown_group_is_refused():
    with pytest.raises(ValueError, match="entry-point group"):
        Registry("model", group="waferlab.nonsense")
