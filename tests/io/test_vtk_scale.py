"""The compact ParaView outputs (issue #18): binary PolyData and the ImageData volume.

Each file is decoded with the VTK XML rules (base64, UInt64 headers, zlib blocks) and
compared with the data it was written from, exactly."""
from __future__ import annotations

import base64
import itertools
import re
import zlib

import numpy as np
import pytest

from waferlab.feature import builders as B
from waferlab.feature.extract import extract_surface
from waferlab.feature.grid import Grid
from waferlab.io.vtk import (
    VTU_MAX_CELLS,
    write_materials,
    write_vti_materials,
    write_vtp,
)

UM = 1e-6


def _decode(text: str, dtype) -> np.ndarray:
    """A zlib-compressed ``binary`` DataArray body: header (blocks, block size, last
    size, compressed sizes), base64 on its own, then the base64 of the blocks."""
    # the header has 3 + n UInt64 values: its base64 length is 4·ceil(8(3 + n)/3)
    first = np.frombuffer(base64.b64decode(text[:32]), "<u8")
    n = int(first[0])
    hlen = 4 * -(-8 * (3 + n) // 3)
    head = np.frombuffer(base64.b64decode(text[:hlen]), "<u8")
    blob = base64.b64decode(text[hlen:])
    out, pos = [], 0
    for c in head[3:3 + n]:
        out.append(zlib.decompress(blob[pos:pos + int(c)]))
        pos += int(c)
    return np.frombuffer(b"".join(out), dtype)


def _arrays(xml: str) -> dict[str, str]:
    return dict(re.findall(r'Name="(\w+)"[^>]*format="binary"[^>]*>([^<]*)</DataArray>', xml))


def _geometry(dim):
    g = Grid(dimension=dim, spacing=0.05 * UM, extent=(1.0 * UM,) * (dim - 1),
             boundary="periodic")
    geo = B.layer_stack(g, "Si", [("Mask", 0.2 * UM)])
    return B.cut_feature(geo, "hole" if dim == 3 else "trench",
                         radius=0.3 * UM if dim == 3 else None,
                         width=0.5 * UM if dim == 2 else None, depth=0.4 * UM)


def _cell_materials_reference(geo) -> np.ndarray:
    """The .vtu's rule in NumPy: lowest layer negative at the cell centre (corner mean)."""
    phi = np.asarray(geo.phi)
    shape = phi.shape[1:]
    centre = np.zeros((phi.shape[0],) + tuple(n - 1 for n in shape))
    for corner in itertools.product((0, 1), repeat=len(shape)):
        centre += phi[(slice(None),) + tuple(slice(c, n - 1 + c) for c, n in zip(corner, shape))]
    inside = centre / 2 ** len(shape) < 0
    return np.where(inside.any(axis=0), np.argmax(inside, axis=0), -1)


@pytest.mark.parametrize("dim", [2, 3])
def test_vti_holds_the_material_of_every_cell(tmp_path, dim):
    geo = _geometry(dim)
    write_vti_materials(tmp_path / "m.vti", geo)
    xml = (tmp_path / "m.vti").read_text()
    mat = _decode(_arrays(xml)["material"], np.int8)
    ref = _cell_materials_reference(geo)
    assert mat.size == ref.size
    # VTK order: x fastest
    np.testing.assert_array_equal(mat, np.transpose(ref).ravel())
    assert set(np.unique(mat)) == {-1, 0, 1}
    ext = re.search(r'WholeExtent="([^"]*)"', xml).group(1).split()
    assert int(ext[1]) + 1 == geo.shape[0]


@pytest.mark.parametrize("dim", [2, 3])
def test_vtp_is_exact(tmp_path, dim):
    s = extract_surface(_geometry(dim))
    write_vtp(tmp_path / "s.vtp", s)
    a = _arrays((tmp_path / "s.vtp").read_text())
    pts = _decode(a["points"], "<f8").reshape(-1, 3)
    np.testing.assert_array_equal(pts[:, :dim], s.points)
    np.testing.assert_array_equal(_decode(a["connectivity"], "<i8").reshape(s.elements.shape),
                                  s.elements)
    np.testing.assert_array_equal(_decode(a["material"], "<i8"), s.materials)


def test_volume_format_choice(tmp_path):
    geo = _geometry(3)
    assert np.prod([n - 1 for n in geo.shape]) <= VTU_MAX_CELLS
    assert write_materials(tmp_path, geo, "auto") == "final.vtu"
    assert write_materials(tmp_path, geo, "vti") == "final.vti"
    assert write_materials(tmp_path, geo, "none") is None
    assert (tmp_path / "final.vtu").is_file() and (tmp_path / "final.vti").is_file()
    with pytest.raises(ValueError, match="volume"):
        write_materials(tmp_path, geo, "vtk")


def test_auto_writes_imagedata_above_the_cell_limit(tmp_path, monkeypatch):
    import waferlab.io.vtk as V

    geo = _geometry(3)
    monkeypatch.setattr(V, "VTU_MAX_CELLS", 10)
    assert V.write_materials(tmp_path, geo, "auto") == "final.vti"
    assert not (tmp_path / "final.vtu").exists()
