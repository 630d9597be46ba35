"""Batch-means statistics of the flux engine's per-chunk tallies (private numba kernel;
``engine._batch``)."""
from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["batch_stats"]


@njit(cache=True, error_model="numpy")
def batch_stats(tally, nrays, norm, bad, keep=True):
    """Batch means of per-chunk tallies (K, m): fk = tally/nrays·norm (0 where ``bad``),
    mean = Σ_k w_k fk, var = K/(K−1) Σ_k (w_k (fk − mean))², w_k = nrays_k/N; the same
    operations in the same order as the NumPy expressions of ``engine._batch`` (one pass
    per row instead of five (K, m) temporaries).  Returns (mean, σ, fk); without ``keep``
    fk is not stored (a (0, m) array; the second pass recomputes each fk the same way,
    so mean and σ are the same bits)."""
    K, m = tally.shape
    N = 0
    for k in range(K):
        N += nrays[k]
    fk = np.empty((K if keep else 0, m))
    mean = np.zeros(m)
    for k in range(K):
        wk = nrays[k] / N
        for j in range(m):
            nj = 0.0 if bad[j] else norm[j]
            f = tally[k, j] / nrays[k] * nj
            if keep:
                fk[k, j] = f
            if k == 0:
                mean[j] = wk * f
            else:
                mean[j] += wk * f
    var = np.zeros(m)
    for k in range(K):
        wk = nrays[k] / N
        for j in range(m):
            if keep:
                f = fk[k, j]
            else:
                nj = 0.0 if bad[j] else norm[j]
                f = tally[k, j] / nrays[k] * nj
            d = wk * (f - mean[j])
            if k == 0:
                var[j] = d * d
            else:
                var[j] += d * d
    c = K / max(K - 1, 1)
    for j in range(m):
        var[j] = np.sqrt(c * var[j])
        if bad[j]:
            mean[j] = np.nan
            var[j] = np.nan
            for k in range(fk.shape[0]):
                fk[k, j] = np.nan
    return mean, var, fk
