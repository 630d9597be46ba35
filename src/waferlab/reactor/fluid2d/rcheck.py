"""The pressure form's own error check: the r- and z-discretisation errors of the wafer ion flux,
estimated from second steady states on half the columns and on half the rows (session 15).

The positive-ion face flux of the pressure form (:mod:`.ionflux`) is exact through a
constant-flux ion–ion layer, so its z error was small on the default recipe (at 10 mTorr it
is not: **z** below); there its error is in r and second order (session 14,
bench/results/fluid2d_ionflux_s14.md: observed orders 2.45 and 1.88 on the SF6/O2 Kokkoris chamber,
+23.5 / +6.1 / +2.3 / +0.4 % at n_r = 4 / 8 / 12 / 24).  The check solves the
same recipe with the pressure form on the mesh with every other r face (the z faces kept),
started from the fine steady state averaged onto it, and takes Richardson's estimate of the
fine solution's error (Roache, Verification and Validation in Computational Science and
Engineering, 1998, §5.4; order p = 2, the formal order — the observed orders are higher, so the
estimate is on the safe side):

    e = (Γ_2h − Γ_h)/((2^p − 1) Γ_h)        (≈ (Γ_h − Γ*)/Γ* with Γ* the r limit; the sign:
                                              the fine flux above the limit when e > 0)

per coarse wafer column, with Γ_h the fine wafer ion flux averaged (by ring area) over the two
fine columns of a coarse one.  The check's number (:func:`r_error`) is Roache's grid convergence
index over the wafer columns, SAFETY · max|e| (SAFETY = 1.25, his factor where the order is
verified: 2.45 and 1.88 on the Kokkoris chamber, 2.33 on the 10 mTorr test recipe, session 15);
:mod:`.multi` warns when it is above its WAFER_EXCESS.  Measured (session 15,
bench/results/fluid2d_sf6_s15.md; the 10 mTorr test recipe on n_r × 10 against its r limit, the
centre flux): n_r = 16: 0.41 % (true +0.22 %); 8: 1.9 % (true +1.13 %); 4: 5.5 % (true +5.7 %,
from 2 columns: pre-asymptotic, e has the wrong sign there).

**z** (:func:`z_error`, session 15, lane sf6z): the same estimate from a third solve on every
other z face (the columns kept; :func:`restrict_z`), per wafer column, with order ORDER_Z = 1.
The pressure form's z error is not small at 10 mTorr: the test recipe (8 columns; its z rows of
the default grading, 20/40 rows, and the 10 rows of every other face of the 20-row mesh) gives
centre 3.979 / 4.149 / 4.261e18 (observed order 0.61) and wafer average 3.749 / 3.934 / 4.024e18
(observed order 1.05, hence ORDER_Z), limits 4.47e18 and 4.11e18; the shipped uniform 8 × 10 is
−14.8 % (centre) below it.  The estimate reads 41.8 % there (from 5 rows, pre-asymptotic; warns)
and 6.4 % on 8 × 20 (true: centre −7.2 %, average −4.2 %; warns).  Cost: a solve of 26–30 steps
on half the rows (bench/results/fluid2d_sf6z_s15.md).
"""
from __future__ import annotations

import numpy as np

__all__ = ["r_error", "z_error", "coarse_r_faces", "coarse_z_faces", "restrict_r", "restrict_z", "ORDER",
           "ORDER_Z", "SAFETY"]

# The formal order in r of the pressure form (two-point differences; :mod:`.ionflux`).
ORDER = 2.0

# The order in z of the z estimate: the observed order of the wafer-average ion flux of the 10 mTorr
# test recipe on 10/20/40 rows, 1.05 (its centre flux: 0.61; module docstring).
ORDER_Z = 1.0

# Roache's safety factor of the grid convergence index (order verified on three or more meshes).
SAFETY = 1.25


def coarse_r_faces(r_faces: np.ndarray) -> np.ndarray:
    """Every other r face (an odd count of cells keeps the last face: its last coarse cell is one
    fine cell wide)."""
    rf = np.asarray(r_faces, float)
    out = rf[::2]
    return out if out[-1] == rf[-1] else np.append(out, rf[-1])


def _groups(nr: int) -> list[np.ndarray]:
    """The fine columns of each coarse column of :func:`coarse_r_faces`."""
    return [np.arange(i, min(i + 2, nr)) for i in range(0, nr, 2)]


def restrict_r(x: np.ndarray, mesh, nf: int, n_log: int, n_theta: int) -> np.ndarray:
    """The state ``x`` (fields of shape mesh.shape, field-major) on the coarse columns: the first
    ``n_log`` fields are ln n (heavy species and n_e; volume-weighted means of n, so Σ z n = n_e
    holds), then T_e (volume-weighted), ``n_theta`` ln θ (the outer fine column's, the one on the
    side wall) and any further field (T_g, volume-weighted)."""
    X = x.reshape((nf,) + mesh.shape)
    groups = _groups(mesh.nr)
    V = mesh.volume
    out = np.empty((nf, len(groups), mesh.nz))
    for c, g in enumerate(groups):
        w = V[g] / V[g].sum(axis=0)
        for f in range(nf):
            if f < n_log:
                out[f, c] = np.log((np.exp(X[f, g]) * w).sum(axis=0))
            elif n_log + 1 <= f < n_log + 1 + n_theta:
                out[f, c] = X[f, g[-1]]
            else:
                out[f, c] = (X[f, g] * w).sum(axis=0)
    return out.ravel()


def coarse_z_faces(z_faces: np.ndarray) -> np.ndarray:
    """Every other z face (the wafer and window faces kept; an odd count of rows keeps the last
    face: its last coarse row is one fine row thick)."""
    return coarse_r_faces(z_faces)


def restrict_z(x: np.ndarray, mesh, nf: int, n_log: int, n_theta: int) -> np.ndarray:
    """The state ``x`` on the coarse rows of :func:`coarse_z_faces`, as :func:`restrict_r` does
    across columns: volume-weighted means of n (so Σ z n = n_e holds), T_e and further fields;
    ln θ of the fine row at the wall (the wafer's for the first coarse row, the upper fine row
    elsewhere, so the window's for the last)."""
    X = x.reshape((nf,) + mesh.shape)
    groups = _groups(mesh.nz)
    V = mesh.volume
    out = np.empty((nf, mesh.nr, len(groups)))
    for c, g in enumerate(groups):
        w = V[:, g] / V[:, g].sum(axis=1, keepdims=True)
        for f in range(nf):
            if f < n_log:
                out[f, :, c] = np.log((np.exp(X[f][:, g]) * w).sum(axis=1))
            elif n_log + 1 <= f < n_log + 1 + n_theta:
                out[f, :, c] = X[f][:, g[0] if c == 0 else g[-1]]
            else:
                out[f, :, c] = (X[f][:, g] * w).sum(axis=1)
    return out.ravel()


def r_error(setup, gst, x: np.ndarray, wafer_flux: np.ndarray, *, max_it: int) -> dict:
    """Richardson's estimate of the r error of the wafer ion flux ``wafer_flux`` (nr,) (m⁻²s⁻¹,
    positive ions through the bottom faces) of the pressure-form steady state ``x`` on
    ``setup.mesh`` (module docstring).  Keys: ``r_error`` (SAFETY × the largest |e| over the
    wafer columns, None when it could not be measured), ``r_error_r_m`` (its coarse column's centre),
    ``r_error_centre`` (e of the first column, signed), ``r_error_coarse_mesh``, ``r_error_steps``,
    ``r_error_coarse_flux`` (the coarse solve's wafer ion flux per coarse column, m⁻²s⁻¹) and
    ``r_error_note`` (why it is None)."""
    return _error(setup, gst, x, wafer_flux, max_it=max_it, axis="r")


def z_error(setup, gst, x: np.ndarray, wafer_flux: np.ndarray, *, max_it: int) -> dict:
    """The same estimate in z (module docstring): a second pressure-form solve on every other z
    face (:func:`coarse_z_faces`, the columns kept), order ORDER_Z, per wafer column.  Keys as
    :func:`r_error`'s with ``z_error`` for ``r_error``."""
    return _error(setup, gst, x, wafer_flux, max_it=max_it, axis="z")


def _error(setup, gst, x: np.ndarray, wafer_flux: np.ndarray, *, max_it: int, axis: str) -> dict:
    from .adapt import with_mesh
    from .ptc import PLATEAU, RAMP, _stage

    m, gm = setup.mesh, setup.global_model
    spec = setup.spec
    k_ = f"{axis}_error"
    out: dict = {k_: None, f"{k_}_r_m": None, f"{k_}_centre": None, f"{k_}_coarse_mesh": None,
                 f"{k_}_steps": 0, f"{k_}_note": ""}
    R_w = spec.chamber.wafer_radius if spec.chamber.wafer_radius is not None else spec.chamber.radius
    nf = x.size // m.size
    A = m.ring_area
    if axis == "r":
        rf, zf, order = coarse_r_faces(m.r_faces), m.z_faces, ORDER
        if rf.size - 1 < 2 or 0.5 * (rf[0] + rf[1]) >= R_w:
            out[f"{k_}_note"] = f"{m.nr} columns: too few for a solve on half of them"
            return out
        xc = restrict_r(x, m, nf, gm.N + 1, gm.Ns)
        G_h = np.array([(wafer_flux[g] * A[g]).sum() / A[g].sum() for g in _groups(m.nr)])
    else:
        rf, zf, order = m.r_faces, coarse_z_faces(m.z_faces), ORDER_Z
        if zf.size - 1 < 3:
            out[f"{k_}_note"] = f"{m.nz} rows: too few for a solve on half of them"
            return out
        xc = restrict_z(x, m, nf, gm.N + 1, gm.Ns)
        G_h = np.asarray(wafer_flux, float)
    rc = 0.5 * (rf[1:] + rf[:-1])
    coarse = with_mesh(setup, rf, zf)
    st = _stage(coarse, gst, xc, None, [], max_it, None, "", ion_flux="pressure", plateau=PLATEAU, ramp=RAMP)
    out[f"{k_}_coarse_mesh"] = list(coarse.mesh.shape)
    out[f"{k_}_steps"] = len(st["history"])
    if not st["converged"]:
        h = st["history"]
        what = f"{coarse.mesh.nr} columns" if axis == "r" else f"{coarse.mesh.nz} rows"
        out[f"{k_}_note"] = (f"the solve on {what} did not converge ({len(h)} steps, "
                             f"residual {h[0]:.2g} -> {h[-1]:.2g})" if h else "no steps")
        return out
    _, det = st["sysm"].residual(st["x"], details=True)
    G_c = det["wall_flux"][1][gm.pos].sum(axis=0)
    e = (G_c - G_h) / ((2.0 ** order - 1.0) * G_h)
    wafer = rc < R_w
    k = int(np.argmax(np.where(wafer, np.abs(e), -1.0)))
    out.update({k_: float(SAFETY * abs(e[k])), f"{k_}_r_m": float(rc[k]), f"{k_}_centre": float(e[0]),
                f"{k_}_coarse_flux": G_c.tolist()})
    return out
