"""The Python API: run, inspect and plot recipes from a script or a notebook.

>>> import waferlab
>>> recipe = waferlab.load_recipe("examples/trench-deposition.yaml")   # doctest: +SKIP
>>> result = waferlab.run(recipe, seed=1)                               # doctest: +SKIP
>>> result.metrics["film_bottom_m"], result.plot()                      # doctest: +SKIP

A call writes nothing unless ``out`` is given; with ``out`` the folder follows the same
policy as the command line (docs/cli.md) and gets the same files, ``report.html``
included.  ``threads`` applies to the call only (numba's previous thread count is put
back).  The command-line tool is a thin layer over these functions (docs/python-api.md).
"""
from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Union

import numpy as np

from .context import RunContext, check_seed_threads
from .errors import RecipeError
from .recipe import Recipe

if TYPE_CHECKING:                                   # pragma: no cover
    import xarray
    from matplotlib.figure import Figure

    from .reactor.state import ReactorState
    from .wafer import Wafer

__all__ = ["RecipeLike", "load_recipe", "run", "Result", "solve_reactor", "ReactorResult",
           "run_study", "probe_fluxes", "FluxProbe"]

#: A recipe file, a recipe mapping (as YAML gives it) or a loaded :class:`Recipe`.
RecipeLike = Union[str, "os.PathLike[str]", Mapping[str, Any], Recipe]


def load_recipe(source: RecipeLike, *, check_memory: bool = True) -> Recipe:
    """A validated :class:`~waferlab.recipe.Recipe` from a file, a mapping or a Recipe.

    Every error is a :class:`~waferlab.RecipeError` naming the field, the value and what
    is allowed (as on the command line).  Relative file names in a mapping (chemistry
    files, GDS masks) are read from the current folder."""
    from .recipe import load_recipe as _load, recipe_from_dict

    if isinstance(source, Recipe):
        return source
    if isinstance(source, Mapping):
        return recipe_from_dict(dict(source), check_memory=check_memory)
    if not isinstance(source, (str, os.PathLike)):
        raise RecipeError("must be a recipe file, a mapping or a Recipe", path="recipe",
                          value=type(source).__name__)
    return _load(os.fspath(source), check_memory=check_memory)


@dataclass(frozen=True, eq=False)
class Result:
    """The outcome of :func:`run`.

    recipe    the Recipe as run
    metrics   what metrics.json holds (SI units, the unit in each key; docs/metrics.md)
    out_dir   the output folder, or None when nothing was written
    wafer     the final :class:`~waferlab.wafer.Wafer` (None for a thermal recipe)
    initial   the wafer before the first step (3D: its y = 0 cut, ``runner.initial_record``)
    thermal   the final thermal state of a thermal recipe (None otherwise)
    log       the step log (``log.txt``); timings: (step, wall seconds) of this call
    """

    recipe: Recipe
    metrics: dict[str, Any]
    out_dir: Path | None = None
    wafer: "Wafer | None" = None
    initial: "Wafer | None" = None
    thermal: Any = None
    log: tuple[str, ...] = ()
    timings: tuple[tuple[str, float], ...] = ()

    @property
    def kind(self) -> str:
        """"process" (a feature-scale run) or "thermal" (a thermal-only recipe)."""
        return "thermal" if self.thermal is not None else "process"

    @functools.cached_property
    def profile(self) -> dict[str, np.ndarray]:
        """The final profile as arrays in m: ``segment``, ``x`` and ``y`` (2D) or ``z``
        (3D, the y = 0 cut) as in profile.csv; for a thermal recipe the doping columns
        (``depth_m``, ``<dopant>_m-3``, ``net_m-3``) as in doping.csv."""
        if self.thermal is not None:
            from .thermal.run import metrics_of

            return {k: np.asarray(v) for k, v in metrics_of(self.thermal)[1].items()}
        from .runner import profile_columns

        return profile_columns(self.recipe, self._wafers()[1])

    def to_xarray(self) -> "xarray.Dataset":
        """The profile as an ``xarray.Dataset`` (points along ``point``; for a thermal
        recipe the concentrations along ``depth_m``), the metrics as attributes."""
        import xarray as xr

        p = self.profile
        attrs = {k: v for k, v in self.metrics.items()
                 if isinstance(v, (int, float, str)) and not isinstance(v, bool)}
        if self.thermal is not None:
            z = p["depth_m"]
            return xr.Dataset({k: ("depth_m", v) for k, v in p.items() if k != "depth_m"},
                              coords={"depth_m": z}, attrs=attrs)
        return xr.Dataset({k: ("point", v) for k, v in p.items()},
                          coords={"point": np.arange(len(p["x"]))}, attrs=attrs)

    @property
    def reactor(self) -> dict[str, Any] | None:
        """The reactor summary of the last plasma step (reactor.json), if any."""
        return None if self.wafer is None else dict(self.wafer.fields).get("reactor")

    def plot(self, ax: Any = None) -> "Figure":
        """The cross-section (final profile filled, initial surface dashed), or the dopant
        profiles of a thermal recipe, as a matplotlib Figure (on ``ax`` when given)."""
        if self.thermal is not None:
            from .thermal.run import doping_figure, metrics_of

            return doping_figure(self.thermal, metrics_of(self.thermal)[1])
        from .io.plots import profile_figure
        from .runner import _unfolded

        initial, final = self._wafers()
        return profile_figure(_unfolded(self.recipe, final.geometry), title=self.recipe.name,
                              initial=_unfolded(self.recipe, initial.geometry), ax=ax)

    def _wafers(self) -> "tuple[Wafer, Wafer]":
        """(initial, final) wafers of a process run."""
        if self.wafer is None or self.initial is None:
            raise RecipeError("a thermal recipe has no wafer geometry", path="thermal")
        return self.initial, self.wafer

    def plot_3d(self, *, elev: float = 35.0, azim: float = -60.0) -> "Figure":
        """The final 3D surface, each material in its colour (matplotlib mplot3d; the
        profile_3d.png of a 3D run).  A 2D run has no 3D surface: RecipeError."""
        grid = self.recipe.spec.grid
        if self.wafer is None or grid is None or grid.dimension != 3:
            raise RecipeError("plot_3d needs a 3D run (grid.dimension: 3); use plot()",
                              path="grid.dimension")
        from .feature.extract import extract_surface
        from .io.plots import picture_geometry, surface_figure
        from .runner import _unfolded

        full = picture_geometry(_unfolded(self.recipe, self.wafer.geometry))
        return surface_figure(extract_surface(full), full.materials, title=self.recipe.name,
                              elev=elev, azim=azim)

    def to_pyvista(self) -> Any:
        """The final surface as a ``pyvista.PolyData`` (lines in 2D, triangles in 3D) with a
        ``material`` cell array (the layer index) and the names in field data
        ``material_names``.  Needs pyvista (``pip install pyvista``)."""
        try:
            import pyvista as pv
        except ImportError as exc:
            raise ImportError("Result.to_pyvista needs pyvista: pip install pyvista "
                              "(or read final_surface.vtu with meshio)") from exc
        if self.wafer is None:
            raise RecipeError("a thermal recipe has no surface to show", path="to_pyvista")
        from .feature.extract import extract_surface

        s = extract_surface(self.wafer.geometry)
        pts = np.asarray(s.points, float)
        if pts.shape[1] == 2:
            pts = np.column_stack([pts, np.zeros(len(pts))])
        el = np.asarray(s.elements, np.int64)
        cells = np.column_stack([np.full(len(el), el.shape[1]), el]).ravel()
        mesh = pv.PolyData(pts, lines=cells) if el.shape[1] == 2 else pv.PolyData(pts, faces=cells)
        mesh.cell_data["material"] = np.asarray(s.materials, np.int64)
        mesh.field_data["material_names"] = np.array(list(self.wafer.geometry.materials))
        return mesh

    def _repr_html_(self) -> str:
        from .io.report import metrics_html

        where = f" (written to {self.out_dir})" if self.out_dir else ""
        return metrics_html(self.metrics, title=f"waferlab run: {self.recipe.name}{where}")


def _out_path(out: "str | os.PathLike[str] | None") -> Path | None:
    return None if out is None else Path(out)


def run(recipe: RecipeLike, out: "str | os.PathLike[str] | None" = None,
        seed: int | None = None, threads: int | None = None, resume: bool = False, *,
        overwrite: bool = False, progress: bool = False,
        log: Callable[[str], None] | None = None, command: str = "run") -> Result:
    """Run a recipe (a process recipe, or a thermal-only recipe) and return its Result.

    ``seed`` overrides the recipe's; ``threads`` numba threads for this call (None: all
    cores); ``resume`` continues an interrupted run in ``out`` from its checkpoint;
    ``overwrite`` replaces the waferlab outputs of another run in ``out``; ``progress``
    shows a progress bar; ``log`` receives each log line; ``command`` is the name the
    folder's stamp records (``"demo"`` for ``waferlab demo``).  Nothing is written unless
    ``out`` is given (then: recipe.yaml, metrics.json, profile.csv/png, final.vtu, final_surface.vtu,
    log.txt, checkpoint.npz and report.html, as ``waferlab run``)."""
    from .io.atomic import staged
    from .io.outdir import identity_hash, prepare_output

    r = load_recipe(recipe)
    seed = r.spec.seed if seed is None else seed
    check_seed_threads(seed, threads)
    path = _out_path(out)
    if resume and path is None:
        raise RecipeError("resume continues a run in its output folder: give out", path="resume")
    ctx = RunContext(seed=int(seed), threads=threads, out_dir=path, progress=progress,
                     log=log or (lambda line: None))
    if "thermal" in r.sections and not r.steps:
        from .thermal.cli import check_thermal_memory
        from .process.thermal_flow import run_section
        from .thermal.run import metrics_of, write_outputs

        spec = r.sections["thermal"]
        check_thermal_memory(spec)
        folder = None
        if path is not None:
            folder = prepare_output(path, command="thermal", label=f"recipe {r.name!r}, seed {seed}",
                                    identity=identity_hash(["thermal", spec.model_dump(mode="json"),
                                                            ctx.seed]), overwrite=overwrite)
        with ctx.apply_threads():
            state = run_section(spec, ctx)        # the process runner (one runner)
        metrics, cols = metrics_of(state)
        if folder is not None:
            folder.claim()
            with staged(folder.path) as stage:
                write_outputs(stage, state, metrics, cols)
                _thermal_report(stage, r, metrics, seed)
        return Result(recipe=r, metrics=metrics, out_dir=path, thermal=state)
    if r.spec.grid is None or r.spec.structure is None:
        raise RecipeError("a run needs grid: and structure: (or a thermal: section)")
    if path is not None:
        from .runner import recipe_hash

        prepare_output(path, command=command, identity=recipe_hash(r, seed),
                       label=f"recipe {r.name!r}, seed {seed}", overwrite=overwrite,
                       resume=resume).claim()
    from .runner import execute_recipe

    with ctx.apply_threads():
        o = execute_recipe(r, ctx, resume=resume)
    return Result(recipe=r, metrics=o.metrics, out_dir=path, wafer=o.wafer, initial=o.initial,
                  log=o.log, timings=o.timings)


def _thermal_report(folder: Path, recipe: Recipe, metrics: dict, seed: int) -> None:
    from .io.report import write_run_report

    write_run_report(folder, recipe=dict(recipe.resolved(), seed=int(seed)),
                     metrics=dict(metrics, seed=int(seed)),
                     title=f"waferlab thermal: {recipe.name}")


@dataclass(frozen=True, eq=False)
class ReactorResult:
    """The outcome of :func:`solve_reactor`: the :class:`~waferlab.reactor.ReactorState`
    (``state``), the reactor.json content (``metrics``), a sweep's rows and knob, and the
    output folder (None when nothing was written)."""

    name: str
    state: "ReactorState"
    metrics: dict[str, Any]
    sweep: tuple[dict[str, Any], ...] = ()
    knob: str | None = None
    out_dir: Path | None = None

    def to_xarray(self) -> "xarray.Dataset":
        """The IEDF (``energy_eV``) and IADF (``theta_rad``) as an ``xarray.Dataset``."""
        import xarray as xr

        s = self.state
        return xr.Dataset({"iedf_per_eV": ("energy_eV", np.asarray(s.iedf.pdf)),
                           "iadf_per_rad": ("theta_rad", np.asarray(s.iadf.pdf))},
                          coords={"energy_eV": np.asarray(s.iedf.x),
                                  "theta_rad": np.asarray(s.iadf.x)},
                          attrs={"T_e_eV": s.T_e_eV, "n_e_avg_m3": s.n_e_avg_m3,
                                 "ion_flux_m2s": s.ion_flux_m2s})

    def plot(self) -> "Figure":
        """IEDF and IADF at the wafer (and n_e, T_e against the knob of a sweep)."""
        if self.sweep:
            from .reactor.cli import sweep_figure

            return sweep_figure(self.knob or "", list(self.sweep))
        from .io.plots import subplots

        s = self.state
        fig, (a, b) = subplots(1, 2, figsize=(9.0, 3.4))
        a.plot(s.iedf.x, s.iedf.pdf)
        a.set_xlabel("ion energy (eV)")
        a.set_ylabel("IEDF (1/eV)")
        b.plot(np.degrees(s.iadf.x), s.iadf.pdf * np.pi / 180.0)
        b.set_xlabel("polar angle (°)")
        b.set_ylabel("IADF (1/°)")
        fig.suptitle(f"{self.name}: T_e = {s.T_e_eV:.3g} eV, n_e = {s.n_e_avg_m3 * 1e-6:.3g} cm⁻³")
        fig.tight_layout()
        return fig

    def _repr_html_(self) -> str:
        from .io.report import metrics_html

        keys = ("T_e_eV", "n_e_avg_m3", "n_e_center_m3", "ion_flux_m2s", "ion_energy_mean_eV",
                "sheath_thickness_m", "pressure_Pa")
        return metrics_html({k: self.metrics[k] for k in keys if k in self.metrics},
                            title=f"reactor: {self.name}")


def solve_reactor(recipe: "str | os.PathLike[str] | Mapping[str, Any]",
                  out: "str | os.PathLike[str] | None" = None, *, sweep: str | None = None,
                  overwrite: bool = False, resume: bool = False,
                  quiet: bool = True) -> ReactorResult:
    """Solve the reactor of a recipe (its ``reactor:`` section, or the first plasma_etch
    step's): the Python form of ``waferlab reactor``.  ``sweep`` as ``--sweep``
    (``"power=200W:1000W:5"``).  Nothing is written unless ``out`` is given (then
    reactor.json, iedf.csv, iadf.csv, sweep.json/png as the command writes)."""
    from .io.atomic import staged
    from .io.outdir import identity_hash, prepare_output
    from .reactor.cli import parse_sweep, reactor_recipe_data, run_reactor
    from .reactor.modes import ReactorModel
    from .reactor.spec import ReactorSpec
    from .recipe_io import load_yaml, validate_section

    raw = dict(recipe) if isinstance(recipe, Mapping) else load_yaml(os.fspath(recipe))
    data, label = reactor_recipe_data(raw)                   # validated before the folder
    spec = validate_section(ReactorSpec, data["reactor"],
                            f"{label.split(' ')[0]}.reactor" if label else "reactor")
    if sweep:
        parse_sweep(sweep)
    if spec.chemistry:
        from .reactor.chemistry import load_chemistry
        load_chemistry(spec.chemistry)
    if resume and (out is None or spec.model != ReactorModel.FLUID2D):
        raise RecipeError("resume continues a stopped model: fluid2d run in its output folder; "
                          "the global model solves in well under a second", path="resume")
    name = raw.get("name") if isinstance(recipe, Mapping) else None
    source: Any = dict(raw, name=name or "reactor") if isinstance(recipe, Mapping) else recipe
    path = _out_path(out)
    if path is None:
        res = run_reactor(source, None, sweep, quiet=quiet, keep_state=True)
    else:
        folder = prepare_output(path, command="reactor",
                                label=f"recipe {str(data.get('name', ''))[:60]!r}",
                                identity=identity_hash(["reactor", spec.model_dump(mode="json"),
                                                        sweep]),
                                overwrite=overwrite)
        folder.claim()
        if spec.model == ReactorModel.FLUID2D:           # checkpoints (resume) need the folder itself
            res = run_reactor(source, path, sweep, quiet=quiet, resume=resume, keep_state=True)
            _reactor_report(path, res, data)
        else:
            with staged(path) as stage:
                res = run_reactor(source, stage, sweep, quiet=quiet, keep_state=True)
                _reactor_report(stage, res, data)
    state = res.pop("_state")
    rows = tuple(res.get("sweep", ()))
    return ReactorResult(name=str(res.get("name", "reactor")), state=state, metrics=res,
                         sweep=rows, knob=res.get("sweep_knob"), out_dir=path)


def _reactor_report(folder: Path, res: dict[str, Any], data: dict[str, Any]) -> None:
    """report.html of a reactor folder: the reactor table, its IEDF and the sweep."""
    from .io.report import write_run_report

    reactor = {k: v for k, v in res.items() if k != "_state"}
    state = res.get("_state")
    if state is not None:
        reactor["iedf"] = {"energies_eV": [float(x) for x in state.iedf.x],
                           "pdf": [float(p) for p in state.iedf.pdf]}
    head = {k: v for k, v in reactor.items() if isinstance(v, (int, float, str))
            and not isinstance(v, bool)}
    write_run_report(folder, recipe={k: data[k] for k in ("name", "seed", "reactor") if k in data},
                     metrics=head, reactor=reactor,
                     title=f"waferlab reactor: {reactor.get('name', '')}")


def run_study(study: Any, out: "str | os.PathLike[str] | None" = None, *,
              seed: int | None = None, threads: int | None = None,
              serial: bool = False, workers: int | None = None, scheduler: str | None = None,
              overwrite: bool = False, progress: bool = False) -> Any:
    """Run a study (a study file, a ``{"study": ...}`` mapping or a Study) and return its
    :class:`~waferlab.study.StudyResult` (``dataset`` as xarray, ``summary``, ``plot()``).

    ``seed`` overrides ``study.seed`` and ``threads`` ``study.threads`` (numba threads per
    sample).  Samples run on a local Dask cluster of ``workers`` processes, on the scheduler at
    ``scheduler``, or inline with ``serial=True``.  Nothing is written unless ``out`` is
    given (then study.nc, samples.csv, summary.json, the plots and report.html; an
    interrupted study in ``out`` reuses its finished samples)."""
    from .study.run import run_study as _run_study, study_fingerprint
    from .study.spec import Study, load_study, study_from_dict

    if isinstance(study, Mapping):
        study = study_from_dict(dict(study))
    elif not isinstance(study, Study):
        study = load_study(study)
    check_seed_threads(0 if seed is None else seed, threads)
    changes = {k: v for k, v in (("seed", seed), ("threads", threads)) if v is not None}
    if changes:                       # the study's seed (designs, sample seeds) and threads per sample
        from dataclasses import replace

        study = replace(study, spec=study.spec.model_copy(update=changes))
    path = _out_path(out)
    folder = None
    if path is not None:
        from .io.outdir import prepare_output

        folder = prepare_output(path, command="study", identity=study_fingerprint(study),
                                label=f"study of {str(study.source or '')[-60:]!r}",
                                overwrite=overwrite)
    if scheduler:
        from .study.executor import check_scheduler
        check_scheduler(scheduler)
    if folder is not None:
        folder.claim()
    return _run_study(study, path, scheduler=scheduler, workers=workers, serial=serial,
                      progress=progress)


@dataclass(frozen=True, eq=False)
class FluxProbe:
    """Monte Carlo fluxes on a recipe's initial structure (:func:`probe_fluxes`).

    ``surface`` the traced surface, ``species`` the traced species (their names in
    ``names``), ``result`` the flux engine's result (incident/absorbed flux per element,
    relative to a flat open surface), ``table`` the columns of flux.csv, ``rays`` rays per
    surface point, ``out_dir`` the folder written (None: nothing written)."""

    surface: Any
    species: tuple[Any, ...]
    result: Any
    table: dict[str, np.ndarray]
    rays: int
    out_dir: Path | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.species)

    def plot(self, species: str | None = None, quantity: str = "incident") -> "Figure":
        """The surface coloured by the flux of ``species`` (default: the first)."""
        from .feature.flux.probe import flux_figure

        return flux_figure(self.surface, self.result, species or self.names[0], quantity=quantity)


def probe_fluxes(recipe: RecipeLike, out: "str | os.PathLike[str] | None" = None,
                 seed: int | None = None, threads: int | None = None, *,
                 overwrite: bool = False) -> FluxProbe:
    """Trace the fluxes of every flux-model step's species on the recipe's initial
    structure (the Python form of ``waferlab flux``).  Nothing is written unless ``out``
    is given (then flux.csv and flux.png, flux_<species>.png)."""
    from .feature.extract import extract_surface
    from .feature.flux import trace_fluxes
    from .feature.flux.probe import flux_table
    from .feature.flux.transport import RayTracing
    from .runner import initial_wafer

    r = load_recipe(recipe)
    seed = r.spec.seed if seed is None else seed
    check_seed_threads(seed, threads)
    path = _out_path(out)
    if r.spec.grid is None or r.spec.structure is None:
        raise RecipeError("flux needs a recipe with grid: and structure:")
    folder = None
    if path is not None:
        from .io.outdir import prepare_output
        from .runner import recipe_hash

        folder = prepare_output(path, command="flux", identity=recipe_hash(r, seed),
                                label=f"recipe {r.name!r}, seed {seed}", overwrite=overwrite)
    geometry = initial_wafer(r).geometry
    species, rays = _flux_species(r, geometry, int(seed))
    ctx = RunContext(seed=int(seed), threads=threads, out_dir=path)
    surface = extract_surface(geometry)
    with ctx.apply_threads():
        result = trace_fluxes(surface, species, ctx, rays_per_point=rays, stream=("flux-probe",),
                              reemission=RayTracing().reemission)
    probe = FluxProbe(surface=surface, species=tuple(species), result=result,
                      table=flux_table(surface, result), rays=rays, out_dir=path)
    if folder is not None:
        from .io.atomic import atomic_path, staged, write_csv

        folder.claim()
        with staged(folder.path) as stage:
            write_csv(stage / "flux.csv", probe.table)
            for k, s in enumerate(species):
                name = "flux.png" if k == 0 else f"flux_{s.name}.png"
                with atomic_path(stage / name) as tmp:
                    probe.plot(s.name).savefig(tmp, dpi=120, format="png")
            from .io.report import write_run_report
            write_run_report(stage, recipe=r.resolved() | {"seed": int(seed)},
                             metrics={"traced_species": ", ".join(probe.names),
                                      "surface_elements": len(surface.elements),
                                      "rays_per_point": rays, "seed": int(seed)},
                             title=f"waferlab flux: {r.name}")
    return probe


def _flux_species(recipe: Recipe, geometry, seed: int = 0) -> tuple[list, int]:
    """The species the recipe's flux-model steps trace, and the most rays per point.

    A reactor-coupled step (``plasma_etch`` with ``reactor:``) is solved with the seed that
    ``waferlab run`` gives that step (derived from the run's ``seed`` and the step's position, as
    in :mod:`.runner`; the 2D CCP's ion Monte Carlo draws from it), so flux.csv shows the fluxes
    of the run with the same seed.  Its species
    are not listable without the solve — the ion's energy distribution (the yield columns of
    flux.csv), its angular exponent and the neutrals' coverage-dependent sticking come from the
    solved fluxes, and the model with placeholder fluxes has no ion or etchant at all
    (bench/results/reactor_fluid2d_ccp_eedf_s13.md)."""
    from .feature.registry import TracesFluxes
    from .process.registry import ModelDriven, ReactorCoupled

    species: list = []
    rays = 0
    first: dict[int, int] = {}
    for i, s in enumerate(recipe.leaf_steps):      # a step's first position (cycles unrolled)
        first.setdefault(id(s), i)
    for step in {id(s): s for s in recipe.leaf_steps}.values():
        if not isinstance(step, ModelDriven):     # e.g. ald: traces its own reactants
            continue
        mats = tuple(geometry.materials) + ((step.material,) if step.kind == "deposit" else ())
        if isinstance(step, ReactorCoupled):      # plasma_etch: fluxes come from the reactor
            seq = RunContext(seed=int(seed)).seed_sequence("step", first[id(step)])
            step_seed = int(seq.generate_state(1)[0] >> 1)
            model = step.couple(geometry, seed=step_seed)[1].build(kind="etch", materials=mats, target=None)
        else:
            model = step.velocity_model(mats)
        if not isinstance(model, TracesFluxes):   # directional, isotropic, wet: no fluxes
            continue
        sp = tuple(model.species())
        if not sp:
            continue
        for s in sp:
            if s.name not in {x.name for x in species}:
                species.append(s)
        rays = max(rays, int(model.rays_per_point))
    if not species:
        raise RecipeError("no step of this recipe uses a flux model (single_particle, "
                          "multi_particle, sf6o2, ...): nothing to trace", path="steps")
    return species, rays
