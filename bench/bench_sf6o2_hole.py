"""3D SF6/O2 hole etch (the ViennaPS hole example), waferlab ``sf6o2`` beside ViennaPS.

Parameters (issue 5 acceptance): spacing 0.03 µm, hole radius 0.175 µm at the mask
bottom, mask 1.2 µm with a 1.193° taper (opening wider at the top), Γ_i/Γ_F/Γ_O =
10/4500/800 ×10¹⁵ cm⁻²s⁻¹, 100 ± 10 eV, ion exponent 1000, A_O 2, A_Si 7, 300 rays per
point, 0.2 min (``--minutes`` to change), 2 threads.

Domains (like for like): ViennaPS runs its quarter hole, ``MakeHole(...,
HoleShape.QUARTER)`` with x/yExtent 1 µm: its setup halves each axis to [0, 0.5] µm and
its grid rounds up to whole spacings, [0, 0.51]² µm at 0.03 µm, with mirror (reflective)
boundaries about the boundary grid points — a hole array of 1.02 µm pitch.  waferlab
runs the same quarter (``structure.feature.symmetry: quarter``, extent 0.51 × 0.51 µm,
reflective: the mirror planes are the domain edges), the hole's axis on the corner.
``--domain full`` runs waferlab's full hole in the unfolded 1.02 × 1.02 µm domain
instead (4× the surface).  Recorded: depth etched into Si at the hole centre, the hole
radius at half that depth, wall times.  Writes bench/results/sf6o2_hole.md.

waferlab runs twice: ions reflected as the peer (``ion_reflection: true``, the sf6o2
default: sticking 1 up to 70° incidence, linear to 0 at 90°, the rest specular), and ions
sticking on their first hit (``ion_reflection: false``, the behaviour before);
``--reflection-only`` / ``--no-reflection`` run one of them.

Run: OMP_WAIT_POLICY=passive python bench/bench_sf6o2_hole.py [--minutes 0.2] [--rays 300]
     [--domain quarter|full] [--spacing 0.03] [--out PATH] [--seeds 1 2 3 4]
     [--etch ion_scoring=beam ...] [--no-peer]  (a coarse smoke run:
     --spacing 0.06 --minutes 0.02 --rays 30 --out /tmp/hole.md)
"""
from __future__ import annotations

import harness
import argparse
import math
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("NUMBA_NUM_THREADS", "2")

import numpy as np  # noqa: E402

OUT = Path(__file__).parent / "results" / "sf6o2_hole.md"
H, R_BOTTOM, MASK, TAPER_DEG = 0.03, 0.175, 1.2, 1.193
R_TOP = R_BOTTOM + MASK * math.tan(math.radians(TAPER_DEG))


def quarter_extent(h: float) -> float:
    """The peer's quarter-domain side (µm): 0.5 µm rounded up to whole spacings."""
    return math.ceil(0.5 / h - 1e-9) * h


def _measure(xyz: np.ndarray, h: float, center=(0.0, 0.0)) -> tuple[float, float]:
    """(depth below z = 0 at the hole axis, mean radius at half that depth) in µm."""
    r = np.hypot(xyz[:, 0] - center[0], xyz[:, 1] - center[1])
    z = xyz[:, 2]
    depth = -float(z[r < 0.5 * R_BOTTOM].min())
    near = (np.abs(z + 0.5 * depth) <= 0.5 * h * (1 + 1e-9)) & (r < 0.45)   # ≥ one node row
    return depth, float(r[near].mean()) if near.any() else float("nan")


def hole_recipe(minutes: float, rpp: int, refl: bool = True, *, h: float = H,
                domain: str = "quarter", steps: int = 1, **etch) -> dict:
    """The waferlab recipe of the peer's hole: ``steps`` sf6o2 steps of ``minutes`` each;
    ``etch`` adds or overrides keys of the etch step (e.g. coverage_iterations)."""
    side = quarter_extent(h) * (1 if domain == "quarter" else 2)
    step = {"etch": {"model": "sf6o2", "ion_flux": "10e15 cm^-2 s^-1",
                     "etchant_flux": "4500e15 cm^-2 s^-1", "oxygen_flux": "800e15 cm^-2 s^-1",
                     "ion_energy": "100 eV", "ion_energy_sigma": "10 eV", "ion_exponent": 1000,
                     "A_O": 2, "A_Si": 7, "rays_per_point": rpp, "ion_reflection": refl,
                     "cfl": 0.5, "time": f"{minutes} min", **etch}}
    return {"name": "hole", "seed": 1,
            "grid": {"dimension": 3, "spacing": f"{h!r} um",
                     "extent": [f"{side!r} um", f"{side!r} um"], "boundary": "reflective"},
            "structure": {"substrate": {"material": "Si"},
                          "layers": [{"material": "Mask", "thickness": f"{MASK} um"}],
                          "feature": {"type": "hole", "radius": f"{R_TOP!r} um",
                                      "depth": f"{MASK} um", "taper": f"{TAPER_DEG} deg",
                                      "symmetry": "quarter" if domain == "quarter" else "full"}},
            "steps": [step] * steps}


def waferlab_steps(data: dict, h: float = H, seed: int = 1):
    """Run the recipe step by step (step i with ``RunContext(seed=seed + i)``); yields
    ((depth, radius), wall s) after each step."""
    from waferlab.context import RunContext
    from waferlab.feature.builders import feature_center
    from waferlab.feature.extract import extract_surface
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer

    r = recipe_from_dict(data)
    w = initial_wafer(r)
    sym = data["structure"]["feature"]["symmetry"]
    c = [1e6 * v for v in feature_center(w.geometry.grid, sym)]
    for i, st in enumerate(r.steps):
        t0 = time.perf_counter()
        w = st.apply(w, RunContext(seed=seed + i, threads=2))
        wall = time.perf_counter() - t0
        yield _measure(extract_surface(w.geometry).points * 1e6, h, c), wall


def run_waferlab(minutes: float, rpp: int, refl: bool = True, *, h: float = H,
                 domain: str = "quarter", seed: int = 1,
                 **etch) -> tuple[tuple[float, float], float]:
    return next(waferlab_steps(hole_recipe(minutes, rpp, refl, h=h, domain=domain, **etch),
                               h, seed))


def _etch_option(text: str) -> tuple[str, object]:
    import yaml

    key, _, value = text.partition("=")
    return key.strip(), yaml.safe_load(value)


def viennaps_3d():
    """viennaps set up as in every run here: 3D, 2 threads, µm and minutes, quiet."""
    import viennaps as ps

    harness.peer_setup(ps, 3, "um", time_unit="min")
    return ps


def viennaps_hole(h: float = H):
    """(viennaps, quarter-hole domain, SF6O2 parameters) of the peer's hole case."""
    ps = viennaps_3d()
    d = ps.Domain(gridDelta=h, xExtent=1.0, yExtent=1.0)
    ps.MakeHole(domain=d, holeRadius=R_BOTTOM, holeDepth=0.0, maskHeight=MASK,
                maskTaperAngle=TAPER_DEG, holeShape=ps.HoleShape.QUARTER).apply()
    return ps, d, peer_parameters(ps)


def peer_parameters(ps):
    """ViennaPS's SF6O2 parameters of the hole case (fluxes, IEDF, n, A_O, A_Si)."""
    mp = ps.SF6O2Etching.defaultParameters()
    mp.ionFlux, mp.etchantFlux, mp.passivationFlux = 10.0, 4500.0, 800.0
    mp.Ions.meanEnergy, mp.Ions.sigmaEnergy, mp.Ions.exponent = 100.0, 10.0, 1000.0
    mp.Passivation.A_ie, mp.Substrate.A_ie = 2.0, 7.0
    return mp


def viennaps_step(ps, d, mp, minutes: float, rpp: int, h: float = H):
    """One ViennaPS process call on domain d; ((depth, radius), wall s)."""
    proc = ps.Process(d, ps.SF6O2Etching(mp))
    proc.setProcessDuration(minutes)
    rp = ps.RayTracingParameters()
    rp.raysPerPoint = rpp
    proc.setParameters(rp)
    t0 = time.perf_counter()
    proc.apply()
    wall = time.perf_counter() - t0
    return _measure(np.asarray(d.getSurfaceMesh().getNodes()), h), wall


def run_viennaps(minutes: float, rpp: int, *, h: float = H) -> tuple[tuple[float, float], float]:
    return viennaps_step(*viennaps_hole(h), minutes, rpp, h)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=0.2)
    ap.add_argument("--rays", type=int, default=300)
    ap.add_argument("--no-reflection", action="store_true",
                    help="only the waferlab run with ions sticking on the first hit")
    ap.add_argument("--reflection-only", action="store_true",
                    help="skip the waferlab run without ion reflection")
    ap.add_argument("--domain", choices=("quarter", "full"), default="quarter",
                    help="waferlab's domain: the peer's quarter (default) or the full hole")
    ap.add_argument("--spacing", type=float, default=H, help="grid spacing (µm), both codes")
    ap.add_argument("--out", type=Path, default=OUT, help="where the table goes")
    ap.add_argument("--etch", type=_etch_option, action="append", default=[],
                    metavar="KEY=VALUE", help="extra sf6o2 recipe key for the waferlab runs "
                    "(repeatable), e.g. --etch ion_scoring=per_hit")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1],
                    help="waferlab seeds (RunContext(seed=s)); one row per seed")
    ap.add_argument("--no-peer", action="store_true", help="skip the ViennaPS run")
    ap.add_argument("--repeat", type=int, default=1,
                    help="alternating launches per code; the fastest wall time is kept (a second "
                         "ViennaPS launch in the same process has segfaulted here: launch the "
                         "script again instead)")
    a = ap.parse_args()
    h = a.spacing
    variants = ([False] if a.no_reflection else [True] if a.reflection_only else [True, False])
    etch = dict(a.etch)
    tag = "".join(f", {k} {v}" for k, v in etch.items())
    names = {True: f"waferlab{tag}", False: f"waferlab{tag}, ion_reflection false"}
    res = {}

    def keep(name, r):
        res[name] = r if name not in res or r[1] < res[name][1] else res[name]
        print(name, r, flush=True)
    for _ in range(a.repeat):
        for refl in variants:
            for sd in a.seeds:
                name = names[refl] + (f", seed {sd}" if len(a.seeds) > 1 else "")
                keep(name, run_waferlab(a.minutes, a.rays, refl, h=h, domain=a.domain,
                                        seed=sd, **etch))
        if not a.no_peer:
            try:
                keep("ViennaPS", run_viennaps(a.minutes, a.rays, h=h))
            except ImportError:
                pass
    rows = [f"| {k} | {v[0][0]:.4f} | {v[0][1]:.4f} | {v[1]:.1f} |" for k, v in res.items()]
    side = quarter_extent(h)
    dom = (f"waferlab runs the same quarter domain ({side:.3g} × {side:.3g} µm, "
           "`symmetry: quarter`, mirror boundaries)" if a.domain == "quarter" else
           f"waferlab runs the full hole ({2 * side:.3g} × {2 * side:.3g} µm, 4× the peer's "
           "quarter-domain surface)")
    text = [f"## sf6o2 3D hole (waferlab {a.domain} hole vs ViennaPS quarter hole)", "",
            f"Spacing {h:g} µm, radius {R_BOTTOM} µm (mask bottom), mask {MASK} µm, taper "
            f"{TAPER_DEG}°, Γ_i/Γ_F/Γ_O = 10/4500/800 ×10¹⁵ cm⁻²s⁻¹, 100 ± 10 eV, n = 1000, "
            f"A_O 2, A_Si 7, {a.rays} rays/point, {a.minutes:g} min, 2 threads, time step "
            "0.5 h/max|V| in both (waferlab cfl 0.5, ViennaPS timeStepRatio 0.4999; ViennaPS "
            "also traces 10 coverage-initialisation passes first). Wall: "
            + (f"the fastest of {a.repeat} alternating launches per code. " if a.repeat > 1 else
               "one launch per code. ") + "ViennaPS: "
            f"`MakeHole(..., HoleShape.QUARTER)`, extent 1 × 1 µm → [0, {side:.3g}]² µm. "
            f"{dom}. `waferlab`: the sf6o2 defaults, i.e. the peer's closure (ions reflected "
            "with its sticking law into its coned lobe, per-hit yields, coverages iterated "
            "once then carried from step to step); `ion_reflection false`: ions stick on "
            "their first hit.", "",
            "| code | depth into Si (µm) | radius at half depth (µm) | wall (s) |",
            "|---|---|---|---|", *rows, ""]
    if "ViennaPS" in res:
        (d1, r1), w1 = res["ViennaPS"]
        for k in res:
            if k == "ViennaPS":
                continue
            (d0, r0), w0 = res[k]
            text += [f"{k}: depth {100 * (d0 / d1 - 1):+.1f} %, radius {(r0 - r1) / h:+.2f} "
                     f"spacings, wall-time ratio {w0 / w1:.2f} ({a.domain} hole vs quarter).", ""]
    text += ["Without reflection, the tapered mask's walls absorb the ions that the peer "
             "funnels to the bottom: on the initial hole (1.6 µm deep) the bottom-centre ion "
             "flux is 0.99 Γ_i with absorbing walls and 1.43 Γ_i with specular walls.", "",
             "Same model in both codes; the difference at this spacing is the peer's "
             "discretisation: in a hole this deep its tracer loses 7–15 % of the neutral flux "
             "and 7 % of the reflected-ion yield at the bottom against exact references "
             "(hole_transport.md), and refined it approaches waferlab's grid-converged depth "
             "(sf6o2_convergence.md; docs/etch-models.md, \"Comparison with the peer\").", ""]
    a.out.parent.mkdir(parents=True, exist_ok=True)
    harness.write_text(a.out, "\n".join(text))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
