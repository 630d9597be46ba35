"""Particle species: source angular law, sticking per material, re-emission law.

Source: directions launched downwards from a plane just above the surface with density
per solid angle ∝ cosⁿθ about the downward normal (cos θ = ξ^{1/(n+1)}; n = 1 is the
cosine law of thermal neutrals, n ~ 10²–10³ for ions), or a tabulated polar-angle
distribution (``AngularTable``).  In 2D the 3D direction is projected onto the (x, y)
plane; for n = 1 this gives the in-plane density ½ cos φ.

Surface interaction: a fraction s = s_m · g(θ_in) is absorbed (s_m the sticking of the
hit element's material, g an optional sticking factor against the incidence angle θ_in
from the surface normal, 1 by default); the rest is re-emitted, specularly with
probability p(θ_in), otherwise diffusely (cosine law).  ``VIENNAPS_ION_STICKING`` is the
ion law of ViennaPS's SF6O2 model: g = 1 up to 70°, falling linearly to 0 at 90°.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np

from ...atomic.yields import IonYield
from .ions import ReflectedEnergyLaw, energy_inverse_cdf, yield_tables

__all__ = ["AngularTable", "Species", "inplane_inverse_cdf", "VIENNAPS_ION_CONE",
           "SPEC_TABLE_SIZE", "SOURCE_TABLE_SIZE", "INPLANE_TABLE_SIZE", "VIENNAPS_ION_STICKING"]

SPEC_TABLE_SIZE = 91       # specular probability tabulated on a uniform θ grid of [0, π/2]
SOURCE_TABLE_SIZE = 4097   # inverse CDF of the source polar angle on a uniform ξ grid
INPLANE_TABLE_SIZE = 16385  # inverse CDF of the 2D in-plane angle (stratified launch)

# (θ, g): ion sticking factor of ViennaPS's SF6O2/plasma-etching ion (thetaRMin 70°,
# thetaRMax 90°); both kinks lie on the 1° table grid, so the table is exact.
VIENNAPS_ION_STICKING = ((0.0, float(np.deg2rad(70.0)), float(np.pi / 2)), (1.0, 1.0, 0.0))
VIENNAPS_ION_CONE = float(np.deg2rad(80.0))     # minAngle of ViennaPS's plasma-etching ion


def inplane_inverse_cdf(exponent: float) -> np.ndarray:
    """Inverse CDF of the in-plane angle α of the 2D projection of a cosⁿθ source, on a
    uniform grid of INPLANE_TABLE_SIZE numbers in [0, 1] (the stratified 2D launch).

    With d = (cos β sin α, sin β, cos β cos α) (α in the plane, β out of it) the solid
    angle is cos β dα dβ and cos θ = cos α cos β, so the density of α is
    ∫ cosⁿα cosⁿ⁺¹β dβ ∝ cosⁿα on [−π/2, π/2] (n = 1: sin α uniform).  The CDF is the
    trapezoid sum on 200 001 nodes over |α| ≤ α_max, cosⁿα_max = e⁻⁴⁰; memoised per n."""
    return _inplane_of(float(exponent)).copy()


@lru_cache(maxsize=32)
def _inplane_of(n: float) -> np.ndarray:
    amax = 0.5 * np.pi if n <= 0 else float(np.arccos(min(1.0, np.exp(-40.0 / n))))
    a = np.linspace(-amax, amax, 200_001)
    with np.errstate(divide="ignore"):
        p = np.exp(n * np.log(np.maximum(np.cos(a), 0.0)))
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (p[1:] + p[:-1]))])
    cdf /= cdf[-1]
    keep = np.concatenate([[True], np.diff(cdf) > 0])
    return np.interp(np.linspace(0.0, 1.0, INPLANE_TABLE_SIZE), cdf[keep], a[keep])


def _energy_table(iedf) -> np.ndarray:
    """``ions.energy_inverse_cdf`` of an IEDF (energies_eV, pdf), a copy of the table kept
    for the same numbers: a model builds its ion Species anew every time step, and the
    table costs ≈ 2 ms (0.26 s CPU of the 6.3 s 2D Bosch bench run, 137 ion traces).
    A pure function of the numbers is memoised (results unchanged to the bit); large or
    multi-dimensional input is computed afresh."""
    e = np.asarray(iedf[0], float)
    p = np.asarray(iedf[1], float)
    if e.ndim > 1 or p.ndim > 1 or e.size > 4096 or p.size > 4096:
        return energy_inverse_cdf(e, p)
    return _energy_table_of(e.tobytes(), p.tobytes()).copy()   # writable (kernel type)


@lru_cache(maxsize=32)
def _energy_table_of(e_bytes: bytes, p_bytes: bytes) -> np.ndarray:
    return energy_inverse_cdf(np.frombuffer(e_bytes), np.frombuffer(p_bytes))


@dataclass(frozen=True, kw_only=True)
class AngularTable:
    """A tabulated polar-angle distribution of arriving particles.

    theta  increasing polar angles from the downward normal (rad), within [0, π/2]
    pdf    probability density per unit polar angle dθ (the sin θ Jacobian included,
           as an ion angular distribution function is usually given); need not be
           normalised; linear between the points, zero outside.
    """

    theta: tuple[float, ...]
    pdf: tuple[float, ...]

    def __post_init__(self):
        th = np.asarray(self.theta, float)
        p = np.asarray(self.pdf, float)
        if th.ndim != 1 or th.shape != p.shape or th.size < 2:
            raise ValueError(f"AngularTable: theta and pdf must be 1-D of equal length >= 2; "
                             f"got shapes {th.shape} and {p.shape}")
        if np.any(np.diff(th) <= 0) or th[0] < 0 or th[-1] > np.pi / 2 + 1e-12:
            raise ValueError("AngularTable.theta must increase within [0, pi/2] rad")
        if np.any(p < 0) or not np.any(p > 0):
            raise ValueError("AngularTable.pdf must be >= 0 and not all zero")
        object.__setattr__(self, "theta", tuple(th.tolist()))
        object.__setattr__(self, "pdf", tuple(p.tolist()))

    def inverse_cdf(self, size: int = SOURCE_TABLE_SIZE) -> np.ndarray:
        """θ at ``size`` equally spaced CDF values (piecewise-linear pdf integrated exactly)."""
        th = np.asarray(self.theta)
        p = np.asarray(self.pdf)
        fine = np.linspace(th[0], th[-1], 64 * size)
        pf = np.interp(fine, th, p)
        cdf = np.concatenate([[0.0], np.cumsum(0.5 * (pf[1:] + pf[:-1]) * np.diff(fine))])
        cdf /= cdf[-1]
        return np.interp(np.linspace(0.0, 1.0, size), cdf, fine)


def _prob_table(value, what: str) -> np.ndarray:
    if isinstance(value, (int, float)):
        v = float(value)
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"{what} = {v} is outside [0, 1]")
        return np.array([v])
    th, p = (np.asarray(a, float) for a in value)
    if th.shape != p.shape or th.ndim != 1 or np.any(np.diff(th) <= 0):
        raise ValueError(f"{what}: expected (theta, probability) arrays with increasing theta")
    if np.any(p < 0) or np.any(p > 1):
        raise ValueError(f"{what}: probabilities must lie in [0, 1]")
    return np.interp(np.linspace(0.0, np.pi / 2, SPEC_TABLE_SIZE), th, p)


@dataclass(frozen=True, kw_only=True)
class Species:
    """One particle species of the flux engine.

    name             used in column names (``incident_<name>``) and expressions
    sticking         s in [0, 1]: one value, {material name: s}, or an array with one
                     value per element of the surface it is traced on (e.g. sticking
                     that depends on each element's own surface coverage)
    default_sticking s of materials missing from a sticking mapping (None: an error)
    source_exponent  n of the cosⁿθ source (ignored when ``angular`` is given)
    angular          tabulated source polar-angle distribution, or None
    specular         probability of specular (instead of diffuse) re-emission: a
                     constant, or (theta, p) arrays giving p at incidence angle θ
                     from the surface normal (rad)
    sticking_angle   None, or (theta, g) arrays: the sticking at a hit is the material's
                     s times g(θ_in), g in [0, 1] linear between the points (tabulated
                     on a 1° grid); the unstuck weight is re-emitted as above (e.g.
                     ``VIENNAPS_ION_STICKING`` with ``specular=1``: ion reflection).
                     In 2D, θ_in is the angle of the in-plane (projected) direction,
                     as for ``specular``
    specular_cone    None: exact specular re-emission; an angle θ_c (rad): ViennaPS's
                     coned-cosine lobe, angle ψ from the specular direction with
                     density per solid angle ∝ cos(πψ/2α) on [0, α],
                     α = π/2 − min(θ_in, θ_c)
                     (``VIENNAPS_ION_CONE`` = 80°, the SF6O2 ion's ``minAngle``)
    yield_channels   {channel: {material: IonYield}}: per-hit yield scoring (``ions``);
                     each ray carries an energy from ``iedf`` and every hit adds
                     w·A(√E − √E_th)·f(cos θ_hit) of the hit material's yield to the
                     channel's tally (materials missing from a channel score 0).  Empty:
                     no energies, no cost
    iedf             (energies_eV, pdf) of the rays' energies (needed with channels)
    reflected_energy None: re-emitted rays keep their energy; a ``ReflectedEnergyLaw``
                     (e.g. ``VIENNAPS_ION_ENERGY_LOSS``): the energy after each re-emission
    energy_cutoff_eV a re-emitted ray with E' at or below it stops (weight absorbed);
                     None: the lowest threshold of the channels
    """

    name: str
    sticking: float | Mapping[str, float] | np.ndarray
    default_sticking: float | None = None
    source_exponent: float = 1.0
    angular: AngularTable | None = None
    specular: float | tuple[Sequence[float], Sequence[float]] = 0.0
    sticking_angle: tuple[Sequence[float], Sequence[float]] | None = None
    specular_cone: float | None = None
    yield_channels: Mapping[str, Mapping[str, IonYield]] = field(default_factory=dict)
    iedf: tuple[Sequence[float], Sequence[float]] | None = None
    reflected_energy: ReflectedEnergyLaw | None = None
    energy_cutoff_eV: float | None = None
    _spec: np.ndarray = field(init=False, repr=False, compare=False)
    _stick_ang: np.ndarray = field(init=False, repr=False, compare=False)
    _energy_memo: dict = field(init=False, repr=False, compare=False, default_factory=dict)
    _ecdf: np.ndarray | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self):
        if not self.name or not self.name.replace("_", "a").isalnum() or not self.name[0].isalpha():
            raise ValueError(f"species name {self.name!r}: use letters, digits and underscores, "
                             "starting with a letter")
        if isinstance(self.sticking, np.ndarray):
            st = np.array(self.sticking, dtype=float)         # a private, read-only copy
            if st.ndim != 1 or not np.all((st >= 0.0) & (st <= 1.0)):
                raise ValueError(f"species {self.name!r}: per-element sticking must be a 1-D "
                                 "array of values in [0, 1]")
            st.flags.writeable = False
            object.__setattr__(self, "sticking", st)
            values = []
        elif isinstance(self.sticking, Mapping):
            values = self.sticking.values()
        else:
            values = [self.sticking]
        for v in list(values) + ([self.default_sticking] if self.default_sticking is not None else []):
            if not 0.0 <= float(v) <= 1.0:
                raise ValueError(f"species {self.name!r}: sticking {v} is outside [0, 1]")
        if self.specular_cone is not None and not 0.0 <= self.specular_cone <= 0.5 * np.pi:
            raise ValueError(f"species {self.name!r}: specular_cone {self.specular_cone} rad "
                             "must be in [0, π/2]")
        if not self.source_exponent >= 0.0:
            raise ValueError(f"species {self.name!r}: source_exponent {self.source_exponent} "
                             "must be >= 0")
        object.__setattr__(self, "_spec", _prob_table(self.specular,
                                                      f"species {self.name!r}: specular"))
        if self.sticking_angle is None:
            tab = np.array([1.0])
        elif isinstance(self.sticking_angle, (int, float)):
            raise ValueError(f"species {self.name!r}: sticking_angle must be (theta, factor) "
                             f"arrays or None; got {self.sticking_angle!r}")
        else:
            tab = _prob_table(self.sticking_angle, f"species {self.name!r}: sticking_angle")
        object.__setattr__(self, "_stick_ang", tab)
        if self.yield_channels:
            if self.iedf is None:
                raise ValueError(f"species {self.name!r}: yield_channels need an iedf "
                                 "(energies_eV, pdf)")
            # validates the IEDF; built once per species (``energy_params`` reuses it)
            object.__setattr__(self, "_ecdf", _energy_table(self.iedf))
            for ch, per_mat in self.yield_channels.items():
                for m, y in per_mat.items():
                    if not isinstance(y, IonYield):
                        raise ValueError(f"species {self.name!r}: yield_channels[{ch!r}]"
                                         f"[{m!r}] must be an IonYield; got {y!r}")
        if self.energy_cutoff_eV is not None and not self.energy_cutoff_eV >= 0.0:
            raise ValueError(f"species {self.name!r}: energy_cutoff_eV "
                             f"{self.energy_cutoff_eV} must be >= 0")

    @property
    def per_element(self) -> bool:
        """True when the sticking is given per surface element."""
        return isinstance(self.sticking, np.ndarray)

    def element_sticking(self, material_names: Sequence[str], materials: np.ndarray) -> np.ndarray:
        """Sticking of each surface element (``materials``: the elements' material indices)."""
        st = self.sticking
        if isinstance(st, np.ndarray):                   # self.per_element
            if st.shape != (len(materials),):
                raise ValueError(f"species {self.name!r}: {st.size} per-element "
                                 f"sticking values for {len(materials)} elements")
            return st
        return self.sticking_array(material_names)[np.asarray(materials)]

    def sticking_array(self, material_names: Sequence[str]) -> np.ndarray:
        """Sticking of each material (indexed like ``Surface.material_names``)."""
        if self.per_element:
            raise ValueError(f"species {self.name!r} has per-element sticking; use "
                             "element_sticking")
        if not isinstance(self.sticking, Mapping):
            return np.full(len(material_names), float(self.sticking))
        out = np.empty(len(material_names))
        for i, m in enumerate(material_names):
            if m in self.sticking:
                out[i] = float(self.sticking[m])
            elif self.default_sticking is not None:
                out[i] = float(self.default_sticking)
            else:
                raise ValueError(f"species {self.name!r}: no sticking for material {m!r} "
                                 f"(given for {sorted(self.sticking)}; set default_sticking)")
        return out

    def source_params(self) -> tuple[int, float, np.ndarray]:
        """(mode, exponent, inverse-CDF table) for the kernels; mode 0 cosⁿ, 1 table."""
        if self.angular is None:
            return 0, float(self.source_exponent), np.zeros(2)
        return 1, 0.0, self.angular.inverse_cdf()

    def specular_table(self) -> np.ndarray:
        return self._spec

    def sticking_angle_table(self) -> np.ndarray:
        """Sticking factor g on a uniform θ grid of [0, π/2] (one entry 1.0: none)."""
        return self._stick_ang

    def energy_params(self, material_names: Sequence[str]):
        """Kernel inputs of per-hit yield scoring: (inverse-CDF energy table, A, √E_th, f
        tables of ``ions.yield_tables``, reflected-energy parameters (θ_i, n_l, s, A) or
        zeros(0), cutoff eV); computed once per material list (a model that keeps its
        Species from one time step to the next pays for the tables once)."""
        key = tuple(material_names)
        if key not in self._energy_memo:
            self._energy_memo[key] = self._energy_params(key)
        return self._energy_memo[key]

    def _energy_params(self, material_names: Sequence[str]):
        A, sth, f = yield_tables(self.yield_channels, material_names)
        if self.energy_cutoff_eV is not None:
            cut = float(self.energy_cutoff_eV)
        else:
            th = [y.threshold_eV for pm in self.yield_channels.values() for y in pm.values()]
            cut = min(th) if th else 0.0
        law = (np.zeros(0) if self.reflected_energy is None else self.reflected_energy.params())
        if self._ecdf is not None:
            ecdf = self._ecdf
        else:
            assert self.iedf is not None        # __post_init__: yield_channels need an iedf
            ecdf = _energy_table(self.iedf)
        return ecdf, A, sth, f, law, cut
