"""The 2D CCP with non-local electrons (``fluid2d.ccp.electrons: nonlocal``): the bulk's electron
kinetics from :mod:`.ccp_nonlocal` (the EEDF as a function of total energy, Kortshagen, Busch &
Tsendin, Plasma Sources Sci. Technol. 5, 1, 1996) in place of the electron energy equation.

What replaces what.  With a non-Maxwellian, non-local EEDF there is no electron temperature; three
things of the fluid model used one:

1. the ambipolar field that drives the ions, E = −T_s ∇ln n with the local *screening*
   temperature T_s = n/(dn/dU) = (½∫u^(-½)f du / ∫u^(½)f du)⁻¹ of the kinetic EEDF f(u) = F(u + U(z))
   (the Boltzmann relation of a non-Maxwellian F; at the sheath edge it is Riemann's Bohm
   temperature T_B, so the ions also leave at u_B = √(eT_B/m_i)).  T_s is cold where the trapped
   electrons live (mid-gap) and hot at the sheath edges, which only the fast electrons reach;
2. the ionisation: ν = N⟨k_iz⟩, the column's density-weighted kinetic rate;
3. the energy balance: the kinetic equation's (power in = collisions, exactly), with the electrons
   that reach a wall taking out U_edge + ∫u²f/∫uf each (the well, and the kinetic energy of an
   isotropic flux).

The steady state.  Start: the local (Maxwellian) fluid solution, whose sheaths and heating give the
electron power of the centre column.  Then repeat: (a) the ion transport of :mod:`.transport`
with T_e := T_s(z) (the same in every column) gives the density shape and the ionisation frequency
ν that sustains it (:meth:`.transport.TransportResidual.sustaining_mode`); (b) the density scale
n_max for which the kinetics of the centre column, absorbing the column's electron power less its
wall loss, ionise at that ν (secant in ln n_max); (c) the sheaths and the RF amplitude of the new
plasma (:func:`.ccp._heating`: the power of the recipe), the bulk length between them (under-relaxed as in
:func:`.ccp.solve_ccp`), the new T_s and n_max (geometric under-relaxation ½) — until n_max and T_s
move by less than KINETIC_TOL and the bulk length by less than 1e-3 of the gap.  The ions' energy
at the electrodes, the sheath voltages and the RF current follow from the sheath model as with
local electrons.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from ...errors import SimulationError
from .ccp import RELAX, CCPResult, CCPSetup, _heating, _mean_width, _result, _solve_fluid, bulk_mesh
from .ccp_nonlocal import NonlocalEEDF, cell_weights, kinetic_processes, nonlocal_eedf

__all__ = ["solve_nonlocal", "escape_energy", "KINETIC_TOL", "KINETIC_ITERATIONS"]

KINETIC_TOL = 1e-3          # largest relative change of n_max and T_s between two kinetic steps
KINETIC_ITERATIONS = 30


def escape_energy(sol: NonlocalEEDF, j: int) -> float:
    """Energy (eV) an electron reaching the wall from cell j takes out of the bulk: the well U_j plus
    the mean kinetic energy of an isotropic flux, ∫u²f du/∫u f du."""
    w1, w2 = cell_weights(sol.grid, sol.U[j], 1.0), cell_weights(sol.grid, sol.U[j], 2.0)
    return float(sol.U[j] + (w2 * sol.F).sum() / (w1 * sol.F).sum())


def _column_power(res_heat, setup: CCPSetup) -> float:
    dz = setup.mesh.dz
    return float((res_heat.ohmic[0] * dz).sum() + res_heat.stochastic[0, 0] * dz[0]
                 + res_heat.stochastic[0, -1] * dz[-1])


def _kinetics(procs, setup: CCPSetup, shape, P, n_s_rel, n_g, T_g, U0, nu, n_guess) -> tuple[NonlocalEEDF, float]:
    """Secant in ln n_max: the centre column's kinetics ionise at the sustaining ν."""
    dz = setup.mesh.dz

    def run(ln_n):
        n = shape * math.exp(ln_n)
        s = nonlocal_eedf(procs, dz, n, P, n_s_rel * math.exp(ln_n), n_gas=n_g, T_gas_K=T_g, omega=setup.omega,
                          U0=U0)
        return s, math.log(float((s.rate[-1] * n * dz).sum() / (n * dz).sum()) * n_g / nu)

    a = math.log(n_guess)
    _, fa = run(a)
    b = a + 0.3 * math.copysign(1.0, fa)           # ionising too fast: more electrons share the power
    sb, fb = run(b)
    for _ in range(30):
        if abs(fb) < 1e-5:
            return sb, math.exp(b)
        c = b - fb * (b - a) / (fb - fa) if fb != fa else b + 0.1
        c = float(np.clip(c, b - 1.0, b + 1.0))
        a, fa = b, fb
        b = c
        sb, fb = run(b)
    raise SimulationError(f"electrons: nonlocal: no density makes the kinetics ionise at the sustaining "
                          f"rate {nu:.3g} s⁻¹ (last mismatch {fb:.2e} in ln ν)")


def solve_nonlocal(spec, max_iterations: int | None = None, progress=None) -> CCPResult:
    """Steady state of the CCP with non-local electrons (module docstring); ``progress``: called
    with (step, change, n_max, bulk length change / gap) after each kinetic step."""
    import time
    t0 = time.perf_counter()
    res = _solve_fluid(spec, max_iterations=max_iterations)
    setup = res.setup
    gap, R = setup.gap, spec.chamber.radius
    nr, nz = setup.mesh.shape
    procs = [p.process for p in kinetic_processes(setup.global_model.chem)]
    if [p.kind for p in procs][-1] != "inelastic" or procs[-1].threshold_eV < max(p.threshold_eV for p in procs):
        raise SimulationError("electrons: nonlocal needs the ionisation as the last kinetic process")
    lnn, heat, Ts = np.log(res.n_e), res.heating, res.T_e.copy()
    n_g, T_g = res.n_gas, res.T_gas
    ng0, Tg0 = float(n_g[0].mean()), float(T_g[0].mean())
    tr = setup.transport(setup.mesh)
    tr.set_state(n_g, heat.power)
    n_max, sol, d = float(res.n_e[0].max()), None, setup.mesh.z[-1] + 0.5 * setup.mesh.dz[-1]
    history: list[float] = []
    for _ in range(KINETIC_ITERATIONS):
        lnn, nu = tr.sustaining_mode(Ts, lnn)
        shape = np.exp(lnn[0] - lnn[0].max())
        P = _column_power(heat, setup)
        _, _, det = tr.evaluate(lnn - lnn[0].max() + math.log(n_max), Ts, details=True)
        if sol is not None:
            P -= sum(float(det["wall"][s][0][0]) * escape_energy(sol, j) * 1.602176634e-19
                     for s, j in (("z_min", 0), ("z_max", nz - 1)))
        n_s_rel = np.array([det["wall"]["z_min"][1][0], det["wall"]["z_max"][1][0]]) / n_max
        sol, n_new = _kinetics(procs, setup, shape, P, n_s_rel, ng0, Tg0, None if sol is None else sol.U, nu, n_max)
        Ts_new = np.broadcast_to(np.maximum(sol.T_bohm, 0.05)[None, :], (nr, nz)).copy()
        change = max(abs(math.log(n_new / n_max)), float(np.max(np.abs(Ts_new / Ts - 1))))
        history.append(change)
        n_max, Ts = math.sqrt(n_max * n_new), np.sqrt(Ts * Ts_new)       # geometric under-relaxation ½
        lnn = lnn - lnn[0].max() + math.log(n_max)
        heat = _heating(setup, tr, lnn, Ts, n_g, heat.V_T)
        d_new = gap - _mean_width(setup, heat.s_bottom) - _mean_width(setup, heat.s_top)
        moved = abs(d_new - d)
        if progress is not None:
            progress(len(history), change, n_max, moved / gap)
        if change < KINETIC_TOL and moved < 1e-3 * gap:
            break
        d = d + float(np.clip(RELAX * (max(d_new, 0.1 * gap) - d), -0.05 * gap, 0.05 * gap))
        setup = dataclasses.replace(setup, mesh=bulk_mesh(R, d, nr, nz))
        tr = setup.transport(setup.mesh)
        tr.set_state(n_g, heat.power)
    else:
        raise SimulationError(f"fluid2d CCP with electrons: nonlocal: the kinetics did not reach a steady state in "
                              f"{KINETIC_ITERATIONS} steps (changes: {', '.join(f'{h:.1e}' for h in history[-6:])}; "
                              f"tolerance {KINETIC_TOL:g})")
    tr.set_state(n_g, heat.power)
    x = np.concatenate([lnn.ravel(), Ts.ravel()])
    out = _result(setup, tr, x, heat, T_g, n_g, list(res.residual_history) + history, t0)
    return dataclasses.replace(out, kinetics=sol, kinetic_iterations=len(history))
