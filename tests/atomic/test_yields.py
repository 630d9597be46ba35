"""Yields: Steinbrüchel energy law (Steinbrüchel, Appl. Phys. Lett. 55, 1960, 1989),
Belen et al. angular factors (J. Vac. Sci. Technol. A 23, 99, 2005), averages."""
import math

import numpy as np
import pytest
from scipy import integrate

from waferlab.atomic.yields import (IonYield, angular_factor, cos_power_average,
                                    gaussian_iedf, iedf_average, steinbruchel_yield)


def test_steinbruchel_law_and_threshold():
    E = np.array([0.0, 10.0, 20.0, 100.0, 400.0])
    Y = steinbruchel_yield(E, 0.5, 20.0)
    assert np.all(Y[:3] == 0.0)
    np.testing.assert_allclose(Y[3:], 0.5 * (np.sqrt(E[3:]) - math.sqrt(20.0)), rtol=1e-15)


def test_angular_factors_values():
    th = np.deg2rad([0.0, 30.0, 60.0, 75.0, 90.0])
    c = np.cos(th)
    np.testing.assert_allclose(angular_factor("sputter", c, 9.3),
                               (1 + 9.3 * np.sin(th) ** 2) * np.cos(th), atol=1e-12)
    ie = angular_factor("belen_ie", c)
    np.testing.assert_allclose(ie, [1.0, 1.0, 1.0, 3 - 6 * np.deg2rad(75) / np.pi, 0.0], atol=1e-9)
    # continuous at 60 deg
    eps = 1e-7
    assert abs(angular_factor("belen_ie", math.cos(math.pi / 3 + eps)) - 1.0) < 1e-5
    with pytest.raises(ValueError, match="known"):
        angular_factor("nope", c)


def test_cos_power_average_exact_for_sputter_law():
    """<(1 + B(1−u²))u> with density (n+1)uⁿ = (1+B)(n+1)/(n+2) − B(n+1)/(n+4)."""
    B = 9.3
    for n in (1.0, 10.0, 500.0, 1000.0):
        exact = (1 + B) * (n + 1) / (n + 2) - B * (n + 1) / (n + 4)
        got = cos_power_average(lambda u: angular_factor("sputter", u, B), n)
        assert got == pytest.approx(exact, rel=1e-10)


def test_iedf_average_converges_second_order():
    """Trapezoidal average of Y over a Gaussian IEDF against adaptive quadrature."""
    y = IonYield(A=7.0, threshold_eV=15.0)
    mean, sig = 30.0, 10.0          # threshold inside the distribution: the kink matters
    lo = max(0.0, mean - 6 * sig)
    w = lambda e: math.exp(-0.5 * ((e - mean) / sig) ** 2)
    num = integrate.quad(lambda e: float(y.energy_part(e)) * w(e), lo, mean + 6 * sig,
                         points=[15.0], epsabs=0, epsrel=1e-13)[0]
    den = integrate.quad(w, lo, mean + 6 * sig, epsabs=0, epsrel=1e-13)[0]
    ref = num / den
    ns = np.array([31, 61, 121, 241, 481])
    errs = []
    for n in ns:
        e, p = gaussian_iedf(mean, sig, n=int(n))
        errs.append(abs(iedf_average(y.energy_part, e, p) - ref))
    h = 1.0 / (ns - 1)
    slope = np.polyfit(np.log(h), np.log(errs), 1)[0]
    assert slope > 1.7, (slope, errs)
    assert errs[-2] / ref < 1e-4       # the default n = 241


def test_monoenergetic_and_errors():
    y = IonYield(A=2.0, threshold_eV=10.0, angular="cosine")
    assert iedf_average(y.energy_part, [110.0], [1.0]) == pytest.approx(2 * (math.sqrt(110) - math.sqrt(10)))
    assert y(110.0, 0.5) == pytest.approx(0.5 * 2 * (math.sqrt(110) - math.sqrt(10)))
    with pytest.raises(ValueError):
        iedf_average(y.energy_part, [1.0, 2.0], [1.0])
    with pytest.raises(ValueError):
        IonYield(A=-1, threshold_eV=1)
    e, p = gaussian_iedf(100.0, 0.0)
    assert e.tolist() == [100.0]
