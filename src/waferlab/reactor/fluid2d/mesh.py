"""Structured (r, z) finite-volume mesh of an axisymmetric chamber and the diffusion operator.

Cells are annuli r ∈ [r_{i-½}, r_{i+½}], z ∈ [z_{j-½}, z_{j+½}] with the exact volumes
V = π (r_{i+½}² − r_{i-½}²) Δz and face areas A_r = 2π r_{i±½} Δz, A_z = π (r_{i+½}² − r_{i-½}²)
(the axisymmetric metric factors).  Unknowns live at the cell centres; fields are stored
as arrays of shape (nr, nz) and flattened C-order (index i·nz + j).

The operator of :func:`diffusion_operator` is the two-point-flux discretisation of

    ∫_V ∇·(k ∇u) dV = Σ_faces A_f k_f (u_nb − u_P)/d_PN

(Patankar, *Numerical Heat Transfer and Fluid Flow*, Hemisphere 1980, ch. 4), with k_f the
harmonic mean of the two cell values; it is second-order accurate on smoothly graded
meshes.  Boundary faces take a Dirichlet value (half-cell ghost distance), a Robin
condition (outward flux = a·u_face) or no flux; the axis r = 0 has zero face area.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import brentq

__all__ = ["FieldAverages", "Mesh", "graded_faces", "stretched_faces", "max_growth", "diffusion_operator", "SIDES"]

SIDES = ("r_max", "z_min", "z_max")


def graded_faces(length: float, n: int, h_end: float | None = None, *, at: str = "max") -> np.ndarray:
    """n + 1 face positions on [0, length]; with ``h_end`` the cells grow geometrically
    away from the end ``at`` ("max" or "min") whose first cell is ``h_end`` thick."""
    if h_end is None or h_end >= length / n:
        return np.linspace(0.0, length, n + 1)

    def total(q):
        return h_end * (n if abs(q - 1) < 1e-12 else (q ** n - 1) / (q - 1)) - length

    q = brentq(total, 1.0 + 1e-12, 10.0)
    h = h_end * q ** np.arange(n)
    faces = np.concatenate([[0.0], np.cumsum(h)])
    faces *= length / faces[-1]
    return faces if at == "min" else length - faces[::-1]


def _vinokur(n: int, s0: float, s1: float) -> np.ndarray:
    """Faces ξ_k ∈ [0, 1], k = 0..n, of Vinokur's two-sided stretching for the normalised end
    spacings s0, s1 (Vinokur, J. Comput. Phys. 50, 215, 1983; Thompson, Warsi & Mastin,
    *Numerical Grid Generation*, 1985, §8.5): with the end slopes S_i = 1/(n s_i), A = √(S0/S1),
    B = √(S0 S1), Δy from sinh(Δy)/Δy = B (sin(Δy)/Δy = B when B < 1),
    u(η) = ½[1 + tanh(Δy(η − ½))/tanh(Δy/2)] and ξ = u/(A + (1 − A)u) at η = k/n.
    The map η → ξ depends on n only through n·s_i: end cells given as fractions of L/n make
    one smooth mapping for every n (:func:`stretched_faces` then corrects the slopes by O(1/n)
    to match the end cells exactly, so a refinement converges to that mapping)."""
    S0, S1 = 1.0 / (n * s0), 1.0 / (n * s1)
    A, B = np.sqrt(S0 / S1), np.sqrt(S0 * S1)
    eta = np.arange(n + 1) / n
    if abs(B - 1.0) < 1e-6:
        u = eta * (1 + 2 * (B - 1) * (eta - 0.5) * (1 - eta))
    elif B > 1:
        dy = brentq(lambda y: np.sinh(y) / y - B, 1e-9, 50.0)
        u = 0.5 * (1 + np.tanh(dy * (eta - 0.5)) / np.tanh(dy / 2))
    else:
        dy = brentq(lambda y: np.sin(y) / y - B, 1e-9, np.pi - 1e-9)
        u = 0.5 * (1 + np.tan(dy * (eta - 0.5)) / np.tan(dy / 2))
    xi = u / (A + (1 - A) * u)
    xi[0], xi[-1] = 0.0, 1.0
    return xi


def stretched_faces(length: float, n: int, h_min: float | None, h_max: float | None) -> np.ndarray:
    """n + 1 face positions on [0, length], the first cell ``h_min`` and the last ``h_max``
    thick (None: the uniform cell length/n), smoothly graded between them by Vinokur's
    stretching (:func:`_vinokur`); the end spacings are matched to 1e-6 by a fixed-point
    correction of the requested slopes."""
    h0 = length / n if h_min is None else h_min
    h1 = length / n if h_max is None else h_max
    t0, t1 = h0 / length, h1 / length
    s0, s1 = t0, t1
    for _ in range(60):
        xi = _vinokur(n, s0, s1)
        a0, a1 = xi[1] - xi[0], xi[-1] - xi[-2]
        if abs(a0 / t0 - 1) < 1e-6 and abs(a1 / t1 - 1) < 1e-6:
            break
        s0 *= (t0 / a0) ** 0.8
        s1 *= (t1 / a1) ** 0.8
    return length * xi


def max_growth(faces: np.ndarray) -> float:
    """Largest ratio of neighbouring cell sizes (≥ 1)."""
    h = np.diff(faces)
    q = h[1:] / h[:-1]
    return float(np.max(np.maximum(q, 1 / q))) if q.size else 1.0


@dataclass(frozen=True)
class Mesh:
    """Cell-centred structured mesh on r ∈ [0, R], z ∈ [z_faces[0], z_faces[-1]]."""

    r_faces: np.ndarray
    z_faces: np.ndarray

    @classmethod
    def uniform(cls, R: float, L: float, nr: int, nz: int, z0: float = 0.0) -> "Mesh":
        return cls(np.linspace(0.0, R, nr + 1), z0 + np.linspace(0.0, L, nz + 1))

    @property
    def nr(self) -> int:
        return self.r_faces.size - 1

    @property
    def nz(self) -> int:
        return self.z_faces.size - 1

    @property
    def shape(self) -> tuple[int, int]:
        return (self.nr, self.nz)

    @property
    def size(self) -> int:
        return self.nr * self.nz

    @property
    def r(self) -> np.ndarray:
        return 0.5 * (self.r_faces[1:] + self.r_faces[:-1])

    @property
    def z(self) -> np.ndarray:
        return 0.5 * (self.z_faces[1:] + self.z_faces[:-1])

    @property
    def dr(self) -> np.ndarray:
        return np.diff(self.r_faces)

    @property
    def dz(self) -> np.ndarray:
        return np.diff(self.z_faces)

    @property
    def h(self) -> float:
        """Largest cell size (m)."""
        return float(max(self.dr.max(), self.dz.max()))

    @property
    def ring_area(self) -> np.ndarray:
        """π (r_{i+½}² − r_{i-½}²), shape (nr,)."""
        return np.pi * np.diff(self.r_faces ** 2)

    @property
    def volume(self) -> np.ndarray:
        """Cell volumes (m³), shape (nr, nz)."""
        return self.ring_area[:, None] * self.dz[None, :]

    def volume_average(self, f: np.ndarray, weight: np.ndarray | None = None) -> float:
        V = self.volume if weight is None else self.volume * weight
        return float((f * V).sum() / V.sum())

    def sub_z(self, nz: int) -> "Mesh":
        """The mesh of the first ``nz`` cell layers in z."""
        return Mesh(self.r_faces, self.z_faces[: nz + 1])


def _harmonic(a, b):
    return 2.0 * a * b / np.maximum(a + b, 1e-300)


def diffusion_operator(mesh: Mesh, k: np.ndarray | float | None, bc: dict, *, axisym: bool = True,
                       k_face_r: np.ndarray | None = None, k_face_z: np.ndarray | None = None):
    """(A, b) with A u + b = ∫∇·(k∇u) dV per cell (``axisym``: annular cells; otherwise
    planar cells of unit depth, for operators whose metric is in ``k``).

    ``k`` (nr, nz) cell values, or explicit face values ``k_face_r`` (nr+1, nz),
    ``k_face_z`` (nr, nz+1).  ``bc[side]`` for side in ``SIDES`` is ``("dirichlet", u)``,
    ``("robin", a)`` (outward flux a·u at the face) or ``("neumann", 0)``; u and a are
    scalars or arrays along the side.  The axis r = 0 is a symmetry line (no flux) unless
    ``bc["axis"]`` is given (then it takes the same forms).
    """
    nr, nz = mesh.shape
    rf, zf = mesh.r_faces, mesh.z_faces
    rc, zc = mesh.r, mesh.z
    dz, ring = mesh.dz, mesh.ring_area
    if axisym:
        Ar = 2 * np.pi * rf[:, None] * dz[None, :]                 # (nr+1, nz)
        Az = np.broadcast_to(ring[:, None], (nr, nz + 1))
    else:
        Ar = np.broadcast_to(dz[None, :], (nr + 1, nz))
        Az = np.broadcast_to(mesh.dr[:, None], (nr, nz + 1))
    kr: np.ndarray
    kz: np.ndarray
    if k_face_r is None:
        k = np.broadcast_to(np.asarray(k, float), (nr, nz))
        kr = np.empty((nr + 1, nz))
        kr[1:-1] = _harmonic(k[1:], k[:-1])
        kr[0], kr[-1] = k[0], k[-1]
        kz = np.empty((nr, nz + 1))
        kz[:, 1:-1] = _harmonic(k[:, 1:], k[:, :-1])
        kz[:, 0], kz[:, -1] = k[:, 0], k[:, -1]
    else:
        # explicit face values come as a pair (documented above)
        assert k_face_z is not None
        kr, kz = k_face_r, k_face_z
    idx = np.arange(nr * nz).reshape(nr, nz)
    diag = np.zeros((nr, nz))
    b = np.zeros((nr, nz))
    rows, cols, vals = [], [], []
    # interior r faces
    g = Ar[1:-1] * kr[1:-1] / (rc[1:] - rc[:-1])[:, None]
    for a, c in ((idx[:-1], idx[1:]), (idx[1:], idx[:-1])):
        rows.append(a.ravel())
        cols.append(c.ravel())
        vals.append(g.ravel())
    diag[:-1] -= g
    diag[1:] -= g
    g = Az[:, 1:-1] * kz[:, 1:-1] / (zc[1:] - zc[:-1])[None, :]
    for a, c in ((idx[:, :-1], idx[:, 1:]), (idx[:, 1:], idx[:, :-1])):
        rows.append(a.ravel())
        cols.append(c.ravel())
        vals.append(g.ravel())
    diag[:, :-1] -= g
    diag[:, 1:] -= g
    # boundaries: (side, cell slice, face area, face k, half distance)
    sides: dict[str, tuple[tuple[int | slice, int | slice], np.ndarray, np.ndarray, float]]
    sides = {"r_max": (np.s_[-1, :], Ar[-1], kr[-1], rf[-1] - rc[-1]),
             "z_min": (np.s_[:, 0], Az[:, 0], kz[:, 0], zc[0] - zf[0]),
             "z_max": (np.s_[:, -1], Az[:, -1], kz[:, -1], zf[-1] - zc[-1])}
    if "axis" in bc:
        sides["axis"] = (np.s_[0, :], Ar[0], kr[0], rc[0] - rf[0])
    for side, (sl, A, kf, d) in sides.items():
        kind, val = bc.get(side, ("neumann", 0.0))
        cond = A * kf / d
        if kind == "dirichlet":
            diag[sl] -= cond
            b[sl] += cond * np.broadcast_to(val, cond.shape)
        elif kind == "robin":
            a = np.broadcast_to(np.asarray(val, float), cond.shape)
            diag[sl] -= A * a * (kf / d) / (a + kf / d)
        elif kind != "neumann":
            raise ValueError(f"boundary {side}: kind {kind!r}; allowed: dirichlet, robin, neumann")
    rows.append(idx.ravel())
    cols.append(idx.ravel())
    vals.append(diag.ravel())
    A = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(nr * nz, nr * nz))
    return A, b.ravel()


class FieldAverages:
    """Volume averages of a steady result's fields on ``setup.mesh`` (a mixin of the ICP
    result types): ⟨n_e⟩ = Σ n_e V / Σ V (m⁻³), the density-weighted T_e = Σ n_e T_e V /
    Σ n_e V (eV) and the absorbed power Σ p V (W)."""

    setup: Any
    n_e: np.ndarray
    T_e: np.ndarray
    power: np.ndarray

    @property
    def n_e_avg(self) -> float:
        return self.setup.mesh.volume_average(self.n_e)

    @property
    def T_e_density_weighted(self) -> float:
        return self.setup.mesh.volume_average(self.T_e, self.n_e)

    @property
    def absorbed_power(self) -> float:
        return float((self.power * self.setup.mesh.volume).sum())
