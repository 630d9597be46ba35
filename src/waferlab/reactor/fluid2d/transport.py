"""Quasi-neutral plasma transport on the (r, z) mesh: ion/electron continuity with the
ambipolar field and the electron energy equation (finite volumes).

Unknowns per cell: ln n (n = n_e = n_i) and T_e (eV).  With Boltzmann electrons the
ambipolar field is E = −T_e ∇ln n and the ion flux Γ = n u follows from the ion momentum
balance without inertia, e n E = m_i n ν_in u, with the variable collision frequency
ν_in = (v̄_i + π|u|/2)/λ_i: constant mobility e λ_i/(m_i v̄_i) at low field and the
variable mobility u² = 2eλ_iE/(π m_i) at high field (Lieberman & Lichtenberg 2005,
§5.3; Godyak 1986).  With the ion thermal pressure, the face drift u solves

    (π/2) u² + v̄_i u = (e λ_i/m_i) (T_e + T_i) |∂ ln n/∂ξ|.

With ``PlasmaCoefficients.ion_inertia`` (the ICP model) the ions' inertia and ionisation drag
are kept: the steady momentum equation of ions born at rest with the continuity substituted
along ξ, (c_s²(1 + T_i/T_e) − u²) G = u(ν_in + 2ν_iz), G = |∂ ln n/∂ξ|, i.e. λG u² and 2λν_iz u
added to the two terms on the left (:func:`ion_drift_inertial`).  Without them the drift grows
as √(λG) and, at low pressure, the profile goes flat and the wall loss tends to n u_B A
(h → 1); with them u stays below the sound speed and the wall loss agrees with the exact
kinetic plane discharge (:mod:`waferlab.validation.presheath`) within 3.5 % for l/λ = 0.3–290.

    ∇·Γ = ν_iz n                                              (continuity)
    ∇·(5/2 T_e Γ − κ_e ∇T_e) = p/e − n Σ_r ν_r E_r − Γ·∇φ     (electron energy, eV units)

with −Γ·∇φ = T_e Γ·∇ln n ≤ 0 the electrons' work against the ambipolar field, which the ions
gain (zero net current) and hand to the gas by collisions (their Joule heating; Hagelaar &
Pitchford, Plasma Sources Sci. Technol. 14, 722, 2005, eq. 13 form of the energy equation).
Between the wall cell and the sheath edge (the unresolved half cell) the ions' energy is the
Bohm presheath's T_e/2 of the wall loss below.

κ_e = 5/2 n D_e, D_e = T_e e/(m_e ν_m) (L&L §2.4); the collision sum carries the
chemistry's inelastic losses and 3 m_e/M T_e per elastic collision.  At a wall the ions
leave at the Bohm speed, Γ·n̂ = u_B n_s (n_s the sheath-edge density, solved from flux
continuity between the wall cell and the face), and each ion–electron pair takes
2T_e + T_e/2 + V_s, V_s = T_e ln√(M/2πm_e) (the global model's wall loss, L&L eq. 10.2.x).
The steady state is found by pseudo-transient continuation (Kelley & Keyes, SIAM J.
Numer. Anal. 35, 508, 1998) with Newton steps on a coloured finite-difference Jacobian.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ...constants import EV, K_B, M_E, PI
from .mesh import Mesh

__all__ = ["PlasmaCoefficients", "TransportResidual", "ion_drift", "ion_drift_inertial",
           "colour_groups", "coloured_jacobian", "gas_density"]

_EDGE_SIDES = ("r_max", "z_min", "z_max")


@dataclass(frozen=True, kw_only=True)
class PlasmaCoefficients:
    """Electron-impact data per electron and ion data of an electropositive plasma.

    ``rates(T_e, n_g)`` returns (ν_iz, loss_eV_per_s, ν_m) per electron for arrays of T_e (eV)
    and neutral density n_g (m⁻³).
    """

    m_i: float
    sigma_i: float
    T_i_eV: float
    rates: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]
    ion_inertia: bool = False        # True: the drift law with ion inertia (:func:`ion_drift_inertial`)


def _expm1_ratio(d):
    """(e^d − 1)/d, 1 at d = 0: n_f = n_a (e^d − 1)/d is the logarithmic mean of n_a, n_a e^d."""
    d = np.asarray(d, float)
    small = np.abs(d) < 1e-6
    return np.where(small, 1.0 + 0.5 * d, np.expm1(d) / np.where(small, 1.0, d))


def ion_drift(a: np.ndarray, vbar: np.ndarray) -> np.ndarray:
    """Positive root u of (π/2)u² + v̄u = a (m/s), a ≥ 0."""
    return 2 * a / (vbar + np.sqrt(vbar ** 2 + 2 * PI * a))


def ion_drift_inertial(a: np.ndarray, vbar: np.ndarray, lam_G: np.ndarray, lam_nu: np.ndarray) -> np.ndarray:
    """Positive root u of (π/2 + λG)u² + (v̄ + 2λν_iz)u = a (m/s), a = λ c_s²(1 + T_i/T_e) G ≥ 0,
    ``lam_G`` = λG, ``lam_nu`` = λν_iz.

    The steady momentum equation of cold ions born at rest, ∇·(n u u) = (e/M) n E − ∇p_i/M − ν_in n u,
    with Boltzmann electrons and the continuity ∇·(n u) = ν_iz n substituted along the flux direction
    (exact in a plane slab): u du/dξ = u ν_iz + u² G, G = −∂ln n/∂ξ, so

        (c_s²(1 + T_i/T_e) − u²) G = u (ν_in(u) + 2ν_iz),   ν_in = (v̄ + πu/2)/λ

    (the fluid presheath; Lieberman & Lichtenberg 2005, §5.1–5.3).  Local in u and G, so the
    5-point stencil stays.  λG → 0 and λν_iz/v̄ → 0 give :func:`ion_drift` (variable mobility);
    at low pressure u stays below the sound speed c_s√(1 + T_i/T_e) however steep the density
    falls, which the drift law alone does not (its u grows as √(λG) without bound)."""
    b = vbar + 2 * lam_nu
    return 2 * a / (b + np.sqrt(b ** 2 + 4 * (0.5 * PI + lam_G) * a))


def colour_groups(shape: tuple[int, int]) -> np.ndarray:
    """Cell colours (i + 2j) mod 5: cells of one colour have disjoint 5-point stencils'
    neighbourhoods, so one residual call per colour gives their Jacobian columns."""
    i, j = np.indices(shape)
    return (i + 2 * j) % 5


class TransportResidual:
    """Residuals of the continuity and energy equations for a fixed power density."""

    def __init__(self, mesh: Mesh, coef: PlasmaCoefficients):
        self.mesh, self.c = mesh, coef
        nr, nz = mesh.shape
        rf, zf, rc, zc = mesh.r_faces, mesh.z_faces, mesh.r, mesh.z
        self.V = mesh.volume
        self.Ar = 2 * PI * rf[1:-1, None] * mesh.dz[None, :]        # interior r faces
        self.dR = (rc[1:] - rc[:-1])[:, None]
        self.Az = np.broadcast_to(mesh.ring_area[:, None], (nr, nz - 1))
        self.dZ = (zc[1:] - zc[:-1])[None, :]
        # walls: (cell slice, face area, half distance)
        self.walls: dict[str, tuple[tuple[int | slice, int | slice], np.ndarray, float]]
        self.walls = {"r_max": (np.s_[-1, :], 2 * PI * rf[-1] * mesh.dz, rf[-1] - rc[-1]),
                      "z_min": (np.s_[:, 0], mesh.ring_area, zc[0] - zf[0]),
                      "z_max": (np.s_[:, -1], mesh.ring_area, zf[-1] - zc[-1])}
        self.n_g: np.ndarray | None = None
        self.power: np.ndarray | None = None

    def set_state(self, n_g: np.ndarray, power_W_m3: np.ndarray | None) -> None:
        """Gas density (m⁻³) and power density (W/m³, None: no power, F_E not used)
        held fixed in a Newton step."""
        self.n_g = np.asarray(n_g, float)
        self.power = None if power_W_m3 is None else np.asarray(power_W_m3, float)

    # -------------------------------------------------------------- fluxes
    def _face_flux(self, lnn_a, lnn_b, Te_a, Te_b, d, ng_f, nu_f=None):
        """Ion flux (m⁻²s⁻¹) from cell a to cell b across a face at distance d (``nu_f``: ν_iz at
        the face, used with ``ion_inertia``)."""
        c = self.c
        g = (lnn_b - lnn_a) / d
        Tf = 0.5 * (Te_a + Te_b)
        lam = 1.0 / (ng_f * c.sigma_i)
        vbar = np.sqrt(8 * EV * c.T_i_eV / (PI * c.m_i))
        a = EV * lam / c.m_i * (Tf + c.T_i_eV) * np.abs(g)
        if c.ion_inertia and nu_f is not None:
            u = ion_drift_inertial(a, vbar, lam * np.abs(g), lam * nu_f)
        else:
            u = ion_drift(a, vbar)
        nf = np.exp(lnn_a) * _expm1_ratio(lnn_b - lnn_a)         # logarithmic mean
        return -np.sign(g) * nf * u, Tf, g

    def wall_edge(self, lnn_P, Te_P, d, ng, T_bohm=None, nu=None):
        """y = ln(n_P/n_s) at a wall face: n_s u_B = n_f u(y/d), n_f the logarithmic mean of
        n_P and n_s (bisection); u_B = √(eT_B/m_i), T_B = ``T_bohm`` (eV; None: T_e); ``nu``:
        ν_iz of the wall cell, used with ``ion_inertia``."""
        c = self.c
        lam = 1.0 / (ng * c.sigma_i)
        vbar = np.sqrt(8 * EV * c.T_i_eV / (PI * c.m_i))
        uB = np.sqrt(EV * (Te_P if T_bohm is None else T_bohm) / c.m_i)
        a0 = EV * lam / c.m_i * (Te_P + c.T_i_eV) / d
        inertial = c.ion_inertia and nu is not None
        lo, hi = np.zeros_like(Te_P), np.full_like(Te_P, 40.0)
        for _ in range(64):
            y = 0.5 * (lo + hi)
            u = ion_drift_inertial(a0 * y, vbar, lam * y / d, lam * nu) if inertial else ion_drift(a0 * y, vbar)
            f = _expm1_ratio(-y) * u - uB * np.exp(-y)
            hi = np.where(f > 0, y, hi)
            lo = np.where(f > 0, lo, y)
        y = 0.5 * (lo + hi)
        return y, uB * np.exp(lnn_P - y)

    def evaluate(self, lnn: np.ndarray, Te: np.ndarray, *, details: bool = False):
        """(F_n, F_E): net particle (s⁻¹) and energy (eV/s) sources per cell, shape (nr, nz)."""
        c, ng = self.c, self.n_g
        assert ng is not None, "set_state() first"    # the gas density is the caller's state
        n = np.exp(lnn)
        Te = np.maximum(Te, 0.05)
        nu_iz, loss, nu_m = c.rates(Te, ng)
        Fn = nu_iz * n * self.V
        FE = (self.power / EV - n * loss) * self.V if self.power is not None else np.zeros_like(n)
        De = EV * Te / (M_E * nu_m)
        heat_i = np.zeros_like(n)                      # ion Joule heating (eV/s per cell)
        for axis, A, d in ((0, self.Ar, self.dR), (1, self.Az, self.dZ)):
            a = np.s_[:-1, :] if axis == 0 else np.s_[:, :-1]
            b = np.s_[1:, :] if axis == 0 else np.s_[:, 1:]
            ngf = 0.5 * (ng[a] + ng[b])
            G, Tf, g = self._face_flux(lnn[a], lnn[b], Te[a], Te[b], d, ngf, 0.5 * (nu_iz[a] + nu_iz[b]))
            kap = 2.5 * 0.5 * (n[a] * De[a] + n[b] * De[b])
            Q = 2.5 * Tf * G - kap * (Te[b] - Te[a]) / d
            Fn[a] -= A * G
            Fn[b] += A * G
            FE[a] -= A * Q
            FE[b] += A * Q
            # work of the ambipolar field on the ions, |Γ| T_e |Δ ln n| per face (eV/s), half to
            # each cell: the electrons pay it (zero net current: Γ_e·∇φ = Γ_i·E), the ions gain it
            w = 0.5 * A * np.abs(G) * Tf * np.abs(g) * d
            heat_i[a] += w
            heat_i[b] += w
            FE[a] -= w
            FE[b] -= w
        wall = {}
        for side, (sl, A, d) in self.walls.items():
            Tp = Te[sl]
            kw = {"nu": nu_iz[sl]} if c.ion_inertia else {}     # (subclasses without it keep theirs)
            y, G = self.wall_edge(lnn[sl], Tp, d, ng[sl], **kw)
            Vs = Tp * 0.5 * np.log(c.m_i / (2 * PI * M_E))
            Fn[sl] -= A * G
            FE[sl] -= A * G * (2.5 * Tp + Vs)
            wall[side] = (G, np.exp(lnn[sl] - y))
        if details:
            return Fn, FE, dict(wall=wall, heat_ion_eV_s=heat_i, nu_iz=nu_iz, loss=loss, nu_m=nu_m)
        return Fn, FE

    def flux_divergence(self, lnn: np.ndarray, Te: np.ndarray) -> np.ndarray:
        """Σ_faces A Γ·n̂ per cell (s⁻¹): the particle loss by transport."""
        Fn, _ = self.evaluate(lnn, Te)
        assert self.n_g is not None                   # evaluate() has checked it
        nu_iz, _, _ = self.c.rates(np.maximum(Te, 0.05), self.n_g)
        return nu_iz * np.exp(lnn) * self.V - Fn

    # -------------------------------------------------------------- Newton
    def scaled(self, x: np.ndarray) -> np.ndarray:
        """Residual per unit n V: [F_n/(nV) (s⁻¹), F_E/(nV) (eV/s)] flattened."""
        nr, nz = self.mesh.shape
        lnn, Te = x[: nr * nz].reshape(nr, nz), x[nr * nz:].reshape(nr, nz)
        Fn, FE = self.evaluate(lnn, Te)
        nV = np.exp(lnn) * self.V
        return np.concatenate([(Fn / nV).ravel(), (FE / nV).ravel()])

    def jacobian(self, x: np.ndarray, f0: np.ndarray) -> sp.csr_matrix:
        """Sparse Jacobian of :meth:`scaled` by coloured forward differences (10 calls)."""
        return coloured_jacobian(self.scaled, x, f0, self.mesh.shape, 2)

    def sustaining_mode(self, Te: np.ndarray, lnn0: np.ndarray, *, tol: float = 1e-10,
                        max_iter: int = 50) -> tuple[np.ndarray, float]:
        """Density shape and ionisation frequency ν (s⁻¹, uniform) that sustain a steady
        discharge at fixed T_e: ∇·Γ = ν n with Σ n V fixed (a nonlinear eigenproblem,
        solved by Newton on the bordered system).  Returns (ln n, ν)."""
        nr, nz = self.mesh.shape
        N = nr * nz
        V = self.V.ravel()

        def f(lnn):
            n = np.exp(lnn).reshape(nr, nz)
            return (self.flux_divergence(lnn.reshape(nr, nz), Te) / (n * self.V)).ravel()

        x = lnn0.ravel().copy()
        total = float((np.exp(x) * V).sum())
        nu = float(np.median(f(x)))
        for _ in range(max_iter):
            g = f(x)
            F = np.concatenate([g - nu, [((np.exp(x) * V).sum() - total) / total]])
            J = coloured_jacobian(f, x, g, (nr, nz), 1)
            B = sp.bmat([[J, sp.csr_matrix(-np.ones((N, 1)))],
                         [sp.csr_matrix(np.exp(x) * V / total), None]], format="csc")
            d = spla.spsolve(B, -F)
            x += np.clip(d[:N], -1.0, 1.0)
            nu += d[N]
            if np.max(np.abs(d[:N])) < tol:
                break
        return x.reshape(nr, nz), nu

    def gas_heating(self, lnn, Te, m_gas: float) -> np.ndarray:
        """Heat to the gas (W/m³): elastic electron collisions 3(m_e/M) ν_m n e T_e plus the
        ion Joule heating in the ambipolar field times the fraction Λ/(Λ + λ_i) of ions that
        collide with a neutral before they reach a wall (Λ the chamber's diffusion length;
        collisionless ions give their energy to the walls)."""
        _, _, d = self.evaluate(lnn, Te, details=True)
        assert self.n_g is not None                   # evaluate() has checked it
        n = np.exp(lnn)
        R, L = self.mesh.r_faces[-1], self.mesh.z_faces[-1] - self.mesh.z_faces[0]
        Lam = 1.0 / np.hypot(2.405 / R, PI / L)
        f_coll = Lam / (Lam + 1.0 / (self.n_g * self.c.sigma_i))
        return EV * (3 * M_E / m_gas * d["nu_m"] * n * Te + f_coll * d["heat_ion_eV_s"] / self.V)


def coloured_jacobian(fun, x: np.ndarray, f0: np.ndarray, shape: tuple[int, int],
                      nfields: int, drop_zeros: bool = False) -> sp.csr_matrix:
    """Jacobian of ``fun`` (nfields per cell, 5-point coupling between cells, any coupling
    between the fields of one cell) by forward differences, 5·nfields calls
    (Curtis, Powell & Reid, IMA J. Appl. Math. 13, 117, 1974); ``drop_zeros`` leaves out
    the entries that are exactly zero (fields that do not depend on each other)."""
    nr, nz = shape
    N = nr * nz
    col = colour_groups(shape).ravel()
    idx = np.arange(N).reshape(nr, nz)
    nb: np.ndarray = np.full((5, nr, nz), -1)
    nb[0] = idx
    nb[1, :-1], nb[2, 1:] = idx[1:], idx[:-1]
    nb[3, :, :-1], nb[4, :, 1:] = idx[:, 1:], idx[:, :-1]
    nb = nb.reshape(5, N).T                                   # rows touched by each column
    rows, cols, vals = [], [], []
    fr_off = (np.arange(nfields) * N)[:, None]
    for field in range(nfields):
        for k in range(5):
            cells = np.flatnonzero(col == k)
            h = 1e-7 * np.maximum(1.0, np.abs(x[field * N + cells]))
            xp = x.copy()
            xp[field * N + cells] += h
            df = (fun(xp) - f0).reshape(nfields, N)
            r = nb[cells]
            ok = r >= 0
            rr = r[ok]
            cc = np.repeat(cells, 5).reshape(-1, 5)[ok] + field * N
            hh = np.repeat(h, 5).reshape(-1, 5)[ok]
            v = df[:, rr] / hh[None, :]
            keep = v != 0 if drop_zeros else np.ones(v.shape, bool)
            rows.append((fr_off + rr[None, :])[keep])
            cols.append(np.broadcast_to(cc[None, :], v.shape)[keep])
            vals.append(v[keep])
    n = nfields * N
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))


def gas_density(pressure: float, T_gas: np.ndarray) -> np.ndarray:
    """n_g = p/(k_B T_g) (m⁻³): the pressure is uniform in the chamber."""
    return pressure / (K_B * T_gas)
