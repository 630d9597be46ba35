"""The per-chunk random streams of the flux engine (private): xoshiro256** (Blackman &
Vigna 2018) seeded through splitmix64, so each chunk draws the same numbers whatever the
thread count."""
from __future__ import annotations

import numpy as np
from numba import njit

__all__: list[str] = []

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
