"""Units at the boundary: the ONLY place waferlab parses units.

Every dimensioned value in a recipe is a string with a unit ("5 nm", "10 mTorr",
"27 degC", "100 sccm"); :func:`to_si` converts it once to an SI float.  A bare number
for a dimensioned field is an error naming the unit family expected.

Inside the code everything is SI (m, s, Pa, K, W, J, Hz, V, mol/s, rad).  Gas flows
are converted to mol/s with 1 sccm = 1 cm³/min at 0 °C and 1 atm
(p V / (R T) / 60 s = 7.4358e-7 mol/s).

For pydantic models use the annotated types below (``Length``, ``Pressure`` ...):
they run :func:`to_si` in a ``BeforeValidator``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

__all__ = [
    "SI",
    "UnitError", "Family", "FAMILIES", "to_si", "parse_quantity", "format_si",
    "Length", "Time", "Pressure", "Temperature", "Power", "Energy", "Frequency",
    "Voltage", "Flow", "Rate", "Angle", "AreaDose", "Concentration", "Diffusivity",
    "ExposureDose", "Flux", "Area", "Volume", "Mass", "Current", "Stress",
    "Modulus", "ThermalExpansion", "GasExposure", "Dimensionless", "unit_type",
]


class UnitError(ValueError):
    """A value whose unit is missing or of the wrong kind.  The message speaks to the user."""


@dataclass(frozen=True)
class Family:
    """A unit family: the SI unit a value is converted to and an example for messages."""

    name: str        # "length"
    si: str          # pint expression of the SI unit, "m"
    example: str     # "5 nm"


_FAMILY_LIST = (
    Family("length", "m", "5 nm"),
    Family("time", "s", "2 min"),
    Family("pressure", "Pa", "10 mTorr"),
    Family("temperature", "K", "27 degC"),
    Family("power", "W", "500 W"),
    Family("energy", "J", "100 eV"),
    Family("frequency", "Hz", "13.56 MHz"),
    Family("voltage", "V", "100 V"),
    Family("flow", "mol/s", "100 sccm"),
    Family("rate", "m/s", "10 nm/min"),
    Family("angle", "rad", "5 deg"),
    Family("area_dose", "1/m**2", "1e15 cm^-2"),
    Family("concentration", "1/m**3", "1e20 cm^-3"),
    Family("diffusivity", "m**2/s", "1 cm^2/s"),
    Family("exposure_dose", "J/m**2", "30 mJ/cm^2"),
    Family("flux", "1/m**2/s", "1e16 cm^-2 s^-1"),
    Family("area", "m**2", "1 cm^2"),
    Family("volume", "m**3", "1 L"),
    Family("mass", "kg", "40 amu"),
    Family("current", "A", "1 A"),
    Family("stress", "Pa", "200 MPa"),
    Family("modulus", "Pa", "130 GPa"),
    Family("thermal_expansion", "1/K", "2.6e-6 1/K"),
    Family("gas_exposure", "Pa*s", "0.1 Torr*s"),
    Family("dimensionless", "", "0.5"),
)
FAMILIES = {f.name: f for f in _FAMILY_LIST}

_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")
_OFFSET_UNITS = {"degC", "degF", "°C", "°F", "celsius", "fahrenheit", "degree_Celsius"}


#: pint's SI factor of the unit spellings recipes use most, per family: ``to_si`` of
#: "<number> <unit>" is ``number * factor`` for these, the same float pint gives (pint
#: converts a multiplicative unit as ``value * factor``; the factors are pint's own,
#: ``tests/test_units.py`` checks every entry against pint bit for bit).  A run whose
#: values all use these spellings never imports pint (~0.2 s CPU of every run, #18);
#: any other spelling, an offset temperature and every error go through pint.
_FAST: dict[str, dict[str, float]] = {
    "length": {"m": 1.0, "cm": 0.01, "mm": 0.001, "um": 1e-06, "µm": 1e-06, "μm": 1e-06,
               "nm": 1e-09},
    "time": {"s": 1.0, "ms": 0.001, "us": 1e-06, "min": 60.0, "h": 3600.0},
    "pressure": {"Pa": 1.0, "mTorr": 0.13332236842105263, "Torr": 133.32236842105263,
                 "mbar": 100.0, "kPa": 1000.0},
    "temperature": {"K": 1.0},
    "power": {"W": 1.0, "kW": 1000.0, "mW": 0.001},
    "energy": {"eV": 1.602176634e-19, "keV": 1.602176634e-16, "J": 1.0},
    "frequency": {"Hz": 1.0, "kHz": 1000.0, "MHz": 1000000.0},
    "voltage": {"V": 1.0, "kV": 1000.0},
    "flow": {"sccm": 7.435838901048765e-07, "slm": 0.0007435838901048766},
    "rate": {"m/s": 1.0, "nm/min": 1.6666666666666667e-11, "um/min": 1.6666666666666667e-08,
             "µm/min": 1.6666666666666667e-08, "nm/s": 1e-09, "um/s": 1e-06, "µm/s": 1e-06},
    "angle": {"deg": 0.017453292519943295, "rad": 1.0},
    "area_dose": {"cm^-2": 10000.0, "m^-2": 1.0},
    "concentration": {"cm^-3": 999999.9999999999, "m^-3": 1.0},
    "diffusivity": {"cm^2/s": 0.0001, "m^2/s": 1.0},
    "exposure_dose": {"mJ/cm^2": 10.0, "J/m^2": 1.0},
    "flux": {"cm^-2 s^-1": 10000.0, "m^-2 s^-1": 1.0},
    "mass": {"amu": 1.66053906892e-27, "kg": 1.0},
    "stress": {"Pa": 1.0, "MPa": 1000000.0, "GPa": 1000000000.0},
    "modulus": {"Pa": 1.0, "MPa": 1000000.0, "GPa": 1000000000.0},
    "gas_exposure": {"Torr*s": 133.32236842105263, "Pa*s": 1.0},
    "dimensionless": {"": 1.0},
}


@lru_cache(maxsize=1)
def _registry():
    """The pint registry, built once per process (immutable after construction).  pint's
    own cache of its parsed definitions file (``cache_folder=":auto:"``, the user's cache
    folder) makes the construction ~8x cheaper (0.16 → 0.02 s CPU, a fixed cost of
    every run); where that folder cannot be used the registry is built without it.

    pint looks for dask at import (``pint.compat``) and imports ``dask.base`` when it is
    installed (it is, for tiled runs): ~0.25 s CPU in every run, for pint's wrapping of
    dask arrays, which waferlab never uses.  The import is hidden from pint while it
    loads (``sys.modules["dask"] = None`` makes ``find_spec`` answer None) and put back
    right after, so a later ``import dask`` works as usual."""
    import logging
    import sys

    hide = "dask" not in sys.modules
    if hide:
        sys.modules["dask"] = None
    try:
        import pint
    finally:
        if hide and sys.modules.get("dask", 0) is None:
            del sys.modules["dask"]

    try:
        ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, cache_folder=":auto:")
    except Exception:  # noqa: BLE001 - an unwritable or damaged cache: build it afresh
        ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    quiet = logging.getLogger("pint.util")
    level = quiet.level
    quiet.setLevel(logging.ERROR)        # pint's own "slm" is a power; ours is a gas flow
    ureg.define(f"sccm = {101325e-6 / (8.314462618 * 273.15) / 60.0!r} * mol / s")  # 1 cm³/min at STP
    ureg.define("slm = 1000 * sccm")
    ureg.define("Torr = torr")
    quiet.setLevel(level)
    return ureg


def _normalise_unit(text: str) -> str:
    """Accept the usual engineering spellings: um, µm, ^ for powers, 'deg' for angle."""
    t = text.replace("µ", "u").replace("μ", "u").replace("^", "**")
    t = re.sub(r"(?<![A-Za-z_])um(?![A-Za-z_])", "micrometer", t)
    t = re.sub(r"(?<![A-Za-z_])sccm(?![A-Za-z_])", "sccm", t)
    return t


def parse_quantity(text: str):
    """Parse ``"10 mTorr"`` into a pint Quantity (raises :class:`UnitError`)."""
    ureg = _registry()
    m = _NUMBER.match(text)
    if not m:
        raise UnitError(f'"{text}" is not a number followed by a unit')
    number, unit = float(m.group(1)), m.group(2)
    if not unit:
        return ureg.Quantity(number, "")
    unit_n = _normalise_unit(unit)
    try:
        if unit.strip() in _OFFSET_UNITS:
            return ureg.Quantity(number, unit_n.replace("°C", "degC").replace("°F", "degF"))
        return ureg.Quantity(number, ureg.parse_units(unit_n))
    except Exception as exc:  # pint raises several unrelated types for unknown units
        raise UnitError(f'"{text}": unknown unit "{unit}"') from exc


def _family_of(q) -> str | None:
    """Name of the family whose dimensionality matches ``q`` (first match)."""
    ureg = _registry()
    for fam in _FAMILY_LIST:
        if q.dimensionality == ureg.Quantity(1, fam.si).dimensionality:
            return fam.name
    return None


def _a(name: str) -> str:
    """'a length', 'an angle' — the family name with its article, for messages."""
    word = name.replace("_", " ")
    return ("an " if word[0] in "aeiou" else "a ") + word


class SI(float):
    """A float that is already in SI units: code that hands computed values to a recipe
    model (the reactor's fluxes to a surface model) wraps them in ``SI`` instead of
    writing a unit string to be parsed again; :func:`to_si` passes it through.  Recipe
    files cannot produce it (YAML gives plain numbers and strings)."""

    __slots__ = ()


def to_si(value: Any, family: str) -> float:
    """Convert a recipe value with a unit to an SI float of the given family.

    ``to_si("10 mTorr", "pressure") == 1.3332...``.  Numbers are accepted bare only for
    the ``dimensionless`` family; a bare number elsewhere is an error that names the
    family and gives an example.
    """
    fam = FAMILIES[family]
    if isinstance(value, SI):
        x = float(value)
        if not math.isfinite(x):
            raise UnitError(f"{x!r} is not a finite number")
        return x
    if isinstance(value, bool):
        raise UnitError(f"{value!r} is not {_a(fam.name)}; write e.g. \"{fam.example}\"")
    if isinstance(value, (int, float)):
        if fam.name == "dimensionless":
            x = float(value)
        else:
            raise UnitError(f"{value!r} has no unit; {_a(fam.name)} "
                            f"needs one, e.g. \"{fam.example}\"")
    elif isinstance(value, str):
        x = _str_to_si(value, family)
    else:
        raise UnitError(f"{value!r} is not {_a(fam.name)}; write e.g. \"{fam.example}\"")
    if not math.isfinite(x):
        raise UnitError(f"{value!r} is not a finite number")
    return x


@lru_cache(maxsize=4096)
def _str_to_si(value: str, family: str) -> float:
    """``to_si`` of a string, memoised: a recipe of many similar steps repeats the same
    strings, and pint needs about a millisecond per conversion.  A unit spelling of
    ``_FAST`` is converted without pint."""
    m = _NUMBER.match(value)
    if m is not None:
        factor = _FAST.get(family, {}).get(m.group(2))
        if factor is not None:
            return float(m.group(1)) * factor
    return _pint_to_si(value, family)


def _pint_to_si(value: str, family: str) -> float:
    """``to_si`` of a string through pint (what ``_FAST`` is checked against)."""
    fam = FAMILIES[family]
    q = parse_quantity(value)
    ureg = _registry()
    if q.unitless and fam.name != "dimensionless":
        raise UnitError(f'"{value}" has no unit; {_a(fam.name)} needs one, '
                        f'e.g. "{fam.example}"')
    target = ureg.Quantity(1, fam.si)
    if q.dimensionality != target.dimensionality:
        got = _family_of(q)
        what = f"is {_a(got)}" if got else f"has units of {q.units:~}"
        raise UnitError(f'"{value}" {what}; {_a(fam.name)} needs '
                        f'{fam.si or "no unit"}-compatible units, e.g. "{fam.example}"')
    return float(q.to(fam.si).magnitude) if fam.si else float(q.to("").magnitude)


def format_si(x: float, family: str) -> str:
    """Render an SI float back as a recipe string (used when writing resolved recipes).

    ``repr`` gives the shortest text that reads back to the same float, so a resolved
    recipe reproduces the run exactly (and resumes its checkpoint)."""
    si = FAMILIES[family].si
    return f"{float(x)!r} {si}".strip() if si else f"{float(x)!r}"


def unit_type(family: str):
    """An ``Annotated[float, ...]`` pydantic type that parses values of ``family`` to SI.

    Serialised in JSON mode as an SI string ("1.2e-06 m"), so a dumped recipe loads again.
    """
    return Annotated[float, BeforeValidator(partial(to_si, family=family)),
                     PlainSerializer(partial(format_si, family=family), when_used="json")]


Length = unit_type("length")
Time = unit_type("time")
Pressure = unit_type("pressure")
Temperature = unit_type("temperature")
Power = unit_type("power")
Energy = unit_type("energy")
Frequency = unit_type("frequency")
Voltage = unit_type("voltage")
Flow = unit_type("flow")
Rate = unit_type("rate")
Angle = unit_type("angle")
AreaDose = unit_type("area_dose")
Concentration = unit_type("concentration")
Diffusivity = unit_type("diffusivity")
ExposureDose = unit_type("exposure_dose")
Flux = unit_type("flux")
Area = unit_type("area")
Volume = unit_type("volume")
Mass = unit_type("mass")
Current = unit_type("current")
Stress = unit_type("stress")
Modulus = unit_type("modulus")
ThermalExpansion = unit_type("thermal_expansion")
GasExposure = unit_type("gas_exposure")
Dimensionless = unit_type("dimensionless")
