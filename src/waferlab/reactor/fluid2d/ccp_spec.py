"""Recipe keys of the 2D capacitively coupled (parallel-plate) reactor, ``reactor.fluid2d.ccp:``.

```yaml
reactor:
  model: fluid2d
  source: {type: ccp, power: 100 W}      # power absorbed by the electrons (ohmic + stochastic)
  chamber: {radius: 15 cm, length: 4 cm, wafer_radius: 10 cm}
  fluid2d:
    ccp: {gap: 4 cm, electrode_radius: 15 cm, frequency: 13.56 MHz, rf_return: chamber, sheath: auto}
    mesh: {nr: 16, nz: 16}
```
``gap`` (default: the chamber length) is the distance of the powered electrode, which holds
the wafer at z = 0, from the grounded top electrode; ``electrode_radius`` (default: the
chamber radius) the powered electrode's radius.  ``power_absorbed_by``: ``discharge`` (default)
— ``source.power`` is what the discharge absorbs, electrons (ohmic + stochastic heating) and
ions (their sheath energy, Lieberman & Lichtenberg 2005 §11.2); ``electrons`` — the electrons
alone, the convention of ``model: global``.  ``rf_return``: which grounded surfaces carry
the RF current back — ``chamber`` (default: the top electrode, the metal side wall and the
bottom ring outside the powered electrode; their larger area gives the powered electrode a
negative DC self-bias, L&L §11.4) or ``electrode`` (the top electrode alone, as behind an
insulating confinement ring; equal electrodes: no self-bias).  ``sheath``: the RF sheath law —
``auto`` (default: collisional where the ions' mean free path is shorter than the sheath of the
homogeneous model, λ_i < s_m), ``collisionless`` (Lieberman 1988) or ``collisional``
(Lieberman 1989).  ``mean_voltage``: the sheaths' time-averaged drop V̄ — ``series``
(default: the waveform of two sheaths in series driven by a sinusoidal voltage,
:func:`..sheath_rf.sheath_pair`: V̄/V₁ from 0.79–0.85 for equal sheaths to 1 for a dominant
powered sheath; docs/reactor.md) or ``sinusoidal`` (each sheath voltage V̄ + V₁ sin ωt,
V̄ = V₁ + a few T_e at V₁ ≫ T_e: the dominant-powered-sheath limit of ``series``).
``ion_cross_section`` (collisional sheaths' ion Monte Carlo): ``constant`` (default: the
chemistry's σ_i at every energy, all charge exchange) or ``phelps`` (argon only: charge exchange
and isotropic scattering with the energy-dependent Ar⁺/Ar cross sections of Phelps, J. Appl.
Phys. 76, 747, 1994; :func:`..iedf_mc.phelps_ar_ion_cross_sections`).
``electrons``: ``local`` (default: the electron energy equation with the rates of ``reactor.eedf``)
or ``nonlocal`` (the EEDF of the centre column as a function of total energy, Kortshagen, Busch &
Tsendin 1996: :mod:`waferlab.reactor.fluid2d.ccp_nonlocal`; argon uses Phelps & Petrović's
electron cross sections; not with ``eedf: boltzmann``).
The checks against the chamber are made
when the model is built (:func:`waferlab.reactor.fluid2d.ccp.build_ccp`).
"""
from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from ...recipe_io import SpecModel
from ...units import Frequency, Length

__all__ = ["CCPSettings"]


class CCPSettings(SpecModel):
    """Parallel plates: electrode ``gap``, powered ``electrode_radius``, RF ``frequency``, and
    what ``source.power`` counts (``power_absorbed_by``), the RF return path (``rf_return``),
    the sheath law (``sheath``), the sheaths' mean-voltage model (``mean_voltage``) and the ion
    Monte Carlo's cross section (``ion_cross_section``)."""

    gap: Length | None = None
    electrode_radius: Length | None = None
    frequency: Frequency = 13.56e6
    power_absorbed_by: Literal["discharge", "electrons"] = "discharge"
    rf_return: Literal["chamber", "electrode"] = "chamber"
    sheath: Literal["auto", "collisionless", "collisional"] = "auto"
    mean_voltage: Literal["sinusoidal", "series"] = "series"
    ion_cross_section: Literal["constant", "phelps"] | None = None
    electrons: Literal["local", "nonlocal"] = "local"

    @model_validator(mode="after")
    def _check(self):
        for key in ("gap", "electrode_radius", "frequency"):
            v = getattr(self, key)
            if v is not None and v <= 0:
                raise ValueError(f"{key} = {v:g} must be > 0")
        return self
