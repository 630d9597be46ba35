"""``waferlab image``: compute a litho recipe and write its outputs atomically.

Files: aerial.npy (ny, nx), aerial.png, aerial_cut.csv (x,intensity; x in m, clear
frame = 1, the cut through the clip centre), metrics.json; with a resist section also
resist_profile.csv (x,height along the cut) and resist.png (+ resist_height.npy for
2D clips); with image.focus and image.doses also bossung.png and the dose-focus matrix.
"""
from __future__ import annotations

import io
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..context import RunContext
from .imaging import aerial_image
from .metrics import TrigCut, dof_at_el, dose_focus_cd, epe, grating_metrics, process_window, pv_band
from .modes import Axis
from .pipeline import ImageResult, compute_image, develop
from .spec import GratingMask, LithoRecipe
from .stochastic import StochasticResist, stochastic_lines

__all__ = ["run_image", "atomic_write", "LithoResult", "compute_litho", "write_litho",
           "image"]


def atomic_write(path: Path, data: bytes) -> None:
    """Write bytes to ``path`` through a temporary file and os.replace."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def _csv(header: str, *cols) -> bytes:
    buf = io.StringIO()
    np.savetxt(buf, np.column_stack(cols), delimiter=",", header=header, comments="", fmt="%.10g")
    return buf.getvalue().encode()


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def _figure_aerial(image, cut_x, cut_i, threshold, title):
    from ..io.plots import subplots as _subplots

    if image.intensity.shape[0] == 1 or image.intensity.shape[1] == 1:
        fig, ax = _subplots(figsize=(6, 3.2))
        p = image.mask.period[0] if image.intensity.shape[0] == 1 else image.mask.period[1]
        xx = np.concatenate([cut_x - p, cut_x, cut_x + p])
        ax.plot(xx * 1e9, np.tile(cut_i, 3), lw=1.5)
        ax.axhline(threshold, color="k", ls="--", lw=0.8, label=f"threshold {threshold:g}")
        ax.set_xlabel("x (nm)")
        ax.set_ylabel("intensity (clear frame = 1)")
        ax.legend(loc="upper right")
    else:
        fig, ax = _subplots(figsize=(5.2, 4.4))
        m = image.mask
        ext = [(m.x[0] - m.pixel[0] / 2) * 1e9, (m.x[-1] + m.pixel[0] / 2) * 1e9,
               (m.y[0] - m.pixel[1] / 2) * 1e9, (m.y[-1] + m.pixel[1] / 2) * 1e9]
        im = ax.imshow(image.intensity, origin="lower", extent=ext, cmap="inferno")
        ax.contour(m.x * 1e9, m.y * 1e9, image.intensity, levels=[threshold], colors="c",
                   linewidths=0.8)
        ax.contour(m.x * 1e9, m.y * 1e9, m.clear, levels=[0.5], colors="w", linewidths=0.6,
                   linestyles="--")
        fig.colorbar(im, ax=ax, label="intensity")
        ax.set_xlabel("x (nm)")
        ax.set_ylabel("y (nm)")
    ax.set_title(title)
    return fig


def _figure_bossung(focus, doses, cd, dof, el):
    from ..io.plots import subplots as _subplots

    fig, (a1, a2) = _subplots(1, 2, figsize=(9, 3.6))
    for j, d in enumerate(doses):
        a1.plot(np.asarray(focus) * 1e9, cd[:, j] * 1e9, marker="o", ms=3, label=f"dose {d:g}")
    a1.set_xlabel("focus (nm)")
    a1.set_ylabel("CD (nm)")
    a1.set_title("Bossung curves")
    a1.legend(fontsize=7)
    a2.plot(dof * 1e9, el * 100, marker="o", ms=3)
    a2.set_xlabel("depth of focus (nm)")
    a2.set_ylabel("exposure latitude (%)")
    a2.set_title("EL vs DOF")
    return fig


def _figure_resist(x, h, thickness, title, res=None, along_y=False):
    from ..io.plots import subplots as _subplots

    fig, ax = _subplots(figsize=(6, 2.8))
    if res is not None and res.m is not None and not along_y:
        j = res.m.shape[1] // 2
        zz = (thickness - res.z) * 1e9
        im = ax.pcolormesh(x * 1e9, zz, res.m[:, j, :], cmap="viridis", shading="auto", vmin=0, vmax=1)
        fig.colorbar(im, ax=ax, label="blocked fraction m")
        ax.contour(x * 1e9, zz, res.arrival[:, j, :], levels=[res.t_dev], colors="w", linewidths=1.5)
        ax.plot([], [], color="w", label="developed front")
    else:
        ax.fill_between(x * 1e9, 0, h * 1e9, color="tab:purple", alpha=0.7, step="mid", label="resist")
    ax.set_ylim(0, thickness * 1.15e9)
    ax.set_xlabel("x (nm)")
    ax.set_ylabel("height (nm)")
    ax.set_title(title)
    return fig


def _jsonable(d):
    if isinstance(d, dict):
        return {k: _jsonable(v) for k, v in d.items()}
    if isinstance(d, (list, tuple)):
        return [_jsonable(v) for v in d]
    if isinstance(d, np.ndarray):
        return _jsonable(d.tolist())
    if isinstance(d, (np.floating, float)):
        return None if not np.isfinite(d) else float(d)
    if isinstance(d, np.integer):
        return int(d)
    return d


@dataclass(frozen=True, eq=False)
class LithoResult:
    """What ``waferlab.litho.image`` computed (nothing is written unless ``out`` is given).

    ``intensity`` (ny, nx) relative to a clear frame on the pixel centres ``x``, ``y`` (m);
    ``cut_x``/``cut_i`` the cut through the clip centre; ``resist_cut`` the developed
    resist height (m) along it; ``metrics`` what metrics.json holds (SI, unit in the
    key); ``files`` the names written into ``out_dir``."""

    recipe: LithoRecipe
    image: ImageResult
    cut_x: np.ndarray
    cut_i: np.ndarray
    level: float
    along_y: bool
    metrics: dict
    resist: Any = None
    resist_cut: np.ndarray | None = None
    dose_focus: tuple | None = None
    edge_psd: tuple | None = None
    out_dir: Path | None = None
    files: tuple[str, ...] = ()

    @property
    def intensity(self) -> np.ndarray:
        return self.image.intensity

    @property
    def x(self) -> np.ndarray:
        return self.image.x

    @property
    def y(self) -> np.ndarray:
        return self.image.y

    def to_xarray(self):
        """The aerial image as an ``xarray.DataArray`` with coordinates y_m, x_m."""
        import xarray as xr

        return xr.DataArray(self.intensity, dims=("y_m", "x_m"),
                            coords={"y_m": self.y, "x_m": self.x}, name="intensity",
                            attrs={"long_name": "aerial image (clear frame = 1)"})

    def figures(self) -> dict:
        """The pictures ``waferlab image`` writes, by file name (matplotlib Figures)."""
        figs = {"aerial.png": _figure_aerial(self.image, self.cut_x, self.cut_i, self.level,
                                             self.recipe.name)}
        if self.dose_focus is not None:
            figs["bossung.png"] = _figure_bossung(*self.dose_focus)
        coat = self.recipe.resist
        if self.resist is not None and coat is not None:
            figs["resist.png"] = _figure_resist(self.cut_x, self.resist_cut, coat.thickness,
                                                self.recipe.name, self.resist, self.along_y)
        return figs

    def plot(self):
        """The aerial image picture (a matplotlib Figure)."""
        return self.figures()["aerial.png"]

    def _repr_html_(self) -> str:
        from ..io.report import metrics_html

        return metrics_html(self.metrics, title=f"litho image: {self.recipe.name}")


def run_image(recipe: LithoRecipe, ctx: RunContext, out_dir: Path, *,
              base_dir: Path | None = None) -> dict:
    """Compute the recipe and write its files into ``out_dir``; returns the metrics."""
    result = compute_litho(recipe, ctx, base_dir=base_dir)
    write_litho(result, out_dir)
    return result.metrics


def compute_litho(recipe: LithoRecipe, ctx: RunContext, *,
                  base_dir: Path | None = None) -> LithoResult:
    """Compute the image, metrics, dose-focus matrix and resist of ``recipe`` (no files)."""
    img = compute_image(recipe, base_dir=base_dir)
    spec_i, m = recipe.image, img.mask
    ny, nx = img.intensity.shape
    along_y = spec_i.cut == Axis.Y or (nx == 1 and ny > 1)
    cut_x = m.y if along_y else m.x
    cut_i = img.intensity[:, nx // 2] if along_y else img.intensity[ny // 2]
    level = spec_i.threshold / spec_i.dose
    metrics: dict = {"name": recipe.name, "method": str(spec_i.method), "source_points": len(img.source),
                     "shape": [ny, nx], "pixel_m": list(m.pixel),
                     "clear_frame": 1.0, "i_cut_max": float(cut_i.max()),
                     "i_cut_min": float(cut_i.min())}
    gm = recipe.mask if isinstance(recipe.mask, GratingMask) else None
    if gm is not None:
        metrics.update(grating_metrics(cut_x, cut_i, pitch=gm.pitch, duty=gm.duty,
                                       clear=gm.clear, threshold=spec_i.threshold,
                                       dose=spec_i.dose))
    else:
        assert not isinstance(recipe.mask, GratingMask)
        e = epe(img.intensity, x=m.x, y=m.y, polygons=m.polygons, level=level,
                tone=recipe.mask.tone)
        corners = [img.intensity]
        if spec_i.pv_defocus:
            corners.append(aerial_image(m, img.optics, img.source, method=spec_i.method,
                                        focus=[img.optics.defocus + spec_i.pv_defocus],
                                        kernels=spec_i.kernels)[0])
        printed = [c * spec_i.dose * f >= spec_i.threshold for c in corners
                   for f in (1 - spec_i.pv_dose, 1.0, 1 + spec_i.pv_dose)]
        metrics.update({"epe_samples": int(len(e)), "epe_mean_m": float(np.nanmean(e)) if len(e) else None,
                        "epe_max_abs_m": float(np.nanmax(np.abs(e))) if len(e) else None,
                        "epe_violations_15nm": int(np.sum(~(np.abs(e) <= 15e-9))),
                        "pv_band_area_m2": pv_band(printed, m.pixel[0] * m.pixel[1]),
                        "printed_area_m2": float((printed[1]).sum() * m.pixel[0] * m.pixel[1])})
    dose_focus = resist = hcut = psd = None
    if spec_i.focus and spec_i.doses and gm is not None and not along_y:
        stack = aerial_image(m, img.optics, img.source, method=spec_i.method, focus=spec_i.focus,
                             kernels=spec_i.kernels)
        cuts = [TrigCut(m.x, s[0]) for s in stack]
        cd = dose_focus_cd(cuts, spec_i.doses, threshold=spec_i.threshold,
                           center=0.5 * gm.pitch, half_range=0.5 * gm.pitch)
        target = spec_i.target_cd or gm.duty * gm.pitch
        dof, el = process_window(spec_i.doses, spec_i.focus, cd, target=target, tol=spec_i.cd_tolerance)
        metrics["dose_focus"] = {"focus_m": list(spec_i.focus), "doses": list(spec_i.doses), "cd_m": cd,
                                 "target_cd_m": target, "dof_m": dof, "el": el,
                                 "dof_at_el_5pct_m": dof_at_el(dof, el, 0.05)}
        dose_focus = (spec_i.focus, spec_i.doses, cd, dof, el)
    if recipe.resist is not None:
        r = recipe.resist
        res = develop(recipe, img, ctx)
        hcut = res.height[:, nx // 2] if along_y else res.height[ny // 2]
        metrics["resist"] = {"mode": str(r.mode), "min_height_m": float(hcut.min()),
                             "max_height_m": float(hcut.max()),
                             "cleared_fraction": float(np.mean(res.height < 0.5 * r.thickness))}
        resist = res
        if r.stochastic is not None and gm is not None and ny == 1:
            st = r.stochastic
            p = StochasticResist(wavelength=recipe.optics.wavelength, dose=r.dose * spec_i.dose,
                                 thickness=r.thickness, absorption=r.dill.A + r.dill.B,
                                 pag=st.pag * 1e27, quantum_yield=st.quantum_yield,
                                 diffusion_length=float(np.sqrt(2 * r.peb.acid_diffusivity * r.peb.time)),
                                 shot_noise=st.shot_noise, acid_noise=st.acid_noise)
            out = stochastic_lines(cut_i, cut_x, p=p, length=st.length, pitch=gm.pitch,
                                   duty=gm.duty, rng=ctx.rng("litho", "stochastic"))
            metrics["stochastic"] = {"ler_3sigma_m": out["ler"], "lwr_3sigma_m": out["lwr"]}
            keep = out["psd_f"] > 0
            psd = (out["psd_f"][keep], out["psd"][keep])
    return LithoResult(recipe=recipe, image=img, cut_x=cut_x, cut_i=cut_i, level=level,
                       along_y=along_y, metrics=_jsonable(metrics), resist=resist,
                       resist_cut=hcut, dose_focus=dose_focus, edge_psd=psd)


def write_litho(result: LithoResult, out_dir: Path) -> list[str]:
    """Write the files of ``waferlab image`` into ``out_dir``; returns their names."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    r, img = result, result.image
    files = {"aerial.npy": _npy(img.intensity),
             "aerial_cut.csv": _csv("x,intensity", r.cut_x, r.cut_i)}
    if r.resist is not None:
        files["resist_profile.csv"] = _csv("x,height", r.cut_x, r.resist_cut)
        ny, nx = img.intensity.shape
        if ny > 1 and nx > 1:
            files["resist_height.npy"] = _npy(r.resist.height)
    if r.edge_psd is not None:
        files["edge_psd.csv"] = _csv("f,psd", *r.edge_psd)
    files.update({name: _png(fig) for name, fig in r.figures().items()})
    files["metrics.json"] = (json.dumps(r.metrics, indent=2) + "\n").encode()
    for name, data in files.items():
        atomic_write(out_dir / name, data)
    return list(files)


def image(recipe: "str | os.PathLike[str] | Mapping[str, Any] | LithoRecipe",
          out: "str | os.PathLike[str] | None" = None, seed: int | None = None,
          threads: int | None = None, *, overwrite: bool = False,
          base_dir: "str | os.PathLike[str] | None" = None, quiet: bool = True) -> LithoResult:
    """Image a litho recipe: mask -> aerial image (-> resist); the Python form of
    ``waferlab image``.

    ``recipe`` is a file, a mapping (a litho recipe, or a process recipe whose first
    ``expose`` step is imaged) or a :class:`LithoRecipe`; ``seed`` overrides the recipe's
    (stochastic resist); ``threads`` numba threads for this call (the previous count is
    restored).  Nothing is written unless ``out`` is given: then ``out`` follows the
    output-folder policy of the command line (docs/cli.md; ``overwrite`` as
    ``--overwrite``) and gets the files of ``waferlab image`` (``result.files``).
    Relative file names in the recipe (a GDS mask) are read from ``base_dir`` (default:
    the recipe file's folder, or the current folder for a mapping).
    """
    from ..io.atomic import staged
    from ..io.outdir import identity_hash, prepare_output
    from .cli import check_image_memory
    from .pipeline import check_pixel, litho_recipe_from_data, load_recipe_step

    label = ""
    if isinstance(recipe, LithoRecipe):
        spec, base = recipe, Path(base_dir) if base_dir is not None else Path.cwd()
    elif isinstance(recipe, Mapping):
        spec, label = litho_recipe_from_data(dict(recipe))
        base = Path(base_dir) if base_dir is not None else Path.cwd()
    else:
        spec, base, label = load_recipe_step(os.fspath(recipe))
        base = Path(base_dir) if base_dir is not None else base
    if label and not quiet:
        print(f"imaging {label} of the process recipe")
    check_image_memory(spec)
    check_pixel(spec, base_dir=base)
    if spec.mask.type == "gds":              # a bad layout fails before the folder is touched
        from .mask import read_layout
        m = spec.mask
        read_layout(m.file, cell=m.cell, layer=m.layer, datatype=m.datatype, base_dir=base)
    from ..context import check_seed_threads
    seed = spec.seed if seed is None else seed
    check_seed_threads(seed, threads)
    folder = None
    if out is not None:
        folder = prepare_output(Path(out), command="image", label=f"recipe {spec.name!r}, seed {seed}",
                                identity=identity_hash(["image", spec.model_dump(mode="json"),
                                                        seed, str(base.resolve())]),
                                overwrite=overwrite)
    ctx = RunContext(seed=seed, threads=threads, out_dir=None if folder is None else folder.path)
    with ctx.apply_threads():
        result = compute_litho(spec, ctx, base_dir=base)
    if folder is None:
        return result
    folder.claim()
    with staged(folder.path) as stage:
        files = write_litho(result, stage)
        from ..io.report import write_run_report
        write_run_report(stage, recipe=spec.model_dump(mode="json", exclude_none=True),
                         metrics=dict(result.metrics, seed=seed),
                         title=f"waferlab image: {spec.name}")
        files.append("report.html")
    return replace(result, out_dir=folder.path, files=tuple(files))
