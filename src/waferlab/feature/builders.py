"""Initial geometries: plane, layer stack, trench/hole/line cut, polygons.

Signed distances are built from exact primitives combined with min (union) and max
(intersection), which keeps the zero set exact, then reinitialised by fast marching so
that |∇φ| = 1 everywhere (Osher & Fedkiw 2003, ch. 1–2).

Symmetric features (``symmetry`` half | quarter): the feature's centre plane (axis) is
put on the low-x (and low-y) domain boundary.  Reflective lateral boundaries mirror the
cell-centred nodes about the domain edge (ghost node −1 = node 0, so the mirror plane is
x = −L/2 exactly), hence the simulated half (quarter) reproduces the full feature in a
domain twice as wide (in x, and in y), as ViennaPS ``MakeHole(..., HoleShape.QUARTER)``
does.  :func:`unfold` mirrors a half/quarter geometry back to that full domain.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from ..errors import RecipeError
from .grid import Grid
from .levelset import MARGIN_NODES, LevelSetStack
from .reinit import reinitialise

__all__ = ["plane", "layer_stack", "window_nodes", "cut_feature", "from_polygons", "FEATURE_KINDS",
           "SYMMETRIES", "check_symmetry", "feature_center", "unfold"]

FEATURE_KINDS = ("trench", "hole", "line")
#: full: the feature centred at x = 0 (y = 0); half: its centre plane on the low-x
#: boundary; quarter (3D): its centre axis on the (low-x, low-y) corner.
SYMMETRIES = ("full", "half", "quarter")
_SYM_PATH = "structure.feature.symmetry"
SLAB_NODES = 1 << 20     # nodes per slab of the builders' coordinate arrays and temporaries


def check_symmetry(symmetry: str, *, dimension: int, boundary: str, kind: str) -> None:
    """Raise a RecipeError naming ``structure.feature.symmetry`` for a bad combination."""
    if symmetry not in SYMMETRIES:
        raise RecipeError(f"unknown symmetry {symmetry!r}; allowed: {', '.join(SYMMETRIES)}",
                          path=_SYM_PATH, value=symmetry)
    if symmetry == "full":
        return
    if boundary != "reflective":
        raise RecipeError(f"symmetry '{symmetry}' mirrors the feature at the domain boundary "
                          f"and needs grid.boundary: reflective (got '{boundary}')",
                          path=_SYM_PATH, value=symmetry)
    if symmetry == "quarter":
        if dimension != 3:
            raise RecipeError("symmetry 'quarter' needs a 3D grid (grid.dimension: 3); in 2D "
                              "use 'half'", path=_SYM_PATH, value=symmetry)
        if kind != "hole":
            raise RecipeError(f"symmetry 'quarter' is for a round hole; a {kind} is uniform "
                              "along y: use 'half'", path=_SYM_PATH, value=symmetry)


def feature_center(grid: Grid, symmetry: str = "full") -> tuple[float, ...]:
    """Lateral coordinates (m) of the feature centre: 0, or the low boundary of each
    mirrored axis (half: x; quarter: x and y)."""
    c = [0.0] * (grid.dimension - 1)
    n_mirror = {"full": 0, "half": 1, "quarter": 2}[symmetry]
    for ax in range(min(n_mirror, grid.dimension - 1)):
        c[ax] = -0.5 * grid.extent[ax]
    return tuple(c)


def unfold(geometry: LevelSetStack, symmetry: str) -> LevelSetStack:
    """The full-feature geometry of a half/quarter one, mirrored about its low boundaries.

    The result lives on a grid twice as wide along each mirrored axis, centred on the
    feature (x = 0, y = 0); node values are the mirror images (exact for reflective
    boundaries, whose mirror plane is the domain edge).  ``full`` returns ``geometry``.
    """
    if symmetry == "full":
        return geometry
    g = geometry.grid
    n_mirror = {"half": 1, "quarter": 2}[symmetry]
    phi = geometry.phi
    extent = list(g.extent)
    for ax in range(min(n_mirror, g.dimension - 1)):
        a = ax + 1                               # array axis (0 is the layer)
        phi = np.concatenate([np.flip(phi, axis=a), phi], axis=a)
        extent[ax] = 2.0 * extent[ax]
    g2 = Grid(dimension=g.dimension, spacing=g.spacing, extent=tuple(extent),
              boundary=g.boundary)
    return geometry.replace(grid=g2, phi=np.ascontiguousarray(phi))


def _window(grid: Grid, z_lo: float, z_hi: float) -> tuple[float, int]:
    h = grid.spacing
    k0 = int(math.floor(z_lo / h + 1e-9)) - MARGIN_NODES
    k1 = int(math.ceil(z_hi / h - 1e-9)) + MARGIN_NODES
    return k0 * h, k1 - k0 + 1


def window_nodes(grid: Grid, z_lo: float, z_hi: float) -> int:
    """Vertical nodes of the window a builder gives the heights [z_lo, z_hi] (m)."""
    return _window(grid, z_lo, z_hi)[1]


def _mesh(grid: Grid, z0: float, nz: int) -> tuple[np.ndarray, ...]:
    axes = [grid.lateral_coords(a) for a in range(grid.dimension - 1)]
    axes.append(z0 + grid.spacing * np.arange(nz))
    return tuple(np.meshgrid(*axes, indexing="ij"))


def plane(grid: Grid, material: str, height: float = 0.0) -> LevelSetStack:
    """A flat ``material`` surface at ``height`` (m): φ = z − height."""
    return layer_stack(grid, material, [], base_height=height)


def layer_stack(grid: Grid, substrate: str, layers: Sequence[tuple[str, float]], *,
                base_height: float = 0.0, tiled: bool = False) -> LevelSetStack:
    """Substrate with its top at ``base_height`` (default 0) and flat layers on top.

    layers: [(material, thickness m), ...] bottom first; φ_k = z − (top of layer k).
    ``tiled`` (3D): a ``column_stack.ColumnStack`` (every tile one z-column; no dense
    array of the cell), the same values.
    """
    tops = [float(base_height)]
    for idx, (name, t) in enumerate(layers):
        if not (float(t) > 0 and math.isfinite(float(t))):
            raise RecipeError(f"thickness {t!r} of layer {name!r} must be positive",
                              path=f"layers[{idx}].thickness", value=t)
        tops.append(tops[-1] + float(t))
    z0, nz = _window(grid, tops[0], tops[-1])
    z = z0 + grid.spacing * np.arange(nz)
    shape = grid.lateral_shape + (nz,)
    names = (substrate,) + tuple(n for n, _ in layers)
    if tiled and grid.dimension == 3:
        from .column_stack import ColumnStack
        return ColumnStack.from_planes(
            grid=grid, z0=z0, materials=names, reference_top=tops[-1], nz=nz,
            planes_of=lambda k, i0, i1: np.broadcast_to(z - tops[k], (i1 - i0,) + shape[1:]))
    phi = np.empty((len(tops),) + shape)
    for k, top in enumerate(tops):
        phi[k] = np.broadcast_to(z - top, shape)
    return LevelSetStack(grid=grid, z0=z0, phi=phi, materials=names, reference_top=tops[-1])


def cut_feature(geometry: LevelSetStack, kind: str, *, width: float | None = None,
                radius: float | None = None, depth: float, taper: float = 0.0,
                symmetry: str = "full", overwrite: bool = False) -> LevelSetStack:
    """Cut an opening from the top (``reference_top``) down by ``depth``.

    The opening is centred at :func:`feature_center` (x = 0, y = 0 for ``symmetry``
    "full"; on the low-x boundary for "half"; on the low-x, low-y corner for "quarter",
    3D holes only; both need reflective boundaries).  Below, x and r are measured from
    that centre.

    trench  removes |x| < w/2 (3D: extruded along y)
    hole    removes r < radius (3D only)
    line    leaves |x| < w/2 standing and removes the rest down to ``depth``
    taper   sidewall angle from vertical (rad); the opening narrows towards the bottom:
            opening half-width at height z is w/2 − (z_top − z)·tan(taper).
    Every layer is cut: φ_k = max(φ_k, −d_cut).

    The result is written into a new array, or into ``geometry.phi`` itself with
    ``overwrite`` (the caller hands its stack over and must not use it afterwards: the
    builder then holds one volume instead of two, #18) and whenever the window had to be
    extended (the extended copy is the builder's own).  The numbers are the same.
    """
    g = geometry.grid
    if kind not in FEATURE_KINDS:
        raise RecipeError(f"unknown feature type {kind!r}; allowed: {', '.join(FEATURE_KINDS)}",
                          path="type", value=kind)
    if not (math.isfinite(depth) and depth > 0):
        raise RecipeError(f"depth {depth!r} m must be positive", path="depth", value=depth)
    if not (math.isfinite(taper) and 0.0 <= taper < math.pi / 2):
        raise RecipeError(f"taper {taper!r} rad must be in [0, 90°)", path="taper", value=taper)
    check_symmetry(symmetry, dimension=g.dimension, boundary=g.boundary, kind=kind)
    center = feature_center(g, symmetry)
    # room from the centre to the far boundary (half the extent, or all of it when mirrored)
    room = [0.5 * L if c == 0.0 else L for L, c in zip(g.extent, center)]
    tan, cos = math.tan(taper), math.cos(taper)
    if kind == "hole":
        if g.dimension != 3:
            raise RecipeError("a round hole needs a 3D grid (dimension: 3); use a trench in 2D",
                              path="type", value=kind)
        if radius is None or not radius > 0:
            raise RecipeError(f"a hole needs a positive radius (got {radius!r})", path="radius",
                              value=radius)
        half, lim, what = float(radius), min(room), "radius"
    else:
        if width is None or not width > 0:
            raise RecipeError(f"a {kind} needs a positive width (got {width!r})", path="width",
                              value=width)
        half, lim, what = 0.5 * float(width), room[0], "width"
    if half >= lim:
        raise RecipeError(f"{what} {2 * half if what == 'width' else half:.4g} m does not fit in "
                          f"the lateral extent {g.extent} m", path=what,
                          value=width if what == "width" else radius)
    if kind != "line" and half - depth * tan <= 0:
        raise RecipeError(f"taper {math.degrees(taper):.3g}° closes the opening above the depth "
                          f"{depth:.4g} m", path="taper", value=taper)
    z_top = geometry.reference_top
    z_b = z_top - float(depth)
    geo = geometry.with_window(z_b - MARGIN_NODES * g.spacing, geometry.z_range[1])
    axes = [g.lateral_coords(a) for a in range(g.dimension - 1)] + [geo.z_coords]

    def slabs():
        """(x slice, s, z) over slabs of x rows: the full-size coordinate arrays and
        their temporaries are never all alive at once (the numbers are the same)."""
        rows = max(1, SLAB_NODES // max(1, int(np.prod([len(a) for a in axes[1:]]))))
        for i0 in range(0, len(axes[0]), rows):
            X = np.meshgrid(axes[0][i0:i0 + rows], *axes[1:], indexing="ij")
            x = X[0] - center[0]
            s = np.hypot(x, X[1] - center[1]) if kind == "hole" else x
            yield slice(i0, i0 + rows), x, s, X[-1]

    def cut_distance():
        d_cut = np.empty(geo.shape)
        for sl, x, s, z in slabs():
            if kind == "trench":
                wall = (np.abs(x) - half + (z_top - z) * tan) * cos
            elif kind == "hole":
                wall = (s - half + (z_top - z) * tan) * cos
            else:
                wall = (half + (z_top - z) * tan - np.abs(x)) * cos
            d_cut[sl] = np.maximum(wall, z_b - z)
        return d_cut

    far = 10.0 * (max(g.extent) + abs(geo.z0) + geo.nz * g.spacing)
    if getattr(geo, "tiled", None) is not None:
        cut = _cut_tiled(geo, kind, half, tan, z_top, z_b, far, axes, center)
        if cut is not None:
            return cut
        geo = geo.replace(phi=np.array(geo.phi))     # a layer not flat: the dense path
    # the layers are written into one array (no list of layers and its stacked copy
    # alive at once: the builder's peak was input + layers + stack, #18); a layer's new
    # values never read another layer and are computed from the layer before they are
    # written, so they can go into the input when it is ours
    own = (overwrite or geo is not geometry) and geo.phi.flags.writeable \
        and geo.phi.flags.c_contiguous
    phi = geo.phi if own else np.empty(geo.phi.shape)
    for k, phi_k in enumerate(geo.phi):
        t_k = _flat_top(phi_k, geo)
        if t_k is None:                      # not flat: CSG then fast marching
            phi[k] = reinitialise(np.maximum(phi_k, -cut_distance()), g)
        elif t_k <= z_b:                     # entirely below the cut
            if not own:
                phi[k] = phi_k
        else:                                # exact: distance to the (x|r, z) profile
            poly = _profile(kind, half, tan, z_top, z_b, t_k, far)
            for sl, _x, s, z in slabs():
                phi[k][sl] = _polygon_sdf(s, z, poly)
    return geo.replace(phi=phi)


def _cut_tiled(geo, kind: str, half: float, tan: float, z_top: float, z_b: float,
               far: float, axes: list, center: tuple[float, ...]):
    """``cut_feature`` of a column stack (``column_stack.ColumnStack``) whose layers are
    all flat, written into column tiles a slab of x-planes at a time: each node's
    value is computed as in the dense path (elementwise, so the same bits); None when a
    layer is not flat (the caller then takes the dense path)."""
    from .column_stack import ColumnStack

    tops = [_flat_top_tiled(geo, k) for k in range(geo.n_layers)]
    if any(t is None for t in tops):
        return None

    def planes_of(k: int, i0: int, i1: int) -> np.ndarray:
        t_k = tops[k]
        assert t_k is not None
        if t_k <= z_b:                       # entirely below the cut
            return geo.layer_planes(k, i0, i1)
        poly = _profile(kind, half, tan, z_top, z_b, t_k, far)
        X = np.meshgrid(axes[0][i0:i1], *axes[1:], indexing="ij")
        x = X[0] - center[0]
        s = np.hypot(x, X[1] - center[1]) if kind == "hole" else x
        return _polygon_sdf(s, X[-1], poly)

    plane = int(np.prod([len(a) for a in axes[1:]]))
    return ColumnStack.from_planes(grid=geo.grid, z0=geo.z0, materials=geo.materials,
                                   reference_top=geo.reference_top, nz=geo.nz,
                                   planes_of=planes_of, planes=SLAB_NODES // max(plane, 1))


def _flat_top_tiled(geo, k: int) -> float | None:
    """``_flat_top`` of layer k of a column stack: its column tiles compared first (every
    tile one column, all equal bit for bit: uniform), else its planes by slabs."""
    c = geo.tiled
    if bool((c.tmap[k] < 0).all()) and bool((c.cols[k] == c.cols[k, :1, :1]).all()):
        return _flat_height(geo.layer_planes(k, 0, 1)[0, 0], geo)
    nx, nz = geo.shape[0], geo.nz
    step = max(1, SLAB_NODES // (geo.shape[1] * nz))
    return _flat_top_rows((geo.layer_planes(k, i0, min(i0 + step, nx)).reshape(-1, nz)
                           for i0 in range(0, nx, step)), geo)


def _flat_top(phi_k: np.ndarray, geo: LevelSetStack) -> float | None:
    """Height of the zero of a laterally uniform φ_k = z − T (None if not of that form)."""
    col = phi_k.reshape(-1, phi_k.shape[-1])
    rows = max(1, SLAB_NODES // col.shape[1])    # by slabs: no full-size temporaries
    return _flat_top_rows((col[r0:r0 + rows] for r0 in range(0, col.shape[0], rows)), geo)


def _flat_top_rows(blocks, geo: LevelSetStack) -> float | None:
    """``_flat_top`` of the z-rows given by blocks of (n, nz) rows (the first row of the
    first block is the reference)."""
    atol = 1e-9 * geo.grid.spacing
    first = None
    for b in blocks:
        if first is None:
            first = np.array(b[:1])
        if not np.allclose(b, first, rtol=0, atol=atol):
            return None
    assert first is not None
    return _flat_height(first[0], geo)


def _flat_height(col0: np.ndarray, geo: LevelSetStack) -> float | None:
    """The top T of a column φ = z − T (None if the column is not of that form)."""
    t = geo.z_coords - col0
    if np.ptp(t) > 1e-6 * geo.grid.spacing:
        return None
    return float(t.mean())


def _profile(kind: str, half: float, tan: float, z_top: float, z_b: float, t_k: float,
             far: float) -> np.ndarray:
    """Cross-section polygon (s = x or r mirrored, z) of a layer with top t_k after the cut."""
    if kind == "line":
        b = lambda zz: half + (z_top - zz) * tan          # noqa: E731
        return np.array([(-far, -far), (far, -far), (far, z_b), (b(z_b), z_b), (b(t_k), t_k),
                         (-b(t_k), t_k), (-b(z_b), z_b), (-far, z_b)])
    a = lambda zz: half - (z_top - zz) * tan              # noqa: E731
    return np.array([(-far, -far), (far, -far), (far, t_k), (a(t_k), t_k), (a(z_b), z_b),
                     (-a(z_b), z_b), (-a(t_k), t_k), (-far, t_k)])


def _polygon_sdf(px: np.ndarray, py: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Exact signed distance to a simple polygon (negative inside), vertices (n, 2)."""
    from .._inside import inside_polygon     # matplotlib.path's test, without its import

    poly = np.asarray(poly, dtype=np.float64)
    if poly.ndim != 2 or poly.shape[1] != 2 or len(poly) < 3:
        raise RecipeError(f"a polygon needs >= 3 (x, y) vertices, got shape {poly.shape}",
                          path="polygons", value=None)
    px, py = np.broadcast_arrays(px, py)
    d2 = np.full(px.shape, np.inf)
    a = poly
    b = np.roll(poly, -1, axis=0)
    for (ax, ay), (bx, by) in zip(a, b):
        ex, ey = bx - ax, by - ay
        ll = ex * ex + ey * ey
        t = np.clip(((px - ax) * ex + (py - ay) * ey) / ll, 0.0, 1.0) if ll > 0 else 0.0
        d2 = np.minimum(d2, (px - ax - t * ex) ** 2 + (py - ay - t * ey) ** 2)
    inside = inside_polygon(np.column_stack([px.ravel(), py.ravel()]), poly)
    d = np.sqrt(d2)
    return np.where(inside.reshape(px.shape), -d, d)


def from_polygons(grid: Grid, polygons: Sequence[np.ndarray], material: str, *,
                  base: LevelSetStack | None = None,
                  z_range: tuple[float, float] | None = None,
                  invert: bool = False) -> LevelSetStack:
    """A material region from polygons (their union).

    2D: polygons are (x, y) cross-sections in the grid's plane.  3D: polygons are (x, y)
    masks extruded over ``z_range`` = (z_lo, z_hi); ``invert`` extrudes the complement of
    the polygons instead (a film with the polygons as openings).  With ``base`` the region is added on
    top of an existing stack as a new top layer (φ_new = min(φ_top, d)); otherwise it is
    the only layer.
    """
    polys = [np.asarray(p, dtype=np.float64) for p in polygons]
    if not polys:
        raise RecipeError("no polygons given", path="polygons", value=None)
    if grid.dimension == 2:
        lo = min(p[:, 1].min() for p in polys)
        hi = max(p[:, 1].max() for p in polys)
    else:
        if z_range is None or not z_range[1] > z_range[0]:
            raise RecipeError(f"3D polygons need z_range = (z_lo, z_hi), got {z_range!r}",
                              path="z_range", value=z_range)
        lo, hi = float(z_range[0]), float(z_range[1])
    if base is not None:
        lo = min(lo, base.z_range[0] + MARGIN_NODES * grid.spacing)
        hi = max(hi, base.z_range[1] - MARGIN_NODES * grid.spacing)
    z0, nz = _window(grid, lo, hi)
    X = _mesh(grid, z0, nz)
    if grid.dimension == 2:
        d = np.min([_polygon_sdf(X[0], X[1], p) for p in polys], axis=0)
    else:
        d2 = np.min([_polygon_sdf(X[0][..., 0], X[1][..., 0], p) for p in polys], axis=0)
        if invert:
            d2 = -d2
        d2 = np.broadcast_to(d2[..., None], X[0].shape)
        dz = np.maximum(lo - X[2], X[2] - hi)
        d = np.where((d2 > 0) & (dz > 0), np.hypot(np.maximum(d2, 0), np.maximum(dz, 0)),
                     np.maximum(d2, dz))
    d = reinitialise(d, grid)
    if base is None:
        return LevelSetStack(grid=grid, z0=z0, phi=d[None], materials=(material,),
                             reference_top=hi)
    geo = base.with_window(z0, z0 + grid.spacing * (nz - 1))
    off = int(round((z0 - geo.z0) / grid.spacing))
    full = np.full(geo.shape, np.inf)
    full[..., off:off + nz] = d
    # outside the polygon window the region is absent: extend with the vertical distance
    if off > 0:
        full[..., :off] = d[..., :1] + grid.spacing * np.arange(off, 0, -1)
    rest = geo.nz - off - nz
    if rest > 0:
        full[..., off + nz:] = d[..., -1:] + grid.spacing * np.arange(1, rest + 1)
    top = reinitialise(np.minimum(geo.top, full), grid)
    return geo.replace(phi=np.concatenate([geo.phi, top[None]]),
                       materials=geo.materials + (material,),
                       reference_top=max(geo.reference_top, hi))
