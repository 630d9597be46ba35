"""What the 2D CCP hands on: the wafer profile (wafer.csv), a wafer-averaged
:class:`ReactorState` (IEDF and IADF of the powered electrode's sheath), fields.nc,
reactor.png and reactor.json of ``waferlab reactor``.

At the wafer (radius r, columns above the powered electrode): ion flux Γ = u_B n_s at the
sheath edge; neutral flux n v̄/4.  Collisionless sheaths: mean ion energy T_e/2 + V̄(V₁(r), T_e(r))
with V̄ the sheath model's :func:`..sheath.mean_sheath_voltage` of the column's RF sheath amplitude
V₁(r); the IEDF of the wafer-averaged sheath (:func:`..sheath.iedf`, splitting
:func:`..sheath.iedf_splitting` with the DC Child-law thickness s_m/√(50/27)) and the IADF of
:func:`..sheath.iadf`.  Collisional sheaths (the CCP's collisional law): the mean ion energy,
IEDF and IADF of the ion Monte Carlo through each column's sheath (:mod:`.ccp_iedf`).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ...constants import EV, K_B, PI
from ...io.atomic import atomic_path, write_csv, write_json
from ..sheath import Distribution, cos_exponent, iadf, iedf, iedf_splitting, ion_transit_time
from ..spec import ReactorSpec
from ..state import ReactorState
from .ccp import CCPResult, energy_channels, solve_ccp
from .ccp_iedf import N_IONS, CCPIons, ccp_ions
from .ccp_sheath import SM_OVER_CHILD, SM_OVER_DC_COLLISIONAL
from .output import WaferRows

__all__ = ["wafer_profile_ccp", "reactor_state_ccp", "ccp_wafer", "write_fields_ccp", "plot_ccp", "run_ccp",
           "wafer_ions", "wafer_rows"]

_NOT_GIVEN = object()


def wafer_rows(res: CCPResult) -> WaferRows:
    """The rows of wafer.csv (:class:`.output.WaferRows`): the columns whose centre is on the wafer
    (radius ``chamber.wafer_radius``, default the powered electrode's), then one row at r_w,
    interpolated towards the next column only where that column is on the electrode (r_i < R_e;
    otherwise the last column's value).  Before session 17 the rows were the columns with
    r_{i−½} < r_w, which took in a column wholly past the wafer (and past the electrode when
    r_w = R_e) wherever a face sat on r_w to rounding."""
    spec, setup = res.setup.spec, res.setup
    r_w = spec.chamber.wafer_radius if spec.chamber.wafer_radius is not None else setup.electrode_radius
    return WaferRows(setup.mesh.r_faces, r_w, r_field=setup.electrode_radius)


def wafer_ions(res: CCPResult, *, seed: int = 0, n_ions: int = N_IONS) -> CCPIons | None:
    """The ion Monte Carlo of the columns the wafer rows read (:func:`.ccp_iedf.ccp_ions`,
    ``n_ions`` per column; :attr:`.output.WaferRows.columns`), each weighted by its share of the
    wafer's ion current (:meth:`.output.WaferRows.column_weights`); None where the sheaths are
    collisionless."""
    rows = wafer_rows(res)
    return ccp_ions(res, rows.columns, seed=seed, n_ions=n_ions,
                    weights=rows.column_weights(rows(res.ion_flux_wafer)))


def _per_column(res: CCPResult, rows: WaferRows, values: np.ndarray) -> np.ndarray:
    """Values of the traced columns (``rows.columns``) spread onto all columns (nan elsewhere)."""
    out = np.full(res.setup.mesh.nr, np.nan)
    out[rows.columns] = values
    return out


def _ions(res: CCPResult, ions) -> CCPIons | None:
    return wafer_ions(res) if ions is _NOT_GIVEN else ions


def wafer_profile_ccp(res: CCPResult, ions=_NOT_GIVEN) -> dict[str, np.ndarray]:
    """Columns of wafer.csv: r_m, ion_flux_m2s, ion_energy_mean_eV (collisional sheaths: the ion
    Monte Carlo's mean, ``ions`` from :func:`wafer_ions`, computed when not given), <neutral>_flux_m2s,
    and the powered sheath: sheath_rf_voltage_V (V₁), sheath_mean_voltage_V (V̄), sheath_width_m
    (s_m), rf_current_A_m2 (J₁), sheath_energy_eV (T_e/2 + V̄, the collisionless ion energy) and
    sheath_collisionality (s_m/λ_i)."""
    ions = _ions(res, ions)
    w, h = wafer_rows(res), res.heating
    gm = res.setup.global_model
    m_n = gm.mass[gm.neu[0]]
    Tg = res.T_gas[:, 0]
    flux_n = 0.25 * res.n_gas[:, 0] * np.sqrt(8 * K_B * Tg / (PI * m_n))
    E_sheath = 0.5 * res.T_e_wafer + h.Vbar_bottom
    return {"r_m": w.r_m, "ion_flux_m2s": w(res.ion_flux_wafer),
            "ion_energy_mean_eV": w(E_sheath if ions is None else _per_column(res, w, ions.mean_energy_eV)),
            f"{res.setup.neutral}_flux_m2s": w(flux_n), "sheath_rf_voltage_V": w(h.V1_bottom),
            "sheath_mean_voltage_V": w(h.Vbar_bottom), "sheath_width_m": w(h.s_bottom),
            "rf_current_A_m2": w(h.J1), "sheath_energy_eV": w(E_sheath),
            "sheath_collisionality": w(h.s_bottom * res.n_gas[:, 0] * res.setup.coef.sigma_i)}


def ccp_wafer(spec: ReactorSpec, *, seed: int = 0) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Solve and return the wafer profile with the ring areas of its columns (the wafer map's input)."""
    res = solve_ccp(spec)
    return wafer_profile_ccp(res, wafer_ions(res, seed=seed)), wafer_rows(res).weights


def reactor_state_ccp(res: CCPResult, ions=_NOT_GIVEN) -> ReactorState:
    """Wafer-averaged :class:`ReactorState` (T_e: density-weighted volume average); IEDF and IADF
    of the collisionless sheath model, or of the ion Monte Carlo ``ions`` (:func:`wafer_ions`,
    computed when not given) where the sheaths are collisional."""
    ions = _ions(res, ions)
    setup, m, h = res.setup, res.setup.mesh, res.heating
    gm, coef = setup.global_model, setup.coef
    w = wafer_rows(res)
    avg = lambda a: w.average(a)  # noqa: E731
    prof = wafer_profile_ccp(res, ions)
    Gam, Te_w = avg(prof["ion_flux_m2s"]), avg(w(res.T_e_wafer))
    V_rf, V_bar = avg(prof["sheath_rf_voltage_V"]), avg(prof["sheath_mean_voltage_V"])
    E_mean = avg(prof["ion_energy_mean_eV"])
    s = avg(prof["sheath_width_m"]) / (SM_OVER_DC_COLLISIONAL if setup.collisional else SM_OVER_CHILD)  # DC law's
    dE = float(iedf_splitting(V_rf, V_bar, s, coef.m_i, setup.ccp.frequency))
    spread = max(gm.T_ion_eV, 1e-3)
    grid = np.linspace(max(E_mean - dE / 2 - 6 * spread, 0.0), E_mean + dE / 2 + 6 * spread, 801)
    E_dist = iedf(E_mean, dE, spread_eV=spread, grid=grid)
    mfp = 1.0 / (avg(w(res.n_gas[:, 0])) * res.setup.coef.sigma_i)
    A_dist: Distribution = iadf(E_mean, gm.T_ion_eV, s=s, mfp=mfp, T_gas_eV=setup.spec.gas_temperature * K_B / EV)
    if ions is not None:
        E_dist, A_dist = ions.iedf, ions.iadf
    ion, neutral = gm.names[int(gm.pos[0])], setup.neutral
    n_avg = res.n_e_avg
    ch = energy_channels(res)
    Tw = setup.spec.wafer_temperature if setup.spec.wafer_temperature is not None else setup.spec.gas_temperature
    V_top = avg(w(h.Vbar_top))
    return ReactorState(
        chemistry=gm.chem.name, T_e_eV=res.T_e_density_weighted, n_e_center_m3=float(res.n_e[0].max()),
        n_e_avg_m3=n_avg, densities_m3={neutral: m.volume_average(res.n_gas), ion: n_avg, "e": n_avg},
        fluxes_to_wafer_m2s={neutral: avg(prof[f"{neutral}_flux_m2s"]), ion: Gam}, ion_species=(ion,),
        ion_flux_m2s=Gam, iedf=E_dist, iadf=A_dist, ion_energy_mean_eV=E_dist.mean(),
        ion_cos_exponent=cos_exponent(A_dist), V_plasma=V_top + 0.5 * Te_w, V_dc=h.self_bias, V_rf=V_rf,
        sheath_thickness_m=s, sheath_collisionality=s / mfp,
        ion_transit_time_s=float(ion_transit_time(s, V_bar, coef.m_i)),
        gas_temperature_K=m.volume_average(res.T_gas), wafer_temperature_K=Tw, pressure_Pa=setup.spec.pressure,
        power_W=setup.spec.source.power, element_balance={},
        energy_balance={"P_abs_W": ch["P_electrons_W"], "collisions_W": ch["collisions_W"],
                        "walls_W": ch["walls_W"], "attachment_W": 0.0, "ion_joule_W": ch["ion_joule_W"],
                        "residual": ch["residual"],
                        "ion_sheath_W": h.ion_power})


def write_fields_ccp(res: CCPResult, path: Path) -> None:
    """fields.nc: coords r_m, z_m (height above the powered electrode, bulk cells); n_e_m3, T_e_eV,
    phi_V, power_W_m3 (+ its ohmic and stochastic parts), gas_temperature_K, <species>_m3, and per
    column the RF current and both sheaths."""
    import xarray as xr

    m, gm, h = res.setup.mesh, res.setup.global_model, res.heating
    dims = ("r_m", "z_m")
    ion = gm.names[int(gm.pos[0])]
    col = {"rf_current_A_m2": h.J1, "sheath_rf_voltage_bottom_V": h.V1_bottom, "sheath_rf_voltage_top_V": h.V1_top,
           "sheath_mean_voltage_bottom_V": h.Vbar_bottom, "sheath_mean_voltage_top_V": h.Vbar_top,
           "sheath_width_bottom_m": h.s_bottom, "sheath_width_top_m": h.s_top}
    ds = xr.Dataset({"n_e_m3": (dims, res.n_e), "T_e_eV": (dims, res.T_e), "phi_V": (dims, res.phi),
                     "power_W_m3": (dims, res.power), "power_ohmic_W_m3": (dims, h.ohmic),
                     "power_stochastic_W_m3": (dims, h.stochastic), "gas_temperature_K": (dims, res.T_gas),
                     f"{res.setup.neutral}_m3": (dims, res.n_gas), f"{ion}_m3": (dims, res.n_e)}
                    | {k: (("r_m",), v) for k, v in col.items()}
                    | {"rf_current_side_A_m2": (("z_m",), h.J1_side),
                       "sheath_mean_voltage_side_V": (("z_m",), h.Vbar_side),
                       "sheath_width_side_m": (("z_m",), h.s_side)},
                    coords={"r_m": m.r, "z_m": res.z_m},
                    attrs={"model": "fluid2d", "source": "ccp", "chemistry": gm.chem.name,
                           "gap_m": res.setup.gap, "electrode_radius_m": res.setup.electrode_radius,
                           "self_bias_V": h.self_bias, "rf_return": res.setup.ccp.rf_return,
                           "sheath_regime": res.setup.sheath_regime,
                           "note": "z = 0 is the powered electrode (wafer), z = gap the grounded electrode; "
                                   "the cells cover the bulk between the sheath edges"})
    with atomic_path(path) as tmp:
        ds.to_netcdf(tmp, engine="h5netcdf")


def plot_ccp(res: CCPResult, path: Path, ions=_NOT_GIVEN) -> None:
    """Maps of n_e, T_e, power and φ with the sheaths (grey), and the wafer ion flux and energy;
    the IEDF (collisional sheaths: the ion Monte Carlo's, with the collisionless one dashed)."""
    from matplotlib.figure import Figure

    ions = _ions(res, ions)
    m, h, setup = res.setup.mesh, res.heating, res.setup
    zf = (res.z_offset + m.z_faces) * 100
    rf = m.r_faces * 100
    fig = Figure(figsize=(12, 7))
    axs = fig.subplots(2, 3)
    maps = [(res.n_e, "n_e (m$^{-3}$)"), (res.T_e, "T_e (eV)"), (np.log10(np.maximum(res.power, 1e-3)),
            "log$_{10}$ power (W m$^{-3}$)"), (res.phi, "time-averaged φ (V)")]
    for ax, (f, label) in zip(axs.ravel(), maps):
        pc = ax.pcolormesh(rf, zf, f.T, shading="flat")
        fig.colorbar(pc, ax=ax)
        ax.axhspan(0.0, zf[0], color="0.6")                       # sheaths: electrode to bulk edge
        ax.axhspan(zf[-1], setup.gap * 100, color="0.6")
        for s, z0, sign in ((h.s_bottom, 0.0, 1), (h.s_top, setup.gap, -1)):
            ax.plot(rf, (z0 + sign * np.append(s, s[-1])) * 100, "w--", lw=1, drawstyle="steps-post")
        ax.plot([0, setup.electrode_radius * 100], [0, 0], "r-", lw=4)
        ax.plot([0, rf[-1]], [setup.gap * 100] * 2, "k-", lw=4)
        ax.set(title=label, xlabel="r (cm)", ylabel="z (cm)", ylim=(-0.2, setup.gap * 100 + 0.2))
    prof = wafer_profile_ccp(res, ions)
    ax = axs[1, 1]
    ax.plot(prof["r_m"] * 100, prof["ion_flux_m2s"], "C0-")
    ax.set(xlabel="r (cm)", title="at the wafer")
    ax.set_ylabel("ion flux (m$^{-2}$ s$^{-1}$)", color="C0")
    ax2 = ax.twinx()
    ax2.plot(prof["r_m"] * 100, prof["ion_energy_mean_eV"], "C3--", label="mean ion energy")
    ax2.set_ylabel("mean ion energy (eV)", color="C3")
    st = reactor_state_ccp(res, ions)
    ax = axs[1, 2]
    ax.plot(st.iedf.x, st.iedf.pdf, "C3-", label="collisional sheath (MC)" if ions is not None else None)
    if ions is not None:
        ax2.plot(prof["r_m"] * 100, prof["sheath_energy_eV"], "C3:", label="T_e/2 + V̄")
        ax2.legend(fontsize=7, loc="center right")
        c = reactor_state_ccp(res, None).iedf
        ax.plot(c.x, c.pdf * st.iedf.pdf.max() / c.pdf.max(), "k--", lw=0.8, label="collisionless (scaled)")
        ax.legend(fontsize=7)
    ax.set(xlabel="ion energy (eV)", ylabel="IEDF (1/eV)", title="IEDF at the wafer (average)")
    fig.suptitle(f"fluid2d CCP {setup.global_model.chem.name}: {setup.spec.source.power:g} W, "
                 f"{setup.spec.pressure:.3g} Pa, gap {setup.gap * 100:.3g} cm, V_T {h.V_T:.0f} V between the plates "
                 f"(wafer sheath V_a {h.V_a:.0f} V), "
                 f"self-bias {h.self_bias:.0f} V, {setup.sheath_regime} sheaths\n"
                 f"(red: powered electrode, black: grounded, grey: sheaths, dashed: s_m of each column)")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110)


def run_ccp(spec: ReactorSpec, out: Path, name: str, *, checkpoint: Path, resume: bool = False,
            seed: int = 0) -> dict:
    """Solve and write reactor.json (the global model's keys plus a ``fluid2d`` block), fields.nc,
    wafer.csv and reactor.png; returns the reactor.json content (and ``_state``).  ``seed``: the
    ion Monte Carlo's (collisional sheaths)."""
    res = solve_ccp(spec, checkpoint=checkpoint, resume=resume)
    ions = wafer_ions(res, seed=seed)
    state = reactor_state_ccp(res, ions)
    m, h, ref = res.setup.mesh, res.heating, res.setup.reference
    ch = energy_channels(res)
    prof = wafer_profile_ccp(res, ions)
    G = prof["ion_flux_m2s"]
    result = state.to_json() | {"name": name, "model": "fluid2d"}
    result["fluid2d"] = {
        "source": "ccp", "mesh_nr": m.nr, "mesh_nz": m.nz, "iterations": res.iterations, "seconds": res.seconds,
        "residual_history": list(res.residual_history), "absorbed_power_W": res.absorbed_power,
        "power_absorbed_by": res.setup.ccp.power_absorbed_by, "electron_power_W": res.electron_power,
        "ohmic_W": float((h.ohmic * m.volume).sum()), "stochastic_W": float((h.stochastic * m.volume).sum()),
        "ion_sheath_power_W": h.ion_power, "particle_balance": ch["particle_balance"],
        "energy_balance_residual": ch["residual"], "T_e_density_weighted_eV": res.T_e_density_weighted,
        "n_e_avg_m3": res.n_e_avg, "n_e_max_m3": float(res.n_e.max()), "T_gas_max_K": float(res.T_gas.max()),
        "rf_voltage_between_plates_V": h.V_T, "rf_voltage_V": h.V_T, "self_bias_V": h.self_bias,
        "sheath_rf_voltage_powered_V": h.V_a,
        "sheath_rf_voltage_grounded_V": h.V_b, "rf_return": res.setup.ccp.rf_return,
        "sheath_regime": res.setup.sheath_regime, "ion_mean_free_path_m": res.setup.lambda_i,
        "ion_mean_free_path_over_sheath": res.setup.lambda_i / float(h.s_bottom[0]),
        "gap_m": res.setup.gap, "bulk_length_m": float(m.z_faces[-1]),
        "sheath_width_wafer_centre_m": float(h.s_bottom[0]), "sheath_width_top_centre_m": float(h.s_top[0]),
        "sheath_rf_voltage_wafer_centre_V": float(h.V1_bottom[0]), "rf_current_centre_A_m2": float(h.J1[0]),
        "wafer_ion_flux_edge_to_centre": float(G[-1] / G[0]),
        "wafer_ion_flux_nonuniformity": float((G.max() - G.min()) / (G.max() + G.min())),
        "homogeneous_model": {"T_e_eV": ref.T_e_eV, "n0_m3": ref.n0_m3, "V1_V": ref.V1_V, "Vbar_V": ref.Vbar_V,
                              "s_m_m": ref.s_m_m, "J1_A_m2": ref.J1_A_m2, "ion_power_W": ref.P_ion_W},
        "iedf_model": "collisionless" if ions is None else "monte_carlo"}
    if ions is not None:
        result["fluid2d"]["iedf_monte_carlo"] = {
            "ions": ions.n_ions, "lost": ions.lost, "cpu_s": ions.cpu_s, "seed": seed,
            "ion_cross_section": res.setup.ion_cross_section,
            "sheath_collisionality_centre": float(ions.collisionality[0]),
            "ion_energy_collisionless_eV": float((ions.weights * ions.sheath_energy_eV).sum())} | ions.shape
    write_json(out / "reactor.json", result)
    write_fields_ccp(res, out / "fields.nc")
    write_csv(out / "wafer.csv", prof)
    plot_ccp(res, out / "reactor.png", ions)
    result["_state"] = state
    return result
