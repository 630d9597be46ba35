"""Draws docs/img/metrics.png, the sketch of docs/metrics.md (python docs/img/metrics_sketch.py)."""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Polygon  # noqa: E402


def arrow(ax, a, b, text, *, off=(4, 0), color="k", ha="left"):
    ax.annotate("", xy=b, xytext=a, arrowprops=dict(arrowstyle="<->", color=color, lw=1))
    ax.text((a[0] + b[0]) / 2 + off[0], (a[1] + b[1]) / 2 + off[1], text, fontsize=8,
            color=color, ha=ha, va="center")


fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 6.2), dpi=110)
# ---- etch: Si trench under a mask ---------------------------------------------------
si = Polygon([(-300, -700), (300, -700), (300, 0), (105, 0), (92, -60), (80, -300),
              (75, -540), (0, -560), (-75, -540), (-80, -300), (-92, -60), (-105, 0),
              (-300, 0)], color="#b9b9b9")
mask = [Polygon([(-300, 0), (-100, 0), (-100, 250), (-300, 250)], color="#6a8caf"),
        Polygon([(300, 0), (100, 0), (100, 250), (300, 250)], color="#6a8caf")]
ax1.add_patch(si)
for p in mask:
    ax1.add_patch(p)
ax1.plot([-100, -100], [0, 300], ":", color="#6a8caf", lw=1)
ax1.text(-290, 275, "mask as built", fontsize=7, color="#6a8caf")
ax1.axhline(0, color="k", lw=0.6, ls="--")
ax1.text(-295, 12, "etched-layer top as built (z = 0)", fontsize=7)
arrow(ax1, (200, 0), (200, -560), "etch_depth_m", off=(8, 0))
arrow(ax1, (250, 0), (250, 250), "mask_remaining_m\n(at the field)", off=(6, 0))
ax1.text(160, 285, "mask_erosion_m = as built − remaining", fontsize=7, ha="center")
arrow(ax1, (-100, 125), (100, 125), "cd_mask_m (½ mask)", off=(0, 14), ha="center")
for f, name in ((0.1, "cd_top_m"), (0.5, "cd_middle_m"), (0.9, "cd_bottom_m")):
    z = -f * 560
    w = 105 - (105 - 75) * f
    arrow(ax1, (-w, z), (w, z), f"{name} ({int(f * 100)} % of depth)", off=(0, 14), ha="center",
          color="#8b0000")
ax1.plot([92, 75], [-56, -504], color="#006400", lw=2)
ax1.text(0, -650, "sidewall_angle_deg: from the horizontal between 10 % and 90 %\n"
         "< 90° tapered (narrower at the bottom), > 90° re-entrant",
         fontsize=7, color="#006400", ha="center")
ax1.set_title("etch: Si trench through a mask")
ax1.set_xlim(-310, 310)
ax1.set_ylim(-720, 320)
ax1.set_aspect("equal")
ax1.set_xlabel("x (nm)")
ax1.set_ylabel("z (nm)")
# ---- deposition into a trench, pinched off ------------------------------------------
ax2.add_patch(Polygon([(-300, -700), (300, -700), (300, 0), (100, 0), (100, -600), (-100, -600),
                       (-100, 0), (-300, 0)], color="#b9b9b9"))
film = Polygon([(-300, 0), (-300, 60), (-130, 60), (-30, 40), (0, 40), (30, 40), (130, 60),
                (300, 60), (300, 0), (100, 0), (100, -600), (-100, -600), (-100, 0)],
               color="#e3c77b")
ax2.add_patch(film)
ax2.add_patch(Polygon([(-60, -560), (60, -560), (60, -200), (0, -80), (-60, -200)], color="white"))
arrow(ax2, (250, 0), (250, 60), "film_field_m", off=(-6, 18), ha="right")
arrow(ax2, (0, -600), (0, -560), "film_bottom_m", off=(8, -16))
arrow(ax2, (-100, -380), (-60, -380), "film_sidewall_left_m", off=(-75, 40), ha="center")
arrow(ax2, (60, -380), (100, -380), "film_sidewall_right_m", off=(75, -40), ha="center")
ax2.text(0, -300, "void\nvoid_size_m2 (m3 in 3D)\nvoid_height_m, void_width_m",
         fontsize=7, ha="center")
arrow(ax2, (-200, 60), (-200, -80), "void_top_depth_m", off=(6, -20))
ax2.plot([-220, 0], [-80, -80], ":", color="k", lw=0.8)
ax2.text(0, 120, "neck_width_m = 0 once closed (pinch_off_time_s: when)\n"
         "overhang_m = ½(opening − neck) − sidewall film, at the neck",
         fontsize=7, ha="center")
ax2.text(0, -660, "step_coverage = bottom / field; sidewall_coverage = min(wall) / field",
         fontsize=7, ha="center")
ax2.set_title("deposition: film thicknesses, neck, void")
ax2.set_xlim(-310, 310)
ax2.set_ylim(-720, 320)
ax2.set_aspect("equal")
ax2.set_xlabel("x (nm)")
fig.tight_layout()
fig.savefig(Path(__file__).with_name("metrics.png"))
