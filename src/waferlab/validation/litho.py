"""Lithography reference problems: coherent 1:1 grating image,
Dill exposure with B = 0, Mack development rate."""
from __future__ import annotations

import math

import numpy as np

from .core import Check, ReferenceProblem, register

__all__ = ["DILL_CHECK", "grating_partial_coherence"]

# Dill B = 0 check values at A = 0.8 µm⁻¹, C = 0.015 cm²/mJ, 100 mJ/cm²
DILL_CHECK = {0.0: 0.22313, 0.5e-6: 0.29995, 1.0e-6: 0.38995}


def _run_grating(ctx, quick):
    from ..litho.imaging import Optics, abbe_image
    from ..litho.mask import grating_mask
    from ..litho.metrics import grating_metrics
    from ..litho.source import sample_source
    from ..litho.spec import CircularSource

    pitch = 400e-9
    m = grating_mask(pitch=pitch, duty=0.5, pixel=(2e-9 if quick else 0.5e-9))
    image = abbe_image(m, Optics(wavelength=193e-9, na=0.75),
                       sample_source(CircularSource(shape="circular", sigma=0.0)))[0]
    g = grating_metrics(m.x, image, pitch=pitch, duty=0.5, threshold=0.25)
    a0, a1 = 0.5, 2 / math.pi           # orders 0 and ±1 of the 1:1 amplitude grating
    i_max, i_min = (a0 + a1) ** 2, (a0 - a1) ** 2
    tol, basis = 1e-6, "1e-6 (exact Fourier series; metric interpolation)"
    return [
        Check(quantity="I_max (= (1/2 + 2/π)²)", measured=g["i_max"], reference=i_max,
              tolerance=tol, basis=basis),
        Check(quantity="I_min (= (1/2 − 2/π)²)", measured=g["i_min"], reference=i_min,
              tolerance=tol, basis=basis),
        Check(quantity="contrast", measured=g["contrast"],
              reference=(i_max - i_min) / (i_max + i_min), tolerance=tol, basis=basis),
        Check(quantity="I at the nominal edge", measured=g["edge_intensity"], reference=0.25,
              tolerance=tol, basis=basis),
        Check(quantity="NILS", measured=g["nils"], reference=8.0, tolerance=1e-4,
              basis="1e-4 (slope of the interpolated cut)"),
    ]


register(ReferenceProblem(
    name="litho_coherent_grating", scale="litho",
    source="C. A. Mack, Fundamental Principles of Optical Lithography, Wiley (2007), ch. 2",
    description="coherent Abbe image of a 400 nm 1:1 binary grating, 193 nm / NA 0.75 "
                "(orders 0, ±1): I = [1/2 + (2/π) cos(2πx/p)]²",
    run=_run_grating))


def _lens_area(r1: float, r2: float, d: float) -> float:
    """Area of the intersection of two discs of radii r1, r2 whose centres are d apart."""
    if d >= r1 + r2:
        return 0.0
    if d <= abs(r2 - r1):
        return math.pi * min(r1, r2) ** 2
    return (r1 * r1 * math.acos((d * d + r1 * r1 - r2 * r2) / (2 * d * r1))
            + r2 * r2 * math.acos((d * d + r2 * r2 - r1 * r1) / (2 * d * r2))
            - 0.5 * math.sqrt((-d + r1 + r2) * (d + r1 - r2) * (d - r1 + r2) * (d + r1 + r2)))


def grating_partial_coherence(x: np.ndarray, *, pitch: float, sigma: float, wavelength: float,
                              na: float) -> np.ndarray:
    """Exact image of a 1:1 binary grating (clear space centred at x = 0) under a uniform
    circular source of radius ``sigma`` with an ideal pupil, when orders 0 and ±1 are the
    only ones that reach the pupil (Hopkins, Proc. R. Soc. A 217, 408, 1953):

        I = a0² + 2 a1² T1 + 4 a0 a1 T1 cos(2πx/p) + 2 a1² T± cos(4πx/p),

    a0 = 1/2, a1 = 1/π; T1 = |source ∩ pupil shifted by s1| / |source| (a lens, closed
    form), T± = |source ∩ both shifted pupils| / |source| (a 1D quadrature), s1 = λ/(p NA).
    """
    from scipy.integrate import quad

    s1 = wavelength / (pitch * na)
    if 3 * s1 <= 1 + sigma:
        raise ValueError("third orders reach the pupil: the three-order form does not hold")
    area = math.pi * sigma * sigma
    t1 = _lens_area(sigma, 1.0, s1) / area

    def height(u):              # half-height of source ∩ both pupils at |x| = u
        return min(math.sqrt(max(sigma * sigma - u * u, 0.0)),
                   math.sqrt(max(1.0 - (u + s1) ** 2, 0.0)))

    edge = min(sigma, max(1.0 - s1, 0.0))
    kink = [u for u in (math.sqrt(max(sigma ** 2 - (1 - s1 * s1 - sigma ** 2) ** 2
                                      / (4 * s1 * s1), 0.0)),) if 0 < u < edge]
    tb = 4 * quad(height, 0.0, edge, points=kink or None, epsabs=1e-13, epsrel=1e-12)[0] / area \
        if edge > 0 else 0.0
    a0, a1 = 0.5, 1.0 / math.pi
    th = 2 * math.pi * np.asarray(x, float) / pitch
    return a0 * a0 + 2 * a1 * a1 * t1 + 4 * a0 * a1 * t1 * np.cos(th) + 2 * a1 * a1 * tb * np.cos(2 * th)


def _run_partial(ctx, quick):
    from ..litho.pipeline import compute_image
    from ..litho.spec import LithoSpec

    checks = []
    cases = [(300e-9, 0.3), (300e-9, 0.7)] if quick else \
        [(p, s) for p in (240e-9, 300e-9, 400e-9) for s in (0.3, 0.5, 0.7)]
    for pitch, sigma in cases:
        spec = LithoSpec.model_validate({
            "optics": {"wavelength": "193 nm", "na": 0.75,
                       "source": {"shape": "circular", "sigma": sigma}},
            "mask": {"type": "grating", "pitch": f"{pitch * 1e9:g} nm", "duty": 0.5},
            "image": {"pixel": "1 nm"}})
        res = compute_image(spec)
        ref = grating_partial_coherence(res.mask.x, pitch=pitch, sigma=sigma,
                                        wavelength=193e-9, na=0.75)
        checks.append(Check(quantity=f"max |I − I_exact|, p {pitch * 1e9:g} nm, σ {sigma}",
                            measured=float(np.max(np.abs(res.intensity[0] - ref))),
                            reference=0.0, tolerance=2e-3,
                            basis="2e-3 (default source sampling against the exact source "
                                  "integral)"))
    return checks


register(ReferenceProblem(
    name="litho_partial_coherence_default", scale="litho",
    source="H. H. Hopkins, Proc. R. Soc. A 217, 408 (1953)",
    description="partially coherent image of 1:1 gratings (193 nm, NA 0.75, circular σ "
                "0.3–0.7) with the DEFAULT source sampling vs the exact source integral",
    run=_run_partial))


def _run_dill(ctx, quick):
    from ..litho.resist import Dill, dill_exposure

    A, C, dose = 0.8e6, 0.015e-4 / 1e-3, 100e-3 / 1e-4   # 1/m, m²/J, J/m²
    dz = 0.05e-6 if quick else 0.0125e-6
    m, z = dill_exposure(np.ones(1), dose=dose, dill=Dill(A=A, B=0.0, C=C), thickness=1e-6,
                         dz=dz, steps=int(round(2e-6 / dz)))
    return [Check(quantity=f"M(z = {zc * 1e6:g} µm) (dz = {dz * 1e9:g} nm)",
                  measured=float(np.interp(zc, z, m[:, 0])), reference=ref, tolerance=1e-4,
                  basis="1e-4 (5-digit values; 2nd-order solver)")
            for zc, ref in DILL_CHECK.items()]


register(ReferenceProblem(
    name="dill_exposure_b0", scale="litho",
    source="F. H. Dill et al., IEEE Trans. Electron Devices 22, 445 (1975)",
    description="Dill ABC exposure with B = 0 (A 0.8 µm⁻¹, C 0.015 cm²/mJ, 100 mJ/cm²) vs "
                "M = 1/[1 + (e^{CIt} − 1)e^{−Az}]",
    run=_run_dill))


def _run_mack(ctx, quick):
    from ..litho.resist import MackRate

    r = MackRate(rmax=100e-9, rmin=0.1e-9, n=5.0, m_th=0.5)
    # a = (n+1)/(n−1)(1−m_th)^n = 0.046875; R(0.5) = 100·1.046875·0.03125/0.078125 + 0.1
    ref = {0.0: 100.1, 0.5: 41.975, 1.0: 0.1}
    return [Check(quantity=f"R(m = {m:g})", measured=float(r(m)) * 1e9, reference=v,
                  tolerance=1e-9 * v, unit="nm/s", basis="1e-9 relative (closed form)")
            for m, v in ref.items()]


register(ReferenceProblem(
    name="mack_development_rate", scale="litho",
    source="C. A. Mack, J. Electrochem. Soc. 134, 148 (1987)",
    description="Mack rate R_max 100 nm/s, R_min 0.1 nm/s, n 5, m_th 0.5 at m = 0, 0.5, 1",
    run=_run_mack))
