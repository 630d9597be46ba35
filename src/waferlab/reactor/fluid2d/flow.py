"""Gas flow from the inlet to the pump: axisymmetric Stokes flow with Maxwell slip (MAC grid).

On the cell-centred mesh of :mod:`.mesh` the pressure lives at the cells and the velocity
components on the faces (u_r on r faces, u_z on z faces; Harlow & Welch, Phys. Fluids 8,
2182, 1965), so the face volume fluxes that convect the species are exactly
divergence-free.  The steady incompressible Stokes equations in (r, z)

    μ [∂_r((1/r)∂_r(r u_r)) + ∂_z² u_r] = ∂_r p,      μ [(1/r)∂_r(r ∂_r u_z) + ∂_z² u_z] = ∂_z p,
    (1/r)∂_r(r u_r) + ∂_z u_z = 0

(the r equation is the r component of the vector Laplacian, ∇²u_r − u_r/r²) are integrated
over the staggered control volumes (weight r dr dz).  The normal velocity is given on
every boundary face (inlet: the fed volume flow; pump port: the pumped volume flow
S = Q k_B T/p, the same pumping speed as the global model; walls and axis: 0).  The wall
tangential velocity obeys the first-order Maxwell slip condition u_s = ℓ ∂u_t/∂n,
ℓ = (2 − σ_v)/σ_v λ with full accommodation σ_v = 1 (Maxwell 1879; Karniadakis, Beskok &
Aluru, *Microflows and Nanoflows*, Springer 2005, §2.2), which holds for Knudsen numbers
λ/L ≲ 0.1 (slip regime); :func:`knudsen_regime` names the regime.  Inertia is dropped
(Stokes): the Reynolds number ρUL/μ of the solution is reported so that a user sees where
that stops holding (Re ≳ 1, near a narrow inlet).  Check: Hagen–Poiseuille flow with slip
in a tube, u_z = G(R² − r² + 2ℓR)/(4μ) (validation problem ``fluid2d_poiseuille_slip``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .mesh import Mesh

__all__ = ["FlowField", "stokes_flow", "knudsen_regime"]


@dataclass(frozen=True)
class FlowField:
    """Face velocities (m/s): ``u_r`` shape (nr+1, nz) on the r faces, ``u_z`` (nr, nz+1)
    on the z faces (boundary faces included), pressure deviation ``p`` (Pa) at the cells."""

    mesh: Mesh
    u_r: np.ndarray
    u_z: np.ndarray
    p: np.ndarray

    def volume_fluxes(self) -> tuple[np.ndarray, np.ndarray]:
        """Face volume flows (m³/s, positive along +r / +z): 2π r Δz u_r and π Δ(r²) u_z."""
        m = self.mesh
        return (2 * np.pi * m.r_faces[:, None] * m.dz[None, :] * self.u_r,
                m.ring_area[:, None] * self.u_z)

    def divergence(self) -> np.ndarray:
        """Net outflow per cell (m³/s): 0 to round-off for a solution."""
        Fr, Fz = self.volume_fluxes()
        return (Fr[1:] - Fr[:-1]) + (Fz[:, 1:] - Fz[:, :-1])

    def cell_speed(self) -> np.ndarray:
        """|u| at the cell centres (m/s), from the face averages."""
        ur = 0.5 * (self.u_r[1:] + self.u_r[:-1])
        uz = 0.5 * (self.u_z[:, 1:] + self.u_z[:, :-1])
        return np.hypot(ur, uz)


def knudsen_regime(kn: float) -> str:
    """Flow regime of a Knudsen number (Karniadakis et al. 2005, §1.2)."""
    if kn < 1e-3:
        return "continuum"
    if kn < 0.1:
        return "slip"
    if kn < 10:
        return "transition"
    return "free molecular"


def stokes_flow(mesh: Mesh, mu: float, *, u_r_wall: np.ndarray | None = None,
                u_z_bottom: np.ndarray | None = None, u_z_top: np.ndarray | None = None,
                slip_length: float = 0.0) -> FlowField:
    """Stokes flow in the chamber for given boundary normal velocities (m/s, positive along
    +r / +z): ``u_r_wall`` (nz,) on the side wall, ``u_z_bottom`` / ``u_z_top`` (nr,) on the
    end walls (default 0).  The net volume flow through the boundary must vanish.
    ``slip_length`` ℓ (m) applies u_t = ℓ ∂u_t/∂n on the walls (0: no slip)."""
    nr, nz = mesh.shape
    rf, zf, rc, zc = mesh.r_faces, mesh.z_faces, mesh.r, mesh.z
    dr, dz = mesh.dr, mesh.dz
    ring = 0.5 * np.diff(rf ** 2)                        # per radian
    ur_w = np.zeros(nz) if u_r_wall is None else np.asarray(u_r_wall, float)
    uzb = np.zeros(nr) if u_z_bottom is None else np.asarray(u_z_bottom, float)
    uzt = np.zeros(nr) if u_z_top is None else np.asarray(u_z_top, float)
    net = rf[-1] * (dz * ur_w).sum() + (ring * (uzt - uzb)).sum()
    scale = rf[-1] * (dz * np.abs(ur_w)).sum() + (ring * (np.abs(uzt) + np.abs(uzb))).sum()
    if abs(net) > 1e-9 * max(scale, 1e-300):
        raise ValueError(f"boundary volume flows do not balance (net outflow {net:.3e} m^3/s/rad)")
    # unknown numbering: u_r at interior r faces (nr-1, nz), u_z at interior z faces (nr, nz-1), p (nr, nz)
    iur = np.arange((nr - 1) * nz).reshape(nr - 1, nz)
    iuz = iur.size + np.arange(nr * (nz - 1)).reshape(nr, nz - 1)
    ip = iur.size + iuz.size + np.arange(nr * nz).reshape(nr, nz)
    n_tot = ip.size + iur.size + iuz.size
    rows, cols, vals = [], [], []
    rhs = np.zeros(n_tot)

    def add(r, c, v):
        r, c, v = np.broadcast_arrays(r, c, v)
        rows.append(r.ravel())
        cols.append(c.ravel())
        vals.append(np.asarray(v, float).ravel())

    # ---- r momentum at r face i+1 (between cells i, i+1), i = 0..nr-2
    if nr > 1:
        i = np.arange(nr - 1)[:, None]
        j = np.arange(nz)[None, :]
        row = iur
        rfi = rf[1:-1][:, None]
        dzj = dz[None, :]
        # radial "flux" r ∂_r((1/r)∂_r(r u)) ≈ [ (1/r)∂_r(r u) ] at the cell centres times r_face;
        # D_c = (r_{f+} u_{f+} − r_{f-} u_{f-})/(r_c Δr_c) at cell c, contribution rf·(D_{i+1} − D_i)·Δz
        for c_off, sign in ((1, 1.0), (0, -1.0)):           # cell i+1 (outer), cell i (inner)
            c = i + c_off
            rcc, drc = rc[c], dr[c]
            coef = sign * mu * rfi * dzj / (rcc * drc)
            # outer face of cell c: r face c+1; inner: r face c
            for f_off, fs in ((1, 1.0), (0, -1.0)):
                f = c + f_off                              # r face index
                w = coef * fs * rf[f]
                interior = (f >= 1) & (f <= nr - 1)
                ff = np.broadcast_to(f, (nr - 1, nz))
                jj = np.broadcast_to(j, (nr - 1, nz))
                ww = np.broadcast_to(w, (nr - 1, nz))
                m_in = np.broadcast_to(interior, (nr - 1, nz))
                add(row[m_in], iur[np.clip(ff - 1, 0, nr - 2), jj][m_in], ww[m_in])
                wall = np.broadcast_to(f == nr, (nr - 1, nz))   # side wall: given u_r
                np.add.at(rhs, row[wall], -(ww * ur_w[None, :])[wall])
        # axial viscous terms: faces z_j ± ½ of the staggered cell, width (rc_{i+1} − rc_i)
        wid = (rc[1:] - rc[:-1])[:, None] * rfi
        dzc = zc[1:] - zc[:-1]
        g = mu * wid * np.ones((1, nz - 1)) / dzc[None, :] if nz > 1 else np.zeros((nr - 1, 0))
        if nz > 1:
            add(iur[:, :-1], iur[:, 1:], g)
            add(iur[:, :-1], iur[:, :-1], -g)
            add(iur[:, 1:], iur[:, :-1], g)
            add(iur[:, 1:], iur[:, 1:], -g)
        for jb, h in ((0, zc[0] - zf[0]), (nz - 1, zf[-1] - zc[-1])):   # end walls: slip
            add(iur[:, jb], iur[:, jb], -mu * wid[:, 0] / (h + slip_length))
        # (∂_r((1/r)∂_r(r u)) holds the vector Laplacian's −u_r/r²); pressure −r_f Δz (p_{i+1} − p_i)
        add(iur, ip[1:], -rfi * dzj * np.ones((1, nz)))
        add(iur, ip[:-1], rfi * dzj * np.ones((1, nz)))
    # ---- z momentum at z face j+1 (between cells j, j+1), j = 0..nz-2
    if nz > 1:
        row = iuz
        dzc = (zc[1:] - zc[:-1])[None, :]
        # axial: cells j (below) and j+1 (above), viscous flux ring μ (u_{f+} − u_{f-})/dz_c at the centre
        for c_off, sign in ((1, 1.0), (0, -1.0)):
            jc = np.arange(nz - 1) + c_off                 # cell index in z
            g = sign * mu * ring[:, None] / dz[None, jc]
            # faces of cell jc: upper jc+1, lower jc (z face indices)
            for f_off, fs in ((1, 1.0), (0, -1.0)):
                fz = jc + f_off
                w = np.broadcast_to(g * fs, (nr, nz - 1))
                interior = (fz >= 1) & (fz <= nz - 1)
                fzb = np.broadcast_to(fz, (nr, nz - 1))
                m_in = np.broadcast_to(interior[None, :], (nr, nz - 1))
                ii = np.broadcast_to(np.arange(nr)[:, None], (nr, nz - 1))
                add(row[m_in], iuz[ii, np.clip(fzb - 1, 0, nz - 2)][m_in], w[m_in])
                bot = np.broadcast_to((fz == 0)[None, :], (nr, nz - 1))
                top = np.broadcast_to((fz == nz)[None, :], (nr, nz - 1))
                np.add.at(rhs, row[bot], -(w * uzb[:, None])[bot])
                np.add.at(rhs, row[top], -(w * uzt[:, None])[top])
        # radial viscous terms at r faces, height dz_c, area r_f dz_c
        if nr > 1:
            g = mu * rf[1:-1][:, None] * dzc / (rc[1:] - rc[:-1])[:, None]
            add(iuz[:-1], iuz[1:], g)
            add(iuz[:-1], iuz[:-1], -g)
            add(iuz[1:], iuz[:-1], g)
            add(iuz[1:], iuz[1:], -g)
        h = rf[-1] - rc[-1]
        add(iuz[-1], iuz[-1], -mu * rf[-1] * dzc[0] / (h + slip_length))
        add(iuz, ip[:, 1:], -ring[:, None] * np.ones((1, nz - 1)))
        add(iuz, ip[:, :-1], ring[:, None] * np.ones((1, nz - 1)))
    # ---- continuity per cell (per radian): Σ A u = 0; the boundary faces go to the rhs
    Ar = rf[:, None] * dz[None, :]
    Az = np.broadcast_to(ring[:, None], (nr, nz + 1))
    if nr > 1:
        add(ip[:-1], iur, Ar[1:-1])
        add(ip[1:], iur, -Ar[1:-1])
    if nz > 1:
        add(ip[:, :-1], iuz, Az[:, 1:-1])
        add(ip[:, 1:], iuz, -Az[:, 1:-1])
    rhs[ip[-1, :]] -= Ar[-1] * ur_w
    rhs[ip[:, -1]] -= Az[:, -1] * uzt
    rhs[ip[:, 0]] += Az[:, 0] * uzb
    # pressure gauge: the last continuity row (redundant when the flows balance) -> p = 0
    gauge = int(ip[-1, -1])
    A = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_tot, n_tot))
    A = A.tolil()
    A.rows[gauge] = [gauge]
    A.data[gauge] = [1.0]
    rhs[gauge] = 0.0
    sol = spla.spsolve(A.tocsc(), rhs)
    u_r = np.zeros((nr + 1, nz))
    u_r[1:-1] = sol[iur]
    u_r[-1] = ur_w
    u_z = np.zeros((nr, nz + 1))
    u_z[:, 1:-1] = sol[iuz]
    u_z[:, 0], u_z[:, -1] = uzb, uzt
    return FlowField(mesh=mesh, u_r=u_r, u_z=u_z, p=sol[ip])
