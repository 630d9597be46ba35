"""Reactor-scale benchmark: steady SF6, SF6/O2, Cl2/Ar and argon solves on one core, and
every point of the plasma reference problems of waferlab.validation (Kokkoris et al.,
J. Phys. D 42, 055209, 2009; Malyshev et al., J. Appl. Phys. 84, 137, 1998).
Writes bench/results/reactor.md.

Run:  python bench/bench_reactor.py
"""
from __future__ import annotations

import harness
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_v] = "1"
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from waferlab.recipe_io import validate_section  # noqa: E402
from waferlab.reactor import ReactorSpec, solve  # noqa: E402
from waferlab.reactor.state import build_model  # noqa: E402

HERE = Path(__file__).parent

CASES = {
    "SF6/Ar 100/10 sccm, 0.921 Pa, 2 kW, chemistry sf6 (Kokkoris 2009)": {
        "chamber": {"radius": "19 cm", "length": "38 cm"}, "gas_temperature": "315 K",
        "pressure": "0.921 Pa", "gases": {"SF6": "100 sccm", "Ar": "10 sccm"},
        "source": {"power": "2000 W"}, "chemistry": "sf6"},
    "SF6/O2/Ar 100/20/10 sccm, 0.921 Pa, 2 kW (Kokkoris chamber)": {
        "chamber": {"radius": "19 cm", "length": "38 cm", "wafer_radius": "7.5 cm"},
        "gas_temperature": "315 K", "pressure": "0.921 Pa",
        "gases": {"SF6": "100 sccm", "O2": "20 sccm", "Ar": "10 sccm"},
        "source": {"power": "2000 W"}, "bias": {"frequency": "13.56 MHz", "voltage": "150 V"}},
    "SF6 100 sccm, 2 Pa, 1 kW": {
        "chamber": {"radius": "19 cm", "length": "38 cm"}, "pressure": "2 Pa",
        "gases": {"SF6": "100 sccm"}, "source": {"power": "1000 W"}},
    "Cl2/Ar 114/6 sccm, 2 mTorr, 500 W (Malyshev Lam TCP)": {
        "chamber": {"radius": "21.5 cm", "length": "11 cm"}, "gas_temperature": "333 K",
        "pressure": "2 mTorr", "gases": {"Cl2": "114 sccm", "Ar": "6 sccm"}, "source": {"power": "500 W"}},
    "Ar 50 sccm, 1 mTorr, 800 W (L&L book case)": {
        "chamber": {"radius": "15 cm", "length": "30 cm"}, "pressure": "1 mTorr",
        "gases": {"Ar": "50 sccm"}, "source": {"power": "800 W"}},
}


def timed(spec, repeat=5):
    solve(spec)  # warm-up (imports, data files)
    ts, cs = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        st = solve(spec)
        ts.append(time.perf_counter() - t)
        cs.append(time.process_time() - c)
    return st, min(ts), statistics.median(ts), min(cs)


def why(problem: str, quantity: str, passed_acceptance: bool) -> str:
    """Short reason for a point outside its acceptance (docs/reactor.md has the numbers)."""
    if passed_acceptance:
        return ""
    q = quantity
    if problem == "sf6_kokkoris_model" and q.startswith("F at"):
        return ("low-power SF5 -> SF4 + F conversion weaker than the paper's (SF5 +60-80 %); "
                "the lever, G35-G37 (not legible), cannot also match the paper's pressure rise")
    if problem == "sf6_kokkoris_measured" and q.startswith("pressure rise"):
        return ("the paper's own model misses this point too (-27/+27 % at 1/3 kW); "
                "this model follows it within -17/+14 %")
    if problem == "sf6_kokkoris_measured" and q.startswith("[F]"):
        return "1.5 % below the band's lower edge; the paper's model is inside"
    if problem == "cl2_malyshev_ll" and q.startswith("T_e slope"):
        return ("attachment falls as Cl2 dissociates; T_e within 25 % partly because this set "
                "dissociates 5.5x faster (63-95 % vs 8-71 % measured)")
    if problem == "cl2_malyshev_ll" and q.startswith("volume-averaged n_e"):
        return "10 mTorr: the over-dissociated gas (41-97 % vs < 20 % measured) loses less energy per pair"
    if problem == "cl2_malyshev_ll" and q.startswith("Cl2 dissociation"):
        return ("dissociation coefficient 5.5x Kemaneci's, 2.9x Hamilton et al. 2018's at 2 eV")
    if problem == "cl2_malyshev_guha" and q.startswith("Cl2 dissociation"):
        return "150 W: T_e +60 % high there dissociates too fast"
    if problem in ("cl2_malyshev_ll", "cl2_malyshev_guha"):
        if q.startswith("T_e"):
            return ("below the Maxwellian floor (ionisation = attachment) of every rate set, 2.1-2.35 eV: "
                    "the OES T_e is the EEDF tail slope")
        return "T_e too high at low power: more energy per electron-ion pair lost"
    if problem == "cl2_malyshev" and q.startswith("T_e"):
        return ("Maxwellian T_e falls with power (attachment share falls as Cl2 dissociates); "
                "the measured OES T_e is the EEDF tail slope, below the Maxwellian at low n_e")
    if problem == "cl2_malyshev" and q.startswith("volume-averaged n_e"):
        return "T_e too high at low power: more energy per electron-ion pair lost"
    if problem == "cl2_malyshev" and q.startswith("Cl2 dissociation"):
        return "T_e too high at low power dissociates 2-3x faster (k_diss x2.8 at 2.8 vs 2.07 eV)"
    return "see docs/reactor.md"


def published_points() -> list[str]:
    """Every point of the reference problems sf6_kokkoris_model, sf6_kokkoris_measured,
    cl2_malyshev, cl2_malyshev_ll and cl2_malyshev_guha (waferlab.validation.plasma: data,
    sources, tolerances), agreeing or not."""
    from waferlab.context import RunContext
    from waferlab.validation import get_problem, run_problem

    out = ["", "## reactor: chemistries against published plasma data (waferlab.validation)", ""]
    for name in ("sf6_kokkoris_model", "sf6_kokkoris_measured", "cl2_malyshev", "cl2_malyshev_ll",
                 "cl2_malyshev_guha"):
        r = run_problem(get_problem(name), RunContext(seed=0), quick=False)
        out += [f"### {name}", "", f"Source: {r.problem.source}.", "",
                "| quantity | model | reference | deviation | tolerance | basis | pass | acceptance met | why not |",
                "|---|---|---|---|---|---|---|---|---|"]
        for c in r.checks:
            dev = (f"{c.measured - c.reference:+.1f} points" if c.unit == "%"
                   else f"{100 * (c.measured / c.reference - 1):+.1f} %")
            acc = "NOT met" not in c.basis
            out.append(f"| {c.quantity} | {c.measured:.4g} {c.unit} | {c.reference:.4g} | {dev} | "
                       f"{c.tolerance:.3g} | {c.basis} | {'yes' if c.passed else '**no**'} | "
                       f"{'yes' if acc else '**no**'} | {why(name, c.quantity, acc)} |")
        out.append("")
    from waferlab.validation.plasma import KOKKORIS_S_BURIED, sulfur_buried_fraction
    out += ["### sf6: wall-film sink (the one fitted input, S32-S40 probability 0.06)", "",
            "S buried in the film / S fed. Paper: implied by its own digitized densities "
            "(S fed - S pumped, k_p = 5.40 1/s).", "",
            "| power (W) | model | paper (implied) | difference |", "|---|---|---|---|"]
    for P, ref in KOKKORIS_S_BURIED.items():
        f = sulfur_buried_fraction(P)
        out.append(f"| {P:g} | {f:.3f} | {ref:.2f} | {f - ref:+.3f} |")
    out.append("")
    return out


def main() -> None:
    rows = []
    for name, d in CASES.items():
        spec = validate_section(ReactorSpec, d, "reactor")
        st, tmin, tmed, cpu = timed(spec)
        m = build_model(spec)
        rows.append((name, m.N + 2 + m.Ns, m.n_rx + len(m.sr_prob), st, tmin, tmed, cpu))
    import subprocess
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True,
                            text=True).stdout.strip()
    lines = [f"## reactor: global-model steady solve (1 core), commit {commit}", "",
             "BDF integration to quasi-steady state + Newton polish, finite-difference Jacobian "
             "from one vectorised call; time = `reactor.solve(spec)` including sheath, IEDF and "
             "IADF (best / median of 5, after one warm-up). Target: SF6/O2 < 0.5 s. "
             f"Machine load average during the run: {os.getloadavg()[0]:.1f} (2 cores shared; the "
             "process CPU time is the load-independent figure).", "",
             "| case | unknowns | reactions (volume + wall) | T_e (eV) | n_e,0 (m⁻³) | max element residual | "
             "energy residual | t best | t median | CPU time best |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, nu, nr, st, tmin, tmed, cpu in rows:
        el = max(abs(v) for v in st.element_balance.values())
        lines.append(f"| {name} | {nu} | {nr} | {st.T_e_eV:.3f} | {st.n_e_center_m3:.3e} | "
                     f"{el:.1e} | {abs(st.energy_balance['residual']):.1e} | {tmin * 1e3:.0f} ms | "
                     f"{tmed * 1e3:.0f} ms | {cpu * 1e3:.0f} ms |")
    lines += published_points()
    (HERE / "results").mkdir(exist_ok=True)
    out = HERE / "results" / "reactor.md"
    harness.write_text(out, "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
