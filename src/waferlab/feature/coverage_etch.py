"""Coverage-coupled ion-enhanced etching for any chemistry: the model behind ``hbro2``
and ``cf4o2``.

The chemistry (``waferlab.atomic.kinetics.CoverageChemistry``: its neutrals, ion-yield
channels and rate expressions) is the physics; this model is the feature-scale rest,
traced through ``transport.TracedTransport``:

    Γ_n   = Γ_n,src · incident_n                      (each neutral n, cosine source)
    (YΓ)_c = Γ_i,src · ⟨Y_c⟩_hits   (per hit: each ion ray scores its own energy and
             incidence angle, ``Species.yield_channels``)  or
           = Γ_i,src · incident_i · ⟨Y_c⟩(α)  (beam: the direct beam's yield on a plane
             tilted by α, ``atomic.yields.beam_incidence_table``)
    θ, R  = chemistry.rates(Γ, (YΓ)),   V_n = −R / ρ   on the etched materials

Masks erode by their own sputter yield and, if organic, by ashing with the chemistry's
oxidant flux (``atomic.mask_erosion``); other materials do not move.  The neutrals'
sticking per element is the chemistry's S_n(material, θ_e): on the first trace with an
open flat surface's coverages, then with each element's own coverages
(``RayTracing.coverage_iterations``, ``lagged_coverages``), as the peer does.
Ions: sticking ``ion_sticking`` (angle table; ``VIENNAPS_ION_STICKING`` for the
``PlasmaEtching`` family, 0 for CF4O2), the rest re-emitted into the peer's coned lobe
with its energy-loss law, stopping at ``energy_cutoff_eV``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping

import numpy as np

from ..atomic.ion_enhanced import IonBeam
from ..atomic.kinetics import CoverageChemistry
from .etch_models import MaskSputter, direct_beam_table, incident_fields
from .flux.engine import SpeciesFlux
from .modes import IonLobe, IonScoring
from .flux.ions import VIENNAPS_ION_ENERGY_LOSS
from .flux.sources import VIENNAPS_ION_CONE, Species
from .flux.transport import Evaluation, SurfaceRates
from .small_elements import pool_small_elements

__all__ = ["CoverageEtch", "NO_ION_STICKING"]

NO_ION_STICKING = ((0.0, float(np.pi / 2)), (0.0, 0.0))   # ions re-emitted at every hit
_BOUND = 1.5


@dataclass(frozen=True, kw_only=True)
class CoverageEtch:
    """A coverage-coupled etch model (``transport.SurfaceModel``, ``CoverageCoupled``,
    ``Selective``) for the chemistry ``chemistry``.

    beam, ion_flux      ion energy/angle distribution and source flux (m⁻²s⁻¹)
    neutral_fluxes      {neutral: source flux (m⁻²s⁻¹)}; 0 or absent: not traced
    etched, masks       materials etched by the chemistry / eroded as masks
    materials           the wafer's material names (indices of the material arrays)
    ion_sticking        None: ions stick on their first hit; (θ, g) table: sticking g(θ),
                        the rest re-emitted (``ion_lobe`` "cone" or "specular")
    ion_scoring         "per_hit" or "beam" (module docstring)
    energy_cutoff_eV    re-emitted ions stop at or below it (per-hit scoring); None:
                        min(E_th,ie, E_th,sp) of the chemistry (the peers' rule)
    """

    chemistry: CoverageChemistry
    beam: IonBeam
    ion_flux: float
    neutral_fluxes: Mapping[str, float]
    etched: tuple[str, ...]
    masks: Mapping[str, MaskSputter] = field(default_factory=dict)
    materials: tuple[str, ...]
    ion_sticking: tuple | None = None
    ion_lobe: str = IonLobe.CONE
    ion_scoring: str = IonScoring.PER_HIT
    energy_cutoff_eV: float | None = None
    name: str = "coverage_etch"
    evaluation: ClassVar[Evaluation] = Evaluation.ELEMENTS
    _yields: dict = field(init=False, repr=False, compare=False)
    _tables: dict = field(init=False, repr=False, compare=False)
    _ion: list = field(init=False, repr=False, compare=False, default_factory=list)

    def __post_init__(self):
        if self.ion_scoring not in tuple(IonScoring):
            raise ValueError(f"ion_scoring = {self.ion_scoring!r}; allowed: per_hit, beam")
        unknown = set(self.neutral_fluxes) - set(self.chemistry.neutrals)
        if unknown:
            raise ValueError(f"neutral_fluxes {sorted(unknown)}: the chemistry traces "
                             f"{self.chemistry.neutrals}")
        yields = dict(self.chemistry.channels())
        yields.update({f"mask:{m}": ms.yield_ for m, ms in self.masks.items()})
        object.__setattr__(self, "_yields", yields)
        object.__setattr__(self, "_tables", {})

    def _table(self, key: str, flat: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(α, ⟨Y⟩(α)) of the direct beam for channel ``key`` (:func:`direct_beam_table`)."""
        return direct_beam_table(self._tables, self._yields, self.beam, key, flat)

    # ------------------------------------------------------------------ kinetics
    def _names(self, mats) -> np.ndarray:
        names = np.array(self.materials + ("",))
        mats = np.asarray(mats, int)
        return names[np.where((mats >= 0) & (mats < len(self.materials)), mats, -1)]

    def yield_at(self, key: str, tilt) -> np.ndarray:
        if np.ndim(tilt) == 0 and tilt == 0.0:      # an open flat surface
            return self._table(key, flat=True)[1][0]
        alpha, y = self._table(key)
        return np.interp(tilt, alpha, y)

    def yield_channels(self) -> dict[str, dict]:
        """{channel: {material: IonYield}}: "sp" on the etched materials (masks: their
        own yield), the other channels on every material (they enter the coverages)."""
        ch = {c: {m: y for m in self.materials} for c, y in self.chemistry.channels().items()
              if c != "sp"}
        sp = {m: self.chemistry.channels()["sp"] for m in self.etched}
        sp.update({m: ms.yield_ for m, ms in self.masks.items()})
        return {"sp": sp, **ch}

    def _ions(self, fields, tilt, per_hit: bool) -> dict[str, np.ndarray]:
        if per_hit:
            return {c: self.ion_flux * np.asarray(fields[f"Y:{c}"], float)
                    for c in self.chemistry.channels()}
        gi = self.ion_flux * np.asarray(fields["ion"], float)
        return {c: gi * self.yield_at(c, tilt) for c in self.chemistry.channels()}

    def element_speeds(self, fields: Mapping[str, np.ndarray], tilt, mats, *,
                       per_hit: bool | None = None) -> tuple[np.ndarray, dict]:
        """Speed (m/s, ≤ 0) and coverages from relative fields per element: the per-hit
        yields "Y:<channel>" (``per_hit``, default: ``ion_scoring`` is "per_hit") or the
        relative ion flux "ion" times the direct beam's yield at the tilt."""
        mats = np.asarray(mats)
        per_hit = self.ion_scoring == IonScoring.PER_HIT if per_hit is None else per_hit
        neutral = {n: self.neutral_fluxes.get(n, 0.0) * np.asarray(fields[n], float)
                   for n in self.chemistry.neutrals}
        ion = self._ions(fields, tilt, per_hit)
        R, theta = self.chemistry.rates(neutral, ion)
        v = np.zeros(len(mats))
        mname = self._names(mats)
        et = np.isin(mname, self.etched)
        v[et] = -np.broadcast_to(R / self.chemistry.density, v.shape)[et]
        ox = self.chemistry.oxidant
        for m, ms in self.masks.items():
            sel = mname == m
            if per_hit:
                ym = np.broadcast_to(ion["sp"], v.shape)
            else:
                ym = self.ion_flux * np.asarray(fields["ion"], float) * self.yield_at(
                    f"mask:{m}", tilt)
            v[sel] = -ym[sel] / ms.density
            if ms.o_erosion > 0 and ox is not None:
                v[sel] -= ms.o_erosion * np.broadcast_to(neutral[ox], v.shape)[sel]
        return v, {k: np.broadcast_to(t, v.shape) for k, t in theta.items()}

    def _flat_fields(self, n: int = 1) -> dict[str, np.ndarray]:
        f = {nm: np.ones(n) for nm in self.chemistry.neutrals}
        f["ion"] = np.ones(n)
        return f

    def flat_coverages(self) -> dict[str, float]:
        _, th = self.chemistry.rates(
            {n: self.neutral_fluxes.get(n, 0.0) for n in self.chemistry.neutrals},
            {c: self.ion_flux * self.yield_at(c, 0.0) for c in self.chemistry.channels()})
        return {k: float(v) for k, v in th.items()}

    def flat_speed(self, material: str) -> float:
        """V_n on an open horizontal surface of ``material`` (m/s)."""
        i = self.materials.index(material)
        v, _ = self.element_speeds(self._flat_fields(), np.zeros(1), np.array([i]),
                                   per_hit=False)
        return float(v[0])

    # ------------------------------------------------------------------ SurfaceModel
    @property
    def coupled(self) -> tuple[str, ...]:
        return tuple(n for n in self.chemistry.neutrals if self.neutral_fluxes.get(n, 0.0) > 0)

    def species(self) -> list[Species]:
        th = self.flat_coverages()
        out = []
        if self.ion_flux > 0:
            if not self._ion:              # built once: its yield tables are kept with it
                self._ion.append(self._ion_species())
            out.append(self._ion[0])
        for n in self.coupled:
            out.append(Species(name=n, default_sticking=0.0, sticking={
                m: float(self.chemistry.sticking(n, m, th)) for m in self.materials}))
        return out

    def _ion_species(self) -> Species:
        kw: dict[str, Any] = {}
        if self.ion_sticking is not None:
            kw = dict(sticking_angle=self.ion_sticking, specular=1.0,
                      specular_cone=VIENNAPS_ION_CONE if self.ion_lobe == IonLobe.CONE else None)
        if self.ion_scoring == IonScoring.PER_HIT:
            ch = self.chemistry.channels()
            cut = (self.energy_cutoff_eV if self.energy_cutoff_eV is not None
                   else min(ch["ie"].threshold_eV, ch["sp"].threshold_eV))
            kw.update(yield_channels=self.yield_channels(),
                      iedf=(self.beam.energies_eV, self.beam.pdf),
                      reflected_energy=VIENNAPS_ION_ENERGY_LOSS, energy_cutoff_eV=cut)
        return Species(name="ion", sticking=1.0, source_exponent=self.beam.exponent, **kw)

    def coupled_species(self, coverages, materials) -> tuple[Species, ...]:
        mats = np.asarray(materials)
        mname = self._names(mats)
        th = {k: np.broadcast_to(np.asarray(v, float), mats.shape) for k, v in coverages.items()}
        out = []
        for n in self.coupled:
            s = np.zeros(mats.shape)
            for m in self.materials:
                sel = mname == m
                if sel.any():
                    s[sel] = self.chemistry.sticking(n, m, {k: v[sel] for k, v in th.items()})
            out.append(Species(name=n, sticking=s))
        return tuple(out)

    def fields(self, fluxes: Mapping[str, SpeciesFlux], surface) -> dict[str, np.ndarray]:
        """The relative fields per element, those of sliver elements pooled with their
        same-material one-ring (``small_elements.pool_small_elements``)."""
        return pool_small_elements(
            incident_fields(fluxes, len(surface.elements), ("ion",) + self.chemistry.neutrals,
                            self.ion_scoring == IonScoring.PER_HIT, self.yield_channels),
            surface)

    def rates(self, fields, normals, materials) -> SurfaceRates:
        tilt = np.arccos(np.clip(np.asarray(normals)[:, -1], -1.0, 1.0))
        v, cov = self.element_speeds(fields, tilt, np.asarray(materials))
        return SurfaceRates(v, cov)

    def max_rate(self) -> float:
        tilt = np.linspace(0.0, np.pi, 181)
        best = 0.0
        f = self._flat_fields(tilt.size)
        for i, m in enumerate(self.materials):       # the direct beam at each tilt
            if m in self.etched or m in self.masks:
                v, _ = self.element_speeds(f, tilt, np.full(tilt.size, i), per_hit=False)
                best = max(best, float(np.max(np.abs(v))))
        return _BOUND * best * (1.0 if self.ion_sticking is None else 3.0)

    def moving(self, materials) -> np.ndarray:
        return np.isin(self._names(materials), tuple(self.etched) + tuple(self.masks))
