"""Pictures: the cross-section with each material filled in its own colour."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..materials import BUILTIN, COLOR_CYCLE
from .atomic import atomic_path

__all__ = ["cross_section", "plot_profile", "profile_figure", "length_scale", "subplots",
           "figure", "surface_figure", "picture_geometry", "PICTURE_NODES"]

#: Lateral nodes of the geometry the 3D picture (profile_3d.png, 768 × 624 pixels) is
#: drawn from: a finer grid is averaged down to about this many (128², ~6 nodes a pixel
#: row at most), because mplot3d draws every triangle as a Python object (a 10.24 µm
#: cell at 20 nm: ~0.6 million triangles, ~100 s and ~400 MB for one picture, #18).
PICTURE_NODES = 128 * 128


def length_scale(span: float) -> tuple[float, str]:
    """(factor, label) to show lengths in nm below 2 µm, else in µm."""
    return (1e9, "nm") if span < 2e-6 else (1e6, "µm")


def _color(name: str, i: int) -> str:
    return BUILTIN[name].color if name in BUILTIN else COLOR_CYCLE[i % len(COLOR_CYCLE)]


def cross_section(geometry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, vertical, phi[layers, nx, nv]) of the 2D section; in 3D the cut at y = 0
    (linear interpolation between the two node planes around y = 0)."""
    coords = geometry.coords()
    if geometry.grid.dimension == 2:
        return coords[0], coords[1], np.asarray(geometry.phi)
    y = coords[1]
    j = int(np.clip(np.searchsorted(y, 0.0) - 1, 0, len(y) - 2))
    w = (0.0 - y[j]) / (y[j + 1] - y[j])
    ys = geometry.y_planes(j, j + 2)          # the two rows (a tiled stack: no dense φ)
    return coords[0], coords[2], (1 - w) * ys[:, :, 0, :] + w * ys[:, :, 1, :]


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
    fig = profile_figure(geometry, title=title, initial=initial)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", bbox_inches="tight")   # wide cells: keep the axis labels


def profile_figure(geometry, *, title: str = "", initial=None, ax=None):
    """The cross-section picture as a matplotlib Figure (on ``ax`` when given)."""
    from matplotlib.patches import Patch

    x, v, phi = cross_section(geometry)
    span = max(x[-1] - x[0], v[-1] - v[0])
    f, unit = length_scale(span)
    if ax is None:
        fig, ax = subplots(figsize=(6.4, 5.2), dpi=120)
    else:
        fig = ax.figure
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
    return fig


def picture_geometry(geometry, max_nodes: int = PICTURE_NODES):
    """The 3D geometry a picture is drawn from: ``geometry`` itself when it has at most
    ``max_nodes`` lateral nodes (or is 2D), else the same layers on an s-times coarser
    grid, s the smallest integer that brings the count under ``max_nodes`` and divides
    both lateral node counts: lateral φ averaged over s × s blocks (whose centres are the
    coarse cell-centred nodes), every s-th vertical node kept (s lowered to the next
    common divisor while that leaves fewer than 4 vertical nodes).  The average of a signed
    distance stays within s·h/2 of one, below the resolution of the picture."""
    g = geometry.grid
    if g.dimension != 3 or g.lateral_nodes() <= max_nodes:
        return geometry
    nx, ny = g.lateral_shape
    s = math.ceil(math.sqrt(nx * ny / max_nodes))
    while s <= min(nx, ny) // 2 and (nx % s or ny % s):
        s += 1
    nz = geometry.shape[-1]
    while s > 1 and (nz - 1) // s + 1 < 4:     # keep >= 4 vertical nodes: a finer
        s -= 1                                  # stride that still divides both counts
        while s > 1 and (nx % s or ny % s):
            s -= 1
    if s < 2 or s > min(nx, ny) // 2:
        return geometry
    from ..feature.grid import Grid

    # by slabs of whole s-blocks of x-planes (each block's mean is the same numbers)
    step = s * max(1, 32 // s)
    parts = []
    for i0 in range(0, nx, step):
        sub = geometry.x_planes(i0, min(i0 + step, nx))[..., ::s]
        parts.append(sub.reshape(sub.shape[0], sub.shape[1] // s, s, ny // s, s,
                                 sub.shape[-1]).mean(axis=(2, 4)))
        del sub
    phi = np.concatenate(parts, axis=1)
    return geometry.replace(grid=Grid(dimension=3, spacing=s * g.spacing, extent=g.extent,
                                      boundary=g.boundary), phi=phi)


def surface_figure(surface, names, *, title: str = "", elev: float = 35.0, azim: float = -60.0):
    """A 3D picture of a triangulated surface, each triangle in its material's colour
    (matplotlib's mplot3d, no OpenGL: renders anywhere), lit by a fixed light so the
    shape reads; lengths in nm below 2 µm, else µm."""
    from matplotlib.colors import LightSource, to_rgb
    from matplotlib.patches import Patch
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection

    pts = np.asarray(surface.points, float)
    tri = np.asarray(surface.elements, np.int64)
    mats = np.asarray(surface.materials, np.int64)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    f, unit = length_scale(float(np.max(hi - lo)))
    seg = pts[tri] * f
    n = np.cross(seg[:, 1] - seg[:, 0], seg[:, 2] - seg[:, 0])
    n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-300)
    light = LightSource(azdeg=315, altdeg=45).direction
    shade = 0.45 + 0.55 * np.abs(n @ np.asarray(light))
    base = np.array([to_rgb(_color(names[m], m)) if 0 <= m < len(names) else (0.5, 0.5, 0.5)
                     for m in mats]).reshape(-1, 3)
    fig = figure(figsize=(6.4, 5.2), dpi=120)
    ax = fig.add_subplot(projection="3d")
    rgb = np.clip(base * shade[:, None], 0, 1)
    ax.add_collection3d(Poly3DCollection(seg, facecolors=rgb, edgecolors=rgb,   # no seams
                                         linewidths=0.3))
    ax.set_xlim(lo[0] * f, hi[0] * f)
    ax.set_ylim(lo[1] * f, hi[1] * f)
    ax.set_zlim(lo[2] * f, hi[2] * f)
    ax.set_box_aspect(np.maximum(hi - lo, 1e-12))
    ax.view_init(elev=elev, azim=azim)
    ax.set_xlabel(f"x ({unit})")
    ax.set_ylabel(f"y ({unit})")
    ax.set_zlabel(f"z ({unit})")
    shown = sorted({int(m) for m in np.unique(mats) if 0 <= m < len(names)})
    ax.legend(handles=[Patch(color=_color(names[m], m), label=names[m]) for m in shown],
              loc="upper left", fontsize=8)
    ax.set_title(title or "surface")
    return fig
