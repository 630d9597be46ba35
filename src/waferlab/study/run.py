"""Run a study: design or search, execute on Dask, analyse, write study.nc, samples.csv,
summary.json and plots (profiles.png and samples/NNNN.png: the profile of every sample).

Before any task is launched, the base recipe with the design's values is validated (the
``recipe`` evaluator): a study whose every sample would be refused stops with the first
sample's error instead of running, and failing, all of them.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import xarray as xr

from ..context import RunContext
from . import analysis, plots, table
from .design import make_design
from .evaluators import Evaluator, get_evaluator
from .executor import DaskBackend, Progress, Runner, SerialBackend, dask_client
from .optimize import run_optimize, run_pareto, target_profile
from .params import apply_assignments
from .spec import Study, StudyMethod, load_study
from .store import StudyStore

__all__ = ["run_study", "StudyResult", "check_recipes", "RANDOM", "study_fingerprint"]


@dataclass(frozen=True)
class StudyResult:
    """What a study produced: the dataset, the summary, and how many samples were run now."""

    dataset: xr.Dataset
    summary: dict[str, Any]
    computed: int
    reused: int
    out_dir: Path | None

    def plot(self, metric: str | None = None):
        """A histogram of each metric over the successful samples (or of ``metric``), in
        engineering units: a matplotlib Figure."""
        from ..io.display import engineering
        from ..io.plots import subplots

        names = [metric] if metric else list(self.summary.get("metrics", ()))
        fig, axes = subplots(1, max(1, len(names)), figsize=(4.2 * max(1, len(names)), 3.4),
                             squeeze=False)
        for ax, m in zip(axes[0], names):
            y = np.asarray(self.dataset[m].values, float)
            y = y[np.isfinite(y)]
            ref = float(np.median(np.abs(y))) if y.size and np.any(y != 0) else 1.0
            name, val, unit = engineering(m, ref)
            ax.hist(y * (val / ref if ref else 1.0), bins=max(5, min(40, len(y) // 4)),
                    color="tab:blue", alpha=0.8)
            ax.set_xlabel(f"{name} ({unit})" if unit else name)
            ax.set_ylabel("samples")
        fig.tight_layout()
        return fig

    def _repr_html_(self) -> str:
        from ..io.report import metrics_html

        st = self.summary.get("statistics", {})
        rows = {f"{m} mean": s["mean"] for m, s in st.items() if isinstance(s.get("mean"), float)}
        rows = {**{k: self.summary[k] for k in ("method", "samples", "failed") if k in self.summary},
                **{k.replace(" mean", ""): v for k, v in rows.items()}}
        return metrics_html(rows, title="study (means of the metrics)")


def _seed(study: Study, name: str) -> int:
    return int(RunContext(seed=study.spec.seed).seeds(1, "study", name)[0] % (2 ** 31))


def _evaluator_id(evaluator: str | Evaluator) -> str:
    if isinstance(evaluator, str):
        return evaluator
    return f"{getattr(evaluator, '__module__', '?')}.{getattr(evaluator, '__qualname__', repr(evaluator))}"


def study_fingerprint(study: Study, evaluator: str | Evaluator | None = None) -> str:
    """The identity of a study's results (spec, base recipe, evaluator)."""
    ev = evaluator if evaluator is not None else study.spec.evaluator
    return Study(spec=study.spec, base=dict(study.base, __evaluator__=_evaluator_id(ev)),
                 parameters=study.parameters, metrics=study.metrics).fingerprint()


def _json_default(o: Any) -> Any:
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def _finite(o: Any) -> Any:
    """JSON has no NaN/inf: they become null."""
    if isinstance(o, dict):
        return {k: _finite(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_finite(v) for v in o]
    if isinstance(o, (float, np.floating)):
        return float(o) if math.isfinite(o) else None
    return o


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(_finite(data), indent=2, default=_json_default, allow_nan=False),
                   encoding="utf-8")
    os.replace(tmp, path)


def _analyse(study: Study, design, ds: xr.Dataset, out: Path | None) -> tuple[dict, list[str]]:
    method, metrics, names = study.spec.method, study.metrics, study.names
    seed = _seed(study, "analysis")
    res: dict[str, Any] = {}
    figs: list[str] = []
    if method in RANDOM:                   # confidence intervals mean something only here
        res["statistics"] = {m: analysis.mc_stats(ds[m].values) for m in metrics}
    complete = all(np.isfinite(ds[m].values).all() for m in metrics)
    sens: dict[str, dict] = {}
    if method in (StudyMethod.SOBOL, StudyMethod.MORRIS, StudyMethod.PCE):
        if not complete:
            res["sensitivity_error"] = "some samples failed; indices need every sample"
        else:
            for m in metrics:
                y = ds[m].values
                if method == StudyMethod.SOBOL:
                    sens[m] = analysis.sobol_indices(study, y, seed=seed)
                elif method == StudyMethod.MORRIS:
                    sens[m] = analysis.morris_indices(study, design, y, seed=seed)
                else:
                    sens[m] = analysis.pce_stats(study, design, y)
            res[str(method)] = sens
    if out is None:
        return res, figs
    if method in (StudyMethod.LHS, StudyMethod.MONTECARLO, StudyMethod.SOBOL, StudyMethod.PCE):
        figs.append(plots.plot_distributions(ds, metrics, out / "distributions.png").name)
    if sens:
        keys = ("mu_star",) if method == StudyMethod.MORRIS else ("S1", "ST")
        figs.append(plots.plot_sensitivity(sens, names, out / "sensitivity.png", keys=keys).name)
    if len(names) <= 2 and method in (StudyMethod.GRID, StudyMethod.LHS, StudyMethod.MONTECARLO):
        for m in metrics:
            figs.append(plots.plot_response(ds, m, out / f"response-{m}.png").name)
    return res, figs


RANDOM = (StudyMethod.LHS, StudyMethod.MONTECARLO, StudyMethod.SOBOL, StudyMethod.MORRIS,
          StudyMethod.PCE)   # pce: regression on random points


def _encode(study: Study, x) -> tuple:
    return tuple((p.path, p.recipe_value(v)) for p, v in zip(study.parameters, x))


def check_recipes(study: Study, xs: np.ndarray, *, limit: int = 200) -> None:
    """Validate the base recipe with each of the first ``limit`` rows' values (schema and
    step parsing, no simulation); when every one is refused, raise the first sample's
    RecipeError (prefixed with its values) before anything is launched."""
    from ..errors import RecipeError
    from ..recipe import recipe_from_dict

    first: tuple[np.ndarray, RecipeError] | None = None
    for x in np.atleast_2d(xs)[:limit]:
        try:
            recipe_from_dict(apply_assignments(study.base, _encode(study, x)))
            return
        except RecipeError as refused:
            if first is None:
                first = (x, refused)
    if first is not None:
        x, exc = first
        vals = ", ".join(f"{p.path} = {v:g}{' ' + p.unit if p.unit else ''}"
                         for p, v in zip(study.parameters, x))
        raise RecipeError(f"every sample is refused; the first ({vals}): {exc}") from exc


def run_study(study: Study | str | Path, out_dir: str | Path | None = None, *,
              scheduler: str | None = None, workers: int | None = None, client: Any = None,
              serial: bool = False, evaluator: str | Evaluator | None = None,
              progress: bool = False, on_result: Callable[[int, dict], None] | None = None,
              make_plots: bool = True) -> StudyResult:
    """Run ``study`` and write ``study.nc``, ``summary.json`` and plots into ``out_dir``.

    Tasks run on ``client`` if given, else on the Dask scheduler at ``scheduler``, else on
    a new local cluster of ``workers`` processes; ``serial=True`` runs them inline.
    ``evaluator`` overrides the study's (a registered name or an importable function
    ``f(recipe_data, seed) -> metrics``).  Samples already in ``out_dir/study.nc`` from
    an interrupted run of the same study are reused, not recomputed.
    """
    if not isinstance(study, Study):
        study = load_study(study)
    spec = study.spec
    ev = evaluator if evaluator is not None else spec.evaluator
    if isinstance(ev, str):
        get_evaluator(ev)                          # unknown names fail here, not on a worker
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    design = None
    if spec.method not in (StudyMethod.OPTIMIZE, StudyMethod.PARETO):
        design = make_design(study)
    if ev == "recipe":
        xs = design.x if design is not None else np.array(
            [[p.ppf(np.array([0.5]))[0] for p in study.parameters]])
        check_recipes(study, xs)
    prof = target_profile(study) if spec.method == StudyMethod.OPTIMIZE else None
    metrics = study.metrics + (("profile_distance",) if prof is not None else ())
    fingerprint = study_fingerprint(study, ev)
    store = StudyStore(out / "study.nc" if out else None, names=study.names,
                       units=tuple(p.unit for p in study.parameters), metrics=metrics,
                       attrs={"fingerprint": fingerprint, "method": str(spec.method),
                              "study_seed": spec.seed, "evaluator": _evaluator_id(ev),
                              "source": str(study.source or "")})
    coarse: tuple[tuple[str, Any], ...] = ()
    if spec.optimize is not None and spec.optimize.fidelity is not None:
        coarse = tuple(spec.optimize.fidelity.coarse.items())
    t0 = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if serial:
            backend: Any = SerialBackend()
            n_workers = 1
        else:
            if client is None:
                client = stack.enter_context(dask_client(scheduler, workers, spec.threads))
            backend = DaskBackend(client, retries=spec.retries)
            n_workers = len(client.scheduler_info(n_workers=-1)["workers"])
        bar = Progress(f"study {spec.method}") if progress else None
        if bar is not None:
            stack.callback(bar.close)
        runner = Runner(backend=backend, store=store, evaluator=ev, base=study.base,
                        names=study.names,
                        encode=lambda x: _encode(study, x),
                        seed=spec.seed, metrics=metrics, threads=spec.threads,
                        common_seed=spec.common_seed,
                        key_prefix=f"waferlab-study-{fingerprint}-{uuid.uuid4().hex[:8]}",
                        coarse=coarse, profile_target=prof, on_result=on_result, progress=bar,
                        keep_profiles=design is not None and out is not None and make_plots)
        if spec.method == StudyMethod.OPTIMIZE:
            method_result = run_optimize(study, runner, seed=_seed(study, "optimize"))
        elif spec.method == StudyMethod.PARETO:
            method_result = run_pareto(study, runner, seed=_seed(study, "pareto"))
        else:
            assert design is not None
            runner.evaluate(design.x)
            method_result = {}
    store.flush(force=True)
    wall = time.perf_counter() - t0
    ds = store.dataset()
    summary: dict[str, Any] = {
        "method": str(spec.method), "samples": int(ds.sizes["sample"]),
        "computed": runner.computed, "reused": runner.reused,
        "failed": int((ds["status"].values == 2).sum()),
        "missing_metrics": {str(k): v for k, v in sorted(store.notes.items())},
        "workers": n_workers,
        "wall_time_s": wall,
        "throughput_per_s": runner.computed / wall if wall > 0 and runner.computed else math.nan,
        "parameters": [{"path": p.path, "unit": p.unit, "distribution": str(p.distribution)}
                       for p in study.parameters],
        "metrics": list(metrics), "seed": spec.seed, "fingerprint": fingerprint}
    figs: list[str] = []
    if out is not None:
        table.write_samples_csv(out / "samples.csv", ds, metrics)
    if design is not None:
        res, figs = _analyse(study, design, ds, out if make_plots else None)
        summary.update(res)
        if out is not None and make_plots:
            profiles = {i: r["profile"] for i, r in runner.results.items()
                        if isinstance(r.get("profile"), np.ndarray) and len(r["profile"]) > 1}
            figs += table.plot_profiles(out, profiles, ds, each=spec.method == StudyMethod.GRID)
    else:
        summary[spec.method] = method_result
        if out is not None and make_plots:
            if spec.method == StudyMethod.OPTIMIZE:
                figs.append(plots.plot_convergence(method_result["history"], out / "convergence.png").name)
            else:
                assert spec.pareto is not None
                objs = list(spec.pareto.objectives)
                cloud = np.column_stack([ds[m].values for m in objs[:2]])
                figs.append(plots.plot_pareto(np.array(method_result["front"])[:, :2], (objs[0], objs[1]),
                                              out / "pareto.png", cloud=cloud).name)
    summary["plots"] = figs
    if out is not None:
        _write_json(out / "summary.json", summary)
        from ..io.report import write_study_report
        write_study_report(out, summary=_finite(summary),
                           study={"study": study.spec.model_dump(mode="json", exclude_none=True)})
    return StudyResult(dataset=ds, summary=summary, computed=runner.computed,
                       reused=runner.reused, out_dir=out)
