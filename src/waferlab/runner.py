"""Run a recipe: build the wafer, apply each step, checkpoint, and write the outputs.

Outputs in the run folder (all written atomically): ``recipe.yaml`` (resolved, SI),
``metrics.json``, ``profile.csv``, ``final.vtp``, ``final.vtu``, ``profile.png``,
``log.txt`` and ``checkpoint.npz`` (every ``output.checkpoint_interval`` of wall time,
at a step's end or inside it, and at the end of the run; ``--resume`` continues from
it).  Nothing per step grows with the number of steps done: checkpoints and the log
file are written on wall-clock intervals, not after every short step.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .context import RunContext
from .errors import RecipeError, SimulationError
from .io.atomic import write_csv, write_json, write_text
from .io.checkpoint import load_checkpoint, save_checkpoint
from .recipe import Recipe, recipe_from_dict
from .wafer import Wafer

__all__ = ["initial_wafer", "run_recipe", "run_recipe_dict", "recipe_hash", "collect_metrics"]

CHECKPOINT = "checkpoint.npz"
CARRY_FIELD = "model_carry"       # a stateful model's data in a mid-step checkpoint
LOG_INTERVAL = 1.0                # s of wall time between rewrites of log.txt


def recipe_hash(recipe: Recipe) -> str:
    """Hash of the resolved recipe (a checkpoint resumes only the recipe that wrote it)."""
    text = json.dumps(recipe.resolved(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def initial_wafer(recipe: Recipe) -> Wafer:
    """The wafer the recipe's ``structure`` describes on its ``grid``."""
    from .feature.builders import cut_feature, layer_stack
    from .feature.grid import Grid

    g, st = recipe.spec.grid, recipe.spec.structure
    grid = Grid(dimension=g.dimension, spacing=g.spacing, extent=tuple(g.extent),
                boundary=g.boundary)
    layers = [(layer.material, layer.thickness) for layer in st.layers]
    geom = layer_stack(grid, st.substrate.material, layers)
    f = st.feature
    if f is not None:
        geom = cut_feature(geom, kind=f.type, width=f.width, radius=f.radius, depth=f.depth,
                           taper=f.taper, symmetry=f.symmetry)
    return Wafer(geometry=geom)


def _jsonable(carry: dict) -> dict:
    """A model's carry with arrays as nested lists (checkpoint fields are JSON; float
    repr round-trips exactly)."""
    return {k: (np.asarray(v).tolist() if isinstance(v, np.ndarray) else v)
            for k, v in carry.items()}


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _floor_film(geometry, material: str, n_initial: int) -> float:
    """Thickness of ``material`` lying directly on the floor at the centre (x = 0, y = 0).

    Walks down the centre line and measures the run of ``material`` just above the first
    layer of the initial structure met, so a void closed above the floor does not count.
    """
    h = geometry.grid.spacing
    z = np.arange(geometry.z_range[1], geometry.z_range[0], -h / 20)
    pts = np.zeros((len(z), geometry.grid.dimension))
    pts[:, -1] = z
    mats = geometry.material_index_at(pts, tol=0.0)
    base = np.nonzero((mats >= 0) & (mats < n_initial))[0]
    if base.size == 0:
        return 0.0
    want = {k for k, m in enumerate(geometry.materials) if m == material}
    k = base[0] - 1
    n = 0
    while k >= 0 and mats[k] in want:
        n += 1
        k -= 1
    return float(n * h / 20)


def collect_metrics(recipe: Recipe, initial: Wafer, final: Wafer) -> dict[str, Any]:
    """Profile metrics of the final wafer (SI units; angles in degrees as named).

    depth                deepest point of the top surface below the top as built
    cd_top/mid/bottom    opening (or line) width at 10 %, 50 %, 90 % of the feature depth
    sidewall_angle_deg   from the horizontal (90 = vertical), between 10 % and 90 % depth
    thickness_*          of the last deposited film (consecutive deposits of one material
                         merge into one film): at the bottom centre, on the right
                         sidewall at half the original feature depth, on the top field;
                         also per deposited material as thickness_<where>_<material>
    amounts              area (2D, m²) or volume (3D, m³) per material above the
                         initial window floor (the same floor for every run of a recipe)
    A half/quarter feature (structure.feature.symmetry) is measured on its mirror image
    unfolded to the full feature (widths, amounts: of the full feature).
    """
    from .feature import metrics as fm

    feature = recipe.spec.structure.feature
    g0, g = _unfolded(recipe, initial.geometry), _unfolded(recipe, final.geometry)
    ref = g0.reference_top
    out: dict[str, Any] = {"depth": fm.depth(g)}
    d0 = fm.depth(g0) if feature is not None else 0.0
    if feature is not None and d0 > 0:
        for name, frac in (("top", 0.1), ("mid", 0.5), ("bottom", 0.9)):
            out[f"cd_{name}"] = _finite(fm.cd_at(g, ref - frac * d0))
        out["sidewall_angle_deg"] = _finite(np.degrees(fm.sidewall_angle(
            g, z_top=ref - 0.1 * d0, z_bottom=ref - 0.9 * d0)))
    deposited = list(g.materials[len(g0.materials):])
    h = g.grid.spacing
    field_x = -0.5 * g.grid.extent[0] + h
    for mat in dict.fromkeys(deposited):
        vals = {"bottom": _floor_film(g, mat, len(g0.materials)),
                "sidewall": fm.sidewall_thickness(g, ref - 0.5 * d0, mat) if d0 > 0 else None,
                "top": fm.bottom_thickness(g, mat, x=field_x, y=field_x)}
        for where, v in vals.items():
            out[f"thickness_{where}_{mat}"] = v
            if mat == deposited[-1]:
                out[f"thickness_{where}"] = v
    out["amounts"] = {k: float(v) for k, v in g.amounts(floor=g0.z_range[0]).items()}
    return out


def _unfolded(recipe: Recipe, geometry):
    """The full-feature geometry of a half/quarter recipe (unchanged when full)."""
    from .feature.builders import unfold

    f = recipe.spec.structure.feature
    return geometry if f is None else unfold(geometry, f.symmetry)


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
                                 TextColumn("ETA"), TimeRemainingColumn())
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


def run_recipe(recipe: Recipe, ctx: RunContext, *, resume: bool = False) -> dict[str, Any]:
    """Run ``recipe``; write outputs to ``ctx.out_dir`` (if set); return the metrics."""
    out = Path(ctx.out_dir) if ctx.out_dir is not None else None
    log_lines: list[str] = []
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
    rhash = recipe_hash(recipe)
    initial = initial_wafer(recipe)
    wafer, first, step_time, n_taken, carry = initial, 0, 0.0, 0, None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        write_text(out / "recipe.yaml", yaml.safe_dump(recipe.resolved(), sort_keys=False))
        ck = out / CHECKPOINT
        if resume and ck.exists():
            cp = load_checkpoint(ck)
            if cp.recipe_hash != rhash:
                raise RecipeError(f"{ck} was written by a different recipe; remove it or run "
                                  "without --resume")
            wafer, first, step_time, n_taken = cp.wafer, cp.next_step, cp.step_time, cp.steps_taken
            carry = dict(wafer.fields).get(CARRY_FIELD)
            wafer = replace(wafer, fields=tuple(f for f in wafer.fields if f[0] != CARRY_FIELD))
            log(f"resumed from checkpoint: step {first + 1}, {step_time:g} s into it")
        elif resume:
            log("no checkpoint found; starting from the beginning")
    steps = recipe.leaf_steps                 # cycles unrolled
    log(f"recipe {recipe.name!r}: {len(steps)} step(s), seed {ctx.seed}")
    total = sum(s.time for s in steps)
    done_before = sum(s.time for s in steps[:first])
    interval = recipe.spec.output.checkpoint_interval
    last_ck = [time.perf_counter()]
    counter = [n_taken]

    with _Progress(ctx.progress, total, len(steps)) as bar, contextlib.ExitStack() as final:
        final.callback(flush_log, True)
        for i in range(first, len(steps)):
            step = steps[i]
            step_ctx = ctx.with_(seed=int(ctx.seed_sequence("step", i).generate_state(1)[0] >> 1))
            log(f"step {i + 1}: {step.describe()}")

            def on_step(t: float, dt: float, geometry, resumable: bool = False, _i=i,
                        _step=step, carry=None) -> None:
                counter[0] += 1
                if not np.isfinite(dt) or dt <= 0:
                    raise SimulationError(f"step {_i + 1}: time step {dt!r} is not positive")
                bar.update(_i, _step.kind, done_before + t)
                flush_log()
                if (out is not None and resumable
                        and time.perf_counter() - last_ck[0] > interval):
                    kept = () if carry is None else ((CARRY_FIELD, _jsonable(carry)),)
                    save_checkpoint(out / CHECKPOINT,
                                    replace(wafer, geometry=geometry, fields=wafer.fields + kept),
                                    next_step=_i, step_time=t, recipe_hash=rhash,
                                    steps_taken=counter[0])
                    last_ck[0] = time.perf_counter()

            start = (wafer.geometry, step_time, carry) if step_time > 0 else None
            wafer = step.apply(wafer, step_ctx, start=start, on_step=on_step)
            step_time = 0.0
            done_before += step.time
            bar.update(i, step.kind, done_before)
            if out is not None and (i == len(steps) - 1
                                    or time.perf_counter() - last_ck[0] > interval):
                save_checkpoint(out / CHECKPOINT, wafer, next_step=i + 1, step_time=0.0,
                                recipe_hash=rhash, steps_taken=counter[0])
                last_ck[0] = time.perf_counter()

    metrics = collect_metrics(recipe, initial, wafer)
    reactor = dict(wafer.fields).get("reactor")
    if reactor is not None:
        metrics.update(reactor_metrics(reactor))
    metrics["time_steps"] = counter[0]
    metrics["process_steps"] = len(steps)
    metrics["simulated_time_s"] = float(wafer.time)
    metrics["wall_time_s"] = time.perf_counter() - t_wall0
    log(f"done in {metrics['wall_time_s']:.2f} s wall, {counter[0]} time steps")
    flush_log(force=True)
    if out is not None:
        write_outputs(out, recipe, initial, wafer, metrics)
    return metrics


def write_outputs(out: Path, recipe: Recipe, initial: Wafer, wafer: Wafer,
                  metrics: dict[str, Any]) -> None:
    """metrics.json, profile.csv, final.vtp, final.vtu, profile.png."""
    from .feature.extract import extract_surface
    from .feature.metrics import profile_polylines
    from .io.plots import plot_profile
    from .io.vtk import write_vtp, write_vtu_materials

    write_json(out / "metrics.json", metrics)
    reactor = dict(wafer.fields).get("reactor")
    if reactor is not None:
        write_json(out / "reactor.json", reactor)
    lines = profile_polylines(_unfolded(recipe, wafer.geometry))
    seg = np.concatenate([np.full(len(p), k) for k, p in enumerate(lines)]) if lines else np.zeros(0)
    pts = np.concatenate(lines) if lines else np.zeros((0, 2))
    vert = "y" if recipe.spec.grid.dimension == 2 else "z"
    write_csv(out / "profile.csv", {"segment": seg.astype(int), "x": pts[:, 0], vert: pts[:, 1]})
    if recipe.spec.output.vtk:
        write_vtp(out / "final.vtp", extract_surface(wafer.geometry))
        write_vtu_materials(out / "final.vtu", wafer.geometry)
    if recipe.spec.output.plot:
        plot_profile(out / "profile.png", _unfolded(recipe, wafer.geometry), title=recipe.name,
                     initial=_unfolded(recipe, initial.geometry))


def run_recipe_dict(data: dict[str, Any], *, seed: int, threads: int = 1,
                    out_dir: Path | None = None) -> dict[str, float]:
    """Run a raw recipe mapping (for studies): validate, run, return numeric metrics."""
    recipe = recipe_from_dict(data)
    ctx = RunContext(seed=seed, threads=threads, out_dir=out_dir)
    metrics = run_recipe(recipe, ctx)
    return {k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))}
