"""Multi-species (electronegative) plasma on the (r, z) mesh: every heavy species, the
electrons and the electron energy, and the wall coverages, as one residual for Newton.

Unknowns per cell (field-major): ln n_k of every heavy species k (neutrals, positive and
negative ions), ln n_e, T_e (eV), ln θ_s of the wall sites (wall cells only) and, with gas
heating, the gas temperature T_g (K), whose row is the steady heat equation
∇·(k(T_g)∇T_g) + Q = 0 with the electrons' elastic losses and the ions' Joule heating as Q
(:meth:`SpeciesSystem.gas_heat`) — so T_g is inside the Newton system.

**Charged species** — quasi-neutral drift–diffusion with Boltzmann electrons.  The electron
momentum balance without inertia, e n_e E = −∇(n_e e T_e), fixes the field
E = −(T_e ∇ln n_e + ∇T_e) (Lieberman & Lichtenberg 2005, §5.2 and §10.3); every ion k drifts
and diffuses in it, Γ_k = z_k μ_k n_k E − D_k ∇n_k with D_k = μ_k T_i, discretised with the
Scharfetter–Gummel exponential fitting (IEEE Trans. Electron Devices 16, 64, 1969) so that
the Boltzmann-like negative ions, whose density falls by e^{−eΔφ/T_i} towards the walls,
stay positive and conservative on a coarse mesh.  μ_k uses the variable collision
frequency (v̄_k + π|u|/2)/λ_k of :mod:`.transport` (constant mobility at low field,
u² = 2eλE/(πm) in the presheath).  The electron density is fixed by quasi-neutrality,
n_e = Σ_k z_k n_k (its row), and the electron flux by zero net current, Γ_e = Σ_k z_k Γ_k
— the ambipolar approximation.  It holds where the Debye length is small against the
mesh (λ_De/h ≪ 1) and the electrons are far more mobile than the ions; it stops holding
in the sheaths (not resolved: the walls are Bohm boundaries) and where α = n_−/n_e is so
large that the core–halo edge is steeper than a cell, and below ≈ 0.5 mTorr where
the electrons are no longer collisional enough for a local field.  Positive ions leave
the walls at the Bohm speed u_B = √(eT_e/M_k) from an electropositive sheath edge (negative
ions are held back: their edge density ∝ e^{−eV/T_i} vanishes, :func:`edge_factors`), with
the half-cell presheath in series, Γ = f_s n_P/(1/u_B + d/(μ_k(T_e + T_i))),
f_s from the half-cell solution with Boltzmann negative ions and an electropositive sheath
edge (:func:`edge_factors`; 1 without negative ions), on every boundary face (the inlet
nozzle and the pump baffle included); negative ions do not reach the walls.
Each ion–electron pair leaving takes 2T_e + T_e/2 + V_s from the electrons, and the electrons
do the work Γ_e·∇φ against the ambipolar field, which the ions gain (their Joule heating,
handed to the gas):

    ∇·(5/2 T_e Γ_e − κ_e∇T_e) = p/e − Σ_r R_r ε_r + Γ_e·∇φ,   κ_e = 5/2 n_e e T_e/(m_e ν_m).

**Neutrals** — convection–diffusion–reaction, Γ_j = n_j u − (D_j/T_g)∇(n_j T_g)
(Fick's law on the partial pressure; D_j = (π/8)λ_j v̄_j as in the global model), upwind
convection with the Stokes face flows of :mod:`.flow`; the feed enters through the inlet
faces, the pump port removes n_j u_out A (the global model's pumping speed).  At the walls a
neutral with loss probability s (the chemistry's ``wall_gamma``, or its ``wall_gamma_fit`` γ(n) of the wall cell's
gas (:meth:`GlobalModel.wall_gammas`), plus the surface reactions
Σ s_j θ_j) is lost at the Motz–Wise flux Γ = s/(1 − s/2) n v̄/4 (Chantry, J. Appl. Phys. 62,
1141, 1987), the half cell in series; the products return into the wall cell.  Wall
coverages θ obey the site balances of Kokkoris et al. (J. Phys. D 42, 055209, 2009) face by
face (Σθ = 1); buried film is an element sink.

Every volume reaction, wall return and surface reaction balances elements (checked when the
chemistry is loaded) and the fluxes are conservative, so at a steady state the elements fed
equal those pumped plus those buried, to the solver's residual.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...constants import EV, K_B, M_E, PI
from ..global_model import GlobalModel
from .ionflux import charged_pressure_flux
from .mesh import Mesh
from .neutral import GasConductivity

__all__ = ["Ports", "SpeciesSystem", "bernoulli", "centroid_offset", "edge_factors", "potential_steps",
           "SIGMA_M_FALLBACK"]

# Electron momentum-transfer cross-section (m²) for chemistries without elastic reactions:
# ν_m = n_g σ_m v̄_e.  1e-19 m² is the order of the momentum-transfer cross-sections of O2
# (≈ 7e-20 m² at 5 eV; Itikawa, J. Phys. Chem. Ref. Data 38, 1, 2009) and of the heavier
# fluorides at 2–10 eV; ν_m sets only the electron heat conduction and the plasma
# conductivity (the absorbed power is scaled to the recipe's).
SIGMA_M_FALLBACK = 1.0e-19


def edge_factors(alpha_P, gamma, a):
    """Electronegative wall boundary seen from the wall cell P: f_s (shape of ``a``) in
    Γ_k = f_s n_k,P/(1/u_B,k + d/(μ_k(T_e + T_i))), the half-cell form of the electropositive
    Bohm boundary (f_s = 1 at α = 0); ``alpha_P`` = n_−/n_e of the wall cell, ``gamma`` =
    T_e/T_i, ``a`` = u_B d/(μ(T_e + T_i)) per positive species (rows).

    The ions leave the diffusive half cell at p into the inertial Bohm presheath; its drop
    ≥ T_e/2 leaves α_s = α_p e^{−(γ−1)/2} ≈ 0 at the sheath edge for γ ≫ 1 (the
    electropositive edge of Braithwaite & Allen, J. Phys. D 21, 1733, 1988, and the edge
    layer of Lichtenberg et al., J. Appl. Phys. 81, 2539, 1997), so the positive ions leave
    with the electrons only: Γ = n_e,p u_B (a floating wall: Γ_+ = Γ_e).  Across the half cell
    (no sources; μ, T_e, T_i constant) the electrons and negative ions are Boltzmann,
    n_− ∝ n_e^γ, and the positive ions drift and diffuse in −T_e∇ln n_e:
    Γ = −μ∇n_e (T_e + T_i + 2αT_e).  Integrated from P to p, with y = n_e,p/n_e,P,

        a y = (1 − y) + b (1 − y^γ),   b = 2α_P/(γ + 1),

    (increasing and convex in y: one root in (0, 1], Newton from y = 1 converges monotonically),
    and f_s = y (1 + a)/(1 + α_P).  The b term is the negative ions' partners diffusing out
    with the ion–ion coefficient 2μT_i, amplified by γ because n_− falls as n_e^γ.  The earlier
    boundary took f_s = 1, i.e. the whole n_+ = n_e(1 + α) of a cell straddling the edge layer
    as if it were at the sheath edge (a first-order, 20 %-per-refinement error in SF6/O2).
    α_P = 0 gives y = 1/(1 + a), f_s = 1: the electropositive boundary exactly."""
    a = np.asarray(a, float)
    b = np.broadcast_to(2.0 * alpha_P / (gamma + 1.0), a.shape)
    g = np.broadcast_to(gamma, a.shape)
    y = np.ones_like(a)
    for _ in range(60):
        yg1 = y ** (g - 1.0)
        h = a * y - (1.0 - y) - b * (1.0 - yg1 * y)
        step = h / (a + 1.0 + b * g * yg1)
        y = np.clip(y - step, 1e-12, 1.0)          # (T_e < T_i, a concave h: stay in (0, 1])
        if np.all(np.abs(step) <= 1e-15 * y):
            break
    return y * (1.0 + a) / (1.0 + alpha_P)


def potential_steps(mesh: Mesh, n_e, T_e, T_i: float, wafer: np.ndarray) -> dict:
    """Potential steps between neighbouring cells in units of the ion temperature, the Péclet
    number |eΔφ|/T_i of the ions' Scharfetter–Gummel face fluxes, with Δφ = T̄_e Δln n_e + ΔT_e
    (the Boltzmann electrons' potential, as in :meth:`SpeciesSystem.residual`).  Keys:
    ``wafer`` — the largest step over the first interior z face above the wafer cells
    (``wafer`` (nr,) bool), at radius ``wafer_r_m``, with the wafer cell ``wafer_cell_m``;
    ``max`` — the largest step over every interior face, at ``max_r_m``, ``max_z_m`` (the
    face centre).  SG is exact for a Boltzmann-like species at any step; the positive ions of
    an ion–ion edge layer are not (their partners of the negative ions fall as n_e^γ), and on
    the exact 1D edge layer (T_e 4 eV, T_i 0.05 eV) the SG flux is high by +0.08 / +5 / +34 /
    +101 % at steps of 0.1 / 0.8 / 2.2 / 4.3 T_i."""
    lnne = np.log(n_e)
    out = {"T_i_eV": float(T_i), "wafer_cell_m": float(mesh.dz[0])}
    best = (0.0, 0.0, 0.0)
    for axis in (0, 1):
        a = np.s_[:-1, :] if axis == 0 else np.s_[:, :-1]
        b = np.s_[1:, :] if axis == 0 else np.s_[:, 1:]
        step = np.abs(0.5 * (T_e[a] + T_e[b]) * (lnne[b] - lnne[a]) + (T_e[b] - T_e[a])) / T_i
        if axis == 1:
            w = np.where(wafer, step[:, 0], -1.0)
            k = int(np.argmax(w))
            out["wafer"], out["wafer_r_m"] = float(max(w[k], 0.0)), float(mesh.r[k])
        if step.size and step.max() > best[0]:
            i, j = np.unravel_index(int(np.argmax(step)), step.shape)
            rr = mesh.r_faces[i + 1] if axis == 0 else mesh.r[i]
            zz = mesh.z[j] if axis == 0 else mesh.z_faces[j + 1]
            best = (float(step[i, j]), float(rr), float(zz))
    out["max"], out["max_r_m"], out["max_z_m"] = best
    return out


def bernoulli(x):
    """B(x) = x/(e^x − 1), stable for any x (B(0) = 1)."""
    x = np.asarray(x, float)
    out = np.empty_like(x)
    small = np.abs(x) < 1e-8
    pos = (x > 0) & ~small
    neg = (x <= 0) & ~small
    out[small] = 1.0 - 0.5 * x[small]
    xp = x[pos]
    out[pos] = xp * np.exp(-xp) / (-np.expm1(-xp))
    xn = x[neg]
    out[neg] = xn / np.expm1(xn)
    return out


def centroid_offset(p):
    """½ − W(p), W(p) = 1/p − 1/(e^p − 1): the offset (in units of the face distance d, from the
    face midpoint) of the point whose flux the Scharfetter–Gummel formula returns, for a species
    whose Slotboom weight e^{ψ} grows by e^p from cell a to cell b (p = z_kΔφ/T_i = −Pe); the
    complete-flux scheme of ten Thije Boonkkamp & Anthonissen (J. Sci. Comput. 46, 47, 2011):
    Γ(face) = Γ_SG − S d (½ − W(p)) with S = dΓ/dx the species' net volume source.  0 at p = 0,
    → ±½ for |p| → ∞ (SG then returns the flux at the sparse end: first order in d)."""
    p = np.asarray(p, float)
    small = np.abs(p) < 1e-4
    ps = np.where(small, 1.0, p)
    out = 0.5 - (1.0 - bernoulli(ps)) / ps
    return np.where(small, p / 12.0, out)


@dataclass(frozen=True, kw_only=True)
class Ports:
    """Boundary faces: ``inlet`` (nr,) bool on the top (z_max) faces; ``pump_bottom`` (nr,)
    bool on the bottom faces or ``pump_side`` (nz,) bool on the side wall; ``u_in``/``u_out``
    the normal speeds (m/s) there; the face flows of the interior come with ``flow``."""

    inlet: np.ndarray
    pump_bottom: np.ndarray
    pump_side: np.ndarray
    u_in: float
    u_out: float


class SpeciesSystem:
    """Residual of the multi-species model for a fixed power density, gas temperature and
    gas flow (those are updated between Newton steps)."""

    def __init__(self, mesh: Mesh, gm: GlobalModel, ports: Ports, flow_fluxes=None,
                 heat: GasConductivity | None = None, T_walls: dict | None = None):
        self.mesh, self.gm, self.ports = mesh, gm, ports
        nr, nz = mesh.shape
        self.N, self.Ns = gm.N, gm.Ns
        # with ``heat`` (the gas conductivity k(T)) the gas temperature is the last field and its
        # row the steady heat equation, walls held at ``T_walls[side]`` (see gas_heat)
        self.heat = heat
        self.T_walls = dict(T_walls or {})
        self.nf = gm.N + 2 + gm.Ns + (heat is not None)
        rf, rc, zc, zf = mesh.r_faces, mesh.r, mesh.z, mesh.z_faces
        self.V = mesh.volume
        self.Ar = 2 * PI * rf[1:-1, None] * mesh.dz[None, :]
        self.dR = (rc[1:] - rc[:-1])[:, None]
        self.Az = np.broadcast_to(mesh.ring_area[:, None], (nr, nz - 1))
        self.dZ = (zc[1:] - zc[:-1])[None, :]
        # wall faces per cell (m²) and their half distances; ports excluded
        A_side = 2 * PI * rf[-1] * mesh.dz
        A_end = mesh.ring_area
        # (slice, face area for the ions, face area for the neutrals, half distance): the ions
        # reach every boundary face (a nozzle, a pump baffle are plasma-facing surfaces too);
        # the neutrals' wall reactions and coverages leave out the ports (convection there)
        self.faces: list[tuple[tuple[int | slice, int | slice], np.ndarray, np.ndarray, float]]
        self.faces = [(np.s_[-1, :], A_side, A_side * ~ports.pump_side, rf[-1] - rc[-1]),
                      (np.s_[:, 0], A_end, A_end * ~ports.pump_bottom, zc[0] - zf[0]),
                      (np.s_[:, -1], A_end, A_end * ~ports.inlet, zf[-1] - zc[-1])]
        self.wall_area = np.zeros((nr, nz))
        for sl, _, A, _ in self.faces:
            self.wall_area[sl] += A
        self.is_wall = self.wall_area > 0
        # ports: inlet feed (molecules/s per cell), pumped volume flow per cell (m³/s)
        inlet_A = A_end * ports.inlet
        self.feed = np.zeros((gm.N, nr, nz))
        if inlet_A.sum() > 0:
            self.feed[:, :, -1] = gm.feed[:, None] * (inlet_A / inlet_A.sum())[None, :]
        self.pump_flow = np.zeros((nr, nz))
        self.pump_flow[:, 0] += A_end * ports.pump_bottom * ports.u_out
        self.pump_flow[-1, :] += A_side * ports.pump_side * ports.u_out
        self.flow = flow_fluxes                             # (F_r (nr+1, nz), F_z (nr, nz+1)) m³/s
        z = gm.z
        self.neu, self.pos, self.neg = gm.neu, gm.pos, gm.neg
        self.charged = np.flatnonzero(z != 0)
        self.m = gm.mass
        self.sig = gm.sigma
        self.T_i = gm.T_ion_eV
        # wall channels of the neutrals with wall_gamma
        self.gamma = np.zeros(gm.N)
        self.gamma[gm.wall_neu] = gm.wall_gamma
        self.wall_prod = np.zeros((gm.N, gm.N))           # products per particle lost (column: lost species)
        for c, i in enumerate(list(gm.wall_neu) + list(gm.pos)):
            self.wall_prod[:, i] = gm.wall_P[:, c]
            self.wall_prod[i, i] += 1.0                    # wall_P holds the loss itself as −1
        self.sr_prod = gm.sr_Sg.copy()                     # gas products of each surface reaction
        if self.Ns:
            self.sr_prod[gm.sr_gas, np.arange(gm.sr_gas.size)] += 1.0
        self.Vs = 0.5 * np.log(gm.mass[gm.pos] / (2 * PI * M_E))
        self.el_rx = (np.array([r.elastic for r in gm.chem.reactions], bool) & (gm.slots[:, 0] == gm.N)
                      if gm.n_rx else np.zeros(0, bool))
        self.fallback_neutral = 0.0 if self.el_rx.any() else 1.0
        self.n_g: np.ndarray | None = None
        self.T_g: np.ndarray | None = None
        self.power: np.ndarray | None = None
        self.live_ng = True            # mean free paths from the iterate (exact Jacobian)
        self.ion_flux = "sg"            # positive-ion face flux: "sg" or "pressure" (.ionflux)
        # complete-flux correction of the SG fluxes in the pressure form (centroid_offset; a study
        # path, off: .ptc.COMPLETE_FLUX), limited to half the larger one-way flux (positivity);
        # True: every face, "z": the z faces only
        self.source_flux: bool | str = False

    # ------------------------------------------------------------------ state
    def set_state(self, n_g, T_g, power) -> None:
        """Lagged fields: total neutral density (m⁻³) for the mean free paths, gas
        temperature (K; the iterate's own when T_g is a field), power density (W/m³)."""
        self.power = np.asarray(power, float)
        self.vbar_i = np.sqrt(8 * EV * self.T_i / (PI * self.m))[:, None, None]
        self._gas_temperature(np.asarray(T_g, float))
        self._mfp(np.asarray(n_g, float))

    def _gas_temperature(self, T_g) -> None:
        self.T_g = T_g
        self.vbar = np.sqrt(8 * K_B * self.T_g[None] / (PI * self.m[:, None, None]))

    def _mfp(self, n_g) -> None:
        """Mean free paths and neutral diffusivities for the neutral density n_g (m⁻³)."""
        self.n_g = n_g
        self.lam = 1.0 / (n_g[None] * self.sig[:, None, None])
        self.D_neu = PI / 8 * self.lam * self.vbar                   # (N, nr, nz)

    def unpack(self, x):
        nr, nz = self.mesh.shape
        X = x.reshape(self.nf, nr, nz)
        return X[: self.N], X[self.N], X[self.N + 1], X[self.N + 2: self.N + 2 + self.Ns]

    # ------------------------------------------------------------------ chemistry
    def chemistry(self, n, n_e, Te):
        """Volume rates per cell: dn (N, nr, nz) m⁻³s⁻¹, electron energy loss (eV m⁻³ s⁻¹),
        elastic energy to the gas (eV m⁻³ s⁻¹), electron source, ν_m."""
        gm = self.gm
        shape = n_e.shape
        B = n_e.size
        D = np.empty((gm.N + 3, B))
        D[: gm.N] = n.reshape(gm.N, B)
        D[gm.N] = n_e.ravel()
        ng = n[self.neu].sum(axis=0).ravel()
        D[gm.N + 1] = ng
        D[gm.N + 2] = 1.0
        T = Te.ravel()
        k = gm.rate_coefficients(T, ng)
        R = k * D[gm.slots[:, 0]] * D[gm.slots[:, 1]] * D[gm.slots[:, 2]]
        dn = (gm.S @ R).reshape((gm.N,) + shape)
        el = (gm.rx_elastic @ R) * T
        loss = gm.rx_loss @ R + el
        if gm.e_loss_mask.any():
            eps = gm.lost_electron_energy(T, ng)
            loss = loss + (gm.e_loss_mask[:, None] * eps * R).sum(axis=0)
        dne = gm.s_e @ R
        nu_m = (k[self.el_rx] * D[gm.slots[self.el_rx, 1]]).sum(axis=0)
        nu_m = nu_m + self.fallback_neutral * ng * SIGMA_M_FALLBACK * np.sqrt(8 * EV * T / (PI * M_E))
        return dn, loss.reshape(shape), el.reshape(shape), dne.reshape(shape), np.maximum(nu_m, 1.0).reshape(shape)

    def alpha_of(self, n, n_e):
        """Electronegativity α = Σ|z_−| n_− / n_e of cells (n shape (N, ...))."""
        if not self.neg.size:
            return np.zeros_like(n_e)
        return np.tensordot(-self.gm.z[self.neg], n[self.neg], axes=1) / n_e

    # ------------------------------------------------------------------ residual
    def residual(self, x, *, details: bool = False):
        """Per-cell residuals (field-major, shape (nf, nr, nz)): particles s⁻¹, quasi-neutrality
        (m⁻³ per n_e, ×1), energy eV/s, site balances s⁻¹ per site."""
        gm = self.gm
        lnn, lnne, Te, lnth = self.unpack(x)
        if self.heat is not None:
            self._gas_temperature(np.maximum(x.reshape((self.nf,) + self.mesh.shape)[-1], 10.0))
        Te = np.maximum(Te, 0.05)
        n = np.exp(lnn)
        n_e = np.exp(lnne)
        V = self.V
        if self.live_ng:
            self._mfp(n[self.neu].sum(axis=0))
        dn, eloss, el_gas, dne, nu_m = self.chemistry(n, n_e, Te)
        F = dn * V[None] + self.feed
        F -= self.pump_flow[None] * n * (gm.z == 0)[:, None, None]
        power = self.power
        # set_state() gives the lagged fields before any residual
        assert power is not None and self.T_g is not None
        FE = (power / EV - eloss) * V
        De = EV * Te / (M_E * nu_m)
        heat_i = np.zeros_like(Te)
        Ge_faces = []
        ch = self.charged
        zch = gm.z[ch][:, None, None]
        for axis, A, d in ((0, self.Ar, self.dR), (1, self.Az, self.dZ)):
            a = np.s_[:, :-1, :] if axis == 0 else np.s_[:, :, :-1]
            b = np.s_[:, 1:, :] if axis == 0 else np.s_[:, :, 1:]
            a2, b2 = a[1:], b[1:]
            # potential difference from the Boltzmann electrons, φ_b − φ_a (V)
            Tf = 0.5 * (Te[a2] + Te[b2])
            dphi = Tf * (lnne[b2] - lnne[a2]) + (Te[b2] - Te[a2])
            # neutrals: diffusion on the partial pressure + upwind convection
            Dn = 0.5 * (self.D_neu[a] + self.D_neu[b])
            Tg = self.T_g
            Tgf = 0.5 * (Tg[a2] + Tg[b2])
            G = -Dn * (n[b] * Tg[b2] - n[a] * Tg[a2]) / (Tgf * d)
            if self.flow is not None:
                Fl = self.flow[axis][1:-1] if axis == 0 else self.flow[axis][:, 1:-1]
                up = np.where(Fl >= 0, n[a], n[b])
                G = G + up * Fl / A
            # ions: Scharfetter–Gummel in the field, variable mobility
            E = np.abs(dphi) / d
            lam_f = 0.5 * (self.lam[ch][a] + self.lam[ch][b])
            vb = self.vbar_i[ch]
            aa = EV * lam_f / self.m[ch][:, None, None] * E
            u = 2 * aa / (vb + np.sqrt(vb ** 2 + 2 * PI * aa))
            mu = np.where(E > 0, u / np.maximum(E, 1e-300), EV * lam_f / (self.m[ch][:, None, None] * vb))
            Dk = mu * self.T_i
            Pe = -zch * dphi / self.T_i
            Gi = Dk / d * (bernoulli(-Pe) * n[ch][a] - bernoulli(Pe) * n[ch][b])
            if self.source_flux and self.ion_flux == "pressure" and (self.source_flux is True or axis == 1):
                corr = 0.5 * (dn[ch][a] + dn[ch][b]) * d * centroid_offset(-Pe)
                f_ab, f_ba = Dk / d * bernoulli(-Pe) * n[ch][a], Dk / d * bernoulli(Pe) * n[ch][b]
                cap = 0.5 * np.maximum(f_ab, f_ba)        # at most half the larger one-way flux
                Gi = Gi - corr / (1.0 + np.abs(corr) / np.maximum(cap, 1e-300))
            if self.ion_flux == "pressure":
                Gi = charged_pressure_flux(Gi, mu, zch[:, 0, 0], n[ch][a], n[ch][b], n_e[a2], n_e[b2],
                                           Te[a2], Te[b2], self.T_i, d)
            G = G * (gm.z == 0)[:, None, None]
            G[ch] = Gi
            F[a] -= A * G
            F[b] += A * G
            Ge = (zch * Gi).sum(axis=0)
            kap = 2.5 * 0.5 * (n_e[a2] * De[a2] + n_e[b2] * De[b2])
            Q = 2.5 * Tf * Ge - kap * (Te[b2] - Te[a2]) / d
            FE[a2] -= A * Q
            FE[b2] += A * Q
            # work of the field: the electrons climb the ambipolar potential (Γ_e dφ per unit
            # area, half to each cell) and the ions gain exactly that (zero net current)
            w = 0.5 * A * Ge * dphi                                    # eV/s
            FE[a2] += w
            FE[b2] += w
            heat_i[a2] -= w
            heat_i[b2] -= w
            Ge_faces.append(Ge)
        # walls
        th = np.exp(lnth)
        FS = np.zeros_like(th)
        wall_flux = []
        buried = np.zeros(len(gm.elements))
        e_wall = 0.0
        pos, neu = self.pos, gm.z == 0
        allk = slice(None)
        for sl, A, A_n, d in self.faces:
            nP = n[(allk,) + sl]
            Tp = Te[sl]
            # positive ions: Bohm speed with the half-cell presheath in series, from an
            # electronegative wall cell (edge_factors)
            uB = np.sqrt(EV * Tp[None] / self.m[pos][:, None])
            mu0 = EV * self.lam[pos][(allk,) + sl] / (self.m[pos][:, None] * self.vbar_i[pos][:, :, 0])
            Da = mu0 * (Tp[None] + self.T_i)
            f_s = edge_factors(self.alpha_of(nP, n_e[sl])[None], Tp[None] / self.T_i, uB * d / Da)
            Gp = f_s * nP[pos] / (1.0 / uB + d / Da)
            loss = np.zeros_like(nP)
            loss[pos] = Gp
            # neutrals: wall_gamma and surface reactions (Motz–Wise), half cell in series
            vb = self.vbar[(allk,) + sl]
            Dw = self.D_neu[(allk,) + sl]
            gam = np.repeat(self.gamma[:, None], nP.shape[1], axis=1)
            if gm.wall_fits:                                            # γ(gas) of the wall cell
                gam[gm.wall_neu] = gm.wall_gammas(nP)
            s_tot = gam.copy()
            if self.Ns:
                th_w = th[(allk,) + sl]
                wj = gm.sr_prob[:, None] * th_w[gm.sr_site]             # (n_sr, m)
                s_tot[gm.sr_gases] += gm.sr_sum @ wj
            h = s_tot / np.maximum(1 - s_tot / 2, 1e-12) * vb / 4
            Gn = np.where(s_tot > 0, nP / (1.0 / np.maximum(h, 1e-300) + d / Dw), 0.0)
            loss[neu] = Gn[neu]
            rate = loss * np.where(neu[:, None], A_n[None], A[None])    # particles/s per wall cell
            ret = rate * np.where(neu[:, None], gam / np.maximum(s_tot, 1e-300), 1.0)
            F[(allk,) + sl] += self.wall_prod @ ret - rate
            if self.Ns:
                r_sr = rate[gm.sr_gas] * wj / np.maximum(s_tot[gm.sr_gas], 1e-300)
                F[(allk,) + sl] += self.sr_prod @ r_sr
                Aw = np.maximum(self.wall_area[sl], 1e-300)
                FS[(allk,) + sl] += (gm.sr_Ss @ r_sr) / (Aw * gm.chem.site_density_m2)
                buried += (gm.sr_Eb @ r_sr).sum(axis=1)
            ew = A * (Gp * (2.5 + self.Vs[:, None]) * Tp[None]).sum(axis=0)
            FE[sl] -= ew
            e_wall += float(ew.sum())
            wall_flux.append(loss)
        # quasi-neutrality and site rows
        FQ = (np.tensordot(gm.z, n, axes=1) - n_e) / n_e
        if self.Ns:
            FS[0] = np.where(self.is_wall, th.sum(axis=0) - 1.0, 0.0)
            FS[:, ~self.is_wall] = 0.0
        parts = [F, FQ[None], FE[None], FS]
        heat: dict = {}
        if self.heat is not None:
            FH, heat = self.gas_heat(el_gas, heat_i)
            parts.append(FH[None])
        out = np.concatenate(parts)
        if details:
            return out, dict(power=power, n=n, n_e=n_e, Te=Te, theta=th, wall_flux=wall_flux, heat_ion_eV_s=heat_i,
                             elastic_eV_m3s=el_gas, nu_m=nu_m, buried=buried, eloss=eloss, dne=dne,
                             wall_eV_s=e_wall, T_g=self.T_g, gas_heat=heat)
        return out

    def first_face_excess(self, x) -> np.ndarray:
        """Per column (nr,): the face flux of all positive ions through the first interior z
        face above the bottom wall, by the scheme in use (``ion_flux``: "sg" or "pressure"),
        relative to the exact flux of a 1D edge layer through the same two cells, minus 1.
        The layer (constant flux, Boltzmann electrons and negative ions, constant μ_k)
        integrates, per species with the face share s_k of the positive ions, to
        Γ_k d/μ_k = T_i(n_k,a − n_k,b) + s_k[T̄_e(n_e,a − n_e,b) − n̄_e ΔT_e + T_i(n_−,a − n_−,b)]
        (n_k∇φ = s_k(n_e∇φ + n_−∇φ), n_e∇φ = T_e∇n_e + n_e∇T_e, n_−∇φ = T_i∇n_−): the pressure
        form of :mod:`.ionflux` with the negative ions' fluxes set to zero, and the positive-ion
        part of the wall boundary's half-cell integral (:func:`edge_factors`) on an interior
        face.  With "sg" it is the SG error (0 for small steps; +5 % at 0.8 T_i, +34 % at
        2.2 T_i on the 1D edge layer of docs/reactor.md); with "pressure" what the negative
        ions' own (SG) flux adds to the Boltzmann layer."""
        lnn, lnne, Te, _ = self.unpack(x)
        n, ne = np.exp(lnn), np.exp(lnne)
        gm = self.gm
        a, b = np.s_[:, 0], np.s_[:, 1]
        d = self.dZ[0, 0]
        Tf = 0.5 * (Te[a] + Te[b])
        dphi = Tf * (lnne[b] - lnne[a]) + (Te[b] - Te[a])
        E = np.abs(dphi) / d
        ch = self.charged
        zc = gm.z[ch]
        lam_f = 0.5 * (self.lam[ch][:, :, 0] + self.lam[ch][:, :, 1])
        vb = self.vbar_i[ch, 0]
        mk = self.m[ch][:, None]
        aa = EV * lam_f / mk * E
        u = 2 * aa / (vb + np.sqrt(vb ** 2 + 2 * PI * aa))
        mu = np.where(E > 0, u / np.maximum(E, 1e-300), EV * lam_f / (mk * vb))
        Pe = -zc[:, None] * dphi / self.T_i
        na, nb = n[ch][:, :, 0], n[ch][:, :, 1]
        G = mu * self.T_i / d * (bernoulli(-Pe) * na - bernoulli(Pe) * nb)
        args = (mu, zc, na, nb, ne[a], ne[b], Te[a], Te[b], self.T_i, d)
        if self.ion_flux == "pressure":
            G = charged_pressure_flux(G, *args)
        lay = charged_pressure_flux(np.where((zc < 0)[:, None], 0.0, G), *args)
        pos = zc > 0
        scheme, exact = G[pos].sum(axis=0), lay[pos].sum(axis=0)
        return scheme / np.where(np.abs(exact) > 0, exact, np.inf) - 1.0

    def heating(self, el_gas, heat_i):
        """Gas heating per cell (W): (electron elastic W, ion Joule W).  The ions hand the
        gas the field work they gain where they collide before a wall, the fraction
        Λ/(Λ + λ_i) (Λ the diffusion length of the chamber, λ_i their mean free path)."""
        m = self.mesh
        R, L = m.r_faces[-1], m.z_faces[-1] - m.z_faces[0]
        Lam = 1.0 / np.hypot(2.405 / R, PI / L)
        f_coll = Lam / (Lam + self.lam[self.pos].mean(axis=0))
        return EV * el_gas * self.V, EV * f_coll * heat_i

    def gas_heat(self, el_gas, heat_i):
        """Residual of the steady heat equation ∫∇·(k(T)∇T) dV + ∫Q dV per cell (W), in the
        Kirchhoff form Φ(T) = ∫k dT of :func:`.neutral.gas_temperature` (the same discrete
        operator: −ΔΦ/d across a face, (Φ_P − Φ(T_w))/d_half to a wall held at T_w), and the
        channels: heating by electrons and ions, conduction to the walls (W)."""
        assert self.heat is not None and self.T_g is not None
        q_e, q_i = self.heating(el_gas, heat_i)
        Phi = self.heat.kirchhoff(self.T_g)
        FH = q_e + q_i
        for axis, A, d in ((0, self.Ar, self.dR), (1, self.Az, self.dZ)):
            a = np.s_[:-1, :] if axis == 0 else np.s_[:, :-1]
            b = np.s_[1:, :] if axis == 0 else np.s_[:, 1:]
            q = -A * (Phi[b] - Phi[a]) / d
            FH[a] -= q
            FH[b] += q
        walls = 0.0
        for side, (sl, A, _, d) in zip(("r_max", "z_min", "z_max"), self.faces):
            qw = A * (Phi[sl] - self.heat.kirchhoff(self.T_walls[side])) / d
            FH[sl] -= qw
            walls += float(qw.sum())
        heat = {"electrons_W": float(q_e.sum()), "ions_W": float(q_i.sum()), "walls_W": walls}
        return FH, heat
