"""waferlab — a multi-scale simulator of semiconductor fabrication processes."""
from __future__ import annotations

import os as _os
import signal as _signal
import sys as _sys


def _quiet_interrupt_while_starting() -> None:
    """The ``waferlab`` command: Ctrl-C while the imports run exits 130 without a
    traceback (``waferlab.cli.main`` puts Python's handler back once it is running)."""
    if not _sys.argv or _os.path.basename(_sys.argv[0]) not in ("waferlab", "waferlab.exe"):
        return

    def _interrupted(signum, frame):          # pragma: no cover - exercised in a subprocess
        _os.write(2, b"interrupted\n")
        _os._exit(130)
    try:
        _signal.signal(_signal.SIGINT, _interrupted)
    except ValueError:                         # not the main thread
        pass


_quiet_interrupt_while_starting()

from importlib.metadata import PackageNotFoundError, version as _version  # noqa: E402

# The hot loops run in numba's thread pool; an idle multi-threaded BLAS pool spins after
# every small numpy matmul and steals those cores (a 30-70 % slowdown measured on 2 cores).
# One BLAS thread unless the user set it; effective when waferlab is imported before numpy.
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_var, "1")

from .context import RunContext  # noqa: E402
from .errors import RecipeError, SimulationError, WaferlabError  # noqa: E402
from .units import to_si  # noqa: E402

try:
    __version__ = _version("waferlab")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+src"

__all__ = ["RunContext", "RecipeError", "SimulationError", "WaferlabError", "to_si", "__version__"]
