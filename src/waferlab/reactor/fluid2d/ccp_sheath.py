"""RF sheaths and electron heating of a parallel-plate CCP, and its homogeneous (0D) model.

Sheath closure (per electrode, per radius).  The time-averaged sheath drop of a sheath driven
with RF amplitude V₁ is the project's sheath model (:func:`..sheath.mean_sheath_voltage`,
zero net current per period, Boltzmann electrons; L&L 2005 §11.1)

    V̄ = T_e ln√(M/2πm_e) + T_e ln I₀(V₁/T_e)  (→ V₁ for V₁ ≫ T_e),

and the collisionless Child-law sheath driven by a sinusoidal current (Lieberman, IEEE Trans.
Plasma Sci. 16, 638, 1988) has the maximum ion-sheath thickness s_m = √(50/27) s_Child(V̄),
s_Child = (√2/3) λ_De (2V̄/T_e)^{3/4} (:func:`..sheath.child_sheath_thickness`), and for the
fundamental the capacitance 2.452 ε₀/s_m per unit area, so the RF current density is

    J₁ = 2.452 ε₀ ω V₁ / s_m(V₁, n_s, T_e).                                      (1)

J₁ rises monotonically with V₁ (∝ V₁^{1/4} n_s^{1/2} at V₁ ≫ T_e): (1) is inverted by bisection.

Heating.  Ohmic, in the bulk with the collisional conductivity σ = e²n/(m_e(ν_m + iω)):
p_ohm = ½ J₁² Re(1/σ) = ½ J₁² m_e ν_m/(e² n) (L&L §11.1).  Stochastic, at each sheath
edge, per unit electrode area (the hard-wall oscillating sheath, Godyak 1972; L&L §11.1):
S_stoc = ½ m_e v̄_e n_s ū² with the edge velocity ū = J₁/(e n_s):

    S_stoc = ½ m_e v̄_e J₁² / (e² n_s),   v̄_e = √(8 e T_e/(π m_e)).             (2)

Columns.  The RF current flows axially from the powered electrode through the two sheaths of
each column r < R_e to the grounded top electrode; the columns are in parallel between the
two (equipotential) electrodes, so each carries the current J₁(r) whose sheath drops add up
to the same amplitude V_T (the bulk impedance is neglected beside the sheaths').  V_T is set
so that the electrons absorb the recipe's power.  The DC self-bias of the powered electrode
is V̄_top − V̄_bottom (equal sheaths: 0); the area asymmetry of a real chamber (L&L §11.4) is
not in this column model.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from ...constants import E_CHARGE, EPS0, EV, M_E, PI
from ..sheath import child_sheath_thickness, mean_sheath_voltage

__all__ = ["SM_OVER_CHILD", "C_FUNDAMENTAL", "rf_sheath", "sheath_voltage", "ohmic_power_density",
           "stochastic_heating", "ColumnHeating", "column_heating", "HomogeneousCCP", "homogeneous_ccp",
           "h_factors"]

SM_OVER_CHILD = math.sqrt(50.0 / 27.0)     # s_m / s_Child(V̄), Lieberman 1988
C_FUNDAMENTAL = 2.452                      # fundamental sheath capacitance × s_m/ε₀, Lieberman 1988


def rf_sheath(V1, n_s, Te, m_i: float, omega: float):
    """(J₁ (A/m²), V̄ (V), s_m (m)) of a sheath with RF amplitude V₁ (eq. 1)."""
    V1 = np.asarray(V1, float)
    Vbar = mean_sheath_voltage(V1, Te, m_i)
    s_m = SM_OVER_CHILD * child_sheath_thickness(Vbar, n_s, Te)
    return C_FUNDAMENTAL * EPS0 * omega * V1 / s_m, Vbar, s_m


def sheath_voltage(J1, n_s, Te, m_i: float, omega: float, *, iterations: int = 80):
    """RF amplitude V₁ (V) whose sheath carries J₁ (eq. 1 inverted by bisection in ln V₁)."""
    J1 = np.asarray(J1, float)
    shape = np.broadcast(J1, n_s, Te).shape
    lo, hi = np.full(shape, math.log(1e-6)), np.full(shape, math.log(1e7))
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        J, _, _ = rf_sheath(np.exp(mid), n_s, Te, m_i, omega)
        up = J > J1
        hi, lo = np.where(up, mid, hi), np.where(up, lo, mid)
    return np.where(J1 > 0, np.exp(0.5 * (lo + hi)), 0.0)


def ohmic_power_density(J1, n, nu_m):
    """½ J₁² m_e ν_m/(e² n) (W/m³): the bulk's ohmic heating by the RF current."""
    return 0.5 * np.asarray(J1, float) ** 2 * M_E * np.asarray(nu_m, float) / (E_CHARGE ** 2 * np.asarray(n, float))


def stochastic_heating(J1, n_s, Te):
    """S_stoc = ½ m_e v̄_e J₁²/(e² n_s) (W/m², eq. 2) of one oscillating sheath."""
    vbar = np.sqrt(8 * EV * np.asarray(Te, float) / (PI * M_E))
    return 0.5 * M_E * vbar * np.asarray(J1, float) ** 2 / (E_CHARGE ** 2 * np.asarray(n_s, float))


@dataclass(frozen=True, kw_only=True)
class ColumnHeating:
    """Power densities (W/m³, (nr, nz)) and the sheaths of each column ((nr,) arrays; bottom
    = powered electrode, top = grounded; zero outside the electrode); ``electron_power`` and
    ``ion_power`` (W, the ions' sheath energy e V̄ Γ at both electrodes) and the common RF
    amplitude ``V_T`` (V) of the two sheaths in series."""

    power: np.ndarray
    ohmic: np.ndarray
    stochastic: np.ndarray
    J1: np.ndarray
    V1_bottom: np.ndarray
    V1_top: np.ndarray
    Vbar_bottom: np.ndarray
    Vbar_top: np.ndarray
    s_bottom: np.ndarray
    s_top: np.ndarray
    V_T: float
    electron_power: float
    ion_power: float


def _split(V_T, ns_a, Te_a, ns_b, Te_b, m_i, omega, iterations=60):
    """Fraction f of V_T across the bottom sheath with J₁(fV_T; a) = J₁((1−f)V_T; b)."""
    lo, hi = np.zeros_like(ns_a), np.ones_like(ns_a)
    for _ in range(iterations):
        f = 0.5 * (lo + hi)
        Ja, _, _ = rf_sheath(f * V_T, ns_a, Te_a, m_i, omega)
        Jb, _, _ = rf_sheath((1 - f) * V_T, ns_b, Te_b, m_i, omega)
        up = Ja > Jb
        hi, lo = np.where(up, f, hi), np.where(up, lo, f)
    return 0.5 * (lo + hi)


def column_heating(dz_first: float, dz_last: float, volume: np.ndarray, ring_area: np.ndarray,
                   n: np.ndarray, Te: np.ndarray, nu_m: np.ndarray, ns_bottom: np.ndarray, ns_top: np.ndarray,
                   electrode: np.ndarray, power: float, m_i: float, omega: float, *, electrons_only: bool = False,
                   V_guess: float = 300.0) -> ColumnHeating:
    """Ohmic + stochastic power of the columns ``electrode`` (bool (nr,)) whose common RF
    amplitude V_T gives the absorbed ``power`` (W): electrons + ions (the ions' sheath energy
    e V̄ u_B n_s at both electrodes, L&L §11.2), or the electrons alone (``electrons_only``).
    The stochastic power of each sheath goes to the cell row next to it.  V_T by Brent's method
    in ln V_T (the power rises with V_T); the electron power is then scaled by 1 ± 1e-12 so that
    the total is exact."""
    e = electrode
    Ta, Tb = Te[e, 0], Te[e, -1]
    Ga = ns_bottom[e] * np.sqrt(EV * Ta / m_i)
    Gb = ns_top[e] * np.sqrt(EV * Tb / m_i)

    def parts(V_T):
        f = _split(V_T, ns_bottom[e], Ta, ns_top[e], Tb, m_i, omega)
        J, Vb_a, s_a = rf_sheath(f * V_T, ns_bottom[e], Ta, m_i, omega)
        _, Vb_b, s_b = rf_sheath((1 - f) * V_T, ns_top[e], Tb, m_i, omega)
        ohm = np.zeros_like(n)
        ohm[e] = ohmic_power_density(J[:, None], n[e], nu_m[e])
        sto = np.zeros_like(n)
        sto[e, 0] = stochastic_heating(J, ns_bottom[e], Ta) / dz_first
        sto[e, -1] += stochastic_heating(J, ns_top[e], Tb) / dz_last
        P_i = 0.0 if electrons_only else EV * float((ring_area[e] * (Ga * Vb_a + Gb * Vb_b)).sum())
        return ohm, sto, P_i, (f, J, Vb_a, Vb_b, s_a, s_b)

    def excess(lnV):
        ohm, sto, P_i, _ = parts(math.exp(lnV))
        return math.log((float(((ohm + sto) * volume).sum()) + P_i) / power)

    lo = hi = math.log(V_guess)
    while excess(lo) > 0:
        lo -= 1.0
    while excess(hi) < 0:
        hi += 1.0
        if hi > math.log(1e7):
            raise ValueError("no RF amplitude below 10 MV gives the power")
    V_T = math.exp(brentq(excess, lo, hi, xtol=1e-13, rtol=1e-13))
    ohm, sto, P_i, (f, J, Vb_a, Vb_b, s_a, s_b) = parts(V_T)
    P_e = float(((ohm + sto) * volume).sum())
    k = (power - P_i) / P_e                      # 1 ± 1e-12: the total is exact
    nr = n.shape[0]

    def full(a):
        out = np.zeros(nr)
        out[e] = a
        return out

    return ColumnHeating(power=(ohm + sto) * k, ohmic=ohm * k, stochastic=sto * k, J1=full(J),
                         V1_bottom=full(f * V_T), V1_top=full((1 - f) * V_T), Vbar_bottom=full(Vb_a),
                         Vbar_top=full(Vb_b), s_bottom=full(s_a), s_top=full(s_b), V_T=V_T,
                         electron_power=P_e * k, ion_power=P_i)


def h_factors(d: float, R: float, lam_i: float) -> tuple[float, float]:
    """Edge-to-centre density ratios h_l = 0.86(3 + d/2λ_i)^{-½}, h_R = 0.80(4 + R/λ_i)^{-½}
    (Godyak; L&L 2005 eqs. 10.2.1-2)."""
    return 0.86 / math.sqrt(3 + d / (2 * lam_i)), 0.80 / math.sqrt(4 + R / lam_i)


@dataclass(frozen=True, kw_only=True)
class HomogeneousCCP:
    """Steady state of the homogeneous CCP model (SI; T_e and energies in eV, voltages in V)."""

    T_e_eV: float
    n0_m3: float
    n_s_m3: float
    J1_A_m2: float
    V1_V: float
    Vbar_V: float
    s_m_m: float
    d_m: float
    E_c_eV: float
    P_ohmic_W: float
    P_stochastic_W: float
    P_ion_W: float


def homogeneous_ccp(rates, m_i: float, sigma_i: float, n_g: float, R: float, gap: float, power: float,
                    omega: float, *, electrons_only: bool = False, iterations: int = 200) -> HomogeneousCCP:
    """Symmetric parallel plates of radius R (electrodes = chamber), bulk d = gap − 2 s_m of
    uniform density n₀ (the global-model convention of L&L 2005 §10.2, §11.2):

        ν_iz(T_e) π R² d = u_B (2π R² h_l + 2π R d h_R)          (particles → T_e)
        P_e = e n₀ u_B A_eff (E_c + 5T_e/2)                        (electron power balance)
        P_e = π R² [½ J₁² m_e ν_m d/(e² n₀) + 2 S_stoc(J₁, h_l n₀)]  (heating → J₁)
        P_i = 2 e h_l n₀ u_B π R² V̄(J₁),   P = P_e + P_i              (the discharge's power → n₀)

    E_c = (collisional loss per electron)/ν_iz, 5T_e/2 per pair at the walls (2T_e electron,
    T_e/2 presheath); the ions' sheath energy e V̄ comes from the RF source (P_i).
    ``electrons_only``: P = P_e (the global model's convention).  The sheath V₁(J₁, n_s) of
    eq. (1) gives s_m, so d; iterated to a fixed point.  ``rates`` is
    :attr:`PlasmaCoefficients.rates`."""
    lam = 1.0 / (n_g * sigma_i)
    d = 0.8 * gap
    for _ in range(iterations):
        st = _homogeneous_at(d, rates, m_i, lam, n_g, R, power, omega, electrons_only)
        d_new = gap - 2 * st["s_m"]
        if d_new <= 0.05 * gap:
            raise ValueError(f"the sheaths (s_m = {st['s_m'] * 1e3:.3g} mm each) fill the gap {gap * 1e3:.3g} mm")
        if abs(d_new - d) < 1e-12 * gap:
            break
        d = 0.5 * (d + d_new)
    A = PI * R ** 2
    P_ohm = A * float(ohmic_power_density(st["J1"], st["n0"], st["nu_m"])) * d
    return HomogeneousCCP(T_e_eV=st["Te"], n0_m3=st["n0"], n_s_m3=st["hl"] * st["n0"], J1_A_m2=st["J1"],
                          V1_V=st["V1"], Vbar_V=st["Vbar"], s_m_m=st["s_m"], d_m=d, E_c_eV=st["E_c"],
                          P_ohmic_W=P_ohm, P_stochastic_W=st["P_e"] - P_ohm, P_ion_W=st["P_i"])


def _homogeneous_at(d, rates, m_i, lam, n_g, R, power, omega, electrons_only) -> dict[str, float]:
    """The homogeneous model's balances at a fixed bulk length d."""
    ng = np.array([n_g])
    A = PI * R ** 2
    hl, hR = h_factors(d, R, lam)
    A_eff = 2 * A * hl + 2 * PI * R * d * hR

    def balance(Te):
        nu_iz, _, _ = rates(np.array([Te]), ng)
        return math.log(float(nu_iz[0]) * A * d / (math.sqrt(EV * Te / m_i) * A_eff))

    Te = brentq(balance, 0.3, 50.0, xtol=1e-12)
    nu_iz, loss, nu_m = (float(v[0]) for v in rates(np.array([Te]), ng))
    E_c = loss / nu_iz
    uB = math.sqrt(EV * Te / m_i)

    def state(n0):
        P_e = EV * n0 * uB * A_eff * (E_c + 2.5 * Te)
        n_s = hl * n0
        per_J2 = A * (float(ohmic_power_density(1.0, n0, nu_m)) * d + 2 * float(stochastic_heating(1.0, n_s, Te)))
        J1 = math.sqrt(P_e / per_J2)
        V1 = float(sheath_voltage(J1, n_s, Te, m_i, omega))
        _, Vbar, s_m = (float(v) for v in rf_sheath(V1, n_s, Te, m_i, omega))
        return P_e, 2 * EV * n_s * uB * A * Vbar, J1, V1, Vbar, s_m

    n_e_only = power / (EV * uB * A_eff * (E_c + 2.5 * Te))
    if electrons_only:
        n0 = n_e_only
    else:
        n0 = math.exp(brentq(lambda x: math.log(sum(state(math.exp(x))[:2]) / power),
                             math.log(n_e_only) - 30, math.log(n_e_only), xtol=1e-13))
    P_e, P_i, J1, V1, Vbar, s_m = state(n0)
    return {"Te": Te, "n0": n0, "hl": hl, "E_c": E_c, "nu_m": nu_m, "P_e": P_e, "P_i": P_i, "J1": J1,
            "V1": V1, "Vbar": Vbar, "s_m": s_m}
