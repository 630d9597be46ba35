"""Flux probe table, CSV and picture."""
import csv

import numpy as np

from waferlab.feature.flux import Species, shapes, trace_fluxes
from waferlab.feature.flux.probe import flux_table, plot_flux, write_flux_csv


def test_table_csv_and_plot_2d(ctx, tmp_path):
    s = shapes.trench(1.0, 1.0, h=0.1, field=0.5)
    res = trace_fluxes(s, [Species(name="ion", sticking=1.0, source_exponent=100),
                           Species(name="neutral", sticking=0.1)], ctx, rays_per_point=100)
    t = flux_table(s, res)
    assert list(t)[:5] == ["x", "y", "nx", "ny", "material"]
    for n in ("ion", "neutral"):
        for q in ("incident", "absorbed", "stderr"):
            assert len(t[f"{q}_{n}"]) == len(s.elements)
    p = write_flux_csv(tmp_path / "flux.csv", t)
    rows = list(csv.DictReader(p.open()))
    assert len(rows) == len(s.elements)
    assert {r["material"] for r in rows} == {"top", "wall", "bottom"}
    np.testing.assert_allclose([float(r["incident_neutral"]) for r in rows],
                               res["neutral"].incident, rtol=1e-9)
    png = plot_flux(tmp_path / "flux.png", s, res, "neutral")
    assert png.stat().st_size > 1000


def test_table_and_plot_3d(ctx, tmp_path):
    s = shapes.hole(1.0, 1.0, h=0.25, n_sides=16)
    res = trace_fluxes(s, [Species(name="n", sticking=0.5)], ctx, rays_per_point=50)
    t = flux_table(s, res)
    assert list(t)[:7] == ["x", "y", "z", "nx", "ny", "nz", "material"]
    assert plot_flux(tmp_path / "f.png", s, res, "n", quantity="absorbed").stat().st_size > 1000
