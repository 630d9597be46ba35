"""Dopant diffusion: implicit finite volumes (box method) with adaptive TR-BDF2 steps.

Each species obeys ∂C/∂t = ∇·[D (∇C + C ∇ψ)], discretised on the box mesh with the
Scharfetter–Gummel flux between neighbouring nodes a, b (exact for constant D, ∇ψ on
the edge; second order for smooth fields):

    F_ab = T_ab D_ab [B(Δψ) C_a - B(-Δψ) C_b],  B(x) = x/(eˣ - 1),  Δψ = ψ_b - ψ_a,

T_ab = face area / distance.  ψ = 0 except for the Fermi model (ψ = ±ln(n/ni), the
built-in field of charged dopant-defect pairs).  Zero flux on the sides and bottom,
and on the surface unless a surface concentration is imposed (Dirichlet).

Time: TR-BDF2 (Bank et al., IEEE Trans. Electron Devices 32, 1992, 1985), L-stable,
second order; both stages use the matrix V - (γh/2) M, γ = 2 - √2, so one sparse LU
serves the whole step and, for state-independent coefficients at a fixed temperature,
every later step of the same size (steps are duration/2^k, factorisations cached).  Local
(RMS) error estimate of Hosea & Shampine (Appl. Numer. Math. 20, 21, 1996), filtered by the
same LU; nonlinear coefficients (Fermi) by a chord (frozen-LU) iteration,
Gauss–Seidel over species.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from ..errors import SimulationError
from .mesh import DiffusionMesh
from .models import DiffusionModel

__all__ = ["TimeStepping", "AnnealResult", "anneal", "assemble", "assemble_values", "bernoulli",
           "Krylov"]

GAMMA = 2.0 - math.sqrt(2.0)
K_ERR = (-3 * GAMMA ** 2 + 4 * GAMMA - 2) / (12 * (2 - GAMMA))


@dataclass(frozen=True, kw_only=True)
class TimeStepping:
    """Numerics of an anneal: relative tolerance, absolute floor relative to each
    field's largest value so far, first step as a fraction of the duration, step cap, Picard
    tolerance and iteration cap."""

    rtol: float = 1e-3
    atol_rel: float = 1e-6
    first_step: float = 1e-4
    max_steps: int = 20000
    picard_tol: float = 1e-6
    picard_max: int = 60
    chord_rate: float = 0.5   # refactor a field whose chord iteration contracts slower
    linear: str = "auto"   # direct (SuperLU), iterative (Jacobi-GMRES); auto: iterative in 3D


@dataclass(frozen=True, kw_only=True)
class AnnealResult:
    """Fields after the anneal (name -> flat array), their time integrals ∫ C dt
    (trapezoid rule over the accepted steps) and counters."""

    fields: dict[str, np.ndarray]
    time_integrals: dict[str, np.ndarray]
    steps: int
    rejected: int
    factorizations: int


def bernoulli(x: np.ndarray) -> np.ndarray:
    """B(x) = x/(eˣ - 1), with its series near 0."""
    x = np.asarray(x, float)
    small = np.abs(x) < 1e-6
    safe = np.where(small, 1.0, x)
    return np.where(small, 1.0 - 0.5 * x, safe / np.expm1(safe))


def assemble(mesh: DiffusionMesh, D: np.ndarray | float, psi: np.ndarray | None = None) -> sp.csc_matrix:
    """Matrix M with (M C)_a = Σ_b fluxes into box a (m³/s per m³ of concentration)."""
    indices, indptr, _, _ = mesh.pattern
    return sp.csc_matrix((assemble_values(mesh, D, psi), indices, indptr), shape=(mesh.n, mesh.n))


def assemble_values(mesh: DiffusionMesh, D: np.ndarray | float,
                    psi: np.ndarray | None = None) -> np.ndarray:
    """The data of :func:`assemble`'s matrix on ``mesh.pattern`` (no matrix built)."""
    a, b, T = mesh.edge_a, mesh.edge_b, mesh.trans
    D = np.broadcast_to(np.asarray(D, float), (mesh.n,))
    Df = 0.5 * (D[a] + D[b]) * T
    if psi is None:
        ba = bb = Df
    else:
        dpsi = psi[b] - psi[a]
        ba, bb = Df * bernoulli(dpsi), Df * bernoulli(-dpsi)
    indices, _, pos, _ = mesh.pattern
    vals = np.concatenate([-ba, bb, ba, -bb])
    return np.bincount(pos, weights=vals, minlength=indices.size)


class _Stepper:
    """Holds the mesh, model, Dirichlet data and the LU cache of one anneal."""

    def __init__(self, mesh: DiffusionMesh, model: DiffusionModel, temperature: Callable[[float], float],
                 fixed: Mapping[str, tuple[np.ndarray, float]], names: list[str],
                 iterative: bool = False):
        self.mesh, self.model, self.T = mesh, model, temperature
        self.names = names
        self.V = mesh.volumes
        self.fixed = {k: np.zeros(mesh.n, bool) for k in names}
        self.fixed_val = {k: 0.0 for k in names}
        for k, (mask, val) in fixed.items():
            self.fixed[k] = mask
            self.fixed_val[k] = val
        self.cache: dict = {}
        self.factorizations = 0
        self.iterative = iterative

    def matrix(self, k: str, t: float, state: dict) -> sp.csc_matrix:
        T = self.T(t)
        key = ("M", k, T)
        if key in self.cache:
            return self.cache[key]
        D, psi = self.model.coefficients(k, T, state)
        M = assemble(self.mesh, D, psi)
        if not self.model.state_dependent(k):
            self._remember(key, M)
        return M

    def _remember(self, key, value) -> None:
        if len(self.cache) > 48:
            self.cache.clear()
        self.cache[key] = value

    def rate(self, k: str, M, c: np.ndarray) -> np.ndarray:
        f = (M @ c) / self.V
        f[self.fixed[k]] = 0.0
        return f

    def system(self, k: str, M, coef: float) -> sp.csc_matrix:
        """V - coef M with the Dirichlet rows of field k replaced by identity rows."""
        indices, indptr, _, diag = self.mesh.pattern
        fx = self.fixed[k]
        data = -coef * M.data
        data[fx[indices]] = 0.0
        data[diag] += np.where(fx, 1.0, self.V)
        return sp.csc_matrix((data, indices, indptr), shape=M.shape)

    def factor(self, A):
        self.factorizations += 1
        if not np.all(np.isfinite(A.data)):
            raise SimulationError("non-finite matrix entries (the iteration diverged)")
        if self.iterative:
            return Krylov(A)
        try:
            return splu(A, permc_spec="MMD_AT_PLUS_A")
        except RuntimeError as exc:             # singular: let the caller retry smaller
            raise SimulationError(f"sparse factorisation failed: {exc}") from None

    def lu(self, k: str, M, coef: float, t: float):
        key = None
        if not self.model.state_dependent(k):
            key = (k, coef, self.T(t))
            if key in self.cache:
                return self.cache[key]
        lu = self.factor(self.system(k, M, coef))
        if key is not None:
            self._remember(key, lu)
        return lu

    def solve_stage(self, t: float, coef: float, rhs: dict, guess: dict, opts: TimeStepping):
        """Solve (V - coef M(X, t)) X = rhs for every field.  Linear or sequentially
        coupled models: one Gauss–Seidel sweep.  Nonlinear (Fermi): chord iteration,
        X += LU⁻¹ (rhs - A(X) X) with an LU kept across iterations and steps of the same
        size, refreshed when convergence is slow."""
        state = dict(guess)
        lus = {}
        for k in self.names:
            rhs[k] = rhs[k].copy()
            rhs[k][self.fixed[k]] = self.fixed_val[k]
        if not self.model.nonlinear:
            for k in self.names:
                M = self.matrix(k, t, state)
                lu = self.lu(k, M, coef, t)
                state[k] = lu.solve(rhs[k])
                lus[k] = (lu, M)
            return state, lus
        chord = self.cache.setdefault(("chord", coef), {})
        last = {k: math.inf for k in self.names}
        change = math.inf
        for it in range(opts.picard_max):
            change = 0.0
            for k in self.names:
                M = self.matrix(k, t, state)
                A = self.system(k, M, coef)
                if k not in chord:
                    chord[k] = self.factor(A)
                lu = chord[k]
                dx = lu.solve(rhs[k] - A @ state[k])
                state[k] = state[k] + dx
                scale = max(np.max(np.abs(state[k])), 1e-300)
                ck = float(np.max(np.abs(dx))) / scale
                if it and ck > opts.picard_tol and ck > opts.chord_rate * last[k]:
                    chord.pop(k, None)            # slow contraction: refactor field k
                last[k] = ck
                change = max(change, ck)
                lus[k] = (lu, M)
            if not np.isfinite(change):
                break
            if change < opts.picard_tol:
                return state, lus
        raise SimulationError(f"nonlinear iteration did not converge at t = {t:g} s "
                              f"(last relative change {change:.2e})")


class Krylov:
    """The sparse-LU interface (``solve``) by restarted GMRES (Saad & Schultz, SIAM J. Sci.
    Stat. Comput. 7, 856, 1986), for large 3D meshes where a complete LU fills in
    O(n^(4/3)) and more.  Preconditioner: the diagonal (Jacobi; free to build, and the
    box-method matrices V − γh M/2 are diagonally dominant: few iterations while
    γh D/h² stays moderate) or SuperLU's incomplete LU (``precond="ilu"``).  Converged to
    a relative residual ``rtol``; a failure is a SimulationError (the stepper retries
    with a smaller step)."""

    def __init__(self, A: sp.csc_matrix, *, rtol: float = 1e-11, precond: str = "jacobi"):
        from scipy.sparse.linalg import LinearOperator, spilu

        self.A = A.tocsr()
        if precond == "ilu":
            try:
                ilu = spilu(A, drop_tol=1e-3, fill_factor=2, permc_spec="MMD_AT_PLUS_A")
            except RuntimeError as exc:
                raise SimulationError(f"incomplete factorisation failed: {exc}") from None
            self.M = LinearOperator(A.shape, ilu.solve, dtype=float)
        else:
            inv = 1.0 / A.diagonal()
            self.M = LinearOperator(A.shape, lambda v: inv * v, dtype=float)
        self.rtol = rtol

    def solve(self, b: np.ndarray) -> np.ndarray:
        from scipy.sparse.linalg import gmres

        if not np.any(b):
            return np.zeros_like(b)
        x, info = gmres(self.A, b, rtol=self.rtol, atol=0.0, M=self.M, restart=60,
                        maxiter=40)
        if info != 0:
            raise SimulationError(f"GMRES did not converge (info {info})")
        return x


def _quantise(h: float, duration: float) -> float:
    """Largest step duration·2^-k not above h (k >= 0): a small set of step sizes, so
    cached factorisations are reused (only a clipped last step adds one)."""
    k = max(0, math.ceil(math.log2(duration / h) - 1e-12))
    return duration * 2.0 ** (-k)


def anneal(mesh: DiffusionMesh, fields: Mapping[str, np.ndarray], model: DiffusionModel, *,
           duration: float, temperature: Callable[[float], float],
           fixed: Mapping[str, tuple[np.ndarray, float]] | None = None,
           numerics: TimeStepping = TimeStepping()) -> AnnealResult:
    """Advance ``fields`` (name -> flat array on ``mesh``) for ``duration`` seconds.

    ``temperature(t)`` in K for t in [0, duration]; ``fixed`` maps a field to
    (boolean node mask, value) held as a Dirichlet condition (predeposition source).
    """
    names = model.field_order(list(fields))
    state = {k: np.array(fields[k], float).ravel() for k in names}
    if duration <= 0:
        return AnnealResult(fields=state, time_integrals={k: 0 * v for k, v in state.items()},
                            steps=0, rejected=0, factorizations=0)
    fixed = dict(fixed or {})
    surf = np.zeros(mesh.n, bool)
    surf[mesh.surface_nodes()] = True
    for k, val in model.surface_values().items():
        if k in state:
            fixed.setdefault(k, (surf, val))
    linear = numerics.linear
    if linear == "auto":
        from .gridmesh import GridMesh

        is3d = isinstance(mesh, GridMesh) and mesh.active.ndim == 3
        linear = "iterative" if is3d else "direct"
    st = _Stepper(mesh, model, temperature, fixed, names, iterative=linear == "iterative")
    g = GAMMA
    c1 = 1.0 / (g * (2 - g))
    c0 = (1 - g) ** 2 / (g * (2 - g))
    t, h = 0.0, _quantise(duration * numerics.first_step, duration)
    steps = rejected = 0
    integ = {k: np.zeros(mesh.n) for k in names}
    ref = {k: max(float(np.max(np.abs(state[k]))), abs(st.fixed_val[k]), 1e-300) for k in names}
    while t < duration:
        if steps + rejected > numerics.max_steps:
            raise SimulationError(f"anneal needed more than {numerics.max_steps} steps "
                                  f"(t = {t:g} of {duration:g} s); loosen rtol or check inputs")
        hh = min(h, duration - t)
        coef = 0.5 * g * hh
        f_n = {}
        rhs1 = {}
        for k in names:
            M = st.matrix(k, t, state)
            f_n[k] = st.rate(k, M, state[k])
            rhs1[k] = st.V * state[k] + coef * (M @ state[k])
        try:
            s1, _ = st.solve_stage(t + g * hh, coef, rhs1, state, numerics)
            rhs2 = {k: st.V * (c1 * s1[k] - c0 * state[k]) for k in names}
            s2, lus = st.solve_stage(t + hh, coef, rhs2, s1, numerics)
        except SimulationError:                 # nonlinear solve failed: retry smaller
            s1 = s2 = None
        err = 0.0 if s2 is not None else math.inf
        for k in (names if s2 is not None else ()):
            f_g = st.rate(k, st.matrix(k, t + g * hh, s1), s1[k])
            lu, M2 = lus[k]
            f_1 = st.rate(k, M2, s2[k])
            est = 2 * K_ERR * hh * (f_n[k] / g - f_g / (g * (1 - g)) + f_1 / (1 - g))
            e = lu.solve(st.V * est * (~st.fixed[k]))
            ref[k] = max(ref[k], float(np.max(np.abs(s2[k]))))
            scale = numerics.rtol * (np.abs(s2[k]) + numerics.atol_rel * ref[k])
            err = max(err, float(np.sqrt(np.mean((e / scale) ** 2))))
            if not np.all(np.isfinite(s2[k])):
                err = np.inf
        if err <= 1.0:
            t = duration if hh >= duration - t else t + hh
            for k in names:
                integ[k] += 0.5 * hh * (state[k] + s2[k])
            state = s2
            steps += 1
            grow = 16.0 if err < 1e-12 else min(16.0, max(1.0, 0.9 * err ** (-1 / 3)))
            h = _quantise(min(h * grow, duration), duration) if hh == h else h
        else:
            rejected += 1
            shrink = 0.2 if not math.isfinite(err) else max(0.2, 0.9 * err ** (-1 / 3))
            h = _quantise(hh * shrink, duration)
            if h < duration * 1e-16:
                raise SimulationError(f"time step underflow at t = {t:g} s (error {err:.3g})")
    return AnnealResult(fields=state, time_integrals=integ, steps=steps, rejected=rejected,
                        factorizations=st.factorizations)
