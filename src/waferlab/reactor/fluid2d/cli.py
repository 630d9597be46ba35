"""``waferlab reactor`` with ``model: fluid2d``: solve, then write reactor.json (the global
model's summary keys plus a ``fluid2d`` block), fields.nc, wafer.csv and reactor.png."""
from __future__ import annotations

from pathlib import Path

from ...io.atomic import write_json
from ..spec import ReactorSpec
from .model import solve_fluid2d
from .output import (_multi, particle_balance, plot_reactor, reactor_state, wafer_profile, write_fields,
                     write_wafer_csv)

__all__ = ["run_fluid2d"]


CHECKPOINT = "fluid2d_checkpoint.npz"


def run_fluid2d(spec: ReactorSpec, out: Path, name: str, *, quiet: bool = True, resume: bool = False,
                seed: int = 0) -> dict:
    """Solve and write the files; returns the reactor.json content (and ``_state``).  The
    iterate is checkpointed in ``out/fluid2d_checkpoint.npz``; ``resume`` continues from it.
    ``seed`` (the recipe's): the CCP's ion Monte Carlo."""
    if spec.source.type == "ccp":                   # the parallel-plate reactor (.ccp)
        from .ccp_output import run_ccp
        return run_ccp(spec, out, name, checkpoint=out / CHECKPOINT, resume=resume, seed=seed)
    res = solve_fluid2d(spec, checkpoint=out / CHECKPOINT, resume=resume)
    state = reactor_state(res)
    m = res.setup.mesh
    assert res.global_state is not None           # solve_fluid2d() always records it
    result = state.to_json()
    result["name"] = name
    result["model"] = "fluid2d"
    result["fluid2d"] = {
        "mesh_nr": m.nr, "mesh_nz": m.nz, "em_mesh_nz": res.setup.em_mesh.nz,
        "window_cell_m": float(m.dr[-1] if res.setup.settings.coil.type == "cylindrical" else m.dz[-1]),
        "skin_depth_m": res.setup.skin_depth_m,
        "iterations": res.iterations, "seconds": res.seconds,
        "residual_history": list(res.residual_history),
        "absorbed_power_W": res.absorbed_power, "particle_balance": particle_balance(res),
        "T_e_density_weighted_eV": res.T_e_density_weighted,
        "n_e_max_m3": float(res.n_e.max()), "T_gas_max_K": float(res.T_gas.max()),
        "global_model": {"T_e_eV": float(res.global_state.T_e),     # n_e: the volume average n̄
                         "n_e_avg_m3": float(res.global_state.n_e),
                         "n_e_center_m3": res.setup.global_model.centre_density(res.global_state)}}
    prof = wafer_profile(res)
    G = prof["ion_flux_m2s"]
    result["fluid2d"]["wafer_ion_flux_edge_to_centre"] = float(G[-1] / G[0])
    result["fluid2d"]["wafer_ion_flux_nonuniformity"] = float((G.max() - G.min()) / (G.max() + G.min()))
    if _multi(res):                             # multi-species model
        rad = res.setup.neutral
        F = prof[f"{rad}_flux_m2s"]
        gm = res.setup.global_model
        result["fluid2d"] |= {
            "species": list(res.names), "unknowns": int(res.x.size), "element_balance": dict(res.element_balance),
            "main_radical": rad, f"wafer_{rad}_flux_edge_to_centre": float(F[-1] / F[0]),
            f"wafer_{rad}_flux_nonuniformity": float((F.max() - F.min()) / (F.max() + F.min())),
            "reynolds": res.reynolds, "knudsen": res.knudsen, "gas_heat_W": dict(res.gas_heat),
            "sheath_edge_check": dict(res.potential_steps),   # steps in T_i, wafer_face_excess
            "ion_flux": "pressure" if res.ion_flux == "pressure" else "scharfetter_gummel",
            "ion_flux_fallback_residuals": list(res.ion_flux_fallback),
            "mesh_adapt": {"coarse_stages": [{"mesh": st["mesh"], "steps": st["steps"]} for st in res.stages],
                           "wafer_cell_m": float(m.dz[0]), "z_faces_m": m.z_faces.tolist()},
            "T_gas_avg_K": float(res.setup.mesh.volume_average(res.T_gas)),
            "alpha_avg": float(res.setup.mesh.volume_average(res.n[gm.neg].sum(axis=0)) / res.n_e_avg)
            if gm.neg.size else 0.0}
        result["fluid2d"]["global_model"] |= {
            "densities_m3": {nm: float(v) for nm, v in zip(gm.names, res.global_state.n)}}
    write_json(out / "reactor.json", result)
    write_fields(res, out / "fields.nc")
    write_wafer_csv(res, out / "wafer.csv")
    plot_reactor(res, out / "reactor.png")
    result["_state"] = state
    return result
