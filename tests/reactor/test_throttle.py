"""``pressure_control: throttle``: the valve holds the set pressure with the plasma on.

Reference: the set point itself (p_on = p_set within 1e-6 relative) and the element
balance of the steady state (in = pumped + sinks); the default fixed pumping speed keeps
the global model's pressure rise (Kokkoris et al., J. Phys. D 42, 055209, 2009)."""
import pytest

from waferlab.reactor import solve
from waferlab.reactor.spec import ReactorSpec
from waferlab.recipe_io import validate_section

SF6O2 = {"chamber": {"radius": "15 cm", "length": "30 cm", "wafer_radius": "10 cm"},
         "pressure": "10 mTorr", "gases": {"SF6": "100 sccm", "O2": "20 sccm"},
         "source": {"type": "icp", "power": "800 W"}}


def _solve(**over):
    return solve(validate_section(ReactorSpec, {**SF6O2, **over}, "reactor"))


def test_throttle_holds_the_set_pressure_and_fixed_pumping_is_unchanged():
    fixed = _solve()
    assert validate_section(ReactorSpec, SF6O2, "reactor").pressure_control == "fixed_pumping"
    p_set = fixed.pressure_Pa - fixed.pressure_rise_Pa
    assert fixed.pressure_rise_Pa > 0.05 * p_set        # SF6 dissociation raises p (fixed S)
    fixed2 = _solve(pressure_control="fixed_pumping")
    assert fixed2.pressure_Pa == fixed.pressure_Pa       # the default, bit for bit
    thr = _solve(pressure_control="throttle")
    assert thr.pressure_Pa == pytest.approx(p_set, rel=1e-6)
    assert abs(thr.pressure_rise_Pa) < 1e-6 * p_set
    assert max(abs(v) for v in thr.element_balance.values()) < 1e-6
    # the valve opens (faster pumping): less gas, so fewer F atoms than with fixed pumping
    assert thr.densities_m3["F"] < fixed.densities_m3["F"]


def test_pressure_control_rejects_unknown_values():
    from waferlab.errors import RecipeError
    with pytest.raises(RecipeError, match="pressure_control"):
        _solve(pressure_control="valve")
