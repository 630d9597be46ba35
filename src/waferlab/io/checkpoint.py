"""Checkpoints: the wafer and the run's position, in one .npz written atomically.

A checkpoint holds the level sets, the vertical origin, material names, the grid, the
wafer's simulated time, history and (JSON) fields, and where the run stands: ``next_step`` (index of
the step in progress or to start) and ``step_time`` (seconds of it already done), the
``recipe_hash`` (resolved recipe with its effective seed) and ``seed``.

``checksum`` is the SHA-256 of the level-set bytes and the metadata text; a checkpoint
whose checksum, type or any field does not check out is refused with a
:class:`~waferlab.errors.SimulationError` that names the file and what is wrong
(truncated, empty, random or flipped bytes, edited metadata), never a traceback.
"""
from __future__ import annotations

import hashlib
import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SimulationError
from .atomic import atomic_path

__all__ = ["Checkpoint", "save_checkpoint", "load_checkpoint", "CheckpointError"]

FORMAT = 2
CHUNK_BYTES = 4 << 20          # slice of the level sets written at a time
#: deflate level of the members: 1, the fastest — φ is mostly long runs of the band's
#: clamp values, so level 1 gives 3.6 MB where 6 gave 3.1 MB on the 5.12 µm cell, at
#: 0.21 s instead of 0.50 s CPU (#18: the final checkpoint was the largest output cost)
ZLIB_LEVEL = 1


class CheckpointError(SimulationError):
    """A checkpoint that cannot be trusted."""


@dataclass(frozen=True)
class Checkpoint:
    wafer: Any
    next_step: int
    step_time: float
    recipe_hash: str
    steps_taken: int
    seed: int | None = None


def _hash_head(phi: np.ndarray) -> "hashlib._Hash":
    """SHA-256 started on the level sets' dtype and shape (the bytes and the metadata
    text follow: :func:`_checksum`)."""
    h = hashlib.sha256()
    h.update(str(phi.dtype.str).encode())
    h.update(repr(phi.shape).encode())
    return h


def _checksum(phi: np.ndarray, meta_text: str) -> str:
    h = _hash_head(phi)
    # the bytes, no copy; ndarray exports the buffer protocol, which numpy's stubs declare
    # (__buffer__) only for Python >= 3.12
    h.update(np.ascontiguousarray(phi).reshape(-1).view(np.uint8))  # type: ignore[arg-type]
    h.update(meta_text.encode("utf-8"))
    return h.hexdigest()


def _array_chunks(phi: np.ndarray, nbytes: int):
    flat = memoryview(np.ascontiguousarray(phi, dtype=np.float64).reshape(-1).view(np.uint8))  # type: ignore[arg-type]
    for lo in range(0, len(flat), nbytes):
        yield flat[lo:lo + nbytes]


def _write_npz(fh, geometry, text: str) -> None:
    """The .npz of ``np.savez_compressed(fh, phi=phi, meta=..., checksum=...)`` (same
    members, same ``.npy`` bytes in each; deflated at :data:`ZLIB_LEVEL`), written with
    a fixed working set: the level sets go into the zip member in :data:`CHUNK_BYTES`
    slices (of their own buffer when dense, read a slab of planes at a time from a tiled
    stack: no copy of the volume; numpy's writer would copy each 16 MiB block through a buffered iterator), and the
    checksum is taken in the same pass."""
    if isinstance(geometry, np.ndarray):       # the level sets themselves
        shape = tuple(int(n) for n in geometry.shape)
        parts = _array_chunks(geometry, CHUNK_BYTES)
    else:                                      # a stack (tiled: read by slabs)
        shape = (geometry.n_layers,) + tuple(int(n) for n in geometry.shape)
        parts = geometry.chunks(CHUNK_BYTES)
    h = hashlib.sha256()                   # = _hash_head of the dense φ
    h.update(str(np.dtype(np.float64).str).encode())
    h.update(repr(shape).encode())
    header = {"shape": shape, "fortran_order": False,
              "descr": np.lib.format.dtype_to_descr(np.dtype(np.float64))}
    with zipfile.ZipFile(fh, mode="w", compression=zipfile.ZIP_DEFLATED, allowZip64=True,
                         compresslevel=ZLIB_LEVEL) as zf:
        with zf.open("phi.npy", "w", force_zip64=True) as fid:
            np.lib.format.write_array_header_1_0(fid, header)
            for part in parts:
                h.update(part)
                fid.write(part)
        h.update(text.encode("utf-8"))
        for name, value in (("meta", text), ("checksum", h.hexdigest())):
            with zf.open(name + ".npy", "w", force_zip64=True) as fid:
                np.lib.format.write_array(fid, np.array(value), allow_pickle=False)


def save_checkpoint(path: str | Path, wafer, *, next_step: int, step_time: float,
                    recipe_hash: str, steps_taken: int = 0, seed: int | None = None) -> None:
    """Write the checkpoint atomically (temporary file, then ``os.replace``).  Beyond the
    live level sets it needs about 2 × :data:`CHUNK_BYTES` (a slice and its compressed
    form), not a copy of the volume (#18)."""
    g = wafer.geometry
    meta = {"format": FORMAT, "materials": list(g.materials), "z0": float(g.z0),
            "time": float(wafer.time),
            "reference_top": float(g.reference_top),
            "history": list(wafer.history), "next_step": int(next_step),
            "step_time": float(step_time), "recipe_hash": recipe_hash,
            "steps_taken": int(steps_taken), "seed": None if seed is None else int(seed),
            "fields": [[name, value] for name, value in wafer.fields],
            "grid": {"dimension": g.grid.dimension, "spacing": g.grid.spacing,
                     "extent": list(g.grid.extent), "boundary": str(g.grid.boundary)}}
    text = json.dumps(meta)
    with atomic_path(path, suffix=".npz") as tmp:
        with open(tmp, "wb") as fh:
            _write_npz(fh, g, text)


def _bad(path: Path, why: str) -> CheckpointError:
    return CheckpointError(f"checkpoint {path} is damaged or not a waferlab checkpoint "
                           f"({why}); remove it (or run with --overwrite) to start again")


def _num(meta: dict, key: str, kind: type, path: Path, *, lo: float | None = None) -> Any:
    v = meta.get(key)
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) if kind is float \
        else isinstance(v, int) and not isinstance(v, bool)
    if not ok or (kind is float and not math.isfinite(v)) or (lo is not None and v < lo):  # type: ignore[arg-type,operator]
        raise _bad(path, f"field {key!r} = {v!r:.40} is not a valid {kind.__name__}")
    return v


def _owned(phi: np.ndarray) -> np.ndarray:
    """``phi`` as the array that owns its buffer (numpy reads a .npy member into a flat
    array and returns a reshaped view of it): the run can then grow it in place
    (:func:`~waferlab.feature.levelset.grow_vertical`) and no copy is needed on load."""
    base = phi.base
    if (isinstance(base, np.ndarray) and base.flags.owndata and base.flags.c_contiguous
            and phi.flags.c_contiguous and base.dtype == phi.dtype and base.size == phi.size):
        shape = phi.shape
        del phi
        base.shape = shape                  # in place, as levelset.grow_vertical does
        return base
    return phi


def _read(path: Path) -> tuple[np.ndarray, dict]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _bad(path, exc.strerror or "unreadable") from None
    if size == 0:
        raise _bad(path, "the file is empty")
    try:
        with np.load(path, allow_pickle=False) as data:
            names = set(data.files)
            if not {"phi", "meta", "checksum"} <= names:
                raise _bad(path, f"it lacks {sorted({'phi', 'meta', 'checksum'} - names)}")
            phi = _owned(data["phi"])
            text = str(data["meta"])
            checksum = str(data["checksum"])
    except CheckpointError:
        raise
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zipfile.LargeZipFile,
            RuntimeError, UnicodeError, NotImplementedError, TypeError) as exc:
        raise _bad(path, f"{type(exc).__name__}: {str(exc)[:80]}") from None
    except Exception as exc:                       # zlib.error and friends
        raise _bad(path, f"{type(exc).__name__}: {str(exc)[:80]}") from None
    if phi.dtype != np.float64 or phi.ndim not in (3, 4):
        raise _bad(path, f"level sets of dtype {phi.dtype} and {phi.ndim} dimensions")
    if _checksum(phi, text) != checksum:
        raise _bad(path, "checksum mismatch: the file was changed after it was written")
    meta = _meta(path, text)
    return phi, meta


def _phi_header(fid) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran_order, dtype) of the ``phi.npy`` member open as ``fid``."""
    version = np.lib.format.read_magic(fid)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(fid)
    return np.lib.format.read_array_header_2_0(fid)


def _tiled_wanted(path: Path, tiled: bool | None) -> bool:
    """Whether to read the level sets into column tiles: ``tiled``, or None: when the
    tiled step is the automatic choice for a 3D stack of this size
    (``tiled_run.AUTO_TILES`` and ``TILED_MIN_NODES``).  False when the header cannot be
    read (the dense reader then names what is wrong)."""
    if tiled is False:
        return False
    from ..feature import tiled_run
    try:
        with zipfile.ZipFile(path) as zf, zf.open("phi.npy") as fid:
            shape, _, _ = _phi_header(fid)
    except Exception:
        return False
    if len(shape) != 4:
        return False
    if tiled:
        return True
    return tiled_run.AUTO_TILES and int(np.prod(shape[1:])) >= tiled_run.TILED_MIN_NODES


def _read_tiled(path: Path):
    """``_read`` into column tiles (``feature.layer_tiles.LayerTiles``): the ``phi``
    member is streamed a slab of x-planes at a time and hashed in the same pass, so no
    dense φ is formed (a resumed large cell, #18); the checksum is checked at the end."""
    from ..feature.layer_tiles import LayerTiles

    try:
        with zipfile.ZipFile(path) as zf:
            names = {n[:-4] for n in zf.namelist() if n.endswith(".npy")}
            if not {"phi", "meta", "checksum"} <= names:
                raise _bad(path, f"it lacks {sorted({'phi', 'meta', 'checksum'} - names)}")
            with zf.open("meta.npy") as fid:
                text = str(np.lib.format.read_array(fid, allow_pickle=False))
            with zf.open("checksum.npy") as fid:
                checksum = str(np.lib.format.read_array(fid, allow_pickle=False))
            with zf.open("phi.npy") as fid:
                shape, fortran, dtype = _phi_header(fid)
                if dtype != np.float64 or len(shape) != 4 or fortran:
                    raise _bad(path, f"level sets of dtype {dtype} and {len(shape)} dimensions")
                h = hashlib.sha256()                 # = _hash_head of the dense φ
                h.update(str(np.dtype(np.float64).str).encode())
                h.update(repr(tuple(shape)).encode())
                plane = int(shape[2]) * int(shape[3])

                def planes_of(k: int, i0: int, i1: int) -> np.ndarray:
                    n = (i1 - i0) * plane * 8
                    raw = fid.read(n)
                    if len(raw) != n:
                        raise _bad(path, "the level sets are truncated")
                    h.update(raw)
                    return np.frombuffer(raw, dtype=np.float64).reshape(i1 - i0, *shape[2:])

                cols = LayerTiles.from_planes(int(shape[0]), tuple(shape[1:]), planes_of)
    except CheckpointError:
        raise
    except Exception as exc:                       # zip, zlib and header errors
        raise _bad(path, f"{type(exc).__name__}: {str(exc)[:80]}") from None
    h.update(text.encode("utf-8"))
    if h.hexdigest() != checksum:
        raise _bad(path, "checksum mismatch: the file was changed after it was written")
    meta = _meta(path, text)
    return cols, meta


def _meta(path: Path, text: str) -> dict:
    """The checkpoint's metadata mapping from its JSON text (CheckpointError otherwise)."""
    try:
        meta = json.loads(text)
    except ValueError:
        raise _bad(path, "metadata is not JSON") from None
    if not isinstance(meta, dict):
        raise _bad(path, "metadata is not a mapping")
    return meta


def load_checkpoint(path: str | Path, *, tiled: bool | None = None) -> Checkpoint:
    """Read and check a checkpoint; raises :class:`CheckpointError` when it is not sound.

    ``tiled`` (3D): the level sets read into a ``feature.column_stack.ColumnStack`` a
    slab at a time (the same values; no dense φ formed); None: when the tiled step is
    the automatic choice for the cell (:func:`_tiled_wanted`)."""
    from ..feature.grid import Grid
    from ..feature.levelset import LevelSetStack
    from ..wafer import Wafer

    path = Path(path)
    cols = None
    if _tiled_wanted(path, tiled):
        cols, meta = _read_tiled(path)
        phi = None
    else:
        phi, meta = _read(path)
    if meta.get("format") != FORMAT:
        raise _bad(path, f"format {meta.get('format')!r}, expected {FORMAT}")
    for key in ("z0", "time", "reference_top", "step_time"):
        _num(meta, key, float, path)
    _num(meta, "next_step", int, path, lo=0)
    _num(meta, "steps_taken", int, path, lo=0)
    if meta["step_time"] < 0 or meta["time"] < 0:
        raise _bad(path, "negative time")
    mats, hist, fields = meta.get("materials"), meta.get("history"), meta.get("fields")
    if not (isinstance(mats, list) and mats and all(isinstance(m, str) for m in mats)):
        raise _bad(path, "materials is not a list of names")
    if not isinstance(hist, list) or not isinstance(fields, list) or not all(
            isinstance(f, list) and len(f) == 2 and isinstance(f[0], str) for f in fields):
        raise _bad(path, "history or fields malformed")
    if not isinstance(meta.get("recipe_hash"), str):
        raise _bad(path, "recipe_hash missing")
    seed = meta.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise _bad(path, "seed is not an integer")
    g: Any = meta.get("grid")
    try:
        grid = Grid(dimension=g["dimension"], spacing=g["spacing"],
                    extent=tuple(g["extent"]), boundary=g["boundary"])
        if cols is not None:
            from ..feature.column_stack import ColumnStack
            if cols.nl != len(mats):
                raise ValueError(f"{cols.nl} level sets for {len(mats)} materials")
            geom: LevelSetStack = ColumnStack(grid=grid, z0=meta["z0"], cols=cols,
                                              materials=tuple(mats),
                                              reference_top=meta["reference_top"])
        else:
            assert phi is not None
            if phi.shape[0] != len(mats):
                raise ValueError(f"{phi.shape[0]} level sets for {len(mats)} materials")
            geom = LevelSetStack(grid=grid, z0=meta["z0"], phi=phi, materials=tuple(mats),
                                 reference_top=meta["reference_top"])
        wafer = Wafer(geometry=geom, time=meta["time"], history=tuple(hist),
                      fields=tuple((name, value) for name, value in fields))
    except CheckpointError:
        raise
    except Exception as exc:
        raise _bad(path, f"inconsistent grid or level sets: {str(exc)[:100]}") from None
    return Checkpoint(wafer=wafer, next_step=meta["next_step"], step_time=meta["step_time"],
                      recipe_hash=meta["recipe_hash"], steps_taken=meta["steps_taken"],
                      seed=seed)
