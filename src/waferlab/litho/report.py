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
from pathlib import Path

import numpy as np

from ..context import RunContext
from .imaging import aerial_image
from .metrics import (TrigCut, dose_focus_cd, dof_at_el, epe, grating_metrics, process_window,
                      pv_band)
from .pipeline import compute_image, develop
from .spec import GratingMask, LithoRecipe
from .stochastic import StochasticResist, stochastic_lines

__all__ = ["run_image", "atomic_write"]


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


def run_image(recipe: LithoRecipe, ctx: RunContext, out_dir: Path, *,
              base_dir: Path | None = None) -> dict:
    """Compute the recipe and write its files into ``out_dir``; returns the metrics."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    img = compute_image(recipe, base_dir=base_dir)
    spec_i, m = recipe.image, img.mask
    ny, nx = img.intensity.shape
    along_y = spec_i.cut == "y" or (nx == 1 and ny > 1)
    cut_x = m.y if along_y else m.x
    cut_i = img.intensity[:, nx // 2] if along_y else img.intensity[ny // 2]
    level = spec_i.threshold / spec_i.dose
    metrics: dict = {"name": recipe.name, "method": spec_i.method, "source_points": len(img.source),
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
        tone = "clear"
        e = epe(img.intensity, x=m.x, y=m.y, polygons=m.polygons, level=level,
                tone=tone if recipe.mask.tone == "clear" else "dark")
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
    atomic_write(out_dir / "aerial.npy", _npy(img.intensity))
    atomic_write(out_dir / "aerial_cut.csv", _csv("x,intensity", cut_x, cut_i))
    atomic_write(out_dir / "aerial.png", _png(_figure_aerial(img, cut_x, cut_i, level, recipe.name)))
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
        atomic_write(out_dir / "bossung.png", _png(_figure_bossung(spec_i.focus, spec_i.doses, cd, dof, el)))
    if recipe.resist is not None:
        r = recipe.resist
        res = develop(recipe, img, ctx)
        hcut = res.height[:, nx // 2] if along_y else res.height[ny // 2]
        metrics["resist"] = {"mode": r.mode, "min_height_m": float(hcut.min()),
                             "max_height_m": float(hcut.max()),
                             "cleared_fraction": float(np.mean(res.height < 0.5 * r.thickness))}
        atomic_write(out_dir / "resist_profile.csv", _csv("x,height", cut_x, hcut))
        atomic_write(out_dir / "resist.png", _png(_figure_resist(cut_x, hcut, r.thickness, recipe.name, res, along_y)))
        if ny > 1 and nx > 1:
            atomic_write(out_dir / "resist_height.npy", _npy(res.height))
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
            atomic_write(out_dir / "edge_psd.csv", _csv("f,psd", out["psd_f"][keep], out["psd"][keep]))
    metrics = _jsonable(metrics)
    atomic_write(out_dir / "metrics.json", (json.dumps(metrics, indent=2) + "\n").encode())
    return metrics
