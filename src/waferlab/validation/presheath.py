"""Exact kinetic reference for the wall loss of a plane discharge: the h-factors of the
global model and of the fluid2d wall flux are checked against it (issue #14).

Model (plane slab of half-width x₁, symmetric about x = 0; Tonks & Langmuir, Phys. Rev. 34,
876, 1929, with charge-exchange collisions as in Self & Ewald, Phys. Fluids 9, 2486, 1966,
and Riemann, J. Phys. D 24, 493, 1991):

* Boltzmann electrons, uniform T_e: n_e = n₀ e^{−η}, η = −eφ/T_e;
* quasi-neutral n_i = n_e up to the plasma edge (the sheath is thin);
* ions born at rest (cold gas) at the rate ν n_e;
* charge exchange with a constant mean free path λ (velocity-independent cross-section, cold
  neutrals): an ion that has exchanged its charge starts again at rest, so an ion born at s'
  reaches s with probability e^{−(s−s')/Λ} and at the speed c_s √(2(η(s) − η(s'))).

Lengths in ℓ = c_s/ν (c_s = √(eT_e/M)), s = x/ℓ, Λ = λ/ℓ.  With F(s) = ∫₀ˢ e^{−η} ds (the ion
flux in units n₀ c_s: every ion made inside s crosses s) the charge-exchange birth rate is
F/Λ, so quasi-neutrality is the integral equation

    e^{−η(s)} = ∫₀ˢ [e^{−η(s')} + F(s')/Λ] e^{−(s−s')/Λ} ds' / √(2(η(s) − η(s'))).

It is solved by marching in η (s(η) unknown at each node, product integration of the 1/√
kernel with linear interpolation, one scalar root per node) until no root exists: the
plasma edge η_s, s₁ where ds/dη = 0.  Collisionless (Λ = ∞) this is the Tonks–Langmuir
problem: Harrison & Thompson (Proc. Phys. Soc. 74, 145, 1959) give η_s = 0.854 and
s₁ = 0.3444 in units of √(2T_e/M)/ν, i.e. 0.4871 in units of c_s/ν.

Results (all exact for the model, to the discretisation error):

* ``h_centre`` = Γ_wall/(n₀ u_B) = F(s₁): the h-factor of Lieberman & Lichtenberg (2005, §5.3),
  whose 0.86 (3 + l/2λ)^{−½} is a fit to it;
* ``h_avg`` = Γ_wall/(n̄ u_B) = s₁ (ν n̄ x₁ = Γ_wall): the h-factor with which a global model
  whose ionisation is ν n V and whose wall loss is h n u_B A has n = n̄, the volume average;
* ``n_edge`` = e^{−η_s} and ``n_avg`` = n̄/n₀ = F(s₁)/s₁;
* ``l_over_lambda`` = 2 x₁/λ = 2 s₁/Λ (l the plate separation).

:func:`fluid2d_plane_h` gives the same two h-factors from the fluid2d transport residual (its
drift law and wall closure, unchanged) on a one-column mesh with the radial wall removed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

__all__ = ["PresheathSolution", "plane_presheath", "plane_presheath_at", "ll_h_l", "fluid2d_plane_h",
           "variable_mobility_average"]


@dataclass(frozen=True)
class PresheathSolution:
    """The plane discharge at one Λ = λν/c_s (see the module docstring)."""

    Lambda: float
    eta_edge: float
    s_edge: float
    flux: float                  # plane: Γ_wall/(n₀c_s); cylinder: ∫₀^{s₁} e^{−η} s ds
    geometry: str = "plane"

    @property
    def h_centre(self) -> float:
        return self.flux if self.geometry == "plane" else self.flux / self.s_edge

    @property
    def h_avg(self) -> float:
        return self.s_edge if self.geometry == "plane" else 0.5 * self.s_edge

    @property
    def n_edge(self) -> float:
        return math.exp(-self.eta_edge)

    @property
    def n_avg(self) -> float:
        return self.h_centre / self.h_avg

    @property
    def l_over_lambda(self) -> float:
        """Plane: l/λ = 2x₁/λ; cylinder: R/λ."""
        if math.isinf(self.Lambda):
            return 0.0
        return (2 if self.geometry == "plane" else 1) * self.s_edge / self.Lambda


def ll_h_l(l_over_lambda):
    """Lieberman & Lichtenberg (2005) eq. 5.3.13 / 10.2.1: h_l = 0.86 (3 + l/2λ)^{−½}."""
    return 0.86 / np.sqrt(3.0 + 0.5 * np.asarray(l_over_lambda, float))


def _weights(eta_k: float, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """∫_a^b w(η') dη'/√(2(η_k − η')) for w linear from 1 at a to 0 at b (left) and from 0 to 1
    (right), η_k ≥ b, per interval [a, b]."""
    ua, ub = eta_k - a, np.maximum(eta_k - b, 0.0)
    r1 = 2.0 * (np.sqrt(ua) - np.sqrt(ub))
    r3 = (2.0 / 3.0) * (ua ** 1.5 - ub ** 1.5)
    den = math.sqrt(2.0) * (b - a)
    return (r3 - ub * r1) / den, (ua * r1 - r3) / den


def plane_presheath(Lambda: float, *, dt: float = 2e-3, t_max: float = 60.0,
                    geometry: str = "plane") -> PresheathSolution:
    """Solve the plane kinetic problem for Λ = λν/c_s (``math.inf``: collisionless).

    ``geometry="cylinder"``: an infinite cylinder of radius x₁ (ions move radially), every
    source and flux integral weighted by s'/s (Self, Phys. Fluids 6, 1762, 1963, with charge
    exchange as above); then ``h_centre`` = Γ_wall/(n₀u_B), ``h_avg`` = s₁/2 (ν n̄ πR² = Γ 2πR)
    and ``l_over_lambda`` = R/λ (the global model's h_R variable).

    The η nodes are η = t² for t ≤ 1 and 2t − 1 beyond (t = k·dt), fine where s ∝ √η near the
    centre.  The edge is located by the vanishing of ds/dη (quadratic fit through the last
    three nodes of s(η)); the error is O(dt²) (tests check the Harrison–Thompson values)."""
    inv_L = 0.0 if math.isinf(Lambda) else 1.0 / Lambda
    if geometry not in ("plane", "cylinder"):
        raise ValueError(f"geometry = {geometry!r}: 'plane' or 'cylinder'")
    cyl = geometry == "cylinder"
    nmax = int(t_max / dt) + 2
    eta = np.empty(nmax)
    s = np.zeros(nmax)
    F = np.zeros(nmax)
    S = np.zeros(nmax)          # effective source e^{−η} + F/Λ at each node
    eta[0], S[0] = 0.0, 1.0
    WL = np.zeros(nmax)
    WR = np.zeros(nmax)
    k = 0
    while True:
        k += 1
        if k >= nmax:
            raise RuntimeError(f"plane_presheath: no plasma edge below η = {eta[k - 1]:.1f}")
        t = k * dt
        eta[k] = t * t if t <= 1.0 else 2.0 * t - 1.0
        ek = eta[k]
        WL[1:k + 1], WR[1:k + 1] = _weights(ek, eta[:k], eta[1:k + 1])
        # intervals 1..k-1 with the attenuation to s_{k-1}; the last one depends on Δs
        if k > 1:
            att = np.exp(-(s[k - 1] - s[:k]) * inv_L)
            g = S[:k] * att * s[:k] if cyl else S[:k] * att
            slope = (s[1:k] - s[: k - 1]) / (eta[1:k] - eta[: k - 1])
            B = float((slope * (g[: k - 1] * WL[1:k] + g[1:k] * WR[1:k])).sum())
        else:
            B = 0.0
        d_eta = ek - eta[k - 1]
        e_prev, e_k = math.exp(-eta[k - 1]), math.exp(-ek)

        def resid(ds, B=B, d_eta=d_eta, e_prev=e_prev, e_k=e_k, k=k):
            a = math.exp(-ds * inv_L)
            if cyl:             # weights s'/s; F is ∫ e^{−η} s ds, the CX source F/(sΛ)
                sp, sk = s[k - 1], s[k - 1] + ds
                if sk <= 0.0:
                    return -e_k
                Fk = F[k - 1] + 0.5 * (e_prev * sp + e_k * sk) * ds
                Sk = e_k + Fk * inv_L / sk
                return (a * B + ds / d_eta * (S[k - 1] * sp * a * WL[k] + Sk * sk * WR[k])) / sk - e_k
            Fk = F[k - 1] + 0.5 * (e_prev + e_k) * ds
            Sk = e_k + Fk * inv_L
            return a * B + ds / d_eta * (S[k - 1] * a * WL[k] + Sk * WR[k]) - e_k

        r0 = resid(0.0)
        if r0 >= 0.0 and k > 1:  # no root with ds ≥ 0: the plasma edge lies before η_k
            break
        hi = max(s[k - 1], 1e-3) * 0.5 + 1e-3
        while resid(hi) < 0.0:
            hi *= 2.0
        ds = brentq(resid, 0.0, hi, xtol=1e-15, rtol=1e-14)
        s[k] = s[k - 1] + ds
        if cyl:
            F[k] = F[k - 1] + 0.5 * (e_prev * s[k - 1] + e_k * s[k]) * ds
            S[k] = e_k + F[k] * inv_L / s[k]
        else:
            F[k] = F[k - 1] + 0.5 * (e_prev + e_k) * ds
            S[k] = e_k + F[k] * inv_L
    n = k                        # nodes 0..n-1 solved
    # the edge: maximum of s(η) — quadratic through the last three nodes
    e3, s3 = eta[n - 3:n], s[n - 3:n]
    c2, c1, c0 = np.polyfit(e3, s3, 2)
    eta_s = -c1 / (2 * c2) if c2 < 0 else e3[-1]
    eta_s = float(min(max(eta_s, e3[-1]), e3[-1] + (e3[-1] - e3[-2])))
    s_edge = float(c0 + c1 * eta_s + c2 * eta_s ** 2)
    # flux: F is stationary at the edge too (dF/dη = e^{−η} ds/dη = 0)
    f3 = F[n - 3:n]
    q2, q1, q0 = np.polyfit(e3, f3, 2)
    flux = float(q0 + q1 * eta_s + q2 * eta_s ** 2)
    return PresheathSolution(Lambda=Lambda, eta_edge=eta_s, s_edge=s_edge, flux=flux, geometry=geometry)


def plane_presheath_at(l_over_lambda: float, **kw) -> PresheathSolution:
    """The solution with a given l/λ = 2 s₁/Λ (l the plate separation; 0: collisionless);
    with ``geometry="cylinder"`` the argument is R/λ."""
    if l_over_lambda <= 0.0:
        return plane_presheath(math.inf, **kw)

    def mismatch(logL):
        sol = plane_presheath(math.exp(logL), **kw)
        return math.log(sol.l_over_lambda / l_over_lambda)

    # l/λ = 2 s₁/Λ with s₁ between ~√Λ-scaling (collisional) and 0.49 (collisionless)
    lo, hi = math.log(1e-5), math.log(1e4)
    logL = brentq(mismatch, lo, hi, xtol=1e-7)
    return plane_presheath(math.exp(logL), **kw)


def variable_mobility_average(geometry: str = "plane") -> float:
    """n̄/n₀ of the collisional limit (l/λ → ∞) of :func:`plane_presheath`.

    With λ ≪ l the ion momentum balance is eE = M u²/λ (constant-λ drag, inertia and the
    ionisation drag O(λ/l)), the electrons Boltzmann, eE = −T_e n'/n, and the flux Γ = n u =
    ν∫n (plane) or ν∫n s ds/s (cylinder); in units of n₀ and of the length (λ c_s²/ν²)^⅓ this is
    y y' = −G², G' = y (plane) or y y' = −(G/s)², G' = s y (cylinder), y(0) = 1, to y = 0 (the
    presheath shrinks to the wall as λ/l → 0).  The variable-mobility profile of Godyak (Soviet
    radio-frequency discharge research, 1986) / Lieberman & Lichtenberg (2005, §5.2); n̄/n₀ =
    G(s₁)/s₁ (plane), 2 G(s₁)/s₁² (cylinder).  0.82699 and 0.69861."""
    from scipy.integrate import solve_ivp

    if geometry not in ("plane", "cylinder"):
        raise ValueError(f"geometry = {geometry!r}: 'plane' or 'cylinder'")
    cyl = geometry == "cylinder"

    def rhs(s, v):
        y, G = v
        q = G / s if cyl else G
        return [-q * q / max(y, 1e-14), s * y if cyl else y]

    def edge(s, v):
        return v[0] - 1e-10

    edge.terminal = True  # type: ignore[attr-defined]
    s0 = 1e-9
    sol = solve_ivp(rhs, [s0, 10.0], [1.0, 0.5 * s0 * s0 if cyl else s0], events=edge, rtol=1e-11,
                    atol=1e-13, max_step=1e-3)
    s1, G1 = float(sol.t[-1]), float(sol.y[1, -1])
    return 2.0 * G1 / s1 ** 2 if cyl else G1 / s1


def fluid2d_plane_h(L: float, n_g: float, *, T_e_eV: float = 3.0, T_i_eV: float = 1e-4,
                    m_i: float, sigma_i: float, nz: int = 64, ion_inertia: bool = False,
                    geometry: str = "plane") -> tuple[float, float, float]:
    """(h_centre, h_avg, n̄/n₀) of fluid2d's transport (:class:`TransportResidual`, its ion drift
    and Bohm wall closure) for a plane slab of thickness ``L`` (m): one radial column, the
    radial wall removed, uniform T_e and gas density ``n_g`` (m⁻³), the sustaining
    eigenmode at fixed T_e (ionisation ∝ n; with ``ion_inertia`` the drift's ν_iz is iterated
    to the eigenvalue).  h_avg = ν L/(2u_B) (ν n̄ L = 2Γ_wall), h_centre = Γ_wall/(n₀ u_B),
    n₀ from n = a + bζ² through the two cells next to the centre.  ``geometry="cylinder"``: a
    long cylinder of radius ``L`` (``nz`` radial cells, one axial layer, the end walls
    removed), h_avg = ν L/(2u_B) (ν n̄ πR² = Γ 2πR)."""
    from waferlab.constants import EV
    from waferlab.reactor.fluid2d.mesh import Mesh
    from waferlab.reactor.fluid2d.transport import PlasmaCoefficients, TransportResidual

    cyl = geometry == "cylinder"
    if nz % 2 and not cyl:
        raise ValueError("fluid2d_plane_h: nz must be even")
    mesh = Mesh.uniform(L, 0.1, nz, 1) if cyl else Mesh.uniform(0.1, L, 1, nz)
    uB = math.sqrt(EV * T_e_eV / m_i)
    nu_iz = [uB / L]

    def rates(T, n):
        one = np.ones_like(np.asarray(T, float))
        return nu_iz[0] * one, 0.0 * one, one

    coef = PlasmaCoefficients(m_i=m_i, sigma_i=sigma_i, T_i_eV=T_i_eV, rates=rates, ion_inertia=ion_inertia)
    tr = TransportResidual(mesh, coef)
    for side in (("z_min", "z_max") if cyl else ("r_max",)):
        tr.walls.pop(side)
    tr.set_state(np.full(mesh.shape, n_g), None)
    Te = np.full(mesh.shape, T_e_eV)
    if cyl:
        lnn = np.log(np.cos(1.4 * mesh.r / L))[:, None]
    else:
        lnn = np.log(np.cos(2.8 * (mesh.z - 0.5 * L) / L))[None, :]
    lnn, nu = tr.sustaining_mode(Te, lnn)
    if ion_inertia:             # ν_iz in the drift = the eigenvalue: secant on f(ν) = ν_out(ν) − ν
        x0, f0 = nu_iz[0], nu - nu_iz[0]
        x1 = nu
        for _ in range(30):
            nu_iz[0] = x1
            lnn, nu = tr.sustaining_mode(Te, lnn)
            f1 = nu - x1
            if abs(f1) < 1e-10 * x1:
                break
            x0, f0, x1 = x1, f1, x1 - f1 * (x1 - x0) / (f1 - f0)
        else:
            raise RuntimeError("fluid2d_plane_h: ν_iz did not converge")
    _, _, d = tr.evaluate(lnn, Te, details=True)
    if cyl:
        n = np.exp(lnn[:, 0])
        n1, n2 = n[0], n[1]
        G = float(d["wall"]["r_max"][0][0])
        n_avg = float((n * mesh.volume[:, 0]).sum() / mesh.volume.sum())
    else:
        n = np.exp(lnn[0])
        n1, n2 = n[nz // 2], n[nz // 2 + 1]
        G = float(d["wall"]["z_max"][0][0])
        n_avg = float(n.mean())
    n0 = (9 * n1 - n2) / 8
    return G / (n0 * uB), nu * L / (2 * uB), n_avg / n0
