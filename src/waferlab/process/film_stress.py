"""Film stress and wafer bow along a process flow (Stoney).

After every step the runner calls :func:`track_films`: a film material that appears on
the wafer is recorded with the temperature at which it became stress-free (a thermal
oxide: its growth temperature; a deposited film: 300 K, i.e. only its intrinsic stress)
and its intrinsic stress; an anneal or oxidation hotter than SiO2's viscous-flow
temperature (≈ 960 °C, EerNisse, Appl. Phys. Lett. 35, 8, 1979) relaxes the oxide
films, which then freeze stress-free at that temperature on cooling.  Elastic thermal
mismatch is path independent, so the stress at the measuring temperature T_m (300 K)
is

    σ_f = σ_intrinsic + M_f (α_Si − α_f)(T_m − T_free),   M_f = E_f/(1 − ν_f),

and the wafer curvature of the thin-film stack adds film by film (Stoney, Proc. R. Soc.
A 82, 172, 1909; Freund & Suresh, *Thin Film Materials*, 2003, §2.3)

    κ = 6 Σ σ_f t_f / (M_s h_s²),   bow δ = κ D²/8,

with t_f the blanket-equivalent thickness (the film's amount in the simulated cell over
its lateral area), M_s = 180.5 GPa (Si(100), Brantley 1973), h_s = 775 µm and D = 300 mm
(a 300 mm wafer), α_Si = 2.6e-6 /K (Okada & Tokumaru, J. Appl. Phys. 56, 314, 1984).
Film constants (``FILM_CONSTANTS``): SiO2 (and the generic oxide-like ``Mask``) E 72 GPa,
ν 0.17, α 0.5e-6 /K (fused silica); Si3N4 (LPCVD) E 250 GPa, ν 0.23, α 3.2e-6 /K and an
intrinsic tensile stress of 1.2 GPa (Temple-Boyer et al., J. Vac. Sci. Technol. A 16,
2003, 1998).  Resist and polymer films are compliant and left out; other materials carry
no stress.  metrics.json: ``film_stress_Pa`` per material, ``wafer_curvature_per_m``,
``wafer_bow_m``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..mechanics.stress import SI100_BIAXIAL_MODULUS, Film, bow, stack_curvature
from .registry import HeatTreatment

__all__ = ["FILM_CONSTANTS", "FilmConstants", "track_films", "stress_metrics", "FIELD"]

FIELD = "film_stack"
T_MEASURE = 300.0
SUBSTRATE_THICKNESS = 775e-6
WAFER_DIAMETER = 0.300
ALPHA_SI = 2.6e-6
T_SIO2_FLOW = 1233.15          # K: SiO2 flows viscously above ≈ 960 °C (EerNisse 1979)
COMPLIANT = ("Resist", "Polymer")


@dataclass(frozen=True, kw_only=True)
class FilmConstants:
    modulus: float          # Pa
    poisson: float
    alpha: float            # 1/K
    intrinsic: float = 0.0  # Pa (deposited film)


_OXIDE = FilmConstants(modulus=72e9, poisson=0.17, alpha=0.5e-6)
FILM_CONSTANTS: dict[str, FilmConstants] = {
    "SiO2": _OXIDE,
    "Mask": _OXIDE,
    "Si3N4": FilmConstants(modulus=250e9, poisson=0.23, alpha=3.2e-6, intrinsic=1.2e9),
}


def _records(wafer) -> list[dict]:
    for k, v in reversed(wafer.fields):
        if k == FIELD:
            return [dict(r) for r in v]
    return []


def _peak_temperature(step) -> float | None:
    if step.kind not in ("anneal", "oxidize") or not isinstance(step, HeatTreatment):
        return None
    spec = step.spec
    if spec.profile:
        return float(max(p[1] for p in spec.profile))
    assert spec.temperature is not None      # check_program: temperature/time or a profile
    return float(spec.temperature)


def track_films(wafer, step=None):
    """The wafer with its film records brought up to date after ``step`` (None: the
    initial structure)."""
    recs = _records(wafer)
    known = {r["material"] for r in recs}
    T = _peak_temperature(step) if step is not None else None
    changed = False
    if T is not None and T > T_SIO2_FLOW:
        for r in recs:
            if r["material"] == "SiO2" and r["T_free_K"] != T_SIO2_FLOW:
                r.update(T_free_K=T_SIO2_FLOW, intrinsic_Pa=0.0)
                changed = True
    substrate = wafer.materials[0] if wafer.materials else None
    for m in wafer.materials[1:]:
        if m in known or m == substrate or m in COMPLIANT:
            continue
        c = FILM_CONSTANTS.get(m)
        grown = step is not None and step.kind == "oxidize" and m == "SiO2"
        recs.append({"material": m,
                     "T_free_K": min(T, T_SIO2_FLOW) if grown and T else T_MEASURE,
                     "intrinsic_Pa": 0.0 if (grown or c is None) else c.intrinsic})
        known.add(m)
        changed = True
    if not changed:
        return wafer
    from dataclasses import replace

    return replace(wafer, fields=tuple(f for f in wafer.fields if f[0] != FIELD)
                   + ((FIELD, recs),))


def stress_metrics(wafer, *, floor: float | None = None) -> dict[str, Any]:
    """Film stresses at 300 K, the stack's curvature and the bow of a 300 mm wafer;
    {} without films."""
    recs = _records(wafer)
    if not recs:
        return {}
    g = wafer.geometry
    area = float(np.prod(g.grid.extent))
    amounts = g.amounts(floor=floor)
    films, stresses = [], {}
    for r in recs:
        c = FILM_CONSTANTS.get(r["material"])
        t = amounts.get(r["material"], 0.0) / area
        if c is None or t <= 0:
            continue
        f = Film(thickness=t, intrinsic_stress=r["intrinsic_Pa"], modulus=c.modulus,
                 poisson=c.poisson, alpha=c.alpha, T_deposit=r["T_free_K"])
        films.append(f)
        stresses[r["material"]] = f.stress(T_MEASURE, ALPHA_SI)
    if not films:
        return {}
    kappa = stack_curvature(films, T_MEASURE, substrate_thickness=SUBSTRATE_THICKNESS,
                            substrate_modulus=SI100_BIAXIAL_MODULUS, alpha_substrate=ALPHA_SI)
    return {"film_stress_Pa": stresses, "wafer_curvature_per_m": kappa,
            "wafer_bow_m": bow(kappa, WAFER_DIAMETER)}
