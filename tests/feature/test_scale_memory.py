"""A 3D run keeps no dense copy of its initial volume (issue #18): the metrics, the
profile plot and ``Result.plot`` read the y = 0 cut of the unfolded initial wafer
(``runner.initial_record``), and the metrics equal those from the dense initial wafer
to the last bit (the metrics of a 3D geometry are taken on that same cut)."""
from __future__ import annotations

import pytest

from waferlab import api
from waferlab.runner import collect_metrics, initial_record, initial_wafer


def _recipe(symmetry: str) -> dict:
    L = 0.4 if symmetry == "full" else 0.2
    return {"name": f"record-{symmetry}", "seed": 1,
            "grid": {"dimension": 3, "spacing": "0.02 um", "extent": [f"{L} um", f"{L} um"],
                     "boundary": "periodic" if symmetry == "full" else "reflective"},
            "structure": {"substrate": {"material": "Si"},
                          "layers": [{"material": "Mask", "thickness": "0.1 um"}],
                          "feature": {"type": "hole", "radius": "0.1 um", "depth": "0.1 um",
                                      "symmetry": symmetry}},
            "steps": [{"etch": {"model": "directional", "rates": {"Si": "1 um/min"},
                                "direction": [0, 0, -1], "isotropic_fraction": 0,
                                "time": "0.06 min"}}],
            "output": {"plot": False, "vtk": False}}


@pytest.mark.parametrize("symmetry", ["full", "quarter"])
def test_metrics_from_the_initial_record_equal_the_dense_initial(symmetry):
    recipe = api.load_recipe(_recipe(symmetry))
    res = api.run(recipe)
    dense = initial_wafer(recipe)
    assert res.initial is not None and res.wafer is not None
    # the record is the 2D cut of the unfolded wafer: (layers, nx, nz), no y axis
    assert res.initial.geometry.grid.dimension == 2
    assert res.initial.geometry.phi.ndim == 3
    assert res.initial.geometry.phi.shape[-1] == dense.geometry.phi.shape[-1]
    assert res.initial.geometry.z_range == dense.geometry.z_range
    ref = collect_metrics(recipe, dense, res.wafer)
    assert {k: res.metrics[k] for k in ref} == ref
    assert res.metrics["etch_depth_m"] > 0.04e-6        # the hole was etched
    # a record passes through initial_record and the plot's unfolding unchanged
    again = initial_record(recipe, res.initial)
    assert again is res.initial
    fig = res.plot()                        # the dashed initial profile from the record
    assert fig.axes[0].has_data()
