"""Units are parsed once at the boundary; errors name the family expected."""
import math

import pytest

from waferlab.units import UnitError, to_si


@pytest.mark.parametrize("text,family,expected", [
    ("10 mTorr", "pressure", 10e-3 * 101325 / 760),
    ("0.24 um", "length", 0.24e-6),
    ("0.24 µm", "length", 0.24e-6),
    ("2 min", "time", 120.0),
    ("27 degC", "temperature", 300.15),
    ("100 sccm", "flow", 100 * 101325 * 1e-6 / (8.314462618 * 273.15) / 60),
    ("500 W", "power", 500.0),
    ("100 eV", "energy", 100 * 1.602176634e-19),
    ("13.56 MHz", "frequency", 13.56e6),
    ("10 nm/min", "rate", 10e-9 / 60),
    ("5 deg", "angle", math.radians(5)),
    ("1e15 cm^-2", "area_dose", 1e19),
    ("1e20 cm^-3", "concentration", 1e26),
    ("30 mJ/cm^2", "exposure_dose", 300.0),
    ("1 cm^2/s", "diffusivity", 1e-4),
])
def test_to_si(text, family, expected):
    assert to_si(text, family) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("value,family,needle", [
    (5, "length", "has no unit; a length needs one"),
    ("5", "length", "has no unit"),
    ("10 nm", "rate", "is a length; a rate needs"),
    ("3 deg", "length", "is an angle"),
    ("5 furlongz", "length", "unknown unit"),
    ("nan nm", "length", "not a number"),
    (True, "length", "is not a length"),
])
def test_unit_errors_name_the_family(value, family, needle):
    with pytest.raises(UnitError, match=needle):
        to_si(value, family)


def test_dimensionless_accepts_bare_numbers():
    assert to_si(0.5, "dimensionless") == 0.5
    assert to_si("0.5", "dimensionless") == 0.5


def test_si_floats_pass_through_without_a_unit_string():
    """Computed SI values (the reactor's fluxes) are handed on as ``SI`` floats, not as
    strings parsed again; a plain bare number for a dimensioned field stays an error."""
    from waferlab.units import SI, UnitError, to_si

    assert to_si(SI(1.25e20), "flux") == 1.25e20
    assert type(to_si(SI(3e-9), "length")) is float
    with pytest.raises(UnitError):
        to_si(1.25e20, "flux")
    with pytest.raises(UnitError):
        to_si(SI(float("nan")), "length")


def test_the_unit_registry_does_not_import_dask():
    """pint would import dask.base (~0.25 s CPU a run) for array wrapping waferlab never
    uses; the registry hides dask while pint loads, and dask imports normally after."""
    import subprocess
    import sys

    code = ("import sys; from waferlab.units import to_si; v = to_si('2 micrometer', 'length'); "
            "assert 'dask' not in sys.modules, 'dask imported'; import dask.base; "
            "print(v)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) == 2e-6


def test_common_unit_spellings_are_converted_as_pint_does_bit_for_bit():
    """``units._FAST`` (the spellings converted without importing pint) gives exactly
    pint's float for every entry and a spread of numbers: the factor is pint's, and pint
    converts a multiplicative unit as ``value * factor``."""
    from waferlab import units as U

    numbers = ["1", "0.24", "10.08", "1.193", "10e15", "4500e15", "0.2", "5.0", "-3",
               "1e-3", "123.456", "7", "0.175", "2.5e-7"]
    assert set(U._FAST) <= set(U.FAMILIES)
    for family, table in U._FAST.items():
        for unit, factor in table.items():
            assert U._pint_to_si(f"1 {unit}".strip(), family) == factor, (family, unit)
            for n in numbers:
                text = f"{n} {unit}".strip()
                fast, slow = U._str_to_si.__wrapped__(text, family), U._pint_to_si(text, family)
                assert fast == slow and type(fast) is float, (text, family, fast, slow)


def test_a_recipe_in_common_units_does_not_import_pint():
    """pint costs ~0.2 s CPU of every run; values in ``_FAST`` spellings never load it,
    and an unusual spelling or a wrong family still goes through pint (and its message)."""
    import subprocess
    import sys

    code = ("import sys; from waferlab.units import to_si, UnitError\n"
            "v = [to_si(t, f) for t, f in [('0.24 um', 'length'), ('5.0 min', 'time'), "
            "('10e15 cm^-2 s^-1', 'flux'), ('100 eV', 'energy'), ('1.193 deg', 'angle')]]\n"
            "assert 'pint' not in sys.modules, 'pint imported'\n"
            "try:\n    to_si('10 nm', 'rate')\nexcept UnitError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "is a length; a rate needs" in out.stdout
