"""The ion beam sub-steps' neighbour search (``_ion_beam_sub.nearest``, issue #17 item 4):
the grid kernel returns the k-d tree's answer, the same rows and distances bit for bit."""
from types import SimpleNamespace

import numpy as np
import pytest
from scipy.spatial import cKDTree

from waferlab.feature import _ion_beam_sub as S


@pytest.mark.parametrize("k", [1, 4])
def test_grid_nearest_is_the_tree_query(k):
    """Random 2D points around a polyline-like cloud, query points up to 20 cells away
    (the WENO5 band's reach) and outside the cloud's box: same (distance, row) as
    cKDTree.query; 3D goes to the tree itself."""
    rng = np.random.default_rng(3)
    x = rng.random(3000) * 10.0
    data = np.stack([x, np.sin(x) + 0.01 * rng.standard_normal(3000)], axis=1)
    pts = np.stack([rng.random(20000) * 12.0 - 1.0, rng.random(20000) * 5.0 - 2.5], axis=1)
    st = SimpleNamespace(tree=cKDTree(data), eps2=(0.25 * 0.05) ** 2)
    dq, j = S.nearest(st, pts, k)
    d2, j2 = st.tree.query(pts, k=k)
    if k == 1:
        d2, j2 = d2[:, None], j2[:, None]
    assert np.array_equal(j, j2)
    assert np.array_equal(dq, d2)
