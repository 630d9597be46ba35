"""Ion energy and angle distributions at the electrode of a collisional RF sheath: a test-particle
Monte Carlo of the ions crossing the time-dependent sheath.

Sheath (x from the plasma-side edge of the fully expanded sheath, x = 0, to the electrode,
x = s_m).  The time-averaged ion space charge q(x) is that of the current-driven RF sheath
(:func:`.sheath_rf.charge_profile`: Lieberman, IEEE Trans. Plasma Sci. 16, 638, 1988 for
collisionless ions, 17, 338, 1989 for mobility-limited ions; ``uniform`` gives the DC sheath of
constant ion density, a linear field).  Electrons fill x < s(t) (the step front); beyond it

    E(x, t) = (q(x) − q(s(t)))/ε₀ = A · max(q̂(x) − q̂_f(ωt), 0),   q̂ = q/q₀ ∈ [0, 2],        (1)

with A = q₀/ε₀ (V/m) and x̂ = x/s_m; the sheath voltage is V(t) = A s_m ∫_{ŝ(t)}^1 (q̂ − q̂_f) dx̂.
The front q̂_f(ωt) follows either the sheath's own current drive (``current``: q̂_f = 1 − cos ωt,
Lieberman's sheath, whose voltage has V̄ = 0.83 V₁ collisionless / 0.78 V₁ collisional) or a
sinusoidal voltage V(t) = V̄ + V₁ cos ωt (``voltage``: the CCP's default closure, V̄ from
:func:`.sheath.mean_sheath_voltage`), or is given (``front``, e.g. the two-sheath waveform of
:func:`.sheath_rf.pair_front`); A is set so that V̄ is the given mean drop.  ``dc``: no
oscillation, q̂_f = 0, V = V̄.

Ions.  Entering at x = 0 at the Bohm speed u_B (energy T_e/2) with a transverse Maxwellian of
temperature T_i at uniformly distributed RF phases (a steady flux), moved by velocity Verlet in
(1); collisions with neutrals at a constant mean free path λ (cross section σ_i of the gas's
ion: collision probability dl/λ per path length l, the neutrals at rest in the collision rate).
A collision is charge exchange (the new ion takes a neutral's velocity, Maxwellian at T_gas;
resonant charge exchange of Ar⁺ in Ar) or, with probability ``elastic_fraction``, isotropic
elastic scattering in the centre-of-mass frame of equal masses.  Ions that drift back across
x = 0 are returned by the presheath field (reflected).  Every injected ion reaches the electrode
(the flux is conserved; ions that have not arrived after ``max_periods`` RF periods are counted as
lost).  Random numbers: xoshiro256** seeded from the caller's seed, one stream for the run.

Validation (tests/reactor/test_iedf_mc.py): the DC sheath of uniform ion density (linear field)
against Davis & Vanderslice, Phys. Rev. 131, 219 (1963): ions that made their last charge
exchange at distance y from the sheath edge arrive with E = eV_c(1 − (1 − y/s)²), so

    F(E) = 1 − exp[−(s/λ)(1 − √(1 − E/eV_c))]  (E < eV_c),  and e^{−s/λ} at eV_c;          (2)

the collisionless limit against the bimodal IEDF of :func:`.sheath.iedf`; the mean energy falls
monotonically with s/λ.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from numba import njit

from ..constants import E_CHARGE, EV, K_B, PI
from ..feature.flux._rng import _seed_state, _uniform
from .sheath import Distribution
from .sheath_rf import charge_profile

__all__ = ["SheathIons", "sheath_ions", "front_table", "davis_vanderslice_cdf", "ion_distributions",
           "iedf_shape", "phelps_ar_ion_cross_sections", "CROSS_SECTIONS"]

CROSS_SECTIONS = ("constant", "phelps_ar")


def phelps_ar_ion_cross_sections(E_lab_eV):
    """Ar⁺ on Ar at rest, lab-frame energy E (eV): (σ_iso, σ_cx) in m², the isotropic part of the
    elastic scattering and the backward part (resonant charge transfer: the ion leaves with the
    atom's velocity) — the fits of A. V. Phelps, J. Appl. Phys. 76, 747 (1994):

        Q_m = 1.15e-18 E^-0.1 (1 + 0.015/E)^0.6,
        Q_i = 2e-19 E^-0.5/(1 + E) + 3e-19 E/(1 + E/3)²,      σ_iso = Q_i,  σ_cx = (Q_m − Q_i)/2

    (Q_m the momentum-transfer cross section = Q_i + 2σ_cx; as coded in the eduPIC reference
    case, Donkó et al., Plasma Sources Sci. Technol. 30, 095017, 2021).  σ_cx falls from 5.9e-19
    at 0.01 eV to 3.7e-19 at 30 eV and 3.2e-19 at 300 eV; the constant σ_i = 1e-18 m² of the
    argon chemistry (L&L 2005 §3.5) is a low-energy total."""
    E = np.asarray(E_lab_eV, float)
    q_m = 1.15e-18 * E ** -0.1 * (1.0 + 0.015 / E) ** 0.6
    q_i = 2e-19 * E ** -0.5 / (1.0 + E) + 3e-19 * E / (1.0 + E / 3.0) ** 2
    return q_i, 0.5 * (q_m - q_i)


def _phelps_table(m_i: float, n: int = 600, E_lo: float = 1e-2, E_hi: float = 1e4):
    """(ln ½v² at E_lo, step, σ_cx/σ_max, σ_iso/σ_max, σ_max) on a grid uniform in ln E; below
    E_lo the cross sections are held at E_lo's (thermal ions: the target's motion, not modelled
    in the rate, dominates there)."""
    E = np.geomspace(E_lo, E_hi, n)
    s_iso, s_cx = phelps_ar_ion_cross_sections(E)
    s_max = float((s_iso + s_cx).max())
    l0 = math.log(E_lo * EV / m_i)
    return l0, math.log(E_hi / E_lo) / (n - 1), s_cx / s_max, s_iso / s_max, s_max

_TWO_PI = 2.0 * math.pi


@njit(cache=True, error_model="numpy")
def _normal(s):
    u1 = _uniform(s)
    u2 = _uniform(s)
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)


@njit(cache=True, error_model="numpy")
def _accel(x, t, qx, qf, k_acc, s_m, omega):
    nx = qx.size - 1
    xi = min(max(x / s_m, 0.0), 1.0) * nx
    i = min(int(xi), nx - 1)
    q = qx[i] + (qx[i + 1] - qx[i]) * (xi - i)
    nf = qf.size
    if omega > 0.0:
        ph = (omega * t / (2.0 * math.pi)) % 1.0 * nf
        j = min(int(ph), nf - 1)
        j1 = j + 1 if j + 1 < nf else 0
        f = qf[j] + (qf[j1] - qf[j]) * (ph - j)
    else:
        f = qf[0]
    d = q - f
    return k_acc * d if d > 0.0 else 0.0


@njit(cache=True, error_model="numpy")
def _cross(qx, qf, k_acc, s_m, omega, lam, u0, v_edge, v_gas, elastic, n_ions, seed, dt, max_steps,
           out_e, out_v, out_nc, tab_l0, tab_dl, tab_cx, tab_iso):
    """Move ``n_ions`` ions across the sheath; out_e: kinetic energy ½v² (m²/s²), out_v: (v_x,
    v_perp) at the electrode, out_nc: collisions (−1: not arrived within max_steps).  With an
    energy-dependent cross section (``tab_cx.size > 0``) ``lam`` is the null-collision path
    1/(n_g σ_max) and a candidate collision is charge exchange with probability tab_cx, isotropic
    elastic with tab_iso (σ/σ_max on a uniform grid in ln(½v²) from ``tab_l0`` step ``tab_dl``),
    else nothing (null collision)."""
    ntab = tab_cx.size
    st = np.empty(4, np.uint64)
    _seed_state(seed, st)
    period = 2.0 * math.pi / omega if omega > 0.0 else 0.0
    for n in range(n_ions):
        t = period * _uniform(st)
        x = 0.0
        vx = u0
        vy = v_edge * _normal(st)
        vz = v_edge * _normal(st)
        rem = -lam * math.log(1.0 - _uniform(st)) if lam > 0.0 else 1e300
        nc = 0
        a = _accel(x, t, qx, qf, k_acc, s_m, omega)
        out_nc[n] = -1
        for _ in range(max_steps):
            vh = vx + 0.5 * dt * a
            xn = x + vh * dt
            path = math.sqrt(vh * vh + vy * vy + vz * vz) * dt
            f_col = rem / path if path > 0.0 else 2.0
            f_arr = (s_m - x) / (xn - x) if xn >= s_m else 2.0
            if f_col < 1.0 and f_col < f_arr:            # collision inside the step
                x = x + vh * f_col * dt
                t += f_col * dt
                if x < 0.0:
                    x = -x
                u = _uniform(st)
                kind = 2 if u >= elastic else 1            # 2: charge exchange, 1: elastic
                if ntab > 0:                               # energy-dependent: real or null collision
                    li = (math.log(max(0.5 * (vh * vh + vy * vy + vz * vz), 1e-300)) - tab_l0) / tab_dl
                    li = min(max(li, 0.0), ntab - 1.0)
                    i0 = min(int(li), ntab - 2)
                    fr = li - i0
                    pc = tab_cx[i0] + (tab_cx[i0 + 1] - tab_cx[i0]) * fr
                    pi_ = tab_iso[i0] + (tab_iso[i0 + 1] - tab_iso[i0]) * fr
                    kind = 2 if u < pc else (1 if u < pc + pi_ else 0)
                if kind == 0:                              # null collision: the velocity there
                    vx = vx + a * f_col * dt
                    rem = -lam * math.log(1.0 - _uniform(st))
                    a = _accel(x, t, qx, qf, k_acc, s_m, omega)
                    continue
                nc += 1
                if kind == 1:                             # isotropic in the CM frame, equal masses
                    cx, cy, cz = 0.5 * vh, 0.5 * vy, 0.5 * vz
                    g = math.sqrt(vh * vh + vy * vy + vz * vz) * 0.5
                    mu = 2.0 * _uniform(st) - 1.0
                    ph = 2.0 * math.pi * _uniform(st)
                    sn = math.sqrt(max(1.0 - mu * mu, 0.0))
                    vx, vy, vz = cx + g * mu, cy + g * sn * math.cos(ph), cz + g * sn * math.sin(ph)
                else:                                       # charge exchange: a neutral's velocity
                    vx = v_gas * _normal(st)
                    vy = v_gas * _normal(st)
                    vz = v_gas * _normal(st)
                rem = -lam * math.log(1.0 - _uniform(st))
                a = _accel(x, t, qx, qf, k_acc, s_m, omega)
                continue
            rem -= path
            an = _accel(min(max(xn, 0.0), s_m), t + dt, qx, qf, k_acc, s_m, omega)
            vn = vh + 0.5 * dt * an
            if f_arr <= 1.0:                                # reaches the electrode in this step
                vc = vx + (vn - vx) * f_arr
                out_e[n] = 0.5 * (vc * vc + vy * vy + vz * vz)
                out_v[n, 0] = vc
                out_v[n, 1] = math.sqrt(vy * vy + vz * vz)
                out_nc[n] = nc
                break
            x, vx, a = xn, vn, an
            t += dt
            if x < 0.0:                                     # back into the presheath: returned
                x = -x
                vx = -vx
                a = _accel(x, t, qx, qf, k_acc, s_m, omega)


def front_table(qhat: np.ndarray, drive: str, V1_over_Vbar: float = 1.0, n_phase: int = 1024) -> np.ndarray:
    """q̂_f(ωt) on ``n_phase`` phases ωt = 2πk/n_phase for ``drive`` = ``current`` (1 − cos ωt),
    ``voltage`` (the front whose sheath voltage is ∝ 1 + (V₁/V̄) cos ωt) or ``dc`` (0)."""
    th = _TWO_PI * np.arange(n_phase) / n_phase
    if drive == "current":
        return 1.0 - np.cos(th)
    if drive == "dc":
        return np.zeros(2)
    if drive != "voltage":
        raise ValueError(f"drive = {drive!r}: current, voltage or dc")
    W = _voltage_of_front(qhat)
    target = (1.0 + min(V1_over_Vbar, 1.0) * np.cos(th)) / (1.0 + min(V1_over_Vbar, 1.0))
    # W falls from 1 (front at the edge) to 0 (front at the electrode): interpolate ŝ(W)
    xs = np.linspace(0.0, 1.0, qhat.size)
    s_hat = np.interp(target, W[::-1], xs[::-1])
    return np.interp(s_hat, xs, qhat)


def _voltage_of_front(qhat: np.ndarray) -> np.ndarray:
    """W(ŝ) = ∫_ŝ^1 (q̂ − q̂(ŝ)) dx̂ / ∫_0^1 q̂ dx̂ on the grid of ``qhat``: the sheath voltage with the
    front at ŝ over its maximum."""
    n = qhat.size
    h = 1.0 / (n - 1)
    tail = np.concatenate([np.cumsum((0.5 * (qhat[1:] + qhat[:-1]) * h)[::-1])[::-1], [0.0]])   # ∫_ŝ^1 q̂
    W = tail - qhat * (1.0 - np.linspace(0.0, 1.0, n))
    return W / W[0]


def _mean_voltage_factor(qhat: np.ndarray, qf: np.ndarray, omega_on: bool) -> float:
    """V̄/(A s_m): the time average over the front table of ∫_ŝ^1 (q̂ − q̂_f) dx̂."""
    xs = np.linspace(0.0, 1.0, qhat.size)
    h = xs[1]
    vals = []
    for f in (qf if omega_on else qf[:1]):
        d = np.maximum(qhat - f, 0.0)
        vals.append(float(np.sum(0.5 * (d[1:] + d[:-1])) * h))
    return float(np.mean(vals))


@dataclass(frozen=True, kw_only=True)
class SheathIons:
    """Ions at the electrode: ``energy_eV``, polar angle ``angle_rad`` from the normal,
    ``collisions`` per ion; ``injected``, ``lost`` (not arrived), ``cpu_s`` (process time) and
    the sheath: ``Vbar`` (V), ``s_m`` (m), ``mfp`` (m), ``drive``, ``ions``."""

    energy_eV: np.ndarray
    angle_rad: np.ndarray
    collisions: np.ndarray
    injected: int
    lost: int
    cpu_s: float
    Vbar: float
    s_m: float
    mfp: float
    drive: str
    ions: str

    @property
    def mean_energy_eV(self) -> float:
        return float(self.energy_eV.mean())

    @property
    def mean_energy_sigma_eV(self) -> float:
        """Standard error of the mean energy."""
        return float(self.energy_eV.std(ddof=1) / math.sqrt(self.energy_eV.size))


def sheath_ions(*, Vbar: float, s_m: float, mfp: float, m_i: float, T_e_eV: float, frequency: float,
                ions: str = "collisional", drive: str = "voltage", V1: float | None = None,
                T_ion_eV: float = 0.026, T_gas_K: float = 300.0, elastic_fraction: float = 0.0,
                n_ions: int = 40000, seed: int = 0, steps_per_period: int = 100,
                steps_per_transit: int = 200, max_periods: float = 4000.0,
                front: np.ndarray | None = None, cross_section: str = "constant",
                n_gas: float | None = None) -> SheathIons:
    """Monte Carlo of ``n_ions`` ions across the sheath of the module docstring.  ``Vbar``: the
    time-averaged sheath drop (V); ``V1``: the RF amplitude of the voltage drive (default V̄);
    ``mfp``: the ions' mean free path (m; ``math.inf``: collisionless); ``frequency`` (Hz; ignored
    for ``drive='dc'``).  The step is the smaller of T_rf/steps_per_period and the collisionless
    transit's s_m/(v_max·steps_per_transit).  ``front``: q̂_f(ωt) on uniform phases (e.g.
    :func:`.sheath_rf.pair_front`), overriding ``drive``'s.  ``cross_section``: ``constant``
    (collisions at the mean free path ``mfp``) or ``phelps_ar`` (Ar⁺ in Ar: charge exchange and
    isotropic scattering with the energy-dependent cross sections of
    :func:`phelps_ar_ion_cross_sections` at the gas density ``n_gas`` (m⁻³), by null collisions
    at 1/(n_gas σ_max); ``mfp`` then only labels the result and ``elastic_fraction`` is unused)."""
    if not (Vbar > 0 and s_m > 0 and m_i > 0 and mfp > 0):
        raise ValueError("Vbar, s_m, m_i and mfp must be positive")
    if cross_section not in CROSS_SECTIONS:
        raise ValueError(f"cross_section = {cross_section!r}: one of {', '.join(CROSS_SECTIONS)}")
    empty = np.zeros(0)
    tab: tuple = (0.0, 1.0, empty, empty)
    if cross_section == "phelps_ar":
        if n_gas is None or not n_gas > 0:
            raise ValueError("cross_section 'phelps_ar' needs the gas density n_gas > 0")
        l0, dl, p_cx, p_iso, s_max = _phelps_table(m_i)
        tab = (l0, dl, p_cx, p_iso)
        lam_null = 1.0 / (float(n_gas) * s_max)
    qx = charge_profile(ions)
    omega = 0.0 if drive == "dc" else _TWO_PI * frequency
    qf = front_table(qx, drive, (V1 if V1 is not None else Vbar) / Vbar) if front is None else \
        np.ascontiguousarray(front, float)
    A = Vbar / (s_m * _mean_voltage_factor(qx, qf, omega > 0))        # V/m per unit q̂
    k_acc = E_CHARGE * A / m_i
    V_max = A * s_m * float(np.sum(0.5 * (qx[1:] + qx[:-1])) / (qx.size - 1))
    v_max = math.sqrt(2 * EV * (V_max + T_e_eV) / m_i)
    dt = s_m / (v_max * steps_per_transit)
    if omega > 0:
        dt = min(dt, _TWO_PI / omega / steps_per_period)
    tau = 3 * s_m * math.sqrt(m_i / (2 * EV * Vbar))                   # Child-law transit from rest
    t_max = max_periods * (_TWO_PI / omega if omega > 0 else tau / 10)
    max_steps = int(min(t_max / dt, 5e7))
    e = np.zeros(n_ions)
    v = np.zeros((n_ions, 2))
    nc = np.zeros(n_ions, np.int64)
    u0 = math.sqrt(EV * T_e_eV / m_i)
    v_edge = math.sqrt(EV * max(T_ion_eV, 0.0) / m_i)
    v_gas = math.sqrt(K_B * max(T_gas_K, 0.0) / m_i)
    lam = float(mfp) if math.isfinite(mfp) else 0.0
    if cross_section == "phelps_ar":
        lam = lam_null
    c0 = time.process_time()
    _cross(qx, qf, k_acc, s_m, omega, lam, u0, v_edge, v_gas, float(elastic_fraction), int(n_ions),
           np.uint64(int(seed) & 0xFFFFFFFFFFFFFFFF), dt, max_steps, e, v, nc, *tab)
    cpu = time.process_time() - c0
    ok = nc >= 0
    return SheathIons(energy_eV=e[ok] * m_i / EV, angle_rad=np.arctan2(v[ok, 1], v[ok, 0]),
                      collisions=nc[ok], injected=int(n_ions), lost=int((~ok).sum()), cpu_s=cpu,
                      Vbar=float(Vbar), s_m=float(s_m), mfp=float(mfp), drive=drive, ions=ions)


def davis_vanderslice_cdf(E_eV, V_c: float, s_over_mfp: float):
    """Eq. (2): fraction of the ions arriving below E (eV) at the cathode of a DC sheath of drop V_c
    with a linear field, charge exchange at constant mean free path and ions born at rest (Davis &
    Vanderslice 1963); the uncollided e^{−s/λ} arrive at eV_c."""
    u = np.clip(np.asarray(E_eV, float) / V_c, 0.0, 1.0)
    F = 1.0 - np.exp(-s_over_mfp * (1.0 - np.sqrt(1.0 - u)))
    return np.where(np.asarray(E_eV, float) >= V_c, 1.0, F)


def ion_distributions(energy_eV: np.ndarray, angle_rad: np.ndarray, weights: np.ndarray | None = None, *,
                      n_energy: int = 300, n_angle: int = 240) -> tuple[Distribution, Distribution]:
    """IEDF (histogram of the ions' energies on ``n_energy`` uniform bins from 0 to 1.02 × the
    largest, pdf at the bin centres) and IADF (density per radian of the polar angle on ``n_angle``
    bins whose edges are quadratic in θ, fine near the normal), each normalised to 1; ``weights``
    per ion (default equal)."""
    E = np.asarray(energy_eV, float)
    th = np.asarray(angle_rad, float)
    w = np.ones(E.size) if weights is None else np.asarray(weights, float)
    hi = float(E.max()) * 1.02 + 1e-9
    edges = np.linspace(0.0, hi, n_energy + 1)
    c, _ = np.histogram(E, edges, weights=w)
    x = 0.5 * (edges[1:] + edges[:-1])
    p = c / np.trapezoid(c, x)
    te = 0.5 * PI * (np.arange(n_angle + 1) / n_angle) ** 2
    ca, _ = np.histogram(th, te, weights=w)
    pa = ca / np.diff(te)
    xa = np.concatenate([[0.0], 0.5 * (te[1:] + te[:-1]), [0.5 * PI]])
    pa = np.concatenate([[pa[0]], pa, [0.0]])
    return Distribution(x=x, pdf=p), Distribution(x=xa, pdf=pa / np.trapezoid(pa, xa))


def _quantile(a: np.ndarray, w: np.ndarray, q: float) -> float:
    k = np.argsort(a)
    c = np.cumsum(w[k])
    return float(np.interp(q * c[-1], c, a[k]))


def iedf_shape(energy_eV: np.ndarray, angle_rad: np.ndarray, E_sheath_eV: float,
               weights: np.ndarray | None = None) -> dict[str, float]:
    """Numbers of the distributions: mean and median energy, the fractions above 90 % and below
    50 % of the collisionless energy ``E_sheath_eV`` (T_e/2 + V̄: the uncollided peaks lie within
    ±10 % of it), the polar angle's median, 90th percentile and mean (degrees); ``weights`` per
    ion (default equal)."""
    E = np.asarray(energy_eV, float)
    th = np.degrees(np.asarray(angle_rad, float))
    w = np.ones(E.size) if weights is None else np.asarray(weights, float)
    W = w.sum()
    return {"mean_eV": float((w * E).sum() / W), "median_eV": _quantile(E, w, 0.5),
            "fraction_above_0.9E": float(w[E > 0.9 * E_sheath_eV].sum() / W),
            "fraction_below_0.5E": float(w[E < 0.5 * E_sheath_eV].sum() / W),
            "angle_median_deg": _quantile(th, w, 0.5), "angle_p90_deg": _quantile(th, w, 0.9),
            "angle_mean_deg": float((w * th).sum() / W)}
