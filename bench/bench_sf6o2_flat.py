"""Flat-surface SF6/O2 etch rate: waferlab ``sf6o2`` equations against a ViennaPS run.

ViennaPS (``SF6O2Etching``, 2D, flat Si plane, grid 0.01 µm, extent 0.5 µm, 1000 rays
per point, 2 threads) etches for a time T chosen to remove about 6 grid spacings; its
rate is the drop of the mean surface height over T.  waferlab's rate is the closed
form of ``waferlab.atomic.sf6o2_flat_rates`` with the same parameters (ion exponent
1000, A_O = 2, A_Si = 7, 100 ± 10 eV).  Writes bench/results/sf6o2_flat.md.

Run: OMP_WAIT_POLICY=passive python bench/bench_sf6o2_flat.py
"""
from __future__ import annotations

import harness
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("NUMBA_NUM_THREADS", "2")

import numpy as np  # noqa: E402

from waferlab.atomic.sf6o2 import SF6O2Parameters, sf6o2_flat_rates  # noqa: E402

OUT = Path(__file__).parent / "results" / "sf6o2_flat.md"
GRID_DELTA = 0.01  # µm
GRID = [  # (ion, etchant, oxygen) in 10^15 cm^-2 s^-1
    (12.0, 1800.0, 100.0), (10.0, 4500.0, 800.0), (1.0, 1800.0, 100.0), (50.0, 1800.0, 100.0),
    (12.0, 300.0, 100.0), (12.0, 10000.0, 100.0), (12.0, 1800.0, 0.0), (12.0, 1800.0, 1000.0),
    (12.0, 0.0, 0.0), (0.0, 1800.0, 100.0),
]


def waferlab_rate(ion, et, ox) -> float:
    p = SF6O2Parameters(ion_exponent=1000.0, A_O=2.0, A_Si=7.0)
    return float(sf6o2_flat_rates(p, ion_flux=ion * 1e19, etchant_flux=et * 1e19,
                                  oxygen_flux=ox * 1e19).etch_rate) * 1e9   # nm/s


def viennaps_rate(ion, et, ox, guess_nm_s) -> tuple[float, float]:
    import viennaps as ps

    harness.peer_setup(ps, 2, "um")
    d = ps.Domain(gridDelta=GRID_DELTA, xExtent=0.5, yExtent=0.5)
    ps.MakePlane(domain=d, height=0.0, material=ps.Material.Si).apply()
    mp = ps.SF6O2Etching.defaultParameters()
    mp.ionFlux, mp.etchantFlux, mp.passivationFlux = ion, et, ox
    mp.Ions.meanEnergy, mp.Ions.sigmaEnergy, mp.Ions.exponent = 100.0, 10.0, 1000.0
    mp.Passivation.A_ie, mp.Substrate.A_ie = 2.0, 7.0
    proc = ps.Process(d, ps.SF6O2Etching(mp))
    T = 6 * GRID_DELTA * 1e3 / max(guess_nm_s, 1e-3)
    proc.setProcessDuration(T)
    rp = ps.RayTracingParameters()
    rp.raysPerPoint = 1000
    proc.setParameters(rp)
    y0 = np.asarray(d.getSurfaceMesh().getNodes())[:, 1].mean()
    t0 = time.perf_counter()
    proc.apply()
    wall = time.perf_counter() - t0
    y1 = np.asarray(d.getSurfaceMesh().getNodes())[:, 1].mean()
    return (y0 - y1) * 1e3 / T, wall


def main() -> None:
    try:
        import viennaps  # noqa: F401
        have_peer = True
    except ImportError:
        have_peer = False
    rows = []
    for ion, et, ox in GRID:
        t0 = time.perf_counter()
        ours = waferlab_rate(ion, et, ox)
        t_ours = time.perf_counter() - t0
        if have_peer:
            peer, t_peer = viennaps_rate(ion, et, ox, ours)
            dev = 100 * (ours / peer - 1) if peer > 0 else float("nan")
            rows.append(f"| {ion:g} | {et:g} | {ox:g} | {ours:.4f} | {peer:.4f} | {dev:+.2f} | "
                        f"{t_ours * 1e3:.1f} ms | {t_peer:.1f} s |")
        else:
            rows.append(f"| {ion:g} | {et:g} | {ox:g} | {ours:.4f} | — | — | "
                        f"{t_ours * 1e3:.1f} ms | — |")
        print(rows[-1], flush=True)
    text = ["## sf6o2 flat-surface etch rate (waferlab vs ViennaPS)", "",
            "Fluxes in 10¹⁵ cm⁻²s⁻¹; 100 ± 10 eV, ion exponent 1000, A_O = 2, A_Si = 7; "
            "ViennaPS 2D flat Si, grid 0.01 µm, 1000 rays/point, rate = mean height drop / T "
            "(≈ 6 grid spacings etched). Acceptance: |deviation| ≤ 1 %.", "",
            "| Γ_i | Γ_F | Γ_O | waferlab (nm/s) | ViennaPS (nm/s) | dev. % | t waferlab | t ViennaPS |",
            "|---|---|---|---|---|---|---|---|", *rows, ""]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    harness.write_text(OUT, "\n".join(text))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
