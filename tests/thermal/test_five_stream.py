"""Five-stream pair diffusion (thermal/pairs.py, ted.py) and its coupled Newton/BDF2
integrator (thermal/newton.py).

* the integrator against exact solutions: a Gaussian drive-in (diffusion only) and a
  first-order decay (reaction only), with the observed time order;
* the pair model in equilibrium (I = I*, V = V*, no implant damage) is Fair's Fermi model
  (Plummer, Deal & Griffin 2000, ch. 7) with the same diffusivities: junctions agree;
* conservation of the dopant and positivity through a damaged anneal;
* the TED transient: Kim et al., Appl. Phys. Lett. 56, 1254 (1990) — a 1e13 cm⁻² boron
  implant's enhancement is over within 10 s at 1000 °C; the TSUPREM-4 reference case
  (waferlab.validation.thermal) as a recipe (slow).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from waferlab.thermal import ThermalSpec, simulate
from waferlab.thermal.electrical import junction_depths
from waferlab.thermal.implant import implant_1d
from waferlab.thermal.mesh import Feature, Mesh, graded_nodes, make_mesh
from waferlab.thermal.newton import NewtonStepping, integrate
from waferlab.thermal.pairs import FiveStream, PointDefectParams, hobler_moroz_plus_n
from waferlab.thermal.ted import five_stream_anneal
from waferlab.thermal.diffusion import assemble


class _Toy:
    """One diffusing field and one decaying field: ∂u/∂t = D ∂²u/∂z², ∂w/∂t = −k w."""

    nf = 2
    names = ["u", "w"]

    def __init__(self, D, k):
        self.D, self.k = D, k

    def edge_data(self, X, T, mesh):
        base = assemble(mesh, 1.0).data
        return np.stack([self.D * base, 0 * base])

    def surface_values(self, T, X=None):
        return {}

    def reactions(self, X, T, *, jacobian=True):
        R = np.zeros_like(X)
        R[1] = -self.k * X[1]
        J = np.zeros((2, 2, X.shape[1]))
        J[1, 1] = -self.k
        return R, J


def test_integrator_exact_diffusion_and_decay_second_order():
    D, k, t = 1e-17, 2.0 / 3600.0, 3600.0
    mesh = make_mesh(2e-6, 801)
    z = mesh.z
    Dt0 = (50e-9) ** 2
    g = lambda Dt: np.exp(-z * z / (4 * Dt)) / math.sqrt(math.pi * Dt)
    errs = []
    for rtol in (1e-3, 1e-4):
        X0 = np.stack([g(Dt0), np.ones(z.size)])
        r = integrate(mesh, _Toy(D, k), X0, duration=t, temperature=lambda s: 1000.0,
                      numerics=NewtonStepping(rtol=rtol, first_step=1e-3))
        exact = g(Dt0 + D * t)
        assert np.max(np.abs(r.X[0] - exact)) / exact[0] < 2e-3
        errs.append((abs(r.X[1, 0] / math.exp(-k * t) - 1), r.steps))
    # BDF2: steps grow like rtol^(-1/3) for a fixed error target, error falls with rtol
    assert errs[1][0] < errs[0][0] and errs[0][0] < 3e-3
    assert 1.6 < errs[1][1] / errs[0][1] < 3.2


def _gauss_B(z, peak_cm3, Rp=0.2e-6, s=0.04e-6):
    return peak_cm3 * 1e6 * np.exp(-0.5 * ((z - Rp) / s) ** 2)


def test_equilibrium_pairs_reproduce_the_fermi_model():
    """No damage, no solubility limit: the five-stream B profile after 30 min at 1000 °C
    equals the Fermi model's with the same (TSUPREM-4) diffusivities — Fair's field and
    charge enhancement come out of the pairing constants K(n).  Within 2 %: with Bracht's
    small C_I* (6e11 cm⁻³ at 1000 °C) the B–I pairs in the 5e19 cm⁻³ peak hold ~500 I*,
    and the pair flux leaves the peak slightly undersaturated (1.1 % shallower; within 1 % with
    TSUPREM-4's larger C_I*) — a departure from local equilibrium, not discretisation."""
    z = graded_nodes(1.5e-6, [Feature(start=0, end=0.6e-6, h=3e-9)], ratio=1.05)
    mesh = Mesh(z=z, x=np.zeros(1))
    B = _gauss_B(z, 5e19)
    P = np.full(z.size, 1e21)
    T = 1273.15
    fs = five_stream_anneal(mesh, {"B": B, "P": P}, duration=1800.0, temperature=lambda t: T,
                            params=PointDefectParams(solubility={}))
    spec = ThermalSpec.model_validate({"substrate": {"background": {"P": "1e15 cm^-3"}},
                                       "depth": "1.5 um", "steps": [
                                           {"anneal": {"temperature": "1000 degC", "time": "30 min",
                                                       "model": "fermi", "calibration": "tsuprem4"}}]})
    from waferlab.thermal.run import ThermalState, _apply
    from waferlab.thermal.diffusion import TimeStepping
    st = ThermalState(mesh=mesh, conc={"B": B[:, None], "P": P[:, None]},
                      damage=np.zeros((z.size, 1)))
    fe = _apply(st, spec.steps[0], spec, TimeStepping(rtol=1e-4))
    xj_fs = junction_depths(z, P, fs.conc["B"])[-1]
    xj_fe = junction_depths(z, P, fe.conc["B"][:, 0])[-1]
    assert abs(xj_fs / xj_fe - 1) < 0.02, (xj_fs, xj_fe)
    assert mesh.dose(fs.conc["B"]) == pytest.approx(mesh.dose(B), rel=1e-10)
    assert xj_fe > 0.2e-6 + 6 * 0.04e-6          # it did diffuse


def test_damage_conserves_dopant_keeps_positive_and_decays():
    z = graded_nodes(2e-6, [Feature(start=0, end=0.4e-6, h=2e-9)], ratio=1.05)
    mesh = Mesh(z=z, x=np.zeros(1))
    B = implant_1d(z, "B", 2e18, 20.0)
    n_plus = hobler_moroz_plus_n(10.81, 20.0)
    assert n_plus == pytest.approx(1.0 + 0.0905 * 10.81 ** 0.85 * 20 ** (-2 / math.sqrt(10.81)))
    r = five_stream_anneal(mesh, {"B": B, "P": np.full(z.size, 1.4e21)}, duration=20.0,
                           temperature=lambda t: 1273.15, excess=n_plus * B)
    assert mesh.dose(r.conc["B"]) == pytest.approx(mesh.dose(B), rel=1e-9)
    for v in r.defects.values():
        assert np.all(v >= 0)
    fs = FiveStream(["B"], background=1.4e21)
    Ieq = fs.coef(1273.15).CI
    # 20 s at 1000 °C: the excess has mostly left through the surface sink
    assert mesh.dose(r.defects["I"] + r.defects["Cl"] - Ieq) < 0.2 * n_plus * mesh.dose(B)
    ratio = r.mean_D["B"] / r.mean_D_eq["B"]
    assert ratio.max() > 10                      # a transient enhancement happened …
    assert ratio[-1] < 1.5                       # … and is over


def test_kim_transient_is_over_within_10_s():
    """Kim et al. (1990): below 1e14 cm⁻² the anomalous diffusion saturates within 10 s
    at 1000 °C.  (Also the registered validation problem ``kim_ted_duration``.)"""
    from waferlab.validation.thermal import kim_enhancement_history
    t, cum = kim_enhancement_history(duration=20.0)
    assert cum[-1] > 0
    assert np.interp(10.0, t, cum) / cum[-1] > 0.9


@pytest.mark.slow
@pytest.mark.parametrize("T_C,duration", [(800.0, 20000.0), (900.0, 1200.0), (1000.0, 60.0)])
def test_ted_diffusivity_within_a_factor_2_of_solmi(T_C, duration):
    """Acceptance: the time-averaged TED diffusivity of B 2e14 cm⁻² 20 keV over the
    transient (t90) within a factor 2 of Solmi et al.'s fit 2.2e-2 exp(−2.5 eV/kT) cm²/s
    (measured 0.68 / 0.80 / 0.79 at 800 / 900 / 1000 °C).  Validation problem
    ``solmi_ted_diffusivity``."""
    from waferlab.validation.thermal import solmi_ted_diffusivity
    D, ref, t90 = solmi_ted_diffusivity(T_C, duration)
    assert 0.5 < D / ref < 2.0, (D / ref, t90)
    assert t90 < 0.5 * duration                  # the transient is over within the anneal


def test_recipe_rejects_five_stream_predeposition():
    from waferlab.errors import RecipeError
    spec = ThermalSpec.model_validate({"depth": "1 um", "steps": [{"predeposit": {
        "dopant": "B", "surface_concentration": "1e20 cm^-3", "temperature": "1000 degC",
        "time": "1 min", "model": "five_stream"}}]})
    with pytest.raises(RecipeError, match="five_stream"):
        simulate(spec)


@pytest.mark.slow
def test_tsuprem4_case_as_recipe():
    """Acceptance: x_j within 10 % of TSUPREM-4's 0.880 µm (five-stream) and within 25 %
    of FLOOXS's 0.560 µm (Fermi), default mesh and numerics."""
    from waferlab.thermal.run import metrics_of
    from waferlab.validation.thermal import tsuprem4_case_spec
    m5, _ = metrics_of(simulate(tsuprem4_case_spec("five_stream")))
    assert abs(m5["junction_depth_m"] / 0.880e-6 - 1) < 0.10, m5["junction_depth_m"]
    assert m5["ted"]["B"]["enhanced_Dt_m2"] > 0
    mf, _ = metrics_of(simulate(tsuprem4_case_spec("fermi")))
    assert abs(mf["junction_depth_m"] / 0.560e-6 - 1) < 0.25, mf["junction_depth_m"]


def test_mesh_check_coarse_run_follows_the_fine_steps():
    """The mesh check's coarse run (every other depth node) takes the fine run's time
    steps, started from its own state plus the fine increments: it must land where an
    independent adaptive coarse run lands (within the time tolerance), so the Richardson
    difference fine − coarse is the depth error, not the stepper's."""
    from waferlab.thermal.meshing import coarsen_z
    z = graded_nodes(2e-6, [Feature(start=0.0, end=0.4e-6, h=4e-9)], ratio=1.08)
    mesh = Mesh(z=z, x=np.zeros(1))
    B = implant_1d(z, "B", 2e18, 20.0)
    exc = hobler_moroz_plus_n(10.81, 20.0) * B
    P = np.full(z.size, 1.4e21)
    kw = dict(duration=60.0, temperature=lambda t: 1173.15 + 2.0 * t)
    coarse, keep = coarsen_z(mesh)
    fine = five_stream_anneal(mesh, {"B": B, "P": P}, excess=exc, track=keep, **kw)
    times, states = fine.schedule
    assert len(times) == fine.steps and len(states) == fine.steps + 1
    args = ({"B": B[keep], "P": P[keep]},)
    followed = five_stream_anneal(coarse, *args, excess=exc[keep], follow=fine.schedule,
                                  readout=False, **kw)
    free = five_stream_anneal(coarse, *args, excess=exc[keep], readout=False, **kw)
    assert followed.steps == fine.steps          # no sub-steps were needed here
    assert followed.steps != free.steps          # the free run chose its own steps
    big = free.conc["B"] > 1e-3 * free.conc["B"].max()
    d_time = np.max(np.abs(followed.conc["B"][big] / free.conc["B"][big] - 1))
    d_mesh = np.max(np.abs(fine.conc["B"][keep][big] / followed.conc["B"][big] - 1))
    assert d_time < 0.05 * d_mesh, (d_time, d_mesh)  # what the check measures is the mesh
    assert mesh.dose(fine.conc["B"]) == pytest.approx(mesh.dose(B), rel=1e-9)
    assert coarse.dose(followed.conc["B"]) == pytest.approx(coarse.dose(B[keep]), rel=1e-9)
