"""Species that differ only in their sticking share rays (one weight per species): the
grouped estimates are unbiased — they agree with each species traced alone within the
combined Monte Carlo error — and rays are only traced once."""
import numpy as np

from waferlab.feature.flux import Species, shapes, trace_fluxes
from waferlab.feature.flux.engine import _groups, groupable


def _z(a, b):
    """Largest |difference| / combined standard error over the elements."""
    return float(np.max(np.abs(a.incident - b.incident) / np.hypot(a.stderr, b.stderr)))


def test_grouped_species_agree_with_separate_traces(ctx):
    """A 2D trench (aspect ratio 3) with sticking 0.05 (many re-emissions), 0.5, and 1 on
    the floor only (that species' weight dies there while the others go on: the
    roulette must stay unbiased for it).  Separate traces use other seeds, so the two
    estimates are independent: every element within 4.5σ (≈ 3σ over ~150 elements)."""
    s = shapes.trench(1.0, 3.0, h=0.05)
    sp = [Species(name="low", sticking=0.05), Species(name="mid", sticking=0.5),
          Species(name="floor", sticking={"top": 0.0, "wall": 0.0, "bottom": 1.0})]
    assert len(_groups(sp)) == 1
    together = trace_fluxes(s, sp, ctx, n_rays=200_000)
    for one in sp:
        alone = trace_fluxes(s, [one], ctx.with_(seed=ctx.seed + 7), n_rays=200_000)
        assert _z(together[one.name], alone[one.name]) < 4.5, one.name
    # the floor-only absorber: what the floor absorbs is what arrives there
    f = together["floor"]
    bottom = np.flatnonzero(np.asarray(s.materials) == s.material_names.index("bottom"))
    np.testing.assert_allclose(f.absorbed[bottom], f.incident[bottom])


def test_only_sticking_may_differ_within_a_group():
    ion = Species(name="ion", sticking=1.0, source_exponent=100.0)
    n1 = Species(name="a", sticking=0.3)
    n2 = Species(name="b", sticking={"top": 0.1})
    assert groupable(n1) == groupable(n2) != groupable(ion)
    assert [tuple(x.name for x in g) for g in _groups([n1, ion, n2])] == [("a", "b"), ("ion",)]


def test_group_roulette_is_unbiased_for_every_species(ctx):
    """Russian roulette on the largest weight, all weights rescaled: with the roulette at
    almost every hit (threshold 0.9) the total incident and absorbed weight of each
    species equals a trace without roulette within 4σ (batch means over 64 chunks)."""
    from waferlab.feature.flux.engine import FluxTracer
    s = shapes.trench(1.0, 3.0, h=0.1)
    sp = (Species(name="low", sticking=0.05), Species(name="mid", sticking=0.5))
    tr = FluxTracer(s)

    def totals(thr, seeds):
        inc, absb, _, _, nrays = tr.trace_group(sp, 100_000, seeds, rr_threshold=thr,
                                                rr_weight=max(thr, 0.3))
        out = []
        for tal in (inc, absb):
            per = tal.sum(axis=2) / nrays[:, None]            # (K, S) per-ray totals
            w = nrays / nrays.sum()
            mean = (w[:, None] * per).sum(axis=0)
            var = len(w) / (len(w) - 1) * ((w[:, None] * (per - mean)) ** 2).sum(axis=0)
            out.append((mean, np.sqrt(var)))
        return out

    rr = totals(0.9, ctx.seeds(64, "rr-group", "on"))
    ref = totals(0.0, ctx.seeds(64, "rr-group", "off"))
    for (m1, e1), (m2, e2) in zip(rr, ref):
        assert np.all(np.abs(m1 - m2) < 4.0 * np.hypot(e1, e2)), (m1, m2, e1, e2)
