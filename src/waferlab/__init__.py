"""waferlab — a multi-scale simulator of semiconductor fabrication processes.

The Python API (docs/python-api.md): :func:`load_recipe`, :func:`run` (a :class:`Result`
with metrics, profile arrays, the wafer and ``plot()``), :func:`solve_reactor`,
:func:`image` (litho), :func:`probe_fluxes` and :func:`run_study`.  Importing waferlab changes nothing in the
process (no environment variables, no signal handlers, no thread settings) unless it is
the ``waferlab`` command itself.
"""
from __future__ import annotations

import os as _os
import signal as _signal
import sys as _sys


def _is_command() -> bool:
    """True when this process is the ``waferlab`` command (or ``python -m waferlab``)."""
    if not _sys.argv or not _sys.argv[0]:
        return False
    a0 = _os.path.basename(_sys.argv[0])
    return a0 in ("waferlab", "waferlab.exe") or (
        a0 == "__main__.py" and _os.path.basename(_os.path.dirname(_sys.argv[0])) == "waferlab")


def _command_start_up() -> None:
    """The ``waferlab`` command only: Ctrl-C while the imports run exits 130 without a
    traceback (``waferlab.cli.main`` puts Python's handler back once it is running), and
    one BLAS thread unless the user set it — the hot loops run in numba's thread pool and
    an idle multi-threaded BLAS pool spins after every small numpy matmul and steals those
    cores (a 30-70 % slowdown measured on 2 cores); passive OpenMP waiting unless the user
    set it (numba's OpenMP pool otherwise spins between parallel loops: about 20x the CPU
    of the band rebuild on a loaded 2-core machine, and what the benchmarks in bench/
    measure with); effective because this runs before numpy and numba are imported.  A
    library import does neither (see :func:`blas_threads` for a scoped setting in Python).

    The cyclic garbage collector is held off until the command's work begins
    (``waferlab.cli.resume_collector``): the start-up's imports create ~10⁶ long-lived
    objects (modules, classes, numba's typing tables) that every full collection would
    walk again (bench/results/startup_s14.md).  numba's own start-up skips scipy.linalg's
    ``__init__`` and cffi (``waferlab._lazy.light_numba_start``: ≈0.25 s CPU,
    bench/results/startup_s15.md)."""
    if not _is_command():
        return
    for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        _os.environ.setdefault(var, "1")
    _os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    import gc

    gc.disable()
    from ._lazy import light_numba_start

    light_numba_start()

    def _interrupted(signum, frame):          # pragma: no cover - exercised in a subprocess
        _os.write(2, b"interrupted\n")
        _os._exit(130)
    try:
        _signal.signal(_signal.SIGINT, _interrupted)
    except ValueError:                         # not the main thread
        pass


_command_start_up()

from .errors import RecipeError, SimulationError, WaferlabError  # noqa: E402


def _package_version() -> str:
    """The installed distribution's version (importlib.metadata: ~0.03 s CPU to import,
    so read on first use of ``__version__``)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("waferlab")
    except PackageNotFoundError:  # running from a source tree
        return "0.0.0+src"

__all__ = ["RunContext", "RecipeError", "SimulationError", "WaferlabError", "to_si", "__version__",
           "load_recipe", "run", "Result", "solve_reactor", "ReactorResult", "image",
           "LithoResult", "run_study", "StudyResult", "Recipe", "blas_threads", "probe_fluxes",
           "FluxProbe"]

# the API is imported on first use (``import waferlab`` stays light for the CLI's start-up:
# RunContext (NumPy) and to_si (pydantic) too, which ``waferlab --help`` does not need)
_LAZY = {"RunContext": "context", "to_si": "units", "load_recipe": "api", "run": "api",
         "Result": "api", "solve_reactor": "api",
         "ReactorResult": "api", "run_study": "api", "image": "litho.report",
         "LithoResult": "litho.report", "StudyResult": "study.run", "Recipe": "recipe",
         "blas_threads": "context", "probe_fluxes": "api", "FluxProbe": "api"}


def __getattr__(name: str):
    if name == "__version__":
        value = _package_version()
        globals()["__version__"] = value
        return value
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
