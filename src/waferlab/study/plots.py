"""Study figures (matplotlib, Agg): distributions, sensitivities, response, Pareto, convergence."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["plot_distributions", "plot_sensitivity", "plot_response", "plot_pareto",
           "plot_convergence"]


def _fig(n: int = 1):
    from ..io.plots import subplots

    fig, axes = subplots(1, n, figsize=(4.2 * n, 3.4), squeeze=False)
    return fig, axes[0]


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def _eng(metric: str, y: np.ndarray) -> tuple[np.ndarray, str]:
    """Values in engineering units (waferlab.io.display) and the axis label."""
    from ..io.display import engineering

    y = np.asarray(y, float)
    finite = y[np.isfinite(y) & (y != 0)]
    ref = float(np.median(np.abs(finite))) if finite.size else 1.0
    name, val, unit = engineering(metric, ref)
    return y * (val / ref), f"{name} ({unit})" if unit else name


def plot_distributions(ds, metrics: tuple[str, ...], path: Path) -> Path:
    """A histogram of each metric over the successful samples (engineering units)."""
    fig, axes = _fig(len(metrics))
    for ax, m in zip(axes, metrics):
        y, label = _eng(m, ds[m].values[np.isfinite(ds[m].values)])
        ax.hist(y, bins=max(5, min(40, len(y) // 4)), color="tab:blue", alpha=0.8)
        ax.set_xlabel(label)
        ax.set_ylabel("samples")
    return _save(fig, path)


def plot_sensitivity(indices: dict[str, dict[str, Any]], names: tuple[str, ...], path: Path,
                     *, keys: tuple[str, ...] = ("S1", "ST")) -> Path:
    """Grouped bars of each index (S1, ST or μ*) per parameter, one panel per metric."""
    fig, axes = _fig(len(indices))
    pos = np.arange(len(names))
    for ax, (metric, idx) in zip(axes, indices.items()):
        present = [k for k in keys if k in idx]
        width = 0.8 / max(1, len(present))
        for k, key in enumerate(present):
            ax.bar(pos + k * width, idx[key], width, label=key)
        ax.set_xticks(pos + 0.4 - width / 2, [n.split(".")[-1] for n in names], rotation=30)
        ax.set_title(metric)
        ax.legend()
    return _save(fig, path)


def plot_response(ds, metric: str, path: Path) -> Path:
    """The metric against one knob (line/scatter) or two knobs (filled contours)."""
    fig, axes = _fig(1)
    ax = axes[0]
    x = ds["x"].values
    y, ylabel = _eng(metric, ds[metric].values)
    ok = np.isfinite(y)
    names, units = list(ds["parameter"].values), list(ds["parameter_unit"].values)
    label = [f"{n} ({u})" if u else n for n, u in zip(names, units)]
    if x.shape[1] == 1:
        order = np.argsort(x[ok, 0])
        ax.plot(x[ok, 0][order], y[ok][order], "o-")
        ax.set_xlabel(label[0])
        ax.set_ylabel(ylabel)
    else:
        if ok.sum() >= 4:
            cs = ax.tricontourf(x[ok, 0], x[ok, 1], y[ok], levels=14)
            fig.colorbar(cs, ax=ax, label=ylabel)
        ax.plot(x[ok, 0], x[ok, 1], "k.", ms=3)
        ax.set_xlabel(label[0])
        ax.set_ylabel(label[1])
    return _save(fig, path)


def plot_pareto(front: np.ndarray, names: tuple[str, str], path: Path, *,
                reference: np.ndarray | None = None, cloud: np.ndarray | None = None) -> Path:
    fig, axes = _fig(1)
    ax = axes[0]
    if cloud is not None:
        ax.plot(cloud[:, 0], cloud[:, 1], ".", color="0.8", ms=3, label="evaluated")
    if reference is not None:
        ax.plot(reference[:, 0], reference[:, 1], "k-", lw=1, label="reference")
    ax.plot(front[:, 0], front[:, 1], "o", color="tab:red", ms=4, label="Pareto front")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.legend()
    return _save(fig, path)


def plot_convergence(history: list[tuple[int, int, float]], path: Path) -> Path:
    """Objective per evaluation and the running best (log scale)."""
    fig, axes = _fig(1)
    ax = axes[0]
    j = np.array([h[2] for h in history], float)
    j[~np.isfinite(j)] = np.nan
    ax.semilogy(np.arange(len(j)), j, ".", color="0.6", label="evaluation")
    ax.semilogy(np.arange(len(j)), np.fmin.accumulate(np.nan_to_num(j, nan=np.inf)), "-", label="best")
    ax.set_xlabel("evaluation")
    ax.set_ylabel("objective")
    ax.legend()
    return _save(fig, path)
