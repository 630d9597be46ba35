"""The Runge–Kutta stage of ``advect.advance`` by chunks of x-planes (private; split
out of ``advect`` in session 15, unchanged).  Re-exported by ``advect``."""
from __future__ import annotations

import numpy as np

from . import _band as KB
from . import _kernels as K
from . import _step_kernels as KS

__all__ = ["STAGE_CHUNKS", "moving_stages", "plane_starts", "stage_chunked"]

STAGE_CHUNKS = 16     # a stage runs over the band's x-planes in about this many chunks
_REACH = 3            # x-planes a stage reads on each side of a node (WENO5; EO reads 1)


def plane_starts(band: np.ndarray, shape: tuple[int, ...]) -> np.ndarray | None:
    """Band index at which each x-plane of a (nx, ny, nz) array starts (nx + 1 entries;
    the band is sorted), or None for grids too small to stage by chunks."""
    nx = shape[0]
    if nx < 4 * _REACH * 2:
        return None
    per = int(np.prod(shape[1:]))
    return np.searchsorted(band, (np.arange(nx + 1) * per).astype(band.dtype))


def stage_chunked(u: np.ndarray, u0: np.ndarray, band: np.ndarray, V: np.ndarray,
                  planes: np.ndarray | None, dt: float, wa: float, wb: float,
                  args: tuple, *, first: bool = False, last: bool = False,
                  hold: bool = False) -> int:
    """One Runge–Kutta stage, u[band] = wa·u0 + wb·(u + dt·L(u)) (``K.stage_band``), with
    the results held for a few x-planes at a time instead of a band-size array (#18).
    ``first``: u holds φⁿ and u0 is filled with it as the stage reads it
    (``KS.stage_band_first``: the gather folded in); ``last``: the write-back counts the
    non-finite values it writes (``KS.scatter_finite``), returned (else 0); ``hold``:
    the zero-speed nodes keep u0 exactly (``KS.stage_band_hold``; the first stage
    keeps them anyway).

    A node reads u at most ``_REACH`` x-planes away (wrapped or mirrored into the first
    and last three planes), so the chunk of planes [a, b) is computed from u before any
    of planes [a − 3, nx) or the first three is written; after it, the planes below
    b − 3 (but the first three) are written back, the last three wait for the next
    chunk, and the first three for the end.  Every node gets exactly the numbers of the
    whole-band stage."""
    kernel = KS.stage_band_first if first else KS.stage_band_hold if hold else K.stage_band
    if planes is None:
        new = np.empty_like(u0)
        kernel(u, u0, new, band, V, dt, wa, wb, *args)
        if last:
            return int(KS.scatter_finite(u, band, new))
        K.scatter(u, band, new)
        return 0
    nx = len(planes) - 1
    step = max(2 * _REACH + 2, -(-nx // STAGE_CHUNKS))

    def compute(a, b, sa, sb):
        cur = np.empty(sb - sa)
        if sb > sa:
            kernel(u, u0[sa:sb], cur, band[sa:sb], V[sa:sb], dt, wa, wb, *args)
        return (cur,)

    if last:
        return sum(KB.delayed_chunks(nx, planes, step, _REACH, compute,
                                     lambda lo, hi, c: int(KS.scatter_finite(u, band[lo:hi], c))))
    KB.delayed_chunks(nx, planes, step, _REACH, compute,
                      lambda lo, hi, c: K.scatter(u, band[lo:hi], c))
    return 0


def moving_stages(u: np.ndarray, band: np.ndarray, V: np.ndarray, dt: float,
                  weights: tuple, args: tuple) -> tuple[np.ndarray, np.ndarray, int]:
    """The Runge–Kutta stages of a beam (``stage_chunked`` with ``hold``) over the band
    nodes that move (V ≠ 0) only (issue #18, session 15): a zero-speed node keeps φⁿ bit
    for bit in every stage (the first stage's 0·φⁿ + 1·(φⁿ − dt·0) = φⁿ, the later ones
    by the hold), so it need not be visited, and its neighbours read φⁿ from u whenever
    they read it, as in the whole-band stages.  The same numbers on every node.

    Returns (the moving nodes, φⁿ on them, the number of non-finite values written)."""
    mv = np.flatnonzero(V != 0.0)
    mb = band[mv]
    Vm = V[mv]
    del mv
    planes = plane_starts(mb, u.shape)
    u0 = np.empty(len(mb))
    bad = 0
    nw = len(weights)
    for q, (wa, wb) in enumerate(weights):
        bad = stage_chunked(u, u0, mb, Vm, planes, dt, wa, wb, args,
                            first=q == 0, last=q == nw - 1, hold=True)
    return mb, u0, bad
