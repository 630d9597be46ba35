"""Ion energy and angle distributions at the wafer of the 2D CCP when its sheaths are collisional.

Where the CCP runs its collisional sheath law (``fluid2d.ccp.sheath: collisional``, or ``auto``
with λ_i < s_m: :func:`.ccp.build_ccp`), the ions make s_m/λ_i charge-exchange collisions on
their way through the powered sheath and the collisionless bimodal IEDF (peaks at
T_e/2 + V̄ ± ΔE/2) no longer describes them.  Each wafer column's sheath — V̄, V₁, s_m of the
column (:class:`.ccp_sheath.ColumnHeating`), λ_i = 1/(n_g σ_i) of the gas next to it, T_e,
the ion temperature and the gas temperature — is then crossed by ``n_ions`` test ions of
:func:`..iedf_mc.sheath_ions` (collisional ion space charge of Lieberman 1989, the electron
front driven so that the sheath voltage is V̄ + V₁ cos ωt, the CCP's own closure; with
``mean_voltage: series`` the powered sheath's front of the two-sheath waveform,
:func:`..sheath_rf.pair_front`).  The column's
mean ion energy replaces T_e/2 + V̄ in wafer.csv; the wafer's IEDF and IADF are the histograms of
all columns' ions, each column weighted by its ion current Γ(r) A(r).  Column k draws from the
stream ``("reactor", "iedf", k)`` of the run's seed.
``fluid2d.ccp.ion_cross_section: phelps`` (argon) replaces the constant σ_i by the
energy-dependent Ar⁺/Ar cross sections of Phelps (1994).  With collisionless sheaths nothing here
runs: the IEDF stays :func:`..sheath.iedf` (identical to before).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...context import RunContext
from ..iedf_mc import SheathIons, iedf_shape, ion_distributions, sheath_ions
from ..sheath import Distribution
from ..sheath_rf import pair_front

__all__ = ["CCPIons", "ccp_ions", "N_IONS"]

N_IONS = 4000                 # test ions per wafer column


@dataclass(frozen=True, kw_only=True)
class CCPIons:
    """The Monte Carlo ions of the wafer columns (``columns[k]`` of the k-th wafer column),
    ``weights`` (Γ A per column, summing to 1), the wafer's ``iedf``/``iadf``, per column the
    ``mean_energy_eV``, the collisionless energy ``sheath_energy_eV`` = T_e/2 + V̄ and
    ``collisionality`` s_m/λ_i; ``shape`` (:func:`..iedf_mc.iedf_shape` of the wafer) and the
    process time ``cpu_s``."""

    columns: tuple[SheathIons, ...]
    weights: np.ndarray
    iedf: Distribution
    iadf: Distribution
    mean_energy_eV: np.ndarray
    sheath_energy_eV: np.ndarray
    collisionality: np.ndarray
    shape: dict
    cpu_s: float

    @property
    def n_ions(self) -> int:
        return int(sum(c.injected for c in self.columns))

    @property
    def lost(self) -> int:
        return int(sum(c.lost for c in self.columns))


def ccp_ions(res, wafer: np.ndarray, *, seed: int = 0, n_ions: int = N_IONS,
             weights: np.ndarray | None = None) -> CCPIons | None:
    """The Monte Carlo of the module docstring for the columns ``wafer`` (bool, (nr,)) of the
    :class:`.ccp.CCPResult` ``res``; None where the sheaths are collisionless.  ``weights``
    (one per column of ``wafer``): each column's share of the wafer's ion current (default
    Γ(r) A(r) with the column's ring area; :meth:`.output.WaferRows.column_weights` for the
    wafer's rows)."""
    setup = res.setup
    if not setup.collisional:
        return None
    h, m = res.heating, setup.mesh
    idx = np.flatnonzero(wafer)
    seeds = RunContext(seed=seed).seeds(idx.size, "reactor", "iedf")
    T_i = float(setup.global_model.T_ion_eV)
    # mean_voltage: series — the powered sheath's front of the two-sheath waveform (sheath_rf.pair_front)
    front = None if setup.kappa is None else pair_front(h.V_a / h.V_b, "collisional")
    xs = "phelps_ar" if setup.phelps else "constant"
    cols = []
    for k, c in enumerate(idx):
        mfp = 1.0 / (float(res.n_gas[c, 0]) * setup.coef.sigma_i)
        cols.append(sheath_ions(Vbar=float(h.Vbar_bottom[c]), V1=float(h.V1_bottom[c]), s_m=float(h.s_bottom[c]),
                                mfp=mfp, m_i=setup.coef.m_i, T_e_eV=float(res.T_e_wafer[c]),
                                frequency=setup.ccp.frequency, ions="collisional", drive="voltage",
                                T_ion_eV=T_i, T_gas_K=float(res.T_gas[c, 0]), n_ions=n_ions,
                                seed=int(seeds[k]), front=front, cross_section=xs,
                                n_gas=float(res.n_gas[c, 0])))
    G = res.ion_flux_wafer[idx] * m.ring_area[idx] if weights is None else np.asarray(weights, float)
    wk = G / G.sum()
    E = np.concatenate([c.energy_eV for c in cols])
    th = np.concatenate([c.angle_rad for c in cols])
    w = np.concatenate([np.full(c.energy_eV.size, wk[k] / max(c.energy_eV.size, 1)) for k, c in enumerate(cols)])
    E_dist, A_dist = ion_distributions(E, th, w)
    E_sheath = 0.5 * res.T_e_wafer[idx] + h.Vbar_bottom[idx]
    return CCPIons(columns=tuple(cols), weights=wk, iedf=E_dist, iadf=A_dist,
                   mean_energy_eV=np.array([c.mean_energy_eV for c in cols]), sheath_energy_eV=E_sheath,
                   collisionality=np.array([c.s_m / c.mfp for c in cols]),
                   shape=iedf_shape(E, th, float((wk * E_sheath).sum()), w) | {"collisions_mean": float(
                       sum(wk[k] * c.collisions.mean() for k, c in enumerate(cols)))},
                   cpu_s=float(sum(c.cpu_s for c in cols)))

