"""What the 2D model hands on: a :class:`ReactorState` (wafer averages, IEDF, IADF), and the
files of ``waferlab reactor`` with ``model: fluid2d``: fields.nc, wafer.csv, reactor.png.

Wafer quantities at radius r: ion flux Γ(r) = u_B n_s (sheath edge of the wafer cell),
mean ion energy T_e/2 + V̄(V_rf, T_e(r)) (the sheath of :mod:`..sheath`), neutral flux
n v̄/4 with the local gas temperature.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ...constants import EV, K_B, PI
from ...errors import RecipeError
from ...io.atomic import atomic_path, write_csv
from ..sheath import (Distribution, child_sheath_thickness, cos_exponent, dc_self_bias, iadf, iedf,
                      iedf_splitting, ion_transit_time, mean_sheath_voltage, plasma_potential,
                      rf_amplitude_from_power)
from ..state import ReactorState
from .model import Fluid2DResult
from .transport import PlasmaCoefficients

if TYPE_CHECKING:
    from typing_extensions import TypeIs

    from .multi import MultiResult

__all__ = ["WaferRows", "wafer_profile", "reactor_state", "particle_balance", "write_fields", "write_wafer_csv",
           "plot_reactor"]


def _multi(res: Fluid2DResult | MultiResult) -> TypeIs[MultiResult]:
    return res.setup.coef is None              # the multi-species model (.multi)


def _coef(res: Fluid2DResult) -> PlasmaCoefficients:
    """The single-ion model's coefficients (build() sets them unless the model is multi)."""
    assert res.setup.coef is not None
    return res.setup.coef


def _wafer_cells(res: Fluid2DResult | MultiResult) -> np.ndarray:
    """The columns whose centre lies on the wafer, r_i < r_w (bool, (nr,))."""
    return WaferRows.of(res).cells


class WaferRows:
    """The rows of wafer.csv: one per column whose centre lies on the wafer (r_i < r_w), then,
    where a column lies beyond the wafer, one row at r = r_w exactly, linearly interpolated
    between the last column on the wafer and the first beyond it (a second-order point value of
    the smooth bottom-wall field; the wafer is not a separate boundary).  ``weights`` are the
    rows' areas on the wafer, π(min(r_{i+½}, r_w)² − r_{i−½}²), the edge row taking the part of
    the wafer outside the last centre's cell, so Σ weights = π r_w² and a weighted average is
    the wafer average.  (Before session 16 the rows were the columns with r_{i−½} < r_w, which
    took in a column wholly outside the wafer when a face sat at r_w to rounding: r 106.25 mm
    on a 10 cm wafer.)

    ``r_field`` (the 2D CCP's powered electrode, whose columns are those with r_i < R_e): the
    field is smooth only for r_i < r_field; where the first column beyond the wafer lies past it
    (an unpowered column beyond the electrode's edge) the edge row holds the last column's value
    (t = 0) instead of interpolating across the edge."""

    def __init__(self, r_faces: np.ndarray, r_w: float, r_field: float | None = None):
        rf = np.asarray(r_faces, float)
        rc = 0.5 * (rf[1:] + rf[:-1])
        self.cells = rc < r_w
        k = int(self.cells.sum())                  # first column beyond the wafer
        if k == 0:
            raise ValueError(f"no cell centre on the wafer (r_w = {r_w:g} m, first centre {rc[0]:g} m)")
        area = PI * (np.minimum(rf[1:k + 1], r_w) ** 2 - rf[:k] ** 2)
        self.edge = None
        r = rc[:k]
        if k < rc.size:
            t = (r_w - rc[k - 1]) / (rc[k] - rc[k - 1])
            self.edge = (k - 1, k, float(t)) if r_field is None or rc[k] < r_field else (k - 1, k - 1, 0.0)
            area = np.append(area, PI * max(r_w ** 2 - rf[k] ** 2, 0.0))
            r = np.append(r, r_w)
        self.r_m, self.weights = r, area

    @classmethod
    def of(cls, res) -> WaferRows:
        spec = res.setup.spec
        r_w = spec.chamber.wafer_radius if spec.chamber.wafer_radius is not None else spec.chamber.radius
        return cls(res.setup.mesh.r_faces, r_w)

    @property
    def columns(self) -> np.ndarray:
        """The columns the rows read (bool, (nr,)): those on the wafer and, where the edge row
        interpolates, the first beyond it."""
        c = self.cells.copy()
        if self.edge is not None:
            c[self.edge[1]] = True
        return c

    def column_weights(self, f) -> np.ndarray:
        """Per column of :attr:`columns`: the weight of that column in Σ_rows w_row f_row g_row
        when g_row of the edge row is interpolated as (1 − t) g_i + t g_j — the row weight times
        the row value ``f`` (e.g. the ion flux), the edge row's split (1 − t, t) between its two
        columns (a flux-weighted distribution of the wafer from per-column distributions)."""
        wf = self.weights * np.asarray(f, float)
        out = np.zeros(self.cells.size)
        k = int(self.cells.sum())
        out[:k] = wf[:k]
        if self.edge is not None:
            i, j, t = self.edge
            out[i] += (1 - t) * wf[-1]
            out[j] += t * wf[-1]
        return out[self.columns]

    def __call__(self, f) -> np.ndarray:
        """The rows of a per-column array ``f`` (last axis: the nr columns)."""
        f = np.asarray(f, float)
        out = f[..., self.cells]
        if self.edge is not None:
            i, j, t = self.edge
            out = np.concatenate([out, ((1 - t) * f[..., i] + t * f[..., j])[..., None]], axis=-1)
        return out

    def average(self, f) -> float:
        """The wafer average of row values ``f``."""
        return float((np.asarray(f) * self.weights).sum() / self.weights.sum())


def _bias_amplitude(res: Fluid2DResult | MultiResult, flux: float, Te: float,
                    m_i: float | None = None) -> tuple[float, float]:
    """(RF amplitude V, frequency Hz) of the wafer bias: the recipe's voltage, or the
    amplitude that delivers ``bias.power`` to the wafer's ion flux (``m_i``: the ions'
    mass, kg; default the single ion of the argon model)."""
    spec = res.setup.spec
    if spec.bias is None:
        return 0.0, 13.56e6
    if spec.bias.voltage is not None:
        return spec.bias.voltage, spec.bias.frequency
    r_w = spec.chamber.wafer_radius or spec.chamber.radius
    if m_i is None:
        if _multi(res):
            raise ValueError("a multi-species result needs the ions' mass m_i")
        m_i = _coef(res).m_i
    try:
        V = rf_amplitude_from_power(spec.bias.power, flux, PI * r_w ** 2, Te, m_i)
    except ValueError:
        raise RecipeError(f"bias.power = {spec.bias.power:g} W needs an RF amplitude above 10 MV",
                          path="reactor.bias.power") from None
    return V, spec.bias.frequency


def wafer_profile(res: Fluid2DResult | MultiResult) -> dict[str, np.ndarray]:
    """Columns of wafer.csv: r_m, ion_flux_m2s, ion_energy_mean_eV, <neutral>_flux_m2s."""
    if _multi(res):
        from . import output_multi

        return output_multi.wafer_profile_multi(res)
    rows = WaferRows.of(res)
    m_i = _coef(res).m_i
    G, Te = rows(res.ion_flux_wafer), rows(res.T_e_wafer)
    V_rf, _ = _bias_amplitude(res, rows.average(G), rows.average(Te))
    E = 0.5 * Te + mean_sheath_voltage(V_rf, Te, m_i)
    gm = res.setup.global_model
    m_n = gm.mass[gm.neu[0]]
    from .output_multi import wafer_face_temperature

    T_f = wafer_face_temperature(res.setup.spec)     # at the wafer face: n = p/(k_B T_wafer)
    flux_n = 0.25 * res.n_gas[:, 0] * res.T_gas[:, 0] / T_f * np.sqrt(8 * K_B * T_f / (PI * m_n))
    return {"r_m": rows.r_m, "ion_flux_m2s": G, "ion_energy_mean_eV": E,
            f"{res.setup.neutral}_flux_m2s": rows(flux_n)}


def reactor_state(res: Fluid2DResult | MultiResult) -> ReactorState:
    """Wafer-averaged :class:`ReactorState` (T_e: density-weighted volume average)."""
    if _multi(res):
        from . import output_multi

        return output_multi.reactor_state_multi(res)
    setup, m = res.setup, res.setup.mesh
    gm, m_i = setup.global_model, _coef(res).m_i
    prof = wafer_profile(res)
    rows = WaferRows.of(res)
    avg = rows.average
    Gam = avg(prof["ion_flux_m2s"])
    Te_w = avg(rows(res.T_e_wafer))
    V_rf, f_rf = _bias_amplitude(res, Gam, Te_w)
    V_bar = float(mean_sheath_voltage(V_rf, Te_w, m_i))
    E_mean = 0.5 * Te_w + V_bar
    n_s = Gam / np.sqrt(EV * Te_w / m_i)
    s = float(child_sheath_thickness(V_bar, n_s, Te_w))
    dE = float(iedf_splitting(V_rf, V_bar, s, m_i, f_rf))
    spread = max(gm.T_ion_eV, 1e-3)
    grid = np.linspace(max(E_mean - dE / 2 - 6 * spread, 0.0), E_mean + dE / 2 + 6 * spread, 801)
    E_dist = iedf(E_mean, dE, spread_eV=spread, grid=grid)
    n_g_w = float(res.n_gas[rows.cells, 0].mean())
    mfp = 1.0 / (n_g_w * _coef(res).sigma_i)
    A_dist: Distribution = iadf(E_mean, gm.T_ion_eV, s=s, mfp=mfp, T_gas_eV=setup.spec.gas_temperature * K_B / EV)
    ion = gm.names[int(gm.pos[0])]
    neutral = setup.neutral
    n_avg = res.n_e_avg
    dens = {neutral: m.volume_average(res.n_gas), ion: n_avg, "e": n_avg}
    P_coll, P_wall, P_field = _energy_channels(res)
    P = setup.spec.source.power
    Tw = setup.spec.wafer_temperature if setup.spec.wafer_temperature is not None else setup.spec.gas_temperature
    return ReactorState(
        chemistry=gm.chem.name, T_e_eV=res.T_e_density_weighted, n_e_center_m3=float(res.n_e[0].max()),
        n_e_avg_m3=n_avg, densities_m3=dens,
        fluxes_to_wafer_m2s={neutral: avg(prof[f"{neutral}_flux_m2s"]), ion: Gam}, ion_species=(ion,),
        ion_flux_m2s=Gam, iedf=E_dist, iadf=A_dist, ion_energy_mean_eV=E_dist.mean(),
        ion_cos_exponent=cos_exponent(A_dist), V_plasma=float(plasma_potential(Te_w, m_i)),
        V_dc=float(dc_self_bias(V_rf, Te_w, m_i)), V_rf=V_rf, sheath_thickness_m=s,
        sheath_collisionality=s / mfp, ion_transit_time_s=float(ion_transit_time(s, V_bar, m_i)),
        gas_temperature_K=m.volume_average(res.T_gas), wafer_temperature_K=Tw,
        pressure_Pa=setup.spec.pressure, power_W=P,
        element_balance={},
        energy_balance={"P_abs_W": res.absorbed_power, "collisions_W": P_coll, "walls_W": P_wall,
                        "attachment_W": 0.0, "ion_joule_W": P_field,
                        "residual": (res.absorbed_power - P_coll - P_wall - P_field) / P})


def _energy_channels(res: Fluid2DResult) -> tuple[float, float, float]:
    """Collisional, wall and ambipolar-field (ion Joule) power (W) of the converged fields."""
    from .transport import TransportResidual

    tr = TransportResidual(res.setup.mesh, _coef(res))
    tr.set_state(res.n_gas, res.power)
    _, _, d = tr.evaluate(np.log(res.n_e), res.T_e, details=True)
    P_coll = float((res.n_e * d["loss"] * res.setup.mesh.volume).sum() * EV)
    m_i = _coef(res).m_i
    P_wall = 0.0
    for side, (sl, A, _) in tr.walls.items():
        Tp = res.T_e[sl]
        G = d["wall"][side][0]
        P_wall += float((A * G * (2.5 * Tp + Tp * 0.5 * np.log(m_i / (2 * PI * 9.1093837015e-31)))).sum() * EV)
    P_field = float(d["heat_ion_eV_s"].sum()) * EV           # work against the ambipolar field
    return P_coll, P_wall, P_field


def particle_balance(res: Fluid2DResult | MultiResult) -> float:
    """(created − lost)/created: volume ionisation ∫ν_iz n dV against the wall fluxes
    (the multi-species model: the largest element-balance residual)."""
    if _multi(res):
        return max((abs(v) for v in res.element_balance.values()), default=0.0)
    from .transport import TransportResidual

    tr = TransportResidual(res.setup.mesh, _coef(res))
    tr.set_state(res.n_gas, res.power)
    _, _, d = tr.evaluate(np.log(res.n_e), res.T_e, details=True)
    created = float((d["nu_iz"] * res.n_e * res.setup.mesh.volume).sum())
    lost = sum(float((A * d["wall"][s][0]).sum()) for s, (_, A, _) in tr.walls.items())
    return (created - lost) / created


def write_fields(res: Fluid2DResult | MultiResult, path: Path) -> None:
    """fields.nc: coords r_m, z_m; n_e_m3, T_e_eV, phi_V, power_W_m3, gas_temperature_K, <species>_m3."""
    if _multi(res):
        from . import output_multi

        return output_multi.write_fields_multi(res, path)
    import xarray as xr

    m, gm = res.setup.mesh, res.setup.global_model
    dims = ("r_m", "z_m")
    ion = gm.names[int(gm.pos[0])]
    ds = xr.Dataset({"n_e_m3": (dims, res.n_e), "T_e_eV": (dims, res.T_e), "phi_V": (dims, res.phi),
                     "power_W_m3": (dims, res.power), "gas_temperature_K": (dims, res.T_gas),
                     f"{res.setup.neutral}_m3": (dims, res.n_gas), f"{ion}_m3": (dims, res.n_e)},
                    coords={"r_m": m.r, "z_m": m.z},
                    attrs={"model": "fluid2d", "chemistry": gm.chem.name,
                           "note": "z = 0 is the wafer, z = chamber length the window"})
    with atomic_path(path) as tmp:
        ds.to_netcdf(tmp, engine="h5netcdf")


def write_wafer_csv(res: Fluid2DResult | MultiResult, path: Path) -> None:
    write_csv(path, wafer_profile(res))


def plot_reactor(res: Fluid2DResult | MultiResult, path: Path) -> None:
    """Maps of n_e, T_e, power and the neutral density, and the wafer fluxes against r."""
    if _multi(res):
        from . import output_multi

        return output_multi.plot_multi(res, path)
    from matplotlib.figure import Figure

    m = res.setup.mesh
    fig = Figure(figsize=(11, 7))
    axs = fig.subplots(2, 3)
    maps = [(res.n_e, "n_e (m$^{-3}$)"), (res.T_e, "T_e (eV)"), (res.power, "power (W m$^{-3}$)"),
            (res.n_gas, f"{res.setup.neutral} (m$^{{-3}}$)"), (res.T_gas, "gas temperature (K)")]
    for ax, (f, label) in zip(axs.ravel(), maps):
        pc = ax.pcolormesh(m.r_faces * 100, m.z_faces * 100, f.T, shading="flat")
        fig.colorbar(pc, ax=ax)
        ax.set_title(label)
        ax.set_xlabel("r (cm)")
        ax.set_ylabel("z (cm)")
        ax.set_aspect("equal")
        cyl = res.setup.settings.coil.type == "cylindrical"
        ax.plot([(m.r_faces[-1] if cyl else r) * 100 for r, _ in res.setup.coil],
                [(z if cyl else m.z_faces[-1]) * 100 for _, z in res.setup.coil], "wx", ms=6)
    prof = wafer_profile(res)
    ax = axs[1, 2]
    ax.plot(prof["r_m"] * 100, prof["ion_flux_m2s"], "C0-", label="ion flux")
    ax.set_xlabel("r (cm)")
    ax.set_ylabel("ion flux (m$^{-2}$ s$^{-1}$)", color="C0")
    ax2 = ax.twinx()
    ax2.plot(prof["r_m"] * 100, prof[f"{res.setup.neutral}_flux_m2s"], "C1--")
    ax2.set_ylabel(f"{res.setup.neutral} flux (m$^{{-2}}$ s$^{{-1}}$)", color="C1")
    ax.set_title("at the wafer")
    fig.suptitle(f"fluid2d {res.setup.global_model.chem.name}: {res.setup.spec.source.power:g} W, "
                 f"{res.setup.spec.pressure:.3g} Pa (x: coil turns, outside the window)")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110)
