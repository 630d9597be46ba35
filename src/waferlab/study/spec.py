"""The study file: a base recipe, parameters by path, metrics, and a method.

```yaml
study:
  base: deposition-2d.yaml          # relative to this file (or an inline mapping)
  parameters:
    steps[0].deposit.rate: {range: [5 nm/min, 15 nm/min]}
    steps[0].deposit.time: {distribution: normal, mean: 3 min, std: 0.1 min}
  metrics: [film_bottom_m, film_sidewall_right_m]
  method: lhs                       # grid | lhs | sobol | morris | montecarlo | pce | optimize | pareto
  samples: 64
  seed: 1
```
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from ..errors import RecipeError
from ..recipe_io import SpecModel, load_yaml, validate_section
from .params import DISTRIBUTIONS, Distribution, Parameter, check_path, convert, split_quantity

__all__ = ["ParameterSpec", "PCESpec", "SobolSpec", "OptimizeSpec", "ParetoSpec",
           "FidelitySpec", "StudySpec", "Study", "load_study", "study_from_dict", "METHODS",
           "renamed_metric", "StudyMethod", "PceRule", "Sampler", "Sense"]

class StudyMethod(StrEnum):
    """``study.method``: a design (grid, Latin hypercube, Sobol', Morris, Monte Carlo,
    polynomial chaos) or a search (single-objective optimisation, Pareto front)."""

    GRID = "grid"
    LHS = "lhs"
    SOBOL = "sobol"
    MORRIS = "morris"
    MONTECARLO = "montecarlo"
    PCE = "pce"
    OPTIMIZE = "optimize"
    PARETO = "pareto"


class PceRule(StrEnum):
    """How the chaos coefficients are found: Gauss quadrature or least-squares regression."""

    QUADRATURE = "quadrature"
    REGRESSION = "regression"


class Sampler(StrEnum):
    """The optuna sampler of ``optimize``: TPE or CMA-ES."""

    TPE = "tpe"
    CMAES = "cmaes"


class Sense(StrEnum):
    """Direction of a Pareto objective."""

    MIN = "min"
    MAX = "max"


METHODS = tuple(StudyMethod)
Number = float | str


class ParameterSpec(SpecModel):
    """One knob: ``range`` alone means uniform; ``distribution`` picks another law."""

    distribution: Distribution | None = None
    range: list[Number] | None = Field(default=None, min_length=2, max_length=2)
    mean: Number | None = None
    std: Number | None = None
    levels: int | None = Field(default=None, ge=2)
    integer: bool = False

    @model_validator(mode="after")
    def _check(self) -> "ParameterSpec":
        law = self.distribution or (Distribution.UNIFORM if self.range is not None else None)
        if law is None:
            raise ValueError(f"give range: [lo, hi] or a distribution ({', '.join(DISTRIBUTIONS)})")
        need = {Distribution.UNIFORM: ("range",), Distribution.LOG_UNIFORM: ("range",),
                Distribution.NORMAL: ("mean", "std"),
                Distribution.TRUNCATED: ("mean", "std", "range")}[law]
        for key in need:
            if getattr(self, key) is None:
                raise ValueError(f"a {law} parameter needs {key}")
        return self


class PCESpec(SpecModel):
    """Polynomial chaos: total ``order``; nodes by Gaussian ``quadrature`` or ``regression``."""

    order: int = Field(default=3, ge=1, le=12)
    rule: PceRule = PceRule.QUADRATURE


class SobolSpec(SpecModel):
    """Saltelli sampling: ``samples`` is the base N; N (D + 2) runs (N (2D + 2) with second order)."""

    second_order: bool = False


class FidelitySpec(SpecModel):
    """Multi-fidelity screening: search with ``coarse`` overrides, confirm the best ``confirm`` on the base."""

    coarse: dict[str, Any] = {}
    confirm: int = Field(default=3, ge=1)


class OptimizeSpec(SpecModel):
    """Fit the knobs to target metrics and/or a target profile polyline.

    objective = Σ_m w_m ((metric_m - target_m) / |target_m|)² + w_p · d(profile, target)/scale
    """

    targets: dict[str, Number] = {}
    weights: dict[str, float] = {}
    profile: list[list[Number]] | None = None
    sampler: Sampler = Sampler.TPE
    budget: int = Field(default=64, ge=2)
    batch: int = Field(default=4, ge=1)
    polish: int = Field(default=0, ge=0)
    fidelity: FidelitySpec | None = None

    @model_validator(mode="after")
    def _check(self) -> "OptimizeSpec":
        if not self.targets and self.profile is None:
            raise ValueError("give targets: {metric: value} and/or profile: [[x, y], ...]")
        return self


class ParetoSpec(SpecModel):
    """NSGA-II: ``objectives`` maps each metric to min or max."""

    objectives: dict[str, Sense] = Field(min_length=2)
    population: int = Field(default=40, ge=4)
    generations: int = Field(default=50, ge=1)


class StudySpec(SpecModel):
    """The ``study:`` section."""

    base: str | dict[str, Any]
    parameters: dict[str, ParameterSpec] = Field(min_length=1)
    metrics: list[str] = Field(default=[], min_length=0)
    method: StudyMethod
    samples: int = Field(default=64, ge=1)
    seed: int = Field(default=0, ge=0)
    common_seed: bool = False          # every sample gets sample 0's seed (common random numbers)
    evaluator: str = "recipe"
    threads: int = Field(default=1, ge=1)
    retries: int = Field(default=3, ge=0)
    pce: PCESpec = PCESpec()
    sobol: SobolSpec = SobolSpec()
    optimize: OptimizeSpec | None = None
    pareto: ParetoSpec | None = None

    @model_validator(mode="after")
    def _check(self) -> "StudySpec":
        if self.method == StudyMethod.OPTIMIZE and self.optimize is None:
            raise ValueError("method: optimize needs an optimize: section (targets, budget)")
        if self.method == StudyMethod.PARETO and self.pareto is None:
            raise ValueError("method: pareto needs a pareto: section (objectives)")
        if not self.metrics and self.method not in (StudyMethod.OPTIMIZE, StudyMethod.PARETO):
            raise ValueError("metrics: list the metrics to collect, e.g. [etch_depth_m, cd_middle_m]")
        return self


class _StudyFile(SpecModel):
    study: StudySpec


@dataclass(frozen=True)
class Study:
    """A validated study: spec, the base recipe mapping, parameters and metric list."""

    spec: StudySpec
    base: dict[str, Any]
    parameters: tuple[Parameter, ...]
    metrics: tuple[str, ...]
    source: Path | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.path for p in self.parameters)

    def fingerprint(self) -> str:
        """Hash of everything that determines the samples (resume only what matches)."""
        text = json.dumps({"spec": self.spec.model_dump(mode="json"), "base": self.base},
                          sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def _parameter(path: str, p: ParameterSpec) -> Parameter:
    where = f"study.parameters.{path}"
    given = [v for v in (*(p.range or ()), p.mean, p.std) if v is not None]
    unit = next((split_quantity(v, where=where)[1] for v in given
                 if isinstance(v, str) and split_quantity(v, where=where)[1]), "")
    law = p.distribution or Distribution.UNIFORM
    kw: dict[str, Any] = {}
    if p.range is not None:
        lo, hi = (convert(v, unit, where=f"{where}.range") for v in p.range)
        if not lo < hi:
            raise RecipeError(f"range [{lo:g}, {hi:g}] {unit} is empty; write [low, high]",
                              path=f"{where}.range")
        if law == Distribution.LOG_UNIFORM and lo <= 0:
            raise RecipeError("a log-uniform range must be positive", path=f"{where}.range")
        kw.update(lo=lo, hi=hi)
    if p.mean is not None:
        kw["mean"] = convert(p.mean, unit, where=f"{where}.mean")
    if p.std is not None:
        kw["std"] = convert(p.std, unit, where=f"{where}.std")
        if not kw["std"] > 0:
            raise RecipeError("std must be positive", path=f"{where}.std", value=p.std)
    if law == Distribution.TRUNCATED and not kw["lo"] < kw["mean"] < kw["hi"] + 10 * kw["std"]:
        raise RecipeError("the truncation range lies far from the mean", path=where)
    return Parameter(path=path, distribution=law, unit=unit, levels=p.levels, integer=p.integer,
                     **kw)


_RENAMED = {"depth": "etch_depth_m (now below the etched layer's top, without the mask)",
            "cd_top": "cd_top_m", "cd_mid": "cd_middle_m", "cd_bottom": "cd_bottom_m",
            "thickness_top": "film_field_m", "thickness_bottom": "film_bottom_m",
            "thickness_sidewall": "film_sidewall_right_m", "conformality": "sidewall_coverage",
            "amounts": "amounts_m2 / amounts_m3"}


def renamed_metric(name: str) -> str | None:
    """The new key of a metric name from before metrics carried units (None: not renamed)."""
    if name in _RENAMED:
        return _RENAMED[name]
    for where, new in (("top", "field"), ("bottom", "bottom"), ("sidewall", "sidewall_right")):
        pre = f"thickness_{where}_"
        if name.startswith(pre):
            return f"film_{new}_{name[len(pre):]}_m"
    return None


def study_from_dict(data: dict[str, Any], *, base_dir: Path | None = None,
                    source: Path | None = None) -> Study:
    """Validate a study mapping (``{"study": {...}}``) and load its base recipe."""
    spec = validate_section(_StudyFile, data).study
    if isinstance(spec.base, str):
        path = Path(spec.base)
        if not path.is_absolute():
            path = (base_dir or Path.cwd()) / path
        if not path.is_file():
            raise RecipeError(f"base recipe {str(path)!r} does not exist (paths are relative "
                              "to the study file)", path="study.base", value=spec.base)
        try:
            base = load_yaml(path)
        except RecipeError as exc:
            raise RecipeError(f"base recipe {str(path)!r}: {exc}", path="study.base",
                              value=spec.base) from None
    else:
        base = dict(spec.base)
    if spec.evaluator == "recipe":             # the base must be a recipe (not a study, ...)
        from ..recipe import RecipeSpec
        try:
            validate_section(RecipeSpec, base)
        except RecipeError as exc:
            where = spec.base if isinstance(spec.base, str) else "the inline mapping"
            raise RecipeError(f"{str(where)[:100]!r} is not a recipe: {exc}",
                              path="study.base") from None
    params = tuple(_parameter(k, v) for k, v in spec.parameters.items())
    for prm in params:
        check_path(base, prm.path)
    metrics = list(spec.metrics)
    if spec.optimize is not None:
        metrics += [m for m in spec.optimize.targets if m not in metrics]
    if spec.pareto is not None:
        metrics += [m for m in spec.pareto.objectives if m not in metrics]
    for m in metrics:
        new = renamed_metric(m)
        if new is not None:
            raise RecipeError(f"metric {m!r} was renamed: ask for {new!r} (metrics now carry "
                              "their unit and are defined in docs/metrics.md)",
                              path="study.metrics", value=m)
    if any(not m.isidentifier() for m in metrics):
        bad = next(m for m in metrics if not m.isidentifier())
        raise RecipeError(f"metric {bad!r} is not a name like cd_middle_m", path="study.metrics")
    if not math.isfinite(spec.samples):
        raise RecipeError("samples must be finite", path="study.samples")
    return Study(spec=spec, base=base, parameters=params, metrics=tuple(metrics), source=source)


def load_study(path: str | Path) -> Study:
    """Load a study file; its ``base`` recipe path is relative to the study file."""
    p = Path(path)
    return study_from_dict(load_yaml(p), base_dir=p.resolve().parent, source=p.resolve())
