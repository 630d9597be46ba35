"""Run a recipe: build the wafer, apply each step, checkpoint, and write the outputs.

Outputs in the run folder (all written atomically): ``recipe.yaml`` (resolved, SI),
``metrics.json``, ``profile.csv``, ``final_surface.vtu``, ``final.vtu``, ``profile.png``,
``report.html``,
``log.txt`` (with a progress line every ``PROGRESS_INTERVAL`` of wall time inside long
steps) and ``checkpoint.npz`` (every ``output.checkpoint_interval`` of wall time,
at a step's end or inside it, and at the end of the run; ``--resume`` continues from
it).  Nothing per step grows with the number of steps done: checkpoints and the log
file are written on wall-clock intervals, not after every short step.

The resolved recipe holds the effective seed (``--seed`` included), and the checkpoint's
identity is the hash of that resolved recipe: a resume with another seed or recipe is
refused before anything is written.  ``--resume`` appends to ``log.txt``.  The final
outputs are written into a staging folder and moved in together (a full disk leaves
the folder with its checkpoint, ready for ``--resume``).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import math
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .context import RunContext
from .errors import RecipeError, SimulationError
from .io.atomic import staged, write_csv, write_json, write_text
from .io.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .recipe import Recipe, recipe_from_dict
from .process.expose import expose_metrics, write_expose_outputs
from .process.doping import doping_metrics, write_doping_outputs
from .process.film_stress import stress_metrics, track_films
from .wafer import Wafer

__all__ = ["initial_wafer", "initial_record", "run_recipe", "run_recipe_dict", "recipe_hash", "collect_metrics",
           "resolved_with_seed", "estimate_time_steps", "MAX_TIME_STEPS", "RunOutcome",
           "execute_recipe", "profile_columns", "is_cyclic", "CYCLIC_MODELS"]

CHECKPOINT = "checkpoint.npz"
CARRY_FIELD = "model_carry"       # a stateful model's data in a mid-step checkpoint
#: A step estimated to need more time steps than this is refused before it starts.
MAX_TIME_STEPS = 10**8
#: ... and one above this is announced in the log with its estimate.
WARN_TIME_STEPS = 10**6
LOG_INTERVAL = 1.0                # s of wall time between rewrites of log.txt
#: s of wall time between the progress lines of a long run in log.txt (simulated time,
#: time steps, wall time, estimated time left): a batch run without a terminal shows its
#: progress there; one clock read per time step
PROGRESS_INTERVAL = 60.0
PINCH_FIELD = "pinch_off_time_s"  # when a void first closed (kept across a resume)
#: Etch models that cut one scallop per cycle themselves (Bosch): their runs get the
#: scallop metrics even without a ``cycle`` step (:func:`is_cyclic`).
CYCLIC_MODELS = frozenset({"sf6c4f8"})


def _pinch(wafer: Wafer, t: float | None) -> tuple:
    """The pinch-off field to add to ``wafer`` (empty when unknown or already there)."""
    return () if t is None or PINCH_FIELD in dict(wafer.fields) else ((PINCH_FIELD, t),)


def resolved_with_seed(recipe: Recipe, seed: int | None = None) -> dict[str, Any]:
    """The resolved recipe with the seed the run uses (``--seed`` overrides the recipe's)."""
    data = recipe.resolved()
    if seed is not None:
        data["seed"] = int(seed)
    return data


def recipe_hash(recipe: Recipe, seed: int | None = None) -> str:
    """Hash of the resolved recipe with its effective seed (a checkpoint resumes only the
    recipe and seed that wrote it)."""
    text = json.dumps(resolved_with_seed(recipe, seed), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def estimate_time_steps(recipe: Recipe) -> list[tuple[int, float]]:
    """(step index, estimated number of time steps) of each step with a rate bound.

    n ≈ time · max_rate / (cfl · h): the CFL limit with the model's largest speed (a
    lower bound of what the step needs).  Steps whose model cannot be built without
    the reactor (plasma_etch) or that have no speed bound are left out.
    """
    from .process.registry import HasNumerics, initial_materials, rate_bounds

    assert recipe.spec.grid is not None  # recipe_from_dict: steps need grid, structure
    h = recipe.spec.grid.spacing
    steps = recipe.leaf_steps
    out: list[tuple[int, float]] = []
    for i, (step, vmax) in enumerate(zip(steps, rate_bounds(steps, initial_materials(recipe.spec)))):
        if vmax > 0:        # a non-finite bound is left to the run's NaN policy
            cfl = float(step.numerics.cfl) if isinstance(step, HasNumerics) else 0.4
            out.append((i, step.time * vmax / (cfl * h)))
    return out


def _check_resume(cp, recipe: Recipe, rhash: str, seed: int, ck: Path) -> None:
    """Refuse a checkpoint of another recipe or seed, or one whose position is impossible."""
    if cp.seed is not None and cp.seed != seed:
        raise RecipeError(f"{ck} was written with seed {cp.seed}, this run has seed {seed}; "
                          f"resume with --seed {cp.seed} (or run without --resume into "
                          "another folder)", path="--seed", value=seed)
    if cp.recipe_hash != rhash:
        raise RecipeError(f"{ck} was written by a different recipe; remove it or run "
                          "without --resume")
    n = len(recipe.leaf_steps)
    g, rg = cp.wafer.geometry.grid, recipe.spec.grid
    assert rg is not None  # recipe_from_dict: steps need grid, structure
    if (g.dimension != rg.dimension or g.spacing != rg.spacing
            or tuple(g.extent) != tuple(rg.extent) or str(g.boundary) != rg.boundary):
        raise CheckpointError(f"checkpoint {ck} has a grid that is not the recipe's; remove it")
    if cp.next_step > n or (cp.next_step == n and cp.step_time > 0):
        raise CheckpointError(f"checkpoint {ck}: next_step = {cp.next_step} is past the last "
                              f"of the recipe's {n} step(s); remove it")
    if (cp.next_step < n and cp.step_time > 0
            and cp.step_time >= recipe.leaf_steps[cp.next_step].time):
        raise CheckpointError(f"checkpoint {ck}: step_time = {cp.step_time!r} s is not inside "
                              f"step {cp.next_step + 1} ({recipe.leaf_steps[cp.next_step].time!r} s)")
    done = sum(s.time for s in recipe.leaf_steps[:cp.next_step])     # the wafer's time at the step start
    if not math.isclose(cp.wafer.time, done, rel_tol=1e-9, abs_tol=1e-9 * max(done, 1.0)):
        raise CheckpointError(f"checkpoint {ck}: wafer time {cp.wafer.time!r} s does not match "
                              f"its position (step {cp.next_step + 1}, {done!r} s); remove it")
    known = set(recipe.spec.known_materials) | {"Resist"}
    if not set(cp.wafer.geometry.materials) <= known:
        raise CheckpointError(f"checkpoint {ck} names materials the recipe does not know")


def initial_wafer(recipe: Recipe, tiled: bool | None = None) -> Wafer:
    """The wafer the recipe's ``structure`` describes on its ``grid``.

    ``tiled``: build the layers and the cut in column tiles
    (``feature.column_stack.ColumnStack``: no dense φ of the cell; the same values);
    None: when the tiled step would be the automatic choice for the cell
    (``tiled_run.AUTO_TILES``, 3D, at least ``TILED_MIN_NODES`` nodes per layer) and
    no pattern is applied."""
    from .feature import tiled_run
    from .feature.builders import cut_feature, layer_stack, window_nodes
    from .feature.grid import Grid

    g, st = recipe.spec.grid, recipe.spec.structure
    assert g is not None and st is not None  # recipe_from_dict: steps need grid, structure
    grid = Grid(dimension=g.dimension, spacing=g.spacing, extent=tuple(g.extent),
                boundary=g.boundary)
    layers = [(layer.material, layer.thickness) for layer in st.layers]
    if tiled is None:
        nz = window_nodes(grid, 0.0, sum(float(t) for _, t in layers))
        tiled = (tiled_run.AUTO_TILES and grid.dimension == 3 and st.pattern is None
                 and grid.lateral_nodes() * nz >= tiled_run.TILED_MIN_NODES)
    geom = layer_stack(grid, st.substrate.material, layers, tiled=bool(tiled))
    f = st.feature
    if f is not None:
        geom = cut_feature(geom, kind=f.type, width=f.width, radius=f.radius, depth=f.depth,
                           taper=f.taper, symmetry=f.symmetry, overwrite=True)
    if st.pattern is not None:
        from .process.layout import apply_pattern

        geom = apply_pattern(geom, st.pattern, base_dir=recipe.source.parent if recipe.source else None)
    return Wafer(geometry=geom)


def _jsonable(carry: dict) -> dict:
    """A model's carry with arrays as nested lists (checkpoint fields are JSON; float
    repr round-trips exactly)."""
    return {k: (np.asarray(v).tolist() if isinstance(v, np.ndarray) else v)
            for k, v in carry.items()}


def collect_metrics(recipe: Recipe, initial: Wafer, final: Wafer, *,
                    pinch_off_time: float | None = None, full=None) -> dict[str, Any]:
    """Profile metrics of the final wafer (:func:`waferlab.feature.metrics.run_metrics`,
    defined in docs/metrics.md) plus the amount of each material (``amounts_m2`` in 2D,
    ``amounts_m3`` in 3D, above the initial window floor).  A half/quarter feature is
    measured on its mirror image unfolded to the full feature (``full``: that unfolded
    final geometry, when the caller has it already).  The scallop metrics are computed
    for cyclic etches only (:func:`is_cyclic`)."""
    from .feature import metrics as fm

    g0 = _unfolded(recipe, initial.geometry)
    g = _unfolded(recipe, final.geometry) if full is None else full
    out: dict[str, Any] = fm.run_metrics(g0, g, pinch_off_time=pinch_off_time,
                                         with_scallops=is_cyclic(recipe))
    from .feature.amounts import material_amounts   # = g.amounts, the sine on the band only
    out[f"amounts_m{g.grid.dimension}"] = {k: float(v) for k, v in
                                           material_amounts(g, floor=g0.z_range[0]).items()}
    return out


def is_cyclic(recipe: Recipe) -> bool:
    """Whether the recipe etches in cycles: two or more etch steps once cycles are
    unrolled (a ``cycle`` step or the same steps written out), or an etch with a cyclic
    model such as Bosch's ``sf6c4f8``.  These runs' metrics include the scallops."""
    etches = [s for s in recipe.leaf_steps if getattr(s, "kind", None) == "etch"]
    return len(etches) >= 2 or any(
        getattr(getattr(s, "model", None), "model", None) in CYCLIC_MODELS for s in etches)


def _unfolded(recipe: Recipe, geometry):
    """The full-feature geometry of a half/quarter recipe (unchanged when full, and
    for the y = 0 cut of :func:`initial_record`, which is unfolded already)."""
    from .feature.builders import unfold

    assert recipe.spec.structure is not None  # recipe_from_dict: steps need grid, structure
    assert recipe.spec.grid is not None
    f = recipe.spec.structure.feature
    if f is None or geometry.grid.dimension != recipe.spec.grid.dimension:
        return geometry
    return unfold(geometry, f.symmetry)


def initial_record(recipe: Recipe, initial: Wafer) -> Wafer:
    """What the metrics and the profile plot read of the initial wafer: in 3D the y = 0
    cut of the unfolded geometry (a 2D stack, :func:`feature.metrics.center_cut`, the
    cut the metrics take; the window floor is unchanged), so no dense copy of the
    initial volume lives through the run (#18); 2D wafers are returned unchanged."""
    from .feature.metrics import center_cut

    g = initial.geometry
    if g.grid.dimension != 3:
        return initial
    return replace(initial, geometry=center_cut(_unfolded(recipe, g)))


def reactor_metrics(summary: dict[str, Any]) -> dict[str, Any]:
    """The headline reactor numbers of the last plasma step (from its summary)."""
    load = summary.get("loading", {})
    return {"T_e_eV": summary["T_e_eV"], "n_e_avg_m3": summary["n_e_avg_m3"],
            "ion_flux_m2s": summary["ion_flux_m2s"],
            "ion_energy_mean_eV": summary["ion_energy_mean_eV"],
            "etchant_flux_m2s": load.get("etchant_flux_m2s"),
            "etchant_flux_unloaded_m2s": load.get("etchant_flux_unloaded_m2s"),
            "open_area_fraction": load.get("open_area_fraction"),
            "flat_etch_rate_m_s": load.get("flat_etch_rate_m_s")}


class _Progress:
    """A rich progress bar over simulated time (or nothing when disabled)."""

    def __init__(self, enabled: bool, total: float, n_steps: int):
        self.enabled, self.total, self.n = enabled, max(total, 1e-300), n_steps
        self._bar = None

    def __enter__(self):
        if self.enabled:
            from rich.progress import (BarColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)
            self._bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                 TextColumn("{task.fields[sim]}"), TimeElapsedColumn(),
                                 TextColumn("ETA"), TimeRemainingColumn(),
                                 refresh_per_second=2)   # a redraw costs ~1 ms of CPU
            self._bar.__enter__()
            self._task = self._bar.add_task("", total=self.total, sim="")
        return self

    def update(self, step: int, label: str, sim_time: float) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=min(sim_time, self.total),
                             description=f"step {step + 1}/{self.n} {label}",
                             sim=f"t = {sim_time:.4g} s / {self.total:.4g} s")

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)


@dataclass(frozen=True)
class RunOutcome:
    """What a run produced: metrics, the initial and final wafers, the log lines and the
    wall time of each step run in this call (label, seconds).  In 3D ``initial`` is
    :func:`initial_record`'s y = 0 cut (what the metrics and the plot read)."""

    metrics: dict[str, Any]
    initial: Wafer
    wafer: Wafer
    log: tuple[str, ...]
    timings: tuple[tuple[str, float], ...]


def run_recipe(recipe: Recipe, ctx: RunContext, *, resume: bool = False) -> dict[str, Any]:
    """Run ``recipe``; write outputs to ``ctx.out_dir`` (if set); return the metrics."""
    return execute_recipe(recipe, ctx, resume=resume).metrics


def execute_recipe(recipe: Recipe, ctx: RunContext, *, resume: bool = False) -> RunOutcome:
    """Run ``recipe``; write outputs to ``ctx.out_dir`` (if set); return the outcome.
    numba's thread count is ``ctx.threads`` during the run and put back after it."""
    with ctx.apply_threads():
        return _execute(recipe, ctx, resume=resume)


def _execute(recipe: Recipe, ctx: RunContext, *, resume: bool = False) -> RunOutcome:
    from .feature.metrics import has_void

    out = Path(ctx.out_dir) if ctx.out_dir is not None else None
    log_lines: list[str] = []
    if resume and out is not None and (out / "log.txt").is_file():
        try:                                   # --resume appends to the interrupted run's log
            log_lines = (out / "log.txt").read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeError):
            log_lines = []

    log_state = {"written": 0, "at": -LOG_INTERVAL}

    def flush_log(force: bool = False) -> None:
        """Rewrite log.txt (atomically) if lines wait and LOG_INTERVAL passed (or force)."""
        now = time.perf_counter()
        if (out is not None and len(log_lines) > log_state["written"]
                and (force or now - log_state["at"] >= LOG_INTERVAL)):
            write_text(out / "log.txt", "\n".join(log_lines) + "\n")
            log_state.update(written=len(log_lines), at=now)

    def log(line: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        log_lines.append(f"{stamp} {line}")
        ctx.log(line)
        flush_log()

    if recipe.spec.grid is None or recipe.spec.structure is None:
        raise RecipeError("a run needs grid: and structure: (or a thermal: section)")
    ctx.apply_threads()
    t_wall0 = time.perf_counter()
    rhash = recipe_hash(recipe, ctx.seed)
    estimates = estimate_time_steps(recipe)
    for i, n_est in estimates:
        if n_est > MAX_TIME_STEPS:
            raise RecipeError(f"step {i + 1} ({recipe.leaf_steps[i].describe()}) would need about "
                              f"{n_est:.3g} time steps (time × max rate / (cfl × spacing)); "
                              f"at most {MAX_TIME_STEPS:.0e} are allowed: check the rates and "
                              "the time", path=f"steps[{i}]", value=n_est)
    if recipe.spec.tiling is not None:                 # a layout split into tiles on Dask
        return _execute_tiled(recipe, ctx, out, log, flush_log, log_lines, t_wall0)
    wafer, first, step_time, n_taken, carry = track_films(initial_wafer(recipe)), 0, 0.0, 0, None
    initial = initial_record(recipe, wafer)        # no dense copy kept for the metrics
    cp = None
    if out is not None and resume and (out / CHECKPOINT).exists():
        cp = load_checkpoint(out / CHECKPOINT)       # checked before anything is written
        _check_resume(cp, recipe, rhash, int(ctx.seed), out / CHECKPOINT)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        write_text(out / "recipe.yaml", yaml.safe_dump(resolved_with_seed(recipe, ctx.seed),
                                                       sort_keys=False))
        if cp is not None:
            wafer, first, step_time, n_taken = cp.wafer, cp.next_step, cp.step_time, cp.steps_taken
            carry = dict(wafer.fields).get(CARRY_FIELD)
            wafer = replace(wafer, fields=tuple(f for f in wafer.fields if f[0] != CARRY_FIELD))
            log(f"resumed from checkpoint: step {first + 1}, {step_time:g} s into it")
        elif resume:
            log("no checkpoint found; starting from the beginning")
    steps = recipe.leaf_steps                 # cycles unrolled
    log(f"recipe {recipe.name!r}: {len(steps)} step(s), seed {ctx.seed}")
    for i, n_est in estimates:
        if n_est > WARN_TIME_STEPS:
            log(f"warning: step {i + 1} needs about {n_est:.3g} time steps")
    total = sum(s.time for s in steps)
    done_before = sum(s.time for s in steps[:first])
    interval = recipe.spec.output.checkpoint_interval
    last_ck = [time.perf_counter()]
    counter = [n_taken]
    pinch = [dict(wafer.fields).get(PINCH_FIELD)]      # when a void first closed
    timings: list[tuple[str, float]] = []
    progress_at = [time.perf_counter()]

    def progress(step: int, sim_time: float) -> None:
        """A progress line in log.txt every PROGRESS_INTERVAL of wall time."""
        now = time.perf_counter()
        if now - progress_at[0] < PROGRESS_INTERVAL:
            return
        progress_at[0] = now
        frac = min(sim_time / total, 1.0) if total > 0 else 1.0
        wall = now - t_wall0
        left = f", about {wall * (1 - frac) / frac:.0f} s left" if frac > 0 else ""
        log(f"progress: step {step + 1}/{len(steps)}, t = {sim_time:.4g} s of {total:.4g} s "
            f"({100 * frac:.1f} %), {counter[0]} time steps, {wall:.0f} s wall{left}")

    with _Progress(ctx.progress, total, len(steps)) as bar, contextlib.ExitStack() as final:
        final.callback(flush_log, True)
        for i in range(first, len(steps)):
            step = steps[i]
            step_ctx = ctx.with_(seed=int(ctx.seed_sequence("step", i).generate_state(1)[0] >> 1))
            log(f"step {i + 1}: {step.describe()}")

            shell = replace(wafer, geometry=None)   # the step's wafer without its volume

            def on_step(t: float, dt: float, geometry, resumable: bool = False, _i=i,
                        _step=step, carry=None, _done=done_before, _wafer=shell) -> None:
                counter[0] += 1
                if not np.isfinite(dt) or dt <= 0:
                    raise SimulationError(f"step {_i + 1}: time step {dt!r} is not positive")
                bar.update(_i, _step.kind, _done + t)
                progress(_i, _done + t)
                if pinch[0] is None and _step.kind == "deposit" and has_void(geometry):
                    pinch[0] = _done + t
                flush_log()
                if (out is not None and resumable
                        and time.perf_counter() - last_ck[0] > interval):
                    kept = () if carry is None else ((CARRY_FIELD, _jsonable(carry)),)
                    kept += _pinch(_wafer, pinch[0])
                    save_checkpoint(out / CHECKPOINT,
                                    replace(_wafer, geometry=geometry, fields=_wafer.fields + kept),
                                    next_step=_i, step_time=t, recipe_hash=rhash,
                                    steps_taken=counter[0], seed=int(ctx.seed))
                    last_ck[0] = time.perf_counter()

            start = (wafer.geometry, step_time, carry) if step_time > 0 else None
            t_step = time.perf_counter()
            # the step gets the only reference to its input wafer: a step that replaces
            # the geometry frees the input's volume once it has read it (#18)
            handed = [wafer]
            del wafer
            wafer = step.apply(handed.pop(), step_ctx, start=start, on_step=on_step)
            del start
            timings.append((f"step {i + 1}: {step.describe()}", time.perf_counter() - t_step))
            wafer = track_films(wafer, step)          # film stress records (Stoney bow)
            wafer = replace(wafer, fields=wafer.fields + _pinch(wafer, pinch[0]))
            step_time = 0.0
            done_before += step.time
            bar.update(i, step.kind, done_before)
            if out is not None and (i == len(steps) - 1
                                    or time.perf_counter() - last_ck[0] > interval):
                save_checkpoint(out / CHECKPOINT, wafer, next_step=i + 1, step_time=0.0,
                                recipe_hash=rhash, steps_taken=counter[0], seed=int(ctx.seed))
                last_ck[0] = time.perf_counter()

    full = _unfolded(recipe, wafer.geometry)       # one unfolding for metrics and outputs
    metrics = collect_metrics(recipe, initial, wafer, pinch_off_time=pinch[0], full=full)
    reactor = dict(wafer.fields).get("reactor")
    if reactor is not None:
        metrics.update(reactor_metrics(reactor))
    metrics.update(expose_metrics(wafer))          # expose_cd_m, expose_nils of expose steps
    metrics.update(doping_metrics(wafer))          # junction depth, sheet resistance (implant)
    metrics.update(stress_metrics(wafer))          # film stresses, wafer curvature and bow
    if any(k == "oxidation" for k, _ in wafer.fields):   # its module only when needed
        from .process.oxidize import oxidation_metrics
        metrics.update(oxidation_metrics(wafer))   # oxide grown, LOCOS bird's beak
    metrics["time_steps"] = counter[0]
    return _finish(recipe, ctx, out, initial, wafer, metrics, steps=len(steps),
                   simulated=float(wafer.time), t_wall0=t_wall0,
                   done=f", {counter[0]} time steps", log=log, flush_log=flush_log,
                   log_lines=log_lines, timings=timings,
                   reactor=dict(wafer.fields).get("reactor"), full=full)


def _finish(recipe: Recipe, ctx: RunContext, out: Path | None, initial: Wafer, wafer: Wafer,
            metrics: dict, *, steps: int, simulated: float, t_wall0: float, done: str, log,
            flush_log, log_lines: list[str], timings: list, reactor, full=None) -> RunOutcome:
    """The end of a run, plain or tiled: the step count, simulated time, seed and wall
    time in ``metrics``, the closing log line (``done`` follows the wall time) and, with
    ``out``, every final output staged and moved in together (or none of them);
    ``full``: the unfolded final geometry, when the caller has it."""
    metrics["process_steps"] = steps
    metrics["simulated_time_s"] = simulated
    metrics["seed"] = int(ctx.seed)
    metrics["wall_time_s"] = time.perf_counter() - t_wall0
    log(f"done in {metrics['wall_time_s']:.2f} s wall{done}")
    flush_log(force=True)
    outcome = RunOutcome(metrics=metrics, initial=initial, wafer=wafer, log=tuple(log_lines),
                         timings=tuple(timings))
    if out is not None:
        with staged(out) as stage:             # all final outputs, or none of them
            write_outputs(stage, recipe, initial, wafer, metrics, full=full)
            from .io.report import write_run_report
            write_run_report(stage, recipe=resolved_with_seed(recipe, ctx.seed), metrics=metrics,
                             reactor=reactor, log=outcome.log, timings=outcome.timings)
    return outcome


def _execute_tiled(recipe: Recipe, ctx: RunContext, out: Path | None, log, flush_log,
                   log_lines: list[str], t_wall0: float) -> RunOutcome:
    """The tiled run (waferlab/tiling.py): tiles on Dask, stitched, then the whole run's
    metrics and outputs; finished tiles stay in ``<out>/tiles/`` for ``--resume``."""
    from .tiling import run_tiled

    tiling = recipe.spec.tiling
    assert tiling is not None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        write_text(out / "recipe.yaml", yaml.safe_dump(resolved_with_seed(recipe, ctx.seed),
                                                       sort_keys=False))
    log(f"recipe {recipe.name!r}: {len(recipe.leaf_steps)} step(s) in "
        f"{'x'.join(map(str, tiling.tiles))} tiles (halo {tiling.halo * 1e9:g} nm), seed {ctx.seed}")
    tiled_ctx = RunContext(seed=ctx.seed, threads=ctx.threads, out_dir=ctx.out_dir, log=log)
    t0 = time.perf_counter()
    initial, wafer, tiles = run_tiled(recipe, tiled_ctx)
    timings = [("tiles", time.perf_counter() - t0)]
    metrics = collect_metrics(recipe, initial, wafer)
    metrics["tiles"] = len(tiles)
    return _finish(recipe, ctx, out, initial, wafer, metrics, steps=len(recipe.leaf_steps),
                   simulated=float(sum(s.time for s in recipe.leaf_steps)), t_wall0=t_wall0,
                   done=f" ({len(tiles)} tiles)", log=log, flush_log=flush_log,
                   log_lines=log_lines, timings=timings, reactor=None)


def profile_columns(recipe: Recipe, wafer: Wafer, *, full=None) -> dict[str, np.ndarray]:
    """The final profile as columns ``segment``, ``x`` and ``y`` (2D) or ``z`` (3D, the
    y = 0 cut), in m: what profile.csv holds (``full``: the unfolded final geometry, when
    the caller has it already)."""
    from .feature.metrics import profile_polylines

    lines = profile_polylines(_unfolded(recipe, wafer.geometry) if full is None else full)
    seg = np.concatenate([np.full(len(p), k) for k, p in enumerate(lines)]) if lines else np.zeros(0)
    pts = np.concatenate(lines) if lines else np.zeros((0, 2))
    assert recipe.spec.grid is not None  # recipe_from_dict: steps need grid, structure
    vert = "y" if recipe.spec.grid.dimension == 2 else "z"
    return {"segment": seg.astype(int), "x": pts[:, 0], vert: pts[:, 1]}


def write_outputs(out: Path, recipe: Recipe, initial: Wafer, wafer: Wafer,
                  metrics: dict[str, Any], *, full=None) -> None:
    """metrics.json, profile.csv, final_surface.vtu, final.vtu or .vti (``output.volume``),
    profile.png (and profile_3d.png in 3D).  The unfolded geometry of a half/quarter run
    and the extracted surface of a full one are computed once for all of them (``full``:
    the unfolded geometry, when the caller has it)."""
    from .feature.extract import extract_surface
    from .io.raster import write_profile_png, write_surface_png
    from .io.vtk import write_materials, write_vtu_surface

    full = _unfolded(recipe, wafer.geometry) if full is None else full
    surface = None
    write_json(out / "metrics.json", metrics)
    reactor = dict(wafer.fields).get("reactor")
    if reactor is not None:
        write_json(out / "reactor.json", reactor)
    write_csv(out / "profile.csv", profile_columns(recipe, wafer, full=full))
    if recipe.spec.output.vtk:
        surface = extract_surface(wafer.geometry)
        write_vtu_surface(out / "final_surface.vtu", surface, wafer.geometry.materials)
        write_materials(out, wafer.geometry, recipe.spec.output.volume)
    if dict(wafer.fields).get("wafer_map") is not None:   # its module only when needed
        from .process.wafer_map import write_wafer_map
        write_wafer_map(out, wafer)           # wafer_map.csv/.png of a plasma_etch wafer map
    write_expose_outputs(out, wafer, plot=recipe.spec.output.plot)   # expose_<k>_aerial.*
    write_doping_outputs(out, wafer, plot=recipe.spec.output.plot)   # doping.nc, doping.png
    if recipe.spec.output.plot:
        write_profile_png(out / "profile.png", full, title=recipe.name,   # Pillow, not
                          initial=_unfolded(recipe, initial.geometry))       # matplotlib
        assert recipe.spec.grid is not None  # recipe_from_dict: steps need grid, structure
        if recipe.spec.grid.dimension == 3:      # the 3D surface beside the ParaView files
            from .io.plots import picture_geometry

            shown = picture_geometry(full)      # a large cell is drawn averaged down
            if surface is None or shown is not wafer.geometry:
                surface = extract_surface(shown)
            write_surface_png(out / "profile_3d.png", surface, shown.materials,
                              title=recipe.name)


def run_recipe_dict(data: dict[str, Any], *, seed: int, threads: int = 1,
                    out_dir: Path | None = None) -> dict[str, float]:
    """Run a raw recipe mapping (for studies): validate, run, return numeric metrics."""
    recipe = recipe_from_dict(data)
    ctx = RunContext(seed=seed, threads=threads, out_dir=out_dir)
    metrics = run_recipe(recipe, ctx)
    return {k: (float("nan") if v is None else float(v)) for k, v in metrics.items()
            if v is None or isinstance(v, (int, float))}     # None: not applicable (NaN)
