"""The wafer's dopant fields: where they live, how they travel, what they report.

The doping grid shares the wafer grid's lateral nodes and spacing h and extends the
level sets' vertical rows (same z0 + k h lattice) down to ``depth`` below the lowest
silicon surface (the level-set window stops a few nodes below the surface; the
substrate continues).  Each dopant is a full-grid array of concentrations (m⁻³), zero
off the silicon; ``damage`` holds the implant's excess interstitials for the +1 TED
model and ``damage_n`` the Hobler–Moroz "+n" for the five-stream model.

On the wafer the record is the field ``doping``, a JSON mapping whose arrays are
base64-encoded float64 bytes (exact: a checkpoint restores the same bits).

Read-out (docs/thermal.md): at the probe column (default: the column of largest net
implanted dose) the depth below that column's silicon surface, the first junction
(sign change of N_D − N_A, interpolated in ln N_D − ln N_A) and the sheet resistance
down to it (Masetti mobilities); ``doping.nc`` holds the coordinates, one field per
dopant and the net doping; ``doping.png`` the net doping on the cross-section (3D: the
y-middle plane) with the material outlines, and the probe column's profiles.
"""
from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FIELD", "Doping", "doping_of", "with_doping", "node_materials", "new_doping",
           "doping_metrics", "write_doping_outputs", "silicon_fraction", "silicon_nodes", "encode_array",
           "decode_array"]

FIELD = "doping"
#: Default depth of the doping grid below the lowest silicon surface (m).
DEFAULT_DEPTH = 1.0e-6


def encode_array(a: np.ndarray) -> dict:
    a = np.ascontiguousarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode("ascii")}


def decode_array(rec: dict) -> np.ndarray:
    raw = base64.b64decode(rec["b64"].encode("ascii"))
    return np.frombuffer(raw, dtype=np.float64).reshape(rec["shape"]).copy()


@dataclass(frozen=True, kw_only=True)
class Doping:
    """Dopant fields on the doping grid: row k at height z0 + k·spacing; arrays of shape
    (*lateral_shape, nz).  ``lost_m2``: dose (per unit wafer area) blocked by masks or
    consumed into oxide, per dopant; ``time_steps``: anneal steps so far; ``ted``: the
    last five-stream transient read-out."""

    z0: float
    spacing: float
    conc: dict[str, np.ndarray]
    damage: np.ndarray
    damage_n: np.ndarray
    lost_m2: dict[str, float] = field(default_factory=dict)
    background: dict[str, float] = field(default_factory=dict)
    time_steps: int = 0
    ted: dict = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.damage.shape)

    @property
    def z(self) -> np.ndarray:
        return self.z0 + self.spacing * np.arange(self.shape[-1])

    def to_json(self) -> dict:
        return {"z0": self.z0, "spacing": self.spacing,
                "conc": {k: encode_array(v) for k, v in sorted(self.conc.items())},
                "damage": encode_array(self.damage), "damage_n": encode_array(self.damage_n),
                "lost_m2": dict(self.lost_m2), "background": dict(self.background),
                "time_steps": int(self.time_steps),
                "ted": self.ted}

    @classmethod
    def from_json(cls, rec: dict) -> "Doping":
        return cls(z0=float(rec["z0"]), spacing=float(rec["spacing"]),
                   conc={k: decode_array(v) for k, v in rec["conc"].items()},
                   damage=decode_array(rec["damage"]), damage_n=decode_array(rec["damage_n"]),
                   lost_m2=dict(rec.get("lost_m2", {})),
                   background=dict(rec.get("background", {})), time_steps=int(rec.get("time_steps", 0)),
                   ted=rec.get("ted", {}))

    def replace(self, **kw) -> "Doping":
        return replace(self, **kw)


def doping_of(wafer) -> Doping | None:
    """The wafer's doping (the last ``doping`` field), or None."""
    rec = None
    for k, v in wafer.fields:
        if k == FIELD:
            rec = v
    return None if rec is None else Doping.from_json(rec)


def with_doping(wafer, doping: Doping, **evolve):
    """A new wafer with ``doping`` replacing its doping field (and ``evolve`` applied)."""
    from dataclasses import replace as _replace

    fields = tuple(f for f in wafer.fields if f[0] != FIELD)
    w = _replace(wafer, fields=fields)
    return w.evolve(fields=((FIELD, doping.to_json()),), **evolve)


def _rows(geometry, z0: float, nz: int) -> np.ndarray:
    """The level sets on the doping rows z0 + k h (k < nz): φ of shape (L, *lateral, nz),
    extended below/above the level-set window (|φ| grows by h per row, sign kept)."""
    from ..feature.levelset import extend_vertical

    h = geometry.grid.spacing
    off = int(round((z0 - geometry.z0) / h))
    below = max(0, -off)
    above = max(0, off + nz - geometry.nz)
    phi = extend_vertical(geometry.phi, below, above, h)
    start = off + below
    return phi[..., start:start + nz]


def node_materials(geometry, z0: float, nz: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(material index (−1 vacuum), density ratio ρ to Si, signed distance of the Si
    layers) on the doping rows.  ρ = Σ_k (f_k − f_{k−1}) n_k/n_Si with the cell
    fractions f_k = clip(½ − φ_k/h, 0, 1) of the cumulative layers (a planar interface
    at any height keeps its exact thickness in the box sum)."""
    from ..materials import material_info

    h = geometry.grid.spacing
    phi = _rows(geometry, z0, nz)
    mats = geometry.materials
    inside = phi < 0
    idx = np.where(inside.any(axis=0), np.argmax(inside, axis=0), -1)
    n_si = material_info("Si", mats).atom_density
    frac = np.clip(0.5 - phi / h, 0.0, 1.0)
    frac = np.maximum.accumulate(frac, axis=0)
    rho = np.zeros(phi.shape[1:])
    prev = 0.0
    for k, name in enumerate(mats):
        rho += (frac[k] - prev) * material_info(name, mats).atom_density / n_si
        prev = frac[k]
    si_layers = [k for k, m in enumerate(mats) if m == "Si"]
    if si_layers:
        # distance to the silicon region: φ of "Si and below" intersected with "not the layers below"
        k = si_layers[0]
        phi_si = phi[k] if k == 0 else np.maximum(phi[k], -phi[k - 1])
    else:
        phi_si = np.full(phi.shape[1:], np.inf)
    return idx, rho, phi_si


def silicon_fraction(geometry, z0: float, nz: int) -> np.ndarray:
    """Share of each doping cell that is silicon (the fractional cells of the layers)."""
    h = geometry.grid.spacing
    phi = _rows(geometry, z0, nz)
    frac = np.maximum.accumulate(np.clip(0.5 - phi / h, 0.0, 1.0), axis=0)
    out = np.zeros(phi.shape[1:])
    for k, name in enumerate(geometry.materials):
        if name == "Si":
            out += frac[k] - (frac[k - 1] if k else 0.0)
    return out


def silicon_nodes(geometry, doping: Doping) -> np.ndarray:
    idx, _, _ = node_materials(geometry, doping.z0, doping.shape[-1])
    mats = np.array(list(geometry.materials) + ["<vacuum>"])
    return mats[idx] == "Si"


def new_doping(geometry, background: dict[str, float], *, depth: float) -> Doping:
    """An empty doping grid under ``geometry`` reaching ``depth`` below its lowest
    silicon surface, holding the substrate ``background`` (m⁻³) on the silicon nodes."""
    h = geometry.grid.spacing
    z_top = geometry.z_range[1]
    idx, _, phi_si = node_materials(geometry, geometry.z0, geometry.nz)
    if not np.isfinite(phi_si).any() or not (phi_si < 0).any():
        raise ValueError("the wafer has no silicon to dope")
    zc = geometry.z_coords
    si_rows = np.nonzero((phi_si < 0).any(axis=tuple(range(phi_si.ndim - 1))))[0]
    # lowest silicon surface: the lowest column top of the silicon
    tops = np.where(phi_si < 0, zc, -np.inf).max(axis=-1)
    lowest = float(np.min(tops[np.isfinite(tops)])) if np.isfinite(tops).any() else zc[si_rows[0]]
    k_lo = int(math.floor((lowest - depth - geometry.z0) / h)) - 1
    z0 = geometry.z0 + min(k_lo, 0) * h
    nz = int(round((z_top - z0) / h)) + 1
    lat = geometry.grid.lateral_shape
    zero = np.zeros(lat + (nz,))
    d = Doping(z0=z0, spacing=h, conc={}, damage=zero, damage_n=zero.copy(),
               background={k: float(v) for k, v in background.items() if v > 0})
    si = silicon_nodes(geometry, d)
    conc = {k: np.where(si, float(v), 0.0) for k, v in background.items() if v > 0}
    return d.replace(conc=conc)


def _net(doping: Doping) -> np.ndarray:
    from ..thermal.dopants import DOPANTS

    net = np.zeros(doping.shape)
    for k, c in doping.conc.items():
        net += DOPANTS[k].charge * c
    return net


def _column(a: np.ndarray, j: tuple[int, ...]) -> np.ndarray:
    return a[j] if a.ndim > 1 else a


def probe_column(doping: Doping) -> tuple[int, ...]:
    """Lateral index of the column with the largest implanted (non-background) dose."""
    background = doping.background
    tot = np.zeros(doping.shape)
    for k, c in doping.conc.items():
        tot += np.abs(c - background.get(k, 0.0) * (c > 0))
    col = tot.sum(axis=-1)
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(col)), col.shape))


def doping_metrics(wafer) -> dict[str, Any]:
    """Junction depth and sheet resistance at the probe column (plus the probe position,
    the doses in silicon, the blocked/consumed doses and the anneal steps); {} for a
    wafer without doping."""
    d = doping_of(wafer)
    if d is None:
        return {}
    from ..thermal.dopants import DOPANTS
    from ..thermal.electrical import junction_depths, sheet_resistance

    g = wafer.geometry
    j = probe_column(d)
    si = silicon_nodes(g, d)
    col_si = si[j]
    if not col_si.any():
        return {"junction_depth_m": None, "sheet_resistance_ohm_sq": None}
    top = int(np.nonzero(col_si)[0].max())
    _, _, phi_si = node_materials(g, d.z0, d.shape[-1])
    phi_c = phi_si[j]
    # the column's silicon surface: zero of φ_Si between its top node and the next
    zs = d.z[top] + (d.spacing * phi_c[top] / (phi_c[top] - phi_c[top + 1])
                     if top + 1 < phi_c.size and phi_c[top + 1] > phi_c[top] else 0.5 * d.spacing)
    rows = np.nonzero(col_si)[0][::-1]
    rows = rows[rows <= top]
    depth = zs - d.z[rows]
    donors = sum((d.conc[k][j][rows] for k in d.conc if DOPANTS[k].charge > 0),
                 np.zeros(rows.size))
    acceptors = sum((d.conc[k][j][rows] for k in d.conc if DOPANTS[k].charge < 0),
                    np.zeros(rows.size))
    xj = junction_depths(depth, donors, acceptors)
    rs = sheet_resistance(depth, donors, acceptors, arsenic=d.conc["As"][j][rows]
                          if "As" in d.conc else None)
    area = float(np.prod(g.grid.extent))
    h = d.spacing
    cell = h ** g.grid.dimension
    x = [g.grid.lateral_coords(a)[j[a]] for a in range(g.grid.dimension - 1)]
    return {
        "junction_depth_m": xj[0] if xj else None,
        "junction_depths_m": xj,
        "sheet_resistance_ohm_sq": float(rs) if np.isfinite(rs) else None,
        "probe_m": x,
        "probe_surface_height_m": float(zs),
        "dose_in_silicon_m2": {k: float(c.sum() * cell / area) for k, c in sorted(d.conc.items())},
        "dose_lost_m2": dict(d.lost_m2),
        "anneal_time_steps": int(d.time_steps),
    }


def write_doping_outputs(out: Path, wafer, *, plot: bool = True) -> None:
    """doping.nc (x[, y], z, one field per dopant in m⁻³, net doping) and doping.png."""
    d = doping_of(wafer)
    if d is None:
        return
    import xarray as xr

    from ..io.atomic import atomic_path

    si = silicon_nodes(wafer.geometry, d)            # dopant in etched silicon is gone
    d = d.replace(conc={k: np.where(si, c, 0.0) for k, c in d.conc.items()})
    g = wafer.geometry.grid
    names = ["x", "y"][:g.dimension - 1] + ["z"]
    coords = {n: g.lateral_coords(a) for a, n in enumerate(names[:-1])}
    coords["z"] = d.z
    data = {f"{k}": (names, v, {"units": "m-3", "long_name": f"{k} concentration"})
            for k, v in sorted(d.conc.items())}
    data["net"] = (names, _net(d), {"units": "m-3", "long_name": "net doping N_D - N_A"})
    ds = xr.Dataset(data, coords=coords)
    for n in names:
        ds[n].attrs["units"] = "m"
    ds.attrs["description"] = "waferlab dopant fields on the doping grid (0 off the silicon)"
    with atomic_path(Path(out) / "doping.nc", suffix=".nc") as tmp:
        ds.to_netcdf(tmp)
    if plot:
        _plot(Path(out) / "doping.png", wafer, d)


def _plot(path: Path, wafer, d: Doping) -> None:
    from ..io.atomic import atomic_path
    from ..io.plots import subplots

    g = wafer.geometry
    net = _net(d)
    idx, _, _ = node_materials(g, d.z0, d.shape[-1])
    if net.ndim == 3:                               # 3D: the y-middle plane
        mid = net.shape[1] // 2
        net, idx = net[:, mid], idx[:, mid]
    x = g.grid.lateral_coords(0) * 1e6
    z = d.z * 1e6
    aspect = float(np.ptp(x) / max(np.ptp(z), 1e-30))
    fig, ax = subplots(1, 1, figsize=(min(max(2.2 + 4.4 * aspect, 4.0), 12.0), 4.8))
    si = np.array(list(g.materials) + ["<vacuum>"])[idx] == "Si"
    solid = np.where(idx >= 0, 1.0, np.nan)
    ax.pcolormesh(x, z, np.where(si, np.nan, solid).T, cmap="Greys", vmin=0, vmax=4,
                  shading="auto")
    v = np.sign(net) * np.log10(np.maximum(np.abs(net) * 1e-6, 1.0))
    v = np.where(si, v, np.nan)
    lim = max(float(np.nanmax(np.abs(v))) if si.any() else 1.0, 1.0)
    im = ax.pcolormesh(x, z, v.T, cmap="RdBu_r", shading="auto", vmin=-lim, vmax=lim)
    ax.contour(x, z, np.where(si, net, np.nan).T, levels=[0.0], colors="yellow",
               linewidths=1.2)
    ax.set_aspect("equal")
    ax.set_xlabel("x (µm)")
    ax.set_ylabel("height (µm)")
    ax.set_title("net doping (yellow: junction)")
    fig.colorbar(im, ax=ax, label="sign · log10|N_D − N_A| (cm⁻³)")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
