"""Thermal-processing and mechanics reference problems.

* constant-source predeposition C = C_s erfc(x/2√(Dt)), Q = 2C_s√(Dt/π),
  x_j = 2√(Dt) erfc⁻¹(N_B/C_s); fixed-dose drive-in C = Q/√(πDt) exp(−x²/4Dt)
  (Plummer, Deal & Griffin, *Silicon VLSI Technology*, Prentice Hall, 2000, ch. 7);
* Deal–Grove oxidation (Deal & Grove, J. Appl. Phys. 36, 3770, 1965; constants of
  Plummer et al. 2000 Table 6-2) solved in closed form here vs the model's ODE;
* Stoney (Proc. R. Soc. A 82, 172, 1909) with the Si(100) biaxial modulus 180.5 GPa
  (Brantley, J. Appl. Phys. 44, 534, 1973), and the thermal-mismatch stress.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.special import erfc, erfcinv

from ..constants import EV, K_B
from .core import Check, ReferenceProblem, register

__all__ = ["deal_grove_thickness", "gaussian_implant_drive_in", "solmi_ted_diffusivity"]

D_B = 2.0e-17        # m²/s (B near 1100 °C); constant D keeps the solutions exact
T_HOLD = 1373.15


def _model():
    from ..thermal import Arrhenius, make_model

    return make_model("intrinsic", {"B": Arrhenius(D0=D_B, Ea=0.0)})


def _run_erfc(ctx, quick):
    from ..thermal import TimeStepping, anneal, junction_depths, make_mesh

    t, Cs, NB = 3600.0, 1e26, 1e22
    nz = 401 if quick else 1601
    L = 2 * math.sqrt(D_B * t)
    mesh = make_mesh(8 * L, nz)
    surf = np.zeros(mesh.n, bool)
    surf[mesh.surface_nodes()] = True
    res = anneal(mesh, {"B": np.zeros(mesh.n)}, _model(), duration=t,
                 temperature=lambda s: T_HOLD, fixed={"B": (surf, Cs)},
                 numerics=TimeStepping(rtol=1e-5))
    c = res.fields["B"]
    exact = Cs * erfc(mesh.z / L)
    sel = exact > 1e-3 * Cs
    xj = junction_depths(mesh.z, np.full(mesh.n, NB), c)[0]
    Q_ref = 2 * Cs * math.sqrt(D_B * t / math.pi)
    return [
        Check(quantity=f"max |C/C_exact − 1| where C > 1e-3 C_s (nz = {nz})",
              measured=float(np.max(np.abs(c[sel] / exact[sel] - 1))), reference=0.0,
              tolerance=0.01, basis="1 % (2nd-order FV, nz >= 401)"),
        Check(quantity="junction depth x_j (N_B = 1e16 cm^-3)", measured=xj * 1e9,
              reference=L * float(erfcinv(NB / Cs)) * 1e9, tolerance=5e-3 * L * float(erfcinv(NB / Cs)) * 1e9,
              unit="nm", basis="0.5 %"),
        Check(quantity="dose Q", measured=mesh.dose(c), reference=Q_ref, tolerance=3e-3 * Q_ref,
              unit="m^-2", basis="0.3 % (surface half-cell)"),
    ]


def _gauss(z, Q, Dt):
    return Q / math.sqrt(math.pi * Dt) * np.exp(-z * z / (4 * Dt))


def gaussian_implant_drive_in(z: np.ndarray, Q: float, Rp: float, s: float,
                              Dt: float) -> np.ndarray:
    """Exact drive-in (reflecting surface, constant D) of the Gaussian implant
    Q N(z; Rp, s²)/Φ(Rp/s) kept on z >= 0: the even extension evolves on the whole line,

        C = Q/Φ(Rp/s) [N(z; Rp, S²) Φ(μ₊/σ) + N(z; −Rp, S²) Φ(μ₋/σ)],
        S² = s² + 2Dt, σ² = 2Dt s²/S², μ± = (2Dt Rp ± z s²)/S²,

    which tends to Q/√(πDt) exp(−z²/4Dt) for Rp, s → 0 (Plummer et al. 2000, ch. 7)."""
    from scipy.stats import norm

    z = np.asarray(z, float)
    S2 = s * s + 2 * Dt
    sig = math.sqrt(2 * Dt * s * s / S2)
    mu_p = (2 * Dt * Rp + z * s * s) / S2
    mu_m = (2 * Dt * Rp - z * s * s) / S2
    S = math.sqrt(S2)
    return Q / norm.cdf(Rp / s) * (norm.pdf(z, Rp, S) * norm.cdf(mu_p / sig)
                                   + norm.pdf(z, -Rp, S) * norm.cdf(mu_m / sig))


def _run_drive_in(ctx, quick):
    from ..thermal import TimeStepping, anneal, junction_depths, make_mesh

    Q, Dt0, t = 1e19, 1e-15, 7200.0
    Dt1 = Dt0 + D_B * t
    nz = 401 if quick else 1601
    mesh = make_mesh(12 * math.sqrt(Dt1), nz)
    c0 = _gauss(mesh.z, Q, Dt0)
    res = anneal(mesh, {"B": c0}, _model(), duration=t, temperature=lambda s: T_HOLD,
                 numerics=TimeStepping(rtol=1e-5))
    c = res.fields["B"]
    exact = _gauss(mesh.z, Q, Dt1)
    sel = exact > 1e-3 * exact[0]
    NB = 1e-3 * exact[0]
    xj_ref = 2 * math.sqrt(Dt1) * math.sqrt(math.log(exact[0] / NB))
    xj = junction_depths(mesh.z, np.full(mesh.n, NB), c)[0]
    return [
        Check(quantity="dose conserved Q(t)/Q(0)", measured=mesh.dose(c) / mesh.dose(c0),
              reference=1.0, tolerance=1e-3, basis="1e-3 (reflecting surface; time tolerance)"),
        Check(quantity=f"max |C/C_exact − 1| where C > 1e-3 C(0) (nz = {nz})",
              measured=float(np.max(np.abs(c[sel] / exact[sel] - 1))), reference=0.0,
              tolerance=0.01, basis="1 % (2nd-order FV, nz >= 401)"),
        Check(quantity="junction depth at N_B = 1e-3 C(0)", measured=xj * 1e9,
              reference=xj_ref * 1e9, tolerance=5e-3 * xj_ref * 1e9, unit="nm", basis="0.5 %"),
    ]


_PDG = "J. D. Plummer, M. D. Deal & P. B. Griffin, Silicon VLSI Technology, Prentice Hall (2000), ch. 7"
register(ReferenceProblem(
    name="erfc_predeposition", scale="thermal", source=_PDG,
    description="constant surface concentration 1e20 cm^-3, D = 2e-17 m²/s, 1 h: profile, "
                "junction depth and dose vs the erfc solution",
    run=_run_erfc))
register(ReferenceProblem(
    name="gaussian_drive_in", scale="thermal", source=_PDG,
    description="fixed-dose drive-in of a Gaussian (Q = 1e15 cm^-2), 2 h: dose, profile and "
                "junction depth vs C = Q/√(πDt) exp(−x²/4Dt)",
    run=_run_drive_in))


def deal_grove_thickness(t: float, T: float, *, wet: bool, x0: float = 0.0) -> float:
    """x² + A x = B(t + τ) with B = C1 e^{−E1/kT}, B/A = C2 e^{−E2/kT}/1.68 for (100) Si
    (Plummer et al. 2000 Table 6-2, from Deal & Grove 1965); m."""
    um2_h, um_h = 1e-12 / 3600.0, 1e-6 / 3600.0
    kT = K_B * T / EV
    C1, E1, C2, E2 = (386.0, 0.78, 1.63e8, 2.05) if wet else (772.0, 1.23, 6.23e6, 2.0)
    B = C1 * um2_h * math.exp(-E1 / kT)
    A = B / (C2 * um_h * math.exp(-E2 / kT) / 1.68)
    tau = (x0 * x0 + A * x0) / B
    return 0.5 * A * (math.sqrt(1 + 4 * B * (t + tau) / (A * A)) - 1)


def _run_deal_grove(ctx, quick):
    from ..thermal.oxidation import grow_oxide

    cases = [("dry", 1273.15, 3600.0, 0.0), ("wet", 1373.15, 1800.0, 0.0),
             ("dry", 1173.15, 7200.0, 20e-9)]
    out = []
    for amb, T, t, x0 in cases:
        x = grow_oxide(t, lambda s, T=T: T, ambient=amb, initial=x0)
        ref = deal_grove_thickness(t, T, wet=amb == "wet", x0=x0)
        out.append(Check(quantity=f"{amb} {T - 273.15:.0f} °C {t / 60:.0f} min, x0 = {x0 * 1e9:g} nm",
                         measured=x * 1e9, reference=ref * 1e9, tolerance=1e-6 * ref * 1e9,
                         unit="nm", basis="1e-6 relative (ODE tolerance)"))
    return out


register(ReferenceProblem(
    name="deal_grove", scale="thermal",
    source="B. E. Deal & A. S. Grove, J. Appl. Phys. 36, 3770 (1965); constants Plummer, Deal "
           "& Griffin (2000) Table 6-2",
    description="(100) Si oxide thickness: integrated dx/dt = B/(A + 2x) vs the closed form",
    run=_run_deal_grove))


def _run_stoney(ctx, quick):
    from ..mechanics import stoney_stress, thermal_mismatch_stress

    hs, hf, R = 725e-6, 1e-6, 50.0
    M_si = 180.5e9                      # Brantley (1973), Si(100) biaxial
    ref = M_si * hs ** 2 / (6 * hf * R)
    s = stoney_stress(1 / R, film_thickness=hf, substrate_thickness=hs)
    E, nu, af, as_ = 70e9, 0.17, 0.5e-6, 2.6e-6       # SiO2 film on Si, grown at 1000 °C
    ref_t = E / (1 - nu) * (as_ - af) * (300.0 - 1273.15)
    st = thermal_mismatch_stress(300.0, T0=1273.15, film_modulus=E, film_poisson=nu,
                                 alpha_film=af, alpha_substrate=as_)
    return [Check(quantity="Stoney σ_f (h_s 725 µm, h_f 1 µm, R 50 m)", measured=s / 1e6,
                  reference=ref / 1e6, tolerance=1e-12 * ref / 1e6, unit="MPa",
                  basis="1e-12 relative (closed form)"),
            Check(quantity="thermal mismatch σ, SiO2/Si 1000 °C -> 27 °C", measured=st / 1e6,
                  reference=ref_t / 1e6, tolerance=1e-12 * abs(ref_t) / 1e6, unit="MPa",
                  basis="1e-12 relative (closed form)")]


register(ReferenceProblem(
    name="stoney_stress", scale="mechanics",
    source="G. G. Stoney, Proc. R. Soc. A 82, 172 (1909); W. A. Brantley, J. Appl. Phys. 44, "
           "534 (1973)",
    description="film stress from curvature with M_s = 180.5 GPa; σ = M_f(α_s − α_f)ΔT",
    run=_run_stoney))


# --------------------------------------------------------------------------- TED
# TSUPREM-4 reference case (simulation, not measurement): MicrosystemsLab/PiezoD,
# lookupTableGeneration/TED_summary.md and simulation.template (n-Si 10 Ω·cm, 250 Å
# screen oxide, B 2e15 cm⁻² 20 keV 7° tilt with damage, 800 → 1000 °C in 45 min, 30 min,
# 1000 → 800 °C in 45 min): x_j = 0.880 µm with pd.5str + damage; FLOOXS Fermi-only
# 0.560 µm.
TSUPREM4_XJ_FIVE_STREAM = 0.880e-6
FLOOXS_XJ_FERMI = 0.560e-6


def tsuprem4_case_spec(model: str, *, quick: bool = False):
    """The TSUPREM-4 TED case as a ``thermal:`` section (``model`` of the anneal)."""
    from ..thermal import ThermalSpec

    numerics = {"mesh_check": False, "nodes_per_length": 8} if quick else {}
    return ThermalSpec.model_validate({
        "substrate": {"background": {"P": "1.4e15 cm^-3"}, "oxide": "25 nm"},
        "depth": "3 um", "numerics": numerics,
        "steps": [
            {"implant": {"dopant": "B", "dose": "2e15 cm^-2", "energy": "20 keV", "tilt": "7 deg"}},
            {"anneal": {"profile": [["0 min", "800 degC"], ["45 min", "1000 degC"],
                                    ["75 min", "1000 degC"], ["120 min", "800 degC"]],
                        "model": model, "calibration": "tsuprem4"}}]})


def _run_tsuprem4_case(ctx, quick):
    from ..thermal.run import metrics_of, simulate

    out = []
    for model, ref, tol, src in (("five_stream", TSUPREM4_XJ_FIVE_STREAM, 0.10,
                                  "TSUPREM-4 pd.5str + damage"),
                                 ("fermi", FLOOXS_XJ_FERMI, 0.25, "FLOOXS Fermi model")):
        m, _ = metrics_of(simulate(tsuprem4_case_spec(model, quick=quick)))
        out.append(Check(quantity=f"x_j, model {model} vs {src}", measured=m["junction_depth_m"] * 1e6,
                         reference=ref * 1e6, tolerance=tol * ref * 1e6, unit="µm",
                         basis=f"{tol:.0%} (issue acceptance; simulators differ in implant "
                               "tables and cluster models)"))
    return out


register(ReferenceProblem(
    name="tsuprem4_ted_case", scale="thermal",
    source="TSUPREM-4 and FLOOXS results of MicrosystemsLab/PiezoD (TED_summary.md, 2024); "
           "parameters: TSUPREM-4 User Guide Appendix A",
    description="B 2e15 cm^-2 20 keV through 25 nm oxide, ramped anneal to 1000 °C: junction "
                "depth with the five-stream model (vs TSUPREM-4 0.880 µm) and the Fermi model "
                "(vs FLOOXS 0.560 µm)",
    run=_run_tsuprem4_case))


def kim_enhancement_history(dose_cm2: float = 1e13, T_C: float = 1000.0, duration: float = 30.0):
    """(t, ∫ max(⟨D⟩ − ⟨D⟩*, 0) dt) of B 20 keV at ``dose_cm2`` annealed at T_C
    (five-stream; the positive part, so a late slight undersaturation does not count)."""
    from ..thermal.implant import implant_1d
    from ..thermal.mesh import Feature, Mesh, graded_nodes
    from ..thermal.pairs import hobler_moroz_plus_n
    from ..thermal.ted import five_stream_anneal

    z = graded_nodes(2e-6, [Feature(start=0.0, end=0.4e-6, h=2e-9)], ratio=1.05)
    mesh = Mesh(z=z, x=np.zeros(1))
    B = implant_1d(z, "B", dose_cm2 * 1e4, 20.0)
    T = T_C + 273.15
    res = five_stream_anneal(mesh, {"B": B, "P": np.full(z.size, 1.4e21)}, duration=duration,
                             temperature=lambda t: T,
                             excess=hobler_moroz_plus_n(10.81, 20.0) * B)
    t = res.times
    ex = np.maximum(res.mean_D["B"] - res.mean_D_eq["B"], 0.0)
    return t, np.concatenate([[0.0], np.cumsum(0.5 * np.diff(t) * (ex[1:] + ex[:-1]))])


def _run_kim(ctx, quick):
    t, cum = kim_enhancement_history()
    frac = float(np.interp(10.0, t, cum) / cum[-1])
    return [Check(quantity="fraction of the 30 s TED displacement accrued by 10 s "
                           "(B 1e13 cm^-2, 1000 °C)", measured=frac, reference=1.0,
                  tolerance=0.1, basis="Kim et al.: saturates within 10 s (>= 90 %)")]


register(ReferenceProblem(
    name="kim_ted_duration", scale="thermal",
    source="H. S. Kim, D. Lo, D. L. Kwong, A. F. Tasch & S. Novak, Appl. Phys. Lett. 56, "
           "1254 (1990)",
    description="five-stream TED of a 1e13 cm^-2 B implant at 1000 °C is over (90 % of the "
                "enhanced diffusion done) within 10 s",
    run=_run_kim))


# Solmi, Baruffaldi & Canteri, J. Appl. Phys. 69, 2135 (1991): early-phase TED diffusivity of
# implanted boron, 800-1000 °C (furnace and RTA), D = 2.2e-2 exp(-2.5 eV/kT) cm²/s.
SOLMI_D0_M2_S = 2.2e-2 * 1e-4
SOLMI_EA_EV = 2.5
SOLMI_CASES = ((800.0, 20000.0), (900.0, 1200.0), (1000.0, 60.0))   # (°C, anneal s)


def solmi_ted_diffusivity(T_C: float, duration: float, dose_cm2: float = 2e14):
    """(⟨D⟩_TED, Solmi's D, t90) in m²/s, m²/s, s: B ``dose_cm2`` at 20 keV annealed at T_C
    with the five-stream model; ⟨D⟩_TED = 0.9 ∫(⟨D⟩ − ⟨D⟩*) dt / t90, the time-averaged
    enhanced diffusivity over the time t90 in which 90 % of the TED displacement accrues."""
    from ..thermal.implant import implant_1d
    from ..thermal.mesh import Feature, Mesh, graded_nodes
    from ..thermal.pairs import hobler_moroz_plus_n
    from ..thermal.ted import five_stream_anneal

    z = graded_nodes(2e-6, [Feature(start=0.0, end=0.4e-6, h=2e-9)], ratio=1.05)
    mesh = Mesh(z=z, x=np.zeros(1))
    B = implant_1d(z, "B", dose_cm2 * 1e4, 20.0)
    T = T_C + 273.15
    r = five_stream_anneal(mesh, {"B": B, "P": np.full(z.size, 1.4e21)}, duration=duration,
                           temperature=lambda s: T, excess=hobler_moroz_plus_n(10.81, 20.0) * B)
    t, cum = r.enhancement_integral("B")
    t90 = float(t[np.searchsorted(cum, 0.9 * cum[-1])])
    solmi = SOLMI_D0_M2_S * math.exp(-SOLMI_EA_EV * EV / (K_B * T))
    return 0.9 * float(cum[-1]) / t90, solmi, t90


def _run_solmi(ctx, quick):
    out = []
    for T_C, dur in SOLMI_CASES[-1:] if quick else SOLMI_CASES:
        D, ref, _ = solmi_ted_diffusivity(T_C, dur)
        out.append(Check(quantity=f"TED ⟨D⟩ over t90, B 2e14 cm^-2 20 keV, {T_C:g} °C / Solmi's fit",
                         measured=D / ref, reference=1.0, tolerance=1.0,
                         basis="factor 2 (issue acceptance; Solmi's fit spans furnace and RTA "
                               "data of several doses)"))
    return out


register(ReferenceProblem(
    name="solmi_ted_diffusivity", scale="thermal",
    source="S. Solmi, F. Baruffaldi & R. Canteri, J. Appl. Phys. 69, 2135 (1991)",
    description="five-stream TED diffusivity of implanted B (2e14 cm^-2, 20 keV) averaged over "
                "the transient at 800, 900 and 1000 °C vs D = 2.2e-2 exp(-2.5 eV/kT) cm^2/s",
    run=_run_solmi))
