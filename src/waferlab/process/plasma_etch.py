"""PlasmaEtch: recipe knobs → reactor → fluxes and ion distributions → feature-scale etch.

The step solves the reactor's global model (``waferlab.reactor.solve``) for the wafer
fluxes, the IEDF and the ion angular spread, fills them into a flux-based etch model
(``sf6o2``, ``ion_enhanced``) and drives the level-set engine with it.

Loading (the seed's global → local → global loop): the wafer's open area consumes
etchant with the effective reaction probability the surface model predicts on an open
flat surface, γ_eff = (n_c R_chem + n_ie R_ie)/Γ_E (R: removal fluxes, n: etchant atoms
per atom removed).  That sink enters the reactor's radical balance as a surface of
``open_area_fraction`` × wafer area with probability γ_eff; reactor and surface are
iterated to self-consistency (secant iteration on γ_eff, relative tolerance 1e-4).
Loading effect: Mogab, J. Electrochem. Soc. 124, 1262 (1977).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Literal

import numpy as np
from pydantic import Field

from ..errors import RecipeError, SimulationError
from ..recipe_io import SpecModel, validate_section
from ..units import SI, Time
from ..feature.registry import EtchTargets
from .registry import register_step
from .steps import Numerics, _build, _model_spec, _split
from .wafer_map import WaferMapSpec, map_radii, reactor_profile, run_wafer_map

__all__ = ["PlasmaEtch", "SpeciesMap", "LoadingSpec", "couple_reactor"]

_FLUX_FIELDS = ("ion_flux", "etchant_flux", "oxygen_flux", "passivant_flux", "iedf",
                "ion_exponent", "ion_energy", "ion_energy_sigma")


class SpeciesMap(SpecModel):
    """Which reactor species feed the model: etchant (F, Cl, ...) and passivant (O, ...)."""

    etchant: str = "F"
    passivant: str | None = "O"


class LoadingSpec(SpecModel):
    """Open (etched) area fraction of the wafer; ``auto``: the exposed etched-material
    fraction of the simulated structure's top view."""

    open_area_fraction: float | Literal["auto"] = "auto"
    max_iterations: int = Field(default=50, ge=1, le=500)


class _Fields(Numerics):
    time: Time = Field(gt=0)
    reactor: dict[str, Any]
    species: SpeciesMap = SpeciesMap()
    loading: LoadingSpec | None = None
    wafer_map: WaferMapSpec | None = None


@dataclass(frozen=True)
class Coupling:
    """The reactor result as the feature scale uses it, and the loading iteration."""

    state: Any                       # waferlab.reactor.ReactorState (self-consistent)
    etchant_flux: float              # m⁻²s⁻¹
    passivant_flux: float
    ion_flux: float
    gamma_eff: float                 # etchant loss probability on the open area
    open_area_fraction: float
    iterations: int
    etchant_flux_unloaded: float     # without the wafer sink
    flat_rate: float                 # flat-surface etch rate (m/s) at the coupled fluxes
    flat_rate_unloaded: float

    def summary(self) -> dict[str, Any]:
        s = self.state.to_json()
        iedf = self.state.iedf                  # the report's IEDF picture (reactor.json)
        s["iedf"] = {"energies_eV": [float(x) for x in iedf.x],
                     "pdf": [float(p) for p in iedf.pdf]}
        s["loading"] = {"open_area_fraction": self.open_area_fraction,
                        "gamma_eff": self.gamma_eff, "iterations": self.iterations,
                        "etchant_flux_m2s": self.etchant_flux,
                        "etchant_flux_unloaded_m2s": self.etchant_flux_unloaded,
                        "flat_etch_rate_m_s": self.flat_rate,
                        "flat_etch_rate_unloaded_m_s": self.flat_rate_unloaded,
                        "etchant_flux_drop": 1 - self.etchant_flux / self.etchant_flux_unloaded
                        if self.etchant_flux_unloaded > 0 else 0.0}
        return s


def _model_with_fluxes(spec_cls, base: dict, state, fluxes: dict[str, float], passivant_key: str):
    """The model spec with the reactor's fluxes and ion distributions filled in."""
    data = dict(base)
    data["ion_flux"] = SI(fluxes["ion"])                      # SI floats, not unit strings
    data["etchant_flux"] = SI(fluxes["etchant"])
    if passivant_key in spec_cls.model_fields:
        data[passivant_key] = SI(fluxes["passivant"])
    iedf = state.iedf
    data["iedf"] = {"energies_eV": [float(x) for x in iedf.x], "pdf": [float(p) for p in iedf.pdf]}
    data["ion_exponent"] = float(state.ion_cos_exponent)
    return spec_cls.model_validate(data)


def _flat(model) -> tuple[float, float]:
    """(etch rate m/s, etchant loss probability) of an IonEnhancedEtch (physics) on a flat surface."""
    from ..atomic.ion_enhanced import flat_surface_rates

    kin = model.kinetics
    r = flat_surface_rates(kin, model.beam, ion_flux=model.ion_flux,
                           etchant_flux=model.etchant_flux, passivant_flux=model.passivant_flux)
    loss = kin.chemical_stoichiometry * float(r.chemical) + kin.ie_stoichiometry * float(r.ion_enhanced)
    gamma = loss / model.etchant_flux if model.etchant_flux > 0 else 0.0
    return float(r.etch_rate), float(min(max(gamma, 0.0), 1.0))


def couple_reactor(reactor_spec, spec_cls, base: dict, species: SpeciesMap, materials,
                   open_area: float | None, *, max_iterations: int = 50, rtol: float = 1e-4,
                   log: Callable[[str], None] = lambda s: None, seed: int = 0) -> tuple[Coupling, Any]:
    """Solve reactor ↔ surface to self-consistency; returns (coupling, model spec).  ``seed``: the
    base seed of the reactor's random streams (the 2D CCP's ion Monte Carlo), the step's RunContext seed."""
    from ..reactor import solve
    from ..reactor.spec import Loading

    passivant_key = "oxygen_flux" if "oxygen_flux" in spec_cls.model_fields else "passivant_flux"

    def fluxes_of(state) -> dict[str, float]:
        f = state.fluxes_to_wafer_m2s
        if species.etchant not in f:
            raise RecipeError(f"the reactor has no species {species.etchant!r}; it has "
                              f"{', '.join(sorted(f))}", path="species.etchant")
        pas = 0.0
        if species.passivant is not None:
            if species.passivant not in f:
                raise RecipeError(f"the reactor has no species {species.passivant!r}; it has "
                                  f"{', '.join(sorted(f))}", path="species.passivant")
            pas = f[species.passivant]
        return {"ion": state.ion_flux_m2s, "etchant": f[species.etchant], "passivant": pas}

    def surface(state):
        fl = fluxes_of(state)
        spec = _model_with_fluxes(spec_cls, base, state, fl, passivant_key)
        model = spec.build(kind="etch", materials=materials, target=None).model
        rate, gamma = _flat(model)
        return fl, spec, rate, gamma

    state0 = solve(reactor_spec, seed=seed)
    fl0, spec, rate0, gamma = surface(state0)
    state, fl, rate, it = state0, fl0, rate0, 0
    if open_area:
        base_loading = list(reactor_spec.loading)
        prev = state0

        def G(g: float):
            """γ_eff predicted by the surface at the reactor solved with sink γ = g."""
            nonlocal prev
            sink = Loading(species=species.etchant, probability=min(max(g, 1e-12), 1.0),
                           open_area_fraction=open_area)
            st = solve(reactor_spec.model_copy(update={"loading": base_loading + [sink]}),
                       initial=prev, seed=seed)
            prev = st
            return st, surface(st)

        # secant iteration on r(γ) = G(γ) − γ (the plain fixed point converges slowly)
        g0 = gamma
        state, (fl, spec, rate, G0) = G(g0)
        g1 = G0
        r0 = G0 - g0
        for it in range(2, max_iterations + 1):
            state, (fl, spec, rate, G1) = G(g1)
            r1 = G1 - g1
            log(f"loading iteration {it}: Γ_E = {fl['etchant']:.4g} m^-2 s^-1, γ_eff = {G1:.5g}")
            if abs(r1) <= rtol * max(abs(G1), 1e-300):
                gamma = G1
                break
            g_next = g1 - r1 * (g1 - g0) / (r1 - r0) if r1 != r0 else G1
            g0, r0, g1 = g1, r1, min(max(g_next, 0.0), 1.0)
        else:
            raise SimulationError(f"reactor-feature loading iteration did not converge in "
                                  f"{max_iterations} iterations (residual {r1:.2e})")
    c = Coupling(state=state, etchant_flux=fl["etchant"], passivant_flux=fl["passivant"],
                 ion_flux=fl["ion"], gamma_eff=gamma, open_area_fraction=open_area or 0.0,
                 iterations=it, etchant_flux_unloaded=fl0["etchant"], flat_rate=rate,
                 flat_rate_unloaded=rate0)
    return c, spec


def open_area_auto(geometry, etched: tuple[str, ...]) -> float:
    """Fraction of the top view where an etched material is exposed (2D: of the x extent)."""
    from ..feature.extract import extract_surface

    s = extract_surface(geometry)
    names = np.asarray(s.material_names, dtype=object)[s.materials]
    up = s.normals[:, -1] > 0.5
    if not up.any():
        return 0.0
    area = s.areas * s.normals[:, -1]
    is_etched = np.isin(names, list(etched)) & up
    return float(area[is_etched].sum() / area[up].sum())


@dataclass(frozen=True)
class PlasmaEtch:
    """An etch step whose fluxes come from the reactor (see module docstring)."""

    time: float
    model: Any                      # the model spec validated with placeholder fluxes
    reactor: Any                    # ReactorSpec
    species: SpeciesMap
    loading: LoadingSpec | None
    numerics: Numerics
    raw_model: dict
    wafer_map: WaferMapSpec | None = None
    symmetry: str = "full"          # of the recipe's feature (the wafer map unfolds it)
    kind: str = "etch"
    material: None = None

    def materials_after(self, materials: tuple[str, ...]) -> tuple[str, ...]:
        return materials

    def describe(self) -> str:
        return f"plasma etch ({self.model.model}, {self.time:g} s)"

    def to_dict(self) -> dict[str, Any]:
        body = dict(self.raw_model)
        body["time"] = f"{self.time!r} s"
        body["reactor"] = self.reactor.model_dump(mode="json", exclude_none=True)
        body["species"] = self.species.model_dump(mode="json")
        if self.loading is not None:
            body["loading"] = self.loading.model_dump(mode="json")
        if self.wafer_map is not None:
            body["wafer_map"] = self.wafer_map.model_dump(mode="json", exclude_none=True)
        body.update(self.numerics.model_dump(mode="json"))
        return {"plasma_etch": body}

    def couple(self, geometry, log: Callable[[str], None] = lambda s: None, seed: int = 0):
        """Self-consistent reactor ↔ surface solution for this wafer; ``seed``: the base seed of
        the reactor's random streams (``apply`` passes its RunContext's seed)."""
        etched = tuple(self.model.etched or ()) if isinstance(self.model, EtchTargets) else ("Si",)
        f: float | None = None
        if self.loading is not None:
            oaf = self.loading.open_area_fraction
            f = open_area_auto(geometry, etched) if oaf == "auto" else float(oaf)
        return couple_reactor(self.reactor, type(self.model), self.raw_model, self.species,
                              tuple(geometry.materials), f,
                              max_iterations=self.loading.max_iterations if self.loading else 1,
                              log=log, seed=seed)

    def velocity_model(self, materials: tuple[str, ...]):
        """The model with placeholder fluxes (its species and sticking; no reactor solve)."""
        return self.model.build(kind="etch", materials=materials, target=None)

    def apply(self, wafer, ctx, *, start=None, on_step=None):
        from ..feature.advect import advance

        geometry, done, carry = (wafer.geometry, 0.0, None) if start is None else (*start, None)[:3]
        coupling, spec = self.couple(wafer.geometry, log=ctx.log, seed=int(ctx.seed))
        fields = [("reactor", coupling.summary())]
        if self.wafer_map is not None and start is None:      # the map starts from the step's start
            ch = self.reactor.chamber
            radii = map_radii(self.wafer_map, ch.wafer_radius or ch.radius)
            fields.append(("wafer_map", run_wafer_map(self, coupling, geometry, ctx, radii,
                                                      reactor_profile(self.reactor, seed=int(ctx.seed)))))
        elif self.wafer_map is not None:
            ctx.log("wafer map skipped: the step was resumed from a mid-step checkpoint")
        model = spec.build(kind="etch", materials=tuple(geometry.materials), target=None)
        wafer = replace(wafer, geometry=None)   # the input's volume: only `geometry` holds it
        if self.time - done > 0:
            # advance gets the only reference this frame holds (a caller that handed its
            # wafer over lets the engine free the input once copied, #18)
            handed = [geometry]
            del geometry, start
            geometry, _ = advance(handed.pop(), model, self.time - done, ctx, kind="etch",
                                  scheme=self.numerics.scheme, cfl=self.numerics.cfl, t0=done,
                                  on_step=on_step, carry0=carry)
        return wafer.evolve(geometry=geometry, dt=self.time, note=self.describe(),
                            fields=tuple(fields))


@register_step("plasma_etch")
def _parse(body: dict, path: str, spec, materials: tuple[str, ...]) -> PlasmaEtch:
    from ..reactor.spec import ReactorSpec

    own, model_data = _split(body, set(_Fields.model_fields))
    fields = validate_section(_Fields, own, path)
    given = sorted(k for k in model_data if k in _FLUX_FIELDS)
    if given:
        raise RecipeError(f"{', '.join(given)} come from the reactor in a plasma_etch step; "
                          "give explicit fluxes in an etch step instead", path=f"{path}.{given[0]}")
    reactor = validate_section(ReactorSpec, fields.reactor, f"{path}.reactor")
    from ..feature.registry import get_model_spec

    name = model_data.get("model")
    if name is not None and "etchant_flux" not in get_model_spec(name, path=f"{path}.model").model_fields:
        raise RecipeError(f"model {name!r} takes no fluxes; plasma_etch needs a flux-based "
                          "etch model (sf6o2, ion_enhanced)", path=f"{path}.model", value=name)
    if fields.wafer_map is not None:
        ch = reactor.chamber
        map_radii(fields.wafer_map, ch.wafer_radius or ch.radius, f"{path}.wafer_map")
    placeholders = {"ion_flux": "0 m^-2 s^-1", "etchant_flux": "0 m^-2 s^-1"}
    model = _model_spec({**placeholders, **model_data}, path)
    _build(model, path, kind="etch", materials=materials, target=None)
    return PlasmaEtch(time=fields.time, model=model, reactor=reactor, species=fields.species,
                      loading=fields.loading, raw_model=model_data,
                      numerics=Numerics(scheme=fields.scheme, cfl=fields.cfl),
                      wafer_map=fields.wafer_map,
                      symmetry=spec.structure.feature.symmetry
                      if spec.structure is not None and spec.structure.feature is not None
                      else "full")
