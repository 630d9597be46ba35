"""Physical constants as SI floats (CODATA 2018 via scipy.constants)."""
from __future__ import annotations

from scipy import constants as _c

__all__ = ["K_B", "E_CHARGE", "M_E", "AMU", "EPS0", "N_A", "H_PLANCK", "C_LIGHT",
           "R_GAS", "TORR", "EV", "PI"]

K_B: float = _c.k               # J/K
E_CHARGE: float = _c.e          # C
EV: float = _c.e                # J per eV
M_E: float = _c.m_e             # kg
AMU: float = _c.atomic_mass     # kg
EPS0: float = _c.epsilon_0      # F/m
N_A: float = _c.N_A             # 1/mol
H_PLANCK: float = _c.h          # J s
C_LIGHT: float = _c.c           # m/s
R_GAS: float = _c.R             # J/(mol K)
TORR: float = _c.torr           # Pa
PI: float = _c.pi
