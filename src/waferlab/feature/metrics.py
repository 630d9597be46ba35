"""Profile metrics from a geometry: depth, film thickness, CD, sidewall angle, profiles.

All lengths in metres, angles in radians, plain floats.  2D measures the (x, y)
cross-section; 3D measures the cut at y = 0 (CD is then the diameter along x).
:func:`run_metrics` is what a run reports (keys carry their unit; docs/metrics.md).
"""
from __future__ import annotations

import math

import numpy as np

from .extract import contours_2d
from .grid import Grid
from .levelset import LevelSetStack

__all__ = ["prominent_peaks", "column_heights", "depth", "thickness_along", "bottom_thickness",
           "sidewall_thickness", "cd_at", "sidewall_angle", "profile_polylines", "center_cut",
           "opening_width", "void_mask", "has_void", "run_metrics", "RESIST", "scallops"]


def column_heights(geometry: LevelSetStack, layer: int = -1) -> np.ndarray:
    """Height (m) of the highest crossing of ``layer``'s set (default: the top surface)
    in every lateral column (NaN: none)."""
    t = geometry.phi[layer]
    nz = t.shape[-1]
    solid = t <= 0
    has = solid.any(axis=-1)
    ks = nz - 1 - np.argmax(solid[..., ::-1], axis=-1)
    ks = np.minimum(ks, nz - 2)
    a = np.take_along_axis(t, ks[..., None], -1)[..., 0]
    b = np.take_along_axis(t, ks[..., None] + 1, -1)[..., 0]
    frac = np.where(b > a, -a / np.where(b > a, b - a, 1.0), 0.0)
    z = geometry.z0 + geometry.grid.spacing * (ks + np.clip(frac, 0.0, 1.0))
    return np.where(has, z, np.nan)


def depth(geometry: LevelSetStack, *, reference: float | None = None) -> float:
    """Deepest point of the top surface below ``reference`` (default: the top as built)."""
    ref = geometry.reference_top if reference is None else float(reference)
    return float(ref - np.nanmin(column_heights(geometry)))


def thickness_along(geometry: LevelSetStack, start, direction, material: str | None = None,
                    *, step: float | None = None) -> float:
    """Length (m) of the first run of ``material`` met walking from ``start`` along ``direction``.

    The walk starts in the vacuum; ``material=None`` takes the material hit first.
    Resolution ``step`` (default h/20).
    """
    h = geometry.grid.spacing
    ds = h / 20 if step is None else float(step)
    p0 = np.asarray(start, dtype=np.float64)
    d = np.asarray(direction, dtype=np.float64)
    d = d / np.linalg.norm(d)
    length = (geometry.nz * h + sum(geometry.grid.extent)) * 1.5
    s = np.arange(0.0, length, ds)
    pts = p0[None] + s[:, None] * d[None]
    lo, hi = geometry.z_range
    ok = (pts[:, -1] >= lo) & (pts[:, -1] <= hi)
    for ax, (a, b) in enumerate(geometry.grid.lateral_bounds):
        ok &= (pts[:, ax] >= a) & (pts[:, ax] <= b)
    pts = pts[ok]
    mats = geometry.material_index_at(pts, tol=0.0)
    solid = np.nonzero(mats >= 0)[0]
    if solid.size == 0:
        return 0.0
    i0 = solid[0]
    want = mats[i0] if material is None else _index(geometry, material, mats[i0:])
    if want is None:
        return 0.0
    run = np.nonzero(mats[i0:] == want)[0]
    if run.size == 0:
        return 0.0
    first = i0 + run[0]
    stop = np.nonzero(mats[first:] != want)[0]
    n = stop[0] if stop.size else len(mats) - first
    return float(n * ds)


def _index(geometry, material, mats):
    idx = [k for k, m in enumerate(geometry.materials) if m == material]
    if not idx:
        raise ValueError(f"material {material!r} is not on the wafer ({', '.join(geometry.materials)})")
    for m in mats:                     # the first layer of that name met along the walk
        if m in idx:
            return m
    return None


def _point(geometry, x, y, z):
    return (x, z) if geometry.grid.dimension == 2 else (x, y, z)


def bottom_thickness(geometry: LevelSetStack, material: str | None = None, *,
                     x: float = 0.0, y: float = 0.0) -> float:
    """Vertical thickness of ``material`` (default: the top material there) at (x, y)."""
    start = _point(geometry, x, y, geometry.z_range[1])
    down = _point(geometry, 0.0, 0.0, -1.0)
    return thickness_along(geometry, start, down, material)


def sidewall_thickness(geometry: LevelSetStack, height: float, material: str | None = None) -> float:
    """Horizontal thickness of ``material`` on the right-hand wall at ``height`` (from x = 0 → +x)."""
    return thickness_along(geometry, _point(geometry, 0.0, 0.0, height),
                           _point(geometry, 1.0, 0.0, 0.0), material)


def center_cut(geometry: LevelSetStack) -> LevelSetStack:
    """2D geometry of the y = 0 cut of a 3D geometry (2D: returned as is)."""
    g = geometry.grid
    if g.dimension == 2:
        return geometry
    fy = (0.0 - g.lateral_coords(1)[0]) / g.spacing
    j0 = int(math.floor(fy))
    w = fy - j0
    j1 = min(j0 + 1, g.lateral_shape[1] - 1)
    ys = geometry.y_planes(j0, j1 + 1)     # the two rows only (a tiled stack: no dense φ)
    phi = (1 - w) * ys[:, :, 0, :] + w * ys[:, :, j1 - j0, :]
    g2 = Grid(dimension=2, spacing=g.spacing, extent=(g.extent[0],), boundary=g.boundary)
    return LevelSetStack(grid=g2, z0=geometry.z0, phi=phi, materials=geometry.materials,
                         reference_top=geometry.reference_top)


def cd_at(geometry: LevelSetStack, height: float) -> float:
    """Width (m) of the phase interval (opening or line) containing x = 0 at ``height``.

    3D: along x in the y = 0 cut (the diameter of a round hole).  NaN when the phase at
    x = 0 reaches both lateral boundaries.
    """
    cut = center_cut(geometry)
    g = cut.grid
    xs = np.concatenate([[-0.5 * g.extent[0]], g.lateral_coords(0), [0.5 * g.extent[0]]])
    xs = np.union1d(xs, [0.0])
    v = cut.values_at(np.column_stack([xs, np.full_like(xs, height)]))[-1]
    i0 = int(np.searchsorted(xs, 0.0))
    s0 = v[i0] > 0
    right = left = None
    for i in range(i0 + 1, len(xs)):
        if (v[i] > 0) != s0:
            right = xs[i - 1] + (xs[i] - xs[i - 1]) * v[i - 1] / (v[i - 1] - v[i])
            break
    for i in range(i0 - 1, -1, -1):
        if (v[i] > 0) != s0:
            left = xs[i + 1] + (xs[i] - xs[i + 1]) * v[i + 1] / (v[i + 1] - v[i])
            break
    if right is None and left is None:
        return float("nan")
    if right is None:                  # symmetric about x = 0 by construction
        assert left is not None        # both None returned above
        right = -left
    if left is None:
        left = -right
    return float(right - left)


def sidewall_angle(geometry: LevelSetStack, *, z_top: float | None = None,
                   z_bottom: float | None = None) -> float:
    """Sidewall angle from the horizontal (rad; π/2 = vertical) between two heights.

    Defaults: 10 % and 90 % of the depth below the top as built.  A wall whose opening
    narrows downwards (positive taper) gives an angle below π/2; the taper from vertical
    is π/2 − angle.
    """
    ref = geometry.reference_top
    if z_top is None or z_bottom is None:
        dd = depth(geometry)
        z_top = ref - 0.1 * dd if z_top is None else z_top
        z_bottom = ref - 0.9 * dd if z_bottom is None else z_bottom
    c_top, c_bot = cd_at(geometry, z_top), cd_at(geometry, z_bottom)
    cut = center_cut(geometry)
    opening = cut.values_at(np.array([[0.0, 0.5 * (z_top + z_bottom)]]))[-1, 0] > 0
    dx = 0.5 * (c_top - c_bot) * (1.0 if opening else -1.0)
    return float(math.atan2(abs(z_top - z_bottom), dx))


def profile_polylines(geometry: LevelSetStack) -> list[np.ndarray]:
    """Top-surface polylines (m): 2D (x, y); 3D the y = 0 cut as (x, z).

    Open profiles run left to right, sorted by their leftmost point; closed contours
    (voids) follow in the same order.
    """
    cut = center_cut(geometry)
    lines = contours_2d(cut.top, cut)
    out = []
    for c in lines:
        closed = np.allclose(c[0], c[-1])
        if not closed and c[0, 0] > c[-1, 0]:
            c = c[::-1]
        out.append((closed, float(c[:, 0].min()), c))
    out.sort(key=lambda t: (t[0], t[1]))
    return [c for _, _, c in out]


# ---- run metrics: what `waferlab run` reports (definitions and sketch: docs/metrics.md) ----

RESIST = "Resist"          # the layer an expose step adds; a mask, not a film


def _row(cut: LevelSetStack, layer: int, height: float) -> np.ndarray:
    """φ of ``layer`` along x at ``height`` (linear between the node rows)."""
    f = (height - cut.z0) / cut.grid.spacing
    j = int(np.clip(math.floor(f), 0, cut.nz - 2))
    w = float(np.clip(f - j, 0.0, 1.0))
    return (1.0 - w) * cut.phi[layer][:, j] + w * cut.phi[layer][:, j + 1]


def _extended(cut: LevelSetStack, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A row continued one period (periodic) or one mirror image (reflective) each side."""
    g = cut.grid
    xs, L = g.lateral_coords(0), g.extent[0]
    if g.periodic:
        return np.concatenate([xs - L, xs, xs + L]), np.tile(v, 3)
    return (np.concatenate([-L - xs[::-1], xs, L - xs[::-1]]),
            np.concatenate([v[::-1], v, v[::-1]]))


def opening_width(cut: LevelSetStack, layer: int, height: float, x0: float) -> float:
    """Width (m) of the interval around ``x0`` at ``height`` outside ``layer``'s set (φ > 0).

    0 when ``x0`` lies inside the set (closed); NaN when the interval has no end within a
    period (or mirror image) either side.  Ends by linear interpolation of φ.
    """
    x, v = _extended(cut, _row(cut, layer, height))
    v0 = float(np.interp(x0, x, v))
    if v0 <= 0.0:
        return 0.0
    i = int(np.searchsorted(x, x0))
    ends = []
    for idx, sgn in ((np.arange(i, len(x)), 1), (np.arange(i - 1, -1, -1), -1)):
        neg = np.nonzero(v[idx] <= 0.0)[0]
        if neg.size == 0:
            return float("nan")
        j = idx[neg[0]]
        xa, va = (x0, v0) if neg[0] == 0 else (x[j - sgn], v[j - sgn])
        ends.append(xa + (x[j] - xa) * va / (va - v[j]))
    return float(ends[0] - ends[1])


def _stretch(cut: LevelSetStack, start, direction, n_struct: int) -> dict[int, float] | None:
    """Lengths (m) per layer of the solid non-structure run lying directly on the structure,
    walking from ``start`` along ``direction`` (None: no structure met)."""
    h = cut.grid.spacing
    ds = h / 20
    d = np.asarray(direction, float)
    length = 2.0 * (cut.nz * h + cut.grid.extent[0])
    s = np.arange(0.0, length, ds)
    pts = np.asarray(start, float)[None] + s[:, None] * d[None]
    lo, hi = cut.z_range
    L = 0.5 * cut.grid.extent[0]
    pts = pts[(pts[:, 1] >= lo) & (pts[:, 1] <= hi) & (np.abs(pts[:, 0]) <= L)]
    mats = cut.material_index_at(pts, tol=0.0)
    hit = np.nonzero((mats >= 0) & (mats < n_struct))[0]
    if hit.size == 0:
        return None
    k = hit[0] - 1
    out: dict[int, float] = {}
    while k >= 0 and mats[k] >= n_struct:
        out[int(mats[k])] = out.get(int(mats[k]), 0.0) + ds
        k -= 1
    return out


def void_mask(geometry: LevelSetStack) -> np.ndarray:
    """Nodes of vacuum (φ_top > 0) not connected to the top of the window through face
    neighbours: closed voids (``_metrics_kernels.open_to_top``)."""
    from ._metrics_kernels import open_to_top

    vac = geometry.top > 0
    return vac & ~open_to_top(vac)


def has_void(geometry: LevelSetStack) -> bool:
    """True when the top surface has closed off a void (the feature pinched off): a vacuum
    component that does not reach the top of the window.  Called every deposit time step
    (a numba flood fill: no scipy.ndimage import in a run without voids)."""
    return bool(void_mask(geometry).any())


def _void_metrics(final: LevelSetStack, cut: LevelSetStack, z_top: float) -> dict:
    """void_present, void area (2D, m²) / volume (3D, m³), height, width, depth of its top."""
    g = final.grid
    mask = void_mask(final)
    dim = "m2" if g.dimension == 2 else "m3"
    out: dict = {"void_present": int(mask.any())}
    if not mask.any():
        return out
    from scipy import ndimage                    # a void's size only (~0.14 s to import)

    h = g.spacing
    near = ndimage.binary_dilation(mask, iterations=3) & ~((final.top > 0) & ~mask)
    s = np.clip(final.top / (1.5 * h), -1.0, 1.0)
    H = 0.5 * (1.0 + s + np.sin(np.pi * s) / np.pi)       # smoothed Heaviside of +φ
    out[f"void_size_{dim}"] = float((H * near).sum() * h ** g.dimension)
    closed = [c for c in contours_2d(cut.top, cut) if np.allclose(c[0], c[-1])]
    if closed:
        pts = np.concatenate(closed)
        out["void_height_m"] = float(np.ptp(pts[:, 1]))
        out["void_width_m"] = float(np.ptp(pts[:, 0]))
        out["void_top_depth_m"] = float(z_top - pts[:, 1].max())
    return out


def run_metrics(initial: LevelSetStack, final: LevelSetStack, *,
                pinch_off_time: float | None = None, with_scallops: bool = True) -> dict:
    """The metrics of a run (SI floats, keys carry their unit; see docs/metrics.md).

    The *etched layer* is the structure material at the floor of the deepest feature;
    the *mask* is every structure layer above it plus developed resist; *films* are the
    layers deposited during the run.  3D geometries are measured on the y = 0 cut
    (void size: on the whole volume).  ``with_scallops``: add the scallop metrics
    (:func:`scallops`; the runner asks for them on cyclic etches only).
    """
    n0 = initial.n_layers
    cut0, cut = center_cut(initial), center_cut(final)
    h = final.grid.spacing
    xs = cut.grid.lateral_coords(0)
    names = final.materials
    struct = n0 - 1
    # the etched layer: the material under the deepest point of the structure
    hs = column_heights(cut, struct)
    cand = hs <= np.nanmin(hs) + 0.25 * h
    masks = tuple(k for k in range(n0, final.n_layers) if names[k] == RESIST)
    top_mask = max(masks) if masks else None
    if top_mask is not None:                      # flat floor: the opening in the resist
        hm = column_heights(cut, top_mask)
        cand &= hm <= np.nanmin(np.where(cand, hm, np.inf)) + 0.25 * h
    jf = int(np.argmin(np.where(cand, np.abs(xs), np.inf)))
    x_f = _floor_centre(cut, cand, jf)
    k_e = int(cut.material_index_at(np.array([[float(xs[jf]), hs[jf] - 0.5 * h]]), tol=0.0)[0])
    masks = tuple(range(k_e + 1, n0)) + masks
    films = tuple(k for k in range(n0, final.n_layers) if names[k] != RESIST)
    he = column_heights(cut, k_e)
    e_top0 = float(np.nanmax(column_heights(cut0, k_e)))
    etch = max(e_top0 - float(np.nanmin(he)), 0.0)
    out: dict = {"etched_layer": names[k_e], "etch_depth_m": etch}
    if etch >= 0.5 * h:
        for name, frac in (("top", 0.1), ("middle", 0.5), ("bottom", 0.9)):
            out[f"cd_{name}_m"] = _finite(opening_width(cut, k_e, e_top0 - frac * etch, x_f))
        out["sidewall_angle_deg"] = _angle(out["cd_top_m"], out["cd_bottom_m"], 0.8 * etch)
        if with_scallops:
            top_w = opening_width(cut, masks[0], e_top0 + 0.5 * h, x_f) if masks else None
            out.update(scallops(cut, k_e, x_f, e_top0, e_top0 - etch, top_width=top_w))
    top_set = max(masks) if masks else struct
    jfield = _field_column(cut, x_f, column_heights(cut, top_set))
    if masks:
        out.update(_mask_metrics(cut0, cut, k_e, masks, x_f, jfield, n0))
    if films:
        out.update(_film_metrics(final, cut, n0, films, hs, x_f, jfield, pinch_off_time))
    below = list(out.pop("below_resolution", []))
    for k in [k for k in out if k.startswith(("remaining_", "mask_remaining"))]:
        if out[k] is not None and 0 < out[k] < 0.5 * h:   # a sub-cell sliver: not a mask
            out[k] = 0.0
            below.append(k)
    out["grid_spacing_m"] = h
    out["below_resolution"] = below
    return out


def _floor_centre(cut: LevelSetStack, cand: np.ndarray, j0: int) -> float:
    """x of the middle of the run of floor columns ``cand`` that holds column ``j0``: the
    feature centre.  A run reaching a mirror boundary is centred on it (the opening
    continues in the mirror image); across a periodic boundary it wraps."""
    g = cut.grid
    xs, n, L = g.lateral_coords(0), len(cand), g.extent[0]
    per = g.periodic
    a = b = j0
    while b - a + 1 < n and (per or a > 0) and cand[(a - 1) % n]:
        a -= 1
    while b - a + 1 < n and (per or b < n - 1) and cand[(b + 1) % n]:
        b += 1
    if b - a + 1 >= n or (not per and a == 0 and b == n - 1):
        return float(xs[j0])                 # flat everywhere: the column nearest x = 0
    if not per and a == 0:
        return -0.5 * L
    if not per and b == n - 1:
        return 0.5 * L
    x_a = xs[a % n] + (a // n) * L
    x_b = xs[b % n] + (b // n) * L
    return float((0.5 * (x_a + x_b) + 0.5 * L) % L - 0.5 * L)


def _field_column(cut: LevelSetStack, x_f: float, heights: np.ndarray) -> int:
    """The field: of the columns where the mask (or structure) top ``heights`` is highest
    (within h/4), the one farthest from the feature centre ``x_f`` (across a periodic
    boundary when there is one)."""
    g = cut.grid
    dx = np.abs(g.lateral_coords(0) - x_f)
    if g.periodic:
        dx = np.minimum(dx, g.extent[0] - dx)
    high = heights >= np.nanmax(heights) - 0.25 * g.spacing
    return int(np.argmax(np.where(high, dx, -1.0)))


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _angle(cd_top: float | None, cd_bottom: float | None, dz: float) -> float | None:
    """Sidewall angle (deg) from the horizontal between two widths dz apart: 90 vertical,
    < 90 tapered (narrower at the bottom), > 90 re-entrant (wider at the bottom)."""
    if cd_top is None or cd_bottom is None or dz <= 0:
        return None
    return float(np.degrees(math.atan2(dz, 0.5 * (cd_top - cd_bottom))))


def _mask_metrics(cut0, cut, k_e, masks, x_f, jm, n0) -> dict:
    names = cut.materials
    h = cut.grid.spacing
    k_m = max(masks)
    he, hm = column_heights(cut, k_e), column_heights(cut, k_m)
    rem = float(hm[jm] - he[jm])
    out: dict = {"mask_material": "+".join(dict.fromkeys(names[k] for k in masks)),
                 "mask_remaining_m": rem}
    if len(masks) > 1:
        for k in masks:
            below = column_heights(cut, k - 1)[jm] if k > 0 else np.nan
            v = float(column_heights(cut, k)[jm] - below)
            key = f"remaining_{names[k]}_m"
            out[key] = out.get(key, 0.0) + v
    structural = tuple(k for k in masks if k < n0)
    if structural and len(structural) == len(masks):
        t0 = column_heights(cut0, max(structural)) - column_heights(cut0, k_e)
        out["mask_erosion_m"] = float(t0[jm]) - rem
    if rem >= h:
        base = float(he[jm])
        out["cd_mask_m"] = _finite(opening_width(cut, k_m, base + 0.5 * rem, x_f))
        top, bot = (_finite(opening_width(cut, k_m, base + f * rem, x_f)) for f in (0.8, 0.2))
        out["mask_sidewall_angle_deg"] = _angle(top, bot, 0.6 * rem)
    return out


def _film_metrics(final, cut, n0, films, hs, x_f, jfield, pinch_off_time) -> dict:
    names = cut.materials
    h = cut.grid.spacing
    xs = cut.grid.lateral_coords(0)
    top_z = cut.z_range[1]
    z_field, z_floor = float(hs[jfield]), float(np.nanmin(hs))
    z_mid = 0.5 * (z_field + z_floor)
    walks = {"field": ((float(xs[jfield]), top_z), (0.0, -1.0)),
             "bottom": ((x_f, top_z), (0.0, -1.0))}
    if z_field - z_floor >= h:
        walks["sidewall_left"] = ((x_f, z_mid), (-1.0, 0.0))
        walks["sidewall_right"] = ((x_f, z_mid), (1.0, 0.0))
    runs = {w: _stretch(cut, p, d, n0) for w, (p, d) in walks.items()}
    out: dict = {}
    below: list[str] = []
    last = names[films[-1]]
    for mat in dict.fromkeys(names[k] for k in films):
        ks = [k for k in films if names[k] == mat]
        for where, run in runs.items():
            v = None if run is None else sum(run.get(k, 0.0) for k in ks)
            if v is not None and 0 < v < 0.5 * h:    # a sub-cell sliver is not a film
                below.append(f"film_{where}_{mat}_m")
                v = 0.0
            out[f"film_{where}_{mat}_m"] = v
            if mat == last:
                out[f"film_{where}_m"] = v
    field = out.get("film_field_m")
    if field:
        if out.get("film_bottom_m") is not None:
            out["step_coverage"] = out["film_bottom_m"] / field
        sl, sr = out.get("film_sidewall_left_m"), out.get("film_sidewall_right_m")
        if sl is not None and sr is not None:
            out["sidewall_coverage"] = min(sl, sr) / field
    if z_field - z_floor >= h:
        sl, sr = out.get("film_sidewall_left_m"), out.get("film_sidewall_right_m")
        side = None if sl is None or sr is None else 0.5 * (sl + sr)
        out.update(_neck(cut, n0, x_f, z_mid, z_field, h, side))
    void = _void_metrics(final, cut, float(column_heights(cut)[jfield]))
    if void["void_present"]:
        out["neck_width_m"] = 0.0
    out["opening_depth_m"] = max(float(np.nanmax(column_heights(cut)) - np.nanmin(column_heights(cut))), 0.0)
    out.update(void)
    out["pinch_off_time_s"] = pinch_off_time
    out["below_resolution"] = below
    return out


def _neck(cut, n0, x_f, z_mid, z_field, h, sidewall) -> dict:
    """Neck width: the narrowest opening of the top surface between mid-depth and the
    field.  Overhang: how far the films close the opening at the neck beyond the
    sidewall film at mid-depth, per wall: ½ (w_s(z_n) − w(z_n)) − t_side (≥ 0), w_s the
    opening of the structure (films removed)."""
    zs = np.arange(z_mid, z_field - 0.25 * h, 0.5 * h)     # below the field's own level
    if zs.size == 0:
        return {}
    widths = np.array([opening_width(cut, cut.n_layers - 1, z, x_f) for z in zs])
    if not np.isfinite(widths).any():
        return {"neck_width_m": None}
    i = int(np.nanargmin(widths))
    out = {"neck_width_m": float(widths[i])}
    w0 = opening_width(cut, n0 - 1, zs[i], x_f)
    if sidewall is not None and np.isfinite(w0):
        out["overhang_m"] = max(float(0.5 * (w0 - widths[i]) - sidewall), 0.0)
    return out


def scallops(cut: LevelSetStack, layer: int, x0: float, z_top: float, z_bottom: float, *,
             top_width: float | None = None) -> dict:
    """Scallops of an etched sidewall (Bosch process): bulges of the opening width.

    The width w(z) of the opening around ``x0`` outside ``layer``'s set (the etched
    material; films in the opening count as open) is sampled every h/4 from ``z_top``
    down to ``z_bottom``; a scallop is a local maximum of w(z) with a prominence of at
    least one grid spacing h (:func:`prominent_peaks`, as ``scipy.signal.find_peaks``).  Above ``z_top`` the width
    continues as ``top_width`` (the mask opening; default: w at z_top), below
    ``z_bottom`` the floor closes it: a first scallop undercutting the mask counts, a
    straight wall as wide as the opening does not.

    scallop_count       number of scallops
    scallop_period_m    mean vertical distance between consecutive scallop maxima
                        (None with fewer than 2)
    scallop_depth_m     mean lateral depth per side of the ridges between consecutive
                        scallops, (min(w_i, w_i+1) − w_ridge)/2 (None with fewer than 2)
    """
    h = cut.grid.spacing
    out: dict[str, float | None] = {"scallop_count": 0, "scallop_period_m": None,
                                    "scallop_depth_m": None}
    if z_top - z_bottom < 2 * h:
        return out
    z = np.arange(z_top - 0.25 * h, z_bottom + 0.25 * h, -0.25 * h)
    w = np.array([opening_width(cut, layer, float(zi), x0) for zi in z])
    w = np.where(np.isfinite(w), w, 0.0)
    top = w[0] if top_width is None or not np.isfinite(top_width) else float(top_width)
    peaks = prominent_peaks(np.concatenate([[top], w, [0.0]]), h) - 1
    out["scallop_count"] = int(len(peaks))
    if len(peaks) >= 2:
        out["scallop_period_m"] = float(np.mean(-np.diff(z[peaks])))
        ridges = [min(w[a], w[b]) - float(np.min(w[a:b + 1]))
                  for a, b in zip(peaks[:-1], peaks[1:])]
        out["scallop_depth_m"] = float(0.5 * np.mean(ridges))
    return out


def prominent_peaks(x: np.ndarray, prominence: float) -> np.ndarray:
    """Indices of the local maxima of ``x`` (a flat top: its middle sample, rounded down;
    not the end samples) whose topographic prominence — the height above the higher of
    the lowest points on either side before a higher sample — is at least
    ``prominence``: ``scipy.signal.find_peaks(x, prominence=prominence)[0]``, the same
    algorithm (tested equal).  Written out because ``scipy.signal`` costs ~0.5 s CPU to
    import, a fixed cost of every run's metrics for a few hundred samples."""
    x = np.asarray(x, dtype=np.float64).tolist()
    n, out, i = len(x), [], 1
    while i < n - 1:
        if x[i - 1] < x[i]:
            j = i + 1
            while j < n - 1 and x[j] == x[i]:
                j += 1
            if x[j] < x[i]:
                p, top = (i + j - 1) // 2, x[i]
                k, left = p, top
                while k >= 0 and x[k] <= top:
                    left, k = min(left, x[k]), k - 1
                k, right = p, top
                while k <= n - 1 and x[k] <= top:
                    right, k = min(right, x[k]), k + 1
                if top - max(left, right) >= prominence:
                    out.append(p)
                i = j
        i += 1
    return np.asarray(out, dtype=np.intp)
