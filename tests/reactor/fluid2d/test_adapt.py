"""The solution-adaptive z grading of the multi-species model (:mod:`waferlab.reactor.fluid2d.adapt`):
equidistribution of a known monitor, the end-cell and growth limits, the monitor, the two-stage
solve and its checkpoint."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from waferlab.reactor.fluid2d.adapt import equidistributed_faces, potential_monitor
from waferlab.reactor.fluid2d.mesh import Mesh, max_growth

L, Z0, W, PHI = 0.38, 0.20, 0.01, 80.0        # m, m, m, T_i: a tanh front of 80 T_i, 1 cm wide


def _front(z):
    """m = |φ'|/T_i of φ = PHI tanh((z − Z0)/W)."""
    return PHI / W / np.cosh((z - Z0) / W) ** 2


def _cumulative(z, alpha):
    """∫_0^z (α + m) ds, analytic."""
    return alpha * z + PHI * (np.tanh((z - Z0) / W) - np.tanh(-Z0 / W))


def test_faces_equidistribute_an_analytic_monitor():
    """Without active end or growth limits the faces are the levels k/n of the analytic
    ∫(α + m) (α the mean of m, exact): each face within 0.5 % of its cell of the exact face, and
    every cell carries ∫ρ/n to 1 %."""
    n = 40
    zs = np.linspace(0.0, L, 20001)
    alpha = (_cumulative(L, 0.0)) / L
    faces = equidistributed_faces(zs, _front(zs), L, n, h_first=None, h_last=None, growth=1e6)
    total = _cumulative(L, alpha)
    exact = np.array([brentq(lambda z, k=k: _cumulative(z, alpha) - k * total / n, 0.0, L) for k in range(n + 1)])
    h = np.diff(faces)
    assert np.abs(faces - exact)[1:-1].max() < 0.005 * h.min()
    share = np.diff(_cumulative(faces, alpha)) / (total / n)
    assert np.abs(share - 1).max() < 0.01
    # the front's share of the cells: n ∫_{Z0-3W}^{Z0+3W} ρ / ∫ρ (= 23.0; α, the mean of the
    # monitor, leaves half of ∫ρ to the uniform part)
    inside = np.sum(np.abs(0.5 * (faces[1:] + faces[:-1]) - Z0) < 3 * W)
    share_front = n * (_cumulative(Z0 + 3 * W, alpha) - _cumulative(Z0 - 3 * W, alpha)) / total
    assert abs(inside - share_front) <= 1.0


def test_end_cells_and_growth_limit_hold():
    """The first and last cells are the requested ones (to the O(γ²) of the continuous grading:
    5 %), neighbouring cells are at most the growth ratio apart (+5 %), and the front still
    gets the finest interior cells."""
    n, q = 40, 1.3
    zs = np.linspace(0.0, L, 2001)
    faces = equidistributed_faces(zs, _front(zs), L, n, h_first=0.5e-3, h_last=2e-3, growth=q)
    h = np.diff(faces)
    assert h[0] == pytest.approx(0.5e-3, rel=0.05) and h[-1] == pytest.approx(2e-3, rel=0.05)
    assert max_growth(faces) < q * 1.05
    zc = 0.5 * (faces[1:] + faces[:-1])
    front = np.abs(zc - Z0) < W
    assert h[front].max() < 0.3 * h[~front & (zc > 0.05) & (zc < 0.35)].max()


def test_too_few_cells_for_the_end_cells_is_an_error():
    zs = np.linspace(0.0, L, 101)
    with pytest.raises(ValueError, match="cannot grade"):
        equidistributed_faces(zs, np.zeros_like(zs), L, 8, h_first=1e-5, h_last=1e-5, growth=1.05)


def test_potential_monitor_is_the_boltzmann_field():
    """For n_e = n0 exp(φ/T_e) with φ linear in z and uniform T_e, |∂φ/∂z|/T_i exactly."""
    m = Mesh(np.linspace(0, 0.1, 5), np.sort(np.concatenate([[0.0, 0.2], np.random.default_rng(1).uniform(0, 0.2, 9)])))
    Te, Ti, g = 3.0, 0.05, 40.0                  # eV, eV, V/m
    n_e = 1e16 * np.exp(g * m.z[None, :] / Te) * np.ones((m.nr, 1))
    z, mon = potential_monitor(m, n_e, np.full(m.shape, Te), Ti, np.ones(m.nr, bool))
    assert z[0] == 0.0 and z[-1] == pytest.approx(0.2)
    assert np.allclose(mon, g / Ti, rtol=1e-12)


def _oxygen(**mesh):
    from waferlab.reactor.spec import ReactorSpec
    from waferlab.recipe_io import validate_section

    return validate_section(ReactorSpec, {
        "model": "fluid2d", "chamber": {"radius": "15 cm", "length": "20 cm", "wafer_radius": "10 cm"},
        "pressure": "10 mTorr", "gases": {"O2": "50 sccm"}, "source": {"power": "500 W"}, "chemistry": "sf6o2",
        "fluid2d": {"mesh": {"nr": 6, "nz": 20, "adapt": True, **mesh}, "gas_heating": False,
                    "max_iterations": 200, "ion_flux": "scharfetter_gummel"}}, "reactor")


@pytest.fixture(scope="module")
def oxygen_adapted():
    from waferlab.reactor.fluid2d.model import solve_fluid2d

    return solve_fluid2d(_oxygen())


@pytest.mark.slow
def test_adapted_solve_converges_on_the_regraded_mesh_and_resumes(tmp_path, oxygen_adapted):
    """``adapt: true`` on an electronegative chemistry: one coarse stage (4 × 10: half the
    cells, at least 4 in r), then the z faces of the equidistribution with the 0.5 mm wafer
    cell; the steady state conserves O to 1e-6; a run stopped in the coarse stage resumes from
    its checkpoint (which carries the stage and the coarse faces) to the same adapted mesh and
    state."""
    from waferlab.errors import SimulationError
    from waferlab.reactor.fluid2d.model import solve_fluid2d

    r = oxygen_adapted
    assert [tuple(s["mesh"]) for s in r.stages] == [(4, 10)]
    assert r.setup.mesh.dz[0] == pytest.approx(0.5e-3, rel=0.05)
    assert max_growth(r.setup.mesh.z_faces) < 1.5 * 1.05
    assert abs(r.element_balance["O"]) < 1e-6
    assert r.residual_history[-1] < r.setup.settings.tolerance
    ck = tmp_path / "fluid2d_checkpoint.npz"
    spec = _oxygen()
    with pytest.raises(SimulationError):
        solve_fluid2d(spec, max_iterations=6, checkpoint=ck)
    with np.load(ck) as d:
        assert int(d["stage"]) == 0 and np.allclose(d["z_faces"], r.stages[0]["z_faces_m"], rtol=0, atol=1e-15)
    again = solve_fluid2d(spec, checkpoint=ck, resume=True)
    assert np.allclose(again.setup.mesh.z_faces, r.setup.mesh.z_faces, rtol=1e-12)
    assert np.allclose(again.n_e, r.n_e, rtol=1e-5)


def test_adapt_off_keeps_the_fixed_grading():
    """``adapt: false`` (the default) is the Vinokur grading of :func:`.model.plasma_faces`."""
    from waferlab.reactor.fluid2d.model import build, plasma_faces
    from waferlab.reactor.fluid2d.multi import _adapts
    from waferlab.reactor.fluid2d.spec import MeshSettings

    assert MeshSettings().adapt is False
    setup, _ = build(_oxygen(adapt=False), multi=True)
    assert not _adapts(setup)
    s = setup.settings
    _, zf = plasma_faces(s, 0.15, 0.20, float(setup.mesh.dz[-1]))
    assert np.allclose(setup.mesh.z_faces, zf)


def test_too_few_cells_to_adapt():
    """16 cells cannot grade from 0.5 mm and the 3.1 mm window cell over 20 cm within 1.5x:
    ``auto`` warns and keeps the fixed grading, ``adapt: true`` is a RecipeError naming mesh.nz."""
    from waferlab.errors import RecipeError
    from waferlab.reactor.fluid2d.model import build
    from waferlab.reactor.fluid2d.multi import _adapts

    setup, _ = build(_oxygen(nz=16, adapt="auto"), multi=True)
    with pytest.warns(RuntimeWarning, match="adapt: auto is off"):
        assert not _adapts(setup)
    setup, _ = build(_oxygen(nz=16, adapt=True), multi=True)
    with pytest.raises(RecipeError) as exc:
        _adapts(setup)
    assert str(exc.value).startswith("reactor.fluid2d.mesh.nz")


@pytest.mark.parametrize("coil", [{}, {"type": "cylindrical"}])
def test_with_mesh_keeps_the_window_and_air_layers(coil):
    """The regraded setup's EM mesh is the new plasma mesh plus the same window and air layers
    (planar coil: above the window; cylindrical: outside the tube), with the same permittivity."""
    from waferlab.reactor.fluid2d.adapt import with_mesh
    from waferlab.reactor.fluid2d.model import build
    from waferlab.reactor.spec import ReactorSpec
    from waferlab.recipe_io import validate_section

    d = _oxygen().model_dump(mode="json")
    d["fluid2d"]["coil"] = {**d["fluid2d"]["coil"], **coil, "radii": None, "heights": None}
    setup, _ = build(validate_section(ReactorSpec, d, "reactor"), multi=True)
    z_new = np.concatenate([[0.0], np.geomspace(5e-4, 0.2, 27)])
    new = with_mesh(setup, setup.mesh.r_faces, z_new)
    old_em, em = setup.em_mesh, new.em_mesh
    if coil:
        assert np.array_equal(em.r_faces, old_em.r_faces) and np.array_equal(em.z_faces, z_new)
        assert np.array_equal(new.eps_r[setup.mesh.nr:, 0], setup.eps_r[setup.mesh.nr:, 0])
        assert np.all(new.eps_r[: setup.mesh.nr] == 1.0)
    else:
        assert np.array_equal(em.z_faces[: z_new.size], z_new)
        assert np.array_equal(em.z_faces[z_new.size:], old_em.z_faces[setup.mesh.nz + 1:])
        assert np.array_equal(new.eps_r[0, 27:], setup.eps_r[0, setup.mesh.nz:])
        assert np.all(new.eps_r[:, :27] == 1.0)
    assert new.coil == setup.coil and new.mesh.shape == (setup.mesh.nr, 27)
