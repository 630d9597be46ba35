"""Where study tasks run: Dask distributed (a local cluster or any scheduler), or inline.

``dask_client(scheduler, workers)`` gives a client: with an address it connects to any
Dask scheduler (``dask scheduler``, dask-jobqueue on SLURM/PBS, Kubernetes); without one
it starts a local cluster of worker *processes* sized to the machine, one thread each
(a task may use ``threads`` numba threads inside).  Tasks are submitted with
``retries``; a task that was running on a worker that died is rescheduled by the
scheduler itself.  :class:`Runner` numbers the samples, skips the ones already in the
store, and records results in arrival order.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np

from ..context import RunContext
from .evaluators import run_sample
from .store import StudyStore

__all__ = ["dask_client", "DaskBackend", "SerialBackend", "Runner", "sample_seed",
           "check_scheduler"]


def check_scheduler(address: str, timeout: float = 5.0) -> None:
    """Refuse (RecipeError naming the address) a Dask scheduler that cannot be reached."""
    import socket
    from urllib.parse import urlsplit

    from ..errors import RecipeError

    text = address if "://" in address else f"tcp://{address}"
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if parts.scheme not in ("tcp", "tls", "ws", "wss") or not host or port is None:
        raise RecipeError(f"--scheduler {address[:100]!r}: write the scheduler's address as "
                          "tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786)", path="--scheduler")
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        raise RecipeError(f"cannot reach the Dask scheduler at {address[:100]} "
                          f"({exc.strerror or type(exc).__name__}); is `dask scheduler` "
                          "running there?", path="--scheduler") from None


def sample_seed(study_seed: int, index: int) -> int:
    """The seed of sample ``index``: ``RunContext(seed).seeds(1, "study", "sample", index)``,
    folded to 63 bits (so it fits a signed NetCDF integer)."""
    s = RunContext(seed=study_seed).seeds(1, "study", "sample", int(index))[0]
    return int(s) & ((1 << 63) - 1)


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None,
                threads: int = 1) -> Iterator[Any]:
    """A Dask client: connected to ``scheduler``, or to a new local cluster.

    The local cluster has ``workers`` processes (default: cores // threads) with one
    thread each, no dashboard, and is closed on exit.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        check_scheduler(scheduler)
        try:
            client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError) as exc:
            from ..errors import RecipeError
            raise RecipeError(f"cannot connect to the Dask scheduler at {scheduler[:100]} "
                              f"({type(exc).__name__})", path="--scheduler") from None
        try:
            yield client
        finally:
            client.close()
        return
    n = workers or max(1, RunContext.available_threads() // max(1, threads))
    from ..context import blas_threads

    with blas_threads(1), LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None,
                      worker_dashboard_address=None, silence_logs=40) as cluster, \
            Client(cluster) as client:
        yield client


class SerialBackend:
    """Run tasks inline, one after another (tests, debugging)."""

    def run(self, calls: list[tuple[str, tuple, dict]]) -> Iterator[tuple[str, Any]]:
        for key, args, kwargs in calls:
            yield key, run_sample(*args, **kwargs)


@dataclass
class DaskBackend:
    """Submit tasks to a Dask client and yield results as they complete."""

    client: Any
    retries: int = 3

    def run(self, calls: list[tuple[str, tuple, dict]]) -> Iterator[tuple[str, Any]]:
        from distributed import as_completed

        futures = {}
        for key, args, kwargs in calls:
            fut = self.client.submit(run_sample, *args, key=key, pure=False,
                                     retries=self.retries, **kwargs)
            futures[fut] = key
        try:
            for fut in as_completed(list(futures), loop=self.client.loop):
                yield futures[fut], fut.result()
                fut.release()
        finally:
            for fut in futures:
                fut.cancel()


@dataclass
class Runner:
    """Evaluate batches of samples: cache lookup, task submission, recording, progress."""

    backend: Any
    store: StudyStore
    evaluator: Any
    base: dict
    names: tuple[str, ...]
    encode: Callable[[np.ndarray], tuple]     # x row -> ((path, recipe value), ...)
    seed: int
    metrics: tuple[str, ...]
    common_seed: bool = False
    threads: int = 1
    key_prefix: str = "study"
    coarse: tuple[tuple[str, Any], ...] = ()
    profile_target: np.ndarray | None = None
    keep_profiles: bool = False
    on_result: Callable[[int, dict], None] | None = None
    progress: Any = None
    computed: int = 0
    reused: int = 0
    next_index: int = 0
    results: dict[int, dict] = field(default_factory=dict)

    def evaluate(self, xs: np.ndarray, *, fidelity: int = 1) -> list[dict]:
        """Metrics for each row of ``xs`` (new sample indices, in order)."""
        xs = np.atleast_2d(np.asarray(xs, dtype=float))
        idx = list(range(self.next_index, self.next_index + len(xs)))
        self.next_index += len(xs)
        calls, todo = [], {}
        self.store.grow(self.next_index)
        for i, x in zip(idx, xs):
            seed = sample_seed(self.seed, 0 if self.common_seed else i)
            hit = self.store.cached(i, x, seed, fidelity)
            if hit is not None:
                self.store.record(i, x, seed, fidelity, hit)
                self.results[i] = hit
                self.reused += 1
                continue
            self.store.reserve(i, x, seed, fidelity)
            assignments = self.encode(x) + (self.coarse if fidelity == 0 else ())
            key = f"{self.key_prefix}-{i}"
            todo[key] = (i, x, seed)
            calls.append((key, (self.evaluator, self.base, assignments, seed),
                          dict(metrics=self.metrics, threads=self.threads,
                               profile_target=self.profile_target,
                               keep_profile=self.keep_profiles)))
        if self.progress is not None:
            self.progress.add(len(xs), done=len(xs) - len(calls))
        self.store.flush()
        try:
            for key, result in self.backend.run(calls):
                i, x, seed = todo[key]
                self.store.record(i, x, seed, fidelity, result)
                self.results[i] = result
                self.computed += 1
                self.store.flush()
                if self.progress is not None:
                    self.progress.add(0, done=1)
                if self.on_result is not None:
                    self.on_result(i, result)
        except BaseException:
            self.store.flush(force=True)       # an interrupted study keeps what it has
            raise
        return [self.results[i] for i in idx]


class Progress:
    """A rich progress bar over samples (total grows for adaptive methods)."""

    def __init__(self, label: str):
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RP,
                                   TextColumn, TimeElapsedColumn, TimeRemainingColumn)
        self._bar = RP(TextColumn(label), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn(), TimeRemainingColumn())
        self._bar.start()
        self._task = self._bar.add_task(label, total=0)
        self.total = 0

    def add(self, total: int, *, done: int) -> None:
        self.total += total
        self._bar.update(self._task, total=self.total, advance=done)

    def close(self) -> None:
        self._bar.stop()
