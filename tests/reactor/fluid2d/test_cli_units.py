"""The `waferlab reactor` console table (global and fluid2d alike) prints engineering units,
cm⁻³ and cm⁻² s⁻¹, as the demo and `waferlab run` do; reactor.json stays SI."""
from __future__ import annotations

import pytest

from waferlab.reactor import ReactorSpec, solve
from waferlab.reactor.cli import _table
from waferlab.recipe_io import validate_section


def test_reactor_table_prints_cm3_and_cm2s(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    spec = validate_section(ReactorSpec, {"chamber": {"radius": "15 cm", "length": "30 cm"},
                                          "pressure": "1 mTorr", "gases": {"Ar": "50 sccm"},
                                          "source": {"power": "800 W"}}, "reactor")
    st = solve(spec)
    _table("argon", st)
    out = capsys.readouterr().out
    assert "m^-3" not in out and "cm⁻³" in out and "cm⁻² s⁻¹" in out
    assert f"{st.n_e_avg_m3 * 1e-6:.3e}" in out                  # the SI value ×1e-6
    assert f"{st.ion_flux_m2s * 1e-4:.3e}" in out
    p_mTorr = st.pressure_Pa / (101325.0 / 760.0 / 1000.0)
    assert f"{p_mTorr:.4g} mTorr" in out
    assert p_mTorr == pytest.approx(1.0, rel=0.5)
