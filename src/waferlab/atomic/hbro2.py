"""HBr/O2 etching of silicon: bromine etching with oxygen passivation.

The site balance and rates are those of SF6/O2 (``atomic.sf6o2``; Belen et al.,
J. Vac. Sci. Technol. A 23, 99, 2005) with bromine as the etchant, as ViennaPS's
``HBrO2Etching`` (``psHBrO2Etching.hpp``: the ``PlasmaEtching`` surface model with its
own defaults).  With Γ_E, Γ_O the incident Br and O fluxes:

    θ_E, θ_O  from  Γ_E (1 − θ_E − θ_O) = (kσ + 2 (YΓ)_ie) θ_E
                    Γ_O (1 − θ_E − θ_O) = (βσ + (YΓ)_O) θ_O
    ER_Si   = (kσ θ_E / 4 + (YΓ)_sp + (YΓ)_ie θ_E) / ρ_Si
    ER_mask = (YΓ)_sp,mask / ρ_mask

What differs from SF6/O2 is the heavier, less reactive etchant: Br sticks less
(β_E = 0.1 on Si and the mask instead of 0.7), ion-enhanced etching is weaker
(A_ie = 5 instead of 7), and physical sputtering of Si by the Br-containing ions is
stronger with a higher threshold (A_sp = 0.5, E_th,sp = 30 eV instead of 0.0337, 20 eV);
the mask keeps E_th,sp = 20 eV.  Ion-enhanced thresholds follow Steinbrüchel's form
(Appl. Phys. Lett. 55, 1960, 1989).  These are the peer's default parameters, in SI.
"""
from __future__ import annotations

from dataclasses import dataclass

from .sf6o2 import SF6O2Parameters

__all__ = ["HBrO2Parameters"]


@dataclass(frozen=True, kw_only=True)
class HBrO2Parameters(SF6O2Parameters):
    """``SF6O2Parameters`` with ViennaPS 4.7's ``HBrO2Etching`` defaults (SI)."""

    etchant_sticking: float = 0.1
    A_sp: float = 0.5
    E_th_sp_eV: float = 30.0
    E_th_sp_mask_eV: float | None = 20.0
    A_Si: float = 5.0
