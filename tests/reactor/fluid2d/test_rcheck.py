"""The pressure form's own error check (:mod:`waferlab.reactor.fluid2d.rcheck`) and the pressure
stage's step control (:mod:`waferlab.reactor.fluid2d.ptc`, session 15): the pieces, exactly."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.reactor.fluid2d.mesh import Mesh
from waferlab.reactor.fluid2d.ptc import _stalled
from waferlab.reactor.fluid2d.rcheck import ORDER, coarse_r_faces, coarse_z_faces, restrict_r, restrict_z


@pytest.mark.parametrize("nr", [4, 5, 8, 9])
def test_coarse_r_faces_take_every_other_face_and_keep_the_wall(nr):
    rf = np.linspace(0.0, 0.15, nr + 1)
    c = coarse_r_faces(rf)
    assert c[0] == 0.0 and c[-1] == rf[-1]
    assert c.size - 1 == (nr + 1) // 2
    assert set(c.tolist()) <= set(rf.tolist())
    assert np.allclose(np.diff(c)[: nr // 2], 2 * np.diff(rf)[0])


@pytest.mark.parametrize("nr", [6, 7])
def test_restriction_conserves_particles_quasi_neutrality_and_keeps_the_wall_coverage(nr):
    """Volume-weighted restriction: Σ n V per coarse column equals the fine columns' (every
    species and n_e), so Σ z n = n_e holds on the coarse cells when it held on the fine ones; T_e
    is the volume mean; θ is the outer fine column's (the side-wall cell of the last one)."""
    m = Mesh(np.linspace(0.0, 0.15, nr + 1), np.linspace(0.0, 0.2, 5))
    rng = np.random.default_rng(3)
    z = np.array([0.0, 1.0, 1.0, -1.0])
    n = rng.uniform(1e15, 1e17, (4,) + m.shape)
    n_e = (z[:, None, None] * n).sum(axis=0)
    n[1] += np.maximum(-n_e, 0) + 1e15                     # positive ions carry the negative ones
    n_e = (z[:, None, None] * n).sum(axis=0)
    Te = rng.uniform(2, 5, m.shape)
    th = np.log(rng.uniform(0.1, 0.9, (2,) + m.shape))
    Tg = rng.uniform(300, 900, m.shape)
    x = np.concatenate([np.log(n).ravel(), np.log(n_e).ravel(), Te.ravel(), th.ravel(), Tg.ravel()])
    nf = 4 + 1 + 1 + 2 + 1
    xc = restrict_r(x, m, nf, 5, 2)
    mc = Mesh(coarse_r_faces(m.r_faces), m.z_faces)
    Xc = xc.reshape((nf,) + mc.shape)
    nc, nec = np.exp(Xc[:4]), np.exp(Xc[4])
    for k in range(4):
        fine = (n[k] * m.volume).sum(axis=0)
        assert np.allclose((nc[k] * mc.volume).sum(axis=0), fine, rtol=1e-12)
    assert np.allclose((z[:, None, None] * nc).sum(axis=0), nec, rtol=1e-12)
    assert np.allclose((Xc[5] * mc.volume).sum(), (Te * m.volume).sum(), rtol=1e-12)
    assert np.allclose((Xc[8] * mc.volume).sum(), (Tg * m.volume).sum(), rtol=1e-12)
    assert np.array_equal(Xc[6:8, -1], th[:, -1])
    assert ORDER == 2.0


@pytest.mark.parametrize("nz", [4, 7])
def test_z_restriction_conserves_particles_per_column_and_keeps_the_wall_rows(nz):
    """The z check's restriction (every other z face of a graded column): Σ n V per column is kept
    for every species and n_e (so Σ z n = n_e holds), T_e and T_g are volume means; θ is the wafer
    row's in the first coarse row and the upper fine row's elsewhere (the window's in the last)."""
    zf = 0.2 * (1 - np.cos(np.linspace(0, np.pi / 2, nz + 1)))     # graded towards the wafer
    m = Mesh(np.linspace(0.0, 0.15, 5), zf)
    zc = coarse_z_faces(m.z_faces)
    assert zc[0] == zf[0] and zc[-1] == zf[-1] and zc.size - 1 == (nz + 1) // 2
    assert set(zc.tolist()) <= set(zf.tolist())
    rng = np.random.default_rng(5)
    z = np.array([0.0, 1.0, 1.0, -1.0])
    n = rng.uniform(1e15, 1e17, (4,) + m.shape)
    n_e = (z[:, None, None] * n).sum(axis=0)
    n[1] += np.maximum(-n_e, 0) + 1e15
    n_e = (z[:, None, None] * n).sum(axis=0)
    Te = rng.uniform(2, 5, m.shape)
    th = np.log(rng.uniform(0.1, 0.9, (2,) + m.shape))
    Tg = rng.uniform(300, 900, m.shape)
    x = np.concatenate([np.log(n).ravel(), np.log(n_e).ravel(), Te.ravel(), th.ravel(), Tg.ravel()])
    nf = 9
    Xc = restrict_z(x, m, nf, 5, 2).reshape((nf, m.nr, zc.size - 1))
    mc = Mesh(m.r_faces, zc)
    nc, nec = np.exp(Xc[:4]), np.exp(Xc[4])
    for k in range(4):
        assert np.allclose((nc[k] * mc.volume).sum(axis=1), (n[k] * m.volume).sum(axis=1), rtol=1e-12)
    assert np.allclose((z[:, None, None] * nc).sum(axis=0), nec, rtol=1e-12)
    assert np.allclose((Xc[5] * mc.volume).sum(axis=1), (Te * m.volume).sum(axis=1), rtol=1e-12)
    assert np.allclose((Xc[8] * mc.volume).sum(axis=1), (Tg * m.volume).sum(axis=1), rtol=1e-12)
    assert np.array_equal(Xc[6:8, :, 0], th[:, :, 0]) and np.array_equal(Xc[6:8, :, -1], th[:, :, -1])


def test_the_plateau_is_counted_from_the_peak_of_the_transient():
    """A pressure stage whose residual rises (the fast charged species, then the neutrals) and
    then falls is measured from its peak: not stalled while the peak is among the last PLATEAU
    steps (up to 3 PLATEAU), stalled when PLATEAU steps after it bring no tenfold fall; a residual
    that falls from the start is measured from its start (the rule before session 15)."""
    P = 5
    rise = [2.2, 4.0, 8.0, 16.0, 31.0]
    assert not _stalled(rise + [20.0, 10.0, 5.0, 2.0, 1.0], P)          # peak in the window
    assert _stalled(rise * 4, P)                                          # > 3 P steps in a transient
    assert not _stalled(rise + [20.0] + [1.9] * 4 + [1.0], P)            # 31 -> 1.0 after the peak
    assert _stalled(rise + [20.0, 19.0] + [18.0] * 5, P)                 # no tenfold fall after it
    falling = [2.2, 1.0, 0.5, 0.4, 0.3, 0.25, 0.22, 0.21]
    assert _stalled(falling, P) and not _stalled(falling[:-1] + [0.01], P)
    assert not _stalled(rise, P)


@pytest.mark.parametrize("axis, key", [("r", "mesh.nr"), ("z", "mesh.nz")])
def test_the_mesh_error_warning_names_the_axis_and_the_key_and_is_silent_below_the_threshold(axis, key):
    """multi._warn_mesh_error: above WAFER_EXCESS it warns with the estimate and the mesh key to
    raise; at or below it, silent; no estimate: it says so."""
    import warnings

    from waferlab.reactor.fluid2d.multi import WAFER_EXCESS, _warn_mesh_error

    ps = {f"{axis}_error": 2 * WAFER_EXCESS, f"{axis}_error_r_m": 0.0125,
          f"{axis}_error_coarse_mesh": (4, 5), f"{axis}_error_centre": -0.1, f"{axis}_error_note": "too few"}
    with pytest.warns(RuntimeWarning, match=rf"estimated {axis} discretisation error of "
                                            rf"{2 * WAFER_EXCESS * 100:.1f} % .*\({key}\)"):
        _warn_mesh_error(ps, axis, 2, 8, stacklevel=2)
    ps[f"{axis}_error"] = WAFER_EXCESS
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _warn_mesh_error(ps, axis, 2, 8, stacklevel=2)
    ps[f"{axis}_error"] = None
    with pytest.warns(RuntimeWarning, match=rf"the {axis} error .* could not be estimated: too few"):
        _warn_mesh_error(ps, axis, 2, 8, stacklevel=2)
