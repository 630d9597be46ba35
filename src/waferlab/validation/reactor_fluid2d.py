"""Reference problems of the 2D reactor model (``reactor.model: fluid2d``): analytic limits
of each operator, each with the observed order of convergence under mesh refinement.

- ``fluid2d_em_skin_depth``: E_θ in a uniform collisional plasma filling a cylinder,
  driven at the window by E_θ = J1(k_r r): E = J1(k_r r) sinh(κz)/sinh(κL),
  κ² = k_r² + iωμ₀σ − k₀² (the skin-depth field of a uniform conducting slab with the
  lowest radial mode; Jackson, *Classical Electrodynamics*, 3rd ed., 1999, §8.1).
- ``fluid2d_diffusion_eigenmode``: the ambipolar transport at uniform T_e with
  ionisation ∝ n_e in the diffusion limit: n = J0(2.405 r/R) sin(πz/L) and
  ν_iz = D_a[(2.405/R)² + (π/L)²] (L&L 2005, §5.2).
- ``fluid2d_poiseuille``: fully developed flow in a tube u = G(R² − r²)/(4μ).
- ``fluid2d_poiseuille_slip``: the 2D Stokes solver (staggered grid, inlet to outlet) in a
  tube of length 10R with Maxwell slip ℓ = 0.2R: mid-length u = G(R² − r² + 2ℓR)/(4μ) and
  G = 8μU/(R²(1 + 4ℓ/R)) (Karniadakis, Beskok & Aluru 2005, §4.1).
- ``fluid2d_heat_plates`` / ``fluid2d_heat_cylinder``: steady conduction with uniform
  heating and k = k₀(T/T₀)^a (argon) between two plates and in a cylinder, exact through
  the Kirchhoff transform (Carslaw & Jaeger 1959, §1.7).

Errors are max-norm errors relative to the peak of the reference (the rise above the wall
temperature for heat); the slope of log(error) against log(h) must be 2 ± 0.3.  With
``graded=True`` each problem runs on the model's default kind of mesh: z Vinokur-stretched
towards both ends, each end cell a quarter of the uniform cell (one smooth mapping refined,
so the order is that of the scheme); ``graded="rz"`` also stretches r towards the outer wall
(end cell a quarter; the optional ``wall_cell``); h is then the largest cell.
"""
from __future__ import annotations

import numpy as np
from scipy.special import j0, j1, jn_zeros

from ..constants import AMU, EV, PI
from .core import Check, ReferenceProblem, register

__all__ = ["observed_order", "em_errors", "eigenmode_errors", "poiseuille_errors", "heat_errors",
           "slip_poiseuille_errors"]

J01 = 2.404825557695773
ORDER_TOL = 0.3


def _mesh(R: float, L: float, nr: int, nz: int, graded: bool | str):
    from ..reactor.fluid2d.mesh import Mesh, stretched_faces

    if not graded:
        return Mesh.uniform(R, L, nr, nz)
    z = stretched_faces(L, nz, 0.25 * L / nz, 0.25 * L / nz) if nz > 1 else np.array([0.0, L])
    r = stretched_faces(R, nr, None, 0.25 * R / nr) if graded == "rz" else np.linspace(0.0, R, nr + 1)
    return Mesh(r, z)


def observed_order(h, err) -> float:
    """Least-squares slope of log(err) against log(h)."""
    return float(np.polyfit(np.log(h), np.log(err), 1)[0])


def em_errors(ns=(10, 20, 40), *, graded: bool | str = False):
    """(h, max |E − E_exact|/max|E_exact|) for the uniform-plasma skin-depth field."""
    from ..reactor.fluid2d.em import C_LIGHT, MU0, conductivity, solve_field

    R, L, omega = 0.1, 0.05, 2 * PI * 13.56e6
    sig = conductivity(5e16, 2e7, omega)
    kr = jn_zeros(1, 1)[0] / R
    kappa = np.sqrt(kr ** 2 + 1j * omega * MU0 * sig - (omega / C_LIGHT) ** 2)
    out = []
    for n in ns:
        m = _mesh(R, L, n, n, graded)
        f = solve_field(m, np.full(m.shape, sig), omega, boundary={"z_max": ("dirichlet", j1(kr * m.r))})
        ex = j1(kr * m.r)[:, None] * np.sinh(kappa * m.z[None, :]) / np.sinh(kappa * L)
        out.append((m.h, float(np.abs(f.E - ex).max() / np.abs(ex).max())))
    return out


def eigenmode_errors(ns=(8, 16, 32), *, zero: float = J01, graded: bool | str = False):
    """(h, shape error / peak, relative error of ν_iz) of the sustaining mode against the
    reference with the radial zero ``zero`` (2.405; another value tests that a wrong
    reference fails)."""
    from ..reactor.fluid2d.transport import PlasmaCoefficients, TransportResidual

    m_i, T_i, Te, ng, sig = 39.948 * AMU, 0.5, 3.0, 3e19, 1e-12
    R, L = 0.1, 0.15

    def rates(T, n_g):
        z = np.zeros_like(T)
        return z, z, np.full_like(T, 1e7)

    coef = PlasmaCoefficients(m_i=m_i, sigma_i=sig, T_i_eV=T_i, rates=rates)
    vbar = np.sqrt(8 * EV * T_i / (PI * m_i))
    D = EV / (ng * sig) / m_i * (Te + T_i) / vbar          # low-field (constant-mobility) D_a
    nu_exact = D * ((zero / R) ** 2 + (PI / L) ** 2)
    out = []
    for n in ns:
        m = _mesh(R, L, n, n, graded)
        tr = TransportResidual(m, coef)
        tr.set_state(np.full(m.shape, ng), None)
        guess = np.log(np.maximum(j0(2.3 * m.r / R)[:, None] * np.sin(PI * m.z / L)[None, :], 0.05))
        lnn, nu = tr.sustaining_mode(np.full(m.shape, Te), guess)
        ex = j0(zero * m.r / R)[:, None] * np.sin(PI * m.z / L)[None, :]
        n_num = np.exp(lnn)
        a = float((n_num * ex).sum() / (ex * ex).sum())
        out.append((m.h, float(np.abs(n_num / a - ex).max()), abs(nu / nu_exact - 1)))
    return out


def poiseuille_errors(ns=(8, 16, 32, 64), *, graded: bool | str = False):
    from ..reactor.fluid2d.neutral import axial_stokes_velocity

    R, mu, G = 0.05, 2.2e-5, 10.0
    out = []
    for n in ns:
        m = _mesh(R, 0.01, n, 1, graded)
        u = axial_stokes_velocity(m, mu, -G)[:, 0]
        ex = G * (R ** 2 - m.r ** 2) / (4 * mu)
        out.append((m.h if m.nz > 1 else float(m.dr.max()), float(np.abs(u - ex).max() / ex.max())))
    return out


def slip_poiseuille_errors(ns=(8, 16, 32), *, slip: float = 0.2):
    """(h, max |u − u_exact|/max u_exact, |G/G_exact − 1|) at mid-length of a tube R × 10R fed
    with a uniform speed U at one end and drained at the other, slip length ``slip`` R."""
    from ..reactor.fluid2d.flow import stokes_flow
    from ..reactor.fluid2d.mesh import Mesh

    R, mu, U = 0.05, 2.0e-5, 1.0
    ell = slip * R
    out = []
    for n in ns:
        m = Mesh.uniform(R, 10 * R, n, 10 * n)
        f = stokes_flow(m, mu, u_z_bottom=np.full(n, U), u_z_top=np.full(n, U), slip_length=ell)
        j = m.nz // 2
        ex = 2 * U * (1 - m.r ** 2 / R ** 2 + 2 * ell / R) / (1 + 4 * ell / R)
        G = -(f.p[:, j] - f.p[:, j - 1]) / (m.z[j] - m.z[j - 1])
        G_ex = 8 * mu * U / (R ** 2 * (1 + 4 * ell / R))
        out.append((m.h, float(np.abs(f.u_z[:, j] - ex).max() / ex.max()), float(abs(G.mean() / G_ex - 1))))
    return out


def heat_errors(geometry: str, ns=(8, 16, 32, 64), *, graded: bool | str = False):
    """(h, max |T − T_exact| / max(T_exact − T_wall)) for plates or a cylinder."""
    from ..reactor.fluid2d.neutral import ARGON_CONDUCTIVITY as k
    from ..reactor.fluid2d.neutral import gas_temperature

    R, L, Q, Tw = 0.1, 0.05, 2e3, 300.0
    out = []
    for n in ns:
        m = _mesh(R, L, n, n, graded)
        if geometry == "plates":
            T = gas_temperature(m, np.full(m.shape, Q), {"r_max": None, "z_min": Tw, "z_max": Tw}, k)
            ex = np.broadcast_to(k.inverse(Q * m.z * (L - m.z) / 2)[None, :], m.shape)
        else:
            T = gas_temperature(m, np.full(m.shape, Q), {"r_max": Tw, "z_min": None, "z_max": None}, k)
            ex = np.broadcast_to(k.inverse(Q * (R ** 2 - m.r ** 2) / 4)[:, None], m.shape)
        out.append((m.h, float(np.abs(T - ex).max() / (ex.max() - Tw))))
    return out


def _checks(label, rows, tol, col=1):
    h = [r[0] for r in rows]
    e = [r[col] for r in rows]
    p = observed_order(h, e)
    return [Check(quantity=f"{label}: max error / peak at h = {h[-1] * 1e3:.3g} mm", measured=e[-1],
                  reference=0.0, tolerance=tol, basis=f"{100 * tol:g} % of the peak (issue #14)"),
            Check(quantity=f"{label}: observed order ({len(h)} meshes)", measured=p, reference=2.0,
                  tolerance=ORDER_TOL, basis="second-order finite volumes, ±0.3")]


def _run_em(ctx, quick):
    return _checks("E_theta skin-depth field", em_errors((10, 20, 40) if quick else (10, 20, 40, 80)), 0.01)


def _run_eig(ctx, quick):
    rows = eigenmode_errors((8, 16, 32) if quick else (8, 16, 32, 64))
    out = _checks("J0 sin density mode", rows, 0.02)
    out.append(Check(quantity="sustaining nu_iz / D_a[(2.405/R)^2 + (pi/L)^2]", measured=1 + rows[-1][2],
                     reference=1.0, tolerance=0.01, basis="1 % (O(h^2) and the Bohm wall offset D_a/u_B)"))
    return out


def _run_pois(ctx, quick):
    return _checks("Poiseuille u(r)", poiseuille_errors(), 0.01)


def _run_slip(ctx, quick):
    rows = slip_poiseuille_errors()
    out = _checks("Stokes flow with slip u(r)", rows, 0.01)
    out.append(Check(quantity="pressure gradient / 8μU/(R²(1 + 4ℓ/R))", measured=1 + rows[-1][2], reference=1.0,
                     tolerance=0.01, basis="1 % (O(h^2))"))
    return out


def _run_heat(geometry):
    def run(ctx, quick):
        return _checks(f"heat conduction ({geometry})", heat_errors(geometry), 0.005)
    return run


_SRC = "analytic solutions; Lieberman & Lichtenberg (2005) §5.2, Jackson (1999) §8.1, Carslaw & Jaeger (1959) §1.7"
register(ReferenceProblem(name="fluid2d_em_skin_depth", scale="reactor", source=_SRC,
                          description="2D E_theta solver vs the skin-depth field J1(k_r r) sinh(kz)/sinh(kL) "
                                      "of a uniform collisional plasma; 1 % and order 2", run=_run_em))
register(ReferenceProblem(name="fluid2d_diffusion_eigenmode", scale="reactor", source=_SRC,
                          description="2D ambipolar transport, uniform T_e, ionisation ∝ n_e: J0(2.405r/R)"
                                      "·sin(πz/L) to 2 % of the peak, order 2", run=_run_eig))
register(ReferenceProblem(name="fluid2d_poiseuille", scale="reactor", source=_SRC,
                          description="axial Stokes flow in a tube vs Hagen–Poiseuille; 1 %, order 2",
                          run=_run_pois))
register(ReferenceProblem(name="fluid2d_poiseuille_slip", scale="reactor",
                          source="Karniadakis, Beskok & Aluru, Microflows and Nanoflows (2005) §4.1",
                          description="2D Stokes solver (staggered grid, inlet to outlet) with Maxwell slip vs "
                                      "slip Poiseuille flow in a tube; 1 %, order 2", run=_run_slip))
register(ReferenceProblem(name="fluid2d_heat_plates", scale="reactor", source=_SRC,
                          description="gas heat equation k(T), uniform heating between two plates; 0.5 %, "
                                      "order 2", run=_run_heat("plates")))
register(ReferenceProblem(name="fluid2d_heat_cylinder", scale="reactor", source=_SRC,
                          description="gas heat equation k(T), uniform heating in a cylinder; 0.5 %, order 2",
                          run=_run_heat("cylinder")))
