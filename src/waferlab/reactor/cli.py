"""``waferlab reactor RECIPE --out DIR [--sweep KNOB=A:B:N]``."""
from __future__ import annotations

import argparse
import copy
import csv
import io
import json
import os
from pathlib import Path

from ..errors import RecipeError
from .modes import ReactorModel

__all__ = ["add_cli", "run_reactor", "parse_sweep", "reactor_recipe_data", "KNOB_ALIASES",
           "sweep_figure"]

#: short knob names for --sweep; any dotted path into ``reactor:`` works too
KNOB_ALIASES = {"power": "source.power", "pressure": "pressure", "bias_voltage": "bias.voltage",
                "bias_power": "bias.power", "bias_frequency": "bias.frequency",
                "gas_temperature": "gas_temperature", "radius": "chamber.radius",
                "length": "chamber.length"}


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def parse_sweep(text: str) -> tuple[str, list[str]]:
    """``"power=200W:1000W:5"`` -> ("source.power", ["200 W", ..., "1000 W"])."""
    from ..units import parse_quantity

    if "=" not in text:
        raise RecipeError(f"--sweep {text!r}: write KNOB=START:STOP:N, e.g. power=200W:1000W:5")
    knob, rng = text.split("=", 1)
    parts = rng.split(":")
    if len(parts) != 3:
        raise RecipeError(f"--sweep {text!r}: the range must read START:STOP:N")
    try:
        count = int(parts[2])
    except ValueError:
        raise RecipeError(f"--sweep {text!r}: N = {parts[2]!r} is not an integer") from None
    if count < 2:
        raise RecipeError(f"--sweep {text!r}: N = {count} must be >= 2")
    try:
        a, b = parse_quantity(parts[0]), parse_quantity(parts[1])
        b = b.to(a.units)
    except Exception as exc:
        raise RecipeError(f"--sweep {text!r}: {exc}") from None
    unit = f"{a.units:~}"
    import numpy as np          # here: `waferlab --help` does not import NumPy

    values = [f"{v:.10g} {unit}".strip() for v in np.linspace(a.magnitude, b.magnitude, count)]
    return KNOB_ALIASES.get(knob, knob), values


def _set(data: dict, path: str, value) -> dict:
    out = copy.deepcopy(data)
    node = out
    keys = path.split(".")
    for k in keys[:-1]:
        if not isinstance(node.get(k), dict):
            raise RecipeError(f"--sweep: reactor.{path} is not in the recipe "
                              f"(short names: {', '.join(KNOB_ALIASES)})")
        node = node[k]
    if keys[-1] not in node and path not in KNOB_ALIASES.values():
        raise RecipeError(f"--sweep: reactor.{path} is not in the recipe "
                          f"(short names: {', '.join(KNOB_ALIASES)})")
    node[keys[-1]] = value
    return out


def _table(name: str, state) -> None:
    """The console table of either model, in engineering units (cm⁻³, cm⁻² s⁻¹, mTorr: the
    demo's and the metrics' units, one conversion in :mod:`waferlab.io.display`); the files
    stay SI."""
    from rich.console import Console
    from rich.table import Table

    from ..io.display import engineering

    def eng(key: str, v: float, fmt: str = ".3e") -> str:
        return f"{engineering(key, v)[1]:{fmt}}"

    t = Table(title=f"reactor: {name} ({state.chemistry})")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    t.add_row("T_e", f"{state.T_e_eV:.3f} eV")
    t.add_row("n_e (centre / average)", f"{eng('n_e_m3', state.n_e_center_m3)} / "
              f"{eng('n_e_m3', state.n_e_avg_m3)} cm⁻³")
    t.add_row("ion flux to wafer", f"{eng('ion_flux_m2s', state.ion_flux_m2s)} cm⁻² s⁻¹")
    t.add_row("mean ion energy", f"{state.ion_energy_mean_eV:.2f} eV")
    v_dc = round(state.V_dc, 1) + 0.0                      # a symmetric CCP: 0.0, not -0.0
    t.add_row("V_p / V_dc / V_rf at the wafer sheath",
              f"{state.V_plasma:.1f} / {v_dc:.1f} / {state.V_rf:.1f} V")
    t.add_row("DC-law sheath thickness / s/λ_i",
              f"{state.sheath_thickness_m * 1e3:.3f} mm / {state.sheath_collisionality:.2f}")
    t.add_row("pressure with plasma", f"{eng('p_Pa', state.pressure_Pa, '.4g')} mTorr "
              f"({state.pressure_Pa:.4g} Pa)")
    for sp, v in state.densities_m3.items():
        if sp != "e":
            t.add_row(f"n[{sp}] (cm⁻³)  /  flux (cm⁻² s⁻¹)",
                      f"{eng('n_m3', v)}  /  {eng('flux_m2s', state.fluxes_to_wafer_m2s.get(sp, 0.0))}")
    Console().print(t)


def reactor_recipe_data(data: dict) -> tuple[dict, str]:
    """A reactor recipe ``{name, seed, reactor}`` from a standalone reactor recipe (label
    "") or from the ``reactor:`` of a process recipe's ``plasma_etch`` step (its label).
    The step's feature loading (open area) is not applied: this is the bare reactor."""
    if "reactor" in data:
        return data, ""
    if "steps" not in data:
        raise RecipeError("a reactor recipe needs a 'reactor:' section, or a process recipe "
                          "with a plasma_etch step (see docs/reactor.md)", path="reactor")
    from ..recipe_pick import pick_step

    body, label = pick_step(data, "plasma_etch", command="reactor")
    i = label.split("]")[0] + "]"
    if "reactor" not in body:
        raise RecipeError("the plasma_etch step has no reactor: section",
                          path=f"{i}.plasma_etch.reactor")
    out = {k: data[k] for k in ("name", "seed") if k in data}
    out["reactor"] = body["reactor"]
    return out, label


def run_reactor(recipe, out: str | Path | None, sweep: str | None = None,
                quiet: bool = False, resume: bool = False, *, keep_state: bool = False) -> dict:
    """The command's work; returns the reactor.json content (and the sweep rows under
    ``sweep``; the ReactorState under ``_state`` with ``keep_state``).  ``recipe`` is a
    file or a mapping; ``out`` None writes nothing."""
    from ..recipe_io import load_yaml, validate_section
    from .spec import ReactorSpec
    from .state import solve

    raw = dict(recipe) if isinstance(recipe, dict) else load_yaml(recipe)
    data, label = reactor_recipe_data(raw)
    name = str(data.get("name", "reactor" if isinstance(recipe, dict) else Path(str(recipe)).stem))
    if label and not quiet:
        print(f"solving the reactor of {label}")
    out = Path(out) if out is not None else None
    where = f"{label.split(' ')[0]}.reactor" if label else "reactor"
    spec = validate_section(ReactorSpec, data["reactor"], where)
    sweep_specs = []
    if sweep:                                  # check the whole sweep before solving anything
        path, values = parse_sweep(sweep)
        sweep_specs = [(v, validate_section(ReactorSpec, _set(data["reactor"], path, v), where))
                       for v in values]
    if spec.chemistry:                         # a bad chemistry file fails before any output
        from .chemistry import load_chemistry
        load_chemistry(spec.chemistry)
    if spec.model == ReactorModel.FLUID2D:
        from .fluid2d.cli import run_fluid2d

        if sweep:
            raise RecipeError("--sweep runs the global model; remove it or set reactor.model: global")
        if out is None:
            st = solve(spec)                    # the wafer averages of the 2D fields
            result = dict(st.to_json(), name=name, model="fluid2d", _state=st)
        else:
            result = run_fluid2d(spec, out, name, quiet=quiet, resume=resume, seed=int(data.get("seed", 0) or 0))
        state = result["_state"] if keep_state else result.pop("_state")
        if not quiet:
            _table(name, state)
        return result
    state = solve(spec)
    result = state.to_json()
    result["name"] = name
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        _atomic_write(out / "reactor.json", json.dumps(result, indent=2).encode())
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["energy_eV", "pdf_per_eV"])
        w.writerows(zip(state.iedf.x.tolist(), state.iedf.pdf.tolist()))
        _atomic_write(out / "iedf.csv", buf.getvalue().encode())
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["theta_rad", "pdf_per_rad"])
        w.writerows(zip(state.iadf.x.tolist(), state.iadf.pdf.tolist()))
        _atomic_write(out / "iadf.csv", buf.getvalue().encode())
    if not quiet:
        _table(name, state)
    if sweep:
        rows = []
        for v, sp in sweep_specs:
            s = solve(sp, initial=state)
            rows.append({"value": v, "T_e_eV": s.T_e_eV, "n_e_center_m3": s.n_e_center_m3,
                         "n_e_avg_m3": s.n_e_avg_m3, "ion_energy_mean_eV": s.ion_energy_mean_eV})
        if out is not None:
            _atomic_write(out / "sweep.json", json.dumps({"knob": path, "rows": rows}, indent=2).encode())
            _plot_sweep(out / "sweep.png", path, rows)
        result["sweep"] = rows
        result["sweep_knob"] = path
        if not quiet and out is not None:
            print(f"sweep of reactor.{path}: {len(rows)} points -> {out / 'sweep.png'}")
    if keep_state:
        result["_state"] = state
    return result


def _plot_sweep(path: Path, knob: str, rows) -> None:
    fig = sweep_figure(knob, rows)
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}.png")
    fig.savefig(tmp, dpi=120)
    os.replace(tmp, path)


def sweep_figure(knob: str, rows):
    """n_e and T_e against the swept knob (a matplotlib Figure)."""
    from ..io.plots import subplots as _subplots

    from ..units import parse_quantity

    x = [parse_quantity(r["value"]).magnitude for r in rows]
    unit = f"{parse_quantity(rows[0]['value']).units:~}"
    fig, ax = _subplots(figsize=(6, 4))
    ax.plot(x, [r["n_e_center_m3"] for r in rows], "o-", color="C0", label="n_e (centre)")
    ax.plot(x, [r["n_e_avg_m3"] for r in rows], "s--", color="C0", alpha=0.6, label="n_e (average)")
    ax.set_xlabel(f"{knob} ({unit})")
    ax.set_ylabel("n_e (m$^{-3}$)", color="C0")
    ax2 = ax.twinx()
    ax2.plot(x, [r["T_e_eV"] for r in rows], "^-", color="C3", label="T_e")
    ax2.set_ylabel("T_e (eV)", color="C3")
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def _cmd(args: argparse.Namespace) -> int:
    from ..api import solve_reactor
    from ..cli_core import default_out
    from ..recipe_io import load_yaml

    raw = load_yaml(args.recipe)
    data, label = reactor_recipe_data(raw)       # a bad recipe fails before --out is named
    if label and not args.quiet:
        print(f"solving the reactor of {label}")
    out = Path(args.out) if args.out else default_out(
        str(raw.get("name") or Path(str(args.recipe)).stem))
    res = solve_reactor(args.recipe, out, sweep=args.sweep, overwrite=args.overwrite,
                        resume=args.resume, quiet=True)
    _table(res.name, res.state)
    if res.sweep:
        print(f"sweep of reactor.{res.knob}: {len(res.sweep)} points -> {out / 'sweep.png'}")
    return 0


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("reactor", help="solve the reactor (global plasma model, sheath, IEDF)",
                       description="Solve the reactor: writes reactor.json, iedf.csv, iadf.csv "
                                   "and, with --sweep, sweep.png (n_e and T_e against the knob).")
    p.add_argument("recipe", help="recipe file with a reactor: section")
    p.add_argument("--out", default=None, help="output folder (default: ./<recipe name>-out, "
                                               "as run)")
    p.add_argument("--sweep", default=None,
                   help="KNOB=START:STOP:N, e.g. power=200W:1000W:5; knobs: "
                        + ", ".join(KNOB_ALIASES) + " or a dotted path (gases.Ar)")
    from ..cli_core import add_common

    add_common(p, seed=False, threads=False)
    p.add_argument("--resume", action="store_true",
                   help="model fluid2d: continue from the checkpoint in --out (after a stopped run)")
    p.set_defaults(func=_cmd)
