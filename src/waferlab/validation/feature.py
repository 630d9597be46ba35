"""Feature-scale reference problems: Knudsen transport through the flux engine, exact view
factors, Coburn–Winters bottom flux, and exact level-set geometry."""
from __future__ import annotations

import math

import numpy as np

from .core import Check, ReferenceProblem, mc_tolerance, register

__all__ = ["CLAUSING_SLIT", "CLAUSING_TUBE", "clausing_checks", "slit_transmission",
           "tube_transmission", "wall_exact", "bottom_exact", "hole_exact",
           "viewfactor_trench_profiles", "viewfactor_hole_bottom", "coburn_winters"]

# Clausing transmission W (computed; Berman, J. Appl. Phys. 36, 3356 (1965), to 5 digits)
CLAUSING_SLIT = {0.5: 0.80472, 1: 0.68438, 2: 0.54206, 3: 0.45715, 5: 0.35641, 10: 0.24056,
                 20: 0.15389}
CLAUSING_TUBE = {0.5: 0.80127, 1: 0.67198, 2: 0.51423, 3: 0.42006, 4: 0.35657, 10: 0.19094,
                 20: 0.10932, 50: 0.04848}
N_SIDES = 96
TABLE_AND_FACETS = 0.005     # 5-digit table + 96-gon faceting of the tube (see tests/feature/flux)


def slit_transmission(ctx, LH: float, n_rays: int, sticking: float = 0.0) -> tuple[float, float]:
    """W and its standard error for two parallel plates of gap 1 and length L/H."""
    from ..feature.flux import Species, shapes, trace_fluxes

    s = shapes.slit(1.0, float(LH), n_wall=int(max(10, 2 * LH)))
    f = trace_fluxes(s, [Species(name="n", sticking=sticking)], ctx, n_rays=n_rays)["n"]
    return f.transmitted, f.transmitted_stderr


def tube_transmission(ctx, LR: float, n_rays: int, wall_sticking: float = 0.0) -> tuple[float, float]:
    """W and its standard error for a 96-gon tube of apothem 1 and length L/R (the launch
    plane covers the cap too, so W is rescaled by cap area / mouth area)."""
    from ..feature.flux import Species, shapes, trace_fluxes

    s = shapes.tube(1.0, float(LR), n_sides=N_SIDES)
    sp = Species(name="n", sticking={"top": 1.0, "wall": wall_sticking, "bottom": 1.0})
    f = trace_fluxes(s, [sp], ctx, n_rays=n_rays)["n"]
    lat = np.asarray(s.lateral_bounds)
    fac = np.prod(lat[:, 1] - lat[:, 0]) / shapes.polygon_area(1.0, N_SIDES)
    return f.transmitted * fac, f.transmitted_stderr * fac


def clausing_checks(ctx, kind: str, table: dict, n_rays: int) -> list[Check]:
    """One check per table entry: |W − W_ref| <= 3σ + 0.5 % W_ref."""
    fn = slit_transmission if kind == "slit" else tube_transmission
    out = []
    for ratio, ref in table.items():
        W, sig = fn(ctx, ratio, n_rays)
        tol, basis = mc_tolerance(sig, ref, systematic=TABLE_AND_FACETS)
        label = "L/H" if kind == "slit" else "L/R"
        out.append(Check(quantity=f"W {kind} {label}={ratio:g}", measured=W, reference=ref,
                         tolerance=tol, basis=basis))
    return out


def _run_slit(ctx, quick):
    table = {k: CLAUSING_SLIT[k] for k in (1, 5, 20)} if quick else CLAUSING_SLIT
    return clausing_checks(ctx, "slit", table, 200_000 if quick else 2_000_000)


def _run_tube(ctx, quick):
    table = {k: CLAUSING_TUBE[k] for k in (1, 4, 20)} if quick else CLAUSING_TUBE
    return clausing_checks(ctx, "tube", table, 100_000 if quick else 1_000_000)


register(ReferenceProblem(
    name="clausing_slit", scale="feature",
    source="P. Clausing, Ann. Phys. (Leipzig) 12, 961 (1932); A. S. Berman, J. Appl. Phys. 36, 3356 (1965)",
    description="2D flux engine: diffuse non-sticking parallel plates, transmission W vs L/H",
    run=_run_slit))
register(ReferenceProblem(
    name="clausing_tube", scale="feature",
    source="P. Clausing, Ann. Phys. (Leipzig) 12, 961 (1932); A. S. Berman, J. Appl. Phys. 36, 3356 (1965)",
    description="3D flux engine: diffuse non-sticking 96-gon tube, transmission W vs L/R",
    run=_run_tube))


# ---- unit sticking, no re-emission: exact view factors (Lieberman & Lichtenberg 2005, ch. 16)

def _wall_integral(y, w):
    """∫ ½(1 − y/√(y² + w²)) dy."""
    return 0.5 * (y - np.sqrt(y * y + w * w))


def _bottom_integral(x, w, d):
    """∫ ½[x/√(x² + d²) + (w − x)/√((w − x)² + d²)] dx."""
    return 0.5 * (np.sqrt(x * x + d * d) - np.sqrt((w - x) ** 2 + d * d))


def hole_exact(r, R, d):
    """View factor of the mouth disk from a floor point at radius r (R²/(R² + d²) at r = 0)."""
    return 0.5 * (1 - (d * d + r * r - R * R) / np.sqrt((d * d + r * r + R * R) ** 2 - 4 * r * r * R * R))


# degree-4 six-point triangle rule (Dunavant, Int. J. Numer. Meth. Eng. 21, 1129, 1985)
_A1, _B1, _A2, _B2 = 0.816847572980459, 0.091576213509771, 0.108103018168070, 0.445948490915965
_BARY = np.array([[_A1, _B1, _B1], [_B1, _A1, _B1], [_B1, _B1, _A1],
                  [_A2, _B2, _B2], [_B2, _A2, _B2], [_B2, _B2, _A2]])
_WTS = np.array([0.109951743655322] * 3 + [0.223381589678011] * 3)


_G8 = np.polynomial.legendre.leggauss(8)


def _segment_mean(fun, a, b):
    """Mean of ``fun`` over each segment [a, b] (8-point Gauss–Legendre)."""
    x = 0.5 * (a + b)[:, None] + 0.5 * (b - a)[:, None] * _G8[0][None, :]
    return (fun(x) * _G8[1]).sum(1) / 2


def wall_exact(y, w):
    """Trench sidewall Γ/Γ0 at depth y, s = 1: ½(1 − y/√(y² + w²))."""
    return 0.5 * (1 - y / np.sqrt(y * y + w * w))


def bottom_exact(x, w, d):
    """Trench bottom Γ/Γ0 at x, s = 1: ½[x/√(x² + d²) + (w − x)/√((w − x)² + d²)]."""
    return 0.5 * (x / np.sqrt(x * x + d * d) + (w - x) / np.sqrt((w - x) ** 2 + d * d))


def viewfactor_trench_profiles(ctx, n_rays: int, w: float = 1.0, d: float = 2.0):
    """Per element of a w × d trench (elements w/40), unit sticking, no re-emission:
    [(incident, σ, exact element mean, absorbed)] for the left wall, right wall, bottom."""
    from ..feature.flux import Species, shapes, trace_fluxes

    s = shapes.trench(w, d, h=w / 40)
    f = trace_fluxes(s, [Species(name="n", sticking=1.0)], ctx, n_rays=n_rays)["n"]
    p = s.points[s.elements]
    c = s.centroids
    left = (s.materials == 1) & (c[:, 0] < 0.5 * w)
    right = (s.materials == 1) & (c[:, 0] > 0.5 * w)
    bot = s.materials == 2
    ya, yb, xa = -p[left][:, :, 1], -p[right][:, :, 1], p[bot][:, :, 0]
    out = []
    for m, ex in ((left, _segment_mean(lambda y: wall_exact(y, w), ya.min(1), ya.max(1))),
                  (right, _segment_mean(lambda y: wall_exact(y, w), yb.min(1), yb.max(1))),
                  (bot, _segment_mean(lambda x: bottom_exact(x, w, d), xa.min(1), xa.max(1)))):
        out.append((f.incident[m], f.stderr[m], ex, f.absorbed[m]))
    return out


def viewfactor_hole_bottom(ctx, n_rays: int, R: float = 1.0, d: float = 2.0, keep: bool = False):
    """A hole of radius R and depth d (96-gon, elements 2R/40), unit sticking: (surface,
    fluxes, floor mask, exact element means of the floor, floor element radii)."""
    from ..feature.flux import Species, shapes, trace_fluxes

    s = shapes.hole(R, d, h=2 * R / 40, n_sides=96)
    f = trace_fluxes(s, [Species(name="n", sticking=1.0)], ctx, n_rays=n_rays,
                     keep_chunks=keep)["n"]
    bot = s.materials == 2
    q = np.einsum("qk,mkd->mqd", _BARY, s.points[s.elements[bot]])
    ex = (hole_exact(np.hypot(q[..., 0], q[..., 1]), R, d) * _WTS).sum(1)
    r = np.hypot(*s.centroids[bot][:, :2].T)
    return s, f, bot, ex, r


def _run_viewfactors(ctx, quick):
    from ..feature.flux import Species, shapes, trace_fluxes

    w, d = 1.0, 2.0
    n2, n3 = (300_000, 1_000_000) if quick else (4_000_000, 10_000_000)
    s = shapes.trench(w, d, h=w / 20)
    f = trace_fluxes(s, [Species(name="n", sticking=1.0)], ctx, n_rays=n2, keep_chunks=True,
                     stream=("viewfactor", "trench"))["n"]
    c = s.centroids
    out = []
    regions = [("trench sidewall Γ/Γ0, y in [0, d/2]",
                (s.materials == 1) & (c[:, 1] > -d / 2),
                (_wall_integral(d / 2, w) - _wall_integral(0.0, w)) / (d / 2)),
               ("trench sidewall Γ/Γ0, y in [d/2, d]",
                (s.materials == 1) & (c[:, 1] < -d / 2),
                (_wall_integral(d, w) - _wall_integral(d / 2, w)) / (d / 2)),
               ("trench bottom Γ/Γ0 (mean)", s.materials == 2,
                (_bottom_integral(w, w, d) - _bottom_integral(0.0, w, d)) / w)]
    for label, sel, exact in regions:
        mean, sig = f.region_mean(np.where(sel, s.areas, 0.0))
        tol, basis = mc_tolerance(sig, exact)
        out.append(Check(quantity=label, measured=mean, reference=exact, tolerance=tol, basis=basis))

    R, dh = 1.0, 2.0
    hs = shapes.hole(R, dh, h=2 * R / 20, n_sides=N_SIDES)
    fh = trace_fluxes(hs, [Species(name="n", sticking=1.0)], ctx, n_rays=n3, keep_chunks=True,
                      stream=("viewfactor", "hole"))["n"]
    bot = hs.materials == 2
    r = np.hypot(*hs.centroids[:, :2].T)
    sel = bot & (r < 0.3 * R)
    q = np.einsum("qk,mkd->mqd", _BARY, hs.points[hs.elements[sel]])
    ex_e = (hole_exact(np.hypot(q[..., 0], q[..., 1]), R, dh) * _WTS).sum(1)
    exact = float((ex_e * hs.areas[sel]).sum() / hs.areas[sel].sum())
    mean, sig = fh.region_mean(np.where(sel, hs.areas, 0.0))
    tol, basis = mc_tolerance(sig, exact)
    out.append(Check(quantity="hole bottom Γ/Γ0, r < 0.3R (≈ R²/(R²+d²) = 0.2)", measured=mean,
                     reference=exact, tolerance=tol, basis=basis))
    return out


register(ReferenceProblem(
    name="viewfactor_unit_sticking", scale="feature",
    source="M. A. Lieberman & A. J. Lichtenberg, Principles of Plasma Discharges and Materials "
           "Processing, 2nd ed., Wiley (2005), ch. 16",
    description="s = 1, no re-emission: trench sidewall/bottom and hole-bottom fluxes vs exact "
                "view factors (w = 1, d = 2; R = 1, d = 2), averaged over regions",
    run=_run_viewfactors))


# ---- Coburn & Winters: bottom flux with non-reactive walls

def coburn_winters(K: float, S: float) -> float:
    """Γ_bottom/Γ_top = K/[K + S(1 − K)] (Coburn & Winters, Appl. Phys. Lett. 55, 2730, 1989)."""
    return K / (K + S * (1 - K))


CW_MODEL = 0.02      # the formula assumes a cosine, uniform return flux from the bottom


def _run_coburn_winters(ctx, quick):
    from ..feature.flux import Species, shapes, trace_fluxes

    cases = [("trench w=1 d=5", "2d", 1.0), ("trench w=1 d=5", "2d", 0.1),
             ("hole R=1 d=4", "3d", 0.1)]
    if not quick:
        cases.append(("hole R=1 d=4", "3d", 1.0))
    out = []
    for label, dim, S in cases:
        if dim == "2d":
            surf, K, n = shapes.trench(1.0, 5.0, h=1 / 20), CLAUSING_SLIT[5], 150_000
        else:
            surf, K, n = shapes.hole(1.0, 4.0, h=0.2), CLAUSING_TUBE[4], 60_000
        n = n if quick else 10 * n
        sp = Species(name="n", sticking={"top": 1.0, "wall": 0.0, "bottom": S})
        f = trace_fluxes(surf, [sp], ctx, n_rays=n, keep_chunks=True,
                         stream=("coburn_winters", label, S))["n"]
        mean, sig = f.region_mean(np.where(surf.materials == 2, surf.areas, 0.0))
        ref = coburn_winters(K, S)
        tol, basis = mc_tolerance(sig, ref, systematic=CW_MODEL)
        out.append(Check(quantity=f"{label} S={S:g}: Γ_bottom/Γ0", measured=mean, reference=ref,
                         tolerance=tol, basis=basis))
    return out


register(ReferenceProblem(
    name="coburn_winters_ardep", scale="feature",
    source="J. W. Coburn & H. F. Winters, Appl. Phys. Lett. 55, 2730 (1989)",
    description="diffuse non-reactive walls, reaction probability S at the bottom: bottom-averaged "
                "flux vs K/[K + S(1 − K)], K from the Clausing table",
    run=_run_coburn_winters))


# ---- radiosity: uniform low sticking in a deep hole

def _run_radiosity(ctx, quick):
    from ..feature.flux import Species, shapes, trace_fluxes
    from ..feature.flux.radiosity import hole_transport

    R, d = 1.0, 8.0
    surf = shapes.hole(R, d, h=0.25, n_sides=N_SIDES)
    depth = -surf.centroids[:, 2]
    out = []
    for S in ((0.02,) if quick else (0.02, 0.1)):
        ref = hole_transport(R, d, S)
        sp = Species(name="n", sticking={"top": 1.0, "wall": S, "bottom": S})
        f = trace_fluxes(surf, [sp], ctx, n_rays=100_000 if quick else 1_000_000,
                         keep_chunks=True, stream=("radiosity", S))["n"]
        for label, region, exact in (
                ("bottom", surf.materials == 2, ref.bottom_mean()),
                ("wall at d/2 ± R/2", (surf.materials == 1) & (np.abs(depth - d / 2) < 0.5),
                 ref.wall_mean(d / 2 - 0.5, d / 2 + 0.5))):
            mean, sig = f.region_mean(np.where(region, surf.areas, 0.0))
            tol, basis = mc_tolerance(sig, exact, systematic=TABLE_AND_FACETS)
            out.append(Check(quantity=f"hole d/R=8 s={S:g}: Γ_{label}/Γ0", measured=mean,
                             reference=exact, tolerance=tol, basis=basis))
    return out


register(ReferenceProblem(
    name="radiosity_deep_hole", scale="feature",
    source="R. Siegel & J. R. Howell, Thermal Radiation Heat Transfer, 4th ed. (2002), app. C "
           "(coaxial disk view factors); radiosity solved in waferlab.feature.flux.radiosity",
    description="diffuse neutral with uniform sticking s in a d/R = 8 hole (96-gon): bottom and "
                "mid-wall fluxes vs the converged radiosity solution of the cylinder",
    run=_run_radiosity))


# ---- Osher & Sethian: exact level-set geometry

def _trench_distance(x, z, half, depth):
    """Exact distance (outside the solid) to {z < 0} minus {|x| < half, z > −depth}."""
    def box(xlo, xhi, zlo, zhi):
        dx = np.maximum(np.maximum(xlo - x, 0), x - xhi)
        dz = np.maximum(np.maximum(zlo - z, 0), z - zhi)
        return np.hypot(dx, dz)
    big = 1e3
    return np.minimum(np.minimum(box(-big, -half, -big, 0), box(half, big, -big, 0)),
                      box(-big, big, -big, -depth))


def _run_offset(ctx, quick):
    from ..feature import builders as B
    from ..feature.advect import advance
    from ..feature.extract import extract_surface
    from ..feature.grid import Grid
    from ..feature.models_basic import IsotropicVelocity

    h = 0.05 if quick else 0.02
    g = Grid(dimension=2, spacing=h, extent=(4.0,))
    geo = B.cut_feature(B.plane(g, "Si"), "trench", width=2.0, depth=1.0).with_new_top("SiO2")
    r, T = 1.0, 0.4
    out, _ = advance(geo, IsotropicVelocity(layer_speed=np.array([r, r])), T, ctx, kind="deposit")
    pts = extract_surface(out).points
    err = _trench_distance(pts[:, 0], pts[:, 1], 1.0, 1.0) - r * T
    return [Check(quantity=f"max |distance − r·t| over surface (h = {h:g})",
                  measured=float(np.abs(err).max()), reference=0.0, tolerance=0.5 * h,
                  unit="m", basis="0.5 h (Osher & Sethian; first-order interface)")]


def _run_closure(ctx, quick):
    from ..feature import builders as B
    from ..feature.advect import advance
    from ..feature.grid import Grid
    from ..feature.models_basic import IsotropicVelocity

    h = 0.05 if quick else 0.025
    g = Grid(dimension=2, spacing=h, extent=((2 * round(1.0 / h) + 1) * h,))   # a node at x = 0
    w, r = 0.6, 1.0
    geo = B.cut_feature(B.plane(g, "Si"), "trench", width=w, depth=1.0).with_new_top("SiO2")
    closed: list[float] = []

    def on_step(t, dt, gg, resumable):
        if not closed and gg.values_at(np.array([[0.0, -0.5]]))[-1, 0] <= 0:
            closed.append(t)

    advance(geo, IsotropicVelocity(layer_speed=np.array([r, r])), 0.45, ctx, kind="deposit",
            on_step=on_step)
    t_close = closed[0] if closed else math.nan
    return [Check(quantity=f"trench closure time, w = {w:g}, r = {r:g} (h = {h:g})",
                  measured=t_close, reference=w / (2 * r), tolerance=0.5 * h / r, unit="s",
                  basis="interface within 0.5 h  ->  0.5 h / r")]


_OS = "S. Osher & J. A. Sethian, J. Comput. Phys. 79, 12 (1988)"
register(ReferenceProblem(
    name="levelset_isotropic_offset", scale="feature", source=_OS,
    description="isotropic deposition into a trench (w = 2, d = 1) for r·t = 0.4: every surface "
                "point on the exact offset (corners become arcs)",
    run=_run_offset))
register(ReferenceProblem(
    name="levelset_trench_closure", scale="feature", source=_OS,
    description="isotropic deposition closes a trench of width w at t = w/(2r)",
    run=_run_closure))


def _run_directional(ctx, quick):
    from ..feature import builders as B
    from ..feature.advect import advance
    from ..feature.extract import extract_surface
    from ..feature.grid import Grid
    from ..feature.models_basic import DirectionalVelocity

    h = 0.05 if quick else 0.02
    g = Grid(dimension=2, spacing=h, extent=(3.0,))
    mask_t, w, d0 = 0.4, 1.0, 0.6
    geo = B.cut_feature(B.layer_stack(g, "Si", [("Mask", mask_t)]), "trench", width=w, depth=d0)
    R, T = 1.0, 0.5
    out, _ = advance(geo, DirectionalVelocity(layer_speed=np.array([-R, 0.0])), T, ctx, kind="etch")
    pts = extract_surface(out).points
    bottom = np.abs(pts[:, 0]) < 0.3 * w
    wall = (pts[:, 1] < -0.1) & (pts[:, 1] > mask_t - d0 - R * T + 0.1) & (pts[:, 0] > 0)
    return [
        Check(quantity=f"bottom height (h = {h:g})", measured=float(pts[bottom, 1].mean()),
              reference=mask_t - d0 - R * T, tolerance=0.5 * h, unit="m",
              basis="0.5 h"),
        Check(quantity="max |wall x − w/2|", measured=float(np.abs(pts[wall, 0] - 0.5 * w).max()),
              reference=0.0, tolerance=0.5 * h, unit="m", basis="0.5 h"),
    ]


register(ReferenceProblem(
    name="levelset_directional_etch", scale="feature", source=_OS,
    description="directional etch V = −R max(0, −n·z) of a masked trench: the flat bottom moves "
                "R·t, vertical walls and the mask stay",
    run=_run_directional))
