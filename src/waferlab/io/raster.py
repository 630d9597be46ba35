"""The run folder's pictures drawn with Pillow: ``profile.png`` (the cross-section, each
material filled in its colour, the final surface solid and the initial one dashed) and
``profile_3d.png`` (the final surface of a 3D run, each triangle in its material's
colour, lit by a fixed light).

Why not matplotlib here: importing ``matplotlib.figure`` costs ~0.5 s CPU, a fixed cost
of every run that was ~15 % of a small 2D run's whole process (issue #18: the shared
cases are timed as a user pays them); Pillow (matplotlib's own image library, so it is
installed wherever matplotlib is) costs ~0.02 s.  The pictures show what the
matplotlib ones of :mod:`waferlab.io.plots` show — materials, surfaces, axes in nm or
µm with ticks, legend, title — and the Python API (``Result.plot()``) still draws with
matplotlib for notebooks.

The fill is a raster: each pixel centre takes the lowest layer whose level set,
interpolated bilinearly between the grid nodes, is negative there (as the filled
contours of the matplotlib picture, bottom layer painted last); zero contours by
marching squares (scikit-image, as the surface extraction).  Drawn at twice the size and
averaged down (anti-aliased edges).  The 3D picture is an orthographic view (elevation
35°, azimuth −60°, mplot3d's default angles) painted back to front; the shade of a
triangle is 0.45 + 0.55 |n·l| with l the direction of a light at azimuth 315°,
altitude 45° (matplotlib's ``LightSource`` convention).
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .atomic import atomic_path

__all__ = ["write_profile_png", "write_surface_png", "nice_ticks", "profile_image",
           "surface_image", "SUPERSAMPLE", "PNG_LEVEL"]

#: Pictures are drawn this many times larger and averaged down (anti-aliasing).
SUPERSAMPLE = 2
#: zlib level of the PNG files (1: the fastest; flat colours compress well at any level)
PNG_LEVEL = 1
_SIZE = (768, 624)               # the matplotlib pictures' 6.4 × 5.2 in at 120 dpi
_MARGIN = (86, 40, 18, 62)       # left, top, right, bottom (px): ticks, labels, title


def _rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _color(names, k: int) -> tuple[int, int, int]:
    from .plots import _color as hex_color

    return _rgb(hex_color(names[k], k))


def _font_file() -> str | None:
    """matplotlib's DejaVu Sans (found without importing matplotlib): it has µ and −."""
    import importlib.util
    import os

    spec = importlib.util.find_spec("matplotlib")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = os.path.join(folder, "mpl-data", "fonts", "ttf", "DejaVuSans.ttf")
        if os.path.isfile(path):
            return path
    return None


def _font(size: int):
    from PIL import ImageFont

    path = _font_file()
    try:
        if path is not None:
            return ImageFont.truetype(path, size)
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):          # Pillow < 10.1 or no FreeType: the bitmap font
        return ImageFont.load_default()


def nice_ticks(lo: float, hi: float, target: int = 6) -> tuple[np.ndarray, int]:
    """(tick values inside [lo, hi], decimals to print them with): the smallest step of
    1, 2, 2.5 or 5 × 10^k that puts at most ``target`` ticks inside (as matplotlib's
    ``MaxNLocator``)."""
    span = hi - lo
    if not span > 0:
        return np.array([lo]), 0
    mag = 10.0 ** math.floor(math.log10(span / max(target, 1)))
    for step in (m * mag * d for d in (1.0, 10.0, 100.0) for m in (1.0, 2.0, 2.5, 5.0)):
        first = math.ceil(lo / step - 1e-9) * step
        ticks = np.arange(first, hi + 1e-9 * step, step)
        if len(ticks) <= target:
            break
    lead = step / 10.0 ** math.floor(math.log10(step) + 1e-9)
    dec = max(0, -math.floor(math.log10(step) + 1e-9) + (1 if lead == 2.5 else 0))
    return ticks, dec


def _label(t: float, dec: int) -> str:
    s = f"{t:.{dec}f}"
    return "0" if float(s) == 0 else s.replace("-", "\u2212")


def _text(draw, xy, text: str, font, anchor: str = "la", fill=(0, 0, 0)) -> None:
    draw.text(xy, text, font=font, anchor=anchor, fill=fill)


def _vertical_text(img, xy, text: str, font) -> None:
    """``text`` rotated 90° counter-clockwise, centred on ``xy``."""
    from PIL import Image, ImageDraw

    w = int(font.getlength(text)) + 4
    h = int(font.size * 1.4) if hasattr(font, "size") else 16
    tile = Image.new("L", (w, h), 0)
    ImageDraw.Draw(tile).text((w / 2, h / 2), text, font=font, anchor="mm", fill=255)
    tile = tile.rotate(90, expand=True)
    img.paste((0, 0, 0), (int(xy[0] - tile.width / 2), int(xy[1] - tile.height / 2)), tile)


def _legend(img, draw, entries, corner: str, box) -> None:
    """A legend of (name, rgb) entries inside ``box`` (x0, y0, x1, y1) at ``corner``."""
    font = _font(13)
    pad, sw, sh, gap = 6, 22, 11, 6
    width = pad * 3 + sw + max(int(font.getlength(n)) for n, _ in entries)
    height = pad * 2 + len(entries) * (sh + gap) - gap + 4
    x0 = box[2] - width - 8 if corner.endswith("right") else box[0] + 8
    y0 = box[1] + 8
    draw.rectangle((x0, y0, x0 + width, y0 + height), fill=(255, 255, 255),
                   outline=(204, 204, 204))
    for i, (name, rgb) in enumerate(entries):
        y = y0 + pad + 2 + i * (sh + gap)
        draw.rectangle((x0 + pad, y, x0 + pad + sw, y + sh), fill=rgb)
        _text(draw, (x0 + 2 * pad + sw, y + sh / 2), name, font, anchor="lm")


def _bilinear(a: np.ndarray, fi: np.ndarray, fj: np.ndarray) -> np.ndarray:
    """``a`` (ni, nj) at fractional indices fi[:, None], fj[None, :] (clamped): linear
    along i onto the rows fi, then along j (two gathers, the second the picture's size)."""
    ni, nj = a.shape
    i0 = np.clip(np.floor(fi).astype(np.int64), 0, ni - 2)
    j0 = np.clip(np.floor(fj).astype(np.int64), 0, nj - 2)
    t = np.clip(fi - i0, 0.0, 1.0)[:, None]
    u = np.clip(fj - j0, 0.0, 1.0)[None, :]
    rows = a[i0] * (1 - t) + a[i0 + 1] * t                  # (len(fi), nj)
    return rows[:, j0] * (1 - u) + rows[:, j0 + 1] * u


def _dashed(draw, pts, fill, width: int, on: float, off: float) -> None:
    """A dashed polyline (dash ``on`` px, gap ``off`` px along the arc length)."""
    seg = np.diff(pts, axis=0)
    s = np.concatenate([[0.0], np.cumsum(np.hypot(seg[:, 0], seg[:, 1]))])
    period = on + off
    for a in np.arange(0.0, s[-1], period):
        b = min(a + on, s[-1])
        idx = np.searchsorted(s, [a, b])
        sub = [np.array([np.interp(a, s, pts[:, 0]), np.interp(a, s, pts[:, 1])])]
        sub += [pts[k] for k in range(idx[0], idx[1]) if a < s[k] < b]
        sub.append(np.array([np.interp(b, s, pts[:, 0]), np.interp(b, s, pts[:, 1])]))
        draw.line([tuple(p) for p in sub], fill=fill, width=width)


def profile_image(geometry, *, title: str = "", initial=None):
    """The cross-section picture (a PIL Image; 2D section, or the y = 0 cut in 3D)."""
    from PIL import Image, ImageDraw
    from skimage import measure

    from .plots import cross_section, length_scale

    x, v, phi = cross_section(geometry)
    f, unit = length_scale(max(x[-1] - x[0], v[-1] - v[0]))
    xs, vs = x * f, v * f
    left, top, right, bottom = _MARGIN
    s = min((_SIZE[0] - left - right) / (xs[-1] - xs[0]), (_SIZE[1] - top - bottom) / (vs[-1] - vs[0]))
    pw, ph = max(int(round((xs[-1] - xs[0]) * s)), 1), max(int(round((vs[-1] - vs[0]) * s)), 1)
    k = SUPERSAMPLE
    px = xs[0] + (np.arange(pw * k) + 0.5) / (s * k)
    py = vs[-1] - (np.arange(ph * k) + 0.5) / (s * k)
    dx, dv = xs[1] - xs[0], vs[1] - vs[0]
    fi, fj = (px - xs[0]) / dx, (py - vs[0]) / dv
    names = list(geometry.materials)
    # each pixel's material index (len(names): none, white), then one palette lookup into
    # the picture's row-major layout (cheaper than painting three channels per material)
    idx = np.full((pw * k, ph * k), len(names), np.uint8 if len(names) < 255 else np.int64)
    for m in range(len(names) - 1, -1, -1):     # the lowest layer painted last, as matplotlib
        idx[_bilinear(phi[m], fi, fj) < 0] = m
    palette = np.array([_color(names, m) for m in range(len(names))] + [(255, 255, 255)],
                       np.uint8)
    big = Image.fromarray(palette[idx.T])
    d = ImageDraw.Draw(big)

    def to_px(c: np.ndarray) -> np.ndarray:         # (fractional i, j) -> supersampled px
        return np.column_stack([c[:, 0] * dx * s * k, (vs[-1] - vs[0] - c[:, 1] * dv) * s * k])

    for c in measure.find_contours(np.asarray(phi[-1], float), 0.0):
        d.line([tuple(p) for p in to_px(c)], fill=(0, 0, 0), width=k + 1)
    if initial is not None:
        xi, vi, pi = cross_section(initial)
        for c in measure.find_contours(np.asarray(pi[-1], float), 0.0):
            c = np.column_stack([((xi[0] * f - xs[0]) + c[:, 0] * (xi[1] - xi[0]) * f) / dx,
                                 ((vi[0] * f - vs[0]) + c[:, 1] * (vi[1] - vi[0]) * f) / dv])
            _dashed(d, to_px(c), (0, 0, 0), k, 5.0 * k, 3.0 * k)
    plot = big.resize((pw, ph), Image.Resampling.BOX)
    img = Image.new("RGB", (left + pw + right, top + ph + bottom), (255, 255, 255))
    img.paste(plot, (left, top))
    draw = ImageDraw.Draw(img)
    box = (left, top, left + pw, top + ph)
    draw.rectangle((box[0] - 1, box[1] - 1, box[2], box[3]), outline=(0, 0, 0))
    tick = _font(15)
    ticks, dec = nice_ticks(xs[0], xs[-1], max(4, pw // 60))
    for t in ticks:
        X = left + (t - xs[0]) * s
        draw.line((X, box[3], X, box[3] + 5), fill=(0, 0, 0))
        _text(draw, (X, box[3] + 8), _label(t, dec), tick, anchor="ma")
    ticks, dec = nice_ticks(vs[0], vs[-1], max(4, ph // 55))
    widest = 0
    for t in ticks:
        Y = top + (vs[-1] - t) * s
        draw.line((box[0] - 6, Y, box[0] - 1, Y), fill=(0, 0, 0))
        lab = _label(t, dec)
        widest = max(widest, int(tick.getlength(lab)))
        _text(draw, (box[0] - 9, Y), lab, tick, anchor="rm")
    lab = _font(16)
    _text(draw, ((box[0] + box[2]) / 2, box[3] + 30), f"x ({unit})", lab, anchor="ma")
    _vertical_text(img, (max(box[0] - 18 - widest, 10), (box[1] + box[3]) / 2),
                   f"{'y' if geometry.grid.dimension == 2 else 'z'} ({unit})", lab)
    _text(draw, ((box[0] + box[2]) / 2, top - 12), title or "cross-section", _font(19),
          anchor="md")
    seen: list[str] = []
    entries = []
    for m in range(len(names)):                     # bottom layer first
        if names[m] not in seen:
            seen.append(names[m])
            entries.append((names[m], _color(names, m)))
    _legend(img, draw, entries, "upper right", box)
    return img


def write_profile_png(path: str | Path, geometry, *, title: str = "", initial=None) -> None:
    """Write ``profile.png`` (:func:`profile_image`) atomically."""
    img = profile_image(geometry, title=title, initial=initial)
    with atomic_path(path) as tmp:
        img.save(tmp, format="PNG", compress_level=PNG_LEVEL)


def _light_direction(azdeg: float = 315.0, altdeg: float = 45.0) -> np.ndarray:
    """matplotlib's ``LightSource(azdeg, altdeg).direction``."""
    az, alt = math.radians(90.0 - azdeg), math.radians(altdeg)
    return np.array([math.cos(az) * math.cos(alt), math.sin(az) * math.cos(alt), math.sin(alt)])


def surface_image(surface, names, *, title: str = "", elev: float = 35.0, azim: float = -60.0):
    """The 3D picture of a triangulated surface (a PIL Image)."""
    from PIL import Image, ImageDraw

    from .plots import length_scale

    pts = np.asarray(surface.points, float)
    tri = np.asarray(surface.elements, np.int64)
    mats = np.asarray(surface.materials, np.int64)
    img = Image.new("RGB", _SIZE, (255, 255, 255))
    draw = ImageDraw.Draw(img)
    _text(draw, (_SIZE[0] / 2, 26), title or "surface", _font(19), anchor="md")
    if len(tri) == 0:
        return img
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    f, unit = length_scale(float(np.max(hi - lo)))
    el, az = math.radians(elev), math.radians(azim)
    right = np.array([-math.sin(az), math.cos(az), 0.0])
    up = np.array([-math.sin(el) * math.cos(az), -math.sin(el) * math.sin(az), math.cos(el)])
    eye = np.array([math.cos(el) * math.cos(az), math.cos(el) * math.sin(az), math.sin(el)])
    corners = np.array([[a, b, c] for a in (lo[0], hi[0]) for b in (lo[1], hi[1])
                        for c in (lo[2], hi[2])])
    cx, cy = corners @ right, corners @ up
    area = (_SIZE[0] - 60, _SIZE[1] - 100)
    s = min(area[0] / max(np.ptp(cx), 1e-300), area[1] / max(np.ptp(cy), 1e-300))
    k = SUPERSAMPLE
    ox, oy = 30 + (area[0] - np.ptp(cx) * s) / 2, 44 + (area[1] - np.ptp(cy) * s) / 2

    def to_px(p: np.ndarray) -> np.ndarray:
        return np.column_stack([(ox + (p @ right - cx.min()) * s) * k,
                                (oy + (cy.max() - p @ up) * s) * k])

    big = Image.new("RGB", (_SIZE[0] * k, _SIZE[1] * k), (255, 255, 255))
    d = ImageDraw.Draw(big)
    cpx = to_px(corners)
    edges = [(a, b) for a in range(8) for b in range(a + 1, 8)
             if bin(a ^ b).count("1") == 1]                # the 12 edges of the cell
    near = int(np.argmax(corners @ eye))
    for a, b in edges:                                     # the far edges behind the surface
        if near not in (a, b):
            d.line([tuple(cpx[a]), tuple(cpx[b])], fill=(190, 190, 190), width=k)
    seg = pts[tri]
    n = np.cross(seg[:, 1] - seg[:, 0], seg[:, 2] - seg[:, 0])
    n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-300)
    shade = 0.45 + 0.55 * np.abs(n @ _light_direction())
    palette = np.array([_color(names, m) for m in range(len(names))] + [(128, 128, 128)],
                       float)                                # unknown index: grey
    known = np.where((mats >= 0) & (mats < len(names)), mats, len(names))
    col = np.clip(palette[known] * shade[:, None], 0, 255).astype(np.uint8)
    order = np.argsort(seg.mean(axis=1) @ eye, kind="stable")    # far first
    xy = to_px(seg.reshape(-1, 3)).reshape(-1, 6)[order].tolist()
    fills = [tuple(c) for c in col[order].tolist()]
    for p, c in zip(xy, fills):
        d.polygon(p, fill=c, outline=c)
    for a, b in edges:                                     # the edges at the near corner
        if near in (a, b):
            d.line([tuple(cpx[a]), tuple(cpx[b])], fill=(110, 110, 110), width=k)
    img.paste(big.resize(_SIZE, Image.Resampling.BOX), (0, 0))
    draw = ImageDraw.Draw(img)
    _text(draw, (_SIZE[0] / 2, 26), title or "surface", _font(19), anchor="md")
    spans = ", ".join(f"{name} {lo[a] * f:.4g} to {hi[a] * f:.4g}" for a, name in enumerate("xyz"))
    _text(draw, (16, _SIZE[1] - 14), f"cell: {spans} {unit}".replace("-", "\u2212"),
          _font(13), anchor="ld")
    shown = sorted({int(m) for m in np.unique(mats) if 0 <= m < len(names)})
    if shown:
        _legend(img, draw, [(names[m], _color(names, m)) for m in shown], "upper left",
                (0, 30, _SIZE[0], _SIZE[1]))
    return img


def write_surface_png(path: str | Path, surface, names, *, title: str = "") -> None:
    """Write ``profile_3d.png`` (:func:`surface_image`) atomically."""
    img = surface_image(surface, names, title=title)
    with atomic_path(path) as tmp:
        img.save(tmp, format="PNG", compress_level=PNG_LEVEL)
