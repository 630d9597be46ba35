"""ParaView output, written by meshio so meshio (and ParaView) read every file back:
the surface as ``final_surface.vtu`` (lines in 2D, triangles in 3D) and the materials
as ``final.vtu`` (quads / hexahedra).

Each file has a ``material`` cell array (the layer index, bottom layer first) and names
the materials in its FieldData: one integer entry per material, ``Si = 0``,
``SiO2 = 1``, ... (all its layer indices; meshio: ``mesh.field_data``).  ``write_vtp`` (VTK XML PolyData,
written directly since meshio has no PolyData format) is kept for callers that want a
.vtp; meshio cannot read it.
"""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from .atomic import atomic_path

__all__ = ["write_vtp", "write_vtu_materials", "write_vtu_surface", "material_field_data"]


def material_field_data(names) -> dict[str, np.ndarray]:
    """{material name: its layer indices} (a name can hold several layers)."""
    out: dict[str, list[int]] = {}
    for k, n in enumerate(names):
        out.setdefault(str(n), []).append(k)
    return {n: np.array(v, dtype=np.int32) for n, v in out.items()}


def _write_mesh(path: str | Path, mesh, names) -> None:
    """meshio's VTU with the material names as FieldData (meshio's writer leaves
    ``field_data`` out of VTU files, its reader reads it)."""
    import meshio

    fields = "".join(f'<DataArray type="Int32" Name="{n}" NumberOfTuples="{len(v)}" '
                     f'format="ascii">{" ".join(str(int(i)) for i in v)}</DataArray>'
                     for n, v in material_field_data(names).items())
    with atomic_path(path) as tmp:
        meshio.write(tmp, mesh, file_format="vtu")
        text = tmp.read_text(encoding="utf-8")
        i = text.index("<UnstructuredGrid>") + len("<UnstructuredGrid>")
        tmp.write_text(f"{text[:i]}\n<FieldData>{fields}</FieldData>{text[i:]}", encoding="utf-8")


def write_vtu_surface(path: str | Path, surface, names=(),
                      cell_data: dict[str, np.ndarray] | None = None) -> None:
    """Write a :class:`~waferlab.feature.surface.Surface` as an unstructured grid of lines
    (2D) or triangles (3D) with ``material`` and ``normal`` cell arrays; ``names`` are the
    material names of the indices."""
    import meshio

    pts = np.asarray(surface.points, dtype=float)
    if pts.shape[1] == 2:
        pts = np.column_stack([pts, np.zeros(len(pts))])
    el = np.asarray(surface.elements, dtype=np.int64)
    normals = np.asarray(surface.normals, dtype=float)
    if normals.shape[1] == 2:
        normals = np.column_stack([normals, np.zeros(len(normals))])
    data = {"material": [np.asarray(surface.materials, dtype=np.int32)], "normal": [normals]}
    for k, v in (cell_data or {}).items():
        data[k] = [np.asarray(v)]
    mesh = meshio.Mesh(pts, [("line" if el.shape[1] == 2 else "triangle", el)], cell_data=data)
    _write_mesh(path, mesh, names)


def _arr(name: str, data: np.ndarray, ncomp: int = 1) -> str:
    kind = "Float64" if data.dtype.kind == "f" else "Int64"
    flat = " ".join(f"{v:.9g}" if kind == "Float64" else str(int(v)) for v in data.ravel())
    return (f'<DataArray type="{kind}" Name="{name}" NumberOfComponents="{ncomp}" '
            f'format="ascii">{flat}</DataArray>')


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
        '<?xml version="1.0"?>\n<VTKFile type="PolyData" version="1.0" byte_order="LittleEndian">\n'
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
    import meshio

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
    mesh = meshio.Mesh(pts, cells, cell_data={"material": [mat[tuple(idx.T)].astype(np.int32)]})
    _write_mesh(path, mesh, geometry.materials)
