"""Electron cross sections for the Boltzmann solver, consistent with a chemistry's rates.

For a chemistry whose electron-impact rates are Maxwellian fits k_r(T_e) (e.g. ``cl2ar``:
Kemaneci et al., Plasma Sources Sci. Technol. 23, 045002, 2014, Table 4), each reaction
gets a cross section σ_r(u) whose Maxwellian average reproduces the fit:

    k_r(T) = γ ∫ u σ_r(u) F_M(u; T) du,  F_M = 2/√π T^-3/2 e^{-u/T},  T = 0.5 ... 8 eV

σ_r is piecewise linear on knots (zero at and below the threshold = the reaction's
energy loss ``loss_eV`` for energy-consuming reactions; log-spaced from 0.05 eV for
attachment, recombination and superelastic reactions), non-negative, fitted by
non-negative least squares on the relative error with a small second-difference penalty
(the Maxwellian average is a Laplace transform: the inversion is smoothed, so the cross
section is the smooth one that reproduces the published rates; its shape above ≈ 30 eV
is not constrained by them).  With a Maxwellian EEDF the rates are the published ones to
the fit error (reported by :func:`fit_report`); with a Boltzmann EEDF they follow the
distribution.  This is how the rate set and the EEDF are kept consistent when the
chemistry's own cross sections are not published as tables.

Elastic momentum transfer: ``elastic: true`` reactions (argon, Lieberman & Lichtenberg
2005 Table 3.3 fit) are inverted the same way; for the chlorine species, whose elastic
collisions the rate set omits, ``ELASTIC_MOMENTUM_M2`` gives a constant
momentum-transfer cross section (an assumption; the EEDF shape depends on σ_m(u)'s
shape, not its size, because the field is set by the mean energy — measured in
docs/reactor.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.optimize import nnls

from ..constants import AMU, M_E
from .boltzmann import GAMMA, Grid, Process, maxwellian
from .chemistry import Chemistry, load_chemistry
from .rates import evaluate, is_electron_form

__all__ = ["ElectronProcess", "electron_processes", "fit_cross_section", "fit_report",
           "ELASTIC_MOMENTUM_M2", "T_FIT_EV"]

T_FIT_EV = np.geomspace(1.0, 8.0, 40)
# Constant e-neutral momentum-transfer cross sections (m²) where the chemistry has none.
ELASTIC_MOMENTUM_M2 = {"Cl2": 1.0e-19, "Cl": 1.0e-19}
_MASS_AMU = {"Cl2": 70.906, "Cl": 35.453, "Ar": 39.948}
_DEFAULT_GRID = Grid()


@dataclass(frozen=True)
class ElectronProcess:
    """A chemistry reaction's cross section: reaction index ``rx``, ``target`` species."""

    rx: int
    target: str
    process: Process
    fit_error: float          # max |k_fit/k - 1| over T = 1 ... 6 eV


def _knots(threshold: float, grid: Grid, n: int = 22) -> np.ndarray:
    if threshold > 0:
        return np.concatenate([[threshold], threshold + np.geomspace(0.05, grid.u_max - threshold, n - 1)])
    return np.geomspace(grid.u[0], grid.u_max, n)


def _hats(u: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Piecewise-linear basis on ``knots`` evaluated at u, shape (len(u), len(knots));
    zero below the first knot."""
    B = np.zeros((u.size, knots.size))
    for k in range(knots.size):
        e = np.zeros(knots.size)
        e[k] = 1.0
        B[:, k] = np.interp(u, knots, e, left=0.0, right=e[-1])
    return B


@lru_cache(maxsize=8)
def _maxwell_matrix(grid: Grid) -> np.ndarray:
    """γ u F_M(u; T_j) du for every fit temperature, shape (n_T, n_cells)."""
    return np.array([GAMMA * grid.u * maxwellian(grid, T) * grid.du for T in T_FIT_EV])


def fit_cross_section(k_of_T: np.ndarray, threshold: float, grid: Grid,
                      smooth: float = 1e-3) -> tuple[np.ndarray, float]:
    """σ(u) on the grid whose Maxwellian rates match ``k_of_T`` (at ``T_FIT_EV``) and the
    max relative error over 1 ... 6 eV."""
    knots = _knots(threshold, grid)
    if threshold > 0:
        knots_free = knots[1:]
        B = _hats(grid.u, knots)[:, 1:]
    else:
        knots_free = knots
        B = _hats(grid.u, knots)
    K = _maxwell_matrix(grid) @ B                       # (n_T, n_knots)
    k = np.maximum(k_of_T, 1e-300)
    A = K / k[:, None]
    amax = np.abs(A).max(axis=0)
    col = 1.0 / np.maximum(amax, 1e-12 * amax.max())           # column scaling: s = col * s'
    A = A * col[None, :]
    ones = np.ones(k.size)
    s1, _ = nnls(A, ones, maxiter=50 * knots_free.size)
    ref = max(float(np.max(s1 * col)), 1e-300)
    L = np.diff(np.eye(knots_free.size), 2, axis=0) * (col / ref)[None, :]
    lhs = np.vstack([A, np.sqrt(smooth) * L])
    rhs = np.concatenate([ones, np.zeros(L.shape[0])])
    s, _ = nnls(lhs, rhs, maxiter=50 * knots_free.size)
    sigma = B @ (s * col)
    k_fit = _maxwell_matrix(grid) @ sigma
    sel = (T_FIT_EV >= 1.0) & (T_FIT_EV <= 6.0)
    err = float(np.max(np.abs(k_fit[sel] / k[sel] - 1.0)))
    return sigma, err


def _mass_ratio(target: str, chem: Chemistry) -> float:
    for s in chem.species:
        if s.name == target:
            return M_E / s.mass
    return M_E / (_MASS_AMU.get(target, 40.0) * AMU)


_CACHE: dict[tuple, tuple[ElectronProcess, ...]] = {}     # pure memo: same chemistry -> same fits


def _key(chem: Chemistry, grid: Grid) -> tuple:
    rx = tuple((r.id, r.form, tuple(r.params), r.loss_eV, r.elastic, r.reactants,
                tuple(sorted(r.products.items()))) for r in chem.reactions)
    return (chem.name, rx, tuple((s.name, s.mass) for s in chem.species), grid)


def electron_processes(chem: Chemistry | str, grid: Grid = _DEFAULT_GRID) -> tuple[ElectronProcess, ...]:
    """Cross sections of every electron reaction of ``chem`` (``rx`` = its index in
    ``chem.reactions``), plus constant elastic momentum transfer (rx = -1) for the
    species in ``ELASTIC_MOMENTUM_M2`` without an elastic reaction.  Memoised on the
    chemistry's content (a sub-network restricted to the fed gases gets its own indices)."""
    if isinstance(chem, str):
        chem = load_chemistry(chem)
    key = _key(chem, grid)
    if key not in _CACHE:
        if len(_CACHE) >= 16:
            _CACHE.clear()
        _CACHE[key] = _build(chem, grid)
    return _CACHE[key]


def _build(chem: Chemistry, grid: Grid) -> tuple[ElectronProcess, ...]:
    out = []
    names = {s.name for s in chem.species}
    has_elastic = set()
    for i, r in enumerate(chem.reactions):
        if "e" not in r.reactants or not is_electron_form(r.form):
            continue
        target = [x for x in r.reactants if x not in ("e", "M")][0]
        k = evaluate(r.form, r.params, T_FIT_EV, 300.0, np.ones_like(T_FIT_EV))
        consumed = r.products.get("e", 0.0) < 0.0     # products are net changes
        if r.elastic:
            sigma, err = fit_cross_section(k, 0.0, grid)
            proc = Process(r.id, "elastic", sigma, mass_ratio=_mass_ratio(target, chem))
            has_elastic.add(target)
        elif r.loss_eV > 0 and not consumed:
            sigma, err = fit_cross_section(k, r.loss_eV, grid)
            proc = Process(r.id, "inelastic", sigma, threshold_eV=r.loss_eV)
        else:
            sigma, err = fit_cross_section(k, 0.0, grid)
            proc = Process(r.id, "rate", sigma)
        out.append(ElectronProcess(rx=i, target=target, process=proc, fit_error=err))
    for sp_name, s in ELASTIC_MOMENTUM_M2.items():
        if sp_name in names and sp_name not in has_elastic:
            proc = Process(f"elastic {sp_name}", "elastic", np.full(grid.n, s),
                           mass_ratio=_mass_ratio(sp_name, chem))
            out.append(ElectronProcess(rx=-1, target=sp_name, process=proc, fit_error=0.0))
    return tuple(out)


def fit_report(chem: Chemistry | str, grid: Grid = _DEFAULT_GRID) -> dict[str, float]:
    """Reaction id -> max relative error of the fitted cross section's Maxwellian rate
    against the chemistry's fit over T_e = 1 ... 6 eV."""
    return {p.process.name: p.fit_error for p in electron_processes(chem, grid) if p.rx >= 0}
