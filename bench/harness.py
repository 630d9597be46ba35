"""What every benchmark shares: the environment, the stamp, timing, peak memory, the
peer's set-up and the results file.

Import it first in a bench script (it sets the thread environment before NumPy, Numba or
ViennaPS start their thread pools)::

    import harness                      # bench/ is the script's folder, so this resolves
    harness.configure(threads=2)
    ...
    with harness.Timer() as t:
        run()
    harness.write_results("my_bench", lines)   # bench/results/my_bench.md, stamped

Run `python bench/collect.py` to merge bench/results/*.md into bench/RESULTS.md.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ROOT", "RESULTS", "configure", "stamp", "commit", "versions", "Timer", "measure_command",
           "Measured", "viennaps", "write_results", "write_text", "extruded_wafer"]

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def configure(threads: int = 2) -> None:
    """Thread counts for OpenMP (the peer), BLAS and Numba; passive OpenMP waiting so two
    codes in one launch do not spin against each other on a shared machine. Call before
    the first import of numpy, numba or viennaps."""
    for var in ("OMP_NUM_THREADS", "NUMBA_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    os.environ["OMP_WAIT_POLICY"] = "passive"


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def commit() -> str:
    """Short commit hash, with "+ local changes" when src/ or bench/ differ from it."""
    head = _git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = _git("status", "--porcelain", "--", "src", "bench")
    return head + (" (+ local changes)" if dirty else "")


def versions() -> dict[str, str]:
    """Versions of waferlab, its numerical stack and the peer (when installed)."""
    out = {"python": platform.python_version()}
    for name in ("waferlab", "numpy", "numba", "scipy", "viennaps"):
        try:
            mod = __import__(name)
            out[name] = str(getattr(mod, "__version__", "?"))
        except ImportError:
            continue
    return out


def stamp() -> str:
    """One line for a results file: commit, date, versions, machine and load."""
    v = ", ".join(f"{k} {x}" for k, x in versions().items())
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"Commit {commit()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {v}; "
            f"{platform.machine()}, {os.cpu_count()} CPUs, "
            f"{os.environ.get('OMP_NUM_THREADS', '?')} threads, load average {load:.1f}.")


@dataclass
class Timer:
    """Wall and CPU seconds (this process) of a ``with`` block."""
    wall: float = 0.0
    cpu: float = 0.0
    _t: tuple[float, float] = field(default=(0.0, 0.0), repr=False)

    def __enter__(self) -> "Timer":
        self._t = (time.perf_counter(), time.process_time())
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._t[0]
        self.cpu = time.process_time() - self._t[1]


@dataclass(frozen=True)
class Measured:
    """A whole-process measurement of one command."""
    wall_s: float
    cpu_s: float
    peak_rss_MB: float
    returncode: int
    stdout: str


def measure_command(cmd: list[str], *, env: dict[str, str] | None = None,
                    cwd: Path | None = None, timeout: float | None = None) -> Measured:
    """Run ``cmd`` as its own process: wall time, CPU time (user + system) and peak
    resident memory of that process alone (``wait4``), and its standard output."""
    import tempfile

    with tempfile.TemporaryFile(mode="w+") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, cwd=cwd,
                                stdout=log, stderr=subprocess.STDOUT, text=True)
        deadline = None if timeout is None else t0 + timeout
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                proc.kill()
                pid, status, ru = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        out = log.read()
    return Measured(wall_s=wall, cpu_s=ru.ru_utime + ru.ru_stime, peak_rss_MB=ru.ru_maxrss / 1024.0,
                    returncode=proc.returncode, stdout=out)


def extruded_wafer(recipe, dim: int, y_extent: float):
    """The recipe's wafer; in 3D its 2D structure extruded along y over ``y_extent`` (m)
    (the recipe check wants an opening to fit along y too, so the 3D grid is built here)."""
    from waferlab.feature.builders import cut_feature, layer_stack
    from waferlab.feature.grid import Grid
    from waferlab.runner import initial_wafer
    from waferlab.wafer import Wafer

    if dim == 2:
        return initial_wafer(recipe)
    g, st = recipe.spec.grid, recipe.spec.structure
    grid = Grid(dimension=3, spacing=g.spacing, extent=(g.extent[0], y_extent), boundary=g.boundary)
    geom = layer_stack(grid, st.substrate.material, [(la.material, la.thickness) for la in st.layers])
    f = st.feature
    if f is not None:
        geom = cut_feature(geom, kind=f.type, width=f.width, depth=f.depth)
    return Wafer(geometry=geom)


def viennaps(threads: int = 2):
    """The peer, imported and set to ``threads`` threads, or None when not installed."""
    try:
        import viennaps as vps
    except ImportError:
        return None
    set_threads = getattr(vps, "setNumThreads", None)
    if set_threads is not None:
        set_threads(threads)
    return vps


def write_text(path: Path, text: str) -> Path:
    """Write a results file: ``text``, then the stamp line, atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text.rstrip("\n") + "\n\n" + stamp() + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_results(name: str, lines: list[str]) -> Path:
    """Write bench/results/<name>.md (the lines, then the stamp), atomically."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.md"
    text = "\n".join([*lines, "", stamp(), ""])
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
    print(text if "--quiet" not in sys.argv else f"wrote {path}")
    return path
