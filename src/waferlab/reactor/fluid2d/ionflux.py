"""Positive-ion face flux of the multi-species (electronegative) model from the charge-weighted
momentum balance — the "pressure" form (``reactor.fluid2d.ion_flux: pressure``, and the default
``auto`` wherever the chemistry has negative ions, session 14: on the default SF6/O2 mesh its wafer
ion flux is −1.3 % from the mesh limit 4.43e18 ± 2 % where SG's is +31 %; docs/reactor.md).

Every ion k drifts and diffuses in the Boltzmann electrons' field,
Γ_k = −μ_k(T_i∇n_k + z_k n_k∇φ) (T_i in eV, φ in V; :mod:`.species`).  Pointwise, with
ρ_+ = Σ_{z_k>0} z_k n_k = n_e + Σ_{z_j<0} |z_j| n_j (quasi-neutrality),

    ρ_+∇φ = n_e∇φ + Σ_j |z_j| n_j∇φ,
    n_e∇φ = ∇(n_e T_e)                        (Boltzmann electrons, e n_e E = −∇(n_e e T_e)),
    |z_j| n_j∇φ = T_i∇n_j + Γ_j/μ_j             (each negative ion's own momentum balance),

so with the share s_k = n_k/ρ_+ of the positive ions, exactly,

    Γ_k = −μ_k T_i∇n_k − μ_k z_k s_k [∇(n_e T_e) + Σ_j (T_i∇n_j + Γ_j/μ_j)].

This is the drift–diffusion of an ion–ion–electron plasma written as the gradient of the
charged species' partial pressure (Lieberman & Lichtenberg 2005, §10.3, where it gives the
ion–ion ambipolar coefficient D_a = D_+(1 + γ + 2γα)/(1 + γα) for Boltzmann negative ions;
Lichtenberg, Vahedi, Lieberman & Rognlien, J. Appl. Phys. 76, 6190, 1994).  Discretised with
two-point differences of n_e T_e and of the ion densities (exact for a constant flux and a
constant μ whatever the profile between the nodes), the face share
s_k = (n_k,a + n_k,b)/(ρ_a + ρ_b) (Σ z_k s_k = 1 on every face) and the negative ions'
Scharfetter–Gummel fluxes Γ_j, which are exact where the negative ions are Boltzmann-like
(Γ_j ≪ their drift and diffusion terms, as in every edge layer).

Why: the Scharfetter–Gummel flux of the positive ions themselves assumes a constant field
across the face, E = −Δφ/d, and an exponential profile; in an ion–ion edge layer the negative
ions fall as n_e^γ (γ = T_e/T_i ≈ 40–100) and the positive ions' partners with them, so the
positive ions are not Boltzmann-like and SG carries the upstream cell's partners at the drift
speed: on the exact 1D layer it is high by +34 % at a potential step of 2.2 T_i and +101 % at
4.3 T_i (docs/reactor.md, "Session 9"), and on the default SF6/O2 mesh the wafer ion flux was
+39 % above its mesh limit.  Without negative ions the form is the ambipolar flux
−μ_k T_i∇n_k − μ_k s_k∇(n_e T_e), exact where SG assumes an exponential profile that a constant
flux does not have (ambipolar diffusion at constant flux has a linear n, not an exponential).
"""
from __future__ import annotations

import numpy as np

__all__ = ["charged_pressure_flux"]


def charged_pressure_flux(G, mu, z, n_a, n_b, ne_a, ne_b, Te_a, Te_b, T_i: float, d):
    """Face fluxes of every charged species with the positive ions' rows of ``G`` replaced by
    the pressure form (module docstring); the negative ions' rows (their SG fluxes) are kept
    and used.  ``G``, ``mu``, ``n_a``, ``n_b``: (n_charged, ...) at the faces (flux from a
    to b, m⁻²s⁻¹; mobility m²/V s; the two cells' densities m⁻³); ``z`` (n_charged,) charge
    numbers; ``ne_a``, ``ne_b``, ``Te_a``, ``Te_b`` (...) the electrons (m⁻³, eV); ``T_i``
    the ion temperature (eV); ``d`` the distance between the cell centres (m)."""
    z = np.asarray(z)
    pos, neg = np.flatnonzero(z > 0), np.flatnonzero(z < 0)
    drive = (ne_b * Te_b - ne_a * Te_a) / d                      # ρ_+ ∂φ (m⁻³ V/m)
    for j in neg:
        drive = drive + T_i * (n_b[j] - n_a[j]) / d + G[j] / mu[j]
    rho_ab = np.tensordot(z[pos], n_a[pos] + n_b[pos], axes=1)
    out = np.array(G, float, copy=True)
    for k in pos:
        s_k = (n_a[k] + n_b[k]) / rho_ab
        out[k] = -mu[k] * (T_i * (n_b[k] - n_a[k]) / d + z[k] * s_k * drive)
    return out

