"""Exact reference: a 2D etch front moved as the viscosity solution of its level-set
equation, with expansion fans at convex corners and shocks at concave ones, each element
carrying the exact rate of the profile of the moment (``coverage_profile``).

The front x(s, t) moves with the normal velocity V_n(n, x) n (n the unit normal into the
vacuum, V_n < 0 etches): the level-set equation φ_t + H(∇φ, x) = 0 with H homogeneous of
degree one in ∇φ, whose rate depends on the orientation n through the ion incidence and
the view of the neutrals, and on the position through the transport.  At a corner between
elements a and b (normals n_a, n_b) the local Riemann problem with frozen rates has the
Hopf solution (Hopf 1965; Bardi & Evans 1984, for H not convex): the front after δt is
the envelope of the lines

    x · n = c · n + V(n) δt,        n in the fan from n_a to n_b,

an intersection of half-planes at a corner where the vacuum is convex (turn to the left
along the walk, the vacuum on the left: an *expansion fan*, the orientations between the
two elements appear and those that outrun their neighbours are cut), a union at a concave
one (a *shock*: the two moved lines' intersection, the elements consume each other).  The
two-line intersection alone (``coverage_profile.evolve_profile(corners="intersect")``)
is the fan's answer only when no intermediate orientation is slower: under an isotropic
rate it sends a V's tip down at V/sin β (β its half-angle) where the fan's circular arc
sends it down at V (tests/validation/test_front_fans.py).

Discretisation (this module).  Each step:

1. at every vertex that turns left by more than ``fan_step`` (and whose node and both
   elements are of one movable material) the corner is replaced by m = ⌈turn/fan_step⌉ − 1
   fan facets of length ``fan_length`` × spacing, their directions evenly between the two
   elements' (a small polygonal arc tangent to both);
2. the rates of every element, fan facets included, from ``coverage_profile`` (the exact
   view factors and balances; the ions by Monte Carlo) — a fan facet carries the rate of
   its orientation at the corner, up to O(facet length);
3. every element's line moves by V_n n δt; a node moves to the intersection of its two
   elements' moved lines where its turn exceeds ``sharp`` or it is a fan node, elsewhere
   with the length-weighted mean of V_n n (a smooth stretch, where both agree to
   O(turn²)); an element whose moved length is ≤ 0 (an orientation that was outrun, or
   the swallowtail of a shock) is removed and its neighbours intersected, repeated until
   none is left: the envelope of step 1's lines;
4. a node that would enter another material stops on its own (``_keep_material``);
   re-sampled at ``spacing`` keeping the vertices that turn by more than ``sharp``.

δt moves no element's line more than ``max_step``.  The step is exact for rates frozen
over δt and piecewise-constant per element; the reference converges as spacing,
fan_length and max_step → 0 (bench/bench_fluorocarbon_fans.py).
"""
from __future__ import annotations

import math

import numpy as np

from .coverage_profile import _keep_material, _segments, coverage_profile

__all__ = ["insert_fans", "move_front", "remesh", "evolve_fans"]


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.hypot(v[..., 0], v[..., 1]), 1e-300)[..., None]


def _turns(P: np.ndarray) -> np.ndarray:
    """Signed turn angle (rad, > 0: left, the vacuum convex) at each interior vertex."""
    t = _unit(np.diff(P, axis=0))
    return np.arctan2(t[:-1, 0] * t[1:, 1] - t[:-1, 1] * t[1:, 0], (t[:-1] * t[1:]).sum(1))


def insert_fans(P: np.ndarray, movable: np.ndarray, *, fan_step: float, length: float
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(polyline, anchors, fan flag per node): at each interior vertex j with
    ``movable[j]`` that turns left by more than ``fan_step`` (rad), m = ⌈turn/fan_step⌉ − 1
    facets of length ``length`` (shortened to keep within a quarter of either element),
    directions evenly spaced between the two elements', the chain tangent to both: the
    polyline on which the rates are evaluated.  The anchors are the same nodes with every
    fan node at the corner itself (the fan's lines start there: zero-length facets)."""
    P = np.asarray(P, float)
    turn = _turns(P)
    out, anc, fan = [P[0]], [P[0]], [False]
    for j in range(1, len(P) - 1):
        th = turn[j - 1]
        ta, tb = _unit(P[j] - P[j - 1]), _unit(P[j + 1] - P[j])
        det = ta[0] * tb[1] - ta[1] * tb[0]
        if not (movable[j] and th > fan_step) or det < 1e-6:   # (a hairpin: intersection)
            out.append(P[j])
            anc.append(P[j])
            fan.append(bool(movable[j] and th > fan_step))
            continue
        m = int(math.ceil(th / fan_step)) - 1
        ang = math.atan2(ta[1], ta[0]) + th * np.arange(1, m + 1) / (m + 1)
        tk = np.column_stack([np.cos(ang), np.sin(ang)])
        s = tk.sum(0)
        al = (s[0] * tb[1] - s[1] * tb[0]) / det          # α t_a + β t_b = Σ t_k (per unit)
        be = (ta[0] * s[1] - ta[1] * s[0]) / det
        la, lb = np.hypot(*(P[j] - P[j - 1])), np.hypot(*(P[j + 1] - P[j]))
        eps = min(length, 0.25 * la / max(al, 1e-12), 0.25 * lb / max(be, 1e-12))
        S = P[j] - eps * al * ta
        chain = S + eps * np.vstack([np.zeros(2), np.cumsum(tk, axis=0)])
        out.extend(chain)
        anc.extend([P[j]] * len(chain))
        fan.extend([True] * len(chain))
    out.append(P[-1])
    anc.append(P[-1])
    fan.append(False)
    return np.array(out), np.array(anc), np.array(fan)


def _meet(pa, ta, pb, tb):
    """Intersection of the lines pa + u ta and pb + w tb; None if parallel."""
    det = ta[0] * tb[1] - ta[1] * tb[0]
    if abs(det) < 1e-9:
        return None
    w = pb - pa
    u = (w[0] * tb[1] - w[1] * tb[0]) / det
    return pa + u * ta


def move_front(P: np.ndarray, speed: np.ndarray, dt: float, *, movable: np.ndarray,
               own: np.ndarray, sharp: float, fan: np.ndarray | None = None,
               anchors: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The polyline after δt (step 3 of the module docstring).  ``speed``: V_n per element
    (m/s, along its normal into the vacuum); ``movable``: per node; ``own``: (n_nodes, 2)
    whether elements j − 1, j are of node j's material (a node moves with its own
    material's elements only; with both if neither is); ``fan``: nodes always moved by
    intersection; ``anchors``: where the nodes start (``insert_fans``; default ``P``,
    whose elements give the directions, turns and weights).  Returns (new nodes, the
    index of each)."""
    P = np.asarray(P, float)
    n = len(P) - 1
    t = _unit(np.diff(P, axis=0))
    nrm = np.column_stack([-t[:, 1], t[:, 0]])
    L = np.hypot(*np.diff(P, axis=0).T)
    turn = np.r_[0.0, _turns(P), 0.0]
    A = P if anchors is None else np.asarray(anchors, float)
    off = (speed * dt)[:, None] * nrm
    base = A[:-1] + off                       # a point of each moved line
    fan = np.zeros(n + 1, bool) if fan is None else np.asarray(fan, bool)
    X = A.copy()
    for j in range(1, n):
        if not movable[j]:
            continue
        el = [i for i, ok in zip((j - 1, j), own[j]) if ok] or [j - 1, j]
        if len(el) == 2 and (abs(turn[j]) > sharp or fan[j]):
            x = _meet(base[j - 1], t[j - 1], base[j], t[j])
            if x is not None:
                X[j] = x
                continue
        w = L[el]
        X[j] = A[j] + (off[el] * w[:, None]).sum(0) / w.sum()
    # remove outrun elements (reversed; both ends moving) until none is left
    lines = list(range(n))                    # element index of each current segment
    nodes = list(range(n + 1))
    Xl = [X[k] for k in nodes]
    il = [bool(movable[k]) for k in nodes]
    s = 1
    while s < len(lines) - 1:
        i = lines[s]
        if not (il[s] and il[s + 1]
                and (Xl[s + 1][0] - Xl[s][0]) * t[i, 0] + (Xl[s + 1][1] - Xl[s][1]) * t[i, 1]
                <= 0.0):
            s += 1
            continue
        ia, ib = lines[s - 1], lines[s + 1]
        x = _meet(base[ia], t[ia], base[ib], t[ib])
        Xl[s] = 0.5 * (Xl[s] + Xl[s + 1]) if x is None else x
        del Xl[s + 1], il[s + 1], lines[s], nodes[s + 1]
        s = max(s - 1, 1)
    return np.array(Xl), np.array(nodes)


def _turn3(a, b, c) -> float:
    """|turn| (rad) at b of the walk a → b → c."""
    u, w = b - a, c - b
    return abs(math.atan2(u[0] * w[1] - u[1] * w[0], u[0] * w[0] + u[1] * w[1]))


def remesh(P: np.ndarray, spacing: float, shortest: float = 0.1) -> np.ndarray:
    """The polyline with its nodes kept where they are (re-sampling along chords would cut
    every convex stretch and lag): where an element is shorter than ``shortest`` ×
    spacing, of its two ends the interior one that turns less is dropped (one pass), then
    every element longer than ``spacing`` is split evenly (nodes on it: exact)."""
    Q = [np.asarray(p, float) for p in np.asarray(P, float)]
    lmin = shortest * spacing
    i = 0
    while i < len(Q) - 1 and len(Q) > 3:
        if math.hypot(*(Q[i + 1] - Q[i])) >= lmin:
            i += 1
            continue
        ti = _turn3(Q[i - 1], Q[i], Q[i + 1]) if 0 < i else math.inf
        tj = _turn3(Q[i], Q[i + 1], Q[i + 2]) if i + 2 < len(Q) else math.inf
        if math.isinf(ti) and math.isinf(tj):
            i += 1
            continue
        del Q[i if ti <= tj else i + 1]
        i = max(i - 1, 0)
    A = np.array(Q)
    out = [A[:1]]
    for a, b in zip(A[:-1], A[1:]):
        k = max(1, int(np.ceil(np.hypot(*(b - a)) / spacing - 1e-9)))
        out.append(a + (b - a) * (np.arange(1, k + 1) / k)[:, None])
    return np.vstack(out)


def evolve_fans(model, points: np.ndarray, duration: float, *, material_of, held,
                spacing: float, max_step: float, rules: str = "model",
                n_ions: int = 200_000, K: int = 4, J: int = 512, seed: int = 1,
                tol: float = 1e-8, fan_step: float = math.radians(10.0),
                sharp: float = math.radians(5.0), fan_length: float = 0.25,
                rates=None, callback=None) -> np.ndarray:
    """The profile after ``duration`` (s) (module docstring); the arguments as
    ``coverage_profile.evolve_profile`` (``held``: materials whose nodes do not move; the
    two ends on the mouth line do not move), plus ``fan_step``/``sharp`` (rad) and
    ``fan_length`` (× spacing).  ``rates(model, P, materials, seed)`` → per-element V_n
    (m/s) replaces the exact rates (tests: analytic rate laws).
    ``callback(t, P, speed)`` after each rate evaluation."""
    if not (0.0 < sharp and 0.0 < fan_step and 0.0 < fan_length <= 0.5):
        raise ValueError(f"need sharp > 0, fan_step > 0, 0 < fan_length <= 0.5; got "
                         f"{sharp}, {fan_step}, {fan_length}")
    held = np.asarray(held, int)
    P = remesh(np.asarray(points, float), spacing)
    t, k = 0.0, 0
    while t < duration * (1 - 1e-12):
        mn = np.asarray(material_of(P), int)
        me = np.asarray(material_of(0.5 * (P[:-1] + P[1:])), int)
        movable = ~np.isin(mn, held)
        movable[[0, -1]] = False
        own_both = np.r_[False, (me[:-1] == mn[1:-1]) & (me[1:] == mn[1:-1]), False]
        Q, anc, fan = insert_fans(P, movable & own_both, fan_step=fan_step,
                                  length=fan_length * spacing)
        mq = np.asarray(material_of(Q), int)
        eq = np.asarray(material_of(0.5 * (Q[:-1] + Q[1:])), int)
        if rates is None:
            v = coverage_profile(model, Q, eq, rules=rules, n_ions=n_ions, seed=seed + k,
                                 K=K, J=J, tol=tol).speed
        else:
            v = np.asarray(rates(model, Q, eq, seed + k), float)
        if callback is not None:
            callback(t, Q, v)
        mov_q = ~np.isin(mq, held)
        mov_q[[0, -1]] = False
        own = np.column_stack([np.r_[False, eq == mq[1:]], np.r_[eq == mq[:-1], False]])
        vmax = float(np.max(np.abs(v[np.isin(eq, held, invert=True)]), initial=0.0))
        dt = min(duration - t, max_step / max(vmax, 1e-300))
        X, idx = move_front(Q, v, dt, movable=mov_q, own=own, sharp=sharp, fan=fan,
                            anchors=anc)
        X = _keep_material(anc[idx], X, material_of)
        P = remesh(X, spacing)
        _segments(P)
        t += dt
        k += 1
    return P
