"""Physical constants as SI floats: CODATA 2022 (E. Tiesinga, P. J. Mohr, D. B. Newell
and B. N. Taylor, "CODATA recommended values of the fundamental physical constants: 2022",
NIST, https://physics.nist.gov/constants; Rev. Mod. Phys. 97, 025002 (2025)).

k, e, h, N_A and c are exact in the 2019 SI; R = N_A k; 1 Torr = 101325/760 Pa.  The
numbers are the ones ``scipy.constants`` 1.15+ gives, written out here because importing
``scipy.constants`` costs ~0.16 s CPU at every start-up (tests/test_startup_imports.py
checks them against scipy's).
"""
from __future__ import annotations

import math

__all__ = ["K_B", "E_CHARGE", "M_E", "AMU", "EPS0", "N_A", "H_PLANCK", "C_LIGHT",
           "R_GAS", "TORR", "EV", "PI"]

K_B: float = 1.380649e-23              # J/K (exact)
E_CHARGE: float = 1.602176634e-19      # C (exact)
EV: float = E_CHARGE                   # J per eV
M_E: float = 9.1093837139e-31          # kg, electron mass (CODATA 2022)
AMU: float = 1.66053906892e-27         # kg, atomic mass constant (CODATA 2022)
EPS0: float = 8.8541878188e-12         # F/m, vacuum permittivity (CODATA 2022)
N_A: float = 6.02214076e23             # 1/mol (exact)
H_PLANCK: float = 6.62607015e-34       # J s (exact)
C_LIGHT: float = 299792458.0           # m/s (exact)
R_GAS: float = N_A * K_B               # J/(mol K) = 8.31446261815324
TORR: float = 101325.0 / 760.0         # Pa = 133.32236842105263
PI: float = math.pi
