"""Generate m1_clip.gds: a small M1-like layout clip (ICCAD-2013 style) with gdstk.

Run ``python make_m1_clip.py`` in this folder.  Cell M1_CLIP, layer 1/0, user unit 1 um,
database precision 1 nm.  The pattern sits in the central ~1.1 um of a 2048 nm clip:
horizontal wires of width 70 nm on a 140 nm pitch with line ends, a jog, an L-shaped
wire and a vertical strap, as in metal-1 clips of the ICCAD 2013 contest (Banerjee, Li,
Nassif, ICCAD 2013).
"""
from __future__ import annotations

from pathlib import Path

import gdstk

__all__ = ["build"]

W = 70        # wire width (nm)
P = 140       # track pitch (nm)


def rect(x0, y0, x1, y1):
    return gdstk.rectangle((x0 / 1000, y0 / 1000), (x1 / 1000, y1 / 1000), layer=1, datatype=0)


def build() -> gdstk.Library:
    lib = gdstk.Library(unit=1e-6, precision=1e-9)
    cell = lib.new_cell("M1_CLIP")
    y = [-3 * P, -2 * P, -P, 0, P, 2 * P, 3 * P]
    h = W / 2
    cell.add(rect(-520, y[0] - h, 520, y[0] + h))                  # long wire
    cell.add(rect(-520, y[1] - h, -60, y[1] + h))                  # two wires, end-to-end gap
    cell.add(rect(60, y[1] - h, 520, y[1] + h))
    cell.add(rect(-400, y[2] - h, 300, y[2] + h))                  # shorter wire
    # wire with a jog of one track
    cell.add(gdstk.Polygon([(-520 / 1000, (y[3] - h) / 1000), (0, (y[3] - h) / 1000),
                            (0, (y[4] - h) / 1000), (520 / 1000, (y[4] - h) / 1000),
                            (520 / 1000, (y[4] + h) / 1000), (-W / 1000, (y[4] + h) / 1000),
                            (-W / 1000, (y[3] + h) / 1000), (-520 / 1000, (y[3] + h) / 1000)],
                           layer=1, datatype=0))
    # L-shaped wire
    cell.add(gdstk.Polygon([(-520 / 1000, (y[5] - h) / 1000), (200 / 1000, (y[5] - h) / 1000),
                            (200 / 1000, (y[6] + h) / 1000), (130 / 1000, (y[6] + h) / 1000),
                            (130 / 1000, (y[5] + h) / 1000), (-520 / 1000, (y[5] + h) / 1000)],
                           layer=1, datatype=0))
    cell.add(rect(330, y[5] - h, 520, y[6] + h))                   # vertical strap / pad
    return lib


if __name__ == "__main__":
    out = Path(__file__).with_name("m1_clip.gds")
    build().write_gds(str(out))
    print(f"wrote {out}")
