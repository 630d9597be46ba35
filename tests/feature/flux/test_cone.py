"""The coned specular lobe (ViennaRay's ``ReflectionConedCosine``, ViennaPS's ion)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from waferlab.feature.flux import _kernels as K
from waferlab.feature.flux.sources import VIENNAPS_ION_CONE, Species


def _lobe(theta_in, n=20000, seed=7):
    """n directions re-emitted from a horizontal surface (normal +z) hit at theta_in."""
    s = np.empty(4, np.uint64)
    K._seed_state(seed, s)
    d = np.array([math.sin(theta_in), 0.0, -math.cos(theta_in)])
    spec = d + 2.0 * math.cos(theta_in) * np.array([0.0, 0.0, 1.0])
    out = np.array([K._cone(s, *spec, 0.0, 0.0, 1.0, math.cos(theta_in), VIENNAPS_ION_CONE)
                    for _ in range(n)])
    return spec, out


def _law(alpha):
    """Density of ψ (angle to specular) per dψ: cos(πψ/2α) sin ψ, normalised on [0, α]."""
    from scipy import integrate

    pdf = lambda x: math.cos(0.5 * math.pi * x / alpha) * math.sin(x)  # noqa: E731
    z = integrate.quad(pdf, 0.0, alpha)[0]
    cdf = np.vectorize(lambda x: integrate.quad(pdf, 0.0, min(max(x, 0.0), alpha))[0] / z)
    mean_cos = integrate.quad(lambda x: math.cos(x) * pdf(x), 0.0, alpha)[0] / z
    return cdf, mean_cos


def test_lobe_is_the_coned_cosine_about_specular():
    """θ_in = 60°: cone half-angle α = 90° − 60° = 30°, tangent to the surface, so no
    direction needs mirroring.  ViennaRay's coned-cosine law: density per solid angle
    ∝ cos(πψ/2α).  ⟨cos ψ⟩ within 3σ of the quadrature value (σ = sample std/√n) and the
    ψ distribution by a Kolmogorov–Smirnov test (D below the 0.1 % value 1.95/√n); the
    uniform cap (the law used before) fails the same test."""
    from scipy import stats

    th = math.radians(60.0)
    spec, out = _lobe(th)
    c = np.clip(out @ spec, -1.0, 1.0)
    a = math.pi / 2 - th
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0)
    assert c.min() >= math.cos(a) - 1e-12 and (out[:, 2] > 0).all()
    cdf, mean_cos = _law(a)
    assert abs(c.mean() - mean_cos) < 3 * c.std() / math.sqrt(len(c))
    psi = np.arccos(c)
    n = len(psi)
    assert stats.kstest(psi, cdf).statistic < 1.95 / math.sqrt(n)
    uniform_cap = lambda x: (1 - np.cos(np.clip(x, 0, a))) / (1 - math.cos(a))  # noqa: E731
    assert stats.kstest(psi, uniform_cap).statistic > 1.95 / math.sqrt(n)
    assert abs(np.arctan2(out[:, 1], out[:, 0] - 0).mean()) < 0.1     # azimuthally balanced


def test_grazing_ions_get_the_narrow_cone():
    """θ_in = 85° ≥ 80° (the peer's minAngle): α = 10°; directions that would point into
    the surface are mirrored above it, so all leave upwards within 10° of specular."""
    th = math.radians(85.0)
    spec, out = _lobe(th, n=5000)
    ang = np.degrees(np.arccos(np.clip(out @ spec, -1, 1)))
    assert ang.max() <= 10.0 + 1e-9 and ang.max() > 7.0
    assert (out[:, 2] > 0).all()


def test_cone_option_validated_and_switched_by_the_recipe():
    with pytest.raises(ValueError, match="specular_cone"):
        Species(name="ion", sticking=1.0, specular=1.0, specular_cone=2.0)
    from waferlab.errors import RecipeError
    from waferlab.feature.etch_models import SF6O2Spec
    from waferlab.recipe_io import validate_section

    def ion(**extra):
        spec = validate_section(SF6O2Spec, {"model": "sf6o2", **extra}, "steps[0].etch")
        m = spec.build(kind="etch", materials=("Si", "Mask"), target=None)
        return next(sp for sp in m.model.species() if sp.name == "ion")
    assert ion().specular_cone == pytest.approx(math.radians(80.0))    # the sf6o2 default
    assert ion(ion_lobe="specular").specular_cone is None
    with pytest.raises(RecipeError, match="ion_lobe"):
        ion(ion_lobe="wide")
