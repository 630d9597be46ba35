"""Expose: coat resist, image the mask, develop, and leave the resist as a wafer layer.

    - expose:
        optics: {wavelength: 193 nm, na: 0.75, source: {shape: circular, sigma: 0.5}}
        mask:   {type: grating, pitch: 400 nm, duty: 0.5, clear: spaces}
        resist: {thickness: 300 nm, mode: threshold, threshold: 0.3, dose: 30 mJ/cm^2}

The coat is planar: its top lies ``resist.thickness`` above the highest point of the
wafer.  The lithography chain (:mod:`waferlab.litho`) gives the developed resist height
h(x) (2D) or h(x, y) (3D) above that base; the new ``Resist`` layer is the union of the
wafer and the region below base + h, as a signed distance (fast marching).

The step keeps its litho result on the wafer (field ``expose_image``, SI, JSON): the
aerial-image cut through the clip centre, the developed resist profile on the grid and,
for a grating, the printed CD and NILS at the resist's clearing intensity E₀/E (relative
to the image dose).  ``waferlab run`` writes them as ``waferlab image`` does:
``expose_<k>_aerial.png``, ``expose_<k>_aerial_cut.csv`` (x,intensity),
``expose_<k>_resist_profile.csv`` (x,height) and, in metrics.json, ``expose_cd_m``,
``expose_nils`` (the k-th expose after the first: ``expose_<k>_cd_m``, ...).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..recipe_io import validate_section
from .registry import register_step

__all__ = ["Expose", "coat_developed_resist", "image_record", "expose_metrics",
           "write_expose_outputs", "FIELD"]

FIELD = "expose_image"          # wafer field: one JSON record per expose step


def coat_developed_resist(geometry, heights: np.ndarray, base: float):
    """A new top ``Resist`` layer: wafer ∪ {z < base + heights(lateral)}.

    ``heights`` has the geometry's lateral shape (nx,) or (nx, ny); zero height leaves the
    wafer bare there (the resist cleared down to the base)."""
    from ..feature.reinit import reinitialise

    h = geometry.grid.spacing
    z = geometry.z_coords
    top = base + np.asarray(heights, dtype=float)
    need = float(np.max(top)) + 4 * h
    if need > z[-1] - 4 * h:
        geometry = geometry.with_window(geometry.z0, need + 8 * h)
        z = geometry.z_coords
    slab = z.reshape((1,) * top.ndim + (-1,)) - top[..., None]
    # columns with no resist get no slab: push them far outside
    slab = np.where((top > base + 1e-3 * h)[..., None], slab, np.inf)
    layer = np.minimum(geometry.top, slab)
    layer = reinitialise(layer, geometry.grid)
    phi = np.concatenate([geometry.phi, layer[None]], axis=0)
    phi = np.flip(np.maximum.accumulate(np.flip(phi, 0), axis=0), 0)
    return geometry.replace(phi=np.ascontiguousarray(phi), materials=geometry.materials + ("Resist",))


@dataclass(frozen=True)
class Expose:
    """Lithography step: the developed resist becomes the ``Resist`` material."""

    litho: Any                      # waferlab.litho.LithoSpec
    base_dir: Path | None = None
    kind: str = "expose"
    time: float = 0.0
    material: str = "Resist"

    def materials_after(self, materials: tuple[str, ...]) -> tuple[str, ...]:
        return materials + ("Resist",)

    def describe(self) -> str:
        return f"expose and develop resist ({self.litho.resist.mode})"

    def to_dict(self) -> dict[str, Any]:
        return {"expose": self.litho.model_dump(mode="json", exclude_none=True)}

    def heights(self, geometry, ctx) -> np.ndarray:
        from ..litho import resist_cross_section, resist_height_map

        g = geometry.grid
        x = g.lateral_coords(0)
        if g.dimension == 2:
            return resist_cross_section(self.litho, ctx, x, base_dir=self.base_dir)
        y = g.lateral_coords(1)
        return resist_height_map(self.litho, ctx, x, y, base_dir=self.base_dir).T

    def apply(self, wafer, ctx, *, start=None, on_step=None):
        from ..feature.metrics import column_heights

        g = wafer.geometry
        base = float(np.nanmax(column_heights(g)))
        heights = self.heights(g, ctx)
        new = coat_developed_resist(g, heights, base)
        record = image_record(self.litho, g, heights, base_dir=self.base_dir)
        return wafer.evolve(geometry=new, note=self.describe(), fields=((FIELD, record),))


def _num(v) -> float | None:
    v = float(v)
    return v if np.isfinite(v) else None


def image_record(litho, geometry, heights: np.ndarray, *, base_dir: Path | None = None) -> dict:
    """JSON record of an expose step: aerial cut (x_m, intensity; clear frame = 1) through
    the clip centre as ``waferlab image`` takes it, the resist profile on the grid
    (resist_x_m, resist_height_m; 3D: the row through the middle y) and, for a grating,
    ``cd_m`` (width of the mask line's image where dose·I stays below the clearing
    intensity E₀/E: the resist line of a positive resist) and ``nils`` (I'/I · CD at the
    nominal edge)."""
    from ..litho.metrics import grating_metrics
    from ..litho.modes import Axis
    from ..litho.pipeline import compute_image

    img = compute_image(litho, base_dir=base_dir)
    m, spec_i = img.mask, litho.image
    ny, nx = img.intensity.shape
    along_y = spec_i.cut == Axis.Y or (nx == 1 and ny > 1)
    cut_x = m.y if along_y else m.x
    cut_i = img.intensity[:, nx // 2] if along_y else img.intensity[ny // 2]
    level = litho.resist.clearing_intensity / spec_i.dose
    x = geometry.grid.lateral_coords(0)
    h = np.asarray(heights, float)
    if h.ndim == 2:
        h = h[:, h.shape[1] // 2]
    rec = {"x_m": cut_x.tolist(), "intensity": cut_i.tolist(), "threshold": float(level),
           "resist_x_m": x.tolist(), "resist_height_m": h.tolist(),
           "resist_thickness_m": float(litho.resist.thickness), "cd_m": None, "nils": None}
    if ny > 1 and nx > 1:
        rec.update(image=img.intensity.tolist(), image_x_m=m.x.tolist(), image_y_m=m.y.tolist())
    if litho.mask.type == "grating":
        g = grating_metrics(cut_x, cut_i, pitch=litho.mask.pitch, duty=litho.mask.duty,
                            clear=litho.mask.clear, threshold=litho.resist.clearing_intensity,
                            dose=spec_i.dose)
        rec.update(cd_m=_num(g["cd_m"]), nils=_num(g["nils"]), contrast=_num(g["contrast"]))
    return rec


def _records(wafer) -> list[dict]:
    return [v for k, v in wafer.fields if k == FIELD]


def expose_metrics(wafer) -> dict:
    """``expose_cd_m``, ``expose_nils`` (then ``expose_1_cd_m``, ...) of the wafer's exposes."""
    out = {}
    for k, rec in enumerate(_records(wafer)):
        pre = "expose" if k == 0 else f"expose_{k}"
        out[f"{pre}_cd_m"], out[f"{pre}_nils"] = rec.get("cd_m"), rec.get("nils")
    return out


def _figure(rec: dict, title: str):
    from ..io.plots import subplots as _subplots

    two_d = "image" in rec
    fig, axes = _subplots(1, 2 if two_d else 1, figsize=(10.5 if two_d else 6, 3.4))
    ax = axes[0] if two_d else axes
    x, i = np.asarray(rec["x_m"]), np.asarray(rec["intensity"])
    xr = np.asarray(rec["resist_x_m"])
    if len(x) > 1:                                  # the clip repeats: tile it over the grid
        xf = np.linspace(xr.min(), xr.max(), 4 * len(xr) + 1)
        x, i = xf, np.interp(xf, x, i, period=len(x) * (x[1] - x[0]))
    ax.plot(x * 1e9, i, lw=1.5, label="aerial image")
    ax.axhline(rec["threshold"], color="k", ls="--", lw=0.8,
               label=f"clearing E₀/E = {rec['threshold']:.3g}")
    ax.set_xlabel("x (nm)")
    ax.set_ylabel("intensity (clear frame = 1)")
    r = ax.twinx()
    r.fill_between(xr * 1e9, 0,
                   np.asarray(rec["resist_height_m"]) * 1e9, color="tab:purple", alpha=0.25,
                   step="mid")
    r.set_ylabel("resist height (nm)")
    r.set_ylim(0, rec["resist_thickness_m"] * 1.15e9)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title + (f"  CD {rec['cd_m'] * 1e9:.1f} nm, NILS {rec['nils']:.2f}"
                          if rec.get("cd_m") is not None and rec.get("nils") is not None else ""))
    if two_d:
        xs, ys = np.asarray(rec["image_x_m"]) * 1e9, np.asarray(rec["image_y_m"]) * 1e9
        im = axes[1].pcolormesh(xs, ys, np.asarray(rec["image"]), cmap="inferno", shading="auto")
        axes[1].contour(xs, ys, np.asarray(rec["image"]), levels=[rec["threshold"]], colors="c",
                        linewidths=0.8)
        fig.colorbar(im, ax=axes[1], label="intensity")
        axes[1].set_xlabel("x (nm)")
        axes[1].set_ylabel("y (nm)")
    return fig


def write_expose_outputs(out: Path, wafer, *, plot: bool = True) -> None:
    """``expose_<k>_aerial_cut.csv``, ``expose_<k>_resist_profile.csv`` and
    ``expose_<k>_aerial.png`` (with ``plot``) of each expose step on the wafer."""
    records = _records(wafer)
    if not records:                   # no expose step: nothing to import (litho, matplotlib)
        return
    from ..io.atomic import write_csv
    from ..litho.report import _png, atomic_write

    for k, rec in enumerate(records):
        write_csv(Path(out) / f"expose_{k}_aerial_cut.csv",
                  {"x": rec["x_m"], "intensity": rec["intensity"]})
        write_csv(Path(out) / f"expose_{k}_resist_profile.csv",
                  {"x": rec["resist_x_m"], "height": rec["resist_height_m"]})
        if plot:
            atomic_write(Path(out) / f"expose_{k}_aerial.png", _png(_figure(rec, f"expose {k}")))


@register_step("expose")
def _parse(body: dict, path: str, spec, materials: tuple[str, ...]) -> Expose:
    from ..errors import RecipeError
    from ..litho import LithoSpec

    litho = validate_section(LithoSpec, body, path)
    if litho.resist is None:
        raise RecipeError("an expose step needs a resist section (thickness, mode, dose, ...)",
                          path=f"{path}.resist")
    return Expose(litho=litho)
