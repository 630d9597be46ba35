"""RF sheaths and electron heating of a parallel-plate CCP, and its homogeneous (0D) model.

Sheath closure (per electrode, per radius).  The time-averaged sheath drop of a sheath driven
with RF amplitude V₁ is the project's sheath model (:func:`..sheath.mean_sheath_voltage`,
zero net current per period, Boltzmann electrons; L&L 2005 §11.1)

    V̄ = T_e ln√(M/2πm_e) + T_e ln I₀(V₁/T_e)  (→ V₁ for V₁ ≫ T_e),

and the collisionless Child-law sheath driven by a sinusoidal current (Lieberman, IEEE Trans.
Plasma Sci. 16, 638, 1988) has the maximum ion-sheath thickness s_m = √(50/27) s_Child(V̄),
s_Child = (√2/3) λ_De (2V̄/T_e)^{3/4} (:func:`..sheath.child_sheath_thickness`), and for the
fundamental harmonic the capacitance C₁ = 1.2262 ε₀/s_m per unit area, so the RF current
density is

    J₁ = C₁ ω V₁ = 1.2262 ε₀ ω V₁ / s_m(V₁, n_s, T_e).                                (1)

C₁ is J₁/(ωV₁) of the current-driven sheath solved by :mod:`..sheath_rf` (its eq. 3), J₁ the
amplitude of the RF current J₁ sin ωt and V₁ that of the sheath voltage's fundamental; it lies
between ε₀/s_m and 2ε₀/s_m (the uniform-ion sheath, L&L 2005 §11.1: C = ε₀/s̄).  The 1988
abstract's "2.452 ε₀/s_m" equals twice this (the peak sheath charge 2J₁/ω over V₁) and is outside
those bounds; it was used here until session 10 (each sheath then carried twice the current per
volt that its own model gives).
J₁ rises monotonically with V₁ (∝ V₁^{1/4} n_s^{1/2} at V₁ ≫ T_e): (1) is inverted by bisection.

Heating.  Ohmic, in the bulk with the collisional conductivity σ = e²n/(m_e(ν_m + iω)):
p_ohm = ½ J₁² Re(1/σ) = ½ J₁² m_e ν_m/(e² n) (L&L §11.1).  Stochastic, at each sheath
edge, per unit electrode area (the hard-wall oscillating sheath, Godyak 1972; L&L §11.1):
S_stoc = ½ m_e v̄_e n_s ū² with the edge velocity ū = J₁/(e n_s):

    S_stoc = ½ m_e v̄_e J₁² / (e² n_s),   v̄_e = √(8 e T_e/(π m_e)).             (2)

Collisional sheaths (λ_i < s_m).  With mobility-limited ions of constant mean free path the
same current-driven sheath (Lieberman, IEEE Trans. Plasma Sci. 17, 338, 1989; L&L 2005 §11.2)
has J̄_i = e n_s u_B = K ε₀ (2eλ_i/πM)^½ V̄^{3/2}/s_m^{5/2} with K = 2.974 and the fundamental
capacitance C₁ = 1.5178 ε₀/s_m (both from the numerical solution of the model,
:func:`..sheath_rf.rf_sheath_numbers`); J₁ ∝ V₁^{2/5} n_s^{2/5} at V₁ ≫ T_e.  ``lam_i`` picks
the law; the CCP chooses it once per recipe from λ_i/s_m of its homogeneous model.

Capacitive divider (L&L 2005 §11.4).  The bulk is an RF equipotential (its impedance is
neglected beside the sheaths'): every powered sheath (the electrode's face, r < R_e) has the
amplitude V_a, every grounded one (the top electrode; with ``rf_return: chamber`` also the side
wall and the bottom ring r > R_e) V_b, V_a + V_b = V_T, and the RF current is continuous,

    Σ_powered A J₁(V_a; n_s, T_e) = Σ_grounded A J₁(V_b; n_s, T_e).                (3)

With equal edge densities J₁ ∝ V^{1/q} gives V_a/V_b = (A_b/A_a)^q, q = 4 (Child law) or 5/2
(collisional).  The DC self-bias of the electrode (blocking capacitor, zero net current per
period at each sheath) is V_dc = ⟨V̄_b⟩ − ⟨V̄_a⟩ (area averages).  In the bulk the axial current
density of a column goes linearly from the powered (or bottom-ring) sheath's to the top sheath's;
the difference flows radially to the side wall (J_r from the enclosed current), and the ohmic
heating takes |J|² = J_z² + J_r².  V_T is set so that the discharge absorbs the recipe's power.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import brentq

from ...constants import E_CHARGE, EPS0, EV, M_E, PI
from ..sheath import child_sheath_thickness, mean_sheath_voltage
from ..sheath_rf import SeriesKappa

__all__ = ["SM_OVER_CHILD", "C_FUNDAMENTAL", "K_COLLISIONAL", "C_COLLISIONAL", "SM_OVER_DC_COLLISIONAL", "rf_sheath",
           "sheath_voltage",
           "collisional_sheath_width", "ohmic_power_density", "stochastic_heating", "Surface", "capacitive_split",
           "ColumnHeating", "column_heating", "HomogeneousCCP", "homogeneous_ccp", "h_factors"]

SM_OVER_CHILD = math.sqrt(50.0 / 27.0)     # s_m / s_Child(V̄), Lieberman 1988
C_FUNDAMENTAL = 1.22617                    # J₁ s_m/(ε₀ωV₁), collisionless (Lieberman 1988 model; sheath_rf eq. 3)
K_COLLISIONAL = 2.9744                     # J̄_i = K ε₀(2eλ_i/πM)^½ V̄^{3/2}/s_m^{5/2}, Lieberman 1989 model
C_COLLISIONAL = 1.51782                    # J₁ s_m/(ε₀ωV₁), collisional (Lieberman 1989 model; sheath_rf eq. 3)
SM_OVER_DC_COLLISIONAL = 1.33872             # s_m / the collisional Child law's width at (V̄, J̄_i)


def collisional_sheath_width(Vbar, n_s, Te, m_i: float, lam_i):
    """s_m (m) of the collisional RF sheath: e n_s u_B = K ε₀ (2eλ_i/πM)^½ V̄^{3/2}/s_m^{5/2}."""
    Ji = E_CHARGE * np.asarray(n_s, float) * np.sqrt(EV * np.asarray(Te, float) / m_i)
    k = np.sqrt(2 * E_CHARGE * np.asarray(lam_i, float) / (PI * m_i))
    return (K_COLLISIONAL * EPS0 * k * np.asarray(Vbar, float) ** 1.5 / Ji) ** 0.4


def rf_sheath(V1, n_s, Te, m_i: float, omega: float, lam_i=None, kappa=1.0):
    """(J₁ (A/m²), V̄ (V), s_m (m)) of a sheath with RF amplitude V₁ (eq. 1); ``lam_i`` (m): the
    ions' mean free path for the collisional law, None: collisionless.  ``kappa``: V̄/V₁ of the
    step-front sheath's waveform (1: a sinusoidal sheath voltage, ``mean_voltage: sinusoidal``;
    below 1 for the series-sheath waveform of :func:`..sheath_rf.sheath_pair`, the default
    ``series``), V̄ = mean_sheath_voltage(V₁) − (1 − κ)V₁ (the Boltzmann electrons' correction of
    a few T_e kept)."""
    V1 = np.asarray(V1, float)
    Vbar = mean_sheath_voltage(V1, Te, m_i) - (1.0 - np.asarray(kappa, float)) * V1
    if lam_i is None:
        s_m = SM_OVER_CHILD * child_sheath_thickness(Vbar, n_s, Te)
        return C_FUNDAMENTAL * EPS0 * omega * V1 / s_m, Vbar, s_m
    s_m = collisional_sheath_width(Vbar, n_s, Te, m_i, lam_i)
    return C_COLLISIONAL * EPS0 * omega * V1 / s_m, Vbar, s_m


def sheath_voltage(J1, n_s, Te, m_i: float, omega: float, lam_i=None, *, iterations: int = 80, kappa=1.0):
    """RF amplitude V₁ (V) whose sheath carries J₁ (eq. 1 inverted by bisection in ln V₁)."""
    J1 = np.asarray(J1, float)
    shape = np.broadcast(J1, n_s, Te).shape
    lo, hi = np.full(shape, math.log(1e-6)), np.full(shape, math.log(1e7))
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        J, _, _ = rf_sheath(np.exp(mid), n_s, Te, m_i, omega, lam_i, kappa)
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


@dataclass(frozen=True)
class Surface:
    """Sheath-covered wall faces: area ``A`` (m²), edge density ``n_s`` (m⁻³), ``Te`` (eV) and the
    ions' mean free path ``lam`` (m; None: collisionless sheaths), arrays of one shape; ``kappa``
    the faces' V̄/V₁ (:func:`rf_sheath`)."""

    A: np.ndarray
    n_s: np.ndarray
    Te: np.ndarray
    lam: np.ndarray | None = None
    kappa: float = 1.0

    def sheath(self, V1: float, m_i: float, omega: float):
        """(J₁, V̄, s_m) of every face at the common amplitude V₁."""
        return rf_sheath(V1, self.n_s, self.Te, m_i, omega, self.lam, self.kappa)

    def current(self, V1: float, m_i: float, omega: float) -> float:
        """RF current amplitude Σ A J₁(V₁) (A)."""
        return float((self.A * self.sheath(V1, m_i, omega)[0]).sum())


def capacitive_split(V_T: float, a: Surface, b: Surface, m_i: float, omega: float) -> float:
    """Fraction f of V_T across the powered sheaths ``a`` (V_a = f V_T, V_b = (1 − f)V_T) that
    makes the RF current continuous, eq. (3) (Brent's method in f)."""
    def g(f):
        return math.log(a.current(f * V_T, m_i, omega) / b.current((1 - f) * V_T, m_i, omega))
    return brentq(g, 1e-12, 1 - 1e-12, xtol=1e-15, rtol=4 * np.finfo(float).eps)


@dataclass(frozen=True, kw_only=True)
class ColumnHeating:
    """Power densities (W/m³, (nr, nz)) and the sheaths: per column ((nr,); bottom = the
    powered electrode r < R_e and, when grounded, the ring r > R_e; top = the grounded
    electrode; zero where no RF sheath) and along the side wall ((nz,)).  ``J1`` is the bottom
    sheath's current density, ``V_a``/``V_b`` the powered/grounded amplitudes (V_T = V_a + V_b),
    ``self_bias`` V_dc = ⟨V̄_b⟩ − ⟨V̄_a⟩ (V); ``electron_power`` and ``ion_power`` (W, the ions'
    sheath energy e V̄ Γ at every RF sheath); ``kappa_a``/``kappa_b`` the sheaths' V̄/V₁ factor."""

    power: np.ndarray
    ohmic: np.ndarray
    stochastic: np.ndarray
    J1: np.ndarray
    J1_top: np.ndarray
    J1_side: np.ndarray
    V1_bottom: np.ndarray
    V1_top: np.ndarray
    Vbar_bottom: np.ndarray
    Vbar_top: np.ndarray
    Vbar_side: np.ndarray
    s_bottom: np.ndarray
    s_top: np.ndarray
    s_side: np.ndarray
    V_T: float
    V_a: float
    V_b: float
    self_bias: float
    electron_power: float
    ion_power: float
    kappa_a: float = 1.0
    kappa_b: float = 1.0


def column_heating(mesh, n: np.ndarray, Te: np.ndarray, nu_m: np.ndarray, ns_bottom: np.ndarray,
                   ns_top: np.ndarray, ns_side: np.ndarray, electrode: np.ndarray, power: float, m_i: float,
                   omega: float, *, lam: np.ndarray | None = None, side_grounded: bool = True,
                   ring_grounded: bool = True, electrons_only: bool = False,
                   V_guess: float = 300.0, kappa: SeriesKappa | None = None,
                   bohm=None, T_stochastic=None) -> ColumnHeating:
    """Ohmic + stochastic power of the capacitive divider (module docstring) on ``mesh`` (the
    bulk's :class:`.mesh.Mesh`) whose amplitude V_T gives the absorbed ``power`` (W): electrons +
    ions (e V̄ u_B n_s at every RF sheath, L&L §11.2), or the electrons alone
    (``electrons_only``).  Edge densities of the bottom/top rows and the side column; ``lam``:
    the cells' ion mean free path (m) for collisional sheaths (None: collisionless).  The
    stochastic power of a sheath goes to the cell next to it.  V_T by Brent's method in ln V_T;
    the electron power is then scaled by 1 ± 1e-12 so that the total is exact.  ``kappa``
    (``mean_voltage: series``, the default): V̄/V₁ of the powered and the grounded sheaths from the ratio of
    their amplitudes (:class:`..sheath_rf.SeriesKappa`), iterated with the split to 1e-10;
    None (``sinusoidal``): V̄ of a sinusoidal sheath voltage (κ = 1).  ``bohm``: T_e ↦ the Bohm
    temperature T_B of the ions' wall flux n_s √(eT_B/m_i) (None: T_B = T_e; ``eedf: boltzmann``).
    ``T_stochastic``: (bottom (nr,), top (nr,), side (nz,)) the temperatures whose Maxwellian
    v̄_e = √(8eT/πm_e) in eq. (2) gives each edge's stochastic heating (non-local electrons,
    :mod:`.ccp_kinetic`: the Fermi heating of the kinetic EEDF); None: the edge cells' T_e."""
    e = np.asarray(electrode, bool)
    nr, nz = n.shape
    ring = ~e if ring_grounded else np.zeros(nr, bool)
    A_side = 2 * PI * mesh.r_faces[-1] * mesh.dz
    Tb, Tt, Ts = Te[:, 0], Te[:, -1], Te[-1, :]
    Sb, St, Ss = (Tb, Tt, Ts) if T_stochastic is None else T_stochastic
    lb, lt, ls = (None, None, None) if lam is None else (lam[:, 0], lam[:, -1], lam[-1, :])
    pick = (lambda a, k: None if a is None else a[k])   # noqa: E731
    powered = Surface(mesh.ring_area[e], ns_bottom[e], Tb[e], pick(lb, e))
    parts_b = [Surface(mesh.ring_area, ns_top, Tt, lt)]
    if ring.any():
        parts_b.append(Surface(mesh.ring_area[ring], ns_bottom[ring], Tb[ring], pick(lb, ring)))
    if side_grounded:
        parts_b.append(Surface(A_side, ns_side, Ts, ls))
    cat = [np.concatenate([getattr(p, k) for p in parts_b]) for k in ("A", "n_s", "Te")]
    grounded = Surface(cat[0], cat[1], cat[2], None if lam is None else np.concatenate([p.lam for p in parts_b]))
    zc = (mesh.z - mesh.z_faces[0]) / (mesh.z_faces[-1] - mesh.z_faces[0])
    d = mesh.z_faces[-1] - mesh.z_faces[0]
    TB = (lambda T: T) if bohm is None else bohm                         # noqa: E731
    Gb, Gt, Gs = (ns * np.sqrt(EV * TB(T) / m_i) for ns, T in ((ns_bottom, Tb), (ns_top, Tt), (ns_side, Ts)))

    # the series κ fixed point starts from the last V_T's converged pair (Brent's V_T steps
    # move κ little: ≈ 3 sweeps instead of ≈ 15 from the equal-sheath value)
    warm = [kappa(1.0)[0]] * 2 if kappa is not None else []

    def split(V_T):
        if kappa is None:
            return capacitive_split(V_T, powered, grounded, m_i, omega), 1.0, 1.0
        ka, kb = warm
        for _ in range(60):
            f = capacitive_split(V_T, replace(powered, kappa=ka), replace(grounded, kappa=kb), m_i, omega)
            ka_new, kb_new = kappa(f / (1 - f))
            if abs(ka_new - ka) + abs(kb_new - kb) < 1e-10:
                break
            ka, kb = ka_new, kb_new
        warm[:] = ka, kb
        return f, ka, kb

    def sheaths(V_T):
        f, ka, kb = split(V_T)
        Va, Vb = f * V_T, (1 - f) * V_T
        bot = [np.zeros(nr) for _ in range(4)]                  # J, V1, V̄, s of the bottom row
        for mask, V, k in ((e, Va, ka), (ring, Vb, kb)):
            if mask.any():
                J, Vbar, s = Surface(mesh.ring_area[mask], ns_bottom[mask], Tb[mask], pick(lb, mask),
                                     k).sheath(V, m_i, omega)
                for arr, val in zip(bot, (J, np.full(J.shape, V), Vbar, s)):
                    arr[mask] = val
        top = Surface(mesh.ring_area, ns_top, Tt, lt, kb).sheath(Vb, m_i, omega)
        side = Surface(A_side, ns_side, Ts, ls, kb).sheath(Vb, m_i, omega) if side_grounded else \
            tuple(np.zeros(nz) for _ in range(3))
        return Va, Vb, bot, top, side, ka, kb

    def parts(V_T):
        Va, Vb, (Jb, _, Vbb, _), (Jt, Vbt, _), (Js, Vbs, _), _, _ = sheaths(V_T)
        Jz = Jb[:, None] + (Jt - Jb)[:, None] * zc[None, :]
        I_r = np.cumsum((Jb - Jt) * mesh.ring_area) / d                # radial current per height, outer faces
        Jr_f = np.concatenate([[0.0], I_r / (2 * PI * mesh.r_faces[1:])])
        Jr = 0.5 * (Jr_f[:-1] + Jr_f[1:])
        ohm = ohmic_power_density(np.hypot(Jz, Jr[:, None]), n, nu_m)
        sto = np.zeros_like(n)
        sto[:, 0] = stochastic_heating(Jb, ns_bottom, Sb) / mesh.dz[0]
        sto[:, -1] += stochastic_heating(Jt, ns_top, St) / mesh.dz[-1]
        if side_grounded:
            sto[-1, :] += stochastic_heating(Js, ns_side, Ss) * A_side / mesh.volume[-1, :]
        P_i = 0.0 if electrons_only else EV * float((mesh.ring_area * (Gb * Vbb + Gt * Vbt)).sum()
                                                    + (A_side * Gs * Vbs).sum())
        return ohm, sto, P_i

    def excess(lnV):
        ohm, sto, P_i = parts(math.exp(lnV))
        return math.log((float(((ohm + sto) * mesh.volume).sum()) + P_i) / power)

    lo = hi = math.log(V_guess)
    while excess(lo) > 0:
        lo -= 1.0
    while excess(hi) < 0:
        hi += 1.0
        if hi > math.log(1e7):
            raise ValueError("no RF amplitude below 10 MV gives the power")
    V_T = math.exp(brentq(excess, lo, hi, xtol=1e-13, rtol=1e-13))
    ohm, sto, P_i = parts(V_T)
    Va, Vb, (Jb, V1b, Vbb, sb), (Jt, Vbt, st), (Js, Vbs, ss), ka, kb = sheaths(V_T)
    P_e = float(((ohm + sto) * mesh.volume).sum())
    k = (power - P_i) / P_e                      # 1 ± 1e-12: the total is exact
    A_g = np.concatenate([mesh.ring_area, mesh.ring_area[ring]] + ([A_side] if side_grounded else []))
    V_g = np.concatenate([Vbt, Vbb[ring]] + ([Vbs] if side_grounded else []))
    bias = float((A_g * V_g).sum() / A_g.sum() - (mesh.ring_area[e] * Vbb[e]).sum() / mesh.ring_area[e].sum())
    return ColumnHeating(power=(ohm + sto) * k, ohmic=ohm * k, stochastic=sto * k, J1=Jb, J1_top=Jt, J1_side=Js,
                         V1_bottom=V1b, V1_top=np.full(nr, Vb), Vbar_bottom=Vbb, Vbar_top=Vbt, Vbar_side=Vbs,
                         s_bottom=sb, s_top=st, s_side=ss, V_T=V_T, V_a=Va, V_b=Vb, self_bias=bias,
                         electron_power=P_e * k, ion_power=P_i, kappa_a=ka, kappa_b=kb)


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
                    omega: float, *, electrons_only: bool = False, collisional: bool = False,
                    iterations: int = 200, kappa: float = 1.0) -> HomogeneousCCP:
    """Symmetric parallel plates of radius R (electrodes = chamber), bulk d = gap − 2 s_m of
    uniform density n₀ (the global-model convention of L&L 2005 §10.2, §11.2):

        ν_iz(T_e) π R² d = u_B (2π R² h_l + 2π R d h_R)          (particles → T_e)
        P_e = e n₀ u_B A_eff (E_c + 5T_e/2)                        (electron power balance)
        P_e = π R² [½ J₁² m_e ν_m d/(e² n₀) + 2 S_stoc(J₁, h_l n₀)]  (heating → J₁)
        P_i = 2 e h_l n₀ u_B π R² V̄(J₁),   P = P_e + P_i              (the discharge's power → n₀)

    E_c = (collisional loss per electron)/ν_iz, 5T_e/2 per pair at the walls (2T_e electron,
    T_e/2 presheath); the ions' sheath energy e V̄ comes from the RF source (P_i).
    ``electrons_only``: P = P_e (the global model's convention).  The sheath V₁(J₁, n_s) of
    eq. (1) (``collisional``: its collisional law with λ_i = 1/(n_g σ_i)) gives s_m, so d;
    iterated to a fixed point.  ``rates`` is
    :attr:`PlasmaCoefficients.rates`; ``kappa``: the sheaths' V̄/V₁ factor (:func:`rf_sheath`; equal
    sheaths of ``mean_voltage: series``: :class:`..sheath_rf.SeriesKappa` at ratio 1)."""
    lam = 1.0 / (n_g * sigma_i)
    d = 0.8 * gap
    for _ in range(iterations):
        st = _homogeneous_at(d, rates, m_i, lam, n_g, R, power, omega, electrons_only, collisional, kappa)
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


def _homogeneous_at(d, rates, m_i, lam, n_g, R, power, omega, electrons_only, collisional,
                    kappa=1.0) -> dict[str, float]:
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
        lam_s = lam if collisional else None
        V1 = float(sheath_voltage(J1, n_s, Te, m_i, omega, lam_s, kappa=kappa))
        _, Vbar, s_m = (float(v) for v in rf_sheath(V1, n_s, Te, m_i, omega, lam_s, kappa))
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
