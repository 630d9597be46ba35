"""The 2D CCP's ion Monte Carlo takes its seed from the run: a ``plasma_etch`` step hands its
RunContext seed to the reactor solve (``PlasmaEtch.couple`` → ``couple_reactor`` →
``reactor.solve(seed=…)``) and to the wafer map's reactor profile; same seed → the same IEDF,
another seed → another sample of the same distribution (means within 3σ, σ from the ions'
energies; two-sample Kolmogorov–Smirnov distance below its 1 % critical value)."""
from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from waferlab.context import RunContext
from waferlab.reactor.spec import ReactorSpec
from waferlab.recipe_io import load_yaml, validate_section

ROOT = Path(__file__).resolve().parents[3]


class _Stop(Exception):
    pass


def _step():
    """The plasma_etch step of examples/fluid2d/wafer-map-argon-ccp.yaml (a CCP reactor)."""
    from waferlab.recipe import recipe_from_dict

    data = load_yaml(ROOT / "examples/fluid2d/wafer-map-argon-ccp.yaml")
    return recipe_from_dict(data).leaf_steps[0]


def test_plasma_etch_hands_its_context_seed_to_the_reactor(monkeypatch):
    """apply(ctx) → couple(seed=ctx.seed) → reactor.solve(seed=ctx.seed), and the wafer map's
    reactor_profile(seed=ctx.seed) (spies; no solve)."""
    import waferlab.process.plasma_etch as pe

    step = _step()
    seen: dict[str, int] = {}

    def fake_solve(spec, **kw):
        seen["solve"] = kw.get("seed", -1)
        raise _Stop

    monkeypatch.setattr("waferlab.reactor.solve", fake_solve)
    with pytest.raises(_Stop):
        step.apply(SimpleNamespace(geometry=SimpleNamespace(materials=("Si", "Mask"))), RunContext(seed=123))
    assert seen["solve"] == 123

    def fake_profile(spec, **kw):
        seen["profile"] = kw.get("seed", -1)
        raise _Stop

    monkeypatch.setattr(pe, "reactor_profile", fake_profile)
    monkeypatch.setattr(pe.PlasmaEtch, "couple",
                        lambda self, g, log=None, seed=0: (SimpleNamespace(summary=lambda: {}), None))
    with pytest.raises(_Stop):
        step.apply(SimpleNamespace(geometry=SimpleNamespace(materials=("Si", "Mask"))), RunContext(seed=456))
    assert seen["profile"] == 456


@pytest.mark.slow
def test_ccp_ion_monte_carlo_follows_the_seed():
    """Same seed: the same IEDF, bit for bit (also through ``reactor.solve(seed=…)``, the
    plasma_etch call); another seed: different ions whose per-column mean energies agree within
    3σ and whose pooled energies pass a two-sample KS test at 1 %."""
    from waferlab.reactor import solve
    from waferlab.reactor.fluid2d.ccp import solve_ccp
    from waferlab.reactor.fluid2d.ccp_output import reactor_state_ccp, wafer_ions

    spec = validate_section(ReactorSpec, {
        "model": "fluid2d", "chamber": {"radius": "15 cm", "length": "5 cm", "wafer_radius": "10 cm"},
        "pressure": "10 mTorr", "gases": {"Ar": "50 sccm"}, "source": {"type": "ccp", "power": "5 W"},
        "fluid2d": {"mesh": {"nr": 10, "nz": 12}, "gas_heating": False}}, "reactor")
    res = solve_ccp(spec)
    assert res.setup.sheath_regime == "collisional"          # the Monte Carlo runs
    a, b, a2 = (wafer_ions(res, seed=s, n_ions=1000) for s in (1, 2, 1))
    assert np.array_equal(a.iedf.pdf, a2.iedf.pdf) and np.array_equal(a.iadf.pdf, a2.iadf.pdf)
    assert not np.array_equal(a.iedf.pdf, b.iedf.pdf)
    for ca, cb in zip(a.columns, b.columns):
        assert not np.array_equal(ca.energy_eV, cb.energy_eV)
        sig = math.hypot(ca.mean_energy_sigma_eV, cb.mean_energy_sigma_eV)
        assert abs(ca.mean_energy_eV - cb.mean_energy_eV) < 3 * sig
    ea = np.sort(np.concatenate([c.energy_eV for c in a.columns]))
    eb = np.sort(np.concatenate([c.energy_eV for c in b.columns]))
    grid = np.concatenate([ea, eb])
    D = np.abs(np.searchsorted(ea, grid, "right") / ea.size - np.searchsorted(eb, grid, "right") / eb.size).max()
    assert D < 1.63 * math.sqrt(2.0 / ea.size)
    # the plasma_etch path: reactor.solve(seed) = the same solve + the same seed's ions
    st = solve(spec, seed=2)
    ref = reactor_state_ccp(res, wafer_ions(res, seed=2))
    assert st.ion_energy_mean_eV == ref.ion_energy_mean_eV
    assert np.array_equal(st.iedf.pdf, ref.iedf.pdf)
    assert st.ion_energy_mean_eV != reactor_state_ccp(res, wafer_ions(res, seed=0)).ion_energy_mean_eV
