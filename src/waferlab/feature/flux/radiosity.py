"""Deterministic reference: diffuse particle transport in a cylindrical hole (radiosity).

A hole of radius R and depth D (flat bottom) under a cosine (isotropic) flux Γ0 through
its mouth.  Every hit sticks with probability s (wall s_w, bottom s_b) and re-emits the
rest diffusely.  With the wall cut into rings and the bottom into annuli, each of uniform
incident flux q_i, the balance

    q_i = E_i + Σ_j F_ij (1 − s_j) q_j,      E_i = F_i→mouth

(incident = direct from the mouth + re-emitted by every other element; reciprocity
A_i F_ij = A_j F_ji turns "what j sends to i" into F_ij q_j) is a dense linear system.
Every view factor is a difference of coaxial disk-to-disk factors (Siegel & Howell,
*Thermal Radiation Heat Transfer*, 4th ed., 2002, app. C, config. C-41):

    F_d1→d2(r1, r2, h) = ½ [X − √(X² − 4 (r2/r1)²)],   X = 1 + (1 + (r2/h)²)/(r1/h)²,

and, writing G(a, b) = πR² F_d→d(R, R, |a − b|) for two cross-sections of the hole,
ring i = [a_i, b_i] sees ring j = [a_j, b_j] with

    A_i F_ij = G(a_i, b_j) + G(b_i, a_j) − G(a_i, a_j) − G(b_i, b_j),
    A_i F_ii = A_i − 2 (πR² − G(a_i, b_i)).

The solution converges with the number of elements (rows sum to 1 to round-off); it is
the exact reference ("radiosity with exact view factors") for the flux engine, and it
reproduces Clausing's tube transmissions (wall s = 0, bottom
s = 1) and Coburn & Winters's K/(K + S(1 − K)).

The 2D analogue (``trench_transport``): a trench of width W and depth D (flat bottom),
infinitely long, under the in-plane cosine flux ½ cos φ Γ0 through its mouth (what a 3D
cosine source projects onto the cross-section, as the 2D flux engine launches it).  The
walls and the bottom are cut into strips; the view factor between two strips of a 2D
enclosure is Hottel's crossed-strings rule (Hottel & Sarofim, *Radiative Transfer*,
1967; Siegel & Howell 2002, §4.3.2):

    F_12 = [(crossed strings) − (uncrossed strings)] / (2 L_1),

exact for strips that see each other unobstructed (every pair in a rectangular trench),
and the same balance q_i = E_i + Σ_j F_ij (1 − s_j) q_j is solved.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["HoleTransport", "disk_view_factor", "hole_transport", "TrenchTransport",
           "strip_view_factor", "trench_transport"]


def disk_view_factor(r1, r2, h):
    """View factor from a disk of radius r1 to a coaxial parallel disk of radius r2 at
    distance h (Siegel & Howell C-41); r1 = 0 gives the point value r2²/(r2² + h²), h = 0
    gives min(1, (r2/r1)²)."""
    r1, r2, h = np.broadcast_arrays(np.asarray(r1, float), np.asarray(r2, float),
                                    np.asarray(h, float))
    out = np.where(r1 > 0, np.minimum(1.0, (r2 / np.where(r1 > 0, r1, 1.0)) ** 2),
                   r2 ** 2 / np.maximum(r2 ** 2 + h ** 2, 1e-300))
    ok = (h > 0) & (r1 > 0)
    R1, R2 = r1[ok] / h[ok], r2[ok] / h[ok]
    X = 1.0 + (1.0 + R2 ** 2) / R1 ** 2
    out[ok] = 0.5 * (X - np.sqrt(np.maximum(X ** 2 - 4.0 * (R2 / R1) ** 2, 0.0)))
    return out


@dataclass(frozen=True)
class HoleTransport:
    """Incident flux Γ/Γ0 on the hole's wall rings (depth ``z_wall`` below the mouth,
    areas ``area_wall``) and bottom annuli (radius ``r_bottom``, areas ``area_bottom``)."""

    z_wall: np.ndarray
    wall: np.ndarray
    area_wall: np.ndarray
    r_bottom: np.ndarray
    bottom: np.ndarray
    area_bottom: np.ndarray
    closure: float          # max |Σ_j F_ij + F_i→mouth − 1| (round-off)

    def bottom_mean(self, r_max: float = np.inf) -> float:
        """Area-weighted mean incident flux on the bottom annuli with centre r < r_max."""
        m = self.r_bottom < r_max
        return float((self.bottom[m] * self.area_bottom[m]).sum() / self.area_bottom[m].sum())

    def wall_mean(self, z0: float, z1: float) -> float:
        """Area-weighted mean incident flux on the wall rings with z0 ≤ depth ≤ z1."""
        m = (self.z_wall >= z0) & (self.z_wall <= z1)
        return float((self.wall[m] * self.area_wall[m]).sum() / self.area_wall[m].sum())


def _checked(size: tuple[str, float], depth: float, wall_sticking, bottom_sticking):
    """Check the geometry (positive) and the stickings (in [0, 1]: a number, or one per
    element); the bottom's defaults to the wall's (a number)."""
    if size[1] <= 0 or depth <= 0:
        raise ValueError(f"{size[0]} and depth must be positive; got {size[1]}, {depth}")
    sw = np.asarray(wall_sticking, float)
    sb = sw if bottom_sticking is None else np.asarray(bottom_sticking, float)
    if bottom_sticking is None and sw.ndim:
        raise ValueError("bottom_sticking must be given with per-element wall stickings")
    for name, s in (("wall_sticking", sw), ("bottom_sticking", sb)):
        if not np.all((s >= 0.0) & (s <= 1.0)):
            raise ValueError(f"{name} must be in [0, 1]; got {s}")
    return sw, sb


def hole_transport(radius: float, depth: float, wall_sticking: float | np.ndarray,
                   bottom_sticking: float | np.ndarray | None = None, *, n_wall: int = 400,
                   n_bottom: int = 40) -> HoleTransport:
    """Solve the radiosity balance of a cylindrical hole (module docstring).

    Wall rings are graded toward the mouth and the bottom (cosine spacing), bottom annuli
    have equal areas.  ``bottom_sticking`` defaults to ``wall_sticking``.  Either may be
    an array with one sticking per ring (top to bottom, ``n_wall``) / annulus (centre
    outwards, ``n_bottom``): the elements of the result (``z_wall``, ``r_bottom``).
    """
    R, D = float(radius), float(depth)
    sw, sb = _checked(("radius", R), D, wall_sticking, bottom_sticking)
    N, M = int(n_wall), int(n_bottom)
    z = D * 0.5 * (1.0 - np.cos(np.pi * np.linspace(0.0, 1.0, N + 1)))
    rho = R * np.sqrt(np.linspace(0.0, 1.0, M + 1))
    za, zb = z[:-1], z[1:]
    disk = np.pi * R * R

    def G(a, b):                      # A F between two cross-sections at depths a, b
        return disk * disk_view_factor(R, R, np.abs(a - b))

    # T[p, k] = A_k F(bottom annulus k -> cross-section at depth z[p]), every plane at once
    T = np.diff(np.pi * rho ** 2 * disk_view_factor(rho[None, :], R, (D - z)[:, None]), axis=1)

    a_w = 2.0 * np.pi * R * np.diff(z)
    a_b = np.pi * np.diff(rho ** 2)
    I, J = np.meshgrid(np.arange(N), np.arange(N), indexing="ij")
    AF_ww = G(za[I], zb[J]) + G(zb[I], za[J]) - G(za[I], za[J]) - G(zb[I], zb[J])
    AF_ww[np.diag_indices(N)] = a_w - 2.0 * (disk - G(za, zb))
    AF_bw = (T[1:] - T[:-1]).T                     # through plane b_j minus through a_j
    AF = np.zeros((N + M, N + M))
    AF[:N, :N] = AF_ww
    AF[N:, :N] = AF_bw
    AF[:N, N:] = AF_bw.T
    area = np.concatenate([a_w, a_b])
    to_mouth = np.concatenate([G(za, 0.0) - G(zb, 0.0), T[0]]) / area
    F = AF / area[:, None]
    keep = np.concatenate([np.broadcast_to(1.0 - sw, N), np.broadcast_to(1.0 - sb, M)])
    q = np.linalg.solve(np.eye(N + M) - F * keep[None, :], to_mouth)
    closure = float(np.abs(F.sum(axis=1) + to_mouth - 1.0).max())
    return HoleTransport(z_wall=0.5 * (za + zb), wall=q[:N], area_wall=a_w,
                         r_bottom=np.sqrt(0.5 * (rho[:-1] ** 2 + rho[1:] ** 2)),
                         bottom=q[N:], area_bottom=a_b, closure=closure)


def strip_view_factor(a1, b1, a2, b2) -> np.ndarray:
    """View factor from strip a1–b1 to strip a2–b2 (2D points, broadcast over leading
    axes) by Hottel's crossed strings: |(|a1 b2| + |b1 a2|) − (|a1 a2| + |b1 b2|)| / (2 |a1 b1|);
    exact for strips that see each other unobstructed (0 for collinear strips)."""
    a1, b1, a2, b2 = (np.asarray(p, float) for p in (a1, b1, a2, b2))
    d = lambda p, q: np.linalg.norm(p - q, axis=-1)       # noqa: E731
    L1 = d(a1, b1)
    return np.abs(d(a1, b2) + d(b1, a2) - d(a1, a2) - d(b1, b2)) / (2.0 * L1)


@dataclass(frozen=True)
class TrenchTransport:
    """Incident flux Γ/Γ0 on the trench's wall strips (depth ``z_wall`` below the mouth,
    lengths ``len_wall``; both walls alike by symmetry) and bottom strips (centre
    ``x_bottom`` from the trench axis, lengths ``len_bottom``)."""

    z_wall: np.ndarray
    wall: np.ndarray
    len_wall: np.ndarray
    x_bottom: np.ndarray
    bottom: np.ndarray
    len_bottom: np.ndarray
    closure: float          # max |Σ_j F_ij + F_i→mouth − 1| (round-off)

    def bottom_mean(self, x_max: float = np.inf) -> float:
        """Length-weighted mean incident flux on the bottom strips with |x| < x_max."""
        m = np.abs(self.x_bottom) < x_max
        return float((self.bottom[m] * self.len_bottom[m]).sum() / self.len_bottom[m].sum())

    def wall_mean(self, z0: float, z1: float) -> float:
        """Length-weighted mean incident flux on the wall strips with z0 ≤ depth ≤ z1."""
        m = (self.z_wall >= z0) & (self.z_wall <= z1)
        return float((self.wall[m] * self.len_wall[m]).sum() / self.len_wall[m].sum())


def trench_transport(width: float, depth: float, wall_sticking: float | np.ndarray,
                     bottom_sticking: float | np.ndarray | None = None, *, n_wall: int = 400,
                     n_bottom: int = 80) -> TrenchTransport:
    """Solve the radiosity balance of a rectangular 2D trench (module docstring).

    Wall strips are graded toward the mouth and the bottom (cosine spacing), bottom strips
    toward the corners.  ``bottom_sticking`` defaults to ``wall_sticking``; per-element
    arrays as in ``hole_transport`` (one per strip of a wall, both walls alike).
    """
    W, D = float(width), float(depth)
    sw, sb = _checked(("width", W), D, wall_sticking, bottom_sticking)
    N, M = int(n_wall), int(n_bottom)
    z = D * 0.5 * (1.0 - np.cos(np.pi * np.linspace(0.0, 1.0, N + 1)))
    x = W * 0.5 * (1.0 - np.cos(np.pi * np.linspace(0.0, 1.0, M + 1)))
    # strips as (start, end) points; y = −depth; left wall x = 0, right wall x = W
    left = np.stack([np.c_[np.zeros(N), -z[:-1]], np.c_[np.zeros(N), -z[1:]]], axis=1)
    right = np.stack([np.c_[np.full(N, W), -z[:-1]], np.c_[np.full(N, W), -z[1:]]], axis=1)
    bottom = np.stack([np.c_[x[:-1], np.full(M, -D)], np.c_[x[1:], np.full(M, -D)]], axis=1)
    strips = np.concatenate([left, right, bottom])
    a, b = strips[:, 0], strips[:, 1]
    F = strip_view_factor(a[:, None], b[:, None], a[None, :], b[None, :])
    same_side = np.zeros_like(F, bool)                     # collinear strips: no exchange
    side = np.r_[np.zeros(N), np.ones(N), np.full(M, 2)]
    same_side[side[:, None] == side[None, :]] = True
    F[same_side] = 0.0
    to_mouth = strip_view_factor(a, b, np.array([0.0, 0.0]), np.array([W, 0.0]))
    keep = np.concatenate([np.tile(np.broadcast_to(1.0 - sw, N), 2), np.broadcast_to(1.0 - sb, M)])
    q = np.linalg.solve(np.eye(2 * N + M) - F * keep[None, :], to_mouth)
    closure = float(np.abs(F.sum(axis=1) + to_mouth - 1.0).max())
    return TrenchTransport(z_wall=0.5 * (z[:-1] + z[1:]), wall=q[:N], len_wall=np.diff(z),
                           x_bottom=0.5 * (x[:-1] + x[1:]) - 0.5 * W, bottom=q[2 * N:],
                           len_bottom=np.diff(x), closure=closure)
