"""Stratified launch of the 3D flux kernels (private): fewer rays for the same noise.

The N rays of one kernel launch (all chunks together; chunk k owns the global ray
indices j = start_k … start_k + n_k − 1) are one stratified sample of the source instead
of N independent draws (stratified sampling: Owen, *Monte Carlo theory, methods and
examples*, 2013, ch. 10; McKay, Beckman & Conover, *Technometrics* 21, 1979):

* positions: the lateral domain cut into nx × ny = M ≤ N equal cells (nx/ny ≈ Lx/Ly,
  ``grid_shape``); ray j < M lands uniformly inside cell c_j = j·P mod M (P coprime with
  M, near M/φ: a bijection that spreads a chunk's contiguous indices over the whole
  domain), the remaining N − M < ny rays uniformly anywhere;
* directions: the chunk's n rays take the cells of the unit square (ξ_θ, ξ_φ) of the
  source law (cos θ = the source's inverse CDF at ξ_θ, φ = 2π ξ_φ; for the cosine law an
  equal-area map of the hemisphere) cut into mθ × mφ ≤ n cells, one each, in a random
  order (a Fisher–Yates permutation from the chunk's stream: Latin-hypercube pairing with
  the positions), the remaining rays anywhere;
* ion energy: the inverse-CDF variable ξ_E in the chunk's n strata of width 1/n, in an
  independent random order.

So every ray is uniform over the source marginally and its direction and energy are
independent of its position (the random orders), hence the tally is unbiased; with
random pairing the variance is at most n/(n − 1) times the plain estimator's (Owen,
Ann. Statist. 25, 1997, for Latin hypercubes) and far below it where the tally depends
mostly on the position: the direct flux of a collimated beam onto a flat element of area
a then fluctuates only through the ≈ perimeter strata its edges cut instead of as
√(N a/A).  (A fixed lattice pairing, d = j·Q + U mod Md, was tried first: it raised the
noise of a hole floor, the positions and directions of a chunk being correlated.)  The
jitters and orders come from the chunk's own stream, re-emission and roulette too, as
before; nothing depends on the thread count.  The chunks stay independent, but each
covers its own position cells, so the engine's batch-means σ over chunks over-states the
launch's error (a conservative bound).  ``launch="uniform"`` (``trace3d``'s ``strat``
False) skips all of this: the independent draws of the launch before session 13.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._rng import _uniform

__all__ = ["cell_point", "grid_shape", "launch_plan", "source_cos_at"]

_PHI1 = 0.6180339887498949    # 1/φ (golden ratio)


@njit(cache=True, error_model="numpy", inline="always")
def grid_shape(n, lx, ly):
    """(nx, ny) with nx·ny ≤ n, nx·ny > n − ny and nx/ny ≈ lx/ly (lx, ly > 0)."""
    ny = max(1, min(n, int(math.sqrt(n * ly / lx))))
    return max(1, n // ny), ny


@njit(cache=True, error_model="numpy")
def _coprime_near(m, frac):
    """The first integer p ≥ frac·m (p ≥ 1) with gcd(p, m) = 1."""
    p = max(1, int(frac * m))
    while True:
        a, b = p, m
        while b:
            a, b = b, a % b
        if a == 1:
            return p % m if m > 1 else 0
        p += 1


@njit(cache=True, error_model="numpy")
def _mulmod(a, b, m):
    """a·b mod m without overflow (0 ≤ a, b < m < 2⁶²)."""
    r = 0
    a %= m
    while b > 0:
        if b & 1:
            r = (r + a) % m
        a = (2 * a) % m
        b >>= 1
    return r


@njit(cache=True, error_model="numpy")
def launch_plan(nrays, k, lx, ly):
    """Chunk k's position strata: [nx, ny, M, P, c, start] with c = start·P mod M the
    cell of its first ray (global index ``start``; the module docstring); per ray
    c += P mod M."""
    N = 0
    start = 0
    for i in range(nrays.shape[0]):
        if i < k:
            start += nrays[i]
        N += nrays[i]
    nx, ny = grid_shape(N, lx, ly)
    M = nx * ny
    P = _coprime_near(M, _PHI1)
    c = _mulmod(start, P, M) if start < M else 0
    return np.array([nx, ny, M, P, c, start], np.int64)


@njit(cache=True, error_model="numpy", inline="always")
def cell_point(s, c, na, nb):
    """A uniform point (a, b) of the unit square in cell c of its na × nb cells
    (row-major; c < 0: anywhere)."""
    if c < 0:
        return _uniform(s), _uniform(s)
    return (c % na + _uniform(s)) / na, (c // na + _uniform(s)) / nb


@njit(cache=True, error_model="numpy", inline="always")
def source_cos_at(xi, mode, exponent, table):
    """cos θ of a source direction at the inverse-CDF variable ξ (``_kernels._source_cos``
    with ξ given): cosⁿ law (mode 0) cos θ = (1 − ξ)^(1/(n+1)), or the tabulated inverse
    CDF of θ."""
    if mode == 0:
        if exponent == 1.0:
            return math.sqrt(1.0 - xi)
        return (1.0 - xi) ** (1.0 / (exponent + 1.0))
    f = xi * (table.shape[0] - 1)
    i = min(int(f), table.shape[0] - 2)
    th = table[i] + (f - i) * (table[i + 1] - table[i])
    return math.cos(th)
