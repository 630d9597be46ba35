"""Feature-scale ion-enhanced etch models (``sf6o2``, ``ion_enhanced``) on the flux engine.

References: flat-surface rates from the atomic-scale closed forms (checked against the
peer's equations in tests/atomic/test_sf6o2.py); aspect-ratio-dependent neutral flux
K/[K + S(1 − K)] with K the slit Clausing transmission (Coburn & Winters, Appl. Phys.
Lett. 55, 2730, 1989; docs/reference-data.md §1–2); synergy (Coburn & Winters, J. Appl. Phys.
50, 3189, 1979)."""
import numpy as np
import pytest

from waferlab.atomic.sf6o2 import sf6o2_flat_mask_rate, sf6o2_flat_rates
from waferlab.context import RunContext
from waferlab.errors import RecipeError
from waferlab.feature.etch_models import IonEnhancedEtch
from waferlab.feature.surface import Surface
from waferlab.feature.velocity import VelocityModel
from etch_cases import PEER_HOLE, polyline as _polyline, spec as _spec, trench as _trench

# Coburn & Winters 1979 parameter set (atomic.ion_enhanced.coburn_winters_parameters) as a recipe
CW = {"model": "ion_enhanced", "ion_flux": "4e13 cm^-2 s^-1", "etchant_flux": "6e15 cm^-2 s^-1",
      "ion_energy": "450 eV", "ion_energy_sigma": "0 eV", "ion_exponent": 1000,
      "chemical_rate": "1.8e14 cm^-2 s^-1", "chemical_stoichiometry": 4, "ie_stoichiometry": 2,
      "etchant_sticking": 0.35, "density": "5.02e22 cm^-3",
      "sputter": {"A": 0.0337, "threshold": "20 eV", "angular": "sputter", "B": 9.3},
      "ion_enhanced": {"A": 1.3, "threshold": "15 eV", "angular": "belen_ie"}}


def test_protocol_and_flat_speeds_are_the_atomic_closed_forms():
    spec = _spec(PEER_HOLE)
    m = spec.build(kind="etch", materials=("Si", "Mask"), target=None)
    assert isinstance(m, VelocityModel)
    p = spec.parameters()
    assert m.model.flat_speed("Si") == pytest.approx(-float(sf6o2_flat_rates(p).etch_rate), rel=1e-9)
    assert m.model.flat_speed("Mask") == pytest.approx(-float(sf6o2_flat_mask_rate(p)), rel=1e-9)
    assert m.max_rate() >= abs(m.model.flat_speed("Si"))


def test_flat_surface_traced_speed_equals_flat_rate():
    """Ray-traced flat Si: mean V_n = flat-surface rate within 3σ (σ from the spread)."""
    n, L = 200, 1e-6
    s = _polyline([((-L / 2, 0), (L / 2, 0), 0, n)], ("Si",), L)
    m = _spec(PEER_HOLE).build(kind="etch", materials=("Si",), target=None)
    st = m.prepare(s, RunContext(seed=1), 0.0)
    v = m.speed(st, s.centroids, s.normals, s.materials)
    ref = m.model.flat_speed("Si")
    sigma = v.std() / np.sqrt(n)
    assert abs(v.mean() - ref) < 3 * sigma + 1e-3 * abs(ref), (v.mean(), ref, sigma)


@pytest.mark.parametrize("S", [1.0, 0.1])
def test_neutral_limited_bottom_rate_follows_coburn_winters(S):
    """Acceptance: neutral-limited etching, non-reactive (Mask) walls, Si bottom of
    reaction probability S: bottom rate / flat rate = K/[K + S(1 − K)] within 5 %."""
    K = {1: 0.68438, 2: 0.54206, 5: 0.35641}       # slit, L/H = AR (docs/reference-data.md §1)
    data = {"model": "ion_enhanced", "ion_flux": "0 cm^-2 s^-1", "etchant_flux": "1e16 cm^-2 s^-1",
            # k_c ≫ γΓ: θ_E ≤ 1e-4, the rate is linear in the absorbed flux
            "chemical_rate": "1e20 cm^-2 s^-1", "etchant_sticking": S, "rays_per_point": 1000,
            "sputter": {"A": 0.03, "threshold": "20 eV"}, "ion_enhanced": {"A": 5, "threshold": "15 eV"}}
    m = _spec(data).build(kind="etch", materials=("Si", "Mask"), target=None)
    S_eff = m.model.species()[0].sticking["Si"]
    assert S_eff == pytest.approx(S, rel=1e-3)
    for ar in (1, 5):
        s = _trench(1e-6, ar * 1e-6, 2e-6, 40)
        st = m.prepare(s, RunContext(seed=ar), 0.0)
        bot = s.materials == 0
        v = m.speed(st, s.centroids[bot], s.normals[bot], s.materials[bot])
        ratio = v.mean() / m.model.flat_speed("Si")
        pred = K[ar] / (K[ar] + S_eff * (1 - K[ar]))
        assert ratio == pytest.approx(pred, rel=0.05), (ar, ratio, pred)
        walls = ~bot & (s.centroids[:, 1] < -1e-9)
        assert np.all(m.speed(st, s.centroids[walls], s.normals[walls], s.materials[walls]) == 0)


def test_synergy_generic_model():
    """Acceptance: ions + etchant ≥ 5 × (ions alone + etchant alone), documented parameters."""
    def flat(**over):
        m = _spec({**CW, **over}).build(kind="etch", materials=("Si",), target=None)
        return -m.model.flat_speed("Si")
    both = flat()
    gas = flat(ion_flux="0 cm^-2 s^-1")
    ions = flat(etchant_flux="0 cm^-2 s^-1")
    assert both >= 5 * (gas + ions), (both, gas, ions)
    assert both * 6e10 == pytest.approx(6.09, rel=0.01)      # nm/min, as the atomic model


def test_tilted_sputtering_is_stronger_and_bounded():
    m = _spec(PEER_HOLE).build(kind="etch", materials=("Si", "Mask"), target=None)
    tilt = np.deg2rad([0.0, 45.0, 70.0, 89.0, 120.0])
    ones = np.ones(tilt.size)
    v, _ = m.model.element_speeds(ones, ones, ones, tilt, np.ones(tilt.size, int))
    assert v[1] < v[0] < 0            # mask sputtering peaks off normal ((1 + B sin²θ) cos θ)
    assert v[3] > v[2]                # grazing: (1 + B sin²θ) cos θ -> 0
    assert np.all(np.abs(v) <= m.max_rate())


def test_recipe_errors_name_the_field():
    with pytest.raises(RecipeError, match="unknown material 'Ge'"):
        _spec({**PEER_HOLE, "etched": ["Ge"]}).build(kind="etch", materials=("Si",), target=None)
    with pytest.raises(RecipeError, match="etch step"):
        _spec(PEER_HOLE).build(kind="deposit", materials=("Si", "SiO2"), target="SiO2")
    with pytest.raises(RecipeError, match="ion_flux"):
        _spec({**PEER_HOLE, "ion_flux": "10 nm"})
    with pytest.raises(RecipeError, match="same length"):
        _spec({**CW, "iedf": {"energies_eV": [1.0, 2.0], "pdf": [1.0]}})
    with pytest.raises(RecipeError, match="passivant_removal"):
        _spec({**CW, "passivant_flux": "1e15 cm^-2 s^-1"}).build(kind="etch", materials=("Si",),
                                                                  target=None)
    with pytest.raises(RecipeError, match="typo"):
        _spec({**CW, "typo": 1})


def test_tabulated_iedf_equals_monoenergetic_limit():
    a = _spec(CW).build(kind="etch", materials=("Si",), target=None)
    b = _spec({**CW, "iedf": {"energies_eV": [449.0, 450.0, 451.0], "pdf": [0.0, 1.0, 0.0]}}
              ).build(kind="etch", materials=("Si",), target=None)
    assert isinstance(a.model, IonEnhancedEtch)
    assert b.model.flat_speed("Si") == pytest.approx(a.model.flat_speed("Si"), rel=1e-5)


def test_per_element_coverage_iteration_keeps_flat_rate():
    """With per-element neutral sticking (the coverage iteration) a flat surface still etches
    at the flat rate within 3σ, and every element gets the flat coverage's sticking."""
    n, L = 100, 1e-6
    s = _polyline([((-L / 2, 0), (L / 2, 0), 0, n)], ("Si",), L)
    m = _spec({**PEER_HOLE, "coverage_iterations": 1}).build(kind="etch", materials=("Si",), target=None)
    st = m.prepare(s, RunContext(seed=2), 0.0)
    v = m.speed(st, s.centroids, s.normals, s.materials)
    ref = m.model.flat_speed("Si")
    assert abs(v.mean() - ref) < 3 * v.std() / np.sqrt(n) + 1e-3 * abs(ref)


def test_lagged_coverages_keep_flat_rate_and_carry_the_coverages():
    """``lagged_coverages``: the second time step traces the neutrals with the first
    step's coverages (nearest element; here the same surface).  A flat surface keeps the
    flat rate within 3σ, and the carried coverages are the flat-surface closed forms."""
    n, L = 100, 1e-6
    s = _polyline([((-L / 2, 0), (L / 2, 0), 0, n)], ("Si",), L)
    m = _spec({**PEER_HOLE, "lagged_coverages": True, "coverage_iterations": 1}).build(
        kind="etch", materials=("Si",), target=None)
    assert m.carries_state
    first = m.prepare(s, RunContext(seed=2), 0.0)
    thE, thP = m.model.flat_coverages()
    for got, want in ((first.carry["theta_etchant"], thE), (first.carry["theta_passivant"], thP)):
        # per-element Monte Carlo noise: the mean within 3σ of the mean
        assert abs(np.mean(got) - want) < 3 * np.std(got) / np.sqrt(n) + 1e-3 * want
    second = m.prepare(s, RunContext(seed=2), 1.0, carry=first.carry)
    v = m.speed(second, s.centroids, s.normals, s.materials)
    ref = m.model.flat_speed("Si")
    assert abs(v.mean() - ref) < 3 * v.std() / np.sqrt(n) + 1e-3 * abs(ref)
    plain = _spec({**PEER_HOLE, "lagged_coverages": False}).build(kind="etch", materials=("Si",),
                                                                   target=None)
    assert not plain.carries_state
    assert _spec(PEER_HOLE).build(kind="etch", materials=("Si",), target=None).carries_state


@pytest.mark.slow
def test_level_set_flat_etch_moves_by_rate_times_time():
    """Through the Etch step and the level-set engine: a flat Si surface etched for 5 s
    moves down by the flat-surface rate × time within 1 % + 0.1 grid spacing."""
    from waferlab.recipe import recipe_from_dict
    from waferlab.runner import initial_wafer
    from waferlab.feature.extract import extract_surface

    h = 0.02e-6
    data = {"name": "flat", "seed": 1,
            "grid": {"dimension": 2, "spacing": "0.02 um", "extent": ["0.4 um"]},
            "structure": {"substrate": {"material": "Si"}},
            "steps": [{"etch": {**PEER_HOLE, "time": "5 s"}}]}
    r = recipe_from_dict(data)
    w = initial_wafer(r)
    for st in r.steps:
        w = st.apply(w, RunContext(seed=1, threads=2))
    y = extract_surface(w.geometry).centroids[:, -1]
    m = _spec(PEER_HOLE).build(kind="etch", materials=("Si",), target=None)
    expected = 5.0 * m.model.flat_speed("Si")
    assert abs(y.mean() - expected) < 0.01 * abs(expected) + 0.1 * h, (y.mean(), expected)


def test_3d_flat_surface_and_tilt_from_last_axis():
    """3D (z up): a flat triangulated Si plane etches at the flat rate within 3σ."""
    n, L = 12, 1e-6
    g = np.linspace(-L / 2, L / 2, n + 1)
    X, Y = np.meshgrid(g, g, indexing="ij")
    pts = np.c_[X.ravel(), Y.ravel(), np.zeros(X.size)]
    idx = np.arange(X.size).reshape(X.shape)
    a, b, c, d = idx[:-1, :-1].ravel(), idx[1:, :-1].ravel(), idx[1:, 1:].ravel(), idx[:-1, 1:].ravel()
    tri = np.r_[np.c_[a, b, c], np.c_[a, c, d]]
    s = Surface(points=pts, elements=tri, normals=np.tile([0.0, 0.0, 1.0], (len(tri), 1)),
                materials=np.zeros(len(tri), np.int32), material_names=("Si",),
                lateral_bounds=((-L / 2, L / 2), (-L / 2, L / 2)), boundary="reflective")
    m = _spec({**PEER_HOLE, "rays_per_point": 500}).build(kind="etch", materials=("Si",), target=None)
    st = m.prepare(s, RunContext(seed=4), 0.0)
    v = m.speed(st, s.centroids, s.normals, s.materials)
    ref = m.model.flat_speed("Si")
    assert abs(v.mean() - ref) < 3 * v.std() / np.sqrt(len(v)) + 1e-3 * abs(ref)


def test_ion_reflection_default_and_switch():
    """sf6o2 reflects ions by default (ViennaPS law), `ion_reflection: false` switches it
    off; ion_enhanced is off unless asked."""
    from waferlab.feature.flux.sources import VIENNAPS_ION_STICKING

    def ion(data):
        m = _spec(data).build(kind="etch", materials=("Si", "Mask"), target=None)
        return next(sp for sp in m.model.species() if sp.name == "ion")

    on = ion(PEER_HOLE)
    assert on.sticking_angle == VIENNAPS_ION_STICKING and on.specular == 1.0
    g = on.sticking_angle_table()
    assert g[70] == 1.0 and g[80] == pytest.approx(0.5) and g[90] == 0.0
    off = ion({**PEER_HOLE, "ion_reflection": False})
    assert off.sticking_angle is None and off.specular == 0.0
    assert ion(CW).sticking_angle is None
    assert ion({**CW, "ion_reflection": True}).sticking_angle == VIENNAPS_ION_STICKING


def test_reflected_ions_focus_on_tapered_trench_bottom():
    """Tapered 2D trench (mouth 0.4 µm, bottom 0.2 µm, depth 1 µm: the walls are 5.7° off
    vertical, hit by the beam at ≈ 84°, g ≈ 0.29).  Without reflection the bottom gets
    the direct beam, ≈ 1 Γ_i (checked within 3σ + 2 %); with it the wall hits are mostly
    reflected downwards and the bottom ion flux rises, bounded by the mouth/bottom ratio
    2 (all ions entering the mouth).  The bottom etches faster accordingly."""
    L, wt, wb, d = 1.0e-6, 0.4e-6, 0.2e-6, 1.0e-6
    n = lambda a: max(1, int(round(a / 0.01e-6)))
    s = _polyline([((-L / 2, 0), (-wt / 2, 0), 1, n((L - wt) / 2)),
                   ((-wt / 2, 0), (-wb / 2, -d), 0, n(d)),
                   ((-wb / 2, -d), (wb / 2, -d), 0, n(wb)),
                   ((wb / 2, -d), (wt / 2, 0), 0, n(d)),
                   ((wt / 2, 0), (L / 2, 0), 1, n((L - wt) / 2))], ("Si", "Mask"), L)
    bot = np.abs(s.centroids[:, 1] + d) < 1e-12
    out = {}
    for refl in (False, True):
        m = _spec({**PEER_HOLE, "ion_reflection": refl, "etchant_flux": "0 cm^-2 s^-1",
                   "oxygen_flux": "0 cm^-2 s^-1", "rays_per_point": 1000}).build(
            kind="etch", materials=("Si", "Mask"), target=None)
        st = m.prepare(s, RunContext(seed=3), 0.0)
        f = st.result["ion"]
        a = s.areas[bot]
        mean = float((f.incident[bot] * a).sum() / a.sum())
        err = float(np.sqrt((f.stderr[bot] ** 2 * a ** 2).sum()) / a.sum())
        v = m.speed(st, s.centroids[bot], s.normals[bot], s.materials[bot]).mean()
        out[refl] = (mean, err, v)
    (m0, e0, v0), (m1, e1, v1) = out[False], out[True]
    assert abs(m0 - 1.0) < 3 * e0 + 0.02, m0
    assert m1 > m0 + 0.3 and m1 < 2.0 + 3 * e1, (m0, m1)
    assert v1 < v0 < 0          # etch speeds are negative: faster with reflection


def test_ion_scoring_key_builds_per_hit_channels():
    """``ion_scoring``: sf6o2 defaults to per-hit scoring (channels sp with the mask's own
    sputter yield, ie and P on every material, as the peer scores them; the peer's energy loss;
    cutoff min(E_th,ie, E_th,sp) = 15 eV); ``beam`` traces plain ions; anything else is a recipe
    error naming the key."""
    import math

    from waferlab.errors import RecipeError
    from waferlab.feature.etch_models import SF6O2Spec
    from waferlab.feature.flux.ions import VIENNAPS_ION_ENERGY_LOSS
    from waferlab.recipe_io import validate_section

    def ion(**extra):
        spec = validate_section(SF6O2Spec, {"model": "sf6o2", **extra}, "steps[0].etch")
        m = spec.build(kind="etch", materials=("Si", "Mask"), target=None).model
        return m, next(sp for sp in m.species() if sp.name == "ion")
    m, sp = ion()
    assert m.ion_scoring == "per_hit"
    assert set(sp.yield_channels) == {"sp", "ie", "P"}
    assert set(sp.yield_channels["sp"]) == {"Si", "Mask"}
    assert sp.yield_channels["sp"]["Mask"].A == pytest.approx(0.0139)
    assert set(sp.yield_channels["ie"]) == set(sp.yield_channels["P"]) == {"Si", "Mask"}
    assert sp.reflected_energy == VIENNAPS_ION_ENERGY_LOSS
    assert sp.energy_cutoff_eV == pytest.approx(15.0)
    assert sum(sp.iedf[1]) > 0 and min(sp.iedf[0]) >= 0 and not math.isnan(sp.iedf[0][0])
    m, sp = ion(ion_scoring="beam")
    assert not sp.yield_channels
    with pytest.raises(RecipeError, match="ion_scoring"):
        ion(ion_scoring="hit")
