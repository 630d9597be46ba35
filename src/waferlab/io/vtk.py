"""ParaView output that meshio (and ParaView) read back:
the surface as ``final_surface.vtu`` (lines in 2D, triangles in 3D) and the materials
as ``final.vtu`` (quads / hexahedra); on large grids the materials go to ``final.vti``
(VTK ImageData, one compressed byte per cell — ``output.volume``), which ParaView, VTK
and pyvista read but meshio does not.

Each .vtu has a ``material`` cell array (the layer index, bottom layer first) and names
the materials in its FieldData: one integer entry per material, ``Si = 0``,
``SiO2 = 1``, ... (all its layer indices; meshio: ``mesh.field_data``); the .vti names
them in a comment.  ``write_vtp`` (VTK XML PolyData, written directly since meshio has no
PolyData format) is kept for callers that want a .vtp; meshio cannot read it.  The .vti
is written directly too (VTK file formats, Kitware: "ImageData"; the array
zlib-compressed in blocks as vtkZLibDataCompressor writes it).
"""
from __future__ import annotations

import base64
import itertools
import zlib
from enum import StrEnum
from pathlib import Path

import numpy as np

from .atomic import atomic_path

__all__ = ["write_vtp", "write_vtu_materials", "write_vtu_surface", "material_field_data",
           "write_vti_materials", "write_materials", "VOLUME_FORMATS", "VTU_MAX_CELLS", "OutputVolume"]

class OutputVolume(StrEnum):
    """The material volume a run writes (``output.volume``): ``vtu`` up to
    ``VTU_MAX_CELLS`` cells and ``vti`` above (``auto``), either one, or none."""

    AUTO = "auto"
    VTU = "vtu"
    VTI = "vti"
    NONE = "none"


VOLUME_FORMATS = tuple(OutputVolume)
#: ``auto`` writes final.vtu up to this many grid cells, final.vti above
VTU_MAX_CELLS = 1_000_000


def material_field_data(names) -> dict[str, np.ndarray]:
    """{material name: its layer indices} (a name can hold several layers)."""
    out: dict[str, list[int]] = {}
    for k, n in enumerate(names):
        out.setdefault(str(n), []).append(k)
    return {n: np.array(v, dtype=np.int32) for n, v in out.items()}


_VTK_TYPES = {"f8": "Float64", "i8": "Int64", "i4": "Int32", "u1": "UInt8"}
#: VTK cell type numbers (VTK file formats, Kitware: "VTKCellType")
_CELL_TYPES = {"line": 3, "triangle": 5, "quad": 9, "hexahedron": 12}


def _binary(name: str, data: np.ndarray, ncomp: int = 1) -> str:
    """A DataArray of ``data``'s type (float64, int64, int32 or uint8), base64 of its
    zlib-compressed little-endian bytes (:func:`_compressed`)."""
    raw = np.ascontiguousarray(data, dtype=np.dtype(data.dtype).newbyteorder("<"))
    kind = _VTK_TYPES[raw.dtype.kind + str(raw.dtype.itemsize)]
    comps = f' NumberOfComponents="{ncomp}"' if ncomp > 1 else ""   # scalars: (n,) in meshio
    return (f'<DataArray type="{kind}" Name="{name}"{comps} '
            f'format="binary">{_compressed(raw.tobytes())}</DataArray>')


def _write_mesh(path: str | Path, points: np.ndarray, kind: str, conn: np.ndarray,
                cell_data: dict[str, np.ndarray], names) -> None:
    """A VTK XML UnstructuredGrid (one cell kind; points (n, 3); cell arrays of one or
    three components) with the material names as FieldData, written directly (was
    meshio's writer: its import and its default zlib level cost ~0.1-0.3 s CPU a run);
    meshio, ParaView and VTK read it."""
    fields = "".join(f'<DataArray type="Int32" Name="{n}" NumberOfTuples="{len(v)}" '
                     f'format="ascii">{" ".join(str(int(i)) for i in v)}</DataArray>'
                     for n, v in material_field_data(names).items())
    n_cells, k = conn.shape
    offsets = np.arange(1, n_cells + 1, dtype=np.int64) * k
    types = np.full(n_cells, _CELL_TYPES[kind], np.uint8)
    cells = "".join(_binary(n, np.asarray(v), 1 if np.ndim(v) == 1 else np.shape(v)[1])
                    for n, v in cell_data.items())
    xml = ('<?xml version="1.0"?>\n<VTKFile type="UnstructuredGrid" version="1.0" '
           'byte_order="LittleEndian" header_type="UInt64" compressor="vtkZLibDataCompressor">\n'
           f'<UnstructuredGrid>\n<FieldData>{fields}</FieldData>\n'
           f'<Piece NumberOfPoints="{len(points)}" NumberOfCells="{n_cells}">\n'
           f'<Points>{_binary("Points", np.asarray(points, float), 3)}</Points>\n'
           f'<Cells>{_binary("connectivity", np.asarray(conn, np.int64))}'
           f'{_binary("offsets", offsets)}{_binary("types", types)}</Cells>\n'
           f'<CellData>{cells}</CellData>\n</Piece>\n</UnstructuredGrid>\n</VTKFile>\n')
    with atomic_path(path) as tmp:
        tmp.write_text(xml, encoding="ascii")


def write_vtu_surface(path: str | Path, surface, names=(),
                      cell_data: dict[str, np.ndarray] | None = None) -> None:
    """Write a :class:`~waferlab.feature.surface.Surface` as an unstructured grid of lines
    (2D) or triangles (3D) with ``material`` and ``normal`` cell arrays; ``names`` are the
    material names of the indices."""
    pts = np.asarray(surface.points, dtype=float)
    if pts.shape[1] == 2:
        pts = np.column_stack([pts, np.zeros(len(pts))])
    el = np.asarray(surface.elements, dtype=np.int64)
    normals = np.asarray(surface.normals, dtype=float)
    if normals.shape[1] == 2:
        normals = np.column_stack([normals, np.zeros(len(normals))])
    data = {"material": np.asarray(surface.materials, dtype=np.int32), "normal": normals}
    for k, v in (cell_data or {}).items():
        data[k] = np.asarray(v)
    _write_mesh(path, pts, "line" if el.shape[1] == 2 else "triangle", el, data, names)


def _arr(name: str, data: np.ndarray, ncomp: int = 1) -> str:
    """A DataArray in base64 ``binary`` format, zlib-compressed (``_compressed``)."""
    if data.dtype.kind == "f":
        kind, raw = "Float64", np.ascontiguousarray(data, dtype="<f8")
    else:
        kind, raw = "Int64", np.ascontiguousarray(data, dtype="<i8")
    enc = _compressed(raw.tobytes())
    return (f'<DataArray type="{kind}" Name="{name}" NumberOfComponents="{ncomp}" '
            f'format="binary">{enc}</DataArray>')


def write_vtp(path: str | Path, surface, cell_data: dict[str, np.ndarray] | None = None) -> None:
    """Write a :class:`~waferlab.feature.surface.Surface` as PolyData (lines in 2D, triangles in 3D)."""
    pts = np.asarray(surface.points, dtype=float)
    if pts.shape[1] == 2:
        pts = np.column_stack([pts, np.zeros(len(pts))])
    el = np.asarray(surface.elements, dtype=np.int64)
    k = el.shape[1]
    offsets = np.arange(1, len(el) + 1, dtype=np.int64) * k
    tag = "Lines" if k == 2 else "Polys"
    data = {"material": np.asarray(surface.materials, dtype=np.int64)}
    normals = np.asarray(surface.normals, dtype=float)
    if normals.shape[1] == 2:
        normals = np.column_stack([normals, np.zeros(len(normals))])
    cells = [_arr(n, v) for n, v in {**data, **(cell_data or {})}.items()]
    cells.append(_arr("normal", normals, 3))
    n_lines, n_polys = (len(el), 0) if k == 2 else (0, len(el))
    xml = (
        '<?xml version="1.0"?>\n<VTKFile type="PolyData" version="1.0" '
        'byte_order="LittleEndian" header_type="UInt64" compressor="vtkZLibDataCompressor">\n'
        f'<PolyData><Piece NumberOfPoints="{len(pts)}" NumberOfVerts="0" NumberOfLines="{n_lines}" '
        f'NumberOfStrips="0" NumberOfPolys="{n_polys}">\n'
        f'<Points>{_arr("points", pts, 3)}</Points>\n'
        f'<CellData Scalars="material">{"".join(cells)}</CellData>\n'
        f'<{tag}>{_arr("connectivity", el)}{_arr("offsets", offsets)}</{tag}>\n'
        '</Piece></PolyData>\n</VTKFile>\n')
    with atomic_path(path) as tmp:
        tmp.write_text(xml, encoding="utf-8")


def write_vtu_materials(path: str | Path, geometry) -> None:
    """Write the grid cells that hold material as quads (2D) or hexahedra (3D) with a
    ``material`` cell array (index into ``geometry.materials``, bottom layer first)."""
    phi = np.asarray(geometry.phi)
    coords = geometry.coords()
    shape = phi.shape[1:]
    dim = len(shape)
    # material of a cell = lowest layer whose level set is negative at the cell centre
    centre = np.zeros((phi.shape[0],) + tuple(n - 1 for n in shape))
    for corner in itertools.product((0, 1), repeat=dim):
        centre += phi[(slice(None),) + tuple(slice(c, n - 1 + c) for c, n in zip(corner, shape))]
    centre /= 2 ** dim
    inside = centre < 0
    mat = np.where(inside.any(axis=0), np.argmax(inside, axis=0), -1)
    idx = np.argwhere(mat >= 0)
    grids = np.meshgrid(*coords, indexing="ij")
    pts = np.stack([g.ravel() for g in grids], axis=1)
    if dim == 2:
        pts = np.column_stack([pts, np.zeros(len(pts))])
    strides = np.cumprod((1,) + shape[::-1])[:-1][::-1]
    base = idx @ strides
    if dim == 2:
        sx, sy = strides
        conn = np.stack([base, base + sx, base + sx + sy, base + sy], axis=1)
        cells = [("quad", conn)]
    else:
        sx, sy, sz = strides
        b = base
        conn = np.stack([b, b + sx, b + sx + sy, b + sy,
                         b + sz, b + sx + sz, b + sx + sy + sz, b + sy + sz], axis=1)
        cells = [("hexahedron", conn)]
    _write_mesh(path, pts, cells[0][0], cells[0][1],
                {"material": mat[tuple(idx.T)].astype(np.int32)}, geometry.materials)


ZLIB_BLOCK = 1 << 20     # bytes per compressed block of a .vti data array
ZLIB_LEVEL = 1           # fastest: the material array is mostly long runs


def _compressed(b: bytes) -> str:
    """base64 of a vtkZLibDataCompressor stream: header [blocks, block size, last block
    size, compressed sizes…] (UInt64, encoded on its own), then the compressed blocks."""
    blocks = [zlib.compress(b[i:i + ZLIB_BLOCK], ZLIB_LEVEL) for i in range(0, len(b), ZLIB_BLOCK)]
    n = len(blocks)
    last = len(b) - (n - 1) * ZLIB_BLOCK if n else 0
    head = np.array([n, ZLIB_BLOCK, last] + [len(c) for c in blocks], dtype="<u8").tobytes()
    return base64.b64encode(head).decode("ascii") + base64.b64encode(b"".join(blocks)).decode("ascii")


def write_vti_materials(path: str | Path, geometry) -> None:
    """The material of every grid cell as VTK ImageData (``material`` Int8 cell array:
    index into ``geometry.materials``, bottom layer first; −1 = vacuum).  Points are the
    level-set nodes (spacing h from the first node), cells lie between them, as in
    :func:`write_vtu_materials`; a cell's material is the lowest layer whose φ averaged
    over the cell's corners is negative.  In 2D the (x, y) section lies in the VTK x–y
    plane."""
    g = geometry.grid
    h = g.spacing
    mat = geometry.cell_materials()      # (a tiled stack: by slabs, no dense φ)
    o = [float(v) for v in geometry.origin3()]
    nx, nz = geometry.shape[0], geometry.shape[-1]
    if g.dimension == 3:
        ny = geometry.shape[1]
        extent = f"0 {nx - 1} 0 {ny - 1} 0 {nz - 1}"
        origin = f"{o[0]!r} {o[1]!r} {o[2]!r}"
    else:
        extent = f"0 {nx - 1} 0 {nz - 1} 0 0"
        origin = f"{o[0]!r} {o[2]!r} 0.0"
    data = _compressed(mat.tobytes())
    names = " ".join(f"{k}:{m}" for k, m in enumerate(geometry.materials))
    xml = ('<?xml version="1.0"?>\n<VTKFile type="ImageData" version="1.0" '
           'byte_order="LittleEndian" header_type="UInt64" compressor="vtkZLibDataCompressor">\n'
           f'<ImageData WholeExtent="{extent}" Origin="{origin}" Spacing="{h!r} {h!r} {h!r}">\n'
           f'<Piece Extent="{extent}">\n<PointData></PointData>\n'
           f'<CellData Scalars="material"><DataArray type="Int8" Name="material" '
           f'NumberOfComponents="1" format="binary" RangeMin="-1" '
           f'RangeMax="{len(geometry.materials) - 1}">{data}</DataArray></CellData>\n'
           f'</Piece>\n</ImageData>\n<!-- materials {names} -->\n</VTKFile>\n')
    with atomic_path(path) as tmp:
        tmp.write_text(xml, encoding="ascii")


def write_materials(out_dir: str | Path, geometry, volume: str = OutputVolume.AUTO
                    ) -> str | None:
    """Write the material volume into ``out_dir`` as ``volume`` says (auto: final.vtu up
    to ``VTU_MAX_CELLS`` cells, else final.vti; vtu; vti; none); returns the file name."""
    if volume not in VOLUME_FORMATS:
        raise ValueError(f"volume = {volume!r}: allowed {', '.join(VOLUME_FORMATS)}")
    fmt = OutputVolume(volume)
    if fmt is OutputVolume.NONE:
        return None
    if fmt is OutputVolume.AUTO:
        cells = int(np.prod([n - 1 for n in geometry.shape]))
        fmt = OutputVolume.VTU if cells <= VTU_MAX_CELLS else OutputVolume.VTI
    name = f"final.{fmt}"
    (write_vtu_materials if fmt is OutputVolume.VTU else write_vti_materials)(
        Path(out_dir) / name, geometry)
    return name
