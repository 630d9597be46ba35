"""Outputs of the multi-species model (:mod:`.multi`): wafer profiles, the wafer-average
:class:`ReactorState`, fields.nc and reactor.png.

Wafer quantities at radius r (the wafer cells of the bottom wall): the flux of every
positive ion, Γ_k = n_k/(1/u_B,k + d/(μ_k(T_e + T_i))) (the Bohm boundary of :mod:`.species`),
their sum ``ion_flux_m2s``; the mean ion energy T_e/2 + V̄(V_rf, T_e(r)) with the
flux-weighted ion mass (the sheath of :mod:`..sheath`); the flux n_j v̄_j/4 of every neutral
j arriving at the wafer (its density in the wafer cell, the local gas temperature).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ...constants import EV, K_B, PI
from ...io.atomic import atomic_path
from ..sheath import (Distribution, child_sheath_thickness, cos_exponent, dc_self_bias, iadf, iedf,
                      iedf_splitting, ion_transit_time, mean_sheath_voltage, plasma_potential)
from ..state import ReactorState
from .output import WaferRows, _bias_amplitude

__all__ = ["wafer_profile_multi", "reactor_state_multi", "write_fields_multi", "plot_multi",
           "energy_channels_multi", "nonuniformity", "wafer_face_temperature"]


def nonuniformity(a) -> float:
    """(max − min)/(max + min)."""
    a = np.asarray(a, float)
    return float((a.max() - a.min()) / (a.max() + a.min()))




def _ion_mass(res, G) -> np.ndarray:
    gm = res.setup.global_model
    w = G / np.maximum(G.sum(axis=0), 1e-300)
    return (w * gm.mass[gm.pos][:, None]).sum(axis=0)


def wafer_profile_multi(res) -> dict[str, np.ndarray]:
    """Columns of wafer.csv: r_m, ion_flux_m2s, ion_energy_mean_eV, <ion>_flux_m2s and
    <neutral>_flux_m2s of every species."""
    gm = res.setup.global_model
    rows = WaferRows.of(res)                                     # the wafer's rows (.output)
    Gw = res.wall_flux[1]                                        # bottom wall, (N, nr)
    Gi = rows(Gw[gm.pos])
    G = Gi.sum(axis=0)
    Te = rows(res.T_e[:, 0])
    m_i = _ion_mass(res, Gi)
    V_rf, _ = _bias_amplitude(res, rows.average(G), rows.average(Te), rows.average(m_i))
    E = 0.5 * Te + mean_sheath_voltage(V_rf, Te, m_i)
    out = {"r_m": rows.r_m, "ion_flux_m2s": G, "ion_energy_mean_eV": E}
    for k, i in enumerate(gm.pos):
        out[f"{gm.names[i]}_flux_m2s"] = Gi[k]
    Tg = res.T_gas[:, 0]
    T_f = wafer_face_temperature(res.setup.spec)
    d = 0.5 * float(res.setup.mesh.dz[0])
    for i in gm.neu:
        # density at the wafer face, not in the wall cell (a first-order offset): the wall cell's
        # partial pressure carried across the half cell with the wall loss flux Γ_w (the
        # boundary flux of .species), n_f = (n_P − Γ_w d/D_P) T_P/T_wafer
        D = PI / 8 * np.sqrt(8 * K_B * Tg / (PI * gm.mass[i])) / (res.n_gas[:, 0] * gm.sigma[i])
        n_f = (res.n[i][:, 0] - Gw[i] * d / D) * Tg / T_f
        out[f"{gm.names[i]}_flux_m2s"] = rows(0.25 * n_f * np.sqrt(8 * K_B * T_f / (PI * gm.mass[i])))
    return out


def wafer_face_temperature(spec) -> float:
    """The wafer's temperature (K), the heat equation's boundary value there."""
    return float(spec.wafer_temperature if spec.wafer_temperature is not None else spec.gas_temperature)


def energy_channels_multi(res) -> dict[str, float]:
    """Absorbed power, collisional and wall losses (W) and the residual of the balance."""
    from .multi import species_system

    m = res.setup.mesh
    sysm = species_system(res.setup, _ports(res), res.flow)
    sysm.set_state(res.n_gas, res.T_gas, res.power)
    _, det = sysm.residual(res.state_vector(), details=True)
    P = res.absorbed_power
    P_coll = float((det["eloss"] * m.volume).sum() * EV)
    P_wall = det["wall_eV_s"] * EV
    P_field = float(det["heat_ion_eV_s"].sum()) * EV          # work against the ambipolar field
    return {"P_abs_W": P, "collisions_W": P_coll, "walls_W": P_wall, "attachment_W": 0.0,
            "ion_joule_W": P_field, "residual": (P - P_coll - P_wall - P_field) / res.setup.spec.source.power}


def _ports(res):
    from .multi import ports_of

    return ports_of(res.setup)


def reactor_state_multi(res) -> ReactorState:
    """Wafer-averaged :class:`ReactorState` (T_e: density-weighted volume average)."""
    setup, m = res.setup, res.setup.mesh
    gm = setup.global_model
    prof = wafer_profile_multi(res)
    rows = WaferRows.of(res)
    w = rows.cells
    avg = rows.average
    Gam = avg(prof["ion_flux_m2s"])
    Te_w = avg(rows(res.T_e[:, 0]))
    Gi = np.array([avg(prof[f"{gm.names[i]}_flux_m2s"]) for i in gm.pos])
    wts = Gi / Gi.sum()
    m_eff = float(wts @ gm.mass[gm.pos])
    V_rf, f_rf = _bias_amplitude(res, Gam, Te_w, m_eff)
    V_bar = float(mean_sheath_voltage(V_rf, Te_w, m_eff))
    E_mean = 0.5 * Te_w + V_bar
    n_s = Gam / np.sqrt(EV * Te_w / m_eff)
    s = float(child_sheath_thickness(V_bar, n_s, Te_w))
    spread = max(gm.T_ion_eV, 1e-3)
    dEs = [float(iedf_splitting(V_rf, V_bar, s, gm.mass[i], f_rf)) for i in gm.pos]
    A = 0.5 * max(dEs)
    grid = np.linspace(max(E_mean - A - 6 * spread, 0.0), E_mean + A + 6 * spread, 801)
    pdf = np.zeros_like(grid)
    for wk, dE in zip(wts, dEs):
        pdf += wk * iedf(E_mean, dE, spread_eV=spread, grid=grid).pdf
    E_dist = Distribution(x=grid, pdf=pdf / np.trapezoid(pdf, grid))
    n_g_w = float(res.n_gas[w, 0].mean())
    sig_i = float(wts @ gm.sigma[gm.pos])
    mfp = 1.0 / (n_g_w * sig_i)
    A_dist = iadf(E_mean, gm.T_ion_eV, s=s, mfp=mfp, T_gas_eV=setup.spec.gas_temperature * K_B / EV)
    dens = {nm: m.volume_average(res.n[k]) for k, nm in enumerate(gm.names)} | {"e": res.n_e_avg}
    fluxes = {gm.names[i]: avg(prof[f"{gm.names[i]}_flux_m2s"]) for i in gm.neu}
    fluxes |= {gm.names[i]: float(Gi[k]) for k, i in enumerate(gm.pos)}
    fluxes |= {gm.names[i]: 0.0 for i in gm.neg}
    Tw = setup.spec.wafer_temperature if setup.spec.wafer_temperature is not None else setup.spec.gas_temperature
    p_on = float(m.volume_average(res.n_gas * K_B * res.T_gas))
    return ReactorState(
        chemistry=gm.chem.name, T_e_eV=res.T_e_density_weighted, n_e_center_m3=float(res.n_e[0].max()),
        n_e_avg_m3=res.n_e_avg, densities_m3=dens, fluxes_to_wafer_m2s=fluxes,
        ion_species=tuple(gm.names[i] for i in gm.pos), ion_flux_m2s=Gam, iedf=E_dist, iadf=A_dist,
        ion_energy_mean_eV=E_dist.mean(), ion_cos_exponent=cos_exponent(A_dist),
        V_plasma=float(plasma_potential(Te_w, m_eff)), V_dc=float(dc_self_bias(V_rf, Te_w, m_eff)), V_rf=V_rf,
        sheath_thickness_m=s, sheath_collisionality=s / mfp,
        ion_transit_time_s=float(ion_transit_time(s, V_bar, m_eff)),
        gas_temperature_K=m.volume_average(res.T_gas), wafer_temperature_K=Tw, pressure_Pa=p_on,
        pressure_rise_Pa=p_on - setup.spec.pressure, power_W=setup.spec.source.power,
        element_balance=dict(res.element_balance), energy_balance=energy_channels_multi(res))


def write_fields_multi(res, path: Path) -> None:
    """fields.nc: coords r_m, z_m; n_e_m3, T_e_eV, phi_V, power_W_m3, gas_temperature_K,
    <species>_m3 of every heavy species, the gas velocity u_r_m_s, u_z_m_s (cell averages)."""
    import xarray as xr

    m, gm = res.setup.mesh, res.setup.global_model
    dims = ("r_m", "z_m")
    data = {"n_e_m3": (dims, res.n_e), "T_e_eV": (dims, res.T_e), "phi_V": (dims, res.phi),
            "power_W_m3": (dims, res.power), "gas_temperature_K": (dims, res.T_gas),
            "u_r_m_s": (dims, 0.5 * (res.flow.u_r[1:] + res.flow.u_r[:-1])),
            "u_z_m_s": (dims, 0.5 * (res.flow.u_z[:, 1:] + res.flow.u_z[:, :-1]))}
    for k, nm in enumerate(gm.names):
        data[f"{nm}_m3"] = (dims, res.n[k])
    ds = xr.Dataset(data, coords={"r_m": m.r, "z_m": m.z},
                    attrs={"model": "fluid2d", "chemistry": gm.chem.name,
                           "note": "z = 0 is the wafer, z = chamber length the window"})
    with atomic_path(path) as tmp:
        ds.to_netcdf(tmp, engine="h5netcdf")


def plot_multi(res, path: Path) -> None:
    """Maps of n_e, T_e, power, the main radical, the negative-ion fraction and the gas
    speed, and the wafer fluxes (ions and the radical, normalised to the centre)."""
    from matplotlib.figure import Figure

    m, gm = res.setup.mesh, res.setup.global_model
    rad = res.setup.neutral
    neg = res.n[gm.neg].sum(axis=0) if gm.neg.size else np.zeros(m.shape)
    fig = Figure(figsize=(13, 7))
    axs = fig.subplots(2, 4)
    maps = [(res.n_e, "n_e (m$^{-3}$)"), (res.T_e, "T_e (eV)"), (res.power, "power (W m$^{-3}$)"),
            (res.density(rad), f"{rad} (m$^{{-3}}$)"), (neg / res.n_e, "α = n$_-$/n$_e$"),
            (res.T_gas, "gas temperature (K)"), (res.flow.cell_speed(), "gas speed (m/s)")]
    for ax, (f, label) in zip(axs.ravel(), maps):
        pc = ax.pcolormesh(m.r_faces * 100, m.z_faces * 100, f.T, shading="flat")
        fig.colorbar(pc, ax=ax)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("r (cm)")
        ax.set_ylabel("z (cm)")
        ax.set_aspect("equal")
    prof = wafer_profile_multi(res)
    ax = axs[1, 3]
    r = prof["r_m"] * 100
    for key, lab in (("ion_flux_m2s", "ions"), (f"{rad}_flux_m2s", rad)):
        ax.plot(r, prof[key] / prof[key][0], label=f"{lab} (centre {prof[key][0]:.3g} m$^{{-2}}$s$^{{-1}}$)")
    ax.set_xlabel("r (cm)")
    ax.set_ylabel("flux / centre flux")
    ax.legend(fontsize=7)
    ax.set_title("at the wafer", fontsize=9)
    fig.suptitle(f"fluid2d {gm.chem.name}: {res.setup.spec.source.power:g} W, {res.setup.spec.pressure:.3g} Pa")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=100)
