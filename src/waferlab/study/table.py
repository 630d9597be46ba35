"""The study as a table: knobs -> metrics, one row per sample (``samples.csv``, the console),
and the profiles of the samples (one picture each and an overlay of all).

``samples.csv`` keeps the study's units: each knob in the unit its range was given in
(named in the header), each metric in SI with the unit in its key; the console shows the
metrics in engineering units (:mod:`waferlab.io.display`).
"""
from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
import numpy as np

from ..io.atomic import atomic_path, write_text
from ..io.display import engineering

__all__ = ["write_samples_csv", "samples_table", "plot_profiles", "STATUS"]

STATUS = {0: "missing", 1: "done", 2: "failed"}


def _knob_headers(ds, *, short: bool = False) -> list[str]:
    names = [str(n).split(".")[-1] if short else str(n) for n in ds["parameter"].values]
    return [f"{n} ({u})" if u else n for n, u in zip(names, ds["parameter_unit"].values)]


def write_samples_csv(path: Path, ds, metrics: tuple[str, ...]) -> Path:
    """``samples.csv``: sample, knobs (their unit in the header), metrics (SI), seed,
    status and the error message of a failed sample."""
    errors = json.loads(ds.attrs.get("errors", "{}"))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["sample", *_knob_headers(ds), *metrics, "wall_time_s", "seed", "status", "error"])
    x = ds["x"].values
    for i in range(ds.sizes["sample"]):
        vals = [f"{v:.9g}" for v in x[i]]
        mets = ["" if not math.isfinite(ds[m].values[i]) else f"{ds[m].values[i]:.9g}"
                for m in (*metrics, "wall_time_s")]
        w.writerow([i, *vals, *mets, int(ds["seed"].values[i]),
                    STATUS.get(int(ds["status"].values[i]), "?"), errors.get(str(i), "")])
    write_text(path, buf.getvalue())
    return path


def samples_table(ds, metrics: tuple[str, ...], *, title: str = "samples"):
    """A rich Table: knobs as given, metrics in engineering units, failures marked."""
    from rich.table import Table

    table = Table(title=title)
    table.add_column("#", justify="right")
    for h in _knob_headers(ds, short=True):
        table.add_column(h, justify="right")
    units = {}
    for m in metrics:
        finite = ds[m].values[np.isfinite(ds[m].values)]
        name, _, unit = engineering(m, float(finite[0]) if finite.size else 0.0)
        units[m] = unit
        table.add_column(f"{name} ({unit})" if unit else name, justify="right")
    table.add_column("status")
    x = ds["x"].values
    for i in range(ds.sizes["sample"]):
        cells = [str(i), *(f"{v:.4g}" for v in x[i])]
        for m in metrics:
            v = float(ds[m].values[i])
            if not math.isfinite(v):
                cells.append("–")
                continue
            _, val, unit = engineering(m, v)
            if unit != units[m]:                 # nm vs µm switch: keep the column's unit
                val = val * (1e3 if units[m] == "nm" else 1e-3)
            cells.append(f"{val:.4g}")
        cells.append(STATUS.get(int(ds["status"].values[i]), "?"))
        table.add_row(*cells)
    return table


def _axes():
    from ..io.plots import subplots

    return subplots(figsize=(5.6, 4.6), dpi=110)


def _scale(profiles: list[np.ndarray]) -> tuple[float, str]:
    pts = np.concatenate(profiles)
    span = float(max(np.ptp(pts[:, 0]), np.ptp(pts[:, 1])))
    return (1e9, "nm") if span < 2e-6 else (1e6, "µm")


def plot_profiles(out: Path, profiles: dict[int, np.ndarray], ds, *,
                  each: bool = True, each_limit: int = 100) -> list[str]:
    """``profiles.png`` (all samples overlaid, coloured by sample) and, with ``each`` and
    up to ``each_limit`` samples, ``samples/NNNN.png`` with the sample's knobs in the
    title (one figure redrawn per sample)."""
    if not profiles:
        return []
    f, unit = _scale(list(profiles.values()))
    names = [str(n).split(".")[-1] for n in ds["parameter"].values]
    units = list(ds["parameter_unit"].values)
    x = ds["x"].values

    def label(i: int) -> str:
        return ", ".join(f"{n} {v:.3g}{' ' + u if u else ''}" for n, v, u in zip(names, x[i], units))

    written = []
    import matplotlib

    fig, ax = _axes()
    cmap = matplotlib.colormaps["viridis"]
    keys = sorted(profiles)
    for k, i in enumerate(keys):
        p = profiles[i]
        ax.plot(p[:, 0] * f, p[:, 1] * f, color=cmap(k / max(1, len(keys) - 1)), lw=1,
                label=label(i) if len(keys) <= 12 else None)
    ax.set_aspect("equal")
    ax.set_xlabel(f"x ({unit})")
    ax.set_ylabel(f"z ({unit})")
    ax.set_title(f"{len(keys)} profiles")
    if len(keys) <= 12:
        ax.legend(fontsize=6, loc="lower left")
    fig.tight_layout()
    with atomic_path(out / "profiles.png") as tmp:
        fig.savefig(tmp, format="png")
    written.append("profiles.png")
    if each and len(keys) <= each_limit:
        (out / "samples").mkdir(exist_ok=True)
        pts = np.concatenate([profiles[i] for i in keys]) * f
        fig, ax = _axes()
        (line,) = ax.plot([], [], "k-", lw=1.2)
        pad = 0.03 * float(np.ptp(pts))
        ax.set_xlim(pts[:, 0].min() - pad, pts[:, 0].max() + pad)
        ax.set_ylim(pts[:, 1].min() - pad, pts[:, 1].max() + pad)
        ax.set_aspect("equal")
        ax.set_xlabel(f"x ({unit})")
        ax.set_ylabel(f"z ({unit})")
        fig.tight_layout()
        for i in keys:
            line.set_data(profiles[i][:, 0] * f, profiles[i][:, 1] * f)
            ax.set_title(f"sample {i}: {label(i)}", fontsize=8)
            with atomic_path(out / "samples" / f"{i:04d}.png") as tmp:
                fig.savefig(tmp, format="png")
        written.append("samples/")
    return written
