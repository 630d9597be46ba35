"""Studies: sweeps, uncertainty quantification and recipe optimisation, on Dask.

``run_study(study_or_path, out_dir, ...)`` is the entry point (``waferlab study``).
See docs/study.md.
"""
from __future__ import annotations

from .evaluators import get_evaluator, known_evaluators, register_evaluator, run_sample
from .executor import dask_client, sample_seed
from .params import Parameter, get_path, parse_path, set_path
from .run import StudyResult, run_study
from .spec import Study, StudySpec, load_study, study_from_dict

__all__ = ["run_study", "StudyResult", "Study", "StudySpec", "load_study", "study_from_dict",
           "Parameter", "parse_path", "get_path", "set_path", "register_evaluator",
           "get_evaluator", "known_evaluators", "run_sample", "dask_client", "sample_seed"]
