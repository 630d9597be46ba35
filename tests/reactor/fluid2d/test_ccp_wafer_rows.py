"""The 2D CCP's wafer rows (session 17): the columns whose centre is on the wafer, then one row at
r_w (``.output.WaferRows``), interpolated towards the next column only where that column is on the
powered electrode; the ion Monte Carlo traces exactly the columns the rows read, each weighted by
its share of the wafer's ion current.  Before, ``ccp_output._wafer`` took the columns with
r_{i−½} < r_w: a column wholly past the wafer (and past the electrode) wherever a face sat on r_w
to rounding."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from waferlab.reactor.fluid2d.ccp_output import wafer_rows
from waferlab.reactor.fluid2d.output import WaferRows


def _fake(R_e: float, r_w: float | None, nr: int = 12, R: float = 0.15):
    rf = np.linspace(0.0, R, nr + 1)
    mesh = SimpleNamespace(r_faces=rf, r=0.5 * (rf[1:] + rf[:-1]), nr=nr)
    spec = SimpleNamespace(chamber=SimpleNamespace(wafer_radius=r_w))
    return SimpleNamespace(setup=SimpleNamespace(spec=spec, electrode_radius=R_e, mesh=mesh))


def test_ccp_rows_stop_at_the_wafer_and_never_read_a_column_past_the_electrode():
    # 12 columns on 15 cm: face 8 is 0.09999999999999999, so r_{i-1/2} < r_w took the column
    # 100-112.5 mm, which lies past a 10 cm electrode (its centre 106.25 mm: unpowered)
    res = _fake(R_e=0.1, r_w=None)
    rf = res.setup.mesh.r_faces
    assert (rf[:-1] < 0.1).sum() == 9                         # the old selection: one column too many
    rows = wafer_rows(res)
    assert rows.r_m.size == 9 and rows.r_m[-1] == 0.1 and np.all(rows.r_m[:-1] < 0.1)
    assert rows.columns.sum() == 8 and not rows.columns[8]    # the unpowered column is never read
    f = np.arange(12.0) + 1.0
    assert rows(f)[-1] == f[7]                                # held, not interpolated across the edge
    assert rows.weights.sum() == pytest.approx(np.pi * 0.1 ** 2, rel=1e-12)
    # a wafer inside a wider electrode: the edge row interpolates (both columns powered)
    rows2 = wafer_rows(_fake(R_e=0.15, r_w=0.1))
    assert rows2.columns.sum() == 9 and rows2.edge == (7, 8, pytest.approx(0.5))
    assert rows2(f)[-1] == pytest.approx(0.5 * (f[7] + f[8]))


@pytest.mark.parametrize("r_w", [0.095, 0.1, 0.105])
def test_column_weights_carry_the_flux_weighted_rows(r_w):
    """Σ_columns w_c g_c = Σ_rows A_row Γ_row g_row with g of the edge row interpolated like Γ:
    the wafer's flux-weighted distribution from per-column distributions."""
    rf = np.linspace(0.0, 0.15, 13)
    rc = 0.5 * (rf[1:] + rf[:-1])
    rows = WaferRows(rf, r_w)
    G = 2.0 + 30.0 * rc ** 2                                  # ion flux per column
    g = 5.0 - 7.0 * rc                                        # e.g. a column's mean ion energy
    w = rows.column_weights(rows(G))
    assert w.size == rows.columns.sum()
    i, j, t = rows.edge
    Ge, ge = rows(G)[-1], rows(g)[-1]
    k = int(rows.cells.sum())
    exact = (rows.weights[:k] * G[:k] * g[:k]).sum() + rows.weights[-1] * Ge * ((1 - t) * g[i] + t * g[j])
    assert (w * g[rows.columns]).sum() == pytest.approx(exact, rel=1e-13)
    assert w.sum() == pytest.approx((rows.weights * rows(G)).sum(), rel=1e-13)
    assert ge == pytest.approx(5.0 - 7.0 * r_w, rel=1e-13)   # linear in r: exact at r_w


@pytest.mark.slow
def test_ccp_wafer_outputs_use_the_rows():
    """A collisional-sheath CCP on the 12-column mesh whose face 8 sits on the 10 cm wafer edge to
    rounding (electrode: the whole bottom): wafer.csv stops at r_w, the ion Monte Carlo traces the
    8 wafer columns and the one the edge row reads, with the rows' current weights; the
    ReactorState's ion flux is the rows' area average and the IEDF's mean the current-weighted
    mean of the rows' mean energies (within a bin)."""
    from waferlab.reactor.fluid2d.ccp import solve_ccp
    from waferlab.reactor.fluid2d.ccp_output import reactor_state_ccp, wafer_ions, wafer_profile_ccp
    from waferlab.reactor.spec import ReactorSpec
    from waferlab.recipe_io import validate_section

    spec = validate_section(ReactorSpec, {
        "model": "fluid2d", "chamber": {"radius": "15 cm", "length": "5 cm", "wafer_radius": "10 cm"},
        "pressure": "10 mTorr", "gases": {"Ar": "50 sccm"}, "source": {"type": "ccp", "power": "5 W"},
        "fluid2d": {"mesh": {"nr": 12, "nz": 10}, "gas_heating": False}}, "reactor")
    res = solve_ccp(spec)
    assert res.setup.collisional
    rows = wafer_rows(res)
    ions = wafer_ions(res, seed=3, n_ions=400)
    assert len(ions.columns) == 9 and rows.columns.sum() == 9
    wp = wafer_profile_ccp(res, ions)
    assert wp["r_m"][-1] == 0.1 and wp["r_m"].size == 9
    G = res.ion_flux_wafer
    assert wp["ion_flux_m2s"][-1] == pytest.approx(0.5 * (G[7] + G[8]), rel=1e-12)
    w = rows.column_weights(wp["ion_flux_m2s"])
    assert ions.weights == pytest.approx(w / w.sum(), rel=1e-12)
    E = wp["ion_energy_mean_eV"]
    assert E[:8] == pytest.approx(ions.mean_energy_eV[:8], rel=1e-14)
    assert E[-1] == pytest.approx(0.5 * (ions.mean_energy_eV[7] + ions.mean_energy_eV[8]), rel=1e-12)
    st = reactor_state_ccp(res, ions)
    assert st.ion_flux_m2s == pytest.approx(rows.average(wp["ion_flux_m2s"]), rel=1e-12)
    bin_eV = float(st.iedf.x[1] - st.iedf.x[0])
    assert st.ion_energy_mean_eV == pytest.approx(float((ions.weights * ions.mean_energy_eV).sum()), abs=bin_eV)
