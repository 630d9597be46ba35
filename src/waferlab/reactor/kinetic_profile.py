"""Volume averages n̄/n₀ of the exact low-pressure kinetic discharge profiles (issue #14): the
plane (plates l apart) and the long cylinder (radius R) of :mod:`waferlab.validation.presheath`
(Tonks–Langmuir with constant-λ charge exchange, cold ions, Boltzmann electrons; Riemann,
J. Phys. D 24, 493, 1991), tabulated in t = (1 + x)^-½ and interpolated linearly (within 0.3 % of
the solver at every x; tests/reactor/test_state_profile.py).  The global model divides L&L's
edge-to-centre h-factors by them (:class:`.global_model.GlobalModel`).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["plane_average", "cylinder_average"]

# ⟨n⟩/n₀ of the exact kinetic discharge (cold ions born at rest, Boltzmann electrons, charge
# exchange with a constant mean free path λ: validation.presheath.plane_presheath, dt 5e-4) at
# nodes of t = (1 + x)^(-1/2), x = l/λ (plane, plates l apart) or R/λ (long cylinder).  t = 1 is
# the collisionless Tonks–Langmuir / Self limit; t = 0 (x → ∞) the variable-mobility limit
# y y' = −(∫y)² (plane), y y' = −(∫y s ds / s)² (cylinder), integrated to y = 0: 0.82699, 0.69861.
# The table is regenerated and checked by tests/reactor/test_state_profile.py.
_PLANE_T = (0.000000, 0.046573, 0.069773, 0.101130, 0.152507, 0.223012, 0.339690, 0.493486,
            0.697478, 0.854295, 0.947708, 0.981525, 0.994348, 1.000000)
_PLANE_AVG = (0.82699, 0.82968, 0.83205, 0.83509, 0.83946, 0.84382, 0.84769, 0.84969, 0.85067,
              0.85109, 0.85129, 0.85135, 0.85138, 0.85139)
_CYL_T = (0.000000, 0.051076, 0.076404, 0.110483, 0.165832, 0.240634, 0.361237, 0.514733, 0.711965,
          0.861333, 0.950186, 0.982377, 0.994594, 1.000000)
_CYL_AVG = (0.69861, 0.70078, 0.70360, 0.70669, 0.71081, 0.71430, 0.71553, 0.71276, 0.70732,
            0.70345, 0.70142, 0.70073, 0.70048, 0.70037)


def _table_average(x: float, nodes: tuple[float, ...], values: tuple[float, ...]) -> float:
    t = 1.0 / math.sqrt(1.0 + max(x, 0.0))
    return float(np.interp(t, nodes, values))


def plane_average(l_over_lambda):
    """n̄/n₀ of the exact kinetic plane discharge (plates l apart; array in, array out)."""
    t = 1.0 / np.sqrt(1.0 + np.maximum(np.asarray(l_over_lambda, float), 0.0))
    return np.interp(t, _PLANE_T, _PLANE_AVG)


def cylinder_average(R_over_lambda):
    """n̄/n₀ of the exact kinetic long-cylinder discharge (radius R; array in, array out)."""
    t = 1.0 / np.sqrt(1.0 + np.maximum(np.asarray(R_over_lambda, float), 0.0))
    return np.interp(t, _CYL_T, _CYL_AVG)
