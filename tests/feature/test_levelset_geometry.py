"""Grid, LevelSetStack, builders, reinitialisation and surface extraction."""
import math

import numpy as np
import pytest

from waferlab.errors import RecipeError
from waferlab.feature import builders as B
from waferlab.feature.extract import extract_surface
from waferlab.feature.grid import Grid
from waferlab.feature.levelset import LevelSetStack
from waferlab.feature.reinit import reinitialise

H = 0.05


def trench_sdf(x, z, half=1.0, depth=1.0):
    """Exact distance to the solid {z < 0} minus {|x| < half, z > -depth} (outside it)."""
    def box(xlo, xhi, zlo, zhi):
        dx = np.maximum(np.maximum(xlo - x, 0), x - xhi)
        dz = np.maximum(np.maximum(zlo - z, 0), z - zhi)
        return np.hypot(dx, dz)
    return np.minimum(np.minimum(box(-9, -half, -9, 0), box(half, 9, -9, 0)), box(-9, 9, -9, -depth))


def test_grid_nodes_and_validation():
    g = Grid(dimension=2, spacing=0.25, extent=(2.0,), boundary="periodic")
    assert g.lateral_shape == (8,)
    assert np.allclose(g.lateral_coords(0), -1 + 0.125 + 0.25 * np.arange(8))
    with pytest.raises(ValueError, match="whole number"):
        Grid(dimension=2, spacing=0.3, extent=(2.0,))
    with pytest.raises(ValueError, match="boundary"):
        Grid(dimension=2, spacing=0.25, extent=(2.0,), boundary="open")
    with pytest.raises(ValueError, match="extent"):
        Grid(dimension=3, spacing=0.25, extent=(2.0,))


def test_layer_stack_amounts_and_materials():
    g = Grid(dimension=2, spacing=H, extent=(2.0,))
    geo = B.layer_stack(g, "Si", [("SiO2", 0.3), ("Mask", 0.2)])
    a = geo.amounts(floor=-0.5)
    assert a["SiO2"] == pytest.approx(0.6, rel=1e-9) and a["Mask"] == pytest.approx(0.4, rel=1e-9)
    assert a["Si"] == pytest.approx(1.0, rel=1e-9)
    idx = geo.material_index_at(np.array([[0.0, -0.2], [0.3, 0.1], [0.0, 0.45], [0.0, 0.9]]))
    assert list(idx) == [0, 1, 2, -1]
    assert np.all(geo.phi[:-1] >= geo.phi[1:])
    est = LevelSetStack.memory_estimate(g, 1.0, 3)
    assert est == 40 * (20 + 33) * 8 * (3 + 4)


def test_cut_trench_is_exact_signed_distance():
    g = Grid(dimension=2, spacing=H, extent=(4.0,))
    geo = B.cut_feature(B.plane(g, "Si"), "trench", width=2.0, depth=1.0)
    X, Z = np.meshgrid(*geo.coords(), indexing="ij")
    ex = trench_sdf(X, Z)
    out = ex > 0
    assert np.abs(geo.top - ex)[out].max() < 1e-12
    assert geo.amounts(floor=-1.5)["Si"] == pytest.approx(4 * 1.5 - 2.0, rel=2e-3)


def test_cut_hole_taper_and_errors():
    g = Grid(dimension=3, spacing=0.1, extent=(2.0, 2.0))
    geo = B.layer_stack(g, "Si", [("Mask", 0.3)])
    taper = math.radians(5)
    geo = B.cut_feature(geo, "hole", radius=0.6, depth=0.8, taper=taper)
    # volume of the cut (a frustum) removed from the mask + Si above z = -0.5
    r_b = 0.6 - 0.8 * math.tan(taper)
    frustum = math.pi * 0.8 / 3 * (0.6 ** 2 + 0.6 * r_b + r_b ** 2)
    tot = sum(geo.amounts(floor=-0.7).values())
    assert tot == pytest.approx(4.0 * 1.0 - frustum, rel=5e-3)
    with pytest.raises(RecipeError, match="3D"):
        B.cut_feature(B.plane(Grid(dimension=2, spacing=H, extent=(1.0,)), "Si"), "hole",
                      radius=0.1, depth=0.2)
    with pytest.raises(RecipeError) as e:
        B.cut_feature(geo, "trench", width=3.0, depth=0.2)
    assert e.value.path == "width"


def test_reinitialisation_keeps_interface():
    """100 reinitialisations of a circle (scaled, not a distance) move it < 1 % in area."""
    g = Grid(dimension=2, spacing=H, extent=(4.0,))
    x = g.lateral_coords(0)
    z = np.arange(-40, 41) * H
    X, Z = np.meshgrid(x, z, indexing="ij")
    R = 0.6
    phi = 1.7 * (np.hypot(X, Z) - R)
    geo = LevelSetStack(grid=g, z0=z[0], phi=phi[None], materials=("Si",))
    p = phi
    for _ in range(100):
        p = reinitialise(p, g, band=0.6)
    pts = extract_surface(geo.replace(phi=p[None])).points
    r = np.hypot(pts[:, 0], pts[:, 1])
    assert np.abs(r - R).max() < 0.05 * H
    area = 0.5 * abs(np.sum(pts[:-1, 0] * pts[1:, 1] - pts[1:, 0] * pts[:-1, 1]))
    assert abs(area / (math.pi * R ** 2) - 1) < 0.01
    # and it is a distance function near the interface
    band = np.abs(p) < 3 * H
    assert np.abs(p - (np.hypot(X, Z) - R))[band].max() < 0.2 * H      # second-order FMM


@pytest.mark.parametrize("boundary", ["reflective", "periodic"])
def test_extract_2d_spans_domain_normals_materials(boundary):
    g = Grid(dimension=2, spacing=H, extent=(2.0,), boundary=boundary)
    geo = B.cut_feature(B.layer_stack(g, "Si", [("Mask", 0.3)]), "trench", width=0.8, depth=0.8)
    s = extract_surface(geo)
    assert s.points[:, 0].min() == pytest.approx(-1.0) and s.points[:, 0].max() == pytest.approx(1.0)
    # length: top 2 x 1.2 + 2 walls 0.8 + bottom 0.8, less the cut corners (< h each)
    assert 3.6 - 4 * H < s.areas.sum() <= 3.6 + 1e-9
    c = s.centroids
    flat = np.abs(s.normals[:, 1]) > 0.99
    assert np.all(s.normals[flat, 1] > 0)                      # horizontal faces point up
    bottom = flat & (c[:, 1] < -0.4)
    assert np.all(s.materials[bottom] == 0)
    top = flat & (c[:, 1] > 0.2)
    assert np.all(s.materials[top] == 1)
    right_wall = (np.abs(s.normals[:, 0]) > 0.99) & (c[:, 0] > 0)
    assert np.all(s.normals[right_wall, 0] < 0)                # the right wall faces -x


def test_extract_keeps_void_and_3d_normals():
    g = Grid(dimension=2, spacing=H, extent=(2.0,))
    geo = B.plane(g, "Si", height=0.5)
    X, Z = np.meshgrid(*geo.coords(), indexing="ij")
    phi = np.maximum(geo.top, -(np.hypot(X, Z + 0.2) - 0.3))   # a round void in the solid
    s = extract_surface(geo.replace(phi=phi[None]))
    c = s.centroids
    void = np.hypot(c[:, 0], c[:, 1] + 0.2) < 0.4
    assert void.sum() > 20
    # void normals point into the void (towards its centre)
    radial = (c[void] - [0.0, -0.2]) / np.linalg.norm(c[void] - [0.0, -0.2], axis=1)[:, None]
    assert np.all(np.sum(s.normals[void] * radial, axis=1) < -0.9)
    g3 = Grid(dimension=3, spacing=0.1, extent=(2.0, 2.0), boundary="periodic")
    geo3 = B.cut_feature(B.plane(g3, "Si"), "hole", radius=0.5, depth=0.6)
    s3 = extract_surface(geo3)
    assert np.allclose(s3.points[:, :2].min(axis=0), -1.0) and np.allclose(s3.points[:, :2].max(axis=0), 1.0)
    up = s3.centroids[:, 2] > -0.01
    assert np.all(s3.normals[up & (np.abs(s3.normals[:, 2]) > 0.9), 2] > 0)
    area = s3.areas.sum()
    exact = 4.0 + 2 * math.pi * 0.5 * 0.6
    # marching cubes cuts the two circular rims (each loses < 0.4 h per unit length)
    assert 0 < exact - area < 2 * 2 * math.pi * 0.5 * 0.4 * 0.1


def test_grid_points_count_surface_cells_as_the_peer():
    """rays_per_point counts the surface's level-set nodes, area / h^(d−1) (ViennaPS's
    disks): a flat surface has one per lateral node, (L/h)^(d−1), whatever the vertices."""
    from waferlab.feature.extract import extract_surface
    for dim, ext in ((2, (2.0,)), (3, (1.0, 1.5))):
        g = Grid(dimension=dim, spacing=0.05, extent=ext)
        s = extract_surface(B.plane(g, "Si", height=0.013))
        assert s.grid_points == int(np.prod([round(e / 0.05) for e in ext]))
    g = Grid(dimension=2, spacing=0.05, extent=(2.0,))
    s = extract_surface(B.cut_feature(B.plane(g, "Si"), "trench", width=1.0, depth=0.5))
    # top + bottom + two walls = 60 cells; extraction cuts each of the 4 corners by a
    # chamfer (legs ≤ h), shortening the line by at most (2 − √2) h per corner
    assert 60 - 4 * (2 - np.sqrt(2)) - 1 <= s.grid_points <= 60
