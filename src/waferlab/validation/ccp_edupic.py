"""A published argon CCP benchmark for the 2D CCP (``source.type: ccp``, ``model: fluid2d``):
the reference case of the eduPIC particle-in-cell/Monte Carlo code.

Reference: Z. Donkó, A. Derzsi, M. Vass, B. Horváth, S. Wilczek, B. Hartmann and P. Hartmann,
"eduPIC: an introductory particle based code for radio-frequency plasma simulation",
Plasma Sources Sci. Technol. 30, 095017 (2021) — its reference case (Figs. 9–13), whose raw
data the authors publish with the code (github.com/donkozoltan/eduPIC,
``C/ReferenceCase_RawData``, commit e5d7078).  Conditions: argon, plane-parallel electrodes
L = 2.5 cm apart, p = 10 Pa (75.0 mTorr), T_gas = 350 K, 13.56 MHz, V(t) = 250 V cos ωt on one
electrode, the other grounded (symmetric: no self-bias); electrons absorbed at the electrodes
(no secondary emission, no reflection); e⁻/Ar cross sections of Phelps & Petrović
(Plasma Sources Sci. Technol. 8, R21, 1999), Ar⁺/Ar isotropic and backward (charge-transfer)
scattering of Phelps (J. Appl. Phys. 76, 747, 1994).  1d3v: no radial loss.

The numbers below are computed from those raw files (this module's docstring gives how):

- ``n_peak_m3``: the time-averaged electron density at mid-gap (Figure10_density.dat, max of
  column 2; the ion density there is 7.428e15);
- ``power_W_m2``: the absorbed power per electrode area, ⟨j·E⟩ averaged over space and time
  (Figure11g/h, ``powere_xt``/``poweri_xt``, W/m³) times L: electrons 39.6 + ions 82.1 = 121.7 W/m²
  (what ``power_absorbed_by: discharge`` counts: electron heating + the ions' energy gain);
- ``ion_flux_m2s``: the time-averaged ion current density at the electrode grid cell
  (Figure11f, ``ji_xt``) over e: 2.29e18 at each electrode (the gap's ionisation,
  Figure11k, integrates to 4.63e18 = 2 × 2.32e18);
- ``ion_energy_mean_eV``: the mean of the ion flux–energy distribution at the powered electrode
  (Figure13_ifed.dat, 1 eV bins; ``IFED_POWERED``): 33.46 eV (grounded: 33.42);
- ``plasma_potential_V``: the time-averaged potential at mid-gap (Figure11c): 111.7 V;
- ``rf_current_A_m2``: amplitude of the fundamental of the electron conduction current density
  at mid-gap (Figure11e): 22.2 A/m²;
- ``mean_electron_energy_eV``: at mid-gap, time-averaged (Figure11i; also the mean of the
  Figure12 EEPF): 1.54 eV, i.e. an "effective temperature" ⅔⟨ε⟩ = 1.03 eV; the EEPF's slope
  between 1 and 10 eV corresponds to 1.89 eV (``eepf_slope_T_eV``): the EEPF is not Maxwellian
  (a cold bulk population below the ~11.5 eV excitation threshold, the Ramsauer minimum of
  argon, Godyak & Piejak, Phys. Rev. Lett. 65, 996, 1990).

What a fluid model with a Maxwellian EEDF is expected to reach against such a kinetic benchmark
(the tolerances of tests/reactor/fluid2d/test_ccp_edupic.py, set before the comparison):
the plasma density within a factor 2 (fluid closures against PIC at ≈ 10 Pa differ by this
much in the published fluid/PIC comparisons; the model's Bohm loss ∝ n√T_e makes n follow
1/√T_e, so the T_e error below alone moves n by up to 1.6), the ion flux (= the gap's
ionisation) within a factor 2, the RF voltage at matched power within 30 % (a sheath closure
of the collisional Lieberman sheath), the mean ion energy at the electrode within 30 % (the
charge-exchange Monte Carlo through the model's sheath); T_e is compared with the EEPF slope
and reported, not asserted (a single Maxwellian T_e has no counterpart in a two-temperature EEPF).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["CITATION", "EduPICCase", "EDUPIC", "IFED_POWERED", "edupic_spec", "compare", "ifed_stats"]

CITATION = ("Z. Donkó, A. Derzsi, M. Vass, B. Horváth, S. Wilczek, B. Hartmann, P. Hartmann, "
            "Plasma Sources Sci. Technol. 30, 095017 (2021) (eduPIC reference case, raw data of Figs. 9-13)")


@dataclass(frozen=True)
class EduPICCase:
    """Conditions and reference results of the eduPIC reference case (SI, energies in eV)."""

    gap_m: float = 0.025
    pressure_Pa: float = 10.0
    gas_temperature_K: float = 350.0
    frequency_Hz: float = 13.56e6
    voltage_amplitude_V: float = 250.0
    n_peak_m3: float = 7.420e15
    power_W_m2: float = 121.7
    power_electrons_W_m2: float = 39.6
    power_ions_W_m2: float = 82.1
    ion_flux_m2s: float = 2.29e18
    ion_energy_mean_eV: float = 33.46
    ion_energy_median_eV: float = 26.5
    plasma_potential_V: float = 111.7
    rf_current_A_m2: float = 22.2
    mean_electron_energy_eV: float = 1.54
    eepf_slope_T_eV: float = 1.89


EDUPIC = EduPICCase()

# Ion flux-energy distribution at the powered electrode: fraction of the ions in [k, k + 1) eV,
# k = 0 … 119 (none above 120 eV); Figure13_ifed.dat, column 2.
IFED_POWERED = np.array([
    0.021284, 0.018890, 0.018786, 0.019282, 0.020597, 0.022876, 0.028583, 0.032590, 0.026527, 0.021185,
    0.018100, 0.017045, 0.016371, 0.015792, 0.015189, 0.014618, 0.014411, 0.013994, 0.013960, 0.014109,
    0.015135, 0.014821, 0.015263, 0.017066, 0.021346, 0.023777, 0.021875, 0.018046, 0.014601, 0.012645,
    0.011698, 0.011041, 0.010623, 0.010119, 0.009337, 0.009164, 0.008994, 0.008754, 0.008399, 0.008403,
    0.008270, 0.008469, 0.008684, 0.008800, 0.009569, 0.010814, 0.013394, 0.014126, 0.013915, 0.011368,
    0.009230, 0.007729, 0.006840, 0.006120, 0.005806, 0.005520, 0.005322, 0.005004, 0.004933, 0.004888,
    0.004838, 0.004987, 0.004987, 0.005078, 0.006269, 0.006860, 0.007278, 0.007439, 0.006827, 0.006864,
    0.005558, 0.004917, 0.003759, 0.003560, 0.003006, 0.003068, 0.003072, 0.003213, 0.003689, 0.004139,
    0.003817, 0.003573, 0.003370, 0.003449, 0.003556, 0.003618, 0.003387, 0.003325, 0.002895, 0.002481,
    0.002403, 0.002254, 0.002014, 0.002237, 0.002241, 0.002134, 0.002572, 0.002618, 0.002274, 0.001989,
    0.001815, 0.001638, 0.001712, 0.001770, 0.001658, 0.001526, 0.001443, 0.001042, 0.001005, 0.000943,
    0.000914, 0.000765, 0.000629, 0.000703, 0.000703, 0.000562, 0.000529, 0.000509, 0.000331, 0.000091])


def ifed_stats(edges_eV: np.ndarray, fraction: np.ndarray) -> dict[str, float]:
    """Mean (bin centres), median, and the fractions below 10 eV and above 100 eV of a
    histogram given by its bin ``edges_eV`` and per-bin ``fraction`` (normalised here)."""
    f = np.asarray(fraction, float) / float(np.sum(fraction))
    e = np.asarray(edges_eV, float)
    c = 0.5 * (e[1:] + e[:-1])
    cum = np.concatenate([[0.0], np.cumsum(f)])
    return {"mean_eV": float((c * f).sum()), "median_eV": float(np.interp(0.5, cum, e)),
            "below_10eV": float(np.interp(10.0, e, cum)), "above_100eV": float(1.0 - np.interp(100.0, e, cum))}


def edupic_spec(*, power_W_m2: float = EDUPIC.power_W_m2, radius_m: float = 0.3, mesh: tuple[int, int] = (16, 16),
                ccp: dict | None = None, eedf: str = "maxwellian"):
    """The eduPIC case as a 2D CCP recipe: equal electrodes of radius ``radius_m`` filling the
    chamber (``rf_return: electrode``: symmetric, no self-bias), the gap, pressure and gas
    temperature of the benchmark (no gas heating: the PIC's gas is at 350 K), and the absorbed
    power ``power_W_m2`` × the electrode area.  A large radius makes the radial loss small
    (the PIC is 1D); the comparison uses the centre column.  ``eedf``: ``reactor.eedf``
    (``boltzmann``: the local mean-energy tables of :mod:`..reactor.fluid2d.ccp_eedf`)."""
    from ..reactor.spec import ReactorSpec
    from ..recipe_io import validate_section

    R = radius_m
    c = EDUPIC
    return validate_section(ReactorSpec, {
        "model": "fluid2d", "eedf": eedf,
        "chamber": {"radius": f"{R} m", "length": f"{c.gap_m} m", "wafer_radius": f"{R / 2} m"},
        "gas_temperature": f"{c.gas_temperature_K} K", "pressure": f"{c.pressure_Pa} Pa", "gases": {"Ar": "50 sccm"},
        "source": {"type": "ccp", "power": f"{power_W_m2 * math.pi * R * R} W"},
        "fluid2d": {"ccp": {"gap": f"{c.gap_m} m", "electrode_radius": f"{R} m", "frequency": f"{c.frequency_Hz} Hz",
                            "rf_return": "electrode", **(ccp or {})},
                    "mesh": {"nr": mesh[0], "nz": mesh[1]}, "gas_heating": False}}, "reactor")


def compare(res, ions=None) -> dict[str, tuple[float, float]]:
    """{quantity: (ours, eduPIC)} for a solved CCP ``res`` (:func:`..reactor.fluid2d.ccp.solve_ccp`
    of :func:`edupic_spec`) and optionally its wafer ions (:func:`..reactor.fluid2d.ccp_output.wafer_ions`):
    the centre column's peak density, T_e there (against the EEPF's 1–10 eV slope), the RF
    voltage between the plates, the centre's ion flux, the RF current, the mean sheath drop + T_e/2
    against the mid-gap potential, the power per area; with ions the centre column's mean ion energy."""
    from ..constants import PI

    h, c = res.heating, EDUPIC
    k = int(np.argmax(res.n_e[0]))
    area = PI * res.setup.electrode_radius ** 2
    out = {"n_peak_m3": (float(res.n_e[0].max()), c.n_peak_m3),
           "T_e_eV": (float(res.T_e[0, k]), c.eepf_slope_T_eV),
           "rf_voltage_V": (float(h.V_T), c.voltage_amplitude_V),
           "ion_flux_m2s": (float(res.ion_flux_wafer[0]), c.ion_flux_m2s),
           "rf_current_A_m2": (float(h.J1[0]), c.rf_current_A_m2),
           "plasma_potential_V": (float(h.Vbar_bottom[0] + 0.5 * res.T_e[0, 0]), c.plasma_potential_V),
           "power_W_m2": (float(res.absorbed_power / area), c.power_W_m2),
           "power_ions_W_m2": (float(h.ion_power / area), c.power_ions_W_m2)}
    if ions is not None:
        out["ion_energy_mean_eV"] = (float(ions.mean_energy_eV[0]), c.ion_energy_mean_eV)
    return out
