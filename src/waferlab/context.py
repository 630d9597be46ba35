"""RunContext: where randomness, threads, output and progress live (no global state)."""
from __future__ import annotations

import os
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

__all__ = ["RunContext"]


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

    def apply_threads(self) -> None:
        """Set numba's thread count for kernels launched from this context."""
        if self.threads is None:
            return
        import numba

        numba.set_num_threads(max(1, min(int(self.threads), numba.config.NUMBA_NUM_THREADS)))

    @staticmethod
    def available_threads() -> int:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
