"""Numba kernels of the Monte Carlo flux engine (private).

Rays are split into fixed chunks; chunk ``k`` draws from its own xoshiro256** stream
seeded with ``seeds[k]`` and tallies into row ``k`` of the output arrays, so results do
not depend on the thread count.  Geometry is binned into a uniform grid of cells (CSR
lists); rays walk the cells with the 3D-DDA of Amanatides & Woo (Eurographics 1987),
in 3D skipping runs of empty cells (``_cast3d``).

Event codes returned by the casts: HIT, SIDE_LO/SIDE_HI (left the lateral domain through
the low/high face of axis ``axis``), TOP (lost upwards), BOTTOM (transmitted).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ._cast3d import cast3d as _cast3d
from ._ion_kernels import reflected_energy_th, score_yields, table_at
from ._rng import _seed_state, _uniform, owen_vdc, shuffled
from ._strata import cell_point, grid_shape, launch_plan, source_cos_at

__all__ = ["bin_elements", "side_exit", "trace2d", "trace3d"]

HIT, SIDE_LO, SIDE_HI, TOP, BOTTOM = 0, 1, 2, 3, 4
_BARY_TOL = 1e-9
_SLACK = 1.0 + 1e-9  # a hit this close to a cell exit belongs to the cell (walls on the domain edge)


# --------------------------------------------------------------------------- binning
@njit(cache=True, error_model="numpy")
def _overlaps(tri, cx, cy, cz, hx, hy, hz):
    """Separating-axis test of a segment (2 vertices, z = 0) or triangle against the box
    centre c, half-size h (Akenine-Möller, J. Graphics Tools 6(1), 2001)."""
    nv = tri.shape[0]
    ax0, ay0, az0 = tri[0, 0] - cx, tri[0, 1] - cy, tri[0, 2] - cz
    ax1, ay1, az1 = tri[1, 0] - cx, tri[1, 1] - cy, tri[1, 2] - cz
    if nv == 2:
        nx, ny = -(ay1 - ay0), ax1 - ax0
        return abs(nx * ax0 + ny * ay0) <= hx * abs(nx) + hy * abs(ny)
    ax2, ay2, az2 = tri[2, 0] - cx, tri[2, 1] - cy, tri[2, 2] - cz
    vx = (ax0, ax1, ax2)
    vy = (ay0, ay1, ay2)
    vz = (az0, az1, az2)
    for i in range(3):
        j = (i + 1) % 3
        ex, ey, ez = vx[j] - vx[i], vy[j] - vy[i], vz[j] - vz[i]
        for a in range(3):
            # axis = unit_a × e
            if a == 0:
                px, py, pz = 0.0, -ez, ey
            elif a == 1:
                px, py, pz = ez, 0.0, -ex
            else:
                px, py, pz = -ey, ex, 0.0
            p0 = px * vx[0] + py * vy[0] + pz * vz[0]
            p1 = px * vx[1] + py * vy[1] + pz * vz[1]
            p2 = px * vx[2] + py * vy[2] + pz * vz[2]
            r = hx * abs(px) + hy * abs(py) + hz * abs(pz)
            if min(p0, min(p1, p2)) > r or max(p0, max(p1, p2)) < -r:
                return False
    e0x, e0y, e0z = ax1 - ax0, ay1 - ay0, az1 - az0
    e1x, e1y, e1z = ax2 - ax1, ay2 - ay1, az2 - az1
    nx = e0y * e1z - e0z * e1y
    ny = e0z * e1x - e0x * e1z
    nz = e0x * e1y - e0y * e1x
    return abs(nx * ax0 + ny * ay0 + nz * az0) <= hx * abs(nx) + hy * abs(ny) + hz * abs(nz)


@njit(cache=True, error_model="numpy")
def bin_elements(verts, lo, h, n):
    """CSR cell lists: element e in every cell its segment/triangle overlaps.

    verts (m, nv, 3) vertex coordinates (2D: nv = 2, z = 0); lo, h (3,); n (3,) int.
    Boxes are padded by 1e-6 of a cell so that nothing on a cell face is missed.
    """
    m = verts.shape[0]
    ncell = n[0] * n[1] * n[2]
    count = np.zeros(ncell + 1, np.int64)
    rng = np.empty((m, 6), np.int64)
    pad = 1e-6
    hx, hy, hz = 0.5 * h[0] * (1 + pad), 0.5 * h[1] * (1 + pad), 0.5 * h[2] * (1 + pad)
    for e in range(m):
        for a in range(3):
            bmin = verts[e, 0, a]
            bmax = verts[e, 0, a]
            for k in range(1, verts.shape[1]):
                bmin = min(bmin, verts[e, k, a])
                bmax = max(bmax, verts[e, k, a])
            i0 = int(math.floor((bmin - lo[a]) / h[a] - pad))
            i1 = int(math.floor((bmax - lo[a]) / h[a] + pad))
            rng[e, 2 * a] = min(max(i0, 0), n[a] - 1)
            rng[e, 2 * a + 1] = min(max(i1, 0), n[a] - 1)
    for sweep in range(2):
        if sweep == 1:
            for c in range(ncell):
                count[c + 1] += count[c]
            items = np.empty(count[ncell], np.int64)
            fill = count[:ncell].copy()
        for e in range(m):
            single = (rng[e, 0] == rng[e, 1]) and (rng[e, 2] == rng[e, 3]) and (rng[e, 4] == rng[e, 5])
            for k in range(rng[e, 4], rng[e, 5] + 1):
                for j in range(rng[e, 2], rng[e, 3] + 1):
                    for i in range(rng[e, 0], rng[e, 1] + 1):
                        if not single and n[2] > 0:
                            cx = lo[0] + (i + 0.5) * h[0]
                            cy = lo[1] + (j + 0.5) * h[1]
                            cz = lo[2] + (k + 0.5) * h[2]
                            if not _overlaps(verts[e], cx, cy, cz, hx, hy, hz):
                                continue
                        c = (k * n[1] + j) * n[0] + i
                        if sweep == 0:
                            count[c + 1] += 1
                        else:
                            items[fill[c]] = e
                            fill[c] += 1
    return count, items


# --------------------------------------------------------------------------- sampling
@njit(cache=True, error_model="numpy", inline="always")
def _source_cos(s, mode, exponent, table):
    """cos θ of a source direction: cosⁿ law (mode 0) or tabulated inverse CDF of θ.
    n = 1 (the cosine source of neutrals): √(1 − ξ), the same number as (1 − ξ)^½ to the
    last bit but for pow's rare last-bit rounding, at a fraction of pow's cost."""
    return source_cos_at(_uniform(s), mode, exponent, table)


@njit(cache=True, error_model="numpy")
def _spec_prob(table, cos_in):
    """A probability or factor at incidence angle θ (table on a uniform θ grid of [0, π/2];
    one entry: a constant) — the specular probability and the sticking factor."""
    if table.shape[0] == 1:
        return table[0]
    th = math.acos(min(1.0, max(0.0, cos_in)))
    f = th / (0.5 * math.pi) * (table.shape[0] - 1)
    i = min(int(f), table.shape[0] - 2)
    return table[i] + (f - i) * (table[i + 1] - table[i])


@njit(cache=True, error_model="numpy", inline="always")
def _table_th(table, th):
    """``_spec_prob`` at the incidence angle θ = acos(clip(cos θ, 0, 1)) already computed
    by the caller (one acos per hit, shared by the tables, the lobe and the energy law)."""
    if table.shape[0] == 1:
        return table[0]
    f = th / (0.5 * math.pi) * (table.shape[0] - 1)
    i = min(int(f), table.shape[0] - 2)
    return table[i] + (f - i) * (table[i + 1] - table[i])


@njit(cache=True, error_model="numpy", inline="always")
def _needs_th(stick_tab, spec_tab, cone_min, energy_law):
    """Whether a hit needs its incidence angle θ (a tabulated factor, the coned lobe or
    the reflected-energy law): the kernels then take acos once per hit."""
    return stick_tab.shape[0] > 1 or spec_tab.shape[0] > 1 or cone_min >= 0.0 or energy_law


@njit(cache=True, error_model="numpy", inline="always")
def _about(ax, ay, az, cx, cy, cz):
    """cx·b1 + cy·b2 + cz·a with (b1, b2, a) the orthonormal basis about the unit vector a
    of Duff et al., JCGT 6(1), 2017."""
    sg = 1.0 if az >= 0.0 else -1.0
    aa = -1.0 / (sg + az)
    bb = ax * ay * aa
    return (cx * (1.0 + sg * ax * ax * aa) + cy * bb + cz * ax,
            cx * sg * bb + cy * (sg + ay * ay * aa) + cz * ay,
            -cx * sg * ax - cy * ay + cz * az)


@njit(cache=True, error_model="numpy")
def _cone(s, dx, dy, dz, n0, n1, n2, cin, cone_min):
    """Coned-cosine specular lobe (ViennaRay's ``ReflectionConedCosine``, the SF6O2 ion of
    ViennaPS): the angle ψ from the specular direction (dx, dy, dz) has density per solid
    angle ∝ cos(π ψ / 2α) on [0, α], α = π/2 − min(θ_in, cone_min), azimuth uniform; a
    direction pointing into the surface is mirrored about its plane (as ViennaRay does).
    Sampling: t = ψ/α with density 2t (t = √ξ), accepted with probability
    cos(πt/2)·sin(αt)/(αt).  cone_min < 0: the specular direction itself."""
    if cone_min < 0.0:
        return dx, dy, dz
    return _cone_th(s, dx, dy, dz, n0, n1, n2, math.acos(min(1.0, max(0.0, cin))), cone_min)


@njit(cache=True, error_model="numpy", inline="always")
def _cone_th(s, dx, dy, dz, n0, n1, n2, th, cone_min):
    """``_cone`` at the incidence angle θ = acos(clip(cin, 0, 1)) already computed by the
    caller."""
    if cone_min < 0.0:
        return dx, dy, dz
    alpha = 0.5 * math.pi - min(th, cone_min)
    if alpha <= 0.0:
        return dx, dy, dz
    psi = 0.0
    for _ in range(1000):
        t = math.sqrt(_uniform(s))
        psi = alpha * t
        acc = math.cos(0.5 * math.pi * t) * (math.sin(psi) / psi if psi > 0.0 else 1.0)
        if _uniform(s) <= acc:
            break
    r = math.sin(psi)
    ph = 2.0 * math.pi * _uniform(s)
    ex, ey, ez = _about(dx, dy, dz, r * math.cos(ph), r * math.sin(ph), math.cos(psi))
    dn = ex * n0 + ey * n1 + ez * n2
    if dn <= 0.0:
        ex -= 2.0 * dn * n0
        ey -= 2.0 * dn * n1
        ez -= 2.0 * dn * n2
    return ex, ey, ez


# --------------------------------------------------------------------------- DDA
@njit(cache=True, error_model="numpy")
def _dda_init(o, d, lo, h, n):
    return _dda_at(o, d, o, lo, h, n)


@njit(cache=True, error_model="numpy")
def _dda_at(o, d, p, lo, h, n):
    """DDA state along one axis for the ray o + t d, starting in the cell holding p."""
    i = min(max(int((p - lo) / h), 0), n - 1)
    if d > 0.0:
        return i, 1, (lo + (i + 1) * h - o) / d, h / d
    if d < 0.0:
        return i, -1, (lo + i * h - o) / d, -h / d
    return i, 0, np.inf, np.inf


# --------------------------------------------------------------------------- 2D
@njit(cache=True, error_model="numpy", inline="always")
def _cast2d(ox, oy, dx, dy, cd, glo, gh, gn, cstart, citems):
    nx, ny = gn[0], gn[1]
    ix, sx, tmx, tdx = _dda_init(ox, dx, glo[0], gh[0], nx)
    iy, sy, tmy, tdy = _dda_init(oy, dy, glo[1], gh[1], ny)
    inf = np.inf
    best = inf
    be = -1
    while True:
        c = iy * nx + ix
        for k in range(cstart[c], cstart[c + 1]):
            dn = dx * cd[k, 4] + dy * cd[k, 5]
            if dn >= 0.0:
                continue  # back face (or grazing)
            qx = cd[k, 0] - ox
            qy = cd[k, 1] - oy
            t = (qx * cd[k, 4] + qy * cd[k, 5]) / dn
            if t <= 0.0 or t >= best:
                continue
            u = (t * dx - qx) * cd[k, 2] + (t * dy - qy) * cd[k, 3]
            if u < -_BARY_TOL or u > 1.0 + _BARY_TOL:
                continue
            best = t
            be = citems[k]
        if tmx < tmy:
            if be >= 0 and best <= tmx * _SLACK:
                return be, best, HIT
            ix += sx
            if ix < 0:
                return -1, tmx, SIDE_LO
            if ix >= nx:
                return -1, tmx, SIDE_HI
            tmx += tdx
        else:
            if be >= 0 and best <= tmy * _SLACK:
                return be, best, HIT
            iy += sy
            if iy < 0:
                return -1, tmy, BOTTOM
            if iy >= ny:
                return -1, tmy, TOP
            tmy += tdy


@njit(cache=True, error_model="numpy", inline="always")
def _score(w, inc, absb, k, e, stick, mat, factor, rr_threshold, rr_weight, s):
    """A hit on element e: every species q scores its weight w[q] as incident and
    w[q]·β_q as absorbed (β_q = stick[q, mat]·factor) and keeps w[q](1 − β_q).  Russian
    roulette on the largest weight: below ``rr_threshold`` the ray survives with
    probability max w / rr_weight, all weights scaled by rr_weight / max w (unbiased for
    every species).  Returns True when the ray ends."""
    wmax = 0.0
    for q in range(w.shape[0]):
        inc[k, q, e] += w[q]
        sp = stick[q, mat] * factor
        absb[k, q, e] += w[q] * sp
        w[q] *= 1.0 - sp
        if w[q] > wmax:
            wmax = w[q]
    if wmax < rr_threshold:
        if wmax <= 0.0 or _uniform(s) * rr_weight >= wmax:
            return True
        sc = rr_weight / wmax
        for q in range(w.shape[0]):
            w[q] *= sc
    return False


@njit(cache=True, error_model="numpy", inline="always")
def _interact(w, inc, absb, ytal, k, e, mat, cin, th, energy, scored, stick, stick_tab, yA,
              ysth, yf, law, cutoff, rr_threshold, rr_weight, s):
    """A hit on element e at incidence cos θ = cin (θ: its angle where ``_needs_th``):
    yields scored (``scored``), weights scored and reduced (``_score``), then the energy
    changed by the reflection law; an ion slowed to ``cutoff`` or below stops there (its
    weight absorbed).  Returns (ray ended, energy)."""
    if scored:
        score_yields(ytal, k, e, mat, w[0], energy, cin, yA, ysth, yf)
    if _score(w, inc, absb, k, e, stick, mat, _table_th(stick_tab, th), rr_threshold,
              rr_weight, s):
        return True, energy
    if scored:
        energy = reflected_energy_th(s, energy, th, law)
        if energy <= cutoff:
            for q in range(w.shape[0]):
                absb[k, q, e] += w[q]
            return True, energy
    return False, energy


@njit(cache=True, error_model="numpy", inline="always")
def side_exit(code, a, t, ox, oy, oz, dx, dy, dz, blo, bhi, periodic):
    """A ray o + t d that left the lateral domain through face ``code`` (SIDE_LO/SIDE_HI)
    of axis ``a`` (0: x, 1: y) at distance t: re-enters on the opposite face (periodic)
    or mirrored at this face (reflective).  Returns the new (ox, oy, oz, dx, dy)."""
    ox += t * dx
    oy += t * dy
    oz += t * dz
    edge = blo[a] if code == SIDE_LO else bhi[a]
    other = bhi[a] if code == SIDE_LO else blo[a]
    if a == 0:
        if periodic:
            ox = other
        else:
            ox = edge
            dx = -dx
    elif periodic:
        oy = other
    else:
        oy = edge
        dy = -dy
    return ox, oy, oz, dx, dy


@njit(cache=True, error_model="numpy", inline="always")
def _left(code, w, k, trans, counts):
    """A ray that left the domain: lost at the top (counts[k, 0]) or transmitted through
    the bottom (its weights into trans[k, :, 0] and their squares into trans[k, :, 1];
    counts[k, 1])."""
    if code == TOP:
        counts[k, 0] += 1
        return
    for q in range(w.shape[0]):
        trans[k, q, 0] += w[q]
        trans[k, q, 1] += w[q] * w[q]
    counts[k, 1] += 1


@njit(cache=True, error_model="numpy", parallel=True)
def trace2d(cd, nrm, emat, stick, spec_tab, stick_tab, cone_min, glo, gh, gn, cstart, citems,
            xlo, xhi, periodic, y_launch, eps, src_mode, src_exp, src_tab,
            e_tab, yA, ysth, yf, law, cutoff,
            seeds, nrays, rr_threshold, rr_weight, max_events, inc, absb, trans, counts, ytal,
            strat, a_tab):
    """Trace ``nrays[k]`` rays for each chunk ``k``; tallies into row ``k``.

    strat: a stratified launch per chunk of n rays: ray r starts at x = (r + ξ)/n of the
    width; its in-plane direction comes from one number, the scrambled radical inverse
    of r (``_rng.owen_vdc``; the cosine source: a Latin-hypercube stratum, never noisier
    than independent draws (Owen, J. R. Stat. Soc. B 59, 1997), where the net was
    noisier on the walls of shared case A),
    as the angle α of density ∝ cosⁿα (the 2D projection of the 3D cosⁿ law: n = 1,
    sin α uniform in [−1, 1]; else the inverse-CDF table ``a_tab``); its energy from a
    Latin-hypercube stratum (McKay, Beckman & Conover, Technometrics 21, 1979).
    Each chunk stays an unbiased estimate, independent of the others (batch means hold).

    cd (items, 6): per cell-list entry the segment start p0, e/|e|² (e = p1 − p0) and the
    unit normal into vacuum, packed in cell order for memory locality; citems: the element
    id of each entry.  Hit: plane t = (p0 − o)·n / (d·n), then u = (o + t d − p0)·e/|e|².

    stick_tab: sticking factor against incidence angle (uniform θ grid of [0, π/2], or one
    entry): the sticking at a hit is stick[material] · factor(θ_in).  cone_min ≥ 0: the
    specular re-emission is spread over a cone (``_cone``).
    Species that differ only in their sticking share the rays (``stick`` (S, materials)):
    each ray carries one weight per species, so their paths are traced once.
    Yield channels (``yA`` (C, materials) etc., C > 0; one species): each ray gets an
    energy from the IEDF table ``e_tab``, every hit adds w·A(√E − √E_th)·f(cos θ) to
    ``ytal`` (K, C, m), each re-emission changes the energy by ``law``, and an ion at or
    below ``cutoff`` stops (``_ion_kernels``).
    inc/absb (K, S, m): incident / absorbed weight per element; trans (K, S, 2): Σw, Σw²
    of transmitted rays; counts (K, 3): rays lost at the top, transmitted, dropped.
    """
    K = seeds.shape[0]
    width = xhi - xlo
    for k in prange(K):
        s = np.empty(4, np.uint64)
        _seed_state(seeds[k], s)
        w = np.empty(stick.shape[0])              # one weight per species of the group
        scored = yA.shape[0] > 0
        need_th = _needs_th(stick_tab, spec_tab, cone_min, scored and law.shape[0] > 0)
        n_k = nrays[k]
        lambert = src_mode == 0 and src_exp == 1.0
        if strat:
            scramble = np.uint64(_uniform(s) * 4294967296.0)
            pe = shuffled(s, n_k)
            pa = shuffled(s, n_k) if lambert else pe
        else:
            scramble = np.uint64(0)
            pe = pa = np.zeros(0, np.int64)
        inv_n = 1.0 / max(n_k, 1)
        for _r in range(n_k):
            oy = y_launch
            if strat:
                ox = xlo + (_r + _uniform(s)) * inv_n * width
                ua = (pa[_r] + _uniform(s)) * inv_n if lambert else owen_vdc(_r, scramble, s)
                ue = (pe[_r] + _uniform(s)) * inv_n
                if src_mode == 0:           # the in-plane angle α, density ∝ cosⁿ α
                    if lambert:
                        sa = 2.0 * ua - 1.0
                    else:
                        sa = math.sin(table_at(a_tab, ua))
                    dx, dy = sa, -math.sqrt(max(0.0, 1.0 - sa * sa))
                else:                       # tabulated θ: (θ, φ) from (ua, ue)
                    ct = source_cos_at(ua, src_mode, src_exp, src_tab)
                    dx = math.sqrt(max(0.0, 1.0 - ct * ct)) * math.cos(2.0 * math.pi * ue)
                    dy = -ct
                    ue = _uniform(s)
                energy = table_at(e_tab, ue) if scored else 0.0
            else:
                ox = xlo + _uniform(s) * width
                # 3D direction about -y, projected onto the (x, y) plane
                ct = _source_cos(s, src_mode, src_exp, src_tab)
                st = math.sqrt(max(0.0, 1.0 - ct * ct))
                ph = 2.0 * math.pi * _uniform(s)
                energy = table_at(e_tab, _uniform(s)) if scored else 0.0
                dx = st * math.cos(ph)
                dy = -ct
            nn = math.sqrt(dx * dx + dy * dy)
            if nn == 0.0:
                dx, dy = 0.0, -1.0
            else:
                dx /= nn
                dy /= nn
            w[:] = 1.0
            done = False
            for _ev in range(max_events):
                e, t, code = _cast2d(ox, oy, dx, dy, cd, glo, gh, gn, cstart, citems)
                if code == HIT:
                    n0 = nrm[e, 0]
                    n1 = nrm[e, 1]
                    hx = ox + t * dx
                    hy = oy + t * dy
                    cin = -(dx * n0 + dy * n1)
                    th = math.acos(min(1.0, max(0.0, cin))) if need_th else 0.0
                    ended, energy = _interact(w, inc, absb, ytal, k, e, emat[e], cin, th,
                                              energy, scored, stick, stick_tab, yA, ysth, yf,
                                              law, cutoff, rr_threshold, rr_weight, s)
                    if ended:
                        done = True
                        break
                    if _uniform(s) < _table_th(spec_tab, th):
                        dx += 2.0 * cin * n0
                        dy += 2.0 * cin * n1
                        if cone_min >= 0.0:          # in-plane projection of the 3D lobe
                            nn = math.sqrt(dx * dx + dy * dy)
                            dx, dy, dz2 = _cone_th(s, dx / nn, dy / nn, 0.0, n0, n1, 0.0,
                                                   th, cone_min)
                    else:
                        # projected cosine law: sin φ uniform in [-1, 1]
                        sphi = 2.0 * _uniform(s) - 1.0
                        cphi = math.sqrt(max(0.0, 1.0 - sphi * sphi))
                        dx = cphi * n0 - sphi * n1
                        dy = cphi * n1 + sphi * n0
                    nn = math.sqrt(dx * dx + dy * dy)
                    dx /= nn
                    dy /= nn
                    ox = hx + eps * n0
                    oy = hy + eps * n1
                elif code == SIDE_LO or code == SIDE_HI:
                    ox, oy, _, dx, _ = side_exit(code, 0, t, ox, oy, 0.0, dx, dy, 0.0, (xlo,),
                                                 (xhi,), periodic)
                else:                                    # TOP or BOTTOM
                    _left(code, w, k, trans, counts)
                    done = True
                    break
            if not done:
                counts[k, 2] += 1


# --------------------------------------------------------------------------- 3D
@njit(cache=True, error_model="numpy", parallel=True)
def trace3d(cd, nrm, emat, stick, spec_tab, stick_tab, cone_min, glo, gh, gn, cstart, citems,
            blo, bhi, periodic, z_launch, ztop, skip, eps, src_mode, src_exp, src_tab,
            e_tab, yA, ysth, yf, law, cutoff,
            seeds, nrays, rr_threshold, rr_weight, max_events, inc, absb, trans, counts, ytal,
            strat):
    """3D counterpart of :func:`trace2d`; cd (items, 12) = v0, A, B, n with A = (e2 × g)/|g|²,
    B = (g × e1)/|g|², g = e1 × e2: a point P in the plane has barycentrics
    u = (P − v0)·A, v = (P − v0)·B; ``skip`` the empty layers per cell of the cast's
    empty-space skipping (``_cast3d``); strat: the stratified launch of ``_strata``, else
    independent draws (the launch before session 13, draw for draw); ztop: the highest
    vertex z — a ray above it heading up leaves by the top without a cast (nothing lies
    above ztop, the side exits keep dz; the same exit and tallies as the cast's)."""
    for k in prange(seeds.shape[0]):
        _chunk3d(k, cd, nrm, emat, stick, spec_tab, stick_tab, cone_min, glo, gh, gn, cstart,
                 citems, blo, bhi, periodic, z_launch, ztop, skip, eps, src_mode, src_exp, src_tab,
                 e_tab, yA, ysth, yf, law, cutoff, seeds, nrays, rr_threshold, rr_weight,
                 max_events, inc, absb, trans, counts, ytal, strat)


@njit(cache=True, error_model="numpy")
def _chunk3d(k, cd, nrm, emat, stick, spec_tab, stick_tab, cone_min, glo, gh, gn, cstart, citems,
             blo, bhi, periodic, z_launch, ztop, skip, eps, src_mode, src_exp, src_tab,
             e_tab, yA, ysth, yf, law, cutoff,
             seeds, nrays, rr_threshold, rr_weight, max_events, inc, absb, trans, counts, ytal,
             strat):
    """The rays of chunk k (the body of :func:`trace3d`'s parallel loop: a small parallel
    region compiles fast while the cast is inlined here)."""
    s = np.empty(4, np.uint64)
    _seed_state(seeds[k], s)
    w = np.empty(stick.shape[0])              # one weight per species of the group
    scored = yA.shape[0] > 0
    need_th = _needs_th(stick_tab, spec_tab, cone_min, scored and law.shape[0] > 0)
    lx, ly = bhi[0] - blo[0], bhi[1] - blo[1]
    pl = launch_plan(nrays, k, lx, ly)               # stratified launch (``_strata``)
    nx, ny, M, P, c, j = pl[0], pl[1], pl[2], pl[3], pl[4], pl[5]
    n = nrays[k]
    mt, mp = grid_shape(n, 1.0, 1.0)
    dperm = shuffled(s, n if strat else 0)
    eperm = shuffled(s, n if scored and strat else 0)
    for r in range(n):
        if strat:
            px, py = cell_point(s, c if j < M else -1, nx, ny)
            xt, xp = cell_point(s, dperm[r] if dperm[r] < mt * mp else -1, mt, mp)
            ct = source_cos_at(xt, src_mode, src_exp, src_tab)
        else:                                        # independent: the pre-session-13 draws
            px, py = _uniform(s), _uniform(s)
            ct = _source_cos(s, src_mode, src_exp, src_tab)
            xp = _uniform(s)
        ox, oy, oz = blo[0] + px * lx, blo[1] + py * ly, z_launch
        st = math.sqrt(max(0.0, 1.0 - ct * ct))
        ph = 2.0 * math.pi * xp
        xe = ((eperm[r] + _uniform(s)) / n if strat else _uniform(s)) if scored else 0.0
        energy = table_at(e_tab, xe) if scored else 0.0
        j += 1
        c = c + P - M if c + P >= M else c + P
        dx, dy, dz = st * math.cos(ph), st * math.sin(ph), -ct
        w[:] = 1.0
        done = False
        for _ev in range(max_events):
            if dz > 0.0 and oz > ztop:               # above every element, heading up
                _left(TOP, w, k, trans, counts)
                done = True
                break
            e, t, code, a = _cast3d(ox, oy, oz, dx, dy, dz, cd, glo, gh, gn,
                                    cstart, citems, blo, bhi, skip)
            if code == HIT:
                n0, n1, n2 = nrm[e, 0], nrm[e, 1], nrm[e, 2]
                hx, hy, hz = ox + t * dx, oy + t * dy, oz + t * dz
                cin = -(dx * n0 + dy * n1 + dz * n2)
                th = math.acos(min(1.0, max(0.0, cin))) if need_th else 0.0
                ended, energy = _interact(w, inc, absb, ytal, k, e, emat[e], cin, th, energy,
                                          scored, stick, stick_tab, yA, ysth, yf, law,
                                          cutoff, rr_threshold, rr_weight, s)
                if ended:
                    done = True
                    break
                if _uniform(s) < _table_th(spec_tab, th):
                    dx += 2.0 * cin * n0
                    dy += 2.0 * cin * n1
                    dz += 2.0 * cin * n2
                    nn = math.sqrt(dx * dx + dy * dy + dz * dz)
                    dx, dy, dz = dx / nn, dy / nn, dz / nn
                    dx, dy, dz = _cone_th(s, dx, dy, dz, n0, n1, n2, th, cone_min)
                else:
                    # cosine law about n
                    xi = _uniform(s)
                    sr = math.sqrt(xi)
                    ph = 2.0 * math.pi * _uniform(s)
                    dx, dy, dz = _about(n0, n1, n2, sr * math.cos(ph), sr * math.sin(ph),
                                        math.sqrt(1.0 - xi))
                ox = hx + eps * n0
                oy = hy + eps * n1
                oz = hz + eps * n2
            elif code == SIDE_LO or code == SIDE_HI:
                ox, oy, oz, dx, dy = side_exit(code, a, t, ox, oy, oz, dx, dy, dz, blo,
                                               bhi, periodic)
            else:                                    # TOP or BOTTOM
                _left(code, w, k, trans, counts)
                done = True
                break
        if not done:
            counts[k, 2] += 1

