"""Erosion of masks and resists in a plasma: physical sputtering plus O-atom ashing.

A mask material m recedes at

    ER_m = Γ_i ⟨Y_sp,m⟩ / ρ_m  +  V_O,m · Γ_O                                  (m/s)

Γ_i ⟨Y_sp,m⟩: yield-weighted ion flux with the Steinbrüchel law
Y = A(√E − √E_th)(1 + B sin²θ) cos θ (``yields.IonYield``, angular law "sputter");
ρ_m: atom density; Γ_O: O-atom flux arriving on the mask; V_O,m: volume of material
removed per incident O atom (the "erosion yield" of the atomic-oxygen literature).

Organic materials (Resist, Polymer) are ashed by O atoms.  The default V_O is the
reference erosion yield of polyimide (Kapton H), 3.0e-24 cm³ per O atom (Banks,
de Groh & Miller, NASA/TM-2004-213223, 2004; ASTM E2089), measured with ~4.5 eV
directed O atoms; thermal O atoms of a plasma react more slowly on a cold wafer
(reaction probabilities 1e-5–1e-3 depending on temperature and ion bombardment,
Hartney, Hess & Soane, J. Vac. Sci. Technol. B 7, 1, 1989), so the default is an upper
estimate to be calibrated (docs/etch-models.md, "Mask and resist erosion").  Inorganic
hard masks are not ashed.

Sputtering: ``Mask`` keeps the peer's (ViennaPS ``SF6O2Etching``) coefficient
A = 0.0139, E_th = 20 eV, B = 9.3 and its density 5e30 m⁻³ (so the generic hard mask
hardly moves, as in the peer).  Resist and Polymer use the same A, E_th and B with their
own atom density (materials table, 1e28 m⁻³): a sputter rate ~500× the hard mask's.
No published Steinbrüchel fit for photoresist is adopted; the recipe can replace them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .ion_enhanced import IonBeam
from .yields import IonYield

__all__ = ["MaskErosion", "ORGANIC", "KAPTON_O_EROSION_YIELD", "PEER_MASK_YIELD",
           "PEER_MASK_DENSITY", "default_mask_erosion", "flat_mask_erosion_rate"]

KAPTON_O_EROSION_YIELD = 3.0e-30      # m³ per O atom (3.0e-24 cm³/atom, Banks et al. 2004)
PEER_MASK_YIELD = IonYield(A=0.0139, threshold_eV=20.0, angular="sputter", B=9.3)
PEER_MASK_DENSITY = 5.0e30            # m⁻³ (ViennaPS SF6O2Etching mask density)
ORGANIC = ("Resist", "Polymer")       # materials ashed by O atoms


@dataclass(frozen=True, kw_only=True)
class MaskErosion:
    """Erosion law of one mask material: ER = Γ_i⟨Y_sp⟩/ρ + V_O Γ_O.

    sputter        IonYield of physical sputtering
    density        ρ, atom density (m⁻³)
    o_erosion      V_O, volume removed per incident O atom (m³); 0: not ashed
    """

    sputter: IonYield
    density: float
    o_erosion: float = 0.0

    def __post_init__(self):
        if not (np.isfinite(self.density) and self.density > 0):
            raise ValueError(f"MaskErosion.density = {self.density} must be > 0")
        if not (np.isfinite(self.o_erosion) and self.o_erosion >= 0):
            raise ValueError(f"MaskErosion.o_erosion = {self.o_erosion} must be >= 0")

    def rate(self, yield_flux, o_flux):
        """ER (m/s) from the yield-weighted ion flux Γ_i⟨Y⟩ and the O flux (m⁻²s⁻¹)."""
        return np.asarray(yield_flux) / self.density + self.o_erosion * np.asarray(o_flux)


def default_mask_erosion(material: str, atom_density: float) -> MaskErosion:
    """The default law of ``material`` (see the module docstring)."""
    if material == "Mask":
        return MaskErosion(sputter=PEER_MASK_YIELD, density=PEER_MASK_DENSITY)
    return MaskErosion(sputter=PEER_MASK_YIELD, density=atom_density,
                       o_erosion=KAPTON_O_EROSION_YIELD if material in ORGANIC else 0.0)


def flat_mask_erosion_rate(law: MaskErosion, beam: IonBeam, *, ion_flux, o_flux) -> float:
    """ER on an open horizontal surface: Γ_i ⟨Y_sp⟩_beam / ρ + V_O Γ_O."""
    return float(law.rate(ion_flux * beam.flat_yield(law.sputter), o_flux))
