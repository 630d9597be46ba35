"""``waferlab study STUDY --out DIR [--scheduler ADDRESS] [--workers N]``."""
from __future__ import annotations

import argparse

__all__ = ["add_cli"]


def _positive(text: str) -> int:
    try:
        v = int(text, 10)
    except ValueError:
        v = 0
    if v < 1:
        raise argparse.ArgumentTypeError(f"--workers {text!r:.40}: must be a positive integer")
    return v


def _study(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..api import run_study
    from ..cli_core import default_out
    from .spec import load_study

    study = load_study(args.study)
    out = Path(args.out) if args.out else default_out(Path(str(args.study)).stem)
    res = run_study(study, out, seed=args.seed, threads=args.threads, scheduler=args.scheduler,
                    workers=args.workers, serial=args.serial, overwrite=args.overwrite,
                    progress=not args.quiet)
    s = res.summary
    print(f"{s['method']}: {s['samples']} samples ({s['computed']} computed, {s['reused']} "
          f"reused, {s['failed']} failed) on {s['workers']} worker(s) in {s['wall_time_s']:.1f} s")
    if s["method"] == "grid" or s["samples"] <= 20:
        from rich.console import Console

        from .table import samples_table

        Console().print(samples_table(res.dataset, tuple(s["metrics"])))
    from ..io.display import engineering

    for m, st in s.get("statistics", {}).items():
        if st.get("n", 0) >= 2:
            name, mean, unit = engineering(m, st["mean"])
            f = mean / st["mean"] if st["mean"] else 1.0
            lo, hi = (v * f for v in st["mean_ci95"])
            print(f"  {name}: mean {mean:.4g} {unit} (95% CI {lo:.4g} .. {hi:.4g}), "
                  f"std {st['std'] * f:.3g} {unit}")
    if s.get("missing_metrics"):
        print(f"  {len(s['missing_metrics'])} sample(s) left a metric undefined (NaN; reasons "
              "in summary.json 'missing_metrics')")
    if "optimize" in s:
        o = s["optimize"]
        print(f"  best (J = {o['best_objective']:.3g} after {o['evaluations']} runs): "
              + ", ".join(f"{k} = {v}" for k, v in o["best"].items()))
    if "pareto" in s:
        print(f"  Pareto front: {len(s['pareto']['front'])} points")
    print(f"  wrote {res.out_dir}/study.nc, samples.csv, summary.json, report.html"
          + (f", {', '.join(s['plots'])}" if s["plots"] else ""))
    return 0 if s["failed"] == 0 else 1


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("study", help="parameter sweeps, uncertainty quantification and "
                                     "recipe optimisation on Dask (see docs/study.md)")
    p.add_argument("study", help="study file (YAML with a study: section)")
    p.add_argument("--out", default=None,
                   help="output folder (study.nc, summary.json, plots, report.html; default "
                        "./<study file name>-out); an interrupted study resumes from it")
    p.add_argument("--scheduler", default=None,
                   help="address of a running Dask scheduler (default: a local cluster)")
    p.add_argument("--workers", type=_positive, default=None,
                   help="local cluster size (default: cores / study.threads)")
    p.add_argument("--serial", action="store_true", help="run every sample inline, no Dask")
    from ..cli_core import add_common

    add_common(p, seed_help="override study.seed (the design and the samples' seeds)")
    p.set_defaults(func=_study)
