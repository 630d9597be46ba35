"""RIE lag: trenches of several widths etched in one run; depth against aspect ratio.

    python examples/rie_lag.py --out DIR [--small] [--seed N]

One 2D wafer: Si under a 100 nm hard mask (non-reactive, not eroded) with openings of
100, 200, 400 and 800 nm, etched together by the generic ``ion_enhanced`` model
(explicit fluxes: 100 eV ions, cos^1000 beam; an etchant of sticking 0.5 on bare Si).
The etch is neutral-limited (etchant coverage θ_E ≈ 0.24 on the open field, the rate
nearly proportional to the etchant flux), so the Coburn–Winters picture applies: the
bottom receives the fraction K/[K + S(1 − K)] of the open-field etchant flux (K:
Clausing transmission of the slit of length/width = AR, S: bottom reaction
probability γ(1 − θ_E); Coburn & Winters, Appl. Phys. Lett. 55, 2730, 1989).  Narrow
trenches reach a higher AR sooner and etch slower.  The formula assumes inert walls;
here the Si sidewalls (own coverage from one per-element coverage iteration,
θ_E ≈ 0.995) still take up ~0.25 % of the etchant per hit, which over the many wall
collisions in a deep slit lowers the bottom flux a few per cent below the curve at
AR 3 and ~14 % at AR 5 (docs/etch-models.md, "RIE lag").

Writes DIR/rie_lag.csv (width_m, depth_m, aspect_ratio; final state),
DIR/rie_lag_rates.csv (instantaneous rate per trench and interval) and
DIR/rie_lag.png (profiles; normalised rate against AR with the Coburn–Winters curves).
"""
from __future__ import annotations

import argparse
import csv
import sys
import time as _time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from waferlab.context import RunContext
from waferlab.feature.grid import Grid
from waferlab.feature.registry import get_model_spec
from waferlab.process.multi_feature import layout_openings, masked_openings, opening_depths
from waferlab.recipe_io import validate_section
from waferlab.validation.feature import CLAUSING_SLIT

MASK = 100e-9                                   # hard-mask thickness (m)

# Generic ion-enhanced Si etch (docs/etch-models.md), neutral-limited: γΓ_E < n_ie Y Γ_i.
MODEL = {"model": "ion_enhanced", "ion_flux": "3e15 cm^-2 s^-1", "etchant_flux": "3e16 cm^-2 s^-1",
         "ion_energy": "100 eV", "ion_energy_sigma": "10 eV", "ion_exponent": 1000,
         "chemical_rate": "1e13 cm^-2 s^-1", "chemical_stoichiometry": 4, "ie_stoichiometry": 2,
         "etchant_sticking": 0.5, "density": "5.02e22 cm^-3",
         "sputter": {"A": 0.0337, "threshold": "20 eV", "angular": "sputter", "B": 9.3},
         "ion_enhanced": {"A": 1.3, "threshold": "15 eV", "angular": "belen_ie"},
         "coverage_iterations": 1}

FULL = {"widths": (100e-9, 200e-9, 400e-9, 800e-9), "spacing": 10e-9, "gap": 300e-9,
        "time": 480.0, "rays_per_point": 400, "intervals": 8}
SMALL = {"widths": (100e-9, 200e-9, 800e-9), "spacing": 20e-9, "gap": 200e-9,
         "time": 180.0, "rays_per_point": 150, "intervals": 3}


def clausing_slit(ar):
    """Clausing transmission K of a slit of length/gap ``ar`` (docs/reference-data.md §1 table,
    K(0) = 1; monotone cubic interpolation in ln K against ln(1 + ar))."""
    from scipy.interpolate import PchipInterpolator

    a = np.array([0.0] + sorted(CLAUSING_SLIT))
    k = np.array([1.0] + [CLAUSING_SLIT[x] for x in sorted(CLAUSING_SLIT)])
    return np.exp(PchipInterpolator(np.log1p(a), np.log(k))(np.log1p(np.asarray(ar, float))))


def coburn_winters(ar, S):
    """Bottom / open-field neutral flux K/[K + S(1 − K)] (Coburn & Winters 1989)."""
    K = clausing_slit(ar)
    return K / (K + S * (1.0 - K))


def etch_model(rays_per_point: int):
    """The ion_enhanced model of this example (MODEL) on Si under Mask (the traced
    adapter; its physics is ``.model``)."""
    spec = validate_section(get_model_spec("ion_enhanced"),
                            {**MODEL, "rays_per_point": int(rays_per_point)}, "rie_lag")
    return spec.build(kind="etch", materials=("Si", "Mask"), target=None)


def bottom_response(model, f):
    """(rate / open-field rate, reaction probability S = γ(1 − θ_E)) of a surface that
    receives the fraction f of the open-field etchant flux (and the full ion flux)."""
    from waferlab.atomic.ion_enhanced import flat_surface_rates

    r = flat_surface_rates(model.kinetics, model.beam, ion_flux=model.ion_flux,
                           etchant_flux=np.asarray(f, float) * model.etchant_flux)
    gamma = model.etchant_sticking["Si"]
    return (np.asarray(r.etch_rate) / -model.flat_speed("Si"),
            gamma * (1.0 - np.asarray(r.theta_etchant)))


def coburn_winters_model(model, ar, *, iterations: int = 50):
    """Coburn–Winters bottom flux with the bottom's own coverage in S:
    f = K/[K + S(f)(1 − K)], started from the open-field S and iterated ``iterations``
    times (1: what one per-element coverage iteration of the model does; 50: the
    fixed point).  Returns (f, rate / open-field rate at f)."""
    f = coburn_winters(ar, bottom_response(model, 1.0)[1])
    for _ in range(iterations):
        f = coburn_winters(ar, bottom_response(model, f)[1])
    return f, bottom_response(model, f)[0]


@dataclass(frozen=True, kw_only=True)
class RieLagResult:
    """Depths (m) below the Si surface per trench: ``depths[k, i]`` at ``times[k]``."""

    widths: np.ndarray
    times: np.ndarray
    depths: np.ndarray
    flat_rate: float          # open-field Si etch rate (m/s)
    sticking: float           # S: etchant reaction probability on the bottom (ray tracing)
    reference: object         # AR -> (bottom flux fraction, rate / flat rate), Coburn–Winters
    geometry: object          # final LevelSetStack
    wall_s: float

    @property
    def depth(self) -> np.ndarray:
        return self.depths[-1]

    @property
    def aspect_ratio(self) -> np.ndarray:
        """(mask + etch depth) / width: the transport aspect ratio of each trench."""
        return (MASK + self.depth) / self.widths

    def interval_rates(self):
        """(AR at mid-interval, rate / flat rate), each (intervals, trenches)."""
        dt = np.diff(self.times)[:, None]
        rate = np.diff(self.depths, axis=0) / dt / self.flat_rate
        mid = 0.5 * (self.depths[1:] + self.depths[:-1])
        return (MASK + mid) / self.widths[None], rate


def run(*, widths, spacing, gap, time, rays_per_point, intervals, seed=0, threads=None,
        log=lambda s: None) -> RieLagResult:
    """Build the masked wafer, etch every opening in one run, record their depths."""
    from waferlab.feature.advect import advance

    extent, openings = layout_openings(widths, gap=gap, spacing=spacing)
    grid = Grid(dimension=2, spacing=spacing, extent=(extent,), boundary="reflective")
    geom = masked_openings(grid, openings, substrate="Si", mask="Mask", mask_thickness=MASK)
    traced = etch_model(rays_per_point)
    model = traced.model
    flat = -model.flat_speed("Si")
    S = next(sp for sp in model.species() if sp.name == "etchant").sticking["Si"]

    reference = partial(coburn_winters_model, model)

    ctx = RunContext(seed=seed, threads=threads, log=log)
    times, depths = [0.0], [opening_depths(geom, openings)]
    t0 = _time.perf_counter()
    seg = float(time) / intervals
    for k in range(intervals):
        geom, steps = advance(geom, traced, seg, ctx.with_(seed=seed * 1000 + k), kind="etch",
                              t0=k * seg)
        times.append((k + 1) * seg)
        depths.append(opening_depths(geom, openings))
        log(f"t = {times[-1]:.0f} s ({steps} steps): depths "
            + ", ".join(f"{d * 1e9:.0f}" for d in depths[-1]) + " nm")
    return RieLagResult(widths=np.array([o.width for o in openings]), times=np.array(times),
                        depths=np.array(depths), flat_rate=flat, sticking=float(S),
                        reference=reference, geometry=geom,
                        wall_s=_time.perf_counter() - t0)


def static_slit(ar, *, walls="Si", width=100e-9, per_width=20, rays_per_point=2000, seed=0):
    """Bottom-averaged (etchant flux, ion flux, rate) / open field in a fixed slit of
    (mask + Si depth)/width = ``ar`` with ``walls`` of Si (reactive) or Mask (inert):
    the Coburn–Winters check without profile evolution.  Uses the model's own
    per-element coverage iteration (``TracedTransport``, one coverage iteration)."""
    from waferlab.feature.flux.transport import RayTracing, TracedTransport
    from waferlab.feature.surface import Surface

    m = etch_model(rays_per_point).model
    w, L, t = width, 6 * width, MASK
    d = ar * w - t
    wm = 0 if walls == "Si" else 1
    n = lambda a: max(1, int(round(a / (w / per_width))))          # noqa: E731
    parts = [((-L / 2, t), (-w / 2, t), 1, n((L - w) / 2)), ((-w / 2, t), (-w / 2, 0), 1, n(t)),
             ((-w / 2, 0), (-w / 2, -d), wm, n(d)), ((-w / 2, -d), (w / 2, -d), 0, n(w)),
             ((w / 2, -d), (w / 2, 0), wm, n(d)), ((w / 2, 0), (w / 2, t), 1, n(t)),
             ((w / 2, t), (L / 2, t), 1, n((L - w) / 2))]
    pts, mats = [np.array(parts[0][0], float)], []
    for p0, p1, mat, k in parts:
        pts.extend(np.asarray(p0) + np.linspace(0, 1, k + 1)[1:, None] * np.subtract(p1, p0))
        mats += [mat] * k
    pts = np.array(pts)
    el = np.c_[np.arange(len(mats)), np.arange(1, len(mats) + 1)]
    tg = pts[el[:, 1]] - pts[el[:, 0]]
    nrm = np.c_[-tg[:, 1], tg[:, 0]] / np.linalg.norm(tg, axis=1)[:, None]
    s = Surface(points=pts, elements=el, normals=nrm, materials=np.array(mats, np.int32),
                material_names=("Si", "Mask"), lateral_bounds=((-L / 2, L / 2),),
                boundary="reflective")
    ctx = RunContext(seed=seed)
    er = TracedTransport(model=m, tracing=RayTracing(rays_per_point=rays_per_point,
                                                     coverage_iterations=1)
                         ).element_rates(s, ctx, ("slit",))
    rel, v = er.fields, er.velocity
    bot = np.abs(s.centroids[:, 1] + d) < 1e-3 * w
    return (float(rel["etchant"][bot].mean()), float(rel["ion"][bot].mean()),
            float(v[bot].mean() / m.flat_speed("Si")))


def write_outputs(res: RieLagResult, out: Path, *, slits: dict | None = None) -> None:
    """rie_lag.csv, rie_lag_rates.csv and rie_lag.png in ``out``; ``slits``:
    {walls: [(AR, rate / open-field rate), ...]} from ``static_slit`` to mark too."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from waferlab.feature.metrics import profile_polylines

    out.mkdir(parents=True, exist_ok=True)
    with open(out / "rie_lag.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["width_m", "depth_m", "aspect_ratio"])
        for row in zip(res.widths, res.depth, res.aspect_ratio):
            w.writerow([f"{v:.6g}" for v in row])
    ar, rate = res.interval_rates()
    with open(out / "rie_lag_rates.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["width_m", "t_start_s", "t_end_s", "aspect_ratio_mid", "rate_over_flat"])
        for k in range(rate.shape[0]):
            for i, wd in enumerate(res.widths):
                w.writerow([f"{wd:.6g}", f"{res.times[k]:.6g}", f"{res.times[k + 1]:.6g}",
                            f"{ar[k, i]:.6g}", f"{rate[k, i]:.6g}"])

    fig, (a0, a1) = plt.subplots(1, 2, figsize=(12, 4.6), gridspec_kw={"width_ratios": [1.5, 1]})
    for line in profile_polylines(res.geometry):
        a0.plot(line[:, 0] * 1e9, line[:, 1] * 1e9, "k-", lw=1)
    a0.axhline(0, color="0.6", lw=0.6, ls=":")
    a0.set(xlabel="x (nm)", ylabel="height (nm)", aspect="equal",
           title=f"profiles after {res.times[-1]:.0f} s (Si under a {MASK * 1e9:.0f} nm mask)")
    grid_ar = np.linspace(0, max(6.0, float(ar.max()) * 1.1), 200)
    f = coburn_winters(grid_ar, res.sticking)
    a1.plot(grid_ar, f, "k--", lw=1, label=f"neutral flux K/[K+S(1−K)], S = {res.sticking:.2f}")
    a1.plot(grid_ar, res.reference(grid_ar)[1], "k-", lw=1,
            label="model rate at the Coburn–Winters flux (bottom S(θ))")
    for i, wd in enumerate(res.widths):
        a1.plot(ar[:, i], rate[:, i], "o-", ms=4, label=f"{wd * 1e9:.0f} nm trench")
    for (walls, pts), mk in zip((slits or {}).items(), ("s", "D")):
        pts = np.asarray(pts)
        a1.plot(pts[:, 0], pts[:, 1], mk, ms=7, mfc="none", mec="k",
                label=f"fixed slit, {'inert' if walls == 'Mask' else 'Si'} walls")
    a1.set(xlabel="aspect ratio (mask + depth) / width", ylabel="etch rate / open-field rate",
           ylim=(0, 1.05), xlim=(0, grid_ar[-1]), title="RIE lag")
    a1.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(out / "rie_lag.png", dpi=130)
    plt.close(fig)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--small", action="store_true", help="coarse, quick settings (tests)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None)
    a = p.parse_args(argv)
    res = run(**(SMALL if a.small else FULL), seed=a.seed, threads=a.threads,
              log=lambda s: print(s, flush=True))
    slits = None
    if not a.small:
        slits = {walls: [(x, static_slit(x, walls=walls, rays_per_point=1000, seed=a.seed)[2])
                         for x in (3.0, 5.0)] for walls in ("Mask", "Si")}
        print("fixed slit rate / open field:", slits)
    write_outputs(res, a.out, slits=slits)
    print(f"flat rate {res.flat_rate * 1e9 * 60:.1f} nm/min, S = {res.sticking:.3f}, "
          f"wall {res.wall_s:.1f} s")
    for wd, d, ar in zip(res.widths, res.depth, res.aspect_ratio):
        print(f"width {wd * 1e9:5.0f} nm  depth {d * 1e9:6.1f} nm  AR {ar:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
