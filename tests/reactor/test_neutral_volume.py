"""Two-volume neutral balance (``chamber.neutral_volume``): electron and ion reactions in
the plasma cylinder V, neutrals spread over the vessel V_n >= V, pumped from it and lost
on its walls."""
import numpy as np
import pytest

from waferlab.constants import K_B, TORR
from waferlab.errors import RecipeError
from waferlab.reactor import ReactorSpec, solve
from waferlab.reactor.state import build_model
from waferlab.recipe_io import validate_section


def _spec(gases, pressure, power, chem=None, Vn=None, R="21.5 cm", L="11 cm", Tg="333 K"):
    d = {"chamber": {"radius": R, "length": L}, "gas_temperature": Tg, "pressure": pressure,
         "gases": gases, "source": {"power": power}}
    if chem:
        d["chemistry"] = chem
    if Vn:
        d["chamber"]["neutral_volume"] = Vn
    return validate_section(ReactorSpec, d, "reactor")


def test_default_is_the_one_volume_model_bit_for_bit():
    """neutral_volume equal to the plasma volume gives the same equations, bit for bit."""
    V = np.pi * 0.215 ** 2 * 0.11
    a = build_model(_spec({"Cl2": "114 sccm", "Ar": "6 sccm"}, "2 mTorr", "500 W"))
    b = build_model(_spec({"Cl2": "114 sccm", "Ar": "6 sccm"}, "2 mTorr", "500 W", Vn=f"{V} m**3"))
    x = a.initial_state() + 0.01 * np.arange(a.N + 2 + a.Ns)
    b.A_n = a.A                          # same walls: the spec derives A_n from the vessel cylinder
    assert np.array_equal(a.rhs(0.0, x), b.rhs(0.0, x))


def test_argon_neutrals_fill_the_vessel_at_the_set_pressure():
    """Ar atoms leave only by pumping (ions are not pumped, they return as atoms), so at
    steady state feed = k_p V_n n_Ar: n_Ar = p / (k T_g) exactly, whatever V_n."""
    for Vn in (None, "43 L"):
        st = solve(_spec({"Ar": "50 sccm"}, "5 mTorr", "600 W", Vn=Vn))
        n0 = 5e-3 * TORR / (K_B * 333.0)
        assert st.densities_m3["Ar"] == pytest.approx(n0, rel=1e-9)


def test_balances_close_and_the_vessel_dilutes_dissociation():
    base = solve(_spec({"Cl2": "114 sccm", "Ar": "6 sccm"}, "2 mTorr", "500 W"))
    big = solve(_spec({"Cl2": "114 sccm", "Ar": "6 sccm"}, "2 mTorr", "500 W", Vn="43 L"))
    for st in (base, big):
        assert max(abs(v) for v in st.element_balance.values()) < 1e-6
        assert abs(st.energy_balance["residual"]) < 1e-6
    cl2 = lambda st: sum(v for k, v in st.densities_m3.items() if k.startswith("Cl2") and not k.endswith("+"))  # noqa: E731
    assert cl2(big) > 1.2 * cl2(base)


def test_neutral_volume_smaller_than_the_plasma_is_refused():
    with pytest.raises(RecipeError, match=r"reactor\.chamber: neutral_volume = 0\.001 m³ must be >= the plasma volume"):
        _spec({"Ar": "50 sccm"}, "5 mTorr", "600 W", Vn="1 L")


def test_neutral_volume_with_a_wall_coverage_chemistry_is_refused():
    spec = _spec({"SF6": "100 sccm", "Ar": "10 sccm"}, "0.921 Pa", "1000 W", chem="sf6",
                 R="19 cm", L="38 cm", Vn="60 L")
    with pytest.raises(RecipeError, match="neutral_volume"):
        build_model(spec)
