"""What every benchmark shares: the thread environment, the stamp (commit, versions,
machine, load) and the results file, the 3D wafer the etch benches extrude, and the
side-by-side loop of the peer benches (``timed``, ``side_by_side``: every case run by
each code in turn in one process, wall and CPU time; ``peer_process``: a ViennaPS
process with rays per point; ``trench_depth_width``: the 2D trench measure).

Import it first in a bench script (``configure`` sets the thread environment before
NumPy, Numba or ViennaPS start their thread pools)::

    import harness                      # bench/ is the script's folder, so this resolves
    harness.configure(threads=2)
    ...
    harness.write_text(harness.RESULTS / "my_bench.md", text)   # stamped, atomic

Run `python bench/collect.py` to merge bench/results/*.md into bench/RESULTS.md.
"""
from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

__all__ = ["ROOT", "RESULTS", "configure", "stamp", "commit", "versions", "write_text",
           "extruded_wafer", "timed", "side_by_side", "trench_depth_width", "peer_setup", "peer_process", "Timing",
           "interleaved", "process"]

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


def write_text(path: Path, text: str) -> Path:
    """Write a results file: ``text``, then the stamp line, atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text.rstrip("\n") + "\n\n" + stamp() + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def timed(fn, *args, **kwargs):
    """(fn(*args, **kwargs), wall seconds, CPU seconds of this process, all threads)."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0, time.process_time() - c0


def side_by_side(cases, codes, row=None) -> dict:
    """Every case (a tuple of arguments) run by every code ((name, fn) pairs) in this
    process, interleaved case by case, so both codes see the same machine load:
    {(case, name): (result, wall s, CPU s)}.  ``row(case, name, result, wall, cpu)``, when
    given, returns a table row that is printed as each run ends."""
    out = {}
    for case in cases:
        for name, fn in codes:
            out[(case, name)] = timed(fn, *case)
            if row is not None:
                print(row(case, name, *out[(case, name)]), flush=True)
    return out


def trench_depth_width(xy, width: float, h: float) -> tuple[float, float]:
    """(depth below y = 0 at the centre |x| < width/4, width at half that depth) of a 2D
    surface's points xy (same unit as width and h; the band |y + depth/2| < 0.75 h)."""
    import numpy as np

    x, y = xy[:, 0], xy[:, 1]
    depth = -float(y[np.abs(x) < 0.25 * width].min())
    near = np.abs(y + 0.5 * depth) < 0.75 * h
    return depth, (float(np.ptp(x[near])) if near.sum() >= 2 else float("nan"))


def peer_layer_width(ps, domain, material, depth: float) -> float:
    """Width of a 2D ViennaPS domain's ``material`` level set at half ``depth`` below y = 0
    (the wall under films above it; the extent of its points in the band |y + depth/2| <
    0.75 h).  The peer's ``getSurfaceMesh()`` adds every material interface by default;
    ``getSurfaceMesh(addInterfaces=False)`` is its top surface alone."""
    import numpy as np
    import viennals as vls

    mm = domain.getMaterialMap()
    for i, ls in enumerate(domain.getLevelSets()):
        if mm.getMaterialAtIdx(i) == material:
            mesh = vls.Mesh()
            vls.ToSurfaceMesh(ls, mesh).apply()
            xy = np.asarray(mesh.getNodes())[:, :2]
            sel = np.abs(xy[:, 1] + 0.5 * depth) < 0.75 * domain.getGridDelta()
            return float(np.ptp(xy[sel, 0])) if sel.sum() >= 2 else float("nan")
    return float("nan")


@dataclass(frozen=True)
class Timing:
    """One code on one case: its result (the last run's), the median wall and CPU time
    (s; CPU = user + system of the whole process, all threads) over the timed runs, the
    load average (1 min) around them and the first run's wall/CPU (with compilation or
    cache loading, when ``warmup``)."""

    result: Any
    wall: float
    cpu: float
    load: float
    runs: int
    first_wall: float = float("nan")
    first_cpu: float = float("nan")


def interleaved(cases: list, codes: dict[str, Callable[[Any], Any]], repeats: int = 3,
                warmup: bool = True) -> dict[tuple[Any, str], Timing]:
    """Run every code on every case in one launch, the codes alternating within each case
    and the whole round repeated ``repeats`` times, so that the machine's load falls on
    all of them alike; ``warmup`` runs each code once per case first (numba compilation
    and cache loading; reported as ``first_*``).  Returns {(case, code name): Timing}."""
    first: dict[tuple[Any, str], tuple[float, float]] = {}
    if warmup:
        for case in cases:
            for name, fn in codes.items():
                _, w, c = timed(fn, case)
                first[(case, name)] = (w, c)
    runs: dict[tuple[Any, str], list] = {(case, name): [] for case in cases for name in codes}
    loads: dict[tuple[Any, str], list] = {k: [] for k in runs}
    for _ in range(repeats):
        for case in cases:
            for name, fn in codes.items():
                runs[(case, name)].append(timed(fn, case))
                loads[(case, name)].append(os.getloadavg()[0])
    out = {}
    for key, rs in runs.items():
        fw, fc = first.get(key, (float("nan"), float("nan")))
        out[key] = Timing(result=rs[-1][0], wall=statistics.median(r[1] for r in rs),
                          cpu=statistics.median(r[2] for r in rs),
                          load=statistics.mean(loads[key]), runs=len(rs),
                          first_wall=fw, first_cpu=fc)
    return out


def peer_setup(ps, dim: int, length_unit: str, time_unit: str = "s", threads: int = 2) -> None:
    """ViennaPS's global settings for one case: dimension, threads, length and time units
    (the unit names the peer takes, e.g. "um", "nm", "s", "min"), errors only in its log;
    ``ps`` is the imported viennaps module."""
    ps.setDimension(dim)
    ps.setNumThreads(threads)
    ps.Length.setUnit(length_unit)
    ps.Time.setUnit(time_unit)
    ps.Logger.setLogLevel(ps.LogLevel.ERROR)


def peer_process(ps, domain, model, duration: float, rays: int, *params) -> None:
    """Run a ViennaPS ``Process`` of ``model`` on ``domain`` for ``duration`` (the peer's
    time unit) with ``rays`` rays per point and any further parameter objects (e.g.
    ``CoverageParameters``); ``ps`` is the imported viennaps module."""
    proc = ps.Process(domain, model)
    proc.setProcessDuration(duration)
    rp = ps.RayTracingParameters()
    rp.raysPerPoint = rays
    for par in (*params, rp):
        proc.setParameters(par)
    proc.apply()


def process(cmd: list[str], *, cwd=None, env: dict | None = None) -> dict:
    """Run ``cmd`` as a child process (the whole process, as a user pays it): wall s,
    CPU s (user + system, all its threads, from ``os.wait4``), peak RSS MB, the load
    average (1 min) when it started, exit code and the tail of its stderr."""
    import tempfile

    with tempfile.TemporaryFile() as err:
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read()[-3000:].decode("utf-8", "replace")
    return {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / 1024,
            "load": load, "rc": p.returncode, "stderr": tail}
