"""``waferlab flux`` traces with the re-emission estimator a run's flux step uses
(``transport.DEFAULT_REEMISSION`` where the flux package has that choice)."""
from __future__ import annotations

from pathlib import Path

import pytest

import waferlab.feature.flux as flux
from waferlab.api import probe_fluxes
from waferlab.feature.flux import transport

EXAMPLES = Path(__file__).parents[1] / "examples"


class _Stop(Exception):
    pass


def _captured(monkeypatch) -> dict:
    seen: dict = {}

    def trace(*a, **k):
        seen.update(k)
        raise _Stop

    monkeypatch.setattr(flux, "trace_fluxes", trace)
    with pytest.raises(_Stop):
        probe_fluxes(EXAMPLES / "trench-deposition.yaml", threads=1)
    return seen


class _Tracing:                       # RayTracing with a reemission field
    reemission = "from-ray-tracing"


class _OldTracing:                    # RayTracing without one
    pass


def test_flux_probe_passes_the_run_default(monkeypatch):
    monkeypatch.setattr(transport, "DEFAULT_REEMISSION", "probe-check", raising=False)
    assert _captured(monkeypatch)["reemission"] == "probe-check"


def test_flux_probe_reads_ray_tracing_default(monkeypatch):
    monkeypatch.delattr(transport, "DEFAULT_REEMISSION", raising=False)
    monkeypatch.setattr(transport, "RayTracing", _Tracing)
    assert _captured(monkeypatch)["reemission"] == "from-ray-tracing"


def test_flux_probe_without_a_choice_passes_none(monkeypatch):
    monkeypatch.delattr(transport, "DEFAULT_REEMISSION", raising=False)
    monkeypatch.setattr(transport, "RayTracing", _OldTracing)
    assert "reemission" not in _captured(monkeypatch)
