"""Study cases with known answers, shared by the tests and bench/bench_study.py.

- ``deposition_study``: the analytic 2D trench deposition (``analytic.deposition``) over
  rate and sticking;
- ``ishigami_study``: the Ishigami function (exact Sobol indices: Ishigami & Homma 1990;
  Sobol' & Levitan 1999);
- ``hidden_knob_study``: an optimisation whose targets are the metrics of a run with
  hidden knobs (``HIDDEN``), so the answer is known;
- ``coarse_example`` and ``profile_fit_study``: examples/study-deposition.yaml made
  cheap (coarse grid, few rays) for the real recipe runner.
"""
from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["DEPOSITION_BASE", "HIDDEN", "deposition_study", "ishigami_study", "hidden_knob_study",
           "hidden_knob_error", "hidden_run", "coarse_example", "profile_fit_study"]

DEPOSITION_BASE: dict[str, Any] = {
    "name": "deposition-2d",
    "grid": {"dimension": 2, "spacing": "5 nm", "extent": ["200 nm"]},
    "structure": {"substrate": {"material": "Si"},
                  "feature": {"type": "trench", "width": "40 nm", "depth": "120 nm"}},
    "steps": [{"deposit": {"model": "isotropic", "material": "SiO2", "rate": "10 nm/min",
                           "time": "3 min"}}],
}
HIDDEN = {"steps[0].deposit.rate": 11.3, "steps[0].deposit.sticking": 0.137}


def deposition_study(method: str = "lhs", samples: int = 64, **extra) -> dict:
    """A study of the analytic 2D deposition over rate and sticking."""
    base = copy.deepcopy(DEPOSITION_BASE)
    base["steps"][0]["deposit"]["sticking"] = 0.1
    base.update(extra.pop("base_extra", {}))
    study = {"base": base, "evaluator": "analytic.deposition",
             "parameters": {"steps[0].deposit.rate": {"range": ["5 nm/min", "15 nm/min"]},
                            "steps[0].deposit.sticking": {"distribution": "log-uniform",
                                                          "range": [0.01, 0.5]}},
             "metrics": ["film_bottom_m", "film_sidewall_right_m"],
             "method": method, "samples": samples, "seed": 7}
    study.update(extra)
    return {"study": study}


def ishigami_study(method: str, samples: int, **extra) -> dict:
    """The Ishigami function y(x1, x2, x3), each x uniform on [−π, π]."""
    study = {"base": {"x": [0.0, 0.0, 0.0]}, "evaluator": "analytic.ishigami",
             "parameters": {f"x[{i}]": {"range": [-math.pi, math.pi]} for i in range(3)},
             "metrics": ["y"], "method": method, "samples": samples, "seed": 1}
    study.update(extra)
    return {"study": study}


def hidden_run(data: dict) -> dict:
    """The analytic deposition metrics of the run with the ``HIDDEN`` knobs."""
    from .analytic import deposition
    from .params import apply_assignments

    assign = (("steps[0].deposit.rate", "11.3 nm/min"), ("steps[0].deposit.sticking", 0.137))
    return deposition(apply_assignments(data["study"]["base"], assign), 0)


def hidden_knob_study(**opt) -> dict:
    """Optimise rate and sticking of the analytic deposition towards the metrics of the
    run with the ``HIDDEN`` knobs (``opt`` overrides the optimize settings)."""
    data = deposition_study("optimize")
    data["study"]["metrics"] = []
    hidden = hidden_run(data)
    opt.setdefault("targets", {"film_field_m": f"{float(hidden['film_field_m']) * 1e9!r} nm",
                               "film_bottom_m": float(hidden["film_bottom_m"])})
    data["study"]["optimize"] = {"budget": 48, "batch": 4, "polish": 40, **opt}
    return data


def hidden_knob_error(summary: dict) -> np.ndarray:
    """|best / hidden − 1| per knob of a ``hidden_knob_study`` summary."""
    best = summary["optimize"]["best_x"]
    return np.abs(np.array(best) / np.array(list(HIDDEN.values())) - 1.0)


def coarse_example(study, samples: int, spacing: str = "0.48 um", rays: int = 100):
    """examples/study-deposition.yaml with a coarse grid, few rays and ``samples`` samples."""
    from .spec import study_from_dict

    base = dict(study.base, grid=dict(study.base["grid"], spacing=spacing,
                                      extent=["10.08 um"]))
    base["steps"] = [{"deposit": dict(study.base["steps"][0]["deposit"], rays_per_point=rays)}]
    spec = study.spec.model_dump(mode="json")
    spec.update(base=base, samples=samples)
    return study_from_dict({"study": spec})


def profile_fit_study(example: Path, budget: int = 48, polish: int = 40):
    """Hidden knobs (rate 1.1 µm/min, sticking 0.15) on the coarse example with a 1.5-min
    deposition (the trench stays open, so its shape depends on the sticking); the target
    is that run's profile; common random numbers (one seed for every run).  Returns the
    study and the hidden (rate in µm/min, sticking)."""
    from .evaluators import evaluate_recipe
    from .executor import sample_seed
    from .params import apply_assignments
    from .spec import load_study, study_from_dict

    st = coarse_example(load_study(example), 1)
    st.base["steps"][0]["deposit"]["time"] = "1.5 min"
    hidden = (("steps[0].deposit.rate", "1.1 um/min"), ("steps[0].deposit.sticking", 0.15))
    target = evaluate_recipe(apply_assignments(st.base, hidden), sample_seed(5, 0), profile=True)
    spec = st.spec.model_dump(mode="json")
    spec.update(method="optimize", seed=5, common_seed=True, metrics=[],
                optimize={"profile": target["profile"].tolist(), "budget": budget, "batch": 4,
                          "polish": polish})
    return study_from_dict({"study": spec}), (1.1, 0.15)
