"""The automatic graded depth mesh and its a-posteriori check, against the exact
predeposition (erfc) and drive-in solutions (Plummer, Deal & Griffin, *Silicon VLSI
Technology*, 2000, ch. 7), run as recipes with default settings.

Acceptance: junctions within 0.5 % of the exact ones for √(Dt) from 5 nm to 2 µm, for
B, P, As and Sb.  The constant-D cases are scale-free on the graded mesh, so the default
run keeps one diffusion length per dopant and the corners; the full grid is slow-marked.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import erfcinv

from waferlab.thermal import ThermalSpec, simulate
from waferlab.thermal.dopants import DOPANTS
from waferlab.thermal.implant import range_moments
from waferlab.thermal.mesh import Feature, graded_nodes
from waferlab.thermal.meshing import coarsen_z, level_depths, refine_z
from waferlab.validation.thermal import gaussian_implant_drive_in
from waferlab.validation.thermal_cases import LENGTHS, T_C, drive_in_junction, predeposition_junction
from waferlab.validation.thermal_cases import junction_depth_of as _xj

FAST = {("As", 5e-9), ("B", 2e-6), ("P", 50e-9), ("Sb", 500e-9)}


def _cases():
    for d in ("B", "P", "As", "Sb"):
        for L in LENGTHS:
            marks = () if (d, L) in FAST else (pytest.mark.slow,)
            yield pytest.param(d, L, marks=marks, id=f"{d}-{L * 1e9:g}nm")


@pytest.mark.parametrize("d,L", list(_cases()))
def test_predeposition_junction_default_mesh(d, L):
    """C_s 1e20, N_B 1e15 cm^-3: x_j = 2√(Dt) erfc⁻¹(1e-5) = 6.2 √(Dt)."""
    st, xj, exact = predeposition_junction(d, L)
    assert abs(xj / exact - 1) < 5e-3, (xj, exact, st.mesh.z.size)


@pytest.mark.parametrize("d,L", list(_cases()))
def test_drive_in_junction_default_mesh(d, L):
    """Gaussian implant (lowest table energy, 1e14 cm^-2) driven in by √(Dt) = L
    against the exact reflecting-surface solution."""
    st, xj, exact = drive_in_junction(d, L)
    assert abs(xj / exact - 1) < 5e-3, (xj, exact, st.mesh.z.size)


def test_exact_drive_in_limits():
    """The helper conserves the dose and tends to Q/√(πDt) exp(−z²/4Dt) as Rp, s → 0."""
    z = np.linspace(0, 2e-6, 200001)
    c = gaussian_implant_drive_in(z, 1e18, 50e-9, 20e-9, 1e-14)
    assert np.trapezoid(c, z) == pytest.approx(1e18, rel=1e-6)
    c0 = gaussian_implant_drive_in(z, 1e18, 1e-12, 1e-12, 1e-14)
    ref = 1e18 / math.sqrt(math.pi * 1e-14) * np.exp(-z * z / 4e-14)
    assert np.allclose(c0, ref, rtol=1e-6, atol=1e-9 * ref[0])


def test_graded_nodes_resolve_features_and_grade_smoothly():
    f = [Feature(start=0.0, end=0.0, h=1e-10), Feature(start=1e-6, end=1.2e-6, h=5e-9)]
    z = graded_nodes(3e-6, f, ratio=1.05)
    h = np.diff(z)
    assert z[0] == 0.0 and z[-1] == pytest.approx(3e-6, rel=1e-15)
    assert np.max(h[1:] / h[:-1]) < 1.05 * 1.02 and np.min(h[1:] / h[:-1]) > 1 / 1.07
    inside = (z[:-1] >= 1.01e-6) & (z[1:] <= 1.19e-6)       # the final stretch shifts ends
    assert np.max(h[inside]) <= 5e-9 * 1.01
    assert h[0] <= 1e-10 * 1.01


def test_refine_coarsen_roundtrip_and_level_depths():
    z = graded_nodes(1e-6, [Feature(start=0, end=0, h=1e-9)], ratio=1.05)
    from waferlab.thermal.mesh import Mesh
    m = Mesh(z=z, x=np.zeros(1))
    r = refine_z(m)
    back, keep = coarsen_z(r)
    assert np.array_equal(back.z, m.z)
    L = 1e-7
    d = level_depths(z, np.exp(-(z / L) ** 2)[:, None], decades=np.array([2.0]))
    assert d[0, 0] == pytest.approx(L * math.sqrt(2 * math.log(10)), rel=5e-3)


def test_solver_refines_an_underresolved_uniform_mesh():
    """A uniform mesh with h = √(Dt)/3 misses the junction by ~1 %; the solver's
    Richardson check halves it until the estimate is below 0.3 %."""
    d, L = "As", 60e-9
    D = DOPANTS[d].intrinsic(T_C + 273.15)
    steps = [{"predeposit": {"dopant": d, "surface_concentration": "1e20 cm^-3",
                             "temperature": f"{T_C} degC", "time": f"{L * L / D:.10g} s"}}]
    exact = 2 * L * erfcinv(1e-5)
    base = {"substrate": {"background": {"B": "1e15 cm^-3"}}, "depth": "1 um",
            "nodes": 51, "steps": steps}
    off = simulate(ThermalSpec.model_validate({**base, "numerics": {"mesh_check": False}}))
    on = simulate(ThermalSpec.model_validate(base))
    assert abs(_xj(off, d) / exact - 1) > 5e-3
    assert on.refinements >= 1 and on.mesh.z.size > 51
    assert abs(_xj(on, d) / exact - 1) < 5e-3
    assert on.mesh_error < 3e-3


def test_lateral_kernel_on_graded_nodes_is_the_erf_edge():
    """A mask edge on graded x nodes: the straggled implant is Φ((x − x_e)/σ⊥) (exact for a
    step), the dose is conserved, and on a uniform grid it equals gaussian_filter1d."""
    from scipy.ndimage import gaussian_filter1d
    from scipy.special import ndtr
    from waferlab.thermal.implant import lateral_kernel
    s, xe = 0.05e-6, 0.3e-6
    x = graded_nodes(1e-6, [Feature(start=xe - 4 * s, end=xe + 4 * s, h=s / 8)], ratio=1.05)
    c = (x > xe).astype(float)
    W = lateral_kernel(x, s)
    edges = np.concatenate([[x[0]], 0.5 * (x[1:] + x[:-1]), [x[-1]]])
    w = np.diff(edges)
    assert np.dot(w, W @ c) == pytest.approx(np.dot(w, c), rel=1e-12)
    near = np.abs(x - xe) < 3 * s
    assert np.max(np.abs((W @ c)[near] - ndtr((x[near] - xe) / s))) < 0.02
    xu = np.linspace(0, 1e-6, 101)
    cu = (xu > xe).astype(float)
    ref = gaussian_filter1d(cu, s / (xu[1] - xu[0]), mode="reflect", truncate=5.0)
    assert np.max(np.abs(lateral_kernel(xu, s) @ cu - ref)) < 2e-3


def test_default_lateral_mesh_is_graded_at_the_mask_edge():
    spec = ThermalSpec.model_validate({
        "substrate": {"background": {"P": "1e16 cm^-3"}}, "depth": "1 um",
        "lateral": {"width": "1 um", "mask": [{"from": "0 um", "to": "0.5 um"}]},
        "steps": [{"implant": {"dopant": "B", "dose": "1e14 cm^-2", "energy": "20 keV"}}]})
    st = simulate(spec)
    x = st.mesh.x
    sl = range_moments("B", 20.0).lateral
    at_edge = np.abs(0.5 * (x[1:] + x[:-1]) - 0.5e-6) < 2 * sl
    assert np.max(np.diff(x)[at_edge]) <= sl / 8 * 1.05
    assert np.max(np.diff(x)) > 3 * np.min(np.diff(x))           # graded, not uniform
    assert st.mesh.dose(st.conc["B"]) == pytest.approx(0.5e18, rel=2e-2)
