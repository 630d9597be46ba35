"""Flux probe outputs: a per-element table, CSV and a picture of the surface coloured by flux.

Columns: ``x,y`` (2D, y up) or ``x,y,z`` (3D, z up) of element centroids (m), the unit
normal ``nx,ny[,nz]`` (into vacuum), ``material`` (name), and per species
``incident_<name>``, ``absorbed_<name>``, ``stderr_<name>`` (flux relative to an open
flat surface; stderr = Monte Carlo standard error of the incident flux).
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ..surface import Surface
from .engine import FluxResult

__all__ = ["flux_table", "write_flux_csv", "plot_flux", "flux_figure"]


def flux_table(surface: Surface, result: FluxResult) -> dict[str, np.ndarray]:
    """Columns of the flux probe (one row per surface element)."""
    d = surface.dimension
    c = surface.centroids
    axes = "xyz"[:d]
    table: dict[str, np.ndarray] = {}
    for i, a in enumerate(axes):
        table[a] = c[:, i]
    for i, a in enumerate(axes):
        table["n" + a] = np.asarray(surface.normals)[:, i]
    names = np.asarray(surface.material_names, dtype=object)
    table["material"] = names[np.asarray(surface.materials, int)] if len(c) else np.zeros(0, object)
    for name in result.species:
        f = result[name]
        table[f"incident_{name}"] = f.incident
        table[f"absorbed_{name}"] = f.absorbed
        table[f"stderr_{name}"] = f.stderr
    return table


def write_flux_csv(path: str | Path, table: dict[str, np.ndarray]) -> Path:
    """Write the table as CSV (header row, floats with 10 significant digits)."""
    path = Path(path)
    cols = list(table)
    n = len(next(iter(table.values()))) if cols else 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for i in range(n):
            w.writerow([v[i] if isinstance(v[i], str) else f"{float(v[i]):.10g}"
                        for v in (table[c] for c in cols)])
    return path


def plot_flux(path: str | Path, surface: Surface, result: FluxResult, species: str, *,
              quantity: str = "incident") -> Path:
    """Save a picture of the surface coloured by ``quantity`` (incident|absorbed) of ``species``."""
    path = Path(path)
    flux_figure(surface, result, species, quantity=quantity).savefig(path, dpi=120)
    return path


def flux_figure(surface: Surface, result: FluxResult, species: str, *,
                quantity: str = "incident"):
    """The surface coloured by ``quantity`` (incident|absorbed) of ``species`` (a Figure)."""
    import matplotlib
    from ...io.plots import subplots as _subplots, figure as _figure
    from matplotlib.collections import LineCollection

    if quantity not in ("incident", "absorbed"):
        raise ValueError(f"quantity {quantity!r}; allowed: incident, absorbed")
    vals = np.asarray(getattr(result[species], quantity), float)
    pts = np.asarray(surface.points) * 1e6
    seg = pts[np.asarray(surface.elements)]
    finite = vals[np.isfinite(vals)]
    vmax = float(finite.max()) if finite.size else 1.0
    norm = matplotlib.colors.Normalize(vmin=0.0, vmax=max(vmax, 1e-12))
    cmap = matplotlib.colormaps["viridis"]
    label = f"{quantity} flux of {species} / flat-surface flux"
    if surface.dimension == 2:
        fig, ax = _subplots(figsize=(6, 5))
        lc = LineCollection(seg, array=vals, cmap=cmap, norm=norm, linewidths=3)
        ax.add_collection(lc)
        ax.autoscale()
        ax.set_aspect("equal")
        ax.set_xlabel("x (µm)")
        ax.set_ylabel("y (µm)")
        fig.colorbar(lc, ax=ax, label=label)
    else:
        from mpl_toolkits.mplot3d.art3d import Poly3DCollection
        fig = _figure(figsize=(7, 6))
        ax = fig.add_subplot(projection="3d")
        keep = seg[:, :, 1].mean(axis=1) <= 0.0     # cut away the front half (y > 0)
        pc = Poly3DCollection(seg[keep], facecolors=cmap(norm(np.nan_to_num(vals[keep]))),
                              edgecolors="none")
        ax.add_collection3d(pc)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_zlim(lo[2], hi[2])
        ax.set_box_aspect(np.maximum(hi - lo, 1e-9))
        ax.set_xlabel("x (µm)")
        ax.set_ylabel("y (µm)")
        ax.set_zlabel("z (µm)")
        fig.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, label=label,
                     shrink=0.7)
    ax.set_title(f"{species}: {result.n_rays} rays")
    fig.tight_layout()
    return fig
