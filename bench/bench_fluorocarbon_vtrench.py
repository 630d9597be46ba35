"""Fluorocarbon 2D, frozen tapered trench: the ion yields at the bottom of a V-narrowing
trench, both codes against an exact Monte Carlo on the tapered geometry (issue #17; the
2D analogue of bench_fluorocarbon_tip.py).

Trench 60 nm at the mouth (top of the 50 nm mask), walls 8° from vertical, 150 nm deep,
flat bottom 60 − 2·150·tan 8° = 17.8 nm wide; Γ_i 56 ×10¹⁵ cm⁻²s⁻¹, 100 ± 10 eV, n = 100,
k_ie = 0.  Exact: this file's ``trace`` (the kernel of ``validation.coverage_trench`` with
sloped walls x = tan 8°·z and W − tan 8°·z: the model's yields, coned lobe, energy law),
2e6 ions; waferlab: ``element_rates`` (1000 rays/point); ViennaPS 4.7: ``calculateFlux``
on ``MakeTrench(trenchTaperAngle = maskTaperAngle = 8°)``, its tallies times the A it leaves
out.  Each run in its own process.

Run: python bench/bench_fluorocarbon_vtrench.py   (waferlab 2 nm, ViennaPS 2 and 1 nm)
Writes bench/results/fluorocarbon_vtrench.md.
"""

from __future__ import annotations

import harness

harness.configure(threads=2)

import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from numba import njit  # noqa: E402

import bench_fluorocarbon_frozen as F  # noqa: E402

from waferlab.feature.flux._ion_kernels import reflected_energy, table_at  # noqa: E402
from waferlab.feature.flux._kernels import _cone  # noqa: E402
from waferlab.feature.flux._rng import _seed_state, _uniform  # noqa: E402
from waferlab.feature.flux.ions import VIENNAPS_ION_ENERGY_LOSS, energy_inverse_cdf  # noqa: E402
from waferlab.feature.flux.sources import VIENNAPS_ION_CONE  # noqa: E402

W, D, MASK, TAP = 60.0, 150.0, 50.0, 8.0


@njit(cache=False)
def trace(
    seed, n, W, D, Dm, ta, exponent, e_tab, z_edges, x_edges, par, law, cutoff, cone_min, out
):
    s = np.empty(4, np.uint64)
    _seed_state(seed, s)
    N = z_edges.shape[0] - 1
    nrm = math.sqrt(1.0 + ta * ta)
    for _ in range(n):
        e = table_at(e_tab, _uniform(s))
        c = (1.0 - _uniform(s)) ** (1.0 / (exponent + 1.0))
        st = math.sqrt(max(0.0, 1.0 - c * c))
        dx = st * math.cos(2.0 * math.pi * _uniform(s))
        dy = -c
        nn = math.sqrt(dx * dx + dy * dy)
        dx, dy = dx / nn, dy / nn
        x, y = W * _uniform(s), 0.0
        for _b in range(100000):
            t, kind = 1e300, -1
            den = dx + ta * dy  # left wall f = x + ta y
            if den < 0.0:
                tl = -(x + ta * y) / den
                if tl > 1e-12 * W:
                    t, kind = tl, 0
            den = dx - ta * dy  # right wall g = W + ta y − x
            if den > 0.0:
                tr = (W + ta * y - x) / den
                if 1e-12 * W < tr < t:
                    t, kind = tr, 1
            if dy < 0.0:
                tb = (-D - y) / dy
                if tb < t:
                    t, kind = tb, 2
            elif dy > 0.0:
                tt = -y / dy
                if tt <= t:
                    t, kind = tt, 3
            if kind == 3 or kind < 0:
                break
            x, y = x + t * dx, y + t * dy
            if kind == 2:
                n0, n1 = 0.0, 1.0
                j = min(max(np.searchsorted(x_edges, x) - 1, 0), x_edges.shape[0] - 2)
                el, m = N + j, 1
                y = -D
            else:
                if kind == 0:
                    n0, n1 = 1.0 / nrm, ta / nrm
                    x = -ta * y
                else:
                    n0, n1 = -1.0 / nrm, ta / nrm
                    x = W + ta * y
                z = -y
                el = min(max(np.searchsorted(z_edges, z) - 1, 0), N - 1)
                m = 0 if z < Dm else 1
            cin = min(1.0, max(0.0, -(dx * n0 + dy * n1)))
            se = math.sqrt(max(e, 0.0))
            s2 = 1.0 - cin * cin
            out[0, el] += par[m, 0] * max(se - par[m, 2], 0.0) * (1.0 + par[m, 1] * s2) * cin
            out[1, el] += par[m, 3] * max(se - par[m, 4], 0.0) * cin
            out[2, el] += par[2, 3] * max(se - par[2, 4], 0.0) * cin
            e = reflected_energy(s, e, cin, law)
            if e <= cutoff:
                break
            sx, sy = dx + 2.0 * cin * n0, dy + 2.0 * cin * n1
            nn = math.sqrt(sx * sx + sy * sy)
            ex, ey, _ez = _cone(s, sx / nn, sy / nn, 0.0, n0, n1, 0.0, cin, cone_min)
            nn = math.sqrt(ex * ex + ey * ey)
            if nn == 0.0:
                break
            dx, dy = ex / nn, ey / nn
            x, y = x + 1e-9 * W * n0, y + 1e-9 * W * n1


def exact(n_ions=2_000_000):
    model = F._spec().build(kind="etch", materials=("SiO2", "Mask"), target=None).model
    ta = math.tan(math.radians(TAP))
    Wb = W - 2 * D * ta
    nw, nb = 150, 20
    z = np.linspace(0, D, nw + 1)
    xb = ta * D + np.linspace(0, Wb, nb + 1)
    kin = model.kinetics
    rows = [kin.materials["Mask"], kin.materials["SiO2"], kin.polymer]
    par = np.array(
        [[p.A_sp, p.B_sp, math.sqrt(p.Eth_sp), p.A_ie, math.sqrt(p.Eth_ie)] for p in rows]
    )
    e_tab = energy_inverse_cdf(model.beam.energies_eV, model.beam.pdf)
    out = np.zeros((3, nw + nb))
    trace(
        1,
        n_ions,
        W,
        D,
        MASK,
        ta,
        float(model.beam.exponent),
        e_tab,
        z,
        xb,
        par,
        VIENNAPS_ION_ENERGY_LOSS.params(),
        model._min_threshold(),
        VIENNAPS_ION_CONE,
        out,
    )
    lengths = np.concatenate([2 * np.diff(z) * math.sqrt(1 + ta * ta), np.diff(xb)])
    out = out * W / (n_ions * lengths[None, :])
    return dict(
        zc=(0.5 * (z[:-1] + z[1:])).tolist(),
        xc=(0.5 * (xb[:-1] + xb[1:]) - 0.5 * W).tolist(),
        ie=out[1].tolist(),
        sp=out[0].tolist(),
        p=out[2].tolist(),
        Wb=Wb,
    )


def code(which, h, rays):
    if which == "w":
        from waferlab.context import RunContext
        from waferlab.feature.flux.models import surface_of
        from waferlab.recipe import recipe_from_dict
        from waferlab.runner import initial_wafer

        data = {
            "name": "t",
            "seed": 1,
            "grid": {"dimension": 2, "spacing": f"{h} nm", "extent": ["120 nm"]},
            "structure": {
                "substrate": {"material": "SiO2", "thickness": "250 nm"},
                "layers": [{"material": "Mask", "thickness": f"{MASK} nm"}],
                "feature": {
                    "type": "trench",
                    "width": f"{W} nm",
                    "depth": f"{D} nm",
                    "taper": f"{TAP} deg",
                },
            },
            "steps": [],
        }
        w = initial_wafer(recipe_from_dict(data))
        surf = surface_of(w.geometry)
        tr = F._spec(rays_per_point=rays, coverage_iterations=8, lagged_coverages=False).build(
            kind="etch", materials=tuple(w.geometry.materials), target=None
        )
        er = tr.element_rates(surf, RunContext(seed=1, threads=2), ("probe",))
        xy = surf.centroids * 1e9
        xy[:, 1] -= xy[:, 1].max()
        xy[:, 0] -= 0.5 * (xy[:, 0].min() + xy[:, 0].max())
        f = {k: np.asarray(er.fields[k]) for k in ("Y:ie", "Y:sp", "Y:p")}
        wts = np.asarray(surf.areas)
    else:
        import viennaps as ps
        from bench_fluorocarbon import peer_parameters

        harness.peer_setup(ps, 2, "nm")
        d = ps.Domain(gridDelta=h, xExtent=120.0, yExtent=120.0)
        ps.MakeTrench(
            domain=d,
            trenchWidth=W - 2 * MASK * math.tan(math.radians(TAP)),
            trenchDepth=D - MASK,
            trenchTaperAngle=TAP,
            maskHeight=MASK,
            maskTaperAngle=TAP,
            material=ps.Material.SiO2,
        ).apply()
        d.duplicateTopLevelSet(ps.Material.Polymer)
        p = peer_parameters(ps, 56.0, 150.0, 5.0)
        p.k_ie = 0.0
        proc = ps.Process(d, ps.FluorocarbonEtching(p))
        proc.setProcessDuration(1.0)
        rp = ps.RayTracingParameters()
        rp.raysPerPoint = rays
        cov = ps.CoverageParameters()
        cov.maxIterations, cov.tolerance = 10, 1e-4
        proc.setParameters(rp)
        proc.setParameters(cov)
        mesh = proc.calculateFlux()
        cd = mesh.getCellData()
        raw = {
            cd.getScalarDataLabel(i): np.asarray(cd.getScalarData(i))
            for i in range(cd.getScalarDataSize())
        }
        xy = np.asarray(mesh.getNodes())[:, :2].copy()
        xy[:, 1] -= xy[:, 1].max()
        f = {
            "Y:p": raw["ionpeFlux"] * 0.0361 * 2,
            "Y:ie": raw["ionEnhancedFlux"] * 0.0361,
            "Y:sp": raw["ionSputterFlux"] * 0.0139,
        }
        wts = np.ones(len(xy))
    return dict(
        x=xy[:, 0].tolist(),
        z=(-xy[:, 1]).tolist(),
        w=wts.tolist(),
        **{k: v.tolist() for k, v in f.items()},
    )


def bands(ex: dict, runs: dict) -> list[str]:
    ta = math.tan(math.radians(TAP))
    wb = W - 2 * D * ta
    zc, xc = np.array(ex["zc"]), np.array(ex["xc"])
    nw = zc.size
    rows = []
    for lab, k, a, b in (
        ("SiO2 wall 60–100 nm", "w", 60, 100),
        ("SiO2 wall 100–130 nm", "w", 100, 130),
        ("SiO2 wall 130–146 nm", "w", 130, 146),
        (f"bottom, centre ± {wb / 2:.1f} nm", "b", 0, wb / 2),
    ):
        m = (zc >= a) & (zc <= b) if k == "w" else (np.abs(xc) >= a) & (np.abs(xc) <= b)
        e = {
            c: float(np.array(ex[c])[:nw][m].mean() if k == "w" else np.array(ex[c])[nw:][m].mean())
            for c in ("ie", "sp")
        }
        rows.append(f"| {lab} | exact | {e['ie']:.4g} | {e['sp']:.4g} |")
        for name, d in runs.items():
            x, z, w = np.abs(np.array(d["x"])), np.array(d["z"]), np.array(d["w"])
            sel = (
                ((np.abs(x - (W / 2 - z * ta)) < 1.5) & (z >= a) & (z <= b))
                if k == "w"
                else ((z > D - 0.5) & (x < b + 0.25))
            )
            g = {}
            for c in ("ie", "sp"):
                v = np.array(d["Y:" + c], float)
                ok = sel & np.isfinite(v)
                g[c] = float((v[ok] * w[ok]).sum() / w[ok].sum())
            rows.append(
                f"| {lab} | {name} | "
                + " | ".join(f"{g[c]:.4g} ({100 * (g[c] / e[c] - 1):+.1f} %)" for c in ("ie", "sp"))
                + " |"
            )
    return rows


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        which, out = sys.argv[2], sys.argv[-1]
        c0 = time.process_time()
        d = exact() if which == "e" else code(which, float(sys.argv[3]), int(sys.argv[4]))
        d["cpu"] = time.process_time() - c0
        json.dump(d, open(out, "w"))
        return
    load0 = os.getloadavg()[0]
    tmp = tempfile.mkdtemp()
    res = {}
    for tag, args in (
        ("exact", ["e"]),
        ("waferlab, h 2 nm, 1000 rays", ["w", "2", "1000"]),
        ("ViennaPS 4.7, h 2 nm, 1000 rays", ["p", "2", "1000"]),
        ("ViennaPS 4.7, h 1 nm, 1000 rays", ["p", "1", "1000"]),
    ):
        out = os.path.join(tmp, f"{len(res)}.json")
        subprocess.run([sys.executable, __file__, "--child", *args, out], check=True)
        res[tag] = json.load(open(out))
    ex = res.pop("exact")
    text = [
        "# fluorocarbon 2D, frozen tapered trench: ion yields at the bottom against the "
        "exact reference (issue #17)",
        "",
        "`python bench/bench_fluorocarbon_vtrench.py`. "
        f"Trench {W:g} nm at the mouth, walls {TAP:g}° from vertical, {D:g} nm deep ({MASK:g} "
        f"nm mask over SiO2), bottom {W - 2 * D * math.tan(math.radians(TAP)):.1f} nm wide; "
        "Γ_i 56 ×10¹⁵ cm⁻²s⁻¹, 100 ± 10 eV, n = 100.  Band means of the ion yield fluxes "
        "per source ion Y_ie, Y_sp (in brackets against exact; the module docstring "
        "says how each is computed).",
        "",
        "| band | source | Y_ie | Y_sp |",
        "|---|---|---|---|",
        *bands(ex, res),
        "",
        f"CPU: exact {ex['cpu']:.1f} s; "
        + ", ".join(f"{k} {d['cpu']:.1f} s" for k, d in res.items())
        + f".  Load average {load0:.1f} → {os.getloadavg()[0]:.1f}.",
    ]
    out = harness.RESULTS / "fluorocarbon_vtrench.md"
    harness.write_text(out, "\n".join(text))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
