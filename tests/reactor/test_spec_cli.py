"""Recipe validation, user chemistry files, the `waferlab reactor` command, examples."""
import json
import warnings
from pathlib import Path

import pytest

from waferlab.cli import main
from waferlab.errors import RecipeError
from waferlab.recipe_io import validate_section
from waferlab.reactor import ReactorSpec, load_chemistry, solve
from waferlab.reactor.cli import parse_sweep, run_reactor

ROOT = Path(__file__).resolve().parents[2]
ARGON = {"chamber": {"radius": "15 cm", "length": "30 cm"}, "pressure": "1 mTorr",
         "gases": {"Ar": "50 sccm"}, "source": {"power": "800 W"}}


def make(**over):
    d = json.loads(json.dumps(ARGON))
    d.update(over)
    return validate_section(ReactorSpec, d, "reactor")


def test_negative_power_is_a_recipe_error():
    with pytest.raises(RecipeError, match=r"reactor\.source\.power.*must be > 0"):
        make(source={"power": "-5 W"})


def test_unknown_gas_lists_known_ones():
    with pytest.raises(RecipeError, match=r"unknown gas Xe.*known gases: .*Ar.*SF6"):
        solve(make(gases={"Xe": "10 sccm"}))


def test_chlorine_gases_choose_cl2ar():
    assert load_chemistry("cl2ar").name == "cl2ar"
    st = solve(make(gases={"Cl2": "40 sccm", "Ar": "10 sccm"}, pressure="5 mTorr"))
    assert st.chemistry == "cl2ar" and st.densities_m3["Cl"] > 0


def test_unavailable_chemistry_file_is_a_clear_error(tmp_path):
    f = tmp_path / "none.yaml"
    f.write_text("name: none\nstatus: unavailable\nnotes: no rates for this set\n")
    with pytest.raises(RecipeError, match="no usable rate constants: no rates for this set"):
        load_chemistry(f)


def test_pressure_limits_warn_then_fail():
    with pytest.warns(RuntimeWarning, match=r"validity range \[0.01, 20\] Pa"):
        solve(make(pressure="30 Pa"))
    with pytest.raises(RecipeError, match="far outside the validity range"):
        solve(make(pressure="10 Torr"))


def test_bias_needs_exactly_one_of_voltage_or_power():
    with pytest.raises(RecipeError, match="exactly one"):
        make(bias={"frequency": "13.56 MHz", "voltage": "100 V", "power": "10 W"})
    with pytest.raises(RecipeError, match="unit"):
        make(bias={"frequency": "13.56 MHz", "voltage": 100})


def test_user_chemistry_file_by_path(tmp_path):
    text = (ROOT / "src/waferlab/reactor/data/argon.yaml").read_text().replace("name: argon", "name: my-argon")
    f = tmp_path / "my.yaml"
    f.write_text(text)
    a = solve(make())
    b = solve(make(chemistry=str(f)))
    assert b.chemistry == "my-argon"
    assert b.T_e_eV == pytest.approx(a.T_e_eV, rel=1e-10)


def test_unbalanced_user_reaction_is_refused(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("name: bad\nspecies: [Ar, Ar+]\nreactions:\n"
                 "  - {id: x, eq: 'e + Ar -> e + Ar+', form: arrhenius, p: [1e-14, 0, 15]}\n")
    with pytest.raises(RecipeError, match="charge is not conserved"):
        load_chemistry(f)
    f.write_text("name: bad\nspecies: [Ar, Ar+]\nreactions:\n"
                 "  - {id: x, eq: 'e + Ar -> 2 e + Ar+', form: magic, p: [1]}\n")
    with pytest.raises(RecipeError, match="unknown rate form 'magic'"):
        load_chemistry(f)


def test_sweep_parsing():
    knob, vals = parse_sweep("power=200W:1000W:5")
    assert knob == "source.power" and vals[0] == "200 W" and vals[-1] == "1000 W" and len(vals) == 5
    with pytest.raises(RecipeError, match="START:STOP:N"):
        parse_sweep("power=200W:1000W")


def test_cli_writes_json_csv_and_sweep_plot(tmp_path, capsys):
    rc = main(["reactor", str(ROOT / "examples/reactor-argon.yaml"), "--out", str(tmp_path),
               "--sweep", "power=200W:1000W:3"])
    assert rc == 0
    data = json.loads((tmp_path / "reactor.json").read_text())
    for key in ("T_e_eV", "n_e_center_m3", "n_e_avg_m3", "densities_m3", "fluxes_to_wafer_m2s",
                "ion_energy_mean_eV"):
        assert key in data
    assert data["n_e_avg_m3"] < data["n_e_center_m3"]
    assert (tmp_path / "iedf.csv").read_text().startswith("energy_eV,pdf_per_eV")
    assert (tmp_path / "sweep.png").stat().st_size > 1000
    sweep = json.loads((tmp_path / "sweep.json").read_text())["rows"]
    assert sweep[0]["n_e_center_m3"] < sweep[-1]["n_e_center_m3"]
    assert main(["reactor", str(ROOT / "examples/reactor-argon.yaml"), "--out", str(tmp_path),
                 "--sweep", "nonsense=1W:2W:2"]) == 2


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("reactor-*.yaml")), ids=lambda p: p.name)
def test_every_reactor_example_runs(example, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = run_reactor(example, tmp_path, quiet=True)
    assert out["T_e_eV"] > 0 and all(abs(r) < 1e-6 for r in out["element_balance"].values())


def test_bias_power_sets_the_ion_power_on_the_wafer():
    """P_bias = Γ_i π r_w² ⟨E_i⟩ (L&L §11.2: the bias power goes to the ions)."""
    import math

    from waferlab.constants import EV
    st = solve(make(chamber={"radius": "15 cm", "length": "30 cm", "wafer_radius": "10 cm"},
                    bias={"frequency": "13.56 MHz", "power": "100 W"}))
    P = st.ion_flux_m2s * math.pi * 0.1 ** 2 * st.ion_energy_mean_eV * EV
    assert P == pytest.approx(100.0, rel=2e-3)
    assert st.V_dc < 0 < st.V_rf
    assert st.ion_energy_mean_eV == pytest.approx(st.V_plasma - st.V_dc, rel=1e-2)
