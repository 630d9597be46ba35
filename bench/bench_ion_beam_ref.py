"""An independent reference for the ion beam trench of bench_ion_beam.py (issue #17, the
opening against the peer): the same model solved on fine grids by a code that shares
nothing with either level-set engine, with the masks exact (sharp corners, never moved).

The case (absolute coordinates, µm): Si below z = 0 with a trench x ∈ (−2.5, 2.5) to
z = −1, masks x ∉ (−2.5, 2.5), 0 ≤ z ≤ 1 (not etched), beam at 35° in the x–z plane,
in-plane angle density cosⁿ(α − 35°), n = 100 (the 2D projection of a cosⁿ cone,
``flux.sources.inplane_inverse_cdf``'s density), the bench's cos⁴ yield and energies,
2 min.  Only Si moves.  The normal speed of the Si surface with outward normal n at x:

    F(x, n) = C Σ_k w_k v_k(x) c_k Y(c_k) / cos α_k,   c_k = max(0, −n·d_k)
    C = R cos 35° ⟨g⟩/g(E₀),   R = 1/(cos 35° Y(35°)) µm/min

(``ion_beam`` module docstring; the flat wafer at the tilt etches at 1 µm/min ×
⟨g⟩/g(E₀)), d_k = (sin α_k, −cos α_k) the K equal-probability quantile midpoints of the
in-plane angle, v_k(x) ∈ {0, 1} whether the back-ray from x along −d_k clears both
masks (analytic: the ray's x over 0 ≤ z' ≤ 1 must stay in (−2.5, 2.5); its fraction
of a stratum is taken by the angle's CDF, so v is continuous in x).  Left out: shadowing
of Si by Si (none at the measured points: the rays reaching the walls pass over the open
trench) and reflected ions (their share at the walls is measured in ``--reflections``).

Solved as ∂φ/∂t = F(x, ∇φ/|∇φ|)|∇φ| (φ < 0 in Si) by local Lax–Friedrichs (Crandall &
Lions 1984; Osher & Shu 1991) on uniform grids: ENO2 one-sided differences and Heun's
method (TVD-RK2; ``order=1``: first-order differences and forward Euler), the
Hamiltonian tabulated per normal angle as prefix sums over the strata (O(1) a node), the
dissipation at each node the largest |∂H/∂p_i| over its one-sided gradient pairs (never
above the bound over its visible strata), so shadowed Si (no visible stratum) never
moves.  The limit h → 0 is estimated from three spacings by the observed order.

Measured like the bench (``bench_ion_beam.measure``), from the zero level: opening =
x_right − x_left at z = −1.5 (0.5 µm below the initial floor), depth below the initial
floor at the centre (mean over |x| < 0.25), lowest point of the floor (|x| < 2).

Run: python bench/bench_ion_beam_ref.py  → bench/results/ion_beam_ref_s15.md
"""
from __future__ import annotations

import math
import os
import sys
import time

import numba
import numpy as np

import harness

TILT, N_EXP, E0, SIG, ETH = 35.0, 100.0, 100.0, 10.0, 10.0
A = (1.075, -1.55, 0.65, 0.0)
HALF, MASK_TOP, FLOOR, T_END = 2.5, 1.0, -1.0, 2.0       # µm, µm, µm, min
K_DIR, M_ANG = 2048, 2048                                 # strata; normal-angle table
X0, X1, Z0, Z1 = -2.9, 4.9, -3.7, 0.1                      # solved domain (µm)


def yield_cos4(c):
    return (A[0] * c + A[1] * c ** 2 + A[2] * c ** 3 + A[3] * c ** 4) / sum(A)


def mean_g_ratio() -> float:
    """⟨√E − √E_th⟩/(√E₀ − √E_th) over the Gaussian energies (truncated at E ≥ 0)."""
    e = np.linspace(max(0.0, E0 - 8 * SIG), E0 + 8 * SIG, 200_001)
    p = np.exp(-0.5 * ((e - E0) / SIG) ** 2)
    g = np.maximum(np.sqrt(e) - math.sqrt(ETH), 0.0)
    return float(np.trapezoid(p * g, e) / np.trapezoid(p, e)) / (math.sqrt(E0) - math.sqrt(ETH))


def strata(k: int = K_DIR) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The in-plane angle's CDF on a fine grid (angles, cdf) and the K quantile midpoints."""
    amax = math.acos(math.exp(-40.0 / N_EXP))
    a = np.linspace(-amax, amax, 400_001)
    p = np.cos(a) ** N_EXP
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (p[1:] + p[:-1]))])
    cdf /= cdf[-1]
    a = a + math.radians(TILT)
    mid = np.interp((np.arange(k) + 0.5) / k, cdf, a)
    return a, cdf, mid


def tables(mid: np.ndarray):
    """Prefix sums over the strata, per normal angle ψ (n = (sin ψ, cos ψ)): S[ψ, k] =
    Σ_{j<k} c_j Y(c_j)/cos α_j / K, and the dissipation bound B[k] = Σ_{j<k} L/cos α_j / K
    (L = max|g| + max|g'| of g(c) = c Y(c), which bounds |∂/∂p (|p| g(c))|)."""
    K = mid.size
    psi = np.linspace(-math.pi, math.pi, M_ANG + 1)
    n = np.stack([np.sin(psi), np.cos(psi)], axis=1)
    d = np.stack([np.sin(mid), -np.cos(mid)], axis=1)
    c = np.clip(-(n @ d.T), 0.0, 1.0)
    f = c * yield_cos4(c) / np.cos(mid)[None, :] / K
    S = np.zeros((M_ANG + 1, K + 1))
    S[:, 1:] = np.cumsum(f, axis=1)
    cc = np.linspace(0, 1, 10001)
    gg = cc * yield_cos4(cc)
    L = float(np.abs(gg).max() + np.abs(np.gradient(gg, cc)).max())
    B = np.concatenate([[0.0], np.cumsum(L / np.cos(mid) / K)])
    return S, B


def visible_range(x: np.ndarray, z: np.ndarray, a: np.ndarray, cdf: np.ndarray) -> tuple:
    """(u_lo, u_hi): the beam's visible share at each point is the CDF interval of the
    angles whose back-ray clears both masks: tan α in (T_lo, T_hi) (module docstring)."""
    zz = np.minimum(z, -1e-12)
    t_lo = np.maximum((x - HALF) / (-zz), (x - HALF) / (MASK_TOP - zz))
    t_hi = np.minimum((x + HALF) / (-zz), (x + HALF) / (MASK_TOP - zz))
    u = lambda t: np.interp(np.arctan(t), a, cdf)   # noqa: E731
    lo, hi = u(t_lo), u(t_hi)
    return lo, np.maximum(hi, lo)


def initial_phi(X: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """Signed distance to the initial Si (negative inside)."""
    pts = [(-1e3, 0.0), (-HALF, 0.0), (-HALF, FLOOR), (HALF, FLOOR), (HALF, 0.0), (1e3, 0.0)]
    d = np.full(X.shape, np.inf)
    for (ax, az), (bx, bz) in zip(pts[:-1], pts[1:]):
        ex, ez = bx - ax, bz - az
        t = np.clip(((X - ax) * ex + (Z - az) * ez) / (ex * ex + ez * ez), 0.0, 1.0)
        d = np.minimum(d, np.hypot(X - ax - t * ex, Z - az - t * ez))
    inside = (Z < FLOOR) | ((np.abs(X) > HALF) & (Z < 0.0))
    return np.where(inside, -d, d)


@numba.njit(cache=True)
def _lookup(S, psi, kf):
    """S at normal angle psi (linear in ψ) and fractional stratum index kf (linear)."""
    m = S.shape[0] - 1
    s = (psi + math.pi) / (2.0 * math.pi) * m
    i = min(max(int(s), 0), m - 1)
    fs = s - i
    K = S.shape[1] - 1
    kf = min(max(kf, 0.0), float(K))
    j = min(int(kf), K - 1)
    fk = kf - j
    a = S[i, j] + fk * (S[i, j + 1] - S[i, j])
    b = S[i + 1, j] + fk * (S[i + 1, j + 1] - S[i + 1, j])
    return a + fs * (b - a)


@numba.njit(cache=True)
def _G(S, psi, klo, khi):
    return _lookup(S, psi, khi) - _lookup(S, psi, klo)


@numba.njit(cache=True)
def _minmod(a, b):
    if a * b <= 0.0:
        return 0.0
    return a if abs(a) < abs(b) else b


@numba.njit(cache=True)
def _rhs(phi, klo, khi, alpha, S, C, h, order, out):
    """dφ/dt = H(x, ∇φ) with local Lax–Friedrichs: ENO2 one-sided differences (order 2)
    or first-order ones; the dissipation α_x, α_z at each node the largest |∂H/∂p_x|,
    |∂H/∂p_z| over the four one-sided gradient pairs (H = C|p| G(ψ), G the visible
    strata's sum at the normal angle ψ; G' by a centred difference in ψ), never above
    the node's global bound ``alpha``."""
    nx, nz = phi.shape
    dpsi = 2.0 * math.pi / (S.shape[0] - 1)
    amax = 0.0
    for i in range(nx):
        for j in range(nz):
            if alpha[i, j] == 0.0:
                out[i, j] = 0.0
                continue
            im, ip = max(i - 1, 0), min(i + 1, nx - 1)
            jm, jp = max(j - 1, 0), min(j + 1, nz - 1)
            pxm = (phi[i, j] - phi[im, j]) / h
            pxp = (phi[ip, j] - phi[i, j]) / h
            pzm = (phi[i, j] - phi[i, jm]) / h
            pzp = (phi[i, jp] - phi[i, j]) / h
            if order == 2 and 1 < i < nx - 2 and 1 < j < nz - 2:
                d0 = (phi[ip, j] - 2 * phi[i, j] + phi[im, j]) / h
                pxm += 0.5 * _minmod(d0, (phi[i, j] - 2 * phi[im, j] + phi[i - 2, j]) / h)
                pxp -= 0.5 * _minmod(d0, (phi[i + 2, j] - 2 * phi[ip, j] + phi[i, j]) / h)
                d0 = (phi[i, jp] - 2 * phi[i, j] + phi[i, jm]) / h
                pzm += 0.5 * _minmod(d0, (phi[i, j] - 2 * phi[i, jm] + phi[i, j - 2]) / h)
                pzp -= 0.5 * _minmod(d0, (phi[i, j + 2] - 2 * phi[i, jp] + phi[i, j]) / h)
            kl, kh = klo[i, j], khi[i, j]
            ax = 0.0
            az = 0.0
            for qx in (pxm, pxp):
                for qz in (pzm, pzp):
                    if qx == 0.0 and qz == 0.0:
                        continue
                    ps = math.atan2(qx, qz)
                    g = _G(S, ps, kl, kh)
                    gp = (_G(S, ps + dpsi, kl, kh) - _G(S, ps - dpsi, kl, kh)) / (2 * dpsi)
                    sx, cz = math.sin(ps), math.cos(ps)
                    ax = max(ax, abs(g * sx + gp * cz))
                    az = max(az, abs(g * cz - gp * sx))
            ax = min(C * ax * 1.1, alpha[i, j])
            az = min(C * az * 1.1, alpha[i, j])
            amax = max(amax, ax + az)
            px, pz = 0.5 * (pxm + pxp), 0.5 * (pzm + pzp)
            gg = math.hypot(px, pz)
            H = 0.0
            if gg > 0.0:
                H = C * gg * _G(S, math.atan2(px, pz), kl, kh)
            out[i, j] = H + 0.5 * ax * (pxp - pxm) + 0.5 * az * (pzp - pzm)
    return amax


@numba.njit(cache=True)
def _run(phi, klo, khi, alpha, S, C, h, t_end, cfl, order):
    """Forward Euler (order 1) or Heun's method (order 2, TVD-RK2) to t_end, each step
    dt = cfl·h/max(α_x + α_z) over the local dissipation coefficients of its first stage
    (never more than 4 × the step of the global bound)."""
    dt_min = cfl * h / (2.0 * alpha.max())
    k1 = np.empty_like(phi)
    k2 = np.empty_like(phi)
    t = 0.0
    nsteps = 0
    while t < t_end * (1.0 - 1e-12):
        a = _rhs(phi, klo, khi, alpha, S, C, h, order, k1)
        dt = min(cfl * h / max(a, 1e-30), 4.0 * dt_min, t_end - t)
        if order == 1:
            phi += dt * k1
        else:
            tmp = phi + dt * k1
            _rhs(tmp, klo, khi, alpha, S, C, h, order, k2)
            phi += 0.5 * dt * (k1 + k2)
        t += dt
        nsteps += 1
    return phi, nsteps


def crossings(v: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Coordinates where the sampled function v(c) changes sign (linear)."""
    s = np.nonzero(np.sign(v[:-1]) * np.sign(v[1:]) < 0)[0]
    return c[s] - v[s] * (c[s + 1] - c[s]) / (v[s + 1] - v[s])


def solve(h: float, k: int = K_DIR, t_end: float = T_END, cfl: float = 0.45,
          order: int = 2) -> dict:
    a, cdf, mid = strata(k)
    S, B = tables(mid)
    xs = np.arange(round((X1 - X0) / h) + 1) * h + X0
    zs = np.arange(round((Z1 - Z0) / h) + 1) * h + Z0
    X, Z = np.meshgrid(xs, zs, indexing="ij")
    lo, hi = visible_range(X, Z, a, cdf)
    klo, khi = lo * k, hi * k
    C = mean_g_ratio() / float(yield_cos4(math.cos(math.radians(TILT))))
    alpha = C * (np.interp(khi, np.arange(k + 1), B) - np.interp(klo, np.arange(k + 1), B))
    alpha[Z > 0.0] = 0.0                        # above the Si top: never Si
    phi = initial_phi(X, Z)
    phi, nsteps = _run(phi, klo, khi, alpha, S, C, h, t_end, cfl, order)
    return measure(phi, xs, zs) | {"steps": nsteps, "phi": phi, "xs": xs, "zs": zs}


def measure(phi, xs, zs) -> dict:
    jz = int(round((-1.5 - zs[0]) / (zs[1] - zs[0])))
    cx = crossings(phi[:, jz], xs)
    out = {"xl": float(cx[cx < 0].max()), "xr": float(cx[cx > 0].min())}
    out["cd"] = out["xr"] - out["xl"]
    fz = []
    for i in np.nonzero(np.abs(xs) < 2.0)[0]:
        cz = crossings(phi[i, :], zs)
        cz = cz[cz < 0.0]
        fz.append((xs[i], cz.min() if cz.size else np.nan))
    fz = np.array(fz)
    out["depth"] = -float(np.mean(fz[np.abs(fz[:, 0]) < 0.25, 1])) + FLOOR
    out["lowest"] = -float(np.nanmin(fz[:, 1])) + FLOOR
    return out


def extrapolate(v: list[float]) -> tuple[float, float]:
    """(limit, order p) from values at h, h/2, h/4: p = log₂(Δ₁/Δ₂), limit = v₂ + Δ₂/(2ᵖ − 1);
    (v₂, nan) where the differences change sign."""
    d1, d2 = v[1] - v[0], v[2] - v[1]
    if d1 * d2 <= 0 or abs(d2) >= abs(d1):
        return v[2], float("nan")
    p = math.log2(d1 / d2)
    return v[2] + d2 / (2.0 ** p - 1.0), p


def main() -> None:
    hs = [float(v) for v in sys.argv[1:] if not v.startswith("-")] or [0.02, 0.01, 0.005]
    load0 = os.getloadavg()[0]
    rows, res = [], []
    for h in hs:
        c0 = time.process_time()
        r = solve(h)
        cpu = time.process_time() - c0
        np.save(harness.RESULTS.parent / f".ref_phi_{h:g}.npy", r["phi"]) if "--save" in sys.argv else None
        res.append(r)
        rows.append(f"| {h:g} | {r['xl']:.4f} | {r['xr']:.4f} | {r['cd']:.4f} | {r['depth']:.4f} | "
                    f"{r['lowest']:.4f} | {r['steps']} | {cpu:.1f} |")
        print(rows[-1], flush=True)
    if len(res) >= 3:
        ex = {}
        for key in ("xl", "xr", "cd", "depth", "lowest"):
            ex[key] = extrapolate([r[key] for r in res[-3:]])
        rows.append("| → 0 (observed order) | " + " | ".join(
            f"{ex[k][0]:.4f} (p {ex[k][1]:.2f})" for k in ("xl", "xr", "cd", "depth", "lowest"))
            + " | | |")
        print(rows[-1])
    load = os.getloadavg()[0]
    text = ["## Ion beam trench (35°): an independent fine-grid reference", "",
            "`python bench/bench_ion_beam_ref.py` (module docstring): the bench's 2D trench "
            "with exact, unmoved masks, the direct first-hit flux of the model (no reflected "
            f"ions, no Si–Si shadowing), {K_DIR} beam strata, local Lax–Friedrichs, ENO2 + "
            "Heun, on uniform grids; x at z = −1.5 µm (0.5 µm below the initial floor), depth and "
            f"lowest point below the initial floor (µm); CPU (s), one thread. Load average "
            f"{load0:.1f} at the start, {load:.1f} at the end.", "",
            "| h (µm) | x_left | x_right | opening | depth | lowest | steps | CPU (s) |",
            "|---|---|---|---|---|---|---|---|", *rows, ""]
    if "--no-write" not in sys.argv:
        out = harness.RESULTS / "ion_beam_ref_s15.md"
        harness.write_text(out, "\n".join(text))
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
