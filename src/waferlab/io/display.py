"""Numbers for people: SI metric keys shown in the units a process engineer reads.

Files stay SI with the unit in the key (``etch_depth_m``, ``ion_flux_m2s``); the console
and plots convert once, here, by the key's suffix:

=================  ======================  ==================================
key ends with      SI quantity             shown as
=================  ======================  ==================================
``_m``             length (m)              nm (below 10 µm) or µm
``_m2``            area (m²)               nm² / µm²; a dose ``dose*_m2``: cm⁻²
``_m3``            volume (m³)             nm³ / µm³; a density or
                                           concentration (``n_*``, ``densit*``,
                                           ``concentration*``): cm⁻³
``_m2s``           flux (m⁻² s⁻¹)          cm⁻² s⁻¹
``_m_s``           rate (m/s)              nm/min
``_s``             time (s)                s (min above 10 min)
``_Pa``            pressure (Pa)           mTorr; a stress ``*stress*_Pa``: MPa
``_per_m``         curvature (1/m)         1/m
``_deg``, ``_eV``, ``_K``, ``_ohm_sq``     as named
=================  ======================  ==================================

``_V`` (volts) and ``_W`` (watts) are shown as named too.
"""
from __future__ import annotations

import math
from typing import Any

__all__ = ["engineering", "metric_rows", "metrics_table", "print_metrics"]

_PA_PER_MTORR = 101325.0 / 760.0 / 1000.0
_PER = ("n_", "densit", "concentration")


def _length(v: float) -> tuple[float, str]:
    return (v * 1e9, "nm") if abs(v) < 1e-5 else (v * 1e6, "µm")


def engineering(key: str, value: float) -> tuple[str, float, str]:
    """(name without the unit suffix, value in engineering units, unit) of an SI metric."""
    k = key
    if k.endswith("_m2s"):
        return k[:-4], value * 1e-4, "cm⁻² s⁻¹"
    if k.endswith("_m_s"):
        return k[:-4], value * 1e9 * 60.0, "nm/min"
    if k.endswith("_m3"):
        if any(k.startswith(p) or p in k for p in _PER):
            return k[:-3], value * 1e-6, "cm⁻³"
        f, u = (1e27, "nm³") if abs(value) < 1e-21 else (1e18, "µm³")
        return k[:-3], value * f, u
    if k.endswith("_m2"):
        if "dose" in k:
            return k[:-3], value * 1e-4, "cm⁻²"
        f, u = (1e18, "nm²") if abs(value) < 1e-14 else (1e12, "µm²")
        return k[:-3], value * f, u
    if k.endswith("_per_m"):                       # curvature
        return k[:-6], value, "1/m"
    if k.endswith("_m"):
        v, u = _length(value)
        return k[:-2], v, u
    if k.endswith("_Pa") and "stress" in k:        # film stress
        return k[:-3], value * 1e-6, "MPa"
    if k.endswith("_Pa"):
        return k[:-3], value / _PA_PER_MTORR, "mTorr"
    if k.endswith("_s"):
        return (k[:-2], value / 60.0, "min") if abs(value) >= 600 else (k[:-2], value, "s")
    for suffix, unit in (("_deg", "°"), ("_eV", "eV"), ("_K", "K"), ("_ohm_sq", "Ω/□"),
                         ("_V", "V"), ("_W", "W")):
        if k.endswith(suffix):
            return k[: -len(suffix)], value, unit
    return k, value, ""


_DECIMALS = {"nm": 1, "µm": 3, "°": 1, "nm/min": 1, "eV": 2, "mTorr": 2}


def _fmt(v: float, unit: str = "") -> str:
    if not math.isfinite(v):
        return "–"
    if unit in _DECIMALS and abs(v) < 1e5:
        return f"{v:.{_DECIMALS[unit]}f}"
    a = abs(v)
    if a != 0 and (a >= 1e5 or a < 1e-2):
        return f"{v:.3e}"
    return f"{v:.4g}" if a >= 100 else f"{v:.3g}" if a >= 1 else f"{v:.3f}"


def metric_rows(metrics: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, unit) rows of a metrics mapping, nested mappings one row each."""
    rows: list[tuple[str, str, str]] = []
    for key, v in metrics.items():
        if isinstance(v, dict):
            for sub, vv in v.items():
                if isinstance(vv, (int, float)) and not isinstance(vv, bool):
                    name, val, unit = engineering(key, float(vv))
                    rows.append((f"{name} {sub}", _fmt(val, unit), unit))
                elif isinstance(vv, dict):          # e.g. ted: {B: {t90_s, enhanced_Dt_m2}}
                    for k3, v3 in vv.items():
                        if isinstance(v3, (int, float)) and not isinstance(v3, bool):
                            name, val, unit = engineering(k3, float(v3))
                            rows.append((f"{key} {sub} {name}", _fmt(val, unit), unit))
                        else:
                            rows.append((f"{key} {sub} {k3}", str(v3), ""))
                else:
                    rows.append((f"{key} {sub}", str(vv), ""))
        elif v is None:
            name, _, unit = engineering(key, 0.0)
            rows.append((name, "–", unit))
        elif isinstance(v, bool) or isinstance(v, int) and not key.endswith(("_s", "_m")):
            rows.append((key, str(v), ""))
        elif isinstance(v, (int, float)):
            name, val, unit = engineering(key, float(v))
            rows.append((name, _fmt(val, unit), unit))
        elif isinstance(v, (list, tuple)):
            if not v:
                continue
            if all(isinstance(x, (int, float)) for x in v):
                name, _, unit = engineering(key, float(v[0]))
                rows.append((name, ", ".join(_fmt(engineering(key, float(x))[1], unit)
                                             for x in v), unit))
            else:
                rows.append((key, ", ".join(map(str, v)), ""))
        else:
            rows.append((key, str(v), ""))
    return rows


def metrics_table(metrics: dict[str, Any], *, title: str = "metrics"):
    """A rich Table of the metrics in engineering units."""
    from rich.table import Table

    table = Table(title=title, show_header=True)
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("unit")
    for name, val, unit in metric_rows(metrics):
        table.add_row(name, val, unit)
    return table


def print_metrics(metrics: dict[str, Any], *, title: str = "metrics", console=None) -> None:
    """Print :func:`metrics_table` (definitions: docs/metrics.md)."""
    from rich.console import Console

    (console or Console()).print(metrics_table(metrics, title=title))
