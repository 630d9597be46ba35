"""The output-folder policy: a folder holds the outputs of exactly one run.

Every command that writes a folder (``run``, ``demo``, ``flux``, ``image``, ``thermal``,
``reactor``, ``study``, ``validate``) first calls :func:`prepare_output`, which checks,
before anything is written:

- ``--out`` is not an existing file, and the folder (or the nearest existing parent)
  can be written;
- the folder is new or empty, or its stamp ``waferlab-run.json`` names the same command
  and the same run identity (the resolved recipe with its effective seed and every
  override that changes results).  Then the run continues or repeats that run;
- anything else (another recipe or seed, another command, files of unknown origin) is
  refused with exit code 2, unless ``--overwrite`` is given: then waferlab's own output
  files in the folder are deleted first (other files are left alone);
- for ``run``/``demo``: an interrupted run of the same identity (a checkpoint without
  ``metrics.json``) is continued only with ``--resume``; without it the run is refused,
  so a checkpoint is never discarded silently.

The final results are written into a hidden staging folder and moved in when all of
them exist (:func:`waferlab.io.atomic.staged`), so a full disk leaves the folder as it
was before the run (plus, for ``run``, its checkpoint: ``--resume`` finishes it).
Stale temporary files of killed writers (``.checkpoint.*.npz``, ``.staging-*``) are
removed when a folder is claimed.  See docs/cli.md.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import RecipeError, short_repr

__all__ = ["STAMP", "OUTPUT_NAMES", "identity_hash", "safe_folder_name", "prepare_output",
           "OutputFolder"]

STAMP = "waferlab-run.json"
#: Names (glob patterns) of the files waferlab commands write; --overwrite removes these.
OUTPUT_NAMES = (
    STAMP, "recipe.yaml", "metrics.json", "profile.csv", "final.vtp", "final.vtu", "final.vti",
    "final_surface.vtu",
    "profile.png", "log.txt", "checkpoint.npz", "reactor.json", "iedf.csv", "iadf.csv",
    "sweep.json", "sweep.png", "flux.csv", "flux*.png", "aerial*", "resist*", "bossung*",
    "dose_focus*", "process_window*", "stochastic*", "doping*", "study.nc", "summary.json",
    "distributions.png", "sensitivity.png", "response-*.png", "convergence.png",
    "pareto.png", "validation.json", "epe*", "pv_band*", "edge_psd*", "report.html",
    "profile_3d.png")
_TEMPS = (".checkpoint.*.npz", ".staging-*", ".*.tmp*", ".study.nc.*")


def identity_hash(data: Any) -> str:
    """A short stable hash of a JSON-able description of a run."""
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def safe_folder_name(name: str, suffix: str = "-out") -> str:
    """A folder name derived from a recipe ``name``: letters, digits, ``.-_`` only, at
    most 64 characters, never a path (``../x/evil`` -> ``x_evil-out``)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", str(name)).strip("._-")
    cleaned = cleaned[:64].rstrip("._-")
    return (cleaned or "waferlab") + suffix


def _nearest_existing(path: Path) -> Path:
    p = path
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


@dataclass
class OutputFolder:
    """A checked output folder; :meth:`claim` creates it, cleans it and stamps it."""

    path: Path
    command: str
    identity: str
    label: str
    remove: tuple[Path, ...] = ()

    def claim(self) -> Path:
        """Create the folder, remove what --overwrite replaces and stale temporaries,
        and write the stamp.  Call it only once the inputs are known to be good."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RecipeError(f"cannot create the folder {short_repr(str(self.path))}: "
                              f"{exc.strerror or type(exc).__name__}", path="--out") from None
        for p in self.remove:
            _unlink(p)
        for pattern in _TEMPS:
            for p in self.path.glob(pattern):
                _unlink(p)
        old = _read_stamp(self.path / STAMP)
        if old is None or old.get("command") != self.command \
                or old.get("identity") != self.identity:
            from .atomic import write_json
            write_json(self.path / STAMP, {"command": self.command, "identity": self.identity,
                                           "label": self.label})
        return self.path


def _unlink(p: Path) -> None:
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p, ignore_errors=True)
    else:
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def _writable(path: Path, what: str) -> None:
    base = _nearest_existing(path)
    if not base.is_dir():
        raise RecipeError(f"cannot create the folder {short_repr(str(path))}: "
                          f"{short_repr(str(base))} is a file", path="--out")
    if not os.access(base, os.W_OK | os.X_OK):
        raise RecipeError(f"cannot write {what} {short_repr(str(path))}: "
                          f"{short_repr(str(base))} is not writable (permission denied or a "
                          "read-only file system)", path="--out")


def prepare_output(path: str | Path, *, command: str, identity: str, label: str = "",
                   overwrite: bool = False, resume: bool = False) -> OutputFolder:
    """Check ``path`` against the policy (module docstring); write nothing.

    Returns an :class:`OutputFolder` whose ``claim()`` the command calls once its inputs
    are validated.  Raises :class:`RecipeError` (exit code 2) when the folder is refused.
    """
    out = Path(path)
    shown = short_repr(str(out))
    if "\x00" in str(path) or not str(path).strip():
        raise RecipeError(f"{shown} is not a valid folder name", path="--out")
    if len(str(out)) > 4000 or any(len(part) > 255 for part in out.parts):
        raise RecipeError(f"the folder name {shown} is too long (at most 255 characters per "
                          "name)", path="--out")
    if out.exists() and not out.is_dir():
        raise RecipeError(f"{shown} exists and is not a folder; give a folder (new or "
                          "from the same run)", path="--out")
    _writable(out, "the output folder")
    folder = OutputFolder(path=out, command=command, identity=identity, label=label)
    if not out.exists():
        return folder
    entries = [p for p in out.iterdir()
               if not any(p.match(t) for t in _TEMPS)]
    if not entries:
        return folder
    stamp = _read_stamp(out / STAMP)
    same = stamp is not None and stamp.get("command") == command \
        and stamp.get("identity") == identity
    if stamp is None and command == "study" and (out / "study.nc").is_file():
        same = True              # a study folder of an earlier version: study.nc checks its fingerprint
    if same:
        if command in ("run", "demo") and (out / "checkpoint.npz").exists() \
                and not (out / "metrics.json").exists() and not resume and not overwrite:
            raise RecipeError(f"{shown} holds an interrupted run of this recipe (checkpoint.npz); "
                              "continue it with --resume or start again with --overwrite",
                              path="--out")
        return folder
    if not overwrite:
        if stamp is None:
            why = "is not empty and holds no waferlab run stamp"
        elif stamp.get("command") != command:
            why = f"holds the outputs of 'waferlab {stamp.get('command')}'"
        else:
            other = stamp.get("label") or "another recipe"
            why = f"holds the outputs of another run ({short_repr(str(other), 60)})"
        raise RecipeError(f"{shown} {why}; choose another --out or add --overwrite to replace "
                          "its waferlab outputs", path="--out")
    remove: list[Path] = []
    for pattern in OUTPUT_NAMES:
        remove.extend(out.glob(pattern))
    folder.remove = tuple(dict.fromkeys(remove))
    return folder


def _read_stamp(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
