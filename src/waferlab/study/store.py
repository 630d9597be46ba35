"""The study's results as an xarray Dataset, written to ``study.nc`` as they arrive.

Layout (NetCDF4 via h5netcdf; one row per sample, in sample order whatever the order of
arrival):

x(sample, parameter)   the knob values, in the unit of ``parameter_unit``
<metric>(sample)       each metric (SI floats), NaN until computed or when the run failed
wall_time_s(sample)    time inside the task
seed(sample)           the sample's seed (derived from the study seed, RunContext.seeds)
fidelity(sample)       1 = the base recipe's settings, 0 = the coarse screening settings
status(sample)         0 missing, 1 done, 2 failed (message in the ``errors`` attribute)
                       (a done sample whose run left a metric undefined has it NaN, the
                       reason in the ``notes`` attribute: {sample: {metric: reason}})

Every write goes to a temporary file renamed over ``study.nc`` (atomic), so a killed
study leaves a readable file; a re-run with the same study (attribute ``fingerprint``)
reuses every row whose values and seed match and recomputes only the rest.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..errors import RecipeError

__all__ = ["StudyStore", "MISSING", "DONE", "FAILED"]

MISSING, DONE, FAILED = 0, 1, 2


def _need_h5py() -> None:
    """h5netcdf writes through h5py, which it does not always pull in."""
    try:
        import h5py  # noqa: F401
    except ImportError:
        raise RecipeError("writing study.nc needs the h5py package (pip install h5py)",
                          path="--out") from None


class StudyStore:
    """Rows of a study, streamed to ``path`` (or kept in memory when ``path`` is None)."""

    def __init__(self, path: Path | None, *, names: tuple[str, ...], units: tuple[str, ...],
                 metrics: tuple[str, ...], attrs: dict[str, Any], flush_interval: float = 1.0):
        self.path, self.names, self.units, self.metrics = path, names, units, metrics
        self.attrs = dict(attrs)
        self.flush_interval = flush_interval
        self.n = 0
        self.x = np.zeros((0, len(names)))
        self.y = {m: np.zeros(0) for m in (*metrics, "wall_time_s")}
        self.seed = np.zeros(0, dtype=np.int64)
        self.fidelity = np.zeros(0, dtype=np.int8)
        self.status = np.zeros(0, dtype=np.int8)
        self.errors: dict[int, str] = {}
        self.notes: dict[int, dict] = {}
        self._old: xr.Dataset | None = None
        self._dirty, self._last = False, 0.0
        if path is not None and Path(path).exists():
            self._old = self._read_old(Path(path))

    def _read_old(self, path: Path) -> xr.Dataset | None:
        _need_h5py()
        try:
            ds = xr.load_dataset(path, engine="h5netcdf")
        except Exception as exc:  # an unreadable file from another program
            raise RecipeError(f"{path} exists but is not a study file ({exc}); choose another --out",
                              path="--out") from None
        if ds.attrs.get("fingerprint") != self.attrs.get("fingerprint"):
            raise RecipeError(f"{path} was written by a different study (or seed); remove it "
                              "or choose another --out", path="--out")
        return ds

    def grow(self, n: int) -> None:
        """Make room for ``n`` rows (new rows are missing)."""
        if n <= self.n:
            return
        extra = n - self.n
        self.x = np.vstack([self.x, np.full((extra, len(self.names)), np.nan)])
        for m in self.y:
            self.y[m] = np.concatenate([self.y[m], np.full(extra, np.nan)])
        self.seed = np.concatenate([self.seed, np.zeros(extra, np.int64)])
        self.fidelity = np.concatenate([self.fidelity, np.ones(extra, np.int8)])
        self.status = np.concatenate([self.status, np.zeros(extra, np.int8)])
        self.n = n

    def cached(self, i: int, x: np.ndarray, seed: int, fidelity: int) -> dict[str, Any] | None:
        """The stored result of row ``i`` if an earlier run computed exactly this sample."""
        old = self._old
        if old is None or i >= old.sizes["sample"] or int(old["status"][i]) == MISSING:
            return None
        if not (np.array_equal(old["x"].values[i], x) and int(old["seed"][i]) == seed
                and int(old["fidelity"][i]) == fidelity):
            return None
        out: dict[str, Any] = {m: float(old[m].values[i]) for m in self.y}
        if int(old["status"][i]) == FAILED:
            out["error"] = json.loads(old.attrs.get("errors", "{}")).get(str(i), "failed")
        note = json.loads(old.attrs.get("notes", "{}")).get(str(i))
        if note:
            out["missing"] = note
        return out

    def record(self, i: int, x: np.ndarray, seed: int, fidelity: int, result: dict[str, Any]) -> None:
        self.grow(i + 1)
        self.x[i] = x
        self.seed[i], self.fidelity[i] = seed, fidelity
        for m in self.y:
            self.y[m][i] = float(result.get(m, np.nan))
        if "error" in result:
            self.status[i] = FAILED
            self.errors[i] = str(result["error"])
        else:
            self.status[i] = DONE
        if result.get("missing"):
            self.notes[i] = dict(result["missing"])
        self._dirty = True

    def reserve(self, i: int, x: np.ndarray, seed: int, fidelity: int) -> None:
        """Make row ``i`` exist (missing) so an interrupted study shows its whole design."""
        self.grow(i + 1)
        if self.status[i] == MISSING:
            self.x[i] = x
            self.seed[i], self.fidelity[i] = seed, fidelity
            self._dirty = True

    def dataset(self) -> xr.Dataset:
        data: dict[str, tuple[tuple[str, ...], np.ndarray]] = {
            "x": (("sample", "parameter"), self.x.copy())}
        for m, v in self.y.items():
            data[m] = (("sample",), v.copy())
        data.update(seed=(("sample",), self.seed.copy()), fidelity=(("sample",), self.fidelity.copy()),
                    status=(("sample",), self.status.copy()))
        attrs = dict(self.attrs, errors=json.dumps({str(k): v for k, v in sorted(self.errors.items())}),
                     notes=json.dumps({str(k): v for k, v in sorted(self.notes.items())}))
        return xr.Dataset(data, coords={"sample": np.arange(self.n),
                                        "parameter": list(self.names),
                                        "parameter_unit": ("parameter", list(self.units))},
                          attrs=attrs)

    def flush(self, *, force: bool = False) -> None:
        """Write ``study.nc`` atomically (at most every ``flush_interval`` s unless forced)."""
        if self.path is None or not self._dirty:
            return
        now = time.monotonic()
        if not force and now - self._last < self.flush_interval:
            return
        _need_h5py()
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self.dataset().to_netcdf(tmp, engine="h5netcdf")
        os.replace(tmp, path)
        self._dirty, self._last = False, now
