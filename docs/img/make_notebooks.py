"""Build docs/plasma-etch.ipynb, docs/layout-to-etch.ipynb and docs/uq-study.ipynb.

Run from the repository root: ``python docs/img/make_notebooks.py`` writes them and
executes them (nbclient), so the committed notebooks show their pictures on a code
host; ``--no-execute`` writes them without outputs.  tests/test_notebooks.py executes
them again in the test suite (each checks its own numbers with ``assert`` cells)."""
import sys
from pathlib import Path

import nbformat as nbf

DOCS = Path(__file__).resolve().parents[1]

def nb(cells):
    n = nbf.v4.new_notebook()
    n.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                  "language_info": {"name": "python"}}
    out = []
    for kind, src in cells:
        out.append(nbf.v4.new_markdown_cell(src.strip()) if kind == "md" else nbf.v4.new_code_cell(src.strip()))
    n.cells = out
    return n

plasma = [
("md", """
# Plasma etch from the reactor knobs

A silicon trench etched in an inductively coupled SF6/O2 plasma, set up the way a process
engineer sets a tool: source power, bias voltage, pressure and gas flows.  waferlab solves
the reactor (global model: electron temperature and density, neutral radicals, the sheath
and the ion energy distribution at the wafer), traces the fluxes of ions, fluorine and
oxygen into the trench by Monte Carlo, and evolves the profile with the SF6/O2 surface
kinetics (docs/reactor.md, docs/etch-models.md).

Everything runs from Python: nothing is written to disk, every result is an object with
`metrics` and `plot()` (docs/python-api.md).  The grid and ray counts are kept small so
the notebook runs in seconds; the demo recipe (`waferlab demo`) uses finer settings.
"""),
("code", """
%matplotlib inline
import time

import waferlab

t_start = time.perf_counter()
knobs = {"power": "800 W", "bias": "100 V", "pressure": "10 mTorr", "SF6": "100 sccm", "O2": "20 sccm"}
recipe = {
    "name": "sf6o2-trench", "seed": 42,
    "grid": {"dimension": 2, "spacing": "25 nm", "extent": ["1.2 um"], "boundary": "reflective"},
    "structure": {"substrate": {"material": "Si"},
                  "layers": [{"material": "Mask", "thickness": "300 nm"}],
                  "feature": {"type": "trench", "width": "400 nm", "depth": "300 nm"}},
    "steps": [{"plasma_etch": {
        "model": "sf6o2",
        "reactor": {"chamber": {"radius": "15 cm", "length": "30 cm", "wafer_radius": "10 cm"},
                    "pressure": knobs["pressure"],
                    "gases": {"SF6": knobs["SF6"], "O2": knobs["O2"]},
                    "source": {"type": "icp", "power": knobs["power"]},
                    "bias": {"frequency": "13.56 MHz", "voltage": knobs["bias"]}},
        "loading": {"open_area_fraction": 0.3},
        "rays_per_point": 100, "time": "20 s"}}]}
recipe_checked = waferlab.load_recipe(recipe)      # a RecipeError here names the field
print(recipe_checked.name, [s.describe() for s in recipe_checked.steps])
"""),
("md", """
## The reactor

`solve_reactor` takes the process recipe and solves the reactor of its `plasma_etch` step.
The table shows the plasma at the wafer; the picture the ion energy and angle
distributions the feature scale receives.
"""),
("code", """
reactor = waferlab.solve_reactor(recipe)
reactor
"""),
("code", """
s = reactor.state
print(f"T_e = {s.T_e_eV:.2f} eV, n_e = {s.n_e_avg_m3 * 1e-6:.3g} cm^-3, <E_ion> = {s.ion_energy_mean_eV:.0f} eV")
for name in ("F", "O", "SF5+"):
    if name in s.fluxes_to_wafer_m2s:
        print(f"  flux of {name:5s} to the wafer: {s.fluxes_to_wafer_m2s[name] * 1e-4:.3e} cm^-2 s^-1")
reactor.plot()
"""),
("md", """
A knob sweep: the source power from 400 W to 1200 W (each point starts from the previous
solution, so a sweep costs little more than one solve).
"""),
("code", """
sweep = waferlab.solve_reactor(recipe, sweep="power=400W:1200W:5")
for row in sweep.sweep:
    print(f"{row['value']:>8s}: n_e = {row['n_e_avg_m3'] * 1e-6:.3g} cm^-3, T_e = {row['T_e_eV']:.2f} eV")
sweep.plot()
"""),
("md", """
## Fluxes into the trench

`probe_fluxes` traces every species of the etch model on the initial structure (the
reactor's fluxes and angular spread feed the Monte Carlo sources).  Values are relative
to a flat open surface: the ions, nearly vertical, reach the bottom; the neutrals, with
a cosine distribution, are shadowed by the walls.
"""),
("code", """
flux = waferlab.probe_fluxes(recipe)
print("traced:", ", ".join(flux.names), f"({flux.rays} rays per point)")
flux.plot("ion")
"""),
("code", """
flux.plot("etchant")
"""),
("md", """
## The etch

`run` couples everything: the reactor, the loading of the wafer's open area, the ray
tracing and the level-set profile.  The metrics are those `waferlab run` prints (SI in
the dictionary, engineering units in the table).
"""),
("code", """
result = waferlab.run(recipe)
result
"""),
("code", """
m = result.metrics
print(f"etch depth {m['etch_depth_m'] * 1e9:.0f} nm in {m['simulated_time_s']:.0f} s, "
      f"CD at mid-depth {m['cd_middle_m'] * 1e9:.0f} nm, sidewall {m['sidewall_angle_deg']:.1f} deg")
assert m["etch_depth_m"] > 50e-9          # the trench was etched
result.plot()
"""),
("code", """
print(f"notebook ran in {time.perf_counter() - t_start:.1f} s")
"""),
]

layout = [
("md", """
# From a layout to an etched structure

A small layout clip drawn with [gdstk](https://heitzmann.github.io/gdstk/) becomes the
mask of an `expose` step: waferlab images it (partially coherent, annular illumination),
develops the resist, and the resist pattern is the etch mask of a 3D structure.

The same layout is first imaged alone (`waferlab.image`, the Python form of
`waferlab image`) to look at the aerial image and the edge placement.
"""),
("code", """
%matplotlib inline
import tempfile
import time
from pathlib import Path

import gdstk

import waferlab

t_start = time.perf_counter()
work = Path(tempfile.mkdtemp(prefix="waferlab-layout-"))
lib = gdstk.Library(unit=1e-9, precision=1e-12)         # coordinates in nm
cell = lib.new_cell("CLIP")
cell.add(gdstk.rectangle((-300, -250), (-150, 250)))    # a line
cell.add(gdstk.rectangle((50, -250), (200, 50)))         # an L: its vertical leg ...
cell.add(gdstk.rectangle((50, 50), (300, 200)))          # ... and its foot
lib.write_gds(work / "clip.gds")
print("layout written to", work / "clip.gds")
"""),
("md", """
## The aerial image

The lines are chrome (`tone: dark`) on a clear field, imaged at 193 nm, NA 0.85 with an
annular source.  The cyan contour is where the image crosses the resist threshold, the
dashed white one the drawn layout: the corners round and the line ends pull back.
"""),
("code", """
optics = {"wavelength": "193 nm", "na": 0.85,
          "source": {"shape": "annular", "sigma_in": 0.5, "sigma_out": 0.8}}
mask = {"type": "gds", "file": str(work / "clip.gds"), "cell": "CLIP", "layer": 0,
        "size": ["800 nm", "800 nm"], "tone": "dark"}
litho = waferlab.image({"name": "clip", "optics": optics, "mask": mask,
                        "image": {"pixel": "10 nm", "threshold": 0.3}})
m = litho.metrics
print(f"{m['epe_samples']} edge points, largest edge placement error {m['epe_max_abs_m'] * 1e9:.0f} nm, "
      f"PV band {m['pv_band_area_m2'] * 1e12:.4f} um^2")
litho.plot()
"""),
("md", """
## Expose, develop, etch

The process recipe: a 3D silicon clip (800 nm square, periodic), a 200 nm resist coat
exposed through the layout and developed (threshold model), then a directional silicon
etch through the resist openings.
"""),
("code", """
recipe = {
    "name": "clip-etch", "seed": 1,
    "grid": {"dimension": 3, "spacing": "20 nm", "extent": ["800 nm", "800 nm"],
             "boundary": "periodic"},
    "structure": {"substrate": {"material": "Si"}},
    "steps": [
        {"expose": {"optics": optics, "mask": mask, "image": {"pixel": "10 nm"},
                    "resist": {"thickness": "200 nm", "mode": "threshold", "threshold": 0.3,
                               "dose": "30 mJ/cm^2"}}},
        {"etch": {"model": "directional", "rates": {"Si": "300 nm/min"},
                  "direction": [0, 0, -1], "isotropic_fraction": 0.05, "time": "0.5 min"}}]}
result = waferlab.run(recipe)
for step, seconds in result.timings:
    print(f"{step}: {seconds:.1f} s")
print(f"etched {result.metrics['etch_depth_m'] * 1e9:.0f} nm into Si")
assert result.metrics["etch_depth_m"] > 100e-9
"""),
("md", """
The cross-section through y = 0 cuts the line and the L's leg; the 3D view shows the
resist (pink) on the silicon pillars it protected.
"""),
("code", """
result.plot()
"""),
("code", """
result.plot_3d()
"""),
("md", """
To keep the files, give `out`: `waferlab.run(recipe, out="clip-etch")` writes the
metrics, the profile, the ParaView files (`final.vtu`, `final_surface.vtu`, readable by
meshio), `profile_3d.png` and a self-contained `report.html`.
"""),
("code", """
print(f"notebook ran in {time.perf_counter() - t_start:.1f} s")
"""),
]

study = [
("md", """
# Uncertainty of a trench etch

How much do the trench depth and width vary when the etch rates drift?  A two-step
silicon etch (a directional main etch, then an isotropic clean-up) has two uncertain
rates; waferlab's study runs the recipe on a design of samples and returns the
statistics (docs/study.md).

Two designs answer the question: a Monte Carlo sample (mean and standard deviation with
confidence intervals) and a polynomial chaos expansion on Gauss nodes (the same moments
from 9 runs, plus Sobol sensitivity indices: which rate drives which metric).
"""),
("code", """
%matplotlib inline
import time

import numpy as np

import waferlab

t_start = time.perf_counter()
base = {
    "name": "uq-trench", "seed": 5,
    "grid": {"dimension": 2, "spacing": "20 nm", "extent": ["1.2 um"]},
    "structure": {"substrate": {"material": "Si"},
                  "layers": [{"material": "Mask", "thickness": "200 nm"}],
                  "feature": {"type": "trench", "width": "400 nm", "depth": "200 nm"}},
    "steps": [
        {"etch": {"model": "directional", "rates": {"Si": "1 um/min"}, "direction": [0, -1],
                  "time": "0.5 min"}},
        {"etch": {"model": "isotropic", "rates": {"Si": "100 nm/min"}, "time": "0.5 min"}}]}
knobs = {"steps[0].etch.rates.Si": {"distribution": "normal", "mean": "1 um/min", "std": "0.05 um/min"},
         "steps[1].etch.rates.Si": {"range": ["60 nm/min", "140 nm/min"]}}
metrics = ["etch_depth_m", "cd_middle_m"]
nominal = waferlab.run(base)
print(f"nominal: depth {nominal.metrics['etch_depth_m'] * 1e9:.1f} nm, "
      f"CD {nominal.metrics['cd_middle_m'] * 1e9:.1f} nm")
nominal.plot()
"""),
("md", """
## Monte Carlo

24 random samples, run in this process (`serial=True`; without it the samples run on a
local Dask cluster, or on `scheduler=` a remote one).
"""),
("code", """
mc = waferlab.run_study({"study": {"base": base, "parameters": knobs, "metrics": metrics,
                                   "method": "montecarlo", "samples": 24, "seed": 1}},
                        serial=True)
for name, st in mc.summary["statistics"].items():
    lo, hi = st["mean_ci95"]
    print(f"{name}: mean {st['mean'] * 1e9:.1f} nm (95 % CI {lo * 1e9:.1f} .. {hi * 1e9:.1f}), "
          f"std {st['std'] * 1e9:.2f} nm")
mc.plot()
"""),
("md", """
The samples are an xarray Dataset: one row per sample, the knobs in `x`, each metric a
variable.
"""),
("code", """
ds = mc.dataset
print(ds["etch_depth_m"].values[:6] * 1e9)
"""),
("md", """
## Polynomial chaos and sensitivities

A second-order expansion on 3 × 3 Gauss nodes gives the mean and standard deviation of
each metric and its Sobol indices (S1: the share of the variance each rate causes alone;
ST: with its interactions).  The depth is set by the main etch; the width mostly by the
isotropic clean-up.
"""),
("code", """
pce = waferlab.run_study({"study": {"base": base, "parameters": knobs, "metrics": metrics,
                                    "method": "pce", "pce": {"order": 2, "rule": "quadrature"},
                                    "seed": 1}}, serial=True)
print(f"{pce.summary['samples']} runs")
for name, st in pce.summary["pce"].items():
    s1 = ", ".join(f"{label}: {v:.2f}" for label, v in zip(("main etch", "clean-up"), st["S1"]))
    print(f"{name}: mean {st['mean'] * 1e9:.1f} nm, std {st['std'] * 1e9:.2f} nm; S1 {s1}")
    mc_st = mc.summary["statistics"][name]
    # the expansion's mean lies inside the Monte Carlo 95 % interval (up to 4 sigma of the MC mean)
    assert abs(st["mean"] - mc_st["mean"]) < 4 * mc_st["std"] / np.sqrt(mc_st["n"]) + 1e-12
"""),
("md", """
A check by hand: the depth is the 200 nm opening plus rate × 30 s of each step, so its
variance is (σ_main · 0.5 min)² + (Δ_clean-up · 0.5 min)²/12 (a uniform range Δ), and
the width at mid-depth grows by twice the clean-up etch.  A second-order expansion of
a linear response is exact: the expansion's standard deviations and first-order indices
match these to rounding.
"""),
("code", """
var_main = (0.05e-6 / 60 * 30) ** 2                     # m^2
var_clean = ((140e-9 - 60e-9) / 60 * 30) ** 2 / 12
depth = pce.summary["pce"]["etch_depth_m"]
cd = pce.summary["pce"]["cd_middle_m"]
print(f"depth std: {depth['std'] * 1e9:.2f} nm (by hand {np.sqrt(var_main + var_clean) * 1e9:.2f}), "
      f"S1 main etch {depth['S1'][0]:.3f} (by hand {var_main / (var_main + var_clean):.3f})")
print(f"CD std: {cd['std'] * 1e9:.2f} nm (by hand {2 * np.sqrt(var_clean) * 1e9:.2f})")
# within the grid's resolution of the profile (a fraction of the 20 nm spacing)
assert abs(depth["std"] - np.sqrt(var_main + var_clean)) < 2e-9
assert abs(cd["std"] - 2 * np.sqrt(var_clean)) < 2e-9
"""),
("md", """
With `out="uq-study"` the study also writes `study.nc`, `samples.csv`, `summary.json`,
the plots and a self-contained `report.html` with the table of samples and the
statistics.
"""),
("code", """
print(f"notebook ran in {time.perf_counter() - t_start:.1f} s")
"""),
]

for name, cells in (("plasma-etch", plasma), ("layout-to-etch", layout), ("uq-study", study)):
    book = nb(cells)
    if "--no-execute" not in sys.argv:
        import nbclient

        nbclient.NotebookClient(book, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(DOCS)}}).execute()
    nbf.write(book, DOCS / f"{name}.ipynb")
    print("wrote", name)
