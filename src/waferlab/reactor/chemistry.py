"""Chemistry sets for the global model, loaded from YAML data files.

A chemistry file (see ``reactor/data/*.yaml`` and docs/reactor.md) lists species
(name = formula with a trailing ``+``/``-`` for ions; optional mass, cross-section,
wall behaviour) and reactions ``"e + SF6 -> e + SF5 + F"`` with a rate form from
:mod:`waferlab.reactor.rates`.  Every reaction (volume and wall) is checked at load
time for element and charge balance, so the model conserves what the file conserves.
Built-in sets are found by name (``argon``, ``sf6o2``, ``sf6``, ``cl2ar``, ``cl2ar_ll``,
``cl2ar_guha``); a user file by path.  A file may start from a built-in set with
``extends: <name>`` (its species entries then replace or join the base's, its
reactions are appended).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from ..constants import AMU
from ..errors import RecipeError
from .rates import N_PARAMS, RATE_FORMS, is_electron_form

__all__ = ["Species", "Reaction", "SurfaceReaction", "Chemistry", "load_chemistry", "builtin_chemistries",
           "parse_formula", "chemistry_for_gases", "ELEMENT_MASS_AMU"]

ELEMENT_MASS_AMU = {"H": 1.008, "C": 12.011, "N": 14.007, "O": 15.999, "F": 18.998,
                    "Si": 28.085, "S": 32.06, "Cl": 35.45, "Ar": 39.948, "He": 4.0026,
                    "Br": 79.904, "Xe": 131.29, "Kr": 83.798, "Ne": 20.180}
_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*)")
_BUILTIN = ("argon", "sf6o2", "sf6", "cl2ar", "cl2ar_ll", "cl2ar_guha")


def parse_formula(name: str) -> tuple[dict[str, int], int]:
    """``"SF5+" -> ({"S": 1, "F": 5}, +1)``; ``"e"`` is the electron (charge -1)."""
    if name == "e":
        return {}, -1
    base = name.rstrip("+-")
    tail = name[len(base):]
    charge = tail.count("+") - tail.count("-")
    base = re.sub(r"\(.*\)$", "", base)          # O(1D) -> O (excited states)
    pos = 0
    comp: dict[str, int] = {}
    for m in _TOKEN.finditer(base):
        if m.start() != pos:
            raise ValueError(f"cannot read the formula {name!r}")
        comp[m.group(1)] = comp.get(m.group(1), 0) + int(m.group(2) or 1)
        pos = m.end()
    if pos != len(base) or not comp:
        raise ValueError(f"cannot read the formula {name!r}")
    return comp, charge


@dataclass(frozen=True, kw_only=True)
class Species:
    """A heavy species: composition, charge, mass (kg), cross-section (m²) and wall data.

    ``wall_gamma`` is the wall loss probability of a neutral (Chantry rate) and
    ``wall_products`` what returns to the gas; positive ions always reach the wall
    (Bohm flux with h-factors) and return ``wall_products`` (default: the neutral).
    ``wall_gamma_fit`` (optional; the global model and the 2D model, face by face): the
    probability follows the gas, log10 γ = a + b exp(c n_self / Σ n_over) with
    ``(a, b, c, over)`` — the form of Kemaneci et al., PSST 23, 045002 (2014) Eq. 26 for Cl
    on anodized Al (Guha et al., J. Appl. Phys. 103, 013306, 2008); ``wall_gamma`` must
    still be given (it marks the neutral as lost at walls).
    """

    name: str
    composition: dict[str, int]
    charge: int
    mass: float
    sigma: float
    wall_gamma: float = 0.0
    wall_products: dict[str, float] = field(default_factory=dict)
    wall_gamma_fit: tuple[float, float, float, tuple[str, ...]] | None = None


@dataclass(frozen=True, kw_only=True)
class Reaction:
    """``reactants -> products`` with rate ``form(params)``; ``loss_eV`` per event for
    electron-impact reactions (``elastic``: 3 m_e/M T_e instead)."""

    id: str
    reactants: tuple[str, ...]           # may contain "e" and "M" (any neutral)
    products: dict[str, float]
    form: str
    params: tuple[float, ...]
    loss_eV: float = 0.0
    elastic: bool = False
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class SurfaceReaction:
    """``gas + site -> gas products + surface products (+ buried film)`` on the chamber
    walls with reaction probability ``prob`` per gas particle hitting a site of that
    kind (``site`` is ``*`` for a free site or an adsorbate such as ``F(s)``).

    ``buried`` (names ending in ``(b)``) leave the gas and the active surface for good:
    a growing film, counted as a sink in the element balance (Kokkoris et al., J. Phys.
    D 42, 055209, 2009: SFx + SFy(s) -> SFx(s) + P(s)).  A positive-ion ``gas`` arrives
    with its Bohm flux and is neutralised by the wall (its charge is not balanced)."""

    id: str
    gas: str
    site: str
    prob: float
    gas_products: dict[str, float]
    surface_products: dict[str, float]
    buried: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Chemistry:
    """A validated chemistry set (``surface_*``: optional wall-coverage model)."""

    name: str
    source: str
    species: tuple[Species, ...]
    reactions: tuple[Reaction, ...]
    feed_gases: tuple[str, ...]
    pressure_range_Pa: tuple[float, float]
    notes: str = ""
    surface_sites: tuple[str, ...] = ()
    surface_reactions: tuple[SurfaceReaction, ...] = ()
    site_density_m2: float = 1e19

    def species_by_name(self) -> dict[str, Species]:
        return {s.name: s for s in self.species}

    def restricted_to(self, feed: set[str]) -> "Chemistry":
        """The sub-network reachable from the fed gases (unreachable species dropped)."""
        present = set(feed) | {"e"}
        used: set[int] = set()
        changed = True
        while changed:
            changed = False
            for k, r in enumerate(self.reactions):
                if k in used:
                    continue
                if all(x in present or x == "M" for x in r.reactants):
                    used.add(k)
                    new = set(r.products) - present
                    if new:
                        present |= new
                        changed = True
            spec = self.species_by_name()
            for s in list(present):
                if s in spec:
                    for p in spec[s].wall_products:
                        if p not in present:
                            present.add(p)
                            changed = True
            for sr in self.surface_reactions:
                if sr.gas in present and not set(sr.gas_products) <= present:
                    present |= set(sr.gas_products)
                    changed = True
        keep = tuple(s for s in self.species if s.name in present)
        srx = tuple(sr for sr in self.surface_reactions if sr.gas in present)
        sites = {"*"} | {sr.site for sr in srx} | {k for sr in srx for k in sr.surface_products}
        return Chemistry(name=self.name, source=self.source, species=keep,
                         reactions=tuple(r for k, r in enumerate(self.reactions) if k in used),
                         feed_gases=self.feed_gases, pressure_range_Pa=self.pressure_range_Pa,
                         notes=self.notes,
                         surface_sites=tuple(x for x in self.surface_sites if x in sites) if srx else (),
                         surface_reactions=srx, site_density_m2=self.site_density_m2)


def _parse_side(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for term in text.split(" + "):
        term = term.strip()
        m = re.match(r"^(\d+(?:\.\d+)?)\s+(\S+)$", term)
        coeff, name = (float(m.group(1)), m.group(2)) if m else (1.0, term)
        out[name] = out.get(name, 0.0) + coeff
    return out


def _balance(side: dict[str, float], comps: dict[str, tuple[dict[str, int], int]]):
    elems: dict[str, float] = {}
    charge = 0.0
    for name, c in side.items():
        if name == "M":
            continue
        comp, q = comps[name]
        charge += c * q
        for el, k in comp.items():
            elems[el] = elems.get(el, 0.0) + c * k
    return elems, charge


def _check_balanced(where: str, lhs, rhs, comps) -> None:
    el_l, q_l = _balance(lhs, comps)
    el_r, q_r = _balance(rhs, comps)
    for el in set(el_l) | set(el_r):
        if abs(el_l.get(el, 0.0) - el_r.get(el, 0.0)) > 1e-12:
            raise RecipeError(f"{where}: element {el} is not conserved "
                              f"({el_l.get(el, 0.0):g} -> {el_r.get(el, 0.0):g})")
    if abs(q_l - q_r) > 1e-12:
        raise RecipeError(f"{where}: charge is not conserved ({q_l:+g} -> {q_r:+g})")


def _extend(data: dict, where: str) -> dict:
    """``extends: <built-in name>``: the base set's species and reactions, with the
    species this file lists replacing (key by key) or joining the base's, and this
    file's reactions appended."""
    base_name = data.get("extends")
    if base_name is None:
        return data
    if base_name not in _BUILTIN:
        raise RecipeError(f"{where}: extends {base_name!r} is not a built-in set ({', '.join(_BUILTIN)})")
    base = yaml.safe_load(resources.files("waferlab.reactor").joinpath(
        "data", f"{base_name}.yaml").read_text("utf-8"))
    base = _extend(base, f"chemistry {base_name!r}")
    species = [dict(x) if isinstance(x, dict) else {"name": x} for x in base["species"]]
    pos = {sd["name"]: k for k, sd in enumerate(species)}
    for sd in data.get("species", []) or []:
        sd = dict(sd) if isinstance(sd, dict) else {"name": sd}
        if sd.get("name") in pos:
            species[pos[sd["name"]]].update(sd)
        else:
            species.append(sd)
    out = {**base, **{k: v for k, v in data.items() if k not in ("extends", "species", "reactions")}}
    out["species"] = species
    out["reactions"] = list(base["reactions"]) + list(data.get("reactions", []) or [])
    return out


def _build(data: dict, origin: str) -> Chemistry:
    where = f"chemistry {origin!r}"
    if isinstance(data, dict):
        data = _extend(data, where)
    if data.get("status") == "unavailable":
        raise RecipeError(f"{where} has no usable rate constants: {data.get('notes', '').strip()}")
    try:
        species_data = data["species"]
        reaction_data = data["reactions"]
    except (KeyError, TypeError):
        raise RecipeError(f"{where}: needs 'species' and 'reactions' lists") from None
    comps: dict[str, tuple[dict[str, int], int]] = {"e": ({}, -1)}
    species: list[Species] = []
    for i, sd in enumerate(species_data):
        sd = {"name": sd} if isinstance(sd, str) else dict(sd)
        name = str(sd["name"])
        try:
            comp, charge = parse_formula(name)
        except ValueError as exc:
            raise RecipeError(f"{where}: species[{i}]: {exc}") from None
        comp = sd.get("composition", comp)
        mass = float(sd.get("mass_amu", sum(ELEMENT_MASS_AMU[e] * k for e, k in comp.items()))) * AMU
        comps[name] = (comp, charge)
        wp = sd.get("wall_products")
        if wp is None:
            wp = ({name.rstrip("+"): 1.0} if charge > 0 else {})
        elif isinstance(wp, str):
            wp = _parse_side(wp)
        fit = sd.get("wall_gamma_fit")
        if fit is not None:
            try:
                a, b, c = (float(x) for x in fit["log10"])
                over = tuple(str(x) for x in fit["over"])
            except (KeyError, TypeError, ValueError):
                raise RecipeError(f"{where}: species[{i}] {name}: wall_gamma_fit needs "
                                  f"log10: [a, b, c] and over: [species, ...]") from None
            if float(sd.get("wall_gamma", 0.0)) <= 0 or charge != 0:
                raise RecipeError(f"{where}: species[{i}] {name}: wall_gamma_fit needs a neutral "
                                  f"with wall_gamma > 0 (the value without the fit)")
            fit = (a, b, c, over)
        species.append(Species(name=name, composition=comp, charge=charge, mass=mass,
                               sigma=float(sd.get("sigma_m2", 1e-18)),
                               wall_gamma=float(sd.get("wall_gamma", 0.0)),
                               wall_products={k: float(v) for k, v in wp.items()},
                               wall_gamma_fit=fit))
    known = set(comps)
    for s in species:
        if s.wall_gamma_fit is not None and not set(s.wall_gamma_fit[3]) <= known:
            raise RecipeError(f"{where}: wall_gamma_fit of {s.name}: "
                              f"{sorted(set(s.wall_gamma_fit[3]) - known)} are not species")
        if s.charge > 0 or s.wall_gamma > 0:
            missing = set(s.wall_products) - known
            if missing:
                raise RecipeError(f"{where}: wall products {sorted(missing)} of {s.name} are not species")
            _check_balanced(f"{where}: wall loss of {s.name}", {s.name: 1.0, "e": float(s.charge)},
                            s.wall_products, comps)
    reactions: list[Reaction] = []
    for i, rd in enumerate(reaction_data):
        rid = str(rd.get("id", i))
        w = f"{where}: reaction {rid}"
        eq = str(rd.get("eq", ""))
        if "->" not in eq:
            raise RecipeError(f"{w}: 'eq' must read 'A + B -> C + D' (got {eq!r})")
        lhs_t, rhs_t = eq.split("->")
        lhs, rhs = _parse_side(lhs_t), _parse_side(rhs_t)
        for name in set(lhs) | set(rhs):
            if name not in known and name != "M":
                raise RecipeError(f"{w}: unknown species {name!r}; declared: {sorted(known)}")
        _check_balanced(w, lhs, rhs, comps)
        form = str(rd.get("form", ""))
        if form not in RATE_FORMS:
            raise RecipeError(f"{w}: unknown rate form {form!r}; known: {sorted(RATE_FORMS)}")
        params = tuple(float(x) for x in rd.get("p", ()))
        if len(params) not in N_PARAMS[form]:
            raise RecipeError(f"{w}: form {form!r} takes {N_PARAMS[form]} parameters, got {len(params)}")
        reactants: list[str] = []
        for name, c in lhs.items():
            if c != int(c):
                raise RecipeError(f"{w}: reactant coefficients must be integers")
            reactants += [name] * int(c)
        if len(reactants) > 3:
            raise RecipeError(f"{w}: at most three reactants")
        if is_electron_form(form) and "e" not in reactants:
            raise RecipeError(f"{w}: form {form!r} needs an electron reactant")
        net = dict(rhs)
        for name in reactants:
            net[name] = net.get(name, 0.0) - 1.0
        net = {k: v for k, v in net.items() if k != "M" and abs(v) > 0}
        reactions.append(Reaction(id=rid, reactants=tuple(reactants), products=net, form=form,
                                  params=params, loss_eV=float(rd.get("loss_eV", 0.0)),
                                  elastic=bool(rd.get("elastic", False)),
                                  source=str(rd.get("source", ""))))
    sites, srx, sigma_s = _build_surface(data.get("surface"), where, comps)
    pr = data.get("pressure_range_Pa", [0.0, float("inf")])
    return Chemistry(surface_sites=sites, surface_reactions=srx, site_density_m2=sigma_s,
                     name=str(data.get("name", origin)), source=str(data.get("source", "")),
                     species=tuple(species), reactions=tuple(reactions),
                     feed_gases=tuple(data.get("feed_gases", [s.name for s in species if s.charge == 0])),
                     pressure_range_Pa=(float(pr[0]), float(pr[1])),
                     notes=str(data.get("notes", "")))


def _build_surface(sd, where: str, comps: dict) -> tuple[tuple[str, ...], tuple[SurfaceReaction, ...], float]:
    """The optional ``surface:`` section: sites (adsorbates, ``*`` = free) and reactions."""
    if not sd:
        return (), (), 1e19
    sites = ["*"] + [str(x) for x in sd.get("sites", []) if str(x) != "*"]
    scomp: dict[str, tuple[dict[str, int], int]] = {"*": ({}, 0)}
    for name in sites[1:]:
        if not name.endswith("(s)"):
            raise RecipeError(f"{where}: surface site {name!r} must end in '(s)', e.g. F(s)")
        try:
            scomp[name] = parse_formula(name)
        except ValueError as exc:
            raise RecipeError(f"{where}: surface site {name!r}: {exc}") from None
    allc = dict(comps) | scomp
    out = []
    for i, rd in enumerate(sd.get("reactions", [])):
        rid = str(rd.get("id", i))
        w = f"{where}: surface reaction {rid}"
        eq = str(rd.get("eq", ""))
        if "->" not in eq:
            raise RecipeError(f"{w}: 'eq' must read 'F + * -> F(s)' (got {eq!r})")
        lhs, rhs = (_parse_side(t) for t in eq.split("->"))
        gas = [k for k in lhs if k in comps and k != "e"]
        site = [k for k in lhs if k in scomp]
        if len(gas) != 1 or len(site) != 1 or any(v != 1 for v in lhs.values()):
            raise RecipeError(f"{w}: the left side must be one gas species and one site (got {eq!r})")
        charge = comps[gas[0]][1]
        if charge < 0:
            raise RecipeError(f"{w}: negative ions do not reach the walls (got {gas[0]})")
        buried = {}
        for k in [k for k in rhs if k.endswith("(b)")]:
            try:
                allc[k] = parse_formula(k)
            except ValueError as exc:
                raise RecipeError(f"{w}: buried product {k!r}: {exc}") from None
            buried[k] = rhs[k]
        bad = [k for k in rhs if k not in allc or k == "e"]
        if bad:
            raise RecipeError(f"{w}: unknown species {bad}; sites: {sites} (buried film: NAME(b))")
        if any(comps[k][1] != 0 for k in rhs if k in comps):
            raise RecipeError(f"{w}: the products must be neutral")
        _check_balanced(w, lhs | ({"e": float(charge)} if charge else {}), rhs, allc)
        ns = sum(v for k, v in rhs.items() if k in scomp)
        if abs(ns - 1.0) > 1e-12:
            raise RecipeError(f"{w}: the right side must hold exactly one site (free '*' or an adsorbate)")
        prob = float(rd.get("prob", -1))
        if not 0 < prob <= 1:
            raise RecipeError(f"{w}: prob = {prob} is outside (0, 1]")
        out.append(SurfaceReaction(id=rid, gas=gas[0], site=site[0], prob=prob,
                                   gas_products={k: v for k, v in rhs.items() if k in comps},
                                   surface_products={k: v for k, v in rhs.items() if k in scomp},
                                   buried={k: float(v) for k, v in buried.items()}))
    return tuple(sites), tuple(out), float(sd.get("site_density_m2", 1e19))


@lru_cache(maxsize=32)
def _load_cached(key: str, mtime_ns: int = 0) -> Chemistry:
    if key in _BUILTIN:
        text = resources.files("waferlab.reactor").joinpath("data", f"{key}.yaml").read_text("utf-8")
        origin = key
    else:
        from ..recipe_io import load_yaml

        path = Path(key)
        if not path.is_file():
            raise RecipeError(f"chemistry {key!r} is neither a built-in set "
                              f"({', '.join(_BUILTIN)}) nor an existing file",
                              path="reactor.chemistry")
        try:
            data = load_yaml(path)               # size, binary, duplicate-key and alias checks
        except RecipeError as exc:
            raise RecipeError(f"chemistry {key!r}: {exc}", path="reactor.chemistry") from None
        origin = str(path)
        try:
            return _build(data, origin)
        except RecipeError as exc:
            raise RecipeError(f"{key!r} is not a valid chemistry file: {exc}",
                              path="reactor.chemistry") from None
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise RecipeError(f"{key!r} is not a valid chemistry file ({type(exc).__name__}: "
                              f"{str(exc)[:80]}); see docs/reactor.md for the format or use a "
                              f"built-in set ({', '.join(_BUILTIN)})",
                              path="reactor.chemistry") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RecipeError(f"chemistry {origin!r}: not valid YAML: {exc}") from None
    return _build(data, origin)


def load_chemistry(name_or_path: str | Path) -> Chemistry:
    """A built-in chemistry by name or a user chemistry file by path."""
    key = str(name_or_path)
    if key in _BUILTIN:
        return _load_cached(key)
    path = Path(key).resolve()
    return _load_cached(str(path), path.stat().st_mtime_ns if path.is_file() else 0)


def builtin_chemistries() -> tuple[str, ...]:
    return _BUILTIN


def chemistry_for_gases(gases) -> Chemistry:
    """The smallest usable built-in set whose feed gases include all of ``gases``."""
    gases = set(gases)
    known: set[str] = set()
    for name in _BUILTIN:
        try:
            chem = load_chemistry(name)
        except RecipeError as exc:
            raw = yaml.safe_load(resources.files("waferlab.reactor").joinpath(
                "data", f"{name}.yaml").read_text("utf-8"))
            if gases <= set(raw.get("feed_gases", ())) and not gases <= known:
                raise RecipeError(f"reactor.gases {sorted(gases)}: {exc}") from None
            continue
        known |= set(chem.feed_gases)
        if gases <= set(chem.feed_gases):
            return chem
    bad = sorted(gases - known)
    if bad:
        raise RecipeError(f"reactor.gases: unknown gas {', '.join(bad)}; known gases: "
                          f"{', '.join(sorted(known))} (or give reactor.chemistry: <file>)")
    raise RecipeError(f"reactor.gases: no built-in chemistry holds {sorted(gases)} together; "
                      f"give reactor.chemistry: <file>")
