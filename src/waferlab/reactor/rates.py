"""Rate-coefficient forms for the global model (a registry, vectorised over T_e).

Every form maps parameters ``p`` (a tuple from the chemistry file) and the electron
temperature ``Te`` (eV, any array shape) or the gas state to a rate coefficient in SI
(m³/s for two-body, m⁶/s for three-body).  ``Te`` is clipped to [0.1, 100] eV so that
fits are never evaluated far outside their range.

Forms
-----
``arrhenius``  k = A T_e^B exp(-C/T_e)                      (Lieberman & Lichtenberg 2005)
``logpoly``    k = A exp(b1 ln T_e + b2 ln² T_e + b3 ln³ T_e)  (L&L Table 3.3 elastic fit)
``kokkoris``   k = exp(A + B ln T_e + C/T_e + D/T_e² + E/T_e³)
               (Kokkoris et al., J. Phys. D 42, 055209, 2009, Table 1)
``constant``   k = A (T_g/300)^B exp(C/T_g)                 (heavy-particle reactions; B, C optional)
``lnconstant`` k = exp(A)   (Kokkoris Table 1 prints ln k for heavy-particle reactions)
``kemaneci``   k = A T_e^B exp(c1/T_e + c2/T_e² + c3/T_e³)   (c's optional; printed signs)
               (Kemaneci et al., Plasma Sources Sci. Technol. 23, 045002, 2014, Table 4)
``shifted``    k = A T_e^B exp(C/(T_e + D))                 (Kemaneci Table 4, attachment)
``lognormal``  k = A exp(-(ln T_e + c)²/(2w²) + ΔE/T_e)     (Kemaneci Table 4, vibrational
               excitation; ΔE optional, > 0 for the detailed-balance reverse)
``expinv``     k = A T_e^B exp(c1/T_e + ... + c5/T_e^5)     (c's optional; Lee & Lieberman,
               J. Vac. Sci. Technol. A 13, 368, 1995, Table II, Cl2 attachment)
``lennon``     k = (T_e/I)^½ e^{−I/T_e} Σ_j a_j log10^j(T_e/I), p = (I, a_0 … a_5)
               (Lennon et al., J. Phys. Chem. Ref. Data 17, 1285, 1988, Eq. 6; atomic
               ionisation, valid for 0.1 < T_e/I < 10)
``troe``       Troe fall-off, k0 [m⁶/s], k∞ [m³/s], F_c, with [M] = total neutral
               density: k = k0[M]/(1+k0[M]/k∞) · F_c^{1/(1+log10²(k0[M]/k∞))}
               (Troe, J. Phys. Chem. 83, 114, 1979)
"""
from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["RATE_FORMS", "N_PARAMS", "is_electron_form", "evaluate"]

TE_MIN, TE_MAX = 0.1, 100.0


def _te(Te):
    return np.clip(Te, TE_MIN, TE_MAX)


def _arrhenius(p, Te, Tg, M):
    A, B, C = p
    t = _te(Te)
    return A * t ** B * np.exp(-C / t)


def _logpoly(p, Te, Tg, M):
    A, b1, b2, b3 = p
    lt = np.log(_te(Te))
    return A * np.exp(b1 * lt + b2 * lt ** 2 + b3 * lt ** 3)


def _kokkoris(p, Te, Tg, M):
    A, B, C, D, E = p
    t = _te(Te)
    return np.exp(np.minimum(A + B * np.log(t) + C / t + D / t ** 2 + E / t ** 3, 0.0))


def _constant(p, Te, Tg, M):
    A = p[0]
    B = p[1] if len(p) > 1 else 0.0
    C = p[2] if len(p) > 2 else 0.0
    return A * (Tg / 300.0) ** B * np.exp(C / Tg) * np.ones_like(np.asarray(M, dtype=float))


def _kemaneci(p, Te, Tg, M):
    t = _te(Te)
    A, B = p[0], p[1]
    c = tuple(p[2:]) + (0.0,) * (5 - len(p))
    expo = np.log(A) + B * np.log(t) + c[0] / t + c[1] / t ** 2 + c[2] / t ** 3
    return np.exp(np.minimum(expo, 0.0))


def _shifted(p, Te, Tg, M):
    A, B, C, D = p
    t = _te(Te)
    return A * t ** B * np.exp(C / (t + D))


def _lognormal(p, Te, Tg, M):
    A, c, w = p[0], p[1], p[2]
    dE = p[3] if len(p) > 3 else 0.0
    t = _te(Te)
    expo = np.log(A) - (np.log(t) + c) ** 2 / (2.0 * w ** 2) + dE / t
    return np.exp(np.minimum(expo, 0.0))


def _expinv(p, Te, Tg, M):
    t = _te(Te)
    expo = np.log(p[0]) + p[1] * np.log(t)
    for j, c in enumerate(p[2:], start=1):
        expo = expo + c / t ** j
    return np.exp(np.minimum(expo, 0.0))


def _lennon(p, Te, Tg, M):
    ip = p[0]
    x = _te(Te) / ip
    lx = np.log10(np.clip(x, 0.1, 10.0))
    poly = sum(a * lx ** j for j, a in enumerate(p[1:]))
    return np.maximum(np.sqrt(x) * np.exp(-1.0 / x) * poly, 0.0)


def _lnconstant(p, Te, Tg, M):
    return np.exp(p[0]) * np.ones_like(np.asarray(M, dtype=float))


def _troe(p, Te, Tg, M):
    k0, kinf, Fc = p
    r = k0 * np.maximum(M, 1.0) / kinf
    return (kinf * r / (1.0 + r)) * Fc ** (1.0 / (1.0 + np.log10(r) ** 2))


RATE_FORMS: dict[str, Callable] = {
    "arrhenius": _arrhenius,
    "logpoly": _logpoly,
    "kokkoris": _kokkoris,
    "constant": _constant,
    "lnconstant": _lnconstant,
    "troe": _troe,
    "kemaneci": _kemaneci,
    "shifted": _shifted,
    "lognormal": _lognormal,
    "expinv": _expinv,
    "lennon": _lennon,
}
N_PARAMS = {"arrhenius": (3,), "logpoly": (4,), "kokkoris": (5,), "constant": (1, 2, 3), "lnconstant": (1,),
            "troe": (3,), "kemaneci": (2, 3, 4, 5), "shifted": (4,), "lognormal": (3, 4),
            "expinv": (2, 3, 4, 5, 6, 7), "lennon": (7,)}
_ELECTRON_FORMS = {"arrhenius", "logpoly", "kokkoris", "kemaneci", "shifted", "lognormal", "expinv",
                   "lennon"}


def is_electron_form(form: str) -> bool:
    """True if the form depends on T_e (electron-impact fits)."""
    return form in _ELECTRON_FORMS


def evaluate(form: str, p, Te, Tg: float, M):
    """Rate coefficient of ``form`` with parameters ``p`` (SI)."""
    return RATE_FORMS[form](tuple(p), Te, Tg, M)
