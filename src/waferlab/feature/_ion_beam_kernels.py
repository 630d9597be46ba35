"""Numba kernel of the ion-beam tracer (private; model ``ion_beam``).

Rays start on a plane above the surface (positions uniform over the lateral domain; in
3D stratified over it, with the energies stratified per chunk: ``flux._strata``) and
travel along a beam axis a = (sin α cos ψ, sin α sin ψ, −cos α) — tilt α, azimuth ψ
(uniform in [0, 2π) per ray for a rotating wafer) — spread by a cosⁿ law about a
(n < 0: exactly along a); a direction pointing upwards is reversed.  In 2D the 3D
direction is projected onto the (x, vertical) plane.  The geometry (cell lists, ray
casting, coned specular lobe) is the flux engine's (``flux._kernels``).

At every hit the ray (weight w, energy E) scores w into ``inc``, w·g(E)·Y(cos θ) into
``ytal`` (g = max(√E − √E_th, 0), Y tabulated on a uniform cos θ grid) and, after a
reflection, its carried sputtered amount r into ``redep``; it sticks with probability
S(θ) = 1 below θ_min, falling linearly to 0 at θ_max, and the rest is reflected into
the coned specular lobe with the reflected-energy law (``flux.ions``); on reflection
r = w·g(E)·Y(cos θ) of the reflection site (the redeposition convention of ViennaPS
``IonBeamEtching``).  A ray stops when its energy is at or below E_th and it carries
nothing to redeposit, when its weight is lost (Russian roulette), or when it leaves.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ._kernels import _derivatives
from .flux._ion_kernels import reflected_energy_th, table_at
from .flux._kernels import (HIT, SIDE_HI, SIDE_LO, TOP, _about, _cast2d, _cast3d, _cone_th,
                            side_exit)
from .flux._rng import _seed_state, _uniform, owen_vdc, shuffled
from .flux._strata import cell_point, launch_plan

__all__: list[str] = []


@njit(cache=True, error_model="numpy", inline="always")
def _beam_direction(s, p, sa, ca, inv_n1):
    """One source direction (3D): p = (tilt, azimuth, rotating, exponent); sa, ca = sin,
    cos of the tilt and inv_n1 = 1/(n + 1), computed once per chunk by the caller."""
    u_psi = _uniform(s) if p[2] > 0.0 else 0.0
    if p[3] < 0.0:
        return _beam_direction_u(u_psi, 0.0, 0.0, p, sa, ca, inv_n1)
    u_ct = _uniform(s)
    return _beam_direction_u(u_psi, u_ct, _uniform(s), p, sa, ca, inv_n1)


@njit(cache=True, error_model="numpy", inline="always")
def _beam_direction_u(u_psi, u_ct, u_ph, p, sa, ca, inv_n1):
    """``_beam_direction`` from its uniform numbers (azimuth of a rotating beam, cos θ
    and φ of the spread; stratified ones in a stratified launch)."""
    psi = 2.0 * math.pi * u_psi if p[2] > 0.0 else p[1]
    ax, ay, az = sa * math.cos(psi), sa * math.sin(psi), -ca
    if p[3] < 0.0:
        return ax, ay, az
    ct = (1.0 - u_ct) ** inv_n1
    st = math.sqrt(max(0.0, 1.0 - ct * ct))
    ph = 2.0 * math.pi * u_ph
    dx, dy, dz = _about(ax, ay, az, st * math.cos(ph), st * math.sin(ph), ct)
    if dz >= 0.0:
        dx, dy, dz = -dx, -dy, -dz
    return dx, dy, dz


@njit(cache=True, error_model="numpy", inline="always")
def _yield(ytab, cin):
    return table_at(ytab, min(max(cin, 0.0), 1.0))


@njit(cache=True, error_model="numpy", inline="always")
def _sticking(th, th_min, th_max):
    """S(θ) at θ = acos(clip(cos θ, 0, 1)) (the caller's one acos per hit)."""
    if th <= th_min:
        return 1.0
    if th >= th_max:
        return 0.0
    return 1.0 - (th - th_min) / (th_max - th_min)


@njit(cache=True, error_model="numpy", parallel=True)
def trace_beam(dim, cd, nrm, glo, gh, gn, cstart, citems, skip, blo, bhi, periodic, z_launch,
               eps, beam, e_tab, sqrt_eth, ytab, refl, law, seeds, nrays, max_events,
               inc, ytal, redep, counts, strat, a_tab):
    """Trace ``nrays[k]`` beam rays per chunk k; tallies (K, m) in inc, ytal, redep.

    strat (2D only): the stratified launch of ``flux._kernels.trace2d`` — position by ray
    index, the spread's number by ``_rng.owen_vdc``, azimuth and energy numbers in
    Latin-hypercube strata per chunk; a_tab
    the in-plane inverse CDF of the cosⁿ spread (``inplane_inverse_cdf``; zeros(2): none).

    beam = (tilt, azimuth, rotating, exponent); refl = (θ_min, θ_max, cone, redeposit,
    redeposition threshold); skip the empty layers per cell of the 3D cast
    (``FluxTracer.skip``); e_tab the inverse CDF of the energy; law the reflected-energy
    parameters; counts (K, 2): rays lost at the top, rays dropped.
    """
    for k in prange(seeds.shape[0]):
        _beam_chunk(k, dim, cd, nrm, glo, gh, gn, cstart, citems, skip, blo, bhi, periodic, z_launch,
                   eps, beam, e_tab, sqrt_eth, ytab, refl, law, seeds, nrays, max_events,
                   inc, ytal, redep, counts, strat and dim == 2, a_tab)


@njit(cache=True, error_model="numpy")
def _beam_chunk(k, dim, cd, nrm, glo, gh, gn, cstart, citems, skip, blo, bhi, periodic, z_launch,
                eps, beam, e_tab, sqrt_eth, ytab, refl, law, seeds, nrays, max_events,
                inc, ytal, redep, counts, strat, a_tab):
    """The rays of chunk k (the body of :func:`trace_beam`'s parallel loop: a small
    parallel region compiles fast while the cast is inlined here)."""
    s = np.empty(4, np.uint64)
    _seed_state(seeds[k], s)
    sa, ca, inv_n1 = math.sin(beam[0]), math.cos(beam[0]), 1.0 / (beam[3] + 1.0)
    n_k = nrays[k]
    if strat:
        scramble = np.uint64(_uniform(s) * 4294967296.0)
        p_psi, p_ph, p_e = shuffled(s, n_k), shuffled(s, n_k), shuffled(s, n_k)
    else:
        scramble = np.uint64(0)
        p_psi = p_ph = p_e = np.zeros(0, np.int64)
    inv_n = 1.0 / max(n_k, 1)
    # a fixed azimuth in the (x, z) plane: the 2D direction is the tilt plus the in-plane
    # angle of the cosⁿ lobe (the lobe about an axis in the plane projects like one about
    # the vertical, ``flux.sources.inplane_inverse_cdf``)
    cps = math.cos(beam[1])
    in_plane = a_tab.shape[0] > 1 and beam[2] <= 0.0 and abs(abs(cps) - 1.0) < 1e-12
    tilt_s = beam[0] if cps > 0.0 else -beam[0]
    lx = bhi[0] - blo[0]
    ly = bhi[1] - blo[1] if dim == 3 else lx
    pl = launch_plan(nrays, k, lx, ly)  # 3D: stratified (``flux._strata``)
    eperm = shuffled(s, n_k if dim == 3 else 0)             # 2D: no draws
    for _r in range(n_k):
        oz = z_launch
        if strat:
            ox = blo[0] + (_r + _uniform(s)) * inv_n * (bhi[0] - blo[0])
            oy = 0.0
            u_ct = owen_vdc(_r, scramble, s)
            if in_plane:        # tilt (signed) + α, α of density ∝ cosⁿα (a_tab)
                al = tilt_s + (table_at(a_tab, u_ct) if beam[3] >= 0.0 else 0.0)
                dx, dy, dz = math.sin(al), 0.0, -math.cos(al)
                if dz >= 0.0:
                    dx, dz = -dx, -dz
            else:
                u_psi = (p_psi[_r] + _uniform(s)) * inv_n
                dx, dy, dz = _beam_direction_u(u_psi, u_ct, (p_ph[_r] + _uniform(s)) * inv_n,
                                               beam, sa, ca, inv_n1)
            energy = table_at(e_tab, (p_e[_r] + _uniform(s)) * inv_n)
        elif dim == 3:                  # position cell pl[4] (global ray pl[5]), energy stratum
            px, py = cell_point(s, pl[4] if pl[5] < pl[2] else -1, pl[0], pl[1])
            ox, oy = blo[0] + px * lx, blo[1] + py * ly
            pl[5] += 1
            pl[4] = pl[4] + pl[3] - pl[2] if pl[4] + pl[3] >= pl[2] else pl[4] + pl[3]
            dx, dy, dz = _beam_direction(s, beam, sa, ca, inv_n1)
            energy = table_at(e_tab, (eperm[_r] + _uniform(s)) / n_k)
        else:                           # 2D, launch="uniform": independent draws
            ox, oy = blo[0] + _uniform(s) * (bhi[0] - blo[0]), 0.0
            dx, dy, dz = _beam_direction(s, beam, sa, ca, inv_n1)
            energy = table_at(e_tab, _uniform(s))
        if dim == 2:
            nn = math.sqrt(dx * dx + dz * dz)
            dx, dy, dz = dx / nn, 0.0, dz / nn
        w = 1.0
        carried = 0.0
        done = False
        for _ev in range(max_events):
            if dim == 2:
                e, t, code = _cast2d(ox, oz, dx, dz, cd, glo, gh, gn, cstart, citems)
                a = 0
            else:
                e, t, code, a = _cast3d(ox, oy, oz, dx, dy, dz, cd, glo, gh, gn,
                                        cstart, citems, blo, bhi, skip)
            if code == HIT:
                n0, n1, n2 = nrm[e, 0], (nrm[e, 1] if dim == 3 else 0.0), nrm[e, dim - 1]
                hx, hy, hz = ox + t * dx, oy + t * dy, oz + t * dz
                cin = -(dx * n0 + dy * n1 + dz * n2)
                th = math.acos(min(1.0, max(0.0, cin)))   # shared by S(θ), the law, the lobe
                inc[k, e] += w
                y = max(math.sqrt(max(energy, 0.0)) - sqrt_eth, 0.0) * _yield(ytab, cin)
                ytal[k, e] += w * y
                if carried > 0.0:
                    redep[k, e] += carried
                carried = w * y if refl[3] > 0.0 else 0.0
                w *= 1.0 - _sticking(th, refl[0], refl[1])
                if w <= 0.0 and carried <= refl[4]:     # stuck, nothing to carry
                    done = True
                    break
                energy = reflected_energy_th(s, energy, th, law)
                if energy <= sqrt_eth * sqrt_eth and carried <= refl[4]:
                    done = True
                    break
                if w < 0.1 and carried <= refl[4]:      # Russian roulette (unbiased)
                    if w <= 0.0 or _uniform(s) * 0.3 >= w:
                        done = True
                        break
                    w = 0.3
                dx += 2.0 * cin * n0
                dy += 2.0 * cin * n1
                dz += 2.0 * cin * n2
                nn = math.sqrt(dx * dx + dy * dy + dz * dz)
                dx, dy, dz = _cone_th(s, dx / nn, dy / nn, dz / nn, n0, n1, n2, th, refl[2])
                if dim == 2:
                    nn = math.sqrt(dx * dx + dz * dz)
                    dx, dy, dz = dx / nn, 0.0, dz / nn
                ox, oy, oz = hx + eps * n0, hy + eps * n1, hz + eps * n2
            elif code == SIDE_LO or code == SIDE_HI:
                ox, oy, oz, dx, dy = side_exit(code, a, t, ox, oy, oz, dx, dy, dz, blo,
                                               bhi, periodic)
            elif code == TOP:
                counts[k, 0] += 1
                done = True
                break
            else:
                done = True
                break
        if not done:
            counts[k, 1] += 1


@njit(cache=True, error_model="numpy")
def _follow(k, dim, cd, nrm, glo, gh, gn, cstart, citems, skip, blo, bhi, periodic, eps,
            sqrt_eth, ytab, refl, law, max_events, inc, ytal, redep, counts, s,
            ox, oy, oz, dx, dy, dz, energy):
    """Follow one ray (weight 1) from o along d with its energy: score its hits, stick,
    reflect, until it ends (the reflected rays of :func:`trace_reflected`).  The same
    event loop as :func:`_beam_chunk`'s, which keeps its own copy inline: a call per ray
    there cost the traced beam 40-60 % more CPU (measured, session 14)."""
    w = 1.0
    carried = 0.0
    done = False
    for _ev in range(max_events):
        if dim == 2:
            e, t, code = _cast2d(ox, oz, dx, dz, cd, glo, gh, gn, cstart, citems)
            a = 0
        else:
            e, t, code, a = _cast3d(ox, oy, oz, dx, dy, dz, cd, glo, gh, gn,
                                    cstart, citems, blo, bhi, skip)
        if code == HIT:
            n0, n1, n2 = nrm[e, 0], (nrm[e, 1] if dim == 3 else 0.0), nrm[e, dim - 1]
            hx, hy, hz = ox + t * dx, oy + t * dy, oz + t * dz
            cin = -(dx * n0 + dy * n1 + dz * n2)
            th = math.acos(min(1.0, max(0.0, cin)))   # shared by S(θ), the law, the lobe
            inc[k, e] += w
            y = max(math.sqrt(max(energy, 0.0)) - sqrt_eth, 0.0) * _yield(ytab, cin)
            ytal[k, e] += w * y
            if carried > 0.0:
                redep[k, e] += carried
            carried = w * y if refl[3] > 0.0 else 0.0
            w *= 1.0 - _sticking(th, refl[0], refl[1])
            if w <= 0.0 and carried <= refl[4]:     # stuck, nothing to carry
                done = True
                break
            energy = reflected_energy_th(s, energy, th, law)
            if energy <= sqrt_eth * sqrt_eth and carried <= refl[4]:
                done = True
                break
            if w < 0.1 and carried <= refl[4]:      # Russian roulette (unbiased)
                if w <= 0.0 or _uniform(s) * 0.3 >= w:
                    done = True
                    break
                w = 0.3
            dx += 2.0 * cin * n0
            dy += 2.0 * cin * n1
            dz += 2.0 * cin * n2
            nn = math.sqrt(dx * dx + dy * dy + dz * dz)
            dx, dy, dz = _cone_th(s, dx / nn, dy / nn, dz / nn, n0, n1, n2, th, refl[2])
            if dim == 2:
                nn = math.sqrt(dx * dx + dz * dz)
                dx, dy, dz = dx / nn, 0.0, dz / nn
            ox, oy, oz = hx + eps * n0, hy + eps * n1, hz + eps * n2
        elif code == SIDE_LO or code == SIDE_HI:
            ox, oy, oz, dx, dy = side_exit(code, a, t, ox, oy, oz, dx, dy, dz, blo,
                                           bhi, periodic)
        elif code == TOP:
            counts[k, 0] += 1
            done = True
            break
        else:
            done = True
            break
    if not done:
        counts[k, 1] += 1


@njit(cache=True, error_model="numpy", parallel=True)
def beam_visibility(dim, cd, glo, gh, gn, cstart, citems, skip, blo, bhi, periodic, eps,
                    pts, pn, dirs, vis):
    """vis[p, j] = 1 where the sample point pts[p] (on an element of normal pn[p]) faces
    the beam direction dirs[j] (−n·d > 0) and the ray from it towards the source, along
    −d, leaves through the top (mirrored or wrapped at the sides like a beam ray); else
    0.  A ray in the open region meets surfaces from their front side only, so the cast
    (which skips back faces, the point's own element among them) finds every shadow."""
    for p in prange(pts.shape[0]):
        n0, n1, n2 = pn[p, 0], pn[p, 1], pn[p, 2]
        for j in range(dirs.shape[0]):
            dx, dy, dz = -dirs[j, 0], -dirs[j, 1], -dirs[j, 2]
            if dx * n0 + dy * n1 + dz * n2 <= 0.0:
                vis[p, j] = 0
                continue
            ox, oy, oz = pts[p, 0] + eps * n0, pts[p, 1] + eps * n1, pts[p, 2] + eps * n2
            seen = 0
            for _ev in range(10_000):
                if dim == 2:
                    e, t, code = _cast2d(ox, oz, dx, dz, cd, glo, gh, gn, cstart, citems)
                    a = 0
                else:
                    e, t, code, a = _cast3d(ox, oy, oz, dx, dy, dz, cd, glo, gh, gn,
                                            cstart, citems, blo, bhi, skip)
                if code == TOP:
                    seen = 1
                    break
                if code == SIDE_LO or code == SIDE_HI:
                    ox, oy, oz, dx, dy = side_exit(code, a, t, ox, oy, oz, dx, dy, dz, blo,
                                                   bhi, periodic)
                    continue
                break                   # HIT (shadowed) or the bottom
            vis[p, j] = seen


@njit(cache=True, error_model="numpy", parallel=True)
def trace_reflected(dim, cd, nrm, glo, gh, gn, cstart, citems, skip, blo, bhi, periodic,
                    eps, cdf, src_pt, src_el, src_dir, e_tab, sqrt_eth, ytab, refl, law,
                    seeds, nrays, max_events, inc, ytal, redep, counts):
    """The ions that the direct (first-hit) flux reflects: ``nrays[k]`` rays per chunk k,
    each a reflection of source s — beam direction src_dir[s] on element src_el[s] at the
    point src_pt[s] — drawn stratified from the cumulative weights ``cdf`` (ending at 1);
    energy stratified from e_tab, then the reflected-energy law, the specular reflection
    and the coned lobe as in :func:`trace_beam`, and the ray is followed from there with
    weight 1 (the caller scales the tallies by the total reflected weight)."""
    for k in prange(seeds.shape[0]):
        s = np.empty(4, np.uint64)
        _seed_state(seeds[k], s)
        n_k = nrays[k]
        inv_n = 1.0 / max(n_k, 1)
        p_e = shuffled(s, n_k)
        for r in range(n_k):
            i = np.searchsorted(cdf, (r + _uniform(s)) * inv_n)
            i = min(i, cdf.shape[0] - 1)
            e = src_el[i]
            dx, dy, dz = src_dir[i, 0], src_dir[i, 1], src_dir[i, 2]
            n0, n1, n2 = nrm[e, 0], (nrm[e, 1] if dim == 3 else 0.0), nrm[e, dim - 1]
            cin = -(dx * n0 + dy * n1 + dz * n2)
            th = math.acos(min(1.0, max(0.0, cin)))
            energy = table_at(e_tab, (p_e[r] + _uniform(s)) * inv_n)
            energy = reflected_energy_th(s, energy, th, law)
            if energy <= sqrt_eth * sqrt_eth:
                continue
            dx += 2.0 * cin * n0
            dy += 2.0 * cin * n1
            dz += 2.0 * cin * n2
            nn = math.sqrt(dx * dx + dy * dy + dz * dz)
            dx, dy, dz = _cone_th(s, dx / nn, dy / nn, dz / nn, n0, n1, n2, th, refl[2])
            if dim == 2:
                nn = math.sqrt(dx * dx + dz * dz)
                dx, dy, dz = dx / nn, 0.0, dz / nn
            ox = src_pt[i, 0] + eps * n0
            oy = src_pt[i, 1] + eps * n1
            oz = src_pt[i, 2] + eps * n2
            _follow(k, dim, cd, nrm, glo, gh, gn, cstart, citems, skip, blo, bhi, periodic,
                    eps, sqrt_eth, ytab, refl, law, max_events, inc, ytal, redep, counts, s,
                    ox, oy, oz, dx, dy, dz, energy)


@njit(cache=True, error_model="numpy", inline="always")
def _cos4(c, ya, ys):
    """Y(c) = Σ a_i cⁱ / Σ a_i (Horner; 1 when ys = Σ a_i = 0): ``ion_beam.cos4_yield``
    for one cosine, shared by ``beam_substeps`` and ``beam_speed_table``."""
    if ys == 0.0:
        return 1.0
    return c * (ya[0] + c * (ya[1] + c * (ya[2] + c * ya[3]))) / ys


@njit(cache=True, error_model="numpy")
def beam_substeps(src, band, evis, near, wts, full, table, dirs, coef, refl, ya, nsub, dt, h,
                  ndim, px, py, work):
    """``nsub`` forward-Euler Engquist–Osher steps of dt each on the band nodes of ``src``
    (in place), the speed of node b re-evaluated at every sub-step from its current
    central normal n̂ = ∇φ/|∇φ| (into the vacuum):

        V_b = refl_b + coef_b Σ_k vis_bk c_k Y(c_k)/|d_k,z|,   c_k = max(0, −n̂·d_k),

    vis_bk = Σ_j wts_bj evis[near_bj, k] the fraction of the node's nearest surface elements
    that sees the source along −d_k (kept from the step's trace; ``near``, ``wts`` the
    k-nearest elements and their weights), Y the cos⁴ yield with coefficients ``ya`` (nodes that
    see every direction, ``full``: vis_bk = 1; in 2D the sum from ``table``, tabulated on
    the normal's angle atan2(n_x, n_z) over [−π, π], linear; in 3D summed); then
    φ ← φ − dt Ĥ_EO(D⁻φ, D⁺φ) with Ĥ = V|∇φ| upwinded.  ``work``: (nb,) scratch."""
    flat = src.reshape(-1)
    nb = band.shape[0]
    nk = dirs.shape[0]
    ys = ya[0] + ya[1] + ya[2] + ya[3]
    for _s in range(nsub):
        for b in range(nb):
            n = band[b]
            if coef[b] == 0.0 and refl[b] == 0.0:
                work[b] = flat[n]
                continue
            dm0, dp0, dm1, dp1, dm2, dp2 = _derivatives(src, flat, n, h, 1, ndim, px, py)
            c0 = 0.5 * (dm0 + dp0)
            c1 = 0.5 * (dm1 + dp1)
            c2 = 0.5 * (dm2 + dp2)
            gn = math.sqrt(c0 * c0 + c1 * c1 + c2 * c2)
            v = refl[b]
            if gn > 0.0 and full[b] and ndim == 2:
                f = (math.atan2(c0, c2) + math.pi) / (2.0 * math.pi) * (table.shape[0] - 1)
                i0 = min(int(f), table.shape[0] - 2)
                t = f - i0
                v += coef[b] * ((1.0 - t) * table[i0] + t * table[i0 + 1])
            elif gn > 0.0:
                acc = 0.0
                for k in range(nk):
                    if full[b]:             # 3D: a node that sees every direction
                        vk = 1.0
                    else:
                        vk = 0.0
                        for q in range(near.shape[1]):
                            vk += wts[b, q] * evis[near[b, q], k]
                    if vk <= 0.0:
                        continue
                    c = -(c0 * dirs[k, 0] + c1 * dirs[k, 1] + c2 * dirs[k, 2]) / gn
                    if c <= 0.0:
                        continue
                    c = min(c, 1.0)
                    acc += vk * c * _cos4(c, ya, ys) / abs(dirs[k, 2])
                v += coef[b] * acc
            if v > 0.0:
                g2 = max(dm0, 0.0) ** 2 + min(dp0, 0.0) ** 2 + max(dm2, 0.0) ** 2 + min(dp2, 0.0) ** 2
                if ndim == 3:
                    g2 += max(dm1, 0.0) ** 2 + min(dp1, 0.0) ** 2
            else:
                g2 = min(dm0, 0.0) ** 2 + max(dp0, 0.0) ** 2 + min(dm2, 0.0) ** 2 + max(dp2, 0.0) ** 2
                if ndim == 3:
                    g2 += min(dm1, 0.0) ** 2 + max(dp1, 0.0) ** 2
            work[b] = flat[n] - dt * v * math.sqrt(g2)
        for b in range(nb):
            flat[band[b]] = work[b]


@njit(cache=True, error_model="numpy")
def beam_speed_table(dirs, ya, n):
    """Σ_k c_k Y(c_k)/|d_k,z| (c_k = max(0, −n̂·d_k)) at the 2D normals
    n̂ = (sin a, cos a), a on n equal steps over [−π, π] (``beam_substeps``' table)."""
    out = np.zeros(n)
    ys = ya[0] + ya[1] + ya[2] + ya[3]
    for i in range(n):
        a = -math.pi + 2.0 * math.pi * i / (n - 1)
        sx, cz = math.sin(a), math.cos(a)
        acc = 0.0
        for k in range(dirs.shape[0]):
            c = -(sx * dirs[k, 0] + cz * dirs[k, 2])
            if c <= 0.0:
                continue
            c = min(c, 1.0)
            acc += c * _cos4(c, ya, ys) / abs(dirs[k, 2])
        out[i] = acc
    return out


@njit(cache=True, error_model="numpy")
def beam_speed_at(nrm, dirs, ya):
    """Σ_k c_k Y(c_k)/|d_k,z| (c_k = max(0, −n̂·d_k)) at the unit normals ``nrm`` (n, 3),
    vertical at index 2: a fully lit node's sum (3D sub-step bounds, ``_ion_beam_sub``)."""
    out = np.zeros(nrm.shape[0])
    ys = ya[0] + ya[1] + ya[2] + ya[3]
    for i in range(nrm.shape[0]):
        acc = 0.0
        for k in range(dirs.shape[0]):
            c = -(nrm[i, 0] * dirs[k, 0] + nrm[i, 1] * dirs[k, 1] + nrm[i, 2] * dirs[k, 2])
            if c <= 0.0:
                continue
            c = min(c, 1.0)
            acc += c * _cos4(c, ya, ys) / abs(dirs[k, 2])
        out[i] = acc
    return out


@njit(cache=True, error_model="numpy")
def grid_bins(data, cell):
    """The points ``data`` (m, d) binned on a uniform grid of spacing ``cell``: (lo (d,),
    n (d,) cells per axis, start (prod n + 1,), items (m,)) — a counting sort by cell."""
    m, d = data.shape
    lo = np.empty(d)
    n = np.ones(d, np.int64)
    for a in range(d):
        lo[a] = data[:, a].min() if m else 0.0
        n[a] = (int((data[:, a].max() - lo[a]) / cell) + 1) if m else 1
    cid = np.empty(m, np.int64)
    for i in range(m):
        c = 0
        for a in range(d):
            c = c * n[a] + min(int((data[i, a] - lo[a]) / cell), n[a] - 1)
        cid[i] = c
    start = np.zeros(int(np.prod(n)) + 1, np.int64)
    for i in range(m):
        start[cid[i] + 1] += 1
    for c in range(start.shape[0] - 1):
        start[c + 1] += start[c]
    fill = start[:-1].copy()
    items = np.empty(m, np.int64)
    for i in range(m):
        items[fill[cid[i]]] = i
        fill[cid[i]] += 1
    return lo, n, start, items


@njit(cache=True, error_model="numpy", parallel=True)
def grid_knn(data, lo, n, start, items, cell, pts, k, dist, idx):
    """The k nearest of ``data`` to each of ``pts`` (n_p, d) (Euclidean, the squares
    summed over the axes in order, as scipy's cKDTree does; ties to the lower index):
    ``dist`` (n_p, k) their distances ascending, ``idx`` their rows.  Cells are visited
    in Chebyshev rings about the point's (clamped) cell until k are found and the next
    ring lies beyond the k-th distance (a cell r + 1 rings away is ≥ r·cell away)."""
    d = data.shape[1]
    big = max(n[0], n[1] if d > 1 else 1, n[2] if d > 2 else 1)
    for p in prange(pts.shape[0]):
        c0 = np.empty(3, np.int64)
        for a in range(3):
            c0[a] = 0
        for a in range(d):
            c0[a] = min(max(int(math.floor((pts[p, a] - lo[a]) / cell)), 0), n[a] - 1)
        bd = np.full(k, np.inf)
        bi = np.full(k, -1, np.int64)
        found = 0
        for r in range(big + 1):
            lo0, hi0 = c0[0] - r, c0[0] + r
            lo1, hi1 = (c0[1] - r, c0[1] + r) if d > 1 else (0, 0)
            lo2, hi2 = (c0[2] - r, c0[2] + r) if d > 2 else (0, 0)
            for i0 in range(max(lo0, 0), min(hi0, n[0] - 1) + 1):
                for i1 in range(max(lo1, 0), min(hi1, (n[1] if d > 1 else 1) - 1) + 1):
                    for i2 in range(max(lo2, 0), min(hi2, (n[2] if d > 2 else 1) - 1) + 1):
                        on = i0 == lo0 or i0 == hi0
                        if d > 1 and (i1 == lo1 or i1 == hi1):
                            on = True
                        if d > 2 and (i2 == lo2 or i2 == hi2):
                            on = True
                        if not on:
                            continue            # inside the ring: visited before
                        c = i0
                        if d > 1:
                            c = c * n[1] + i1
                        if d > 2:
                            c = c * n[2] + i2
                        for q in range(start[c], start[c + 1]):
                            j = items[q]
                            s = 0.0
                            for a in range(d):
                                t = pts[p, a] - data[j, a]
                                s += t * t
                            if found == k and (s > bd[k - 1] or (s == bd[k - 1] and j > bi[k - 1])):
                                continue
                            m = min(found, k - 1)
                            while m > 0 and (bd[m - 1] > s or (bd[m - 1] == s and bi[m - 1] > j)):
                                bd[m] = bd[m - 1]
                                bi[m] = bi[m - 1]
                                m -= 1
                            bd[m] = s
                            bi[m] = j
                            if found < k:
                                found += 1
            if found == k and bd[k - 1] < (r * cell) ** 2:
                break
        for q in range(k):
            dist[p, q] = math.sqrt(bd[q])
            idx[p, q] = bi[q]
