"""Stiff implicit integrator for coupled reaction–diffusion systems (five-stream).

    V ∂X_f/∂t = (M_f X_f) + V R_f(X, T)

on the box mesh (M_f: field f's transport matrix on diffusion.assemble's pattern; it may
depend on the state, then it is frozen in the Newton Jacobian), with Dirichlet
values on the surface row for some fields.  Time: variable-step BDF2 (second order,
A- and L-stable; backward Euler for the first step),

    X₊ − a₁ Xₙ + a₂ Xₙ₋₁ = β h F(X₊),  ω = h/hₙ₋₁, a₁ = (1+ω)²/(1+2ω), a₂ = ω²/(1+2ω),
    β = (1+ω)/(1+2ω)

(Hairer & Wanner, *Solving ODEs II*, §III.5), each step solved by Newton's method on the
whole coupled system with the analytic Jacobian (local reaction blocks + diffusion) and
a sparse LU (SuperLU).  Local error: (2/11)|X₊ − X_pred| with X_pred the quadratic
extrapolation of the last three states (the BDF2 error constant 2/9 against the
predictor's 1).  Positivity: Newton iterates are clipped at 0 and a step whose converged
state has a component below −atol is rejected.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from ..errors import SimulationError
from .diffusion import assemble
from .mesh import DiffusionMesh

__all__ = ["CoupledSystem", "NewtonStepping", "CoupledResult", "integrate"]


class CoupledSystem(Protocol):
    nf: int
    names: list[str]

    def edge_data(self, X: np.ndarray, T: float, mesh: DiffusionMesh) -> np.ndarray:
        """(nf, nnz) values of each field's transport matrix on diffusion.assemble's
        pattern (zero rows for immobile fields)."""
        ...

    def surface_values(self, T: float, X: np.ndarray | None = None) -> dict[int, np.ndarray | float]: ...

    def reactions(self, X: np.ndarray, T: float, *, jacobian: bool = True): ...


@dataclass(frozen=True, kw_only=True)
class NewtonStepping:
    """Relative tolerance, absolute floor (relative to each field's largest value so
    far), first step (s), Newton iteration cap and tolerance (in units of the error
    weights), step cap."""

    rtol: float = 1e-3
    atol_rel: float = 1e-6
    first_step: float = 1e-9
    newton_max: int = 10
    newton_tol: float = 0.05
    max_steps: int = 50000


@dataclass(frozen=True, kw_only=True)
class CoupledResult:
    """Final state, counters; with ``track``: the accepted step times and the states at
    the tracked nodes (a schedule for :func:`integrate`'s ``follow``)."""

    X: np.ndarray
    steps: int
    rejected: int
    newton_iterations: int
    track_times: tuple = ()
    track_states: tuple = ()


class _Assembler:
    """The sparse pattern of J = V ⊗ 1 − βh (D ⊗ L + V · ∂R/∂X), node-major unknowns."""

    def __init__(self, mesh: DiffusionMesh, nf: int, dirichlet: list[int]):
        n = mesh.n
        self.n, self.nf = n, nf
        L = assemble(mesh, 1.0).tocoo()
        self.Lrow, self.Lcol = L.row, L.col
        self._op_rows: np.ndarray | None = None
        k = np.arange(n)
        f, g = np.meshgrid(np.arange(nf), np.arange(nf), indexing="ij")
        rows_loc = (k[None, None, :] * nf + f[:, :, None]).ravel()
        cols_loc = (k[None, None, :] * nf + g[:, :, None]).ravel()
        rows_d = (L.row[None, :] * nf + np.arange(nf)[:, None]).ravel()
        cols_d = (L.col[None, :] * nf + np.arange(nf)[:, None]).ravel()
        self.Ldata = L.data
        rows = np.concatenate([rows_loc, rows_d])
        cols = np.concatenate([cols_loc, cols_d])
        self.dir_rows = np.zeros(n * nf, bool)
        surf = mesh.surface_nodes()
        for fi in dirichlet:
            self.dir_rows[surf * nf + fi] = True
        keep = ~self.dir_rows[rows]
        self.keep = keep
        rows, cols = rows[keep], cols[keep]
        dr = np.nonzero(self.dir_rows)[0]
        rows = np.concatenate([rows, dr])
        cols = np.concatenate([cols, dr])
        key = cols.astype(np.int64) * (n * nf) + rows
        uniq, self.pos = np.unique(key, return_inverse=True)
        self.indices = (uniq % (n * nf)).astype(np.int32)
        indptr = np.zeros(n * nf + 1, np.int64)
        np.add.at(indptr, (uniq // (n * nf)) + 1, 1)
        self.indptr = np.cumsum(indptr).astype(np.int32)
        self.ndir = dr.size
        # 1D: node-major unknowns give a band matrix (half-bandwidth nf): LAPACK gbsv
        self.banded = mesh.x.size == 1
        if self.banded:
            N = n * nf
            self.bw = nf
            bi = 2 * nf + rows - cols
            self.band_flat = bi.astype(np.int64) * N + cols
            self.band_shape = (3 * nf + 1, N)

    def operator(self, E: np.ndarray):
        """Y (nf, n) -> (M_f Y_f) for every field, E (nf, nnz) the edge data."""
        n, nf = self.n, self.nf
        if self._op_rows is None:
            self._op_rows = ((np.arange(nf) * n)[:, None] + self.Lrow[None, :]).ravel()
        rows, cols = self._op_rows, self.Lcol
        return lambda Y: np.bincount(rows, weights=(E * Y[:, cols]).ravel(),
                                     minlength=nf * n).reshape(nf, n)

    def factor(self, V, E, Jloc, bh):
        """A solver for J x = rhs: banded LU (LAPACK gbtrf) in 1D, SuperLU otherwise."""
        vals = self._values(V, E, Jloc, bh)
        if self.banded:
            from scipy.linalg.lapack import dgbtrf, dgbtrs

            ab = np.bincount(self.band_flat, weights=vals,
                             minlength=self.band_shape[0] * self.band_shape[1])
            lu, piv, info = dgbtrf(ab.reshape(self.band_shape), self.bw, self.bw, overwrite_ab=1)
            if info != 0:
                raise np.linalg.LinAlgError(f"banded LU failed (info {info})")

            def solve(rhs):
                x, info2 = dgbtrs(lu, self.bw, self.bw, rhs, piv)
                return x
            return solve
        data = np.bincount(self.pos, weights=vals, minlength=self.indices.size)
        N = self.n * self.nf
        A = sp.csc_matrix((data, self.indices, self.indptr), shape=(N, N))
        # equilibrate (rows by their largest entry) so the diagonal pivots can be kept
        rs = 1.0 / np.maximum(abs(A).max(axis=1).toarray().ravel(), 1e-300)
        lu = splu(sp.diags(rs) @ A, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.01,
                  options={"SymmetricMode": True})
        return lambda rhs: lu.solve(rs * rhs)

    def _values(self, V, E, Jloc, bh) -> np.ndarray:
        nf = self.nf
        loc = -bh * Jloc * V[None, None, :]
        idx = np.arange(nf)
        loc[idx, idx, :] += V[None, :]
        dif = (-bh * E).ravel()
        vals = np.concatenate([loc.ravel(), dif])[self.keep]
        return np.concatenate([vals, np.ones(self.ndir)])


def integrate(mesh: DiffusionMesh, system: CoupledSystem, X0: np.ndarray, *, duration: float,
              temperature: Callable[[float], float],
              numerics: NewtonStepping = NewtonStepping(),
              monitor: Callable[[float, float, np.ndarray, np.ndarray], None] | None = None,
              scales: np.ndarray | None = None, track: np.ndarray | None = None,
              follow: tuple | None = None) -> CoupledResult:
    """Advance X0 (nf, n) for ``duration`` s; ``monitor(t0, t1, X0, X1)`` after each
    accepted step; ``scales`` (nf,): each field's magnitude for the absolute error floor
    (default: its initial maximum).  ``track`` (flat node indices): keep the accepted
    step times and the states at those nodes (initial state first) in the result.
    ``follow`` = (times, states): take exactly those steps (no error test), each Newton
    iteration started from this run's state plus the increment of the given states over
    the step (another mesh's tracked run, so that the two runs differ only by their
    spatial discretisation: the mesh check); a step whose Newton iteration fails is
    taken in adaptive sub-steps instead."""
    nf, n = system.nf, mesh.n
    X = np.array(X0, float).reshape(nf, n)
    if duration <= 0:
        return CoupledResult(X=X, steps=0, rejected=0, newton_iterations=0)
    dirichlet = list(system.surface_values(temperature(0.0)))
    asm = _Assembler(mesh, nf, dirichlet)
    V = mesh.volumes
    surf = mesh.surface_nodes()
    ref = np.maximum(np.max(np.abs(X), axis=1), 1e-300)
    if scales is not None:
        ref = np.maximum(ref, scales)
    for fi, val in system.surface_values(temperature(0.0)).items():
        ref[fi] = max(ref[fi], val)
    hist: list[tuple[float, np.ndarray]] = [(0.0, X.copy())]
    lu: dict = {}                                   # the last factored iteration matrix
    t, h = 0.0, min(numerics.first_step, duration)
    h_prev = None
    steps = rejected = newton_total = 0
    ft, fs = follow if follow is not None else ((), ())
    n_follow, k, on_schedule = len(ft), 0, True
    times: list[float] = []
    states: list[np.ndarray] = [] if track is None else [X[:, track].copy()]
    while t < duration * (1 - 1e-14):
        if steps + rejected > numerics.max_steps:
            raise SimulationError(f"five-stream anneal needed more than {numerics.max_steps} "
                                  f"steps (t = {t:g} of {duration:g} s)")
        scheduled = on_schedule and k < n_follow
        if scheduled:
            h = ft[k] - t
        elif k < n_follow:                       # adaptive sub-steps up to the next time
            h = min(h, ft[k] - t)
        h = min(h, duration - t)
        t1 = t + h
        T = temperature(t1)
        if h_prev is None:
            a1, a2, beta = 1.0, 0.0, 1.0
            rhs = X
        else:
            w = h / h_prev
            a1, a2, beta = (1 + w) ** 2 / (1 + 2 * w), w * w / (1 + 2 * w), (1 + w) / (1 + 2 * w)
            rhs = a1 * X - a2 * hist[-2][1]
        pred = _predict(hist, t1)
        guess = X if pred is None else np.maximum(pred, 0.0)
        if scheduled:                 # this run's state plus the followed run's increment
            guess = np.maximum(X + fs[k + 1] - fs[k], 0.0)
        Y, ok, its = _newton(system, asm, mesh, V, rhs, X, beta * h, T, surf, ref, numerics,
                             guess=guess, lu=lu)
        newton_total += its
        err = math.inf
        if scheduled and not ok:
            on_schedule = False                # sub-steps, adaptive, to the scheduled time
        elif scheduled:
            err = 0.0
        elif ok:
            scale = numerics.rtol * (np.abs(Y) + numerics.atol_rel * ref[:, None])
            if pred is None:                                 # first step: BE vs explicit Euler
                R, _ = system.reactions(X, T, jacobian=False)
                f0 = asm.operator(system.edge_data(X, T, mesh))(X) / V + R
                est = 0.5 * (Y - X - h * f0)
            else:
                est = (2.0 / 11.0) * (Y - pred)
            for fi in dirichlet:
                est[fi, surf] = 0.0
            err = float(np.max(np.sqrt(np.mean((est / scale) ** 2, axis=1))))
            if np.min(Y / ref[:, None]) < -numerics.atol_rel:
                err = math.inf
        if err <= 1.0:
            Y = np.maximum(Y, 0.0)
            if monitor is not None:
                monitor(t, t1, X, Y)
            hist = (hist + [(t1, Y.copy())])[-3:]
            if track is not None:
                times.append(t1)
                states.append(Y[:, track].copy())
            X = Y
            ref = np.maximum(ref, np.max(X, axis=1))
            t, h_prev = t1, h
            steps += 1
            if k < n_follow and t >= ft[k] - 1e-12 * duration:
                t, k, on_schedule = ft[k], k + 1, True
            fac = 4.0 if err < 1e-10 else min(4.0, max(0.5, 0.9 * err ** (-1 / 3)))
            h = h * fac
        else:
            rejected += 1
            fac = 0.25 if not math.isfinite(err) else max(0.2, 0.9 * err ** (-1 / 3))
            h = h * fac
            if h < 1e-18 * max(duration, 1.0):
                raise SimulationError(f"five-stream time step underflow at t = {t:g} s")
    return CoupledResult(X=X, steps=steps, rejected=rejected, newton_iterations=newton_total,
                         track_times=tuple(times), track_states=tuple(states))


def _predict(hist, t1):
    """Quadratic (Lagrange) extrapolation of the last three states to t1."""
    if len(hist) < 3:
        if len(hist) == 2:
            (ta, Xa), (tb, Xb) = hist
            return Xb + (Xb - Xa) * (t1 - tb) / (tb - ta)
        return None
    (ta, Xa), (tb, Xb), (tc, Xc) = hist
    la = (t1 - tb) * (t1 - tc) / ((ta - tb) * (ta - tc))
    lb = (t1 - ta) * (t1 - tc) / ((tb - ta) * (tb - tc))
    lc = (t1 - ta) * (t1 - tb) / ((tc - ta) * (tc - tb))
    return la * Xa + lb * Xb + lc * Xc


def _newton(system, asm, mesh, V, rhs, X0, bh, T, surf, ref, numerics, *, guess, lu):
    """Solve V (Y − rhs) − bh (M Y + V R(Y)) = 0 (Dirichlet rows: Y = value) by a
    modified Newton iteration from ``guess`` (the predictor).  The factored iteration
    matrix of an earlier step (``lu``: solve, bh, T) is reused while βh is within 25 %
    and T within 2 K of where it was factored; it is factored afresh at the current
    iterate when the iteration contracts slowly (by less than 0.3 per iteration), and a
    step that fails to converge on a reused matrix is retried with a fresh one (the
    converged state meets the same Newton tolerance either way).  The transport matrices
    M (which depend on the Fermi level through the charged defects) are taken at the
    step's start X0.  Converged when the correction, or the remaining error it implies
    at the observed contraction θ = |ΔY_k|/|ΔY_k−1| on one matrix, θ/(1 − θ)|ΔY_k|
    (Hairer & Wanner, *Solving ODEs II*, §IV.8), is below ``newton_tol`` in units of the
    error weights."""
    reuse = (lu.get("solve") is not None and abs(bh / lu["bh"] - 1.0) < 0.25
             and abs(T - lu["T"]) < 2.0)
    Y, ok, its = _newton_iterate(system, asm, mesh, V, rhs, X0, bh, T, surf, ref, numerics,
                                 guess, lu, reuse)
    if ok or not reuse:
        return Y, ok, its
    Y, ok, its2 = _newton_iterate(system, asm, mesh, V, rhs, X0, bh, T, surf, ref, numerics,
                                  guess, lu, False)
    return Y, ok, its + its2


def _newton_iterate(system, asm, mesh, V, rhs, X0, bh, T, surf, ref, numerics, guess, lu,
                    reuse):
    nf = system.nf
    Y = guess.copy()
    wt = 1.0 / (numerics.rtol * (np.abs(X0) + numerics.atol_rel * ref[:, None]))
    E = system.edge_data(X0, T, mesh)
    transport = asm.operator(E)
    solve = lu["solve"] if reuse else None
    last = math.inf
    sv = system.surface_values(T, X0)            # the surface Fermi level of the step start
    for it in range(1, numerics.newton_max + 1):
        for fi, val in sv.items():
            Y[fi, surf] = val if np.isscalar(val) else val[surf]
        R, J = system.reactions(Y, T, jacobian=solve is None)
        G = V * (Y - rhs) - bh * (transport(Y) + V * R)
        for fi in sv:
            G[fi, surf] = 0.0
        same = solve is not None and it > 1          # the matrix of the last iteration
        try:
            if solve is None:
                solve = asm.factor(V, E, J, bh)
                lu.update(solve=solve, bh=bh, T=T)
            dY = -solve(G.T.ravel()).reshape(-1, nf).T
        except (RuntimeError, np.linalg.LinAlgError):
            return Y, False, it
        if not np.all(np.isfinite(dY)):
            return Y, False, it
        Y = np.maximum(Y + dY, 0.0)
        size = float(np.max(np.abs(dY) * wt))
        if size < numerics.newton_tol:
            return Y, True, it
        theta = size / last if same else 1.0
        if theta < 1.0 and theta / (1.0 - theta) * size < numerics.newton_tol:
            return Y, True, it       # the remaining error θ/(1−θ)|ΔY| is below the tolerance
        if size > 0.3 * last:
            solve = None                 # slow contraction: refresh the Jacobian
        last = size
    return Y, False, numerics.newton_max
