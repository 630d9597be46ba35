"""Pseudo-transient continuation of the multi-species model (:mod:`.multi`).

Each step (i) solves the coil field for the current n_e and ν_m and scales ½Re(σ)|E_θ|² to the
absorbed power, (ii) takes one Newton step of pseudo-transient continuation on every species,
T_e, the wall coverages and, with gas heating, the gas temperature (:mod:`.species`),
(M/Δt − J)δx = F(x) with switched evolution relaxation (at least ×1.5 per step while the
residual falls; Kelley & Keyes, SIAM J. Numer. Anal. 35, 508, 1998); M is 1 for the species,
coverages and T_g (its row scaled to a relative rate), 3/2 for T_e and 0 for the algebraic rows
(quasi-neutrality, Σθ = 1).  J is the Jacobian of the residual by coloured differences with
the power density held in the step (exact for every other row and the algebraic rows, checked);
``consistent=True`` adds the power's dependence on the state (:mod:`.newton`, session 13: the
whole Jacobian, not the default because it did not remove the stalls and costs 6× per step on
the default mesh).  A step whose residual is not
finite or grows threefold is rejected and Δt quartered; a residual DIVERGED times its best
ends the solve (a SimulationError with the history, :func:`.model._not_converged`).

``ion_flux: pressure`` (:mod:`.ionflux`) is reached by continuation (:func:`pseudo_transient`):
the Scharfetter–Gummel steady state first, then the pressure form from it with the first step
10/ν_ref.  From the global model's profile the pressure form's transient ran away on every
mesh of 24 cells in z (Δt driven to 1e-8 s, the residual 1e5 → 1e7; the neutrals' rows worst),
with the whole Jacobian too; from the SG steady state with a small first step it converges
(bench/results/fluid2d_jacobian_s13.md; first steps of 0.01–1 s from there ran away).  The
default ``ion_flux: auto`` takes this path wherever the chemistry has negative ions
(:func:`ion_flux_of`); a pressure stage that stalls (PLATEAU) or diverges hands back the SG steady
state, which :mod:`.multi` returns with a RuntimeWarning (session 14).  The pressure stage's Δt
grows RAMP-fold after an accepted step whose residual rose (session 15: the
10 mTorr recipes had stalled because the SER step control cut Δt through that rise; see RAMP).
"""
from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ...constants import K_B
from .em import conductivity, solve_field
from .newton import consistent_jacobian, power_jacobian, woodbury_solve
from .transport import coloured_jacobian

_LOG = logging.getLogger(__name__)

__all__ = ["pseudo_transient", "ion_flux_of", "DIVERGED", "PLATEAU"]


def pseudo_transient(setup, gst, x0, dt0, history0: list, max_it: int, checkpoint, key: str, *,
                     z_faces=None, stage: int | None = None, size_only: bool = False,
                     consistent: bool = False):
    """The steady state on ``setup.mesh`` (:func:`_stage`'s dict); with ``ion_flux: pressure``
    and no start ``x0``, the SG steady state first and the pressure form from it (module
    docstring; the history holds both stages)."""
    args = dict(z_faces=z_faces, stage=stage, size_only=size_only, consistent=consistent)
    if size_only or x0 is not None or ion_flux_of(setup) != "pressure":
        return _stage(setup, gst, x0, dt0, history0, max_it, checkpoint, key, **args)
    first = _stage(setup, gst, None, dt0, history0, max_it, checkpoint, key, ion_flux="sg", **args)
    if not first["converged"]:
        return first
    left = max_it - (len(first["history"]) - len(history0))
    # a fresh history for the step control and the divergence test (the SG stage's converged
    # residual is not this stage's best); the result's history holds both stages
    second = _stage(setup, gst, first["x"], None, [], left, checkpoint, key, plateau=PLATEAU, ramp=RAMP, **args)
    if not second["converged"]:
        # the pressure stage stalled or ran away: the SG steady state is the result, with a
        # warning (.multi) that names the stage's residuals; never a silent non-converged state
        return {**first, "ion_flux": "sg", "fallback": [float(h) for h in second["history"]]}
    if not COMPLETE_FLUX:
        return {**second, "history": first["history"] + second["history"], "ion_flux": "pressure"}
    left -= len(second["history"])
    third = _stage(setup, gst, second["x"], None, [], left, checkpoint, key, plateau=PLATEAU, ramp=RAMP,
                   source_flux=COMPLETE_FLUX, **args)
    if not third["converged"]:
        return {**second, "history": first["history"] + second["history"], "ion_flux": "pressure",
                "fallback_cf": [float(h) for h in third["history"]]}
    return {**third, "history": first["history"] + second["history"] + third["history"], "ion_flux": "pressure",
            "complete_flux": True}


def ion_flux_of(setup) -> str:
    """The positive-ion face flux a recipe asks for, "sg" or "pressure": ``ion_flux: auto`` (the
    default) is the pressure form when the chemistry has negative ions (the ion–ion layers where
    SG over-estimates the flux, :mod:`.ionflux`), SG otherwise."""
    key = setup.settings.ion_flux
    if key == "auto":
        return "pressure" if setup.global_model.neg.size else "sg"
    return "pressure" if key == "pressure" else "sg"


def _stage(setup, gst, x0, dt0, history0: list, max_it: int, checkpoint, key: str, *,
           z_faces=None, stage: int | None = None, size_only: bool = False, consistent: bool = False,
           ion_flux: str | None = None, plateau: int | None = None, ramp: float | None = None,
           source_flux: bool | str = False):
    """Pseudo-transient continuation on ``setup.mesh`` from ``x0`` (None: the global state's
    profile, :func:`.multi._initial`) with the first step ``dt0`` (None: 10/ν_ref); a dict with
    the final x, dt, history, whether it converged, the residual system, flow, Reynolds and
    Knudsen numbers (``size_only``: the number of unknowns).  ``consistent``: the Jacobian of
    the whole residual (:mod:`.newton`; False: the power held in the step, as before session 13);
    ``ion_flux`` ("sg" or "pressure") overrides the recipe's positive-ion face flux; ``plateau``
    (steps): stop when the stage has stalled (:func:`_stalled`: the last ``plateau`` steps did not
    lower the best residual before them tenfold, counted from the residual's peak; None: run to
    ``max_it``; the accepted steps' residuals only, a rejected step's is not the transient's
    peak); ``ramp``: the factor by which Δt grows after an accepted step while the
    residual rises (None: the SER's max(ratio, 0.5), which shrinks Δt then; while it falls the
    SER's max(ratio, 1.5) either way)."""
    from .model import _save_checkpoint
    from .multi import _initial, gas_flow, ports_of, species_system

    s, m, gm, spec = setup.settings, setup.mesh, setup.global_model, setup.spec
    Nc = m.size
    N, Ns = gm.N, gm.Ns
    ports = ports_of(setup)
    fl, re, kn = gas_flow(setup, ports)
    sysm = species_system(setup, ports, fl)
    if ion_flux is not None:
        sysm.ion_flux = ion_flux
    sysm.source_flux = source_flux
    nf = sysm.nf
    if size_only:
        return nf * Nc
    heating = sysm.heat is not None
    x = _initial(setup, gst, sysm) if x0 is None else np.array(x0, float)
    T_g = np.full(m.shape, spec.gas_temperature)
    nu_ref = _ionisation_frequency(gm, gst)
    k_ref = max(gm.k_pump, 1.0)
    sl_n = slice(0, N * Nc)
    sl_q = slice(N * Nc, (N + 1) * Nc)
    sl_T = slice((N + 1) * Nc, (N + 2) * Nc)
    sl_s = slice((N + 2) * Nc, (N + 2 + Ns) * Nc)
    sl_g = slice((N + 2 + Ns) * Nc, nf * Nc)               # T_g (empty without gas heating)
    charged_rows: np.ndarray = np.zeros(N * Nc, bool).reshape(N, Nc)
    charged_rows[gm.z != 0] = True
    charged_rows = charged_rows.ravel()
    wall = np.tile(sysm.is_wall.ravel(), Ns) if Ns else np.zeros(0, bool)
    free_row = np.zeros(Ns * Nc, bool)
    if Ns:
        free_row[:Nc] = True
    site_dyn = wall & ~free_row

    def scaled(xv):
        F = sysm.residual(xv).reshape(nf, Nc)
        lnn = xv[sl_n].reshape(N, Nc)
        ne = np.exp(xv[sl_q])
        out = np.empty(nf * Nc)
        out[sl_n] = (F[:N] / (np.exp(lnn) * m.volume.ravel()[None])).ravel()
        out[sl_q] = F[N] * nu_ref
        out[sl_T] = F[N + 1] / (ne * m.volume.ravel())
        if Ns:
            th = np.exp(xv[sl_s])
            fs = F[N + 2: N + 2 + Ns].ravel()
            o = np.where(site_dyn, fs / np.maximum(th, 1e-300), fs * nu_ref)
            o = np.where(wall, o, -(xv[sl_s] + math.log(Ns)) * nu_ref)     # no wall: θ = 1/Ns
            out[sl_s] = o
        if heating:
            ng = np.exp(lnn[gm.neu]).sum(axis=0)
            out[sl_g] = F[-1] / (ng * K_B * xv[sl_g] * m.volume.ravel())
        return out

    Te_ref = float(gst.T_e)
    scale = np.empty(nf * Nc)
    scale[sl_n] = np.where(charged_rows, 1.0 / nu_ref, 1.0 / k_ref)
    scale[sl_q] = 1.0 / nu_ref
    scale[sl_T] = 1.0 / (nu_ref * Te_ref)
    scale[sl_s] = 1.0 / k_ref if Ns else 0.0
    scale[sl_g] = 1.0 / k_ref
    Mdiag = np.zeros(nf * Nc)
    Mdiag[sl_n] = 1.0
    Mdiag[sl_T] = 1.5
    Mdiag[sl_g] = 1.0
    if Ns:
        Mdiag[sl_s] = site_dyn.astype(float)
    Msp = sp.diags(Mdiag)
    dt = 10.0 / nu_ref if dt0 is None else float(dt0)
    history = list(history0)
    prev = history[-1] if history else None
    power = None
    it = 0
    x_prev = x
    accepted: list[float] = []                   # the residuals of the accepted steps (plateau test)
    while it < max_it:
        it += 1
        if checkpoint is not None and it % 5 == 0:
            _save_checkpoint(Path(checkpoint), key, x, dt, history, z_faces=z_faces, stage=stage)
        lnn = x[sl_n].reshape((N,) + m.shape)
        n_g = np.exp(lnn[gm.neu]).sum(axis=0)
        ne = np.exp(x[sl_q]).reshape(m.shape)
        Te = x[sl_T].reshape(m.shape)
        if heating:
            T_g = x[sl_g].reshape(m.shape)
        if consistent:                          # p and ∂p/∂x for the Jacobian (.newton)
            pj = power_jacobian(setup, sysm, x)
            power = pj.p
        else:
            power = _power(setup, ne, sysm.chemistry(np.exp(lnn), ne, np.maximum(Te, 0.05))[4])
        sysm.set_state(n_g, T_g, power)
        f = scaled(x)
        norm = float(np.max(np.abs(f * scale)))
        if prev is not None and (not np.isfinite(norm) or norm > 3 * prev) and dt > 1e-3 / nu_ref:
            x, dt = x_prev, dt / 4                       # reject the step
            history.append(norm if np.isfinite(norm) else float("inf"))
            continue
        if history and norm > DIVERGED * min(history):  # accepted at the Δt floor and diverged: stop
            history.append(norm)                         # (SimulationError with the history) instead
            break                                        # of running on to max_iterations
        history.append(norm)
        accepted.append(norm)
        if plateau is not None and _stalled(accepted, plateau):
            break                                        # stalled on a plateau (accepted steps only)
        if _LOG.isEnabledFor(logging.DEBUG):
            fs = np.abs(f * scale).reshape(nf, Nc)
            k = int(np.argmax(fs.max(axis=1)))
            _LOG.debug("step %d residual %.2e dt %.2e worst field %d cell %d T_g max %.0f", it, norm, dt, k,
                       int(np.argmax(fs[k])), float(T_g.max()))
        if not np.isfinite(norm):
            break
        if norm < s.tolerance and len(history) > 1:
            break
        if prev is not None:                     # SER, at least ×1.5 while the residual falls
            ratio = prev / norm
            dt *= min(max(ratio, 1.5 if ratio > 1 else (0.5 if ramp is None else ramp)), 4.0)
        prev = norm
        if consistent:
            J, Y, Z = consistent_jacobian(scaled, sysm, x, f, pj, m.shape, nf)
        else:
            J, Y, Z = coloured_jacobian(scaled, x, f, m.shape, nf, drop_zeros=True), np.zeros((x.size, 0)), None
        dx = woodbury_solve(Msp / dt - J, Y, Z, f)
        if not np.all(np.isfinite(dx)):
            dt /= 4
            continue
        dx[sl_n] = np.clip(dx[sl_n], -1.0, 1.0)
        dx[sl_q] = np.clip(dx[sl_q], -1.0, 1.0)
        dx[sl_T] = np.clip(dx[sl_T], -0.3 * x[sl_T], 0.3 * x[sl_T])
        if Ns:
            dx[sl_s] = np.clip(dx[sl_s], -1.0, 1.0)
        if heating:
            dx[sl_g] = np.clip(dx[sl_g], -0.2 * x[sl_g], 0.2 * x[sl_g])
        x_prev = x
        x = x + dx
    converged = bool(history) and np.isfinite(history[-1]) and history[-1] < s.tolerance
    return {"x": x, "dt": dt, "history": history, "converged": converged, "sysm": sysm, "flow": fl,
            "reynolds": re, "knudsen": kn}




# The pressure stage of the continuation stops when PLATEAU steps have not lowered its best
# residual tenfold (the 10 mTorr, 8 × 10 test recipe sat at 21 for 250 steps in session 13; the
# converged pressure stages lower it tenfold every 2–8 steps once past the first ≈ 10).
PLATEAU = 40

# A third stage from the pressure form's steady state with the complete-flux correction of the SG
# fluxes (``SpeciesSystem.source_flux``, :func:`.species.centroid_offset`; session 17): a study path,
# off.  On the 10 mTorr test recipe (n_r 4) it converges only limited (half the larger one-way flux);
# on the z faces ("z") its centre ion flux is 4.591 / 4.561 / 4.581e18 on 20 / 40 / 80 rows (the plain
# pressure form 4.306 / 4.425 / 4.524e18), at 15–70 more steps; a stage that does not converge hands
# back the pressure state (bench/results/sf6z_s17.md).
COMPLETE_FLUX: bool | str = False          # True: every face; "z": the z faces only

# The pressure stage's Δt grows RAMP-fold after an accepted step whose residual rose, where the SER
# would shrink it (``_stage(ramp=...)``; where the residual falls the SER is unchanged).  At the
# SG steady state the pressure form changes the ions' face fluxes, hence the electron flux
# Γ_e = Σ z_k Γ_k (a small difference of large ion fluxes where n_-/n_e ≈ 15) and T_e and n_e;
# they relax in microseconds while the neutrals, whose rows are scaled by the pumping rate, see
# the new dissociation rates before they can respond (a pumping time), so the scaled residual
# rises for the first ≈ 15 steps (10 mTorr, 8 × 10: 2.2 → 31, in the SF5 and O rows of wall
# cells) before it falls.  The SG solve's SER cuts Δt while the residual rises, so the stage
# never reached the neutrals' time scale (Δt stuck at 5e-8 s, a pumping time being ≈ 0.1 s) and
# stalled on every first step tried (session 14); with the ramp the 8 × 10 recipe's pressure stage
# converges in 53 steps (4 of them rejected first steps; residual 2.2 → 31 → 1e-7; session 15,
# bench/results/fluid2d_sf6_s15.md).  Each step is still implicit (one Newton step of
# (M/Δt − J)δx = F) and a step that triples the residual is still rejected; where the residual
# falls the step control is the SER's, so a stage that never rises is unchanged bit for bit.
RAMP = 1.3


def _stalled(h: list, plateau: int) -> bool:
    """Whether a stage with the residual history ``h`` has stalled: counted from the largest
    residual (the peak the stage rises to before it falls), the last ``plateau`` steps have not
    lowered the best residual before them tenfold; while the peak is among the last ``plateau``
    steps the stage is still in its transient, up to 3 × ``plateau`` steps in all."""
    if len(h) <= plateau:
        return False
    k = int(np.argmax(h))
    if k >= len(h) - plateau:
        return len(h) > 3 * plateau
    return min(h[-plateau:]) > 0.1 * min(h[k:-plateau])


# A pseudo-transient solve whose residual exceeds DIVERGED times its best so far has diverged
# (the SF6/O2 stalls of sessions 11–12 ran on to 300 steps at residuals of 1e15–1e19).
DIVERGED = 1.0e4


def _ionisation_frequency(gm, gst) -> float:
    """Σ k_iz n_g of the global state (s⁻¹): the scale of the charged-species residuals."""
    ng = float(gst.n[gm.neu].sum())
    k = gm.rate_coefficients(np.array([gst.T_e]), np.array([ng]))[:, 0]
    nu = 0.0
    for r_i in np.flatnonzero((gm.s_e > 0) & np.any(gm.slots == gm.N, axis=1)):
        others = [j for j in gm.slots[r_i] if j < gm.N]
        nu += k[r_i] * gm.s_e[r_i] * float(np.prod([gst.n[j] for j in others]))
    return max(nu, 1e3)



def _power(setup, n_e, nu_m):
    m, em = setup.mesh, setup.em_mesh
    sig = np.zeros(em.shape, complex)
    sig[: m.nr, : m.nz] = conductivity(n_e, nu_m, setup.omega)
    f = solve_field(em, sig, setup.omega, eps_r=setup.eps_r, coil=setup.coil)
    p = f.power_density()[: m.nr, : m.nz]
    return p * setup.spec.source.power / (p * m.volume).sum()
