"""Run a ``thermal:`` recipe section: implant, predeposit, anneal, oxidize; write
doping.csv, metrics.json and doping.png (atomically)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..context import RunContext
from ..errors import RecipeError, SimulationError
from ..materials import BUILTIN
from .diffusion import TimeStepping, anneal
from .dopants import Arrhenius, DOPANTS
from .electrical import junction_depths, sheet_resistance
from .implant import Moments, implant_1d, implant_2d, implanted_species, range_moments
from .mesh import Feature, Mesh, graded_nodes
from .meshing import (MeshPlan, coarsen_z, depth_features, level_depth_error, plan_mesh,
                      refine_z, transfer)
from .models import INTERSTITIAL, TED, make_model
from .newton import NewtonStepping
from .pairs import hobler_moroz_plus_n
from .ted import five_stream_anneal
from .oxidation import SI_CONSUMED, grow_oxide
from .spec import AnnealStep, ImplantStep, OxidizeStep, PredepositStep, ThermalSpec

__all__ = ["ThermalState", "run_thermal", "simulate", "temperature_program", "write_outputs",
           "metrics_of", "doping_figure", "initial_state", "mesh_plan", "apply_step"]

FIVE_STREAM = "five_stream"
ION_MASS_AMU = {"B": 10.81, "BF2": 48.81, "P": 30.97, "As": 74.92, "Sb": 121.76}


@dataclass(frozen=True, kw_only=True)
class ThermalState:
    """Dopant fields (name -> (nz, nx) array, m⁻³) on ``mesh``, pending implant damage
    (``damage``: +1 per ion for ``ted``; ``damage_n``: the Hobler–Moroz +n for
    ``five_stream``), the five-stream defect fields I, V, Cl carried between five-stream
    anneals, the last five-stream transient read-out (``ted``) and the
    (+1 excess interstitials, m⁻³), oxide thickness (m), dose lost to oxide (m⁻²)."""

    mesh: Mesh
    conc: dict[str, np.ndarray]
    damage: np.ndarray
    oxide: float = 0.0
    dose_in_oxide: dict[str, float] = field(default_factory=dict)
    time_steps: int = 0
    mesh_error: float = 0.0
    refinements: int = 0
    damage_n: np.ndarray | None = None
    defects: dict[str, np.ndarray] | None = None
    ted: dict = field(default_factory=dict)


def temperature_program(step) -> tuple[float, Callable[[float], float]]:
    """(duration, T(t)) of a step with temperature/time or a piecewise-linear profile."""
    if step.profile:
        ts = np.array([p[0] for p in step.profile])
        Ts = np.array([p[1] for p in step.profile])
        return float(ts[-1]), lambda t: float(np.interp(t, ts, Ts))
    T = float(step.temperature)
    return float(step.time), lambda t: T


def _step_moments(step):
    m = range_moments(step.dopant, step.energy_keV)
    return implanted_species(step.dopant), m.Rp, m.dRp


def _mesh(spec: ThermalSpec) -> Mesh:
    """Uniform when the recipe gives ``nodes``; otherwise graded for the recipe's
    profiles (meshing.depth_features)."""
    models = {}

    def d_int(name, step, T):
        key = (step.model, step.calibration, tuple(sorted(step.diffusivity)))
        if key not in models:
            five = step.model == FIVE_STREAM
            models[key] = make_model("intrinsic", _override(step), calibration=step.calibration
                                     or ("tsuprem4" if five else "plummer"))
        return models[key].d_int(name, T)

    def program(step):
        if step.kind == "predeposit":
            T = float(step.temperature)
            return float(step.time), lambda t: T
        return temperature_program(step)

    plan = _plan(spec)
    feats = depth_features(spec.steps, d_int=d_int, program=program, moments=_step_moments,
                           per_length=plan.per_length)
    x = np.zeros(1)
    lat = spec.lateral
    if lat is not None and lat.nodes is not None:
        x = np.linspace(0.0, lat.width, lat.nodes)
    elif lat is not None:
        # graded along x about every mask edge: each profile width W (ΔRp, √(W₀² + Dt))
        # and each implant's lateral straggle σ⊥ resolved by 8 nodes over ±4 W
        edges = sorted({e for w in lat.mask for e in (w.from_, w.to) if 0 < e < lat.width})
        widths = [f.h * plan.per_length for f in feats]
        widths += [range_moments(st.dopant, st.energy_keV).lateral for st in spec.steps
                   if st.kind == "implant"]
        xf = [Feature(start=e - 4 * W, end=e + 4 * W, h=W / 8) for e in edges for W in widths
              if W > 0]
        x = (graded_nodes(lat.width, xf, ratio=plan.ratio, h_max=lat.width / 32) if xf
             else np.linspace(0.0, lat.width, 33))
    if spec.nodes is not None:
        return Mesh(z=np.linspace(0.0, spec.depth, spec.nodes), x=x)
    return plan_mesh(spec.depth, x, feats, plan)


def _plan(spec: ThermalSpec) -> MeshPlan:
    n = spec.numerics
    return MeshPlan(per_length=n.nodes_per_length, ratio=n.grading, mesh_tol=n.mesh_tol,
                    max_refine=n.max_refine)


def _mask_thickness(spec: ThermalSpec, x: np.ndarray) -> np.ndarray | None:
    if spec.lateral is None or not spec.lateral.mask:
        return None
    thick = np.zeros(x.size)
    si = BUILTIN["Si"].atom_density
    for w in spec.lateral.mask:
        inside = (x >= w.from_) & (x <= w.to)
        t = np.inf if w.thickness is None else w.thickness * BUILTIN[w.material].atom_density / si
        thick[inside] = np.maximum(thick[inside], t)
    return thick


def _override(step) -> dict[str, Arrhenius]:
    return {k: Arrhenius(D0=v.D0, Ea=v.Ea) for k, v in step.diffusivity.items()}


def _model_of(step):
    """The diffusion model of a step (five_stream: None; see ted.py)."""
    if step.model == FIVE_STREAM:
        return None
    return make_model(step.model, _override(step), calibration=step.calibration or "plummer")


def _run_step(mesh: Mesh, state: ThermalState, step, *, duration, temperature, numerics,
              fixed, use_damage, readout=True, track=None, follow=None):
    """One anneal of the state's fields on ``mesh`` (fields already on it):
    (conc, time steps, defect fields or None, transient read-out, schedule).  For the
    mesh check (five_stream): ``readout=False`` skips the transient read-out, ``track``
    (flat node indices) returns the step schedule at those nodes, ``follow`` takes one."""
    if step.model == FIVE_STREAM:
        if fixed is not None:
            raise ValueError("model five_stream is for anneals after implants; use intrinsic, "
                             "fermi or ted for a predeposition")
        res = five_stream_anneal(
            mesh, {k: v.ravel() for k, v in state.conc.items()}, duration=duration,
            temperature=temperature,
            excess=state.damage_n.ravel() if (use_damage and state.damage_n is not None) else None,
            defects=({k: v.ravel() for k, v in state.defects.items()}
                     if state.defects else None),
            calibration=step.calibration or "tsuprem4", override=_override(step),
            numerics=NewtonStepping(rtol=numerics.rtol, max_steps=numerics.max_steps),
            readout=readout, track=track, follow=follow)
        conc = {k: res.conc[k].reshape(mesh.shape) for k in state.conc}
        defects = {k: v.reshape(mesh.shape) for k, v in res.defects.items()} or None
        return conc, res.steps, defects, _ted_readout(res), res.schedule
    model = _model_of(step)
    fields = {k: v.ravel() for k, v in state.conc.items()}
    if use_damage and isinstance(model, TED):
        fields[INTERSTITIAL] = state.damage.ravel()
    fx = fixed(mesh) if fixed is not None else None
    ares = anneal(mesh, fields, model, duration=duration, temperature=temperature,
                  fixed=fx, numerics=numerics)
    return ({k: ares.fields[k].reshape(mesh.shape) for k in state.conc}, ares.steps, None, {},
            None)


def _ted_readout(res) -> dict:
    """Per paired dopant: ∫(⟨D⟩ − ⟨D⟩*) dt (m²) and the time by which 90 % of it had
    accumulated (s)."""
    out = {}
    for d in res.mean_D:
        t, cum = res.enhancement_integral(d)
        total = float(cum[-1])
        t90 = float(t[np.searchsorted(cum, 0.9 * total)]) if total > 0 else 0.0
        out[d] = {"enhanced_Dt_m2": total, "t90_s": t90}
    return out


def _on(state: ThermalState, mesh: Mesh) -> ThermalState:
    """The state moved onto ``mesh`` (depth interpolation)."""
    if mesh is state.mesh:
        return state
    old = state.mesh
    return replace(state, mesh=mesh, conc={k: transfer(c, old, mesh) for k, c in state.conc.items()},
                   damage=transfer(state.damage, old, mesh),
                   damage_n=None if state.damage_n is None else transfer(state.damage_n, old, mesh),
                   defects=None if not state.defects else
                   {k: transfer(v, old, mesh) for k, v in state.defects.items()})


def _diffuse(state: ThermalState, step, *, duration, temperature, numerics, fixed=None,
             use_damage=False, plan: MeshPlan | None = None, log=None) -> ThermalState:
    """Diffuse for one step.  With a ``plan`` the step is repeated on every other depth
    node and the mesh halved (the state moved onto it) while the Richardson estimate of
    the depth error exceeds plan.mesh_tol (see meshing.py).  A five-stream coarse run
    takes the fine run's time steps, each Newton iteration started from the fine
    solution at its nodes: the two runs then differ only by the depth mesh, and the
    coarse run costs a fraction of an adaptive one."""
    kw = dict(duration=duration, temperature=temperature, numerics=numerics, fixed=fixed,
              use_damage=use_damage)
    mesh = state.mesh
    track = None
    if plan is not None:
        coarse, keep = coarsen_z(mesh)
        track = np.arange(mesh.n).reshape(mesh.shape)[keep].ravel()
    conc, nsteps, defects, ted, schedule = _run_step(mesh, state, step, **kw, track=track)
    err, refinements = state.mesh_error, state.refinements
    if plan is not None:
        cstate = ThermalState(
            mesh=coarse, conc={k: v[keep] for k, v in state.conc.items()},
            damage=state.damage[keep],
            damage_n=None if state.damage_n is None else state.damage_n[keep],
            defects=None if not state.defects else {k: v[keep] for k, v in state.defects.items()})
        c_conc = _run_step(coarse, cstate, step, **kw, readout=False, follow=schedule)[0]
        for i in range(plan.max_refine + 1):
            e = max((level_depth_error(mesh.z, conc[k], coarse.z, c_conc[k])
                     for k in conc), default=0.0)
            if e <= plan.mesh_tol or i == plan.max_refine:
                break
            if log is not None:
                log(f"  mesh check: depth error ~{e:.2e} > {plan.mesh_tol:g} on {mesh.z.size} "
                    f"nodes; refining to {2 * mesh.z.size - 1}")
            coarse, c_conc = mesh, conc
            mesh = refine_z(mesh)
            state = _on(state, mesh)
            conc, nsteps, defects, ted, _ = _run_step(mesh, state, step, **kw)
            refinements += 1
        err = max(err, e)
    return replace(state, mesh=mesh, conc=conc, damage=np.zeros(mesh.shape),
                   damage_n=None if use_damage else state.damage_n, defects=defects,
                   ted=ted or state.ted,
                   time_steps=state.time_steps + nsteps, mesh_error=err, refinements=refinements)


def _consume(state: ThermalState, dz: float) -> ThermalState:
    """Remove a silicon layer dz from the top: C_new(z) = C_old(z + dz) (the bottom
    keeps its last value); the dopant of the removed layer is booked as lost to oxide."""
    mesh = state.mesh
    z = mesh.z
    zz = np.append(z[z < dz], dz)
    wx = mesh.volumes.reshape(mesh.shape)[0] / max(mesh.volumes.reshape(mesh.shape)[0].sum(), 1e-300)
    lost = dict(state.dose_in_oxide)
    conc = {}
    for k, c in state.conc.items():
        shifted = np.empty_like(c)
        removed = np.empty(c.shape[1])
        for j in range(c.shape[1]):
            shifted[:, j] = np.interp(z + dz, z, c[:, j])
            layer = np.interp(zz, z, c[:, j])
            removed[j] = float(np.sum(0.5 * (layer[1:] + layer[:-1]) * np.diff(zz)))
        lost[k] = lost.get(k, 0.0) + float(np.dot(wx, removed))
        conc[k] = shifted
    return replace(state, conc=conc, damage=np.zeros(mesh.shape), dose_in_oxide=lost)


def _apply(state: ThermalState, step, spec: ThermalSpec, numerics: TimeStepping, *,
           plan: MeshPlan | None = None, log=None) -> ThermalState:
    mesh = state.mesh
    if isinstance(step, ImplantStep):
        sp = implanted_species(step.dopant)
        # a grown oxide screens the implant: Si-equivalent thickness by atom density
        screen = state.oxide * BUILTIN["SiO2"].atom_density / BUILTIN["Si"].atom_density
        # a tilted beam: the range moments along the path, projected on the depth axis
        m = range_moments(step.dopant, step.energy_keV)
        ct = math.cos(step.tilt)
        m = Moments(Rp=m.Rp * ct, dRp=m.dRp * ct, gamma=m.gamma, beta=m.beta, lateral=m.lateral)
        if mesh.x.size > 1:
            thick = _mask_thickness(spec, mesh.x)
            thick = (np.zeros(mesh.x.size) if thick is None else thick) + screen
            c = implant_2d(mesh.z, mesh.x, step.dopant, step.dose, step.energy_keV,
                           mask=thick, shape=step.profile, moments=m)
        else:
            c = implant_1d(mesh.z, step.dopant, step.dose, step.energy_keV,
                           shape=step.profile, screen=screen, moments=m)[:, None]
        conc = dict(state.conc)
        conc[sp] = conc.get(sp, np.zeros(mesh.shape)) + c
        dn = hobler_moroz_plus_n(ION_MASS_AMU[step.dopant], step.energy_keV) * c
        return replace(state, conc=conc, damage=state.damage + c,
                       damage_n=dn if state.damage_n is None else state.damage_n + dn)
    if isinstance(step, PredepositStep):
        conc = dict(state.conc)
        conc.setdefault(step.dopant, np.zeros(mesh.shape))
        st = replace(state, conc=conc)
        thick = _mask_thickness(spec, mesh.x)
        T = float(step.temperature)

        def fixed(m: Mesh):
            mask = np.zeros(m.shape, bool)
            mask[0, :] = True if thick is None else (thick == 0)
            return {step.dopant: (mask.ravel(), step.surface_concentration)}
        return _diffuse(st, step, duration=step.time, temperature=lambda t: T, numerics=numerics,
                        fixed=fixed, plan=plan, log=log)
    if isinstance(step, AnnealStep):
        duration, Tfun = temperature_program(step)
        return _diffuse(state, step, duration=duration, temperature=Tfun, numerics=numerics,
                        use_damage=True, plan=plan, log=log)
    if isinstance(step, OxidizeStep):
        T = float(step.temperature)
        st = _diffuse(state, step, duration=step.time, temperature=lambda t: T, numerics=numerics,
                      plan=plan, log=log)
        x_new = grow_oxide(step.time, lambda t: T, ambient=step.ambient,
                           orientation=spec.substrate.orientation, initial=state.oxide,
                           pressure_atm=step.pressure / 101325.0)
        st = _consume(st, SI_CONSUMED * (x_new - state.oxide))
        return replace(st, oxide=x_new)
    raise RecipeError(f"unknown thermal step {type(step).__name__}")


def initial_state(spec: ThermalSpec) -> ThermalState:
    """The substrate before the first step, on the section's (graded) mesh."""
    mesh = _mesh(spec)
    conc = {k: np.full(mesh.shape, v) for k, v in spec.substrate.background.items()}
    return ThermalState(mesh=mesh, conc=conc, damage=np.zeros(mesh.shape),
                        oxide=spec.substrate.oxide)


def mesh_plan(spec: ThermalSpec) -> MeshPlan | None:
    """The mesh check's plan (None when ``numerics.mesh_check`` is off; default: on in 1D)."""
    check = spec.numerics.mesh_check
    if check is None:
        check = spec.lateral is None
    return _plan(spec) if check else None


apply_step = _apply


def simulate(spec: ThermalSpec, ctx: RunContext | None = None) -> ThermalState:
    """Run every step of ``spec`` and return the final state (the section's physics, step
    by step).  ``waferlab thermal`` and :func:`waferlab.run` run a section through the
    process runner instead (:func:`waferlab.process.thermal_flow.run_section`, one step of
    a flat-wafer flow per section step: the same :func:`apply_step` calls, the same
    result bit for bit); this lower-layer loop serves the library and the validation."""
    log = ctx.log if ctx is not None else (lambda line: None)
    state, plan = initial_state(spec), mesh_plan(spec)
    numerics = TimeStepping(rtol=spec.numerics.rtol, max_steps=spec.numerics.max_steps)
    for i, step in enumerate(spec.steps):
        try:
            state = apply_step(state, step, spec, numerics, plan=plan, log=log)
        except ValueError as exc:
            raise RecipeError(f"thermal.steps[{i}].{step.kind}: {exc}") from None
        except SimulationError as exc:
            raise SimulationError(f"thermal.steps[{i}].{step.kind}: {exc}") from None
    return state


def _probe_column(state: ThermalState) -> int:
    tot = sum(c for c in state.conc.values())
    if not isinstance(tot, np.ndarray):           # no dopant (0) or scalar fields
        return 0
    return int(np.argmax(tot.sum(axis=0)))


def metrics_of(state: ThermalState) -> tuple[dict, dict[str, np.ndarray]]:
    """(metrics, 1D profile columns at the probe column)."""
    mesh = state.mesh
    j = _probe_column(state)
    z = mesh.z
    prof = {k: c[:, j] for k, c in sorted(state.conc.items())}
    donors = sum((prof[k] for k in prof if DOPANTS[k].charge > 0), np.zeros(z.size))
    acceptors = sum((prof[k] for k in prof if DOPANTS[k].charge < 0), np.zeros(z.size))
    xj = junction_depths(z, donors, acceptors)
    rs = sheet_resistance(z, donors, acceptors, arsenic=prof.get("As"))
    m = {
        "dimension": 1 if mesh.x.size == 1 else 2,
        "junction_depth_m": xj[0] if xj else None,
        "junction_depths_m": xj,
        "sheet_resistance_ohm_sq": rs if np.isfinite(rs) else None,
        "dose_m2": {k: mesh.dose(c) for k, c in sorted(state.conc.items())},
        "surface_concentration_m3": {k: float(v[0]) for k, v in prof.items()},
        "oxide_thickness_m": state.oxide,
        "dose_in_oxide_m2": dict(state.dose_in_oxide),
        "time_steps": state.time_steps,
        "ted": state.ted,
        "depth_nodes": int(mesh.z.size),
        "mesh_error_estimate": state.mesh_error,
        "mesh_refinements": state.refinements,
    }
    if mesh.x.size > 1:
        m["probe_x_m"] = float(mesh.x[j])
    cols = {"depth_m": z, **{f"{k}_m-3": v for k, v in prof.items()},
            "net_m-3": donors - acceptors}
    return m, cols


def write_outputs(out: Path, state: ThermalState, metrics: dict, cols: dict) -> None:
    """doping.csv, metrics.json, doping.png (and doping_2d.npz in 2D), each atomic."""
    from ..io.atomic import atomic_path, write_csv, write_json

    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "doping.csv", cols)
    write_json(out / "metrics.json", metrics)
    if state.mesh.x.size > 1:
        with atomic_path(out / "doping_2d.npz") as tmp:
            with open(tmp, "wb") as fh:
                arrays: dict[str, Any] = {"z": state.mesh.z, "x": state.mesh.x, **state.conc}
                np.savez_compressed(fh, **arrays)
    _plot(out / "doping.png", state, cols)


def _plot(path: Path, state: ThermalState, cols: dict) -> None:
    from ..io.atomic import atomic_path

    fig = doping_figure(state, cols)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")


def doping_figure(state: ThermalState, cols: dict):
    """The dopant profiles (and the 2D net doping) as a matplotlib Figure."""
    from ..io.plots import subplots as _subplots

    two = state.mesh.x.size > 1
    fig, axes = _subplots(1, 2 if two else 1, figsize=(11 if two else 6, 4.2), squeeze=False)
    ax = axes[0, 0]
    z_um = cols["depth_m"] * 1e6
    for k, v in cols.items():
        if k == "depth_m":
            continue
        y = np.abs(v) * 1e-6
        ax.semilogy(z_um, np.where(y > 0, y, np.nan), "k--" if k.startswith("net") else "-",
                    label=("|net|" if k.startswith("net") else k.split("_")[0]))
    ax.set_xlabel("depth (µm)")
    ax.set_ylabel("concentration (cm⁻³)")
    ax.set_ylim(bottom=1e13)
    ax.legend()
    if two:
        net = sum(DOPANTS[k].charge * c for k, c in state.conc.items())
        ax2 = axes[0, 1]
        v = np.sign(net) * np.log10(np.maximum(np.abs(net) * 1e-6, 1.0))
        im = ax2.pcolormesh(state.mesh.x * 1e6, z_um, v, cmap="RdBu_r", shading="auto",
                            vmin=-21, vmax=21)
        ax2.invert_yaxis()
        ax2.set_xlabel("x (µm)")
        ax2.set_ylabel("depth (µm)")
        fig.colorbar(im, ax=ax2, label="sign · log10|net| (cm⁻³)")
    fig.tight_layout()
    return fig


def run_thermal(spec: ThermalSpec, ctx: RunContext, out_dir: Path | None = None) -> dict:
    """Run the thermal section; return metrics; write outputs to ``out_dir`` (or
    ``ctx.out_dir``; nothing when both are None)."""
    state = simulate(spec, ctx)
    metrics, cols = metrics_of(state)
    out = out_dir if out_dir is not None else ctx.out_dir
    if out is not None:
        write_outputs(Path(out), state, metrics, cols)
    return metrics
