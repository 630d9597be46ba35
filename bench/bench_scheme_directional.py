"""Accuracy of first-order Engquist–Osher (``eo``) against WENO5 + TVD-RK3 for the
``directional`` beam model, against the exact solution (issue #18, session 13).

The directional Hamiltonian H(p) = s[(1 − f)·max(0, c·p) + f|p|] (c = −d̂) is convex in p,
so the etched region is the Hopf–Lax reachable set: Si points reached from the exposed
Si by paths with velocities in t·W, W = {λ R(1 − f) d̂, 0 ≤ λ ≤ 1} ⊕ disk(R f) (the
Wulff shape of H; Osher & Sethian, J. Comput. Phys. 79, 12, 1988; Bardi & Evans,
Nonlinear Anal. 8, 1373, 1984).  With a non-etching mask on top of Si (interface z = 0)
and a feature cut down to z_b ≤ 0, a straight path from the cut's part in Si,
T0 = [−a, a] × [z_b, 0], to a Si point stays below z = 0 and never crosses the mask, so

    vacuum(t) = vacuum(0) ∪ ((T0 ⊕ t·W) ∩ {z ≤ 0}).

A 3D hole with a vertical beam is axisymmetric: the (r, z) profile is the 2D answer
with a = radius; for a tilted beam (in x–z) the slice y = 0 of the hole's answer is the
2D answer (slices of y-symmetric convex sets add).  Errors are distances of the
extracted surface points to the exact boundary, in units of h, by region: flat bottom,
walls, the bottom corners, the mask corners (top rim and the mask–Si junction), mask top.

``--viennaps`` measures ViennaPS 4.7's first-order scheme on the same 2D trench
(``MakeTrench`` + ``DirectionalProcess``, its surface read from ``saveSurfaceMesh``; the
buried Si/mask interface it also writes is left out).

Run: python bench/bench_scheme_directional.py [--quick] [--render-only] [--viennaps]
     -> bench/results/scheme_directional.json and .md (stamped with the commit)
"""
from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from scipy.spatial import ConvexHull

from waferlab.context import RunContext
from waferlab.feature import builders as B
from waferlab.feature.advect import advance
from waferlab.feature.extract import extract_surface
from waferlab.feature.grid import Grid
from waferlab.feature.models_basic import DirectionalVelocity

HERE = Path(__file__).parent
CTX = RunContext()


def exact_profile(a: float, z_b: float, z_t: float, R: float, T: float, f: float,
                  theta: float, L: float, n_arc: int = 720):
    """Exact solid boundary (polyline from x = −L/2 to L/2) and its labelled segments and
    corner points: mask top at z_t, an opening |x| < a through the mask (0 ≤ z ≤ z_t)
    and cut into Si down to z_b; beam d̂ = (sin θ, −cos θ), rate R, time T, isotropic
    fraction f.  Returns (segments (m, 2, 2), labels (m,), corners [(x, z, label)])."""
    d = np.array([math.sin(theta), -math.cos(theta)])
    t0 = np.array([[-a, z_b], [a, z_b], [a, 0.0], [-a, 0.0]])
    pts = np.vstack([t0, t0 + R * (1 - f) * T * d])
    rho = R * f * T
    if rho > 0:
        ang = np.linspace(0, 2 * np.pi, n_arc, endpoint=False)
        circ = rho * np.column_stack([np.cos(ang), np.sin(ang)])
        pts = (pts[:, None, :] + circ[None, :, :]).reshape(-1, 2)
    hull = pts[ConvexHull(pts).vertices]          # counter-clockwise
    # clip to z <= 0 (Sutherland–Hodgman against one half-plane)
    poly = []
    for i in range(len(hull)):
        p, q = hull[i], hull[(i + 1) % len(hull)]
        pin, qin = p[1] <= 0, q[1] <= 0
        if pin:
            poly.append(p)
        if pin != qin:
            s = p[1] / (p[1] - q[1])
            poly.append(p + s * (q - p))
    poly = np.array(poly)
    # the Si boundary: the clipped hull's boundary without its edge on z = 0, from its
    # leftmost point on z = 0 counter-clockwise (down, along the bottom, up) to its rightmost
    on0 = np.flatnonzero(np.abs(poly[:, 1]) < 1e-12)
    i_l = on0[np.argmin(poly[on0, 0])]
    i_r = on0[np.argmax(poly[on0, 0])]
    n = len(poly)
    si = [poly[(i_l + k) % n] for k in range((i_r - i_l) % n + 1)]
    x_l, x_r = poly[i_l, 0], poly[i_r, 0]
    line = [(-L / 2, z_t), (-a, z_t), (-a, 0.0)]
    labels = ["mask_top", "mask_wall"]
    if x_l < -a - 1e-12:
        line.append((x_l, 0.0))
        labels.append("undercut")
    for k in range(len(si) - 1):
        line.append(tuple(si[k + 1]))
    si_arr = np.array(si)
    si_labels = []
    for k in range(len(si) - 1):
        p, q = si_arr[k], si_arr[k + 1]
        tang = q - p
        horiz = abs(tang[1]) < 1e-9 * max(abs(tang[0]), 1e-300)
        arc = rho > 0 and np.hypot(*tang) < 4 * 2 * math.pi * rho / n_arc
        si_labels.append("bottom_corner" if arc else "bottom" if horiz and p[1] < -1e-12
                         else "wall")
    labels += si_labels
    if x_r > a + 1e-12:
        line.append((a, 0.0))
        labels.append("undercut")
    line += [(a, z_t), (L / 2, z_t)]
    labels += ["mask_wall", "mask_top"]
    line = np.array(line)
    segs = np.stack([line[:-1], line[1:]], axis=1)
    keep = np.hypot(*(segs[:, 1] - segs[:, 0]).T) > 1e-12
    # corners: the mask rims and junctions, and the Si polyline's corners (a turn > 10°)
    corners = [(-a, z_t, "mask_corner"), (a, z_t, "mask_corner"),
               (min(-a, x_l), 0.0, "mask_corner"), (max(a, x_r), 0.0, "mask_corner"),
               (-a, 0.0, "mask_corner"), (a, 0.0, "mask_corner")]
    for k in range(1, len(si) - 1):
        u, v = si_arr[k] - si_arr[k - 1], si_arr[k + 1] - si_arr[k]
        cross = u[0] * v[1] - u[1] * v[0]
        if np.linalg.norm(u) > 0 and np.linalg.norm(v) > 0 and \
                abs(math.asin(np.clip(cross / (np.linalg.norm(u) * np.linalg.norm(v)), -1, 1))) > math.radians(10):
            corners.append((si_arr[k][0], si_arr[k][1], "bottom_corner"))
    if rho > 0:          # the ends of the rounded bottom corners (arcs of radius R f T)
        for k in range(1, len(si) - 1):
            if (si_labels[k - 1] == "bottom_corner") != (si_labels[k] == "bottom_corner"):
                corners.append((si_arr[k][0], si_arr[k][1], "bottom_corner"))
    return segs[keep], np.array(labels)[keep], corners, (si_arr, x_l, x_r)


def distances(pts: np.ndarray, segs: np.ndarray, chunk: int = 2048):
    """Distance of each point to the polyline, and the index of the nearest segment."""
    p0, p1 = segs[:, 0], segs[:, 1]
    e = p1 - p0
    ee = np.maximum((e * e).sum(1), 1e-300)
    dist = np.empty(len(pts))
    idx = np.empty(len(pts), dtype=np.int64)
    for s in range(0, len(pts), chunk):
        q = pts[s:s + chunk]
        w = q[:, None, :] - p0[None]
        t = np.clip((w * e[None]).sum(2) / ee[None], 0, 1)
        c = p0[None] + t[..., None] * e[None]
        dd = np.hypot(q[:, None, 0] - c[..., 0], q[:, None, 1] - c[..., 1])
        idx[s:s + chunk] = np.argmin(dd, axis=1)
        dist[s:s + chunk] = dd[np.arange(len(q)), idx[s:s + chunk]]
    return dist, idx


def region_errors(pts2: np.ndarray, h: float, segs, labels, corners, radius_h: float = 3.0):
    """Max and mean distance (in h) per region; a point within radius_h·h of a corner
    belongs to that corner's region."""
    dist, idx = distances(pts2, segs)
    lab = labels[idx].astype(object)
    for x, z, name in corners:
        near = np.hypot(pts2[:, 0] - x, pts2[:, 1] - z) < radius_h * h
        lab[near] = name
    out = {}
    for name in sorted(set(lab)):
        m = lab == name
        out[name] = {"max_h": float(dist[m].max() / h), "mean_h": float(dist[m].mean() / h),
                     "n": int(m.sum())}
    out["all"] = {"max_h": float(dist.max() / h), "mean_h": float(dist.mean() / h),
                  "n": int(len(dist))}
    return out


def run_case(dim: int, h: float, scheme: str, *, f: float, theta_deg: float, a: float,
             cut_below: float, mask_t: float, R: float, T: float, L: float,
             cfl: float = 0.4, band=None) -> dict:
    """One etch against the exact profile (``cfl``, ``band``: advance's numerics, for
    bench_numerics_accuracy.py's variants)."""
    th = math.radians(theta_deg)
    if dim == 2:
        g = Grid(dimension=2, spacing=h, extent=(L,))
        geo = B.cut_feature(B.layer_stack(g, "Si", [("Mask", mask_t)]), "trench", width=2 * a,
                            depth=mask_t + cut_below)
        direction = (math.sin(th), -math.cos(th))
    else:
        g = Grid(dimension=3, spacing=h, extent=(L, L))
        geo = B.cut_feature(B.layer_stack(g, "Si", [("Mask", mask_t)]), "hole", radius=a,
                            depth=mask_t + cut_below)
        direction = (math.sin(th), 0.0, -math.cos(th))
    model = DirectionalVelocity(layer_speed=np.array([-R, 0.0]), direction=direction,
                                isotropic_fraction=f)
    c0 = time.process_time()
    out, steps = advance(geo, model, T, CTX, kind="etch", scheme=scheme, cfl=cfl,
                         **({} if band is None else {"band": band}))
    cpu = time.process_time() - c0
    pts = extract_surface(out).points
    if dim == 2:
        p2 = pts
    elif theta_deg == 0:
        p2 = np.column_stack([np.hypot(pts[:, 0], pts[:, 1]), pts[:, 2]])
    else:
        # the node plane nearest y = 0 is y = h/2: the slice there (half-width √(a² − h²/4))
        sl = np.abs(np.abs(pts[:, 1]) - 0.5 * h) < 1e-6 * h
        p2 = pts[sl][:, [0, 2]]
        a = math.sqrt(a * a - 0.25 * h * h)
    if dim == 3 and theta_deg == 0:
        # (r, z): the right half of the 2D answer; points near the axis have no meaning
        segs, labels, corners, _ = exact_profile(a, -cut_below, mask_t, R, T, f, th, 2 * L)
        right = segs[:, :, 0].max(axis=1) > 1e-12        # clipped to r >= 0
        segs, labels = segs[right].copy(), labels[right]
        for k in range(len(segs)):
            p, q = segs[k]
            if p[0] < 0:
                segs[k, 0] = p + (0 - p[0]) / (q[0] - p[0]) * (q - p)
        corners = [c for c in corners if c[0] >= 0]
        p2 = p2[p2[:, 0] > 2 * h]
    else:
        segs, labels, corners, _ = exact_profile(a, -cut_below, mask_t, R, T, f, th, 2 * L)
    err = region_errors(p2, h, segs, labels, corners)
    # signed: flat-bottom height and the wall offset
    return {"dim": dim, "h": h, "scheme": scheme, "f": f, "theta_deg": theta_deg,
            "steps": steps, "cpu_s": cpu, "regions": err}


CASES = [dict(f=0.0, theta_deg=0.0), dict(f=0.2, theta_deg=0.0),
         dict(f=0.0, theta_deg=15.0), dict(f=0.2, theta_deg=15.0)]


VPS2D = """
import sys
import viennaps as vps
import viennaps.d2 as D
vps.Logger.setLogLevel(vps.LogLevel.ERROR)
h, f, out = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
d = D.Domain(h, 3.0, vps.BoundaryType.REFLECTIVE_BOUNDARY)
D.MakeTrench(d, 1.0, 0.2, 0.0, 0.4, 0.0, False, vps.Material.Si, vps.Material.Mask).apply()
D.Process(d, D.DirectionalProcess([0.0, -1.0, 0.0], -(1.0 - f), -f, vps.Material.Mask), 0.5).apply()
d.saveSurfaceMesh(out)
"""


def vtp_points(path: str) -> np.ndarray:
    """The Points array of a VTK XML PolyData file (zlib-compressed binary, UInt32 header)."""
    import base64
    import re
    import struct
    import zlib
    txt = Path(path).read_text()
    m = re.search(r'<Points>\s*<DataArray type="(\w+)"[^>]*NumberOfComponents="(\d+)"'
                  r'[^>]*format="binary"[^>]*>\s*([^<]+)<', txt)
    assert m is not None, path
    typ, nc, b64 = m.group(1), int(m.group(2)), m.group(3).strip()
    nb = struct.unpack("<I", base64.b64decode(b64[:8])[:4])[0]
    hlen = 4 * (3 + nb)
    hchars = (hlen + 2) // 3 * 4
    head = struct.unpack(f"<{3 + nb}I", base64.b64decode(b64[:hchars])[:hlen])
    data, raw, off = base64.b64decode(b64[hchars:]), b"", 0
    for c in head[3:]:
        raw += zlib.decompress(data[off:off + c])
        off += c
    return np.frombuffer(raw, dtype={"Float32": "<f4", "Float64": "<f8"}[typ]).reshape(-1, nc)


def run_viennaps(h: float, f: float) -> dict:
    """ViennaPS on the 2D validation trench (vertical beam): region errors in h."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "run.py").write_text(VPS2D)
        subprocess.run([sys.executable, "run.py", str(h), str(f), "s.vtp"], cwd=tmp, check=True)
        p = vtp_points(str(Path(tmp) / "s.vtp"))[:, :2].astype(np.float64)
    a, rho = 0.5, f * 0.5
    buried = (np.abs(p[:, 1]) < 0.01 * h) & (np.abs(p[:, 0]) > a + rho + 0.5 * h)
    segs, labels, corners, _ = exact_profile(a, -0.2, 0.4, 1.0, 0.5, f, 0.0, 6.0)
    return {"dim": 2, "h": h, "scheme": "viennaps-eo", "f": f, "theta_deg": 0.0,
            "regions": region_errors(p[~buried], h, segs, labels, corners)}


KEYS = ("bottom", "wall", "bottom_corner", "mask_corner", "undercut")


def commit() -> str:
    c = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, text=True,
                       capture_output=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=HERE,
                           text=True, capture_output=True).stdout.strip()
    return c + ("+dirty" if dirty else "")


def render(rows: list[dict], stamp: str) -> str:
    """The markdown table: largest distance to the exact profile per region, in h."""
    out = ["# Directional beam: eo against WENO5, distance to the exact profile (issue #18)", "",
           __doc__.split("Run:")[0].strip().replace("\n", " "), "",
           f"Commit: {stamp}.  Cells: largest distance in h, WENO5 / eo; a region within "
           "3 h of a corner belongs to that corner; the CPU time of each run is in the "
           ".json (shared 2-core machine: noisy).", "",
           "| case | h | " + " | ".join(f"{k} WENO5 / eo" for k in KEYS) + " | steps |",
           "|---|---|" + "---|" * len(KEYS) + "---|"]
    by = {(r["dim"], r["f"], r["theta_deg"], r["h"], r["scheme"]): r for r in rows}
    seen = []
    for r in rows:
        k = (r["dim"], r["f"], r["theta_deg"], r["h"])
        w, e = by.get(k + ("weno5",)), by.get(k + ("eo",))
        if k in seen or not (w and e):
            continue
        seen.append(k)
        cells = []
        for key in KEYS:
            a, b = w["regions"].get(key), e["regions"].get(key)
            cells.append("—" if a is None and b is None else
                         f"{a['max_h'] if a else math.nan:.2f} / {b['max_h'] if b else math.nan:.2f}")
        beam = "vertical" if r["theta_deg"] == 0 else f"tilted {r['theta_deg']:g}°"
        out.append(f"| {r['dim']}D {beam}, f = {r['f']:g} | {r['h']:g} | " + " | ".join(cells)
                   + f" | {w['steps']} |")
    return "\n".join(out) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--dims", type=int, nargs="*", default=[2, 3])
    ap.add_argument("--out", default=str(HERE / "results" / "scheme_directional.json"))
    ap.add_argument("--render-only", action="store_true", help="only write the .md from --out")
    ap.add_argument("--viennaps", action="store_true",
                    help="also ViennaPS's first-order scheme on the 2D trench (vertical beam)")
    ap.add_argument("--stamp", default=None, help="commit to stamp (default: this checkout's)")
    a = ap.parse_args()
    md = Path(a.out).with_suffix(".md")
    if a.render_only:
        md.write_text(render(json.loads(Path(a.out).read_text()), a.stamp or commit()))
        return 0
    if a.viennaps:
        vrows = [run_viennaps(h, f) for f in (0.0, 0.2) for h in (0.05, 0.025, 0.0125)]
        for r in vrows:
            print(f"viennaps 2D f={r['f']} h={r['h']} " + " ".join(
                f"{k}={v['max_h']:.3f}" for k, v in r["regions"].items()), flush=True)
        vp = Path(a.out).with_name("scheme_directional_viennaps.json")
        vp.write_text(json.dumps(vrows, indent=1))
        return 0
    rows = []
    geo2 = dict(a=0.5, cut_below=0.2, mask_t=0.4, R=1.0, T=0.5, L=3.0)     # validation's trench
    geo3 = dict(a=0.32, cut_below=0.0, mask_t=0.3, R=1.0, T=0.5, L=1.28)   # bench_scale's hole
    for dim in a.dims:
        hs = ((0.05, 0.025) if a.quick else (0.05, 0.025, 0.0125)) if dim == 2 else \
            ((0.04,) if a.quick else (0.04, 0.02))
        for case in CASES:
            for h in hs:
                for scheme in ("weno5", "eo"):
                    r = run_case(dim, h, scheme, **case, **(geo2 if dim == 2 else geo3))
                    rows.append(r)
                    reg = r["regions"]
                    print(f"{dim}D f={case['f']} th={case['theta_deg']} h={h} {scheme:5s} "
                          f"steps={r['steps']} cpu={r['cpu_s']:.1f} " +
                          " ".join(f"{k}={v['max_h']:.3f}" for k, v in reg.items()), flush=True)
                    Path(a.out).write_text(json.dumps(rows, indent=1))
    md.write_text(render(rows, a.stamp or commit()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
