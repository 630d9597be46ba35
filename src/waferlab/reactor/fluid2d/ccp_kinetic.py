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

The heating priced by the kinetics (session 15).  The sheath model (:func:`.ccp_sheath.column_heating`)
sets the RF amplitude V_T at which the discharge absorbs the recipe's power, and so J₁, the sheath
voltages and widths and the ions' power eΓV̄.  With Maxwellian formulas at T_s it would price the
electrons' heating at ν_m(T_s) and v̄(T_B), while the kinetics absorb the same power at another J₁
(session 14: 1.47 against 1.07 of the PIC's J₁).  Here its two prices are the kinetics' own
(:func:`kinetic_prices`): per cell the ν_eff with ½J₁²m_eν_eff/(e²n) = ½J₁²Re(1/σ_p) (the kinetic
conductivity σ_p = (e²n/m)⟨1/(ν + iω)⟩ of the cell's EEDF), per sheath the T_stoc whose Maxwellian
S_stoc = ½m_e v̄ J₁²/(e²n_s) equals the kinetic Fermi heating of the electrons that reach that edge.
For a constant ν, ν_eff = ν, and for a Maxwellian edge T_stoc = T (tests).  The electrons then
absorb, at the sheath model's J₁, what the kinetics need for their collisions, plus what the
electrons reaching the walls take out.

Columns.  The kinetics are the centre column's; every column takes its T_s(z).  The density shape
is the ion transport's with one ionisation frequency per column (:func:`column_modes`, each
column's mean density in the local solution's ratio to the centre's): with one frequency for the
chamber (its J₀ eigenmode, session 14) the outer columns of the 0.3 m eduPIC chamber fell to 0.1 of
the centre, their sheaths widened to 18 mm, and the area-mean bulk length collapsed — the cycle
that kept the session-14 loop from converging.

The steady state.  Start: the local (Maxwellian) fluid solution.  The state x = (ln n_max, ln T_s(z),
ln ν_eff(z), ln T_stoc (2), ln escape energy (2), d/gap) is mapped by G: (a) the column modes at
T_s(z) give the density shape and the centre's ionisation frequency ν; (b) the sheath model with the
state's prices gives V_T, J₁, the sheaths and the new bulk length; (c) the kinetics of the centre
column, absorbing the column's electron power less its wall loss, at the density scale n_max for
which they ionise at ν (secant in ln n_max); their T_s (Riemann's T_B per cell), prices and escape
energies.  The first pass replaces the Maxwellian state; then Anderson mixing (depth
ANDERSON_DEPTH, damping MIXING; Walker & Ni, SIAM J. Numer. Anal. 49, 1715, 2011) on G(x) − x until
no component changes by KINETIC_TOL (1e-3; eduPIC: 6 steps).  The ions' energy at the electrodes,
the sheath voltages and the RF current follow from the sheath model.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from pathlib import Path

from ...errors import SimulationError
from ...constants import EV, M_E, PI
from .ccp import CCPResult, CCPSetup, _heating, _mean_width, _result, _solve_fluid, bulk_mesh
from .model import _load_checkpoint_faces, _save_checkpoint, spec_hash
from .ccp_nonlocal import NonlocalEEDF, cell_weights, kinetic_processes, nonlocal_eedf

__all__ = ["solve_nonlocal", "escape_energy", "kinetic_prices", "column_modes", "KINETIC_TOL", "KINETIC_ITERATIONS",
           "ANDERSON_DEPTH", "MIXING"]

KINETIC_TOL = 1e-3          # largest change of the state (relative for n_max, T_s, ν_eff, …; d/gap) in one step
KINETIC_ITERATIONS = 40
KINETIC_STAGE = 2           # the checkpoint's stage marker of the kinetic loop
ANDERSON_DEPTH = 5          # residuals kept by the Anderson mixing
MIXING = 0.5                # its damping β


def escape_energy(sol: NonlocalEEDF, j: int) -> float:
    """Energy (eV) an electron reaching the wall next to cell j takes out of the bulk: the well U_s
    at the sheath edge (the cell's U_j without ``U_edge``) plus the mean kinetic energy of an
    isotropic flux there, ∫u²f du/∫u f du."""
    U = sol.U[j] if sol.U_edge is None else float(sol.U_edge[0 if j == 0 else -1])
    w1, w2 = cell_weights(sol.grid, U, 1.0), cell_weights(sol.grid, U, 2.0)
    return float(U + (w2 * sol.F).sum() / (w1 * sol.F).sum())


def _column_power(res_heat, setup: CCPSetup) -> float:
    dz = setup.mesh.dz
    return float((res_heat.ohmic[0] * dz).sum() + res_heat.stochastic[0, 0] * dz[0]
                 + res_heat.stochastic[0, -1] * dz[-1])


def _kinetics(procs, setup: CCPSetup, shape, P, n_s_rel, n_g, T_g, U0, nu, n_guess, warm=None
              ) -> tuple[NonlocalEEDF, float]:
    """Secant in ln n_max: the centre column's kinetics ionise at the sustaining ν.  ``warm``: a
    previous solution (its RF current and conductivity per electron start the inner iteration)."""
    dz = setup.mesh.dz
    kw = {} if warm is None else {"J_guess": warm.J1, "sigma_guess": warm.sigma / warm.n, "U_edge0": warm.U_edge}

    def run(ln_n):
        n = shape * math.exp(ln_n)
        s = nonlocal_eedf(procs, dz, n, P, n_s_rel * math.exp(ln_n), n_gas=n_g, T_gas_K=T_g, omega=setup.omega,
                          U0=U0, **kw)
        return s, math.log(float((s.rate[-1] * n * dz).sum() / (n * dz).sum()) * n_g / nu)

    a = math.log(n_guess)
    sa, fa = run(a)
    if abs(fa) < 1e-5:
        return sa, math.exp(a)
    # ionising too fast: more electrons share the power (d ln ν / d ln n ≈ −3 in the eduPIC case)
    b = a + float(np.clip(fa / 3.0, -0.3, 0.3))
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


def column_modes(tr, Te: np.ndarray, lnn0: np.ndarray, weight: np.ndarray, *, tol: float = 1e-10,
                 max_iter: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """Density shape and the ionisation frequency ν_i of each column i that sustain a steady
    discharge at fixed T_e: ∇·Γ = ν_i n in column i, each column's mean density fixed at
    ``weight`` (nr,) times the centre column's (Newton on the bordered system, as
    :meth:`.transport.TransportResidual.sustaining_mode`, which has one ν for the whole chamber and
    so the chamber's J₀ eigenmode).  Returns (ln n, ν (nr,))."""
    from scipy.sparse import bmat, csr_matrix
    from scipy.sparse.linalg import spsolve

    from .transport import coloured_jacobian

    nr, nz = tr.mesh.shape
    N = nr * nz
    V = tr.V

    def f(lnn):
        n = np.exp(lnn).reshape(nr, nz)
        return (tr.flux_divergence(lnn.reshape(nr, nz), Te) / (n * V)).ravel()

    col = np.repeat(np.arange(nr), nz)
    E = csr_matrix((np.ones(N), (np.arange(N), col)), shape=(N, nr))
    Vc = V.sum(axis=1)
    x = lnn0.ravel().copy()
    total = float((np.exp(x) * V.ravel()).sum())
    target = np.asarray(weight, float) * Vc / float((np.asarray(weight, float) * Vc).sum())   # column shares
    nu = np.array([np.median(v) for v in f(x).reshape(nr, nz)])
    for _ in range(max_iter):
        g = f(x)
        nV = np.exp(x) * V.ravel()
        share = np.bincount(col, nV, nr) / total
        F = np.concatenate([g - nu[col], share - target])
        J = coloured_jacobian(f, x, g, (nr, nz), 1)
        C = csr_matrix((nV / total, (col, np.arange(N))), shape=(nr, N))
        d = spsolve(bmat([[J, -E], [C, None]], format="csc"), -F)
        x += np.clip(d[:N], -1.0, 1.0)
        nu += d[N:]
        if np.max(np.abs(d[:N])) < tol:
            break
    return x.reshape(nr, nz), nu


def kinetic_prices(sol: NonlocalEEDF, dz: np.ndarray, n_sheath: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the kinetics charge for the RF current: (ν_eff (nz,) s⁻¹, T_stoc (2,) eV) such that the
    sheath model's Maxwellian-form heating, ½J₁²m_eν_eff/(e²n) per cell and ½m_e v̄(T_stoc)J₁²/(e²n_s)
    per sheath (:mod:`.ccp_sheath` eqs. 2), absorbs what the kinetic EEDF absorbs at the same J₁:
    ν_eff = Re(1/⟨1/(ν_m + iω)⟩)-weighted power of the cell, i.e. ½J₁²Re(1/σ_p) with the kinetic σ_p,
    and T_stoc the Maxwellian temperature whose edge flux gives the same Fermi heating."""
    J2 = sol.J1 ** 2
    assert sol.ohmic_cells is not None and sol.stochastic_edges is not None
    nu = 2 * EV ** 2 * sol.n * sol.ohmic_cells / (M_E * dz * J2)
    vbar = 2 * EV ** 2 * np.asarray(n_sheath, float) * sol.stochastic_edges / (M_E * J2)
    return nu, PI * M_E * vbar ** 2 / (8 * EV)


def _anderson(X: list, R: list, x: np.ndarray, r: np.ndarray, beta: float) -> np.ndarray:
    """Anderson mixing (type II, depth len(X) − 1; H. F. Walker & P. Ni, SIAM J. Numer. Anal. 49,
    1715, 2011): the next iterate from the last iterates X and residuals R = G(X) − X."""
    if len(X) < 2:
        return x + beta * r
    dX = np.stack([X[i + 1] - X[i] for i in range(len(X) - 1)], axis=1)
    dR = np.stack([R[i + 1] - R[i] for i in range(len(R) - 1)], axis=1)
    g, *_ = np.linalg.lstsq(dR, r, rcond=None)
    return x + beta * r - (dX + beta * dR) @ g


def solve_nonlocal(spec, max_iterations: int | None = None, progress=None, checkpoint: Path | None = None,
                   resume: bool = False) -> CCPResult:
    """Steady state of the CCP with non-local electrons (module docstring); ``progress``: called
    with (step, change, n_max, bulk length change / gap) after each kinetic step.  ``checkpoint``:
    the kinetic state (n_max, T_s, the prices, the escape energies, the bulk length) is saved there
    after every step and when the loop stops (stage 2 of the fluid2d checkpoint format);
    ``resume`` continues the loop from it (the local start is solved again: it is deterministic
    and takes seconds; the Anderson history restarts)."""
    import time
    t0 = time.perf_counter()
    res = _solve_fluid(spec, max_iterations=max_iterations)
    setup0 = res.setup
    gap, R = setup0.gap, spec.chamber.radius
    nr, nz = setup0.mesh.shape
    procs = [p.process for p in kinetic_processes(setup0.global_model.chem)]
    if [p.kind for p in procs][-1] != "inelastic" or procs[-1].threshold_eV < max(p.threshold_eV for p in procs):
        raise SimulationError("electrons: nonlocal needs the ionisation as the last kinetic process")
    n_g, T_g = res.n_gas, res.T_gas
    ng0, Tg0 = float(n_g[0].mean()), float(T_g[0].mean())
    # the state: ln n_max, ln T_s(z), ln ν_eff(z), ln T_stoc (2), ln escape energy (2), d / gap
    i_T, i_nu, i_st, i_es = 1, 1 + nz, 1 + 2 * nz, 3 + 2 * nz
    _, _, nu_m = setup0.coef.rates(res.T_e, n_g)
    Te_edge = res.T_e[0, [0, -1]]
    d0 = gap - _mean_width(setup0, res.heating.s_bottom) - _mean_width(setup0, res.heating.s_top)
    x = np.concatenate([[math.log(float(res.n_e[0].max()))], np.log(res.T_e[0]), np.log(nu_m[0]),
                        np.log(Te_edge), np.log(2.5 * Te_edge), [d0 / gap]])
    cache: dict = {"lnn": np.log(res.n_e), "sol": None, "V_T": res.heating.V_T}
    # the columns' mean densities relative to the centre's: the local solution's (the kinetics are the
    # centre column's, and every column takes its T_s, so they cannot set a radial profile)
    weight = res.n_e.mean(axis=1) / float(res.n_e[0].mean())

    def G(x):
        d = x[-1] * gap
        setup = dataclasses.replace(setup0, mesh=bulk_mesh(R, d, nr, nz))
        tr = setup.transport(setup.mesh)
        tr.set_state(n_g, np.zeros((nr, nz)))
        Ts = np.broadcast_to(np.exp(x[i_T:i_nu])[None, :], (nr, nz)).copy()
        lnn, nus = column_modes(tr, Ts, cache["lnn"], weight)
        nu = float(nus[0])
        cache["lnn"] = lnn
        lnn = lnn - lnn[0].max() + x[0]
        shape = np.exp(lnn[0] - lnn[0].max())
        Tst = np.exp(x[i_st:i_es])
        heat = _heating(setup, tr, lnn, Ts, n_g, cache["V_T"],
                        nu_m=np.broadcast_to(np.exp(x[i_nu:i_st])[None, :], (nr, nz)).copy(),
                        T_stochastic=(np.full(nr, Tst[0]), np.full(nr, Tst[1]), np.full(nz, Tst[1])))
        cache["V_T"] = heat.V_T
        d_new = max(gap - _mean_width(setup, heat.s_bottom) - _mean_width(setup, heat.s_top), 0.1 * gap)
        tr.set_state(n_g, heat.power)
        _, _, det = tr.evaluate(lnn, Ts, details=True)
        E_esc = np.exp(x[i_es:-1])
        P = _column_power(heat, setup) - EV * sum(float(det["wall"][s][0][0]) * E_esc[k]
                                                  for k, s in enumerate(("z_min", "z_max")))
        n_max = math.exp(x[0])
        n_s_rel = np.array([det["wall"]["z_min"][1][0], det["wall"]["z_max"][1][0]]) / n_max
        prev = cache["sol"]
        sol, n_new = _kinetics(procs, setup, shape, P, n_s_rel, ng0, Tg0, None if prev is None else prev.U, nu,
                               n_max, warm=prev)
        cache["sol"] = sol
        nu_eff, T_stoc = kinetic_prices(sol, setup.mesh.dz, n_s_rel * n_new)
        esc = np.array([escape_energy(sol, 0), escape_energy(sol, nz - 1)])
        x_new = np.concatenate([[math.log(n_new)], np.log(np.maximum(sol.T_bohm, 0.05)), np.log(nu_eff),
                                np.log(T_stoc), np.log(esc), [d_new / gap]])
        return x_new, (setup, tr, lnn, Ts, heat, sol)

    history: list[float] = []
    X: list[np.ndarray] = []
    Rs: list[np.ndarray] = []
    key = spec_hash(spec) if checkpoint is not None else ""
    loaded = None
    if resume and checkpoint is not None and Path(checkpoint).is_file():
        xs, _, hist0, _, stage = _load_checkpoint_faces(Path(checkpoint), key, x.size)
        if stage == KINETIC_STAGE:
            loaded, history = xs, hist0
    if loaded is None:
        x_new, out = G(x)
        x = x_new                           # the first kinetic pass replaces the Maxwellian state
    else:
        x = loaded
    for _ in range(KINETIC_ITERATIONS):
        x_new, out = G(x)
        r = x_new - x
        change = float(np.max(np.abs(r)))
        history.append(change)
        if progress is not None:
            progress(len(history), change, math.exp(x[0]), abs(float(r[-1])))
        if checkpoint is not None:
            _save_checkpoint(Path(checkpoint), key, x, 0.0, history, stage=KINETIC_STAGE)
        if change < KINETIC_TOL:
            break
        X.append(x.copy())
        Rs.append(r.copy())
        del X[:-ANDERSON_DEPTH - 1], Rs[:-ANDERSON_DEPTH - 1]
        step = _anderson(X, Rs, x, r, MIXING) - x
        step[:-1] = np.clip(step[:-1], -0.5, 0.5)
        step[-1] = float(np.clip(step[-1], -0.05, 0.05))
        x = x + step
    else:
        raise SimulationError(f"fluid2d CCP with electrons: nonlocal: the kinetics did not reach a steady state in "
                              f"{KINETIC_ITERATIONS} steps (changes: {', '.join(f'{h:.1e}' for h in history[-6:])}; "
                              f"tolerance {KINETIC_TOL:g})")
    setup, tr, lnn, Ts, heat, sol = out
    tr.set_state(n_g, heat.power)
    xf = np.concatenate([lnn.ravel(), Ts.ravel()])
    result = _result(setup, tr, xf, heat, T_g, n_g, list(res.residual_history) + history, t0)
    return dataclasses.replace(result, kinetics=sol, kinetic_iterations=len(history))
