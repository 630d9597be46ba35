"""2D axisymmetric (r, z) fluid model of an ICP reactor (``reactor.model: fluid2d``).

Modules: :mod:`.mesh` (finite-volume mesh and operator), :mod:`.em` (coil field E_θ),
:mod:`.transport` (quasi-neutral plasma transport and electron energy), :mod:`.neutral`
(gas temperature, axial Stokes flow), :mod:`.model` (the coupled steady state),
:mod:`.output` (fields.nc, wafer.csv, reactor.png), :mod:`.spec` (recipe keys); several
species (negative ions, neutral chemistry, wall coverages): :mod:`.species` (residual),
:mod:`.multi` (steady state), :mod:`.flow` (Stokes gas flow inlet to pump), :mod:`.output_multi`.
See docs/reactor.md.  Import the solver from :mod:`.model` (this package stays light so
that the recipe schema can import :mod:`.spec`).
"""
from __future__ import annotations

__all__: list[str] = []
