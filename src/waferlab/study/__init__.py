"""Studies: sweeps, uncertainty quantification and recipe optimisation, on Dask.

``run_study(study_or_path, out_dir, ...)`` is the entry point (``waferlab study``).
See docs/study.md.  Names are imported lazily, so a Dask worker that only runs
tasks (:func:`run_sample`) does not import xarray, SALib or Optuna.
"""
from __future__ import annotations

import importlib

__all__ = ["run_study", "StudyResult", "Study", "StudySpec", "load_study", "study_from_dict",
           "Parameter", "parse_path", "get_path", "set_path", "register_evaluator",
           "get_evaluator", "known_evaluators", "run_sample", "dask_client", "sample_seed"]

_WHERE = {"run_study": "run", "StudyResult": "run", "Study": "spec", "StudySpec": "spec",
          "load_study": "spec", "study_from_dict": "spec", "Parameter": "params",
          "parse_path": "params", "get_path": "params", "set_path": "params",
          "register_evaluator": "evaluators", "get_evaluator": "evaluators",
          "known_evaluators": "evaluators", "run_sample": "evaluators",
          "dask_client": "executor", "sample_seed": "executor"}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
