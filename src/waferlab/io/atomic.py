"""Atomic file writes: write to a temporary file in the same folder, then ``os.replace``.

Files get the mode a plain ``open()`` would give them (0666 less the umask), not the
0600 of :func:`tempfile.mkstemp`.  :func:`staged` writes a whole set of outputs into a
hidden staging folder and moves them in only when every one was written, so a run that
fails while writing (a full disk) leaves the folder as it was.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np

__all__ = ["atomic_path", "write_text", "write_json", "write_csv", "staged", "file_mode"]


def file_mode() -> int:
    """0o666 less the process umask (read without changing it where Linux allows)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def staged(out: str | Path) -> Iterator[Path]:
    """Yield a fresh hidden folder inside ``out``; on success move its files into ``out``.

    On an exception the staging folder is removed and ``out`` keeps its previous files.
    The final moves are renames in one file system (no new data is written).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        yield stage
        for f in sorted(stage.rglob("*")):
            if f.is_file():
                dest = out / f.relative_to(stage)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(f, dest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


@contextmanager
def atomic_path(path: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=suffix or path.suffix,
                               dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        if os.path.exists(tmp):
            os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _default(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"cannot write {type(o).__name__} to JSON")


def write_json(path: str | Path, data: Any) -> None:
    write_text(path, json.dumps(data, indent=2, default=_default, allow_nan=False) + "\n")


def write_csv(path: str | Path, columns: dict[str, Any]) -> None:
    """Write named columns (equal length; strings or numbers) as CSV with a header."""
    names = list(columns)
    cols = [np.asarray(columns[n]) for n in names]
    n = len(cols[0]) if cols else 0
    if any(len(c) != n for c in cols):
        raise ValueError("columns of unequal length")
    lines = [",".join(names)]
    fmt = [(lambda v: str(v)) if c.dtype.kind in "OUS" else
           (lambda v: str(int(v))) if c.dtype.kind in "iub" else
           (lambda v: f"{float(v):.9g}") for c in cols]
    for i in range(n):
        lines.append(",".join(f(c[i]) for f, c in zip(fmt, cols)))
    write_text(path, "\n".join(lines) + "\n")
