"""2D fluorocarbon contact etch, waferlab ``fluorocarbon`` side by side with ViennaPS
``FluorocarbonEtching`` (issue #17).

Same parameters in both codes (the peer's stack-etching example): a trench ``WIDTH`` wide
through a ``MASK`` mask into SiO2, Γ_i 56, Γ_e 150, Γ_p 5 (10¹⁵ cm⁻²s⁻¹), 100 ± 10 eV,
ion exponent 100, ρ SiO2 2.2, polymer 2.0 (β_e 0.6, A_ie 0.0722), mask 500 (β_e 0.1,
β_p 0.01, E_th,sp 20 eV) ×10²² cm⁻³, the rest the La Magna & Garozzo defaults; 300 rays
per point, ``TIME`` s, 2 threads each, one launch, waferlab and ViennaPS interleaved;
time step 0.5 h/max|V| in both (waferlab ``cfl: 0.5``, the peer's default ratio 0.4999).
The peer starts with a polymer level set duplicated on top (as waferlab's step adds
its zero-thickness polymer layer) and iterates its coverages 10 times on the first
step (waferlab: ``coverage_iterations 1`` then carried coverages, the default).
Recorded: depth below the mask at the centre, width at half that depth, wall and CPU
time.  Writes bench/results/fluorocarbon.md.

Run: python bench/bench_fluorocarbon.py [spacings in nm, default 4 2]
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("NUMBA_NUM_THREADS", "2")

import numpy as np  # noqa: E402

OUT = Path(__file__).parent / "results" / "fluorocarbon.md"
EXTENT, WIDTH, MASK, OXIDE, TIME = 120.0, 60.0, 50.0, 200.0, 30.0   # nm, nm, nm, nm, s
FLUX = dict(ion=56.0, etchant=150.0, poly=5.0)                      # 1e15 cm^-2 s^-1


def _measure(xy: np.ndarray, h: float) -> tuple[float, float]:
    """(depth below the mask bottom y = 0 at the centre, width at half depth) in nm."""
    x, y = xy[:, 0], xy[:, 1]
    depth = -float(y[np.abs(x) < 0.25 * WIDTH].min())
    near = np.abs(y + 0.5 * depth) < 0.75 * h
    return depth, (float(np.ptp(x[near])) if near.sum() >= 2 else float("nan"))


def run_waferlab(h: float, k_ie: float = 2.0):
    from waferlab.context import RunContext
    from waferlab.feature.extract import extract_surface
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer

    f = {k: f"{v}e15 cm^-2 s^-1" for k, v in FLUX.items()}
    data = {"name": "fc", "seed": 1,
            "grid": {"dimension": 2, "spacing": f"{h} nm", "extent": [f"{EXTENT} nm"]},
            "structure": {"substrate": {"material": "SiO2", "thickness": f"{OXIDE} nm"},
                          "layers": [{"material": "Mask", "thickness": f"{MASK} nm"}],
                          "feature": {"type": "trench", "width": f"{WIDTH} nm",
                                      "depth": f"{MASK} nm"}},
            "steps": [{"etch": {"model": "fluorocarbon", "ion_flux": f["ion"],
                                "etchant_flux": f["etchant"], "polymer_flux": f["poly"],
                                "ion_exponent": 100, "rays_per_point": 300, "k_ie": k_ie, "cfl": 0.5,
                                "time": f"{TIME} s"}}]}
    r = recipe_from_dict(data)
    w = initial_wafer(r)
    ctx = RunContext(seed=1, threads=2)
    t0, c0 = time.perf_counter(), time.process_time()
    for st in r.steps:
        w = st.apply(w, ctx)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    xy = extract_surface(w.geometry).centroids * 1e9       # the mask bottom is y = 0
    return _measure(xy, h), wall, cpu


def run_viennaps(h: float, k_ie: float = 2.0):
    import viennaps as ps

    ps.setDimension(2)
    ps.setNumThreads(2)
    ps.Length.setUnit("nm")
    ps.Time.setUnit("s")
    ps.Logger.setLogLevel(ps.LogLevel.ERROR)
    d = ps.Domain(gridDelta=h, xExtent=EXTENT, yExtent=EXTENT)
    ps.MakeTrench(domain=d, trenchWidth=WIDTH, trenchDepth=0.0, maskHeight=MASK,
                  material=ps.Material.SiO2).apply()
    d.duplicateTopLevelSet(ps.Material.Polymer)
    p = ps.FluorocarbonParameters()
    for mat, rho, extra in ((ps.Material.SiO2, 2.2, {}), (ps.Material.Si, 5.5, {}),
                            (ps.Material.Polymer, 2.0, dict(beta_e=0.6, A_ie=0.0361 * 2)),
                            (ps.Material.Mask, 500.0, dict(beta_e=0.1, beta_p=0.01,
                                                           Eth_sp=20.0))):
        m = ps.FluorocarbonMaterialParameters()
        m.id, m.density = mat, rho
        for k, v in extra.items():
            setattr(m, k, v)
        p.addMaterial(m)
    p.ionFlux, p.etchantFlux, p.polyFlux = FLUX["ion"], FLUX["etchant"], FLUX["poly"]
    p.Ions.meanEnergy, p.Ions.sigmaEnergy, p.Ions.exponent = 100.0, 10.0, 100.0
    p.k_ie = k_ie
    proc = ps.Process(d, ps.FluorocarbonEtching(p), TIME)
    cov = ps.CoverageParameters()
    cov.maxIterations, cov.tolerance = 10, 1e-4
    proc.setParameters(cov)
    rp = ps.RayTracingParameters()
    rp.raysPerPoint = 300
    proc.setParameters(rp)
    t0, c0 = time.perf_counter(), time.process_time()
    proc.apply()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return _measure(np.asarray(d.getSurfaceMesh().getNodes())[:, :2], h), wall, cpu


def main() -> None:
    hs = [float(a) for a in sys.argv[1:]] or [4.0, 2.0]
    run_waferlab(hs[0])                                   # numba warm-up
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=Path(__file__).parent).stdout.strip()
    rows, res = [], {}
    cases = [(h, k) for k in (2.0, 0.0) for h in hs]
    for h, k in cases:
        for name, fn in (("waferlab", run_waferlab), ("ViennaPS 4.7", run_viennaps)):
            (depth, width), wall, cpu = fn(h, k)
            res[(name, h, k)] = (depth, width, wall, cpu)
            rows.append(f"| {k:g} | {h:g} | {name} | {depth:.2f} | {width:.2f} | {wall:.1f} | "
                        f"{cpu:.1f} |")
            print(rows[-1], flush=True)
    load = os.getloadavg()
    text = ["# fluorocarbon 2D contact etch vs ViennaPS FluorocarbonEtching (issue #17)", "",
            f"Commit {commit}, `python bench/bench_fluorocarbon.py {' '.join(map(str, hs))}`. "
            f"Trench {WIDTH:g} nm in a {MASK:g} nm mask over SiO2, extent {EXTENT:g} nm, "
            "Γ_i/Γ_e/Γ_p = 56/150/5 ×10¹⁵ cm⁻²s⁻¹, 100 ± 10 eV, n = 100, 300 rays/point, "
            f"{TIME:g} s, 2 threads each, one launch (load average "
            f"{load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f} at the end).  Depth below the mask "
            "at the centre and width at half that depth (nm) of the top surface (polymer "
            "included); CPU = process time of the launching process.", "",
            "| k_ie | h (nm) | code | depth (nm) | width (nm) | wall (s) | CPU (s) |",
            "|---|---|---|---|---|---|---|", *rows, ""]
    for h, k in cases:
        o, p = res[("waferlab", h, k)], res[("ViennaPS 4.7", h, k)]
        text.append(f"- k_ie = {k:g}, h = {h:g} nm: depth {100 * (o[0] / p[0] - 1):+.1f} %, width "
                    f"{(o[1] - p[1]) / h:+.2f} grid spacings, wall-time ratio waferlab/ViennaPS "
                    f"**{o[2] / p[2]:.2f}** (CPU {o[3] / max(p[3], 1e-9):.2f}).")
    text += ["", "Notes.",
             "- k_ie = 2 (the paper's value): ViennaPS etches about half as deep.  On a flat SiO2 "
             "plane (2 nm grid, 10 s, these fluxes) it gives 3.02 nm/s where the published "
             "balance gives 6.09 nm/s (waferlab's traced speed equals the balance: "
             "tests/feature/test_fluorocarbon.py); with k_ie = 0 the peer gives 7.27 nm/s "
             "(balance 7.3), with Γ_e = 1e5 7.40 nm/s, and its θ_e fits Γ_e/(Γ_e + 1031) instead "
             "of Γ_e/(Γ_e + 36) (×10¹⁵ cm⁻²s⁻¹): the ion terms of the peer's coverage balances "
             "are ≈ 29× (≈ 1/A_ie) the ion-enhanced flux its rate uses, which also makes its "
             "polymer coverage negligible (its depth is 211/212/209 nm for Γ_p = 1/5/20 where "
             "waferlab gives 224/217/152 nm).  waferlab keeps the published balance.",
             "- k_ie = 0 removes the ion term from the F balance (θ_e → 1 − θ_p in both codes), so "
             "only transport, yields and the polymer balance are compared.  The depths then "
             "agree within a few %, but the peer's walls taper from the top (29/24/18 nm "
             "half-width at 50/80/110 nm depth, a 26 nm notch under the mask) where "
             "waferlab's stay at the mask edge down to 80 nm (30/31/25 nm): the walls sit near "
             "θ_p = 1 (Γ_p β_p/δ_p = 1.3 × the relative wall flux), a knife edge on which "
             "the two codes' neutral transport decides between a growing and an etching wall.",
             ""]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(text))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
