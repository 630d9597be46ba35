"""Newton step of the multi-species pseudo-transient solve with the Jacobian of the whole
residual, the coil's absorbed power included.

The power density in the electron energy rows is p = P q/S, q_i = ½Re σ_i |E_i|²,
S = Σ_j q_j V_j (P the recipe's absorbed power; :mod:`.em`), a function of every cell's
σ_j = n_e e²/(m_e(ν_m + iω)) (its n_e, and through ν_m its T_e and gas) by the field equation
A(σ)ψ = b.  The residual's other rows couple a cell to its four neighbours only, so their
Jacobian J_loc comes from coloured forward differences (:func:`.transport.coloured_jacobian`)
with p held; the power adds

    ∂p_i/∂x = (P/S)[∂q_i/∂x − (p_i/P) Σ_l V_l ∂q_l/∂x],
    ∂q_i/∂σ_j = ½|E_i|² δ_ij (σ_j real part) + Re σ_i Re(E_i* ∂E_i/∂σ_j),
    ∂E/∂σ_j = −A⁻¹ e_j (∂A_jj/∂σ_j) ψ_j / r        (:func:`.em.field_derivative`),

and ∂σ_j/∂x by one difference per field with every cell perturbed (σ_j is cell-local).  The
diagonal ½|E_i|² part is cell-local and joins the sparse matrix; the rest — the field's response
(a Green's function over the plasma, smooth) and the normalisation — is a dense block of the
energy rows, written as a truncated SVD (singular values above RANK_TOL of the largest), and
the step (M/Δt − J)δx = F is solved by the Woodbury formula on one sparse LU.

Measured (session 13, bench/results/fluid2d_jacobian_s13.md).  Until session 12 the step held p
(∂p/∂x = 0); sessions 11–12 put the SF6/O2 stalls down to "the algebraic rows and the power
outside the Jacobian".  Dense differences of the residual show that every local row, the
algebraic ones (quasi-neutrality, Σθ = 1) included, was already differentiated exactly by the
coloured differences (1e-4 of the row maximum on a stalled 4 × 24 state); the one missing block
is ∂p/∂x (76 % of the energy rows' n_e column).  With it (this module) SG on 4 × 24 takes 37
steps (38 with p held), but SG still diverges on 4 × 54 and ``ion_flux: pressure`` from the
global profile still runs away: the stalls are not the Jacobian's.  On the default 24 × 32 mesh
the dense part has rank 321 at RANK_TOL, and one step costs +12 s (this function) and +24 s
(the Woodbury solve) of CPU on top of ≈ 6 s.  So the pseudo-transient solve keeps p held by
default (``consistent=False`` in :func:`.ptc.pseudo_transient`) and this Jacobian is the checked
reference (tests/reactor/fluid2d/test_newton.py) and the bench's alternative.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .em import conductivity, field_derivative
from .transport import coloured_jacobian

__all__ = ["PowerJacobian", "power_jacobian", "consistent_jacobian", "woodbury_solve", "RANK_TOL"]

# Relative singular-value cut of the dense (non-local) part of ∂p/∂σ.
RANK_TOL = 1e-6


class PowerJacobian:
    """∂p/∂x of the power density, p (nr, nz) W/m³, as local + low-rank parts over the cells
    and fields: ``local[f]`` (Nc,) = ∂p_i/∂x_{f,i} through the cell's own ½|E_i|²;
    ``U`` (Nc, k), ``Z`` (n, k): the rest ≈ U Zᵀ."""

    def __init__(self, p, local, U, Z):
        self.p, self.local, self.U, self.Z = p, local, U, Z

    def dense(self) -> np.ndarray:
        """∂p/∂x as a dense (Nc, n) array (tests)."""
        nf, Nc = self.local.shape
        out = self.U @ self.Z.T
        for f in range(nf):
            out[np.arange(Nc), f * Nc + np.arange(Nc)] += self.local[f]
        return out


def power_jacobian(setup, sysm, x: np.ndarray, *, rank_tol: float = RANK_TOL) -> PowerJacobian:
    """p(x) and ∂p/∂x (module docstring) for the multi-species state x of ``setup``."""
    m, gm = setup.mesh, setup.global_model
    Nc, nf, N = m.size, sysm.nf, gm.N

    def sigma_of(xv):
        X = xv.reshape(nf, Nc)
        ne = np.exp(X[N])
        nu_m = sysm.chemistry(np.exp(X[:N]).reshape((N,) + m.shape), ne.reshape(m.shape),
                              np.maximum(X[N + 1], 0.05).reshape(m.shape))[4].ravel()
        return conductivity(ne, nu_m, setup.omega)

    sig = sigma_of(x)
    em = setup.em_mesh
    sig_em = np.zeros(em.shape, complex)
    sig_em[: m.nr, : m.nz] = sig.reshape(m.shape)
    E, dE = field_derivative(em, sig_em, setup.omega, m.shape, eps_r=setup.eps_r, coil=setup.coil)
    E = E.ravel()
    V = m.volume.ravel()
    P = setup.spec.source.power
    e2 = 0.5 * np.abs(E) ** 2
    q = sig.real * e2
    S = float((q * V).sum())
    p = P * q / S
    # non-local part of ∂q/∂σ (real and imaginary σ_j) and the normalisation
    nlR = sig.real[:, None] * np.real(np.conj(E)[:, None] * dE)
    nlI = sig.real[:, None] * np.real(np.conj(E)[:, None] * 1j * dE)
    qR = nlR.copy()
    qR[np.arange(Nc), np.arange(Nc)] += e2
    K = np.hstack([P / S * nlR - np.outer(p / S, V @ qR), P / S * nlI - np.outer(p / S, V @ nlI)])
    # ∂σ_j/∂x_{f,j}
    gR, gI = np.zeros((nf, Nc)), np.zeros((nf, Nc))
    for f in range(nf):
        sl = slice(f * Nc, (f + 1) * Nc)
        h = 1e-7 * np.maximum(1.0, np.abs(x[sl]))
        xp = x.copy()
        xp[sl] += h
        d = (sigma_of(xp) - sig) / h
        gR[f], gI[f] = d.real, d.imag
    local = P / S * e2[None, :] * gR
    Uk, s, Vt = np.linalg.svd(K, full_matrices=False)
    k = int(np.sum(s > rank_tol * s[0])) if s.size and s[0] > 0 else 0
    U = Uk[:, :k] * s[:k]
    Z = (Vt[:k, :Nc][:, None, :] * gR[None] + Vt[:k, Nc:][:, None, :] * gI[None]).reshape(k, nf * Nc).T
    return PowerJacobian(p.reshape(m.shape), local, U, Z)


def consistent_jacobian(fun: Callable[[np.ndarray], np.ndarray], sysm, x: np.ndarray, f0: np.ndarray,
                        pj: PowerJacobian, shape: tuple[int, int], nf: int):
    """(J, Y, Z) with ∂fun/∂x = J + Y Zᵀ: ``fun`` reads the power density ``sysm.power`` (= pj.p,
    held while J_loc is differenced); J sparse (the 5-point stencil and the local power term),
    Y, Z dense (n, k)."""
    J = coloured_jacobian(fun, x, f0, shape, nf, drop_zeros=True)
    Nc = shape[0] * shape[1]
    p0 = sysm.power
    eps = 1e-6
    try:
        sysm.power = p0 * (1.0 + eps)
        du = (fun(x) - f0) / eps
    finally:
        sysm.power = p0
    rows = np.flatnonzero(du)
    cell = rows % Nc
    B = sp.csr_matrix((du[rows] / p0.ravel()[cell], (rows, cell)), shape=(x.size, Nc))   # ∂F/∂p
    L = sp.hstack([sp.diags(pj.local[f]) for f in range(nf)], format="csr")
    return (J + B @ L).tocsr(), np.asarray(B @ pj.U), pj.Z


def woodbury_solve(A: sp.spmatrix, Y: np.ndarray, Z: np.ndarray, f: np.ndarray) -> np.ndarray:
    """δx of (A − Y Zᵀ)δx = f on one LU of A (NaN when singular); without Y (k = 0) the plain
    sparse solve of sessions 9–12, so that the default path's arithmetic is unchanged."""
    try:
        if Y.shape[1] == 0:
            return spla.spsolve(sp.csc_matrix(A), f)
        lu = spla.splu(sp.csc_matrix(A))
        y = lu.solve(f)
        W = lu.solve(Y)
        cap = np.eye(Y.shape[1]) - Z.T @ W
        return y + W @ np.linalg.solve(cap, Z.T @ y)
    except (RuntimeError, np.linalg.LinAlgError):
        return np.full(f.size, np.nan)
