"""The 2D CCP's default ion cross section (``fluid2d.ccp.ion_cross_section``; reactor/fluid2d/ccp_xs.py):
Phelps's energy-dependent Ar⁺/Ar cross sections for argon (the eduPIC benchmark's mean ion energy
1.12 of the PIC's against 0.52 with the constant σ_i: tests/reactor/fluid2d/test_ccp_edupic.py),
the chemistry's constant σ_i for a gas without Phelps's data."""
from __future__ import annotations

import pytest

from waferlab.errors import RecipeError
from waferlab.reactor.fluid2d.ccp import build_ccp
from waferlab.reactor.fluid2d.ccp_xs import resolve_ion_cross_section

from .test_ccp import make


def test_default_ion_cross_section_is_phelps_for_argon_only():
    assert resolve_ion_cross_section(None, "Ar") == "phelps"
    assert resolve_ion_cross_section(None, "He") == "constant"       # no Phelps data: the chemistry's σ_i
    assert resolve_ion_cross_section("constant", "Ar") == "constant"
    setup = build_ccp(make())
    assert setup.ion_cross_section == "phelps" and setup.phelps
    const = build_ccp(make({"ccp": {"ion_cross_section": "constant"}}))
    assert const.ion_cross_section == "constant" and not const.phelps
    # the cross section is the ion Monte Carlo's: the sheath law and the bulk are the same
    assert const.reference == setup.reference and const.lambda_i == setup.lambda_i
    with pytest.raises(RecipeError, match="ion_cross_section"):
        make({"ccp": {"ion_cross_section": "hard_sphere"}})
