"""Thermal reference cases shared by the tests and bench/bench_thermal.py.

- ``predeposition_junction`` / ``drive_in_junction``: the default graded mesh's junction
  depth against the exact solutions (constant surface concentration,
  x_j = 2√(Dt) erfc⁻¹(N_B/C_s); a Gaussian implant driven in with a reflecting surface,
  ``validation.thermal.gaussian_implant_drive_in``), √(Dt) = L at 1100 °C, background
  1e15 cm⁻³ of the opposite type (Plummer, Deal & Griffin, *Silicon VLSI Technology*,
  2000, ch. 7).
- ``fair_similarity`` / ``arsenic_box_run``: the concentration-dependent (D ∝ n/n_i)
  arsenic box profile against the similarity solution of (u u')' + (η/2) u' = 0, whose
  front is at η_f = 1.616 (Fair, in *Impurity Doping Processes in Silicon*, 1981).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["T_C", "OPPOSITE", "LENGTHS", "junction_depth_of", "thermal_spec",
           "predeposition_junction", "drive_in_junction", "fair_similarity", "arsenic_box_run"]

T_C = 1100.0
OPPOSITE = {"B": "P", "P": "B", "As": "B", "Sb": "B"}
LENGTHS = (5e-9, 50e-9, 500e-9, 2e-6)


def junction_depth_of(state, d: str) -> float:
    """The first junction depth (m) of dopant ``d`` against its background."""
    from ..thermal.electrical import junction_depths

    z = state.mesh.z
    c, b = state.conc[d][:, 0], state.conc[OPPOSITE[d]][:, 0]
    return junction_depths(z, b, c)[0] if d == "B" else junction_depths(z, c, b)[0]


def thermal_spec(bg: str, depth: float, steps: list):
    """A 1D thermal recipe section on a background of ``bg`` at 1e15 cm⁻³."""
    from ..thermal import ThermalSpec

    return ThermalSpec.model_validate({"substrate": {"background": {bg: "1e15 cm^-3"}},
                                       "depth": f"{depth * 1e6:.6g} um", "steps": steps})


def predeposition_junction(d: str, L: float):
    """(simulated state, computed x_j, exact x_j) of a C_s = 1e20 cm⁻³ predeposition with
    √(Dt) = L."""
    from scipy.special import erfcinv

    from ..thermal import simulate
    from ..thermal.dopants import DOPANTS

    D = DOPANTS[d].intrinsic(T_C + 273.15)
    t = L * L / D
    spec = thermal_spec(OPPOSITE[d], max(2e-6, 12 * L), [{"predeposit": {
        "dopant": d, "surface_concentration": "1e20 cm^-3", "temperature": f"{T_C} degC",
        "time": f"{t:.10g} s"}}])
    st = simulate(spec)
    return st, junction_depth_of(st, d), 2 * L * erfcinv(1e15 / 1e20)


def drive_in_junction(d: str, L: float):
    """(simulated state, computed x_j, exact x_j) of a 10 keV Gaussian implant of 1e14 cm⁻²
    driven in by √(Dt) = L."""
    from ..thermal import simulate
    from ..thermal.dopants import DOPANTS
    from ..thermal.implant import range_moments
    from .thermal import gaussian_implant_drive_in

    D = DOPANTS[d].intrinsic(T_C + 273.15)
    t = L * L / D
    m = range_moments(d, 10.0)
    spec = thermal_spec(OPPOSITE[d], max(2e-6, 12 * L + m.Rp), [
        {"implant": {"dopant": d, "dose": "1e14 cm^-2", "energy": "10 keV", "profile": "gaussian"}},
        {"anneal": {"temperature": f"{T_C} degC", "time": f"{t:.10g} s"}}])
    st = simulate(spec)
    zz = np.linspace(0, spec.depth, 400001)
    ex = gaussian_implant_drive_in(zz, 1e18, m.Rp, m.dRp, L * L) - 1e21
    k = np.nonzero(ex > 0)[0][-1]
    exact = zz[k] + ex[k] / (ex[k] - ex[k + 1]) * (zz[k + 1] - zz[k])
    return st, junction_depth_of(st, d), exact


def fair_similarity():
    """Front position η_f and solution of (u u')' + (η/2) u' = 0, u(0) = 1, by shooting
    back from the front where u = 0, u' = −η_f/2."""
    from scipy.integrate import solve_ivp
    from scipy.optimize import brentq

    def shoot(ef):
        eps = 1e-7 * ef
        return solve_ivp(lambda e, y: [y[1] / y[0], -(e / 2) * y[1] / y[0]], (ef - eps, 0.0),
                         [ef / 2 * eps, -(ef / 2) ** 2 * eps], rtol=1e-11, atol=1e-14,
                         dense_output=True)
    ef = brentq(lambda ef: shoot(ef).y[0, -1] - 1.0, 0.5, 3.0)
    return ef, shoot(ef).sol


def arsenic_box_run(nz: int = 161):
    """Arsenic at C_s = 100 n_i, 1000 °C, 1 h with the Fermi model on a uniform mesh of
    ``nz`` nodes over 2.5 fronts: (mesh, concentration, C_s, front position)."""
    from ..thermal import anneal, make_mesh, make_model, ni_si
    from ..thermal.diffusion import TimeStepping
    from ..thermal.dopants import DOPANTS, charge_neutral_n

    T, t = 1273.15, 3600.0
    ni = ni_si(T)
    Cs = 100 * ni
    d = DOPANTS["As"]
    w = dict(d.fermi_weights(T))
    h = 1 + Cs / math.sqrt(Cs * Cs + 4 * ni * ni)
    n = float(charge_neutral_n(np.array([Cs]), ni)[0])
    Ds = d.intrinsic(T) * (w[0] + w[1] * n / ni) * h
    xf = 1.616 * math.sqrt(Ds * t)
    mesh = make_mesh(2.5 * xf, nz)
    surf = np.zeros(mesh.n, bool)
    surf[0] = True
    res = anneal(mesh, {"As": np.zeros(mesh.n)}, make_model("fermi"), duration=t,
                 temperature=lambda s: T, fixed={"As": (surf, Cs)},
                 numerics=TimeStepping(rtol=1e-3))
    return mesh, res.fields["As"], Cs, xf
