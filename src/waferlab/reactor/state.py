"""Public entry point of the reactor scale: ``solve(spec) -> ReactorState``.

The global model (:mod:`.global_model`) gives densities and T_e; the sheath module
turns them into what the feature scale needs at the wafer (on an end wall): ion
fluxes h_L n_i u_B,i (the end wall's average: L&L's h_L over the axial profile average a_L,
times the volume-average n_i; :class:`.global_model.GlobalModel`), neutral fluxes n v̄/4, the
IEDF and IADF of the ions.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..constants import EV, K_B, N_A, PI
from ..errors import RecipeError, SimulationError
from .chemistry import Chemistry, chemistry_for_gases, load_chemistry
from .global_model import GlobalModel, Loss, SteadyState
from .kinetic_profile import _CYL_AVG, _CYL_T, _PLANE_AVG, _PLANE_T, _table_average  # noqa: F401
from .sheath import (Distribution, child_sheath_thickness, cos_exponent, dc_self_bias, iadf, iedf,
                     iedf_splitting, ion_transit_time, mean_sheath_voltage, plasma_potential,
                     rf_amplitude_from_power)
from .modes import EEDFModel, PressureControl, ReactorModel, SourceType
from .spec import ReactorSpec

__all__ = ["ReactorState", "solve", "build_model", "simulate", "resolve_chemistry",
           "profile_average"]


@dataclass(frozen=True, kw_only=True)
class ReactorState:
    """What the reactor hands the feature scale (SI; energies in eV as named).

    ``fluxes_to_wafer_m2s`` holds every species (ions: Bohm flux through the h-factor
    edge density; neutrals: n v̄/4).  ``iedf`` (x = energy in eV) and ``iadf`` (x = polar
    angle in rad from the wafer normal, density per radian, the convention of
    ``feature.flux.sources.AngularTable``) are normalised to 1.  ``ion_cos_exponent`` is
    the cosⁿθ source exponent with the same ⟨sin²θ⟩ as the IADF.  ``pressure_Pa`` is the
    gas pressure with the plasma on (the recipe's pressure is the one before ignition,
    which fixes the pumping speed); ``pressure_rise_Pa`` the difference, Δp of Kokkoris
    et al. (J. Phys. D 42, 055209, 2009).  ``sheath_collisionality``
    is s/λ_i: the IADF includes charge exchange in the sheath, the IEDF does not (its
    low-energy tail is missing when s/λ_i ≳ 1) — except in the 2D CCP with collisional sheaths,
    whose IEDF and IADF come from an ion Monte Carlo through the sheath (``reactor.iedf_mc``).
    """

    chemistry: str
    T_e_eV: float
    n_e_center_m3: float
    n_e_avg_m3: float
    densities_m3: dict[str, float]
    fluxes_to_wafer_m2s: dict[str, float]
    ion_species: tuple[str, ...]
    ion_flux_m2s: float
    iedf: Distribution
    iadf: Distribution
    ion_energy_mean_eV: float
    ion_cos_exponent: float
    V_plasma: float
    V_dc: float
    V_rf: float
    sheath_thickness_m: float
    sheath_collisionality: float
    ion_transit_time_s: float
    gas_temperature_K: float
    wafer_temperature_K: float
    pressure_Pa: float
    power_W: float
    pressure_rise_Pa: float = 0.0
    T_e_optical_eV: float | None = None
    element_balance: dict[str, float] = field(default_factory=dict)
    energy_balance: dict[str, float] = field(default_factory=dict)
    steady: SteadyState | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready summary (the ``reactor.json`` of the CLI)."""
        extra = {} if self.T_e_optical_eV is None else {"T_e_optical_eV": self.T_e_optical_eV}
        return {"chemistry": self.chemistry, "T_e_eV": self.T_e_eV, **extra,
                "n_e_center_m3": self.n_e_center_m3, "n_e_avg_m3": self.n_e_avg_m3,
                "densities_m3": dict(self.densities_m3),
                "fluxes_to_wafer_m2s": dict(self.fluxes_to_wafer_m2s),
                "ion_species": list(self.ion_species), "ion_flux_m2s": self.ion_flux_m2s,
                "ion_energy_mean_eV": self.ion_energy_mean_eV,
                "ion_cos_exponent": self.ion_cos_exponent, "V_plasma_V": self.V_plasma,
                "V_dc_V": self.V_dc, "V_rf_V": self.V_rf,
                "sheath_thickness_m": self.sheath_thickness_m,
                "sheath_collisionality": self.sheath_collisionality,
                "ion_transit_time_s": self.ion_transit_time_s,
                "gas_temperature_K": self.gas_temperature_K,
                "wafer_temperature_K": self.wafer_temperature_K, "pressure_Pa": self.pressure_Pa,
                "pressure_rise_Pa": self.pressure_rise_Pa,
                "power_W": self.power_W, "element_balance": dict(self.element_balance),
                "energy_balance": dict(self.energy_balance)}


def resolve_chemistry(spec: ReactorSpec) -> Chemistry:
    """The chemistry of a spec (named, a file, or chosen from the gases), restricted to
    what the fed gases can form; checks gas names and the pressure range."""
    chem = load_chemistry(spec.chemistry) if spec.chemistry else chemistry_for_gases(spec.gases)
    neutrals = [s.name for s in chem.species if s.charge == 0]
    bad = [g for g in spec.gases if g not in neutrals]
    if bad:
        raise RecipeError(f"reactor.gases: unknown gas {', '.join(bad)} for chemistry "
                          f"{chem.name!r}; known gases: {', '.join(chem.feed_gases)}")
    lo, hi = chem.pressure_range_Pa
    p = spec.pressure
    if p < lo / 10 or p > hi * 10:
        raise RecipeError(f"reactor.pressure = {p:g} Pa is far outside the validity range "
                          f"[{lo:g}, {hi:g}] Pa of chemistry {chem.name!r} (more than 10x)")
    if p < lo or p > hi:
        warnings.warn(f"reactor.pressure = {p:g} Pa is outside the validity range "
                      f"[{lo:g}, {hi:g}] Pa of chemistry {chem.name!r}", RuntimeWarning, stacklevel=3)
    for i, ld in enumerate(spec.loading):
        if ld.species not in neutrals:
            raise RecipeError(f"reactor.loading[{i}].species = {ld.species!r} is not a neutral of "
                              f"chemistry {chem.name!r}; known: {', '.join(neutrals)}")
    return chem.restricted_to({g for g, q in spec.gases.items() if q > 0})


def _wafer_radius(spec: ReactorSpec) -> float:
    return spec.chamber.wafer_radius if spec.chamber.wafer_radius is not None else spec.chamber.radius


def build_model(spec: ReactorSpec, chem: Chemistry | None = None, *, volume_average: bool = True) -> GlobalModel:
    """The compiled :class:`GlobalModel` of a spec (``volume_average=False``: L&L's balance with
    the centre density in the volume terms, to reproduce published models of that form)."""
    chem = chem or resolve_chemistry(spec)
    names = {s.name for s in chem.species}
    losses = []
    for i, ld in enumerate(spec.loading):
        if ld.area is not None:
            area = ld.area
        else:
            assert ld.open_area_fraction is not None   # the Loading validator: exactly one given
            area = ld.open_area_fraction * PI * _wafer_radius(spec) ** 2
        bad = set(ld.products) - names
        if bad:
            raise RecipeError(f"reactor.loading[{i}].products: unknown species {sorted(bad)}")
        if ld.species in names:
            losses.append(Loss(species=ld.species, area=area, probability=ld.probability,
                               products=dict(ld.products)))
    feeds = {g: q * N_A for g, q in spec.gases.items() if g in names}
    Vn = spec.chamber.neutral_volume
    extra = {}
    if Vn is not None:
        R = spec.chamber.radius
        extra = dict(neutral_volume=Vn, neutral_area=2 * PI * R ** 2 + 2 * Vn / R)
    try:
        return GlobalModel(chem, radius=spec.chamber.radius, length=spec.chamber.length,
                           T_gas=spec.gas_temperature, pressure=spec.pressure, feeds=feeds,
                           power=spec.source.power, losses=tuple(losses), volume_average=volume_average,
                           **extra)
    except ValueError as exc:
        raise RecipeError(f"reactor.chamber.neutral_volume: {exc}") from None


def profile_average(L_over_lambda: float, R_over_lambda: float) -> float:
    """⟨n⟩/n_0 of a cylindrical chamber (length L, radius R) from the exact kinetic profiles.

    ⟨n⟩/n_0 = a_plane(L/λ) · a_cyl(R/λ): the axial and radial averages of the exact
    low-pressure discharge (Tonks–Langmuir with constant-λ charge exchange, Riemann, J. Phys. D
    24, 493, 1991; :mod:`waferlab.validation.presheath`), tabulated in t = (1 + x)^-½ and
    interpolated linearly (within 0.3 % of the exact solution at every x, tests).  The product
    is the separation that the global model's h_L/h_R (L&L 2005, §10.2) already assumes; it is
    exact for a separable (diffusion) profile.  a_plane is 0.827–0.851 and a_cyl 0.699–0.716: the
    kinetic profiles are flat-topped (the cos(kz)·J0(βr) shape with the h-factors as edge ratios,
    used before session 16, gave 0.3–0.6 for the product and is the constant-mobility shape).
    """
    return (_table_average(L_over_lambda, _PLANE_T, _PLANE_AVG)
            * _table_average(R_over_lambda, _CYL_T, _CYL_AVG))


def _state(spec: ReactorSpec, model: GlobalModel, st: SteadyState) -> ReactorState:
    n, ne, Te = st.n[:, None], np.array([st.n_e]), np.array([st.T_e])
    tr = model.terms(n, ne, Te, st.theta[:, None])
    n_g, alpha = tr["n_g"], tr["alpha"]
    names = model.names
    fluxes: dict[str, float] = {}
    for i in model.neu:
        fluxes[names[i]] = float(0.25 * st.n[i] * model.vbar[i])
    ions = tuple(names[i] for i in model.pos)
    if model.pos.size:
        hL, hR = model.h_factors(n_g, alpha, Te)
        uB = model.bohm(Te)[:, 0]
        gam = hL[:, 0] * st.n[model.pos] * uB
        for k, i in enumerate(model.pos):
            fluxes[names[i]] = float(gam[k])
        w = gam / gam.sum()
        m_eff = float(w @ model.mass[model.pos])
        hL_e = float(w @ hL[:, 0])
        sig_i = float(w @ model.sigma[model.pos])
    else:
        gam, w, m_eff, hL_e, sig_i = np.zeros(0), np.zeros(0), 40 * 1.66e-27, 1.0, 1e-18
    for i in model.neg:
        fluxes[names[i]] = 0.0
    Gamma = float(gam.sum())
    # ⟨n_e⟩/n₀ from the electropositive kinetic profiles at the ions' flux-weighted 1/λ_i (as
    # before, the electronegative factor of the h-factors is not a profile shape: not applied)
    inv_lam = float(n_g[0]) * sig_i
    avg = profile_average(model.L * inv_lam, model.R * inv_lam)
    # the model's density variable: the volume average n̄ (default) or L&L's centre density n₀
    n_c, n_avg = (st.n_e / avg, st.n_e) if model.volume_average else (st.n_e, st.n_e * avg)
    # sheath at the wafer
    V_p = float(plasma_potential(st.T_e, m_eff))
    A_w = PI * _wafer_radius(spec) ** 2
    V_rf, f_rf = 0.0, 13.56e6
    if spec.bias is not None:
        f_rf = spec.bias.frequency
        if spec.bias.voltage is not None:
            V_rf = spec.bias.voltage
        else:
            try:
                V_rf = rf_amplitude_from_power(spec.bias.power, Gamma, A_w, st.T_e, m_eff)
            except ValueError:
                raise RecipeError(f"reactor.bias.power = {spec.bias.power:g} W needs an RF amplitude "
                                  f"above 10 MV for the ion current {Gamma * A_w * EV:.3g} A") from None
    V_bar = float(mean_sheath_voltage(V_rf, st.T_e, m_eff))
    V_dc = float(dc_self_bias(V_rf, st.T_e, m_eff))
    E_mean = 0.5 * st.T_e + V_bar
    n_s = hL_e * st.n_e * (1 + alpha[0])
    s = float(child_sheath_thickness(V_bar, n_s, st.T_e))
    tau = float(ion_transit_time(s, V_bar, m_eff))
    T_i = model.T_ion_eV
    spread = max(T_i, 1e-3)
    dEs = [float(iedf_splitting(V_rf, V_bar, s, model.mass[i], f_rf)) for i in model.pos] or [0.0]
    A = 0.5 * max(dEs)
    grid = np.linspace(max(E_mean - A - 6 * spread, 0.0), E_mean + A + 6 * spread, 801)
    pdf = np.zeros_like(grid)
    for wk, dE in zip(w if len(w) else [1.0], dEs):
        pdf += wk * iedf(E_mean, dE, spread_eV=spread, grid=grid).pdf
    E_dist = Distribution(x=grid, pdf=pdf / np.trapezoid(pdf, grid))
    mfp = 1.0 / (float(n_g[0]) * sig_i)
    A_dist = iadf(E_mean, T_i, s=s, mfp=mfp, T_gas_eV=model.T_gas * K_B / EV)
    Tw = spec.wafer_temperature if spec.wafer_temperature is not None else spec.gas_temperature
    return ReactorState(
        chemistry=model.chem.name, T_e_eV=st.T_e, n_e_center_m3=n_c, n_e_avg_m3=n_avg,
        densities_m3={nm: float(v) for nm, v in zip(names, st.n)} | {"e": st.n_e},
        fluxes_to_wafer_m2s=fluxes, ion_species=ions, ion_flux_m2s=Gamma, iedf=E_dist,
        iadf=A_dist, ion_energy_mean_eV=E_dist.mean(), ion_cos_exponent=cos_exponent(A_dist),
        V_plasma=V_p, V_dc=V_dc, V_rf=V_rf,
        sheath_thickness_m=s, sheath_collisionality=s / mfp, ion_transit_time_s=tau, gas_temperature_K=model.T_gas,
        wafer_temperature_K=Tw, pressure_Pa=float(n_g[0]) * K_B * model.T_gas,
        pressure_rise_Pa=float(n_g[0]) * K_B * model.T_gas - model.pressure,
        power_W=model.power, element_balance=model.element_balance(st),
        energy_balance=model.energy_balance(st), steady=st)


def solve(spec: ReactorSpec, *, chemistry: Chemistry | None = None,
          initial: "ReactorState | SteadyState | None" = None, seed: int = 0,
          volume_average: bool = True) -> ReactorState:
    """Steady state of the reactor described by ``spec`` (the plasma-etch step's call).

    ``chemistry`` overrides the spec's; ``initial`` (a previous state of the same
    chemistry, e.g. along a sweep or in the reactor <-> feature loading loop) starts
    Newton from there and skips the time integration when that converges.  ``seed``: the base
    seed of the random streams (the 2D CCP's ion Monte Carlo draws ``("reactor", "iedf", k)`` of
    it; a plasma_etch step passes its RunContext's seed).  ``volume_average=False``: the global
    model in L&L's form (:class:`GlobalModel`), for reproducing published models of that form.
    """
    if spec.model == ReactorModel.FLUID2D and chemistry is None:
        if spec.source.type == SourceType.CCP:               # the parallel-plate reactor
            from .fluid2d.ccp_output import reactor_state_ccp, solve_ccp, wafer_ions
            ccp = solve_ccp(spec)
            return reactor_state_ccp(ccp, wafer_ions(ccp, seed=seed))
        from .fluid2d.model import solve_fluid2d
        from .fluid2d.output import reactor_state

        return reactor_state(solve_fluid2d(spec))           # wafer averages of the 2D fields
    model = build_model(spec, chemistry, volume_average=volume_average)
    raw = initial.steady if isinstance(initial, ReactorState) else initial
    st = None
    if raw is not None and raw.names == model.names and len(raw.theta) == model.Ns:
        try:
            st = model.steady_state(model.state_vector(raw), t_end=0.0)
        except SimulationError:
            st = None
    if st is None:
        st = model.steady_state()
    if spec.pressure_control == PressureControl.THROTTLE:
        st = _throttle(model, st)
    if spec.eedf == EEDFModel.BOLTZMANN:
        if spec.pressure_control == "throttle":
            raise RecipeError("reactor.eedf = 'boltzmann' is not combined with pressure_control: "
                              "throttle; use fixed_pumping")
        from .eedf_global import solve_with_eedf
        res = solve_with_eedf(model, st)
        return replace(_state(spec, model, res.steady), T_e_optical_eV=res.T_optical_eV)
    return _state(spec, model, st)


def _plasma_pressure(model: GlobalModel, st: SteadyState) -> float:
    """Total gas pressure with the plasma on, n_g k T_g (Pa)."""
    tr = model.terms(st.n[:, None], np.array([st.n_e]), np.array([st.T_e]), st.theta[:, None])
    return float(tr["n_g"][0]) * K_B * model.T_gas


def _throttle(model: GlobalModel, st: SteadyState, *, rtol: float = 1e-9,
              max_iter: int = 60) -> SteadyState:
    """``pressure_control: throttle``: set the pumping rate k_p = S/V so that the gas
    pressure with the plasma on equals the set point, as a throttle valve does.

    p(k_p) falls as k_p rises (p ≈ (feed + dissociation) k T / (k_p V)); the update
    k_p ← k_p · p(k_p)/p_set is Newton's step for p ∝ 1/k_p, damped to a factor in
    [0.8, 1.25] and safeguarded by a bracket (bisection in log k_p when it leaves it); each
    steady state starts from the last.
    """
    p_set = model.pressure
    lo, hi = 0.0, np.inf
    for _ in range(max_iter):
        p = _plasma_pressure(model, st)
        if abs(p / p_set - 1.0) < rtol:
            return st
        k = model.k_pump
        if p > p_set:
            lo = k
        else:
            hi = k
        k_new = k * min(max(p / p_set, 0.8), 1.25)       # damped: Newton stays in reach
        if not lo < k_new < hi:
            k_new = np.sqrt(lo * hi) if np.isfinite(hi) and lo > 0 else k_new
        model.k_pump = float(k_new)
        x0 = model.state_vector(st)
        try:
            st = model.steady_state(x0, t_end=0.0)
        except SimulationError:
            st = model.steady_state(x0)
    raise SimulationError(f"pressure_control: throttle did not reach {p_set:g} Pa "
                          f"(last {p:g} Pa, pumping rate {model.k_pump:g} 1/s)")


def simulate(spec: ReactorSpec, t_end: float, *, n_out: int = 200,
             chemistry: Chemistry | None = None, power=None, start: ReactorState | None = None,
             t_eval: np.ndarray | None = None, max_step: float = np.inf) -> dict[str, np.ndarray]:
    """Time-dependent solution to ``t_end`` (s) from ignition (low n_e, feed gas only) or
    from the steady state ``start``; ``power(t)`` (W) drives e.g. a pulsed source
    (give ``max_step`` below the pulse length so no pulse is stepped over).

    Returns ``t`` (s), ``n_e`` (m⁻³; the model's density variable: the volume average, as
    ``n_e_avg_m3``), ``T_e_eV`` and ``densities`` (species × time).
    """
    model = build_model(spec, chemistry)
    t = (np.concatenate([[0.0], np.geomspace(1e-9 * t_end, t_end, n_out - 1)])
         if t_eval is None else np.asarray(t_eval, float))
    if start is not None and start.steady is not None and start.steady.names == model.names:
        x0 = model.state_vector(start.steady)
    else:
        x0 = model.initial_state(n_e=1e14)
    sol = model.integrate(x0, t_end, t_eval=t, power=power, max_step=max_step)
    return {"t": sol.t, "n_e": np.exp(sol.y[model.N]), "T_e_eV": np.exp(sol.y[model.N + 1]),
            "densities": np.exp(sol.y[: model.N]), "species": np.array(model.names)}
