"""Recipe -> mask -> aerial image -> resist profile, and the hand-off to process steps.

``resist_cross_section(spec, ctx, x)`` and ``resist_height_map(spec, ctx, x, y)`` give the
developed resist height (m) that an ``expose`` step turns into the wafer's Resist layer.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..context import RunContext
from ..errors import RecipeError
from ..recipe_io import load_yaml, validate_section
from .imaging import Optics, aerial_image, pupil_orders
from .mask import Mask, mask_from_spec
from .metrics import TrigCut
from .modes import ResistMode, ResistTone
from .resist import (Dill, MackRate, Peb, developed_height, development_time, dill_exposure,
                     post_exposure_bake, threshold_height)
from .source import SourcePoints, sample_source, split_at_pupil_edges
from .spec import LithoRecipe, LithoSpec

__all__ = ["ImageResult", "ResistResult", "load_recipe", "compute_image", "check_pixel", "develop",
           "resist_cross_section", "resist_height_map", "RECIPE_KEYS",
           "load_recipe_step", "litho_recipe_from_data"]

RECIPE_KEYS = ("name", "seed", "optics", "mask", "image", "resist")


@dataclass(frozen=True, kw_only=True)
class ImageResult:
    """Aerial image (ny, nx) at the nominal focus, relative to a clear frame (dose 1)."""

    mask: Mask
    optics: Optics
    source: SourcePoints
    intensity: np.ndarray

    @property
    def x(self) -> np.ndarray:
        return self.mask.x

    @property
    def y(self) -> np.ndarray:
        return self.mask.y


@dataclass(frozen=True, kw_only=True)
class ResistResult:
    """Developed resist: height (ny, nx) in m; in full mode also the blocked fraction m and
    the development arrival time (nz, ny, nx) on depth nodes z (0 = top)."""

    height: np.ndarray
    x: np.ndarray
    y: np.ndarray
    mode: str
    m: np.ndarray | None = None
    z: np.ndarray | None = None
    arrival: np.ndarray | None = None
    t_dev: float | None = None


def load_recipe(path: str | Path) -> tuple[LithoRecipe, Path]:
    """Read a standalone litho recipe (other top-level keys are ignored), or the first
    ``expose`` step of a process recipe (``load_recipe_step`` names it)."""
    recipe, base, _ = load_recipe_step(path)
    return recipe, base


def load_recipe_step(path: str | Path) -> tuple[LithoRecipe, Path, str]:
    """(recipe, base folder, label): a standalone litho recipe (label "") or, when the
    file has no ``optics:`` but ``steps:``, its first ``expose`` step with the process
    recipe's name and seed (label ``steps[i].expose``; RecipeError if it has none)."""
    data = load_yaml(path)
    base = Path(path).parent if "\n" not in str(path) else Path.cwd()
    recipe, label = litho_recipe_from_data(data)
    return recipe, base, label


def litho_recipe_from_data(data: dict) -> tuple[LithoRecipe, str]:
    """(recipe, label) of a litho recipe mapping, or of the first ``expose`` step of a
    process recipe mapping (see :func:`load_recipe_step`)."""
    if "optics" not in data and "steps" in data:
        from ..recipe_pick import pick_step

        body, label = pick_step(data, "expose", command="image")
        sub = {k: data[k] for k in ("name", "seed") if k in data} | dict(body)
        return validate_section(LithoRecipe, sub, label.split(" ")[0]), label
    sub = {k: data[k] for k in RECIPE_KEYS if k in data}
    return validate_section(LithoRecipe, sub), ""


def check_pixel(spec: LithoSpec, *, base_dir: Path | None = None) -> tuple[Optics, SourcePoints]:
    """Refuse a pixel too coarse for the optics (before any image array is allocated).

    The pixel actually used (a grating's is pitch / round(pitch / pixel)) must resolve
    the mask spectrum the pupil collects: pixel < lambda / (2 NA (1 + sigma)).
    Returns the optics and the sampled source."""
    optics = Optics.from_spec(spec.optics)
    source = sample_source(spec.optics.source, step=spec.image.source_step, base_dir=base_dir)
    used = float(spec.image.pixel)
    if spec.mask.type == "grating":
        used = spec.mask.pitch / max(int(round(spec.mask.pitch / used)), 2)
    sigma = float(np.max(np.hypot(source.sx, source.sy)))
    if optics.cutoff * (1 + sigma) * 2 * used > 1.0:
        limit = 1.0 / (2 * optics.cutoff * (1 + sigma))
        raise RecipeError(f"{used:.4g} m is too coarse for these optics: the pixel must be "
                          f"below lambda / (2 NA (1 + sigma)) = {limit:.4g} m so the mask "
                          "spectrum is not aliased", path="image.pixel", value=used)
    return optics, source


def compute_image(spec: LithoSpec, *, base_dir: Path | None = None, focus=None) -> ImageResult:
    """Mask, source and the aerial image at nominal focus (or a focus stack with ``focus``)."""
    optics, source = check_pixel(spec, base_dir=base_dir)
    mask = mask_from_spec(spec.mask, pixel=spec.image.pixel, base_dir=base_dir)
    if spec.image.source_edges:
        source = split_at_pupil_edges(source, *pupil_orders(mask, optics, source))
    intensity = aerial_image(mask, optics, source, method=spec.image.method, focus=focus,
                             kernels=spec.image.kernels)
    return ImageResult(mask=mask, optics=optics, source=source, intensity=intensity)


def _squeeze_lateral(a: np.ndarray):
    keep = tuple(ax for ax in range(1, a.ndim) if a.shape[ax] > 1)
    return a.reshape((a.shape[0],) + tuple(a.shape[ax] for ax in keep)), keep


def develop(spec: LithoSpec, image: ImageResult, ctx: RunContext | None = None) -> ResistResult:
    """Resist height map for the recipe's ``resist`` section (threshold or full chain)."""
    r = spec.resist
    if r is None:
        raise RecipeError("resist: this needs a resist section (thickness, mode, dose, ...)")
    exposure = image.intensity * spec.image.dose
    mask = image.mask
    if r.mode == ResistMode.THRESHOLD:
        h = threshold_height(exposure, threshold=r.clearing_intensity, thickness=r.thickness,
                             tone=r.tone)
        return ResistResult(height=h, x=mask.x, y=mask.y, mode="threshold")
    dill = Dill(A=r.dill.A, B=r.dill.B, C=r.dill.C)
    depth = r.image_planes > 1
    if depth:
        exposure = _depth_images(spec, image)
    m_exp, z = dill_exposure(exposure, dose=r.dose, dill=dill, thickness=r.thickness, dz=r.dz,
                             depth_resolved=depth)
    dz = z[1] - z[0]
    spacing = (dz, mask.pixel[1], mask.pixel[0])
    peb = Peb(**r.peb.model_dump())
    m, _ = post_exposure_bake(m_exp, peb=peb, spacing=spacing)
    if r.tone == ResistTone.NEGATIVE:
        m = 1.0 - m
    rate = MackRate(rmax=r.develop.rmax, rmin=r.develop.rmin, n=r.develop.n, m_th=r.develop.m_th)
    speed, keep = _squeeze_lateral(rate(m))
    sp = (dz,) + tuple(spacing[ax] for ax in keep)
    arrival = development_time(speed, spacing=sp, periodic=True).reshape(m.shape)
    h = developed_height(arrival, t_dev=r.develop.time, thickness=r.thickness)
    return ResistResult(height=h, x=mask.x, y=mask.y, mode="full", m=m, z=z, arrival=arrival,
                        t_dev=r.develop.time)


def _depth_images(spec: LithoSpec, image: ImageResult) -> np.ndarray:
    """Relative exposure on the depth nodes from ``image_planes`` aerial images focused
    at z (n_immersion / n_resist) below the top (paraxial focus shift), linear in z."""
    r = spec.resist
    assert r is not None                              # called only with a resist section
    nz = int(round(r.thickness / r.dz)) + 1
    zp = np.linspace(0.0, r.thickness, r.image_planes)
    focus = image.optics.defocus + zp * image.optics.immersion / r.index
    stack = aerial_image(image.mask, image.optics, image.source, method=spec.image.method,
                         focus=focus, kernels=spec.image.kernels) * spec.image.dose
    z = np.linspace(0.0, r.thickness, nz)
    k = np.clip(np.searchsorted(zp, z, side="right") - 1, 0, len(zp) - 2)
    w = ((z - zp[k]) / (zp[k + 1] - zp[k])).reshape((nz,) + (1,) * (stack.ndim - 1))
    return (1 - w) * stack[k] + w * stack[k + 1]


def _periodic_interp(xq, xp, fp, period):
    return np.interp(np.asarray(xq, float), xp, fp, period=period)


def resist_cross_section(spec: LithoSpec, ctx: RunContext | None, x: np.ndarray, *,
                         base_dir: Path | None = None) -> np.ndarray:
    """Developed resist height (m) at lateral positions x (m) for a line/space pattern.

    Uses the cut through the clip centre (for a grating: x = 0 at a space centre; the
    pattern repeats with the pitch).  Threshold mode uses the exact band-limited image."""
    image = compute_image(spec, base_dir=base_dir)
    mask = image.mask
    horizontal = mask.shape[1] == 1 and mask.shape[0] > 1
    if horizontal:
        raise RecipeError("resist_cross_section needs lines along y (mask.orientation: vertical)")
    row = image.intensity[image.intensity.shape[0] // 2]
    x = np.asarray(x, float)
    if spec.resist is not None and spec.resist.mode == ResistMode.THRESHOLD:
        cut = TrigCut(mask.x, row)
        xr = (x - mask.x[0]) % mask.period[0] + mask.x[0]
        return threshold_height(cut(xr) * spec.image.dose,
                                threshold=spec.resist.clearing_intensity,
                                thickness=spec.resist.thickness, tone=spec.resist.tone)
    res = develop(spec, image, ctx)
    h = res.height[res.height.shape[0] // 2]
    return _periodic_interp(x, mask.x, h, mask.period[0])


def resist_height_map(spec: LithoSpec, ctx: RunContext | None, x: np.ndarray, y: np.ndarray, *,
                      base_dir: Path | None = None) -> np.ndarray:
    """Developed resist height (len(y), len(x)) in m on a 2D grid (periodic clip)."""
    from scipy.ndimage import map_coordinates

    image = compute_image(spec, base_dir=base_dir)
    res = develop(spec, image, ctx)
    mask = image.mask
    X, Y = np.meshgrid(np.asarray(x, float), np.asarray(y, float))
    u = (X - mask.x[0]) / mask.pixel[0] if mask.shape[1] > 1 else 0 * X
    v = (Y - mask.y[0]) / mask.pixel[1] if mask.shape[0] > 1 else 0 * Y
    return map_coordinates(res.height, [v, u], order=1, mode="grid-wrap")
