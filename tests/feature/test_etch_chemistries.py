"""Coverage-kinetics etch chemistries ``hbro2`` and ``cf4o2`` on the generic model.

References: the Belen site balance (Belen et al., J. Vac. Sci. Technol. A 23, 99, 2005)
of ``sf6o2`` — the generic model with that chemistry reproduces ``IonEnhancedEtch``
bit for bit on a traced surface; the CF4/O2 steady coverages against the peer's closed
form written out by hand (ViennaPS ``CF4O2Etching``: θ_F = b d f / D, …); flat-surface
speeds against the atomic-scale closed forms; the traced flat surface within 3σ.
Side by side with the peer: bench/bench_etch_chemistries.py."""
import numpy as np
import pytest

from waferlab.atomic.cf4o2 import CF4O2Parameters, cf4o2_flat_rates
from waferlab.atomic.hbro2 import HBrO2Parameters
from waferlab.atomic.kinetics import BelenChemistry, CoverageChemistry
from waferlab.atomic.sf6o2 import sf6o2_flat_mask_rate, sf6o2_flat_rates
from waferlab.context import RunContext
from waferlab.errors import RecipeError
from waferlab.feature.coverage_etch import CoverageEtch
from waferlab.feature.flux.transport import TracedTransport
from waferlab.feature.registry import known_models
from etch_cases import PEER_HOLE, spec as _spec, trench as _trench


def _build(data, materials=("Si", "Mask")):
    return _spec(data).build(kind="etch", materials=materials, target=None)


def test_registered():
    assert {"hbro2", "cf4o2"} <= set(known_models())
    assert isinstance(BelenChemistry(kinetics=HBrO2Parameters().kinetics()), CoverageChemistry)
    assert isinstance(CF4O2Parameters().chemistry(), CoverageChemistry)


def test_belen_chemistry_reproduces_sf6o2_bit_for_bit():
    """sf6o2's IonEnhancedEtch and CoverageEtch(BelenChemistry) trace the same species
    and give identical velocities and coverages on a traced trench (same seed)."""
    ref = _build(PEER_HOLE)
    m = ref.model
    chem = BelenChemistry(kinetics=m.kinetics, etchant_sticking=m.etchant_sticking,
                          passivant_sticking=m.passivant_sticking)
    gen = CoverageEtch(chemistry=chem, beam=m.beam, ion_flux=m.ion_flux,
                       neutral_fluxes={"etchant": m.etchant_flux, "passivant": m.passivant_flux},
                       etched=m.etched, masks=m.masks, materials=m.materials,
                       ion_sticking=((0.0, np.deg2rad(70.0), np.pi / 2), (1.0, 1.0, 0.0)),
                       ion_lobe="cone", ion_scoring="per_hit")
    other = TracedTransport(model=gen, tracing=ref.tracing, step=ref.step)
    s = _trench(0.3e-6, 0.6e-6, 1.0e-6, 6)
    a = ref.element_rates(s, RunContext(seed=3), ("x",))
    b = other.element_rates(s, RunContext(seed=3), ("x",))
    assert np.array_equal(a.velocity, b.velocity)
    for k in ("theta_etchant", "theta_passivant"):
        assert np.array_equal(a.coverages[k], b.coverages[k])
    assert gen.flat_speed("Si") == m.flat_speed("Si")
    assert gen.flat_speed("Mask") == m.flat_speed("Mask")


def test_cf4o2_coverages_match_the_peer_closed_form():
    p = CF4O2Parameters()
    chem = p.chemistry()
    rng = np.random.default_rng(0)
    GF, GO, GC = rng.uniform(0, 2e22, (3, 50))
    Yie, YO, YC = rng.uniform(0, 5e20, (3, 50))
    GO[:5] = 0.0
    GC[5:10] = 0.0
    th = chem.coverages({"etchant": GF, "oxygen": GO, "polymer": GC},
                        {"ie": Yie, "O": YO, "C": YC})
    a, b, c = GO, GF, GC
    d, e, f = YO + p.beta_sigma, 2 * Yie + p.k_sigma, YC + GO
    D = e * f * (a + d) + b * d * f + c * d * e
    np.testing.assert_allclose(th["theta_F"], b * d * f / D, rtol=1e-12)
    np.testing.assert_allclose(th["theta_O"], a * e * f / D, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(th["theta_C"], c * d * e / D, rtol=1e-12, atol=1e-300)
    # rate: kσ θ_F / 4 + (YΓ)_sp + (YΓ)_ie θ_F
    R, _ = chem.rates({"etchant": GF, "oxygen": GO, "polymer": GC},
                      {"sp": Yie * 0.01, "ie": Yie, "O": YO, "C": YC})
    np.testing.assert_allclose(R, p.k_sigma * th["theta_F"] / 4 + Yie * 0.01
                               + Yie * th["theta_F"], rtol=1e-12)


def test_cf4o2_sticking_laws():
    chem = CF4O2Parameters(gamma_F={"Si": 0.6}).chemistry()
    th = {"theta_F": np.array([0.2]), "theta_O": np.array([0.3]), "theta_C": np.array([0.1])}
    assert chem.sticking("etchant", "Si", th)[0] == pytest.approx(0.6 * 0.4 + 0.3 * 0.3)
    assert chem.sticking("oxygen", "Si", th)[0] == pytest.approx(1.0 * 0.4 + 0.3 * 0.1)
    assert chem.sticking("polymer", "Si", th)[0] == pytest.approx(1.0 * 0.4 + 0.3 * 0.3)
    # unlisted materials take the peer's map default 1
    assert chem.sticking("etchant", "SiO2", th)[0] == pytest.approx(1.0 * 0.4 + 1.0 * 0.3)


@pytest.mark.parametrize("model", ["hbro2", "cf4o2"])
def test_flat_speed_equals_closed_form(model):
    t = _build({"model": model})
    if model == "hbro2":
        p = HBrO2Parameters()
        si = -sf6o2_flat_rates(p).etch_rate
        mask = -sf6o2_flat_mask_rate(p)
    else:
        p = CF4O2Parameters()
        si = -cf4o2_flat_rates(p)[0]
        mask = -p.ion_flux * p.beam().flat_yield(p.mask_yield()) / p.mask_density
    assert t.model.flat_speed("Si") == pytest.approx(float(si), rel=1e-12)
    assert t.model.flat_speed("Mask") == pytest.approx(float(mask), rel=1e-12)
    assert 2e-8 < -si < 2e-7          # tens of nm/s, the peer's order


def test_hbro2_differs_from_sf6o2_only_by_its_parameters():
    p, q = HBrO2Parameters(), HBrO2Parameters().with_(A_sp=0.0337, E_th_sp_eV=20.0, A_Si=7.0,
                                                     etchant_sticking=0.7)
    from waferlab.atomic.sf6o2 import SF6O2Parameters
    assert sf6o2_flat_rates(q).etch_rate == sf6o2_flat_rates(SF6O2Parameters()).etch_rate
    assert p.mask_yield().threshold_eV == 20.0 and p.sputter_yield().threshold_eV == 30.0


@pytest.mark.parametrize("model", ["hbro2", "cf4o2"])
def test_traced_flat_surface(model):
    """On an open flat Si surface every species arrives once: the traced speed equals
    the closed form within 3σ of the element scatter (500 rays per point)."""
    from waferlab.feature.surface import Surface
    n, L = 40, 1e-6
    x = np.linspace(-L / 2, L / 2, n + 1)
    pts = np.c_[x, np.zeros_like(x)]
    el = np.c_[np.arange(n), np.arange(1, n + 1)]
    s = Surface(points=pts, elements=el, normals=np.tile([0.0, 1.0], (n, 1)),
                materials=np.zeros(n, np.int32), material_names=("Si", "Mask"),
                lateral_bounds=((-L / 2, L / 2),), boundary="reflective")
    t = _build({"model": model, "rays_per_point": 500, "coverage_iterations": 0})
    er = t.element_rates(s, RunContext(seed=1), ("flat",))
    v = er.velocity
    sig = v.std(ddof=1) / np.sqrt(n)
    assert abs(v.mean() - t.model.flat_speed("Si")) < 3 * sig + 1e-3 * abs(v.mean())


def test_cf4o2_oxygen_and_polymer_slow_the_etch():
    """More O passivates, more C passivates: the flat Si speed falls with either."""
    base = -cf4o2_flat_rates(CF4O2Parameters())[0]
    more_o = -cf4o2_flat_rates(CF4O2Parameters(oxygen_flux=1e22))[0]
    more_c = -cf4o2_flat_rates(CF4O2Parameters(polymer_flux=1e22))[0]
    assert more_o > base and more_c > base      # speeds are negative


@pytest.mark.parametrize("data, path", [
    ({"model": "cf4o2", "gamma_F": 1.5}, "gamma_F"),
    ({"model": "cf4o2", "gamma_O": {"Si": -0.1}}, "gamma_O.Si"),
    ({"model": "cf4o2", "gamma_C": {"Oxide": 0.5}}, "gamma_C"),
    ({"model": "cf4o2", "etched": ["Nope"]}, "etched"),
    ({"model": "hbro2", "etchant_sticking": 2.0}, "etchant_sticking"),
    ({"model": "hbro2", "oxygen_sticking": {"Si": 1.5}}, "oxygen_sticking.Si"),
    ({"model": "hbro2", "masks": ["Resist"]}, "masks"),
])
def test_bad_settings_name_the_field(data, path):
    with pytest.raises(RecipeError) as e:
        _build(data)
    assert path in str(e.value)


@pytest.mark.parametrize("data, path", [
    ({"model": "cf4o2", "polymer_flux": "-1e15 cm^-2 s^-1"}, "polymer_flux"),
    ({"model": "hbro2", "A_sp": -1}, "A_sp"),
    ({"model": "cf4o2", "gammaF": 0.3}, "gammaF"),
])
def test_bad_values_refused_at_validation(data, path):
    with pytest.raises(RecipeError) as e:
        _spec(data)
    assert path in str(e.value)


def test_deposit_refused():
    with pytest.raises(RecipeError):
        _spec({"model": "cf4o2"}).build(kind="deposit", materials=("Si",), target="Si")
