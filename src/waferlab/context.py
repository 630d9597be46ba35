"""RunContext: where randomness, threads, output and progress live (no global state)."""
from __future__ import annotations

import os
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from contextlib import contextmanager
from typing import Callable, Iterator

import numpy as np

__all__ = ["RunContext", "check_seed_threads", "MAX_SEED", "blas_threads"]

_BLAS_VARS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextmanager
def blas_threads(n: int = 1) -> Iterator[None]:
    """Set ``OPENBLAS_NUM_THREADS``/``MKL_NUM_THREADS`` to ``n`` inside the block and put
    the previous values back after it.  BLAS reads them when it starts: they govern the
    processes started inside the block (a local Dask cluster's workers) and a numpy first
    imported there.  The ``waferlab`` command sets 1 for itself at start-up; importing
    waferlab as a library sets nothing."""
    old = {v: os.environ.get(v) for v in _BLAS_VARS}
    try:
        for v in _BLAS_VARS:
            os.environ[v] = str(int(n))
        yield
    finally:
        for v, val in old.items():
            if val is None:
                os.environ.pop(v, None)
            else:
                os.environ[v] = val

MAX_SEED = 2**63 - 1


def check_seed_threads(seed: object, threads: object) -> None:
    """RecipeError unless ``seed`` is an integer in [0, 2**63 - 1] and ``threads`` is None
    or an integer in [1, 4096] (the Python API's check of what the CLI's flags allow)."""
    from .errors import RecipeError, short_repr

    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= MAX_SEED:
        raise RecipeError(f"{short_repr(seed)} must be an integer in [0, {MAX_SEED}] (seeds "
                          "are non-negative)", path="seed", value=seed)
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, (int, np.integer))
                                or not 1 <= threads <= 4096):
        raise RecipeError(f"{short_repr(threads)} must be None (all cores) or an integer in "
                          "[1, 4096]", path="threads", value=threads)


class _ThreadScope:
    """The numba thread count set by :meth:`RunContext.apply_threads`; as a context
    manager it puts the previous count back on exit."""

    def __init__(self, previous: int | None):
        self.previous = previous

    def __enter__(self) -> "_ThreadScope":
        return self

    def __exit__(self, *exc) -> None:
        if self.previous is not None:
            import numba

            numba.set_num_threads(self.previous)


def _key(name: str) -> int:
    """A stable 32-bit key for a stream name (crc32, not Python's salted hash)."""
    return zlib.crc32(name.encode("utf-8"))


@dataclass(frozen=True, kw_only=True)
class RunContext:
    """Everything a run needs besides the recipe.

    seed      base seed; every random stream is derived from it by name
    threads   numba threads for kernels (None: all cores)
    out_dir   output folder (None: nothing written)
    progress  show rich progress bars
    log       a callable taking one line of text (default: nothing)
    """

    seed: int = 0
    threads: int | None = None
    out_dir: Path | None = None
    progress: bool = False
    log: Callable[[str], None] = field(default=lambda line: None, repr=False, compare=False)

    def seed_sequence(self, *names: str | int) -> np.random.SeedSequence:
        """The seed sequence of the stream called ``names`` (e.g. ``("step", 3, "rays")``)."""
        key = tuple(_key(n) if isinstance(n, str) else int(n) for n in names)
        return np.random.SeedSequence(entropy=int(self.seed), spawn_key=key)

    def rng(self, *names: str | int) -> np.random.Generator:
        """A fresh generator for the stream ``names``; same names, same numbers."""
        return np.random.default_rng(self.seed_sequence(*names))

    def seeds(self, count: int, *names: str | int) -> np.ndarray:
        """``count`` uint64 seeds for parallel kernels (one per chunk, not per thread)."""
        return self.seed_sequence(*names).generate_state(count, dtype=np.uint64)

    def with_(self, **changes) -> "RunContext":
        """A copy with some fields changed."""
        return replace(self, **changes)

    def apply_threads(self) -> _ThreadScope:
        """Set numba's thread count for kernels launched from this context.

        ``with ctx.apply_threads(): ...`` restores the previous count at the end (the
        Python API does this, so a call never changes the caller's numba settings)."""
        if self.threads is None:
            return _ThreadScope(None)
        import numba

        previous = numba.get_num_threads()
        # numba.config sets NUMBA_NUM_THREADS at import (from the environment): not in its types
        most = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
        numba.set_num_threads(max(1, min(int(self.threads), most)))
        return _ThreadScope(previous)

    @staticmethod
    def available_threads() -> int:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
