"""Pictures: the cross-section with each material filled in its own colour."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..materials import BUILTIN, COLOR_CYCLE
from .atomic import atomic_path

__all__ = ["cross_section", "plot_profile", "length_scale"]


def length_scale(span: float) -> tuple[float, str]:
    """(factor, label) to show lengths in nm below 2 µm, else in µm."""
    return (1e9, "nm") if span < 2e-6 else (1e6, "µm")


def _color(name: str, i: int) -> str:
    return BUILTIN[name].color if name in BUILTIN else COLOR_CYCLE[i % len(COLOR_CYCLE)]


def cross_section(geometry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, vertical, phi[layers, nx, nv]) of the 2D section; in 3D the cut at y = 0
    (linear interpolation between the two node planes around y = 0)."""
    coords = geometry.coords()
    phi = np.asarray(geometry.phi)
    if phi.ndim == 3:
        return coords[0], coords[1], phi
    y = coords[1]
    j = int(np.clip(np.searchsorted(y, 0.0) - 1, 0, len(y) - 2))
    w = (0.0 - y[j]) / (y[j + 1] - y[j])
    return coords[0], coords[2], (1 - w) * phi[:, :, j, :] + w * phi[:, :, j + 1, :]


def subplots(*grid: int, figsize=None, dpi=None, layout=None, **kw):
    """(Figure, axes) from matplotlib's object API: no pyplot state and no backend switch,
    so the library never changes the process's matplotlib settings; ``Figure.savefig``
    renders with Agg."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi, layout=layout)
    return fig, fig.subplots(*grid, **kw)


def figure(*, figsize=None, dpi=None, layout=None):
    """An empty Figure (object API, as :func:`subplots`)."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, dpi=dpi, layout=layout)


def plot_profile(path: str | Path, geometry, *, title: str = "", initial=None) -> None:
    """Write the cross-section picture (materials filled, voids left empty)."""
    from matplotlib.patches import Patch

    x, v, phi = cross_section(geometry)
    span = max(x[-1] - x[0], v[-1] - v[0])
    f, unit = length_scale(span)
    fig, ax = subplots(figsize=(6.4, 5.2), dpi=120)
    X, V = np.meshgrid(x * f, v * f, indexing="ij")
    names = list(geometry.materials)
    handles = []
    seen = set()
    for k in range(len(names) - 1, -1, -1):        # top layer first, lower ones painted over
        ax.contourf(X, V, phi[k], levels=[-np.inf, 0.0], colors=[_color(names[k], k)])
        if names[k] not in seen:
            seen.add(names[k])
            handles.append(Patch(color=_color(names[k], k), label=names[k]))
    ax.contour(X, V, phi[-1], levels=[0.0], colors="k", linewidths=0.8)
    if initial is not None:
        xi, vi, pi = cross_section(initial)
        ax.contour(*np.meshgrid(xi * f, vi * f, indexing="ij"), pi[-1], levels=[0.0],
                   colors="k", linewidths=0.6, linestyles="--")
    ax.set_aspect("equal")
    ax.set_xlabel(f"x ({unit})")
    ax.set_ylabel(f"{'y' if np.asarray(geometry.phi).ndim == 3 else 'z'} ({unit})")
    ax.set_title(title or "cross-section")
    ax.legend(handles=handles[::-1], loc="upper right", fontsize=8, framealpha=0.9)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
