"""2D axisymmetric (r, z) fluid model of an ICP reactor (``reactor.model: fluid2d``).

Modules: :mod:`.mesh` (finite-volume mesh and operator), :mod:`.em` (coil field E_θ),
:mod:`.transport` (quasi-neutral plasma transport and electron energy), :mod:`.neutral`
(gas temperature, axial Stokes flow), :mod:`.model` (the coupled steady state),
:mod:`.output` (fields.nc, wafer.csv, reactor.png).  See docs/reactor.md.
"""
from __future__ import annotations

__all__ = ["solve_fluid2d"]


def solve_fluid2d(spec, **kwargs):
    """Steady state of ``spec`` with the 2D fluid model (see :func:`.model.solve_fluid2d`)."""
    from .model import solve_fluid2d as _solve

    return _solve(spec, **kwargs)
