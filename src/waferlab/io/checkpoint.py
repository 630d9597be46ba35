"""Checkpoints: the wafer and the run's position, in one .npz written atomically.

A checkpoint holds the level sets, the vertical origin, material names, the grid, the
wafer's simulated time, history and (JSON) fields, and where the run stands: ``next_step`` (index of
the step in progress or to start) and ``step_time`` (seconds of it already done).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .atomic import atomic_path

__all__ = ["Checkpoint", "save_checkpoint", "load_checkpoint"]


@dataclass(frozen=True)
class Checkpoint:
    wafer: Any
    next_step: int
    step_time: float
    recipe_hash: str
    steps_taken: int


def save_checkpoint(path: str | Path, wafer, *, next_step: int, step_time: float,
                    recipe_hash: str, steps_taken: int = 0) -> None:
    g = wafer.geometry
    meta = {"materials": list(g.materials), "z0": float(g.z0), "time": float(wafer.time),
            "reference_top": float(g.reference_top),
            "history": list(wafer.history), "next_step": int(next_step),
            "step_time": float(step_time), "recipe_hash": recipe_hash,
            "steps_taken": int(steps_taken),
            "fields": [[name, value] for name, value in wafer.fields],
            "grid": {"dimension": g.grid.dimension, "spacing": g.grid.spacing,
                     "extent": list(g.grid.extent), "boundary": str(g.grid.boundary)}}
    with atomic_path(path, suffix=".npz") as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, phi=np.asarray(g.phi), meta=np.array(json.dumps(meta)))


def load_checkpoint(path: str | Path) -> Checkpoint:
    from ..feature.grid import Grid
    from ..feature.levelset import LevelSetStack
    from ..wafer import Wafer

    with np.load(path, allow_pickle=False) as data:
        phi = data["phi"].copy()
        meta = json.loads(str(data["meta"]))
    grid = Grid(dimension=meta["grid"]["dimension"], spacing=meta["grid"]["spacing"],
                extent=tuple(meta["grid"]["extent"]), boundary=meta["grid"]["boundary"])
    geom = LevelSetStack(grid=grid, z0=meta["z0"], phi=phi, materials=tuple(meta["materials"]),
                         reference_top=meta["reference_top"])
    wafer = Wafer(geometry=geom, time=meta["time"], history=tuple(meta["history"]),
                  fields=tuple((name, value) for name, value in meta.get("fields", [])))
    return Checkpoint(wafer=wafer, next_step=meta["next_step"], step_time=meta["step_time"],
                      recipe_hash=meta["recipe_hash"], steps_taken=meta.get("steps_taken", 0))
