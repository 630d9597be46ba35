"""The high-voltage capacitive RF sheath driven by a sinusoidal current, solved numerically for
its dimensionless numbers: collisionless ions (Lieberman, IEEE Trans. Plasma Sci. 16, 638,
1988) and mobility-limited ions with a constant mean free path λ_i (Lieberman, IEEE Trans.
Plasma Sci. 17, 338, 1989; Lieberman & Lichtenberg 2005 §11.2).

Model (both papers).  Time-independent ions of flux J̄_i/e, inertialess electrons with a step
front at s(t); the uncovered ion charge q(x) = ∫₀ˣ e n_i dx' follows the current
J₁ sin ωt, q(s(t)) = q₀(1 − cos ωt), q₀ = J₁/ω.  Writing q(x) = q₀(1 − cos φ), φ ∈ [0, π] (φ = π
at the electrode, x = s_m), the time-averaged field is

    Ē(φ) = (q₀/πε₀)(sin φ − φ cos φ),                                       (1)

the front is inside x for |ωt| < φ, and dq/dx = J̄_i/u_i gives dx/dφ = q₀ sin φ u_i/J̄_i with

    collisionless:   u_i = (2eΦ̄/M)^½,  Φ̄ = ∫₀ˣ Ē dx                          (2a)
    collisional:     u_i = (2eλ_i Ē/(πM))^½                                   (2b)

(the high-voltage limit: the Bohm speed at the edge is dropped).  The sheath voltage is
V(ωt) = (q₀/ε₀) ∫_{|ωt|}^{π} (cos ωt − cos φ)(dx/dφ) dφ; V̄ its mean, V₁ its fundamental.

Returned numbers: s_m over the DC law's thickness at (V̄, J̄_i) — Child's (4/9)ε₀(2e/M)^½V^{3/2}/s²
or the collisional Child law (2/3)(5/3)^{3/2}ε₀(2eλ_i/πM)^½V^{3/2}/s^{5/2} (L&L §6.5) — the
coefficient K of J̄_i = K ε₀(…)^½ V̄^{3/2}/s_m^{2 or 5/2}, V̄/V_peak, V̄/V₁, the harmonics
V₂/V₁ and V₃/V₁, and the fundamental capacitance c = J₁/(ωV₁) · s_m/ε₀.  Collisionless, this
reproduces the 1988 paper's √(50/27), 54/125, 12.3 % and 4.2 % (tests/reactor/test_sheath_rf.py).

The fundamental's capacitance (the convention of the CCP, J₁ = C₁ ω V₁ per sheath).  V(ωt) is
even in ωt, so its fundamental is V₁ cos ωt with V₁ = (2/π)∫₀^π V cos θ dθ; exchanging the
order of the integrals (the front is inside x for |θ| < φ(x)),

    V₁ = (q₀/πε₀) ∫₀^{s_m} (φ − sin φ cos φ) dx = (q₀/ε₀) ∫₀^{s_m} k(φ(x)) dx,            (3)

k(φ) = (φ − ½ sin 2φ)/π rising from 0 at the plasma edge to 1 at the electrode.  So, with
J₁ = ωq₀, C₁ = J₁/(ωV₁) = ε₀/∫₀^{s_m} k dx: uniform ions (x = ½s_m(1 − cos φ)) give
∫k dx = ½s_m, C₁ = 2ε₀/s_m = ε₀/s̄ — L&L 2005 §11.1's homogeneous sheath; any sheath whose
ion density does not rise towards the electrode (accelerating ions: collisionless or
collisional) has dx/dq non-decreasing, so ∫k dx ≥ ½s_m (Chebyshev's inequality, k and dx/dq
both non-decreasing in q) and ≤ s_m (k ≤ 1):  ε₀/s_m ≤ C₁ ≤ 2ε₀/s_m.  (3) gives 1.2262
(collisionless) and 1.5178 (collisional) ε₀/s_m; the 1988 abstract's 2.452 = 2 × 1.2262 lies
outside these bounds, so it is not J₁/(ωV₁) with J₁ = ωq₀: it equals the peak uncovered
charge 2q₀ over V₁ (or a fundamental amplitude without the factor 2 of the Fourier series) and
is not the current–voltage relation the CCP needs (docs/reactor.md, the CCP's sheaths).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.integrate import quad, solve_ivp

__all__ = ["rf_sheath_numbers", "fundamental_capacitance", "charge_profile", "sheath_pair", "pair_mean_ratio",
           "SeriesKappa", "pair_front"]


def _g(p):
    return np.sin(p) - p * np.cos(p)


def rf_sheath_numbers(ions: str, *, n_phase: int = 720) -> dict[str, float]:
    """The dimensionless numbers of the module docstring for ``ions`` = ``collisionless`` (2a),
    ``collisional`` (2b) or ``uniform`` (a fixed uniform ion density, the homogeneous sheath of
    L&L 2005 §11.1: C = ε₀/s̄ = 2ε₀/s_m, V̄ = ¾V₁ — a check of the method; its K and
    s_m_over_dc are NaN).  Units q₀ = ε₀ = 1 and, in (2a)/(2b), 2e/M = 1 resp. 2eλ_i/(πM) = 1,
    J̄_i = 1; the ratios do not depend on them."""
    if ions == "uniform":
        def xp(p):
            return math.sin(p)
        s_m, Vbar = 2.0, quad(lambda p: _g(p) / math.pi * math.sin(p), 0.0, math.pi)[0]
        K = s_dc = math.nan
    elif ions == "collisional":
        def xp(p):
            return np.sin(p) * math.sqrt(max(_g(p) / math.pi, 0.0))
        s_m = quad(xp, 0.0, math.pi, epsabs=1e-13, epsrel=1e-12)[0]
        Vbar = quad(lambda p: _g(p) / math.pi * xp(p), 0.0, math.pi, epsabs=1e-13, epsrel=1e-12)[0]
        K = s_m ** 2.5 / Vbar ** 1.5                     # J̄_i = 1 = K V̄^{3/2}/s_m^{5/2}
        s_dc = (2.0 / 3.0 * (5.0 / 3.0) ** 1.5 * Vbar ** 1.5) ** 0.4
    elif ions == "collisionless":
        # near φ = 0: Ē ≈ φ³/3π, so Φ̄^½ = φ⁵/30π and x = φ⁷/(7·30π) solve (2a) exactly
        p0 = 1e-3
        r0 = p0 ** 5 / (30 * math.pi)

        def rhs(p, y):
            dx = math.sin(p) * math.sqrt(max(y[1], 0.0))
            return [dx, _g(p) / math.pi * dx]
        sol = solve_ivp(rhs, (p0, math.pi), [p0 ** 7 / (7 * 30 * math.pi), r0 * r0], rtol=1e-12, atol=1e-30,
                        dense_output=True)
        s_m, Vbar = (float(v) for v in sol.y[:, -1])

        def xp(p):
            return math.sin(p) * math.sqrt(max(float(sol.sol(max(p, p0))[1]), 0.0))
        K = s_m ** 2 / Vbar ** 1.5
        s_dc = math.sqrt(4.0 / 9.0 * Vbar ** 1.5)
    else:
        raise ValueError(f"ions = {ions!r}: collisionless, collisional or uniform")

    def V(th):
        return quad(lambda p: (math.cos(th) - math.cos(p)) * xp(p), abs(th), math.pi, epsabs=1e-13, epsrel=1e-11)[0]
    th = np.linspace(-math.pi, math.pi, n_phase, endpoint=False)
    Vt = np.array([V(t) for t in th])
    F = np.fft.rfft(Vt) / n_phase
    V1 = 2 * abs(F[1])
    return {"s_m_over_dc": s_m / s_dc, "K": K, "Vbar_over_Vpeak": Vbar / V(0.0), "Vbar_over_V1": Vbar / V1,
            "V2_over_V1": abs(F[2] / F[1]), "V3_over_V1": abs(F[3] / F[1]), "capacitance": s_m / V1,
            "Vbar_check": float(F[0].real) / Vbar, "capacitance_eq3": s_m / _v1_eq3(xp)}


def _v1_eq3(xp) -> float:
    """V₁/(q₀/ε₀) by eq. (3): ∫₀^π k(φ) (dx/dφ) dφ, k = (φ − sin φ cos φ)/π."""
    return quad(lambda p: (p - math.sin(p) * math.cos(p)) / math.pi * xp(p), 0.0, math.pi,
                epsabs=1e-13, epsrel=1e-12, limit=200)[0]


def fundamental_capacitance(ions: str) -> float:
    """C₁ s_m/ε₀ of the fundamental, J₁ = C₁ ω V₁ with J₁ = ωq₀ (eq. 3; the Fourier series of
    V(ωt) gives the same, ``rf_sheath_numbers(...)["capacitance"]``)."""
    return rf_sheath_numbers(ions, n_phase=8)["capacitance_eq3"]


def charge_profile(ions: str, n: int = 2049) -> np.ndarray:
    """The time-averaged uncovered ion charge q(x)/q₀ = 1 − cos φ(x) of the sheath ``ions``
    (``collisionless`` (2a), ``collisional`` (2b) or ``uniform``) on the uniform grid
    x/s_m = 0, 1/(n−1), …, 1 (plasma edge to electrode); it rises from 0 to 2.  The field of
    the ion space charge beyond the electron front s(t) is E(x, t) = (q(x) − q(s(t)))/ε₀
    (x > s(t)); :mod:`..iedf_mc` moves ions through it."""
    p = np.linspace(0.0, math.pi, 40001)
    if ions == "uniform":
        x = 0.5 * (1.0 - np.cos(p))
    elif ions == "collisional":
        dx = np.sin(p) * np.sqrt(np.maximum(_g(p) / math.pi, 0.0))
        x = np.concatenate([[0.0], np.cumsum(0.5 * (dx[1:] + dx[:-1]) * np.diff(p))])
    elif ions == "collisionless":
        p0 = 1e-3

        def rhs(pp, y):
            d = math.sin(pp) * math.sqrt(max(y[1], 0.0))
            return [d, _g(pp) / math.pi * d]
        r0 = p0 ** 5 / (30 * math.pi)
        sol = solve_ivp(rhs, (p0, math.pi), [p0 ** 7 / (7 * 30 * math.pi), r0 * r0], rtol=1e-11, atol=1e-30,
                        t_eval=p[p >= p0])
        x = np.concatenate([p[p < p0] ** 7 / (7 * 30 * math.pi), sol.y[0]])
    else:
        raise ValueError(f"ions = {ions!r}: collisionless, collisional or uniform")
    xg = np.linspace(0.0, 1.0, n)
    return np.interp(xg, x / x[-1], 1.0 - np.cos(p))


def _charge_voltage(ions: str, n: int = 2001) -> tuple[np.ndarray, np.ndarray]:
    """(u, w): the sheath voltage over its maximum, w(u), against the uncovered ion charge over its
    maximum, u = (2 − q̂_f)/2 (front at the electrode: u = 0, w = 0; at the plasma edge: 1, 1)."""
    q = charge_profile(ions)
    xs = np.linspace(0.0, 1.0, q.size)
    u = np.linspace(0.0, 1.0, n)
    w = np.array([np.trapezoid(np.maximum(q - 2.0 * (1.0 - c), 0.0), xs) for c in u])
    return u, w / w[-1]


def sheath_pair(rho: float, ions: str, *, n_phase: int = 1024,
                table: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, float]:
    """Two sheaths in series driven by a sinusoidal voltage (the CCP's powered sheath a and
    grounded sheath b, the bulk an RF equipotential), each with the charge–voltage relation
    V_k = V_k,max w(u_k) of the sheath ``ions`` (:func:`_charge_voltage`).  The RF current moves
    the uncovered ion charge from one sheath to the other, so Q_a u_a + Q_b u_b is constant; each
    sheath collapses once a period (zero net current with electrons reaching the electrode only
    then), so Q_a = Q_b and u_b = 1 − u_a.  The applied voltage V_a − V_b = ρ w(u) − w(1 − u)
    (units V_b,max = 1, ρ = V_a,max/V_b,max) is monotone in u = u_a, so a sinusoidal applied voltage
    V_dc + V_T cos ωt fixes u(ωt) and both sheath waveforms.  Returned: V̄/V₁ of each sheath
    (``kappa_a``, ``kappa_b``), the ratio of their fundamentals ``V1_ratio`` = V_a1/V_b1, and the
    current's (du/dt) harmonics ``current_h2``/``current_h3`` over its fundamental.  Uniform ions
    (w = u²) are solvable by hand: ρ = 1 gives u = (1 + cos ωt)/2, V̄ = ¾V₁, a sinusoidal current.
    Equal sheaths: κ = 0.852 (collisionless) / 0.792 (collisional); ρ → ∞: the powered sheath's
    voltage is the applied sinusoid, κ_a → 1.  ``table``: (u, w) of :func:`_charge_voltage` for
    ``ions`` when the caller has it."""
    u, w = _charge_voltage(ions) if table is None else table
    G = rho * w - w[::-1]
    th = 2.0 * math.pi * np.arange(n_phase) / n_phase
    ua = np.interp(-1.0 + (rho + 1.0) * 0.5 * (1.0 + np.cos(th)), G, u)
    Va, Vb = rho * np.interp(ua, u, w), np.interp(1.0 - ua, u, w)
    Fa, Fb = np.fft.rfft(Va) / n_phase, np.fft.rfft(Vb) / n_phase
    Fu = np.fft.rfft(ua) / n_phase
    return {"kappa_a": float(Va.mean() / (2 * abs(Fa[1]))), "kappa_b": float(Vb.mean() / (2 * abs(Fb[1]))),
            "V1_ratio": float(abs(Fa[1]) / abs(Fb[1])), "current_h2": float(2 * abs(Fu[2]) / abs(Fu[1])),
            "current_h3": float(3 * abs(Fu[3]) / abs(Fu[1]))}


def pair_mean_ratio(V1_ratio: float, ions: str) -> tuple[float, float]:
    """(κ_a, κ_b) = V̄/V₁ of the powered and grounded sheaths of :func:`sheath_pair` whose
    fundamentals are in the ratio ``V1_ratio`` = V_a1/V_b1 ≥ 1 (ρ by Brent's method)."""
    if V1_ratio < 1.0:
        b, a = pair_mean_ratio(1.0 / V1_ratio, ions)
        return a, b
    tab = _charge_voltage(ions)
    d = sheath_pair(_rho(V1_ratio, ions, tab), ions, table=tab)
    return d["kappa_a"], d["kappa_b"]


def _rho(V1_ratio: float, ions: str, tab) -> float:
    """ρ = V_a,max/V_b,max of :func:`sheath_pair` whose fundamentals have the ratio V1_ratio ≥ 1."""
    from scipy.optimize import brentq

    if V1_ratio <= 1.0:
        return 1.0
    return brentq(lambda r: math.log(sheath_pair(r, ions, n_phase=256, table=tab)["V1_ratio"] / V1_ratio),
                  1.0, 1e4, xtol=1e-10)


def pair_front(V1_ratio: float, ions: str, n_phase: int = 1024) -> np.ndarray:
    """The powered sheath's electron front as q̂_f = q(s(t))/q₀ = 2(1 − u_a) on the phases
    ωt = 2πk/n_phase of :func:`sheath_pair` with V_a1/V_b1 = ``V1_ratio`` (the drive of
    :func:`..iedf_mc.sheath_ions` for ``mean_voltage: series``); ratios below 1 give the grounded
    sheath's view (u_b = 1 − u_a of the swapped pair)."""
    tab = _charge_voltage(ions)
    u, w = tab
    rho = _rho(max(V1_ratio, 1.0 / V1_ratio), ions, tab)
    G = rho * w - w[::-1]
    th = 2.0 * math.pi * np.arange(n_phase) / n_phase
    ua = np.interp(-1.0 + (rho + 1.0) * 0.5 * (1.0 + np.cos(th)), G, u)
    if V1_ratio < 1.0:
        ua = 1.0 - ua
    return 2.0 * (1.0 - ua)


@dataclass(frozen=True)
class SeriesKappa:
    """V̄/V₁ of the powered and grounded sheaths of :func:`sheath_pair` against the ratio of their
    fundamentals V_a1/V_b1, tabulated (``of(ions)``: ρ = 1 … 10⁴ on 121 points) and interpolated
    in ln(V_a1/V_b1); a ratio below 1 swaps the two."""

    log_ratio: np.ndarray
    kappa_a: np.ndarray
    kappa_b: np.ndarray

    @classmethod
    def of(cls, ions: str) -> "SeriesKappa":
        tab = _charge_voltage(ions)
        rows = [sheath_pair(float(r), ions, n_phase=512, table=tab) for r in np.logspace(0.0, 4.0, 121)]
        return cls(log_ratio=np.log([d["V1_ratio"] for d in rows]), kappa_a=np.array([d["kappa_a"] for d in rows]),
                   kappa_b=np.array([d["kappa_b"] for d in rows]))

    def __call__(self, ratio: float) -> tuple[float, float]:
        x = abs(math.log(ratio))
        a = float(np.interp(x, self.log_ratio, self.kappa_a))
        b = float(np.interp(x, self.log_ratio, self.kappa_b))
        return (a, b) if ratio >= 1.0 else (b, a)
