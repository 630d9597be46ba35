"""Volume-averaged (global) plasma model: species continuity and electron power balance.

For every heavy species j (neutrals, positive and negative ions), electrons and the
electron energy density W = (3/2) n_e T_e (Lieberman & Lichtenberg 2005, §10.2;
Lee & Lieberman, J. Vac. Sci. Technol. A 13, 368, 1995):

    dn_j/dt = Σ_r S_jr R_r  -  ν_j n_j  +  Σ_c P_jc ν_c n_c  +  Q_j/V  -  k_p n_j
    dn_e/dt = Σ_r S_er R_r  -  Σ_{i+} ν_i n_i
    dW/dt   = P_abs/(eV) - Σ_r R_r E_r - Σ_{i+} ν_i n_i (2T_e + T_e/2 + V_s,i) - Σ_a R_a ε_a

R_r = k_r Π n (rate forms in :mod:`.rates`), E_r the electron energy lost per event
(3 m_e/M T_e for elastic collisions), R_a the rates of the reactions that consume
electrons, ε_a = 3/2 T_e + T_e² d ln k_a/dT_e the mean energy of the consumed electrons
(exact for a Maxwellian EEDF; attachment,
recombination).  Positive ions leave at the Bohm speed through the h-factor area
A_eff = 2πR² h_L/a_L + 2πRL h_R/a_R (below), h_L = 0.86 (3 + L/2λ_i + (0.86 L u_B/(π D_a))²)^-½ f,
h_R = 0.80 (4 + R/λ_i + (0.80 R u_B/(2.405 J_1(2.405) D_a))²)^-½ f (L&L 2005 eqs. 10.2.1-2;
D_a = D_i (1 + T_e/T_g), D_i = e T_g λ_i/(M v̄), ions at the gas temperature at low field;
the last term only with ``volume_average``),
f = (1 + 3α/γ)/(1 + α) (α = n_-/n_e, γ = T_e/T_i, T_i from :func:`ion_temperature_eV`;
f = 1 without negative ions, as in Lieberman & Lichtenberg 2005 ch. 10).  Neutrals with a wall
probability γ are lost at the Chantry rate ν = [Λ²/D + 2V(2-γ)/(A v̄ γ)]⁻¹ (Chantry,
J. Appl. Phys. 62, 1141, 1987), 1/Λ² = (π/L)² + (2.405/R)², D = (π/8) λ v̄; with a
wall-coverage model (sites θ, reactions gas + site -> products, probability s_j) the
total probability Σ s_j θ_j enters the same rate and is split between the reactions
(Kokkoris et al., J. Phys. D 42, 055209, 2009).  Pumping: k_p = S/V with the pumping speed S
fixed by the feed and the gas pressure without plasma, S = Q k T_g / p.  Negative ions
are confined by the sheaths (no wall loss, no pumping).

The density variables are volume averages n̄ (``volume_average=True``, the default): the
volume terms ∫k n_e n_j dV = k n̄_e n̄_j V at uniform T_e, and the wall loss divides L&L's
edge-to-centre h_L, h_R by the axial and radial profile averages a_L = n̄/n₀ of the exact
kinetic plane (L/λ_i) and a_R of the long cylinder (R/λ_i) (``validation.presheath``; tables
below), which is exact for a separable profile n₀ f(z) g(r): the end walls lose
h_L n₀ u_B · a_R πR² each = (h_L/a_L) n̄ u_B πR², the side wall (h_R/a_R) n̄ u_B 2πRL, and
n₀ = n̄/(a_L a_R).  In a plane this is the exact kinetic eigenvalue ν_iz l/2 = h_avg u_B
(h_avg = h_c/a_L); L&L's eq. 10.2.1 puts n₀ into the volume ionisation, K_iz n_g n₀ V =
n₀ u_B A_eff, i.e. ν_iz too low by a_L (0.83–0.85) in a plane, so T_e too low
(``volume_average=False`` keeps that form: the density variable is then n₀, as in L&L).

Unknowns are x = (ln n_j, ln n_e, ln T_e, ln θ_k); the steady state is found by
integrating the stiff ODE with BDF (finite-difference Jacobian evaluated in one
vectorised call) and polishing with Newton, the electron equation replaced by
quasi-neutrality and the free-site equation by Σθ = 1.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy.integrate import solve_ivp

from ..constants import EV, K_B, M_E, PI, TORR
from ..errors import SimulationError
from .chemistry import Chemistry, parse_formula
from .kinetic_profile import cylinder_average, plane_average
from .rates import RATE_FORMS

__all__ = ["Loss", "GlobalModel", "SteadyState", "ion_temperature_eV"]

_FIXED_FORMS = ("constant", "lnconstant")     # depend on T_gas only: evaluated once


def ion_temperature_eV(pressure: float, T_gas: float) -> float:
    """Ion temperature of the global model (Lee & Lieberman, JVST A 13, 368, 1995):
    T_i = 0.5 eV for p ≤ 1 mTorr, (0.5 - T_g)/p[mTorr] + T_g above (T_g in eV)."""
    p_mTorr = pressure / TORR * 1e3
    Tg = T_gas * K_B / EV
    return 0.5 if p_mTorr <= 1.0 else max((0.5 - Tg) / p_mTorr + Tg, Tg)


@dataclass(frozen=True, kw_only=True)
class Loss:
    """An extra first-order sink of a neutral on an area (e.g. the open wafer area).

    ν = γ/(1 - γ/2) · v̄ A / (4V); ``products`` return to the gas (may be empty: the
    atoms leave with the etch products and are counted in the element balance).
    """

    species: str
    area: float
    probability: float
    products: dict[str, float]


@dataclass(frozen=True)
class SteadyState:
    """Raw solution of the global model (SI; T_e in eV)."""

    n: np.ndarray          # heavy-species densities, m^-3 (model order)
    n_e: float
    T_e: float
    t_integrated: float
    newton_iterations: int
    theta: np.ndarray = field(default_factory=lambda: np.zeros(0))   # wall coverages (sites order)
    names: tuple[str, ...] = ()                                      # species order of ``n``


class GlobalModel:
    """The compiled global model of one chemistry in one chamber (immutable after init)."""

    def __init__(self, chem: Chemistry, *, radius: float, length: float, T_gas: float,
                 pressure: float, feeds: dict[str, float], power: float,
                 losses: tuple[Loss, ...] = (), T_ion: float | None = None,
                 neutral_volume: float | None = None, neutral_area: float | None = None,
                 volume_average: bool = True):
        self.chem = chem
        self.volume_average = bool(volume_average)
        self.R, self.L = float(radius), float(length)
        self.V = PI * self.R ** 2 * self.L
        self.A_ax, self.A_rad = 2 * PI * self.R ** 2, 2 * PI * self.R * self.L
        self.A = self.A_ax + self.A_rad
        self.Lambda2 = 1.0 / ((PI / self.L) ** 2 + (2.405 / self.R) ** 2)
        # neutral zone (two-volume option): neutrals fill V_n >= V and meet the walls A_n
        self.V_n = self.V if neutral_volume is None else float(neutral_volume)
        self.A_n = self.A if neutral_area is None else float(neutral_area)
        if self.V_n < self.V * (1 - 1e-12) or self.A_n <= 0:
            raise ValueError(f"neutral_volume = {self.V_n:g} m³ must be >= the plasma volume "
                             f"{self.V:g} m³ and neutral_area > 0")
        self.two_volume = neutral_volume is not None or neutral_area is not None
        self.T_gas = float(T_gas)
        self.T_ion_eV = (T_ion * K_B / EV if T_ion is not None
                         else ion_temperature_eV(float(pressure), float(T_gas)))
        self.pressure = float(pressure)
        self.power = float(power)
        # k_r -> k_r · factor(T_e)[r] (shape (n_rx, B)); None: the Maxwellian fits as printed
        self.rate_factor: Callable[[np.ndarray], np.ndarray] | None = None
        self.n_g0 = self.pressure / (K_B * self.T_gas)
        sp = chem.species
        self.names = tuple(s.name for s in sp)
        self.index = {n: i for i, n in enumerate(self.names)}
        N = self.N = len(sp)
        self.z = np.array([s.charge for s in sp], float)
        self.mass = np.array([s.mass for s in sp], float)
        self.sigma = np.array([s.sigma for s in sp], float)
        self.pos = np.flatnonzero(self.z > 0)
        self.neg = np.flatnonzero(self.z < 0)
        self.neu = np.flatnonzero(self.z == 0)
        self.vbar = np.sqrt(8 * K_B * self.T_gas / (PI * self.mass))
        self.composition = [s.composition for s in sp]
        self.elements = tuple(sorted({e for c in self.composition for e in c}))
        self.elem_matrix = np.array([[c.get(e, 0) for c in self.composition] for e in self.elements], float)
        # feeds (molecules/s) and pumping
        self.feed = np.zeros(N)
        for name, q in feeds.items():
            self.feed[self.index[name]] = q
        Q = float(self.feed.sum())
        self.k_pump = Q * K_B * self.T_gas / self.pressure / self.V_n if Q > 0 else 0.0
        self.pumped = (self.z == 0).astype(float)
        self._compile_reactions()
        self._compile_walls(losses)
        self._compile_surface()

    # ------------------------------------------------------------------ compile
    def _compile_reactions(self) -> None:
        N, idx = self.N, self.index
        rx = self.chem.reactions
        self.n_rx = len(rx)
        slots = np.full((len(rx), 3), N + 2, dtype=np.intp)     # N: n_e, N+1: M, N+2: ones
        S = np.zeros((N, len(rx)))
        s_e = np.zeros(len(rx))
        loss = np.zeros(len(rx))
        elastic = np.zeros(len(rx))
        for r_i, r in enumerate(rx):
            for k, name in enumerate(r.reactants):
                slots[r_i, k] = N if name == "e" else (N + 1 if name == "M" else idx[name])
            for name, c in r.products.items():
                if name == "e":
                    s_e[r_i] += c
                else:
                    S[idx[name], r_i] += c
            if "e" in r.reactants:
                if r.elastic:
                    target = [x for x in r.reactants if x not in ("e", "M")][0]
                    elastic[r_i] = 3.0 * M_E / self.mass[idx[target]]
                else:
                    loss[r_i] = r.loss_eV
        self.slots, self.S, self.s_e = slots, S, s_e
        # two-volume option: reactions with an electron or ion happen in the plasma volume V;
        # their neutral products (and losses) spread over the neutral volume V_n
        charged = np.array([any(x == "e" or (x != "M" and self.z[idx[x]] != 0) for x in r.reactants)
                            for r in rx], bool)
        neutral_row = (self.z == 0)[:, None]
        self.S_eff = np.where(neutral_row & charged[None, :], S * (self.V / self.V_n), S)
        self.rx_loss, self.rx_elastic = loss, elastic
        self.e_loss_mask = np.maximum(-s_e, 0.0)
        groups: dict[tuple[str, int], tuple[list[int], list]] = {}   # same form and parameter count
        for r_i, r in enumerate(rx):
            key = (r.form, len(r.params))
            groups.setdefault(key, ([], []))
            groups[key][0].append(r_i)
            groups[key][1].append(r.params)
        self.rx_groups = [(RATE_FORMS[form], np.array(ids), tuple(np.array(ps, float).T[:, :, None]))
                          for (form, _), (ids, ps) in groups.items() if form not in _FIXED_FORMS]
        fixed = [(np.array(ids), RATE_FORMS[form](tuple(np.array(ps, float).T[:, :, None]), np.ones((1, 1)),
                                                  self.T_gas, np.ones((1, 1)))[:, 0])
                 for (form, _), (ids, ps) in groups.items() if form in _FIXED_FORMS]
        self.k_fixed_ids = np.concatenate([f[0] for f in fixed]) if fixed else np.zeros(0, np.intp)
        self.k_fixed = np.concatenate([f[1] for f in fixed]) if fixed else np.zeros(0)
        # electron-consuming reactions whose k depends on T_e (for their energy, ε = 3/2 T_e
        # + T_e² d ln k/dT_e); T_e-independent ones remove 3/2 T_e
        lost = set(np.flatnonzero(self.e_loss_mask).tolist())
        self.lost_groups = []
        for f, ids, P in self.rx_groups:
            sel = np.array([j for j, i in enumerate(ids) if i in lost], dtype=np.intp)
            if sel.size:
                self.lost_groups.append((f, ids[sel], tuple(p[sel] for p in P)))

    def _compile_walls(self, losses) -> None:
        N, idx = self.N, self.index
        sp = self.chem.species
        self.wall_neu = np.array([i for i in self.neu if sp[i].wall_gamma > 0], dtype=np.intp)
        self.wall_gamma = np.array([sp[i].wall_gamma for i in self.wall_neu], float)
        # gas-dependent probabilities (Species.wall_gamma_fit): (row in wall_neu, species,
        # a, b, c, indices of the 'over' species)
        self.wall_fits = [(k, int(i), *sp[i].wall_gamma_fit[:3],
                           np.array([idx[o] for o in sp[i].wall_gamma_fit[3]], dtype=np.intp))
                          for k, i in enumerate(self.wall_neu) if sp[i].wall_gamma_fit is not None]
        chans_species, P = [], []
        surface_ions = {r.gas for r in self.chem.surface_reactions}
        for i in list(self.wall_neu) + list(self.pos):
            col = np.zeros(N)
            col[i] -= 1.0
            if sp[i].charge > 0 and sp[i].name in surface_ions:
                chans_species.append(i)        # loss and products in the ion-surface reactions
                P.append(np.zeros(N))
                continue
            for name, c in sp[i].wall_products.items():
                col[idx[name]] += c
            chans_species.append(i)
            P.append(col)
        self.extra = tuple(losses)
        self.extra_species = np.array([idx[l.species] for l in losses], dtype=np.intp)
        self.extra_nu = np.array([l.probability / (1 - l.probability / 2) * self.vbar[idx[l.species]]
                                  * l.area / (4 * self.V_n) for l in losses], float)
        self.extra_P = np.zeros((N, len(losses)))
        for c, l in enumerate(losses):
            self.extra_P[idx[l.species], c] -= 1.0
            for name, k in l.products.items():
                self.extra_P[idx[name], c] += k
        self.wall_P = np.array(P).T if P else np.zeros((N, 0))
        if P and self.V_n != self.V:          # ions return as neutrals into V_n
            ion_col = np.array([sp[i].charge > 0 for i in chans_species], bool)
            neutral_row = (self.z == 0)[:, None]
            self.wall_P = np.where(neutral_row & ion_col[None, :], self.wall_P * (self.V / self.V_n),
                                   self.wall_P)
        self.n_wall_neu = len(self.wall_neu)
        self.V_s_coef = 0.5 * np.log(self.mass[self.pos] / (2 * PI * M_E))   # V_s = T_e ln√(M/2πm)

    def _compile_surface(self) -> None:
        """Wall-coverage model: sites ('*' free first), reactions gas + site -> products."""
        chem, N, idx = self.chem, self.N, self.index
        self.sites = tuple(chem.surface_sites)
        Ns = self.Ns = len(self.sites)
        sidx = {x: i for i, x in enumerate(self.sites)}
        srx = chem.surface_reactions
        self.sr_gas = np.array([idx[r.gas] for r in srx], dtype=np.intp)
        self.sr_site = np.array([sidx[r.site] for r in srx], dtype=np.intp)
        self.sr_prob = np.array([r.prob for r in srx], float)
        self.sr_gases = np.unique(self.sr_gas)
        self.sr_pos = np.searchsorted(self.sr_gases, self.sr_gas)
        self.sr_sum = (self.sr_pos[None, :] == np.arange(self.sr_gases.size)[:, None]).astype(float)
        self.sr_Sg = np.zeros((N, len(srx)))
        self.sr_Ss = np.zeros((Ns, len(srx)))
        pos_list = list(self.pos)
        self.sr_ion = np.array([pos_list.index(g) if self.z[g] > 0 else -1 for g in self.sr_gases],
                               dtype=np.intp)            # ion gases: index among positive ions
        self.sr_is_ion = self.sr_ion >= 0
        self.sr_neu_g = np.flatnonzero(~self.sr_is_ion)
        self.sr_ion_g = np.flatnonzero(self.sr_is_ion)
        self.sr_Eb = np.zeros((len(self.elements), len(srx)))     # elements buried in the film
        for j, r in enumerate(srx):
            for k, v in r.buried.items():
                for el, c in parse_formula(k)[0].items():
                    self.sr_Eb[self.elements.index(el), j] += v * c
            self.sr_Sg[idx[r.gas], j] -= 1.0
            self.sr_Ss[sidx[r.site], j] -= 1.0
            for k, v in r.gas_products.items():
                self.sr_Sg[idx[k], j] += v
            for k, v in r.surface_products.items():
                self.sr_Ss[sidx[k], j] += v
        if self.Ns and self.V_n != self.V:
            raise ValueError("a neutral_volume larger than the plasma is not supported with a "
                             "wall-coverage chemistry (surface sites)")
        self.surf_factor = self.V / (self.A * chem.site_density_m2)

    def chantry(self, i, gamma, n_g):
        """Neutral wall-loss frequency for loss probability ``gamma`` (Chantry 1987)."""
        lam = 1.0 / (n_g[None, :] * self.sigma[i][:, None])
        D = PI / 8 * lam * self.vbar[i][:, None]
        g = np.maximum(gamma, 1e-300)
        return 1.0 / (self.Lambda2 / D + 2 * self.V_n * (2 - g) / (self.A_n * self.vbar[i][:, None] * g))

    # ------------------------------------------------------------------ physics
    def rate_coefficients(self, Te, M):
        """k_r for every reaction, shape (n_rx, B)."""
        Te = np.atleast_1d(Te)
        k = np.empty((self.n_rx, Te.size))
        k[self.k_fixed_ids] = self.k_fixed[:, None]
        Te2, M2 = Te[None, :], np.atleast_1d(M)[None, :]
        for f, ids, P in self.rx_groups:
            k[ids] = f(P, Te2, self.T_gas, M2)
        if self.rate_factor is not None:      # EEDF correction (reactor.eedf: boltzmann)
            k *= self.rate_factor(Te)
        return k

    def lost_electron_energy(self, Te, M):
        """Mean energy (eV) of the electrons consumed by each reaction, shape (n_rx, B):
        ε = 3/2 T_e + T_e² ∂ln k/∂T_e, exact for a Maxwellian EEDF (differentiate
        k = ⟨σv⟩ with respect to T_e); ≥ 0.  Zero-energy capture (k ∝ T_e^-3/2, e.g.
        e + SF6 -> SF6-) removes nothing, a T_e-independent k removes 3/2 T_e.  Only the
        reactions that consume electrons (attachment, recombination) use it."""
        Te = np.atleast_1d(Te)
        eps = np.zeros((self.n_rx, Te.size))
        if not self.e_loss_mask.any():
            return eps
        eps[:] = 1.5 * Te[None, :]
        h = 1e-4
        Te1, Te2, M2 = Te[None, :], Te[None, :] * (1 + h), np.atleast_1d(M)[None, :]
        for f, ids, P in self.lost_groups:
            k1 = np.maximum(f(P, Te1, self.T_gas, M2), 1e-300)
            k2 = np.maximum(f(P, Te2, self.T_gas, M2), 1e-300)
            eps[ids] += Te1 * np.log(k2 / k1) / np.log1p(h)
        return np.maximum(eps, 0.0)

    def profile_ratios(self, n_g):
        """(a_L, a_R) = n̄/n₀ of the exact kinetic plane (L/λ_i) and cylinder (R/λ_i) profiles
        of each positive ion, shape (n_pos, B); (1, 1) with ``volume_average=False``."""
        inv_lam = np.atleast_1d(n_g)[None, :] * self.sigma[self.pos][:, None]
        if not self.volume_average:
            one = np.ones_like(inv_lam)
            return one, one
        return plane_average(self.L * inv_lam), cylinder_average(self.R * inv_lam)

    def centre_density(self, st: SteadyState) -> float:
        """Electron density at the chamber centre, n₀ = n̄/(a_L a_R) at the positive ions'
        density-weighted 1/λ_i (= ``st.n_e`` with ``volume_average=False``)."""
        if not self.volume_average or not self.pos.size:
            return float(st.n_e)
        w = st.n[self.pos] / max(float(st.n[self.pos].sum()), 1e-300)
        n_g = float(st.n[self.neu].sum())
        inv_lam = n_g * float(w @ self.sigma[self.pos])
        return float(st.n_e / (plane_average(self.L * inv_lam) * cylinder_average(self.R * inv_lam)))

    def h_factors(self, n_g, alpha, Te):
        """Wall-loss h-factors of each positive ion, shape (n_pos, B): the wall flux per unit
        density variable and Bohm speed.  L&L's edge-to-centre h_L, h_R divided by the profile
        averages a_L, a_R (edge-to-volume-average, :meth:`profile_ratios`)."""
        lam = 1.0 / (np.atleast_1d(n_g)[None, :] * self.sigma[self.pos][:, None])
        f = (1 + 3 * alpha / (Te / self.T_ion_eV)) / (1 + alpha)
        aL, aR = self.profile_ratios(n_g)
        xL, xR = 3 + self.L / (2 * lam), 4 + self.R / lam
        if self.volume_average:
            # L&L 2005 eq. 10.2.1-2's constant-mobility term, D_a = D_i (1 + T_e/T_g), D_i = e T_g λ_i/(M v̄)
            Tg = self.T_gas * K_B / EV
            M = self.mass[self.pos][:, None]
            Da = EV * Tg * lam / (M * np.sqrt(8 * EV * Tg / (PI * M))) * (1 + Te[None, :] / Tg)
            uB = np.sqrt(EV * Te[None, :] / M)
            xL = xL + (0.86 * self.L * uB / (PI * Da)) ** 2
            xR = xR + (0.80 * self.R * uB / (2.405 * 0.5191 * Da)) ** 2
        hL = 0.86 / np.sqrt(xL) * f / aL
        hR = 0.80 / np.sqrt(xR) * f / aR
        return hL, hR

    def bohm(self, Te):
        return np.sqrt(EV * np.atleast_1d(Te)[None, :] / self.mass[self.pos][:, None])

    def wall_gammas(self, n):
        """Wall probabilities of the neutrals with walls, shape (n_wall, B): constant, or
        log10 γ = a + b exp(c n_i / Σ n_over) where the chemistry gives a fit."""
        g = np.repeat(self.wall_gamma[:, None], n.shape[1], axis=1)
        for k, i, a, b, c, over in self.wall_fits:
            ratio = n[i] / np.maximum(n[over].sum(axis=0), 1e-300)
            g[k] = 10.0 ** (a + b * np.exp(c * ratio))
        return g

    def frequencies(self, n, n_e, Te):
        """Wall-loss frequencies ν (s^-1) of the channels: neutral walls, ions, extra."""
        n_g = n[self.neu].sum(axis=0)
        alpha = n[self.neg].sum(axis=0) / n_e if self.neg.size else np.zeros_like(n_e)
        hL, hR = self.h_factors(n_g, alpha, Te)
        nu_ion = self.bohm(Te) * (hL * self.A_ax + hR * self.A_rad) / self.V
        if self.n_wall_neu:
            nu_w = self.chantry(self.wall_neu, self.wall_gammas(n), n_g)
        else:
            nu_w = np.zeros((0, n.shape[1]))
        return nu_w, nu_ion, n_g, alpha

    def terms(self, n, n_e, Te, theta=None, power=None):
        """All rates for batch columns: densities n (N,B), n_e (B,), Te (B,) eV, wall
        coverages theta (Ns,B)."""
        B = n.shape[1]
        D = np.empty((self.N + 3, B))
        D[: self.N] = n
        D[self.N] = n_e
        nu_w, nu_ion, n_g, alpha = self.frequencies(n, n_e, Te)
        D[self.N + 1] = n_g
        D[self.N + 2] = 1.0
        k = self.rate_coefficients(Te, n_g)
        R = k * D[self.slots[:, 0]] * D[self.slots[:, 1]] * D[self.slots[:, 2]]
        eps_lost = self.lost_electron_energy(Te, n_g)
        r_wall = np.concatenate([nu_w * n[self.wall_neu], nu_ion * n[self.pos]], axis=0)
        r_extra = self.extra_nu[:, None] * n[self.extra_species]
        dn = (self.S_eff @ R + self.wall_P @ r_wall + self.extra_P @ r_extra
              + (self.feed / self.V_n)[:, None] - self.k_pump * self.pumped[:, None] * n)
        dtheta = None
        if self.Ns:
            w = self.sr_prob[:, None] * theta[self.sr_site]
            s_tot = self.sr_sum @ w
            loss = np.empty_like(s_tot)             # wall-loss rate of each gas, m^-3 s^-1
            g_n = self.sr_neu_g
            loss[g_n] = self.chantry(self.sr_gases[g_n], s_tot[g_n], n_g) * n[self.sr_gases[g_n]]
            g_i = self.sr_ion_g
            loss[g_i] = nu_ion[self.sr_ion[g_i]] * n[self.sr_gases[g_i]]
            r_sr = (loss / np.maximum(s_tot, 1e-300))[self.sr_pos] * w
            dn = dn + self.sr_Sg @ r_sr
            dtheta = self.surf_factor * (self.sr_Ss @ r_sr)
        ion_loss = r_wall[self.n_wall_neu:]
        dne = self.s_e @ R - ion_loss.sum(axis=0)
        P_coll = self.rx_loss @ R + (self.rx_elastic @ R) * Te
        P_wall = (ion_loss * (2.5 * Te[None, :] + self.V_s_coef[:, None] * Te[None, :])).sum(axis=0)
        P_att = (self.e_loss_mask[:, None] * eps_lost * R).sum(axis=0)
        P_in = (self.power if power is None else power) / (EV * self.V)
        dW = P_in - P_coll - P_wall - P_att
        return dict(R=R, dn=dn, dne=dne, dW=dW, dtheta=dtheta, r_sr=r_sr if self.Ns else None,
                    P_in=P_in, P_coll=P_coll, P_wall=P_wall, P_att=P_att, ion_loss=ion_loss, r_extra=r_extra,
                    nu_ion=nu_ion, n_g=n_g, alpha=alpha)

    def _unpack(self, x):
        x = np.asarray(x, float)
        X = x if x.ndim == 2 else x[:, None]
        n = np.exp(X[: self.N])
        theta = np.exp(X[self.N + 2:])
        return n, np.exp(X[self.N]), np.exp(X[self.N + 1]), theta

    def rhs(self, t, x, power=None):
        """d x/dt for x = (ln n, ln n_e, ln T_e, ln θ); accepts (M,) or (M,B).
        ``power`` (W) overrides the absorbed power (time-dependent drive)."""
        n, n_e, Te, theta = self._unpack(x)
        tr = self.terms(n, n_e, Te, theta, power)
        dlnne = tr["dne"] / n_e
        parts = [tr["dn"] / n, dlnne[None], (tr["dW"] / (1.5 * n_e * Te) - dlnne)[None]]
        if self.Ns:
            parts.append(tr["dtheta"] / theta)
        out = np.concatenate(parts)
        return out if np.ndim(x) == 2 else out[:, 0]

    def residual(self, x):
        """Steady-state residual; the electron equation is replaced by quasi-neutrality
        and the free-site equation by Σθ = 1."""
        n, n_e, Te, theta = self._unpack(x)
        tr = self.terms(n, n_e, Te, theta)
        dlnne = tr["dne"] / n_e
        neutral = (self.z @ n - n_e) / n_e * self.k_scale
        parts = [tr["dn"] / n, neutral[None], (tr["dW"] / (1.5 * n_e * Te) - dlnne)[None]]
        if self.Ns:
            ds = tr["dtheta"] / theta
            ds[0] = (theta.sum(axis=0) - 1.0) * self.k_scale
            parts.append(ds)
        out = np.concatenate(parts)
        return out if np.ndim(x) == 2 else out[:, 0]

    def jacobian(self, fun, x, h=1e-7):
        """Forward-difference Jacobian of ``fun`` from one vectorised call."""
        m = x.size
        X = np.repeat(x[:, None], m + 1, axis=1)
        X[np.arange(m), np.arange(1, m + 1)] += h
        F = fun(X)
        return (F[:, 1:] - F[:, :1]) / h

    # ------------------------------------------------------------------ solving
    def initial_state(self, *, n_e=1e16, Te=3.0) -> np.ndarray:
        n = np.full(self.N, 1e-6 * self.n_g0)
        fe = self.feed / self.feed.sum() if self.feed.sum() > 0 else np.where(self.z == 0, 1.0, 0.0)
        n[self.neu] = np.maximum(fe[self.neu] * self.n_g0, 1e-6 * self.n_g0)
        if self.pos.size:
            n[self.pos] = n_e * (1.0 + 0.1 * self.neg.size) / self.pos.size
        n[self.neg] = 0.1 * n_e / max(self.neg.size, 1)
        ne = self.z @ n
        theta = np.full(self.Ns, 0.01)
        if self.Ns:
            theta[0] = 1.0 - 0.01 * (self.Ns - 1)
        return np.concatenate([np.log(n), [math.log(ne), math.log(Te)], np.log(theta)])

    @property
    def k_scale(self) -> float:
        return 1e3

    def integrate(self, x0, t_end, *, t_eval=None, rtol=1e-6, atol=1e-8, power=None,
                  max_step=np.inf):
        """Time-dependent solution (BDF) from x0 to t_end; ``power(t)`` (W) optional."""
        if power is None:
            fun = self.rhs
            jac = lambda t, x: self.jacobian(lambda X: self.rhs(t, X), x)  # noqa: E731
        else:
            fun = lambda t, x: self.rhs(t, x, float(power(t)))  # noqa: E731
            jac = lambda t, x: self.jacobian(lambda X: self.rhs(t, X, float(power(t))), x)  # noqa: E731
        sol = solve_ivp(fun, (0.0, t_end), x0, method="BDF", t_eval=t_eval, rtol=rtol,
                        atol=atol, jac=jac, vectorized=True, max_step=max_step)
        if sol.status < 0:
            raise SimulationError(f"global model time integration failed: {sol.message}")
        return sol

    def newton(self, x, *, tol=1e-12, max_iter=60):
        """Damped Newton on :meth:`residual`; returns (x, iterations)."""
        f = self.residual(x)
        for it in range(1, max_iter + 1):
            J = self.jacobian(self.residual, x)
            try:
                dx = np.linalg.solve(J, -f)
            except np.linalg.LinAlgError:
                dx = np.linalg.lstsq(J, -f, rcond=None)[0]
            step = 1.0
            norm0 = np.linalg.norm(f * self._row_scale(x))
            while True:
                x_new = x + step * np.clip(dx, -2.0, 2.0)
                f_new = self.residual(x_new)
                if np.all(np.isfinite(f_new)) and (np.linalg.norm(f_new * self._row_scale(x_new)) < norm0
                                                   or step < 1e-3):
                    break
                step *= 0.5
            x, f = x_new, f_new
            if np.max(np.abs(step * dx)) < tol:
                return x, it
        raise SimulationError(f"global model Newton iteration did not converge "
                              f"(last step {np.max(np.abs(dx)):.2e}, power {self.power:g} W, "
                              f"pressure {self.pressure:g} Pa)")

    def _row_scale(self, x):
        return 1.0 / self.char_rate

    @property
    def char_rate(self) -> float:
        return max(self.k_pump, 1.0)

    def steady_state(self, x0=None, *, t_end=None) -> SteadyState:
        """Integrate towards steady state (loose BDF), then polish with Newton.

        If Newton does not converge from there, integrate further (ten times longer,
        tighter tolerances) and try again, up to three times.
        """
        x = self.initial_state() if x0 is None else np.asarray(x0, float)
        if t_end is None:
            t_end = 10.0 / max(self.k_pump, 10.0)
        t_done, rtol = 0.0, 1e-3
        last_error = None
        for _attempt in range(4):
            if t_end > 0:
                sol = self.integrate(x, t_end, rtol=rtol, atol=rtol * 0.1)
                x = sol.y[:, -1]
                t_done += float(sol.t[-1])
            try:
                x_ss, its = self.newton(x)
                break
            except SimulationError as exc:
                last_error = exc
                t_end, rtol = max(10.0 * t_end, 1e-3), rtol * 0.1
        else:
            raise SimulationError(f"global model found no steady state after integrating "
                                  f"{t_done:.3g} s: {last_error}")
        n = np.exp(x_ss[: self.N])
        return SteadyState(n=n, n_e=float(np.exp(x_ss[self.N])), T_e=float(np.exp(x_ss[self.N + 1])),
                           t_integrated=t_done, newton_iterations=its, theta=np.exp(x_ss[self.N + 2:]),
                           names=self.names)

    def state_vector(self, st: SteadyState) -> np.ndarray:
        return np.concatenate([np.log(st.n), [math.log(st.n_e), math.log(st.T_e)], np.log(st.theta)])

    # ------------------------------------------------------------------ checks
    def energy_balance(self, st: SteadyState) -> dict[str, float]:
        """Power channels (W) and the relative residual (P_abs - losses - dW/dt)/P_abs."""
        tr = self.terms(st.n[:, None], np.array([st.n_e]), np.array([st.T_e]), st.theta[:, None])
        c = EV * self.V
        out = {"P_abs_W": self.power, "collisions_W": float(tr["P_coll"][0] * c),
               "walls_W": float(tr["P_wall"][0] * c), "attachment_W": float(tr["P_att"][0] * c)}
        out["residual"] = float(tr["dW"][0] * c / self.power)
        return out

    def element_balance(self, st: SteadyState) -> dict[str, float]:
        """Relative residual (in - pumped - sinks)/in of every element fed (steady state)."""
        n = st.n[:, None]
        tr = self.terms(n, np.array([st.n_e]), np.array([st.T_e]), st.theta[:, None])
        inflow = self.elem_matrix @ self.feed
        pumped = self.elem_matrix @ (self.k_pump * self.pumped * st.n) * self.V_n
        sink = -(self.elem_matrix @ (self.extra_P @ tr["r_extra"]))[:, 0] * self.V_n
        if self.Ns:
            sink = sink + (self.sr_Eb @ tr["r_sr"])[:, 0] * self.V         # buried in the wall film
        out = {}
        for k, el in enumerate(self.elements):
            if inflow[k] > 0:
                out[el] = float((inflow[k] - pumped[k] - sink[k]) / inflow[k])
        return out
