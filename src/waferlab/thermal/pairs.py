"""Five-stream pair diffusion with {311} clusters (``model: five_stream``).

Fields per node: for each dopant A its substitutional atoms A, dopant–interstitial pairs
M = AI and dopant–vacancy pairs N = AV; free interstitials I, vacancies V and the
interstitials stored in {311} clusters Cl (m⁻³).  Reactions (rates per volume):

    A + I ⇌ AI:   R_M  = k_I (A I − M/K_I(n)),        k_I = 4π a D_I
    A + V ⇌ AV:   R_N  = k_V (A V − N/K_V(n)),        k_V = 4π a D_V
    AI + V → A:   R_MV = k_V (M V − K_I A I* V*)
    AV + I → A:   R_NI = k_I (N I − K_V A I* V*)
    I + V → 0:    R_IV = k_IV (I V − I* V*),          k_IV = 4π a (D_I + D_V)
    {311}:        R_cl = K_fc (I/I*)(Cl + I) − K_r Cl

    ∂A/∂t = −R_M − R_N + R_MV + R_NI
    ∂M/∂t = ∇·(D_M ∇M) + R_M − R_MV          ∂N/∂t = ∇·(D_N ∇N) + R_N − R_NI
    ∂I/∂t = ∇·(D_I ∇I) − R_M − R_NI − R_IV − R_cl
    ∂V/∂t = ∇·(D_V ∇V) − R_N − R_MV − R_IV   ∂Cl/∂t = R_cl

(the five-stream equations of TSUPREM-4 ``pd.5str``, Eqs. 3-61/62, 3-280/281, with its
one-moment {311} model, Eq. 3-319, CF = 1; TSUPREM-4 User Guide, Appendix A).  Total
dopant A + M + N and the interstitial excess I − V + M − N + Cl are conserved in the
bulk; the surface is a perfect sink (I = I*, V = V*).

The Fermi level enters through the pairing constants: K_X(n) = K0_X F_X(n/ni) with
F_X = Σ_k w_k (n/ni)^k / Σ_k w_k the dopant's charged components on path X, and the pair
diffusivities are D_M = D_int,I/(K0_I C_I*), D_N = D_int,V/(K0_V C_V*).  In local
equilibrium (M = K_I A I) the dopant flux is then −D_int,I ∇(A F_I (I/I*)) − …, Fair's
charged-species model with its built-in field and the defect supersaturation — so at
I = I*, V = V* this model is the ``fermi`` model (checked in the tests).

Parameters (``PointDefectParams`` defaults), the published calibrations they come from:
* interstitials: D_I = 51 exp(−1.77 eV/kT) cm²/s and D_I C_I* = 914 exp(−4.84 eV/kT)
  × 5e22 cm⁻¹s⁻¹, i.e. C_I* = 8.96e23 exp(−3.07 eV/kT) cm⁻³ (Bracht, Stolwijk & Mehrer,
  Phys. Rev. B 52, 16542, 1995 — measured; TSUPREM-4's D_I C_I* has the same value, but its
  split, C_I* = 1.25e29 exp(−3.26 eV/kT) cm⁻³, puts 2·10³ times more of the excess into free
  interstitials at a given supersaturation, so its {311} clusters cannot hold the transient's
  plateau at 1000 °C);
* vacancies: D_V = 1.18e-4 exp(−0.1 eV/kT) cm²/s, C_V* = 4.0515e26 exp(−3.97 eV/kT) cm⁻³;
  capture radius a = 2.714 Å; pair binding K0 = 8e-23 exp(E_b/kT) cm³ with E_b(BI) = 1.0,
  E_b(BV) = 0.5, E_b(PI) = 1.49, E_b(AsI) = 0, E_b(AsV) = 0.5 eV (FLOOXS default silicon
  parameters, University of Florida, M. E. Law et al.); the I-pair constants are rescaled
  by C_I*(FLOOXS)/C_I* = 3.6484e27 exp(−3.7 eV/kT)/C_I* = 4072 exp(−0.63 eV/kT), so the
  equilibrium pair fraction K0_I C_I* — what FLOOXS calibrates — is FLOOXS's;
* {311}: K_r = 9.431e13 exp(−3.017 eV/kT) s⁻¹ (TSUPREM-4 default, User Guide Table A-24)
  and K_fc = K_r/S with the plateau supersaturation S = K_r/K_fc = 180 at 1000 °C (TSUPREM-4's
  value there) and an activation energy E_S = E(D_I C_I*) − E_τ = 4.84 − 3.8 = 1.04 eV: the
  transient lasts τ ∝ 1/(D_I C_I* S) (interstitials leaving to the surface at the plateau)
  and the {311} defects dissolve with E_τ = 3.8 eV (Eaglesham, Stolk, Gossmann & Poate, Appl.
  Phys. Lett. 65, 2305, 1994; Stolk et al., J. Appl. Phys. 81, 6031, 1997), so K_fc =
  6.868e15 exp(−4.057 eV/kT) s⁻¹; S = 1050, 400, 180 at 800, 900, 1000 °C (TSUPREM-4's
  0.757 eV gives 650, 320, 180), and ⟨D⟩_TED ≈ D* S ∝ exp(−(3.56 − 1.04) eV/kT), the 2.5 eV
  of Solmi et al.'s measured TED diffusivity (J. Appl. Phys. 69, 2135, 1991; bench);
* dopant diffusivity split into I and V paths: ``calibration: tsuprem4`` (dopants.py).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from ..constants import EV
from .dopants import DOPANTS_TSUPREM4, Arrhenius, Dopant, ni_si

__all__ = ["PointDefectParams", "FiveStream", "hobler_moroz_plus_n"]

_CM3 = 1e-6
_FLOOXS_CI_RATIO = 3.6484e27 / (914.0 * 5e22 / 51.0)   # C_I*(FLOOXS)/C_I*, × exp(−0.63 eV/kT)


def _arr(D0: float, Ea_eV: float) -> Arrhenius:
    return Arrhenius(D0=D0, Ea=Ea_eV * EV)


@dataclass(frozen=True, kw_only=True)
class PointDefectParams:
    """Point-defect, pairing and {311} parameters (SI: m²/s, m⁻³, m³, s⁻¹); sources in
    the module docstring."""

    DI: Arrhenius = _arr(51.0 * 1e-4, 1.77)
    CI: Arrhenius = _arr(914.0 * 5e22 / 51.0 * 1e6, 3.07)
    DV: Arrhenius = _arr(1.18e-4 * 1e-4, 0.1)
    CV: Arrhenius = _arr(4.0515e26 * 1e6, 3.97)
    capture_radius: float = 2.714e-10
    Kfc: Arrhenius = _arr(6.868e15, 3.017 + 1.04)
    Kr: Arrhenius = _arr(9.431e13, 3.017)
    cluster_power: float = 1.0
    binding_I: Mapping[str, Arrhenius] = field(default_factory=lambda: {
        d: _arr(8e-23 * _CM3 * _FLOOXS_CI_RATIO, 0.63 - eb)
        for d, eb in (("B", 1.0), ("P", 1.49), ("As", 0.0), ("Sb", 0.0))})
    charge_I: tuple = ((1, _arr(5.68, 0.50)), (-1, _arr(5.68, 0.26)))
    charge_V: tuple = ((1, _arr(5.68, 0.145)), (2, _arr(32.47, 0.62)), (-1, _arr(5.68, 0.455)))
    solubility: Mapping[str, Arrhenius] = field(default_factory=lambda: {
        "B": _arr(7.68e22 * 1e6, 0.7086), "P": _arr(3.89e21 * 1e6, 0.265),
        "As": _arr(2.24e22 * 1e6, 0.494)})
    binding_V: Mapping[str, Arrhenius] = field(default_factory=lambda: {
        "B": _arr(8e-23 * _CM3, -0.5), "P": _arr(8e-23 * _CM3, -0.5),
        "As": _arr(8e-23 * _CM3, -0.5), "Sb": _arr(8e-23 * _CM3, -0.5)})


def hobler_moroz_plus_n(mass_amu: float, energy_keV: float) -> float:
    """Effective "+n" (excess interstitials per implanted ion) of Hobler & Moroz
    (Comput. Mater. Sci. 27, 160, 2003) as TSUPREM-4's ``damage`` default:
    n = 1 + 0.0905 m^0.85 E^(−2 m^−0.5), m in amu, E in keV."""
    return 1.0 + 0.0905 * mass_amu ** 0.85 * energy_keV ** (-2.0 / math.sqrt(mass_amu))


@dataclass(frozen=True, eq=False)
class _Coef:
    """Everything the reactions need at one temperature."""

    T: float
    ni: float
    CI: float
    CV: float
    DI: float
    DV: float
    kI: float
    kV: float
    kIV: float
    Kfc: float
    Kr: float
    K0: tuple        # per dopant (K0_I, K0_V)
    Css: tuple       # per dopant solid solubility (m⁻³) or None
    betaI: tuple     # ((k, β_k), ...): I*(n) ∝ 1 + Σ β_k (n/ni)^k
    betaV: tuple
    paths: tuple     # per dopant (weights_I, weights_V)
    D: np.ndarray    # per field diffusivity (0 = immobile)


class FiveStream:
    """The coupled system for ``dopants`` (names; order fixes the field layout)."""

    _base_mesh: object = None          # the mesh whose unit-diffusivity operator is cached

    def __init__(self, dopants: list[str], *, params: PointDefectParams = PointDefectParams(),
                 table: Mapping[str, Dopant] = DOPANTS_TSUPREM4,
                 override: Mapping[str, Arrhenius] | None = None,
                 background: np.ndarray | float | None = None):
        """``background``: net donor density (m⁻³) of dopants outside the system."""
        self.dopants = list(dopants)
        self.background = 0.0 if background is None else background
        self.params = params
        self.table = table
        self.override = dict(override or {})
        nd = len(self.dopants)
        self.names = ([f"{d}{s}" for d in self.dopants for s in ("", "I", "V")]
                      + ["I", "V", "Cl"])
        self.nf = 3 * nd + 3
        self.iI, self.iV, self.iC = 3 * nd, 3 * nd + 1, 3 * nd + 2
        self.charge = np.zeros(self.nf)
        for j, d in enumerate(self.dopants):
            self.charge[3 * j:3 * j + 3] = table[d].charge
        self._cache: dict[float, _Coef] = {}

    # ---------------------------------------------------------------- coefficients
    def coef(self, T: float) -> _Coef:
        c = self._cache.get(T)
        if c is not None:
            return c
        p = self.params
        a = p.capture_radius
        DI, DV, CI, CV = p.DI(T), p.DV(T), p.CI(T), p.CV(T)
        D = np.zeros(self.nf)
        D[self.iI], D[self.iV] = DI, DV
        K0, paths = [], []
        for j, d in enumerate(self.dopants):
            dop = self.table[d]
            Dint = (self.override.get(d) or dop.intrinsic)(T)
            wI, wV = dop.path_weights(T)
            kI0, kV0 = p.binding_I[d](T), p.binding_V[d](T)
            D[3 * j + 1] = Dint * sum(w for _, w in wI) / (kI0 * CI)
            D[3 * j + 2] = Dint * sum(w for _, w in wV) / (kV0 * CV)
            K0.append((kI0, kV0))
            paths.append((wI, wV))
        c = _Coef(T=T, ni=ni_si(T), CI=CI, CV=CV, DI=DI, DV=DV, kI=4 * math.pi * a * DI,
                  kV=4 * math.pi * a * DV, kIV=4 * math.pi * a * (DI + DV), Kfc=p.Kfc(T),
                  Kr=p.Kr(T), K0=tuple(K0), paths=tuple(paths), D=D,
                  Css=tuple(p.solubility[d](T) if d in p.solubility else None
                            for d in self.dopants),
                  betaI=tuple((k, a(T)) for k, a in p.charge_I),
                  betaV=tuple((k, a(T)) for k, a in p.charge_V))
        if len(self._cache) > 4096:
            self._cache.clear()
        self._cache[T] = c
        return c

    def diffusivities(self, T: float) -> np.ndarray:
        return self.coef(T).D

    def defect_equilibria(self, X: np.ndarray, T: float) -> tuple[np.ndarray, np.ndarray]:
        """Fermi-level-dependent I*(n), V*(n) (m⁻³) at every node."""
        c = self.coef(T)
        r = self._r(X, c)
        return c.CI * _charge_states(c.betaI, r)[0], c.CV * _charge_states(c.betaV, r)[0]

    def surface_values(self, T: float, X: np.ndarray | None = None) -> dict[int, np.ndarray | float]:
        """Dirichlet values on the surface row: I = I*(n), V = V*(n) (a perfect sink)."""
        c = self.coef(T)
        if X is None:
            return {self.iI: c.CI, self.iV: c.CV}
        Ie, Ve = self.defect_equilibria(X, T)
        return {self.iI: Ie, self.iV: Ve}

    def edge_data(self, X: np.ndarray, T: float, mesh) -> np.ndarray:
        """Transport matrices: pairs −D∇P; defects −D_X X*(n) ∇(X/X*(n)), i.e. the
        Scharfetter–Gummel flux with ψ = −ln(X*(n)/X*) (charged defects drift in the
        built-in field; FLOOXS/TSUPREM-4 form)."""
        from .diffusion import assemble_values

        c = self.coef(T)
        if self._base_mesh is not mesh:
            self._base_mesh, self._base = mesh, assemble_values(mesh, 1.0)
        E = c.D[:, None] * self._base[None, :]
        r = self._r(X, c)
        for i, beta, D in ((self.iI, c.betaI, c.DI), (self.iV, c.betaV, c.DV)):
            G = _charge_states(beta, r)[0]
            E[i] = assemble_values(mesh, D, -np.log(G))
        return E

    def equilibrium(self, conc: Mapping[str, np.ndarray], T: float) -> np.ndarray:
        """Fields (nf, n) in equilibrium at T with total dopant ``conc`` (pairs in
        local equilibrium, I = I*, V = V*, no clusters)."""
        c = self.coef(T)
        n = next(iter(conc.values())).size
        X = np.zeros((self.nf, n))
        r = self._r_of_net(sum(self.table[d].charge
                               * self._active(np.asarray(conc[d], float), j, c)[0]
                               for j, d in enumerate(self.dopants)), c)
        for j, d in enumerate(self.dopants):
            FI, _ = _fermi(c.paths[j][0], r)
            FV, _ = _fermi(c.paths[j][1], r)
            kI, kV = c.K0[j][0] * FI * c.CI, c.K0[j][1] * FV * c.CV   # G(n) cancels
            tot = np.asarray(conc[d], float)
            a, _ = self._active(tot, j, c)
            X[3 * j + 1] = a * kI
            X[3 * j + 2] = a * kV
            X[3 * j] = tot - X[3 * j + 1] - X[3 * j + 2]
        X[self.iI] = c.CI * _charge_states(c.betaI, r)[0]
        X[self.iV] = c.CV * _charge_states(c.betaV, r)[0]
        return X

    def scales(self, X: np.ndarray, T: float) -> np.ndarray:
        """Field magnitudes for the error floor: dopant fields by their dopant's total,
        I and Cl by the interstitial excess (or I*), V by V*."""
        c = self.coef(T)
        out = np.zeros(self.nf)
        for j in range(len(self.dopants)):
            out[3 * j:3 * j + 3] = np.max(X[3 * j:3 * j + 3].sum(axis=0))
        out[self.iI] = out[self.iC] = max(np.max(X[self.iI]), np.max(X[self.iC]), c.CI)
        out[self.iV] = max(np.max(X[self.iV]), c.CV)
        return out

    def _r(self, X: np.ndarray, c: _Coef) -> np.ndarray:
        N = 0.0
        for j in range(len(self.dopants)):
            a, _ = self._active(X[3 * j], j, c)
            N = N + self.charge[3 * j] * (a + np.maximum(X[3 * j + 1], 0) + np.maximum(X[3 * j + 2], 0))
        return self._r_of_net(N, c)

    def _active(self, A: np.ndarray, j: int, c: _Coef) -> tuple[np.ndarray, np.ndarray]:
        """Electrically active substitutional dopant a = Css A/(Css + A) (solid
        solubility; the rest is clustered, immobile and neutral) and da/dA."""
        Css = c.Css[j]
        if Css is None:
            return A, np.ones_like(A)
        A = np.maximum(A, 0.0)
        q = Css / (Css + A)
        return A * q, q * q

    def _r_of_net(self, N, c: _Coef) -> np.ndarray:
        """n/ni from charge neutrality for the net donor density N (plus background)."""
        half = 0.5 * (N + self.background)
        root = np.sqrt(half * half + c.ni * c.ni)
        n = np.where(half >= 0, half + root, c.ni * c.ni / (root - half))
        return n / c.ni

    # ---------------------------------------------------------------- reactions
    def reactions(self, X: np.ndarray, T: float, *, jacobian: bool = True):
        """(R (nf, n), dR/dX (nf, nf, n)) of the local terms at temperature T."""
        c = self.coef(T)
        nf, n = X.shape
        R = np.zeros((nf, n))
        J = np.zeros((nf, nf, n)) if jacobian else None
        I, V, Cl = X[self.iI], X[self.iV], X[self.iC]
        iI, iV, iC = self.iI, self.iV, self.iC
        nd = 3 * len(self.dopants)
        r = self._r(X, c)
        if jacobian:
            n_e = r * c.ni
            p_h = c.ni * c.ni / n_e
            drdN = n_e / ((n_e + p_h) * c.ni)
        GI, dGI = _charge_states(c.betaI, r)
        GV, _ = _charge_states(c.betaV, r)
        Ieq, Veq = c.CI * GI, c.CV * GV          # I*(n), V*(n); frozen in the Jacobian
        IV = Ieq * Veq
        for j in range(len(self.dopants)):
            iA = 3 * j
            A, da = self._active(X[iA], j, c)
            for path, (iP, iX, iY, kX, kY) in enumerate((
                    (iA + 1, iI, iV, c.kI, c.kV), (iA + 2, iV, iI, c.kV, c.kI))):
                w = c.paths[j][path]
                if not w:
                    continue
                F, dF = _fermi(w, r)
                if path == 0:            # pairs in equilibrium with I/I*(n): K = K0 F/G_I
                    K = c.K0[j][path] * F / GI
                    dKdr = c.K0[j][path] * (dF * GI - F * dGI) / (GI * GI)
                else:
                    K = c.K0[j][path] * F / GV
                    dKdr = c.K0[j][path] * dF / GV
                P, Xd, Yd = X[iP], X[iX], X[iY]
                Rf = kX * (A * Xd - P / K)
                Rr = kY * (P * Yd - K * A * IV)
                R[iA] += -Rf + Rr
                R[iP] += Rf - Rr
                R[iX] -= Rf
                R[iY] -= Rr
                if not jacobian:
                    continue
                assert J is not None                     # allocated when jacobian
                # d/dA, dX, dP, dY at frozen K, then the Fermi dependence of K
                dRf = {iA: kX * Xd * da, iX: kX * A, iP: -kX / K}
                dRr = {iP: kY * Yd, iY: kY * P, iA: -kY * K * IV * da}
                dK = dKdr * drdN                         # dK/dN_net
                for e in range(nd):
                    ch = self.charge[e]
                    if ch == 0:
                        continue
                    if e % 3 == 0:
                        ch = ch * self._active(X[e], e // 3, c)[1]
                    dRf[e] = dRf.get(e, 0.0) + kX * P / (K * K) * dK * ch
                    dRr[e] = dRr.get(e, 0.0) - kY * A * IV * dK * ch
                for g, v in dRf.items():
                    J[iA, g] -= v
                    J[iP, g] += v
                    J[iX, g] -= v
                for g, v in dRr.items():
                    J[iA, g] += v
                    J[iP, g] -= v
                    J[iY, g] -= v
        Riv = c.kIV * (I * V - IV)
        R[iI] -= Riv
        R[iV] -= Riv
        S = I / Ieq
        # growth Kfc S (Cl + I)^CF with concentrations in cm⁻³ (TSUPREM-4 units)
        CF = self.params.cluster_power
        base = np.maximum(Cl + I, 1e-30) * 1e-6
        grow = 1e6 * c.Kfc * base ** CF
        dgrow = c.Kfc * CF * base ** (CF - 1.0)           # d grow / d(Cl + I)
        Rcl = S * grow - c.Kr * Cl
        R[iI] -= Rcl
        R[iC] += Rcl
        if jacobian:
            assert J is not None                         # allocated when jacobian
            J[iI, iI] -= c.kIV * V
            J[iI, iV] -= c.kIV * I
            J[iV, iI] -= c.kIV * V
            J[iV, iV] -= c.kIV * I
            dI = grow / Ieq + S * dgrow
            dC = S * dgrow - c.Kr
            J[iI, iI] -= dI
            J[iI, iC] -= dC
            J[iC, iI] += dI
            J[iC, iC] += dC
        return R, J

    # ---------------------------------------------------------------- read-outs
    def total(self, X: np.ndarray, d: str) -> np.ndarray:
        """Total dopant d (A + AI + AV)."""
        j = self.dopants.index(d)
        return X[3 * j] + X[3 * j + 1] + X[3 * j + 2]

    def effective_diffusivity(self, X: np.ndarray, d: str, T: float) -> np.ndarray:
        """D_eff = (D_M M + D_N N)/(A + M + N): the dopant's mean diffusivity (m²/s)."""
        c = self.coef(T)
        j = self.dopants.index(d)
        tot = np.maximum(self.total(X, d), 1e-300)
        return (c.D[3 * j + 1] * X[3 * j + 1] + c.D[3 * j + 2] * X[3 * j + 2]) / tot


def _charge_states(beta, r):
    """G(r) = (1 + Σ β_k r^k)/(1 + Σ β_k) and dG/dr: the charge-state factor of a
    defect's equilibrium density, r = n/ni."""
    s = 1.0 + sum(b for _, b in beta)
    inv = 1.0 / r
    G = np.ones_like(r)
    dG = np.zeros_like(r)
    for k, b in beta:
        if k == 1:
            G += b * r
            dG += b
        elif k == -1:
            G += b * inv
            dG -= b * inv * inv
        else:
            G += b * r ** k
            dG += k * b * r ** (k - 1)
    return G / s, dG / s


def _fermi(w, r):
    """F(r) = Σ w_k r^k / Σ w_k and dF/dr (F = 1 for a path without components)."""
    if not w:
        return np.ones_like(r), np.zeros_like(r)
    s = sum(v for _, v in w)
    F = np.zeros_like(r)
    dF = np.zeros_like(r)
    for k, v in w:
        if k == 0:
            F += v
        elif k == 1:
            F += v * r
            dF += v
        elif k == -1:
            inv = 1.0 / r
            F += v * inv
            dF -= v * inv * inv
        else:
            F += v * r ** k
            dF += k * v * r ** (k - 1)
    return F / s, dF / s
