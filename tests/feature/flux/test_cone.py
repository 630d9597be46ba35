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


def test_lobe_is_uniform_on_the_cap_about_specular():
    """θ_in = 60°: cap half-angle α = 90° − 60° = 30°, tangent to the surface, so nothing
    is redrawn and cos(angle to specular) is uniform on [cos α, 1]: mean (1 + cos α)/2,
    σ of the mean (1 − cos α)/√12/√n."""
    th = math.radians(60.0)
    spec, out = _lobe(th)
    c = out @ spec
    a = math.pi / 2 - th
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0)
    assert c.min() >= math.cos(a) - 1e-12 and (out[:, 2] > 0).all()
    sigma = (1 - math.cos(a)) / math.sqrt(12 * len(c))
    assert abs(c.mean() - 0.5 * (1 + math.cos(a))) < 3 * sigma
    assert abs(np.arctan2(out[:, 1], out[:, 0] - 0).mean()) < 0.1     # azimuthally balanced


def test_grazing_ions_get_the_narrow_cone():
    """θ_in = 85° ≥ 80° (the peer's minAngle): α = 10°, all directions above the surface."""
    th = math.radians(85.0)
    spec, out = _lobe(th, n=5000)
    ang = np.degrees(np.arccos(np.clip(out @ spec, -1, 1)))
    assert ang.max() <= 10.0 + 1e-9 and ang.max() > 9.0
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
        return next(sp for sp in m.species() if sp.name == "ion")
    assert ion(ion_lobe="cone").specular_cone == pytest.approx(math.radians(80.0))
    assert ion().specular_cone is None
    with pytest.raises(RecipeError, match="ion_lobe"):
        ion(ion_lobe="wide")
