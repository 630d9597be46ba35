"""Shared helpers for the study tests: a 2D trench deposition base recipe and study builders."""
from __future__ import annotations

import copy

BASE = {
    "name": "deposition-2d",
    "grid": {"dimension": 2, "spacing": "5 nm", "extent": ["200 nm"]},
    "structure": {"substrate": {"material": "Si"},
                  "feature": {"type": "trench", "width": "40 nm", "depth": "120 nm"}},
    "steps": [{"deposit": {"model": "isotropic", "material": "SiO2", "rate": "10 nm/min",
                           "time": "3 min"}}],
}


def deposition_study(method: str = "lhs", samples: int = 64, **extra) -> dict:
    """A study of the analytic 2D deposition over rate and sticking."""
    base = copy.deepcopy(BASE)
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
