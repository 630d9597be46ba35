"""Anneal dopant profiles with the five-stream model (pairs.py) and read the transient.

Initial state after an implant: every dopant's pairs in local equilibrium with its total
at the starting temperature, V = V*, I = I* + n·C_implanted (the "+n" excess of
``pairs.hobler_moroz_plus_n``; all free — the {311} clusters form in the first
microseconds), no clusters.  Dopants whose profile is uniform (the substrate doping)
enter only the charge balance.  Between consecutive five-stream anneals the defect
fields carry over.

Read-out: the dose-weighted dopant diffusivity ⟨D⟩(t) = ∫ D_eff C dz / ∫ C dz
(D_eff = (D_M M + D_N N)/C, pairs.FiveStream.effective_diffusivity) and its enhancement
over the equilibrium value ⟨D⟩*(t) of the same profile at I = I*, V = V*.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from .dopants import CALIBRATIONS, Arrhenius
from .mesh import DiffusionMesh
from .newton import NewtonStepping, integrate
from .pairs import FiveStream, PointDefectParams

__all__ = ["FiveStreamResult", "five_stream_anneal", "DEFECT_FIELDS"]

DEFECT_FIELDS = ("I", "V", "Cl")


@dataclass(frozen=True, kw_only=True)
class FiveStreamResult:
    """Totals per dopant (flat), defect fields (flat), step counts and the transient
    history: times (s), ⟨D⟩ and ⟨D⟩* per paired dopant (m²/s) at the step ends."""

    conc: dict[str, np.ndarray]
    defects: dict[str, np.ndarray]
    steps: int
    newton_iterations: int
    times: np.ndarray
    mean_D: dict[str, np.ndarray] = field(default_factory=dict)
    mean_D_eq: dict[str, np.ndarray] = field(default_factory=dict)
    schedule: tuple | None = None     # (step times, states at the tracked nodes)

    def enhancement_integral(self, d: str) -> tuple[np.ndarray, np.ndarray]:
        """(t, ∫₀ᵗ (⟨D⟩ − ⟨D⟩*) dt'), trapezoid over the accepted steps."""
        ex = self.mean_D[d] - self.mean_D_eq[d]
        cum = np.concatenate([[0.0], np.cumsum(0.5 * np.diff(self.times) * (ex[1:] + ex[:-1]))])
        return self.times, cum


_DEFAULT_PARAMS = PointDefectParams()
_DEFAULT_NUMERICS = NewtonStepping()


def five_stream_anneal(mesh: DiffusionMesh, conc: Mapping[str, np.ndarray], *, duration: float,
                       temperature: Callable[[float], float],
                       excess: np.ndarray | None = None,
                       defects: Mapping[str, np.ndarray] | None = None,
                       calibration: str = "tsuprem4",
                       override: Mapping[str, Arrhenius] | None = None,
                       params: PointDefectParams = _DEFAULT_PARAMS,
                       numerics: NewtonStepping = _DEFAULT_NUMERICS,
                       readout: bool = True, track: np.ndarray | None = None,
                       follow: tuple | None = None) -> FiveStreamResult:
    """Anneal total dopant fields ``conc`` (name -> flat m⁻³) with the five-stream model.
    ``excess``: implant-damage interstitials to add (m⁻³); ``defects``: I, V, Cl carried
    over from a previous five-stream anneal (then ``excess`` is added to I).
    ``readout=False`` skips the transient history (⟨D⟩ per step; the mesh check's
    coarse run needs only the fields).  ``track``/``follow``: see
    :func:`waferlab.thermal.newton.integrate` (the result's ``schedule`` is what a
    coarser run's ``follow`` takes)."""
    names = list(conc)
    flat = {k: np.asarray(v, float).ravel() for k, v in conc.items()}
    paired = [k for k in names if np.ptp(flat[k]) > 1e-9 * max(np.max(np.abs(flat[k])), 1e-300)]
    background = [k for k in names if k not in paired]
    table = CALIBRATIONS[calibration]
    if not paired:
        return FiveStreamResult(conc=flat, defects=dict(defects or {}), steps=0,
                                newton_iterations=0, times=np.zeros(1))
    fs = FiveStream(paired, params=params, table=table, override=override,
                    background=sum(table[k].charge * flat[k] for k in background)
                    if background else None)
    T0 = temperature(0.0)
    X = fs.equilibrium({k: flat[k] for k in paired}, T0)
    if defects:
        for i, k in zip((fs.iI, fs.iV, fs.iC), DEFECT_FIELDS):
            X[i] = np.asarray(defects[k], float).ravel()
    if excess is not None:
        X[fs.iI] += np.maximum(np.asarray(excess, float).ravel(), 0.0)
    times = [0.0]
    hist: dict[str, list] = {d: [] for d in paired}
    hist_eq: dict[str, list] = {d: [] for d in paired}

    def record(Y, T):
        for d in paired:
            tot = fs.total(Y, d)
            w = mesh.volumes * tot
            s = max(w.sum(), 1e-300)
            hist[d].append(float(np.dot(w, fs.effective_diffusivity(Y, d, T)) / s))
            Yeq = fs.equilibrium({k: fs.total(Y, k) for k in paired}, T)
            hist_eq[d].append(float(np.dot(w, fs.effective_diffusivity(Yeq, d, T)) / s))

    record(X, T0)

    def monitor(t0, t1, X0, X1):
        times.append(t1)
        record(X1, temperature(t1))

    res = integrate(mesh, fs, X, duration=duration, temperature=temperature,
                    numerics=numerics, monitor=monitor if readout else None,
                    scales=fs.scales(X, T0), track=track, follow=follow)
    Y = res.X
    out = {k: fs.total(Y, k) for k in paired}
    out.update({k: flat[k] for k in background})
    return FiveStreamResult(
        conc=out, defects={k: Y[i].copy() for k, i in zip(DEFECT_FIELDS, (fs.iI, fs.iV, fs.iC))},
        steps=res.steps, newton_iterations=res.newton_iterations, times=np.array(times),
        mean_D={d: np.array(v) for d, v in hist.items()},
        mean_D_eq={d: np.array(v) for d, v in hist_eq.items()},
        schedule=(res.track_times, res.track_states) if track is not None else None)
