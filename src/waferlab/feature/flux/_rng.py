"""The per-chunk random streams of the flux engine (private): xoshiro256** (Blackman &
Vigna 2018) seeded through splitmix64, so each chunk draws the same numbers whatever the
thread count; and the strata of the stratified 2D launch (``_kernels.trace2d``)."""
from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["owen_vdc", "shuffled"]

_U53 = 1.0 / 9007199254740992.0


@njit(cache=True, error_model="numpy")
def _splitmix(x):
    x = x + np.uint64(0x9E3779B97F4A7C15)
    z = x
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x, z ^ (z >> np.uint64(31))


@njit(cache=True, error_model="numpy")
def _seed_state(seed, s):
    x = np.uint64(seed)
    for i in range(4):
        x, z = _splitmix(x)
        s[i] = z


@njit(cache=True, error_model="numpy")
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(cache=True, error_model="numpy")
def _uniform(s):
    """xoshiro256** (Blackman & Vigna 2018) -> double in [0, 1)."""
    result = _rotl(s[1] * np.uint64(5), 7) * np.uint64(9)
    t = s[1] << np.uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return float(result >> np.uint64(11)) * _U53


@njit(cache=True, error_model="numpy")
def shuffled(s, n):
    """A uniformly random permutation of 0 … n−1 from the stream s (Fisher–Yates; Knuth,
    TAOCP vol. 2, §3.4.2): the strata of one coordinate of a Latin-hypercube launch."""
    p = np.arange(n)
    for i in range(n - 1, 0, -1):
        j = min(int(_uniform(s) * (i + 1)), i)
        p[i], p[j] = p[j], p[i]
    return p


_M32 = np.uint64(0xFFFFFFFF)


@njit(cache=True, error_model="numpy", inline="always")
def _rev32(x):
    """The 32 low bits of x in reverse order."""
    x = ((x >> np.uint64(1)) & np.uint64(0x55555555)) | ((x & np.uint64(0x55555555)) << np.uint64(1))
    x = ((x >> np.uint64(2)) & np.uint64(0x33333333)) | ((x & np.uint64(0x33333333)) << np.uint64(2))
    x = ((x >> np.uint64(4)) & np.uint64(0x0F0F0F0F)) | ((x & np.uint64(0x0F0F0F0F)) << np.uint64(4))
    x = ((x >> np.uint64(8)) & np.uint64(0x00FF00FF)) | ((x & np.uint64(0x00FF00FF)) << np.uint64(8))
    return (((x >> np.uint64(16)) & np.uint64(0xFFFF)) | ((x & np.uint64(0xFFFF)) << np.uint64(16))) & _M32


@njit(cache=True, error_model="numpy", inline="always")
def owen_vdc(r, seed, s):
    """The base-2 radical inverse (van der Corput) of the ray index r, Owen-scrambled with
    the chunk's ``seed`` (nested uniform scrambling by the hash of Laine & Karras,
    "Stratified sampling for stochastic transparency", EGSR 2011: a permutation whose bit
    i depends on bits ≤ i only, applied to r, i.e. to the reversed digits), plus a jitter
    below 2⁻³² from the stream s.  Each value is uniform on [0, 1) (unbiased); the
    values of r = 0 … n−1 are stratified like a (0, m, 2)-net's second coordinate
    (Owen, Monte Carlo and Quasi-Monte Carlo Methods, 1995), without the resonances of
    the unscrambled Hammersley set with slanted strips."""
    x = (np.uint64(r) + seed) & _M32
    x ^= (x * np.uint64(0x6C50B47C)) & _M32
    x ^= (x * np.uint64(0xB82F1E52)) & _M32
    x ^= (x * np.uint64(0xC7AFE638)) & _M32
    x ^= (x * np.uint64(0x8D22F6E6)) & _M32
    return (float(_rev32(x)) + _uniform(s)) * 2.3283064365386963e-10
