"""``waferlab flux`` traces with the re-emission estimator a run's flux step uses
(the default of ``RayTracing.reemission``), so flux.csv shows the fluxes a run sees."""
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


class _Tracing:                       # RayTracing with another default
    reemission = "from-ray-tracing"


def test_flux_probe_passes_the_run_default(monkeypatch):
    assert _captured(monkeypatch)["reemission"] == transport.RayTracing().reemission


def test_flux_probe_follows_ray_tracing_default(monkeypatch):
    monkeypatch.setattr(transport, "RayTracing", _Tracing)
    assert _captured(monkeypatch)["reemission"] == "from-ray-tracing"
