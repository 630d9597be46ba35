"""Wafer map of a ``plasma_etch`` step: the feature-scale etch at several wafer radii.

Each radius r gets its own :class:`~waferlab.reactor.ReactorState` (SI), derived from the
step's self-consistent wafer-average state and a radial profile:

* ``reactor.model: fluid2d`` — the 2D model's wafer profiles (``wafer.csv``: ion flux,
  mean ion energy, neutral fluxes), linearly interpolated in r (held constant beyond the
  outermost cell centre) and normalised to their wafer (ring-area) average:
  Γ_i(r) = Γ̄_i · Γ_i,2D(r)/⟨Γ_i,2D⟩, Γ_n(r) = Γ̄_n · Γ_n,2D(r)/⟨Γ_n,2D⟩; the IEDF is the
  wafer average's shifted by E(r) − ⟨E⟩ (stretched instead where the shift would cut it at
  0 eV).  Species the 2D model does not resolve are
  uniform.
* ``reactor.model: global`` (0D) — the lowest diffusion eigenmode of a cylinder for the
  ion flux, Γ_i(r) = Γ̄_i J0(χ01 r/R) / ⟨J0(χ01 r/R)⟩_wafer with χ01 = 2.405, R the chamber
  radius and ⟨J0⟩_wafer = 2 J1(χ01 r_w/R)/(χ01 r_w/R) (Lieberman & Lichtenberg, *Principles
  of Plasma Discharges and Materials Processing*, 2nd ed., Wiley 2005, §5.2); neutral
  fluxes uniform (their loss on the walls is slow next to their diffusion across the
  chamber) and the IEDF/IADF the wafer average's (T_e is uniform in the global model).

The radii are independent tasks, run inline for one worker or on a Dask cluster
(:func:`waferlab.study.executor.dask_client`); radius k is seeded from the step's context
as ``("wafer_map", k)``, so the map does not depend on the number of workers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field, field_validator, model_validator

from ..errors import RecipeError
from ..recipe_io import SpecModel
from ..units import Length

__all__ = ["WaferMapSpec", "RadialProfile", "global_profile", "fluid_profile", "local_state",
           "map_radii", "run_wafer_map", "write_wafer_map", "plot_wafer_map", "nonuniformity",
           "reactor_profile", "demo_wafer_map_recipe", "CHI01", "METRICS"]

CHI01 = 2.404825557695773            # first zero of J0
#: per-radius metrics of wafer_map.csv (names of waferlab.feature.metrics.run_metrics)
METRICS = ("etch_depth_m", "cd_top_m", "cd_middle_m", "cd_bottom_m", "sidewall_angle_deg")


class WaferMapSpec(SpecModel):
    """``wafer_map:`` of a plasma_etch step: ``radii`` (lengths from the wafer centre) or
    ``count`` (radii evenly spread from the centre to the wafer edge); ``workers``: Dask
    worker processes (1: inline)."""

    radii: list[Length] | None = None
    count: int | None = Field(default=None, ge=1, le=1000)
    workers: int = Field(default=1, ge=1, le=256)

    @field_validator("radii")
    @classmethod
    def _non_negative(cls, v):
        if v is not None:
            if not v:
                raise ValueError("give at least one radius")
            bad = [x for x in v if not x >= 0]
            if bad:
                raise ValueError(f"radius {bad[0]!r} m is negative; radii run from 0 (the "
                                 "wafer centre) to the wafer radius")
        return v

    @model_validator(mode="after")
    def _one_of(self):
        if (self.radii is None) == (self.count is None):
            raise ValueError("give either radii: [...] or count: N")
        return self


def map_radii(spec: WaferMapSpec, wafer_radius: float, path: str = "wafer_map") -> np.ndarray:
    """The radii (m) of the map; a radius beyond the wafer is a RecipeError."""
    if spec.count is not None:
        return np.linspace(0.0, wafer_radius, spec.count) if spec.count > 1 else np.zeros(1)
    r = np.asarray(spec.radii, dtype=float)
    for k, x in enumerate(r):
        if x > wafer_radius * (1 + 1e-12):
            raise RecipeError(f"radius {x * 1e3:g} mm is beyond the wafer edge; allowed: 0 to "
                              f"the wafer radius {wafer_radius * 1e3:g} mm",
                              path=f"{path}.radii[{k}]", value=x)
    return r


@dataclass(frozen=True)
class RadialProfile:
    """Flux ratios to the wafer average at sample radii ``r_m`` (interpolated in between)."""

    r_m: np.ndarray
    ion: np.ndarray                          # Γ_i(r)/⟨Γ_i⟩
    energy_shift_eV: np.ndarray              # E(r) − ⟨E⟩
    neutrals: dict[str, np.ndarray]          # Γ_n(r)/⟨Γ_n⟩ of the resolved species
    source: str

    def at(self, r: float) -> tuple[float, float, dict[str, float]]:
        f = lambda a: float(np.interp(r, self.r_m, a))   # noqa: E731
        return f(self.ion), f(self.energy_shift_eV), {k: f(v) for k, v in self.neutrals.items()}


def global_profile(chamber_radius: float, wafer_radius: float) -> RadialProfile:
    """J0(χ01 r/R) ion flux normalised to its wafer average; neutrals uniform (0D reactor)."""
    from scipy.special import j0, j1

    r = np.linspace(0.0, wafer_radius, 401)
    x_w = CHI01 * wafer_radius / chamber_radius
    avg = 2 * j1(x_w) / x_w if x_w > 0 else 1.0
    return RadialProfile(r_m=r, ion=j0(CHI01 * r / chamber_radius) / avg,
                         energy_shift_eV=np.zeros_like(r), neutrals={},
                         source="global: J0(2.405 r/R) ion flux (Lieberman & Lichtenberg 2005 "
                                "§5.2), uniform neutrals")


def fluid_profile(wafer: dict[str, np.ndarray], ring_area: np.ndarray) -> RadialProfile:
    """The profile of the 2D model's wafer columns (``fluid2d.output.wafer_profile``),
    normalised to their ring-area-weighted averages."""
    w = np.asarray(ring_area, float)
    avg = lambda a: float((a * w).sum() / w.sum())   # noqa: E731
    G, E = np.asarray(wafer["ion_flux_m2s"]), np.asarray(wafer["ion_energy_mean_eV"])
    neu = {k[: -len("_flux_m2s")]: np.asarray(v) / avg(np.asarray(v)) for k, v in wafer.items()
           if k.endswith("_flux_m2s") and k != "ion_flux_m2s" and avg(np.asarray(v)) > 0}
    return RadialProfile(r_m=np.asarray(wafer["r_m"], float), ion=G / avg(G),
                         energy_shift_eV=E - avg(E), neutrals=neu, source="fluid2d wafer profile")


def _shifted(dist, dE: float):
    """A distribution moved by dE (eV), cut at 0 and renormalised — or, where moving it would cut
    it (a broad IEDF that reaches 0 eV, the 2D CCP's collisional sheath), stretched by
    (⟨E⟩ + dE)/⟨E⟩, which keeps its shape and gives the mean ⟨E⟩ + dE."""
    from ..reactor.sheath import Distribution

    if dE == 0.0:
        return dist
    x = np.asarray(dist.x) + dE
    if x[0] < 0.0 <= float(dist.x[0]):
        f = (dist.mean() + dE) / dist.mean()
        xs = np.asarray(dist.x) * f
        return Distribution(x=xs, pdf=np.asarray(dist.pdf) / f)
    keep = x >= 0
    x, p = x[keep], np.asarray(dist.pdf)[keep]
    return Distribution(x=x, pdf=p / np.trapezoid(p, x))


def local_state(state, profile: RadialProfile, r: float):
    """The wafer-average ReactorState ``state`` at radius ``r`` (m) of ``profile``."""
    ion, dE, neu = profile.at(r)
    ions = set(state.ion_species)
    fl = {k: v * (ion if k in ions else neu.get(k, 1.0))
          for k, v in state.fluxes_to_wafer_m2s.items()}
    E = _shifted(state.iedf, dE)
    return replace(state, fluxes_to_wafer_m2s=fl, ion_flux_m2s=state.ion_flux_m2s * ion,
                   iedf=E, ion_energy_mean_eV=E.mean(), steady=None)


def reactor_profile(reactor_spec, *, seed: int = 0) -> RadialProfile:
    """The radial profile of a ReactorSpec (solves the 2D model when it is fluid2d); ``seed``: the
    base seed of the 2D CCP's ion Monte Carlo (the step's RunContext seed)."""
    from ..reactor.modes import ReactorModel, SourceType

    ch = reactor_spec.chamber
    r_w = ch.wafer_radius if ch.wafer_radius is not None else ch.radius
    if reactor_spec.model == ReactorModel.FLUID2D and reactor_spec.source.type == SourceType.CCP:
        from ..reactor.fluid2d.ccp_output import ccp_wafer
        return fluid_profile(*ccp_wafer(reactor_spec, seed=seed))
    if reactor_spec.model == ReactorModel.FLUID2D:
        from ..reactor.fluid2d.model import solve_fluid2d
        from ..reactor.fluid2d.output import WaferRows, wafer_profile

        res = solve_fluid2d(reactor_spec)
        return fluid_profile(wafer_profile(res), WaferRows.of(res).weights)
    return global_profile(ch.radius, r_w)


def _radius_task(spec, geometry, time: float, scheme: str, cfl: float, seed: int,
                 threads: int | None, symmetry: str) -> dict[str, Any]:
    """Feature-scale etch of one radius: metrics and the final profile (module-level: Dask)."""
    from ..context import RunContext
    from ..feature.advect import advance
    from ..feature.builders import unfold
    from ..feature.metrics import profile_polylines, run_metrics

    ctx = RunContext(seed=seed, threads=threads)
    model = spec.build(kind="etch", materials=tuple(geometry.materials), target=None)
    final, _ = advance(geometry, model, time, ctx, kind="etch", scheme=scheme, cfl=cfl)
    g0, g = unfold(geometry, symmetry), unfold(final, symmetry)
    m = run_metrics(g0, g)
    out = {k: m.get(k) for k in METRICS}
    out["profile"] = [p.tolist() for p in profile_polylines(g)]
    out["initial"] = [p.tolist() for p in profile_polylines(g0)]
    return out


def run_wafer_map(step, coupling, geometry, ctx, radii: np.ndarray,
                  profile: RadialProfile) -> dict[str, Any]:
    """Run the feature scale at each radius (inline or on Dask); JSON-ready results."""
    from .plasma_etch import _model_with_fluxes

    cls = type(step.model)
    pas_key = "oxygen_flux" if "oxygen_flux" in cls.model_fields else "passivant_flux"
    calls, rows = [], []
    for k, r in enumerate(radii):
        st = local_state(coupling.state, profile, float(r))
        f = st.fluxes_to_wafer_m2s
        fl = {"ion": st.ion_flux_m2s, "etchant": f[step.species.etchant],
              "passivant": f.get(step.species.passivant, 0.0) if step.species.passivant else 0.0}
        spec = _model_with_fluxes(cls, step.raw_model, st, fl, pas_key)
        seed = int(ctx.seed_sequence("wafer_map", k).generate_state(1)[0] >> 1)
        calls.append((spec, geometry, step.time, step.numerics.scheme, step.numerics.cfl, seed,
                      ctx.threads, step.symmetry))
        rows.append({"radius_m": float(r), "ion_flux_m2s": fl["ion"],
                     "etchant_flux_m2s": fl["etchant"], "passivant_flux_m2s": fl["passivant"],
                     "ion_energy_mean_eV": st.ion_energy_mean_eV})
    workers = min(step.wafer_map.workers, len(calls))
    if workers <= 1:
        results = [_radius_task(*c) for c in calls]
    else:
        from ..study.executor import dask_client

        with dask_client(workers=workers, threads=ctx.threads or 1) as client:
            futs = [client.submit(_radius_task, *c, key=f"wafer-map-{k}", pure=False)
                    for k, c in enumerate(calls)]
            results = client.gather(futs)
    for row, res in zip(rows, results):
        row.update(res)
        ctx.log(f"wafer map r = {row['radius_m'] * 1e3:g} mm: depth "
                f"{(row['etch_depth_m'] or 0) * 1e9:.1f} nm, Γ_i {row['ion_flux_m2s']:.3g} m^-2 s^-1")
    return {"source": profile.source, "species": step.species.etchant, "radii": rows}


def _fmt(x) -> float:
    return float("nan") if x is None else float(x)


def write_wafer_map(out: Path, wafer) -> None:
    """wafer_map.csv and wafer_map.png of the last plasma step with a wafer map (if any)."""
    data = dict(wafer.fields).get("wafer_map")
    if data is None:
        return
    from ..io.atomic import write_csv

    rows = data["radii"]
    cols = ("radius_m",) + METRICS + ("ion_flux_m2s", "etchant_flux_m2s", "passivant_flux_m2s",
                                      "ion_energy_mean_eV")
    write_csv(Path(out) / "wafer_map.csv", {c: np.array([_fmt(r[c]) for r in rows]) for c in cols})
    plot_wafer_map(Path(out) / "wafer_map.png", data)


def plot_wafer_map(path: Path, data: dict) -> None:
    """Profiles side by side (one panel per radius) and depth/CD against radius."""
    from ..io.plots import figure as _figure

    from ..io.atomic import atomic_path

    rows = data["radii"]
    n = len(rows)
    fig = _figure(figsize=(3.0 * n + 4.5, 4.2), layout="constrained")
    gs = fig.add_gridspec(1, n + 2)
    ax0 = None
    for k, row in enumerate(rows):
        ax = fig.add_subplot(gs[0, k], sharey=ax0, sharex=ax0)
        ax0 = ax0 or ax
        for p in row["initial"]:
            p = np.asarray(p)
            ax.plot(p[:, 0] * 1e9, p[:, 1] * 1e9, color="0.6", lw=0.8, ls="--")
        for p in row["profile"]:
            p = np.asarray(p)
            ax.plot(p[:, 0] * 1e9, p[:, 1] * 1e9, color="C0", lw=1.4)
        ax.set_aspect("equal")
        ax.set_title(f"r = {row['radius_m'] * 1e3:g} mm", fontsize=9)
        ax.set_xlabel("x (nm)")
        if k == 0:
            ax.set_ylabel("height (nm)")
    r = np.array([x["radius_m"] for x in rows]) * 1e3
    axd = fig.add_subplot(gs[0, n:])
    axd.plot(r, [_fmt(x["etch_depth_m"]) * 1e9 for x in rows], "o-", label="etch depth")
    for c, ls in (("cd_top_m", "s--"), ("cd_middle_m", "^--"), ("cd_bottom_m", "v--")):
        axd.plot(r, [_fmt(x[c]) * 1e9 for x in rows], ls, label=c[:-2].replace("_", " "))
    axd.set_xlabel("wafer radius (mm)")
    axd.set_ylabel("nm")
    axd.grid(alpha=0.3)
    ax2 = axd.twinx()
    G = np.array([x["ion_flux_m2s"] for x in rows])
    F = np.array([x["etchant_flux_m2s"] for x in rows])
    ax2.plot(r, G / G[0] if G[0] > 0 else G, "k:", lw=1, label="ion flux / centre")
    ax2.plot(r, F / F[0] if F[0] > 0 else F, "r:", lw=1, label=f"{data['species']} flux / centre")
    ax2.set_ylabel("flux relative to the centre")
    h1, l1 = axd.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    axd.legend(h1 + h2, l1 + l2, fontsize=7, loc="center left")
    fig.suptitle(f"wafer map ({data['source']})", fontsize=9)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")


def nonuniformity(values) -> float:
    """(max − min)/(max + min) of the finite values (NaN if none)."""
    v = np.array([_fmt(x) for x in values])
    v = v[np.isfinite(v)]
    return float((v.max() - v.min()) / (v.max() + v.min())) if v.size and v.max() + v.min() else math.nan


#: the centre/mid/edge settings of ``waferlab demo --wafer-map`` (coarser than the demo)
DEMO_MAP = {"radii": ["0 mm", "50 mm", "95 mm"]}
DEMO_COARSE = {"spacing": "25 nm", "rays_per_point": 100}


def demo_wafer_map_recipe(recipe):
    """The built-in demo with a centre/mid/edge wafer map on its plasma_etch step (a
    25 nm grid and 100 rays per point so that four feature runs take about one demo's time)."""
    from ..recipe import recipe_from_dict

    data = recipe.resolved()
    data["name"] = f"{data['name']}-wafer-map"
    data["grid"]["spacing"] = DEMO_COARSE["spacing"]
    for step in data["steps"]:
        if "plasma_etch" in step:
            step["plasma_etch"]["rays_per_point"] = DEMO_COARSE["rays_per_point"]
            step["plasma_etch"]["wafer_map"] = dict(DEMO_MAP)
    return recipe_from_dict(data)
