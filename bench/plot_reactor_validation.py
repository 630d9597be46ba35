"""Figures of docs/reactor.md: chemistry sf6 vs Kokkoris et al. (J. Phys. D 42, 055209, 2009)
and cl2ar, cl2ar_ll, cl2ar_guha vs Malyshev et al. (J. Appl. Phys. 84, 137, 1998); data from
waferlab.validation.
Run: python bench/plot_reactor_validation.py  (writes docs/img/reactor_sf6_kokkoris.png,
docs/img/reactor_cl2_malyshev.png)"""
import warnings
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from waferlab.reactor import solve  # noqa: E402
from waferlab.validation import plasma as d  # noqa: E402

IMG = Path(__file__).resolve().parent.parent / "docs" / "img"
warnings.simplefilter("ignore", RuntimeWarning)

P = np.array([300, 500, 548, 750, 1000, 1500, 2000, 2500, 3000, 3500], float)
st = [solve(d.sf6_kokkoris_spec(p)) for p in P]
ref = np.array([[p, *v] for p, v in d.KOKKORIS_MODEL.items()])
fig, ax = plt.subplots(1, 4, figsize=(15, 3.4))
for a, (k, lab, f) in zip(ax, [(1, "n_e (m⁻³)", lambda s: s.n_e_center_m3), (2, "T_e (eV)", lambda s: s.T_e_eV),
                               (3, "α = n₋/n_e", d.negative_ion_fraction),
                               (4, "[F] (m⁻³)", lambda s: s.densities_m3["F"])]):
    a.plot(P, [f(s) for s in st], "-", label="waferlab sf6")
    a.plot(ref[:, 0], ref[:, k], "ks", label="Kokkoris 2009 model")
    if k == 1:                                  # the digitized n_e curve starts at 548 W
        a.plot(*d.KOKKORIS_NE_FIRST, "ks")
    if k == 4:
        for p, lo, hi in d.KOKKORIS_F_ACTINOMETRY:
            a.plot([p, p], [lo, hi], "r-", lw=3)
        a.plot([], [], "r-", lw=3, label="actinometry (2 series)")
    a.set_xlabel("power (W)")
    a.set_ylabel(lab)
    a.grid(alpha=.3)
ax[0].legend(fontsize=8)
ax[3].legend(fontsize=8)
fig.suptitle("SF6/Ar 100/10 sccm, p_OFF = 0.921 Pa, R = 0.19 m, L = 0.38 m")
fig.tight_layout()
fig.savefig(IMG / "reactor_sf6_kokkoris.png", dpi=90)

fig, ax = plt.subplots(1, 3, figsize=(13, 3.6))
Pc = np.array([100, 200, 300, 500, 700, 900], float)
for chem, ls in (("cl2ar", "-"), ("cl2ar_ll", "--"), ("cl2ar_guha", ":")):
    for p, c in ((2.0, "C0"), (10.0, "C1")):
        s = [solve(d.cl2_malyshev_spec(p, x, chem)) for x in Pc]
        ax[0].plot(Pc, [x.T_e_eV for x in s], ls, color=c, label=f"{chem} {p:g} mTorr")
        ax[1].plot(Pc, [x.n_e_avg_m3 for x in s], ls, color=c)
        if p == 2.0:
            ax[2].plot(Pc, [d.cl2_dissociation_percent(x, 2.0) for x in s], ls, color=c,
                       label=f"{chem} 2 mTorr")
for p, c in ((2.0, "C0"), (10.0, "C1")):
    te = np.array(d.MALYSHEV_TE[p])
    ne = np.array(d.MALYSHEV_NE[p])
    ax[0].plot(te[:, 0], te[:, 1], "s", color=c, label=f"Malyshev {p:g} mTorr")
    ax[1].plot(ne[:, 0], ne[:, 1], "s", color=c)
ds = np.array(d.MALYSHEV_DISSOCIATION[2.0])
ax[2].plot(ds[:, 0], ds[:, 1], "s", color="C0", label="Malyshev 2 mTorr")
for a, lab in zip(ax, ["T_e (eV)", "volume-averaged n_e (m⁻³)", "Cl2 dissociation (%)"]):
    a.set_xlabel(f"forward power (W) × {d.MALYSHEV_ABSORBED_FRACTION:g}")
    a.set_ylabel(lab)
    a.grid(alpha=.3)
ax[0].legend(fontsize=6, ncol=2)
ax[2].legend(fontsize=7)
fig.suptitle("Cl2/Ar 114/6 sccm, Lam TCP (R = 21.5 cm, gap 11 cm): cl2ar (Kemaneci 2014, solid), "
             "cl2ar_ll (Lee & Lieberman 1995, dashed), cl2ar_guha (dotted)", fontsize=9)
fig.tight_layout()
fig.savefig(IMG / "reactor_cl2_malyshev.png", dpi=90)
